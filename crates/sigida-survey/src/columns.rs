//! A CSV reader made for estimation: it reads only the columns asked for, encodes them as it
//! goes (categorical answers as small codes, numbers as `f64`), and splits the file across
//! threads. A quoted empty field (`""`, Kobo's only missing marker) is missing, as are an
//! empty field, `NA` and `n/a`.
//!
//! The file is cut at a newline near the middle and both halves are read at once; the first
//! thread then checks that its last record really ends there (a newline inside a quoted field
//! would make the guess wrong) and, if not, the rest is read again from the true boundary.

use std::collections::HashMap;

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

/// One column being built by one thread: a local dictionary for categorical answers.
enum Builder {
    Categorical {
        codes: Vec<u32>,
        values: Vec<Vec<u8>>,
        index: HashMap<Vec<u8>, u32>,
    },
    Numeric(Vec<f64>),
}

impl Builder {
    fn new(want: Want) -> Self {
        match want {
            Want::Categorical => Builder::Categorical {
                codes: Vec::new(),
                values: Vec::new(),
                index: HashMap::new(),
            },
            Want::Numeric => Builder::Numeric(Vec::new()),
        }
    }

    fn push(&mut self, field: &[u8], record: usize, column: &str) -> Result<(), ColumnError> {
        match self {
            Builder::Categorical {
                codes,
                values,
                index,
            } => {
                if is_missing(field) {
                    codes.push(MISSING);
                    return Ok(());
                }
                // Most questions have a handful of options: a look along them beats hashing.
                if values.len() <= 16 {
                    if let Some(code) = values.iter().position(|v| v.as_slice() == field) {
                        codes.push(code as u32);
                        return Ok(());
                    }
                } else if let Some(&code) = index.get(field) {
                    codes.push(code);
                    return Ok(());
                }
                let code = values.len() as u32;
                values.push(field.to_vec());
                index.insert(field.to_vec(), code);
                codes.push(code);
                Ok(())
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
    /// Where the last record read ends.
    end: usize,
}

/// Reads the records starting in `[start, stop)` (the last one read to its end).
fn read_chunk(
    bytes: &[u8],
    start: usize,
    stop: usize,
    sep: u8,
    plan: &[Option<Want>],
    headers: &[String],
    first_record: usize,
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
        let next = record(bytes, at, sep, number, &mut scratch, |i, field| {
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
        })?;
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

/// Reads the columns `plan` asks for (`plan(header)`) from CSV bytes separated by `sep`.
pub fn read_columns(
    bytes: &[u8],
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    threads: usize,
) -> Result<Columns, ColumnError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ColumnError::NotUtf8 {
            offset: e.valid_up_to(),
        });
    }
    if bytes.is_empty() {
        return Err(ColumnError::Empty);
    }
    let mut headers = Vec::new();
    let mut scratch = Vec::new();
    let body = record(bytes, 0, sep, 1, &mut scratch, |_, field| {
        headers.push(String::from_utf8_lossy(field).trim().to_owned());
        Ok(())
    })?;
    let wanted: Vec<Option<Want>> = headers.iter().map(|h| plan(h)).collect();
    let threads = threads.max(1);
    let size = bytes.len() - body;
    // Guessed boundaries: the first newline after each share of the body.
    let mut starts = vec![body];
    for t in 1..threads {
        let guess = body + size * t / threads;
        let start = memchr::memchr(b'\n', &bytes[guess..]).map_or(bytes.len(), |p| guess + p + 1);
        if start > *starts.last().unwrap_or(&body) && start < bytes.len() {
            starts.push(start);
        }
    }
    starts.push(bytes.len());
    let results: Vec<Result<Chunk, ColumnError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .windows(2)
            .map(|w| {
                let (start, stop) = (w[0], w[1]);
                let (wanted, headers) = (&wanted, &headers);
                scope.spawn(move || read_chunk(bytes, start, stop, sep, wanted, headers, 2))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(ColumnError::Empty)))
            .collect()
    });
    // Keep the chunks whose guessed start was right; read the rest again from the true end.
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut expected_start = body;
    let mut record_number = 2;
    for (i, result) in results.into_iter().enumerate() {
        if starts[i] != expected_start {
            chunks.push(read_chunk(
                bytes,
                expected_start,
                bytes.len(),
                sep,
                &wanted,
                &headers,
                record_number,
            )?);
            break;
        }
        let chunk = match result {
            Ok(chunk) => chunk,
            // A guessed start inside a quoted field can read nonsense: read it properly.
            Err(_) if i > 0 => read_chunk(
                bytes,
                starts[i],
                bytes.len(),
                sep,
                &wanted,
                &headers,
                record_number,
            )?,
            Err(e) => return Err(e),
        };
        expected_start = chunk.end;
        record_number += chunk.rows;
        let reached_end = chunk.end >= bytes.len();
        chunks.push(chunk);
        if reached_end {
            break;
        }
    }
    merge(headers, &wanted, chunks)
}

/// Puts the chunks' columns end to end, one dictionary per categorical column.
fn merge(
    headers: Vec<String>,
    wanted: &[Option<Want>],
    chunks: Vec<Chunk>,
) -> Result<Columns, ColumnError> {
    let rows = chunks.iter().map(|c| c.rows).sum();
    let mut columns: Vec<Option<Column>> = wanted
        .iter()
        .map(|w| {
            w.map(|w| match w {
                Want::Categorical => Column::Categorical {
                    codes: Vec::with_capacity(rows),
                    values: Vec::new(),
                },
                Want::Numeric => Column::Numeric(Vec::with_capacity(rows)),
            })
        })
        .collect();
    let mut global: Vec<HashMap<Vec<u8>, u32>> = vec![HashMap::new(); wanted.len()];
    for chunk in chunks {
        for (i, builder) in chunk.builders.into_iter().enumerate() {
            match (builder, columns[i].as_mut()) {
                (Some(Builder::Numeric(n)), Some(Column::Numeric(all))) => all.extend(n),
                (
                    Some(Builder::Categorical { codes, values, .. }),
                    Some(Column::Categorical {
                        codes: all,
                        values: names,
                    }),
                ) => {
                    let map: Vec<u32> = values
                        .into_iter()
                        .map(|v| {
                            let next = global[i].len() as u32;
                            *global[i].entry(v.clone()).or_insert_with(|| {
                                names.push(String::from_utf8_lossy(&v).into_owned());
                                next
                            })
                        })
                        .collect();
                    all.extend(codes.into_iter().map(|c| {
                        if c == MISSING {
                            MISSING
                        } else {
                            map[c as usize]
                        }
                    }));
                }
                _ => {}
            }
        }
    }
    Ok(Columns {
        headers,
        rows,
        columns,
    })
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
