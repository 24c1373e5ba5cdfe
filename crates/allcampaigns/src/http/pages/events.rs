//! `GET /events`: server-sent events for the pages a person has open. The tenants are fixed when
//! the stream opens, from the clients the person may see then (or the one asked for, which must
//! be one of them: another client answers 404); no other tenant's event is ever sent on it.

use std::collections::HashSet;
use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::domain::TenantId;
use crate::error::{AppError, AppResult};
use crate::live::{Change, Delivery};

#[derive(Deserialize)]
pub struct EventsQuery {
    /// One client only; every client the person may see when absent.
    tenant: Option<TenantId>,
}

pub async fn events(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(query): Query<EventsQuery>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let visible: HashSet<TenantId> = state
        .store
        .tenants_of_user(current.user.id)
        .await?
        .into_iter()
        .map(|(tenant, _)| tenant.id)
        .collect();
    let tenants = match query.tenant {
        Some(tenant) if visible.contains(&tenant) => HashSet::from([tenant]),
        Some(_) => return Err(AppError::NotFound),
        None => visible,
    };
    let stream = state
        .live
        .subscribe(tenants)
        .map(|delivery| Ok(sse_event(&delivery)));
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `event: thread` or `presence` with the event as JSON; `event: reload` when some were missed.
fn sse_event(delivery: &Delivery) -> Event {
    match delivery {
        Delivery::Event(event) => {
            let name = match event.change {
                Change::Thread { .. } => "thread",
                Change::Presence { .. } => "presence",
            };
            let data = serde_json::to_string(&**event).expect("events serialize");
            Event::default().event(name).data(data)
        }
        Delivery::Reload => Event::default().event("reload").data("{}"),
    }
}
