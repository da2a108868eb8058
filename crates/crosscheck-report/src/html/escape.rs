//! Escaping text for HTML, and JSON for a `<script>` element.

/// `text` safe inside an element or a quoted attribute.
pub fn h(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON text safe inside `<script type="application/json">`: no `<` can end the
/// element early, and U+2028/U+2029 are escaped.
pub fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A scenario id as an element id (`s-` prefix, anything unusual replaced).
pub fn anchor(prefix: &str, id: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + id.len() + 1);
    out.push_str(prefix);
    out.push('-');
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            h("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            script_json(r#"{"a":"</script>"}"#),
            r#"{"a":"\u003c/script>"}"#
        );
        assert_eq!(anchor("s", "a b/c"), "s-a_b_c");
    }
}
