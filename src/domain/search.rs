//! Search rules: Hangul initial consonants (초성) and safe LIKE patterns.
//!
//! Matching is substring matching (`LIKE '%…%'`), the same on SQLite and PostgreSQL: it finds
//! two-syllable Korean words (민원, 주차) that trigram indexes miss.

/// The 19 initial consonants, in Unicode order of the Hangul syllable block.
const CHOSEONG: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

/// The initial consonants of the Hangul syllables in `text` ("홍길동" → "ㅎㄱㄷ"); other
/// characters are left out.
pub fn choseong(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let code = u32::from(c);
            (0xAC00..=0xD7A3)
                .contains(&code)
                .then(|| CHOSEONG[((code - 0xAC00) / 588) as usize])
        })
        .collect()
}

/// True when a query is made only of initial consonants ("ㅎㄱㄷ"), so it searches names by them.
pub fn is_choseong_query(query: &str) -> bool {
    let mut chars = query.chars().filter(|c| !c.is_whitespace()).peekable();
    chars.peek().is_some() && chars.all(|c| CHOSEONG.contains(&c))
}

/// A LIKE pattern that matches `query` anywhere, with `%`, `_` and `\` taken literally
/// (used with `ESCAPE '\'`), lower-cased.
pub fn contains_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in query.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A checked search query: trimmed, not empty, not absurdly long.
pub fn parse_query(query: &str) -> Option<String> {
    let query = query.trim();
    (!query.is_empty() && query.chars().count() <= 100).then(|| query.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_consonants_of_korean_names() {
        assert_eq!(choseong("홍길동"), "ㅎㄱㄷ");
        assert_eq!(choseong("김 민준 (Kim)"), "ㄱㅁㅈ");
        assert_eq!(choseong("까치"), "ㄲㅊ");
        assert!(is_choseong_query("ㅎㄱㄷ"));
        assert!(is_choseong_query("ㅎ ㄱ"));
        assert!(!is_choseong_query("홍길동"));
        assert!(!is_choseong_query(""));
    }

    #[test]
    fn like_wildcards_in_queries_are_literal() {
        assert_eq!(contains_pattern("민원"), "%민원%");
        assert_eq!(contains_pattern("100%_x\\"), "%100\\%\\_x\\\\%");
        assert_eq!(contains_pattern(" Gil "), "%gil%");
    }
}
