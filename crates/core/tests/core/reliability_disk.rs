//! Downloads that can be trusted when this computer's disk fails us: the
//! output folder's disk is full (a 64 KiB tmpfs filled to the last byte) or
//! the folder cannot be written (a read-only tmpfs, a file where a folder
//! should be). The jobs stay `succeeded` with a sentence that says what to
//! do, the download is retried with backoff, nothing is ever left under a
//! video's final name, and once the person frees space or fixes the folder
//! every video lands, without a task being created again. Linux only; the
//! mounts need root (scripts/test runs as root) and the Rig needs the
//! Secret Service.
#![cfg(target_os = "linux")]

use crate::common;
use common::*;
use loova_core::engine::{Engine, EngineEvent};
use loova_core::store::JobState;
use loova_core::ErrorCode;
use loova_testkit::{above_our_cap, files_under, wait_for_async_within};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sk-live-disk-test-0001";
const JOBS: usize = 3;
const WAIT: Duration = Duration::from_secs(60);

/// A tmpfs mounted on a folder of the test's own, unmounted when dropped.
struct Tmpfs {
    at: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs with `options` on `at`. Fails the test, saying why,
    /// when mounting is not allowed: skipping would hide that the disk
    /// faults were never tried.
    fn mount(at: &Path, options: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        mount(&["-t", "tmpfs", "-o", options, "tmpfs", at.to_str().unwrap()]);
        Tmpfs { at: at.to_path_buf() }
    }

    fn remount(&self, options: &str) {
        mount(&["-o", &format!("remount,{options}"), self.at.to_str().unwrap()]);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a file the engine still holds open must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

fn mount(args: &[&str]) {
    let out = Command::new("mount").args(args).output().expect("run mount(8)");
    assert!(
        out.status.success(),
        "`mount {}` failed: {}. These tests need to mount a small tmpfs (run them as root, as scripts/test does, or with CAP_SYS_ADMIN).",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// Writes a file into `dir` until the disk is full; the error must be the
/// disk's (ENOSPC).
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = [0u8; 1024];
    loop {
        if let Err(e) = f.write_all(&block).and_then(|_| f.flush()) {
            assert_eq!(e.raw_os_error(), Some(28), "filling {} stopped with {e}, not ENOSPC", dir.display());
            return path;
        }
    }
}

/// The engine running in the background until `stop` is sent.
fn start(engine: &Engine) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let engine = engine.clone();
    let run = tokio::spawn(async move {
        engine
            .run(false, async {
                let _ = stopped.await;
            })
            .await
            .unwrap()
    });
    (stop, run)
}

/// Watches `dir` until dropped and records whether an `.mp4` ever appeared
/// under its final name there while the disk was failing.
struct NoVideoWatch {
    seen: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NoVideoWatch {
    fn new(dir: &Path) -> NoVideoWatch {
        let (seen, stop) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (s, st, dir) = (seen.clone(), stop.clone(), dir.to_path_buf());
        let thread = std::thread::spawn(move || {
            while !st.load(Ordering::Relaxed) {
                if files_under(&dir).iter().any(|p| p.extension().is_some_and(|x| x == "mp4")) {
                    s.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        NoVideoWatch { seen, stop, thread: Some(thread) }
    }

    /// Stops watching; true when a video file was seen.
    fn finish(mut self) -> bool {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        self.seen.load(Ordering::Relaxed)
    }
}

/// Waits until every job waits for the disk with `code` and its download
/// has been tried at least three times each (so it is retried, not given
/// up), then checks each job's state and sentence.
async fn wait_for_disk_fault(rig: &Rig, code: ErrorCode, starts_with: &str) {
    // Each failed try tells the UI (a JobChanged carrying the code).
    let tries =
        |id: i64| rig.events.lock().unwrap().iter().filter(|e| matches!(e, EngineEvent::JobChanged(v) if v.id == id && v.error_code == Some(code))).count();
    wait_for_async_within(&format!("every job waiting with {code} after 3 tries each"), WAIT, || {
        let jobs = rig.jobs();
        let seen: Vec<_> = jobs.iter().map(|j| (j.id, j.state, j.last_error_code, tries(j.id))).collect();
        if jobs.len() == JOBS && seen.iter().all(|(_, _, c, n)| *c == Some(code) && *n >= 3) {
            Ok(())
        } else {
            Err(format!("(job, state, code, tries): {seen:?}"))
        }
    })
    .await;
    // Between two tries a job is back to `succeeded`: Loova made the video
    // and it was paid for; only saving it waits. The sentence stays.
    wait_for_async_within("the jobs between two tries, still succeeded", WAIT, || {
        rig.jobs().iter().all(|j| j.state == JobState::Succeeded && j.last_error_code == Some(code))
    })
    .await;
    for j in rig.jobs() {
        let text = j.last_error.clone().unwrap_or_default();
        assert!(text.starts_with(starts_with), "job {}: {text}", j.id);
        assert!(text.contains("tries again by itself"), "job {}: {text}", j.id);
        assert!(j.task_id.is_some(), "job {} keeps its task", j.id);
    }
}

/// After the fix: every video lands once, with its recipe, nothing partial
/// is left, and no task was created twice.
async fn wait_for_all_saved(rig: &Rig) {
    wait_for_async_within("every job downloaded", WAIT, || rig.count(JobState::Downloaded) == JOBS).await;
    rig.check_files();
    let videos: Vec<PathBuf> = files_under(&rig.out).into_iter().filter(|p| p.extension().is_some_and(|x| x == "mp4")).collect();
    assert_eq!(videos.len(), JOBS, "{videos:?}");
    for v in &videos {
        assert!(loova_core::library::sidecar::path_for(v).exists(), "the recipe beside {}", v.display());
    }
    let leftovers: Vec<PathBuf> = files_under(&rig.out).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let k = rig.sim.state();
    let k = k.key(KEY).unwrap();
    assert_eq!(k.tasks_created, JOBS as u64, "no task created twice");
    for j in rig.jobs() {
        assert_eq!(j.last_error_code, None, "job {}: {:?}", j.id, j.last_error);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "mounts a tmpfs (root) and needs the Secret Service: run by scripts/test"]
async fn a_full_disk_keeps_the_jobs_succeeded_until_space_is_freed() {
    let rig = Rig::new(above_our_cap(sim_config(&[(KEY, 1_000_000)]))).await;
    // Declared after the Rig: unmounted before its folder is removed.
    let disk = Tmpfs::mount(&rig.out, "size=64k,mode=0755");
    let filler = fill(&disk.at);
    let acct = rig.account("Studio", KEY).await;
    rig.enqueue_many(&acct, JOBS, "disk");
    let engine = rig.engine();
    let watch = NoVideoWatch::new(&rig.out);
    let (stop, run) = start(&engine);
    let folder = rig.out.join("Studio");
    wait_for_disk_fault(&rig, ErrorCode::DiskFull, &format!("The disk holding {} is full", folder.display())).await;
    assert!(!watch.finish(), "a video appeared under its final name while the disk was full");
    assert_eq!(rig.count(JobState::Failed), 0);

    // The person makes room: the next try saves every video.
    std::fs::remove_file(filler).unwrap();
    wait_for_all_saved(&rig).await;
    let _ = stop.send(());
    run.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "mounts a tmpfs (root) and needs the Secret Service: run by scripts/test"]
async fn a_read_only_output_folder_waits_until_it_can_be_written() {
    let rig = Rig::new(above_our_cap(sim_config(&[(KEY, 1_000_000)]))).await;
    // Root ignores permission bits, so "cannot be written" is a read-only
    // mount here, as a write-protected card or a full-permission share is.
    let disk = Tmpfs::mount(&rig.out, "ro,size=64k,mode=0755");
    let acct = rig.account("Studio", KEY).await;
    rig.enqueue_many(&acct, JOBS, "ro");
    let engine = rig.engine();
    let (stop, run) = start(&engine);
    wait_for_disk_fault(&rig, ErrorCode::OutputFolderNotWritable, &format!("The folder {} cannot be written: ", rig.out.join("Studio").display())).await;
    for j in rig.jobs() {
        assert!(j.last_error.as_deref().unwrap_or("").contains("Check its permissions"), "{:?}", j.last_error);
    }
    assert!(files_under(&rig.out).is_empty());

    disk.remount("rw");
    wait_for_all_saved(&rig).await;
    let _ = stop.send(());
    run.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Secret Service: run by scripts/test"]
async fn an_output_folder_under_a_file_waits_until_the_file_is_gone() {
    let mut rig = Rig::new(above_our_cap(sim_config(&[(KEY, 1_000_000)]))).await;
    // The output folder's parent is a file (a path that fails even for root).
    let blocker = rig.dir.path().join("blocker");
    std::fs::write(&blocker, b"not a folder").unwrap();
    rig.out = blocker.join("videos");
    let acct = rig.account("Studio", KEY).await;
    rig.enqueue_many(&acct, JOBS, "file");
    let engine = rig.engine();
    let (stop, run) = start(&engine);
    wait_for_disk_fault(&rig, ErrorCode::OutputFolderNotWritable, &format!("The folder {} cannot be written: ", rig.out.join("Studio").display())).await;

    std::fs::remove_file(&blocker).unwrap();
    wait_for_all_saved(&rig).await;
    let _ = stop.send(());
    run.await.unwrap();
}
