//! What an engine call or a person's action on a job can fail with.

use super::actions::JobAction;
use crate::accounts::AccountError;
use crate::store::{JobState, StoreError};
use crate::{ErrorCode, Violation};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("Loova Desk (or `loova run`) is already running the queue for this data folder. Let it run the queue, or close it first.")]
    AlreadyRunning,
    /// The lock file could not be made or locked: this computer's problem
    /// (read-only folder, full disk, a folder where the file should be), not
    /// another process.
    #[error("The queue cannot run: its lock file {} could not be {what} ({reason}). Check that the data folder is on a writable disk with free space, or set LOOVA_DESK_DATA_DIR to another folder.", .path.display())]
    Lock { path: PathBuf, what: &'static str, reason: String },
    #[error("This job cannot be queued: {}", .0.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" "))]
    InvalidSpec(Vec<Violation>),
    #[error("There is no job {0}. Run `loova jobs` to see the jobs.")]
    NoSuchJob(i64),
    #[error("There is no account \"{0}\". Run `loova accounts list` to see the accounts.")]
    NoSuchAccount(String),
    #[error("Job {id} is {state}; it cannot be {}.", .action.refusal())]
    WrongState { id: i64, state: JobState, action: JobAction },
    #[error("Job {id} cannot go before job {target}: {why}. Choose a queued job of the same account.")]
    WrongTarget { id: i64, target: i64, why: String },
    #[error("Job {0}'s video is not on disk (yet). It is saved when the job has finished.")]
    NoVideo(i64),
    #[error("This job cannot be queued: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(" "))]
    Media(Vec<crate::media::MediaError>),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Attach(#[from] super::attach::AttachError),
}

impl EngineError {
    /// A stable code for the UI and CLI to branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::AlreadyRunning => ErrorCode::EngineAlreadyRunning,
            EngineError::Lock { .. } => ErrorCode::EngineLockFailed,
            EngineError::InvalidSpec(_) => ErrorCode::InvalidSpec,
            EngineError::NoSuchJob(_) => ErrorCode::JobNotFound,
            EngineError::NoSuchAccount(_) => ErrorCode::AccountNotFound,
            EngineError::WrongState { .. } | EngineError::WrongTarget { .. } => ErrorCode::WrongState,
            EngineError::NoVideo(_) => ErrorCode::NoVideo,
            EngineError::Media(m) => m.first().map_or(ErrorCode::MediaUnreadable, |e| e.code()),
            EngineError::Io(_) => ErrorCode::Io,
            EngineError::Store(s) => s.code(),
            EngineError::Account(a) => a.code(),
            EngineError::Attach(a) => a.code(),
        }
    }

    /// The field the error concerns, when it is one field's.
    pub fn field(&self) -> Option<&str> {
        match self {
            EngineError::InvalidSpec(v) => v.first().map(|v| v.field.as_str()),
            EngineError::Account(a) => a.field(),
            _ => None,
        }
    }

    /// Bad input (CLI exit code 2) rather than a failure (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            EngineError::InvalidSpec(_)
                | EngineError::Media(_)
                | EngineError::NoSuchJob(_)
                | EngineError::NoSuchAccount(_)
                | EngineError::WrongState { .. }
                | EngineError::WrongTarget { .. }
                | EngineError::NoVideo(_)
        ) || matches!(self, EngineError::Attach(a) if a.is_bad_input())
    }
}
