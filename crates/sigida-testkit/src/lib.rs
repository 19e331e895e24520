//! What the tests share. Real third-party files live in `../shared/data` beside the clone (never
//! copied into the repository); tools (Chromium, pdftotext, LibreOffice) and PostgreSQL come
//! from the machine. On a user's fresh clone a test that lacks one of them says so and skips;
//! under CI (`CI` set, other than `false` or `0`) it fails, so a green CI has run everything.

use std::path::PathBuf;

/// Whether the tests run under CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v != "false" && v != "0")
}

/// Whether what a test needs (`what`, said in the message) is here: `false` (with a message on
/// stderr) on a user's machine, a failure under CI.
pub fn needed(what: &str, present: bool) -> bool {
    if !present {
        assert!(
            !in_ci(),
            "{what} is missing, and CI must run the tests that need it"
        );
        eprintln!("skipped: {what} is missing (CI always has it)");
    }
    present
}

/// `../shared` beside the clone.
pub fn shared_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// A file (or folder) of `../shared/data`, or `None` when that folder is absent (see [`needed`]).
pub fn shared(path: &str) -> Option<PathBuf> {
    let root = shared_root().join("data");
    needed("../shared/data", root.is_dir()).then(|| root.join(path))
}

/// The shape of a crate in rooms: its Rust sources, and which of its modules a file names.
pub mod rooms {
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `dir`.
    pub fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }

    /// The modules of `modules` that `text` names through `crate::<module>`.
    pub fn named<'a>(text: &str, modules: &[&'a str]) -> Vec<&'a str> {
        modules
            .iter()
            .copied()
            .filter(|m| {
                text.contains(&format!("crate::{m}::"))
                    || text.contains(&format!("crate::{m};"))
                    || text.contains(&format!("crate::{{{m}"))
            })
            .collect()
    }
}
