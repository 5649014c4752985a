//! Typed settings on a real SQLite file: every key round-trips, bad values
//! are refused with a sentence saying what is allowed, nothing bad is stored.

use loova_core::engine::NoticeKind;
use loova_core::settings::{self, CloseBehaviour, SettingError, SettingKey};
use loova_core::store::Db;
use loova_core::ErrorCode;

fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_in(dir.path()).unwrap();
    (dir, db)
}

#[test]
fn every_key_has_a_unique_name_that_parses_back() {
    let keys = SettingKey::all();
    let mut names: Vec<String> = keys.iter().map(|k| k.name()).collect();
    for k in &keys {
        assert_eq!(SettingKey::parse(&k.name()).unwrap(), *k);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), keys.len());
    assert!(names.contains(&"notify_queue_finished".to_string()));
}

#[test]
fn defaults_are_shown_until_set() {
    let (_d, db) = db();
    let list = settings::list(&db).unwrap();
    assert!(list.iter().all(|v| v.is_default));
    assert_eq!(settings::close_behaviour(&db), CloseBehaviour::KeepRunning);
    assert!(!settings::start_at_login(&db), "start at login is off by default");
    assert!(settings::notify(&db, NoticeKind::JobFailed));
    assert_eq!(settings::sandbox_speed(&db), None);
}

#[test]
fn values_round_trip_and_reset() {
    let (_d, db) = db();
    let v = settings::set(&db, SettingKey::CloseBehaviour, "quit").unwrap();
    assert_eq!((v.value.as_str(), v.is_default), ("quit", false));
    assert_eq!(settings::close_behaviour(&db), CloseBehaviour::Quit);
    settings::set(&db, SettingKey::StartAtLogin, "on").unwrap();
    assert!(settings::start_at_login(&db));
    settings::set(&db, SettingKey::Notify(NoticeKind::QueueFinished), "false").unwrap();
    assert!(!settings::notify(&db, NoticeKind::QueueFinished));
    assert!(settings::notify(&db, NoticeKind::JobFailed), "kinds are separate");
    settings::set(&db, SettingKey::SandboxSpeed, "0.5").unwrap();
    assert_eq!(settings::sandbox_speed(&db), Some(0.5));
    settings::set(&db, SettingKey::RequestTimeoutMs, "2500").unwrap();
    assert_eq!(settings::request_timeout_ms(&db), Some(2500));
    let v = settings::reset(&db, SettingKey::CloseBehaviour).unwrap();
    assert!(v.is_default);
    assert_eq!(settings::close_behaviour(&db), CloseBehaviour::KeepRunning);
}

#[test]
fn invalid_values_are_refused_with_what_is_allowed() {
    let (_d, db) = db();
    let cases = [
        (SettingKey::CloseBehaviour, "minimise", "keep_running, quit"),
        (SettingKey::StartAtLogin, "maybe", "true or false"),
        (SettingKey::SandboxSpeed, "0", "between 0.001 and 1"),
        (SettingKey::SandboxSpeed, "fast", "between 0.001 and 1"),
        (SettingKey::RequestTimeoutMs, "10", "between 1000 and 600000"),
        (SettingKey::RequestTimeoutMs, "1500.5", "whole number"),
        (SettingKey::OutputDir, "videos/here", "relative path"),
    ];
    for (key, value, says) in cases {
        let e = settings::set(&db, key, value).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.is_bad_input());
        let msg = e.to_string();
        assert!(msg.contains(&key.name()) && msg.contains(value), "{msg}");
        assert!(msg.contains(says), "{key:?} {value}: {msg}");
        assert!(settings::view(&db, key).unwrap().is_default, "nothing stored for {key:?}");
    }
}

#[test]
fn an_unknown_key_lists_the_known_ones() {
    let e = SettingKey::parse("colour").unwrap_err();
    assert!(matches!(e, SettingError::UnknownKey(_)));
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("close_behaviour"), "{e}");
}

#[test]
fn a_bad_stored_value_counts_as_unset() {
    let (_d, db) = db();
    db.set_setting("close_behaviour", "sideways").unwrap();
    assert!(settings::view(&db, SettingKey::CloseBehaviour).unwrap().is_default);
    assert_eq!(settings::close_behaviour(&db), CloseBehaviour::KeepRunning);
}

#[test]
fn the_output_folder_is_the_one_the_engine_uses() {
    let (dir, db) = db();
    let out = dir.path().join("videos");
    let v = settings::set(&db, SettingKey::OutputDir, &out.display().to_string()).unwrap();
    assert!(out.is_dir(), "created");
    assert_eq!(v.value, out.display().to_string());
    if std::env::var_os(loova_core::output_dir::OUTPUT_DIR_ENV).is_none() {
        assert_eq!(loova_core::output_dir::output_root(&db), out);
    }
}

#[test]
fn the_hidden_window_notice_is_due_once() {
    let (_d, db) = db();
    assert!(settings::take_hidden_notice(&db));
    assert!(!settings::take_hidden_notice(&db));
    assert!(settings::list(&db).unwrap().iter().all(|v| v.key != "hidden_notice_shown"));
}
