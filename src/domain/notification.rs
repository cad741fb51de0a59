//! Grouped notifications (Mastodon's `/api/v2/notifications`): favourites and boosts of one
//! status, and follows, gathered into one group a client shows as "A and 3 others"; every other
//! notification is a group of its own.

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

#[cfg(test)]
mod tests {
    use super::*;

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
