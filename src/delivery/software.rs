//! Learning what software each destination host runs, from its NodeInfo, so that a new post
//! goes out once to the Lemmy family and twice to microblogs (`domain::software`).
//!
//! A task of each `cohort serve` process leases due hosts (`storage::software::claim_due`:
//! new destination hosts at once, known ones daily, failed ones hourly), reads
//! `/.well-known/nodeinfo` and the 2.x document it links to on the same host, and records the
//! software's name; the queue then skips the `microblog_only` activities for destinations of
//! software that does not need them. Every fetch goes through the delivery client's rules (no
//! internal addresses, no redirects), with a time limit and a size limit: NodeInfo that is
//! slow, huge, malformed or elsewhere teaches nothing, and the host keeps getting both
//! deliveries. Deliveries never wait for it.

use std::time::Duration;

use futures::StreamExt;
use reqwest::header;
use serde_json::Value;
use url::Url;

use crate::{
    domain::{now, software},
    services::Services,
    storage::{self, software::Learnt},
};

/// How often an idle process looks for hosts to check.
const POLL: Duration = Duration::from_secs(2);
/// Hosts leased per round.
const PER_ROUND: u64 = 32;
/// Hosts checked at once.
const AT_ONCE: usize = 8;
/// Time limit for each NodeInfo request.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Size limit for each NodeInfo document.
pub const MAX_BYTES: usize = 64 * 1024;
/// A leased host is due again after this, if its check never finished.
const LEASE: chrono::Duration = chrono::Duration::minutes(2);
/// A host's software is read again after this.
const REFRESH: chrono::Duration = chrono::Duration::days(1);
/// A host whose NodeInfo could not be read is tried again after this.
const RETRY: chrono::Duration = chrono::Duration::hours(1);

/// The NodeInfo schemas read, newest first.
const SCHEMAS: &[&str] = &[
    "http://nodeinfo.diaspora.software/ns/schema/2.2",
    "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "http://nodeinfo.diaspora.software/ns/schema/2.0",
];

/// Runs until aborted: checks due hosts, or waits [`POLL`].
pub async fn learn(ctx: Services, client: reqwest::Client, debug: bool) {
    loop {
        let t = now();
        match storage::software::claim_due(&ctx.db, t, t + LEASE, PER_ROUND).await {
            Ok(hosts) if !hosts.is_empty() => {
                futures::stream::iter(hosts)
                    .for_each_concurrent(AT_ONCE, |host| {
                        let (ctx, client) = (&ctx, &client);
                        async move { check(ctx, client, debug, &host).await }
                    })
                    .await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "looking for hosts to check failed"),
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn check(ctx: &Services, client: &reqwest::Client, debug: bool, host: &str) {
    let learnt = match nodeinfo(client, host, debug).await {
        Ok(l) => {
            tracing::debug!(host, software = %l.software, "software learnt");
            Some(l)
        }
        Err(e) => {
            tracing::info!(host, error = %e, "NodeInfo not read; both deliveries of a post go");
            None
        }
    };
    let t = now();
    let next = t + if learnt.is_some() { REFRESH } else { RETRY };
    if let Err(e) = storage::software::record(&ctx.db, host, learnt.as_ref(), t, next).await {
        // The lease runs out and the host is checked again.
        tracing::warn!(host, error = %e, "recording a host's software failed");
    }
}

/// Reads the software of `host` (`host[:port]`) from its NodeInfo: over https (http only in
/// debug mode), the document linked from `/.well-known/nodeinfo` on the same host.
pub async fn nodeinfo(client: &reqwest::Client, host: &str, debug: bool) -> Result<Learnt, String> {
    let scheme = if debug { "http" } else { "https" };
    let well_known = Url::parse(&format!("{scheme}://{host}/.well-known/nodeinfo"))
        .map_err(|e| format!("not a host: {e}"))?;
    let links = get_json(client, &well_known, debug).await?;
    let href = SCHEMAS
        .iter()
        .find_map(|schema| {
            links["links"].as_array()?.iter().find_map(|l| {
                (l["rel"].as_str()? == *schema)
                    .then(|| l["href"].as_str())
                    .flatten()
            })
        })
        .ok_or("no NodeInfo 2.x link")?;
    let href = Url::parse(href).map_err(|e| format!("NodeInfo link: {e}"))?;
    if href.scheme() != well_known.scheme()
        || href.host_str() != well_known.host_str()
        || href.port_or_known_default() != well_known.port_or_known_default()
    {
        return Err(format!("NodeInfo link to another place: {href}"));
    }
    let doc = get_json(client, &href, debug).await?;
    let name = doc["software"]["name"]
        .as_str()
        .and_then(software::normalise_name)
        .ok_or("no software name")?;
    Ok(Learnt {
        single_delivery: software::one_delivery_is_enough(&name),
        version: doc["software"]["version"]
            .as_str()
            .and_then(software::normalise_version),
        software: name,
    })
}

/// GETs `url` as JSON within [`TIMEOUT`] and [`MAX_BYTES`].
async fn get_json(client: &reqwest::Client, url: &Url, debug: bool) -> Result<Value, String> {
    if !debug && super::attempt::names_internal_address(url) {
        return Err("an internal address".into());
    }
    let read = async {
        let mut resp = client
            .get(url.clone())
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("GET {url}: HTTP {}", resp.status().as_u16()));
        }
        if resp.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
            return Err(format!("GET {url}: over {MAX_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| format!("GET {url}: {e}"))? {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(format!("GET {url}: over {MAX_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: not JSON: {e}"))
    };
    tokio::time::timeout(TIMEOUT, read)
        .await
        .map_err(|_| format!("GET {url}: no answer in {} s", TIMEOUT.as_secs()))?
}

#[cfg(test)]
mod tests {
    use super::nodeinfo;

    #[tokio::test]
    async fn internal_addresses_are_never_asked() {
        crate::install_crypto_provider();
        let client = reqwest::Client::new();
        for host in [
            "127.0.0.1:9",
            "10.0.0.1",
            "169.254.169.254",
            "[::1]:9",
            "[fd00::1]",
        ] {
            let e = nodeinfo(&client, host, false).await.unwrap_err();
            assert_eq!(e, "an internal address", "{host}");
        }
        let e = nodeinfo(&client, "not a host/", false).await.unwrap_err();
        assert!(e.starts_with("not a host"), "{e}");
    }
}
