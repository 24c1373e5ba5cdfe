//! Logs, metrics and the operational request log.

mod logging;
mod metrics;
mod request_log;

pub use logging::{init_logging, install_panic_hook};
pub use metrics::{HttpLabels, Metrics, method_label};
pub use request_log::{RequestLogger, run_request_log_writer};
