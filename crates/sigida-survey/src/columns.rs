//! A CSV reader made for estimation: it reads only the columns asked for, encodes them as it
//! goes (categorical answers as small codes, numbers as `f64`), and splits the file across
//! threads. A quoted empty field (`""`, Kobo's only missing marker) is missing, as are an
//! empty field, `NA` and `n/a`.
//!
//! The file is cut at a newline near the middle and both halves are read at once; the first
//! thread then checks that its last record really ends there (a newline inside a quoted field
//! would make the guess wrong) and, if not, the rest is read again from the true boundary.

use foldhash::HashMap;
use std::io::Read;

/// What to make of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    Categorical,
    Numeric,
}

/// An encoded column. Categorical codes index `values`; `MISSING` marks a missing answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Categorical {
        codes: Vec<u32>,
        values: Vec<String>,
    },
    Numeric(Vec<f64>),
    /// A numeric column holding only 0, 1 and missing (`FLAG_MISSING`), one byte a row: the
    /// split columns of select_multiple questions, most of a Kobo export.
    Flags(Vec<u8>),
}

pub const FLAG_MISSING: u8 = u8::MAX;

impl Column {
    /// A numeric column as numbers (NaN = missing), whichever way it is stored.
    pub fn numbers(&self) -> Option<std::borrow::Cow<'_, [f64]>> {
        match self {
            Column::Numeric(n) => Some(std::borrow::Cow::Borrowed(n)),
            Column::Flags(f) => Some(std::borrow::Cow::Owned(
                f.iter()
                    .map(|&b| {
                        if b == FLAG_MISSING {
                            f64::NAN
                        } else {
                            f64::from(b)
                        }
                    })
                    .collect(),
            )),
            Column::Categorical { .. } => None,
        }
    }
}

pub const MISSING: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("le fichier n'est pas en UTF-8 (octet {offset})")]
    NotUtf8 { offset: usize },
    #[error("fichier vide : attendu une ligne d'en-têtes")]
    Empty,
    #[error("ligne {record}, colonne « {column} » : « {value} » n'est pas un nombre")]
    NotNumber {
        record: usize,
        column: String,
        value: String,
    },
    #[error("ligne {record} : {found} cellules pour {expected} en-têtes")]
    TooManyFields {
        record: usize,
        found: usize,
        expected: usize,
    },
    #[error("ligne {record} : guillemets non fermés (fichier tronqué ?)")]
    Unclosed { record: usize },
    #[error("lecture du fichier impossible : {reason}")]
    Read { reason: String },
    #[error("un fil de lecture s'est arrêté sans résultat")]
    WorkerFailed,
}

/// The columns read from a file.
#[derive(Debug)]
pub struct Columns {
    pub headers: Vec<String>,
    pub rows: usize,
    /// By header index; `None` for a column not asked for.
    pub columns: Vec<Option<Column>>,
}

fn is_missing(field: &[u8]) -> bool {
    matches!(field, b"" | b"NA" | b"n/a")
}

/// A number as exports write it; integers without a float parse.
fn number(field: &[u8]) -> Option<f64> {
    match field {
        [d] if d.is_ascii_digit() => return Some(f64::from(d - b'0')),
        b"TRUE" | b"True" | b"true" => return Some(1.0),
        b"FALSE" | b"False" | b"false" => return Some(0.0),
        _ => {}
    }
    if field.len() < 16 && field.iter().all(u8::is_ascii_digit) {
        return Some(field.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64);
    }
    std::str::from_utf8(field)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// A short answer's bytes and length in one integer; `LONG` for more than 15 bytes
/// (its length byte, 255, is one no short answer has).
fn short_key(field: &[u8]) -> u128 {
    if field.len() > 15 {
        return LONG;
    }
    let mut bytes = [0u8; 16];
    bytes[..field.len()].copy_from_slice(field);
    bytes[15] = field.len() as u8;
    u128::from_le_bytes(bytes)
}

const LONG: u128 = u128::MAX;

/// One column being built by one thread: a local dictionary for categorical answers.
enum Builder {
    Categorical {
        codes: Vec<u32>,
        values: Vec<Vec<u8>>,
        /// Each value packed by `short_key` (`LONG` when it does not fit).
        keys: Vec<u128>,
        index: HashMap<Vec<u8>, u32>,
    },
    Numeric(Vec<f64>),
    Flags(Vec<u8>),
}

impl Builder {
    fn new(want: Want) -> Self {
        match want {
            Want::Categorical => Builder::Categorical {
                codes: Vec::new(),
                values: Vec::new(),
                keys: Vec::new(),
                index: HashMap::default(),
            },
            // Numbers start as flags, and widen at the first value that is not 0 or 1.
            Want::Numeric => Builder::Flags(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Categorical { codes, .. } => codes.len(),
            Builder::Numeric(n) => n.len(),
            Builder::Flags(f) => f.len(),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            Builder::Categorical { codes, .. } => codes.truncate(len),
            Builder::Numeric(n) => n.truncate(len),
            Builder::Flags(f) => f.truncate(len),
        }
    }

    fn push(&mut self, field: &[u8], record: usize, column: &str) -> Result<(), ColumnError> {
        match self {
            Builder::Categorical {
                codes,
                values,
                keys,
                index,
            } => {
                if is_missing(field) {
                    codes.push(MISSING);
                    return Ok(());
                }
                // Most questions have a handful of short options: comparing them packed in
                // one integer each beats both hashing and comparing bytes.
                let key = short_key(field);
                if values.len() <= 32 && key != LONG {
                    if let Some(code) = keys.iter().position(|&k| k == key) {
                        codes.push(code as u32);
                        return Ok(());
                    }
                } else if let Some(&code) = index.get(field) {
                    codes.push(code);
                    return Ok(());
                }
                let code = values.len() as u32;
                values.push(field.to_vec());
                keys.push(key);
                index.insert(field.to_vec(), code);
                codes.push(code);
                Ok(())
            }
            Builder::Flags(flags) => {
                let flag = match field {
                    b"0" => Some(0),
                    b"1" => Some(1),
                    _ if is_missing(field) => Some(FLAG_MISSING),
                    _ => None,
                };
                if let Some(flag) = flag {
                    flags.push(flag);
                    return Ok(());
                }
                match number(field) {
                    Some(v) if v == 0.0 || v == 1.0 => {
                        flags.push(v as u8);
                        Ok(())
                    }
                    _ => {
                        let widened = flags
                            .iter()
                            .map(|&b| {
                                if b == FLAG_MISSING {
                                    f64::NAN
                                } else {
                                    f64::from(b)
                                }
                            })
                            .collect();
                        *self = Builder::Numeric(widened);
                        self.push(field, record, column)
                    }
                }
            }
            Builder::Numeric(numbers) => {
                if is_missing(field) {
                    numbers.push(f64::NAN);
                    return Ok(());
                }
                let value = number(field).ok_or_else(|| ColumnError::NotNumber {
                    record,
                    column: column.to_owned(),
                    value: String::from_utf8_lossy(field).into_owned(),
                })?;
                numbers.push(value);
                Ok(())
            }
        }
    }
}

/// Reads the fields of one record starting at `at`; calls `field(index, bytes)` for each.
/// Returns where the next record starts.
fn record(
    bytes: &[u8],
    mut at: usize,
    sep: u8,
    number: usize,
    scratch: &mut Vec<u8>,
    mut field: impl FnMut(usize, &[u8]) -> Result<(), ColumnError>,
) -> Result<usize, ColumnError> {
    let mut index = 0;
    loop {
        let end;
        if bytes.get(at) == Some(&b'"') {
            // Quoted: up to the quote that is not doubled.
            let mut from = at + 1;
            let mut escaped = false;
            let close = loop {
                match memchr::memchr(b'"', &bytes[from..]) {
                    None => return Err(ColumnError::Unclosed { record: number }),
                    Some(q) => {
                        let q = from + q;
                        if bytes.get(q + 1) == Some(&b'"') {
                            escaped = true;
                            from = q + 2;
                        } else {
                            break q;
                        }
                    }
                }
            };
            let content = &bytes[at + 1..close];
            if escaped {
                scratch.clear();
                let mut i = 0;
                while i < content.len() {
                    scratch.push(content[i]);
                    i += if content[i] == b'"' { 2 } else { 1 };
                }
                field(index, scratch)?;
            } else {
                field(index, content)?;
            }
            end = close + 1;
        } else {
            let stop = memchr::memchr2(sep, b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
            let mut content = &bytes[at..stop];
            if content.last() == Some(&b'\r') {
                content = &content[..content.len() - 1];
            }
            field(index, content)?;
            end = stop;
        }
        index += 1;
        match bytes.get(end) {
            Some(&c) if c == sep => at = end + 1,
            Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => return Ok(end + 2),
            Some(b'\n') => return Ok(end + 1),
            None => return Ok(end),
            // Text after a closing quote: keep it in the field's place and go on.
            Some(_) => {
                let stop =
                    memchr::memchr2(sep, b'\n', &bytes[end..]).map_or(bytes.len(), |p| end + p);
                match bytes.get(stop) {
                    Some(&c) if c == sep => at = stop + 1,
                    Some(_) => return Ok(stop + 1),
                    None => return Ok(stop),
                }
            }
        }
    }
}

struct Chunk {
    builders: Vec<Option<Builder>>,
    rows: usize,
    /// Where the last record read ends (or where the unfinished one starts).
    end: usize,
}

/// Reads the records starting in `[start, stop)` (the last one read to its end).
/// With `partial`, a record still open at the end of `bytes` is left for the next block.
#[allow(clippy::too_many_arguments)]
fn read_chunk(
    bytes: &[u8],
    start: usize,
    stop: usize,
    sep: u8,
    plan: &[Option<Want>],
    headers: &[String],
    first_record: usize,
    partial: bool,
) -> Result<Chunk, ColumnError> {
    let mut builders: Vec<Option<Builder>> = plan.iter().map(|w| w.map(Builder::new)).collect();
    let mut at = start;
    let mut rows = 0;
    let mut scratch = Vec::new();
    while at < stop && at < bytes.len() {
        // Blank lines are not records.
        if bytes[at] == b'\n' || (bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n')) {
            at += if bytes[at] == b'\n' { 1 } else { 2 };
            continue;
        }
        let number = first_record + rows;
        let mut seen = 0;
        let lengths: Vec<usize> = if partial {
            builders
                .iter()
                .map(|b| b.as_ref().map_or(0, Builder::len))
                .collect()
        } else {
            Vec::new()
        };
        let read = record(bytes, at, sep, number, &mut scratch, |i, field| {
            seen = i + 1;
            match builders.get_mut(i) {
                Some(Some(b)) => b.push(field, number, &headers[i]),
                Some(None) => Ok(()),
                None => Err(ColumnError::TooManyFields {
                    record: number,
                    found: i + 1,
                    expected: headers.len(),
                }),
            }
        });
        let next = match read {
            Ok(next) if !(partial && next >= bytes.len() && bytes.last() != Some(&b'\n')) => next,
            Err(ColumnError::Unclosed { .. }) | Ok(_) if partial => {
                // The record goes on in the next block: undo what it pushed and stop here.
                for (b, &len) in builders.iter_mut().zip(&lengths) {
                    if let Some(b) = b {
                        b.truncate(len);
                    }
                }
                break;
            }
            Ok(next) => next,
            Err(e) => return Err(e),
        };
        // Short records: the missing trailing fields are missing answers.
        for b in builders.iter_mut().skip(seen).flatten() {
            b.push(b"", number, "")?;
        }
        rows += 1;
        at = next;
    }
    Ok(Chunk {
        builders,
        rows,
        end: at,
    })
}

/// Bytes read from the input at a time: memory stays near this, whatever the file's size.
pub const BLOCK: usize = 32 * 1024 * 1024;

/// Reads the columns `plan` asks for (`plan(header)`) from CSV bytes separated by `sep`.
pub fn read_columns(
    bytes: &[u8],
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    threads: usize,
) -> Result<Columns, ColumnError> {
    read_columns_from(bytes, sep, plan, threads, BLOCK)
}

/// The same from a reader, block by block: the file is never whole in memory.
pub fn read_columns_from(
    mut input: impl Read,
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    threads: usize,
    block: usize,
) -> Result<Columns, ColumnError> {
    let mut buffer: Vec<u8> = Vec::with_capacity(block + block / 4);
    let mut eof = false;
    let mut offset = 0usize;
    // `read_to_end` on a bounded reader fills spare capacity without zeroing
    // it first: zeroing each block cost as much as reading it.
    let mut fill = |buffer: &mut Vec<u8>, eof: &mut bool| -> Result<(), ColumnError> {
        if *eof {
            return Ok(());
        }
        buffer.reserve(block);
        match input.by_ref().take(block as u64).read_to_end(buffer) {
            Ok(n) if n < block => *eof = true,
            Ok(_) => {}
            Err(error) => {
                return Err(ColumnError::Read {
                    reason: error.to_string(),
                });
            }
        }
        Ok(())
    };
    fill(&mut buffer, &mut eof)?;
    if buffer.starts_with(b"\xEF\xBB\xBF") {
        buffer.drain(..3);
    }
    // The header line (read more until it is whole).
    while !eof && memchr::memchr(b'\n', &buffer).is_none() {
        fill(&mut buffer, &mut eof)?;
    }
    if buffer.is_empty() {
        return Err(ColumnError::Empty);
    }
    let header_end = memchr::memchr(b'\n', &buffer).map_or(buffer.len(), |p| p + 1);
    if let Err(e) = std::str::from_utf8(&buffer[..header_end]) {
        return Err(ColumnError::NotUtf8 {
            offset: e.valid_up_to(),
        });
    }
    let mut headers = Vec::new();
    let mut scratch = Vec::new();
    let body = record(&buffer, 0, sep, 1, &mut scratch, |_, field| {
        headers.push(String::from_utf8_lossy(field).trim().to_owned());
        Ok(())
    })?;
    let wanted: Vec<Option<Want>> = headers.iter().map(|h| plan(h)).collect();
    let mut columns = Accumulated::new(&wanted);
    buffer.drain(..body);
    offset += body;
    let mut record_number = 2;
    loop {
        if buffer.len() < block && !eof {
            fill(&mut buffer, &mut eof)?;
        }
        // A block ends after a newline (unless the file does): no character is cut.
        let cut = if eof {
            buffer.len()
        } else {
            match memchr::memrchr(b'\n', &buffer) {
                Some(p) => p + 1,
                None => {
                    fill(&mut buffer, &mut eof)?;
                    continue;
                }
            }
        };
        if let Err(e) = std::str::from_utf8(&buffer[..cut]) {
            return Err(ColumnError::NotUtf8 {
                offset: offset + e.valid_up_to(),
            });
        }
        let (chunks, consumed) = read_block(
            &buffer[..cut],
            sep,
            &wanted,
            &headers,
            threads,
            record_number,
            !eof,
        )?;
        for chunk in chunks {
            record_number += chunk.rows;
            columns.append(chunk);
        }
        if eof {
            if consumed < cut {
                return Err(ColumnError::Unclosed {
                    record: record_number,
                });
            }
            break;
        }
        if consumed == 0 && buffer.len() >= block {
            // One record longer than a block: let the buffer grow.
            fill(&mut buffer, &mut eof)?;
            continue;
        }
        buffer.drain(..consumed);
        offset += consumed;
    }
    Ok(columns.finish(headers))
}

/// Reads one block on every core: cut at newlines, each piece read at once; a guess that
/// fell inside a quoted field is read again from the true boundary.
fn read_block(
    bytes: &[u8],
    sep: u8,
    wanted: &[Option<Want>],
    headers: &[String],
    threads: usize,
    first_record: usize,
    partial: bool,
) -> Result<(Vec<Chunk>, usize), ColumnError> {
    let threads = threads.max(1);
    let mut starts = vec![0];
    for t in 1..threads {
        let guess = bytes.len() * t / threads;
        let start = memchr::memchr(b'\n', &bytes[guess..]).map_or(bytes.len(), |p| guess + p + 1);
        if start > *starts.last().unwrap_or(&0) && start < bytes.len() {
            starts.push(start);
        }
    }
    starts.push(bytes.len());
    let last = starts.len() - 2;
    let results: Vec<Result<Chunk, ColumnError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let (start, stop) = (w[0], w[1]);
                scope.spawn(move || {
                    read_chunk(
                        bytes,
                        start,
                        stop,
                        sep,
                        wanted,
                        headers,
                        first_record,
                        partial && i == last,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(ColumnError::WorkerFailed)))
            .collect()
    });
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut expected_start = 0;
    let mut number = first_record;
    for (i, result) in results.into_iter().enumerate() {
        let reread = |from: usize, number: usize| {
            read_chunk(
                bytes,
                from,
                bytes.len(),
                sep,
                wanted,
                headers,
                number,
                partial,
            )
        };
        if starts[i] != expected_start {
            let chunk = reread(expected_start, number)?;
            expected_start = chunk.end;
            chunks.push(chunk);
            break;
        }
        let chunk = match result {
            // Record numbers of later pieces are only known now: errors are read again.
            Ok(chunk) if i == 0 => chunk,
            Ok(chunk) => chunk,
            Err(_) if i > 0 => reread(starts[i], number)?,
            Err(e) => return Err(e),
        };
        expected_start = chunk.end;
        number += chunk.rows;
        let reached_end = chunk.end >= starts[i + 1];
        chunks.push(chunk);
        if !reached_end {
            // The piece stopped early (an unfinished record): nothing after it stands.
            break;
        }
    }
    Ok((chunks, expected_start))
}

/// Columns growing block by block, one dictionary per categorical column.
struct Accumulated {
    columns: Vec<Option<Builder>>,
    dictionaries: Vec<HashMap<Vec<u8>, u32>>,
    names: Vec<Vec<String>>,
    rows: usize,
}

impl Accumulated {
    fn new(wanted: &[Option<Want>]) -> Self {
        Self {
            columns: wanted.iter().map(|w| w.map(Builder::new)).collect(),
            dictionaries: vec![HashMap::default(); wanted.len()],
            names: vec![Vec::new(); wanted.len()],
            rows: 0,
        }
    }

    fn append(&mut self, chunk: Chunk) {
        self.rows += chunk.rows;
        for (i, builder) in chunk.builders.into_iter().enumerate() {
            let Some(builder) = builder else { continue };
            let Some(target) = self.columns[i].as_mut() else {
                continue;
            };
            match builder {
                Builder::Categorical { codes, values, .. } => {
                    let (dictionary, names) = (&mut self.dictionaries[i], &mut self.names[i]);
                    let map: Vec<u32> = values
                        .into_iter()
                        .map(|v| {
                            let next = dictionary.len() as u32;
                            *dictionary.entry(v).or_insert_with_key(|v| {
                                names.push(String::from_utf8_lossy(v).into_owned());
                                next
                            })
                        })
                        .collect();
                    if let Builder::Categorical { codes: all, .. } = target {
                        all.extend(codes.into_iter().map(|c| {
                            if c == MISSING {
                                MISSING
                            } else {
                                map[c as usize]
                            }
                        }));
                    }
                }
                Builder::Flags(flags) => match target {
                    Builder::Flags(all) => all.extend(flags),
                    Builder::Numeric(all) => all.extend(flags.iter().map(|&b| {
                        if b == FLAG_MISSING {
                            f64::NAN
                        } else {
                            f64::from(b)
                        }
                    })),
                    Builder::Categorical { .. } => {}
                },
                Builder::Numeric(numbers) => {
                    if let Builder::Flags(all) = target {
                        let widened = all
                            .iter()
                            .map(|&b| {
                                if b == FLAG_MISSING {
                                    f64::NAN
                                } else {
                                    f64::from(b)
                                }
                            })
                            .collect();
                        *target = Builder::Numeric(widened);
                    }
                    if let Builder::Numeric(all) = target {
                        all.extend(numbers);
                    }
                }
            }
        }
    }

    fn finish(self, headers: Vec<String>) -> Columns {
        let columns = self
            .columns
            .into_iter()
            .zip(self.names)
            .map(|(builder, names)| {
                builder.map(|b| match b {
                    Builder::Categorical { codes, .. } => Column::Categorical {
                        codes,
                        values: names,
                    },
                    Builder::Numeric(n) => Column::Numeric(n),
                    Builder::Flags(f) => Column::Flags(f),
                })
            })
            .collect();
        Columns {
            headers,
            rows: self.rows,
            columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KOBO: &str = "\"_uuid\";\"region\";\"poids\";\"texte\";\"age\"\n\
                        \"a\";\"Kayes\";\"1.5\";\"dit \"\"oui\"\"; puis\nnon\";\"34\"\n\
                        \"b\";\"Gao\";\"2\";\"\";\"\"\n\
                        \"c\";\"Kayes\";\"0.5\";\"RAS\";\"7\"\n";

    fn plan(h: &str) -> Option<Want> {
        match h {
            "region" | "texte" => Some(Want::Categorical),
            "poids" | "age" => Some(Want::Numeric),
            _ => None,
        }
    }

    #[test]
    fn kobo_quoting_newlines_and_missing_values() {
        for threads in [1, 2, 3, 8] {
            let c = read_columns(KOBO.as_bytes(), b';', plan, threads).unwrap();
            assert_eq!(c.rows, 3, "{threads} threads");
            let Some(Column::Categorical { codes, values }) = &c.columns[1] else {
                panic!()
            };
            let regions: Vec<&str> = codes.iter().map(|&k| values[k as usize].as_str()).collect();
            assert_eq!(regions, ["Kayes", "Gao", "Kayes"]);
            let Some(Column::Categorical { codes, values }) = &c.columns[3] else {
                panic!()
            };
            assert_eq!(values[codes[0] as usize], "dit \"oui\"; puis\nnon");
            assert_eq!(codes[1], MISSING, "a quoted empty field is missing");
            let Some(Column::Numeric(ages)) = &c.columns[4] else {
                panic!()
            };
            assert_eq!(ages[0], 34.0);
            assert!(ages[1].is_nan());
            assert!(c.columns[0].is_none(), "columns not asked for are not kept");
        }
    }

    #[test]
    fn bad_numbers_and_long_records_are_located() {
        let err = read_columns(b"poids;age\n1;x\n", b';', plan, 1).unwrap_err();
        assert_eq!(
            err,
            ColumnError::NotNumber {
                record: 2,
                column: "age".into(),
                value: "x".into()
            }
        );
        let err = read_columns(b"poids;age\n1;2;3\n", b';', plan, 1).unwrap_err();
        assert!(matches!(err, ColumnError::TooManyFields { record: 2, .. }));
        assert!(matches!(
            read_columns(b"age\n\"12\n", b';', plan, 1),
            Err(ColumnError::Unclosed { .. })
        ));
    }

    #[test]
    fn tiny_blocks_read_the_same_as_one() {
        let mut csv = String::from("\"region\";\"texte\";\"age\";\"flag\"\n");
        for i in 0..300 {
            let text = if i % 7 == 0 {
                "deux\nlignes; et \"\"guillemets\"\""
            } else {
                "RAS"
            };
            csv.push_str(&format!(
                "\"R{}\";\"{text}\";\"{}\";\"{}\"\n",
                i % 5,
                i % 90,
                i % 2
            ));
        }
        let whole = read_columns(
            csv.as_bytes(),
            b';',
            |h| match h {
                "flag" | "age" => Some(Want::Numeric),
                _ => Some(Want::Categorical),
            },
            2,
        )
        .unwrap();
        for block in [17, 64, 100, 1000] {
            let pieces = read_columns_from(
                csv.as_bytes(),
                b';',
                |h| match h {
                    "flag" | "age" => Some(Want::Numeric),
                    _ => Some(Want::Categorical),
                },
                2,
                block,
            )
            .unwrap();
            assert_eq!(pieces.rows, 300, "block {block}");
            assert_eq!(pieces.columns, whole.columns, "block {block}");
        }
        // A pipe hands over a few bytes at a time; a block is still filled whole.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(out.len()).min(7);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let trickled = read_columns_from(
            Trickle(csv.as_bytes()),
            b';',
            |h| match h {
                "flag" | "age" => Some(Want::Numeric),
                _ => Some(Want::Categorical),
            },
            2,
            100,
        )
        .unwrap();
        assert_eq!(trickled.rows, 300);
        assert_eq!(trickled.columns, whole.columns);
        assert!(
            matches!(whole.columns[3], Some(Column::Flags(_))),
            "0/1 columns take a byte a row"
        );
        assert!(matches!(whole.columns[2], Some(Column::Numeric(_))));
    }

    #[test]
    fn a_wrong_guess_inside_quotes_is_corrected() {
        // A long quoted field full of newlines sits where the file is cut in two.
        let mut csv = String::from("region;texte;age\n");
        for i in 0..50 {
            csv.push_str(&format!(
                "R{i};\"{}\";{i}\n",
                "ligne\n".repeat(if i == 25 { 200 } else { 1 })
            ));
        }
        let one = read_columns(csv.as_bytes(), b';', plan, 1).unwrap();
        let two = read_columns(csv.as_bytes(), b';', plan, 2).unwrap();
        assert_eq!(one.rows, 50);
        assert_eq!(one.columns, two.columns);
    }
}
