//! What the engine tells the GUI/CLI: job and account changes as they happen,
//! and notices for desktop notifications, coalesced per kind so a bad minute
//! produces "7 jobs failed", not seven pop-ups.

use super::view::JobView;
pub use crate::notice::NoticeKind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// The job this notice is about, when it is about one job (a click on
    /// the desktop notification opens the Queue on it).
    pub job_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    JobChanged(Box<JobView>),
    AccountChanged { account_id: String },
    Notice(Notice),
}

struct Pending {
    count: usize,
    first: Notice,
}

/// Collects notices and releases at most one per kind per window.
pub(crate) struct Notices {
    window: Duration,
    pending: Mutex<BTreeMap<NoticeKind, Pending>>,
    last_sent: Mutex<BTreeMap<NoticeKind, Instant>>,
}

impl Notices {
    pub fn new(window: Duration) -> Notices {
        Notices { window, pending: Mutex::new(BTreeMap::new()), last_sent: Mutex::new(BTreeMap::new()) }
    }

    pub fn push(&self, notice: Notice) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.entry(notice.kind).and_modify(|e| e.count += 1).or_insert(Pending { count: 1, first: notice });
    }

    /// Sends what is due: a kind is due when nothing of that kind was sent
    /// within the window. Several of a kind become one summary.
    pub fn flush(&self, tx: &broadcast::Sender<EngineEvent>, force: bool) {
        let now = Instant::now();
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let mut sent = self.last_sent.lock().unwrap_or_else(|e| e.into_inner());
        let due: Vec<NoticeKind> = p.keys().copied().filter(|k| force || sent.get(k).is_none_or(|t| now.duration_since(*t) >= self.window)).collect();
        for kind in due {
            let Some(item) = p.remove(&kind) else {
                continue;
            };
            sent.insert(kind, now);
            let _ = tx.send(EngineEvent::Notice(summarise(item)));
        }
    }
}

fn summarise(p: Pending) -> Notice {
    if p.count == 1 {
        return p.first;
    }
    let n = p.count;
    let (title, body) = match p.first.kind {
        NoticeKind::JobFailed => (format!("{n} jobs failed"), "Open the queue to see why and retry them.".to_string()),
        NoticeKind::NeedsDecision => (format!("{n} jobs need a decision"), "Open the queue to decide what to do with them.".to_string()),
        NoticeKind::OutOfCredits => (format!("{n} accounts are out of API credits"), p.first.body),
        NoticeKind::KeyRejected => (format!("{n} accounts' keys were rejected"), p.first.body),
        NoticeKind::QueueFinished => (p.first.title, p.first.body),
        NoticeKind::Budget => (format!("{n} budget alerts"), p.first.body),
        NoticeKind::LowBalance => (format!("{n} accounts are low on API Credits"), p.first.body),
        NoticeKind::KeychainLocked => (p.first.title, p.first.body),
        NoticeKind::StudioUnreachable => (format!("{n} studio databases do not answer"), p.first.body),
        NoticeKind::JobsMoved => ("Waiting jobs moved to overflow accounts".to_string(), format!("{n} moves; each job's row says where from and why.")),
    };
    // A summary is about several jobs: it opens the Queue, not one job.
    Notice { kind: p.first.kind, title, body, job_id: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_of_a_kind_become_one() {
        let (tx, mut rx) = broadcast::channel(16);
        let n = Notices::new(Duration::from_secs(60));
        for i in 0..3 {
            n.push(Notice { kind: NoticeKind::JobFailed, title: format!("job {i} failed"), body: String::new(), job_id: Some(i) });
        }
        n.flush(&tx, false);
        match rx.try_recv().unwrap() {
            EngineEvent::Notice(x) => assert_eq!((x.title.as_str(), x.job_id), ("3 jobs failed", None)),
            other => panic!("{other:?}"),
        }
        // Within the window the next one waits.
        n.push(Notice { kind: NoticeKind::JobFailed, title: "job 4 failed".into(), body: String::new(), job_id: Some(4) });
        n.flush(&tx, false);
        assert!(rx.try_recv().is_err());
        n.flush(&tx, true);
        // One notice alone keeps its job.
        match rx.try_recv().unwrap() {
            EngineEvent::Notice(x) => assert_eq!(x.job_id, Some(4)),
            other => panic!("{other:?}"),
        }
    }
}
