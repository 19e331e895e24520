//! Shared helpers for end-to-end tests: the real binary and its output, the files of
//! `../shared/data`, the demo served by the binary, and a small WebDriver client for
//! headless Chromium.

#![allow(dead_code)]

pub mod webdriver;

/// A file of `../shared/data`; skipped without it, except under CI.
pub fn shared(path: &str) -> Option<PathBuf> {
    sigida_testkit::shared(path)
}

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary, free of a Kobo token the person running the tests may have set.
pub fn sigida() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sigida"));
    command.env_remove("KOBO_TOKEN");
    command
}

pub fn run(args: &[&str]) -> Output {
    sigida().args(args).output().unwrap()
}

/// Standard output then standard error.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `sigida demo --serve` on a free loopback port, with the printed logins.
pub struct DemoServer {
    pub child: Child,
    pub base: String,
    pub logins: Vec<(String, String, String)>,
}

impl DemoServer {
    /// `sigida demo --serve` in `dir`, with its six printed logins.
    pub fn start(dir: &Path) -> Self {
        Self::spawn(
            &["demo", "--serve", "--addr", "127.0.0.1:0", "--dir"],
            dir,
            6,
        )
    }

    /// `sigida serve` on the diagnostic of `dir` (a team's own, made by `sigida init`).
    pub fn serve(dir: &Path) -> Self {
        Self::serve_with(dir, &["--addr", "127.0.0.1:0"])
    }

    /// `sigida serve ARGS… --dir DIR` (`--tls`, a fixed `--addr`…); `base` is where the staff
    /// reach it.
    pub fn serve_with(dir: &Path, args: &[&str]) -> Self {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        all.push("--dir");
        Self::spawn(&all, dir, 0)
    }

    fn spawn(args: &[&str], dir: &Path, logins_expected: usize) -> Self {
        let mut child = sigida()
            .args(args)
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut base = None;
        let mut logins = Vec::new();
        let started = Instant::now();
        while let Some(Ok(line)) = lines.next() {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "demo too slow to start"
            );
            if let Some(rest) = line.strip_prefix("Sigida écoute sur ") {
                base = Some(
                    rest.split_whitespace()
                        .next()
                        .unwrap()
                        .trim_end_matches('/')
                        .to_owned(),
                );
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.len() == 3 && line.starts_with("  ") && words[2].matches('-').count() == 2 {
                logins.push((
                    words[0].to_owned(),
                    words[1].to_owned(),
                    words[2].to_owned(),
                ));
            }
            if base.is_some() && logins.len() == logins_expected {
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base = base.expect("the demo never said where it listens");
        Self {
            child,
            base,
            logins,
        }
    }

    pub fn password(&self, username: &str) -> &str {
        &self.logins.iter().find(|l| l.0 == username).unwrap().2
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that keeps the session cookie, for the JSON API and pages.
pub struct Session {
    pub base: String,
    pub cookie: String,
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

impl Session {
    pub fn login(base: &str, username: &str, password: &str) -> Self {
        let response = agent()
            .post(&format!("{base}/login"))
            .send_form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .unwrap();
        assert_eq!(response.status(), 303, "login of {username}");
        let cookie = response
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Self {
            base: base.to_owned(),
            cookie,
        }
    }

    /// A download's bytes (a workbook, a PDF).
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = match agent()
            .get(&format!("{}{path}", self.base))
            .set("Cookie", &self.cookie)
            .call()
        {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{path}: {e}"),
        };
        let status = response.status();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
        (status, bytes)
    }

    /// Posts a form; the status and, for a redirect, where it goes (else the page).
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let reply = agent()
            .post(&format!("{}{path}", self.base))
            .set("Cookie", &self.cookie)
            .send_form(form);
        match reply {
            Ok(r) => {
                let status = r.status();
                let location = r.header("location").map(str::to_owned);
                (status, location.unwrap_or_else(|| r.into_string().unwrap()))
            }
            Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{path}: {e}"),
        }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let (status, bytes) = self.get_bytes(path);
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The main diagnostic of a store and one of its communities, by slug.
pub async fn diagnostic_and_community(
    store: &sigida_store::Store,
    slug: &str,
) -> (
    sigida_core::diagnostic::Diagnostic,
    sigida_core::community::Community,
) {
    let diagnostic = store.main_diagnostic().await.unwrap();
    let community = store
        .community_by_slug(diagnostic.id, slug)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no community {slug}"));
    (diagnostic, community)
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

/// `sigida user add` in `dir`, the password typed on its standard input.
pub fn add_user(dir: &Path, username: &str, role: &str, password: &str) {
    use std::io::Write;
    let mut add = sigida()
        .args(["user", "add", username, "--role", role, "--dir"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    assert!(add.wait_with_output().unwrap().status.success());
}

/// The store of a diagnostic folder, opened with its key (the file beside it, as the
/// commands find it) when it has one.
pub async fn open_store(dir: impl AsRef<Path>) -> sigida_store::Store {
    let dir = dir.as_ref();
    let key = key_beside(dir);
    let key = key
        .exists()
        .then(|| sigida_vault::Key::read_file(&key).unwrap());
    sigida_store::Store::open_dir_with(dir, key).await.unwrap()
}

/// The key file beside a diagnostic's folder, where `sigida init` and `sigida demo` make it.
pub fn key_beside(dir: &Path) -> PathBuf {
    let absolute = std::path::absolute(dir).unwrap();
    absolute.with_file_name(format!(
        "{}.key",
        absolute.file_name().unwrap().to_string_lossy()
    ))
}

/// `psql URL -c SQL` on the test server, its output trimmed; the statement must succeed.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-qAtc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An empty database `name` on the PostgreSQL server of `admin` (`SIGIDA_TEST_POSTGRES_URL`),
/// made afresh; answers its URL.
pub fn fresh_database(admin: &str, name: &str) -> String {
    psql(admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(admin, &format!("CREATE DATABASE {name}"));
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}
