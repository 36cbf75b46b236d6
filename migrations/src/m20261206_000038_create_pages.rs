//! The knowledge base: a group's pages, each a title, a slug and a markdown body, and every
//! save of one as a numbered revision.
//!
//! - `pages(id, group_id, slug, title, body, body_html, revision, locked, removed, …)`: the
//!   page as it reads now; `revision` is the number of its newest revision, which an edit
//!   names as its base (an edit against an older one is a conflict). `(group_id, slug)` is
//!   unique.
//! - `page_revisions(id, page_id, number, author_id, title, body, summary, reverts, removed,
//!   created_at)`: every save, numbered from 1 per page; `reverts` names the revision a
//!   moderator's revert went back to; a removed revision's text is shown to moderators only
//!   (the newest cannot be removed: revert first).
//! - `page_links(page_id, post_id)`: the threads a page's newest text links to, so a thread
//!   shows the pages that link to it.
//! - `groups.page_editors`: who may edit the group's pages: `moderators`, `members` (the
//!   default: people who joined, here or elsewhere, and moderators) or `signed_in` (anyone
//!   with an account here, and members elsewhere).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Pages {
    Table,
    Id,
    GroupId,
    Slug,
    Title,
    Body,
    BodyHtml,
    Revision,
    CreatorId,
    Locked,
    Removed,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PageRevisions {
    Table,
    Id,
    PageId,
    Number,
    AuthorId,
    Title,
    Body,
    Summary,
    Reverts,
    Removed,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PageLinks {
    Table,
    PageId,
    PostId,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
    PageEditors,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .add_column(text(Groups::PageEditors).default("members"))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Pages::Table)
                .col(big_pk_auto(Pages::Id))
                .col(big_integer(Pages::GroupId))
                .col(text(Pages::Slug))
                .col(text(Pages::Title))
                .col(text(Pages::Body))
                .col(text(Pages::BodyHtml))
                .col(big_integer(Pages::Revision))
                .col(big_integer_null(Pages::CreatorId))
                .col(boolean(Pages::Locked).default(false))
                .col(boolean(Pages::Removed).default(false))
                .col(timestamp_with_time_zone(Pages::CreatedAt))
                .col(timestamp_with_time_zone(Pages::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_pages_group")
                        .from(Pages::Table, Pages::GroupId)
                        .to(Groups::Table, Groups::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_pages_creator")
                        .from(Pages::Table, Pages::CreatorId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_pages_group_slug")
                .table(Pages::Table)
                .col(Pages::GroupId)
                .col(Pages::Slug)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PageRevisions::Table)
                .col(big_pk_auto(PageRevisions::Id))
                .col(big_integer(PageRevisions::PageId))
                .col(big_integer(PageRevisions::Number))
                .col(big_integer_null(PageRevisions::AuthorId))
                .col(text(PageRevisions::Title))
                .col(text(PageRevisions::Body))
                .col(text(PageRevisions::Summary))
                .col(big_integer_null(PageRevisions::Reverts))
                .col(boolean(PageRevisions::Removed).default(false))
                .col(timestamp_with_time_zone(PageRevisions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_revisions_page")
                        .from(PageRevisions::Table, PageRevisions::PageId)
                        .to(Pages::Table, Pages::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_revisions_author")
                        .from(PageRevisions::Table, PageRevisions::AuthorId)
                        .to(Persons::Table, Persons::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_page_revisions_number")
                .table(PageRevisions::Table)
                .col(PageRevisions::PageId)
                .col(PageRevisions::Number)
                .unique()
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PageLinks::Table)
                .col(big_integer(PageLinks::PageId))
                .col(big_integer(PageLinks::PostId))
                .primary_key(
                    Index::create()
                        .col(PageLinks::PageId)
                        .col(PageLinks::PostId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_links_page")
                        .from(PageLinks::Table, PageLinks::PageId)
                        .to(Pages::Table, Pages::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_page_links_post")
                        .from(PageLinks::Table, PageLinks::PostId)
                        .to(Posts::Table, Posts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_page_links_post")
                .table(PageLinks::Table)
                .col(PageLinks::PostId)
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PageLinks::Table).take())
            .await?;
        m.drop_table(Table::drop().table(PageRevisions::Table).take())
            .await?;
        m.drop_table(Table::drop().table(Pages::Table).take())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Groups::Table)
                .drop_column(Groups::PageEditors)
                .take(),
        )
        .await?;
        Ok(())
    }
}
