//! Two copies of one diagnostic, apart, brought together by sync files carried by hand: the
//! central copy (the demo) and a laptop cloned from it. Each edits offline; after the files
//! travel both ways, what could merge is merged, what could not is a conflict on both sides
//! with both values, and every other row is the same on both copies.

use std::collections::BTreeSet;
use std::path::Path;

use sigida_app::analysis::findings::{FindingDraft, edit_finding, set_confidence, write_finding};
use sigida_app::register::actors::{Actor, remove_actor, save_actor};
use sigida_core::actors::{Level, Stakeholder, StakeholderType};
use sigida_core::finding::{Confidence, Finding, Theme};
use sigida_core::personal::Personal;
use sigida_core::{Id, Timestamp};

mod support;
use support::{open_store, run, text};

fn sigida(args: &[&str]) -> String {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    text(&out)
}

fn flows(dir: &Path, name: &str, rows: &str) {
    flows_in(dir, "diboli", name, rows);
}

fn flows_in(dir: &Path, community: &str, name: &str, rows: &str) {
    flows_at(
        &["--dir", dir.to_str().unwrap()],
        dir,
        community,
        name,
        rows,
    );
}

/// Flow counts imported on the copy `place` names (`--dir D`, or `--database URL --key-file K`),
/// the sheet written beside `dir`.
fn flows_at(place: &[&str], dir: &Path, community: &str, name: &str, rows: &str) {
    let sheet = dir.with_file_name(name);
    std::fs::write(
        &sheet,
        format!(
            "Date,Flow type,From,To,Individuals,Unaccompanied,Means\n\
             #date,#direction,#loc+origin,#loc+destination,#affected+total,#affected+children+unaccompanied,#meta+transport\n{rows}"
        ),
    )
    .unwrap();
    let mut args = vec![
        "import",
        "flows",
        sheet.to_str().unwrap(),
        "--community",
        community,
    ];
    args.extend_from_slice(place);
    sigida(&args);
}

/// The central copy, made from the demo: the demo's own SQLite folder, or a PostgreSQL
/// database cloned from the demo's file (the server's certificate and reports in `dir`, its
/// key beside it either way).
struct Centre {
    dir: std::path::PathBuf,
    database: Option<String>,
    /// The key file, beside the folder.
    key: String,
}

impl Centre {
    fn sqlite(root: &Path) -> Self {
        let dir = root.join("centre");
        sigida(&["demo", "--dir", c_dir(&dir)]);
        Centre {
            key: support::key_beside(&dir).to_str().unwrap().to_owned(),
            dir,
            database: None,
        }
    }

    /// `None` (and the test says what it needs) without a PostgreSQL server to test on.
    fn postgres(root: &Path) -> Option<Self> {
        let Ok(admin) = std::env::var("SIGIDA_TEST_POSTGRES_URL") else {
            sigida_testkit::needed("PostgreSQL (SIGIDA_TEST_POSTGRES_URL)", false);
            return None;
        };
        let seed = root.join("demo");
        sigida(&["demo", "--dir", c_dir(&seed)]);
        let name = format!("sigida_test_sync_{}", uuid::Uuid::new_v4().simple());
        let dir = root.join("centre");
        let centre = Centre {
            key: support::key_beside(&dir).to_str().unwrap().to_owned(),
            dir,
            database: Some(support::fresh_database(&admin, &name)),
        };
        std::fs::create_dir_all(&centre.dir).unwrap();
        std::fs::copy(support::key_beside(&seed), &centre.key).unwrap();
        let file = root.join("demo.sync");
        sigida(&[
            "sync",
            "export",
            "--new-copy",
            "--out",
            file.to_str().unwrap(),
            "--dir",
            c_dir(&seed),
        ]);
        let said = centre.run(&[
            "sync",
            "clone",
            "--file",
            file.to_str().unwrap(),
            "--name",
            "centre Bamako",
        ]);
        assert!(said.contains("0 conflit(s)"), "{said}");
        // The centre holds what the demo holds.
        assert_eq!(
            shared_line(&centre.place()),
            shared_line(&["--dir", c_dir(&seed)])
        );
        Some(centre)
    }

    /// The arguments that name it on a command line, but for `--dir`.
    fn database_args(&self) -> Vec<&str> {
        match &self.database {
            Some(db) => vec!["--database", db, "--key-file", &self.key],
            None => Vec::new(),
        }
    }

    fn place(&self) -> Vec<&str> {
        let mut place = self.database_args();
        place.extend(["--dir", c_dir(&self.dir)]);
        place
    }

    /// `sigida ARGS… PLACE`.
    fn run(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend(self.place());
        sigida(&all)
    }

    fn serve(&self, args: &[&str]) -> support::DemoServer {
        let mut all = self.database_args();
        all.extend_from_slice(args);
        support::DemoServer::serve_with(&self.dir, &all)
    }

    async fn open(&self) -> sigida_store::Store {
        match &self.database {
            Some(db) => sigida_store::Store::connect_with(
                db,
                Some(sigida_vault::Key::read_file(Path::new(&self.key)).unwrap()),
            )
            .await
            .unwrap(),
            None => open_store(&self.dir).await,
        }
    }

    /// A laptop's copy made over the network, under a token registered here.
    fn clone_laptop(&self, base: &str, laptop: &Path, name: &str, fingerprint: bool) {
        let added = self.run(&["replica", "add", name]);
        let after = |label: &str| {
            added
                .lines()
                .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()))
                .unwrap_or_else(|| panic!("{label} in {added}"))
        };
        std::fs::copy(&self.key, support::key_beside(laptop)).unwrap();
        let token = after("une seule fois) :");
        let mut args = vec!["sync", "clone", "--server", base, "--token", &token];
        let pinned;
        if fingerprint {
            pinned = after("certificat du serveur :");
            args.extend(["--fingerprint", &pinned]);
        }
        args.extend(["--name", name, "--dir", c_dir(laptop)]);
        let said = sigida(&args);
        assert!(said.contains("Synchronisé avec"), "{said}");
    }
}

/// Every row of the tables that travel, by table, as SQLite holds them (sealed values as
/// they are sealed): what two copies must share.
fn rows_of(dir: &Path) -> Vec<(String, BTreeSet<String>)> {
    let script = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        local = set(sys.argv[2].split(','))\n\
        for (t,) in c.execute(\"select name from sqlite_master where type='table' and name not like 'sqlite_%' order by name\"):\n\
        \x20   if t in local: continue\n\
        \x20   for r in c.execute('select * from ' + t): print(t + '\\t' + repr(r))\n";
    let local: Vec<&str> = sigida_store::sync::CLASSES
        .iter()
        .filter(|(_, c)| *c == sigida_store::sync::Class::Local)
        .map(|(t, _)| *t)
        .collect();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            dir.join("sigida.db").to_str().unwrap(),
            &local.join(","),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut tables: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let (table, row) = line.split_once('\t').unwrap();
        match tables.last_mut() {
            Some((t, rows)) if t == table => {
                rows.insert(row.to_owned());
            }
            _ => tables.push((table.to_owned(), BTreeSet::from([row.to_owned()]))),
        }
    }
    tables
}

/// The rows that differ between two copies, but for `except` (rows holding one of them).
fn differences(a: &Path, b: &Path, except: &[String]) -> Vec<String> {
    let (a, b) = (rows_of(a), rows_of(b));
    let all = |rows: &[(String, BTreeSet<String>)]| -> BTreeSet<String> {
        rows.iter()
            .flat_map(|(t, rs)| rs.iter().map(move |r| format!("{t} {r}")))
            .filter(|r| !except.iter().any(|e| r.contains(e.as_str())))
            // Each copy audits the files it applied: its own entries are its own.
            .filter(|r| !r.contains("'synced'"))
            .collect()
    };
    let (a, b) = (all(&a), all(&b));
    a.symmetric_difference(&b).cloned().collect()
}

#[test]
fn two_copies_edit_apart_and_a_file_carried_by_hand_brings_them_together() {
    let root = tempfile::tempdir().unwrap();
    let central = root.path().join("central");
    let laptop = root.path().join("laptop");
    let (c, l) = (central.to_str().unwrap(), laptop.to_str().unwrap());
    let demo = sigida(&["demo", "--dir", c]);
    // The coordinator's login, as the demo printed it.
    let password = demo
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.len() == 3 && w[0] == "coordination")
        .map(|w| w[2].to_owned())
        .unwrap();
    sigida(&["sync", "name", "centre Bamako", "--dir", c]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let at = Timestamp::now();

    // Before the laptop leaves: two pending findings and a stakeholder, at the centre.
    let (merged, disputed, stakeholder) = runtime.block_on(async {
        let store = open_store(&central).await;
        let made = two_findings_and_a_stakeholder(&store, at).await;
        store.close().await;
        made
    });

    // The laptop's copy, made from a file and the key brought apart.
    let clone_file = root.path().join("nouvelle-copie.sync");
    let said = sigida(&[
        "sync",
        "export",
        "--out",
        clone_file.to_str().unwrap(),
        "--new-copy",
        "--dir",
        c,
    ]);
    assert!(said.contains("pour une nouvelle copie"), "{said}");
    let bytes = std::fs::read(&clone_file).unwrap();
    assert!(
        !bytes.windows(13).any(|w| w == b"Moussa Diarra"),
        "the file is sealed"
    );
    std::fs::copy(support::key_beside(&central), support::key_beside(&laptop)).unwrap();
    let said = sigida(&[
        "sync",
        "clone",
        "--file",
        clone_file.to_str().unwrap(),
        "--name",
        "laptop-kayes",
        "--dir",
        l,
    ]);
    assert!(said.contains("0 conflit"), "{said}");
    let shared = rows_of(&central);
    assert!(
        shared.len() > 30 && shared.iter().map(|(_, r)| r.len()).sum::<usize>() > 5_000,
        "the demo's rows are compared"
    );
    assert_eq!(differences(&central, &laptop, &[]), Vec::<String>::new());

    // Apart: the centre rewrites one finding, the laptop rates it (different fields); both
    // rewrite the other (the same field); the laptop deletes the stakeholder the centre edits;
    // both count travellers.
    runtime.block_on(async {
        let ids = (merged, disputed);
        let store = open_store(&central).await;
        work_apart(&store, ids, false, "(centre)", &stakeholder, false, at).await;
        store.close().await;
        let store = open_store(&laptop).await;
        work_apart(&store, ids, true, "(terrain)", &stakeholder, true, at).await;
        store.close().await;
    });
    flows(
        &central,
        "centre.csv",
        "2026-03-02,outgoing,Kayes,Dakar (Sénégal),31,0,bus\n",
    );
    flows(
        &laptop,
        "terrain.csv",
        "2026-03-03,incoming,Kidira (Sénégal),Kayes,12,1,train\n",
    );

    // The laptop's file to the centre, the centre's back, and the laptop's acknowledgement.
    let file = |name: &str| root.path().join(name).to_str().unwrap().to_owned();
    let said = sigida(&[
        "sync",
        "export",
        "--out",
        &file("terrain-1.sync"),
        "--dir",
        l,
    ]);
    assert!(said.contains("pour « "), "{said}");
    let said = sigida(&["sync", "import", &file("terrain-1.sync"), "--dir", c]);
    assert!(said.contains("2 conflit(s)"), "{said}");
    let again = sigida(&["sync", "import", &file("terrain-1.sync"), "--dir", c]);
    assert!(
        again.contains("0 appliquée(s)") && again.contains("0 conflit(s)"),
        "{again}"
    );
    sigida(&[
        "sync",
        "export",
        "--out",
        &file("centre-1.sync"),
        "--dir",
        c,
    ]);
    let said = sigida(&["sync", "import", &file("centre-1.sync"), "--dir", l]);
    assert!(said.contains("2 conflit(s)"), "{said}");
    sigida(&[
        "sync",
        "export",
        "--out",
        &file("terrain-2.sync"),
        "--dir",
        l,
    ]);
    let said = sigida(&["sync", "import", &file("terrain-2.sync"), "--dir", c]);
    assert!(said.contains("0 conflit(s)"), "{said}");

    // Merged: the centre's statement and the laptop's confidence, on both copies. Kept for a
    // person: each copy its own statement of the disputed finding and the other's beside it;
    // the stakeholder kept at the centre, deleted on the laptop, the deletion beside it.
    runtime.block_on(async {
        for (dir, own, theirs) in [
            (&central, "(centre)", "(terrain)"),
            (&laptop, "(terrain)", "(centre)"),
        ] {
            let store = open_store(dir).await;
            let (diagnostic, diboli) = support::diagnostic_and_community(&store, "diboli").await;
            let findings = store.findings(diboli.id).await.unwrap();
            let one = findings.iter().find(|f| f.id == merged).unwrap();
            assert_eq!(
                one.statement,
                "Les départs vers Dakar doublent depuis janvier"
            );
            assert_eq!(one.confidence, Some(Confidence::High), "{}", dir.display());
            let other = findings.iter().find(|f| f.id == disputed).unwrap();
            assert!(other.statement.ends_with(own), "{}", other.statement);
            let conflicts = store.open_conflicts().await.unwrap();
            assert_eq!(conflicts.len(), 2, "{conflicts:?}");
            let on_statement = conflicts
                .iter()
                .find(|c| c.table == "findings" && c.field == "statement")
                .unwrap();
            assert!(on_statement.key.contains(&disputed.to_string()));
            assert!(
                on_statement
                    .local
                    .as_ref()
                    .unwrap()
                    .to_string()
                    .contains(own)
            );
            assert!(
                on_statement
                    .remote
                    .as_ref()
                    .unwrap()
                    .to_string()
                    .contains(theirs)
            );
            let on_row = conflicts
                .iter()
                .find(|c| c.table == "stakeholders" && c.field == "*")
                .unwrap();
            let kept = store.stakeholders(diagnostic.id, None).await.unwrap();
            let here = kept.iter().any(|s| s.id == stakeholder.id);
            assert_eq!(here, dir == &central, "kept at the centre only");
            assert_eq!(on_row.local.is_some(), here);
            assert_eq!(on_row.remote.is_some(), !here);
            let travellers: u32 = store
                .flow_counts(diboli.id)
                .await
                .unwrap()
                .iter()
                .map(|c| c.travellers)
                .sum();
            assert!(travellers > 10_000);
            assert!(store.verify_audit().await.unwrap().breaks.is_empty());
            store.close().await;
        }
    });
    // Every other row is the same on both copies, both flow sheets included.
    assert_eq!(
        differences(
            &central,
            &laptop,
            &[disputed.to_string(), stakeholder.id.to_string()]
        ),
        Vec::<String>::new()
    );
    let status = sigida(&["sync", "status", "--dir", l]);
    assert!(status.contains("2 conflit(s) à trancher"), "{status}");
    assert!(
        status.contains("(scellé)") && !status.contains("s1:"),
        "personal values are not printed: {status}"
    );

    // At the centre, a coordinator opens the copies page and takes the laptop's wording (in
    // Chromium, at desktop and phone widths); the stakeholder is kept from the command line.
    // The decisions travel, settle the laptop's conflicts too, and the copies are the same.
    if support::webdriver::available() {
        let server = support::DemoServer::serve(&central);
        let (browser, page) = copies_page(&server.base, &password);
        assert!(
            page.contains("laptop-kayes"),
            "the laptop is listed by its name"
        );
        assert!(page.contains("(centre)") && page.contains("(terrain)"));
        assert!(page.contains("centre Bamako") && page.contains("Comité des transporteurs"));
        assert!(
            !page.contains("Moussa"),
            "personal values stay sealed on the page"
        );
        let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        browser.screenshot(&shots.join("sync-desktop.png"));
        browser.viewport(390, 844, true);
        let overflow = browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "the copies page scrolls sideways: {overflow}"
        );
        browser.screenshot(&shots.join("sync-phone.png"));
        let form = format!(
            "#conflit-{} ",
            runtime.block_on(async {
                let store = open_store(&central).await;
                let id = store
                    .open_conflicts()
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|c| c.field == "statement")
                    .unwrap()
                    .id;
                store.close().await;
                id
            })
        );
        browser.click(&format!("{form}input[value=theirs]"));
        browser.click(&format!("{form}button[type=submit]"));
        let page = browser.wait_for_text("Conflit tranché");
        assert!(page.contains("Conflits à trancher (1)"), "{page}");
    }
    let conflicts = runtime.block_on(async {
        let store = open_store(&central).await;
        let conflicts = store.open_conflicts().await.unwrap();
        store.close().await;
        conflicts
    });
    for c in &conflicts {
        let choice = if c.field == "statement" {
            "--theirs"
        } else {
            "--ours"
        };
        let said = sigida(&["sync", "resolve", &c.id, choice, "--dir", c_dir(&central)]);
        assert!(said.contains("Conflit tranché"), "{said}");
    }
    sigida(&[
        "sync",
        "export",
        "--out",
        &file("centre-2.sync"),
        "--dir",
        c,
    ]);
    let said = sigida(&["sync", "import", &file("centre-2.sync"), "--dir", l]);
    assert!(said.contains("0 conflit(s)"), "{said}");
    sigida(&[
        "sync",
        "export",
        "--out",
        &file("terrain-3.sync"),
        "--dir",
        l,
    ]);
    sigida(&["sync", "import", &file("terrain-3.sync"), "--dir", c]);
    runtime.block_on(async {
        for dir in [&central, &laptop] {
            let store = open_store(dir).await;
            assert_eq!(
                store.open_conflicts().await.unwrap(),
                vec![],
                "{}",
                dir.display()
            );
            let (diagnostic, diboli) = support::diagnostic_and_community(&store, "diboli").await;
            let findings = store.findings(diboli.id).await.unwrap();
            let other = findings.iter().find(|f| f.id == disputed).unwrap();
            assert!(
                other.statement.ends_with("(terrain)"),
                "{}",
                other.statement
            );
            let kept = store.stakeholders(diagnostic.id, None).await.unwrap();
            let s = kept.iter().find(|s| s.id == stakeholder.id).unwrap();
            assert_eq!(s.role_in_zone, "Gare routière et marché");
            assert_eq!(s.contact_name.expose(), "Moussa Diarra");
            store.close().await;
        }
    });
    assert_eq!(differences(&central, &laptop, &[]), Vec::<String>::new());
}

/// Two pending findings of Diboli and a stakeholder with personal contacts, written on a copy.
async fn two_findings_and_a_stakeholder(
    store: &sigida_store::Store,
    at: Timestamp,
) -> (Id<Finding>, Id<Finding>, Stakeholder) {
    let (diagnostic, diboli) = support::diagnostic_and_community(store, "diboli").await;
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for statement in [
        "Les départs vers Dakar augmentent",
        "Les transporteurs rackettent",
    ] {
        let id: Id<Finding> = Id::new();
        write_finding(&mut tx, None, &diboli, id, &draft(statement), at)
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let stakeholder = Stakeholder {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        community_id: Some(diboli.id),
        organisation: "Comité des transporteurs".into(),
        kind: StakeholderType::MigrantAssociation,
        level: Level::Local,
        role_in_zone: "Gare routière".into(),
        contact_name: Personal::new("Moussa Diarra".into()),
        contact_phone: Personal::new("+223 66 12 34 56".into()),
        influence: Some(3),
        interest: Some(4),
    };
    save_actor(
        store,
        &Actor::Stakeholder(stakeholder.clone()),
        true,
        None,
        at,
    )
    .await
    .unwrap();
    (ids[0], ids[1], stakeholder)
}

fn draft(statement: &str) -> FindingDraft {
    FindingDraft {
        theme: Theme::Migration,
        statement: statement.into(),
        localities: Vec::new(),
    }
}

/// One copy's work apart: the first finding rewritten or rated (different fields on two
/// copies), the second rewritten ending with `suffix` (the same field), the stakeholder deleted
/// or its role edited.
async fn work_apart(
    store: &sigida_store::Store,
    (merged, disputed): (Id<Finding>, Id<Finding>),
    rate: bool,
    suffix: &str,
    stakeholder: &Stakeholder,
    delete: bool,
    at: Timestamp,
) {
    let mut tx = store.begin().await.unwrap();
    if rate {
        set_confidence(&mut tx, None, merged, Some(Confidence::High))
            .await
            .unwrap();
    } else {
        let statement = "Les départs vers Dakar doublent depuis janvier";
        edit_finding(&mut tx, None, merged, &draft(statement))
            .await
            .unwrap();
    }
    let statement = format!("Les transporteurs rackettent à Diboli {suffix}");
    edit_finding(&mut tx, None, disputed, &draft(&statement))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let actor = if delete {
        remove_actor(store, &Actor::Stakeholder(stakeholder.clone()), None, at).await
    } else {
        let edited = Stakeholder {
            role_in_zone: "Gare routière et marché".into(),
            ..stakeholder.clone()
        };
        save_actor(store, &Actor::Stakeholder(edited), false, None, at).await
    };
    actor.unwrap();
}

/// The coordinator signed in on the Copies page of the centre at `base`, two conflicts
/// waiting, at desktop width.
fn copies_page(base: &str, password: &str) -> (support::webdriver::Browser, String) {
    let browser = support::webdriver::Browser::start();
    browser.viewport(1280, 900, false);
    browser.goto(&format!("{base}/login?next=/sync"));
    browser.type_into("input[name=username]", "coordination");
    browser.type_into("input[name=password]", password);
    browser.click("button[type=submit]");
    let page = browser.wait_for_text("Conflits à trancher (2)");
    (browser, page)
}

fn c_dir(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// A field laptop registered at the centre syncs over HTTPS, the centre's self-signed
/// certificate pinned by the fingerprint given with the token: cloned, then both sides' work
/// exchanged in one command; a sync with nothing to do changes nothing; a wrong token, a
/// revoked one and a wrong fingerprint are refused in plain words.
#[test]
fn a_registered_laptop_syncs_with_the_centre_over_https() {
    let root = tempfile::tempdir().unwrap();
    let central = root.path().join("central");
    let laptop = root.path().join("laptop");
    let (c, l) = (central.to_str().unwrap(), laptop.to_str().unwrap());
    sigida(&["demo", "--dir", c]);
    let server = support::DemoServer::serve_with(
        &central,
        &[
            "--tls",
            "--addr",
            "127.0.0.1:0",
            "--phones-addr",
            "127.0.0.1:0",
        ],
    );
    let base = server.base.clone();

    let added = sigida(&[
        "replica",
        "add",
        "laptop-gao",
        "--communities",
        "gao-chateau",
        "--dir",
        c,
    ]);
    let after = |label: &str| {
        added
            .lines()
            .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("{label} in {added}"))
    };
    let (token, fingerprint) = (after("une seule fois) :"), after("certificat du serveur :"));
    std::fs::copy(support::key_beside(&central), support::key_beside(&laptop)).unwrap();
    let key = support::key_beside(&central);
    let key = key.to_str().unwrap();
    let wrong = run(&[
        "sync",
        "clone",
        "--server",
        &base,
        "--token",
        "pas-le-bon",
        "--fingerprint",
        &fingerprint,
        "--key-file",
        key,
        "--dir",
        root.path().join("autre").to_str().unwrap(),
    ]);
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("jeton de synchronisation inconnu"),
        "{}",
        text(&wrong)
    );
    let said = sigida(&[
        "sync",
        "clone",
        "--server",
        &base,
        "--token",
        &token,
        "--fingerprint",
        &fingerprint,
        "--name",
        "laptop-gao",
        "--dir",
        l,
    ]);
    assert!(said.contains("Synchronisé avec"), "{said}");
    // Registered for Gao-Château, the laptop holds that community's work and the whole
    // diagnostic's (instruments, national stakeholders, every raw file), not Diboli's.
    let in_scope = |tables: &[(String, BTreeSet<String>)], table: &str, id: &str| {
        tables
            .iter()
            .filter(|(t, _)| t == table)
            .flat_map(|(_, rows)| rows.iter())
            .filter(|r| r.contains(id))
            .count()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (diboli, gao) = runtime.block_on(async {
        let store = open_store(&central).await;
        let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let (_, gao) = support::diagnostic_and_community(&store, "gao-chateau").await;
        store.close().await;
        (diboli.id.to_string(), gao.id.to_string())
    });
    let (at_centre, on_laptop) = (rows_of(&central), rows_of(&laptop));
    for table in ["findings", "meetings", "action_plans", "localities"] {
        assert!(in_scope(&at_centre, table, &diboli) > 0, "{table}");
        assert_eq!(in_scope(&on_laptop, table, &diboli), 0, "{table} of Diboli");
        assert_eq!(
            in_scope(&on_laptop, table, &gao),
            in_scope(&at_centre, table, &gao),
            "{table} of Gao"
        );
    }
    let whole = |tables: &[(String, BTreeSet<String>)], table: &str| {
        tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, r)| r.len())
    };
    for table in ["instruments", "raw_imports", "communities", "indicators"] {
        assert_eq!(
            whole(&on_laptop, table),
            whole(&at_centre, table),
            "{table}"
        );
    }
    // The children of Diboli's rows stay at the centre too: participants, ballots, actions.
    for table in ["participants", "ballots", "actions"] {
        assert!(
            whole(&on_laptop, table) < whole(&at_centre, table),
            "{table}"
        );
    }

    // Both count travellers, the centre in Diboli while it serves, the laptop in Gao; one
    // command brings the laptop's to the centre.
    flows(
        &central,
        "centre.csv",
        "2026-03-02,outgoing,Kayes,Dakar (Sénégal),31,0,bus\n",
    );
    flows_in(
        &laptop,
        "gao-chateau",
        "terrain.csv",
        "2026-03-03,incoming,Ansongo,Gao,12,1,bus\n",
    );
    let said = sigida(&["sync", "--dir", l]);
    assert!(said.contains("0 conflit(s)"), "{said}");
    let (at_centre, on_laptop) = (rows_of(&central), rows_of(&laptop));
    let has = |tables: &[(String, BTreeSet<String>)], what: &str| {
        tables
            .iter()
            .filter(|(t, _)| t == "flow_counts")
            .any(|(_, rows)| rows.iter().any(|r| r.contains(what)))
    };
    assert!(
        has(&at_centre, "'Ansongo'"),
        "the laptop's counts reach the centre"
    );
    assert!(has(&on_laptop, "'Ansongo'"));
    assert_eq!(
        in_scope(&on_laptop, "flow_counts", &diboli),
        0,
        "Diboli's counts stay at the centre"
    );
    let idle = sigida(&["sync", "--dir", l]);
    assert!(
        idle.contains("0 modification(s) envoyée(s), 0 reçue(s)")
            && idle.contains("en 1 échange(s)"),
        "{idle}"
    );
    let listed = sigida(&["replica", "list", "--dir", c]);
    assert!(
        listed.contains("« laptop-gao » : gao-chateau ; dernier échange 20"),
        "{listed}"
    );

    // A laptop given a wrong fingerprint does not talk to that server.
    let other = root.path().join("copie-2");
    let pinned = run(&[
        "sync",
        "clone",
        "--server",
        &base,
        "--token",
        &token,
        "--fingerprint",
        "00:11:22",
        "--key-file",
        key,
        "--dir",
        other.to_str().unwrap(),
    ]);
    assert!(!pinned.status.success());
    assert!(
        text(&pinned).contains("empreinte attendue"),
        "{}",
        text(&pinned)
    );
    // Revoked, the laptop syncs no more.
    sigida(&["replica", "revoke", "laptop-gao", "--dir", c]);
    let revoked = run(&["sync", "--dir", l]);
    assert!(!revoked.status.success());
    assert!(text(&revoked).contains("révoqué"), "{}", text(&revoked));
}

/// A sync killed (SIGKILL) on the laptop, then the centre killed and started again during the
/// next one: the sync after completes, and the two copies hold the same rows — nothing lost,
/// nothing twice.
#[test]
fn a_sync_killed_on_either_side_is_completed_by_the_next() {
    let root = tempfile::tempdir().unwrap();
    killed_and_completed(&Centre::sqlite(root.path()), root.path());
}

/// The same with the centre on PostgreSQL: the server killed rolls back its transaction.
#[test]
fn a_sync_killed_on_either_side_is_completed_by_the_next_at_a_postgres_centre() {
    let root = tempfile::tempdir().unwrap();
    if let Some(centre) = Centre::postgres(root.path()) {
        killed_and_completed(&centre, root.path());
    }
}

fn killed_and_completed(centre: &Centre, root: &Path) {
    let laptop = root.join("laptop");
    let l = c_dir(&laptop);
    let serve = |port: u16| centre.serve(&["--addr", &format!("127.0.0.1:{port}")]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = serve(port);
    let base = format!("http://127.0.0.1:{port}");
    centre.clone_laptop(&base, &laptop, "laptop-kayes", false);

    // A season of counts on each side: several exchanges' worth.
    let rows = |day: usize, from: &str| -> String {
        (0..3_000)
            .map(|i| {
                format!(
                    "2026-{:02}-{:02},outgoing,{from},Dakar (Sénégal),{},0,bus\n",
                    1 + (day + i / 28) % 12,
                    1 + i % 28,
                    1 + i % 40
                )
            })
            .collect()
    };
    flows(&laptop, "terrain.csv", &rows(0, "Kayes"));
    flows_at(
        &centre.place(),
        &centre.dir,
        "diboli",
        "centre.csv",
        &rows(5, "Diboli"),
    );

    // The laptop killed in the middle of its sync.
    let mut syncing = support::sigida()
        .args(["sync", "--dir", l])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let _ = syncing.kill();
    let _ = syncing.wait();
    // Then the centre killed during the next, and started again.
    let mut syncing = support::sigida()
        .args(["sync", "--dir", l])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    drop(server);
    let _ = syncing.wait();
    server = serve(port);
    let said = sigida(&["sync", "--dir", l]);
    assert!(said.contains("Synchronisé"), "{said}");
    drop(server);
    assert_eq!(shared_line(&centre.place()), shared_line(&["--dir", l]));
    if centre.database.is_none() {
        assert_eq!(differences(&centre.dir, &laptop, &[]), Vec::<String>::new());
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for store in [centre.open().await, open_store(&laptop).await] {
            let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
            let counts = store.flow_counts(diboli.id).await.unwrap();
            let ours = counts
                .iter()
                .filter(|c| c.origin == "Kayes" || c.origin == "Diboli")
                .filter(|c| c.destination == "Dakar (Sénégal)")
                .count();
            assert!(ours >= 6_000, "{ours}");
            assert!(store.verify_audit().await.unwrap().breaks.is_empty());
            store.close().await;
        }
    });
}

/// An adopted plan stays frozen on every copy: a laptop's change to one of its actions (made
/// before the laptop learnt of the adoption) is kept beside as a conflict at the centre, while
/// its follow-up (the action's status) applies.
#[test]
fn an_adopted_plan_stays_frozen_whichever_copy_edits_it() {
    let root = tempfile::tempdir().unwrap();
    let central = root.path().join("central");
    let laptop = root.path().join("laptop");
    let (c, l) = (central.to_str().unwrap(), laptop.to_str().unwrap());
    sigida(&["demo", "--dir", c]);
    let file = |name: &str| root.path().join(name).to_str().unwrap().to_owned();
    sigida(&[
        "sync",
        "export",
        "--out",
        &file("copie.sync"),
        "--new-copy",
        "--dir",
        c,
    ]);
    std::fs::copy(support::key_beside(&central), support::key_beside(&laptop)).unwrap();
    sigida(&["sync", "clone", "--file", &file("copie.sync"), "--dir", l]);
    // On the laptop, behind the use-cases' back (as an older copy's edit arrives): an adopted
    // plan's action reworded, and its status moved on.
    let script = "import sqlite3, sys\n\
        c = sqlite3.connect(sys.argv[1])\n\
        (a, title) = c.execute(\"select a.id, a.title from actions a join action_plans p on p.id = a.plan_id where p.status <> 'draft' and a.status <> 'done' limit 1\").fetchone()\n\
        c.execute(\"update actions set title = title || ' (terrain)', status = 'done' where id = ?\", (a,))\n\
        c.commit()\n\
        print(a + '\\t' + title)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, laptop.join("sigida.db").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let (action, title) = stdout.trim().split_once('\t').unwrap();
    sigida(&["sync", "export", "--out", &file("terrain.sync"), "--dir", l]);
    let said = sigida(&["sync", "import", &file("terrain.sync"), "--dir", c]);
    assert!(said.contains("1 conflit(s)"), "{said}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = open_store(&central).await;
        let conflicts = store.open_conflicts().await.unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            (conflicts[0].table.as_str(), conflicts[0].field.as_str()),
            ("actions", "title")
        );
        assert!(conflicts[0].key.contains(action));
        let script_title: String = conflicts[0]
            .local
            .as_ref()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(script_title, title, "the adopted wording stays");
        store.close().await;
    });
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('select status from actions where id = ?', (sys.argv[2],)).fetchone()[0])",
            central.join("sigida.db").to_str().unwrap(),
            action,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&status.stdout).trim(),
        "done",
        "follow-up applies"
    );
}

/// A meeting held on one copy: a register of three, a question counted on paper, a decision.
async fn hold_meeting(store: &sigida_store::Store, community: &str, title: &str) {
    use sigida_app::meetings::{
        Arrival, add_count, add_question, create_meeting, record_decision, register,
    };
    use sigida_core::meeting::{AgeGroup, BallotSource, CountedVotes, DecisionKind, Meeting, Sex};
    let (_, community) = support::diagnostic_and_community(store, community).await;
    let meeting = create_meeting(
        store,
        Meeting {
            id: Id::new(),
            community_id: community.id,
            level: Level::Local,
            title: title.into(),
            date: time::macros::date!(2026 - 03 - 20),
            place: "Mairie".into(),
            facilitators: "Équipe".into(),
            agenda: vec!["Localités".into()],
        },
    )
    .await
    .unwrap();
    for (i, sex) in [Sex::Female, Sex::Male, Sex::Female]
        .into_iter()
        .enumerate()
    {
        register(
            store,
            Arrival {
                id: Id::new(),
                meeting_id: meeting.id,
                name: Some(format!("Participant {i} ({title})")),
                sex,
                age_group: AgeGroup::Youth,
                stakeholder_type: None,
                group: None,
                organisation: String::new(),
                consent: true,
                at: Timestamp::now(),
                code: [1, 2, 3, 4, 5, u8::try_from(i).unwrap()],
            },
        )
        .await
        .unwrap();
    }
    let question = add_question(
        store,
        Id::new(),
        &meeting,
        "Quelle localité d'abord ?",
        vec!["Diboli".into(), "Kidira".into()],
    )
    .await
    .unwrap();
    add_count(
        store,
        &meeting,
        CountedVotes {
            id: Id::new(),
            question_id: question.id,
            option: "Diboli".into(),
            count: 3,
            source: BallotSource::Paper,
            group: None,
            entered_at: Timestamp::now(),
        },
    )
    .await
    .unwrap();
    // Run from this copy: opened to its phones here.
    sigida_app::meetings::open_to_phones(store, &meeting, Timestamp::now())
        .await
        .unwrap();
    record_decision(
        store,
        &meeting,
        Id::new(),
        DecisionKind::LocalitySelection,
        &format!("Diboli d'abord ({title})"),
        "L'assemblée",
    )
    .await
    .unwrap();
}

/// The line `sigida sync status` prints of what a copy shares with the others.
fn shared_line(args: &[&str]) -> String {
    let mut all = vec!["sync", "status"];
    all.extend_from_slice(args);
    let said = sigida(&all);
    said.lines()
        .find(|l| l.starts_with("Contenu partagé"))
        .unwrap_or_else(|| panic!("{said}"))
        .to_owned()
}

/// The acceptance: the central diagnostic on PostgreSQL, two SQLite laptops cloned
/// from it over HTTPS, offline from each other. Both edit the same finding (different fields
/// merge; the same field is one conflict with both values, settled on the centre's page), one
/// deletes a stakeholder the other edits (a conflict, settled from the command line), both
/// count travellers and hold a meeting. After syncs in both orders the three copies share the
/// same rows (the same fingerprint on the three, the same rows between the laptops) and write
/// the same report.
#[test]
fn a_central_postgres_and_two_laptops_hold_one_diagnostic() {
    let root = tempfile::tempdir().unwrap();
    let Some(centre) = Centre::postgres(root.path()) else {
        return;
    };
    let (kayes, gao) = (root.path().join("kayes"), root.path().join("gao"));
    let db = centre.database.clone().unwrap_or_default();
    let refused = run(&[
        "sync",
        "clone",
        "--file",
        root.path().join("demo.sync").to_str().unwrap(),
        "--database",
        &db,
        "--key-file",
        &centre.key,
    ]);
    assert!(
        !refused.status.success() && text(&refused).contains("une base vide"),
        "{}",
        text(&refused)
    );
    let password = centre
        .run(&[
            "user",
            "add",
            "coordination",
            "--role",
            "coordinator",
            "--generate-password",
        ])
        .lines()
        .find_map(|l| l.strip_prefix("Mot de passe : ").map(str::to_owned))
        .unwrap();

    // Two findings and a stakeholder written at the centre, on PostgreSQL, before the laptops
    // leave.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let at = Timestamp::now();
    let (merged, disputed, stakeholder) = runtime.block_on(async {
        let store = centre.open().await;
        let made = two_findings_and_a_stakeholder(&store, at).await;
        store.close().await;
        made
    });

    // The centre serves over HTTPS; each laptop is registered and cloned from it, its
    // certificate pinned; Kayes syncs again to learn of Gao's registration.
    let server = centre.serve(&[
        "--tls",
        "--addr",
        "127.0.0.1:0",
        "--phones-addr",
        "127.0.0.1:0",
    ]);
    centre.clone_laptop(&server.base, &kayes, "laptop-kayes", true);
    centre.clone_laptop(&server.base, &gao, "laptop-gao", true);
    sigida(&["sync", "--dir", c_dir(&kayes)]);
    assert_eq!(differences(&kayes, &gao, &[]), Vec::<String>::new());

    // Apart: Kayes rewrites one finding and deletes the stakeholder; Gao rates that finding
    // and edits the stakeholder; both rewrite the other finding; both count and meet.
    runtime.block_on(async {
        let ids = (merged, disputed);
        let store = open_store(&kayes).await;
        work_apart(&store, ids, false, "(Kayes)", &stakeholder, true, at).await;
        hold_meeting(&store, "diboli", "Assemblée de Kayes").await;
        store.close().await;
        let store = open_store(&gao).await;
        work_apart(&store, ids, true, "(Gao)", &stakeholder, false, at).await;
        hold_meeting(&store, "diboli", "Assemblée de Gao").await;
        store.close().await;
    });
    flows(
        &kayes,
        "kayes.csv",
        "2026-03-02,outgoing,Kayes,Dakar (Sénégal),31,0,bus\n",
    );
    flows(
        &gao,
        "gao.csv",
        "2026-03-03,incoming,Kidira (Sénégal),Kayes,12,1,train\n",
    );

    // Kayes, then Gao, then Kayes again.
    for laptop in [&kayes, &gao, &kayes] {
        let said = sigida(&["sync", "--dir", c_dir(laptop)]);
        assert!(said.contains("Synchronisé"), "{said}");
    }
    let conflicts = runtime.block_on(async {
        let store = centre.open().await;
        let conflicts = store.open_conflicts().await.unwrap();
        store.close().await;
        conflicts
    });
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    let on_statement = conflicts
        .iter()
        .find(|c| c.table == "findings" && c.field == "statement")
        .unwrap();
    assert!(
        on_statement
            .local
            .as_ref()
            .unwrap()
            .to_string()
            .contains("(Kayes)")
    );
    assert!(
        on_statement
            .remote
            .as_ref()
            .unwrap()
            .to_string()
            .contains("(Gao)")
    );
    let on_row = conflicts
        .iter()
        .find(|c| c.table == "stakeholders" && c.field == "*")
        .unwrap();
    assert!(
        on_row.local.is_none() && on_row.remote.is_some(),
        "deleted here, edited there"
    );

    // The coordinator takes Gao's wording on the centre's page; the stakeholder, edited in
    // Gao, is kept from the command line.
    if support::webdriver::available() {
        let (browser, page) = copies_page(&server.base, &password);
        assert!(
            page.contains("laptop-gao") && page.contains("laptop-kayes"),
            "{page}"
        );
        // The laptops registered here, each with its last exchange and what waits for it.
        assert!(
            page.contains("Ordinateurs de terrain") && page.contains("Modifications en attente")
        );
        let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        browser.screenshot(&shots.join("copies-centre-bureau.png"));
        browser.viewport(390, 844, true);
        let overflow = browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert!(overflow.as_i64().unwrap() <= 0, "sideways: {overflow}");
        browser.screenshot(&shots.join("sync-centre-phone.png"));
        browser.viewport(1280, 900, false);
        browser.click(&format!("#conflit-{} input[value=theirs]", on_statement.id));
        browser.click(&format!("#conflit-{} button[type=submit]", on_statement.id));
        let page = browser.wait_for_text("Conflit tranché");
        assert!(page.contains("Conflits à trancher (1)"), "{page}");
    } else {
        centre.run(&["sync", "resolve", &on_statement.id, "--theirs"]);
    }
    let said = centre.run(&["sync", "resolve", &on_row.id, "--theirs"]);
    assert!(said.contains("Conflit tranché"), "{said}");

    // Gao, then Kayes, then Gao again: the settlements travel and settle Gao's own conflicts.
    for laptop in [&gao, &kayes, &gao] {
        let said = sigida(&["sync", "--dir", c_dir(laptop)]);
        assert!(said.contains("Synchronisé"), "{said}");
    }
    drop(server);

    let shared = shared_line(&centre.place());
    for laptop in [&kayes, &gao] {
        assert_eq!(
            shared_line(&["--dir", c_dir(laptop)]),
            shared,
            "{}",
            laptop.display()
        );
    }
    assert_eq!(differences(&kayes, &gao, &[]), Vec::<String>::new());
    runtime.block_on(async {
        for store in [
            centre.open().await,
            open_store(&kayes).await,
            open_store(&gao).await,
        ] {
            assert_eq!(store.open_conflicts().await.unwrap(), vec![]);
            let (diagnostic, diboli) = support::diagnostic_and_community(&store, "diboli").await;
            let findings = store.findings(diboli.id).await.unwrap();
            let one = findings.iter().find(|f| f.id == merged).unwrap();
            assert_eq!(
                one.statement,
                "Les départs vers Dakar doublent depuis janvier"
            );
            assert_eq!(one.confidence, Some(Confidence::High));
            let other = findings.iter().find(|f| f.id == disputed).unwrap();
            assert!(other.statement.ends_with("(Gao)"), "{}", other.statement);
            let kept = store.stakeholders(diagnostic.id, None).await.unwrap();
            let s = kept.iter().find(|s| s.id == stakeholder.id).unwrap();
            assert_eq!(s.role_in_zone, "Gare routière et marché");
            assert_eq!(s.contact_name.expose(), "Moussa Diarra");
            let meetings = store.meetings(diboli.id).await.unwrap();
            for title in ["Assemblée de Kayes", "Assemblée de Gao"] {
                let m = meetings.iter().find(|m| m.title == title).unwrap();
                assert_eq!(store.participants(m.id).await.unwrap().len(), 3);
            }
            // Each meeting is run from the laptop that held it: no other copy opens it to
            // phones.
            let (_, name) = store.replica().await.unwrap();
            for (title, runner) in [
                ("Assemblée de Kayes", "laptop-kayes"),
                ("Assemblée de Gao", "laptop-gao"),
            ] {
                let m = meetings.iter().find(|m| m.title == title).unwrap();
                let opened =
                    sigida_app::meetings::open_to_phones(&store, m, Timestamp::now()).await;
                match opened {
                    Ok(_) => assert_eq!(name, runner),
                    Err(sigida_app::AppError::Refused(r)) => {
                        assert_ne!(name, runner);
                        assert_eq!(r.code, "meeting.other_copy");
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            let origins: Vec<String> = store
                .flow_counts(diboli.id)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.origin)
                .collect();
            assert!(origins.iter().any(|o| o == "Kidira (Sénégal)"));
            assert!(store.verify_audit().await.unwrap().breaks.is_empty());
            store.close().await;
        }
    });

    // The same report from the three.
    let report = |place: &[&str], dir: &Path| -> String {
        let mut args = vec![
            "report",
            "--community",
            "diboli",
            "--lang",
            "fr",
            "--format",
            "html",
        ];
        args.extend_from_slice(place);
        sigida(&args);
        std::fs::read_to_string(dir.join("reports/diboli/analyse-contextuelle.html")).unwrap()
    };
    let central_report = report(&centre.place(), &centre.dir);
    assert!(central_report.contains("doublent depuis janvier"));
    for laptop in [&kayes, &gao] {
        assert!(
            report(&["--dir", c_dir(laptop)], laptop) == central_report,
            "{} writes another report",
            laptop.display()
        );
    }
}
