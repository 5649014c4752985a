//! The price list on disk: a person's `price-list.json` in the data
//! directory replaces the built-in one once it validates. The list's types,
//! checks and arithmetic are loova-domain's (re-exported here, so
//! `loova_core::pricing::…` keeps every path); what reads or writes a file
//! is here, with the charge note (it measures local videos).

pub mod charge_note;

pub use loova_domain::pricing::*;

use std::path::{Path, PathBuf};

/// File name of a person-supplied price list inside the data directory.
pub const PRICE_LIST_FILE: &str = "price-list.json";

/// Loads the person's price list from `data_dir` when there is one, else the
/// built-in list. A file that fails validation is not used: the built-in list
/// is, and `warning` says why, so every preview shows which list priced it.
pub fn load_price_list(data_dir: &Path) -> LoadedPriceList {
    let path = data_dir.join(PRICE_LIST_FILE);
    match read_price_list_file(&path) {
        None => LoadedPriceList::built_in(None),
        Some(Ok(list)) => LoadedPriceList {
            info: PriceListInfo {
                effective_date: list.effective_date.clone(),
                source: list.source.clone(),
                origin: PriceListOrigin::File(path.display().to_string()),
            },
            list,
            warning: None,
        },
        Some(Err(e)) => LoadedPriceList::built_in(Some(format!("{e} Using the built-in price list instead."))),
    }
}

fn read_price_list_file(path: &Path) -> Option<Result<PriceList, PriceListError>> {
    let origin = path.display().to_string();
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(PriceListError::Io { origin, reason: e.to_string() })),
        Ok(text) => Some(PriceList::parse(&text, &origin)),
    }
}

/// Validates `source` and installs it as the data directory's price list.
/// Nothing is written unless the file is valid.
pub fn install_price_list(source: &Path, data_dir: &Path) -> Result<(PriceList, PathBuf), PriceListError> {
    let origin = source.display().to_string();
    let text = std::fs::read_to_string(source).map_err(|e| PriceListError::Io { origin: origin.clone(), reason: e.to_string() })?;
    let list = PriceList::parse(&text, &origin)?;
    let io = |e: std::io::Error| PriceListError::Io { origin: origin.clone(), reason: e.to_string() };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let target = data_dir.join(PRICE_LIST_FILE);
    let tmp = data_dir.join(format!("{PRICE_LIST_FILE}.part"));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, &target).map_err(io)?;
    Ok((list, target))
}

#[cfg(test)]
mod tests;
