use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A Unibox email (`GET /api/v2/emails`, `GET /api/v2/emails/{id}`, `POST /emails/reply`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub id: String,
    /// When Instantly stored the email; the field to sync on.
    pub timestamp_created: DateTime<Utc>,
    /// The Date header as the mail server gave it.
    pub timestamp_email: DateTime<Utc>,
    pub message_id: String,
    pub subject: String,
    /// Comma-separated, not an array.
    pub to_address_email_list: String,
    pub body: EmailBody,
    pub organization_id: String,
    /// The connected mailbox that sent or received the email.
    pub eaccount: String,
    #[serde(default)]
    pub thread_id: Option<String>,
    #[serde(default)]
    pub from_address_email: Option<String>,
    #[serde(default)]
    pub cc_address_email_list: Option<String>,
    #[serde(default)]
    pub bcc_address_email_list: Option<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub subsequence_id: Option<String>,
    #[serde(default)]
    pub list_id: Option<String>,
    /// The lead's email address.
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub lead_id: Option<String>,
    /// See [`crate::ue_type`].
    #[serde(default)]
    pub ue_type: Option<i64>,
    #[serde(default)]
    pub step: Option<String>,
    /// `1` unread, `0` read.
    #[serde(default)]
    pub is_unread: Option<i64>,
    #[serde(default)]
    pub is_auto_reply: Option<i64>,
    #[serde(default)]
    pub reminder_ts: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ai_interest_value: Option<f64>,
    #[serde(default)]
    pub ai_assisted: Option<i64>,
    #[serde(default)]
    pub is_focused: Option<i64>,
    /// See [`crate::interest`].
    #[serde(default)]
    pub i_status: Option<i64>,
    #[serde(default)]
    pub content_preview: Option<String>,
    #[serde(default)]
    pub attachment_json: Option<Value>,
    #[serde(default)]
    pub from_address_json: Option<Vec<Value>>,
    #[serde(default)]
    pub to_address_json: Option<Vec<Value>>,
    #[serde(default)]
    pub cc_address_json: Option<Vec<Value>>,
    #[serde(default)]
    pub ai_agent_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailBody {
    pub text: Option<String>,
    /// Untrusted HTML straight from the sender: sanitize before display.
    pub html: Option<String>,
}

/// Body of `POST /api/v2/emails/reply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyRequest {
    /// The mailbox to send from.
    pub eaccount: String,
    /// `id` of the email being answered.
    pub reply_to_uuid: String,
    pub subject: String,
    pub body: EmailBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cc_address_email_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bcc_address_email_list: Option<String>,
}
