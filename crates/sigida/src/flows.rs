//! `sigida import flows`: a flow monitoring sheet (CSV or XLSX, HXL-tagged or not) into a
//! community's flow counts, all or nothing.

use std::path::Path;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::flows::Profile;
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::flows::read_flow_counts;
use sigida_formats::table::{read_csv_records, read_tables_from_bytes};
use sigida_store::{RawFile, Store};

use crate::import::{Source, already_imported, read_source, refused};
use crate::{Failure, Place};

pub async fn import(
    place: &Place,
    path: &Path,
    community: &str,
    sheet: Option<&str>,
) -> Result<(), Failure> {
    let (source, bytes) = read_source(path)?;
    let store = place.open().await?;
    let summary = import_bytes(&store, &source, &bytes, community, sheet).await?;
    println!("{summary}");
    Ok(())
}

/// Imports a flow sheet's bytes; returns what to tell the user.
pub async fn import_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    community_slug: &str,
    sheet: Option<&str>,
) -> Result<String, Failure> {
    let diagnostic = store.main_diagnostic().await?;
    let community = crate::import::community(store, &diagnostic, community_slug).await?;
    // CSV rows are taken as they are: an HXL file may open with narrower title rows.
    let is_csv = source.name.to_ascii_lowercase().ends_with(".csv");
    let (records, sheet_name) = if is_csv {
        let records = read_csv_records(&source.shown, bytes)?;
        (records, None)
    } else {
        let tables = read_tables_from_bytes(&source.shown, bytes)?;
        let table = match sheet {
            Some(name) => tables
                .into_iter()
                .find(|t| t.sheet.as_deref() == Some(name)),
            None => tables.into_iter().next(),
        }
        .ok_or_else(|| {
            Failure::Input(format!(
                "{} : pas de feuille « {} »",
                source.shown,
                sheet.unwrap_or("")
            ))
        })?;
        (table.records(), table.sheet)
    };
    let import_id = Id::new();
    let counts = read_flow_counts(
        &source.shown,
        sheet_name.as_deref(),
        &records,
        community.id,
        Some(import_id),
    )
    .map_err(|problems| refused(&problems))?;
    if counts.is_empty() {
        return Err(Failure::Input(format!(
            "{} : aucun comptage (le fichier n'a que des en-têtes)",
            source.shown
        )));
    }

    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: import_id,
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::FlowCounts,
            file_name: &source.name,
            bytes,
            record_count: counts.len() as i64,
            problem_count: 0,
            imported_by: None,
            at,
        })
        .await?;
    if !kept.created {
        tx.rollback().await?;
        return Ok(already_imported(&kept.import));
    }
    tx.insert_flow_counts(&counts).await?;
    let profile = Profile::of(&counts);
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: None,
        action: AuditAction::DataImported,
        subject: format!("import:{import_id}"),
        detail: format!(
            "{} : {} comptages de flux, {} voyageurs ({})",
            source.name,
            counts.len(),
            profile.travellers,
            community.slug
        ),
    })
    .await?;
    tx.commit().await?;
    let first = counts.iter().map(|c| c.date).min();
    let last = counts.iter().map(|c| c.date).max();
    Ok(format!(
        "Importé pour {} : {} comptages, {} voyageurs, du {} au {}.",
        community.name,
        counts.len(),
        profile.travellers,
        first.map(|d| d.to_string()).unwrap_or_default(),
        last.map(|d| d.to_string()).unwrap_or_default()
    ))
}
