//! Single sign-on, the rules: who may come in through a provider, and as whom.
//!
//! A sign-in the provider vouched for ([`Verified`], its ID token checked by `crate::sso`) signs in
//! the account linked to that subject; else, when the provider is trusted to link by address
//! (`link_by_email`) and vouches for the address, the account with that address, which is
//! then linked; else it is a sign-up, under the registration rules (open, or approval: the
//! account waits; invite and closed take none), with a name proposed from the configured
//! claim and confirmed by the person. A provider limited to e-mail domains admits only
//! verified addresses in them. Sessions are the same as after a password sign-in, so the
//! API's bearer tokens work the same.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::{
    Ctx,
    accounts::{self, Extra},
    hex,
    names::Username,
    now, random_hex,
};
use crate::{
    config::{OidcProviderConfig, RegistrationMode},
    error::{Code, Error, Result},
    storage,
};

/// How long a person has to choose their name after the provider vouched for them.
pub const NAME_MINUTES: i64 = 15;

/// What the provider vouched for, its ID token checked.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The provider's id in the configuration.
    pub provider: String,
    /// `sub`.
    pub subject: String,
    /// `email`, lowercased.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: bool,
    /// The configured claim's value, to propose a name from.
    pub name_claim: Option<String>,
    /// Where to go afterwards (a local path).
    pub next: String,
}

/// What a sign-in through a provider comes to.
#[derive(Debug)]
pub enum Outcome {
    /// Signed in: the session's token, and where to go.
    SignedIn {
        /// The bearer token (the web puts it in the session cookie).
        token: String,
        /// A local path.
        next: String,
    },
    /// A new person: they confirm the name proposed (`ticket` names what the provider said).
    ChooseName {
        /// The single-use ticket for [`finish_signup`].
        ticket: String,
        /// The name proposed.
        proposed: String,
    },
}

/// What a sign-up through a provider comes to.
#[derive(Debug)]
pub enum Joined {
    /// Signed in at once.
    SignedIn {
        /// The bearer token.
        token: String,
        /// A local path.
        next: String,
    },
    /// The account waits for an administrator's approval.
    Pending,
    /// The instance requires a confirmed address and the provider did not vouch for this
    /// one: a confirmation link was mailed to it, and the account signs in once it is opened.
    Unconfirmed {
        /// The address the link went to.
        email: String,
    },
}

fn refused(message: impl Into<String>) -> Error {
    Error::refused(Code::SsoRefused, message)
}

fn ticket_hash(ticket: &str) -> String {
    hex(&Sha256::digest(ticket.as_bytes()))
}

fn in_domains(email: &str, domains: &[String]) -> bool {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    domains.iter().any(|d| {
        let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        domain == d || domain.ends_with(&format!(".{d}"))
    })
}

/// A name that fits the rules (`[a-z0-9_]{3,32}`) made from a claim: an address's local part,
/// lowercased, other characters as `_`.
pub fn propose_name(claim: Option<&str>) -> String {
    let raw = claim.unwrap_or_default();
    let local = raw.split('@').next().unwrap_or_default();
    let mut name: String = local
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    name = name.trim_matches('_').chars().take(32).collect();
    while name.len() < 3 {
        name.push('_');
        if name.trim_matches('_').is_empty() {
            name = "member".into();
        }
    }
    name
}

async fn free_name(ctx: &Ctx, base: &str) -> Result<String> {
    for n in 0..20 {
        let candidate = if n == 0 {
            base.to_string()
        } else {
            let suffix = (n + 1).to_string();
            let keep = 32 - suffix.len();
            format!("{}{suffix}", &base[..base.len().min(keep)])
        };
        if storage::persons::find_local_account(&ctx.db, &candidate)
            .await?
            .is_none()
        {
            return Ok(candidate);
        }
    }
    Ok(base.to_string())
}

/// Signs in the person `verified` names, or starts their sign-up.
pub async fn sign_in(
    ctx: &Ctx,
    provider: &OidcProviderConfig,
    verified: Verified,
) -> Result<Outcome> {
    let email = verified.email.clone().filter(|_| verified.email_verified);
    if !provider.email_domains.is_empty() {
        let allowed = email
            .as_deref()
            .is_some_and(|e| in_domains(e, &provider.email_domains));
        if !allowed {
            return Err(refused(format!(
                "sign-in through {} is only for verified addresses at {}; {} gave {}",
                provider.name,
                provider.email_domains.join(", "),
                provider.name,
                verified.email.as_deref().unwrap_or("no address")
            )));
        }
    }
    let t = now();
    if let Some(identity) = storage::sso::identity(&ctx.db, &provider.id, &verified.subject).await?
    {
        let user = storage::persons::find_local_user(&ctx.db, identity.local_user_id)
            .await?
            .ok_or(Error::NotFound("account"))?;
        let token = accounts::open_session(ctx, &user).await?;
        storage::sso::touch(&ctx.db, identity.id, verified.email.as_deref(), t).await?;
        return Ok(Outcome::SignedIn {
            token,
            next: verified.next,
        });
    }
    if provider.link_by_email
        && let Some(email) = email.as_deref()
        && let Some(user) = storage::mail::user_by_email(&ctx.db, email).await?
    {
        storage::sso::link(
            &ctx.db,
            user.id,
            &provider.id,
            &verified.subject,
            Some(email),
            t,
        )
        .await?;
        storage::mail::mark_verified(&ctx.db, user.id, email, t).await?;
        let token = accounts::open_session(ctx, &user).await?;
        return Ok(Outcome::SignedIn {
            token,
            next: verified.next,
        });
    }
    match ctx.instance.registration {
        RegistrationMode::Open | RegistrationMode::Approval => {}
        RegistrationMode::Invite | RegistrationMode::Closed => {
            return Err(refused(format!(
                "{} vouched for you, but this instance takes no sign-ups: ask an administrator to create your account",
                provider.name
            )));
        }
    }
    let proposed = free_name(ctx, &propose_name(verified.name_claim.as_deref())).await?;
    let ticket = random_hex(32);
    storage::sso::hold_claims(
        &ctx.db,
        &ticket_hash(&ticket),
        &provider.id,
        &verified.subject,
        verified.email.as_deref(),
        verified.email_verified,
        &proposed,
        &verified.next,
        t,
        t + Duration::minutes(NAME_MINUTES),
    )
    .await?;
    Ok(Outcome::ChooseName { ticket, proposed })
}

/// Creates the account of the person under `ticket`, named `username`, linked to their
/// identity at the provider; signs them in unless it waits for approval.
pub async fn finish_signup(ctx: &Ctx, ticket: &str, username: &str) -> Result<Joined> {
    let name = Username::parse(username.trim())?;
    let hash = ticket_hash(ticket);
    let held = storage::sso::take(&ctx.db, &hash, now())
        .await?
        .filter(|r| r.subject.is_some())
        .ok_or_else(|| {
            refused("this sign-up is unknown, used or expired: start again from the log-in page")
        })?;
    let subject = held.subject.clone().unwrap_or_default();
    let email = held.email.clone();
    let checked_email = match email.as_deref() {
        Some(e) => accounts::check_email(e, &ctx.instance.email_domains).ok(),
        None => None,
    };
    if checked_email.is_none() && !ctx.instance.email_domains.is_empty() {
        return Err(refused(format!(
            "sign-up here needs an address at {}",
            ctx.instance.email_domains.join(", ")
        )));
    }
    let approval = ctx.instance.registration == RegistrationMode::Approval;
    let extra = Extra {
        email: checked_email.clone(),
        application: approval.then(|| format!("Signed in through {}", held.provider)),
        approved: !approval,
        invite_hash: None,
    };
    // No password works for this account: it signs in through the provider.
    let password = random_hex(32);
    let person = match accounts::create_with(ctx, name.as_str(), &password, false, extra).await {
        Ok(p) => p,
        Err(e) => {
            // The name was taken (or refused): the person may try another with the same
            // ticket.
            let t = now();
            storage::sso::hold_claims(
                &ctx.db,
                &hash,
                &held.provider,
                &subject,
                email.as_deref(),
                held.email_verified,
                held.proposed_name.as_deref().unwrap_or(name.as_str()),
                &held.next,
                t,
                held.expires_at,
            )
            .await?;
            return Err(e);
        }
    };
    let user = storage::mail::user_of_person(&ctx.db, person.id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    let t = now();
    storage::sso::link(
        &ctx.db,
        user.id,
        &held.provider,
        &subject,
        email.as_deref(),
        t,
    )
    .await?;
    let vouched = held.email_verified && checked_email.is_some();
    if vouched && let Some(e) = checked_email.as_deref() {
        storage::mail::mark_verified(&ctx.db, user.id, e, t).await?;
    } else if checked_email.is_some() {
        // An address the provider did not vouch for is confirmed like any given at sign-up.
        super::mail::send_verification(ctx, &user, name.as_str()).await?;
    }
    if approval {
        return Ok(Joined::Pending);
    }
    if let (false, true, Some(email)) = (vouched, ctx.instance.verify_email, checked_email) {
        return Ok(Joined::Unconfirmed { email });
    }
    let user = storage::persons::find_local_user(&ctx.db, user.id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    Ok(Joined::SignedIn {
        token: accounts::open_session(ctx, &user).await?,
        next: held.next,
    })
}

/// One linked identity, for `cohort admin identities`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IdentityLine {
    /// The account's name.
    pub username: String,
    /// The provider's id.
    pub provider: String,
    /// The provider's subject.
    pub subject: String,
    /// The address it gave last.
    pub email: Option<String>,
    /// The last sign-in through it.
    pub last_login_at: chrono::DateTime<chrono::Utc>,
}

/// Every linked identity.
pub async fn identities(ctx: &Ctx) -> Result<Vec<IdentityLine>> {
    let mut out = Vec::new();
    for i in storage::sso::list(&ctx.db).await? {
        let Some(user) = storage::persons::find_local_user(&ctx.db, i.local_user_id).await? else {
            continue;
        };
        let username = storage::persons::find(&ctx.db, user.person_id)
            .await?
            .map(|p| p.username)
            .unwrap_or_default();
        out.push(IdentityLine {
            username,
            provider: i.provider,
            subject: i.subject,
            email: i.email,
            last_login_at: i.last_login_at,
        });
    }
    Ok(out)
}

/// Unlinks account `username` from `provider` (its next sign-in there is a sign-up, or a
/// link by address).
pub async fn unlink(ctx: &Ctx, username: &str, provider: &str) -> Result<()> {
    let name = Username::parse(username)?;
    let (_, user) = storage::persons::find_local_account(&ctx.db, name.as_str())
        .await?
        .ok_or(Error::NotFound("account"))?;
    if storage::sso::unlink(&ctx.db, user.id, provider).await? == 0 {
        return Err(Error::NotFound("identity"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_proposed_within_the_rules() {
        assert_eq!(propose_name(Some("Ann.Lee@example.org")), "ann_lee");
        assert_eq!(propose_name(Some("jo")), "jo_");
        assert_eq!(propose_name(Some("!!")), "member");
        assert_eq!(propose_name(None), "member");
        assert_eq!(propose_name(Some(&"x".repeat(50))).len(), 32);
        for n in ["ann_lee", "jo_", "member"] {
            assert!(Username::parse(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn domains_include_subdomains_only() {
        let d = vec!["example.org".to_string()];
        assert!(in_domains("a@example.org", &d));
        assert!(in_domains("a@dept.example.org", &d));
        assert!(!in_domains("a@badexample.org", &d));
        assert!(!in_domains("a@example.org.evil", &d));
    }
}
