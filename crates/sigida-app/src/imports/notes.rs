//! A coded-notes workbook (sheets notes, codes, extraits) into a community's qualitative
//! evidence: its notes, their coded excerpts, and the codes the codebook did not have.

use sigida_core::community::Community;
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::qualitative::read_coded_notes;
use sigida_report::Tr;
use sigida_store::{RawFile, Store};

use super::{Imported, audited, tables_of};
use crate::AppError;
use crate::common::files::Upload;

#[derive(Clone, Debug)]
pub struct NotesImported {
    pub community: Community,
    pub notes: usize,
    pub excerpts: usize,
    pub new_codes: usize,
}

impl NotesImported {
    pub fn summary(&self, tr: Tr) -> String {
        tr.fill(
            "imported.notes",
            &[
                ("community", self.community.name.clone()),
                ("notes", self.notes.to_string()),
                ("excerpts", self.excerpts.to_string()),
                ("codes", self.new_codes.to_string()),
            ],
        )
    }
}

/// `file` as `community`'s coded notes. `by` is the user who brings it (`None` on the command
/// line).
pub async fn import_notes(
    store: &Store,
    file: Upload<'_>,
    community: &Community,
    by: Option<&str>,
) -> Result<Imported<NotesImported>, AppError> {
    let diagnostic = store.main_diagnostic().await?;
    let tables = tables_of(file).await?;
    let codebook = store.codebook(diagnostic.id).await?;
    let localities = store.localities(community.id).await?;
    let read = read_coded_notes(&tables, diagnostic.id, community.id, &codebook, &localities)
        .map_err(AppError::File)?;
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::InterviewNotes,
            file_name: file.name,
            bytes: file.bytes,
            record_count: read.excerpts.len() as i64,
            problem_count: 0,
            imported_by: by,
            at,
        })
        .await?;
    if !kept.created {
        tx.rollback().await?;
        return Ok(Imported::Again(kept.import));
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
    tx.audit(&audited(
        at,
        by,
        kept.import.id,
        format!(
            "{} : {} notes, {} extraits ({})",
            file.name,
            read.notes.len(),
            read.excerpts.len(),
            community.slug
        ),
    ))
    .await?;
    tx.commit().await?;
    Ok(Imported::New(NotesImported {
        community: community.clone(),
        notes: read.notes.len(),
        excerpts: read.excerpts.len(),
        new_codes: read.new_codes.len(),
    }))
}
