//! `sigida serve` and `sigida demo --serve`: the web interface until Ctrl-C.

use sigida_store::Store;

use crate::Failure;

/// Serves until Ctrl-C. `banner` is printed once the server listens (the demo's logins).
pub async fn run(store: Store, addr: &str, banner: Option<String>) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Input(format!("impossible d'écouter sur {addr} : {e}")))?;
    let local = listener.local_addr()?;
    println!("Sigida écoute sur http://{local}/  (Ctrl-C pour arrêter)");
    if let Some(banner) = banner {
        println!("{banner}");
    }
    let shutdown = async {
        // If the signal handler cannot be installed the server still runs; Ctrl-C then kills it.
        let _ = tokio::signal::ctrl_c().await;
        println!("Arrêt demandé : fin des requêtes en cours…");
    };
    sigida_web::serve(listener, sigida_web::app(store.clone()), shutdown).await?;
    store.close().await;
    Ok(())
}
