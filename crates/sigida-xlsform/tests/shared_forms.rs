//! Every form in `../shared/data` that pyxform (the reference converter) accepts is read,
//! with the same number of questions and choices as pyxform reads; the forms pyxform refuses
//! for a real fault give an error naming the sheet and the row or column.
//! Reference counts: `scripts/reference/pyxform_counts.py` (pyxform 4.5.0).

use std::path::PathBuf;

use serde_json::Value;
use sigida_xlsform::read_form;

fn reference() -> Value {
    let text = include_str!("reference/pyxform-counts.json");
    serde_json::from_str(text).unwrap()
}

#[test]
fn every_form_pyxform_accepts_reads_with_the_same_counts() {
    let Some(root) = shared() else { return };
    let reference = reference();
    let files = reference["files"].as_object().unwrap();
    let mut mismatches = Vec::new();
    let mut read = 0;
    for (relative, expected) in files {
        if !expected["accepted"].as_bool().unwrap() {
            continue;
        }
        let path = root.join(relative);
        match read_form(&path) {
            Err(e) => mismatches.push(format!("{relative}: refused: {e}")),
            Ok(form) => {
                read += 1;
                // pyxform adds display-only fields to table-list groups (a label note when the
                // group has a label or hint, a reserved select); they hold no answer, and
                // Sigida does not make them up.
                let table_list_artefacts: u64 = form
                    .groups
                    .iter()
                    .filter(|g| {
                        g.appearance
                            .as_deref()
                            .is_some_and(|a| a.split_whitespace().any(|w| w == "table-list"))
                    })
                    .map(|g| 1 + u64::from(!g.label.is_empty() || !g.hint.is_empty()))
                    .sum();
                let questions = form.questions.len() as u64 + table_list_artefacts;
                // pyxform counts the `choices` sheet only; external_choices lists are apart.
                let choices: u64 = form
                    .choice_lists
                    .iter()
                    .filter(|l| l.sheet.eq_ignore_ascii_case("choices"))
                    .map(|l| l.choices.len() as u64)
                    .sum();
                let (want_q, want_c) = (
                    expected["questions"].as_u64().unwrap(),
                    expected["choices"].as_u64().unwrap(),
                );
                if (questions, choices) != (want_q, want_c) {
                    mismatches.push(format!(
                        "{relative}: questions {questions} (pyxform {want_q}), choices {choices} (pyxform {want_c})"
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} forms differ from pyxform:\n{}",
        mismatches.len(),
        read + mismatches.len(),
        mismatches.join("\n")
    );
    assert!(read >= 100, "only {read} forms read");
}

#[test]
fn the_forms_pyxform_refuses_give_located_errors() {
    let Some(root) = shared() else { return };
    let cases = [
        (
            "pyxform/bug_example_xls/calculate_without_calculation.xls",
            "ligne 34",
            "calculation",
        ),
        (
            "pyxform/bug_example_xls/duplicate_columns.xlsx",
            "ligne 1",
            "en-tête en double",
        ),
        (
            "pyxform/bug_example_xls/group_name_test.xls",
            "ligne 3",
            "sans nom",
        ),
    ];
    for (file, row, what) in cases {
        let err = read_form(&root.join(file)).expect_err(file);
        let text = err.to_string();
        assert!(text.contains("feuille « survey »"), "{file}: {text}");
        assert!(text.contains(row) && text.contains(what), "{file}: {text}");
    }
}

/// `../shared/data`.
fn shared() -> Option<PathBuf> {
    sigida_testkit::shared("")
}
