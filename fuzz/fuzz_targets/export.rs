//! Any bytes as an export of the kit's household survey: checked against the form, every value
//! problem located, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn form() -> &'static sigida_xlsform::form::Form {
    static FORM: OnceLock<sigida_xlsform::form::Form> = OnceLock::new();
    FORM.get_or_init(|| {
        sigida_xlsform::read::read_form_bytes(
            "enquete-menage.xlsx",
            include_bytes!("../../kit/enquete-menage.xlsx"),
        )
        .expect("the kit's form reads")
    })
}

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
    let _ = sigida_xlsform::import::check_export(
        form(),
        std::path::Path::new(name),
        data.get(1..).unwrap_or_default(),
        20_000.0,
    );
    }
);
