//! `$ref` resolution within one document: JSON pointers (`#/components/…`, with `~0`/`~1`
//! and percent escapes), chains of references, and cycles.
//!
//! References to other files were gathered into the document beforehand (`external`);
//! what is left here are remote references, which are refused with a clear error.

use std::collections::HashSet;

use serde_json::Value;

use crate::error::ContractError;

/// How many `$ref`s in a row are followed before giving up. Real documents chain two or
/// three; a longer chain is almost certainly generated garbage.
const MAX_HOPS: usize = 64;

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub(crate) fn push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The reference tokens of a JSON pointer, unescaped.
pub(crate) fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves references inside one parsed document.
#[derive(Debug)]
pub(crate) struct Resolver<'d> {
    file: &'d str,
    doc: &'d Value,
}

impl<'d> Resolver<'d> {
    pub(crate) fn new(file: &'d str, doc: &'d Value) -> Self {
        Resolver { file, doc }
    }

    pub(crate) fn file(&self) -> &'d str {
        self.file
    }

    /// The value at a JSON pointer (`""` is the whole document).
    pub(crate) fn get(&self, pointer: &str) -> Option<&'d Value> {
        self.doc.pointer(pointer)
    }

    /// The local JSON pointer that `reference` (the string of a `$ref` found at
    /// `at`, the pointer of the `$ref` key) names, checking that something is there.
    pub(crate) fn target(&self, at: &str, reference: &str) -> Result<String, ContractError> {
        let bad = |reason: String| ContractError::BadRef {
            file: self.file.to_owned(),
            pointer: at.to_owned(),
            target: reference.to_owned(),
            reason,
        };
        let (doc_part, fragment) = match reference.split_once('#') {
            Some((d, f)) => (d, f),
            None => (reference, ""),
        };
        if !doc_part.is_empty() && !self.names_this_file(doc_part) {
            let remote = doc_part.contains("://") || doc_part.starts_with("urn:");
            return Err(ContractError::Unsupported {
                file: self.file.to_owned(),
                pointer: at.to_owned(),
                what: if remote {
                    format!("a `$ref` to a remote document (`{reference}`)")
                } else {
                    format!(
                        "a `$ref` to another document (`{reference}`) in a contract read from text"
                    )
                },
                help: if remote {
                    "crosscheck does not fetch contracts over the network; save the document beside this one and refer to it by relative path".to_owned()
                } else {
                    "load the contract from its file so references relative to it can be followed"
                        .to_owned()
                },
            });
        }
        let pointer = percent_decode(fragment)
            .ok_or_else(|| bad("has a malformed percent escape".to_owned()))?;
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(bad(
                "is not a JSON pointer; write references as `#/components/…`".to_owned(),
            ));
        }
        if self.get(&pointer).is_some() {
            return Ok(pointer);
        }
        // Some writers encode spaces as `+`, as in a query string.
        let spaced = pointer.replace('+', " ");
        if spaced != pointer && self.get(&spaced).is_some() {
            return Ok(spaced);
        }
        Err(bad(self.missing_reason(&pointer)))
    }

    /// Whether a reference's document part names this very file (`api.yaml#/…` inside
    /// `specs/api.yaml`).
    fn names_this_file(&self, doc_part: &str) -> bool {
        let own = self.file.rsplit(['/', '\\']).next().unwrap_or(self.file);
        let named = doc_part.trim_start_matches("./");
        !own.is_empty() && named == own
    }

    /// Says which part of a pointer exists, to make a missing target easy to fix.
    fn missing_reason(&self, pointer: &str) -> String {
        let toks = tokens(pointer);
        let mut found = String::new();
        let mut here = self.doc;
        for t in &toks {
            let next = match here {
                Value::Object(m) => m.get(t.as_str()),
                Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            };
            match next {
                Some(v) => {
                    found = push(&found, t);
                    here = v;
                }
                None => {
                    let parent = if found.is_empty() {
                        "the top level".to_owned()
                    } else {
                        format!("`#{found}`")
                    };
                    return format!(
                        "points at nothing: {parent} has no `{t}`; fix the reference or add the definition"
                    );
                }
            }
        }
        "points at nothing; fix the reference or add the definition".to_owned()
    }

    /// The error for a `$ref` whose value is not a string.
    pub(crate) fn not_a_string(&self, ref_at: String, value: &Value) -> ContractError {
        let mut message = "`$ref` must be a string such as `'#/components/schemas/Pet'`".to_owned();
        if value.is_null() {
            message.push_str("; in YAML, quote it: an unquoted `#` starts a comment");
        }
        ContractError::Invalid {
            file: self.file.to_owned(),
            pointer: ref_at,
            message,
        }
    }

    /// Follows `$ref`s from `value` (found at `at`) until a value that is not a
    /// reference. Returns that value and its pointer. Cycles and over-long chains are
    /// errors.
    pub(crate) fn deref(
        &self,
        at: &str,
        value: &'d Value,
    ) -> Result<(String, &'d Value), ContractError> {
        let mut here = at.to_owned();
        let mut value = value;
        let mut chain = vec![here.clone()];
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(here.clone());
        while let Some(reference) = value.get("$ref") {
            let ref_at = push(&here, "$ref");
            let Some(reference) = reference.as_str() else {
                return Err(self.not_a_string(ref_at, reference));
            };
            let target = self.target(&ref_at, reference)?;
            chain.push(target.clone());
            if !seen.insert(target.clone()) || chain.len() > MAX_HOPS {
                return Err(ContractError::Cycle {
                    file: self.file.to_owned(),
                    pointer: at.to_owned(),
                    chain,
                });
            }
            // `target` checked that the value exists.
            value = self.get(&target).unwrap_or(&Value::Null);
            here = target;
        }
        Ok((here, value))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pointers_escape_and_unescape() {
        let p = push(&push("", "paths"), "/a~b/{id}");
        assert_eq!(p, "/paths/~1a~0b~1{id}");
        assert_eq!(tokens(&p), vec!["paths", "/a~b/{id}"]);
    }

    #[test]
    fn resolves_escaped_and_percent_encoded_pointers() {
        let doc = json!({"paths": {"/a/{id}": {"get": {"x": 1}}}, "c": {"a b": 2}});
        let r = Resolver::new("api.yaml", &doc);
        assert_eq!(
            r.target("/x/$ref", "#/paths/~1a~1%7Bid%7D/get").unwrap(),
            "/paths/~1a~1{id}/get"
        );
        assert_eq!(r.target("/x/$ref", "#/c/a%20b").unwrap(), "/c/a b");
        assert_eq!(r.target("/x/$ref", "api.yaml#/c").unwrap(), "/c");
        assert_eq!(r.target("/x/$ref", "#/c/a+b").unwrap(), "/c/a b");
    }

    #[test]
    fn missing_target_says_what_is_missing() {
        let doc = json!({"components": {"schemas": {"A": {}}}});
        let r = Resolver::new("api.yaml", &doc);
        let err = r
            .target("/x/$ref", "#/components/schemas/B")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`#/components/schemas` has no `B`"), "{err}");
        let err = r.target("/x/$ref", "#foo").unwrap_err().to_string();
        assert!(err.contains("not a JSON pointer"), "{err}");
        let err = r
            .target("/x/$ref", "other.yaml#/A")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not supported yet"), "{err}");
        let bad = json!({"a": {"$ref": null}});
        let err = Resolver::new("api.yaml", &bad)
            .deref("/a", &bad["a"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("at `#/a/$ref`") && err.contains("quote it"),
            "{err}"
        );
    }

    #[test]
    fn follows_chains_and_detects_cycles() {
        let doc = json!({
            "a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"ok": true},
            "x": {"$ref": "#/y"}, "y": {"$ref": "#/x"}, "s": {"$ref": "#/s"}
        });
        let r = Resolver::new("api.yaml", &doc);
        let (at, v) = r.deref("/a", &doc["a"]).unwrap();
        assert_eq!((at.as_str(), v), ("/c", &json!({"ok": true})));
        let err = r.deref("/x", &doc["x"]).unwrap_err();
        assert!(matches!(err, ContractError::Cycle { ref chain, .. } if chain.len() == 3));
        assert!(matches!(
            r.deref("/s", &doc["s"]),
            Err(ContractError::Cycle { .. })
        ));
    }
}
