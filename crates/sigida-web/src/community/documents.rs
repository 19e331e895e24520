//! The diagnostic's register of secondary documents (reports, studies, datasets) that findings
//! cite: the list, a form to add one, a document's page to correct or remove it while no
//! evidence cites it. The forms post to the same use-cases as the workbook's sheet.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use sigida_app::analysis::findings as use_cases;
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::citation::Document;
use sigida_core::diagnostic::Diagnostic;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Answer, Fields, Input, Posted, Refused, alert, answer, field, form_page};

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

fn document_form(
    viewer: &Viewer,
    action: &str,
    fields: &Fields,
    refused: Option<&Refused>,
    button: &str,
) -> Markup {
    let tr = viewer.tr;
    html! {
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (alert(refused, &["title", "publisher", "published_on", "link"]))
            (field("title", tr.t("documents.doc_title"), fields.get("title"), Input::Text, true, refused))
            (field("publisher", tr.t("documents.publisher"), fields.get("publisher"), Input::Text, true, refused))
            (field("published_on", tr.t("documents.published_on"), fields.get("published_on"), Input::Text, false, refused))
            (field("link", tr.t("documents.link"), fields.get("link"), Input::Text, false, refused))
            button.primary type="submit" { (button) }
        }
    }
}

/// A document from its form; the date as `AAAA-MM-JJ`.
fn from_fields(
    fields: &Fields,
    id: Id<Document>,
    diagnostic: &Diagnostic,
) -> Result<Document, sigida_app::Refusal> {
    let published_on = match fields.get("published_on") {
        "" => None,
        text => Some(
            time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE).map_err(
                |_| {
                    sigida_app::Refusal::new("form.date")
                        .arg("field", "published_on")
                        .arg("value", text)
                },
            )?,
        ),
    };
    Ok(Document {
        id,
        diagnostic_id: diagnostic.id,
        title: fields.get("title").to_owned(),
        publisher: fields.get("publisher").to_owned(),
        published_on,
        link: Some(fields.get("link").to_owned()).filter(|l| !l.is_empty()),
    })
}

fn fields_of(d: &Document) -> Fields {
    Fields(vec![
        ("title".into(), d.title.clone()),
        ("publisher".into(), d.publisher.clone()),
        (
            "published_on".into(),
            d.published_on.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("link".into(), d.link.clone().unwrap_or_default()),
    ])
}

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    fields: &Fields,
    refused: Option<&Refused>,
    saved: bool,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let documents = state.store.documents(diagnostic.id).await?;
    let body = html! {
        h1 { (tr.t("documents.title")) }
        @if saved { p.note role="status" { (tr.t("documents.saved")) } }
        p { (tr.t("documents.intro")) }
        @if documents.is_empty() { p.note { (tr.t("documents.none")) } }
        @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("documents.doc_title")) }
                    th scope="col" { (tr.t("documents.publisher")) }
                    th scope="col" { (tr.t("documents.published_on")) }
                    th scope="col" { (tr.t("documents.link")) }
                } }
                tbody { @for d in &documents { tr {
                    th scope="row" { a href={"/documents/" (d.id)} { (d.title) } }
                    td data-label=(tr.t("documents.publisher")) { (d.publisher) }
                    td data-label=(tr.t("documents.published_on")) { (d.published_on.map(|p| p.to_string()).unwrap_or_default()) }
                    td data-label=(tr.t("documents.link")) {
                        @if let Some(link) = &d.link { a href=(link) rel="noopener noreferrer" { (link) } }
                    }
                } } }
            } }
        }
        @if viewer.may(Permission::EditAnalysis) {
            h2 { (tr.t("documents.add")) }
            (document_form(viewer, "/documents", fields, refused, tr.t("documents.add")))
        }
    };
    Ok(form_page(
        viewer,
        &diagnostic,
        tr.t("documents.title"),
        body,
        refused.is_some(),
    ))
}

pub async fn documents(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(saved): Query<Saved>,
) -> Result<Response, WebError> {
    list_page(
        &state,
        &viewer,
        &Fields(Vec::new()),
        None,
        saved.saved.is_some(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let result = async {
        let document = from_fields(&fields, Id::new(), &diagnostic)?;
        sigida_app::common::in_transaction(&state.store, async |tx| {
            use_cases::add_document(tx, Some(&viewer.user.username), &document).await
        })
        .await
    }
    .await;
    match answer(viewer.tr, result, |_| "/documents?saved=1".to_owned())? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => list_page(&state, &viewer, &fields, Some(&refused), false).await,
    }
}

async fn document_of(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    id: &str,
) -> Result<Document, WebError> {
    state
        .store
        .documents(diagnostic.id)
        .await?
        .into_iter()
        .find(|d| d.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())
}

async fn one_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    document: &Document,
    again: (&Fields, Option<&Refused>),
    saved: bool,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let (fields, refused) = again;
    // The findings that cite it, in every community.
    let mut citing = Vec::new();
    for community in state.store.communities(diagnostic.id).await? {
        let findings = state.store.findings(community.id).await?;
        for e in state.store.evidence_of_community(community.id).await? {
            let cites = matches!(e.citation(), Some(sigida_core::citation::Citation::Document { id, .. }) if id == document.id.to_string());
            if let Some(f) = findings.iter().find(|f| cites && f.id == e.finding_id) {
                citing.push((community.slug.clone(), f.clone()));
            }
        }
    }
    let body = html! {
        p.note { a href="/documents" { "← " (tr.t("documents.title")) } }
        h1 { (document.title) }
        @if saved { p.note role="status" { (tr.t("documents.saved")) } }
        p { (document.publisher)
            @if let Some(date) = document.published_on { ", " (date.to_string()) } }
        @if let Some(link) = &document.link { p { a href=(link) rel="noopener noreferrer" { (link) } } }
        h2 { (tr.t("findings.cited_by")) }
        @if citing.is_empty() { p.note { (tr.t("documents.not_cited")) } }
        ul { @for (slug, f) in &citing {
            li { a href={"/communities/" (slug) "/findings#" (sigida_report::findings::anchor(f))} {
                (f.amended_statement.as_deref().unwrap_or(&f.statement)) } }
        } }
        @if viewer.may(Permission::EditAnalysis) {
            h2 { (tr.t("documents.edit")) }
            (document_form(viewer, &format!("/documents/{}", document.id), fields, refused, tr.t("register.save")))
            @if citing.is_empty() {
                form.stacked method="post" action={"/documents/" (document.id) "/delete"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button.danger type="submit" { (tr.t("documents.delete")) }
                }
            }
        }
    };
    Ok(form_page(
        viewer,
        diagnostic,
        &document.title,
        body,
        refused.is_some(),
    ))
}

pub async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let document = document_of(&state, &viewer, &diagnostic, &id).await?;
    let fields = fields_of(&document);
    one_page(
        &state,
        &viewer,
        &diagnostic,
        &document,
        (&fields, None),
        saved.saved.is_some(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let document = document_of(&state, &viewer, &diagnostic, &id).await?;
    let result = async {
        let changed = from_fields(&fields, document.id, &diagnostic)?;
        sigida_app::common::in_transaction(&state.store, async |tx| {
            use_cases::edit_document(tx, Some(&viewer.user.username), &changed).await
        })
        .await
    }
    .await;
    let then = format!("/documents/{}?saved=1", document.id);
    match answer(viewer.tr, result, |_| then)? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            one_page(
                &state,
                &viewer,
                &diagnostic,
                &document,
                (&fields, Some(&refused)),
                false,
            )
            .await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let document = document_of(&state, &viewer, &diagnostic, &id).await?;
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        use_cases::remove_document(tx, Some(&viewer.user.username), document.id).await
    })
    .await;
    match answer(viewer.tr, result, |_| "/documents?saved=1".to_owned())? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            let current = fields_of(&document);
            one_page(
                &state,
                &viewer,
                &diagnostic,
                &document,
                (&current, Some(&refused)),
                false,
            )
            .await
        }
    }
}
