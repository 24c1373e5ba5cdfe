//! Shutdown within 10 s: SIGTERM stops `worker` and `serve` promptly even while Instantly
//! never answers (a sync cycle waiting on a request or a retry is dropped; its job is left to
//! its lease).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use instantly_sim::FaultConfig;

fn allcampaigns(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .output()
        .expect("the binary runs")
}

/// A tenant connected to `key` on the simulator; its first sync is due at once.
fn connected_tenant(dir: &Path, name: &str, key: &str, sim_url: &str) {
    let created = allcampaigns(dir, &["tenant", "create", "--name", name]);
    assert!(created.status.success(), "{created:?}");
    let tenant = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    let connect = [
        "tenant",
        "connect",
        tenant.as_str(),
        "--instantly-key",
        key,
        "--instantly-url",
        sim_url,
    ];
    let connected = allcampaigns(dir, &connect);
    assert!(connected.status.success(), "{connected:?}");
}

/// Starts `allcampaigns <command>` and waits for its first line on stdout; stdout keeps being
/// drained, since a closed pipe would kill the child's next print.
fn start(dir: &Path, command: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .arg(command)
        .current_dir(dir)
        .env_clear()
        .env("ALLCAMPAIGNS_LISTEN", "127.0.0.1:0")
        .env("ALLCAMPAIGNS_SYNC_WORKERS", "1")
        .env("ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_line, said) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = first_line.send(line);
        }
    });
    said.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("`{command}` printed nothing"));
    child
}

/// Sends SIGTERM and returns how long the child took to exit (killing it past 30 s).
fn terminate(child: &mut Child) -> Duration {
    let signalled = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let sent = Instant::now();
    while sent.elapsed() < Duration::from_secs(30) {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "a graceful stop exits 0: {status:?}");
            return sent.elapsed();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().ok();
    child.wait().ok();
    sent.elapsed()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_worker_and_serve_within_10_s_while_instantly_hangs() {
    let sim = crate::connection::simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let workspaces = sim.workspaces();
    let base_url = sim.base_url();
    let setup_dir = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        connected_tenant(&setup_dir, "Acme", &workspaces[0].api_key, &base_url);
        connected_tenant(&setup_dir, "Globex", &workspaces[1].api_key, &base_url);
    })
    .await
    .unwrap();
    sim.set_faults(FaultConfig {
        timeout: 1.0,
        timeout_ms: Some(600_000),
        ..FaultConfig::default()
    });
    // One sync lane each: the worker takes one tenant, `serve` the other.
    for command in ["worker", "serve"] {
        let before = sim.requests_served();
        let dir = dir.path().to_path_buf();
        let mut child = tokio::task::spawn_blocking(move || start(&dir, command))
            .await
            .unwrap();
        let waiting = Instant::now();
        while sim.requests_served() == before && waiting.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            sim.requests_served() > before,
            "`{command}` never called Instantly"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        let took = tokio::task::spawn_blocking(move || terminate(&mut child))
            .await
            .unwrap();
        assert!(
            took < Duration::from_secs(10),
            "`{command}` took {took:?} to stop"
        );
    }
    sim.clear_faults();
    sim.shutdown().await;
}
