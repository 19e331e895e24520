//! `sigida import form` and `sigida import data`: instruments and their exports into the
//! diagnostic, checked, all or nothing (the use-cases of `sigida_app::imports`; this file reads
//! the files and says what happened).

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sigida_app::common::files::Upload;
use sigida_app::imports::instruments::{ExportOutcome, import_export, import_form};
use sigida_core::instrument::InstrumentKind;
use sigida_store::Store;

use crate::{Failure, Place, tr};

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

impl Source {
    pub fn upload<'a>(&'a self, bytes: &'a [u8]) -> Upload<'a> {
        Upload {
            name: &self.name,
            shown: &self.shown,
            bytes,
        }
    }
}

/// Imports a form's bytes as the newest version of an instrument (nothing when unchanged).
pub async fn form_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    instrument_name: &str,
    kind: InstrumentKind,
) -> Result<(), Failure> {
    let done = import_form(store, source.upload(bytes), instrument_name, kind, None).await?;
    let said = done.summary(tr(), instrument_name);
    match done {
        sigida_app::imports::instruments::FormImport::Same { .. } => {
            println!("{} : {said}", source.shown)
        }
        sigida_app::imports::instruments::FormImport::New(_) => println!("{said}"),
    }
    Ok(())
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
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push((file_name(path), read(path)?));
    }
    let (name, bytes) = sigida_app::imports::instruments::bundle_export(files)?;
    let source = Source {
        shown: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" + "),
        name,
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
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!(
        "Vérification de {} contre le formulaire",
        source.name
    ));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let done = import_export(
        store,
        instrument_name,
        &source.name,
        bytes,
        accept_warnings,
        None,
    )
    .await;
    spinner.finish_and_clear();
    let done = done?;
    println!("{} :\n{}", source.shown, done.report(tr()));
    let said = done.summary(tr(), instrument_name);
    match done.outcome {
        ExportOutcome::Refused { .. } => Err(Failure::Input(said)),
        ExportOutcome::Imported { .. } | ExportOutcome::Again(_) => {
            println!("{said}");
            Ok(())
        }
    }
}
