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

pub use replicas::{add_replica, revoke_replica, scope};

mod replicas;

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
    /// The copy it came from: its name and replica id.
    pub from: String,
    pub from_replica: String,
    /// Whether that copy has more to send (an exchange over the network).
    pub more: bool,
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
pub async fn write_file(store: &Store, to: For<'_>, out: &Path) -> Result<Written, AppError> {
    let key = key_of(store)?;
    let peer = peer_for(&store.peers().await?, to)?;
    let envelope = envelope_of(store, peer.as_ref().map(|p| p.replica.as_str()), None).await?;
    let changes = envelope.batch.changes.len();
    let out = out.to_owned();
    let bytes = off_runtime(move || -> Result<u64, AppError> {
        let sealed = seal(&key, &envelope)?;
        let partial = out.with_extension("partiel");
        let written = |source| AppError::Write {
            path: out.clone(),
            source,
        };
        let mut file = sigida_vault::create_private(&partial).map_err(written)?;
        std::io::Write::write_all(&mut file, &sealed).map_err(written)?;
        file.sync_all().map_err(written)?;
        drop(file);
        std::fs::rename(&partial, &out).map_err(written)?;
        Ok(sealed.len() as u64)
    })
    .await??;
    Ok(Written {
        peer: peer.map(|p| p.name),
        changes,
        bytes,
    })
}

/// The diagnostic's key, which seals every exchange.
fn key_of(store: &Store) -> Result<Key, AppError> {
    store
        .key()
        .ok_or_else(|| Refusal::new("sync.no_key").into())
}

/// What this copy sends `peer` (`None`: a new copy), at most `limit` log entries.
async fn envelope_of(
    store: &Store,
    peer: Option<&str>,
    limit: Option<usize>,
) -> Result<Envelope, AppError> {
    Ok(Envelope {
        format: FORMAT.into(),
        protocol: PROTOCOL,
        diagnostic: store.main_diagnostic().await.ok().map(|d| d.id.to_string()),
        audit_secret: store.audit_secret(),
        batch: store.outgoing(peer, limit).await?,
    })
}

fn seal(key: &Key, envelope: &Envelope) -> Result<Vec<u8>, AppError> {
    let json = serde_json::to_vec(envelope)
        .map_err(|e| Refusal::new("sync.encode").arg("detail", e.to_string()))?;
    let mut sealed = Vec::with_capacity(json.len() + 1024);
    sigida_vault::seal(&Secret::KeyFile(key.clone()), &json[..], &mut sealed)
        .map_err(vault_refusal)?;
    Ok(sealed)
}

/// Opens sealed bytes (`shown`: where they came from, for the messages) and checks that they
/// are a sync exchange of this protocol.
fn open(key: &Key, sealed: &[u8], shown: &str) -> Result<Envelope, AppError> {
    let mut json = Vec::new();
    sigida_vault::open(&Secret::KeyFile(key.clone()), sealed, &mut json).map_err(vault_refusal)?;
    let envelope: Envelope = serde_json::from_slice(&json).map_err(|e| {
        Refusal::new("sync.not_a_sync_file")
            .arg("path", shown)
            .arg("detail", e.to_string())
    })?;
    if envelope.format != FORMAT {
        return Err(Refusal::new("sync.not_a_sync_file")
            .arg("path", shown)
            .arg("detail", envelope.format)
            .into());
    }
    if envelope.protocol != PROTOCOL {
        return Err(Refusal::new("sync.protocol")
            .arg("theirs", envelope.protocol.to_string())
            .arg("ours", PROTOCOL.to_string())
            .into());
    }
    Ok(envelope)
}

/// Opens a sync file with the diagnostic's key and applies it to `store` in one transaction
/// (audited), then redacts what an erasure listed on either copy requires.
pub async fn read_file(
    store: &mut Store,
    file: &Path,
    by: Option<&str>,
) -> Result<Received, AppError> {
    let path = file.to_owned();
    let sealed = off_runtime(move || {
        std::fs::read(&path).map_err(|e| {
            AppError::from(
                Refusal::new("sync.unreadable")
                    .arg("path", path.display().to_string())
                    .arg("detail", e.to_string()),
            )
        })
    })
    .await??;
    receive_sealed(store, sealed, &file.display().to_string(), by).await
}

/// Sealed bytes of another copy (`shown`: where they came from) opened and applied.
async fn receive_sealed(
    store: &mut Store,
    sealed: Vec<u8>,
    shown: &str,
    by: Option<&str>,
) -> Result<Received, AppError> {
    let key = key_of(store)?;
    let shown = shown.to_owned();
    let envelope = off_runtime(move || open(&key, &sealed, &shown)).await??;
    adopt(store, &envelope).await?;
    receive(store, &envelope, by).await
}

/// A new copy takes the diagnostic's audit secret from the first batch it receives.
async fn adopt(store: &mut Store, envelope: &Envelope) -> Result<(), AppError> {
    if store.main_diagnostic().await.is_err()
        && let Some(secret) = &envelope.audit_secret
    {
        store.adopt_audit_secret(secret).await?;
    }
    Ok(())
}

/// Applies another copy's batch in one transaction (audited), then redacts what an erasure
/// listed on either copy requires.
async fn receive(
    store: &Store,
    envelope: &Envelope,
    by: Option<&str>,
) -> Result<Received, AppError> {
    if let (Ok(ours), Some(theirs)) = (store.main_diagnostic().await, &envelope.diagnostic)
        && ours.id.to_string() != *theirs
    {
        return Err(Refusal::new("sync.other_diagnostic")
            .arg("ours", ours.name.as_str())
            .into());
    }
    let at = Timestamp::now();
    let batch = &envelope.batch;
    let mut tx = store.begin_writing().await?;
    let applied = tx.apply(batch, &at.to_rfc3339()).await?;
    // Audited when it brought something besides the other copy's own audit entries.
    if applied.applied > applied.audit || applied.conflicts > 0 {
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
    }
    tx.commit().await?;
    // Raw files are read again only when an erasure or an import came: every exchange of a
    // sync would otherwise parse every file of an instrument with someone erased.
    let redacted = if batch
        .changes
        .iter()
        .any(|c| matches!(c.table.as_str(), "erasures" | "raw_imports"))
    {
        enforce_erasures(store).await?
    } else {
        0
    };
    Ok(Received {
        from: batch.name.clone(),
        from_replica: batch.from.clone(),
        more: batch.more,
        applied,
        redacted,
    })
}

/// The most log entries one exchange over the network carries each way.
pub const EXCHANGE_LIMIT: usize = 2_000;

/// A laptop's side of one exchange: what it sends the centre (`server`: the centre's replica
/// id once known), sealed, and whether it has more after it.
pub async fn request(
    store: &Store,
    server: Option<&str>,
) -> Result<(Vec<u8>, bool, usize), AppError> {
    let key = key_of(store)?;
    let envelope = envelope_of(store, server, Some(EXCHANGE_LIMIT)).await?;
    let (more, changes) = (envelope.batch.more, envelope.batch.changes.len());
    let sealed = off_runtime(move || seal(&key, &envelope)).await??;
    Ok((sealed, more, changes))
}

/// A laptop applies the centre's answer.
pub async fn answer(store: &mut Store, sealed: Vec<u8>, shown: &str) -> Result<Received, AppError> {
    receive_sealed(store, sealed, shown, None).await
}

/// The centre's side of one exchange: a registered laptop's batch (its token checked, bound
/// to the copy that first used it) applied, and the centre's changes it has not acknowledged
/// sent back, sealed.
pub async fn exchange(store: &Store, token: &str, sealed: Vec<u8>) -> Result<Vec<u8>, AppError> {
    let key = key_of(store)?;
    let replica = store
        .replica_by_token(&sigida_store::sha256_hex(token.trim().as_bytes()))
        .await?
        .ok_or_else(|| Refusal::new("sync.token"))?;
    let opened = key.clone();
    let envelope = off_runtime(move || open(&opened, &sealed, "requête")).await??;
    let from = envelope.batch.from.clone();
    if replica.replica.as_ref().is_some_and(|bound| *bound != from) {
        return Err(Refusal::new("sync.token_other_copy")
            .arg("name", replica.name.as_str())
            .into());
    }
    receive(store, &envelope, Some(&format!("réplica {}", replica.name))).await?;
    store
        .replica_synced(&replica.id, &from, &Timestamp::now().to_rfc3339())
        .await?;
    let back = envelope_of(store, Some(&from), Some(EXCHANGE_LIMIT)).await?;
    off_runtime(move || seal(&key, &back)).await?
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
