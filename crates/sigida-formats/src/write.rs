//! Writing tables for people and other tools: CSV (UTF-8, `,`, quoted as needed) and XLSX
//! (header row bold and frozen, numbers stored as numbers), with an optional HXL hashtag row
//! under the headers.
//!
//! A CSV is opened in a spreadsheet, which runs a cell that starts like a formula
//! (`=HYPERLINK(…)`, `@SUM(…)`, `+cmd|…`): every CSV cell goes through [`formula_safe`] unless
//! the caller asks for the raw values ([`Cells::Raw`], for R and scripts, which run nothing).
//! XLSX cells are written as text or numbers, never as formulas, so a workbook needs nothing.

use std::borrow::Cow;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use crate::table::Table;
use crate::{FormatError, Location, Refusal};

fn failure(path: &Path, what: Refusal) -> FormatError {
    FormatError::new(
        Location {
            file: path.display().to_string(),
            ..Location::default()
        },
        what,
    )
}

/// What a CSV's cells hold: made safe for a spreadsheet, or the values as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cells {
    FormulaSafe,
    Raw,
}

/// A cell a spreadsheet will show and not run: one that starts with `=`, `+`, `-`, `@`, a tab,
/// a carriage return or a line feed gets a leading `'` (OWASP's advice), unless it is a number
/// (`-12.5`, `+3`), which stays as it is so that figures remain figures.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    let starts_like_formula = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n')
    );
    if starts_like_formula && cell.parse::<f64>().is_err() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV record's cells as `cells` says.
pub fn csv_cells<'a, I>(record: I, cells: Cells) -> impl Iterator<Item = Cow<'a, str>>
where
    I: IntoIterator<Item = &'a str>,
{
    record.into_iter().map(move |cell| match cells {
        Cells::FormulaSafe => formula_safe(cell),
        Cells::Raw => Cow::Borrowed(cell),
    })
}

/// Writes `table` (and the `hxl` hashtag row, when given) as CSV or XLSX by `path`'s extension;
/// CSV cells as `cells` says.
pub fn write_table(
    path: &Path,
    table: &Table,
    hxl: Option<&[String]>,
    cells: Cells,
) -> Result<(), FormatError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "csv" => write_csv(path, table, hxl, cells),
        "xlsx" => write_xlsx(path, table, hxl),
        _ => Err(failure(path, Refusal::new("file.write_extension"))),
    }
}

fn write_csv(
    path: &Path,
    table: &Table,
    hxl: Option<&[String]>,
    cells: Cells,
) -> Result<(), FormatError> {
    let mut writer = csv::Writer::from_path(path).map_err(|e| {
        failure(
            path,
            Refusal::new("file.write").arg("detail", e.to_string()),
        )
    })?;
    let error = |e: csv::Error| {
        failure(
            path,
            Refusal::new("file.write").arg("detail", e.to_string()),
        )
    };
    let mut write = |record: &[String]| {
        writer
            .write_record(
                csv_cells(record.iter().map(String::as_str), cells).map(|c| c.into_owned()),
            )
            .map_err(error)
    };
    write(&table.headers)?;
    if let Some(tags) = hxl {
        write(tags)?;
    }
    for (_, row) in &table.rows {
        write(row)?;
    }
    writer.flush().map_err(|e| {
        failure(
            path,
            Refusal::new("file.write").arg("detail", e.to_string()),
        )
    })
}

/// Writes several tables as the sheets of one XLSX workbook (an XLSForm, say), cells as text.
/// The same tables always give the same bytes (the creation date is fixed), so a form written
/// twice is recognised as one version.
pub fn write_workbook(path: &Path, tables: &[Table]) -> Result<(), FormatError> {
    let error = |e: rust_xlsxwriter::XlsxError| {
        failure(
            path,
            Refusal::new("file.write_xlsx").arg("detail", e.to_string()),
        )
    };
    let mut workbook = Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1).map_err(error)?;
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(
                table
                    .sheet
                    .as_deref()
                    .unwrap_or("feuille")
                    .chars()
                    .take(31)
                    .collect::<String>(),
            )
            .map_err(error)?;
        for (c, header) in table.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, header, &bold)
                .map_err(error)?;
        }
        for (r, (_, cells)) in table.rows.iter().enumerate() {
            for (c, value) in cells.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                sheet
                    .write_string(r as u32 + 1, c as u16, value)
                    .map_err(error)?;
            }
        }
    }
    workbook.save(path).map_err(error)
}

fn write_xlsx(path: &Path, table: &Table, hxl: Option<&[String]>) -> Result<(), FormatError> {
    write_data_sheets(path, &[(table, hxl)])
}

/// Writes data tables as the sheets of one XLSX workbook (the main table, then its repeats),
/// each with its HXL row when given; numbers as numbers.
pub fn write_data_sheets(
    path: &Path,
    tables: &[(&Table, Option<&[String]>)],
) -> Result<(), FormatError> {
    let bytes = data_sheets_bytes(path, tables)?;
    std::fs::write(path, bytes).map_err(|e| {
        failure(
            path,
            Refusal::new("file.write").arg("detail", e.to_string()),
        )
    })
}

/// The same workbook as bytes (a download); `name` names it in errors.
pub fn data_sheets_bytes(
    path: &Path,
    tables: &[(&Table, Option<&[String]>)],
) -> Result<Vec<u8>, FormatError> {
    let error = |e: rust_xlsxwriter::XlsxError| {
        failure(
            path,
            Refusal::new("file.write_xlsx").arg("detail", e.to_string()),
        )
    };
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for (table, hxl) in tables {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(
                table
                    .sheet
                    .as_deref()
                    .unwrap_or("donnees")
                    .chars()
                    .take(31)
                    .collect::<String>(),
            )
            .map_err(error)?;
        for (c, header) in table.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, header, &bold)
                .map_err(error)?;
        }
        let mut first = 1u32;
        if let Some(tags) = hxl {
            for (c, tag) in tags.iter().enumerate() {
                sheet.write_string(1, c as u16, tag).map_err(error)?;
            }
            first = 2;
        }
        sheet.set_freeze_panes(first, 0).map_err(error)?;
        for (r, (_, cells)) in table.rows.iter().enumerate() {
            let row = first + r as u32;
            for (c, value) in cells.iter().enumerate() {
                if value.is_empty() {
                    continue;
                }
                // Numbers as numbers, so that sums and filters work; codes with leading zeros
                // stay text.
                match value.parse::<f64>() {
                    Ok(n)
                        if n.is_finite()
                            && !(value.starts_with('0')
                                && value.len() > 1
                                && !value.starts_with("0.")) =>
                    {
                        sheet.write_number(row, c as u16, n).map_err(error)?;
                    }
                    _ => {
                        sheet.write_string(row, c as u16, value).map_err(error)?;
                    }
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_tables;

    fn table() -> Table {
        Table {
            file: "t".into(),
            sheet: Some("propre".into()),
            headers: vec!["_uuid".into(), "age".into(), "code".into(), "note".into()],
            rows: vec![
                (
                    2,
                    vec![
                        "a".into(),
                        "34".into(),
                        "007".into(),
                        "l'eau; \"potable\"".into(),
                    ],
                ),
                (
                    3,
                    vec!["b".into(), "".into(), "12".into(), "Ségou → Kayes".into()],
                ),
            ],
        }
    }

    #[test]
    fn a_cell_that_starts_like_a_formula_is_shown_not_run() {
        for (typed, written) in [
            (
                "=HYPERLINK(\"http://x\",\"ici\")",
                "'=HYPERLINK(\"http://x\",\"ici\")",
            ),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("+223 76 12 34 56", "'+223 76 12 34 56"),
            // Figures stay figures; ordinary text is untouched.
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("1e-3", "1e-3"),
            ("Ségou = Kayes", "Ségou = Kayes"),
            ("", ""),
        ] {
            assert_eq!(formula_safe(typed), written, "{typed:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut t = table();
        t.rows[0].1[3] = "=1+1".into();
        write_table(&path, &t, None, Cells::FormulaSafe).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains(",'=1+1\n"));
        write_table(&path, &t, None, Cells::Raw).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains(",=1+1\n"));
    }

    #[test]
    fn csv_and_xlsx_read_back_the_same_cells() {
        let dir = tempfile::tempdir().unwrap();
        let tags = vec![
            "#meta+id".to_owned(),
            "#indicator+age".into(),
            "".into(),
            "".into(),
        ];
        for name in ["t.csv", "t.xlsx"] {
            let path = dir.path().join(name);
            write_table(&path, &table(), Some(&tags), Cells::FormulaSafe).unwrap();
            let back = read_tables(&path).unwrap().remove(0);
            assert_eq!(back.headers, table().headers, "{name}");
            assert_eq!(back.rows[0].1[..2], tags[..2], "{name}: the hashtag row");
            let cells: Vec<Vec<String>> = back.rows[1..].iter().map(|(_, c)| c.clone()).collect();
            let want: Vec<Vec<String>> = table().rows.into_iter().map(|(_, c)| c).collect();
            assert_eq!(cells, want, "{name}");
        }
        assert!(write_table(&dir.path().join("t.ods"), &table(), None, Cells::Raw).is_err());
    }
}

/// A cell of a workbook written for people.
#[derive(Clone, Debug, PartialEq)]
pub enum SheetCell {
    Empty,
    Text(String),
    Number(f64),
    /// A formula (`=SUM(F2:F9)`) with its value, stored too so that a reader that does not
    /// calculate (or a quick look) sees the same figure as the spreadsheet.
    Formula {
        formula: String,
        value: f64,
    },
}

/// One sheet: a bold, frozen header row, then rows; numbers in `money_columns` are formatted
/// with thousands separators.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<SheetCell>>,
    pub money_columns: Vec<usize>,
}

/// Writes `sheets` as one XLSX workbook.
pub fn write_sheets(path: &Path, sheets: &[Sheet]) -> Result<(), FormatError> {
    let bytes = sheets_bytes(path, sheets)?;
    std::fs::write(path, bytes).map_err(|e| {
        failure(
            path,
            Refusal::new("file.write").arg("detail", e.to_string()),
        )
    })
}

/// The same workbook in memory (a download); `name` names it in errors.
pub fn sheets_bytes(name: &Path, sheets: &[Sheet]) -> Result<Vec<u8>, FormatError> {
    let path = name;
    let error = |e: rust_xlsxwriter::XlsxError| {
        failure(
            path,
            Refusal::new("file.write_xlsx").arg("detail", e.to_string()),
        )
    };
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0");
    for s in sheets {
        let sheet = workbook.add_worksheet();
        sheet
            .set_name(s.name.chars().take(31).collect::<String>())
            .map_err(error)?;
        for (c, header) in s.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, header, &bold)
                .map_err(error)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(error)?;
        for (r, cells) in s.rows.iter().enumerate() {
            let row = r as u32 + 1;
            for (c, cell) in cells.iter().enumerate() {
                let col = c as u16;
                let format = if s.money_columns.contains(&c) {
                    &money
                } else {
                    &Format::new()
                };
                match cell {
                    SheetCell::Empty => {}
                    SheetCell::Text(t) => {
                        sheet.write_string(row, col, t).map_err(error)?;
                    }
                    SheetCell::Number(n) => {
                        sheet
                            .write_number_with_format(row, col, *n, format)
                            .map_err(error)?;
                    }
                    SheetCell::Formula { formula, value } => {
                        sheet
                            .write_formula_with_format(
                                row,
                                col,
                                rust_xlsxwriter::Formula::new(formula)
                                    .set_result(value.to_string()),
                                format,
                            )
                            .map_err(error)?;
                    }
                }
            }
        }
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(error)
}
