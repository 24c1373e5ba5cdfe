use chrono::NaiveDate;

use super::Query;
use crate::client::{Call, Client};
use crate::error::Result;
use crate::models::*;

/// An inclusive range of `YYYY-MM-DD` dates; `None` leaves the bound to Instantly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl DateRange {
    fn query(self) -> Query {
        Query::default()
            .opt("start_date", self.start)
            .opt("end_date", self.end)
    }
}

/// Filters of `GET /api/v2/campaigns/analytics` and `/overview`.
#[derive(Debug, Clone, Default)]
pub struct CampaignAnalyticsQuery {
    /// Empty = every campaign of the workspace.
    pub ids: Vec<String>,
    pub range: DateRange,
    /// Per-campaign analytics only: skip the (slow) total leads count.
    pub exclude_total_leads_count: bool,
    /// Overview only: count every interest event, not just the first per contact.
    pub expand_crm_events: bool,
}

impl Client {
    /// `GET /api/v2/campaigns/analytics`: one row per campaign.
    pub async fn campaign_analytics(
        &self,
        q: &CampaignAnalyticsQuery,
    ) -> Result<Vec<CampaignAnalytics>> {
        let query = q
            .range
            .query()
            .many("ids", &q.ids)
            .flag("exclude_total_leads_count", q.exclude_total_leads_count);
        self.execute(&Call::get("api/v2/campaigns/analytics").query(query.build()))
            .await
    }

    /// `GET /api/v2/campaigns/analytics/overview`.
    pub async fn campaign_analytics_overview(
        &self,
        q: &CampaignAnalyticsQuery,
    ) -> Result<CampaignAnalyticsOverview> {
        let query = q
            .range
            .query()
            .many("ids", &q.ids)
            .flag("expand_crm_events", q.expand_crm_events);
        self.execute(&Call::get("api/v2/campaigns/analytics/overview").query(query.build()))
            .await
    }

    /// `GET /api/v2/campaigns/analytics/daily`: one row per day.
    pub async fn campaign_daily_analytics(
        &self,
        campaign_id: Option<&str>,
        range: DateRange,
    ) -> Result<Vec<CampaignDailyAnalytics>> {
        let query = range.query().opt("campaign_id", campaign_id);
        self.execute(&Call::get("api/v2/campaigns/analytics/daily").query(query.build()))
            .await
    }

    /// `GET /api/v2/campaigns/analytics/steps`: one row per step and variant.
    pub async fn campaign_steps_analytics(
        &self,
        campaign_id: Option<&str>,
        range: DateRange,
        include_opportunities_count: bool,
    ) -> Result<Vec<StepAnalytics>> {
        let query = range
            .query()
            .opt("campaign_id", campaign_id)
            .flag("include_opportunities_count", include_opportunities_count);
        self.execute(&Call::get("api/v2/campaigns/analytics/steps").query(query.build()))
            .await
    }

    /// `GET /api/v2/accounts/analytics/daily`: one row per mailbox and day. Empty `emails` =
    /// every mailbox.
    pub async fn account_daily_analytics(
        &self,
        emails: &[String],
        range: DateRange,
    ) -> Result<Vec<AccountDailyAnalytics>> {
        let query = range.query().many("emails", emails);
        self.execute(&Call::get("api/v2/accounts/analytics/daily").query(query.build()))
            .await
    }
}
