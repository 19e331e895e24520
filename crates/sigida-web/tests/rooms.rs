//! The shape ARCHITECTURE.md promises: one folder per room, rooms use `http/` and never each
//! other, `http/` uses no room, and every room declares its routes as a table.

use std::path::Path;

use sigida_testkit::rooms::{named, sources};

const ROOMS: &[&str] = &[
    "admin",
    "api",
    "community",
    "data",
    "meetings",
    "plans",
    "reports",
    "site",
    "sync",
];

#[test]
fn rooms_use_http_and_never_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let folders: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "http")
        .collect();
    let mut expected: Vec<String> = ROOMS.iter().map(|r| r.to_string()).collect();
    let mut found = folders.clone();
    expected.sort();
    found.sort();
    assert_eq!(
        found, expected,
        "the rooms of src/ are the rooms this test knows"
    );
    let mut crossings = Vec::new();
    for room in ROOMS.iter().chain(["http"].iter()) {
        for file in sources(&src.join(room)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in named(&text, ROOMS) {
                if other != *room {
                    crossings.push(format!("{} uses {other}", file.display()));
                }
            }
            if file.ends_with("mod.rs") && file.parent() == Some(&src.join(room)) && *room != "http"
            {
                assert!(
                    text.contains("pub fn routes() -> Vec<"),
                    "{} declares its routes as a table",
                    file.display()
                );
            }
        }
    }
    assert!(crossings.is_empty(), "{crossings:#?}");
    // Only lib.rs merges the rooms, and it builds the router from their tables alone.
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(!lib.contains(".route("), "lib.rs adds no route of its own");
}
