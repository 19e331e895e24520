//! REACH's own cleaning example (`../shared/data/reach-iraq-cleaningtools`): its raw data and
//! its cleaning log give its clean data — 578 of 632 submissions, every cell equal once
//! numbers are compared as numbers (the files went through R), the two columns the clean file
//! adds aside.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sigida_formats::table::{Table, read_tables};
use sigida_xlsform::cleaning::{apply_log, read_log, same_value};
use sigida_xlsform::read::read_sheets;

fn table(path: &Path, sheet: &str) -> Table {
    let mut t = read_tables(path).unwrap().remove(0);
    t.sheet = Some(sheet.into());
    t
}

#[test]
fn raw_data_and_its_cleaning_log_give_the_clean_data() {
    let Some(survey) = shared("cleaningtools_survey.csv") else {
        return;
    };
    let form = read_sheets(
        "cleaningtools",
        &[
            table(&survey, "survey"),
            table(&shared("cleaningtools_choices.csv").unwrap(), "choices"),
        ],
    )
    .unwrap();
    let raw = table(&shared("cleaningtools_raw_data.csv").unwrap(), "data");
    let log = read_log(&table(
        &shared("cleaningtools_cleaning_log.csv").unwrap(),
        "log",
    ))
    .unwrap();
    assert_eq!(log.len(), 726);
    let expected = table(&shared("cleaningtools_clean_data.csv").unwrap(), "clean");

    let (clean, applied) = apply_log(&form, &raw, &log);
    assert_eq!(raw.rows.len(), 632);
    assert_eq!(clean.rows.len(), 578);
    assert_eq!(applied.removed, 54);
    assert!(applied.unmatched.is_empty(), "{:?}", applied.unmatched);

    let uuid_of = |t: &Table| t.headers.iter().position(|h| h == "X_uuid").unwrap();
    let expected_rows: HashMap<&str, &Vec<String>> = expected
        .rows
        .iter()
        .map(|(_, cells)| (cells[uuid_of(&expected)].as_str(), cells))
        .collect();
    let mut compared = 0;
    let mut differences = Vec::new();
    for (_, cells) in &clean.rows {
        let uuid = cells[uuid_of(&clean)].as_str();
        let want = expected_rows
            .get(uuid)
            .unwrap_or_else(|| panic!("{uuid} should have been removed"));
        for (c, header) in clean.headers.iter().enumerate() {
            let e = expected.headers.iter().position(|h| h == header).unwrap();
            compared += 1;
            if !same_value(&cells[c], &want[e]) {
                differences.push(format!("{uuid} {header}: {:?} ≠ {:?}", cells[c], want[e]));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} cells differ:\n{}",
        differences.len(),
        differences[..differences.len().min(20)].join("\n")
    );
    assert_eq!(compared, 578 * 348);
    let added: Vec<&String> = expected
        .headers
        .iter()
        .filter(|h| !clean.headers.contains(h))
        .collect();
    assert_eq!(added, ["socio_eco_division", "water_sector"]);
}

/// A file of REACH's cleaningtools examples in `../shared/data`.
fn shared(file: &str) -> Option<PathBuf> {
    sigida_testkit::shared(&format!("reach-iraq-cleaningtools/{file}"))
}
