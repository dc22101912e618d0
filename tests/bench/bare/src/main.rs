//! A bare Tauri v2 window: no plugins, no commands, one static page. The baseline next to
//! which `.ci/bench` measures the Skyport desktop app's cold start and memory.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("skyport-bench-bare: {e}");
        std::process::exit(1);
    }
}
