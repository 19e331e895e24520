//! The catalogue of every user-facing string. French is the default and the fallback: an
//! English entry that is missing shows the French one, never a blank or a key.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr` or `en`, as in URLs, cookies and `--lang`.
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fr" | "fra" | "français" | "francais" => Some(Lang::Fr),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// The suffix report files carry before their extension (`.en` for English, none for French).
    pub fn file_suffix(self) -> &'static str {
        match self {
            Lang::Fr => "",
            Lang::En => ".en",
        }
    }
}

const FRENCH: &str = include_str!("../locales/fr.txt");
const ENGLISH: &str = include_str!("../locales/en.txt");

/// `key = text` lines; `#` starts a comment line.
fn parse_catalogue(source: &'static str) -> HashMap<&'static str, &'static str> {
    source
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(key, text)| (key.trim(), text.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static FR: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| parse_catalogue(FRENCH)),
        Lang::En => EN.get_or_init(|| parse_catalogue(ENGLISH)),
    }
}

/// The keys of a language's catalogue, for tidy tests.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut keys: Vec<_> = catalogue(lang).keys().copied().collect();
    keys.sort_unstable();
    keys
}

/// A translator for one language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text of `key`, falling back to French, then to the key itself (which the tidy
    /// test keeps from ever happening).
    pub fn t(&self, key: &str) -> &'static str {
        catalogue(self.lang)
            .get(key)
            .or_else(|| catalogue(Lang::Fr).get(key))
            .copied()
            .unwrap_or_else(|| {
                let leaked: &'static str = Box::leak(key.to_owned().into_boxed_str());
                leaked
            })
    }

    /// The text of a key the catalogue has, `None` otherwise (a code read from a URL).
    pub fn known(&self, key: &str) -> Option<&'static str> {
        catalogue(self.lang)
            .get(key)
            .or_else(|| catalogue(Lang::Fr).get(key))
            .copied()
    }

    /// A refusal in this language: `refusal.<code>` with its `{name}` slots filled.
    pub fn refusal(&self, r: &sigida_core::refusal::Refusal) -> String {
        self.fill(&r.key(), &r.args)
    }

    /// The text of `key` with its `{name}` slots filled.
    pub fn fill<V: AsRef<str>>(&self, key: &str, args: &[(&str, V)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value.as_ref());
        }
        text
    }

    /// Where a problem is in a user's file (`f.csv, ligne 3, colonne « âge »`).
    pub fn location(&self, at: &sigida_formats::Location) -> String {
        let mut text = at.file.clone();
        if let Some(sheet) = &at.sheet {
            text.push_str(&self.t("location.sheet").replace("{sheet}", sheet));
        }
        if let Some(row) = at.row {
            text.push_str(&self.t("location.row").replace("{row}", &row.to_string()));
        }
        if let Some(column) = &at.column {
            text.push_str(&self.t("location.column").replace("{column}", column));
        }
        text
    }

    /// A problem with a user's file in this language: where, then what.
    pub fn format_error(&self, e: &sigida_formats::FormatError) -> String {
        let what = self.refusal(&e.what);
        if *e.at == sigida_formats::Location::default() {
            return what;
        }
        self.t("error.at")
            .replace("{at}", &self.location(&e.at))
            .replace("{what}", &what)
    }

    /// The text of `key` with its `{n}` replaced by `n` (the disclosure threshold…).
    pub fn with_n(&self, key: &str, n: u64) -> String {
        self.t(key).replace("{n}", &n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_french() {
        let en = Tr::new(Lang::En);
        assert_eq!(en.t("nav.overview"), "Overview");
        assert_eq!(Tr::new(Lang::Fr).t("nav.overview"), "Vue d'ensemble");
        // A French-only key shows its French text in English, never a blank.
        let french_only: Vec<_> = keys(Lang::Fr)
            .into_iter()
            .filter(|k| !catalogue(Lang::En).contains_key(k))
            .collect();
        for key in french_only {
            assert_eq!(en.t(key), Tr::new(Lang::Fr).t(key));
        }
    }

    #[test]
    fn every_english_key_exists_in_french_and_no_text_is_blank() {
        for key in keys(Lang::En) {
            assert!(
                catalogue(Lang::Fr).contains_key(key),
                "{key} is English only"
            );
        }
        for lang in Lang::ALL {
            for key in keys(lang) {
                assert!(!Tr::new(lang).t(key).is_empty(), "{key} is blank");
            }
        }
    }

    #[test]
    fn every_vocabulary_value_has_a_french_and_english_label() {
        use sigida_core::{
            access, actors, audit, exercises, finding, flows, geography, indicator, instrument,
            meeting, plan, protection, qualitative,
        };
        let mut keys: Vec<&str> = Vec::new();
        macro_rules! all {
            ($($t:ty),*) => { $(keys.extend(<$t>::ALL.iter().map(|v| v.label_key()));)* };
        }
        all!(
            access::Role,
            access::Permission,
            actors::StakeholderType,
            actors::Level,
            actors::GroupKind,
            actors::Sector,
            instrument::InstrumentKind,
            instrument::ImportKind,
            finding::Theme,
            finding::SourceType,
            finding::Stance,
            finding::Convergence,
            finding::Confidence,
            finding::ValidationStatus,
            flows::Direction,
            geography::LocalityKind,
            exercises::ExerciseKind,
            indicator::IndicatorKind,
            protection::RiskType,
            protection::Severity,
            protection::CapacityKind,
            qualitative::NoteKind,
            meeting::Sex,
            meeting::AgeGroup,
            meeting::DecisionKind,
            meeting::QuestionKind,
            meeting::BallotSource,
            plan::PlanStatus,
            plan::ActionStatus,
            audit::AuditAction
        );
        for key in keys {
            for lang in Lang::ALL {
                assert!(
                    catalogue(lang).contains_key(key),
                    "{key} missing in {lang:?}"
                );
            }
        }
    }

    /// Every `t("…")` key and every refusal code written in the source of any crate exists in
    /// the French catalogue.
    #[test]
    fn every_key_used_in_code_is_in_the_catalogue() {
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut missing = Vec::new();
        let mut seen = 0;
        for entry in walk(&crates) {
            let text = std::fs::read_to_string(&entry).unwrap();
            // `t` keys and the use-cases' refusal codes (catalogue key `refusal.` + code).
            for (pattern, prefix) in [
                (".t(\"", ""),
                ("Refusal::new(\"", "refusal."),
                ("not_found(\"", "refusal."),
                (".fill(\"", ""),
                (".with_n(\"", ""),
                ("thing: \"", "refusal."),
            ] {
                for (i, _) in text.match_indices(pattern) {
                    let rest = &text[i + pattern.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = format!("{prefix}{}", &rest[..end]);
                    seen += 1;
                    if !catalogue(Lang::Fr).contains_key(key.as_str()) {
                        missing.push(format!("{}: {key}", entry.display()));
                    }
                }
            }
        }
        assert!(
            seen > 20,
            "the scan found only {seen} keys: is it reading the sources?"
        );
        assert!(
            missing.is_empty(),
            "keys missing from fr.txt:\n{}",
            missing.join("\n")
        );
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() && !path.ends_with("target") {
                files.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}
