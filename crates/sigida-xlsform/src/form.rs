//! The form model: what an XLSForm says, independent of the file it came from.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Text in each language of the form: language as written in the column (`French (fr)`),
/// or `""` for a column without language.
pub type Translations = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Form {
    pub file: String,
    pub title: Option<String>,
    pub form_id: Option<String>,
    pub version: Option<String>,
    /// `settings.default_language`, when given.
    pub default_language: Option<String>,
    /// The languages of the label, hint and media columns, in the order the columns come.
    pub languages: Vec<String>,
    pub questions: Vec<Question>,
    pub groups: Vec<Group>,
    pub choice_lists: Vec<ChoiceList>,
    /// Every other setting, as written.
    pub settings: BTreeMap<String, String>,
    /// What is odd but not fatal: unparsable expressions, unknown references, duplicate names…
    pub warnings: Vec<Problem>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Group,
    Repeat,
    /// pyxform's `begin loop over LIST`: one group per option of the list.
    Loop,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub kind: GroupKind,
    /// Row of its `begin` in the survey sheet.
    pub row: usize,
    pub label: Translations,
    pub hint: Translations,
    pub relevant: Option<String>,
    pub repeat_count: Option<String>,
    pub appearance: Option<String>,
    /// Index (in `Form::groups`) of the group that contains it.
    pub parent: Option<usize>,
    /// For a loop: the list it runs over.
    pub list: Option<String>,
}

/// The kind of answer a question collects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    SelectOne {
        list: String,
        or_other: bool,
    },
    SelectMultiple {
        list: String,
        or_other: bool,
    },
    Rank {
        list: String,
        or_other: bool,
    },
    /// `select_one_from_file` / `select_multiple_from_file`: options in a CSV/XML file.
    SelectFromFile {
        file: String,
        multiple: bool,
    },
    /// `select_one_external`: options in the `external_choices` sheet.
    SelectOneExternal {
        list: String,
    },
    Integer,
    Decimal,
    Range,
    Text,
    Date,
    DateTime,
    Time,
    GeoPoint,
    GeoTrace,
    GeoShape,
    Note,
    Calculate,
    Acknowledge,
    Photo,
    Audio,
    Video,
    File,
    Barcode,
    Hidden,
    XmlExternal,
    CsvExternal,
    Osm,
    /// Filled in by the device: start, end, today, deviceid, username, audit…
    Metadata {
        name: String,
    },
}

impl QuestionKind {
    /// The canonical XLSForm type name.
    pub fn type_name(&self) -> &str {
        match self {
            QuestionKind::SelectOne { .. } => "select_one",
            QuestionKind::SelectMultiple { .. } => "select_multiple",
            QuestionKind::Rank { .. } => "rank",
            QuestionKind::SelectFromFile {
                multiple: false, ..
            } => "select_one_from_file",
            QuestionKind::SelectFromFile { multiple: true, .. } => "select_multiple_from_file",
            QuestionKind::SelectOneExternal { .. } => "select_one_external",
            QuestionKind::Integer => "integer",
            QuestionKind::Decimal => "decimal",
            QuestionKind::Range => "range",
            QuestionKind::Text => "text",
            QuestionKind::Date => "date",
            QuestionKind::DateTime => "datetime",
            QuestionKind::Time => "time",
            QuestionKind::GeoPoint => "geopoint",
            QuestionKind::GeoTrace => "geotrace",
            QuestionKind::GeoShape => "geoshape",
            QuestionKind::Note => "note",
            QuestionKind::Calculate => "calculate",
            QuestionKind::Acknowledge => "acknowledge",
            QuestionKind::Photo => "image",
            QuestionKind::Audio => "audio",
            QuestionKind::Video => "video",
            QuestionKind::File => "file",
            QuestionKind::Barcode => "barcode",
            QuestionKind::Hidden => "hidden",
            QuestionKind::XmlExternal => "xml-external",
            QuestionKind::CsvExternal => "csv-external",
            QuestionKind::Osm => "osm",
            QuestionKind::Metadata { name } => name,
        }
    }

    /// The choice list of a select, rank or external select.
    pub fn list(&self) -> Option<&str> {
        match self {
            QuestionKind::SelectOne { list, .. }
            | QuestionKind::SelectMultiple { list, .. }
            | QuestionKind::Rank { list, .. }
            | QuestionKind::SelectOneExternal { list } => Some(list),
            _ => None,
        }
    }
}

/// Why a question holds personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Personal {
    /// Marked in the form (`sigida_pii` column).
    Marked,
    /// Its name says so (`respondent_name`, `phone_number`…).
    Name { word: String },
    /// Its type collects it (a precise location, a photo, a phone number…).
    Type,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Question {
    pub name: String,
    /// Row in the survey sheet (the header is row 1).
    pub row: usize,
    /// The type as written in the form (`select_one yes_no`).
    pub type_text: String,
    pub kind: QuestionKind,
    pub label: Translations,
    pub hint: Translations,
    /// `yes`, or an expression.
    pub required: Option<String>,
    pub required_message: Translations,
    pub relevant: Option<String>,
    pub constraint: Option<String>,
    pub constraint_message: Translations,
    pub calculation: Option<String>,
    pub choice_filter: Option<String>,
    pub default: Option<String>,
    pub appearance: Option<String>,
    pub parameters: Option<String>,
    pub read_only: Option<String>,
    /// Media columns (`image`, `audio`, `video`, `big-image`), by language.
    pub media: BTreeMap<String, Translations>,
    /// Every other column with a value, by header as written (REACH's own columns among them).
    pub extra: BTreeMap<String, String>,
    /// Index (in `Form::groups`) of the innermost group or repeat holding the question.
    pub group: Option<usize>,
    /// Index of the innermost repeat holding the question.
    pub repeat: Option<usize>,
    pub personal: Option<Personal>,
    /// The `<name>_other` text question that `or_other` adds.
    pub generated: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    pub name: String,
    pub row: usize,
    pub label: Translations,
    pub media: BTreeMap<String, Translations>,
    /// Other columns (filters used by `choice_filter`).
    pub extra: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChoiceList {
    pub name: String,
    pub choices: Vec<Choice>,
    /// The sheet it comes from (`choices` or `external_choices`).
    pub sheet: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a form, located as precisely as the cause allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    pub sheet: String,
    pub row: Option<usize>,
    /// The column's header as written.
    pub column: Option<String>,
    /// The column's letter (`H`).
    pub column_letter: Option<String>,
    /// 1-based character in the cell, for expressions.
    pub character: Option<usize>,
    /// What is wrong, in French (the form reader's problems are not coded yet), or empty when
    /// [`Problem::what`] says it.
    pub message: String,
    /// What is wrong as a code and its values, translated where it is shown (a file that
    /// cannot be read as a table, whose [`sigida_formats::FormatError`] this carries).
    #[serde(skip)]
    pub what: Option<sigida_formats::Refusal>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, feuille « {} »", self.file, self.sheet)?;
        if let Some(row) = self.row {
            write!(f, ", ligne {row}")?;
        }
        match (&self.column, &self.column_letter) {
            (Some(c), Some(l)) => write!(f, ", colonne « {c} » ({l})")?,
            (Some(c), None) => write!(f, ", colonne « {c} »")?,
            _ => {}
        }
        if let Some(ch) = self.character {
            write!(f, ", caractère {ch}")?;
        }
        match &self.what {
            Some(what) => write!(f, " : {what}"),
            None => write!(f, " : {}", self.message),
        }
    }
}

/// A form that cannot be read: every fatal problem found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct FormError {
    pub problems: Vec<Problem>,
}

impl Form {
    pub fn question(&self, name: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.name == name)
    }

    pub fn list(&self, name: &str) -> Option<&ChoiceList> {
        self.choice_lists.iter().find(|l| l.name == name)
    }

    /// The text of `translations` in `language` (a code such as `fr`, or a column language),
    /// else in the default language, else the column without language, else any.
    pub fn text<'a>(&self, translations: &'a Translations, language: &str) -> Option<&'a str> {
        let wanted = |lang: &str| translations.iter().find(|(l, _)| language_matches(l, lang));
        wanted(language)
            .or_else(|| self.default_language.as_deref().and_then(wanted))
            .or_else(|| translations.get_key_value(""))
            .or_else(|| translations.iter().next())
            .map(|(_, text)| text.as_str())
    }

    /// The path of group names down to the question (`household/members/age`).
    pub fn path(&self, question: &Question) -> String {
        let mut names = vec![question.name.as_str()];
        let mut group = question.group;
        while let Some(g) = group {
            names.push(&self.groups[g].name);
            group = self.groups[g].parent;
        }
        names.reverse();
        names.join("/")
    }
}

/// The ISO 639-1 code of a column language: `French (fr)` → `fr`, `french` → `fr`, `EN` → `en`.
pub fn language_code(language: &str) -> Option<String> {
    let l = language.trim();
    if let (Some(open), Some(close)) = (l.rfind('('), l.rfind(')'))
        && open < close
    {
        return Some(l[open + 1..close].trim().to_ascii_lowercase());
    }
    let lower = l.to_lowercase();
    if lower.len() == 2 && lower.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(lower);
    }
    let code = match lower.as_str() {
        "english" | "anglais" => "en",
        "french" | "français" | "francais" => "fr",
        "arabic" | "arabe" | "العربية" => "ar",
        "bambara" | "bamanankan" => "bm",
        "songhay" | "songhai" | "sonrai" => "son",
        "soninke" | "soninké" => "snk",
        "tamasheq" | "tamashek" => "taq",
        "fulfulde" | "peul" | "fula" | "pulaar" => "ff",
        "spanish" | "español" | "espagnol" => "es",
        "portuguese" | "português" => "pt",
        "swahili" => "sw",
        "kurdish" => "ku",
        "hausa" => "ha",
        _ => return None,
    };
    Some(code.to_owned())
}

/// Whether a column language is the one asked for (by code or as written).
pub fn language_matches(column_language: &str, wanted: &str) -> bool {
    column_language.eq_ignore_ascii_case(wanted)
        || language_code(column_language)
            .zip(language_code(wanted).or_else(|| Some(wanted.to_ascii_lowercase())))
            .is_some_and(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_recognised_in_every_spelling() {
        assert_eq!(language_code("French (fr)").as_deref(), Some("fr"));
        assert_eq!(language_code("french").as_deref(), Some("fr"));
        assert_eq!(language_code("EN").as_deref(), Some("en"));
        assert_eq!(language_code("Arabic (ar)").as_deref(), Some("ar"));
        assert_eq!(language_code("Klingon"), None);
        assert!(language_matches("English (en)", "en"));
        assert!(language_matches("english", "English (en)"));
        assert!(!language_matches("english", "fr"));
    }
}
