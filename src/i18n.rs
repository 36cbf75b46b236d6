//! The interface in people's languages. Every string of the web interface (and, later, of
//! e-mails) is a message of one Fluent catalogue per language, `locales/{lang}/*.ftl`,
//! compiled into the binary. Templates ask for a message with `t("key", name=value)`; plural
//! forms are chosen by each language's CLDR rules (`fluent-bundle`'s `intl_pluralrules`), and
//! dates are written by each language's own messages (`date`, `month-N`, `ago-*`).
//!
//! Which language a page is in: the person's setting, then the browser's `Accept-Language`,
//! then the instance's `language` ([`negotiate`]). A message missing from a translation falls
//! back to English (and the catalogue test fails, so none ships missing).
//!
//! To add a language: copy `locales/en` to `locales/{tag}`, translate every message, and add
//! the language to [`LANGUAGES`] and its files to [`FILES`]; `cargo test i18n` then checks
//! that the new catalogue has every key and no other.

use std::sync::LazyLock;

use fluent_bundle::{FluentArgs, FluentResource, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

/// A language the interface ships in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// The BCP 47 tag (`en`, `de`, `fr`).
    pub code: &'static str,
    /// Its name in itself, for the settings' choice.
    pub name: &'static str,
}

/// The languages shipped, English (the fallback) first.
pub const LANGUAGES: &[Language] = &[
    Language {
        code: "en",
        name: "English",
    },
    Language {
        code: "de",
        name: "Deutsch",
    },
    Language {
        code: "fr",
        name: "Français",
    },
];

/// The language messages fall back to.
pub const FALLBACK: &str = "en";

macro_rules! catalogue_files {
    ($($lang:literal => [$($file:literal),* $(,)?]),* $(,)?) => {
        /// Every catalogue file as `(language, file name, source)`, compiled in.
        pub const FILES: &[(&str, &str, &str)] = &[
            $($(($lang, $file, include_str!(concat!("../locales/", $lang, "/", $file))),)*)*
        ];
    };
}

catalogue_files! {
    "en" => ["common.ftl", "accounts.ftl", "groups.ftl", "threads.ftl", "pages.ftl", "health.ftl", "mail.ftl"],
    "de" => ["common.ftl", "accounts.ftl", "groups.ftl", "threads.ftl", "pages.ftl", "health.ftl", "mail.ftl"],
    "fr" => ["common.ftl", "accounts.ftl", "groups.ftl", "threads.ftl", "pages.ftl", "health.ftl", "mail.ftl"],
}

/// Languages written right to left (by primary subtag); a page in one of them is
/// `dir="rtl"`, and the style sheet uses logical properties only.
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "ha", "he", "khw", "ks", "ps", "sd", "ur", "yi",
];

/// The catalogues, one bundle per shipped language.
pub struct Catalogue {
    bundles: Vec<(&'static str, FluentBundle<FluentResource>)>,
}

static CATALOGUE: LazyLock<Result<Catalogue, String>> = LazyLock::new(Catalogue::load);

/// The compiled-in catalogue (loaded once; an error names the file and the message).
pub fn catalogue() -> Result<&'static Catalogue, String> {
    CATALOGUE.as_ref().map_err(Clone::clone)
}

impl Catalogue {
    fn load() -> Result<Self, String> {
        let mut bundles = Vec::new();
        for lang in LANGUAGES {
            let id: LanguageIdentifier = lang
                .code
                .parse()
                .map_err(|e| format!("language {}: {e}", lang.code))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around arguments: pages set `dir`, and names are
            // placed in their own elements.
            bundle.set_use_isolating(false);
            for (_, file, source) in FILES.iter().filter(|(l, _, _)| *l == lang.code) {
                let resource = FluentResource::try_new(source.to_string()).map_err(|(_, e)| {
                    format!("locales/{}/{file}: {} syntax errors", lang.code, e.len())
                })?;
                bundle.add_resource(resource).map_err(|e| {
                    format!(
                        "locales/{}/{file}: {} messages defined twice",
                        lang.code,
                        e.len()
                    )
                })?;
            }
            bundles.push((lang.code, bundle));
        }
        Ok(Self { bundles })
    }

    fn bundle(&self, lang: &str) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, b)| b)
    }

    /// Whether `lang`'s catalogue has message `key`.
    pub fn has(&self, lang: &str, key: &str) -> bool {
        self.bundle(lang).is_some_and(|b| b.has_message(key))
    }

    /// Message `key` in `lang` with `args`; in English when `lang` lacks it, and the key
    /// itself (logged) when no catalogue has it.
    pub fn text(&self, lang: &str, key: &str, args: Option<&FluentArgs>) -> String {
        for l in [lang, FALLBACK] {
            let Some(bundle) = self.bundle(l) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = vec![];
            let out = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(lang = l, key, ?errors, "message formatted with errors");
            }
            return out.into_owned();
        }
        tracing::warn!(lang, key, "message missing from every catalogue");
        key.to_string()
    }

    /// A date as `lang` writes it (`7 December 2026`, `7. Dezember 2026`, `7 décembre 2026`).
    pub fn date(&self, lang: &str, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let month = self.text(lang, &format!("month-{}", date.month()), None);
        let mut args = FluentArgs::new();
        args.set("day", date.day());
        args.set("month", month);
        args.set("year", date.year());
        self.text(lang, "date", Some(&args))
    }

    /// How long ago `then` was, in `lang` ("5 minutes ago"), or the date after a month.
    pub fn ago(&self, lang: &str, then: chrono::DateTime<chrono::Utc>) -> String {
        let secs = (chrono::Utc::now() - then).num_seconds();
        let (key, n) = match secs {
            s if s < 60 => ("ago-now", 0),
            s if s < 3600 => ("ago-minutes", s / 60),
            s if s < 86_400 => ("ago-hours", s / 3600),
            s if s < 30 * 86_400 => ("ago-days", s / 86_400),
            _ => return self.date(lang, then.date_naive()),
        };
        let mut args = FluentArgs::new();
        args.set("n", n);
        self.text(lang, key, Some(&args))
    }

    /// How long from `since` to now, in `lang` ("3 days"), at least a minute.
    pub fn since(&self, lang: &str, since: chrono::DateTime<chrono::Utc>) -> String {
        let secs = (chrono::Utc::now() - since).num_seconds();
        let (key, n) = match secs {
            s if s < 3600 => ("duration-minutes", (s / 60).max(1)),
            s if s < 86_400 => ("duration-hours", s / 3600),
            s => ("duration-days", s / 86_400),
        };
        let mut args = FluentArgs::new();
        args.set("n", n);
        self.text(lang, key, Some(&args))
    }

    /// Every message key of `lang`'s catalogue, as its files define them.
    pub fn keys(lang: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for (_, _, source) in FILES.iter().filter(|(l, _, _)| *l == lang) {
            if let Ok(resource) = FluentResource::try_new(source.to_string()) {
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        keys.push(m.id.name.to_string());
                    }
                }
            }
        }
        keys
    }
}

/// The shipped language a tag asks for: `de-AT` → `de`, `FR` → `fr`; none for others.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.iter().find(|l| l.code == primary).map(|l| l.code)
}

/// The shipped languages an `Accept-Language` header asks for, most wanted first (weights
/// `q`, ties in the header's order; `q=0` and unknown languages left out).
pub fn accepted(header: &str) -> Vec<&'static str> {
    let mut weighted: Vec<(f32, usize, &'static str)> = header
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0 && q.is_finite())
                .then(|| supported(tag).map(|l| (q, i, l)))
                .flatten()
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<&'static str> = Vec::new();
    for (_, _, l) in weighted {
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The language of a page: the person's setting, then `Accept-Language`, then the
/// instance's default (itself checked at start-up), then English.
pub fn negotiate(
    setting: Option<&str>,
    accept_language: Option<&str>,
    default: &str,
) -> &'static str {
    setting
        .and_then(supported)
        .or_else(|| accept_language.and_then(|h| accepted(h).into_iter().next()))
        .or_else(|| supported(default))
        .unwrap_or(FALLBACK)
}

/// `rtl` for a language written right to left, else `ltr`.
pub fn dir(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or("");
    if RIGHT_TO_LEFT
        .iter()
        .any(|l| l.eq_ignore_ascii_case(primary))
    {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_loads_and_every_language_has_every_key() {
        let catalogue = catalogue().unwrap();
        let mut english = Catalogue::keys(FALLBACK);
        english.sort();
        assert!(!english.is_empty());
        for lang in LANGUAGES {
            let mut keys = Catalogue::keys(lang.code);
            keys.sort();
            let missing: Vec<_> = english.iter().filter(|k| !keys.contains(k)).collect();
            let extra: Vec<_> = keys.iter().filter(|k| !english.contains(k)).collect();
            assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code);
            assert!(extra.is_empty(), "{}: not in English {extra:?}", lang.code);
            for key in &keys {
                assert!(catalogue.has(lang.code, key));
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let c = catalogue().unwrap();
        let mut one = FluentArgs::new();
        one.set("n", 1);
        let mut two = FluentArgs::new();
        two.set("n", 2);
        assert_eq!(c.text("en", "ago-minutes", Some(&one)), "1 minute ago");
        assert_eq!(c.text("en", "ago-minutes", Some(&two)), "2 minutes ago");
        assert_eq!(c.text("de", "ago-minutes", Some(&one)), "vor 1 Minute");
        assert_eq!(c.text("de", "ago-minutes", Some(&two)), "vor 2 Minuten");
        assert_eq!(c.text("fr", "ago-minutes", Some(&one)), "il y a 1 minute");
        assert_eq!(c.text("fr", "ago-minutes", Some(&two)), "il y a 2 minutes");
    }

    #[test]
    fn dates_are_written_per_language() {
        let c = catalogue().unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2001, 2, 3).unwrap();
        assert_eq!(c.date("en", d), "3 February 2001");
        assert_eq!(c.date("de", d), "3. Februar 2001");
        assert_eq!(c.date("fr", d), "3 février 2001");
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_the_key() {
        let c = catalogue().unwrap();
        assert_eq!(
            c.text("xx", "nav-groups", None),
            c.text("en", "nav-groups", None)
        );
        assert_eq!(c.text("de", "no-such-key", None), "no-such-key");
    }

    #[test]
    fn negotiation_prefers_the_setting_then_the_browser_then_the_instance() {
        assert_eq!(negotiate(Some("fr"), Some("de-DE,de;q=0.9"), "en"), "fr");
        assert_eq!(negotiate(None, Some("de-DE,de;q=0.9,en;q=0.8"), "en"), "de");
        assert_eq!(negotiate(None, Some("ja, en;q=0.2, fr;q=0.5"), "de"), "fr");
        assert_eq!(negotiate(None, Some("ja, fr;q=0"), "de"), "de");
        assert_eq!(negotiate(Some("xx"), None, "zz"), "en");
        assert_eq!(negotiate(None, Some(";;,q=,=,"), "fr"), "fr");
        assert_eq!(
            accepted("fr-CA;q=0.5, de;q=0.5, en"),
            vec!["en", "fr", "de"]
        );
    }

    #[test]
    fn right_to_left_languages() {
        assert_eq!(dir("ar"), "rtl");
        assert_eq!(dir("he-IL"), "rtl");
        assert_eq!(dir("de"), "ltr");
    }
}
