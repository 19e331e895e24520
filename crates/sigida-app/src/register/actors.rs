//! The actors of a community as the team enters and corrects them one by one (the workbook
//! does the same in bulk): stakeholders, socio-economic groups, service providers. A refusal
//! names its field.

use sigida_core::Timestamp;
use sigida_core::actors::{ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_core::geography::check_coordinates;
use sigida_store::{ActorTable, Store};

use super::places::audit;
use crate::{AppError, Refusal};

fn field(code: &'static str, field: &'static str) -> Refusal {
    Refusal::new(code).arg("field", field)
}

pub(super) fn check_stakeholder(s: &Stakeholder) -> Result<(), Refusal> {
    if s.organisation.trim().is_empty() {
        return Err(field("register.name", "organisation"));
    }
    for (name, v) in [("influence", s.influence), ("interest", s.interest)] {
        if v.is_some_and(|v| !(1..=5).contains(&v)) {
            return Err(field("register.scale", name));
        }
    }
    Ok(())
}

pub(super) fn check_group(g: &SocioEconomicGroup) -> Result<(), Refusal> {
    if g.name.trim().is_empty() {
        return Err(field("register.name", "name"));
    }
    if g.size_estimate.is_some_and(|n| n < 0) {
        return Err(field("register.population", "size"));
    }
    Ok(())
}

pub(super) fn check_provider(p: &ServiceProvider) -> Result<(), Refusal> {
    if p.organisation.trim().is_empty() {
        return Err(field("register.name", "organisation"));
    }
    if p.service.trim().is_empty() {
        return Err(field("register.service", "service"));
    }
    if p.capacity_per_month.is_some_and(|n| n < 0) {
        return Err(field("register.population", "capacity"));
    }
    match (p.latitude, p.longitude) {
        (Some(lat), Some(lon)) => {
            check_coordinates(lat, lon).map_err(|e| e.refusal().arg("field", "latitude"))
        }
        (None, None) => Ok(()),
        _ => Err(field("register.coordinates", "latitude")),
    }
}

/// One actor of the register.
#[derive(Clone, Debug, PartialEq)]
pub enum Actor {
    Stakeholder(Stakeholder),
    Group(SocioEconomicGroup),
    Provider(ServiceProvider),
}

impl Actor {
    fn subject(&self) -> String {
        match self {
            Actor::Stakeholder(s) => format!("stakeholder:{}", s.id),
            Actor::Group(g) => format!("group:{}", g.id),
            Actor::Provider(p) => format!("service_provider:{}", p.id),
        }
    }

    fn name(&self) -> &str {
        match self {
            Actor::Stakeholder(s) => &s.organisation,
            Actor::Group(g) => &g.name,
            Actor::Provider(p) => &p.organisation,
        }
    }
}

/// Adds the actor (`new`) or corrects it, checked; audited.
pub async fn save_actor(
    store: &Store,
    actor: &Actor,
    new: bool,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    match (actor, new) {
        (Actor::Stakeholder(s), true) => super::add_stakeholder(&mut tx, s).await?,
        (Actor::Group(g), true) => super::add_group(&mut tx, g).await?,
        (Actor::Provider(p), true) => super::add_service_provider(&mut tx, p).await?,
        (Actor::Stakeholder(s), false) => {
            check_stakeholder(s)?;
            tx.update_stakeholder(s).await?;
        }
        (Actor::Group(g), false) => {
            check_group(g)?;
            tx.update_group(g).await?;
        }
        (Actor::Provider(p), false) => {
            check_provider(p)?;
            tx.update_service_provider(p).await?;
        }
    }
    let what = if new { "ajout" } else { "modification" };
    tx.audit(&audit(
        at,
        by,
        actor.subject(),
        format!("{what} : {}", actor.name()),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the actor, unless something refers to it; audited.
pub async fn remove_actor(
    store: &Store,
    actor: &Actor,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    let (table, id) = match actor {
        Actor::Stakeholder(s) => (ActorTable::Stakeholders, s.id.to_string()),
        Actor::Group(g) => (ActorTable::Groups, g.id.to_string()),
        Actor::Provider(p) => (ActorTable::ServiceProviders, p.id.to_string()),
    };
    let mut tx = store.begin().await?;
    tx.delete_actor(table, &id).await?;
    tx.audit(&audit(
        at,
        by,
        actor.subject(),
        format!("suppression : {}", actor.name()),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
