//! What every batch test shares: the built-in price list and the fixtures.

use loova_core::batch::{self, BatchFile};
use loova_core::{load_price_list, LoadedPriceList};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub fn prices() -> LoadedPriceList {
    // An empty folder: the built-in list (rates 15/30 and 10/20 credits/s).
    let dir = tempfile::tempdir().unwrap();
    load_price_list(dir.path())
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/batch").join(name)
}

pub fn load(name: &str) -> BatchFile {
    batch::load_batch(&fixture(name), &prices()).unwrap()
}

/// (line, column) of every error, in order.
pub fn where_(f: &BatchFile) -> Vec<(u64, String)> {
    f.errors().into_iter().map(|e| (e.line, e.column)).collect()
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}
