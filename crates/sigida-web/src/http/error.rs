//! One error type for every handler. People get a translated page; scripts get JSON with a
//! stable `error` code. Details of internal errors go to the server log, never to the page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sigida_report::{Lang, Tr};

use crate::http::layout;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not signed in")]
    Unauthenticated { api: bool, next: String },
    #[error("forbidden")]
    Forbidden { api: bool, lang: Lang },
    #[error("not found")]
    NotFound { api: bool, lang: Lang },
    #[error("expired form")]
    Csrf { lang: Lang },
    /// A form sent from a page of another site (`http::origin`).
    #[error("form from another site")]
    CrossOrigin { lang: Lang },
    /// A file sent in a form that could not be read whole: over the size limit (413), or cut.
    #[error("upload: {detail}")]
    Upload {
        lang: Lang,
        too_large: bool,
        detail: String,
    },
    #[error("store: {0}")]
    Store(#[from] sigida_store::StoreError),
    /// Something the user cannot fix: what was being done, and why it failed (logged with its
    /// sources; the page says only that it failed).
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl WebError {
    /// An internal failure with no underlying error (a broken invariant).
    pub fn internal(context: impl Into<String>) -> Self {
        WebError::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An internal failure of `context`, keeping its source for the log.
    pub fn failed(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        WebError::Internal {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl WebError {
    /// A multipart form that could not be read: too large, or cut off.
    pub fn upload(lang: Lang, e: axum::extract::multipart::MultipartError) -> Self {
        WebError::Upload {
            lang,
            too_large: e.status() == StatusCode::PAYLOAD_TOO_LARGE,
            detail: e.body_text(),
        }
    }
}

impl From<sigida_app::common::clean_data::DatasetError> for WebError {
    fn from(e: sigida_app::common::clean_data::DatasetError) -> Self {
        WebError::failed("données nettoyées", e)
    }
}

/// A use-case's refusal that a handler did not answer itself is a bad request; anything else is
/// the store's or internal.
impl From<sigida_app::AppError> for WebError {
    fn from(e: sigida_app::AppError) -> Self {
        match e {
            sigida_app::AppError::Store(e) => WebError::Store(e),
            other => WebError::failed("cas d'usage", other),
        }
    }
}

/// The alert a page shows for the refusal code its URL carries (`?refused=meeting.count`):
/// the catalogue's sentence in the reader's language, or nothing for a code it does not know.
/// A URL never carries the text itself, so no link can make a page say what it wants.
pub fn shown_refusal(tr: Tr, code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
    {
        return None;
    }
    tr.known(&format!("refusal.{code}"))
}

impl WebError {
    fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated { .. } => "unauthenticated",
            WebError::Forbidden { .. } => "forbidden",
            WebError::NotFound { .. } => "not_found",
            WebError::Csrf { .. } => "csrf",
            WebError::CrossOrigin { .. } => "cross_origin",
            WebError::Upload {
                too_large: true, ..
            } => "too_large",
            WebError::Upload { .. } => "bad_request",
            WebError::Store(sigida_store::StoreError::NotFound { .. }) => "not_found",
            WebError::Store(_) | WebError::Internal { .. } => "internal",
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, api, lang, title, detail) = match &self {
            WebError::Unauthenticated { api: false, next } => {
                let target = format!("/login?next={}", encode_query(next));
                return Redirect::to(&target).into_response();
            }
            WebError::Unauthenticated { api: true, .. } => (
                StatusCode::UNAUTHORIZED,
                true,
                Lang::Fr,
                "error.forbidden",
                "error.forbidden_detail",
            ),
            WebError::Forbidden { api, lang } => (
                StatusCode::FORBIDDEN,
                *api,
                *lang,
                "error.forbidden",
                "error.forbidden_detail",
            ),
            WebError::NotFound { api, lang } => (
                StatusCode::NOT_FOUND,
                *api,
                *lang,
                "error.not_found",
                "error.not_found_detail",
            ),
            WebError::Csrf { lang } => (
                StatusCode::FORBIDDEN,
                false,
                *lang,
                "error.bad_request",
                "error.csrf",
            ),
            WebError::CrossOrigin { lang } => (
                StatusCode::FORBIDDEN,
                false,
                *lang,
                "error.bad_request",
                "error.cross_origin",
            ),
            WebError::Upload {
                lang, too_large, ..
            } => {
                tracing::info!(error = %self, "envoi de fichier refusé");
                if *too_large {
                    (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        false,
                        *lang,
                        "error.bad_request",
                        "error.too_large",
                    )
                } else {
                    (
                        StatusCode::BAD_REQUEST,
                        false,
                        *lang,
                        "error.bad_request",
                        "error.bad_upload",
                    )
                }
            }
            // A row the request names that is not there (a foreign id in the path).
            WebError::Store(sigida_store::StoreError::NotFound { .. }) => (
                StatusCode::NOT_FOUND,
                false,
                Lang::Fr,
                "error.not_found",
                "error.not_found_detail",
            ),
            WebError::Store(_) | WebError::Internal { .. } => {
                tracing::error!(error = %self, sources = %sources(&self), "requête en échec");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    false,
                    Lang::Fr,
                    "error.internal",
                    "error.internal_detail",
                )
            }
        };
        let tr = Tr::new(lang);
        if api {
            let body = serde_json::json!({ "error": self.code(), "message": tr.t(detail) });
            return (status, Json(body)).into_response();
        }
        (status, layout::error_page(tr, tr.t(title), tr.t(detail))).into_response()
    }
}

/// Percent-encodes a path for a query string value.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The chain of an error's sources, for the log.
fn sources(error: &dyn std::error::Error) -> String {
    let mut chain = Vec::new();
    let mut next = error.source();
    while let Some(e) = next {
        chain.push(e.to_string());
        next = e.source();
    }
    chain.join(" ← ")
}
