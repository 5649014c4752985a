//! `loova settings [KEY [VALUE]]` reads and writes the settings the app's
//! Settings screen shows (same SQLite rows), and `loova --version` prints
//! the version the app's About box shows.

use crate::common;
use std::path::Path;

fn loova(data: &Path, args: &[&str]) -> (i32, String, String) {
    common::run(common::loova(data).args(args).env_remove("LOOVA_DESK_OUTPUT_DIR"))
}

#[test]
fn version_is_the_shared_one() {
    let data = loova_testkit::data_dir();
    let (code, out, _) = loova(data.path(), &["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("loova {}", loova_core::VERSION));
}

#[test]
fn lists_sets_reads_and_resets_a_setting() {
    let data = loova_testkit::data_dir();
    let (code, out, err) = loova(data.path(), &["settings"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("close_behaviour") && out.contains("keep_running  (default)"), "{out}");
    assert!(out.contains("notify_job_failed"), "{out}");

    let (code, out, err) = loova(data.path(), &["settings", "close_behaviour", "quit"]);
    assert_eq!((code, out.trim()), (0, "quit"), "{err}");
    let (_, out, _) = loova(data.path(), &["settings", "close_behaviour"]);
    assert_eq!(out.trim(), "quit");
    // The app reads the same row.
    let db = loova_core::store::Db::open_in(data.path()).unwrap();
    assert_eq!(loova_core::settings::close_behaviour(&db), loova_core::settings::CloseBehaviour::Quit);

    let (code, out, _) = loova(data.path(), &["settings", "close_behaviour", "--reset"]);
    assert_eq!((code, out.trim()), (0, "keep_running"));
}

#[test]
fn a_bad_value_or_key_is_refused_with_exit_code_2() {
    let data = loova_testkit::data_dir();
    let (code, _, err) = loova(data.path(), &["settings", "sandbox_speed", "7"]);
    assert_eq!(code, 2);
    assert!(err.contains("sandbox_speed cannot be \"7\": enter a number between 0.001 and 1"), "{err}");
    let (code, out, _) = loova(data.path(), &["settings", "colour", "--json"]);
    assert_eq!(code, 2);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["error"]["code"], "invalid_input");
    assert!(json["error"]["message"].as_str().unwrap().contains("There is no setting \"colour\""));
}
