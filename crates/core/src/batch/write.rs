//! Writing jobs as a batch file that `load_batch` reads back unchanged.

use super::fields::{FIELDS, FILE_FIELDS};
use crate::job::JobSpec;

/// A row as the writers take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRow {
    pub name: Option<String>,
    pub account: Option<String>,
    pub spec: JobSpec,
}

/// Writes rows as CSV with every column (lists joined with `|`); what
/// `load_batch` reads back unchanged (URLs must not contain `|`: write %7C).
/// Cells that a spreadsheet would run as a formula get a leading `'`
/// (`crate::csv_cell`), which the reader takes off again.
pub fn write_csv(rows: &[WriteRow]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // The local-file columns only when a row has local files, so files
    // without them look exactly as before.
    let with_files = rows.iter().any(|r| r.spec.has_local_files());
    let mut header: Vec<&str> = FIELDS.to_vec();
    if with_files {
        header.extend(FILE_FIELDS);
    }
    w.write_record(&header).expect("writing to memory");
    for r in rows {
        let s = &r.spec;
        let duration = s.duration.to_string();
        let (images, videos, audios) = (s.image_urls.join("|"), s.video_urls.join("|"), s.audio_urls.join("|"));
        let mut record: Vec<String> = vec![
            s.prompt.clone(),
            s.model.clone(),
            s.function_mode.clone(),
            s.ratio.clone(),
            duration,
            images,
            videos,
            audios,
            r.name.clone().unwrap_or_default(),
            r.account.clone().unwrap_or_default(),
        ];
        if with_files {
            record.extend([s.image_files.join("|"), s.video_files.join("|"), s.audio_files.join("|")]);
        }
        // Safe to open in a spreadsheet; `csv_file` restores each cell.
        let record: Vec<_> = record.iter().map(|c| crate::csv_cell::neutralise(c)).collect();
        w.write_record(record.iter().map(|c| c.as_bytes())).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("written from strings")
}

/// Writes rows as JSON Lines (one object per line, lists as arrays).
pub fn write_jsonl(rows: &[WriteRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let mut v = serde_json::to_value(&r.spec).expect("a JobSpec serializes");
        let obj = v.as_object_mut().expect("an object");
        if let Some(n) = &r.name {
            obj.insert("name".into(), n.clone().into());
        }
        if let Some(a) = &r.account {
            obj.insert("account".into(), a.clone().into());
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}
