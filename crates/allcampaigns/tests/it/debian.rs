//! Debian packages some tests drive (Chromium, PgBouncer), installed on first use with
//! `apt-get` as root when the program is missing.

use std::path::Path;
use std::process::Command;

/// Makes sure `program` exists, installing `package` when it does not; an `Err` says what is
/// missing and how to provide it.
pub fn ensure_package(program: &str, package: &str) -> Result<(), String> {
    if Path::new(program).exists() {
        return Ok(());
    }
    let apt_get = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
    };
    let mut attempt = apt_get(&["install", "-y", package]);
    if !attempt.as_ref().is_ok_and(|o| o.status.success()) {
        // Package lists may be missing or stale (fresh containers): refresh them once.
        let _ = apt_get(&["update"]);
        attempt = apt_get(&["install", "-y", package]);
    }
    let detail = match &attempt {
        Ok(output) if output.status.success() && Path::new(program).exists() => return Ok(()),
        Ok(output) => tail(&String::from_utf8_lossy(&output.stderr), 20),
        Err(e) => format!("cannot run apt-get: {e}"),
    };
    Err(format!(
        "this test drives Debian's {package} at {program}, which is missing, and \
         `apt-get install -y {package}` failed (it needs root and Debian package sources):\n\
         {detail}\nInstall the `{package}` package yourself and run the test again."
    ))
}

/// The last `lines` lines of a program's output.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
