//! Matchers: how a scenario says what a value must look like.
//!
//! A plain YAML value means "equals". A mapping is a set of operators that must all hold:
//!
//! ```yaml
//! "$.access": granted                      # equals
//! timestamp: { format: date-time }         # an RFC 3339 timestamp
//! user_id: { type: string, regex: "^user-" }
//! token: { absent: true }                  # the field must not be there
//! ```
//! To compare against a literal mapping, write `{ equals: { ... } }`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::suggest::unknown_key;

/// What a value must look like. All operators must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    ops: Vec<Op>,
}

/// One check on a value.
#[derive(Clone, Debug)]
pub enum Op {
    /// Equal as JSON (numbers compare by value: `1` equals `1.0`).
    Equals(Value),
    /// The JSON type.
    Type(JsonType),
    /// A regular expression that must match somewhere in the string form of the value.
    Regex(Pattern),
    /// A well-known string format.
    Format(Format),
    /// `true`: the value is present (any value, even null); `false`: it is absent.
    Exists(bool),
    /// A string containing a substring, or an array containing an element.
    Contains(Value),
    /// Equal to one of these values.
    OneOf(Vec<Value>),
    /// The value must not match this matcher.
    Not(Box<Matcher>),
}

impl PartialEq for Op {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Op::Equals(a), Op::Equals(b)) => a == b,
            (Op::Type(a), Op::Type(b)) => a == b,
            (Op::Regex(a), Op::Regex(b)) => a.as_str() == b.as_str(),
            (Op::Format(a), Op::Format(b)) => a == b,
            (Op::Exists(a), Op::Exists(b)) => a == b,
            (Op::Contains(a), Op::Contains(b)) => a == b,
            (Op::OneOf(a), Op::OneOf(b)) => a == b,
            (Op::Not(a), Op::Not(b)) => a == b,
            _ => false,
        }
    }
}

const OPERATORS: &[&str] = &[
    "equals", "type", "regex", "format", "exists", "absent", "contains", "one_of", "not",
];

/// JSON types a `type` matcher can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    fn holds(self, v: &Value) -> bool {
        match self {
            JsonType::String => v.is_string(),
            JsonType::Number => v.is_number(),
            JsonType::Integer => v.is_i64() || v.is_u64(),
            JsonType::Boolean => v.is_boolean(),
            JsonType::Object => v.is_object(),
            JsonType::Array => v.is_array(),
            JsonType::Null => v.is_null(),
        }
    }
}

/// String formats a `format` matcher knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// RFC 3339 date and time with an offset, e.g. `2026-11-24T10:00:00.123Z`.
    #[serde(rename = "date-time")]
    DateTime,
    /// RFC 3339 full date, e.g. `2026-11-24`.
    #[serde(rename = "date")]
    Date,
    /// A hyphenated UUID.
    #[serde(rename = "uuid")]
    Uuid,
    /// An e-mail address (a practical check, not full RFC 5322).
    #[serde(rename = "email")]
    Email,
    /// An IPv4 address.
    #[serde(rename = "ipv4")]
    Ipv4,
    /// An IPv6 address.
    #[serde(rename = "ipv6")]
    Ipv6,
    /// An absolute URI with a scheme.
    #[serde(rename = "uri")]
    Uri,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Uuid => "uuid",
            Format::Email => "email",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uri => "uri",
        }
    }

    /// Whether `s` is in this format.
    pub fn holds(self, s: &str) -> bool {
        match self {
            Format::DateTime => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            Format::Date => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            Format::Uuid => s.len() == 36 && uuid::Uuid::try_parse(s).is_ok(),
            Format::Email => {
                let mut parts = s.split('@');
                matches!((parts.next(), parts.next(), parts.next()),
                    (Some(local), Some(domain), None)
                        if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                            && !domain.ends_with('.') && !s.contains(char::is_whitespace))
            }
            Format::Ipv4 => s.parse::<std::net::Ipv4Addr>().is_ok(),
            Format::Ipv6 => s.parse::<std::net::Ipv6Addr>().is_ok(),
            Format::Uri => s.split_once(':').is_some_and(|(scheme, rest)| {
                !rest.is_empty()
                    && scheme
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }),
        }
    }
}

/// A compiled regular expression that remembers its source.
#[derive(Clone, Debug)]
pub struct Pattern(regex::Regex);

impl Pattern {
    /// Compiles a pattern.
    pub fn new(src: &str) -> Result<Self, String> {
        regex::Regex::new(src)
            .map(Pattern)
            .map_err(|e| format!("invalid regular expression `{src}`: {e}"))
    }
    /// The source text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    /// Whether the pattern matches somewhere in `s`.
    pub fn is_match(&self, s: &str) -> bool {
        self.0.is_match(s)
    }
}

impl Matcher {
    /// A matcher that requires equality with `v`.
    pub fn equals(v: Value) -> Self {
        Matcher {
            ops: vec![Op::Equals(v)],
        }
    }

    /// A matcher made of these operators.
    pub fn all(ops: Vec<Op>) -> Self {
        Matcher { ops }
    }

    /// The operators.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// True when this matcher asks for the value to be absent.
    pub fn expects_absent(&self) -> bool {
        self.ops.iter().any(|op| matches!(op, Op::Exists(false)))
    }

    /// Checks `actual` (`None` when the value is absent). The error says what was
    /// expected and what was found, in words a person reads in a failure report.
    pub fn check(&self, actual: Option<&Value>) -> Result<(), String> {
        for op in &self.ops {
            op.check(actual)?;
        }
        Ok(())
    }

    /// Checks a string (a header value, a query parameter). Expected numbers and
    /// booleans compare with their text, so `content-length: 42` matches `"42"`.
    pub fn check_str(&self, actual: Option<&str>) -> Result<(), String> {
        let v = actual.map(|s| Value::String(s.to_owned()));
        let textual = Matcher {
            ops: self.ops.iter().map(Op::as_text).collect(),
        };
        textual.check(v.as_ref())
    }
}

impl Op {
    /// The same check with expected numbers and booleans turned into their text.
    fn as_text(&self) -> Op {
        let text = |v: &Value| match v {
            Value::Number(_) | Value::Bool(_) => Value::String(v.to_string()),
            other => other.clone(),
        };
        match self {
            Op::Equals(v) => Op::Equals(text(v)),
            Op::Contains(v) => Op::Contains(text(v)),
            Op::OneOf(vs) => Op::OneOf(vs.iter().map(text).collect()),
            Op::Not(m) => Op::Not(Box::new(Matcher {
                ops: m.ops.iter().map(Op::as_text).collect(),
            })),
            other => other.clone(),
        }
    }

    fn check(&self, actual: Option<&Value>) -> Result<(), String> {
        let Some(v) = actual else {
            return match self {
                Op::Exists(false) => Ok(()),
                Op::Not(inner) if inner.check(None).is_err() => Ok(()),
                _ => Err(format!("expected {}, but it is absent", self.describe())),
            };
        };
        let ok = match self {
            Op::Equals(want) => json_eq(want, v),
            Op::Type(t) => t.holds(v),
            Op::Regex(p) => p.is_match(&text_of(v)),
            Op::Format(f) => v.as_str().is_some_and(|s| f.holds(s)),
            Op::Exists(want) => *want,
            Op::Contains(part) => match (v, part) {
                (Value::String(s), Value::String(p)) => s.contains(p.as_str()),
                (Value::Array(items), p) => items.iter().any(|i| json_eq(p, i)),
                (Value::Object(map), Value::String(k)) => map.contains_key(k),
                _ => false,
            },
            Op::OneOf(options) => options.iter().any(|o| json_eq(o, v)),
            Op::Not(inner) => inner.check(Some(v)).is_err(),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("expected {}, got {}", self.describe(), show(v)))
        }
    }

    fn describe(&self) -> String {
        match self {
            Op::Equals(v) => show(v),
            Op::Type(t) => format!("a value of type {}", serde_plain(t)),
            Op::Regex(p) => format!("a value matching /{}/", p.as_str()),
            Op::Format(f) => format!("a {} string", f.name()),
            Op::Exists(true) => "a value".to_owned(),
            Op::Exists(false) => "no value".to_owned(),
            Op::Contains(p) => format!("a value containing {}", show(p)),
            Op::OneOf(o) => format!(
                "one of {}",
                o.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            Op::Not(m) => format!(
                "not ({})",
                m.ops
                    .iter()
                    .map(Op::describe)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }
}

fn serde_plain(t: &JsonType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// JSON equality where numbers compare by value.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A short rendering of a value for messages: JSON, cut at 200 characters.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 200 {
        let cut: String = s.chars().take(200).collect();
        format!("{cut}…")
    } else {
        s
    }
}

impl Serialize for Matcher {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let [Op::Equals(v)] = self.ops.as_slice()
            && !v.is_object()
        {
            return v.serialize(s);
        }
        let mut map = s.serialize_map(Some(self.ops.len()))?;
        for op in &self.ops {
            match op {
                Op::Equals(v) => map.serialize_entry("equals", v)?,
                Op::Type(t) => map.serialize_entry("type", t)?,
                Op::Regex(p) => map.serialize_entry("regex", p.as_str())?,
                Op::Format(f) => map.serialize_entry("format", f)?,
                Op::Exists(b) => map.serialize_entry("exists", b)?,
                Op::Contains(v) => map.serialize_entry("contains", v)?,
                Op::OneOf(v) => map.serialize_entry("one_of", v)?,
                Op::Not(m) => map.serialize_entry("not", m)?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Matcher {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MatcherVisitor)
    }
}

struct MatcherVisitor;

impl MatcherVisitor {
    fn scalar<E>(v: Value) -> Result<Matcher, E> {
        Ok(Matcher::equals(v))
    }
}

impl<'de> Visitor<'de> for MatcherVisitor {
    type Value = Matcher;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a value to compare with, or a mapping of matchers such as `{ format: date-time }`",
        )
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Matcher, E> {
        Self::scalar(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Matcher, E> {
        Self::scalar(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Matcher, E> {
        Self::scalar(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Matcher, E> {
        Self::scalar(Value::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Matcher, E> {
        Self::scalar(Value::String(v.to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Matcher, E> {
        Self::scalar(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Matcher, E> {
        Self::scalar(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Matcher, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Matcher, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            items.push(v);
        }
        Self::scalar(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Matcher, A::Error> {
        let mut ops = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let op = match key.as_str() {
                "equals" => Op::Equals(map.next_value()?),
                "type" => Op::Type(map.next_value()?),
                "regex" => {
                    let src: String = map.next_value()?;
                    Op::Regex(Pattern::new(&src).map_err(de::Error::custom)?)
                }
                "format" => Op::Format(map.next_value()?),
                "exists" => Op::Exists(map.next_value()?),
                "absent" => {
                    let absent: bool = map.next_value()?;
                    Op::Exists(!absent)
                }
                "contains" => Op::Contains(map.next_value()?),
                "one_of" => Op::OneOf(map.next_value()?),
                "not" => Op::Not(Box::new(map.next_value()?)),
                other => {
                    return Err(de::Error::custom(format!(
                        "{}; to compare with a literal mapping write `{{ equals: {{ ... }} }}`",
                        unknown_key("matcher", other, OPERATORS)
                    )));
                }
            };
            ops.push(op);
        }
        if ops.is_empty() {
            return Err(de::Error::custom(
                "an empty matcher checks nothing; write a value or an operator such as `{ exists: true }`",
            ));
        }
        Ok(Matcher { ops })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(yaml: &str) -> Matcher {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn plain_value_means_equals() {
        assert!(m("granted").check(Some(&json!("granted"))).is_ok());
        let err = m("granted").check(Some(&json!("denied"))).unwrap_err();
        assert_eq!(err, r#"expected "granted", got "denied""#);
        assert!(m("200").check(Some(&json!(200.0))).is_ok());
    }

    #[test]
    fn operators_all_hold() {
        let dt = m("{ format: date-time }");
        assert!(dt.check(Some(&json!("2026-11-24T10:00:00.123Z"))).is_ok());
        assert_eq!(
            dt.check(Some(&json!(1764000000))).unwrap_err(),
            "expected a date-time string, got 1764000000"
        );
        let both = m("{ type: string, regex: '^user-' }");
        assert!(both.check(Some(&json!("user-1"))).is_ok());
        assert!(both.check(Some(&json!("admin"))).is_err());
        assert!(
            m("{ format: uuid }")
                .check(Some(&json!("6f1c2a5e-0d7b-4e4c-9a3e-1b2c3d4e5f60")))
                .is_ok()
        );
    }

    #[test]
    fn absence_and_presence() {
        assert!(m("{ absent: true }").check(None).is_ok());
        assert_eq!(
            m("{ absent: true }").check(Some(&json!("x"))).unwrap_err(),
            r#"expected no value, got "x""#
        );
        assert_eq!(
            m("{ exists: true }").check(None).unwrap_err(),
            "expected a value, but it is absent"
        );
    }

    #[test]
    fn text_values_compare_with_expected_numbers() {
        assert!(m("42").check_str(Some("42")).is_ok());
        assert!(m("{ one_of: [1, 2] }").check_str(Some("2")).is_ok());
        assert!(m("42").check_str(Some("43")).is_err());
    }

    #[test]
    fn contains_and_not() {
        assert!(
            m("{ contains: abc }")
                .check(Some(&json!("xxabcxx")))
                .is_ok()
        );
        assert!(
            m("{ not: { contains: abc } }")
                .check(Some(&json!("xxabcxx")))
                .is_err()
        );
        assert!(m("{ one_of: [a, b] }").check(Some(&json!("b"))).is_ok());
    }

    #[test]
    fn unknown_operator_suggests() {
        let err = serde_saphyr::from_str::<Matcher>("{ fromat: uuid }").unwrap_err();
        assert!(err.to_string().contains("did you mean `format`?"), "{err}");
    }
}
