//! The client's address: the TCP peer, or, when the peer is a trusted reverse proxy, the hop
//! its forwarding header names (security review finding 6).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderName};
use ipnet::IpNet;

use crate::app::AppState;
use crate::error::AppError;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const FORWARDED: HeaderName = HeaderName::from_static("forwarded");

/// Where a request comes from, as far as this server can tell. Every place that needs the
/// client's address (sign-in limits, the request log) takes it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The address from the connection's peer and the request's headers; `None` only when the
    /// server did not record the peer (a router driven without a socket).
    pub fn of(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpNet]) -> Option<Self> {
        let ConnectInfo(peer) = extensions.get::<ConnectInfo<SocketAddr>>()?;
        Some(Self(resolve(peer.ip(), headers, trusted)))
    }

    /// The key the sign-in limiter counts under (IPv6 by /64).
    pub fn limit_key(self) -> String {
        crate::auth::limiter::ip_key(self.0)
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Self::of(
            &parts.extensions,
            &parts.headers,
            &state.config.trusted_proxies,
        )
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "the server did not record the peer address"
            ))
        })
    }
}

/// The peer, unless it is a trusted proxy: then the right-most hop of `X-Forwarded-For` (or,
/// without it, of `Forwarded`) that is not itself a trusted proxy. Hops left of an unreadable
/// one are not believed.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut nearest = peer;
    for hop in forwarded_hops(headers).into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(&ip) => nearest = ip,
            Some(ip) => return ip,
            None => break,
        }
    }
    nearest
}

/// The hops a proxy chain reported, client first; `None` for a hop that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let (name, split): (_, fn(&str) -> Option<IpAddr>) = if headers.contains_key(X_FORWARDED_FOR) {
        (X_FORWARDED_FOR, parse_hop)
    } else {
        (FORWARDED, forwarded_for)
    };
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(list) => list.split(',').map(split).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` parameter of one `Forwarded` element (RFC 7239).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_hop(value))
            .flatten()
    })
}

/// `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`, `[2001:db8::1]:443`, optionally quoted.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    let ip = if let Some(rest) = text.strip_prefix('[') {
        rest.split(']').next()?.parse().ok()?
    } else if let Ok(ip) = text.parse::<IpAddr>() {
        ip
    } else {
        let (host, port) = text.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse::<std::net::Ipv4Addr>().ok()?.into()
    };
    Some(IpAddr::to_canonical(&ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn proxies() -> Vec<IpNet> {
        vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let claims = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=1.2.3.4"),
        ]);
        assert_eq!(
            resolve(ip("198.51.100.1"), &claims, &proxies()),
            ip("198.51.100.1")
        );
        assert_eq!(
            resolve(ip("127.0.0.1"), &claims, &[]),
            ip("127.0.0.1"),
            "none trusted"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.1.2.3")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &chain, &proxies()),
            ip("203.0.113.9")
        );
        let split = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &split, &proxies()),
            ip("203.0.113.9")
        );
        let ported = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(
            resolve(ip("10.0.0.1"), &ported, &proxies()),
            ip("2001:db8::7")
        );
        let with_port = headers(&[("x-forwarded-for", "203.0.113.9:5000")]);
        assert_eq!(
            resolve(ip("10.0.0.1"), &with_port, &proxies()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let chain = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https, For=10.0.0.2",
        )]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &chain, &proxies()),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn unreadable_or_all_trusted_chains_stop_at_the_last_trusted_hop() {
        let garbage = headers(&[("x-forwarded-for", "6.6.6.6, unknown")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &garbage, &proxies()),
            ip("127.0.0.1")
        );
        let trusted_only = headers(&[("x-forwarded-for", "10.9.9.9, 10.0.0.5")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &trusted_only, &proxies()),
            ip("10.9.9.9")
        );
        assert_eq!(
            resolve(ip("127.0.0.1"), &HeaderMap::new(), &proxies()),
            ip("127.0.0.1")
        );
        let mapped = resolve(
            ip("::ffff:127.0.0.1"),
            &headers(&[("x-forwarded-for", "1.2.3.4")]),
            &proxies(),
        );
        assert_eq!(mapped, ip("1.2.3.4"), "a v4-mapped peer is matched as v4");
    }
}
