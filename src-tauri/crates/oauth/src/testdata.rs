//! Test fixtures: the shared vectors (copied into `testdata/vectors/`) and line-per-case files.

use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// A JSON vector file from `testdata/vectors/`.
pub(crate) fn vector(name: &str) -> serde_json::Value {
    let path = dir().join("vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The non-empty, non-comment lines of a text fixture in `testdata/`.
pub(crate) fn lines(name: &str) -> Vec<String> {
    let path = dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}
