//! The real HXL files in `../shared/data`: libhxl's test inputs and IOM DTM's export.

use sigida_testkit::shared;

use sigida_formats::hxl::find_hashtags;
use sigida_formats::table::{read_csv_records, read_tables};

/// All rows of a file with their numbers: CSV records as they come (rows before the hashtags
/// may be narrower), a workbook's first sheet.
fn records(path: &std::path::Path) -> Vec<(usize, Vec<String>)> {
    let name = path.display().to_string();
    if name.ends_with(".xlsx") {
        read_tables(path).unwrap()[0].records()
    } else {
        read_csv_records(&name, &std::fs::read(path).unwrap()).unwrap()
    }
}

#[test]
fn the_hashtag_row_is_found_under_two_header_rows_in_csv_tsv_and_xlsx() {
    for file in [
        "input-valid.csv",
        "input-valid.tsv",
        "input-valid.xlsx",
        "input-valid.ssv",
    ] {
        let Some(path) = shared(&format!("hxl/files/test_io/{file}")) else {
            return;
        };
        let tagged =
            find_hashtags(&records(&path)).unwrap_or_else(|| panic!("{file}: no hashtags"));
        assert_eq!(tagged.hashtag_row, 3, "{file}");
        let org = tagged.column("#org").unwrap();
        // libhxl's file tags its « Hombres » column #targeted+f: the tag, not the header, says.
        let tagged_f = tagged.column("#targeted+f").unwrap();
        let orgs: Vec<&str> = tagged.rows.iter().map(|(_, r)| r[org].as_str()).collect();
        assert_eq!(orgs, ["ACNUR", "OMS", "UNICEF", "OMS"], "{file}");
        assert_eq!(tagged.rows[2].1[tagged_f], "250", "{file}");
        assert_eq!(
            tagged.headers.as_ref().unwrap()[tagged_f],
            "Hombres",
            "{file}"
        );
    }
}

#[test]
fn an_untagged_file_has_no_hashtag_row() {
    let Some(path) = shared("hxl/files/test_io/input-untagged.csv") else {
        return;
    };
    assert!(find_hashtags(&records(&path)).is_none());
}

#[test]
fn dtm_export_is_read_through_its_tags() {
    let Some(path) = shared("dtm/global-iom-dtm-from-api-admin-0-to-2.csv") else {
        return;
    };
    let tagged = find_hashtags(&records(&path)).unwrap();
    assert_eq!(tagged.hashtag_row, 2);
    let idps = tagged.column("#affected+idps-m-f").unwrap();
    let men = tagged.column("#affected+idps+m").unwrap();
    assert_ne!(idps, men, "the total is not the men's column");
    assert_eq!(tagged.headers.as_ref().unwrap()[idps], "numPresentIdpInd");
    assert_eq!(tagged.rows[0].1[idps], "179956");
    assert_eq!(tagged.column("#adm1+name-origin"), Some(4));
}
