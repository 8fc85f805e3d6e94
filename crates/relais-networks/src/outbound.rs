//! Which addresses Relais may call when a user typed the server (a Bluesky PDS, a Mastodon
//! instance, later feeds and media URLs): by default only public ones, so that nobody can point
//! Relais at the machine's own services, its private network or a cloud metadata endpoint.
//! Self-hosters with a private server, and the tests' loopback servers, allow address blocks
//! explicitly (`RELAIS_OUTBOUND_ALLOW`).
//!
//! The check happens where the connection is made: every name is resolved by a resolver that
//! drops refused addresses (so a DNS answer that changes after a check changes nothing), and a
//! literal address, which reqwest never resolves, is checked before the request and on every
//! redirect.

use crate::NetworkError;
use ip_network::IpNetwork;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Outbound {
    /// Non-public blocks allowed all the same.
    allow: Arc<Vec<IpNetwork>>,
    /// As configured, for messages.
    allowed: Vec<String>,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound::public_only()
    }
}

impl Outbound {
    /// Public addresses only.
    pub fn public_only() -> Self {
        Outbound { allow: Arc::new(Vec::new()), allowed: Vec::new() }
    }

    /// Public addresses and these blocks, written `127.0.0.1`, `10.0.0.0/8` or `fd00::/8`,
    /// separated by commas or spaces. The error names the block it cannot read.
    pub fn allowing(blocks: &str) -> Result<Self, String> {
        let mut allow = Vec::new();
        let mut allowed = Vec::new();
        for block in blocks.split([',', ' ']).map(str::trim).filter(|b| !b.is_empty()) {
            let network = match block.parse::<IpAddr>() {
                Ok(ip) => IpNetwork::from(ip),
                Err(_) => block.parse::<IpNetwork>().map_err(|e| format!("{block:?} is not an address or an address block ({e})"))?,
            };
            allow.push(network);
            allowed.push(block.to_string());
        }
        Ok(Outbound { allow: Arc::new(allow), allowed })
    }

    /// Public addresses (the IANA special-purpose registries say which are not), and the
    /// allowed blocks. An IPv6 spelling of an IPv4 address is judged as that IPv4 address.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        IpNetwork::from(ip).is_global() || self.allow.iter().any(|net| net.contains(ip))
    }

    /// Why `host` may not be called, when it resolved to `ip`.
    fn refusal(&self, host: &str, ip: IpAddr) -> String {
        let hint = if self.allowed.is_empty() {
            "set RELAIS_OUTBOUND_ALLOW to allow a private server".to_string()
        } else {
            format!("RELAIS_OUTBOUND_ALLOW allows only {}", self.allowed.join(", "))
        };
        format!("{host} is at {ip}, a private or reserved address Relais does not call ({hint})")
    }

    /// Checks a server address a user typed, before it is saved: a http(s) URL whose host
    /// resolves only to allowed addresses. The error says what is wrong in words.
    pub async fn check_server(&self, url: &str) -> Result<(), String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a web address ({e})"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("{url:?} must start with https://"));
        }
        let host = parsed.host_str().ok_or_else(|| format!("{url:?} has no host"))?;
        let port = parsed.port_or_known_default().unwrap_or(443);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((bare, port)).await.map_err(|e| format!("{host} cannot be found ({e})"))?.collect(),
        };
        match addrs.iter().find(|a| !self.allows(a.ip())) {
            Some(refused) => Err(self.refusal(host, refused.ip())),
            None if addrs.is_empty() => Err(format!("{host} cannot be found")),
            None => Ok(()),
        }
    }

    /// Refuses a URL whose host is a literal address the policy refuses (names are the
    /// resolver's business).
    pub fn check_literal(&self, url: &reqwest::Url) -> Result<(), NetworkError> {
        match literal_ip(url) {
            Some(ip) if !self.allows(ip) => Err(NetworkError::Permanent(self.refusal(url.host_str().unwrap_or_default(), ip))),
            _ => Ok(()),
        }
    }

    /// A client builder whose connections obey the policy: names resolve only to allowed
    /// addresses, redirects to refused literal addresses stop.
    pub fn guard(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let redirects = self.clone();
        builder.dns_resolver(Arc::new(Guarded(self.clone()))).redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                return attempt.error("too many redirects");
            }
            match redirects.check_literal(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e.to_string()),
            }
        }))
    }
}

/// The resolver's refusal, found in a failed request's chain of causes: the address is not
/// going to change by retrying, so callers report it as permanent, in these words.
pub fn refusal_in(error: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused.0.clone());
        }
        cause = e.source();
    }
    None
}

/// Why the resolver gave no address.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

/// The resolver behind [`Outbound::guard`].
struct Guarded(Outbound);

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let outbound = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found.into_iter().partition(|a| outbound.allows(a.ip()));
            if allowed.is_empty() {
                let reason = match refused.first() {
                    Some(a) => outbound.refusal(&host, a.ip()),
                    None => format!("{host} cannot be found"),
                };
                return Err(Box::new(Refused(reason)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_by_default() {
        let public = Outbound::public_only();
        assert!(public.allows("1.1.1.1".parse().unwrap()));
        for refused in ["127.0.0.1", "10.1.2.3", "192.168.1.1", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"] {
            assert!(!public.allows(refused.parse().unwrap()), "{refused}");
        }
    }

    #[test]
    fn an_allowed_block_opens_that_block_only() {
        let lan = Outbound::allowing("10.0.0.0/8, 127.0.0.1").unwrap();
        assert!(lan.allows("10.9.9.9".parse().unwrap()));
        assert!(lan.allows("127.0.0.1".parse().unwrap()));
        assert!(!lan.allows("127.0.0.2".parse().unwrap()));
        assert!(!lan.allows("169.254.169.254".parse().unwrap()));
        let err = Outbound::allowing("10.0.0.0/8, intranet").unwrap_err();
        assert!(err.contains("\"intranet\""), "{err}");
    }

    #[tokio::test]
    async fn a_typed_server_is_checked_by_its_addresses() {
        let public = Outbound::public_only();
        let err = public.check_server("http://localhost:2583").await.unwrap_err();
        assert!(err.contains("localhost is at") && err.contains("RELAIS_OUTBOUND_ALLOW"), "{err}");
        let err = public.check_server("http://169.254.169.254/latest/meta-data").await.unwrap_err();
        assert!(err.contains("169.254.169.254"), "{err}");
        assert!(public.check_server("ftp://example.org").await.unwrap_err().contains("https://"));
        assert!(public.check_server("pas une adresse").await.unwrap_err().contains("not a web address"));
        let loopback = Outbound::allowing("127.0.0.0/8, ::1").unwrap();
        assert_eq!(loopback.check_server("http://localhost:2583").await, Ok(()));
    }

    /// A real server on loopback: the guarded client cannot reach it by name or by address
    /// unless loopback is allowed.
    #[tokio::test]
    async fn a_guarded_client_does_not_connect_to_refused_addresses() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut buf = [0u8; 1024];
                    let _ = socket.read(&mut buf).await;
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
                });
            }
        });
        let public = Outbound::public_only();
        let client = public.guard(reqwest::Client::builder()).build().unwrap();
        let by_name = client.get(format!("http://localhost:{port}/")).send().await.unwrap_err();
        let refusal = refusal_in(&by_name).unwrap_or_else(|| panic!("not the policy's refusal: {by_name:?}"));
        assert!(refusal.contains("localhost is at") && refusal.contains("private or reserved address"), "{refusal}");
        let literal: reqwest::Url = format!("http://127.0.0.1:{port}/").parse().unwrap();
        assert!(public.check_literal(&literal).is_err());

        let loopback = Outbound::allowing("127.0.0.0/8, ::1").unwrap();
        let client = loopback.guard(reqwest::Client::builder()).build().unwrap();
        assert_eq!(client.get(format!("http://localhost:{port}/")).send().await.unwrap().text().await.unwrap(), "ok");
        assert!(loopback.check_literal(&literal).is_ok());
    }
}
