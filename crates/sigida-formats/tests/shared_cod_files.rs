//! The real COD-AB files in `../shared/data`.

use sigida_testkit::shared;

use sigida_formats::cod::read_cod;
use sigida_formats::table::read_tables;

#[test]
fn mali_v03_has_20_regions_and_160_cercles_under_the_country() {
    let Some(path) = shared("mali-cod/hdx_python_country_fixture_MLI_adm1_adm2_v03.csv") else {
        return;
    };
    let list = read_cod(&read_tables(&path).unwrap(), None, None).unwrap();
    let count = |level| list.units.iter().filter(|u| u.level == level).count();
    assert_eq!((count(0), count(1), count(2)), (1, 20, 160));
    let gao = list.units.iter().find(|u| u.pcode == "ML0701").unwrap();
    assert_eq!(
        (gao.name.as_str(), gao.parent_pcode.as_deref()),
        ("Gao", Some("ML07"))
    );
    assert_eq!(gao.cod_version, "v03");
    assert_eq!(gao.valid_from.as_deref(), Some("2025-09-04"));
    sigida_core::geography::check_hierarchy(&list.units, &[]).unwrap();
}

#[test]
fn central_african_republic_workbook_reads_levels_0_to_4() {
    let Some(path) = shared("cod-ab-caf/caf_cod_ab.xlsx") else {
        return;
    };
    let list = read_cod(&read_tables(&path).unwrap(), None, None).unwrap();
    let levels: std::collections::BTreeSet<u8> = list.units.iter().map(|u| u.level).collect();
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    let country = list.units.iter().find(|u| u.level == 0).unwrap();
    assert_eq!(country.name, "République centrafricaine");
    assert!(list.units.iter().all(|u| u.cod_version == "201506"));
    // The official file has one admin-4 row without a P-code: it is reported, not imported.
    assert!(!list.skipped.is_empty());
    assert!(
        list.skipped
            .iter()
            .all(|s| s.at.sheet.is_some() && s.at.row.is_some())
    );
    sigida_core::geography::check_hierarchy(&list.units, &[]).unwrap();
}
