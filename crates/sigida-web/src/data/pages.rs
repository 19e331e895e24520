//! Pages of the data phase: instruments and their questions, imports and their problems, the
//! cleaning log with its filters and decisions.

use std::collections::BTreeSet;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::Permission;
use sigida_core::cleaning::{Decision, LogEntry};
use sigida_core::instrument::Instrument;
use sigida_report::format;
use sigida_xlsform::form::GroupKind;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;
use crate::http::routes::Loaded;
use sigida_app::common::clean_data::latest_form;

pub async fn instruments(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let mut rows = Vec::new();
    for instrument in state.store.instruments(diagnostic.id).await? {
        let versions = state.store.instrument_versions(instrument.id).await?;
        let count = state.store.submission_count(instrument.id).await?;
        let log = state.store.cleaning_log(instrument.id).await?;
        let pending = log
            .iter()
            .filter(|e| e.decision == Decision::Pending)
            .count();
        rows.push((instrument, versions.len(), count, log.len(), pending));
    }
    let imports = state.store.raw_imports(diagnostic.id).await?;
    let body = html! {
        h1 { (tr.t("instruments.title")) }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("instruments.name")) }
                th scope="col" { (tr.t("instruments.type")) }
                th scope="col" class="num" { (tr.t("instruments.versions")) }
                th scope="col" class="num" { (tr.t("instruments.submissions")) }
                th scope="col" { (tr.t("instruments.cleaning")) }
            } }
            tbody { @for (i, versions, count, entries, pending) in &rows { tr {
                th scope="row" { a href={"/instruments/" (i.id)} { (i.name) } }
                td data-label=(tr.t("instruments.type")) { (tr.t(i.kind.label_key())) }
                td.num data-label=(tr.t("instruments.versions")) { (versions) }
                td.num data-label=(tr.t("instruments.submissions")) { (format::integer(tr, *count)) }
                td data-label=(tr.t("instruments.cleaning")) {
                    a href={"/instruments/" (i.id) "/cleaning"} {
                        (format::integer(tr, *entries as i64)) " " (tr.t("cleaning.entries"))
                    }
                    @if *pending > 0 { " · " span.tag.partial { (format::integer(tr, *pending as i64)) " " (tr.t("cleaning.pending_badge")) } }
                }
            } } }
        } }
        h2 { (tr.t("overview.imports")) }
        @if imports.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("imports.file")) }
                    th scope="col" { (tr.t("imports.kind")) }
                    th scope="col" class="num" { (tr.t("imports.records")) }
                    th scope="col" class="num" { (tr.t("imports.problems")) }
                    th scope="col" { (tr.t("imports.at")) }
                } }
                tbody { @for i in &imports { tr {
                    th scope="row" { (i.file_name) }
                    td data-label=(tr.t("imports.kind")) { (tr.t(i.kind.label_key())) }
                    td.num data-label=(tr.t("imports.records")) { (format::integer(tr, i.record_count)) }
                    td.num data-label=(tr.t("imports.problems")) {
                        @if i.problem_count > 0 { a href={"/imports/" (i.id)} { (format::integer(tr, i.problem_count)) } } @else { "0" }
                    }
                    td data-label=(tr.t("imports.at")) { (format::date(tr, i.imported_at.date())) }
                } } }
            } }
        }
    };
    Ok(layout::page(
        &viewer,
        "/instruments",
        tr.t("instruments.title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(Deserialize, Default)]
pub struct InstrumentAsked {
    #[serde(default)]
    erased: Option<String>,
}

pub async fn instrument(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Query(asked): Query<InstrumentAsked>,
) -> Result<Markup, WebError> {
    let notice = asked.erased.is_some().then(|| {
        html! { p.note role="status" { (viewer.tr.t("instruments.erased")) } }
    });
    instrument_page(&state, &viewer, &instrument, notice).await
}

/// A survey respondent's personal answers erased at their request, from this instrument's raw
/// files, cleaning log and import problems (coordinators only).
pub async fn erase_respondent(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = crate::http::form::Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let done = if fields.get("confirm") == "yes" {
        sigida_app::register::erasure::erase_respondent(
            &state.store,
            fields.get("uuid"),
            Some(instrument.id),
            Some(&viewer.user.username),
            sigida_core::Timestamp::now(),
        )
        .await
    } else {
        Err(sigida_app::Refusal::new("register.confirm").into())
    };
    match done {
        Ok(_) => Ok(
            Redirect::to(&format!("/instruments/{}?erased=1#erase", instrument.id)).into_response(),
        ),
        Err(sigida_app::AppError::Refused(r)) => {
            let notice = html! { p.alert role="alert" { (viewer.tr.refusal(&r)) } };
            let page = instrument_page(&state, &viewer, &instrument, Some(notice)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn instrument_page(
    state: &AppState,
    viewer: &Viewer,
    instrument: &Instrument,
    notice: Option<Markup>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let form = match latest_form(&state.store, &diagnostic, instrument).await {
        Ok(form) => form,
        Err(sigida_app::common::clean_data::DatasetError::NoForm(_)) => {
            let body = html! {
                p.note { a href="/instruments" { "← " (tr.t("instruments.title")) } }
                h1 { (instrument.name) }
                p { (tr.t("instruments.no_form")) }
            };
            return Ok(layout::page(
                viewer,
                "/instruments",
                &instrument.name,
                diagnostic.synthetic,
                body,
            ));
        }
        Err(e) => return Err(WebError::failed("données", e)),
    };
    let lang = tr.lang.code();
    let body = html! {
        p.note { a href="/instruments" { "← " (tr.t("instruments.title")) } }
        h1 { (instrument.name) }
        p.lead {
            (form.title.as_deref().unwrap_or("")) " · " (form.questions.len()) " " (tr.t("instruments.questions").to_lowercase())
            " · " (form.languages.join(", "))
        }
        p {
            a href={"/instruments/" (instrument.id) "/cleaning"} { (tr.t("instruments.cleaning")) " →" }
            " · " a href={"/instruments/" (instrument.id) "/localities"} { (tr.t("localities.title")) " →" }
            " · " a href={"/instruments/" (instrument.id) "/clean.csv?hxl=1"} { (tr.t("instruments.export")) }
            " · " a href={"/instruments/" (instrument.id) "/clean.xlsx"} { (tr.t("instruments.export_workbook")) }
            @if viewer.may(Permission::ViewPersonalData) {
                " · " a href={"/instruments/" (instrument.id) "/clean.csv?personal=1"} { (tr.t("instruments.export_personal")) }
            }
        }
        h2 { (tr.t("instruments.questions")) }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("instruments.name")) }
                th scope="col" { (tr.t("instruments.type")) }
                th scope="col" { (tr.t("instruments.label")) }
                th scope="col" { (tr.t("instruments.group")) }
                th scope="col" { (tr.t("instruments.logic")) }
            } }
            tbody { @for q in &form.questions { tr {
                th scope="row" {
                    code { (q.name) }
                    @if q.personal.is_some() { br; span.tag.flag { (tr.t("instruments.personal")) } }
                }
                td data-label=(tr.t("instruments.type")) { (q.kind.type_name()) @if let Some(l) = q.kind.list() { " " code { (l) } } }
                td data-label=(tr.t("instruments.label")) { (form.text(&q.label, lang).unwrap_or("")) }
                td data-label=(tr.t("instruments.group")) {
                    @if let Some(g) = q.group {
                        @let group = &form.groups[g];
                        (group.name) @if group.kind == GroupKind::Repeat { " ↻" }
                    }
                }
                td data-label=(tr.t("instruments.logic")) {
                    @for (what, text) in [("relevant", &q.relevant), ("constraint", &q.constraint), ("calculation", &q.calculation)] {
                        @if let Some(t) = text { div { small { (what) " : " } code { (t) } } }
                    }
                }
            } } }
        } }
        h2 { (tr.t("instruments.lists")) }
        ul { @for l in &form.choice_lists {
            li { code { (l.name) } " — " (l.choices.len()) " " (tr.t("instruments.options")) " : "
                (l.choices.iter().take(6).map(|c| form.text(&c.label, lang).unwrap_or(&c.name).to_owned()).collect::<Vec<_>>().join(", "))
                @if l.choices.len() > 6 { ", …" }
            }
        } }
        @if viewer.may(Permission::ErasePersonalData) {
            h2 id="erase" { (tr.t("instruments.erase_title")) }
            (notice.unwrap_or_default())
            p.note { (tr.t("instruments.erase_note")) }
            form.stacked method="post" action={"/instruments/" (instrument.id) "/erase"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label.field {
                    span { (tr.t("instruments.erase_uuid")) " *" }
                    input type="text" name="uuid" required autocomplete="off" spellcheck="false";
                }
                label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("instruments.erase_confirm")) }
                button type="submit" { (tr.t("instruments.erase_title")) }
            }
        }
    };
    Ok(layout::page(
        viewer,
        "/instruments",
        &instrument.name,
        diagnostic.synthetic,
        body,
    ))
}

pub async fn import_problems(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let import_id = id.parse().map_err(|_| viewer.not_found())?;
    let import = state
        .store
        .raw_import(import_id)
        .await
        .map_err(|_| viewer.not_found())?;
    let problems = state.store.import_problems(import.id, 1000).await?;
    let body = html! {
        p.note { a href="/instruments" { "← " (tr.t("instruments.title")) } }
        h1 { (tr.t("imports.problems_title")) }
        p.lead { (import.file_name) " · " (format::integer(tr, import.record_count)) " " (tr.t("imports.records").to_lowercase())
            " · " (format::integer(tr, import.problem_count)) " " (tr.t("imports.problems").to_lowercase()) }
        @if problems.is_empty() { p { (tr.t("imports.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("imports.sheet")) }
                    th scope="col" class="num" { (tr.t("imports.row")) }
                    th scope="col" { (tr.t("imports.column")) }
                    th scope="col" { (tr.t("imports.value")) }
                    th scope="col" { (tr.t("imports.message")) }
                } }
                tbody { @for p in &problems { tr {
                    td data-label=(tr.t("imports.sheet")) { (p.sheet.as_deref().unwrap_or("—")) }
                    td.num data-label=(tr.t("imports.row")) { (p.row) }
                    td data-label=(tr.t("imports.column")) { code { (p.column) } }
                    td data-label=(tr.t("imports.value")) { (p.value) }
                    td data-label=(tr.t("imports.message")) { (p.message) }
                } } }
            } }
        }
    };
    Ok(layout::page(
        &viewer,
        "/instruments",
        tr.t("imports.problems_title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(Deserialize, Default)]
pub struct LogFilter {
    check: Option<String>,
    decision: Option<String>,
    saved: Option<String>,
}

/// Entries whose old value may hold personal data: free text flagged as such, or a column
/// of a personal question.
fn holds_personal(entry: &LogEntry, personal_columns: &BTreeSet<String>) -> bool {
    entry.check == "personal_in_text" || personal_columns.contains(&entry.question)
}

pub async fn cleaning_log(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Query(filter): Query<LogFilter>,
) -> Result<Markup, WebError> {
    let path = format!("/instruments/{}/cleaning", instrument.id);
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let form = latest_form(&state.store, &diagnostic, &instrument).await?;
    let personal_columns: BTreeSet<String> = form
        .questions
        .iter()
        .filter(|q| q.personal.is_some())
        .map(|q| q.name.clone())
        .collect();
    let log = state.store.numbered_log(instrument.id).await?;
    let checks: BTreeSet<&str> = log.iter().map(|(_, e)| e.check.as_str()).collect();
    let wanted_check = filter.check.as_deref().filter(|c| !c.is_empty());
    let wanted_decision = filter.decision.as_deref().filter(|d| !d.is_empty());
    let shown: Vec<&(i64, LogEntry)> = log
        .iter()
        .filter(|(_, e)| wanted_check.is_none_or(|c| e.check == c))
        .filter(|(_, e)| {
            wanted_decision.is_none_or(|d| {
                e.decision.code() == d || (d == "pending" && e.decision == Decision::Pending)
            })
        })
        .collect();
    let reveal = if shown
        .iter()
        .take(500)
        .any(|(_, e)| holds_personal(e, &personal_columns))
    {
        viewer
            .reveal_personal_data(&state, &path, "valeurs du journal de nettoyage")
            .await?
    } else {
        false
    };
    let may_decide = viewer.may(Permission::EditAnalysis);
    let decisions = [
        Decision::Pending,
        Decision::Change,
        Decision::Blank,
        Decision::Remove,
        Decision::Keep,
    ];
    let decision_key = |d: Decision| match d {
        Decision::Pending => "decision.pending",
        Decision::Change => "decision.change_response",
        Decision::Blank => "decision.blank_response",
        Decision::Remove => "decision.remove_survey",
        Decision::Keep => "decision.no_action",
    };
    let body = html! {
        p.note { a href={"/instruments/" (instrument.id)} { "← " (instrument.name) } }
        h1 { (tr.t("cleaning.title")) " — " (instrument.name) }
        p.lead { (tr.t("cleaning.intro")) }
        @if filter.saved.is_some() { p.note role="status" { (tr.t("cleaning.saved")) } }
        form.filters method="get" {
            label { (tr.t("cleaning.check")) " "
                select name="check" {
                    option value="" { (tr.t("cleaning.all")) }
                    @for c in &checks { option value=(c) selected[wanted_check == Some(*c)] { (c) } }
                }
            }
            " "
            label { (tr.t("cleaning.decision")) " "
                select name="decision" {
                    option value="" { (tr.t("cleaning.all")) }
                    @for d in decisions {
                        @let code = if d == Decision::Pending { "pending" } else { d.code() };
                        option value=(code) selected[wanted_decision == Some(code)] { (tr.t(decision_key(d))) }
                    }
                }
            }
            " " button.primary type="submit" { (tr.t("cleaning.filter")) }
        }
        p.note { (format::integer(tr, log.len() as i64)) " " (tr.t("cleaning.entries")) " · "
            (format::integer(tr, shown.len() as i64)) " " (tr.t("cleaning.shown")) }
        @if shown.len() > 500 { p.note { (tr.t("cleaning.limit")) } }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("cleaning.submission")) }
                th scope="col" { (tr.t("cleaning.question")) }
                th scope="col" { (tr.t("cleaning.old")) }
                th scope="col" { (tr.t("cleaning.issue")) }
                th scope="col" { (tr.t("cleaning.decision")) }
            } }
            tbody { @for (seq, e) in shown.iter().take(500) { tr {
                td data-label=(tr.t("cleaning.submission")) {
                    code { (e.uuid.chars().take(8).collect::<String>()) "…" }
                    // A repeat row: its path below the submission.
                    @if !e.loop_index.is_empty() { br; code { (e.loop_index) } }
                }
                td data-label=(tr.t("cleaning.question")) { code { (e.question) } }
                td data-label=(tr.t("cleaning.old")) {
                    @if holds_personal(e, &personal_columns) && !reveal { span.hidden-data { (tr.t("cleaning.hidden_value")) } }
                    @else { (e.old_value) }
                }
                td data-label=(tr.t("cleaning.issue")) { (e.issue) br; span.tag { (e.check) } }
                td data-label=(tr.t("cleaning.decision")) {
                    @if may_decide {
                        form.decide method="post" action={"/instruments/" (instrument.id) "/cleaning/" (seq)} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            select name="decision" aria-label=(tr.t("cleaning.decision")) {
                                @for d in decisions {
                                    option value=(if d == Decision::Pending { "pending" } else { d.code() }) selected[e.decision == d] { (tr.t(decision_key(d))) }
                                }
                            }
                            input name="new_value" value=(e.new_value) placeholder=(tr.t("cleaning.new")) aria-label=(tr.t("cleaning.new"));
                            input name="reason" value=(e.reason) placeholder=(tr.t("cleaning.reason")) aria-label=(tr.t("cleaning.reason"));
                            button type="submit" { (tr.t("cleaning.save")) }
                        }
                    } @else {
                        (tr.t(decision_key(e.decision))) @if !e.new_value.is_empty() { " → " (e.new_value) }
                    }
                }
            } } }
        } }
    };
    Ok(layout::page(
        &viewer,
        "/instruments",
        tr.t("cleaning.title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    new_value: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Path((_, seq)): Path<(String, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let decision = Decision::parse(&form.decision).ok_or(WebError::Csrf {
        lang: viewer.tr.lang,
    })?;
    let log = state.store.numbered_log(instrument.id).await?;
    let Some((_, current)) = log.into_iter().find(|(s, _)| *s == seq) else {
        return Err(viewer.not_found());
    };
    let decided = LogEntry {
        decision,
        new_value: form.new_value.trim().to_owned(),
        reason: form.reason.trim().to_owned(),
        author: viewer.user.username.clone(),
        date: time::OffsetDateTime::now_utc().date().to_string(),
        ..current
    };
    let mut tx = state.store.begin().await?;
    tx.decide(instrument.id, seq, &decided).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/instruments/{}/cleaning?saved=1", instrument.id)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ExportOptions {
    #[serde(default)]
    hxl: Option<String>,
    #[serde(default)]
    personal: Option<String>,
}

/// Clean data as CSV (the submissions): raw data with the cleaning log applied, the personal
/// columns left out unless the role may see them and asks for them (then the export is audited).
pub async fn export_clean(
    state: State<AppState>,
    viewer: Viewer,
    instrument: Loaded<Instrument>,
    options: Query<ExportOptions>,
) -> Result<Response, WebError> {
    export_clean_as(state, viewer, instrument, options, false).await
}

/// The same as a workbook: the submissions, then one sheet per repeat with its keys.
pub async fn export_clean_xlsx(
    state: State<AppState>,
    viewer: Viewer,
    instrument: Loaded<Instrument>,
    options: Query<ExportOptions>,
) -> Result<Response, WebError> {
    export_clean_as(state, viewer, instrument, options, true).await
}

async fn export_clean_as(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Query(options): Query<ExportOptions>,
    workbook: bool,
) -> Result<Response, WebError> {
    let path = format!(
        "/instruments/{}/clean.{}",
        instrument.id,
        if workbook { "xlsx" } else { "csv" }
    );
    let diagnostic = state.store.main_diagnostic().await?;
    let (form, clean, _) =
        sigida_app::common::clean_data::clean_export(&state.store, &diagnostic, &instrument)
            .await?;
    let with_personal = options.personal.is_some() && viewer.may(Permission::ViewPersonalData);
    let (mut tables, _, personal) =
        sigida_app::common::clean_data::publishable_tables(&form, &clean, with_personal);
    if with_personal {
        viewer
            .audit(
                &state,
                sigida_core::audit::AuditAction::ExportPersonalData,
                &path,
                &format!("{personal} colonnes personnelles"),
            )
            .await?;
    }
    if !workbook {
        tables.truncate(1);
    }
    let tags: Vec<Option<Vec<String>>> = tables
        .iter()
        .map(|t| {
            options
                .hxl
                .is_some()
                .then(|| sigida_xlsform::export::hxl_tags(&form, &t.headers))
        })
        .collect();
    let slug = sigida_core::community::slugify(&instrument.name);
    // Writing a big instrument's workbook holds a core: off the runtime.
    let written = crate::http::heavy::run("données nettoyées", move || {
        write_clean(&path, &tables, &tags, workbook)
    })
    .await?
    .map_err(|e| WebError::Internal {
        context: "données nettoyées".into(),
        source: Some(e),
    })?;
    Ok(if workbook {
        crate::http::download::attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{slug}-propre.xlsx"),
            written,
        )
    } else {
        crate::http::download::attachment(
            "text/csv; charset=utf-8",
            &format!("{slug}-propre.csv"),
            written,
        )
    })
}

/// The clean tables as a workbook (one sheet each) or as the CSV of the submissions, HXL tags
/// under the headers when asked.
fn write_clean(
    path: &str,
    tables: &[sigida_formats::table::Table],
    tags: &[Option<Vec<String>>],
    workbook: bool,
) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    if workbook {
        let sheets: Vec<(&sigida_formats::table::Table, Option<&[String]>)> = tables
            .iter()
            .zip(tags)
            .map(|(t, h)| (t, h.as_deref()))
            .collect();
        return Ok(sigida_formats::write::data_sheets_bytes(
            std::path::Path::new(path),
            &sheets,
        )?);
    }
    // Answers are typed by respondents: made safe for the spreadsheet that opens the CSV (the
    // workbook holds them as text, as they are).
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = |record: &[String]| {
        writer.write_record(
            sigida_formats::write::csv_cells(
                record.iter().map(String::as_str),
                sigida_formats::write::Cells::FormulaSafe,
            )
            .map(|c| c.into_owned()),
        )
    };
    if let Some(table) = tables.first() {
        write(&table.headers)?;
        if let Some(Some(tags)) = tags.first() {
            write(tags)?;
        }
        for (_, cells) in &table.rows {
            write(cells)?;
        }
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}
