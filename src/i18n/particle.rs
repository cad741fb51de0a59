//! Korean particles that follow the word they attach to: 은/는, 이/가, 을/를, 과/와, 으로/로…
//!
//! The choice rests on the word's last sound: a final consonant (받침) takes the first form
//! ("홍길동은"), a vowel the second ("김나리는"). The .ftl files reach this as the Fluent function
//! `PARTICLE($word, "은", "는")`.

use std::borrow::Cow;

/// How a word ends, as far as a particle after it cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Vowel,
    /// A final consonant other than a lone ㄹ.
    Consonant,
    /// A lone ㄹ, which takes 로 rather than 으로 ("서울로") but 은, 이, 을, 과 ("서울은").
    Rieul,
    /// Not a Hangul syllable nor a digit (Latin letters, say): no telling how it is read.
    Unknown,
}

/// Where Hangul syllables start (가); each initial consonant and vowel has 28 finals after it,
/// the first being none.
const SYLLABLES_START: u32 = 0xAC00;
const FINALS: u32 = 28;
/// The index of a lone ㄹ among the finals.
const FINAL_RIEUL: u32 = 8;

/// How `word` ends, judged by its last letter or digit: closing brackets, quotes and
/// punctuation after it are passed over ("김나리)" ends like "김나리").
fn ending(word: &str) -> Ending {
    let Some(last) = word.chars().rev().find(|c| c.is_alphanumeric()) else {
        return Ending::Unknown;
    };
    match last {
        '가'..='힣' => match (u32::from(last) - SYLLABLES_START) % FINALS {
            0 => Ending::Vowel,
            FINAL_RIEUL => Ending::Rieul,
            _ => Ending::Consonant,
        },
        // Digits as read in Korean: 영 일 이 삼 사 오 육 칠 팔 구; a last 0 after other digits
        // is read 십, 백, 천 or 만, all with a final consonant too.
        '0' | '3' | '6' => Ending::Consonant,
        '1' | '7' | '8' => Ending::Rieul,
        '2' | '4' | '5' | '9' => Ending::Vowel,
        _ => Ending::Unknown,
    }
}

/// The particle that fits after `word`: `with_final` after a final consonant (받침),
/// `without_final` after a vowel; so `particle("홍길동", "은", "는")` is "은" and
/// `particle("김나리", "은", "는")` is "는". A form made of 으 and the other (으로/로, 으로서/로서)
/// takes the short one after ㄹ too ("서울로").
///
/// A word that ends in neither Hangul nor a digit gets both forms, as Korean writers put them
/// when they cannot tell: "이(가)", "은(는)", "을(를)", "과(와)", and "(으)로" where the first form
/// is the second with something before it.
pub fn particle<'a>(word: &str, with_final: &'a str, without_final: &'a str) -> Cow<'a, str> {
    let extra = with_final
        .strip_suffix(without_final)
        .filter(|extra| !extra.is_empty());
    match ending(word) {
        Ending::Vowel => Cow::Borrowed(without_final),
        Ending::Rieul if extra == Some("으") => Cow::Borrowed(without_final),
        Ending::Consonant | Ending::Rieul => Cow::Borrowed(with_final),
        Ending::Unknown => Cow::Owned(match extra {
            Some(extra) => format!("({extra}){without_final}"),
            None => format!("{with_final}({without_final})"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(word: &str, with_final: &str, without_final: &str) -> String {
        format!("{word}{}", particle(word, with_final, without_final))
    }

    #[test]
    fn a_final_consonant_takes_the_first_form_and_a_vowel_the_second() {
        assert_eq!(with("홍길동", "은", "는"), "홍길동은");
        assert_eq!(with("김나리", "은", "는"), "김나리는");
        assert_eq!(with("홍길동", "이", "가"), "홍길동이");
        assert_eq!(with("김나리", "이", "가"), "김나리가");
        assert_eq!(with("민원과", "을", "를"), "민원과를");
        assert_eq!(with("누리구청", "을", "를"), "누리구청을");
        assert_eq!(with("주민", "과", "와"), "주민과");
        assert_eq!(with("기관장", "과", "와"), "기관장과");
        assert_eq!(with("직원", "과", "와"), "직원과");
        assert_eq!(with("부서", "과", "와"), "부서와");
    }

    #[test]
    fn a_lone_rieul_takes_ro_but_a_consonant_particle_otherwise() {
        assert_eq!(with("서울", "으로", "로"), "서울로");
        assert_eq!(with("부산", "으로", "로"), "부산으로");
        assert_eq!(with("대구", "으로", "로"), "대구로");
        assert_eq!(with("닭", "으로", "로"), "닭으로");
        assert_eq!(with("서울", "은", "는"), "서울은");
        assert_eq!(with("서울", "이", "가"), "서울이");
        assert_eq!(with("교육실", "으로서", "로서"), "교육실로서");
    }

    #[test]
    fn digits_are_read_in_korean() {
        assert_eq!(with("3", "은", "는"), "3은");
        assert_eq!(with("2", "은", "는"), "2는");
        assert_eq!(with("10", "이", "가"), "10이");
        assert_eq!(with("1", "으로", "로"), "1로");
        assert_eq!(with("6", "으로", "로"), "6으로");
        assert_eq!(with("소통 2", "이", "가"), "소통 2가");
    }

    #[test]
    fn other_endings_get_both_forms() {
        assert_eq!(with("Tusky", "이", "가"), "Tusky이(가)");
        assert_eq!(with("Tusky", "은", "는"), "Tusky은(는)");
        assert_eq!(with("Tusky", "을", "를"), "Tusky을(를)");
        assert_eq!(with("Tusky", "과", "와"), "Tusky과(와)");
        assert_eq!(with("Tusky", "으로", "로"), "Tusky(으)로");
        assert_eq!(with("Tusky", "이라고", "라고"), "Tusky(이)라고");
        assert_eq!(with("", "이", "가"), "이(가)");
        assert_eq!(with("😀", "이", "가"), "😀이(가)");
    }

    #[test]
    fn trailing_punctuation_is_passed_over() {
        assert_eq!(particle("김나리 (민원과)", "은", "는"), "는");
        assert_eq!(particle("「홍길동」", "이", "가"), "이");
        assert_eq!(particle("홍길동!", "을", "를"), "을");
    }
}
