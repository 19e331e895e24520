//! Raw files kept by content hash, and the instruments they belong to.

use sha2::{Digest, Sha256};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::{ImportKind, Instrument, InstrumentVersion, RawImport};
use sigida_core::{Id, Timestamp};

use crate::rows::Cols;
use crate::{Result, Store, StoreError, Tx};

fn raw_import(row: &sqlx::any::AnyRow) -> Result<RawImport> {
    let c = Cols::of("raw_imports", row);
    Ok(RawImport {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        instrument_version_id: c.opt_id("instrument_version_id")?,
        kind: c.code("kind")?,
        file_name: c.text("file_name")?,
        sha256: c.text("sha256")?,
        byte_size: c.i64("byte_size")?,
        record_count: c.i64("record_count")?,
        imported_at: c.timestamp("imported_at")?,
        imported_by: c.opt_text("imported_by")?,
    })
}

fn instrument(row: &sqlx::any::AnyRow) -> Result<Instrument> {
    let c = Cols::of("instruments", row);
    Ok(Instrument {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        kind: c.code("kind")?,
        name: c.text("name")?,
    })
}

/// SHA-256 of some bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// The outcome of keeping a raw file: the import, and whether it was new.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredImport {
    pub import: RawImport,
    /// False when the very same bytes had already been imported as the same kind: nothing changed.
    pub created: bool,
}

/// A raw file about to be kept.
pub struct RawFile<'a> {
    /// The id the import gets if the bytes are new.
    pub id: Id<RawImport>,
    pub diagnostic_id: Id<Diagnostic>,
    pub instrument_version_id: Option<Id<InstrumentVersion>>,
    pub kind: ImportKind,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub record_count: i64,
    pub imported_by: Option<&'a str>,
    pub at: Timestamp,
}

impl Store {
    pub async fn raw_imports(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<RawImport>> {
        sqlx::query(
            "SELECT * FROM raw_imports WHERE diagnostic_id = $1 ORDER BY imported_at, file_name",
        )
        .bind(diagnostic.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(raw_import)
        .collect()
    }

    /// The bytes of a raw file, exactly as they arrived.
    pub async fn raw_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        use sqlx::Row;
        let row = sqlx::query("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("fichier brut {sha256}")))?;
        Ok(row.try_get::<Vec<u8>, _>("bytes")?)
    }

    pub async fn instruments(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<Instrument>> {
        sqlx::query("SELECT * FROM instruments WHERE diagnostic_id = $1 ORDER BY kind, name")
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(instrument)
            .collect()
    }
}

impl Tx {
    /// Keeps a raw file. The same bytes imported again as the same kind return the first
    /// import unchanged (`created == false`).
    pub async fn keep_raw_file(&mut self, file: RawFile<'_>) -> Result<StoredImport> {
        let sha256 = sha256_hex(file.bytes);
        let existing = sqlx::query(
            "SELECT * FROM raw_imports WHERE diagnostic_id = $1 AND kind = $2 AND sha256 = $3",
        )
        .bind(file.diagnostic_id.to_string())
        .bind(file.kind.code())
        .bind(&sha256)
        .fetch_optional(self.conn())
        .await?;
        if let Some(row) = existing {
            return Ok(StoredImport {
                import: raw_import(&row)?,
                created: false,
            });
        }
        sqlx::query(
            "INSERT INTO blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(file.bytes.to_vec())
        .execute(self.conn())
        .await?;
        let import = RawImport {
            id: file.id,
            diagnostic_id: file.diagnostic_id,
            instrument_version_id: file.instrument_version_id,
            kind: file.kind,
            file_name: file.file_name.to_owned(),
            sha256,
            byte_size: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            record_count: file.record_count,
            imported_at: file.at,
            imported_by: file.imported_by.map(str::to_owned),
        };
        sqlx::query(
            "INSERT INTO raw_imports (id, diagnostic_id, instrument_version_id, kind, file_name,
                sha256, byte_size, record_count, imported_at, imported_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(import.id.to_string())
        .bind(import.diagnostic_id.to_string())
        .bind(import.instrument_version_id.map(|v| v.to_string()))
        .bind(import.kind.code())
        .bind(&import.file_name)
        .bind(&import.sha256)
        .bind(import.byte_size)
        .bind(import.record_count)
        .bind(import.imported_at.to_rfc3339())
        .bind(&import.imported_by)
        .execute(self.conn())
        .await?;
        Ok(StoredImport {
            import,
            created: true,
        })
    }

    pub async fn insert_instrument(&mut self, i: &Instrument) -> Result<()> {
        sqlx::query(
            "INSERT INTO instruments (id, diagnostic_id, kind, name) VALUES ($1, $2, $3, $4)",
        )
        .bind(i.id.to_string())
        .bind(i.diagnostic_id.to_string())
        .bind(i.kind.code())
        .bind(&i.name)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_instrument_version(&mut self, v: &InstrumentVersion) -> Result<()> {
        sqlx::query(
            "INSERT INTO instrument_versions (id, instrument_id, version, form_sha256, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(v.id.to_string())
        .bind(v.instrument_id.to_string())
        .bind(&v.version)
        .bind(&v.form_sha256)
        .bind(v.created_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
