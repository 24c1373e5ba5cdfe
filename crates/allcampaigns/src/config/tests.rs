use super::*;

fn env(pairs: &[(&str, &str)]) -> Sources {
    Sources {
        env: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Sources::default()
    }
}

fn error_of(sources: Sources) -> String {
    load(&sources)
        .expect_err("configuration should be refused")
        .0
}

#[test]
fn defaults_give_sqlite_in_the_data_folder_on_localhost_8080() {
    let config = load(&Sources::default()).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8080/");
    assert!(
        matches!(config.database, DatabaseConfig::Sqlite { ref path } if path.ends_with("allcampaigns.db"))
    );
    assert_eq!(config.master_key_file, PathBuf::from("./data/master.key"));
    assert_eq!(config.request_log_retention_days, 30);
}

#[test]
fn environment_overrides_the_file_and_flags_override_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:1\"\nmax_body_bytes = 10\nlog_format = \"json\"\n",
    )
    .unwrap();
    let mut sources = env(&[("ALLCAMPAIGNS_LISTEN", "127.0.0.1:2")]);
    sources.file = Some(file);
    let config = load(&sources).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:2");
    assert_eq!(config.max_body_bytes, 10);
    assert_eq!(config.log_format, LogFormat::Json);

    sources.flags.push(("listen", "127.0.0.1:3".into()));
    assert_eq!(load(&sources).unwrap().listen.to_string(), "127.0.0.1:3");
}

#[test]
fn each_error_names_the_exact_key() {
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_LISTEN", "nowhere")])).starts_with("ALLCAMPAIGNS_LISTEN:")
    );
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_LOG_FORMAT", "xml")]))
            .starts_with("ALLCAMPAIGNS_LOG_FORMAT:")
    );
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_MAX_BODY_BYTES", "0")]))
            .starts_with("ALLCAMPAIGNS_MAX_BODY_BYTES:")
    );
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_LISTN", "x")]))
            .starts_with("ALLCAMPAIGNS_LISTN: not a known")
    );
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_PUBLIC_URL", "ftp://x")]))
            .starts_with("ALLCAMPAIGNS_PUBLIC_URL:")
    );
    assert!(
        error_of(env(&[("ALLCAMPAIGNS_SMTP_URL", "http://x")]))
            .starts_with("ALLCAMPAIGNS_SMTP_URL:")
    );
    let mut flags = Sources::default();
    flags.flags.push(("listen", "bad".into()));
    assert!(error_of(flags).starts_with("--listen:"));
}

#[test]
fn a_bad_value_in_the_file_names_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "request_timeout_secs = \"soon\"\n").unwrap();
    let message = error_of(Sources {
        file: Some(file.clone()),
        ..Sources::default()
    });
    assert!(
        message.starts_with("`request_timeout_secs` in "),
        "{message}"
    );
    assert!(message.contains("c.toml"));

    std::fs::write(&file, "colour = 1\n").unwrap();
    assert!(
        error_of(Sources {
            file: Some(file),
            ..Sources::default()
        })
        .contains("`colour`")
    );
}

#[test]
fn unknown_database_schemes_are_a_clear_error() {
    let message = error_of(env(&[("DATABASE_URL", "mysql://root@localhost/x")]));
    assert_eq!(
        message,
        "DATABASE_URL: unsupported scheme `mysql`; use postgres:// or sqlite://"
    );
}

#[test]
fn database_url_selects_postgres_and_the_prefixed_variable_wins() {
    let config = load(&env(&[
        ("DATABASE_URL", "sqlite://ignored.db"),
        ("ALLCAMPAIGNS_DATABASE_URL", "postgres://app@localhost/ac"),
    ]))
    .unwrap();
    assert!(config.is_postgres());
}

#[test]
fn secrets_are_never_read_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "master_key = \"abc\"\n").unwrap();
    let message = error_of(Sources {
        file: Some(file),
        ..Sources::default()
    });
    assert!(
        message.contains("never read from the config file"),
        "{message}"
    );
}

#[test]
fn debug_output_of_the_config_never_shows_a_secret() {
    let config = load(&env(&[
        ("DATABASE_URL", "postgres://app:hunter2-db@localhost/ac"),
        ("ALLCAMPAIGNS_MASTER_KEY", "hunter2-master"),
        (
            "ALLCAMPAIGNS_SMTP_URL",
            "smtps://me:hunter2-smtp@mail.example:465",
        ),
        ("ALLCAMPAIGNS_METRICS_TOKEN", "hunter2-metrics-scraper"),
    ]))
    .unwrap();
    let printed = format!("{config:?} {config:#?}");
    assert!(!printed.contains("hunter2"), "{printed}");
    assert!(printed.contains("REDACTED"));
}

#[test]
fn help_documents_every_environment_variable() {
    let help = help_text();
    for setting in SETTINGS {
        assert!(
            help.contains(setting.env),
            "{} missing from --help",
            setting.env
        );
    }
    assert!(help.contains("DATABASE_URL") && help.contains("ALLCAMPAIGNS_CONFIG"));
}

/// Found following the README by hand: with only the owner's address set, `migrate` quietly
/// migrated an SQLite file instead of PostgreSQL.
#[test]
fn an_owner_address_without_a_postgres_database_url_is_refused() {
    let owner = ("ALLCAMPAIGNS_MIGRATE_DATABASE_URL", "postgres://owner@db/x");
    assert!(
        error_of(env(&[owner]))
            .starts_with("ALLCAMPAIGNS_MIGRATE_DATABASE_URL: is for PostgreSQL only")
    );
    let sqlite = ("ALLCAMPAIGNS_DATABASE_URL", "sqlite://x.db");
    assert!(error_of(env(&[owner, sqlite])).contains("PostgreSQL only"));
    let postgres = ("DATABASE_URL", "postgres://app@db/x");
    assert!(load(&env(&[owner, postgres])).is_ok());
}

// Security review finding 6.
#[test]
fn trusted_proxies_are_address_ranges_and_a_bad_one_is_named() {
    let config = load(&Sources::default()).unwrap();
    assert!(config.trusted_proxies.is_empty(), "none trusted by default");
    let config = load(&env(&[(
        "ALLCAMPAIGNS_TRUSTED_PROXIES",
        " 127.0.0.1/32, 10.1.2.3/8 ,::1",
    )]))
    .unwrap();
    let ranges: Vec<String> = config
        .trusted_proxies
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(ranges, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
    let error = error_of(env(&[(
        "ALLCAMPAIGNS_TRUSTED_PROXIES",
        "127.0.0.1/32,proxy",
    )]));
    assert!(
        error.starts_with("ALLCAMPAIGNS_TRUSTED_PROXIES:") && error.contains("`proxy`"),
        "{error}"
    );
}

// Security review findings 7 and 8.
#[test]
fn metrics_and_connection_settings_are_validated() {
    let config = load(&Sources::default()).unwrap();
    assert_eq!(config.metrics_listen, None);
    assert!(config.metrics_token.is_none());
    assert_eq!(config.header_read_timeout, Duration::from_secs(10));
    assert_eq!(config.max_connections, 1024);
    let config = load(&env(&[("ALLCAMPAIGNS_METRICS_LISTEN", "127.0.0.1:9090")])).unwrap();
    assert_eq!(
        config.metrics_listen,
        Some("127.0.0.1:9090".parse().unwrap())
    );
    for (var, value) in [
        ("ALLCAMPAIGNS_METRICS_LISTEN", "everywhere"),
        ("ALLCAMPAIGNS_METRICS_LISTEN", "127.0.0.1:8080"),
        ("ALLCAMPAIGNS_METRICS_TOKEN", "short"),
        ("ALLCAMPAIGNS_HEADER_READ_TIMEOUT_SECS", "0"),
        ("ALLCAMPAIGNS_MAX_CONNECTIONS", "many"),
    ] {
        let error = error_of(env(&[(var, value)]));
        assert!(error.starts_with(&format!("{var}:")), "{error}");
    }
}

#[test]
fn the_metrics_token_is_never_read_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "metrics_token = \"a-long-enough-token\"\n").unwrap();
    let error = error_of(Sources {
        file: Some(file),
        ..Sources::default()
    });
    assert!(
        error.contains("metrics_token") && error.contains("ALLCAMPAIGNS_METRICS_TOKEN"),
        "{error}"
    );
}

#[test]
fn job_runner_settings_have_defaults_and_refuse_zero_or_huge_leases() {
    let config = load(&Sources::default()).unwrap();
    assert_eq!(config.job_lease, Duration::from_secs(300));
    assert_eq!(config.job_poll, Duration::from_secs(1));
    let short = env(&[
        ("ALLCAMPAIGNS_JOB_LEASE_SECS", "3"),
        ("ALLCAMPAIGNS_JOB_POLL_MS", "100"),
    ]);
    let config = load(&short).unwrap();
    assert_eq!(config.job_lease, Duration::from_secs(3));
    assert_eq!(config.job_poll, Duration::from_millis(100));
    for (key, value) in [
        ("ALLCAMPAIGNS_JOB_LEASE_SECS", "0"),
        ("ALLCAMPAIGNS_JOB_LEASE_SECS", "86401"),
        ("ALLCAMPAIGNS_JOB_POLL_MS", "-1"),
        ("ALLCAMPAIGNS_JOB_POLL_MS", "3600001"),
    ] {
        assert!(
            error_of(env(&[(key, value)])).starts_with(key),
            "{key}={value}"
        );
    }
}
