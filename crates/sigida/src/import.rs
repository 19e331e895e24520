//! `sigida import form` and `sigida import data`: instruments and their exports into the
//! diagnostic, checked, all or nothing.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::{
    ImportKind, Instrument, InstrumentKind, InstrumentVersion, RawImport,
};
use sigida_core::{Id, Timestamp};
use sigida_formats::FormatError;
use sigida_store::{ImportProblem, NewSubmission, RawFile, Store, sha256_hex};
use sigida_xlsform::import::{ExportCheck, check_export};
use sigida_xlsform::read_form_bytes;

use crate::{Failure, Place};

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path)
        .map_err(|e| Failure::Input(format!("{} : lecture impossible : {e}", path.display())))
}

/// A file's bytes and how to name them.
pub fn read_source(path: &Path) -> Result<(Source, Vec<u8>), Failure> {
    let bytes = read(path)?;
    let source = Source {
        shown: path.display().to_string(),
        name: file_name(path),
    };
    Ok((source, bytes))
}

/// What to say when the very same bytes were imported before.
pub fn already_imported(import: &RawImport) -> String {
    format!(
        "Ce fichier a déjà été importé le {} : rien ne change.",
        import.imported_at.date()
    )
}

/// How many of a refused file's problems are listed (the rest are counted).
const SHOWN_PROBLEMS: usize = 20;

/// A file refused whole: its problems, each with its place.
pub fn refused(problems: &[FormatError]) -> Failure {
    let mut text: Vec<String> = problems
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(|p| format!("  {}", crate::tr().format_error(p)))
        .collect();
    if problems.len() > SHOWN_PROBLEMS {
        text.push(format!("  … et {} autres", problems.len() - SHOWN_PROBLEMS));
    }
    Failure::Input(format!(
        "{} problème(s) : rien n'a été importé.\n{}",
        problems.len(),
        text.join("\n")
    ))
}

/// The community a command names by its slug; an unknown one lists the known ones.
pub async fn community(
    store: &Store,
    diagnostic: &Diagnostic,
    slug: &str,
) -> Result<Community, Failure> {
    if let Some(community) = store.community_by_slug(diagnostic.id, slug).await? {
        return Ok(community);
    }
    let known: Vec<String> = store
        .communities(diagnostic.id)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    Err(Failure::Input(format!(
        "--community « {slug} » : communauté inconnue (connues : {})",
        known.join(", ")
    )))
}

pub async fn form(
    place: &Place,
    path: &Path,
    instrument_name: &str,
    kind: &str,
) -> Result<(), Failure> {
    let kind: InstrumentKind = kind
        .parse()
        .map_err(|e: sigida_core::UnknownCode| Failure::Input(format!("--kind : {e}")))?;
    let bytes = read(path)?;
    let store = place.open().await?;
    let source = Source {
        shown: path.display().to_string(),
        name: file_name(path),
    };
    form_bytes(&store, &source, &bytes, instrument_name, kind).await
}

/// Where bytes come from: as shown in messages, and the file name kept with them.
pub struct Source {
    pub shown: String,
    pub name: String,
}

/// Imports a form's bytes as the newest version of an instrument (nothing when unchanged).
pub async fn form_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    instrument_name: &str,
    kind: InstrumentKind,
) -> Result<(), Failure> {
    let form = read_form_bytes(&source.name, bytes).map_err(|e| {
        Failure::Input(format!(
            "formulaire illisible :\n{}",
            sigida_app::common::explain::form_error(crate::tr(), &e)
        ))
    })?;
    let diagnostic = store.main_diagnostic().await?;
    let sha = sha256_hex(bytes);
    let existing = store
        .instrument_by_name(diagnostic.id, instrument_name)
        .await?;
    // Read before the transaction: a second connection while it writes could wait on it.
    let versions = match &existing {
        Some(instrument) => store.instrument_versions(instrument.id).await?,
        None => Vec::new(),
    };
    if let Some(instrument) = &existing {
        if instrument.kind != kind {
            return Err(Failure::Input(format!(
                "l'instrument « {instrument_name} » existe déjà comme {} (--kind {})",
                instrument.kind,
                kind.code()
            )));
        }
        if let Some(same) = versions.iter().find(|v| v.form_sha256 == sha) {
            println!(
                "{} : ce formulaire est déjà la version « {} » de « {instrument_name} » : rien ne change.",
                source.shown, same.version
            );
            return Ok(());
        }
    }
    let at = Timestamp::now();
    let mut tx = store.begin().await?;
    let instrument = match existing {
        Some(i) => i,
        None => {
            let i = Instrument {
                id: Id::new(),
                diagnostic_id: diagnostic.id,
                kind,
                name: instrument_name.to_owned(),
            };
            tx.insert_instrument(&i).await?;
            i
        }
    };
    let mut version = form.version.clone().unwrap_or_else(|| sha[..8].to_owned());
    if versions.iter().any(|v| v.version == version) {
        version = format!("{version}-{}", &sha[..8]);
    }
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::Form,
            file_name: &source.name,
            bytes,
            record_count: form.questions.len() as i64,
            problem_count: form.warnings.len() as i64,
            imported_by: None,
            at,
        })
        .await?;
    tx.insert_instrument_version(&InstrumentVersion {
        id: Id::new(),
        instrument_id: instrument.id,
        version: version.clone(),
        form_sha256: sha,
        created_at: at,
    })
    .await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: None,
        action: AuditAction::DataImported,
        subject: format!("import:{}", kept.import.id),
        detail: format!("formulaire {instrument_name} version {version}"),
    })
    .await?;
    tx.commit().await?;
    let personal = form
        .questions
        .iter()
        .filter(|q| q.personal.is_some())
        .count();
    println!(
        "Formulaire « {instrument_name} » version « {version} » importé : {} questions, {} listes de choix, langues {}, {personal} questions à données personnelles, {} avertissements.",
        form.questions.len(),
        form.choice_lists.len(),
        if form.languages.is_empty() {
            "(aucune)".to_owned()
        } else {
            form.languages.join(", ")
        },
        form.warnings.len()
    );
    Ok(())
}

fn report(check: &ExportCheck) -> String {
    let mut out = String::new();
    for sheet in &check.ignored {
        out.push_str(&format!(
            "  feuille « {sheet} » : laissée de côté (ni les soumissions ni une répétition du formulaire ; un export d'une autre version ?)\n"
        ));
    }
    for sheet in std::iter::once(&check.main).chain(&check.repeats) {
        let name = sheet
            .sheet
            .as_deref()
            .map(|s| format!("feuille « {s} »"))
            .unwrap_or_else(|| "fichier".to_owned());
        let (found, total) = sheet.coverage;
        out.push_str(&format!(
            "  {name} : {} lignes, {found} questions reconnues sur {total}, {} problèmes\n",
            sheet.rows, sheet.problem_total
        ));
        let unknown = sheet.unknown_columns();
        if !unknown.is_empty() {
            out.push_str(&format!(
                "    colonnes hors formulaire ({}) : {}{}\n",
                unknown.len(),
                unknown
                    .iter()
                    .take(8)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown.len() > 8 { ", …" } else { "" }
            ));
        }
        if sheet.orphans > 0 {
            out.push_str(&format!(
                "    {} lignes dont le parent est introuvable (ni la soumission ni la ligne de répétition qui les contient)\n",
                sheet.orphans
            ));
        }
        let mut by_column: Vec<_> = sheet.problems_by_column.iter().collect();
        by_column.sort_by(|a, b| b.1.cmp(a.1));
        for (column, count) in by_column.iter().take(10) {
            let example = sheet.problems.iter().find(|p| &&p.column == column);
            out.push_str(&format!(
                "    « {column} » : {count} valeurs{}\n",
                example
                    .map(|p| format!(
                        " — ex. ligne {} « {} » : {}",
                        p.row,
                        p.value,
                        p.message.lines().next().unwrap_or("")
                    ))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

/// `sigida import data FILE…`: one export, or ODK's main CSV followed by its repeat CSVs,
/// which are kept together as one raw file (a ZIP that stores each byte for byte) and
/// imported all or nothing.
pub async fn data(
    place: &Place,
    paths: &[std::path::PathBuf],
    instrument_name: &str,
    accept_warnings: bool,
) -> Result<(), Failure> {
    let store = place.open().await?;
    let (source, bytes) = match paths {
        [path] => read_source(path)?,
        [main, ..] => {
            let mut files = Vec::with_capacity(paths.len());
            for path in paths {
                if !file_name(path).to_ascii_lowercase().ends_with(".csv") {
                    return Err(Failure::Input(format!(
                        "{} : plusieurs fichiers se donnent en CSV (le fichier principal puis ceux des répétitions, comme ODK les exporte) ; un classeur ou un ZIP se donne seul",
                        path.display()
                    )));
                }
                files.push((file_name(path), read(path)?));
            }
            let bundled = sigida_formats::table::bundle(&files)?;
            let stem = main
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let source = Source {
                shown: paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" + "),
                name: format!("{stem} ({} fichiers).zip", paths.len()),
            };
            (source, bundled)
        }
        [] => return Err(Failure::Input("aucun fichier à importer".into())),
    };
    data_bytes(&store, &source, bytes, instrument_name, accept_warnings).await
}

/// Checks an export's bytes against the instrument's latest form and keeps its new submissions.
pub async fn data_bytes(
    store: &Store,
    source: &Source,
    bytes: Vec<u8>,
    instrument_name: &str,
    accept_warnings: bool,
) -> Result<(), Failure> {
    let diagnostic = store.main_diagnostic().await?;
    let instrument = store.instrument_by_name(diagnostic.id, instrument_name).await?.ok_or_else(|| {
        Failure::Input(format!(
            "instrument inconnu « {instrument_name} » : importez d'abord son formulaire (sigida import form FICHIER --instrument {instrument_name})"
        ))
    })?;
    let version = store
        .instrument_versions(instrument.id)
        .await?
        .pop()
        .ok_or_else(|| {
            Failure::Input(format!(
                "l'instrument « {instrument_name} » n'a pas de formulaire"
            ))
        })?;
    let form_import = store
        .form_import(diagnostic.id, &version.form_sha256)
        .await?
        .ok_or_else(|| {
            Failure::Database(format!(
                "le fichier du formulaire {} est introuvable",
                version.form_sha256
            ))
        })?;
    let form_bytes = store.raw_bytes(&version.form_sha256).await?;
    let form = read_form_bytes(&form_import.file_name, &form_bytes).map_err(|e| {
        Failure::Other(format!(
            "le formulaire enregistré ne se relit plus :\n{}",
            sigida_app::common::explain::form_error(crate::tr(), &e)
        ))
    })?;

    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!(
        "Vérification de {} contre le formulaire",
        source.name
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let at = Timestamp::now();
    let now_days = at.datetime().unix_timestamp() as f64 / 86_400.0;
    let path_buf = std::path::PathBuf::from(&source.name);
    let checked = tokio::task::spawn_blocking(move || {
        let result = check_export(&form, &path_buf, &bytes, now_days);
        (result, bytes)
    })
    .await
    .map_err(|e| Failure::Other(e.to_string()))?;
    spinner.finish_and_clear();
    let (result, bytes) = checked;
    let check = result?;
    println!("{} :\n{}", source.shown, report(&check));
    let problems = check.problem_total();
    if problems > 0 && !accept_warnings {
        return Err(Failure::Input(format!(
            "{problems} valeurs ne respectent pas le formulaire : rien n'a été importé. Corrigez le fichier, ou relancez avec --accept-warnings pour l'importer tel quel (les problèmes seront listés dans le journal de nettoyage)."
        )));
    }

    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: Some(version.id),
            kind: ImportKind::SurveyData,
            file_name: &source.name,
            bytes: &bytes,
            record_count: check.main.rows as i64,
            problem_count: problems as i64,
            imported_by: None,
            at,
        })
        .await?;
    // The file is stored: its bytes need not stay in memory while the rest is written.
    drop(bytes);
    if !kept.created {
        tx.rollback().await?;
        println!("{}", already_imported(&kept.import));
        return Ok(());
    }
    let submissions: Vec<NewSubmission<'_>> = check
        .main
        .submissions
        .iter()
        .map(|(row, uuid, time)| NewSubmission {
            uuid,
            row: *row as i64,
            submitted_at: time.as_deref(),
        })
        .collect();
    let added = tx
        .add_submissions(instrument.id, kept.import.id, &submissions)
        .await?;
    let kept_problems: Vec<ImportProblem> = std::iter::once(&check.main)
        .chain(&check.repeats)
        .flat_map(|sheet| {
            sheet.problems.iter().map(|p| ImportProblem {
                sheet: sheet.sheet.clone(),
                row: p.row as i64,
                column: p.column.clone(),
                value: p.value.clone(),
                message: p.message.clone(),
            })
        })
        .collect();
    tx.add_import_problems(kept.import.id, &kept_problems)
        .await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: None,
        action: AuditAction::DataImported,
        subject: format!("import:{}", kept.import.id),
        detail: format!(
            "{} : {} lignes, {added} nouvelles soumissions",
            source.name, check.main.rows
        ),
    })
    .await?;
    tx.commit().await?;
    let total = store.submission_count(instrument.id).await?;
    println!(
        "Importé : {added} nouvelles soumissions ({} déjà connues) ; « {instrument_name} » compte désormais {total} soumissions.",
        check.main.rows as u64 - added
    );
    Ok(())
}
