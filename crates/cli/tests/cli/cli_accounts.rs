//! `loova accounts` / `loova balance` against loova-sim and the real keychain
//! (gnome-keyring under dbus-run-session, set up by scripts/test).

use crate::common;
use loova_sim::SimConfig;
use loova_testkit::{files_containing, free_port, keychain_entries, keyring_service, spawn_sim};
use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

const KEY: &str = "sk-live-cli-5e1b77a0c9d2";
const NEW_KEY: &str = "sk-live-cli-rotated-33aa";

struct Env {
    data: tempfile::TempDir,
    service: String,
    transcript: String,
}

impl Env {
    fn new(test: &str) -> Env {
        Env { data: loova_testkit::data_dir(), service: keyring_service(&format!("cli-{test}")), transcript: String::new() }
    }

    /// `loova accounts add --name NAME --base-url URL --key-stdin`, the key on stdin.
    fn add(&mut self, name: &str, url: &str, key: &str) -> (i32, String, String) {
        self.loova(&["accounts", "add", "--name", name, "--base-url", url, "--key-stdin"], key, &[])
    }

    /// Runs `loova`, feeding `stdin`; returns (exit code, stdout, stderr) and
    /// keeps everything it printed for the leak check.
    fn loova(&mut self, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = common::loova(self.data.path());
        cmd.args(args).env("LOOVA_DESK_KEYRING_SERVICE", &self.service).stdin(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let (o, e) = (String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string());
        self.transcript.push_str(&o);
        self.transcript.push_str(&e);
        (out.status.code().unwrap_or(-1), o, e)
    }
}

#[test]
#[ignore = "needs the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn add_use_rotate_remove_and_the_key_never_leaks() {
    let sim = spawn_sim(SimConfig::for_tests(&[(KEY, 5000), (NEW_KEY, 5000)]));
    let url = sim.base_url();
    let mut env = Env::new("flow");

    let (code, out, err) = env.add("Studio", &url, KEY);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("key verified") && out.contains("5,000 available of 5,000"), "{out}");

    // The keychain holds it, under our service, labelled by account id.
    let found = keychain_entries(&env.service);
    assert!(found.contains(KEY) && found.contains(&format!("@{}", env.service)), "{found}");

    let (code, _, err) = env.add("studio", &url, KEY);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");

    let (code, _, err) = env.add("Wrong", &url, "sk-wrong-1111");
    assert_eq!(code, 2);
    assert!(err.contains("rejected the API key"), "{err}");

    let (code, out, _) = env.loova(&["accounts", "set-app-credits", "Studio", "1200"], "", &[]);
    assert_eq!(code, 0, "{out}");

    let (code, out, _) = env.loova(&["balance", "Studio", "--json"], "", &[]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let a = &v[0];
    assert_eq!((a["name"].as_str(), a["api_available_credits"].as_i64(), a["app_credits"].as_i64()), (Some("Studio"), Some(5000), Some(1200)));
    assert_eq!(a["key_hint"], "••••77a0".replace("77a0", &KEY[KEY.len() - 4..]));
    assert_eq!(a["state"], "active");
    assert!(a["app_credits_as_of"].as_i64().is_some() && a["api_total_credits"].as_i64() == Some(5000));

    // Pause and resume from the terminal, as the app's buttons do.
    let state = |env: &mut Env| {
        let (_, out, _) = env.loova(&["accounts", "list", "--json"], "", &[]);
        serde_json::from_str::<serde_json::Value>(&out).unwrap()[0]["state"].as_str().unwrap().to_owned()
    };
    let (code, out, _) = env.loova(&["accounts", "pause", "Studio"], "", &[]);
    assert!(code == 0 && out.contains("loova accounts resume"), "{out}");
    assert_eq!(state(&mut env), "paused");
    let (code, _, _) = env.loova(&["accounts", "resume", "Studio"], "", &[]);
    assert_eq!(code, 0);
    assert_eq!(state(&mut env), "active");

    // Rotation: a rejected new key leaves the old one in place.
    let (code, _, err) = env.loova(&["accounts", "set-key", "Studio", "--key-stdin"], "sk-bad-new-2222", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(keychain_entries(&env.service).contains(KEY));
    let (code, out, err) = env.loova(&["accounts", "set-key", "Studio", "--key-stdin"], NEW_KEY, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let found = keychain_entries(&env.service);
    assert!(found.contains(NEW_KEY) && !found.contains(KEY), "{found}");

    let (code, out, _) = env.loova(&["accounts", "remove", "Studio"], "", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(!keychain_entries(&env.service).contains("secret = "), "the keychain entry went with the account");
    let (_, out, _) = env.loova(&["accounts", "list", "--json"], "", &[]);
    assert_eq!(out.trim(), "[]");

    for key in [KEY, NEW_KEY] {
        assert_eq!(files_containing(env.data.path(), key), Vec::<PathBuf>::new(), "the key reached the data dir");
        assert!(!env.transcript.contains(key), "the key reached the CLI's output");
        assert!(!env.transcript.contains(&key[..key.len() - 4]), "most of the key reached the CLI's output");
    }
}

#[test]
#[ignore = "needs the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn unreachable_and_slow_services_are_explained() {
    let mut env = Env::new("unreachable");
    // Nothing listens there: the connection is refused.
    let url = format!("http://127.0.0.1:{}/api", free_port());
    let (code, _, err) = env.add("Later", &url, KEY);
    assert_eq!(code, 1);
    assert!(err.contains("not verified yet"), "{err}");
    let (code, out, _) = env.loova(&["accounts", "add", "--name", "Later", "--base-url", &url, "--key-stdin", "--unverified"], KEY, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("not verified yet"), "{out}");
    let (code, out, _) = env.loova(&["balance", "--json"], "", &[]);
    assert_eq!(code, 1, "a balance that cannot be read is a service error");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["verified"], false);
    assert!(v[0]["balance_error"].as_str().unwrap().contains("never reached"), "{out}");

    // A service slower than the request timeout: the last figure stays, with the reason.
    let mut config = SimConfig::for_tests(&[(KEY, 700)]);
    config.slow_ms = 3_000;
    let sim = spawn_sim(config);
    let (code, _, err) = env.add("Slow", &sim.base_url(), KEY);
    assert_eq!(code, 0, "{err}");
    sim.update_config(|c| {
        c.faults.credits.probabilities.insert(loova_sim::FaultKind::Slow, 1.0);
    })
    .unwrap();
    let (code, out, _) = env.loova(&["balance", "Slow", "--json"], "", &[("LOOVA_DESK_REQUEST_TIMEOUT_MS", "500")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["api_available_credits"], 700, "the last figure stays visible");
    assert!(v[0]["balance_error"].as_str().unwrap().to_lowercase().contains("time"), "{out}");
}

/// Linux only: it takes the Secret Service away by pointing D-Bus nowhere.
#[cfg(target_os = "linux")]
#[test]
fn a_missing_keychain_is_a_sentence_not_a_fallback() {
    let sim = spawn_sim(SimConfig::for_tests(&[(KEY, 100)]));
    let mut env = Env::new("nokeychain");
    let no_bus = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/loova-test-bus")];
    let (code, _, err) = env.loova(&["accounts", "add", "--name", "X", "--base-url", &sim.base_url(), "--key-stdin"], KEY, &no_bus);
    assert_eq!(code, 1);
    assert!(err.contains("system keychain is unavailable"), "{err}");
    let (_, out, _) = env.loova(&["accounts", "list", "--json"], "", &no_bus);
    assert_eq!(out.trim(), "[]", "nothing saved without the keychain");
    assert_eq!(files_containing(env.data.path(), KEY), Vec::<PathBuf>::new());
}

#[test]
#[ignore = "needs the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn the_sandbox_survives_restarts_and_can_be_reset_and_removed() {
    let mut env = Env::new("sandbox");
    let (code, out, err) = env.loova(&["accounts", "sandbox"], "", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("[SANDBOX]") && out.contains("10,000 available of 10,000"), "{out}");

    // A new process: the simulator restarts from its saved state and the key
    // from the keychain still opens it.
    let (code, out, _) = env.loova(&["balance", "--json"], "", &[]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v[0]["sandbox"].as_bool(), v[0]["api_available_credits"].as_i64()), (Some(true), Some(10_000)));

    let (code, out, _) = env.loova(&["accounts", "reset-sandbox"], "", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10,000 available"), "{out}");
    assert!(env.data.path().join("sandbox").exists());
    assert_eq!(files_containing(env.data.path(), "sk-sandbox-"), Vec::<PathBuf>::new(), "the sandbox key stays in the keychain");

    let (code, _, _) = env.loova(&["accounts", "remove", "Sandbox"], "", &[]);
    assert_eq!(code, 0);
    assert!(!env.data.path().join("sandbox").exists(), "the simulator's state goes with it");
    assert!(!keychain_entries(&env.service).contains("sk-sandbox-"));
}

/// `loova accounts limit`: a person's own limit below Loova's is the one the
/// queue uses; 0 is refused with what to do instead; above Loova's cannot
/// raise it; --clear goes back to Loova's.
#[test]
#[ignore = "needs the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn an_own_limit_is_set_refused_capped_and_cleared() {
    let mut env = Env::new("limit");
    let (code, out, err) = env.loova(&["accounts", "sandbox"], "", &[]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = env.loova(&["accounts", "limit", "Sandbox", "2"], "", &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("runs at most 2 tasks at once (Loova's limit: 6)"), "{out}");
    let (code, out, err) = env.loova(&["accounts", "limit", "Sandbox", "0"], "", &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("limit") && err.contains("pause the account"), "{err}");
    let (code, out, _) = env.loova(&["accounts", "limit", "Sandbox", "9"], "", &[]);
    assert_eq!(code, 0);
    assert!(out.contains("runs at most 6 tasks at once"), "{out}");
    let (code, out, _) = env.loova(&["accounts", "limit", "Sandbox", "--clear"], "", &[]);
    assert_eq!(code, 0);
    assert!(out.contains("runs at most 6 tasks at once"), "{out}");
    let db = loova_core::store::Db::open_in(env.data.path()).unwrap();
    assert_eq!(db.accounts().unwrap()[0].concurrency_limit, None);
}
