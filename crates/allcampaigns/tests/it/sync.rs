//! Sync against the real simulator, on both backends: golden equality with the simulator's
//! ground truth, crash and resume, faults, incremental cycles, single flight, failures.

use std::collections::BTreeSet;
use std::sync::Arc;

use allcampaigns::domain::TenantId;
use allcampaigns::jobs::JobKind;
use allcampaigns::mail::{Mail, Mailer};
use allcampaigns::store::{DynStore, TenantProfile};
use allcampaigns::sync::{CycleReport, Hooks, SyncOptions, SyncWorker};
use instantly::BudgetConfig;
use instantly_sim::{RunningSim, Scale, SimConfig, Simulator};
use serde_json::Value;
use sqlx::Connection;

use crate::helpers::TestDb;
use crate::on_both_backends;

pub struct Synced {
    pub db: TestDb,
    pub store: DynStore,
    pub sim: RunningSim,
    pub worker: SyncWorker,
    pub tenant: TenantId,
    pub workspace: String,
    pub inbox: tokio::sync::mpsc::UnboundedReceiver<Mail>,
}

pub async fn simulator(scale: Scale) -> RunningSim {
    let config = SimConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        seed: 7,
        scale,
        workspaces: 1,
        rate_limits: false,
    };
    Simulator::start(config).await.expect("simulator starts")
}

/// A tenant connected to the simulator's first workspace, and a worker that syncs it.
pub async fn connected(db: TestDb, scale: Scale, options: SyncOptions) -> Synced {
    let sim = simulator(scale).await;
    let store = db.store().await;
    let keyring = Arc::new(
        allcampaigns::keys::load_keyring(&db.config, &store)
            .await
            .unwrap(),
    );
    let profile = TenantProfile {
        name: "Acme".into(),
        ..Default::default()
    };
    let tenant = store.create_tenant(None, &profile).await.unwrap().id;
    let ws = sim.workspaces().remove(0);
    crate::instantly_link::link_as_operator(&store, &keyring, tenant, &ws.api_key, &sim.base_url())
        .await;
    let (mailer, inbox) = Mailer::capture();
    let worker = SyncWorker::new(
        store.clone(),
        keyring,
        BudgetConfig::unlimited(),
        options,
        mailer,
    );
    Synced {
        db,
        store,
        sim,
        worker,
        tenant,
        workspace: ws.id,
        inbox,
    }
}

pub fn whole_cycles() -> SyncOptions {
    SyncOptions {
        pages_per_slice: u64::MAX,
        ..quick_retries()
    }
}

/// Retries as in production, minus the waiting.
pub fn quick_retries() -> SyncOptions {
    SyncOptions {
        retry: instantly::RetryPolicy {
            max_attempts: 4,
            base_delay: std::time::Duration::from_millis(5),
            max_delay: std::time::Duration::from_millis(40),
            max_retry_after: std::time::Duration::from_millis(100),
        },
        ..SyncOptions::default()
    }
}

impl Synced {
    pub async fn cycle(&self) -> CycleReport {
        self.worker
            .sync_tenant(self.tenant, Hooks::default())
            .await
            .expect("cycle runs")
    }

    /// Runs queued cycles (as the background lanes would) until nothing is due now.
    pub async fn drain(&self) -> u32 {
        let mut runs = 0;
        while let Some(outcome) = self.worker.run_once().await.unwrap() {
            runs += 1;
            assert!(runs < 10_000, "sync never settles");
            if let Ok(report) = &outcome.result
                && !report.more()
            {
                break;
            }
        }
        runs
    }

    async fn truth(&self) -> Value {
        let url = format!(
            "{}/__sim/truth/{}?content=true",
            self.sim.base_url(),
            self.workspace
        );
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// One text per row, from a query both backends accept (`$1` is the tenant).
    pub async fn rows(&self, sql: &str) -> Vec<String> {
        self.rows_of(self.tenant, sql).await
    }

    async fn rows_of(&self, tenant: TenantId, sql: &str) -> Vec<String> {
        match &self.db.owner_url {
            None => {
                let path = self.db.dir.path().join("allcampaigns.db");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                        .await
                        .unwrap();
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                    .bind(tenant)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
            Some(_) => {
                let mut conn = self.db.superuser().await;
                let mut tx = conn.begin().await.unwrap();
                sqlx::query("SELECT set_config('app.tenant_ids', $1, true)")
                    .bind(tenant.to_string())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                    .bind(tenant)
                    .fetch_all(&mut *tx)
                    .await
                    .unwrap()
            }
        }
    }

    /// Every stream's store content equals the simulator's ground truth.
    pub async fn assert_equals_truth(&self) {
        let truth = self.truth().await;
        for (table, key) in [
            ("campaigns", "campaigns"),
            ("mailboxes", "accounts"),
            ("lead_lists", "lead_lists"),
            ("lead_labels", "lead_labels"),
            ("custom_tags", "custom_tags"),
            ("custom_tag_mappings", "custom_tag_mappings"),
        ] {
            let stored: BTreeSet<String> = self
                .rows(&format!(
                    "SELECT instantly_id FROM {table} WHERE tenant_id = $1 AND deleted_at IS NULL"
                ))
                .await
                .into_iter()
                .collect();
            let expected: BTreeSet<String> = strings(&truth[key]["ids"]);
            assert_eq!(stored, expected, "{table} differ from the simulator");
        }
        let leads = self
            .rows(
                "SELECT instantly_id || '|' || coalesce(email, '') || '|' || status || '|' || \
                 coalesce(interest_status, -99) FROM leads \
                 WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY instantly_id",
            )
            .await;
        let mut expected: Vec<String> = truth["leads"]["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                format!(
                    "{}|{}|{}|{}",
                    l["id"].as_str().unwrap(),
                    l["email"].as_str().unwrap_or(""),
                    l["status"],
                    l["lt_interest_status"].as_i64().unwrap_or(-99)
                )
            })
            .collect();
        expected.sort();
        assert_eq!(leads.len(), expected.len(), "lead count");
        assert_eq!(leads, expected, "lead content");
        let messages = self
            .rows(
                "SELECT instantly_id || '|' || thread_id || '|' || coalesce(ue_type, -1) || '|' || \
                 CASE WHEN is_unread THEN 1 ELSE 0 END || '|' || subject FROM messages \
                 WHERE tenant_id = $1 ORDER BY instantly_id",
            )
            .await;
        let records = truth["emails"]["records"].as_array().unwrap();
        let mut expected: Vec<String> = records
            .iter()
            .map(|e| {
                format!(
                    "{}|{}|{}|{}|{}",
                    e["id"].as_str().unwrap(),
                    e["thread_id"].as_str().unwrap(),
                    e["ue_type"].as_i64().unwrap_or(-1),
                    e["is_unread"].as_i64().unwrap_or(0),
                    e["subject"].as_str().unwrap()
                )
            })
            .collect();
        expected.sort();
        assert_eq!(messages.len(), expected.len(), "message count");
        assert_eq!(messages, expected, "message content");
        let threads: BTreeSet<&str> = records
            .iter()
            .map(|e| e["thread_id"].as_str().unwrap())
            .collect();
        let stored_threads = self
            .rows("SELECT thread_id FROM threads WHERE tenant_id = $1")
            .await;
        assert_eq!(stored_threads.len(), threads.len(), "thread count");
        let counted = self
            .rows("SELECT '' || SUM(message_count) FROM threads WHERE tenant_id = $1")
            .await;
        assert_eq!(
            counted,
            vec![records.len().to_string()],
            "messages per thread add up"
        );
    }
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn golden_equality_at_small_scale(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let report = s.cycle().await;
    assert_eq!(report.failed().count(), 0, "{report:?}");
    s.assert_equals_truth().await;
    let status = allcampaigns::sync::status::tenant_status(&s.store, s.tenant)
        .await
        .unwrap();
    assert!(status.backfilled(), "{status:?}");
    let emails = status
        .streams
        .iter()
        .find(|x| x.stream == "emails")
        .unwrap();
    assert!(emails.stored.unwrap() > 0 && emails.last_success_at.is_some());
}

async fn golden_equality_at_medium_scale(db: TestDb) {
    let s = connected(db, Scale::Medium, whole_cycles()).await;
    let report = s.cycle().await;
    assert_eq!(report.failed().count(), 0, "{report:?}");
    s.assert_equals_truth().await;
}

/// SYNC-01: a slice of one page per stream ends the cycle after every checkpoint; the next
/// cycle resumes from the checkpoint until everything is in. (Stops in the middle of a page,
/// by dropping the cycle and by SIGKILL, are in `sync_crashes.rs`.)
async fn sync_01_stopping_after_every_checkpoint_resumes_without_gaps_or_duplicates(db: TestDb) {
    let options = SyncOptions {
        pages_per_slice: 1,
        ..quick_retries()
    };
    let s = connected(db, Scale::Small, options).await;
    let runs = s.drain().await;
    assert!(runs > 5, "the backfill took several slices ({runs})");
    s.assert_equals_truth().await;
}

/// SYNC-11 (and SYNC-06's retryable classes): 500s, 502s, 503s, 429s, resets, truncated
/// bodies and duplicated items across pages; the final state still equals the truth.
async fn sync_11_injected_faults_still_end_equal_to_the_truth(db: TestDb) {
    let options = SyncOptions {
        pages_per_slice: 3,
        ..quick_retries()
    };
    let s = connected(db, Scale::Small, options).await;
    s.sim.set_faults(instantly_sim::FaultConfig {
        error_500: 0.05,
        error_502: 0.03,
        error_503: 0.03,
        error_429: 0.05,
        reset: 0.03,
        truncate: 0.03,
        duplicate: 0.1,
        ..Default::default()
    });
    for _ in 0..200 {
        if let Some(outcome) = s.worker.run_once().await.unwrap()
            && outcome
                .result
                .as_ref()
                .is_ok_and(|r| !r.more() && r.failed().count() == 0)
        {
            break;
        }
        // A failed stream backs off; bring the next run forward, as time would.
        SyncWorker::request(&s.store, s.tenant).await.unwrap();
    }
    assert!(!s.sim.injected_faults().is_empty(), "faults were injected");
    s.sim.clear_faults();
    s.assert_equals_truth().await;
}

/// SYNC-05: with nothing changed, a second cycle writes nothing and reads one page of each
/// incremental list.
async fn sync_05_a_second_cycle_with_nothing_changed_writes_nothing(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let before = s.sim.requests_served();
    let report = s.cycle().await;
    assert_eq!(report.written(), 0, "{report:?}");
    for stream in ["emails", "leads"] {
        let r = report.streams.iter().find(|r| r.stream == stream).unwrap();
        assert_eq!(r.progress.pages, 1, "{stream} read one page");
    }
    let served = s.sim.requests_served() - before;
    assert!(
        served <= report.pages(),
        "{served} requests for {} pages",
        report.pages()
    );
}

/// The simulator adds replies and interest changes; one incremental cycle (with the lead
/// reconciliation due) brings exactly those in.
async fn an_incremental_cycle_brings_in_new_replies_and_status_changes(db: TestDb) {
    let options = SyncOptions {
        reconcile_every: chrono::Duration::zero(),
        ..whole_cycles()
    };
    let s = connected(db, Scale::Small, options).await;
    s.cycle().await;
    let count = "SELECT '' || COUNT(*) FROM messages WHERE tenant_id = $1";
    let before: usize = s.rows(count).await[0].parse().unwrap();
    let tick = s.sim.tick(&instantly_sim::TickRequest {
        new_replies: 7,
        status_changes: 5,
        ..Default::default()
    });
    let changes = &tick.workspaces[0];
    let report = s.cycle().await;
    assert_eq!(report.failed().count(), 0, "{report:?}");
    let after: usize = s.rows(count).await[0].parse().unwrap();
    assert_eq!(after - before, changes.new_emails.len());
    s.assert_equals_truth().await;
    let changed_leads: BTreeSet<&str> = changes
        .new_emails
        .iter()
        .map(|e| e.lead_id.as_str())
        .chain(changes.status_changes.iter().map(|c| c.lead_id.as_str()))
        .collect();
    let reconcile = report
        .streams
        .iter()
        .find(|r| r.stream == "leads_reconcile")
        .expect("reconciliation ran");
    assert!(
        reconcile.progress.written as usize <= changed_leads.len(),
        "only changed leads rewritten: {} of {}",
        reconcile.progress.written,
        changed_leads.len()
    );
}

/// SYNC-03: messages older than the watermark but inside the overlap are still picked up.
async fn sync_03_late_writes_inside_the_overlap_are_picked_up(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    // As if a clock ahead of Instantly's had moved the watermark past the next replies.
    let mut state = s
        .store
        .stream_states(s.tenant)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.stream == "emails")
        .unwrap();
    state.watermark = state.watermark.map(|w| w + chrono::Duration::minutes(5));
    s.store.save_stream_state(s.tenant, &state).await.unwrap();
    s.sim.tick(&instantly_sim::TickRequest {
        new_replies: 3,
        ..Default::default()
    });
    s.cycle().await;
    s.assert_equals_truth().await;
}

/// Hostile HTML from the simulator is stored sanitized (HTML-01 at ingest).
async fn hostile_html_is_stored_sanitized(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let bodies = s
        .rows("SELECT body_html FROM messages WHERE tenant_id = $1 AND body_html IS NOT NULL")
        .await;
    assert!(!bodies.is_empty());
    for body in bodies {
        let lower = body.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "<iframe",
            "<svg",
            " src=",
        ] {
            assert!(!lower.contains(bad), "{bad} survived in {body}");
        }
    }
}

/// Suppressed addresses are never stored again by sync.
async fn suppressed_addresses_are_not_reimported(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let truth = s.truth().await;
    let victim = truth["leads"]["records"][3]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let hash = allcampaigns::sync::suppression_hash(s.tenant, &victim);
    s.store.add_suppression(s.tenant, &hash).await.unwrap();
    s.cycle().await;
    let sql = format!(
        "SELECT instantly_id FROM leads WHERE tenant_id = $1 AND lower(email) = '{}' \
         UNION ALL SELECT instantly_id FROM messages WHERE tenant_id = $1 AND lower(lead_email) = '{}'",
        victim.to_lowercase(),
        victim.to_lowercase()
    );
    assert!(s.rows(&sql).await.is_empty(), "{victim} was stored");
    let leads = s
        .rows("SELECT instantly_id FROM leads WHERE tenant_id = $1")
        .await;
    assert!(leads.len() > 10, "other leads are stored");
}

/// SYNC-09: two workers never hold one tenant; a worker whose lease was taken writes nothing.
async fn sync_09_two_workers_never_sync_one_tenant_at_once(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let now = chrono::Utc::now();
    let lease = now + chrono::Duration::seconds(60);
    let first = s.store.lease_next_job(JobKind::Sync, None, now, lease);
    let first = first.await.unwrap();
    let second = s.store.lease_next_job(JobKind::Sync, None, now, lease);
    let second = second.await.unwrap();
    assert!(first.is_some() && second.is_none(), "one claim only");
    let error = s
        .worker
        .sync_tenant(s.tenant, Hooks::default())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("another worker"), "{error}");
    // The lease runs out; someone else takes the job; the first holder's writes are refused.
    let later = lease + chrono::Duration::seconds(1);
    let thief = s
        .store
        .lease_next_job(
            JobKind::Sync,
            None,
            later,
            later + chrono::Duration::seconds(60),
        )
        .await
        .unwrap()
        .expect("an expired lease can be claimed");
    let first = first.unwrap();
    assert_eq!(thief.id, first.id, "the same job, under a new lease");
    let renew = std::time::Duration::from_secs(60);
    let state = allcampaigns::store::StreamState::new("leads");
    let refused = s
        .store
        .apply(s.tenant, Some(&first.lease(renew)), &[], &state)
        .await;
    assert!(matches!(
        refused,
        Err(allcampaigns::store::StoreError::LeaseLost)
    ));
    assert!(
        s.store
            .apply(s.tenant, Some(&thief.lease(renew)), &[], &state)
            .await
            .is_ok()
    );
    let finished = s.store.requeue_job(&first, now).await;
    assert!(matches!(
        finished,
        Err(allcampaigns::store::StoreError::LeaseLost)
    ));
}

/// SYNC-06: a refused key marks the connection, stops the tenant's sync, tells its admins once
/// and never asks Instantly again; a lapsed plan does the same.
async fn sync_06_a_refused_key_needs_attention_and_stops_asking(db: TestDb) {
    let mut s = connected(db, Scale::Small, whole_cycles()).await;
    let owner = s
        .store
        .create_user(
            &allcampaigns::domain::Email::parse("owner@example.com").unwrap(),
            "Owner",
        )
        .await
        .unwrap();
    s.store
        .add_member(s.tenant, owner.id, allcampaigns::domain::Role::Owner)
        .await
        .unwrap();
    assert!(s.sim.set_paid(&s.workspace, false));
    let outcome = s
        .worker
        .run_once()
        .await
        .unwrap()
        .expect("the new connection is due");
    assert!(outcome.result.is_err());
    let connection = s.store.connection(s.tenant).await.unwrap().unwrap();
    assert_eq!(connection.status.as_str(), "needs_attention");
    assert_eq!(
        connection.status_detail.as_deref(),
        Some("sync:plan_lapsed"),
        "kept as a code, worded for each reader"
    );
    let mail = s.inbox.try_recv().expect("the owner is told");
    assert_eq!(mail.to, "owner@example.com");
    assert!(mail.text.contains("no active paid plan"), "{}", mail.text);
    let job = allcampaigns::sync::live_job(&s.store, s.tenant).await;
    assert!(job.unwrap().is_none(), "the sync stopped");
    let before = s.sim.requests_served();
    assert!(
        s.worker.run_once().await.unwrap().is_none(),
        "nothing is due"
    );
    assert_eq!(
        s.sim.requests_served(),
        before,
        "Instantly is not asked again"
    );
    let audit = s
        .store
        .audit_entries(
            s.tenant,
            &allcampaigns::store::AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "connection.needs_attention")
    );
}

/// SYNC-06: calls that keep failing (500 after every retry) fail their stream without moving its checkpoint;
/// the other streams go on.
async fn sync_06_a_rejected_request_fails_one_stream_and_keeps_its_checkpoint(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let before = s.store.stream_states(s.tenant).await.unwrap();
    s.sim.set_faults(instantly_sim::FaultConfig {
        error_500: 1.0,
        ..Default::default()
    });
    let report = s.cycle().await;
    s.sim.clear_faults();
    assert!(report.failed().count() > 0);
    let after = s.store.stream_states(s.tenant).await.unwrap();
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            (&b.cursor, b.watermark),
            (&a.cursor, a.watermark),
            "{}",
            a.stream
        );
        assert!(a.last_error.is_some(), "{} records its error", a.stream);
    }
    s.cycle().await;
    let healed = s.store.stream_states(s.tenant).await.unwrap();
    assert!(healed.iter().all(|x| x.last_error.is_none()));
}

/// SYNC-02: hundreds of replies sharing one timestamp, split across pages and read again by
/// the next run: none lost, repeats collapse.
async fn sync_02_replies_sharing_one_timestamp_are_all_kept_once(db: TestDb) {
    let s = connected(db, Scale::Small, whole_cycles()).await;
    s.cycle().await;
    let tick = s.sim.tick(&instantly_sim::TickRequest {
        new_replies: 350,
        tied_replies: true,
        ..Default::default()
    });
    let tied: BTreeSet<&str> = tick.workspaces[0]
        .new_emails
        .iter()
        .map(|e| e.timestamp_created.as_str())
        .collect();
    assert_eq!(tied.len(), 1, "one shared timestamp");
    assert!(
        tick.workspaces[0].new_emails.len() > 200,
        "over several pages"
    );
    let first = s.cycle().await;
    let emails = first.streams.iter().find(|r| r.stream == "emails").unwrap();
    assert!(emails.progress.pages >= 3, "{emails:?}");
    s.assert_equals_truth().await;
    let second = s.cycle().await;
    let emails = second
        .streams
        .iter()
        .find(|r| r.stream == "emails")
        .unwrap();
    assert!(
        emails.progress.read >= 200,
        "the ties are read again: {emails:?}"
    );
    assert_eq!(emails.progress.written, 0, "and collapse");
    s.assert_equals_truth().await;
}

/// SYNC-08: applying the same pages twice, or in another order, ends in the same state.
async fn sync_08_pages_applied_twice_or_shuffled_end_in_the_same_state(db: TestDb) {
    use futures::TryStreamExt;
    let s = connected(db, Scale::Small, whole_cycles()).await;
    let key = s.sim.workspaces()[0].api_key.clone();
    let mut config = instantly::ClientConfig::new(key.into());
    config.base_url = s.sim.base_url();
    let client = instantly::Client::new(config).unwrap();
    let pages: Vec<_> = client
        .lead_pages(instantly::LeadQuery::default())
        .try_collect()
        .await
        .unwrap();
    let writes: Vec<allcampaigns::store::Write> = pages
        .iter()
        .map(|page| allcampaigns::store::Write::Upsert {
            table: allcampaigns::store::Table::Leads,
            rows: Value::Array(
                page.items
                    .iter()
                    .map(allcampaigns::sync::rows::lead)
                    .collect(),
            ),
        })
        .collect();
    let state = allcampaigns::store::StreamState::new("sync_08");
    let snapshot = "SELECT instantly_id || '|' || coalesce(email, '') || '|' || fingerprint || '|' || \
                    open_count || '|' || coalesce(interest_status, -99) FROM leads \
                    WHERE tenant_id = $1 ORDER BY instantly_id";
    s.store
        .apply(s.tenant, None, &writes, &state)
        .await
        .unwrap();
    let once = s.rows(snapshot).await;
    assert!(once.len() > 100);
    let again = s
        .store
        .apply(s.tenant, None, &writes, &state)
        .await
        .unwrap();
    assert_eq!(again, 0, "a second apply changes nothing");
    let mut shuffled = writes.clone();
    shuffled.reverse();
    shuffled.rotate_left(1);
    s.store
        .apply(s.tenant, None, &shuffled, &state)
        .await
        .unwrap();
    assert_eq!(s.rows(snapshot).await, once);
}

on_both_backends!(
    sync_02_replies_sharing_one_timestamp_are_all_kept_once,
    sync_08_pages_applied_twice_or_shuffled_end_in_the_same_state,
    golden_equality_at_small_scale,
    golden_equality_at_medium_scale,
    sync_01_stopping_after_every_checkpoint_resumes_without_gaps_or_duplicates,
    sync_11_injected_faults_still_end_equal_to_the_truth,
    sync_05_a_second_cycle_with_nothing_changed_writes_nothing,
    an_incremental_cycle_brings_in_new_replies_and_status_changes,
    sync_03_late_writes_inside_the_overlap_are_picked_up,
    hostile_html_is_stored_sanitized,
    suppressed_addresses_are_not_reimported,
    sync_09_two_workers_never_sync_one_tenant_at_once,
    sync_06_a_refused_key_needs_attention_and_stops_asking,
    sync_06_a_rejected_request_fails_one_stream_and_keeps_its_checkpoint,
);
