//! The audit log as a hash chain: every entry is written with its place in this copy's chain
//! and the SHA-256 of the previous entry's hash and of its own fields, so that an entry edited,
//! deleted or slipped in by hand breaks the chain at its place ([`Store::verify_audit`]).
//!
//! The chain's end (`audit_head`) is read and moved in the writing transaction after taking its
//! row's lock, so two writers never fork it. In a diagnostic with a key, each link is keyed
//! with a secret kept sealed in `vault`: someone who can rewrite the whole table and its head
//! still cannot make links that verify without the key. Without a key, a complete rewrite
//! could rebuild the chain, which is why `sigida audit verify` also prints the head's hash for
//! the coordinator to keep: a later head that does not continue it shows a rewrite.

use sha2::{Digest, Sha256};
use sigida_core::audit::AuditEvent;

use crate::rows::Cols;
use crate::sealing::Sealer;
use crate::{Result, Store, Tx};

/// The hash of an entry after `previous`: every field length-prefixed, so no two entries give
/// the same bytes.
fn entry_hash(previous: &str, replica: &str, seq: i64, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let at = e.at.to_rfc3339();
    let id = e.id.to_string();
    let fields: [&str; 9] = [
        previous,
        replica,
        &seq.to_string(),
        &id,
        &at,
        e.actor.as_deref().unwrap_or("\u{0}"),
        e.action.code(),
        &e.subject,
        &e.detail,
    ];
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An entry's link: keyed with the diagnostic's audit secret from the first entry it keys on
/// (so that only who holds the key can make a link that verifies), plain before it.
fn link(seal: &Sealer, previous: &str, replica: &str, seq: i64, e: &AuditEvent) -> String {
    let plain = entry_hash(previous, replica, seq, e);
    match seal.audit_key() {
        Some(audit) if seq >= audit.from_seq => seal.keyed_link(&plain).unwrap_or(plain),
        _ => plain,
    }
}

/// What `sigida audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries read in the chain.
    pub entries: i64,
    /// The chain's end: the last entry's hash.
    pub head: String,
    /// The copy whose chain it is.
    pub replica: String,
    /// Where the chain breaks, in the order found (empty: intact).
    pub breaks: Vec<AuditBreak>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditBreak {
    /// The entry at `seq` is not what was written (a field or its hash changed).
    Edited { seq: i64, id: String },
    /// Entries `from..=to` are missing.
    Missing { from: i64, to: i64 },
    /// An entry outside the chain (written to the table by hand).
    Unchained { id: String },
    /// The chain's end says `head_seq` entries, the table ends at `last`.
    Truncated { head_seq: i64, last: i64 },
}

impl Tx {
    /// Writes an audit entry at the end of the chain.
    pub async fn audit(&mut self, e: &AuditEvent) -> Result<()> {
        // The head's row lock first: the writer that has it is the only one extending the chain.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(self.conn())
            .await?;
        let head = sqlx::query("SELECT replica, seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.conn())
            .await?;
        let c = Cols::of("audit_head", &head);
        let (mut replica, mut seq, mut hash) = (c.text("replica")?, c.i64("seq")?, c.text("hash")?);
        if replica.is_empty() {
            replica = uuid::Uuid::new_v4().to_string();
        }
        // Entries written before the chain existed join it first, in the order written.
        let legacy = sqlx::query("SELECT * FROM audit_log WHERE seq IS NULL ORDER BY at, id")
            .fetch_all(self.conn())
            .await?;
        let mut entries = Vec::with_capacity(legacy.len() + 1);
        for row in &legacy {
            entries.push(crate::accounts::audit_event(row)?);
        }
        let first_new = entries.len();
        entries.push(e.clone());
        for (i, entry) in entries.iter().enumerate() {
            seq += 1;
            hash = link(&self.1, &hash, &replica, seq, entry);
            let statement = if i < first_new {
                "UPDATE audit_log SET replica = $1, seq = $2, hash = $3 WHERE id = $4"
            } else {
                "INSERT INTO audit_log (replica, seq, hash, id, at, actor, action, subject, detail)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            };
            let mut query = sqlx::query(statement)
                .bind(&replica)
                .bind(seq)
                .bind(&hash)
                .bind(entry.id.to_string());
            if i == first_new {
                query = query
                    .bind(entry.at.to_rfc3339())
                    .bind(&entry.actor)
                    .bind(entry.action.code())
                    .bind(&entry.subject)
                    .bind(&entry.detail);
            }
            query.execute(self.conn()).await?;
        }
        sqlx::query("UPDATE audit_head SET replica = $1, seq = $2, hash = $3 WHERE id = 1")
            .bind(&replica)
            .bind(seq)
            .bind(&hash)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// Reads the whole audit log in the chain's order and checks every link.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let head = sqlx::query("SELECT replica, seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let c = Cols::of("audit_head", &head);
        let (replica, head_seq, head_hash) = (c.text("replica")?, c.i64("seq")?, c.text("hash")?);
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY replica, seq, id")
            .fetch_all(&self.pool)
            .await?;
        let mut breaks = Vec::new();
        let (mut previous, mut expected, mut entries) = (String::new(), 1i64, 0i64);
        // Other copies' chains, merged in by a sync: each checked from its first entry, its
        // links keyed as they were written (a chain keyed once stays keyed); their end is
        // checked on the copy that wrote them.
        let mut others: std::collections::BTreeMap<String, (String, i64, bool)> =
            Default::default();
        for row in &rows {
            let c = Cols::of("audit_log", row);
            let id = c.opt_text("id")?.unwrap_or_default();
            // A row Sigida cannot read as an entry was not written by it: its place says which.
            let event = crate::accounts::audit_event(row).ok();
            let row_replica = c.opt_text("replica").ok().flatten().unwrap_or_default();
            let Some(seq) = c.opt_i64("seq").ok().flatten() else {
                // A row without a place in the chain: before the first entry of the chain it
                // is an older entry the next write chains; after it, one written by hand.
                if head_seq > 0 {
                    breaks.push(AuditBreak::Unchained { id });
                }
                continue;
            };
            entries += 1;
            let stored = c.opt_text("hash").ok().flatten().unwrap_or_default();
            if !row_replica.is_empty() && row_replica != replica {
                let (prev, next, keyed) =
                    others
                        .entry(row_replica.clone())
                        .or_insert((String::new(), 1, false));
                if seq != *next {
                    if seq > *next {
                        breaks.push(AuditBreak::Missing {
                            from: *next,
                            to: seq - 1,
                        });
                    }
                    *next = seq;
                }
                let plain = event.map(|e| entry_hash(prev, &row_replica, seq, &e));
                let is_keyed = stored.starts_with("k:");
                let computed = plain.map(|p| {
                    if is_keyed {
                        self.seal.keyed_link(&p).unwrap_or(p)
                    } else {
                        p
                    }
                });
                if computed.as_ref() != Some(&stored) || (*keyed && !is_keyed) {
                    breaks.push(AuditBreak::Edited { seq, id });
                }
                *keyed |= is_keyed;
                *prev = stored;
                *next += 1;
                continue;
            }
            if seq != expected {
                if seq > expected {
                    breaks.push(AuditBreak::Missing {
                        from: expected,
                        to: seq - 1,
                    });
                }
                expected = seq;
            }
            let computed = event.map(|e| link(&self.seal, &previous, &row_replica, seq, &e));
            if computed.as_ref() != Some(&stored) {
                breaks.push(AuditBreak::Edited { seq, id });
            }
            // The next link is checked against what was stored, so one edit is one break.
            previous = stored;
            expected += 1;
        }
        if expected - 1 != head_seq || previous != head_hash {
            breaks.push(AuditBreak::Truncated {
                head_seq,
                last: expected - 1,
            });
        }
        Ok(AuditCheck {
            entries,
            head: head_hash,
            replica,
            breaks,
        })
    }
}
