//! Names of people and groups, and handles that point at them (`name` or `name@host`).

use crate::error::{Error, Result};

fn check_name(field: &str, what: &str, raw: &str) -> Result<String> {
    let ok = (3..=32).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(Error::invalid(
            field,
            format!("{what} must be 3 to 32 characters of a-z, 0-9 and _"),
        ))
    }
}

/// A local account name: `[a-z0-9_]{3,32}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Checks `raw` against the rules.
    pub fn parse(raw: &str) -> Result<Self> {
        check_name("username", "a username", raw).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A local group name: `[a-z0-9_]{3,32}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    /// Checks `raw` against the rules.
    pub fn parse(raw: &str) -> Result<Self> {
        check_name("name", "a group name", raw).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `name` (here) or `name@host`, optionally written with a leading `!` or `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    /// The name part, lower-cased.
    pub name: String,
    /// The host part, lower-cased; `None` means this instance.
    pub host: Option<String>,
}

impl Handle {
    /// Splits a handle. The name is not checked against local naming rules, since remote
    /// servers have their own; it only must be non-empty and free of separators.
    pub fn parse(raw: &str) -> Result<Self> {
        let trimmed = raw.trim().trim_start_matches(['!', '@']);
        let (name, host) = match trimmed.split_once('@') {
            Some((n, h)) => (n, Some(h)),
            None => (trimmed, None),
        };
        let bad_name = name.is_empty()
            || name.len() > 64
            || name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "/@?#!".contains(c));
        let bad_host = host.is_some_and(|h| {
            h.is_empty()
                || h.len() > 253
                || !h
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
        if bad_name || bad_host {
            return Err(Error::invalid("handle", "expected name or name@host"));
        }
        Ok(Self {
            name: name.to_ascii_lowercase(),
            host: host.map(str::to_ascii_lowercase),
        })
    }

    /// True when the handle names something on `local_domain`.
    pub fn is_local(&self, local_domain: &str) -> bool {
        self.host.as_deref().is_none_or(|h| h == local_domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(Username::parse("alice_2").is_ok());
        for bad in ["al", "Alice", "a-b", "ålice", "", &"x".repeat(33), "a b"] {
            let e = Username::parse(bad).unwrap_err();
            assert!(
                matches!(e, Error::Invalid { ref field, .. } if field == "username"),
                "{bad}"
            );
        }
        assert!(Username::parse(&"x".repeat(32)).is_ok());
    }

    #[test]
    fn group_names_name_their_field() {
        assert!(GroupName::parse("rust_learners").is_ok());
        let e = GroupName::parse("Rust").unwrap_err();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "name"));
    }

    #[test]
    fn handles() {
        let h = Handle::parse("!Rust@Example.org").unwrap();
        assert_eq!(h.name, "rust");
        assert_eq!(h.host.as_deref(), Some("example.org"));
        assert!(!h.is_local("cohort.test"));
        let h = Handle::parse("rust").unwrap();
        assert!(h.is_local("cohort.test"));
        assert!(
            Handle::parse("rust@localhost:8080")
                .unwrap()
                .is_local("localhost:8080")
        );
        for bad in ["", "@", "a@", "a/b", "a@b/c", "a b@c"] {
            assert!(Handle::parse(bad).is_err(), "{bad:?}");
        }
    }
}
