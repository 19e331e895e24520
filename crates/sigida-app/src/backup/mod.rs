//! Backup and restore: a consistent snapshot of the whole diagnostic (raw files included, they
//! live in the database), taken while the server runs, sealed with the team's key
//! (`sigida_vault`), and put back only after it has been opened whole and checked.
//!
//! SQLite: `VACUUM INTO` (one read transaction: every ballot committed before it, none after).
//! PostgreSQL: `pg_dump --format=custom` (one snapshot too), restored by `pg_restore` in one
//! transaction. Inside the seal, a first line says which (`sigida-sqlite` or `sigida-postgres`).
//! The unsealed copy exists only as a temporary file readable by its owner, in the folder of the
//! backup or of the diagnostic, removed when done.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sigida_store::{Backend, Store, StoreError};
use sigida_vault::Secret;

pub use crate::common::error::vault_refusal;
use crate::{AppError, Refusal};

const SQLITE_HEAD: &[u8] = b"sigida-sqlite\n";
const POSTGRES_HEAD: &[u8] = b"sigida-postgres\n";

/// Where a diagnostic lives: a folder's SQLite file, or a PostgreSQL database.
#[derive(Clone, Copy, Debug)]
pub enum Database<'a> {
    Folder(&'a Path),
    Postgres(&'a str),
}

fn written(path: &Path) -> impl FnOnce(std::io::Error) -> AppError + '_ {
    move |source| AppError::Write {
        path: path.to_owned(),
        source,
    }
}

/// A temporary file beside `near`, readable by its owner only, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn beside(near: &Path, what: &str) -> Self {
        let folder = near
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Scratch(folder.join(format!(
            ".sigida-{what}-{}.tmp",
            uuid::Uuid::new_v4().simple()
        )))
    }

    fn create(&self) -> Result<std::fs::File, AppError> {
        create_private(&self.0)
    }
}

fn create_private(path: &Path) -> Result<std::fs::File, AppError> {
    sigida_vault::create_private(path).map_err(written(path))
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub path: PathBuf,
    /// The snapshot's size before sealing, and the sealed file's.
    pub bytes: u64,
    pub sealed_bytes: u64,
}

/// Takes a backup of `database` (open as `store`) into `out`, a new file sealed with `secret`,
/// mode 0600. Runs while the server runs.
pub async fn take(
    store: &Store,
    database: Database<'_>,
    out: &Path,
    secret: Secret,
) -> Result<Taken, AppError> {
    if out.exists() {
        return Err(Refusal::new("backup.exists")
            .arg("path", out.display().to_string())
            .into());
    }
    let snapshot = Scratch::beside(out, "instantane");
    let head = match (database, store.backend()) {
        (Database::Folder(_), Backend::Sqlite) => {
            store.snapshot_sqlite(&snapshot.0).await?;
            SQLITE_HEAD
        }
        (Database::Postgres(url), Backend::Postgres) => {
            drop(snapshot.create()?);
            let dump = snapshot.0.clone();
            let url = url.to_owned();
            run_tool("pg_dump", move |c| {
                c.args(["--format=custom", "--no-owner", "--file"])
                    .arg(&dump)
                    .arg("--dbname")
                    .arg(&url)
            })
            .await?;
            POSTGRES_HEAD
        }
        _ => return Err(StoreError::UnsupportedUrl("backup".into()).into()),
    };
    let out = out.to_owned();
    let path = snapshot.0.clone();
    let sealed = crate::common::clean_data::off_runtime(move || -> Result<Taken, AppError> {
        let bytes = std::fs::metadata(&path).map_err(written(&path))?.len();
        let input = std::fs::File::open(&path).map_err(written(&path))?;
        let target = Scratch(out.clone());
        let file = target.create()?;
        let mut writer = BufWriter::new(file);
        let reader = BufReader::new(head.chain(input));
        seal_into(&secret, reader, &mut writer)?;
        writer
            .into_inner()
            .map_err(|e| written(&out)(e.into_error()))?
            .sync_all()
            .map_err(written(&out))?;
        let sealed_bytes = std::fs::metadata(&out).map_err(written(&out))?.len();
        // Kept: no longer a scratch file.
        std::mem::forget(target);
        Ok(Taken {
            path: out,
            bytes,
            sealed_bytes,
        })
    })
    .await??;
    drop(snapshot);
    Ok(sealed)
}

fn seal_into(secret: &Secret, reader: impl Read, writer: impl Write) -> Result<u64, AppError> {
    sigida_vault::seal(secret, reader, writer).map_err(vault_refusal)
}

/// Runs a PostgreSQL client tool off the runtime; its own error message is kept when it fails.
async fn run_tool(
    tool: &'static str,
    args: impl FnOnce(&mut std::process::Command) -> &mut std::process::Command + Send + 'static,
) -> Result<(), AppError> {
    crate::common::clean_data::off_runtime(move || {
        let mut command = std::process::Command::new(tool);
        args(&mut command);
        let output = command.output().map_err(|e| {
            AppError::from(
                Refusal::new("backup.tool")
                    .arg("tool", tool)
                    .arg("detail", e.to_string()),
            )
        })?;
        if output.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        Err(Refusal::new("backup.tool")
            .arg("tool", tool)
            .arg("detail", sigida_store::redact_url(said.trim()))
            .into())
    })
    .await?
}

/// What a restore put back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// The diagnostic's name in the backup.
    pub diagnostic: String,
    /// Where the diagnostic that was there before went (a folder's old database, kept).
    pub kept_aside: Option<PathBuf>,
    pub audit_entries: i64,
}

/// Restores `file` into `target` after opening it whole (every chunk's tag checked) and
/// checking what it holds: a database Sigida opens, intact, with its diagnostic. Nothing of the
/// target is touched before; a folder's previous database is kept aside, renamed.
pub async fn restore(
    file: &Path,
    target: Database<'_>,
    secret: Secret,
    key: Option<sigida_vault::Key>,
) -> Result<Restored, AppError> {
    let near = match target {
        Database::Folder(dir) => dir.join(sigida_store::SQLITE_FILE),
        Database::Postgres(_) => file.to_owned(),
    };
    if let Database::Folder(dir) = target {
        std::fs::create_dir_all(dir).map_err(written(dir))?;
    }
    let opened = Scratch::beside(&near, "restauration");
    let (path, source) = (opened.0.clone(), file.to_owned());
    let head = crate::common::clean_data::off_runtime(move || -> Result<Vec<u8>, AppError> {
        let input = std::fs::File::open(&source).map_err(|e| {
            AppError::from(
                Refusal::new("backup.unreadable")
                    .arg("path", source.display().to_string())
                    .arg("detail", e.to_string()),
            )
        })?;
        let mut plain = Vec::new();
        // The scratch file is `opened`'s, removed by it.
        let output = create_private(&path)?;
        let mut head = HeadSplit {
            head: &mut plain,
            rest: BufWriter::new(output),
        };
        sigida_vault::open(&secret, BufReader::new(input), &mut head).map_err(vault_refusal)?;
        head.rest
            .into_inner()
            .map_err(|e| written(&path)(e.into_error()))?
            .sync_all()
            .map_err(written(&path))?;
        Ok(plain)
    })
    .await??;
    match target {
        Database::Folder(dir) => {
            if head != SQLITE_HEAD {
                return Err(Refusal::new("backup.other_backend").into());
            }
            // Opened with the diagnostic's key: its personal data is sealed with it.
            let checked =
                Store::connect_with(&format!("sqlite://{}", opened.0.display()), key).await?;
            let problems = checked.check_integrity().await?;
            let diagnostic = checked.diagnostics().await?.into_iter().next();
            let audit = checked.verify_audit().await?;
            checked.close().await;
            let Some(diagnostic) = diagnostic.filter(|_| problems.is_empty()) else {
                return Err(Refusal::new("backup.damaged_database")
                    .arg("detail", problems.join(" ; "))
                    .into());
            };
            let database = dir.join(sigida_store::SQLITE_FILE);
            let kept_aside = if database.exists() {
                let stamp = sigida_core::Timestamp::now()
                    .to_rfc3339()
                    .replace([':', '.'], "-");
                let aside = dir.join(format!("sigida.avant-restauration-{stamp}.db"));
                for suffix in ["-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{suffix}", database.display()));
                    if from.exists() {
                        let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                        std::fs::rename(&from, &to).map_err(written(&from))?;
                    }
                }
                std::fs::rename(&database, &aside).map_err(written(&database))?;
                Some(aside)
            } else {
                None
            };
            std::fs::rename(&opened.0, &database).map_err(written(&database))?;
            sigida_vault::restrict(&database, 0o600).map_err(written(&database))?;
            Ok(Restored {
                diagnostic: diagnostic.name,
                kept_aside,
                audit_entries: audit.entries,
            })
        }
        Database::Postgres(url) => {
            if head != POSTGRES_HEAD {
                return Err(Refusal::new("backup.other_backend").into());
            }
            let dump = opened.0.clone();
            run_tool("pg_restore", {
                let dump = dump.clone();
                move |c| c.arg("--list").arg(dump)
            })
            .await?;
            let url_owned = url.to_owned();
            run_tool("pg_restore", move |c| {
                c.args([
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                ])
                .arg("--dbname")
                .arg(url_owned)
                .arg(dump)
            })
            .await?;
            let restored = Store::connect_with(url, key).await?;
            let diagnostic = restored.diagnostics().await?.into_iter().next();
            let audit = restored.verify_audit().await?;
            restored.close().await;
            Ok(Restored {
                diagnostic: diagnostic.map(|d| d.name).unwrap_or_default(),
                kept_aside: None,
                audit_entries: audit.entries,
            })
        }
    }
}

/// Sends the first line of what is written to `head`, the rest to `rest`.
struct HeadSplit<'a, W: Write> {
    head: &'a mut Vec<u8>,
    rest: W,
}

impl<W: Write> Write for HeadSplit<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.head.last() == Some(&b'\n') {
            return self.rest.write(buf);
        }
        if self.head.len() > 64 {
            return Err(std::io::Error::other("no first line"));
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(end) => {
                self.head.extend_from_slice(&buf[..=end]);
                self.rest.write_all(&buf[end + 1..])?;
            }
            None => self.head.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.rest.flush()
    }
}
