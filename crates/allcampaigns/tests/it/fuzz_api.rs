//! API abuse: schemathesis against the OpenAPI document of the real app (FUZZ-01), and the
//! cross-tenant operations the access sweep in `api.rs` leaves out (FUZZ-02). Both backends.
//!
//! schemathesis (PyPI) is installed into the target directory on first use, like aiosmtpd.

use std::process::{Command, Stdio};

use allcampaigns::domain::{Email, Role};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api::{call, token_for};
use crate::helpers::{TestApp, TestDb, member, spawn_app_with_failed_bearer_limit};
use crate::on_both_backends;
use crate::python_tools::{PythonTool, python_path};

const SCHEMATHESIS: PythonTool = PythonTool {
    requirement: "schemathesis==4.32.5",
    module: "schemathesis",
    exact: true,
    needed_by: "the API fuzz test",
};
/// Test cases per operation and phase: about a minute per backend on a shared machine.
const EXAMPLES_PER_OPERATION: &str = "60";

/// The app, pointed at the simulator so connection checks never leave the machine, with an
/// owner's token and a tenant of theirs.
async fn app_with_tenant(db: &TestDb) -> (TestApp, instantly_sim::RunningSim, String, String) {
    let sim = crate::sync::simulator(instantly_sim::Scale::Small).await;
    let mut config = db.config.clone();
    config.instantly_url = sim.base_url().parse().unwrap();
    // The fuzzer's auth checks send more bad tokens than a person's 20 in 15 minutes.
    let app = spawn_app_with_failed_bearer_limit(config, 1_000).await;
    crate::helpers::install_admin(&app, "owner@a.example").await;
    let token = token_for(&app, "owner@a.example").await;
    let (status, tenant) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "A"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let tenant = tenant["id"].as_str().unwrap().to_string();
    (app, sim, token, tenant)
}

/// FUZZ-02 for the four operations the sweep skips: with tenant B's ids, tenant A's owner
/// gets 404 from GET, PUT and DELETE of B's connection and from removing B's member (through
/// B's tenant and through A's), and B's connection and member are still there.
async fn fuzz_02_connection_and_member_removal_with_another_tenants_ids_answer_404(db: TestDb) {
    let (app, sim, a_token, a) = app_with_tenant(&db).await;
    crate::helpers::install_admin(&app, "owner@b.example").await;
    let b_token = token_for(&app, "owner@b.example").await;
    let (_, b) = call(
        &app,
        &b_token,
        Method::POST,
        "/api/v1/tenants",
        Some(json!({"name": "B"})),
    )
    .await;
    let b = b["id"].as_str().unwrap().to_string();
    let key = sim.workspaces()[0].api_key.clone();
    let (status, _) = call(
        &app,
        &b_token,
        Method::PUT,
        &format!("/api/v1/tenants/{b}/connection"),
        Some(json!({"api_key": key})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "B connects");
    let b_member = member(&app, b.parse().unwrap(), "op@b.example", Role::Operator).await;
    let attempts = [
        (Method::GET, format!("/api/v1/tenants/{b}/connection"), None),
        (
            Method::PUT,
            format!("/api/v1/tenants/{b}/connection"),
            Some(json!({"api_key": key})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/tenants/{b}/connection"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/tenants/{b}/members/{b_member}"),
            None,
        ),
        (
            Method::DELETE,
            format!("/api/v1/tenants/{a}/members/{b_member}"),
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let (status, answer) = call(&app, &a_token, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["error"]["code"], "not_found", "{method} {path}");
        assert!(
            !answer.to_string().contains(&key[key.len() - 4..]),
            "{answer}"
        );
    }
    let b_id = b.parse().unwrap();
    assert!(app.store.connection(b_id).await.unwrap().is_some());
    assert_eq!(
        app.store.member_role(b_id, b_member).await.unwrap(),
        Some(Role::Operator)
    );
    let user = app
        .store
        .user_by_email(&Email::parse("op@b.example").unwrap())
        .await
        .unwrap();
    assert!(user.is_some());
    app.stop().await;
}

/// FUZZ-01: schemathesis generates valid and invalid requests for every operation of
/// `/api/v1/openapi.json` with an owner's token, the tenant id pinned to the owner's tenant
/// (random ids would only ever meet 404s). Fails on any 5xx, a response that breaks its
/// documented schema, an operation that ignores auth, or invalid data that is accepted.
/// Left out, as documentation gaps rather than faults (run with `--checks all` to list them):
/// undocumented 400/401 answers (status_code_conformance), 403 from the CSRF guard instead of
/// 401 without a token (missing_required_header), schema-valid but refused names and keys
/// (positive_data_acceptance: the schema lacks their length rules).
async fn fuzz_01_schemathesis_finds_no_server_error_or_schema_violation(db: TestDb) {
    let python_path = tokio::task::spawn_blocking(|| python_path(&SCHEMATHESIS))
        .await
        .unwrap()
        .unwrap_or_else(|problem| panic!("{problem}"));
    let (app, _sim, token, tenant) = app_with_tenant(&db).await;
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!("[parameters]\n\"path.tenant_id\" = \"{tenant}\"\n"),
    )
    .unwrap();
    let mut command = Command::new("python3");
    command
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(&config)
        .args(["run", &app.url("/api/v1/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance,\
             ignored_auth,negative_data_rejection,use_after_free",
        ])
        .args(["--max-examples", EXAMPLES_PER_OPERATION, "--seed", "7"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--workers", "1", "--no-color", "--request-timeout", "10"])
        // The whole-tenant delete would end the run early for every later operation.
        .args(["--exclude-name", "DELETE /api/v1/tenants/{tenant_id}"])
        .args(["--generation-database", "none", "--warnings", "off"])
        .current_dir(work.path())
        .stdin(Stdio::null());
    if let Some(path) = python_path {
        command.env("PYTHONPATH", path);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python3 runs schemathesis");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    app.stop().await;
    eprintln!("{report}");
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}"
    );
    assert!(
        report.contains("passed"),
        "schemathesis ran cases:\n{report}"
    );
}

on_both_backends!(
    fuzz_02_connection_and_member_removal_with_another_tenants_ids_answer_404,
    fuzz_01_schemathesis_finds_no_server_error_or_schema_violation,
);
