//! The diagnostic: one workspace holding a programme's zone, communities, data, meetings and plans.

use serde::{Deserialize, Serialize};

use crate::{Id, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub id: Id<Diagnostic>,
    pub name: String,
    /// ISO 3166-1 alpha-3 code of the country (`MLI`).
    pub country_iso3: String,
    pub programme: String,
    /// Generated demonstration data: every page and report says so.
    pub synthetic: bool,
    /// The disclosure threshold: a published cell resting on fewer respondents is suppressed
    /// (pages, API and reports alike).
    pub min_cell: u64,
    pub created_at: Timestamp,
}
