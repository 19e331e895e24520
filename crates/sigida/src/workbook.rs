//! `sigida workbook template|export|import`: the diagnostic workbook
//! (`sigida_app::workbook`), the same as the Communities page offers.

use std::path::PathBuf;

use clap::Subcommand;
use sigida_app::workbook::{export, import, template};

use crate::import::read_source;
use crate::{Failure, Place, tr};

#[derive(Subcommand)]
pub enum WorkbookCommand {
    /// Writes the empty template: one sheet per register, drop-downs for the closed lists.
    Template {
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes the diagnostic's registers in the template's layout, with each record's id.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// Include the contacts (personal data; the export is written to the audit log).
        #[arg(long)]
        with_personal: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Imports a filled workbook, all or nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        place: Place,
    },
}

fn written(out: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(out, bytes)
        .map_err(|e| Failure::Other(format!("{} : écriture impossible : {e}", out.display())))?;
    println!(
        "{}",
        tr().fill("workbook.written", &[("file", out.display().to_string())])
    );
    Ok(())
}

impl WorkbookCommand {
    pub async fn run(self) -> Result<(), Failure> {
        match self {
            WorkbookCommand::Template { out } => written(&out, &template(tr())?),
            WorkbookCommand::Export {
                out,
                with_personal,
                place,
            } => {
                let store = place.open().await?;
                let diagnostic = store.main_diagnostic().await?;
                let done = export(&store, &diagnostic, with_personal, None).await?;
                written(&out, &done.bytes)
            }
            WorkbookCommand::Import { file, place } => {
                let (source, bytes) = read_source(&file)?;
                let store = place.open().await?;
                let diagnostic = store.main_diagnostic().await?;
                match import(&store, &diagnostic, source.upload(&bytes), None).await? {
                    Some(done) => println!("{}", done.summary(tr())),
                    None => println!("{}", tr().t("workbook.again")),
                }
                Ok(())
            }
        }
    }
}
