//! A record's page says when a conflict between copies of the diagnostic waits on it.

use maud::{Markup, html};
use sigida_core::access::Permission;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;

/// The notice over a record (`table`'s row `id`) that has conflicts waiting, with the way to
/// the page where a coordinator or an analyst settles them; nothing when it has none.
pub async fn banner(
    state: &AppState,
    viewer: &Viewer,
    table: &str,
    id: &str,
) -> Result<Markup, WebError> {
    let waiting = state.store.conflicts_on(table, id).await?;
    let tr = viewer.tr;
    Ok(html! {
        @if waiting > 0 {
            p.alert role="status" {
                (tr.t("sync.record_conflicts").replace("{n}", &waiting.to_string()))
                @if viewer.may(Permission::ResolveConflicts) {
                    " " a href="/sync#conflits" { (tr.t("sync.settle_there")) }
                }
            }
        }
    })
}
