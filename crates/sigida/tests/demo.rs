//! `sigida demo --serve` end to end: the demo builds, its reports exist, a coordinator signs
//! in over HTTP and sees both communities, and the demo is the same on every run.

mod support;

use support::{DemoServer, Session};

#[test]
fn the_demo_serves_both_communities_to_a_coordinator() {
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    assert_eq!(server.logins.len(), 6, "one printed login per role");

    let reports = dir.path().join("reports");
    let files = ["diboli", "gao-chateau"].iter().flat_map(|slug| {
        ["analyse-contextuelle.html", "analyse-contextuelle.en.html"]
            .map(|file| reports.join(slug).join(file))
    });
    for path in files.chain([
        reports.join("synthese.html"),
        reports.join("synthese.en.html"),
    ]) {
        {
            let html = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                html.contains("Données synthétiques de démonstration")
                    || html.contains("Synthetic demonstration data")
            );
            assert!(
                !html.contains("+223"),
                "{}: reports carry no phone numbers",
                path.display()
            );
        }
    }

    let coordinator = Session::login(
        &server.base,
        "coordination",
        server.password("coordination"),
    );
    let (status, page) = coordinator.get("/communities");
    assert_eq!(status, 200);
    for report in [
        "/reports/diboli/plan-action.html",
        "/reports/gao-chateau/plan-action.en.pdf",
        "/reports/diboli/analyse-contextuelle.pdf",
    ] {
        assert_eq!(coordinator.get(report).0, 200, "{report}");
    }
    assert!(
        page.contains("Diboli") && page.contains("Gao Château"),
        "{page}"
    );
    assert!(page.contains("Données synthétiques de démonstration"));
    let (status, page) = coordinator.get("/communities/gao-chateau");
    assert_eq!(status, 200);
    assert!(page.contains("Sosso Koïra") && page.contains("ML0701"));

    let (_, json) = coordinator.get("/api/communities");
    let communities: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = communities
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Diboli", "Gao Château"]);

    // The household survey's clean data, as an analyst downloads it.
    let analyst = Session::login(&server.base, "analyste", server.password("analyste"));
    let (_, instruments) = analyst.get("/instruments");
    let mut found = None;
    for part in instruments.split("href=\"/instruments/").skip(1) {
        let id = part.split(['"', '/']).next().unwrap_or("");
        let (status, page) = analyst.get(&format!("/instruments/{id}"));
        if status == 200 && page.contains("clean.csv") && page.contains("<h1>Enquête ménage") {
            found = Some(id.to_owned());
            break;
        }
    }
    let id = found.expect("the household survey has a page with its export");
    let (status, csv) = analyst.get(&format!("/instruments/{id}/clean.csv?hxl=1"));
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].contains("resp_age") && lines[1].contains("#meta+id"),
        "{}",
        &csv[..300.min(csv.len())]
    );
    // The households the demo's exports hold (each file: a header, then one row each).
    let households: usize = ["diboli", "gao-chateau"]
        .iter()
        .map(|slug| {
            let file = dir
                .path()
                .join(format!("donnees/enquete-menage-{slug}.csv"));
            std::fs::read_to_string(file).unwrap().lines().count() - 1
        })
        .sum();
    assert!(households > 900);
    assert_eq!(
        lines.len(),
        2 + households,
        "every household once, after the header and HXL rows"
    );

    // The same clean data as a workbook, the submissions on its first sheet.
    let (status, workbook) = analyst.get_bytes(&format!("/instruments/{id}/clean.xlsx"));
    assert_eq!(status, 200);
    let sheets = sigida_formats::table::read_tables_from_bytes("propre.xlsx", &workbook).unwrap();
    assert_eq!(sheets[0].sheet.as_deref(), Some("donnees_propres"));
    assert_eq!(sheets[0].rows.len(), households);

    let partner = Session::login(&server.base, "partenaire", server.password("partenaire"));
    assert_eq!(partner.get(&format!("/instruments/{id}/clean.csv")).0, 403);
    assert_eq!(partner.get(&format!("/instruments/{id}/clean.xlsx")).0, 403);
    assert_eq!(partner.get("/imports").0, 403);
    assert_eq!(partner.get("/api/imports").0, 403);
}

#[test]
fn the_demo_is_the_same_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = |dir: &std::path::Path| {
        let server = DemoServer::start(dir);
        let analyst = Session::login(&server.base, "analyste", server.password("analyste"));
        let mut all = String::new();
        let mut paths = vec![
            "/api/communities".to_owned(),
            "/api/communities/diboli".to_owned(),
            "/api/communities/gao-chateau".to_owned(),
        ];
        // The analysis of each community (indicators carry the time they were computed).
        for slug in ["diboli", "gao-chateau"] {
            for part in [
                "flows",
                "protection",
                "services",
                "findings",
                "exercises",
                "qualitative",
                "groups",
            ] {
                paths.push(format!("/api/communities/{slug}/{part}"));
            }
        }
        for path in &paths {
            let (status, body) = analyst.get(path);
            assert_eq!(status, 200, "{path}");
            all.push_str(&body);
        }
        // Imports go through the real pipeline, which dates them and gives them fresh ids;
        // everything else about them is the same.
        let (_, imports) = analyst.get("/api/imports");
        let mut imports: Vec<serde_json::Value> = serde_json::from_str(&imports).unwrap();
        for import in &mut imports {
            let object = import.as_object_mut().unwrap();
            for volatile in ["id", "imported_at", "instrument_version_id"] {
                object.remove(volatile);
            }
        }
        imports.sort_by_key(|i| i["file_name"].as_str().unwrap_or("").to_owned());
        all.push_str(&serde_json::to_string(&imports).unwrap());
        all
    };
    let first = snapshot(dir.path());
    let second = snapshot(dir.path());
    if first != second {
        let at = first
            .bytes()
            .zip(second.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(first.len().min(second.len()));
        let context = |s: &str| {
            s.get(at.saturating_sub(80)..(at + 80).min(s.len()))
                .unwrap_or("")
                .to_owned()
        };
        panic!(
            "the second demo differs at byte {at}:\n{}\n---\n{}",
            context(&first),
            context(&second)
        );
    }
    let data =
        std::fs::read_to_string(dir.path().join("donnees/enquete-menage-diboli.csv")).unwrap();
    assert!(
        data.lines().count() > 400,
        "about 400–600 household interviews per community"
    );
}

/// Every file of a folder, with its bytes.
fn files_of(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_of(&path));
        } else {
            files.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    files
}

/// A laptop lost with the demo's folder gives away no name, phone or code: every personal
/// value is sealed with the key, which is beside the folder, not in it; the database and the
/// reports are readable by their owner only.
#[test]
fn the_demos_folder_holds_no_name_phone_or_code_in_clear() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    drop(server);
    let key = support::key_beside(dir.path());
    assert!(key.exists() && !key.starts_with(dir.path()));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // What the demo holds, read with the key: contacts, participants' names and codes.
    let personal: Vec<String> = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let diagnostic = store.main_diagnostic().await.unwrap();
        let mut personal = Vec::new();
        for s in store.stakeholders(diagnostic.id, None).await.unwrap() {
            personal.push(s.contact_name.expose().clone());
            personal.push(s.contact_phone.expose().clone());
        }
        for community in store.communities(diagnostic.id).await.unwrap() {
            for p in store.service_providers(community.id).await.unwrap() {
                personal.push(p.contact_phone.expose().clone());
            }
            for meeting in store.meetings(community.id).await.unwrap() {
                for p in store.participants(meeting.id).await.unwrap() {
                    personal.push(p.check_code.clone());
                    if let Some(name) = &p.name {
                        personal.push(name.expose().clone());
                    }
                }
            }
        }
        store.close().await;
        personal
    });
    assert!(personal.len() > 150, "{}", personal.len());
    assert!(personal.iter().any(|p| p.starts_with("+223 ")));
    for (path, bytes) in files_of(dir.path()) {
        for value in &personal {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "{} holds « {value} » in clear",
                path.display()
            );
        }
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("sigida.db")), 0o600);
    assert_eq!(mode(dir.path()), 0o700);
    assert_eq!(mode(&dir.path().join("reports")), 0o700);
    assert_eq!(
        mode(&dir.path().join("reports/diboli/analyse-contextuelle.pdf")),
        0o600
    );
    assert_eq!(mode(&key), 0o600);
    // Without its key the folder does not open.
    let refused = support::run(&[
        "serve",
        "--dir",
        dir.path().to_str().unwrap(),
        "--key-file",
        "/nonexistent/sigida.key",
    ]);
    assert_eq!(
        refused.status.code(),
        Some(3),
        "{}",
        support::text(&refused)
    );
    runtime.block_on(async {
        let locked = sigida_store::Store::open_dir(dir.path()).await;
        assert!(matches!(locked, Err(sigida_store::StoreError::Locked)));
    });

    // A participant asks that their name be erased: the sealed value that held it is gone from
    // every file, the register keeps counting them, the erasure is audited.
    let (participant, meeting, count) = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let diagnostic = store.main_diagnostic().await.unwrap();
        let community = store.communities(diagnostic.id).await.unwrap().remove(0);
        let meeting = store.meetings(community.id).await.unwrap().remove(0);
        let participants = store.participants(meeting.id).await.unwrap();
        let named = participants
            .iter()
            .find(|p| p.name.is_some())
            .unwrap()
            .clone();
        store.close().await;
        (named, meeting.id, participants.len())
    });
    let sealed_name = |id: &str| {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
                 print(c.execute('SELECT name FROM participants WHERE id = ?', (sys.argv[2],)).fetchone()[0])",
                dir.path().join("sigida.db").to_str().unwrap(),
                id,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let before = sealed_name(&participant.id.to_string());
    assert!(before.len() > 60, "{before}");
    let sealed_hex = before.trim_start_matches('\u{1}').to_owned();
    let erased = support::run(&[
        "erase",
        "participant",
        &participant.id.to_string(),
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(erased.status.success(), "{}", support::text(&erased));
    for (path, bytes) in files_of(dir.path()) {
        assert!(
            !bytes
                .windows(sealed_hex.len())
                .any(|w| w == sealed_hex.as_bytes()),
            "{} still holds the erased name's sealed value",
            path.display()
        );
    }
    runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let participants = store.participants(meeting).await.unwrap();
        assert_eq!(participants.len(), count, "the register still counts them");
        let again = participants
            .iter()
            .find(|p| p.id == participant.id)
            .unwrap();
        assert!(again.name.is_none() && again.check_code.is_empty());
        let audit = store.audit_events(20).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == sigida_core::audit::AuditAction::Erased
                    && e.subject == format!("participant:{}", participant.id))
        );
        assert!(store.verify_audit().await.unwrap().breaks.is_empty());
        store.close().await;
    });
}
