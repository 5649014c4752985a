//! libFuzzer target: see `loova_fuzz::batch`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loova_fuzz::batch(data));
