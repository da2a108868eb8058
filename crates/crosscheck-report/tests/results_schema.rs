//! `schemas/results.schema.json` is a valid draft 2020-12 schema held to the same rules
//! as the other schemas (every property described, every object closed), and results
//! written by this crate validate against it. Real runs' results are checked against it
//! by the binary's end-to-end tests (`crates/crosscheck/tests/reports.rs`).

use std::path::Path;

use serde_json::Value;

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/results.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_schema_is_valid_and_every_object_is_closed_and_described() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["$id"],
        "https://crosscheck.dev/schemas/v1/results.schema.json"
    );
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    fn walk(at: &str, v: &Value, problems: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    if map.get("additionalProperties") != Some(&Value::Bool(false)) {
                        problems.push(format!("{at}: `additionalProperties: false` missing"));
                    }
                    for (name, prop) in props {
                        if !prop.get("description").is_some_and(Value::is_string) {
                            problems.push(format!("{at}/properties/{name}: no description"));
                        }
                    }
                }
                for (k, child) in map {
                    walk(&format!("{at}/{k}"), child, problems);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(&format!("{at}/{i}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    walk("#", &schema, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_schema_rejects_what_the_reader_rejects() {
    let validator = jsonschema::draft202012::new(&schema()).unwrap();
    let good = serde_json::json!({
        "format": "crosscheck-results/1", "tool": "crosscheck 0.1.0", "sut": "api",
        "runs": [{ "id": "1", "started_at": "2026-11-25T00:00:00.000Z", "state": "finished",
                   "suite_scenarios": 1, "selected": 1 }],
        "summary": { "passed": 1, "failed": 0, "errored": 0, "skipped": 0,
                     "duration_ms": 1.5, "sut_ready_ms": 1.0 },
        "requirements": [], "operations": [], "dependencies": [],
        "scenarios": [{ "id": "s", "file": "s.yaml", "line": 1, "covers": [], "kind": "positive",
                        "origin": "hand", "status": "passed", "failures": [], "staged": [],
                        "evidence": { "exchanges": [], "doubles": {}, "log_lines": [] },
                        "duration_ms": 1.0 }]
    });
    assert!(validator.is_valid(&good));
    let text = good.to_string();
    crosscheck_report::Results::parse(Path::new("good.json"), &text).expect("the reader agrees");
    for (what, bad) in [
        ("an unknown key", text.replace("\"tool\"", "\"tolo\"")),
        (
            "a bad status",
            text.replace("\"status\":\"passed\"", "\"status\":\"ok\""),
        ),
        ("a bad state", text.replace("\"finished\"", "\"done\"")),
    ] {
        let doc: Value = serde_json::from_str(&bad).unwrap();
        assert!(!validator.is_valid(&doc), "the schema accepts {what}");
        assert!(
            crosscheck_report::Results::parse(Path::new("bad.json"), &bad).is_err(),
            "the reader accepts {what}"
        );
    }
}
