//! "Did you mean" suggestions for misspelt keys and names.

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `unknown key `x` in a <what>; did you mean `y`?` or, without a close match, the list
/// of keys that are allowed.
pub fn unknown_key(what: &str, key: &str, allowed: &[&str]) -> String {
    match closest(key, allowed.iter().copied()) {
        Some(best) => format!("unknown key `{key}` in {what}; did you mean `{best}`?"),
        None => format!(
            "unknown key `{key}` in {what}; expected one of {}",
            allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`" into a message with a
/// suggestion. Other messages pass through unchanged.
pub fn rewrite_serde_message(msg: &str) -> String {
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return rewrite_variant(msg);
    };
    let Some((key, tail)) = rest.split_once('`') else {
        return msg.to_owned();
    };
    let allowed = backticked(tail);
    if allowed.is_empty() {
        return format!("unknown key `{key}`: no keys are allowed here");
    }
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    match closest(key, allowed.iter().copied()) {
        Some(best) => format!("unknown key `{key}`; did you mean `{best}`?"),
        None => format!(
            "unknown key `{key}`; expected one of {}",
            allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn rewrite_variant(msg: &str) -> String {
    let Some(rest) = msg.strip_prefix("unknown variant `") else {
        return msg.to_owned();
    };
    let Some((word, tail)) = rest.split_once('`') else {
        return msg.to_owned();
    };
    let allowed = backticked(tail);
    let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
    match closest(word, allowed.iter().copied()) {
        Some(best) => format!("unknown value `{word}`; did you mean `{best}`?"),
        None => format!(
            "unknown value `{word}`; expected one of {}",
            allowed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The names after "expected" in a serde message: "expected one of `a`, `b`",
/// "expected one of a, b" or "expected `a`".
fn backticked(text: &str) -> Vec<String> {
    let Some(i) = text.find("expected") else {
        return Vec::new();
    };
    let list = text[i + "expected".len()..].trim_start();
    let list = list.strip_prefix("one of").unwrap_or(list);
    if list.trim().starts_with("nothing") {
        return Vec::new();
    }
    list.split(',')
        .map(|s| s.trim().trim_matches('`').to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys() {
        assert_eq!(closest("auht", ["auth", "billing"]), Some("auth"));
        assert_eq!(closest("zzz", ["auth", "billing"]), None);
        assert_eq!(
            rewrite_serde_message("unknown field `stauts`, expected one of `status`, `json`"),
            "unknown key `stauts`; did you mean `status`?"
        );
        assert_eq!(
            rewrite_serde_message(
                "unknown variant `postive`, expected one of `positive`, `negative`"
            ),
            "unknown value `postive`; did you mean `positive`?"
        );
    }
}
