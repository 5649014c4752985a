//! How long a video or audio file plays, read from its headers without a
//! demuxer: the `mvhd` box of MP4/MOV/M4A; the byte rate and data size of
//! WAV; the `Duration` of a WebM/Matroska `Info`; the last granule position of
//! Ogg Vorbis/Opus; the Xing/Info or VBRI frame count of MP3, else (constant
//! bit rate) its size and bit rate. Anything else answers `None`.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Enough of each end of the file to find `moov` whether it is at the start
/// (fast-start files) or at the end.
const WINDOW: u64 = 8 * 1024 * 1024;

pub fn duration_secs(path: &Path) -> Option<f64> {
    let bytes = ends_of(path).ok()?;
    let file_len = std::fs::metadata(path).ok()?.len();
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE" {
        return wav(&bytes);
    }
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return matroska(&bytes);
    }
    if bytes.starts_with(b"OggS") {
        return ogg(&bytes);
    }
    if bytes.starts_with(b"ID3") || mp3_header(&bytes, 0).is_some() {
        return mp3(&bytes, file_len);
    }
    mvhd(&bytes)
}

fn ends_of(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut out = Vec::new();
    if len <= 2 * WINDOW {
        f.read_to_end(&mut out)?;
        return Ok(out);
    }
    f.by_ref().take(WINDOW).read_to_end(&mut out)?;
    f.seek(SeekFrom::End(-(WINDOW as i64)))?;
    f.take(WINDOW).read_to_end(&mut out)?;
    Ok(out)
}

fn be(b: &[u8], at: usize, n: usize) -> Option<u64> {
    b.get(at..at + n).map(|s| s.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

fn le(b: &[u8], at: usize, n: usize) -> Option<u64> {
    b.get(at..at + n).map(|s| s.iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

fn mvhd(b: &[u8]) -> Option<f64> {
    let at = b.windows(4).position(|w| w == b"mvhd")? + 4;
    let version = *b.get(at)?;
    let (timescale, duration) = if version == 1 {
        (be(b, at + 20, 4)?, be(b, at + 24, 8)?)
    } else {
        (be(b, at + 12, 4)?, be(b, at + 16, 4)?)
    };
    (timescale > 0).then(|| duration as f64 / timescale as f64)
}

fn wav(b: &[u8]) -> Option<f64> {
    let mut at = 12;
    let mut byte_rate = None;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = le(b, at + 4, 4)? as usize;
        if id == b"fmt " {
            byte_rate = le(b, at + 16, 4);
        } else if id == b"data" {
            let rate = byte_rate.filter(|r| *r > 0)?;
            return Some(size as f64 / rate as f64);
        }
        at += 8 + size + (size & 1);
    }
    None
}

/// An EBML variable-length integer at `at`: (value, length). `keep_marker`
/// for element IDs, which are written with their length bits.
fn vint(b: &[u8], at: usize, keep_marker: bool) -> Option<(u64, usize)> {
    let first = *b.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let mut v = if keep_marker { u64::from(first) } else { u64::from(first) & (0xFF >> len) };
    for i in 1..len {
        v = (v << 8) | u64::from(*b.get(at + i)?);
    }
    Some((v, len))
}

/// Segment → Info → Duration × TimecodeScale.
fn matroska(b: &[u8]) -> Option<f64> {
    const SEGMENT: u64 = 0x1853_8067;
    const INFO: u64 = 0x1549_A966;
    const CLUSTER: u64 = 0x1F43_B675;
    const TIMECODE_SCALE: u64 = 0x2A_D7B1;
    const DURATION: u64 = 0x4489;
    let (mut at, mut end) = (0usize, b.len());
    let (mut scale, mut duration) = (1_000_000u64, None);
    while at < end {
        let (id, id_len) = vint(b, at, true)?;
        let (size, size_len) = vint(b, at + id_len, false)?;
        let body = at + id_len + size_len;
        // An unknown size (all ones) runs to the end of what we have.
        let unknown = size == (1u64 << (7 * size_len)) - 1;
        let next = if unknown { end } else { body.saturating_add(size as usize).min(end) };
        match id {
            SEGMENT | INFO => {
                if id == INFO {
                    end = next;
                }
                at = body;
                continue;
            }
            TIMECODE_SCALE => scale = be(b, body, size as usize)?,
            DURATION => {
                duration = match size {
                    4 => Some(f64::from(f32::from_bits(be(b, body, 4)? as u32))),
                    8 => Some(f64::from_bits(be(b, body, 8)?)),
                    _ => None,
                }
            }
            CLUSTER => break,
            _ => {}
        }
        at = next;
    }
    duration.map(|d| d * scale as f64 / 1e9).filter(|d| d.is_finite() && *d > 0.0)
}

/// The last page's granule position over the stream's sample rate.
fn ogg(b: &[u8]) -> Option<f64> {
    let serial = le(b, 14, 4)?;
    let first_packet = 27 + usize::from(*b.get(26)?);
    let head = b.get(first_packet..)?;
    let (rate, pre_skip) = if head.starts_with(b"\x01vorbis") {
        (le(head, 12, 4)?, 0)
    } else if head.starts_with(b"OpusHead") {
        // Opus granules always count 48 kHz samples.
        (48_000, le(head, 10, 2)?)
    } else {
        return None;
    };
    let last = (0..b.len().saturating_sub(27)).rev().find(|&i| &b[i..i + 4] == b"OggS" && b[i + 4] == 0 && le(b, i + 14, 4) == Some(serial))?;
    let granule = le(b, last + 6, 8)?;
    (rate > 0 && granule != u64::MAX && granule > pre_skip).then(|| (granule - pre_skip) as f64 / rate as f64)
}

/// What an MPEG audio frame header says (bit rate in bit/s, layer 1–3).
struct Mp3Frame {
    mpeg1: bool,
    layer: u8,
    bitrate: u32,
    sample_rate: u32,
    padding: u32,
    mono: bool,
}

impl Mp3Frame {
    fn samples(&self) -> u32 {
        match (self.layer, self.mpeg1) {
            (1, _) => 384,
            (2, _) | (3, true) => 1152,
            _ => 576,
        }
    }

    fn len(&self) -> usize {
        let slot = if self.layer == 1 { 4 } else { 1 };
        (self.samples() / 8 / slot * self.bitrate / self.sample_rate + self.padding) as usize * slot as usize
    }
}

fn mp3_header(b: &[u8], at: usize) -> Option<Mp3Frame> {
    let h = b.get(at..at + 4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 2: 2, 3: 1
    let layer = 4 - ((h[1] >> 1) & 3); // 1..3; 4 is reserved
    let (bitrate_index, rate_index) = (usize::from(h[2] >> 4), usize::from((h[2] >> 2) & 3));
    if version == 1 || layer == 4 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const KBPS: [[u16; 15]; 5] = [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    let mpeg1 = version == 3;
    let table = match (mpeg1, layer) {
        (true, l) => usize::from(l - 1),
        (false, 1) => 3,
        (false, _) => 4,
    };
    let base_rate = [44_100, 48_000, 32_000][rate_index];
    let sample_rate = match version {
        3 => base_rate,
        2 => base_rate / 2,
        _ => base_rate / 4,
    };
    Some(Mp3Frame {
        mpeg1,
        layer,
        bitrate: u32::from(KBPS[table][bitrate_index]) * 1000,
        sample_rate,
        padding: u32::from((h[2] >> 1) & 1),
        mono: h[3] >> 6 == 3,
    })
}

fn mp3(b: &[u8], file_len: u64) -> Option<f64> {
    let mut start = 0;
    if b.starts_with(b"ID3") {
        let size = b.get(6..10)?.iter().fold(0usize, |acc, &x| (acc << 7) | usize::from(x & 0x7F));
        let footer = if b[5] & 0x10 != 0 { 10 } else { 0 };
        start = 10 + size + footer;
    }
    // The first frame whose successor is where its length says (a stray
    // 0xFF in a tag is not a frame), or the only one in a tiny file.
    let at = (start..b.len().min(start + 64 * 1024)).find(|&i| {
        mp3_header(b, i).is_some_and(|f| {
            let next = i + f.len();
            f.len() > 4 && (next + 4 > b.len() || mp3_header(b, next).is_some())
        })
    })?;
    let frame = mp3_header(b, at)?;
    // A Xing/Info (after the side information) or VBRI header counts the frames.
    let side = match (frame.mpeg1, frame.mono) {
        (true, true) => 17,
        (true, false) => 32,
        (false, true) => 9,
        (false, false) => 17,
    };
    let xing = at + 4 + side;
    let frames = match b.get(xing..xing + 4) {
        Some(b"Xing") | Some(b"Info") if be(b, xing + 4, 4).is_some_and(|flags| flags & 1 == 1) => be(b, xing + 8, 4),
        _ if b.get(at + 36..at + 40) == Some(b"VBRI") => be(b, at + 50, 4),
        _ => None,
    };
    if let Some(frames) = frames.filter(|f| *f > 0) {
        return Some(frames as f64 * f64::from(frame.samples()) / f64::from(frame.sample_rate));
    }
    let id3v1 = if file_len >= 128 && b.len() >= 128 && &b[b.len() - 128..b.len() - 125] == b"TAG" { 128 } else { 0 };
    let audio = file_len.checked_sub(at as u64 + id3v1)?;
    Some(audio as f64 * 8.0 / f64::from(frame.bitrate))
}

#[cfg(test)]
mod tests {
    use super::duration_secs;
    use std::path::Path;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
    }

    #[test]
    fn reads_the_length_of_every_supported_video_and_audio_format() {
        // Lengths as `ffprobe -show_entries format=duration` reports them for
        // the committed fixtures: MP3 with an Xing/Info header (8 kHz, MPEG
        // 2.5, with and without ID3v2), MP3 at a constant bit rate with no
        // frame count (44.1 kHz, MPEG 1), Ogg Vorbis and Ogg Opus, WebM.
        for (name, secs) in [
            ("clip.mp4", 0.8),
            ("clip.mov", 0.8),
            ("clip.webm", 0.8),
            ("tone.m4a", 0.3),
            ("tone.wav", 0.3),
            ("tone.mp3", 0.504),
            ("tone-noid3.mp3", 0.504),
            ("tone-cbr.mp3", 1.22775),
            ("tone.ogg", 0.3),
            ("tone.opus", 0.7065),
        ] {
            let d = duration_secs(&fixture(name)).unwrap_or_else(|| panic!("{name}: no duration"));
            assert!((d - secs).abs() < 0.01, "{name}: {d} s, expected {secs} s");
        }
        assert_eq!(duration_secs(&fixture("red.png")), None);
        assert_eq!(duration_secs(&fixture("text-named.png")), None);
    }

    #[test]
    fn garbage_and_cut_off_files_answer_none_instead_of_panicking() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["clip.webm", "tone.mp3", "tone.ogg", "tone.opus", "tone-cbr.mp3", "clip.mp4", "tone.wav"] {
            let bytes = std::fs::read(fixture(name)).unwrap();
            for cut in [1, 4, 11, 27, 40, bytes.len() / 2] {
                let p = dir.path().join(format!("{cut}-{name}"));
                std::fs::write(&p, &bytes[..cut.min(bytes.len())]).unwrap();
                if let Some(d) = duration_secs(&p) {
                    assert!(d.is_finite() && d >= 0.0, "{name} cut at {cut}: {d}");
                }
            }
        }
        for junk in [&[0xFFu8, 0xFB, 0xFF, 0xFF][..], &[0x1A, 0x45, 0xDF, 0xA3, 0xFF, 0x01], b"OggS", b"ID3\x04\x00\x00\x7F\x7F\x7F\x7F"] {
            let p = dir.path().join("junk");
            std::fs::write(&p, junk).unwrap();
            let _ = duration_secs(&p);
        }
    }
}
