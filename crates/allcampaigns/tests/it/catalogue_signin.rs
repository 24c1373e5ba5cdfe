//! ML-07's last part: past the limit, a known and an unknown address get the same 429 (status,
//! headers and body), so the limit cannot be used to tell accounts apart. Both backends.

use std::time::Duration;

use allcampaigns::app::SignInLimits;
use allcampaigns::auth::RateLimiter;
use allcampaigns::domain::Email;

use crate::helpers::{TestDb, Visitor, spawn_app_with};

/// Status, the headers that do not vary per request, `Retry-After` and the body.
async fn limited_answer(visitor: &mut Visitor<'_>, address: &str) -> (u16, String, u64, String) {
    let response = visitor.post("/login", &[("email", address)]).await;
    let status = response.status().as_u16();
    let mut headers: Vec<String> = response
        .headers()
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "date" | "x-request-id" | "set-cookie" | "retry-after"
            )
        })
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    headers.sort();
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (
        status,
        headers.join("\n"),
        retry_after,
        response.text().await.unwrap(),
    )
}

async fn ml_07_the_limited_answer_is_the_same_for_known_and_unknown_addresses(db: TestDb) {
    let limits = SignInLimits {
        per_email: RateLimiter::new(2, Duration::from_secs(900)),
        per_ip: RateLimiter::new(1000, Duration::from_secs(900)),
    };
    let app = spawn_app_with(db.config.clone(), limits).await;
    app.store
        .create_user(&Email::parse("known@example.com").unwrap(), "")
        .await
        .unwrap();
    let mut visitor = Visitor::arrive(&app).await;
    let mut answers = Vec::new();
    for address in ["known@example.com", "nobody@example.com"] {
        for _ in 0..2 {
            let ok = visitor.post("/login", &[("email", address)]).await;
            assert_eq!(ok.status(), 200, "{address}");
        }
        answers.push(limited_answer(&mut visitor, address).await);
    }
    let (known, unknown) = (&answers[0], &answers[1]);
    assert_eq!(known.0, 429);
    assert_eq!(
        (known.0, &known.1),
        (unknown.0, &unknown.1),
        "status and headers"
    );
    assert_eq!(known.3, unknown.3, "body");
    assert!(
        known.2.abs_diff(unknown.2) <= 1,
        "Retry-After differs only by the time between the two bursts: {} vs {}",
        known.2,
        unknown.2
    );
    app.stop().await;
}

crate::on_both_backends!(ml_07_the_limited_answer_is_the_same_for_known_and_unknown_addresses);
