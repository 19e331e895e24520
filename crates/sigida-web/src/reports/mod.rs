//! Reports downloaded from the pages: a community's analysis and plan, minutes, the synthesis,
//! in HTML or PDF (the plan also as a workbook), French or English. What a report says is
//! gathered from the store; writing it (typesetting above all) runs off the async runtime.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use sigida_report::{Lang, Tr};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::download::attachment;
use crate::http::error::WebError;
use crate::http::heavy;

/// A report file's name as PRODUCT.md writes it: `STEM[.en].html` or `.pdf`; its language and
/// whether it is the PDF.
fn report_file(file: &str, stem: &str) -> Option<(Lang, bool)> {
    let rest = file.strip_prefix(stem)?;
    match rest {
        ".html" => Some((Lang::Fr, false)),
        ".en.html" => Some((Lang::En, false)),
        ".pdf" => Some((Lang::Fr, true)),
        ".en.pdf" => Some((Lang::En, true)),
        _ => None,
    }
}

/// A report written: a page, or a file to download.
enum Written {
    Html(String),
    Pdf(Vec<u8>),
    Xlsx(Vec<u8>),
}

/// Writes a report off the runtime. A page gets a CSP of its own (its inline styles are its
/// own) that still forbids every request; a file comes as a download under its name.
async fn written<E>(
    file: String,
    write: impl FnOnce() -> Result<Written, E> + Send + 'static,
) -> Result<Response, WebError>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let written = heavy::run("rapport", write)
        .await?
        .map_err(|e| WebError::failed(format!("rapport {file}"), e))?;
    Ok(match written {
        Written::Pdf(bytes) => attachment("application/pdf", &file, bytes),
        Written::Xlsx(bytes) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &file,
            bytes,
        ),
        Written::Html(html) => (
            [(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            )],
            Html(html),
        )
            .into_response(),
    })
}

/// The HTML or the PDF of a report, as its file name asks.
fn html_or_pdf(
    pdf: bool,
    html: impl FnOnce() -> String,
    typeset: impl FnOnce() -> Result<Vec<u8>, sigida_report::pdf::PdfError>,
) -> Result<Written, sigida_report::pdf::PdfError> {
    if pdf {
        typeset().map(Written::Pdf)
    } else {
        Ok(Written::Html(html()))
    }
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// A community's contextual analysis (`/reports/<slug>/analyse-contextuelle[.en].html|pdf`)
/// or its action plan (`plan-action[.en].html|pdf|xlsx`).
pub async fn community_report(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let today = today();
    if file.starts_with("plan-action.") {
        let plan = state
            .store
            .latest_plan(community.id)
            .await?
            .ok_or_else(|| viewer.not_found())?;
        let doc = sigida_app::plans::plan_document(
            &state.store,
            &diagnostic,
            &community,
            &plan,
            today,
            Some(&viewer.user),
        )
        .await?;
        let workbook = match file.as_str() {
            "plan-action.xlsx" => Some(Lang::Fr),
            "plan-action.en.xlsx" => Some(Lang::En),
            _ => None,
        };
        if let Some(lang) = workbook {
            let name = file.clone();
            return written(file, move || {
                let sheets = sigida_report::plan::workbook(Tr::new(lang), &doc);
                sigida_formats::write::sheets_bytes(std::path::Path::new(&name), &sheets)
                    .map(Written::Xlsx)
            })
            .await;
        }
        let (lang, pdf) = report_file(&file, "plan-action").ok_or_else(|| viewer.not_found())?;
        let tr = Tr::new(lang);
        return written(file, move || {
            html_or_pdf(
                pdf,
                || sigida_report::plan::plan(tr, &doc),
                || sigida_report::plan::plan_pdf(tr, &doc),
            )
        })
        .await;
    }
    let (lang, pdf) =
        report_file(&file, "analyse-contextuelle").ok_or_else(|| viewer.not_found())?;
    let analysis = sigida_app::analysis::community_analysis(
        &state.store,
        &diagnostic,
        &community,
        lang,
        today,
    )
    .await?;
    let tr = Tr::new(lang);
    written(file, move || {
        html_or_pdf(
            pdf,
            || sigida_report::analysis::report(tr, &analysis),
            || sigida_report::analysis::report_pdf(tr, &analysis),
        )
    })
    .await
}

/// A meeting's minutes: `/reports/<slug>/reunions/<date>-<meeting>[.en].{html,pdf}`.
pub async fn minutes_report(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let mut found = None;
    for meeting in state.store.meetings(community.id).await? {
        let stem = sigida_report::minutes::file_stem(&meeting);
        if let Some(kind) = report_file(&file, &stem) {
            found = Some((meeting, kind));
        }
    }
    let (meeting, (lang, pdf)) = found.ok_or_else(|| viewer.not_found())?;
    let m = sigida_app::meetings::meeting_minutes(
        &state.store,
        &diagnostic,
        &community,
        &meeting,
        today(),
    )
    .await?;
    let tr = Tr::new(lang);
    written(file, move || {
        html_or_pdf(
            pdf,
            || sigida_report::minutes::minutes(tr, &m),
            || sigida_report::minutes::minutes_pdf(tr, &m),
        )
    })
    .await
}

/// The synthesis across communities: `/reports/synthese[.en].html|pdf`.
pub async fn synthesis_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let (lang, pdf) = report_file(&file, "synthese").ok_or_else(|| viewer.not_found())?;
    let diagnostic = state.store.main_diagnostic().await?;
    let today = today();
    let mut all = Vec::new();
    for community in state.store.communities(diagnostic.id).await? {
        all.push(
            sigida_app::analysis::community_analysis(
                &state.store,
                &diagnostic,
                &community,
                lang,
                today,
            )
            .await?,
        );
    }
    let tr = Tr::new(lang);
    written(file, move || {
        html_or_pdf(
            pdf,
            || sigida_report::analysis::synthesis(tr, &all, today),
            || sigida_report::analysis::synthesis_pdf(tr, &all, today),
        )
    })
    .await
}

pub fn routes() -> Vec<crate::http::routes::Entry> {
    use crate::http::routes::{Access::Needs, Loads, get};
    use sigida_core::access::Permission::DownloadReports;
    vec![
        get(
            "/reports/{slug}/{file}",
            Needs(DownloadReports),
            Loads::Community,
            community_report,
        ),
        get(
            "/reports/{slug}/reunions/{file}",
            Needs(DownloadReports),
            Loads::Community,
            minutes_report,
        ),
        get(
            "/reports/{file}",
            Needs(DownloadReports),
            Loads::Nothing,
            synthesis_report,
        ),
    ]
}
