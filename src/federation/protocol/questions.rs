//! Questions and accepted answers, as PieFed sends them: `ChooseAnswer{object: reply id,
//! audience: group}` to the group (announced by the group to its followers when it is hosted
//! there), taken back by `Undo{ChooseAnswer}` with the original embedded, id included.
//!
//! These types are read and written as data only; what an inbound `ChooseAnswer` does is not
//! wired into the inbox yet (it will call `usecases::questions`).

use activitypub_federation::{
    kinds::activity::{AnnounceType, UndoType},
    protocol::helpers::deserialize_one_or_many,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// The `ChooseAnswer` type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum ChooseAnswerType {
    /// `ChooseAnswer`.
    #[default]
    ChooseAnswer,
}

/// A question's author (or a moderator) accepts a reply as its answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChooseAnswer {
    /// The activity id.
    pub id: Url,
    /// `ChooseAnswer`.
    #[serde(rename = "type")]
    pub kind: ChooseAnswerType,
    /// Who accepts.
    pub actor: Url,
    /// The reply accepted.
    pub object: Url,
    /// The group.
    pub audience: Url,
    /// Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

/// The accepted answer taken back: `Undo` with the `ChooseAnswer` embedded.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoChooseAnswer {
    /// The activity id.
    pub id: Url,
    /// `Undo`.
    #[serde(rename = "type")]
    pub kind: UndoType,
    /// Who takes it back.
    pub actor: Url,
    /// The choice undone.
    pub object: ChooseAnswer,
    /// The group.
    pub audience: Url,
    /// Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The group.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

/// Either of the two, as a group relays them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AnswerActivity {
    /// Taken back (tried first: it embeds a `ChooseAnswer`).
    Undo(Box<UndoChooseAnswer>),
    /// Accepted.
    Choose(Box<ChooseAnswer>),
}

impl AnswerActivity {
    /// The activity's id.
    pub fn id(&self) -> &Url {
        match self {
            Self::Undo(u) => &u.id,
            Self::Choose(c) => &c.id,
        }
    }
}

/// A group hosted here relaying a `ChooseAnswer` (or its `Undo`) to its followers.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnnounceAnswer {
    /// The activity id.
    pub id: Url,
    /// `Announce`.
    #[serde(rename = "type")]
    pub kind: AnnounceType,
    /// The group.
    pub actor: Url,
    /// What is relayed, unchanged.
    pub object: AnswerActivity,
    /// Public.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<Url>,
    /// The group's followers.
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<Url>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn fixture(name: &str) -> serde_json::Value {
        let path = format!("{FIXTURES}/{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("fixture JSON")
    }

    /// PieFed's own activities read as these types and, written back, give the same JSON
    /// (without the `@context`, which is added on sending).
    #[test]
    fn piefed_shapes_round_trip() {
        for (name, undo) in [
            ("piefed/choose_answer.json", false),
            ("piefed/undo_choose_answer.json", true),
        ] {
            let mut json = fixture(name);
            let a: AnswerActivity = serde_json::from_value(json.clone()).expect(name);
            assert_eq!(matches!(a, AnswerActivity::Undo(_)), undo, "{name}");
            if let Some(m) = json.as_object_mut() {
                m.remove("@context");
            }
            assert_eq!(
                serde_json::to_value(&a).expect("serialises"),
                json,
                "{name}"
            );
        }
        let mut json = fixture("piefed/announce_choose_answer.json");
        let a: AnnounceAnswer = serde_json::from_value(json.clone()).expect("announce");
        if let Some(m) = json.as_object_mut() {
            m.remove("@context");
        }
        assert_eq!(serde_json::to_value(&a).expect("serialises"), json);
    }
}
