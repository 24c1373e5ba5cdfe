//! The mail of a mention, for a member who chose them: one job per notification, queued with
//! it. The job records the mail as sent (`emailed_at`) before handing it to the server, so a
//! retry, a second worker or a crash after the hand-over never mails it twice. A hand-over that
//! fails releases the record so the retry may send it: a server that took the mail and lost the
//! connection before answering is the one way it could arrive twice.

use async_trait::async_trait;
use chrono::Utc;
use serde_json::json;
use url::Url;
use uuid::Uuid;

use super::{MENTION, Notification};
use crate::jobs::runner::{Handler, Next};
use crate::jobs::{Job, JobKind, NewJob};
use crate::mail::{Mail, Mailer, Mention};
use crate::store::DynStore;
use crate::text::Lang;

/// The job that mails a mention (unique key: the notification).
pub fn job(notification: Uuid) -> NewJob {
    NewJob::now(
        JobKind::MentionMail,
        json!({ "notification_id": notification }),
    )
    .unique(notification.to_string())
}

/// The job's handler.
pub struct MentionMailer {
    store: DynStore,
    mailer: Mailer,
    public_url: Url,
}

impl MentionMailer {
    pub fn new(store: DynStore, mailer: Mailer, public_url: Url) -> Self {
        Self {
            store,
            mailer,
            public_url,
        }
    }

    /// The lead's page, where the note is.
    fn link(&self, n: &Notification) -> String {
        let mut url = self.public_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            let tenant = n.tenant_id.to_string();
            let lead = n.lead_email.as_deref().unwrap_or_default();
            path.pop_if_empty().extend(["leads", "t", &tenant, lead]);
        }
        url.to_string()
    }

    async fn mail(&self, n: &Notification) -> anyhow::Result<Option<Mail>> {
        let Some(user) = self.store.user(n.user_id).await? else {
            return Ok(None);
        };
        let texts = Lang::from_code(&user.locale).texts();
        let mention = Mention {
            author: n.actor_name.as_deref().unwrap_or_default(),
            lead: n.lead_email.as_deref().unwrap_or_default(),
            excerpt: &n.excerpt,
            link: &self.link(n),
        };
        Ok(Some(Mail::mention(&user.email, texts, &mention)?))
    }
}

#[async_trait]
impl Handler for MentionMailer {
    fn kind(&self) -> JobKind {
        JobKind::MentionMail
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let id = job.payload["notification_id"]
            .as_str()
            .and_then(|id| id.parse().ok());
        let Some(id) = id else {
            tracing::warn!(job = %job.id, "a mention_mail job without a notification");
            return Ok(Next::Done);
        };
        let (store, tenant) = (&self.store, job.tenant);
        let notification = store.notification(tenant, id).await?;
        let Some(notification) = notification.filter(|n| n.kind == MENTION) else {
            return Ok(Next::Done);
        };
        // Chosen when the note was written; switched off since, it is not sent.
        if !store.mention_emails(notification.user_id).await? {
            return Ok(Next::Done);
        }
        let Some(mail) = self.mail(&notification).await? else {
            return Ok(Next::Done);
        };
        if !store
            .claim_notification_mail(tenant, id, Utc::now())
            .await?
        {
            return Ok(Next::Done);
        }
        if let Err(error) = self.mailer.send(mail).await {
            store.release_notification_mail(tenant, id).await?;
            return Err(error.context("the mail server did not take the mention mail"));
        }
        Ok(Next::Done)
    }
}
