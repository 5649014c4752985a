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
