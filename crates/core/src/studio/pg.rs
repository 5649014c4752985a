//! The PostgreSQL side: a small pool over verified TLS (or plain TCP to this
//! computer, or where chosen; see `tls.rs`, `connect.rs`), SCRAM only, every
//! call bounded in time, and the
//! studio schema created and migrated by the app like the SQLite one —
//! embedded migrations in one transaction each, and a refusal to use a
//! schema written by a newer Loova Desk.

use super::url::{StudioUrl, CONNECT_TIMEOUT};
use super::StudioError;
use crate::secret::Sensitive;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::future::Future;
use std::time::Duration;

/// A bound on every database call: a network split must not hang the queue.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(8);

/// A connection pool to one studio database, and how to name it in messages.
#[derive(Clone)]
pub struct StudioDb {
    pub(crate) pool: Pool,
    pub(crate) display: String,
    secret: Option<Sensitive>,
}

const MIGRATIONS: &[&str] = &[
    // 1: studio accounts (one per Loova user), the computers that share its
    // slots, the leases (one per create in flight or task running) and the
    // computers waiting for a slot. Times are the database's (`now()`).
    "CREATE TABLE loova_studio_accounts (
        name text PRIMARY KEY,
        lease_limit integer CHECK (lease_limit > 0),
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE loova_computers (
        studio_account text NOT NULL REFERENCES loova_studio_accounts (name) ON DELETE CASCADE,
        name text NOT NULL,
        last_seen timestamptz NOT NULL DEFAULT now(),
        queued integer NOT NULL DEFAULT 0,
        PRIMARY KEY (studio_account, name)
    );
    CREATE TABLE loova_leases (
        id bigserial PRIMARY KEY,
        studio_account text NOT NULL,
        computer text NOT NULL,
        job_id bigint NOT NULL,
        task_id text,
        hold_ms bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        unknown_since timestamptz,
        UNIQUE (studio_account, computer, job_id),
        FOREIGN KEY (studio_account, computer) REFERENCES loova_computers ON DELETE CASCADE
    );
    CREATE TABLE loova_waiters (
        studio_account text NOT NULL,
        computer text NOT NULL,
        waiting_since timestamptz NOT NULL DEFAULT now(),
        want integer NOT NULL CHECK (want > 0),
        PRIMARY KEY (studio_account, computer),
        FOREIGN KEY (studio_account, computer) REFERENCES loova_computers ON DELETE CASCADE
    );",
    // 2: slots already handed to a waiting computer by another's turn
    // (`owed`), kept free for it until it comes for them: without this, the
    // computer whose tasks end keeps taking the slot the round-robin gave
    // the other one before that one's next look (found by the studio
    // fairness test in CI).
    "ALTER TABLE loova_waiters ADD COLUMN owed integer NOT NULL DEFAULT 0 CHECK (owed >= 0);",
];

/// Serialises migrations of concurrent first connections (any constant
/// the studio's database does not use for something else).
const MIGRATION_LOCK: i64 = 0x100a_5d15_0016;

impl StudioDb {
    /// A pool; connects lazily (the first call says whether it answers).
    pub fn open(url: &StudioUrl, password: Option<&Sensitive>) -> Result<StudioDb, StudioError> {
        let config = url.pg_config(password);
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Verified };
        let manager = Manager::from_connect(config, url.connector()?, manager_config);
        let pool = Pool::builder(manager)
            .max_size(4)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CALL_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT + Duration::from_secs(1)))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StudioError::Failed(e.to_string()))?;
        Ok(StudioDb { pool, display: url.display.clone(), secret: password.cloned().or(url.password.clone()) })
    }

    /// Runs `f` on a pooled connection within [`CALL_TIMEOUT`]; any failure
    /// becomes "unreachable" with a redacted reason.
    pub(crate) async fn call<T, F, Fut>(&self, f: F) -> Result<T, StudioError>
    where
        F: FnOnce(deadpool_postgres::Object) -> Fut,
        Fut: Future<Output = Result<T, StudioError>>,
    {
        let work = async {
            let conn = self.pool.get().await.map_err(|e| self.connect_failed(&e))?;
            f(conn).await
        };
        match tokio::time::timeout(CALL_TIMEOUT, work).await {
            Ok(r) => r.map_err(|e| match e {
                StudioError::Query(why) => self.unreachable(&why),
                other => other,
            }),
            Err(_) => Err(self.unreachable(&format!("no answer within {} s", CALL_TIMEOUT.as_secs()))),
        }
    }

    /// A connection that could not be opened: refused by Loova Desk before
    /// the password left (a readable password request, no TLS, a
    /// certificate that does not verify), or unreachable.
    fn connect_failed(&self, e: &(dyn std::error::Error + 'static)) -> StudioError {
        let why = reason(e);
        let refused = super::connect::refusal_in(e).or_else(|| tls_refusal(&why));
        match refused {
            Some(why) => StudioError::Refused { url: self.display.clone(), why: super::url::redact(&why, self.secret.as_ref()) },
            None => self.unreachable(&why),
        }
    }

    pub(crate) fn unreachable(&self, why: &str) -> StudioError {
        StudioError::Unreachable { url: self.display.clone(), why: super::url::redact(why, self.secret.as_ref()) }
    }

    /// Creates or migrates the schema; refuses one newer than this app knows.
    pub async fn migrate(&self) -> Result<i32, StudioError> {
        self.call(|mut conn| async move {
            let tx = conn.transaction().await.map_err(q)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(q)?;
            // Checked before any DDL: a schema already current needs no
            // write, so day to day a role without CREATE can be used.
            let exists: bool = tx.query_one("SELECT to_regclass('loova_schema') IS NOT NULL", &[]).await.map_err(q)?.get(0);
            if !exists {
                tx.batch_execute("CREATE TABLE loova_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)").await.map_err(q)?;
            }
            let found: i32 = tx.query_opt("SELECT version FROM loova_schema WHERE id = 1", &[]).await.map_err(q)?.map_or(0, |r| r.get(0));
            let known = MIGRATIONS.len() as i32;
            if found > known {
                // Rolled back: nothing of the newer schema is touched.
                return Err(StudioError::SchemaTooNew { found, known });
            }
            if found == known {
                tx.commit().await.map_err(q)?;
                return Ok(known);
            }
            for sql in MIGRATIONS.iter().skip(found as usize) {
                tx.batch_execute(sql).await.map_err(q)?;
            }
            tx.execute("INSERT INTO loova_schema (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = $1", &[&known]).await.map_err(q)?;
            tx.commit().await.map_err(q)?;
            Ok(known)
        })
        .await
    }
}

/// A database error inside a call (turned into "unreachable" by `call`).
pub(crate) fn q(e: tokio_postgres::Error) -> StudioError {
    // `Error`'s Display is terse ("db error"); the source says what happened.
    let why = match std::error::Error::source(&e) {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    };
    StudioError::Query(why)
}

/// An error and its causes, "a: b: c" (the driver's and the pool's own
/// sentences leave the cause out).
fn reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

/// What the TLS layer refused, said with the fix.
fn tls_refusal(why: &str) -> Option<String> {
    if why.contains("server does not support TLS") {
        return Some(
            "it offers no TLS, which this URL requires, so the connection stopped there. Turn TLS on in the server (ssl = on), \
             or, only on a network you trust, choose no TLS explicitly (--insecure-no-tls, or the form's \"without TLS\" box)"
                .to_string(),
        );
    }
    if why.contains("invalid peer certificate") {
        return Some(format!(
            "its TLS certificate could not be verified ({}). A managed database's certificate is verified against Mozilla's roots; \
             for a self-hosted server give its certificate authority's PEM file: sslrootcert=/full/path/ca.pem in the URL \
             (or --ssl-root-cert, or the form's field), and sslmode=verify-ca if the certificate names another host",
            why.rsplit(": ").next().unwrap_or(why)
        ));
    }
    if why.contains("did not use channel binding") {
        return Some(
            "over TLS it did not offer SCRAM-SHA-256 with channel binding, the only login Loova Desk accepts there. \
             Use PostgreSQL 11 or newer with password_encryption = scram-sha-256 and scram-sha-256 in pg_hba.conf"
                .to_string(),
        );
    }
    None
}

/// The schema version this app writes (for tests and `status`).
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;
