//! HTTP byte ranges for playing saved videos from disk (the shell's
//! loopback media server, `serve`). Pure: the shell hands over the `Range` header
//! and the file's length and gets back what to answer; only `read` touches
//! the file, and only the bytes answered are read.
//!
//! Every answer is at most `MAX_CHUNK` bytes and is held in memory, so a
//! 200 MB video is served as the media player asks for it, a chunk at a
//! time, and never read whole.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The most bytes one answer carries (1 MiB: a few frames of a 1080p take).
pub const MAX_CHUNK: u64 = 1 << 20;

/// What to answer a request for a file of a known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// 200: the whole file (no `Range` asked, and it fits in one chunk).
    Whole { len: u64 },
    /// 206: bytes `start..=end` of `len`.
    Partial { start: u64, end: u64, len: u64 },
    /// 416: the range lies outside the file (`Content-Range: bytes */len`).
    Unsatisfiable { len: u64 },
}

impl RangeAnswer {
    pub fn status(&self) -> u16 {
        match self {
            RangeAnswer::Whole { .. } => 200,
            RangeAnswer::Partial { .. } => 206,
            RangeAnswer::Unsatisfiable { .. } => 416,
        }
    }

    /// The `Content-Range` header, where the answer has one.
    pub fn content_range(&self) -> Option<String> {
        match *self {
            RangeAnswer::Whole { .. } => None,
            RangeAnswer::Partial { start, end, len } => Some(format!("bytes {start}-{end}/{len}")),
            RangeAnswer::Unsatisfiable { len } => Some(format!("bytes */{len}")),
        }
    }

    /// The byte span to read, if any.
    pub fn span(&self) -> Option<(u64, u64)> {
        match *self {
            RangeAnswer::Whole { len } if len > 0 => Some((0, len - 1)),
            RangeAnswer::Partial { start, end, .. } => Some((start, end)),
            _ => None,
        }
    }

    /// How many bytes the body has.
    pub fn content_length(&self) -> u64 {
        self.span().map_or(0, |(s, e)| e - s + 1)
    }
}

/// The answer to `range` (the `Range` header's value, if sent) for a file
/// of `len` bytes, capped at `cap` bytes.
///
/// - `bytes=A-B`, `bytes=A-` and `bytes=-N` (the last N) are served;
/// - a range starting at or past the end is 416;
/// - only the first of several ranges is served (a 206 for one range is a
///   valid answer to a multi-range request);
/// - a header that is not a byte range is ignored, as HTTP says;
/// - no `Range` on a file larger than one chunk is answered as `bytes=0-`:
///   a 200 would have to carry the whole file at once.
pub fn answer(range: Option<&str>, len: u64, cap: u64) -> RangeAnswer {
    let cap = cap.max(1);
    let partial = |start: u64, end: u64| RangeAnswer::Partial { start, end: end.min(start + cap - 1).min(len - 1), len };
    let Some(spec) = range.and_then(parse) else {
        return if len <= cap { RangeAnswer::Whole { len } } else { partial(0, len - 1) };
    };
    match spec {
        Spec::From { start, end } => {
            if start >= len || end.is_some_and(|e| e < start) {
                RangeAnswer::Unsatisfiable { len }
            } else {
                partial(start, end.unwrap_or(len - 1))
            }
        }
        Spec::Suffix(0) => RangeAnswer::Unsatisfiable { len },
        Spec::Suffix(_) if len == 0 => RangeAnswer::Unsatisfiable { len },
        Spec::Suffix(n) => partial(len.saturating_sub(n), len - 1),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Spec {
    From { start: u64, end: Option<u64> },
    Suffix(u64),
}

fn parse(header: &str) -> Option<Spec> {
    let set = header.trim().strip_prefix("bytes=")?;
    let first = set.split(',').next()?.trim();
    let (a, b) = first.split_once('-')?;
    let num = |s: &str| -> Option<u64> { (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten() };
    match (a.trim(), b.trim()) {
        ("", n) => num(n).map(Spec::Suffix),
        (s, "") => Some(Spec::From { start: num(s)?, end: None }),
        (s, e) => Some(Spec::From { start: num(s)?, end: Some(num(e)?) }),
    }
}

/// Reads the bytes `answer` serves from `path` (seeking, never reading
/// the rest of the file).
pub fn read(path: &Path, answer: &RangeAnswer) -> std::io::Result<Vec<u8>> {
    let Some((start, end)) = answer.span() else { return Ok(Vec::new()) };
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity((end - start + 1) as usize);
    f.take(end - start + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::RangeAnswer::*;
    use super::*;

    const MB: u64 = 1 << 20;

    #[test]
    fn a_range_from_a_start_is_206_with_content_range() {
        let a = answer(Some("bytes=100-199"), 1000, MB);
        assert_eq!(a, Partial { start: 100, end: 199, len: 1000 });
        assert_eq!(a.status(), 206);
        assert_eq!(a.content_range().as_deref(), Some("bytes 100-199/1000"));
        assert_eq!(a.content_length(), 100);
        assert_eq!(answer(Some("bytes=990-"), 1000, MB), Partial { start: 990, end: 999, len: 1000 });
        assert_eq!(answer(Some("bytes=0-5000"), 1000, MB), Partial { start: 0, end: 999, len: 1000 }, "an end past the file is clipped");
    }

    #[test]
    fn suffix_ranges_are_the_last_bytes() {
        assert_eq!(answer(Some("bytes=-100"), 1000, MB), Partial { start: 900, end: 999, len: 1000 });
        assert_eq!(answer(Some("bytes=-5000"), 1000, MB), Partial { start: 0, end: 999, len: 1000 });
        assert_eq!(answer(Some("bytes=-0"), 1000, MB), Unsatisfiable { len: 1000 });
    }

    #[test]
    fn ranges_outside_the_file_are_416() {
        for r in ["bytes=1000-", "bytes=1000-2000", "bytes=500-100"] {
            let a = answer(Some(r), 1000, MB);
            assert_eq!(a, Unsatisfiable { len: 1000 }, "{r}");
            assert_eq!(a.status(), 416);
            assert_eq!(a.content_range().as_deref(), Some("bytes */1000"));
            assert_eq!(a.content_length(), 0);
        }
        assert_eq!(answer(Some("bytes=0-"), 0, MB), Unsatisfiable { len: 0 });
    }

    #[test]
    fn a_large_file_is_served_a_chunk_at_a_time() {
        let len = 200 * MB;
        assert_eq!(answer(Some("bytes=0-"), len, MB), Partial { start: 0, end: MB - 1, len });
        assert_eq!(answer(Some("bytes=150000000-"), len, MB), Partial { start: 150_000_000, end: 150_000_000 + MB - 1, len });
        assert_eq!(answer(None, len, MB), Partial { start: 0, end: MB - 1, len }, "never a 200 of 200 MB");
        assert_eq!(answer(None, 1000, MB), Whole { len: 1000 });
        assert_eq!(answer(None, 1000, MB).content_length(), 1000);
    }

    #[test]
    fn odd_headers_are_ignored_or_take_the_first_range() {
        assert_eq!(answer(Some("items=0-5"), 1000, MB), Whole { len: 1000 });
        assert_eq!(answer(Some("bytes=abc"), 1000, MB), Whole { len: 1000 });
        assert_eq!(answer(Some("bytes=+1-2"), 1000, MB), Whole { len: 1000 });
        assert_eq!(answer(Some("bytes=0-9, 20-29"), 1000, MB), Partial { start: 0, end: 9, len: 1000 });
        assert_eq!(answer(Some(" bytes= 5 - 9"), 1000, MB), Partial { start: 5, end: 9, len: 1000 });
    }

    #[test]
    fn read_takes_only_the_answered_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        let body: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &body).unwrap();
        let a = answer(Some("bytes=1000-1999"), body.len() as u64, MB);
        assert_eq!(read(&path, &a).unwrap(), body[1000..2000]);
        let a = answer(Some("bytes=-10"), body.len() as u64, 4);
        assert_eq!(read(&path, &a).unwrap(), body[4990..4994]);
        assert!(read(&path, &Unsatisfiable { len: 5000 }).unwrap().is_empty());
    }
}
