//! The zone of a diagnostic: administrative units with their P-codes, and localities.
//!
//! P-codes are only meaningful with the COD version they come from (Mali's ADM2 codes
//! moved between COD-AB versions, and ML09 once meant Bamako), so an admin unit is keyed
//! by `(pcode, cod_version)` and every reference to one carries both.

use serde::{Deserialize, Serialize};

use crate::Id;
use crate::community::Community;
use crate::refusal::Refusal;

/// An administrative unit from a COD-AB list (country = level 0, region = 1, cercle = 2, commune = 3…).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminUnit {
    pub pcode: String,
    pub cod_version: String,
    pub level: u8,
    pub name: String,
    /// `None` for the country itself.
    pub parent_pcode: Option<String>,
    /// ISO date (`2025-09-04`) from which this version of the code is valid, when the source says.
    pub valid_from: Option<String>,
}

/// A village, town quarter or site where people live or pass, with its coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Locality {
    pub id: Id<Locality>,
    pub community_id: Id<Community>,
    pub name: String,
    pub kind: LocalityKind,
    /// The smallest admin unit known to contain it (a commune is often not P-coded in Mali).
    pub admin_pcode: Option<String>,
    pub cod_version: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i64>,
    /// Where the population figure comes from (census, chief's estimate, DTM…) and its year.
    pub population_source: String,
    pub population_year: Option<i32>,
}

crate::vocabulary! {
    /// What kind of place a locality is.
    LocalityKind "locality_kind" {
        Village = "village",
        Quarter = "quarter",
        Town = "town",
        GoldMiningSite = "gold_mining_site",
        BorderPost = "border_post",
        FlowMonitoringPoint = "flow_monitoring_point",
        DisplacementSite = "displacement_site",
        Other = "other",
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum CoordinateError {
    Latitude(f64),
    Longitude(f64),
}

impl CoordinateError {
    pub fn refusal(&self) -> Refusal {
        match self {
            CoordinateError::Latitude(v) => {
                Refusal::new("geo.latitude").arg("value", v.to_string())
            }
            CoordinateError::Longitude(v) => {
                Refusal::new("geo.longitude").arg("value", v.to_string())
            }
        }
    }
}

/// Checks a WGS 84 position.
pub fn check_coordinates(latitude: f64, longitude: f64) -> Result<(), CoordinateError> {
    if !(-90.0..=90.0).contains(&latitude) {
        return Err(CoordinateError::Latitude(latitude));
    }
    if !(-180.0..=180.0).contains(&longitude) {
        return Err(CoordinateError::Longitude(longitude));
    }
    Ok(())
}

/// Why a set of admin units cannot stand as a hierarchy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum HierarchyError {
    MissingParent {
        pcode: String,
        level: u8,
        parent: String,
    },
    ParentLevel {
        pcode: String,
        level: u8,
        parent: String,
        parent_level: u8,
    },
}

impl HierarchyError {
    pub fn refusal(&self) -> Refusal {
        match self {
            HierarchyError::MissingParent {
                pcode,
                level,
                parent,
            } => Refusal::new("geo.missing_parent")
                .arg("pcode", pcode.as_str())
                .arg("level", level.to_string())
                .arg("parent", parent.as_str()),
            HierarchyError::ParentLevel {
                pcode,
                level,
                parent,
                parent_level,
            } => Refusal::new("geo.parent_level")
                .arg("pcode", pcode.as_str())
                .arg("level", level.to_string())
                .arg("parent", parent.as_str())
                .arg("parent_level", parent_level.to_string()),
        }
    }
}

/// Checks that every unit's parent exists (in `units` or among `known` `(pcode, level)`) at a
/// lower level; every unit that does not is listed, with its index in `units`.
pub fn check_hierarchy(
    units: &[AdminUnit],
    known: &[(String, u8)],
) -> Result<(), Vec<(usize, HierarchyError)>> {
    use std::collections::HashMap;
    let mut levels: HashMap<&str, u8> = known.iter().map(|(p, l)| (p.as_str(), *l)).collect();
    for unit in units {
        levels.insert(&unit.pcode, unit.level);
    }
    let mut problems = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let Some(parent) = &unit.parent_pcode else {
            continue;
        };
        match levels.get(parent.as_str()) {
            None => problems.push((
                i,
                HierarchyError::MissingParent {
                    pcode: unit.pcode.clone(),
                    level: unit.level,
                    parent: parent.clone(),
                },
            )),
            Some(&parent_level) if parent_level >= unit.level => problems.push((
                i,
                HierarchyError::ParentLevel {
                    pcode: unit.pcode.clone(),
                    level: unit.level,
                    parent: parent.clone(),
                    parent_level,
                },
            )),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(pcode: &str, level: u8, parent: Option<&str>) -> AdminUnit {
        AdminUnit {
            pcode: pcode.into(),
            cod_version: "v03".into(),
            level,
            name: pcode.into(),
            parent_pcode: parent.map(Into::into),
            valid_from: None,
        }
    }

    #[test]
    fn hierarchy_accepts_parents_from_the_list_or_the_base() {
        let units = [
            unit("ML01", 1, Some("MLI")),
            unit("ML0101", 2, Some("ML01")),
        ];
        assert!(check_hierarchy(&units, &[("MLI".into(), 0)]).is_ok());
        assert!(matches!(
            check_hierarchy(&units, &[]).unwrap_err().as_slice(),
            [(0, HierarchyError::MissingParent { .. })]
        ));
    }

    #[test]
    fn hierarchy_rejects_a_parent_at_the_same_level() {
        let units = [unit("ML01", 1, None), unit("ML02", 1, Some("ML01"))];
        assert!(matches!(
            check_hierarchy(&units, &[]).unwrap_err().as_slice(),
            [(1, HierarchyError::ParentLevel { .. })]
        ));
    }

    #[test]
    fn coordinates_are_bounded() {
        assert!(check_coordinates(16.27, -0.04).is_ok());
        assert_eq!(
            check_coordinates(91.0, 0.0),
            Err(CoordinateError::Latitude(91.0))
        );
        assert_eq!(
            check_coordinates(0.0, -181.0),
            Err(CoordinateError::Longitude(-181.0))
        );
    }
}
