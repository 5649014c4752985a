//! `loova-desk --cli …` is the loova CLI (one binary in the Linux packages):
//! the app's binary and the packages' `/usr/bin/loova` script answer exactly
//! as the `loova` binary does, and plain `loova-desk` is still the app.

use std::path::Path;
use std::process::Command;

const APP: &str = env!("CARGO_BIN_EXE_loova-desk");

fn output(cmd: &mut Command, data: &Path) -> (i32, String, String) {
    let out = cmd.env("LOOVA_DESK_DATA_DIR", data).output().expect("runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn the_app_binary_with_cli_prices_a_job_like_loova() {
    let data = loova_testkit::data_dir();
    let (code, out, err) =
        output(Command::new(APP).args(["--cli", "preview", "--model", "seedance_2_0", "--duration", "8", "--video-ref", "--json"]), data.path());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["credits"], 240);
    assert_eq!(v["pool"], "api");
}

#[test]
fn help_version_and_bad_input_name_the_program_loova() {
    let data = loova_testkit::data_dir();
    let (code, out, _) = output(Command::new(APP).args(["--cli", "--version"]), data.path());
    assert_eq!(code, 0);
    assert!(out.starts_with("loova "), "{out}");
    // Invalid input: exit 2 with the field, as `loova` does.
    let (code, out, err) = output(Command::new(APP).args(["--cli", "preview", "--prompt", "p", "--duration", "3"]), data.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("duration:"), "{err}");
    let (code, _, err) = output(Command::new(APP).args(["--cli", "no-such-command"]), data.path());
    assert_eq!(code, 2);
    assert!(err.contains("Usage: loova"), "{err}");
}

/// The packages' script, installed beside the binary as in /usr/bin (and
/// reached through a link, as a person's ~/bin/loova might be). Linux only:
/// the script is the Linux packages' `/usr/bin/loova`; the macOS and Windows
/// bundles carry the `loova` binary itself.
#[cfg(target_os = "linux")]
#[test]
fn the_packaged_loova_script_runs_the_app_binary_as_the_cli() {
    let data = loova_testkit::data_dir();
    let bin = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/packaging/loova");
    std::fs::copy(&script, bin.path().join("loova")).unwrap();
    std::os::unix::fs::symlink(APP, bin.path().join("loova-desk")).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(bin.path().join("loova"), elsewhere.path().join("loova")).unwrap();
    for loova in [bin.path().join("loova"), elsewhere.path().join("loova")] {
        let (code, out, err) = output(Command::new(&loova).args(["packs", "--credits", "50001", "--json"]), data.path());
        assert_eq!(code, 0, "{}: {err}", loova.display());
        let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
        assert_eq!(v["credits"], 50300);
        assert_eq!(v["usd"], "1624.00");
    }
}
