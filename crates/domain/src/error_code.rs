//! Every code a failure can carry, in one enum: the UI (as a TypeScript
//! string union), the CLI's `--json` output and the codes stored in SQLite
//! (`jobs.last_error_code`, `accounts.balance_error_code`) all use it. A code
//! says what happened; the message beside it says what to do next.

use serde::{Deserialize, Serialize};

/// What every error of Loova Desk tells a front end: its code, the field of
/// a form it concerns, how to fix it when its sentence does not say, and
/// whether it is the person's input (CLI exit 2) or a failure (exit 1).
/// Each error type's impl is in a `coded.rs`: this crate's for the rules'
/// errors, loova-core's for the rest (the orphan rule puts an impl beside
/// its trait or its type).
pub trait Coded: std::fmt::Display {
    fn code(&self) -> ErrorCode;
    fn field(&self) -> Option<&str> {
        None
    }
    fn fix(&self) -> Option<String> {
        None
    }
    fn is_bad_input(&self) -> bool {
        false
    }
    /// The sentence shown.
    fn message(&self) -> String {
        self.to_string()
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The snake_case text: what serde writes and SQLite stores.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // Input and look-ups.
    /// A field of a form or a command-line argument is wrong.
    InvalidInput => "invalid_input",
    /// A job breaks one or more rules (see the violations).
    InvalidSpec => "invalid_spec",
    JobNotFound => "job_not_found",
    AccountNotFound => "account_not_found",
    /// The job is not in a state that allows the action.
    WrongState => "wrong_state",
    /// The task a person named for an unknown outcome is not that job's
    /// (another model or duration, or already another job's).
    AttachMismatch => "attach_mismatch",

    // Rules a job breaks (`Violation::code`).
    UnknownModel => "unknown_model",
    PromptRequired => "prompt_required",
    UnknownFunctionMode => "unknown_function_mode",
    UnknownRatio => "unknown_ratio",
    DurationOutOfRange => "duration_out_of_range",
    TooManyReferences => "too_many_references",
    NotAWebUrl => "not_a_web_url",
    FileWithoutPath => "file_without_path",
    TooManyFrames => "too_many_frames",
    AudioNeedsImageOrVideo => "audio_needs_image_or_video",
    /// `first_last_frames` with audio and no image: there is no first frame.
    FirstFrameRequired => "first_frame_required",
    /// A batch row names another account than the one the batch goes to.
    OtherAccount => "other_account",
    /// A cell or line of a batch file cannot be read (see the message).
    BadCell => "bad_cell",
    /// The batch file's header or structure is wrong.
    BadFile => "bad_file",

    // The engine and this computer.
    EngineAlreadyRunning => "engine_already_running",
    /// The engine's lock file could not be created or locked (read-only
    /// folder, full disk…): not another process.
    EngineLockFailed => "engine_lock_failed",
    Io => "io",
    Database => "database",
    DatabaseNewerVersion => "database_newer_version",
    DatabaseOpenFailed => "database_open_failed",
    /// The desktop shell could not start something it needs.
    Unavailable => "unavailable",
    /// The disk holding the output folder is full: a video waits to be saved.
    DiskFull => "disk_full",
    /// The output folder (or a folder above it) cannot be written.
    OutputFolderNotWritable => "output_folder_not_writable",

    // The keychain.
    KeychainUnavailable => "keychain_unavailable",
    KeychainLocked => "keychain_locked",
    KeychainNotAnswering => "keychain_not_answering",
    KeychainFailed => "keychain_failed",

    // Loova's API.
    KeyRejected => "key_rejected",
    Unreachable => "unreachable",
    ServiceError => "service_error",
    InsufficientCredits => "insufficient_credits",
    LimitReached => "limit_reached",
    /// Loova refused the request as invalid.
    Invalid => "invalid",
    /// The base URL (or the HTTP client) is wrong: nothing was created.
    Config => "config",
    BadBaseUrl => "bad_base_url",
    /// The base URL is plain http:// to another computer: the key would
    /// travel unencrypted, so nothing is sent.
    InsecureBaseUrl => "insecure_base_url",
    MalformedKey => "malformed_key",
    LocalFileGone => "local_file_gone",
    NoAnswer => "no_answer",
    UnreadableAnswer => "unreadable_answer",
    ServiceBusy => "service_busy",
    TaskNotFound => "task_not_found",
    OutcomeUnknown => "outcome_unknown",

    // What happened to a job (stored with it).
    NotSent => "not_sent",
    StoppedWhileSending => "stopped_while_sending",
    NoTaskId => "no_task_id",
    TaskFailed => "task_failed",
    PollFailed => "poll_failed",
    NoVideoUrl => "no_video_url",
    VideoExpired => "video_expired",
    DownloadFailed => "download_failed",
    /// The video link (or a redirect) leads where a video may not come from:
    /// plain http://, or a private, link-local or metadata address.
    DownloadRefused => "download_refused",
    /// The video grew past the `max_video_mb` setting; the try was stopped.
    DownloadTooLarge => "download_too_large",
    Canceled => "canceled",
    Forgotten => "forgotten",
    /// Loova has not finished the task within the deadline setting: the job
    /// stopped polling and waits for the person (attach again or mark failed).
    TaskOverdue => "task_overdue",
    /// The job's video is not on disk (yet).
    NoVideo => "no_video",
    /// Loova runs the task with another mode, ratio or duration than was
    /// sent: the multipart dialect was not understood.
    SettingsNotUnderstood => "settings_not_understood",
    /// The job waits: it would take the account over its daily or monthly
    /// budget (it starts by itself when the period turns or the cap is raised).
    BudgetReached => "budget_reached",

    // The library of saved videos.
    /// No video with that id in the library.
    VideoNotFound => "video_not_found",
    /// The video is not where the library says (moved or deleted outside the app).
    VideoMissing => "video_missing",
    /// The file the person located is not the library's video (size or MP4 check).
    NotTheSameVideo => "not_the_same_video",
    /// The OS trash refused the video or its sidecar.
    TrashFailed => "trash_failed",

    // Local media files.
    MediaUnreadable => "media_unreadable",
    MediaUnsupported => "media_unsupported",
    MediaTooLarge => "media_too_large",
    MediaWrongKind => "media_wrong_kind",
    MediaCopyFailed => "media_copy_failed",

    // Batches.
    BatchInvalidRows => "batch_invalid_rows",
    BatchFileErrors => "batch_file_errors",
    BatchNoValidRows => "batch_no_valid_rows",
    BatchNotFound => "batch_not_found",
    BatchUnreadable => "batch_unreadable",
    /// The batch file is larger, or makes more jobs, than one import takes.
    BatchTooLarge => "batch_too_large",
    /// A cell of a batch file is longer than any field needs.
    CellTooLong => "cell_too_long",
    /// A prompt is longer than the app accepts.
    PromptTooLong => "prompt_too_long",
    BadPricePerCredit => "bad_price_per_credit",

    // Variations (a prompt template expanded into a batch).
    /// A template's braces are wrong (never closed, no alternatives…); the
    /// message names the column.
    TemplateSyntax => "template_syntax",
    /// A `__name__` wildcard's file does not exist, is empty or unreadable.
    WildcardNotFound => "wildcard_not_found",
    WildcardCycle => "wildcard_cycle",
    WildcardTooDeep => "wildcard_too_deep",
    /// A varying field's value (or the number of takes) is wrong.
    BadVariation => "bad_variation",
    /// More than 1,000 jobs: queueing them needs a confirmation.
    VariationsNeedConfirmation => "variations_need_confirmation",
    /// More than 10,000 jobs: refused, with the number.
    VariationsTooMany => "variations_too_many",

    // A studio (slots shared through PostgreSQL).
    /// The studio's PostgreSQL URL is not one Loova Desk can use.
    StudioUrlInvalid => "studio_url_invalid",
    /// The studio database does not answer: the account sends no create.
    StudioUnreachable => "studio_unreachable",
    /// The studio database's schema is from a newer Loova Desk.
    StudioSchemaTooNew => "studio_schema_too_new",
    /// The account does not share its slots with a studio.
    StudioNotConnected => "studio_not_connected",
    /// Disconnect refused: this computer still holds studio slots.
    StudioLeasesHeld => "studio_leases_held",
    /// The studio database refused something else (see the message).
    StudioFailed => "studio_failed",

    // Remote notices (ntfy, webhooks, Discord, Slack).
    /// No remote notice target has that name.
    NoticeTargetNotFound => "notice_target_not_found",
    /// A remote notice target did not accept a notice (see the message).
    NoticeDeliveryFailed => "notice_delivery_failed",

    // Price lists.
    PriceListInvalid => "price_list_invalid",
    PriceListBadEntry => "price_list_bad_entry",
    PriceListUnreadable => "price_list_unreadable",
}

impl ErrorCode {
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// The keychain, not the service, is what failed.
    pub fn is_keychain(self) -> bool {
        matches!(self, ErrorCode::KeychainUnavailable | ErrorCode::KeychainLocked | ErrorCode::KeychainNotAnswering | ErrorCode::KeychainFailed)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn text_is_what_serde_writes_and_parses_back() {
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.as_str().into()));
            assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    /// The architecture document lists every code, so a person reading it
    /// (or writing a script against `--json`) sees them all.
    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../../../docs/ARCHITECTURE.md");
        let missing: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).filter(|c| !doc.contains(&format!("`{c}`"))).collect();
        assert!(missing.is_empty(), "add these codes to docs/ARCHITECTURE.md (\"## Errors\"): {missing:?}");
    }
}
