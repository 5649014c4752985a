//! The migrations' own tests: a new database, a CHECK the schema enforces,
//! rows kept across a migration, and a newer database refused untouched.

use crate::store::{Db, StoreError, DB_FILE};

#[test]
fn migrates_a_new_database_and_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    drop(Db::open_in(dir.path()).unwrap());
    let db = Db::open_in(dir.path()).unwrap();
    let mode: String = db.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn an_unknown_account_state_is_refused_by_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_in(dir.path()).unwrap();
    let a = crate::store::NewAccount { id: "a1", name: "A", base_url: "http://x/api", key_hint: "1234", sandbox: false, verified: true };
    db.insert_account(&a).unwrap();
    let set = |state: &str| db.conn().execute("UPDATE accounts SET state = ?1 WHERE id = 'a1'", [state]);
    let err = set("activ").expect_err("a CHECK constraint refuses it");
    assert!(err.to_string().contains("CHECK"), "{err}");
    for s in crate::store::AccountStatus::ALL {
        set(s.as_str()).unwrap();
        assert_eq!(db.account("a1").unwrap().unwrap().state, s);
    }
    let err = db.conn().execute("UPDATE accounts SET app_credits_source = 'guess' WHERE id = 'a1'", []).expect_err("refused");
    assert!(err.to_string().contains("CHECK"), "{err}");
}

#[test]
fn version_3_accounts_and_jobs_survive_migration_4() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        for (i, sql) in super::MIGRATIONS.iter().take(3).enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO accounts (id, name, base_url, key_hint, state, created_at) VALUES ('a1', 'A', 'u', '1234', 'paused', 1)", []).unwrap();
        tx.execute(
            "INSERT INTO jobs (account_id, spec, model, duration, position, created_at, updated_at) VALUES ('a1', '{}', 'seedance_2_0', 5, 1, 1, 1)",
            [],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let db = Db::open_in(dir.path()).unwrap();
    let a = db.account("a1").unwrap().unwrap();
    assert_eq!((a.state, a.key_version), (crate::store::AccountStatus::Paused, 0));
    assert_eq!(db.jobs(&Default::default()).unwrap().len(), 1, "no job was deleted with the old table");
    // Foreign keys are on again after migrating: deleting the account removes its jobs.
    assert!(db.delete_account("a1").unwrap());
    assert!(db.jobs(&Default::default()).unwrap().is_empty());
}

#[test]
fn refuses_a_database_from_a_newer_version_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    drop(Db::open_in(dir.path()).unwrap());
    let path = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Db::open_in(dir.path()).err().expect("refused");
    assert!(matches!(err, StoreError::NewerVersion { found: 99, .. }));
    assert!(err.to_string().contains("newer Loova Desk"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn jobs_queued_before_migration_16_are_found_by_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (i, sql) in super::MIGRATIONS.iter().take(15).enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", i as i64 + 1).unwrap();
        }
        conn.execute("INSERT INTO accounts (id, name, base_url, key_hint, state, created_at) VALUES ('a1', 'A', 'u', '1234', 'active', 1)", []).unwrap();
        conn.execute(
            "INSERT INTO jobs (account_id, spec, model, duration, position, created_at, updated_at, task_id)
             VALUES ('a1', '{\"prompt\": \"A red fox in the snow\"}', 'seedance_2_0', 5, 1, 1, 1, 'task-77')",
            [],
        )
        .unwrap();
    }
    let db = Db::open_in(dir.path()).unwrap();
    let found = |text: &str| db.jobs(&crate::store::JobFilter { text: Some(text.into()), ..Default::default() }).unwrap().len();
    assert_eq!((found("RED FOX"), found("task-77"), found("whale")), (1, 1, 0));
}
