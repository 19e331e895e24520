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
        problem_count: c.i64("problem_count")?,
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

/// A value an import's check found wrong.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportProblem {
    pub sheet: Option<String>,
    pub row: i64,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// One submission of an export: its `_uuid`, its row in the file, when it was submitted.
pub struct NewSubmission<'a> {
    pub uuid: &'a str,
    pub row: i64,
    pub submitted_at: Option<&'a str>,
}

/// What Sigida reads of an import ([`Store::raw_content`]).
pub enum RawContent {
    /// The bytes exactly as they arrived.
    Original(Vec<u8>),
    /// The import's redacted copy, as the application wrote it.
    Redacted(Vec<u8>),
}

/// Raw files are stored in pieces of this size.
const CHUNK: usize = 8 * 1024 * 1024;
/// The lines of a submission set: (uuid, row, submitted_at).
fn parse_entries(bytes: &[u8]) -> Result<Vec<(&str, i64, &str)>> {
    let corrupt = |detail: String| StoreError::Corrupt {
        table: "submission_sets",
        column: "entries",
        detail,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| corrupt(e.to_string()))?;
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let uuid = parts.next().unwrap_or("");
            let row = parts
                .next()
                .and_then(|r| r.parse().ok())
                .ok_or_else(|| corrupt(format!("ligne « {line} »")))?;
            Ok((uuid, row, parts.next().unwrap_or("")))
        })
        .collect()
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
    pub problem_count: i64,
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
        let rows = sqlx::query("SELECT bytes FROM blob_chunks WHERE sha256 = $1 ORDER BY seq")
            .bind(sha256)
            .fetch_all(&self.pool)
            .await?;
        if rows.is_empty() {
            return Err(StoreError::not_found("missing.raw_file", sha256));
        }
        let mut bytes = Vec::new();
        for row in rows {
            bytes.extend_from_slice(&self.seal.open_bytes(row.try_get::<Vec<u8>, _>("bytes")?)?);
        }
        Ok(bytes)
    }

    /// What Sigida reads of an import: the bytes as they arrived, or its redacted copy once a
    /// respondent was erased from it.
    pub async fn raw_content(&self, import: Id<RawImport>) -> Result<RawContent> {
        use sqlx::Row;
        let row = sqlx::query("SELECT sha256, redacted_sha256 FROM raw_imports WHERE id = $1")
            .bind(import.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("missing.import", import))?;
        Ok(match row.try_get::<Option<String>, _>(1)? {
            Some(redacted) => RawContent::Redacted(self.raw_bytes(&redacted).await?),
            None => RawContent::Original(self.raw_bytes(&row.try_get::<String, _>(0)?).await?),
        })
    }

    pub async fn raw_import(&self, id: Id<RawImport>) -> Result<RawImport> {
        sqlx::query("SELECT * FROM raw_imports WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(raw_import)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("missing.import", id))
    }

    pub async fn instrument_by_name(
        &self,
        diagnostic: Id<Diagnostic>,
        name: &str,
    ) -> Result<Option<Instrument>> {
        sqlx::query("SELECT * FROM instruments WHERE diagnostic_id = $1 AND name = $2")
            .bind(diagnostic.to_string())
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(instrument)
            .transpose()
    }

    /// The versions of an instrument, oldest first.
    pub async fn instrument_versions(
        &self,
        instrument: Id<Instrument>,
    ) -> Result<Vec<InstrumentVersion>> {
        let rows = sqlx::query(
            "SELECT * FROM instrument_versions WHERE instrument_id = $1 ORDER BY created_at, version",
        )
        .bind(instrument.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::of("instrument_versions", row);
                Ok(InstrumentVersion {
                    id: c.id("id")?,
                    instrument_id: c.id("instrument_id")?,
                    version: c.text("version")?,
                    form_sha256: c.text("form_sha256")?,
                    created_at: c.timestamp("created_at")?,
                })
            })
            .collect()
    }

    /// The import that brought a form's file (by the file's hash).
    pub async fn form_import(
        &self,
        diagnostic: Id<Diagnostic>,
        sha256: &str,
    ) -> Result<Option<RawImport>> {
        sqlx::query(
            "SELECT * FROM raw_imports WHERE diagnostic_id = $1 AND kind = $2 AND sha256 = $3",
        )
        .bind(diagnostic.to_string())
        .bind(ImportKind::Form.code())
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(raw_import)
        .transpose()
    }

    pub async fn submission_count(&self, instrument: Id<Instrument>) -> Result<i64> {
        use sqlx::Row;
        Ok(sqlx::query(
            "SELECT CAST(COALESCE(SUM(submission_count), 0) AS BIGINT) FROM submission_sets WHERE instrument_id = $1",
        )
        .bind(instrument.to_string())
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    /// The submissions an import brought (not those it repeated), in file order: uuid and row.
    pub async fn submissions_of_import(&self, import: Id<RawImport>) -> Result<Vec<(String, i64)>> {
        use sqlx::Row;
        let Some(row) = sqlx::query("SELECT entries FROM submission_sets WHERE import_id = $1")
            .bind(import.to_string())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(Vec::new());
        };
        let entries: Vec<u8> = row.try_get(0)?;
        Ok(parse_entries(&entries)?
            .into_iter()
            .map(|(uuid, row, _)| (uuid.to_owned(), row))
            .collect())
    }

    pub async fn import_problems(
        &self,
        import: Id<RawImport>,
        limit: i64,
    ) -> Result<Vec<ImportProblem>> {
        let rows =
            sqlx::query("SELECT * FROM import_problems WHERE import_id = $1 ORDER BY seq LIMIT $2")
                .bind(import.to_string())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::of("import_problems", row);
                Ok(ImportProblem {
                    sheet: c.opt_text("sheet")?,
                    row: c.i64("row_number")?,
                    column: c.text("column_name")?,
                    value: self
                        .seal
                        .open_text("import_problems", "value", c.text("value")?)?,
                    message: c.text("message")?,
                })
            })
            .collect()
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
    /// Stores bytes by their hash, sealed, unless they are stored already.
    async fn put_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let stored = sqlx::query("SELECT COUNT(*) FROM blob_chunks WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(self.conn())
            .await
            .and_then(|row| sqlx::Row::try_get::<i64, _>(&row, 0))?;
        if stored > 0 {
            return Ok(());
        }
        // An empty file is one empty chunk: every kept file has at least one.
        let chunks: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[]]
        } else {
            bytes.chunks(CHUNK).collect()
        };
        for (seq, chunk) in chunks.into_iter().enumerate() {
            sqlx::query("INSERT INTO blob_chunks (sha256, seq, bytes) VALUES ($1, $2, $3)")
                .bind(sha256)
                .bind(seq as i64)
                .bind(self.1.bytes(chunk))
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Deletes stored bytes that nothing reads any more: no import whose readable content they
    /// are (the original of an unredacted import, or a redacted copy), no form version.
    async fn drop_blob_if_unread(&mut self, sha256: &str) -> Result<()> {
        let readers = sqlx::query(
            "SELECT CAST(
                (SELECT COUNT(*) FROM raw_imports
                  WHERE (sha256 = $1 AND redacted_sha256 IS NULL) OR redacted_sha256 = $1)
              + (SELECT COUNT(*) FROM instrument_versions WHERE form_sha256 = $1) AS BIGINT)",
        )
        .bind(sha256)
        .fetch_one(self.conn())
        .await
        .and_then(|row| sqlx::Row::try_get::<i64, _>(&row, 0))?;
        if readers == 0 {
            sqlx::query("DELETE FROM blob_chunks WHERE sha256 = $1")
                .bind(sha256)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Replaces what Sigida reads of an import by `redacted` (its tables with an erased
    /// respondent's personal answers emptied, as the application writes them); the bytes read
    /// until now are deleted if nothing else reads them. The import keeps the hash of what
    /// arrived, so the same file imported again is still recognised (and stays redacted).
    pub async fn redact_raw_file(&mut self, import: Id<RawImport>, redacted: &[u8]) -> Result<()> {
        use sqlx::Row;
        let row = sqlx::query("SELECT sha256, redacted_sha256 FROM raw_imports WHERE id = $1")
            .bind(import.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::not_found("missing.import", import))?;
        let read_until_now: String = match row.try_get::<Option<String>, _>(1)? {
            Some(redacted) => redacted,
            None => row.try_get(0)?,
        };
        let sha256 = sha256_hex(redacted);
        self.put_blob(&sha256, redacted).await?;
        sqlx::query("UPDATE raw_imports SET redacted_sha256 = $2 WHERE id = $1")
            .bind(import.to_string())
            .bind(&sha256)
            .execute(self.conn())
            .await?;
        if read_until_now != sha256 {
            self.drop_blob_if_unread(&read_until_now).await?;
        }
        Ok(())
    }

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
        self.put_blob(&sha256, file.bytes).await?;
        let import = RawImport {
            id: file.id,
            diagnostic_id: file.diagnostic_id,
            instrument_version_id: file.instrument_version_id,
            kind: file.kind,
            file_name: file.file_name.to_owned(),
            sha256,
            byte_size: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
            record_count: file.record_count,
            problem_count: file.problem_count,
            imported_at: file.at,
            imported_by: file.imported_by.map(str::to_owned),
        };
        sqlx::query(
            "INSERT INTO raw_imports (id, diagnostic_id, instrument_version_id, kind, file_name,
                sha256, byte_size, record_count, problem_count, imported_at, imported_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(import.id.to_string())
        .bind(import.diagnostic_id.to_string())
        .bind(import.instrument_version_id.map(|v| v.to_string()))
        .bind(import.kind.code())
        .bind(&import.file_name)
        .bind(&import.sha256)
        .bind(import.byte_size)
        .bind(import.record_count)
        .bind(import.problem_count)
        .bind(import.imported_at.to_rfc3339())
        .bind(&import.imported_by)
        .execute(self.conn())
        .await?;
        Ok(StoredImport {
            import,
            created: true,
        })
    }

    /// Records the submissions of an import, skipping those an earlier import of the
    /// instrument brought (by `_uuid`). Returns how many were new.
    pub async fn add_submissions(
        &mut self,
        instrument: Id<Instrument>,
        import: Id<RawImport>,
        submissions: &[NewSubmission<'_>],
    ) -> Result<u64> {
        use sqlx::Row;
        let id = instrument.to_string();
        // Take the write lock first, so that two imports cannot both miss each other's uuids.
        sqlx::query("UPDATE instruments SET name = name WHERE id = $1")
            .bind(&id)
            .execute(self.conn())
            .await?;
        let mut earlier: Vec<Vec<u8>> = Vec::new();
        for row in sqlx::query("SELECT entries FROM submission_sets WHERE instrument_id = $1")
            .bind(&id)
            .fetch_all(self.conn())
            .await?
        {
            earlier.push(row.try_get(0)?);
        }
        // Borrowed, not copied: a million uuids are checked without a million allocations.
        let mut known: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for entries in &earlier {
            known.extend(parse_entries(entries)?.into_iter().map(|(uuid, _, _)| uuid));
        }
        let mut entries = Vec::with_capacity(submissions.len() * 64);
        let mut added = 0u64;
        for s in submissions {
            if s.uuid.contains(['\t', '\n']) || !known.insert(s.uuid) {
                continue;
            }
            entries.extend_from_slice(s.uuid.as_bytes());
            entries.push(b'\t');
            entries.extend_from_slice(s.row.to_string().as_bytes());
            entries.push(b'\t');
            entries.extend_from_slice(
                s.submitted_at
                    .unwrap_or("")
                    .replace(['\t', '\n'], " ")
                    .as_bytes(),
            );
            entries.push(b'\n');
            added += 1;
        }
        sqlx::query(
            "INSERT INTO submission_sets (import_id, instrument_id, submission_count, entries) VALUES ($1, $2, $3, $4)",
        )
        .bind(import.to_string())
        .bind(&id)
        .bind(added as i64)
        .bind(entries)
        .execute(self.conn())
        .await?;
        Ok(added)
    }

    pub async fn add_import_problems(
        &mut self,
        import: Id<RawImport>,
        problems: &[ImportProblem],
    ) -> Result<()> {
        for (seq, p) in problems.iter().enumerate() {
            sqlx::query(
                "INSERT INTO import_problems (import_id, seq, sheet, row_number, column_name, value, message)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(import.to_string())
            .bind(seq as i64)
            .bind(&p.sheet)
            .bind(p.row)
            .bind(&p.column)
            .bind(self.1.text(&p.value))
            .bind(&p.message)
            .execute(self.conn())
            .await?;
        }
        Ok(())
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
