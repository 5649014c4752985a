//! The studio password against a hostile network path: a real PostgreSQL
//! with TLS (its certificate signed by a certificate authority made here),
//! and fake servers on loopback that refuse TLS or ask for the password in
//! clear text or as MD5, recording every byte they get. Needs PostgreSQL
//! (run by scripts/test); no keychain: the password is in the URL given to
//! `StudioDb::open`, as `studio::connect` hands it over.

use loova_core::studio::{StudioDb, StudioError, StudioUrl, TlsChoice};
use loova_core::ErrorCode;
use loova_testkit::{start_postgres, PG_PASSWORD, PG_USER};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A certificate authority of the test's own.
struct Ca(CertifiedIssuer<'static, KeyPair>);

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        Ca(CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap())
    }

    /// A server certificate for `names` (host names or IP addresses): (cert PEM, key PEM).
    fn server(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        let cert = params.signed_by(&key, &self.0).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.0.as_ref().pem()).unwrap();
        path
    }
}

fn url(host: &str, port: u16, query: &str) -> String {
    format!("postgres://{PG_USER}:{PG_PASSWORD}@{host}:{port}/postgres{query}")
}

/// Opens a pool as `studio::connect` does and runs the first call (the migration).
async fn connect(url: &str, choice: &TlsChoice) -> Result<i32, StudioError> {
    let parsed = StudioUrl::parse_with(url, choice)?;
    StudioDb::open(&parsed, None)?.migrate().await
}

fn root(path: &Path) -> TlsChoice {
    TlsChoice { root_cert: Some(path.to_path_buf()), insecure_no_tls: false }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run by scripts/test"]
async fn verified_tls_connects_and_a_certificate_of_another_authority_is_refused() {
    let Some(pg) = start_postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("Loova studio test CA");
    let (cert, key) = ca.server(&["localhost", "127.0.0.1"]);
    pg.enable_tls(&cert, &key, "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject");
    let ca_file = ca.write(dir.path(), "ca.pem");

    // The right authority: connected, over TLS (the server logs it).
    for (host, query) in [("localhost", "?sslmode=verify-full"), ("127.0.0.1", "?sslmode=require"), ("127.0.0.1", "?sslmode=verify-ca")] {
        let found = connect(&url(host, pg.port(), query), &root(&ca_file)).await;
        assert!(found.is_ok(), "{host}{query}: {found:?}\n{}", pg.log());
    }
    let log = pg.log();
    assert!(log.contains("connection authorized: user=loova_studio") && log.contains("SSL enabled"), "{log}");

    // Another authority, or Mozilla's roots (the default): refused at the
    // handshake, before the server could ask for anything.
    let other = Ca::new("Someone else's CA").write(dir.path(), "other.pem");
    for (query, choice) in [("?sslmode=verify-full", root(&other)), ("?sslmode=require", TlsChoice::default())] {
        let e = connect(&url("localhost", pg.port(), query), &choice).await.expect_err("an unverifiable certificate");
        assert!(matches!(e, StudioError::Refused { .. }), "{e:?}");
        assert_eq!(e.code(), ErrorCode::StudioUnreachable);
        let text = e.to_string();
        assert!(text.contains("did not send the password") && text.contains("could not be verified") && text.contains("sslrootcert"), "{text}");
        assert!(!text.contains(PG_PASSWORD), "{text}");
    }

    // A certificate naming another host: verify-full refuses it, verify-ca
    // (the chain alone) accepts it.
    let (cert, key) = ca.server(&["db.internal"]);
    pg.enable_tls(&cert, &key, "hostssl all all 127.0.0.1/32 scram-sha-256");
    let e = connect(&url("127.0.0.1", pg.port(), "?sslmode=verify-full"), &root(&ca_file)).await.expect_err("another host's name");
    assert!(e.to_string().contains("could not be verified"), "{e}");
    connect(&url("127.0.0.1", pg.port(), "?sslmode=verify-ca"), &root(&ca_file)).await.expect("verify-ca checks the chain only");

    // Over TLS too, a server asking for the password in clear text gets nothing.
    pg.enable_tls(&cert, &key, "hostssl all all 127.0.0.1/32 password");
    let e = connect(&url("127.0.0.1", pg.port(), "?sslmode=verify-ca"), &root(&ca_file)).await.expect_err("cleartext over TLS");
    assert!(matches!(e, StudioError::Refused { .. }) && e.to_string().contains("clear text"), "{e:?}");
}

/// What a fake server does after reading the startup message.
#[derive(Clone, Copy, Debug)]
enum Fake {
    /// Answers an SSLRequest with 'N', then asks for a cleartext password.
    NoTlsThenCleartext,
    /// Asks for an MD5 password (with a salt).
    Md5,
}

/// What the fake server saw on its one connection.
#[derive(Default, Debug)]
struct Seen {
    tls_requests: usize,
    startups: usize,
    /// Every byte the client sent after the server's password request.
    after_request: Vec<u8>,
}

/// A fake PostgreSQL on 127.0.0.1 speaking enough of the protocol to ask for
/// a password; it records what it gets until the client hangs up.
async fn fake_server(kind: Fake) -> (u16, Arc<Mutex<Seen>>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    let task = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        loop {
            let mut len = [0u8; 4];
            if s.read_exact(&mut len).await.is_err() {
                return;
            }
            let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
            s.read_exact(&mut body).await.unwrap();
            if body[..4] == 80877103u32.to_be_bytes() {
                record.lock().unwrap().tls_requests += 1;
                s.write_all(b"N").await.unwrap();
                continue;
            }
            record.lock().unwrap().startups += 1;
            break;
        }
        let request: &[u8] = match kind {
            Fake::NoTlsThenCleartext => &[b'R', 0, 0, 0, 8, 0, 0, 0, 3],
            Fake::Md5 => &[b'R', 0, 0, 0, 12, 0, 0, 0, 5, 0x5a, 0x17, 0x0c, 0x99],
        };
        s.write_all(request).await.unwrap();
        // Everything until the client closes (bounded: a client that sends
        // nothing and keeps the connection would fail the test here).
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut rest)).await.expect("the client hangs up");
        record.lock().unwrap().after_request = rest;
    });
    (port, seen, task)
}

#[tokio::test]
#[ignore = "part of the studio suite: run by scripts/test"]
async fn a_server_asking_for_a_cleartext_or_md5_password_never_gets_it() {
    for (kind, query, expected) in
        [(Fake::NoTlsThenCleartext, "", "clear text"), (Fake::NoTlsThenCleartext, "?sslmode=disable", "clear text"), (Fake::Md5, "", "MD5")]
    {
        let (port, seen, server) = fake_server(kind).await;
        let e = connect(&url("127.0.0.1", port, query), &TlsChoice::default()).await.expect_err("refused");
        server.await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.startups, 1, "{kind:?}{query}: {seen:?}");
        assert!(seen.after_request.is_empty(), "{kind:?}{query}: the client answered the password request: {:?}", String::from_utf8_lossy(&seen.after_request));
        assert!(matches!(e, StudioError::Refused { .. }) && e.to_string().contains(expected), "{kind:?}{query}: {e:?}");
        assert!(!e.to_string().contains(PG_PASSWORD), "{e}");
    }
}

#[tokio::test]
#[ignore = "part of the studio suite: run by scripts/test"]
async fn a_server_refusing_tls_gets_no_startup_when_tls_is_required() {
    // A man in the middle answering "no TLS" to a URL that needs TLS (the
    // default for any host that is not this computer; here forced, since
    // the fake server can only be on loopback).
    for query in ["?sslmode=require", "?sslmode=verify-full"] {
        let dir = tempfile::tempdir().unwrap();
        let ca_file = Ca::new("Loova studio test CA").write(dir.path(), "ca.pem");
        let (port, seen, server) = fake_server(Fake::NoTlsThenCleartext).await;
        let e = connect(&url("127.0.0.1", port, query), &root(&ca_file)).await.expect_err("refused");
        server.await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!((seen.tls_requests, seen.startups), (1, 0), "{query}: the client went on without TLS: {seen:?}");
        assert!(e.to_string().contains("offers no TLS"), "{e}");
    }
}

/// The least-privilege role of docs/ARCHITECTURE.md: after the first
/// migration (by the owner), a role that may only use the four tables can
/// connect day to day.
#[tokio::test]
#[ignore = "needs PostgreSQL: run by scripts/test"]
async fn a_least_privilege_role_can_use_the_studio_after_the_first_migration() {
    let Some(pg) = start_postgres() else { return };
    connect(&url("127.0.0.1", pg.port(), ""), &TlsChoice::default()).await.expect("the owner creates the tables");
    let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls).await.expect("connect to the test cluster");
    tokio::spawn(conn);
    client
        .batch_execute(
            "CREATE ROLE loova_desk LOGIN PASSWORD 'day-to-day-Qw7';
             GRANT CONNECT ON DATABASE postgres TO loova_desk;
             GRANT USAGE ON SCHEMA public TO loova_desk;
             GRANT SELECT ON loova_schema TO loova_desk;
             GRANT SELECT, INSERT, UPDATE, DELETE ON loova_studio_accounts, loova_computers, loova_leases, loova_waiters TO loova_desk;
             GRANT USAGE ON SEQUENCE loova_leases_id_seq TO loova_desk;",
        )
        .await
        .unwrap();
    let limited = format!("postgres://loova_desk:day-to-day-Qw7@127.0.0.1:{}/postgres", pg.port());
    let version = connect(&limited, &TlsChoice::default()).await.expect("the schema is current: nothing to create");
    assert_eq!(version, loova_core::studio::SCHEMA_VERSION);
    let e = client.batch_execute("SET ROLE loova_desk; CREATE TABLE loova_probe (x int)").await.expect_err("no CREATE for the day-to-day role");
    assert!(format!("{e:?}").contains("permission denied"), "{e:?}");
}
