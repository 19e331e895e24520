//! A use-case's failure. A refusal (the person asked for something the rules forbid) is a
//! stable code and its arguments, translated through the catalogue where it is shown
//! (`refusal.<code>` in `locales/*.txt`); every other failure keeps its source for the log.

pub use sigida_core::refusal::Refusal;
use sigida_store::StoreError;

use crate::common::clean_data::DatasetError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error("password hashing: {0}")]
    Password(String),
    /// A user's file refused whole: every problem found, each with its place.
    #[error("{} problem(s) in the file, the first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    File(Vec<sigida_formats::FormatError>),
    /// A user's form (XLSForm) that cannot be read: every fatal problem.
    #[error("form: {0}")]
    Form(sigida_xlsform::FormError),
    /// A file that could not be written (a report…).
    #[error("writing {path}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A PDF that could not be typeset.
    #[error("typesetting {path}")]
    Pdf {
        path: std::path::PathBuf,
        #[source]
        source: sigida_report::pdf::PdfError,
    },
    /// An export that cannot be taken for its form (another form's, without ids…).
    #[error("export: {0}")]
    Export(#[from] sigida_xlsform::import::ExportError),
}

/// A problem with a user's file refuses the file.
impl From<sigida_formats::FormatError> for AppError {
    fn from(e: sigida_formats::FormatError) -> Self {
        AppError::File(vec![e])
    }
}

/// The store's refusals (a ballot on a closed question…) are the person's, like the use-cases'.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(r) => AppError::Refused(r),
            StoreError::Rule(rule) => AppError::Refused(rule.refusal()),
            other => AppError::Store(other),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused(r)
    }
}

/// A vault's refusal as the catalogue says it (`refusal.vault.<what>`).
pub fn vault_refusal(e: sigida_vault::VaultError) -> AppError {
    let refusal = Refusal::new(e.code());
    match e {
        sigida_vault::VaultError::KeyFile { path, .. } => {
            refusal.arg("path", path.display().to_string())
        }
        other => refusal.arg("detail", other.to_string()),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigida_report::{Lang, Tr};

    #[test]
    fn a_refusal_reads_in_each_language_with_its_values() {
        let r = Refusal::new("account.username").arg("username", "a b");
        assert_eq!(
            Tr::new(Lang::Fr).refusal(&r),
            "nom d'utilisateur « a b » : attendu un mot sans espace"
        );
        assert_eq!(
            Tr::new(Lang::En).refusal(&r),
            "user name “a b”: expected one word without spaces"
        );
    }
}
