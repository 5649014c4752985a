//! Video files of succeeded tasks: a small real MP4 (assets/sample.mp4,
//! made with ffmpeg), HTTP Range support, expiry after `video_url_ttl_secs`.
//! No API key is needed, like a signed URL.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;

use super::api::{pre, tag, Pre};
use super::{drop_now, hostile, App, ReqInfo};
use crate::envelope::Reply;
use crate::faults::{Endpoint, FaultKind};
use crate::server::Conn;
use crate::state::TaskStatus;

pub static SAMPLE_MP4: &[u8] = include_bytes!("../../assets/sample.mp4");

pub async fn download(
    State(app): State<App>,
    Extension(conn): Extension<Conn>,
    Extension(info): Extension<ReqInfo>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (fault, trace) = match pre(&app, Endpoint::Download, &conn, &info).await {
        Pre::Go(f, t) => (f, t),
        Pre::Answer(r) => return r,
    };
    if let Some(reply) = check(&app, &name) {
        return tag(reply.render(&trace), fault);
    }
    let len = SAMPLE_MP4.len();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(|r| parse_range(r, len));
    let (status, start, end) = match range {
        None => (StatusCode::OK, 0, len - 1),
        Some(Some((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e),
        Some(None) => {
            let mut resp = Reply::error(416, 416, "range not satisfiable").render(&trace);
            resp.headers_mut().insert(header::CONTENT_RANGE, format!("bytes */{len}").parse().expect("valid header"));
            return tag(resp, fault);
        }
    };
    let slice = &SAMPLE_MP4[start..=end];
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "video/mp4")
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_LENGTH, slice.len());
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
    }
    let body = match fault {
        FaultKind::CreatedThenDropped => return drop_now(&app, &conn, &info, fault).await,
        FaultKind::Endless => return tag(hostile::endless_answer("video/mp4", &SAMPLE_MP4[..64]), fault),
        FaultKind::NotMp4 => return tag(hostile::endless_answer("text/html", hostile::HTML_HEAD), fault),
        FaultKind::RedirectMetadata => return tag(hostile::redirect(hostile::METADATA_URL), fault),
        FaultKind::RedirectPrivate => return tag(hostile::redirect(hostile::PRIVATE_URL), fault),
        FaultKind::Drip => {
            let every = std::time::Duration::from_millis(app.lock().config.slow_ms);
            hostile::drip(&SAMPLE_MP4[start..=end], 64, every)
        }
        FaultKind::Malformed => {
            // Right headers, wrong bytes: a client must not trust the length alone.
            Body::from(vec![0u8; slice.len()])
        }
        FaultKind::Truncated => {
            // Half the announced bytes, then the body errors: hyper closes
            // the connection, the client sees an incomplete body.
            // The pause lets hyper flush the headers and the half before the
            // error makes it abort the connection.
            use futures_util::StreamExt;
            let half = Bytes::from_static(&slice[..slice.len() / 2]);
            let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
            let fail = futures_util::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Err(std::io::Error::other("truncated by fault"))
            });
            Body::from_stream(first.chain(fail))
        }
        _ => Body::from(Bytes::from_static(slice)),
    };
    tag(builder.body(body).expect("valid response"), fault)
}

/// An error answer when the URL does not (or no longer) serve a video.
fn check(app: &App, name: &str) -> Option<Reply> {
    let mut inner = app.lock();
    let Some(id) = name.strip_suffix(".mp4") else {
        return Some(Reply::error(404, 404, "not found: no such video"));
    };
    let Some(task) = inner.tasks.get(id) else {
        return Some(Reply::error(404, 404, "not found: no such video"));
    };
    let user = task.user.clone();
    let now = inner.now();
    inner.advance_user(&user, now);
    let t = &inner.tasks[id];
    if t.status != TaskStatus::Succeeded {
        return Some(Reply::error(404, 404, "not found: no such video"));
    }
    let ttl_ms = (inner.config.video_url_ttl_secs * 1000.0) as i64;
    if now > t.finished_at.unwrap_or(now) + ttl_ms {
        let s = inner.config.expired_status;
        return Some(Reply::error(s, s as i64, "video URL expired"));
    }
    None
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` (a single range) → inclusive bounds,
/// or `None` when unsatisfiable/unsupported (→ 416).
pub fn parse_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: usize = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        return Some((len.saturating_sub(n), len - 1));
    }
    let start: usize = a.parse().ok()?;
    let end = if b.is_empty() { len - 1 } else { b.parse::<usize>().ok()?.min(len - 1) };
    (start <= end && start < len).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
