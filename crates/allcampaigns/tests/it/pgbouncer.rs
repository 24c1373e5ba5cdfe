//! RLS-06 through PgBouncer in transaction mode, the pooler most PostgreSQL deployments put in
//! front: server connections pass between clients at every commit, so a tenant setting that
//! outlived its transaction would reach another client. PostgreSQL only.
//!
//! sqlx prepares named statements, which transaction pooling handles from PgBouncer 1.21 on
//! (`max_prepared_statements`); Debian 12 ships 1.18. So the test builds PgBouncer 1.24.1 once
//! from Debian's own source tarball (checked against the SHA-256 Debian publishes for it) into
//! `$CARGO_TARGET_TMPDIR`, with Debian's `libevent-dev`, `libssl-dev` and `pkg-config`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use allcampaigns::store::postgres::PgStore;
use secrecy::SecretString;

use crate::helpers::APP_ROLE;

const VERSION: &str = "1.24.1";
const SOURCE: &str =
    "http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_1.24.1.orig.tar.gz";
/// From the `Checksums-Sha256` of Debian 13's `pgbouncer` source package.
const SOURCE_SHA256: &str = "da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rls_06_through_pgbouncer_in_transaction_mode_no_tenant_context_leaks() {
    let Some((db, _store, a, b)) = crate::rls::seeded().await else {
        return;
    };
    let program = match pgbouncer() {
        Ok(program) => program,
        Err(missing) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{missing}"),
        Err(missing) => {
            eprintln!("NOTE: RLS-06 through PgBouncer SKIPPED: {missing}");
            return;
        }
    };
    let direct = url::Url::parse(db.superuser_url.as_deref().unwrap()).unwrap();
    let bouncer = Bouncer::start(&program, &direct);
    let mut through = direct.clone();
    through.set_port(Some(bouncer.port)).unwrap();
    through.set_username(APP_ROLE).unwrap();
    let url = SecretString::from(through.to_string());
    // Eight clients over PgBouncer's two server connections: every commit may hand a server
    // connection to another client.
    let mut superuser = db.superuser().await;
    let direct_connections = app_backends(&mut superuser).await;
    let store = Arc::new(PgStore::connect(&url, 8).await.unwrap());
    crate::rls::interleave_requests(store, a, b).await;
    let servers = app_backends(&mut superuser).await - direct_connections;
    assert!(
        servers <= 2,
        "{servers} server connections: the pooler did not multiplex"
    );
}

/// The app role's backends on the test database.
async fn app_backends(superuser: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()",
    )
    .bind(APP_ROLE)
    .fetch_one(superuser)
    .await
    .unwrap()
}

/// PgBouncer 1.24.1, built once per target directory; an `Err` says what is missing.
fn pgbouncer() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(build_pgbouncer).clone()
}

fn build_pgbouncer() -> Result<PathBuf, String> {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pgbouncer-{VERSION}"));
    let program = home.join("bin/pgbouncer");
    if program.exists() {
        return Ok(program);
    }
    crate::debian::ensure_package("/usr/include/event2/event.h", "libevent-dev")?;
    crate::debian::ensure_package("/usr/include/openssl/ssl.h", "libssl-dev")?;
    crate::debian::ensure_package("/usr/bin/pkg-config", "pkg-config")?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let tarball = work.path().join("pgbouncer.tar.gz");
    run(Command::new("curl")
        .args(["-fsSL", "-o"])
        .arg(&tarball)
        .arg(SOURCE))?;
    let sum = run(Command::new("sha256sum").arg(&tarball))?;
    if !sum.starts_with(SOURCE_SHA256) {
        return Err(format!("{SOURCE} does not match Debian's SHA-256: {sum}"));
    }
    run(Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(work.path()))?;
    let source = work.path().join(format!("pgbouncer-{VERSION}"));
    let staging = home.with_extension("staging");
    let _ = std::fs::remove_dir_all(&staging);
    run(Command::new("./configure")
        .arg(format!("--prefix={}", staging.display()))
        .args(["--without-cares", "--without-pam", "--without-systemd"])
        .current_dir(&source))?;
    run(Command::new("make")
        .args(["-j2", "install"])
        .current_dir(&source))?;
    std::fs::rename(&staging, &home).map_err(|e| e.to_string())?;
    Ok(program)
}

/// Runs a build step; its standard output, or what it said when it failed.
fn run(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building PgBouncer {VERSION}: {command:?} failed:\n{}",
            crate::debian::tail(&String::from_utf8_lossy(&output.stderr), 20)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A PgBouncer in transaction mode with two server connections per database, in front of the
/// test server; stopped when dropped. It keeps sqlx's prepared statements per client
/// (`max_prepared_statements`).
struct Bouncer {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Bouncer {
    fn start(program: &Path, server: &url::Url) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let ini = format!(
            "[databases]\n* = host={host} port={server_port}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = trust\nauth_file = {users}\npool_mode = transaction\n\
             default_pool_size = 2\nmax_client_conn = 200\nmax_prepared_statements = 200\n\
             ignore_startup_parameters = extra_float_digits\n",
            host = server.host_str().unwrap(),
            server_port = server.port().unwrap_or(5432),
            users = dir.path().join("users.txt").display(),
        );
        std::fs::write(
            dir.path().join("users.txt"),
            format!("\"{APP_ROLE}\" \"\"\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("pgbouncer.ini"), ini).unwrap();
        let mut command = Command::new(program);
        if running_as_root() {
            // PgBouncer refuses to run as root; it drops to another user, who must read the files.
            open_to_all(dir.path());
            command.args(["-u", "postgres"]);
        }
        let log = std::fs::File::create(dir.path().join("pgbouncer.log")).unwrap();
        let child = command
            .arg(dir.path().join("pgbouncer.ini"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("pgbouncer starts");
        let bouncer = Bouncer {
            port,
            child,
            _dir: dir,
        };
        bouncer.wait_until_listening();
        bouncer
    }

    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let log = std::fs::read_to_string(self._dir.path().join("pgbouncer.log"));
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not listen on {}: {}",
                self.port,
                log.unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}
