//! What Linux says about a process tree: its members (from /proc/*/stat),
//! their proportional memory (`Pss` in /proc/<pid>/smaps_rollup) and CPU time
//! (utime + stime in /proc/<pid>/stat), and the clock the apps' first-paint
//! markers use (CLOCK_MONOTONIC).

use crate::Res;
use std::collections::BTreeMap;

/// One process of the tree.
#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: i32,
    /// `comm`, e.g. `loova-desk`, `WebKitWebProces`, `WebKitNetworkP`.
    pub name: String,
    pub ppid: i32,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
}

/// Parses /proc/<pid>/stat: the name is in parentheses and may hold spaces
/// or parentheses itself, so the fields are counted after the last `)`.
fn stat(pid: i32) -> Option<Proc> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_string();
    // Field 3 (state) is rest[0]: ppid is field 4, utime 14, stime 15.
    let rest: Vec<&str> = text[close + 1..].split_whitespace().collect();
    let num = |field: usize| rest.get(field - 3).and_then(|v| v.parse::<u64>().ok());
    Some(Proc { pid, name, ppid: num(4)? as i32, cpu_ticks: num(14)? + num(15)? })
}

/// `root` and every process descended from it (the WebKit web and network
/// processes, and anything between, such as a bubblewrap sandbox).
pub fn tree(root: i32) -> Vec<Proc> {
    let all: Vec<Proc> = std::fs::read_dir("/proc")
        .map(|dir| dir.flatten().filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok()).filter_map(stat).collect())
        .unwrap_or_default();
    let mut members: Vec<Proc> = all.iter().filter(|p| p.pid == root).cloned().collect();
    let mut i = 0;
    while i < members.len() {
        let parent = members[i].pid;
        members.extend(all.iter().filter(|p| p.ppid == parent && p.pid != root).cloned());
        i += 1;
    }
    members
}

/// Proportional set size in KiB: shared pages count once across processes,
/// so summing over a tree does not count the shared WebKit libraries twice.
pub fn pss_kib(pid: i32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = text.lines().find(|l| l.starts_with("Pss:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The tree's PSS, total and per process (name → KiB, summed by name).
pub fn tree_pss(root: i32) -> Res<(u64, BTreeMap<String, u64>)> {
    let mut by_name = BTreeMap::new();
    let mut total = 0;
    for p in tree(root) {
        // A process that just exited has no smaps_rollup; it holds nothing.
        if let Some(kib) = pss_kib(p.pid) {
            total += kib;
            *by_name.entry(p.name).or_insert(0) += kib;
        }
    }
    if total == 0 {
        return Err(format!("no smaps_rollup readable for process {root} and its children").into());
    }
    Ok((total, by_name))
}

pub fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a constant.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if hz > 0 {
        hz as f64
    } else {
        100.0
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock the apps write at first paint.
pub fn monotonic_ns() -> u128 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_MONOTONIC is always available on Linux");
    ts.tv_sec as u128 * 1_000_000_000 + ts.tv_nsec as u128
}

/// Sends `signal` to one process the benchmark started (or its child).
pub fn signal(pid: i32, signal: i32) {
    // SAFETY: kill(2) with a pid of ours; a gone process only returns ESRCH.
    unsafe { libc::kill(pid, signal) };
}

pub fn alive(pid: i32) -> bool {
    // A zombie (state Z) has exited; only its parent's wait is missing.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rfind(')').and_then(|i| s[i + 1..].split_whitespace().next().map(|st| st != "Z")).unwrap_or(false))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id() as i32;
        let members = tree(me);
        assert_eq!(members[0].pid, me);
        assert!(pss_kib(me).unwrap() > 0);
        assert!(alive(me));
        let a = monotonic_ns();
        assert!(monotonic_ns() >= a);
    }
}
