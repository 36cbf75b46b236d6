//! What members write, named one way everywhere: [`ContentRef`] is the one typed reference
//! to "a post or a reply" that the rules, the use cases, the outbox and the moderation log
//! share. A new kind of content (an answer, a wiki page) becomes one more variant here, and
//! the compiler then lists every place that must learn about it.

/// A post or a reply, by its local row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentRef {
    /// A post (a thread's first entry).
    Post(i64),
    /// A reply in a thread.
    Reply(i64),
}

impl ContentRef {
    /// The kind's name, as errors and logs say it.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Post(_) => "post",
            Self::Reply(_) => "reply",
        }
    }

    /// The row id.
    pub fn id(self) -> i64 {
        match self {
            Self::Post(id) | Self::Reply(id) => id,
        }
    }
}
