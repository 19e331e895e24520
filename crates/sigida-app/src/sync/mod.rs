//! Copies of one diagnostic brought together. A sync file, for roads without a link, holds a
//! copy's changes that the other side has not acknowledged, and its acknowledgement of the
//! other's: sealed with the diagnostic's key (XChaCha20-Poly1305: a file altered, or made
//! without the key, does not open), applied all or nothing, and applied twice changes nothing.
//! The acknowledgement travels back in the other side's next file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sigida_core::Timestamp;
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_store::Store;
use sigida_store::sync::{Applied, Batch, Peer};
use sigida_vault::{Key, Secret};

use crate::common::clean_data::{latest_form, off_runtime};
use crate::common::error::vault_refusal;
use crate::common::redaction::redact_instrument;
use crate::{AppError, Refusal};

/// The version of the exchange itself; a copy refuses another's.
pub const PROTOCOL: u32 = 1;
const FORMAT: &str = "sigida-sync";

/// What a sync file holds, inside its seal.
#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    protocol: u32,
    /// The diagnostic it belongs to.
    diagnostic: Option<String>,
    /// The secret the audit chains are keyed with, for a new copy.
    audit_secret: Option<String>,
    batch: Batch,
}

/// Which peer a file is for.
#[derive(Clone, Copy, Debug)]
pub enum For<'a> {
    /// The one peer this copy knows, or a new copy when it knows none.
    Default,
    /// A peer by its name (or replica id).
    Peer(&'a str),
    /// A new copy: everything.
    NewCopy,
}

/// What a written sync file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The peer it is for (`None`: a new copy).
    pub peer: Option<String>,
    pub changes: usize,
    pub bytes: u64,
}

/// What applying a sync file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The copy it came from.
    pub from: String,
    pub applied: Applied,
    /// Raw files redacted here because they hold someone erased on a copy.
    pub redacted: usize,
}

fn peer_for(peers: &[Peer], to: For<'_>) -> Result<Option<Peer>, AppError> {
    let names = || {
        peers
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match to {
        For::NewCopy => Ok(None),
        For::Peer(name) => peers
            .iter()
            .find(|p| p.name == name || p.replica == name)
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                Refusal::new("sync.unknown_peer")
                    .arg("name", name)
                    .arg("known", names())
                    .into()
            }),
        For::Default => match peers {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            _ => Err(Refusal::new("sync.which_peer").arg("known", names()).into()),
        },
    }
}

/// Writes the changes `to` has not acknowledged into `out`, sealed with `key`. The file
/// appears whole or not at all.
pub async fn write_file(
    store: &Store,
    key: &Key,
    to: For<'_>,
    out: &Path,
) -> Result<Written, AppError> {
    let peer = peer_for(&store.peers().await?, to)?;
    let batch = store
        .outgoing(peer.as_ref().map(|p| p.replica.as_str()))
        .await?;
    let diagnostic = store.main_diagnostic().await.ok().map(|d| d.id.to_string());
    let changes = batch.changes.len();
    let envelope = Envelope {
        format: FORMAT.into(),
        protocol: PROTOCOL,
        diagnostic,
        audit_secret: store.audit_secret(),
        batch,
    };
    let (key, out) = (key.clone(), out.to_owned());
    let bytes = off_runtime(move || -> Result<u64, AppError> {
        let json = serde_json::to_vec(&envelope)
            .map_err(|e| Refusal::new("sync.encode").arg("detail", e.to_string()))?;
        let partial = out.with_extension("partiel");
        let written = |source| AppError::Write {
            path: out.clone(),
            source,
        };
        let file = sigida_vault::create_private(&partial).map_err(written)?;
        let mut writer = std::io::BufWriter::new(file);
        sigida_vault::seal(&Secret::KeyFile(key), &json[..], &mut writer).map_err(vault_refusal)?;
        drop(writer);
        std::fs::rename(&partial, &out).map_err(written)?;
        Ok(std::fs::metadata(&out).map_err(written)?.len())
    })
    .await??;
    Ok(Written {
        peer: peer.map(|p| p.name),
        changes,
        bytes,
    })
}

/// Opens a sync file with `key` and applies it to `store` in one transaction (audited), then
/// redacts what an erasure listed on either copy requires.
pub async fn read_file(
    store: &mut Store,
    key: &Key,
    file: &Path,
    by: Option<&str>,
) -> Result<Received, AppError> {
    let (key_copy, path) = (key.clone(), file.to_owned());
    let envelope = off_runtime(move || -> Result<Envelope, AppError> {
        let input = std::fs::File::open(&path).map_err(|e| {
            Refusal::new("sync.unreadable")
                .arg("path", path.display().to_string())
                .arg("detail", e.to_string())
        })?;
        let mut json = Vec::new();
        sigida_vault::open(
            &Secret::KeyFile(key_copy),
            std::io::BufReader::new(input),
            &mut json,
        )
        .map_err(vault_refusal)?;
        let envelope: Envelope = serde_json::from_slice(&json).map_err(|e| {
            Refusal::new("sync.not_a_sync_file")
                .arg("path", path.display().to_string())
                .arg("detail", e.to_string())
        })?;
        Ok(envelope)
    })
    .await??;
    if envelope.format != FORMAT {
        return Err(Refusal::new("sync.not_a_sync_file")
            .arg("path", file.display().to_string())
            .arg("detail", envelope.format)
            .into());
    }
    if envelope.protocol != PROTOCOL {
        return Err(Refusal::new("sync.protocol")
            .arg("theirs", envelope.protocol.to_string())
            .arg("ours", PROTOCOL.to_string())
            .into());
    }
    let ours = store.main_diagnostic().await.ok();
    if let (Some(ours), Some(theirs)) = (&ours, &envelope.diagnostic)
        && ours.id.to_string() != *theirs
    {
        return Err(Refusal::new("sync.other_diagnostic")
            .arg("ours", ours.name.as_str())
            .into());
    }
    if ours.is_none()
        && let Some(secret) = &envelope.audit_secret
    {
        store.adopt_audit_secret(secret).await?;
    }
    let at = Timestamp::now();
    let batch = &envelope.batch;
    let mut tx = store.begin().await?;
    let applied = tx.apply(batch, &at.to_rfc3339()).await?;
    tx.audit(&AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::Synced,
        subject: format!("replica:{}", batch.from),
        detail: format!(
            "« {} » : {} modification(s) appliquée(s), {} déjà reçue(s), {} conflit(s)",
            batch.name, applied.applied, applied.skipped, applied.conflicts
        ),
    })
    .await?;
    tx.commit().await?;
    let redacted = enforce_erasures(store).await?;
    Ok(Received {
        from: batch.name.clone(),
        applied,
        redacted,
    })
}

/// Every respondent erased on any copy, redacted from the raw files here.
async fn enforce_erasures(store: &Store) -> Result<usize, AppError> {
    let Ok(diagnostic) = store.main_diagnostic().await else {
        return Ok(0);
    };
    let mut redacted = 0;
    for instrument in store.instruments(diagnostic.id).await? {
        let erased: HashSet<String> = store.erased_respondents(instrument.id).await?;
        if erased.is_empty() {
            continue;
        }
        let form = latest_form(store, &diagnostic, &instrument).await?;
        let mut tx = store.begin().await?;
        redacted += redact_instrument(store, &mut tx, &instrument, &form, &erased)
            .await?
            .files;
        tx.commit().await?;
    }
    if redacted > 0 {
        store.scrub().await?;
    }
    Ok(redacted)
}

/// Settles a conflict (`by`: the coordinator or analyst who chose), audited; the settlement
/// travels to the other copies with the next file and settles it there too.
pub async fn resolve(
    store: &Store,
    conflict: &str,
    choice: &sigida_store::sync::Choice,
    by: Option<&str>,
) -> Result<sigida_store::sync::Conflict, AppError> {
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let settled = tx
        .resolve_conflict(
            conflict,
            choice,
            by.unwrap_or("ligne de commande"),
            &at.to_rfc3339(),
        )
        .await?;
    tx.audit(&AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::ConflictResolved,
        subject: format!("{}:{}", settled.table, settled.key),
        detail: format!(
            "champ {} : {}",
            settled.field,
            match choice {
                sigida_store::sync::Choice::Ours => "valeur de cette copie gardée".to_owned(),
                sigida_store::sync::Choice::Theirs => "valeur de l'autre copie prise".to_owned(),
                sigida_store::sync::Choice::Value(_) => "nouvelle valeur écrite".to_owned(),
                sigida_store::sync::Choice::Discard => "ligne de l'autre copie écartée".to_owned(),
            }
        ),
    })
    .await?;
    tx.commit().await?;
    store.scrub().await?;
    Ok(settled)
}
