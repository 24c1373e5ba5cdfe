//! Mail over SMTP to a real server: aiosmtpd (Python), installed into the target directory on
//! first use when the system Python lacks it. SQLite only: this tests the mailer, not storage.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use allcampaigns::app::App;
use allcampaigns::domain::Email;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;

use crate::helpers::{TestDb, secret};
use crate::python_tools::{PythonTool, python_path};

const AIOSMTPD: PythonTool = PythonTool {
    requirement: "aiosmtpd==1.4.6",
    module: "aiosmtpd",
    exact: false,
    needed_by: "the SMTP test (aiosmtpd is a real SMTP server)",
};
const ADDRESS: &str = "ana@example.com";
const MAIL_FROM: &str = "Campaign Desk <desk@campaigns.example>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_link_is_delivered_over_smtp_to_a_real_server() {
    let smtp = SmtpServer::start().await;
    let db = TestDb::sqlite().await;
    let mut config = db.config.clone();
    config.smtp_url = Some(secret(&format!("smtp://{}", smtp.addr)));
    config.mail_from = MAIL_FROM.into();
    let app = RunningApp::start(config).await;
    app.create_user(ADDRESS).await;

    let mut browser = Browser::new(app.addr);
    browser.get(&browser.url("/login")).await;
    let asked = browser.post("/login", &[("email", ADDRESS)]).await;
    assert_eq!(asked.status(), 200);

    let mail = smtp.next_message().await;
    assert_eq!(mail["envelope_to"], ADDRESS);
    assert_eq!(mail["to"], ADDRESS);
    assert_eq!(mail["from"], MAIL_FROM);
    assert_eq!(mail["type"], "multipart/alternative");
    let (text, html) = (part(&mail, "text/plain"), part(&mail, "text/html"));
    let link = text
        .lines()
        .map(str::trim)
        .find(|line| line.contains("/login/confirm?token="))
        .unwrap_or_else(|| panic!("a sign-in link in the text part:\n{text}"));
    let expected_start = app.public_url.join("/login/confirm?token=").unwrap();
    assert!(link.starts_with(expected_start.as_str()), "{link}");
    assert!(
        html.contains(&format!("href=\"{link}\"")),
        "the HTML part links to {link}:\n{html}"
    );

    let confirm_page = browser.get(link).await;
    assert_eq!(confirm_page.status(), 200);
    let token = url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    let signed_in = browser.post("/login/confirm", &[("token", &token)]).await;
    assert_eq!(signed_in.status(), 303);
    let home = browser.get(&browser.url("/clients")).await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains(ADDRESS));
    app.stop().await;
}

/// The body of the one part of `content_type` in a parsed message.
fn part<'a>(mail: &'a Value, content_type: &str) -> &'a str {
    let parts = mail["parts"].as_array().expect("parts");
    let matching: Vec<_> = parts.iter().filter(|p| p["type"] == content_type).collect();
    assert_eq!(matching.len(), 1, "one {content_type} part in {mail:#}");
    matching[0]["body"].as_str().expect("a text body")
}

/// The app as `serve` builds it (mailer from the configuration), on a free port.
pub(crate) struct RunningApp {
    pub(crate) addr: SocketAddr,
    pub(crate) public_url: url::Url,
    pub(crate) store: allcampaigns::store::DynStore,
    stop: oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl RunningApp {
    pub(crate) async fn start(config: allcampaigns::config::Config) -> Self {
        let app = App::build(config).await.expect("app builds");
        let (addr, state) = (app.local_addr(), app.state());
        let (public_url, store) = (state.config.public_url.clone(), state.store.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run(async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            public_url,
            store,
            stop,
            handle,
        }
    }

    pub(crate) async fn create_user(&self, address: &str) {
        let email = Email::parse(address).unwrap();
        self.store.create_user(&email, "").await.unwrap();
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(());
        self.handle.await.expect("server task").expect("server ran");
    }
}

/// Keeps the cookies the app sets and sends the CSRF token back with forms.
struct Browser {
    addr: SocketAddr,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(addr: SocketAddr) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            addr,
            client,
            cookies: Vec::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.client.get(url).header(COOKIE, self.cookie_header());
        let response = request.send().await.unwrap();
        self.keep_cookies(&response);
        response
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self
            .cookie("ac_csrf")
            .expect("a CSRF cookie from an earlier page");
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &csrf));
        let request = self.client.post(self.url(path)).form(&form);
        let response = request
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    fn cookie(&self, suffix: &str) -> Option<String> {
        let found = self.cookies.iter().find(|(name, _)| name.ends_with(suffix));
        found.map(|(_, value)| value.clone())
    }

    fn cookie_header(&self) -> String {
        let pairs: Vec<_> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        pairs.join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(SET_COOKIE) {
            let pair = header.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }
}

/// A running aiosmtpd that stores each message in a maildir; stopped when dropped.
pub(crate) struct SmtpServer {
    pub(crate) addr: SocketAddr,
    maildir: TempDir,
    process: Child,
}

impl SmtpServer {
    pub(crate) async fn start() -> Self {
        let python_path = tokio::task::spawn_blocking(|| python_path(&AIOSMTPD))
            .await
            .unwrap()
            .unwrap_or_else(|problem| panic!("{problem}"));
        let maildir = tempfile::tempdir().unwrap();
        let addr = free_local_port();
        let log = std::fs::File::create(maildir.path().join("aiosmtpd.log")).unwrap();
        let mut command = python3();
        command
            .args(["-m", "aiosmtpd", "-n", "-l", &addr.to_string()])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(path) = python_path {
            command.env("PYTHONPATH", path);
        }
        let process = command.spawn().expect("python3 starts");
        let mut server = Self {
            addr,
            maildir,
            process,
        };
        server.wait_until_listening().await;
        server
    }

    async fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(self.addr).is_err() {
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("aiosmtpd exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd does not listen on {} after 10 s:\n{}",
                self.addr,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The Maildir aiosmtpd delivers into: one file per message under `new/`.
    pub(crate) fn maildir(&self) -> PathBuf {
        self.maildir.path().join("mail")
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.maildir.path().join("aiosmtpd.log")).unwrap_or_default()
    }

    /// The first delivered message, parsed, waiting up to ten seconds.
    async fn next_message(&self) -> Value {
        let new_mail = self.maildir.path().join("mail").join("new");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&new_mail)
                .map(|entries| entries.map(|e| e.unwrap().path()).collect())
                .unwrap_or_default();
            if let Some(file) = files.pop() {
                return parse_message(&file);
            }
            assert!(
                Instant::now() < deadline,
                "no message reached aiosmtpd within 10 s:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_local_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

fn python3() -> Command {
    Command::new("python3")
}

/// Parses a stored message with Python's own MIME parser, independent of the sender's code.
fn parse_message(file: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
with open(sys.argv[1], "rb") as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
parts = [{"type": p.get_content_type(), "body": p.get_content()}
         for p in m.walk() if not p.is_multipart()]
print(json.dumps({"to": str(m["To"]), "from": str(m["From"]),
                  "envelope_to": str(m["X-RcptTo"]), "type": m.get_content_type(),
                  "parts": parts}))
"#;
    let output = python3().args(["-c", SCRIPT]).arg(file).output().unwrap();
    assert!(
        output.status.success(),
        "cannot parse {}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the parser prints JSON")
}
