//! Live updates: what changed, told to the open pages of the people who may see it.
//!
//! Each node has one hub (a broadcast channel). On PostgreSQL an event travels through
//! `pg_notify('live_events', …)` once its change has committed, and every node, this one
//! included, relays what it hears into its hub, so a page open on one node sees changes made on
//! another. On SQLite (one node) events go straight into the hub. A subscriber chooses its
//! tenants when it subscribes, from what its person may see then, and never receives another
//! tenant's event.

mod stream;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::domain::{TenantId, UserId};
use crate::store::{DynStore, Notices, Result};

pub use stream::{Delivery, Subscription};

/// Events a slow subscriber may fall behind by before it is told to reload instead.
const BACKLOG: usize = 1024;
/// How long a lost listener waits before listening again.
const RELISTEN: Duration = Duration::from_secs(1);

/// One change, in one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub tenant_id: TenantId,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A thread's messages or its triage (read, done, snooze, owner) changed.
    Thread { thread_id: String },
    /// A teammate has a thread open, is writing in it, or left it. `name` is their display
    /// name (empty when they set none: never their address, which client representatives may
    /// not see).
    Presence {
        thread_id: String,
        user_id: UserId,
        name: String,
        state: PresenceState,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Viewing,
    Writing,
    Left,
}

impl PresenceState {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "viewing" => Some(Self::Viewing),
            "writing" => Some(Self::Writing),
            "left" => Some(Self::Left),
            _ => None,
        }
    }
}

impl LiveEvent {
    /// A thread's messages or triage changed.
    pub fn thread_changed(tenant_id: TenantId, thread_id: String) -> Self {
        Self {
            tenant_id,
            change: Change::Thread { thread_id },
        }
    }
}

/// What the hub carries: an event, or word that events were missed (a listener reconnected).
#[derive(Debug, Clone)]
enum Signal {
    Event(Arc<LiveEvent>),
    Missed,
}

/// Where events cross between nodes: PostgreSQL's notices; nothing on SQLite.
#[async_trait]
pub trait LiveStore {
    /// Sends the events to every node's listener, in one round trip; false where the backend
    /// has no such thing.
    async fn announce(&self, payloads: &[String]) -> Result<bool>;
    /// A listener of its own for announced events; `None` where there are none (SQLite).
    async fn listen_for_live(&self) -> Result<Option<Notices>>;
    /// Another node changed this tenant's data (or this one did): reads kept from before it
    /// are not answers any more.
    fn heard_change(&self, tenant: TenantId);
    /// Events may have been missed: no kept read is an answer any more.
    fn missed_changes(&self);
}

/// This node's hub.
#[derive(Clone)]
pub struct Live {
    hub: broadcast::Sender<Signal>,
    store: DynStore,
    /// Cancelled when the server stops: every open stream ends, so shutdown need not wait.
    closing: CancellationToken,
}

impl Live {
    pub fn new(store: DynStore, closing: CancellationToken) -> Self {
        let (hub, _) = broadcast::channel(BACKLOG);
        Self {
            hub,
            store,
            closing,
        }
    }

    /// Tells every node's subscribers. Call it after the change has committed. A failure to
    /// announce is logged and the event still reaches this node's subscribers.
    pub async fn publish(&self, event: LiveEvent) {
        self.publish_all(vec![event]).await;
    }

    /// [`Live::publish`] for many events (a bulk change), in one round trip.
    pub async fn publish_all(&self, events: Vec<LiveEvent>) {
        let payloads: Vec<String> = events
            .iter()
            .map(|event| serde_json::to_string(event).expect("events serialize"))
            .collect();
        match self.store.announce(&payloads).await {
            Ok(true) => {}
            Ok(false) => events.into_iter().for_each(|event| self.deliver(event)),
            Err(error) => {
                tracing::warn!(error = %error, "could not announce live events to other nodes");
                events.into_iter().for_each(|event| self.deliver(event));
            }
        }
    }

    /// Events of these tenants from now on, until the server stops.
    pub fn subscribe(&self, tenants: HashSet<TenantId>) -> Subscription {
        Subscription::new(self.hub.subscribe(), tenants, self.closing.clone())
    }

    fn deliver(&self, event: LiveEvent) {
        // No subscribers is not an error: nobody has a page open.
        let _ = self.hub.send(Signal::Event(Arc::new(event)));
    }

    /// Relays announced events (from every node) into this node's hub until cancelled. Returns
    /// at once where the backend announces nothing (SQLite).
    pub async fn relay(self, cancel: CancellationToken) {
        loop {
            let notices = tokio::select! {
                () = cancel.cancelled() => return,
                listening = self.store.listen_for_live() => listening,
            };
            let error = match notices {
                Ok(None) => return,
                Ok(Some(mut notices)) => tokio::select! {
                    () = cancel.cancelled() => return,
                    error = self.relay_from(&mut notices) => error,
                },
                Err(error) => error,
            };
            tracing::warn!(error = %error, "lost the live events listener; listening again");
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(RELISTEN) => {}
            }
        }
    }

    async fn relay_from(&self, notices: &mut Notices) -> crate::store::StoreError {
        loop {
            match notices.recv().await {
                Ok(Some(payload)) => match serde_json::from_str::<LiveEvent>(&payload) {
                    Ok(event) => {
                        if matches!(event.change, Change::Thread { .. }) {
                            self.store.heard_change(event.tenant_id);
                        }
                        self.deliver(event);
                    }
                    Err(error) => tracing::warn!(error = %error, "unreadable live event"),
                },
                // Reconnected: events sent meanwhile were missed; pages reload their lists.
                Ok(None) => {
                    self.store.missed_changes();
                    let _ = self.hub.send(Signal::Missed);
                }
                Err(error) => return error,
            }
        }
    }
}
