//! What a team registers of its diagnostic: communities and their localities, socio-economic
//! groups, stakeholders, service providers, instruments. Each use-case writes inside the
//! caller's transaction, so a workbook import (or the demo) registers a whole diagnostic all or
//! nothing; each refuses what no user could mean (a blank name, a cercle outside its region).

pub mod actors;
pub mod erasure;
pub mod geography;
pub mod places;

use sigida_core::actors::{ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_store::Tx;

pub use places::{
    CommunityDraft, LocalityDraft, add_community, add_locality, archive_community,
    correct_community, correct_locality, edit_community, edit_locality, register_community,
    register_locality, remove_locality,
};

use crate::{AppError, Refusal};

fn named(name: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::new("register.name").arg("field", "name"));
    }
    Ok(())
}

pub async fn add_group(tx: &mut Tx, group: &SocioEconomicGroup) -> Result<(), AppError> {
    actors::check_group(group)?;
    tx.insert_group(group).await?;
    Ok(())
}

pub async fn add_stakeholder(tx: &mut Tx, stakeholder: &Stakeholder) -> Result<(), AppError> {
    actors::check_stakeholder(stakeholder)?;
    tx.insert_stakeholder(stakeholder).await?;
    Ok(())
}

pub async fn add_service_provider(tx: &mut Tx, provider: &ServiceProvider) -> Result<(), AppError> {
    actors::check_provider(provider)?;
    tx.insert_service_provider(provider).await?;
    Ok(())
}
