//! The OpenAPI subset as response validators.
//!
//! The spec is the shared contract `instantly/openapi-subset.yaml` of the design material next
//! to the repository (`../shared` from the workspace root), or the file named by
//! `INSTANTLY_OPENAPI_SPEC`.

use std::collections::HashMap;
use std::path::PathBuf;

use jsonschema::{Draft, Validator};
use serde_json::Value;

pub struct Spec {
    doc: Value,
    cache: HashMap<String, Validator>,
}

fn spec_path() -> PathBuf {
    if let Ok(path) = std::env::var("INSTANTLY_OPENAPI_SPEC") {
        return PathBuf::from(path);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join("../shared/instantly/openapi-subset.yaml")
}

impl Spec {
    /// The contract, or `None` when it is not beside the repository outside CI (a clone on its
    /// own): then the conformance tests say so in one line on the terminal and pass without
    /// running. With `CI=true` a missing contract fails them.
    pub fn load() -> Option<Spec> {
        let path = spec_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
                "cannot read the OpenAPI subset at {}: {e} (set INSTANTLY_OPENAPI_SPEC)",
                path.display()
            ),
            Err(e) => {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: Instantly conformance tests SKIPPED: no contract at {} ({e}); put the \
                     design folder beside the repository or set INSTANTLY_OPENAPI_SPEC",
                    path.display()
                );
                return None;
            }
        };
        let doc: Value = serde_norway::from_str(&text).expect("the OpenAPI subset is valid YAML");
        Some(Spec {
            doc,
            cache: HashMap::new(),
        })
    }

    /// Every (method, path) pair the spec defines.
    pub fn operations(&self) -> Vec<(String, String)> {
        let paths = self.doc["paths"].as_object().expect("paths");
        let mut ops: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(m, _)| (m.to_uppercase(), path.clone()))
            })
            .collect();
        ops.sort();
        ops
    }

    /// The JSON schema of one documented response, as a standalone document whose
    /// `#/components/...` references resolve.
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<Value> {
        let op = &self.doc["paths"][path][method.to_lowercase()];
        let schema =
            op["responses"][status.to_string()]["content"]["application/json"]["schema"].clone();
        if schema.is_null() {
            return None;
        }
        let mut root = schema;
        root["components"] = self.doc["components"].clone();
        Some(root)
    }

    /// Validation errors of `body` as the `status` answer of the operation, as readable lines.
    /// Panics when the spec does not document that answer.
    pub fn errors(&mut self, method: &str, path: &str, status: u16, body: &Value) -> Vec<String> {
        let key = format!("{method} {path} {status}");
        if !self.cache.contains_key(&key) {
            let schema = self
                .response_schema(method, path, status)
                .unwrap_or_else(|| panic!("{key} is not a documented response"));
            self.cache.insert(key.clone(), compile(&schema));
        }
        let validator = &self.cache[&key];
        validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }
}

pub fn compile(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .expect("schema compiles")
}
