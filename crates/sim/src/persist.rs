//! Optional state file: keys (as SHA-256 digest and `…` + last-4 hint only,
//! never in clear), credits and tasks, written atomically (temp file +
//! rename) so a crash never leaves a half-written file behind.

use std::path::Path;

use crate::state::Persisted;

pub fn load(path: &Path) -> anyhow::Result<Option<Persisted>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn save(path: &Path, state: &Persisted) -> anyhow::Result<()> {
    let bytes = serde_json::to_vec_pretty(state)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
