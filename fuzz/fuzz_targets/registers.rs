//! Any CSV as the sheets people fill by hand: P-codes (COD-AB), flow counts, coded notes,
//! follow-up measurements, a cleaning log. Each answers its rows or located problems.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigida_core::Id;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = sigida_formats::table::read_csv("registre.csv", data) else {
        return;
    };
    let tables = std::slice::from_ref(&table);
    let _ = sigida_formats::cod::read_cod(tables, None, None);
    let _ = sigida_formats::flows::read_flow_counts(
        "registre.csv",
        None,
        &table.rows,
        Id::from_seed(1),
        None,
    );
    let _ = sigida_formats::qualitative::read_coded_notes(
        tables,
        Id::from_seed(2),
        Id::from_seed(3),
        &[],
        &[],
    );
    let _ = sigida_formats::progress::measurement_rows(&table);
    let _ = sigida_xlsform::cleaning::read_log(&table);
});
