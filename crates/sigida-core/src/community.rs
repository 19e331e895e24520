//! Communities: the unit a diagnostic analyses, consults and plans for.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::{Id, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Community {
    pub id: Id<Community>,
    pub diagnostic_id: Id<Diagnostic>,
    pub name: String,
    /// Lower-case ASCII with hyphens (`gao-chateau`): names report folders and URLs.
    pub slug: String,
    pub region_pcode: String,
    pub cercle_pcode: String,
    pub cod_version: String,
    pub description: String,
    /// Why the consultation chose it (the criteria it met).
    pub selection_reason: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// When it was archived: kept with all it holds, no longer listed as current.
    pub archived_at: Option<Timestamp>,
}

/// The slug of a community name: accents dropped, lower case ASCII, words joined by hyphens.
/// `Gao Château` → `gao-chateau`, `N'Tillit` → `n-tillit`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_hyphen = false;
    for ch in name.chars().flat_map(fold_to_ascii) {
        if ch.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(ch.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    slug
}

/// The ASCII letters a Latin letter with diacritics reads as (French, Bambara, Songhay spellings).
fn fold_to_ascii(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
        'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => "A",
        'ç' => "c",
        'Ç' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ɛ' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ɛ' => "E",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'ñ' | 'ɲ' | 'ŋ' => "n",
        'Ñ' | 'Ɲ' | 'Ŋ' => "N",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ɔ' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' | 'Ɔ' => "O",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' => "U",
        'ÿ' | 'ý' => "y",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        _ => "",
    };
    let own = if folded.is_empty() { Some(ch) } else { None };
    folded.chars().chain(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_report_layout() {
        assert_eq!(slugify("Diboli"), "diboli");
        assert_eq!(slugify("Gao Château"), "gao-chateau");
        assert_eq!(slugify("  N'Tillit  "), "n-tillit");
        assert_eq!(slugify("Ségala – Kéniéba"), "segala-kenieba");
        assert_eq!(slugify("Cœur"), "coeur");
    }
}
