//! Grouped notifications (Mastodon's `/api/v2/notifications`): favourites and boosts of one
//! status, and follows, gathered into one group a client shows as "A and 3 others"; every other
//! notification is a group of its own. And whose notifications an account refuses (Mastodon's
//! notification policy).

use super::Invalid;

/// The kinds gathered into groups unless a client asks otherwise (Mastodon's default).
pub const GROUPED_BY_DEFAULT: [&str; 3] = ["favourite", "reblog", "follow"];
/// Accounts named in a group's sample.
pub const SAMPLE_ACCOUNTS: usize = 8;

/// One notification as grouping sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub status_id: Option<i64>,
    pub from: i64,
    pub created_at: i64,
}

/// A group of a page's notifications, the newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `{kind}-{status}` or `follow` for gathered kinds, `ungrouped-{id}` otherwise.
    pub key: String,
    pub kind: String,
    pub status_id: Option<i64>,
    /// Its notifications on this page, newest first.
    pub ids: Vec<i64>,
    /// Distinct accounts, the latest first, at most [`SAMPLE_ACCOUNTS`].
    pub sample_accounts: Vec<i64>,
    pub latest_at: i64,
}

/// What a group's key names: the notifications of one kind (and status) gathered, or one alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKey {
    Gathered {
        kind: String,
        status_id: Option<i64>,
    },
    Alone(i64),
}

impl GroupKey {
    /// Reads a key [`group`] made, for kinds among `known`.
    pub fn parse(key: &str, known: &[&str]) -> Option<Self> {
        if let Some(id) = key.strip_prefix("ungrouped-") {
            return super::id::parse_id(id).map(GroupKey::Alone);
        }
        if known.contains(&key) {
            return Some(GroupKey::Gathered {
                kind: key.to_owned(),
                status_id: None,
            });
        }
        let (kind, status) = key.rsplit_once('-')?;
        let status_id = super::id::parse_id(status)?;
        known.contains(&kind).then(|| GroupKey::Gathered {
            kind: kind.to_owned(),
            status_id: Some(status_id),
        })
    }
}

/// Groups `items` (newest first), keeping the order of each group's newest notification.
pub fn group(items: &[Item<'_>], grouped_kinds: &[&str]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for item in items {
        let key = if grouped_kinds.contains(&item.kind) {
            match item.status_id {
                Some(status) => format!("{}-{status}", item.kind),
                None => item.kind.to_owned(),
            }
        } else {
            format!("ungrouped-{}", item.id)
        };
        match groups.iter_mut().find(|g| g.key == key) {
            Some(group) => {
                group.ids.push(item.id);
                if !group.sample_accounts.contains(&item.from)
                    && group.sample_accounts.len() < SAMPLE_ACCOUNTS
                {
                    group.sample_accounts.push(item.from);
                }
            }
            None => groups.push(Group {
                key,
                kind: item.kind.to_owned(),
                status_id: item.status_id,
                ids: vec![item.id],
                sample_accounts: vec![item.from],
                latest_at: item.created_at,
            }),
        }
    }
    groups
}

/// The notification kinds a policy may refuse (Mastodon's filterable ones, and a wall post):
/// never a moderator's word, a report, a poll's end or Sotong's own records.
pub const REFUSABLE: [&str; 6] = [
    "mention",
    "status",
    "reblog",
    "follow",
    "favourite",
    "sotong.wall_post",
];
/// An account younger than this is new to a policy (Mastodon's thirty days).
pub const NEW_ACCOUNT_MS: i64 = 30 * 86_400_000;

/// Whose notifications a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Whose {
    /// Only those from this account (Mastodon's `account_id`).
    pub from: Option<i64>,
    /// Those kept aside as requests too (Mastodon's `include_filtered`).
    pub with_requests: bool,
}

/// What a policy does with notifications from one kind of sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    #[default]
    Accept,
    /// Kept aside as a request until the recipient accepts or dismisses the sender.
    Filter,
    Drop,
}

impl Answer {
    pub const ALL: [Self; 3] = [Self::Accept, Self::Filter, Self::Drop];
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Accept => "accept",
            Answer::Filter => "filter",
            Answer::Drop => "drop",
        }
    }
    pub fn parse(value: &str, field: &'static str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == value.trim())
            .ok_or(Invalid::malformed(field))
    }
}

impl TryFrom<String> for Answer {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value, "policy").map_err(|_| value)
    }
}

/// Whose notifications an account refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    pub for_not_following: Answer,
    pub for_not_followers: Answer,
    pub for_new_accounts: Answer,
    pub for_private_mentions: Answer,
    pub for_limited_accounts: Answer,
}

/// A policy change as asked for: what is left out stays.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyChange<'a> {
    pub for_not_following: Option<&'a str>,
    pub for_not_followers: Option<&'a str>,
    pub for_new_accounts: Option<&'a str>,
    pub for_private_mentions: Option<&'a str>,
    pub for_limited_accounts: Option<&'a str>,
}

impl PolicyChange<'_> {
    pub fn apply(&self, current: Policy) -> Result<Policy, Vec<Invalid>> {
        let mut problems = Vec::new();
        let mut answer = |asked: Option<&str>, field: &'static str, now: Answer| match asked {
            None => now,
            Some(value) => Answer::parse(value, field).unwrap_or_else(|problem| {
                problems.push(problem);
                now
            }),
        };
        let policy = Policy {
            for_not_following: answer(
                self.for_not_following,
                "for_not_following",
                current.for_not_following,
            ),
            for_not_followers: answer(
                self.for_not_followers,
                "for_not_followers",
                current.for_not_followers,
            ),
            for_new_accounts: answer(
                self.for_new_accounts,
                "for_new_accounts",
                current.for_new_accounts,
            ),
            for_private_mentions: answer(
                self.for_private_mentions,
                "for_private_mentions",
                current.for_private_mentions,
            ),
            for_limited_accounts: answer(
                self.for_limited_accounts,
                "for_limited_accounts",
                current.for_limited_accounts,
            ),
        };
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_changes_only_what_is_named() {
        let dropped = PolicyChange {
            for_not_following: Some("drop"),
            for_new_accounts: Some(" filter "),
            ..Default::default()
        }
        .apply(Policy::default())
        .unwrap();
        assert_eq!(dropped.for_not_following, Answer::Drop);
        assert_eq!(dropped.for_new_accounts, Answer::Filter);
        assert_eq!(dropped.for_private_mentions, Answer::Accept);
        let refused = PolicyChange {
            for_not_followers: Some("hold"),
            for_private_mentions: Some("maybe"),
            ..Default::default()
        }
        .apply(dropped)
        .unwrap_err();
        let fields: Vec<_> = refused.iter().map(|i| i.field).collect();
        assert_eq!(fields, ["for_not_followers", "for_private_mentions"]);
    }

    fn item(id: i64, kind: &str, status_id: Option<i64>, from: i64) -> Item<'_> {
        Item {
            id,
            kind,
            status_id,
            from,
            created_at: id * 10,
        }
    }

    #[test]
    fn favourites_of_one_status_and_follows_gather_and_mentions_stay_alone() {
        let items = [
            item(9, "favourite", Some(1), 100),
            item(8, "mention", Some(2), 101),
            item(7, "follow", None, 102),
            item(6, "favourite", Some(1), 103),
            item(5, "favourite", Some(3), 100),
            item(4, "follow", None, 104),
            item(3, "favourite", Some(1), 100),
            item(2, "mention", Some(2), 101),
        ];
        let groups = group(&items, &GROUPED_BY_DEFAULT);
        let keys: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "favourite-1",
                "ungrouped-8",
                "follow",
                "favourite-3",
                "ungrouped-2"
            ]
        );
        assert_eq!(groups[0].ids, [9, 6, 3]);
        assert_eq!(groups[0].sample_accounts, [100, 103], "each account once");
        assert_eq!(groups[0].latest_at, 90);
        assert_eq!(groups[2].ids, [7, 4]);
        // A client that groups nothing gets every notification alone.
        assert_eq!(group(&items, &[]).len(), items.len());
    }

    #[test]
    fn a_group_key_is_read_back_as_it_was_made() {
        let known = ["favourite", "follow", "admin.report"];
        assert_eq!(
            GroupKey::parse("favourite-117", &known),
            Some(GroupKey::Gathered {
                kind: "favourite".into(),
                status_id: Some(117)
            })
        );
        assert_eq!(
            GroupKey::parse("follow", &known),
            Some(GroupKey::Gathered {
                kind: "follow".into(),
                status_id: None
            })
        );
        assert_eq!(
            GroupKey::parse("ungrouped-42", &known),
            Some(GroupKey::Alone(42))
        );
        for bad in [
            "ungrouped-x",
            "bogus-1",
            "favourite-",
            "favourite-x",
            "",
            "mention",
        ] {
            assert_eq!(GroupKey::parse(bad, &known), None, "{bad}");
        }
    }

    #[test]
    fn a_sample_names_at_most_eight_accounts() {
        let items: Vec<Item<'_>> = (0..12)
            .map(|n| item(100 - n, "reblog", Some(5), n))
            .collect();
        let groups = group(&items, &GROUPED_BY_DEFAULT);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].ids.len(), 12);
        assert_eq!(groups[0].sample_accounts.len(), SAMPLE_ACCOUNTS);
    }
}
