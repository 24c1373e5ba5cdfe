//! Which addresses a fetch made on a user's say-so may reach: globally routable unicast only.
//!
//! std's `IpAddr` methods name the well-known ranges; the special-purpose ranges they do not
//! (IANA's IPv4 and IPv6 special-purpose registries, RFC 6890) are listed here with `ipnet`.
//! IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, the deprecated compatible
//! `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that IPv4 address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use ipnet::{Ipv4Net, Ipv6Net};

/// Why an address is never fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, and IPv6 site-local fec0::/10.
    Private,
    /// 169.254/16 (cloud metadata lives at 169.254.169.254) and fe80::/10.
    LinkLocal,
    /// 100.64/10, carrier-grade NAT.
    SharedNat,
    Unspecified,
    Broadcast,
    Multicast,
    Documentation,
    /// fc00::/7.
    UniqueLocal,
    /// Every other special-purpose or unallocated range.
    Reserved,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link-local",
            Self::SharedNat => "carrier-grade NAT",
            Self::Unspecified => "unspecified",
            Self::Broadcast => "broadcast",
            Self::Multicast => "multicast",
            Self::Documentation => "documentation",
            Self::UniqueLocal => "unique-local",
            Self::Reserved => "reserved",
        })
    }
}

/// IPv4 special-purpose ranges std has no method for.
static V4_RANGES: LazyLock<Vec<(Ipv4Net, Blocked)>> = LazyLock::new(|| {
    [
        ("0.0.0.0/8", Blocked::Unspecified),
        ("100.64.0.0/10", Blocked::SharedNat),
        ("192.0.0.0/24", Blocked::Reserved),
        ("192.88.99.0/24", Blocked::Reserved),
        ("198.18.0.0/15", Blocked::Reserved),
        ("240.0.0.0/4", Blocked::Reserved),
    ]
    .into_iter()
    .map(|(net, why)| (net.parse().expect("a valid IPv4 range"), why))
    .collect()
});

/// IPv6 special-purpose ranges std has no stable method for, checked before the global
/// unicast test (`2000::/3`), which everything else must pass.
static V6_RANGES: LazyLock<Vec<(Ipv6Net, Blocked)>> = LazyLock::new(|| {
    [
        ("fec0::/10", Blocked::Private),
        ("2001:db8::/32", Blocked::Documentation),
        ("3fff::/20", Blocked::Documentation),
        // IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID.
        ("2001::/23", Blocked::Reserved),
    ]
    .into_iter()
    .map(|(net, why)| (net.parse().expect("a valid IPv6 range"), why))
    .collect()
});

static GLOBAL_UNICAST: LazyLock<Ipv6Net> =
    LazyLock::new(|| "2000::/3".parse().expect("a valid IPv6 range"));
static NAT64: LazyLock<Ipv6Net> =
    LazyLock::new(|| "64:ff9b::/96".parse().expect("a valid IPv6 range"));
static SIX_TO_FOUR: LazyLock<Ipv6Net> =
    LazyLock::new(|| "2002::/16".parse().expect("a valid IPv6 range"));

/// Why `ip` may not be fetched, or `None` when it is a public unicast address.
pub fn blocked(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(ip) => blocked_v4(ip),
        IpAddr::V6(ip) => blocked_v6(ip),
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<Blocked> {
    let why = if ip.is_unspecified() {
        Blocked::Unspecified
    } else if ip.is_loopback() {
        Blocked::Loopback
    } else if ip.is_private() {
        Blocked::Private
    } else if ip.is_link_local() {
        Blocked::LinkLocal
    } else if ip.is_broadcast() {
        Blocked::Broadcast
    } else if ip.is_multicast() {
        Blocked::Multicast
    } else if ip.is_documentation() {
        Blocked::Documentation
    } else {
        return V4_RANGES
            .iter()
            .find(|(net, _)| net.contains(&ip))
            .map(|&(_, why)| why);
    };
    Some(why)
}

fn blocked_v6(ip: Ipv6Addr) -> Option<Blocked> {
    if ip.is_unspecified() {
        return Some(Blocked::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Blocked::Loopback);
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return blocked_v4(v4);
    }
    if let Some(v4) = embedded_v4(ip) {
        return blocked_v4(v4);
    }
    if ip.segments()[..6] == [0; 6] {
        // Deprecated IPv4-compatible form: never a real destination.
        return Some(blocked_v4(last_32_bits(ip)).unwrap_or(Blocked::Reserved));
    }
    let why = if ip.is_multicast() {
        Blocked::Multicast
    } else if ip.is_unique_local() {
        Blocked::UniqueLocal
    } else if ip.is_unicast_link_local() {
        Blocked::LinkLocal
    } else if let Some(&(_, why)) = V6_RANGES.iter().find(|(net, _)| net.contains(&ip)) {
        why
    } else if !GLOBAL_UNICAST.contains(&ip) {
        Blocked::Reserved
    } else {
        return None;
    };
    Some(why)
}

/// The IPv4 address a NAT64 or 6to4 address leads to.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if NAT64.contains(&ip) {
        return Some(last_32_bits(ip));
    }
    if SIX_TO_FOUR.contains(&ip) {
        let [_, high, low, ..] = ip.segments();
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        return Some(Ipv4Addr::new(a, b, c, d));
    }
    None
}

fn last_32_bits(ip: Ipv6Addr) -> Ipv4Addr {
    let octets = ip.octets();
    Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15])
}

#[cfg(test)]
#[path = "address_tests.rs"]
mod tests;
