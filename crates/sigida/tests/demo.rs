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
