//! Does a request fit a WireMock request pattern? Every difference, in words.

use crosscheck_model::matcher::json_eq;
use crosscheck_model::path_template;
use serde_json::Value;

use super::mapping::{RequestSpec, UrlMatch, ValueMatch};
use crate::openapi::cookies;
use crate::record::RecordedRequest;

/// Every way `req` differs from `spec`; empty when it fits.
pub(crate) fn differences(spec: &RequestSpec, req: &RecordedRequest) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(m) = &spec.method
        && !m.eq_ignore_ascii_case(&req.method)
    {
        out.push(format!("method {} differs from {m}", req.method));
    }
    let url_ok = match &spec.url {
        UrlMatch::Any => true,
        UrlMatch::Exact(u) => *u == req.url,
        UrlMatch::Pattern(re) => re.is_match(&req.url),
        UrlMatch::Path(p) => *p == req.path,
        UrlMatch::PathPattern(re) => re.is_match(&req.path),
        UrlMatch::PathTemplate(t) => path_template::matches(t, &req.path),
    };
    if !url_ok {
        out.push(format!(
            "url {} does not fit {}",
            req.url,
            describe_url(&spec.url)
        ));
    }
    for (name, m) in &spec.query {
        if let Err(e) = check(m, req.query_param(name)) {
            out.push(format!("query parameter `{name}`: {e}"));
        }
    }
    for (name, m) in &spec.headers {
        if let Err(e) = check(m, req.header(name)) {
            out.push(format!("header `{}`: {e}", name.to_ascii_lowercase()));
        }
    }
    if !spec.cookies.is_empty() {
        let jar = cookies(req.header("cookie"));
        for (name, m) in &spec.cookies {
            let v = jar.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            if let Err(e) = check(m, v) {
                out.push(format!("cookie `{name}`: {e}"));
            }
        }
    }
    if !spec.path_params.is_empty() {
        let values = match &spec.url {
            UrlMatch::PathTemplate(t) => path_template::captures(t, &req.path).unwrap_or_default(),
            _ => Vec::new(),
        };
        for (name, m) in &spec.path_params {
            let v = values.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            if let Err(e) = check(m, v) {
                out.push(format!("path parameter `{name}`: {e}"));
            }
        }
    }
    for m in &spec.body {
        if let Err(e) = check(m, Some(&req.body)) {
            out.push(format!("body: {e}"));
        }
    }
    out
}

/// `url /x`, `url path matching ^/x.*$`, for messages.
pub(crate) fn describe_url(url: &UrlMatch) -> String {
    match url {
        UrlMatch::Any => "any url".to_owned(),
        UrlMatch::Exact(u) => u.clone(),
        UrlMatch::Pattern(re) => format!("url pattern {}", re.as_str()),
        UrlMatch::Path(p) => p.clone(),
        UrlMatch::PathPattern(re) => format!("path pattern {}", re.as_str()),
        UrlMatch::PathTemplate(t) => t.clone(),
    }
}

/// Checks one value (absent when `None`) against a matcher.
pub(crate) fn check(m: &ValueMatch, actual: Option<&str>) -> Result<(), String> {
    let shown = |a: Option<&str>| a.map_or_else(|| "nothing".to_owned(), |s| format!("{s:?}"));
    match m {
        ValueMatch::Absent => match actual {
            None => Ok(()),
            Some(a) => Err(format!("expected no value, got {a:?}")),
        },
        ValueMatch::Present => actual
            .map(|_| ())
            .ok_or_else(|| "expected a value, but it is absent".to_owned()),
        ValueMatch::And(all) => all.iter().try_for_each(|m| check(m, actual)),
        ValueMatch::Or(any) => {
            let errors: Vec<String> = any.iter().filter_map(|m| check(m, actual).err()).collect();
            if errors.len() < any.len() {
                Ok(())
            } else {
                Err(errors.join(", or "))
            }
        }
        _ => {
            let Some(a) = actual else {
                return Err(format!("expected {}, but it is absent", expectation(m)));
            };
            if holds(m, a) {
                Ok(())
            } else {
                Err(format!(
                    "expected {}, got {}",
                    expectation(m),
                    shown(Some(a))
                ))
            }
        }
    }
}

fn holds(m: &ValueMatch, a: &str) -> bool {
    match m {
        ValueMatch::EqualTo {
            value,
            case_insensitive,
        } => {
            if *case_insensitive {
                value.eq_ignore_ascii_case(a)
            } else {
                value == a
            }
        }
        ValueMatch::Contains(s) => a.contains(s.as_str()),
        ValueMatch::DoesNotContain(s) => !a.contains(s.as_str()),
        ValueMatch::Matches(re) => re.is_match(a),
        ValueMatch::DoesNotMatch(re) => !re.is_match(a),
        ValueMatch::EqualToJson {
            json,
            ignore_array_order,
            ignore_extra_elements,
        } => serde_json::from_str::<Value>(a).is_ok_and(|actual| {
            if *ignore_array_order || *ignore_extra_elements {
                json_fits(json, &actual, *ignore_array_order, *ignore_extra_elements)
            } else {
                json_eq(json, &actual)
            }
        }),
        ValueMatch::MatchesJsonPath { path, then } => {
            let Ok(doc) = serde_json::from_str::<Value>(a) else {
                return false;
            };
            let Some(selected) = path.select(&doc) else {
                return false;
            };
            match then {
                None => true,
                Some(inner) => {
                    let text = match &selected {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    check(inner, Some(&text)).is_ok()
                }
            }
        }
        ValueMatch::Absent | ValueMatch::Present | ValueMatch::And(_) | ValueMatch::Or(_) => {
            check(m, Some(a)).is_ok()
        }
    }
}

fn expectation(m: &ValueMatch) -> String {
    match m {
        ValueMatch::EqualTo { value, .. } => format!("{value:?}"),
        ValueMatch::Contains(s) => format!("a value containing {s:?}"),
        ValueMatch::DoesNotContain(s) => format!("a value not containing {s:?}"),
        ValueMatch::Matches(re) => format!("a value matching {}", re.as_str()),
        ValueMatch::DoesNotMatch(re) => format!("a value not matching {}", re.as_str()),
        ValueMatch::EqualToJson {
            json,
            ignore_extra_elements,
            ..
        } => {
            if *ignore_extra_elements {
                format!("JSON containing {json}")
            } else {
                format!("JSON equal to {json}")
            }
        }
        ValueMatch::MatchesJsonPath { path, .. } => format!("JSON where {} fits", path.as_str()),
        ValueMatch::Absent => "no value".to_owned(),
        ValueMatch::Present => "a value".to_owned(),
        ValueMatch::And(_) => "all of several matchers".to_owned(),
        ValueMatch::Or(_) => "one of several matchers".to_owned(),
    }
}

/// Whether `actual` holds everything `expected` says: objects may have more keys when
/// `extra`; arrays may be in any order when `any_order` (and longer when `extra`).
pub(crate) fn json_fits(expected: &Value, actual: &Value, any_order: bool, extra: bool) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            (extra || e.len() == a.len())
                && e.iter().all(|(k, ev)| {
                    a.get(k)
                        .is_some_and(|av| json_fits(ev, av, any_order, extra))
                })
        }
        (Value::Array(e), Value::Array(a)) => {
            if !extra && e.len() != a.len() {
                return false;
            }
            if any_order {
                let mut used = vec![false; a.len()];
                e.iter().all(|ev| {
                    let hit = a
                        .iter()
                        .enumerate()
                        .find(|(i, av)| !used[*i] && json_fits(ev, av, any_order, extra));
                    hit.map(|(i, _)| used[i] = true).is_some()
                })
            } else {
                e.len() <= a.len()
                    && e.iter()
                        .zip(a)
                        .all(|(ev, av)| json_fits(ev, av, any_order, extra))
            }
        }
        _ => json_eq(expected, actual),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiremock::mapping;
    use serde_json::json;

    fn req(method: &str, url: &str, body: &str) -> RecordedRequest {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            url: url.to_owned(),
            query: crate::query::parse(query),
            headers: vec![("cookie".to_owned(), "session=abc; theme=dark".to_owned())],
            body: body.to_owned(),
            json: serde_json::from_str(body).ok(),
            at_ms: 0,
            stub: None,
            outcome: crate::record::Outcome::Unmatched,
            note: None,
        }
    }

    fn spec(v: Value) -> RequestSpec {
        mapping::parse(&json!({ "request": v })).unwrap().request
    }

    #[test]
    fn urls_queries_and_cookies() {
        let r = req("GET", "/users/7?limit=10", "");
        assert!(differences(&spec(json!({"url": "/users/7?limit=10"})), &r).is_empty());
        assert!(differences(&spec(json!({"urlPattern": "/users/[0-9]+\\?.*"})), &r).is_empty());
        assert!(
            differences(
                &spec(json!({"urlPathTemplate": "/users/{id}",
            "pathParameters": {"id": {"matches": "[0-9]+"}}})),
                &r
            )
            .is_empty()
        );
        assert!(
            differences(
                &spec(json!({"cookies": {"session": {"equalTo": "abc"}}})),
                &r
            )
            .is_empty()
        );
        assert_eq!(
            differences(
                &spec(json!({"method": "POST", "urlPath": "/users/8",
                "queryParameters": {"limit": {"equalTo": "5"}}, "cookies": {"theme": {"absent": true}}})),
                &r
            ),
            [
                "method GET differs from POST",
                "url /users/7?limit=10 does not fit /users/8",
                "query parameter `limit`: expected \"5\", got \"10\"",
                "cookie `theme`: expected no value, got \"dark\"",
            ]
        );
    }

    #[test]
    fn bodies() {
        let r = req("POST", "/x", r#"{"name":"ann","tags":["b","a"],"n":1.0}"#);
        let fits = |v: Value| differences(&spec(json!({ "bodyPatterns": [v] })), &r);
        assert!(
            fits(json!({"equalToJson": {"n": 1, "tags": ["b", "a"], "name": "ann"}})).is_empty()
        );
        assert!(
            fits(json!({"equalToJson": {"name": "ann"}, "ignoreExtraElements": true})).is_empty()
        );
        assert!(fits(json!({"equalToJson": {"tags": ["a", "b"]}, "ignoreExtraElements": true, "ignoreArrayOrder": true})).is_empty());
        assert!(
            !fits(json!({"equalToJson": {"tags": ["a", "b"]}, "ignoreExtraElements": true}))
                .is_empty()
        );
        assert!(fits(json!({"matchesJsonPath": "$.tags[1]"})).is_empty());
        assert!(
            fits(json!({"matchesJsonPath": {"expression": "$.name", "matches": "a.n"}})).is_empty()
        );
        assert!(fits(json!({"contains": "ann"})).is_empty());
        assert_eq!(
            fits(json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "bob"}})),
            [
                "body: expected JSON where $.name fits, got \"{\\\"name\\\":\\\"ann\\\",\\\"tags\\\":[\\\"b\\\",\\\"a\\\"],\\\"n\\\":1.0}\""
            ]
        );
    }
}
