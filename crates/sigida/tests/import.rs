//! `sigida import form` and `sigida import data` on the real exports of `../shared/data`:
//! checked, all or nothing, idempotent, and a newer export adds only new submissions.

use std::path::Path;
use std::process::Output;

mod support;
use support::{run, shared, text};

struct Diagnostic {
    dir: tempfile::TempDir,
}

impl Diagnostic {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            run(&["init", dir.path().to_str().unwrap()])
                .status
                .success()
        );
        Self { dir }
    }

    fn sigida(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--dir", self.dir.path().to_str().unwrap()]);
        run(&all)
    }

    fn import_form(&self, form: &Path, instrument: &str) {
        let out = self.sigida(&[
            "import",
            "form",
            form.to_str().unwrap(),
            "--instrument",
            instrument,
        ]);
        assert!(out.status.success(), "{}", text(&out));
    }

    fn import_data(&self, data: &Path, instrument: &str, accept: bool) -> Output {
        let mut args = vec![
            "import",
            "data",
            data.to_str().unwrap(),
            "--instrument",
            instrument,
        ];
        if accept {
            args.push("--accept-warnings");
        }
        self.sigida(&args)
    }
}

#[test]
fn a_workbook_with_repeats_is_refused_with_its_problems_then_imported_once() {
    let (Some(form), Some(data), Some(csv)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-msna-2024/dummy_raw_data.xlsx"),
        shared("reach-msna-2024/csv_export/dummy_raw_data__main.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");
    let again = d.sigida(&[
        "import",
        "form",
        form.to_str().unwrap(),
        "--instrument",
        "MSNA",
    ]);
    assert!(text(&again).contains("rien ne change"), "{}", text(&again));

    let refused = d.import_data(&data, "MSNA", false);
    assert_eq!(refused.status.code(), Some(3));
    let report = text(&refused);
    assert!(
        report.contains("feuille « roster » : 965 lignes, 29 questions reconnues sur 29"),
        "{report}"
    );
    assert!(
        report.contains("ex. ligne 276 « 120 » : contrainte non respectée"),
        "{report}"
    );
    assert!(report.contains("rien n'a été importé"), "{report}");

    let imported = d.import_data(&data, "MSNA", true);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("241 nouvelles soumissions (0 déjà connues)"),
        "nothing from the refusal was stored: {}",
        text(&imported)
    );
    let same = d.import_data(&data, "MSNA", true);
    assert!(text(&same).contains("déjà été importé"), "{}", text(&same));
    // The same submissions in another file (the CSV export) add nothing.
    let csv_import = d.import_data(&csv, "MSNA", true);
    assert!(
        text(&csv_import).contains("0 nouvelles soumissions (241 déjà connues)"),
        "{}",
        text(&csv_import)
    );
}

#[test]
fn a_newer_export_adds_only_its_new_submissions() {
    let (Some(form), Some(data)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-msna-2024/csv_export/dummy_raw_data__main.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");
    let full = std::fs::read_to_string(&data).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    let early = d.dir.path().join("export-janvier.csv");
    std::fs::write(&early, lines[..101].join("\n")).unwrap();
    let first = d.import_data(&early, "MSNA", true);
    assert!(
        text(&first).contains("100 nouvelles soumissions"),
        "{}",
        text(&first)
    );
    let second = d.import_data(&data, "MSNA", true);
    assert!(
        text(&second).contains("141 nouvelles soumissions (100 déjà connues)"),
        "{}",
        text(&second)
    );
}

#[test]
fn a_clean_kobocat_export_with_flattened_repeats_imports_without_warnings() {
    let (Some(form), Some(data)) = (
        shared("kobocat/apps/main/tests/fixtures/csv_export/tutorial_w_repeats.xls"),
        shared("kobocat/apps/main/tests/fixtures/csv_export/tutorial_w_repeats.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "Tutorial");
    let out = d.import_data(&data, "Tutorial", false);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("6 questions reconnues sur 6, 0 problèmes"),
        "{}",
        text(&out)
    );
}

#[test]
fn wrong_files_are_refused_clearly_and_leave_nothing() {
    let (Some(form), Some(other), Some(workbook)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-iraq-cleaningtools/cleaningtools_raw_data.csv"),
        shared("reach-msna-2024/dummy_raw_data.xlsx"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");

    let out = d.import_data(&other, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("ne correspond pas au formulaire"),
        "{}",
        text(&out)
    );

    let truncated = d.dir.path().join("tronque.xlsx");
    let bytes = std::fs::read(&workbook).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = d.import_data(&truncated, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("tronque.xlsx") && text(&out).contains("classeur illisible"),
        "{}",
        text(&out)
    );

    let latin1 = d.dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"_uuid;resp_gender\n1;f\xe9minin\n").unwrap();
    let out = d.import_data(&latin1, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("latin1.csv, ligne 2") && text(&out).contains("UTF-8"),
        "{}",
        text(&out)
    );

    let unknown = d.import_data(&workbook, "Nope", true);
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        text(&unknown).contains("sigida import form"),
        "{}",
        text(&unknown)
    );

    // Nothing of the refused files was kept: the real export still brings all its submissions.
    let out = d.import_data(&workbook, "MSNA", true);
    assert!(
        text(&out).contains("241 nouvelles soumissions"),
        "{}",
        text(&out)
    );
}
