//! loova-sim for tests: in-process, on `127.0.0.1`, on a port the OS picks.

use loova_sim::{SimConfig, SimHandle};
use std::path::Path;

/// A simulator limit far above the app's own cap (6, from the price list).
/// Against it, a peak of exactly 6 tasks at once is the app keeping its
/// cap; against a simulator that enforces 6 itself, the test could not fail.
pub const SIM_LIMIT_ABOVE_OUR_CAP: usize = 100;

/// The simulator's test config (`keys` with their credits, a fixed seed)
/// with jobs running at `time_scale` × Loova's run times.
pub fn sim_config(keys: &[(&str, i64)], time_scale: f64) -> SimConfig {
    let mut config = SimConfig::for_tests(keys);
    config.timings.time_scale = time_scale;
    config
}

/// `config` with the simulator's own concurrency limit lifted to
/// [`SIM_LIMIT_ABOVE_OUR_CAP`], so only the app's cap limits the queue.
pub fn above_our_cap(mut config: SimConfig) -> SimConfig {
    config.limits.concurrency = SIM_LIMIT_ABOVE_OUR_CAP;
    config
}

/// Loopback only, whatever the config said: tests never listen outside.
fn on_loopback(mut config: SimConfig) -> SimConfig {
    config.addr = "127.0.0.1:0".into();
    config
}

/// Starts the simulator on the current tokio runtime.
pub async fn start_sim(config: SimConfig) -> SimHandle {
    loova_sim::start(on_loopback(config)).await.expect("start loova-sim")
}

/// Starts the simulator on a thread of its own (for sync tests).
pub fn spawn_sim(config: SimConfig) -> SimHandle {
    SimHandle::spawn_in_thread(on_loopback(config)).expect("start loova-sim")
}

/// A free loopback port (the OS picks it; it is released just before use,
/// for programs that must be told a port, like tauri-driver).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("a bound port").port()
}

/// The data folder's Sandbox, served by this test process with a simulator
/// of the test's choosing, the way a second Loova Desk process (`loova`)
/// serves it to the app: it holds `sandbox/simulator.lock` and writes its
/// address to `sandbox/simulator.url` (see `loova_sandbox::SandboxHost`).
/// The app then sends its Sandbox jobs here. A test should check that
/// `sim` saw them, so a change in that hand-over cannot pass unnoticed.
pub struct ServedSandbox {
    pub sim: SimHandle,
    _lock: std::fs::File,
}

pub fn serve_sandbox(data_dir: &Path, config: SimConfig) -> ServedSandbox {
    use fs4::fs_std::FileExt;
    let dir = data_dir.join("sandbox");
    std::fs::create_dir_all(&dir).expect("create the Sandbox folder");
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).open(dir.join("simulator.lock")).expect("open the Sandbox lock");
    assert!(matches!(lock.try_lock_exclusive(), Ok(true)), "another process already serves the Sandbox of {}", data_dir.display());
    let sim = spawn_sim(config);
    std::fs::write(dir.join("simulator.url"), sim.root_url()).expect("write the Sandbox address");
    ServedSandbox { sim, _lock: lock }
}
