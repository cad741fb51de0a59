//! Cells that a spreadsheet shows and never runs.

/// A cell as a spreadsheet will show it, never run it: text that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return (which Excel and LibreOffice take as the start of a
/// formula, e.g. `=HYPERLINK(…)` in a suggestion's title) gets a leading apostrophe, as OWASP
/// advises. Numbers (`-3`, `+1.5`) are left alone: they cannot be formulas.
pub fn inert(cell: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let starts_formula = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let is_number = std::str::from_utf8(cell).is_ok_and(|text| text.trim().parse::<f64>().is_ok());
    if starts_formula && !is_number {
        let mut quoted = Vec::with_capacity(cell.len() + 1);
        quoted.push(b'\'');
        quoted.extend_from_slice(cell);
        return quoted.into();
    }
    cell.into()
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn formulas_become_text_and_everything_else_stays() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"보기\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
        ] {
            let out = inert(formula.as_bytes());
            assert_eq!(out[0], b'\'', "{formula}");
            assert_eq!(&out[1..], formula.as_bytes());
        }
        for plain in ["창문 틴팅", "2017-06-01", "-3", "+1.5", "", "a=b"] {
            assert_eq!(&*inert(plain.as_bytes()), plain.as_bytes(), "{plain}");
        }
    }
}
