//! `sigida kobo pull`: a form and its submissions straight from a KoboToolbox server (API v2),
//! kept raw as the server sent them and imported like any export.

use std::time::Duration;

use serde_json::Value;
use sigida_core::instrument::InstrumentKind;

use crate::import::{Source, data_bytes, form_bytes};
use crate::{Failure, Place};

/// Submissions asked for per page; Kobo serves at most 30 000.
const PAGE: usize = 5_000;

pub struct Pull<'a> {
    pub server: &'a str,
    pub token: &'a str,
    pub asset: &'a str,
    pub instrument: &'a str,
    pub kind: &'a str,
}

fn get(agent: &ureq::Agent, url: &str, token: &str) -> Result<Vec<u8>, Failure> {
    match agent
        .get(url)
        .set("Authorization", &format!("Token {token}"))
        .set("Accept", "application/json")
        .call()
    {
        Ok(response) => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes)
                .map_err(|e| Failure::Other(format!("{url} : réponse interrompue : {e}")))?;
            Ok(bytes)
        }
        Err(ureq::Error::Status(401 | 403, _)) => Err(Failure::Input(format!(
            "{url} : le serveur refuse le jeton (401/403) : vérifiez --token (Kobo → Paramètres du compte → Clé API)"
        ))),
        Err(ureq::Error::Status(404, _)) => Err(Failure::Input(format!(
            "{url} : introuvable (404) : vérifiez --server et --asset"
        ))),
        Err(ureq::Error::Status(code, _)) => {
            Err(Failure::Other(format!("{url} : le serveur répond {code}")))
        }
        Err(e) => Err(Failure::Other(format!("{url} : serveur injoignable : {e}"))),
    }
}

pub async fn pull(place: &Place, pull: Pull<'_>) -> Result<(), Failure> {
    let kind: InstrumentKind = pull
        .kind
        .parse()
        .map_err(|e: sigida_core::UnknownCode| Failure::Input(format!("--kind : {e}")))?;
    let base = pull.server.trim_end_matches('/');
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(120))
        .build();
    let asset_url = format!("{base}/api/v2/assets/{}/?format=json", pull.asset);
    let (token, asset_url_owned) = (pull.token.to_owned(), asset_url.clone());
    let agent_form = agent.clone();
    let asset = tokio::task::spawn_blocking(move || get(&agent_form, &asset_url_owned, &token))
        .await
        .map_err(|e| Failure::Other(e.to_string()))??;
    let store = place.open().await?;
    form_bytes(
        &store,
        &Source {
            shown: asset_url.clone(),
            name: format!("{}.json", pull.asset),
        },
        &asset,
        pull.instrument,
        kind,
    )
    .await?;

    // Every page of submissions, following `next`, merged into one list as the server sent it.
    let first = format!(
        "{base}/api/v2/assets/{}/data/?format=json&limit={PAGE}&start=0",
        pull.asset
    );
    let token = pull.token.to_owned();
    let submissions = tokio::task::spawn_blocking(move || -> Result<Vec<Value>, Failure> {
        let mut all = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next {
            let bytes = get(&agent, &url, &token)?;
            let page: Value = serde_json::from_slice(&bytes)
                .map_err(|e| Failure::Other(format!("{url} : réponse JSON illisible : {e}")))?;
            let results = page
                .get("results")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    Failure::Other(format!("{url} : pas de « results » dans la réponse"))
                })?;
            all.extend(results.iter().cloned());
            next = page.get("next").and_then(Value::as_str).map(str::to_owned);
        }
        Ok(all)
    })
    .await
    .map_err(|e| Failure::Other(e.to_string()))??;
    let count = submissions.len();
    let bytes = serde_json::to_vec(&submissions).map_err(|e| Failure::Other(e.to_string()))?;
    println!("{count} soumissions reçues de {base}.");
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    data_bytes(
        &store,
        &Source {
            shown: format!("{base}/api/v2/assets/{}/data/", pull.asset),
            name: format!("{}-donnees-{stamp}.json", pull.asset),
        },
        bytes,
        pull.instrument,
        // Data on the server cannot be corrected from here: problems go to the cleaning log.
        true,
    )
    .await
}
