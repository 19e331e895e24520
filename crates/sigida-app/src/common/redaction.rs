//! Erased respondents in raw files. A raw file is never edited: one that holds an erased
//! respondent is replaced by a redacted copy — the tables Sigida reads from it, with the
//! person's personal answers emptied — and its original bytes are deleted. The same happens to
//! a file imported after the erasure (a new export from Kobo still holds the person), so an
//! erased respondent stays erased.

use std::collections::HashSet;

use sigida_core::instrument::RawImport;
use sigida_formats::table::Table;
use sigida_store::{RawContent, Store};
use sigida_xlsform::Form;
use sigida_xlsform::dataset::assemble;
use sigida_xlsform::export::{SubmissionId, meta_of, unmangle_header};

use super::clean_data::{DatasetError, personal_columns};

/// A file's tables with erased respondents' personal answers emptied.
pub struct Redacted {
    /// What the import reads from now on ([`sigida_store::Tx::redact_raw_file`]).
    pub bytes: Vec<u8>,
    /// The rows emptied, by sheet (`None`: a CSV's only table).
    pub rows: Vec<(Option<String>, Vec<i64>)>,
    /// How many cells were emptied.
    pub cells: usize,
}

impl Redacted {
    /// Kept in `tx` as what `import` reads from now on, the import's problems on the emptied
    /// rows emptied too.
    pub async fn keep(
        &self,
        tx: &mut sigida_store::Tx,
        import: sigida_core::Id<RawImport>,
    ) -> Result<(), sigida_store::StoreError> {
        tx.redact_raw_file(import, &self.bytes).await?;
        for (sheet, rows) in &self.rows {
            tx.blank_problem_values(import, sheet.as_deref(), rows)
                .await?;
        }
        Ok(())
    }
}

/// The tables of a survey-data import, as its file gives them or as its redacted copy keeps
/// them.
pub async fn import_tables(store: &Store, import: &RawImport) -> Result<Vec<Table>, DatasetError> {
    Ok(read_import(store, import).await?.0)
}

/// The tables of an import, and whether they come from its redacted copy.
async fn read_import(
    store: &Store,
    import: &RawImport,
) -> Result<(Vec<Table>, bool), DatasetError> {
    match store.raw_content(import.id).await? {
        RawContent::Original(bytes) => Ok((
            sigida_xlsform::import::export_tables(&import.file_name, &bytes)?,
            false,
        )),
        RawContent::Redacted(bytes) => Ok((
            serde_json::from_slice(&bytes).map_err(|e| DatasetError::Redacted(e.to_string()))?,
            true,
        )),
    }
}

/// What redacting an instrument's imports changed.
#[derive(Debug, Default)]
pub struct Redactions {
    /// Raw files replaced by a (new) redacted copy.
    pub files: usize,
    /// Answers emptied.
    pub cells: usize,
}

/// Redacts, in `tx`, every import of `instrument` that still holds one of the `erased`
/// respondents, and empties their personal answers in the cleaning log (the form's personal
/// columns, by header and by question name). Run by an erasure, and after another copy's
/// changes arrive (an export it imported may hold someone erased here).
pub async fn redact_instrument(
    store: &Store,
    tx: &mut sigida_store::Tx,
    instrument: &sigida_core::instrument::Instrument,
    form: &Form,
    erased: &HashSet<String>,
) -> Result<Redactions, DatasetError> {
    let mut done = Redactions::default();
    if erased.is_empty() {
        return Ok(done);
    }
    let mut columns: Vec<String> = Vec::new();
    for (import, _) in store.imports_with_submissions(instrument.id).await? {
        let (tables, already) = read_import(store, &import).await?;
        for table in &tables {
            for c in personal_columns(form, &table.headers) {
                let header = &table.headers[c];
                for name in [header.as_str(), header.rsplit('/').next().unwrap_or(header)] {
                    if !columns.iter().any(|k| k == name) {
                        columns.push(name.to_owned());
                    }
                }
            }
        }
        let Some(copy) = redact(form, tables, erased)? else {
            continue;
        };
        if already && copy.cells == 0 {
            continue;
        }
        copy.keep(tx, import.id).await?;
        done.files += 1;
        done.cells += copy.cells;
    }
    for uuid in erased {
        tx.blank_respondent(instrument.id, uuid, &columns).await?;
    }
    Ok(done)
}

/// Columns that name or place the respondent whatever the form says: the instance's name
/// (often made of the respondent's name) and Kobo's copy of the first geopoint.
fn identifying_meta(header: &str) -> bool {
    matches!(
        unmangle_header(header).as_str(),
        "meta/instanceName" | "meta-instanceName" | "instanceName" | "_geolocation"
    )
}

/// Empties the personal answers of the `erased` submissions (and of their repeat rows) in
/// `tables`: the form's personal questions, the identifying metadata, and any answer holding a
/// phone number or an e-mail address. `None` when no erased submission is there.
pub fn redact(
    form: &Form,
    tables: Vec<Table>,
    erased: &HashSet<String>,
) -> Result<Option<Redacted>, DatasetError> {
    if erased.is_empty() {
        return Ok(None);
    }
    let mut dataset = assemble(form, tables)?;
    let mut cells = 0;
    let mut rows = Vec::new();
    let mut empty = |table: &mut Table, which: &[bool]| {
        let personal = personal_columns(form, &table.headers);
        let mut emptied = Vec::new();
        for ((row, values), &erase) in table.rows.iter_mut().zip(which) {
            if !erase {
                continue;
            }
            for (c, value) in values.iter_mut().enumerate() {
                let header = table.headers.get(c).map(String::as_str).unwrap_or("");
                let identifying = personal.contains(&c)
                    || identifying_meta(header)
                    || (meta_of(&unmangle_header(header)).is_none()
                        && sigida_xlsform::cleaning::personal_data_in(value).is_some());
                if identifying && !value.is_empty() {
                    value.clear();
                    cells += 1;
                }
            }
            emptied.push(i64::try_from(*row).unwrap_or(i64::MAX));
        }
        if !emptied.is_empty() {
            rows.push((table.sheet.clone(), emptied));
        }
    };
    let main_erased: Vec<bool> = match SubmissionId::find(&dataset.main.headers) {
        Some(id) => dataset
            .main
            .rows
            .iter()
            .map(|(_, cells)| id.of(cells).is_some_and(|u| erased.contains(u)))
            .collect(),
        None => vec![false; dataset.main.rows.len()],
    };
    empty(&mut dataset.main, &main_erased);
    for repeat in &mut dataset.repeats {
        let which: Vec<bool> = repeat
            .links
            .iter()
            .map(|l| l.submission.as_ref().is_some_and(|s| erased.contains(s)))
            .collect();
        empty(&mut repeat.table, &which);
    }
    if rows.is_empty() {
        return Ok(None);
    }
    // The submissions first, so that reading the copy finds them as it found the file's.
    let tables: Vec<Table> = std::iter::once(dataset.main)
        .chain(dataset.repeats.into_iter().map(|r| r.table))
        .collect();
    let bytes = serde_json::to_vec(&tables).map_err(|e| DatasetError::Redacted(e.to_string()))?;
    Ok(Some(Redacted { bytes, rows, cells }))
}
