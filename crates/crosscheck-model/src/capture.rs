//! Where a step's `capture` takes a value from: the JSON body by JSONPath (`$.id`, or a
//! bare field name), or an OpenAPI runtime expression on the response —
//! `$response.body#/id` (a JSON pointer), `$response.header.Location`, `$statusCode`.
//!
//! The runtime expressions are spelled as OpenAPI spells them in `links`, so a value a
//! contract's link names can be written into a scenario as it is.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::jsonpath::Path;
use crate::suggest::closest;

/// What the error messages of [`Source::parse`] contain, so a diagnostic can add help.
pub const NOT_A_CAPTURE: &str = "is not a capture expression";

/// The forms a capture takes, for help texts.
pub const FORMS: &str = "write `$.field` (JSONPath into the JSON body), `$response.body#/json/pointer`, `$response.header.Location` or `$statusCode`";

/// One capture expression, as written and as understood.
#[derive(Clone, Debug)]
pub struct Source {
    text: String,
    kind: SourceKind,
}

/// What a capture reads.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// A JSONPath (or bare field name) into the JSON body.
    Json(Path),
    /// A JSON pointer into the JSON body (`$response.body#/a/b`); empty for the whole body.
    Pointer(String),
    /// A response header, by name (case-insensitive). `Location` and `Content-Location`
    /// are resolved against the URL of the request, as HTTP says.
    Header(String),
    /// The response's status code (`$statusCode`), as a number.
    Status,
}

impl Source {
    /// Parses a capture expression.
    pub fn parse(text: &str) -> Result<Source, String> {
        let kind = parse_kind(text)?;
        Ok(Source {
            text: text.to_owned(),
            kind,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What it reads.
    pub fn kind(&self) -> &SourceKind {
        &self.kind
    }

    /// The header it reads, when it reads one.
    pub fn header(&self) -> Option<&str> {
        match &self.kind {
            SourceKind::Header(h) => Some(h),
            _ => None,
        }
    }
}

fn bad(text: &str, why: impl fmt::Display) -> String {
    format!("`{text}` {NOT_A_CAPTURE}: {why}")
}

fn parse_kind(text: &str) -> Result<SourceKind, String> {
    let t = text.trim();
    if t == "$statusCode" {
        return Ok(SourceKind::Status);
    }
    if let Some(name) = t.strip_prefix("$response.header.") {
        if name.is_empty() {
            return Err(bad(
                text,
                "it names no header; e.g. `$response.header.Location`",
            ));
        }
        if let Some(c) = name.chars().find(|c| !is_tchar(*c)) {
            return Err(bad(text, format!("`{c}` cannot be part of a header name")));
        }
        return Ok(SourceKind::Header(name.to_owned()));
    }
    if t == "$response.body" || t == "$response.body#" {
        return Ok(SourceKind::Pointer(String::new()));
    }
    if let Some(pointer) = t.strip_prefix("$response.body#") {
        if !pointer.starts_with('/') {
            return Err(bad(
                text,
                format!(
                    "a JSON pointer starts with `/`; did you mean `$response.body#/{pointer}`?"
                ),
            ));
        }
        return Ok(SourceKind::Pointer(pointer.to_owned()));
    }
    if let Some(rest) = t.strip_prefix("$response.body.") {
        return Err(bad(
            text,
            format!(
                "the body is read with a JSON pointer; did you mean `$response.body#/{}`?",
                rest.replace('.', "/")
            ),
        ));
    }
    if let Some(rest) = t.strip_prefix("$response.headers.") {
        return Err(bad(
            text,
            format!("did you mean `$response.header.{rest}`?"),
        ));
    }
    if t.starts_with("$request.") || t == "$url" || t == "$method" {
        return Err(bad(
            text,
            "a capture reads the response; what this step sent is written in the scenario already, so write that value (or the `${captured.NAME}` it came from) where it is needed",
        ));
    }
    if t.starts_with("$response") {
        return Err(bad(
            text,
            "a response value is `$response.body#/pointer` or `$response.header.NAME`",
        ));
    }
    if t.len() > 1 && t.starts_with('$') && t[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        let known = ["$statusCode", "$response.body", "$response.header."];
        let word = t.split(['.', '#']).next().unwrap_or(t);
        return Err(match closest(word, known.iter().copied()) {
            Some(best) => bad(text, format!("did you mean `{best}`?")),
            None => bad(text, "it is neither a JSONPath nor a runtime expression"),
        });
    }
    Path::parse(text).map(SourceKind::Json)
}

/// A character allowed in an HTTP header name (RFC 9110 `tchar`).
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl PartialEq for Source {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Source {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Source;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSONPath such as `$.id`, or `$response.header.Location`, `$response.body#/id`, `$statusCode`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Source, E> {
                Source::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(t: &str) -> SourceKind {
        Source::parse(t).unwrap().kind().clone()
    }

    fn err(t: &str) -> String {
        Source::parse(t).unwrap_err()
    }

    #[test]
    fn reads_jsonpaths_and_runtime_expressions() {
        assert!(matches!(kind("$.id"), SourceKind::Json(_)));
        assert!(matches!(kind("id"), SourceKind::Json(_)));
        assert!(matches!(kind("$.metadata.name"), SourceKind::Json(_)));
        assert_eq!(
            kind("$response.header.Location"),
            SourceKind::Header("Location".into())
        );
        assert_eq!(
            kind("$response.body#/a~1b/0"),
            SourceKind::Pointer("/a~1b/0".into())
        );
        assert_eq!(kind("$response.body"), SourceKind::Pointer(String::new()));
        assert_eq!(kind("$statusCode"), SourceKind::Status);
        assert_eq!(
            Source::parse("$response.header.ETag").unwrap().header(),
            Some("ETag")
        );
    }

    #[test]
    fn malformed_expressions_say_what_to_write() {
        assert_eq!(
            err("$response.headers.Location"),
            "`$response.headers.Location` is not a capture expression: did you mean `$response.header.Location`?"
        );
        assert_eq!(
            err("$response.body.id"),
            "`$response.body.id` is not a capture expression: the body is read with a JSON pointer; did you mean `$response.body#/id`?"
        );
        assert_eq!(
            err("$response.body#id"),
            "`$response.body#id` is not a capture expression: a JSON pointer starts with `/`; did you mean `$response.body#/id`?"
        );
        assert!(err("$response.header.").contains("names no header"));
        assert!(err("$response.header.Loc ation").contains("` ` cannot be part of a header name"));
        assert!(err("$response.header.Loc:ation").contains("`:` cannot be part of a header name"));
        assert!(
            err("$statuscode").contains("did you mean `$statusCode`?"),
            "{}",
            err("$statuscode")
        );
        assert!(err("$request.path.id").contains("a capture reads the response"));
        assert!(err("$response.status").contains("`$response.body#/pointer`"));
        assert!(err("$.[").contains("not a valid JSONPath"));
        for e in [err("$response.headers.X"), err("$statuscode"), err("$url")] {
            assert!(e.contains(NOT_A_CAPTURE), "{e}");
        }
    }
}
