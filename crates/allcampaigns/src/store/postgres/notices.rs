//! `LISTEN job_queue`: the notices that a job was made due, which `pg_notify` sends when the
//! transaction that queued it commits. They reach every node, so an idle runner starts new work
//! at once instead of at its next poll.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use crate::store::Result;

/// The channel job notices travel on; the payload is the job's kind.
pub const CHANNEL: &str = "job_queue";

/// An open `LISTEN` on its own connection, as the app role.
pub struct JobNotices(PgListener);

impl JobNotices {
    pub(crate) async fn listen(pool: &PgPool) -> Result<Self> {
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
        listener.listen(CHANNEL).await?;
        Ok(Self(listener))
    }

    /// Waits for the next notice. Also answers when the connection dropped and was opened
    /// again, since notices sent meanwhile were missed; an error when it could not be.
    pub async fn recv(&mut self) -> Result<()> {
        self.0.try_recv().await?;
        Ok(())
    }
}
