//! The one list of settings: names, environment variables, defaults and help text.
//! Parsing, validation and `--help` are all driven from this table.

pub struct Setting {
    /// Key in the TOML file.
    pub key: &'static str,
    /// Environment variable (always `ALLCAMPAIGNS_` + upper-case key, plus aliases below).
    pub env: &'static str,
    pub default: &'static str,
    pub help: &'static str,
    /// Secrets may come from the environment or a file, never from the TOML file.
    pub env_only: bool,
}

const fn s(
    key: &'static str,
    env: &'static str,
    default: &'static str,
    help: &'static str,
) -> Setting {
    Setting {
        key,
        env,
        default,
        help,
        env_only: false,
    }
}

pub const SETTINGS: &[Setting] = &[
    s(
        "listen",
        "ALLCAMPAIGNS_LISTEN",
        "127.0.0.1:8080",
        "address and port to serve on",
    ),
    s(
        "data_dir",
        "ALLCAMPAIGNS_DATA_DIR",
        "./data",
        "folder for the SQLite database and key file",
    ),
    s(
        "public_url",
        "ALLCAMPAIGNS_PUBLIC_URL",
        "http://<listen>",
        "the address users reach; every link is built from it (https enables HSTS and secure cookies)",
    ),
    s(
        "database_url",
        "ALLCAMPAIGNS_DATABASE_URL",
        "sqlite in <data_dir>",
        "postgres://… for PostgreSQL 14+ (as the app role), or sqlite://PATH; DATABASE_URL is accepted too",
    ),
    s(
        "migrate_database_url",
        "ALLCAMPAIGNS_MIGRATE_DATABASE_URL",
        "(none)",
        "PostgreSQL only: connection as the owner role, used by `migrate` and to migrate at start",
    ),
    s(
        "db_app_role",
        "ALLCAMPAIGNS_DB_APP_ROLE",
        "allcampaigns_app",
        "PostgreSQL only: the role the app connects as; `migrate` creates it and grants it access",
    ),
    s(
        "db_max_connections",
        "ALLCAMPAIGNS_DB_MAX_CONNECTIONS",
        "10",
        "database pool size",
    ),
    s(
        "master_key_file",
        "ALLCAMPAIGNS_MASTER_KEY_FILE",
        "<data_dir>/master.key",
        "file holding the master encryption keys (created on first start with SQLite only)",
    ),
    Setting {
        key: "master_key",
        env: "ALLCAMPAIGNS_MASTER_KEY",
        default: "(none)",
        help: "master keys given directly, as printed by `keys generate`; overrides the key file",
        env_only: true,
    },
    s(
        "log",
        "ALLCAMPAIGNS_LOG",
        "info",
        "log filter, e.g. `info` or `allcampaigns=debug,info`",
    ),
    s(
        "log_format",
        "ALLCAMPAIGNS_LOG_FORMAT",
        "text",
        "`text` or `json`",
    ),
    s(
        "max_body_bytes",
        "ALLCAMPAIGNS_MAX_BODY_BYTES",
        "2097152",
        "largest request body accepted",
    ),
    s(
        "request_timeout_secs",
        "ALLCAMPAIGNS_REQUEST_TIMEOUT_SECS",
        "30",
        "time limit for one HTTP request",
    ),
    s(
        "header_read_timeout_secs",
        "ALLCAMPAIGNS_HEADER_READ_TIMEOUT_SECS",
        "10",
        "a connection that has not sent a whole request head within this time (idle keep-alive \
         included) is closed",
    ),
    s(
        "max_connections",
        "ALLCAMPAIGNS_MAX_CONNECTIONS",
        "1024",
        "open client connections at most; further ones wait until one closes",
    ),
    s(
        "trusted_proxies",
        "ALLCAMPAIGNS_TRUSTED_PROXIES",
        "(none)",
        "comma-separated address ranges (e.g. 127.0.0.1/32,10.0.0.0/8) of reverse proxies whose \
         X-Forwarded-For or Forwarded header names the client",
    ),
    s(
        "metrics_listen",
        "ALLCAMPAIGNS_METRICS_LISTEN",
        "(none: /metrics on the main listener)",
        "address and port to serve /metrics on, apart from the main listener",
    ),
    Setting {
        key: "metrics_token",
        env: "ALLCAMPAIGNS_METRICS_TOKEN",
        default: "(none)",
        help: "when set, /metrics answers only requests with `Authorization: Bearer <token>` \
               (a secret, so never read from the TOML file)",
        env_only: true,
    },
    s(
        "request_log_retention_days",
        "ALLCAMPAIGNS_REQUEST_LOG_RETENTION_DAYS",
        "30",
        "days the operational request log (IP, user agent, route, status) is kept",
    ),
    s(
        "instantly_url",
        "ALLCAMPAIGNS_INSTANTLY_URL",
        "https://api.instantly.ai",
        "default Instantly API address for new connections",
    ),
    s(
        "instantly_rate_limits",
        "ALLCAMPAIGNS_INSTANTLY_RATE_LIMITS",
        "on",
        "pace calls to Instantly's limits (on), or not at all (off: only for a local simulator)",
    ),
    s(
        "server_timing",
        "ALLCAMPAIGNS_SERVER_TIMING",
        "off",
        "responses carry `Server-Timing: app;dur=…` (on: for benchmarks; off, since it tells \
         every caller how long the server worked, sign-in included)",
    ),
    s(
        "inbox_cache_ms",
        "ALLCAMPAIGNS_INBOX_CACHE_MS",
        "1000",
        "how long an inbox page or tab count stays in memory at most; a change made through this \
         process ends it at once, one made by another process or node within this time (0: keep none)",
    ),
    s(
        "reply_undo_ms",
        "ALLCAMPAIGNS_REPLY_UNDO_MS",
        "5000",
        "how long a reply written in the product waits before it leaves for Instantly, so it \
         can be undone (at most 60000)",
    ),
    s(
        "sync_workers",
        "ALLCAMPAIGNS_SYNC_WORKERS",
        "2",
        "jobs (a tenant's sync cycle, …) run at once by each serve or worker process (0: this process runs none)",
    ),
    s(
        "job_lease_secs",
        "ALLCAMPAIGNS_JOB_LEASE_SECS",
        "300",
        "how long a job stays with its worker before another may take it over (a crashed \
         worker's job waits this long)",
    ),
    s(
        "job_poll_ms",
        "ALLCAMPAIGNS_JOB_POLL_MS",
        "1000",
        "how often idle job lanes look for jobs no notice told them about (SQLite: jobs enqueued by another process)",
    ),
    s(
        "inbound_log_retention_days",
        "ALLCAMPAIGNS_INBOUND_LOG_RETENTION_DAYS",
        "7",
        "days the events Instantly's webhooks posted are kept in each client's inbound log",
    ),
    s(
        "job_retention_days",
        "ALLCAMPAIGNS_JOB_RETENTION_DAYS",
        "7",
        "days finished (done or cancelled) jobs are kept; dead jobs stay until retried or cancelled",
    ),
    Setting {
        key: "smtp_url",
        env: "ALLCAMPAIGNS_SMTP_URL",
        default: "(none: links are printed to the log)",
        help: "smtp://host:port or smtps://user:pass@host:465 for outgoing mail (may hold a \
               password, so never read from the TOML file)",
        env_only: true,
    },
    s(
        "mail_from",
        "ALLCAMPAIGNS_MAIL_FROM",
        "All Campaigns <noreply@localhost>",
        "sender address of outgoing mail",
    ),
];

/// Variables outside the `ALLCAMPAIGNS_` prefix that are accepted as aliases.
pub const ALIASES: &[(&str, &str)] = &[("DATABASE_URL", "database_url")];

/// Variables with the prefix that are not settings but are understood elsewhere.
pub const NON_SETTING_VARS: &[&str] = &["ALLCAMPAIGNS_CONFIG"];

pub fn find(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

pub fn find_env(var: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.env == var).or_else(|| {
        ALIASES
            .iter()
            .find(|(v, _)| *v == var)
            .and_then(|(_, k)| find(k))
    })
}

/// The environment section of `--help`.
pub fn help_text() -> String {
    let mut out = String::from(
        "Configuration: built-in defaults, then the TOML file (--config or ALLCAMPAIGNS_CONFIG),\n\
         then environment variables, then command-line flags.\n\nEnvironment variables:\n",
    );
    out.push_str("  ALLCAMPAIGNS_CONFIG\n      path of an optional TOML configuration file\n");
    for setting in SETTINGS {
        out.push_str(&format!(
            "  {}{}\n      {} [default: {}]\n",
            setting.env,
            if setting.key == "database_url" {
                ", DATABASE_URL"
            } else {
                ""
            },
            setting.help,
            setting.default
        ));
    }
    out
}
