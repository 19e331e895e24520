//! A process killed in the middle of a write leaves the database consistent: the import
//! is entirely there or entirely absent, and the next run completes it.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod support;
use support::sigida;

/// A long list of admin units, so the import's transaction is open for seconds.
fn big_cod_file(path: &std::path::Path, cercles: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        file,
        "Location,Admin Level,P-Code,Name,Parent P-Code,Version"
    )
    .unwrap();
    for r in 0..20 {
        writeln!(file, "MLI,1,ML{r:02},Région {r},MLI,t1").unwrap();
    }
    for c in 0..cercles {
        writeln!(
            file,
            "MLI,2,ML{:02}{c:06},Cercle {c},ML{:02},t1",
            c % 20,
            c % 20
        )
        .unwrap();
    }
}

#[test]
fn killing_an_import_midway_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        sigida()
            .args(["init", d.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let file = d.join("big.csv");
    big_cod_file(&file, 60_000);

    let mut child = sigida()
        .args(["geo", "import", "--dir", d.to_str().unwrap()])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the transaction has written pages to the WAL, then kill without warning.
    let wal = d.join("sigida.db-wal");
    let started = Instant::now();
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) < 256 * 1024 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The database opens, passes its integrity check, and holds none of the import.
    std::fs::write(
        d.join("probe.csv"),
        "Location,Admin Level,P-Code,Name,Parent P-Code,Version\nMLI,1,ML00,Région 0,MLI,t1\n",
    )
    .unwrap();
    let out = sigida()
        .args(["geo", "import", "--dir", d.to_str().unwrap()])
        .arg(d.join("probe.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("2 ajoutées, 0 mises à jour, 0 inchangées"),
        "the killed import left units behind: {text}"
    );

    // Running the whole import again completes it.
    let out = sigida()
        .args(["geo", "import", "--dir", d.to_str().unwrap()])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("60021 unités lues"), "{text}");
    assert!(
        text.contains("60019 ajoutées, 0 mises à jour, 2 inchangées"),
        "{text}"
    );
}

/// The same on the central PostgreSQL server: the server rolls back the killed client's
/// transaction, so the import is absent, and the next run completes it.
#[test]
fn killing_an_import_midway_on_postgres_leaves_nothing_behind() {
    let Ok(url) = std::env::var("SIGIDA_TEST_POSTGRES_URL") else {
        sigida_testkit::needed("PostgreSQL (SIGIDA_TEST_POSTGRES_URL)", false);
        return;
    };
    let name = format!("sigida_test_crash_{}", std::process::id());
    let db = support::fresh_database(&url, &name);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = sigida()
        .args(["init", d.to_str().unwrap(), "--database", &db, "--key-file"])
        .arg(d.with_extension("key"))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let file = d.join("big.csv");
    big_cod_file(&file, 60_000);

    let mut child = sigida()
        .args(["geo", "import", "--database", &db, "--key-file"])
        .arg(d.with_extension("key"))
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import's transaction has been writing for a while, then kill it.
    let started = Instant::now();
    let busy = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' \
         AND xact_start < now() - interval '500 milliseconds' AND state <> 'idle'"
    );
    while support::psql(&url, &busy) == "0" {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    for _ in 0..100 {
        if support::psql(
            &url,
            &format!("SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'"),
        ) == "0"
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        support::psql(&db, "SELECT count(*) FROM admin_units"),
        "0",
        "nothing of the killed import remains"
    );
    assert_eq!(support::psql(&db, "SELECT count(*) FROM raw_imports"), "0");

    let out = sigida()
        .args(["geo", "import", "--database", &db, "--key-file"])
        .arg(d.with_extension("key"))
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("60021 ajoutées"),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    support::psql(
        &url,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    );
}
