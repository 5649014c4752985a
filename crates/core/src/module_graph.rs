//! A check that the modules of this crate, and of loova-domain, do not
//! import each other in a circle: a cycle means a helper lives in the wrong
//! module, and a newcomer can no longer read one module without the others.
//! Reads the sources (`crate::<module>` paths outside comments and test
//! code, crate-root re-exports mapped to their module) and fails with every
//! edge of every cycle. Also keeps loova-domain free of I/O crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn identifiers(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The top-level modules, and which module a crate-root name stands for.
fn modules(lib: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut mods = BTreeSet::new();
    let mut aliases = BTreeMap::new();
    for statement in lib.split(';') {
        let s = statement.split('\n').filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join(" ");
        let words = identifiers(&s);
        if let Some(i) = words.iter().position(|w| w == "mod") {
            if let Some(name) = words.get(i + 1) {
                mods.insert(name.clone());
            }
        } else if let Some(i) = words.iter().position(|w| w == "use") {
            if let Some(module) = words.get(i + 1) {
                for name in &words[i + 2..] {
                    if name != "as" && name != "self" {
                        aliases.insert(name.clone(), module.clone());
                    }
                }
            }
        }
    }
    (mods, aliases)
}

fn without_comments(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The code of a file without comments and without its test module.
fn code_of(text: &str) -> String {
    without_comments(text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or(""))
}

fn edges(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let (mods, aliases) = modules(&without_comments(&lib));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".rs") || name == "lib.rs" || name.starts_with("tests") || name.ends_with("_tests.rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
            let code = code_of(&std::fs::read_to_string(&path).unwrap());
            for part in code.split("crate::").skip(1) {
                // `crate::{a, b::c}` names several.
                let named: Vec<String> = match part.strip_prefix('{') {
                    Some(group) => {
                        identifiers(group.split('}').next().unwrap_or("")).into_iter().filter(|w| mods.contains(w) || aliases.contains_key(w)).collect()
                    }
                    None => identifiers(part).into_iter().take(1).collect(),
                };
                for first in named {
                    let target = if mods.contains(&first) { Some(first) } else { aliases.get(&first).cloned() };
                    if let Some(t) = target.filter(|t| *t != top && mods.contains(t)) {
                        out.entry(top.clone()).or_default().insert(t);
                    }
                }
            }
        }
    }
    out
}

/// Every edge `from -> to` that is part of a cycle among the modules of `src`.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let reaches = |from: &str, to: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from.to_string()]);
        while let Some(m) = todo.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        false
    };
    let mut out = Vec::new();
    for (from, tos) in edges {
        for to in tos {
            if reaches(to, from) {
                out.push(format!("{from} -> {to}"));
            }
        }
    }
    out
}

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = edges(&src);
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "modules of loova-core in a cycle (each edge: a use of `crate::<to>` in <from>): {cycles:#?}");
    assert!(edges.get("engine").is_some_and(|e| e.contains("store")), "the check reads the sources: {edges:?}");
}

#[test]
fn no_domain_module_imports_another_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
    let edges = edges(&src);
    let cycles = cycles(&edges);
    assert!(cycles.is_empty(), "modules of loova-domain in a cycle (each edge: a use of `crate::<to>` in <from>): {cycles:#?}");
    assert!(edges.get("pricing").is_some_and(|e| e.contains("job")), "the check reads the sources: {edges:?}");
}

/// loova-domain is the rules without I/O, async or SQLite; a new dependency
/// is a decision, so it is added here too (and never tokio, rusqlite,
/// reqwest or anything that reads files or the network).
#[test]
fn loova_domain_depends_only_on_pure_crates() {
    const PURE: [&str; 5] = ["rust_decimal", "serde", "serde_json", "specta", "thiserror"];
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut deps = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
        } else if section.ends_with("dependencies]") && !section.contains("dev-dependencies") {
            if let Some((name, _)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
                deps.push(name.trim().to_string());
            }
        }
    }
    let impure: Vec<&String> = deps.iter().filter(|d| !PURE.contains(&d.as_str())).collect();
    assert!(impure.is_empty(), "loova-domain must stay free of I/O (docs/ARCHITECTURE.md); move the code needing {impure:?} to loova-core");
    assert!(deps.iter().any(|d| d == "serde"), "the check reads the manifest: {deps:?}");
}
