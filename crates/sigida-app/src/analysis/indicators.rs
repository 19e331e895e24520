//! A community's indicators: the stored values when their provenance still matches the data,
//! else computed again with the estimation engine on the clean data (raw imports + cleaning
//! log) of the community's localities, and stored with the new provenance.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use sigida_core::cleaning::LogEntry;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::indicator::{Indicator, IndicatorKind, IndicatorValue, Provenance, method_code};
use sigida_core::instrument::{Instrument, RawImport};
use sigida_core::{Id, Timestamp};
use sigida_formats::table::Table;
use sigida_store::Store;
use sigida_survey::Z95;
use sigida_survey::table::{Measure, TableSpec, estimate_table};

use sigida_xlsform::Form;
use sigida_xlsform::derived::{is_expression, with_derived};

use crate::common::clean_data::{
    DatasetError, clean_with, community_answers, latest_form, log_version,
};

pub use sigida_report::indicators::Computed;

/// The labels of the disaggregation questions and their answers, from the form.
fn labels(form: &Form, by: &[String], language: &str) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for column in by {
        let Some(question) = form.questions.iter().find(|q| &q.name == column) else {
            continue;
        };
        if let Some(text) = form.text(&question.label, language) {
            out.insert((column.clone(), String::new()), text.to_owned());
        }
        let list = question.kind.list();
        for choice in form
            .choice_lists
            .iter()
            .filter(|l| Some(l.name.as_str()) == list)
            .flat_map(|l| &l.choices)
        {
            if let Some(text) = form.text(&choice.label, language) {
                out.insert((column.clone(), choice.name.clone()), text.to_owned());
            }
        }
    }
    out
}

/// What the indicators of one instrument share: read once per call, whatever their number.
struct InstrumentData {
    instrument: Instrument,
    form: Form,
    log: Vec<LogEntry>,
    imports: Vec<Id<RawImport>>,
    /// Made only when an indicator's stored values are out of date.
    clean: Option<std::sync::Arc<Table>>,
    /// The answers of its locality question that are the community's.
    answers: Vec<String>,
    /// Its locality question, when a person set it (else each indicator's column).
    locality_question: Option<String>,
}

/// Every indicator of the diagnostic for one community; labels in `language` (`fr`, `en`).
pub async fn community_indicators(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    language: &str,
) -> Result<Vec<Computed>, DatasetError> {
    let mut instruments: HashMap<Id<Instrument>, InstrumentData> = HashMap::new();
    let mut out = Vec::new();
    for indicator in store.indicators(diagnostic.id).await? {
        if let Entry::Vacant(slot) = instruments.entry(indicator.instrument_id) {
            let Some(instrument) = store.instrument(indicator.instrument_id).await? else {
                continue;
            };
            let data = InstrumentData {
                form: latest_form(store, diagnostic, &instrument).await?,
                log: store.cleaning_log(instrument.id).await?,
                imports: store.instrument_import_ids(instrument.id).await?,
                clean: None,
                answers: community_answers(store, instrument.id, community).await?,
                locality_question: store.locality_question(instrument.id).await?,
                instrument,
            };
            slot.insert(data);
        }
        let Some(data) = instruments.get_mut(&indicator.instrument_id) else {
            continue;
        };
        let provenance = Provenance {
            imports: data.imports.clone(),
            log_version: log_version(&data.log),
            method: method_code(&indicator),
        };
        let labels = labels(&data.form, &indicator.by, language);
        let instrument = data.instrument.name.clone();
        let stored = store.indicator_values(indicator.id, community.id).await?;
        if stored.first().is_some_and(|v| v.provenance == provenance)
            || provenance.imports.is_empty()
        {
            out.push(Computed {
                indicator,
                instrument,
                values: Ok(stored),
                labels,
            });
            continue;
        }
        if data.clean.is_none() {
            let (table, _) = clean_with(store, &data.instrument, &data.form, &data.log).await?;
            data.clean = Some(std::sync::Arc::new(table));
        }
        let values = match data.clean.clone() {
            Some(table) => {
                let mut definition = indicator.clone();
                if let Some(question) = &data.locality_question {
                    definition.locality_column.clone_from(question);
                }
                let (localities, provenance, id) =
                    (data.answers.clone(), provenance.clone(), community.id);
                crate::common::clean_data::off_runtime(move || {
                    compute(&definition, &table, id, Some(&localities), &provenance)
                })
                .await?
            }
            None => Err(String::new()),
        };
        if let Ok(values) = &values {
            let mut tx = store.begin().await?;
            tx.replace_indicator_values(indicator.id, community.id, values, Timestamp::now())
                .await?;
            tx.commit().await?;
        }
        out.push(Computed {
            indicator,
            instrument,
            values,
            labels,
        });
    }
    Ok(out)
}

/// The values of one indicator on the rows of the community's localities (`None`: every
/// row, as a definition's preview reads them): the whole community first, then each
/// disaggregation's values.
pub fn compute(
    indicator: &Indicator,
    table: &Table,
    community: Id<Community>,
    localities: Option<&[String]>,
    provenance: &Provenance,
) -> Result<Vec<IndicatorValue>, String> {
    // An indicator on an expression (`${hh_size} >= 10`) reads it as a column of its own.
    let names =
        std::iter::once(indicator.question.as_str()).chain(indicator.by.iter().map(String::as_str));
    let table = if names.clone().any(is_expression) {
        std::borrow::Cow::Owned(
            with_derived(table, names).map_err(|e| format!("{} : {e}", indicator.code))?,
        )
    } else {
        std::borrow::Cow::Borrowed(table)
    };
    let locality = table
        .column(&indicator.locality_column)
        .ok_or_else(|| format!("colonne « {} » absente", indicator.locality_column))?;
    let rows: Vec<(usize, Vec<String>)> = table
        .rows
        .iter()
        .filter(|(_, cells)| {
            localities.is_none_or(|localities| {
                cells
                    .get(locality)
                    .is_some_and(|v| localities.iter().any(|l| l == v.trim()))
            })
        })
        .cloned()
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let measure = match indicator.kind {
        IndicatorKind::Mean => Measure::Mean(&indicator.question),
        IndicatorKind::Total => Measure::Total {
            column: &indicator.question,
            option: indicator.option.as_deref(),
        },
        IndicatorKind::Share => Measure::Share {
            column: &indicator.question,
            option: indicator.option.as_deref().unwrap_or("1"),
        },
    };
    let computed_at = Timestamp::now();
    let mut values = Vec::new();
    // The whole community (no `by` column), then each disaggregation on its own.
    let splits = std::iter::once(None).chain(indicator.by.iter().map(Some));
    for by in splits {
        let columns: Vec<&str> = by.map(String::as_str).into_iter().collect();
        let spec = TableSpec {
            weight: indicator.weight_column.as_deref(),
            strata: indicator.strata_column.as_deref(),
            cluster: indicator.cluster_column.as_deref(),
            by: &columns,
            measure,
        };
        let rows = estimate_table(&table.headers, &rows, &spec)
            .map_err(|e| format!("{} : {e}", indicator.code))?;
        for row in rows {
            let e = row.estimate;
            values.push(IndicatorValue {
                indicator_id: indicator.id,
                community_id: community,
                by: by.map(|b| (b.clone(), row.domain.join(" "))),
                estimate: e.estimate,
                se: e.se,
                ci_low: e.estimate - Z95 * e.se,
                ci_high: e.estimate + Z95 * e.se,
                n: e.n,
                provenance: provenance.clone(),
                computed_at,
            });
        }
    }
    Ok(values)
}

pub use sigida_report::analysis::group_views;

#[cfg(test)]
mod tests {
    use sigida_core::finding::Theme;

    use super::*;

    fn indicator(question: &str, by: &[&str]) -> Indicator {
        Indicator {
            id: Id::new(),
            diagnostic_id: Id::new(),
            instrument_id: Id::new(),
            code: "hh_large".into(),
            label: "Ménages de 10 personnes ou plus".into(),
            theme: Theme::Livelihoods,
            kind: IndicatorKind::Share,
            question: question.into(),
            option: None,
            weight_column: Some("weight".into()),
            strata_column: None,
            cluster_column: None,
            locality_column: "locality".into(),
            by: by.iter().map(|b| b.to_string()).collect(),
        }
    }

    #[test]
    fn an_indicator_on_an_expression_is_estimated_like_a_question() {
        let rows = [
            ("a", "2", "12", "f"),
            ("a", "1", "4", "m"),
            ("a", "1", "", "f"),
            ("a", "3", "10", "m"),
            ("b", "5", "15", "f"),
        ];
        let table = Table {
            file: "menages.csv".into(),
            sheet: None,
            headers: ["locality", "weight", "hh_size", "sex"]
                .map(String::from)
                .to_vec(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, [r.0, r.1, r.2, r.3].map(String::from).to_vec()))
                .collect(),
        };
        let provenance = Provenance {
            imports: vec![],
            log_version: "0".into(),
            method: "taylor:weight".into(),
        };
        let values = compute(
            &indicator("${hh_size} >= 10", &["sex"]),
            &table,
            Id::new(),
            Some(&["a".into()]),
            &provenance,
        )
        .unwrap();
        // Locality a: weights 2 (12 people), 1 (4), 3 (10); the unanswered size is left out.
        assert!((values[0].estimate - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(values[0].n, 3);
        let men = values
            .iter()
            .find(|v| v.by == Some(("sex".into(), "m".into())))
            .unwrap();
        assert!((men.estimate - 3.0 / 4.0).abs() < 1e-12);

        let wrong = compute(
            &indicator("${household} >= 10", &[]),
            &table,
            Id::new(),
            Some(&["a".into()]),
            &provenance,
        )
        .unwrap_err();
        assert!(
            wrong.contains("hh_large") && wrong.contains("household"),
            "{wrong}"
        );
    }
}
