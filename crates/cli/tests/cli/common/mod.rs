//! What the CLI's test files share: the `loova` binary with a data folder of
//! the test's own (each test adds the variables it needs), and its result as
//! (exit code, stdout, stderr).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `loova` on `data`, with no standard input unless the test gives one.
pub fn loova(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_loova"));
    c.env("LOOVA_DESK_DATA_DIR", data).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Runs it to the end: (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    split(&cmd.output().expect("the loova binary runs"))
}

pub fn split(out: &Output) -> (i32, String, String) {
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// Everything it printed, for assertion messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A test's own data folder and keychain service, and `loova` run on them
/// with the variables the test sets (`var`). The one home of what the CLI
/// tests used to copy.
pub struct Env {
    pub data: tempfile::TempDir,
    pub service: String,
    vars: Vec<(String, String)>,
}

impl Env {
    /// Keys under a keychain service named after `test`.
    pub fn new(test: &str) -> Env {
        Env { data: loova_testkit::data_dir(), service: loova_testkit::keyring_service(&format!("cli-{test}")), vars: Vec::new() }
    }

    /// Every run gets `name=value` too.
    pub fn var(mut self, name: &str, value: &str) -> Env {
        self.vars.push((name.to_string(), value.to_string()));
        self
    }

    /// The engine's timings × 0.01, for simulators whose tasks run fast.
    pub fn fast(self) -> Env {
        self.var("LOOVA_DESK_ENGINE_TIME_SCALE", "0.01")
    }

    /// An account "Studio" (id `a1`) with 1,000 of 5,000 API Credits read,
    /// behind an address nothing answers: for what needs no service.
    pub fn with_offline_account(self) -> Env {
        let db = self.db();
        db.insert_account(&loova_core::store::NewAccount {
            id: "a1",
            name: "Studio",
            base_url: "http://127.0.0.1:9/api",
            key_hint: "1234",
            sandbox: false,
            verified: true,
        })
        .unwrap();
        db.record_balance("a1", 1_000, 5_000, None).unwrap();
        self
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = loova(self.data.path());
        c.args(args).env("LOOVA_DESK_KEYRING_SERVICE", &self.service);
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    pub fn output(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("the loova binary runs")
    }

    /// (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        split(&self.output(args))
    }

    /// Off the test's runtime (a simulator answers on it).
    pub async fn output_async(&self, args: &[&str]) -> Output {
        let mut c = self.cmd(args);
        tokio::task::spawn_blocking(move || c.output().expect("the loova binary runs")).await.unwrap()
    }

    pub fn db(&self) -> loova_core::store::Db {
        loova_core::store::Db::open_in(self.data.path()).unwrap()
    }

    /// Writes `text` to `name` in the data folder; its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.data.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

impl Env {
    /// Runs it and insists it succeeded (the output otherwise in the message).
    pub fn ok(&self, args: &[&str]) -> Output {
        let o = self.output(args);
        assert!(o.status.success(), "loova {args:?}: {}", text(&o));
        o
    }

    /// The account `name` with `key` (in this test's keychain service) on
    /// the simulator at `base_url`, and videos saved under the data folder's
    /// `videos`.
    pub async fn with_account(self, name: &str, base_url: &str, key: &str) -> Env {
        let db = std::sync::Arc::new(self.db());
        let accounts = loova_testkit::accounts(db.clone(), &self.service);
        loova_testkit::add_account(&accounts, name, base_url, key).await;
        db.set_setting("output_dir", self.data.path().join("videos").to_str().unwrap()).unwrap();
        self
    }
}
