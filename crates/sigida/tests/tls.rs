//! `sigida serve --tls` on real sockets: the staff's pages over HTTPS with the certificate whose
//! fingerprint the server prints, the session cookie `Secure`; the phones' pages, and only
//! them, over plain HTTP on their own port.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl (scripts/test.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn staff_pages_go_over_tls_and_phones_have_a_plain_port_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("diagnostic");
    let init = support::run(&["init", d.to_str().unwrap()]);
    assert!(init.status.success(), "{}", support::text(&init));
    support::add_user(&d, "awa", "coordinator", "un mot de passe assez long");
    let mut server = support::sigida()
        .args([
            "serve",
            "--tls",
            "--addr",
            "127.0.0.1:0",
            "--phones-addr",
            "127.0.0.1:0",
            "--dir",
        ])
        .arg(&d)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let listening = lines.next().unwrap().unwrap();
    let fingerprint = lines.next().unwrap().unwrap();
    let staff = listening
        .split("https://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let phones = listening
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let fingerprint = fingerprint.rsplit(' ').next().unwrap().to_owned();
    assert_eq!(fingerprint.len(), 32 * 3 - 1, "{fingerprint}");

    // The certificate made for this laptop is kept beside the folder, private.
    use std::os::unix::fs::PermissionsExt;
    let cert = dir.path().join("diagnostic.tls.pem");
    let key = dir.path().join("diagnostic.tls-key.pem");
    for file in [&cert, &key] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    // What the browser is shown is the certificate whose fingerprint was printed.
    let shown = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains(&fingerprint),
        "{}",
        String::from_utf8_lossy(&shown.stdout)
    );

    let code = |url: &str| curl(&["-k", "-o", "/dev/null", "-w", "%{http_code}", url]);
    assert_eq!(code(&format!("https://{staff}/login")), "200");
    assert_eq!(code(&format!("http://{phones}/v")), "200");
    assert_eq!(
        code(&format!("http://{phones}/login")),
        "404",
        "no staff page in clear"
    );
    assert_eq!(code(&format!("http://{phones}/communities")), "404");
    // The TLS port speaks no plain HTTP.
    assert_ne!(code(&format!("http://{staff}/login")), "200");
    let headers = curl(&[
        "-k",
        "-D",
        "-",
        "-o",
        "/dev/null",
        "--data",
        "username=awa&password=un+mot+de+passe+assez+long&next=%2F",
        &format!("https://{staff}/login"),
    ]);
    let cookie = headers
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: sigida_session=")
        })
        .unwrap_or_else(|| panic!("{headers}"));
    assert!(cookie.ends_with("Secure"), "{cookie}");
    server.kill().unwrap();
    server.wait().unwrap();
}
