//! Any bytes as an XLSForm (XLSX or CSV sheets): a form or the list of its problems.
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
    let name = if data.first().is_some_and(|b| b % 2 == 0) {
        "form.xlsx"
    } else {
        "form.csv"
    };
    let _ = sigida_xlsform::read::read_form_bytes(name, data.get(1..).unwrap_or_default());
    }
);
