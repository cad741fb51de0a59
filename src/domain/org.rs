//! Organisations and their department trees.

use super::Invalid;

/// What an organisation is; a province can host several cities and districts.
pub const ORGANIZATION_KINDS: &[&str] = &["province", "city", "district", "agency"];
/// Levels of a department tree: 국 (bureau), 과 (department), 팀 (team).
pub const DEPARTMENT_KINDS: &[&str] = &["bureau", "department", "team"];

/// A short ASCII name used in addresses and CSV files (`nuri-gu`, `D01`).
pub fn parse_code(field: &'static str, text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::blank(field));
    }
    if text.len() > 40 {
        return Err(Invalid::too_long(field));
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Invalid::new(field, "ERR_INVALID", "invalid.code_chars"));
    }
    Ok(text.to_owned())
}

/// A human name for an organisation or department ("누리구청", "기획예산과").
pub fn parse_name(field: &'static str, text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::blank(field));
    }
    if text.chars().count() > 80 {
        return Err(Invalid::too_long(field));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::malformed(field));
    }
    Ok(text.to_owned())
}

pub fn parse_kind(field: &'static str, text: &str, allowed: &[&str]) -> Result<String, Invalid> {
    let text = text.trim();
    allowed
        .iter()
        .find(|k| **k == text)
        .map(|k| (*k).to_owned())
        .ok_or(Invalid::new(field, "ERR_INCLUSION", "invalid.kind"))
}

/// Orders departments so that every parent comes before its children, or names the code of
/// one that closes a cycle. Input: (code, parent code). Parents outside the list must exist
/// already; the caller checks that.
pub fn parents_first(departments: &[(String, Option<String>)]) -> Result<Vec<usize>, String> {
    let index_of = |code: &str| departments.iter().position(|(c, _)| c == code);
    let mut order = Vec::with_capacity(departments.len());
    let mut placed = vec![false; departments.len()];
    let mut visiting = vec![false; departments.len()];
    fn visit(
        i: usize,
        departments: &[(String, Option<String>)],
        index_of: &dyn Fn(&str) -> Option<usize>,
        placed: &mut [bool],
        visiting: &mut [bool],
        order: &mut Vec<usize>,
    ) -> Result<(), String> {
        if placed[i] {
            return Ok(());
        }
        if visiting[i] {
            return Err(departments[i].0.clone());
        }
        visiting[i] = true;
        if let Some(parent) = departments[i].1.as_deref().and_then(index_of) {
            visit(parent, departments, index_of, placed, visiting, order)?;
        }
        visiting[i] = false;
        placed[i] = true;
        order.push(i);
        Ok(())
    }
    for i in 0..departments.len() {
        visit(
            i,
            departments,
            &index_of,
            &mut placed,
            &mut visiting,
            &mut order,
        )?;
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str, parent: Option<&str>) -> (String, Option<String>) {
        (code.to_owned(), parent.map(str::to_owned))
    }

    #[test]
    fn parents_come_before_children() {
        let list = [
            dept("T1", Some("D1")),
            dept("D1", Some("B1")),
            dept("B1", None),
        ];
        assert_eq!(parents_first(&list), Ok(vec![2, 1, 0]));
    }

    #[test]
    fn a_cycle_is_named() {
        let list = [dept("A", Some("B")), dept("B", Some("A"))];
        assert!(parents_first(&list).is_err());
    }

    #[test]
    fn codes_are_ascii() {
        assert!(parse_code("code", "D-01").is_ok());
        assert!(parse_code("code", "기획").is_err());
        assert!(parse_kind("kind", "bureau", DEPARTMENT_KINDS).is_ok());
        assert!(parse_kind("kind", "empire", DEPARTMENT_KINDS).is_err());
    }
}
