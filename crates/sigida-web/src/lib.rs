//! The only crate that knows HTTP: server-rendered pages (French first), the JSON API,
//! sessions and roles. Pages are small, work without JavaScript, and request nothing from
//! any other host (the Content-Security-Policy forbids it).
//!
//! One folder per room of the product, each declaring its routes as a table
//! ([`http::routes`]: method, path, the permission it needs, what its path names) from which
//! the router and the role × route test are both built. Rooms use `http/` (errors, sessions
//! and the route guard, layout, downloads, the server) and never each other; the work itself
//! is done by `sigida_app`'s use-cases, the same the CLI and the demo call.
//!
//! - `site`: health, stylesheet, signing in and out, language.
//! - `community`: the overview, the communities and their analysis (flows, groups,
//!   protection, indicators, services, qualitative, findings, exercises).
//! - `data`: instruments and their questions, imports and their problems, the cleaning log.
//! - `meetings`: the facilitator's screen, the phones, prioritisation, locality selection.
//! - `plans`: a community's plan, its actions, the follow-up.
//! - `reports`: the reports downloaded from the pages.
//! - `admin`: the audit log and the accounts.
//! - `api`: the same data as JSON under `/api`.

pub mod http;

pub mod admin;
pub mod api;
pub mod community;
pub mod data;
pub mod meetings;
pub mod plans;
pub mod reports;
pub mod site;
pub mod sync;

use axum::Router;
use axum::http::{HeaderValue, header};
use sigida_store::Store;

pub use http::server::serve;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// Password checks at once, and the back-off after failed logins.
    pub login_guard: http::login_guard::LoginGuard,
    /// How the server is reached, for the pages that tell people.
    pub reached: Reached,
}

/// How the server is reached: staff over TLS (with the certificate's fingerprint to check)
/// and phones on their own plain listener, or everything on one plain listener.
#[derive(Clone, Debug, Default)]
pub struct Reached {
    pub tls_fingerprint: Option<String>,
    /// The phones' listener's port, when it is not the staff's.
    pub phones_port: Option<u16>,
}

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
                   connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A login form holds a name, a password and where to go next: 4 KB is plenty.
pub const LOGIN_BODY_LIMIT: usize = 4 * 1024;
/// Any other request body (forms, bulk measurement files): 16 MiB.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Every room's routes: the one table the router and the role × route test are built from.
pub fn routes() -> Vec<http::routes::Entry> {
    [
        site::routes(),
        community::routes(),
        data::routes(),
        meetings::routes(),
        plans::routes(),
        reports::routes(),
        admin::routes(),
        api::routes(),
        sync::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The whole application; tests drive it without a socket.
pub fn app(store: Store) -> Router {
    app_reached(store, Reached::default())
}

/// The whole application, knowing how it is reached.
pub fn app_reached(store: Store, reached: Reached) -> Router {
    build(routes(), store, reached)
}

/// What the phones' plain listener serves beside a TLS one: the phones' pages, the
/// stylesheet and the health check, nothing of the staff's.
pub fn phones_app(store: Store) -> Router {
    let phones = routes()
        .into_iter()
        .filter(|e| {
            let path = e.route.path;
            path == "/v"
                || path.starts_with("/v/")
                || path.starts_with("/assets/")
                || path == "/healthz"
        })
        .collect();
    build(phones, store, Reached::default())
}

fn build(entries: Vec<http::routes::Entry>, store: Store, reached: Reached) -> Router {
    let state = AppState {
        store,
        login_guard: http::login_guard::LoginGuard::default(),
        reached,
    };
    http::routes::router(entries, &state)
        .fallback(site::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(http::origin::same_origin))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(http::compress::compress))
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
        // Same-origin, so that a form of these pages names its origin (under `no-referrer` a
        // browser sends `Origin: null`), and nothing goes to another host.
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages and downloads hold contacts, votes and survey answers: no browser or proxy keeps
    // them (a laptop shared in a meeting hall). Only what says otherwise (the stylesheet) is
    // cached.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
