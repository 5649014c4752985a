//! The media server's answers: `/TOKEN/video/ID` streams a library video in
//! byte ranges (see `range`), `/TOKEN/poster/ID` its cached poster frame.
//! Only files the library knows, under the output folder, are served; any
//! other address is 404 and a known video outside the output folder is 403.
//! The id is a number, so an address cannot name a path (no traversal).
//!
//! The shell serves these on 127.0.0.1 (a random port, a random token per
//! run) rather than through a custom URI scheme: WebKitGTK's GStreamer
//! player plays only http(s), blob, data and file URLs and refuses any
//! other scheme ("Requested protocol: … (allowed: no)", a FormatError).

use super::{poster, range};
use crate::store::Db;
use std::path::Path;

/// What the shell sends back to the webview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaAnswer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl MediaAnswer {
    fn refuse(status: u16) -> MediaAnswer {
        MediaAnswer { status, headers: cors(), body: Vec::new() }
    }
}

/// Headers of every answer. Which page may read the bytes is added by
/// [`answer_request`], for the app's own origin only.
fn cors() -> Vec<(&'static str, String)> {
    vec![("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges".into()), ("Vary", "Origin".into())]
}

/// The origins of the app's own page (Tauri serves it as
/// `tauri://localhost` on Linux and macOS, `http(s)://tauri.localhost` on
/// Windows). Only these may read the bytes (the poster canvas must not be
/// tainted, and the player reads Content-Range): a web page open in a
/// browser on this computer gets no `Access-Control-Allow-Origin` for its
/// origin, so it cannot read a video even if it learnt an address.
pub const APP_ORIGINS: [&str; 3] = ["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];

/// One request to the media server, as the shell received it.
#[derive(Debug, Clone, Copy)]
pub struct MediaRequest<'a> {
    /// The `Host` header.
    pub host: Option<&'a str>,
    /// The `Origin` header.
    pub origin: Option<&'a str>,
    pub path: &'a str,
    /// The `Range` header.
    pub range: Option<&'a str>,
}

/// Answers a request to the server listening on 127.0.0.1:`port`. A `Host`
/// other than this server's own (`127.0.0.1:PORT`, `localhost:PORT`) means
/// a name that was made to point here, as a DNS-rebinding page does: 421,
/// nothing served.
pub fn answer_request(db: &Db, data_dir: &Path, token: &str, port: u16, request: &MediaRequest<'_>) -> MediaAnswer {
    let own = |host: &str| {
        let host = host.trim().to_ascii_lowercase();
        host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
    };
    if !request.host.is_some_and(own) {
        return MediaAnswer { status: 421, headers: cors(), body: Vec::new() };
    }
    let mut answer = answer(db, data_dir, token, request.path, request.range);
    if let Some(origin) = request.origin.filter(|o| APP_ORIGINS.contains(o)) {
        answer.headers.push(("Access-Control-Allow-Origin", origin.to_string()));
    }
    answer
}

/// Compares two secrets in a time that depends on their lengths only: a
/// comparison that stops at the first differing byte would let another
/// program on this computer find the token byte by byte from how long
/// each refusal takes.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let differing = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(differing) == 0
}

/// Is `file` inside `root`? Both are resolved first (`..`, links), so a
/// library row pointing elsewhere through a link is still outside.
pub fn is_under(file: &Path, root: &Path) -> bool {
    match (file.canonicalize(), root.canonicalize()) {
        (Ok(f), Ok(r)) => f.starts_with(r),
        _ => false,
    }
}

/// A fresh secret for this run's media addresses (128 random bits, hex):
/// another program on this computer cannot guess its way to the videos.
pub fn new_token() -> String {
    (0..16).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

/// Answers `GET <uri_path>` with the `Range` header `range`; the path
/// must start with `/token/`.
pub fn answer(db: &Db, data_dir: &Path, token: &str, uri_path: &str, range_header: Option<&str>) -> MediaAnswer {
    let Some((given, path)) = uri_path.strip_prefix('/').and_then(|p| p.split_once('/')) else {
        return MediaAnswer::refuse(404);
    };
    if token.is_empty() || !same_secret(given, token) {
        return MediaAnswer::refuse(404);
    }
    let (kind, id) = match path.split_once('/') {
        Some((kind, id)) => (kind, id),
        None => return MediaAnswer::refuse(404),
    };
    let Some(id) = id.parse::<i64>().ok().filter(|_| id.bytes().all(|b| b.is_ascii_digit())) else {
        return MediaAnswer::refuse(404);
    };
    let row = match db.library_row(id) {
        Ok(Some(row)) if row.deleted_at.is_none() => row,
        Ok(_) => return MediaAnswer::refuse(404),
        Err(_) => return MediaAnswer::refuse(500),
    };
    match kind {
        "video" => video(db, &row.path, range_header),
        "poster" => match poster::file(data_dir, &row.path) {
            Some((file, mime)) => match std::fs::read(file) {
                Ok(body) => {
                    let mut headers = cors();
                    headers.push(("Content-Type", mime.into()));
                    headers.push(("Cache-Control", "max-age=31536000, immutable".into()));
                    MediaAnswer { status: 200, headers, body }
                }
                Err(_) => MediaAnswer::refuse(404),
            },
            None => MediaAnswer::refuse(404),
        },
        _ => MediaAnswer::refuse(404),
    }
}

fn video(db: &Db, video_path: &str, range_header: Option<&str>) -> MediaAnswer {
    let file = Path::new(video_path);
    let Ok(meta) = std::fs::metadata(file) else { return MediaAnswer::refuse(404) };
    if !meta.is_file() {
        return MediaAnswer::refuse(404);
    }
    if !is_under(file, &crate::output_dir::output_root(db)) {
        return MediaAnswer::refuse(403);
    }
    let a = range::answer(range_header, meta.len(), range::MAX_CHUNK);
    let body = match range::read(file, &a) {
        Ok(body) => body,
        Err(_) => return MediaAnswer::refuse(404),
    };
    let mut headers = cors();
    headers.push(("Content-Type", "video/mp4".into()));
    headers.push(("Accept-Ranges", "bytes".into()));
    headers.push(("Content-Length", body.len().to_string()));
    if let Some(cr) = a.content_range() {
        headers.push(("Content-Range", cr));
    }
    MediaAnswer { status: a.status(), headers, body }
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret("0123abcd", "0123abcd"));
        assert!(!same_secret("0123abce", "0123abcd"));
        assert!(!same_secret("0123abc", "0123abcd"));
        assert!(!same_secret("", "0123abcd"));
    }
}
