//! The recipe beside every video: `NAME.mp4.json`, written after the video
//! itself is in place, so a folder of videos carries its own library (see
//! `library::rebuild`) and a person can read how each take was made.

use crate::store::{Db, JobRow, StoreError};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub use crate::recipe::{LocalFile, Sidecar, FORMAT};

/// `video.mp4` → `video.mp4.json`.
pub fn path_for(video: &Path) -> PathBuf {
    let mut p = video.as_os_str().to_owned();
    p.push(".json");
    PathBuf::from(p)
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let hex = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((total, hex))
}

/// The job's copies are named `<kind><n>-<original name>` (media::copy_into):
/// the sidecar keeps the original name.
fn original_name(kind: &str, copy: &Path) -> String {
    let name = copy.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let rest = name.strip_prefix(kind).unwrap_or(&name);
    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    match digits.strip_prefix('-') {
        Some(orig) if digits.len() < rest.len() && !orig.is_empty() => orig.to_string(),
        _ => name,
    }
}

impl Sidecar {
    /// The recipe of a job whose video was just saved. Reads the job's local
    /// copies to hash them, so it must run before they are removed.
    pub fn of_job(db: &Db, job: &JobRow, downloaded_at: i64) -> Result<Sidecar, StoreError> {
        let account = db.account(&job.account_id)?.map_or_else(|| job.account_id.clone(), |a| a.name);
        let batch = match &job.batch_id {
            Some(id) => db.batch(id)?.map(|b| b.name),
            None => None,
        };
        let s = &job.spec;
        let mut local_files = Vec::new();
        for (kind, list) in [("image", &s.image_files), ("video", &s.video_files), ("audio", &s.audio_files)] {
            for p in list {
                let path = Path::new(p);
                // A copy that cannot be read is recorded without a hash rather than
                // losing the whole recipe.
                let (bytes, sha256) = hash_file(path).unwrap_or_default();
                local_files.push(LocalFile { kind: kind.into(), name: original_name(kind, path), bytes, sha256 });
            }
        }
        Ok(Sidecar {
            format: FORMAT,
            app_version: crate::VERSION.into(),
            name: job.name.clone().filter(|n| !n.trim().is_empty()),
            prompt: s.prompt.clone(),
            model: s.model.clone(),
            function_mode: s.function_mode.clone(),
            ratio: s.ratio.clone(),
            duration: s.duration,
            image_urls: s.image_urls.clone(),
            video_urls: s.video_urls.clone(),
            audio_urls: s.audio_urls.clone(),
            local_files,
            task_id: job.task_id.clone(),
            trace_id: job.trace_id.clone(),
            estimate_credits: job.estimate_credits,
            price_list_date: job.price_list_date.clone(),
            credits_cost: job.credits_cost,
            account,
            batch,
            created_at: job.created_at,
            submitted_at: job.submitted_at,
            finished_at: job.finished_at,
            downloaded_at,
            pick: false,
            rating: None,
        })
    }

    /// Writes `<video>.json` atomically: a temporary file, fsynced, renamed
    /// over the name, then the folder fsynced so the rename survives a crash.
    pub fn write_beside(&self, video: &Path) -> std::io::Result<PathBuf> {
        let path = path_for(video);
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let result = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&text)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        #[cfg(unix)]
        if let Some(dir) = path.parent() {
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(path)
    }

    /// Reads a sidecar; a format newer than this version knows is refused.
    pub fn read(path: &Path) -> Result<Sidecar, String> {
        let text = std::fs::read(path).map_err(|e| format!("could not read it: {e}"))?;
        let probe: serde_json::Value = serde_json::from_slice(&text).map_err(|e| format!("it is not JSON: {e}"))?;
        let format = probe.get("format").and_then(|f| f.as_u64()).ok_or("it has no \"format\" number")?;
        if format > FORMAT as u64 {
            return Err(format!("it is format {format}, written by a newer Loova Desk (this one reads up to {FORMAT})"));
        }
        serde_json::from_value(probe).map_err(|e| format!("it is not a Loova Desk sidecar: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_names_come_back_from_copy_names() {
        assert_eq!(original_name("image", Path::new("/d/media/7/image1-fox.png")), "fox.png");
        assert_eq!(original_name("audio", Path::new("/d/media/7/audio12-a-b.mp3")), "a-b.mp3");
        assert_eq!(original_name("image", Path::new("/elsewhere/fox.png")), "fox.png");
    }

    #[test]
    fn hashes_are_sha256() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(hash_file(&p).unwrap(), (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_string()));
    }
}
