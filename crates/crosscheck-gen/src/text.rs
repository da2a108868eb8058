//! What a requirement's words say: conditions, statuses, error codes, bounds, effects
//! and their negations. Plain pattern matching on the text; nothing is guessed beyond
//! what the words name.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;

/// The facts read from one requirement's text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The condition (the text before the first "shall"), lower case.
    pub condition: String,
    /// The consequence (from the first "shall" on), lower case.
    pub consequence: String,
    /// HTTP statuses named in the consequence.
    pub statuses: Vec<u16>,
    /// HTTP statuses named in the condition (usually a dependency's).
    pub condition_statuses: Vec<u16>,
    /// Error codes such as `ACCESS_DENIED` named in the consequence.
    pub error_codes: Vec<String>,
    /// Words in backticks anywhere.
    pub quoted: Vec<String>,
    /// A bound on the answer: "shall answer … within 2 seconds".
    pub within: Option<Duration>,
    /// A dependency's deadline: "does not answer within 1 second".
    pub deadline: Option<Duration>,
    /// A dependency's speed the condition assumes: "answers within 100 milliseconds".
    pub fast_dependency: Option<Duration>,
    /// Speaks of logging or auditing.
    pub logs: bool,
    /// Speaks of storing.
    pub stores: bool,
    /// Speaks of publishing.
    pub publishes: bool,
    /// "shall not log a X" / "never log X": the X.
    pub not_logged: Vec<String>,
    /// "shall not call …" / "never call".
    pub no_call: bool,
    /// "exactly once".
    pub exactly_once: bool,
    /// "forwarding …": a value the SUT must pass on to a dependency.
    pub forwards: bool,
    /// "never appear … logs/responses": secrets stay out.
    pub never_appears: bool,
    /// "shall never grant", "shall not succeed": no success.
    pub never_succeeds: bool,
    /// Headers a response must carry: "carry an `X-Request-Id` header".
    pub response_headers: Vec<String>,
    /// Field names with listed values: "the decision (`grant`, `deny` or `error`)".
    pub field_values: Vec<(String, Vec<String>)>,
    /// Field names with one value: "with reason `expired_token`".
    pub field_value: Vec<(String, String)>,
    /// Starts with "every"/"each" or has no condition: applies to every request.
    pub universal: bool,
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pat).expect("a valid pattern"));
    };
}

re!(STATUS, r"\b([1-5][0-9]{2})\b");
re!(CODE, r"\b([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+)\b");
re!(QUOTED, r"`([^`]+)`");
re!(
    DURATION,
    r"within (\d+(?:\.\d+)?) ?(milliseconds?|ms|seconds?|s|minutes?)\b"
);
re!(
    DEADLINE,
    r"(?:not|never|fails to) (?:answer|respond|reply)(?:s)? within (\d+(?:\.\d+)?) ?(milliseconds?|ms|seconds?|s|minutes?)\b"
);
re!(
    FAST,
    r"(?:answers|responds|replies) within (\d+(?:\.\d+)?) ?(milliseconds?|ms|seconds?|s|minutes?)\b"
);
re!(
    NOT_LOGGED,
    r"(?:shall not|must not|never|not) (?:log|audit|record)s? (?:a |an |the )?`?([a-z_]+)`?"
);
re!(HEADER, r"carr(?:y|ies) an? `([A-Za-z0-9-]+)` header");
re!(
    LIST,
    r"the ([a-z_ ]+?) \(`([^`]+)`((?:, `[^`]+`)*),? (?:or|and) `([^`]+)`\)"
);
re!(ONE_VALUE, r"with ([a-z_]+) `([^`]+)`");

/// Reads the facts of one requirement's text.
pub fn facts(text: &str) -> Facts {
    let lower = text.to_lowercase();
    let split = lower.find(" shall ").unwrap_or(0);
    let (condition, consequence) = lower.split_at(split);
    let cons_raw = &text[split.min(text.len())..];
    let mut f = Facts {
        condition: condition.trim().to_owned(),
        consequence: consequence.trim().to_owned(),
        ..Facts::default()
    };
    f.statuses = statuses(consequence);
    f.condition_statuses = statuses(condition);
    f.error_codes = CODE
        .captures_iter(cons_raw)
        .map(|c| c[1].to_owned())
        .collect();
    f.error_codes.dedup();
    f.quoted = QUOTED
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    f.deadline = DEADLINE
        .captures(condition)
        .and_then(|c| duration(&c[1], &c[2]));
    f.fast_dependency = if f.deadline.is_none() {
        FAST.captures(condition)
            .and_then(|c| duration(&c[1], &c[2]))
    } else {
        None
    };
    f.within = DURATION
        .captures(consequence)
        .and_then(|c| duration(&c[1], &c[2]));
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    // A logging verb, not a mention of logs ("never appear in its logs", "the audit
    // line's `request_id`").
    f.logs = has(&[
        "log the",
        "logs the",
        "logged",
        "shall log",
        "and log",
        "audit the",
        "audits the",
        "audited",
        "shall audit",
        "and audit",
        "write a log",
        "writes a log",
    ]);
    f.stores = has(&[" store", "persist", "saved"]);
    f.publishes = has(&["publish", "emit an event", "send an event"]);
    f.not_logged = NOT_LOGGED
        .captures_iter(consequence)
        .map(|c| c[1].to_owned())
        .filter(|w| !["in", "to", "any", "it"].contains(&w.as_str()))
        .collect();
    f.no_call = has(&[
        "shall not call",
        "must not call",
        "never call",
        "without calling",
    ]);
    f.exactly_once = has(&["exactly once", "only once"]);
    f.forwards = has(&["forward"]);
    f.never_appears = has(&["never appear", "shall not appear", "must not appear"]);
    f.never_succeeds = has(&["never grant", "not grant", "never succeed", "fail closed"]);
    f.response_headers = HEADER
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    for c in LIST.captures_iter(text) {
        let field = c[1].trim().rsplit(' ').next().unwrap_or("").to_owned();
        let mut values = vec![c[2].to_owned()];
        values.extend(QUOTED.captures_iter(&c[3]).map(|q| q[1].to_owned()));
        values.push(c[4].to_owned());
        f.field_values.push((field, values));
    }
    f.field_value = ONE_VALUE
        .captures_iter(text)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    let starts = lower.trim_start();
    f.universal = split == 0
        || starts.starts_with("every")
        || starts.starts_with("each")
        || starts.starts_with("the ")
        || starts.starts_with("all ");
    f
}

fn statuses(text: &str) -> Vec<u16> {
    let mut out: Vec<u16> = STATUS
        .captures_iter(text)
        .filter_map(|c| c[1].parse().ok())
        .collect();
    out.dedup();
    out
}

fn duration(n: &str, unit: &str) -> Option<Duration> {
    let n: f64 = n.parse().ok()?;
    let secs = if unit.starts_with("ms") || unit.starts_with("milli") {
        n / 1000.0
    } else if unit.starts_with("min") {
        n * 60.0
    } else {
        n
    };
    Duration::try_from_secs_f64(secs).ok()
}

/// Whether `text` (lower case) names `field` as words: `user_id`, "user ID", "user id".
pub fn names_field(text: &str, field: &str) -> bool {
    let f = field.to_lowercase();
    if f.len() < 3 {
        return false;
    }
    let spaced = f.replace(['_', '-'], " ");
    contains_word(text, &f) || contains_word(text, &spaced)
}

/// The words of a text (runs of letters, digits and `_`), for ruling out quickly what a
/// text cannot name before the exact (slower) search.
#[derive(Debug)]
pub struct Words<'t>(std::collections::HashSet<&'t str>);

impl<'t> Words<'t> {
    /// The words of `text`.
    pub fn of(text: &'t str) -> Self {
        Words(
            text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect(),
        )
    }

    /// The words, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.0.iter().copied()
    }

    /// False only when [`contains_word`]`(text, word)` is surely false: a match has a
    /// boundary on each side, so each run of word characters in `word` is a whole word of
    /// the text. (A `word` that starts or ends with another character is not ruled out.)
    pub fn may_contain(&self, word: &str) -> bool {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        if !word.starts_with(is_word) || !word.ends_with(is_word) {
            return true;
        }
        word.split(|c: char| !is_word(c))
            .filter(|w| !w.is_empty())
            .all(|w| self.0.contains(w))
    }

    /// False only when a text surely does not name `path`: every run of word characters
    /// of the path but the last lies between path characters, so it is a whole word of the
    /// text.
    pub fn may_name_path(&self, path: &str) -> bool {
        let segs: Vec<&str> = path
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        match segs.split_last() {
            Some((_, inner)) => inner.iter().all(|w| self.0.contains(w)),
            None => true,
        }
    }

    /// False only when [`names_field`]`(text, field)` is surely false (`field` lower case).
    pub fn may_name_field(&self, field: &str) -> bool {
        if !field
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return true;
        }
        self.0.contains(field)
            || field
                .split(['_', '-'])
                .all(|w| w.is_empty() || self.0.contains(w))
    }
}

/// A word each of `words` (fields, operation ids or paths) needs a text to contain for
/// [`Words`] to let it through, so that a text looks up its candidates by its own words
/// instead of trying every one. Items with no such word are always candidates.
#[derive(Debug, Default)]
pub struct Needed {
    by_word: std::collections::HashMap<String, Vec<usize>>,
    always: Vec<usize>,
}

impl Needed {
    /// Item `index` is a candidate for texts holding any of `keys` (none: always).
    pub fn add(&mut self, index: usize, keys: &[String]) {
        if keys.is_empty() {
            self.always.push(index);
        }
        for k in keys {
            self.by_word.entry(k.clone()).or_default().push(index);
        }
    }

    /// The candidates for a text with `words`, in index order, each once.
    pub fn candidates(&self, words: &Words<'_>) -> Vec<usize> {
        let mut out = self.always.clone();
        for w in words.iter() {
            if let Some(v) = self.by_word.get(w) {
                out.extend(v);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The first run of word characters of `s` when `s` starts and ends with one.
pub fn first_word(s: &str) -> Option<String> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    if !s.starts_with(is_word) || !s.ends_with(is_word) {
        return None;
    }
    s.split(|c: char| !is_word(c))
        .find(|w| !w.is_empty())
        .map(str::to_owned)
}

/// Whether `text` contains `word` with no letter or digit right before or after it.
pub fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let start = from + i;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return true;
        }
        from = start + word.len().max(1);
        if from >= text.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_example_requirements() {
        let f = facts(
            "When the Authorization Service receives a valid token, the Resource API shall grant access and log the request with user ID and timestamp.",
        );
        assert!(f.logs);
        assert!(names_field(&f.consequence, "user_id"));
        assert!(names_field(&f.consequence, "timestamp"));
        assert!(!f.universal);

        let f = facts(
            "When the Authorization Service reports the token as invalid (`valid: false`, or answers 401 or 403), the Resource API shall answer 403 with `{\"error\":\"ACCESS_DENIED\"}` and shall not log a grant.",
        );
        assert_eq!(f.statuses, [403]);
        assert_eq!(f.condition_statuses, [401, 403]);
        assert_eq!(f.error_codes, ["ACCESS_DENIED"]);
        assert_eq!(f.not_logged, ["grant"]);

        let f = facts(
            "When the Authorization Service does not answer within 1 second, the Resource API shall answer 503 with `{\"error\":\"SERVICE_UNAVAILABLE\"}` within 2 seconds.",
        );
        assert_eq!(f.deadline, Some(Duration::from_secs(1)));
        assert_eq!(f.within, Some(Duration::from_secs(2)));

        let f = facts(
            "When the Authorization Service answers within 100 milliseconds, the Resource API shall answer within 1 second.",
        );
        assert_eq!(f.fast_dependency, Some(Duration::from_millis(100)));
        assert_eq!(f.within, Some(Duration::from_secs(1)));

        let f = facts(
            "Every access decision on `/resources/{id}` shall be audited in one JSON line with the request id, the resource id, the decision (`grant`, `deny` or `error`) and an RFC 3339 UTC timestamp.",
        );
        assert!(f.universal);
        assert_eq!(
            f.field_values,
            [(
                "decision".to_owned(),
                vec!["grant".to_owned(), "deny".to_owned(), "error".to_owned()]
            )]
        );

        let f = facts(
            "The Resource API shall call `GET /validate` exactly once per request with credentials, forwarding the caller's token.",
        );
        assert!(f.exactly_once && f.forwards && f.universal);

        let f = facts(
            "Every response shall carry an `X-Request-Id` header equal to the audit line's `request_id`.",
        );
        assert_eq!(f.response_headers, ["X-Request-Id"]);
        assert!(!f.logs, "a mention of the audit line is not a duty to log");
    }

    #[test]
    fn words_have_boundaries() {
        assert!(contains_word("call auth now", "auth"));
        let w = Words::of("call `repos/get-content` on GET /repos/{owner}/x with user ID");
        assert!(w.may_contain("repos/get-content"));
        assert!(!w.may_contain("repos/get-contents"));
        assert!(w.may_name_path("/repos/{owner}/x"));
        assert!(
            w.may_name_path("/repos/{owner}/anything"),
            "the last segment may run on"
        );
        assert!(!w.may_name_path("/users/{owner}/x"));
        assert!(Words::of("the user id").may_name_field("user_id"));
        assert!(!Words::of("the user").may_name_field("user_id"));
        assert!(!contains_word("the authorization service", "auth"));
        assert!(!names_field("a timestamped line", "timestamp"));
    }
}
