//! Waiting on conditions. Tests never sleep for a guessed time: they poll a
//! condition until it holds, and a timeout says what was last seen, which is
//! what one needs to understand a failure.

use std::time::{Duration, Instant};

/// How long [`wait_for`] and [`wait_for_async`] wait before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Between two looks: short enough to notice at once, long enough not to
/// load two shared cores.
const EVERY: Duration = Duration::from_millis(25);

/// What a condition answers: done (with a value), or not yet (with what it
/// saw, for the timeout message).
pub trait Condition {
    type Output;
    fn check(self) -> Result<Self::Output, String>;
}

impl Condition for bool {
    type Output = ();
    fn check(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("the condition was still false".into())
        }
    }
}

impl<T> Condition for Option<T> {
    type Output = T;
    fn check(self) -> Result<T, String> {
        self.ok_or_else(|| "nothing yet".into())
    }
}

/// `Err(seen)`: not yet, and `seen` is what the timeout message shows.
impl<T> Condition for Result<T, String> {
    type Output = T;
    fn check(self) -> Result<T, String> {
        self
    }
}

/// Polls `condition` until it holds, or panics after [`TIMEOUT`] naming
/// `what` and the last thing it saw.
pub fn wait_for<C: Condition>(what: &str, condition: impl FnMut() -> C) -> C::Output {
    wait_for_within(what, TIMEOUT, condition)
}

/// [`wait_for`] with its own timeout.
pub fn wait_for_within<C: Condition>(what: &str, timeout: Duration, mut condition: impl FnMut() -> C) -> C::Output {
    let deadline = Deadline::new(what, timeout);
    loop {
        if let Some(v) = deadline.look(condition()) {
            return v;
        }
        std::thread::sleep(EVERY);
    }
}

/// [`wait_for`] inside async code: it yields to the runtime between looks,
/// so the engine or simulator under test keeps running on it.
pub async fn wait_for_async<C: Condition>(what: &str, condition: impl FnMut() -> C) -> C::Output {
    wait_for_async_within(what, TIMEOUT, condition).await
}

/// [`wait_for_async`] with its own timeout.
pub async fn wait_for_async_within<C: Condition>(what: &str, timeout: Duration, mut condition: impl FnMut() -> C) -> C::Output {
    let deadline = Deadline::new(what, timeout);
    loop {
        if let Some(v) = deadline.look(condition()) {
            return v;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// As [`wait_for_async_within`], for a condition that is itself async (a
/// query to a database, a request): awaited at each look.
pub async fn wait_for_future_within<C: Condition, F: std::future::Future<Output = C>>(
    what: &str,
    timeout: Duration,
    mut condition: impl FnMut() -> F,
) -> C::Output {
    let deadline = Deadline::new(what, timeout);
    loop {
        if let Some(v) = deadline.look(condition().await) {
            return v;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// The rule both loops share: a condition that holds ends the wait; one that
/// does not, past the deadline, fails the test with what it saw.
struct Deadline<'a> {
    what: &'a str,
    timeout: Duration,
    at: Instant,
}

impl<'a> Deadline<'a> {
    fn new(what: &'a str, timeout: Duration) -> Self {
        Deadline { what, timeout, at: Instant::now() + timeout }
    }

    fn look<C: Condition>(&self, answer: C) -> Option<C::Output> {
        match answer.check() {
            Ok(v) => Some(v),
            Err(seen) if Instant::now() >= self.at => {
                panic!("timed out after {:?} waiting for {}; last seen: {seen}", self.timeout, self.what)
            }
            Err(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_once_the_condition_holds() {
        let mut n = 0;
        let got = wait_for("n to reach 3", || {
            n += 1;
            if n >= 3 {
                Ok(n)
            } else {
                Err(format!("n = {n}"))
            }
        });
        assert_eq!(got, 3);
    }

    #[test]
    fn a_timeout_names_what_and_the_last_thing_seen() {
        let err = std::panic::catch_unwind(|| wait_for_within("the moon", Duration::from_millis(60), || Err::<(), _>("only stars".to_string()))).unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(msg.contains("the moon") && msg.contains("only stars"), "{msg}");
    }

    #[tokio::test]
    async fn the_async_variant_lets_other_tasks_run() {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f = flag.clone();
        tokio::spawn(async move { f.store(true, std::sync::atomic::Ordering::SeqCst) });
        wait_for_async("the spawned task", || flag.load(std::sync::atomic::Ordering::SeqCst)).await;
    }
}
