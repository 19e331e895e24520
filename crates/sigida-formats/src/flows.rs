//! Flow monitoring sheets (*registre de suivi des flux*) as flow counts. Columns are found by
//! their HXL hashtags when the file has a hashtag row (wherever it is), else by their headers
//! in French or English. A file is read whole or refused: every problem is reported with its
//! row and column, and nothing is kept from a file with one.

use sigida_core::community::Community;
use sigida_core::flows::{Direction, FlowCount};
use sigida_core::id::Id;
use sigida_core::instrument::RawImport;

use crate::hxl::find_hashtags;
use crate::{FormatError, Location, Refusal};

/// What a flow sheet's column may hold, how HXL tags it and how people head it.
struct Field {
    name: &'static str,
    tags: &'static [&'static str],
    headers: &'static [&'static str],
}

const POINT: Field = Field {
    name: "point de suivi",
    tags: &["#loc+fmp", "#loc+point", "#loc+name"],
    headers: &[
        "point de suivi",
        "point",
        "fmp",
        "flow monitoring point",
        "monitoring point",
    ],
};
const DATE: Field = Field {
    name: "date",
    tags: &["#date-reported", "#date"],
    headers: &[
        "date",
        "date de l'observation",
        "date d'observation",
        "observation date",
    ],
};
const DIRECTION: Field = Field {
    name: "direction",
    tags: &["#direction", "#meta+direction", "#indicator+direction"],
    headers: &["direction", "sens", "type de flux", "flow type"],
};
const ORIGIN: Field = Field {
    name: "origine",
    tags: &[
        "#loc+origin",
        "#country+name+origin",
        "#adm1+name+origin",
        "#adm2+name+origin",
    ],
    headers: &["origine", "provenance", "origin", "lieu d'origine"],
};
const DESTINATION: Field = Field {
    name: "destination",
    tags: &[
        "#loc+destination",
        "#country+name+destination",
        "#adm1+name+destination",
        "#adm2+name+destination",
    ],
    headers: &["destination", "lieu de destination", "destination prévue"],
};
const NATIONALITY: Field = Field {
    name: "nationalité",
    tags: &[
        "#country+name+nationality",
        "#meta+nationality",
        "#nationality",
    ],
    headers: &["nationalité", "nationalite", "nationality"],
};
const TRANSPORT: Field = Field {
    name: "transport",
    tags: &["#meta+transport", "#transport"],
    headers: &["transport", "moyen de transport", "means of transport"],
};
const TRAVELLERS: Field = Field {
    name: "voyageurs",
    tags: &[
        "#affected+total",
        "#population+total",
        "#affected+ind-m-f-children-adults",
    ],
    headers: &[
        "voyageurs",
        "nombre de voyageurs",
        "total",
        "travellers",
        "individus",
    ],
};
const MEN: Field = Field {
    name: "hommes",
    tags: &["#affected+m+adults"],
    headers: &["hommes", "men"],
};
const WOMEN: Field = Field {
    name: "femmes",
    tags: &["#affected+f+adults"],
    headers: &["femmes", "women"],
};
const BOYS: Field = Field {
    name: "garçons",
    tags: &["#affected+m+children"],
    headers: &["garçons", "garcons", "boys"],
};
const GIRLS: Field = Field {
    name: "filles",
    tags: &["#affected+f+children"],
    headers: &["filles", "girls"],
};
const UNACCOMPANIED: Field = Field {
    name: "enfants non accompagnés",
    tags: &["#affected+children+unaccompanied"],
    headers: &[
        "enfants non accompagnés",
        "enfants non accompagnes",
        "unaccompanied children",
        "unaccompanied_children",
        "enfants seuls",
    ],
};
const VULNERABLE: Field = Field {
    name: "vulnérables",
    tags: &["#affected+vulnerable"],
    headers: &[
        "vulnérables",
        "vulnerables",
        "voyageurs vulnérables",
        "vulnerable",
    ],
};

/// Headers compare without case or surrounding spaces (unaccented spellings are listed).
fn same_header(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Where each field is in the sheet.
struct Columns {
    columns: Vec<Option<usize>>,
    /// The file's name for each column, for messages: the tag or the header.
    names: Vec<String>,
}

const FIELDS: [&Field; 14] = [
    &POINT,
    &DATE,
    &DIRECTION,
    &ORIGIN,
    &DESTINATION,
    &NATIONALITY,
    &TRANSPORT,
    &TRAVELLERS,
    &MEN,
    &WOMEN,
    &BOYS,
    &GIRLS,
    &UNACCOMPANIED,
    &VULNERABLE,
];

/// Reads a flow sheet's records (every row of the file with its number, the first included).
/// `file` names the file in messages.
pub fn read_flow_counts(
    file: &str,
    sheet: Option<&str>,
    records: &[(usize, Vec<String>)],
    community: Id<Community>,
    import: Option<Id<RawImport>>,
) -> Result<Vec<FlowCount>, Vec<FormatError>> {
    let at = |row: Option<usize>, column: Option<&str>| Location {
        file: file.to_owned(),
        sheet: sheet.map(str::to_owned),
        row,
        column: column.map(str::to_owned),
    };
    let fields = FIELDS;
    let (columns, rows) = match find_hashtags(records) {
        Some(tagged) => {
            let columns: Vec<Option<usize>> = fields
                .iter()
                .map(|f| f.tags.iter().find_map(|t| tagged.column(t)))
                .collect();
            let names = columns
                .iter()
                .zip(&fields)
                .map(|(c, f)| {
                    c.and_then(|c| tagged.tags[c].as_ref())
                        .map_or_else(|| f.name.to_owned(), ToString::to_string)
                })
                .collect();
            (Columns { columns, names }, tagged.rows)
        }
        None => {
            let Some((_, headers)) = records.first() else {
                return Err(vec![FormatError::new(
                    at(None, None),
                    Refusal::new("file.empty"),
                )]);
            };
            let columns: Vec<Option<usize>> = fields
                .iter()
                .map(|f| {
                    headers
                        .iter()
                        .position(|h| f.headers.iter().any(|name| same_header(h, name)))
                })
                .collect();
            let names = columns
                .iter()
                .zip(&fields)
                .map(|(c, f)| c.map_or_else(|| f.name.to_owned(), |c| headers[c].trim().to_owned()))
                .collect();
            (Columns { columns, names }, records[1..].to_vec())
        }
    };
    let index = |f: &Field| fields.iter().position(|g| g.name == f.name).unwrap_or(0);
    let has = |f: &Field| columns.columns[index(f)].is_some();
    let breakdown = [&MEN, &WOMEN, &BOYS, &GIRLS];
    let mut missing: Vec<&str> = [&DATE, &DIRECTION, &ORIGIN, &DESTINATION]
        .iter()
        .filter(|f| !has(f))
        .map(|f| f.name)
        .collect();
    if !has(&TRAVELLERS) && !breakdown.iter().all(|f| has(f)) {
        missing.push("voyageurs (ou hommes, femmes, garçons et filles)");
    }
    if !missing.is_empty() {
        return Err(vec![FormatError::new(
            at(None, None),
            Refusal::new("flows.columns").arg("columns", missing.join(", ")),
        )]);
    }

    let mut counts = Vec::new();
    let mut problems = Vec::new();
    for (row, cells) in &rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let text = |f: &Field| {
            columns.columns[index(f)]
                .and_then(|c| cells.get(c))
                .map_or("", |c| c.trim())
        };
        let here = |f: &Field| at(Some(*row), Some(&columns.names[index(f)]));
        let mut problem = |f: &Field, what: Refusal| problems.push(FormatError::new(here(f), what));
        let mut number = |f: &Field| -> Option<u32> {
            let value = text(f);
            if value.is_empty() {
                return Some(0);
            }
            match whole_count(value) {
                Some(n) => Some(n),
                None => {
                    problem(f, Refusal::new("flows.people").arg("value", value));
                    None
                }
            }
        };
        let (men, women, boys, girls) =
            (number(&MEN), number(&WOMEN), number(&BOYS), number(&GIRLS));
        let (unaccompanied, vulnerable) = (number(&UNACCOMPANIED), number(&VULNERABLE));
        let total = if has(&TRAVELLERS) && !text(&TRAVELLERS).is_empty() {
            number(&TRAVELLERS)
        } else {
            match (men, women, boys, girls) {
                (Some(a), Some(b), Some(c), Some(d)) => Some(a + b + c + d),
                _ => None,
            }
        };
        let date = crate::parse_date(text(&DATE));
        if date.is_none() {
            problem(&DATE, Refusal::new("flows.date").arg("value", text(&DATE)));
        }
        let direction = parse_direction(text(&DIRECTION));
        if direction.is_none() {
            problem(
                &DIRECTION,
                Refusal::new("flows.direction").arg("value", text(&DIRECTION)),
            );
        }
        for f in [&ORIGIN, &DESTINATION] {
            if text(f).is_empty() {
                problem(f, Refusal::new("flows.place"));
            }
        }
        let (Some(date), Some(direction), Some(travellers)) = (date, direction, total) else {
            continue;
        };
        let (
            Some(men),
            Some(women),
            Some(boys),
            Some(girls),
            Some(unaccompanied),
            Some(vulnerable),
        ) = (men, women, boys, girls, unaccompanied, vulnerable)
        else {
            continue;
        };
        let count = FlowCount {
            community_id: community,
            import_id: import,
            source_row: u32::try_from(*row).ok(),
            point: text(&POINT).to_owned(),
            date,
            direction,
            origin: text(&ORIGIN).to_owned(),
            destination: text(&DESTINATION).to_owned(),
            nationality: text(&NATIONALITY).to_owned(),
            transport: text(&TRANSPORT).to_owned(),
            travellers,
            men,
            women,
            boys,
            girls,
            unaccompanied_children: unaccompanied,
            vulnerable,
        };
        match count.check() {
            Ok(()) => counts.push(count),
            Err(e) => problems.push(FormatError::new(at(Some(*row), None), e.refusal())),
        }
    }
    if problems.is_empty() {
        Ok(counts)
    } else {
        Err(problems)
    }
}

/// A whole number of people: digits, maybe written `12.0` by a spreadsheet.
fn whole_count(value: &str) -> Option<u32> {
    let digits = value.strip_suffix(".0").unwrap_or(value);
    digits.parse::<u32>().ok()
}

fn parse_direction(value: &str) -> Option<Direction> {
    let lower = value.trim().to_lowercase();
    match lower.as_str() {
        "entrant" | "entrants" | "entrée" | "entree" | "incoming" | "in" | "arrivée" => {
            Some(Direction::Incoming)
        }
        "sortant" | "sortants" | "sortie" | "outgoing" | "out" | "départ" | "depart" => {
            Some(Direction::Outgoing)
        }
        "interne" | "internes" | "internal" | "transit" => Some(Direction::Internal),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(lines: &[&str]) -> Vec<(usize, Vec<String>)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.split(',').map(str::to_owned).collect()))
            .collect()
    }

    #[test]
    fn french_headers_are_read() {
        let rows = records(&[
            "Point de suivi,Date,Sens,Origine,Destination,Nationalité,Hommes,Femmes,Garçons,Filles,Enfants non accompagnés",
            "Diboli,2026-03-02,Sortant,Kayes,Dakar,Malienne,10,4,2,1,1",
            "Diboli,03/03/2026,entrant,Dakar,Kayes,Sénégalaise,3,1,0,0,",
        ]);
        let counts = read_flow_counts("f.csv", None, &rows, Id::new(), None).unwrap();
        assert_eq!(counts.len(), 2);
        assert_eq!(
            counts[0].travellers, 17,
            "the total is the sum of the breakdown"
        );
        assert_eq!(counts[1].direction, Direction::Incoming);
        assert_eq!(counts[1].date.to_string(), "2026-03-03");
        assert_eq!(counts[1].source_row, Some(3));
    }

    #[test]
    fn hashtags_win_over_headers_wherever_the_row_is() {
        let rows = records(&[
            "Registre des flux — Gao,,,,,",
            "Jour,Vers,De,A,Personnes,Enfants seuls",
            "#date,#direction,#loc+origin,#loc+destination,#affected+total,#affected+children+unaccompanied",
            "2026-04-01,sortant,Gao,Tamanrasset,25,2",
        ]);
        let counts = read_flow_counts("f.csv", None, &rows, Id::new(), None).unwrap();
        assert_eq!(counts[0].travellers, 25);
        assert_eq!(counts[0].destination, "Tamanrasset");
        assert_eq!(counts[0].unaccompanied_children, 2);
    }

    #[test]
    fn every_problem_is_named_and_nothing_is_kept() {
        let rows = records(&[
            "date,direction,origine,destination,voyageurs,hommes",
            "2026-13-01,sortant,Kayes,Dakar,5,1",
            "2026-03-01,nord,Kayes,,x,1",
            "2026-03-02,sortant,Kayes,Dakar,5,9",
        ]);
        let problems = read_flow_counts("f.csv", None, &rows, Id::new(), None).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 5, "{text:#?}");
        let found = |row: usize, code: &str| {
            problems
                .iter()
                .any(|p| p.at.row == Some(row) && p.code() == code)
        };
        assert!(found(2, "flows.date"), "{text:#?}");
        assert!(found(3, "flows.direction") && found(3, "flows.people"));
        assert!(found(3, "flows.place") && found(4, "flows.breakdown"));
        assert!(problems.iter().any(|p| p.arg("value") == Some("nord")));
    }

    #[test]
    fn a_sheet_without_the_needed_columns_says_which() {
        let rows = records(&["date,origine,total", "2026-03-01,Kayes,3"]);
        let problems = read_flow_counts("f.csv", None, &rows, Id::new(), None).unwrap_err();
        assert_eq!(
            problems[0].arg("columns"),
            Some("direction, destination"),
            "{}",
            problems[0]
        );
    }
}
