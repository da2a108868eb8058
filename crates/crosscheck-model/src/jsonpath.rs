//! Paths into JSON documents: RFC 9535 JSONPath, or a bare field name as a shorthand.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use serde_json_path::JsonPath;

/// A JSONPath (`$.user.id`, `$.items[0]`) or a bare top-level field name (`user_id`).
#[derive(Clone, Debug)]
pub struct Path {
    source: String,
    compiled: JsonPath,
}

impl Path {
    /// Parses a JSONPath, or a bare field name meaning `$['name']`.
    pub fn parse(source: &str) -> Result<Self, String> {
        let expr = if source.starts_with('$') {
            source.to_owned()
        } else {
            format!("$['{}']", source.replace('\\', "\\\\").replace('\'', "\\'"))
        };
        let compiled = JsonPath::parse(&expr)
            .map_err(|e| format!("`{source}` is not a valid JSONPath: {e}"))?;
        Ok(Path {
            source: source.to_owned(),
            compiled,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// What the path selects: `None` when nothing, the value when one node, an array
    /// of the nodes when several.
    pub fn select(&self, doc: &Value) -> Option<Value> {
        let nodes = self.compiled.query(doc).all();
        match nodes.as_slice() {
            [] => None,
            [one] => Some((*one).clone()),
            many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
        }
    }
}

impl PartialEq for Path {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
impl Eq for Path {}
impl Hash for Path {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.source.hash(state);
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Path {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Path;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSONPath such as `$.user.id`, or a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Path, E> {
                Path::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selects_nodes() {
        let doc = json!({"access": "granted", "items": [1, 2], "a b": 3});
        assert_eq!(
            Path::parse("$.access").unwrap().select(&doc),
            Some(json!("granted"))
        );
        assert_eq!(
            Path::parse("access").unwrap().select(&doc),
            Some(json!("granted"))
        );
        assert_eq!(Path::parse("a b").unwrap().select(&doc), Some(json!(3)));
        assert_eq!(
            Path::parse("$.items[*]").unwrap().select(&doc),
            Some(json!([1, 2]))
        );
        assert_eq!(Path::parse("$.missing").unwrap().select(&doc), None);
        assert!(Path::parse("$.[").is_err());
    }
}
