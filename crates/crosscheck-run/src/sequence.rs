//! Multi-step scenarios: values captured from one response, used in later requests,
//! and a chain that stops at the first failing step.

use indexmap::IndexMap;
use serde_json::Value;

use crosscheck_model::Located;
use crosscheck_model::captured;
use crosscheck_model::jsonpath::Path;
use crosscheck_model::scenario::Request;

use crate::http::Exchange;
use crate::outcome::Failure;

/// How much of a body a failure message quotes.
const BODY_CHARS: usize = 300;

/// The values captured so far in one scenario.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    values: IndexMap<String, Value>,
}

impl Captured {
    /// `req` with every `${captured.NAME}` replaced, or a failure of `step` naming the
    /// unknown name.
    pub(crate) fn request(&self, step: usize, req: &Request) -> Result<Request, Failure> {
        captured::substitute_request(req, &self.values).map_err(|message| Failure {
            step,
            check: "capture".to_owned(),
            message,
        })
    }

    /// Takes each of `caps` from the response of `ex`; every one that selects nothing
    /// is a failure naming the JSONPath and quoting the body. What was taken is also
    /// kept in `ex.captured` as evidence.
    pub(crate) fn take(
        &mut self,
        step: usize,
        caps: &IndexMap<Located<String>, Path>,
        ex: &mut Exchange,
    ) -> Vec<Failure> {
        let mut failures = Vec::new();
        let fail = |name: &str, message: String| Failure {
            step,
            check: format!("capture {name}"),
            message,
        };
        for (name, path) in caps {
            let Some(resp) = &ex.response else {
                failures.push(fail(
                    &name.value,
                    format!("nothing to capture {path} from: no response came back"),
                ));
                continue;
            };
            let Some(doc) = &resp.json else {
                failures.push(fail(
                    &name.value,
                    format!(
                        "cannot capture {path}: the response body is not JSON: {}",
                        quote(&resp.body)
                    ),
                ));
                continue;
            };
            match path.select(doc) {
                Some(value) if !value.is_null() => {
                    ex.captured.insert(name.value.clone(), value.clone());
                    self.values.insert(name.value.clone(), value);
                }
                found => failures.push(fail(
                    &name.value,
                    format!(
                        "{path} {} in the response body {}",
                        if found.is_some() {
                            "is null"
                        } else {
                            "selects nothing"
                        },
                        quote(&resp.body)
                    ),
                )),
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

fn quote(body: &str) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let mut cut: String = body.chars().take(BODY_CHARS).collect();
    if cut.len() < body.len() {
        cut.push('…');
    }
    cut
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

    fn caps(pairs: &[(&str, &str)]) -> IndexMap<Located<String>, Path> {
        pairs
            .iter()
            .map(|(n, p)| (Located::new((*n).to_owned()), Path::parse(p).unwrap()))
            .collect()
    }

    #[test]
    fn captures_and_substitutes() {
        let mut c = Captured::default();
        let mut ex = exchange(r#"{"id": 7, "name": "box"}"#);
        assert!(c.take(0, &caps(&[("id", "$.id")]), &mut ex).is_empty());
        assert_eq!(ex.captured["id"], serde_json::json!(7));
        let req: Request = serde_saphyr::from_str("{ path: \"/things/${captured.id}\" }").unwrap();
        assert_eq!(c.request(1, &req).unwrap().path.value, "/things/7");
    }

    #[test]
    fn a_capture_that_finds_nothing_names_the_path_and_the_body() {
        let mut c = Captured::default();
        let mut ex = exchange(r#"{"name": "box"}"#);
        let f = c.take(0, &caps(&[("id", "$.id")]), &mut ex);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].check, "capture id");
        assert_eq!(
            f[0].message,
            r#"$.id selects nothing in the response body {"name": "box"}"#
        );
        let mut ex = exchange("created");
        let f = c.take(0, &caps(&[("id", "$.id")]), &mut ex);
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
