//! Files an attacker crafts, kept from fuzzing (`scripts/fuzz.sh`): each is refused with a
//! located error, never a panic that takes a request or a command down.

use sigida_formats::table::read_tables_from_bytes;

#[test]
fn a_workbook_whose_cell_reference_overflows_is_refused_not_a_panic() {
    // A cell reference with a column past any workbook's made the workbook reader overflow.
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/fuzz-xlsx-column-overflow.xlsx"
    ))
    .unwrap();
    let refused = read_tables_from_bytes("formulaire.xlsx", &bytes).unwrap_err();
    assert_eq!(refused.at.file, "formulaire.xlsx");
    assert_eq!(refused.what.code, "file.workbook");
}
