//! Messages in Korean (first) and English.
//!
//! Lower layers name a message by key; the edge picks the reader's language
//! (`?lang=`, the `lang` cookie, then `Accept-Language`; Korean when nothing says otherwise).
//!
//! The texts are translators' files in Project Fluent's format, `locales/ko/sotong.ftl` and
//! `locales/en/sotong.ftl`, built into the binary (`include_str!`) and parsed once per language,
//! on first use. The code names a message by a dotted key (`error.not_found`), which
//! [`fluent_id`] turns into the files' identifier (`error-not_found`).

mod particle;

pub use particle::particle;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use unic_langid::LanguageIdentifier;

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code
            .trim()
            .split(['-', '_'])
            .next()?
            .to_ascii_lowercase()
            .as_str()
        {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The message for `key`, as the catalogue has it without variables (a message that has some
    /// shows them as `{$name}`: use [`Lang::format`]); "?" when the catalogue lacks the key (a
    /// bug, visible, and one the tidy test keeps out).
    pub fn t(self, key: &str) -> &'static str {
        self.catalogue()
            .texts
            .get(key)
            .map_or(MISSING, String::as_str)
    }

    /// The message for `key` with its variables filled in, e.g.
    /// `lang.format("notification.follow", &[("name", "김나리")])` for
    /// "김나리님이 회원님을 팔로우합니다."; "?" when the catalogue lacks the key. A variable the
    /// message wants and `args` lacks shows as `{$name}` (and is logged).
    pub fn format(self, key: &str, args: &[(&str, &str)]) -> String {
        let catalogue = self.catalogue();
        let Some(pattern) = catalogue
            .bundle
            .get_message(&fluent_id(key))
            .and_then(|message| message.value())
        else {
            return MISSING.to_owned();
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for &(name, value) in args {
            fluent_args.set(name, value);
        }
        let mut errors = Vec::new();
        let text = catalogue
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "a message was formatted with errors");
        }
        text.into_owned()
    }

    fn catalogue(self) -> &'static Catalogue {
        match self {
            Lang::Ko => &KO,
            Lang::En => &EN,
        }
    }
}

/// The Korean messages, as translators edit them.
const KO_FTL: &str = include_str!("../locales/ko/sotong.ftl");
/// The English messages, as translators edit them.
const EN_FTL: &str = include_str!("../locales/en/sotong.ftl");

/// What a key that names no message reads as.
const MISSING: &str = "?";

/// The Fluent identifier of the message the code calls `key`: the dots of `error.not_found`
/// become hyphens, `error-not_found`, since Fluent identifiers cannot hold dots (and keys hold
/// no hyphens, so no two keys meet). The one place keys and identifiers are mapped.
pub fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

/// The key the code calls the message with the Fluent identifier `id`: [`fluent_id`] undone
/// (keys hold no hyphens).
fn code_key(id: &str) -> String {
    id.replace('-', ".")
}

/// One language's messages: the Fluent bundle, for [`Lang::format`], and every message already
/// formatted without variables, for [`Lang::t`], by the code's own key (a hash look-up that
/// builds nothing, and a `&'static str` since the catalogue lives in a static).
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    texts: HashMap<String, String>,
}

static KO: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::load("ko", KO_FTL));
static EN: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::load("en", EN_FTL));

impl Catalogue {
    fn load(lang: &str, source: &str) -> Catalogue {
        let (bundle, ids) = bundle(lang, source)
            .expect("the .ftl files built into the binary parse (the i18n unit tests check)");
        let texts = ids
            .into_iter()
            .filter_map(|id| {
                let pattern = bundle.get_message(&id)?.value()?;
                // Errors here are variables left unfilled, shown as `{$name}`: what `t` means.
                let text = bundle.format_pattern(pattern, None, &mut Vec::new());
                let text = text.into_owned();
                Some((code_key(&id), text))
            })
            .collect();
        Catalogue { bundle, texts }
    }
}

/// A bundle of the messages in `source` for the language `lang`, and their identifiers; the
/// parser's and the bundle's complaints when the file has mistakes.
fn bundle(lang: &str, source: &str) -> Result<(FluentBundle<FluentResource>, Vec<String>), String> {
    let langid: LanguageIdentifier = lang.parse().map_err(|e| format!("{lang}: {e}"))?;
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| format!("{lang}: {errors:?}"))?;
    let ids = resource
        .entries()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // The text goes into HTML and JSON as it is, without Unicode isolation marks around names.
    bundle.set_use_isolating(false);
    bundle
        .add_function("PARTICLE", particle_function)
        .map_err(|e| format!("{lang}: {e:?}"))?;
    bundle
        .add_resource(resource)
        .map_err(|errors| format!("{lang}: {errors:?}"))?;
    Ok((bundle, ids))
}

/// `PARTICLE($word, "은", "는")` in a message: the Korean particle that fits after `$word`
/// ([`particle`]); both forms when `$word` is missing or not text.
fn particle_function<'a>(positional: &[FluentValue<'a>], _named: &FluentArgs) -> FluentValue<'a> {
    let [
        word,
        FluentValue::String(with_final),
        FluentValue::String(without_final),
    ] = positional
    else {
        return FluentValue::Error;
    };
    let word = match word {
        FluentValue::String(word) => word.clone(),
        FluentValue::Number(number) => number.as_string(),
        _ => Cow::Borrowed(""),
    };
    FluentValue::String(Cow::Owned(
        particle(&word, with_final, without_final).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ko;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, ko-KR;q=0.5"),
            Some(Lang::Ko)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }

    /// The variables a message uses: all of them, and those it shows (not only hands to a
    /// function such as `PARTICLE`, whose use is one language's grammar).
    #[derive(Debug, Default)]
    struct Variables {
        all: BTreeSet<String>,
        shown: BTreeSet<String>,
    }

    /// The identifiers of the messages in `source` and the variables each uses; the parser's
    /// complaints fail the test.
    fn messages(source: &str) -> BTreeMap<String, Variables> {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("the .ftl file does not parse: {errors:?}"));
        let mut messages = BTreeMap::new();
        for entry in &resource.body {
            match entry {
                ast::Entry::Message(message) => {
                    let id = message.id.name;
                    let pattern = message.value.as_ref();
                    let pattern = pattern.unwrap_or_else(|| panic!("{id} has no text"));
                    let mut variables = Variables::default();
                    pattern_variables(pattern, true, &mut variables);
                    let first = messages.insert(id.to_owned(), variables).is_none();
                    assert!(first, "{id} twice");
                }
                ast::Entry::Junk { content } => panic!("junk in a .ftl file: {content}"),
                _ => {}
            }
        }
        messages
    }

    fn pattern_variables(pattern: &ast::Pattern<&str>, shown: bool, out: &mut Variables) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, shown, out);
            }
        }
    }

    fn expression_variables(expression: &ast::Expression<&str>, shown: bool, out: &mut Variables) {
        match expression {
            ast::Expression::Inline(inline) => inline_variables(inline, shown, out),
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, false, out);
                for variant in variants {
                    pattern_variables(&variant.value, shown, out);
                }
            }
        }
    }

    fn inline_variables(inline: &ast::InlineExpression<&str>, shown: bool, out: &mut Variables) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.all.insert(id.name.to_owned());
                if shown {
                    out.shown.insert(id.name.to_owned());
                }
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_variables(argument, false, out);
                }
                for argument in &arguments.named {
                    inline_variables(&argument.value, false, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => {
                expression_variables(expression, shown, out);
            }
            _ => {}
        }
    }

    /// Both files parse and hold the same messages, each showing the same variables in both
    /// languages (a variable only one language's grammar needs, such as the name `PARTICLE`
    /// looks at, may be missing from the other).
    #[test]
    fn both_files_parse_and_hold_the_same_messages_with_the_same_variables() {
        let ko = messages(KO_FTL);
        let en = messages(EN_FTL);
        let only_ko: Vec<_> = ko.keys().filter(|id| !en.contains_key(*id)).collect();
        let only_en: Vec<_> = en.keys().filter(|id| !ko.contains_key(*id)).collect();
        assert!(only_ko.is_empty(), "only in Korean: {only_ko:?}");
        assert!(only_en.is_empty(), "only in English: {only_en:?}");
        for (id, variables) in &ko {
            assert_eq!(
                variables.shown, en[id].shown,
                "{id}: the two languages show different variables"
            );
        }
        assert!(ko.len() > 300, "{} messages", ko.len());
    }

    /// Given the variables either language uses (the code passes the same to both), every
    /// message formats without an error and to some text.
    #[test]
    fn every_message_formats_without_errors_given_its_variables() {
        let ko = messages(KO_FTL);
        let en = messages(EN_FTL);
        for (lang, source) in [("ko", KO_FTL), ("en", EN_FTL)] {
            let (bundle, ids) = bundle(lang, source).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(ids.len(), ko.len());
            for id in ids {
                let mut args = FluentArgs::new();
                for variable in ko[&id].all.iter().chain(&en[&id].all) {
                    args.set(variable.clone(), "홍길동");
                }
                let pattern = bundle.get_message(&id).and_then(|m| m.value()).unwrap();
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang} {id}: {errors:?}");
                assert!(!text.trim().is_empty(), "{lang} {id} is empty");
            }
        }
    }

    #[test]
    fn keys_are_looked_up_by_their_dotted_names() {
        assert_eq!(fluent_id("error.not_found"), "error-not_found");
        assert_eq!(
            Lang::Ko.t("error.not_found"),
            "요청한 것을 찾을 수 없습니다"
        );
        assert_eq!(Lang::En.t("error.not_found"), "Record not found");
        assert_eq!(Lang::Ko.t("invalid.blank"), "비어 있을 수 없습니다");
        assert_eq!(Lang::En.t("home.welcome"), ", welcome");
        assert_eq!(Lang::Ko.t("no.such.message"), "?");
        assert_eq!(Lang::En.t("no.such.message"), "?");
        assert_eq!(Lang::En.format("no.such.message", &[]), "?");
        // `t` finds every message by the code's key: identifiers carry hyphens only for dots.
        for (lang, source) in [(Lang::Ko, KO_FTL), (Lang::En, EN_FTL)] {
            let (_, ids) = bundle(lang.code(), source).unwrap();
            for id in ids {
                assert!(
                    id.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c)),
                    "{id}"
                );
                assert_eq!(fluent_id(&code_key(&id)), id);
                assert_ne!(lang.t(&code_key(&id)), MISSING, "{id}");
            }
        }
    }

    #[test]
    fn variables_are_filled_in_without_isolation_marks() {
        let args = [("name", "김나리")];
        assert_eq!(
            Lang::Ko.format("notification.follow", &args),
            "김나리님이 회원님을 팔로우합니다."
        );
        assert_eq!(
            Lang::En.format("notification.session_reminder", &args),
            "A session of 김나리's program is coming up."
        );
        assert_eq!(Lang::Ko.format("web.more", &args), Lang::Ko.t("web.more"));
    }

    #[test]
    fn the_particle_follows_the_name_it_attaches_to() {
        // The page shows the name in bold, then the message.
        let question = |lang: Lang, app: &str| {
            format!(
                "{app}{}",
                lang.format("authorize.question", &[("app", app)])
            )
        };
        assert_eq!(
            question(Lang::Ko, "소통앱"),
            "소통앱이 회원님의 계정을 사용하려고 합니다."
        );
        assert_eq!(
            question(Lang::Ko, "나라터"),
            "나라터가 회원님의 계정을 사용하려고 합니다."
        );
        assert_eq!(
            question(Lang::Ko, "Tusky"),
            "Tusky이(가) 회원님의 계정을 사용하려고 합니다."
        );
        assert_eq!(
            question(Lang::En, "Tusky"),
            "Tusky would like to use your account."
        );
        // Without the name, the Korean text names both forms.
        assert_eq!(
            Lang::Ko.t("authorize.question"),
            "이(가) 회원님의 계정을 사용하려고 합니다."
        );
    }
}
