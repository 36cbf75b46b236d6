//! What the `cohort` command does besides serving: migrations and administration.

use std::io::{BufRead, IsTerminal};

use crate::{
    config::Config,
    domain::{Ctx, Instance, accounts},
    error::{Error, Result},
    storage,
};

/// Connects to the configured database and applies pending migrations.
pub async fn open(config: &Config) -> Result<Ctx> {
    let db = storage::connect(&config.database).await?;
    storage::migrate(&db).await?;
    Ok(Ctx::new(db, Instance::from_config(config)))
}

/// `cohort migrate`: applies pending migrations; returns how many ran.
pub async fn migrate(config: &Config) -> Result<usize> {
    let db = storage::connect(&config.database).await?;
    Ok(storage::migrate(&db).await?)
}

/// Where `create-user` gets the password.
pub enum PasswordSource {
    /// The first line of standard input.
    Stdin,
    /// Asked twice at the terminal.
    Prompt,
}

/// Reads the new password from its source.
pub fn read_password(source: PasswordSource) -> Result<String> {
    match source {
        PasswordSource::Stdin => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Error::Internal(format!("cannot read standard input: {e}")))?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
        PasswordSource::Prompt => {
            if !std::io::stdin().is_terminal() {
                return Err(Error::invalid(
                    "password",
                    "no terminal to ask for it: pass --password-stdin and pipe it in",
                ));
            }
            let first = rpassword::prompt_password("Password: ")
                .map_err(|e| Error::Internal(format!("cannot read password: {e}")))?;
            let again = rpassword::prompt_password("Password again: ")
                .map_err(|e| Error::Internal(format!("cannot read password: {e}")))?;
            if first != again {
                return Err(Error::invalid("password", "the two passwords differ"));
            }
            Ok(first)
        }
    }
}

/// `cohort admin create-user`: creates a local account whatever the registration mode.
pub async fn create_user(
    config: &Config,
    name: &str,
    password: &str,
    admin: bool,
) -> Result<String> {
    let ctx = open(config).await?;
    let person = accounts::create(&ctx, name, password, admin).await?;
    Ok(person.ap_id)
}
