//! A CSV reader made for estimation: it reads only the columns asked for, encodes them as it
//! goes (categorical answers as small codes, numbers as `f64`), and splits the file across
//! threads. A quoted empty field (`""`, Kobo's only missing marker) is missing, as are an
//! empty field, `NA` and `n/a`.
//!
//! Each core reads its own part of the file (cut at line starts), block by block, into its
//! own columns; the parts are joined at the end. Within a block, fields are found 64 bytes at
//! a time with bit masks rather than one search per field.

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
        codes: Codes,
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
            Column::Flags(f) => Some(std::borrow::Cow::Owned(widen(f))),
            Column::Categorical { .. } => None,
        }
    }
}

pub const MISSING: u32 = u32::MAX;

/// The codes of a categorical column, a byte a row while it has fewer than 255 answers (most
/// questions): a quarter of the memory, and of the bytes each estimate reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Codes {
    /// `SMALL_MISSING` marks a missing answer.
    Small(Vec<u8>),
    /// `MISSING` marks a missing answer.
    Wide(Vec<u32>),
}

pub const SMALL_MISSING: u8 = u8::MAX;

impl Codes {
    pub fn len(&self) -> usize {
        match self {
            Codes::Small(c) => c.len(),
            Codes::Wide(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code of row `i`, `MISSING` when the answer is missing.
    #[inline]
    pub fn get(&self, i: usize) -> u32 {
        match self {
            Codes::Small(c) if c[i] == SMALL_MISSING => MISSING,
            Codes::Small(c) => u32::from(c[i]),
            Codes::Wide(c) => c[i],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every code on four bytes (a column about to hold 255 answers or more).
    fn widen(&mut self) {
        if let Codes::Small(_) = self {
            *self = Codes::Wide(self.iter().collect());
        }
    }
}

/// 0/1 flags as numbers (NaN = missing).
fn widen(flags: &[u8]) -> Vec<f64> {
    flags
        .iter()
        .map(|&b| {
            if b == FLAG_MISSING {
                f64::NAN
            } else {
                f64::from(b)
            }
        })
        .collect()
}

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

impl ColumnError {
    /// The error with its record number counted from `first` (a part of the file counts its
    /// records from 0 until it knows how many came before it).
    fn counted_from(self, first: usize) -> Self {
        match self {
            ColumnError::NotNumber {
                record,
                column,
                value,
            } => ColumnError::NotNumber {
                record: record + first,
                column,
                value,
            },
            ColumnError::TooManyFields {
                record,
                found,
                expected,
            } => ColumnError::TooManyFields {
                record: record + first,
                found,
                expected,
            },
            ColumnError::Unclosed { record } => ColumnError::Unclosed {
                record: record + first,
            },
            other => other,
        }
    }
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
    field.is_empty() || (field.len() <= 3 && matches!(field, b"NA" | b"n/a"))
}

/// Digits only (fewer than 16: exact in an `f64`), read without a float parse.
fn whole_number(field: &[u8]) -> Option<f64> {
    (!field.is_empty() && field.len() < 16 && field.iter().all(u8::is_ascii_digit))
        .then(|| field.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64)
}

/// A number as exports write it; integers without a float parse.
fn number(field: &[u8]) -> Option<f64> {
    match field {
        [d] if d.is_ascii_digit() => return Some(f64::from(d - b'0')),
        b"TRUE" | b"True" | b"true" => return Some(1.0),
        b"FALSE" | b"False" | b"false" => return Some(0.0),
        _ => {}
    }
    if let Some(n) = whole_number(field) {
        return Some(n);
    }
    std::str::from_utf8(field)
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
}

/// A short answer's bytes and length in one integer; `LONG` for more than 15 bytes
/// (its length byte, 255, is one no short answer has). `tail` starts with the field.
fn short_key(field: &[u8], tail: &[u8]) -> u128 {
    let len = field.len();
    if len > 15 {
        return LONG;
    }
    let word = match tail.first_chunk::<16>() {
        Some(word) => u128::from_le_bytes(*word),
        None => {
            let mut bytes = [0u8; 16];
            bytes[..len].copy_from_slice(field);
            u128::from_le_bytes(bytes)
        }
    };
    (word & ((1u128 << (8 * len)) - 1)) | ((len as u128) << 120)
}

const LONG: u128 = u128::MAX;

/// Values kept in a few cache lines before they join the column. The columns of one part
/// are as long as each other and start at the same offset in their pages, so writing each
/// value straight to its column makes a hundred columns fight over the same cache sets
/// (three times slower, measured); a small staging area per column, moved in one copy per
/// 64 values, avoids it.
#[derive(Debug)]
struct Staged<T: Copy> {
    done: Vec<T>,
    stage: Vec<T>,
}

const STAGE: usize = 64;

impl<T: Copy> Staged<T> {
    fn new() -> Self {
        Self::from(Vec::new())
    }

    #[inline]
    fn push(&mut self, value: T) {
        self.stage.push(value);
        if self.stage.len() == STAGE {
            self.done.extend_from_slice(&self.stage);
            self.stage.clear();
        }
    }

    fn len(&self) -> usize {
        self.done.len() + self.stage.len()
    }

    fn truncate(&mut self, len: usize) {
        if len >= self.done.len() {
            self.stage.truncate(len - self.done.len());
        } else {
            self.done.truncate(len);
            self.stage.clear();
        }
    }

    fn reserve(&mut self, more: usize) {
        self.done.reserve(more);
    }

    /// Every value, in one vector.
    fn into_vec(mut self) -> Vec<T> {
        self.done.extend_from_slice(&self.stage);
        self.done
    }
}

impl<T: Copy> From<Vec<T>> for Staged<T> {
    fn from(done: Vec<T>) -> Self {
        Self {
            done,
            stage: Vec::with_capacity(STAGE),
        }
    }
}

/// A categorical column's first few answers (the missing empty one first), each packed in
/// one integer: a lookup compares them all without a branch per answer, which matters when
/// answers come in no predictable order.
struct Recent {
    keys: [u128; RECENT],
    codes: [u32; RECENT],
    /// Later answers by `slot` (empty until the first eight are taken); a collision
    /// replaces the older answer, which the hash map still knows.
    more: Vec<(u128, u32)>,
}

const RECENT: usize = 8;
const MORE: usize = 1024;

impl Recent {
    fn new() -> Self {
        let mut keys = [LONG; RECENT];
        let mut codes = [MISSING; RECENT];
        keys[0] = short_key(b"", b"");
        codes[0] = MISSING;
        Self {
            keys,
            codes,
            more: Vec::new(),
        }
    }

    #[inline]
    fn find(&self, key: u128) -> Option<u32> {
        if key == LONG {
            return None;
        }
        let mut hits = 0u32;
        for (i, &k) in self.keys.iter().enumerate() {
            hits |= u32::from(k == key) << i;
        }
        if hits != 0 {
            return Some(self.codes[hits.trailing_zeros() as usize]);
        }
        // Columns with many answers (clusters, localities): one probe in a direct-mapped
        // table before the hash map.
        match self.more.get(Self::slot(key)) {
            Some(&(k, code)) if k == key => Some(code),
            _ => None,
        }
    }

    fn add(&mut self, key: u128, code: u32) {
        if key == LONG {
            return;
        }
        if let Some(free) = self.keys.iter().position(|&k| k == LONG) {
            self.keys[free] = key;
            self.codes[free] = code;
            return;
        }
        if self.more.is_empty() {
            self.more = vec![(LONG, MISSING); MORE];
        }
        self.more[Self::slot(key)] = (key, code);
    }

    /// Where a key goes in `more`: a multiplicative hash of its two halves.
    #[inline]
    fn slot(key: u128) -> usize {
        (((key as u64) ^ ((key >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize
    }
}

/// Codes being read: bytes until an answer numbered 255 or more shows up.
enum CodeBuilder {
    Small(Staged<u8>),
    Wide(Staged<u32>),
}

impl CodeBuilder {
    #[inline(always)]
    fn push(&mut self, code: u32) {
        match self {
            CodeBuilder::Small(small) if code < u32::from(SMALL_MISSING) => small.push(code as u8),
            CodeBuilder::Small(small) if code == MISSING => small.push(SMALL_MISSING),
            CodeBuilder::Small(_) => self.widen_and_push(code),
            CodeBuilder::Wide(wide) => wide.push(code),
        }
    }

    #[cold]
    #[inline(never)]
    fn widen_and_push(&mut self, code: u32) {
        if let CodeBuilder::Small(small) = self {
            let mut codes = Codes::Small(std::mem::replace(small, Staged::new()).into_vec());
            codes.widen();
            if let Codes::Wide(wide) = codes {
                let mut wide = Staged::from(wide);
                wide.push(code);
                *self = CodeBuilder::Wide(wide);
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            CodeBuilder::Small(c) => c.len(),
            CodeBuilder::Wide(c) => c.len(),
        }
    }

    fn truncate(&mut self, len: usize) {
        match self {
            CodeBuilder::Small(c) => c.truncate(len),
            CodeBuilder::Wide(c) => c.truncate(len),
        }
    }

    fn reserve(&mut self, more: usize) {
        match self {
            CodeBuilder::Small(c) => c.reserve(more),
            CodeBuilder::Wide(c) => c.reserve(more),
        }
    }

    fn into_codes(self) -> Codes {
        match self {
            CodeBuilder::Small(c) => Codes::Small(c.into_vec()),
            CodeBuilder::Wide(c) => Codes::Wide(c.into_vec()),
        }
    }
}

/// One column being built by one thread: a local dictionary for categorical answers.
enum Builder {
    Categorical {
        codes: CodeBuilder,
        values: Vec<Vec<u8>>,
        /// The first answers met, packed by `short_key`, compared all at once.
        recent: Box<Recent>,
        index: HashMap<Vec<u8>, u32>,
    },
    Numeric(Staged<f64>),
    Flags(Staged<u8>),
}

impl Builder {
    fn new(want: Want) -> Self {
        match want {
            Want::Categorical => Builder::Categorical {
                codes: CodeBuilder::Small(Staged::new()),
                values: Vec::new(),
                recent: Box::new(Recent::new()),
                index: HashMap::default(),
            },
            // Numbers start as flags, and widen at the first value that is not 0 or 1.
            Want::Numeric => Builder::Flags(Staged::new()),
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

    fn reserve(&mut self, more: usize) {
        match self {
            Builder::Categorical { codes, .. } => codes.reserve(more),
            Builder::Numeric(n) => n.reserve(more),
            Builder::Flags(f) => f.reserve(more),
        }
    }

    /// Adds one field; `tail` is the input from the field's first byte on (at least the
    /// field), so that a short answer is packed with one load rather than a copy. The usual
    /// answers (one already met, 0, 1, missing, a whole number) are handled here, inline in
    /// the scanner's loop; the rest by `push_rest`.
    #[inline(always)]
    fn push(
        &mut self,
        field: &[u8],
        tail: &[u8],
        record: usize,
        column: &str,
    ) -> Result<(), ColumnError> {
        match self {
            Builder::Categorical { codes, recent, .. } => {
                if let Some(code) = recent.find(short_key(field, tail)) {
                    codes.push(code);
                    return Ok(());
                }
            }
            Builder::Flags(flags) => {
                // Answers are 0, 1 or missing in no order a branch predictor could learn:
                // those three are told apart without a branch.
                let first = field.first().copied().unwrap_or(0);
                let empty = field.is_empty();
                if empty || (field.len() == 1 && first & !1 == b'0') {
                    flags.push(first.wrapping_sub(b'0') | u8::from(empty).wrapping_neg());
                    return Ok(());
                }
            }
            Builder::Numeric(numbers) => {
                if field.is_empty() {
                    numbers.push(f64::NAN);
                    return Ok(());
                }
                if let Some(n) = whole_number(field) {
                    numbers.push(n);
                    return Ok(());
                }
            }
        }
        self.push_rest(field, tail, record, column)
    }

    #[cold]
    #[inline(never)]
    fn push_rest(
        &mut self,
        field: &[u8],
        tail: &[u8],
        record: usize,
        column: &str,
    ) -> Result<(), ColumnError> {
        match self {
            Builder::Categorical {
                codes,
                values,
                recent,
                index,
            } => {
                let key = short_key(field, tail);
                if let Some(code) = recent.find(key) {
                    codes.push(code);
                    return Ok(());
                }
                if is_missing(field) {
                    codes.push(MISSING);
                    return Ok(());
                }
                let code = match index.get(field) {
                    Some(&code) => code,
                    None => {
                        let code = values.len() as u32;
                        values.push(field.to_vec());
                        index.insert(field.to_vec(), code);
                        code
                    }
                };
                recent.add(key, code);
                codes.push(code);
                Ok(())
            }
            Builder::Flags(flags) => {
                if field.is_empty() || is_missing(field) {
                    flags.push(FLAG_MISSING);
                    return Ok(());
                }
                match number(field) {
                    Some(v) if v == 0.0 || v == 1.0 => {
                        flags.push(v as u8);
                        Ok(())
                    }
                    _ => {
                        let flags = std::mem::replace(flags, Staged::new()).into_vec();
                        *self = Builder::Numeric(Staged::from(widen(&flags)));
                        self.push(field, tail, record, column)
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

/// Reads the fields of one record starting at `at`, one byte after another; calls
/// `field(index, bytes)` for each. Returns where the next record starts. The header line and
/// any piece the window scanner finds irregular are read this way.
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
                unescape(content, scratch);
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

/// The content of a quoted field whose quotes are doubled, undoubled.
fn unescape(content: &[u8], scratch: &mut Vec<u8>) {
    scratch.clear();
    let mut i = 0;
    while i < content.len() {
        scratch.push(content[i]);
        i += if content[i] == b'"' { 2 } else { 1 };
    }
}

/// The builders of one piece of the file, one per header (`None` when not asked for). Every
/// builder holds one value per record read so far.
type Builders = Vec<Option<Builder>>;

/// Where reading a stretch of bytes stopped: `rows` records were added, and the next one
/// starts at `end`.
struct Reached {
    rows: usize,
    end: usize,
}

/// How reading a stretch stops: at the first record that starts at or after `soft_stop`
/// (the next piece's business), and, when the bytes are `partial`, before a record the
/// bytes cut short (the next block has its end).
#[derive(Clone, Copy)]
struct Limits {
    soft_stop: usize,
    partial: bool,
}

/// Records to read: those of `bytes[start..]` within `limits`, numbered from `first_record`.
#[derive(Clone, Copy)]
struct Stretch<'a> {
    bytes: &'a [u8],
    start: usize,
    limits: Limits,
    sep: u8,
    headers: &'a [String],
    first_record: usize,
}

/// Reads a stretch into `builders`: the window scanner first, one byte at a time when the
/// scanner finds quotes it cannot follow.
fn read_stretch(stretch: Stretch<'_>, builders: &mut Builders) -> Result<Reached, ColumnError> {
    match scan(stretch, builders)? {
        Some(reached) => Ok(reached),
        None => read_one_by_one(stretch, builders),
    }
}

/// Bit masks of the quotes, separators and newlines in 64 bytes (bit i for byte i).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn masks(window: &[u8; 64], sep: u8) -> (u64, u64, u64) {
    // SAFETY: this build enables SSE2 (the cfg above; every x86-64 processor has it), and
    // the function touches no memory through pointers.
    unsafe { sse2_masks(window, sep) }
}

/// Sixteen bytes compared at once, the comparison packed into bits by `movemask`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
fn sse2_masks(window: &[u8; 64], sep: u8) -> (u64, u64, u64) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8};
    let quote = _mm_set1_epi8(b'"' as i8);
    let separator = _mm_set1_epi8(sep as i8);
    let newline = _mm_set1_epi8(b'\n' as i8);
    let (mut quotes, mut seps, mut newlines) = (0u64, 0u64, 0u64);
    let (sixteens, _) = window.as_chunks::<16>();
    for (i, sixteen) in sixteens.iter().enumerate() {
        let word = u128::from_le_bytes(*sixteen);
        let bytes = _mm_set_epi64x((word >> 64) as i64, word as i64);
        let bits = |c| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, c)) as u16) << (16 * i);
        quotes |= bits(quote);
        seps |= bits(separator);
        newlines |= bits(newline);
    }
    (quotes, seps, newlines)
}

/// The same, portably, where SSE2 is not there.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn masks(window: &[u8; 64], sep: u8) -> (u64, u64, u64) {
    let (mut quotes, mut seps, mut newlines) = (0u64, 0u64, 0u64);
    for (i, &b) in window.iter().enumerate() {
        quotes |= u64::from(b == b'"') << i;
        seps |= u64::from(b == sep) << i;
        newlines |= u64::from(b == b'\n') << i;
    }
    (quotes, seps, newlines)
}

/// Bit i set when an odd number of bits at or below i are set: which bytes are inside quotes.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

fn truncate_all(builders: &mut Builders, len: usize) {
    for b in builders.iter_mut().flatten() {
        b.truncate(len);
    }
}

fn rows_held(builders: &Builders) -> usize {
    builders.iter().flatten().next().map_or(0, Builder::len)
}

/// Where the window scanner is in the records.
struct Cursor {
    rows: usize,
    /// Index in its record of the field being read, and where it starts.
    field: usize,
    field_start: usize,
    record_start: usize,
    scratch: Vec<u8>,
}

/// What to do after a field.
enum Next {
    Go,
    /// The soft stop is reached.
    Stop,
    /// Quotes the scanner does not trust.
    Irregular,
}

impl Cursor {
    /// Hands the field that ends at `end` to its builder. `escaped` says whether a quoted
    /// field holds doubled quotes (`None`: not known, look).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn field_done(
        &mut self,
        bytes: &[u8],
        end: usize,
        newline: bool,
        escaped: Option<bool>,
        builders: &mut Builders,
        headers: &[String],
        first_record: usize,
        soft_stop: usize,
    ) -> Result<Next, ColumnError> {
        let mut raw = &bytes[self.field_start..end];
        if newline && raw.last() == Some(&b'\r') {
            raw = &raw[..raw.len() - 1];
        }
        let number = first_record + self.rows;
        // A blank line is not a record.
        let blank = newline && self.field == 0 && raw.is_empty();
        if !blank {
            match builders.get_mut(self.field) {
                Some(Some(builder)) => {
                    let (text, tail): (&[u8], &[u8]) = if raw.first() == Some(&b'"') {
                        if raw.len() < 2 || raw[raw.len() - 1] != b'"' {
                            return Ok(Next::Irregular);
                        }
                        let inner = &raw[1..raw.len() - 1];
                        if escaped.unwrap_or_else(|| memchr::memchr(b'"', inner).is_some()) {
                            unescape(inner, &mut self.scratch);
                            (&self.scratch, &self.scratch)
                        } else {
                            (inner, &bytes[self.field_start + 1..])
                        }
                    } else {
                        (raw, &bytes[self.field_start..])
                    };
                    builder.push(text, tail, number, &headers[self.field])?;
                }
                Some(None) => {}
                None => {
                    return Err(ColumnError::TooManyFields {
                        record: number,
                        found: self.field + 1,
                        expected: headers.len(),
                    });
                }
            }
            if newline {
                // Short records: the missing trailing fields are missing answers.
                for b in builders.iter_mut().skip(self.field + 1).flatten() {
                    b.push(b"", b"", number, "")?;
                }
                self.rows += 1;
            }
        }
        self.field_start = (end + 1).min(bytes.len());
        if !newline {
            self.field += 1;
            return Ok(Next::Go);
        }
        self.field = 0;
        self.record_start = self.field_start;
        Ok(if self.record_start >= soft_stop {
            Next::Stop
        } else {
            Next::Go
        })
    }
}

/// Reads records 64 bytes at a time: the separators and newlines outside quotes are found
/// for the whole window at once (quote parity by prefix XOR), so a field costs one bit, not
/// one search. Quotes are trusted only where RFC 4180 puts them (opening a field, doubled
/// inside one, closing one before a separator or line end); anything else returns `None`
/// with the builders as they were, and the caller reads the stretch one byte at a time.
fn scan(stretch: Stretch<'_>, builders: &mut Builders) -> Result<Option<Reached>, ColumnError> {
    let Stretch {
        bytes,
        start,
        limits,
        sep,
        headers,
        first_record,
    } = stretch;
    let held = rows_held(builders);
    let skipped: Vec<bool> = builders.iter().map(Option::is_none).collect();
    let mut cursor = Cursor {
        rows: 0,
        field: 0,
        field_start: start,
        record_start: start,
        scratch: Vec::new(),
    };
    if start >= limits.soft_stop {
        return Ok(Some(Reached {
            rows: 0,
            end: start,
        }));
    }
    // One bit each, carried from a window to the next.
    let mut inside = 0u64;
    let mut after_boundary = 1u64;
    let mut after_close = 0u64;
    let mut base = start;
    while base < bytes.len() {
        let available = bytes.len() - base;
        let mut padded = [0u8; 64];
        let window = match bytes[base..].first_chunk::<64>() {
            Some(window) => window,
            None => {
                padded[..available].copy_from_slice(&bytes[base..]);
                &padded
            }
        };
        let (quotes, seps, newlines) = masks(window, sep);
        let quoted = prefix_xor(quotes) ^ inside;
        inside = ((quoted as i64) >> 63) as u64;
        let boundaries = (seps | newlines) & !quoted;
        let opening = quotes & quoted;
        let closing = quotes & !quoted;
        // An opening quote starts a field or doubles the quote just before it.
        if opening & !((boundaries << 1) | after_boundary | (closing << 1) | after_close) != 0 {
            truncate_all(builders, held);
            return Ok(None);
        }
        after_boundary = boundaries >> 63;
        after_close = closing >> 63;
        let mut bits = boundaries;
        if available < 64 {
            bits &= (1u64 << available) - 1;
        }
        while bits != 0 {
            let bit = bits.trailing_zeros();
            bits &= bits - 1;
            let newline = newlines >> bit & 1 == 1;
            let end = base + bit as usize;
            // A column not asked for costs no more than its bit.
            if !newline && skipped.get(cursor.field) == Some(&true) {
                cursor.field += 1;
                cursor.field_start = end + 1;
                continue;
            }
            // A field within this window: its quotes are counted in the mask (more than the
            // two around it means doubled ones inside).
            let escaped = (cursor.field_start >= base).then(|| {
                let from = cursor.field_start - base;
                let between = ((1u64 << bit) - 1) & !((1u64 << from) - 1);
                // More than two bits set: clear the lowest two and look (no popcnt needed).
                let inside = quotes & between;
                let past_two = inside & inside.wrapping_sub(1);
                past_two & past_two.wrapping_sub(1) != 0
            });
            match cursor.field_done(
                bytes,
                end,
                newline,
                escaped,
                builders,
                headers,
                first_record,
                limits.soft_stop,
            )? {
                Next::Go => {}
                Next::Stop => {
                    return Ok(Some(Reached {
                        rows: cursor.rows,
                        end: cursor.record_start,
                    }));
                }
                Next::Irregular => {
                    truncate_all(builders, held);
                    return Ok(None);
                }
            }
        }
        base += 64;
    }
    if limits.partial {
        // The last record goes on in the next block.
        truncate_all(builders, held + cursor.rows);
        return Ok(Some(Reached {
            rows: cursor.rows,
            end: cursor.record_start,
        }));
    }
    if inside != 0 {
        return Err(ColumnError::Unclosed {
            record: first_record + cursor.rows,
        });
    }
    // The last record has no line end.
    if cursor.field > 0 || cursor.field_start < bytes.len() {
        let end = bytes.len();
        let next = cursor.field_done(
            bytes,
            end,
            true,
            None,
            builders,
            headers,
            first_record,
            usize::MAX,
        )?;
        if let Next::Irregular = next {
            truncate_all(builders, held);
            return Ok(None);
        }
    }
    Ok(Some(Reached {
        rows: cursor.rows,
        end: bytes.len(),
    }))
}

/// Reads records one field after another (see `record`): the way for stretches whose quotes
/// the window scanner does not trust.
fn read_one_by_one(stretch: Stretch<'_>, builders: &mut Builders) -> Result<Reached, ColumnError> {
    let (bytes, limits, headers) = (stretch.bytes, stretch.limits, stretch.headers);
    let held = rows_held(builders);
    let mut at = stretch.start;
    let mut rows = 0;
    let mut scratch = Vec::new();
    while at < limits.soft_stop && at < bytes.len() {
        // Blank lines are not records.
        if bytes[at] == b'\n' || (bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n')) {
            at += if bytes[at] == b'\n' { 1 } else { 2 };
            continue;
        }
        let number = stretch.first_record + rows;
        let mut seen = 0;
        let read = record(bytes, at, stretch.sep, number, &mut scratch, |i, field| {
            seen = i + 1;
            match builders.get_mut(i) {
                Some(Some(b)) => b.push(field, field, number, &headers[i]),
                Some(None) => Ok(()),
                None => Err(ColumnError::TooManyFields {
                    record: number,
                    found: i + 1,
                    expected: headers.len(),
                }),
            }
        });
        let cut_short = |next: usize| next >= bytes.len() && bytes.last() != Some(&b'\n');
        let next = match read {
            Ok(next) if !(limits.partial && cut_short(next)) => next,
            Err(ColumnError::Unclosed { .. }) | Ok(_) if limits.partial => {
                // The record goes on in the next block: undo what it pushed and stop here.
                truncate_all(builders, held + rows);
                break;
            }
            Ok(next) => next,
            Err(e) => return Err(e),
        };
        for b in builders.iter_mut().skip(seen).flatten() {
            b.push(b"", b"", number, "")?;
        }
        rows += 1;
        at = next;
    }
    Ok(Reached { rows, end: at })
}

/// Bytes read from the input at a time: memory stays near this, whatever the file's size.
pub const BLOCK: usize = 8 * 1024 * 1024;

/// Input that can be read from any offset, so that each core reads its own part of it.
pub trait Source: Sync {
    fn size(&self) -> Result<u64, ColumnError>;
    fn open_at(&self, offset: u64) -> Result<impl Read + Send, ColumnError>;
}

impl Source for [u8] {
    fn size(&self) -> Result<u64, ColumnError> {
        Ok(self.len() as u64)
    }

    fn open_at(&self, offset: u64) -> Result<impl Read + Send, ColumnError> {
        Ok(self.get(offset as usize..).unwrap_or_default())
    }
}

fn read_error(error: std::io::Error) -> ColumnError {
    ColumnError::Read {
        reason: error.to_string(),
    }
}

/// Reads the columns `plan` asks for (`plan(header)`) from CSV bytes separated by `sep`.
pub fn read_columns(
    bytes: &[u8],
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    threads: usize,
) -> Result<Columns, ColumnError> {
    read_columns_in(bytes, sep, plan, threads, BLOCK)
}

/// The header line of `input`: the names, and the bytes read past them.
fn read_header(mut input: impl Read, sep: u8) -> Result<(Vec<String>, Vec<u8>, u64), ColumnError> {
    let mut buffer = Vec::new();
    loop {
        let read = input
            .by_ref()
            .take(64 * 1024)
            .read_to_end(&mut buffer)
            .map_err(read_error)?;
        if read == 0 || memchr::memchr(b'\n', &buffer).is_some() {
            break;
        }
    }
    let bom = if buffer.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if buffer.len() == bom {
        return Err(ColumnError::Empty);
    }
    let header_end = memchr::memchr(b'\n', &buffer).map_or(buffer.len(), |p| p + 1);
    if let Err(e) = std::str::from_utf8(&buffer[bom..header_end]) {
        return Err(ColumnError::NotUtf8 {
            offset: bom + e.valid_up_to(),
        });
    }
    let mut headers = Vec::new();
    let body = record(&buffer, bom, sep, 1, &mut Vec::new(), |_, field| {
        headers.push(String::from_utf8_lossy(field).trim().to_owned());
        Ok(())
    })?;
    buffer.drain(..body);
    Ok((headers, buffer, body as u64))
}

/// The same from a reader, block by block, on one core: the input is never whole in memory.
pub fn read_columns_from(
    mut input: impl Read,
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    block: usize,
) -> Result<Columns, ColumnError> {
    let (headers, rest, body) = read_header(&mut input, sep)?;
    let wanted: Vec<Option<Want>> = headers.iter().map(|h| plan(h)).collect();
    let piece = Piece {
        start: body,
        find_line: false,
        soft_stop: u64::MAX,
        end_hint: 0,
    };
    let part = read_part(input, rest, piece, sep, &wanted, &headers, block)?;
    if let Some(error) = part.error {
        return Err(error.counted_from(2));
    }
    let mut columns = Accumulated::new(&wanted);
    columns.append(part.builders, part.rows);
    Ok(columns.finish(headers))
}

/// Reads the columns `plan` asks for from `source` on `threads` cores: the body is cut in
/// equal parts at line starts and each part read block by block at once. A cut that fell
/// inside a quoted field (a line break in free text) shows when the part before it does not
/// end where the next begins; that next part is then read again from the true boundary.
pub fn read_columns_in<S: Source + ?Sized>(
    source: &S,
    sep: u8,
    plan: impl Fn(&str) -> Option<Want>,
    threads: usize,
    block: usize,
) -> Result<Columns, ColumnError> {
    let (headers, _, body) = read_header(source.open_at(0)?, sep)?;
    let wanted: Vec<Option<Want>> = headers.iter().map(|h| plan(h)).collect();
    let size = source.size()?.max(body);
    let threads = threads.max(1) as u64;
    let cuts: Vec<u64> = (0..=threads)
        .map(|t| body + (size - body) * t / threads)
        .collect();
    let piece = |t: usize, start: u64| Piece {
        start,
        find_line: start != body && start == cuts[t],
        end_hint: cuts[t + 1],
        soft_stop: if t + 1 < threads as usize {
            cuts[t + 1]
        } else {
            u64::MAX
        },
    };
    let read = |piece: Piece| -> Result<Part, ColumnError> {
        // A part that does not start the body starts at a line: open it one byte early so
        // that a cut just after a newline keeps its line.
        let from = if piece.find_line {
            piece.start - 1
        } else {
            piece.start
        };
        let piece = Piece {
            start: from,
            ..piece
        };
        read_part(
            source.open_at(from)?,
            Vec::new(),
            piece,
            sep,
            &wanted,
            &headers,
            block,
        )
    };
    let results: Vec<Result<Part, ColumnError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads as usize)
            .map(|t| {
                let piece = piece(t, cuts[t]);
                scope.spawn(move || read(piece))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(ColumnError::WorkerFailed)))
            .collect()
    });
    let mut columns = Accumulated::new(&wanted);
    let mut expected = body;
    for (t, result) in results.into_iter().enumerate() {
        let part = match result {
            Ok(part) if part.start == expected => part,
            Err(e) if t == 0 => return Err(e),
            // A wrong cut: read again from the true boundary to the end, on this core.
            _ => {
                let rest = Piece {
                    start: expected,
                    find_line: false,
                    soft_stop: u64::MAX,
                    end_hint: size,
                };
                read(rest)?
            }
        };
        if let Some(error) = part.error {
            return Err(error.counted_from(2 + columns.rows));
        }
        expected = part.end;
        let last = part.end >= size;
        columns.append(part.builders, part.rows);
        if last {
            break;
        }
    }
    Ok(columns.finish(headers))
}

/// Which part of the input a core reads.
#[derive(Clone, Copy)]
struct Piece {
    /// Where reading begins; with `find_line`, at the first line start after it.
    start: u64,
    find_line: bool,
    /// The part ends before the first record that starts at or after this.
    soft_stop: u64,
    /// About where the part ends, to size the columns once (0: unknown).
    end_hint: u64,
}

/// What a core read: the records from `start` to `end` (or to the error met on the way,
/// whose record number counts from the part's first record, 0).
struct Part {
    start: u64,
    end: u64,
    rows: usize,
    builders: Builders,
    error: Option<ColumnError>,
}

/// Reads one part of the input block by block.
fn read_part(
    mut input: impl Read,
    mut buffer: Vec<u8>,
    piece: Piece,
    sep: u8,
    wanted: &[Option<Want>],
    headers: &[String],
    block: usize,
) -> Result<Part, ColumnError> {
    let mut builders: Builders = wanted.iter().map(|w| w.map(Builder::new)).collect();
    let mut offset = piece.start;
    let mut eof = false;
    // `read_to_end` on a bounded reader fills spare capacity without zeroing it first:
    // zeroing each block cost as much as reading it. Near the soft stop it reads less: the
    // bytes past it are the next part's.
    let mut fill = |buffer: &mut Vec<u8>, offset: u64, eof: &mut bool| -> Result<(), ColumnError> {
        let limit = if piece.soft_stop == u64::MAX {
            block
        } else {
            let left = piece.soft_stop.saturating_sub(offset + buffer.len() as u64);
            (left as usize).saturating_add(64 * 1024).min(block)
        };
        buffer.reserve(limit);
        let read = input
            .by_ref()
            .take(limit as u64)
            .read_to_end(buffer)
            .map_err(read_error)?;
        *eof = read < limit;
        Ok(())
    };
    let mut at = 0;
    if piece.find_line {
        loop {
            if let Some(p) = memchr::memchr(b'\n', &buffer) {
                at = p + 1;
                break;
            }
            if eof {
                at = buffer.len();
                break;
            }
            fill(&mut buffer, offset, &mut eof)?;
        }
    }
    let start = offset + at as u64;
    let mut rows = 0;
    let mut sized = piece.end_hint == 0;
    let part = |builders, rows, end, error| Part {
        start,
        end,
        rows,
        builders,
        error,
    };
    // More is read when less than a block is waiting, or when what waits is one record
    // longer than that.
    let mut grow = false;
    loop {
        if !eof && (grow || buffer.len() - at < block) {
            fill(&mut buffer, offset, &mut eof)?;
        }
        // A block ends after a newline (unless the input does): no character is cut.
        let cut = if eof {
            buffer.len()
        } else {
            match memchr::memrchr(b'\n', &buffer[at..]) {
                Some(p) => at + p + 1,
                None => {
                    grow = true;
                    continue;
                }
            }
        };
        let before = at;
        if let Err(e) = std::str::from_utf8(&buffer[at..cut]) {
            let error = ColumnError::NotUtf8 {
                offset: (offset as usize) + at + e.valid_up_to(),
            };
            return Ok(part(builders, rows, offset + at as u64, Some(error)));
        }
        let limits = Limits {
            soft_stop: usize::try_from(piece.soft_stop.saturating_sub(offset))
                .unwrap_or(usize::MAX),
            partial: !eof,
        };
        let stretch = Stretch {
            bytes: &buffer[..cut],
            start: at,
            limits,
            sep,
            headers,
            first_record: rows,
        };
        match read_stretch(stretch, &mut builders) {
            Ok(reached) => {
                rows += reached.rows;
                at = reached.end;
            }
            Err(error) => return Ok(part(builders, rows, offset + at as u64, Some(error))),
        }
        grow = at == before;
        if !sized && rows > 0 {
            // The first block tells the bytes per record: size the columns for the part.
            let per_row = (offset + at as u64 - start) / rows as u64;
            let expected = piece.end_hint.saturating_sub(start) / per_row.max(1);
            for b in builders.iter_mut().flatten() {
                b.reserve((expected as usize + expected as usize / 50).saturating_sub(rows));
            }
            sized = true;
        }
        if eof || offset + at as u64 >= piece.soft_stop {
            return Ok(part(builders, rows, offset + at as u64, None));
        }
        buffer.drain(..at);
        offset += at as u64;
        at = 0;
    }
}

/// The columns of the parts, joined in file order, one dictionary per categorical column.
struct Accumulated {
    columns: Vec<Option<Column>>,
    dictionaries: Vec<HashMap<Vec<u8>, u32>>,
    rows: usize,
}

impl Accumulated {
    fn new(wanted: &[Option<Want>]) -> Self {
        Self {
            columns: wanted.iter().map(|_| None).collect(),
            dictionaries: vec![HashMap::default(); wanted.len()],
            rows: 0,
        }
    }

    /// Adds a part's columns after those already there. Columns are joined on every core:
    /// the copy writes fresh memory, whose first touch costs more than the copy itself.
    fn append(&mut self, builders: Builders, rows: usize) {
        self.rows += rows;
        let mut work: Vec<_> = self
            .columns
            .iter_mut()
            .zip(&mut self.dictionaries)
            .zip(builders)
            .filter_map(|((target, dictionary), builder)| Some((target, dictionary, builder?)))
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let share = work.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            while !work.is_empty() {
                let rest = work.split_off(share.min(work.len()));
                let mine = std::mem::replace(&mut work, rest);
                scope.spawn(move || {
                    for (target, dictionary, builder) in mine {
                        append_column(target, dictionary, builder);
                    }
                });
            }
        });
    }

    fn finish(self, headers: Vec<String>) -> Columns {
        Columns {
            headers,
            rows: self.rows,
            columns: self.columns,
        }
    }
}

/// One part's column after the same column of the parts before it, its codes renumbered
/// in the joined dictionary.
fn append_column(
    target: &mut Option<Column>,
    dictionary: &mut HashMap<Vec<u8>, u32>,
    builder: Builder,
) {
    match builder {
        Builder::Categorical { codes, values, .. } => {
            let mut names = Vec::new();
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
            let codes = codes.into_codes();
            match target {
                Some(Column::Categorical { codes: all, values }) => {
                    values.extend(names);
                    if dictionary.len() >= usize::from(SMALL_MISSING)
                        || matches!(codes, Codes::Wide(_))
                    {
                        all.widen();
                    }
                    let renumbered = (0..codes.len()).map(|i| match codes.get(i) {
                        MISSING => MISSING,
                        c => map[c as usize],
                    });
                    match all {
                        Codes::Small(all) => all.extend(renumbered.map(|c| c as u8)),
                        Codes::Wide(all) => all.extend(renumbered),
                    }
                }
                // The first part's codes are already the final ones.
                _ => {
                    *target = Some(Column::Categorical {
                        codes,
                        values: names,
                    })
                }
            }
        }
        Builder::Flags(flags) => {
            let flags = flags.into_vec();
            match target {
                Some(Column::Flags(all)) => all.extend(flags),
                Some(Column::Numeric(all)) => all.extend(widen(&flags)),
                _ => *target = Some(Column::Flags(flags)),
            }
        }
        Builder::Numeric(numbers) => {
            let numbers = numbers.into_vec();
            match target {
                Some(Column::Numeric(all)) => all.extend(numbers),
                Some(Column::Flags(all)) => {
                    let mut widened = widen(all);
                    widened.extend(numbers);
                    *target = Some(Column::Numeric(widened));
                }
                _ => *target = Some(Column::Numeric(numbers)),
            }
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
            let regions: Vec<&str> = codes.iter().map(|k| values[k as usize].as_str()).collect();
            assert_eq!(regions, ["Kayes", "Gao", "Kayes"]);
            let Some(Column::Categorical { codes, values }) = &c.columns[3] else {
                panic!()
            };
            assert_eq!(values[codes.get(0) as usize], "dit \"oui\"; puis\nnon");
            assert_eq!(codes.get(1), MISSING, "a quoted empty field is missing");
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
            for threads in [1, 2, 3] {
                let pieces = read_columns_in(
                    csv.as_bytes(),
                    b';',
                    |h| match h {
                        "flag" | "age" => Some(Want::Numeric),
                        _ => Some(Want::Categorical),
                    },
                    threads,
                    block,
                )
                .unwrap();
                assert_eq!(pieces.rows, 300, "block {block}, {threads} threads");
                assert_eq!(
                    pieces.columns, whole.columns,
                    "block {block}, {threads} threads"
                );
            }
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
    fn a_column_with_many_answers_widens_its_codes_in_every_part() {
        // 300 answers: past a byte's 255 codes, in one part and across the join of parts.
        let mut csv = String::from("grappe;zone\n");
        for i in 0..900 {
            csv.push_str(&format!("g{};z{}\n", (i * 7) % 300, i % 3));
        }
        let plan = |_: &str| Some(Want::Categorical);
        for threads in [1, 2, 3] {
            let c = read_columns_in(csv.as_bytes(), b';', plan, threads, 1000).unwrap();
            let Some(Column::Categorical { codes, values }) = &c.columns[0] else {
                panic!()
            };
            assert!(matches!(codes, Codes::Wide(_)), "{threads} threads");
            assert_eq!(values.len(), 300);
            for i in 0..900 {
                assert_eq!(values[codes.get(i) as usize], format!("g{}", (i * 7) % 300));
            }
            let Some(Column::Categorical { codes, .. }) = &c.columns[1] else {
                panic!()
            };
            assert!(
                matches!(codes, Codes::Small(_)),
                "three answers take a byte a row"
            );
        }
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

    /// A small random generator (xorshift), so that the property test needs no crate.
    struct Dice(u64);
    impl Dice {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// All of `bytes`, to its end.
    fn whole<'a>(bytes: &'a [u8], sep: u8, headers: &'a [String]) -> Stretch<'a> {
        Stretch {
            bytes,
            start: 0,
            limits: Limits {
                soft_stop: usize::MAX,
                partial: false,
            },
            sep,
            headers,
            first_record: 2,
        }
    }

    fn scan_whole(
        csv: &str,
        wanted: &[Option<Want>],
        headers: &[String],
    ) -> (Option<Reached>, Builders) {
        let mut builders: Builders = wanted.iter().map(|w| w.map(Builder::new)).collect();
        let read = scan(whole(csv.as_bytes(), b';', headers), &mut builders).unwrap();
        (read, builders)
    }

    /// Reads `csv` one byte at a time, the reference the window scanner must agree with.
    fn one_by_one(csv: &[u8], sep: u8, wanted: &[Option<Want>], headers: &[String]) -> Builders {
        let mut builders: Builders = wanted.iter().map(|w| w.map(Builder::new)).collect();
        read_one_by_one(whole(csv, sep, headers), &mut builders).unwrap();
        builders
    }

    /// The builders as columns, NaN equal to NaN.
    fn same(a: Builders, b: Builders) -> bool {
        let columns = |builders: Builders| {
            let mut joined = Accumulated::new(&vec![None; builders.len()]);
            joined.append(builders, 0);
            joined.columns
        };
        columns(a)
            .iter()
            .zip(&columns(b))
            .all(|(a, b)| match (a, b) {
                (Some(Column::Numeric(x)), Some(Column::Numeric(y))) => x
                    .iter()
                    .zip(y)
                    .all(|(p, q)| p == q || (p.is_nan() && q.is_nan())),
                _ => a == b,
            })
    }

    #[test]
    fn the_window_scanner_reads_what_a_byte_by_byte_reader_reads() {
        // Fields of every shape: quoted or not, empty, with doubled quotes, separators and
        // line breaks inside quotes, CRLF ends, blank lines, short records, long answers.
        let pieces = [
            "\"a\"",
            "b",
            "\"\"",
            "",
            "\"x;y\"",
            "\"deux\nlignes\"",
            "\"il dit \"\"oui\"\"\"",
            "1",
            "0",
            "\"1\"",
            "\"0\"",
            "NA",
            "\"une réponse bien plus longue que seize octets\"",
            "\"\"\"\"",
            "42",
            "\"7\"",
            "n/a",
            "\"r\r\n\"",
        ];
        let headers: Vec<String> = ["texte", "code", "flag", "n", "libre"]
            .map(String::from)
            .to_vec();
        let wanted = [
            Some(Want::Categorical),
            Some(Want::Categorical),
            Some(Want::Numeric),
            Some(Want::Numeric),
            None,
        ];
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        for case in 0..400 {
            let mut csv = String::new();
            for _ in 0..(1 + dice.below(40)) {
                let fields = 1 + dice.below(5) as usize;
                let row: Vec<&str> = (0..fields)
                    .map(|i| match i {
                        2 => ["\"1\"", "0", "\"\"", "1"][dice.below(4) as usize],
                        3 => ["12", "\"7\"", "", "NA", "3.5"][dice.below(5) as usize],
                        _ => pieces[dice.below(pieces.len() as u64) as usize],
                    })
                    .collect();
                csv.push_str(&row.join(";"));
                csv.push_str(["\n", "\r\n", "\n\n"][dice.below(3) as usize]);
            }
            if dice.below(4) == 0 {
                csv.pop();
            }
            let reference = one_by_one(csv.as_bytes(), b';', &wanted, &headers);
            let (read, scanned) = scan_whole(&csv, &wanted, &headers);
            assert!(
                read.is_some(),
                "case {case}: regular quotes are scanned: {csv:?}"
            );
            assert!(same(scanned, reference), "case {case}: {csv:?}");
        }
    }

    #[test]
    fn quotes_out_of_place_are_read_one_byte_at_a_time() {
        // A quote inside an unquoted field, text after a closing quote.
        let headers: Vec<String> = ["a", "b"].map(String::from).to_vec();
        let wanted = [Some(Want::Categorical), Some(Want::Categorical)];
        for csv in ["5\" écran;x\ny;z\n", "\"ab\"cd;x\ny;\"z\"\n"] {
            let (read, scanned) = scan_whole(csv, &wanted, &headers);
            assert!(read.is_none(), "{csv:?} is irregular");
            assert_eq!(rows_held(&scanned), 0, "nothing half-read is kept");
            let columns = read_columns(
                format!("a;b\n{csv}").as_bytes(),
                b';',
                |_| Some(Want::Categorical),
                2,
            )
            .unwrap();
            assert_eq!(columns.rows, 2);
        }
    }
}
