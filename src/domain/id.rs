//! Time-sortable 64-bit ids, as Mastodon makes them, that no two nodes can both make.
//!
//! The upper 48 bits are Unix milliseconds; below them 8 bits count the ids this process made
//! in that millisecond and the lowest 8 bits are the node's number. Each process claims its
//! number from the database when it starts (`Db::claim_node_number`), so two nodes writing the
//! same tables at once — or a command run beside the server — make different ids even in the
//! same millisecond: they differ in the low bits. Ids sort by creation time; a process that
//! makes more than 256 in a millisecond borrows the next one. JSON renders ids as strings
//! (JavaScript loses precision above 2^53).

use std::sync::atomic::{AtomicI64, Ordering};

/// How many node numbers there are: two nodes share one only when 256 others started between
/// them.
pub const NODE_NUMBERS: i64 = 1 << NODE_BITS;
const NODE_BITS: u32 = 8;
const TIME_SHIFT: u32 = 16;

static LAST: AtomicI64 = AtomicI64::new(0);
static NODE: AtomicI64 = AtomicI64::new(0);

/// Makes this process's ids end in `claimed` (taken modulo [`NODE_NUMBERS`]).
pub fn set_node(claimed: i64) {
    NODE.store(claimed.rem_euclid(NODE_NUMBERS), Ordering::Relaxed);
}

/// A new id, strictly greater than every id this process made before.
pub fn next_id() -> i64 {
    let (ms, node) = (super::time::now_ms(), NODE.load(Ordering::Relaxed));
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = following(last, ms, node);
        match LAST.compare_exchange_weak(last, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return candidate,
            Err(seen) => last = seen,
        }
    }
}

/// The id after `last` made at `ms` by node `node`: the millisecond's first, or one count
/// above `last` when this millisecond (or a later one borrowed) already has ids. Both keep
/// the node's low bits.
fn following(last: i64, ms: i64, node: i64) -> i64 {
    let first = (ms << TIME_SHIFT) | node;
    let counted = (last + NODE_NUMBERS) & !(NODE_NUMBERS - 1) | node;
    first.max(counted)
}

/// An id for something that happened at the Unix millisecond `ms` in the past (the demo's
/// history): sorted among other ids by that time, not by when it was made. Unlike
/// [`next_id`] it is not kept above earlier ids, so records made this way need times of their
/// own; the primary key catches the rare collision.
pub fn id_at(ms: i64) -> i64 {
    (ms << TIME_SHIFT) | i64::from(rand::random::<u16>() & 0x0fff)
}

/// The smallest id made at or after the Unix millisecond `ms`: ids before it are older.
pub fn first_at(ms: i64) -> i64 {
    ms << TIME_SHIFT
}

/// The Unix millisecond an id made by [`next_id`] or [`id_at`] carries.
pub fn made_at(id: i64) -> i64 {
    id >> TIME_SHIFT
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
    fn two_nodes_never_make_the_same_id() {
        // Two nodes making ids as fast as they can through the same milliseconds, past the
        // 256 a millisecond holds.
        let ms = 1_800_000_000_000;
        let made_by = |node: i64| {
            let mut last = 0;
            (0..1_000)
                .map(|i| {
                    last = following(last, ms + i / 700, node);
                    last
                })
                .collect::<Vec<_>>()
        };
        let (one, other) = (made_by(3), made_by(4));
        assert!(one.windows(2).all(|w| w[0] < w[1]), "a node's ids grow");
        assert!(one.iter().all(|id| id & 0xff == 3));
        assert!(other.iter().all(|id| id & 0xff == 4));
        let both: std::collections::HashSet<i64> = one.iter().chain(&other).copied().collect();
        assert_eq!(both.len(), 2_000);
        assert_eq!(made_at(one[0]), ms);
        // More than a millisecond holds: the rest borrow the next, still in order.
        assert!(made_at(one[699]) > ms);
    }

    #[test]
    fn a_node_number_is_taken_modulo_the_numbers_there_are() {
        assert_eq!(following(0, 5, 300 % NODE_NUMBERS), (5 << 16) | 44);
        assert_eq!(following((5 << 16) | 44, 5, 44), (5 << 16) | 256 | 44);
        // A later millisecond starts again from its first id.
        assert_eq!(following((5 << 16) | 256 | 44, 6, 44), (6 << 16) | 44);
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
