use std::net::IpAddr;

use super::{Blocked, blocked};

fn check(cases: &[(&str, Option<Blocked>)]) {
    for &(text, expected) in cases {
        let ip: IpAddr = text.parse().unwrap_or_else(|_| panic!("{text} parses"));
        assert_eq!(blocked(ip), expected, "{text}");
    }
}

#[test]
fn wh_09_every_private_and_special_ipv4_range_is_refused() {
    use Blocked::*;
    check(&[
        ("127.0.0.1", Some(Loopback)),
        ("127.255.255.254", Some(Loopback)),
        ("10.0.0.0", Some(Private)),
        ("10.255.255.255", Some(Private)),
        ("172.16.0.1", Some(Private)),
        ("172.31.255.255", Some(Private)),
        ("192.168.0.1", Some(Private)),
        ("192.168.255.255", Some(Private)),
        ("169.254.169.254", Some(LinkLocal)),
        ("169.254.0.1", Some(LinkLocal)),
        ("100.64.0.1", Some(SharedNat)),
        ("100.127.255.255", Some(SharedNat)),
        ("0.0.0.0", Some(Unspecified)),
        ("0.1.2.3", Some(Unspecified)),
        ("255.255.255.255", Some(Broadcast)),
        ("224.0.0.1", Some(Multicast)),
        ("239.255.255.255", Some(Multicast)),
        ("192.0.2.1", Some(Documentation)),
        ("198.51.100.7", Some(Documentation)),
        ("203.0.113.9", Some(Documentation)),
        ("192.0.0.8", Some(Reserved)),
        ("192.88.99.1", Some(Reserved)),
        ("198.18.0.1", Some(Reserved)),
        ("198.19.255.255", Some(Reserved)),
        ("240.0.0.1", Some(Reserved)),
    ]);
}

#[test]
fn public_ipv4_addresses_next_to_the_refused_ranges_are_allowed() {
    check(&[
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        ("11.0.0.1", None),
        ("172.15.255.255", None),
        ("172.32.0.1", None),
        ("192.167.255.255", None),
        ("192.169.0.1", None),
        ("100.63.255.255", None),
        ("100.128.0.1", None),
        ("169.253.255.255", None),
        ("198.17.255.255", None),
        ("198.20.0.1", None),
        ("223.255.255.254", None),
    ]);
}

#[test]
fn wh_09_every_private_and_special_ipv6_range_is_refused() {
    use Blocked::*;
    check(&[
        ("::1", Some(Loopback)),
        ("::", Some(Unspecified)),
        ("fc00::1", Some(UniqueLocal)),
        ("fd12:3456:789a::1", Some(UniqueLocal)),
        ("fe80::1", Some(LinkLocal)),
        ("febf::1", Some(LinkLocal)),
        ("fec0::1", Some(Private)),
        ("ff02::1", Some(Multicast)),
        ("2001:db8::1", Some(Documentation)),
        ("3fff::1", Some(Documentation)),
        ("2001::1", Some(Reserved)),
        ("100::1", Some(Reserved)),
        ("4000::1", Some(Reserved)),
    ]);
}

#[test]
fn wh_09_ipv4_addresses_written_as_ipv6_are_judged_as_ipv4() {
    use Blocked::*;
    check(&[
        ("::ffff:127.0.0.1", Some(Loopback)),
        ("::ffff:7f00:1", Some(Loopback)),
        ("::ffff:10.0.0.1", Some(Private)),
        ("::ffff:169.254.169.254", Some(LinkLocal)),
        ("::ffff:192.168.1.1", Some(Private)),
        ("::ffff:0.0.0.0", Some(Unspecified)),
        ("::127.0.0.1", Some(Loopback)),
        ("::10.0.0.1", Some(Private)),
        // The compatible form is deprecated: refused even for a public address.
        ("::8.8.8.8", Some(Reserved)),
        ("64:ff9b::127.0.0.1", Some(Loopback)),
        ("64:ff9b::a9fe:a9fe", Some(LinkLocal)),
        ("2002:7f00:1::", Some(Loopback)),
        ("2002:a00:1::1", Some(Private)),
        // The IPv4-translated form (::ffff:0:0:0/96) is outside global unicast.
        ("::ffff:0:7f00:1", Some(Reserved)),
    ]);
}

#[test]
fn public_ipv6_addresses_and_public_ipv4_behind_them_are_allowed() {
    check(&[
        ("2606:4700:4700::1111", None),
        ("2a00:1450:4001:80b::200e", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
        ("2002:808:808::1", None),
    ]);
}
