//! The app in a real browser: headless Chromium, driven by Playwright from
//! `tests/browser/flow.mjs`, against the app with a real SMTP server (aiosmtpd) and the
//! Instantly simulator. A new user asks for a sign-in link, reads it from the mailbox, creates a
//! client, connects Instantly, watches sync and invites a member; every page is screenshotted in
//! light and dark under `$CARGO_TARGET_TMPDIR/browser-artifacts/<time>/`.
//!
//! Tools are made ready on first use: Debian's Chromium (`apt-get install -y chromium`, as root)
//! when `/usr/bin/chromium` is missing, and `npm ci` of the pinned `playwright-core` (which
//! downloads no browser) when `tests/browser/node_modules` lacks it. Node.js 20 or newer must be
//! on `PATH`. SQLite only: this tests pages in a browser, not storage.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::helpers::{TestDb, secret};
use crate::smtp::{RunningApp, SmtpServer};

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
const USER_EMAIL: &str = "nora.new@example.com";
/// The whole flow takes well under a minute; this only stops a hung browser.
const FLOW_TIMEOUT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_signs_in_from_the_mailbox_connects_instantly_sees_sync_and_invites_in_chromium()
{
    tokio::task::spawn_blocking(browser_tools)
        .await
        .unwrap()
        .unwrap_or_else(|problem| panic!("{problem}"));
    let smtp = SmtpServer::start().await;
    let sim = crate::connection::simulator().await;
    let db = TestDb::sqlite().await;
    let mut config = db.config.clone();
    config.smtp_url = Some(secret(&format!("smtp://{}", smtp.addr)));
    config.mail_from = "All Campaigns <desk@campaigns.example>".into();
    config.instantly_url = url::Url::parse(&sim.base_url()).unwrap();
    // The app syncs by itself, as when serving, at the simulator's unlimited pace.
    config.sync_workers = 1;
    config.instantly_rate_limits = false;
    let app = RunningApp::start(config).await;
    app.create_user(USER_EMAIL).await;
    // The flow creates a client, which only install admins may do.
    let email = allcampaigns::domain::Email::parse(USER_EMAIL).unwrap();
    let user = app.store.user_by_email(&email).await.unwrap().unwrap();
    app.store.grant_install_admin(user.id, None).await.unwrap();

    let screenshots = artifacts_dir();
    let env = [
        ("APP_URL", app.public_url.as_str().to_string()),
        ("USER_EMAIL", USER_EMAIL.to_string()),
        ("MAILDIR", smtp.maildir().display().to_string()),
        ("SIM_API_KEY", sim.workspaces()[0].api_key.clone()),
        ("SCREENSHOT_DIR", screenshots.display().to_string()),
        ("CHROMIUM_PATH", CHROMIUM.to_string()),
    ];
    let started = Instant::now();
    let log = screenshots.join("flow.log");
    let outcome = tokio::task::spawn_blocking({
        let log = log.clone();
        move || run_flow(&env, &log)
    })
    .await
    .unwrap();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    if let Err(problem) = outcome {
        panic!(
            "the browser flow failed: {problem}\n--- flow.mjs output ---\n{output}\n\
             --- aiosmtpd log ---\n{}\nscreenshots so far: {}",
            smtp.log(),
            screenshots.display()
        );
    }
    println!("{output}");
    println!(
        "browser flow passed in {:.1} s; screenshots (light and dark): {}",
        started.elapsed().as_secs_f64(),
        screenshots.display()
    );
    assert!(
        std::fs::read_dir(&screenshots)
            .unwrap()
            .filter_map(Result::ok)
            .any(|entry| entry.file_name().to_string_lossy().ends_with("-dark.png")),
        "dark screenshots in {}",
        screenshots.display()
    );
    app.stop().await;
    sim.shutdown().await;
}

pub(crate) fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// A fresh folder per run, kept after the test for people and CI to look at.
pub(crate) fn artifacts_dir() -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("browser-artifacts")
        .join(stamp);
    std::fs::create_dir_all(&dir).expect("an artifacts folder");
    dir
}

/// Runs `node flow.mjs` with its output in `log`, stopping it after [`FLOW_TIMEOUT`].
fn run_flow(env: &[(&str, String)], log: &Path) -> Result<(), String> {
    run_script("flow.mjs", env, log)
}

/// Runs `node <script>` of `tests/browser` with its output in `log`, stopping it after
/// [`FLOW_TIMEOUT`].
pub(crate) fn run_script(script: &str, env: &[(&str, String)], log: &Path) -> Result<(), String> {
    let out = std::fs::File::create(log).map_err(|e| format!("cannot write {log:?}: {e}"))?;
    let err = out.try_clone().unwrap();
    let mut child = Command::new("node")
        .arg(script)
        .current_dir(browser_dir())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start node: {e}"))?;
    let deadline = Instant::now() + FLOW_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return match status.success() {
                true => Ok(()),
                false => Err(format!("node {script} exited with {status}")),
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("node {script} still ran after {FLOW_TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Chromium, Node.js and the pinned playwright-core, made ready once per test run; an `Err`
/// says what is missing and how to provide it.
pub(crate) fn browser_tools() -> Result<(), String> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    READY
        .get_or_init(|| {
            ensure_chromium()?;
            ensure_node()?;
            ensure_playwright()
        })
        .clone()
}

fn ensure_chromium() -> Result<(), String> {
    crate::debian::ensure_package(CHROMIUM, "chromium")
}

fn ensure_node() -> Result<(), String> {
    let output = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| {
            format!("the browser test runs Playwright and needs Node.js 20 or newer on PATH: {e}")
        })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!(
            "the browser test needs Node.js 20 or newer (playwright-core requires it); \
             `node --version` says {version:?}"
        ));
    }
    Ok(())
}

/// `npm ci` in tests/browser unless node_modules already holds the pinned playwright-core.
fn ensure_playwright() -> Result<(), String> {
    let dir = browser_dir();
    let version_in = |file: PathBuf, pointer: &str| -> Option<String> {
        let text = std::fs::read_to_string(file).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json.pointer(pointer)?.as_str().map(str::to_owned)
    };
    let pinned = version_in(dir.join("package.json"), "/dependencies/playwright-core")
        .ok_or("tests/browser/package.json pins no playwright-core version")?;
    let installed = version_in(
        dir.join("node_modules/playwright-core/package.json"),
        "/version",
    );
    if installed.as_deref() == Some(pinned.as_str()) {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .output()
        .map_err(|e| format!("the browser test needs npm (with Node.js) on PATH: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`npm ci` in {} failed; it installs playwright-core {pinned} from the npm registry:\n{}",
            dir.display(),
            crate::debian::tail(&String::from_utf8_lossy(&output.stderr), 20)
        ));
    }
    Ok(())
}
