use std::time::Duration;

use secrecy::SecretString;

use crate::budget::RateBudget;
use crate::retry::RetryPolicy;

/// Instantly's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.instantly.ai";

/// Sent on every request: Cloudflare in front of Instantly answers 403 to some default agents.
pub const DEFAULT_USER_AGENT: &str = concat!("allcampaigns-instantly/", env!("CARGO_PKG_VERSION"));

/// Everything a [`crate::Client`] needs. Start from [`ClientConfig::new`] and override fields.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Scheme and host (and optional port) only; paths start with `/api/v2`.
    pub base_url: String,
    pub api_key: SecretString,
    pub user_agent: String,
    /// Limit for a whole request (connect, send, receive the body).
    pub timeout: Duration,
    /// The workspace's shared request budget; take it from a
    /// [`crate::WorkspaceBudgets`] registry so that every client of a workspace shares it.
    pub budget: RateBudget,
    pub retry: RetryPolicy,
    /// A list stream fails with [`crate::PaginationError::TooManyPages`] beyond this.
    pub max_pages: u64,
}

impl ClientConfig {
    /// Production defaults: Instantly's base URL, 30 s timeout, the documented budget (100/s,
    /// 6,000/min, 20/min on the email list) private to this client, 6 attempts per request.
    pub fn new(api_key: SecretString) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: Duration::from_secs(30),
            budget: RateBudget::default(),
            retry: RetryPolicy::default(),
            max_pages: 1_000_000,
        }
    }
}
