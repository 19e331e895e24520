//! The shape ARCHITECTURE.md promises for the use-cases: one folder per room, rooms share
//! `common` and never import each other; `common` uses no room; `reports`, `script` and `workbook`
//! (the modules above the rooms: the documents they make, the scripted user, the workbook whose
//! import calls several) are used by no room.

use std::path::Path;

use sigida_testkit::rooms::{named, sources};

const ROOMS: &[&str] = &[
    "accounts",
    "analysis",
    "backup",
    "cleaning",
    "diagnostic",
    "imports",
    "meetings",
    "plans",
    "register",
    "sync",
];

#[test]
fn rooms_share_common_and_never_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut folders: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "common")
        .collect();
    folders.sort();
    assert_eq!(
        folders, ROOMS,
        "the rooms of src/ are the rooms this test knows"
    );
    let mut seen = 0;
    for room in ROOMS {
        for file in sources(&src.join(room)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut others = named(&text, ROOMS);
            others.retain(|r| r != room);
            others.extend(named(&text, &["reports", "script", "workbook"]));
            assert!(others.is_empty(), "{} uses {others:?}", file.display());
            seen += 1;
        }
    }
    for file in sources(&src.join("common")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let rooms = named(&text, ROOMS);
        assert!(rooms.is_empty(), "{} uses {rooms:?}", file.display());
        seen += 1;
    }
    assert!(seen > 15, "only {seen} files read");
}
