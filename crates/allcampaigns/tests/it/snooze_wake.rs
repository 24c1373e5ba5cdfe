//! The snooze wake-up (issue 12): a snooze enqueues its thread's `snooze_wake` job in its own
//! transaction; the job runs at the snooze's end and not before (`run_once_at`, a clock), and
//! tells open pages the thread is back; snoozing again moves it either way; unsnoozing or
//! marking the thread done cancels it; a job whose snooze changed since does nothing.

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
);

struct Setup {
    store: DynStore,
    tenant: TenantId,
    user: allcampaigns::domain::UserId,
    live: Live,
    events: Subscription,
    runner: Runner,
    _stop: tokio_util::sync::DropGuard,
    /// Kept: dropping it removes the SQLite file.
    _db: TestDb,
}

async fn setup(db: TestDb) -> Setup {
    let f = fixture(db.store().await).await;
    let store = f.store.clone();
    let stop = CancellationToken::new();
    let live = Live::new(store.clone(), stop.clone());
    tokio::spawn(live.clone().relay(stop.clone()));
    let mut events = live.subscribe(HashSet::from([f.tenants[0]]));
    // On PostgreSQL events arrive through the relay's `LISTEN`, which starts on its own.
    loop {
        live.publish(probe(f.tenants[0])).await;
        if let Ok(Some(_)) =
            tokio::time::timeout(StdDuration::from_millis(200), events.next()).await
        {
            break;
        }
    }
    let handler = SnoozeWakeHandler::new(store.clone(), live.clone());
    let runner = Runner::new(store.clone()).with_handler(Arc::new(handler));
    // Drain any probe that arrived late.
    while let Ok(Some(_)) = tokio::time::timeout(StdDuration::from_millis(300), events.next()).await
    {
    }
    Setup {
        store,
        tenant: f.tenants[0],
        user: f.user,
        live,
        events,
        runner,
        _stop: stop.drop_guard(),
        _db: db,
    }
}

fn probe(tenant: TenantId) -> LiveEvent {
    LiveEvent {
        tenant_id: tenant,
        change: Change::Thread {
            thread_id: "probe".into(),
        },
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

    /// The thread ids of the events published since the last call, up to a probe sent now.
    async fn woken(&mut self) -> Vec<String> {
        self.live.publish(probe(self.tenant)).await;
        let mut threads = Vec::new();
        loop {
            let next = tokio::time::timeout(StdDuration::from_secs(10), self.events.next());
            match next.await.expect("the probe arrives").expect("open") {
                Delivery::Event(event) => match &event.change {
                    Change::Thread { thread_id } if thread_id == "probe" => return threads,
                    Change::Thread { thread_id } => threads.push(thread_id.clone()),
                    other => panic!("{other:?}"),
                },
                Delivery::Reload => panic!("no event may be missed"),
            }
        }
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
