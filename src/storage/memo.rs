//! A read memo for one inbound activity.
//!
//! Checking and storing one activity looks the same rows up several times (the object, its
//! parent, the parent's post and group, the actor), each a round trip to the database. Inside
//! [`scope`] the lookups below are answered from memory after the first, and every write
//! through `storage` (posts, replies, votes, groups, people) empties the memo, so a read never
//! sees a row older than this task's own writes. Outside a scope (every other request, every
//! spawned task) nothing is memoised. Rows written by other requests meanwhile are no more
//! visible than they would be to a read that happened a moment earlier.

use std::{cell::RefCell, collections::HashMap, future::Future};

use super::entities::{groups, persons, posts, replies};

#[derive(Default)]
struct Memo {
    posts_by_ap_id: HashMap<String, Option<posts::Model>>,
    replies_by_ap_id: HashMap<String, Option<replies::Model>>,
    posts: HashMap<i64, Option<posts::Model>>,
    groups: HashMap<i64, Option<groups::Model>>,
    persons_by_ap_id: HashMap<String, Option<persons::Model>>,
}

tokio::task_local! {
    static MEMO: RefCell<Memo>;
}

/// Runs `f` with a fresh memo.
pub async fn scope<F: Future>(f: F) -> F::Output {
    MEMO.scope(RefCell::new(Memo::default()), f).await
}

/// Forgets everything (called by every write).
pub fn clear() {
    let _ = MEMO.try_with(|m| *m.borrow_mut() = Memo::default());
}

macro_rules! memo_map {
    ($get:ident, $put:ident, $field:ident, $key:ty, $val:ty) => {
        pub(crate) fn $get(key: &$key) -> Option<Option<$val>> {
            MEMO.try_with(|m| m.borrow().$field.get(key).cloned())
                .ok()
                .flatten()
        }
        pub(crate) fn $put(key: &$key, value: &Option<$val>) {
            let _ = MEMO.try_with(|m| m.borrow_mut().$field.insert(key.to_owned(), value.clone()));
        }
    };
}

memo_map!(
    post_by_ap_id,
    put_post_by_ap_id,
    posts_by_ap_id,
    str,
    posts::Model
);
memo_map!(
    reply_by_ap_id,
    put_reply_by_ap_id,
    replies_by_ap_id,
    str,
    replies::Model
);
memo_map!(post, put_post, posts, i64, posts::Model);
memo_map!(group, put_group, groups, i64, groups::Model);
memo_map!(
    person_by_ap_id,
    put_person_by_ap_id,
    persons_by_ap_id,
    str,
    persons::Model
);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_inside_a_scope_and_cleared_by_writes() {
        put_post(&1, &None);
        assert_eq!(post(&1), None, "no memo outside a scope");
        scope(async {
            put_post(&1, &None);
            assert_eq!(post(&1), Some(None));
            clear();
            assert_eq!(post(&1), None);
        })
        .await;
    }
}
