//! A variation set as a batch: the expansion of a template
//! (`crate::variations`) priced, checked against a balance and queued as one
//! batch through `crate::batch`, the one implementation of both.

pub mod app;
pub mod price;

pub use app::{preview_request, queue_request};
pub use price::{as_batch, enqueue, enqueue_in_order, preview, VariationPreview, VariationQueueError, FIRST_ROWS};
