//! Content filters (Mastodon's filters v2): an account's own words and statuses to warn about
//! or hide, in the contexts it chooses, until an expiry. Which statuses a filter catches is
//! decided here, the same for timelines, notifications and streams.

use super::Invalid;

pub const TITLE_MAX: usize = 100;
pub const KEYWORD_MAX: usize = 100;
/// Filters an account may have, and keywords one filter may hold.
pub const FILTERS_MAX: i64 = 100;
pub const KEYWORDS_MAX: usize = 50;

/// Where a filter applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Context {
    /// The home timeline and lists.
    Home,
    Notifications,
    /// The public, hashtag and organisation timelines.
    Public,
    /// A status's conversation.
    Thread,
    /// An account's wall.
    Account,
}

impl Context {
    pub const ALL: [Self; 5] = [
        Self::Home,
        Self::Notifications,
        Self::Public,
        Self::Thread,
        Self::Account,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Notifications => "notifications",
            Self::Public => "public",
            Self::Thread => "thread",
            Self::Account => "account",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value.trim())
    }
}

/// What a filter does to a status it catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Shown behind a warning naming the filter (the status's `filtered`).
    Warn,
    /// Left out.
    Hide,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::Hide => "hide",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "warn" => Some(Self::Warn),
            "hide" => Some(Self::Hide),
            _ => None,
        }
    }
}

impl TryFrom<String> for Action {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or(value)
    }
}

/// A keyword to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    pub id: i64,
    pub keyword: String,
    /// Only as a whole word: not inside a longer word.
    pub whole_word: bool,
}

/// A filter with its keywords and statuses, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub id: i64,
    pub title: String,
    pub contexts: Vec<Context>,
    pub action: Action,
    pub expires_at: Option<i64>,
    pub keywords: Vec<Keyword>,
    /// (filter-status id, status id).
    pub statuses: Vec<(i64, i64)>,
}

/// What a status is checked against: its text (source, content warning, poll options).
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub status_id: i64,
    pub texts: &'a [&'a str],
}

/// Why a filter caught a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    pub filter: Filter,
    pub keyword_matches: Vec<String>,
    pub status_matches: Vec<String>,
}

impl Filter {
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }

    /// Whether this filter catches `status` in `context` at `now`, and with what.
    pub fn catches(&self, status: Checked<'_>, context: Context, now: i64) -> Option<Caught> {
        if !self.is_active(now) || !self.contexts.contains(&context) {
            return None;
        }
        let keyword_matches: Vec<String> = self
            .keywords
            .iter()
            .filter(|k| {
                status
                    .texts
                    .iter()
                    .any(|t| contains(t, &k.keyword, k.whole_word))
            })
            .map(|k| k.keyword.clone())
            .collect();
        let status_matches: Vec<String> = self
            .statuses
            .iter()
            .filter(|(_, s)| *s == status.status_id)
            .map(|(id, _)| id.to_string())
            .collect();
        (!keyword_matches.is_empty() || !status_matches.is_empty()).then(|| Caught {
            filter: self.clone(),
            keyword_matches,
            status_matches,
        })
    }
}

/// What the filters make of a status in a context: hidden, or shown with what caught it.
pub fn judge(filters: &[Filter], status: Checked<'_>, context: Context, now: i64) -> Judgement {
    let caught: Vec<Caught> = filters
        .iter()
        .filter_map(|f| f.catches(status, context, now))
        .collect();
    if caught.iter().any(|c| c.filter.action == Action::Hide) {
        Judgement::Hidden
    } else {
        Judgement::Shown(caught)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Hidden,
    /// Shown, behind a warning when any filter caught it.
    Shown(Vec<Caught>),
}

/// Whether `text` holds `keyword` (case aside); as a whole word, not next to a letter or digit.
fn contains(text: &str, keyword: &str, whole_word: bool) -> bool {
    let text = text.to_lowercase();
    let keyword = keyword.to_lowercase();
    if keyword.is_empty() {
        return false;
    }
    if !whole_word {
        return text.contains(&keyword);
    }
    text.match_indices(&keyword).any(|(at, found)| {
        let before = text[..at].chars().next_back();
        let after = text[at + found.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A filter's settings as asked for; what is left out keeps its value in an update.
#[derive(Debug, Clone, Default)]
pub struct FilterChange<'a> {
    pub title: Option<&'a str>,
    pub contexts: Option<&'a [String]>,
    pub action: Option<&'a str>,
    /// Seconds from now; `Some("")` clears the expiry.
    pub expires_in: Option<&'a str>,
}

/// A filter's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterSettings {
    pub title: String,
    pub contexts: Vec<Context>,
    pub action: Action,
    pub expires_at: Option<i64>,
}

impl FilterChange<'_> {
    /// The settings after this change of `current` (or of nothing: a new filter needs a title
    /// and a context), at `now`.
    pub fn settle(
        &self,
        current: Option<&FilterSettings>,
        now: i64,
    ) -> Result<FilterSettings, Vec<Invalid>> {
        let mut problems = Vec::new();
        let title = match (self.title.map(str::trim), current) {
            (Some(""), _) | (None, None) => {
                problems.push(Invalid::blank("title"));
                String::new()
            }
            (Some(t), _) if t.chars().count() > TITLE_MAX => {
                problems.push(Invalid::too_long("title"));
                String::new()
            }
            (Some(t), _) if super::has_forbidden_control(t) => {
                problems.push(Invalid::malformed("title"));
                String::new()
            }
            (Some(t), _) => t.to_owned(),
            (None, Some(c)) => c.title.clone(),
        };
        let contexts = match (self.contexts, current) {
            (Some(raw), _) => {
                let mut contexts = Vec::new();
                for name in raw {
                    match Context::parse(name) {
                        Some(c) if !contexts.contains(&c) => contexts.push(c),
                        Some(_) => {}
                        None => problems.push(Invalid::new(
                            "context",
                            "ERR_INCLUSION",
                            "invalid.filter_context",
                        )),
                    }
                }
                if contexts.is_empty() && !problems.iter().any(|p| p.field == "context") {
                    problems.push(Invalid::blank("context"));
                }
                contexts.sort();
                contexts
            }
            (None, Some(c)) => c.contexts.clone(),
            (None, None) => {
                problems.push(Invalid::blank("context"));
                Vec::new()
            }
        };
        let action = match (self.action.map(str::trim), current) {
            (None | Some(""), Some(c)) => c.action,
            (None | Some(""), None) => Action::Warn,
            (Some(raw), _) => Action::parse(raw).unwrap_or_else(|| {
                problems.push(Invalid::new(
                    "filter_action",
                    "ERR_INCLUSION",
                    "invalid.filter_action",
                ));
                Action::Warn
            }),
        };
        let expires_at = match self.expires_in.map(str::trim) {
            None => current.and_then(|c| c.expires_at),
            Some("") => None,
            Some(raw) => match raw.parse::<i64>() {
                Ok(secs) if (1..=31_536_000 * 10).contains(&secs) => Some(now + secs * 1000),
                _ => {
                    problems.push(Invalid::new(
                        "expires_in",
                        "ERR_INVALID",
                        "invalid.filter_expiry",
                    ));
                    None
                }
            },
        };
        if problems.is_empty() {
            Ok(FilterSettings {
                title,
                contexts,
                action,
                expires_at,
            })
        } else {
            Err(problems)
        }
    }
}

/// Checks a keyword: some text, not too long.
pub fn keyword(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        Err(Invalid::blank("keyword"))
    } else if text.chars().count() > KEYWORD_MAX {
        Err(Invalid::too_long("keyword"))
    } else if super::has_forbidden_control(text) {
        Err(Invalid::malformed("keyword"))
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(action: Action, keywords: &[(&str, bool)], contexts: &[Context]) -> Filter {
        Filter {
            id: 1,
            title: "거친 말".into(),
            contexts: contexts.to_vec(),
            action,
            expires_at: Some(1_000),
            keywords: keywords
                .iter()
                .enumerate()
                .map(|(i, (k, whole))| Keyword {
                    id: i64::try_from(i).unwrap(),
                    keyword: (*k).into(),
                    whole_word: *whole,
                })
                .collect(),
            statuses: vec![(7, 42)],
        }
    }

    fn checked<'a>(id: i64, texts: &'a [&'a str]) -> Checked<'a> {
        Checked {
            status_id: id,
            texts,
        }
    }

    #[test]
    fn keywords_match_case_aside_and_whole_words_only_alone() {
        let f = filter(
            Action::Warn,
            &[("Spoiler", false), ("주차", true)],
            &[Context::Home],
        );
        let caught = f.catches(checked(1, &["no SPOILERS here"]), Context::Home, 0);
        assert_eq!(caught.unwrap().keyword_matches, ["Spoiler"]);
        assert!(
            f.catches(checked(1, &["주차장 문의"]), Context::Home, 0)
                .is_none(),
            "주차 inside 주차장 is not the whole word"
        );
        assert!(
            f.catches(checked(1, &["불법 주차, 신고합니다"]), Context::Home, 0)
                .is_some()
        );
        assert!(
            f.catches(checked(1, &["", "주차!"]), Context::Home, 0)
                .is_some(),
            "any of the texts (a content warning)"
        );
    }

    #[test]
    fn a_filter_applies_in_its_contexts_until_it_expires_and_catches_its_statuses() {
        let f = filter(Action::Hide, &[("공사", false)], &[Context::Home]);
        assert!(
            f.catches(checked(1, &["공사 소음"]), Context::Public, 0)
                .is_none()
        );
        assert!(
            f.catches(checked(1, &["공사 소음"]), Context::Home, 1_000)
                .is_none()
        );
        let by_status = f
            .catches(checked(42, &["다른 글"]), Context::Home, 0)
            .unwrap();
        assert_eq!(by_status.status_matches, ["7"]);
        let warn = filter(Action::Warn, &[("소음", false)], &[Context::Home]);
        assert_eq!(
            judge(
                &[warn.clone(), f.clone()],
                checked(1, &["공사 소음"]),
                Context::Home,
                0
            ),
            Judgement::Hidden,
            "hide wins"
        );
        match judge(&[warn], checked(1, &["소음"]), Context::Home, 0) {
            Judgement::Shown(caught) => assert_eq!(caught.len(), 1),
            Judgement::Hidden => panic!("a warning shows"),
        }
    }

    #[test]
    fn a_new_filter_needs_a_title_and_a_context() {
        let contexts = vec!["home".to_owned(), "public".to_owned(), "home".to_owned()];
        let settled = FilterChange {
            title: Some("스포일러"),
            contexts: Some(&contexts),
            action: Some("hide"),
            expires_in: Some("3600"),
        }
        .settle(None, 10)
        .unwrap();
        assert_eq!(settled.contexts, [Context::Home, Context::Public]);
        assert_eq!(settled.expires_at, Some(10 + 3_600_000));
        let problems = FilterChange::default().settle(None, 0).unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["title", "context"]
        );
        let bad = vec!["everywhere".to_owned()];
        let problems = FilterChange {
            title: Some("x"),
            contexts: Some(&bad),
            action: Some("shout"),
            expires_in: Some("-5"),
        }
        .settle(None, 0)
        .unwrap_err();
        assert_eq!(
            problems.iter().map(|p| p.field).collect::<Vec<_>>(),
            ["context", "filter_action", "expires_in"]
        );
        // An update keeps what it does not name; an empty expiry clears it.
        let kept = FilterChange {
            expires_in: Some(""),
            ..FilterChange::default()
        }
        .settle(Some(&settled), 20)
        .unwrap();
        assert_eq!(kept.title, "스포일러");
        assert_eq!(kept.expires_at, None);
    }
}
