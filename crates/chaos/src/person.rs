//! The scripted person. For every job that ends `outcome_unknown` they look
//! at the simulator's ledger (as a person would look at Loova's dashboard):
//! a task with the job's prompt exists → "I found it on Loova"
//! (`loova attach JOB TASK_ID`); none → "It is not on Loova — send it"
//! (`loova resubmit JOB --yes`). An account the engine paused because Loova
//! refused its key or its credits is put back the way the app asks: the key
//! entered again (`loova accounts set-key`), or the account resumed
//! (`loova accounts resume`).

use crate::loova::{text, Loova};
use crate::sim::Sim;
use loova_core::store::{now_ms, AccountStatus, Db, JobFilter, JobState};
use std::collections::HashMap;

/// What the person did.
#[derive(Debug, Default)]
pub struct Decisions {
    pub attached: u32,
    pub resubmitted: u32,
    pub keys_entered_again: u32,
    pub resumed: u32,
    /// `loova attach` could not ask Loova (a fault): tried again later.
    pub attach_retries: u32,
}

pub struct Person<'a> {
    pub loova: &'a Loova,
    pub db: &'a Db,
    pub account: &'a str,
    pub key: &'a str,
    /// A job is looked at only once it has been unknown this long: a person
    /// does not react within milliseconds, and a create the simulator was
    /// still processing (its `slow` fault) has landed in the ledger by then.
    pub settle_ms: i64,
    pub done: Decisions,
}

impl Person<'_> {
    /// One look at the queue. Errors are violations (the campaign stops).
    pub async fn look(&mut self, sim: &Sim) -> anyhow::Result<()> {
        self.accounts(sim).await?;
        let unknown = self.db.jobs(&JobFilter { states: vec![JobState::OutcomeUnknown], ..Default::default() })?;
        let now = now_ms();
        let due: Vec<_> = unknown.into_iter().filter(|j| now - j.updated_at >= self.settle_ms).collect();
        if due.is_empty() {
            return Ok(());
        }
        let ledger = sim.state().await?;
        let mut by_prompt: HashMap<&str, Vec<&str>> = HashMap::new();
        for t in ledger.keys.iter().flat_map(|k| k.tasks.iter()) {
            by_prompt.entry(t.prompt.as_str()).or_default().push(t.task_id.as_str());
        }
        for job in due {
            let id = job.id.to_string();
            match by_prompt.get(job.spec.prompt.as_str()).map(Vec::as_slice) {
                Some([task]) => {
                    let o = self.loova.run(&["attach", &id, task]).await?;
                    match o.status.code() {
                        Some(0) => self.done.attached += 1,
                        // Loova could not be asked (a fault): look again later.
                        Some(1) => self.done.attach_retries += 1,
                        _ => anyhow::bail!("job {id}: `loova attach {id} {task}` refused the job's own task: {}", text(&o)),
                    }
                }
                Some(tasks) if tasks.len() > 1 => anyhow::bail!("job {id} has {} tasks on Loova: {tasks:?} (created more than once)", tasks.len()),
                _ => {
                    self.loova.ok(&["resubmit", &id, "--yes"]).await?;
                    self.done.resubmitted += 1;
                }
            }
        }
        Ok(())
    }

    /// A paused account: the key is fine on Loova (the ledger shows it not
    /// revoked) and credits are plenty, so the refusal was the service's
    /// fault; put the account back as the app tells the person to.
    async fn accounts(&mut self, sim: &Sim) -> anyhow::Result<()> {
        for a in self.db.accounts()? {
            match a.state {
                AccountStatus::KeyRejected => {
                    let ledger = sim.state().await?;
                    if ledger.key(self.key).is_some_and(|k| k.revoked) {
                        anyhow::bail!("the campaign's key was revoked on the simulator");
                    }
                    // The check may meet a fault itself; then the next look tries again.
                    let o = self.loova.with_key(&["accounts", "set-key", self.account, "--key-stdin"], self.key).await?;
                    if o.status.success() {
                        self.done.keys_entered_again += 1;
                    }
                }
                AccountStatus::NeedsCredits => {
                    // What the app's Resume button does, from the terminal.
                    let o = self.loova.run(&["accounts", "resume", self.account]).await?;
                    anyhow::ensure!(o.status.success(), "loova accounts resume failed: {}", text(&o));
                    self.done.resumed += 1;
                }
                AccountStatus::Active | AccountStatus::Paused => {}
            }
        }
        Ok(())
    }
}
