//! What a community's pages share: the community the route guard loaded, and their frame.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use maud::{Markup, html};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;

use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::layout;
use crate::http::routes::Loaded;

/// The diagnostic and the community a route's `{slug}` (or its meeting, or its action) names,
/// as the route guard loaded them.
pub struct InCommunity {
    pub diagnostic: Diagnostic,
    pub community: Community,
}

impl<S: Send + Sync> FromRequestParts<S> for InCommunity {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        let Loaded(diagnostic) = Loaded::<Diagnostic>::from_request_parts(parts, state).await?;
        let Loaded(community) = Loaded::<Community>::from_request_parts(parts, state).await?;
        Ok(InCommunity {
            diagnostic,
            community,
        })
    }
}

/// An analysis page around its body: the way back to the community, the title.
pub(crate) fn analysis_layout(
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    title_key: &str,
    body: Markup,
) -> Markup {
    let title = format!("{} — {}", viewer.tr.t(title_key), community.name);
    let body = html! {
        p.note { a href={"/communities/" (community.slug)} { "← " (community.name) } }
        h1 { (title) }
        (body)
    };
    layout::page(viewer, "/communities", &title, diagnostic.synthetic, body)
}
