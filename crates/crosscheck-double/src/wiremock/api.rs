//! The `/__admin` API: WireMock's routes for mappings, the request journal and resets.
//!
//! | route                                   | does                                        |
//! |-----------------------------------------|---------------------------------------------|
//! | `GET /__admin/mappings`                 | `{"mappings": [...], "meta": {"total": n}}` |
//! | `POST /__admin/mappings`                | create; 201 with the mapping and its `id`   |
//! | `DELETE /__admin/mappings`              | remove every mapping                        |
//! | `POST /__admin/mappings/reset`          | back to the mappings read at start          |
//! | `GET/PUT/DELETE /__admin/mappings/{id}` | one mapping; 404 when unknown               |
//! | `GET /__admin/requests`                 | the journal, newest first                   |
//! | `DELETE /__admin/requests`, `POST /__admin/requests/reset` | clear the journal        |
//! | `POST /__admin/requests/count`          | `{"count": n}` for a request pattern        |
//! | `POST /__admin/requests/find`           | `{"requests": [...]}` for a request pattern |
//! | `GET /__admin/requests/unmatched`       | requests no mapping or stub answered        |
//! | `GET /__admin/requests/unmatched/near-misses` | the nearest mappings and what differed |
//! | `GET /__admin/scenarios`, `POST /__admin/scenarios/reset` | scenario states           |
//! | `POST /__admin/reset`                   | mappings, journal and scenarios back to start |
//!
//! Malformed JSON, unknown keys and bad matchers get a 400 whose `errors[0].title` says why.

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::mapping::{self, Mapping};
use super::matching::differences;
use super::store::Store;
use crate::journal::Journal;
use crate::record::{Outcome, RecordedRequest};
use crate::reply::Rendered;

/// What an admin call may read and change.
#[derive(Debug)]
pub(crate) struct View<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) journal: &'a mut Journal,
    /// `http://127.0.0.1:PORT`, for `absoluteUrl`.
    pub(crate) base: &'a str,
}

fn ok(v: &Value) -> Rendered {
    Rendered::json(StatusCode::OK, v)
}

fn bad(reason: &str) -> Rendered {
    Rendered::json(
        StatusCode::BAD_REQUEST,
        &json!({ "errors": [{ "code": 10, "title": reason }] }),
    )
}

fn not_found(what: &str) -> Rendered {
    Rendered::json(
        StatusCode::NOT_FOUND,
        &json!({ "errors": [{ "code": 404, "title": what }] }),
    )
}

fn body_json(body: &[u8]) -> Result<Value, Rendered> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("the request body is empty; send a JSON object"));
    }
    serde_json::from_slice(body)
        .map_err(|e| bad(&format!("the request body is not valid JSON: {e}")))
}

/// Answers one admin call (`path` starts with `/__admin`).
pub(crate) fn handle(view: &mut View<'_>, method: &str, path: &str, body: &[u8]) -> Rendered {
    let rest = path.trim_start_matches("/__admin").trim_end_matches('/');
    let parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match (method, parts.as_slice()) {
        ("GET", ["mappings"]) => {
            let list: Vec<Value> = view.store.all().map(|m| m.source.clone()).collect();
            ok(&json!({ "mappings": list, "meta": { "total": list.len() } }))
        }
        ("POST", ["mappings"]) => {
            match body_json(body).and_then(|v| mapping::parse(&v).map_err(|e| bad(&e))) {
                Ok(m) => {
                    let source = m.source.clone();
                    view.store.add(m);
                    Rendered::json(StatusCode::CREATED, &source)
                }
                Err(r) => r,
            }
        }
        ("DELETE", ["mappings"]) => {
            view.store.remove_all();
            ok(&json!({}))
        }
        ("POST", ["mappings", "reset"]) => {
            view.store.reset();
            ok(&json!({}))
        }
        ("GET", ["mappings", id]) => match view.store.get(id) {
            Some(m) => ok(&m.source),
            None => not_found(&format!("no mapping with id {id}")),
        },
        ("PUT", ["mappings", id]) => {
            let parsed = body_json(body).and_then(|mut v| {
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("id".to_owned(), Value::String((*id).to_owned()));
                    obj.remove("uuid");
                }
                mapping::parse(&v).map_err(|e| bad(&e))
            });
            match parsed {
                Ok(m) => {
                    let source = m.source.clone();
                    if view.store.replace(m) {
                        ok(&source)
                    } else {
                        not_found(&format!("no mapping with id {id}"))
                    }
                }
                Err(r) => r,
            }
        }
        ("DELETE", ["mappings", id]) => {
            if view.store.remove(id) {
                ok(&json!({}))
            } else {
                not_found(&format!("no mapping with id {id}"))
            }
        }
        ("GET", ["requests"]) => {
            let all = view.journal.snapshot();
            let first = view.journal.dropped();
            let events: Vec<Value> = all
                .iter()
                .enumerate()
                .rev()
                .map(|(i, r)| serve_event(r, first + i as u64, view.base))
                .collect();
            ok(
                &json!({ "requests": events, "meta": { "total": events.len() }, "requestJournalDisabled": false }),
            )
        }
        ("DELETE", ["requests"]) | ("POST", ["requests", "reset"]) => {
            view.journal.clear();
            ok(&json!({}))
        }
        ("POST", ["requests", kind @ ("count" | "find")]) => {
            let spec = match body_json(body).and_then(|v| mapping::request(&v).map_err(|e| bad(&e)))
            {
                Ok(s) => s,
                Err(r) => return r,
            };
            let found: Vec<RecordedRequest> = view
                .journal
                .snapshot()
                .into_iter()
                .filter(|r| differences(&spec, r).is_empty())
                .collect();
            if *kind == "count" {
                ok(&json!({ "count": found.len() }))
            } else {
                let list: Vec<Value> = found.iter().map(|r| logged(r, view.base)).collect();
                ok(&json!({ "requests": list }))
            }
        }
        ("GET", ["requests", "unmatched"]) => {
            let list: Vec<Value> = unmatched(view.journal)
                .iter()
                .map(|r| logged(r, view.base))
                .collect();
            ok(&json!({ "requests": list }))
        }
        ("GET", ["requests", "unmatched", "near-misses"]) => {
            let mut misses = Vec::new();
            for r in unmatched(view.journal) {
                for (i, diffs) in view.store.near_misses(&r) {
                    let m: &Mapping = view.store.mapping(i);
                    misses.push(json!({
                        "request": logged(&r, view.base),
                        "stubMapping": m.source,
                        "matchResult": { "distance": diffs.len() },
                        "differences": diffs,
                    }));
                }
            }
            ok(&json!({ "nearMisses": misses }))
        }
        ("GET", ["scenarios"]) => {
            let list: Vec<Value> = view
                .store
                .scenarios()
                .into_iter()
                .map(|(name, state)| json!({ "id": name, "name": name, "state": state }))
                .collect();
            ok(&json!({ "scenarios": list }))
        }
        ("POST", ["scenarios", "reset"]) => {
            view.store.reset_scenarios();
            ok(&json!({}))
        }
        ("POST", ["reset"]) => {
            view.store.reset();
            view.journal.clear();
            ok(&json!({}))
        }
        ("GET", ["health"]) => ok(&json!({ "status": "healthy" })),
        _ => not_found(&format!(
            "no admin route {method} {path}; see the table in crosscheck's mock documentation"
        )),
    }
}

fn unmatched(journal: &Journal) -> Vec<RecordedRequest> {
    journal
        .snapshot()
        .into_iter()
        .filter(|r| r.outcome == Outcome::Unmatched)
        .collect()
}

/// A journal entry as WireMock's `LoggedRequest`.
fn logged(r: &RecordedRequest, base: &str) -> Value {
    let mut headers = Map::new();
    for (n, v) in &r.headers {
        headers
            .entry(n.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    let mut query = Map::new();
    for (k, v) in &r.query {
        let entry = query
            .entry(k.clone())
            .or_insert_with(|| json!({ "key": k, "values": [] }));
        if let Some(values) = entry.get_mut("values").and_then(Value::as_array_mut) {
            values.push(Value::String(v.clone()));
        }
    }
    let cookies: Map<String, Value> = crate::openapi::cookies(r.header("cookie"))
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    json!({
        "url": r.url,
        "absoluteUrl": format!("{base}{}", r.url),
        "method": r.method,
        "headers": headers,
        "cookies": cookies,
        "queryParams": query,
        "body": r.body,
        "loggedDate": r.at_ms,
    })
}

fn serve_event(r: &RecordedRequest, seq: u64, base: &str) -> Value {
    let status = match &r.outcome {
        Outcome::Replied { status } => Some(*status),
        Outcome::Fault { status, .. } => *status,
        Outcome::Unmatched => Some(404),
    };
    let mut response = json!({ "status": status });
    if let Outcome::Fault { fault, .. } = &r.outcome {
        response["fault"] = Value::String(fault.clone());
    }
    json!({
        "id": uuid::Uuid::from_u128(u128::from(seq)).to_string(),
        "request": logged(r, base),
        "responseDefinition": response,
        "wasMatched": r.outcome != Outcome::Unmatched,
        "note": r.note,
    })
}
