//! Typed configuration: defaults, then an optional TOML file, then environment variables, then
//! command-line flags. Validated once at start; every error names the exact key it is about.

mod network;
mod settings;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

pub use settings::{SETTINGS, help_text};

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: Url,
    pub database: DatabaseConfig,
    pub db_max_connections: u32,
    pub master_key_file: PathBuf,
    pub master_key: Option<SecretString>,
    pub log: String,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Time to send a whole request head; also how long an idle keep-alive connection stays.
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// Reverse proxies whose forwarding headers are believed (empty: none are).
    pub trusted_proxies: Vec<IpNet>,
    /// `/metrics` on its own listener instead of the main one.
    pub metrics_listen: Option<SocketAddr>,
    /// When set, `/metrics` wants `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    pub request_log_retention_days: u32,
    pub instantly_url: Url,
    /// Pace calls to Instantly's published limits (off only against a local simulator).
    pub instantly_rate_limits: bool,
    /// Whether responses carry `Server-Timing: app;dur=…` (benchmarks turn it on).
    pub server_timing: bool,
    /// How long inbox pages and counts are kept between changes at most (zero: not at all).
    pub inbox_cache: Duration,
    /// How long a reply waits before it leaves for Instantly: its undo window.
    pub reply_undo: Duration,
    pub sync_workers: u32,
    /// How long a claimed job stays with its worker, and how often idle lanes look for jobs.
    pub job_lease: Duration,
    pub job_poll: Duration,
    /// Days finished jobs are kept before the hourly pruner deletes them.
    pub job_retention_days: u32,
    /// Days Instantly's webhook events are kept in the inbound log (promise 16).
    pub inbound_log_retention_days: u32,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
}

#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    Sqlite {
        path: PathBuf,
    },
    Postgres {
        url: SecretString,
        migrate_url: Option<SecretString>,
        app_role: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Whether users reach the product over HTTPS (secure cookies, HSTS).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.database, DatabaseConfig::Postgres { .. })
    }
}

/// Where a value came from, so an error can point at it.
#[derive(Debug, Clone)]
enum Origin {
    Default,
    File(PathBuf),
    Env(String),
    Flag,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The inputs of configuration, passed in rather than read from globals so tests stay pure.
#[derive(Default)]
pub struct Sources {
    pub file: Option<PathBuf>,
    pub env: HashMap<String, String>,
    /// Values given as command-line flags, by setting key.
    pub flags: Vec<(&'static str, String)>,
}

impl Sources {
    pub fn from_process_env() -> Self {
        Self {
            env: std::env::vars().collect(),
            ..Self::default()
        }
    }

    /// The config file: `--config` wins over `ALLCAMPAIGNS_CONFIG`.
    fn config_file(&self) -> Option<PathBuf> {
        self.file
            .clone()
            .or_else(|| self.env.get("ALLCAMPAIGNS_CONFIG").map(PathBuf::from))
    }
}

struct Raw {
    values: HashMap<&'static str, (String, Origin)>,
}

impl Raw {
    fn get(&self, key: &str) -> Option<&(String, Origin)> {
        self.values.get(key).filter(|(v, _)| !v.is_empty())
    }

    fn set(&mut self, key: &'static str, value: String, origin: Origin) {
        self.values.insert(key, (value, origin));
    }

    fn error(&self, key: &str, message: impl fmt::Display) -> ConfigError {
        let name = match self.values.get(key).map(|(_, o)| o) {
            Some(Origin::Env(var)) => var.clone(),
            Some(Origin::File(path)) => format!("`{key}` in {}", path.display()),
            Some(Origin::Flag) => format!("--{}", key.replace('_', "-")),
            _ => settings::find(key).map_or(key.to_string(), |s| s.env.to_string()),
        };
        ConfigError(format!("{name}: {message}"))
    }

    fn parse<T: std::str::FromStr>(&self, key: &str, expected: &str) -> Result<T, ConfigError> {
        let (value, _) = self.get(key).expect("every setting has a default");
        value
            .parse()
            .map_err(|_| self.error(key, format!("`{value}` is not {expected}")))
    }
}

pub fn load(sources: &Sources) -> Result<Config, ConfigError> {
    let mut raw = Raw {
        values: HashMap::new(),
    };
    for setting in SETTINGS {
        raw.set(setting.key, setting.default.to_string(), Origin::Default);
    }
    if let Some(path) = sources.config_file() {
        apply_file(&mut raw, &path)?;
    }
    apply_env(&mut raw, &sources.env)?;
    for (key, value) in &sources.flags {
        raw.set(key, value.clone(), Origin::Flag);
    }
    build(&raw)
}

fn apply_file(raw: &mut Raw, path: &Path) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "config file {}: cannot be read: {e}",
            path.display()
        ))
    })?;
    let table: toml::Table = text.parse().map_err(|e| {
        ConfigError(format!(
            "config file {}: not valid TOML: {e}",
            path.display()
        ))
    })?;
    for (key, value) in table {
        let Some(setting) = settings::find(&key) else {
            return Err(ConfigError(format!(
                "`{key}` in {}: not a known setting (see `allcampaigns --help`)",
                path.display()
            )));
        };
        if setting.env_only {
            return Err(ConfigError(format!(
                "`{key}` in {}: secrets are never read from the config file; use {} or a key file",
                path.display(),
                setting.env
            )));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(ConfigError(format!(
                    "`{key}` in {}: expected a string or number, found {}",
                    path.display(),
                    other.type_str()
                )));
            }
        };
        raw.set(setting.key, text, Origin::File(path.to_path_buf()));
    }
    Ok(())
}

fn apply_env(raw: &mut Raw, env: &HashMap<String, String>) -> Result<(), ConfigError> {
    let mut vars: Vec<_> = env.iter().collect();
    // `ALLCAMPAIGNS_DATABASE_URL` wins over the `DATABASE_URL` alias whatever the map order.
    vars.sort_by_key(|(name, _)| name.starts_with("ALLCAMPAIGNS_"));
    for (name, value) in vars {
        if let Some(setting) = settings::find_env(name) {
            raw.set(setting.key, value.clone(), Origin::Env(name.clone()));
        } else if name.starts_with("ALLCAMPAIGNS_")
            && !settings::NON_SETTING_VARS.contains(&name.as_str())
        {
            return Err(ConfigError(format!(
                "{name}: not a known setting (see `allcampaigns --help`)"
            )));
        }
    }
    Ok(())
}

fn build(raw: &Raw) -> Result<Config, ConfigError> {
    let listen: SocketAddr = raw.parse("listen", "an address like 127.0.0.1:8080")?;
    let data_dir = PathBuf::from(&raw.get("data_dir").expect("default").0);
    let public_url = match raw.get("public_url") {
        Some((value, Origin::Default)) if value.starts_with("http://<") => {
            Url::parse(&format!("http://{listen}")).expect("socket address forms a URL")
        }
        _ => parse_http_url(raw, "public_url")?,
    };
    let log_format = match raw.get("log_format").map(|(v, _)| v.as_str()) {
        Some("json") => LogFormat::Json,
        Some("text") => LogFormat::Text,
        Some(other) => {
            return Err(raw.error("log_format", format!("`{other}` is not text or json")));
        }
        None => LogFormat::Text,
    };
    let master_key_file = match raw.get("master_key_file") {
        Some((_, Origin::Default)) | None => data_dir.join("master.key"),
        Some((path, _)) => PathBuf::from(path),
    };
    Ok(Config {
        database: database(raw, &data_dir)?,
        db_max_connections: positive(raw, "db_max_connections")?,
        master_key: optional_secret(raw, "master_key"),
        log: raw.get("log").map_or("info".into(), |(v, _)| v.clone()),
        max_body_bytes: positive::<usize>(raw, "max_body_bytes")?,
        request_timeout: Duration::from_secs(positive(raw, "request_timeout_secs")?),
        header_read_timeout: Duration::from_secs(positive(raw, "header_read_timeout_secs")?),
        max_connections: positive(raw, "max_connections")?,
        trusted_proxies: network::trusted_proxies(raw)?,
        metrics_listen: network::metrics_listen(raw, listen)?,
        metrics_token: network::metrics_token(raw)?,
        request_log_retention_days: positive(raw, "request_log_retention_days")?,
        instantly_url: parse_http_url(raw, "instantly_url")?,
        instantly_rate_limits: on_off(raw, "instantly_rate_limits")?,
        server_timing: on_off(raw, "server_timing")?,
        inbox_cache: Duration::from_millis(at_most(raw, "inbox_cache_ms", 60_000)?),
        reply_undo: Duration::from_millis(at_most(raw, "reply_undo_ms", 60_000)?),
        sync_workers: raw.parse("sync_workers", "a whole number")?,
        job_lease: Duration::from_secs(positive_at_most(raw, "job_lease_secs", 86_400)?),
        job_poll: Duration::from_millis(positive_at_most(raw, "job_poll_ms", 3_600_000)?),
        job_retention_days: positive(raw, "job_retention_days")?,
        inbound_log_retention_days: positive(raw, "inbound_log_retention_days")?,
        smtp_url: smtp_url(raw)?,
        mail_from: raw.get("mail_from").expect("default").0.clone(),
        listen,
        data_dir,
        public_url,
        log_format,
        master_key_file,
    })
}

fn positive<T>(raw: &Raw, key: &str) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + Default,
{
    let value: T = raw.parse(key, "a positive whole number")?;
    if value <= T::default() {
        return Err(raw.error(key, "must be greater than zero"));
    }
    Ok(value)
}

/// A positive number no larger than `most` (a day's lease, an hour's poll: more is a typo).
fn positive_at_most(raw: &Raw, key: &str, most: u64) -> Result<u64, ConfigError> {
    let value: u64 = positive(raw, key)?;
    if value > most {
        return Err(raw.error(key, format!("must be at most {most}")));
    }
    Ok(value)
}

/// A whole number from zero to `most`.
fn at_most(raw: &Raw, key: &str, most: u64) -> Result<u64, ConfigError> {
    let value: u64 = raw.parse(key, "a whole number")?;
    if value > most {
        return Err(raw.error(key, format!("must be at most {most}")));
    }
    Ok(value)
}

fn on_off(raw: &Raw, key: &str) -> Result<bool, ConfigError> {
    match raw.get(key).map(|(v, _)| v.as_str()) {
        Some("on") | None => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(raw.error(key, format!("`{other}` must be on or off"))),
    }
}

fn optional_secret(raw: &Raw, key: &str) -> Option<SecretString> {
    match raw.get(key) {
        Some((_, Origin::Default)) | None => None,
        Some((value, _)) => Some(SecretString::from(value.clone())),
    }
}

fn parse_http_url(raw: &Raw, key: &str) -> Result<Url, ConfigError> {
    let (value, _) = raw.get(key).expect("default");
    let url =
        Url::parse(value).map_err(|e| raw.error(key, format!("`{value}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(raw.error(
            key,
            format!("`{value}` must be an http:// or https:// address"),
        ));
    }
    Ok(url)
}

fn smtp_url(raw: &Raw) -> Result<Option<SecretString>, ConfigError> {
    let Some(secret) = optional_secret(raw, "smtp_url") else {
        return Ok(None);
    };
    let url = Url::parse(secret.expose_secret())
        .map_err(|_| raw.error("smtp_url", "is not a URL (expected smtp://host:port)"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
        return Err(raw.error(
            "smtp_url",
            "must start with smtp:// or smtps:// and name a host",
        ));
    }
    Ok(Some(secret))
}

fn database(raw: &Raw, data_dir: &Path) -> Result<DatabaseConfig, ConfigError> {
    let Some(url) = optional_secret(raw, "database_url") else {
        return sqlite(raw, data_dir.join("allcampaigns.db"));
    };
    let text = url.expose_secret();
    if let Some(path) = text
        .strip_prefix("sqlite://")
        .or_else(|| text.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(raw.error(
                "database_url",
                "sqlite: needs a file path, e.g. sqlite://data/x.db",
            ));
        }
        return sqlite(raw, PathBuf::from(path));
    }
    if !(text.starts_with("postgres://") || text.starts_with("postgresql://")) {
        let scheme = text.split(':').next().unwrap_or_default();
        return Err(raw.error(
            "database_url",
            format!("unsupported scheme `{scheme}`; use postgres:// or sqlite://"),
        ));
    }
    let app_role = raw.get("db_app_role").expect("default").0.clone();
    if !is_plain_identifier(&app_role) {
        return Err(raw.error(
            "db_app_role",
            "must be lower-case letters, digits and underscores",
        ));
    }
    Ok(DatabaseConfig::Postgres {
        url,
        migrate_url: optional_secret(raw, "migrate_database_url"),
        app_role,
    })
}

/// An owner address without a PostgreSQL database would silently migrate SQLite instead.
fn sqlite(raw: &Raw, path: PathBuf) -> Result<DatabaseConfig, ConfigError> {
    if optional_secret(raw, "migrate_database_url").is_some() {
        return Err(raw.error(
            "migrate_database_url",
            "is for PostgreSQL only; set DATABASE_URL to the app role's postgres:// address too",
        ));
    }
    Ok(DatabaseConfig::Sqlite { path })
}

pub fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests;
