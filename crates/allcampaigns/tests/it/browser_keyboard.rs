//! The inbox by keyboard alone, in headless Chromium (`tests/browser/keyboard.mjs`, tools made
//! ready as in `browser.rs`): an operator opens, reads, assigns, snoozes and marks done ten
//! threads with keys only, undoes one with `z`, and sees a refused action revert. A teammate's
//! page sees each change within 2 s, sees who has a thread open, and its Done tab gathers the
//! new arrivals behind a "new" bar instead of moving its list. `l` attaches a colleague's reply
//! to the lead. After a reload, everything
//! persisted; the store is checked here, apart from the browser. SQLite only.

use std::time::Instant;

use allcampaigns::domain::{Email, Role, TenantId};
use chrono::Utc;

use crate::browser::{CHROMIUM, artifacts_dir, browser_tools, run_script};
use crate::helpers::{TestDb, Visitor, spawn_app};
use crate::inbox_seed::{Msg, write};

const THREADS: usize = 10;

/// Ten threads, each a real reply still unread, an hour apart (`kb-9` is the newest).
async fn seed(store: &allcampaigns::store::DynStore, tenant: TenantId) {
    let mut messages = Vec::new();
    for i in 0..THREADS {
        let thread = format!("kb-{i}");
        let mut reply = Msg::new(tenant, &thread, &format!("{thread}-1"), 60 * i as i64);
        reply.lead = Some(format!("lead{i}@lead.example"));
        reply.subject = format!("Re: offer {i}");
        reply.unread = true;
        messages.push(reply);
    }
    // A thread where the lead's colleague answered too: `l` attaches that address to the lead.
    let mut from_lead = Msg::new(tenant, "kb-colleague", "kb-colleague-1", -700);
    from_lead.lead = Some("lead-c@lead.example".into());
    let mut from_colleague = Msg::new(tenant, "kb-colleague", "kb-colleague-2", -690);
    from_colleague.lead = from_lead.lead.clone();
    from_colleague.from = Some("pat@lead.example".into());
    messages.extend([from_lead, from_colleague]);
    let mut old = Msg::new(tenant, "kb-old", "kb-old-1", -600);
    old.lead = Some("old@lead.example".into());
    messages.push(old);
    write(store, &messages, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_threads_are_triaged_by_keyboard_alone_and_a_teammate_sees_each_change_live() {
    tokio::task::spawn_blocking(browser_tools)
        .await
        .unwrap()
        .unwrap_or_else(|problem| panic!("{problem}"));
    let db = TestDb::sqlite().await;
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    let saved = ana
        .post(
            "/profile",
            &[
                ("display_name", "Ana"),
                ("theme", "system"),
                ("locale", "en"),
            ],
        )
        .await;
    assert!(saved.status().is_redirection());
    crate::helpers::member(&app, tenant, "bob@agency.example", Role::Operator).await;
    crate::helpers::member(&app, tenant, "cleo@client.example", Role::Client).await;
    let mut bob = Visitor::signed_in(&app, "bob@agency.example").await;
    let mut cleo = Visitor::signed_in(&app, "cleo@client.example").await;
    seed(&app.store, tenant).await;
    let done = ana
        .post(
            &format!("/inbox/t/{tenant}/kb-old/triage"),
            &[("action", "done")],
        )
        .await;
    assert_eq!(done.status(), 303);
    for visitor in [&mut ana, &mut bob, &mut cleo] {
        assert_eq!(visitor.get("/inbox?view=all").await.status(), 200);
    }
    let ana_id = app
        .store
        .user_by_email(&Email::parse("ana@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;

    let artifacts = artifacts_dir();
    let env = [
        ("APP_URL", app.url("")),
        ("COOKIES_A", ana.cookie_header()),
        ("COOKIES_B", bob.cookie_header()),
        ("COOKIES_C", cleo.cookie_header()),
        ("TENANT", tenant.to_string()),
        ("ANA_ID", ana_id.to_string()),
        ("SCREENSHOT_DIR", artifacts.display().to_string()),
        ("CHROMIUM_PATH", CHROMIUM.to_string()),
    ];
    let log = artifacts.join("keyboard.log");
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking({
        let log = log.clone();
        move || run_script("keyboard.mjs", &env, &log)
    })
    .await
    .unwrap();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    if let Err(problem) = outcome {
        panic!("the keyboard walk failed: {problem}\n--- keyboard.mjs output ---\n{output}");
    }
    println!("{output}\nin {:.1} s", started.elapsed().as_secs_f64());

    // What the browser did is in the store: every thread read and Ana's; the even ones done,
    // the odd ones snoozed to a later time.
    for i in 0..THREADS {
        let thread = app
            .store
            .thread(tenant, &format!("kb-{i}"), Utc::now())
            .await
            .unwrap()
            .expect("the thread");
        let summary = thread.summary;
        assert!(!summary.unread, "kb-{i} is read");
        assert_eq!(summary.owner_id, Some(ana_id), "kb-{i} is Ana's");
        if i % 2 == 0 {
            assert!(summary.done, "kb-{i} is done");
        } else {
            assert!(
                summary.snoozed_until.is_some_and(|at| at > Utc::now()),
                "kb-{i} is snoozed"
            );
        }
    }
    app.stop().await;
}
