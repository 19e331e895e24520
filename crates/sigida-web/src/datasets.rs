//! An instrument's data as one table: the rows of every import that brought submissions
//! (by `_uuid`, the first import wins), columns united in the order they first appear; and its
//! clean version, raw data with the cleaning log applied.

use std::collections::{HashMap, HashSet};

use sigida_core::Id;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::Instrument;
use sigida_formats::table::Table;
use sigida_store::{Store, StoreError};
use sigida_xlsform::cleaning::{Applied, apply_log};
use sigida_xlsform::export::SubmissionId;
use sigida_xlsform::{Form, read_form_bytes};

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("fichier brut illisible : {0}")]
    Raw(#[from] sigida_formats::FormatError),
    #[error("formulaire enregistré illisible : {0}")]
    Form(#[from] sigida_xlsform::FormError),
    #[error("l'instrument « {0} » n'a pas encore de formulaire")]
    NoForm(String),
}

/// The community's localities as survey data name them (their slugs): which rows are its own.
pub async fn locality_slugs(
    store: &Store,
    community: &sigida_core::community::Community,
) -> Result<Vec<String>, StoreError> {
    Ok(store
        .localities(community.id)
        .await?
        .iter()
        .map(|l| sigida_core::community::slugify(&l.name))
        .collect())
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

/// The raw submissions of an instrument, as one table.
pub async fn raw_dataset(
    store: &Store,
    instrument: Id<Instrument>,
    name: &str,
) -> Result<Table, DatasetError> {
    let mut headers: Vec<String> = Vec::new();
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    for (import, uuids) in store.imports_with_submissions(instrument).await? {
        let bytes = store.raw_bytes(&import.sha256).await?;
        let Some(table) = sigida_xlsform::import::export_tables(&import.file_name, &bytes)?
            .into_iter()
            .next()
        else {
            continue;
        };
        // The submissions this import brought, found by their id as the import found them.
        let Some(id) = SubmissionId::find(&table.headers) else {
            continue;
        };
        let wanted: HashSet<&str> = uuids.iter().map(String::as_str).collect();
        // Where each of this file's columns goes in the united table.
        let mut position: Vec<usize> = Vec::with_capacity(table.headers.len());
        for header in &table.headers {
            match headers.iter().position(|h| h == header) {
                Some(p) => position.push(p),
                None => {
                    headers.push(header.clone());
                    position.push(headers.len() - 1);
                }
            }
        }
        for (row, cells) in table.rows {
            if !id.of(&cells).is_some_and(|u| wanted.contains(u)) {
                continue;
            }
            let mut united = vec![String::new(); headers.len()];
            for (value, &p) in cells.into_iter().zip(&position) {
                united[p] = value;
            }
            rows.push((row, united));
        }
    }
    for (_, cells) in &mut rows {
        cells.resize(headers.len(), String::new());
    }
    Ok(Table {
        file: name.to_owned(),
        sheet: None,
        headers,
        rows,
    })
}

/// The clean data of an instrument: raw data with its cleaning log applied.
pub async fn clean_dataset(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
) -> Result<(Form, Table, Applied), DatasetError> {
    let form = latest_form(store, diagnostic, instrument).await?;
    let log = store.cleaning_log(instrument.id).await?;
    let (clean, applied) = clean_with(store, instrument, &form, &log).await?;
    Ok((form, clean, applied))
}

/// The same with the form and the log already at hand.
pub async fn clean_with(
    store: &Store,
    instrument: &Instrument,
    form: &Form,
    log: &[sigida_core::cleaning::LogEntry],
) -> Result<(Table, Applied), DatasetError> {
    let raw = raw_dataset(store, instrument.id, &instrument.name).await?;
    Ok(apply_log(form, &raw, log))
}

/// A short fingerprint of a cleaning log's content: the version clean data was made with.
pub fn log_version(log: &[sigida_core::cleaning::LogEntry]) -> String {
    let mut text = String::new();
    for e in log {
        text.push_str(&e.cells().join("\u{1f}"));
        text.push('\u{1e}');
    }
    let digest = sigida_store::sha256_hex(text.as_bytes());
    format!("{}-{}", log.len(), &digest[..8])
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
