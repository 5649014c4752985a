//! Saving a succeeded job's video: `<output>/<account>/<name>.mp4`, written to
//! `<name>.mp4.part`, fsynced, its size checked against Content-Length and its
//! boxes checked to be an MP4's, then renamed, so a complete-looking file is
//! always a complete video; then its sidecar (`library::sidecar`) is written. Retried with
//! backoff until it works or the link has expired (403/404 → `expired`).
//! Between two tries the job is `succeeded` with why it waits: a full disk
//! or an output folder that cannot be written (`disk`) is told as such.

use super::disk::{self, DiskFault, Op};
use super::download_limits::home_of;
use super::{backoff, EngineError, Inner, NoticeKind};
use crate::api::address::Reach;
use crate::store::Col;
use crate::store::{now_ms, JobRow, JobState, Patch};
use crate::ErrorCode;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes (not characters) of a video's file stem, its " (2)" included:
/// with ".mp4.part" a name stays far below the 255 bytes file systems allow,
/// whatever the script of the prompt.
const MAX_STEM: usize = 76;

pub use crate::file_name::sanitize_file_stem;
pub use crate::output_dir::{output_root, OUTPUT_DIR_ENV, OUTPUT_DIR_SETTING};

fn part_of(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".part");
    PathBuf::from(p)
}

/// The candidate names for a stem: `<stem>.mp4`, `<stem> (2).mp4`, … each
/// within `MAX_STEM` bytes (file systems limit names in bytes, and a
/// multi-byte stem cut by characters could exceed it), cut at a character
/// boundary.
fn candidates<'a>(dir: &'a Path, stem: &'a str) -> impl Iterator<Item = PathBuf> + 'a {
    (1..10_000).map(move |n| {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let mut keep = MAX_STEM.saturating_sub(suffix.len()).min(stem.len());
        while !stem.is_char_boundary(keep) {
            keep -= 1;
        }
        dir.join(format!("{}{suffix}.mp4", stem[..keep].trim_end_matches(['.', ' '])))
    })
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

pub(super) enum Fail {
    /// The link no longer works: 403/404/410.
    Expired(u16),
    Retry(String),
    /// The link or a redirect leads where a video may not come from
    /// (`download_limits`); retried, as the next answer may give another.
    Refused(String),
    /// Larger than the `max_video_mb` setting allows.
    TooLarge(String),
    /// This computer's disk or folder, not the network.
    Disk(DiskFault),
    /// The complete video could not be renamed into place (on Windows a
    /// file held by another program): its `.part` is kept for the next try.
    Held(DiskFault),
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
        // What the link may reach depends on where the account's service is.
        let (url, home) = match self.db.account(&job.account_id)? {
            Some(account) => (self.accounts.video_url(&account, &url).await?, home_of(&self.accounts.service_url(&account).await?)),
            None => (url, Reach::Public),
        };
        // A complete, checked video whose rename was refused (a file held
        // by another program): only the rename is tried again.
        if let (Some(p), Some(total)) = (job.video_path.as_deref().map(Path::new), job.bytes_total) {
            let part = part_of(p);
            if !p.exists() && std::fs::metadata(&part).is_ok_and(|m| m.len() as i64 == total) && crate::library::mp4::check(&part).is_ok() {
                if let Err(e) = crate::fs_retry::rename(&part, p).await {
                    let f = disk::fault(folder_of(p), Op::Create, &e);
                    return self.retry_later(id, f.code, &f.text);
                }
            }
        }
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
        // The name is recorded (committed) before its `.part` exists, so a
        // crash at any point leaves either no `.part` or one this job holds
        // and reopens; creating the `.part` first left, after a kill between
        // the two steps, a `.part` no job held in the person's folder.
        let path = match kept {
            Some(path) => {
                if !self.start_download(id, &from, &path)? {
                    return Ok(true);
                }
                path
            }
            None => {
                let stem = sanitize_file_stem(job.name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&job.spec.prompt), MAX_STEM);
                match self.claim_name(id, &from, &dir, &stem)? {
                    Ok(path) => path,
                    Err(done) => return Ok(done),
                }
            }
        };
        crate::failpoint::hit("download_named");
        let file = match reopen(&path) {
            Ok(f) => f,
            Err(e) => {
                let f = disk::fault(&dir, Op::Create, &e);
                return self.retry_later(id, f.code, &f.text);
            }
        };
        self.job_changed(id);
        self.count(&self.stats.downloads);
        match self.fetch(id, &url, home, &path, file).await {
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
                let patch = Patch::new().text(Col::VideoPath, None).int(Col::FinishedAt, Some(now_ms())).error(ErrorCode::VideoExpired, &text, None);
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
            Err(Fail::Held(f)) => self.retry_later(id, f.code, &f.text),
            Err(Fail::Refused(why)) => {
                let _ = std::fs::remove_file(part_of(&path));
                self.retry_later(id, ErrorCode::DownloadRefused, &format!("The video was not fetched: {why}. Trying again later."))
            }
            Err(Fail::TooLarge(why)) => {
                let _ = std::fs::remove_file(part_of(&path));
                self.retry_later(
                    id,
                    ErrorCode::DownloadTooLarge,
                    &format!("Saving the video stopped: {why}. Raise the setting if this video should be this large; trying again later."),
                )
            }
        }
    }

    /// Records `path` as the job's video and moves it to `downloading`.
    /// False when the job has left `from` meanwhile.
    fn start_download(&self, id: i64, from: &[JobState], path: &Path) -> Result<bool, EngineError> {
        let path_text = path.display().to_string();
        let patch = Patch::new().text(Col::VideoPath, Some(&path_text)).int(Col::BytesDone, Some(0)).int(Col::BytesTotal, None);
        Ok(self.db.transition(id, from, JobState::Downloading, patch)?)
    }

    /// Picks the first free candidate name (no file, no `.part`, no other
    /// download holding it) and records it, under one lock so two of this
    /// engine's downloads never pick the same name (only one engine runs
    /// per data folder). Err(what `download_once` returns) when there is
    /// no name to take: the job left `from` meanwhile, or every name is used.
    fn claim_name(&self, id: i64, from: &[JobState], dir: &Path, stem: &str) -> Result<Result<PathBuf, bool>, EngineError> {
        let _naming = self.naming.lock().unwrap_or_else(|e| e.into_inner());
        for path in candidates(dir, stem) {
            if path.exists() || part_of(&path).exists() || self.db.video_path_held(&path.display().to_string(), id)? {
                continue;
            }
            return Ok(if self.start_download(id, from, &path)? { Ok(path) } else { Err(true) });
        }
        let f = disk::fault(dir, Op::Create, &std::io::Error::other("no free file name"));
        Ok(Err(self.retry_later(id, f.code, &f.text)?))
    }

    /// This try failed; the next one comes after a backoff. Meanwhile the
    /// job is `succeeded` (made and paid for; "downloading" would say bytes
    /// are arriving) with why it waits. Ok(true) when the job has left
    /// both states meanwhile and needs nothing more from us.
    fn retry_later(&self, id: i64, code: ErrorCode, text: &str) -> Result<bool, EngineError> {
        let patch = Patch::new().error(code, text, None).int(Col::BytesDone, Some(0));
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
        let patch = Patch::new().int(Col::BytesDone, Some(size)).int(Col::BytesTotal, Some(size)).clear_error();
        // From `succeeded` too: a video saved by an earlier try whose
        // sidecar had to wait.
        if self.db.transition(id, &[JobState::Downloading, JobState::Succeeded], JobState::Downloaded, patch)? {
            // The job is done for good: its copies of local files can go.
            super::view::drop_copies(&self.db, id);
        }
        self.job_changed(id);
        Ok(())
    }

    async fn fetch(&self, id: i64, url: &str, home: Reach, path: &Path, mut file: File) -> Result<i64, Fail> {
        let dir = folder_of(path);
        let (done, total) = self.receive(id, url, home, dir, &mut file).await?;
        if let Some(t) = total.filter(|t| *t != done) {
            return Err(Fail::Retry(format!("received {done} of {t} bytes")));
        }
        file.sync_all().map_err(|e| Fail::Disk(disk::fault(dir, Op::Write, &e)))?;
        drop(file);
        // An error page or a corrupted body served with 200 and the right
        // length is not a video: retried, never saved under the name.
        crate::library::mp4::check(&part_of(path)).map_err(|why| Fail::Retry(format!("the download is not an MP4 video ({why})")))?;
        if let Err(e) = crate::fs_retry::rename(&part_of(path), path).await {
            if !crate::fs_retry::held_by_another_program(&e) {
                return Err(Fail::Disk(disk::fault(dir, Op::Create, &e)));
            }
            // Still held after the retries: the next try finds the complete
            // `.part` by this size and only renames it.
            let _ = self.db.patch_job(id, Patch::new().int(Col::BytesTotal, Some(done)));
            return Err(Fail::Held(disk::fault(dir, Op::Create, &e)));
        }
        #[cfg(unix)]
        if let Some(dir) = path.parent() {
            // Makes the rename itself durable.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        let _ = self.db.patch_job(id, Patch::new().int(Col::BytesTotal, Some(done)));
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_names_count_bytes_and_number_the_taken_ones() {
        let dir = Path::new("out");
        let names: Vec<String> = candidates(dir, "fox").take(3).map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["fox.mp4", "fox (2).mp4", "fox (3).mp4"]);
        // 120 clapperboards are 480 bytes: cut at a character boundary
        // within MAX_STEM bytes, the suffix included.
        let clap = "\u{1F3AC}".repeat(120);
        for p in candidates(dir, &clap).take(12) {
            let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(stem.len() <= MAX_STEM, "{} bytes: {stem}", stem.len());
        }
        let long = "x".repeat(100);
        let first = candidates(dir, &long).next().unwrap();
        assert_eq!(first.file_name().unwrap().len(), MAX_STEM + ".mp4".len());
    }
}
