//! The only crate that knows HTTP: server-rendered pages (French first), the JSON API,
//! sessions and roles. Pages are small, work without JavaScript, and request nothing from
//! any other host (the Content-Security-Policy forbids it).
//!
//! - `error`: one error type, rendered as a page or as JSON with a stable code.
//! - `auth`: passwords (argon2), sessions, the [`auth::Viewer`] extractor, role checks.
//! - `layout`: the page shell and navigation.
//! - `pages`: overview, communities, audit, users, report downloads.
//! - `data_pages`: instruments and their questions, imports and their problems, the cleaning log.
//! - `meeting_pages`, `plan_pages`, `action_pages`, `progress_pages`: forms parsed here, the
//!   work done by `sigida_app`'s use-cases (the same the CLI and the demo call).
//! - `api`: the same data as JSON under `/api`.

pub mod action_pages;
pub mod analysis_pages;
pub mod api;
pub mod auth;
pub mod data_pages;
pub mod error;
pub mod guard;
pub mod layout;
pub mod meeting_pages;
pub mod pages;
pub mod plan_pages;
pub mod priority_pages;
pub mod progress_pages;
pub mod selection_pages;
pub mod server;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use sigida_store::Store;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// Password checks at once, and the back-off after failed logins.
    pub login_guard: guard::LoginGuard,
}

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
                   connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A login form holds a name, a password and where to go next: 4 KB is plenty.
pub const LOGIN_BODY_LIMIT: usize = 4 * 1024;
/// Any other request body (forms, bulk measurement files): 16 MiB.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The whole application; tests drive it without a socket.
pub fn app(store: Store) -> Router {
    let state = AppState {
        store,
        login_guard: guard::LoginGuard::default(),
    };
    Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/assets/sigida.css", get(pages::stylesheet))
        .route(
            "/login",
            get(auth::login_page)
                .post(auth::login)
                .layer(axum::extract::DefaultBodyLimit::max(LOGIN_BODY_LIMIT)),
        )
        .route("/logout", post(auth::logout))
        .route("/lang/{code}", get(auth::set_language))
        .route("/", get(pages::overview))
        .route("/communities", get(pages::communities))
        .route("/communities/{slug}", get(pages::community))
        .route("/communities/{slug}/flows", get(pages::community_flows))
        .route("/communities/{slug}/groups", get(pages::community_groups))
        .route("/communities/{slug}/plan", get(plan_pages::plan_page))
        .route("/progress", get(progress_pages::progress))
        .route(
            "/progress/import",
            post(progress_pages::import_measurements),
        )
        .route("/progress/modele.csv", get(progress_pages::template))
        .route("/actions/{id}", get(action_pages::action_page))
        .route("/actions/{id}/status", post(progress_pages::set_status))
        .route("/actions/{id}/edit", post(action_pages::edit_action))
        .route("/actions/{id}/delete", post(action_pages::delete_action))
        .route("/actions/{id}/budget", post(action_pages::add_budget_line))
        .route(
            "/actions/{id}/budget/{line}/delete",
            post(action_pages::delete_budget_line),
        )
        .route(
            "/actions/{id}/indicators",
            post(action_pages::add_indicator),
        )
        .route(
            "/actions/{id}/indicators/{indicator}/delete",
            post(action_pages::delete_indicator),
        )
        .route(
            "/actions/{id}/milestones",
            post(action_pages::add_milestone),
        )
        .route(
            "/actions/{id}/milestones/{milestone}/done",
            post(action_pages::milestone_done),
        )
        .route(
            "/actions/{id}/measurements",
            post(action_pages::add_measurement),
        )
        .route(
            "/communities/{slug}/plan/actions",
            post(plan_pages::add_action),
        )
        .route("/communities/{slug}/plan/adopt", post(plan_pages::adopt))
        .route("/communities/{slug}/plan/revise", post(plan_pages::revise))
        .route(
            "/communities/{slug}/services",
            get(pages::community_services),
        )
        .route(
            "/communities/{slug}/qualitative",
            get(pages::community_qualitative),
        )
        .route(
            "/communities/{slug}/findings",
            get(analysis_pages::community_findings),
        )
        .route(
            "/communities/{slug}/protection/capacities",
            post(analysis_pages::add_capacity),
        )
        .route(
            "/communities/{slug}/exercises",
            get(analysis_pages::community_exercises).post(analysis_pages::add_exercise),
        )
        .route(
            "/communities/{slug}/findings/{id}/confidence",
            post(analysis_pages::set_confidence),
        )
        .route(
            "/communities/{slug}/indicators",
            get(pages::community_indicators),
        )
        .route(
            "/communities/{slug}/protection",
            get(pages::community_protection),
        )
        .route("/meetings/{id}", get(meeting_pages::meeting))
        .route(
            "/communities/{slug}/meetings",
            post(meeting_pages::create_meeting),
        )
        .route(
            "/meetings/{id}/decisions",
            post(meeting_pages::add_next_step),
        )
        .route(
            "/meetings/{id}/results",
            get(meeting_pages::meeting_results),
        )
        .route("/meetings/{id}/participants", post(meeting_pages::register))
        .route("/meetings/{id}/findings", post(meeting_pages::put_findings))
        .route(
            "/meetings/{id}/priorities",
            get(priority_pages::priorities).post(priority_pages::adopt),
        )
        .route(
            "/meetings/{id}/selection",
            get(selection_pages::selection).post(selection_pages::adopt),
        )
        .route(
            "/meetings/{id}/questions/{question}/decide",
            post(meeting_pages::decide_finding),
        )
        .route(
            "/meetings/{id}/questions",
            post(meeting_pages::add_question),
        )
        .route(
            "/meetings/{id}/questions/{question}/counts",
            post(meeting_pages::add_count),
        )
        .route(
            "/meetings/{id}/questions/{question}/{verb}",
            post(meeting_pages::set_open),
        )
        .route("/assets/live.js", get(meeting_pages::live_script))
        .route(
            "/v",
            get(meeting_pages::phone_home).post(meeting_pages::phone_join),
        )
        .route(
            "/v/ballot",
            get(meeting_pages::phone_ballot).post(meeting_pages::phone_vote),
        )
        .route("/reports/{slug}/{file}", get(pages::community_report))
        .route(
            "/reports/{slug}/reunions/{file}",
            get(pages::minutes_report),
        )
        .route("/reports/{file}", get(pages::synthesis_report))
        .route("/imports", get(pages::imports))
        .route("/imports/{id}", get(data_pages::import_problems))
        .route("/instruments", get(data_pages::instruments))
        .route("/instruments/{id}", get(data_pages::instrument))
        .route("/instruments/{id}/cleaning", get(data_pages::cleaning_log))
        .route("/instruments/{id}/clean.csv", get(data_pages::export_clean))
        .route(
            "/instruments/{id}/clean.xlsx",
            get(data_pages::export_clean_xlsx),
        )
        .route("/instruments/{id}/cleaning/{seq}", post(data_pages::decide))
        .route("/audit", get(pages::audit))
        .route("/users", get(pages::users))
        .route("/api/diagnostic", get(api::diagnostic))
        .route("/api/communities", get(api::communities))
        .route("/api/communities/{slug}", get(api::community))
        .route("/api/communities/{slug}/flows", get(api::community_flows))
        .route("/api/communities/{slug}/groups", get(api::community_groups))
        .route(
            "/api/communities/{slug}/services",
            get(api::community_services),
        )
        .route(
            "/api/communities/{slug}/findings",
            get(api::community_findings),
        )
        .route(
            "/api/communities/{slug}/exercises",
            get(api::community_exercises),
        )
        .route(
            "/api/communities/{slug}/qualitative",
            get(api::community_qualitative),
        )
        .route(
            "/api/communities/{slug}/indicators",
            get(api::community_indicators),
        )
        .route(
            "/api/communities/{slug}/protection",
            get(api::community_protection),
        )
        .route("/api/imports", get(api::imports))
        .route("/api/audit", get(api::audit))
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

pub use server::serve;
