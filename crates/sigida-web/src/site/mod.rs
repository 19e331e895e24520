//! The site itself: health check, stylesheet, unknown paths, signing in and out, language.

use crate::AppState;
use crate::http::auth::language;
use crate::http::error::WebError;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

pub mod login;

pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, WebError> {
    state.store.ping().await?;
    Ok("ok")
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        sigida_report::html::stylesheet(),
    )
        .into_response()
}

pub async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> WebError {
    WebError::NotFound {
        api: uri.path().starts_with("/api/"),
        lang: language(&headers),
    }
}

pub fn routes() -> Vec<crate::http::routes::Entry> {
    use crate::http::routes::{
        Access::{Public, SignedIn},
        Loads::Nothing,
        get, post,
    };
    vec![
        get("/healthz", Public, Nothing, healthz),
        get("/assets/sigida.css", Public, Nothing, stylesheet),
        get("/login", Public, Nothing, login::login_page),
        post("/login", Public, Nothing, login::login).body_limit(crate::LOGIN_BODY_LIMIT),
        post("/logout", SignedIn, Nothing, login::logout),
        get("/lang/{code}", Public, Nothing, login::set_language),
    ]
}
