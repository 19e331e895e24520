//! Reading an XLSForm (XLSX, XLS, or pyxform's CSV layout) into a [`Form`].
//!
//! Fatal problems (what pyxform itself refuses: a question without a name, a calculation
//! without formula, duplicate columns, a missing choice list, unbalanced groups, an unknown
//! type) make a [`FormError`] that lists every one with its sheet, row and column. Odd but
//! readable things (an expression that does not parse, a reference to no question) are
//! warnings in [`Form::warnings`], with the character where the expression goes wrong.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use sigida_formats::table::{Table, read_csv_records, read_tables_from_bytes};
use sigida_formats::{FormatError, Location, Refusal};

use crate::form::*;
use crate::xpath;

/// Reads the XLSForm at `path`.
pub fn read_form(path: &Path) -> Result<Form, FormError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        unreadable(FormatError::new(
            Location {
                file: file.clone(),
                ..Location::default()
            },
            Refusal::new("file.unreadable").arg("detail", e.to_string()),
        ))
    })?;
    read_form_bytes(&file, &bytes)
}

/// Reads an XLSForm from its bytes; `name` (a file name) tells the format by its extension.
pub fn read_form_bytes(name: &str, bytes: &[u8]) -> Result<Form, FormError> {
    let extension = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let tables = match extension.as_str() {
        "csv" => csv_sheets(name, bytes)?,
        // A KoboToolbox asset, as its API gives it.
        "json" => crate::kobo::parse(name, bytes)
            .and_then(|asset| crate::kobo::form_sheets(name, &asset))
            .map_err(unreadable)?,
        _ => read_tables_from_bytes(name, bytes).map_err(unreadable)?,
    };
    read_sheets(name, &tables)
}

fn fatal_file(file: &str, message: String) -> FormError {
    FormError {
        problems: vec![Problem {
            severity: Severity::Error,
            file: file.to_owned(),
            sheet: String::new(),
            row: None,
            column: None,
            column_letter: None,
            character: None,
            message,
            what: None,
        }],
    }
}

/// A form file that cannot be read as tables at all: where, and why.
fn unreadable(e: FormatError) -> FormError {
    let at = *e.at;
    FormError {
        problems: vec![Problem {
            severity: Severity::Error,
            file: at.file,
            sheet: at.sheet.unwrap_or_default(),
            row: at.row,
            column: at.column,
            column_letter: None,
            character: None,
            message: String::new(),
            what: Some(e.what),
        }],
    }
}

/// pyxform's CSV layout: a sheet name alone in the first column starts that sheet; the rows
/// after it, shifted one column right, are the sheet (header first).
fn csv_sheets(file: &str, bytes: &[u8]) -> Result<Vec<Table>, FormError> {
    // This layout's rows are as long as its widest sheet, not as a header: read them as they are.
    let records = read_csv_records(file, bytes).map_err(unreadable)?;
    let mut tables: Vec<Table> = Vec::new();
    for (row, cells) in records {
        let first = cells.first().map(|c| c.trim()).unwrap_or("");
        if !first.is_empty() {
            tables.push(Table {
                file: file.to_owned(),
                sheet: Some(first.to_owned()),
                headers: Vec::new(),
                rows: Vec::new(),
            });
            continue;
        }
        let Some(table) = tables.last_mut() else {
            continue;
        };
        let shifted: Vec<String> = cells.iter().skip(1).cloned().collect();
        if shifted.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if table.headers.is_empty() {
            table.headers = shifted.iter().map(|h| h.trim().to_owned()).collect();
        } else {
            table.rows.push((row, shifted));
        }
    }
    if tables.is_empty() {
        return Err(fatal_file(
            file,
            "aucune feuille « survey » dans ce CSV XLSForm".into(),
        ));
    }
    Ok(tables)
}

/// The letters of a 0-based column index (`0` → `A`, `27` → `AB`).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Columns whose text has one version per language.
const TRANSLATABLE: &[&str] = &[
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "image",
    "big-image",
    "audio",
    "video",
];
const MEDIA: &[&str] = &["image", "big-image", "audio", "video"];

/// A header as the reader understands it: its canonical column and language.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Column {
    base: String,
    language: Option<String>,
    header: String,
    letter: String,
}

/// `label::French (fr)`, `label:English`, `LABEL::EN`, `bind::relevant`, `bind:jr:constraintMsg`,
/// `constraint message`, `list name`… → canonical column and language.
fn normalise_header(header: &str) -> Option<(String, Option<String>)> {
    let mut rest = header.trim();
    if rest.is_empty() {
        return None;
    }
    for prefix in [
        "bind::",
        "bind:",
        "control::",
        "control:",
        "media::",
        "media:",
    ] {
        if rest.len() > prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix) {
            rest = &rest[prefix.len()..];
            break;
        }
    }
    // `jr:` is part of a column name, not a language separator.
    let (jr, body) = if rest.len() > 3 && rest[..3].eq_ignore_ascii_case("jr:") {
        ("jr:", &rest[3..])
    } else {
        ("", rest)
    };
    let (base, language) = match body.split_once("::") {
        Some((b, l)) => (b, Some(l.trim())),
        None => match body.split_once(':') {
            Some((b, l)) if TRANSLATABLE.contains(&canonical_base(b).as_str()) => {
                (b, Some(l.trim()))
            }
            _ => (body, None),
        },
    };
    let base = canonical_base(&format!("{jr}{base}"));
    let language = language.filter(|l| !l.is_empty()).map(str::to_owned);
    Some((base, language))
}

fn canonical_base(raw: &str) -> String {
    let lower = raw.trim().to_lowercase().replace(' ', "_");
    match lower.as_str() {
        "caption" => "label",
        "relevance" => "relevant",
        "calculate" => "calculation",
        "jr:constraintmsg" | "constraining_message" => "constraint_message",
        "jr:requiredmsg" => "required_message",
        "jr:count" | "count" => "repeat_count",
        "readonly" => "read_only",
        "command" => "type",
        "tag" | "value" => "name",
        "list_name" | "listname" => "list_name",
        _ => return lower,
    }
    .to_owned()
}

/// A sheet with its columns understood.
struct Sheet<'t> {
    table: &'t Table,
    name: String,
    columns: Vec<Option<Column>>,
}

impl<'t> Sheet<'t> {
    fn new(table: &'t Table, languages: &mut Vec<String>, problems: &mut Vec<Problem>) -> Self {
        let name = table.sheet.clone().unwrap_or_default();
        let mut columns = Vec::new();
        let mut seen: HashMap<(String, Option<String>), String> = HashMap::new();
        for (i, header) in table.headers.iter().enumerate() {
            let letter = column_letter(i);
            let Some((base, language)) = normalise_header(header) else {
                columns.push(None);
                continue;
            };
            // One spelling per language: `English` and `english` are the same language.
            let language = language.map(|l| {
                match languages
                    .iter()
                    .find(|known| known.eq_ignore_ascii_case(&l))
                {
                    Some(known) => known.clone(),
                    None => {
                        if TRANSLATABLE.contains(&base.as_str()) {
                            languages.push(l.clone());
                        }
                        l
                    }
                }
            });
            let key = (base.clone(), language.clone());
            if let Some(first) = seen.get(&key) {
                problems.push(Problem {
                    severity: Severity::Error,
                    file: table.file.clone(),
                    sheet: name.clone(),
                    row: Some(1),
                    column: Some(header.clone()),
                    column_letter: Some(letter.clone()),
                    character: None,
                    message: format!(
                        "en-tête en double : la colonne {letter} répète la colonne {first} (« {header} ») ; supprimez ou renommez l'une des deux"
                    ),
                    what: None,
                });
                columns.push(None);
                continue;
            }
            seen.insert(key, letter.clone());
            columns.push(Some(Column {
                base,
                language,
                header: header.clone(),
                letter,
            }));
        }
        Sheet {
            table,
            name,
            columns,
        }
    }

    fn index(&self, base: &str) -> Option<usize> {
        self.columns.iter().position(|c| {
            c.as_ref()
                .is_some_and(|c| c.base == base && c.language.is_none())
        })
    }

    fn has(&self, base: &str) -> bool {
        self.columns.iter().flatten().any(|c| c.base == base)
    }

    fn cell<'r>(&self, cells: &'r [String], base: &str) -> Option<&'r str> {
        self.index(base)
            .and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn translations(&self, cells: &[String], base: &str) -> Translations {
        let mut out = Translations::new();
        for (i, column) in self.columns.iter().enumerate() {
            let Some(column) = column else { continue };
            if column.base != base {
                continue;
            }
            if let Some(text) = cells.get(i).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                out.insert(column.language.clone().unwrap_or_default(), text.to_owned());
            }
        }
        out
    }

    fn media(&self, cells: &[String]) -> BTreeMap<String, Translations> {
        MEDIA
            .iter()
            .map(|m| (m.to_string(), self.translations(cells, m)))
            .filter(|(_, t)| !t.is_empty())
            .collect()
    }

    /// Values of the columns not in `known`, by header as written.
    fn extra(&self, cells: &[String], known: &[&str]) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (i, column) in self.columns.iter().enumerate() {
            let Some(column) = column else { continue };
            if known.contains(&column.base.as_str()) || TRANSLATABLE.contains(&column.base.as_str())
            {
                continue;
            }
            if let Some(text) = cells.get(i).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                out.insert(column.header.clone(), text.to_owned());
            }
        }
        out
    }

    fn problem(
        &self,
        severity: Severity,
        row: Option<usize>,
        base: Option<&str>,
        message: String,
    ) -> Problem {
        let column = base.and_then(|b| self.columns.iter().flatten().find(|c| c.base == b));
        Problem {
            severity,
            file: self.table.file.clone(),
            sheet: self.name.clone(),
            row,
            column: column
                .map(|c| c.header.clone())
                .or_else(|| base.map(str::to_owned)),
            column_letter: column.map(|c| c.letter.clone()),
            character: None,
            message,
            what: None,
        }
    }
}

const SURVEY_COLUMNS: &[&str] = &[
    "type",
    "name",
    "required",
    "relevant",
    "constraint",
    "calculation",
    "choice_filter",
    "default",
    "appearance",
    "parameters",
    "read_only",
    "repeat_count",
    "sigida_pii",
];
const CHOICE_COLUMNS: &[&str] = &["list_name", "name"];

/// What a type cell says.
enum Row {
    Begin(GroupKind, Option<String>),
    End(GroupKind),
    Question(QuestionKind),
}

fn parse_type(text: &str) -> Option<Row> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = t.to_lowercase();
    let (lower, or_other) = match lower
        .strip_suffix(" or_other")
        .or_else(|| lower.strip_suffix(" or specify other"))
    {
        Some(rest) => (rest.to_owned(), true),
        None => (lower.clone(), false),
    };
    let list_after = |prefixes: &[&str]| -> Option<String> {
        prefixes.iter().find_map(|p| {
            lower
                .strip_prefix(p)
                .map(|rest| rest.trim().to_owned())
                .filter(|rest| !rest.is_empty() && !rest.contains(' '))
        })
    };
    // List names keep their case: take them from the original text.
    let original_list = |list: String| -> String {
        t.split_whitespace()
            .find(|w| w.eq_ignore_ascii_case(&list))
            .map(str::to_owned)
            .unwrap_or(list)
    };
    match lower.as_str() {
        "begin group" | "begin_group" | "begin lgroup" => {
            return Some(Row::Begin(GroupKind::Group, None));
        }
        "begin repeat" | "begin_repeat" | "begin looped group" => {
            return Some(Row::Begin(GroupKind::Repeat, None));
        }
        "end group" | "end_group" | "end lgroup" => return Some(Row::End(GroupKind::Group)),
        "end repeat" | "end_repeat" | "end looped group" => {
            return Some(Row::End(GroupKind::Repeat));
        }
        "end loop" | "end_loop" => return Some(Row::End(GroupKind::Loop)),
        _ => {}
    }
    if let Some(list) = list_after(&[
        "begin loop over ",
        "begin_loop over ",
        "begin loop ",
        "begin_loop ",
    ]) {
        return Some(Row::Begin(GroupKind::Loop, Some(original_list(list))));
    }
    if let Some(file) = list_after(&["select_one_from_file ", "select one from file "]) {
        return Some(Row::Question(QuestionKind::SelectFromFile {
            file: original_list(file),
            multiple: false,
        }));
    }
    if let Some(file) = list_after(&["select_multiple_from_file ", "select multiple from file "]) {
        return Some(Row::Question(QuestionKind::SelectFromFile {
            file: original_list(file),
            multiple: true,
        }));
    }
    if let Some(list) = list_after(&["select_one_external ", "select one external "]) {
        return Some(Row::Question(QuestionKind::SelectOneExternal {
            list: original_list(list),
        }));
    }
    if let Some(list) = list_after(&[
        "select_one ",
        "select one from ",
        "select one using ",
        "select one ",
        "select1 ",
        "add select one prompt using ",
        "q select1 ",
    ]) {
        return Some(Row::Question(QuestionKind::SelectOne {
            list: original_list(list),
            or_other,
        }));
    }
    if let Some(list) = list_after(&[
        "select_multiple ",
        "select all that apply from ",
        "select all that apply ",
        "select multiple from ",
        "select multiple using ",
        "select multiple ",
        "add select multiple prompt using ",
        "q select ",
    ]) {
        return Some(Row::Question(QuestionKind::SelectMultiple {
            list: original_list(list),
            or_other,
        }));
    }
    if list_after(&["osm "]).is_some() {
        return Some(Row::Question(QuestionKind::Osm));
    }
    if let Some(list) = list_after(&["rank "]) {
        return Some(Row::Question(QuestionKind::Rank {
            list: original_list(list),
            or_other,
        }));
    }
    if or_other {
        return None;
    }
    let kind = match lower.as_str() {
        "text" | "string" | "add text prompt" | "q string" => QuestionKind::Text,
        "integer" | "int" | "add integer prompt" | "q int" => QuestionKind::Integer,
        "decimal" | "add decimal prompt" | "q decimal" | "percentage" => QuestionKind::Decimal,
        "range" => QuestionKind::Range,
        "date" | "add date prompt" | "q date" => QuestionKind::Date,
        "datetime"
        | "date time"
        | "add date time prompt"
        | "add datetime prompt"
        | "q date time"
        | "q datetime" => QuestionKind::DateTime,
        "time" => QuestionKind::Time,
        "geopoint" | "gps" | "location" | "add location prompt" | "q geopoint" | "q location" => {
            QuestionKind::GeoPoint
        }
        "geotrace" | "q geotrace" => QuestionKind::GeoTrace,
        "geoshape" | "q geoshape" => QuestionKind::GeoShape,
        "note" | "add note prompt" | "q note" => QuestionKind::Note,
        "calculate" | "add calculate prompt" | "q calculate" => QuestionKind::Calculate,
        "acknowledge" | "trigger" | "add acknowledge prompt" | "q acknowledge" => {
            QuestionKind::Acknowledge
        }
        "image" | "photo" | "add image prompt" | "add photo prompt" | "q image" | "q picture" => {
            QuestionKind::Photo
        }
        "audio" | "add audio prompt" | "q audio" => QuestionKind::Audio,
        "video" | "add video prompt" | "q video" => QuestionKind::Video,
        "file" | "add file prompt" => QuestionKind::File,
        "barcode" | "add barcode prompt" | "q barcode" => QuestionKind::Barcode,
        "hidden" => QuestionKind::Hidden,
        "xml-external" => QuestionKind::XmlExternal,
        "csv-external" => QuestionKind::CsvExternal,
        "osm" => QuestionKind::Osm,
        "start" | "start time" | "get start time" => meta("start"),
        "end" | "end time" | "get end time" => meta("end"),
        "today" | "get today" => meta("today"),
        "deviceid" | "device id" | "get device id" | "imei" | "uri:deviceid" => meta("deviceid"),
        "subscriberid" | "subscriber id" | "get subscriber id" | "uri:subscriberid" => {
            meta("subscriberid")
        }
        "simserial" | "sim id" | "get sim id" | "uri:simserial" => meta("simserial"),
        "phonenumber" | "phone number" | "get phone number" | "uri:phonenumber" => {
            meta("phonenumber")
        }
        "username" | "uri:username" => meta("username"),
        "email" | "uri:email" => meta("email"),
        "audit" => meta("audit"),
        "start-geopoint" => meta("start-geopoint"),
        "background-audio" => meta("background-audio"),
        "background-geopoint" => meta("background-geopoint"),
        "number of days in last month"
        | "number of days in last six months"
        | "number of days in last year" => QuestionKind::Integer,
        _ => return None,
    };
    Some(Row::Question(kind))
}

fn meta(name: &str) -> QuestionKind {
    QuestionKind::Metadata {
        name: name.to_owned(),
    }
}

/// The rows of a sheet up to a run of more than 60 empty rows: what lies beyond is not part of
/// the form (pyxform stops there too).
fn rows_until_long_gap(rows: &[(usize, Vec<String>)]) -> impl Iterator<Item = (usize, &[String])> {
    // Measured from the sheet's first row: in pyxform's CSV layout a sheet starts far down.
    let mut previous = rows.first().map_or(1, |(row, _)| row.saturating_sub(1));
    rows.iter()
        .take_while(move |(row, _)| {
            let near = row.saturating_sub(previous) <= 61;
            previous = *row;
            near
        })
        .map(|(row, cells)| (*row, cells.as_slice()))
}

fn find_sheet<'t>(tables: &'t [Table], name: &str) -> Option<&'t Table> {
    tables.iter().find(|t| {
        t.sheet
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case(name))
    })
}

/// Reads a form from its sheets.
pub fn read_sheets(file: &str, tables: &[Table]) -> Result<Form, FormError> {
    let mut problems = Vec::new();
    let mut languages = Vec::new();
    // A workbook of one sheet with a `type` column is read as its survey, as pyxform does.
    let only_sheet = match tables {
        [single]
            if single
                .headers
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case("type")) =>
        {
            Some(single)
        }
        _ => None,
    };
    let Some(survey_table) = find_sheet(tables, "survey").or(only_sheet) else {
        return Err(fatal_file(
            file,
            "aucune feuille « survey » : ce fichier n'est pas un XLSForm".into(),
        ));
    };
    let survey = Sheet::new(survey_table, &mut languages, &mut problems);
    if !survey.has("type") {
        problems.push(survey.problem(
            Severity::Error,
            Some(1),
            None,
            "colonne « type » absente de la ligne d'en-têtes".into(),
        ));
        return Err(FormError { problems });
    }
    let choices_table = find_sheet(tables, "choices").filter(|t| !t.rows.is_empty());
    let choices = choices_table.map(|t| Sheet::new(t, &mut languages, &mut problems));
    let external = find_sheet(tables, "external_choices")
        .filter(|t| !t.rows.is_empty())
        .map(|t| Sheet::new(t, &mut languages, &mut problems));

    let mut choice_lists: Vec<ChoiceList> = Vec::new();
    for sheet in choices.iter().chain(external.iter()) {
        read_choices(sheet, &mut choice_lists, &mut problems);
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut questions: Vec<Question> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut lists_with_other: HashSet<String> = HashSet::new();
    for (row, cells) in rows_until_long_gap(&survey_table.rows) {
        let type_text = survey.cell(cells, "type");
        let mut name = survey.cell(cells, "name").map(str::to_owned);
        let Some(type_text) = type_text else {
            if name.is_some() {
                problems.push(survey.problem(
                    Severity::Error,
                    Some(row),
                    Some("type"),
                    format!(
                        "la question « {} » n'a pas de type",
                        name.unwrap_or_default()
                    ),
                ));
            }
            continue;
        };
        let Some(kind) = parse_type(type_text) else {
            problems.push(survey.problem(
                Severity::Error,
                Some(row),
                Some("type"),
                format!("type inconnu « {type_text} » (attendu text, integer, select_one LISTE, begin_group…)"),
            ));
            continue;
        };
        match kind {
            Row::End(kind) => match stack.pop() {
                Some(open)
                    if groups[open].kind == kind
                        || kind == GroupKind::Group && groups[open].kind != GroupKind::Repeat => {}
                Some(open) => problems.push(survey.problem(
                    Severity::Error,
                    Some(row),
                    Some("type"),
                    format!(
                        "« {type_text} » ferme « {} » ouvert ligne {} d'un autre genre",
                        groups[open].name, groups[open].row
                    ),
                )),
                None => problems.push(survey.problem(
                    Severity::Error,
                    Some(row),
                    Some("type"),
                    format!("« {type_text} » sans « begin » correspondant"),
                )),
            },
            Row::Begin(kind, list) => {
                let Some(name) = name else {
                    problems.push(survey.problem(
                        Severity::Error,
                        Some(row),
                        Some("name"),
                        "groupe sans nom : la colonne « name » est vide".into(),
                    ));
                    // Keep the structure balanced so later rows are read in the right place.
                    stack.push(groups.len());
                    groups.push(Group {
                        name: String::new(),
                        kind,
                        row,
                        label: Translations::new(),
                        hint: Translations::new(),
                        relevant: None,
                        repeat_count: None,
                        appearance: None,
                        parent: stack.iter().rev().nth(1).copied(),
                        list,
                    });
                    continue;
                };
                let parent = stack.last().copied();
                let repeat_count = survey.cell(cells, "repeat_count").map(str::to_owned);
                if kind == GroupKind::Repeat
                    && let Some(count) = repeat_count.as_deref().filter(|c| !is_plain_reference(c))
                {
                    // As pyxform does: the count becomes a question of its own, which exports carry.
                    questions.push(generated_question(
                        format!("{name}_count"),
                        row,
                        QuestionKind::Calculate,
                        Some(count.to_owned()),
                        parent,
                        stack
                            .iter()
                            .rev()
                            .copied()
                            .find(|&g| groups[g].kind == GroupKind::Repeat),
                    ));
                }
                groups.push(Group {
                    name,
                    kind,
                    row,
                    label: survey.translations(cells, "label"),
                    hint: survey.translations(cells, "hint"),
                    relevant: survey.cell(cells, "relevant").map(str::to_owned),
                    repeat_count,
                    appearance: survey.cell(cells, "appearance").map(str::to_owned),
                    parent,
                    list,
                });
                stack.push(groups.len() - 1);
            }
            Row::Question(kind) => {
                if name.is_none() && kind == QuestionKind::Note {
                    // A note collects nothing: pyxform names it after its row.
                    name = Some(format!("generated_note_name_{row}"));
                }
                let Some(name) = name else {
                    problems.push(survey.problem(
                        Severity::Error,
                        Some(row),
                        Some("name"),
                        format!("question « {type_text} » sans nom : la colonne « name » est vide"),
                    ));
                    continue;
                };
                if kind == QuestionKind::Calculate
                    && survey.cell(cells, "calculation").is_none()
                    && survey.cell(cells, "default").is_none()
                {
                    problems.push(survey.problem(
                        Severity::Error,
                        Some(row),
                        Some("calculation"),
                        format!("le calcul « {name} » n'a pas de formule dans la colonne « calculation »"),
                    ));
                    continue;
                }
                let group = stack.last().copied();
                let repeat = stack
                    .iter()
                    .rev()
                    .copied()
                    .find(|&g| groups[g].kind == GroupKind::Repeat);
                let or_other = matches!(
                    kind,
                    QuestionKind::SelectOne { or_other: true, .. }
                        | QuestionKind::SelectMultiple { or_other: true, .. }
                        | QuestionKind::Rank { or_other: true, .. }
                );
                let list = kind.list().map(str::to_owned);
                let marked = survey.cell(cells, "sigida_pii").is_some_and(|v| {
                    matches!(
                        v.to_lowercase().as_str(),
                        "yes" | "true" | "1" | "oui" | "true()"
                    )
                });
                questions.push(Question {
                    personal: personal(&name, &kind, marked),
                    name: name.clone(),
                    row,
                    type_text: type_text.to_owned(),
                    kind,
                    label: survey.translations(cells, "label"),
                    hint: survey.translations(cells, "hint"),
                    required: survey.cell(cells, "required").map(str::to_owned),
                    required_message: survey.translations(cells, "required_message"),
                    relevant: survey.cell(cells, "relevant").map(str::to_owned),
                    constraint: survey.cell(cells, "constraint").map(str::to_owned),
                    constraint_message: survey.translations(cells, "constraint_message"),
                    calculation: survey.cell(cells, "calculation").map(str::to_owned),
                    choice_filter: survey.cell(cells, "choice_filter").map(str::to_owned),
                    default: survey.cell(cells, "default").map(str::to_owned),
                    appearance: survey.cell(cells, "appearance").map(str::to_owned),
                    parameters: survey.cell(cells, "parameters").map(str::to_owned),
                    read_only: survey.cell(cells, "read_only").map(str::to_owned),
                    media: survey.media(cells),
                    extra: survey.extra(cells, SURVEY_COLUMNS),
                    group,
                    repeat,
                    generated: false,
                });
                if or_other {
                    // As pyxform and Kobo do: an "other" option and a text question for it.
                    if let Some(list) = list {
                        lists_with_other.insert(list);
                    }
                    let mut other = generated_question(
                        format!("{name}_other"),
                        row,
                        QuestionKind::Text,
                        None,
                        group,
                        repeat,
                    );
                    other.label =
                        Translations::from([(String::new(), "Specify other.".to_owned())]);
                    other.relevant = Some(format!("selected(${{{name}}}, 'other')"));
                    questions.push(other);
                }
            }
        }
    }
    for open in stack {
        let g = &groups[open];
        problems.push(survey.problem(
            Severity::Error,
            Some(g.row),
            Some("type"),
            format!(
                "« {} » ouvert ici n'est jamais fermé (end_group / end_repeat manquant)",
                g.name
            ),
        ));
    }

    // Every select's list must exist (pyxform refuses the form otherwise).
    for q in &questions {
        let Some(list) = q.kind.list() else { continue };
        if choice_lists.iter().any(|l| l.name == list) {
            continue;
        }
        let message = if choices.is_none() {
            format!(
                "la question « {} » utilise la liste « {list} » mais le formulaire n'a pas de feuille « choices »",
                q.name
            )
        } else {
            format!(
                "la liste « {list} » de la question « {} » est absente de la feuille « choices »",
                q.name
            )
        };
        problems.push(survey.problem(Severity::Error, Some(q.row), Some("type"), message));
    }
    for g in &groups {
        if let Some(list) = &g.list
            && !choice_lists.iter().any(|l| &l.name == list)
        {
            problems.push(survey.problem(
                Severity::Error,
                Some(g.row),
                Some("type"),
                format!("la boucle « {} » parcourt la liste « {list} », absente de la feuille « choices »", g.name),
            ));
        }
    }
    for list in lists_with_other {
        if let Some(l) = choice_lists.iter_mut().find(|l| l.name == list)
            && !l.choices.iter().any(|c| c.name == "other")
        {
            let label = languages_or_default(&l.choices)
                .into_iter()
                .map(|lang| (lang, "Other".to_owned()))
                .collect();
            l.choices.push(Choice {
                name: "other".into(),
                row: 0,
                label,
                media: BTreeMap::new(),
                extra: BTreeMap::new(),
            });
        }
    }

    if problems.iter().any(|p| p.severity == Severity::Error) {
        problems.retain(|p| p.severity == Severity::Error);
        return Err(FormError { problems });
    }

    let settings_table = find_sheet(tables, "settings");
    let mut settings = BTreeMap::new();
    if let Some(table) = settings_table
        && let Some((_, cells)) = table.rows.first()
    {
        for (header, value) in table.headers.iter().zip(cells) {
            let key = header.trim().to_lowercase().replace(' ', "_");
            if !key.is_empty() && !value.trim().is_empty() {
                settings.insert(key, value.trim().to_owned());
            }
        }
    }
    let setting = |keys: &[&str]| keys.iter().find_map(|k| settings.get(*k).cloned());
    let mut form = Form {
        file: file.to_owned(),
        title: setting(&["form_title", "set_form_title"]),
        form_id: setting(&["form_id", "set_form_id", "id_string"]),
        version: setting(&["version"]),
        default_language: setting(&["default_language"]),
        languages,
        questions,
        groups,
        choice_lists,
        settings,
        warnings: problems,
    };
    check_expressions(&survey, &mut form);
    check_names(&survey, &mut form);
    Ok(form)
}

/// `${name}` and nothing else.
fn is_plain_reference(text: &str) -> bool {
    text.trim()
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        })
}

/// A question the form implies without a row of its own (`_other`, `_count`).
pub(crate) fn generated_question(
    name: String,
    row: usize,
    kind: QuestionKind,
    calculation: Option<String>,
    group: Option<usize>,
    repeat: Option<usize>,
) -> Question {
    Question {
        name,
        row,
        type_text: kind.type_name().to_owned(),
        kind,
        label: Translations::new(),
        hint: Translations::new(),
        required: None,
        required_message: Translations::new(),
        relevant: None,
        constraint: None,
        constraint_message: Translations::new(),
        calculation,
        choice_filter: None,
        default: None,
        appearance: None,
        parameters: None,
        read_only: None,
        media: BTreeMap::new(),
        extra: BTreeMap::new(),
        group,
        repeat,
        personal: None,
        generated: true,
    }
}

/// The languages the labels of a list use, or the column without language.
fn languages_or_default(choices: &[Choice]) -> Vec<String> {
    let mut langs: Vec<String> = choices
        .iter()
        .flat_map(|c| c.label.keys().cloned())
        .collect();
    langs.sort();
    langs.dedup();
    if langs.is_empty() {
        langs.push(String::new());
    }
    langs
}

fn read_choices(sheet: &Sheet<'_>, lists: &mut Vec<ChoiceList>, problems: &mut Vec<Problem>) {
    if !sheet.has("list_name") {
        problems.push(sheet.problem(
            Severity::Error,
            Some(1),
            Some("list_name"),
            "colonne « list_name » absente de la ligne d'en-têtes".into(),
        ));
        return;
    }
    for (row, cells) in rows_until_long_gap(&sheet.table.rows) {
        let row = &row;
        let Some(list) = sheet.cell(cells, "list_name") else {
            continue;
        };
        let Some(name) = sheet.cell(cells, "name") else {
            problems.push(sheet.problem(
                Severity::Warning,
                Some(*row),
                Some("name"),
                format!("option sans nom dans la liste « {list} » : ignorée"),
            ));
            continue;
        };
        let choice = Choice {
            name: name.to_owned(),
            row: *row,
            label: sheet.translations(cells, "label"),
            media: sheet.media(cells),
            extra: sheet.extra(cells, CHOICE_COLUMNS),
        };
        // `choices` and `external_choices` may both have a list of one name: they stay apart.
        match lists
            .iter_mut()
            .find(|l| l.name == list && l.sheet == sheet.name)
        {
            Some(existing) => {
                if existing.choices.iter().any(|c| c.name == choice.name) {
                    problems.push(sheet.problem(
                        Severity::Warning,
                        Some(*row),
                        Some("name"),
                        format!("option « {name} » en double dans la liste « {list} »"),
                    ));
                }
                existing.choices.push(choice);
            }
            None => lists.push(ChoiceList {
                name: list.to_owned(),
                choices: vec![choice],
                sheet: sheet.name.clone(),
            }),
        }
    }
}

/// Parses every expression and checks that each `${name}` names a question or group.
fn check_expressions(survey: &Sheet<'_>, form: &mut Form) {
    let known: HashSet<&str> = form
        .questions
        .iter()
        .map(|q| q.name.as_str())
        .chain(form.groups.iter().map(|g| g.name.as_str()))
        .collect();
    let mut warnings = Vec::new();
    let mut check = |row: usize, column: &str, text: &str| {
        // `required` and `read_only` are often plain yes/no.
        if matches!(column, "required" | "read_only")
            && matches!(
                text.to_lowercase().as_str(),
                "yes" | "no" | "true" | "false" | "true()" | "false()" | "oui" | "non"
            )
        {
            return;
        }
        if column == "repeat_count" && text.parse::<u32>().is_ok() {
            return;
        }
        match xpath::parse(text) {
            Err(e) => {
                let mut p = survey.problem(
                    Severity::Warning,
                    Some(row),
                    Some(column),
                    format!("expression illisible « {text} » : {}", e.message),
                );
                p.character = Some(e.position);
                warnings.push(p);
            }
            Ok(expr) => {
                for (name, at) in xpath::references(&expr) {
                    if !known.contains(name) {
                        let mut p = survey.problem(
                            Severity::Warning,
                            Some(row),
                            Some(column),
                            format!("${{{name}}} ne désigne aucune question du formulaire"),
                        );
                        p.character = Some(at);
                        warnings.push(p);
                    }
                }
            }
        }
    };
    for q in form.questions.iter().filter(|q| !q.generated) {
        for (column, value) in [
            ("relevant", &q.relevant),
            ("constraint", &q.constraint),
            ("calculation", &q.calculation),
            ("choice_filter", &q.choice_filter),
            ("required", &q.required),
            ("read_only", &q.read_only),
        ] {
            if let Some(text) = value {
                check(q.row, column, text);
            }
        }
    }
    for g in &form.groups {
        for (column, value) in [("relevant", &g.relevant), ("repeat_count", &g.repeat_count)] {
            if let Some(text) = value {
                check(g.row, column, text);
            }
        }
    }
    form.warnings.extend(warnings);
}

/// Two questions with one name cannot both be columns of an export.
fn check_names(survey: &Sheet<'_>, form: &mut Form) {
    let mut first_row: HashMap<&str, usize> = HashMap::new();
    let mut warnings = Vec::new();
    for q in &form.questions {
        if let Some(first) = first_row.insert(&q.name, q.row) {
            warnings.push(survey.problem(
                Severity::Warning,
                Some(q.row),
                Some("name"),
                format!("nom « {} » déjà utilisé ligne {first} : les colonnes de l'export se confondront", q.name),
            ));
        }
    }
    form.warnings.extend(warnings);
}

/// Words that make a question name personal, unless a place or thing qualifies them.
const PERSONAL_WORDS: &[&str] = &[
    "name",
    "nom",
    "prenom",
    "prénom",
    "surname",
    "firstname",
    "lastname",
    "phone",
    "telephone",
    "téléphone",
    "tel",
    "mobile",
    "contact",
    "address",
    "adresse",
    "email",
    "courriel",
    "passport",
    "passeport",
    "nin",
    "cni",
    "idcard",
    "signature",
    "gps",
    "coordinates",
    "coordonnees",
    "birthdate",
    "dob",
];
const NOT_PERSONAL_QUALIFIERS: &[&str] = &[
    "village",
    "locality",
    "localite",
    "community",
    "site",
    "school",
    "ecole",
    "org",
    "organisation",
    "organization",
    "facility",
    "district",
    "commune",
    "cercle",
    "region",
    "camp",
    "market",
    "item",
    "product",
    "group",
    "list",
    "enumerator",
    "enum",
    "team",
    "partner",
    "agency",
    "country",
    "pays",
    "city",
    "ville",
    "settlement",
    "province",
    "governorate",
];

fn personal(name: &str, kind: &QuestionKind, marked: bool) -> Option<Personal> {
    if marked {
        return Some(Personal::Marked);
    }
    let personal_type = matches!(
        kind,
        QuestionKind::GeoPoint
            | QuestionKind::GeoTrace
            | QuestionKind::GeoShape
            | QuestionKind::Photo
            | QuestionKind::Audio
            | QuestionKind::Video
    ) || matches!(kind, QuestionKind::Metadata { name } if matches!(name.as_str(),
        "deviceid" | "subscriberid" | "simserial" | "phonenumber" | "username" | "email" | "start-geopoint" | "background-audio" | "background-geopoint"));
    if personal_type {
        return Some(Personal::Type);
    }
    // Only answers typed in can hold a name or a number; a select or a calculation cannot.
    let typed_in = matches!(
        kind,
        QuestionKind::Text
            | QuestionKind::Integer
            | QuestionKind::Decimal
            | QuestionKind::Barcode
            | QuestionKind::Hidden
    );
    if !typed_in {
        return None;
    }
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NOT_PERSONAL_QUALIFIERS.contains(w)) {
        return None;
    }
    words
        .iter()
        .find(|w| PERSONAL_WORDS.contains(w))
        .map(|w| Personal::Name {
            word: (*w).to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(sheet: &str, rows: &[&[&str]]) -> Table {
        Table::sheet("test.xlsx", sheet, rows)
    }

    #[test]
    fn rank_or_other_keeps_its_other_question() {
        let form = read_sheets(
            "test.xlsx",
            &[
                table(
                    "survey",
                    &[
                        &["type", "name", "label"],
                        &["rank besoins or_other", "priorites", "Priorités"],
                    ],
                ),
                table(
                    "choices",
                    &[
                        &["list_name", "name", "label"],
                        &["besoins", "eau", "Eau"],
                        &["besoins", "sante", "Santé"],
                    ],
                ),
            ],
        )
        .unwrap();
        let other = form.question("priorites_other").unwrap();
        assert_eq!(other.kind, QuestionKind::Text);
        assert_eq!(
            other.relevant.as_deref(),
            Some("selected(${priorites}, 'other')")
        );
        assert_eq!(form.list("besoins").unwrap().choices.len(), 3);
    }

    #[test]
    fn headers_in_every_spelling() {
        let n = |h: &str| normalise_header(h).unwrap();
        assert_eq!(
            n("label::French (fr)"),
            ("label".into(), Some("French (fr)".into()))
        );
        assert_eq!(n("label:English"), ("label".into(), Some("English".into())));
        assert_eq!(n("LABEL::EN"), ("label".into(), Some("EN".into())));
        assert_eq!(n("bind::relevant"), ("relevant".into(), None));
        assert_eq!(
            n("bind:jr:constraintMsg"),
            ("constraint_message".into(), None)
        );
        assert_eq!(
            n("constraint message::Arabic (ar)"),
            ("constraint_message".into(), Some("Arabic (ar)".into()))
        );
        assert_eq!(n("list name"), ("list_name".into(), None));
        assert_eq!(n("relevance"), ("relevant".into(), None));
        assert_eq!(n("control::jr:count"), ("repeat_count".into(), None));
        assert_eq!(
            n("media::image::French"),
            ("image".into(), Some("French".into()))
        );
        assert_eq!(normalise_header("  "), None);
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    #[test]
    fn a_small_bilingual_form_reads_whole() {
        let survey = table(
            "survey",
            &[
                &[
                    "type",
                    "name",
                    "label::Français (fr)",
                    "label::English (en)",
                    "relevant",
                    "constraint",
                    "sigida_pii",
                    "reach_tag",
                ],
                &[
                    "begin_group",
                    "menage",
                    "Ménage",
                    "Household",
                    "",
                    "",
                    "",
                    "",
                ],
                &["text", "resp_name", "Nom", "Name", "", "", "", ""],
                &[
                    "integer",
                    "age",
                    "Âge",
                    "Age",
                    "",
                    ". >= 18 and . < 120",
                    "",
                    "demo",
                ],
                &[
                    "select_one sexe or_other",
                    "sexe",
                    "Sexe",
                    "Sex",
                    "${age} >= 18",
                    "",
                    "",
                    "",
                ],
                &[
                    "begin_repeat",
                    "membres",
                    "Membres",
                    "Members",
                    "",
                    "",
                    "",
                    "",
                ],
                &["text", "surnom", "Surnom", "Nickname", "", "", "yes", ""],
                &[
                    "select_multiple besoins",
                    "besoins",
                    "Besoins",
                    "Needs",
                    "${nope} = 1",
                    "",
                    "",
                    "",
                ],
                &["end_repeat", "", "", "", "", "", "", ""],
                &["geopoint", "lieu", "Lieu", "Place", "", "", "", ""],
                &["text", "village_name", "Village", "Village", "", "", "", ""],
                &["end_group", "", "", "", "", "", "", ""],
            ],
        );
        let choices = table(
            "choices",
            &[
                &[
                    "list_name",
                    "name",
                    "label::Français (fr)",
                    "label::English (en)",
                ],
                &["sexe", "f", "Femme", "Female"],
                &["sexe", "m", "Homme", "Male"],
                &["besoins", "eau", "Eau", "Water"],
                &["besoins", "sante", "Santé", "Health"],
            ],
        );
        let settings = table(
            "settings",
            &[
                &["form_title", "form_id", "version", "default_language"],
                &["Ménage", "menage_v1", "2026-01", "Français (fr)"],
            ],
        );
        let form = read_sheets("test.xlsx", &[survey, choices, settings]).unwrap();
        assert_eq!(form.languages, ["Français (fr)", "English (en)"]);
        assert_eq!(form.default_language.as_deref(), Some("Français (fr)"));
        let names: Vec<&str> = form.questions.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "resp_name",
                "age",
                "sexe",
                "sexe_other",
                "surnom",
                "besoins",
                "lieu",
                "village_name"
            ]
        );
        assert_eq!(form.groups.len(), 2);
        let besoins = form.question("besoins").unwrap();
        assert_eq!(besoins.repeat, Some(1));
        assert_eq!(form.path(besoins), "menage/membres/besoins");
        assert_eq!(
            form.list("sexe").unwrap().choices.len(),
            3,
            "or_other adds an 'other' option"
        );
        assert_eq!(
            form.question("age")
                .unwrap()
                .extra
                .get("reach_tag")
                .map(String::as_str),
            Some("demo")
        );
        assert_eq!(
            form.text(&form.question("age").unwrap().label, "en"),
            Some("Age")
        );
        assert_eq!(
            form.text(&form.question("age").unwrap().label, "bm"),
            Some("Âge"),
            "falls back to the default language"
        );
        // Personal data: by mark, by name, by type; not a village's name.
        assert_eq!(
            form.question("surnom").unwrap().personal,
            Some(Personal::Marked)
        );
        assert_eq!(
            form.question("resp_name").unwrap().personal,
            Some(Personal::Name {
                word: "name".into()
            })
        );
        assert_eq!(
            form.question("lieu").unwrap().personal,
            Some(Personal::Type)
        );
        assert_eq!(form.question("village_name").unwrap().personal, None);
        // The reference to no question is a warning pointing at its character.
        let w = form
            .warnings
            .iter()
            .find(|w| w.message.contains("${nope}"))
            .unwrap();
        assert_eq!(
            (w.row, w.column.as_deref(), w.character),
            (Some(8), Some("relevant"), Some(1))
        );
    }

    #[test]
    fn fatal_problems_name_sheet_row_and_column() {
        let survey = table(
            "survey",
            &[
                &["type", "name", "label", "calculation", "label"],
                &["calculate", "total", "", "", ""],
                &["begin_group", "", "G", "", ""],
                &["select_one absente", "q", "Q", "", ""],
                &["frobnicate", "x", "X", "", ""],
            ],
        );
        let err = read_sheets(
            "bad.xlsx",
            &[
                survey,
                table("choices", &[&["list_name", "name"], &["autre", "a"]]),
            ],
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("colonne « label » (E)") && text.contains("en-tête en double"),
            "{text}"
        );
        assert!(
            text.contains("ligne 2, colonne « calculation » (D)"),
            "{text}"
        );
        assert!(
            text.contains("ligne 3, colonne « name » (B) : groupe sans nom"),
            "{text}"
        );
        assert!(
            text.contains("ligne 4") && text.contains("« absente »"),
            "{text}"
        );
        assert!(
            text.contains("ligne 5") && text.contains("type inconnu « frobnicate »"),
            "{text}"
        );
        assert!(text.contains("jamais fermé"), "{text}");
    }

    #[test]
    fn expression_warnings_carry_the_character() {
        let survey = table(
            "survey",
            &[&["type", "name", "constraint"], &["integer", "n", ". > "]],
        );
        let form = read_sheets("f.xlsx", &[survey]).unwrap();
        let w = &form.warnings[0];
        assert_eq!((w.row, w.character), (Some(2), Some(4)));
        assert!(
            w.to_string()
                .contains("colonne « constraint » (C), caractère 4"),
            "{w}"
        );
    }
}
