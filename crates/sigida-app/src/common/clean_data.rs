//! An instrument's data as one table: the rows of every import that brought submissions
//! (by `_uuid`, the first import wins), columns united in the order they first appear; and its
//! clean version, raw data with the cleaning log applied.

use std::collections::{HashMap, HashSet};

use sigida_core::Id;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::Instrument;
use sigida_formats::table::Table;
use sigida_store::{Store, StoreError};
use sigida_xlsform::cleaning::{Applied, apply_log, apply_log_dataset};
use sigida_xlsform::dataset::{Dataset, Link, RepeatRows, assemble};
use sigida_xlsform::export::SubmissionId;
use sigida_xlsform::{Form, read_form_bytes};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("raw file: {0}")]
    Raw(#[from] sigida_formats::FormatError),
    #[error("stored form: {0}")]
    Form(#[from] sigida_xlsform::FormError),
    #[error("dataset.no_form instrument={0:?}")]
    NoForm(String),
    #[error("redacted copy: {0}")]
    Redacted(String),
    #[error("worker: {0}")]
    Worker(#[from] tokio::task::JoinError),
}

/// Runs work that holds a core (applying a cleaning log, estimating) on the blocking pool, so
/// that the async runtime keeps answering (the ballots of a meeting, above all).
pub async fn off_runtime<T, F>(work: F) -> Result<T, DatasetError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// The answers of `instrument`'s locality question that are the community's: its localities'
/// slugs and names, the P-codes no other community's locality has, and the answers a person
/// mapped to them — less the answers a person mapped elsewhere. Which rows are its own.
pub async fn community_answers(
    store: &Store,
    instrument: Id<Instrument>,
    community: &sigida_core::community::Community,
) -> Result<Vec<String>, StoreError> {
    let mut answers: Vec<String> = answer_localities(store, instrument, community)
        .await?
        .into_iter()
        .map(|(answer, _)| answer)
        .collect();
    answers.sort();
    answers.dedup();
    Ok(answers)
}

/// The community's answers of `instrument`'s locality question ([`community_answers`]), each
/// with the locality it stands for.
pub async fn answer_localities(
    store: &Store,
    instrument: Id<Instrument>,
    community: &sigida_core::community::Community,
) -> Result<Vec<(String, Id<sigida_core::geography::Locality>)>, StoreError> {
    let localities = store.localities(community.id).await?;
    let mut elsewhere = Vec::new();
    for other in store.communities(community.diagnostic_id).await? {
        if other.id != community.id {
            elsewhere.extend(store.localities(other.id).await?);
        }
    }
    let mapped = store.locality_answers(instrument).await?;
    let own = |id: &Id<sigida_core::geography::Locality>| localities.iter().any(|l| l.id == *id);
    let mut answers = Vec::new();
    for l in &localities {
        answers.push((sigida_core::community::slugify(&l.name), l.id));
        answers.push((l.name.clone(), l.id));
        if let Some(pcode) = &l.admin_pcode
            && !elsewhere
                .iter()
                .any(|o| o.admin_pcode.as_deref() == Some(pcode.as_str()))
        {
            answers.push((pcode.clone(), l.id));
        }
    }
    answers.retain(|(a, _)| !mapped.iter().any(|(m, _)| m == a));
    answers.extend(mapped.into_iter().filter(|(_, id)| own(id)));
    Ok(answers)
}

/// The instrument's latest form.
pub async fn latest_form(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
) -> Result<Form, DatasetError> {
    let version = store
        .instrument_versions(instrument.id)
        .await?
        .pop()
        .ok_or_else(|| DatasetError::NoForm(instrument.name.clone()))?;
    let import = store
        .form_import(diagnostic.id, &version.form_sha256)
        .await?
        .ok_or_else(|| DatasetError::NoForm(instrument.name.clone()))?;
    let bytes = store.raw_bytes(&version.form_sha256).await?;
    Ok(read_form_bytes(&import.file_name, &bytes)?)
}

/// Tables of several imports made one: columns united in the order they first appear.
#[derive(Default)]
struct United<L> {
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    links: Vec<L>,
}

impl<L> United<L> {
    /// Adds the rows of `table` that `keep` accepts, with what `keep` says of each.
    fn add(&mut self, table: &Table, mut keep: impl FnMut(usize, &[String]) -> Option<L>) {
        // Where each of this file's columns goes in the united table.
        let mut position: Vec<usize> = Vec::with_capacity(table.headers.len());
        for header in &table.headers {
            match self.headers.iter().position(|h| h == header) {
                Some(p) => position.push(p),
                None => {
                    self.headers.push(header.clone());
                    position.push(self.headers.len() - 1);
                }
            }
        }
        for (i, (row, cells)) in table.rows.iter().enumerate() {
            let Some(link) = keep(i, cells) else {
                continue;
            };
            let mut united = vec![String::new(); self.headers.len()];
            for (value, &p) in cells.iter().zip(&position) {
                united[p].clone_from(value);
            }
            self.rows.push((*row, united));
            self.links.push(link);
        }
    }

    fn table(mut self, file: &str, sheet: Option<String>) -> (Table, Vec<L>) {
        for (_, cells) in &mut self.rows {
            cells.resize(self.headers.len(), String::new());
        }
        (
            Table {
                file: file.to_owned(),
                sheet,
                headers: self.headers,
                rows: self.rows,
            },
            self.links,
        )
    }
}

/// One survey-data import with its own tables: the submissions it brought (not those an
/// earlier import had), and its file read against the form.
pub struct Imported {
    pub import: sigida_core::instrument::RawImport,
    pub brought: Vec<String>,
    pub dataset: Dataset,
}

/// Each survey-data import of an instrument, oldest first.
pub async fn imported_datasets(
    store: &Store,
    instrument: &Instrument,
    form: &Form,
) -> Result<Vec<Imported>, DatasetError> {
    let mut out = Vec::new();
    for (import, brought) in store.imports_with_submissions(instrument.id).await? {
        let tables = super::redaction::import_tables(store, &import).await?;
        let dataset = assemble(form, tables)?;
        out.push(Imported {
            import,
            brought,
            dataset,
        });
    }
    Ok(out)
}

/// The raw data of an instrument, repeats included: the submissions each import brought (the
/// first import of a submission wins), and the repeat rows of those submissions from the same
/// import.
pub async fn raw_export(
    store: &Store,
    instrument: &Instrument,
    form: &Form,
) -> Result<Dataset, DatasetError> {
    let imported = imported_datasets(store, instrument, form).await?;
    Ok(unite(&instrument.name, form, &imported))
}

/// The imports' tables made one, each table's columns united in the order they first appear.
pub fn unite(name: &str, form: &Form, imported: &[Imported]) -> Dataset {
    let mut main: United<()> = United::default();
    let mut repeats: Vec<(usize, United<Link>)> = Vec::new();
    for Imported {
        brought, dataset, ..
    } in imported
    {
        // The submissions this import brought, found by their id as the import found them.
        let Some(id) = SubmissionId::find(&dataset.main.headers) else {
            continue;
        };
        let wanted: HashSet<&str> = brought.iter().map(String::as_str).collect();
        main.add(&dataset.main, |_, cells| {
            id.of(cells)
                .is_some_and(|u| wanted.contains(u))
                .then_some(())
        });
        for rows in &dataset.repeats {
            let at = match repeats.iter().position(|(r, _)| *r == rows.repeat) {
                Some(at) => at,
                None => {
                    repeats.push((rows.repeat, United::default()));
                    repeats.len() - 1
                }
            };
            repeats[at].1.add(&rows.table, |i, _| {
                let link = rows.links.get(i)?;
                link.submission
                    .as_deref()
                    .is_some_and(|u| wanted.contains(u))
                    .then(|| link.clone())
            });
        }
    }
    let (main, _) = main.table(name, None);
    let repeats = repeats
        .into_iter()
        .map(|(repeat, united)| {
            let (table, links) = united.table(name, Some(form.groups[repeat].name.clone()));
            RepeatRows {
                repeat,
                table,
                links,
            }
        })
        .collect();
    Dataset {
        main,
        repeats,
        ignored: Vec::new(),
    }
}

/// The raw submissions of an instrument, as one table (the main table of `raw_export`).
pub async fn raw_dataset(
    store: &Store,
    instrument: &Instrument,
    form: &Form,
) -> Result<Table, DatasetError> {
    Ok(raw_export(store, instrument, form).await?.main)
}

/// The clean data of an instrument: raw data with its cleaning log applied.
pub async fn clean_dataset(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
) -> Result<(Form, Table, Applied), DatasetError> {
    let (form, clean, applied) = clean_export(store, diagnostic, instrument).await?;
    Ok((form, clean.main, applied))
}

/// The clean data of an instrument with its repeats.
pub async fn clean_export(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
) -> Result<(Form, Dataset, Applied), DatasetError> {
    let form = latest_form(store, diagnostic, instrument).await?;
    let log = store.cleaning_log(instrument.id).await?;
    let raw = raw_export(store, instrument, &form).await?;
    let form_copy = form.clone();
    let (clean, applied) = off_runtime(move || apply_log_dataset(&form_copy, &raw, &log)).await?;
    Ok((form, clean, applied))
}

/// The clean main table with the form and the log already at hand.
pub async fn clean_with(
    store: &Store,
    instrument: &Instrument,
    form: &Form,
    log: &[sigida_core::cleaning::LogEntry],
) -> Result<(Table, Applied), DatasetError> {
    let raw = raw_dataset(store, instrument, form).await?;
    let (form, log) = (form.clone(), log.to_vec());
    off_runtime(move || apply_log(&form, &raw, &log)).await
}

/// A short fingerprint of a cleaning log's content: the version clean data was made with.
pub fn log_version(log: &[sigida_core::cleaning::LogEntry]) -> String {
    let mut text = String::new();
    for e in log {
        // An entry about a submission's own answers reads as it did before repeat rows had
        // a loop index, so existing versions keep their fingerprint.
        let cells = e.cells();
        let cells: Vec<&str> = if e.loop_index.is_empty() {
            cells
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, c)| *c)
                .collect()
        } else {
            cells.to_vec()
        };
        text.push_str(&cells.join("\u{1f}"));
        text.push('\u{1e}');
    }
    let digest = sigida_store::sha256_hex(text.as_bytes());
    format!("{}-{}", log.len(), &digest[..8])
}

/// Clean data as it leaves Sigida: the submissions (sheet `donnees_propres`), then each
/// repeat's rows (sheet named after the repeat) led by their keys — the submission's uuid, the
/// row's `loop_index` and its parent's — with the personal columns left out unless
/// `with_personal`. Also the columns left out, and how many personal columns there were.
pub fn publishable_tables(
    form: &Form,
    clean: &Dataset,
    with_personal: bool,
) -> (Vec<Table>, Vec<String>, usize) {
    let mut tables = vec![Table {
        sheet: Some("donnees_propres".into()),
        ..clean.main.clone()
    }];
    for rows in &clean.repeats {
        let mut table = rows.table.clone();
        table.sheet = Some(rows.name(form).to_owned());
        table.headers.splice(
            0..0,
            ["_submission__uuid", "loop_index", "parent_loop_index"].map(str::to_owned),
        );
        for ((_, cells), link) in table.rows.iter_mut().zip(&rows.links) {
            cells.splice(
                0..0,
                [
                    link.submission.clone().unwrap_or_default(),
                    link.key.clone(),
                    link.parent.clone(),
                ],
            );
        }
        tables.push(table);
    }
    let mut left_out = Vec::new();
    let mut personal_total = 0;
    for table in &mut tables {
        let personal = personal_columns(form, &table.headers);
        personal_total += personal.len();
        if with_personal || personal.is_empty() {
            continue;
        }
        left_out.extend(personal.iter().map(|&c| table.headers[c].clone()));
        let keep: Vec<usize> = (0..table.headers.len())
            .filter(|c| !personal.contains(c))
            .collect();
        table.headers = keep.iter().map(|&c| table.headers[c].clone()).collect();
        for (_, cells) in &mut table.rows {
            *cells = keep
                .iter()
                .map(|&c| std::mem::take(&mut cells[c]))
                .collect();
        }
    }
    (tables, left_out, personal_total)
}

/// Which columns of a data table hold personal data, by the form's marks.
pub fn personal_columns(form: &Form, headers: &[String]) -> Vec<usize> {
    let roles = sigida_xlsform::export::map_columns(form, headers, None);
    let personal: HashMap<usize, bool> = form
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (i, q.personal.is_some()))
        .collect();
    roles
        .iter()
        .enumerate()
        .filter(|(_, role)| match role {
            sigida_xlsform::export::ColumnRole::Question { question }
            | sigida_xlsform::export::ColumnRole::Option { question, .. }
            | sigida_xlsform::export::ColumnRole::Geo { question, .. }
            | sigida_xlsform::export::ColumnRole::FlattenedRepeat { question, .. }
            | sigida_xlsform::export::ColumnRole::Attachment { question } => {
                personal.get(question).copied().unwrap_or(false)
            }
            _ => false,
        })
        .map(|(c, _)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_personal_media_answer_takes_its_download_address_with_it() {
        let form = sigida_xlsform::read::read_sheets(
            "f.xlsx",
            &[Table::sheet(
                "f.xlsx",
                "survey",
                &[
                    &["type", "name", "label"],
                    &["image", "photo", "Photo du document"],
                    &["integer", "taille", "Taille du ménage"],
                ],
            )],
        )
        .unwrap();
        let headers: Vec<String> = ["_uuid", "photo", "photo_URL", "grp/photo_URL", "taille"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        assert_eq!(personal_columns(&form, &headers), [1, 2, 3]);
    }
}
