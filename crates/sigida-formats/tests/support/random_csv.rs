//! Random CSV files as real exports write them: CRLF, LF or CR line ends, quoted fields with
//! separators, quotes and newlines inside, a byte-order mark or not, `,` `;` or tab, blank
//! lines. A `proptest` strategy, so a failing file is shrunk to a smallest one before it is
//! shown. Shared by the property tests of the readers (`#[path]`-included).

use proptest::prelude::*;

/// A generated file and what any reader must find in it.
#[derive(Clone, Debug)]
pub struct RandomCsv {
    pub bytes: Vec<u8>,
    pub headers: Vec<String>,
    /// The records that are not blank, each with the line it starts on (the header is line 1).
    pub rows: Vec<(usize, Vec<String>)>,
    pub terminator: &'static str,
    pub separator: u8,
}

const PIECES: &[&str] = &[
    "a", "Awa", "é", "12", " ", "\"", "\n", "\r\n", "\r", ",", ";", "\t", "x y", "Ségou", "0",
];
const TERMINATORS: [&str; 3] = ["\r\n", "\n", "\r"];
const SEPARATORS: [u8; 3] = [b',', b';', b'\t'];

/// Lines a field's text adds, a CRLF counting once.
fn line_ends(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// A field: a few pieces end to end.
fn field() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..5).prop_map(|p| p.concat())
}

/// Files whose first column is `first` (e.g. `_uuid`), filled by `first_value(i)`.
pub fn files(
    first: &'static str,
    first_value: fn(usize) -> String,
) -> impl Strategy<Value = RandomCsv> {
    (
        0..3usize,
        0..3usize,
        any::<bool>(),
        1..6usize,
        any::<bool>(),
    )
        .prop_flat_map(move |(terminator, separator, bom, columns, trailing)| {
            // Each record: the blank lines before it (as spreadsheets leave them), its fields.
            let record = (0..2usize, prop::collection::vec(field(), columns - 1));
            prop::collection::vec(record, 0..25).prop_map(move |records| {
                render(
                    first,
                    first_value,
                    TERMINATORS[terminator],
                    SEPARATORS[separator],
                    bom,
                    columns,
                    &records,
                    trailing,
                )
            })
        })
}

#[allow(clippy::too_many_arguments)]
fn render(
    first: &str,
    first_value: fn(usize) -> String,
    terminator: &'static str,
    separator: u8,
    bom: bool,
    columns: usize,
    records: &[(usize, Vec<String>)],
    trailing: bool,
) -> RandomCsv {
    let headers: Vec<String> = std::iter::once(first.to_owned())
        .chain((1..columns).map(|c| format!("q{c}")))
        .collect();
    let quote = |text: &str| -> String {
        if text.contains(['"', '\n', '\r', ',', ';', '\t']) || text.starts_with(' ') {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let sep = (separator as char).to_string();
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    text.push_str(&headers.join(&sep));
    let mut line = 1;
    let mut rows = Vec::new();
    for (i, (blank, fields)) in records.iter().enumerate() {
        text.push_str(terminator);
        line += 1;
        for _ in 0..*blank {
            text.push_str(terminator);
            line += 1;
        }
        let mut cells = vec![first_value(i)];
        cells.extend(fields.iter().cloned());
        let start = line;
        let written: Vec<String> = cells.iter().map(|c| quote(c)).collect();
        text.push_str(&written.join(&sep));
        line += cells.iter().map(|c| line_ends(c)).sum::<usize>();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((start, cells));
        }
    }
    if trailing {
        text.push_str(terminator);
    }
    RandomCsv {
        bytes: text.into_bytes(),
        headers,
        rows,
        terminator,
        separator,
    }
}
