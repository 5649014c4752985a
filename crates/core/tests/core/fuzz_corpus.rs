//! Every fuzz seed (`crates/fuzz/corpus/<target>/`) and every input a fuzzer
//! once crashed on (`crates/fuzz/regressions/<target>/`) goes through the same
//! functions as the libFuzzer targets, on stable, so a fixed crash stays fixed
//! without nightly. `scripts/fuzz` copies each new crash into `regressions/`.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir/<target>/`, sorted (a missing folder has none).
fn inputs(dir: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

fn replay(dir: &str) -> usize {
    let scratch = tempfile::tempdir().unwrap();
    let mut count = 0;
    for target in harness::TARGETS {
        for file in inputs(dir, target) {
            let data = std::fs::read(&file).unwrap();
            // A panic names the file, so the failing input is known at once.
            let outcome = std::panic::catch_unwind(|| harness::run(target, &data, scratch.path()));
            assert!(outcome.is_ok(), "{target}: {} panicked (replay it with `cargo fuzz run {target} {}`)", file.display(), file.display());
            count += 1;
        }
    }
    count
}

#[test]
fn every_seed_of_every_target_runs_without_a_panic() {
    for target in harness::TARGETS {
        assert!(!inputs("corpus", target).is_empty(), "{target} has no seed corpus in crates/fuzz/corpus/{target}");
    }
    assert!(replay("corpus") > 0);
}

#[test]
fn every_input_a_fuzzer_crashed_on_stays_fixed() {
    replay("regressions");
}

/// The targets list matches the fuzz crate's binaries, so a new target
/// cannot be forgotten here.
#[test]
fn every_fuzz_binary_is_a_listed_target() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let bins: Vec<&str> = manifest.lines().filter_map(|l| l.strip_prefix("name = \"")?.strip_suffix('"')).filter(|n| *n != "loova-fuzz").collect();
    assert_eq!(bins, harness::TARGETS);
}
