//! One subscriber's view of the hub: its tenants' events, and word to reload when it fell
//! behind or events were missed, until the server stops.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use super::{LiveEvent, Signal};
use crate::domain::TenantId;

/// What a subscriber receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Event(Arc<LiveEvent>),
    /// Some events were lost (a slow reader, a lost listener): reload what is shown.
    Reload,
}

pub struct Subscription {
    next: Pin<Box<dyn Stream<Item = Delivery> + Send>>,
}

impl Subscription {
    pub(super) fn new(
        receiver: broadcast::Receiver<Signal>,
        tenants: HashSet<TenantId>,
        closing: CancellationToken,
    ) -> Self {
        let state = (receiver, Box::pin(closing.cancelled_owned()));
        let next = futures::stream::unfold(state, move |(mut receiver, mut closed)| {
            let tenants = tenants.clone();
            async move {
                let delivery = next_for(&mut receiver, &tenants, &mut closed).await?;
                Some((delivery, (receiver, closed)))
            }
        });
        Self {
            next: Box::pin(next),
        }
    }
}

/// The next delivery for these tenants; `None` once the server is stopping or the hub is gone.
async fn next_for(
    receiver: &mut broadcast::Receiver<Signal>,
    tenants: &HashSet<TenantId>,
    closed: &mut Pin<Box<WaitForCancellationFutureOwned>>,
) -> Option<Delivery> {
    loop {
        let signal = tokio::select! {
            () = closed.as_mut() => return None,
            signal = receiver.recv() => signal,
        };
        match signal {
            Ok(Signal::Event(event)) if tenants.contains(&event.tenant_id) => {
                return Some(Delivery::Event(event));
            }
            Ok(Signal::Event(_)) => {}
            Ok(Signal::Missed) | Err(RecvError::Lagged(_)) => return Some(Delivery::Reload),
            Err(RecvError::Closed) => return None,
        }
    }
}

impl Stream for Subscription {
    type Item = Delivery;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        self.next.as_mut().poll_next(cx)
    }
}
