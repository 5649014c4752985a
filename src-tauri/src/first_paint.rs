//! The benchmark's markers (`scripts/bench`). First paint: when
//! `LOOVA_DESK_BENCH_READY_FILE` is set, the page calls [`first_paint`] once
//! the Composer's form has been painted, and this writes the time to that
//! file: CLOCK_MONOTONIC in nanoseconds, the clock the benchmark read just
//! before starting the app, so the difference is the cold start. Unset — as
//! for everyone else — the command does nothing.

pub const READY_FILE_ENV: &str = "LOOVA_DESK_BENCH_READY_FILE";

#[tauri::command]
#[specta::specta]
pub fn first_paint() {
    let Some((path, ns)) = asked(READY_FILE_ENV) else {
        return;
    };
    // Written beside and renamed, so the benchmark never reads half a number.
    let partial = path.with_extension("partial");
    if std::fs::write(&partial, ns.to_string()).and_then(|()| std::fs::rename(&partial, &path)).is_err() {
        eprintln!("loova-desk: cannot write the first-paint marker {}", path.display());
    }
}

/// The marker file the benchmark named in `env`, and the time now; `None`
/// when it named none (everyone but the benchmark).
fn asked(env: &str) -> Option<(std::path::PathBuf, u128)> {
    Some((std::env::var_os(env)?.into(), monotonic_ns()?))
}

#[cfg(unix)]
fn monotonic_ns() -> Option<u128> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128)
}

/// The Queue's filter drew the rows answering a keystroke: with
/// `LOOVA_DESK_BENCH_FILTER_FILE` set, the time (the same clock) is appended
/// to that file as a line, and the benchmark, which sent the keystroke,
/// reads the difference. Unset, nothing happens.
pub const FILTER_FILE_ENV: &str = "LOOVA_DESK_BENCH_FILTER_FILE";

#[tauri::command]
#[specta::specta]
pub fn filter_drawn() {
    use std::io::Write;
    let Some((path, ns)) = asked(FILTER_FILE_ENV) else {
        return;
    };
    // One short append per line: the reader never sees half of one.
    let written = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(format!("{ns}\n").as_bytes()));
    if written.is_err() {
        eprintln!("loova-desk: cannot write the filter marker {}", path.display());
    }
}

/// The benchmark runs on Linux only.
#[cfg(not(unix))]
fn monotonic_ns() -> Option<u128> {
    None
}
