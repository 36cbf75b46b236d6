//! E-mail: the persistent outgoing mail queue, single-use tokens (address verification and
//! password reset), the events waiting to be mailed, and each person's mail settings.
//!
//! - `mail_queue`: one row per message, rendered whole when queued (subject, plain text and
//!   HTML), with the `Message-ID` it keeps across retries. A worker leases due rows
//!   (`leased_until`), sends them over SMTP and marks them `sent_at`; a temporary failure moves
//!   `next_attempt_at` on, a permanent one (or three days of temporary ones) sets `failed_at`.
//! - `mail_tokens`: the SHA-256 of each token mailed (never the token), its purpose
//!   (`verify`, `reset`), the address it was sent to, when it expires and when it was used.
//! - `mail_notices`: a reply, mention or accepted answer a person here is to hear of by mail,
//!   recorded in the same transaction as the content; `mailed_at` once it went into a mail
//!   (at once or in the daily summary, as the person chose). `subject` names the content
//!   (`p12`, `r34`) so each event is recorded once.
//! - `local_users`: `email_verified_at`, `email_failed_at` (the last mail to the address
//!   failed permanently: no more notices or digests until it changes or is verified again),
//!   `mail_notices` (`immediately`, `daily`, `never`), `mail_digest` (the weekly digest) and
//!   `mail_key` (the secret in one-click unsubscribe links).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailQueue {
    Table,
    Id,
    LocalUserId,
    ToAddress,
    Kind,
    Subject,
    TextBody,
    HtmlBody,
    UnsubscribeUrl,
    MessageId,
    CreatedAt,
    NextAttemptAt,
    Attempts,
    LeasedUntil,
    SentAt,
    FailedAt,
    LastError,
}

#[derive(DeriveIden)]
enum MailTokens {
    Table,
    TokenHash,
    LocalUserId,
    Purpose,
    Email,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MailNotices {
    Table,
    Id,
    LocalUserId,
    Kind,
    Subject,
    PostId,
    ReplyId,
    CreatedAt,
    MailedAt,
}

#[derive(DeriveIden)]
enum LocalUsers {
    Table,
    Id,
    EmailVerifiedAt,
    EmailFailedAt,
    MailNotices,
    MailDigest,
    MailKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailQueue::Table)
                .col(big_pk_auto(MailQueue::Id))
                .col(big_integer_null(MailQueue::LocalUserId))
                .col(text(MailQueue::ToAddress))
                .col(text(MailQueue::Kind))
                .col(text(MailQueue::Subject))
                .col(text(MailQueue::TextBody))
                .col(text(MailQueue::HtmlBody))
                .col(text_null(MailQueue::UnsubscribeUrl))
                .col(text(MailQueue::MessageId).unique_key())
                .col(timestamp_with_time_zone(MailQueue::CreatedAt))
                .col(timestamp_with_time_zone(MailQueue::NextAttemptAt))
                .col(integer(MailQueue::Attempts).default(0))
                .col(timestamp_with_time_zone_null(MailQueue::LeasedUntil))
                .col(timestamp_with_time_zone_null(MailQueue::SentAt))
                .col(timestamp_with_time_zone_null(MailQueue::FailedAt))
                .col(text_null(MailQueue::LastError))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_queue_user")
                        .from(MailQueue::Table, MailQueue::LocalUserId)
                        .to(LocalUsers::Table, LocalUsers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_queue_due")
                .table(MailQueue::Table)
                .col(MailQueue::SentAt)
                .col(MailQueue::FailedAt)
                .col(MailQueue::NextAttemptAt)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MailTokens::Table)
                .col(text(MailTokens::TokenHash).primary_key())
                .col(big_integer(MailTokens::LocalUserId))
                .col(text(MailTokens::Purpose))
                .col(text(MailTokens::Email))
                .col(timestamp_with_time_zone(MailTokens::CreatedAt))
                .col(timestamp_with_time_zone(MailTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(MailTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_tokens_user")
                        .from(MailTokens::Table, MailTokens::LocalUserId)
                        .to(LocalUsers::Table, LocalUsers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_tokens_user")
                .table(MailTokens::Table)
                .col(MailTokens::LocalUserId)
                .col(MailTokens::Purpose)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MailNotices::Table)
                .col(big_pk_auto(MailNotices::Id))
                .col(big_integer(MailNotices::LocalUserId))
                .col(text(MailNotices::Kind))
                .col(text(MailNotices::Subject))
                .col(big_integer(MailNotices::PostId))
                .col(big_integer_null(MailNotices::ReplyId))
                .col(timestamp_with_time_zone(MailNotices::CreatedAt))
                .col(timestamp_with_time_zone_null(MailNotices::MailedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_notices_user")
                        .from(MailNotices::Table, MailNotices::LocalUserId)
                        .to(LocalUsers::Table, LocalUsers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_mail_notices_event")
                .table(MailNotices::Table)
                .col(MailNotices::LocalUserId)
                .col(MailNotices::Kind)
                .col(MailNotices::Subject)
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_notices_waiting")
                .table(MailNotices::Table)
                .col(MailNotices::MailedAt)
                .col(MailNotices::LocalUserId)
                .take(),
        )
        .await?;
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            timestamp_with_time_zone_null(LocalUsers::EmailVerifiedAt),
            timestamp_with_time_zone_null(LocalUsers::EmailFailedAt),
            text(LocalUsers::MailNotices).default("immediately").take(),
            boolean(LocalUsers::MailDigest).default(true).take(),
            text_null(LocalUsers::MailKey),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(LocalUsers::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            LocalUsers::MailKey,
            LocalUsers::MailDigest,
            LocalUsers::MailNotices,
            LocalUsers::EmailFailedAt,
            LocalUsers::EmailVerifiedAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(LocalUsers::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for table in [
            MailNotices::Table.into_iden(),
            MailTokens::Table.into_iden(),
            MailQueue::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
