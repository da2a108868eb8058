//! Side effects other systems observe, from the requirement's words: a message on a
//! named stream, a named Prometheus counter that must grow, and rows in a named table.
//! Asserted on the success scenario of the operations that make the decision, only when
//! the system map has the matching probe; otherwise reported as a gap.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::context::Ctx;
use crate::link::Link;
use crate::situation::{Class, Situation};

static STREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:stream|topic|queue|channel|subject) `([^`]+)`|`([^`]+)` (?:stream|topic|queue|channel|subject)")
        .expect("a valid pattern")
});
static COUNTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([a-zA-Z_:][a-zA-Z0-9_:]*_total)`").expect("a valid pattern"));
static BY_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bby `([a-z_][a-z0-9_]*)`").expect("a valid pattern"));
static TABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"table `([^`]+)`|`([^`]+)` table").expect("a valid pattern"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z_][a-z0-9_]*$").expect("a valid pattern"));

/// What one requirement's text says other systems will observe.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Effects {
    /// Streams (topics) it publishes to, as written.
    pub streams: Vec<String>,
    /// Prometheus counters (`…_total`) it names.
    pub counters: Vec<String>,
    /// The label counters are split by: "by `decision`".
    pub by: Option<String>,
    /// Tables it names, for a storing requirement.
    pub tables: Vec<String>,
    /// Fields a published message carries: the other identifiers in backticks.
    pub fields: Vec<String>,
}

/// Reads the side effects a requirement's text names.
pub(crate) fn effects(link: &Link) -> Effects {
    let f = &link.facts;
    let text = format!("{} {}", f.condition, f.consequence);
    // The text is lower case; take each name as the requirement wrote it.
    let as_written = |lower: &str| {
        f.quoted
            .iter()
            .find(|q| q.to_lowercase() == lower)
            .cloned()
            .unwrap_or_else(|| lower.to_owned())
    };
    let mut e = Effects::default();
    if f.publishes {
        for c in STREAM.captures_iter(&text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                let s = as_written(m.as_str());
                if !e.streams.contains(&s) {
                    e.streams.push(s);
                }
            }
        }
    }
    for c in COUNTER.captures_iter(&text) {
        let s = as_written(&c[1]);
        if !e.counters.contains(&s) {
            e.counters.push(s);
        }
    }
    e.by = BY_LABEL.captures(&text).map(|c| c[1].to_owned());
    if f.stores {
        for c in TABLE.captures_iter(&text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                e.tables.push(as_written(m.as_str()));
            }
        }
    }
    if !e.streams.is_empty() {
        e.fields = f
            .quoted
            .iter()
            .filter(|q| IDENT.is_match(q))
            .filter(|q| !e.streams.contains(q) && !e.counters.contains(q))
            .cloned()
            .collect();
        e.fields.dedup();
    }
    e
}

/// A duty to store on success: not "store nothing" (a failure's duty), and not "after
/// the decision is stored" in a requirement about publishing or counting.
fn stores_on_success(link: &Link, e: &Effects) -> bool {
    let c = &link.facts.consequence;
    link.facts.stores
        && e.streams.is_empty()
        && e.counters.is_empty()
        && ![
            "store nothing",
            "stores nothing",
            "not store",
            "never store",
            "nothing is stored",
        ]
        .iter()
        .any(|w| c.contains(w))
}

/// Whether the requirement's side effects belong on `index`'s scenarios: the operations
/// it links to that call a dependency make the decision; when none does, every linked
/// operation except the metrics endpoint.
fn belongs(ctx: &Ctx<'_>, link: &Link, index: usize) -> bool {
    if !link.operations.contains(&index) {
        return false;
    }
    let deciding: Vec<usize> = link
        .operations
        .iter()
        .copied()
        .filter(|o| !ctx.uses[*o].is_empty())
        .collect();
    if !deciding.is_empty() {
        return deciding.contains(&index);
    }
    let metrics = ctx.input.map.sut.metrics.as_ref().map(|m| m.get.as_str());
    ctx.input.sut.operations[index].path.as_str() != metrics.unwrap_or("")
}

/// The requirements whose side effects a `sit` scenario of `index` asserts.
pub(crate) fn covering(ctx: &Ctx<'_>, index: usize, sit: &Situation) -> Vec<String> {
    if !matches!(sit, Situation::Success) {
        return Vec::new();
    }
    ctx.links
        .iter()
        .filter(|l| belongs(ctx, l, index))
        .filter(|l| {
            let e = effects(l);
            (!e.streams.is_empty() && ctx.input.map.sut.broker.is_some())
                || (!e.counters.is_empty() && ctx.input.map.sut.metrics.is_some())
        })
        .map(|l| l.id.clone())
        .collect()
}

/// Storing duties get no SQL assertion (which table and which rows cannot be guessed):
/// each is reported once, per requirement, linked or not.
pub(crate) fn store_gaps(ctx: &mut Ctx<'_>) {
    let mut gaps = Vec::new();
    for l in &ctx.links {
        let e = effects(l);
        if !stores_on_success(l, &e) {
            continue;
        }
        let message = if e.tables.is_empty() {
            "speaks of storing but names no table; no SQL assertion is generated (write one by hand, or name the table in backticks)".to_owned()
        } else {
            format!(
                "names the table(s) {}, but not which rows a request writes; no SQL assertion is generated",
                e.tables
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        gaps.push((l.id.clone(), message));
    }
    for (id, message) in gaps {
        ctx.gap(id, message);
    }
}

/// The `messages` and `metrics` assertions of a success scenario of `index`.
pub(crate) fn assertions(
    ctx: &mut Ctx<'_>,
    index: usize,
    sit: &Situation,
    status: Option<u16>,
    notes: &mut Vec<String>,
    id: &str,
) -> (Vec<Value>, Vec<Value>) {
    let mut messages = Vec::new();
    let mut metrics = Vec::new();
    if !matches!(sit, Situation::Success) {
        return (messages, metrics);
    }
    let class = Class::of_status(status.unwrap_or(200));
    let links: Vec<Link> = ctx
        .links
        .iter()
        .filter(|l| belongs(ctx, l, index))
        .cloned()
        .collect();
    let has_broker = ctx.input.map.sut.broker.is_some();
    let has_metrics = ctx.input.map.sut.metrics.is_some();
    for l in &links {
        let e = effects(l);
        for stream in &e.streams {
            if !has_broker {
                ctx.gap(id, format!("{} speaks of publishing to `{stream}`, but crosscheck.yaml names no broker (`sut.broker`); no message assertion is made", l.id));
                continue;
            }
            let mut fields = Map::new();
            for f in &e.fields {
                let listed = ctx
                    .vocab
                    .iter()
                    .find(|(name, _)| name == f)
                    .and_then(|(_, vs)| vs.iter().find(|v| class.names(v)).cloned());
                let v = match listed {
                    Some(v) => json!(v),
                    None => super::expect::field_value(ctx, index, sit, f)
                        .unwrap_or(json!({"exists": true})),
                };
                fields.insert(f.clone(), v);
            }
            let mut m = Map::new();
            m.insert("to".into(), json!(stream));
            if !fields.is_empty() {
                m.insert("match".into(), Value::Object(fields));
            }
            m.insert("within".into(), json!("1s"));
            messages.push(Value::Object(m));
            notes.push(format!(
                "Messages: one on `{stream}` within 1 s with the fields {} names.",
                l.id
            ));
        }
        for counter in &e.counters {
            if !has_metrics {
                ctx.gap(id, format!("{} names the counter `{counter}`, but crosscheck.yaml names no metrics endpoint (`sut.metrics`); no metric assertion is made", l.id));
                continue;
            }
            let mut m = Map::new();
            m.insert("name".into(), json!(counter));
            let label = e.by.as_ref().and_then(|by| {
                ctx.vocab
                    .iter()
                    .find(|(name, _)| name == by)
                    .and_then(|(_, vs)| vs.iter().find(|v| class.names(v)))
                    .map(|v| (by.clone(), v.clone()))
            });
            if let Some((by, v)) = &label {
                let mut labels = Map::new();
                labels.insert(by.clone(), json!(v));
                m.insert("labels".into(), Value::Object(labels));
            }
            m.insert("delta".into(), json!({"not": 0}));
            metrics.push(Value::Object(m));
            notes.push(format!(
                "Metrics: `{counter}`{} grows ({}).",
                label
                    .map(|(b, v)| format!(" with {b}=\"{v}\""))
                    .unwrap_or_default(),
                l.id
            ));
        }
    }
    (messages, metrics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::facts;

    fn link(text: &str) -> Link {
        Link {
            id: "REQ-1".into(),
            operations: vec![0],
            dependencies: Vec::new(),
            dependency_operations: Vec::new(),
            fields: Vec::new(),
            reasons: Vec::new(),
            facts: facts(text),
        }
    }

    #[test]
    fn stream_and_fields_of_a_publishing_requirement() {
        let e = effects(&link(
            "For every decision the Resource API shall publish one access event (`type`, `request_id`, `resource_id`, `decision`, and `user_id` when known) to the stream `access-events`, after the decision is stored.",
        ));
        assert_eq!(e.streams, ["access-events"]);
        assert_eq!(
            e.fields,
            ["type", "request_id", "resource_id", "decision", "user_id"]
        );
        assert!(e.counters.is_empty());
    }

    #[test]
    fn counter_and_label_of_a_counting_requirement() {
        let e = effects(&link(
            "The Resource API shall count every decision in the Prometheus counter `resource_api_decisions_total` by `decision`, and observe every `/validate` call in the histogram `resource_api_auth_call_seconds`, served at `GET /metrics`.",
        ));
        assert_eq!(e.counters, ["resource_api_decisions_total"]);
        assert_eq!(e.by.as_deref(), Some("decision"));
        assert!(e.streams.is_empty());
    }

    #[test]
    fn a_storing_requirement_names_its_table_or_none() {
        let e = effects(&link(
            "Every grant shall be stored in the `access_decisions` table.",
        ));
        assert_eq!(e.tables, ["access_decisions"]);
        let e = effects(&link(
            "Every grant shall be stored in the decision database.",
        ));
        assert!(e.tables.is_empty());
        // A mention of a stream without a publishing verb is not a duty to publish.
        let e = effects(&link("The service shall read the stream `jobs`."));
        assert!(e.streams.is_empty());
    }
}
