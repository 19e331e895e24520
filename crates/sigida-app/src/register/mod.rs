//! What a team registers of its diagnostic: communities and their localities, socio-economic
//! groups, stakeholders, service providers, instruments. Each use-case writes inside the
//! caller's transaction, so a workbook import (or the demo) registers a whole diagnostic all or
//! nothing; each refuses what no user could mean (a blank name, a cercle outside its region).

use sigida_core::actors::{ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_core::community::Community;
use sigida_core::geography::Locality;
use sigida_core::instrument::{Instrument, InstrumentVersion};
use sigida_store::Tx;

use crate::{AppError, Refusal};

fn named(name: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::new("register.name"));
    }
    Ok(())
}

/// A community: a name, and a cercle P-code under its region's.
pub async fn add_community(tx: &mut Tx, community: &Community) -> Result<(), AppError> {
    named(&community.name)?;
    if !community.cercle_pcode.starts_with(&community.region_pcode) {
        return Err(Refusal::new("register.cercle")
            .arg("cercle", community.cercle_pcode.as_str())
            .arg("region", community.region_pcode.as_str())
            .into());
    }
    tx.insert_community(community).await?;
    Ok(())
}

pub async fn add_locality(tx: &mut Tx, locality: &Locality) -> Result<(), AppError> {
    named(&locality.name)?;
    tx.insert_locality(locality).await?;
    Ok(())
}

pub async fn add_group(tx: &mut Tx, group: &SocioEconomicGroup) -> Result<(), AppError> {
    named(&group.name)?;
    tx.insert_group(group).await?;
    Ok(())
}

pub async fn add_stakeholder(tx: &mut Tx, stakeholder: &Stakeholder) -> Result<(), AppError> {
    named(&stakeholder.organisation)?;
    tx.insert_stakeholder(stakeholder).await?;
    Ok(())
}

pub async fn add_service_provider(tx: &mut Tx, provider: &ServiceProvider) -> Result<(), AppError> {
    named(&provider.organisation)?;
    tx.insert_service_provider(provider).await?;
    Ok(())
}

/// An instrument and its first version, before any form or data is imported for it.
pub async fn add_instrument(
    tx: &mut Tx,
    instrument: &Instrument,
    version: &InstrumentVersion,
) -> Result<(), AppError> {
    named(&instrument.name)?;
    tx.insert_instrument(instrument).await?;
    tx.insert_instrument_version(version).await?;
    Ok(())
}
