//! A form sent from another site is refused before any handler runs. The CSRF token protects
//! the forms of a session; the forms without one (the login, the phones' join and ballot)
//! rely on this: a browser names the page a form was sent from in `Origin`, and a form of
//! another host, or of a page that hides its origin (`null`), does not match this server's
//! `Host`. A request without `Origin` comes from no browser page (a script, an old phone's
//! browser) and is judged by the handler as before.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::language;
use super::error::WebError;

pub async fn same_origin(request: Request, next: Next) -> Response {
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !reads && !from_this_host(request.headers()) {
        tracing::warn!(
            origin = ?request.headers().get(header::ORIGIN),
            host = ?request.headers().get(header::HOST),
            path = %request.uri().path(),
            "formulaire d'un autre site refusé"
        );
        return WebError::CrossOrigin {
            lang: language(request.headers()),
        }
        .into_response();
    }
    next.run(request).await
}

/// True without an `Origin`, or when it names this server's host (and port).
fn from_this_host(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let authority = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("http://")
            .or_else(|| o.strip_prefix("https://"))
    });
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&'static str>, host: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_static(o));
        }
        if let Some(o) = host {
            h.insert(header::HOST, HeaderValue::from_static(o));
        }
        h
    }

    #[test]
    fn only_this_hosts_pages_or_no_page_may_post() {
        assert!(from_this_host(&headers(None, Some("192.168.1.10:8080"))));
        assert!(from_this_host(&headers(
            Some("http://192.168.1.10:8080"),
            Some("192.168.1.10:8080")
        )));
        assert!(from_this_host(&headers(
            Some("https://Sigida.local"),
            Some("sigida.local")
        )));
        for (origin, host) in [
            ("http://evil.example", Some("192.168.1.10:8080")),
            ("null", Some("192.168.1.10:8080")),
            ("http://192.168.1.10:9999", Some("192.168.1.10:8080")),
            (
                "http://192.168.1.10:8080.evil.example",
                Some("192.168.1.10:8080"),
            ),
            ("http://192.168.1.10:8080", None),
        ] {
            assert!(!from_this_host(&headers(Some(origin), host)), "{origin}");
        }
    }
}
