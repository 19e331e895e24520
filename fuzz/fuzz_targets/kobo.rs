//! Any bytes as what a Kobo server answers (an asset's form, its submissions): a form's sheets
//! and a data table, or a located error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = sigida_xlsform::kobo::parse("kobo.json", data) else {
        return;
    };
    let _ = sigida_xlsform::kobo::form_sheets("asset.json", &value);
    let _ = sigida_xlsform::kobo::data_table("data.json", &value);
});
