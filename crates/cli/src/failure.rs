//! How a command ends: `Done` is `Ok(())`, or the `Failure` to report. Every
//! command returns it, so `?` carries an error of loova-core (each has its
//! `Coded` impl: the sentence, its code, its field) up to `run`, which
//! prints it once — `error: …`, and the error as JSON with `--json` — and
//! exits 2 for bad input, else 1.

use crate::{print_json, Coded, JSON, JSON_PRINTED};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub type Done = Result<(), Failure>;

pub enum Failure {
    /// An error to print.
    Error { error: Box<dyn Coded>, bad_input: bool },
    /// The command printed what was wrong itself (every violation of every
    /// row, say); only the exit code is left.
    Reported { bad_input: bool },
}

/// `?` on any error of loova-core: bad input when the error says so.
impl<E: Coded + 'static> From<E> for Failure {
    fn from(e: E) -> Failure {
        let bad_input = e.is_bad_input();
        Failure::Error { error: Box::new(e), bad_input }
    }
}

impl Failure {
    /// `error`, as bad input (exit 2) or not (exit 1) whatever it says.
    pub fn new(error: impl Coded + 'static, bad_input: bool) -> Failure {
        Failure::Error { error: Box::new(error), bad_input }
    }

    pub fn boxed(error: Box<dyn Coded>, bad_input: bool) -> Failure {
        Failure::Error { error, bad_input }
    }

    /// A service or system failure (exit 1), whatever the error says.
    pub fn failed(error: impl Coded + 'static) -> Failure {
        Failure::new(error, false)
    }

    /// Bad input (exit 2), whatever the error says.
    pub fn bad_input(error: impl Coded + 'static) -> Failure {
        Failure::new(error, true)
    }

    /// Already printed by the command.
    pub fn reported(bad_input: bool) -> Failure {
        Failure::Reported { bad_input }
    }

    /// Prints it (unless the command did) and gives the exit code.
    pub fn report(self) -> ExitCode {
        let bad_input = match self {
            Failure::Error { error, bad_input } => {
                eprintln!("error: {error}");
                if JSON.load(Ordering::Relaxed) && !JSON_PRINTED.load(Ordering::Relaxed) {
                    print_json(&serde_json::json!({"error": {"code": error.code(), "message": error.to_string(), "field": error.field()}}));
                }
                bad_input
            }
            Failure::Reported { bad_input } => bad_input,
        };
        ExitCode::from(if bad_input { 2 } else { 1 })
    }
}
