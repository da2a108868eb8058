//! Where each operation is written, for messages that point at the contract.
//!
//! The document is parsed into a `serde_json::Value`, which keeps no positions, so one
//! pass over the text finds them: under the top-level `paths` key, keys one level in are
//! path templates and keys one level further are methods. This works for YAML and for
//! pretty-printed JSON; on minified JSON it finds nothing and lines stay 0.

use std::collections::HashMap;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// 1-based lines of `(path template, lower-case method)` keys.
pub(crate) fn operation_lines(text: &str) -> HashMap<(String, String), u32> {
    let mut out = HashMap::new();
    let mut top: Option<usize> = None;
    let mut in_paths = false;
    let mut path_indent: Option<usize> = None;
    let mut method_indent: Option<usize> = None;
    let mut current: Option<String> = None;
    // Inside a path's 3.2 `additionalOperations`: the indentation of its method keys.
    let mut extra: Option<Option<usize>> = None;
    for (n, line) in text.lines().enumerate() {
        let Some((indent, key)) = key_of(line) else {
            continue;
        };
        let top_indent = *top.get_or_insert(indent);
        if indent <= top_indent {
            if in_paths {
                break;
            }
            in_paths = indent == top_indent && key == "paths";
            continue;
        }
        if !in_paths {
            continue;
        }
        let pi = *path_indent.get_or_insert(indent);
        if indent == pi {
            current = Some(key);
            method_indent = None;
            extra = None;
        } else if indent > pi
            && let Some(path) = &current
        {
            let mi = *method_indent.get_or_insert(indent);
            let line = u32::try_from(n + 1).unwrap_or(0);
            if indent == mi {
                extra = (key == "additionalOperations").then_some(None);
                if METHODS.contains(&key.as_str()) {
                    out.entry((path.clone(), key)).or_insert(line);
                }
            } else if let Some(inner) = &mut extra {
                // `additionalOperations: { COPY: … }`, kept under the method in lower case.
                if *inner.get_or_insert(indent) == indent {
                    out.entry((path.clone(), key.to_ascii_lowercase()))
                        .or_insert(line);
                }
            }
        }
    }
    out
}

/// The indentation and the key of a line that starts a mapping entry (`key:`,
/// `"key": …`, `'key': …`), or `None`.
fn key_of(line: &str) -> Option<(usize, String)> {
    let rest = line.trim_start_matches([' ', '\t']);
    let indent = line.len() - rest.len();
    let (key, after) = if let Some(quoted) = rest.strip_prefix('"') {
        double_quoted(quoted)?
    } else if let Some(quoted) = rest.strip_prefix('\'') {
        single_quoted(quoted)?
    } else {
        if rest.is_empty() || rest.starts_with(['#', '-', '{', '[', '}', ']', '?', '|', '>']) {
            return None;
        }
        let end = rest
            .find(": ")
            .or_else(|| rest.find(":\t"))
            .or_else(|| rest.strip_suffix(':').map(str::len))?;
        (rest[..end].trim_end().to_owned(), &rest[end..])
    };
    after.trim_start().starts_with(':').then_some((indent, key))
}

fn double_quoted(s: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((key, &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => key.push('\n'),
                't' => key.push('\t'),
                'u' => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    key.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => key.push(other),
            },
            c => key.push(c),
        }
    }
    None
}

fn single_quoted(s: &str) -> Option<(String, &str)> {
    let mut key = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if chars.peek().map(|&(_, c)| c) == Some('\'') {
                chars.next();
                key.push('\'');
            } else {
                return Some((key, &s[i + 1..]));
            }
        } else {
            key.push(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_lines() {
        let text = "openapi: 3.1.0\ninfo:\n  title: t\n  description: |\n    paths:\n      /x:\n        get: no\npaths:\n  /resources/{id}:\n    parameters: []\n    get:\n      description: |\n        get: not this\n      responses: {}\n    'post': {}\n  \"/v1/{name}:cancel\":\n    delete: {}\n  /a:b:\n    put: {}\ncomponents:\n  x:\n    /resources/{id}:\n      patch: {}\n";
        let lines = operation_lines(text);
        let get = |p: &str, m: &str| lines.get(&(p.to_owned(), m.to_owned())).copied();
        assert_eq!(get("/resources/{id}", "get"), Some(11));
        assert_eq!(get("/resources/{id}", "post"), Some(15));
        assert_eq!(get("/v1/{name}:cancel", "delete"), Some(17));
        assert_eq!(get("/a:b", "put"), Some(19));
        assert_eq!(get("/resources/{id}", "patch"), None);
        assert_eq!(get("/x", "get"), None);
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn additional_operations_3_2() {
        let text = "openapi: 3.2.0\npaths:\n  /pets/{id}:\n    query:\n      responses: {}\n    additionalOperations:\n      COPY:\n        responses:\n          LOCK: {}\n      PURGE: {}\n    get: {}\n";
        let lines = operation_lines(text);
        let get = |m: &str| lines.get(&("/pets/{id}".to_owned(), m.to_owned())).copied();
        assert_eq!(get("query"), Some(4));
        assert_eq!(get("copy"), Some(7));
        assert_eq!(get("purge"), Some(10));
        assert_eq!(get("lock"), None);
        assert_eq!(get("get"), Some(11));
    }

    #[test]
    fn json_lines() {
        let text = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/a\\/b\": {\n      \"get\": {\n        \"responses\": {}\n      }\n    }\n  }\n}\n";
        let lines = operation_lines(text);
        assert_eq!(lines.get(&("/a/b".to_owned(), "get".to_owned())), Some(&5));
        assert!(
            operation_lines("{\"openapi\":\"3.0.0\",\"paths\":{\"/a\":{\"get\":{}}}}").is_empty()
        );
    }
}
