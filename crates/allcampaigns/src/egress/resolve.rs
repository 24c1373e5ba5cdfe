//! Name resolution for egress, behind a trait so tests can answer what a hostile DNS would
//! (a public-looking name that resolves to a private address) without touching DNS.

use std::net::SocketAddr;

use async_trait::async_trait;

#[async_trait]
pub trait Resolve: Send + Sync {
    /// Every address `host` has, with `port`.
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (getaddrinfo, run off the async threads by tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

#[async_trait]
impl Resolve for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

/// The resolver every egress `reqwest::Client` is given: it refuses every lookup, so the
/// client can only use the addresses [`super::Egress`] resolved and checked itself (passed as
/// `resolve_to_addrs` overrides). Nothing can look a name up a second time and get a
/// different (rebound) answer.
pub(super) struct NoLookups;

impl reqwest::dns::Resolve for NoLookups {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            Err(format!("{host} was not resolved and checked before connecting").into())
        })
    }
}
