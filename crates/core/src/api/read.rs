//! An answer's bytes to what the client returns, without the network: the
//! envelope is opened and its `data` read exactly as [`super::LoovaClient`]'s
//! `credits`, `create` and `task` do after their request. Public so that the
//! fuzz targets (`crates/fuzz`) and their corpus test feed hostile bodies to
//! the same functions.

use super::envelope;
use super::error::{ApiError, Op};
use super::types::{self, Created, Credits, TaskInfo};

/// The answer to `GET /v1/credits`.
pub fn credits(http_status: u16, body: &[u8]) -> Result<Credits, ApiError> {
    let answer = envelope::open(&Op::Credits, http_status, body)?;
    types::credits_from(&answer.data).map_err(|detail| answer.unusable(Op::Credits, detail))
}

/// The answer to `POST /v1/video/seedance-2`.
pub fn created(http_status: u16, body: &[u8]) -> Result<Created, ApiError> {
    let answer = envelope::open(&Op::Create, http_status, body)?;
    types::created_from(&answer.data, &answer.top).map_err(|detail| answer.unusable(Op::Create, detail))
}

/// The answer to `GET /v1/tasks?task_id=` for `task_id`.
pub fn task(http_status: u16, body: &[u8], task_id: &str) -> Result<TaskInfo, ApiError> {
    let op = Op::Task { task_id: task_id.to_string() };
    let answer = envelope::open(&op, http_status, body)?;
    types::task_from(&answer.data, &answer.top, task_id).map_err(|detail| answer.unusable(op, detail))
}
