//! `sigida report`: a community's contextual analysis report and the synthesis across
//! communities, at the paths PRODUCT.md fixes (`DIR/reports/<slug>/analyse-contextuelle.html`,
//! `DIR/reports/synthese.html`; English adds `.en`).

use std::path::{Path, PathBuf};

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_report::analysis::CommunityAnalysis;
use sigida_report::{Lang, Tr};
use sigida_store::Store;

use crate::{Failure, Place};

async fn analysis(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    lang: Lang,
    generated_on: time::Date,
) -> Result<CommunityAnalysis, Failure> {
    sigida_web::gather::community_analysis(store, diagnostic, community, lang, generated_on)
        .await
        .map_err(|e| Failure::Other(format!("{} : {e}", community.name)))
}

/// Writes the reports of `only` (a community's slug) or of every community and the synthesis,
/// in `langs`; returns the files written.
pub async fn write(
    store: &Store,
    dir: &Path,
    diagnostic: &Diagnostic,
    only: Option<&str>,
    langs: &[Lang],
) -> Result<Vec<PathBuf>, Failure> {
    let communities = store.communities(diagnostic.id).await?;
    if let Some(slug) = only
        && !communities.iter().any(|c| c.slug == slug)
    {
        let known: Vec<&str> = communities.iter().map(|c| c.slug.as_str()).collect();
        return Err(Failure::Input(format!(
            "communauté « {slug} » inconnue ; communautés du diagnostic : {}",
            known.join(", ")
        )));
    }
    let generated_on = time::OffsetDateTime::now_utc().date();
    let reports = dir.join("reports");
    let mut written = Vec::new();
    for &lang in langs {
        let tr = Tr::new(lang);
        let mut all = Vec::new();
        for community in &communities {
            if only.is_some_and(|slug| slug != community.slug) {
                continue;
            }
            let a = analysis(store, diagnostic, community, lang, generated_on).await?;
            let folder = reports.join(&community.slug);
            std::fs::create_dir_all(&folder)?;
            let path = folder.join(format!("analyse-contextuelle{}.html", lang.file_suffix()));
            std::fs::write(&path, sigida_report::analysis::report(tr, &a))?;
            written.push(path);
            all.push(a);
        }
        if only.is_none() {
            std::fs::create_dir_all(&reports)?;
            let path = reports.join(format!("synthese{}.html", lang.file_suffix()));
            std::fs::write(
                &path,
                sigida_report::analysis::synthesis(tr, &all, generated_on),
            )?;
            written.push(path);
        }
    }
    Ok(written)
}

/// `sigida report [--community SLUG] [--lang fr|en]`.
pub async fn run(
    place: &Place,
    community: Option<&str>,
    lang: Option<&str>,
) -> Result<(), Failure> {
    let langs = match lang {
        None => Lang::ALL.to_vec(),
        Some(code) => vec![
            Lang::parse(code)
                .ok_or_else(|| Failure::Input(format!("langue « {code} » inconnue : fr ou en")))?,
        ],
    };
    let store = place.open().await?;
    let diagnostic = store.main_diagnostic().await?;
    let written = write(&store, &place.dir, &diagnostic, community, &langs).await?;
    store.close().await;
    for path in written {
        println!("  ✓ rapport : {}", path.display());
    }
    Ok(())
}
