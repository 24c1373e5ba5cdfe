//! The rows `rows.rs` builds carry exactly the columns of their table's shape
//! (`store/sync_tables.rs`). The store reads each column by name from the JSON, so a misspelt or
//! forgotten key would otherwise store NULL without a sound (code review 2.2, change 3).

use std::collections::BTreeSet;

use instantly::models::{
    Account, AccountDailyAnalytics, Campaign, CampaignAnalytics, CampaignDailyAnalytics, CustomTag,
    CustomTagMapping, Email, Lead, LeadLabel, LeadList, StepAnalytics, WarmupDay,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::rows;
use crate::store::{ALL_TABLES, Table, shape};

/// An Instantly object as the API sends it (trimmed to a realistic few fields).
fn sample<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the sample is a valid Instantly object")
}

fn campaign() -> Campaign {
    sample(json!({
        "id": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "name": "Q4 agencies, EU",
        "status": 1,
        "campaign_schedule": {
            "schedules": [{
                "name": "Weekdays",
                "timing": { "from": "09:00", "to": "17:00" },
                "days": { "1": true, "2": true, "3": true, "4": true, "5": true },
                "timezone": "Europe/Berlin"
            }]
        },
        "timestamp_created": "2026-09-01T08:00:00.000Z",
        "timestamp_updated": "2026-11-20T10:15:00.000Z",
        "sequences": [{ "steps": [{
            "type": "email",
            "delay": 2,
            "variants": [
                { "subject": "Quick question", "body": "Hi {{firstName}}," },
                { "subject": "Idea for {{companyName}}", "body": "Hello", "v_disabled": true }
            ]
        }]}],
        "email_list": ["anna@outreach-one.com"],
        "daily_limit": 50
    }))
}

fn campaign_analytics() -> CampaignAnalytics {
    sample(json!({
        "campaign_name": "Q4 agencies, EU",
        "campaign_id": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "campaign_status": 1,
        "campaign_is_evergreen": false,
        "leads_count": 1200,
        "contacted_count": 800,
        "emails_sent_count": 2100,
        "new_leads_contacted_count": 40,
        "open_count": 900,
        "open_count_unique": 610,
        "reply_count": 75,
        "reply_count_unique": 70,
        "link_click_count": 12,
        "bounced_count": 9,
        "unsubscribed_count": 4,
        "completed_count": 300,
        "total_opportunities": 6,
        "total_opportunity_value": 4500.0
    }))
}

fn step_analytics() -> StepAnalytics {
    sample(json!({
        "step": "0", "variant": "1", "sent": 400, "opened": 260, "unique_opened": 200,
        "replies": 22, "unique_replies": 20, "replies_automatic": 3,
        "unique_replies_automatic": 3, "clicks": 5, "unique_clicks": 4, "opportunities": 2
    }))
}

fn account() -> Account {
    sample(json!({
        "email": "anna@outreach-one.com",
        "timestamp_created": "2026-08-15T07:30:00.000Z",
        "timestamp_updated": "2026-11-29T18:00:00.000Z",
        "first_name": "Anna",
        "last_name": "Berg",
        "organization": "0199a000-0000-7000-8000-000000000001",
        "warmup_status": 1,
        "provider_code": 2,
        "setup_pending": false,
        "is_managed_account": false,
        "status": 1,
        "stat_warmup_score": 98.0,
        "daily_limit": 40
    }))
}

fn account_daily() -> AccountDailyAnalytics {
    sample(json!({
        "date": "2026-11-29", "email_account": "anna@outreach-one.com", "sent": 38,
        "bounced": 1, "contacted": 30, "new_leads_contacted": 12, "opened": 20,
        "unique_opened": 18, "replies": 3, "unique_replies": 3, "replies_automatic": 0,
        "unique_replies_automatic": 0, "clicks": 1, "unique_clicks": 1
    }))
}

fn lead() -> Lead {
    sample(json!({
        "id": "0199b000-1111-7222-8333-444455556666",
        "timestamp_created": "2026-10-02T09:00:00.000Z",
        "timestamp_updated": "2026-11-28T12:00:00.000Z",
        "organization": "0199a000-0000-7000-8000-000000000001",
        "status": 1,
        "email_open_count": 3,
        "email_reply_count": 1,
        "email_click_count": 0,
        "company_domain": "northwind.example",
        "status_summary": {},
        "campaign": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "email": "jo@northwind.example",
        "first_name": "Jo",
        "company_name": "Northwind",
        "payload": { "industry": "logistics" },
        "lt_interest_status": 1,
        "timestamp_last_reply": "2026-11-27T15:42:00.000Z"
    }))
}

fn email() -> Email {
    sample(json!({
        "id": "0199c000-aaaa-7bbb-8ccc-dddd00000001",
        "timestamp_created": "2026-11-27T15:42:10.000Z",
        "timestamp_email": "2026-11-27T15:42:00.000Z",
        "message_id": "<CAF1234@mail.northwind.example>",
        "subject": "Re: Quick question",
        "to_address_email_list": "anna@outreach-one.com",
        "body": { "text": "Sounds good, call me Tuesday.", "html": "<p>Sounds good, call me Tuesday.</p>" },
        "organization_id": "0199a000-0000-7000-8000-000000000001",
        "eaccount": "anna@outreach-one.com",
        "thread_id": "0199c000-aaaa-7bbb-8ccc-dddd00000000",
        "from_address_email": "jo@northwind.example",
        "campaign_id": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "lead": "jo@northwind.example",
        "lead_id": "0199b000-1111-7222-8333-444455556666",
        "ue_type": 2,
        "is_unread": 1,
        "i_status": 1
    }))
}

const ORG: &str = "0199a000-0000-7000-8000-000000000001";
const CREATED: &str = "2026-09-01T08:00:00.000Z";

fn lead_list() -> LeadList {
    sample(
        json!({ "id": "0199d000-0000-7000-8000-000000000001", "organization_id": ORG,
                   "name": "Trade fair 2026", "timestamp_created": CREATED }),
    )
}

fn lead_label() -> LeadLabel {
    sample(
        json!({ "id": "0199d000-0000-7000-8000-000000000002", "timestamp_created": CREATED,
                   "created_by": "0199a000-0000-7000-8000-0000000000aa", "organization_id": ORG,
                   "label": "Hot", "interest_status_label": "positive", "interest_status": 5 }),
    )
}

fn custom_tag() -> CustomTag {
    sample(
        json!({ "id": "0199d000-0000-7000-8000-000000000003", "timestamp_created": CREATED,
                   "timestamp_updated": CREATED, "organization_id": ORG, "label": "EU",
                   "description": "European clients" }),
    )
}

fn tag_mapping() -> CustomTagMapping {
    sample(json!({ "id": "0199d000-0000-7000-8000-000000000004",
                   "tag_id": "0199d000-0000-7000-8000-000000000003",
                   "resource_id": "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "resource_type": 2,
                   "timestamp_created": CREATED, "organization_id": ORG }))
}

/// The rows `rows.rs` builds for a table; `None` for a table it does not write. Exhaustive, so
/// a new table does not compile until it is covered here.
fn rows_for(table: Table) -> Option<Vec<Value>> {
    let campaign_id = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    Some(match table {
        Table::Campaigns => vec![rows::campaign(&campaign())],
        Table::CampaignSteps => rows::campaign_steps(&campaign()),
        Table::CampaignTotals => vec![rows::campaign_totals(&campaign_analytics())],
        Table::CampaignDaily => {
            let day: CampaignDailyAnalytics =
                sample(json!({ "date": "2026-11-29", "sent": 120, "unique_opened": 60 }));
            vec![rows::campaign_daily(campaign_id, &day).expect("a dated day")]
        }
        Table::CampaignStepTotals => {
            vec![rows::campaign_step_totals(campaign_id, &step_analytics())]
        }
        Table::Mailboxes => vec![rows::mailbox(&account())],
        Table::MailboxDaily => vec![rows::mailbox_daily(&account_daily())],
        Table::WarmupDaily => {
            let day: WarmupDay = sample(json!({ "sent": 12.0, "received": 11.0,
                                                "landed_inbox": 10.0, "landed_spam": 1.0 }));
            vec![rows::warmup_daily(
                "anna@outreach-one.com",
                "2026-11-29",
                &day,
            )]
        }
        Table::LeadLists => vec![rows::lead_list(&lead_list())],
        Table::LeadLabels => vec![rows::lead_label(&lead_label())],
        Table::CustomTags => vec![rows::custom_tag(&custom_tag())],
        Table::CustomTagMappings => vec![rows::tag_mapping(&tag_mapping())],
        Table::Leads => vec![rows::lead(&lead())],
        Table::Messages => vec![rows::message(&email())],
        // The checkpoint row is built by the store itself (`store::stream_state_write`).
        Table::SyncStreams => return None,
    })
}

/// Asserts that every row of the table has exactly the shape's columns as keys.
fn assert_row_keys_match_shape(table: Table) {
    let shape = shape(table);
    let rows = rows_for(table).expect("rows.rs writes this table");
    assert!(
        !rows.is_empty(),
        "{}: the sample produced no row",
        shape.name
    );
    let columns: BTreeSet<&str> = shape
        .key
        .iter()
        .copied()
        .chain(shape.columns.iter().map(|(column, _)| *column))
        .collect();
    for row in &rows {
        let keys: BTreeSet<&str> = row
            .as_object()
            .expect("a row is a JSON object")
            .keys()
            .map(String::as_str)
            .collect();
        let missing: Vec<_> = columns.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&columns).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: the row from rows.rs misses the columns {missing:?} (they would be stored as \
             NULL) and has keys no column reads {extra:?}",
            shape.name
        );
    }
}

#[test]
fn every_table_sync_writes_has_a_row_key_check() {
    for table in ALL_TABLES {
        assert!(
            rows_for(table).is_some(),
            "{} has no sample row",
            shape(table).name
        );
    }
}

#[test]
fn campaign_row_keys_match_the_campaigns_shape() {
    assert_row_keys_match_shape(Table::Campaigns);
}

#[test]
fn campaign_step_row_keys_match_the_campaign_steps_shape() {
    assert_row_keys_match_shape(Table::CampaignSteps);
}

#[test]
fn campaign_totals_row_keys_match_the_campaign_totals_shape() {
    assert_row_keys_match_shape(Table::CampaignTotals);
}

#[test]
fn campaign_daily_row_keys_match_the_campaign_daily_shape() {
    assert_row_keys_match_shape(Table::CampaignDaily);
}

#[test]
fn campaign_step_totals_row_keys_match_the_campaign_step_totals_shape() {
    assert_row_keys_match_shape(Table::CampaignStepTotals);
}

#[test]
fn mailbox_row_keys_match_the_mailboxes_shape() {
    assert_row_keys_match_shape(Table::Mailboxes);
}

#[test]
fn mailbox_daily_row_keys_match_the_mailbox_daily_shape() {
    assert_row_keys_match_shape(Table::MailboxDaily);
}

#[test]
fn warmup_daily_row_keys_match_the_warmup_daily_shape() {
    assert_row_keys_match_shape(Table::WarmupDaily);
}

#[test]
fn lead_list_row_keys_match_the_lead_lists_shape() {
    assert_row_keys_match_shape(Table::LeadLists);
}

#[test]
fn lead_label_row_keys_match_the_lead_labels_shape() {
    assert_row_keys_match_shape(Table::LeadLabels);
}

#[test]
fn custom_tag_row_keys_match_the_custom_tags_shape() {
    assert_row_keys_match_shape(Table::CustomTags);
}

#[test]
fn tag_mapping_row_keys_match_the_custom_tag_mappings_shape() {
    assert_row_keys_match_shape(Table::CustomTagMappings);
}

#[test]
fn lead_row_keys_match_the_leads_shape() {
    assert_row_keys_match_shape(Table::Leads);
}

#[test]
fn message_row_keys_match_the_messages_shape() {
    assert_row_keys_match_shape(Table::Messages);
}
