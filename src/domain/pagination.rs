//! Keyset pagination: a page ends with an opaque cursor naming the last row's sort key and
//! id; the next page starts strictly after it. Pages stay stable and cheap however deep one
//! reads, unlike OFFSET.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// Items per page when the client does not say.
pub const DEFAULT_LIMIT: u64 = 20;
/// Most items per page.
pub const MAX_LIMIT: u64 = 100;

/// The page size asked for, checked.
pub fn limit(requested: Option<u64>) -> Result<u64> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Orders of a group's posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostSort {
    /// Newest first.
    New,
    /// Most recent reply (or creation) first.
    Active,
    /// Score decayed by age (see `ranking`).
    #[default]
    Hot,
    /// Highest score first.
    Top,
}

impl PostSort {
    /// Parses the `sort` query value.
    pub fn parse(raw: Option<&str>) -> Result<Self> {
        match raw {
            None | Some("") => Ok(Self::default()),
            Some("new") => Ok(Self::New),
            Some("active") => Ok(Self::Active),
            Some("hot") => Ok(Self::Hot),
            Some("top") => Ok(Self::Top),
            Some(_) => Err(Error::invalid(
                "sort",
                "must be one of new, active, hot, top",
            )),
        }
    }
}

/// The sort key of the last row of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum CursorKey {
    /// An integer key (score).
    Int(i64),
    /// A floating-point key (hot rank), kept bit-exact.
    Float(f64),
    /// A creation-time key (sort `new`).
    Time(DateTime<Utc>),
    /// A last-activity key (sort `active`); a separate kind so the two cursors cannot be mixed.
    Active(DateTime<Utc>),
    /// A text key (names).
    Text(String),
    /// A search's score, and the time (seconds) the search ranked recency from, so that
    /// every page of it ranks alike.
    Relevance {
        /// The last hit's score, kept bit-exact.
        score: f64,
        /// When the first page was asked for.
        as_of: i64,
    },
}

/// Where the next page starts: after the row with this key and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The sort key of the last row.
    pub key: CursorKey,
    /// The id of the last row, breaking ties.
    pub id: i64,
}

impl Cursor {
    /// The opaque text form handed to clients.
    pub fn encode(&self) -> String {
        let plain = match &self.key {
            CursorKey::Int(v) => format!("i:{}:{v}", self.id),
            CursorKey::Float(v) => format!("f:{}:{:016x}", self.id, v.to_bits()),
            CursorKey::Time(t) => format!("t:{}:{}", self.id, t.timestamp_micros()),
            CursorKey::Active(t) => format!("a:{}:{}", self.id, t.timestamp_micros()),
            CursorKey::Text(s) => format!("s:{}:{s}", self.id),
            CursorKey::Relevance { score, as_of } => {
                format!("r:{}:{as_of}:{:016x}", self.id, score.to_bits())
            }
        };
        super::hex(plain.as_bytes())
    }

    /// Reads a cursor handed back by a client.
    pub fn decode(raw: &str) -> Result<Self> {
        let bad = || Error::invalid("cursor", "is not a cursor this server issued");
        if !raw.len().is_multiple_of(2) || raw.len() > 2048 {
            return Err(bad());
        }
        let bytes = (0..raw.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(raw.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = plain.splitn(3, ':');
        let (Some(tag), Some(id), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let id = id.parse().map_err(|_| bad())?;
        // Both databases store years 1 to 9999 at most; anything else was not issued here.
        let time = |v: &str| -> Result<DateTime<Utc>> {
            let t =
                DateTime::from_timestamp_micros(v.parse().map_err(|_| bad())?).ok_or_else(bad)?;
            if (1..=9999).contains(&chrono::Datelike::year(&t)) {
                Ok(t)
            } else {
                Err(bad())
            }
        };
        let key = match tag {
            "i" => CursorKey::Int(value.parse().map_err(|_| bad())?),
            "f" => CursorKey::Float(f64::from_bits(
                u64::from_str_radix(value, 16).map_err(|_| bad())?,
            )),
            "t" => CursorKey::Time(time(value)?),
            "a" => CursorKey::Active(time(value)?),
            "s" if !value.chars().any(char::is_control) => CursorKey::Text(value.to_string()),
            "r" => {
                let (as_of, score) = value.split_once(':').ok_or_else(bad)?;
                CursorKey::Relevance {
                    score: f64::from_bits(u64::from_str_radix(score, 16).map_err(|_| bad())?),
                    as_of: as_of.parse().map_err(|_| bad())?,
                }
            }
            _ => return Err(bad()),
        };
        Ok(Self { key, id })
    }

    /// Decodes an optional cursor parameter.
    pub fn decode_opt(raw: Option<&str>) -> Result<Option<Self>> {
        raw.filter(|s| !s.is_empty()).map(Self::decode).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for key in [
            CursorKey::Int(-5),
            CursorKey::Float(1.234_567_890_123_f64),
            CursorKey::Time(DateTime::from_timestamp_micros(1_767_225_600_123_456).unwrap()),
            CursorKey::Active(DateTime::from_timestamp_micros(1_767_225_600_123_456).unwrap()),
            CursorKey::Text("a:b:c".into()),
            CursorKey::Relevance {
                score: 0.123_456_789,
                as_of: 1_767_225_600,
            },
        ] {
            let c = Cursor { key, id: 42 };
            assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        }
    }

    #[test]
    fn garbage_cursors_are_invalid_input() {
        for bad in [
            "zz",
            "abc",
            "00",
            &crate::domain::hex(b"x:1:2"),
            &crate::domain::hex(b"i:one:2"),
            &crate::domain::hex(b"s:1:a\0b"),
            &crate::domain::hex(b"t:1:-1000000000000000000"),
        ] {
            let e = Cursor::decode(bad).unwrap_err();
            assert!(
                matches!(e, Error::Invalid { ref field, .. } if field == "cursor"),
                "{bad}"
            );
        }
    }

    #[test]
    fn limits_and_sorts() {
        assert_eq!(limit(None).unwrap(), DEFAULT_LIMIT);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
        assert_eq!(PostSort::parse(Some("top")).unwrap(), PostSort::Top);
        assert!(PostSort::parse(Some("best")).is_err());
    }
}
