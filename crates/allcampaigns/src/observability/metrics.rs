//! The app's Prometheus metrics.

use std::sync::Arc;

use axum::http::Method;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::crypto::Keyring;

/// Labels of HTTP metrics: aggregate and pseudonymous (route templates, never ids or users).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

/// The method as a metric label or request-log value: the standard ones by name, everything
/// else as `other`, so clients cannot mint label values (security review finding 7).
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The app's metrics, owned by the app state rather than a global recorder.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<HttpLabels, Histogram>,
    pub request_log_dropped: Counter,
}

impl Metrics {
    pub fn new() -> Self {
        Self::build(None)
    }

    /// The app's metrics, with each master key's count of seals read from `keyring` at every
    /// scrape (RELIABILITY SEC-03).
    pub fn with_keyring(keyring: Arc<Keyring>) -> Self {
        Self::build(Some(keyring))
    }

    fn build(keyring: Option<Arc<Keyring>>) -> Self {
        let mut registry = Registry::with_prefix("allcampaigns");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<HttpLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let request_log_dropped = Counter::default();
        registry.register(
            "http_requests",
            "HTTP requests served",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request time",
            http_duration.clone(),
        );
        registry.register(
            "request_log_dropped",
            "request-log lines dropped because the writer fell behind",
            request_log_dropped.clone(),
        );
        if let Some(keyring) = keyring {
            registry.register_collector(Box::new(SealCollector(keyring)));
        }
        Self {
            registry: Arc::new(registry),
            http_requests,
            http_duration,
            request_log_dropped,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String");
        out
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KeyLabels {
    key_id: u32,
}

/// `master_key_seals{key_id}` and `master_key_seal_alarm{key_id}` (1 once a key has reached
/// the alarm: rotate), so an operator can alert on either.
#[derive(Debug)]
struct SealCollector(Arc<Keyring>);

impl Collector for SealCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let status = self.0.seal_status();
        let mut seals = encoder.encode_descriptor(
            "master_key_seals",
            "secrets sealed with each master key (NIST SP 800-38D allows 2^32 per key)",
            None,
            MetricType::Gauge,
        )?;
        for key in &status {
            let labels = KeyLabels { key_id: key.key_id };
            ConstGauge::new(key.seals).encode(seals.encode_family(&labels)?)?;
        }
        let mut alarms = encoder.encode_descriptor(
            "master_key_seal_alarm",
            "1 when a master key has sealed enough to need rotating",
            None,
            MetricType::Gauge,
        )?;
        for key in &status {
            let labels = KeyLabels { key_id: key.key_id };
            ConstGauge::new(u32::from(key.alarm)).encode(alarms.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
