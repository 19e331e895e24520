//! Qualitative evidence: key-informant and focus-group notes with their metadata, a codebook
//! of themes, the excerpts coded with it, counts of each code by community and group, and
//! quotes with personal details removed before anyone reads them outside the team.

use std::collections::BTreeMap;

use time::Date;

use crate::actors::GroupKind;
use crate::community::Community;
use crate::diagnostic::Diagnostic;
use crate::finding::Theme;
use crate::id::Id;
use crate::meeting::Sex;
use crate::personal::Personal;
use crate::vocabulary;

vocabulary! {
    NoteKind "note_kind" {
        KeyInformant = "kii",
        FocusGroup = "fgd",
    }
}

/// The notes of one interview or one group discussion.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InterviewNote {
    pub id: Id<InterviewNote>,
    pub community_id: Id<Community>,
    pub kind: NoteKind,
    /// The team's reference, cited by findings: `KII-GAO-04`.
    pub code: String,
    /// The group the informant or the discussion belongs to, when there is one.
    pub group: Option<GroupKind>,
    /// `None` for a mixed group.
    pub sex: Option<Sex>,
    pub held_on: Date,
    /// The notes as written: they may name people, so they are personal data.
    pub text: Personal<String>,
    /// The locality it was held in, when the team says (a code linked to a risk then makes
    /// it that locality's report).
    pub locality_id: Option<Id<crate::geography::Locality>>,
}

/// A code of the codebook.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Code {
    pub id: Id<Code>,
    pub diagnostic_id: Id<Diagnostic>,
    /// Short and stable: `extorsion-route`.
    pub code: String,
    pub label: String,
    pub theme: Theme,
}

/// A passage of a note and the codes it carries.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Excerpt {
    pub id: Id<Excerpt>,
    pub note_id: Id<InterviewNote>,
    /// The passage as written (personal: it may name people); `quote` removes the details.
    pub text: Personal<String>,
    pub codes: Vec<Id<Code>>,
}

/// The passage with personal details replaced: phone numbers, e-mail addresses, the names the
/// caller knows (participants, contacts, informants), and a capitalised name after a title or
/// a form of address (M., Mme, Dr, Monsieur, Madame, chef, imam, El Hadj…).
pub fn quote(text: &str, known_names: &[&str]) -> String {
    let mut out = text.to_owned();
    let mut names: Vec<&str> = known_names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 3)
        .collect();
    // Longest first: « Aminata Traoré » before « Aminata ».
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        out = replace_word(&out, name, "[nom]");
    }
    let words: Vec<&str> = out.split(' ').collect();
    let mut kept: Vec<String> = Vec::with_capacity(words.len());
    let titles = [
        "m.",
        "mme",
        "mme.",
        "mlle",
        "dr",
        "dr.",
        "monsieur",
        "madame",
        "mademoiselle",
        "chef",
        "imam",
        "hadj",
        "hadja",
        "maître",
        "me",
    ];
    let mut after_title = false;
    for word in words {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '@');
        if bare.contains('@') && bare.contains('.') {
            kept.push(word.replace(bare, "[courriel]"));
            after_title = false;
            continue;
        }
        let capitalised = bare.chars().next().is_some_and(char::is_uppercase);
        if after_title && capitalised {
            kept.push(word.replace(bare, "[nom]"));
            after_title = true;
            continue;
        }
        // « l'imam », « d'El Hadj »: the title is after the elision.
        let elided = bare.rsplit(['\'', '’']).next().unwrap_or(bare);
        after_title = titles.contains(&elided.to_lowercase().as_str());
        kept.push(word.to_owned());
    }
    redact_phones(&kept.join(" "))
}

/// `needle` replaced where it stands as a whole word (not inside another word).
fn replace_word(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(needle) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + needle.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        if bounded(before) && bounded(after) {
            out.push_str(with);
        } else {
            out.push_str(needle);
        }
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// Runs of 8 or more digits (spaces, dots, dashes and a leading + allowed between them).
fn redact_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (matches!(chars[j], ' ' | '.' | '-' | '+')
                        && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                digits += usize::from(chars[j].is_ascii_digit());
                j += 1;
            }
            if digits >= 8 {
                out.push_str("[téléphone]");
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// How many excerpts carry each code, by group (`None`: no group): `counts[code][group]`.
pub fn code_counts(
    notes: &[InterviewNote],
    excerpts: &[Excerpt],
) -> BTreeMap<Id<Code>, BTreeMap<Option<GroupKind>, usize>> {
    let group_of: BTreeMap<Id<InterviewNote>, Option<GroupKind>> =
        notes.iter().map(|n| (n.id, n.group)).collect();
    let mut counts: BTreeMap<Id<Code>, BTreeMap<Option<GroupKind>, usize>> = BTreeMap::new();
    for e in excerpts {
        let Some(&group) = group_of.get(&e.note_id) else {
            continue;
        };
        for &code in &e.codes {
            *counts.entry(code).or_default().entry(group).or_default() += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_lose_phones_mails_known_names_and_titled_names() {
        let text = "Selon M. Diallo, appeler Aminata Traoré au +223 76 12 34 56 ou écrire à a.traore@ong.ml ; l'imam Cissé confirme. Le 12 mars, 3 camions.";
        let quoted = quote(text, &["Aminata Traoré"]);
        assert_eq!(
            quoted,
            "Selon M. [nom], appeler [nom] au [téléphone] ou écrire à [courriel] ; l'imam [nom] confirme. Le 12 mars, 3 camions."
        );
    }

    #[test]
    fn a_known_name_inside_another_word_stays() {
        assert_eq!(quote("Awa et Awaré", &["Awa"]), "[nom] et Awaré");
        assert_eq!(
            quote("Rien à cacher : 2 000 FCFA par poste", &[]),
            "Rien à cacher : 2 000 FCFA par poste"
        );
    }

    #[test]
    fn codes_are_counted_by_group() {
        let community = Id::new();
        let note = |group| InterviewNote {
            id: Id::new(),
            community_id: community,
            kind: NoteKind::FocusGroup,
            code: "FGD".into(),
            group,
            sex: None,
            held_on: time::macros::date!(2026 - 02 - 03),
            text: Personal::new(String::new()),
            locality_id: None,
        };
        let (youth, women) = (note(Some(GroupKind::Youth)), note(Some(GroupKind::Women)));
        let (a, b) = (Id::new(), Id::new());
        let excerpt = |n: &InterviewNote, codes: Vec<Id<Code>>| Excerpt {
            id: Id::new(),
            note_id: n.id,
            text: Personal::new(String::new()),
            codes,
        };
        let counts = code_counts(
            &[youth.clone(), women.clone()],
            &[
                excerpt(&youth, vec![a, b]),
                excerpt(&youth, vec![a]),
                excerpt(&women, vec![a]),
            ],
        );
        assert_eq!(counts[&a][&Some(GroupKind::Youth)], 2);
        assert_eq!(counts[&a][&Some(GroupKind::Women)], 1);
        assert_eq!(counts[&b].len(), 1);
    }
}
