//! Any bytes as a file a user uploads, under each name Sigida reads (CSV, XLSX, ZIP of CSVs):
//! the reader answers tables or a located error, bounded, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The workbook reader (another crate) panics on some crafted cell references; Sigida
        // catches that panic and refuses the file (`table::read_workbook`). The harness's own
        // hook would abort on the caught panic: only a panic that escapes is a crash here.
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| {
    let name = match data.first().map(|b| b % 3) {
        Some(0) => "export.csv",
        Some(1) => "export.xlsx",
        _ => "export.zip",
    };
    let _ = sigida_formats::table::read_tables_from_bytes(name, data.get(1..).unwrap_or_default());
    }
);
