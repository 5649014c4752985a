//! From a parsed template to its prompts: wildcards are read (from
//! `<data dir>/wildcards/NAME.txt`, nested, with a depth limit and cycle
//! detection), the number of prompts is counted without building them, and
//! then they are listed in order — the first group varies slowest.

use super::parse::{parse, Node, Pos, Template};
use super::VariationError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Wildcards inside wildcard lines deeper than this are refused.
pub const MAX_WILDCARD_DEPTH: usize = 8;

/// The folder of a data directory that holds the wildcard files.
pub const WILDCARDS_DIR: &str = "wildcards";

/// Where `__name__` looks: `<dir>/name.txt`. Files are read once per expansion.
#[derive(Debug, Clone)]
pub struct Wildcards {
    dir: PathBuf,
    cache: HashMap<String, Vec<(usize, String)>>,
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

    /// The file's lines that count, with their line numbers: blank lines and
    /// lines starting with `#` are left out.
    fn lines(&mut self, name: &str, at: Pos, used_in: Option<&str>) -> Result<Vec<(usize, String)>, VariationError> {
        if let Some(lines) = self.cache.get(name) {
            return Ok(lines.clone());
        }
        let path = self.path_of(name);
        let text = match read_capped(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VariationError::UnknownWildcard { name: name.into(), path: path.display().to_string(), at, used_in: used_in.map(String::from) })
            }
            Err(e) => return Err(VariationError::WildcardUnreadable { path: path.display().to_string(), reason: e.to_string() }),
        };
        let lines: Vec<(usize, String)> =
            text.lines().enumerate().map(|(i, l)| (i + 1, l.trim().to_string())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#')).collect();
        if lines.is_empty() {
            return Err(VariationError::EmptyWildcard { name: name.into(), path: path.display().to_string() });
        }
        self.cache.insert(name.into(), lines.clone());
        Ok(lines)
    }
}

/// The largest wildcard file read (1 MiB: tens of thousands of values).
/// Its values multiply into jobs, and the job count is capped anyway; a
/// bigger file is a mistake (a log, a dictionary) rather than a list.
pub const MAX_WILDCARD_BYTES: u64 = 1024 * 1024;

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

/// A template with its wildcards read: text, or a choice among sequences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Text(String),
    Choice(Vec<Vec<Resolved>>),
}

/// Reads every wildcard the template uses (and those their lines use).
pub fn resolve(template: &Template, wildcards: &mut Wildcards) -> Result<Vec<Resolved>, VariationError> {
    resolve_seq(&template.nodes, wildcards, &mut Vec::new())
}

fn resolve_seq(nodes: &[Node], wildcards: &mut Wildcards, chain: &mut Vec<String>) -> Result<Vec<Resolved>, VariationError> {
    nodes.iter().map(|n| resolve_node(n, wildcards, chain)).collect()
}

fn resolve_node(node: &Node, wildcards: &mut Wildcards, chain: &mut Vec<String>) -> Result<Resolved, VariationError> {
    match node {
        Node::Text(t) => Ok(Resolved::Text(t.clone())),
        Node::Group { alternatives, .. } => Ok(Resolved::Choice(alternatives.iter().map(|a| resolve_seq(a, wildcards, chain)).collect::<Result<_, _>>()?)),
        Node::Wildcard { at, name } => {
            let named = |chain: &[String], last: &str| chain.iter().map(String::as_str).chain([last]).map(|n| format!("__{n}__")).collect::<Vec<_>>();
            if chain.iter().any(|c| c == name) {
                return Err(VariationError::WildcardCycle { chain: named(chain, name) });
            }
            if chain.len() >= MAX_WILDCARD_DEPTH {
                return Err(VariationError::WildcardTooDeep { chain: named(chain, name) });
            }
            let used_in = chain.last().map(|c| wildcards.path_of(c).display().to_string());
            let lines = wildcards.lines(name, *at, used_in.as_deref())?;
            chain.push(name.clone());
            let mut options = Vec::with_capacity(lines.len());
            for (line_no, line) in lines {
                let file = wildcards.path_of(name).display().to_string();
                let parsed = parse(&line).map_err(|error| VariationError::Syntax { file: Some(file), line: Some(line_no), error })?;
                options.push(resolve_seq(&parsed.nodes, wildcards, chain)?);
            }
            chain.pop();
            Ok(Resolved::Choice(options))
        }
    }
}

/// How many prompts a sequence makes (saturating: a huge number stays huge).
pub fn count(seq: &[Resolved]) -> u64 {
    seq.iter().fold(1u64, |n, r| n.saturating_mul(count_one(r)))
}

fn count_one(r: &Resolved) -> u64 {
    match r {
        Resolved::Text(_) => 1,
        Resolved::Choice(options) => options.iter().fold(0u64, |n, o| n.saturating_add(count(o))),
    }
}

/// One prompt and, for each top-level choice that varies, the text it chose
/// (what the job's name is made of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub text: String,
    pub labels: Vec<String>,
}

/// Every prompt, in order: the first choice varies slowest. Call only after
/// `count` said the number is acceptable.
pub fn prompts(seq: &[Resolved]) -> Vec<Prompt> {
    // Per top-level node: its texts, and whether it varies (is named).
    let parts: Vec<(Vec<String>, bool)> = seq
        .iter()
        .map(|r| match r {
            Resolved::Text(t) => (vec![t.clone()], false),
            Resolved::Choice(_) => {
                let texts = texts_one(r);
                let varies = texts.len() > 1;
                (texts, varies)
            }
        })
        .collect();
    product(&parts.iter().map(|(t, _)| t.as_slice()).collect::<Vec<_>>())
        .into_iter()
        .map(|picks| {
            let text: String = picks.iter().map(|&(i, k)| parts[i].0[k].as_str()).collect();
            let labels = picks.iter().filter(|&&(i, _)| parts[i].1).map(|&(i, k)| label(&parts[i].0[k])).collect();
            Prompt { text, labels }
        })
        .collect()
}

fn label(text: &str) -> String {
    let l = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if l.is_empty() {
        "(none)".into()
    } else {
        l
    }
}

fn texts(seq: &[Resolved]) -> Vec<String> {
    let parts: Vec<Vec<String>> = seq.iter().map(texts_one).collect();
    product(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>()).into_iter().map(|picks| picks.iter().map(|&(i, k)| parts[i][k].as_str()).collect()).collect()
}

fn texts_one(r: &Resolved) -> Vec<String> {
    match r {
        Resolved::Text(t) => vec![t.clone()],
        Resolved::Choice(options) => options.iter().flat_map(|o| texts(o)).collect(),
    }
}

/// The cartesian product of `parts` as (part, index) picks, the last part
/// varying fastest (an odometer), so the first varies slowest.
pub(crate) fn product<T>(parts: &[&[T]]) -> Vec<Vec<(usize, usize)>> {
    if parts.iter().any(|p| p.is_empty()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut idx = vec![0usize; parts.len()];
    loop {
        out.push(idx.iter().copied().enumerate().collect());
        let mut i = parts.len();
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            idx[i] += 1;
            if idx[i] < parts[i].len() {
                break;
            }
            idx[i] = 0;
        }
    }
}
