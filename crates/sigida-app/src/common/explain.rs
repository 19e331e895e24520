//! Every failure a person can read, in their language: the library errors carry a code and its
//! values (`refusal.<code>` in the catalogue) and, for a user's file, where the problem is; this
//! is where the web and the command line turn them into sentences.

use sigida_formats::{FormatError, Location};
use sigida_report::Tr;
use sigida_xlsform::{FormError, Problem};

use crate::AppError;
use crate::common::clean_data::DatasetError;
use crate::common::error::Refusal;

/// One problem of a form: coded problems (a file that cannot be read) in the reader's
/// language, the form reader's own in French.
pub fn form_problem(tr: Tr, p: &Problem) -> String {
    match &p.what {
        Some(what) => tr.format_error(&FormatError::new(
            Location {
                file: p.file.clone(),
                sheet: (!p.sheet.is_empty()).then(|| p.sheet.clone()),
                row: p.row,
                column: p.column.clone(),
            },
            what.clone(),
        )),
        None => p.to_string(),
    }
}

/// Every problem of a form that cannot be read, one per line.
pub fn form_error(tr: Tr, e: &FormError) -> String {
    e.problems
        .iter()
        .map(|p| form_problem(tr, p))
        .collect::<Vec<_>>()
        .join("\n")
}

impl DatasetError {
    /// What a person reads.
    pub fn text(&self, tr: Tr) -> String {
        match self {
            DatasetError::Store(e) => tr.refusal(&e.refusal()),
            DatasetError::Raw(e) => tr.format_error(e),
            DatasetError::Form(e) => {
                tr.refusal(&Refusal::new("dataset.form").arg("detail", form_error(tr, e)))
            }
            DatasetError::NoForm(instrument) => {
                tr.refusal(&Refusal::new("dataset.no_form").arg("instrument", instrument.as_str()))
            }
            DatasetError::Redacted(detail) => {
                tr.refusal(&Refusal::new("dataset.redacted").arg("detail", detail.as_str()))
            }
            DatasetError::Worker(e) => {
                tr.refusal(&Refusal::new("dataset.worker").arg("detail", e.to_string()))
            }
        }
    }
}

impl AppError {
    /// What a person reads.
    pub fn text(&self, tr: Tr) -> String {
        match self {
            AppError::Refused(r) => tr.refusal(r),
            AppError::Store(e) => tr.refusal(&e.refusal()),
            AppError::Dataset(e) => e.text(tr),
            AppError::Password(detail) => {
                tr.refusal(&Refusal::new("app.password").arg("detail", detail.as_str()))
            }
            AppError::File(problems) => file_refused(tr, problems),
            AppError::Form(e) => format!("{}\n{}", tr.t("form.refused"), form_error(tr, e)),
            AppError::Export(e) => tr.format_error(&e.explain()),
            AppError::Write { path, source } => tr.refusal(
                &Refusal::new("app.write")
                    .arg("path", path.display().to_string())
                    .arg("detail", source.to_string()),
            ),
            AppError::Pdf { path, source } => tr.refusal(
                &Refusal::new("app.pdf")
                    .arg("path", path.display().to_string())
                    .arg("detail", source.to_string()),
            ),
        }
    }
}

/// How many of a refused file's problems are listed (the rest are counted).
const SHOWN_PROBLEMS: usize = 20;

/// A file refused whole: its problems counted, then listed one per line (a single one on the
/// same line).
pub fn file_refused(tr: Tr, problems: &[FormatError]) -> String {
    if let [only] = problems {
        return format!("{} {}", tr.t("file.refused_one"), tr.format_error(only));
    }
    let mut lines = vec![tr.with_n("file.refused", problems.len() as u64)];
    lines.extend(
        problems
            .iter()
            .take(SHOWN_PROBLEMS)
            .map(|p| format!("  {}", tr.format_error(p))),
    );
    if problems.len() > SHOWN_PROBLEMS {
        lines.push(format!(
            "  {}",
            tr.with_n("file.more", (problems.len() - SHOWN_PROBLEMS) as u64)
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigida_report::Lang;

    #[test]
    fn a_file_problem_reads_in_each_language_with_where_it_is() {
        let e = FormatError::new(
            Location {
                file: "menages.csv".into(),
                sheet: None,
                row: Some(3),
                column: Some("âge".into()),
            },
            Refusal::new("file.number").arg("value", "douze"),
        );
        assert_eq!(
            Tr::new(Lang::Fr).format_error(&e),
            "menages.csv, ligne 3, colonne « âge » : « douze » n'est pas un nombre"
        );
        assert_eq!(
            Tr::new(Lang::En).format_error(&e),
            "menages.csv, row 3, column “âge”: “douze” is not a number"
        );
        // The log keeps the code and its values, in no person's language.
        assert_eq!(
            e.to_string(),
            "menages.csv row=3 column=\"âge\": file.number value=\"douze\""
        );
    }

    #[test]
    fn a_form_file_that_cannot_be_read_is_explained_in_the_readers_language() {
        let e = sigida_xlsform::read_form_bytes("f.docx", b"x").unwrap_err();
        assert_eq!(
            form_error(Tr::new(Lang::En), &e),
            "f.docx: unknown extension: expected .csv, .tsv, .xlsx, .xls or .zip"
        );
    }

    #[test]
    fn a_missing_record_names_what_and_which() {
        let e = AppError::from(sigida_store::StoreError::not_found("missing.plan", "p1"));
        assert_eq!(e.text(Tr::new(Lang::Fr)), "plan p1 introuvable");
        assert_eq!(e.text(Tr::new(Lang::En)), "plan p1 not found");
    }
}
