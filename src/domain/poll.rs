//! Polls on statuses (Mastodon's): what a poll may ask, how a vote is checked, and when its
//! numbers are shown. The institution asks its residents; a poll in `organization` or
//! `department` visibility is voted on (and counted) only by its audience, because only they
//! can see the status.

use super::Invalid;

/// Mastodon's limits, as `/api/v2/instance` advertises them.
pub const OPTIONS_MAX: usize = 4;
pub const OPTION_CHARS_MAX: usize = 50;
pub const EXPIRES_MIN_SECS: i64 = 300;
pub const EXPIRES_MAX_SECS: i64 = 2_629_746;

/// A poll as asked for with a new status, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPoll {
    pub options: Vec<String>,
    pub expires_in_secs: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

fn poll_problem(message: &'static str) -> Invalid {
    Invalid::new("poll", "ERR_INVALID", message)
}

impl NewPoll {
    /// Reads `poll[options][]`, `poll[expires_in]` (seconds), `poll[multiple]` and
    /// `poll[hide_totals]`: two to four distinct options of at most 50 characters, open five
    /// minutes to a month.
    pub fn parse(
        options: &[String],
        expires_in: Option<&str>,
        multiple: bool,
        hide_totals: bool,
    ) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let options: Vec<String> = options.iter().map(|o| o.trim().to_owned()).collect();
        if options.len() < 2 {
            problems.push(poll_problem("invalid.poll_too_few"));
        } else if options.len() > OPTIONS_MAX {
            problems.push(poll_problem("invalid.poll_too_many"));
        }
        if options.iter().any(String::is_empty) {
            problems.push(poll_problem("invalid.poll_option_blank"));
        } else if options
            .iter()
            .any(|o| o.chars().count() > OPTION_CHARS_MAX || super::has_forbidden_control(o))
        {
            problems.push(poll_problem("invalid.poll_option_long"));
        }
        let mut distinct = options.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != options.len() {
            problems.push(poll_problem("invalid.poll_duplicate"));
        }
        let expires_in_secs = match expires_in.map(str::trim).filter(|e| !e.is_empty()) {
            None => {
                problems.push(poll_problem("invalid.poll_expiry"));
                0
            }
            Some(raw) => match raw.parse::<f64>() {
                Ok(secs) if secs.is_finite() => {
                    // Whole seconds; the bounds decide, not the fraction.
                    #[allow(clippy::cast_possible_truncation)]
                    let secs = secs.trunc().clamp(-1.0, 1e12) as i64;
                    if !(EXPIRES_MIN_SECS..=EXPIRES_MAX_SECS).contains(&secs) {
                        problems.push(poll_problem("invalid.poll_expiry"));
                    }
                    secs
                }
                _ => {
                    problems.push(poll_problem("invalid.poll_expiry"));
                    0
                }
            },
        };
        if problems.is_empty() {
            Ok(Self {
                options,
                expires_in_secs,
                multiple,
                hide_totals,
            })
        } else {
            Err(problems)
        }
    }
}

/// The refusal of a poll on a status with photos (Mastodon allows one or the other).
pub const POLL_WITH_PHOTOS: Invalid =
    Invalid::new("poll", "ERR_INVALID", "invalid.poll_with_media");

/// What a poll is, for a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    pub options: usize,
    pub multiple: bool,
    pub expires_at: i64,
    pub voted_before: bool,
}

/// Checks a vote (`choices`, option indexes as sent) at `now`: not after the end, not twice,
/// at least one choice, each an option, and one only unless the poll takes several. Returns
/// the choices, each once, in order.
pub fn vote(ballot: Ballot, choices: &[String], now: i64) -> Result<Vec<i64>, Invalid> {
    let refused = |message| Invalid::new("choices", "ERR_INVALID", message);
    if now >= ballot.expires_at {
        return Err(refused("invalid.poll_ended"));
    }
    if ballot.voted_before {
        return Err(Invalid::new("choices", "ERR_TAKEN", "invalid.poll_voted"));
    }
    let mut picked = Vec::new();
    for raw in choices {
        let index = raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|i| *i < ballot.options)
            .ok_or(refused("invalid.poll_choice"))?;
        let index = i64::try_from(index).map_err(|_| refused("invalid.poll_choice"))?;
        if !picked.contains(&index) {
            picked.push(index);
        }
    }
    picked.sort_unstable();
    if picked.is_empty() {
        return Err(Invalid::blank("choices"));
    }
    if picked.len() > 1 && !ballot.multiple {
        return Err(refused("invalid.poll_one_choice"));
    }
    Ok(picked)
}

/// Whether the numbers per option are shown: always once the poll has ended and to its
/// author; otherwise unless the author chose to hide them until the end.
pub fn shows_totals(hide_totals: bool, expires_at: i64, now: i64, is_author: bool) -> bool {
    !hide_totals || now >= expires_at || is_author
}

/// When a poll asked now for `secs` seconds ends (Unix ms).
pub fn ends_at(created_at: i64, secs: i64) -> i64 {
    created_at.saturating_add(secs.saturating_mul(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_poll_asks_two_to_four_distinct_short_options_for_five_minutes_to_a_month() {
        let good = NewPoll::parse(&options(&["찬성", " 반대 "]), Some("86400"), false, true);
        assert_eq!(
            good,
            Ok(NewPoll {
                options: options(&["찬성", "반대"]),
                expires_in_secs: 86_400,
                multiple: false,
                hide_totals: true,
            })
        );
        let long = "가".repeat(OPTION_CHARS_MAX + 1);
        for (list, expires, message) in [
            (vec!["하나"], Some("3600"), "invalid.poll_too_few"),
            (
                vec!["1", "2", "3", "4", "5"],
                Some("3600"),
                "invalid.poll_too_many",
            ),
            (vec!["같음", "같음"], Some("3600"), "invalid.poll_duplicate"),
            (vec!["좋음", " "], Some("3600"), "invalid.poll_option_blank"),
            (
                vec!["좋음", long.as_str()],
                Some("3600"),
                "invalid.poll_option_long",
            ),
            (vec!["좋음", "싫음"], Some("299"), "invalid.poll_expiry"),
            (vec!["좋음", "싫음"], Some("2629747"), "invalid.poll_expiry"),
            (vec!["좋음", "싫음"], Some("soon"), "invalid.poll_expiry"),
            (vec!["좋음", "싫음"], None, "invalid.poll_expiry"),
        ] {
            let problems = NewPoll::parse(&options(&list), expires, false, false).unwrap_err();
            assert_eq!(problems[0].message, message, "{list:?} {expires:?}");
        }
    }

    #[test]
    fn a_vote_is_one_choice_or_several_once_before_the_end() {
        let ballot = Ballot {
            options: 3,
            multiple: false,
            expires_at: 1_000,
            voted_before: false,
        };
        assert_eq!(vote(ballot, &options(&["2"]), 10), Ok(vec![2]));
        let refused = |b, c: &[&str], now| vote(b, &options(c), now).unwrap_err().message;
        assert_eq!(refused(ballot, &["0", "1"], 10), "invalid.poll_one_choice");
        assert_eq!(refused(ballot, &["3"], 10), "invalid.poll_choice");
        assert_eq!(refused(ballot, &["-1"], 10), "invalid.poll_choice");
        assert_eq!(refused(ballot, &[], 10), "invalid.blank");
        assert_eq!(refused(ballot, &["0"], 1_000), "invalid.poll_ended");
        let again = Ballot {
            voted_before: true,
            ..ballot
        };
        assert_eq!(refused(again, &["0"], 10), "invalid.poll_voted");
        let several = Ballot {
            multiple: true,
            ..ballot
        };
        assert_eq!(
            vote(several, &options(&["2", "0", "2"]), 10),
            Ok(vec![0, 2])
        );
    }

    #[test]
    fn hidden_totals_show_to_the_author_and_after_the_end() {
        assert!(shows_totals(false, 100, 0, false));
        assert!(!shows_totals(true, 100, 0, false));
        assert!(shows_totals(true, 100, 0, true));
        assert!(shows_totals(true, 100, 100, false));
    }
}
