//! `LISTEN` on a channel of our own: `pg_notify` sends when the transaction that called it
//! commits, and the notice reaches every node. `job_queue` says a job was made due (the payload
//! is its kind), so an idle runner starts new work at once instead of at its next poll;
//! `live_events` carries what changed, for the pages people have open (`live`).

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use crate::store::Result;

/// The channel job notices travel on; the payload is the job's kind.
pub const CHANNEL: &str = "job_queue";
/// The channel live events travel on; the payload is the event as JSON.
pub const LIVE_CHANNEL: &str = "live_events";

/// An open `LISTEN` on its own connection, as the app role.
pub struct Notices(PgListener);

/// Notices that a job was made due.
pub type JobNotices = Notices;

impl Notices {
    pub(crate) async fn listen(pool: &PgPool, channel: &str) -> Result<Self> {
        // A pool of one of its own, with the app pool's address and role: the listener holds its
        // connection for good, which must not take one from the app's work.
        let own = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(pool.connect_options().as_ref().clone());
        let mut listener = PgListener::connect_with(&own).await?;
        listener.ignore_pool_close_event(true);
        listener.listen(channel).await?;
        Ok(Self(listener))
    }

    /// Waits for the next notice and answers its payload; `None` when the connection dropped
    /// and was opened again, since notices sent meanwhile were missed; an error when it could
    /// not be.
    pub async fn recv(&mut self) -> Result<Option<String>> {
        let notice = self.0.try_recv().await?;
        Ok(notice.map(|notice| notice.payload().to_owned()))
    }
}
