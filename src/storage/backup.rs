//! `cohort admin backup`: a consistent copy of the database while the server runs.
//!
//! SQLite: `VACUUM INTO` writes a compact, transactionally consistent copy (readers and the
//! writer go on meanwhile); restore by stopping Cohort and putting the file in place of the
//! database file. PostgreSQL: `pg_dump --format=custom` (a consistent snapshot too); restore
//! with `pg_restore` into an empty database.

use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};

/// Why a backup failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists: backups never overwrite.
    #[error("{0} exists; choose a new file name (backups never overwrite)")]
    Exists(String),
    /// The database refused.
    #[error("database: {0}")]
    Database(#[from] DbErr),
    /// pg_dump could not be run or failed.
    #[error("pg_dump: {0}")]
    PgDump(String),
}

/// Writes a backup of `db` (whose URL is `url`) to `target`.
pub async fn write(db: &DatabaseConnection, url: &str, target: &Path) -> Result<(), BackupError> {
    if target.exists() {
        return Err(BackupError::Exists(target.display().to_string()));
    }
    match db.get_database_backend() {
        DbBackend::Postgres => pg_dump(url, target).await,
        _ => {
            let path = target.display().to_string().replace('\'', "''");
            db.execute_unprepared(&format!("VACUUM INTO '{path}'"))
                .await?;
            Ok(())
        }
    }
}

async fn pg_dump(url: &str, target: &Path) -> Result<(), BackupError> {
    let out = tokio::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(target)
        .arg("--dbname")
        .arg(url)
        .output()
        .await
        .map_err(|e| {
            BackupError::PgDump(format!(
                "cannot run it ({e}); install PostgreSQL's client tools (postgresql-client)"
            ))
        })?;
    if !out.status.success() {
        let _ = std::fs::remove_file(target);
        return Err(BackupError::PgDump(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(())
}
