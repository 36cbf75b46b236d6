//! Which software reads a new post from the group's `Announce{Create{Page}}` alone, and which
//! also needs the plain `Announce{Note}` to show it in a timeline.
//!
//! A group hosted here announces a new post twice: the `Create` wrapped in an `Announce`
//! (FEP-1b12, what the Lemmy family reads), and the post itself as a `Note` (what Mastodon and
//! other microblogs boost into their followers' timelines). The Lemmy family refuses the
//! second with a 400, so it gets one delivery; everything else, and anything not known, gets
//! both (a second copy costs a request; a missing one costs the post).

/// Software, as NodeInfo's `software.name` gives it (lowercased), that reads a post from the
/// `Announce{Create}` alone.
const ONE_DELIVERY: &[&str] = &["cohort", "lemmy", "piefed", "mbin", "kbin", "nodebb"];

/// True when one delivery of a new post is enough for `software` (NodeInfo's name).
pub fn one_delivery_is_enough(software: &str) -> bool {
    ONE_DELIVERY
        .iter()
        .any(|s| s.eq_ignore_ascii_case(software.trim()))
}

/// NodeInfo's `software.name` as stored: lowercase, at most 64 characters of letters, digits,
/// `-`, `_` and `.` (what the NodeInfo schema allows); `None` for anything else.
pub fn normalise_name(name: &str) -> Option<String> {
    let name = name.trim().to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(name)
}

/// NodeInfo's `software.version` as stored: at most 64 printable characters, else none.
pub fn normalise_version(version: &str) -> Option<String> {
    let v = version.trim();
    (!v.is_empty() && v.len() <= 64 && v.chars().all(|c| !c.is_control())).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lemmy_family_gets_one_delivery_and_everyone_else_two() {
        for one in [
            "lemmy", "PieFed", "mbin", "kbin", "nodebb", "cohort", " lemmy ",
        ] {
            assert!(one_delivery_is_enough(one), "{one}");
        }
        for two in [
            "mastodon",
            "gotosocial",
            "misskey",
            "sharkey",
            "akkoma",
            "pleroma",
            "mitra",
            "friendica",
            "",
            "lemmy-fork",
        ] {
            assert!(!one_delivery_is_enough(two), "{two}");
        }
    }

    #[test]
    fn names_and_versions_are_checked() {
        assert_eq!(normalise_name(" Lemmy "), Some("lemmy".into()));
        assert_eq!(normalise_name("mastodon"), Some("mastodon".into()));
        assert_eq!(normalise_name("<script>"), None);
        assert_eq!(normalise_name(""), None);
        assert_eq!(normalise_name(&"a".repeat(65)), None);
        assert_eq!(normalise_version("0.19.20"), Some("0.19.20".into()));
        assert_eq!(
            normalise_version("4.3.0+glitch"),
            Some("4.3.0+glitch".into())
        );
        assert_eq!(normalise_version("bad\nversion"), None);
        assert_eq!(normalise_version(&"9".repeat(65)), None);
    }
}
