//! Generates the Tauri context (config, page assets) for the bare window.

fn main() {
    tauri_build::build();
}
