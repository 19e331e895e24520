//! Spreadsheet-like files as tables of text cells.

use std::path::Path;

use calamine::{Data, Reader};

use crate::{FormatError, Location};

/// One sheet (or the whole CSV): headers and rows of text, empty cells as "".
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub file: String,
    /// `None` for CSV.
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    /// Each row with its 1-based row number in the file (the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// The index of the first header equal to `name`, ignoring case and surrounding spaces.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    }

    pub fn at(&self, row: usize, column: Option<&str>) -> Location {
        Location {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: Some(row),
            column: column.map(str::to_owned),
        }
    }

    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            ..Location::default()
        }
    }
}

fn file_location(path: &Path) -> Location {
    Location {
        file: path.display().to_string(),
        ..Location::default()
    }
}

impl Table {
    /// Every row with its number, the header row (row 1) first.
    pub fn records(&self) -> Vec<(usize, Vec<String>)> {
        std::iter::once((1, self.headers.clone()))
            .chain(self.rows.iter().cloned())
            .collect()
    }
}

/// Reads every sheet of an XLSX/XLS workbook, or the one table of a CSV file.
pub fn read_tables(path: &Path) -> Result<Vec<Table>, FormatError> {
    let bytes = std::fs::read(path)
        .map_err(|e| FormatError::new(file_location(path), format!("lecture impossible : {e}")))?;
    read_tables_from_bytes(&path.display().to_string(), &bytes)
}

/// The same from bytes already in memory; `name` (a file name) tells the format by its extension.
pub fn read_tables_from_bytes(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    let path = Path::new(name);
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "csv" | "tsv" | "txt" => read_csv(name, bytes).map(|t| vec![t]),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => read_workbook(name, bytes),
        _ => Err(FormatError::new(
            file_location(path),
            "extension non reconnue : attendu .csv, .tsv, .xlsx ou .xls",
        )),
    }
}

/// Every record of CSV bytes as they are (rows may differ in length), with its line number:
/// UTF-8 checked (with or without byte-order mark), separator found from the first line.
pub fn read_csv_records(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    let (bytes, separator) = checked_csv(file, bytes)?;
    records_with(file, bytes, separator)
}

/// The same with a separator chosen by the user.
pub fn read_csv_records_with(
    file: &str,
    bytes: &[u8],
    separator: u8,
) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    let (bytes, _) = checked_csv(file, bytes)?;
    records_with(file, bytes, separator)
}

fn records_with(
    file: &str,
    bytes: &[u8],
    separator: u8,
) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    let mut records = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines::new(bytes);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_error(file, e))?;
        let line = lines.of(&record).unwrap_or(i + 1);
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(records)
}

/// The line each record starts on, counted from the bytes: the csv crate's own count lags
/// one line behind in files with CRLF line ends (Excel's, Windows'), which would send users
/// to the wrong row.
struct Lines<'b> {
    bytes: &'b [u8],
    counted_to: usize,
    line: usize,
}

impl<'b> Lines<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        Lines {
            bytes,
            counted_to: 0,
            line: 1,
        }
    }

    fn of(&mut self, record: &csv::StringRecord) -> Option<usize> {
        let mut start = usize::try_from(record.position()?.byte()).ok()?;
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let start = start.max(self.counted_to);
        let seen = self.bytes.get(self.counted_to..start)?;
        self.line += seen.iter().filter(|&&b| b == b'\n').count();
        self.counted_to = start;
        Some(self.line)
    }
}

/// The bytes without byte-order mark, once known to be UTF-8, and their separator.
fn checked_csv<'b>(file: &str, bytes: &'b [u8]) -> Result<(&'b [u8], u8), FormatError> {
    let at = || Location {
        file: file.to_owned(),
        ..Location::default()
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(FormatError::new(
            Location {
                row: Some(line),
                ..at()
            },
            format!(
                "le fichier n'est pas en UTF-8 (octet {offset}) : enregistrez-le en « CSV UTF-8 » (Latin-1 et Windows-1252 ne sont pas acceptés)"
            ),
        ));
    }
    let header_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    Ok((bytes, sniff_separator(header_line)))
}

/// Reads CSV bytes: UTF-8 (with or without byte-order mark), separator found from the header.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, FormatError> {
    let at = || Location {
        file: file.to_owned(),
        ..Location::default()
    };
    let (bytes, separator) = checked_csv(file, bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines::new(bytes);
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        None => {
            return Err(FormatError::new(
                at(),
                "fichier vide : attendu une ligne d'en-têtes",
            ));
        }
        Some(Err(e)) => return Err(csv_error(file, e)),
        Some(Ok(record)) => record.iter().map(|h| h.trim().to_owned()).collect(),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| csv_error(file, e))?;
        let row = lines.of(&record).unwrap_or(rows.len() + 2);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > headers.len() {
            return Err(FormatError::new(
                Location {
                    row: Some(row),
                    ..at()
                },
                format!(
                    "{} cellules pour {} en-têtes : séparateur « {} » mal choisi ou guillemets non fermés",
                    record.len(),
                    headers.len(),
                    separator as char
                ),
            ));
        }
        let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
        cells.resize(headers.len(), String::new());
        rows.push((row, cells));
    }
    Ok(Table {
        file: file.to_owned(),
        sheet: None,
        headers,
        rows,
    })
}

fn csv_error(file: &str, e: csv::Error) -> FormatError {
    let row = e.position().map(|p| p.line() as usize);
    FormatError::new(
        Location {
            file: file.to_owned(),
            row,
            ..Location::default()
        },
        format!("CSV illisible : {e}"),
    )
}

/// The separator that splits the header line into the most fields, outside quotes.
pub fn sniff_separator(header: &[u8]) -> u8 {
    let count = |sep: u8| {
        let mut quoted = false;
        header
            .iter()
            .filter(|&&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                !quoted && b == sep
            })
            .count()
    };
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|&sep| (count(sep), sep == b','))
        .unwrap_or(b',')
}

fn read_workbook(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
            FormatError::new(
                file_location(Path::new(name)),
                format!(
                    "classeur illisible (fichier tronqué, protégé ou d'un autre format ?) : {e}"
                ),
            )
        })?;
    let file = name.to_owned();
    let mut tables = Vec::new();
    for sheet in workbook.sheet_names() {
        let range = workbook.worksheet_range(&sheet).map_err(|e| {
            FormatError::new(
                Location {
                    file: file.clone(),
                    sheet: Some(sheet.clone()),
                    ..Location::default()
                },
                format!("feuille illisible : {e}"),
            )
        })?;
        let first_row = range.start().map_or(0, |(row, _)| row as usize);
        let mut rows = range.rows().enumerate();
        let Some((_, header)) = rows.next() else {
            tables.push(Table {
                file: file.clone(),
                sheet: Some(sheet),
                headers: Vec::new(),
                rows: Vec::new(),
            });
            continue;
        };
        let headers: Vec<String> = header
            .iter()
            .map(|c| cell_text(c).trim().to_owned())
            .collect();
        let rows = rows
            .map(|(i, cells)| {
                (
                    first_row + i + 1,
                    cells.iter().map(cell_text).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
            .collect();
        tables.push(Table {
            file: file.clone(),
            sheet: Some(sheet),
            headers,
            rows,
        });
    }
    Ok(tables)
}

/// A cell as the text a person reads in it: whole numbers without `.0`, dates as ISO dates.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(d) => excel_serial_to_iso(d.as_f64()),
        Data::DateTimeIso(s) => s.clone(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time when not midnight.
fn excel_serial_to_iso(serial: f64) -> String {
    let days = serial.floor() as i64;
    // Civil-from-days (H. Hinnant), shifted from the Unix epoch (serial 25569).
    let z = days - 25569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if seconds == 0 {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_separator_and_bom_are_found() {
        let t = read_csv("a.csv", "\u{feff}_uuid;nom;\"a;b\"\n1;Awa;x\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["_uuid", "nom", "a;b"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["1".into(), "Awa".into(), "x".into()])]
        );
        let t = read_csv("b.tsv", b"x\ty\n1\t2\n").unwrap();
        assert_eq!(t.headers, ["x", "y"]);
    }

    #[test]
    fn latin1_csv_is_refused_with_its_line() {
        let err = read_csv("l.csv", b"nom\nS\xe9gou\n").unwrap_err();
        assert_eq!(err.at.row, Some(2));
        assert!(err.message.contains("UTF-8"), "{err}");
    }

    #[test]
    fn crlf_files_number_their_rows_as_a_spreadsheet_does() {
        let t = read_csv("w.csv", b"a,b\r\n1,2\r\n\r\n\"x\ny\",3\r\n4,5\r\n").unwrap();
        let rows: Vec<usize> = t.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(rows, [2, 4, 6]);
        let err = read_csv("w.csv", b"a,b\r\n1,2\r\n1,2,3\r\n").unwrap_err();
        assert_eq!(err.at.row, Some(3));
    }

    #[test]
    fn too_many_cells_names_the_row() {
        let err = read_csv("c.csv", b"a,b\n1,2\n1,2,3\n").unwrap_err();
        assert_eq!(err.at.row, Some(3));
    }

    #[test]
    fn excel_serials_become_iso_dates() {
        assert_eq!(excel_serial_to_iso(42170.0), "2015-06-15");
        assert_eq!(excel_serial_to_iso(45904.0), "2025-09-04");
        assert_eq!(excel_serial_to_iso(45904.5), "2025-09-04T12:00:00");
    }
}
