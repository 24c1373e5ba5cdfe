use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::Stream;
use serde_json::json;

use super::{Query, segment};
use crate::budget::RequestClass;
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::{Email, ReplyRequest};
use crate::pagination::{Keyed, Page, items};

/// Order of `GET /api/v2/emails` by `timestamp_created` (Instantly's default is newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        })
    }
}

/// `email_type` filter of `GET /api/v2/emails`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailType {
    Received,
    Sent,
    Manual,
}

impl fmt::Display for EmailType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailType::Received => "received",
            EmailType::Sent => "sent",
            EmailType::Manual => "manual",
        })
    }
}

/// Filters of `GET /api/v2/emails`. For a delta sync use `min_timestamp_created` with
/// `sort_order: Some(SortOrder::Asc)`.
#[derive(Debug, Clone, Default)]
pub struct EmailQuery {
    /// A lead email address, or `thread:<thread_id>` for one conversation.
    pub search: Option<String>,
    pub campaign_id: Option<String>,
    pub list_id: Option<String>,
    /// Comma-separated mailboxes.
    pub eaccount: Option<String>,
    pub lead: Option<String>,
    pub i_status: Option<i64>,
    pub is_unread: Option<bool>,
    pub email_type: Option<EmailType>,
    pub latest_of_thread: Option<bool>,
    pub min_timestamp_created: Option<DateTime<Utc>>,
    pub max_timestamp_created: Option<DateTime<Utc>>,
    pub sort_order: Option<SortOrder>,
    /// Resume after this cursor (an email id).
    pub starting_after: Option<String>,
}

fn iso(time: Option<DateTime<Utc>>) -> Option<String> {
    time.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

impl Client {
    /// `GET /api/v2/emails`, page by page (20 requests/min per workspace).
    pub fn email_pages(
        &self,
        q: EmailQuery,
    ) -> impl Stream<Item = Result<Page<Email>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("campaign_id", q.campaign_id)
            .opt("list_id", q.list_id)
            .opt("eaccount", q.eaccount)
            .opt("lead", q.lead)
            .opt("i_status", q.i_status)
            .opt("is_unread", q.is_unread)
            .opt("email_type", q.email_type)
            .opt("latest_of_thread", q.latest_of_thread)
            .opt("min_timestamp_created", iso(q.min_timestamp_created))
            .opt("max_timestamp_created", iso(q.max_timestamp_created))
            .opt("sort_order", q.sort_order);
        self.get_pages_as(
            RequestClass::EmailList,
            "api/v2/emails",
            filters.build(),
            q.starting_after,
        )
    }

    /// `GET /api/v2/emails`, every matching email.
    pub fn emails(&self, q: EmailQuery) -> impl Stream<Item = Result<Email>> + Send + 'static {
        items(self.email_pages(q))
    }

    /// `GET /api/v2/emails/{id}`.
    pub async fn email(&self, id: &str) -> Result<Email> {
        self.execute(&Call::get(format!("api/v2/emails/{}", segment(id))))
            .await
    }

    /// `POST /api/v2/emails/reply`: sends a reply from `eaccount`. Not retried unless the
    /// server certainly did not act on it.
    pub async fn reply(&self, reply: &ReplyRequest) -> Result<Email> {
        let call = Call::post("api/v2/emails/reply", json!(reply)).not_idempotent();
        self.execute(&call).await
    }
}

impl Keyed for Email {
    fn key(&self) -> &str {
        &self.id
    }
}
