//! `LOOVA_API_KEY` is read once and leaves the environment, so a process
//! started afterwards (a browser, a file manager, a script) never inherits
//! the key. One test in this binary: it changes the process environment,
//! which no other thread may read meanwhile.

use loova_core::accounts::{take_env_key, KEY_ENV};

const KEY: &str = "sk-env-key-test-0001";

/// What a child process started now sees in `LOOVA_API_KEY`.
fn child_sees() -> String {
    #[cfg(windows)]
    let out = std::process::Command::new("cmd").args(["/C", "if defined LOOVA_API_KEY (echo %LOOVA_API_KEY%) else (echo unset)"]).output();
    #[cfg(not(windows))]
    let out = std::process::Command::new("sh").args(["-c", "echo \"${LOOVA_API_KEY-unset}\""]).output();
    String::from_utf8(out.unwrap().stdout).unwrap().trim().to_string()
}

#[test]
fn a_child_started_after_the_key_is_read_does_not_inherit_it() {
    std::env::set_var(KEY_ENV, format!("  {KEY}\n"));
    assert_eq!(child_sees(), KEY, "the probe works: the key is inherited before it is taken");
    let key = take_env_key().expect("the key was set");
    assert_eq!(key.expose(), KEY, "trimmed");
    assert_eq!(format!("{key:?}"), "<redacted>");
    assert!(std::env::var_os(KEY_ENV).is_none(), "gone from this process's environment");
    assert_eq!(child_sees(), "unset", "a child process does not inherit it");
    // Importing later still has the key (the Accounts screen's button).
    assert_eq!(take_env_key().map(|k| k.expose().to_string()).as_deref(), Some(KEY));
}
