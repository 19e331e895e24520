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
/// (`taylor:strata+cluster+weight`, `taylor:srs`), then `#` and the fingerprint of the
/// definition that produced the values ([`definition_fingerprint`]); reports say it in words.
/// Editing an indicator's definition changes its code, so its stored values are computed again.
pub fn method_code(indicator: &Indicator) -> String {
    let parts: Vec<&str> = [
        (indicator.strata_column.is_some(), "strata"),
        (indicator.cluster_column.is_some(), "cluster"),
        (indicator.weight_column.is_some(), "weight"),
    ]
    .into_iter()
    .filter_map(|(used, part)| used.then_some(part))
    .collect();
    let design = if parts.is_empty() {
        "srs".to_owned()
    } else {
        parts.join("+")
    };
    format!("taylor:{design}#{}", definition_fingerprint(indicator))
}

/// Eight hex digits that change when anything the values depend on changes: the measure,
/// the question or expression, the option, the design columns, the locality column, the
/// disaggregations (FNV-1a, stable across machines and versions).
pub fn definition_fingerprint(i: &Indicator) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let none = String::new();
    let fields = [
        i.kind.code(),
        i.question.as_str(),
        i.option.as_ref().unwrap_or(&none).as_str(),
        i.weight_column.as_ref().unwrap_or(&none).as_str(),
        i.strata_column.as_ref().unwrap_or(&none).as_str(),
        i.cluster_column.as_ref().unwrap_or(&none).as_str(),
        i.locality_column.as_str(),
    ]
    .into_iter()
    .chain(i.by.iter().map(String::as_str));
    for field in fields {
        for byte in field.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", (hash >> 32) as u32 ^ hash as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Theme;

    fn indicator() -> Indicator {
        Indicator {
            id: Id::from_seed(1),
            diagnostic_id: Id::from_seed(2),
            instrument_id: Id::from_seed(3),
            code: "hh_member_abroad".into(),
            label: "Ménages avec un membre à l'étranger".into(),
            theme: Theme::Migration,
            kind: IndicatorKind::Share,
            question: "member_abroad".into(),
            option: Some("yes".into()),
            weight_column: Some("weight".into()),
            strata_column: None,
            cluster_column: None,
            locality_column: "locality".into(),
            by: vec!["resp_sex".into()],
        }
    }

    #[test]
    fn the_method_code_names_the_design_and_the_definition() {
        let a = indicator();
        assert!(
            method_code(&a).starts_with("taylor:weight#"),
            "{}",
            method_code(&a)
        );
        // The label, code and theme do not change the values; the definition does.
        let mut renamed = a.clone();
        renamed.label = "Autre libellé".into();
        renamed.code = "autre".into();
        assert_eq!(method_code(&renamed), method_code(&a));
        for change in [
            |i: &mut Indicator| i.option = Some("no".into()),
            |i: &mut Indicator| i.by.push("status".into()),
            |i: &mut Indicator| i.question = "${member_abroad} = 'yes'".into(),
            |i: &mut Indicator| i.kind = IndicatorKind::Total,
        ] {
            let mut changed = a.clone();
            change(&mut changed);
            assert_ne!(method_code(&changed), method_code(&a));
        }
        // Two fields that swap their text are still two definitions.
        let mut b = a.clone();
        b.question = "memberabroad".into();
        b.option = Some("_yes".into());
        assert_ne!(definition_fingerprint(&b), definition_fingerprint(&a));
    }
}
