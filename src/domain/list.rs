//! Lists (Mastodon's): an account's named groups of the accounts it follows, each read as a
//! timeline; which replies a list shows; and the limits.

use super::Invalid;

pub const TITLE_MAX: usize = 100;
/// Lists an account may have (Mastodon's limit).
pub const LISTS_MAX: i64 = 50;
/// Accounts one list may hold.
pub const ACCOUNTS_MAX: i64 = 500;

/// Which replies of its members a list shows (a member's reply to themselves always shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepliesPolicy {
    /// Replies to anyone the list's owner follows.
    Followed,
    /// Replies to other members of the list.
    List,
    /// None.
    None,
}

impl RepliesPolicy {
    pub const ALL: [Self; 3] = [Self::Followed, Self::List, Self::None];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Followed => "followed",
            Self::List => "list",
            Self::None => "none",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value.trim())
    }
}

impl TryFrom<String> for RepliesPolicy {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or(value)
    }
}

/// A list's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSettings {
    pub title: String,
    pub replies_policy: RepliesPolicy,
    pub exclusive: bool,
}

/// A list's settings as asked for: what is left out keeps its value in `current` (an update),
/// or takes Mastodon's default (a new list: replies to members, not exclusive).
#[derive(Debug, Clone, Default)]
pub struct ListChange<'a> {
    pub title: Option<&'a str>,
    pub replies_policy: Option<&'a str>,
    pub exclusive: Option<bool>,
}

impl ListChange<'_> {
    pub fn settle(&self, current: Option<&ListSettings>) -> Result<ListSettings, Vec<Invalid>> {
        let mut problems = Vec::new();
        let title = match (self.title.map(str::trim), current) {
            (Some(""), _) => {
                problems.push(Invalid::blank("title"));
                String::new()
            }
            (Some(title), _) if title.chars().count() > TITLE_MAX => {
                problems.push(Invalid::too_long("title"));
                String::new()
            }
            (Some(title), _) if super::has_forbidden_control(title) => {
                problems.push(Invalid::malformed("title"));
                String::new()
            }
            (Some(title), _) => title.to_owned(),
            (None, Some(current)) => current.title.clone(),
            (None, None) => {
                problems.push(Invalid::blank("title"));
                String::new()
            }
        };
        let replies_policy = match self.replies_policy.map(str::trim) {
            None | Some("") => current.map_or(RepliesPolicy::List, |c| c.replies_policy),
            Some(raw) => RepliesPolicy::parse(raw).unwrap_or_else(|| {
                problems.push(Invalid::new(
                    "replies_policy",
                    "ERR_INCLUSION",
                    "invalid.replies_policy",
                ));
                RepliesPolicy::List
            }),
        };
        let exclusive = self
            .exclusive
            .unwrap_or_else(|| current.is_some_and(|c| c.exclusive));
        if problems.is_empty() {
            Ok(ListSettings {
                title,
                replies_policy,
                exclusive,
            })
        } else {
            Err(problems)
        }
    }
}

/// Whether `count` more accounts fit a list holding `held`.
pub fn fits(held: i64, count: i64) -> Result<(), Invalid> {
    if held + count > ACCOUNTS_MAX {
        Err(Invalid::new(
            "account_ids",
            "ERR_TOO_LONG",
            "invalid.list_full",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_list_needs_a_title_and_takes_mastodons_defaults() {
        let new = ListChange {
            title: Some(" 주민자치위원 "),
            ..ListChange::default()
        };
        assert_eq!(
            new.settle(None),
            Ok(ListSettings {
                title: "주민자치위원".into(),
                replies_policy: RepliesPolicy::List,
                exclusive: false,
            })
        );
        let problems = ListChange::default().settle(None).unwrap_err();
        assert_eq!(problems[0].field, "title");
        let long = "가".repeat(TITLE_MAX + 1);
        let too_long = ListChange {
            title: Some(&long),
            replies_policy: Some("everyone"),
            ..ListChange::default()
        };
        let problems = too_long.settle(None).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["title", "replies_policy"]
        );
    }

    #[test]
    fn an_update_keeps_what_it_does_not_name() {
        let current = ListSettings {
            title: "동료".into(),
            replies_policy: RepliesPolicy::Followed,
            exclusive: true,
        };
        let change = ListChange {
            replies_policy: Some("none"),
            ..ListChange::default()
        };
        assert_eq!(
            change.settle(Some(&current)),
            Ok(ListSettings {
                replies_policy: RepliesPolicy::None,
                ..current.clone()
            })
        );
        assert!(
            ListChange {
                title: Some(" "),
                ..ListChange::default()
            }
            .settle(Some(&current))
            .is_err()
        );
    }

    #[test]
    fn a_list_holds_at_most_five_hundred() {
        assert!(fits(499, 1).is_ok());
        assert_eq!(fits(499, 2).unwrap_err().message, "invalid.list_full");
    }
}
