//! `sigida import notes`: a coded-notes workbook (notes, codes, extraits) into a community's
//! qualitative evidence, all or nothing.

use std::path::Path;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::qualitative::read_coded_notes;
use sigida_formats::table::read_tables_from_bytes;
use sigida_store::{RawFile, Store};

use crate::import::{Source, already_imported, read_source, refused};
use crate::{Failure, Place};

pub async fn import(place: &Place, path: &Path, community: &str) -> Result<(), Failure> {
    let (source, bytes) = read_source(path)?;
    let store = place.open().await?;
    println!(
        "{}",
        import_bytes(&store, &source, &bytes, community).await?
    );
    Ok(())
}

/// Imports a coded-notes workbook's bytes; returns what to tell the user.
pub async fn import_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    community_slug: &str,
) -> Result<String, Failure> {
    let diagnostic = store.main_diagnostic().await?;
    let community = crate::import::community(store, &diagnostic, community_slug).await?;
    let tables = read_tables_from_bytes(&source.shown, bytes)?;
    let codebook = store.codebook(diagnostic.id).await?;
    let read = read_coded_notes(&tables, diagnostic.id, community.id, &codebook)
        .map_err(|problems| refused(&problems))?;
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::InterviewNotes,
            file_name: &source.name,
            bytes,
            record_count: read.excerpts.len() as i64,
            problem_count: 0,
            imported_by: None,
            at,
        })
        .await?;
    if !kept.created {
        tx.rollback().await?;
        return Ok(already_imported(&kept.import));
    }
    for code in &read.new_codes {
        tx.insert_code(code).await?;
    }
    for note in &read.notes {
        tx.insert_interview_note(note).await?;
    }
    for (seq, excerpt) in read.excerpts.iter().enumerate() {
        tx.insert_excerpt(excerpt, seq as i64).await?;
    }
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: None,
        action: AuditAction::DataImported,
        subject: format!("import:{}", kept.import.id),
        detail: format!(
            "{} : {} notes, {} extraits ({})",
            source.name,
            read.notes.len(),
            read.excerpts.len(),
            community.slug
        ),
    })
    .await?;
    tx.commit().await?;
    Ok(format!(
        "Importé pour {} : {} notes, {} extraits codés, {} nouveaux codes.",
        community.name,
        read.notes.len(),
        read.excerpts.len(),
        read.new_codes.len()
    ))
}
