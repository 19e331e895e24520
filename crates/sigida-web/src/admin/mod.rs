//! Administration: the audit log and the accounts.

pub mod settings;
pub mod users;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;
use axum::extract::State;
use maud::{Markup, html};

const AUDIT_PAGE: i64 = 200;

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    page: Option<i64>,
}

/// The whole audit log, newest first, page by page.
pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(query): axum::extract::Query<AuditQuery>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let total = state.store.audit_count().await?;
    let pages = ((total + AUDIT_PAGE - 1) / AUDIT_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let events = state
        .store
        .audit_page((page - 1) * AUDIT_PAGE, AUDIT_PAGE)
        .await?;
    let pager = html! {
        nav.pager aria-label=(tr.t("audit.pages")) {
            @if page > 1 { a href={"/audit?page=" (page - 1)} { (tr.t("audit.newer")) } " · " }
            (tr.t("audit.page").replace("{n}", &page.to_string()).replace("{total}", &pages.to_string()))
            @if page < pages { " · " a href={"/audit?page=" (page + 1)} { (tr.t("audit.older")) } }
        }
    };
    let body = html! {
        h1 { (tr.t("audit.title")) }
        (pager)
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("audit.at")) }
                th scope="col" { (tr.t("audit.actor")) }
                th scope="col" { (tr.t("audit.action")) }
                th scope="col" { (tr.t("audit.subject")) }
                th scope="col" class="hide-narrow" { (tr.t("audit.detail")) }
            } }
            tbody { @for e in &events { tr {
                td { (e.at.to_rfc3339()[..19].replace('T', " ")) }
                td { (e.actor.as_deref().unwrap_or("—")) }
                td { (tr.t(e.action.label_key())) }
                td { code { (e.subject) } }
                td class="hide-narrow" { (e.detail) }
            } } }
        } }
        (pager)
    };
    Ok(layout::page(
        &viewer,
        "/audit",
        tr.t("audit.title"),
        diagnostic.synthetic,
        body,
    ))
}

pub fn routes() -> Vec<crate::http::routes::Entry> {
    use crate::http::routes::{Access::Needs, Loads, get, post};
    use sigida_core::access::Permission::{EditSettings, ManageUsers, ViewAudit, ViewDiagnostic};
    vec![
        get("/audit", Needs(ViewAudit), Loads::Nothing, audit),
        get("/users", Needs(ManageUsers), Loads::Nothing, users::users),
        post("/users", Needs(ManageUsers), Loads::Nothing, users::create),
        post(
            "/users/{username}",
            Needs(ManageUsers),
            Loads::Nothing,
            users::change,
        ),
        post(
            "/users/{username}/password",
            Needs(ManageUsers),
            Loads::Nothing,
            users::password,
        ),
        get(
            "/settings",
            Needs(ViewDiagnostic),
            Loads::Nothing,
            settings::settings,
        ),
        post(
            "/settings",
            Needs(EditSettings),
            Loads::Nothing,
            settings::save,
        ),
    ]
}
