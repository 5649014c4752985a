//! The real app under test: its own X display, data folder and environment,
//! driven through tauri-driver + WebKitWebDriver with the `fantoccini`
//! WebDriver client. The rest of the rig (waiting on conditions, keychain
//! services, directory scans) is the shared test kit's.
//!
//! The tests are plain sync `#[test]`s; `App` owns the runtime the async
//! client runs on, so a test body reads as the steps a person takes.

#![allow(dead_code)]

mod display;
mod page;

use loova_testkit::{keyring_service, wait_for, wait_for_within};

use display::Display;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// tauri-driver running the app, on a display of its own.
/// In the data folder: the path the next native picker answers.
const TEST_PICK_FILE: &str = "test-pick";

pub struct App {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    display: Display,
    /// One app at a time: the end-to-end tests share one test binary, and
    /// two WebKit apps at once on 2 cores turn waits on a busy machine into
    /// timeouts. Released last, after the app is closed (`Drop`).
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

static ONE_APP: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl App {
    /// Starts the app with `data_dir` as its data folder and `extra_env`
    /// set, and waits until WebDriver has a session with its window.
    pub fn launch(data_dir: &Path, extra_env: &[(&str, &str)]) -> App {
        // Each app gets its own X server: windows of apps launched by tests
        // running in parallel would otherwise overlap at +0+0, and a capture
        // of one would show another.
        // A test that failed while holding it poisons it; the next app may
        // still start (the failed one is gone).
        let one_at_a_time = ONE_APP.lock().unwrap_or_else(|e| e.into_inner());
        let display = Display::start();
        let port = loova_testkit::free_port();
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &loova_testkit::free_port().to_string()])
            .env("DISPLAY", display.name())
            .env("LOOVA_DESK_DATA_DIR", data_dir)
            // The native pickers answer from this file (see `will_pick`).
            .env("LOOVA_DESK_TEST_PICK_FILE", data_dir.join(TEST_PICK_FILE))
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let driver = cmd.spawn().expect("start tauri-driver (scripts/test installs it)");
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a tokio runtime");
        let caps = json!({"browserName": "wry", "tauri:options": {"application": env!("CARGO_BIN_EXE_loova-desk")}});
        let caps = caps.as_object().cloned().unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}");
        // tauri-driver only listens on loopback, so the client needs no TLS.
        let client = wait_for("a WebDriver session with the app", || {
            rt.block_on(ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&url)).map_err(|e| e.to_string())
        });
        App { rt, client: Some(client), driver, display, _one_at_a_time: one_at_a_time }
    }

    /// Runs one WebDriver call on the app's runtime.
    fn run<T>(&self, call: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(call)
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open until the App is dropped")
    }

    /// The app's window as a person sees it, saved as a PNG at `path`.
    /// Fails if the capture is blank (one colour).
    /// Captures the window as `target/screenshots/<name>.png`. A test run
    /// never rewrites tracked files: `scripts/screenshots` copies these into
    /// docs/screenshots/ when someone means to commit them.
    pub fn screenshot(&self, name: &str) {
        self.wait_for_paint();
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).expect("a folder for screenshots");
        self.display.capture_window("Loova Desk", &dir.join(format!("{name}.png")));
    }
}

impl Drop for App {
    /// Every test also proves the page never hit an uncaught error (the
    /// "Something went wrong" banner), whatever it was checking.
    fn drop(&mut self) {
        // After `App::exited` there is no page left to ask.
        let fatal = (!std::thread::panicking() && self.client.is_some())
            .then(|| self.eval("const e = document.getElementById('fatal'); return e ? e.textContent : null;"))
            .and_then(|v| v.as_str().map(str::to_string));
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(client.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(message) = fatal {
            panic!("the app showed an uncaught error: {message}");
        }
    }
}

impl App {
    /// Runs a script that may end the app (closing its window, quitting):
    /// the answer may never come, so a failed call is not a failure.
    pub fn eval_may_exit(&self, script: &str) {
        let _ = self.run(self.client().execute(script, vec![]));
    }

    /// The app quit by itself (the test saw its process end): the session
    /// is dropped without asking the page anything.
    pub fn exited(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(client.close());
        }
    }
}

/// Sandbox jobs run at this fraction of Loova's run times: seconds, not
/// minutes (the app's engine expects them to, from the same variable).
pub const SANDBOX_TIME_SCALE: f64 = 0.03;

impl App {
    /// The app with its Sandbox account made, as a person's first click
    /// makes it: keys under a keychain service of its own (named after
    /// `test`), videos saved under `videos`, Sandbox jobs fast.
    /// The next native picker the app opens answers `path` instead of
    /// showing (WebDriver cannot reach a native dialog): the route the
    /// app's `LOOVA_DESK_TEST_PICK_FILE` gives tests, as the page itself
    /// can name no path.
    pub fn will_pick(data_dir: &Path, path: &Path) {
        std::fs::write(data_dir.join(TEST_PICK_FILE), path.display().to_string()).unwrap();
    }

    pub fn with_sandbox(data_dir: &Path, videos: &Path, test: &str) -> App {
        let service = keyring_service(test);
        let videos = videos.display().to_string();
        let scale = SANDBOX_TIME_SCALE.to_string();
        let env = [("LOOVA_DESK_KEYRING_SERVICE", service.as_str()), ("LOOVA_DESK_OUTPUT_DIR", &videos), ("LOOVA_DESK_SANDBOX_TIME_SCALE", &scale)];
        let app = App::launch(data_dir, &env);
        app.click("nav-accounts");
        app.click("try-sandbox");
        app.wait_text("sandbox-badge", |t| t == "SANDBOX");
        app
    }
}

fn tauri_driver() -> String {
    std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into())
}

/// The repository root (for screenshots committed under docs/).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the end-to-end tests leave their screenshots: the build's target
/// folder (`CARGO_TARGET_DIR` when set), never the tracked docs.
pub fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"));
    let target = if target.is_absolute() { target } else { repo_root().join(target) };
    target.join("screenshots")
}

/// 1234 → "1,234", as the page formats credits (en-US under the test's locale).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
