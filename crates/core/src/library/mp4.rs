//! Is a downloaded file a real MP4? Its top-level boxes are walked (size +
//! type headers, ISO/IEC 14496-12 §4.2) and must include an `ftyp` and a
//! `moov` box, and every box must end inside the file. Only headers are read:
//! a byte scan could find "moov" inside the media data of any file.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// `Ok(())` for an MP4, else what is wrong, in words.
pub fn check(path: &Path) -> Result<(), String> {
    let mut f = File::open(path).map_err(|e| format!("could not read it back: {e}"))?;
    let len = f.metadata().map_err(|e| format!("could not read it back: {e}"))?.len();
    let (mut ftyp, mut moov) = (false, false);
    let mut at: u64 = 0;
    while at < len {
        if len - at < 8 {
            return Err(format!("{} stray bytes at the end", len - at));
        }
        f.seek(SeekFrom::Start(at)).map_err(|e| e.to_string())?;
        let mut head = [0u8; 8];
        f.read_exact(&mut head).map_err(|e| e.to_string())?;
        let small = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let kind = [head[4], head[5], head[6], head[7]];
        if !kind.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ' || *b == 0xa9) {
            return Err(format!("no MP4 box at byte {at}"));
        }
        let (size, header) = match small {
            // The box runs to the end of the file.
            0 => (len - at, 8),
            // A 64-bit size follows the type.
            1 => {
                let mut large = [0u8; 8];
                f.read_exact(&mut large).map_err(|_| format!("a box header at byte {at} is cut off"))?;
                (u64::from_be_bytes(large), 16)
            }
            n => (n, 8),
        };
        if size < header || size > len - at {
            return Err(format!("the box at byte {at} claims {size} bytes, the file has {} from there", len - at));
        }
        ftyp |= &kind == b"ftyp";
        moov |= &kind == b"moov";
        at += size;
    }
    match (ftyp, moov) {
        (true, true) => Ok(()),
        (false, _) => Err("no ftyp box: this is not an MP4 file".into()),
        (true, false) => Err("no moov box: the video's index is missing".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    fn boxed(kind: &[u8; 4], body: usize) -> Vec<u8> {
        let mut b = ((body + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend(vec![0u8; body]);
        b
    }

    fn verdict(bytes: &[u8]) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.mp4");
        std::fs::write(&p, bytes).unwrap();
        check(&p)
    }

    #[test]
    fn knows_an_mp4_from_what_only_looks_like_one() {
        assert_eq!(verdict(loova_sim::routes::files::SAMPLE_MP4), Ok(()));
        let mp4 = [boxed(b"ftyp", 16), boxed(b"moov", 40), boxed(b"mdat", 100)].concat();
        assert_eq!(verdict(&mp4), Ok(()));
        // The simulator's `malformed` body: the right length, all zeros.
        assert!(verdict(&vec![0u8; mp4.len()]).is_err());
        assert!(verdict(b"<html><body>502 Bad Gateway</body></html>").is_err());
        // "moov" inside the media data is not a moov box.
        let hidden = [boxed(b"ftyp", 16), b"\0\0\0\x10mdatmoovmoov".to_vec()].concat();
        assert!(verdict(&hidden).unwrap_err().contains("moov"));
        // Cut off in the middle of a box.
        assert!(verdict(&mp4[..mp4.len() - 10]).is_err());
        assert!(verdict(&[boxed(b"ftyp", 16), boxed(b"mdat", 10)].concat()).unwrap_err().contains("moov"));
        assert!(verdict(b"").is_err());
    }
}
