//! The person's overflow rule for an account: where its waiting jobs go
//! when it runs out of API credits or over its budget (the engine moves
//! them, `engine/overflow.rs`).

use super::{AccountChoice, AccountError, AccountView, Accounts};
use crate::store::AccountRow;

impl Accounts {
    /// Sends `id`'s waiting jobs to `to` when `id` runs dry; `None` turns it
    /// off. Never from or to a Sandbox (play credits must not spill onto a
    /// paying account, nor real jobs into a simulator), never to itself.
    pub fn set_overflow(&self, id: &str, to: Option<&str>) -> Result<AccountView, AccountError> {
        let from = self.row(id)?;
        let Some(to) = to else {
            self.db.set_overflow(&from.id, None)?;
            return self.get(&from.id);
        };
        let to = self.db.find_account(to)?.ok_or_else(|| AccountError::NotFound(to.into()))?;
        let refuse = |message: String| Err(AccountError::Invalid { field: "overflow_to", message });
        if from.sandbox {
            return refuse(format!("{} is a Sandbox: its play credits never spill onto another account. Choose a real account to overflow from.", from.name));
        }
        if to.sandbox {
            return refuse(format!("{} is a Sandbox: it cannot make real videos for {}'s jobs. Choose another real account.", to.name, from.name));
        }
        if to.id == from.id {
            return refuse(format!("{} cannot overflow to itself. Choose another account, or turn overflow off.", from.name));
        }
        self.db.set_overflow(&from.id, Some(&to.id))?;
        self.get(&from.id)
    }

    /// The name of the account's overflow account, and the accounts it may
    /// choose (every other real account; none for a Sandbox).
    pub(super) fn overflow_of(&self, row: &AccountRow) -> (Option<String>, Vec<AccountChoice>) {
        let all = self.db.accounts().unwrap_or_default();
        let name = row.overflow_to.as_ref().and_then(|to| all.iter().find(|a| &a.id == to)).map(|a| a.name.clone());
        let choices = if row.sandbox {
            Vec::new()
        } else {
            all.into_iter().filter(|a| !a.sandbox && a.id != row.id).map(|a| AccountChoice { id: a.id, name: a.name }).collect()
        };
        (name, choices)
    }
}
