//! Random CSV files as real exports write them: CRLF, LF or CR line ends, quoted fields with
//! separators, quotes and newlines inside, a byte-order mark or not, `,` `;` or tab, blank
//! lines. Shared by the property tests of the readers (`#[path]`-included).

use rand::Rng;
use rand::rngs::StdRng;

/// A generated file and what any reader must find in it.
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

fn field(rng: &mut StdRng) -> String {
    let len = rng.gen_range(0..5);
    (0..len)
        .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
        .collect()
}

/// Lines a field's text adds, a CRLF counting once.
fn line_ends(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// One file whose first column is `first` (e.g. `_uuid`), filled by `first_value(i)`.
pub fn random_csv(
    rng: &mut StdRng,
    first: &str,
    first_value: &dyn Fn(usize) -> String,
) -> RandomCsv {
    let terminator = ["\r\n", "\n", "\r"][rng.gen_range(0..3)];
    let separator = [b',', b';', b'\t'][rng.gen_range(0..3)];
    let columns = rng.gen_range(1..6);
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
    if rng.gen_bool(0.3) {
        text.push('\u{feff}');
    }
    text.push_str(&headers.join(&sep));
    let mut line = 1;
    let mut rows = Vec::new();
    let records = rng.gen_range(0..25);
    for i in 0..records {
        text.push_str(terminator);
        line += 1;
        // Blank lines between records, as spreadsheets leave them.
        while rng.gen_bool(0.1) {
            text.push_str(terminator);
            line += 1;
        }
        let mut cells = vec![first_value(i)];
        cells.extend((1..columns).map(|_| field(rng)));
        let start = line;
        let written: Vec<String> = cells.iter().map(|c| quote(c)).collect();
        text.push_str(&written.join(&sep));
        line += cells.iter().map(|c| line_ends(c)).sum::<usize>();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((start, cells));
        }
    }
    if rng.gen_bool(0.5) {
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
