//! libFuzzer target: see `loova_fuzz::price_list`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| loova_fuzz::price_list(data));
