//! The two roles: an owner that runs migrations, and the app role that owns nothing.

use std::str::FromStr;

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool};
use sqlx::{AssertSqlSafe, Connection};

use super::MIGRATOR;
use crate::config::is_plain_identifier;

/// Tables the app may read and add to but never change: the audit trail.
const APPEND_ONLY: &[&str] = &["audit_log", "user_audit_log"];

/// The `SECURITY DEFINER` functions: only the app role may call them.
const DEFINER_FUNCTIONS: &[&str] = &[
    "app_tenant_directory()",
    "app_instantly_workspace_in_use(text, uuid)",
    "app_secret_key_usage()",
    "app_claim_job(text, uuid, timestamptz, timestamptz, text)",
    "app_prune_finished_jobs(timestamptz)",
    // What keeps `thread_search` (migration 0019): sync's call and the leads' trigger; they
    // answer nothing.
    "app_index_threads(uuid, text[])",
    "app_index_lead()",
    // The hook an inbound address names, before any tenant is known (migration 0031).
    "app_inbound_hook(bytea)",
];

/// Restrictive policies that bind the app role alone (the owner's triggers maintain the rows):
/// `thread_search` shows the app role only the documents matching its transaction's search.
const APP_ROLE_POLICIES: &[(&str, &str)] = &[("search_matches", "thread_search")];

/// Applies migrations as the owner, then creates the app role if it is missing and grants it
/// exactly the access it needs. Safe to run again; concurrent runs are serialised.
pub async fn migrate(owner_url: &SecretString, app_role: &str) -> anyhow::Result<()> {
    if !is_plain_identifier(app_role) {
        bail!(
            "ALLCAMPAIGNS_DB_APP_ROLE: `{app_role}` must be lower-case letters, digits and underscores"
        );
    }
    let options = PgConnectOptions::from_str(owner_url.expose_secret())
        .context("ALLCAMPAIGNS_MIGRATE_DATABASE_URL is not a valid PostgreSQL address")?;
    let mut conn = PgConnection::connect_with(&options)
        .await
        .context("cannot connect to PostgreSQL as the owner role")?;
    MIGRATOR
        .run(&mut conn)
        .await
        .context("cannot apply the PostgreSQL migrations")?;
    ensure_app_role(&mut conn, app_role).await?;
    grant(&mut conn, app_role).await?;
    conn.close().await?;
    Ok(())
}

async fn ensure_app_role(conn: &mut PgConnection, app_role: &str) -> anyhow::Result<()> {
    // Roles are cluster-wide; two databases migrating at once may race to create it.
    let create = format!(
        "DO $$ BEGIN \
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app_role}') THEN \
             CREATE ROLE {app_role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
           END IF; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    );
    sqlx::raw_sql(AssertSqlSafe(create))
        .execute(&mut *conn)
        .await
        .with_context(|| {
            format!("cannot create the app role {app_role}; create it by hand (see README)")
        })?;
    Ok(())
}

async fn grant(conn: &mut PgConnection, app_role: &str) -> anyhow::Result<()> {
    let mut statements = vec![
        format!(
            "GRANT CONNECT ON DATABASE \"{}\" TO {app_role}",
            current_database(conn).await?
        ),
        format!("GRANT USAGE ON SCHEMA public TO {app_role}"),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app_role}"
        ),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role}"),
        format!("REVOKE ALL ON _sqlx_migrations FROM {app_role}"),
        format!("GRANT SELECT ON _sqlx_migrations TO {app_role}"),
    ];
    for table in APPEND_ONLY {
        statements.push(format!(
            "REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {app_role}"
        ));
    }
    for function in DEFINER_FUNCTIONS {
        statements.push(format!("REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC"));
        statements.push(format!(
            "GRANT EXECUTE ON FUNCTION {function} TO {app_role}"
        ));
    }
    for (policy, table) in APP_ROLE_POLICIES {
        statements.push(format!("ALTER POLICY {policy} ON {table} TO {app_role}"));
    }
    for statement in statements {
        sqlx::raw_sql(AssertSqlSafe(statement.clone()))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("cannot grant access to {app_role}: {statement}"))?;
    }
    Ok(())
}

async fn current_database(conn: &mut PgConnection) -> anyhow::Result<String> {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *conn)
        .await?;
    Ok(name.replace('"', "\"\""))
}

/// Refuses to run as a role that row-level security would not bind (RELIABILITY RLS-02), or
/// that could switch it off: a member of the tables' owner may drop policies (review finding 12).
pub async fn refuse_privileged_role(pool: &PgPool) -> anyhow::Result<()> {
    let (role, superuser, bypass, owned, in_owner): (String, bool, bool, i64, bool) =
        sqlx::query_as(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls, \
               (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = 'public' AND c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm')), \
               COALESCE((SELECT pg_has_role(r.oid, c.relowner, 'MEMBER') FROM pg_class c \
                 WHERE c.oid = to_regclass('public.tenants')), false) \
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .fetch_one(pool)
        .await
        .context("cannot inspect the database role")?;
    let why = if superuser {
        "is a superuser"
    } else if bypass {
        "has BYPASSRLS"
    } else if owned > 0 {
        "owns the tables"
    } else if in_owner {
        "is a member of the role that owns the tables"
    } else {
        return Ok(());
    };
    bail!(
        "DATABASE_URL connects as `{role}`, which {why}; row-level security would not protect \
         tenants. Connect as the app role created by `allcampaigns migrate` (see README)."
    )
}
