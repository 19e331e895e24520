//! Files sent as downloads.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A file to download under its name.
pub(crate) fn attachment(content_type: &str, file: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
