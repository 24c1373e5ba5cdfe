//! Settings about the network in front of the server: reverse proxies, the metrics listener and
//! connection limits.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Origin, Raw, optional_secret};

/// `trusted_proxies`: a comma-separated list of CIDR ranges; a bare address is a range of one.
pub(super) fn trusted_proxies(raw: &Raw) -> Result<Vec<IpNet>, ConfigError> {
    let Some((list, origin)) = raw.get("trusted_proxies") else {
        return Ok(Vec::new());
    };
    if matches!(origin, Origin::Default) {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| {
                    raw.error(
                        "trusted_proxies",
                        format!("`{item}` is not an address range like 10.0.0.0/8 or ::1/128"),
                    )
                })
        })
        .collect()
}

/// `metrics_listen`: unset keeps `/metrics` on the main listener.
pub(super) fn metrics_listen(
    raw: &Raw,
    listen: SocketAddr,
) -> Result<Option<SocketAddr>, ConfigError> {
    match raw.get("metrics_listen") {
        Some((_, Origin::Default)) | None => Ok(None),
        Some(_) => {
            let address: SocketAddr =
                raw.parse("metrics_listen", "an address like 127.0.0.1:9090")?;
            if address == listen && address.port() != 0 {
                return Err(raw.error("metrics_listen", "must differ from the main listen address"));
            }
            Ok(Some(address))
        }
    }
}

/// `metrics_token`: a secret from the environment; an empty or blank token is refused rather
/// than silently leaving `/metrics` open.
pub(super) fn metrics_token(raw: &Raw) -> Result<Option<SecretString>, ConfigError> {
    let Some(token) = optional_secret(raw, "metrics_token") else {
        return Ok(None);
    };
    if token.expose_secret().trim().len() < 16 {
        return Err(raw.error("metrics_token", "must be at least 16 characters long"));
    }
    Ok(Some(token))
}
