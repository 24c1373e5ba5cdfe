//! `allcampaigns demo`: starts and serves a signed-in owner three synced clients within 30 s,
//! as a library call and as the real binary, and deletes its temporary data on exit. It opens
//! on the inbox with unread replies in every client, and replies keep arriving while it runs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use allcampaigns::demo::{self, DemoOptions};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(30);

/// A browser that keeps its cookies, against one demo.
struct Browser {
    client: reqwest::Client,
    base: url::Url,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(base: url::Url) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            base,
            cookies: Vec::new(),
        }
    }

    fn keep(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            self.cookies.push((name.to_owned(), value.to_owned()));
        }
    }

    fn cookie_header(&self) -> String {
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        pairs.join("; ")
    }

    async fn get(&mut self, path: &str) -> reqwest::Response {
        let url = self.base.join(path).unwrap();
        let request = self.client.get(url).header(COOKIE, self.cookie_header());
        let response = request.send().await.unwrap();
        self.keep(&response);
        response
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self
            .cookies
            .iter()
            .find(|(n, _)| n.ends_with("ac_csrf"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &csrf));
        let url = self.base.join(path).unwrap();
        let request = self.client.post(url).header(COOKIE, self.cookie_header());
        let response = request.form(&fields).send().await.unwrap();
        self.keep(&response);
        response
    }

    /// Opens the printed link and presses "Sign in", as a person would; answers where it leads.
    async fn follow_sign_in_link(&mut self, link: &url::Url) -> String {
        let confirm = self
            .get(&format!("{}?{}", link.path(), link.query().unwrap()))
            .await;
        assert_eq!(confirm.status(), 200);
        let param = |name: &str| {
            link.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (token, next) = (param("token"), param("next"));
        let signed_in = self
            .post("/login/confirm", &[("token", &token), ("next", &next)])
            .await;
        assert_eq!(signed_in.status(), 303, "the link signs in");
        signed_in.headers()["location"].to_str().unwrap().to_owned()
    }

    async fn json(&mut self, path: &str) -> (u16, Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// Messages stored so far for a tenant, through the JSON API with the session cookie.
async fn stored_messages(browser: &mut Browser, tenant: &str) -> i64 {
    let response = browser.get(&format!("/api/v1/tenants/{tenant}/sync")).await;
    assert_eq!(response.status(), 200);
    let status: Value = response.json().await.unwrap();
    status["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == "emails")
        .and_then(|s| s["stored"].as_i64())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_a_signed_in_owner_three_clients_and_synced_messages_within_30_s() {
    let started = Instant::now();
    let options = DemoOptions {
        listen: Some("127.0.0.1:0".into()),
        ..DemoOptions::default()
    };
    let running = demo::start(options).await.expect("the demo starts");
    let data_dir = running.data_dir.clone();
    assert!(running.temporary && data_dir.exists());
    assert!(running.banner().contains(running.sign_in_link.as_str()));
    let mut browser = Browser::new(running.url.clone());
    browser.follow_sign_in_link(&running.sign_in_link).await;
    let home = browser.get("/clients").await.text().await.unwrap();
    assert!(
        home.contains(demo::OWNER_EMAIL),
        "signed in as the demo owner"
    );
    assert_eq!(running.tenants.len(), 3);
    for (_, name) in &running.tenants {
        assert!(home.contains(name), "{name} is listed");
    }
    let mut synced = false;
    while !synced {
        assert!(
            started.elapsed() < DEADLINE,
            "no messages synced within 30 s"
        );
        for (tenant, _) in &running.tenants {
            synced |= stored_messages(&mut browser, &tenant.to_string()).await > 0;
        }
        if !synced {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let (first, _) = &running.tenants[0];
    let page = browser.get(&format!("/t/{first}/connection")).await;
    assert!(page.text().await.unwrap().contains("Unibox messages"));
    running.stop().await.expect("the demo stops cleanly");
    assert!(!data_dir.exists(), "the temporary data is deleted on exit");
}

/// Unread threads of the Primary tab (real replies) in a client.
async fn unread_replies(browser: &mut Browser, tenant: &str) -> i64 {
    let path = format!("/api/v1/threads/counts?tenant={tenant}&unread=true");
    let (status, counts) = browser.json(&path).await;
    assert_eq!(status, 200, "{counts}");
    counts["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tab| tab["view"] == "primary")
        .and_then(|tab| tab["count"].as_i64())
        .unwrap_or(0)
}

/// Fails once the deadline has passed; else waits a moment before the next look.
async fn wait_for(started: Instant, what: &str) {
    assert!(started.elapsed() < DEADLINE, "{what} within 30 s");
    tokio::time::sleep(Duration::from_millis(250)).await;
}

/// Whether the client's thread holds the message, through the JSON API.
async fn holds_message(browser: &mut Browser, reply: &demo::ArrivedReply) -> bool {
    let path = format!(
        "/api/v1/tenants/{}/threads/{}",
        reply.tenant, reply.thread_id
    );
    let (status, thread) = browser.json(&path).await;
    status == 200
        && thread["messages"]
            .as_array()
            .is_some_and(|all| all.iter().any(|m| m["id"] == reply.email_id.as_str()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_opens_on_unread_replies_in_every_client_and_new_ones_keep_arriving() {
    let options = DemoOptions {
        listen: Some("127.0.0.1:0".into()),
        reply_every: Some(Duration::from_millis(300)),
        ..DemoOptions::default()
    };
    let running = demo::start(options).await.expect("the demo starts");
    let started = Instant::now();
    assert_eq!(running.inbox_url().path(), "/inbox");
    assert!(
        running
            .banner()
            .contains(&format!("running at {}\n", running.inbox_url()))
    );
    let mut browser = Browser::new(running.url.clone());
    let landing = browser.follow_sign_in_link(&running.sign_in_link).await;
    assert_eq!(landing, "/inbox", "the printed link opens the inbox");
    assert_eq!(browser.get("/inbox").await.status(), 200);

    for (tenant, name) in &running.tenants {
        while unread_replies(&mut browser, &tenant.to_string()).await == 0 {
            wait_for(started, &format!("unread replies in {name}")).await;
        }
    }

    while running.arrived_replies().is_empty() {
        wait_for(started, "a new reply in the simulator").await;
    }
    let reply = running.arrived_replies().remove(0);
    while !holds_message(&mut browser, &reply).await {
        wait_for(started, "the new reply synced into the inbox").await;
    }

    let stopped = tokio::time::timeout(Duration::from_secs(15), running.stop()).await;
    stopped
        .expect("the demo stops within 15 s")
        .expect("the demo stops cleanly");
}

/// Reads the child's output on a thread, so the wait can time out.
fn lines_of(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

#[test]
fn the_binary_prints_a_sign_in_link_and_deletes_its_data_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_allcampaigns"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let lines = lines_of(child.stdout.take().unwrap());
    let started = Instant::now();
    let (mut link, mut data_dir) = (None, None);
    while link.is_none() || data_dir.is_none() {
        let left = DEADLINE.saturating_sub(started.elapsed());
        let Ok(line) = lines.recv_timeout(left) else {
            let _ = child.kill();
            panic!("no sign-in link within 30 s");
        };
        if line.contains("/login/confirm?token=") {
            link = Some(line.trim().to_owned());
        } else if let Some(rest) = line.strip_prefix("Data lives in ") {
            let dir = rest.trim_end_matches(" and is deleted on exit.");
            data_dir = Some(std::path::PathBuf::from(dir));
        }
    }
    let link = url::Url::parse(&link.unwrap()).expect("the link is a URL");
    assert_ne!(link.port(), Some(0), "the link carries the real port");
    let data_dir = data_dir.unwrap();
    assert!(data_dir.exists());
    let signalled = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if stopping.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("the demo did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}");
    assert!(!data_dir.exists(), "the temporary data is deleted on exit");
}
