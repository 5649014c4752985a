//! Each migration is embedded SQL applied in one IMMEDIATE transaction
//! together with the `user_version` bump, so a crash leaves either the old or
//! the new schema, never half of one.

use super::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    // 1: accounts and their balances.
    "CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL,
        key_hint TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'sandbox')),
        state TEXT NOT NULL DEFAULT 'active',
        verified INTEGER NOT NULL DEFAULT 0,
        concurrency_limit INTEGER,
        api_available_credits INTEGER,
        api_total_credits INTEGER,
        api_credits_read_at INTEGER,
        balance_error TEXT,
        balance_error_code TEXT,
        balance_error_at INTEGER,
        app_credits INTEGER,
        app_credits_as_of INTEGER,
        app_credits_source TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX accounts_name ON accounts (name COLLATE NOCASE);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 2: the job queue. One row per job from the moment it is queued; the
    // engine changes `state` together with the fields that go with it in one
    // statement (one transaction), so a crash never leaves half a transition.
    "CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        batch_id TEXT,
        name TEXT,
        spec TEXT NOT NULL,
        model TEXT NOT NULL,
        duration INTEGER NOT NULL,
        position INTEGER NOT NULL,
        estimate_credits INTEGER,
        price_list_date TEXT,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'submitting', 'running', 'outcome_unknown',
            'succeeded', 'downloading', 'downloaded', 'failed', 'invalid', 'canceled', 'expired')),
        task_id TEXT,
        raw_status TEXT,
        credits_cost INTEGER,
        created_at INTEGER NOT NULL,
        submitted_at INTEGER,
        started_at INTEGER,
        finished_at INTEGER,
        updated_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error TEXT,
        last_error_code TEXT,
        trace_id TEXT,
        video_url TEXT,
        video_path TEXT,
        bytes_done INTEGER,
        bytes_total INTEGER,
        expected_secs REAL
    );
    CREATE INDEX jobs_account_state ON jobs (account_id, state, position);
    CREATE INDEX jobs_state ON jobs (state);",
    // 3: batches. A batch keeps its name and source file; its jobs carry its
    // id in `jobs.batch_id` (there since 2) and keep the file's row order.
    "CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source_file TEXT NOT NULL,
        account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX jobs_batch ON jobs (batch_id);",
    // 4: the account's state and App Credits source may only hold the values
    // the code knows (a CHECK), and `key_version` is bumped by every key
    // change so a running engine in any process drops its cached key.
    // SQLite cannot add a CHECK to a column, so the table is rebuilt (the
    // documented 12-step way; foreign keys are off while migrations run).
    "CREATE TABLE accounts_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        base_url TEXT NOT NULL,
        key_hint TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'sandbox')),
        state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'needs_credits', 'key_rejected')),
        verified INTEGER NOT NULL DEFAULT 0,
        concurrency_limit INTEGER,
        api_available_credits INTEGER,
        api_total_credits INTEGER,
        api_credits_read_at INTEGER,
        balance_error TEXT,
        balance_error_code TEXT,
        balance_error_at INTEGER,
        app_credits INTEGER,
        app_credits_as_of INTEGER,
        app_credits_source TEXT CHECK (app_credits_source IN ('manual', 'service')),
        created_at INTEGER NOT NULL,
        key_version INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO accounts_new (id, name, base_url, key_hint, kind, state, verified, concurrency_limit,
        api_available_credits, api_total_credits, api_credits_read_at, balance_error, balance_error_code,
        balance_error_at, app_credits, app_credits_as_of, app_credits_source, created_at)
    SELECT id, name, base_url, key_hint, kind, state, verified, concurrency_limit,
        api_available_credits, api_total_credits, api_credits_read_at, balance_error, balance_error_code,
        balance_error_at, app_credits, app_credits_as_of, app_credits_source, created_at FROM accounts;
    DROP TABLE accounts;
    ALTER TABLE accounts_new RENAME TO accounts;
    CREATE UNIQUE INDEX accounts_name ON accounts (name COLLATE NOCASE);",
    // 5: compatibility with Loova's own clients. Per account, the multipart
    // dialect the service accepted (NULL: no multipart create yet); per job,
    // the dialect it was sent in and a note when the service ran it with
    // other settings than were sent (docs/ARCHITECTURE.md).
    "ALTER TABLE accounts ADD COLUMN multipart_dialect TEXT CHECK (multipart_dialect IN ('flat', 'camel', 'params'));
    ALTER TABLE jobs ADD COLUMN dialect TEXT CHECK (dialect IN ('flat', 'camel', 'params'));
    ALTER TABLE jobs ADD COLUMN settings_note TEXT;",
    // 6: the library, one row per saved video (its sidecar and what filters
    // need), searched by prompt and name through FTS5 over the same rows
    // (external content, kept in step by triggers).
    "CREATE TABLE library (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        task_id TEXT,
        name TEXT NOT NULL,
        prompt TEXT NOT NULL,
        account TEXT NOT NULL,
        batch TEXT,
        model TEXT NOT NULL,
        credits_cost INTEGER,
        downloaded_at INTEGER NOT NULL,
        sidecar TEXT NOT NULL
    );
    CREATE INDEX library_downloaded ON library (downloaded_at);
    CREATE VIRTUAL TABLE library_fts USING fts5 (prompt, name, content = 'library', content_rowid = 'id');
    CREATE TRIGGER library_ai AFTER INSERT ON library BEGIN
        INSERT INTO library_fts (rowid, prompt, name) VALUES (new.id, new.prompt, new.name);
    END;
    CREATE TRIGGER library_ad AFTER DELETE ON library BEGIN
        INSERT INTO library_fts (library_fts, rowid, prompt, name) VALUES ('delete', old.id, old.prompt, old.name);
    END;
    CREATE TRIGGER library_au AFTER UPDATE ON library BEGIN
        INSERT INTO library_fts (library_fts, rowid, prompt, name) VALUES ('delete', old.id, old.prompt, old.name);
        INSERT INTO library_fts (rowid, prompt, name) VALUES (new.id, new.prompt, new.name);
    END;",
    // 7: spending. One charge per task Loova reported a credits_cost for (a
    // retried job is a second task, a second charge)
    // (kept when the job or account is deleted: it is history, so it copies
    // the account's name and carries no foreign keys), every balance read,
    // per-account budgets and alert thresholds, and which alerts were
    // already sent in which period (so each is sent once).
    "CREATE TABLE charges (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL,
        account_id TEXT NOT NULL,
        account_name TEXT NOT NULL,
        batch_id TEXT,
        task_id TEXT NOT NULL,
        model TEXT NOT NULL,
        seconds INTEGER NOT NULL,
        video_reference INTEGER NOT NULL,
        estimate_credits INTEGER,
        price_list_date TEXT,
        first_credits INTEGER NOT NULL,
        final_credits INTEGER NOT NULL,
        charged_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        failed_at INTEGER,
        refund TEXT CHECK (refund IN ('refunded', 'not_known')),
        UNIQUE (job_id, task_id)
    );
    CREATE INDEX charges_account_time ON charges (account_id, charged_at);
    CREATE INDEX charges_time ON charges (charged_at);
    CREATE TABLE balance_reads (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        read_at INTEGER NOT NULL,
        api_available INTEGER,
        api_total INTEGER,
        app_credits INTEGER,
        app_source TEXT CHECK (app_source IN ('manual', 'service'))
    );
    CREATE INDEX balance_reads_account_time ON balance_reads (account_id, read_at);
    CREATE TABLE budgets (
        account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        daily_credits INTEGER CHECK (daily_credits >= 0),
        monthly_credits INTEGER CHECK (monthly_credits >= 0),
        below_credits INTEGER CHECK (below_credits >= 0)
    );
    CREATE TABLE alerts_sent (
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('daily_80', 'daily_100', 'monthly_80', 'monthly_100', 'low_balance')),
        period TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, kind, period)
    );",
    // 8: the library's videos on disk. Their size when saved (a video moved
    // outside the app is recognised by it when the person locates it), and
    // when one was deleted to the trash from the app: the row stays, so the
    // job's history can say "deleted from disk".
    "ALTER TABLE library ADD COLUMN bytes INTEGER;
    ALTER TABLE library ADD COLUMN deleted_at INTEGER;",
    // 9: big queues cost what short ones do. `job_counts` holds
    // the jobs and credits per account × batch ('' for none) × state, kept
    // exact by triggers in the same transaction as every job change, so the
    // Queue's counts and a batch's progress are a few rows whatever the
    // queue holds (a GROUP BY over 100,000 jobs took tens of ms). The
    // indexes serve the "latest finished" list and the next backoff end
    // without a sort or a table walk (see store/jobs/queries.rs).
    "CREATE TABLE job_counts (
        account_id TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        state TEXT NOT NULL,
        jobs INTEGER NOT NULL,
        credits_charged INTEGER NOT NULL,
        credits_estimated INTEGER NOT NULL,
        PRIMARY KEY (account_id, batch_id, state)
    ) WITHOUT ROWID;
    CREATE INDEX job_counts_batch ON job_counts (batch_id);
    INSERT INTO job_counts SELECT account_id, COALESCE(batch_id, ''), state, COUNT(*), COALESCE(SUM(credits_cost), 0),
        COALESCE(SUM(estimate_credits), 0) FROM jobs GROUP BY account_id, COALESCE(batch_id, ''), state;
    CREATE TRIGGER job_counts_ai AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES (new.account_id, COALESCE(new.batch_id, ''), new.state, 1, COALESCE(new.credits_cost, 0),
            COALESCE(new.estimate_credits, 0))
        ON CONFLICT (account_id, batch_id, state) DO UPDATE SET jobs = jobs + 1, credits_charged = credits_charged + excluded.credits_charged,
            credits_estimated = credits_estimated + excluded.credits_estimated;
    END;
    CREATE TRIGGER job_counts_ad AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET jobs = jobs - 1, credits_charged = credits_charged - COALESCE(old.credits_cost, 0),
            credits_estimated = credits_estimated - COALESCE(old.estimate_credits, 0)
        WHERE account_id = old.account_id AND batch_id = COALESCE(old.batch_id, '') AND state = old.state;
        DELETE FROM job_counts WHERE account_id = old.account_id AND batch_id = COALESCE(old.batch_id, '') AND state = old.state AND jobs = 0;
    END;
    CREATE TRIGGER job_counts_au AFTER UPDATE OF account_id, batch_id, state, credits_cost, estimate_credits ON jobs
    WHEN old.account_id IS NOT new.account_id OR old.batch_id IS NOT new.batch_id OR old.state IS NOT new.state
        OR old.credits_cost IS NOT new.credits_cost OR old.estimate_credits IS NOT new.estimate_credits
    BEGIN
        UPDATE job_counts SET jobs = jobs - 1, credits_charged = credits_charged - COALESCE(old.credits_cost, 0),
            credits_estimated = credits_estimated - COALESCE(old.estimate_credits, 0)
        WHERE account_id = old.account_id AND batch_id = COALESCE(old.batch_id, '') AND state = old.state;
        DELETE FROM job_counts WHERE account_id = old.account_id AND batch_id = COALESCE(old.batch_id, '') AND state = old.state AND jobs = 0;
        INSERT INTO job_counts VALUES (new.account_id, COALESCE(new.batch_id, ''), new.state, 1, COALESCE(new.credits_cost, 0),
            COALESCE(new.estimate_credits, 0))
        ON CONFLICT (account_id, batch_id, state) DO UPDATE SET jobs = jobs + 1, credits_charged = credits_charged + excluded.credits_charged,
            credits_estimated = credits_estimated + excluded.credits_estimated;
    END;
    CREATE INDEX jobs_account_finished ON jobs (account_id, state, COALESCE(finished_at, updated_at));
    CREATE INDEX jobs_account_backoff ON jobs (account_id, state, next_attempt_at);",
    // 10: run times the engine learns from (runtime_model): per
    // finished task, the interval its run time lies in (after the last
    // "running" status, at or before the "done" one) and the prior the
    // engine expected then, so the learned ratio is free of the clock scale.
    "CREATE TABLE run_times (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        duration INTEGER NOT NULL,
        video_reference INTEGER NOT NULL,
        prior_secs REAL NOT NULL,
        lo_secs REAL NOT NULL,
        hi_secs REAL NOT NULL,
        observed_at INTEGER NOT NULL
    );
    CREATE INDEX run_times_account ON run_times (account_id, id);",
    // 11: studio links. An account that shares its slots with other
    // computers through PostgreSQL (several computers of one Loova user
    // must not exceed its 6 tasks together): the URL without its password (that
    // is in the keychain), the studio account and this computer's name in it.
    "CREATE TABLE studio_links (
        account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        studio_account TEXT NOT NULL,
        computer TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL
    );",
    // 12: the spelling of the mode a JSON create is read with, per account
    // (NULL: not known yet, both spellings are sent; docs/ARCHITECTURE.md,
    // "Compatibility with Loova's own clients").
    "ALTER TABLE accounts ADD COLUMN json_mode_field TEXT CHECK (json_mode_field IN ('function_mode', 'functionMode'));",
    // 13: a job made by retrying a failed one links to it (`loova batch
    // retry`): the failed job stays as it was, with its error and charge,
    // and is never retried twice.
    "ALTER TABLE jobs ADD COLUMN retry_of INTEGER REFERENCES jobs (id);
     CREATE INDEX jobs_retry_of ON jobs (retry_of) WHERE retry_of IS NOT NULL;",
    // 14: overflow. An account may send its waiting jobs to another when it
    // runs out of API credits or over its budget (`accounts.overflow_to`,
    // off when NULL); a moved job says where from and why, under the name
    // the account had then. A job sent again after an unknown outcome is
    // marked: it may exist on its first account, so it never moves.
    "ALTER TABLE accounts ADD COLUMN overflow_to TEXT REFERENCES accounts (id) ON DELETE SET NULL;
     ALTER TABLE jobs ADD COLUMN moved_from TEXT;
     ALTER TABLE jobs ADD COLUMN moved_from_name TEXT;
     ALTER TABLE jobs ADD COLUMN moved_why TEXT CHECK (moved_why IN ('out_of_credits', 'over_budget'));
     ALTER TABLE jobs ADD COLUMN resent_after_unknown INTEGER NOT NULL DEFAULT 0;",
    // 15: remote notices (store/remote_notices.rs): where they go (no
    // secret: URLs and tokens are in the keychain), what waits to be
    // delivered (survives a restart, retried) and which batches were
    // summarised (one summary per batch, never sent twice).
    "CREATE TABLE notice_targets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('ntfy', 'webhook', 'discord', 'slack')),
        host TEXT NOT NULL,
        kinds TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_at INTEGER,
        last_ok INTEGER,
        last_error TEXT
    );
    CREATE TABLE notice_outbox (
        id INTEGER PRIMARY KEY,
        target_id TEXT NOT NULL REFERENCES notice_targets (id) ON DELETE CASCADE,
        message TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX notice_outbox_due ON notice_outbox (target_id, next_at);
    CREATE TABLE notice_batches (batch_id TEXT PRIMARY KEY, jobs INTEGER NOT NULL, at INTEGER NOT NULL);",
    // 16: the Queue's filter (store/jobs/queries.rs). What a row shows as
    // text (name, prompt, task id, saved file) in `job_text`, kept by
    // triggers that fire only when one of those columns changes, and its
    // trigram index (FTS5, external content) so "fox" finds its jobs among
    // 100,000 without reading every spec.
    "CREATE TABLE job_text (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
     CREATE VIRTUAL TABLE job_text_index USING fts5(text, content = 'job_text', content_rowid = 'id', tokenize = 'trigram');
     CREATE TRIGGER job_text_index_insert AFTER INSERT ON job_text BEGIN
       INSERT INTO job_text_index (rowid, text) VALUES (new.id, new.text);
     END;
     CREATE TRIGGER job_text_index_delete AFTER DELETE ON job_text BEGIN
       INSERT INTO job_text_index (job_text_index, rowid, text) VALUES ('delete', old.id, old.text);
     END;
     CREATE TRIGGER job_text_index_update AFTER UPDATE ON job_text BEGIN
       INSERT INTO job_text_index (job_text_index, rowid, text) VALUES ('delete', old.id, old.text);
       INSERT INTO job_text_index (rowid, text) VALUES (new.id, new.text);
     END;
     INSERT INTO job_text (id, text) SELECT id, concat_ws(' ', name, json_extract(spec, '$.prompt'), task_id, video_path) FROM jobs;
     CREATE TRIGGER job_text_insert AFTER INSERT ON jobs BEGIN
       INSERT INTO job_text (id, text) VALUES (new.id, concat_ws(' ', new.name, json_extract(new.spec, '$.prompt'), new.task_id, new.video_path));
     END;
     CREATE TRIGGER job_text_update AFTER UPDATE OF name, spec, task_id, video_path ON jobs BEGIN
       UPDATE job_text SET text = concat_ws(' ', new.name, json_extract(new.spec, '$.prompt'), new.task_id, new.video_path) WHERE id = new.id;
     END;
     CREATE TRIGGER job_text_delete AFTER DELETE ON jobs BEGIN
       DELETE FROM job_text WHERE id = old.id;
     END;",
];

pub fn check_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(StoreError::NewerVersion { path: path.display().to_string(), found, known });
    }
    Ok(found)
}

pub fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found = check_version(conn, path)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        // Foreign keys are off while migrating (a rebuilt table would
        // otherwise cascade its deletes): check them before committing.
        let dangling: i64 = tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if dangling > 0 {
            return Err(StoreError::Open { path: path.display().to_string(), reason: format!("migration {} left {dangling} broken references", i + 1) });
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "migrations_tests.rs"]
mod tests;
