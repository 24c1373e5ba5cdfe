//! The inbox store on both backends: tabs, every filter and search against an expectation
//! computed from the seed in plain Rust (`inbox_seed`), triage that persists and that a new
//! reply undoes (done, snoozed and read threads reopen), and isolation between tenants.

use allcampaigns::domain::{TenantId, UserId};
use allcampaigns::inbox::{
    Cursor, InboxView, OwnerFilter, SearchQuery, ThreadFilter, ThreadSummary, Triage,
};
use allcampaigns::store::{AuditFilter, DynStore, NewAuditEntry};
use chrono::{DateTime, Duration, Utc};

use crate::helpers::TestDb;
use crate::inbox_fixture::fixture;
use crate::inbox_seed::{ModelThread, Msg, model, start, write};
use crate::on_both_backends;

on_both_backends!(
    tabs_filters_and_search_return_exactly_the_threads_the_seed_implies,
    triage_persists_and_a_new_reply_reopens_done_and_snoozed_threads_as_unread,
    a_thread_of_another_tenant_is_never_read_or_changed,
);

/// Every thread of `tenants` through pages of `limit`, following each cursor.
pub async fn all_pages(
    store: &DynStore,
    tenants: &[TenantId],
    filter: &ThreadFilter,
    limit: u32,
    now: DateTime<Utc>,
) -> Vec<ThreadSummary> {
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store
            .threads(tenants, filter, cursor.as_ref(), limit, now)
            .await
            .unwrap();
        assert!(page.items.len() <= limit as usize);
        seen.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return seen,
        }
    }
}

fn keys(rows: &[ThreadSummary]) -> Vec<(TenantId, String)> {
    rows.iter()
        .map(|r| (r.tenant_id, r.thread_id.clone()))
        .collect()
}

/// The expected list: the model's threads that pass `keep`, newest first.
fn expected(
    model: &[ModelThread],
    tenants: &[TenantId],
    keep: impl Fn(&ModelThread) -> bool,
) -> Vec<(TenantId, String)> {
    let mut rows: Vec<&ModelThread> = model
        .iter()
        .filter(|t| tenants.contains(&t.tenant) && keep(t))
        .collect();
    rows.sort_by(|x, y| {
        let key = |t: &ModelThread| (t.last().at, t.tenant, t.thread.clone().into_bytes());
        key(y).cmp(&key(x))
    });
    rows.iter().map(|t| (t.tenant, t.thread.clone())).collect()
}

async fn tabs_filters_and_search_return_exactly_the_threads_the_seed_implies(db: TestDb) {
    let f = fixture(db.store().await).await;
    let model = model(&f.messages, &f.leads);
    let now = start() + Duration::days(1);
    let visible = &f.tenants[..2];
    let (a, b) = (f.tenants[0], f.tenants[1]);
    // Triage a little first, so tabs and the owner filter have something to tell apart.
    let entry = entry(f.user);
    f.store
        .triage(a, &["a2".into()], Triage::Done, f.user, now, &entry)
        .await
        .unwrap();
    let owner = Triage::Assign {
        owner: Some(f.user),
    };
    f.store
        .triage(b, &["b1".into()], owner, f.user, now, &entry)
        .await
        .unwrap();
    let done = |t: &ModelThread| t.tenant == a && t.thread == "a2";
    let unread = |t: &ModelThread| t.instantly_unread();
    let cases: Vec<(&str, ThreadFilter, Keep<'_>)> = vec![
        (
            "primary",
            filter(InboxView::Primary),
            Box::new(move |t| t.is_primary() && !done(t)),
        ),
        (
            "others",
            filter(InboxView::Others),
            Box::new(move |t| !t.is_primary() && !done(t)),
        ),
        ("done", filter(InboxView::Done), Box::new(done)),
        ("snoozed", filter(InboxView::Snoozed), Box::new(|_| false)),
        ("all", filter(InboxView::All), Box::new(|_| true)),
        (
            "unread",
            ThreadFilter {
                unread: Some(true),
                ..filter(InboxView::All)
            },
            Box::new(unread),
        ),
        (
            "read",
            ThreadFilter {
                unread: Some(false),
                ..filter(InboxView::All)
            },
            Box::new(move |t| !unread(t)),
        ),
        (
            "owner me",
            ThreadFilter {
                owner: Some(OwnerFilter::User(f.user)),
                ..filter(InboxView::All)
            },
            Box::new(move |t| t.tenant == b && t.thread == "b1"),
        ),
        (
            "owner none",
            ThreadFilter {
                owner: Some(OwnerFilter::Nobody),
                ..filter(InboxView::All)
            },
            Box::new(move |t| !(t.tenant == b && t.thread == "b1")),
        ),
        (
            "stage",
            ThreadFilter {
                stage: Some(1),
                ..filter(InboxView::All)
            },
            Box::new(|t| t.last().stage == Some(1)),
        ),
        (
            "campaign",
            ThreadFilter {
                campaign: Some("c2".into()),
                ..filter(InboxView::All)
            },
            Box::new(|t| t.last().campaign.as_deref() == Some("c2")),
        ),
        (
            "mailbox",
            ThreadFilter {
                mailbox: Some("second@agency.example".into()),
                ..filter(InboxView::All)
            },
            Box::new(|t| t.last().mailbox == "second@agency.example"),
        ),
        (
            "tag",
            ThreadFilter {
                tag: Some("tag-vip".into()),
                ..filter(InboxView::All)
            },
            Box::new(move |t| t.tenant == a && t.last().campaign.as_deref() == Some("c2")),
        ),
        (
            "from",
            ThreadFilter {
                from: Some(start() + Duration::minutes(90)),
                ..filter(InboxView::All)
            },
            Box::new(|t| t.last().at >= start() + Duration::minutes(90)),
        ),
        (
            "to",
            ThreadFilter {
                to: Some(start() + Duration::minutes(70)),
                ..filter(InboxView::All)
            },
            Box::new(|t| t.last().at < start() + Duration::minutes(70)),
        ),
        (
            "unread primary of campaign c1",
            ThreadFilter {
                unread: Some(true),
                campaign: Some("c1".into()),
                ..filter(InboxView::Primary)
            },
            Box::new(move |t| {
                t.is_primary()
                    && !done(t)
                    && unread(t)
                    && t.last().campaign.as_deref() == Some("c1")
            }),
        ),
    ];
    for (name, filter, keep) in &cases {
        for tenants in [visible, &f.tenants[..1], &f.tenants[1..2]] {
            let want = expected(&model, tenants, keep);
            for limit in [1, 2, 50] {
                let got = all_pages(&f.store, tenants, filter, limit, now).await;
                assert_eq!(keys(&got), want, "{name}, limit {limit}");
            }
        }
    }
    for q in [
        "иван",
        "ИВАН",
        "петров",
        "акме",
        "angstrom",
        "ÅNGSTRÖM",
        "Ångström labs",
        "pricing",
        "école",
        "ECOLE",
        "acme",
        "ivan@acme.bg",
        "цената",
        "great talk",
        "hello great",
        "let's",
        "nowhere",
        "Благодаря Обадете",
    ] {
        let filter = ThreadFilter {
            search: SearchQuery::parse(q),
            ..filter(InboxView::All)
        };
        let want = expected(&model, visible, |t| t.matches(q));
        let got = all_pages(&f.store, visible, &filter, 2, now).await;
        assert_eq!(keys(&got), want, "search {q:?}");
    }
    for (q, n) in [
        ("angstrom", 2),
        ("pricing", 2),
        ("acme", 1),
        ("цената", 1),
        ("nowhere", 0),
    ] {
        assert_eq!(expected(&model, visible, |t| t.matches(q)).len(), n, "{q}");
    }
    let hits = expected(&model, visible, |t| t.matches("иван"));
    assert_eq!(
        hits,
        vec![(a, "a1".to_string())],
        "the other tenant's Иван stays hidden"
    );
    let summary = f
        .store
        .threads(&[a], &filter(InboxView::All), None, 50, now)
        .await
        .unwrap();
    let a6 = summary.items.iter().find(|t| t.thread_id == "a6").unwrap();
    assert_eq!(a6.tags, ["VIP"]);
    assert_eq!(a6.subject, "PRICING Question");
    let counts = f
        .store
        .tab_counts(visible, &filter(InboxView::Primary), now)
        .await
        .unwrap();
    for (view, count) in counts {
        let want = all_pages(&f.store, visible, &filter(view), 50, now)
            .await
            .len();
        assert_eq!(
            (count.count, count.capped),
            (want as i64, false),
            "{view:?}"
        );
    }
    many_matches(&f, now).await;
}

/// With more matching documents than `FEW_HITS` (1,000) in B, PostgreSQL walks B's threads and
/// probes each instead of reading every match: the same threads either way. SQLite reads the
/// matches in chunks that end at a second's start: about eleven threads share each second
/// here, and a filter that keeps one match in ten takes several chunks a page.
async fn many_matches(f: &crate::inbox_fixture::Fixture, now: DateTime<Utc>) {
    let b = f.tenants[1];
    let mut messages = f.messages.clone();
    let extra: Vec<Msg> = (0..1100)
        .map(|i| {
            let mut m = Msg::new(b, &format!("bulk{i:04}"), &format!("bulk{i:04}-m"), i % 97);
            m.body = if i % 3 == 0 {
                "pricing again zebra"
            } else {
                "pricing zebra"
            }
            .into();
            m.lead = Some(format!("bulk{i}@example.com"));
            m.unread = i % 10 == 0;
            m
        })
        .collect();
    write(&f.store, &extra, &[]).await;
    messages.extend(extra);
    let model = model(&messages, &f.leads);
    // Two of three clients: SQLite searches every client's documents at once. Two of five:
    // each client's own, by its token.
    check_many_matches(f, &model, now).await;
    for name in ["Quiet One", "Quiet Two"] {
        crate::inbox_fixture::tenant(&f.store, name).await;
    }
    check_many_matches(f, &model, now).await;
}

async fn check_many_matches(
    f: &crate::inbox_fixture::Fixture,
    model: &[ModelThread],
    now: DateTime<Utc>,
) {
    for q in ["pricing", "pricing again", "Иван", "nowhere"] {
        let search = ThreadFilter {
            search: SearchQuery::parse(q),
            ..filter(InboxView::All)
        };
        let want = expected(model, &f.tenants[..2], |t| t.matches(q));
        let got = all_pages(&f.store, &f.tenants[..2], &search, 100, now).await;
        assert_eq!(keys(&got), want, "search {q:?} with many matches");
    }
    let unread = ThreadFilter {
        search: SearchQuery::parse("zebra"),
        unread: Some(true),
        ..filter(InboxView::All)
    };
    let want = expected(model, &f.tenants[..2], |t| {
        t.matches("zebra") && t.instantly_unread()
    });
    assert_eq!(want.len(), 110);
    for limit in [7, 100] {
        let got = all_pages(&f.store, &f.tenants[..2], &unread, limit, now).await;
        assert_eq!(
            keys(&got),
            want,
            "a rare filter on many matches, pages of {limit}"
        );
    }
}

/// Which of the model's threads a case keeps.
type Keep<'a> = Box<dyn Fn(&ModelThread) -> bool + 'a>;

fn filter(view: InboxView) -> ThreadFilter {
    ThreadFilter {
        view,
        ..ThreadFilter::default()
    }
}

pub fn entry(user: UserId) -> NewAuditEntry {
    NewAuditEntry {
        actor: Some(user),
        action: "thread.test".into(),
        target: None,
        details: serde_json::json!({}),
        request_id: None,
    }
}

async fn state(
    store: &DynStore,
    tenant: TenantId,
    thread: &str,
    now: DateTime<Utc>,
) -> ThreadSummary {
    store
        .thread(tenant, thread, now)
        .await
        .unwrap()
        .unwrap()
        .summary
}

async fn in_view(
    store: &DynStore,
    tenant: TenantId,
    view: InboxView,
    now: DateTime<Utc>,
) -> Vec<String> {
    let rows = all_pages(store, &[tenant], &filter(view), 50, now).await;
    rows.into_iter().map(|r| r.thread_id).collect()
}

async fn triage_persists_and_a_new_reply_reopens_done_and_snoozed_threads_as_unread(db: TestDb) {
    let f = fixture(db.store().await).await;
    let (a, s, user) = (f.tenants[0], &f.store, f.user);
    let now = start() + Duration::days(1);
    let e = entry(user);
    let one = |id: &str| vec![id.to_owned()];
    s.triage(a, &one("a1"), Triage::Read, user, now, &e)
        .await
        .unwrap();
    s.triage(a, &one("a1"), Triage::Done, user, now, &e)
        .await
        .unwrap();
    let until = now + Duration::days(2);
    s.triage(a, &one("a2"), Triage::Snooze { until }, user, now, &e)
        .await
        .unwrap();
    let a1 = state(s, a, "a1", now).await;
    assert!(a1.done && !a1.unread, "{a1:?}");
    assert!(
        !in_view(s, a, InboxView::Primary, now)
            .await
            .contains(&"a1".into())
    );
    assert_eq!(in_view(s, a, InboxView::Done, now).await, ["a1"]);
    assert_eq!(in_view(s, a, InboxView::Snoozed, now).await, ["a2"]);
    assert_eq!(state(s, a, "a2", now).await.snoozed_until, Some(until));
    // Each tab's count leaves out what is done and snoozed, as its list does.
    let counts = s
        .tab_counts(&[a], &ThreadFilter::default(), now)
        .await
        .unwrap();
    for (view, count) in counts {
        let listed = in_view(s, a, view, now).await.len() as i64;
        assert_eq!((count.count, count.capped), (listed, false), "{view:?}");
    }
    // The snooze ends at its time.
    let later = until + Duration::seconds(1);
    assert!(
        in_view(s, a, InboxView::Primary, later)
            .await
            .contains(&"a2".into())
    );
    // Sync writes the same page again: our state is not its to change.
    write(s, &f.messages, &f.leads).await;
    assert!(state(s, a, "a1", now).await.done);
    // Our own send does not reopen a done thread.
    let mut ours = Msg::new(a, "a1", "a1-ours", 200);
    (ours.received, ours.lead) = (false, Some("ivan@acme.bg".into()));
    write(s, &[ours], &[]).await;
    assert!(state(s, a, "a1", now).await.done);
    // A reply Instantly stored before "done" was clicked but sync brought after still reopens
    // (its time is older than the click), and so does one to the snoozed thread.
    let mut late = Msg::new(a, "a1", "a1-late", 5);
    (late.lead, late.unread) = (Some("ivan@acme.bg".into()), false);
    let mut reply = Msg::new(a, "a2", "a2-new", 300);
    reply.lead = Some("anna@angstrom.se".into());
    write(s, &[late, reply], &[]).await;
    for thread in ["a1", "a2"] {
        let row = state(s, a, thread, now).await;
        assert!(
            !row.done && row.snoozed_until.is_none() && row.unread,
            "{row:?}"
        );
        assert!(
            in_view(s, a, InboxView::Primary, now)
                .await
                .contains(&thread.into())
        );
    }
    // Assign, unassign; undone and unsnooze clear; unread sticks until read.
    s.triage(
        a,
        &one("a3"),
        Triage::Assign { owner: Some(user) },
        user,
        now,
        &e,
    )
    .await
    .unwrap();
    assert_eq!(state(s, a, "a3", now).await.owner_id, Some(user));
    s.triage(a, &one("a3"), Triage::Assign { owner: None }, user, now, &e)
        .await
        .unwrap();
    assert_eq!(state(s, a, "a3", now).await.owner_id, None);
    s.triage(a, &one("a5"), Triage::Unread, user, now, &e)
        .await
        .unwrap();
    assert!(state(s, a, "a5", now).await.unread);
    s.triage(a, &one("a5"), Triage::Read, user, now, &e)
        .await
        .unwrap();
    assert!(!state(s, a, "a5", now).await.unread);
    let both = vec!["a3".to_owned(), "a4".to_owned()];
    s.triage(a, &both, Triage::Done, user, now, &e)
        .await
        .unwrap();
    s.triage(a, &both, Triage::Undone, user, now, &e)
        .await
        .unwrap();
    assert!(in_view(s, a, InboxView::Done, now).await.is_empty());
    s.triage(a, &one("a6"), Triage::Snooze { until }, user, now, &e)
        .await
        .unwrap();
    s.triage(a, &one("a6"), Triage::Unsnooze, user, now, &e)
        .await
        .unwrap();
    assert!(in_view(s, a, InboxView::Snoozed, now).await.is_empty());
    // Sync keeps the tab current: a real reply after an out-of-office makes it primary.
    assert!(
        in_view(s, a, InboxView::Others, now)
            .await
            .contains(&"a3".into())
    );
    let mut back = Msg::new(a, "a3", "a3-back", 400);
    back.lead = Some("ooo@example.com".into());
    write(s, &[back], &[]).await;
    assert!(
        in_view(s, a, InboxView::Primary, now)
            .await
            .contains(&"a3".into())
    );
    // Each thread changed wrote one entry, in its transaction.
    let audit = s
        .audit_entries(
            a,
            &AuditFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        audit.iter().filter(|x| x.action == "thread.test").count(),
        13
    );
    assert!(audit.iter().any(|x| x.target.as_deref() == Some("a4")));
}

async fn a_thread_of_another_tenant_is_never_read_or_changed(db: TestDb) {
    let f = fixture(db.store().await).await;
    let (a, c, s, user) = (f.tenants[0], f.tenants[2], &f.store, f.user);
    let now = start() + Duration::days(1);
    assert!(s.thread(a, "c1", now).await.unwrap().is_none());
    let e = entry(user);
    let mixed = vec!["a1".to_owned(), "c1".to_owned()];
    let refused = s.triage(a, &mixed, Triage::Done, user, now, &e).await;
    assert!(
        matches!(refused, Err(allcampaigns::store::StoreError::NotFound)),
        "{refused:?}"
    );
    assert!(!state(s, a, "a1", now).await.done, "nothing changed");
    assert!(!state(s, c, "c1", now).await.done);
    let all = filter(InboxView::All);
    let listed = all_pages(s, &[a], &all, 50, now).await;
    assert!(listed.iter().all(|t| t.tenant_id == a));
    let search = ThreadFilter {
        search: SearchQuery::parse("pricing"),
        ..all
    };
    let found = all_pages(s, &[a, f.tenants[1]], &search, 50, now).await;
    assert!(found.iter().all(|t| t.tenant_id != c), "{found:?}");
    let audit = s
        .audit_entries(
            a,
            &AuditFilter {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        audit.iter().all(|x| x.action != "thread.test"),
        "no entry for a refused change"
    );
}
