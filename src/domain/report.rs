//! Reports and moderation (Mastodon's): what a report says, what a moderator may do to an
//! account, and what each action leaves behind.

use super::Invalid;

/// Mastodon's limit on a report's comment.
pub const COMMENT_MAX: usize = 1_000;
/// Statuses one report may point at.
pub const STATUSES_MAX: usize = 100;
/// Mastodon's limit on a warning's text.
pub const WARNING_MAX: usize = 5_000;

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Spam,
    Legal,
    /// Against the instance's rules.
    Violation,
    Other,
}

impl Category {
    pub const ALL: [Self; 4] = [Self::Spam, Self::Legal, Self::Violation, Self::Other];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Legal => "legal",
            Self::Violation => "violation",
            Self::Other => "other",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value.trim())
    }
    /// Message key of its name as moderators read it ("스팸").
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Spam => "report.category.spam",
            Self::Legal => "report.category.legal",
            Self::Violation => "report.category.violation",
            Self::Other => "report.category.other",
        }
    }
}

impl TryFrom<String> for Category {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or(value)
    }
}

/// What a moderator does to an account (Mastodon's `type` of an account action, and the
/// `action` of the warning it leaves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A warning only.
    None,
    /// The account can no longer sign in; its tokens stop at once.
    Disable,
    /// Limited: left out of the shared timelines for those who do not follow it.
    Silence,
    /// Disabled, and its statuses shown to no one.
    Suspend,
    /// The report's statuses are deleted (needs a report).
    DeleteStatuses,
}

impl Action {
    pub const ALL: [Self; 5] = [
        Self::None,
        Self::Disable,
        Self::Silence,
        Self::Suspend,
        Self::DeleteStatuses,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Disable => "disable",
            Self::Silence => "silence",
            Self::Suspend => "suspend",
            Self::DeleteStatuses => "delete_statuses",
        }
    }
    /// Message key of what it does as moderators read it ("게시물 제한").
    pub fn label_key(self) -> &'static str {
        match self {
            Self::None => "report.action.none",
            Self::Disable => "report.action.disable",
            Self::Silence => "report.action.silence",
            Self::Suspend => "report.action.suspend",
            Self::DeleteStatuses => "report.action.delete_statuses",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value.trim())
    }
    /// Whether the account's credentials end with it.
    pub fn ends_credentials(self) -> bool {
        matches!(self, Self::Disable | Self::Suspend)
    }
}

impl TryFrom<String> for Action {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or(value)
    }
}

/// A report as asked for.
#[derive(Debug, Clone, Default)]
pub struct NewReport<'a> {
    pub category: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub status_ids: &'a [i64],
    pub rule_ids: &'a [String],
}

/// A report, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub category: Category,
    pub comment: String,
    pub status_ids: Vec<i64>,
}

impl NewReport<'_> {
    /// Checks the report's own fields. The instance has no rules, so no rule can be named;
    /// without a category it is `other` (Mastodon's default).
    pub fn check(&self) -> Result<ReportInput, Vec<Invalid>> {
        let mut problems = Vec::new();
        let category = match self.category.map(str::trim).filter(|c| !c.is_empty()) {
            None => Category::Other,
            Some(c) => Category::parse(c).unwrap_or_else(|| {
                problems.push(Invalid::malformed("category"));
                Category::Other
            }),
        };
        let comment = self.comment.unwrap_or("").trim().to_owned();
        if comment.chars().count() > COMMENT_MAX {
            problems.push(Invalid::too_long("comment"));
        } else if super::has_forbidden_control(&comment) {
            problems.push(Invalid::malformed("comment"));
        }
        if !self.rule_ids.is_empty() {
            problems.push(Invalid::new(
                "rule_ids",
                "ERR_INVALID",
                "invalid.report_no_rules",
            ));
        }
        let mut status_ids = self.status_ids.to_vec();
        status_ids.sort_unstable();
        status_ids.dedup();
        if status_ids.len() > STATUSES_MAX {
            problems.push(Invalid::too_long("status_ids"));
        }
        if problems.is_empty() {
            Ok(ReportInput {
                category,
                comment,
                status_ids,
            })
        } else {
            Err(problems)
        }
    }
}

/// A moderator's action as asked for.
#[derive(Debug, Clone, Default)]
pub struct NewAction<'a> {
    pub kind: Option<&'a str>,
    pub text: Option<&'a str>,
    pub report_id: Option<i64>,
}

/// A moderator's action, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub action: Action,
    pub text: String,
    pub report_id: Option<i64>,
}

impl NewAction<'_> {
    pub fn check(&self) -> Result<ActionInput, Vec<Invalid>> {
        let mut problems = Vec::new();
        let action = match self.kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => Action::None,
            Some(kind) => Action::parse(kind).unwrap_or_else(|| {
                problems.push(Invalid::new(
                    "type",
                    "ERR_INVALID",
                    "invalid.moderation_action",
                ));
                Action::None
            }),
        };
        let text = self.text.unwrap_or("").trim().to_owned();
        if text.chars().count() > WARNING_MAX {
            problems.push(Invalid::too_long("text"));
        } else if super::has_forbidden_control(&text) {
            problems.push(Invalid::malformed("text"));
        }
        if action == Action::DeleteStatuses && self.report_id.is_none() {
            problems.push(Invalid::new(
                "report_id",
                "ERR_BLANK",
                "invalid.delete_statuses_needs_report",
            ));
        }
        if problems.is_empty() {
            Ok(ActionInput {
                action,
                text,
                report_id: self.report_id,
            })
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_other_unless_it_says_and_names_no_rule() {
        let plain = NewReport::default().check().unwrap();
        assert_eq!(plain.category, Category::Other);
        let spam = NewReport {
            category: Some(" spam "),
            comment: Some("  광고입니다 "),
            status_ids: &[3, 1, 3],
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(spam.category, Category::Spam);
        assert_eq!(spam.comment, "광고입니다");
        assert_eq!(spam.status_ids, vec![1, 3]);
        let rules = vec!["1".to_owned()];
        let bad = NewReport {
            category: Some("rude"),
            comment: Some(&"가".repeat(COMMENT_MAX + 1)),
            rule_ids: &rules,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|i| i.field).collect();
        assert_eq!(fields, ["category", "comment", "rule_ids"]);
    }

    #[test]
    fn an_action_is_a_warning_unless_named_and_deleting_needs_a_report() {
        let warn = NewAction::default().check().unwrap();
        assert_eq!(warn.action, Action::None);
        assert!(!warn.action.ends_credentials());
        let suspend = NewAction {
            kind: Some("suspend"),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert!(suspend.action.ends_credentials());
        for kind in ["sensitive", "ban"] {
            let refused = NewAction {
                kind: Some(kind),
                ..Default::default()
            };
            assert_eq!(refused.check().unwrap_err()[0].field, "type");
        }
        let delete = NewAction {
            kind: Some("delete_statuses"),
            ..Default::default()
        };
        assert_eq!(delete.check().unwrap_err()[0].field, "report_id");
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
    }
}
