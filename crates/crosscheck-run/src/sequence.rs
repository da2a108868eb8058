//! Multi-step scenarios: values captured from one response, used in later requests,
//! and a chain that stops at the first failing step.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use crosscheck_model::Located;
use crosscheck_model::capture::Source;
use crosscheck_model::captured;
use crosscheck_model::scenario::Request;

use crate::http::Exchange;
use crate::outcome::Failure;
use crate::redact::{Redactor, is_secret_header};

/// The values captured so far in one scenario, and the doubles' addresses.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    values: IndexMap<String, Value>,
    /// `deps.NAME.url` / `deps.NAME.port` → value.
    deps: BTreeMap<String, String>,
}

impl Captured {
    pub(crate) fn new(deps: &BTreeMap<String, String>) -> Captured {
        Captured {
            values: IndexMap::new(),
            deps: deps.clone(),
        }
    }

    /// `req` with every `${deps.NAME.url}` / `${deps.NAME.port}` and `${captured.NAME}`
    /// replaced, or a failure of `step` naming the unknown name. A path that became an
    /// absolute URL (a captured `Location`) is made relative to `base_url` again; one on
    /// another origin is a failure.
    pub(crate) fn request(
        &self,
        step: usize,
        req: &Request,
        base_url: &str,
    ) -> Result<Request, Failure> {
        let fail = |check: &str, message: String| Failure {
            step,
            check: check.to_owned(),
            message,
        };
        let with_deps = deps_request(req, &self.deps).map_err(|message| fail("deps", message))?;
        let mut out = captured::substitute_request(&with_deps, &self.values)
            .map_err(|message| fail("capture", message))?;
        if out.path.value != req.path.value {
            out.path.value =
                crate::capture_target::below_base(base_url, &out.path.value).map_err(|m| {
                    fail(
                        "capture",
                        format!("the path `{}` became {m}", req.path.value),
                    )
                })?;
        }
        Ok(out)
    }

    /// Takes each of `caps` from `ex`; every one that finds nothing is a failure naming
    /// what it looked for and what there was. What was taken is also kept in
    /// `ex.captured` as evidence; a value taken from a secret header is taught to
    /// `redactor`, so it is masked wherever it shows up.
    pub(crate) fn take(
        &mut self,
        step: usize,
        caps: &IndexMap<Located<String>, Source>,
        ex: &mut Exchange,
        redactor: &mut Redactor,
    ) -> Vec<Failure> {
        let mut failures = Vec::new();
        for (name, source) in caps {
            match crate::capture_target::value(source, ex) {
                Ok(value) => {
                    if source.header().is_some_and(is_secret_header) {
                        redactor.learn(&captured::as_text(&value));
                    }
                    ex.captured.insert(name.value.clone(), value.clone());
                    self.values.insert(name.value.clone(), value);
                }
                Err(message) => failures.push(Failure {
                    step,
                    check: format!("capture {}", name.value),
                    message,
                }),
            }
        }
        failures
    }
}

/// The failure that closes a chain cut short after `step` (0-based) of `total`.
pub(crate) fn stopped(step: usize, total: usize, req: &Request) -> Failure {
    let rest = if step + 2 == total {
        format!("step {} was not run", total)
    } else {
        format!("steps {}–{} were not run", step + 2, total)
    };
    Failure {
        step,
        check: "sequence".to_owned(),
        message: format!(
            "step {} of {total} ({} {}) failed, so the chain stopped there; {rest}",
            step + 1,
            req.method.value.to_ascii_uppercase(),
            req.path.value
        ),
    }
}

/// `req` with every `${deps.NAME.url}` and `${deps.NAME.port}` replaced.
fn deps_request(req: &Request, deps: &BTreeMap<String, String>) -> Result<Request, String> {
    let mut out = req.clone();
    out.path.value = deps_text(&req.path.value, deps)?;
    for v in out.query.values_mut().chain(out.headers.values_mut()) {
        *v = deps_text(v, deps)?;
    }
    if let Some(b) = out.body.as_mut() {
        *b = deps_text(b, deps)?;
    }
    if let Some(j) = out.json.as_mut() {
        deps_json(j, deps)?;
    }
    Ok(out)
}

fn deps_json(v: &mut Value, deps: &BTreeMap<String, String>) -> Result<(), String> {
    match v {
        Value::String(s) => *s = deps_text(s, deps)?,
        Value::Array(a) => a.iter_mut().try_for_each(|x| deps_json(x, deps))?,
        Value::Object(o) => o.values_mut().try_for_each(|x| deps_json(x, deps))?,
        _ => {}
    }
    Ok(())
}

/// The names (`deps.NAME.url`, …) of every `${deps.…}` a request uses, in order, each once.
pub(crate) fn deps_names(req: &Request) -> Vec<String> {
    fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut texts: Vec<&str> = vec![req.path.value.as_str()];
    texts.extend(
        req.query
            .values()
            .chain(req.headers.values())
            .map(String::as_str),
    );
    texts.extend(req.body.as_deref());
    if let Some(j) = &req.json {
        strings(j, &mut texts);
    }
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        let mut rest = t;
        while let Some(i) = rest.find(DEPS_OPEN) {
            let body = &rest[i + 2..];
            let Some(end) = body.find('}') else { break };
            let name = body[..end].trim().to_owned();
            if !out.contains(&name) {
                out.push(name);
            }
            rest = &body[end + 1..];
        }
    }
    out
}

const DEPS_OPEN: &str = "${deps.";

/// `text` with each `${deps.NAME.url|port}` replaced; an unknown one is an error that
/// lists the known ones. An unclosed one is sent as written.
fn deps_text(text: &str, deps: &BTreeMap<String, String>) -> Result<String, String> {
    if !text.contains(DEPS_OPEN) {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(DEPS_OPEN) {
        out.push_str(&rest[..i]);
        let body = &rest[i + 2..];
        let Some(end) = body.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let name = body[..end].trim();
        let value = deps.get(name).ok_or_else(|| {
            let known: Vec<String> = deps.keys().map(|k| format!("${{{k}}}")).collect();
            format!(
                "`${{{name}}}` names no double of this run; known: {}",
                if known.is_empty() {
                    "none (the system map has no mocked or proxied dependency)".to_owned()
                } else {
                    known.join(", ")
                }
            )
        })?;
        out.push_str(value);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Received, SentRequest};

    fn exchange(body: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: "POST".into(),
                url: "http://x/things".into(),
                headers: Vec::new(),
                body: None,
            },
            response: Some(Received {
                status: 201,
                headers: Vec::new(),
                body: body.into(),
                json: serde_json::from_str(body).ok(),
            }),
            error: None,
            duration_ms: 1.0,
            at_ms: 0.0,
            captured: IndexMap::new(),
        }
    }

    fn caps(pairs: &[(&str, &str)]) -> IndexMap<Located<String>, Source> {
        pairs
            .iter()
            .map(|(n, p)| (Located::new((*n).to_owned()), Source::parse(p).unwrap()))
            .collect()
    }

    #[test]
    fn captures_and_substitutes() {
        let mut c = Captured::default();
        let mut ex = exchange(r#"{"id": 7, "name": "box"}"#);
        assert!(
            c.take(
                0,
                &caps(&[("id", "$.id")]),
                &mut ex,
                &mut Redactor::default()
            )
            .is_empty()
        );
        assert_eq!(ex.captured["id"], serde_json::json!(7));
        let req: Request = serde_saphyr::from_str("{ path: \"/things/${captured.id}\" }").unwrap();
        assert_eq!(
            c.request(1, &req, "http://x").unwrap().path.value,
            "/things/7"
        );
    }

    #[test]
    fn doubles_addresses_are_filled_in_everywhere_and_unknown_ones_are_named() {
        let deps: BTreeMap<String, String> = [
            (
                "deps.hooks.url".to_owned(),
                "http://127.0.0.1:4100".to_owned(),
            ),
            ("deps.hooks.port".to_owned(), "4100".to_owned()),
        ]
        .into();
        let c = Captured::new(&deps);
        let req: Request = serde_saphyr::from_str(
            "{ method: POST, path: \"/subscribe?port=${deps.hooks.port}\", headers: { X-Hook: \"${deps.hooks.url}/h\" }, json: { callback: { url: \"${deps.hooks.url}/events\" }, raw: \"${deps.open\" } }",
        )
        .unwrap();
        let out = c.request(0, &req, "http://x").unwrap();
        assert_eq!(out.path.value, "/subscribe?port=4100");
        assert_eq!(out.headers["X-Hook"], "http://127.0.0.1:4100/h");
        assert_eq!(
            out.json.unwrap(),
            serde_json::json!({"callback": {"url": "http://127.0.0.1:4100/events"}, "raw": "${deps.open"})
        );
        let bad: Request = serde_saphyr::from_str("{ path: \"/s?u=${deps.hook.url}\" }").unwrap();
        let f = c.request(2, &bad, "http://x").unwrap_err();
        assert_eq!(f.check, "deps");
        assert_eq!(
            f.message,
            "`${deps.hook.url}` names no double of this run; known: ${deps.hooks.port}, ${deps.hooks.url}"
        );
    }

    #[test]
    fn a_capture_that_finds_nothing_names_the_path_and_the_body() {
        let mut c = Captured::default();
        let mut ex = exchange(r#"{"name": "box"}"#);
        let f = c.take(
            0,
            &caps(&[("id", "$.id")]),
            &mut ex,
            &mut Redactor::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].check, "capture id");
        assert_eq!(
            f[0].message,
            r#"$.id selects nothing in the response body {"name": "box"}"#
        );
        let mut ex = exchange("created");
        let f = c.take(
            0,
            &caps(&[("id", "$.id")]),
            &mut ex,
            &mut Redactor::default(),
        );
        assert_eq!(
            f[0].message,
            "cannot capture $.id: the response body is not JSON: created"
        );
    }

    #[test]
    fn stopping_says_which_steps_were_skipped() {
        let req: Request = serde_saphyr::from_str("{ method: get, path: /things/7 }").unwrap();
        assert_eq!(
            stopped(1, 4, &req).message,
            "step 2 of 4 (GET /things/7) failed, so the chain stopped there; steps 3–4 were not run"
        );
        assert_eq!(
            stopped(0, 2, &req).message,
            "step 1 of 2 (GET /things/7) failed, so the chain stopped there; step 2 was not run"
        );
    }
}
