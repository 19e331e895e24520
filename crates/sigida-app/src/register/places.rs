//! Communities and their localities, as the team registers and corrects them. A refusal names
//! the field that is wrong (its `field` value), so a page can show it beside that field.

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::community::{Community, slugify};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::{Locality, LocalityKind, check_coordinates};
use sigida_core::{Id, Timestamp};
use sigida_store::{Store, Tx};

use super::named;
use crate::{AppError, Refusal};

/// The admin level of a cercle (a COD-AB level 2 unit, under its region).
const CERCLE_LEVEL: u8 = 2;

fn refused(code: &'static str, field: &'static str) -> Refusal {
    Refusal::new(code).arg("field", field)
}

fn coordinates(latitude: Option<f64>, longitude: Option<f64>) -> Result<(), Refusal> {
    match (latitude, longitude) {
        (None, None) => Ok(()),
        (Some(lat), Some(lon)) => check_coordinates(lat, lon).map_err(|e| {
            let field = match e {
                sigida_core::geography::CoordinateError::Latitude(_) => "latitude",
                sigida_core::geography::CoordinateError::Longitude(_) => "longitude",
            };
            e.refusal().arg("field", field)
        }),
        (Some(_), None) => Err(refused("register.coordinates", "longitude")),
        (None, Some(_)) => Err(refused("register.coordinates", "latitude")),
    }
}

pub(super) fn audit(
    at: Timestamp,
    by: Option<&str>,
    subject: String,
    detail: String,
) -> AuditEvent {
    AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::RegisterChanged,
        subject,
        detail,
    }
}

/// A community as it will be stored: a name, a slug of lower-case letters, digits and hyphens
/// that no other community of the diagnostic has, a cercle (COD-AB level 2) of the stored
/// geography and its region, coordinates in range.
async fn check_community(tx: &mut Tx, c: &Community) -> Result<(), AppError> {
    named(&c.name)?;
    if c.slug.is_empty()
        || !c
            .slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(refused("register.slug", "slug")
            .arg("slug", c.slug.as_str())
            .into());
    }
    if let Some(other) = tx.slug_holder(c.diagnostic_id, &c.slug, c.id).await? {
        return Err(refused("register.slug_taken", "slug")
            .arg("slug", c.slug.as_str())
            .arg("other", other)
            .into());
    }
    let cercle = tx.admin_unit_here(&c.cercle_pcode, &c.cod_version).await?;
    match cercle {
        None => {
            return Err(refused("register.unknown_unit", "cercle")
                .arg("pcode", c.cercle_pcode.as_str())
                .arg("version", c.cod_version.as_str())
                .into());
        }
        Some(unit) if unit.level != CERCLE_LEVEL => {
            return Err(refused("register.not_cercle", "cercle")
                .arg("pcode", c.cercle_pcode.as_str())
                .arg("level", unit.level.to_string())
                .into());
        }
        Some(unit) if unit.parent_pcode.as_deref() != Some(c.region_pcode.as_str()) => {
            return Err(refused("register.cercle", "cercle")
                .arg("cercle", c.cercle_pcode.as_str())
                .arg("region", c.region_pcode.as_str())
                .into());
        }
        Some(_) => {}
    }
    coordinates(c.latitude, c.longitude)?;
    Ok(())
}

/// A community, checked (see [`check_community`]), inside the caller's transaction.
pub async fn add_community(tx: &mut Tx, community: &Community) -> Result<(), AppError> {
    check_community(tx, community).await?;
    tx.insert_community(community).await?;
    Ok(())
}

/// A community corrected, checked as when it was added, inside the caller's transaction.
pub async fn edit_community(tx: &mut Tx, community: &Community) -> Result<(), AppError> {
    check_community(tx, community).await?;
    tx.update_community(community).await?;
    Ok(())
}

/// What a person types for a community: the region and the COD version follow from the
/// cercle, the slug from the name when left blank.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommunityDraft {
    pub name: String,
    pub slug: String,
    pub cercle_pcode: String,
    pub description: String,
    pub selection_reason: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

impl CommunityDraft {
    pub fn of(c: &Community) -> Self {
        CommunityDraft {
            name: c.name.clone(),
            slug: c.slug.clone(),
            cercle_pcode: c.cercle_pcode.clone(),
            description: c.description.clone(),
            selection_reason: c.selection_reason.clone(),
            latitude: c.latitude,
            longitude: c.longitude,
        }
    }
}

/// The draft as the community `id` of `diagnostic`: the cercle found in the newest COD
/// version that has it.
async fn from_draft(
    store: &Store,
    diagnostic: &Diagnostic,
    id: Id<Community>,
    draft: &CommunityDraft,
    archived_at: Option<Timestamp>,
) -> Result<Community, AppError> {
    let pcode = draft.cercle_pcode.trim().to_ascii_uppercase();
    if pcode.is_empty() {
        return Err(refused("register.cercle_missing", "cercle").into());
    }
    let unit = store
        .admin_unit_versions(&pcode)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| refused("register.unknown_pcode", "cercle").arg("pcode", pcode.as_str()))?;
    let slug = match draft.slug.trim() {
        "" => slugify(&draft.name),
        given => given.to_owned(),
    };
    Ok(Community {
        id,
        diagnostic_id: diagnostic.id,
        name: draft.name.trim().to_owned(),
        slug,
        region_pcode: unit.parent_pcode.clone().unwrap_or_default(),
        cercle_pcode: unit.pcode,
        cod_version: unit.cod_version,
        description: draft.description.trim().to_owned(),
        selection_reason: draft.selection_reason.trim().to_owned(),
        latitude: draft.latitude,
        longitude: draft.longitude,
        archived_at,
    })
}

/// Registers a new community of the diagnostic from what a person typed; audited.
pub async fn register_community(
    store: &Store,
    diagnostic: &Diagnostic,
    draft: &CommunityDraft,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Community, AppError> {
    let community = from_draft(store, diagnostic, Id::new(), draft, None).await?;
    let mut tx = store.begin().await?;
    add_community(&mut tx, &community).await?;
    tx.audit(&audit(
        at,
        by,
        format!("community:{}", community.id),
        format!("ajout : {} ({})", community.name, community.slug),
    ))
    .await?;
    tx.commit().await?;
    Ok(community)
}

/// Corrects a community from what a person typed; audited. Its slug changes only if the
/// person changes it (the report folders and links follow it).
pub async fn correct_community(
    store: &Store,
    diagnostic: &Diagnostic,
    current: &Community,
    draft: &CommunityDraft,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Community, AppError> {
    let community = from_draft(store, diagnostic, current.id, draft, current.archived_at).await?;
    let mut tx = store.begin().await?;
    edit_community(&mut tx, &community).await?;
    tx.audit(&audit(
        at,
        by,
        format!("community:{}", community.id),
        format!("modification : {} ({})", community.name, community.slug),
    ))
    .await?;
    tx.commit().await?;
    Ok(community)
}

/// Archives a community (kept with all it holds, no longer current) or brings it back;
/// audited.
pub async fn archive_community(
    store: &Store,
    current: &Community,
    archive: bool,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Community, AppError> {
    let community = Community {
        archived_at: archive.then_some(at),
        ..current.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_community(&community).await?;
    tx.audit(&audit(
        at,
        by,
        format!("community:{}", community.id),
        if archive { "archivée" } else { "rétablie" }.to_owned(),
    ))
    .await?;
    tx.commit().await?;
    Ok(community)
}

/// A locality as it will be stored: a name, its admin unit (if given) in the stored geography,
/// coordinates in range, a population that is not negative with a plausible year.
async fn check_locality(tx: &mut Tx, l: &Locality) -> Result<(), AppError> {
    named(&l.name)?;
    if let Some(pcode) = &l.admin_pcode {
        let version = l.cod_version.as_deref().unwrap_or_default();
        if tx.admin_unit_here(pcode, version).await?.is_none() {
            return Err(refused("register.unknown_unit", "admin_pcode")
                .arg("pcode", pcode.as_str())
                .arg("version", version)
                .into());
        }
    }
    coordinates(l.latitude, l.longitude)?;
    if l.population.is_some_and(|p| p < 0) {
        return Err(refused("register.population", "population").into());
    }
    let this_year = at_year(Timestamp::now());
    if l.population_year
        .is_some_and(|y| !(1950..=this_year + 1).contains(&y))
    {
        return Err(refused("register.year", "population_year")
            .arg("last", (this_year + 1).to_string())
            .into());
    }
    Ok(())
}

fn at_year(t: Timestamp) -> i32 {
    t.date().year()
}

/// A locality, checked (see [`check_locality`]), inside the caller's transaction.
pub async fn add_locality(tx: &mut Tx, locality: &Locality) -> Result<(), AppError> {
    check_locality(tx, locality).await?;
    tx.insert_locality(locality).await?;
    Ok(())
}

/// A locality corrected, inside the caller's transaction.
pub async fn edit_locality(tx: &mut Tx, locality: &Locality) -> Result<(), AppError> {
    check_locality(tx, locality).await?;
    tx.update_locality(locality).await?;
    Ok(())
}

/// What a person types for a locality: its admin unit is a P-code found in the stored
/// geography (newest COD version).
#[derive(Clone, Debug, PartialEq)]
pub struct LocalityDraft {
    pub name: String,
    pub kind: LocalityKind,
    pub admin_pcode: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<i64>,
    pub population_source: String,
    pub population_year: Option<i32>,
}

impl Default for LocalityDraft {
    fn default() -> Self {
        LocalityDraft {
            name: String::new(),
            kind: LocalityKind::Village,
            admin_pcode: String::new(),
            latitude: None,
            longitude: None,
            population: None,
            population_source: String::new(),
            population_year: None,
        }
    }
}

impl LocalityDraft {
    pub fn of(l: &Locality) -> Self {
        LocalityDraft {
            name: l.name.clone(),
            kind: l.kind,
            admin_pcode: l.admin_pcode.clone().unwrap_or_default(),
            latitude: l.latitude,
            longitude: l.longitude,
            population: l.population,
            population_source: l.population_source.clone(),
            population_year: l.population_year,
        }
    }
}

async fn locality_from(
    store: &Store,
    community: &Community,
    id: Id<Locality>,
    draft: &LocalityDraft,
) -> Result<Locality, AppError> {
    let pcode = draft.admin_pcode.trim().to_ascii_uppercase();
    let (admin_pcode, cod_version) = if pcode.is_empty() {
        (None, None)
    } else {
        let unit = store
            .admin_unit_versions(&pcode)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                refused("register.unknown_pcode", "admin_pcode").arg("pcode", pcode.as_str())
            })?;
        (Some(unit.pcode), Some(unit.cod_version))
    };
    Ok(Locality {
        id,
        community_id: community.id,
        name: draft.name.trim().to_owned(),
        kind: draft.kind,
        admin_pcode,
        cod_version,
        latitude: draft.latitude,
        longitude: draft.longitude,
        population: draft.population,
        population_source: draft.population_source.trim().to_owned(),
        population_year: draft.population_year,
    })
}

/// Registers a locality of `community` from what a person typed; audited.
pub async fn register_locality(
    store: &Store,
    community: &Community,
    draft: &LocalityDraft,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Locality, AppError> {
    let locality = locality_from(store, community, Id::new(), draft).await?;
    let mut tx = store.begin().await?;
    add_locality(&mut tx, &locality).await?;
    tx.audit(&audit(
        at,
        by,
        format!("locality:{}", locality.id),
        format!("ajout : {} ({})", locality.name, community.slug),
    ))
    .await?;
    tx.commit().await?;
    Ok(locality)
}

/// Corrects a locality of `community`; audited.
pub async fn correct_locality(
    store: &Store,
    community: &Community,
    current: &Locality,
    draft: &LocalityDraft,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Locality, AppError> {
    if current.community_id != community.id {
        return Err(sigida_store::StoreError::not_found("missing.locality", current.id).into());
    }
    let locality = locality_from(store, community, current.id, draft).await?;
    let mut tx = store.begin().await?;
    edit_locality(&mut tx, &locality).await?;
    tx.audit(&audit(
        at,
        by,
        format!("locality:{}", locality.id),
        format!("modification : {} ({})", locality.name, community.slug),
    ))
    .await?;
    tx.commit().await?;
    Ok(locality)
}

/// Removes a locality nothing refers to (a risk report, a group, a capacity…); audited.
pub async fn remove_locality(
    store: &Store,
    community: &Community,
    locality: &Locality,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    if locality.community_id != community.id {
        return Err(sigida_store::StoreError::not_found("missing.locality", locality.id).into());
    }
    let mut tx = store.begin().await?;
    tx.delete_locality(locality.id).await?;
    tx.audit(&audit(
        at,
        by,
        format!("locality:{}", locality.id),
        format!("suppression : {} ({})", locality.name, community.slug),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
