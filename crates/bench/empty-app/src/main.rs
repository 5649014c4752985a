//! An empty Tauri 2 app (the "Light" goal's reference): one window with one static
//! page. Its only command is the same first-paint marker Loova Desk has
//! (src-tauri/src/first_paint.rs), so both start-up times end the same way.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

const READY_FILE_ENV: &str = "LOOVA_DESK_BENCH_READY_FILE";

fn main() {
    tauri::Builder::default().invoke_handler(tauri::generate_handler![first_paint]).run(tauri::generate_context!()).expect("the empty app failed to start");
}

/// Writes CLOCK_MONOTONIC (ns) to `LOOVA_DESK_BENCH_READY_FILE` once the
/// page has been painted; without the variable it does nothing.
#[tauri::command]
fn first_paint() {
    let (Some(path), Some(ns)) = (std::env::var_os(READY_FILE_ENV), monotonic_ns()) else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, ns.to_string()).and_then(|()| std::fs::rename(&partial, &path)).is_err() {
        eprintln!("empty-tauri-app: cannot write the first-paint marker {}", path.display());
    }
}

#[cfg(unix)]
fn monotonic_ns() -> Option<u128> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128)
}

#[cfg(not(unix))]
fn monotonic_ns() -> Option<u128> {
    None
}
