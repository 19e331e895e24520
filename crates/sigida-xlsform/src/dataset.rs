//! An export as its form sees it: the main table of submissions and one table per repeat,
//! every repeat row tied to its submission and to its parent row, nested repeats included.
//!
//! The tools link rows each their own way — Kobo's workbook by `_index` / `_parent_index`
//! (and `_submission__uuid`), ODK Central and Briefcase by `KEY` / `PARENT_KEY` in one CSV per
//! repeat (`SET-OF-roster` in the main file) — and Sigida gives every repeat row the same
//! stable address whatever the tool: the submission's uuid and the row's path below it,
//! `roster[2]` or `roster[2]/vaccins[1]` (the `n`-th row of that repeat under its parent, in
//! file order), which is what the cleaning log's `loop_index` names.

use std::collections::HashMap;

use sigida_formats::FormatError;
use sigida_formats::table::Table;

use crate::export::{Meta, SubmissionId, meta_of, unmangle_header};
use crate::form::{Form, GroupKind};

/// Where one repeat row belongs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    /// The submission's uuid; `None` for an orphan (its parent is in no table).
    pub submission: Option<String>,
    /// The row's path below its submission: `roster[2]`, `roster[2]/vaccins[1]`.
    pub key: String,
    /// Its parent's path; empty when the parent is the submission itself.
    pub parent: String,
}

/// One repeat's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatRows {
    /// The repeat group (index in `Form::groups`).
    pub repeat: usize,
    pub table: Table,
    /// One per row of `table.rows`.
    pub links: Vec<Link>,
}

/// A row's address: its submission's uuid and its path below it (empty for the submission's
/// own row); `None` for a row that belongs to no submission.
pub type RowKey<'a> = Option<(&'a str, &'a str)>;

/// The addresses of a main table's rows, by their submission id.
pub fn main_keys(main: &Table) -> Vec<RowKey<'_>> {
    let id = SubmissionId::find(&main.headers);
    main.rows
        .iter()
        .map(|(_, cells)| id.and_then(|id| id.of(cells)).map(|u| (u, "")))
        .collect()
}

impl Dataset {
    /// Every table — the main one, then each repeat's — with the repeat it holds and its rows'
    /// addresses.
    pub fn tables(&self) -> Vec<(&Table, Option<usize>, Vec<RowKey<'_>>)> {
        std::iter::once((&self.main, None, main_keys(&self.main)))
            .chain(
                self.repeats
                    .iter()
                    .map(|r| (&r.table, Some(r.repeat), r.keys())),
            )
            .collect()
    }
}

impl RepeatRows {
    /// The addresses of its rows.
    pub fn keys(&self) -> Vec<RowKey<'_>> {
        self.links
            .iter()
            .map(|l| l.submission.as_deref().map(|s| (s, l.key.as_str())))
            .collect()
    }

    pub fn name<'f>(&self, form: &'f Form) -> &'f str {
        &form.groups[self.repeat].name
    }

    pub fn orphans(&self) -> usize {
        self.links.iter().filter(|l| l.submission.is_none()).count()
    }
}

/// The main table and the repeats' tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub main: Table,
    pub repeats: Vec<RepeatRows>,
    /// Sheets or files that are neither the submissions nor a repeat of the form.
    pub ignored: Vec<String>,
}

/// The repeat a sheet or file holds, by its name: the repeat's own name (Kobo cuts sheet names
/// to 31 characters), or a file name ending in it (`form-roster.csv`, `export__roster.csv`).
pub fn repeat_of(form: &Form, sheet: &str) -> Option<usize> {
    let stem = sheet
        .strip_suffix(".csv")
        .or_else(|| sheet.strip_suffix(".CSV"))
        .unwrap_or(sheet);
    let repeats = || {
        form.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.kind == GroupKind::Repeat)
    };
    if let Some((i, _)) = repeats()
        .find(|(_, g)| g.name == stem || (stem.chars().count() >= 31 && g.name.starts_with(stem)))
    {
        return Some(i);
    }
    // The longest repeat name the file name ends with, after a separator.
    repeats()
        .filter(|(_, g)| {
            stem.strip_suffix(g.name.as_str())
                .is_some_and(|rest| rest.ends_with(['-', '_', '.', ' ']))
        })
        .max_by_key(|(_, g)| g.name.len())
        .map(|(i, _)| i)
}

/// The repeat that holds a repeat (its nearest enclosing repeat), `None` at the top.
fn parent_repeat(form: &Form, repeat: usize) -> Option<usize> {
    let mut group = form.groups[repeat].parent;
    while let Some(g) = group {
        if form.groups[g].kind == GroupKind::Repeat {
            return Some(g);
        }
        group = form.groups[g].parent;
    }
    None
}

fn column(table: &Table, meta: &[Meta]) -> Option<usize> {
    table
        .headers
        .iter()
        .position(|h| meta_of(&unmangle_header(h)).is_some_and(|m| meta.contains(&m)))
}

/// Sorts an export's tables into the main table and its repeats (tables that are neither are
/// left out), and links every repeat row.
pub fn assemble(form: &Form, tables: Vec<Table>) -> Result<Dataset, FormatError> {
    let mut main = None;
    let mut repeats: Vec<(usize, Table)> = Vec::new();
    let mut ignored = Vec::new();
    for table in tables {
        match table.sheet.as_deref().and_then(|s| repeat_of(form, s)) {
            Some(repeat) if main.is_some() || !is_main(&table) => repeats.push((repeat, table)),
            _ if main.is_none() => main = Some(table),
            _ => ignored.push(table.sheet.unwrap_or_default()),
        }
    }
    let Some(main) = main else {
        return Err(FormatError::new(
            sigida_formats::Location::default(),
            sigida_formats::Refusal::new("export.no_main"),
        ));
    };
    // Parents before their children.
    let depth = |mut r: usize| {
        let mut d = 0;
        while let Some(p) = parent_repeat(form, r) {
            d += 1;
            r = p;
        }
        d
    };
    repeats.sort_by_key(|(r, _)| depth(*r));
    // Every table's rows by the ids their children use to name them: (submission, path).
    let mut ids: HashMap<Option<usize>, HashMap<String, (String, String)>> = HashMap::new();
    let main_ids = main_ids(&main);
    let submissions: std::collections::HashSet<String> =
        main_ids.values().map(|(uuid, _)| uuid.clone()).collect();
    ids.insert(None, main_ids);
    let mut linked = Vec::new();
    for (repeat, table) in repeats {
        let parent_ids = ids
            .get(&parent_repeat(form, repeat))
            .cloned()
            .unwrap_or_default();
        let mut links = link_rows(form, repeat, &table, &parent_ids);
        // A row naming a submission the main table does not hold has no parent here.
        for link in &mut links {
            if link
                .submission
                .as_ref()
                .is_some_and(|s| !submissions.contains(s))
            {
                *link = Link::default();
            }
        }
        let own = column(&table, &[Meta::Index]).or_else(|| column(&table, &[Meta::Uuid]));
        let mine: HashMap<String, (String, String)> = table
            .rows
            .iter()
            .zip(&links)
            .filter_map(|((_, cells), link)| {
                let id = cells.get(own?)?.trim().to_owned();
                Some((id, (link.submission.clone()?, link.key.clone())))
            })
            .collect();
        ids.insert(Some(repeat), mine);
        linked.push(RepeatRows {
            repeat,
            table,
            links,
        });
    }
    Ok(Dataset {
        main,
        repeats: linked,
        ignored,
    })
}

/// A table of submissions rather than of repeat rows: it has no parent column.
fn is_main(table: &Table) -> bool {
    column(table, &[Meta::ParentIndex]).is_none()
}

/// The main table's rows by `_index`, by `KEY` / instanceID (with and without `uuid:`).
fn main_ids(main: &Table) -> HashMap<String, (String, String)> {
    let mut ids = HashMap::new();
    let Some(id) = SubmissionId::find(&main.headers) else {
        return ids;
    };
    let index = column(main, &[Meta::Index]);
    for (_, cells) in &main.rows {
        let Some(uuid) = id.of(cells) else { continue };
        let mut names: Vec<&str> = [index, id.uuid, id.instance]
            .into_iter()
            .flatten()
            .filter_map(|c| cells.get(c).map(|v| v.trim()))
            .collect();
        names.push(uuid);
        for name in names {
            ids.entry(name.to_owned())
                .or_insert_with(|| (uuid.to_owned(), String::new()));
        }
    }
    ids
}

/// Links each row of a repeat's table to its parent, and numbers it under that parent.
fn link_rows(
    form: &Form,
    repeat: usize,
    table: &Table,
    parent_ids: &HashMap<String, (String, String)>,
) -> Vec<Link> {
    let name = &form.groups[repeat].name;
    let parent = column(table, &[Meta::ParentIndex]);
    let submission = column(table, &[Meta::SubmissionUuid]).or_else(|| {
        // A repeat sheet's `uuid` is its submission's (REACH's exports), unless it is ODK's
        // own `KEY` of the row (`uuid:…/roster[1]`).
        column(table, &[Meta::Uuid]).filter(|&c| {
            table
                .rows
                .iter()
                .all(|(_, cells)| cells.get(c).is_none_or(|v| !v.contains('/')))
        })
    });
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    table
        .rows
        .iter()
        .map(|(_, cells)| {
            let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|v| v.trim());
            let (owner, parent_key) = match cell(parent).and_then(|p| parent_ids.get(p)) {
                Some((uuid, key)) => (Some(uuid.clone()), key.clone()),
                // Without a parent found, a repeat of the submission itself can still name it.
                None if parent_repeat(form, repeat).is_none() => (
                    cell(submission)
                        .map(|u| u.strip_prefix("uuid:").unwrap_or(u).to_owned())
                        .filter(|u| !u.is_empty()),
                    String::new(),
                ),
                None => (None, String::new()),
            };
            let Some(owner) = owner else {
                return Link::default();
            };
            let n = counts
                .entry((owner.clone(), parent_key.clone()))
                .or_insert(0);
            *n += 1;
            let key = if parent_key.is_empty() {
                format!("{name}[{n}]")
            } else {
                format!("{parent_key}/{name}[{n}]")
            };
            Link {
                submission: Some(owner),
                key,
                parent: parent_key,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_sheets;

    fn form() -> Form {
        read_sheets(
            "f.xlsx",
            &[Table::sheet(
                "f.xlsx",
                "survey",
                &[
                    &["type", "name", "label"][..],
                    &["integer", "taille", "Taille"],
                    &["begin_repeat", "membres", "Membres"],
                    &["text", "prenom", "Prénom"],
                    &["begin_repeat", "vaccins", "Vaccins"],
                    &["date", "date_vaccin", "Date"],
                    &["end_repeat", "", ""],
                    &["end_repeat", "", ""],
                ],
            )],
        )
        .unwrap()
    }

    #[test]
    fn kobo_workbooks_link_nested_repeats_to_their_true_parent() {
        let form = form();
        let dataset = assemble(
            &form,
            vec![
                Table::sheet(
                    "x.xlsx",
                    "Enquête",
                    &[
                        &["_uuid", "taille", "_index"][..],
                        &["a", "2", "1"],
                        &["b", "1", "2"],
                    ],
                ),
                Table::sheet(
                    "x.xlsx",
                    "vaccins",
                    &[
                        &[
                            "date_vaccin",
                            "_index",
                            "_parent_index",
                            "_parent_table_name",
                        ][..],
                        &["2026-01-01", "1", "2", "membres"],
                        &["2026-02-01", "2", "2", "membres"],
                        &["2026-03-01", "3", "9", "membres"],
                    ],
                ),
                Table::sheet(
                    "x.xlsx",
                    "membres",
                    &[
                        &["prenom", "_index", "_parent_index", "_submission__uuid"][..],
                        &["Awa", "1", "1", "a"],
                        &["Binta", "2", "1", "a"],
                        &["Coumba", "3", "2", "b"],
                    ],
                ),
            ],
        )
        .unwrap();
        assert_eq!(dataset.main.sheet.as_deref(), Some("Enquête"));
        let keys = |r: &RepeatRows| -> Vec<(Option<String>, String)> {
            r.links
                .iter()
                .map(|l| (l.submission.clone(), l.key.clone()))
                .collect()
        };
        assert_eq!(dataset.repeats[0].name(&form), "membres");
        assert_eq!(
            keys(&dataset.repeats[0]),
            [
                (Some("a".into()), "membres[1]".into()),
                (Some("a".into()), "membres[2]".into()),
                (Some("b".into()), "membres[1]".into()),
            ]
        );
        // Vaccinations belong to Binta (row _index 2 of membres), not to submission 2.
        assert_eq!(
            keys(&dataset.repeats[1]),
            [
                (Some("a".into()), "membres[2]/vaccins[1]".into()),
                (Some("a".into()), "membres[2]/vaccins[2]".into()),
                (None, String::new()),
            ]
        );
        assert_eq!(dataset.repeats[1].orphans(), 1);
    }

    #[test]
    fn a_repeat_sheet_without_parent_index_follows_its_submission_uuid() {
        let form = form();
        let dataset = assemble(
            &form,
            vec![
                Table::sheet("x.xlsx", "main", &[&["_uuid", "taille"][..], &["a", "2"]]),
                Table::sheet(
                    "x.xlsx",
                    "membres",
                    &[
                        &["prenom", "_submission__uuid"][..],
                        &["Awa", "a"],
                        &["Binta", "a"],
                        &["Inconnue", "zz"],
                    ],
                ),
            ],
        )
        .unwrap();
        let links = &dataset.repeats[0].links;
        assert_eq!(links[1].submission.as_deref(), Some("a"));
        assert_eq!(links[1].key, "membres[2]");
        assert_eq!(
            links[2],
            Link::default(),
            "submission zz is not in the file"
        );
        assert_eq!(dataset.repeats[0].orphans(), 1);
    }

    #[test]
    fn odk_csv_files_link_by_key_and_parent_key() {
        let form = form();
        let dataset = assemble(
            &form,
            vec![
                Table::sheet(
                    "odk.zip",
                    "menage.csv",
                    &[
                        &[
                            "SubmissionDate",
                            "taille",
                            "meta-instanceID",
                            "KEY",
                            "SET-OF-membres",
                        ][..],
                        &["2026-01-05", "2", "uuid:a", "uuid:a", "uuid:a/membres"],
                    ],
                ),
                Table::sheet(
                    "odk.zip",
                    "menage-membres.csv",
                    &[
                        &["prenom", "PARENT_KEY", "KEY", "SET-OF-vaccins"][..],
                        &["Awa", "uuid:a", "uuid:a/membres[1]", ""],
                        &["Binta", "uuid:a", "uuid:a/membres[2]", ""],
                    ],
                ),
                Table::sheet(
                    "odk.zip",
                    "menage-vaccins.csv",
                    &[
                        &["date_vaccin", "PARENT_KEY", "KEY"][..],
                        &[
                            "2026-01-01",
                            "uuid:a/membres[2]",
                            "uuid:a/membres[2]/vaccins[1]",
                        ],
                    ],
                ),
            ],
        )
        .unwrap();
        assert_eq!(dataset.repeats.len(), 2);
        assert_eq!(
            dataset.repeats[1].links[0],
            Link {
                submission: Some("a".into()),
                key: "membres[2]/vaccins[1]".into(),
                parent: "membres[2]".into(),
            }
        );
    }
}
