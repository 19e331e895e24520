//! Files that come into a diagnostic whole: a COD-AB list of P-codes, a flow monitoring sheet,
//! a coded-notes workbook. Each is read, checked and stored all or nothing: a file with one
//! problem is refused with every problem and its place ([`AppError::File`]); the very same
//! bytes imported again change nothing ([`Imported::Again`]). The raw file is kept, the import
//! audited.

pub mod flows;
pub mod geography;
pub mod instruments;
pub mod notes;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::instrument::RawImport;
use sigida_core::{Id, Timestamp};
use sigida_report::Tr;

use crate::AppError;
use crate::common::files::Upload;

/// The audit event of an import: who brought which file, and what it held.
fn audited(at: Timestamp, by: Option<&str>, import: Id<RawImport>, detail: String) -> AuditEvent {
    AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::DataImported,
        subject: format!("import:{import}"),
        detail,
    }
}

/// The tables of a file (CSV, XLSX, XLS, ZIP of CSVs), read off the async runtime: a workbook
/// is CPU work, and the server keeps answering while it is read.
async fn tables_of(file: Upload<'_>) -> Result<Vec<sigida_formats::table::Table>, AppError> {
    let (shown, bytes) = (file.shown.to_owned(), file.bytes.to_vec());
    Ok(crate::common::clean_data::off_runtime(move || {
        sigida_formats::table::read_tables_from_bytes(&shown, &bytes)
    })
    .await??)
}

/// What an import did.
#[derive(Clone, Debug)]
pub enum Imported<T> {
    New(T),
    /// These very bytes were imported before (on that day): nothing changed.
    Again(RawImport),
}

impl<T> Imported<T> {
    /// What to tell the person: `new`'s summary, or that nothing changed.
    pub fn summary(&self, tr: Tr, new: impl FnOnce(&T, Tr) -> String) -> String {
        match self {
            Imported::New(done) => new(done, tr),
            Imported::Again(import) => tr.fill(
                "imported.again",
                &[("date", import.imported_at.date().to_string())],
            ),
        }
    }
}
