//! A register workbook: one sheet per register, as field teams fill them in Excel offline.
//! Row 1 holds the column keys (French, what the reader matches), row 2 their English
//! label, and a sheet whose columns have HXL hashtags carries them in row 3; data starts
//! below. Closed lists are drop-downs fed from a `listes` sheet, so a typed value cannot
//! stray from them in Excel or LibreOffice. Reading finds the columns by their key, skips the
//! label and hashtag rows, and hands each data row with its row number.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook};

use crate::table::Table;
use crate::{FormatError, Location, Refusal};

/// One column of a register sheet.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The header the reader matches (French, without accents: `organisation`).
    pub key: &'static str,
    /// Its English label, in the second row.
    pub en: &'static str,
    /// Its HXL hashtag, where a standard (the 4W) has one.
    pub hxl: Option<&'static str>,
    /// The closed list its values come from (a column of the `listes` sheet).
    pub list: Option<&'static str>,
    pub required: bool,
}

/// One register sheet: its name and columns.
#[derive(Clone, Copy, Debug)]
pub struct SheetSpec {
    pub name: &'static str,
    pub columns: &'static [Column],
}

/// The sheet of the closed lists the drop-downs read.
pub const LISTS_SHEET: &str = "listes";

/// How many rows a template's drop-downs cover.
const VALIDATED_ROWS: u32 = 2000;

fn failed(e: rust_xlsxwriter::XlsxError) -> FormatError {
    FormatError::new(
        Location::default(),
        Refusal::new("file.write_xlsx").arg("detail", e.to_string()),
    )
}

/// The workbook: each sheet of `specs` with its rows (cells in the spec's column order), the
/// closed lists `(name, values)` on the `listes` sheet, a note on the first sheet saying how
/// to fill it.
pub fn write(
    specs: &[SheetSpec],
    rows: &[Vec<Vec<String>>],
    lists: &[(&str, Vec<String>)],
    note: &str,
) -> Result<Vec<u8>, FormatError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DCE6F0");
    let label = Format::new().set_italic().set_font_color("#555555");
    let tag = Format::new().set_font_color("#1F6F43");
    let required = Format::new().set_bold().set_background_color("#F8DCD6");
    for (s, spec) in specs.iter().enumerate() {
        let sheet = book.add_worksheet();
        sheet.set_name(spec.name).map_err(failed)?;
        let hxl = spec.columns.iter().any(|c| c.hxl.is_some());
        let header_rows: u32 = if hxl { 3 } else { 2 };
        for (c, column) in spec.columns.iter().enumerate() {
            let col = c as u16;
            let format = if column.required { &required } else { &bold };
            sheet
                .write_string_with_format(0, col, column.key, format)
                .map_err(failed)?;
            sheet
                .write_string_with_format(1, col, column.en, &label)
                .map_err(failed)?;
            if let Some(t) = column.hxl {
                sheet
                    .write_string_with_format(2, col, t, &tag)
                    .map_err(failed)?;
            }
            sheet
                .set_column_width(
                    col,
                    (column.key.len().max(column.en.len()) as f64 + 2.0).min(40.0),
                )
                .map_err(failed)?;
            if let Some(list) = column.list
                && let Some(index) = lists.iter().position(|(name, _)| *name == list)
            {
                let letter = crate::register::letter(index);
                let count = lists[index].1.len().max(1) + 1;
                let validation = DataValidation::new()
                    .allow_list_formula(Formula::new(format!(
                        "={LISTS_SHEET}!${letter}$2:${letter}${count}"
                    )))
                    .set_error_title("Sigida")
                    .map_err(failed)?
                    .set_error_message(format!(
                        "Valeur hors de la liste « {list} » / value not in the list"
                    ))
                    .map_err(failed)?;
                sheet
                    .add_data_validation(
                        header_rows,
                        col,
                        header_rows + VALIDATED_ROWS,
                        col,
                        &validation,
                    )
                    .map_err(failed)?;
            }
        }
        for (r, cells) in rows.get(s).into_iter().flatten().enumerate() {
            for (c, value) in cells.iter().enumerate() {
                if !value.is_empty() {
                    sheet
                        .write_string(header_rows + r as u32, c as u16, value)
                        .map_err(failed)?;
                }
            }
        }
        sheet.set_freeze_panes(header_rows, 0).map_err(failed)?;
        if s == 0 && !note.is_empty() {
            let note = rust_xlsxwriter::Note::new(note)
                .set_width(420)
                .set_height(180);
            sheet.insert_note(0, 0, &note).map_err(failed)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name(LISTS_SHEET).map_err(failed)?;
    for (c, (name, values)) in lists.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *name, &bold)
            .map_err(failed)?;
        for (r, value) in values.iter().enumerate() {
            sheet
                .write_string(1 + r as u32, c as u16, value)
                .map_err(failed)?;
        }
        sheet.set_column_width(c as u16, 28).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// The letters of a 0-based column index (`0` → `A`, `27` → `AB`).
fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A data row of a register sheet: its row number and its cells by column key.
#[derive(Clone, Debug)]
pub struct Row<'t> {
    pub row: usize,
    table: &'t Table,
    cells: &'t [String],
}

impl Row<'_> {
    /// The trimmed value of the column `key` ("" when the column or the cell is missing).
    pub fn get(&self, key: &str) -> &str {
        self.table
            .column(key)
            .and_then(|c| self.cells.get(c))
            .map_or("", |v| v.trim())
    }

    /// Where the cell of `key` is.
    pub fn at(&self, key: &str) -> Location {
        self.table.at(self.row, Some(key))
    }
}

/// The data rows of the sheet `spec` among `tables` (`None` when the workbook has no such
/// sheet): the English label row and the hashtag row are skipped, and so are empty rows. A
/// required column missing from the header refuses the sheet.
pub fn rows<'t>(
    tables: &'t [Table],
    spec: &SheetSpec,
) -> Option<Result<Vec<Row<'t>>, Vec<FormatError>>> {
    let table = tables.iter().find(|t| {
        t.sheet
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(spec.name))
    })?;
    let missing: Vec<FormatError> = spec
        .columns
        .iter()
        .filter(|c| c.required && table.column(c.key).is_none())
        .map(|c| {
            FormatError::new(
                table.location(),
                Refusal::new("file.column").arg("column", c.key).arg(
                    "expected",
                    spec.columns
                        .iter()
                        .map(|c| c.key)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Some(Err(missing));
    }
    let is_label_row = |cells: &[String]| {
        spec.columns.iter().any(|c| {
            table
                .column(c.key)
                .and_then(|i| cells.get(i))
                .is_some_and(|v| !v.trim().is_empty() && v.trim() == c.en)
        })
    };
    let is_hashtag_row = |cells: &[String]| {
        let filled: Vec<&str> = cells
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        !filled.is_empty() && filled.iter().all(|v| v.starts_with('#'))
    };
    Some(Ok(table
        .rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|v| !v.trim().is_empty()))
        .filter(|(_, cells)| !is_label_row(cells) && !is_hashtag_row(cells))
        .map(|(row, cells)| Row {
            row: *row,
            table,
            cells,
        })
        .collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: SheetSpec = SheetSpec {
        name: "prestataires",
        columns: &[
            Column {
                key: "organisation",
                en: "Organisation",
                hxl: Some("#org"),
                list: None,
                required: true,
            },
            Column {
                key: "secteur",
                en: "Sector",
                hxl: Some("#sector"),
                list: Some("secteurs"),
                required: true,
            },
        ],
    };

    #[test]
    fn a_written_register_reads_back_without_its_label_and_hashtag_rows() {
        let rows = vec![vec![vec!["Croix-Rouge".to_owned(), "Santé".to_owned()]]];
        let lists = [("secteurs", vec!["Santé".to_owned(), "Abri".to_owned()])];
        let bytes = write(&[SPEC], &rows, &lists, "Remplir une ligne par service.").unwrap();
        let tables = crate::table::read_tables_from_bytes("r.xlsx", &bytes).unwrap();
        assert!(
            tables
                .iter()
                .any(|t| t.sheet.as_deref() == Some(LISTS_SHEET))
        );
        let read = rows_of(&tables);
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].row, 4);
        assert_eq!(read[0].get("secteur"), "Santé");
        assert_eq!(read[0].at("secteur").row, Some(4));
    }

    fn rows_of(tables: &[Table]) -> Vec<Row<'_>> {
        rows(tables, &SPEC).unwrap().unwrap()
    }

    #[test]
    fn a_sheet_without_a_required_column_is_refused_by_name() {
        let table = Table::sheet("r.xlsx", "prestataires", &[&["organisation"][..], &["MSF"]]);
        let err = rows(std::slice::from_ref(&table), &SPEC)
            .unwrap()
            .unwrap_err();
        assert_eq!(err[0].arg("column"), Some("secteur"));
        assert!(rows(&[], &SPEC).is_none());
    }
}
