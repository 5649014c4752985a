//! Bodies of the faults that play a hostile or broken server: an answer
//! that never ends, one that drips a byte at a time, an HTML page where a
//! video should be, a redirect to an address a client must never fetch.
//! They exist so a client's limits (size caps, deadlines, redirect rules)
//! can be tested against a real socket.

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use std::time::Duration;

/// Filler after the head of an endless body (64 KiB per chunk).
const CHUNK: usize = 64 * 1024;

/// `head`, then zero bytes without end (no Content-Length: chunked).
fn endless(head: Bytes) -> Body {
    let rest = futures_util::stream::repeat_with(|| Ok::<Bytes, std::io::Error>(Bytes::from(vec![0u8; CHUNK])));
    Body::from_stream(futures_util::stream::iter([Ok(head)]).chain(rest))
}

/// A 200 with `content_type` whose body starts with `head` and never ends.
pub fn endless_answer(content_type: &str, head: &'static [u8]) -> Response {
    Response::builder().status(StatusCode::OK).header(header::CONTENT_TYPE, content_type).body(endless(Bytes::from_static(head))).expect("valid response")
}

/// The start of a JSON envelope whose `data` never closes.
pub const ENDLESS_JSON_HEAD: &[u8] = br#"{"code":200,"message":"success","data":{"padding":""#;

/// An HTML error page where a video should be, without end.
pub const HTML_HEAD: &[u8] = b"<!doctype html><html><head><title>Error</title></head><body>";

/// `bytes` announced in full (Content-Length), the first `burst` sent at
/// once, then one byte every `every`.
pub fn drip(bytes: &'static [u8], burst: usize, every: Duration) -> Body {
    let burst = burst.min(bytes.len());
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from_static(&bytes[..burst]))]);
    let rest = futures_util::stream::iter(burst..bytes.len()).then(move |i| async move {
        tokio::time::sleep(every).await;
        Ok(Bytes::from_static(&bytes[i..=i]))
    });
    Body::from_stream(first.chain(rest))
}

/// A 302 to `location`.
pub fn redirect(location: &str) -> Response {
    Response::builder().status(StatusCode::FOUND).header(header::LOCATION, location).body(Body::empty()).expect("valid response")
}

/// Where `redirect_metadata` sends a client: the cloud metadata service,
/// whose answers hold the machine's credentials.
pub const METADATA_URL: &str = "https://169.254.169.254/latest/meta-data/iam/security-credentials/";
/// Where `redirect_private` sends a client: an address on a private network.
pub const PRIVATE_URL: &str = "https://10.0.0.1/files/video.mp4";
