//! How long a video or audio file plays, read by Symphonia's demuxers (no
//! decoding): the movie header of MP4/MOV/M4A, the `Info` of WebM, the last
//! granule position of Ogg Vorbis/Opus, the Xing/Info or VBRI frame count of
//! MP3, else its bit rate; and the byte rate and data size of WAV. Anything
//! else, or a file they cannot read, answers `None`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::units::{Duration, TimeBase};
use symphonia::default::formats::{IsoMp4Reader, MkvReader, MpaReader, OggReader};

/// How much media data is demuxed, at most, to measure a file whose headers
/// do not state its length (see [`counted`]).
const COUNT_LIMIT: usize = 16 * 1024 * 1024;

pub fn duration_secs(path: &Path) -> Option<f64> {
    let format = crate::media::sniff(path).ok()?.format;
    let mut file = File::open(path).ok()?;
    if format == "WAV" {
        return wav(&mut file).filter(|d| d.is_finite() && *d > 0.0);
    }
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let opts = FormatOptions::default();
    let mut reader: Box<dyn FormatReader> = match format.as_str() {
        "MP4" | "MOV" | "M4A" => Box::new(IsoMp4Reader::try_new(mss, opts).ok()?),
        "WebM" => Box::new(MkvReader::try_new(mss, opts).ok()?),
        "OGG" => Box::new(OggReader::try_new(mss, opts).ok()?),
        "MP3" => Box::new(MpaReader::try_new(mss, opts).ok()?),
        _ => return None,
    };
    let stated = if format == "MP3" { mp3(reader.as_ref()) } else { stated(reader.as_ref()) };
    stated.or_else(|| counted(reader.as_mut())).filter(|d| d.is_finite() && *d > 0.0)
}

fn secs(time_base: Option<TimeBase>, duration: Option<Duration>) -> Option<f64> {
    Some(time_base?.calc_duration(duration?)?.as_secs_f64()).filter(|d| *d > 0.0)
}

/// The length the container states for the whole: for MP4 the movie header
/// (`mvhd`, found by walking the box tree, never by a byte search that could
/// match inside the media data), which counts an edit list that trims an
/// AAC encoder's priming samples, as players and ffprobe do.
fn stated(reader: &dyn FormatReader) -> Option<f64> {
    let info = reader.media_info();
    secs(info.time_base, info.duration)
}

/// Symphonia leaves out the encoder delay and padding frames that a LAME
/// tag names (for gapless playback); ffprobe — and so, presumably, Loova —
/// counts them, so they are added back to give the figure seen elsewhere.
fn mp3(reader: &dyn FormatReader) -> Option<f64> {
    let track = reader.tracks().first()?;
    let extra = u64::from(track.delay.unwrap_or(0)) + u64::from(track.padding.unwrap_or(0));
    secs(track.time_base, Some(Duration::new(track.duration?.get().checked_add(extra)?)))
}

/// The end of the last packet, for files whose headers state no length: a
/// WebM recorded live (no `Duration`), or an MP3 without a frame count that
/// is too short for Symphonia's bit-rate estimate (it samples 16 frames).
/// More than [`COUNT_LIMIT`] bytes of media data answer `None`.
fn counted(reader: &mut dyn FormatReader) -> Option<f64> {
    let mut ends: Vec<(u32, u64)> = Vec::new();
    let mut read = 0usize;
    while let Ok(Some(packet)) = reader.next_packet() {
        read += packet.data.len();
        if read > COUNT_LIMIT {
            return None;
        }
        let end = u64::try_from(packet.pts.get()).unwrap_or(0).saturating_add(packet.dur.get());
        match ends.iter_mut().find(|(id, _)| *id == packet.track_id) {
            Some((_, e)) => *e = (*e).max(end),
            None => ends.push((packet.track_id, end)),
        }
    }
    let tracks = reader.tracks();
    ends.into_iter().filter_map(|(id, end)| secs(tracks.iter().find(|t| t.id == id)?.time_base, Some(Duration::new(end)))).max_by(f64::total_cmp)
}

/// WAV: the `data` chunk's size over the `fmt ` chunk's byte rate.
/// Symphonia 0.6's WAV reader is not used: a damaged `fmt ` chunk with an
/// absurd channel count makes it overflow (a panic in debug builds; seen on
/// randomly damaged copies of `tone.wav`), and this walk of the RIFF chunks
/// is all a length needs.
fn wav(file: &mut File) -> Option<f64> {
    let len = file.metadata().ok()?.len();
    let mut at = 12u64;
    let mut byte_rate = None;
    while at + 8 <= len {
        let mut head = [0u8; 8];
        file.seek(SeekFrom::Start(at)).ok()?;
        file.read_exact(&mut head).ok()?;
        let size = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
        match &head[..4] {
            b"fmt " => {
                let mut fmt = [0u8; 12];
                file.read_exact(&mut fmt).ok()?;
                byte_rate = Some(u32::from_le_bytes([fmt[8], fmt[9], fmt[10], fmt[11]]));
            }
            // A file still being written may state a size past its end.
            b"data" => return Some(size.min(len - at - 8) as f64 / f64::from(byte_rate.filter(|r| *r > 0)?)),
            _ => {}
        }
        at += 8 + size + (size & 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::duration_secs;
    use rand::{Rng, SeedableRng};
    use std::path::Path;

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media").join(name)
    }

    const AV: [&str; 10] = ["clip.mp4", "clip.mov", "clip.webm", "tone.m4a", "tone.wav", "tone.mp3", "tone-noid3.mp3", "tone-cbr.mp3", "tone.ogg", "tone.opus"];

    #[test]
    fn reads_the_length_of_every_supported_video_and_audio_format() {
        // Lengths as `ffprobe -show_entries format=duration` reports them for
        // the committed fixtures: MP3 with an Xing/Info header (8 kHz, MPEG
        // 2.5, with and without ID3v2), MP3 at a constant bit rate with no
        // frame count (44.1 kHz, MPEG 1), Ogg Vorbis and Ogg Opus, WebM.
        for (name, secs) in AV.into_iter().zip([0.8, 0.8, 0.8, 0.3, 0.3, 0.504, 0.504, 1.22775, 0.3, 0.7065]) {
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

    /// Every fixture cut short and with random bytes overwritten
    /// (seeded, so a failure repeats): no panic, no absurd answer. The
    /// libraries' parsers see hostile files here, not just our own code.
    #[test]
    fn damaged_files_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(10);
        for name in AV {
            let bytes = std::fs::read(fixture(name)).unwrap();
            let p = dir.path().join(name);
            let check = |b: &[u8], what: &str| {
                std::fs::write(&p, b).unwrap();
                if let Some(d) = duration_secs(&p) {
                    assert!(d.is_finite() && d > 0.0, "{name} {what}: {d}");
                }
            };
            // Every length through the headers, then a sample of the rest.
            for cut in (0..bytes.len()).filter(|c| *c < 128 || c % 13 == 0) {
                check(&bytes[..cut], &format!("cut at {cut}"));
            }
            for round in 0..200 {
                let mut b = bytes.clone();
                for _ in 0..rng.gen_range(1..8) {
                    let i = rng.gen_range(0..b.len());
                    b[i] = rng.gen();
                }
                check(&b, &format!("damaged (round {round})"));
            }
        }
    }
}
