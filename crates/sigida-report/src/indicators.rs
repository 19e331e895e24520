//! A community's indicators: each estimate with its 95 % interval and base, by disaggregation,
//! small cells suppressed, and where the numbers come from.

use maud::{Markup, html};
use sigida_core::disclosure::{Cell, publish};
use sigida_core::indicator::{Indicator, IndicatorKind, IndicatorValue};

use crate::{Tr, format};

/// An indicator with its values, or why they could not be computed.
pub struct Computed {
    pub indicator: Indicator,
    pub instrument: String,
    pub values: Result<Vec<IndicatorValue>, String>,
    /// The disaggregations' labels in the language asked for: `(column, "")` for the
    /// question, `(column, value)` for an answer; from the instrument's form.
    pub labels: std::collections::BTreeMap<(String, String), String>,
}

impl Computed {
    /// The section's view of it, with the findings that cite it.
    pub fn shown(&self, cited_by: Vec<(String, String)>) -> Shown<'_> {
        Shown {
            indicator: &self.indicator,
            instrument: &self.instrument,
            values: self.values.as_deref().map_err(String::as_str),
            labels: &self.labels,
            cited_by,
        }
    }
}

/// One indicator as the section shows it.
pub struct Shown<'a> {
    pub indicator: &'a Indicator,
    pub instrument: &'a str,
    /// The values, or why they could not be computed.
    pub values: Result<&'a [IndicatorValue], &'a str>,
    /// Labels of the disaggregations: `(column, "")` the question, `(column, value)` an answer.
    pub labels: &'a std::collections::BTreeMap<(String, String), String>,
    /// The findings that cite the indicator: their page link and statement.
    pub cited_by: Vec<(String, String)>,
}

impl Shown<'_> {
    fn label<'s>(&'s self, column: &'s str, value: &'s str) -> &'s str {
        self.labels
            .get(&(column.to_owned(), value.to_owned()))
            .map_or(
                if value.is_empty() { column } else { value },
                String::as_str,
            )
    }
}

/// A value as readers expect it: a share in per cent, a mean with its unit's precision.
pub fn value(tr: Tr, kind: IndicatorKind, v: f64) -> String {
    match kind {
        IndicatorKind::Share => format::percent(tr, Some(v)),
        IndicatorKind::Mean | IndicatorKind::Total if v.abs() >= 1000.0 => {
            format::integer(tr, v.round() as i64)
        }
        IndicatorKind::Total => format::integer(tr, v.round() as i64),
        IndicatorKind::Mean => format::decimal(tr, v, 1),
    }
}

/// The 95 % interval, held to what the measure can be: a share within 0–1, a count not
/// below zero.
pub fn interval(tr: Tr, kind: IndicatorKind, v: &IndicatorValue) -> String {
    interval_of(tr, kind, v.ci_low, v.ci_high)
}

/// The 95 % interval from its bounds, held as [`interval`] holds it.
pub fn interval_of(tr: Tr, kind: IndicatorKind, low: f64, high: f64) -> String {
    let (floor, ceiling) = match kind {
        IndicatorKind::Share => (0.0, 1.0),
        IndicatorKind::Total => (0.0, f64::MAX),
        IndicatorKind::Mean => (f64::MIN, f64::MAX),
    };
    format!(
        "[{} – {}]",
        value(tr, kind, low.max(floor)),
        value(tr, kind, high.min(ceiling)),
    )
}

/// The method code (`taylor:strata+cluster+weight#1a2b3c4d`) in words, with the definition
/// that produced the values.
fn method(tr: Tr, code: &str) -> String {
    let (code, definition) = code.split_once('#').unwrap_or((code, ""));
    let parts = code.strip_prefix("taylor:").unwrap_or(code);
    let design: Vec<&str> = parts
        .split('+')
        .map(|p| tr.t(&format!("indicators.design_{p}")))
        .collect();
    let method = format!(
        "{} ({})",
        tr.t("indicators.method_taylor"),
        design.join(", ")
    );
    if definition.is_empty() {
        method
    } else {
        format!("{method} · {} {definition}", tr.t("indicators.definition"))
    }
}

/// `min_cell`: the diagnostic's disclosure threshold.
pub fn section(tr: Tr, shown: &[Shown<'_>], min_cell: u64) -> Markup {
    if shown.is_empty() {
        return html! { p.note { (tr.t("indicators.none")) } };
    }
    let mut suppressed_any = false;
    let body = html! {
        @for s in shown {
            @let i = s.indicator;
            section.indicator id=(i.code) {
                h3 { (i.label) }
                p.note { (tr.t(i.theme.label_key())) " · " (tr.t(i.kind.label_key())) " · " code { (i.code) } }
                // An indicator on an expression says how it is computed.
                @if i.question.contains("${") {
                    p.note { (tr.t("indicators.expression")) " " code { (i.question) } }
                }
                @match s.values {
                    Err(why) => p.note { (tr.t("indicators.failed")) " " (why) },
                    Ok([]) => p.note { (tr.t("indicators.no_data")) },
                    Ok(values) => {
                        @if let Some(all) = values.iter().find(|v| v.by.is_none()) {
                            p.headline {
                                strong { (value(tr, i.kind, all.estimate)) }
                                " " (interval(tr, i.kind, all))
                                " · n = " (format::integer(tr, all.n as i64))
                            }
                        }
                        @for by in &i.by {
                            @let rows: Vec<&IndicatorValue> = values.iter().filter(|v| v.by.as_ref().is_some_and(|(c, _)| c == by)).collect();
                            @if !rows.is_empty() {
                                div.table-wrap.spaced {
                                    table {
                                        caption { (tr.t("indicators.by")) " " (s.label(by, "")) }
                                        thead { tr {
                                            th scope="col" { (s.label(by, "")) }
                                            th scope="col" { (tr.t("indicators.estimate")) }
                                            th scope="col" { (tr.t("indicators.interval")) }
                                            th scope="col" { "n" }
                                        } }
                                        tbody {
                                            @for v in rows {
                                                tr {
                                                    th scope="row" { (v.by.as_ref().map_or("", |(c, value)| s.label(c, value))) }
                                                    @match publish((), v.n, min_cell) {
                                                        Cell::Shown(()) => {
                                                            td.num { (value(tr, i.kind, v.estimate)) }
                                                            td.num { (interval(tr, i.kind, v)) }
                                                            td.num { (format::integer(tr, v.n as i64)) }
                                                        }
                                                        Cell::Suppressed => {
                                                            td.num.suppressed colspan="3" { (tr.with_n("indicators.suppressed", min_cell)) }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if !s.cited_by.is_empty() {
                            p { (tr.t("indicators.cited_by")) " "
                                @for (k, (href, statement)) in s.cited_by.iter().enumerate() {
                                    @if k > 0 { " · " }
                                    a href=(href) { (statement) }
                                }
                            }
                        }
                        @if let Some(first) = values.first() {
                            p.note.provenance {
                                (tr.t("indicators.source")) " " (s.instrument) " · "
                                (first.provenance.imports.len()) " " (tr.t("indicators.imports")) " · "
                                (tr.t("indicators.log_version")) " " code { (first.provenance.log_version) } " · "
                                (method(tr, &first.provenance.method)) " · "
                                (tr.t("indicators.computed_on")) " " (format::date(tr, first.computed_at.date()))
                            }
                        }
                    }
                }
            }
        }
    };
    for s in shown {
        if let Ok(values) = s.values {
            suppressed_any |= values
                .iter()
                .any(|v| matches!(publish((), v.n, min_cell), Cell::Suppressed));
        }
    }
    html! {
        (body)
        @if suppressed_any { p.note { (tr.with_n("indicators.suppression_note", min_cell)) } }
    }
}
