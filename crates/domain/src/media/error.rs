//! Why a local file cannot be used, in two parts a person reads together
//! (what is wrong, what to do) and the batch importer shows in two columns.

use crate::media::{MediaKind, MB, SUPPORTED};

/// A local file that cannot be used. `rule` says what is wrong and `fix`
/// what to do; the message a person reads is the two together, and the batch
/// importer shows them in their own columns (no splitting of sentences).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    Unreadable { path: String, reason: String },
    Unsupported { path: String },
    TooLarge { path: String, kind: MediaKind, size: u64, limit: u64 },
    WrongKind { path: String, expected: MediaKind, found: MediaKind, format: String },
    Copy { path: String, reason: String },
}

impl std::fmt::Display for MediaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}. {}", self.rule(), self.fix())
    }
}

impl std::error::Error for MediaError {}

impl MediaError {
    /// What is wrong, without the fix.
    pub fn rule(&self) -> String {
        match self {
            MediaError::Unreadable { path, reason } => format!("Cannot read \"{path}\": {reason}"),
            MediaError::Unsupported { path } => format!("\"{path}\" is not a supported media file (its content was checked, not its name)"),
            MediaError::TooLarge { path, kind, size, limit } => {
                format!("\"{path}\" is {} — larger than the {} limit for {kind} files", human(*size), human(*limit))
            }
            MediaError::WrongKind { path, expected, found, format } => format!("\"{path}\" is {} file ({format}), not {}", article(*found), article(*expected)),
            MediaError::Copy { path, reason } => format!("Could not copy \"{path}\" into the data folder: {reason}"),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> String {
        match self {
            MediaError::Unreadable { .. } => "Check that the file exists and is readable.".into(),
            MediaError::Unsupported { .. } => format!("Formats that work: {SUPPORTED}."),
            MediaError::TooLarge { .. } => "Use a smaller file, or raise the limit in the settings.".into(),
            MediaError::WrongKind { found, .. } => format!("Add it as {} reference instead.", article(*found)),
            MediaError::Copy { .. } => "Check that the data folder's disk has room and is writable, then queue the job again.".into(),
        }
    }

    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            MediaError::Unreadable { .. } => ErrorCode::MediaUnreadable,
            MediaError::Unsupported { .. } => ErrorCode::MediaUnsupported,
            MediaError::TooLarge { .. } => ErrorCode::MediaTooLarge,
            MediaError::WrongKind { .. } => ErrorCode::MediaWrongKind,
            MediaError::Copy { .. } => ErrorCode::MediaCopyFailed,
        }
    }
}

fn article(k: MediaKind) -> &'static str {
    match k {
        MediaKind::Image => "an image",
        MediaKind::Video => "a video",
        MediaKind::Audio => "an audio",
    }
}

fn human(bytes: u64) -> String {
    if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}
