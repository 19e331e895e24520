//! `sigida kobo pull` against a local server that replays KoboToolbox API v2 responses recorded
//! from a real server (`../shared/data/kobo-api-v2`), serving the submissions over several
//! pages and refusing a wrong token.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

mod support;
use support::{run, shared, text};

const ASSET: &str = "aYuTZn9vegi3Z49MXwKjep";
const TOKEN: &str = "jeton-de-test";

/// Serves the recorded asset, and its submissions two per page, until the test ends.
fn replay_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let asset = std::fs::read_to_string(shared("kobo-api-v2/kobo_data__00.json").unwrap()).unwrap();
    let data: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared("kobo-api-v2/kobo_data__02.json").unwrap()).unwrap(),
    )
    .unwrap();
    let results = data["results"].as_array().unwrap().clone();
    let served = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut authorised = false;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                authorised |= line
                    .trim()
                    .eq_ignore_ascii_case(&format!("authorization: Token {TOKEN}"));
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body) = if !authorised {
                (
                    "401 Unauthorized",
                    r#"{"detail":"Invalid token."}"#.to_owned(),
                )
            } else if path.starts_with(&format!("/api/v2/assets/{ASSET}/data/")) {
                let start: usize = path
                    .split("start=")
                    .nth(1)
                    .and_then(|s| s.split('&').next())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let page: Vec<_> = results.iter().skip(start).take(2).cloned().collect();
                let next = (start + 2 < results.len()).then(|| {
                    format!(
                        "{served}/api/v2/assets/{ASSET}/data/?format=json&limit=2&start={}",
                        start + 2
                    )
                });
                ("200 OK", serde_json::json!({"count": results.len(), "next": next, "previous": null, "results": page}).to_string())
            } else if path.starts_with(&format!("/api/v2/assets/{ASSET}/")) {
                ("200 OK", asset.clone())
            } else {
                ("404 Not Found", r#"{"detail":"Not found."}"#.to_owned())
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn a_form_and_its_paged_submissions_are_pulled_once() {
    if shared("kobo-api-v2/kobo_data__00.json").is_none() {
        return;
    }
    let server = replay_server();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(run(&["init", d]).status.success());
    let pull = |token: &str| {
        run(&[
            "kobo",
            "pull",
            "--server",
            &server,
            "--token",
            token,
            "--asset",
            ASSET,
            "--instrument",
            "Animaux",
            "--dir",
            d,
        ])
    };
    let refused = pull("mauvais");
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        text(&refused).contains("refuse le jeton"),
        "{}",
        text(&refused)
    );

    let first = pull(TOKEN);
    assert!(first.status.success(), "{}", text(&first));
    let report = text(&first);
    assert!(
        report.contains("Formulaire « Animaux »")
            && report.contains("langues English (en), Francais (fr), Arabic (ar)"),
        "{report}"
    );
    assert!(report.contains("5 soumissions reçues"), "{report}");
    assert!(
        report.contains("5 nouvelles soumissions (0 déjà connues)"),
        "{report}"
    );

    let second = pull(TOKEN);
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        text(&second).contains("déjà la version"),
        "{}",
        text(&second)
    );
    // The server sent the same submissions: the same bytes, already kept.
    assert!(
        text(&second).contains("déjà été importé"),
        "{}",
        text(&second)
    );
}
