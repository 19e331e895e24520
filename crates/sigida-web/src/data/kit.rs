//! The instrument kit: its XLSForms listed with what each is for, each a download.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use sigida_app::diagnostic::kit::{KIT, kit_form};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;

pub async fn kit(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let body = html! {
        p.note { a href="/imports" { "← " (tr.t("imports.title")) } }
        h1 { (tr.t("kit.title")) }
        p.lead { (tr.t("kit.lead")) }
        div.table-wrap { table.stack {
            tbody { @for form in &KIT { tr {
                th scope="row" { (tr.t(form.about)) }
                td { (tr.t(form.kind.label_key())) }
                td { a href={"/kit/" (form.file)} { (tr.t("kit.download")) " " code { (form.file) } } }
            } } }
        } }
        p.note { (tr.t("kit.next")) }
    };
    Ok(layout::page(
        &viewer,
        "/imports",
        tr.t("kit.title"),
        diagnostic.synthetic,
        body,
    )
    .into_response())
}

pub async fn download(viewer: Viewer, Path(file): Path<String>) -> Result<Response, WebError> {
    let form = kit_form(&file).ok_or_else(|| viewer.not_found())?;
    Ok(crate::http::download::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        form.file,
        form.bytes.to_vec(),
    ))
}
