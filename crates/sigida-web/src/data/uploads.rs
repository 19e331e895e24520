//! Files brought through the browser: an instrument's XLSForm, its export (with the repeats'
//! files), a flow monitoring sheet, coded notes. Each goes to the same use-case as
//! `sigida import …`, with the same checks and the same all-or-nothing rule; the page that
//! answers says what was kept, or every problem of a refused file (422).

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use sigida_app::AppError;
use sigida_app::common::files::Upload;
use sigida_app::common::lookup::community_by_slug;
use sigida_app::imports::instruments::{
    ExportOutcome, FormImport, bundle_export, import_export, import_form,
};
use sigida_app::imports::{flows::import_flows, notes::import_notes};
use sigida_core::access::Permission;
use sigida_core::instrument::InstrumentKind;
use sigida_report::Tr;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;
use crate::http::upload::{Sent, SentFile};

/// The answer to an upload: what the use-case said, and whether the file was refused.
struct Said {
    title: &'static str,
    text: String,
    /// The export's check, sheet by sheet.
    report: Option<String>,
    refused: bool,
}

impl Said {
    fn refused(title: &'static str, text: String) -> Self {
        Said {
            title,
            text,
            report: None,
            refused: true,
        }
    }

    fn done(title: &'static str, text: String) -> Self {
        Said {
            title,
            text,
            report: None,
            refused: false,
        }
    }
}

/// A use-case's failure as the person reads it: a refusal or a refused file is theirs to fix
/// (said on the page), anything else is the server's.
fn refusal(tr: Tr, title: &'static str, e: AppError) -> Result<Said, WebError> {
    match e {
        AppError::Refused(_) | AppError::File(_) | AppError::Form(_) | AppError::Export(_) => {
            Ok(Said::refused(title, e.text(tr)))
        }
        other => Err(other.into()),
    }
}

async fn answer(state: &AppState, viewer: &Viewer, said: Said) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let body = html! {
        p.note { a href="/imports" { "← " (tr.t("imports.title")) } }
        h1 { (tr.t(said.title)) }
        @if said.refused {
            div.alert role="alert" { @for line in said.text.lines() { p { (line) } } }
        } @else {
            p.note role="status" { (said.text) }
        }
        @if let Some(report) = &said.report { pre.report { (report) } }
        p { a href="/imports" { (tr.t("upload.another")) } }
    };
    let page = layout::page(
        viewer,
        "/imports",
        tr.t(said.title),
        diagnostic.synthetic,
        body,
    );
    Ok(if said.refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

fn upload(file: &SentFile) -> Upload<'_> {
    Upload {
        name: &file.name,
        shown: &file.name,
        bytes: &file.bytes,
    }
}

/// The one file of `field`, or the page that says none was chosen.
fn one<'a>(sent: &'a Sent, tr: Tr, title: &'static str) -> Result<&'a SentFile, Said> {
    sent.files("file")
        .next()
        .ok_or_else(|| Said::refused(title, tr.t("upload.no_file").to_owned()))
}

/// What the form sent, its CSRF token checked.
async fn received(viewer: &Viewer, multipart: Multipart) -> Result<Sent, WebError> {
    let sent = Sent::read(multipart, viewer.tr.lang).await?;
    viewer.check_csrf(sent.fields.get("csrf"))?;
    Ok(sent)
}

pub async fn upload_form(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = received(&viewer, multipart).await?;
    let tr = viewer.tr;
    let title = "upload.form_title";
    let said = match one(&sent, tr, title) {
        Err(said) => said,
        Ok(file) => {
            let name = sent.fields.get("instrument");
            let kind = sent
                .fields
                .get("kind")
                .parse::<InstrumentKind>()
                .unwrap_or(InstrumentKind::HouseholdSurvey);
            match import_form(
                &state.store,
                upload(file),
                name,
                kind,
                Some(&viewer.user.username),
            )
            .await
            {
                Ok(done @ FormImport::New(_)) => Said::done(title, done.summary(tr, name)),
                Ok(same) => Said::done(title, same.summary(tr, name)),
                Err(e) => refusal(tr, title, e)?,
            }
        }
    };
    answer(&state, &viewer, said).await
}

pub async fn upload_export(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = received(&viewer, multipart).await?;
    let tr = viewer.tr;
    let title = "upload.export_title";
    let instrument = sent.fields.get("instrument").to_owned();
    let accept = sent.fields.get("accept_warnings") == "yes";
    let files: Vec<(String, Vec<u8>)> = sent
        .files
        .into_iter()
        .filter(|f| f.field == "file")
        .map(|f| (f.name, f.bytes))
        .collect();
    let result = async {
        let (name, bytes) = bundle_export(files)?;
        import_export(
            &state.store,
            &instrument,
            &name,
            bytes,
            accept,
            Some(&viewer.user.username),
        )
        .await
    }
    .await;
    let said = match result {
        Ok(done) => Said {
            title,
            text: done.summary(tr, &instrument),
            report: Some(done.report(tr)),
            refused: matches!(done.outcome, ExportOutcome::Refused { .. }),
        },
        Err(e) => refusal(tr, title, e)?,
    };
    answer(&state, &viewer, said).await
}

pub async fn upload_flows(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = received(&viewer, multipart).await?;
    let tr = viewer.tr;
    let title = "upload.flows_title";
    let said = match one(&sent, tr, title) {
        Err(said) => said,
        Ok(file) => {
            let sheet = Some(sent.fields.get("sheet")).filter(|s| !s.is_empty());
            let result = async {
                let community =
                    community_by_slug(&state.store, sent.fields.get("community")).await?;
                import_flows(
                    &state.store,
                    upload(file),
                    &community,
                    sheet,
                    Some(&viewer.user.username),
                )
                .await
            }
            .await;
            match result {
                Ok(done) => Said::done(title, done.summary(tr, |f, tr| f.summary(tr))),
                Err(e) => refusal(tr, title, e)?,
            }
        }
    };
    answer(&state, &viewer, said).await
}

pub async fn upload_notes(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = received(&viewer, multipart).await?;
    let tr = viewer.tr;
    let title = "upload.notes_title";
    let said = match one(&sent, tr, title) {
        Err(said) => said,
        Ok(file) => {
            let result = async {
                let community =
                    community_by_slug(&state.store, sent.fields.get("community")).await?;
                import_notes(
                    &state.store,
                    upload(file),
                    &community,
                    Some(&viewer.user.username),
                )
                .await
            }
            .await;
            match result {
                Ok(done) => Said::done(title, done.summary(tr, |n, tr| n.summary(tr))),
                Err(e) => refusal(tr, title, e)?,
            }
        }
    };
    answer(&state, &viewer, said).await
}

/// The upload forms of the imports page, for the roles that import.
pub async fn forms(state: &AppState, viewer: &Viewer) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    if !viewer.may(Permission::EnterData) {
        return Ok(html! {});
    }
    let diagnostic = state.store.main_diagnostic().await?;
    let instruments = state.store.instruments(diagnostic.id).await?;
    let communities = state.store.communities(diagnostic.id).await?;
    let csrf = html! { input type="hidden" name="csrf" value=(viewer.csrf); };
    let file = |multiple: bool| {
        html! {
            label { (tr.t("upload.file"))
                input type="file" name="file" required multiple[multiple]; }
        }
    };
    let community_choice = html! {
        label { (tr.t("upload.community"))
            select name="community" required {
                @for c in &communities { option value=(c.slug) { (c.name) } }
            }
        }
        @if communities.is_empty() {
            p.alert { (tr.t("upload.no_community")) " " a href="/communities" { (tr.t("nav.communities")) } }
        }
    };
    Ok(html! {
        h2 { (tr.t("upload.title")) }
        p.note { (tr.t("upload.rule")) " " a href="/kit" { (tr.t("kit.title")) } }
        details {
            summary { (tr.t("upload.form_title")) }
            form.stack method="post" action="/imports/form" enctype="multipart/form-data" {
                (csrf)
                label { (tr.t("upload.instrument")) input name="instrument" required list="instrument-names"; }
                datalist id="instrument-names" { @for i in &instruments { option value=(i.name) {} } }
                label { (tr.t("upload.kind"))
                    select name="kind" { @for k in InstrumentKind::ALL { option value=(k.code()) { (tr.t(k.label_key())) } } } }
                (file(false))
                button.primary type="submit" { (tr.t("upload.send")) }
            }
        }
        details {
            summary { (tr.t("upload.export_title")) }
            form.stack method="post" action="/imports/data" enctype="multipart/form-data" {
                (csrf)
                label { (tr.t("upload.instrument"))
                    select name="instrument" required { @for i in &instruments { option value=(i.name) { (i.name) } } } }
                @if instruments.is_empty() { p.alert { (tr.t("upload.no_instrument")) } }
                (file(true))
                p.note { (tr.t("upload.repeats_hint")) }
                label.choice { input type="checkbox" name="accept_warnings" value="yes"; (tr.t("upload.accept_warnings")) }
                button.primary type="submit" { (tr.t("upload.send")) }
            }
        }
        details {
            summary { (tr.t("upload.flows_title")) }
            form.stack method="post" action="/imports/flows" enctype="multipart/form-data" {
                (csrf)
                (community_choice)
                label { (tr.t("upload.sheet")) input name="sheet"; }
                (file(false))
                button.primary type="submit" { (tr.t("upload.send")) }
            }
        }
        details {
            summary { (tr.t("upload.notes_title")) }
            form.stack method="post" action="/imports/notes" enctype="multipart/form-data" {
                (csrf)
                (community_choice)
                (file(false))
                button.primary type="submit" { (tr.t("upload.send")) }
            }
        }
    })
}
