//! A flow monitoring sheet (CSV or a workbook's sheet, HXL-tagged or not) into a community's
//! flow counts.

use sigida_core::community::Community;
use sigida_core::flows::Profile;
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::flows::read_flow_counts;
use sigida_formats::table::read_csv_records;
use sigida_formats::{FormatError, Location};
use sigida_report::Tr;
use sigida_store::{RawFile, Store};

use super::{Imported, audited, tables_of};
use crate::common::clean_data::off_runtime;
use crate::common::files::Upload;
use crate::{AppError, Refusal};

#[derive(Clone, Debug)]
pub struct FlowsImported {
    pub community: Community,
    pub counts: usize,
    pub travellers: u64,
    pub first: Option<time::Date>,
    pub last: Option<time::Date>,
}

impl FlowsImported {
    pub fn summary(&self, tr: Tr) -> String {
        let day = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
        tr.fill(
            "imported.flows",
            &[
                ("community", self.community.name.clone()),
                ("counts", self.counts.to_string()),
                ("travellers", self.travellers.to_string()),
                ("first", day(self.first)),
                ("last", day(self.last)),
            ],
        )
    }
}

/// The sheet `sheet` of `file` (its first when `None`; a CSV is its own sheet) as `community`'s
/// flow counts. `by` is the user who brings it (`None` on the command line).
pub async fn import_flows(
    store: &Store,
    file: Upload<'_>,
    community: &Community,
    sheet: Option<&str>,
    by: Option<&str>,
) -> Result<Imported<FlowsImported>, AppError> {
    let diagnostic = store.main_diagnostic().await?;
    let whole = |what: Refusal| {
        AppError::File(vec![FormatError::new(
            Location {
                file: file.shown.to_owned(),
                ..Location::default()
            },
            what,
        )])
    };
    // CSV rows are taken as they are: an HXL file may open with narrower title rows.
    let is_csv = file.name.to_ascii_lowercase().ends_with(".csv");
    let (records, sheet_name) = if is_csv {
        let (shown, bytes) = (file.shown.to_owned(), file.bytes.to_vec());
        let records = off_runtime(move || read_csv_records(&shown, &bytes)).await??;
        (records, None)
    } else {
        let tables = tables_of(file).await?;
        let table = match sheet {
            Some(name) => tables
                .into_iter()
                .find(|t| t.sheet.as_deref() == Some(name)),
            None => tables.into_iter().next(),
        }
        .ok_or_else(|| whole(Refusal::new("file.no_sheet").arg("sheet", sheet.unwrap_or(""))))?;
        (table.records(), table.sheet)
    };
    let import_id = Id::new();
    let counts = read_flow_counts(
        file.shown,
        sheet_name.as_deref(),
        &records,
        community.id,
        Some(import_id),
    )
    .map_err(AppError::File)?;
    if counts.is_empty() {
        return Err(whole(Refusal::new("flows.empty")));
    }
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: import_id,
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::FlowCounts,
            file_name: file.name,
            bytes: file.bytes,
            record_count: counts.len() as i64,
            problem_count: 0,
            imported_by: by,
            at,
        })
        .await?;
    if !kept.created {
        tx.rollback().await?;
        return Ok(Imported::Again(kept.import));
    }
    tx.insert_flow_counts(&counts).await?;
    let profile = Profile::of(&counts);
    tx.audit(&audited(
        at,
        by,
        import_id,
        format!(
            "{} : {} comptages de flux, {} voyageurs ({})",
            file.name,
            counts.len(),
            profile.travellers,
            community.slug
        ),
    ))
    .await?;
    tx.commit().await?;
    Ok(Imported::New(FlowsImported {
        community: community.clone(),
        counts: counts.len(),
        travellers: profile.travellers,
        first: counts.iter().map(|c| c.date).min(),
        last: counts.iter().map(|c| c.date).max(),
    }))
}
