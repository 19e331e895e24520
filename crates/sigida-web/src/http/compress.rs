//! Responses compressed with gzip when the client accepts it: pages, styles, scripts, JSON,
//! CSV and SVG (PDF and XLSX are compressed already). On a 2G link a page's size is its
//! time; the flows page goes from about 53 KB to a few.
//!
//! Small bodies are sent as they are (the header costs more than it saves); large ones are
//! compressed off the async runtime.

use std::io::Write;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Below this, compressing saves less than it costs.
const MIN_SIZE: usize = 1024;
/// Above this, the compression runs on the blocking pool.
const INLINE_MAX: usize = 128 * 1024;
/// The largest body compressed; larger ones go as they are.
const MAX_SIZE: usize = 64 * 1024 * 1024;

fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    matches!(
        essence,
        "text/html"
            | "text/css"
            | "text/csv"
            | "text/plain"
            | "text/javascript"
            | "application/javascript"
            | "application/json"
            | "image/svg+xml"
    )
}

/// Whether `Accept-Encoding` accepts gzip (and does not refuse it with `q=0`).
pub fn accepts_gzip(accept: &str) -> bool {
    accept.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::default(),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}

pub async fn compress(request: Request, next: Next) -> Response {
    let wanted = request
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(accepts_gzip);
    let response = next.run(request).await;
    let eligible = wanted
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(compressible);
    if !eligible {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_SIZE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "réponse non lue pour la compresser");
            return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if bytes.len() < MIN_SIZE {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let compressed = if bytes.len() <= INLINE_MAX {
        gzip(&bytes)
    } else {
        let input = bytes.clone();
        match tokio::task::spawn_blocking(move || gzip(&input)).await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    };
    match compressed {
        Ok(gz) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            Response::from_parts(parts, Body::from(gz))
        }
        Err(e) => {
            tracing::warn!(error = %e, "réponse envoyée sans compression");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br, deflate"));
        assert!(!accepts_gzip("identity"));
    }
}
