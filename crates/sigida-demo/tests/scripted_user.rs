//! The demo is a scripted user by construction: it depends on the use-cases and on plain
//! values, never on the store (nor on the web adapter, which holds one), so whatever it does
//! goes through `sigida_app::script`, whose handle hands out nothing of the store.

use std::path::Path;

/// The `[dependencies]` of this crate's manifest, by name.
fn dependencies() -> Vec<String> {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let section = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap()
        .to_owned();
    section
        .lines()
        .filter_map(|line| line.split(['=', '.']).next())
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_demo_cannot_reach_the_store() {
    let deps = dependencies();
    assert!(deps.contains(&"sigida-app".to_owned()), "{deps:?}");
    for forbidden in ["sigida-store", "sigida-web", "sqlx"] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "the demo depends on {forbidden}: {deps:?}"
        );
    }
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    assert!(source.contains("Script"), "the demo drives a Script");
    assert!(!source.contains("sigida_store"));
}
