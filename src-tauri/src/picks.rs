//! The native file and folder pickers, opened by Rust: the only way (with
//! a drop on the window) a path reaches the app from the person. What was
//! picked is registered in `PathGrants` and the page gets a handle. And the
//! native confirmation for what the page alone may not decide.
//!
//! WebDriver cannot reach a native dialog, so the end-to-end tests start
//! the app with `LOOVA_DESK_TEST_PICK_FILE` naming a file: while it is set,
//! a picker does not open and answers the paths written in that file, one
//! per line (empty: canceled), a confirmation answers yes only when the
//! file says `confirm`, and the file is emptied. It is read from the environment the
//! app was started with, which the page cannot change: a script in the page
//! gains nothing from it.

use std::path::PathBuf;
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

pub const TEST_PICK_ENV: &str = "LOOVA_DESK_TEST_PICK_FILE";

/// `Some(answer)` when the tests' file stands in for the dialog: one path
/// per line.
fn test_answers() -> Option<Vec<PathBuf>> {
    let file = std::env::var_os(TEST_PICK_ENV).filter(|f| !f.is_empty())?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::write(&file, "");
    Some(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from).collect())
}

fn test_answer() -> Option<Option<PathBuf>> {
    test_answers().map(|paths| paths.into_iter().next())
}

/// One file, of the kinds in `extensions`; `None` when canceled.
pub async fn pick_file(app: &AppHandle, title: &str, filter: &str, extensions: &[&str]) -> Option<PathBuf> {
    if let Some(answer) = test_answer() {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).add_filter(filter, extensions).pick_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Several files, of the kinds in `extensions`; empty when canceled.
pub async fn pick_files(app: &AppHandle, title: &str, filter: &str, extensions: &[&str]) -> Vec<PathBuf> {
    if let Some(answer) = test_answers() {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).add_filter(filter, extensions).pick_files(move |picked| {
        let _ = tx.send(picked.unwrap_or_default().into_iter().filter_map(|p| p.into_path().ok()).collect::<Vec<_>>());
    });
    rx.await.unwrap_or_default()
}

/// One folder, the dialog opening at `start`; `None` when canceled.
pub async fn pick_folder(app: &AppHandle, title: &str, start: PathBuf) -> Option<PathBuf> {
    if let Some(answer) = test_answer() {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title(title).set_directory(start).pick_folder(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// A native yes-or-no warning, `ok` the label of yes; false when canceled.
pub async fn confirm(app: &AppHandle, title: &str, message: String, ok: &str) -> bool {
    if let Some(answer) = test_answers() {
        return answer.first().is_some_and(|a| a.as_os_str() == "confirm");
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().message(message).title(title).kind(MessageDialogKind::Warning).buttons(MessageDialogButtons::OkCancelCustom(ok.into(), "Cancel".into())).show(
        move |confirmed| {
            let _ = tx.send(confirmed);
        },
    );
    rx.await.unwrap_or(false)
}
