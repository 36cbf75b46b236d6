//! Knowledge-base pages received (wire types in `federation::protocol::pages`).
//!
//! - Delivered by its actor to a group hosted here: a member's `Create`/`Update{Article}`,
//!   which `usecases::pages::receive_remote` stores and relays, or refuses with `Reject`.
//! - Announced by the group hosted elsewhere that keeps the page: the copy here follows it
//!   (`usecases::pages::mirror_remote`). Only the page's own group may announce it: its id
//!   must be `{group id}/pages/{slug}`. An activity announced in the name of a person here
//!   is taken only when it is the proposal they sent (by its id).
//! - `Reject` from the group a person here sent a proposal to: marked refused, text kept.

use activitypub_federation::{
    config::Data, fetch::object_id::ObjectId, protocol::verification::verify_urls_match,
    traits::Activity,
};
use async_trait::async_trait;
use std::collections::HashMap;
use url::Url;

use super::content::Via;
use crate::{
    domain::pages::{self, Incoming, Mirrored, Past, slug_in},
    error::{Code, Error, Result},
    federation::{
        self,
        actors::{DbPerson, authority},
        protocol::{
            content::CreateOrUpdateKind,
            pages::{Article, PageActivity, Reject},
        },
    },
    services::Services,
    storage, usecases,
};

/// Checks that hold wherever a page activity arrives from: it names its group once, and a
/// new page is written by its actor.
pub fn verify(a: &PageActivity) -> Result<()> {
    verify_urls_match(&a.audience, &a.object.audience)?;
    if a.kind == CreateOrUpdateKind::Create {
        verify_urls_match(a.actor.inner(), &a.object.attributed_to)?;
    }
    Ok(())
}

fn invalid(message: &str) -> Error {
    Error::refused(Code::InvalidActivity, message)
}

/// The page's markdown: Cohort keeps a page's source, so an `Article` without markdown is
/// not one of our pages.
fn markdown(article: &Article) -> Result<String> {
    if article.source.media_type != "text/markdown" {
        return Err(Error::refused(
            Code::InvalidObject,
            "a page's source is markdown (text/markdown)",
        ));
    }
    Ok(article.source.content.clone())
}

/// A page activity, delivered by its actor or announced by the page's group.
pub async fn receive(data: &Data<Services>, a: PageActivity, via: Via<'_>) -> Result<()> {
    let Some(group) = storage::groups::find_by_ap_id(&data.db, a.audience.as_str()).await? else {
        // No group of ours, nor one anyone here follows.
        return Ok(());
    };
    let slug = slug_in(&group.ap_id, a.object.id.as_str())
        .ok_or_else(|| invalid("the page is not one of its group's (`{group}/pages/{slug}`)"))?;
    match via {
        Via::Direct => {
            if !group.local {
                return Err(invalid("send this to the group's own server"));
            }
            let person = a.actor.dereference(data).await?.model;
            let incoming = Incoming {
                slug,
                new_page: a.kind == CreateOrUpdateKind::Create,
                base_revision: a.object.base_revision,
                title: a.object.name.clone(),
                body: markdown(&a.object)?,
                summary: a.object.edit_summary.clone().unwrap_or_default(),
                locked: a.object.locked,
                removed: a.object.removed,
            };
            usecases::pages::receive_remote(data, &group, &person, incoming, a).await
        }
        Via::Announced(announcer) => {
            if group.local || group.ap_id != announcer {
                return Err(invalid("the group announced another group's page"));
            }
            mirror(data, &group, slug, a).await
        }
    }
}

async fn mirror(
    data: &Data<Services>,
    group: &storage::entities::groups::Model,
    slug: String,
    a: PageActivity,
) -> Result<()> {
    let ours = authority(a.actor.inner()).is_ok_and(|h| h == data.instance.domain);
    let author = if ours {
        // Relayed in the name of a person here: only the edit they sent.
        let person = storage::persons::find_by_ap_id(&data.db, a.actor.inner().as_str())
            .await?
            .filter(|p| p.local)
            .ok_or_else(|| invalid("a relayed page activity of no one here"))?;
        match pages::proposal(data, a.id.as_str()).await? {
            Some((p, g)) if p.person_id == person.id && g.id == group.id && p.slug == slug => {}
            _ => {
                return Err(invalid(
                    "a relayed page activity speaking for this instance that it did not send",
                ));
            }
        }
        person
    } else {
        a.actor.dereference(data).await?.model
    };
    // The page's writer; an account since gone (the group names itself) reads as the author.
    let creator = if a.object.attributed_to == *a.actor.inner() {
        author.clone()
    } else {
        match ObjectId::<DbPerson>::from(a.object.attributed_to.clone())
            .dereference(data)
            .await
        {
            Ok(p) => p.model,
            Err(e) => {
                tracing::debug!(creator = %a.object.attributed_to, error = %e,
                    "a page's writer could not be read; the author stands in");
                author.clone()
            }
        }
    };
    let home = format!("{}://{}", a.object.id.scheme(), authority(&a.object.id)?);
    let o = &a.object;
    let mirrored = Mirrored {
        slug,
        revision: o.revision,
        title: o.name.clone(),
        body: markdown(o)?,
        summary: o.edit_summary.clone().unwrap_or_default(),
        reverts: o.reverts,
        locked: o.locked,
        removed: o.removed,
        removed_revisions: o.removed_revisions.clone(),
        published: o.published,
        updated: o.updated,
        home,
    };
    let past = missed(data, group, &mirrored.slug, o, &author).await;
    let proposal = ours.then(|| a.id.to_string());
    usecases::pages::mirror_remote(
        data,
        group,
        &author,
        &creator,
        mirrored,
        &past,
        proposal.as_deref(),
    )
    .await
}

/// The older revisions a copy here lacks (the page is new here at a revision above 1, or
/// revisions were missed), read from the page's history at its home; authors fetched
/// (`fallback` when one cannot be). A failure leaves the history with a gap, never the page
/// unsaved.
async fn missed(
    data: &Data<Services>,
    group: &storage::entities::groups::Model,
    slug: &str,
    article: &Article,
    fallback: &storage::entities::persons::Model,
) -> Vec<Past> {
    let known = match storage::pages::find(&data.db, group.id, slug).await {
        Ok(Some(p)) => p.revision,
        Ok(None) => 0,
        Err(_) => return vec![],
    };
    if article.revision <= known + 1 {
        return vec![];
    }
    let revisions = match federation::pages::fetch_history(data, article, article.revision).await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(page = %article.id, error = %e, "a page's history could not be read");
            return vec![];
        }
    };
    let mut authors: HashMap<Url, storage::entities::persons::Model> = HashMap::new();
    let mut out = vec![];
    for r in revisions.into_iter().filter(|r| r.number > known) {
        let author = match &r.attributed_to {
            Some(id) if !authors.contains_key(id) && authors.len() < MAX_AUTHORS => {
                match ObjectId::<DbPerson>::from(id.clone())
                    .dereference(data)
                    .await
                {
                    Ok(p) => {
                        authors.insert(id.clone(), p.model.clone());
                        p.model
                    }
                    Err(_) => fallback.clone(),
                }
            }
            Some(id) => authors.get(id).cloned().unwrap_or_else(|| fallback.clone()),
            None => fallback.clone(),
        };
        let text = !r.removed;
        out.push(Past {
            number: r.number,
            author,
            title: r.name.filter(|_| text),
            body: r.source.map(|s| s.content).filter(|_| text),
            summary: r.edit_summary.unwrap_or_default(),
            reverts: r.reverts,
            published: r.published,
        });
    }
    out
}

/// Most distinct authors fetched while reading a page's history.
const MAX_AUTHORS: usize = 50;

#[async_trait]
impl Activity for Reject {
    type DataType = Services;
    type Error = Error;
    fn id(&self) -> &Url {
        &self.id
    }
    fn actor(&self) -> &Url {
        self.actor.inner()
    }
    async fn verify(&self, _data: &Data<Services>) -> Result<()> {
        Ok(())
    }
    async fn receive(self, data: &Data<Services>) -> Result<()> {
        // A members-only group refusing a request to join it (its `Follow`).
        if usecases::membership::follow_rejected(
            data,
            self.actor.inner().as_str(),
            self.object.id().as_str(),
        )
        .await?
        {
            return Ok(());
        }
        let Some((proposal, group)) = pages::proposal(data, self.object.id().as_str()).await?
        else {
            // Not a proposal sent from here: nothing to do.
            return Ok(());
        };
        if group.ap_id != self.actor.inner().as_str() {
            return Err(Error::forbidden(
                "only the group an edit was sent to may refuse it",
            ));
        }
        if proposal.state != pages::ProposalState::Sent.as_str() {
            return Ok(());
        }
        let why = self
            .summary
            .clone()
            .or(self.reason.clone())
            .unwrap_or_else(|| "refused by the group".into());
        usecases::pages::refused_remote(data, &proposal.activity_id, &why).await
    }
}
