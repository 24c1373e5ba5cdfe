//! Lead work in pages. In headless Chromium (`tests/browser/leads.mjs`, tools made ready as in
//! `browser.rs`): an operator opens a thread and, by keyboard alone, replies, adds a note, logs
//! a call, sets a stage, a tag, a reminder and a value; after a reload all of it is on the page, and the
//! store holds it (checked here, apart from the browser). The lead page, the leads list and
//! speed-to-reply are screenshotted light and dark; hostile notes on the lead page run nothing.
//! Apart from the browser, on both backends: hostile markdown and HTML in notes render inert.

use std::time::{Duration, Instant};

use allcampaigns::domain::{Email, Role, TenantId};
use allcampaigns::leads::replies::ReplyState;
use allcampaigns::store::DynStore;

use crate::browser::{CHROMIUM, artifacts_dir, browser_tools, run_script};
use crate::helpers::{TestDb, Visitor, spawn_app};
use crate::inbox_seed::{Lead, Msg, write};
use crate::lead_fixture::stored_tag;
use crate::on_both_backends;

on_both_backends!(
    hostile_notes_render_inert_on_the_lead_page,
    the_timeline_goes_older_a_page_at_a_time_and_a_suggested_stage_is_one_button,
    a_positive_reply_waits_for_its_first_touch_and_the_report_counts_the_touch,
    a_call_back_from_the_panel_snoozes_the_thread_and_a_reply_waits_for_business_hours,
);

const THREAD: &str = "lw-1";
const LEAD: &str = "lena@lead.example";

/// Notes a person might write to break the page; none may run or link to script.
pub const HOSTILE: [&str; 5] = [
    "<script>window.pwned = 1; alert('script')</script>",
    "[click me](javascript:alert('link'))",
    "<img src=x onerror=\"window.pwned = 1; alert('img')\">",
    "<a href=\"javascript:alert('raw')\" onclick=\"alert('raw')\">raw link</a>",
    "**bold** <svg onload=alert('svg')></svg> <iframe src=\"javascript:alert(1)\"></iframe>",
];

/// The lead's thread (our first mail and their positive reply), a thread of a second lead,
/// and both as Instantly leads, which the leads list shows.
async fn seed(store: &DynStore, tenant: TenantId) {
    let mut sent = Msg::new(tenant, THREAD, "lw-1-1", 0);
    sent.received = false;
    sent.lead = Some(LEAD.into());
    sent.subject = "Pilot for your team".into();
    let mut reply = Msg::new(tenant, THREAD, "lw-1-2", 30);
    reply.lead = Some(LEAD.into());
    reply.subject = "Re: Pilot for your team".into();
    reply.body = "Sounds interesting, can we talk next week?".into();
    reply.unread = true;
    let mut other = Msg::new(tenant, "lw-2", "lw-2-1", 10);
    other.lead = Some("omar@lead.example".into());
    let lead = |id: &str, email: &str, first: &str| Lead {
        tenant,
        id: id.into(),
        email: email.into(),
        first: first.into(),
        last: "Ivanova".into(),
        company: "Northwind".into(),
    };
    let leads = [
        lead("lead-lena", LEAD, "Lena"),
        lead("lead-omar", "omar@lead.example", "Omar"),
    ];
    write(store, &[sent, reply, other], &leads).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_worked_by_keyboard_alone_and_everything_is_there_after_a_reload() {
    tokio::task::spawn_blocking(browser_tools)
        .await
        .unwrap()
        .unwrap_or_else(|problem| panic!("{problem}"));
    let db = TestDb::sqlite().await;
    let mut config = db.config.clone();
    // The reply stays undoable for the whole walk.
    config.reply_undo = Duration::from_secs(600);
    let app = spawn_app(config).await;
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
    seed(&app.store, tenant).await;
    let ana_id = user_id(&app.store, "ana@agency.example").await;
    let tag = stored_tag(&app.store, tenant, ana_id).await;
    let tag_name = app.store.lead_tags(tenant).await.unwrap()[0].name.clone();
    // A second lead with hostile notes, for the page to show inert.
    for body in HOSTILE {
        let path = format!("/leads/t/{tenant}/omar@lead.example/notes");
        let added = ana.post(&path, &[("body", body), ("shared", "1")]).await;
        assert_eq!(added.status(), 303, "{body}");
    }

    let artifacts = artifacts_dir();
    let env = [
        ("APP_URL", app.url("")),
        ("COOKIES", ana.cookie_header()),
        ("TENANT", tenant.to_string()),
        ("THREAD", THREAD.to_string()),
        ("LEAD", LEAD.to_string()),
        ("HOSTILE_LEAD", "omar@lead.example".to_string()),
        ("TAG_NAME", tag_name.clone()),
        ("SPEED_FROM", speed_from()),
        ("SCREENSHOT_DIR", artifacts.display().to_string()),
        ("CHROMIUM_PATH", CHROMIUM.to_string()),
    ];
    let log = artifacts.join("leads.log");
    let started = Instant::now();
    let outcome = tokio::task::spawn_blocking({
        let log = log.clone();
        move || run_script("leads.mjs", &env, &log)
    })
    .await
    .unwrap();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    if let Err(problem) = outcome {
        panic!("the lead walk failed: {problem}\n--- leads.mjs output ---\n{output}");
    }
    println!(
        "{output}\nin {:.1} s; screenshots: {}",
        started.elapsed().as_secs_f64(),
        artifacts.display()
    );

    // What the browser did is in the store.
    let state = app.store.lead_state(tenant, LEAD).await.unwrap();
    let stages = app.store.pipeline_stages(tenant).await.unwrap();
    let (stage, _, _) = state.stage.expect("a stage");
    let stage = stages.iter().find(|s| s.id == stage).unwrap();
    assert_eq!(stage.name, "Meeting booked", "key 2 set the second stage");
    assert_eq!(state.value_cents, Some(120_000));
    assert_eq!(state.tags, [tag.parse::<uuid::Uuid>().unwrap()]);
    let notes = app
        .store
        .lead_notes(tenant, LEAD, true, None, 10)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].body, "Wants a **pilot** in March");
    assert!(!notes[0].shared, "a note is internal unless shared");
    let calls = app.store.lead_calls(tenant, LEAD, None, 10).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].duration_seconds, 300);
    assert_eq!(calls[0].notes.as_deref(), Some("Left a voicemail first"));
    let replies = app.store.thread_replies(tenant, THREAD).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].state, ReplyState::Scheduled);
    assert_eq!(replies[0].body, "Thanks Lena, Tuesday works.");
    let reminders = app.store.thread_reminders(tenant, THREAD).await.unwrap();
    assert_eq!(reminders.len(), 1, "m set a reminder");
    let ahead = reminders[0].remind_at - chrono::Utc::now();
    assert!(
        ahead > chrono::Duration::hours(22),
        "tomorrow, as suggested: {ahead}"
    );
    app.stop().await;
}

/// A day before the seed's replies, so the report's period holds them.
fn speed_from() -> String {
    let day = crate::inbox_seed::start() - chrono::Duration::days(1);
    day.format("%Y-%m-%d").to_string()
}

async fn user_id(store: &DynStore, address: &str) -> allcampaigns::domain::UserId {
    let email = Email::parse(address).unwrap();
    store.user_by_email(&email).await.unwrap().unwrap().id
}

/// Each hostile note, posted through the page's form, comes back on the lead page with no
/// script, no event handler and no `javascript:` address, and its plain text kept; a client
/// representative sees the shared ones the same way.
async fn hostile_notes_render_inert_on_the_lead_page(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    seed(&app.store, tenant).await;
    crate::helpers::member(&app, tenant, "rep@client.example", Role::Client).await;
    let mut rep = Visitor::signed_in(&app, "rep@client.example").await;
    let lead = format!("/leads/t/{tenant}/{LEAD}");
    for body in HOSTILE {
        let added = ana
            .post(&format!("{lead}/notes"), &[("body", body), ("shared", "1")])
            .await;
        assert_eq!(added.status(), 303, "{body}");
    }
    for visitor in [&mut ana, &mut rep] {
        let response = visitor.get(&lead).await;
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        let notes = notes_of(&page);
        assert_eq!(
            notes.len(),
            HOSTILE.len() * 2,
            "each note in the panel and timeline"
        );
        for note in &notes {
            for tag in markup_of(note) {
                assert_inert(tag, note);
            }
        }
        assert!(
            page.contains("<strong>bold</strong>"),
            "safe markdown still renders"
        );
        assert!(
            page.contains("raw link"),
            "the text of a refused link stays"
        );
    }
    app.stop().await;
}

/// Every tag of rendered markup (`<…>`; written text comes escaped, as `&lt;`).
fn markup_of(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect()
}

/// A tag of the notes' few (`leads::markdown::TAGS`), with no handler and no address but
/// http(s) and mailto.
fn assert_inert(tag: &str, note: &str) {
    let name = tag
        .trim_start_matches('/')
        .split([' ', '/'])
        .next()
        .unwrap_or_default();
    let allowed = ["a", "br", "em", "li", "ol", "p", "strong", "ul"];
    assert!(
        allowed.contains(&name),
        "<{tag}> in a rendered note: {note}"
    );
    let lower = tag.to_lowercase();
    assert!(!lower.contains(" on"), "a handler in <{tag}>: {note}");
    if let Some((_, address)) = lower.split_once("href=\"") {
        let safe = ["http://", "https://", "mailto:"];
        assert!(
            safe.iter().any(|s| address.starts_with(s)),
            "<{tag}>: {note}"
        );
    }
}

/// The rendered bodies of the page's notes (`<div class="note-body">…</div>`).
fn notes_of(page: &str) -> Vec<&str> {
    page.split(r#"<div class="note-body">"#)
        .skip(1)
        .map(|rest| rest.split("</div>").next().unwrap_or_default())
        .collect()
}

/// Seven events (two messages, five notes) three at a time: every one once, through the
/// "older" links. A reply asking to be removed is suggested "Asks to stop", with a button
/// that sets the pipeline's stage for it.
async fn the_timeline_goes_older_a_page_at_a_time_and_a_suggested_stage_is_one_button(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    seed(&app.store, tenant).await;
    let mut stop = Msg::new(tenant, "lw-stop", "lw-stop-1", 40);
    stop.lead = Some(LEAD.into());
    stop.body = "Please remove me from your list.".into();
    write(&app.store, &[stop], &[]).await;
    let lead = format!("/leads/t/{tenant}/{LEAD}");
    for n in 0..4 {
        let note = format!("note {n}");
        let added = ana.post(&format!("{lead}/notes"), &[("body", &note)]).await;
        assert_eq!(added.status(), 303);
    }
    let mut next = Some(format!("{lead}?limit=3"));
    let mut seen = 0;
    let mut pages = 0;
    while let Some(path) = next {
        let page = ana.get(&path).await.text().await.unwrap();
        seen += page.matches(r#"<li class="event "#).count();
        pages += 1;
        next = page
            .split(r#"" rel="next">"#)
            .next()
            .filter(|_| page.contains(r#"rel="next""#))
            .and_then(|before| before.rsplit(r#"href=""#).next())
            .map(|href| href.replace("&#38;", "&").replace("&amp;", "&"));
    }
    assert_eq!((seen, pages), (7, 3), "3 messages and 4 notes, 3 a page");

    let page = ana.get(&lead).await.text().await.unwrap();
    assert!(
        page.contains("Asks to stop: remove me"),
        "the suggestion and its reason"
    );
    let stages = app.store.pipeline_stages(tenant).await.unwrap();
    let not_interested = stages
        .iter()
        .find(|s| s.instantly_status == Some(-1))
        .unwrap();
    assert!(page.contains(&format!(
        r#"value="{}" class="secondary">Set stage"#,
        not_interested.id
    )));
    let form = [("set", "stage"), ("stage", &not_interested.id.to_string())];
    assert_eq!(
        ana.post(&format!("{lead}/state"), &form).await.status(),
        303
    );
    let state = app.store.lead_state(tenant, LEAD).await.unwrap();
    assert_eq!(state.stage.map(|(id, _, _)| id), Some(not_interested.id));
    app.stop().await;
}

/// A rule (not a person: no touch) makes the lead's reply positive: it waits in "Awaiting first
/// touch", linking to its thread, until a note touches it; the report of its period then
/// counts it touched, per client and per operator, and the thread shows its speed.
async fn a_positive_reply_waits_for_its_first_touch_and_the_report_counts_the_touch(db: TestDb) {
    use allcampaigns::leads::state::{Change, Source, Stored};
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    seed(&app.store, tenant).await;
    let ana_id = user_id(&app.store, "ana@agency.example").await;
    let stage = crate::lead_fixture::seeded_stage(&app.store, tenant).await;
    let stage: uuid::Uuid = stage.parse().unwrap();
    let ruled = Stored {
        stage: Some((stage, Source::Rule, Some("said yes".into()))),
        ..Stored::default()
    };
    let change = Change {
        id: uuid::Uuid::now_v7(),
        lead_email: LEAD.into(),
        actor: None,
        source: Source::Rule,
        field: "stage".into(),
        from: None,
        to: Some(stage.to_string()),
        from_label: None,
        to_label: None,
        reason: Some("said yes".into()),
        at: chrono::Utc::now(),
    };
    let entry = crate::inbox::entry(ana_id);
    app.store
        .put_lead_state(
            tenant,
            &allcampaigns::leads::state::StateWrite {
                lead_email: LEAD,
                state: &ruled,
                changes: &[change],
                positive: Some(true),
                send: None,
            },
            &entry,
        )
        .await
        .unwrap();

    let thread = format!("/inbox/t/{tenant}/{THREAD}?view=all");
    let waiting = ana.get("/inbox/awaiting").await.text().await.unwrap();
    assert!(
        waiting.contains(LEAD) && waiting.contains(&thread),
        "{waiting}"
    );
    let lead = ana
        .get(&format!("/leads/t/{tenant}/{LEAD}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(lead.contains("set by a rule") && lead.contains("Because: said yes"));

    let noted = ana
        .post(
            &format!("/leads/t/{tenant}/{LEAD}/notes"),
            &[("body", "On it")],
        )
        .await;
    assert_eq!(noted.status(), 303);
    let waiting = ana.get("/inbox/awaiting").await.text().await.unwrap();
    assert!(!waiting.contains(LEAD), "touched, it waits no more");
    let report = ana
        .get(&format!("/speed-to-reply?from={}", speed_from()))
        .await
        .text()
        .await
        .unwrap();
    let rows = report
        .matches(r#"<td class="num">1</td><td class="num">1</td>"#)
        .count();
    assert_eq!(rows, 3, "in total, for Acme and for Ana: {report}");
    let pane = ana.get(&thread).await.text().await.unwrap();
    assert!(
        pane.contains("first touched after"),
        "the thread shows its speed"
    );
    app.stop().await;
}

async fn a_call_back_from_the_panel_snoozes_the_thread_and_a_reply_waits_for_business_hours(
    db: TestDb,
) {
    use allcampaigns::leads::settings::LeadSettings;
    use chrono::{Datelike, Duration, Utc};
    let app = spawn_app(db.config.clone()).await;
    let mut ana = Visitor::install_admin(&app, "ana@agency.example").await;
    let tenant = ana.new_client("Acme").await;
    seed(&app.store, tenant).await;
    let thread = format!("/inbox/t/{tenant}/{THREAD}");
    let page = ana
        .get(&format!("{thread}?view=all"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"name="snooze_thread""#),
        "the call form offers the snooze"
    );
    assert!(
        page.contains(r#"name="business_hours""#),
        "the reply form offers business hours"
    );

    // The client's zone is UTC; the ticked box means nothing without a time to call back.
    let calls = format!("/leads/t/{tenant}/{LEAD}/calls");
    let at = (Utc::now() - Duration::hours(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut call = vec![
        ("at", at),
        ("minutes", "4".into()),
        ("outcome", "no_answer".into()),
        ("snooze_thread", THREAD.into()),
        ("back", thread.clone()),
    ];
    let sent = ana.post(&calls, &pairs(&call)).await;
    assert_eq!(sent.status(), 303);
    assert_eq!(app.store.snoozed_until(tenant, THREAD).await.unwrap(), None);
    let back = (Utc::now() + Duration::days(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    call[2] = ("outcome", "call_back".into());
    call.push(("call_back_at", back.clone()));
    let sent = ana.post(&calls, &pairs(&call)).await;
    assert_eq!(sent.status(), 303);
    let until = app.store.snoozed_until(tenant, THREAD).await.unwrap();
    let until = until.expect("snoozed until the call back");
    assert_eq!(until.format("%Y-%m-%dT%H:%M").to_string(), back);

    // Business hours only on the day after tomorrow: the reply waits for its 09:00.
    let day = (Utc::now() + Duration::days(2)).date_naive();
    let settings = LeadSettings {
        workdays: 1 << day.weekday().num_days_from_monday(),
        updated_at: Some(Utc::now()),
        ..LeadSettings::default()
    };
    let entry = crate::inbox::entry(user_id(&app.store, "ana@agency.example").await);
    app.store
        .put_lead_settings(tenant, &settings, &entry)
        .await
        .unwrap();
    let form = [
        ("body", "Talk Thursday?"),
        ("business_hours", "1"),
        ("back", &thread),
    ];
    let sent = ana.post(&format!("{thread}/replies"), &form).await;
    assert_eq!(sent.status(), 303);
    let replies = app.store.thread_replies(tenant, THREAD).await.unwrap();
    assert_eq!(
        replies[0].send_at,
        day.and_hms_opt(9, 0, 0).unwrap().and_utc()
    );
    app.stop().await;
}

fn pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
