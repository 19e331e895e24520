//! Readers for the files users bring, with errors that name the file, sheet, row and column.
//!
//! - `table`: any spreadsheet-like file (CSV with `,` `;` tab or `|`, with or without a
//!   byte-order mark; XLSX; XLS) as text cells with their original row numbers.
//! - `cod`: COD-AB lists of P-codes, in the long layout (`P-Code`, `Admin Level`,
//!   `Parent P-Code`) and the wide one (`adm1_pcode`, `adm2_name`…, one sheet per level).
//! - `flows`: flow monitoring sheets as flow counts (by HXL tags or French/English headers).
//! - `qualitative`: a coded-notes workbook (notes, codes, extraits).
//! - `hxl`: a table's hashtag row, wherever it is, and its columns by tag pattern.

pub mod cod;
pub mod flows;
pub mod hxl;
pub mod progress;
pub mod qualitative;
pub mod register;
pub mod table;
pub mod write;

use std::fmt;

pub use sigida_core::refusal::Refusal;

/// Where in a user's file something is: each part present when known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based row as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    pub column: Option<String>,
}

/// For logs: where, in no person's language (people read it through the catalogue,
/// `sigida_report::Tr::location`).
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " sheet={sheet:?}")?;
        }
        if let Some(row) = self.row {
            write!(f, " row={row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, " column={column:?}")?;
        }
        Ok(())
    }
}

/// A problem with a user's file: where, and what was expected, as a code and its values
/// (`refusal.<code>` in the catalogue), which people read translated
/// (`sigida_report::Tr::format_error`) and logs print as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {what}")]
pub struct FormatError {
    /// Boxed: a result carrying this error stays small on the happy path.
    pub at: Box<Location>,
    pub what: Refusal,
}

impl FormatError {
    pub fn new(at: Location, what: Refusal) -> Self {
        Self {
            at: Box::new(at),
            what,
        }
    }

    /// The problem's code (`file.not_utf8`…), for tests and programs.
    pub fn code(&self) -> &'static str {
        self.what.code
    }

    /// The value given for one of its slots.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.what
            .args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// ISO dates (with or without a time after them, as DTM and spreadsheets write them) and
/// French day/month/year.
pub fn parse_date(value: &str) -> Option<time::Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let french = time::macros::format_description!("[day]/[month]/[year]");
    let value = value.trim();
    value
        .get(..10)
        .and_then(|d| time::Date::parse(d, iso).ok())
        .or_else(|| time::Date::parse(value, french).ok())
}

/// A number as people type it in a form or a spreadsheet: spaces (plain or no-break) between
/// thousands, a decimal comma or point. Infinite and NaN values are not numbers here. (Data
/// exported by a collection tool is read by [`parse_exported_number`], stricter: a comma there
/// is never a decimal separator.)
pub fn parse_typed_number(text: &str) -> Option<f64> {
    let clean = text
        .trim()
        .replace([' ', '\u{a0}', '\u{202f}'], "")
        .replace(',', ".");
    clean.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A number as collection tools export it: `12`, `-3.5`, and R's `5e+05`; no thousands
/// separators, no decimal comma, no infinity or NaN.
pub fn parse_exported_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.contains(['i', 'I', 'n', 'N']) {
        return None;
    }
    t.parse::<f64>().ok().filter(|n| n.is_finite())
}
