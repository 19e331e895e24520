//! Spreadsheet-like files as tables of text cells.

use std::path::Path;

use calamine::{Data, Reader};

use crate::{FormatError, Location, Refusal};

/// One sheet (or the whole CSV): headers and rows of text, empty cells as "". Serialisable:
/// a raw file's redacted copy is its tables, as read.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub file: String,
    /// `None` for CSV.
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    /// Each row with its 1-based row number in the file (the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// A sheet from its rows, the first the headers, the others numbered from 2 as a
    /// spreadsheet does.
    pub fn sheet<R: AsRef<[S]>, S: AsRef<str>>(file: &str, name: &str, rows: &[R]) -> Table {
        let text =
            |r: &R| -> Vec<String> { r.as_ref().iter().map(|c| c.as_ref().to_owned()).collect() };
        Table {
            file: file.to_owned(),
            sheet: Some(name.to_owned()),
            headers: rows.first().map(text).unwrap_or_default(),
            rows: rows
                .iter()
                .skip(1)
                .enumerate()
                .map(|(i, r)| (i + 2, text(r)))
                .collect(),
        }
    }

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
    let bytes = std::fs::read(path).map_err(|e| {
        FormatError::new(
            file_location(path),
            Refusal::new("file.unreadable").arg("detail", e.to_string()),
        )
    })?;
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
        "zip" => read_zip(name, bytes),
        _ => Err(FormatError::new(
            file_location(path),
            Refusal::new("file.extension"),
        )),
    }
}

/// How much a workbook or ZIP may hold once decompressed, all its entries together, unless
/// `SIGIDA_MAX_UNZIPPED_MIB` says otherwise: a file of a few kilobytes must not fill the
/// memory (a "decompression bomb"). 128 MiB is a workbook of several hundred thousand cells.
pub const DEFAULT_UNZIPPED_MIB: u64 = 128;

/// The longest line a CSV file may have (a line of hundreds of megabytes is no export).
pub const MAX_CSV_LINE: usize = 4 << 20;

/// The decompressed-size limit in force, in bytes.
pub fn unzipped_limit() -> u64 {
    std::env::var("SIGIDA_MAX_UNZIPPED_MIB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&v| v > 0)
        .unwrap_or(DEFAULT_UNZIPPED_MIB)
        << 20
}

fn too_big(name: &str, limit: u64) -> FormatError {
    FormatError::new(
        file_location(Path::new(name)),
        Refusal::new("file.unzips_too_big").arg("mib", (limit >> 20).to_string()),
    )
}

/// Checks, before anything is read into memory, that a ZIP (an XLSX, an ODS, ODK's ZIP)
/// decompresses within the limit: each entry's declared size, then its actual size, counted
/// while decompressing into nothing.
pub fn check_unzipped_size(name: &str, bytes: &[u8]) -> Result<(), FormatError> {
    use std::io::Read;
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let limit = unzipped_limit();
    let unreadable = |e: &dyn std::fmt::Display| {
        FormatError::new(
            file_location(Path::new(name)),
            Refusal::new("file.zip").arg("detail", e.to_string()),
        )
    };
    // A ZIP that cannot be opened is not read either: its reader says why (truncated…).
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(());
    };
    let declared: u64 = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|e| e.size()))
        .fold(0u64, u64::saturating_add);
    if declared > limit {
        return Err(too_big(name, limit));
    }
    let mut left = limit;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| unreadable(&e))?;
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| unreadable(&e))?;
        if read > left {
            return Err(too_big(name, limit));
        }
        left -= read;
    }
    Ok(())
}

/// The CSV files of a ZIP (ODK Central's download: the main table and one CSV per repeat),
/// each a table named by its file name, in the ZIP's order; other files (media) are left.
fn read_zip(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    use std::io::Read;
    let at = || file_location(Path::new(name));
    check_unzipped_size(name, bytes)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        FormatError::new(at(), Refusal::new("file.zip").arg("detail", e.to_string()))
    })?;
    let mut tables = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| {
            FormatError::new(at(), Refusal::new("file.zip").arg("detail", e.to_string()))
        })?;
        let inner = entry
            .name()
            .map_err(|e| {
                FormatError::new(
                    at(),
                    Refusal::new("file.zip_name").arg("detail", e.to_string()),
                )
            })?
            .into_owned();
        let file_name = inner.rsplit('/').next().unwrap_or(&inner).to_owned();
        let is_csv = Path::new(&file_name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if entry.is_dir()
            || !is_csv
            || inner.starts_with("__MACOSX/")
            || file_name.starts_with("._")
        {
            continue;
        }
        let shown = format!("{name} › {file_name}");
        let mut content = Vec::new();
        // Within the limit checked above: the sizes were counted.
        entry.read_to_end(&mut content).map_err(|e| {
            FormatError::new(
                file_location(Path::new(&shown)),
                Refusal::new("file.unreadable").arg("detail", e.to_string()),
            )
        })?;
        let mut table = read_csv(&shown, &content)?;
        table.sheet = Some(file_name);
        tables.push(table);
    }
    if tables.is_empty() {
        return Err(FormatError::new(at(), Refusal::new("file.zip_no_csv")));
    }
    Ok(tables)
}

/// Several files sent together (`sigida import data MAIN.csv REPEAT.csv`) kept as one raw
/// file: a ZIP that stores each byte for byte, in the order given, with fixed dates so the
/// same files always make the same bytes.
pub fn bundle(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, FormatError> {
    use std::io::Write;
    let failed = |e: &dyn std::fmt::Display| {
        FormatError::new(
            Location::default(),
            Refusal::new("file.zip_write").arg("detail", e.to_string()),
        )
    };
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, bytes) in files {
        writer
            .start_file(name.as_str(), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(bytes).map_err(|e| failed(&e))?;
    }
    Ok(writer.finish().map_err(|e| failed(&e))?.into_inner())
}

/// Every record of CSV bytes as they are (rows may differ in length), with its line number:
/// UTF-8 checked (with or without byte-order mark), separator found from the first line.
pub fn read_csv_records(
    file: &str,
    bytes: &[u8],
) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    collect_records(CsvRecords::new(file, bytes)?)
}

/// The same with a separator chosen by the user.
pub fn read_csv_records_with(
    file: &str,
    bytes: &[u8],
    separator: u8,
) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    collect_records(CsvRecords::with_separator(file, bytes, separator)?)
}

fn collect_records(mut reader: CsvRecords<'_>) -> Result<Vec<(usize, Vec<String>)>, FormatError> {
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Some(line) = reader.next_record(&mut record)? {
        records.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(records)
}

/// The one CSV reader of Sigida: every record of the file, whatever its line ends (CRLF, LF,
/// CR), quoting, embedded newlines or byte-order mark, each with the line it starts on. The
/// import's check, the cleaning checks and the clean data all read CSV through it, so they
/// see the same records under the same numbers.
pub struct CsvRecords<'b> {
    file: String,
    reader: csv::Reader<&'b [u8]>,
    lines: Lines<'b>,
    separator: u8,
}

impl<'b> CsvRecords<'b> {
    /// UTF-8 checked (with or without byte-order mark), separator found from the first line.
    pub fn new(file: &str, bytes: &'b [u8]) -> Result<Self, FormatError> {
        let (bytes, separator) = checked_csv(file, bytes)?;
        Ok(Self::over(file, bytes, separator))
    }

    /// The same with a separator chosen by the user.
    pub fn with_separator(file: &str, bytes: &'b [u8], separator: u8) -> Result<Self, FormatError> {
        let (bytes, _) = checked_csv(file, bytes)?;
        Ok(Self::over(file, bytes, separator))
    }

    fn over(file: &str, bytes: &'b [u8], separator: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        CsvRecords {
            file: file.to_owned(),
            reader,
            lines: Lines::new(bytes),
            separator,
        }
    }

    pub fn separator(&self) -> u8 {
        self.separator
    }

    /// The first record as the header row, trimmed; an empty file is refused.
    pub fn headers(&mut self) -> Result<Vec<String>, FormatError> {
        let mut record = csv::StringRecord::new();
        if self.next_record(&mut record)?.is_none() {
            return Err(FormatError::new(
                Location {
                    file: self.file.clone(),
                    ..Location::default()
                },
                Refusal::new("file.empty"),
            ));
        }
        Ok(record.iter().map(|h| h.trim().to_owned()).collect())
    }

    /// Reads the next record into `record`; its line, or `None` at the end of the file.
    pub fn next_record(
        &mut self,
        record: &mut csv::StringRecord,
    ) -> Result<Option<usize>, FormatError> {
        match self.reader.read_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(self.lines.of(record.position()))),
            Err(e) => {
                let row = self.lines.of(e.position());
                Err(FormatError::new(
                    Location {
                        file: self.file.clone(),
                        row: Some(row),
                        ..Location::default()
                    },
                    Refusal::new("file.csv").arg("detail", e.to_string()),
                ))
            }
        }
    }
}

/// A record whose every cell is blank: spreadsheets leave such lines, no reader keeps them.
pub fn is_blank_record(record: &csv::StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

/// The line each record starts on, counted from the bytes (a line ends with CRLF, LF or a
/// lone CR): the csv crate's own count lags one line behind in files with CRLF line ends
/// (Excel's, Kobo's, ODK's), which would send users to the wrong row.
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

    /// The line of a record or an error, from the csv crate's byte position.
    fn of(&mut self, position: Option<&csv::Position>) -> usize {
        let start = position
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(self.counted_to);
        self.line_at(start)
    }

    /// The line of the first byte at or after `start` that is not a line end.
    fn line_at(&mut self, mut start: usize) -> usize {
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let start = start.min(self.bytes.len()).max(self.counted_to);
        let seen = &self.bytes[self.counted_to..start];
        // CRLF and LF count at their LF, a lone CR by itself.
        let after = self.counted_to + 1;
        let ends = seen
            .iter()
            .enumerate()
            .filter(|&(i, &b)| {
                b == b'\n' || (b == b'\r' && self.bytes.get(after + i) != Some(&b'\n'))
            })
            .count();
        self.line += ends;
        self.counted_to = start;
        self.line
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
            Refusal::new("file.not_utf8").arg("offset", offset.to_string()),
        ));
    }
    // The longest stretch without a line end (LF or CR), and the line it is on.
    let ends = memchr::memchr2_iter(b'\n', b'\r', bytes).chain(std::iter::once(bytes.len()));
    let mut start = 0;
    let mut long = None;
    for end in ends {
        if end - start > MAX_CSV_LINE {
            long = Some(start);
            break;
        }
        start = end + 1;
    }
    if let Some(start) = long {
        let line = bytes[..start].iter().filter(|&&b| b == b'\n').count();
        return Err(FormatError::new(
            Location {
                row: Some(line + 1),
                ..at()
            },
            Refusal::new("file.line_too_long").arg("mib", (MAX_CSV_LINE >> 20).to_string()),
        ));
    }
    let header_line = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    Ok((bytes, sniff_separator(header_line)))
}

/// Reads CSV bytes: UTF-8 (with or without byte-order mark), separator found from the header.
/// Blank records are left out; a record with more cells than headers is refused.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, FormatError> {
    let mut reader = CsvRecords::new(file, bytes)?;
    let headers = reader.headers()?;
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    while let Some(row) = reader.next_record(&mut record)? {
        if is_blank_record(&record) {
            continue;
        }
        if record.len() > headers.len() {
            return Err(too_many_cells(
                file,
                row,
                record.len(),
                headers.len(),
                reader.separator(),
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

/// A record longer than the header row: the file was cut or split with the wrong separator.
pub fn too_many_cells(
    file: &str,
    row: usize,
    cells: usize,
    headers: usize,
    separator: u8,
) -> FormatError {
    FormatError::new(
        Location {
            file: file.to_owned(),
            row: Some(row),
            ..Location::default()
        },
        Refusal::new("file.cells")
            .arg("cells", cells.to_string())
            .arg("headers", headers.to_string())
            .arg("separator", (separator as char).to_string()),
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

/// A workbook's sheets. The workbook reader is another crate's: a crafted file that makes it
/// panic (fuzzing found cell references whose column overflows) is refused like any unreadable
/// workbook, with its name, instead of taking the request or the command down.
fn read_workbook(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    std::panic::catch_unwind(|| read_workbook_unguarded(name, bytes)).unwrap_or_else(|_| {
        Err(FormatError::new(
            file_location(Path::new(name)),
            Refusal::new("file.workbook").arg("detail", "structure interne invalide"),
        ))
    })
}

fn read_workbook_unguarded(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    check_unzipped_size(name, bytes)?;
    let mut workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
            FormatError::new(
                file_location(Path::new(name)),
                Refusal::new("file.workbook").arg("detail", e.to_string()),
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
                Refusal::new("file.sheet").arg("detail", e.to_string()),
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
        assert_eq!(err.code(), "file.not_utf8", "{err}");
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
