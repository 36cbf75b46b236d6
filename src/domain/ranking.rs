//! The "hot" rank of a post: score decayed by age.
//!
//! Rather than shrinking every post's score as time passes (which would need every rank
//! rewritten continually), newer posts get a bonus that grows linearly with their creation
//! time while the score counts logarithmically, as reddit's published ranking does, with one
//! change: the score counts as log10(|score| + 1), so that -1, 0 and +1 differ (reddit's
//! log10(max(|score|, 1)) ranks them alike). A post needs about ten times the net votes to
//! hold its place against one 12.5 hours younger. Ordering
//! by this value equals ordering by decayed score, and it only changes when votes change, so
//! it can be stored, indexed and paged with a keyset cursor.

use chrono::{DateTime, Utc};

/// Seconds of age that cost one order of magnitude of score.
pub const DECAY_SECONDS: f64 = 45_000.0;
/// An arbitrary epoch near the project's start, to keep values small.
const EPOCH: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// The hot rank of a post with net `score` created at `created_at`.
pub fn hot_rank(score: i32, created_at: DateTime<Utc>) -> f64 {
    let s = f64::from(score);
    let order = (s.abs() + 1.0).log10();
    let sign = if score > 0 {
        1.0
    } else if score < 0 {
        -1.0
    } else {
        0.0
    };
    sign * order + (created_at.timestamp() - EPOCH) as f64 / DECAY_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn newer_beats_older_at_equal_score() {
        let t = Utc::now();
        assert!(hot_rank(5, t) > hot_rank(5, t - Duration::hours(1)));
    }

    #[test]
    fn votes_raise_rank() {
        let t = Utc::now();
        assert!(hot_rank(10, t) > hot_rank(1, t));
        assert!(hot_rank(-3, t) < hot_rank(0, t));
        assert!(hot_rank(-1, t) < hot_rank(0, t));
        assert!(hot_rank(0, t) < hot_rank(1, t));
    }

    #[test]
    fn about_ten_times_the_votes_hold_against_decay_seconds() {
        let t = Utc::now();
        let older = hot_rank(99, t - Duration::seconds(45_000));
        let newer = hot_rank(9, t);
        assert!((older - newer).abs() < 1e-9, "{older} vs {newer}");
    }
}
