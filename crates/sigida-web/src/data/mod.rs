//! The data: instruments and their questions, imports and their problems, the cleaning log
//! and its decisions, the clean data downloaded.

pub mod imports;
pub mod kit;
pub mod localities;
pub mod pages;
pub mod uploads;

use sigida_core::access::Permission::{
    EditAnalysis, EnterData, ErasePersonalData, ViewData, ViewDiagnostic,
};

use crate::http::routes::{Access::Needs, Entry, Loads, get, post};

pub fn routes() -> Vec<Entry> {
    use Loads::{Instrument, Nothing};
    vec![
        get("/imports", Needs(ViewData), Nothing, imports::imports),
        get("/kit", Needs(ViewDiagnostic), Nothing, kit::kit),
        get("/kit/{file}", Needs(ViewDiagnostic), Nothing, kit::download),
        post(
            "/imports/form",
            Needs(EnterData),
            Nothing,
            uploads::upload_form,
        ),
        post(
            "/imports/data",
            Needs(EnterData),
            Nothing,
            uploads::upload_export,
        ),
        post(
            "/imports/flows",
            Needs(EnterData),
            Nothing,
            uploads::upload_flows,
        ),
        post(
            "/imports/notes",
            Needs(EnterData),
            Nothing,
            uploads::upload_notes,
        ),
        get(
            "/imports/{id}",
            Needs(ViewData),
            Nothing,
            pages::import_problems,
        ),
        get("/instruments", Needs(ViewData), Nothing, pages::instruments),
        get(
            "/instruments/{id}",
            Needs(ViewData),
            Instrument,
            pages::instrument,
        ),
        get(
            "/instruments/{id}/localities",
            Needs(ViewData),
            Instrument,
            localities::localities,
        ),
        post(
            "/instruments/{id}/localities",
            Needs(EditAnalysis),
            Instrument,
            localities::save,
        ),
        get(
            "/instruments/{id}/cleaning",
            Needs(ViewData),
            Instrument,
            pages::cleaning_log,
        ),
        post(
            "/instruments/{id}/cleaning/{seq}",
            Needs(EditAnalysis),
            Instrument,
            pages::decide,
        ),
        get(
            "/instruments/{id}/clean.csv",
            Needs(ViewData),
            Instrument,
            pages::export_clean,
        ),
        get(
            "/instruments/{id}/clean.xlsx",
            Needs(ViewData),
            Instrument,
            pages::export_clean_xlsx,
        ),
        post(
            "/instruments/{id}/erase",
            Needs(ErasePersonalData),
            Instrument,
            pages::erase_respondent,
        ),
    ]
}
