//! A minimal W3C WebDriver client for driving the real app through
//! tauri-driver + WebKitWebDriver. Tests wait on conditions, never on sleeps.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A free loopback port (the OS picks; we release it just before use).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `probe` until it returns `Some`, or panics after `TIMEOUT` with the
/// last thing it saw.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Result<Option<T>, String>) -> T {
    let deadline = Instant::now() + TIMEOUT;
    let mut last = String::from("nothing yet");
    loop {
        match probe() {
            Ok(Some(v)) => return v,
            Ok(None) => {}
            Err(e) => last = e,
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; last seen: {last}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// tauri-driver running the app with its own data dir and ports.
pub struct App {
    driver: Child,
    http: reqwest::blocking::Client,
    base: String,
    session: String,
}

impl App {
    pub fn launch(data_dir: &Path, extra_env: &[(&str, &str)]) -> App {
        let port = free_port();
        let native_port = free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("LOOVA_DESK_DATA_DIR", data_dir)
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn().expect("start tauri-driver (scripts/test installs it)");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "wry",
            "tauri:options": {"application": env!("CARGO_BIN_EXE_loova-desk")}}}});
        let session = wait_for("a WebDriver session", || {
            match http.post(format!("{base}/session")).json(&caps).send() {
                Ok(r) => {
                    let v: Value = r.json().map_err(|e| e.to_string())?;
                    Ok(v["value"]["sessionId"].as_str().map(str::to_string))
                }
                Err(e) => Err(e.to_string()),
            }
        });
        App { driver, http, base, session }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    /// The answer's `value` (for a W3C error: `{error, message}`).
    fn post(&self, path: &str, body: Value) -> Value {
        let response = self.http.post(self.url(path)).json(&body).send();
        let response = response.unwrap_or_else(|e| panic!("WebDriver POST {path} {body} failed: {e}"));
        let v: Value = response.json().unwrap();
        v["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        let v: Value = self.http.get(self.url(path)).send().unwrap().json().unwrap();
        v["value"].clone()
    }

    /// The element for a `data-testid`, once it exists.
    pub fn el(&self, test_id: &str) -> String {
        self.el_css(&format!("[data-testid=\"{test_id}\"]"))
    }

    /// The first element matching a CSS selector, once it exists.
    pub fn el_css(&self, css: &str) -> String {
        wait_for(&format!("element {css}"), || {
            let v = self.post("/element", json!({"using": "css selector", "value": css}));
            Ok(v.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).map(str::to_string))
        })
    }

    pub fn exists(&self, test_id: &str) -> bool {
        let css = format!("[data-testid=\"{test_id}\"]");
        let v = self.post("/elements", json!({"using": "css selector", "value": css}));
        v.as_array().is_some_and(|a| !a.is_empty())
    }

    pub fn text(&self, test_id: &str) -> String {
        let id = self.el(test_id);
        self.get(&format!("/element/{id}/text")).as_str().unwrap_or_default().to_string()
    }

    /// Waits until the element's text satisfies `ok`; returns it.
    pub fn wait_text(&self, test_id: &str, ok: impl Fn(&str) -> bool) -> String {
        wait_for(&format!("text of {test_id}"), || {
            if !self.exists(test_id) {
                return Err(format!("{test_id} not on the page"));
            }
            let t = self.text(test_id);
            if ok(&t) { Ok(Some(t)) } else { Err(t) }
        })
    }

    /// Waits until a control can be used (it may be disabled while the app
    /// is still loading what it needs), then clicks it.
    pub fn click_when_enabled(&self, test_id: &str) {
        let script = format!("const e = document.querySelector('[data-testid=\"{test_id}\"]'); return !!e && !e.disabled;");
        wait_for(&format!("{test_id} to be enabled"), || Ok(self.eval(&script).as_bool().unwrap_or(false).then_some(())));
        self.click(test_id);
    }

    /// Clicks like a person: the element is brought into view first and a
    /// refused click is retried. If WebKit keeps reporting it intercepted
    /// (an Xvfb overlay window was seen doing that), the element's own click
    /// is dispatched, so a refused click is never silently ignored.
    pub fn click(&self, test_id: &str) {
        self.click_css(&format!("[data-testid=\"{test_id}\"]"));
    }

    /// [`App::click`] on the first element matching a CSS selector.
    pub fn click_css(&self, css: &str) {
        let id = self.el_css(css);
        let css = serde_json::to_string(css).unwrap(); // as a JS string literal
        let mut refused = 0;
        wait_for(&format!("a click on {css}"), || {
            let scroll = format!("const e = document.querySelector({css}); if (e) e.scrollIntoView({{block: 'center'}});");
            self.eval(&scroll);
            let answer = self.post(&format!("/element/{id}/click"), json!({}));
            match answer.get("error") {
                None => Ok(Some(())),
                Some(_) if refused >= 10 => {
                    let click = format!("const e = document.querySelector({css}); if (!e || e.disabled) return false; e.click(); return true;");
                    if self.eval(&click).as_bool() == Some(true) { Ok(Some(())) } else { Err("not clickable".into()) }
                }
                Some(e) => {
                    refused += 1;
                    Err(format!("{e}: {}", answer["message"]))
                }
            }
        });
    }

    /// Replaces a field's value as a person typing would.
    /// WebDriver's own clear fires no `input` event in WebKit, and a bare
    /// "\n" types nothing: empty the field the way an edit would, then type
    /// line by line with the Enter key between lines.
    pub fn type_into(&self, test_id: &str, text: &str) {
        let id = self.el(test_id);
        let clear = "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
            el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true}));";
        self.post("/execute/sync", json!({"script": clear, "args": [test_id]}));
        if !text.is_empty() {
            let keys = text.replace('\n', "\u{E007}");
            self.post(&format!("/element/{id}/value"), json!({"text": keys}));
        }
    }

    /// Chooses an option of a <select> by value, firing the change event.
    pub fn select(&self, test_id: &str, value: &str) {
        let script = "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
            el.value = arguments[1]; el.dispatchEvent(new Event('change', {bubbles: true}));";
        self.post("/execute/sync", json!({"script": script, "args": [test_id, value]}));
    }

    /// The app's window as a person sees it. (WebKitWebDriver's own
    /// screenshot hung on some pages under Xvfb, so ImageMagick grabs the X
    /// window by its title instead.)
    pub fn screenshot(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = Command::new("import").args(["-window", "Loova Desk"]).arg(path).status().expect("run ImageMagick's import");
        assert!(status.success(), "screenshot of the Loova Desk window failed");
    }
}

impl Drop for App {
    /// Every test also proves the page never hit an uncaught error (the
    /// "Something went wrong" banner), whatever it was checking.
    fn drop(&mut self) {
        let fatal = (!std::thread::panicking())
            .then(|| self.eval("const e = document.getElementById('fatal'); return e ? e.textContent : null;"))
            .and_then(|v| v.as_str().map(str::to_string));
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(message) = fatal {
            panic!("the app showed an uncaught error: {message}");
        }
    }
}

fn tauri_driver() -> String {
    std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into())
}

/// The repository root (for screenshots committed under docs/).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A unique keychain service name, so tests never see each other's keys.
pub fn keyring_service(test: &str) -> String {
    format!("loova-e2e-{test}-{}", std::process::id())
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    hits.push(path.display().to_string());
                }
            }
        }
    }
    hits
}

impl App {
    /// Runs a script in the page and returns its value.
    pub fn eval(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": []}))
    }

}
