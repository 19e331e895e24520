//! Personal data sealed at rest. A diagnostic opened with the team's key (`Store::connect_with`)
//! seals, as they are written, the values that name or reach a person: stakeholders' and
//! providers' contacts, participants' names and phones' codes, interview notes and excerpts,
//! the values of the cleaning log and of import problems (answers, which may be a name or a
//! phone), and the raw files (exports hold names and phones). A copy of the database without the
//! key shows none of them. A phone's code is found by its keyed fingerprint
//! (`check_code_hash`), not by its text.
//!
//! The first time a diagnostic is opened with a key, what it already holds in clear is sealed
//! in one transaction and the file is compacted (`VACUUM`), so no clear page is left; the key's
//! check (`vault`) is then kept, and the diagnostic does not open without that key again.

use std::sync::Arc;

use sigida_vault::Key;

use crate::{Result, StoreError};

/// What begins a sealed value: a control character no form or page can type, then the version.
const TEXT: &str = "\u{1}s1:";

/// Whether a stored text is sealed.
pub(crate) fn is_sealed_text(stored: &str) -> bool {
    stored.starts_with(TEXT)
}
const BYTES: &[u8] = b"\x00SIGIDA-s1:";

/// The key personal values are sealed with, if the diagnostic has one.
/// The secret the audit chain's links are keyed with (kept in `vault`, sealed with the
/// diagnostic's key, so a new key keeps the chain), and the first entry it keys.
pub(crate) struct AuditKey {
    pub(crate) secret: String,
    pub(crate) from_seq: i64,
}

#[derive(Clone, Default)]
pub struct Sealer(Option<Arc<Key>>, Option<Arc<AuditKey>>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Sealer(key)"
        } else {
            "Sealer(none)"
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Sealer {
    pub(crate) fn new(key: Option<Key>) -> Self {
        Sealer(key.map(Arc::new), None)
    }

    /// The audit chain's key, when the diagnostic has one.
    pub(crate) fn audit_key(&self) -> Option<&AuditKey> {
        self.1.as_deref()
    }

    /// A link of the audit chain keyed with the audit secret alone (`k:` and 64 hex digits),
    /// not with the diagnostic's key, so that a new key keeps the chain as it is.
    pub(crate) fn keyed_link(&self, unkeyed: &str) -> Option<String> {
        use sha2::{Digest, Sha256};
        let audit = self.1.as_ref()?;
        let mut h = Sha256::new();
        h.update(b"sigida-audit\0");
        h.update(audit.secret.as_bytes());
        h.update(b"\0");
        h.update(unkeyed.as_bytes());
        Some(format!("k:{}", hex(&h.finalize())))
    }

    pub(crate) fn key(&self) -> Option<&Key> {
        self.0.as_deref()
    }

    /// A personal text as it is stored: sealed when there is a key (an empty text stays empty:
    /// it says nothing).
    pub(crate) fn text(&self, plain: &str) -> String {
        match &self.0 {
            Some(key) if !plain.is_empty() => {
                format!("{TEXT}{}", hex(&key.seal_value(plain.as_bytes())))
            }
            _ => plain.to_owned(),
        }
    }

    pub(crate) fn opt_text(&self, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.text(p))
    }

    /// A stored personal text, opened. A text stored before the diagnostic had a key is read as
    /// it is; a sealed one needs the key it was sealed with.
    pub(crate) fn open_text(
        &self,
        table: &'static str,
        column: &'static str,
        stored: String,
    ) -> Result<String> {
        let Some(sealed) = stored.strip_prefix(TEXT) else {
            return Ok(stored);
        };
        let corrupt = || StoreError::Corrupt {
            table,
            column,
            detail: "valeur scellée illisible avec cette clé".into(),
        };
        let key = self.0.as_ref().ok_or(StoreError::Locked)?;
        let plain = key
            .open_value(&unhex(sealed).ok_or_else(corrupt)?)
            .ok_or_else(corrupt)?;
        String::from_utf8(plain).map_err(|_| corrupt())
    }

    pub(crate) fn open_opt_text(
        &self,
        table: &'static str,
        column: &'static str,
        stored: Option<String>,
    ) -> Result<Option<String>> {
        stored.map(|s| self.open_text(table, column, s)).transpose()
    }

    /// Bytes (a chunk of a raw file) as they are stored.
    pub(crate) fn bytes(&self, plain: &[u8]) -> Vec<u8> {
        match &self.0 {
            Some(key) => {
                let mut out = BYTES.to_vec();
                out.extend(key.seal_value(plain));
                out
            }
            None => plain.to_vec(),
        }
    }

    pub(crate) fn open_bytes(&self, stored: Vec<u8>) -> Result<Vec<u8>> {
        let Some(sealed) = stored.strip_prefix(BYTES) else {
            return Ok(stored);
        };
        let key = self.0.as_ref().ok_or(StoreError::Locked)?;
        key.open_value(sealed).ok_or(StoreError::Corrupt {
            table: "blob_chunks",
            column: "bytes",
            detail: "morceau scellé illisible avec cette clé".into(),
        })
    }

    /// The keyed fingerprint a sealed value is found by (the text itself without a key).
    pub(crate) fn lookup(&self, text: &str) -> String {
        match &self.0 {
            Some(key) => key.lookup(text),
            None => text.to_owned(),
        }
    }
}

/// What the vault table says of a key: sealed check text.
pub(crate) const CHECK: &str = "sigida: la clé de ce diagnostic";

/// The personal columns of each table, with the columns that name a row.
const PERSONAL: &[(&str, &[&str], &[&str])] = &[
    ("stakeholders", &["id"], &["contact_name", "contact_phone"]),
    ("service_providers", &["id"], &["contact_phone"]),
    ("participants", &["id"], &["name", "check_code"]),
    ("interview_notes", &["id"], &["text"]),
    ("excerpts", &["id"], &["text"]),
    (
        "cleaning_log",
        &["instrument_id", "seq"],
        &["old_value", "new_value"],
    ),
    ("import_problems", &["import_id", "seq"], &["value"]),
];

impl crate::Store {
    /// Checks the key against the diagnostic's, or seals a diagnostic opened with a key for
    /// the first time.
    pub(crate) async fn unlock(&mut self) -> Result<()> {
        let row = match self.vault_row().await? {
            Some((check, audit)) if self.seal.key().is_some() => {
                match self.seal.open_text("vault", "check_value", check) {
                    Ok(text) if text == CHECK => audit,
                    _ => return Err(StoreError::WrongKey),
                }
            }
            Some(_) => return Err(StoreError::Locked),
            None if self.seal.key().is_none() => return Ok(()),
            None => {
                // Sealed now: the vault row is the one just written.
                let seal = self.seal.clone();
                self.reseal(&seal).await?;
                self.vault_row().await?.and_then(|(_, audit)| audit)
            }
        };
        let audit = match row {
            Some((secret, from)) => {
                let secret = self.seal.open_text("vault", "audit_secret", secret)?;
                let from_seq = self
                    .seal
                    .open_text("vault", "audit_from", from)?
                    .parse()
                    .map_err(|_| StoreError::Corrupt {
                        table: "vault",
                        column: "audit_from",
                        detail: "not a number".into(),
                    })?;
                Some(Arc::new(AuditKey { secret, from_seq }))
            }
            _ => None,
        };
        self.seal.1 = audit;
        Ok(())
    }

    /// The secret the audit chain is keyed with (carried, sealed, to a new copy).
    pub fn audit_secret(&self) -> Option<String> {
        self.seal.audit_key().map(|a| a.secret.clone())
    }

    /// A new copy (its own chain still empty) keys its chain with the diagnostic's audit
    /// secret, so that every copy can check every chain merged into it. Answers whether it did.
    pub async fn adopt_audit_secret(&mut self, secret: &str) -> Result<bool> {
        use sqlx::Row;
        if self.seal.key().is_none() {
            return Ok(false);
        }
        let head: i64 = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if head > 0 || self.audit_secret().as_deref() == Some(secret) {
            return Ok(false);
        }
        sqlx::query("UPDATE vault SET audit_secret = $1, audit_from = $2 WHERE id = 1")
            .bind(self.seal.text(secret))
            .bind(self.seal.text("1"))
            .execute(&self.pool)
            .await?;
        self.seal.1 = Some(Arc::new(AuditKey {
            secret: secret.to_owned(),
            from_seq: 1,
        }));
        Ok(true)
    }

    /// The vault's check and, when the audit chain is keyed, its secret and first keyed entry.
    #[allow(clippy::type_complexity)]
    async fn vault_row(&self) -> Result<Option<(String, Option<(String, String)>)>> {
        use sqlx::Row;
        let Some(row) =
            sqlx::query("SELECT check_value, audit_secret, audit_from FROM vault WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let check: String = row.try_get(0)?;
        let secret: Option<String> = row.try_get(1)?;
        let from: Option<String> = row.try_get(2)?;
        Ok(Some((check, secret.zip(from))))
    }

    /// Seals the diagnostic's personal data with a new key (`sigida key rotate`): every value
    /// opened with the key it was opened with and sealed again with `key`, in one transaction.
    /// Backups taken before still need the old key.
    pub async fn rotate_key(&mut self, key: Key) -> Result<()> {
        if self.seal.key().is_none() {
            return Err(StoreError::Locked);
        }
        let to = Sealer(Some(Arc::new(key)), self.seal.1.clone());
        self.reseal(&to).await?;
        self.seal = to;
        Ok(())
    }

    /// Opens every personal value and raw file with the diagnostic's present key (a value in
    /// clear opens as it is) and seals it with `to`, with the key's check, in one transaction;
    /// then compacts the file so that no page of the old form stays in it.
    async fn reseal(&self, to: &Sealer) -> Result<()> {
        use sqlx::Row;
        let mut tx = self.begin().await?;
        for (table, keys, columns) in PERSONAL {
            let select = format!(
                "SELECT {}, {} FROM {table}",
                keys.join(", "),
                columns.join(", ")
            );
            let rows = sqlx::query(&select).fetch_all(tx.conn()).await?;
            let assignments: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ${}", i + 1))
                .collect();
            let conditions: Vec<String> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| format!("{k} = ${}", columns.len() + i + 1))
                .collect();
            let update = format!(
                "UPDATE {table} SET {} WHERE {}",
                assignments.join(", "),
                conditions.join(" AND ")
            );
            for row in &rows {
                let mut query = sqlx::query(&update);
                for (i, column) in columns.iter().enumerate() {
                    let value: Option<String> = row.try_get(keys.len() + i)?;
                    let value = self.seal.open_opt_text(table, column, value)?;
                    query = query.bind(to.opt_text(value.as_deref()));
                }
                for (i, _) in keys.iter().enumerate() {
                    // Keys are text or integers: bound as they were read.
                    match row.try_get::<String, _>(i) {
                        Ok(text) => query = query.bind(text),
                        Err(_) => query = query.bind(row.try_get::<i64, _>(i)?),
                    }
                }
                query.execute(tx.conn()).await?;
            }
        }
        // The codes are found by their fingerprint from now on.
        let codes = sqlx::query("SELECT id, check_code FROM participants")
            .fetch_all(tx.conn())
            .await?;
        for row in &codes {
            let id: String = row.try_get(0)?;
            // Already sealed with `to` above.
            let code: String = row.try_get(1)?;
            let code = to.open_text("participants", "check_code", code)?;
            sqlx::query("UPDATE participants SET check_code_hash = $1 WHERE id = $2")
                .bind(to.lookup(&code))
                .bind(id)
                .execute(tx.conn())
                .await?;
        }
        let chunks = sqlx::query("SELECT sha256, seq, bytes FROM blob_chunks")
            .fetch_all(tx.conn())
            .await?;
        for row in &chunks {
            let bytes = self.seal.open_bytes(row.try_get(2)?)?;
            sqlx::query("UPDATE blob_chunks SET bytes = $1 WHERE sha256 = $2 AND seq = $3")
                .bind(to.bytes(&bytes))
                .bind(row.try_get::<String, _>(0)?)
                .bind(row.try_get::<i64, _>(1)?)
                .execute(tx.conn())
                .await?;
        }
        // The audit chain's secret goes on with the diagnostic (sealed again with the new key
        // on a rotation); a diagnostic sealed for the first time keys its chain from the next
        // entry on (the entries before were written without a key).
        let (secret, from_seq) = match self.seal.audit_key() {
            Some(audit) => (audit.secret.clone(), audit.from_seq),
            None => {
                let head = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
                    .fetch_one(tx.conn())
                    .await?;
                (
                    Key::generate().lookup("audit-secret"),
                    head.try_get::<i64, _>(0)? + 1,
                )
            }
        };
        sqlx::query("DELETE FROM vault WHERE id = 1")
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO vault (id, check_value, audit_secret, audit_from) VALUES (1, $1, $2, $3)",
        )
        .bind(to.text(CHECK))
        .bind(to.text(&secret))
        .bind(to.text(&from_seq.to_string()))
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        if self.backend == crate::Backend::Sqlite {
            sqlx::query("VACUUM").execute(&self.pool).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}
