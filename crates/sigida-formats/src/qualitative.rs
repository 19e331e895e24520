//! A coded-notes workbook: sheet `notes` (code, type, groupe, sexe, date, texte), sheet
//! `codes` (code, libellé, thème) and sheet `extraits` (note, extrait, codes), as analysts
//! keep them in a spreadsheet. Read whole or refused, each problem located.

use std::collections::BTreeMap;

use sigida_core::actors::GroupKind;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::Theme;
use sigida_core::id::Id;
use sigida_core::meeting::Sex;
use sigida_core::personal::Personal;
use sigida_core::qualitative::{Code, Excerpt, InterviewNote, NoteKind};

use crate::table::Table;
use crate::{FormatError, Location, Refusal};

/// What the workbook holds, ready to store: the codes it adds to the codebook, its notes and
/// their excerpts (in order).
#[derive(Debug)]
pub struct CodedNotes {
    pub new_codes: Vec<Code>,
    pub notes: Vec<InterviewNote>,
    pub excerpts: Vec<Excerpt>,
}

fn lower(text: &str) -> String {
    text.trim().to_lowercase()
}

fn parse_kind(text: &str) -> Option<NoteKind> {
    match lower(text).as_str() {
        "kii" | "ic" | "informateur clé" | "informateurs clés" | "entretien" | "key informant" => {
            Some(NoteKind::KeyInformant)
        }
        "fgd" | "gd" | "groupe de discussion" | "focus group" | "focus" => {
            Some(NoteKind::FocusGroup)
        }
        _ => None,
    }
}

fn parse_group(text: &str) -> Result<Option<GroupKind>, ()> {
    let t = lower(text);
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(g) = t.parse::<GroupKind>() {
        return Ok(Some(g));
    }
    Ok(Some(match t.as_str() {
        "femmes" => GroupKind::Women,
        "jeunes" => GroupKind::Youth,
        "rapatriés" | "rapatries" => GroupKind::Returnees,
        "migrants" | "migrants en transit" => GroupKind::MigrantsInTransit,
        "déplacés" | "deplaces" | "pdi" => GroupKind::Displaced,
        "hôtes" | "communauté hôte" | "communaute hote" => GroupKind::HostCommunity,
        "personnes handicapées" | "handicap" => GroupKind::PeopleWithDisabilities,
        "orpailleurs" => GroupKind::GoldMiners,
        "éleveurs" | "eleveurs" => GroupKind::Herders,
        "agriculteurs" => GroupKind::Farmers,
        "commerçants" | "transporteurs" | "commerçants et transporteurs" => {
            GroupKind::TradersTransporters
        }
        "familles d'émigrés" | "familles d'emigres" => GroupKind::EmigrantFamilies,
        _ => return Err(()),
    }))
}

fn parse_sex(text: &str) -> Result<Option<Sex>, ()> {
    match lower(text).as_str() {
        "" | "mixte" | "mixed" => Ok(None),
        "f" | "femme" | "femmes" | "female" => Ok(Some(Sex::Female)),
        "h" | "m" | "homme" | "hommes" | "male" => Ok(Some(Sex::Male)),
        _ => Err(()),
    }
}

fn parse_theme(text: &str) -> Option<Theme> {
    let t = lower(text);
    t.parse::<Theme>().ok().or(match t.as_str() {
        "migration et flux" | "flux" => Some(Theme::Migration),
        "sécurité" | "securite" => Some(Theme::Security),
        "moyens de subsistance" | "économie" => Some(Theme::Livelihoods),
        "cohésion sociale" | "cohesion sociale" => Some(Theme::SocialCohesion),
        "gouvernance" => Some(Theme::Governance),
        _ => None,
    })
}

/// Reads the three sheets. `codebook`: the codes the diagnostic already has (reused by code);
/// `localities`: the community's, which the notes' optional `localité` column names.
pub fn read_coded_notes(
    tables: &[Table],
    diagnostic: Id<Diagnostic>,
    community: Id<Community>,
    codebook: &[Code],
    localities: &[sigida_core::geography::Locality],
) -> Result<CodedNotes, Vec<FormatError>> {
    let mut problems = Vec::new();
    let sheet = |name: &str| {
        tables
            .iter()
            .find(|t| t.sheet.as_deref().is_some_and(|s| lower(s) == name))
    };
    let file = tables.first().map_or(String::new(), |t| t.file.clone());
    let missing_sheet = |name: &str| {
        FormatError::new(
            Location {
                file: file.clone(),
                ..Location::default()
            },
            Refusal::new("notes.sheet").arg("sheet", name),
        )
    };
    let (Some(notes_sheet), Some(codes_sheet), Some(excerpts_sheet)) =
        (sheet("notes"), sheet("codes"), sheet("extraits"))
    else {
        return Err(["notes", "codes", "extraits"]
            .into_iter()
            .filter(|n| sheet(n).is_none())
            .map(missing_sheet)
            .collect());
    };
    let columns = |t: &Table, names: &[&str]| -> Result<Vec<usize>, FormatError> {
        names
            .iter()
            .map(|n| {
                t.headers
                    .iter()
                    .position(|h| lower(h) == *n)
                    .ok_or_else(|| {
                        FormatError::new(
                            t.location(),
                            Refusal::new("file.column")
                                .arg("column", *n)
                                .arg("expected", names.join(", ")),
                        )
                    })
            })
            .collect()
    };
    let cell =
        |cells: &[String], c: usize| cells.get(c).map_or(String::new(), |v| v.trim().to_owned());

    // The codebook: existing codes, then the sheet's new ones.
    let mut codes: BTreeMap<String, Id<Code>> =
        codebook.iter().map(|c| (c.code.clone(), c.id)).collect();
    let mut new_codes = Vec::new();
    match columns(codes_sheet, &["code", "libellé", "thème"]) {
        Err(e) => problems.push(e),
        Ok(c) => {
            for (row, cells) in &codes_sheet.rows {
                let code = cell(cells, c[0]);
                if code.is_empty() || codes.contains_key(&code) {
                    continue;
                }
                let Some(theme) = parse_theme(&cell(cells, c[2])) else {
                    problems.push(FormatError::new(
                        codes_sheet.at(*row, Some("thème")),
                        Refusal::new("notes.theme").arg("value", cell(cells, c[2])),
                    ));
                    continue;
                };
                let id = Id::new();
                codes.insert(code.clone(), id);
                new_codes.push(Code {
                    id,
                    diagnostic_id: diagnostic,
                    code,
                    label: cell(cells, c[1]),
                    theme,
                });
            }
        }
    }

    let mut notes = Vec::new();
    match columns(
        notes_sheet,
        &["code", "type", "groupe", "sexe", "date", "texte"],
    ) {
        Err(e) => problems.push(e),
        Ok(c) => {
            let place_column = ["localité", "localite", "locality"]
                .iter()
                .find_map(|name| notes_sheet.column(name));
            for (row, cells) in &notes_sheet.rows {
                let at = |column: &str| notes_sheet.at(*row, Some(column));
                let place = place_column.map(|i| cell(cells, i)).unwrap_or_default();
                let locality = if place.is_empty() {
                    Ok(None)
                } else {
                    localities
                        .iter()
                        .find(|l| lower(&l.name) == lower(&place))
                        .map(|l| Some(l.id))
                        .ok_or(())
                };
                if locality.is_err() {
                    let known: Vec<&str> = localities.iter().map(|l| l.name.as_str()).collect();
                    problems.push(FormatError::new(
                        at("localité"),
                        Refusal::new("notes.locality")
                            .arg("value", place.as_str())
                            .arg("known", known.join(", ")),
                    ));
                }
                let code = cell(cells, c[0]);
                if code.is_empty() {
                    problems.push(FormatError::new(at("code"), Refusal::new("notes.code")));
                    continue;
                }
                let kind = parse_kind(&cell(cells, c[1]));
                let group = parse_group(&cell(cells, c[2]));
                let sex = parse_sex(&cell(cells, c[3]));
                let date = crate::parse_date(&cell(cells, c[4]));
                if kind.is_none() {
                    problems.push(FormatError::new(
                        at("type"),
                        Refusal::new("notes.kind").arg("value", cell(cells, c[1])),
                    ));
                }
                if group.is_err() {
                    problems.push(FormatError::new(
                        at("groupe"),
                        Refusal::new("notes.group").arg("value", cell(cells, c[2])),
                    ));
                }
                if sex.is_err() {
                    problems.push(FormatError::new(
                        at("sexe"),
                        Refusal::new("notes.sex").arg("value", cell(cells, c[3])),
                    ));
                }
                if date.is_none() {
                    problems.push(FormatError::new(
                        at("date"),
                        Refusal::new("notes.date").arg("value", cell(cells, c[4])),
                    ));
                }
                if let (Some(kind), Ok(group), Ok(sex), Some(held_on), Ok(locality_id)) =
                    (kind, group, sex, date, locality)
                {
                    notes.push(InterviewNote {
                        id: Id::new(),
                        community_id: community,
                        kind,
                        code,
                        group,
                        sex,
                        held_on,
                        text: Personal::new(cell(cells, c[5])),
                        locality_id,
                    });
                }
            }
        }
    }

    let mut excerpts = Vec::new();
    match columns(excerpts_sheet, &["note", "extrait", "codes"]) {
        Err(e) => problems.push(e),
        Ok(c) => {
            for (row, cells) in &excerpts_sheet.rows {
                let at = |column: &str| excerpts_sheet.at(*row, Some(column));
                let note_code = cell(cells, c[0]);
                let note = notes.iter().find(|n| n.code == note_code);
                if note.is_none() {
                    problems.push(FormatError::new(
                        at("note"),
                        Refusal::new("notes.note").arg("value", note_code.as_str()),
                    ));
                }
                let mut ids = Vec::new();
                for code in cell(cells, c[2])
                    .split([',', ';', ' '])
                    .filter(|c| !c.is_empty())
                {
                    match codes.get(code) {
                        Some(id) => ids.push(*id),
                        None => problems.push(FormatError::new(
                            at("codes"),
                            Refusal::new("notes.unknown_code").arg("value", code),
                        )),
                    }
                }
                if ids.is_empty() {
                    problems.push(FormatError::new(at("codes"), Refusal::new("notes.no_code")));
                }
                if let Some(note) = note {
                    excerpts.push(Excerpt {
                        id: Id::new(),
                        note_id: note.id,
                        text: Personal::new(cell(cells, c[1])),
                        codes: ids,
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(CodedNotes {
            new_codes,
            notes,
            excerpts,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(sheet: &str, rows: &[&[&str]]) -> Table {
        Table::sheet("notes.xlsx", sheet, rows)
    }

    #[test]
    fn a_workbook_is_read_and_existing_codes_reused() {
        let existing = Code {
            id: Id::new(),
            diagnostic_id: Id::new(),
            code: "extorsion".into(),
            label: "Extorsion sur la route".into(),
            theme: Theme::Protection,
        };
        let tables = [
            table(
                "notes",
                &[
                    &["code", "type", "groupe", "sexe", "date", "texte"],
                    &["FGD-1", "fgd", "jeunes", "hommes", "03/02/2026", "…"],
                ],
            ),
            table(
                "codes",
                &[
                    &["code", "libellé", "thème"],
                    &["extorsion", "x", "protection"],
                    &["depart", "Départs", "migration"],
                ],
            ),
            table(
                "extraits",
                &[
                    &["note", "extrait", "codes"],
                    &["FGD-1", "On paie à chaque poste", "extorsion, depart"],
                ],
            ),
        ];
        let read = read_coded_notes(
            &tables,
            Id::new(),
            Id::new(),
            std::slice::from_ref(&existing),
            &[],
        )
        .unwrap();
        assert_eq!(read.new_codes.len(), 1, "the existing code is reused");
        assert_eq!(read.notes[0].group, Some(GroupKind::Youth));
        assert_eq!(read.excerpts[0].codes[0], existing.id);
    }

    #[test]
    fn problems_are_located_and_nothing_is_kept() {
        let tables = [
            table(
                "notes",
                &[
                    &["code", "type", "groupe", "sexe", "date", "texte"],
                    &["KII-1", "entretien", "bergers", "x", "hier", "…"],
                ],
            ),
            table(
                "codes",
                &[&["code", "libellé", "thème"], &["a", "A", "météo"]],
            ),
            table(
                "extraits",
                &[&["note", "extrait", "codes"], &["KII-9", "…", "b"]],
            ),
        ];
        let problems = read_coded_notes(&tables, Id::new(), Id::new(), &[], &[]).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 7, "{text:#?}");
        assert!(problems.iter().any(|p| p.code() == "notes.group"
            && p.arg("value") == Some("bergers")
            && p.at.row == Some(2)));
        assert!(problems.iter().any(|p| p.arg("value") == Some("KII-9")));
    }
}

#[cfg(test)]
mod locality_tests {
    use super::*;
    use sigida_core::geography::{Locality, LocalityKind};

    fn sheet(name: &str, rows: &[&[&str]]) -> Table {
        Table {
            file: "notes.xlsx".into(),
            sheet: Some(name.into()),
            headers: rows[0].iter().map(|c| c.to_string()).collect(),
            rows: rows[1..]
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_note_names_its_locality_and_an_unknown_one_is_refused_at_its_row() {
        let locality = Locality {
            id: Id::new(),
            community_id: Id::new(),
            name: "Sobokou".into(),
            kind: LocalityKind::Village,
            admin_pcode: None,
            cod_version: None,
            latitude: None,
            longitude: None,
            population: None,
            population_source: String::new(),
            population_year: None,
        };
        let tables = |place: &str| {
            [
                sheet(
                    "notes",
                    &[
                        &[
                            "code",
                            "type",
                            "groupe",
                            "sexe",
                            "date",
                            "texte",
                            "localité",
                        ],
                        &["KII-1", "kii", "", "hommes", "2026-02-03", "…", place],
                        &["KII-2", "kii", "", "hommes", "2026-02-03", "…", ""],
                    ],
                ),
                sheet("codes", &[&["code", "libellé", "thème"]]),
                sheet("extraits", &[&["note", "extrait", "codes"]]),
            ]
        };
        let read = read_coded_notes(
            &tables("sobokou"),
            Id::new(),
            locality.community_id,
            &[],
            std::slice::from_ref(&locality),
        )
        .unwrap();
        assert_eq!(read.notes[0].locality_id, Some(locality.id));
        assert_eq!(read.notes[1].locality_id, None, "the column may stay blank");
        let problems = read_coded_notes(
            &tables("Kayes"),
            Id::new(),
            locality.community_id,
            &[],
            std::slice::from_ref(&locality),
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code(), "notes.locality");
        assert_eq!(problems[0].arg("known"), Some("Sobokou"));
        assert_eq!(problems[0].at.row, Some(2));
    }
}
