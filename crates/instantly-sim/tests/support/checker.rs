//! Sends requests to the simulator and validates every answer against the spec.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use super::spec::Spec;

pub struct Checker {
    pub spec: Spec,
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
    /// (method, spec path, status) answers validated so far.
    pub seen: BTreeSet<(String, String, u16)>,
}

impl Checker {
    /// Sends a request and validates the answer against `spec_path`'s schema for its status.
    pub async fn check(
        &mut self,
        method: Method,
        spec_path: &str,
        url: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.check_with_key(method, spec_path, url, body, Some(self.key.clone()))
            .await
    }

    pub async fn check_with_key(
        &mut self,
        method: Method,
        spec_path: &str,
        url: &str,
        body: Option<Value>,
        key: Option<String>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{url}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("JSON answer");
        let errors = self.spec.errors(method.as_str(), spec_path, status, &body);
        assert!(
            errors.is_empty(),
            "{method} {url} → {status} does not match the spec:\n{}\n{body:#}",
            errors.join("\n")
        );
        self.seen
            .insert((method.to_string(), spec_path.to_owned(), status));
        (status, body)
    }

    /// Walks every page of a GET list, validating each page.
    pub async fn walk(&mut self, spec_path: &str, url: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if url.contains('?') { '&' } else { '?' };
            let page_url = match &cursor {
                Some(c) => format!("{url}{sep}limit=100&starting_after={}", urlencode(c)),
                None => format!("{url}{sep}limit=100"),
            };
            let (status, page) = self.check(Method::GET, spec_path, &page_url, None).await;
            assert_eq!(status, 200, "{page_url}: {page}");
            let page_items = page["items"].as_array().unwrap().clone();
            cursor = page["next_starting_after"].as_str().map(str::to_owned);
            if page_items.is_empty() || cursor.is_none() {
                items.extend(page_items);
                return items;
            }
            items.extend(page_items);
        }
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
