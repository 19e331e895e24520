//! The field laptops registered at this centre: the communities each works on, when it last
//! synchronised and how many changes wait for it; registered and revoked by a coordinator, a
//! new laptop's token shown once, with the command that makes its copy.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_core::access::Permission::ManageReplicas;
use sigida_core::community::Community;
use sigida_report::Tr;
use sigida_store::sync::Replica;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::Fields;

/// A laptop just registered: its name and its token, shown this once.
pub struct Registered {
    pub name: String,
    pub token: String,
}

/// The laptops registered here, what waits for each, and the form to register one.
pub async fn section(
    state: &AppState,
    viewer: &Viewer,
    shown: &Shown<'_>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    if !viewer.may(ManageReplicas) {
        return Ok(html! {});
    }
    let replicas = state.store.replicas().await?;
    let mut waiting = Vec::with_capacity(replicas.len());
    for r in &replicas {
        waiting.push(match &r.replica {
            Some(id) if r.revoked_at.is_none() => Some(state.store.waiting_for(id).await?),
            _ => None,
        });
    }
    let communities = match state.store.main_diagnostic().await {
        Ok(d) => state.store.communities(d.id).await?,
        Err(_) => Vec::new(),
    };
    Ok(html! {
        h2 id="ordinateurs" { (tr.t("replicas.title")) }
        @match shown {
            Shown::Registered(new) => (token_box(tr, state, new)),
            Shown::Refused(why) => p.alert role="alert" { (why) },
            Shown::Nothing => {},
        }
        @if replicas.is_empty() { p { (tr.t("replicas.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("replicas.name")) }
                    th scope="col" { (tr.t("replicas.communities")) }
                    th scope="col" { (tr.t("sync.last")) }
                    th scope="col" class="num" { (tr.t("replicas.waiting")) }
                    th scope="col" { (tr.t("replicas.state")) }
                } }
                tbody { @for (r, waits) in replicas.iter().zip(&waiting) { (row(tr, viewer, r, *waits, &communities)) } }
            } }
        }
        details open[!matches!(shown, Shown::Registered(_)) && (replicas.is_empty() || matches!(shown, Shown::Refused(_)))] {
            summary { (tr.t("replicas.add")) }
            form.stacked method="post" action="/sync/replicas" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label.field { span { (tr.t("replicas.name")) } input type="text" name="name" required placeholder="laptop Gao"; }
                fieldset {
                    legend { (tr.t("replicas.communities")) }
                    p.note { (tr.t("replicas.scope_note")) }
                    @for c in &communities {
                        label.choice { input type="checkbox" name="community" value=(c.slug); (c.name) }
                    }
                }
                button.primary type="submit" { (tr.t("replicas.register")) }
            }
        }
    })
}

fn scope(tr: Tr, r: &Replica, communities: &[Community]) -> String {
    if r.communities.is_empty() {
        return tr.t("replicas.all").to_owned();
    }
    r.communities
        .iter()
        .map(|slug| {
            communities
                .iter()
                .find(|c| &c.slug == slug)
                .map_or(slug.clone(), |c| c.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(
    tr: Tr,
    viewer: &Viewer,
    r: &Replica,
    waiting: Option<i64>,
    communities: &[Community],
) -> Markup {
    let when = |t: &Option<String>| {
        t.as_deref().map_or(tr.t("sync.never").to_owned(), |t| {
            t.get(..16).unwrap_or(t).replace('T', " ")
        })
    };
    html! {
        tr {
            th scope="row" { (r.name) }
            td data-label=(tr.t("replicas.communities")) { (scope(tr, r, communities)) }
            td data-label=(tr.t("sync.last")) { (when(&r.last_sync_at)) }
            td.num data-label=(tr.t("replicas.waiting")) { @match waiting { Some(n) => (n), None => "—" } }
            td data-label=(tr.t("replicas.state")) {
                @if r.revoked_at.is_some() {
                    (tr.t("replicas.revoked")) " " (when(&r.revoked_at))
                } @else {
                    form method="post" action="/sync/replicas/revoke" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="name" value=(r.name);
                        button type="submit" { (tr.t("replicas.revoke")) }
                    }
                }
            }
        }
    }
}

/// The new laptop's token and how to use it, shown once.
fn token_box(tr: Tr, state: &AppState, new: &Registered) -> Markup {
    let fingerprint = state.reached.tls_fingerprint.as_deref();
    let mut command = format!(
        "sigida sync clone --server https://ADRESSE --token {} ",
        new.token
    );
    if let Some(f) = fingerprint {
        command.push_str(&format!("--fingerprint {f} "));
    }
    command.push_str("--dir DOSSIER");
    html! {
        section.card.token-box role="status" {
            h3 { (tr.t("replicas.registered")) " : " (new.name) }
            p { (tr.t("replicas.token_once")) }
            p { (tr.t("replicas.token")) " : " code { (new.token) } }
            @if let Some(f) = fingerprint { p { (tr.t("meeting.tls_fingerprint")) " " code { (f) } } }
            p { (tr.t("replicas.command")) }
            pre.report { code { (command) } }
        }
    }
}

/// Registers a laptop; the page shows its token once, or why it was refused.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let communities: Vec<String> = fields
        .all("community")
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    let added = sigida_app::sync::add_replica(
        &state.store,
        fields.get("name"),
        &communities,
        Some(&viewer.user.username),
    )
    .await;
    match added {
        Ok((replica, token)) => {
            let registered = Registered {
                name: replica.name,
                token,
            };
            let page =
                super::render(&state, &viewer, false, &Shown::Registered(&registered)).await?;
            Ok(page.into_response())
        }
        Err(sigida_app::AppError::Refused(r)) => {
            let why = viewer.tr.refusal(&r);
            let page = super::render(&state, &viewer, false, &Shown::Refused(&why)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// What the laptops' section shows above its list after a form.
pub enum Shown<'a> {
    Nothing,
    Registered(&'a Registered),
    Refused(&'a str),
}

/// Revokes a laptop's token: it syncs no more.
pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    sigida_app::sync::revoke_replica(
        &state.store,
        fields.get("name"),
        Some(&viewer.user.username),
    )
    .await?;
    Ok(Redirect::to("/sync#ordinateurs").into_response())
}
