//! The template language's parser: text, `{a|b}` groups (which may nest),
//! `__name__` wildcards and the escapes `\{ \| \} \_ \\`. Pure: wildcard
//! files are read later, by the expander, so `parse` can be fuzzed alone.

use serde::{Deserialize, Serialize};

/// Groups inside groups deeper than this are refused: a template is typed
/// by a person, and the limit keeps the recursion bounded for any input.
pub const MAX_GROUP_DEPTH: usize = 32;

/// Where something is in a template: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl std::fmt::Display for Pos {
    /// `col 14` for a one-line template (the usual case), else `line 2, col 3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line <= 1 {
            write!(f, "col {}", self.col)
        } else {
            write!(f, "line {}, col {}", self.line, self.col)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    /// `{a|b|c}`: one alternative per job; each alternative is itself a
    /// sequence (it may hold groups and wildcards).
    Group {
        at: Pos,
        alternatives: Vec<Vec<Node>>,
    },
    /// `__name__`: one line of `wildcards/name.txt` per job.
    Wildcard {
        at: Pos,
        name: String,
    },
}

/// A parsed template: a sequence of nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub nodes: Vec<Node>,
}

impl Template {
    /// No group and no wildcard: the text means exactly one prompt.
    pub fn is_plain(&self) -> bool {
        self.nodes.iter().all(|n| matches!(n, Node::Text(_)))
    }

    /// A template without groups or wildcards as the one prompt it means
    /// (escapes written as their characters); None when it varies.
    pub fn plain_text(&self) -> Option<String> {
        self.nodes.iter().map(|n| if let Node::Text(t) = n { Some(t.as_str()) } else { None }).collect()
    }

    /// The literal text outside groups and wildcards, whitespace collapsed:
    /// what the jobs share, used to name them when no name is given.
    pub fn literal_text(&self) -> String {
        let text: String = self.nodes.iter().map(|n| if let Node::Text(t) = n { t.as_str() } else { " " }).collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("{0}: \"{{\" is never closed; close it with \"}}\" or write \\{{ for the character itself")]
    NeverClosed(Pos),
    #[error("{0}: \"}}\" has no matching \"{{\"; remove it or write \\}} for the character itself")]
    Unopened(Pos),
    #[error("{0}: the group has no alternatives; write them between the braces, as in {{red|blue}}")]
    EmptyGroup(Pos),
    #[error("{0}: groups nest deeper than {MAX_GROUP_DEPTH} levels; flatten the template")]
    TooDeep(Pos),
}

impl SyntaxError {
    pub fn pos(&self) -> Pos {
        match self {
            SyntaxError::NeverClosed(p) | SyntaxError::Unopened(p) | SyntaxError::EmptyGroup(p) | SyntaxError::TooDeep(p) => *p,
        }
    }
}

/// What a piece of a template is, for highlighting it where it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Text,
    Group,
    Wildcard,
}

/// A piece of the template as typed (escapes included); the pieces in
/// order are the whole template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Segment {
    pub text: String,
    pub kind: SegmentKind,
}

/// The template cut into text, top-level groups and wildcards, as the
/// parser sees them (so the highlighting never disagrees with the expansion).
pub fn segments(template: &str) -> Result<Vec<Segment>, SyntaxError> {
    let mut p = Parser { chars: template.chars().collect(), at: 0, line: 1, col: 1, spans: Vec::new() };
    p.sequence(0)?;
    let mut out = Vec::new();
    let mut at = 0;
    let piece = |a: usize, b: usize| p.chars[a..b].iter().collect::<String>();
    for &(start, end, kind) in &p.spans {
        if start > at {
            out.push(Segment { text: piece(at, start), kind: SegmentKind::Text });
        }
        out.push(Segment { text: piece(start, end), kind });
        at = end;
    }
    if at < p.chars.len() {
        out.push(Segment { text: piece(at, p.chars.len()), kind: SegmentKind::Text });
    }
    Ok(out)
}

/// Parses a template. Every failure names its position.
pub fn parse(template: &str) -> Result<Template, SyntaxError> {
    let mut p = Parser { chars: template.chars().collect(), at: 0, line: 1, col: 1, spans: Vec::new() };
    let (nodes, end) = p.sequence(0)?;
    match end {
        End::Eof => Ok(Template { nodes }),
        // At the top level `|` is text and `}` an error: `sequence` reports
        // them itself, so only the end of input arrives here.
        End::Bar | End::Close => unreachable!("top-level sequence ends only at the end of input"),
    }
}

enum End {
    Eof,
    Bar,
    Close,
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    line: u32,
    col: u32,
    /// Top-level groups and wildcards as (start, end, kind) char offsets.
    spans: Vec<(usize, usize, SegmentKind)>,
}

impl Parser {
    fn pos(&self) -> Pos {
        Pos { line: self.line, col: self.col }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.at).copied()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// A sequence up to the end of input, or (inside a group, `depth > 0`)
    /// up to the `|` or `}` that ends the alternative.
    fn sequence(&mut self, depth: usize) -> Result<(Vec<Node>, End), SyntaxError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, nodes: &mut Vec<Node>| {
            if !text.is_empty() {
                nodes.push(Node::Text(std::mem::take(text)));
            }
        };
        loop {
            let Some(c) = self.peek(0) else {
                flush(&mut text, &mut nodes);
                return Ok((nodes, End::Eof));
            };
            match c {
                '\\' if matches!(self.peek(1), Some('{' | '|' | '}' | '_' | '\\')) => {
                    self.bump();
                    text.push(self.bump().expect("peeked"));
                }
                '{' => {
                    flush(&mut text, &mut nodes);
                    let start = self.at;
                    nodes.push(self.group(depth)?);
                    if depth == 0 {
                        self.spans.push((start, self.at, SegmentKind::Group));
                    }
                }
                '|' if depth > 0 => {
                    self.bump();
                    flush(&mut text, &mut nodes);
                    return Ok((nodes, End::Bar));
                }
                '}' if depth > 0 => {
                    self.bump();
                    flush(&mut text, &mut nodes);
                    return Ok((nodes, End::Close));
                }
                '}' => return Err(SyntaxError::Unopened(self.pos())),
                '_' => match self.wildcard_name() {
                    Some(name) => {
                        flush(&mut text, &mut nodes);
                        let at = self.pos();
                        let start = self.at;
                        for _ in 0..name.chars().count() + 4 {
                            self.bump();
                        }
                        if depth == 0 {
                            self.spans.push((start, self.at, SegmentKind::Wildcard));
                        }
                        nodes.push(Node::Wildcard { at, name });
                    }
                    None => text.push(self.bump().expect("peeked")),
                },
                _ => text.push(self.bump().expect("peeked")),
            }
        }
    }

    fn group(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let at = self.pos();
        if depth >= MAX_GROUP_DEPTH {
            return Err(SyntaxError::TooDeep(at));
        }
        self.bump();
        let mut alternatives = Vec::new();
        loop {
            let (alt, end) = self.sequence(depth + 1)?;
            alternatives.push(alt);
            match end {
                End::Bar => continue,
                End::Close => break,
                End::Eof => return Err(SyntaxError::NeverClosed(at)),
            }
        }
        let blank = |alt: &Vec<Node>| alt.iter().all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()));
        if alternatives.iter().all(blank) {
            return Err(SyntaxError::EmptyGroup(at));
        }
        Ok(Node::Group { at, alternatives })
    }

    /// At `_`: the name of a `__name__` wildcard starting here, if one does.
    /// A name is letters, digits, `-`, single `_` and `/` between non-empty
    /// parts (a sub-folder of the wildcards folder; never `..`). Anything
    /// else is plain text, so `snake_case` or a lone `__` stay as written.
    fn wildcard_name(&self) -> Option<String> {
        if self.peek(1) != Some('_') {
            return None;
        }
        let mut name = String::new();
        let mut i = 2;
        loop {
            let c = self.peek(i)?;
            let next = self.peek(i + 1);
            if c == '_' && next == Some('_') {
                break;
            }
            if !(c.is_alphanumeric() || c == '-' || c == '_' || c == '/') {
                return None;
            }
            name.push(c);
            i += 1;
        }
        let parts_ok = name.split('/').all(|p| !p.is_empty());
        (!name.is_empty() && parts_ok && !name.starts_with('_')).then_some(name)
    }
}
