//! COD-AB lists of P-codes, in either layout OCHA publishes:
//!
//! - **long**: one row per unit, `P-Code`, `Admin Level`, `Name`, `Parent P-Code`,
//!   `Valid from date`, `Version` (HDX's country fixtures, Mali's v03 list);
//! - **wide**: one sheet per level with `adm{n}_pcode`, `adm{n}_name` and every parent
//!   level's columns, `valid_on`, `version_no` (the official COD-AB workbooks).
//!
//! Every unit keeps its COD version: the same P-code means different places in different versions.

use std::collections::HashMap;

use sigida_core::geography::AdminUnit;

use crate::table::Table;
use crate::{FormatError, Location, Refusal};

/// The units read, and the rows left aside (with where and why).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodList {
    pub units: Vec<AdminUnit>,
    /// Where each unit was read (the row of its first reading), beside `units`.
    pub places: Vec<Location>,
    pub skipped: Vec<FormatError>,
}

/// The country a COD-AB file must describe: the diagnostic's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country<'a> {
    /// ISO 3166-1 alpha-3 (`MLI`).
    pub iso3: &'a str,
    /// The P-code prefix, its alpha-2 code (`ML`).
    pub prefix: &'a str,
}

impl Country<'_> {
    /// A P-code of this country: its prefix, or the country's own alpha-3 code (level 0 of the
    /// long layout).
    fn check(
        &self,
        table: &Table,
        row: usize,
        column: &str,
        pcode: &str,
    ) -> Result<(), FormatError> {
        let upper = pcode.to_ascii_uppercase();
        if upper.starts_with(self.prefix) || upper == self.iso3 {
            return Ok(());
        }
        Err(FormatError::new(
            table.at(row, Some(column)),
            Refusal::new("cod.other_country")
                .arg("pcode", pcode)
                .arg("iso3", self.iso3)
                .arg("prefix", self.prefix),
        ))
    }
}

/// Reads the admin units of every table that has P-codes; `version` is used where the
/// file carries none, and must agree with the file where it does. With `country`, a P-code of
/// another country refuses the file; a P-code that does not start with its parent's does too.
/// Every problem of the file is listed, each at its row.
pub fn read_cod(
    tables: &[Table],
    version: Option<&str>,
    country: Option<Country<'_>>,
) -> Result<CodList, Vec<FormatError>> {
    let mut list = CodList::default();
    let mut problems = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut any = false;
    for table in tables {
        let found = if table.column("P-Code").is_some() && table.column("Admin Level").is_some() {
            read_long(table, version, country, &mut list, &mut problems)
        } else if (0..=9).any(|l| table.column(&format!("adm{l}_pcode")).is_some()) {
            read_wide(table, version, country, &mut list, &mut problems)
        } else {
            continue;
        };
        any = true;
        for (unit, place) in found {
            let key = (unit.pcode.clone(), unit.cod_version.clone());
            if let Some(&i) = seen.get(&key) {
                // Wide sheets repeat every parent on each child row; the first reading stands.
                if list.units[i].level != unit.level {
                    problems.push(FormatError::new(
                        place,
                        Refusal::new("cod.two_levels")
                            .arg("pcode", unit.pcode.clone())
                            .arg("first", list.units[i].level.to_string())
                            .arg("second", unit.level.to_string()),
                    ));
                }
                continue;
            }
            seen.insert(key, list.units.len());
            list.units.push(unit);
            list.places.push(place);
        }
    }
    if !any {
        let file = tables.first().map(|t| t.file.clone()).unwrap_or_default();
        problems.push(FormatError::new(
            Location {
                file,
                ..Location::default()
            },
            Refusal::new("cod.no_pcodes"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut order: Vec<usize> = (0..list.units.len()).collect();
    order.sort_by(|&a, &b| {
        (list.units[a].level, &list.units[a].pcode)
            .cmp(&(list.units[b].level, &list.units[b].pcode))
    });
    list.units = order.iter().map(|&i| list.units[i].clone()).collect();
    list.places = order.iter().map(|&i| list.places[i].clone()).collect();
    Ok(list)
}

/// A unit below a region must carry its parent's P-code at the start of its own (`ML0701`
/// under `ML07`): a P-code that does not is a typing error or a unit filed under the wrong
/// parent.
fn parent_prefix(level: u8, pcode: &str, parent: Option<&str>) -> Option<Refusal> {
    let parent = parent?;
    (level >= 2
        && !pcode
            .to_ascii_uppercase()
            .starts_with(&parent.to_ascii_uppercase()))
    .then(|| {
        Refusal::new("cod.parent_prefix")
            .arg("pcode", pcode)
            .arg("parent", parent)
    })
}

fn cell<'a>(table: &Table, cells: &'a [String], column: &str) -> Option<&'a str> {
    table
        .column(column)
        .and_then(|i| cells.get(i))
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
}

fn version_of(
    table: &Table,
    row: usize,
    from_file: Option<&str>,
    given: Option<&str>,
) -> Result<String, FormatError> {
    match (from_file, given) {
        (Some(file), Some(given)) if file != given => Err(FormatError::new(
            table.at(row, Some("version")),
            Refusal::new("cod.version_differs")
                .arg("file", file)
                .arg("given", given),
        )),
        (Some(v), _) | (None, Some(v)) => Ok(v.to_owned()),
        (None, None) => Err(FormatError::new(
            table.at(row, Some("version")),
            Refusal::new("cod.no_version"),
        )),
    }
}

/// The date a unit is valid from, as `YYYY-MM-DD`, from any of the columns OCHA has used
/// (`Valid from date`, `valid_on`, `validOn`, `VALIDON`; `2023/06/21` as well).
fn valid_from(table: &Table, cells: &[String]) -> Option<String> {
    ["Valid from date", "valid_on", "validOn", "valid_from"]
        .iter()
        .find_map(|c| cell(table, cells, c))
        .map(|d| d.chars().take(10).collect::<String>().replace('/', "-"))
}

fn read_long(
    table: &Table,
    version: Option<&str>,
    country: Option<Country<'_>>,
    list: &mut CodList,
    problems: &mut Vec<FormatError>,
) -> Vec<(AdminUnit, Location)> {
    let mut units = Vec::new();
    let mut countries: Vec<(String, String, Option<String>, Location)> = Vec::new();
    for (row, cells) in &table.rows {
        let Some(pcode) = cell(table, cells, "P-Code") else {
            list.skipped.push(FormatError::new(
                table.at(*row, Some("P-Code")),
                Refusal::new("cod.empty_pcode"),
            ));
            continue;
        };
        let before = problems.len();
        let level_text = cell(table, cells, "Admin Level").unwrap_or("");
        let level: Option<u8> = level_text.parse().ok().filter(|l| *l <= 9);
        if level.is_none() {
            problems.push(FormatError::new(
                table.at(*row, Some("Admin Level")),
                Refusal::new("cod.level").arg("level", level_text),
            ));
        }
        let name = cell(table, cells, "Name");
        if name.is_none() {
            problems.push(FormatError::new(
                table.at(*row, Some("Name")),
                Refusal::new("cod.no_name").arg("pcode", pcode),
            ));
        }
        let cod_version = version_of(table, *row, cell(table, cells, "Version"), version)
            .map_err(|e| problems.push(e))
            .ok();
        if let Some(country) = country
            && let Err(e) = country.check(table, *row, "P-Code", pcode)
        {
            problems.push(e);
        }
        let parent = cell(table, cells, "Parent P-Code").map(str::to_owned);
        if let Some(level) = level
            && let Some(refusal) = parent_prefix(level, pcode, parent.as_deref())
        {
            problems.push(FormatError::new(table.at(*row, Some("P-Code")), refusal));
        }
        let (Some(level), Some(name), Some(cod_version)) = (level, name, cod_version) else {
            continue;
        };
        if problems.len() > before {
            continue;
        }
        let valid_from = valid_from(table, cells);
        let place = table.at(*row, Some("P-Code"));
        if level == 1
            && let (Some(parent), Some(country)) = (&parent, cell(table, cells, "Location"))
            && parent == country
            && !countries
                .iter()
                .any(|(p, v, _, _)| p == parent && *v == cod_version)
        {
            countries.push((
                parent.clone(),
                cod_version.clone(),
                valid_from.clone(),
                place.clone(),
            ));
        }
        units.push((
            AdminUnit {
                pcode: pcode.to_owned(),
                cod_version,
                level,
                name: name.to_owned(),
                parent_pcode: parent,
                valid_from,
            },
            place,
        ));
    }
    // The long layout names the country only as the parent of its regions.
    for (pcode, cod_version, valid_from, place) in countries {
        if !units
            .iter()
            .any(|(u, _)| u.pcode == pcode && u.cod_version == cod_version)
        {
            units.push((
                AdminUnit {
                    name: pcode.clone(),
                    pcode,
                    cod_version,
                    level: 0,
                    parent_pcode: None,
                    valid_from,
                },
                place,
            ));
        }
    }
    units
}

fn read_wide(
    table: &Table,
    version: Option<&str>,
    country: Option<Country<'_>>,
    list: &mut CodList,
    problems: &mut Vec<FormatError>,
) -> Vec<(AdminUnit, Location)> {
    let levels: Vec<u8> = (0..=9u8)
        .filter(|l| table.column(&format!("adm{l}_pcode")).is_some())
        .collect();
    let deepest = levels.iter().copied().max().unwrap_or(0);
    let mut units = Vec::new();
    for (row, cells) in &table.rows {
        let file_version =
            cell(table, cells, "version_no").or_else(|| cell(table, cells, "version"));
        let Some(cod_version) = version_of(table, *row, file_version, version)
            .map_err(|e| problems.push(e))
            .ok()
        else {
            continue;
        };
        let valid_from = valid_from(table, cells);
        for &level in &levels {
            let pcode_column = format!("adm{level}_pcode");
            let Some(pcode) = cell(table, cells, &pcode_column) else {
                if level == deepest {
                    list.skipped.push(FormatError::new(
                        table.at(*row, Some(&pcode_column)),
                        Refusal::new("cod.empty_pcode"),
                    ));
                }
                break;
            };
            let place = table.at(*row, Some(&pcode_column));
            if let Some(country) = country
                && let Err(e) = country.check(table, *row, &pcode_column, pcode)
            {
                problems.push(e);
                break;
            }
            let Some(name) = [
                format!("adm{level}_name"),
                format!("adm{level}_fr"),
                format!("adm{level}_en"),
            ]
            .iter()
            .find_map(|c| cell(table, cells, c)) else {
                problems.push(FormatError::new(
                    table.at(*row, Some(&format!("adm{level}_name"))),
                    Refusal::new("cod.no_name").arg("pcode", pcode),
                ));
                break;
            };
            let parent_pcode = level
                .checked_sub(1)
                .and_then(|p| cell(table, cells, &format!("adm{p}_pcode")))
                .map(str::to_owned);
            if let Some(refusal) = parent_prefix(level, pcode, parent_pcode.as_deref()) {
                problems.push(FormatError::new(place, refusal));
                break;
            }
            units.push((
                AdminUnit {
                    pcode: pcode.to_owned(),
                    cod_version: cod_version.clone(),
                    level,
                    name: name.to_owned(),
                    parent_pcode,
                    valid_from: valid_from.clone(),
                },
                place,
            ));
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv;

    #[test]
    fn long_layout_adds_the_country_and_keeps_versions() {
        let csv = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date,Version\n\
                   MLI,1,ML07,Gao,MLI,2025-09-04,v03\n\
                   MLI,2,ML0701,Gao,ML07,2025-09-04,v03\n";
        let list = read_cod(&[read_csv("m.csv", csv.as_bytes()).unwrap()], None, None).unwrap();
        let codes: Vec<_> = list
            .units
            .iter()
            .map(|u| (u.level, u.pcode.as_str()))
            .collect();
        assert_eq!(codes, [(0, "MLI"), (1, "ML07"), (2, "ML0701")]);
        assert!(list.units.iter().all(|u| u.cod_version == "v03"));
        assert_eq!(list.units[2].parent_pcode.as_deref(), Some("ML07"));
    }

    #[test]
    fn a_version_given_must_agree_with_the_file() {
        let csv = "Admin Level,P-Code,Name,Version\n1,ML07,Gao,v03\n";
        let table = read_csv("m.csv", csv.as_bytes()).unwrap();
        let err = read_cod(std::slice::from_ref(&table), Some("v02"), None).unwrap_err();
        assert_eq!(err[0].at.row, Some(2));
        let no_version = read_csv("n.csv", b"Admin Level,P-Code,Name\n1,ML07,Gao\n").unwrap();
        assert!(read_cod(std::slice::from_ref(&no_version), None, None).is_err());
        assert_eq!(
            read_cod(&[no_version], Some("v03"), None).unwrap().units[0].cod_version,
            "v03"
        );
    }

    #[test]
    fn wide_layout_reads_every_level_once_and_skips_empty_codes() {
        let csv = "adm2_name,adm2_pcode,adm1_name,adm1_pcode,version_no\n\
                   Satéma,CF616,Basse-Kotto,CF61,201506\n\
                   Mobaye,CF611,Basse-Kotto,CF61,201506\n\
                   ,,Basse-Kotto,CF61,201506\n";
        let list = read_cod(&[read_csv("w.csv", csv.as_bytes()).unwrap()], None, None).unwrap();
        let codes: Vec<_> = list.units.iter().map(|u| u.pcode.as_str()).collect();
        assert_eq!(codes, ["CF61", "CF611", "CF616"]);
        assert_eq!(list.skipped.len(), 1);
        assert_eq!(list.skipped[0].at.row, Some(4));
    }

    #[test]
    fn another_countrys_file_is_refused_and_valid_on_is_read() {
        let mali = Country {
            iso3: "MLI",
            prefix: "ML",
        };
        let csv = "adm1_name,adm1_pcode,VALIDON,version_no\n\
                   Basse-Kotto,CF61,2023/06/21,201506\n";
        let table = read_csv("caf.csv", csv.as_bytes()).unwrap();
        let err = read_cod(std::slice::from_ref(&table), None, Some(mali)).unwrap_err();
        let [err] = err.as_slice() else {
            panic!("{err:?}")
        };
        assert_eq!(err.at.row, Some(2));
        assert_eq!(err.at.column.as_deref(), Some("adm1_pcode"));
        assert_eq!(err.code(), "cod.other_country", "{err}");
        assert_eq!(err.arg("pcode"), Some("CF61"));
        let list = read_cod(&[table], None, None).unwrap();
        assert_eq!(list.units[0].valid_from.as_deref(), Some("2023-06-21"));
        let long = "Location,Admin Level,P-Code,Name,Parent P-Code,validOn,Version\n\
                    MLI,1,ML07,Gao,MLI,2025-09-04,v03\n";
        let list = read_cod(
            &[read_csv("m.csv", long.as_bytes()).unwrap()],
            None,
            Some(mali),
        )
        .unwrap();
        assert!(
            list.units
                .iter()
                .all(|u| u.valid_from.as_deref() == Some("2025-09-04"))
        );
    }

    #[test]
    fn a_file_without_pcodes_says_what_it_expected() {
        let err = read_cod(&[read_csv("x.csv", b"a,b\n1,2\n").unwrap()], None, None).unwrap_err();
        assert_eq!(err[0].code(), "cod.no_pcodes", "{err:?}");
    }

    /// Every problem of the file at once, each at its row: a level that is not a number, a
    /// name missing, a P-code that does not start with its parent's, another country's.
    #[test]
    fn every_problem_of_a_file_is_listed_with_its_row() {
        let mali = Country {
            iso3: "MLI",
            prefix: "ML",
        };
        let csv = "Location,Admin Level,P-Code,Name,Parent P-Code,Version\n\
                   MLI,1,ML07,Gao,MLI,v03\n\
                   MLI,2,ML0701,Gao,ML07,v03\n\
                   MLI,deux,ML0702,Ansongo,ML07,v03\n\
                   MLI,2,ML0703,,ML07,v03\n\
                   MLI,2,ML0804,Bourem,ML07,v03\n\
                   MLI,2,NE0101,Tillabéri,ML07,v03\n";
        let err = read_cod(
            &[read_csv("m.csv", csv.as_bytes()).unwrap()],
            None,
            Some(mali),
        )
        .unwrap_err();
        let found: Vec<(Option<usize>, &str)> = err.iter().map(|e| (e.at.row, e.code())).collect();
        assert_eq!(
            found,
            [
                (Some(4), "cod.level"),
                (Some(5), "cod.no_name"),
                (Some(6), "cod.parent_prefix"),
                (Some(7), "cod.other_country"),
                (Some(7), "cod.parent_prefix"),
            ]
        );
    }
}
