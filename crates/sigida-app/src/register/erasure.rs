//! Erasure on request (IOM's data protection principles: a person may ask that their personal
//! data be erased): a participant's name and code, a stakeholder's contact person and phone, a
//! service provider's phone. The record stays — the attendance breakdown, the tallies and the
//! 4W map keep counting it — and the erasure is audited and listed, never the data. Values a
//! person typed are sealed with the diagnostic's key; erased, they are emptied and zeroed on
//! disk, so the key no longer opens them either. Backups taken before still hold them (sealed):
//! keep backups only as long as needed.
//!
//! Survey answers live in the raw files, which are never edited: erasing a respondent needs a
//! key per raw file, destroyed on erasure — not done yet (the survey's questions marked
//! personal are left out of every export by default).

use sigida_core::Timestamp;
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_store::{Erasable, Store};

use crate::AppError;

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
