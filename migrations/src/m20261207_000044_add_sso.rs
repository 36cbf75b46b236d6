//! Single sign-on with OpenID Connect.
//!
//! - `identities`: an account here linked to a provider's subject (`provider` is the id the
//!   configuration gives the provider, `subject` the ID token's `sub`); one account per
//!   subject, and an account may be linked to several providers.
//! - `sso_logins`: a sign-in under way, from the redirect to the provider until it is used:
//!   the SHA-256 of its `state`, the provider, the nonce and PKCE verifier the callback needs,
//!   where to go afterwards, and its expiry. After the provider vouched for a new person, the
//!   row holds the verified claims while the person chooses their name (`subject` …); it is
//!   deleted when used, so a replayed callback or form finds nothing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Identities {
    Table,
    Id,
    LocalUserId,
    Provider,
    Subject,
    Email,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum SsoLogins {
    Table,
    StateHash,
    Provider,
    Nonce,
    PkceVerifier,
    Next,
    Subject,
    Email,
    EmailVerified,
    ProposedName,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LocalUsers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Identities::Table)
                .col(big_pk_auto(Identities::Id))
                .col(big_integer(Identities::LocalUserId))
                .col(text(Identities::Provider))
                .col(text(Identities::Subject))
                .col(text_null(Identities::Email))
                .col(timestamp_with_time_zone(Identities::CreatedAt))
                .col(timestamp_with_time_zone(Identities::LastLoginAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_identities_user")
                        .from(Identities::Table, Identities::LocalUserId)
                        .to(LocalUsers::Table, LocalUsers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_identities_subject")
                .table(Identities::Table)
                .col(Identities::Provider)
                .col(Identities::Subject)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_identities_user")
                .table(Identities::Table)
                .col(Identities::LocalUserId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SsoLogins::Table)
                .col(text(SsoLogins::StateHash).primary_key())
                .col(text(SsoLogins::Provider))
                .col(text(SsoLogins::Nonce))
                .col(text(SsoLogins::PkceVerifier))
                .col(text(SsoLogins::Next))
                .col(text_null(SsoLogins::Subject))
                .col(text_null(SsoLogins::Email))
                .col(boolean(SsoLogins::EmailVerified).default(false))
                .col(text_null(SsoLogins::ProposedName))
                .col(timestamp_with_time_zone(SsoLogins::CreatedAt))
                .col(timestamp_with_time_zone(SsoLogins::ExpiresAt))
                .take(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SsoLogins::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Identities::Table).to_owned())
            .await
    }
}
