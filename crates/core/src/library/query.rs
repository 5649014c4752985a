//! What the Library screen asks for and gets: one page of videos matching
//! its search, filters and sort, with the count and the filters' choices.
//! Only the rows of the page are looked at on disk (present or missing,
//! poster cached or not), so a library of 10,000 videos answers as fast as
//! one of 20.

use super::poster;
use crate::store::{Db, LibraryRow, StoreError};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use crate::store::{LibraryQuery, LibrarySort, MAX_PAGE};

/// Is the video where the library says it is?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OnDisk {
    Present,
    /// Moved or deleted outside the app: the person may locate it.
    Missing,
}

/// One video of the grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryItem {
    pub id: i64,
    pub name: String,
    pub prompt: String,
    pub model: String,
    /// Seconds.
    pub duration: u32,
    pub ratio: String,
    pub downloaded_at: i64,
    pub credits_cost: Option<i64>,
    pub account: String,
    pub batch: Option<String>,
    pub path: String,
    pub on_disk: OnDisk,
    pub pick: bool,
    pub rating: Option<u8>,
    /// Where the video plays from (the shell's loopback media server).
    pub video_url: String,
    /// The cached poster frame, when there is one yet; else the screen
    /// takes one from the video and hands it to `poster::save`.
    pub poster_url: Option<String>,
}

/// The filters' choices: the values of the videos in the library.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryChoices {
    pub accounts: Vec<String>,
    pub batches: Vec<String>,
    pub models: Vec<String>,
    pub ratios: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryPage {
    /// How many videos match (the grid's height comes from it).
    pub total: u32,
    pub offset: u32,
    pub items: Vec<LibraryItem>,
    pub choices: LibraryChoices,
}

/// The address of `path` (`video/ID`, `poster/ID`) under `base`, the
/// shell's loopback media server (`http://127.0.0.1:PORT/TOKEN/`; see `serve`).
pub fn media_url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

/// The address of video `id`'s cached poster, versioned by when it was written.
pub fn poster_url(base: &str, id: i64, stamp: u64) -> String {
    media_url(base, &format!("poster/{id}?v={stamp}"))
}

impl LibraryItem {
    pub fn of_row(row: &LibraryRow, data_dir: &Path, base: &str) -> LibraryItem {
        let s = &row.sidecar;
        let path = Path::new(&row.path);
        let name = s.name.clone().unwrap_or_else(|| path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let on_disk = if path.is_file() { OnDisk::Present } else { OnDisk::Missing };
        // The poster's modification time makes a fresh one a fresh address.
        let poster_url = poster::cached(data_dir, &row.path).map(|stamp| poster_url(base, row.id, stamp));
        LibraryItem {
            id: row.id,
            name,
            prompt: s.prompt.clone(),
            model: s.model.clone(),
            duration: s.duration,
            ratio: s.ratio.clone(),
            downloaded_at: s.downloaded_at,
            credits_cost: s.credits_cost,
            account: s.account.clone(),
            batch: s.batch.clone(),
            path: row.path.clone(),
            on_disk,
            pick: s.pick,
            rating: s.rating,
            video_url: media_url(base, &format!("video/{}", row.id)),
            poster_url,
        }
    }
}

/// The page of the library `q` asks for; media addresses under `base`.
pub fn page(db: &Db, data_dir: &Path, base: &str, q: &LibraryQuery) -> Result<LibraryPage, StoreError> {
    let q = LibraryQuery { limit: q.limit.clamp(1, MAX_PAGE), ..q.clone() };
    let (total, rows) = db.library_page(&q)?;
    let f = db.library_facets()?;
    Ok(LibraryPage {
        total: total as u32,
        offset: q.offset,
        items: rows.iter().map(|r| LibraryItem::of_row(r, data_dir, base)).collect(),
        choices: LibraryChoices { accounts: f.accounts, batches: f.batches, models: f.models, ratios: f.ratios },
    })
}
