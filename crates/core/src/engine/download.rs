//! Saving a succeeded job's video: `<output>/<account>/<name>.mp4`, written to
//! `<name>.mp4.part`, fsynced, its size checked against Content-Length and its
//! boxes checked to be an MP4's, then renamed, so a complete-looking file is
//! always a complete video; then its sidecar (`library::sidecar`) is written. Retried with
//! backoff until it works or the link has expired (403/404 → `expired`).
//! Between two tries the job is `succeeded` with why it waits: a full disk
//! or an output folder that cannot be written (`disk`) is told as such.

use super::disk::{self, DiskFault, Op};
use super::{backoff, EngineError, Inner, NoticeKind};
use crate::store::{now_ms, Db, JobRow, JobState, Patch};
use crate::ErrorCode;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Settings key of the output folder.
pub const OUTPUT_DIR_SETTING: &str = "output_dir";
const MAX_STEM: usize = 76; // + ".mp4" = 80

/// Overrides the output folder setting (tests, portable use).
pub const OUTPUT_DIR_ENV: &str = "LOOVA_DESK_OUTPUT_DIR";

/// The output folder: `LOOVA_DESK_OUTPUT_DIR`, else the setting, else the OS
/// video folder (or home) + "Loova Desk".
pub fn output_root(db: &Db) -> PathBuf {
    if let Some(dir) = std::env::var_os(OUTPUT_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Ok(Some(dir)) = db.setting(OUTPUT_DIR_SETTING) {
        if !dir.trim().is_empty() {
            return PathBuf::from(dir.trim());
        }
    }
    dirs::video_dir().or_else(dirs::home_dir).unwrap_or_else(|| PathBuf::from(".")).join("Loova Desk")
}

/// A file or folder name safe on Windows, macOS and Linux: no reserved
/// characters or names, no trailing dots/spaces, at most `max` characters.
pub fn sanitize_file_stem(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars() {
        let bad = c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*');
        if bad || c.is_whitespace() {
            if !out.is_empty() {
                space = true;
            }
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    let mut out: String = out.chars().take(max).collect();
    while out.ends_with(['.', ' ']) {
        out.pop();
    }
    let out = out.trim_start_matches(['.', ' ']).to_string();
    if out.is_empty() {
        return "video".into();
    }
    let upper = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT")) && upper.len() == 4 && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{out}")
    } else {
        out
    }
}

fn part_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".part");
    PathBuf::from(p)
}

/// Picks `<stem>.mp4`, `<stem> (2).mp4`, … that exists neither as a file nor
/// as another download's `.part`, and reserves it by creating the `.part`.
fn reserve(dir: &Path, stem: &str) -> std::io::Result<(PathBuf, File)> {
    std::fs::create_dir_all(dir)?;
    for n in 1..10_000 {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let keep = MAX_STEM - suffix.chars().count();
        let base: String = stem.chars().take(keep).collect();
        let path = dir.join(format!("{}{suffix}.mp4", base.trim_end_matches(['.', ' '])));
        if path.exists() {
            continue;
        }
        match OpenOptions::new().write(true).create_new(true).open(part_of(&path)) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free file name"))
}

/// Opens (truncating) the `.part` of a name this job already holds.
fn reopen(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let _ = std::fs::remove_file(part_of(path));
    OpenOptions::new().write(true).create(true).truncate(true).open(part_of(path))
}

fn folder_of(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

enum Fail {
    /// The link no longer works: 403/404/410.
    Expired(u16),
    Retry(String),
    /// This computer's disk or folder, not the network.
    Disk(DiskFault),
}

impl Inner {
    pub(crate) async fn download_job(self: Arc<Self>, id: i64) {
        let _permit = self.downloads.acquire().await;
        let mut attempt: u32 = 0;
        loop {
            match self.download_once(id).await {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) => eprintln!("loova-desk: job {id}: {e}"),
            }
            attempt += 1;
            if self.pause(backoff(self.config.retry_base, self.config.retry_cap, attempt)).await {
                return;
            }
        }
    }

    fn target(&self, job: &JobRow) -> Result<PathBuf, EngineError> {
        let account = self.db.account(&job.account_id)?.map_or_else(|| job.account_id.clone(), |a| a.name);
        let root = self.config.output_dir.clone().unwrap_or_else(|| output_root(&self.db));
        Ok(root.join(sanitize_file_stem(&account, 60)))
    }

    /// One attempt. Ok(true) when the job needs nothing more from us.
    async fn download_once(self: &Arc<Self>, id: i64) -> Result<bool, EngineError> {
        let from = [JobState::Succeeded, JobState::Downloading];
        let Some(job) = self.db.job(id)? else {
            return Ok(true);
        };
        if !from.contains(&job.state) {
            return Ok(true);
        }
        let Some(url) = job.video_url.clone() else {
            self.db.transition(id, &from, JobState::Failed, Patch::new().error(ErrorCode::NoVideoUrl, "Loova reported success without a video link.", None))?;
            self.job_changed(id);
            return Ok(true);
        };
        let url = match self.db.account(&job.account_id)? {
            Some(account) => self.accounts.video_url(&account, &url).await?,
            None => url,
        };
        // A file saved before a crash, or before its recipe could be
        // written (a full disk), renamed but not yet recorded.
        if let (Some(p), Some(total)) = (&job.video_path, job.bytes_total) {
            if std::fs::metadata(p).is_ok_and(|m| m.len() as i64 == total) && !part_of(Path::new(p)).exists() {
                if !crate::library::sidecar::path_for(Path::new(p)).exists() {
                    if let Some(f) = self.record(id, Path::new(p)) {
                        return self.retry_later(id, f.code, &f.text);
                    }
                }
                self.done(id, total)?;
                return Ok(true);
            }
        }
        // Our own stale `.part` (a crash or a failed try) goes; the name
        // stays ours.
        let kept = job.video_path.as_deref().map(PathBuf::from).filter(|p| !p.exists());
        let dir = match &kept {
            Some(p) => folder_of(p).to_path_buf(),
            None => self.target(&job)?,
        };
        let reserved = match kept {
            Some(path) => reopen(&path).map(|f| (path, f)),
            None => {
                let stem = sanitize_file_stem(job.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&job.spec.prompt), MAX_STEM);
                reserve(&dir, &stem)
            }
        };
        let (path, file) = match reserved {
            Ok(r) => r,
            Err(e) => {
                let f = disk::fault(&dir, Op::Create, &e);
                return self.retry_later(id, f.code, &f.text);
            }
        };
        let path_text = path.display().to_string();
        let patch = Patch::new().text("video_path", Some(&path_text)).int("bytes_done", Some(0)).int("bytes_total", None);
        if !self.db.transition(id, &from, JobState::Downloading, patch)? {
            return Ok(true);
        }
        self.job_changed(id);
        self.count(&self.stats.downloads);
        match self.fetch(id, &url, &path, file).await {
            Ok(size) => {
                if let Some(f) = self.record(id, &path) {
                    return self.retry_later(id, f.code, &f.text);
                }
                self.done(id, size)?;
                Ok(true)
            }
            Err(Fail::Expired(status)) => {
                let _ = std::fs::remove_file(part_of(&path));
                let text = format!("The video link expired before Loova Desk could save the video (HTTP {status}). The task was charged; Loova keeps videos only for a limited time. Retrying creates a new task (a new charge).");
                let patch = Patch::new().text("video_path", None).int("finished_at", Some(now_ms())).error(ErrorCode::VideoExpired, &text, None);
                self.db.transition(id, &[JobState::Downloading], JobState::Expired, patch)?;
                self.job_notice(id, NoticeKind::NeedsDecision, format!("Job {id}: the video link expired"), text);
                self.job_changed(id);
                Ok(true)
            }
            Err(Fail::Retry(why)) => {
                let _ = std::fs::remove_file(part_of(&path));
                self.retry_later(id, ErrorCode::DownloadFailed, &format!("Saving the video failed; trying again. {why}"))
            }
            Err(Fail::Disk(f)) => {
                let _ = std::fs::remove_file(part_of(&path));
                self.retry_later(id, f.code, &f.text)
            }
        }
    }

    /// This try failed; the next one comes after a backoff. Meanwhile the
    /// job is `succeeded` (made and paid for; "downloading" would say bytes
    /// are arriving) with why it waits. Ok(true) when the job has left
    /// both states meanwhile and needs nothing more from us.
    fn retry_later(&self, id: i64, code: ErrorCode, text: &str) -> Result<bool, EngineError> {
        let patch = Patch::new().error(code, text, None).int("bytes_done", Some(0));
        let moved = self.db.transition(id, &[JobState::Downloading, JobState::Succeeded], JobState::Succeeded, patch)?;
        self.job_changed(id);
        Ok(!moved)
    }

    /// The sidecar and the library row of a video now in place; before
    /// `done`, which removes the local copies the sidecar hashes. A sidecar
    /// the disk had no room for (or refused) is a fault to retry: the next
    /// try finds the video in place and writes only the sidecar. Any other
    /// failure is logged: the video itself is saved, and `loova library
    /// --rebuild` cannot bring back a sidecar that was never written, so it
    /// is loud.
    fn record(&self, id: i64, path: &Path) -> Option<DiskFault> {
        use crate::library::RecordError;
        let result = match self.db.job(id) {
            Ok(Some(job)) => crate::library::record(&self.db, &job, path).map(|_| ()),
            Ok(None) => Ok(()),
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(()) => None,
            Err(RecordError::Write { source, .. }) if disk::fault(folder_of(path), Op::Write, &source).code != ErrorCode::DownloadFailed => {
                Some(disk::fault(folder_of(path), Op::Write, &source))
            }
            Err(e) => {
                eprintln!("loova-desk: job {id}: {e}");
                None
            }
        }
    }

    fn done(&self, id: i64, size: i64) -> Result<(), EngineError> {
        let patch = Patch::new().int("bytes_done", Some(size)).int("bytes_total", Some(size)).clear_error();
        // From `succeeded` too: a video saved by an earlier try whose
        // sidecar had to wait.
        if self.db.transition(id, &[JobState::Downloading, JobState::Succeeded], JobState::Downloaded, patch)? {
            // The job is done for good: its copies of local files can go.
            super::view::drop_copies(&self.db, id);
        }
        self.job_changed(id);
        Ok(())
    }

    async fn fetch(&self, id: i64, url: &str, path: &Path, mut file: File) -> Result<i64, Fail> {
        let mut resp = self.http.get(url).send().await.map_err(|e| Fail::Retry(format!("the download did not start: {e}")))?;
        let status = resp.status().as_u16();
        if matches!(status, 403 | 404 | 410) {
            return Err(Fail::Expired(status));
        }
        if !resp.status().is_success() {
            return Err(Fail::Retry(format!("the server answered HTTP {status}")));
        }
        let total = resp.content_length().map(|t| t as i64);
        let dir = folder_of(path);
        // Told before a byte is written when the disk has too little room.
        if let (Some(t), Ok(room)) = (total, fs4::available_space(dir)) {
            if let Some(f) = disk::too_little_room(dir, room, t.max(0) as u64) {
                return Err(Fail::Disk(f));
            }
        }
        let _ = self.db.patch_job(id, Patch::new().int("bytes_total", total));
        let mut done: i64 = 0;
        let mut shown = Instant::now();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(Fail::Retry(format!("the download was cut off after {done} bytes: {e}"))),
            };
            file.write_all(&chunk).map_err(|e| Fail::Disk(disk::fault(dir, Op::Write, &e)))?;
            done += chunk.len() as i64;
            if shown.elapsed() >= self.config.progress_every {
                shown = Instant::now();
                let _ = self.db.patch_job(id, Patch::new().int("bytes_done", Some(done)));
                self.job_changed(id);
            }
            if *self.stop.borrow() {
                return Err(Fail::Retry("Loova Desk is stopping".into()));
            }
        }
        if let Some(t) = total.filter(|t| *t != done) {
            return Err(Fail::Retry(format!("received {done} of {t} bytes")));
        }
        file.sync_all().map_err(|e| Fail::Disk(disk::fault(dir, Op::Write, &e)))?;
        drop(file);
        // An error page or a corrupted body served with 200 and the right
        // length is not a video: retried, never saved under the name.
        crate::library::mp4::check(&part_of(path)).map_err(|why| Fail::Retry(format!("the download is not an MP4 video ({why})")))?;
        std::fs::rename(part_of(path), path).map_err(|e| Fail::Disk(disk::fault(dir, Op::Create, &e)))?;
        #[cfg(unix)]
        if let Some(dir) = path.parent() {
            // Makes the rename itself durable.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        let _ = self.db.patch_job(id, Patch::new().int("bytes_total", Some(done)));
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_everywhere() {
        assert_eq!(sanitize_file_stem("a red fox: in the \"snow\"?", 76), "a red fox in the snow");
        assert_eq!(sanitize_file_stem("  ..hidden. ", 76), "hidden");
        assert_eq!(sanitize_file_stem("CON", 76), "_CON");
        assert_eq!(sanitize_file_stem("com3.txt", 76), "_com3.txt");
        assert_eq!(sanitize_file_stem("///", 76), "video");
        assert_eq!(sanitize_file_stem("line\nbreak\ttab", 76), "line break tab");
        assert_eq!(sanitize_file_stem(&"é".repeat(200), 76).chars().count(), 76);
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _fa) = reserve(dir.path(), "fox").unwrap();
        let (b, _fb) = reserve(dir.path(), "fox").unwrap();
        std::fs::write(dir.path().join("cat.mp4"), b"x").unwrap();
        let (c, _fc) = reserve(dir.path(), "cat").unwrap();
        assert_eq!(a.file_name().unwrap(), "fox.mp4");
        assert_eq!(b.file_name().unwrap(), "fox (2).mp4");
        assert_eq!(c.file_name().unwrap(), "cat (2).mp4");
        let (d, _) = reserve(dir.path(), &"x".repeat(100)).unwrap();
        assert!(d.file_name().unwrap().to_str().unwrap().chars().count() <= 80);
    }
}
