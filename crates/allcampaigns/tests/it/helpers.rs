//! Test fixtures: fresh databases on both backends and the real app on port 0.

use std::net::SocketAddr;

use allcampaigns::app::{App, InviteLimits, SignInLimits};
use allcampaigns::config::{self, Config, Sources};
use allcampaigns::egress::Egress;
use allcampaigns::mail::{Mail, Mailer};
use allcampaigns::store::{self, DynStore};
use reqwest::header::{COOKIE, SET_COOKIE};
use secrecy::SecretString;
use sqlx::{Connection, PgConnection};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const APP_ROLE: &str = "allcampaigns_app";

/// Generates `sqlite` and `postgres` test modules that run each named async fn with a fresh
/// database. The PostgreSQL half runs when `TEST_DATABASE_URL` is set (always in CI).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::helpers::TestDb::sqlite().await).await }
            )*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(db) = $crate::helpers::TestDb::postgres().await { super::$name(db).await }
            })*
        }
    };
}

/// A fresh database and the configuration that points at it.
pub struct TestDb {
    pub config: Config,
    pub dir: TempDir,
    /// PostgreSQL only: this database's address as its owner, the non-superuser role
    /// `OWNER_ROLE` that runs migrations, as the README tells users to set it up.
    pub owner_url: Option<String>,
    /// PostgreSQL only: this database's address as the server's superuser, for inspection.
    pub superuser_url: Option<String>,
}

/// The role that owns each PostgreSQL test database: no superuser, no BYPASSRLS, so
/// row-level security binds it exactly as it binds a real install's owner (review finding 1).
pub const OWNER_ROLE: &str = "ac_test_owner";

/// Where the PostgreSQL half looks when `TEST_DATABASE_URL` is unset outside CI.
const DEFAULT_LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = test_config(&dir, None);
        Self {
            config,
            dir,
            owner_url: None,
            superuser_url: None,
        }
    }

    /// `None` when no PostgreSQL server is to be had outside CI (said once, visibly); in CI its
    /// absence fails the test.
    pub async fn postgres() -> Option<Self> {
        let base = postgres_server().await?;
        let name = format!("ac_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TEST_DATABASE_URL: {e}"));
        ensure_owner_role(&mut admin).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {OWNER_ROLE}"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        admin.close().await.ok();
        let owner_url = with_database(&base, &name, Some(OWNER_ROLE));
        let app_url = with_database(&base, &name, Some(APP_ROLE));
        let dir = tempfile::tempdir().expect("temp dir");
        let config = test_config(&dir, Some((app_url, owner_url.clone())));
        Some(Self {
            config,
            dir,
            owner_url: Some(owner_url),
            superuser_url: Some(with_database(&base, &name, None)),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.owner_url.is_some()
    }

    /// Opens (and migrates) the store as the app would.
    pub async fn store(&self) -> DynStore {
        store::open(&self.config, true).await.expect("open store")
    }

    /// A connection as the server's superuser, which row-level security does not bind: the
    /// test's own eye on every tenant's rows.
    pub async fn superuser(&self) -> PgConnection {
        PgConnection::connect(self.superuser_url.as_deref().expect("postgres"))
            .await
            .unwrap()
    }

    /// A connection as the database's owner, the role `migrate` runs as.
    pub async fn owner(&self) -> PgConnection {
        PgConnection::connect(self.owner_url.as_deref().expect("postgres"))
            .await
            .unwrap()
    }
}

/// The PostgreSQL server the tests use: `TEST_DATABASE_URL`, else a server answering at the
/// default local address. Outside CI, a missing server skips the PostgreSQL half and says so
/// once on the terminal (past the test harness's capture).
async fn postgres_server() -> Option<String> {
    static SKIP_NOTICE: std::sync::Once = std::sync::Once::new();
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        return Some(url);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL half must run")
    }
    let answers = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        PgConnection::connect(DEFAULT_LOCAL_POSTGRES),
    )
    .await
    .is_ok_and(|connected| connected.is_ok());
    if answers {
        return Some(DEFAULT_LOCAL_POSTGRES.to_owned());
    }
    SKIP_NOTICE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "NOTE: PostgreSQL half SKIPPED: TEST_DATABASE_URL is unset and no server answers at \
             {DEFAULT_LOCAL_POSTGRES}; only SQLite was tested"
        );
    });
    None
}

/// Creates the test owner role once per cluster; concurrent tests may race to do it.
async fn ensure_owner_role(admin: &mut PgConnection) {
    let create = format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN \
             CREATE ROLE {OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE; \
           END IF; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut *admin)
        .await
        .expect("create the test owner role");
}

fn with_database(base: &str, name: &str, user: Option<&str>) -> String {
    let mut url = url::Url::parse(base).expect("TEST_DATABASE_URL is a URL");
    url.set_path(name);
    if let Some(user) = user {
        url.set_username(user).unwrap();
        url.set_password(None).unwrap();
    }
    url.to_string()
}

pub fn test_config(dir: &TempDir, postgres: Option<(String, String)>) -> Config {
    let mut sources = Sources::default();
    sources
        .env
        .insert("ALLCAMPAIGNS_LISTEN".into(), "127.0.0.1:0".into());
    sources.env.insert(
        "ALLCAMPAIGNS_DATA_DIR".into(),
        dir.path().display().to_string(),
    );
    // Tests drive sync themselves (`run_once`); the app's own lanes would race them.
    sources
        .env
        .insert("ALLCAMPAIGNS_SYNC_WORKERS".into(), "0".into());
    if let Some((app_url, owner_url)) = &postgres {
        sources.env.insert("DATABASE_URL".into(), app_url.clone());
        sources.env.insert(
            "ALLCAMPAIGNS_MIGRATE_DATABASE_URL".into(),
            owner_url.clone(),
        );
        let key = allcampaigns::crypto::format_key(1, &[42; 32]);
        sources
            .env
            .insert("ALLCAMPAIGNS_MASTER_KEY".into(), key.to_string());
    }
    config::load(&sources).expect("test configuration")
}

/// The real app on a free port, stopped when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub store: DynStore,
    /// The app's live-events hub, to publish as its writers do.
    pub live: allcampaigns::live::Live,
    inbox: tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<Mail>>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// The next message the app sends, waiting up to five seconds.
    pub async fn next_mail(&self) -> Mail {
        let mut inbox = self.inbox.lock().await;
        tokio::time::timeout(std::time::Duration::from_secs(5), inbox.recv())
            .await
            .expect("a message within 5 s")
            .expect("the app is running")
    }

    /// Whether a message arrives within `wait`.
    pub async fn mail_within(&self, wait: std::time::Duration) -> Option<Mail> {
        let mut inbox = self.inbox.lock().await;
        tokio::time::timeout(wait, inbox.recv())
            .await
            .ok()
            .flatten()
    }

    /// Stops the server gracefully and waits for background work to flush.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server ran");
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app(config: Config) -> TestApp {
    spawn_app_with(config, SignInLimits::default()).await
}

pub async fn spawn_app_with(config: Config, limits: SignInLimits) -> TestApp {
    let (mailer, inbox) = Mailer::capture();
    start(config, limits, mailer, inbox).await
}

/// An app with the given invitation rate limits.
pub async fn spawn_app_with_invite_limits(config: Config, limits: InviteLimits) -> TestApp {
    let (mailer, inbox) = Mailer::capture();
    start_with(config, SignInLimits::default(), limits, mailer, inbox).await
}

/// An app that answers 429 only after `failed` bad bearer tokens per address (the fuzzer's).
pub async fn spawn_app_with_failed_bearer_limit(config: Config, failed: usize) -> TestApp {
    let (mailer, inbox) = Mailer::capture();
    let mut app = App::build_with_mailer(config, mailer)
        .await
        .expect("app builds");
    let window = std::time::Duration::from_secs(15 * 60);
    app.set_failed_bearer_limit(allcampaigns::auth::RateLimiter::new(failed, window));
    run(app, inbox)
}

/// An app whose every mail fails to send, as when the SMTP server is down.
pub async fn spawn_app_with_failing_mail(config: Config) -> TestApp {
    let (failing, closed) = Mailer::capture();
    drop(closed);
    let (_, inbox) = Mailer::capture();
    start(config, SignInLimits::default(), failing, inbox).await
}

/// An app whose image proxy fetches through `egress` (a test resolver, an allowed address).
pub async fn spawn_app_with_image_egress(config: Config, egress: Egress) -> TestApp {
    let (mailer, inbox) = Mailer::capture();
    let mut app = App::build_with_mailer(config, mailer)
        .await
        .expect("app builds");
    app.set_image_egress(egress);
    run(app, inbox)
}

async fn start(
    config: Config,
    limits: SignInLimits,
    mailer: Mailer,
    inbox: tokio::sync::mpsc::UnboundedReceiver<Mail>,
) -> TestApp {
    start_with(config, limits, InviteLimits::default(), mailer, inbox).await
}

async fn start_with(
    config: Config,
    limits: SignInLimits,
    invite_limits: InviteLimits,
    mailer: Mailer,
    inbox: tokio::sync::mpsc::UnboundedReceiver<Mail>,
) -> TestApp {
    let mut app = App::build_with_mailer(config, mailer)
        .await
        .expect("app builds");
    app.set_sign_in_limits(limits);
    app.set_invite_limits(invite_limits);
    run(app, inbox)
}

fn run(app: App, inbox: tokio::sync::mpsc::UnboundedReceiver<Mail>) -> TestApp {
    let addr = app.local_addr();
    let store = app.state().store.clone();
    let live = app.state().live.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        addr,
        client,
        store,
        live,
        inbox: tokio::sync::Mutex::new(inbox),
        stop: Some(stop),
        handle: Some(handle),
    }
}

pub fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_string())
}

/// A browser-like visitor: keeps the CSRF cookie and sends it back with forms.
pub struct Visitor<'a> {
    pub app: &'a TestApp,
    cookies: Vec<(String, String)>,
}

/// The product's page endpoints, so tests say what they do instead of spelling URLs and forms.
impl Visitor<'_> {
    /// Creates a client by the new-client form; its id (the visitor must be an install admin).
    pub async fn new_client(&mut self, name: &str) -> allcampaigns::domain::TenantId {
        let created = self.post("/tenants", &[("name", name)]).await;
        assert_eq!(created.status(), 303, "creating the client {name}");
        let location = created.headers()["location"].to_str().unwrap();
        location.trim_start_matches("/t/").parse().unwrap()
    }

    pub async fn invite(
        &mut self,
        tenant: impl std::fmt::Display,
        email: &str,
        role: &str,
    ) -> reqwest::Response {
        let form = [("email", email), ("role", role)];
        self.post(&format!("/t/{tenant}/members"), &form).await
    }

    pub async fn change_role(
        &mut self,
        tenant: impl std::fmt::Display,
        member: impl std::fmt::Display,
        role: &str,
    ) -> reqwest::Response {
        let path = format!("/t/{tenant}/members/{member}/role");
        self.post(&path, &[("role", role)]).await
    }

    pub async fn remove_member(
        &mut self,
        tenant: impl std::fmt::Display,
        member: impl std::fmt::Display,
    ) -> reqwest::Response {
        let path = format!("/t/{tenant}/members/{member}/remove");
        self.post(&path, &[]).await
    }

    /// Saves an Instantly key on the client's Instantly link page.
    pub async fn save_instantly_key(
        &mut self,
        tenant: impl std::fmt::Display,
        key: &str,
    ) -> reqwest::Response {
        let path = format!("/t/{tenant}/connection");
        self.post(&path, &[("api_key", key)]).await
    }
}

impl<'a> Visitor<'a> {
    pub async fn arrive(app: &'a TestApp) -> Self {
        let mut visitor = Self {
            app,
            cookies: Vec::new(),
        };
        let response = app.get("/login").await;
        visitor.keep_cookies(&response);
        visitor
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    pub fn cookie(&self, suffix: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|(n, _)| n.ends_with(suffix))
            .map(|(_, v)| v.clone())
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, String)> =
            fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        form.push(("csrf", self.cookie("ac_csrf").unwrap_or_default()));
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .form(&form)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .app
            .client
            .get(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    /// A visitor signed in as `address` (created if new), who is also an install admin and so
    /// may create tenants.
    pub async fn install_admin(app: &'a TestApp, address: &str) -> Self {
        install_admin(app, address).await;
        Self::signed_in(app, address).await
    }

    /// A visitor signed in as `address` (created if new), without going through the mail.
    pub async fn signed_in(app: &'a TestApp, address: &str) -> Self {
        let email = allcampaigns::domain::Email::parse(address).unwrap();
        let user = match app.store.user_by_email(&email).await.unwrap() {
            Some(user) => user,
            None => app.store.create_user(&email, "").await.unwrap(),
        };
        let id = allcampaigns::auth::random_token();
        let now = chrono::Utc::now();
        let session = allcampaigns::store::Session {
            id_hash: allcampaigns::auth::hash_token(&id),
            user_id: user.id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::days(1),
        };
        app.store.create_session(&session).await.unwrap();
        let mut visitor = Self::arrive(app).await;
        visitor.cookies.push(("ac_session".into(), id));
        visitor
    }
}

/// `address` (created if new) made a member of `tenant` with `role`.
pub async fn member(
    app: &TestApp,
    tenant: allcampaigns::domain::TenantId,
    address: &str,
    role: allcampaigns::domain::Role,
) -> allcampaigns::domain::UserId {
    let email = allcampaigns::domain::Email::parse(address).unwrap();
    let user = match app.store.user_by_email(&email).await.unwrap() {
        Some(user) => user,
        None => app.store.create_user(&email, "").await.unwrap(),
    };
    app.store.add_member(tenant, user.id, role).await.unwrap();
    user.id
}

/// `address` (created if new) made an install admin: someone who may create tenants.
pub async fn install_admin(app: &TestApp, address: &str) -> allcampaigns::domain::UserId {
    let email = allcampaigns::domain::Email::parse(address).unwrap();
    let user = match app.store.user_by_email(&email).await.unwrap() {
        Some(user) => user,
        None => app.store.create_user(&email, "").await.unwrap(),
    };
    app.store.grant_install_admin(user.id, None).await.unwrap();
    user.id
}

/// The sign-in link in a mail's text part, and the token it carries.
pub fn sign_in_link(mail: &Mail) -> (String, String) {
    let link = mail
        .text
        .lines()
        .find(|l| l.contains("/login/confirm?token="))
        .expect("a link in the mail")
        .trim()
        .to_string();
    let token = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    (link, token)
}
