//! What happens to accounts: one deleted on its server is erased here.

use super::Unit;
use crate::{
    domain::now,
    error::Result,
    federation::{outbox, protocol::content::GroupActivity},
    services::Services,
    storage,
};

/// A remote account deleted on its server: what it wrote becomes tombstones, its follows and
/// boosts end (`storage::persons::erase_remote`). When its own server told us (`relay`: its
/// `Delete`), the groups here that carried its content pass that on to their followers, whose
/// copies came from the group; erased and relayed in one unit.
pub async fn erase_remote(
    ctx: &Services,
    person_id: i64,
    relay: Option<GroupActivity>,
) -> Result<storage::persons::Erased> {
    let unit = Unit::begin(ctx).await?;
    let c = unit.ctx();
    let erased = storage::persons::erase_remote(&c.db, person_id, now()).await?;
    if let Some(deletion) = relay {
        for group_id in &erased.groups {
            if let Some(group) = storage::groups::find(&c.db, *group_id).await?
                && group.local
            {
                outbox::announce(c, &group, deletion.clone(), None).await?;
            }
        }
    }
    unit.commit().await?;
    Ok(erased)
}
