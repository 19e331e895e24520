//! An instrument's XLSForm, and its exports checked against it: the way survey data comes in,
//! whether from the command line, an upload or the demo.

use sigida_core::instrument::{
    ImportKind, Instrument, InstrumentKind, InstrumentVersion, RawImport,
};
use sigida_core::{Id, Timestamp};
use sigida_report::Tr;
use sigida_store::{ImportProblem, NewSubmission, RawFile, Store, sha256_hex};
use sigida_xlsform::import::{ExportCheck, check_export};
use sigida_xlsform::read_form_bytes;

use super::audited;
use crate::common::clean_data::{latest_form, off_runtime};
use crate::common::files::Upload;
use crate::common::redaction::redact;
use crate::{AppError, Refusal};

/// A form taken as an instrument's newest version.
#[derive(Clone, Debug)]
pub struct FormImported {
    pub instrument: Instrument,
    pub version: String,
    pub questions: usize,
    pub choice_lists: usize,
    pub languages: Vec<String>,
    /// Questions whose answers are personal data.
    pub personal: usize,
    pub warnings: usize,
}

#[derive(Clone, Debug)]
pub enum FormImport {
    New(FormImported),
    /// This very form is already the version `version`: nothing changed.
    Same {
        version: String,
    },
}

impl FormImport {
    pub fn summary(&self, tr: Tr, instrument: &str) -> String {
        match self {
            FormImport::Same { version } => tr.fill(
                "imported.form_same",
                &[("version", version.as_str()), ("instrument", instrument)],
            ),
            FormImport::New(f) => tr.fill(
                "imported.form",
                &[
                    ("instrument", f.instrument.name.clone()),
                    ("version", f.version.clone()),
                    ("questions", f.questions.to_string()),
                    ("lists", f.choice_lists.to_string()),
                    (
                        "languages",
                        if f.languages.is_empty() {
                            tr.t("imported.no_language").to_owned()
                        } else {
                            f.languages.join(", ")
                        },
                    ),
                    ("personal", f.personal.to_string()),
                    ("warnings", f.warnings.to_string()),
                ],
            ),
        }
    }
}

/// `file` (an XLSForm: XLSX, XLS, pyxform's CSV, a Kobo asset's JSON) as the newest version of
/// the instrument `name`, created of `kind` if new. A form that cannot be read is refused with
/// every problem; the same form again changes nothing.
pub async fn import_form(
    store: &Store,
    file: Upload<'_>,
    name: &str,
    kind: InstrumentKind,
    by: Option<&str>,
) -> Result<FormImport, AppError> {
    let form = read_form_bytes(file.name, file.bytes).map_err(AppError::Form)?;
    let diagnostic = store.main_diagnostic().await?;
    let sha = sha256_hex(file.bytes);
    let existing = store.instrument_by_name(diagnostic.id, name).await?;
    // Read before the transaction: a second connection while it writes could wait on it.
    let versions = match &existing {
        Some(instrument) => store.instrument_versions(instrument.id).await?,
        None => Vec::new(),
    };
    if let Some(instrument) = &existing {
        if instrument.kind != kind {
            return Err(Refusal::new("instrument.kind")
                .arg("instrument", name)
                .arg("kind", instrument.kind.code())
                .arg("given", kind.code())
                .into());
        }
        if let Some(same) = versions.iter().find(|v| v.form_sha256 == sha) {
            return Ok(FormImport::Same {
                version: same.version.clone(),
            });
        }
    }
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let instrument = match existing {
        Some(i) => i,
        None => {
            if name.trim().is_empty() {
                return Err(Refusal::new("register.name").into());
            }
            let i = Instrument {
                id: Id::new(),
                diagnostic_id: diagnostic.id,
                kind,
                name: name.to_owned(),
            };
            tx.insert_instrument(&i).await?;
            i
        }
    };
    let mut version = form.version.clone().unwrap_or_else(|| sha[..8].to_owned());
    if versions.iter().any(|v| v.version == version) {
        version = format!("{version}-{}", &sha[..8]);
    }
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::Form,
            file_name: file.name,
            bytes: file.bytes,
            record_count: form.questions.len() as i64,
            problem_count: form.warnings.len() as i64,
            imported_by: by,
            at,
        })
        .await?;
    tx.insert_instrument_version(&InstrumentVersion {
        id: Id::new(),
        instrument_id: instrument.id,
        version: version.clone(),
        form_sha256: sha,
        created_at: at,
    })
    .await?;
    tx.audit(&audited(
        at,
        by,
        kept.import.id,
        format!("formulaire {name} version {version}"),
    ))
    .await?;
    tx.commit().await?;
    Ok(FormImport::New(FormImported {
        instrument,
        version,
        questions: form.questions.len(),
        choice_lists: form.choice_lists.len(),
        languages: form.languages.clone(),
        personal: form
            .questions
            .iter()
            .filter(|q| q.personal.is_some())
            .count(),
        warnings: form.warnings.len(),
    }))
}

/// An export checked against its form, and what became of it.
#[derive(Clone, Debug)]
pub struct ExportImport {
    pub check: ExportCheck,
    pub outcome: ExportOutcome,
}

#[derive(Clone, Debug)]
pub enum ExportOutcome {
    /// Its new submissions are kept (`added`, of `rows`); the instrument now has `total`.
    Imported { added: u64, rows: u64, total: u64 },
    /// The very same file was imported before: nothing changed.
    Again(RawImport),
    /// Values break the form and the person did not accept them: nothing was stored.
    Refused { problems: usize },
}

impl ExportImport {
    /// What became of the file, in a sentence.
    pub fn summary(&self, tr: Tr, instrument: &str) -> String {
        match &self.outcome {
            ExportOutcome::Imported { added, rows, total } => tr.fill(
                "imported.export",
                &[
                    ("added", added.to_string()),
                    ("known", rows.saturating_sub(*added).to_string()),
                    ("instrument", instrument.to_owned()),
                    ("total", total.to_string()),
                ],
            ),
            ExportOutcome::Again(import) => tr.fill(
                "imported.again",
                &[("date", import.imported_at.date().to_string())],
            ),
            ExportOutcome::Refused { problems } => {
                tr.with_n("imported.export_refused", *problems as u64)
            }
        }
    }

    /// The check, sheet by sheet: rows, questions recognised, columns outside the form, rows
    /// without their parent, the columns with most problems and an example of each.
    pub fn report(&self, tr: Tr) -> String {
        let check = &self.check;
        let mut out = String::new();
        for sheet in &check.ignored {
            out.push_str(&format!(
                "  {}\n",
                tr.fill("check.ignored", &[("sheet", sheet)])
            ));
        }
        for sheet in std::iter::once(&check.main).chain(&check.repeats) {
            let name = sheet
                .sheet
                .as_deref()
                .map(|s| tr.fill("check.sheet", &[("sheet", s)]))
                .unwrap_or_else(|| tr.t("check.file").to_owned());
            let (found, total) = sheet.coverage;
            out.push_str(&format!(
                "  {}\n",
                tr.fill(
                    "check.coverage",
                    &[
                        ("name", name),
                        ("rows", sheet.rows.to_string()),
                        ("found", found.to_string()),
                        ("total", total.to_string()),
                        ("problems", sheet.problem_total.to_string()),
                    ],
                )
            ));
            let unknown = sheet.unknown_columns();
            if !unknown.is_empty() {
                let mut shown = unknown
                    .iter()
                    .take(8)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                if unknown.len() > 8 {
                    shown.push_str(", …");
                }
                out.push_str(&format!(
                    "    {}\n",
                    tr.fill(
                        "check.unknown",
                        &[("n", unknown.len().to_string()), ("columns", shown)]
                    )
                ));
            }
            if sheet.orphans > 0 {
                out.push_str(&format!(
                    "    {}\n",
                    tr.with_n("check.orphans", sheet.orphans as u64)
                ));
            }
            let mut by_column: Vec<_> = sheet.problems_by_column.iter().collect();
            by_column.sort_by(|a, b| b.1.cmp(a.1));
            for (column, count) in by_column.iter().take(10) {
                let example = sheet
                    .problems
                    .iter()
                    .find(|p| &&p.column == column)
                    .map(|p| {
                        " ".to_owned()
                            + &tr.fill(
                                "check.example",
                                &[
                                    ("row", p.row.to_string()),
                                    ("value", p.value.clone()),
                                    ("message", p.message.lines().next().unwrap_or("").to_owned()),
                                ],
                            )
                    })
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {}{example}\n",
                    tr.fill(
                        "check.column",
                        &[("column", column.as_str()), ("n", &count.to_string())]
                    )
                ));
            }
        }
        out
    }
}

/// An export given as several files: ODK's main CSV followed by its repeats' CSVs, kept together
/// as one raw file (a ZIP that stores each byte for byte), named after the first. One file is
/// taken as it is. `files` are `(name, bytes)`.
pub fn bundle_export(files: Vec<(String, Vec<u8>)>) -> Result<(String, Vec<u8>), AppError> {
    match files.len() {
        0 => Err(Refusal::new("export.no_file").into()),
        1 => Ok(files.into_iter().next().unwrap_or_default()),
        n => {
            if let Some((name, _)) = files
                .iter()
                .find(|(name, _)| !name.to_ascii_lowercase().ends_with(".csv"))
            {
                return Err(Refusal::new("export.several_not_csv")
                    .arg("file", name.as_str())
                    .into());
            }
            let stem = std::path::Path::new(&files[0].0)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bundled = sigida_formats::table::bundle(&files)?;
            Ok((format!("{stem} ({n} fichiers).zip"), bundled))
        }
    }
}

/// An export (one file, or ODK's main CSV and its repeats bundled as a ZIP) checked against
/// the newest form of the instrument `name`; its new submissions kept, all or nothing, unless
/// values break the form and `accept_warnings` is false. The check runs off the async runtime.
pub async fn import_export(
    store: &Store,
    name: &str,
    file_name: &str,
    bytes: Vec<u8>,
    accept_warnings: bool,
    by: Option<&str>,
) -> Result<ExportImport, AppError> {
    let diagnostic = store.main_diagnostic().await?;
    let instrument = store
        .instrument_by_name(diagnostic.id, name)
        .await?
        .ok_or_else(|| Refusal::new("instrument.unknown").arg("instrument", name))?;
    let version = store
        .instrument_versions(instrument.id)
        .await?
        .pop()
        .ok_or_else(|| Refusal::new("instrument.no_form").arg("instrument", name))?;
    let form = latest_form(store, &diagnostic, &instrument).await?;
    let erased = store.erased_respondents(instrument.id).await?;
    let at = Timestamp::now();
    let now_days = at.datetime().unix_timestamp() as f64 / 86_400.0;
    let path = std::path::PathBuf::from(file_name);
    let name_of_file = file_name.to_owned();
    let (result, bytes) = off_runtime(move || {
        let result = (|| -> Result<_, AppError> {
            let check = check_export(&form, &path, &bytes, now_days)?;
            // A respondent erased before still in this export (Kobo keeps them): the file is
            // kept redacted at once.
            let holds_erased = check
                .main
                .submissions
                .iter()
                .any(|(_, uuid, _)| erased.contains(uuid.as_str()));
            let redacted = if holds_erased {
                let tables = sigida_xlsform::import::export_tables(&name_of_file, &bytes)
                    .map_err(crate::common::clean_data::DatasetError::from)?;
                redact(&form, tables, &erased)?
            } else {
                None
            };
            Ok((check, redacted))
        })();
        (result, bytes)
    })
    .await?;
    let (check, redacted) = result?;
    let problems = check.problem_total();
    if problems > 0 && !accept_warnings {
        return Ok(ExportImport {
            check,
            outcome: ExportOutcome::Refused { problems },
        });
    }
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: Some(version.id),
            kind: ImportKind::SurveyData,
            file_name,
            bytes: &bytes,
            record_count: check.main.rows as i64,
            problem_count: problems as i64,
            imported_by: by,
            at,
        })
        .await?;
    // The file is stored: its bytes need not stay in memory while the rest is written.
    drop(bytes);
    if !kept.created {
        tx.rollback().await?;
        return Ok(ExportImport {
            check,
            outcome: ExportOutcome::Again(kept.import),
        });
    }
    let submissions: Vec<NewSubmission<'_>> = check
        .main
        .submissions
        .iter()
        .map(|(row, uuid, time)| NewSubmission {
            uuid,
            row: *row as i64,
            submitted_at: time.as_deref(),
        })
        .collect();
    let added = tx
        .add_submissions(instrument.id, kept.import.id, &submissions)
        .await?;
    let kept_problems: Vec<ImportProblem> = std::iter::once(&check.main)
        .chain(&check.repeats)
        .flat_map(|sheet| {
            sheet.problems.iter().map(|p| ImportProblem {
                sheet: sheet.sheet.clone(),
                row: p.row as i64,
                column: p.column.clone(),
                value: p.value.clone(),
                message: p.message.clone(),
            })
        })
        .collect();
    tx.add_import_problems(kept.import.id, &kept_problems)
        .await?;
    if let Some(copy) = &redacted {
        copy.keep(&mut tx, kept.import.id).await?;
    }
    tx.audit(&audited(
        at,
        by,
        kept.import.id,
        format!(
            "{file_name} : {} lignes, {added} nouvelles soumissions",
            check.main.rows
        ),
    ))
    .await?;
    tx.commit().await?;
    if redacted.is_some() {
        store.scrub().await?;
    }
    let total = u64::try_from(store.submission_count(instrument.id).await?).unwrap_or(0);
    let rows = check.main.rows as u64;
    Ok(ExportImport {
        check,
        outcome: ExportOutcome::Imported { added, rows, total },
    })
}
