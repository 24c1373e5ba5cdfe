//! Magic-link sign-in and sessions against the real app (RELIABILITY ML-01 to ML-12, ML-14),
//! on both backends.

use std::time::{Duration, Instant};

use allcampaigns::app::SignInLimits;
use allcampaigns::auth::{RateLimiter, hash_token, links};
use allcampaigns::domain::Email;
use chrono::Utc;
use reqwest::header::{COOKIE, SET_COOKIE};

use crate::helpers::{TestApp, TestDb, Visitor, spawn_app, spawn_app_with};

crate::on_both_backends!(
    ml_02_05_a_mailed_link_is_stored_hashed_and_only_the_confirm_post_signs_in,
    ml_03_twenty_concurrent_redemptions_create_exactly_one_session,
    ml_04_a_link_works_until_fifteen_minutes_and_not_after,
    ml_06_known_and_unknown_addresses_get_the_same_answer,
    ml_07_sign_in_requests_are_limited_per_address_and_per_ip,
    a_burst_of_refused_sign_ins_is_audited_once_for_the_account,
    ml_08_links_use_the_configured_address_never_the_host_header,
    ml_11_the_confirm_page_names_the_account_and_dead_links_offer_a_new_one,
    ml_10_cookies_rotate_at_sign_in_and_die_at_sign_out,
    ml_12_state_changing_requests_without_a_valid_csrf_token_are_refused,
    ml_14_next_only_leads_to_same_origin_paths,
    pages_that_need_a_person_send_strangers_to_sign_in,
);

async fn known_user(app: &TestApp, address: &str) {
    app.store
        .create_user(&Email::parse(address).unwrap(), "")
        .await
        .unwrap();
}

/// Asks for a link and returns the token from the mail.
async fn mailed_token(app: &TestApp, visitor: &mut Visitor<'_>, address: &str) -> String {
    let response = visitor.post("/login", &[("email", address)]).await;
    assert_eq!(response.status(), 200);
    let mail = app.next_mail().await;
    assert_eq!(mail.to, address);
    let (link, token) = crate::helpers::sign_in_link(&mail);
    // The HTML part carries the same link, escaped as askama escapes `&` (issue 11: mails are
    // templates).
    assert!(
        mail.html.contains(&link.replace('&', "&#38;")),
        "{}",
        mail.html
    );
    token
}

async fn session_count(app: &TestApp, address: &str) -> u64 {
    let user = app
        .store
        .user_by_email(&Email::parse(address).unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store.delete_user_sessions(user.id).await.unwrap()
}

async fn ml_02_05_a_mailed_link_is_stored_hashed_and_only_the_confirm_post_signs_in(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    known_user(&app, "ana@example.com").await;
    let mut visitor = Visitor::arrive(&app).await;
    let token = mailed_token(&app, &mut visitor, "ana@example.com").await;
    assert_eq!(token.len(), 43);
    // ML-02: only the hash is stored.
    let (hashes, dump) = stored_tokens(&db).await;
    assert_eq!(hashes, vec![hash_token(&token)]);
    assert!(!dump.contains(&token));
    // ML-05: scanners GET and HEAD the link; nothing is consumed or created.
    for _ in 0..3 {
        let page = app.get(&format!("/login/confirm?token={token}")).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(page.text().await.unwrap().contains(&token));
        let head = app
            .client
            .head(app.url(&format!("/login/confirm?token={token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
    }
    let signed_in = visitor.post("/login/confirm", &[("token", &token)]).await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(
        signed_in.headers()["location"],
        "/",
        "the token never stays in the address bar"
    );
    let home = visitor.get("/clients").await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("ana@example.com"));
    app.stop().await;
}

/// ML-11, by the extra-confirmation policy: whoever opens a link, in any browser, is shown
/// the account it signs into before anything happens; a dead link says so and offers a new
/// one instead of a button.
async fn ml_11_the_confirm_page_names_the_account_and_dead_links_offer_a_new_one(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    known_user(&app, "ana@example.com").await;
    let mut requester = Visitor::arrive(&app).await;
    let token = mailed_token(&app, &mut requester, "ana@example.com").await;
    let confirm = format!("/login/confirm?token={token}");
    let stranger = app.get(&confirm).await.text().await.unwrap();
    assert!(stranger.contains("This link signs in as ana@example.com."));
    assert!(stranger.contains(r#"action="/login/confirm""#));
    let signed_in = requester.post("/login/confirm", &[("token", &token)]).await;
    assert_eq!(signed_in.status(), 303);
    for dead in [
        confirm.as_str(),
        "/login/confirm?token=unknown",
        "/login/confirm",
    ] {
        let page = app.get(dead).await;
        assert_eq!(page.status(), 200, "{dead}");
        let page = page.text().await.unwrap();
        assert!(page.contains("expired or was already used"), "{dead}");
        assert!(page.contains(r#"href="/login""#), "{dead}");
        assert!(!page.contains(r#"action="/login/confirm""#), "{dead}");
        assert!(!page.contains("ana@example.com"), "{dead}");
    }
    app.stop().await;
}

/// The stored token hashes, and everything the token table holds as text.
async fn stored_tokens(db: &TestDb) -> (Vec<Vec<u8>>, String) {
    let dump_query = "SELECT token_hash, email, purpose FROM sign_in_tokens";
    let rows: Vec<(Vec<u8>, String, String)> = if db.is_postgres() {
        sqlx::query_as(dump_query)
            .fetch_all(&mut db.superuser().await)
            .await
            .unwrap()
    } else {
        let path = db.dir.path().join("allcampaigns.db");
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query_as(dump_query).fetch_all(&pool).await.unwrap()
    };
    let dump = rows
        .iter()
        .map(|(h, e, p)| format!("{} {e} {p}", String::from_utf8_lossy(h)))
        .collect();
    (rows.into_iter().map(|(h, _, _)| h).collect(), dump)
}

async fn ml_03_twenty_concurrent_redemptions_create_exactly_one_session(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    known_user(&app, "bo@example.com").await;
    let mut visitor = Visitor::arrive(&app).await;
    let token = mailed_token(&app, &mut visitor, "bo@example.com").await;
    let (cookie, csrf) = (visitor.cookie_header(), visitor.cookie("ac_csrf").unwrap());
    let attempts = (0..20).map(|_| {
        let request = app
            .client
            .post(app.url("/login/confirm"))
            .header(COOKIE, cookie.clone())
            .form(&[("token", token.as_str()), ("csrf", csrf.as_str())]);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = futures::future::join_all(attempts).await;
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(session_count(&app, "bo@example.com").await, 1);
    app.stop().await;
}

async fn ml_04_a_link_works_until_fifteen_minutes_and_not_after(db: TestDb) {
    let store = db.store().await;
    let email = Email::parse("cy@example.com").unwrap();
    let url = url::Url::parse("https://campaigns.example").unwrap();
    let token_of = |link: url::Url| {
        link.query_pairs()
            .find(|(k, _)| k == "token")
            .unwrap()
            .1
            .into_owned()
    };
    let early = token_of(links::issue_link(&store, &url, &email, None).await.unwrap());
    let just_in_time = Utc::now() + chrono::Duration::minutes(14) + chrono::Duration::seconds(59);
    assert_eq!(
        links::redeem(&store, &early, just_in_time).await.unwrap(),
        Some(email.clone())
    );
    let late = token_of(links::issue_link(&store, &url, &email, None).await.unwrap());
    let too_late = Utc::now() + chrono::Duration::minutes(15) + chrono::Duration::seconds(1);
    assert_eq!(links::redeem(&store, &late, too_late).await.unwrap(), None);
    let first = token_of(links::issue_link(&store, &url, &email, None).await.unwrap());
    let second = token_of(links::issue_link(&store, &url, &email, None).await.unwrap());
    assert_eq!(
        links::redeem(&store, &first, Utc::now()).await.unwrap(),
        None,
        "a newer link voids older ones"
    );
    assert!(
        links::redeem(&store, &second, Utc::now())
            .await
            .unwrap()
            .is_some()
    );
}

fn comparable(response: &reqwest::Response) -> Vec<(String, String)> {
    let mut headers: Vec<_> = response
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id" | "set-cookie"))
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    headers.sort();
    headers
}

async fn ml_06_known_and_unknown_addresses_get_the_same_answer(db: TestDb) {
    let roomy = SignInLimits {
        per_email: RateLimiter::new(1000, Duration::from_secs(900)),
        per_ip: RateLimiter::new(1000, Duration::from_secs(900)),
    };
    let app = spawn_app_with(db.config.clone(), roomy).await;
    known_user(&app, "known@example.com").await;
    let mut visitor = Visitor::arrive(&app).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    let mut reference = None;
    for round in 0..100 {
        for (address, times) in [
            ("known@example.com", &mut known),
            ("nobody@example.com", &mut unknown),
        ] {
            let started = Instant::now();
            let response = visitor.post("/login", &[("email", address)]).await;
            times.push(started.elapsed());
            let shape = (
                response.status().as_u16(),
                comparable(&response),
                response.text().await.unwrap(),
            );
            match &reference {
                None => reference = Some(shape),
                Some(expected) => assert_eq!(&shape, expected, "round {round}, {address}"),
            }
        }
    }
    known.sort();
    unknown.sort();
    let (a, b) = (known[known.len() / 2], unknown[unknown.len() / 2]);
    assert!(
        a.abs_diff(b) < Duration::from_millis(5),
        "median known {a:?}, unknown {b:?}"
    );
    assert!(
        app.mail_within(Duration::from_secs(2)).await.is_some(),
        "known addresses do get mail"
    );
    app.stop().await;
}

async fn ml_07_sign_in_requests_are_limited_per_address_and_per_ip(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    known_user(&app, "dee@example.com").await;
    let mut visitor = Visitor::arrive(&app).await;
    for address in ["dee@example.com", "ghost@example.com"] {
        for _ in 0..5 {
            assert_eq!(
                visitor.post("/login", &[("email", address)]).await.status(),
                200
            );
        }
        let limited = visitor.post("/login", &[("email", address)]).await;
        assert_eq!(limited.status(), 429, "{address}");
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry_after));
    }
    let tight = SignInLimits {
        per_email: RateLimiter::new(100, Duration::from_secs(900)),
        per_ip: RateLimiter::new(3, Duration::from_secs(900)),
    };
    let app = spawn_app_with(db.config.clone(), tight).await;
    let mut visitor = Visitor::arrive(&app).await;
    for i in 0..3 {
        assert_eq!(
            visitor
                .post("/login", &[("email", &format!("p{i}@example.com"))])
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        visitor
            .post("/login", &[("email", "p9@example.com")])
            .await
            .status(),
        429
    );
}

async fn a_burst_of_refused_sign_ins_is_audited_once_for_the_account(db: TestDb) {
    let two_per_address = SignInLimits {
        per_email: RateLimiter::new(2, Duration::from_secs(900)),
        per_ip: RateLimiter::new(1000, Duration::from_secs(900)),
    };
    let app = spawn_app_with(db.config.clone(), two_per_address).await;
    known_user(&app, "fay@example.com").await;
    let fay = app
        .store
        .user_by_email(&Email::parse("fay@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut visitor = Visitor::arrive(&app).await;
    for expected in [200, 200, 429, 429, 429, 429] {
        let response = visitor
            .post("/login", &[("email", "fay@example.com")])
            .await;
        assert_eq!(response.status(), expected);
    }
    let bursts = burst_entries_within(&app, fay.id, Duration::from_secs(5)).await;
    assert_eq!(bursts.len(), 1, "{bursts:?}");
    assert_eq!(bursts[0]["limit"], "email");
    assert_eq!(bursts[0]["ip"], "127.0.0.1");
    app.stop().await;
}

/// The details of `user`'s refused-burst audit entries, once at least one is written (they
/// are written in the background) or `wait` has passed.
async fn burst_entries_within(
    app: &TestApp,
    user: allcampaigns::domain::UserId,
    wait: Duration,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + wait;
    loop {
        let bursts: Vec<_> = app
            .store
            .user_audit_entries(user)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.action == "sign_in.burst_refused")
            .map(|entry| entry.details)
            .collect();
        if !bursts.is_empty() || Instant::now() > deadline {
            return bursts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ml_08_links_use_the_configured_address_never_the_host_header(db: TestDb) {
    let mut config = db.config.clone();
    config.public_url = url::Url::parse("https://campaigns.example").unwrap();
    let app = spawn_app(config).await;
    known_user(&app, "eve@example.com").await;
    let visitor = Visitor::arrive(&app).await;
    let form = [
        ("email", "eve@example.com".to_string()),
        ("csrf", visitor.cookie("ac_csrf").unwrap()),
    ];
    let response = app
        .client
        .post(app.url("/login"))
        .header(COOKIE, visitor.cookie_header())
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mail = app.next_mail().await;
    assert!(
        mail.text
            .contains("https://campaigns.example/login/confirm?token="),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("evil.example") && !mail.html.contains("evil.example"));
    app.stop().await;
}

async fn ml_10_cookies_rotate_at_sign_in_and_die_at_sign_out(db: TestDb) {
    let mut config = db.config.clone();
    config.public_url = url::Url::parse("https://campaigns.example").unwrap();
    let app = spawn_app(config).await;
    known_user(&app, "fay@example.com").await;
    let mut visitor = Visitor::arrive(&app).await;
    let first = mailed_token(&app, &mut visitor, "fay@example.com").await;
    let response = visitor.post("/login/confirm", &[("token", &first)]).await;
    let set_cookie: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session_cookie = set_cookie
        .iter()
        .find(|c| c.starts_with("__Host-ac_session="))
        .expect("a __Host- session cookie");
    for attribute in ["Path=/", "HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(session_cookie.contains(attribute), "{session_cookie}");
    }
    assert!(!session_cookie.contains("Domain"));
    let old_session = visitor.cookie("ac_session").unwrap();
    // Signing in again replaces the session id and ends the old one.
    let second = mailed_token(&app, &mut visitor, "fay@example.com").await;
    visitor.post("/login/confirm", &[("token", &second)]).await;
    let new_session = visitor.cookie("ac_session").unwrap();
    assert_ne!(old_session, new_session);
    assert!(
        app.store
            .session(&hash_token(&old_session))
            .await
            .unwrap()
            .is_none()
    );
    // Sign out; the old cookie no longer opens pages.
    let stale = visitor.cookie_header();
    assert_eq!(visitor.post("/logout", &[]).await.status(), 303);
    let after = app
        .client
        .get(app.url("/"))
        .header(COOKIE, stale)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303);
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    app.stop().await;
}

async fn ml_12_state_changing_requests_without_a_valid_csrf_token_are_refused(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let visitor = Visitor::arrive(&app).await;
    let (cookie, token) = (visitor.cookie_header(), visitor.cookie("ac_csrf").unwrap());
    let post = || app.client.post(app.url("/login"));
    let attempts = [
        post()
            .header(COOKIE, &cookie)
            .form(&[("email", "a@example.com")]),
        post()
            .header(COOKIE, &cookie)
            .form(&[("email", "a@example.com"), ("csrf", "forged")]),
        post().form(&[("email", "a@example.com"), ("csrf", token.as_str())]),
        post()
            .header(COOKIE, &cookie)
            .header("sec-fetch-site", "cross-site")
            .form(&[("email", "a@example.com"), ("csrf", token.as_str())]),
        post()
            .header(COOKIE, &cookie)
            .header("origin", "https://evil.example")
            .form(&[("email", "a@example.com"), ("csrf", token.as_str())]),
        post()
            .header(COOKIE, &cookie)
            .header("origin", "null")
            .form(&[("email", "a@example.com"), ("csrf", token.as_str())]),
        post()
            .header(COOKIE, &cookie)
            .header("origin", "null")
            .header("sec-fetch-site", "cross-site")
            .form(&[("email", "a@example.com"), ("csrf", token.as_str())]),
    ];
    for (i, attempt) in attempts.into_iter().enumerate() {
        assert_eq!(attempt.send().await.unwrap().status(), 403, "attempt {i}");
    }
    let honest = post()
        .header(COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "a@example.com"), ("csrf", token.as_str())]);
    assert_eq!(honest.send().await.unwrap().status(), 200);
    // What browsers send from a page with `Referrer-Policy: no-referrer`, like the sign-in
    // confirmation page.
    let no_referrer_page = post()
        .header(COOKIE, &cookie)
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "a@example.com"), ("csrf", token.as_str())]);
    assert_eq!(no_referrer_page.send().await.unwrap().status(), 200);
    app.stop().await;
}

async fn ml_14_next_only_leads_to_same_origin_paths(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    known_user(&app, "gus@example.com").await;
    for (next, expected) in [
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/settings", "/settings"),
    ] {
        let mut visitor = Visitor::arrive(&app).await;
        visitor
            .post("/login", &[("email", "gus@example.com"), ("next", next)])
            .await;
        let mail = app.next_mail().await;
        let link = mail
            .text
            .lines()
            .find(|l| l.contains("token="))
            .unwrap()
            .trim()
            .to_string();
        let url = url::Url::parse(&link).unwrap();
        let token = url
            .query_pairs()
            .find(|(k, _)| k == "token")
            .unwrap()
            .1
            .into_owned();
        let response = visitor
            .post("/login/confirm", &[("token", &token), ("next", next)])
            .await;
        assert_eq!(response.headers()["location"], expected, "next={next}");
    }
    app.stop().await;
}

async fn pages_that_need_a_person_send_strangers_to_sign_in(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2F");
    let form = app.get("/login?next=%2F").await.text().await.unwrap();
    assert!(form.contains("name=\"email\"") && form.contains("value=\"/\""));
    app.stop().await;
}
