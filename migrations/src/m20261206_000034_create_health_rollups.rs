//! Community health rollups: what a group's health page reads, kept up to date by the
//! storage functions that write posts, replies and votes (in the writer's transaction), so a
//! page reads a few hundred small rows whatever the group's size.
//!
//! - `health_weekly(group_id, week, domain)`: posts and replies written in the group that
//!   week by people of that instance (`domain` = the author's `persons.domain`);
//! - `health_active(group_id, week, person_id)`: who took part (posted, replied or voted) in
//!   the group that week, one row each, only ever counted; the hourly clean-up keeps the
//!   last 13 weeks;
//! - `health_first_replies(post_id)`: how long the post waited for its first reply by
//!   someone other than its author (seconds), under the post's group and week;
//! - `health_questions(post_id)`: a question (not deleted), under its group and week, with
//!   the wait for its accepted answer and that answer's author's domain. The Q&A feature owns
//!   `posts.question`, `answer_id` and `answered_at` and may change them from any code path,
//!   so this table is kept by database triggers on those columns (and `deleted_at`) rather
//!   than by a storage function.
//!
//! `week` is the number of whole weeks since Monday 1969-12-29 00:00 UTC, so week `w`
//! starts at `w * 604800 - 259200` seconds after the Unix epoch (weeks start on Monday, UTC).
//! The migration fills the tables from what is already stored ([`backfill`]).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum HealthWeekly {
    Table,
    GroupId,
    Week,
    Domain,
    Posts,
    Replies,
}

#[derive(DeriveIden)]
enum HealthActive {
    Table,
    GroupId,
    Week,
    PersonId,
}

#[derive(DeriveIden)]
enum HealthFirstReplies {
    Table,
    PostId,
    GroupId,
    Week,
    Seconds,
}

#[derive(DeriveIden)]
enum HealthQuestions {
    Table,
    PostId,
    GroupId,
    Week,
    AnsweredSeconds,
    AnswerDomain,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HealthWeekly::Table)
                .col(big_integer(HealthWeekly::GroupId))
                .col(big_integer(HealthWeekly::Week))
                .col(string(HealthWeekly::Domain))
                .col(big_integer(HealthWeekly::Posts).default(0))
                .col(big_integer(HealthWeekly::Replies).default(0))
                .primary_key(
                    Index::create()
                        .col(HealthWeekly::GroupId)
                        .col(HealthWeekly::Week)
                        .col(HealthWeekly::Domain),
                )
                .foreign_key(&mut fk(
                    "fk_health_weekly_group",
                    (HealthWeekly::Table, HealthWeekly::GroupId),
                    (Groups::Table, Groups::Id),
                ))
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HealthActive::Table)
                .col(big_integer(HealthActive::GroupId))
                .col(big_integer(HealthActive::Week))
                .col(big_integer(HealthActive::PersonId))
                .primary_key(
                    Index::create()
                        .col(HealthActive::GroupId)
                        .col(HealthActive::Week)
                        .col(HealthActive::PersonId),
                )
                .foreign_key(&mut fk(
                    "fk_health_active_group",
                    (HealthActive::Table, HealthActive::GroupId),
                    (Groups::Table, Groups::Id),
                ))
                .take(),
        )
        .await?;
        // The instance's page counts distinct people per week across its groups.
        m.create_index(
            Index::create()
                .name("ix_health_active_week")
                .table(HealthActive::Table)
                .col(HealthActive::Week)
                .col(HealthActive::PersonId)
                .col(HealthActive::GroupId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HealthFirstReplies::Table)
                .col(big_integer(HealthFirstReplies::PostId).primary_key())
                .col(big_integer(HealthFirstReplies::GroupId))
                .col(big_integer(HealthFirstReplies::Week))
                .col(big_integer(HealthFirstReplies::Seconds))
                .foreign_key(&mut fk(
                    "fk_health_first_replies_post",
                    (HealthFirstReplies::Table, HealthFirstReplies::PostId),
                    (Posts::Table, Posts::Id),
                ))
                .take(),
        )
        .await?;
        // A week's median is an offset into one of these (a group's, or every group's).
        m.create_index(
            Index::create()
                .name("ix_health_first_replies_group")
                .table(HealthFirstReplies::Table)
                .col(HealthFirstReplies::GroupId)
                .col(HealthFirstReplies::Week)
                .col(HealthFirstReplies::Seconds)
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_health_first_replies_week")
                .table(HealthFirstReplies::Table)
                .col(HealthFirstReplies::Week)
                .col(HealthFirstReplies::Seconds)
                .col(HealthFirstReplies::GroupId)
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(HealthQuestions::Table)
                .col(big_integer(HealthQuestions::PostId).primary_key())
                .col(big_integer(HealthQuestions::GroupId))
                .col(big_integer(HealthQuestions::Week))
                .col(big_integer_null(HealthQuestions::AnsweredSeconds))
                .col(string_null(HealthQuestions::AnswerDomain))
                .foreign_key(&mut fk(
                    "fk_health_questions_post",
                    (HealthQuestions::Table, HealthQuestions::PostId),
                    (Posts::Table, Posts::Id),
                ))
                .take(),
        )
        .await?;
        for (name, cols) in [
            (
                "ix_health_questions_group",
                [
                    HealthQuestions::GroupId,
                    HealthQuestions::Week,
                    HealthQuestions::AnsweredSeconds,
                    HealthQuestions::AnswerDomain,
                ],
            ),
            (
                "ix_health_questions_week",
                [
                    HealthQuestions::Week,
                    HealthQuestions::AnsweredSeconds,
                    HealthQuestions::GroupId,
                    HealthQuestions::AnswerDomain,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(HealthQuestions::Table);
            for c in cols {
                index.col(c);
            }
            m.create_index(index.take()).await?;
        }
        let db = m.get_connection();
        for sql in question_triggers(db.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        backfill(m.get_connection()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let drops: &[&str] = match db.get_database_backend() {
            DatabaseBackend::Postgres => &[
                "DROP TRIGGER IF EXISTS health_questions_keep ON posts",
                "DROP FUNCTION IF EXISTS health_questions_keep()",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS health_questions_insert",
                "DROP TRIGGER IF EXISTS health_questions_update",
            ],
        };
        for sql in drops {
            db.execute_unprepared(sql).await?;
        }
        for t in [
            HealthQuestions::Table.into_iden(),
            HealthFirstReplies::Table.into_iden(),
            HealthActive::Table.into_iden(),
            HealthWeekly::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}

/// Seconds since the epoch of a timestamp column, in SQL.
fn epoch(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("CAST(EXTRACT(EPOCH FROM {col}) AS BIGINT)"),
        _ => format!("CAST(strftime('%s', {col}) AS INTEGER)"),
    }
}

/// The week number of a timestamp column, in SQL (see the module docs).
fn week(backend: DatabaseBackend, col: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("CAST(FLOOR((EXTRACT(EPOCH FROM {col}) + 259200) / 604800) AS BIGINT)")
        }
        _ => format!("((CAST(strftime('%s', {col}) AS INTEGER) + 259200) / 604800)"),
    }
}

/// The `health_questions` row of post `NEW` (none unless it is a live question), in SQL.
fn question_row(backend: DatabaseBackend) -> String {
    format!(
        "INSERT INTO health_questions (post_id, group_id, week, answered_seconds, answer_domain) \
         SELECT NEW.id, NEW.group_id, {week}, \
         CASE WHEN NEW.answer_id IS NULL OR NEW.answered_at IS NULL THEN NULL \
         WHEN {answered} < {created} THEN 0 ELSE {answered} - {created} END, \
         (SELECT pe.domain FROM replies r JOIN persons pe ON pe.id = r.author_id \
         WHERE r.id = NEW.answer_id) \
         WHERE NEW.question AND NEW.deleted_at IS NULL",
        week = week(backend, "NEW.created_at"),
        answered = epoch(backend, "NEW.answered_at"),
        created = epoch(backend, "NEW.created_at"),
    )
}

/// The triggers that keep `health_questions` (see the module docs).
fn question_triggers(backend: DatabaseBackend) -> Vec<String> {
    let row = question_row(backend);
    match backend {
        DatabaseBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION health_questions_keep() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN DELETE FROM health_questions WHERE post_id = NEW.id; {row}; \
                 RETURN NULL; END $$"
            ),
            "CREATE TRIGGER health_questions_keep AFTER INSERT OR UPDATE OF question, \
             answer_id, answered_at, deleted_at ON posts FOR EACH ROW \
             EXECUTE FUNCTION health_questions_keep()"
                .into(),
        ],
        _ => vec![
            format!(
                "CREATE TRIGGER health_questions_insert AFTER INSERT ON posts \
                 WHEN NEW.question BEGIN {row}; END"
            ),
            format!(
                "CREATE TRIGGER health_questions_update AFTER UPDATE OF question, answer_id, \
                 answered_at, deleted_at ON posts BEGIN \
                 DELETE FROM health_questions WHERE post_id = NEW.id; {row}; END"
            ),
        ],
    }
}

/// Fills the health tables from the stored posts, replies and votes (adding to what they
/// hold: run it on empty tables; questions the triggers already hold are kept). The upgrade runs it once; `cohort bench health` runs it
/// after loading its data in bulk.
pub async fn backfill<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    let pw = week(b, "p.created_at");
    let rw = week(b, "r.created_at");
    let statements = [
        format!(
            "INSERT INTO health_questions (post_id, group_id, week, answered_seconds, answer_domain) \
             SELECT p.id, p.group_id, {pw}, \
             CASE WHEN p.answer_id IS NULL OR p.answered_at IS NULL THEN NULL \
             WHEN {pa} < {pe} THEN 0 ELSE {pa} - {pe} END, pe.domain FROM posts p \
             LEFT JOIN replies r ON r.id = p.answer_id LEFT JOIN persons pe ON pe.id = r.author_id \
             WHERE p.question AND p.deleted_at IS NULL ON CONFLICT (post_id) DO NOTHING",
            pa = epoch(b, "p.answered_at"),
            pe = epoch(b, "p.created_at"),
        ),
        format!(
            "INSERT INTO health_weekly (group_id, week, domain, posts, replies) \
             SELECT p.group_id, {pw}, pe.domain, COUNT(*), 0 FROM posts p \
             JOIN persons pe ON pe.id = p.author_id GROUP BY p.group_id, {pw}, pe.domain"
        ),
        format!(
            "INSERT INTO health_weekly (group_id, week, domain, posts, replies) \
             SELECT p.group_id, {rw}, pe.domain, 0, COUNT(*) FROM replies r \
             JOIN posts p ON p.id = r.post_id JOIN persons pe ON pe.id = r.author_id \
             WHERE 1 = 1 GROUP BY p.group_id, {rw}, pe.domain \
             ON CONFLICT (group_id, week, domain) \
             DO UPDATE SET replies = health_weekly.replies + excluded.replies"
        ),
        format!(
            "INSERT INTO health_active (group_id, week, person_id) \
             SELECT p.group_id, {pw}, p.author_id FROM posts p \
             UNION SELECT p.group_id, {rw}, r.author_id FROM replies r \
             JOIN posts p ON p.id = r.post_id \
             UNION SELECT p.group_id, {vw}, v.person_id FROM post_votes v \
             JOIN posts p ON p.id = v.post_id \
             UNION SELECT p.group_id, {vw}, v.person_id FROM reply_votes v \
             JOIN replies r ON r.id = v.reply_id JOIN posts p ON p.id = r.post_id",
            vw = week(b, "v.created_at"),
        ),
        format!(
            "INSERT INTO health_first_replies (post_id, group_id, week, seconds) \
             SELECT p.id, p.group_id, {pw}, \
             MIN(CASE WHEN {re} < {pe} THEN 0 ELSE {re} - {pe} END) FROM posts p \
             JOIN replies r ON r.post_id = p.id AND r.author_id <> p.author_id \
             GROUP BY p.id, p.group_id, {pw}",
            re = epoch(b, "r.created_at"),
            pe = epoch(b, "p.created_at"),
        ),
    ];
    for sql in statements {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}
