//! The diagnostic's documents written as files: each community's contextual analysis, action
//! plan (and its workbook) and meeting minutes, and the synthesis across communities, HTML and
//! PDF, at the paths PRODUCT.md fixes (`DIR/reports/<slug>/analyse-contextuelle.{html,pdf}`,
//! `…/plan-action.{html,pdf,xlsx}`, the minutes in `…/reunions/`,
//! `DIR/reports/synthese.{html,pdf}`; English adds `.en` before the extension).
//!
//! Not a room: the one module above them, it writes the documents the rooms make (the
//! analysis's, the plans', the meetings'); no room uses it (`tests/rooms.rs`).

use std::path::{Path, PathBuf};

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_report::analysis::CommunityAnalysis;
use sigida_report::{Lang, Tr};
use sigida_store::Store;

use crate::{AppError, Refusal};

fn written_to(path: &Path, source: std::io::Error) -> AppError {
    AppError::Write {
        path: path.to_path_buf(),
        source,
    }
}

async fn analysis(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    lang: Lang,
    generated_on: time::Date,
) -> Result<CommunityAnalysis, AppError> {
    Ok(
        crate::analysis::community_analysis(store, diagnostic, community, lang, generated_on)
            .await?,
    )
}

/// A report's file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Html, Format::Pdf];

    fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// Writes one document as `folder/name.html` and `.pdf` (the formats asked for).
fn write_document(
    folder: &Path,
    name: &str,
    formats: &[Format],
    html: impl Fn() -> String,
    pdf: impl Fn() -> Result<Vec<u8>, sigida_report::pdf::PdfError>,
) -> Result<Vec<PathBuf>, AppError> {
    let mut written = Vec::new();
    for &format in formats {
        let path = folder.join(format!("{name}.{}", format.extension()));
        let bytes = match format {
            Format::Html => html().into_bytes(),
            Format::Pdf => pdf().map_err(|e| AppError::Pdf {
                path: path.clone(),
                source: e,
            })?,
        };
        std::fs::write(&path, bytes).map_err(|e| written_to(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the reports of `only` (a community's slug) or of every community and the synthesis,
/// in `langs` and `formats`; returns the files written.
pub async fn write_reports(
    store: &Store,
    dir: &Path,
    diagnostic: &Diagnostic,
    only: Option<&str>,
    langs: &[Lang],
    formats: &[Format],
) -> Result<Vec<PathBuf>, AppError> {
    let communities = store.communities(diagnostic.id).await?;
    if communities.is_empty() {
        return Err(Refusal::new("report.no_community").into());
    }
    if let Some(slug) = only {
        crate::common::lookup::community_by_slug(store, slug).await?;
    }
    let generated_on = time::OffsetDateTime::now_utc().date();
    let reports = dir.join("reports");
    // Plans and minutes say the same in every language: gathered once per community, written
    // in each (an analysis's labels come from its language, so it is gathered per language).
    let mut plans = Vec::new();
    let mut minutes = Vec::new();
    for community in &communities {
        if only.is_some_and(|slug| slug != community.slug) {
            plans.push(None);
            minutes.push(Vec::new());
            continue;
        }
        let plan = match store.latest_plan(community.id).await? {
            Some(plan) => Some(
                crate::plans::plan_document(
                    store,
                    diagnostic,
                    community,
                    &plan,
                    generated_on,
                    None,
                )
                .await?,
            ),
            None => None,
        };
        plans.push(plan);
        let mut of_community = Vec::new();
        for meeting in store.meetings(community.id).await? {
            let m = crate::meetings::meeting_minutes(
                store,
                diagnostic,
                community,
                &meeting,
                generated_on,
            )
            .await?;
            of_community.push((sigida_report::minutes::file_stem(&meeting), m));
        }
        minutes.push(of_community);
    }
    let mut written = Vec::new();
    for &lang in langs {
        let tr = Tr::new(lang);
        let mut all = Vec::new();
        for ((community, plan), meetings) in communities.iter().zip(&plans).zip(&minutes) {
            if only.is_some_and(|slug| slug != community.slug) {
                continue;
            }
            let a = analysis(store, diagnostic, community, lang, generated_on).await?;
            let folder = reports.join(&community.slug);
            std::fs::create_dir_all(&folder).map_err(|e| written_to(&folder, e))?;
            written.extend(write_document(
                &folder,
                &format!("analyse-contextuelle{}", lang.file_suffix()),
                formats,
                || sigida_report::analysis::report(tr, &a),
                || sigida_report::analysis::report_pdf(tr, &a),
            )?);
            all.push(a);
            // Its action plan, the latest version.
            if let Some(doc) = plan {
                written.extend(write_document(
                    &folder,
                    &format!("plan-action{}", lang.file_suffix()),
                    formats,
                    || sigida_report::plan::plan(tr, doc),
                    || sigida_report::plan::plan_pdf(tr, doc),
                )?);
                // The workbook comes with every format (no `--format`): it is the plan's own
                // spreadsheet, not another rendering of the report.
                if formats.len() == Format::ALL.len() {
                    let path = folder.join(format!("plan-action{}.xlsx", lang.file_suffix()));
                    sigida_formats::write::write_sheets(
                        &path,
                        &sigida_report::plan::workbook(tr, doc),
                    )?;
                    written.push(path);
                }
            }
            // The minutes of each of its meetings.
            let reunions = folder.join("reunions");
            for (stem, m) in meetings {
                std::fs::create_dir_all(&reunions).map_err(|e| written_to(&reunions, e))?;
                written.extend(write_document(
                    &reunions,
                    &format!("{stem}{}", lang.file_suffix()),
                    formats,
                    || sigida_report::minutes::minutes(tr, m),
                    || sigida_report::minutes::minutes_pdf(tr, m),
                )?);
            }
        }
        if only.is_none() {
            std::fs::create_dir_all(&reports).map_err(|e| written_to(&reports, e))?;
            written.extend(write_document(
                &reports,
                &format!("synthese{}", lang.file_suffix()),
                formats,
                || sigida_report::analysis::synthesis(tr, &all, generated_on),
                || sigida_report::analysis::synthesis_pdf(tr, &all, generated_on),
            )?);
        }
    }
    // Reports carry no personal data; they are the team's all the same: readable by its
    // owner only, like the diagnostic.
    private_tree(&reports).map_err(|e| written_to(&reports, e))?;
    Ok(written)
}

/// A folder and all it holds readable by its owner only (folders 0700, files 0600).
fn private_tree(folder: &Path) -> std::io::Result<()> {
    sigida_vault::restrict(folder, 0o700)?;
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            private_tree(&path)?;
        } else {
            sigida_vault::restrict(&path, 0o600)?;
        }
    }
    Ok(())
}
