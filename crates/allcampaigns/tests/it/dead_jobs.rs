//! Dead jobs for admins (issue 11): a job the runner killed shows on the client's page and in
//! the API, retry queues it with fresh attempts, cancel ends it, each writing one audit entry
//! (AUD-02); another tenant's job answers 404; tokens keep their limits. Both backends.

use std::sync::Arc;

use allcampaigns::domain::{TenantId, UserId};
use allcampaigns::jobs::runner::{Handler, Next, Runner};
use allcampaigns::jobs::{Job, JobKind, JobState, NewJob};
use allcampaigns::store::{AuditEntry, AuditFilter, DynStore, TenantProfile};
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, Visitor, spawn_app};
use crate::tokens::{stored_token, tenant_of, user_id};

crate::on_both_backends!(
    aud_02_a_dead_job_shows_on_the_page_and_retry_and_cancel_each_write_one_entry,
    the_api_lists_retries_and_cancels_jobs_and_answers_404_for_another_tenants,
    tokens_keep_their_limits_on_jobs_and_a_busy_unique_key_refuses_a_retry,
    jobs_in_state_lists_one_tenants_jobs_of_one_state_latest_first_up_to_a_limit,
);

/// Fails every job with the words its payload carries.
struct Failing;

#[async_trait]
impl Handler for Failing {
    fn kind(&self) -> JobKind {
        JobKind::Sync
    }

    async fn run(&self, job: &Job) -> anyhow::Result<Next> {
        let words = job.payload["error"].as_str().unwrap_or("failed");
        Err(anyhow::anyhow!("{words}").context("cannot sync"))
    }
}

/// A job of `tenant` with one attempt, which the runner has run and killed with `error`.
/// Its time lies in the past, so the runner takes it before anything else that is due.
pub async fn dead_job(store: &DynStore, tenant: TenantId, error: &str) -> Uuid {
    let job = NewJob {
        max_attempts: 1,
        run_at: chrono::Utc::now() - chrono::Duration::days(1),
        ..NewJob::now(JobKind::Sync, json!({"error": error}))
    };
    dead_job_of(store, tenant, job).await
}

async fn dead_job_of(store: &DynStore, tenant: TenantId, job: NewJob) -> Uuid {
    let job = store.enqueue(tenant, &job).await.unwrap();
    let outcome = runner(store).run_once().await.unwrap().unwrap();
    assert_eq!(
        (outcome.job.id, outcome.state),
        (job.id, Some(JobState::Dead))
    );
    job.id
}

fn runner(store: &DynStore) -> Runner {
    Runner::new(store.clone()).with_handler(Arc::new(Failing))
}

async fn job(app: &TestApp, tenant: TenantId, id: Uuid) -> Job {
    app.store.queued_job(tenant, id).await.unwrap().unwrap()
}

async fn audit(app: &TestApp, tenant: TenantId) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        limit: 100,
        ..Default::default()
    };
    app.store.audit_entries(tenant, &filter).await.unwrap()
}

/// The one entry of `action`, by `actor`, naming the job.
fn one_entry(entries: &[AuditEntry], action: &str, actor: UserId, job: Uuid) {
    let found: Vec<_> = entries.iter().filter(|e| e.action == action).collect();
    assert_eq!(found.len(), 1, "exactly one {action}: {entries:#?}");
    assert_eq!(found[0].actor_id, Some(actor));
    assert_eq!(found[0].target, Some(job.to_string()));
}

async fn aud_02_a_dead_job_shows_on_the_page_and_retry_and_cancel_each_write_one_entry(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let mut owner = Visitor::install_admin(&app, "owner@a.example").await;
    let a = owner.new_client("A").await;
    let owner_id = user_id(&app, "owner@a.example").await;
    let jobs = format!("/t/{a}/jobs");
    let client = owner.get(&format!("/t/{a}")).await.text().await.unwrap();
    assert!(
        client.contains(&format!("href=\"{jobs}\"")),
        "linked for admins"
    );
    let empty = owner.get(&jobs).await.text().await.unwrap();
    assert!(empty.contains("Nothing has failed."), "{empty}");

    let id = dead_job(&app.store, a, "Instantly answered <b>500</b>").await;
    let page = owner.get(&jobs).await.text().await.unwrap();
    assert!(page.contains("Sync with Instantly") && page.contains("1 of 1"));
    assert!(
        page.contains("cannot sync: Instantly answered &#60;b&#62;500&#60;/b&#62;")
            || page.contains("cannot sync: Instantly answered &lt;b&gt;500&lt;/b&gt;"),
        "the last error, escaped: {page}"
    );
    assert!(!page.contains("<b>500"));

    let retried = owner.post(&format!("{jobs}/{id}/retry"), &[]).await;
    assert_eq!(retried.status(), 303);
    assert_eq!(
        retried.headers()["location"],
        format!("{jobs}?notice=retried")
    );
    let queued = job(&app, a, id).await;
    assert_eq!((queued.state, queued.attempts), (JobState::Queued, 0));
    assert!(queued.run_at <= chrono::Utc::now(), "due at once");
    let notice = owner.get(&format!("{jobs}?notice=retried")).await;
    let notice = notice.text().await.unwrap();
    assert!(notice.contains("Queued again") && notice.contains("Nothing has failed."));
    // Fresh attempts: the runner runs it once more, and it dies again after that one.
    let outcome = runner(&app.store).run_once().await.unwrap().unwrap();
    assert_eq!((outcome.job.id, outcome.state), (id, Some(JobState::Dead)));
    assert_eq!(job(&app, a, id).await.attempts, 1);

    let unconfirmed = owner.post(&format!("{jobs}/{id}/cancel"), &[]).await;
    assert_eq!(unconfirmed.status(), 422);
    assert!(unconfirmed.text().await.unwrap().contains("Tick the box"));
    assert_eq!(job(&app, a, id).await.state, JobState::Dead);
    let cancel = [("confirm", "on")];
    let cancelled = owner.post(&format!("{jobs}/{id}/cancel"), &cancel).await;
    assert_eq!(cancelled.status(), 303);
    assert_eq!(job(&app, a, id).await.state, JobState::Cancelled);
    let page = owner.get(&jobs).await.text().await.unwrap();
    assert!(page.contains("Nothing has failed."));
    let again = owner.post(&format!("{jobs}/{id}/retry"), &[]).await;
    assert_eq!(again.status(), 409, "a cancelled job is not retried");

    let entries = audit(&app, a).await;
    one_entry(&entries, "job.retried", owner_id, id);
    one_entry(&entries, "job.cancelled", owner_id, id);
    app.stop().await;
}

async fn the_api_lists_retries_and_cancels_jobs_and_answers_404_for_another_tenants(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let (a_owner, b_owner) = (
        user_id(&app, "owner@a.example").await,
        user_id(&app, "owner@b.example").await,
    );
    let (a, b) = (
        tenant_of(&app, a_owner, "A").await,
        tenant_of(&app, b_owner, "B").await,
    );
    let token = token_for(&app, "owner@a.example").await;
    let a_job = dead_job(&app.store, a, "Instantly answered 500").await;
    let b_job = dead_job(&app.store, b, "Instantly answered 502").await;
    let get = |path: String| {
        let (app, token) = (&app, token.clone());
        async move { call(app, &token, Method::GET, &path, None).await }
    };
    let post = |path: String| {
        let (app, token) = (&app, token.clone());
        async move { call(app, &token, Method::POST, &path, None).await }
    };

    let (status, list) = get(format!("/api/v1/tenants/{a}/jobs")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed = list["jobs"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "only A's: {list}");
    let dead = &listed[0];
    assert_eq!(dead["id"], a_job.to_string());
    assert_eq!(
        (dead["kind"].as_str(), dead["state"].as_str()),
        (Some("sync"), Some("dead"))
    );
    assert_eq!(
        (dead["attempts"].as_i64(), dead["max_attempts"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(dead["last_error"], "cannot sync: Instantly answered 500");
    assert!(dead["died_at"].is_string() && dead.get("payload").is_none());
    let (_, queued) = get(format!("/api/v1/tenants/{a}/jobs?state=queued")).await;
    assert_eq!(queued["jobs"], json!([]));
    let (status, refused) = get(format!("/api/v1/tenants/{a}/jobs?state=nope")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("state:")
    );

    // B's job through A's path, and B's path, answer as if they did not exist.
    for path in [
        format!("/api/v1/tenants/{a}/jobs/{b_job}/retry"),
        format!("/api/v1/tenants/{a}/jobs/{b_job}/cancel"),
        format!("/api/v1/tenants/{b}/jobs/{b_job}/retry"),
        format!("/api/v1/tenants/{b}/jobs/{b_job}/cancel"),
        format!("/api/v1/tenants/{a}/jobs/not-a-uuid/retry"),
    ] {
        let (status, body) = post(path.clone()).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (StatusCode::NOT_FOUND, &json!("not_found")),
            "{path}"
        );
    }
    assert_eq!(
        get(format!("/api/v1/tenants/{b}/jobs")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        job(&app, b, b_job).await.state,
        JobState::Dead,
        "B's job untouched"
    );

    let (status, body) = post(format!("/api/v1/tenants/{a}/jobs/{a_job}/retry")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["state"].as_str(), body["attempts"].as_i64()),
        (Some("queued"), Some(0))
    );
    assert_eq!(body["died_at"], Value::Null);
    let (status, body) = post(format!("/api/v1/tenants/{a}/jobs/{a_job}/retry")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, body) = post(format!("/api/v1/tenants/{a}/jobs/{a_job}/cancel")).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (status, _) = post(format!("/api/v1/tenants/{a}/jobs/{a_job}/cancel")).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let entries = audit(&app, a).await;
    one_entry(&entries, "job.retried", a_owner, a_job);
    one_entry(&entries, "job.cancelled", a_owner, a_job);
    let b_entries = audit(&app, b).await;
    assert!(
        b_entries.iter().all(|e| !e.action.starts_with("job.")),
        "{b_entries:#?}"
    );
    app.stop().await;
}

async fn tokens_keep_their_limits_on_jobs_and_a_busy_unique_key_refuses_a_retry(db: TestDb) {
    let app = spawn_app(db.config.clone()).await;
    let owner = user_id(&app, "owner@a.example").await;
    let (a, other) = (
        tenant_of(&app, owner, "A").await,
        tenant_of(&app, owner, "Other").await,
    );
    let mut visitor = Visitor::signed_in(&app, "owner@a.example").await;
    let form = [("name", "reports"), ("read_only", "1")];
    let page = visitor
        .post("/profile/tokens", &form)
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("acpat_").expect("the new token is shown");
    let read_only: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let id = dead_job(&app.store, a, "Instantly answered 500").await;
    let jobs = format!("/api/v1/tenants/{a}/jobs");
    let (status, list) = call(&app, &read_only, Method::GET, &jobs, None).await;
    assert_eq!(
        (status, list["jobs"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    for action in ["retry", "cancel"] {
        let path = format!("{jobs}/{id}/{action}");
        let (status, _) = call(&app, &read_only, Method::POST, &path, None).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a read-only token may not {action}"
        );
    }
    let scoped = stored_token(&app, owner, chrono::Duration::days(1), Some(other)).await;
    let (status, _) = call(&app, &scoped, Method::GET, &jobs, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a token limited to another tenant"
    );
    let path = format!("{jobs}/{id}/retry");
    assert_eq!(
        call(&app, &scoped, Method::POST, &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(job(&app, a, id).await.state, JobState::Dead);

    // A dead sync while another sync of the tenant is queued: retrying would make two.
    let unique = NewJob {
        max_attempts: 1,
        run_at: chrono::Utc::now() - chrono::Duration::days(1),
        ..NewJob::now(JobKind::Sync, json!({})).unique("sync")
    };
    let dead = dead_job_of(&app.store, a, unique).await;
    let later = NewJob {
        run_at: chrono::Utc::now() + chrono::Duration::hours(1),
        ..NewJob::now(JobKind::Sync, json!({})).unique("sync")
    };
    app.store.enqueue(a, &later).await.unwrap();
    let full = token_for(&app, "owner@a.example").await;
    let path = format!("{jobs}/{dead}/retry");
    let (status, body) = call(&app, &full, Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already queued or running")
    );
    assert_eq!(job(&app, a, dead).await.state, JobState::Dead);
    let entries = audit(&app, a).await;
    assert!(
        entries.iter().all(|e| !e.action.starts_with("job.")),
        "refusals write nothing"
    );
    app.stop().await;
}

async fn jobs_in_state_lists_one_tenants_jobs_of_one_state_latest_first_up_to_a_limit(db: TestDb) {
    let store = db.store().await;
    let profile = |name: &str| TenantProfile {
        name: name.into(),
        ..TenantProfile::default()
    };
    let a = store.create_tenant(None, &profile("A")).await.unwrap().id;
    let b = store.create_tenant(None, &profile("B")).await.unwrap().id;
    let mut dead = Vec::new();
    for n in 0..3 {
        dead.push(dead_job(&store, a, &format!("failure {n}")).await);
    }
    dead_job(&store, b, "B's failure").await;
    let queued = store
        .enqueue(a, &NewJob::now(JobKind::Sync, json!({})))
        .await
        .unwrap();

    let listed = store.jobs_in_state(a, JobState::Dead, 10).await.unwrap();
    let mut ids: Vec<Uuid> = listed.iter().map(|job| job.id).collect();
    ids.sort();
    dead.sort();
    assert_eq!(ids, dead, "A's dead jobs only");
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].updated_at >= w[1].updated_at)
    );
    assert_eq!(
        store
            .jobs_in_state(a, JobState::Dead, 2)
            .await
            .unwrap()
            .len(),
        2
    );
    let waiting = store.jobs_in_state(a, JobState::Queued, 10).await.unwrap();
    assert_eq!(
        waiting.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![queued.id]
    );
    let b_dead = store.jobs_in_state(b, JobState::Dead, 10).await.unwrap();
    assert_eq!(b_dead.len(), 1);
    assert!(
        store
            .jobs_in_state(b, JobState::Done, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
