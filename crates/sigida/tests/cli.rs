//! The real binary on real files, in temporary folders.

use std::path::Path;
use std::process::Stdio;

mod support;
use support::{run, shared, sigida, text};

fn init(dir: &Path) {
    let out = run(&["init", dir.to_str().unwrap(), "--name", "Test"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn init_creates_the_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("diag");
    init(&target);
    assert!(target.join("sigida.db").exists());
    let again = run(&["init", target.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(text(&again).contains("contient déjà le diagnostic « Test »"));
}

#[test]
fn the_disclosure_threshold_is_the_diagnostics_and_at_least_one() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("diag");
    let out = run(&["init", target.to_str().unwrap(), "--min-cell", "10"]);
    assert!(out.status.success(), "{}", text(&out));
    let min_cell = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = support::open_store(&target).await;
        let d = store.main_diagnostic().await.unwrap();
        store.close().await;
        d.min_cell
    });
    assert_eq!(min_cell, 10);
    let zero = run(&[
        "init",
        dir.path().join("other").to_str().unwrap(),
        "--min-cell",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2), "{}", text(&zero));
}

#[test]
fn commands_on_a_folder_without_diagnostic_say_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["serve", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out).contains("sigida init"), "{}", text(&out));
}

#[test]
fn mali_pcodes_import_once_and_reimport_changes_nothing() {
    let Some(file) = shared("mali-cod/hdx_python_country_fixture_MLI_adm1_adm2_v03.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = dir.path().to_str().unwrap();
    let first = run(&["geo", "import", file.to_str().unwrap(), "--dir", d]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains(
            "181 unités lues (versions COD v03) — 181 ajoutées, 0 mises à jour, 0 inchangées"
        ),
        "{}",
        text(&first)
    );
    let second = run(&["geo", "import", file.to_str().unwrap(), "--dir", d]);
    assert!(
        text(&second).contains("0 ajoutées, 0 mises à jour, 181 inchangées"),
        "{}",
        text(&second)
    );
}

#[test]
fn official_cod_ab_workbook_imports_with_its_skipped_row_reported() {
    let Some(file) = shared("cod-ab-caf/caf_cod_ab.xlsx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(run(&["init", d, "--country", "CAF"]).status.success());
    let out = run(&["geo", "import", file.to_str().unwrap(), "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("attention : "), "{report}");
    assert!(report.contains("feuille « caf_admin4 »"), "{report}");
    assert!(report.contains("versions COD 201506"), "{report}");
}

#[test]
fn a_latin1_file_is_refused_with_its_row_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let file = dir.path().join("codes.csv");
    std::fs::write(
        &file,
        b"Admin Level,P-Code,Name,Version\n1,ML04,S\xe9gou,v03\n",
    )
    .unwrap();
    let out = run(&[
        "geo",
        "import",
        file.to_str().unwrap(),
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let message = text(&out);
    assert!(
        message.contains("codes.csv") && message.contains("ligne 2") && message.contains("UTF-8"),
        "{message}"
    );

    let orphan = dir.path().join("orphan.csv");
    std::fs::write(
        &orphan,
        "Admin Level,P-Code,Name,Parent P-Code,Version\n2,ML0401,Ségou,ML04,v03\n",
    )
    .unwrap();
    let out = run(&[
        "geo",
        "import",
        orphan.to_str().unwrap(),
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("le parent ML04 est absent"),
        "{}",
        text(&out)
    );

    let bad_level = dir.path().join("level.csv");
    std::fs::write(
        &bad_level,
        "Admin Level,P-Code,Name,Version\nun,ML04,Ségou,v03\n",
    )
    .unwrap();
    let out = run(&[
        "geo",
        "import",
        bad_level.to_str().unwrap(),
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("ligne 2, colonne « Admin Level »"),
        "{}",
        text(&out)
    );

    // The Central African Republic's COD-AB, into a diagnostic of Mali.
    if let Some(caf) = shared("cod-ab-caf/caf_cod_ab.xlsx") {
        let out = run(&[
            "geo",
            "import",
            caf.to_str().unwrap(),
            "--dir",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(
            text(&out).contains("n'est pas un P-code de MLI"),
            "{}",
            text(&out)
        );
    }

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "Admin Level,P-Code,Name,Version\n1,ML04,Ségou,v03\n").unwrap();
    let out = run(&[
        "geo",
        "import",
        good.to_str().unwrap(),
        "--dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        text(&out).contains("1 ajoutées"),
        "nothing from the refused files was stored: {}",
        text(&out)
    );
}

#[test]
fn users_are_added_with_a_password_from_stdin_or_generated() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = dir.path().to_str().unwrap();
    let mut child = sigida()
        .args([
            "user",
            "add",
            "awa",
            "--role",
            "coordinator",
            "--name",
            "Awa Coulibaly",
            "--dir",
            d,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"un mot de passe long\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));

    // The password policy holds on the command line as on the pages.
    for (weak, said) in [
        ("          ", "trop court"),
        ("password12", "trop facile à deviner"),
        ("aminata-2026", "contient le nom du compte"),
    ] {
        let mut child = sigida()
            .args(["user", "add", "aminata", "--role", "analyst", "--dir", d])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{weak}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{weak:?}: {}", text(&out));
        assert!(text(&out).contains(said), "{weak:?}: {}", text(&out));
    }

    let generated = run(&[
        "user",
        "add",
        "moussa",
        "--role",
        "partner_viewer",
        "--generate-password",
        "--dir",
        d,
    ]);
    assert!(generated.status.success());
    assert!(text(&generated).contains("Mot de passe : "));

    let duplicate = run(&[
        "user",
        "add",
        "awa",
        "--role",
        "analyst",
        "--generate-password",
        "--dir",
        d,
    ]);
    assert_eq!(duplicate.status.code(), Some(3));
    assert!(
        text(&duplicate).contains("« awa » existe déjà"),
        "{}",
        text(&duplicate)
    );

    let role = run(&[
        "user",
        "add",
        "x",
        "--role",
        "chef",
        "--generate-password",
        "--dir",
        d,
    ]);
    assert_eq!(role.status.code(), Some(3));
    assert!(
        text(&role).contains("coordinator"),
        "the message lists the roles: {}",
        text(&role)
    );
}

#[test]
fn wrong_usage_exits_with_2() {
    assert_eq!(run(&["nonsense"]).status.code(), Some(2));
    assert!(run(&["--help"]).status.success());
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_without_a_panic() {
    let Some(file) = shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx") else {
        return;
    };
    // As `sigida form inspect … --json | head -c 100`: the reader goes after 100 bytes.
    let mut child = sigida()
        .args(["form", "inspect", file.to_str().unwrap(), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}

#[test]
fn form_inspect_describes_a_real_bilingual_form() {
    let Some(file) = shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx") else {
        return;
    };
    let out = run(&["form", "inspect", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("Langues : english, french"), "{report}");
    assert!(report.contains("Questions : 275"), "{report}");
    assert!(
        report.contains("[répétition] roster (nombre : ${hh_size})"),
        "{report}"
    );
    assert!(
        report.contains("Quel est votre genre ?"),
        "French labels by default: {report}"
    );
    assert!(
        report.contains("household_geopoint (ligne 319) : type geopoint"),
        "{report}"
    );

    let english = text(&run(&[
        "form",
        "inspect",
        file.to_str().unwrap(),
        "--lang",
        "en",
    ]));
    assert!(english.contains("What is your gender?"), "{english}");

    let json = run(&["form", "inspect", file.to_str().unwrap(), "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["summary"]["questions"], 275);
    assert_eq!(value["summary"]["repeats"], 4);
    assert_eq!(value["summary"]["choices"], 451);
    assert_eq!(value["languages"], serde_json::json!(["english", "french"]));
}

#[test]
fn form_inspect_locates_what_pyxform_refuses() {
    let Some(file) = shared("pyxform/bug_example_xls/calculate_without_calculation.xls") else {
        return;
    };
    let out = run(&["form", "inspect", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let message = text(&out);
    assert!(
        message.contains("feuille « survey », ligne 34, colonne « calculation »"),
        "{message}"
    );
}

/// `user passwd` gives a new password (generated here, shown once), `user disable` stops a
/// user; both are audited, and an unknown user is a usage error with its name.
#[test]
fn users_get_a_new_password_and_are_disabled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = dir.path().to_str().unwrap();
    let added = run(&[
        "user",
        "add",
        "awa",
        "--role",
        "analyst",
        "--generate-password",
        "--dir",
        d,
    ]);
    assert!(added.status.success(), "{}", text(&added));
    let first = text(&added);
    let passwd = run(&["user", "passwd", "awa", "--generate-password", "--dir", d]);
    assert!(passwd.status.success(), "{}", text(&passwd));
    let said = text(&passwd);
    assert!(said.contains("ses sessions sont closes"), "{said}");
    let password = |t: &str| {
        t.lines()
            .find_map(|l| l.strip_prefix("Mot de passe : "))
            .unwrap()
            .to_owned()
    };
    assert_ne!(password(&first), password(&said));
    let disabled = run(&["user", "disable", "awa", "--dir", d]);
    assert!(disabled.status.success(), "{}", text(&disabled));
    let unknown = run(&["user", "disable", "personne", "--dir", d]);
    assert_eq!(unknown.status.code(), Some(3), "{}", text(&unknown));
    assert!(text(&unknown).contains("personne"), "{}", text(&unknown));
}

/// `sigida audit verify` says the chain is intact as Sigida wrote it, and names an entry edited
/// in the database behind its back (exit 1).
#[test]
fn audit_verify_finds_an_entry_edited_behind_sigidas_back() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let d = dir.path().to_str().unwrap();
    for name in ["awa", "moussa"] {
        let out = run(&[
            "user",
            "add",
            name,
            "--role",
            "analyst",
            "--generate-password",
            "--dir",
            d,
        ]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let intact = run(&["audit", "verify", "--dir", d]);
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(
        text(&intact).contains("Chaîne intacte"),
        "{}",
        text(&intact)
    );
    let db = dir.path().join("sigida.db");
    let edited = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
             c.execute(\"UPDATE audit_log SET subject = 'user:personne' WHERE seq = 1\"); c.commit()",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(edited.status.success(), "{}", text(&edited));
    let broken = run(&["audit", "verify", "--dir", d]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(
        text(&broken).contains("entrée n° 1") && text(&broken).contains("modifiée"),
        "{}",
        text(&broken)
    );
}

/// The central server's backup: `pg_dump` sealed with a passphrase, restored by `pg_restore`
/// into another database after the whole file was opened; what was there comes back, its
/// personal data still sealed with the diagnostic's key.
#[test]
fn a_postgres_diagnostic_is_backed_up_with_a_passphrase_and_restored_elsewhere() {
    let Ok(url) = std::env::var("SIGIDA_TEST_POSTGRES_URL") else {
        sigida_testkit::needed("PostgreSQL (SIGIDA_TEST_POSTGRES_URL)", false);
        return;
    };
    let [from, to] = ["from", "to"].map(|w| {
        support::fresh_database(
            &url,
            &format!("sigida_test_backup_{w}_{}", std::process::id()),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("central.key");
    let with_phrase = |args: &[&str]| {
        let out = sigida()
            .args(args)
            .env("SIGIDA_KEY_FILE", &key)
            .env("SIGIDA_PASSPHRASE", "le fleuve à Gao en crue")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        out
    };
    with_phrase(&["init", d, "--name", "Central", "--database", &from]);
    with_phrase(&[
        "user",
        "add",
        "awa",
        "--role",
        "analyst",
        "--generate-password",
        "--database",
        &from,
    ]);
    let file = dir.path().join("central.sigida");
    with_phrase(&[
        "backup",
        "--passphrase",
        "--out",
        file.to_str().unwrap(),
        "--database",
        &from,
    ]);
    let sealed = std::fs::read(&file).unwrap();
    assert!(!sealed.windows(7).any(|w| w == b"Central"), "sealed");
    with_phrase(&[
        "restore",
        "--passphrase",
        file.to_str().unwrap(),
        "--database",
        &to,
    ]);
    let verify = with_phrase(&["audit", "verify", "--database", &to]);
    assert!(
        text(&verify).contains("Chaîne intacte"),
        "{}",
        text(&verify)
    );
    assert_eq!(support::psql(&to, "SELECT username FROM users"), "awa");
}
