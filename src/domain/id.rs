//! Time-sortable 64-bit ids, as Mastodon makes them.
//!
//! The upper 48 bits are Unix milliseconds, the lower 16 a per-process sequence that starts at a
//! random point, so ids sort by creation time, several nodes rarely meet, and the primary key
//! catches the rare collision. JSON renders them as strings (JavaScript loses precision above 2^53).

use std::sync::atomic::{AtomicI64, Ordering};

static LAST: AtomicI64 = AtomicI64::new(0);

/// A new id, strictly greater than every id this process made before.
pub fn next_id() -> i64 {
    let stamp = (super::time::now_ms() << 16) | i64::from(rand::random::<u16>() & 0x0fff);
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = stamp.max(last + 1);
        match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return candidate,
            Err(seen) => last = seen,
        }
    }
}

/// An id for something that happened at the Unix millisecond `ms` in the past (the demo's
/// history): sorted among other ids by that time, not by when it was made. Unlike
/// [`next_id`] it is not kept above earlier ids, so records made this way need times of their
/// own; the primary key catches the rare collision.
pub fn id_at(ms: i64) -> i64 {
    (ms << 16) | i64::from(rand::random::<u16>() & 0x0fff)
}

/// The smallest id made at or after the Unix millisecond `ms`: ids before it are older.
pub fn first_at(ms: i64) -> i64 {
    ms << 16
}

/// The Unix millisecond an id made by [`next_id`] or [`id_at`] carries.
pub fn made_at(id: i64) -> i64 {
    id >> 16
}

/// Parses an id from its JSON string form; `None` for anything that is not a positive integer.
pub fn parse_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_and_carry_the_time() {
        let a = next_id();
        let b = next_id();
        assert!(b > a);
        let ms = a >> 16;
        assert!((ms - crate::domain::time::now_ms()).abs() < 10_000);
    }

    #[test]
    fn an_id_of_the_past_carries_its_time() {
        let ms = 1_299_110_400_000; // 2011-03-03 00:00 UTC
        let id = id_at(ms);
        assert_eq!(id >> 16, ms);
        assert!(id >= first_at(ms) && id < first_at(ms + 1));
        assert!(id < next_id());
    }

    #[test]
    fn only_positive_integers_are_ids() {
        assert_eq!(parse_id("123"), Some(123));
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("1; DROP TABLE accounts"), None);
    }
}
