//! libFuzzer target: see `loova_fuzz::api`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loova_fuzz::api(data));
