//! A COD-AB list of P-codes (OCHA's administrative boundaries, long or wide layout) into the
//! diagnostic's admin units: every P-code of the diagnostic's country, every parent present
//! (in the file or already stored) at a lower level.

use sigida_core::diagnostic::pcode_prefix;
use sigida_core::geography::check_hierarchy;
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::cod::{Country, read_cod};
use sigida_formats::{FormatError, Location};
use sigida_report::Tr;
use sigida_store::{AdminUnitCounts, RawFile, Store};

use super::{audited, tables_of};
use crate::AppError;
use crate::common::files::Upload;

#[derive(Clone, Debug)]
pub struct GeographyImported {
    pub units: usize,
    /// The COD versions the file holds.
    pub versions: Vec<String>,
    pub counts: AdminUnitCounts,
    /// Rows without a P-code, skipped (each with its place).
    pub skipped: Vec<FormatError>,
}

impl GeographyImported {
    pub fn summary(&self, tr: Tr) -> String {
        tr.fill(
            "imported.geography",
            &[
                ("units", self.units.to_string()),
                ("versions", self.versions.join(", ")),
                ("added", self.counts.added.to_string()),
                ("updated", self.counts.updated.to_string()),
                ("unchanged", self.counts.unchanged.to_string()),
                ("skipped", self.skipped.len().to_string()),
            ],
        )
    }
}

/// `file` into the admin units, all or nothing; `cod_version` when the file does not say its
/// version. Importing a list again updates what changed.
pub async fn import_geography(
    store: &Store,
    file: Upload<'_>,
    cod_version: Option<&str>,
    by: Option<&str>,
) -> Result<GeographyImported, AppError> {
    let tables = tables_of(file).await?;
    let diagnostic = store.main_diagnostic().await?;
    let iso3 = diagnostic.country_iso3.to_ascii_uppercase();
    let country = pcode_prefix(&iso3).map(|prefix| Country {
        iso3: &iso3,
        prefix,
    });
    let list = read_cod(&tables, cod_version, country).map_err(AppError::File)?;
    let mut tx = store.begin().await?;
    let mut known = Vec::new();
    let mut versions: Vec<String> = list.units.iter().map(|u| u.cod_version.clone()).collect();
    versions.sort_unstable();
    versions.dedup();
    for version in &versions {
        known.extend(tx.admin_unit_levels(version).await?);
    }
    check_hierarchy(&list.units, &known).map_err(|problems| {
        AppError::File(
            problems
                .into_iter()
                .map(|(i, e)| {
                    let at = list.places.get(i).cloned().unwrap_or_else(|| Location {
                        file: file.shown.to_owned(),
                        ..Location::default()
                    });
                    FormatError::new(at, e.refusal())
                })
                .collect(),
        )
    })?;
    let mut counts = AdminUnitCounts::default();
    for chunk in list.units.chunks(500) {
        let c = tx.upsert_admin_units(chunk).await?;
        counts.added += c.added;
        counts.updated += c.updated;
        counts.unchanged += c.unchanged;
    }
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::Geography,
            file_name: file.name,
            bytes: file.bytes,
            record_count: list.units.len() as i64,
            problem_count: list.skipped.len() as i64,
            imported_by: by,
            at: Timestamp::now(),
        })
        .await?;
    tx.audit(&audited(
        kept.import.imported_at,
        by,
        kept.import.id,
        file.name.to_owned(),
    ))
    .await?;
    tx.commit().await?;
    Ok(GeographyImported {
        units: list.units.len(),
        versions,
        counts,
        skipped: list.skipped,
    })
}
