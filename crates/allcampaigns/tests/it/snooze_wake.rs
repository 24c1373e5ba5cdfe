//! The snooze wake-up (issue 12): a snooze enqueues its thread's `snooze_wake` job in its own
//! transaction; the job runs at the snooze's end and not before (`run_once_at`, a clock), and
//! tells open pages the thread is back; snoozing again moves it either way; unsnoozing or
//! marking the thread done cancels it; a job whose snooze changed since does nothing. A reply
//! that sync brings in reopens a snoozed thread and is announced the same way.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use allcampaigns::domain::TenantId;
use allcampaigns::inbox::wake::{self, SnoozeWakeHandler};
use allcampaigns::inbox::{InboxView, Triage};
use allcampaigns::jobs::runner::Runner;
use allcampaigns::jobs::{JobKind, JobState};
use allcampaigns::live::{Change, Delivery, Live, LiveEvent, Subscription};
use allcampaigns::store::DynStore;
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::helpers::TestDb;
use crate::inbox::{all_pages, entry};
use crate::inbox_fixture::fixture;
use crate::on_both_backends;

on_both_backends!(
    a_snoozed_thread_wakes_at_its_time_and_not_before,
    a_new_snooze_moves_the_wake_and_unsnooze_or_done_cancels_it,
    a_synced_reply_reopens_a_snoozed_thread_and_tells_open_pages,
);

/// A live hub on `store` and a subscriber to one tenant's events, relayed as `serve` relays
/// them (PostgreSQL `LISTEN`).
pub struct Heard {
    live: Live,
    events: Subscription,
    tenant: TenantId,
    _stop: tokio_util::sync::DropGuard,
}

impl Heard {
    pub async fn new(store: &DynStore, tenant: TenantId) -> Self {
        let stop = CancellationToken::new();
        let live = Live::new(store.clone(), stop.clone());
        tokio::spawn(live.clone().relay(stop.clone()));
        let mut events = live.subscribe(HashSet::from([tenant]));
        // The relay starts listening on its own: wait until a probe comes through.
        loop {
            live.publish(probe(tenant)).await;
            let next = tokio::time::timeout(StdDuration::from_millis(200), events.next());
            if let Ok(Some(_)) = next.await {
                break;
            }
        }
        let mut heard = Self {
            live,
            events,
            tenant,
            _stop: stop.drop_guard(),
        };
        heard.threads().await;
        heard
    }

    pub fn live(&self) -> Live {
        self.live.clone()
    }

    /// The thread ids of the events published since the last call, up to a probe sent now
    /// (earlier probes, still on their way, are passed over).
    pub async fn threads(&mut self) -> Vec<String> {
        let marker = probe(self.tenant);
        let Change::Thread { thread_id: mark } = marker.change.clone() else {
            unreachable!()
        };
        self.live.publish(marker).await;
        let mut threads = Vec::new();
        loop {
            let next = tokio::time::timeout(StdDuration::from_secs(10), self.events.next());
            match next.await.expect("the probe arrives").expect("open") {
                Delivery::Event(event) => match &event.change {
                    Change::Thread { thread_id } if *thread_id == mark => return threads,
                    Change::Thread { thread_id } if thread_id.starts_with("probe-") => {}
                    Change::Thread { thread_id } => threads.push(thread_id.clone()),
                    other => panic!("{other:?}"),
                },
                Delivery::Reload => panic!("no event may be missed"),
            }
        }
    }
}

fn probe(tenant: TenantId) -> LiveEvent {
    LiveEvent {
        tenant_id: tenant,
        change: Change::Thread {
            thread_id: format!("probe-{}", uuid::Uuid::new_v4()),
        },
    }
}

struct Setup {
    store: DynStore,
    tenant: TenantId,
    user: allcampaigns::domain::UserId,
    heard: Heard,
    runner: Runner,
    /// Kept: dropping it removes the SQLite file.
    _db: TestDb,
}

async fn setup(db: TestDb) -> Setup {
    let f = fixture(db.store().await).await;
    let store = f.store.clone();
    let heard = Heard::new(&store, f.tenants[0]).await;
    let handler = SnoozeWakeHandler::new(store.clone(), heard.live());
    let runner = Runner::new(store.clone()).with_handler(Arc::new(handler));
    Setup {
        store,
        tenant: f.tenants[0],
        user: f.user,
        heard,
        runner,
        _db: db,
    }
}

impl Setup {
    async fn snooze(&self, thread: &str, change: Triage, now: DateTime<Utc>) {
        let ids = [thread.to_owned()];
        let e = entry(self.user);
        self.store
            .triage(self.tenant, &ids, change, self.user, now, &e)
            .await
            .unwrap();
    }

    /// Runs what is due at `at`; answers whether a job ran, and checks it finished.
    async fn run_at(&self, at: DateTime<Utc>) -> bool {
        match self.runner.run_once_at(at).await.unwrap() {
            None => false,
            Some(outcome) => {
                assert!(outcome.result.is_ok(), "{:?}", outcome.result);
                assert_eq!(outcome.state, Some(JobState::Done));
                true
            }
        }
    }

    async fn woken(&mut self) -> Vec<String> {
        self.heard.threads().await
    }
}

async fn a_snoozed_thread_wakes_at_its_time_and_not_before(db: TestDb) {
    let mut s = setup(db).await;
    let now = Utc::now();
    let until = now + Duration::hours(1);
    s.snooze("a2", Triage::Snooze { until }, now).await;
    let live = s
        .store
        .live_job(s.tenant, JobKind::SnoozeWake, "a2")
        .await
        .unwrap()
        .expect("enqueued with the snooze");
    assert_eq!(live.run_at.timestamp_millis(), until.timestamp_millis());
    assert!(!s.run_at(now).await);
    assert!(!s.run_at(until - Duration::seconds(1)).await);
    assert!(s.woken().await.is_empty());
    let snoozed = in_view(&s, InboxView::Snoozed, until - Duration::seconds(1)).await;
    assert_eq!(snoozed, ["a2"]);
    assert!(s.run_at(until).await);
    assert_eq!(s.woken().await, ["a2"]);
    assert!(in_view(&s, InboxView::Snoozed, until).await.is_empty());
    assert!(!s.run_at(until + Duration::days(1)).await, "once");
}

async fn a_new_snooze_moves_the_wake_and_unsnooze_or_done_cancels_it(db: TestDb) {
    let mut s = setup(db).await;
    let now = Utc::now();
    let (one, two, half) = (
        now + Duration::hours(1),
        now + Duration::hours(2),
        now + Duration::minutes(30),
    );
    // Later: the first time passes without a wake-up.
    s.snooze("a2", Triage::Snooze { until: one }, now).await;
    s.snooze("a2", Triage::Snooze { until: two }, now).await;
    assert!(!s.run_at(one).await);
    assert!(s.run_at(two).await);
    assert_eq!(s.woken().await, ["a2"]);
    // Earlier.
    s.snooze("a1", Triage::Snooze { until: two }, now).await;
    s.snooze("a1", Triage::Snooze { until: half }, now).await;
    assert!(s.run_at(half).await);
    assert_eq!(s.woken().await, ["a1"]);
    assert!(!s.run_at(two).await);
    // Unsnooze and done cancel.
    s.snooze("a5", Triage::Snooze { until: one }, now).await;
    s.snooze("a5", Triage::Unsnooze, now).await;
    s.snooze("a6", Triage::Snooze { until: one }, now).await;
    s.snooze("a6", Triage::Done, now).await;
    assert!(!s.run_at(two).await);
    assert!(s.woken().await.is_empty());
    // A wake-up whose snooze is no longer the thread's (written some other way) says nothing.
    s.store
        .enqueue(s.tenant, &wake::job("a5", one))
        .await
        .unwrap();
    assert!(s.run_at(two).await);
    assert!(s.woken().await.is_empty());
}

async fn in_view(s: &Setup, view: InboxView, now: DateTime<Utc>) -> Vec<String> {
    let filter = allcampaigns::inbox::ThreadFilter {
        view,
        ..Default::default()
    };
    let rows = all_pages(&s.store, &[s.tenant], &filter, 50, now).await;
    rows.into_iter().map(|r| r.thread_id).collect()
}

async fn a_synced_reply_reopens_a_snoozed_thread_and_tells_open_pages(db: TestDb) {
    let s =
        crate::sync::connected(db, instantly_sim::Scale::Small, crate::sync::whole_cycles()).await;
    s.cycle().await;
    let mut heard = Heard::new(&s.store, s.tenant).await;
    let worker = s.worker.clone().with_live(heard.live());
    let tick = s.sim.tick(&instantly_sim::TickRequest {
        new_replies: 5,
        ..Default::default()
    });
    let mut replied: Vec<String> = tick.workspaces[0]
        .new_emails
        .iter()
        .map(|e| e.thread_id.clone())
        .collect();
    replied.sort();
    replied.dedup();
    assert!(!replied.is_empty());
    // Snooze every replied thread we already hold (a reply may also start a new one).
    let now = Utc::now();
    let until = now + Duration::days(1);
    let user = s
        .store
        .create_user(
            &allcampaigns::domain::Email::parse("ops@a.example").unwrap(),
            "",
        )
        .await
        .unwrap()
        .id;
    let mut snoozed = Vec::new();
    for thread in &replied {
        let ids = [thread.clone()];
        let change = Triage::Snooze { until };
        let e = entry(user);
        if s.store
            .triage(s.tenant, &ids, change, user, now, &e)
            .await
            .is_ok()
        {
            snoozed.push(thread.clone());
        }
    }
    assert!(!snoozed.is_empty(), "some replies answer threads we hold");
    assert!(
        heard.threads().await.is_empty(),
        "a snooze alone announces nothing here"
    );
    let report = worker
        .sync_tenant(s.tenant, allcampaigns::sync::Hooks::default())
        .await
        .unwrap();
    assert_eq!(report.failed().count(), 0, "{report:?}");
    let mut announced = heard.threads().await;
    announced.sort();
    announced.dedup();
    assert_eq!(
        announced, replied,
        "each new message's thread, and no other"
    );
    for thread in &snoozed {
        let row = s
            .store
            .thread(s.tenant, thread, now)
            .await
            .unwrap()
            .unwrap();
        assert!(
            row.summary.snoozed_until.is_none() && row.summary.unread,
            "{thread}"
        );
    }
    // A cycle with nothing new announces nothing (the overlap read again is not new), and
    // the wake-up of a snooze a reply ended says nothing either.
    worker
        .sync_tenant(s.tenant, allcampaigns::sync::Hooks::default())
        .await
        .unwrap();
    let handler = SnoozeWakeHandler::new(s.store.clone(), heard.live());
    let runner = Runner::new(s.store.clone()).with_handler(Arc::new(handler));
    let mut woke = 0;
    while runner.run_once_at(until).await.unwrap().is_some() {
        woke += 1;
    }
    assert_eq!(woke, snoozed.len());
    assert!(heard.threads().await.is_empty());
}
