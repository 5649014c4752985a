//! What the app learned about how an account's service reads a multipart
//! create (docs/ARCHITECTURE.md, "Compatibility with Loova's own clients").

use super::{bad_value, Db, StoreError};
use crate::dialect::{Dialect, ModeField};
use rusqlite::{params, OptionalExtension};

fn dialect(column: usize, what: &str, raw: Option<String>) -> rusqlite::Result<Option<Dialect>> {
    raw.map(|s| Dialect::parse(&s).ok_or_else(|| bad_value(column, what, &s))).transpose()
}

impl Db {
    /// The dialect the account's service last accepted (or was moved on to);
    /// `None` before its first multipart create.
    pub fn account_dialect(&self, account_id: &str) -> Result<Option<Dialect>, StoreError> {
        let raw: Option<Option<String>> =
            self.conn().query_row("SELECT multipart_dialect FROM accounts WHERE id = ?1", params![account_id], |r| r.get(0)).optional()?;
        Ok(dialect(0, "accounts.multipart_dialect", raw.flatten())?)
    }

    /// Sets the account's dialect only if it is still `from` (another job may
    /// have moved it meanwhile). True when it changed.
    pub fn move_account_dialect(&self, account_id: &str, from: Option<Dialect>, to: Dialect) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE accounts SET multipart_dialect = ?3 WHERE id = ?1 AND multipart_dialect IS ?2",
            params![account_id, from.map(Dialect::as_str), to.as_str()],
        )?;
        Ok(n == 1)
    }

    /// The name of the mode the account's service reads in a JSON create;
    /// `None` while not known (both names are sent).
    pub fn account_json_mode(&self, account_id: &str) -> Result<Option<ModeField>, StoreError> {
        let raw: Option<Option<String>> =
            self.conn().query_row("SELECT json_mode_field FROM accounts WHERE id = ?1", params![account_id], |r| r.get(0)).optional()?;
        Ok(raw.flatten().map(|s| ModeField::parse(&s).ok_or_else(|| bad_value(0, "accounts.json_mode_field", &s))).transpose()?)
    }

    /// Sets it only if it is still `from` (another job may have moved it
    /// meanwhile). True when it changed.
    pub fn move_account_json_mode(&self, account_id: &str, from: Option<ModeField>, to: Option<ModeField>) -> Result<bool, StoreError> {
        let n = self.conn().execute(
            "UPDATE accounts SET json_mode_field = ?3 WHERE id = ?1 AND json_mode_field IS ?2",
            params![account_id, from.map(ModeField::as_str), to.map(ModeField::as_str)],
        )?;
        Ok(n == 1)
    }

    /// The dialect a job was sent in (`None`: JSON, or not sent) and its
    /// settings note.
    pub fn job_compat(&self, id: i64) -> Result<(Option<Dialect>, Option<String>), StoreError> {
        let row: Option<(Option<String>, Option<String>)> =
            self.conn().query_row("SELECT dialect, settings_note FROM jobs WHERE id = ?1", params![id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        let Some((raw, note)) = row else {
            return Ok((None, None));
        };
        Ok((dialect(0, "jobs.dialect", raw)?, note))
    }

    /// Notes once that the service ran the job with other settings than were
    /// sent. True when this call wrote the note.
    pub fn note_settings_mismatch(&self, id: i64, note: &str) -> Result<bool, StoreError> {
        let n = self.conn().execute("UPDATE jobs SET settings_note = ?2 WHERE id = ?1 AND settings_note IS NULL", params![id, note])?;
        Ok(n == 1)
    }
}

#[cfg(test)]
mod tests {
    use crate::dialect::Dialect;
    use crate::store::{Db, NewAccount};

    #[test]
    fn dialect_moves_only_from_what_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.insert_account(&NewAccount { id: "a1", name: "A", base_url: "http://x/api", key_hint: "…1234", sandbox: false, verified: true }).unwrap();
        assert_eq!(db.account_dialect("a1").unwrap(), None);
        assert!(db.move_account_dialect("a1", None, Dialect::Params).unwrap());
        assert!(!db.move_account_dialect("a1", None, Dialect::Camel).unwrap(), "someone moved it first");
        assert_eq!(db.account_dialect("a1").unwrap(), Some(Dialect::Params));
        assert!(db.move_account_dialect("a1", Some(Dialect::Params), Dialect::Flat).unwrap());
        assert_eq!(db.account_dialect("a1").unwrap(), Some(Dialect::Flat));
        assert_eq!(db.account_dialect("nobody").unwrap(), None);
        assert_eq!(db.job_compat(42).unwrap(), (None, None));
    }

    #[test]
    fn the_json_mode_name_moves_only_from_what_it_was() {
        use crate::dialect::ModeField;
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.insert_account(&NewAccount { id: "a1", name: "A", base_url: "http://x/api", key_hint: "…1234", sandbox: false, verified: true }).unwrap();
        assert_eq!(db.account_json_mode("a1").unwrap(), None);
        assert!(db.move_account_json_mode("a1", None, Some(ModeField::Camel)).unwrap());
        assert!(!db.move_account_json_mode("a1", None, Some(ModeField::Snake)).unwrap(), "someone moved it first");
        assert_eq!(db.account_json_mode("a1").unwrap(), Some(ModeField::Camel));
        assert!(db.move_account_json_mode("a1", Some(ModeField::Camel), None).unwrap());
        assert_eq!(db.account_json_mode("a1").unwrap(), None);
    }
}
