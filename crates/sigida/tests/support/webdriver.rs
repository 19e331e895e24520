//! Just enough of the W3C WebDriver protocol to drive Debian's headless Chromium through
//! chromedriver: open pages, fill and submit forms, run a script, take screenshots.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    endpoint: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// Chromium and its driver, or `None` (with a message) when they are not installed outside CI.
pub fn available() -> bool {
    let found = std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists();
    sigida_testkit::needed("Debian's chromium and chromium-driver", found)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub fn start() -> Self {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let endpoint = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{endpoint}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            // A server's self-signed certificate (`serve --tls`) accepted, as the coordinator
            // accepts it once having compared its fingerprint.
            "acceptInsecureCerts": true,
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    // Any lookup of another host fails: a page that tried would show it.
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let reply: Value = ureq::post(&format!("{endpoint}/session"))
            .send_json(capabilities)
            .unwrap()
            .into_json()
            .unwrap();
        let session = reply["value"]["sessionId"].as_str().unwrap().to_owned();
        Self {
            driver,
            endpoint,
            session,
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.endpoint, self.session);
        let request = ureq::request(method, &url);
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        match response {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].clone(),
            Err(ureq::Error::Status(code, r)) => panic!(
                "webdriver {path}: {code} {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("webdriver {path}: {e}"),
        }
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap().to_owned()
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn element(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Waits (up to ten seconds) until the page shows `text`: a click that navigates returns
    /// before the next page has loaded.
    pub fn wait_for_text(&self, text: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let ready =
                self.script("return document.readyState") == Value::String("complete".into());
            let page = self.source();
            if ready && page.contains(text) {
                return page;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the page never showed « {text} »:\n{page}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to ten seconds) until the address contains `fragment` and the page has loaded.
    pub fn wait_for_url(&self, fragment: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let ready =
                self.script("return document.readyState") == Value::String("complete".into());
            if ready && self.url().contains(fragment) {
                return self.source();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never reached an address with « {fragment} »"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the first link whose text is `text`.
    pub fn click_link(&self, text: &str) {
        let found = self.script(&format!(
            "const a = Array.from(document.querySelectorAll('a')).find(a => a.textContent.trim() === {}); if (a) {{ a.click(); return true; }} return false;",
            serde_json::to_string(text).unwrap()
        ));
        assert_eq!(found, Value::Bool(true), "no link « {text} »");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }

    pub fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Chrome DevTools commands through chromedriver, for what WebDriver lacks.
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Emulates a screen: `mobile` gives a phone's viewport, touch and text sizing.
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// A PNG of the whole page, beyond the viewport.
    pub fn screenshot(&self, path: &std::path::Path) {
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        );
        let bytes = decode_base64(shot["data"].as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.endpoint, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}
