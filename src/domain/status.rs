//! Statuses: visibility, limits, and turning what people type into safe HTML.

use super::Invalid;

/// Longest status body, in characters.
pub const STATUS_MAX: usize = 5000;
pub const SPOILER_MAX: usize = 500;
pub const TITLE_MAX: usize = 200;

/// Who may see a status. `organization` and `department` are Sotong's; Mastodon clients see
/// them as `private` and find the real value under `sotong.visibility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Unlisted,
    /// Followers only (Mastodon calls it `private`).
    Private,
    Direct,
    Organization,
    Department,
}

impl Visibility {
    pub const ALL: [Visibility; 6] = [
        Visibility::Public,
        Visibility::Unlisted,
        Visibility::Private,
        Visibility::Direct,
        Visibility::Organization,
        Visibility::Department,
    ];

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        match text.trim() {
            "" | "public" => Ok(Visibility::Public),
            "unlisted" => Ok(Visibility::Unlisted),
            "private" | "followers" => Ok(Visibility::Private),
            "direct" => Ok(Visibility::Direct),
            "organization" => Ok(Visibility::Organization),
            "department" => Ok(Visibility::Department),
            _ => Err(Invalid::new("visibility", "ERR_INCLUSION", "invalid.kind")),
        }
    }

    /// The stored and Sotong-facing name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
            Visibility::Organization => "organization",
            Visibility::Department => "department",
        }
    }

    /// Whether a status joins the home timelines of those who follow its hashtags (as
    /// `db::statuses::push_home_rule` has it): not unlisted (kept out of discovery), not
    /// addressed to followers or to some people only.
    pub fn reaches_tag_followers(self) -> bool {
        matches!(
            self,
            Visibility::Public | Visibility::Organization | Visibility::Department
        )
    }

    /// The name Mastodon clients understand.
    pub fn mastodon(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Direct => "direct",
            _ => "private",
        }
    }
}

/// A status as written, checked.
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub source: String,
    pub title: Option<String>,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    pub language: Option<String>,
    /// A poll it asks (set apart from the text: [`super::poll::NewPoll::parse`]).
    pub poll: Option<super::poll::NewPoll>,
}

impl NewStatus {
    pub fn parse(
        source: &str,
        title: Option<&str>,
        spoiler_text: Option<&str>,
        sensitive: bool,
        visibility: Option<&str>,
        language: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let source = source.trim().to_owned();
        // An empty text is allowed here: a status of photos alone is checked where the photos are.
        if source.chars().count() > STATUS_MAX {
            problems.push(Invalid::too_long("status"));
        }
        if source
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            problems.push(Invalid::malformed("status"));
        }
        let title = title
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if title
            .as_ref()
            .is_some_and(|t| t.chars().count() > TITLE_MAX || t.chars().any(char::is_control))
        {
            problems.push(Invalid::too_long("title"));
        }
        let spoiler_text = spoiler_text.unwrap_or_default().trim().to_owned();
        if spoiler_text.chars().count() > SPOILER_MAX {
            problems.push(Invalid::too_long("spoiler_text"));
        }
        let visibility = Visibility::parse(visibility.unwrap_or_default())
            .map_err(|e| problems.push(e))
            .ok();
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(l) if l.len() <= 8 && l.chars().all(|c| c.is_ascii_alphabetic() || c == '-') => {
                Some(l.to_ascii_lowercase())
            }
            Some(_) => {
                problems.push(Invalid::malformed("language"));
                None
            }
        };
        match visibility {
            Some(visibility) if problems.is_empty() => Ok(Self {
                source,
                title,
                spoiler_text,
                sensitive,
                visibility,
                language,
                poll: None,
            }),
            _ => Err(problems),
        }
    }
}

/// Most photos one status carries.
pub const PHOTOS_MAX: usize = 4;

/// Longest idempotency key a client may send; a longer one (or an empty one) is ignored.
const IDEMPOTENCY_KEY_MAX: usize = 200;

/// The refusal of a photo id that names no upload of the author still free to attach.
pub const PHOTO_UNKNOWN: Invalid =
    Invalid::new("media_ids", "ERR_INVALID", "invalid.media_unknown");

/// The refusal of a fifth photo.
pub const TOO_MANY_PHOTOS: Invalid =
    Invalid::new("media_ids", "ERR_TOO_LONG", "invalid.media_count");

/// The photos named for a new status, read: each id once, in the order given.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PhotoIds {
    pub ids: Vec<i64>,
    /// What is wrong with the list itself: an unreadable id, more than [`PHOTOS_MAX`].
    pub problems: Vec<Invalid>,
}

impl PhotoIds {
    pub fn read(raw: &[String]) -> Self {
        let mut read = Self::default();
        for raw in raw {
            match super::id::parse_id(raw) {
                Some(id) if !read.ids.contains(&id) => read.ids.push(id),
                Some(_) => {}
                None => read.problems.push(PHOTO_UNKNOWN),
            }
        }
        if read.ids.len() > PHOTOS_MAX {
            read.problems.push(TOO_MANY_PHOTOS);
        }
        read
    }

    /// One refusal per photo that is not among `free`, the author's uploads not yet on a
    /// status: a photo goes on one status, by the one who uploaded it.
    pub fn not_free(&self, free: &[i64]) -> Vec<Invalid> {
        self.ids
            .iter()
            .filter(|id| !free.contains(id))
            .map(|_| PHOTO_UNKNOWN)
            .collect()
    }
}

/// What an author belongs to, for the visibilities that reach a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub organization: bool,
    pub department: bool,
}

impl Visibility {
    /// Whether an author with `membership` may post for this audience: organisation and
    /// department visibility reach the author's own, so the author needs one.
    pub fn open_to(self, membership: Membership) -> bool {
        match self {
            Visibility::Organization => membership.organization,
            Visibility::Department => membership.department,
            _ => true,
        }
    }
}

impl NewStatus {
    /// What the status asks beyond its own text: some text or a photo (`photos` of them), and
    /// an author who belongs where its visibility reaches.
    pub fn problems_with(&self, photos: usize, membership: Membership) -> Vec<Invalid> {
        let mut problems = Vec::new();
        if self.source.is_empty() && photos == 0 {
            problems.push(Invalid::blank("status"));
        }
        if self.poll.is_some() && photos > 0 {
            problems.push(super::poll::POLL_WITH_PHOTOS);
        }
        if !self.visibility.open_to(membership) {
            problems.push(Invalid::new(
                "visibility",
                "ERR_INCLUSION",
                "invalid.visibility_membership",
            ));
        }
        problems
    }
}

/// How far ahead a status may be scheduled, at the least (Mastodon's five minutes).
pub const SCHEDULE_AHEAD_MIN_MS: i64 = 5 * 60 * 1000;
/// Statuses an account may have waiting (Mastodon's limit).
pub const SCHEDULED_MAX: i64 = 300;

/// When a status asked for at `raw` (RFC 3339, e.g. `2026-12-24T09:00:00+09:00`) is posted:
/// at least five minutes after `now`.
pub fn scheduled_at(raw: &str, now: i64) -> Result<i64, Invalid> {
    let ms = super::time::parse_rfc3339(raw).ok_or(Invalid::malformed("scheduled_at"))?;
    if ms < now + SCHEDULE_AHEAD_MIN_MS {
        return Err(Invalid::new(
            "scheduled_at",
            "ERR_INVALID",
            "invalid.scheduled_too_soon",
        ));
    }
    Ok(ms)
}

/// The key a client gave to post a status only once, if it is one to remember.
pub fn idempotency_key(raw: Option<&str>) -> Option<&str> {
    raw.filter(|k| !k.is_empty() && k.len() <= IDEMPOTENCY_KEY_MAX)
}

/// Whether a wall closed to all but friends (`friends_only`) takes a post from someone:
/// a friend is followed and follows back.
pub fn wall_open_to(friends_only: bool, following: bool, followed_by: bool) -> bool {
    !friends_only || (following && followed_by)
}

/// Who is told of a new status, and as what: the owner of the wall it is on (a wall post),
/// the author it answers and everyone it mentions (a mention). Each is told once, for the
/// first of these reasons.
pub fn told_of_new_status(
    wall_owner: Option<i64>,
    replied_to: Option<i64>,
    mentioned: &[i64],
) -> Vec<(i64, &'static str)> {
    let reasons = wall_owner
        .map(|owner| (owner, "sotong.wall_post"))
        .into_iter()
        .chain(replied_to.map(|author| (author, "mention")))
        .chain(mentioned.iter().map(|m| (*m, "mention")));
    let mut told: Vec<(i64, &'static str)> = Vec::new();
    for (account, kind) in reasons {
        if !told.iter().any(|(t, _)| *t == account) {
            told.push((account, kind));
        }
    }
    told
}

/// A status body as HTML: Markdown for a long-form post (one with a title), plain text
/// otherwise, with the `mentioned` accounts' handles linked to their profiles at `base_url`.
pub fn render_body(
    source: &str,
    long_form: bool,
    mentioned: &[(i64, String)],
    base_url: &str,
) -> String {
    if long_form {
        return render_markdown(source);
    }
    let known: Vec<(String, String)> = mentioned
        .iter()
        .map(|(_, h)| (h.clone(), format!("{base_url}/@{h}")))
        .collect();
    render_plain(source, &known, base_url)
}

/// Handles mentioned as `@handle` (local accounts only), in order, without repeats.
pub fn mentions(source: &str) -> Vec<String> {
    words_after(source, '@', |c| c.is_ascii_alphanumeric() || c == '_')
}

/// Hashtags (`#민원`, `#parking`), lower-cased, in order, without repeats.
pub fn hashtags(source: &str) -> Vec<String> {
    words_after(source, '#', |c| c.is_alphanumeric() || c == '_')
        .into_iter()
        .map(|t| t.to_lowercase())
        .collect()
}

/// The longest hashtag (as [`hashtags`] finds them).
pub const TAG_MAX: usize = 60;

/// A hashtag's name as asked for (`#민원`, `Parking`): lower-cased, without its `#`; letters,
/// digits and `_` only.
pub fn tag_name(text: &str) -> Result<String, Invalid> {
    let name = text.trim().trim_start_matches('#');
    if name.is_empty() {
        return Err(Invalid::blank("name"));
    }
    if name.chars().count() > TAG_MAX {
        return Err(Invalid::too_long("name"));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(Invalid::malformed("name"));
    }
    Ok(name.to_lowercase())
}

fn words_after(source: &str, sigil: char, word: impl Fn(char) -> bool) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut previous = ' ';
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == sigil && !previous.is_alphanumeric() && previous != '_' {
            let rest = &source[i + c.len_utf8()..];
            let end = rest.find(|ch: char| !word(ch)).unwrap_or(rest.len());
            let name = &rest[..end];
            if !name.is_empty()
                && name.chars().count() <= 60
                && !found.iter().any(|f| f.eq_ignore_ascii_case(name))
            {
                found.push(name.to_owned());
            }
        }
        previous = c;
        let _ = chars.peek();
    }
    found
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Renders a plain-text status as Mastodon does: paragraphs, line breaks, and links for the
/// mentions that name real accounts (`known` gives their profile URLs) and for hashtags.
pub fn render_plain(source: &str, known: &[(String, String)], base_url: &str) -> String {
    let mut html = String::new();
    for paragraph in source
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        html.push_str("<p>");
        let lines: Vec<String> = paragraph
            .lines()
            .map(|line| link_words(line, known, base_url))
            .collect();
        html.push_str(&lines.join("<br>"));
        html.push_str("</p>");
    }
    sanitize(&html)
}

fn link_words(line: &str, known: &[(String, String)], base_url: &str) -> String {
    let mut out = String::new();
    for (n, token) in line.split(' ').enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(&link_token(token, known, base_url));
    }
    out
}

fn link_token(token: &str, known: &[(String, String)], base_url: &str) -> String {
    if let Some(rest) = token.strip_prefix('@') {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        if let Some((handle, url)) = known.iter().find(|(h, _)| h.eq_ignore_ascii_case(name)) {
            return format!(
                "<span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>{}</span></a></span>{}",
                escape(url),
                escape(handle),
                escape(tail)
            );
        }
    }
    if let Some(rest) = token.strip_prefix('#') {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        if !name.is_empty() {
            let href = format!(
                "{base_url}/tags/{}",
                url::form_urlencoded::byte_serialize(name.to_lowercase().as_bytes())
                    .collect::<String>()
            );
            return format!(
                "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>{}",
                escape(&href),
                escape(name),
                escape(tail)
            );
        }
    }
    escape(token)
}

/// Renders a long-form post's Markdown body to HTML, sanitised.
pub fn render_markdown(source: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        source,
        pulldown_cmark::Options::ENABLE_TABLES | pulldown_cmark::Options::ENABLE_STRIKETHROUGH,
    );
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitize(&html)
}

/// The one HTML sanitiser: an allow-list (ammonia) that drops scripts, event handlers, styles
/// and unsafe URL schemes, and marks links `nofollow noopener`.
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_tag_attributes("a", &["class"])
        .add_tag_attributes("span", &["class"])
        .link_rel(Some("nofollow noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_scheduled_five_minutes_ahead_or_more() {
        let now = 1_790_000_000_000;
        let soon = "2026-09-21T14:17:00Z";
        let soon_ms = scheduled_at(soon, 0).unwrap();
        assert_eq!(
            scheduled_at(soon, soon_ms - SCHEDULE_AHEAD_MIN_MS),
            Ok(soon_ms)
        );
        assert_eq!(
            scheduled_at(soon, soon_ms - SCHEDULE_AHEAD_MIN_MS + 1)
                .unwrap_err()
                .message,
            "invalid.scheduled_too_soon"
        );
        assert_eq!(
            scheduled_at("2026-09-21T23:17:00+09:00", 0),
            Ok(soon_ms),
            "an offset is read"
        );
        assert_eq!(
            scheduled_at("next tuesday", now).unwrap_err().message,
            "invalid.malformed"
        );
    }

    #[test]
    fn visibility_names_map_to_mastodon() {
        assert_eq!(Visibility::parse("followers"), Ok(Visibility::Private));
        assert_eq!(Visibility::Department.mastodon(), "private");
        assert!(Visibility::parse("secret").is_err());
    }

    #[test]
    fn a_status_over_5000_characters_is_refused() {
        assert!(NewStatus::parse(&"가".repeat(5000), None, None, false, None, None).is_ok());
        let problems =
            NewStatus::parse(&"가".repeat(5001), None, None, false, None, None).unwrap_err();
        assert_eq!(problems[0].code, "ERR_TOO_LONG");
        assert_eq!(
            NewStatus::parse("  ", None, None, false, None, None).map(|s| s.source),
            Ok(String::new())
        );
    }

    fn ids(raw: &[&str]) -> Vec<String> {
        raw.iter().map(|r| (*r).to_owned()).collect()
    }

    #[test]
    fn a_status_names_at_most_four_readable_photos_each_once() {
        let read = PhotoIds::read(&ids(&["1", "2", "1", "3"]));
        assert_eq!(read.ids, [1, 2, 3]);
        assert!(read.problems.is_empty());
        assert_eq!(PhotoIds::read(&ids(&["x"])).problems, [PHOTO_UNKNOWN]);
        let five = PhotoIds::read(&ids(&["1", "2", "3", "4", "5"]));
        assert_eq!(five.problems, [TOO_MANY_PHOTOS]);
    }

    #[test]
    fn each_photo_must_be_a_free_upload_of_the_author() {
        let read = PhotoIds::read(&ids(&["1", "2", "3"]));
        assert!(read.not_free(&[1, 2, 3]).is_empty());
        assert_eq!(read.not_free(&[2]), [PHOTO_UNKNOWN, PHOTO_UNKNOWN]);
    }

    #[test]
    fn organisation_and_department_visibility_need_a_membership() {
        let status = |visibility| {
            NewStatus::parse("안녕", None, None, false, Some(visibility), None).unwrap()
        };
        let nowhere = Membership {
            organization: false,
            department: false,
        };
        let organisation_only = Membership {
            organization: true,
            department: false,
        };
        assert!(status("public").problems_with(0, nowhere).is_empty());
        assert_eq!(
            status("organization").problems_with(0, nowhere)[0].field,
            "visibility"
        );
        assert!(
            status("organization")
                .problems_with(0, organisation_only)
                .is_empty()
        );
        assert!(
            !status("department")
                .problems_with(0, organisation_only)
                .is_empty()
        );
    }

    #[test]
    fn a_status_without_text_needs_a_photo() {
        let empty = NewStatus::parse(" ", None, None, false, None, None).unwrap();
        let anywhere = Membership {
            organization: true,
            department: true,
        };
        assert_eq!(empty.problems_with(0, anywhere), [Invalid::blank("status")]);
        assert!(empty.problems_with(1, anywhere).is_empty());
    }

    #[test]
    fn only_a_short_non_empty_idempotency_key_counts() {
        assert_eq!(idempotency_key(Some("abc")), Some("abc"));
        assert_eq!(idempotency_key(Some("")), None);
        assert_eq!(idempotency_key(Some(&"k".repeat(201))), None);
        assert_eq!(idempotency_key(None), None);
    }

    #[test]
    fn a_friends_only_wall_takes_posts_from_mutual_follows() {
        assert!(wall_open_to(false, false, false));
        assert!(wall_open_to(true, true, true));
        assert!(!wall_open_to(true, true, false));
        assert!(!wall_open_to(true, false, true));
    }

    #[test]
    fn each_account_is_told_once_for_its_first_reason() {
        assert_eq!(
            told_of_new_status(Some(1), Some(2), &[3, 1, 2]),
            [(1, "sotong.wall_post"), (2, "mention"), (3, "mention")]
        );
        assert!(told_of_new_status(None, None, &[]).is_empty());
    }

    #[test]
    fn a_long_form_post_is_markdown_and_a_short_one_links_its_mentions() {
        assert!(render_body("**굵게**", true, &[], "https://x").contains("<strong>"));
        let plain = render_body(
            "@gildong 안녕",
            false,
            &[(7, "gildong".into())],
            "https://x",
        );
        assert!(plain.contains("href=\"https://x/@gildong\""), "{plain}");
    }

    #[test]
    fn a_tag_name_is_one_word_lower_cased_without_its_sign() {
        assert_eq!(tag_name(" #민원 ").unwrap(), "민원");
        assert_eq!(tag_name("Parking_Lot").unwrap(), "parking_lot");
        assert_eq!(tag_name("#").unwrap_err().field, "name");
        assert_eq!(tag_name("two words").unwrap_err().code, "ERR_INVALID");
        assert_eq!(tag_name(&"가".repeat(61)).unwrap_err().code, "ERR_TOO_LONG");
    }

    #[test]
    fn mentions_and_hashtags_are_found_in_korean_text() {
        assert_eq!(
            mentions("@gildong 님, 주차 민원 봐 주세요 @Minji_Kim @gildong"),
            ["gildong", "Minji_Kim"]
        );
        assert_eq!(
            hashtags("오늘 #민원 처리 #Parking, email a#b"),
            ["민원", "parking"]
        );
        assert!(mentions("someone@example.org").is_empty());
    }

    #[test]
    fn script_and_event_handlers_never_survive() {
        let html = render_plain(
            "<script>alert(1)</script> <img src=x onerror=alert(1)>",
            &[],
            "https://x",
        );
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        let markdown = render_markdown(
            "# 제목\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">link</a> **굵게**",
        );
        assert!(
            !markdown.contains("javascript:") && !markdown.contains("onclick"),
            "{markdown}"
        );
        assert!(
            markdown.contains("<h1>제목</h1>") && markdown.contains("<strong>굵게</strong>"),
            "{markdown}"
        );
    }

    #[test]
    fn known_mentions_and_tags_become_links() {
        let html = render_plain(
            "@gildong 안녕하세요\n#민원",
            &[("gildong".into(), "https://x/@gildong".into())],
            "https://x",
        );
        assert!(html.contains("href=\"https://x/@gildong\""), "{html}");
        assert!(html.contains("<br>"), "{html}");
        assert!(html.contains("/tags/%EB%AF%BC%EC%9B%90"), "{html}");
        assert!(render_plain("@nobody hi", &[], "https://x").contains("@nobody"));
    }
}
