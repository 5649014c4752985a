//! libFuzzer target: see `loova_fuzz::variations`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

/// One folder per fuzzing process under `TMPDIR` (scripts/fuzz points it at
/// a RAM-backed folder that it removes afterwards).
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("loova-fuzz-variations-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("TMPDIR is writable");
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| loova_fuzz::variations(data, scratch()));
