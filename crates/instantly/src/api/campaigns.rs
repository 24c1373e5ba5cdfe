use futures::Stream;

use super::{Query, segment};
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::Campaign;
use crate::pagination::{Keyed, Page, items};

/// Filters of `GET /api/v2/campaigns`.
#[derive(Debug, Clone, Default)]
pub struct CampaignQuery {
    /// Matches the campaign name.
    pub search: Option<String>,
    /// Comma-separated tag ids (any of).
    pub tag_ids: Option<String>,
    /// See [`crate::campaign_status`].
    pub status: Option<i64>,
    /// Resume after this cursor.
    pub starting_after: Option<String>,
}

impl Client {
    /// `GET /api/v2/campaigns`, page by page.
    pub fn campaign_pages(
        &self,
        q: CampaignQuery,
    ) -> impl Stream<Item = Result<Page<Campaign>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("tag_ids", q.tag_ids)
            .opt("status", q.status);
        self.get_pages("api/v2/campaigns", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/campaigns`, every campaign.
    pub fn campaigns(
        &self,
        q: CampaignQuery,
    ) -> impl Stream<Item = Result<Campaign>> + Send + 'static {
        items(self.campaign_pages(q))
    }

    /// `GET /api/v2/campaigns/{id}`.
    pub async fn campaign(&self, id: &str) -> Result<Campaign> {
        self.execute(&Call::get(format!("api/v2/campaigns/{}", segment(id))))
            .await
    }
}

impl Keyed for Campaign {
    fn key(&self) -> &str {
        &self.id
    }
}
