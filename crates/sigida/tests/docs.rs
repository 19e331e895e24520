//! The user guide shows what the browser tests see: every screenshot it references is in
//! `docs/screenshots/` and is one a browser test takes under the same name, so a page that
//! changes is photographed again by the test that drives it (copy
//! `target/tmp/screenshots/*.png` into `docs/screenshots/` after the browser tests).

use std::path::Path;

#[test]
fn every_screenshot_the_guide_shows_is_taken_by_a_browser_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tests: String = std::fs::read_dir(root.join("crates/sigida/tests"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension().is_some_and(|x| x == "rs"))
                .then(|| std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let mut seen = 0;
    for doc in ["docs/guide/README.md", "docs/guide/en.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for (i, _) in text.match_indices("screenshots/") {
            let name = text[i + "screenshots/".len()..].split(')').next().unwrap();
            assert!(
                root.join("docs/screenshots").join(name).exists(),
                "{doc}: docs/screenshots/{name} is missing"
            );
            let stem = name.trim_end_matches(".png");
            assert!(
                tests.contains(&format!("\"{name}\"")) || tests.contains(&format!("\"{stem}\"")),
                "{doc}: no browser test takes {name}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 10, "{seen} screenshots referenced");
}
