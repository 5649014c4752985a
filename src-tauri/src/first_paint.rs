//! The benchmark's first-paint marker (`scripts/bench`). When
//! `LOOVA_DESK_BENCH_READY_FILE` is set, the page calls [`first_paint`] once
//! the Composer's form has been painted, and this writes the time to that
//! file: CLOCK_MONOTONIC in nanoseconds, the clock the benchmark read just
//! before starting the app, so the difference is the cold start. Unset — as
//! for everyone else — the command does nothing.

pub const READY_FILE_ENV: &str = "LOOVA_DESK_BENCH_READY_FILE";

#[tauri::command]
#[specta::specta]
pub fn first_paint() {
    let (Some(path), Some(ns)) = (std::env::var_os(READY_FILE_ENV), monotonic_ns()) else {
        return;
    };
    // Written beside and renamed, so the benchmark never reads half a number.
    let path = std::path::PathBuf::from(path);
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, ns.to_string()).and_then(|()| std::fs::rename(&partial, &path)).is_err() {
        eprintln!("loova-desk: cannot write the first-paint marker {}", path.display());
    }
}

#[cfg(unix)]
fn monotonic_ns() -> Option<u128> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128)
}

/// The benchmark runs on Linux only.
#[cfg(not(unix))]
fn monotonic_ns() -> Option<u128> {
    None
}
