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

    /// The name Mastodon clients understand.
    pub fn mastodon(text: &str) -> &'static str {
        match text {
            "public" => "public",
            "unlisted" => "unlisted",
            "direct" => "direct",
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
            }),
            _ => Err(problems),
        }
    }
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
    fn visibility_names_map_to_mastodon() {
        assert_eq!(Visibility::parse("followers"), Ok(Visibility::Private));
        assert_eq!(Visibility::mastodon("department"), "private");
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
