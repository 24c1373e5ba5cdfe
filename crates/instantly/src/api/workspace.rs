use futures::Stream;
use serde::Deserialize;
use serde_json::json;

use super::{Query, segment};
use crate::budget::RequestClass;
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::*;
use crate::pagination::{Keyed, Page, items, pages};

/// Filters of `GET /api/v2/lead-lists`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub search: Option<String>,
    pub has_enrichment_task: Option<bool>,
    /// Resume after this cursor.
    pub starting_after: Option<String>,
}

/// Filters of `GET /api/v2/lead-labels`.
#[derive(Debug, Clone, Default)]
pub struct LabelQuery {
    pub search: Option<String>,
    /// `positive`, `neutral` or `negative`.
    pub interest_status: Option<String>,
    pub starting_after: Option<String>,
}

/// Filters of `GET /api/v2/custom-tags`.
#[derive(Debug, Clone, Default)]
pub struct TagQuery {
    pub search: Option<String>,
    /// Comma-separated resource ids.
    pub resource_ids: Option<String>,
    pub starting_after: Option<String>,
}

/// Filters of `GET /api/v2/custom-tag-mappings`.
#[derive(Debug, Clone, Default)]
pub struct TagMappingQuery {
    pub resource_ids: Option<String>,
    pub starting_after: Option<String>,
}

/// Filters of `GET /api/v2/webhooks`.
#[derive(Debug, Clone, Default)]
pub struct WebhookQuery {
    pub campaign: Option<String>,
    pub event_type: Option<String>,
    pub starting_after: Option<String>,
}

#[derive(Deserialize)]
struct EventTypes {
    #[serde(default)]
    event_types: Vec<WebhookEventType>,
}

#[derive(Deserialize)]
struct Success {
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Count {
    #[serde(default)]
    count: Option<f64>,
}

impl Client {
    /// `GET /api/v2/workspaces/current`: the workspace this key belongs to.
    pub async fn current_workspace(&self) -> Result<Workspace> {
        self.execute(&Call::get("api/v2/workspaces/current")).await
    }

    /// `GET /api/v2/lead-lists`, page by page.
    pub fn lead_list_pages(
        &self,
        q: ListQuery,
    ) -> impl Stream<Item = Result<Page<LeadList>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("has_enrichment_task", q.has_enrichment_task);
        self.get_pages("api/v2/lead-lists", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/lead-lists`, every list.
    pub fn lead_lists(
        &self,
        q: ListQuery,
    ) -> impl Stream<Item = Result<LeadList>> + Send + 'static {
        items(self.lead_list_pages(q))
    }

    /// `GET /api/v2/lead-labels`, page by page.
    pub fn lead_label_pages(
        &self,
        q: LabelQuery,
    ) -> impl Stream<Item = Result<Page<LeadLabel>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("interest_status", q.interest_status);
        self.get_pages("api/v2/lead-labels", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/lead-labels`, every custom interest status.
    pub fn lead_labels(
        &self,
        q: LabelQuery,
    ) -> impl Stream<Item = Result<LeadLabel>> + Send + 'static {
        items(self.lead_label_pages(q))
    }

    /// `GET /api/v2/custom-tags`, page by page.
    pub fn custom_tag_pages(
        &self,
        q: TagQuery,
    ) -> impl Stream<Item = Result<Page<CustomTag>>> + Send + 'static {
        let filters = Query::default()
            .opt("search", q.search)
            .opt("resource_ids", q.resource_ids);
        self.get_pages("api/v2/custom-tags", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/custom-tags`, every tag.
    pub fn custom_tags(
        &self,
        q: TagQuery,
    ) -> impl Stream<Item = Result<CustomTag>> + Send + 'static {
        items(self.custom_tag_pages(q))
    }

    /// `GET /api/v2/custom-tag-mappings`, page by page.
    pub fn custom_tag_mapping_pages(
        &self,
        q: TagMappingQuery,
    ) -> impl Stream<Item = Result<Page<CustomTagMapping>>> + Send + 'static {
        let filters = Query::default().opt("resource_ids", q.resource_ids);
        self.get_pages(
            "api/v2/custom-tag-mappings",
            filters.build(),
            q.starting_after,
        )
    }

    /// `GET /api/v2/custom-tag-mappings`, every mapping.
    pub fn custom_tag_mappings(
        &self,
        q: TagMappingQuery,
    ) -> impl Stream<Item = Result<CustomTagMapping>> + Send + 'static {
        items(self.custom_tag_mapping_pages(q))
    }

    /// `GET /api/v2/webhooks`, page by page.
    pub fn webhook_pages(
        &self,
        q: WebhookQuery,
    ) -> impl Stream<Item = Result<Page<Webhook>>> + Send + 'static {
        let filters = Query::default()
            .opt("campaign", q.campaign)
            .opt("event_type", q.event_type);
        self.get_pages("api/v2/webhooks", filters.build(), q.starting_after)
    }

    /// `GET /api/v2/webhooks`, every subscription.
    pub fn webhooks(
        &self,
        q: WebhookQuery,
    ) -> impl Stream<Item = Result<Webhook>> + Send + 'static {
        items(self.webhook_pages(q))
    }

    /// `POST /api/v2/webhooks`. Not retried unless the server certainly did not act on it.
    pub async fn create_webhook(&self, webhook: &NewWebhook) -> Result<Webhook> {
        let call = Call::post("api/v2/webhooks", json!(webhook)).not_idempotent();
        self.execute(&call).await
    }

    /// `DELETE /api/v2/webhooks/{id}`: the subscription, removed. Deleting is idempotent, so it
    /// is retried like a read.
    pub async fn delete_webhook(&self, id: &str) -> Result<Webhook> {
        let path = format!("api/v2/webhooks/{}", segment(id));
        self.execute(&Call::delete(path)).await
    }

    /// `GET /api/v2/webhooks/event-types`.
    pub async fn webhook_event_types(&self) -> Result<Vec<WebhookEventType>> {
        let types: EventTypes = self
            .execute(&Call::get("api/v2/webhooks/event-types"))
            .await?;
        Ok(types.event_types)
    }

    /// `GET /api/v2/emails/unread/count`.
    pub async fn unread_count(&self) -> Result<u64> {
        let count: Count = self
            .execute(&Call::get("api/v2/emails/unread/count"))
            .await?;
        Ok(count.count.unwrap_or(0.0).max(0.0) as u64)
    }

    /// `POST /api/v2/emails/threads/{thread_id}/mark-as-read`; `true` when Instantly says so.
    pub async fn mark_thread_read(&self, thread_id: &str) -> Result<bool> {
        let path = format!(
            "api/v2/emails/threads/{}/mark-as-read",
            super::segment(thread_id)
        );
        let answer: Success = self.execute(&Call::post(path, json!({}))).await?;
        Ok(answer.success.unwrap_or(false))
    }

    /// Pages of a `GET` list whose cursor travels in the query string.
    pub(crate) fn get_pages<T>(
        &self,
        path: &'static str,
        filters: Vec<(&'static str, String)>,
        cursor: Option<String>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        T: Keyed + serde::de::DeserializeOwned + Send + 'static,
    {
        self.get_pages_as(RequestClass::General, path, filters, cursor)
    }

    pub(crate) fn get_pages_as<T>(
        &self,
        class: RequestClass,
        path: &'static str,
        filters: Vec<(&'static str, String)>,
        cursor: Option<String>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        T: Keyed + serde::de::DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        pages(cursor, self.max_pages(), move |cursor| {
            let client = client.clone();
            let mut call = Call::get(path).query(Query(filters.clone()).page(cursor));
            call.class = class;
            async move { client.execute(&call).await }
        })
    }
}

impl Keyed for LeadList {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for LeadLabel {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for CustomTag {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for CustomTagMapping {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for Webhook {
    fn key(&self) -> &str {
        &self.id
    }
}
