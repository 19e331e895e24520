//! `sigida serve` and `sigida demo --serve`: the web interface until Ctrl-C.
//!
//! With `--tls`, the staff's pages are served over HTTPS on `--addr` (the team's certificate,
//! or one made for this laptop and kept beside the diagnostic, its fingerprint printed and
//! shown on the facilitator's screen), and the phones' voting pages over plain HTTP on
//! `--phones-addr`, which serves nothing else.

use std::path::{Path, PathBuf};

use sigida_store::Store;

use crate::Failure;

/// How `sigida serve --tls` gets its certificate.
pub struct TlsOptions {
    /// The team's certificate and key (PEM), or `None` for one made for this laptop.
    pub files: Option<(PathBuf, PathBuf)>,
    /// The diagnostic's folder: a made certificate is kept beside it.
    pub dir: PathBuf,
    /// The phones' plain listener.
    pub phones_addr: String,
}

async fn bind(addr: &str) -> Result<tokio::net::TcpListener, Failure> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Input(format!("impossible d'écouter sur {addr} : {e}")))
}

/// The names a made certificate is valid for: this machine's name and the loopback.
fn names(addr: &str) -> Vec<String> {
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if let Some((host, _)) = addr.rsplit_once(':')
        && !host.is_empty()
        && host != "0.0.0.0"
        && !names.iter().any(|n| n == host)
    {
        names.push(host.to_owned());
    }
    if let Ok(name) = std::fs::read_to_string("/etc/hostname") {
        let name = name.trim();
        if !name.is_empty() {
            names.push(name.to_owned());
            names.push(format!("{name}.local"));
        }
    }
    names
}

/// Where the certificate made for this laptop is kept: `<folder>.tls.pem`, beside the folder.
pub fn made_certificate(dir: &std::path::Path) -> PathBuf {
    crate::keys::beside_as(dir, "tls.pem")
}

fn certificate(options: &TlsOptions, addr: &str) -> Result<sigida_web::http::tls::Tls, Failure> {
    let tls = match &options.files {
        Some((cert, key)) => sigida_web::http::tls::Tls::from_pem_files(cert, key),
        None => sigida_web::http::tls::Tls::self_signed(
            &made_certificate(&options.dir),
            &crate::keys::beside_as(&options.dir, "tls-key.pem"),
            names(addr),
        ),
    };
    tls.map_err(|e| Failure::Input(format!("TLS : {e}")))
}

/// Serves until Ctrl-C. `banner` is printed once the server listens (the demo's logins).
pub async fn run(
    store: Store,
    addr: &str,
    banner: Option<String>,
    tls: Option<TlsOptions>,
) -> Result<(), Failure> {
    let listener = bind(addr).await?;
    let local = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let mut phones = None;
    let (app, staff_tls) = match &tls {
        None => {
            println!("Sigida écoute sur http://{local}/  (Ctrl-C pour arrêter)");
            (sigida_web::app(store.clone()), None)
        }
        Some(options) => {
            let certificate = certificate(options, addr)?;
            let phones_listener = bind(&options.phones_addr).await?;
            let phones_local = phones_listener.local_addr()?;
            println!(
                "Sigida écoute sur https://{local}/ (équipe) et http://{phones_local}/v (téléphones)  (Ctrl-C pour arrêter)"
            );
            println!(
                "Empreinte SHA-256 du certificat : {}",
                certificate.fingerprint
            );
            let reached = sigida_web::Reached {
                tls_fingerprint: Some(certificate.fingerprint.clone()),
                phones_port: Some(phones_local.port()),
            };
            phones = Some(tokio::spawn(sigida_web::serve(
                phones_listener,
                sigida_web::phones_app(store.clone()),
                stopped(shutdown_rx.clone()),
            )));
            (
                sigida_web::app_reached(store.clone(), reached),
                Some(certificate),
            )
        }
    };
    if let Some(banner) = banner {
        println!("{banner}");
    }
    let shutdown = async move {
        // If the signal handler cannot be installed the server still runs; Ctrl-C then kills it.
        let _ = tokio::signal::ctrl_c().await;
        println!("Arrêt demandé : fin des requêtes en cours…");
        let _ = shutdown_tx.send(true);
    };
    sigida_web::http::server::serve_with(listener, app, shutdown, staff_tls).await?;
    if let Some(phones) = phones {
        let _ = phones.await;
    }
    store.close().await;
    Ok(())
}

/// The certificate files a team gives (both or neither).
pub fn tls_files(
    cert: Option<&Path>,
    key: Option<&Path>,
) -> Result<Option<(PathBuf, PathBuf)>, Failure> {
    match (cert, key) {
        (Some(c), Some(k)) => Ok(Some((c.to_owned(), k.to_owned()))),
        (None, None) => Ok(None),
        _ => Err(Failure::Input(
            "--cert et --cert-key vont ensemble : le certificat et sa clé privée (PEM)".into(),
        )),
    }
}
