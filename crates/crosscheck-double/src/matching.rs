//! Matching requests against patterns: which stub answers, and what differed when none does.
//!
//! Plain functions on data, shared by the mock server (choosing a stub) and the runner
//! (checking the calls a double recorded).

use crosscheck_model::jsonpath::Path;
use crosscheck_model::matcher::Matcher;
use crosscheck_model::path_template;
use crosscheck_model::scenario::{CallExpect, INITIAL_STATE, RequestPattern, Stub};

use crate::record::RecordedRequest;

/// Whether `req` fits `pattern`: the method (case-insensitive; any when absent), the path
/// (exact or a template such as `/users/{id}`; any when absent), each query parameter,
/// each header (case-insensitive names; `{ absent: true }` holds when it is missing) and
/// each JSONPath into the body.
///
/// The error lists every difference, separated by `; `, e.g.
/// `path /valid differs from /validate`.
pub fn request_matches(pattern: &RequestPattern, req: &RecordedRequest) -> Result<(), String> {
    let diffs = differences(pattern, req);
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

/// Whether `req` fits a call the runner expects (`then.calls`): the same checks as
/// [`request_matches`] on the expectation's method, path, query, headers and JSON.
/// Counting matches against `times` is left to the caller.
pub fn call_matches(expect: &CallExpect, req: &RecordedRequest) -> Result<(), String> {
    let diffs = diff(
        Criteria {
            method: expect.method.as_deref(),
            path: expect.path.as_deref(),
            query: expect.query.iter(),
            headers: expect.headers.iter(),
            json: expect.json.iter(),
        },
        req,
    );
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

/// Every way `req` differs from `pattern`; empty when it matches.
pub(crate) fn differences(pattern: &RequestPattern, req: &RecordedRequest) -> Vec<String> {
    diff(
        Criteria {
            method: pattern.method.as_deref(),
            path: pattern.path.as_deref(),
            query: pattern.query.iter(),
            headers: pattern.headers.iter(),
            json: pattern.json.iter(),
        },
        req,
    )
}

/// What a request must fit, borrowed from a stub's pattern or a call expectation.
struct Criteria<'a, Q, H, J> {
    method: Option<&'a str>,
    path: Option<&'a str>,
    query: Q,
    headers: H,
    json: J,
}

fn diff<'a, Q, H, J>(criteria: Criteria<'a, Q, H, J>, req: &RecordedRequest) -> Vec<String>
where
    Q: Iterator<Item = (&'a String, &'a Matcher)>,
    H: Iterator<Item = (&'a String, &'a Matcher)>,
    J: Iterator<Item = (&'a Path, &'a Matcher)>,
{
    let mut out = Vec::new();
    if let Some(method) = criteria.method
        && !method.eq_ignore_ascii_case(&req.method)
    {
        out.push(format!(
            "method {} differs from {}",
            req.method,
            method.to_ascii_uppercase()
        ));
    }
    if let Some(path) = criteria.path
        && !path_template::matches(path, &req.path)
    {
        out.push(format!("path {} differs from {path}", req.path));
    }
    for (name, matcher) in criteria.query {
        if let Err(e) = matcher.check_str(req.query_param(name)) {
            out.push(format!("query parameter `{name}`: {e}"));
        }
    }
    for (name, matcher) in criteria.headers {
        if let Err(e) = matcher.check_str(req.header(name)) {
            out.push(format!("header `{}`: {e}", name.to_ascii_lowercase()));
        }
    }
    for (path, matcher) in criteria.json {
        let actual = req.json.as_ref().and_then(|doc| path.select(doc));
        if let Err(e) = matcher.check(actual.as_ref()) {
            let note = match (&req.json, req.body.is_empty()) {
                (None, true) => " (the body is empty)",
                (None, false) => " (the body is not JSON)",
                (Some(_), _) => "",
            };
            out.push(format!("json {path}: {e}{note}"));
        }
    }
    out
}

/// Which stub answers a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    /// The stub at this index; its use has been counted.
    Stub(usize),
    /// None did; the nearest stub and what differed, in words.
    Unmatched { closest: String },
}

/// Tries `stubs` in order and picks the first that matches `req` and has uses left,
/// counting the use in `used` (one counter per stub).
#[cfg(test)]
pub(crate) fn choose(stubs: &[Stub], used: &mut [u32], req: &RecordedRequest) -> Choice {
    let mut gates = Gates::new(crate::rng::Rng::new(0));
    choose_counted(stubs, used, &mut [], &mut gates, req)
}

/// What decides, besides the request, whether a matching stub answers: the dependency's
/// named state, and the seeded source that draws for `probability`. Draws that let a
/// call fall through are noted in `skipped` for the journal.
#[derive(Debug)]
pub(crate) struct Gates {
    pub(crate) state: String,
    pub(crate) rng: crate::rng::Rng,
    pub(crate) skipped: Vec<String>,
}

impl Gates {
    pub(crate) fn new(rng: crate::rng::Rng) -> Self {
        Gates {
            state: INITIAL_STATE.to_owned(),
            rng,
            skipped: Vec::new(),
        }
    }
}

/// [`choose`], also gated by state (`state`), counting in `seen` every matching request
/// a stub with `every` saw (answering only on each k-th), and drawing for `probability`.
/// The chosen stub's `next_state` becomes the state.
pub(crate) fn choose_counted(
    stubs: &[Stub],
    used: &mut [u32],
    seen: &mut [u32],
    gates: &mut Gates,
    req: &RecordedRequest,
) -> Choice {
    gates.skipped.clear();
    for (i, stub) in stubs.iter().enumerate() {
        let count = used.get(i).copied().unwrap_or(0);
        if stub.times.is_some_and(|limit| count >= limit) {
            continue;
        }
        if stub.state.as_ref().is_some_and(|s| s.value != gates.state) {
            continue;
        }
        if differences(&stub.on, req).is_empty() {
            if let Some(k) = stub.every {
                let Some(n) = seen.get_mut(i) else {
                    continue;
                };
                *n = n.saturating_add(1);
                if *n % k.get() != 0 {
                    continue;
                }
            }
            if let Some(p) = stub.probability
                && !gates.rng.chance(p)
            {
                gates
                    .skipped
                    .push(format!("stub #{i} let it through: probability {p}"));
                continue;
            }
            if let Some(c) = used.get_mut(i) {
                *c = c.saturating_add(1);
            }
            if let Some(next) = &stub.next_state {
                gates.state.clone_from(&next.value);
            }
            return Choice::Stub(i);
        }
    }
    Choice::Unmatched {
        closest: closest(stubs, used, &gates.state, req),
    }
}

/// Describes the stub nearest to matching `req` (fewest differences, earliest on a tie)
/// and what differed; `state` is the dependency's state now.
pub(crate) fn closest(stubs: &[Stub], used: &[u32], state: &str, req: &RecordedRequest) -> String {
    let best = stubs
        .iter()
        .enumerate()
        .map(|(i, stub)| (i, stub, differences(&stub.on, req)))
        .min_by_key(|(i, _, diffs)| (diffs.len(), *i));
    let Some((i, stub, diffs)) = best else {
        return "no stubs are installed".to_owned();
    };
    let exhausted = stub
        .times
        .is_some_and(|t| used.get(i).copied().unwrap_or(0) >= t);
    let why = if let Some(wanted) = stub
        .state
        .as_ref()
        .filter(|s| s.value != state && diffs.is_empty())
    {
        format!(
            "it matches, but it answers only in state `{}` and the state is `{state}`",
            wanted.value
        )
    } else if diffs.is_empty() && !exhausted && stub.every.is_some() {
        let k = stub.every.map_or(1, std::num::NonZeroU32::get);
        format!("it matches, but it answers only one call in {k}")
    } else if diffs.is_empty() && !exhausted && stub.probability.is_some() {
        let p = stub.probability.unwrap_or(1.0);
        format!("it matches, but it answers with probability {p} and this call's draw passed")
    } else if diffs.is_empty() {
        let limit = stub.times.unwrap_or(0);
        let count = used.get(i).copied().unwrap_or(0);
        format!("it matches, but it answers only {limit} time(s) and has answered {count}")
    } else {
        diffs.join("; ")
    };
    format!("stub #{i} ({}): {why}", describe(&stub.on))
}

/// `GET /validate`, `any method /x`, `GET any path`, for messages.
pub(crate) fn describe(pattern: &RequestPattern) -> String {
    let method = pattern
        .method
        .as_deref()
        .map_or_else(|| "any method".to_owned(), str::to_ascii_uppercase);
    let path = pattern.path.as_deref().unwrap_or("any path");
    format!("{method} {path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;
    use serde_json::json;

    fn req(method: &str, path: &str) -> RecordedRequest {
        RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: vec![],
            headers: vec![],
            body: String::new(),
            json: None,
            url: path.to_owned(),
            at_ms: 0,
            stub: None,
            outcome: Outcome::Unmatched,
            note: None,
        }
    }

    fn pattern(yaml: &str) -> RequestPattern {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn stubs(yaml: &str) -> Vec<Stub> {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn empty_pattern_matches_anything() {
        assert_eq!(
            request_matches(&RequestPattern::default(), &req("DELETE", "/x")),
            Ok(())
        );
    }

    #[test]
    fn method_ignores_case_and_path_takes_templates() {
        let p = pattern("{ method: get, path: '/users/{id}' }");
        assert_eq!(request_matches(&p, &req("GET", "/users/7")), Ok(()));
        assert_eq!(
            request_matches(&p, &req("POST", "/users/7/x")).unwrap_err(),
            "method POST differs from GET; path /users/7/x differs from /users/{id}"
        );
        assert_eq!(
            request_matches(&pattern("{ path: /validate }"), &req("GET", "/valid")).unwrap_err(),
            "path /valid differs from /validate"
        );
    }

    #[test]
    fn headers_and_query() {
        let p = pattern(
            "{ headers: { Authorization: { regex: '^Bearer ' }, X-Debug: { absent: true } }, query: { token: abc } }",
        );
        let mut r = req("GET", "/v");
        r.headers
            .push(("authorization".to_owned(), "Bearer t".to_owned()));
        r.query.push(("token".to_owned(), "abc".to_owned()));
        assert_eq!(request_matches(&p, &r), Ok(()));

        r.headers.push(("x-debug".to_owned(), "1".to_owned()));
        r.query[0].1 = "xyz".to_owned();
        assert_eq!(
            request_matches(&p, &r).unwrap_err(),
            "query parameter `token`: expected \"abc\", got \"xyz\"; header `x-debug`: expected no value, got \"1\""
        );
    }

    #[test]
    fn json_paths() {
        let p = pattern("{ json: { '$.user.id': 7, kind: { type: string } } }");
        let mut r = req("POST", "/x");
        r.body = r#"{"user":{"id":7},"kind":"a"}"#.to_owned();
        r.json = serde_json::from_str(&r.body).ok();
        assert_eq!(request_matches(&p, &r), Ok(()));
        r.json = Some(json!({"user": {"id": 8}, "kind": "a"}));
        assert_eq!(
            request_matches(&p, &r).unwrap_err(),
            "json $.user.id: expected 7, got 8"
        );
        r.json = None;
        r.body = "not json".to_owned();
        assert!(
            request_matches(&p, &r)
                .unwrap_err()
                .contains("(the body is not JSON)")
        );
    }

    #[test]
    fn call_expectations_use_the_same_checks() {
        let expect: CallExpect =
            serde_saphyr::from_str("{ method: GET, path: /validate, times: 1, headers: { authorization: { exists: true } } }")
                .unwrap();
        let mut r = req("GET", "/validate");
        assert_eq!(
            call_matches(&expect, &r).unwrap_err(),
            "header `authorization`: expected a value, but it is absent"
        );
        r.headers
            .push(("authorization".to_owned(), "Bearer t".to_owned()));
        assert_eq!(call_matches(&expect, &r), Ok(()));
    }

    #[test]
    fn times_limited_stubs_hand_over_in_order() {
        let s = stubs(
            "- { on: { path: /v }, reply: { status: 503 }, times: 2 }\n- { on: { path: /v }, reply: { status: 200 } }\n",
        );
        let mut used = vec![0; s.len()];
        let r = req("GET", "/v");
        assert_eq!(choose(&s, &mut used, &r), Choice::Stub(0));
        assert_eq!(choose(&s, &mut used, &r), Choice::Stub(0));
        assert_eq!(choose(&s, &mut used, &r), Choice::Stub(1));
        assert_eq!(choose(&s, &mut used, &r), Choice::Stub(1));
        assert_eq!(used, [2, 2]);
    }

    #[test]
    fn every_kth_call_falls_through_otherwise() {
        let s = stubs(
            "- { on: { path: /v }, reply: { status: 503 }, every: 3 }\n- { on: { path: /v }, reply: { status: 200 } }\n",
        );
        let (mut used, mut seen) = (vec![0; 2], vec![0; 2]);
        let mut gates = Gates::new(crate::rng::Rng::new(0));
        let r = req("GET", "/v");
        let picks: Vec<Choice> = (0..6)
            .map(|_| choose_counted(&s, &mut used, &mut seen, &mut gates, &r))
            .collect();
        use Choice::Stub;
        assert_eq!(
            picks,
            [Stub(1), Stub(1), Stub(0), Stub(1), Stub(1), Stub(0)]
        );
        let only = stubs("- { on: { path: /v }, every: 2 }\n");
        let (mut used, mut seen) = (vec![0], vec![0]);
        let Choice::Unmatched { closest } =
            choose_counted(&only, &mut used, &mut seen, &mut gates, &r)
        else {
            panic!("the first call must fall through");
        };
        assert_eq!(
            closest,
            "stub #0 (any method /v): it matches, but it answers only one call in 2"
        );
    }

    #[test]
    fn unmatched_names_the_closest_stub() {
        let s = stubs(
            "- { on: { method: POST, path: /other } }\n- { on: { method: GET, path: /validate } }\n",
        );
        let mut used = vec![0; s.len()];
        assert_eq!(
            choose(&s, &mut used, &req("GET", "/valid")),
            Choice::Unmatched {
                closest: "stub #1 (GET /validate): path /valid differs from /validate".to_owned()
            }
        );
        assert_eq!(
            closest(&[], &[], INITIAL_STATE, &req("GET", "/")),
            "no stubs are installed"
        );

        let once = stubs("- { on: { path: /v }, times: 1 }\n");
        let mut used = vec![0];
        assert_eq!(choose(&once, &mut used, &req("GET", "/v")), Choice::Stub(0));
        let Choice::Unmatched { closest } = choose(&once, &mut used, &req("GET", "/v")) else {
            panic!("an exhausted stub must not answer");
        };
        assert_eq!(
            closest,
            "stub #0 (any method /v): it matches, but it answers only 1 time(s) and has answered 1"
        );
    }
}
