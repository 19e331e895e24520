//! `sigida report`: the diagnostic's documents as files (`sigida_app::reports`).

use sigida_app::reports::{Format, write_reports};
use sigida_report::Lang;

use crate::{Failure, Place};

/// `sigida report [--community SLUG] [--lang fr|en] [--format html|pdf]`.
pub async fn run(
    place: &Place,
    community: Option<&str>,
    lang: Option<&str>,
    format: Option<&str>,
) -> Result<(), Failure> {
    let formats = match format {
        None => Format::ALL.to_vec(),
        Some("html") => vec![Format::Html],
        Some("pdf") => vec![Format::Pdf],
        Some(other) => {
            return Err(Failure::Input(format!(
                "format « {other} » inconnu : html ou pdf"
            )));
        }
    };
    let langs = match lang {
        None => Lang::ALL.to_vec(),
        Some(code) => vec![
            Lang::parse(code)
                .ok_or_else(|| Failure::Input(format!("langue « {code} » inconnue : fr ou en")))?,
        ],
    };
    let store = place.open().await?;
    let diagnostic = store.main_diagnostic().await?;
    let written =
        write_reports(&store, &place.dir, &diagnostic, community, &langs, &formats).await?;
    store.close().await;
    for path in written {
        println!("  ✓ rapport : {}", path.display());
    }
    Ok(())
}
