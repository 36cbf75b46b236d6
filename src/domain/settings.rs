//! Account settings a person changes themselves (the password is in `accounts`).

use super::{Ctx, accounts::CurrentUser, now, text};
use crate::{
    error::{Error, Result},
    storage,
};

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// Sets the name shown instead of the username; blank clears it. One line, no control or
/// disguising characters. Other instances see it the next time they fetch the actor.
pub async fn set_display_name(ctx: &Ctx, user: &CurrentUser, raw: &str) -> Result<Option<String>> {
    let name = if raw.trim().is_empty() {
        None
    } else {
        Some(text::title("display_name", raw, MAX_DISPLAY_NAME_CHARS)?)
    };
    storage::settings::set_display_name(&ctx.db, user.person.id, name.clone(), now()).await?;
    Ok(name)
}

/// Sets the language the person reads the interface in: one this instance offers
/// (`i18n::LANGUAGES`), or blank for "as my browser asks".
pub async fn set_language(ctx: &Ctx, user: &CurrentUser, raw: &str) -> Result<Option<String>> {
    let choice = raw.trim();
    let language = if choice.is_empty() {
        None
    } else {
        let offered = crate::i18n::LANGUAGES
            .iter()
            .find(|l| l.code == choice)
            .ok_or_else(|| Error::Invalid {
                field: "language".into(),
                message: "not a language this instance offers".into(),
            })?;
        Some(offered.code.to_string())
    };
    storage::persons::set_language(&ctx.db, user.local_user_id, language.clone()).await?;
    Ok(language)
}
