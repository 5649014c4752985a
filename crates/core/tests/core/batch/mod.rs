//! Batch files: parsing (fixtures with every kind of error, odd encodings and
//! quoting), round trips (property tests), 10,000 rows, the cost preview
//! against independent arithmetic, and queueing on a real SQLite database.
//! One test binary, one module per part.

mod helpers;
mod hostile;
mod parsing;
mod preview_and_queue;
