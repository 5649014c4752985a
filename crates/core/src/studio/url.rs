//! A studio's PostgreSQL URL, taken apart so its password never reaches
//! SQLite, a log or an error: what is stored is the URL without it, what is
//! shown is `postgres://user@host:port/db`, and the password goes to the
//! keychain.

use super::StudioError;
use crate::secret::Sensitive;
use std::time::Duration;
use tokio_postgres::config::SslMode;

/// A parsed studio URL.
#[derive(Debug, Clone)]
pub struct StudioUrl {
    /// The URL as given, without its password (what SQLite keeps).
    pub stored: String,
    /// `postgres://user@host:port/db` (what messages show).
    pub display: String,
    pub password: Option<Sensitive>,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) dbname: String,
    pub(crate) ssl: SslMode,
}

/// How long connecting (TCP + TLS + authentication) may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// `url` with `password` put in as its password (percent-encoded), for a
/// password given apart from the URL (the form's own field, the CLI's
/// environment or standard input); `StudioUrl::parse` takes it out again
/// for the keychain. The URL must name the user and carry no password of
/// its own: two would be ambiguous.
pub fn with_password(url: &str, password: &str) -> Result<String, StudioError> {
    let bad = |why: &str| StudioError::UrlInvalid(format!("The studio URL {why}."));
    let mut parsed = url::Url::parse(url.trim()).map_err(|_| bad("cannot be read (write it as postgres://USER@HOST:5432/DATABASE?sslmode=require)"))?;
    if parsed.password().is_some() {
        return Err(bad("has a password and one was given separately: leave it out of the URL (postgres://USER@HOST/DATABASE)"));
    }
    if parsed.username().is_empty() || parsed.set_password(Some(password)).is_err() {
        return Err(bad("must name the user when the password comes separately: postgres://USER@HOST:5432/DATABASE"));
    }
    Ok(parsed.to_string())
}

impl StudioUrl {
    /// `postgres://` or `postgresql://`, with a host, a user and a database;
    /// `sslmode` disable, prefer (the default, as libpq's) or require. Any
    /// other query parameter is refused rather than silently ignored.
    pub fn parse(text: &str) -> Result<StudioUrl, StudioError> {
        let bad = |why: &str| StudioError::UrlInvalid(format!("{why} (write it as postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=require)"));
        let mut url = url::Url::parse(text.trim()).map_err(|_| bad("The studio URL cannot be read"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(bad("The studio URL must start with postgres:// or postgresql://"));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad("The studio URL names no host"))?.to_string();
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let user = decode(url.username());
        if user.is_empty() {
            return Err(bad("The studio URL names no user"));
        }
        let dbname = decode(url.path().trim_start_matches('/'));
        let dbname = if dbname.is_empty() { user.clone() } else { dbname };
        let mut password = url.password().map(decode).filter(|p| !p.is_empty()).map(Sensitive::new);
        let mut ssl = SslMode::Prefer;
        let mut kept: Vec<(String, String)> = Vec::new();
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "sslmode" => {
                    ssl = match v.as_ref() {
                        "disable" => SslMode::Disable,
                        "prefer" | "allow" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        other => return Err(bad(&format!("sslmode={other} is not supported; use disable, prefer or require"))),
                    };
                    kept.push((k.to_string(), v.to_string()));
                }
                "password" => password = Some(Sensitive::new(v.to_string())),
                "application_name" | "connect_timeout" => {}
                other => return Err(bad(&format!("The studio URL's parameter \"{other}\" is not supported"))),
            }
        }
        let port = url.port().unwrap_or(5432);
        let _ = url.set_password(None);
        url.set_query(None);
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept.iter());
        }
        let display = format!("postgres://{user}@{}:{port}/{dbname}", url.host_str().unwrap_or(&host));
        Ok(StudioUrl { stored: url.to_string(), display, password, host, port, user, dbname, ssl })
    }

    /// The driver's configuration, with the password from the keychain.
    pub(crate) fn pg_config(&self, password: Option<&Sensitive>) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(&self.dbname)
            .ssl_mode(self.ssl)
            .connect_timeout(CONNECT_TIMEOUT)
            // A half-open connection (network split) is noticed by the
            // kernel instead of hanging a query forever.
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("loova-desk");
        if let Some(p) = password.or(self.password.as_ref()) {
            c.password(p.expose().as_bytes());
        }
        c
    }

    /// Whether TLS is on the table (require, or prefer when the server offers it).
    pub(crate) fn may_use_tls(&self) -> bool {
        self.ssl != SslMode::Disable
    }
}

fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// `text` with anything that looks like a URL's password removed
/// (`scheme://user:secret@` → `scheme://user@`), and `secret` itself if
/// given: every studio message goes through this.
pub fn redact(text: &str, secret: Option<&Sensitive>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'').unwrap_or(tail.len());
        let authority = &tail[..end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..colon]);
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    match secret.map(|s| s.expose()).filter(|s| s.len() >= 3) {
        Some(s) => out.replace(s, "••••"),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_separate_password_goes_into_the_url_encoded() {
        assert_eq!(
            with_password("postgres://editor@db:5432/loova?sslmode=require", "p@ss:w/rd").unwrap(),
            "postgres://editor:p%40ss%3Aw%2Frd@db:5432/loova?sslmode=require"
        );
        assert!(with_password("postgres://db:5432/loova", "x").is_err(), "no user to give it to");
        assert!(with_password("postgres://editor:old@db/loova", "x").is_err(), "two passwords");
        assert!(with_password("db:5432", "x").is_err());
    }

    #[test]
    fn the_password_is_taken_out_of_what_is_stored_and_shown() {
        let u = StudioUrl::parse("postgresql://editor:s%40cret-pw@db.example.com:6543/studio?sslmode=require").unwrap();
        assert_eq!(u.password.as_ref().map(|p| p.expose().to_string()).as_deref(), Some("s@cret-pw"));
        assert_eq!(u.display, "postgres://editor@db.example.com:6543/studio");
        assert!(!u.stored.contains("cret"), "{}", u.stored);
        assert!(u.stored.contains("sslmode=require"), "{}", u.stored);
        assert_eq!(u.ssl, SslMode::Require);
        let again = StudioUrl::parse(&u.stored).unwrap();
        assert!(again.password.is_none());
        assert_eq!((again.host.as_str(), again.port, again.dbname.as_str()), ("db.example.com", 6543, "studio"));
    }

    #[test]
    fn wrong_urls_are_refused_with_a_sentence() {
        for bad in ["mysql://u@h/db", "postgres://h/db", "not a url", "postgres://u@h/db?sslmode=verify-full", "postgres://u@h/db?foo=1"] {
            let e = StudioUrl::parse(bad).expect_err(bad);
            assert_eq!(e.code(), crate::ErrorCode::StudioUrlInvalid, "{bad}");
        }
        assert_eq!(StudioUrl::parse("postgres://u@h").unwrap().ssl, SslMode::Prefer);
        assert_eq!(StudioUrl::parse("postgres://u@h?sslmode=disable").unwrap().ssl, SslMode::Disable);
    }

    #[test]
    fn redact_removes_url_passwords_and_the_secret() {
        let s = Sensitive::new("hunter22");
        assert_eq!(redact("failed postgres://ed:hunter22@h:5/db now", None), "failed postgres://ed@h:5/db now");
        assert_eq!(redact("password hunter22 refused", Some(&s)), "password •••• refused");
        assert_eq!(redact("postgres://ed@h/db", Some(&s)), "postgres://ed@h/db");
    }
}
