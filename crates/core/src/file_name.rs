//! Names of the files and folders the app creates from people's text (a
//! prompt, a job or account name): safe on Windows, macOS and Linux.

/// Directional formatting characters: embeddings and overrides
/// (U+202A–U+202E), isolates (U+2066–U+2069) and the invisible marks
/// (U+200E, U+200F, U+061C). In a name they make a file display as
/// something it is not (`invoice<U+202E>gpj.exe` shows as `invoiceexe.jpg`),
/// and they carry no meaning a file name needs.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Names Windows reserves for devices, with any extension (`con.txt` is
/// the console too), compared case-insensitively on the part before the
/// first dot, trailing spaces ignored as Windows ignores them.
fn is_reserved_on_windows(stem: &str) -> bool {
    let first = stem.split('.').next().unwrap_or("").trim_end().to_ascii_uppercase();
    if matches!(first.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    // COM0–COM9 and LPT0–LPT9, and the superscript digits ¹²³ Windows also
    // takes as port numbers.
    let port = first.strip_prefix("COM").or_else(|| first.strip_prefix("LPT"));
    port.is_some_and(|n| {
        let mut chars = n.chars();
        matches!((chars.next(), chars.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
    })
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on
/// a character boundary.
pub(crate) fn cut_to_bytes(text: &str, max_bytes: usize) -> &str {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A file or folder name safe on Windows, macOS and Linux: no reserved
/// characters or names, no control or directional formatting characters,
/// no leading or trailing dots/spaces, and at most `max_bytes` bytes of
/// UTF-8. File systems limit a name in bytes (255 on ext4 and APFS; NTFS's
/// 255 UTF-16 units are never fewer than UTF-8 bytes), so a limit in
/// characters let 76 four-byte emoji become a 304-byte name the OS refused.
pub fn sanitize_file_stem(text: &str, max_bytes: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars().filter(|c| !is_bidi_control(*c)) {
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
    let out = cut_to_bytes(out.trim_start_matches(['.', ' ']), max_bytes).trim_end_matches(['.', ' ']);
    if out.is_empty() {
        return "video".into();
    }
    if is_reserved_on_windows(out) {
        // One byte more than asked: the prefix must not cut the name that
        // was already cut to fit.
        return format!("_{}", cut_to_bytes(out, max_bytes.saturating_sub(1)).trim_end_matches(['.', ' ']));
    }
    out.to_string()
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
    }

    #[test]
    fn the_limit_is_in_bytes_and_cuts_between_characters() {
        let clapper = "🎬".repeat(120);
        let stem = sanitize_file_stem(&clapper, 76);
        assert_eq!(stem, "🎬".repeat(19), "76 bytes hold 19 four-byte characters");
        assert_eq!(sanitize_file_stem(&"é".repeat(200), 76), "é".repeat(38));
        assert_eq!(sanitize_file_stem(&"a".repeat(200), 76).len(), 76);
        // A cut that ends on a space or dot does not leave it at the end.
        assert_eq!(sanitize_file_stem(&format!("{} {}", "a".repeat(75), "b".repeat(9)), 76), "a".repeat(75));
        for max in 1..12 {
            let s = sanitize_file_stem("日本語のプロンプト", max);
            assert!(s.len() <= max || s == "video", "{max}: {s}");
        }
    }

    #[test]
    fn directional_overrides_are_removed() {
        assert_eq!(sanitize_file_stem("invoice\u{202E}gpj.exe", 76), "invoicegpj.exe");
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}'] {
            assert_eq!(sanitize_file_stem(&format!("a{c}b"), 76), "ab", "U+{:04X}", c as u32);
        }
        assert_eq!(sanitize_file_stem("\u{202E}", 76), "video");
        // Right-to-left text itself stays.
        assert_eq!(sanitize_file_stem("שועל אדום", 76), "שועל אדום");
    }

    #[test]
    fn every_windows_device_name_is_prefixed() {
        for name in ["CONIN$", "conout$", "CONIN$.mp4", "con .txt", "AUX", "nul.tar.gz", "LPT9", "COM¹", "prn"] {
            assert!(sanitize_file_stem(name, 76).starts_with('_'), "{name}");
        }
        for name in ["CONSOLE", "COM10", "LPT", "conin", "my con", "auxiliary"] {
            assert!(!sanitize_file_stem(name, 76).starts_with('_'), "{name}");
        }
        assert!(sanitize_file_stem("CONOUT$", 7).len() <= 7);
    }
}
