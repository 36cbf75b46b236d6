//! Indexes on the activity ids kept with votes and follows, so an `Undo` that names what it
//! withdraws by id only (Mitra sends `"object": "<Like id>"`) finds it without a table scan.
//! The columns exist since the first migrations (`post_votes.ap_id`, `reply_votes.ap_id`,
//! `group_followers.follow_ap_id`); boosts are keyed by their id already.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PostVotes {
    Table,
    ApId,
}

#[derive(DeriveIden)]
enum ReplyVotes {
    Table,
    ApId,
}

#[derive(DeriveIden)]
enum GroupFollowers {
    Table,
    FollowApId,
}

/// (index name, table, column).
fn indexes() -> [(&'static str, DynIden, DynIden); 3] {
    [
        (
            "idx_post_votes_ap_id",
            PostVotes::Table.into_iden(),
            PostVotes::ApId.into_iden(),
        ),
        (
            "idx_reply_votes_ap_id",
            ReplyVotes::Table.into_iden(),
            ReplyVotes::ApId.into_iden(),
        ),
        (
            "idx_group_followers_follow_ap_id",
            GroupFollowers::Table.into_iden(),
            GroupFollowers::FollowApId.into_iden(),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, col) in indexes() {
            m.create_index(Index::create().name(name).table(table).col(col).take())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
