//! OpenAPI 3.2 `$self`: the URI a document gives itself, and the base its relative
//! references resolve against.
//!
//! crosscheck never fetches a document over the network, so URIs are mapped onto files:
//! the entry file stands for its `$self`, and a URI beside it (same scheme and host) for
//! the file at the same relative place beside the entry file. Before anything else reads
//! the document, each `$ref` is resolved against `$self` (RFC 3986 §5.2); one that names
//! the document itself becomes a local reference (`#/components/…`), one that names a
//! neighbour becomes a path relative to the entry file's folder (followed as any other
//! reference to a file), and one on another host is left as written (and refused later
//! as remote). A relative `$self` is itself relative to the entry file. Only the entry
//! document's `$self` is used; files it refers to resolve their references relative to
//! where they are.

use serde_json::Value;

/// A URI split into what RFC 3986 resolution needs: `scheme://authority` (empty when
/// there is none) and the path (without query or fragment).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Uri {
    origin: String,
    path: String,
}

/// The scheme of `s`, when it starts with one (`https:`, `urn:`).
fn scheme(s: &str) -> Option<&str> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    (chars.next()?.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
    .then_some(scheme)
}

fn parse_absolute(s: &str) -> Option<Uri> {
    let scheme = scheme(s)?;
    let rest = &s[scheme.len() + 1..];
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (origin, path) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (format!("{scheme}://{}", &r[..end]), r[end..].to_owned())
        }
        None => (format!("{scheme}:"), rest.to_owned()),
    };
    Some(Uri {
        origin: origin.to_ascii_lowercase(),
        path,
    })
}

/// RFC 3986 §5.2.4: `.` and `..` segments removed.
fn remove_dots(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    out.push("");
                }
            }
            ".." => {
                // A relative path (a file beside the entry file) keeps the `..` that
                // climb above its start.
                if !absolute && out.last().is_none_or(|l| *l == "..") {
                    out.push("..");
                } else if out.len() > usize::from(absolute) {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `reference` (the document part of a `$ref`) resolved against `base`.
fn resolve(base: &Uri, reference: &str) -> Uri {
    if let Some(abs) = parse_absolute(reference) {
        return Uri {
            path: remove_dots(&abs.path),
            ..abs
        };
    }
    let reference = reference.split('?').next().unwrap_or("");
    if let Some(rest) = reference.strip_prefix("//") {
        let end = rest.find('/').unwrap_or(rest.len());
        let scheme = base.origin.split(':').next().unwrap_or("");
        return Uri {
            origin: format!("{scheme}://{}", &rest[..end]).to_ascii_lowercase(),
            path: remove_dots(&rest[end..]),
        };
    }
    let path = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        let dir = base.path.rfind('/').map_or("", |i| &base.path[..=i]);
        let dir = if dir.is_empty() && !base.origin.is_empty() {
            "/"
        } else {
            dir
        };
        format!("{dir}{reference}")
    };
    Uri {
        origin: base.origin.clone(),
        path: remove_dots(&path),
    }
}

/// `to` written relative to the folder of `from` (both absolute or both relative paths).
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// Rewrites the `$ref`s of a 3.2 document with a `$self` as described in the module
/// documentation. Other documents are left alone.
pub(crate) fn localize(doc: &mut Value) {
    let is_32 = doc
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.2"));
    let Some(self_uri) = doc.get("$self").and_then(Value::as_str) else {
        return;
    };
    if !is_32 {
        return;
    }
    // A relative `$self` is resolved against the entry file, which stands at `file`
    // (an origin that no written reference can have).
    let file = Uri {
        origin: String::new(),
        path: ".crosscheck-entry".to_owned(),
    };
    let base = match parse_absolute(self_uri) {
        Some(abs) => Uri {
            path: remove_dots(&abs.path),
            ..abs
        },
        None => {
            let mut b = resolve(&file, self_uri);
            if b.path.is_empty() {
                b.path = file.path.clone();
            }
            b
        }
    };
    rewrite(doc, &base, &file);
}

fn rewrite(v: &mut Value, base: &Uri, file: &Uri) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => {
                        if let Some(local) = localize_ref(r, base, file) {
                            *r = local;
                        }
                    }
                    (_, x) => rewrite(x, base, file),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| rewrite(x, base, file)),
        _ => {}
    }
}

/// The reference as the rest of the importer should read it, or `None` to keep it.
fn localize_ref(reference: &str, base: &Uri, file: &Uri) -> Option<String> {
    let (doc_part, fragment) = match reference.split_once('#') {
        Some((d, f)) => (d, Some(f)),
        None => (reference, None),
    };
    if doc_part.is_empty() || doc_part.contains('?') {
        return None;
    }
    let target = resolve(base, doc_part);
    let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    if target == *base {
        return Some(if frag.is_empty() {
            "#".to_owned()
        } else {
            frag
        });
    }
    if target.origin != base.origin {
        return None;
    }
    let local = if base.origin.is_empty() {
        // Both relative to the entry file.
        relative(&file.path, &target.path)
    } else {
        relative(&base.path, &target.path)
    };
    (!local.is_empty()).then(|| format!("{local}{frag}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refs(self_uri: &str, list: &[&str]) -> Vec<String> {
        let mut doc = json!({"openapi": "3.2.0", "$self": self_uri,
            "r": list.iter().map(|r| json!({"$ref": r})).collect::<Vec<_>>()});
        localize(&mut doc);
        doc["r"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["$ref"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn absolute_self_maps_itself_and_neighbours() {
        assert_eq!(
            refs(
                "https://example.com/api/openapi.yaml",
                &[
                    "https://example.com/api/openapi.yaml#/components/schemas/Pet",
                    "HTTPS://EXAMPLE.COM/api/openapi.yaml#/x",
                    "openapi.yaml#/y",
                    "./openapi.yaml",
                    "https://example.com/api/schemas/pet.yaml#/Pet",
                    "/shared/common.yaml#/E",
                    "../shared/../api/models/a.yaml",
                    "schemas/pet.yaml",
                    "https://other.example.com/api/x.yaml",
                    "#/local",
                ]
            ),
            [
                "#/components/schemas/Pet",
                "#/x",
                "#/y",
                "#",
                "schemas/pet.yaml#/Pet",
                "../shared/common.yaml#/E",
                "models/a.yaml",
                "schemas/pet.yaml",
                "https://other.example.com/api/x.yaml",
                "#/local",
            ]
        );
    }

    #[test]
    fn relative_self_is_relative_to_the_entry_file() {
        assert_eq!(
            refs(
                "v1/openapi.yaml",
                &[
                    "schemas/pet.yaml",
                    "openapi.yaml#/a",
                    "../common.yaml#/b",
                    "../../up.yaml"
                ]
            ),
            ["v1/schemas/pet.yaml", "#/a", "common.yaml#/b", "../up.yaml"]
        );
    }

    #[test]
    fn only_3_2_documents_with_self() {
        let mut doc = json!({"openapi": "3.1.0", "$self": "https://e.com/a.yaml",
                             "x": {"$ref": "https://e.com/a.yaml#/b"}});
        localize(&mut doc);
        assert_eq!(doc["x"]["$ref"], "https://e.com/a.yaml#/b");
    }

    #[test]
    fn dot_segments() {
        assert_eq!(remove_dots("/a/b/../c/./d"), "/a/c/d");
        assert_eq!(remove_dots("/../a"), "/a");
        assert_eq!(relative("/api/openapi.yaml", "/api/s/p.yaml"), "s/p.yaml");
        assert_eq!(relative("/api/v1/o.yaml", "/x/p.yaml"), "../../x/p.yaml");
    }
}
