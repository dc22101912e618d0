//! Builds the UI into `ui/dist` if it is missing (so a plain `cargo build` works), then runs
//! tauri-build.

fn main() {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui");
    println!("cargo:rerun-if-changed=../ui/dist");
    if !ui.join("dist/index.html").exists() {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let run = |args: &[&str]| {
            std::process::Command::new(npm).args(args).current_dir(&ui).status().is_ok_and(|s| s.success())
        };
        let installed = ui.join("node_modules").exists() || run(&["ci", "--no-audit", "--no-fund"]);
        if !(installed && run(&["run", "build"])) {
            panic!("the UI is not built: run `npm ci && npm run build` in ui/ (or .ci/setup)");
        }
    }
    tauri_build::build();
}
