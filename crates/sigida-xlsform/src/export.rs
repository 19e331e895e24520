//! Kobo and ODK exports read against their form: which column is which question, and whether
//! each value is what the form allows.
//!
//! Column names are recognised as the tools and R write them: bare names or group paths
//! (`group/question`), select_multiple split columns (`q/option`, `q.option` after R),
//! GPS parts (`_gps_latitude`), Kobo's metadata (`_uuid`, `_submission_time`, `_index`,
//! `_parent_index`, `__version__`…), R's mangling (`X_uuid`, `X.U.FEFF.start`), flattened
//! repeats (`children[1]/childs_age`), and question labels in any language of the form.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sigida_formats::parse_exported_number;

use crate::form::{Form, QuestionKind};
use crate::xpath::{self, Context, Value};

/// Kobo/ODK columns that are not questions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Meta {
    Uuid,
    InstanceId,
    SubmissionTime,
    Index,
    ParentIndex,
    ParentTableName,
    /// A repeat row's submission (`_submission__uuid`).
    SubmissionUuid,
    ValidationStatus,
    Version,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoPart {
    Latitude,
    Longitude,
    Altitude,
    Precision,
}

/// What a column of an export holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum ColumnRole {
    /// The answer to a question (index in `Form::questions`).
    Question {
        question: usize,
    },
    /// One option of a select_multiple, as 0/1.
    Option {
        question: usize,
        option: String,
    },
    /// One part of a geopoint.
    Geo {
        question: usize,
        part: GeoPart,
    },
    /// A question of a repeat flattened into the main sheet (`children[2]/childs_age`).
    FlattenedRepeat {
        question: usize,
        instance: usize,
    },
    /// The download address of a media answer (`photo_URL`, Kobo's "include media URLs"):
    /// as personal as the answer itself.
    Attachment {
        question: usize,
    },
    Meta {
        meta: Meta,
    },
    /// A column the form does not know (kept raw, not checked).
    Unknown,
}

/// The header as the tools mean it: R's mangling undone.
pub fn unmangle_header(header: &str) -> String {
    let mut h = header.trim().trim_start_matches('\u{feff}').to_owned();
    // R writes a byte-order mark it did not strip as `X.U.FEFF.`, and prefixes `X` to names
    // starting with `_` or a digit.
    if let Some(rest) = h
        .strip_prefix("X.U.FEFF.")
        .or_else(|| h.strip_prefix("ï.."))
    {
        h = rest.to_owned();
    }
    if h.starts_with("X_")
        || (h.starts_with('X') && h[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        h.remove(0);
    }
    h
}

/// The metadata field a column holds, as Kobo, ODK Central, Briefcase and Aggregate name them.
pub fn meta_of(name: &str) -> Option<Meta> {
    if name.starts_with("SET-OF-") {
        // ODK's link from a submission to its repeat's file.
        return Some(Meta::Other);
    }
    Some(match name {
        "_uuid" | "uuid" | "KEY" => Meta::Uuid,
        "meta/instanceID" | "instanceID" | "meta.instanceID" | "meta-instanceID" => {
            Meta::InstanceId
        }
        "_submission__uuid" => Meta::SubmissionUuid,
        "_submission_time" | "SubmissionDate" => Meta::SubmissionTime,
        "_index" | "index" => Meta::Index,
        "_parent_index" | "PARENT_KEY" => Meta::ParentIndex,
        "_parent_table_name" => Meta::ParentTableName,
        "_validation_status" | "ReviewState" => Meta::ValidationStatus,
        "__version__" | "_version" | "_version_" | "meta/deprecatedID" => Meta::Version,
        "_id"
        | "_tags"
        | "_notes"
        | "_status"
        | "_submitted_by"
        | "_xform_id_string"
        | "_attachments"
        | "_geolocation"
        | "_duration"
        | "_media_count"
        | "_total_media"
        | "_media_all_received"
        | "row_id"
        | "SubmitterID"
        | "SubmitterName"
        | "AttachmentsPresent"
        | "AttachmentsExpected"
        | "Status"
        | "DeviceID"
        | "Edits"
        | "FormVersion"
        | "meta/instanceName"
        | "meta-instanceName"
        | "meta-deprecatedID"
        | "meta-audit"
        | "instanceName"
        | "ReviewComment" => Meta::Other,
        _ => return None,
    })
}

/// The columns that identify a submission: `_uuid` (or ODK's `KEY`), else the instanceID
/// when `_uuid` is blank. The import, the checks and the clean data find submissions through
/// it, so they agree on which row is which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubmissionId {
    pub uuid: Option<usize>,
    pub instance: Option<usize>,
}

impl SubmissionId {
    /// From a sheet's headers; `None` when it has neither column.
    pub fn find(headers: &[String]) -> Option<Self> {
        let column = |meta: Meta| {
            headers
                .iter()
                .position(|h| meta_of(&unmangle_header(h)) == Some(meta))
        };
        let id = SubmissionId {
            uuid: column(Meta::Uuid),
            instance: column(Meta::InstanceId),
        };
        (id.uuid.is_some() || id.instance.is_some()).then_some(id)
    }

    /// The submission's id in a row, without `uuid:`; `None` when blank.
    pub fn of<'c, S: AsRef<str>>(&self, cells: &'c [S]) -> Option<&'c str> {
        let cell = |c: Option<usize>| {
            c.and_then(|c| cells.get(c))
                .map(|v| {
                    let v = v.as_ref().trim();
                    v.strip_prefix("uuid:").unwrap_or(v).trim()
                })
                .filter(|v| !v.is_empty())
        };
        cell(self.uuid).or_else(|| cell(self.instance))
    }

    /// The column a person should fill, for messages.
    pub fn column(&self) -> Option<usize> {
        self.uuid.or(self.instance)
    }
}

/// Maps every header of a sheet to its role. `repeat` is the repeat the sheet holds (`None`
/// for the main sheet): its questions are looked for first.
pub fn map_columns(form: &Form, headers: &[String], repeat: Option<usize>) -> Vec<ColumnRole> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    // Questions of this sheet's level win over homonyms elsewhere.
    for (i, q) in form.questions.iter().enumerate().rev() {
        if q.repeat == repeat || !by_name.contains_key(q.name.as_str()) {
            by_name.insert(&q.name, i);
        }
    }
    let by_label: HashMap<&str, usize> = form
        .questions
        .iter()
        .enumerate()
        .flat_map(|(i, q)| q.label.values().map(move |l| (l.as_str(), i)))
        .collect();
    headers
        .iter()
        .map(|header| role_of(form, &by_name, &by_label, header))
        .collect()
}

fn role_of(
    form: &Form,
    by_name: &HashMap<&str, usize>,
    by_label: &HashMap<&str, usize>,
    header: &str,
) -> ColumnRole {
    let name = unmangle_header(header);
    if let Some(meta) = meta_of(&name) {
        return ColumnRole::Meta { meta };
    }
    let question = |n: &str| by_name.get(n).copied();
    // A flattened repeat: `kids/kids_details[2]/kids_name`.
    if name.contains('[') {
        let last = name.rsplit('/').next().unwrap_or(&name);
        let instance = name
            .rsplit('/')
            .nth(1)
            .and_then(|seg| seg.split_once('['))
            .and_then(|(_, n)| n.trim_end_matches(']').parse::<usize>().ok());
        if let (Some(q), Some(instance)) = (question(last), instance) {
            return ColumnRole::FlattenedRepeat {
                question: q,
                instance,
            };
        }
    }
    // Kobo joins groups with `/` (or `.` after R), ODK Central, Briefcase and Aggregate with `-`.
    for separator in ['/', '.', '-', ':', '|'] {
        let segments: Vec<&str> = name.split(separator).collect();
        let last = segments[segments.len() - 1];
        if let Some(q) = question(last) {
            return ColumnRole::Question { question: q };
        }
        // ODK's geopoint parts: `gps-Latitude`, `gps-Longitude`, `gps-Altitude`, `gps-Accuracy`.
        if segments.len() >= 2
            && let Some(q) = question(segments[segments.len() - 2])
            && form.questions[q].kind == QuestionKind::GeoPoint
        {
            let part = match last {
                "Latitude" => Some(GeoPart::Latitude),
                "Longitude" => Some(GeoPart::Longitude),
                "Altitude" => Some(GeoPart::Altitude),
                "Accuracy" => Some(GeoPart::Precision),
                _ => None,
            };
            if let Some(part) = part {
                return ColumnRole::Geo { question: q, part };
            }
        }
        if let Some(q) = last
            .strip_suffix("_URL")
            .or_else(|| last.strip_suffix("_url"))
            .and_then(question)
            && matches!(
                form.questions[q].kind,
                QuestionKind::Photo
                    | QuestionKind::Audio
                    | QuestionKind::Video
                    | QuestionKind::File
            )
        {
            return ColumnRole::Attachment { question: q };
        }
        // `_gps_latitude`, `group/_gps_longitude`
        if let Some(rest) = last.strip_prefix('_') {
            for (suffix, part) in [
                ("_latitude", GeoPart::Latitude),
                ("_longitude", GeoPart::Longitude),
                ("_altitude", GeoPart::Altitude),
                ("_precision", GeoPart::Precision),
            ] {
                if let Some(q) = rest.strip_suffix(suffix).and_then(question)
                    && form.questions[q].kind == QuestionKind::GeoPoint
                {
                    return ColumnRole::Geo { question: q, part };
                }
            }
        }
        if segments.len() >= 2
            && let Some(q) = question(segments[segments.len() - 2])
            && matches!(form.questions[q].kind, QuestionKind::SelectMultiple { .. })
        {
            return ColumnRole::Option {
                question: q,
                option: last.to_owned(),
            };
        }
    }
    // R turns `q/option` into `q.option`, but also `-` and spaces into `.`: try the options
    // of every select_multiple whose name prefixes the header.
    for (i, q) in form.questions.iter().enumerate() {
        if let QuestionKind::SelectMultiple { list, .. } = &q.kind
            && let Some(rest) = name
                .strip_prefix(q.name.as_str())
                .and_then(|r| r.strip_prefix('.'))
            && let Some(choice) = form.list(list).and_then(|l| {
                l.choices
                    .iter()
                    .find(|c| c.name == rest || c.name.replace(['-', ' ', '/'], ".") == rest)
            })
        {
            return ColumnRole::Option {
                question: i,
                option: choice.name.clone(),
            };
        }
    }
    label_role(form, by_label, header.trim()).unwrap_or(ColumnRole::Unknown)
}

/// A header written with labels (Kobo's "labels" headers, in any language of the form):
/// `Question`, `Groupe/Question`, and for a select_multiple's split columns
/// `Question/Option`.
fn label_role(form: &Form, by_label: &HashMap<&str, usize>, header: &str) -> Option<ColumnRole> {
    if let Some(&q) = by_label.get(header) {
        return Some(ColumnRole::Question { question: q });
    }
    for separator in ['/', '.', '-', ':', '|'] {
        let segments: Vec<&str> = header.split(separator).map(str::trim).collect();
        let n = segments.len();
        if n < 2 {
            continue;
        }
        if let Some(&q) = by_label.get(segments[n - 1]) {
            return Some(ColumnRole::Question { question: q });
        }
        if let Some(&q) = by_label.get(segments[n - 2])
            && let QuestionKind::SelectMultiple { list, .. } = &form.questions[q].kind
            && let Some(choice) = form.list(list).and_then(|l| {
                l.choices.iter().find(|c| {
                    c.label
                        .values()
                        .any(|label| label.trim() == segments[n - 1])
                })
            })
        {
            return Some(ColumnRole::Option {
                question: q,
                option: choice.name.clone(),
            });
        }
    }
    None
}

/// One value that is not what the form allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueProblem {
    /// Row in the file as a spreadsheet counts it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

/// Checks the values of one sheet's rows against the form.
pub struct Checker<'f> {
    form: &'f Form,
    headers: Vec<String>,
    roles: Vec<ColumnRole>,
    /// Question name → its column, for `${name}` in constraints.
    columns_by_question: HashMap<&'f str, usize>,
    /// The names of calculations.
    calculated: HashSet<&'f str>,
    constraints: HashMap<usize, Option<xpath::Expr>>,
    options: HashMap<usize, Vec<&'f str>>,
    /// The form logic of each question with a column: relevance and required answers.
    logic: Vec<Logic>,
    /// When the check runs, as days since 1970-01-01: `today()` in constraints.
    now_days: f64,
}

/// What the form says of when a question is asked and must be answered.
struct Logic {
    column: usize,
    /// The question's own `relevant` and those of the groups around it, all to hold.
    relevant: Vec<(String, xpath::Expr)>,
    required: Option<Required>,
}

enum Required {
    Always,
    When(xpath::Expr),
}

/// The start of a problem about relevance: an answer where the question was not asked.
pub const NOT_RELEVANT: &str = "réponse à une question qui n'était pas posée";
/// The start of a problem about a required answer left empty where the question was asked.
pub const REQUIRED_MISSING: &str = "réponse obligatoire manquante";

/// A problem of form logic (relevance, required): it depends on the other answers, so it is
/// checked again on the clean data rather than kept from the import.
pub fn is_logic_problem(message: &str) -> bool {
    message.starts_with(NOT_RELEVANT) || message.starts_with(REQUIRED_MISSING)
}

fn logic_of(form: &Form, question: &crate::form::Question, column: usize) -> Option<Logic> {
    if matches!(
        question.kind,
        QuestionKind::Note
            | QuestionKind::Calculate
            | QuestionKind::Hidden
            | QuestionKind::Metadata { .. }
    ) {
        return None;
    }
    let mut relevant = Vec::new();
    let mut text = question.relevant.clone();
    let mut group = question.group;
    loop {
        if let Some(t) = text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            // An expression Sigida cannot read says nothing about the answers.
            let expr = xpath::parse(t).ok()?;
            relevant.push((t.to_owned(), expr));
        }
        let Some(g) = group else { break };
        text = form.groups[g].relevant.clone();
        group = form.groups[g].parent;
    }
    let required = match question.required.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r)
            if matches!(
                r.to_lowercase().as_str(),
                "yes" | "true" | "true()" | "1" | "oui"
            ) =>
        {
            Some(Required::Always)
        }
        Some(r)
            if matches!(
                r.to_lowercase().as_str(),
                "no" | "false" | "false()" | "0" | "non"
            ) =>
        {
            None
        }
        Some(r) => xpath::parse(r).ok().map(Required::When),
    };
    (!relevant.is_empty() || required.is_some()).then_some(Logic {
        column,
        relevant,
        required,
    })
}

struct RowContext<'a> {
    cells: &'a [&'a str],
    columns: &'a HashMap<&'a str, usize>,
    calculated: &'a HashSet<&'a str>,
    current: &'a str,
    now_days: f64,
}

impl Context for RowContext<'_> {
    fn reference(&self, name: &str) -> Option<Value> {
        let column = *self.columns.get(name)?;
        let value = self.cells.get(column).copied().unwrap_or("");
        // A calculation always has a value where its inputs do: a blank one was not exported
        // (or was emptied), and what depends on it cannot be told.
        if value.trim().is_empty() && self.calculated.contains(name) {
            return None;
        }
        Some(Value::Text(value.to_owned()))
    }
    fn current(&self) -> Value {
        Value::Text(self.current.to_owned())
    }
    fn now_days(&self) -> f64 {
        self.now_days
    }
}

impl<'f> Checker<'f> {
    /// `now_days`: the moment of the check, as days since 1970-01-01 (for `today()`).
    pub fn new(form: &'f Form, headers: &[String], roles: Vec<ColumnRole>, now_days: f64) -> Self {
        let mut columns_by_question = HashMap::new();
        let mut constraints = HashMap::new();
        let mut options = HashMap::new();
        let mut logic = Vec::new();
        for (column, role) in roles.iter().enumerate() {
            if let ColumnRole::Question { question } = role {
                let q = &form.questions[*question];
                if !columns_by_question.contains_key(q.name.as_str()) {
                    logic.extend(logic_of(form, q, column));
                }
                columns_by_question.entry(q.name.as_str()).or_insert(column);
                if let Some(c) = &q.constraint {
                    constraints.insert(*question, xpath::parse(c).ok());
                }
                if let Some(list) = q.kind.list().and_then(|l| form.list(l)) {
                    options.insert(
                        *question,
                        list.choices.iter().map(|c| c.name.as_str()).collect(),
                    );
                }
            }
        }
        Self {
            form,
            headers: headers.to_vec(),
            roles,
            columns_by_question,
            constraints,
            options,
            logic,
            calculated: form
                .questions
                .iter()
                .filter(|q| q.kind == QuestionKind::Calculate)
                .map(|q| q.name.as_str())
                .collect(),
            now_days,
        }
    }

    pub fn roles(&self) -> &[ColumnRole] {
        &self.roles
    }

    /// The column of a metadata field, if the sheet has it.
    pub fn meta_column(&self, meta: Meta) -> Option<usize> {
        self.roles
            .iter()
            .position(|r| *r == ColumnRole::Meta { meta })
    }

    /// How many of the data-bearing questions at the sheet's level (the repeat it holds, or
    /// outside every repeat) this sheet has a column for.
    pub fn coverage(&self, repeat: Option<usize>) -> (usize, usize) {
        let data_questions: Vec<usize> = self
            .form
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| {
                !matches!(q.kind, QuestionKind::Note) && !q.generated && q.repeat == repeat
            })
            .map(|(i, _)| i)
            .collect();
        let found = data_questions
            .iter()
            .filter(|&&i| {
                self.roles.iter().any(|r| match r {
                    ColumnRole::Question { question }
                    | ColumnRole::Option { question, .. }
                    | ColumnRole::Geo { question, .. }
                    | ColumnRole::FlattenedRepeat { question, .. } => *question == i,
                    _ => false,
                })
            })
            .count();
        (found, data_questions.len())
    }

    /// Every problem of one row (`row` as the file counts it).
    pub fn check_row(&self, row: usize, cells: &[&str], problems: &mut Vec<ValueProblem>) {
        for (column, role) in self.roles.iter().enumerate() {
            let value = cells.get(column).copied().unwrap_or("").trim();
            if is_missing(value) {
                continue;
            }
            let problem = match role {
                ColumnRole::Question { question }
                | ColumnRole::FlattenedRepeat { question, .. } => {
                    self.check_value(*question, value, cells)
                }
                ColumnRole::Option { .. } => (!matches!(
                    value,
                    "0" | "1" | "True" | "False" | "true" | "false" | "TRUE" | "FALSE"
                ))
                .then(|| "attendu 0 ou 1 (option cochée ou non)".to_owned()),
                ColumnRole::Geo { part, .. } => check_geo_part(*part, value),
                ColumnRole::Attachment { .. } | ColumnRole::Meta { .. } | ColumnRole::Unknown => {
                    None
                }
            };
            if let Some(message) = problem {
                problems.push(ValueProblem {
                    row,
                    column: self.headers[column].clone(),
                    value: value.to_owned(),
                    message,
                });
            }
        }
        self.check_logic(row, cells, problems);
    }

    /// Relevance and required answers, as REACH's logical checks list them: an answer to a
    /// question that was not asked (its `relevant`, or one of its groups', is false with the
    /// row's other answers), and a required answer missing where the question was asked. An
    /// expression that cannot be evaluated offline (a column the export lacks, `pulldata`)
    /// says nothing.
    pub fn check_logic(&self, row: usize, cells: &[&str], problems: &mut Vec<ValueProblem>) {
        for logic in &self.logic {
            let value = cells.get(logic.column).copied().unwrap_or("").trim();
            let answered = !is_missing(value);
            if !answered && logic.required.is_none() {
                continue;
            }
            let context = RowContext {
                cells,
                columns: &self.columns_by_question,
                calculated: &self.calculated,
                current: value,
                now_days: self.now_days,
            };
            let holds =
                |expr: &xpath::Expr| xpath::evaluate(expr, &context).map(|v| v.to_bool()).ok();
            let mut asked = Some(true);
            let mut failed = None;
            for (text, expr) in &logic.relevant {
                match holds(expr) {
                    Some(true) => {}
                    Some(false) => {
                        asked = Some(false);
                        failed = Some(text);
                        break;
                    }
                    None => asked = None,
                }
            }
            let message = match (answered, asked) {
                (true, Some(false)) => format!(
                    "{NOT_RELEVANT} (relevant : {})",
                    failed.map(String::as_str).unwrap_or("")
                ),
                (false, Some(true)) => match &logic.required {
                    Some(Required::Always) => REQUIRED_MISSING.to_owned(),
                    Some(Required::When(expr)) if holds(expr) == Some(true) => {
                        REQUIRED_MISSING.to_owned()
                    }
                    _ => continue,
                },
                _ => continue,
            };
            problems.push(ValueProblem {
                row,
                column: self.headers[logic.column].clone(),
                value: value.to_owned(),
                message,
            });
        }
    }

    fn check_value(&self, question: usize, value: &str, cells: &[&str]) -> Option<String> {
        let q = &self.form.questions[question];
        let type_problem = match &q.kind {
            QuestionKind::Integer => {
                (!is_integer(value)).then(|| "attendu un nombre entier".to_owned())
            }
            QuestionKind::Decimal | QuestionKind::Range => parse_exported_number(value)
                .is_none()
                .then(|| "attendu un nombre".to_owned()),
            QuestionKind::Date => {
                (!is_date(value)).then(|| "attendu une date AAAA-MM-JJ".to_owned())
            }
            QuestionKind::DateTime => (xpath::iso_to_days(value).is_none())
                .then(|| "attendu une date et heure ISO 8601 (AAAA-MM-JJTHH:MM:SS)".to_owned()),
            QuestionKind::Metadata { name } if matches!(name.as_str(), "start" | "end") => {
                (xpath::iso_to_days(value).is_none())
                    .then(|| "attendu une date et heure ISO 8601".to_owned())
            }
            QuestionKind::Time => {
                (!is_time(value)).then(|| "attendu une heure HH:MM:SS".to_owned())
            }
            QuestionKind::GeoPoint => check_geopoint(value),
            QuestionKind::SelectOne { .. } => self.options.get(&question).and_then(|options| {
                (!options.contains(&value)).then(|| {
                    format!(
                        "« {value} » n'est pas une option de la liste « {} »",
                        q.kind.list().unwrap_or("")
                    )
                })
            }),
            QuestionKind::SelectMultiple { .. } => {
                self.options.get(&question).and_then(|options| {
                    value
                        .split_whitespace()
                        .find(|v| !options.contains(v))
                        .map(|v| {
                            format!(
                                "« {v} » n'est pas une option de la liste « {} »",
                                q.kind.list().unwrap_or("")
                            )
                        })
                })
            }
            _ => None,
        };
        if type_problem.is_some() {
            return type_problem;
        }
        let constraint = self.constraints.get(&question)?.as_ref()?;
        // R writes 500000 as `5e+05`; the constraint sees the number.
        let number_text;
        let current = match (&q.kind, parse_exported_number(value)) {
            (QuestionKind::Integer | QuestionKind::Decimal | QuestionKind::Range, Some(n)) => {
                number_text = xpath::number_to_text(n);
                number_text.as_str()
            }
            _ => value,
        };
        let context = RowContext {
            cells,
            columns: &self.columns_by_question,
            calculated: &self.calculated,
            current,
            now_days: self.now_days,
        };
        match xpath::evaluate(constraint, &context) {
            Ok(result) if result.to_bool() => None,
            Ok(_) => Some(format!(
                "contrainte non respectée : {}{}",
                q.constraint.as_deref().unwrap_or(""),
                self.form
                    .text(&q.constraint_message, "fr")
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            )),
            // A constraint that cannot be evaluated offline (a missing column, pulldata…)
            // says nothing about the value.
            Err(_) => None,
        }
    }
}

/// A missing answer: empty (Kobo, ODK), `n/a` (older KoboCAT exports), `NA` (files through R).
pub fn is_missing(value: &str) -> bool {
    matches!(value.trim(), "" | "n/a" | "NA")
}

fn is_integer(text: &str) -> bool {
    parse_exported_number(text).is_some_and(|n| n.fract() == 0.0)
}

fn is_date(text: &str) -> bool {
    text.len() >= 10
        && xpath::iso_to_days(&text[..10]).is_some()
        && (text.len() == 10 || xpath::iso_to_days(text).is_some())
}

fn is_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 5
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2] == b':'
        && b[3..5].iter().all(u8::is_ascii_digit)
        && text[0..2].parse::<u8>().is_ok_and(|h| h < 24)
        && text[3..5].parse::<u8>().is_ok_and(|m| m < 60)
}

fn check_geopoint(value: &str) -> Option<String> {
    let parts: Vec<f64> = value
        .split_whitespace()
        .filter_map(parse_exported_number)
        .collect();
    if parts.len() < 2 || parts.len() != value.split_whitespace().count() || parts.len() > 4 {
        return Some("attendu « latitude longitude [altitude [précision]] »".into());
    }
    if !(-90.0..=90.0).contains(&parts[0]) || !(-180.0..=180.0).contains(&parts[1]) {
        return Some("coordonnées hors du globe".into());
    }
    None
}

fn check_geo_part(part: GeoPart, value: &str) -> Option<String> {
    let n = parse_exported_number(value)?;
    let ok = match part {
        GeoPart::Latitude => (-90.0..=90.0).contains(&n),
        GeoPart::Longitude => (-180.0..=180.0).contains(&n),
        GeoPart::Altitude | GeoPart::Precision => true,
    };
    (!ok).then(|| "coordonnée hors du globe".into())
}

/// Problems summed by column, for a report that stays short on a million rows.
pub fn count_by_column(problems: &[ValueProblem]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for p in problems {
        *counts.entry(p.column.clone()).or_insert(0) += 1;
    }
    counts
}

/// HXL hashtags for the columns of a data table: the form's own `hxl` column where it has
/// one, otherwise a tag made from the question's name (`#indicator+q_so_01`), metadata and
/// coordinates as HXL names them.
pub fn hxl_tags(form: &Form, headers: &[String]) -> Vec<String> {
    let attribute = |name: &str| -> String {
        name.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let own = |question: usize| -> Option<String> {
        form.questions[question]
            .extra
            .iter()
            .find(|(k, _)| {
                k.trim().eq_ignore_ascii_case("hxl")
                    || k.trim().eq_ignore_ascii_case("instance::hxl")
            })
            .map(|(_, v)| v.trim().to_owned())
    };
    map_columns(form, headers, None)
        .into_iter()
        .map(|role| match role {
            ColumnRole::Meta {
                meta: Meta::Uuid | Meta::InstanceId,
            } => "#meta+id".to_owned(),
            ColumnRole::Meta {
                meta: Meta::SubmissionTime,
            } => "#date+submitted".to_owned(),
            ColumnRole::Meta { meta: Meta::Index } => "#meta+index".to_owned(),
            ColumnRole::Meta {
                meta: Meta::ParentIndex,
            } => "#meta+parent".to_owned(),
            ColumnRole::Attachment { .. } | ColumnRole::Meta { .. } | ColumnRole::Unknown => {
                String::new()
            }
            ColumnRole::Question { question } | ColumnRole::FlattenedRepeat { question, .. } => {
                own(question).unwrap_or_else(|| {
                    let q = &form.questions[question];
                    match q.kind {
                        QuestionKind::Date | QuestionKind::DateTime => {
                            format!("#date+{}", attribute(&q.name))
                        }
                        QuestionKind::GeoPoint => format!("#geo+coord+{}", attribute(&q.name)),
                        _ => format!("#indicator+{}", attribute(&q.name)),
                    }
                })
            }
            ColumnRole::Option { question, option } => match own(question) {
                Some(tag) => format!("{tag}+{}", attribute(&option)),
                None => format!(
                    "#indicator+{}+{}",
                    attribute(&form.questions[question].name),
                    attribute(&option)
                ),
            },
            ColumnRole::Geo { part, .. } => match part {
                GeoPart::Latitude => "#geo+lat".to_owned(),
                GeoPart::Longitude => "#geo+lon".to_owned(),
                GeoPart::Altitude => "#geo+elevation".to_owned(),
                GeoPart::Precision => "#geo+precision".to_owned(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_sheets;
    use sigida_formats::table::Table;

    fn form() -> Form {
        let t = |sheet: &str, rows: &[&[&str]]| Table::sheet("f.xlsx", sheet, rows);
        read_sheets(
            "f.xlsx",
            &[
                t(
                    "survey",
                    &[
                        &["type", "name", "label", "constraint"],
                        &["begin_group", "hh", "Ménage", ""],
                        &["integer", "age", "Âge du répondant", ". >= 15 and . < 110"],
                        &["select_one sexe", "sexe", "Sexe", ""],
                        &["select_multiple besoins", "besoins", "Besoins", ""],
                        &["geopoint", "gps", "GPS", ""],
                        &["date", "jour", "Jour", ". <= today()"],
                        &["integer", "adultes", "Adultes", ". <= ${taille}"],
                        &["integer", "taille", "Taille", ""],
                        &["end_group", "", "", ""],
                    ],
                ),
                t(
                    "choices",
                    &[
                        &["list_name", "name", "label"],
                        &["sexe", "f", "F"],
                        &["sexe", "m", "M"],
                        &["besoins", "eau", "Eau"],
                        &["besoins", "sante-mentale", "Santé mentale"],
                    ],
                ),
            ],
        )
        .unwrap()
    }

    fn question(form: &Form, name: &str) -> usize {
        form.questions.iter().position(|q| q.name == name).unwrap()
    }

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columns_are_recognised_in_every_spelling() {
        let form = form();
        let h = headers(&[
            "X.U.FEFF.start",
            "X_uuid",
            "hh/age",
            "sexe",
            "besoins/eau",
            "besoins.sante.mentale",
            "_gps_latitude",
            "hh/_gps_longitude",
            "X_index",
            "__version__",
            "Âge du répondant",
            "kids[2]/age",
            "mystery",
        ]);
        let roles = map_columns(&form, &h, None);
        let [age, besoins, gps] = ["age", "besoins", "gps"].map(|n| question(&form, n));
        assert_eq!(
            roles[0],
            ColumnRole::Unknown,
            "start is not a question of this form"
        );
        assert_eq!(roles[1], ColumnRole::Meta { meta: Meta::Uuid });
        assert_eq!(roles[2], ColumnRole::Question { question: age });
        assert_eq!(
            roles[4],
            ColumnRole::Option {
                question: besoins,
                option: "eau".into()
            }
        );
        assert_eq!(
            roles[5],
            ColumnRole::Option {
                question: besoins,
                option: "sante-mentale".into()
            }
        );
        assert_eq!(
            roles[6],
            ColumnRole::Geo {
                question: gps,
                part: GeoPart::Latitude
            }
        );
        assert_eq!(
            roles[7],
            ColumnRole::Geo {
                question: gps,
                part: GeoPart::Longitude
            }
        );
        assert_eq!(roles[8], ColumnRole::Meta { meta: Meta::Index });
        assert_eq!(
            roles[9],
            ColumnRole::Meta {
                meta: Meta::Version
            }
        );
        assert_eq!(
            roles[10],
            ColumnRole::Question { question: age },
            "a label header"
        );
        assert_eq!(
            roles[11],
            ColumnRole::FlattenedRepeat {
                question: age,
                instance: 2
            }
        );
        assert_eq!(roles[12], ColumnRole::Unknown);
    }

    #[test]
    fn values_are_checked_against_types_lists_and_constraints() {
        let form = form();
        let h = headers(&[
            "age",
            "sexe",
            "besoins",
            "besoins/eau",
            "gps",
            "jour",
            "adultes",
            "taille",
        ]);
        let checker = Checker::new(&form, &h, map_columns(&form, &h, None), 20_500.0);
        let mut problems = Vec::new();
        checker.check_row(
            2,
            &[
                "34",
                "f",
                "eau sante-mentale",
                "1",
                "14.45 -11.44 0 5",
                "2026-01-05",
                "2",
                "5",
            ],
            &mut problems,
        );
        assert!(problems.is_empty(), "{problems:?}");
        checker.check_row(
            3,
            &["12", "x", "eau vin", "2", "95 0", "05/01/2026", "7", "5"],
            &mut problems,
        );
        let by_column: HashMap<&str, &str> = problems
            .iter()
            .map(|p| (p.column.as_str(), p.message.as_str()))
            .collect();
        assert!(
            by_column["age"].starts_with("contrainte non respectée : . >= 15"),
            "{by_column:?}"
        );
        assert!(by_column["sexe"].contains("« x » n'est pas une option"));
        assert!(by_column["besoins"].contains("« vin »"));
        assert!(by_column["besoins/eau"].contains("0 ou 1"));
        assert!(by_column["gps"].contains("hors du globe"));
        assert!(by_column["jour"].contains("AAAA-MM-JJ"));
        assert!(
            by_column["adultes"].contains(". <= ${taille}"),
            "constraints see the other answers of the row"
        );
        assert!(problems.iter().all(|p| p.row == 3));
        // R's scientific notation is a whole number.
        problems.clear();
        checker.check_row(4, &["5e+01", "", "", "", "", "", "", ""], &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn odk_dashes_other_separators_and_label_headers_are_recognised() {
        let form = form();
        let [age, besoins, gps] = ["age", "besoins", "gps"].map(|n| question(&form, n));
        let h = headers(&[
            "hh-age",
            "hh-gps-Latitude",
            "hh-gps-Accuracy",
            "KEY",
            "meta-instanceID",
            "SubmissionDate",
            "SET-OF-membres",
            "hh:age",
            "Ménage/Âge du répondant",
            "Besoins/Santé mentale",
        ]);
        let roles = map_columns(&form, &h, None);
        assert_eq!(roles[0], ColumnRole::Question { question: age });
        assert_eq!(
            roles[1],
            ColumnRole::Geo {
                question: gps,
                part: GeoPart::Latitude
            }
        );
        assert_eq!(
            roles[2],
            ColumnRole::Geo {
                question: gps,
                part: GeoPart::Precision
            }
        );
        assert_eq!(roles[3], ColumnRole::Meta { meta: Meta::Uuid });
        assert_eq!(
            roles[4],
            ColumnRole::Meta {
                meta: Meta::InstanceId
            }
        );
        assert_eq!(
            roles[5],
            ColumnRole::Meta {
                meta: Meta::SubmissionTime
            }
        );
        assert_eq!(roles[6], ColumnRole::Meta { meta: Meta::Other });
        assert_eq!(roles[7], ColumnRole::Question { question: age });
        assert_eq!(roles[8], ColumnRole::Question { question: age });
        assert_eq!(
            roles[9],
            ColumnRole::Option {
                question: besoins,
                option: "sante-mentale".into()
            }
        );
    }

    #[test]
    fn relevance_and_required_answers_are_checked_with_the_rows_answers() {
        let form = read_sheets(
            "f.xlsx",
            &[Table::sheet(
                "f.xlsx",
                "survey",
                &[
                    &[
                        "type",
                        "name",
                        "label",
                        "relevant",
                        "required",
                        "calculation",
                    ][..],
                    &["integer", "age", "Âge", "", "yes", ""],
                    &["begin_group", "adulte", "Adulte", "${age} >= 18", "", ""],
                    &["text", "emploi", "Emploi", "", "true()", ""],
                    &["end_group", "", "", "", "", ""],
                    &["text", "ecole", "École", "${age} < 18", "${age} > 6", ""],
                    &["calculate", "double", "", "", "", "${age} * 2"],
                    &["text", "grand", "Grand", "${double} > 40", "", ""],
                ],
            )],
        )
        .unwrap();
        let h = headers(&["age", "emploi", "ecole", "double", "grand"]);
        let checker = Checker::new(&form, &h, map_columns(&form, &h, None), 20_500.0);
        let problems = |cells: &[&str]| {
            let mut found = Vec::new();
            checker.check_row(2, cells, &mut found);
            found
                .into_iter()
                .map(|p| format!("{}: {}", p.column, p.message))
                .collect::<Vec<_>>()
        };
        assert!(problems(&["30", "maçon", "", "60", "x"]).is_empty());
        assert_eq!(
            problems(&["12", "maçon", "", "", "x"]),
            [
                "emploi: réponse à une question qui n'était pas posée (relevant : ${age} >= 18)",
                "ecole: réponse obligatoire manquante",
            ],
            "the group's relevance, a required expression; a blank calculation says nothing"
        );
        assert_eq!(
            problems(&["", "", "", "", ""]),
            ["age: réponse obligatoire manquante"]
        );
        assert_eq!(problems(&["5", "", "", "", ""]), Vec::<String>::new());
    }

    #[test]
    fn coverage_counts_the_questions_found() {
        let form = form();
        let h = headers(&["age", "sexe", "other"]);
        let checker = Checker::new(&form, &h, map_columns(&form, &h, None), 20_500.0);
        assert_eq!(checker.coverage(None), (2, 7));
    }
}
