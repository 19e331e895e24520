//! The real accept loop on loopback: a client that never finishes its headers is cut off,
//! one address cannot hold every connection, and the server still answers.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use sigida_store::Store;
use sigida_web::http::server::{HEADER_TIMEOUT, MAX_PER_ADDRESS};

fn healthz(addr: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// A connection from 127.0.0.2, as from another machine on the network.
fn connect_from_elsewhere(addr: std::net::SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        socket.connect(addr).await.unwrap().into_std().unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    stream
}

/// Whether the server closed the connection (a read returns nothing) within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut byte = [0u8; 512];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return true,
            // A 408 answer before the close is a close too.
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off_and_one_address_cannot_hold_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sigida_web::serve(
        listener,
        sigida_web::app(store),
        async move {
            let _ = stopped.await;
        },
    ));
    let checks = tokio::task::spawn_blocking(move || {
        assert!(healthz(addr).starts_with("HTTP/1.1 200"));

        // One address (a phone on the Wi-Fi, here 127.0.0.2) opens as many connections as it
        // may; the next is closed at once.
        let from_phone = || connect_from_elsewhere(addr);
        let held: Vec<TcpStream> = (0..MAX_PER_ADDRESS).map(|_| from_phone()).collect();
        std::thread::sleep(Duration::from_millis(300));
        let mut one_more = from_phone();
        assert!(closed_within(&mut one_more, Duration::from_secs(2)));
        drop(held);
        std::thread::sleep(Duration::from_millis(300));
        assert!(healthz(addr).starts_with("HTTP/1.1 200"));

        // A header line every 3 s never completes a request: cut off after the timeout.
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
        let started = Instant::now();
        let mut cut = false;
        while started.elapsed() < HEADER_TIMEOUT + Duration::from_secs(5) {
            if slow.write_all(b"X-Lent: 1\r\n").is_err() {
                cut = true;
                break;
            }
            if closed_within(&mut slow, Duration::from_secs(3)) {
                cut = true;
                break;
            }
        }
        assert!(
            cut,
            "the slow client was still connected after {:?}",
            started.elapsed()
        );
        assert!(started.elapsed() >= HEADER_TIMEOUT - Duration::from_secs(1));
    });
    checks.await.unwrap();
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(15), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}
