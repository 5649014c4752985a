//! From a parsed template to its prompts: wildcards are looked up (nested,
//! with a depth limit and cycle detection), the number of prompts is counted
//! without building them, and then they are listed in order — the first
//! group varies slowest. Where a wildcard's text comes from is a
//! [`WildcardSource`]: loova-core's `Wildcards` reads
//! `<data dir>/wildcards/NAME.txt`, so this language reads no file itself.

use super::parse::{parse, Node, Pos, Template};
use super::VariationError;
use std::path::PathBuf;

/// Wildcards inside wildcard lines deeper than this are refused.
pub const MAX_WILDCARD_DEPTH: usize = 8;

/// The largest wildcard file read (1 MiB: tens of thousands of values).
/// Its values multiply into jobs, and the job count is capped anyway; a
/// bigger file is a mistake (a log, a dictionary) rather than a list.
pub const MAX_WILDCARD_BYTES: u64 = 1024 * 1024;

/// Where `__name__` finds its values.
pub trait WildcardSource {
    /// Where NAME's values are kept, as messages name it.
    fn path_of(&self, name: &str) -> PathBuf;
    /// NAME's text, one value a line; an error of kind `NotFound` when
    /// there is no such wildcard. A source may cache: one expansion asks
    /// for the same name as often as the template uses it.
    fn read(&mut self, name: &str) -> std::io::Result<String>;
}

/// The lines of NAME that count, with their line numbers: blank lines and
/// lines starting with `#` are left out.
fn lines(wildcards: &mut dyn WildcardSource, name: &str, at: Pos, used_in: Option<&str>) -> Result<Vec<(usize, String)>, VariationError> {
    let path = wildcards.path_of(name).display().to_string();
    let text = match wildcards.read(name) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VariationError::UnknownWildcard { name: name.into(), path, at, used_in: used_in.map(String::from) })
        }
        Err(e) => return Err(VariationError::WildcardUnreadable { path, reason: e.to_string() }),
    };
    let lines: Vec<(usize, String)> =
        text.lines().enumerate().map(|(i, l)| (i + 1, l.trim().to_string())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#')).collect();
    if lines.is_empty() {
        return Err(VariationError::EmptyWildcard { name: name.into(), path });
    }
    Ok(lines)
}

/// A template with its wildcards read: text, or a choice among sequences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Text(String),
    Choice(Vec<Vec<Resolved>>),
}

/// Reads every wildcard the template uses (and those their lines use).
pub fn resolve(template: &Template, wildcards: &mut dyn WildcardSource) -> Result<Vec<Resolved>, VariationError> {
    resolve_seq(&template.nodes, wildcards, &mut Vec::new())
}

fn resolve_seq(nodes: &[Node], wildcards: &mut dyn WildcardSource, chain: &mut Vec<String>) -> Result<Vec<Resolved>, VariationError> {
    nodes.iter().map(|n| resolve_node(n, wildcards, chain)).collect()
}

fn resolve_node(node: &Node, wildcards: &mut dyn WildcardSource, chain: &mut Vec<String>) -> Result<Resolved, VariationError> {
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
            let lines = lines(wildcards, name, *at, used_in.as_deref())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Wildcards as text in memory: the language needs no files.
    struct Texts(HashMap<&'static str, &'static str>);

    impl WildcardSource for Texts {
        fn path_of(&self, name: &str) -> PathBuf {
            PathBuf::from(format!("w/{name}.txt"))
        }
        fn read(&mut self, name: &str) -> std::io::Result<String> {
            self.0.get(name).map(|t| t.to_string()).ok_or_else(|| std::io::ErrorKind::NotFound.into())
        }
    }

    fn texts(named: &[(&'static str, &'static str)]) -> Texts {
        Texts(named.iter().copied().collect())
    }

    fn prompts_of(template: &str, w: &mut Texts) -> Result<Vec<String>, VariationError> {
        Ok(prompts(&resolve(&parse(template).unwrap(), w)?).into_iter().map(|p| p.text).collect())
    }

    #[test]
    fn a_source_gives_the_lines_without_blanks_or_comments_nested() {
        let mut w = texts(&[("animal", "# pets\nfox\n\n__colour__ cat\n"), ("colour", "red\nblue")]);
        assert_eq!(prompts_of("a __animal__", &mut w).unwrap(), ["a fox", "a red cat", "a blue cat"]);
    }

    #[test]
    fn missing_empty_and_circular_wildcards_are_named() {
        let mut w = texts(&[("empty", "# nothing\n"), ("a", "__b__"), ("b", "__a__")]);
        let missing = prompts_of("__nope__", &mut w).unwrap_err();
        assert!(matches!(&missing, VariationError::UnknownWildcard { path, .. } if path.ends_with("nope.txt")), "{missing:?}");
        assert!(matches!(prompts_of("__empty__", &mut w), Err(VariationError::EmptyWildcard { .. })));
        assert!(matches!(prompts_of("__a__", &mut w), Err(VariationError::WildcardCycle { chain }) if chain == ["__a__", "__b__", "__a__"]));
    }

    #[test]
    fn an_unreadable_source_is_not_the_persons_input() {
        struct Broken;
        impl WildcardSource for Broken {
            fn path_of(&self, name: &str) -> PathBuf {
                PathBuf::from(name)
            }
            fn read(&mut self, _: &str) -> std::io::Result<String> {
                Err(std::io::Error::other("denied"))
            }
        }
        let e = resolve(&parse("__x__").unwrap(), &mut Broken).unwrap_err();
        assert!(matches!(&e, VariationError::WildcardUnreadable { reason, .. } if reason == "denied"), "{e:?}");
        assert!(!e.is_bad_input());
    }
}
