//! A studio's PostgreSQL URL, taken apart so its password never reaches
//! SQLite, a log or an error: what is stored is the URL without it, what is
//! shown is `postgres://user@host:port/db`, and the password goes to the
//! keychain.

use super::connect::StudioConnect;
use super::tls::{client_config, is_loopback_host, Tls, TlsChoice};
use super::StudioError;
use crate::secret::Sensitive;
use std::path::PathBuf;
use std::time::Duration;
use tokio_postgres::config::{ChannelBinding, SslMode};

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
    pub(crate) tls: Tls,
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

/// The stored URL's mark that the person chose no TLS to a host that is
/// not this computer (`--insecure-no-tls`, the form's box). Loova Desk
/// writes it; a typed URL may not carry it, so the choice is always made
/// where it is explained.
const NO_TLS_MARK: (&str, &str) = ("loova_no_tls", "chosen");

const NO_TLS_RULE: &str = "would send the password and the studio's traffic unencrypted to anyone on the network path who answers \"no TLS\" \
     (without TLS Loova Desk connects only to this computer). Remove sslmode so the default, TLS with a verified certificate, is used \
     (a self-hosted server: sslmode=verify-full&sslrootcert=/full/path/ca.pem), or, only on a network you trust, \
     choose no TLS explicitly (--insecure-no-tls, or the form's \"without TLS\" box)";

impl StudioUrl {
    /// A URL as typed, with no choice beyond it (see [`StudioUrl::parse_with`]).
    pub fn parse(text: &str) -> Result<StudioUrl, StudioError> {
        Self::parse_inner(text, &TlsChoice::default(), false)
    }

    /// A URL as typed, with the person's TLS choices. `postgres://` or
    /// `postgresql://`, with a host, a user and a database. Without
    /// `sslmode`: TLS with a verified certificate, except to this computer
    /// (loopback), where nothing crosses a network. `sslmode` require or
    /// verify-full: TLS verified against Mozilla's roots or `sslrootcert`,
    /// host name included (libpq's require does not verify; this one
    /// does); verify-ca: against `sslrootcert`, host name not checked;
    /// disable, allow, prefer: no TLS, to this computer only unless
    /// `insecure_no_tls`. Any other query parameter is refused rather than
    /// silently ignored.
    pub fn parse_with(text: &str, choice: &TlsChoice) -> Result<StudioUrl, StudioError> {
        Self::parse_inner(text, choice, false)
    }

    /// A URL as Loova Desk stored it (it may carry the no-TLS mark).
    pub(crate) fn parse_stored(text: &str) -> Result<StudioUrl, StudioError> {
        Self::parse_inner(text, &TlsChoice::default(), true)
    }

    fn parse_inner(text: &str, choice: &TlsChoice, stored: bool) -> Result<StudioUrl, StudioError> {
        let bad = |why: &str| StudioError::UrlInvalid(format!("{why} (write it as postgres://USER@HOST:5432/DATABASE)"));
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
        let mut sslmode: Option<String> = None;
        let mut root_cert: Option<PathBuf> = None;
        let mut no_tls = choice.insecure_no_tls;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "sslmode" => sslmode = Some(v.to_string()),
                "sslrootcert" => {
                    let path = PathBuf::from(v.as_ref());
                    if !path.is_absolute() {
                        return Err(bad(&format!("sslrootcert={v} must be a full path (like /etc/loova/ca.pem)")));
                    }
                    root_cert = Some(path);
                }
                // Over TLS channel binding is always required; a URL saying so (Neon's do) is welcome.
                "channel_binding" if matches!(v.as_ref(), "require" | "prefer") => {}
                "channel_binding" => {
                    return Err(bad(&format!("channel_binding={v} is not supported: over TLS Loova Desk always requires channel binding; remove it")))
                }
                k if k == NO_TLS_MARK.0 && stored && v == NO_TLS_MARK.1 => no_tls = true,
                k if k == NO_TLS_MARK.0 => {
                    return Err(bad(&format!(
                        "The parameter \"{k}\" is Loova Desk's own; choose no TLS with --insecure-no-tls or the form's \"without TLS\" box"
                    )))
                }
                "password" => password = Some(Sensitive::new(v.to_string())),
                "application_name" | "connect_timeout" => {}
                other => return Err(bad(&format!("The studio URL's parameter \"{other}\" is not supported"))),
            }
        }
        if let Some(path) = &choice.root_cert {
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            if root_cert.as_ref().is_some_and(|r| *r != path) {
                return Err(bad("The URL's sslrootcert and the root certificate given separately differ: give it once"));
            }
            root_cert = Some(path);
        }
        let loopback = is_loopback_host(&host);
        let tls = match (sslmode.as_deref(), no_tls) {
            (None | Some("disable" | "allow" | "prefer"), true) => Tls::Off { chosen: !loopback },
            (Some(mode), true) => return Err(bad(&format!("sslmode={mode} asks for TLS and --insecure-no-tls for none: choose one"))),
            (None, false) if loopback && root_cert.is_none() => Tls::Off { chosen: false },
            (None | Some("require" | "verify-full"), false) => Tls::Verified { root_cert: root_cert.clone(), check_host: true },
            (Some("verify-ca"), false) if root_cert.is_some() => Tls::Verified { root_cert: root_cert.clone(), check_host: false },
            (Some("verify-ca"), false) => {
                return Err(bad("sslmode=verify-ca needs the certificate authority's file: add sslrootcert=/full/path/ca.pem (or --ssl-root-cert)"))
            }
            (Some("disable" | "allow" | "prefer"), false) if loopback => Tls::Off { chosen: false },
            (Some(mode @ ("disable" | "allow" | "prefer")), false) => return Err(bad(&format!("sslmode={mode} {NO_TLS_RULE}"))),
            (Some(other), false) => {
                return Err(bad(&format!("sslmode={other} is not supported; use require (the default), verify-full, verify-ca or disable")))
            }
        };
        if matches!(tls, Tls::Off { .. }) && root_cert.is_some() {
            return Err(bad("A root certificate (sslrootcert) is used only with TLS, and this URL connects without it: remove one of them"));
        }
        let port = url.port().unwrap_or(5432);
        let _ = url.set_password(None);
        url.set_query(None);
        let mut kept: Vec<(&str, String)> = Vec::new();
        match (&sslmode, &tls) {
            (Some(mode), _) => kept.push(("sslmode", mode.clone())),
            (None, Tls::Off { chosen: true }) => kept.push(("sslmode", "disable".to_string())),
            (None, _) => {}
        }
        if let Some(path) = &root_cert {
            kept.push(("sslrootcert", path.display().to_string()));
        }
        if matches!(tls, Tls::Off { chosen: true }) {
            kept.push((NO_TLS_MARK.0, NO_TLS_MARK.1.to_string()));
        }
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept.iter());
        }
        let display = format!("postgres://{user}@{}:{port}/{dbname}", url.host_str().unwrap_or(&host));
        Ok(StudioUrl { stored: url.to_string(), display, password, host, port, user, dbname, tls })
    }

    /// The driver's configuration, with the password from the keychain.
    /// TCP, timeouts and TLS are [`super::connect::StudioConnect`]'s; over
    /// TLS the driver must use SCRAM with channel binding, so it refuses
    /// any other request before sending anything derived from the password.
    pub(crate) fn pg_config(&self, password: Option<&Sensitive>) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host(&self.host).port(self.port).user(&self.user).dbname(&self.dbname).connect_timeout(CONNECT_TIMEOUT).application_name("loova-desk");
        match self.tls {
            Tls::Off { .. } => c.ssl_mode(SslMode::Disable).channel_binding(ChannelBinding::Disable),
            Tls::Verified { .. } => c.ssl_mode(SslMode::Require).channel_binding(ChannelBinding::Require),
        };
        if let Some(p) = password.or(self.password.as_ref()) {
            c.password(p.expose().as_bytes());
        }
        c
    }

    /// How the pool opens its connections.
    pub(crate) fn connector(&self) -> Result<StudioConnect, StudioError> {
        let tls = match &self.tls {
            Tls::Off { .. } => None,
            Tls::Verified { root_cert, check_host } => Some(tokio_postgres_rustls::MakeRustlsConnect::new(client_config(root_cert.as_deref(), *check_host)?)),
        };
        Ok(StudioConnect { host: self.host.clone(), port: self.port, tls, plain_chosen: self.no_tls_chosen(), timeout: CONNECT_TIMEOUT })
    }

    /// No TLS to a host that is not this computer, as the person chose:
    /// the card says so in red.
    pub fn no_tls_chosen(&self) -> bool {
        matches!(self.tls, Tls::Off { chosen: true })
    }

    /// Whether a password in `text` (a URL as typed) would be taken from it.
    pub fn has_password(text: &str) -> bool {
        url::Url::parse(text.trim()).is_ok_and(|u| u.password().is_some_and(|p| !p.is_empty()) || u.query_pairs().any(|(k, _)| k == "password"))
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
        assert_eq!(u.tls, Tls::Verified { root_cert: None, check_host: true });
        let again = StudioUrl::parse(&u.stored).unwrap();
        assert!(again.password.is_none());
        assert_eq!((again.host.as_str(), again.port, again.dbname.as_str()), ("db.example.com", 6543, "studio"));
    }

    #[test]
    fn wrong_urls_are_refused_with_a_sentence() {
        for bad in [
            "mysql://u@h/db",
            "postgres://h/db",
            "not a url",
            "postgres://u@h/db?sslmode=bogus",
            "postgres://u@h/db?foo=1",
            "postgres://u@h/db?sslmode=verify-ca",
        ] {
            let e = StudioUrl::parse(bad).expect_err(bad);
            assert_eq!(e.code(), crate::ErrorCode::StudioUrlInvalid, "{bad}");
        }
    }

    /// The man in the middle of the finding answers "no TLS": with no
    /// sslmode a host that is not this computer must get verified TLS, and
    /// a URL that allows no TLS there is refused unless the person chose it.
    #[test]
    fn tls_is_required_and_verified_for_any_host_that_is_not_this_computer() {
        let verified = Tls::Verified { root_cert: None, check_host: true };
        for host in ["db.example.com", "192.168.1.20", "[fd00::5]"] {
            assert_eq!(StudioUrl::parse(&format!("postgres://u@{host}/db")).unwrap().tls, verified, "{host}");
            for mode in ["disable", "allow", "prefer"] {
                let e = StudioUrl::parse(&format!("postgres://u@{host}/db?sslmode={mode}")).expect_err(mode);
                assert!(e.to_string().contains("unencrypted") && e.to_string().contains("--insecure-no-tls"), "{e}");
            }
        }
        // This computer: nothing crosses a network.
        for url in ["postgres://u@127.0.0.1/db", "postgres://u@localhost/db?sslmode=disable", "postgres://u@[::1]/db?sslmode=prefer"] {
            let u = StudioUrl::parse(url).unwrap();
            assert_eq!(u.tls, Tls::Off { chosen: false }, "{url}");
            assert!(!u.no_tls_chosen());
        }
        let forced = StudioUrl::parse("postgres://u@127.0.0.1/db?sslmode=require").unwrap();
        assert_eq!(forced.tls, verified);
        let cfg = forced.pg_config(None);
        assert_eq!((cfg.get_ssl_mode(), cfg.get_channel_binding()), (SslMode::Require, ChannelBinding::Require));
    }

    #[test]
    fn no_tls_to_another_computer_only_when_chosen_and_the_choice_is_stored() {
        let choice = TlsChoice { insecure_no_tls: true, ..TlsChoice::default() };
        let u = StudioUrl::parse_with("postgres://u:pw@192.168.1.20/db", &choice).unwrap();
        assert_eq!(u.tls, Tls::Off { chosen: true });
        assert!(u.no_tls_chosen());
        assert!(u.stored.contains("sslmode=disable") && u.stored.contains("loova_no_tls=chosen"), "{}", u.stored);
        assert!(StudioUrl::parse_stored(&u.stored).unwrap().no_tls_chosen(), "kept across restarts");
        // Typed, the mark is not a way around the explicit choice.
        assert!(StudioUrl::parse(&u.stored).is_err());
        // A stored link from before the rule (disable to another computer) no longer opens.
        assert!(StudioUrl::parse_stored("postgres://u@192.168.1.20/db?sslmode=disable").is_err());
        assert!(StudioUrl::parse_with("postgres://u@db/x?sslmode=require", &choice).is_err(), "TLS and no TLS at once");
    }

    #[test]
    fn a_root_certificate_file_makes_a_verified_connection_to_a_self_hosted_server() {
        let u = StudioUrl::parse("postgres://u@10.0.0.5/db?sslmode=verify-ca&sslrootcert=/etc/loova/ca.pem").unwrap();
        assert_eq!(u.tls, Tls::Verified { root_cert: Some("/etc/loova/ca.pem".into()), check_host: false });
        assert_eq!(StudioUrl::parse_stored(&u.stored).unwrap().tls, u.tls);
        let given = TlsChoice { root_cert: Some("/srv/ca.pem".into()), insecure_no_tls: false };
        let u = StudioUrl::parse_with("postgres://u@127.0.0.1/db", &given).unwrap();
        assert_eq!(u.tls, Tls::Verified { root_cert: Some("/srv/ca.pem".into()), check_host: true }, "a CA file means TLS, even to loopback");
        assert!(StudioUrl::parse("postgres://u@h/db?sslrootcert=ca.pem").is_err(), "a relative path");
        assert!(StudioUrl::parse("postgres://u@localhost/db?sslmode=disable&sslrootcert=/ca.pem").is_err(), "a CA without TLS");
        assert!(StudioUrl::parse("postgres://u@h/db?sslmode=require&channel_binding=require").is_ok(), "Neon's URLs");
        assert!(StudioUrl::parse("postgres://u@h/db?channel_binding=disable").is_err());
    }

    #[test]
    fn a_password_in_a_typed_url_is_seen() {
        assert!(StudioUrl::has_password("postgres://u:pw@h/db"));
        assert!(StudioUrl::has_password("postgres://u@h/db?password=pw"));
        assert!(!StudioUrl::has_password("postgres://u@h/db"));
        assert!(!StudioUrl::has_password("postgres://u:@h/db"));
    }

    #[test]
    fn redact_removes_url_passwords_and_the_secret() {
        let s = Sensitive::new("hunter22");
        assert_eq!(redact("failed postgres://ed:hunter22@h:5/db now", None), "failed postgres://ed@h:5/db now");
        assert_eq!(redact("password hunter22 refused", Some(&s)), "password •••• refused");
        assert_eq!(redact("postgres://ed@h/db", Some(&s)), "postgres://ed@h/db");
    }
}
