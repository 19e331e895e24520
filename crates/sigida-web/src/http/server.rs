//! The accept loop: every connection bounded in time and number, so that nobody on the
//! meeting's open Wi-Fi can take the laptop down by opening connections and never finishing
//! a request.
//!
//! - A request's headers must arrive within `HEADER_TIMEOUT` (a slow client sending a header
//!   line every few seconds is cut off), and a keep-alive connection waiting for its next
//!   request is closed after the same time.
//! - At most `MAX_CONNECTIONS` connections in all (well under the common 1 024 open-file
//!   limit) and `MAX_PER_ADDRESS` from one address (a phone opens a handful; a laptop shared
//!   by a team a few dozen); beyond, a new connection is closed at once. The laptop's own
//!   127.0.0.1 is held to the total cap only.
//! - Each connection knows its peer's address (`ConnectInfo`), for the login back-off.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, watch};

pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_CONNECTIONS: usize = 768;
pub const MAX_PER_ADDRESS: usize = 64;
/// How long open connections may take to finish their request at shutdown.
const DRAIN: Duration = Duration::from_secs(10);

/// The laptop's own address (its browser on the meeting screen, and the tests that stand in
/// for a room of phones) is not held to the per-address cap; the total cap still holds.
fn exempt(ip: IpAddr) -> bool {
    ip == IpAddr::from([127, 0, 0, 1]) || ip == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
}

/// Connections open per address, released when a connection ends.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    fn enter(&self, ip: IpAddr) -> bool {
        if exempt(ip) {
            return true;
        }
        let Ok(mut open) = self.0.lock() else {
            return false;
        };
        let count = open.entry(ip).or_insert(0);
        if *count >= MAX_PER_ADDRESS {
            return false;
        }
        *count += 1;
        true
    }

    fn leave(&self, ip: IpAddr) {
        if exempt(ip) {
            return;
        }
        if let Ok(mut open) = self.0.lock()
            && let Some(count) = open.get_mut(&ip)
        {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// One connection's requests, until it closes or the server stops.
async fn connection<S>(
    stream: S,
    app: Router,
    peer: std::net::SocketAddr,
    over_tls: bool,
    mut stop: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service =
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            if over_tls {
                request.extensions_mut().insert(super::tls::OverTls);
            }
            let app = app.clone();
            async move { tower::ServiceExt::oneshot(app, request.map(axum::body::Body::new)).await }
        });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = async { stop.wait_for(|stopping| *stopping).await.is_ok() } => {
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, connection).await;
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, shutdown, None).await
}

/// The same, over TLS when `tls` is given: the handshake must end within `HEADER_TIMEOUT`
/// too, and each request is marked [`super::tls::OverTls`].
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    tls: Option<super::tls::Tls>,
) -> std::io::Result<()> {
    let total = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let per_address = Arc::new(PerAddress::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a connection reset before it was taken: go on.
                Err(e) => {
                    tracing::warn!(error = %e, "connexion refusée");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = total.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        if !per_address.enter(peer.ip()) {
            drop(stream);
            continue;
        }
        let app = app.clone();
        let per_address = per_address.clone();
        let stop = stop_rx.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => connection(stream, app, peer, false, stop).await,
                Some(tls) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(HEADER_TIMEOUT, tls.acceptor.accept(stream)).await
                    {
                        connection(stream, app, peer, true, stop).await;
                    }
                }
            }
            per_address.leave(peer.ip());
            drop(permit);
        });
    }
    let _ = stop_tx.send(true);
    // Wait until every connection has ended (each gives its permit back).
    let _ = tokio::time::timeout(
        DRAIN + Duration::from_secs(1),
        total.acquire_many(MAX_CONNECTIONS as u32),
    )
    .await;
    Ok(())
}
