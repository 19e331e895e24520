//! HXL, the Humanitarian Exchange Language: a row of hashtags (`#affected+f+children`) under or
//! instead of a spreadsheet's headers says what each column holds, whatever its header's
//! language. The hashtag row is found wherever it is in the first rows; columns are then found
//! by tag patterns, as libhxl matches them: the pattern's name, all of its `+` attributes, none
//! of its `-` attributes.

/// How many rows may come before the hashtag row (libhxl looks as far).
const SEARCH_ROWS: usize = 25;

/// One column's hashtag, in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Without its `#`.
    pub name: String,
    pub attributes: Vec<String>,
}

impl Tag {
    /// `#name +attr +attr` (spaces allowed around the `+`), or `None` for anything else.
    pub fn parse(cell: &str) -> Option<Tag> {
        let text = cell.trim().strip_prefix('#')?;
        let mut parts = text.split('+').map(str::trim);
        let name = parts.next().filter(|n| is_word(n))?.to_ascii_lowercase();
        let attributes = parts
            .map(|a| is_word(a).then(|| a.to_ascii_lowercase()))
            .collect::<Option<Vec<_>>>()?;
        Some(Tag { name, attributes })
    }

    pub fn has(&self, attribute: &str) -> bool {
        self.attributes.iter().any(|a| a == attribute)
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.name)?;
        for a in &self.attributes {
            write!(f, "+{a}")?;
        }
        Ok(())
    }
}

fn is_word(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A pattern such as `#affected+f-children`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagPattern {
    name: String,
    include: Vec<String>,
    exclude: Vec<String>,
}

impl TagPattern {
    /// Patterns are written by programmers, so a malformed one is a bug: it matches nothing.
    pub fn new(pattern: &str) -> TagPattern {
        let text = pattern.trim().trim_start_matches('#').to_ascii_lowercase();
        let split = text.find(['+', '-']).unwrap_or(text.len());
        let (name, mut rest) = text.split_at(split);
        let (mut include, mut exclude) = (Vec::new(), Vec::new());
        while let Some(sign) = rest.chars().next() {
            let body = &rest[1..];
            let end = body.find(['+', '-']).unwrap_or(body.len());
            let attribute = body[..end].to_owned();
            if sign == '+' {
                include.push(attribute);
            } else {
                exclude.push(attribute);
            }
            rest = &body[end..];
        }
        TagPattern {
            name: name.to_owned(),
            include,
            exclude,
        }
    }

    pub fn matches(&self, tag: &Tag) -> bool {
        tag.name == self.name
            && self.include.iter().all(|a| tag.has(a))
            && !self.exclude.iter().any(|a| tag.has(a))
    }
}

/// A table read through its hashtag row.
#[derive(Clone, Debug)]
pub struct Tagged {
    /// Each column's tag (`None`: the column has none).
    pub tags: Vec<Option<Tag>>,
    /// The text headers above the hashtag row, if there is such a row.
    pub headers: Option<Vec<String>>,
    /// The data rows after the hashtag row, with their row numbers in the file.
    pub rows: Vec<(usize, Vec<String>)>,
    /// The hashtag row's number in the file (1-based).
    pub hashtag_row: usize,
}

impl Tagged {
    /// The first column matching `pattern`.
    pub fn column(&self, pattern: &str) -> Option<usize> {
        let pattern = TagPattern::new(pattern);
        self.tags
            .iter()
            .position(|t| t.as_ref().is_some_and(|t| pattern.matches(t)))
    }
}

/// Whether a row is a hashtag row: some cells are hashtags and at least half of the non-empty
/// cells are (a free-text header that happens to start with `#` does not make one).
fn is_hashtag_row(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
    let tags = filled.iter().filter(|c| Tag::parse(c).is_some()).count();
    tags > 0 && tags * 2 >= filled.len()
}

/// The records read through their hashtag row, if one of the first records is one. Records
/// are every row of the file with its number, the first included (CSV files may have rows
/// of any width before the hashtags: see `table::read_csv_records`).
pub fn find_hashtags(records: &[(usize, Vec<String>)]) -> Option<Tagged> {
    let position = records
        .iter()
        .take(SEARCH_ROWS)
        .position(|(_, cells)| is_hashtag_row(cells))?;
    let (number, cells) = &records[position];
    Some(Tagged {
        tags: cells.iter().map(|c| Tag::parse(c)).collect(),
        headers: position
            .checked_sub(1)
            .map(|above| records[above].1.clone()),
        rows: records[position + 1..].to_vec(),
        hashtag_row: *number,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_patterns_follow_the_standard() {
        let tag = Tag::parse(" #Affected +F + Children ").unwrap();
        assert_eq!(tag.to_string(), "#affected+f+children");
        assert!(Tag::parse("#adm1+name").is_some());
        assert_eq!(Tag::parse("Affected"), None);
        assert_eq!(Tag::parse("#2x"), None, "a name starts with a letter");
        assert_eq!(Tag::parse("#org+"), None);
        assert!(TagPattern::new("#affected+f").matches(&tag));
        assert!(!TagPattern::new("#affected+f-children").matches(&tag));
        assert!(!TagPattern::new("#affected+m").matches(&tag));
        assert!(TagPattern::new("#AFFECTED").matches(&tag));
    }

    #[test]
    fn the_hashtag_row_is_found_below_other_header_rows() {
        let records = vec![
            (1, vec!["".into(), "¿Qué?".into()]),
            (
                2,
                vec!["Registro".into(), "Sector".into(), "Hombres".into()],
            ),
            (
                3,
                vec!["".into(), "#sector+es".into(), "#targeted+m".into()],
            ),
            (4, vec!["001".into(), "WASH".into(), "100".into()]),
        ];
        let tagged = find_hashtags(&records).unwrap();
        assert_eq!(tagged.hashtag_row, 3);
        assert_eq!(tagged.rows.len(), 1);
        assert_eq!(tagged.column("#targeted+m"), Some(2));
        assert_eq!(tagged.column("#sector"), Some(1));
        assert_eq!(tagged.column("#org"), None);
        assert_eq!(tagged.headers.unwrap()[2], "Hombres");
    }

    #[test]
    fn a_table_without_hashtags_has_none() {
        let records = vec![
            (1, vec!["#".into(), "commentaire".into(), "date".into()]),
            (2, vec!["1".into(), "#urgent".into(), "2026-01-01".into()]),
        ];
        assert!(find_hashtags(&records).is_none());
    }
}
