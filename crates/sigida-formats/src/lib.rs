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
pub mod table;
pub mod write;

use std::fmt;

/// Where in a user's file something is: each part present when known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based row as a spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", feuille « {sheet} »")?;
        }
        if let Some(row) = self.row {
            write!(f, ", ligne {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", colonne « {column} »")?;
        }
        Ok(())
    }
}

/// A problem with a user's file: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at} : {message}")]
pub struct FormatError {
    pub at: Location,
    pub message: String,
}

impl FormatError {
    pub fn new(at: Location, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
        }
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
