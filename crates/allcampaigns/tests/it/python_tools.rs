//! PyPI tools the tests drive (aiosmtpd, schemathesis): the system Python's when it has one,
//! else installed once per test run into `target/tmp/test-tools/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Where each tool was found, by requirement: looked up once per test run.
type Found = HashMap<&'static str, Result<Option<PathBuf>, String>>;

pub struct PythonTool {
    /// What pip installs, pinned: `aiosmtpd==1.4.6`.
    pub requirement: &'static str,
    /// What the test imports.
    pub module: &'static str,
    /// Whether the system Python's copy must be exactly the pinned version.
    pub exact: bool,
    /// Who needs it, for the error message: "the SMTP test".
    pub needed_by: &'static str,
}

/// Where `tool` can be imported from: `None` for the system Python, else a folder for
/// `PYTHONPATH`. An `Err` explains what to install.
pub fn python_path(tool: &PythonTool) -> Result<Option<PathBuf>, String> {
    static FOUND: OnceLock<Mutex<Found>> = OnceLock::new();
    let mut found = FOUND.get_or_init(Default::default).lock().unwrap();
    found
        .entry(tool.requirement)
        .or_insert_with(|| find_or_install(tool))
        .clone()
}

fn find_or_install(tool: &PythonTool) -> Result<Option<PathBuf>, String> {
    if imports(tool, None)? {
        return Ok(None);
    }
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("test-tools")
        .join(tool.requirement.replace("==", "-"));
    if !imports(tool, Some(&folder))? {
        install(tool, &folder)?;
    }
    Ok(Some(folder))
}

fn imports(tool: &PythonTool, python_path: Option<&Path>) -> Result<bool, String> {
    let (name, version) = tool
        .requirement
        .split_once("==")
        .expect("a pinned requirement");
    let script = if tool.exact {
        format!("import importlib.metadata as m; assert m.version('{name}') == '{version}'")
    } else {
        format!("import {}", tool.module)
    };
    let mut command = Command::new("python3");
    command.args(["-c", &script]).stderr(Stdio::null());
    if let Some(path) = python_path {
        command.env("PYTHONPATH", path);
    }
    let status = command.status().map_err(|e| {
        format!(
            "{} runs {name} and needs `python3` on PATH: {e}",
            tool.needed_by
        )
    })?;
    Ok(status.success())
}

/// Installs into a private folder renamed into place, so two test runs never share a
/// half-written install.
fn install(tool: &PythonTool, folder: &Path) -> Result<(), String> {
    let requirement = tool.requirement;
    let mut staging = folder.as_os_str().to_owned();
    staging.push(format!(".partial-{}", std::process::id()));
    let staging = PathBuf::from(staging);
    let _ = std::fs::remove_dir_all(&staging);
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-input", "--target"])
        .arg(&staging)
        .arg(requirement)
        .output()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!(
            "{} needs {requirement} and could not install it with \
             `python3 -m pip install --target {} {requirement}`:\n{}\n\
             Install it yourself (`python3 -m pip install {requirement}`) or allow this \
             machine to reach PyPI.",
            tool.needed_by,
            folder.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    if std::fs::rename(&staging, folder).is_err() {
        // Another run finished first; its install is as good as ours.
        let _ = std::fs::remove_dir_all(&staging);
    }
    match imports(tool, Some(folder))? {
        true => Ok(()),
        false => Err(format!(
            "python3 cannot import the {requirement} installed in {}; delete that folder to \
             install it again",
            folder.display()
        )),
    }
}
