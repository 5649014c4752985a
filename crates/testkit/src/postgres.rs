//! A throwaway PostgreSQL cluster for one test: `initdb` into a temporary
//! folder, a free loopback port, a password (SCRAM) so the password path is
//! exercised, stopped and removed when dropped. PostgreSQL refuses to run
//! as root, so as root the cluster runs as `nobody` (its folder chowned).
//! [`Postgres::stop`] / [`Postgres::start`] take the same cluster down and
//! up again for "the database is down" tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The role the tests connect as, and its password.
pub const PG_USER: &str = "loova_studio";
pub const PG_PASSWORD: &str = "pg-secret-Zx81-studio-test";

pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// `Some("nobody")` when this process is root.
    run_as: Option<String>,
}

/// The folder holding `initdb` and `pg_ctl`: Debian's
/// `/usr/lib/postgresql/<version>/bin` (newest first), else `PATH`.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    versions.sort_by_key(|b| std::cmp::Reverse(b.parent().and_then(|v| v.file_name()).and_then(|n| n.to_str()).and_then(|n| n.parse::<u32>().ok())));
    if let Some(b) = versions.into_iter().next() {
        return Some(b);
    }
    std::env::var_os("PATH")?.to_str()?.split(':').map(PathBuf::from).find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

/// A cluster, or `None` (after a loud message) when no PostgreSQL is
/// installed at all: `scripts/test` installs it, so CI always has one.
pub fn start_postgres() -> Option<Postgres> {
    let Some(bin) = postgres_bin() else {
        eprintln!(
            "\n\n*** SKIPPED: no PostgreSQL found (no initdb under /usr/lib/postgresql/*/bin or on PATH). Install it (apt install postgresql) or run scripts/test, which does. ***\n\n"
        );
        return None;
    };
    Some(Postgres::init(bin))
}

impl Postgres {
    fn init(bin: PathBuf) -> Postgres {
        let dir = tempfile::Builder::new().prefix("loova-pg-").tempdir().expect("a temporary folder for PostgreSQL");
        let run_as = is_root().then(|| "nobody".to_string());
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PG_PASSWORD).expect("write the password file");
        if run_as.is_some() {
            chown_nobody(dir.path());
        }
        let data = dir.path().join("data");
        let out = run(
            &run_as,
            bin.join("initdb"),
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                PG_USER.as_ref(),
                "--pwfile".as_ref(),
                pwfile.as_os_str(),
                "--auth=scram-sha-256".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        assert!(out.status.success(), "initdb failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let _ = std::fs::remove_file(&pwfile);
        let port = crate::free_port();
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\nmax_connections = 60\n",
            dir.path().display()
        );
        let mut existing = std::fs::read_to_string(data.join("postgresql.conf")).expect("read postgresql.conf");
        existing.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), existing).expect("write postgresql.conf");
        let pg = Postgres { dir, bin, port, run_as };
        pg.start();
        pg
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://loova_studio:PASSWORD@127.0.0.1:PORT/postgres?sslmode=disable`
    pub fn url(&self) -> String {
        format!("postgres://{PG_USER}:{PG_PASSWORD}@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }

    /// The URL without its password (as stored and shown).
    pub fn url_without_password(&self) -> String {
        format!("postgres://{PG_USER}@127.0.0.1:{}/postgres", self.port)
    }

    /// Turns TLS on with this certificate (PEM, chain first) and key, logs
    /// each connection (whether it used TLS), and replaces the client
    /// authentication rules with `hba` (pg_hba.conf lines); then restarts.
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str, hba: &str) {
        let data = self.data_dir();
        std::fs::write(data.join("server.crt"), cert_pem).expect("write server.crt");
        std::fs::write(data.join("server.key"), key_pem).expect("write server.key");
        std::fs::write(data.join("pg_hba.conf"), format!("local all all scram-sha-256\n{hba}\n")).expect("write pg_hba.conf");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // PostgreSQL refuses a key others can read.
            std::fs::set_permissions(data.join("server.key"), std::fs::Permissions::from_mode(0o600)).expect("chmod server.key");
        }
        if self.run_as.is_some() {
            chown_nobody(&data);
        }
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("read postgresql.conf");
        conf.push_str("\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nlog_connections = on\n");
        std::fs::write(data.join("postgresql.conf"), conf).expect("write postgresql.conf");
        self.stop();
        self.start();
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts the cluster and waits until it accepts connections.
    pub fn start(&self) {
        let log = self.dir.path().join("server.log");
        let out = run(
            &self.run_as,
            self.bin.join("pg_ctl"),
            &["-D".as_ref(), self.data_dir().as_os_str(), "-l".as_ref(), log.as_os_str(), "-w".as_ref(), "start".as_ref()],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops it at once (connections are cut, as when a server goes away).
    pub fn stop(&self) {
        let out = run(
            &self.run_as,
            self.bin.join("pg_ctl"),
            &["-D".as_ref(), self.data_dir().as_os_str(), "-m".as_ref(), "immediate".as_ref(), "-w".as_ref(), "stop".as_ref()],
        );
        assert!(out.status.success(), "pg_ctl stop failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The server's log (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let _ =
                run(&self.run_as, self.bin.join("pg_ctl"), &["-D".as_ref(), self.data_dir().as_os_str(), "-m".as_ref(), "immediate".as_ref(), "stop".as_ref()]);
        }
    }
}

fn run(run_as: &Option<String>, program: PathBuf, args: &[&std::ffi::OsStr]) -> Output {
    let mut cmd = match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(&program);
            c
        }
        None => Command::new(&program),
    };
    // The cluster must not inherit a test's locale quirks or PG* variables.
    cmd.args(args).env("LC_ALL", "C").env_remove("PGDATA").env_remove("PGPORT").env_remove("PGHOST");
    cmd.current_dir("/").output().unwrap_or_else(|e| panic!("run {}: {e}", program.display()))
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

fn chown_nobody(path: &Path) {
    let ok = Command::new("chown").args(["-R", "nobody:"]).arg(path).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "chown {} to nobody", path.display());
}
