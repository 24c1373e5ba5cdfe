use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One element of `GET /api/v2/campaigns/analytics` (one per campaign).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignAnalytics {
    pub campaign_name: String,
    pub campaign_id: String,
    pub campaign_status: i64,
    pub campaign_is_evergreen: bool,
    pub leads_count: i64,
    pub contacted_count: i64,
    pub emails_sent_count: i64,
    pub new_leads_contacted_count: i64,
    /// Leads that opened at least one email (not total opens; see CONTRACT §5.2).
    pub open_count: i64,
    #[serde(default)]
    pub open_count_unique: Option<i64>,
    #[serde(default)]
    pub open_count_unique_by_step: Option<i64>,
    pub reply_count: i64,
    #[serde(default)]
    pub reply_count_unique: Option<i64>,
    #[serde(default)]
    pub reply_count_unique_by_step: Option<i64>,
    #[serde(default)]
    pub reply_count_automatic: Option<i64>,
    #[serde(default)]
    pub reply_count_automatic_unique: Option<i64>,
    #[serde(default)]
    pub reply_count_automatic_unique_by_step: Option<i64>,
    pub link_click_count: i64,
    #[serde(default)]
    pub link_click_count_unique: Option<i64>,
    #[serde(default)]
    pub link_click_count_unique_by_step: Option<i64>,
    pub bounced_count: i64,
    pub unsubscribed_count: i64,
    pub completed_count: i64,
    pub total_opportunities: i64,
    pub total_opportunity_value: f64,
}

/// `GET /api/v2/campaigns/analytics/overview`: every field is optional in the spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignAnalyticsOverview {
    /// Total opens including duplicates here (unlike [`CampaignAnalytics::open_count`]).
    pub open_count: Option<i64>,
    pub open_count_unique: Option<i64>,
    pub open_count_unique_by_step: Option<i64>,
    pub link_click_count: Option<i64>,
    pub link_click_count_unique: Option<i64>,
    pub link_click_count_unique_by_step: Option<i64>,
    pub reply_count: Option<i64>,
    pub reply_count_unique: Option<i64>,
    pub reply_count_unique_by_step: Option<i64>,
    pub reply_count_automatic: Option<i64>,
    pub reply_count_automatic_unique: Option<i64>,
    pub reply_count_automatic_unique_by_step: Option<i64>,
    pub bounced_count: Option<i64>,
    pub unsubscribed_count: Option<i64>,
    pub completed_count: Option<i64>,
    pub emails_sent_count: Option<i64>,
    pub contacted_count: Option<i64>,
    pub new_leads_contacted_count: Option<i64>,
    pub total_opportunities: Option<i64>,
    pub total_opportunity_value: Option<f64>,
    pub total_interested: Option<i64>,
    pub total_meeting_booked: Option<i64>,
    pub total_meeting_completed: Option<i64>,
    pub total_closed: Option<i64>,
}

/// One day of `GET /api/v2/campaigns/analytics/daily`: every field is optional in the spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignDailyAnalytics {
    pub date: Option<NaiveDate>,
    pub sent: Option<i64>,
    pub contacted: Option<i64>,
    pub new_leads_contacted: Option<i64>,
    pub opened: Option<i64>,
    pub unique_opened: Option<i64>,
    pub replies: Option<i64>,
    pub unique_replies: Option<i64>,
    pub replies_automatic: Option<i64>,
    pub unique_replies_automatic: Option<i64>,
    pub clicks: Option<i64>,
    pub unique_clicks: Option<i64>,
    pub opportunities: Option<i64>,
    pub unique_opportunities: Option<i64>,
}

/// One row of `GET /api/v2/campaigns/analytics/steps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepAnalytics {
    /// Step number as a string (`"1"`), `None` when it cannot be determined.
    pub step: Option<String>,
    /// Zero-based variant as a string (`"0"` = A); webhooks number variants from 1.
    pub variant: Option<String>,
    pub sent: i64,
    pub opened: i64,
    pub unique_opened: i64,
    pub replies: i64,
    pub unique_replies: i64,
    pub replies_automatic: i64,
    pub unique_replies_automatic: i64,
    pub clicks: i64,
    pub unique_clicks: i64,
    #[serde(default)]
    pub opportunities: Option<i64>,
    #[serde(default)]
    pub unique_opportunities: Option<i64>,
}

/// One row of `GET /api/v2/accounts/analytics/daily` (one per mailbox and day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDailyAnalytics {
    pub date: NaiveDate,
    pub email_account: String,
    pub sent: i64,
    pub bounced: i64,
    pub contacted: i64,
    pub new_leads_contacted: i64,
    pub opened: i64,
    pub unique_opened: i64,
    pub replies: i64,
    pub unique_replies: i64,
    pub replies_automatic: i64,
    pub unique_replies_automatic: i64,
    pub clicks: i64,
    pub unique_clicks: i64,
}
