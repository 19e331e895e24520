//! Indicators: a question of an instrument (or an option of it) estimated with the survey's
//! design, for a community and by its disaggregations (sex, status, locality…). Values are
//! stored with their provenance — the imports and the cleaning-log version of the data, and
//! the method — and computed again when either changes.

use crate::community::Community;
use crate::diagnostic::Diagnostic;
use crate::finding::Theme;
use crate::id::Id;
use crate::instrument::{Instrument, RawImport};
use crate::timestamp::Timestamp;
use crate::vocabulary;

vocabulary! {
    IndicatorKind "indicator_kind" {
        /// The weighted share of answers equal to (or holding) an option.
        Share = "share",
        /// The weighted mean of a number.
        Mean = "mean",
        /// The weighted total: of a number, or (with an option) of the rows holding it —
        /// with design weights, how many households of a kind the population counts.
        Total = "total",
    }
}

/// An indicator's definition.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Indicator {
    pub id: Id<Indicator>,
    pub diagnostic_id: Id<Diagnostic>,
    pub instrument_id: Id<Instrument>,
    /// Short and stable: `hh_member_abroad`.
    pub code: String,
    pub label: String,
    pub theme: Theme,
    pub kind: IndicatorKind,
    /// The data column: the question's name, or a select_multiple option's split column.
    pub question: String,
    /// For a share: the option counted.
    pub option: Option<String>,
    pub weight_column: Option<String>,
    pub strata_column: Option<String>,
    pub cluster_column: Option<String>,
    /// The column that says which locality a row is from (its value: the locality's slug).
    pub locality_column: String,
    /// Disaggregations, each estimated on its own (not crossed).
    pub by: Vec<String>,
}

/// Where a set of values comes from: recomputing is needed when this changes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    /// The imports whose submissions make the data, in import order.
    pub imports: Vec<Id<RawImport>>,
    /// The cleaning log's version (entry count and fingerprint).
    pub log_version: String,
    /// How the numbers are made: `method_code`.
    pub method: String,
}

/// One estimate of an indicator for a community: overall (`by` empty) or for one value of
/// one disaggregation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IndicatorValue {
    pub indicator_id: Id<Indicator>,
    pub community_id: Id<Community>,
    /// The disaggregation column and its value, or `None` for the whole community.
    pub by: Option<(String, String)>,
    pub estimate: f64,
    pub se: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Respondents with an answer: the base of the small-cell rule.
    pub n: u64,
    pub provenance: Provenance,
    pub computed_at: Timestamp,
}

/// The method as a stable code for provenance: `taylor` and the design's parts
/// (`taylor:strata+cluster+weight`, `taylor:srs`); reports say it in words.
pub fn method_code(indicator: &Indicator) -> String {
    let parts: Vec<&str> = [
        (indicator.strata_column.is_some(), "strata"),
        (indicator.cluster_column.is_some(), "cluster"),
        (indicator.weight_column.is_some(), "weight"),
    ]
    .into_iter()
    .filter_map(|(used, part)| used.then_some(part))
    .collect();
    if parts.is_empty() {
        "taylor:srs".to_owned()
    } else {
        format!("taylor:{}", parts.join("+"))
    }
}
