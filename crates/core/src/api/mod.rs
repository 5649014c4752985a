//! The Loova HTTP API client: `GET /v1/credits`, `POST /v1/video/seedance-2`,
//! `GET /v1/tasks`. See `docs/loova-api.md` for the contract.
//!
//! The client makes exactly one HTTP request per call and never retries on its
//! own: whether a failed create may be sent again is the queue's decision
//! (it must record the intent first), made from [`ApiError::class`].

pub mod address;
mod envelope;
mod error;
mod lenient;
pub mod read;
mod types;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::Serialize;

use crate::job::JobSpec;
use crate::secret::{Sensitive, Zeroizing};

pub use crate::dialect::{Dialect, ModeField};
pub use error::{classify, invalid_field, ApiError, ErrorClass, Op};
pub use lenient::telling_failure_word;
pub use types::{parse_amount, whole_credits, Created, Credits, TaskInfo, TaskState};

/// The production API base (every path hangs off it).
/// Called with (bytes sent, bytes total) while local files upload.
pub type UploadProgress = std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A file as a request body that reports how much of all files has gone out.
fn counted_body(file: tokio::fs::File, sent: std::sync::Arc<std::sync::atomic::AtomicU64>, total: u64, progress: Option<UploadProgress>) -> reqwest::Body {
    use futures_util::StreamExt;
    let stream = tokio_util::io::ReaderStream::new(file).map(move |chunk| {
        if let (Ok(c), Some(report)) = (&chunk, &progress) {
            let now = sent.fetch_add(c.len() as u64, std::sync::atomic::Ordering::Relaxed) + c.len() as u64;
            report(now, total);
        }
        chunk
    });
    reqwest::Body::wrap_stream(stream)
}

pub const DEFAULT_BASE_URL: &str = "https://api.loova.ai/api";

/// Request timeout override for slow networks (and tests of them); the
/// Settings screen's value is put here at start.
pub const TIMEOUT_ENV: &str = "LOOVA_DESK_REQUEST_TIMEOUT_MS";

/// Timeouts of every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing TCP + TLS. Failing here means nothing was sent.
    pub connect: Duration,
    /// The whole request, from sending to the last byte of the answer. A create
    /// that times out after connecting has an unknown outcome.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(10), request: Duration::from_secs(60) }
    }
}

/// A client for one base URL. Cheap to clone (shares its connection pool);
/// the key is passed per call, so one client serves every account on that base.
#[derive(Clone)]
pub struct LoovaClient {
    http: reqwest::Client,
    base: Arc<str>,
    timeouts: Timeouts,
}

impl std::fmt::Debug for LoovaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoovaClient").field("base", &self.base).field("timeouts", &self.timeouts).finish()
    }
}

/// The JSON body of a create, field by field, so that a change to `JobSpec`
/// cannot silently change what goes over the wire. The mode goes under one
/// or both of its names (see [`ModeField`]).
#[derive(Serialize)]
struct CreateBody<'a> {
    model: &'a str,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    function_mode: Option<&'a str>,
    #[serde(rename = "functionMode", skip_serializing_if = "Option::is_none")]
    function_mode_camel: Option<&'a str>,
    ratio: &'a str,
    duration: u32,
    image_urls: &'a [String],
    video_urls: &'a [String],
    audio_urls: &'a [String],
}

impl LoovaClient {
    /// A client with the default timeouts (connect 10 s, request 60 s).
    pub fn new(base_url: &str) -> Result<LoovaClient, ApiError> {
        LoovaClient::with_timeouts(base_url, Timeouts::default())
    }

    /// `base_url` must be an absolute http(s) URL such as
    /// [`DEFAULT_BASE_URL`]; a trailing slash is removed.
    pub fn with_timeouts(base_url: &str, timeouts: Timeouts) -> Result<LoovaClient, ApiError> {
        let base = check_base_url(base_url)?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            // Never follow redirects: a redirected POST may be replayed as a
            // GET or sent to another host; a redirect means the base URL
            // setting needs fixing (classified as Config).
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("loova-desk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Setup { op: Op::Credits, detail: describe(&e) })?;
        Ok(LoovaClient { http, base: base.into(), timeouts })
    }

    /// The same client with other timeouts.
    pub fn timeouts_changed(&self, timeouts: Timeouts) -> Result<LoovaClient, ApiError> {
        LoovaClient::with_timeouts(&self.base, timeouts)
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// `GET /v1/credits`: the API credit pool of `key`.
    pub async fn credits(&self, key: &Sensitive) -> Result<Credits, ApiError> {
        let op = Op::Credits;
        let req = self.http.get(format!("{}/v1/credits", self.base));
        let answer = self.call(&op, key, req).await?;
        types::credits_from(&answer.data).map_err(|detail| answer.unusable(op, detail))
    }

    /// `POST /v1/video/seedance-2`. Sends exactly once. On error, check
    /// [`ApiError::class`]: only `Transient` (never connected) and definite
    /// rejections mean no task was created; `OutcomeUnknown` means it may
    /// have been created and charged.
    pub async fn create(&self, key: &Sensitive, spec: &JobSpec) -> Result<Created, ApiError> {
        self.create_with_progress(key, spec, None).await
    }

    /// `create`, reporting (bytes sent, bytes total) of local files as they
    /// upload.
    pub async fn create_with_progress(&self, key: &Sensitive, spec: &JobSpec, progress: Option<UploadProgress>) -> Result<Created, ApiError> {
        self.create_in(key, spec, Dialect::Flat, progress).await
    }

    /// `create`, with local files encoded in `dialect` (a JSON create, without
    /// files, is the same in every dialect).
    pub async fn create_in(&self, key: &Sensitive, spec: &JobSpec, dialect: Dialect, progress: Option<UploadProgress>) -> Result<Created, ApiError> {
        self.create_with(key, spec, dialect, None, progress).await
    }

    /// `create_in`, a JSON create naming the mode `json_mode` only (`None`:
    /// under both names, until the account's service has shown which it reads).
    pub async fn create_with(
        &self,
        key: &Sensitive,
        spec: &JobSpec,
        dialect: Dialect,
        json_mode: Option<ModeField>,
        progress: Option<UploadProgress>,
    ) -> Result<Created, ApiError> {
        let op = Op::Create;
        let req = self.create_request(spec, dialect, json_mode, progress)?;
        let answer = self.call(&op, key, req).await?;
        // A success envelope without a usable task id: the task probably
        // exists, but we cannot follow it -> Unreadable -> OutcomeUnknown.
        types::created_from(&answer.data, &answer.top).map_err(|detail| answer.unusable(op, detail))
    }

    /// `GET /v1/tasks?task_id=` (the id is URL-encoded).
    pub async fn task(&self, key: &Sensitive, task_id: &str) -> Result<TaskInfo, ApiError> {
        let op = Op::Task { task_id: task_id.to_string() };
        let req = self.http.get(format!("{}/v1/tasks", self.base)).query(&[("task_id", task_id)]);
        let answer = self.call(&op, key, req).await?;
        types::task_from(&answer.data, &answer.top, task_id).map_err(|detail| answer.unusable(op, detail))
    }

    /// The one place a create request is encoded. Without local files: JSON
    /// with every field at the top level. With local files: multipart/form-data
    /// with the fields as `dialect` writes them (flat: lists as repeated keys,
    /// in order), then each
    /// file as a `files` part (images, videos, audio, each in list order) with
    /// its file name and the content type sniffed from its bytes. The files
    /// are streamed, not read into memory. A file that cannot be opened or
    /// recognized is an error before anything is sent.
    fn create_request(
        &self,
        spec: &JobSpec,
        dialect: Dialect,
        json_mode: Option<ModeField>,
        progress: Option<UploadProgress>,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let url = format!("{}/v1/video/seedance-2", self.base);
        if !spec.has_local_files() {
            let mode = spec.function_mode.as_str();
            let body = CreateBody {
                model: &spec.model,
                prompt: &spec.prompt,
                function_mode: (json_mode != Some(ModeField::Camel)).then_some(mode),
                function_mode_camel: (json_mode != Some(ModeField::Snake)).then_some(mode),
                ratio: &spec.ratio,
                duration: spec.duration,
                image_urls: &spec.image_urls,
                video_urls: &spec.video_urls,
                audio_urls: &spec.audio_urls,
            };
            return Ok(self.http.post(url).json(&body));
        }
        use reqwest::multipart::Part;
        let mut form = dialect.text_fields(spec);
        let setup = |detail: String| ApiError::Setup { op: Op::Create, detail };
        let gone = |detail: String| ApiError::LocalFile { op: Op::Create, detail: detail.trim_end_matches('.').to_string() };
        let files = crate::media::local_files(spec);
        let total: u64 = files.iter().filter_map(|(_, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        for (_, path) in files {
            let p = std::path::Path::new(path);
            let sniffed = crate::media::sniff(p).map_err(|e| gone(e.to_string()))?;
            let file = std::fs::File::open(p).map_err(|e| gone(format!("could not open {path}: {e}")))?;
            let name = p.file_name().map_or_else(|| "file".to_string(), |n| n.to_string_lossy().into_owned());
            let body = counted_body(tokio::fs::File::from_std(file), sent.clone(), total, progress.clone());
            let part = Part::stream_with_length(body, sniffed.size).file_name(name).mime_str(&sniffed.mime).map_err(|e| setup(describe(&e)))?;
            form = form.part("files", part);
        }
        Ok(self.http.post(url).multipart(form))
    }

    /// Authenticate, send once, read the whole answer, open the envelope.
    async fn call(&self, op: &Op, key: &Sensitive, req: reqwest::RequestBuilder) -> Result<envelope::Opened, ApiError> {
        // The only use of `expose`. The header value is marked sensitive so
        // that reqwest/hyper never print it.
        // The formatted copy is wiped when it goes; the header's own copy
        // lives in hyper's buffers, out of our reach.
        let bearer = Zeroizing::new(format!("Bearer {}", key.expose()));
        let mut auth = HeaderValue::from_str(&bearer).map_err(|_| ApiError::MalformedKey { op: op.clone() })?;
        auth.set_sensitive(true);
        let resp = req.header(AUTHORIZATION, auth).send().await.map_err(|e| transport(op, None, e))?;
        let http_status = resp.status().as_u16();
        // Reading the body can still fail (reset, timeout, cut off): the
        // request was processed or not, we cannot know.
        let body = read_capped(op, resp, MAX_ANSWER_BYTES).await?;
        envelope::open(op, http_status, &body)
    }
}

/// The largest answer read from the API. Its answers are a few hundred
/// bytes of JSON; a service (or something in its place) that sends more is
/// not answering as the API does, and must not fill this computer's memory.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The whole body, or `Unreadable` as soon as it passes `cap` bytes (a
/// create's answer that is never read is an unknown outcome, like any other
/// unusable answer).
async fn read_capped(op: &Op, mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, ApiError> {
    let http_status = resp.status().as_u16();
    let too_big = || ApiError::Unreadable {
        op: op.clone(),
        http_status,
        trace_id: None,
        detail: format!("the answer is larger than {} KiB, far more than any API answer; it was not read", cap / 1024),
    };
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport(op, Some(http_status), e))? {
        if body.len() + chunk.len() > cap {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A reqwest failure, split by whether the request can have reached the service.
///
/// `is_connect()`: the TCP/TLS connection was never established (connection
/// refused, DNS failure, connect timeout, TLS handshake), so no byte of the
/// HTTP request left this machine: safe to send again, even a create.
/// Anything else (timeout after connecting, connection reset or closed before
/// the answer, a body error) happened after the request may have been written,
/// so for a create the outcome is unknown. This includes a pooled keep-alive
/// connection that the server closed just as we reused it: hyper retries that
/// case itself only when it knows nothing was written; whatever reaches us is
/// treated as possibly sent.
fn transport(op: &Op, http_status: Option<u16>, e: reqwest::Error) -> ApiError {
    if e.is_builder() {
        return ApiError::Setup { op: op.clone(), detail: describe(&e) };
    }
    if e.is_connect() {
        return ApiError::Unreachable { op: op.clone(), detail: describe(&e) };
    }
    ApiError::NoAnswer { op: op.clone(), http_status, trace_id: None, detail: describe(&e) }
}

/// A reqwest error and its causes as one line, without the URL (which holds
/// the task id and base, never the key, but is noise in a sentence).
fn describe(e: &reqwest::Error) -> String {
    let lead = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the connection broke"
    };
    let mut parts: Vec<String> = vec![lead.to_string()];
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The other form of a base URL: without its trailing `/api`, or with one.
/// Loova's reference shows both (`https://api.loova.ai/v1/…` in its page
/// text, `https://api.loova.ai/api/v1/…` in its curl examples).
pub fn other_base_form(base: &str) -> String {
    let base = base.trim().trim_end_matches('/');
    match base.strip_suffix("/api") {
        Some(root) => root.to_string(),
        None => format!("{base}/api"),
    }
}

pub(crate) fn check_base_url(raw: &str) -> Result<String, ApiError> {
    let bad = |reason: &str| ApiError::BadBaseUrl { url: raw.trim().to_string(), reason: reason.to_string() };
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(bad("it is empty"));
    }
    let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&format!("it is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("it must start with https:// (or http:// for a local simulator)"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host name"));
    }
    if url.scheme() == "http" && !address::is_loopback_url(&url) {
        // Every request carries `Authorization: Bearer <key>`: over plain
        // http anyone on the network path could read and spend the key.
        return Err(ApiError::InsecureBaseUrl { url: trimmed.to_string() });
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages.
        return Err(bad("it must not contain a user name or password; the API key is entered separately"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not contain '?' or '#'"));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests;
