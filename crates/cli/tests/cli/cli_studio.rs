//! `loova studio connect / status / disconnect` against a real PostgreSQL
//! (a throwaway cluster of the test's own), loova-sim and the real keychain
//! (gnome-keyring under dbus-run-session, set up by scripts/test).

use crate::common;
use loova_sim::SimConfig;
use loova_testkit::{files_containing, keyring_service, spawn_sim, start_postgres, PG_PASSWORD};
use std::io::Write;
use std::process::Stdio;

const KEY_LINUX: &str = "sk-live-studio-linux-8c1f";
const KEY_MAC: &str = "sk-live-studio-mac-41d9";

/// One computer of the studio: its own data folder and keychain service.
struct Computer {
    data: tempfile::TempDir,
    service: String,
}

impl Computer {
    fn new(test: &str) -> Computer {
        Computer { data: loova_testkit::data_dir(), service: keyring_service(&format!("cli-studio-{test}")) }
    }

    /// Runs `loova`, feeding `stdin`; returns (exit code, stdout, stderr) and
    /// keeps everything it printed in `transcript` for the leak check.
    fn loova(&self, transcript: &mut String, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = common::loova(self.data.path());
        cmd.args(args).env("LOOVA_DESK_KEYRING_SERVICE", &self.service).env_remove("LOOVA_STUDIO_PASSWORD").stdin(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let (code, out, err) = common::split(&child.wait_with_output().unwrap());
        transcript.push_str(&out);
        transcript.push_str(&err);
        (code, out, err)
    }
}

#[test]
#[ignore = "needs PostgreSQL's initdb and the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn connect_status_disconnect_and_the_password_never_leaks() {
    let sim = spawn_sim(SimConfig::for_tests(&[(KEY_LINUX, 5000), (KEY_MAC, 5000)]));
    let Some(pg) = start_postgres() else { return };
    let password = PG_PASSWORD.to_string();
    // The URL as a person would paste it, without the password.
    let url = pg.url_without_password();
    let mut said = String::new();
    let (linux, mac) = (Computer::new("linux"), Computer::new("mac"));
    for (c, key) in [(&linux, KEY_LINUX), (&mac, KEY_MAC)] {
        let (code, out, err) = c.loova(&mut said, &["accounts", "add", "--name", "Acme", "--base-url", &sim.base_url(), "--key-stdin"], key, &[]);
        assert_eq!(code, 0, "{out}{err}");
    }

    // A URL that is not PostgreSQL's: the field, the rule and the fix, exit 2.
    let (code, out, err) = linux.loova(&mut said, &["studio", "connect", "Acme", "--url", "mysql://editor@db/loova", "--as", "acme", "--json"], "", &[]);
    assert_eq!(code, 2, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["field"], "url", "{out}");
    assert_eq!(v["error"]["code"], "studio_url_invalid", "{out}");
    assert!(err.contains("postgres://"), "the rule and an example of a right URL: {err}");

    // The password inside --url (shell history, `ps`): refused before any
    // connection, with how to give it instead, and not echoed.
    let (code, out, err) = linux.loova(&mut said, &["studio", "connect", "Acme", "--url", &pg.url(), "--as", "acme", "--json"], "", &[]);
    assert_eq!(code, 2, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["field"], "url", "{out}");
    assert!(err.contains("--password-stdin") && err.contains("LOOVA_STUDIO_PASSWORD"), "says how to pass it: {err}");
    assert!(!said.contains(&password), "the password in --url was echoed: {said}");

    // No TLS to another computer: refused unless chosen, saying how.
    let (code, out, err) =
        linux.loova(&mut said, &["studio", "connect", "Acme", "--url", "postgres://editor@192.0.2.10/loova?sslmode=disable", "--as", "acme"], "", &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--insecure-no-tls") && err.contains("unencrypted"), "{err}");

    // The wrong password: refused, and the attempt is not echoed.
    let wrong = "not-the-password-7f3e";
    let (code, out, err) = linux.loova(&mut said, &["studio", "connect", "Acme", "--url", &url, "--as", "acme"], "", &[("LOOVA_STUDIO_PASSWORD", wrong)]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!said.contains(wrong), "the wrong password was echoed: {said}");

    // Computer 1: the password from the environment.
    let (code, out, err) = linux.loova(
        &mut said,
        &["studio", "connect", "Acme", "--url", &url, "--as", "acme", "--computer", "edit-linux-1"],
        "",
        &[("LOOVA_STUDIO_PASSWORD", &password)],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("studio \"acme\"") && out.contains("edit-linux-1") && out.contains(&url), "{out}");

    // Computer 2: the password on standard input.
    let (code, out, err) = mac.loova(
        &mut said,
        &["studio", "connect", "Acme", "--url", &url, "--as", "acme", "--computer", "edit-mac-2", "--password-stdin"],
        &format!("{password}\n"),
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");

    // Each computer sees the studio with both computers, itself marked "here".
    let (code, out, err) = linux.loova(&mut said, &["studio", "status", "--json"], "", &[]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let s = &v[0];
    assert_eq!((s["studio_account"].as_str(), s["computer"].as_str(), s["reachable"].as_bool()), (Some("acme"), Some("edit-linux-1"), Some(true)), "{out}");
    assert_eq!((s["limit"].as_i64(), s["in_use"].as_i64()), (Some(6), Some(0)), "{out}");
    let computers: Vec<(String, bool)> =
        s["computers"].as_array().unwrap().iter().map(|c| (c["name"].as_str().unwrap().to_string(), c["here"].as_bool().unwrap())).collect();
    assert!(computers.contains(&("edit-linux-1".into(), true)) && computers.contains(&("edit-mac-2".into(), false)), "{out}");
    assert!(!s["url_display"].as_str().unwrap().contains(&password), "{out}");

    let (code, out, _) = mac.loova(&mut said, &["studio", "status", "Acme"], "", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with(&format!("Studio \"acme\" ({url}): 0/6 in use — 0 here (edit-mac-2); waiting: 0 here")), "{out}");

    // The account list says it is shared.
    let (_, out, _) = linux.loova(&mut said, &["accounts", "list", "--json"], "", &[]);
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["studio"]["computer"], "edit-linux-1", "{out}");
    let (_, out, _) = linux.loova(&mut said, &["accounts", "list"], "", &[]);
    assert!(out.contains(&format!("slots shared with studio \"acme\" as edit-linux-1 ({url})")), "{out}");

    // Disconnect: the link is gone, so is the password from the keychain.
    let (code, out, err) = linux.loova(&mut said, &["studio", "disconnect", "Acme"], "", &[]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = linux.loova(&mut said, &["studio", "status", "Acme", "--json"], "", &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["error"]["code"], "studio_not_connected", "{out}");
    let (code, out, _) = linux.loova(&mut said, &["studio", "status"], "", &[]);
    assert_eq!(code, 0);
    assert!(out.contains("No account shares its slots"), "{out}");
    assert!(!loova_testkit::keychain_entries(&linux.service).contains(&password), "the password left the keychain on disconnect");
    assert!(loova_testkit::keychain_entries(&mac.service).contains(&password), "the other computer keeps its own");

    // Never on the screen, never in a file of either data folder.
    assert!(!said.contains(&password), "the password was printed:\n{said}");
    for c in [&linux, &mac] {
        assert!(files_containing(c.data.path(), &password).is_empty(), "the password is in {:?}", files_containing(c.data.path(), &password));
        assert!(files_containing(c.data.path(), KEY_LINUX).is_empty() && files_containing(c.data.path(), KEY_MAC).is_empty());
    }
}

#[test]
#[ignore = "needs PostgreSQL's initdb and the Secret Service (gnome-keyring under dbus-run-session): run by scripts/test"]
fn a_database_that_does_not_answer_says_what_to_do_and_exits_1() {
    let sim = spawn_sim(SimConfig::for_tests(&[(KEY_LINUX, 5000)]));
    let Some(pg) = start_postgres() else { return };
    let password = PG_PASSWORD.to_string();
    let mut said = String::new();
    let c = Computer::new("down");
    let (code, out, err) = c.loova(&mut said, &["accounts", "add", "--name", "Acme", "--base-url", &sim.base_url(), "--key-stdin"], KEY_LINUX, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) =
        c.loova(&mut said, &["studio", "connect", "Acme", "--url", &pg.url_without_password(), "--as", "acme"], "", &[("LOOVA_STUDIO_PASSWORD", &password)]);
    assert_eq!(code, 0, "{out}{err}");

    pg.stop();
    let (code, out, err) = c.loova(&mut said, &["studio", "status"], "", &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("database unreachable") && out.contains("sends no new job"), "{out}");
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(!said.contains(&password), "{said}");
}
