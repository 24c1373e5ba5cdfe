use futures::Stream;
use serde_json::json;

use super::{Query, segment};
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::{Account, AccountVitals, WarmupAnalytics};
use crate::pagination::{Keyed, Page, items};

/// Filters of `GET /api/v2/accounts`.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// E.g. a domain.
    pub search: Option<String>,
    /// See [`crate::account_status`].
    pub status: Option<i64>,
    /// See [`crate::provider_code`].
    pub provider_code: Option<i64>,
    /// Comma-separated tag ids (any of).
    pub tag_ids: Option<String>,
    /// Adds `tags` to every account.
    pub include_tags: bool,
    /// Resume after this cursor (`timestamp_created&email`).
    pub starting_after: Option<String>,
}

impl Client {
    /// `GET /api/v2/accounts`, page by page.
    pub fn account_pages(
        &self,
        q: AccountQuery,
    ) -> impl Stream<Item = Result<Page<Account>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("status", q.status)
            .opt("provider_code", q.provider_code)
            .opt("tag_ids", q.tag_ids)
            .flag("include_tags", q.include_tags);
        self.get_pages("api/v2/accounts", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/accounts`, every sending mailbox.
    pub fn accounts(
        &self,
        q: AccountQuery,
    ) -> impl Stream<Item = Result<Account>> + Send + 'static {
        items(self.account_pages(q))
    }

    /// `GET /api/v2/accounts/{email}`.
    pub async fn account(&self, email: &str) -> Result<Account> {
        self.execute(&Call::get(format!("api/v2/accounts/{}", segment(email))))
            .await
    }

    /// `POST /api/v2/accounts/warmup-analytics` for 1 to 100 mailboxes.
    pub async fn warmup_analytics(&self, emails: &[String]) -> Result<WarmupAnalytics> {
        let call = Call::post(
            "api/v2/accounts/warmup-analytics",
            json!({ "emails": emails }),
        );
        self.execute(&call).await
    }

    /// `POST /api/v2/accounts/test/vitals`: DNS checks of the mailboxes' domains.
    pub async fn account_vitals(&self, accounts: &[String]) -> Result<AccountVitals> {
        let call = Call::post(
            "api/v2/accounts/test/vitals",
            json!({ "accounts": accounts }),
        );
        self.execute(&call).await
    }
}

impl Keyed for Account {
    fn key(&self) -> &str {
        &self.email
    }
}
