//! Diagnostics, admin units, communities and localities.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::{AdminUnit, Locality};

use crate::rows::Cols;
use crate::{Result, Store, StoreError, Tx, is_foreign_key_violation};

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
        period_start: c
            .opt_text("period_start")?
            .as_deref()
            .and_then(crate::rows::parse_date),
        period_end: c
            .opt_text("period_end")?
            .as_deref()
            .and_then(crate::rows::parse_date),
        languages: c
            .text("languages")?
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
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
        selection_reason: c.text("selection_reason")?,
        latitude: c.opt_f64("latitude")?,
        longitude: c.opt_f64("longitude")?,
        archived_at: c.opt_timestamp("archived_at")?,
    })
}

fn locality(row: &sqlx::any::AnyRow) -> Result<Locality> {
    let c = Cols::of("localities", row);
    Ok(Locality {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        name: c.text("name")?,
        kind: c.code("kind")?,
        admin_pcode: c.opt_text("admin_pcode")?,
        cod_version: c.opt_text("cod_version")?,
        latitude: c.opt_f64("latitude")?,
        longitude: c.opt_f64("longitude")?,
        population: c.opt_i64("population")?,
        population_source: c.text("population_source")?,
        population_year: c
            .opt_i64("population_year")?
            .and_then(|y| i32::try_from(y).ok()),
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

    /// The admin unit `pcode` in each COD version that has it, newest version first.
    pub async fn admin_unit_versions(&self, pcode: &str) -> Result<Vec<AdminUnit>> {
        sqlx::query("SELECT * FROM admin_units WHERE pcode = $1 ORDER BY cod_version DESC")
            .bind(pcode)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(admin_unit)
            .collect()
    }

    pub async fn community(&self, id: Id<Community>) -> Result<Community> {
        sqlx::query("SELECT * FROM communities WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(community)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("missing.community", id))
    }

    pub async fn locality(&self, id: Id<Locality>) -> Result<Locality> {
        sqlx::query("SELECT * FROM localities WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(locality)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("missing.locality", id))
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
                created_at, period_start, period_end, languages)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(d.id.to_string())
        .bind(&d.name)
        .bind(&d.country_iso3)
        .bind(&d.programme)
        .bind(i64::from(d.synthetic))
        .bind(i64::try_from(d.min_cell).unwrap_or(i64::MAX))
        .bind(d.created_at.to_rfc3339())
        .bind(d.period_start.map(|p| p.to_string()))
        .bind(d.period_end.map(|p| p.to_string()))
        .bind(d.languages.join(","))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The settings a coordinator keeps: name, programme, country, period, languages,
    /// disclosure threshold.
    pub async fn update_diagnostic(&mut self, d: &Diagnostic) -> Result<()> {
        let done = sqlx::query(
            "UPDATE diagnostics SET name = $2, country_iso3 = $3, programme = $4, min_cell = $5,
                period_start = $6, period_end = $7, languages = $8
             WHERE id = $1",
        )
        .bind(d.id.to_string())
        .bind(&d.name)
        .bind(&d.country_iso3)
        .bind(&d.programme)
        .bind(i64::try_from(d.min_cell).unwrap_or(i64::MAX))
        .bind(d.period_start.map(|p| p.to_string()))
        .bind(d.period_end.map(|p| p.to_string()))
        .bind(d.languages.join(","))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.diagnostic", d.id));
        }
        Ok(())
    }

    /// An admin unit, read inside the transaction (a workbook's communities are checked against
    /// the units the same transaction may have written).
    pub async fn admin_unit_here(
        &mut self,
        pcode: &str,
        cod_version: &str,
    ) -> Result<Option<AdminUnit>> {
        sqlx::query("SELECT * FROM admin_units WHERE pcode = $1 AND cod_version = $2")
            .bind(pcode)
            .bind(cod_version)
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(admin_unit)
            .transpose()
    }

    /// The community of `diagnostic` whose slug is `slug`, other than `except`, read inside the
    /// transaction.
    pub async fn slug_holder(
        &mut self,
        diagnostic: Id<Diagnostic>,
        slug: &str,
        except: Id<Community>,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT name FROM communities WHERE diagnostic_id = $1 AND slug = $2 AND id <> $3",
        )
        .bind(diagnostic.to_string())
        .bind(slug)
        .bind(except.to_string())
        .fetch_optional(self.conn())
        .await?;
        row.as_ref()
            .map(|r| Cols::of("communities", r).text("name"))
            .transpose()
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
                cod_version, description, latitude, longitude, selection_reason, archived_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
        .bind(&c.selection_reason)
        .bind(c.archived_at.map(|t| t.to_rfc3339()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Everything of a community but its id and diagnostic (its slug included: the caller
    /// keeps it unless the team changes it).
    pub async fn update_community(&mut self, c: &Community) -> Result<()> {
        let done = sqlx::query(
            "UPDATE communities SET name = $2, slug = $3, region_pcode = $4, cercle_pcode = $5,
                cod_version = $6, description = $7, latitude = $8, longitude = $9,
                selection_reason = $10, archived_at = $11
             WHERE id = $1",
        )
        .bind(c.id.to_string())
        .bind(&c.name)
        .bind(&c.slug)
        .bind(&c.region_pcode)
        .bind(&c.cercle_pcode)
        .bind(&c.cod_version)
        .bind(&c.description)
        .bind(c.latitude)
        .bind(c.longitude)
        .bind(&c.selection_reason)
        .bind(c.archived_at.map(|t| t.to_rfc3339()))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.community", c.id));
        }
        Ok(())
    }

    pub async fn insert_locality(&mut self, l: &Locality) -> Result<()> {
        sqlx::query(
            "INSERT INTO localities (id, community_id, name, admin_pcode, cod_version, latitude,
                longitude, population, kind, population_source, population_year)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(l.id.to_string())
        .bind(l.community_id.to_string())
        .bind(&l.name)
        .bind(&l.admin_pcode)
        .bind(&l.cod_version)
        .bind(l.latitude)
        .bind(l.longitude)
        .bind(l.population)
        .bind(l.kind.code())
        .bind(&l.population_source)
        .bind(l.population_year.map(i64::from))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn update_locality(&mut self, l: &Locality) -> Result<()> {
        let done = sqlx::query(
            "UPDATE localities SET name = $2, admin_pcode = $3, cod_version = $4, latitude = $5,
                longitude = $6, population = $7, kind = $8, population_source = $9,
                population_year = $10
             WHERE id = $1 AND community_id = $11",
        )
        .bind(l.id.to_string())
        .bind(&l.name)
        .bind(&l.admin_pcode)
        .bind(&l.cod_version)
        .bind(l.latitude)
        .bind(l.longitude)
        .bind(l.population)
        .bind(l.kind.code())
        .bind(&l.population_source)
        .bind(l.population_year.map(i64::from))
        .bind(l.community_id.to_string())
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.locality", l.id));
        }
        Ok(())
    }

    /// Corrects an admin unit's name and the date it is valid from (its P-code, level and
    /// parent are what it is: a unit filed wrongly is removed and imported again).
    pub async fn correct_admin_unit(
        &mut self,
        pcode: &str,
        cod_version: &str,
        name: &str,
        valid_from: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE admin_units SET name = $3, valid_from = $4 WHERE pcode = $1 AND cod_version = $2",
        )
        .bind(pcode)
        .bind(cod_version)
        .bind(name)
        .bind(valid_from)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(
                "missing.admin_unit",
                format!("{pcode} ({cod_version})"),
            ));
        }
        Ok(())
    }

    /// Removes an admin unit nothing refers to: no unit under it, no community in it, no
    /// locality in it (refused with `geo.in_use` and what refers to it).
    pub async fn delete_admin_unit(&mut self, pcode: &str, cod_version: &str) -> Result<()> {
        let uses = [
            (
                "SELECT COUNT(*) AS n FROM admin_units WHERE parent_pcode = $1 AND cod_version = $2",
                "geo.in_use_units",
            ),
            (
                "SELECT COUNT(*) AS n FROM communities WHERE (region_pcode = $1 OR cercle_pcode = $1) AND cod_version = $2",
                "geo.in_use_communities",
            ),
            (
                "SELECT COUNT(*) AS n FROM localities WHERE admin_pcode = $1 AND cod_version = $2",
                "geo.in_use_localities",
            ),
        ];
        for (sql, code) in uses {
            let row = sqlx::query(sql)
                .bind(pcode)
                .bind(cod_version)
                .fetch_one(self.conn())
                .await?;
            let n = Cols::of("admin_units", &row).i64("n")?;
            if n > 0 {
                return Err(StoreError::Refused(
                    sigida_core::refusal::Refusal::new(code)
                        .arg("pcode", pcode)
                        .arg("n", n.to_string()),
                ));
            }
        }
        let done = sqlx::query("DELETE FROM admin_units WHERE pcode = $1 AND cod_version = $2")
            .bind(pcode)
            .bind(cod_version)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(
                "missing.admin_unit",
                format!("{pcode} ({cod_version})"),
            ));
        }
        Ok(())
    }

    /// Removes a locality nothing refers to; one that a risk report, a group or a capacity
    /// names is refused (`register.in_use`), and nothing is removed.
    pub async fn delete_locality(&mut self, id: Id<Locality>) -> Result<()> {
        let done = sqlx::query("DELETE FROM localities WHERE id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await;
        match done {
            Ok(d) if d.rows_affected() == 0 => Err(StoreError::not_found("missing.locality", id)),
            Ok(_) => Ok(()),
            Err(e) if is_foreign_key_violation(&e) => Err(StoreError::Refused(
                sigida_core::refusal::Refusal::new("register.in_use"),
            )),
            Err(e) => Err(e.into()),
        }
    }
}
