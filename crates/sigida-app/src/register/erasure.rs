//! Erasure on request (IOM's data protection principles: a person may ask that their personal
//! data be erased): a participant's name and code, a stakeholder's contact person and phone, a
//! service provider's phone. The record stays — the attendance breakdown, the tallies and the
//! 4W map keep counting it — and the erasure is audited and listed, never the data. Values a
//! person typed are sealed with the diagnostic's key; erased, they are emptied and zeroed on
//! disk, so the key no longer opens them either. Backups taken before still hold them (sealed):
//! keep backups only as long as needed.
//!
//! A survey respondent's answers live in the raw files, which are never edited: each file that
//! holds them is replaced by a redacted copy and its original bytes deleted
//! ([`crate::common::redaction`]); their personal answers leave the cleaning log and the
//! import problems too. Their other answers stay, so estimates keep counting them.

use std::collections::HashSet;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::instrument::Instrument;
use sigida_core::refusal::Refusal;
use sigida_core::{Id, Timestamp};
use sigida_store::{Erasable, Store};

use crate::AppError;
use crate::common::clean_data::{latest_form, personal_columns};
use crate::common::redaction::{import_tables, redact};

/// Erases `subject`'s personal data (`by`: the coordinator who does it, `None` from the
/// command line), in one transaction with its audit entry, then scrubs the files.
pub async fn erase(
    store: &Store,
    kind: Erasable,
    subject: &str,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    let subject = subject.trim();
    let mut tx = store.begin().await?;
    tx.erase(kind, subject, at, by).await?;
    tx.audit(&AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::Erased,
        subject: format!("{}:{subject}", kind.code()),
        detail: "données personnelles effacées sur demande".into(),
    })
    .await?;
    tx.commit().await?;
    store.scrub().await?;
    Ok(())
}

/// What erasing a respondent changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RespondentErased {
    /// The instrument they answered.
    pub instrument: String,
    /// The raw files replaced by a redacted copy.
    pub files: usize,
    /// The answers emptied in them.
    pub cells: usize,
}

/// Erases a survey respondent's personal answers (`uuid`: their submission's id, with or
/// without `uuid:`) from every raw file of the instrument that holds them, from the cleaning
/// log and from the import problems, in one transaction with its audit entry. `within`: the
/// instrument the person asking is on (a submission of another is refused as unknown).
pub async fn erase_respondent(
    store: &Store,
    uuid: &str,
    within: Option<Id<Instrument>>,
    by: Option<&str>,
    at: Timestamp,
) -> Result<RespondentErased, AppError> {
    let uuid = uuid.trim();
    let uuid = uuid.strip_prefix("uuid:").unwrap_or(uuid).trim();
    let unknown = || AppError::from(Refusal::new("erase.unknown_respondent").arg("uuid", uuid));
    let instrument_id = store
        .instrument_of_submission(uuid)
        .await?
        .filter(|found| within.is_none_or(|w| w == *found))
        .ok_or_else(unknown)?;
    let diagnostic = store.main_diagnostic().await?;
    let instrument = store
        .instruments(diagnostic.id)
        .await?
        .into_iter()
        .find(|i| i.id == instrument_id)
        .ok_or_else(unknown)?;
    let form = latest_form(store, &diagnostic, &instrument).await?;
    let erased = HashSet::from([uuid.to_owned()]);
    let mut redacted = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    for (import, _) in store.imports_with_submissions(instrument.id).await? {
        let tables = import_tables(store, &import).await?;
        for table in &tables {
            for c in personal_columns(&form, &table.headers) {
                if !columns.contains(&table.headers[c]) {
                    columns.push(table.headers[c].clone());
                }
            }
        }
        if let Some(copy) = redact(&form, tables, &erased)? {
            redacted.push((import.id, copy));
        }
    }
    // The cleaning log names a question by its name, the export's header by its path.
    let named: Vec<String> = columns
        .iter()
        .filter_map(|h| h.rsplit('/').next().map(str::to_owned))
        .chain(columns.iter().cloned())
        .collect();
    let mut tx = store.begin().await?;
    tx.erase_respondent(instrument.id, uuid, &named, at, by)
        .await?;
    let mut cells = 0;
    for (import, copy) in &redacted {
        tx.redact_raw_file(*import, &copy.bytes).await?;
        for (sheet, rows) in &copy.rows {
            tx.blank_problem_values(*import, sheet.as_deref(), rows)
                .await?;
        }
        cells += copy.cells;
    }
    tx.audit(&AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::Erased,
        subject: format!("respondent:{uuid}"),
        detail: format!(
            "réponses personnelles effacées sur demande ({} : {} fichier(s) brut(s), {cells} valeur(s))",
            instrument.name,
            redacted.len()
        ),
    })
    .await?;
    tx.commit().await?;
    store.scrub().await?;
    Ok(RespondentErased {
        instrument: instrument.name,
        files: redacted.len(),
        cells,
    })
}
