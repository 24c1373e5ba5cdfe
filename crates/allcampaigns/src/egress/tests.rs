//! The rules `Egress::check` applies to URLs, with a resolver that answers what a test wants.
//! Nothing here opens a connection: every refused URL is refused before one could be made.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use url::Url;

use super::*;

/// Answers `ip` for every name, counting lookups.
struct Answers {
    ip: IpAddr,
    lookups: AtomicUsize,
}

#[async_trait]
impl Resolve for Answers {
    async fn resolve(&self, _host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        Ok(vec![SocketAddr::new(self.ip, port)])
    }
}

fn resolving_to(ip: &str) -> (Egress, Arc<Answers>) {
    let answers = Arc::new(Answers {
        ip: ip.parse().unwrap(),
        lookups: AtomicUsize::new(0),
    });
    let egress = Egress::new(EgressSettings::default()).with_resolver(answers.clone());
    (egress, answers)
}

async fn refusal(egress: &Egress, url: &str) -> EgressError {
    let url = Url::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    match egress.check(&url).await {
        Ok(destination) => panic!("{url} was allowed: {destination:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn wh_09_odd_spellings_of_loopback_are_normalised_by_url_and_refused() {
    let (egress, answers) = resolving_to("93.184.216.34");
    for url in [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://017700000001/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:0:0:1]/",
    ] {
        let error = refusal(&egress, url).await;
        assert!(
            matches!(
                error,
                EgressError::Refused {
                    why: Blocked::Loopback,
                    ..
                }
            ),
            "{url}: {error}"
        );
    }
    // An address is never looked up.
    assert_eq!(answers.lookups.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn wh_09_private_metadata_and_unspecified_literals_are_refused() {
    let (egress, _) = resolving_to("93.184.216.34");
    for (url, why) in [
        ("http://10.0.0.1/", Blocked::Private),
        ("http://10.255.1.2/a.png", Blocked::Private),
        ("http://172.16.0.1/", Blocked::Private),
        ("http://192.168.1.1/", Blocked::Private),
        (
            "http://169.254.169.254/latest/meta-data/",
            Blocked::LinkLocal,
        ),
        ("http://0.0.0.0/", Blocked::Unspecified),
        ("http://0/", Blocked::Unspecified),
        ("http://[::]/", Blocked::Unspecified),
        ("http://100.64.0.1/", Blocked::SharedNat),
        ("http://[fc00::1]/", Blocked::UniqueLocal),
        ("http://[fe80::1]/", Blocked::LinkLocal),
        ("http://[::ffff:169.254.169.254]/", Blocked::LinkLocal),
        ("http://[::ffff:a00:1]/", Blocked::Private),
        ("https://255.255.255.255/", Blocked::Broadcast),
        ("https://224.0.0.1/", Blocked::Multicast),
        ("https://192.0.2.1/", Blocked::Documentation),
    ] {
        let error = refusal(&egress, url).await;
        assert!(
            matches!(&error, EgressError::Refused { why: got, .. } if *got == why),
            "{url}: {error}"
        );
    }
}

#[tokio::test]
async fn wh_09_a_public_looking_name_that_resolves_to_a_private_address_is_refused() {
    for ip in ["10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "fd00::5"] {
        let (egress, answers) = resolving_to(ip);
        let error = refusal(&egress, "https://images.example.com/logo.png").await;
        match error {
            EgressError::Refused { host, ip: got, .. } => {
                assert_eq!(host, "images.example.com");
                assert_eq!(got, ip.parse::<IpAddr>().unwrap());
            }
            other => panic!("{ip}: {other}"),
        }
        assert_eq!(answers.lookups.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn one_refused_address_refuses_the_whole_name() {
    struct Mixed;
    #[async_trait]
    impl Resolve for Mixed {
        async fn resolve(&self, _: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
            Ok(vec![
                SocketAddr::new("93.184.216.34".parse().unwrap(), port),
                SocketAddr::new("10.0.0.7".parse().unwrap(), port),
            ])
        }
    }
    let egress = Egress::new(EgressSettings::default()).with_resolver(Arc::new(Mixed));
    let error = refusal(&egress, "https://mixed.example.com/").await;
    assert!(
        matches!(
            error,
            EgressError::Refused {
                why: Blocked::Private,
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_public_name_is_checked_once_and_its_addresses_kept_for_the_connection() {
    let (egress, answers) = resolving_to("93.184.216.34");
    let url = Url::parse("https://images.example.com/a.png").unwrap();
    let destination = egress.check(&url).await.unwrap();
    assert_eq!(destination.host, "images.example.com");
    assert_eq!(
        destination.addrs,
        vec!["93.184.216.34:443".parse::<SocketAddr>().unwrap()]
    );
    assert_eq!(destination.domain.as_deref(), Some("images.example.com"));
    assert_eq!(answers.lookups.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn only_http_and_https_on_their_ports_without_credentials_are_fetched() {
    let (egress, _) = resolving_to("93.184.216.34");
    for url in [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "gopher://example.com/",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
    ] {
        let error = refusal(&egress, url).await;
        assert!(
            matches!(error, EgressError::Scheme { .. }),
            "{url}: {error}"
        );
    }
    for url in ["http://user:pass@example.com/", "https://user@example.com/"] {
        let error = refusal(&egress, url).await;
        assert!(matches!(error, EgressError::Credentials), "{url}: {error}");
    }
    for url in [
        "http://example.com:25/",
        "https://example.com:6379/",
        "http://93.184.216.34:8080/",
    ] {
        let error = refusal(&egress, url).await;
        assert!(matches!(error, EgressError::Port { .. }), "{url}: {error}");
    }
    for url in [
        "http://example.com:443/",
        "https://example.com:80/",
        "http://example.com/",
    ] {
        let url = Url::parse(url).unwrap();
        assert!(egress.check(&url).await.is_ok(), "{url}");
    }
}

#[tokio::test]
async fn only_the_exact_allowed_address_passes_the_rules() {
    let allowed: SocketAddr = "127.0.0.1:4567".parse().unwrap();
    let egress = Egress::new(EgressSettings {
        allow: vec![allowed],
        ..EgressSettings::default()
    });
    let url = Url::parse("http://127.0.0.1:4567/a.png").unwrap();
    assert_eq!(egress.check(&url).await.unwrap().addrs, vec![allowed]);
    for other in [
        "http://127.0.0.1:4568/",
        "http://127.0.0.2:4567/",
        "http://127.0.0.1/",
    ] {
        let error = refusal(&egress, other).await;
        assert!(
            matches!(error, EgressError::Refused { .. }),
            "{other}: {error}"
        );
    }
    let error = refusal(&Egress::new(EgressSettings::default()), url.as_str()).await;
    assert!(matches!(error, EgressError::Refused { .. }), "{error}");
}

#[test]
fn errors_name_the_host_and_the_rule_never_the_url() {
    let error = EgressError::Refused {
        host: "images.example.com".into(),
        ip: "10.0.0.1".parse().unwrap(),
        why: Blocked::Private,
    };
    assert_eq!(
        error.to_string(),
        "images.example.com resolves to 10.0.0.1, a private address, which is never fetched"
    );
    assert!(error.is_refusal());
}
