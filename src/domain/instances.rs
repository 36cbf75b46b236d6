//! Instance policy: which other instances this one refuses to federate with.
//!
//! A block names a host (`example.org`: that host and every subdomain, on any port, as
//! Mastodon's domain blocks do) or one authority (`example.org:8443`: that port only).
//! A blocked instance's inbound activities are refused, its actors and objects are neither
//! fetched nor stored, and nothing is delivered to it (`inbox`,
//! `federation::actors`, `federation::objects`, `delivery::attempt`).

use crate::error::Code;
use std::collections::HashSet;

use super::{Ctx, now};
use crate::{
    config::FederationPolicy,
    error::{Error, Result},
    storage::{self, entities::instance_blocks, snapshot::HostSnapshot},
};

/// Whether `authority` (`host` or `host:port`, lowercase) is covered by one of `blocked`.
pub fn is_blocked(blocked: &HashSet<String>, authority: &str) -> bool {
    if blocked.is_empty() {
        return false;
    }
    if blocked.contains(authority) {
        return true;
    }
    // Strip a port (IPv6 literals keep their brackets), then walk up the parent domains.
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    let mut rest = host;
    loop {
        if blocked.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

/// The lowercase `host[:port]` of `url` (the port only when it is not the scheme's default).
pub fn authority(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Reads what an admin typed (`example.org`, `Example.ORG:8443`, `https://example.org/…`,
/// `@user@example.org`) as the lowercase authority to block.
pub fn parse_host(input: &str) -> Result<String> {
    let bad = || {
        Error::invalid(
            "host",
            "expected a host name such as example.org (optionally with :port)",
        )
    };
    let trimmed = input.trim();
    // A handle's host follows its last `@`; a URL may have `@` in its path (Mastodon's
    // `/@user`), so its host comes from the URL itself.
    let trimmed = if trimmed.contains("://") {
        trimmed
    } else {
        trimmed.rsplit_once('@').map_or(trimmed, |(_, h)| h)
    };
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|_| bad())?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) if d.contains('.') || d == "localhost" => d.to_string(),
        Some(url::Host::Domain(_)) | None => return Err(bad()),
        Some(h) => h.to_string(),
    };
    if !trimmed.contains("://") && (url.path() != "/" || url.query().is_some()) {
        return Err(bad());
    }
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// The instances this one does not federate with under its policy (blocked ones, or under
/// the allowlist policy every one not allowed), as of at most
/// [`storage::snapshot::REFRESH`] ago, so that checking every inbound activity and every
/// delivery costs no query.
#[derive(Debug)]
pub struct BlockedInstances {
    blocks: HostSnapshot,
    allows: HostSnapshot,
    policy: FederationPolicy,
    own: String,
}

/// Whether `ip` is an address no federation request may reach outside debug mode: loopback,
/// private, shared (CGNAT), link-local (cloud metadata), unspecified, broadcast, multicast,
/// documentation and benchmarking ranges, IPv6 unique-local and link-local, and IPv4
/// addresses embedded in IPv6.
pub fn is_internal_ip(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, _, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_ip(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Whether `host` resolves to an internal address ([`is_internal_ip`]); false when it does
/// not resolve at all.
pub async fn resolves_internal(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    match tokio::net::lookup_host((host, 443)).await {
        Ok(addrs) => addrs.into_iter().any(|a| is_internal_ip(a.ip())),
        Err(_) => false,
    }
}

impl BlockedInstances {
    /// The policy `policy` for an instance at `own` (never refused itself).
    pub fn new(policy: FederationPolicy, own: &str) -> Self {
        Self {
            blocks: HostSnapshot::new(storage::blocks::hosts),
            allows: HostSnapshot::new(storage::blocks::allowed_hosts),
            policy,
            own: own.to_ascii_lowercase(),
        }
    }

    /// Why `authority` is refused, if it is: `instance_blocked` or `instance_not_allowed`.
    pub async fn refusal(&self, db: &crate::storage::Db, authority: &str) -> Result<Option<Code>> {
        if authority == self.own {
            return Ok(None);
        }
        match self.policy {
            FederationPolicy::Open => Ok(None),
            FederationPolicy::Blocklist => Ok(is_blocked(&*self.blocks.get(db).await?, authority)
                .then_some(Code::InstanceBlocked)),
            FederationPolicy::Allowlist => {
                if is_blocked(&*self.blocks.get(db).await?, authority) {
                    Ok(Some(Code::InstanceBlocked))
                } else if !is_blocked(&*self.allows.get(db).await?, authority) {
                    Ok(Some(Code::InstanceNotAllowed))
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Whether `authority` is refused under the policy.
    pub async fn contains(&self, db: &crate::storage::Db, authority: &str) -> Result<bool> {
        Ok(self.refusal(db, authority).await?.is_some())
    }

    /// `Err(403 instance_blocked)` when the server of `url` is blocked.
    pub async fn refuse(&self, db: &crate::storage::Db, url: &url::Url) -> Result<()> {
        match authority(url) {
            Some(a) => self.refuse_authority(db, &a).await,
            None => Ok(()),
        }
    }

    /// `Err(403 instance_blocked)` when `authority` is blocked.
    pub async fn refuse_authority(&self, db: &crate::storage::Db, authority: &str) -> Result<()> {
        match self.refusal(db, authority).await? {
            Some(Code::InstanceBlocked) => Err(Error::Refused {
                code: Code::InstanceBlocked,
                message: format!("{authority} is blocked by this instance"),
            }),
            Some(code) => Err(Error::Refused {
                code,
                message: format!(
                    "this instance federates only with the instances it allows, not {authority}"
                ),
            }),
            None => Ok(()),
        }
    }

    /// Forgets the cached copies (this process changed the blocks or the allowlist).
    pub fn invalidate(&self) {
        self.blocks.invalidate();
        self.allows.invalidate();
    }
}

/// Blocks `input` (see [`parse_host`]); returns the host and whether it was new.
pub async fn block(ctx: &Ctx, input: &str, reason: Option<&str>) -> Result<(String, bool)> {
    let host = parse_host(input)?;
    if is_blocked(&HashSet::from([host.clone()]), &ctx.instance.domain) {
        return Err(Error::invalid("host", "this instance cannot block itself"));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let new = storage::blocks::add(&ctx.db, &host, reason, now()).await?;
    ctx.blocked.invalidate();
    Ok((host, new))
}

/// Lifts the block on `input`; returns the host, or 404 when it was not blocked.
pub async fn unblock(ctx: &Ctx, input: &str) -> Result<String> {
    let host = parse_host(input)?;
    if !storage::blocks::remove(&ctx.db, &host).await? {
        return Err(Error::NotFound("blocked instance"));
    }
    ctx.blocked.invalidate();
    Ok(host)
}

/// Allows `input` (see [`parse_host`]) under the allowlist policy; returns the host and
/// whether it was new.
pub async fn allow(ctx: &Ctx, input: &str) -> Result<(String, bool)> {
    let host = parse_host(input)?;
    let new = storage::blocks::allow(&ctx.db, &host, now()).await?;
    ctx.blocked.invalidate();
    Ok((host, new))
}

/// Takes `input` off the allowlist; returns the host, or 404 when it was not on it.
pub async fn disallow(ctx: &Ctx, input: &str) -> Result<String> {
    let host = parse_host(input)?;
    if !storage::blocks::disallow(&ctx.db, &host).await? {
        return Err(Error::NotFound("allowed instance"));
    }
    ctx.blocked.invalidate();
    Ok(host)
}

/// Every block.
pub async fn blocks(ctx: &Ctx) -> Result<Vec<instance_blocks::Model>> {
    Ok(storage::blocks::list(&ctx.db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "::ffff:127.0.0.1",
            "::",
            "2001:db8::1",
        ] {
            assert!(is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn a_host_blocks_its_subdomains_and_ports_an_authority_only_itself() {
        let set: HashSet<String> = ["bad.example".into(), "one.example:8443".into()].into();
        for yes in [
            "bad.example",
            "bad.example:443",
            "social.bad.example",
            "a.b.bad.example:8080",
            "one.example:8443",
        ] {
            assert!(is_blocked(&set, yes), "{yes}");
        }
        for no in [
            "notbad.example",
            "example",
            "bad.example.org",
            "one.example",
            "one.example:443",
            "good.example",
        ] {
            assert!(!is_blocked(&set, no), "{no}");
        }
    }

    #[test]
    fn hosts_are_read_as_admins_type_them() {
        for (input, host) in [
            ("Bad.Example", "bad.example"),
            (" bad.example ", "bad.example"),
            ("bad.example:8443", "bad.example:8443"),
            ("https://bad.example/u/someone", "bad.example"),
            ("https://Bad.Example/@someone", "bad.example"),
            ("@spammer@Bad.Example", "bad.example"),
            ("localhost:8081", "localhost:8081"),
            ("bücher.example", "xn--bcher-kva.example"),
        ] {
            assert_eq!(parse_host(input).unwrap(), host, "{input}");
        }
        for bad in ["", "nodots", "bad.example/path", "http://", "a b.example"] {
            assert!(parse_host(bad).is_err(), "{bad:?}");
        }
    }
}
