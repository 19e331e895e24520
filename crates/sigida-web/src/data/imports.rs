//! The list of imports.

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;
use axum::extract::State;
use maud::{Markup, html};
use sigida_report::format;

pub async fn imports(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let imports = state.store.raw_imports(diagnostic.id).await?;
    let instruments = state.store.instruments(diagnostic.id).await?;
    let forms = super::uploads::forms(&state, &viewer).await?;
    let body = html! {
        h1 { (tr.t("imports.title")) }
        (forms)
        h2 { (tr.t("imports.instruments")) }
        @if instruments.is_empty() { p.note { (tr.t("community.none")) } }
        ul { @for i in &instruments { li { (i.name) " — " (tr.t(i.kind.label_key())) } } }
        h2 { (tr.t("overview.imports")) }
        @if imports.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("imports.file")) }
                    th scope="col" { (tr.t("imports.kind")) }
                    th scope="col" class="num" { (tr.t("imports.records")) }
                    th scope="col" class="num hide-narrow" { (tr.t("imports.size")) }
                    th scope="col" class="hide-narrow" { (tr.t("imports.sha256")) }
                    th scope="col" { (tr.t("imports.at")) }
                    th scope="col" { (tr.t("imports.problems")) }
                } }
                tbody { @for i in &imports { tr {
                    th scope="row" { (i.file_name) }
                    td { (tr.t(i.kind.label_key())) }
                    td.num { (format::integer(tr, i.record_count)) }
                    td class="num hide-narrow" { (format::integer(tr, i.byte_size)) }
                    td class="hide-narrow" { code { (&i.sha256[..12]) "…" } }
                    td { (format::date(tr, i.imported_at.date())) }
                    td { @if i.problem_count > 0 { a href={"/imports/" (i.id)} { (format::integer(tr, i.problem_count)) " " (tr.t("imports.problems").to_lowercase()) } } }
                } } }
            } }
        }
    };
    Ok(layout::page(
        &viewer,
        "/imports",
        tr.t("imports.title"),
        diagnostic.synthetic,
        body,
    ))
}
