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
use crate::common::clean_data::latest_form;
use crate::common::redaction::redact_instrument;

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
    let mut tx = store.begin().await?;
    tx.erase_respondent(instrument.id, uuid, at, by).await?;
    let done = redact_instrument(store, &mut tx, &instrument, &form, &erased).await?;
    let (files, cells) = (done.files, done.cells);
    tx.audit(&AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::Erased,
        subject: format!("respondent:{uuid}"),
        detail: format!(
            "réponses personnelles effacées sur demande ({} : {} fichier(s) brut(s), {cells} valeur(s))",
            instrument.name, files
        ),
    })
    .await?;
    tx.commit().await?;
    store.scrub().await?;
    Ok(RespondentErased {
        instrument: instrument.name,
        files,
        cells,
    })
}
