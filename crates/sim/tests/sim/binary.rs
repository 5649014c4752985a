//! The binary: first stdout line, flags, --help.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prints_the_listening_line_first_and_serves() {
    let child = Command::new(env!("CARGO_BIN_EXE_loova-sim"))
        .args(["--addr", "127.0.0.1:0", "--key", "sk-bin-test-abcd=1234", "--seed", "5", "--time-scale", "0.001"])
        .args(["--limit", "2", "--limit-mode", "queue", "--fault", "status:http_503=0.0", "--script", "credits:http_502,none"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let line = line.trim_end();
    let rest = line.strip_prefix("listening on http://127.0.0.1:").unwrap_or_else(|| panic!("first line: {line:?}"));
    let port: u16 = rest.parse().unwrap();
    assert!(port > 0);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{port}/api/v1/credits");
        let r = c.get(&url).bearer_auth("sk-bin-test-abcd").send().await.unwrap();
        assert_eq!(r.status(), 502, "scripted fault from the command line");
        let v: serde_json::Value = c.get(&url).bearer_auth("sk-bin-test-abcd").send().await.unwrap().json().await.unwrap();
        assert_eq!(v["data"]["api_total_credits"], 1234);
        let cfg: serde_json::Value = c.get(format!("http://127.0.0.1:{port}/__sim/config")).send().await.unwrap().json().await.unwrap();
        assert_eq!(cfg["data"]["limits"], serde_json::json!({"concurrency": 2, "mode": "queue", "upstream_reference_limits": false}));
    });
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_loova-sim")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--key",
        "--seed",
        "--time-scale",
        "--queued-secs",
        "--limit",
        "--limit-mode",
        "--fail-rate",
        "--no-refund",
        "--credits-cost-format",
        "--url-ttl-secs",
        "--expired-status",
        "--slow-ms",
        "--fault",
        "--script",
        "--state-file",
        "--config",
        "--multipart-dialect",
        "--status-words",
        "--id-field",
        "--base-path",
        "--hide-status-settings",
        "KEY=CREDITS[@USER]",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
}

#[test]
fn bad_flags_fail_loudly() {
    let out = Command::new(env!("CARGO_BIN_EXE_loova-sim")).args(["--key", "nocredits"]).output().unwrap();
    assert!(!out.status.success());
    for bad in [
        ["--fault", "create:explode=0.1"],
        ["--key", "sk=1@"],
        ["--base-path", "/v2"],
        ["--id-field", "id"],
        ["--status-words", "done"],
        ["--multipart-dialect", "xml"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_loova-sim")).args(bad).output().unwrap();
        assert!(!out.status.success(), "{bad:?} accepted");
        assert!(!out.stderr.is_empty(), "{bad:?}: says why");
    }
}

#[test]
fn users_and_client_variants_from_the_command_line() {
    let child = Command::new(env!("CARGO_BIN_EXE_loova-sim"))
        .args(["--key", "sk-bin-a-0001=100@studio", "--key", "sk-bin-b-0002=50@studio"])
        .args(["--base-path", "/", "--id-field", "taskId", "--status-words", "script"])
        .args(["--multipart-dialect", "params", "--limit", "100"])
        .args(["--json-dialect", "camel", "--failed-word", "expired", "--refuse-aspect-ratio", "--success-message", "success"])
        .args(["--upstream-reference-limits"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let root = line.trim_end().strip_prefix("listening on ").unwrap().to_string();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let v: serde_json::Value = c.get(format!("{root}/v1/credits")).bearer_auth("sk-bin-b-0002").send().await.unwrap().json().await.unwrap();
        assert_eq!(v["data"]["api_total_credits"], 150, "one user, both grants");
        let cfg: serde_json::Value = c.get(format!("{root}/__sim/config")).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            cfg["data"]["compat"],
            serde_json::json!({"multipart_dialect": "params", "status_words": "script",
                "id_field": "taskId", "base_path": "/", "status_shows_settings": true,
                "json_dialect": "camel", "failed_word": "expired", "refuse_aspect_ratio": true})
        );
        assert_eq!(cfg["data"]["limits"]["concurrency"], 100);
        assert_eq!(cfg["data"]["limits"]["upstream_reference_limits"], true);
        assert_eq!(cfg["data"]["responses"]["success_message"], "success");
    });
}

#[test]
fn config_file_is_the_base_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.json");
    std::fs::write(&path, r#"{"limits": {"concurrency": 3, "mode": "queue"}, "fail_rate": 0.25, "prices": {"seedance_2_0": {"per_second": 11}}}"#).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_loova-sim"))
        .args(["--config", path.to_str().unwrap(), "--limit", "4", "--key", "sk-cfg-0007=10"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Kill(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let root = line.trim_end().strip_prefix("listening on ").unwrap().to_string();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cfg: serde_json::Value = rt.block_on(async { reqwest::get(format!("{root}/__sim/config")).await.unwrap().json().await.unwrap() });
    let d = &cfg["data"];
    assert_eq!(d["limits"], serde_json::json!({"concurrency": 4, "mode": "queue", "upstream_reference_limits": false}));
    assert_eq!(d["fail_rate"], 0.25);
    assert_eq!(d["prices"]["seedance_2_0"], serde_json::json!({"per_second": 11, "per_second_with_video": 30}));
    assert!(!cfg.to_string().contains("sk-cfg-0007"));
}
