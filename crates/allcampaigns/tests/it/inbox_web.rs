//! The inbox page and thread view on both backends: tabs, filters, search and pages render
//! the right threads; another client's thread is 404; a client representative sees only
//! their client and may not triage (403); triage by form (one and bulk, "all that match"
//! with its confirmation above 100) persists and returns to the list's query. The role
//! matrix is in `page_roles.rs`; the sandboxed frame in a real browser in `browser.rs`.

use allcampaigns::domain::{Role, TenantId};
use chrono::Utc;

use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app};
use crate::inbox_seed::{Lead, Msg, write};
use crate::on_both_backends;

on_both_backends!(
    tabs_filters_search_and_pages_render_the_right_threads,
    another_clients_thread_is_404_and_a_client_reads_only_and_cannot_triage,
    triage_by_form_persists_and_keeps_the_list_query,
    all_that_match_asks_above_100_then_changes_every_one,
    the_thread_view_frames_html_in_a_sandbox_and_blocks_images_until_asked,
    rows_and_the_lead_panel_name_the_lead_and_their_other_threads,
    an_out_of_office_reply_offers_a_snooze_until_its_writer_is_back,
);

/// A real reply in `thread` of `tenant`, `minutes` after the seed's start.
fn reply(tenant: TenantId, thread: &str, subject: &str, minutes: i64) -> Msg {
    let mut m = Msg::new(tenant, thread, &format!("{thread}-m"), minutes);
    m.subject = subject.into();
    m.lead = Some(format!("{thread}@lead.example"));
    m.unread = true;
    m
}

struct Agency<'a> {
    ana: Visitor<'a>,
    a: TenantId,
    b: TenantId,
}

/// Ana owns clients A and B: A has a Cyrillic reply and an auto-reply, B one reply.
async fn agency(app: &TestApp) -> Agency<'_> {
    let mut ana = Visitor::install_admin(app, "ana@agency.example").await;
    let a = ana.new_client("Acme").await;
    let b = ana.new_client("Bolt").await;
    let mut auto = reply(a, "a-auto", "Away until Monday", 20);
    auto.auto_reply = true;
    let mut cyrillic = reply(a, "a-real", "Среща следващата седмица", 10);
    cyrillic.body = "Здравейте, интересно ми е".into();
    cyrillic.unread = false;
    let msgs = [cyrillic, auto, reply(b, "b-real", "Pricing question", 30)];
    write(&app.store, &msgs, &[]).await;
    Agency { ana, a, b }
}

async fn page(visitor: &mut Visitor<'_>, path: &str) -> String {
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn tabs_filters_search_and_pages_render_the_right_threads(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, b, .. } = agency(&app).await;

    let primary = page(&mut ana, "/inbox").await;
    assert!(primary.contains("Pricing question") && primary.contains("Среща"));
    assert!(
        !primary.contains("Away until Monday"),
        "auto-replies are in Others"
    );
    assert!(primary.contains(r#"aria-current="page">Primary <span class="count">2</span>"#));
    assert!(primary.contains(r#">Others <span class="count">1</span>"#));
    assert!(
        primary.contains("<time datetime=\"2026-11-01T08:30:00Z\" title=\"2026-11-01 08:30 UTC\">")
    );
    assert!(primary.contains("Client: Bolt") && primary.contains("Client: Acme"));
    assert!(
        primary.contains("<title>Inbox (1)"),
        "the unread count in the title"
    );

    let others = page(&mut ana, "/inbox?view=others").await;
    assert!(others.contains("Away until Monday") && !others.contains("Pricing question"));

    let only_b = page(&mut ana, &format!("/inbox?view=all&tenant={b}")).await;
    assert!(only_b.contains("Pricing question") && !only_b.contains("Среща"));
    assert!(only_b.contains(&format!(r#"<option value="{b}" selected>Bolt</option>"#)));

    let unread = page(&mut ana, "/inbox?unread=true&q=").await;
    assert!(unread.contains("Pricing question") && !unread.contains("Среща"));

    let search = page(
        &mut ana,
        "/inbox?q=%D0%98%D0%9D%D0%A2%D0%95%D0%A0%D0%95%D0%A1%D0%9D%D0%9E",
    )
    .await;
    assert!(
        search.contains("Среща") && !search.contains("Pricing question"),
        "ИНТЕРЕСНО"
    );

    let empty = page(&mut ana, "/inbox?q=nowhere").await;
    assert!(empty.contains("Nothing matches these filters"));

    // Keyset pages: one thread a page, newest first, each once.
    let mut path = "/inbox?view=all&limit=1".to_string();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let html = page(&mut ana, &path).await;
        for subject in [
            "Pricing question",
            "Away until Monday",
            "Среща следващата седмица",
        ] {
            if html.contains(&format!(">{subject}<")) {
                seen.push(subject);
            }
        }
        let Some(at) = html.find("rel=\"next\"") else {
            break;
        };
        let href = html[..at].rsplit("href=\"").next().unwrap();
        path = href[..href.find('"').unwrap()].replace("&#38;", "&");
        assert!(
            path.contains("view=all") && path.contains("cursor="),
            "{path}"
        );
    }
    assert_eq!(
        seen,
        [
            "Pricing question",
            "Away until Monday",
            "Среща следващата седмица"
        ]
    );
    app.stop().await;
}

async fn another_clients_thread_is_404_and_a_client_reads_only_and_cannot_triage(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, b } = agency(&app).await;
    let mut other = Visitor::install_admin(&app, "other@else.example").await;
    let c = other.new_client("Cargo").await;
    write(&app.store, &[reply(c, "c-real", "Secret deal", 5)], &[]).await;

    for path in [
        format!("/inbox/t/{c}/c-real"),
        format!("/inbox/t/{a}/c-real"),
        format!("/inbox/t/{a}/b-real"),
        format!("/inbox/t/{a}/nothing"),
        "/inbox/t/not-a-tenant/a-real".to_string(),
    ] {
        assert_eq!(ana.get(&path).await.status(), 404, "{path}");
    }
    let triage = ana
        .post(
            &format!("/inbox/t/{c}/c-real/triage"),
            &[("action", "done")],
        )
        .await;
    assert_eq!(triage.status(), 404);
    let bulk = ana
        .post(
            "/inbox/triage",
            &[("action", "done"), ("thread", &format!("{c}/c-real"))],
        )
        .await;
    assert_eq!(bulk.status(), 404);
    assert!(
        !page(&mut ana, "/inbox?view=all")
            .await
            .contains("Secret deal")
    );
    assert_eq!(ana.get(&format!("/inbox?tenant={c}")).await.status(), 404);

    member(&app, a, "rep@acme.example", Role::Client).await;
    let mut rep = Visitor::signed_in(&app, "rep@acme.example").await;
    let list = page(&mut rep, "/inbox?view=all").await;
    assert!(list.contains("Среща") && !list.contains("Pricing question"));
    assert!(
        !list.contains("action=\"/inbox/triage\""),
        "no bulk form for a reader"
    );
    let thread = page(&mut rep, &format!("/inbox/t/{a}/a-real")).await;
    assert!(thread.contains("Здравейте") && thread.contains("Your role reads this inbox"));
    assert_eq!(rep.get(&format!("/inbox/t/{b}/b-real")).await.status(), 404);
    let refused = rep
        .post(
            &format!("/inbox/t/{a}/a-real/triage"),
            &[("action", "done")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let refused = rep
        .post(
            "/inbox/triage",
            &[("action", "done"), ("thread", &format!("{a}/a-real"))],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let after = app
        .store
        .thread(a, "a-real", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(!after.summary.done);
    app.stop().await;
}

async fn triage_by_form_persists_and_keeps_the_list_query(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, b } = agency(&app).await;

    let done = ana
        .post(
            &format!("/inbox/t/{a}/a-real/triage"),
            &[("action", "done"), ("back", "view=all&q=&unread=false")],
        )
        .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        format!("/inbox/t/{a}/a-real?view=all&unread=false").as_str()
    );
    let stored = app
        .store
        .thread(a, "a-real", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.summary.done);
    assert!(
        !page(&mut ana, "/inbox").await.contains("Среща"),
        "done leaves Primary"
    );
    assert!(page(&mut ana, "/inbox?view=done").await.contains("Среща"));

    let assigned = ana
        .post(
            &format!("/inbox/t/{b}/b-real/triage"),
            &[
                ("action", "assign_me"),
                ("back", "view=primary"),
                ("return", "list"),
            ],
        )
        .await;
    assert_eq!(assigned.headers()["location"], "/inbox?view=primary");
    let mine = page(&mut ana, "/inbox?owner=me").await;
    assert!(mine.contains("Pricing question") && mine.contains("Owner: ana@agency.example"));
    let ana_id = app
        .store
        .user_by_email(&allcampaigns::domain::Email::parse("ana@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let by_person = page(&mut ana, &format!("/inbox?tenant={b}&owner={ana_id}")).await;
    assert!(by_person.contains("Pricing question"));
    assert!(
        by_person.contains(&format!(
            r#"<option value="{ana_id}" selected>ana@agency.example</option>"#
        )),
        "the client's team is offered as owners"
    );

    let snoozed = ana
        .post(
            &format!("/inbox/t/{b}/b-real/triage"),
            &[("action", "snooze_at"), ("until", "2099-01-01T09:00")],
        )
        .await;
    assert_eq!(snoozed.status(), 422, "beyond the furthest snooze");
    let snoozed = ana
        .post(
            &format!("/inbox/t/{b}/b-real/triage"),
            &[("action", "snooze_tomorrow")],
        )
        .await;
    assert_eq!(snoozed.status(), 303);
    assert!(
        page(&mut ana, "/inbox?view=snoozed")
            .await
            .contains("Pricing question")
    );

    let bulk = ana
        .post(
            "/inbox/triage",
            &[
                ("action", "read"),
                ("thread", &format!("{a}/a-auto")),
                ("thread", &format!("{b}/b-real")),
                ("back", "view=all"),
            ],
        )
        .await;
    assert_eq!(bulk.status(), 303);
    assert_eq!(bulk.headers()["location"], "/inbox?view=all");
    for (tenant, thread) in [(a, "a-auto"), (b, "b-real")] {
        let stored = app
            .store
            .thread(tenant, thread, Utc::now())
            .await
            .unwrap()
            .unwrap();
        assert!(!stored.summary.unread, "{thread}");
    }
    app.stop().await;
}

async fn all_that_match_asks_above_100_then_changes_every_one(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, .. } = agency(&app).await;
    let many: Vec<Msg> = (0..101)
        .map(|i| reply(a, &format!("bulk-{i:03}"), "Bulk", 100 + i))
        .collect();
    write(&app.store, &many, &[]).await;
    let back = format!("view=primary&tenant={a}&q=bulk");
    let form = [("action", "done"), ("all", "1"), ("back", back.as_str())];
    let asked = ana.post("/inbox/triage", &form).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("This changes 101 threads"), "{html}");
    assert!(html.contains(r#"name="confirm" value="1""#));
    let untouched = app
        .store
        .thread(a, "bulk-000", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !untouched.summary.done,
        "nothing changed before the confirmation"
    );

    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "1"));
    let done = ana.post("/inbox/triage", &confirmed).await;
    assert_eq!(done.status(), 303);
    for i in [0, 57, 100] {
        let id = format!("bulk-{i:03}");
        let stored = app.store.thread(a, &id, Utc::now()).await.unwrap().unwrap();
        assert!(stored.summary.done, "{id}");
    }
    let other = app
        .store
        .thread(a, "a-real", Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !other.summary.done,
        "a thread outside the filter is untouched"
    );
    app.stop().await;
}

async fn the_thread_view_frames_html_in_a_sandbox_and_blocks_images_until_asked(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, .. } = agency(&app).await;
    let mut m = reply(a, "a-html", "With a picture", 40);
    m.html = Some(
        "<p>Look <a href=\"https://example.com/x\">here</a></p>\
         <img src=\"https://cdn.example.com/pic.png\" alt=\"pic\"><script>alert(1)</script>\
         <blockquote>Earlier words</blockquote>"
            .into(),
    );
    write(&app.store, &[m], &[]).await;
    let path = format!("/inbox/t/{a}/a-html?view=all");
    let html = page(&mut ana, &path).await;
    assert!(html.contains(r#"sandbox="allow-popups allow-popups-to-escape-sandbox""#));
    assert!(!html.contains("allow-scripts") && !html.contains("allow-same-origin"));
    let doc = unescape(srcdoc(&html));
    let origin = app.url("").trim_end_matches('/').to_owned();
    let csp = format!("default-src 'none'; img-src {origin} data:; style-src 'unsafe-inline'");
    assert!(doc.contains(&csp), "{doc}");
    assert!(
        !doc.contains("alert(1)"),
        "the sanitizer dropped the script"
    );
    assert!(doc.contains(r#"<img data-remote-src="https://cdn.example.com/pic.png""#));
    assert!(!doc.contains(" src="), "no image source until asked: {doc}");
    assert!(doc.contains("<details><summary>Quoted history</summary><blockquote>"));
    assert!(doc.contains(r#"target="_blank" rel="noopener noreferrer""#));
    assert!(html.contains("Open in Instantly"));
    let show = format!("/inbox/t/{a}/a-html?view=all&#38;images=1");
    assert!(html.contains(&show), "{html}");

    let shown = page(&mut ana, &format!("/inbox/t/{a}/a-html?view=all&images=1")).await;
    let doc = unescape(srcdoc(&shown));
    assert!(
        doc.contains(
            r#"<img alt="pic" src="/image-proxy?url=https%3A%2F%2Fcdn.example.com%2Fpic.png&amp;u="#
        ),
        "{doc}"
    );
    assert!(!shown.contains("id=\"show-images\""));
    app.stop().await;
}

/// The first frame's `srcdoc`, as written in the page.
fn srcdoc(html: &str) -> &str {
    let start = html.find("srcdoc=\"").expect("a frame") + 8;
    &html[start..start + html[start..].find('"').unwrap()]
}

/// The page's escapes undone.
fn unescape(text: &str) -> String {
    text.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

async fn rows_and_the_lead_panel_name_the_lead_and_their_other_threads(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, b } = agency(&app).await;
    let lead = Lead {
        tenant: b,
        id: "lead-petya".into(),
        email: "b-real@lead.example".into(),
        first: "Петя".into(),
        last: "Иванова".into(),
        company: "Bolt Ltd".into(),
    };
    let mut second = reply(b, "b-second", "Second campaign", 5);
    second.lead = Some("b-real@lead.example".into());
    second.campaign = Some("c2".into());
    // The same address in another client is another person: never listed here.
    let mut elsewhere = reply(a, "a-same-address", "Elsewhere", 6);
    elsewhere.lead = Some("b-real@lead.example".into());
    write(&app.store, &[second, elsewhere], &[lead]).await;

    let list = page(&mut ana, "/inbox?view=all").await;
    assert!(
        list.contains("<strong class=\"lead\">Петя Иванова</strong>"),
        "{list}"
    );
    assert!(list.contains("b-real@lead.example</span> · Bolt Ltd"));

    let thread = page(&mut ana, &format!("/inbox/t/{b}/b-real?view=all")).await;
    let panel = &thread[thread.find("<aside class=\"pane lead-pane\"").unwrap()..];
    assert!(panel.contains("<strong>Петя Иванова</strong>") && panel.contains("Bolt Ltd"));
    assert!(panel.contains("0 opens · 0 clicks · 1 reply"), "{panel}");
    assert!(
        panel.contains("<dt>Replied to</dt><dd>step 2, variant B</dd>"),
        "the step and variant the lead replied to"
    );
    assert!(panel.contains(&format!(
        "href=\"/inbox/t/{b}/b-second?view=all\">Second campaign</a>"
    )));
    assert!(
        !panel.contains("Elsewhere"),
        "another client's thread is not this person's"
    );
    assert!(
        !panel.contains(">Pricing question</a>"),
        "the open thread is not listed again"
    );
    app.stop().await;
}

/// An auto-reply that names a return date ahead offers "snooze until they are back" (9:00 UTC
/// that day), which snoozes the thread to exactly then; one naming no date offers nothing.
async fn an_out_of_office_reply_offers_a_snooze_until_its_writer_is_back(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let Agency { mut ana, a, .. } = agency(&app).await;
    let back = (Utc::now() + chrono::Duration::days(10)).date_naive();
    let mut away = reply(a, "a-away", "Out of office", 0);
    away.auto_reply = true;
    away.at = Utc::now() - chrono::Duration::hours(1);
    away.body = format!(
        "I am out of the office and will be back on {}.",
        back.format("%B %-d, %Y")
    );
    write(&app.store, &[away], &[]).await;

    let label = format!(
        "Snooze until they are back ({}, 9:00 UTC)",
        back.format("%Y-%m-%d")
    );
    let html = page(&mut ana, &format!("/inbox/t/{a}/a-away")).await;
    assert!(html.contains(&label), "offered");
    let until = format!("{}T09:00", back.format("%Y-%m-%d"));
    assert!(html.contains(&format!(r#"name="until" value="{until}""#)));
    let snoozed = ana
        .post(
            &format!("/inbox/t/{a}/a-away/triage"),
            &[("action", "snooze_at"), ("until", &until), ("back", "")],
        )
        .await;
    assert_eq!(snoozed.status(), 303);
    let stored = app
        .store
        .thread(a, "a-away", Utc::now())
        .await
        .unwrap()
        .unwrap();
    let expected = back.and_hms_opt(9, 0, 0).unwrap().and_utc();
    assert_eq!(stored.summary.snoozed_until, Some(expected));

    let no_date = page(&mut ana, &format!("/inbox/t/{a}/a-auto")).await;
    assert!(
        !no_date.contains("Snooze until they are back"),
        "no date, no offer"
    );
}
