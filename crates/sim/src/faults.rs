//! Fault injection: per endpoint, a scripted sequence (consumed first, one
//! entry per request) and probabilities (one uniform draw per request from the
//! seeded RNG, so a seed reproduces the same faults for the same requests).

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Create,
    Status,
    Credits,
    Download,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// No fault: answer normally (useful inside scripts).
    None,
    /// HTTP 500/502/503 with an error envelope; the request is not processed.
    #[serde(rename = "http_500")]
    Http500,
    #[serde(rename = "http_502")]
    Http502,
    #[serde(rename = "http_503")]
    Http503,
    /// Wait `slow_ms`, then answer normally.
    Slow,
    /// Close the TCP connection without answering; not processed.
    Dropped,
    /// Process the request (a create creates and charges the task), then
    /// close the connection without answering. Alias: processed_then_dropped.
    #[serde(alias = "processed_then_dropped")]
    CreatedThenDropped,
    /// Process the request, answer with a correct status but a body that is
    /// not JSON.
    Malformed,
    /// Process the request, answer with the correct status and the first half
    /// of the JSON body (Content-Length matches what is sent). For downloads:
    /// full Content-Length announced, half the bytes sent, connection closed.
    Truncated,
    /// HTTP 200, code 200, data null, `responses.business_failure.message`;
    /// not processed.
    BusinessFailure,
    /// The configured authentication failure, whatever the key; not processed.
    AuthFailure,
    /// The configured insufficient-credits rejection; not processed.
    InsufficientCredits,
    /// The configured concurrency-limit rejection (`responses.concurrency`),
    /// whatever the number running; not processed. With a limit far above 6
    /// and a limit wording of another client (HTTP 400 "parallel task
    /// limit reached"), a client's handling of that wording is tested while
    /// its own cap is what keeps it at 6.
    LimitReached,
    /// Process the request, answer 200 with a body that never ends (no
    /// Content-Length): an envelope whose `data` never closes; for
    /// downloads an MP4's first bytes, then zeros.
    Endless,
    /// Downloads: the full Content-Length announced, the first 64 bytes
    /// sent, then one byte every `slow_ms`.
    Drip,
    /// Downloads: 200 with an HTML page that never ends where the video
    /// should be.
    NotMp4,
    /// Downloads: a 302 to the cloud metadata address (169.254.169.254).
    RedirectMetadata,
    /// Downloads: a 302 to an address on a private network (10.0.0.1).
    RedirectPrivate,
}

/// Faults for one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct FaultPlan {
    /// Consumed front first, one entry per request, before probabilities.
    pub script: VecDeque<FaultKind>,
    /// Probability per fault kind; the rest of the mass is "no fault".
    pub probabilities: BTreeMap<FaultKind, f64>,
}

impl FaultPlan {
    /// Pick the fault for the next request. Always draws one number when
    /// probabilities are configured, so the RNG sequence depends only on the
    /// request sequence.
    pub fn next<R: Rng>(&mut self, rng: &mut R) -> FaultKind {
        if let Some(k) = self.script.pop_front() {
            return k;
        }
        if self.probabilities.is_empty() {
            return FaultKind::None;
        }
        let x: f64 = rng.gen();
        let mut acc = 0.0;
        for (kind, p) in &self.probabilities {
            acc += p;
            if x < acc {
                return *kind;
            }
        }
        FaultKind::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn script_first_then_probabilities() {
        let mut plan = FaultPlan::default();
        plan.script.push_back(FaultKind::Http502);
        plan.probabilities.insert(FaultKind::Http500, 1.0);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(plan.next(&mut rng), FaultKind::Http502);
        assert_eq!(plan.next(&mut rng), FaultKind::Http500);
    }

    #[test]
    fn names_parse() {
        let k: FaultKind = serde_json::from_str("\"processed_then_dropped\"").unwrap();
        assert_eq!(k, FaultKind::CreatedThenDropped);
        let k: FaultKind = serde_json::from_str("\"http_503\"").unwrap();
        assert_eq!(k, FaultKind::Http503);
    }
}
