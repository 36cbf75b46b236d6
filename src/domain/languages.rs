//! The language a post or reply is written in: a BCP 47 tag, stored as given by its author
//! (or by the server it came from), shown as the content's `lang`, and sent the two ways
//! other servers read it: as `contentMap`'s key (Mastodon, Misskey, GoToSocial, Mbin) and as
//! Lemmy's `language: {identifier, name}` (Lemmy, PieFed).

use crate::error::{Error, Result};

/// Languages offered when writing, by tag, with their names in themselves (the list people
/// pick from; any other well-formed tag is accepted through the API).
pub const OFFERED: &[(&str, &str)] = &[
    ("ar", "العربية"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("eo", "Esperanto"),
    ("es", "Español"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// English names of the offered languages, for Lemmy's `language.name` (Lemmy matches on
/// the identifier; the name is for people reading the JSON).
const ENGLISH_NAMES: &[(&str, &str)] = &[
    ("ar", "Arabic"),
    ("ca", "Catalan"),
    ("cs", "Czech"),
    ("da", "Danish"),
    ("de", "German"),
    ("el", "Greek"),
    ("en", "English"),
    ("eo", "Esperanto"),
    ("es", "Spanish"),
    ("fa", "Persian"),
    ("fi", "Finnish"),
    ("fr", "French"),
    ("he", "Hebrew"),
    ("hi", "Hindi"),
    ("hu", "Hungarian"),
    ("id", "Indonesian"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("ko", "Korean"),
    ("nl", "Dutch"),
    ("no", "Norwegian"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ro", "Romanian"),
    ("ru", "Russian"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
    ("uk", "Ukrainian"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
];

/// A well-formed language tag in its usual case (`pt-br` → `pt-BR`, `zh-hant` → `zh-Hant`),
/// or none: empty, `und` (undetermined), or not a tag (letters and digits in parts of 1–8
/// joined by `-`, a primary part of 2–3 letters, at most 35 characters in all).
pub fn normalize(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    if tag.is_empty() || tag.len() > 35 {
        return None;
    }
    let mut parts = tag.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len())
        || !primary.chars().all(|c| c.is_ascii_alphabetic())
        || primary == "und"
    {
        return None;
    }
    let mut out = primary;
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        out.push('-');
        match part.len() {
            2 if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                out.push_str(&part.to_ascii_uppercase())
            }
            4 if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                let lower = part.to_ascii_lowercase();
                let mut chars = lower.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            }
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(out)
}

/// The language a person gave for what they write: none when empty, a 400 naming `field`
/// when it is not a language tag.
pub fn given(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => normalize(s).map(Some).ok_or_else(|| Error::Invalid {
            field: field.into(),
            message: "must be a language tag such as en, de or pt-BR".into(),
        }),
    }
}

/// The English name of a tag's language, for Lemmy's `language.name`; the tag itself when
/// not among those offered.
pub fn english_name(tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or(tag);
    ENGLISH_NAMES
        .iter()
        .find(|(t, _)| *t == primary)
        .map_or_else(|| tag.to_string(), |(_, n)| (*n).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_or_refused() {
        assert_eq!(normalize("EN").as_deref(), Some("en"));
        assert_eq!(normalize("pt_br").as_deref(), Some("pt-BR"));
        assert_eq!(normalize("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(normalize("de-1996").as_deref(), Some("de-1996"));
        for bad in [
            "", "und", "e", "english", "en-", "en--us", "<b>", "en us", "x1",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
        assert_eq!(normalize(&format!("en-{}", "a".repeat(40))), None);
    }

    #[test]
    fn a_given_language_is_checked() {
        assert_eq!(given("language", None).unwrap(), None);
        assert_eq!(given("language", Some("  ")).unwrap(), None);
        assert_eq!(
            given("language", Some("fr")).unwrap().as_deref(),
            Some("fr")
        );
        assert!(matches!(
            given("language", Some("klingon")),
            Err(Error::Invalid { field, .. }) if field == "language"
        ));
    }

    #[test]
    fn offered_languages_have_english_names() {
        for (tag, _) in OFFERED {
            assert_ne!(english_name(tag), *tag, "{tag}");
            assert_eq!(normalize(tag).as_deref(), Some(*tag));
        }
        assert_eq!(english_name("pt-BR"), "Portuguese");
        assert_eq!(english_name("tlh"), "tlh");
    }
}
