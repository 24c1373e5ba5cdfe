use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::segment;
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::Lead;
use crate::pagination::{Keyed, PAGE_SIZE, Page, items, pages};

/// Filters of `POST /api/v2/leads/list` (sent as the JSON body, with the cursor).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeadQuery {
    /// Campaign id (singular; Instantly ignores `campaign_ids`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_id: Option<String>,
    /// First name, last name or email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// One of the `FILTER_*` values, e.g. `FILTER_LEAD_INTERESTED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Lead email addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
    /// Resume after this cursor (a lead id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

/// Body of `POST /api/v2/leads/update-interest-status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InterestStatusUpdate {
    pub lead_email: String,
    /// See [`crate::interest`]; `None` resets the lead to a plain "Lead".
    pub interest_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_id: Option<String>,
    /// `true` stops Instantly's automatic labelling from changing the lead's status later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_auto_interest: Option<bool>,
}

#[derive(Deserialize)]
struct Accepted {
    #[serde(default)]
    message: Option<String>,
}

impl Client {
    /// `POST /api/v2/leads/list`, page by page, ordered by id (creation order).
    pub fn lead_pages(
        &self,
        q: LeadQuery,
    ) -> impl Stream<Item = Result<Page<Lead>>> + Send + 'static {
        let client = self.clone();
        let start = q.starting_after.clone();
        pages(start, self.max_pages(), move |cursor| {
            let client = client.clone();
            let mut body = json!(LeadQuery {
                starting_after: cursor,
                ..q.clone()
            });
            body["limit"] = json!(PAGE_SIZE);
            async move { client.execute(&Call::post("api/v2/leads/list", body)).await }
        })
    }

    /// `POST /api/v2/leads/list`, every matching lead.
    pub fn leads(&self, q: LeadQuery) -> impl Stream<Item = Result<Lead>> + Send + 'static {
        items(self.lead_pages(q))
    }

    /// `GET /api/v2/leads/{id}`.
    pub async fn lead(&self, id: &str) -> Result<Lead> {
        self.execute(&Call::get(format!("api/v2/leads/{}", segment(id))))
            .await
    }

    /// `POST /api/v2/leads/update-interest-status`. Instantly applies it in the background and
    /// answers 202 with a message, returned here.
    pub async fn update_interest_status(&self, update: &InterestStatusUpdate) -> Result<String> {
        let call =
            Call::post("api/v2/leads/update-interest-status", json!(update)).not_idempotent();
        let accepted: Accepted = self.execute(&call).await?;
        Ok(accepted.message.unwrap_or_default())
    }
}

impl Keyed for Lead {
    fn key(&self) -> &str {
        &self.id
    }
}
