//! Checks on the source tree itself: invariants a compiler does not see.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// The identifiers of the messages in a translators' file, `locales/{lang}/sotong.ftl`.
fn fluent_messages(root: &Path, lang: &str) -> HashSet<String> {
    let path = root.join("locales").join(lang).join("sotong.ftl");
    let text = std::fs::read_to_string(&path).unwrap();
    let resource = fluent_syntax::parser::parse(text.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Every message key written in the code has a message in both translators' files (under its
/// Fluent identifier), so no reader sees "?".
#[test]
fn every_message_key_in_the_code_is_translated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let languages = [
        ("ko", fluent_messages(root, "ko")),
        ("en", fluent_messages(root, "en")),
    ];
    let mut sources = Vec::new();
    files(&root.join("src"), "rs", &mut sources);
    files(&root.join("templates"), "html", &mut sources);
    let prefixes = [
        "error.",
        "invalid.",
        "notification.",
        "nav.",
        "sign_in.",
        "sign_up.",
        "password.",
        "home.",
        "authorize.",
        "role.",
        "app.",
        "web.",
        "visibility.",
    ];
    // Strings that look like keys but are not messages: audit-log action names.
    let not_messages = ["password.reset"];
    let mut missing = Vec::new();
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        for quoted in text.split('"').skip(1).step_by(2) {
            let is_key = prefixes.iter().any(|p| quoted.starts_with(p))
                && quoted.len() > 4
                && !quoted.ends_with(".html")
                && !not_messages.contains(&quoted)
                && quoted
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
            if !is_key {
                continue;
            }
            let id = sotong::i18n::fluent_id(quoted);
            for (lang, messages) in &languages {
                if !messages.contains(&id) {
                    missing.push(format!("{}: {quoted} ({lang})", file.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "message keys without text:\n{}",
        missing.join("\n")
    );
}

/// Both databases get the same migrations, under the same names.
#[test]
fn every_migration_exists_for_both_backends() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

/// SQL lives in `db`; `domain` stays free of I/O; `app` knows nothing of HTTP.
#[test]
fn layers_keep_to_their_side() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rules: [(&str, &[&str]); 3] = [
        ("domain", &["sqlx", "axum", "tokio", "reqwest"]),
        ("app", &["axum", "sqlx::query"]),
        ("http", &["sqlx::query"]),
    ];
    let mut broken = Vec::new();
    for (layer, forbidden) in rules {
        let mut sources = Vec::new();
        files(&root.join(layer), "rs", &mut sources);
        for file in sources {
            let text = std::fs::read_to_string(&file).unwrap();
            for word in forbidden {
                if text.contains(word) {
                    broken.push(format!("{} uses {word}", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The layering ARCHITECTURE.md describes, as an allow-list: SQL only in `db` (and the bus,
/// which listens on PostgreSQL, the benchmark seeding and the bare reference server); no call
/// into `db` but from `app` (and start-up); `db` and `live` know nothing of `app` or `http`;
/// the hub rung only by a committed `Write`; path ids read by one extractor.
#[test]
fn the_layers_keep_to_their_places() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("src"), "rs", &mut sources);
    let relative = |p: &Path| {
        p.strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/")
    };
    let sql_allowed = [
        "src/db/",
        "src/live/bus.rs",
        "src/bench_data.rs",
        "src/bin/sotong-load/reference.rs",
    ];
    let db_calls_allowed = [
        "src/db/",
        "src/app/",
        "src/server.rs",
        // Backup and restore work on the database as a whole, before any `App` exists.
        "src/backup.rs",
        "src/bench_data.rs",
        "src/bin/",
    ];
    let mut broken = Vec::new();
    for path in &sources {
        let name = relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        if text.contains("sqlx::") && !sql_allowed.iter().any(|a| name.starts_with(a)) {
            broken.push(format!("{name}: SQL outside db"));
        }
        if !db_calls_allowed.iter().any(|a| name.starts_with(a)) {
            // A call is `db::module::function(`; types (`db::statuses::Page`) may be named.
            for (at, _) in text.match_indices("db::") {
                let rest = &text[at + 4..];
                let path_end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                let last = rest[..path_end].rsplit("::").next().unwrap_or("");
                let is_call = rest[path_end..].starts_with('(')
                    && last.chars().next().is_some_and(char::is_lowercase);
                if is_call {
                    broken.push(format!("{name}: calls db::{}", &rest[..path_end]));
                }
            }
        }
        if (name.starts_with("src/db/") || name.starts_with("src/live/"))
            && (text.contains("crate::app") || text.contains("crate::http"))
        {
            broken.push(format!("{name}: a lower layer imports app or http"));
        }
        // Streams hear of a write only once it has committed: the hub is rung by
        // `app::write::Write::commit` alone (the bus relays inside `live`).
        if text.contains(".publish(")
            && name != "src/app/write.rs"
            && !name.starts_with("src/live/")
        {
            broken.push(format!("{name}: rings the hub outside Write::commit"));
        }
        // Every id of a path is read by `PathId` or `IdPath`, which answer 404 for a bad one.
        if name.starts_with("src/http/") && text.contains("parse_id(&id)") {
            broken.push(format!("{name}: parses a path's id by hand"));
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

/// No two shapes of the OpenAPI document share a name: utoipa keeps one of them, and the other
/// operation is then described with the wrong shape (which schemathesis finds only by chance).
#[test]
fn every_shape_of_the_api_has_a_name_of_its_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = Vec::new();
    files(&root.join("src/http"), "rs", &mut sources);
    let mut seen: std::collections::HashMap<String, PathBuf> = Default::default();
    let mut twins = Vec::new();
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut derives_schema = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") {
                derives_schema = line.contains("ToSchema");
                continue;
            }
            if line.starts_with("#[") || line.starts_with("///") {
                continue;
            }
            if derives_schema {
                let name = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|p| line.strip_prefix(p))
                    .and_then(|rest| {
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                    });
                if let Some(name) = name
                    && let Some(other) = seen.insert(name.to_owned(), path.clone())
                {
                    twins.push(format!(
                        "{name}: {} and {}",
                        other.display(),
                        path.display()
                    ));
                }
            }
            derives_schema = false;
        }
    }
    assert!(
        twins.is_empty(),
        "shapes sharing a name:\n{}",
        twins.join("\n")
    );
}

/// Every administrative operation that writes leaves its entry in the audit log: an `app`
/// method that asks `administrator` or `acting_moderator` for a `write` and then writes (opens
/// a transaction), or refuses everyone but administrators and writes, records with
/// `audit::record`, or hands over to one that does.
#[test]
fn every_administrative_write_is_audited() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut sources = Vec::new();
    files(&root, "rs", &mut sources);
    // (file, name, body) of every method, cut at each `fn `.
    let mut methods = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        let starts: Vec<usize> = text.match_indices("async fn ").map(|(at, _)| at).collect();
        for (i, start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let body = &text[*start..end];
            let name: String = body["async fn ".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            methods.push((path.display().to_string(), name, body.to_owned()));
        }
    }
    let records: HashSet<&str> = methods
        .iter()
        .filter(|(_, _, body)| body.contains("audit::record("))
        .map(|(_, name, _)| name.as_str())
        .collect();
    let mut unaudited = Vec::new();
    for (file, name, body) in &methods {
        let administrative = body.contains("self.administrator(")
            || body.contains("acting_moderator(viewer, \"admin:write")
            || body.contains("viewer.role != Some(Role::Administrator)");
        let writes = body.contains("self.begin()") || body.contains("begin_write(");
        let hands_over = records
            .iter()
            .any(|other| body.contains(&format!("self.{other}(")));
        if administrative && writes && !body.contains("audit::record(") && !hands_over {
            unaudited.push(format!("{file}: {name}"));
        }
    }
    assert!(
        unaudited.is_empty(),
        "administrative writes without an audit entry: {unaudited:#?}"
    );
}
