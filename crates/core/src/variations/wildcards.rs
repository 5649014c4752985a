//! The wildcard files: `__name__` in a template reads
//! `<data dir>/wildcards/name.txt`, each file once per expansion.

use super::{WildcardSource, MAX_WILDCARD_BYTES};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The folder of a data directory that holds the wildcard files.
pub const WILDCARDS_DIR: &str = "wildcards";

/// Where `__name__` looks: `<dir>/name.txt`. Files are read once per expansion.
#[derive(Debug, Clone)]
pub struct Wildcards {
    dir: PathBuf,
    cache: HashMap<String, String>,
}

impl Wildcards {
    /// The wildcards of a data directory (`<data dir>/wildcards`).
    pub fn of_data_dir(data_dir: &Path) -> Wildcards {
        Wildcards::in_dir(data_dir.join(WILDCARDS_DIR))
    }

    pub fn in_dir(dir: PathBuf) -> Wildcards {
        Wildcards { dir, cache: HashMap::new() }
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.txt"))
    }
}

impl WildcardSource for Wildcards {
    fn path_of(&self, name: &str) -> PathBuf {
        Wildcards::path_of(self, name)
    }

    fn read(&mut self, name: &str) -> std::io::Result<String> {
        if let Some(text) = self.cache.get(name) {
            return Ok(text.clone());
        }
        let text = read_capped(&self.path_of(name))?;
        self.cache.insert(name.into(), text.clone());
        Ok(text)
    }
}

fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(MAX_WILDCARD_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_WILDCARD_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} KB, the most a wildcard file may have; keep one list of values per file",
            MAX_WILDCARD_BYTES / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text; save it as UTF-8"))
}
