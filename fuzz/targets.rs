//! The bodies of the fuzz targets, shared by cargo-fuzz (`fuzz_targets/*.rs`) and by the
//! stable smoke test that runs them in CI (`crates/allcampaigns/tests/it/fuzz_smoke.rs`).
//! Each takes arbitrary bytes and must return without panicking, whatever they hold.

use allcampaigns::crypto::{Keyring, Purpose, SecretSlot};
use allcampaigns::domain::TenantId;

/// The HTML sanitizer (`sync::sanitize`) on arbitrary markup, and the message cleaner that
/// uses it with and without a plain-text part.
pub fn sanitize(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let (clean, _) = allcampaigns::sync::sanitize::clean_html(&html);
    let _ = allcampaigns::sync::sanitize::clean_html(&clean);
    let _ = allcampaigns::sync::sanitize::html_to_text(&html);
    let _ = allcampaigns::sync::sanitize::clean_body(Some(&html), None);
    let _ = allcampaigns::sync::sanitize::clean_body(Some(&html), Some(&html));
}

/// The Instantly client's decoding: a list page of each synced kind from arbitrary JSON,
/// and, when it decodes, the rows sync makes of it.
pub fn instantly_decode(data: &[u8]) {
    use allcampaigns::sync::rows;
    if let Ok(page) = serde_json::from_slice::<instantly::Page<instantly::Email>>(data) {
        for email in &page.items {
            let _ = rows::message(email);
            let _ = rows::thread_of(email);
        }
    }
    if let Ok(page) = serde_json::from_slice::<instantly::Page<instantly::Lead>>(data) {
        page.items.iter().for_each(|lead| drop(rows::lead(lead)));
    }
    if let Ok(page) = serde_json::from_slice::<instantly::Page<instantly::Campaign>>(data) {
        for campaign in &page.items {
            let _ = rows::campaign(campaign);
            let _ = rows::campaign_steps(campaign);
        }
    }
    if let Ok(page) = serde_json::from_slice::<instantly::Page<instantly::Account>>(data) {
        page.items.iter().for_each(|a| drop(rows::mailbox(a)));
    }
    if let Ok(list) = serde_json::from_slice::<Vec<instantly::CampaignAnalytics>>(data) {
        list.iter().for_each(|a| drop(rows::campaign_totals(a)));
    }
}

/// The ciphertext envelope decoder: arbitrary bytes opened as a stored secret, as-is and with
/// a valid header for a configured key put in front.
pub fn envelope(data: &[u8]) {
    let keyring = Keyring::from_text(&allcampaigns::crypto::format_key(1, &[7; 32]))
        .expect("a valid key text");
    let slot = SecretSlot {
        tenant: TenantId::from_uuid(uuid::Uuid::nil()),
        purpose: Purpose::InstantlyApiKey,
        row: "fuzz",
    };
    let _ = allcampaigns::crypto::envelope_key_id(data);
    let _ = keyring.open(&slot, data);
    let mut headed = vec![allcampaigns::crypto::ENVELOPE_VERSION, 0, 0, 0, 1];
    headed.extend_from_slice(data);
    let _ = keyring.open(&slot, &headed);
}

/// The token and key parsers: master-key text, the `next=` target of a sign-in link, an
/// email address, and a token's hash.
pub fn tokens(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = allcampaigns::crypto::parse_keys(&text);
    let _ = Keyring::from_text(&text);
    let _ = allcampaigns::auth::safe_next(Some(&text));
    let _ = allcampaigns::domain::Email::parse(&text);
    let _ = allcampaigns::auth::hash_token(&text);
}
