//! The library: one row per saved video, keyed by its path, holding its
//! sidecar (`library::Sidecar`) and the columns filters need; `library_fts`
//! (FTS5, kept in step by triggers) searches prompts and names.

use super::{Db, StoreError};
use crate::library::Sidecar;

/// A saved video: where it is and its recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryEntry {
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
        let name = sidecar.name.clone().unwrap_or_else(|| std::path::Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
        self.conn().execute(
            "INSERT INTO library (path, task_id, name, prompt, account, batch, model, credits_cost, downloaded_at, sidecar)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (path) DO UPDATE SET task_id = excluded.task_id, name = excluded.name, prompt = excluded.prompt,
                account = excluded.account, batch = excluded.batch, model = excluded.model, credits_cost = excluded.credits_cost,
                downloaded_at = excluded.downloaded_at, sidecar = excluded.sidecar",
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
                json
            ],
        )?;
        Ok(())
    }

    /// The entries matching `filter`, newest first.
    pub fn library(&self, filter: &LibraryFilter) -> Result<Vec<LibraryEntry>, StoreError> {
        let search = filter.search.as_deref().and_then(fts_query);
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT path, sidecar FROM library
             WHERE (?1 IS NULL OR id IN (SELECT rowid FROM library_fts WHERE library_fts MATCH ?1))
               AND (?2 IS NULL OR account = ?2 COLLATE NOCASE)
               AND (?3 IS NULL OR batch = ?3 COLLATE NOCASE)
               AND (?4 IS NULL OR downloaded_at >= ?4)
             ORDER BY downloaded_at DESC, id DESC",
        )?;
        let rows = stmt.query_map(rusqlite::params![search, filter.account, filter.batch, filter.since_ms], |r| {
            let path: String = r.get(0)?;
            let json: String = r.get(1)?;
            let sidecar = serde_json::from_str(&json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
            Ok(LibraryEntry { path, sidecar })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
