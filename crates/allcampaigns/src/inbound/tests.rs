use chrono::Utc;

use super::InboundEvent;
use crate::domain::TenantId;
use crate::error::AppError;

fn parse(body: &str) -> Result<InboundEvent, AppError> {
    InboundEvent::parse(TenantId::new(), body.as_bytes(), Utc::now())
}

#[test]
fn an_event_is_filed_by_its_email_event_and_time() {
    let body = r#"{"event_type":"reply_received","email_id":"e1","timestamp":"2026-12-01T10:00:00.000Z",
        "lead_email":"Ann@Example.com","reply_text":"yes"}"#;
    let event = parse(body).unwrap();
    assert_eq!(event.event_type, "reply_received");
    assert_eq!(
        event.dedupe_key,
        "e1|reply_received|2026-12-01T10:00:00.000Z"
    );
    assert_eq!(event.lead_email.as_deref(), Some("Ann@Example.com"));
    assert_eq!(event.payload, body, "kept exactly as received");
    assert!(event.wants_sync());
}

#[test]
fn an_event_naming_no_email_is_filed_by_its_body() {
    let a = parse(r#"{"event_type":"account_error","timestamp":"t1"}"#).unwrap();
    let again = parse(r#"{"event_type":"account_error","timestamp":"t1"}"#).unwrap();
    let other = parse(r#"{"event_type":"account_error","timestamp":"t2"}"#).unwrap();
    assert_eq!(a.dedupe_key, again.dedupe_key);
    assert_ne!(a.dedupe_key, other.dedupe_key);
    assert!(a.dedupe_key.starts_with("body|"));
    assert!(!a.wants_sync(), "nothing sync copies");
}

#[test]
fn opens_do_not_bring_sync_forward_but_labels_and_custom_labels_do() {
    let wants = |t: &str| {
        parse(&format!(r#"{{"event_type":"{t}"}}"#))
            .unwrap()
            .wants_sync()
    };
    assert!(!wants("email_opened"));
    assert!(!wants("link_clicked"));
    assert!(wants("lead_interested"));
    assert!(wants("Hot prospect"));
}

#[test]
fn a_body_that_is_not_an_event_is_refused_naming_what_is_wrong() {
    for body in [
        "",
        "not json",
        "[1,2]",
        "{}",
        r#"{"event_type": 7}"#,
        r#"{"event_type": "  "}"#,
    ] {
        let refused = parse(body).expect_err(body);
        assert!(
            matches!(refused, AppError::BadRequest(_)),
            "{body}: {refused:?}"
        );
    }
    let bytes = [0xff, 0xfe];
    let refused = InboundEvent::parse(TenantId::new(), &bytes, Utc::now());
    assert!(matches!(refused, Err(AppError::BadRequest(_))));
}
