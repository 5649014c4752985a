use super::Engine;

impl Engine {
    /// The concurrency limit the service has shown for an account (lower than
    /// configured when slots are used elsewhere), if it has shown one.
    pub fn observed_limit(&self, account_id: &str) -> Option<u32> {
        let observed = self.inner.observed.lock().unwrap_or_else(|p| p.into_inner());
        observed.get(account_id).map(|o| o.limit.max(0) as u32)
    }
}
