//! A remote notice, and the body each service is sent. The message is what
//! the outbox keeps (no secret in it); the request's URL and token are added
//! only when it is sent. The generic webhook's JSON is versioned
//! ([`WEBHOOK_VERSION`], documented in docs/user/notices.md): fields are only
//! ever added within a version.

use super::TargetKind;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The version of the generic webhook's JSON body.
pub const WEBHOOK_VERSION: u32 = 1;

/// Discord refuses `content` longer than 2,000 characters; Slack and ntfy
/// take more, but a notice is read on a phone: keep every body short.
const MAX_TEXT: usize = 1_900;

/// A finished batch, as its one summary says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub id: String,
    pub name: String,
    pub total: i64,
    /// Downloaded.
    pub done: i64,
    pub failed: i64,
    pub canceled: i64,
    /// Outcome unknown, invalid or an expired video link: a person decides.
    pub needs_you: i64,
    pub credits_spent: i64,
}

/// One notice. `kind` is a `RemoteKind` name, or `test` / `digest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub job_id: Option<i64>,
    pub batch: Option<BatchSummary>,
    /// When it happened (ms since the epoch), not when it is sent.
    pub at_ms: i64,
    /// A digest's notices (held during quiet hours or while a target failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Message>,
}

impl Message {
    pub fn new(kind: &str, title: impl Into<String>, body: impl Into<String>) -> Message {
        Message { kind: kind.into(), title: title.into(), body: body.into(), job_id: None, batch: None, at_ms: crate::store::now_ms(), items: Vec::new() }
    }

    /// The one summary of a finished batch.
    pub fn batch_finished(b: BatchSummary) -> Message {
        let mut parts = vec![format!("{} done", b.done)];
        if b.failed > 0 {
            parts.push(format!("{} failed", b.failed));
        }
        if b.canceled > 0 {
            parts.push(format!("{} canceled", b.canceled));
        }
        if b.needs_you > 0 {
            parts.push(format!("{} need{} you", b.needs_you, if b.needs_you == 1 { "s" } else { "" }));
        }
        let mut body = format!("{} · {} credits spent.", parts.join(", "), b.credits_spent);
        if b.needs_you > 0 {
            body.push_str(" Open Loova Desk's Queue to decide what to do with the jobs that need you.");
        }
        let title = format!("Batch \"{}\" finished", b.name);
        Message { batch: Some(b), ..Message::new(super::RemoteKind::BatchFinished.as_str(), title, body) }
    }

    /// Several held notices as one message, oldest first.
    pub fn digest(items: Vec<Message>) -> Message {
        let title = format!("{} notices from Loova Desk", items.len());
        let body = items.iter().map(|m| format!("• {}: {}", m.title, m.body)).collect::<Vec<_>>().join("\n");
        Message { items, ..Message::new("digest", title, body) }
    }

    /// The generic webhook's JSON (version 1).
    pub fn webhook_json(&self, sent_at: &str) -> Value {
        let mut v = self.item_json();
        v["version"] = json!(WEBHOOK_VERSION);
        v["sent_at"] = json!(sent_at);
        v["app"] = json!(format!("Loova Desk {}", crate::VERSION));
        v
    }

    fn item_json(&self) -> Value {
        let happened = chrono::DateTime::from_timestamp_millis(self.at_ms).map(|t| t.to_rfc3339()).unwrap_or_default();
        let mut v = json!({
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "job_id": self.job_id,
            "batch": self.batch,
            "happened_at": happened,
        });
        if self.kind == "digest" {
            v["items"] = Value::Array(self.items.iter().map(Message::item_json).collect());
        }
        v
    }

    /// Title and body as one short text.
    fn text(&self, bold: &str) -> String {
        shorten(&format!("{bold}{}{bold}\n{}", self.title, self.body))
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_TEXT).collect();
    out.push('…');
    out
}

/// What is POSTed to a target: its URL (for ntfy the server, the topic
/// being in the body) and the JSON body.
pub(super) fn request(kind: TargetKind, url: &url::Url, msg: &Message, sent_at: &str) -> (url::Url, Value) {
    match kind {
        TargetKind::Ntfy => {
            // JSON publishing (POST to the server's root with the topic in
            // the body) keeps any title in UTF-8; a `Title:` header could not.
            let (server, topic) = split_ntfy(url);
            let urgent = matches!(msg.kind.as_str(), "needs_person" | "studio_down");
            let body = json!({
                "topic": topic,
                "title": msg.title,
                "message": shorten(&msg.body),
                "tags": ["loova-desk", msg.kind],
                "priority": if urgent { 4 } else { 3 },
            });
            (server, body)
        }
        TargetKind::Webhook => (url.clone(), msg.webhook_json(sent_at)),
        // No mentions: a prompt or a batch name could contain "@everyone".
        TargetKind::Discord => (url.clone(), json!({ "content": msg.text("**"), "username": "Loova Desk", "allowed_mentions": { "parse": [] } })),
        TargetKind::Slack => (url.clone(), json!({ "text": msg.text("*"), "mrkdwn": true })),
    }
}

/// `https://ntfy.example/sub/topic` → (`https://ntfy.example/sub/`, `topic`).
pub(super) fn split_ntfy(url: &url::Url) -> (url::Url, String) {
    let mut server = url.clone();
    let segments: Vec<String> = url.path_segments().map(|s| s.map(str::to_string).collect()).unwrap_or_default();
    let topic = segments.iter().rev().find(|s| !s.is_empty()).cloned().unwrap_or_default();
    let keep: Vec<&String> = match segments.iter().rposition(|s| !s.is_empty()) {
        Some(i) => segments[..i].iter().collect(),
        None => Vec::new(),
    };
    let path = keep.iter().map(|s| format!("{s}/")).collect::<String>();
    server.set_path(&format!("/{path}"));
    server.set_query(None);
    (server, topic)
}

/// `text` with every secret (and each long piece of a secret URL: a
/// webhook's token is a path segment) replaced by `[secret]`. Applied to
/// every error text before it is stored, shown or logged.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut pieces: Vec<String> = Vec::new();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        pieces.push(s.to_string());
        if let Ok(u) = url::Url::parse(s) {
            pieces.push(u.as_str().to_string());
            pieces.extend(u.path_segments().into_iter().flatten().filter(|p| p.len() >= 6).map(str::to_string));
            pieces.extend(u.query().map(str::to_string));
        }
    }
    // Longest first, so a URL goes before the segments inside it.
    pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
    pieces.into_iter().fold(text.to_string(), |t, p| t.replace(&p, "[secret]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> BatchSummary {
        BatchSummary { id: "b1".into(), name: "Spring".into(), total: 10, done: 7, failed: 1, canceled: 0, needs_you: 2, credits_spent: 840 }
    }

    #[test]
    fn a_batch_summary_says_what_happened_and_what_needs_you() {
        let m = Message::batch_finished(summary());
        assert_eq!(m.title, "Batch \"Spring\" finished");
        assert!(m.body.starts_with("7 done, 1 failed, 2 need you · 840 credits spent."), "{}", m.body);
        let v = m.webhook_json("2025-01-01T00:00:00+00:00");
        assert_eq!(v["version"], 1);
        assert_eq!(v["kind"], "batch_finished");
        assert_eq!(v["batch"]["credits_spent"], 840);
        assert_eq!(v["batch"]["needs_you"], 2);
        assert!(v["job_id"].is_null());
        assert!(v.get("items").is_none());
    }

    #[test]
    fn each_service_gets_its_own_shape() {
        let url = url::Url::parse("https://ntfy.example/base/my-topic").unwrap();
        let m = Message::new("needs_person", "Job 4 needs you", "Outcome unknown @everyone");
        let (to, body) = request(TargetKind::Ntfy, &url, &m, "t");
        assert_eq!(to.as_str(), "https://ntfy.example/base/");
        assert_eq!((body["topic"].as_str(), body["priority"].as_i64()), (Some("my-topic"), Some(4)));
        let hook = url::Url::parse("https://discord.com/api/webhooks/1/tok").unwrap();
        let (to, body) = request(TargetKind::Discord, &hook, &m, "t");
        assert_eq!(to, hook);
        assert_eq!(body["content"], "**Job 4 needs you**\nOutcome unknown @everyone");
        assert_eq!(body["allowed_mentions"]["parse"], json!([]));
        let (_, body) = request(TargetKind::Slack, &hook, &m, "t");
        assert_eq!(body["text"], "*Job 4 needs you*\nOutcome unknown @everyone");
        let long = Message::new("budget", "x", "y".repeat(5_000));
        assert!(request(TargetKind::Discord, &hook, &long, "t").1["content"].as_str().unwrap().chars().count() <= 2_000);
    }

    #[test]
    fn a_digest_lists_its_notices() {
        let d = Message::digest(vec![Message::batch_finished(summary()), Message::new("budget", "Budget 80 %", "Main used 80 %")]);
        assert_eq!(d.title, "2 notices from Loova Desk");
        assert!(d.body.contains("• Budget 80 %: Main used 80 %"), "{}", d.body);
        let v = d.webhook_json("t");
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert_eq!(v["items"][0]["kind"], "batch_finished");
    }

    #[test]
    fn redaction_removes_the_url_and_its_token() {
        let url = "https://discord.com/api/webhooks/123456/SECRETTOKEN123";
        let text = format!("error sending request for url ({url}): refused; token SECRETTOKEN123; tk_abc123");
        let r = redact(&text, &[url, "tk_abc123"]);
        assert!(!r.contains("SECRETTOKEN123") && !r.contains("tk_abc123"), "{r}");
        assert!(r.contains("[secret]"), "{r}");
        assert_eq!(redact("nothing here", &[""]), "nothing here");
    }
}
