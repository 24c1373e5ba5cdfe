//! Who is on a thread: a page tells its teammates that its person has the thread open, is
//! writing in it, or left. Nothing is stored; the word travels as a live event to the pages of
//! the thread's client, and a page forgets a name it has not heard again within a minute. Any
//! member who may read the thread may say so; a thread of another client, or none, is 404.

use super::rules;
use crate::auth::TenantAccess;
use crate::error::AppResult;
use crate::live::{Change, LiveEvent, PresenceState};
use crate::services::Services;

pub async fn announce(
    services: &Services<'_>,
    access: &TenantAccess,
    thread_id: &str,
    state: PresenceState,
) -> AppResult<()> {
    rules::thread(services, access, thread_id).await?;
    let user = &access.current.user;
    let event = LiveEvent {
        tenant_id: access.tenant,
        change: Change::Presence {
            thread_id: thread_id.to_owned(),
            user_id: user.id,
            name: user.display_name.trim().to_owned(),
            state,
        },
    };
    services.live.publish(event).await;
    Ok(())
}
