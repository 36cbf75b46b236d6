//! People, accounts, sessions, groups, posts, replies and votes.
//!
//! Local and remote (federated) actors and objects share one table each: `local` tells them
//! apart and `ap_id` is the ActivityPub id, unique across both.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
    ApId,
    Username,
    Domain,
    Local,
    DisplayName,
    InboxUrl,
    SharedInboxUrl,
    PublicKey,
    PrivateKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LocalUsers {
    Table,
    Id,
    PersonId,
    PasswordHash,
    IsAdmin,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    TokenHash,
    LocalUserId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    ApId,
    Name,
    Domain,
    Local,
    Title,
    Description,
    DescriptionHtml,
    InboxUrl,
    SharedInboxUrl,
    FollowersUrl,
    PublicKey,
    PrivateKey,
    CreatorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GroupModerators {
    Table,
    GroupId,
    PersonId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    ApId,
    GroupId,
    AuthorId,
    Title,
    Body,
    BodyHtml,
    Local,
    Upvotes,
    Downvotes,
    Score,
    HotRank,
    ReplyCount,
    LastActivityAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Replies {
    Table,
    Id,
    ApId,
    PostId,
    ParentId,
    Depth,
    AuthorId,
    Body,
    BodyHtml,
    Local,
    Upvotes,
    Downvotes,
    Score,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum PostVotes {
    Table,
    PostId,
}

#[derive(DeriveIden)]
enum ReplyVotes {
    Table,
    ReplyId,
}

/// The columns both votes tables share.
#[derive(DeriveIden)]
enum VoteCols {
    PersonId,
    Value,
    ApId,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .take()
}

/// A votes table: one row per (object, person), value +1 or -1.
fn votes_table(
    table: DynIden,
    (objects, fk_col): (DynIden, DynIden),
    name: &str,
) -> TableCreateStatement {
    Table::create()
        .table(table.clone())
        .col(big_integer(fk_col.clone()))
        .col(big_integer(VoteCols::PersonId))
        .col(small_integer(VoteCols::Value))
        .col(text_null(VoteCols::ApId))
        .col(timestamp_with_time_zone(VoteCols::CreatedAt))
        .primary_key(Index::create().col(fk_col.clone()).col(VoteCols::PersonId))
        .foreign_key(&mut fk(
            &format!("fk_{name}_votes_{name}"),
            (table.clone(), fk_col),
            (objects, Alias::new("id").into_iden()),
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut fk(
            &format!("fk_{name}_votes_person"),
            (table, VoteCols::PersonId.into_iden()),
            (Persons::Table, Persons::Id),
            ForeignKeyAction::Cascade,
        ))
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Persons::Table)
                .col(big_pk_auto(Persons::Id))
                .col(text_uniq(Persons::ApId))
                .col(string(Persons::Username))
                .col(string(Persons::Domain))
                .col(boolean(Persons::Local))
                .col(text_null(Persons::DisplayName))
                .col(text_null(Persons::InboxUrl))
                .col(text_null(Persons::SharedInboxUrl))
                .col(text_null(Persons::PublicKey))
                .col(text_null(Persons::PrivateKey))
                .col(timestamp_with_time_zone(Persons::CreatedAt))
                .col(timestamp_with_time_zone(Persons::UpdatedAt))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_persons_username_domain")
                .table(Persons::Table)
                .col(Persons::Username)
                .col(Persons::Domain)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LocalUsers::Table)
                .col(big_pk_auto(LocalUsers::Id))
                .col(big_integer_uniq(LocalUsers::PersonId))
                .col(text(LocalUsers::PasswordHash))
                .col(boolean(LocalUsers::IsAdmin).default(false))
                .col(timestamp_with_time_zone(LocalUsers::CreatedAt))
                .foreign_key(&mut fk(
                    "fk_local_users_person",
                    (LocalUsers::Table, LocalUsers::PersonId),
                    (Persons::Table, Persons::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(big_pk_auto(Sessions::Id))
                .col(string_uniq(Sessions::TokenHash))
                .col(big_integer(Sessions::LocalUserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(
                    "fk_sessions_local_user",
                    (Sessions::Table, Sessions::LocalUserId),
                    (LocalUsers::Table, LocalUsers::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Groups::Table)
                .col(big_pk_auto(Groups::Id))
                .col(text_uniq(Groups::ApId))
                .col(string(Groups::Name))
                .col(string(Groups::Domain))
                .col(boolean(Groups::Local))
                .col(text(Groups::Title))
                .col(text(Groups::Description))
                .col(text(Groups::DescriptionHtml))
                .col(text_null(Groups::InboxUrl))
                .col(text_null(Groups::SharedInboxUrl))
                .col(text_null(Groups::FollowersUrl))
                .col(text_null(Groups::PublicKey))
                .col(text_null(Groups::PrivateKey))
                .col(big_integer_null(Groups::CreatorId))
                .col(timestamp_with_time_zone(Groups::CreatedAt))
                .col(timestamp_with_time_zone(Groups::UpdatedAt))
                .foreign_key(&mut fk(
                    "fk_groups_creator",
                    (Groups::Table, Groups::CreatorId),
                    (Persons::Table, Persons::Id),
                    ForeignKeyAction::SetNull,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_groups_name_domain")
                .table(Groups::Table)
                .col(Groups::Name)
                .col(Groups::Domain)
                .unique()
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(GroupModerators::Table)
                .col(big_integer(GroupModerators::GroupId))
                .col(big_integer(GroupModerators::PersonId))
                .col(timestamp_with_time_zone(GroupModerators::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(GroupModerators::GroupId)
                        .col(GroupModerators::PersonId),
                )
                .foreign_key(&mut fk(
                    "fk_group_moderators_group",
                    (GroupModerators::Table, GroupModerators::GroupId),
                    (Groups::Table, Groups::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_group_moderators_person",
                    (GroupModerators::Table, GroupModerators::PersonId),
                    (Persons::Table, Persons::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Posts::Table)
                .col(big_pk_auto(Posts::Id))
                .col(text_uniq(Posts::ApId))
                .col(big_integer(Posts::GroupId))
                .col(big_integer(Posts::AuthorId))
                .col(text(Posts::Title))
                .col(text(Posts::Body))
                .col(text(Posts::BodyHtml))
                .col(boolean(Posts::Local))
                .col(integer(Posts::Upvotes).default(0))
                .col(integer(Posts::Downvotes).default(0))
                .col(integer(Posts::Score).default(0))
                .col(double(Posts::HotRank))
                .col(integer(Posts::ReplyCount).default(0))
                .col(timestamp_with_time_zone(Posts::LastActivityAt))
                .col(timestamp_with_time_zone(Posts::CreatedAt))
                .col(timestamp_with_time_zone_null(Posts::UpdatedAt))
                .col(timestamp_with_time_zone_null(Posts::DeletedAt))
                .foreign_key(&mut fk(
                    "fk_posts_group",
                    (Posts::Table, Posts::GroupId),
                    (Groups::Table, Groups::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_posts_author",
                    (Posts::Table, Posts::AuthorId),
                    (Persons::Table, Persons::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        // One index per sort of a group's posts, so every page is an index range scan.
        for (name, col) in [
            ("ix_posts_group_new", Posts::CreatedAt),
            ("ix_posts_group_active", Posts::LastActivityAt),
            ("ix_posts_group_hot", Posts::HotRank),
            ("ix_posts_group_top", Posts::Score),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Posts::Table)
                    .col(Posts::GroupId)
                    .col(col)
                    .col(Posts::Id)
                    .take(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(Replies::Table)
                .col(big_pk_auto(Replies::Id))
                .col(text_uniq(Replies::ApId))
                .col(big_integer(Replies::PostId))
                .col(big_integer_null(Replies::ParentId))
                .col(integer(Replies::Depth))
                .col(big_integer(Replies::AuthorId))
                .col(text(Replies::Body))
                .col(text(Replies::BodyHtml))
                .col(boolean(Replies::Local))
                .col(integer(Replies::Upvotes).default(0))
                .col(integer(Replies::Downvotes).default(0))
                .col(integer(Replies::Score).default(0))
                .col(timestamp_with_time_zone(Replies::CreatedAt))
                .col(timestamp_with_time_zone_null(Replies::UpdatedAt))
                .col(timestamp_with_time_zone_null(Replies::DeletedAt))
                .foreign_key(&mut fk(
                    "fk_replies_post",
                    (Replies::Table, Replies::PostId),
                    (Posts::Table, Posts::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_replies_parent",
                    (Replies::Table, Replies::ParentId),
                    (Replies::Table, Replies::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_replies_author",
                    (Replies::Table, Replies::AuthorId),
                    (Persons::Table, Persons::Id),
                    ForeignKeyAction::Cascade,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_replies_post")
                .table(Replies::Table)
                .col(Replies::PostId)
                .col(Replies::Id)
                .take(),
        )
        .await?;

        for (table, object, name) in [
            (
                PostVotes::Table.into_iden(),
                (Posts::Table.into_iden(), PostVotes::PostId.into_iden()),
                "post",
            ),
            (
                ReplyVotes::Table.into_iden(),
                (Replies::Table.into_iden(), ReplyVotes::ReplyId.into_iden()),
                "reply",
            ),
        ] {
            m.create_table(votes_table(table, object, name)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReplyVotes::Table.into_iden(),
            PostVotes::Table.into_iden(),
            Replies::Table.into_iden(),
            Posts::Table.into_iden(),
            GroupModerators::Table.into_iden(),
            Groups::Table.into_iden(),
            Sessions::Table.into_iden(),
            LocalUsers::Table.into_iden(),
            Persons::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
