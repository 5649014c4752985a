//! Nothing secret goes where it should not: an API key never travels over
//! plain http to another computer, and a video link never makes this
//! computer fetch from a metadata or private address.
//!
//! The "network path" is an HTTP proxy on 127.0.0.1 that records what it
//! is sent (given to `loova` through the proxy environment variables the
//! HTTP client honours), so no byte ever leaves this computer: before the
//! fixes, the request to `http://api.loova.ai` reached it carrying
//! `Bearer <key>`, and the redirect to 169.254.169.254 reached it as a
//! `CONNECT`.

use crate::common;
use loova_core::store::{Db, JobFilter, JobState};
use loova_sim::FaultKind;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

const KEY: &str = "sk-live-https-only-4c2e9a";

/// A proxy that records every request head it receives and answers 502.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                // Recorded before answering: whoever waits for the answer
                // finds it here afterwards.
                kept.lock().unwrap().extend_from_slice(&head);
                let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            }
        });
        Recorder { url, seen }
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    /// `loova` sending everything through this proxy.
    fn through(&self, cmd: &mut Command) {
        for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
            cmd.env(var, &self.url);
        }
        // Except the simulator on this computer, which plays Loova itself.
        cmd.env("NO_PROXY", "127.0.0.1,localhost").env("no_proxy", "127.0.0.1,localhost");
    }
}

fn add(data: &std::path::Path, service: &str, url: &str, proxy: &Recorder) -> (i32, String, String) {
    let mut cmd = common::loova(data);
    cmd.args(["accounts", "add", "--name", "Remote", "--base-url", url, "--key-stdin"]).env("LOOVA_DESK_KEYRING_SERVICE", service).stdin(Stdio::piped());
    proxy.through(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(KEY.as_bytes()).unwrap();
    common::split(&child.wait_with_output().unwrap())
}

#[test]
fn an_http_base_url_to_another_computer_is_refused_and_the_key_never_leaves() {
    let data = loova_testkit::data_dir();
    let proxy = Recorder::start();
    for url in ["http://api.loova.ai/api", "http://10.0.0.1:8787/api"] {
        let (code, out, err) = add(data.path(), "loova-desk-test-https-only", url, &proxy);
        assert_eq!(code, 2, "refused as bad input: {out}{err}");
        assert!(err.contains("base URL") && err.contains("unencrypted") && err.contains("https://"), "field, rule and fix: {err}");
        assert!(!format!("{out}{err}").contains(KEY), "the key is never printed");
    }
    assert_eq!(proxy.seen(), "", "nothing was sent, let alone the key");
    let db = Db::open_in(data.path()).unwrap();
    assert!(db.accounts().unwrap().is_empty(), "nothing was saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn an_account_stored_with_an_http_url_sends_nothing() {
    let sim = loova_testkit::start_sim(loova_testkit::sim_config(&[(KEY, 10_000)], 0.01)).await;
    let data = loova_testkit::data_dir();
    let service = loova_testkit::keyring_service("cli-https-stored");
    let db = Arc::new(Db::open_in(data.path()).unwrap());
    let accounts = loova_testkit::accounts(db.clone(), &service);
    let id = loova_testkit::add_account(&accounts, "Remote", &sim.base_url(), KEY).await;
    // As saved by a version that accepted any http:// address.
    db.set_base_url(&id, "http://api.loova.ai/api").unwrap();
    let proxy = Recorder::start();
    let mut cmd = common::loova(data.path());
    cmd.args(["balance", "Remote"]).env("LOOVA_DESK_KEYRING_SERVICE", &service);
    proxy.through(&mut cmd);
    let (code, out, err) = common::run(&mut cmd);
    assert_ne!(code, 0, "{out}{err}");
    assert!(format!("{out}{err}").contains("unencrypted"), "says why: {out}{err}");
    assert_eq!(proxy.seen(), "", "the key never left");
    let row = db.account(&id).unwrap().unwrap();
    assert_eq!(row.balance_error_code, Some(loova_core::ErrorCode::InsecureBaseUrl));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn a_video_link_redirected_to_a_metadata_or_private_address_is_refused_before_connecting() {
    let sim = loova_testkit::start_sim(loova_testkit::sim_config(&[(KEY, 10_000)], 0.01)).await;
    sim.update_config(|c| c.faults.download.script.extend([FaultKind::RedirectMetadata, FaultKind::RedirectPrivate])).unwrap();
    let data = loova_testkit::data_dir();
    let service = loova_testkit::keyring_service("cli-https-redirect");
    let db = Arc::new(Db::open_in(data.path()).unwrap());
    let accounts = loova_testkit::accounts(db.clone(), &service);
    loova_testkit::add_account(&accounts, "Local", &sim.base_url(), KEY).await;
    let videos = data.path().join("videos");
    db.set_setting("output_dir", videos.to_str().unwrap()).unwrap();
    let loova = |args: &[&str]| {
        let mut c = common::loova(data.path());
        c.args(args).env("LOOVA_DESK_KEYRING_SERVICE", &service).env("LOOVA_DESK_ENGINE_TIME_SCALE", "0.01");
        c
    };
    let (code, out, err) = common::run(&mut loova(&["enqueue", "--account", "Local", "--prompt", "a fox", "--name", "Fox"]));
    assert_eq!(code, 0, "{out}{err}");
    let proxy = Recorder::start();
    let mut run = loova(&["run", "--until-idle"]);
    proxy.through(&mut run);
    let (code, out, err) = tokio::task::spawn_blocking(move || common::run(&mut run)).await.unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(proxy.seen(), "", "no connection was even attempted to 169.254.169.254 or 10.0.0.1");
    let jobs = db.jobs(&JobFilter::default()).unwrap();
    assert_eq!(jobs[0].state, JobState::Downloaded, "the third try, a plain link, saved it");
    assert!(videos.join("Local/Fox.mp4").exists());
    assert!(loova_testkit::part_files(&videos).is_empty());
    let state = sim.state();
    let downloads: Vec<_> = state.requests.iter().filter(|r| r.path.starts_with("/files/")).map(|r| r.fault).collect();
    assert_eq!(downloads, [Some(FaultKind::RedirectMetadata), Some(FaultKind::RedirectPrivate), None]);
    assert_eq!(state.tasks_created, 1, "created and charged once");
    assert_eq!(state.key(KEY).unwrap().credits_available, 10_000 - jobs[0].credits_cost.unwrap());
}
