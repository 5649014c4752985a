//! The Composer's two requests for a variation set, each one call (as
//! `batch_import` is for a file): preview it against an account, and queue
//! it as one batch. Wildcards are read from the database's data folder.

use super::price::VariationQueueError;
use super::VariationPreview;
use crate::accounts::Accounts;
use crate::batch::{self, BatchSummary};
use crate::pricing::LoadedPriceList;
use crate::store::Db;
use crate::variations::{expand, VariationRequest, Wildcards};

/// Expands and prices `req` (nothing is queued); with an account, against
/// its balance. The preview lists the first `FIRST_ROWS` jobs.
pub fn preview_request(
    db: &Db,
    accounts: &Accounts,
    prices: &LoadedPriceList,
    req: &VariationRequest,
    account_id: Option<&str>,
) -> Result<VariationPreview, VariationQueueError> {
    let expansion = expand(req, &mut Wildcards::of_data_dir(&db.data_dir()))?;
    let balance = match account_id {
        Some(id) => Some(batch::account_balance(db, &accounts.get(id)?)?),
        None => None,
    };
    // Without a price per credit the preview shows the packs' range instead.
    let ppc = batch::price_per_credit(db).ok().flatten();
    let mut preview = super::preview(&expansion, prices, balance.as_ref(), ppc, false);
    if let Some(id) = account_id {
        let file = super::as_batch(&expansion, prices);
        preview.forecast = Some(batch::order::forecast(db, prices, id, file.valid().map(|r| &r.spec))?);
    }
    Ok(preview)
}

/// Expands `req` again (the wildcard files as they are now) and queues every
/// job on `account_id` as one batch, in `order`; more than `CONFIRM_ABOVE`
/// need `confirmed`.
pub fn queue_request(
    db: &Db,
    accounts: &Accounts,
    prices: &LoadedPriceList,
    req: &VariationRequest,
    account_id: &str,
    confirmed: bool,
    order: batch::QueueOrder,
) -> Result<BatchSummary, VariationQueueError> {
    let account = accounts.get(account_id)?;
    let expansion = expand(req, &mut Wildcards::of_data_dir(&db.data_dir()))?;
    super::enqueue_in_order(db, &account.id, &expansion, prices, confirmed, order)
}
