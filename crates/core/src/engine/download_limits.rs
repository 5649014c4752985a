//! What a video download may do. The link comes from the service's answer,
//! so a hostile or compromised service (or anyone who can change that
//! answer) chooses it: it must not make this computer fetch from its own
//! network or a cloud metadata address, fill the disk, or hold a download
//! slot forever.
//!
//! - Where: `https://`, or `http://` to this computer when the account's own
//!   service is on this computer (the Sandbox, loova-sim). The address must
//!   be on the public internet or on the same kind of network as the
//!   account's service (loopback for a local one); link-local and metadata
//!   addresses never. Checked for the link and every redirect before
//!   connecting: IP literals from the URL, names when they are resolved.
//! - How much: at most the `max_video_mb` setting; a `Content-Length`
//!   above it is refused before a byte is read.
//! - What: the first bytes must be an MP4's `ftyp` box.
//! - How long: no byte for `download_stall`, or slower on average than
//!   `download_min_rate` after `download_grace`, ends the try (retried).

use super::download::Fail;
use super::Inner;
use crate::api::address::{reach_of_ip, reach_of_url, Reach};
use crate::store::Col;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Redirects followed at most (reqwest's own default is 10).
const MAX_REDIRECTS: usize = 5;

/// A link or redirect that leads where a video may not come from.
#[derive(Debug)]
pub(crate) struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The kind of network an account's service is on: what its video links
/// may reach besides the public internet. A name (not an IP literal) counts
/// as public, so it grants nothing.
pub(crate) fn home_of(service_url: &str) -> Reach {
    match url::Url::parse(service_url).ok().as_ref().and_then(reach_of_url) {
        Some(r @ (Reach::Loopback | Reach::Private)) => r,
        _ => Reach::Public,
    }
}

fn allowed(to: Reach, home: Reach) -> bool {
    to == Reach::Public || (to == home && to != Reach::Forbidden)
}

fn network_name(r: Reach) -> &'static str {
    match r {
        Reach::Loopback => "this computer (loopback)",
        Reach::Private => "a private network",
        Reach::Forbidden => "a link-local or reserved address (such as a cloud metadata service)",
        Reach::Public => "the internet",
    }
}

/// Whether a video may be fetched from `url` for an account at `home`; the
/// reason in words when not. Names are checked again when resolved.
pub(crate) fn check_url(url: &url::Url, home: Reach) -> Result<(), Refused> {
    let host = url.host_str().unwrap_or("");
    let to = reach_of_url(url);
    match url.scheme() {
        "https" => {}
        "http" if home == Reach::Loopback && to == Some(Reach::Loopback) => {}
        other => {
            return Err(Refused(format!(
                "the video link uses {other}:// to {host}; only https:// is accepted (http:// only from a simulator on this computer)"
            )))
        }
    }
    match to {
        Some(to) if !allowed(to, home) => {
            Err(Refused(format!("the video link leads to {host}, on {}, where this account's videos may not come from", network_name(to))))
        }
        _ => Ok(()),
    }
}

/// Resolves names like the system does, then keeps only the addresses a
/// video may come from, so a name cannot point the download at a private
/// or metadata address.
struct CheckedResolver {
    home: Reach,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let home = self.home;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept = keep_allowed(&host, found, home)?;
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

fn keep_allowed(host: &str, found: Vec<SocketAddr>, home: Reach) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let first = found.first().map(|a| reach_of_ip(a.ip()));
    let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allowed(reach_of_ip(a.ip()), home)).collect();
    match (kept.is_empty(), first) {
        (true, Some(to)) => {
            Err(Box::new(Refused(format!("the video link's host {host} is on {}, where this account's videos may not come from", network_name(to)))))
        }
        _ => Ok(kept),
    }
}

/// A proxy from the environment is what the client connects to, and it may
/// well sit on a private network: then names are the proxy's to resolve
/// and only IP literals in links are checked.
fn proxied() -> bool {
    ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

fn client_for(home: Reach, stall: Duration) -> reqwest::Client {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error(Refused(format!("the video link redirected more than {MAX_REDIRECTS} times")));
        }
        match check_url(attempt.url(), home) {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    });
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(stall)
        .redirect(policy)
        .user_agent(concat!("loova-desk/", env!("CARGO_PKG_VERSION")));
    if !proxied() {
        builder = builder.dns_resolver(Arc::new(CheckedResolver { home }));
    }
    builder.build().expect("a reqwest client with rustls builds")
}

/// One download client per kind of account network (their redirect and
/// address rules differ).
pub(crate) struct DownloadClients {
    public: reqwest::Client,
    private: reqwest::Client,
    loopback: reqwest::Client,
}

impl DownloadClients {
    pub(crate) fn new(stall: Duration) -> DownloadClients {
        DownloadClients { public: client_for(Reach::Public, stall), private: client_for(Reach::Private, stall), loopback: client_for(Reach::Loopback, stall) }
    }

    fn get(&self, home: Reach) -> &reqwest::Client {
        match home {
            Reach::Loopback => &self.loopback,
            Reach::Private => &self.private,
            _ => &self.public,
        }
    }
}

/// The failure of a try, from a reqwest error: a refusal of our own rules
/// (found among its causes) or a network failure to retry.
fn failure(e: &reqwest::Error, what: &str) -> Fail {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return Fail::Refused(r.0.clone());
        }
        source = s.source();
    }
    Fail::Retry(format!("{what}: {e}"))
}

/// The first bytes of an MP4: a box size, then `ftyp`.
const HEAD: usize = 8;

fn looks_like_mp4(head: &[u8]) -> bool {
    head.len() >= HEAD && &head[4..8] == b"ftyp"
}

fn mib(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

impl Inner {
    /// The most one try may take for `bytes`: the grace plus the time it
    /// takes at the minimum rate.
    fn allowed_time(&self, bytes: u64) -> Duration {
        let rate = self.config.download_min_rate.max(1);
        self.config.download_grace + Duration::from_secs_f64(bytes as f64 / rate as f64)
    }

    /// Sends the request for `url` (an account at `home`) and writes the
    /// body to `file` as it arrives, within the limits above. Ok((bytes
    /// received, Content-Length)).
    pub(super) async fn receive(&self, id: i64, url: &str, home: Reach, dir: &std::path::Path, file: &mut std::fs::File) -> Result<(i64, Option<i64>), Fail> {
        use super::disk::{self, Op};
        use crate::store::Patch;
        use std::io::Write;
        let parsed = url::Url::parse(url).map_err(|e| Fail::Refused(format!("the video link is not a URL ({e})")))?;
        check_url(&parsed, home).map_err(|r| Fail::Refused(r.0))?;
        let cap = crate::settings::max_video_bytes(&self.db);
        let started = Instant::now();
        let mut resp = self.download_clients.get(home).get(parsed).send().await.map_err(|e| failure(&e, "the download did not start"))?;
        let status = resp.status().as_u16();
        if matches!(status, 403 | 404 | 410) {
            return Err(Fail::Expired(status));
        }
        if !resp.status().is_success() {
            return Err(Fail::Retry(format!("the server answered HTTP {status}")));
        }
        let total = resp.content_length();
        if let Some(t) = total.filter(|t| *t > cap) {
            return Err(Fail::TooLarge(format!("the server announced {} MB, more than the {} MB the max_video_mb setting allows", mib(t), mib(cap))));
        }
        // Told before a byte is written when the disk has too little room.
        if let (Some(t), Ok(room)) = (total, fs4::available_space(dir)) {
            if let Some(f) = disk::too_little_room(dir, room, t) {
                return Err(Fail::Disk(f));
            }
        }
        let _ = self.db.patch_job(id, Patch::new().int(Col::BytesTotal, total.map(|t| t as i64)));
        let mut head: Vec<u8> = Vec::with_capacity(HEAD);
        let mut done: u64 = 0;
        let mut shown = Instant::now();
        loop {
            let deadline = started + self.allowed_time(total.unwrap_or(0).max(done));
            let now = Instant::now();
            if now >= deadline {
                let secs = started.elapsed().as_secs();
                return Err(Fail::Retry(format!("the download was too slow: {done} bytes in {secs} s, below the minimum rate; the server may be stalling")));
            }
            let wait = self.config.download_stall.min(deadline - now);
            let stalled = || Fail::Retry(format!("no data arrived for {} s after {done} bytes", self.config.download_stall.as_secs_f64()));
            let chunk = match tokio::time::timeout(wait, resp.chunk()).await {
                Ok(Ok(Some(c))) => c,
                Ok(Ok(None)) => break,
                // The client's read timeout is the same stall limit.
                Ok(Err(e)) if e.is_timeout() => return Err(stalled()),
                Ok(Err(e)) => return Err(Fail::Retry(format!("the download was cut off after {done} bytes: {e}"))),
                // The deadline is checked at the top of the loop.
                Err(_) if Instant::now() >= deadline => continue,
                Err(_) => return Err(stalled()),
            };
            if head.len() < HEAD {
                let take = (HEAD - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == HEAD && !looks_like_mp4(&head) {
                    return Err(Fail::Retry("the download is not an MP4 video (its first bytes are not an MP4 'ftyp' box); it was stopped at once".into()));
                }
            }
            done += chunk.len() as u64;
            if done > cap {
                return Err(Fail::TooLarge(format!(
                    "the download passed {} MB, the most the max_video_mb setting allows, and was stopped (a 15 s 4K video is far smaller)",
                    mib(cap)
                )));
            }
            file.write_all(&chunk).map_err(|e| Fail::Disk(disk::fault(dir, Op::Write, &e)))?;
            if shown.elapsed() >= self.config.progress_every {
                shown = Instant::now();
                let _ = self.db.patch_job(id, Patch::new().int(Col::BytesDone, Some(done as i64)));
                self.job_changed(id);
            }
            if *self.stop.borrow() {
                return Err(Fail::Retry("Loova Desk is stopping".into()));
            }
        }
        if done > 0 && head.len() < HEAD {
            return Err(Fail::Retry(format!("the download is not an MP4 video (only {done} bytes)")));
        }
        Ok((done as i64, total.map(|t| t as i64)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, home: Reach) -> Result<(), Refused> {
        check_url(&url::Url::parse(url).unwrap(), home)
    }

    #[test]
    fn links_stay_on_https_and_off_private_networks() {
        use Reach::*;
        assert!(check("https://cdn.loova.ai/v/1.mp4", Public).is_ok());
        assert!(check("https://8.8.8.8/v.mp4", Public).is_ok());
        for bad in [
            "http://cdn.loova.ai/v/1.mp4",
            "ftp://cdn.loova.ai/v.mp4",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/v.mp4",
            "https://127.0.0.1/v.mp4",
            "https://[::1]/v.mp4",
            "https://[fd00::1]/v.mp4",
            "https://[fe80::1]/v.mp4",
            "https://localhost/v.mp4",
        ] {
            assert!(check(bad, Public).is_err(), "{bad}");
        }
        // A local simulator's own links, and nothing else local-ish.
        assert!(check("http://127.0.0.1:8787/files/t.mp4", Loopback).is_ok());
        assert!(check("http://localhost:8787/files/t.mp4", Loopback).is_ok());
        assert!(check("https://cdn.loova.ai/v.mp4", Loopback).is_ok());
        for bad in ["http://cdn.loova.ai/v.mp4", "http://10.0.0.1/v.mp4", "https://169.254.169.254/", "https://192.168.1.2/v.mp4"] {
            assert!(check(bad, Loopback).is_err(), "{bad}");
        }
        // A service on the LAN may serve from the LAN, over https only.
        assert!(check("https://192.168.1.2/v.mp4", Private).is_ok());
        assert!(check("http://192.168.1.2/v.mp4", Private).is_err());
        assert!(check("https://127.0.0.1/v.mp4", Private).is_err());
        let why = check("https://169.254.169.254/latest/meta-data/", Loopback).unwrap_err().0;
        assert!(why.contains("169.254.169.254") && why.contains("metadata"), "{why}");
    }

    #[test]
    fn the_home_network_is_the_service_url_s() {
        assert_eq!(home_of("http://127.0.0.1:9/api"), Reach::Loopback);
        assert_eq!(home_of("https://10.1.2.3/api"), Reach::Private);
        assert_eq!(home_of("https://api.loova.ai/api"), Reach::Public);
        assert_eq!(home_of("https://169.254.169.254/api"), Reach::Public, "grants nothing");
    }

    #[test]
    fn resolved_names_keep_only_allowed_addresses() {
        let a = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let kept = keep_allowed("cdn", vec![a("10.0.0.5:0"), a("93.184.216.34:0")], Reach::Public).unwrap();
        assert_eq!(kept, vec![a("93.184.216.34:0")]);
        let refused = keep_allowed("rebound.example", vec![a("169.254.169.254:0")], Reach::Public).unwrap_err().to_string();
        assert!(refused.contains("rebound.example") && refused.contains("metadata"), "{refused}");
        assert_eq!(keep_allowed("localhost", vec![a("127.0.0.1:0")], Reach::Loopback).unwrap().len(), 1);
        assert!(keep_allowed("localhost", vec![a("127.0.0.1:0")], Reach::Public).is_err());
    }

    #[test]
    fn mp4_heads() {
        assert!(looks_like_mp4(&[0, 0, 0, 0x20, b'f', b't', b'y', b'p']));
        assert!(!looks_like_mp4(b"<!doctype html>"));
        assert!(!looks_like_mp4(b"\0\0\0"));
    }
}
