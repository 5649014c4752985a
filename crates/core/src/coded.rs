//! How each error of Loova Desk presents itself to a front end (the app's
//! `CommandError`, the CLI's `error:` line and exit code, an MCP tool
//! error): one `Coded` impl per error type, here, so the app and the CLI
//! cannot tell the same failure differently. The rules' own errors
//! (`Violation`, `PriceListError`, the variations') have theirs in
//! loova-domain's `coded.rs`, beside the trait (the orphan rule).

use crate::error_code::{Coded, ErrorCode};

/// Code from the type's own method; field and bad-input as given, with
/// `$e` the error.
macro_rules! coded {
    ($t:ty, |$e:ident| field: $field:expr, bad: $bad:expr) => {
        impl Coded for $t {
            fn code(&self) -> ErrorCode {
                <$t>::code(self)
            }
            // Not every body reads `$e`.
            #[allow(unused_variables)]
            fn field(&self) -> Option<&str> {
                let $e = self;
                $field
            }
            #[allow(unused_variables)]
            fn is_bad_input(&self) -> bool {
                let $e = self;
                $bad
            }
        }
    };
}

use crate::accounts::AccountError;
use crate::batch::BatchError;
use crate::batch_import::ImportError;
use crate::engine::EngineError;
use crate::library::actions::ActionError;
use crate::library::poster::PosterError;
use crate::output_dir::OutputDirError;
use crate::path_grants::UnknownHandle;
use crate::remote_notices::NoticeError;
use crate::settings::SettingError;
use crate::spending::caps::CapError;
use crate::spending::export::ExportError;
use crate::spending::usage::UsageError;
use crate::store::StoreError;
use crate::studio::StudioError;
use crate::variation_sets::VariationQueueError;
use crate::vault::VaultError;

/// The person's input when the code says so: a wrong value, a name that
/// is not there.
fn by_code(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::InvalidInput
            | ErrorCode::AccountNotFound
            | ErrorCode::VideoNotFound
            | ErrorCode::BatchNotFound
            | ErrorCode::StudioUrlInvalid
            | ErrorCode::StudioNotConnected
    )
}

coded!(EngineError, |e| field: e.field(), bad: e.is_bad_input());
coded!(CapError, |e| field: e.field(), bad: e.is_bad_input());
coded!(BatchError, |e| field: None, bad: e.is_bad_input());
coded!(StoreError, |_e| field: None, bad: false);
coded!(VaultError, |_e| field: None, bad: false);
coded!(VariationQueueError, |e| field: e.field(), bad: e.is_bad_input());
coded!(ImportError, |e| field: e.field(), bad: !matches!(e, ImportError::Store(_)));
coded!(StudioError, |e| field: e.field(), bad: by_code(e.code()) || e.field().is_some());
coded!(OutputDirError, |e| field: e.is_bad_input().then_some(OutputDirError::FIELD), bad: e.is_bad_input());
coded!(UsageError, |e| field: None, bad: !matches!(e, UsageError::Store(_)));
coded!(ExportError, |_e| field: None, bad: false);
coded!(ActionError, |e| field: None, bad: by_code(e.code()));
coded!(PosterError, |e| field: None, bad: !matches!(e, PosterError::Store(_) | PosterError::Write { .. }));
coded!(SettingError, |e| field: match e {
    SettingError::Invalid { key, .. } => Some(key.as_str()),
    _ => None,
}, bad: e.is_bad_input());
coded!(NoticeError, |e| field: e.field(), bad: e.is_bad_input());
coded!(UnknownHandle, |e| field: Some(e.field), bad: true);

impl Coded for AccountError {
    fn code(&self) -> ErrorCode {
        AccountError::code(self)
    }
    fn field(&self) -> Option<&str> {
        AccountError::field(self)
    }
    fn is_bad_input(&self) -> bool {
        AccountError::is_bad_input(self)
    }
    /// A form's refusal is its sentence alone (the field says where).
    fn message(&self) -> String {
        match self {
            AccountError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}
