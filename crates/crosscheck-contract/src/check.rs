//! Does a response conform to the contract? Status, content type, body schema.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

use crate::model::{Contract, Operation, ResponseSpec};
use crate::schema::standalone;
use crate::sequence::Sequence;

/// At most this many schema violations are listed for one body; the rest are counted.
const MAX_SCHEMA_VIOLATIONS: usize = 20;

/// A validation message longer than this shows "the value" instead of the value.
const MAX_MESSAGE: usize = 200;

/// One way a response differs from its contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What is wrong, readable on its own.
    pub message: String,
    /// A JSON pointer into the body (`/items/0/id`); empty for the response as a whole.
    pub pointer: String,
}

impl Violation {
    fn whole(message: String) -> Self {
        Violation {
            message,
            pointer: String::new(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.pointer, self.message)
        }
    }
}

type Compiled = Result<jsonschema::Validator, String>;

/// A schema of an operation: response and media indexes, and whether it is the
/// `itemSchema`.
type Slot3 = (usize, usize, bool);

/// Where a response schema sits: operation, response and media indexes, and whether it
/// is the media type's 3.2 `itemSchema`.
type Slot = (usize, usize, usize, bool);

/// Validators compiled on first use, shared by every thread that checks responses.
#[derive(Default)]
pub(crate) struct ValidatorCache {
    compiled: RwLock<HashMap<Slot, Arc<Compiled>>>,
    /// The same validators by schema text: most response schemas are one `$ref` repeated
    /// across media types and operations (Kubernetes: 7,516 slots, far fewer schemas), and
    /// each is compiled once.
    by_schema: RwLock<HashMap<String, Arc<Compiled>>>,
}

impl Clone for ValidatorCache {
    /// A clone starts empty: the clone's operations may be changed independently.
    fn clone(&self) -> Self {
        ValidatorCache::default()
    }
}

impl fmt::Debug for ValidatorCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.compiled.read().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("ValidatorCache")
            .field("compiled", &n)
            .finish()
    }
}

fn compile(schema: &Value, definitions: &Map<String, Value>) -> Compiled {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&standalone(schema, definitions))
        .map_err(|e| e.to_string())
}

/// `application/json; charset=utf-8` → `application/json`.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// The documented media type that best fits `actual`: exact, then `type/*`, then `*/*`.
fn best_media(media: &[(String, Option<Value>)], actual: &str) -> Option<usize> {
    let main = actual.split('/').next().unwrap_or("");
    let rank = |documented: &str| {
        let d = essence(documented);
        if d == actual {
            Some(3)
        } else if d.strip_suffix("/*") == Some(main) {
            Some(2)
        } else if d == "*/*" {
            Some(1)
        } else {
            None
        }
    };
    media
        .iter()
        .enumerate()
        .filter_map(|(i, (m, _))| rank(m).map(|r| (r, i)))
        .max_by_key(|&(r, i)| (r, std::cmp::Reverse(i)))
        .map(|(_, i)| i)
}

fn documented_media(spec: &ResponseSpec) -> String {
    spec.media
        .iter()
        .map(|(m, _)| m.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn readable(e: &jsonschema::ValidationError<'_>) -> String {
    let full = e.to_string();
    if full.chars().count() <= MAX_MESSAGE {
        return full;
    }
    let masked = e.masked_with("the value").to_string();
    if masked.chars().count() <= MAX_MESSAGE {
        return masked;
    }
    let cut: String = masked.chars().take(MAX_MESSAGE).collect();
    format!("{cut}…")
}

/// Appends `instance`'s violations of `validator` to `out`, pointers prefixed with
/// `prefix`, at most [`MAX_SCHEMA_VIOLATIONS`] in all.
fn schema_violations(
    validator: &jsonschema::Validator,
    instance: &Value,
    prefix: &str,
    out: &mut Vec<Violation>,
) {
    let mut extra = 0usize;
    for e in validator.iter_errors(instance) {
        if out.len() < MAX_SCHEMA_VIOLATIONS {
            out.push(Violation {
                message: readable(&e),
                pointer: format!("{prefix}{}", e.instance_path().as_str()),
            });
        } else {
            extra += 1;
        }
    }
    if extra > 0 {
        out.push(Violation::whole(format!(
            "and {extra} more schema violations"
        )));
    }
}

impl Contract {
    /// Checks one response to `op` (an operation of this contract, e.g. from
    /// [`Contract::find_operation`]) against what the contract documents: the status
    /// must be documented (exact code, `NXX` range or `default`); a body must have a
    /// documented content type; a JSON body must parse and satisfy the schema; a
    /// response documented without content must have no body; a sequential body (JSON
    /// Lines, NDJSON, JSON text sequences, server-sent events) is checked item by item
    /// against the media type's 3.2 `itemSchema`, and as an array against its `schema`.
    /// Returns nothing when the response conforms.
    ///
    /// Validators are compiled once per response schema and cached in the contract, so
    /// checking is cheap after the first call and safe from many threads.
    pub fn check_response(
        &self,
        op: &Operation,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<Violation> {
        let label = op.label();
        let Some(ri) = op.response_index(status) else {
            let documented = if op.responses.is_empty() {
                "none".to_owned()
            } else {
                op.documented_statuses()
            };
            return vec![Violation::whole(format!(
                "status {status} is not documented for {label} (documented: {documented})"
            ))];
        };
        let spec = &op.responses[ri];
        let mut out = Vec::new();
        if spec.media.is_empty() {
            if !body.is_empty() {
                out.push(Violation::whole(format!(
                    "status {status} of {label} is documented without content, but the response has a {}-byte body",
                    body.len()
                )));
            }
            return out;
        }
        let actual = content_type.map(essence).filter(|c| !c.is_empty());
        let mi = match &actual {
            Some(ct) => match best_media(&spec.media, ct) {
                Some(i) => i,
                None => {
                    out.push(Violation::whole(format!(
                        "content type `{ct}` is not documented for status {status} of {label} (documented: {})",
                        documented_media(spec)
                    )));
                    return out;
                }
            },
            None if body.is_empty() => {
                if spec.media.iter().any(|(_, s)| s.is_some()) {
                    out.push(Violation::whole(format!(
                        "the body is empty, but status {status} of {label} documents a body ({})",
                        documented_media(spec)
                    )));
                }
                return out;
            }
            None => {
                out.push(Violation::whole(format!(
                    "the response has a body but no Content-Type header (documented for status {status} of {label}: {})",
                    documented_media(spec)
                )));
                if spec.media.len() != 1 {
                    return out;
                }
                0
            }
        };
        let (media_type, schema) = &spec.media[mi];
        let sequence = actual
            .as_deref()
            .and_then(Sequence::of)
            .or_else(|| Sequence::of(&essence(media_type)));
        if let Some(sequence) = sequence {
            self.check_sequence(op, (ri, mi), sequence, body, &mut out);
            return out;
        }
        let json = match &actual {
            Some(ct) => is_json(ct),
            None => is_json(&essence(media_type)),
        };
        if !json {
            return out;
        }
        if body.is_empty() {
            if schema.is_some() {
                out.push(Violation::whole(format!(
                    "the body is empty, but status {status} of {label} documents a `{media_type}` body"
                )));
            }
            return out;
        }
        let instance: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                out.push(Violation::whole(format!("the body is not valid JSON: {e}")));
                return out;
            }
        };
        let Some(schema) = schema else {
            return out;
        };
        let compiled = self.validator(op, (ri, mi, false), schema);
        match &*compiled {
            Err(e) => out.push(Violation::whole(format!(
                "the contract's schema for status {status} of {label} (`{media_type}`) cannot be compiled: {e}; fix the contract"
            ))),
            Ok(validator) => schema_violations(validator, &instance, "", &mut out),
        }
        out
    }

    /// A sequential body (3.2): each item against the media type's `itemSchema`, and
    /// the items as one array against its `schema`.
    fn check_sequence(
        &self,
        op: &Operation,
        (ri, mi): (usize, usize),
        sequence: Sequence,
        body: &[u8],
        out: &mut Vec<Violation>,
    ) {
        let spec = &op.responses[ri];
        let (media_type, schema) = &spec.media[mi];
        let items = match sequence.items(body) {
            Ok(items) => items,
            Err(e) => {
                out.push(Violation::whole(format!(
                    "the `{media_type}` body cannot be read item by item: {e}"
                )));
                return;
            }
        };
        let cannot = |e: &str, what: &str| {
            Violation::whole(format!(
                "the contract's {what} for status {} of {} (`{media_type}`) cannot be compiled: {e}; fix the contract",
                spec.status,
                op.label()
            ))
        };
        if let Some((_, item_schema)) = spec.item_schemas.iter().find(|(m, _)| m == media_type) {
            match &*self.validator(op, (ri, mi, true), item_schema) {
                Err(e) => out.push(cannot(e, "`itemSchema`")),
                Ok(validator) => {
                    for (i, item) in items.iter().enumerate() {
                        schema_violations(validator, item, &format!("/{i}"), out);
                    }
                }
            }
        }
        if let Some(schema) = schema {
            match &*self.validator(op, (ri, mi, false), schema) {
                Err(e) => out.push(cannot(e, "schema")),
                Ok(validator) => schema_violations(validator, &Value::Array(items), "", out),
            }
        }
    }

    /// Compiles every response schema (and 3.2 `itemSchema`) now, returning those that do not compile as
    /// `(operation, status, media type, error)`. For `crosscheck validate`; checking
    /// compiles lazily anyway.
    pub fn compile_all(&self) -> Vec<(String, String, String, String)> {
        let mut bad = Vec::new();
        for op in &self.operations {
            for (ri, spec) in op.responses.iter().enumerate() {
                for (mi, (media, schema)) in spec.media.iter().enumerate() {
                    if let Some(schema) = schema
                        && let Err(e) = &*self.validator(op, (ri, mi, false), schema)
                    {
                        bad.push((
                            op.label(),
                            spec.status.to_string(),
                            media.clone(),
                            e.clone(),
                        ));
                    }
                }
                for (media, item) in &spec.item_schemas {
                    let Some(mi) = spec.media.iter().position(|(m, _)| m == media) else {
                        continue;
                    };
                    if let Err(e) = &*self.validator(op, (ri, mi, true), item) {
                        bad.push((
                            op.label(),
                            spec.status.to_string(),
                            format!("{media} (itemSchema)"),
                            e.clone(),
                        ));
                    }
                }
            }
        }
        bad
    }

    /// The index of `op` in `operations`: by address when it is borrowed from there,
    /// else by equality (a clone).
    fn index_of(&self, op: &Operation) -> Option<usize> {
        let size = size_of::<Operation>();
        let base = self.operations.as_ptr() as usize;
        let addr = std::ptr::from_ref(op) as usize;
        if size > 0 && addr >= base && (addr - base).is_multiple_of(size) {
            let i = (addr - base) / size;
            if self.operations.get(i).is_some_and(|o| std::ptr::eq(o, op)) {
                return Some(i);
            }
        }
        self.operations.iter().position(|o| o == op)
    }

    fn validator(&self, op: &Operation, (ri, mi, item): Slot3, schema: &Value) -> Arc<Compiled> {
        let Some(oi) = self.index_of(op) else {
            tracing::debug!(operation = %op.label(), "operation is not from this contract; compiling without cache");
            return Arc::new(compile(schema, &self.schema_definitions));
        };
        let slot = (oi, ri, mi, item);
        if let Some(hit) = self
            .validators
            .compiled
            .read()
            .ok()
            .and_then(|m| m.get(&slot).cloned())
        {
            return hit;
        }
        let key = schema.to_string();
        let shared = self
            .validators
            .by_schema
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        let fresh = match shared {
            Some(v) => v,
            None => {
                let v = Arc::new(compile(schema, &self.schema_definitions));
                if let Ok(mut m) = self.validators.by_schema.write() {
                    m.entry(key).or_insert_with(|| v.clone());
                }
                v
            }
        };
        match self.validators.compiled.write() {
            Ok(mut m) => m.entry(slot).or_insert(fresh).clone(),
            Err(_) => fresh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            essence(" Application/JSON ; charset=utf-8"),
            "application/json"
        );
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/html"));
        let media = vec![
            ("*/*".to_owned(), None),
            ("text/*".to_owned(), None),
            ("application/json; charset=utf-8".to_owned(), None),
        ];
        assert_eq!(best_media(&media, "application/json"), Some(2));
        assert_eq!(best_media(&media, "text/plain"), Some(1));
        assert_eq!(best_media(&media, "image/png"), Some(0));
        assert_eq!(best_media(&media[2..], "text/html"), None);
    }

    #[test]
    fn sequential_bodies_are_checked_item_by_item() {
        let c = crate::parse(
            "logs.yaml",
            r#"
openapi: 3.2.0
info: { title: logs, version: "1" }
paths:
  /logs:
    get:
      responses:
        "200":
          description: a stream of log entries
          content:
            application/jsonl:
              itemSchema:
                type: object
                required: [level]
                properties: { level: { type: integer, minimum: 0 } }
              schema: { type: array, maxItems: 2 }
            text/event-stream:
              itemSchema:
                type: object
                required: [event]
                properties: { event: { enum: [tick] }, retry: { type: integer } }
"#,
        )
        .unwrap();
        let op = &c.operations[0];
        let check = |ct: &str, body: &str| c.check_response(op, 200, Some(ct), body.as_bytes());
        assert!(check("application/jsonl", "{\"level\":1}\n{\"level\":2}\n").is_empty());
        let v = check("application/jsonl", "{\"level\":1}\n{\"level\":-1}\n");
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].pointer, "/1/level");
        let v = check(
            "application/jsonl",
            "{\"level\":1}\n{\"level\":2}\n{\"level\":3}\n",
        );
        assert!(
            v[0].message.contains("more than 2 items") || v[0].message.contains("has more"),
            "{v:?}"
        );
        let v = check("application/jsonl", "{\"level\":1}\nnot json\n");
        assert!(
            v[0].message.starts_with(
                "the `application/jsonl` body cannot be read item by item: line 2 is not valid JSON"
            ),
            "{v:?}"
        );
        assert!(check("text/event-stream", "event: tick\ndata: 1\nretry: 5\n\n").is_empty());
        let v = check(
            "text/event-stream",
            "event: tick\ndata: 1\n\nevent: tock\ndata: 2\n\n",
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].pointer, "/1/event");
        assert!(c.compile_all().is_empty());
    }
}
