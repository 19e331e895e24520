//! Indicators as the analyst defines them: on an instrument, a question, an option of it or an
//! expression over its questions (XLSForm syntax), a measure, the design's columns, the
//! disaggregations, a theme. Every name is checked against the form (and the data when there
//! are some), an expression is parsed and its error placed at its character, and a preview
//! estimates it on all the instrument's clean rows before it is saved. The page, the workbook
//! sheet and the demo call the same use-cases.

use sigida_core::Id;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::Theme;
use sigida_core::indicator::{Indicator, IndicatorKind, Provenance, method_code};
use sigida_core::instrument::Instrument;
use sigida_store::{Store, Tx};
use sigida_xlsform::Form;
use sigida_xlsform::derived::is_expression;
use sigida_xlsform::form::QuestionKind;

use super::audit;
use crate::common::clean_data::{clean_with, latest_form, log_version, off_runtime};
use crate::{AppError, Refusal};

/// What the analyst types to define an indicator.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndicatorDraft {
    pub code: String,
    pub label: String,
    pub theme: Option<Theme>,
    pub instrument: Option<Id<Instrument>>,
    pub kind: Option<IndicatorKind>,
    pub question: String,
    pub option: Option<String>,
    pub weight: Option<String>,
    pub strata: Option<String>,
    pub cluster: Option<String>,
    pub locality: String,
    pub by: Vec<String>,
}

/// The estimate of a draft on every clean row of its instrument.
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    pub kind: IndicatorKind,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Respondents with an answer.
    pub n: u64,
    /// Clean rows read.
    pub rows: usize,
}

fn refused(code: &'static str, field: &'static str) -> Refusal {
    Refusal::new(code).arg("field", field)
}

/// A short and stable code: lower-case letters, digits and `_`, as XLSForm names are.
fn check_code(code: &str) -> Result<(), Refusal> {
    let ok = !code.is_empty()
        && code.len() <= 40
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(refused("indicator.code", "code").arg("code", code))
    }
}

/// The names a form and its data know: its questions, a select_multiple's split columns
/// (`q/option`, `q.option`), and the data's columns when there are data.
struct Names<'a> {
    form: &'a Form,
    headers: &'a [String],
}

impl Names<'_> {
    fn knows(&self, name: &str) -> bool {
        let name = name.trim();
        self.headers.iter().any(|h| h.trim() == name)
            || self.form.questions.iter().any(|q| {
                q.name == name
                    || matches!(&q.kind, QuestionKind::SelectMultiple { .. })
                        && name
                            .strip_prefix(q.name.as_str())
                            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('.'))
            })
    }

    fn check(&self, name: &str, field: &'static str) -> Result<(), Refusal> {
        if self.knows(name) {
            Ok(())
        } else {
            Err(refused("indicator.unknown_column", field).arg("name", name))
        }
    }

    /// An expression parsed, its error at its character (1-based), every question it reads
    /// known.
    fn check_expression(&self, expression: &str, field: &'static str) -> Result<(), Refusal> {
        let parsed = sigida_xlsform::xpath::parse(expression).map_err(|e| {
            refused("indicator.expression", field)
                .arg("expression", expression)
                .arg("at", (e.position + 1).to_string())
                .arg("message", e.message.as_str())
        })?;
        for (name, at) in sigida_xlsform::xpath::references(&parsed) {
            if !self.knows(name) {
                return Err(refused("indicator.expression_name", field)
                    .arg("name", name)
                    .arg("at", (at + 1).to_string()));
            }
        }
        Ok(())
    }
}

/// The options of a question's choice list, when it has one.
fn options_of<'f>(form: &'f Form, question: &str) -> Option<(bool, Vec<&'f str>)> {
    let q = form.questions.iter().find(|q| q.name == question)?;
    let (list, multiple) = match &q.kind {
        QuestionKind::SelectOne { list, .. } => (list, false),
        QuestionKind::SelectMultiple { list, .. } => (list, true),
        _ => return None,
    };
    let choices = form
        .choice_lists
        .iter()
        .filter(|l| &l.name == list)
        .flat_map(|l| l.choices.iter().map(|c| c.name.as_str()))
        .collect();
    Some((multiple, choices))
}

/// The draft as an indicator, every part checked against the form and the data's columns
/// (`headers`, empty when the instrument has no data yet).
pub fn check(
    draft: &IndicatorDraft,
    form: &Form,
    headers: &[String],
    diagnostic: Id<Diagnostic>,
    id: Id<Indicator>,
) -> Result<Indicator, Refusal> {
    let code = draft.code.trim();
    check_code(code)?;
    if draft.label.trim().is_empty() {
        return Err(refused("indicator.label", "label"));
    }
    let theme = draft
        .theme
        .ok_or_else(|| refused("indicator.theme", "theme"))?;
    let instrument = draft
        .instrument
        .ok_or_else(|| refused("indicator.instrument", "instrument"))?;
    let kind = draft
        .kind
        .ok_or_else(|| refused("indicator.kind", "kind"))?;
    let names = Names { form, headers };
    let question = draft.question.trim();
    if question.is_empty() {
        return Err(refused("indicator.question", "question"));
    }
    if is_expression(question) {
        names.check_expression(question, "question")?;
    } else {
        names.check(question, "question")?;
    }
    let option = draft
        .option
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    match (kind, options_of(form, question)) {
        (IndicatorKind::Mean, _) if option.is_some() => {
            return Err(refused("indicator.mean_option", "option"));
        }
        (IndicatorKind::Share, Some((_, choices))) if option.is_none() => {
            return Err(refused("indicator.option_needed", "option")
                .arg("question", question)
                .arg("options", choices.join(", ")));
        }
        (_, Some((_, choices))) => {
            if let Some(o) = option.filter(|o| !choices.contains(o)) {
                return Err(refused("indicator.unknown_option", "option")
                    .arg("option", o)
                    .arg("question", question)
                    .arg("options", choices.join(", ")));
            }
        }
        _ => {}
    }
    let column = |value: &Option<String>, field: &'static str| -> Result<Option<String>, Refusal> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(name) => names.check(name, field).map(|()| Some(name.to_owned())),
        }
    };
    let locality = draft.locality.trim();
    if locality.is_empty() {
        return Err(refused("indicator.locality", "locality"));
    }
    names.check(locality, "locality")?;
    let mut by = Vec::new();
    for b in draft.by.iter().map(|b| b.trim()).filter(|b| !b.is_empty()) {
        if b.contains(',') {
            return Err(refused("indicator.by_comma", "by").arg("name", b));
        }
        if is_expression(b) {
            names.check_expression(b, "by")?;
        } else {
            names.check(b, "by")?;
        }
        if !by.iter().any(|x: &String| x == b) {
            by.push(b.to_owned());
        }
    }
    Ok(Indicator {
        id,
        diagnostic_id: diagnostic,
        instrument_id: instrument,
        code: code.to_owned(),
        label: draft.label.trim().to_owned(),
        theme,
        kind,
        question: question.to_owned(),
        option: option.map(str::to_owned),
        weight_column: column(&draft.weight, "weight")?,
        strata_column: column(&draft.strata, "strata")?,
        cluster_column: column(&draft.cluster, "cluster")?,
        locality_column: locality.to_owned(),
        by,
    })
}

/// The instrument's columns a design is likely read from: its questions named for a weight,
/// a stratum or a cluster (`weight`, `poids`, `strata`, `strate`, `cluster`, `grappe`…), in
/// that order, for the form to propose.
pub fn design_candidates(form: &Form) -> [Option<String>; 3] {
    let find = |words: &[&str]| {
        form.questions
            .iter()
            .map(|q| q.name.as_str())
            .find(|name| {
                let lower = name.to_ascii_lowercase();
                words.iter().any(|w| lower.contains(w))
            })
            .map(str::to_owned)
    };
    [
        find(&["weight", "poids", "wgt"]),
        find(&["strat"]),
        find(&["cluster", "grappe", "psu"]),
    ]
}

/// A draft checked against its instrument's form and data, and estimated on all of the
/// instrument's clean rows (`None` when it has no data yet).
pub async fn preview(
    store: &Store,
    diagnostic: &Diagnostic,
    draft: &IndicatorDraft,
) -> Result<(Indicator, Option<Preview>), AppError> {
    let instrument = match draft.instrument {
        Some(id) => store.instrument(id).await?,
        None => None,
    }
    .ok_or_else(|| refused("indicator.instrument", "instrument"))?;
    let form = latest_form(store, diagnostic, &instrument).await?;
    let imports = store.instrument_import_ids(instrument.id).await?;
    if imports.is_empty() {
        let indicator = check(draft, &form, &[], diagnostic.id, Id::new())?;
        return Ok((indicator, None));
    }
    let log = store.cleaning_log(instrument.id).await?;
    let (table, _) = clean_with(store, &instrument, &form, &log).await?;
    let indicator = check(draft, &form, &table.headers, diagnostic.id, Id::new())?;
    let provenance = Provenance {
        imports,
        log_version: log_version(&log),
        method: method_code(&indicator),
    };
    let definition = indicator.clone();
    let rows = table.rows.len();
    let computed = off_runtime(move || {
        crate::analysis::indicators::compute(&definition, &table, Id::new(), None, &provenance)
    })
    .await?
    .map_err(|why| refused("indicator.compute", "question").arg("why", why))?;
    let overall = computed.iter().find(|v| v.by.is_none()).map(|v| Preview {
        kind: indicator.kind,
        estimate: v.estimate,
        low: v.ci_low,
        high: v.ci_high,
        n: v.n,
        rows,
    });
    Ok((indicator, overall))
}

/// A checked indicator saved, its code unique in the diagnostic; an indicator whose code
/// findings cite keeps it (their references name it).
pub async fn save_indicator(
    tx: &mut Tx,
    by: Option<&str>,
    indicator: &Indicator,
) -> Result<(), AppError> {
    check_code(&indicator.code)?;
    if let Some(other) = tx
        .indicator_code_holder(indicator.diagnostic_id, &indicator.code, indicator.id)
        .await?
    {
        return Err(refused("indicator.code_taken", "code")
            .arg("code", indicator.code.as_str())
            .arg("other", other)
            .into());
    }
    match tx.indicator_here(indicator.id).await? {
        None => {
            tx.insert_indicator(indicator).await?;
            audit(tx, by, format!("indicator:{}", indicator.id), "defined").await
        }
        Some(before) => {
            if before.code != indicator.code && tx.indicator_citations_here(&before.code).await? > 0
            {
                return Err(refused("indicator.code_cited", "code")
                    .arg("code", before.code.as_str())
                    .into());
            }
            tx.update_indicator(indicator).await?;
            audit(tx, by, format!("indicator:{}", indicator.id), "redefined").await
        }
    }
}

/// An indicator no finding cites, removed with its values.
pub async fn remove_indicator(
    tx: &mut Tx,
    by: Option<&str>,
    id: Id<Indicator>,
) -> Result<(), AppError> {
    let indicator = tx
        .indicator_here(id)
        .await?
        .ok_or_else(|| Refusal::new("missing.indicator").arg("id", id.to_string()))?;
    let cited = tx.indicator_citations_here(&indicator.code).await?;
    if cited > 0 {
        return Err(Refusal::new("indicator.cited")
            .arg("n", cited.to_string())
            .into());
    }
    tx.delete_indicator(id).await?;
    audit(tx, by, format!("indicator:{id}"), "removed").await
}
