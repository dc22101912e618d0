//! Skyport desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    skyport_desktop::run();
}
