//! Reading a create request's body: JSON, or multipart/form-data in the
//! dialects the configuration understands (both reduced by `validate`).

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use serde_json::Value;

use crate::config::Compat;
use crate::state::{ReceivedFile, ReceivedForm};
use crate::validate::{self, Invalid, MediaKind, ValidCreate};

fn bad(why: String) -> Invalid {
    Invalid { field: "body".into(), reason: why }
}

/// JSON or multipart/form-data (read as the service `compat` describes).
pub async fn parse_create(req: Request, compat: &Compat) -> Result<ValidCreate, Invalid> {
    parse_create_recorded(req, compat).await.0
}

/// [`parse_create`], plus what a multipart request carried (as far as it
/// could be read), for tests to inspect.
pub async fn parse_create_recorded(req: Request, compat: &Compat) -> (Result<ValidCreate, Invalid>, Option<ReceivedForm>) {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut received = ReceivedForm::default();
        let r = match read_form(req, &mut received).await {
            Ok(kinds) => validate::from_form_compat(compat, &received.fields, &kinds),
            Err(e) => Err(e),
        };
        return (r, Some(received));
    }
    let r = async {
        let bytes = axum::body::Bytes::from_request(req, &()).await.map_err(|e| bad(format!("unreadable body: {e}")))?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("must be JSON: {e}")))?;
        validate::from_json_as(compat.json_dialect, &v)
    }
    .await;
    (r, None)
}

/// Read every part into `received`; returns the kinds of the `files` parts.
async fn read_form(req: Request, received: &mut ReceivedForm) -> Result<Vec<MediaKind>, Invalid> {
    let mut mp = Multipart::from_request(req, &()).await.map_err(|e| bad(format!("malformed multipart: {e}")))?;
    let mut kinds = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(|e| bad(format!("malformed multipart: {e}")))? {
        let name = field.name().unwrap_or("").to_string();
        if name != "files" {
            // UTF-8, as Loova reads it; `Field::text` would decode any
            // declared charset and link every encoding table into the app.
            let bytes = field.bytes().await.map_err(|_| Invalid { field: name.clone(), reason: "must be text".into() })?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| Invalid { field: name.clone(), reason: "must be UTF-8 text".into() })?;
            received.fields.push((name, text));
            continue;
        }
        let kind = MediaKind::detect(field.content_type(), field.file_name());
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(str::to_string);
        // Drain the upload; its kind and size matter to the simulator.
        let bytes = field.bytes().await.map_err(|e| bad(format!("malformed multipart: {e}")))?;
        received.files.push(ReceivedFile { file_name, content_type, size: bytes.len() });
        kinds.push(kind.ok_or_else(|| Invalid { field: "files".into(), reason: "each file must be an image, video or audio (by content type)".into() })?);
    }
    Ok(kinds)
}
