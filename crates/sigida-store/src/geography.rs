//! Diagnostics, admin units, communities and localities.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::{AdminUnit, Locality};

use crate::rows::Cols;
use crate::{Result, Store, StoreError, Tx};

fn diagnostic(row: &sqlx::any::AnyRow) -> Result<Diagnostic> {
    let c = Cols::of("diagnostics", row);
    Ok(Diagnostic {
        id: c.id("id")?,
        name: c.text("name")?,
        country_iso3: c.text("country_iso3")?,
        programme: c.text("programme")?,
        synthetic: c.bool("synthetic")?,
        min_cell: u64::try_from(c.i64("min_cell")?)
            .unwrap_or(sigida_core::disclosure::DEFAULT_MIN_CELL),
        created_at: c.timestamp("created_at")?,
    })
}

fn admin_unit(row: &sqlx::any::AnyRow) -> Result<AdminUnit> {
    let c = Cols::of("admin_units", row);
    Ok(AdminUnit {
        pcode: c.text("pcode")?,
        cod_version: c.text("cod_version")?,
        level: c.small("level")?,
        name: c.text("name")?,
        parent_pcode: c.opt_text("parent_pcode")?,
        valid_from: c.opt_text("valid_from")?,
    })
}

fn community(row: &sqlx::any::AnyRow) -> Result<Community> {
    let c = Cols::of("communities", row);
    Ok(Community {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        name: c.text("name")?,
        slug: c.text("slug")?,
        region_pcode: c.text("region_pcode")?,
        cercle_pcode: c.text("cercle_pcode")?,
        cod_version: c.text("cod_version")?,
        description: c.text("description")?,
        latitude: c.opt_f64("latitude")?,
        longitude: c.opt_f64("longitude")?,
    })
}

fn locality(row: &sqlx::any::AnyRow) -> Result<Locality> {
    let c = Cols::of("localities", row);
    Ok(Locality {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        name: c.text("name")?,
        admin_pcode: c.opt_text("admin_pcode")?,
        cod_version: c.opt_text("cod_version")?,
        latitude: c.opt_f64("latitude")?,
        longitude: c.opt_f64("longitude")?,
        population: c.opt_i64("population")?,
    })
}

/// What an admin-unit import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AdminUnitCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Store {
    pub async fn diagnostics(&self) -> Result<Vec<Diagnostic>> {
        sqlx::query("SELECT * FROM diagnostics ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(diagnostic)
            .collect()
    }

    /// The diagnostic a laptop works on: the first one created.
    pub async fn main_diagnostic(&self) -> Result<Diagnostic> {
        self.diagnostics()
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("missing.diagnostic", ""))
    }

    pub async fn admin_units(&self) -> Result<Vec<AdminUnit>> {
        sqlx::query("SELECT * FROM admin_units ORDER BY cod_version, level, pcode")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(admin_unit)
            .collect()
    }

    pub async fn admin_unit(&self, pcode: &str, cod_version: &str) -> Result<Option<AdminUnit>> {
        sqlx::query("SELECT * FROM admin_units WHERE pcode = $1 AND cod_version = $2")
            .bind(pcode)
            .bind(cod_version)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(admin_unit)
            .transpose()
    }

    pub async fn communities(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<Community>> {
        sqlx::query("SELECT * FROM communities WHERE diagnostic_id = $1 ORDER BY name")
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(community)
            .collect()
    }

    pub async fn community_by_slug(
        &self,
        diagnostic: Id<Diagnostic>,
        slug: &str,
    ) -> Result<Option<Community>> {
        sqlx::query("SELECT * FROM communities WHERE diagnostic_id = $1 AND slug = $2")
            .bind(diagnostic.to_string())
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(community)
            .transpose()
    }

    pub async fn localities(&self, community: Id<Community>) -> Result<Vec<Locality>> {
        sqlx::query("SELECT * FROM localities WHERE community_id = $1 ORDER BY name")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(locality)
            .collect()
    }
}

impl Tx {
    pub async fn insert_diagnostic(&mut self, d: &Diagnostic) -> Result<()> {
        sqlx::query(
            "INSERT INTO diagnostics (id, name, country_iso3, programme, synthetic, min_cell,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.id.to_string())
        .bind(&d.name)
        .bind(&d.country_iso3)
        .bind(&d.programme)
        .bind(i64::from(d.synthetic))
        .bind(i64::try_from(d.min_cell).unwrap_or(i64::MAX))
        .bind(d.created_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The `(pcode, level)` of every admin unit already stored in `cod_version`.
    pub async fn admin_unit_levels(&mut self, cod_version: &str) -> Result<Vec<(String, u8)>> {
        let rows = sqlx::query("SELECT pcode, level FROM admin_units WHERE cod_version = $1")
            .bind(cod_version)
            .fetch_all(self.conn())
            .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::of("admin_units", row);
                Ok((c.text("pcode")?, c.small("level")?))
            })
            .collect()
    }

    /// Adds or updates admin units, keyed by `(pcode, cod_version)`; re-importing the same
    /// list changes nothing.
    pub async fn upsert_admin_units(&mut self, units: &[AdminUnit]) -> Result<AdminUnitCounts> {
        let mut counts = AdminUnitCounts::default();
        for unit in units {
            let existing =
                sqlx::query("SELECT * FROM admin_units WHERE pcode = $1 AND cod_version = $2")
                    .bind(&unit.pcode)
                    .bind(&unit.cod_version)
                    .fetch_optional(self.conn())
                    .await?;
            let sql = match existing.as_ref().map(admin_unit).transpose()? {
                Some(stored) if stored == *unit => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    counts.updated += 1;
                    "UPDATE admin_units SET level = $3, name = $4, parent_pcode = $5, valid_from = $6
                     WHERE pcode = $1 AND cod_version = $2"
                }
                None => {
                    counts.added += 1;
                    "INSERT INTO admin_units (pcode, cod_version, level, name, parent_pcode, valid_from)
                     VALUES ($1, $2, $3, $4, $5, $6)"
                }
            };
            sqlx::query(sql)
                .bind(&unit.pcode)
                .bind(&unit.cod_version)
                .bind(i64::from(unit.level))
                .bind(&unit.name)
                .bind(&unit.parent_pcode)
                .bind(&unit.valid_from)
                .execute(self.conn())
                .await?;
        }
        Ok(counts)
    }

    pub async fn insert_community(&mut self, c: &Community) -> Result<()> {
        sqlx::query(
            "INSERT INTO communities (id, diagnostic_id, name, slug, region_pcode, cercle_pcode,
                cod_version, description, latitude, longitude)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.id.to_string())
        .bind(c.diagnostic_id.to_string())
        .bind(&c.name)
        .bind(&c.slug)
        .bind(&c.region_pcode)
        .bind(&c.cercle_pcode)
        .bind(&c.cod_version)
        .bind(&c.description)
        .bind(c.latitude)
        .bind(c.longitude)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_locality(&mut self, l: &Locality) -> Result<()> {
        sqlx::query(
            "INSERT INTO localities (id, community_id, name, admin_pcode, cod_version, latitude,
                longitude, population)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(l.id.to_string())
        .bind(l.community_id.to_string())
        .bind(&l.name)
        .bind(&l.admin_pcode)
        .bind(&l.cod_version)
        .bind(l.latitude)
        .bind(l.longitude)
        .bind(l.population)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
