//! The diagnostic workbook from the browser: the empty template, the registers as they stand
//! (contacts only for the roles that may see them, audited), and a filled workbook imported
//! all or nothing, every problem named by sheet, row, column and value.

use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use sigida_app::AppError;
use sigida_app::common::files::Upload;
use sigida_app::workbook::{export, import, template};
use sigida_core::access::Permission;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::heavy;
use crate::http::layout;
use crate::http::upload::Sent;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub async fn template_file(viewer: Viewer) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let bytes = heavy::run("modèle de classeur", move || template(tr)).await??;
    Ok(crate::http::download::attachment(
        XLSX,
        "sigida-classeur-modele.xlsx",
        bytes,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct Asked {
    #[serde(default)]
    personal: Option<String>,
}

pub async fn export_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let with_personal = asked.personal.is_some() && viewer.may(Permission::ViewPersonalData);
    let done = export(
        &state.store,
        &diagnostic,
        with_personal,
        Some(&viewer.user.username),
    )
    .await?;
    Ok(crate::http::download::attachment(
        XLSX,
        "sigida-registres.xlsx",
        done.bytes,
    ))
}

pub async fn import_file(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = Sent::read(multipart, viewer.tr.lang).await?;
    viewer.check_csrf(sent.fields.get("csrf"))?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let (text, refused) = match sent.files("file").next() {
        None => (tr.t("upload.no_file").to_owned(), true),
        Some(file) => {
            let upload = Upload {
                name: &file.name,
                shown: &file.name,
                bytes: &file.bytes,
            };
            match import(
                &state.store,
                &diagnostic,
                upload,
                Some(&viewer.user.username),
            )
            .await
            {
                Ok(Some(done)) => (done.summary(tr), false),
                Ok(None) => (tr.t("workbook.again").to_owned(), false),
                Err(e @ (AppError::File(_) | AppError::Refused(_))) => (e.text(tr), true),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let body = html! {
        p.note { a href="/communities" { "← " (tr.t("nav.communities")) } }
        h1 { (tr.t("workbook.title")) }
        @if refused {
            div.alert role="alert" { @for line in text.lines() { p { (line) } } }
        } @else {
            p.note role="status" { (text) }
        }
        p { a href="/communities" { (tr.t("nav.communities")) } }
    };
    let page = layout::page(
        &viewer,
        "/communities",
        tr.t("workbook.title"),
        diagnostic.synthetic,
        body,
    );
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}
