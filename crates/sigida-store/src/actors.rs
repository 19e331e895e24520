//! Stakeholders, socio-economic groups and service providers.

use sigida_core::Id;
use sigida_core::actors::{ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::personal::Personal;

use crate::rows::Cols;
use crate::sealing::Sealer;
use crate::{Result, Store, StoreError, Tx, is_foreign_key_violation};

fn stakeholder(row: &sqlx::any::AnyRow, s: &Sealer) -> Result<Stakeholder> {
    let c = Cols::of("stakeholders", row);
    Ok(Stakeholder {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        community_id: c.opt_id("community_id")?,
        organisation: c.text("organisation")?,
        kind: c.code("kind")?,
        level: c.code("level")?,
        role_in_zone: c.text("role_in_zone")?,
        contact_name: Personal::new(s.open_text(
            "stakeholders",
            "contact_name",
            c.text("contact_name")?,
        )?),
        contact_phone: Personal::new(s.open_text(
            "stakeholders",
            "contact_phone",
            c.text("contact_phone")?,
        )?),
        influence: c.opt_small("influence")?,
        interest: c.opt_small("interest")?,
    })
}

fn group(row: &sqlx::any::AnyRow) -> Result<SocioEconomicGroup> {
    let c = Cols::of("socio_economic_groups", row);
    Ok(SocioEconomicGroup {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        kind: c.code("kind")?,
        name: c.text("name")?,
        size_estimate: c.opt_i64("size_estimate")?,
        size_indicator: c.opt_text("size_indicator")?,
        vulnerabilities: c.text("vulnerabilities")?,
        priorities: c.text("priorities")?,
        representation: c.text("representation")?,
    })
}

fn service(row: &sqlx::any::AnyRow, s: &Sealer) -> Result<ServiceProvider> {
    let c = Cols::of("service_providers", row);
    Ok(ServiceProvider {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        locality_id: c.opt_id("locality_id")?,
        organisation: c.text("organisation")?,
        sector: c.code("sector")?,
        service: c.text("service")?,
        target_groups: c.text("target_groups")?,
        capacity_per_month: c.opt_i64("capacity_per_month")?,
        free_of_charge: c.bool("free_of_charge")?,
        opening_hours: c.text("opening_hours")?,
        accepts_referrals: c.bool("accepts_referrals")?,
        contact_phone: Personal::new(s.open_text(
            "service_providers",
            "contact_phone",
            c.text("contact_phone")?,
        )?),
        latitude: c.opt_f64("latitude")?,
        longitude: c.opt_f64("longitude")?,
    })
}

impl Store {
    /// The stakeholders of a diagnostic; with `community`, those of that community and the
    /// national or regional ones that serve every community.
    pub async fn stakeholders(
        &self,
        diagnostic: Id<Diagnostic>,
        community: Option<Id<Community>>,
    ) -> Result<Vec<Stakeholder>> {
        let rows = match community {
            None => sqlx::query(
                "SELECT * FROM stakeholders WHERE diagnostic_id = $1 ORDER BY level, organisation",
            )
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?,
            Some(community) => {
                sqlx::query(
                    "SELECT * FROM stakeholders WHERE diagnostic_id = $1
                     AND (community_id = $2 OR community_id IS NULL) ORDER BY level, organisation",
                )
                .bind(diagnostic.to_string())
                .bind(community.to_string())
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(|r| stakeholder(r, &self.seal)).collect()
    }

    pub async fn groups(&self, community: Id<Community>) -> Result<Vec<SocioEconomicGroup>> {
        sqlx::query("SELECT * FROM socio_economic_groups WHERE community_id = $1 ORDER BY name")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(group)
            .collect()
    }

    pub async fn service_providers(
        &self,
        community: Id<Community>,
    ) -> Result<Vec<ServiceProvider>> {
        sqlx::query(
            "SELECT * FROM service_providers WHERE community_id = $1 ORDER BY sector, organisation, service",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| service(r, &self.seal))
        .collect()
    }
}

impl Tx {
    pub async fn insert_stakeholder(&mut self, s: &Stakeholder) -> Result<()> {
        sqlx::query(
            "INSERT INTO stakeholders (id, diagnostic_id, community_id, organisation, kind, level,
                role_in_zone, contact_name, contact_phone, influence, interest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(s.id.to_string())
        .bind(s.diagnostic_id.to_string())
        .bind(s.community_id.map(|c| c.to_string()))
        .bind(&s.organisation)
        .bind(s.kind.code())
        .bind(s.level.code())
        .bind(&s.role_in_zone)
        .bind(self.1.text(s.contact_name.expose()))
        .bind(self.1.text(s.contact_phone.expose()))
        .bind(s.influence.map(i64::from))
        .bind(s.interest.map(i64::from))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_group(&mut self, g: &SocioEconomicGroup) -> Result<()> {
        sqlx::query(
            "INSERT INTO socio_economic_groups (id, community_id, kind, name, size_estimate,
                size_indicator, vulnerabilities, priorities, representation)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(g.id.to_string())
        .bind(g.community_id.to_string())
        .bind(g.kind.code())
        .bind(&g.name)
        .bind(g.size_estimate)
        .bind(&g.size_indicator)
        .bind(&g.vulnerabilities)
        .bind(&g.priorities)
        .bind(&g.representation)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_service_provider(&mut self, s: &ServiceProvider) -> Result<()> {
        sqlx::query(
            "INSERT INTO service_providers (id, community_id, locality_id, organisation, sector,
                service, target_groups, capacity_per_month, free_of_charge, opening_hours,
                accepts_referrals, contact_phone, latitude, longitude)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(s.id.to_string())
        .bind(s.community_id.to_string())
        .bind(s.locality_id.map(|l| l.to_string()))
        .bind(&s.organisation)
        .bind(s.sector.code())
        .bind(&s.service)
        .bind(&s.target_groups)
        .bind(s.capacity_per_month)
        .bind(i64::from(s.free_of_charge))
        .bind(&s.opening_hours)
        .bind(i64::from(s.accepts_referrals))
        .bind(self.1.text(s.contact_phone.expose()))
        .bind(s.latitude)
        .bind(s.longitude)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn update_stakeholder(&mut self, s: &Stakeholder) -> Result<()> {
        let done = sqlx::query(
            "UPDATE stakeholders SET community_id = $2, organisation = $3, kind = $4, level = $5,
                role_in_zone = $6, contact_name = $7, contact_phone = $8, influence = $9,
                interest = $10
             WHERE id = $1 AND diagnostic_id = $11",
        )
        .bind(s.id.to_string())
        .bind(s.community_id.map(|c| c.to_string()))
        .bind(&s.organisation)
        .bind(s.kind.code())
        .bind(s.level.code())
        .bind(&s.role_in_zone)
        .bind(self.1.text(s.contact_name.expose()))
        .bind(self.1.text(s.contact_phone.expose()))
        .bind(s.influence.map(i64::from))
        .bind(s.interest.map(i64::from))
        .bind(s.diagnostic_id.to_string())
        .execute(self.conn())
        .await?;
        found(done.rows_affected(), "missing.stakeholder", s.id)
    }

    pub async fn update_group(&mut self, g: &SocioEconomicGroup) -> Result<()> {
        let done = sqlx::query(
            "UPDATE socio_economic_groups SET kind = $2, name = $3, size_estimate = $4,
                size_indicator = $5, vulnerabilities = $6, priorities = $7, representation = $8
             WHERE id = $1 AND community_id = $9",
        )
        .bind(g.id.to_string())
        .bind(g.kind.code())
        .bind(&g.name)
        .bind(g.size_estimate)
        .bind(&g.size_indicator)
        .bind(&g.vulnerabilities)
        .bind(&g.priorities)
        .bind(&g.representation)
        .bind(g.community_id.to_string())
        .execute(self.conn())
        .await?;
        found(done.rows_affected(), "missing.group", g.id)
    }

    pub async fn update_service_provider(&mut self, s: &ServiceProvider) -> Result<()> {
        let done = sqlx::query(
            "UPDATE service_providers SET locality_id = $2, organisation = $3, sector = $4,
                service = $5, target_groups = $6, capacity_per_month = $7, free_of_charge = $8,
                opening_hours = $9, accepts_referrals = $10, contact_phone = $11, latitude = $12,
                longitude = $13
             WHERE id = $1 AND community_id = $14",
        )
        .bind(s.id.to_string())
        .bind(s.locality_id.map(|l| l.to_string()))
        .bind(&s.organisation)
        .bind(s.sector.code())
        .bind(&s.service)
        .bind(&s.target_groups)
        .bind(s.capacity_per_month)
        .bind(i64::from(s.free_of_charge))
        .bind(&s.opening_hours)
        .bind(i64::from(s.accepts_referrals))
        .bind(self.1.text(s.contact_phone.expose()))
        .bind(s.latitude)
        .bind(s.longitude)
        .bind(s.community_id.to_string())
        .execute(self.conn())
        .await?;
        found(done.rows_affected(), "missing.service_provider", s.id)
    }

    /// Removes a stakeholder, a group or a provider (`table` is one of theirs) nothing refers
    /// to; one that is referred to is refused (`register.in_use_record`).
    pub async fn delete_actor(&mut self, table: ActorTable, id: &str) -> Result<()> {
        let sql = match table {
            ActorTable::Stakeholders => "DELETE FROM stakeholders WHERE id = $1",
            ActorTable::Groups => "DELETE FROM socio_economic_groups WHERE id = $1",
            ActorTable::ServiceProviders => "DELETE FROM service_providers WHERE id = $1",
        };
        match sqlx::query(sql).bind(id).execute(self.conn()).await {
            Ok(done) => found(done.rows_affected(), table.missing(), id),
            Err(e) if is_foreign_key_violation(&e) => Err(StoreError::Refused(
                sigida_core::refusal::Refusal::new("register.in_use_record"),
            )),
            Err(e) => Err(e.into()),
        }
    }
}

/// The tables of the actors, for [`Tx::delete_actor`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorTable {
    Stakeholders,
    Groups,
    ServiceProviders,
}

impl ActorTable {
    fn missing(self) -> &'static str {
        match self {
            ActorTable::Stakeholders => "missing.stakeholder",
            ActorTable::Groups => "missing.group",
            ActorTable::ServiceProviders => "missing.service_provider",
        }
    }
}

fn found(rows: u64, thing: &'static str, id: impl ToString) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::not_found(thing, id));
    }
    Ok(())
}
