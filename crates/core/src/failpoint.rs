//! Named points where a test can make the process die at once, to prove
//! what a crash exactly there leaves behind (a random SIGKILL hits a
//! narrow window only now and then). `LOOVA_DESK_FAILPOINT=<name>` aborts
//! the process when it reaches that point: no destructor runs and nothing
//! more is written, as with a SIGKILL. Unset (always, outside tests), a
//! point costs one environment read.

/// The variable naming the point to die at.
pub const FAILPOINT_ENV: &str = "LOOVA_DESK_FAILPOINT";

/// Dies here when `FAILPOINT_ENV` names `name`.
pub fn hit(name: &str) {
    if std::env::var_os(FAILPOINT_ENV).is_some_and(|v| v == name) {
        eprintln!("loova-desk: failpoint {name}: aborting");
        std::process::abort();
    }
}
