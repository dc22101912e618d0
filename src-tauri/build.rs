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
    // The UI is embedded by `generate_context!`; make a changed UI recompile the crate (a
    // re-run build script alone does not), by exporting a fingerprint of ui/dist.
    println!("cargo:rustc-env=SKYPORT_UI_FINGERPRINT={}", fingerprint(&ui.join("dist")));
    tauri_build::build();
}

/// A cheap fingerprint (FNV-1a) of every file's name and bytes under `dir`.
fn fingerprint(dir: &std::path::Path) -> String {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let name = f.strip_prefix(dir).map(|p| p.display().to_string()).unwrap_or_default();
        for b in name.bytes().chain(std::fs::read(&f).unwrap_or_default()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
