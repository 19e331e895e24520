//! The cleaning workflow through the real binary and database, on REACH's Iraq example: the
//! raw export and its cleaning log give its clean data; checks add to the log; personal
//! columns stay out of exports unless asked for (and then audited).

use std::path::{Path, PathBuf};

mod support;
use support::{run, shared, text};

/// The example's survey and choices sheets as one XLSForm in pyxform's CSV layout.
fn form_file(dir: &Path) -> PathBuf {
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(dir.join("form.csv"))
        .unwrap();
    for (sheet, file) in [
        ("survey", "cleaningtools_survey.csv"),
        ("choices", "cleaningtools_choices.csv"),
    ] {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(shared(&format!("reach-iraq-cleaningtools/{file}")).unwrap())
            .unwrap();
        out.write_record([sheet]).unwrap();
        for record in reader.records() {
            let record = record.unwrap();
            let mut row = vec![String::new()];
            row.extend(record.iter().map(str::to_owned));
            out.write_record(&row).unwrap();
        }
    }
    out.flush().unwrap();
    dir.join("form.csv")
}

/// A new diagnostic with the example's form as instrument « Iraq WASH ».
fn diagnostic_with_form() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(run(&["init", d]).status.success());
    let form = form_file(dir.path());
    let out = run(&[
        "import",
        "form",
        form.to_str().unwrap(),
        "--instrument",
        "Iraq WASH",
        "--dir",
        d,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    dir
}

/// `sigida import data EXPORT --instrument "Iraq WASH" --accept-warnings --dir D`.
fn import_data(d: &str, export: &Path) -> std::process::Output {
    run(&[
        "import",
        "data",
        export.to_str().unwrap(),
        "--instrument",
        "Iraq WASH",
        "--accept-warnings",
        "--dir",
        d,
    ])
}

/// Imports the example's 632 submissions, warnings accepted.
fn import_all(d: &str, export: &Path) {
    let out = import_data(d, export);
    assert!(
        text(&out).contains("632 nouvelles soumissions"),
        "{}",
        text(&out)
    );
}

/// `sigida clean apply --instrument "Iraq WASH" ARGS… --dir D`.
fn clean_apply(d: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["clean", "apply", "--instrument", "Iraq WASH"];
    all.extend_from_slice(args);
    all.extend(["--dir", d]);
    run(&all)
}

fn read(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn same(a: &str, b: &str) -> bool {
    let number = |s: &str| match s {
        "TRUE" => Some(1.0),
        "FALSE" => Some(0.0),
        _ => s.parse::<f64>().ok(),
    };
    a == b || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

#[test]
fn raw_export_and_cleaning_log_give_the_clean_data_through_the_database() {
    let Some(raw) = shared("reach-iraq-cleaningtools/cleaningtools_raw_data.csv") else {
        return;
    };
    let dir = diagnostic_with_form();
    let d = dir.path().to_str().unwrap();
    import_all(d, &raw);

    // The checks add pending entries, among them the values the form refuses.
    let log_out = dir.path().join("journal.xlsx");
    let out = run(&[
        "clean",
        "check",
        "--instrument",
        "Iraq WASH",
        "--log-out",
        log_out.to_str().unwrap(),
        "--dir",
        d,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("632 soumissions vérifiées"), "{report}");
    assert!(
        report.contains("outlier_iqr") && report.contains("form"),
        "{report}"
    );
    assert!(log_out.exists());
    let again = run(&["clean", "check", "--instrument", "Iraq WASH", "--dir", d]);
    assert!(
        text(&again).contains("0 nouvelles entrées"),
        "checks run twice add nothing: {}",
        text(&again)
    );

    // REACH's decisions applied: its clean data, cell for cell.
    let clean = dir.path().join("propre.csv");
    let log = shared("reach-iraq-cleaningtools/cleaningtools_cleaning_log.csv").unwrap();
    let out = clean_apply(
        d,
        &[
            "--log",
            log.to_str().unwrap(),
            "--out",
            clean.to_str().unwrap(),
            "--with-personal",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("578 soumissions ; 54 supprimées"),
        "{}",
        text(&out)
    );
    let (headers, rows) = read(&clean);
    let (want_headers, want_rows) =
        read(&shared("reach-iraq-cleaningtools/cleaningtools_clean_data.csv").unwrap());
    assert_eq!(rows.len(), 578);
    let uuid = headers.iter().position(|h| h == "X_uuid").unwrap();
    let want_uuid = want_headers.iter().position(|h| h == "X_uuid").unwrap();
    let mut differences = 0;
    for row in &rows {
        let want = want_rows
            .iter()
            .find(|w| w[want_uuid] == row[uuid])
            .unwrap();
        for (c, h) in headers.iter().enumerate() {
            let w = want_headers.iter().position(|x| x == h).unwrap();
            differences += usize::from(!same(&row[c], &want[w]));
        }
    }
    assert_eq!(differences, 0);

    // Without asking, personal columns stay out; asking was audited.
    let safe = dir.path().join("publiable.csv");
    let out = clean_apply(d, &["--out", safe.to_str().unwrap(), "--hxl"]);
    assert!(text(&out).contains("laissées de côté"), "{}", text(&out));
    let (safe_headers, safe_rows) = read(&safe);
    assert!(safe_headers.len() < headers.len());
    assert!(
        !safe_headers.iter().any(|h| h == "deviceid"),
        "device ids are personal"
    );
    assert!(
        safe_rows[0].iter().any(|c| c == "#meta+id"),
        "the HXL row is under the headers"
    );
}

/// Kobo's and ODK's CSV exports end their lines with CRLF, and free text holds newlines: the
/// import, the checks and the clean data must all see every submission.
#[test]
fn a_crlf_export_with_quoted_newlines_loses_no_submission() {
    let Some(raw) = shared("reach-iraq-cleaningtools/cleaningtools_raw_data.csv") else {
        return;
    };
    let dir = diagnostic_with_form();
    let d = dir.path().to_str().unwrap();
    // The real export rewritten as Kobo writes CSV: CRLF line ends, and 31 "other" answers
    // typed over two lines.
    let (headers, mut rows) = read(&raw);
    let other = headers
        .iter()
        .position(|h| h == "primary_livelihood_other")
        .unwrap();
    for row in rows.iter_mut().step_by(20).take(31) {
        row[other] = "commerce\r\nde bétail".into();
    }
    let crlf = dir.path().join("export_windows.csv");
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_path(&crlf)
        .unwrap();
    writer.write_record(&headers).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);
    let bytes = std::fs::read(&crlf).unwrap();
    assert!(bytes.windows(2).filter(|w| w == b"\r\n").count() > 632 + 31);

    import_all(d, &crlf);
    let out = run(&["clean", "check", "--instrument", "Iraq WASH", "--dir", d]);
    assert!(
        text(&out).contains("632 soumissions vérifiées"),
        "{}",
        text(&out)
    );
    let clean = dir.path().join("propre.csv");
    let out = clean_apply(d, &["--out", clean.to_str().unwrap(), "--with-personal"]);
    assert!(text(&out).contains(": 632 soumissions"), "{}", text(&out));
    let (clean_headers, clean_rows) = read(&clean);
    assert_eq!(clean_rows.len(), 632);
    let column = clean_headers
        .iter()
        .position(|h| h == "primary_livelihood_other")
        .unwrap();
    assert_eq!(
        clean_rows
            .iter()
            .filter(|r| r[column] == "commerce\r\nde bétail")
            .count(),
        31,
        "the answers keep their newline"
    );
}

/// A respondent asks that their personal data be erased (IOM's data protection principles):
/// their personal answers leave the raw files (each replaced by a redacted copy, the original
/// bytes deleted), the cleaning log and the clean data; their other answers still count; a new
/// export from Kobo that still holds them is kept redacted at once.
#[test]
fn an_erased_respondent_leaves_the_raw_files_and_stays_erased_when_imported_again() {
    let Some(raw) = shared("reach-iraq-cleaningtools/cleaningtools_raw_data.csv") else {
        return;
    };
    let dir = diagnostic_with_form();
    let d = dir.path().to_str().unwrap();
    // The real export, the respondent of row 10 with a device id of their own and a phone
    // number typed in an "other" answer.
    let (headers, mut rows) = read(&raw);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (uuid_col, device, other) = (
        col("X_uuid"),
        col("deviceid"),
        col("shelter_occupation_other"),
    );
    let uuid = rows[10][uuid_col].clone();
    rows[10][device] = "imei:35-ERASE-ME-4891".into();
    rows[10][other] = "chez son oncle, appeler le +964 770 123 4567".into();
    let write = |path: &Path, rows: &[Vec<String>]| {
        let mut writer = csv::Writer::from_path(path).unwrap();
        writer.write_record(&headers).unwrap();
        for row in rows {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
    };
    let export = dir.path().join("export.csv");
    write(&export, &rows);
    import_all(d, &export);
    let holds_them = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        text.contains("ERASE-ME") || text.contains("770 123 4567")
    };
    assert!(holds_them(&std::fs::read(&export).unwrap()));

    let out = run(&["erase", "respondent", &format!("uuid:{uuid}"), "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 fichier(s) brut(s)"),
        "{}",
        text(&out)
    );
    let unknown = run(&["erase", "respondent", "pas-une-soumission", "--dir", d]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("aucune soumission « pas-une-soumission »"),
        "{}",
        text(&unknown)
    );

    // The clean data still has all 632 submissions, the respondent's personal answers empty.
    let clean = dir.path().join("propre.csv");
    let out = clean_apply(d, &["--out", clean.to_str().unwrap(), "--with-personal"]);
    assert!(text(&out).contains(": 632 soumissions"), "{}", text(&out));
    assert!(!holds_them(&std::fs::read(&clean).unwrap()));
    let (clean_headers, clean_rows) = read(&clean);
    let uuid_at = clean_headers.iter().position(|h| h == "X_uuid").unwrap();
    let theirs = clean_rows.iter().find(|r| r[uuid_at] == uuid).unwrap();
    let at = |name: &str| clean_headers.iter().position(|h| h == name).unwrap();
    assert_eq!(theirs[at("deviceid")], "");
    assert_eq!(theirs[at("shelter_occupation_other")], "");
    assert_eq!(theirs[at("num_hh_member")], rows[10][col("num_hh_member")]);

    // The same export imported again changes nothing; a later export that still holds them
    // is kept redacted from the start.
    let again = import_data(d, &export);
    assert!(
        text(&again).contains("déjà été importé"),
        "{}",
        text(&again)
    );
    rows[0][other] = "un autre changement".into();
    let later = dir.path().join("export-2.csv");
    write(&later, &rows);
    let out = import_data(d, &later);
    assert!(
        text(&out).contains("0 nouvelles soumissions"),
        "{}",
        text(&out)
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let diagnostic = store.main_diagnostic().await.unwrap();
        let imports = store.raw_imports(diagnostic.id).await.unwrap();
        let data: Vec<_> = imports
            .iter()
            .filter(|i| i.kind == sigida_core::instrument::ImportKind::SurveyData)
            .collect();
        assert_eq!(data.len(), 2);
        for import in data {
            // The bytes that arrived are gone; what is read is the redacted copy.
            assert!(store.raw_bytes(&import.sha256).await.is_err());
            match store.raw_content(import.id).await.unwrap() {
                sigida_store::RawContent::Redacted(bytes) => {
                    assert!(!holds_them(&bytes), "{}", import.file_name);
                    assert!(String::from_utf8_lossy(&bytes).contains(&uuid));
                }
                sigida_store::RawContent::Original(_) => {
                    panic!("{} not redacted", import.file_name)
                }
            }
        }
        let audit = store.audit_events(10).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.subject == format!("respondent:{uuid}"))
        );
        assert!(store.verify_audit().await.unwrap().breaks.is_empty());
        store.close().await;
    });
}
