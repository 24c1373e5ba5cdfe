//! The real binary: flags, errors, first start, and SQLite's settings (DUR-01, DUR-02).

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use allcampaigns::auth::hash_token;
use allcampaigns::config::SETTINGS;
use allcampaigns::store::sqlite::SqliteStore;

fn allcampaigns(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// The binary with `input` on its standard input.
fn allcampaigns_fed(dir: &std::path::Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn help_documents_every_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = allcampaigns(dir.path(), &["--help"], &[]);
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for setting in SETTINGS {
        assert!(help.contains(setting.env), "--help misses {}", setting.env);
    }
    for command in ["serve", "migrate", "worker", "admin", "keys"] {
        assert!(help.contains(command), "--help misses {command}");
    }
    let version = allcampaigns(dir.path(), &["--version"], &[]);
    assert!(
        String::from_utf8(version.stdout)
            .unwrap()
            .contains(env!("CARGO_PKG_VERSION"))
    );
}

/// Arguments, environment, and what the one-line error must name.
type BadStart<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn unknown_flags_and_bad_values_exit_non_zero_with_one_line_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [BadStart; 5] = [
        (&["--bogus"], &[], "--bogus"),
        (&["--listen", "nowhere"], &[], "--listen"),
        (
            &["serve"],
            &[("ALLCAMPAIGNS_REQUEST_TIMEOUT_SECS", "soon")],
            "ALLCAMPAIGNS_REQUEST_TIMEOUT_SECS",
        ),
        (
            &["serve"],
            &[("DATABASE_URL", "mysql://x/y")],
            "DATABASE_URL",
        ),
        (&["keys", "generate", "--id", "0"], &[], "--id"),
    ];
    for (args, env, named) in cases {
        let output = allcampaigns(dir.path(), args, env);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(lines[0].contains(named), "{args:?}: {lines:?}");
    }
}

#[test]
fn keys_generate_prints_a_usable_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = allcampaigns(dir.path(), &["keys", "generate"], &[]);
    let key = String::from_utf8(output.stdout).unwrap();
    assert!(
        allcampaigns::crypto::Keyring::from_text(key.trim()).is_ok(),
        "{key}"
    );
}

#[test]
fn serve_with_an_empty_data_folder_creates_the_database_and_key_becomes_ready_and_logs_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_clear()
        .env("ALLCAMPAIGNS_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep reading stdout for the child's whole life: a closed pipe would kill its next print.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let mut first_run = String::new();
    stdout.read_line(&mut first_run).unwrap();
    assert!(first_run.starts_with("First run:"), "{first_run}");
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect(&line)
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    let ready = loop {
        let status = http_status(&address, "/readyz");
        if status == Some(200) || Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    child.kill().ok();
    let output = child.wait_with_output().unwrap();
    assert_eq!(ready, Some(200));
    let logs = String::from_utf8(output.stderr).unwrap();
    assert!(logs.contains("created a new master key file"), "{logs}");
    for line in logs.lines() {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(
            parsed.get("level").is_some() && parsed.get("timestamp").is_some(),
            "{line}"
        );
    }
    assert!(dir.path().join("data/allcampaigns.db").exists());
    let key = dir.path().join("data/master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn admin_create_user_prints_a_one_time_link_whose_token_is_stored_only_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("ALLCAMPAIGNS_PUBLIC_URL", "https://campaigns.example")];
    let output = allcampaigns(
        dir.path(),
        &["admin", "create-user", "Owner@Example.com"],
        &env,
    );
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let link = stdout
        .lines()
        .find(|l| l.starts_with("https://campaigns.example/login/confirm?token="))
        .expect(&stdout);
    let token = link.split("token=").nth(1).unwrap();
    assert_eq!(token.len(), 43, "256 bits, base64url");
    let store = SqliteStore::open(&dir.path().join("data/allcampaigns.db"), 1)
        .await
        .unwrap();
    let hashes: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM sign_in_tokens")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(hashes, vec![hash_token(token)]);
    let raw = std::fs::read(dir.path().join("data/allcampaigns.db")).unwrap();
    let wal = std::fs::read(dir.path().join("data/allcampaigns.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(email, "owner@example.com");
}

#[tokio::test]
async fn dur_01_every_sqlite_connection_runs_wal_full_sync_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("x.db"), 3)
        .await
        .unwrap();
    for _ in 0..3 {
        let pragmas = store.pragmas().await.unwrap();
        assert_eq!(pragmas.journal_mode, "wal");
        assert_eq!(pragmas.synchronous, 2, "FULL");
        assert_eq!(pragmas.foreign_keys, 1);
        assert!(pragmas.busy_timeout > 0);
    }
}

#[tokio::test]
async fn dur_02_the_bundled_sqlite_has_the_wal_reset_fix() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("x.db"), 1)
        .await
        .unwrap();
    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(
        parts >= vec![3, 51, 3],
        "SQLite {version} predates the WAL-reset fix"
    );
}

/// The status of a plain HTTP/1.1 GET, or `None` when nothing answers.
fn http_status(address: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn migrate_on_postgres_creates_the_schema_and_the_app_cannot_start_before_it() {
    let Some(db) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let mut app_only = db.config.clone();
    if let allcampaigns::config::DatabaseConfig::Postgres { migrate_url, .. } =
        &mut app_only.database
    {
        *migrate_url = None;
    }
    let refused = allcampaigns::store::open(&app_only, true)
        .await
        .err()
        .expect("unmigrated database")
        .to_string();
    assert!(
        refused.contains("not migrated") && refused.contains("allcampaigns migrate"),
        "{refused}"
    );

    let owner_url = db.owner_url.clone().unwrap();
    let output = allcampaigns(
        db.dir.path(),
        &["migrate"],
        &[("DATABASE_URL", owner_url.as_str())],
    );
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("migrations applied"));
    let store = allcampaigns::store::open(&app_only, true).await.unwrap();
    assert!(store.ready().await.unwrap());
}

#[test]
fn instantly_sim_subcommand_serves_the_simulator_and_prints_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args([
            "instantly-sim",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "3",
            "--scale",
            "small",
        ])
        .args(["--workspaces", "2", "--rate-limits", "off"])
        .current_dir(dir.path())
        .env_clear()
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect(&line)
        .to_string();
    let mut keys = Vec::new();
    for _ in 0..2 {
        let mut workspace = String::new();
        stdout.read_line(&mut workspace).unwrap();
        keys.push(workspace.split_whitespace().last().unwrap().to_string());
    }
    let status = http_status(&address, "/__sim/workspaces");
    child.kill().ok();
    child.wait().ok();
    assert_eq!(status, Some(200));
    assert_eq!(keys.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_create_and_connect_from_the_command_line_against_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let sim = crate::connection::simulator().await;
    let key = sim.workspaces()[0].api_key.clone();
    let run = |args: Vec<String>| {
        let dir = dir.path().to_path_buf();
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                allcampaigns(&dir, &args, &[])
            })
            .await
            .unwrap()
        }
    };
    let created = run(vec![
        "tenant".into(),
        "create".into(),
        "--name".into(),
        "Acme".into(),
    ])
    .await;
    assert!(created.status.success(), "{:?}", stderr_lines(&created));
    let tenant = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert!(tenant.parse::<uuid::Uuid>().is_ok(), "{tenant}");

    let connect = |key: String| {
        vec![
            "tenant".into(),
            "connect".into(),
            tenant.clone(),
            "--instantly-key".into(),
            key,
            "--instantly-url".into(),
            sim.base_url(),
        ]
    };
    let refused = {
        let (dir, tenant, url) = (dir.path().to_path_buf(), tenant.clone(), sim.base_url());
        tokio::task::spawn_blocking(move || {
            let args = ["tenant", "connect", &tenant, "--instantly-url", &url];
            allcampaigns(&dir, &args, &[("INSTANTLY_API_KEY", "wrong-key")])
        })
        .await
        .unwrap()
    };
    assert!(!refused.status.success());
    assert!(
        stderr_lines(&refused)
            .join(" ")
            .contains("Instantly refused this key")
    );
    // Security review finding 19: the key need not be on the command line (ps, history).
    let fed = {
        let (dir, tenant, url, key) = (
            dir.path().to_path_buf(),
            tenant.clone(),
            sim.base_url(),
            key.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let args = ["tenant", "connect", &tenant, "--instantly-url", &url];
            allcampaigns_fed(&dir, &args, &format!("{key}\n"))
        })
    };
    let connected = fed.await.unwrap();
    assert!(connected.status.success(), "{:?}", stderr_lines(&connected));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&connected.stdout),
        String::from_utf8_lossy(&connected.stderr)
    );
    assert!(said.contains(&sim.workspaces()[0].name) && said.contains(&key[key.len() - 4..]));
    assert!(!said.contains(&key), "the key is never echoed");
    let mut unknown = connect(key.clone());
    unknown[2] = uuid::Uuid::now_v7().to_string();
    let unknown = run(unknown).await;
    assert!(
        stderr_lines(&unknown)
            .join(" ")
            .contains("no tenant has the id")
    );
    sync_once_then_status(dir.path(), &tenant).await;
    sim.shutdown().await;
}

/// `sync --tenant ID --once` runs one full cycle (exit 0), then `sync status --json` shows
/// every stream with its count, last success and cursor.
async fn sync_once_then_status(dir: &std::path::Path, tenant: &str) {
    let run = |list: &[&str]| {
        let (dir, list) = (
            dir.to_path_buf(),
            list.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        let unpaced = [("ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS", "off")];
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = list.iter().map(String::as_str).collect();
                allcampaigns(&dir, &args, &unpaced)
            })
            .await
            .unwrap()
        }
    };
    let synced = run(&["sync", "--tenant", tenant, "--once"]).await;
    assert!(synced.status.success(), "{:?}", stderr_lines(&synced));
    let status = run(&["sync", "status", "--tenant", tenant, "--json"]).await;
    assert!(status.status.success(), "{:?}", stderr_lines(&status));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let streams = json["streams"].as_array().unwrap();
    let emails = streams.iter().find(|s| s["stream"] == "emails").unwrap();
    assert!(emails["stored"].as_i64().unwrap() > 0, "{emails}");
    assert!(emails["last_success_at"].is_string() && emails["last_error"].is_null());
    assert!(
        streams
            .iter()
            .any(|s| s["stream"] == "leads" && s["cursor"].is_string())
    );
    let missing = run(&["sync", "--once"]).await;
    assert!(!missing.status.success());
    assert!(stderr_lines(&missing).join(" ").contains("--tenant"));
}

/// `admin token` (issue 10): a token for an existing user, alone on stdout, that the API takes
/// within its limits; bad flags exit 2 and bad values name the problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_token_prints_a_working_token_for_an_existing_user() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", data_dir.as_str()];
        all.extend_from_slice(args);
        allcampaigns(dir.path(), &all, &[])
    };
    let unknown = run(&["admin", "token", "nobody@example.com"]);
    assert!(!unknown.status.success());
    assert!(
        stderr_lines(&unknown)
            .join(" ")
            .contains("no user has the address")
    );
    let created = run(&["admin", "create-user", "ops@example.com"]);
    assert!(created.status.success(), "{:?}", stderr_lines(&created));
    for bad in [["--days", "0"], ["--days", "366"], ["--bogus", "1"]] {
        let output = run(&["admin", "token", "ops@example.com", bad[0], bad[1]]);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
    let not_an_id = run(&["admin", "token", "ops@example.com", "--tenant", "acme"]);
    assert!(
        stderr_lines(&not_an_id)
            .join(" ")
            .contains("is not a tenant id")
    );
    let output = run(&[
        "admin",
        "token",
        "ops@example.com",
        "--name",
        "backup",
        "--days",
        "7",
        "--read-only",
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_string();
    assert!(
        token.starts_with("acpat_") && token.len() == "acpat_".len() + 43,
        "{token}"
    );

    let app = crate::helpers::spawn_app(crate::helpers::test_config(&dir, None)).await;
    let (status, me) =
        crate::api::call(&app, &token, reqwest::Method::GET, "/api/v1/me", None).await;
    assert_eq!(
        (status, me["email"].as_str()),
        (reqwest::StatusCode::OK, Some("ops@example.com"))
    );
    let (status, _) = crate::api::call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/tenants",
        Some(serde_json::json!({"name": "Acme"})),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "read-only");
    app.stop().await;
}
