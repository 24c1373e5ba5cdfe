//! While the demo runs its clients keep receiving replies: after a jittered wait the simulator
//! gets one new reply in one of its workspaces, and that client's sync is asked to run now the
//! way "sync now" asks (its job in the queue is brought forward), so the reply shows in the
//! inbox within seconds. The task ends with the demo: [`Replies::stop`] cancels and joins it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use instantly_sim::{RunningSim, TickRequest};
use rand::Rng;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::domain::TenantId;
use crate::store::DynStore;
use crate::sync::SyncWorker;

/// The shortest wait between two replies; each wait is drawn between this and twice it, so a
/// newcomer sees one arrive every 20 to 40 seconds.
pub const REPLY_EVERY: Duration = Duration::from_secs(20);

/// A reply the simulator received while the demo ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedReply {
    pub tenant: TenantId,
    pub thread_id: String,
    /// The Instantly id of the new email.
    pub email_id: String,
}

/// The running task that makes replies arrive.
pub(super) struct Replies {
    cancel: CancellationToken,
    task: JoinHandle<()>,
    arrived: Arc<Mutex<Vec<ArrivedReply>>>,
}

/// One client and the simulator workspace it is linked to.
pub(super) struct Linked {
    pub tenant: TenantId,
    pub workspace_id: String,
}

impl Replies {
    pub fn start(
        sim: Arc<RunningSim>,
        store: DynStore,
        clients: Vec<Linked>,
        every: Duration,
    ) -> Self {
        let cancel = CancellationToken::new();
        let arrived = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(run(
            Ticker {
                sim,
                store,
                clients,
                arrived: arrived.clone(),
            },
            every,
            cancel.clone(),
        ));
        Self {
            cancel,
            task,
            arrived,
        }
    }

    pub fn arrived(&self) -> Vec<ArrivedReply> {
        self.arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Cancels the task and waits for it: a tick in progress finishes first.
    pub async fn stop(self) {
        self.cancel.cancel();
        if let Err(error) = self.task.await {
            tracing::warn!(error = %error, "the demo's reply task ended badly");
        }
    }
}

struct Ticker {
    sim: Arc<RunningSim>,
    store: DynStore,
    clients: Vec<Linked>,
    arrived: Arc<Mutex<Vec<ArrivedReply>>>,
}

async fn run(ticker: Ticker, every: Duration, cancel: CancellationToken) {
    if ticker.clients.is_empty() {
        return;
    }
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(jittered(every)) => {}
        }
        let client = &ticker.clients[rand::rng().random_range(0..ticker.clients.len())];
        ticker.reply_in(client).await;
    }
}

impl Ticker {
    /// One new reply in `client`'s workspace, then its sync brought forward.
    async fn reply_in(&self, client: &Linked) {
        let request = TickRequest {
            workspace_id: Some(client.workspace_id.clone()),
            new_replies: 1,
            ..Default::default()
        };
        let report = self.sim.tick(&request);
        let new: Vec<ArrivedReply> = report
            .workspaces
            .into_iter()
            .flat_map(|changes| changes.new_emails)
            .map(|email| ArrivedReply {
                tenant: client.tenant,
                thread_id: email.thread_id,
                email_id: email.id,
            })
            .collect();
        if new.is_empty() {
            return;
        }
        self.arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(new);
        if let Err(error) = SyncWorker::request(&self.store, client.tenant).await {
            tracing::warn!(tenant = %client.tenant, error = %error, "cannot ask for the demo's sync");
        }
    }
}

/// A wait between `every` and twice it.
fn jittered(every: Duration) -> Duration {
    let least = u64::try_from(every.as_millis()).unwrap_or(u64::MAX / 2);
    let most = least.saturating_mul(2);
    Duration::from_millis(rand::rng().random_range(least..=most))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_fall_between_the_interval_and_twice_it() {
        for _ in 0..100 {
            let wait = jittered(REPLY_EVERY);
            assert!(wait >= REPLY_EVERY && wait <= REPLY_EVERY * 2, "{wait:?}");
        }
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
