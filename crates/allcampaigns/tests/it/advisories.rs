//! HTML-06, the part that needs no network: the lock file holds no version of a crate below
//! the first release that fixed an advisory we depend on being fixed. The full gate (CI fails on
//! any RustSec advisory) needs the advisory database from GitHub, which this CI cannot reach;
//! `docs/TESTS.md` says so.

/// (crate, first fixed version, advisory): the sanitizer of every email body we show.
const FIXED: &[(&str, [u64; 3], &str)] = &[("ammonia", [4, 1, 4], "RUSTSEC-2026-0213")];

#[test]
fn html_06_the_lock_file_holds_no_crate_below_its_advisory_fix() {
    let lock = include_str!("../../../../Cargo.lock");
    for (name, fixed, advisory) in FIXED {
        let versions = locked_versions(lock, name);
        assert!(!versions.is_empty(), "{name} is not in Cargo.lock");
        for version in versions {
            assert!(
                version >= *fixed,
                "{name} {version:?} is below {fixed:?}, which fixed {advisory}"
            );
        }
    }
}

/// Every locked version of `name`, as numbers (pre-release tags ignored).
fn locked_versions(lock: &str, name: &str) -> Vec<[u64; 3]> {
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() != format!("name = \"{name}\"") {
            continue;
        }
        let Some(version) = lines
            .next()
            .and_then(|l| l.trim().strip_prefix("version = "))
        else {
            continue;
        };
        let mut parts = version.trim_matches('"').split(['.', '-', '+']);
        let mut number = || parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        versions.push([number(), number(), number()]);
    }
    versions
}

#[test]
fn locked_versions_reads_each_copy_of_a_crate() {
    let lock = "[[package]]\nname = \"ammonia\"\nversion = \"4.1.4\"\n\n[[package]]\nname = \"ammonia\"\nversion = \"3.0.0-rc.1\"\n";
    assert_eq!(locked_versions(lock, "ammonia"), [[4, 1, 4], [3, 0, 0]]);
    assert!(locked_versions(lock, "other").is_empty());
}
