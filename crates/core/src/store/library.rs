//! The library: one row per saved video, keyed by its path, holding its
//! sidecar (`library::Sidecar`) and the columns filters need; `library_fts`
//! (FTS5, kept in step by triggers) searches prompts and names.

use super::{Db, StoreError};
use crate::recipe::Sidecar;
use serde::{Deserialize, Serialize};

/// A saved video: where it is and its recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryEntry {
    /// Its id (`loova library pick ID`).
    pub id: i64,
    pub path: String,
    pub sidecar: Sidecar,
}

/// Which videos to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct LibraryFilter {
    /// Words, each of which must start a word of the prompt or the name.
    pub search: Option<String>,
    /// Account name (any case).
    pub account: Option<String>,
    /// Batch name (any case).
    pub batch: Option<String>,
    /// Downloaded at or after (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Only picked takes.
    pub picks_only: bool,
    /// Only takes rated at least this.
    pub min_rating: Option<u8>,
}

/// The person's words as an FTS5 query: each word a quoted prefix term, so
/// that characters FTS5 would read as syntax (`"`, `-`, `:`, `*`) are only
/// text and a query never fails to parse.
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text.split_whitespace().map(|w| format!("\"{}\"*", w.replace('"', "\"\""))).collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Db {
    /// Adds or replaces the entry for `path` (rebuilding twice changes nothing).
    pub fn upsert_library(&self, path: &str, sidecar: &Sidecar) -> Result<(), StoreError> {
        let json = serde_json::to_string(sidecar).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        // The video is in place when it is recorded (saved or rebuilt).
        let bytes = std::fs::metadata(path).ok().map(|m| m.len() as i64);
        let name = sidecar.name.clone().unwrap_or_else(|| std::path::Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        self.conn().execute(
            "INSERT INTO library (path, task_id, name, prompt, account, batch, model, credits_cost, downloaded_at, sidecar, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (path) DO UPDATE SET task_id = excluded.task_id, name = excluded.name, prompt = excluded.prompt,
                account = excluded.account, batch = excluded.batch, model = excluded.model, credits_cost = excluded.credits_cost,
                downloaded_at = excluded.downloaded_at, sidecar = excluded.sidecar, bytes = excluded.bytes, deleted_at = NULL",
            rusqlite::params![
                path,
                sidecar.task_id,
                name,
                sidecar.prompt,
                sidecar.account,
                sidecar.batch,
                sidecar.model,
                sidecar.credits_cost,
                sidecar.downloaded_at,
                json,
                bytes
            ],
        )?;
        Ok(())
    }

    /// The entries matching `filter`, newest first.
    pub fn library(&self, filter: &LibraryFilter) -> Result<Vec<LibraryEntry>, StoreError> {
        let search = filter.search.as_deref().and_then(fts_query);
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT path, sidecar, id FROM library
             WHERE deleted_at IS NULL AND (?1 IS NULL OR id IN (SELECT rowid FROM library_fts WHERE library_fts MATCH ?1))
               AND (?2 IS NULL OR account = ?2 COLLATE NOCASE)
               AND (?3 IS NULL OR batch = ?3 COLLATE NOCASE)
               AND (?4 IS NULL OR downloaded_at >= ?4)
               AND (?5 = 0 OR json_extract(sidecar, '$.pick') = 1)
               AND (?6 IS NULL OR json_extract(sidecar, '$.rating') >= ?6)
             ORDER BY downloaded_at DESC, id DESC",
        )?;
        let args = rusqlite::params![search, filter.account, filter.batch, filter.since_ms, filter.picks_only, filter.min_rating];
        let rows = stmt.query_map(args, |r| {
            let path: String = r.get(0)?;
            let json: String = r.get(1)?;
            let sidecar = serde_json::from_str(&json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
            Ok(LibraryEntry { id: r.get(2)?, path, sidecar })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The screen's sort orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LibrarySort {
    #[default]
    Newest,
    Oldest,
    CostHigh,
    CostLow,
    Name,
    /// Highest rated first, then picks, then the newest.
    Rating,
}

/// The most rows one page may ask for.
pub const MAX_PAGE: u32 = 500;

/// Search, filters (empty = any), sort and the window of rows wanted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryQuery {
    /// Words that must start words of the prompt or the name (FTS5).
    pub search: Option<String>,
    pub account: Option<String>,
    pub batch: Option<String>,
    pub model: Option<String>,
    pub ratio: Option<String>,
    /// Saved at or after / before (ms since the epoch).
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Only the picked takes.
    pub picks_only: bool,
    /// Only takes rated at least this (1–5).
    pub min_rating: Option<u8>,
    pub sort: LibrarySort,
    pub offset: u32,
    pub limit: u32,
}

/// One library row as the Library screen reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryRow {
    pub id: i64,
    pub path: String,
    pub sidecar: Sidecar,
    /// Its size when it was saved (`None` for rows from before migration 8).
    pub bytes: Option<i64>,
    /// When it was deleted to the trash from the app.
    pub deleted_at: Option<i64>,
}

/// The values the screen's filters offer: those of the videos on the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryFacets {
    pub accounts: Vec<String>,
    pub batches: Vec<String>,
    pub models: Vec<String>,
    pub ratios: Vec<String>,
}

/// The screen's filters, shared by the page and its count. `?1`..`?9`.
const SCREEN_WHERE: &str = "deleted_at IS NULL
    AND (?1 IS NULL OR id IN (SELECT rowid FROM library_fts WHERE library_fts MATCH ?1))
    AND (?2 IS NULL OR account = ?2 COLLATE NOCASE)
    AND (?3 IS NULL OR batch = ?3 COLLATE NOCASE)
    AND (?4 IS NULL OR model = ?4)
    AND (?5 IS NULL OR json_extract(sidecar, '$.ratio') = ?5)
    AND (?6 IS NULL OR downloaded_at >= ?6)
    AND (?7 IS NULL OR downloaded_at < ?7)
    AND (?8 = 0 OR json_extract(sidecar, '$.pick') = 1)
    AND (?9 IS NULL OR json_extract(sidecar, '$.rating') >= ?9)";

fn order_by(sort: LibrarySort) -> &'static str {
    // `id` breaks ties, so pages never repeat or skip a row.
    match sort {
        LibrarySort::Newest => "downloaded_at DESC, id DESC",
        LibrarySort::Oldest => "downloaded_at ASC, id ASC",
        LibrarySort::CostHigh => "credits_cost IS NULL, credits_cost DESC, id DESC",
        LibrarySort::CostLow => "credits_cost IS NULL, credits_cost ASC, id DESC",
        LibrarySort::Name => "name COLLATE NOCASE ASC, id DESC",
        LibrarySort::Rating => {
            "coalesce(json_extract(sidecar, '$.rating'), 0) DESC, coalesce(json_extract(sidecar, '$.pick'), 0) DESC, downloaded_at DESC, id DESC"
        }
    }
}

fn library_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LibraryRow> {
    let json: String = r.get(2)?;
    let sidecar = serde_json::from_str(&json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(LibraryRow { id: r.get(0)?, path: r.get(1)?, sidecar, bytes: r.get(3)?, deleted_at: r.get(4)? })
}

const ROW_COLUMNS: &str = "id, path, sidecar, bytes, deleted_at";

impl Db {
    /// How many videos match `q`, and the page of them `q.offset`/`q.limit` asks for.
    pub fn library_page(&self, q: &LibraryQuery) -> Result<(u64, Vec<LibraryRow>), StoreError> {
        let search = q.search.as_deref().and_then(fts_query);
        let empty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let (account, batch, model, ratio) = (empty(&q.account), empty(&q.batch), empty(&q.model), empty(&q.ratio));
        let filters = rusqlite::params![search, account, batch, model, ratio, q.from_ms, q.until_ms, q.picks_only, q.min_rating];
        let conn = self.conn();
        let total: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM library WHERE {SCREEN_WHERE}"), filters, |r| r.get(0))?;
        let sql = format!("SELECT {ROW_COLUMNS} FROM library WHERE {SCREEN_WHERE} ORDER BY {} LIMIT {} OFFSET {}", order_by(q.sort), q.limit, q.offset);
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(filters, library_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok((total as u64, rows))
    }

    /// The distinct accounts, batches, models and ratios of the listed videos.
    pub fn library_facets(&self) -> Result<LibraryFacets, StoreError> {
        let conn = self.conn();
        let list = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(rows)
        };
        Ok(LibraryFacets {
            accounts: list("SELECT DISTINCT account FROM library WHERE deleted_at IS NULL ORDER BY account COLLATE NOCASE")?,
            batches: list("SELECT DISTINCT batch FROM library WHERE deleted_at IS NULL AND batch IS NOT NULL ORDER BY batch COLLATE NOCASE")?,
            models: list("SELECT DISTINCT model FROM library WHERE deleted_at IS NULL ORDER BY model")?,
            ratios: list("SELECT DISTINCT json_extract(sidecar, '$.ratio') AS r FROM library WHERE deleted_at IS NULL AND r IS NOT NULL ORDER BY r")?,
        })
    }

    pub fn library_row(&self, id: i64) -> Result<Option<LibraryRow>, StoreError> {
        use rusqlite::OptionalExtension;
        let sql = format!("SELECT {ROW_COLUMNS} FROM library WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], library_row).optional()?)
    }

    /// The row of the video at `path`, deleted or not (a job's history reads
    /// "deleted from disk" from it).
    pub fn library_row_at(&self, path: &str) -> Result<Option<LibraryRow>, StoreError> {
        use rusqlite::OptionalExtension;
        let sql = format!("SELECT {ROW_COLUMNS} FROM library WHERE path = ?1");
        Ok(self.conn().query_row(&sql, [path], library_row).optional()?)
    }

    /// The person located a moved video at `path`. False when another row
    /// already has that path.
    pub fn move_library_entry(&self, id: i64, path: &str) -> Result<bool, StoreError> {
        let taken: i64 = self.conn().query_row("SELECT COUNT(*) FROM library WHERE path = ?1 AND id <> ?2", rusqlite::params![path, id], |r| r.get(0))?;
        if taken > 0 {
            return Ok(false);
        }
        self.conn().execute("UPDATE library SET path = ?2 WHERE id = ?1", rusqlite::params![id, path])?;
        Ok(true)
    }

    /// Changes a saved video's recipe (its pick or rating) in SQLite's
    /// copy: read, `change`, written in one IMMEDIATE transaction, so two
    /// changes at once (a pick and a rating) both stay. The row as written;
    /// `None` when it is not in the library (or was deleted).
    pub fn change_library_sidecar(&self, id: i64, change: impl FnOnce(&mut Sidecar)) -> Result<Option<LibraryRow>, StoreError> {
        use rusqlite::OptionalExtension;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let sql = format!("SELECT {ROW_COLUMNS} FROM library WHERE id = ?1 AND deleted_at IS NULL");
        let Some(mut row) = tx.query_row(&sql, [id], library_row).optional()? else {
            return Ok(None);
        };
        change(&mut row.sidecar);
        let json = serde_json::to_string(&row.sidecar).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.execute("UPDATE library SET sidecar = ?2 WHERE id = ?1", rusqlite::params![id, json])?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// The pick and rating of the saved videos at `paths` (the Queue's
    /// finished rows), by path: one read for the rows the screen lists.
    pub fn takes_at(&self, paths: &[&str]) -> Result<std::collections::HashMap<String, Take>, StoreError> {
        let mut found = std::collections::HashMap::new();
        if paths.is_empty() {
            return Ok(found);
        }
        let conn = self.conn();
        let marks = vec!["?"; paths.len()].join(", ");
        let sql = format!(
            "SELECT path, id, COALESCE(json_extract(sidecar, '$.pick'), 0), json_extract(sidecar, '$.rating')
             FROM library WHERE deleted_at IS NULL AND path IN ({marks})"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(paths), |r| {
            Ok((r.get::<_, String>(0)?, Take { library_id: r.get(1)?, pick: r.get::<_, i64>(2)? == 1, rating: r.get::<_, Option<u8>>(3)? }))
        })?;
        for row in rows {
            let (path, take) = row?;
            found.insert(path, take);
        }
        Ok(found)
    }

    /// The picked videos still in the library, oldest first.
    pub fn library_picks(&self) -> Result<Vec<LibraryRow>, StoreError> {
        let conn = self.conn();
        let sql = format!("SELECT {ROW_COLUMNS} FROM library WHERE deleted_at IS NULL AND json_extract(sidecar, '$.pick') = 1 ORDER BY downloaded_at, id");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map([], library_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The video was moved to the trash from the app.
    pub fn mark_library_deleted(&self, id: i64, at_ms: i64) -> Result<(), StoreError> {
        self.conn().execute("UPDATE library SET deleted_at = ?2 WHERE id = ?1", rusqlite::params![id, at_ms])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fts5_is_compiled_in_and_queries_never_break() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::Db::open_in(dir.path()).unwrap();
        let opts: Vec<String> = db.conn().prepare("PRAGMA compile_options").unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert!(opts.iter().any(|o| o == "ENABLE_FTS5"), "{opts:?}");
        for text in ["\"", "a-b", "NOT", "x:y*", "  "] {
            db.library(&super::LibraryFilter { search: Some(text.into()), ..Default::default() }).unwrap();
        }
    }
}

/// A saved video's pick and rating, as a Queue row shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Take {
    /// Its Library item (what the pick and rating commands take).
    pub library_id: i64,
    pub pick: bool,
    pub rating: Option<u8>,
}
