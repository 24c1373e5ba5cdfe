//! Saved views on the inbox's pages, on both backends: the sidebar lists a person's private
//! views and the shared views of the clients they see, each with the count of its threads, and
//! marks the one shown; views are saved from the inbox by form (refused input names its field)
//! and deleted after a confirmation. Another person's private view and another client's shared
//! view are never listed and answer 404. The JSON API's rules are in `saved_views.rs`.

use allcampaigns::domain::{Email, Role, TenantId, UserId};
use allcampaigns::inbox::views::SavedView;

use crate::helpers::{TestApp, TestDb, Visitor, member, spawn_app};
use crate::inbox_seed::{Msg, write};
use crate::on_both_backends;

on_both_backends!(
    the_sidebar_lists_own_and_shared_views_with_counts_and_marks_the_shown_one,
    views_are_saved_from_the_inbox_and_refused_input_names_its_field,
    a_view_is_deleted_after_a_confirmation_and_another_persons_is_404,
);

/// A reply in `thread` of `tenant`; `unread` as Instantly says.
fn reply(tenant: TenantId, thread: &str, subject: &str, unread: bool) -> Msg {
    let mut m = Msg::new(tenant, thread, &format!("{thread}-m"), 10);
    m.subject = subject.into();
    m.lead = Some(format!("{thread}@lead.example"));
    m.unread = unread;
    m
}

struct Agency<'a> {
    /// Owns Acme and Bolt.
    ana: Visitor<'a>,
    /// A client representative of Acme.
    rep: Visitor<'a>,
    /// Owns Cobalt.
    cleo: Visitor<'a>,
    /// A client representative of Cobalt.
    rex: Visitor<'a>,
    acme: TenantId,
    cobalt: TenantId,
}

/// Acme: two unread threads (one an auto-reply) and a read one; Bolt: two unread, one about
/// pricing; Cobalt: one unread.
async fn agency(app: &TestApp) -> Agency<'_> {
    let mut ana = Visitor::install_admin(app, "ana@agency.example").await;
    let acme = ana.new_client("Acme").await;
    let bolt = ana.new_client("Bolt").await;
    let mut cleo = Visitor::install_admin(app, "cleo@cobalt.example").await;
    let cobalt = cleo.new_client("Cobalt").await;
    let mut auto = reply(acme, "a-auto", "Away until Monday", true);
    auto.auto_reply = true;
    let messages = [
        reply(acme, "a-new", "Let us talk", true),
        reply(acme, "a-read", "Thanks", false),
        auto,
        reply(bolt, "b-one", "Sounds good", true),
        reply(bolt, "b-price", "Pricing question", true),
        reply(cobalt, "c-one", "Hello there", true),
    ];
    write(&app.store, &messages, &[]).await;
    member(app, acme, "rep@acme.example", Role::Client).await;
    member(app, cobalt, "rex@cobalt.example", Role::Client).await;
    Agency {
        ana,
        rep: Visitor::signed_in(app, "rep@acme.example").await,
        cleo,
        rex: Visitor::signed_in(app, "rex@cobalt.example").await,
        acme,
        cobalt,
    }
}

/// Saves the list at `back` (an inbox query) as a view; answers the status and where it leads.
async fn save(visitor: &mut Visitor<'_>, back: &str, name: &str, shared: bool) -> (u16, String) {
    let mut form = vec![("back", back), ("name", name)];
    if shared {
        form.push(("shared", "1"));
    }
    let response = visitor.post("/inbox/views", &form).await;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    (status, location.unwrap_or(body))
}

async fn page(visitor: &mut Visitor<'_>, path: &str) -> String {
    let response = visitor.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// The sidebar's saved views: (name, count), in order.
fn sidebar(html: &str) -> Vec<(String, String)> {
    let Some(start) = html.find(r#"<ul class="sidebar-views""#) else {
        return Vec::new();
    };
    let list = &html[start..start + html[start..].find("</ul>").unwrap()];
    list.split(r#"<span class="view-name">"#)
        .skip(1)
        .map(|item| {
            let name = item[..item.find("</span>").unwrap()].to_owned();
            let count = item.split(r#"<span class="count">"#).nth(1).unwrap();
            (name, count[..count.find("</span>").unwrap()].to_owned())
        })
        .collect()
}

fn listed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, c)| ((*n).to_owned(), (*c).to_owned()))
        .collect()
}

/// Whether the sidebar's link to the named view says it is the page shown.
fn marked_current(html: &str, name: &str) -> bool {
    let at = html
        .find(&format!(r#"<span class="view-name">{name}</span>"#))
        .unwrap();
    let link = &html[html[..at].rfind("<a ").unwrap()..at];
    link.contains(r#"aria-current="page""#)
}

async fn user(app: &TestApp, address: &str) -> UserId {
    let email = Email::parse(address).unwrap();
    app.store.user_by_email(&email).await.unwrap().unwrap().id
}

async fn view_named(app: &TestApp, name: &str, owner: &str, shared: &[TenantId]) -> SavedView {
    let mut views = app
        .store
        .personal_views(user(app, owner).await)
        .await
        .unwrap();
    views.extend(app.store.shared_views(shared).await.unwrap());
    views.into_iter().find(|v| v.name == name).unwrap()
}

async fn the_sidebar_lists_own_and_shared_views_with_counts_and_marks_the_shown_one(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut s = agency(&app).await;
    let (acme, cobalt) = (s.acme, s.cobalt);
    let team = format!("tenant={acme}&view=all");
    for (back, name, shared) in [
        ("view=all&unread=true", "Unread everywhere", false),
        ("q=pricing", "Pricing", false),
        (team.as_str(), "Acme team", true),
    ] {
        let (status, to) = save(&mut s.ana, back, name, shared).await;
        assert_eq!(status, 303, "{name}: {to}");
    }
    assert_eq!(save(&mut s.rep, "view=all", "Rep view", false).await.0, 303);
    let theirs = format!("tenant={cobalt}&view=all");
    assert_eq!(save(&mut s.cleo, &theirs, "Cobalt team", true).await.0, 303);

    let inbox = page(&mut s.ana, "/inbox").await;
    assert_eq!(
        sidebar(&inbox),
        listed(&[
            ("Pricing", "1"),
            ("Unread everywhere", "4"),
            ("Acme team", "3")
        ]),
        "private views by name, then the shared ones; counts over the clients she sees"
    );
    assert!(!marked_current(&inbox, "Acme team"));
    assert!(inbox.contains(r#"<a href="/inbox" aria-current="page">Inbox</a>"#));

    let shown = page(&mut s.ana, &format!("/inbox?{team}")).await;
    assert!(marked_current(&shown, "Acme team"));
    assert!(!marked_current(&shown, "Pricing"));
    assert!(
        shown.contains(r#"<a href="/inbox" aria-current="true">Inbox</a>"#),
        "the area stays marked, the view is the page"
    );
    let paged = page(&mut s.ana, "/inbox?q=pricing&view=primary&limit=5").await;
    assert!(
        marked_current(&paged, "Pricing"),
        "the tab and page size aside"
    );

    let rep = page(&mut s.rep, "/inbox").await;
    assert_eq!(
        sidebar(&rep),
        listed(&[("Rep view", "3"), ("Acme team", "3")]),
        "her own and her client's team views, never another person's private ones"
    );
    let rex = page(&mut s.rex, "/inbox").await;
    assert_eq!(sidebar(&rex), listed(&[("Cobalt team", "1")]));
    let cleo = page(&mut s.cleo, "/inbox").await;
    assert_eq!(sidebar(&cleo), listed(&[("Cobalt team", "1")]));

    let leads = page(&mut s.ana, "/leads").await;
    assert!(
        sidebar(&leads).is_empty(),
        "only the inbox's pages load views"
    );
    drop(s);
    app.stop().await;
}

async fn views_are_saved_from_the_inbox_and_refused_input_names_its_field(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut s = agency(&app).await;
    let acme = s.acme;

    let everywhere = page(&mut s.ana, "/inbox?view=all").await;
    assert!(everywhere.contains(r#"<form method="post" action="/inbox/views">"#));
    assert!(
        !everywhere.contains(r#"name="shared""#),
        "sharing needs one client filtered on"
    );
    let one_client = page(&mut s.ana, &format!("/inbox?tenant={acme}&view=all")).await;
    assert!(one_client.contains("Share with the team of Acme"));
    let reading = page(&mut s.rep, &format!("/inbox?tenant={acme}")).await;
    assert!(
        !reading.contains(r#"name="shared""#),
        "a client representative keeps private views only"
    );

    let (status, to) = save(
        &mut s.ana,
        "view=all&unread=true&cursor=abc",
        "Unread",
        false,
    )
    .await;
    assert_eq!((status, to.as_str()), (303, "/inbox?view=all&unread=true"));
    let (status, to) = save(&mut s.ana, &format!("tenant={acme}&q=talk"), "Talk", true).await;
    assert_eq!(status, 303, "{to}");
    assert_eq!(to, format!("/inbox?tenant={acme}&q=talk"));
    let shared = view_named(&app, "Talk", "ana@agency.example", &[acme]).await;
    assert_eq!(
        shared.filter.tenant, None,
        "a shared view's client is its own"
    );
    assert_eq!(shared.filter.q.as_deref(), Some("talk"));

    let (status, body) = save(&mut s.ana, "view=all", "  ", false).await;
    assert_eq!(status, 422);
    assert!(body.contains("<strong>Name</strong>: ") && body.contains("a name of 1 to 80"));
    let (status, body) = save(&mut s.ana, "view=all", "Everyone", true).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("<strong>Share with the team</strong>: "),
        "{body}"
    );
    assert!(body.contains("choose that client in the filters first"));
    let (status, body) = save(&mut s.ana, "view=done", "Unread", false).await;
    assert_eq!(status, 409);
    assert!(body.contains("<strong>Name</strong>: ") && body.contains("choose another name"));
    let (status, body) = save(&mut s.ana, "from=yesterday", "Dates", false).await;
    assert_eq!(status, 422);
    assert!(body.contains("<strong>Filters</strong>: ") && body.contains("`yesterday`"));

    let (status, _) = save(&mut s.rep, &format!("tenant={acme}"), "Ours", true).await;
    assert_eq!(status, 403, "a client representative does not share");
    let (status, _) = save(&mut s.cleo, &format!("tenant={acme}"), "Theirs", true).await;
    assert_eq!(status, 404, "another client is not there");
    let (status, _) = save(&mut s.cleo, &format!("tenant={acme}"), "Peek", false).await;
    assert_eq!(status, 404, "nor may a private view name it");
    drop(s);
    app.stop().await;
}

async fn a_view_is_deleted_after_a_confirmation_and_another_persons_is_404(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut s = agency(&app).await;
    let acme = s.acme;
    save(&mut s.ana, "view=all", "Mine", false).await;
    save(
        &mut s.ana,
        &format!("tenant={acme}&view=all"),
        "Acme team",
        true,
    )
    .await;
    let mine = view_named(&app, "Mine", "ana@agency.example", &[acme]).await;
    let team = view_named(&app, "Acme team", "ana@agency.example", &[acme]).await;
    let action = |view: &SavedView| format!("/inbox/views/{}/delete", view.id);

    let shown = page(&mut s.ana, "/inbox?view=all").await;
    assert!(shown.contains(&format!(r#"action="{}""#, action(&mine))));
    let asked = s.ana.post(&action(&mine), &[("back", "view=all")]).await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("“Mine” leaves the sidebar") && asked.contains(r#"name="confirm""#));
    assert_eq!(
        sidebar(&page(&mut s.ana, "/inbox").await).len(),
        2,
        "asking deletes nothing"
    );

    for (visitor, views) in [(&mut s.rep, vec![&mine]), (&mut s.cleo, vec![&mine, &team])] {
        for (view, confirm) in views.into_iter().flat_map(|v| [(v, ""), (v, "1")]) {
            let refused = visitor.post(&action(view), &[("confirm", confirm)]).await;
            assert_eq!(refused.status(), 404, "{} by another", view.name);
        }
    }
    let refused = s.rep.post(&action(&team), &[("confirm", "1")]).await;
    assert_eq!(
        refused.status(),
        403,
        "a client representative reads the team's views"
    );
    let nonsense = s
        .ana
        .post("/inbox/views/nonsense/delete", &[("confirm", "1")])
        .await;
    assert_eq!(nonsense.status(), 404);

    for view in [&mine, &team] {
        let deleted = s
            .ana
            .post(
                &action(view),
                &[("back", "view=all&cursor=x"), ("confirm", "1")],
            )
            .await;
        assert_eq!(deleted.status(), 303);
        assert_eq!(deleted.headers()["location"], "/inbox?view=all");
    }
    assert!(sidebar(&page(&mut s.ana, "/inbox").await).is_empty());
    assert!(sidebar(&page(&mut s.rep, "/inbox").await).is_empty());
    drop(s);
    app.stop().await;
}
