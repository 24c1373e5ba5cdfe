//! The one outbound HTTP client for anything fetched on a user's say-so: email images now
//! (the image proxy), webhook deliveries later (RELIABILITY WH-09, Part D point 6).
//!
//! Each request: the URL is parsed by the `url` crate (which turns odd IPv4 spellings such as
//! `2130706433`, `0177.0.0.1` or `0x7f.1` into plain addresses), must be http or https on port
//! 80 or 443 with no credentials; its host is resolved once and every address it has is
//! judged by [`address::blocked`] (one refused address refuses the name); then a client that
//! cannot resolve anything itself is told to connect to exactly those addresses. It never
//! follows redirects (a caller that follows them checks each hop through here again), keeps no
//! cookies, sends no referrer, uses no proxy from the environment, and reads bodies in chunks
//! up to a cap. Errors name the host and what was refused, never the URL (whose query may
//! carry a secret).
//!
//! Only ports 80 and 443: email images and webhook receivers live there, and any other port
//! would let a signed-in person (or a crafted email) use us to probe and talk to non-HTTP
//! services (SMTP, Redis, …) on public hosts.

mod address;
pub mod image;
mod resolve;
pub mod rewrite;
pub mod signing;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{StatusCode, redirect};
use url::{Host, Url};

pub use address::{Blocked, blocked};
pub use resolve::{Resolve, SystemResolver};

/// Sent with every outbound request.
pub const USER_AGENT: &str = concat!("AllCampaigns/", env!("CARGO_PKG_VERSION"));

/// The only ports fetched (see the module comment).
const WEB_PORTS: [u16; 2] = [80, 443];

#[derive(Debug, Clone)]
pub struct EgressSettings {
    /// Resolving the host and opening the connection, each.
    pub connect_timeout: Duration,
    /// The whole request, body included.
    pub total_timeout: Duration,
    /// Bodies longer than this are refused, as soon as the length is known or exceeded.
    pub max_body_bytes: usize,
    /// Exact addresses (address and port) reached although the rules refuse them. No setting
    /// or configuration key fills this, so a production install never allows anything; the
    /// integration tests allow their own HTTP server on loopback with it.
    pub allow: Vec<SocketAddr>,
}

impl Default for EgressSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(20),
            max_body_bytes: 5 * 1024 * 1024,
            allow: Vec::new(),
        }
    }
}

/// Why a fetch was refused or failed. Shown to logs; never holds the URL.
#[derive(Debug, thiserror::Error)]
pub enum EgressError {
    #[error("only http and https addresses are fetched, not {scheme}")]
    Scheme { scheme: String },
    #[error("the address has no host")]
    NoHost,
    #[error("addresses with a user name or password are not fetched")]
    Credentials,
    #[error("{host}: only ports 80 and 443 are fetched, not {port}")]
    Port { host: String, port: u16 },
    #[error("{host} could not be resolved")]
    Unresolved { host: String },
    #[error("{host} resolves to {ip}, a {why} address, which is never fetched")]
    Refused {
        host: String,
        ip: std::net::IpAddr,
        why: Blocked,
    },
    #[error("{host} did not answer in time")]
    Timeout { host: String },
    #[error("{host} could not be reached: {detail}")]
    Unreachable { host: String, detail: String },
    #[error("{host} sent more than {limit} bytes")]
    TooLarge { host: String, limit: usize },
}

impl EgressError {
    /// Whether the destination itself was refused by the rules (as opposed to failing).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Scheme { .. }
                | Self::NoHost
                | Self::Credentials
                | Self::Port { .. }
                | Self::Refused { .. }
        )
    }

    fn transport(host: &str, error: reqwest::Error) -> Self {
        let host = host.to_owned();
        if error.is_timeout() {
            return Self::Timeout { host };
        }
        let error = error.without_url();
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Unreachable { host, detail }
    }
}

/// A URL that passed the rules, with the only addresses a request to it may use.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The host as written in errors (`example.com`, `10.0.0.1`, `[::1]`).
    pub host: String,
    /// The domain name, when the URL named one rather than an address.
    domain: Option<String>,
    pub addrs: Vec<SocketAddr>,
}

/// The SSRF-guarded client (see the module comment).
#[derive(Clone)]
pub struct Egress {
    settings: EgressSettings,
    resolver: Arc<dyn Resolve>,
}

impl std::fmt::Debug for Egress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Egress")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Egress {
    /// A client using the system resolver.
    pub fn new(settings: EgressSettings) -> Self {
        Self {
            settings,
            resolver: Arc::new(SystemResolver),
        }
    }

    /// The same client resolving names with `resolver` (tests answer hostile DNS with it).
    pub fn with_resolver(mut self, resolver: Arc<dyn Resolve>) -> Self {
        self.resolver = resolver;
        self
    }

    pub fn settings(&self) -> &EgressSettings {
        &self.settings
    }

    /// Judges `url` and resolves its host once. The answer's addresses are the only ones a
    /// request to `url` may connect to.
    pub async fn check(&self, url: &Url) -> Result<Destination, EgressError> {
        let scheme = url.scheme();
        if !matches!(scheme, "http" | "https") {
            return Err(EgressError::Scheme {
                scheme: scheme.chars().take(20).collect(),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(EgressError::Credentials);
        }
        let (host, port) = match (url.host(), url.port_or_known_default()) {
            (Some(host), Some(port)) => (host, port),
            _ => return Err(EgressError::NoHost),
        };
        let name = host.to_string();
        let (domain, addrs) = match host {
            Host::Ipv4(ip) => (None, vec![SocketAddr::new(ip.into(), port)]),
            Host::Ipv6(ip) => (None, vec![SocketAddr::new(ip.into(), port)]),
            Host::Domain(domain) => (Some(domain.to_owned()), self.lookup(domain, port).await?),
        };
        for addr in &addrs {
            self.judge(&name, *addr)?;
        }
        Ok(Destination {
            host: name,
            domain,
            addrs,
        })
    }

    async fn lookup(&self, domain: &str, port: u16) -> Result<Vec<SocketAddr>, EgressError> {
        let unresolved = || EgressError::Unresolved {
            host: domain.to_owned(),
        };
        let lookup = self.resolver.resolve(domain, port);
        let addrs = tokio::time::timeout(self.settings.connect_timeout, lookup)
            .await
            .map_err(|_| unresolved())?
            .map_err(|_| unresolved())?;
        if addrs.is_empty() {
            return Err(unresolved());
        }
        // The port is the URL's, whatever the resolver put there.
        Ok(addrs
            .into_iter()
            .map(|addr| SocketAddr::new(addr.ip(), port))
            .collect())
    }

    fn judge(&self, host: &str, addr: SocketAddr) -> Result<(), EgressError> {
        if self.settings.allow.contains(&addr) {
            return Ok(());
        }
        if let Some(why) = blocked(addr.ip()) {
            return Err(EgressError::Refused {
                host: host.to_owned(),
                ip: addr.ip(),
                why,
            });
        }
        if !WEB_PORTS.contains(&addr.port()) {
            return Err(EgressError::Port {
                host: host.to_owned(),
                port: addr.port(),
            });
        }
        Ok(())
    }

    /// One GET of `url`, connecting only to the addresses [`Egress::check`] approved. A
    /// redirect comes back as an answer; it is not followed.
    pub async fn get(&self, url: &Url, accept: &'static str) -> Result<Answer, EgressError> {
        let destination = self.check(url).await?;
        let client = self.client_for(&destination)?;
        let response = client
            .get(url.clone())
            .header(ACCEPT, accept)
            .send()
            .await
            .map_err(|error| EgressError::transport(&destination.host, error))?;
        Ok(Answer {
            host: destination.host,
            response,
            limit: self.settings.max_body_bytes,
        })
    }

    /// A client for one destination: it knows only that destination's checked addresses, so
    /// there is no second lookup to rebind, and it keeps no connections for anyone else.
    fn client_for(&self, destination: &Destination) -> Result<reqwest::Client, EgressError> {
        let settings = &self.settings;
        let mut builder = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .user_agent(USER_AGENT)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.total_timeout)
            .pool_max_idle_per_host(0)
            .dns_resolver(Arc::new(resolve::NoLookups));
        if let Some(domain) = &destination.domain {
            builder = builder.resolve_to_addrs(domain, &destination.addrs);
        }
        builder
            .build()
            .map_err(|error| EgressError::transport(&destination.host, error))
    }
}

/// An answer, its body not read yet.
#[derive(Debug)]
pub struct Answer {
    host: String,
    response: reqwest::Response,
    limit: usize,
}

impl Answer {
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }

    pub fn headers(&self) -> &HeaderMap {
        self.response.headers()
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The body, read chunk by chunk and refused once it would pass the cap (at once when
    /// the announced length does).
    pub async fn body(mut self) -> Result<Vec<u8>, EgressError> {
        let limit = self.limit;
        let too_large = |host: &str| EgressError::TooLarge {
            host: host.to_owned(),
            limit,
        };
        let announced = self.response.content_length().unwrap_or(0);
        if announced > limit as u64 {
            return Err(too_large(&self.host));
        }
        let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        while let Some(chunk) = self
            .response
            .chunk()
            .await
            .map_err(|error| EgressError::transport(&self.host, error))?
        {
            if chunk.len() > limit - body.len() {
                return Err(too_large(&self.host));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests;
