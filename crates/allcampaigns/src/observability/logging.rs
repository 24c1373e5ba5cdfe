//! The process-wide log subscriber and panic hook.

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the process-wide subscriber (the one global tracing needs) and the panic hook;
/// call once from `main`.
pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    install_panic_hook();
}

/// Replaces Rust's default panic hook, which prints a panic's message to standard error. The
/// message may hold data (an `expect` on a value holding a secret, say), so it is never
/// printed: a panic is logged as an error with where it happened and, when `RUST_BACKTRACE` asks
/// for one, the backtrace (which holds code locations only). A panic in a request handler
/// still answers 500 (`http::errors::panic_response`); in a task, its join handle reports it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => backtrace.to_string(),
            _ => String::new(),
        };
        tracing::error!(
            location,
            thread = thread.name().unwrap_or("unnamed"),
            backtrace,
            "a thread panicked (its message is withheld: it may hold data)"
        );
    }));
}
