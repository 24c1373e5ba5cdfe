//! Files only the product's own user may read: the data folder (0700), the SQLite database with
//! its WAL and shared-memory files (0600), the key file (security review finding 13). They hold
//! emails, the audit trail, session hashes and sealed keys.

use std::io;
use std::path::Path;

/// Creates `path` and any missing parents; the folders created here are 0700.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Narrows an existing file to its owner, saying so when it was readable by others.
/// SQLite gives the WAL and shared-memory files the database file's mode, so narrowing the
/// database before it is opened covers all three.
pub fn restrict_to_owner(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "readable by other users; narrowing to 0600");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Creates an empty file readable by its owner only, unless it exists already.
pub fn touch_private(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}
