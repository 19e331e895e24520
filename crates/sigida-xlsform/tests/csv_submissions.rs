//! Property: the import's check, the cleaning checks and the clean data count the same
//! submissions of a CSV export, under the same row numbers, whatever its line ends, quoting,
//! embedded newlines, byte-order mark or separator.

#[path = "../../sigida-formats/tests/support/random_csv.rs"]
mod random_csv;

use proptest::prelude::*;
use sigida_formats::table::{Table, read_tables_from_bytes};
use sigida_xlsform::Form;
use sigida_xlsform::cleaning::apply_log;
use sigida_xlsform::import::check_export;
use sigida_xlsform::read::read_sheets;

/// A form whose text questions are the file's columns after `_uuid`.
fn form_for(headers: &[String]) -> Form {
    let mut survey = vec![vec![
        "type".to_owned(),
        "name".to_owned(),
        "label".to_owned(),
    ]];
    survey.push(vec!["note".into(), "intro".into(), "Bonjour".into()]);
    for h in &headers[1..] {
        survey.push(vec!["text".into(), h.clone(), h.clone()]);
    }
    read_sheets("f.xlsx", &[Table::sheet("f.xlsx", "survey", &survey)]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn import_checks_and_clean_data_count_the_same_submissions(
        file in random_csv::files("_uuid", |i| format!("uuid:s{i}"))
    ) {
        let form = form_for(&file.headers);
        let shown = || {
            format!(
                "({:?}, {:?}): {:?}",
                file.terminator,
                file.separator as char,
                String::from_utf8_lossy(&file.bytes)
            )
        };
        let check = check_export(&form, "export.csv".as_ref(), &file.bytes, 20_000.0)
            .unwrap_or_else(|e| panic!("{}: {e}", shown()));
        let imported: Vec<(usize, String)> = check
            .main
            .submissions
            .iter()
            .map(|(row, uuid, _)| (*row, uuid.clone()))
            .collect();
        let expected: Vec<(usize, String)> = file
            .rows
            .iter()
            .map(|(row, cells)| (*row, cells[0].trim_start_matches("uuid:").to_owned()))
            .collect();
        assert_eq!(imported, expected, "{}", shown());
        let raw = read_tables_from_bytes("export.csv", &file.bytes)
            .unwrap()
            .remove(0);
        let (clean, applied) = apply_log(&form, &raw, &[]);
        let clean_rows: Vec<usize> = clean.rows.iter().map(|(row, _)| *row).collect();
        let imported_rows: Vec<usize> = imported.iter().map(|(row, _)| *row).collect();
        assert_eq!(clean_rows, imported_rows, "{}", shown());
        assert!(applied.unmatched.is_empty());
    }
}
