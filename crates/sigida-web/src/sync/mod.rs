//! The copies of the diagnostic: this one, the others it exchanged with, and the conflicts
//! between them, each settled by a coordinator or an analyst.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_core::access::Permission::{ManageReplicas, ResolveConflicts};
use sigida_report::Tr;
use sigida_store::sync::{Choice, Conflict, is_sealed};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::Fields;
use crate::http::layout;
use crate::http::routes::{Access::Needs, Access::Public, Entry, Loads, get, post};

mod replicas;

pub fn routes() -> Vec<Entry> {
    vec![
        get("/sync", Needs(ResolveConflicts), Loads::Nothing, page),
        post(
            "/sync/conflicts/{id}",
            Needs(ResolveConflicts),
            Loads::Nothing,
            settle,
        ),
        post(
            "/sync/replicas",
            Needs(ManageReplicas),
            Loads::Nothing,
            replicas::add,
        ),
        post(
            "/sync/replicas/revoke",
            Needs(ManageReplicas),
            Loads::Nothing,
            replicas::revoke,
        ),
        // A field laptop's exchange: its token, not a session, says who it is.
        post("/sync/v1/exchange", Public, Loads::Nothing, exchange).body_limit(EXCHANGE_BODY),
    ]
}

#[derive(serde::Deserialize, Default)]
pub struct Asked {
    #[serde(default)]
    settled: Option<String>,
}

/// The record a conflict is about, as a person names it: its kind, and its name when it has
/// one (its key otherwise).
fn record(tr: Tr, c: &Conflict, name: Option<&str>) -> String {
    let kind = tr
        .known(&format!("sync.table.{}", c.table))
        .unwrap_or(c.table.as_str());
    match name {
        Some(name) => {
            let short: String = name.chars().take(90).collect();
            let cut = if short.len() < name.len() { "…" } else { "" };
            format!("{kind} « {short}{cut} »")
        }
        None => {
            let id: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&c.key)
                .unwrap_or_default()
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            format!("{kind} {}", id.join(" · "))
        }
    }
}

/// A field's name as a person reads it.
fn field_name(tr: Tr, field: &str) -> String {
    tr.known(&format!("sync.field.{field}"))
        .map_or_else(|| field.to_owned(), str::to_owned)
}

/// A value of a conflict as text (a sealed one is never opened here).
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value of a conflict as the page shows it: sealed personal values are not opened here.
fn shown(tr: Tr, c: &Conflict, value: Option<&serde_json::Value>) -> Markup {
    match (c.field.as_str(), value) {
        (_, None) => html! { em { (tr.t("sync.deleted")) } },
        ("*" | "unique", Some(serde_json::Value::Object(row))) => {
            let mut parts = Vec::new();
            for (k, v) in row {
                let text = plain(v);
                if k == "id" || k.ends_with("_id") || text.is_empty() {
                    continue;
                }
                parts.push(if is_sealed(v) {
                    format!("{k} : {}", tr.t("sync.personal"))
                } else {
                    format!("{k} : {text}")
                });
            }
            html! { small { (parts.join(" · ")) } }
        }
        (_, Some(v)) if is_sealed(v) => html! { em { (tr.t("sync.personal")) } },
        (_, Some(v)) => html! { (plain(v)) },
    }
}

fn choices(tr: Tr, viewer: &Viewer, c: &Conflict) -> Markup {
    let options: Vec<(&str, &str)> = match c.field.as_str() {
        "*" => vec![("ours", "sync.keep_row"), ("theirs", "sync.delete_row")],
        "unique" => vec![("discard", "sync.discard"), ("value", "sync.rename")],
        _ => vec![
            ("ours", "sync.keep_ours"),
            ("theirs", "sync.take_theirs"),
            ("value", "sync.write"),
        ],
    };
    let here_deleted = c.field == "*" && c.local.is_none();
    html! {
        form.stacked method="post" action={"/sync/conflicts/" (c.id)} {
            input type="hidden" name="csrf" value=(viewer.csrf);
            @for (i, (value, label)) in options.iter().enumerate() {
                // For a row deleted here, keeping it means taking the other copy's.
                @let value = match (here_deleted, *value) { (true, "ours") => "theirs", (true, "theirs") => "ours", (_, v) => v };
                label.choice { input type="radio" name="choice" value=(value) checked[i == 0]; (tr.t(label)) }
            }
            @if options.iter().any(|(v, _)| *v == "value") {
                label.field { span { (tr.t("sync.write")) } input type="text" name="value"; }
            }
            button type="submit" { (tr.t("sync.decide")) }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(asked): Query<Asked>,
) -> Result<Markup, WebError> {
    let shown = replicas::Shown::Nothing;
    render(&state, &viewer, asked.settled.is_some(), &shown).await
}

/// The Copies page: this copy, the others, the laptops registered here (with a new one's
/// token, once), the conflicts.
async fn render(
    state: &AppState,
    viewer: &Viewer,
    settled: bool,
    after: &replicas::Shown<'_>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let laptops = replicas::section(state, viewer, after).await?;
    let synthetic = state
        .store
        .main_diagnostic()
        .await
        .map(|d| d.synthetic)
        .unwrap_or(false);
    let (id, name) = state.store.replica().await?;
    let peers = state.store.peers().await?;
    let conflicts = state.store.open_conflicts().await?;
    let names = state.store.conflict_labels(&conflicts).await?;
    let peer_name = |replica: &str| {
        peers
            .iter()
            .find(|p| p.replica == replica)
            .map_or(replica.to_owned(), |p| p.name.clone())
    };
    let body = html! {
        h1 { (tr.t("sync.title")) }
        @if settled { p.note role="status" { (tr.t("sync.settled")) } }
        p.lead { (tr.t("sync.this_copy")) " : " strong { (name) } " " small { code { (id) } } }
        h2 { (tr.t("sync.peers")) }
        @if peers.is_empty() { p { (tr.t("sync.no_peers")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("sync.peer")) }
                    th scope="col" { (tr.t("sync.last")) }
                    th scope="col" class="num" { (tr.t("sync.sent")) }
                    th scope="col" class="num" { (tr.t("sync.received")) }
                } }
                tbody { @for p in &peers { tr {
                    th scope="row" { (p.name) }
                    td data-label=(tr.t("sync.last")) { (p.last_sync_at.as_deref().map_or(tr.t("sync.never").to_owned(), |t| t.get(..16).unwrap_or(t).replace('T', " "))) }
                    td.num data-label=(tr.t("sync.sent")) { (p.sent_upto) }
                    td.num data-label=(tr.t("sync.received")) { (p.received_upto) }
                } } }
            } }
        }
        (laptops)
        h2 id="conflits" { (tr.t("sync.conflicts")) " (" (conflicts.len()) ")" }
        @if conflicts.is_empty() { p { (tr.t("sync.no_conflicts")) } } @else {
            p.note { (tr.t("sync.conflicts_note")) }
            @for (c, name) in conflicts.iter().zip(&names) {
                section.card id={"conflit-" (c.id)} {
                    h3 { (record(tr, c, name.as_deref())) }
                    p { (tr.t("sync.field")) " : "
                        @match c.field.as_str() {
                            "*" => { (tr.t("sync.whole_row")) },
                            "unique" => { code { (c.base.as_ref().and_then(|b| b.as_str()).unwrap_or("")) } " — " (tr.t("sync.name_taken")) },
                            f => strong { (field_name(tr, f)) },
                        }
                    }
                    dl {
                        dt { (tr.t("sync.here")) } dd { (shown(tr, c, c.local.as_ref())) }
                        dt { (tr.t("sync.there")) " (" (peer_name(&c.remote_replica)) ")" } dd { (shown(tr, c, c.remote.as_ref())) }
                    }
                    (choices(tr, viewer, c))
                }
            }
        }
    };
    Ok(layout::page(
        viewer,
        "/sync",
        tr.t("sync.title"),
        synthetic,
        body,
    ))
}

pub async fn settle(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let choice = match fields.get("choice") {
        "ours" => Choice::Ours,
        "theirs" => Choice::Theirs,
        "discard" => Choice::Discard,
        "value" if !fields.get("value").is_empty() => Choice::Value(fields.get("value").to_owned()),
        _ => {
            return Ok(Redirect::to("/sync#conflits").into_response());
        }
    };
    match sigida_app::sync::resolve(&state.store, &id, &choice, Some(&viewer.user.username)).await {
        Ok(_) => Ok(Redirect::to("/sync?settled=1#conflits").into_response()),
        Err(sigida_app::AppError::Store(sigida_store::StoreError::NotFound { .. })) => {
            Err(viewer.not_found())
        }
        Err(e) => Err(e.into()),
    }
}

/// The largest exchange a laptop may send (raw files travel in it, sealed).
const EXCHANGE_BODY: usize = 1024 * 1024 * 1024;

/// One exchange with a field laptop: its sealed batch in, the centre's sealed batch out.
/// Refusals are plain text, in French, for the laptop to print.
pub async fn exchange(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    use axum::http::StatusCode;
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let tr = sigida_report::Tr::new(sigida_report::Lang::Fr);
    match sigida_app::sync::exchange(&state.store, token, body.to_vec()).await {
        Ok(sealed) => (
            StatusCode::OK,
            [(axum::http::header::CONTENT_TYPE, "application/octet-stream")],
            sealed,
        )
            .into_response(),
        Err(sigida_app::AppError::Refused(r))
            if r.code == "sync.token" || r.code == "sync.token_other_copy" =>
        {
            (StatusCode::UNAUTHORIZED, tr.refusal(&r)).into_response()
        }
        Err(
            sigida_app::AppError::Refused(r)
            | sigida_app::AppError::Store(sigida_store::StoreError::Refused(r)),
        ) => (StatusCode::UNPROCESSABLE_ENTITY, tr.refusal(&r)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "sync exchange failed");
            (StatusCode::INTERNAL_SERVER_ERROR, e.text(tr)).into_response()
        }
    }
}
