//! The JSON Schemas under `schemas/` (draft 2020-12), held to two standards:
//!
//! - every example suite under `examples/` validates, and the Rust parser reads the same
//!   files, so schema and parser agree on the real files;
//! - tables of small documents that schema and parser must both accept or both reject.
//!
//! Where the two cannot agree, the difference is written down in a table of its own and
//! asserted, so that a change on either side shows up here. No network: every schema is
//! self-contained.

use std::fs;
use std::path::{Path, PathBuf};

use crosscheck_model::parse;
use jsonschema::Validator;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// Plumbing

/// The three formats, each with its schema file and its Rust parser.
#[derive(Clone, Copy, Debug)]
enum Format {
    SystemMap,
    Scenario,
    Requirements,
}

impl Format {
    const ALL: [Format; 3] = [Format::SystemMap, Format::Scenario, Format::Requirements];

    fn schema_file(self) -> &'static str {
        match self {
            Format::SystemMap => "crosscheck.schema.json",
            Format::Scenario => "scenario.schema.json",
            Format::Requirements => "requirements.schema.json",
        }
    }

    /// The Rust parser's verdict on one document.
    fn parse(self, yaml: &str) -> Result<(), String> {
        match self {
            Format::SystemMap => parse::system_map("crosscheck.yaml", yaml).map(drop),
            Format::Scenario => parse::scenarios("case.yaml", yaml).map(|s| {
                assert_eq!(s.len(), 1, "a case is one scenario document:\n{yaml}");
            }),
            Format::Requirements => parse::requirements("requirements.yaml", yaml).map(drop),
        }
        .map_err(|d| d.message)
    }

    /// The schema's verdict on one document, loaded from YAML as plain JSON.
    fn check(self, validator: &Validator, yaml: &str) -> Result<(), String> {
        let doc: Value =
            serde_saphyr::from_str(yaml).map_err(|e| format!("not loadable as YAML: {e}"))?;
        schema_verdict(validator, &doc)
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path as shown in messages: relative to the repository.
fn display(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn load_schema(format: Format) -> Value {
    let path = repo_root().join("schemas").join(format.schema_file());
    serde_json::from_str(&read(&path))
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn validator(format: Format) -> Validator {
    jsonschema::draft202012::new(&load_schema(format))
        .unwrap_or_else(|e| panic!("{} does not compile: {e}", format.schema_file()))
}

/// `Ok` when `doc` is valid, or every error with the place it points at.
fn schema_verdict(validator: &Validator, doc: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("at `{}`: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The `.yaml`/`.yml` files directly in `dir`, sorted.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    files
}

/// The example suites: every folder under `examples/` with a `crosscheck.yaml`.
fn example_suites() -> Vec<PathBuf> {
    let examples = repo_root().join("examples");
    let mut suites: Vec<PathBuf> = fs::read_dir(&examples)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", examples.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.join("crosscheck.yaml").is_file())
        .collect();
    suites.sort();
    assert!(
        !suites.is_empty(),
        "no example suite (a folder with crosscheck.yaml) under {}",
        examples.display()
    );
    suites
}

/// Runs a table of `(name, yaml, expect_ok)` through the schema and the parser; both must
/// give the expected verdict. Reports every disagreement at once.
fn assert_table(format: Format, cases: &[(&str, &str, bool)]) {
    let validator = validator(format);
    let mut wrong = Vec::new();
    for &(name, yaml, expect_ok) in cases {
        let want = if expect_ok { "accept" } else { "reject" };
        for (who, verdict) in [
            ("schema", format.check(&validator, yaml)),
            ("parser", format.parse(yaml)),
        ] {
            match verdict {
                Ok(()) if !expect_ok => wrong.push(format!(
                    "{name}: the {who} accepts it but should {want}:\n{yaml}"
                )),
                Err(e) if expect_ok => wrong.push(format!(
                    "{name}: the {who} rejects it but should {want}: {e}\n{yaml}"
                )),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "\n\n{}\n", wrong.join("\n\n"));
}

/// The side of a known difference that rejects the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stricter {
    Schema,
    Parser,
}

/// Runs a table of known differences `(name, yaml, why)`: the `stricter` side must reject
/// the document and the other side accept it.
fn assert_differences(format: Format, stricter: Stricter, cases: &[(&str, &str, &str)]) {
    let validator = validator(format);
    let mut wrong = Vec::new();
    for &(name, yaml, why) in cases {
        let schema = format.check(&validator, yaml);
        let parser = format.parse(yaml);
        let (strict, loose) = if stricter == Stricter::Schema {
            (schema, parser)
        } else {
            (parser, schema)
        };
        if strict.is_ok() || loose.is_err() {
            wrong.push(format!(
                "{name} ({why}): expected only the {stricter:?} to reject it; now the schema says {:?} and the parser {:?}. \
                 If the two agree now, move the case to the table of agreements.\n{yaml}",
                format.check(&validator, yaml),
                format.parse(yaml),
            ));
        }
    }
    assert!(wrong.is_empty(), "\n\n{}\n", wrong.join("\n\n"));
}

// ---------------------------------------------------------------------------------------
// 1. The schemas themselves

#[test]
fn every_schema_is_valid_draft_2020_12_and_compiles() {
    for format in Format::ALL {
        let schema = load_schema(format);
        let file = format.schema_file();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{file}: $schema"
        );
        assert_eq!(
            schema["$id"],
            format!("https://crosscheck.dev/schemas/v1/{file}"),
            "{file}: $id"
        );
        assert!(schema["title"].is_string(), "{file}: no title");
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!(
                "{file} is not a valid draft 2020-12 schema: {e} at {}",
                e.instance_path()
            );
        }
        validator(format);
    }
}

/// Users read the descriptions in their editor, and unknown keys are errors everywhere
/// (every struct is `deny_unknown_fields`): every object with `properties` closes itself
/// and describes every property; every `$defs` entry is described; every `$ref` points
/// into the same file.
#[test]
fn every_property_is_described_and_every_object_is_closed() {
    fn walk(file: &str, at: &str, v: &Value, problems: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    if map.get("additionalProperties") != Some(&Value::Bool(false)) {
                        problems.push(format!(
                            "{file} {at}: `additionalProperties: false` missing"
                        ));
                    }
                    for (name, prop) in props {
                        if !prop.get("description").is_some_and(Value::is_string) {
                            problems.push(format!("{file} {at}/properties/{name}: no description"));
                        }
                    }
                }
                if let Some(Value::Object(defs)) = map.get("$defs") {
                    for (name, def) in defs {
                        if !def.get("description").is_some_and(Value::is_string) {
                            problems.push(format!("{file} {at}/$defs/{name}: no description"));
                        }
                    }
                }
                if let Some(Value::String(target)) = map.get("$ref")
                    && !target.starts_with("#/$defs/")
                {
                    problems.push(format!("{file} {at}: `$ref: {target}` leaves the file"));
                }
                for (k, child) in map {
                    walk(file, &format!("{at}/{k}"), child, problems);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(file, &format!("{at}/{i}"), child, problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    for format in Format::ALL {
        walk(
            format.schema_file(),
            "#",
            &load_schema(format),
            &mut problems,
        );
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// 2. The real files

#[test]
fn every_example_validates_and_parses() {
    let map_schema = validator(Format::SystemMap);
    let scenario_schema = validator(Format::Scenario);
    let requirements_schema = validator(Format::Requirements);
    let mut problems = Vec::new();
    let mut scenario_files = 0;
    let mut scenario_docs = 0;

    for suite in example_suites() {
        let map_path = suite.join("crosscheck.yaml");
        let text = read(&map_path);
        let shown = display(&map_path);
        let doc: Value = serde_saphyr::from_str(&text).expect("the system map loads as YAML");
        if let Err(e) = schema_verdict(&map_schema, &doc) {
            problems.push(format!("{shown}: the schema rejects it: {e}"));
        }
        let map = match parse::system_map(&shown, &text) {
            Ok(map) => map,
            Err(d) => {
                problems.push(format!("{shown}: the parser rejects it: {}", d.message));
                continue;
            }
        };

        // The scenarios the map points at: a folder of YAML files, or one file.
        let scenarios = suite.join(&map.scenarios);
        let files = if scenarios.is_dir() {
            yaml_files(&scenarios)
        } else {
            vec![scenarios]
        };
        for file in files {
            scenario_files += 1;
            let text = read(&file);
            let shown = display(&file);
            let docs = serde_saphyr::from_multiple::<Value>(&text)
                .unwrap_or_else(|e| panic!("{shown} does not load as YAML: {e}"));
            for (i, doc) in docs.iter().enumerate() {
                scenario_docs += 1;
                if let Err(e) = schema_verdict(&scenario_schema, doc) {
                    problems.push(format!(
                        "{shown}, document {} (id {}): the schema rejects it: {e}",
                        i + 1,
                        doc["id"]
                    ));
                }
            }
            match parse::scenarios(&shown, &text) {
                Ok(parsed) => {
                    let ids: Vec<&str> = parsed.iter().map(|s| s.id.value.as_str()).collect();
                    let doc_ids: Vec<&str> = docs.iter().filter_map(|d| d["id"].as_str()).collect();
                    if ids != doc_ids {
                        problems.push(format!(
                            "{shown}: the parser reads scenarios {ids:?}, the schema test saw {doc_ids:?}"
                        ));
                    }
                }
                Err(d) => problems.push(format!(
                    "{shown}:{}: the parser rejects it: {}",
                    d.line, d.message
                )),
            }
        }

        // A YAML requirements file, when the suite has one (Markdown has no schema).
        let requirements = suite.join(&map.requirements);
        if map.requirements.ends_with(".yaml") || map.requirements.ends_with(".yml") {
            let text = read(&requirements);
            let shown = display(&requirements);
            let doc: Value = serde_saphyr::from_str(&text).expect("requirements load as YAML");
            if let Err(e) = schema_verdict(&requirements_schema, &doc) {
                problems.push(format!("{shown}: the schema rejects it: {e}"));
            }
            if let Err(d) = parse::requirements(&shown, &text) {
                problems.push(format!("{shown}: the parser rejects it: {}", d.message));
            }
        }
    }

    assert!(problems.is_empty(), "\n\n{}\n", problems.join("\n\n"));
    assert!(scenario_files > 0, "no scenario file found in the examples");
    assert!(scenario_docs > 0, "no scenario found in the examples");
}

// ---------------------------------------------------------------------------------------
// 3. Schema against parser, case by case

/// The scenario from DESIGN.md, in block style.
const DESIGN_SCENARIO: &str = r#"
id: valid-token-grants-access
covers: [REQ-INT-201]
kind: positive
given:
  auth:
    - on: { method: GET, path: /validate }
      reply: { status: 200, json: { valid: true, user_id: user-123 } }
when:
  method: GET
  path: /resources/42
  headers: { Authorization: Bearer valid-token-abc }
then:
  status: 200
  json: { "$.access": granted }
  conforms: true
  calls: { auth: [ { method: GET, path: /validate, times: 1 } ] }
  logs:
    - match: { user_id: user-123, timestamp: { format: date-time } }
      within: 1s
"#;

#[rustfmt::skip]
const SCENARIO_CASES: &[(&str, &str, bool)] = &[
    // Accepted by both.
    ("the DESIGN.md example", DESIGN_SCENARIO, true),
    ("the smallest scenario", "{ id: x, kind: positive, when: { path: /a } }", true),
    ("fault {delay: 2s}", "{ id: x, kind: fault, given: { auth: [ { on: { path: /v }, fault: { delay: 2s }, reply: { status: 200 } } ] }, when: { path: /a } }", true),
    ("every fault word", "{ id: x, kind: fault, given: { auth: [ { fault: timeout }, { fault: reset }, { fault: empty }, { fault: malformed }, { fault: truncate } ] }, when: { path: /a } }", true),
    ("the steps form", "{ id: x, kind: consistency, steps: [ { when: { method: POST, path: /items, json: { n: 1 } }, then: { status: 201 } }, { when: { path: /items/1 } } ] }", true),
    ("a sequence with captures", r#"{ id: x, kind: consistency, steps: [ { when: { method: POST, path: /items, json: { n: 1 } }, then: { status: 201 }, capture: { id: $.id, item_name: name } }, { when: { path: "/items/${captured.id}", headers: { X-Name: "${captured.item_name}" } } } ] }"#, true),
    ("a capture that is a list", "{ id: x, kind: consistency, steps: [ { when: { path: /items }, capture: { id: [$.id] } } ] }", false),
    ("captures as OpenAPI runtime expressions, a captured URL as the path", r#"{ id: x, kind: consistency, steps: [ { when: { method: POST, path: /items }, capture: { loc: $response.header.Location, id: "$response.body#/id", all: $response.body, code: $statusCode } }, { when: { path: "${captured.loc}" } } ] }"#, true),
    ("a capture of `$response.headers.…`", r#"{ id: x, kind: consistency, steps: [ { when: { path: /items }, capture: { loc: $response.headers.Location } } ] }"#, false),
    ("a capture of the request", r#"{ id: x, kind: consistency, steps: [ { when: { path: /items }, capture: { id: $request.path.id } } ] }"#, false),
    ("a body pointer without `/`", r##"{ id: x, kind: consistency, steps: [ { when: { path: /items }, capture: { id: "$response.body#id" } } ] }"##, false),
    ("status {one_of: [500, 503]}", "{ id: x, kind: fault, when: { path: /a }, then: { status: { one_of: [500, 503] } } }", true),
    ("a duration as integer milliseconds", "{ id: x, kind: fault, given: { auth: [ { reply: { delay: 1500 } } ] }, when: { path: /a }, then: { within: 2000 } }", true),
    ("zero milliseconds", "{ id: x, kind: fault, when: { path: /a }, then: { within: 0 } }", true),
    ("durations as text", "{ id: x, kind: fault, when: { path: /a }, then: { within: 1m 30s, logs: [ { contains: a, within: 1.5s }, { contains: b, within: 250ms }, { contains: c, within: 1m30s }, { contains: d, within: 2 seconds } ] } }", true),
    ("every matcher operator", r#"{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: { type: string, regex: "^u", exists: true }, $.b: { absent: true }, $.c: { equals: { k: v } }, $.d: { contains: x }, $.e: { not: { one_of: [1, 2] } }, $.f: { format: uuid }, $.g: { not: 5 } } } }"#, true),
    ("plain values as matchers", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: [1, 2], $.b: null, $.c: 1.5, $.d: true, name: bob }, body: { contains: ok } } }", true),
    ("every format word", "{ id: x, kind: positive, when: { path: /a }, then: { json: { a: { format: date-time }, b: { format: date }, c: { format: uuid }, d: { format: email }, e: { format: ipv4 }, f: { format: ipv6 }, g: { format: uri } } } }", true),
    ("origin, review, title, covers", "{ id: x, title: T, covers: [REQ-1, REQ-2], kind: negative, origin: llm, review: pending, when: { path: /a } }", true),
    ("request with query, headers and a body", r#"{ id: x, kind: negative, when: { method: PUT, path: /a, query: { page: "2" }, headers: { X-Count: 5 }, body: "not json" } }"#, true),
    ("stub matching on query, headers and json", r#"{ id: x, kind: positive, given: { auth: [ { on: { method: POST, path: "/users/{id}", query: { q: { exists: true } }, headers: { authorization: { regex: ^Bearer } }, json: { $.name: bob } }, times: 2, reply: { headers: { x-a: b }, body: oops } } ] }, when: { path: /a } }"#, true),
    ("every new fault word", "{ id: x, kind: fault, given: { auth: [ { fault: wrong_length }, { fault: broken_chunked } ] }, when: { path: /a } }", true),
    ("connection refused", "{ id: x, kind: fault, given: { auth: [ { fault: refuse } ] }, when: { path: /a } }", true),
    ("a misspelt refuse", "{ id: x, kind: fault, given: { auth: [ { fault: refused } ] }, when: { path: /a } }", false),
    ("delay distributions", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { uniform: [10ms, 50ms] } } }, { fault: { delay: { lognormal: { median: 80ms, sigma: 0.4 } } } }, { fault: { delay: { fixed: 2s } } } ] }, when: { path: /a } }", true),
    ("a pause mid-body", "{ id: x, kind: fault, given: { auth: [ { fault: { pause: { for: 2s, after: 16 } } }, { fault: { pause: { for: { uniform: [1ms, 5ms] } } } } ] }, when: { path: /a } }", true),
    ("a slow body", "{ id: x, kind: fault, given: { auth: [ { fault: { bandwidth: 2048 } } ] }, when: { path: /a } }", true),
    ("probability and named states", "{ id: x, kind: fault, given: { auth: [ { fault: reset, probability: 0.3 }, { state: started, next_state: charged, reply: { status: 201 } }, { state: charged, reply: { status: 409 } } ] }, when: { path: /a } }", true),
    ("probability 0 and 1", "{ id: x, kind: fault, given: { auth: [ { fault: reset, probability: 0 }, { fault: reset, probability: 1 } ] }, when: { path: /a } }", true),
    ("a probability above 1", "{ id: x, kind: fault, given: { auth: [ { fault: reset, probability: 1.5 } ] }, when: { path: /a } }", false),
    ("a negative probability", "{ id: x, kind: fault, given: { auth: [ { fault: reset, probability: -0.1 } ] }, when: { path: /a } }", false),
    ("a bandwidth of 0", "{ id: x, kind: fault, given: { auth: [ { fault: { bandwidth: 0 } } ] }, when: { path: /a } }", false),
    ("a bandwidth as text", "{ id: x, kind: fault, given: { auth: [ { fault: { bandwidth: 1KB } } ] }, when: { path: /a } }", false),
    ("a pause without `for`", "{ id: x, kind: fault, given: { auth: [ { fault: { pause: { after: 3 } } } ] }, when: { path: /a } }", false),
    ("an unknown key in a pause", "{ id: x, kind: fault, given: { auth: [ { fault: { pause: { for: 1s, at: 3 } } } ] }, when: { path: /a } }", false),
    ("an unknown distribution", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { normal: [1ms, 2ms] } } } ] }, when: { path: /a } }", false),
    ("a uniform with one bound", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { uniform: [1ms] } } } ] }, when: { path: /a } }", false),
    ("a lognormal without sigma", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { lognormal: { median: 80ms } } } } ] }, when: { path: /a } }", false),
    ("a lognormal sigma of 0", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { lognormal: { median: 80ms, sigma: 0 } } } } ] }, when: { path: /a } }", false),
    ("two distributions in one wait", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { uniform: [1ms, 2ms], fixed: 1s } } } ] }, when: { path: /a } }", false),
    ("a state as a number list", "{ id: x, kind: fault, given: { auth: [ { state: [1], reply: { status: 200 } } ] }, when: { path: /a } }", false),
    ("a stub answering every third call", "{ id: x, kind: fault, given: { auth: [ { on: { path: /v }, every: 3, fault: reset }, { reply: { status: 200 } } ] }, when: { path: /a } }", true),
    ("calls with times 0 and matchers", "{ id: x, kind: security, when: { path: /a }, then: { calls: { auth: [ { path: /validate, times: 0, query: { a: b }, json: { token: { absent: true } } } ] } } }", true),
    ("logs from stderr, absent", "{ id: x, kind: security, when: { path: /a }, then: { logs: [ { regex: secret, source: stderr, absent: true } ] } }", true),
    ("toxics on a proxied dependency", "{ id: x, kind: fault, given: { db: [ { toxic: { type: latency, stream: upstream, toxicity: 0.5, name: slow, attributes: { latency: 500, jitter: 50 } } }, { toxic: { type: down } }, { toxic: { type: reset_peer } } ] }, when: { path: /a } }", true),
    ("every toxic type", "{ id: x, kind: fault, given: { db: [ { toxic: { type: bandwidth } }, { toxic: { type: slow_close } }, { toxic: { type: timeout } }, { toxic: { type: slicer } }, { toxic: { type: limit_data } }, { toxic: { type: hang } }, { toxic: { type: refuse } } ] }, when: { path: /a } }", true),

    // Rejected by both.
    ("an unknown key at top level", "{ id: x, kind: positive, when: { path: /a }, descripton: hi }", false),
    ("then.stauts", "{ id: x, kind: positive, when: { path: /a }, then: { stauts: 200 } }", false),
    ("a toxic without a type", "{ id: x, kind: fault, given: { db: [ { toxic: { attributes: { latency: 1 } } } ] }, when: { path: /a } }", false),
    ("an unknown toxic type", "{ id: x, kind: fault, given: { db: [ { toxic: { type: lag } } ] }, when: { path: /a } }", false),
    ("an unknown key in a toxic", "{ id: x, kind: fault, given: { db: [ { toxic: { type: latency, direction: upstream } } ] }, when: { path: /a } }", false),
    ("a bad toxic stream", "{ id: x, kind: fault, given: { db: [ { toxic: { type: latency, stream: sideways } } ] }, when: { path: /a } }", false),
    ("a negative toxic attribute", "{ id: x, kind: fault, given: { db: [ { toxic: { type: latency, attributes: { latency: -1 } } } ] }, when: { path: /a } }", false),
    ("a toxic attribute as text", "{ id: x, kind: fault, given: { db: [ { toxic: { type: latency, attributes: { latency: 1s } } } ] }, when: { path: /a } }", false),
    ("an unknown key in a stub", "{ id: x, kind: fault, given: { auth: [ { repyl: { status: 200 } } ] }, when: { path: /a } }", false),
    ("an unknown key in a reply", "{ id: x, kind: fault, given: { auth: [ { reply: { code: 200 } } ] }, when: { path: /a } }", false),
    ("an unknown key in a call", "{ id: x, kind: positive, when: { path: /a }, then: { calls: { auth: [ { tims: 1 } ] } } }", false),
    ("an unknown key in a step", "{ id: x, kind: positive, steps: [ { when: { path: /a }, than: { status: 200 } } ] }", false),
    ("an unknown key in a log expectation (`fields` is spelt `match`)", "{ id: x, kind: positive, when: { path: /a }, then: { logs: [ { fields: { a: 1 } } ] } }", false),
    ("a bad kind", "{ id: x, kind: happy, when: { path: /a } }", false),
    ("a kind in the wrong case", "{ id: x, kind: Positive, when: { path: /a } }", false),
    ("a bad origin", "{ id: x, kind: positive, origin: human, when: { path: /a } }", false),
    ("no id", "{ kind: positive, when: { path: /a } }", false),
    ("no kind", "{ id: x, when: { path: /a } }", false),
    ("a request without a path", "{ id: x, kind: positive, when: { method: GET } }", false),
    ("a bad fault word", "{ id: x, kind: fault, given: { auth: [ { fault: explode } ] }, when: { path: /a } }", false),
    ("`delay` as a word", "{ id: x, kind: fault, given: { auth: [ { fault: delay } ] }, when: { path: /a } }", false),
    ("a fault mapping other than delay", "{ id: x, kind: fault, given: { auth: [ { fault: { pause: 2s } } ] }, when: { path: /a } }", false),
    ("a reply status above 65535", "{ id: x, kind: fault, given: { auth: [ { reply: { status: 70000 } } ] }, when: { path: /a } }", false),
    ("a negative reply status", "{ id: x, kind: fault, given: { auth: [ { reply: { status: -1 } } ] }, when: { path: /a } }", false),
    ("a reply status of 99", "{ id: x, kind: fault, given: { auth: [ { reply: { status: 99 } } ] }, when: { path: /a } }", false),
    ("a reply status of 600", "{ id: x, kind: fault, given: { auth: [ { reply: { status: 600 } } ] }, when: { path: /a } }", false),
    ("a matcher mapping with an unknown operator", r#"{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: { regexp: "^a" } } } }"#, false),
    ("a literal mapping without `equals`", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.user: { name: bob } } } }", false),
    ("an unknown operator under `not`", "{ id: x, kind: positive, when: { path: /a }, then: { body: { not: { contain: x } } } }", false),
    ("an unknown operator in a status matcher", "{ id: x, kind: positive, when: { path: /a }, then: { status: { oneof: [200] } } }", false),
    ("an empty matcher", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: {} } } }", false),
    ("an empty matcher under `not`", "{ id: x, kind: positive, when: { path: /a }, then: { body: { not: {} } } }", false),
    ("a bad `type`", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: { type: float } } } }", false),
    ("a bad `format`", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: { format: date_time } } } }", false),
    ("`exists` not a boolean", "{ id: x, kind: positive, when: { path: /a }, then: { json: { $.a: { exists: 1 } } } }", false),
    ("`one_of` not a list", "{ id: x, kind: positive, when: { path: /a }, then: { status: { one_of: 500 } } }", false),
    ("a duration without a unit", r#"{ id: x, kind: positive, when: { path: /a }, then: { within: "1000" } }"#, false),
    ("a duration in words", "{ id: x, kind: positive, when: { path: /a }, then: { within: soon } }", false),
    ("a negative duration", "{ id: x, kind: positive, when: { path: /a }, then: { within: -1 } }", false),
    ("a bad delay", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: 2 parsecs } } ] }, when: { path: /a } }", false),
    ("every 0", "{ id: x, kind: fault, given: { auth: [ { every: 0, fault: reset } ] }, when: { path: /a } }", false),
    ("negative times", "{ id: x, kind: positive, when: { path: /a }, then: { calls: { auth: [ { times: -1 } ] } } }", false),
    ("a bad log source", "{ id: x, kind: positive, when: { path: /a }, then: { logs: [ { contains: a, source: stdin } ] } }", false),
    ("`absent` not a boolean", "{ id: x, kind: positive, when: { path: /a }, then: { logs: [ { contains: a, absent: 1 } ] } }", false),
    ("`conforms` not a boolean", "{ id: x, kind: positive, when: { path: /a }, then: { conforms: 1 } }", false),
    ("stubs not in a list", "{ id: x, kind: fault, given: { auth: { reply: { status: 200 } } }, when: { path: /a } }", false),
    ("a request header that is a list", "{ id: x, kind: positive, when: { path: /a, headers: { X: [a, b] } } }", false),
    ("`covers` not a list", "{ id: x, kind: positive, covers: REQ-1, when: { path: /a } }", false),
];

/// The schema says more than the parser here. Each case is a file the parser reads but
/// that is wrong: `crosscheck validate` rejects it, or it fails at run time, or it holds a
/// check that can never pass. The schema flags it in the editor.
#[rustfmt::skip]
const SCENARIO_SCHEMA_STRICTER: &[(&str, &str, &str)] = &[
    ("an expected status of 99", "{ id: x, kind: positive, when: { path: /a }, then: { status: 99 } }",
        "`then.status` is a `Matcher`, which takes any value; no response has status 99"),
    ("an expected status as a string", r#"{ id: x, kind: positive, when: { path: /a }, then: { status: "200" } }"#,
        "`then.status` is a `Matcher`; the string \"200\" never equals the numeric status"),
    ("a quoted reply status", r#"{ id: x, kind: fault, given: { auth: [ { reply: { status: "200" } } ] }, when: { path: /a } }"#,
        "serde-saphyr reads a quoted scalar as a number when the field wants one; the schema wants the number"),
    ("both `when` and `steps`", "{ id: x, kind: positive, when: { path: /a }, steps: [ { when: { path: /b } } ] }",
        "`crosscheck validate` rejects it; `Scenario::steps` would silently ignore `steps`"),
    ("neither `when` nor `steps`", "{ id: x, kind: positive }",
        "`crosscheck validate`: the scenario sends no request"),
    ("an empty `steps`", "{ id: x, kind: positive, steps: [] }",
        "`crosscheck validate`: the scenario sends no request"),
    ("`then` without `when`", "{ id: x, kind: positive, steps: [ { when: { path: /a } } ], then: { status: 200 } }",
        "`crosscheck validate` rejects it"),
    ("a capture that is a number", "{ id: x, kind: consistency, steps: [ { when: { path: /items }, capture: { id: 1 } } ] }",
        "YAML's plain scalar `1` reaches the parser as text, a field named `1`; the schema wants the JSONPath as a string"),
    ("a capture name with a space", r#"{ id: x, kind: positive, steps: [ { when: { path: /a }, capture: { "my id": $.id } } ] }"#,
        "`${captured.my id}` could not be written cleanly; the schema keeps names to letters, digits, `_`, `.` and `-`"),
    ("a path without a leading slash", "{ id: x, kind: positive, when: { path: resources/42 } }",
        "`crosscheck validate` rejects it"),
    ("a request with both `json` and `body`", "{ id: x, kind: positive, when: { path: /a, json: { a: 1 }, body: a } }",
        "`crosscheck validate` rejects it"),
    ("a reply with both `json` and `body`", "{ id: x, kind: fault, given: { auth: [ { reply: { json: { a: 1 }, body: a } } ] }, when: { path: /a } }",
        "`crosscheck validate` rejects it"),
    ("a log expectation that names no line", "{ id: x, kind: positive, when: { path: /a }, then: { logs: [ { within: 1s } ] } }",
        "`crosscheck validate`: a `logs` entry needs `match`, `contains` or `regex`"),
    ("a word fault written as a mapping", "{ id: x, kind: fault, given: { auth: [ { fault: { timeout: null } } ] }, when: { path: /a } }",
        "serde's map form of a unit variant; the schema documents only the word"),
    ("null for an optional key", "{ id: x, kind: positive, title: null, when: { path: /a }, then: { status: null } }",
        "the parser reads null as absent; the schema asks to leave the key out"),
];

/// JSON Schema cannot see these; the parser catches them.
#[rustfmt::skip]
const SCENARIO_PARSER_STRICTER: &[(&str, &str, &str)] = &[
    ("an invalid regex", r#"{ id: x, kind: positive, when: { path: /a }, then: { body: { regex: "(" } } }"#,
        "regex syntax is not checked by the schema"),
    ("an invalid JSONPath", r#"{ id: x, kind: positive, when: { path: /a }, then: { json: { "$.[": 1 } } }"#,
        "JSONPath syntax is not checked by the schema"),
    ("a uniform delay with its bounds reversed", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { uniform: [50ms, 10ms] } } } ] }, when: { path: /a } }",
        "JSON Schema cannot compare two items of an array; the parser says to swap them"),
    ("a lognormal median of 0", "{ id: x, kind: fault, given: { auth: [ { fault: { delay: { lognormal: { median: 0ms, sigma: 0.4 } } } } ] }, when: { path: /a } }",
        "the schema's duration allows 0; a lognormal around 0 is always 0, so the parser refuses it"),
    ("an invalid JSONPath in a capture", r#"{ id: x, kind: positive, steps: [ { when: { path: /a }, capture: { id: "$.[" } } ] }"#,
        "JSONPath syntax is not checked by the schema"),
    ("a header name with a colon in a capture", r#"{ id: x, kind: positive, steps: [ { when: { path: /a }, capture: { loc: "$response.header.Loc:ation" } } ] }"#,
        "header-name characters are not checked by the schema"),
    ("a whole number written as a float", "{ id: x, kind: positive, when: { path: /a }, then: { within: 1000.0 } }",
        "JSON Schema's `integer` includes 1000.0; the parser wants an integer"),
];

#[test]
fn scenario_schema_and_parser_agree() {
    assert_table(Format::Scenario, SCENARIO_CASES);
}

#[test]
fn scenario_schema_is_stricter_only_where_listed() {
    assert_differences(Format::Scenario, Stricter::Schema, SCENARIO_SCHEMA_STRICTER);
    assert_differences(Format::Scenario, Stricter::Parser, SCENARIO_PARSER_STRICTER);
}

/// The system map from DESIGN.md.
const DESIGN_MAP: &str = r#"
sut:
  name: resource-api
  start: ["cargo", "run", "-q", "-p", "resource-api"]
  url: http://127.0.0.1:${port}
  ready: { get: /healthz, timeout: 10s }
  env: { AUTH_URL: "${deps.auth.url}", AUDIT_LOG: "${dir}/audit.jsonl" }
  contract: contracts/resource-api.openapi.yaml
  logs: { file: "${dir}/audit.jsonl", format: json }
dependencies:
  auth: { contract: contracts/auth.openapi.yaml, double: mock }
requirements: requirements.md
scenarios: scenarios/
"#;

#[rustfmt::skip]
const MAP_CASES: &[(&str, &str, bool)] = &[
    // Accepted by both.
    ("the DESIGN.md example", DESIGN_MAP, true),
    ("the smallest map", "{ sut: { name: api, start: [run] } }", true),
    ("version 1 and every key", "{ version: 1, sut: { name: api, build: [make], start: [./api], cwd: svc, url: http://localhost:8080, ready: { get: /health, timeout: 20000 }, env: { A: b }, contract: api.yaml, logs: { file: stdout, format: text }, request_timeout: 1m 30s }, dependencies: {}, requirements: reqs.yaml, scenarios: tests/one.yaml }", true),
    ("env values that are numbers or booleans", "{ sut: { name: api, start: [run], env: { PORT: 8080, DEBUG: true } } }", true),
    ("a dependency with defaults only", "{ sut: { name: api, start: [run] }, dependencies: { auth: {} } }", true),
    ("a proxied dependency", "{ sut: { name: api, start: [run] }, dependencies: { db: { double: proxy, upstream: \"127.0.0.1:5432\" } } }", true),
    ("a receiver of callbacks", "{ sut: { name: api, start: [run] }, dependencies: { hooks: { double: mock, callbacks: true } } }", true),
    ("an audit section", "{ sut: { name: api, start: [run] }, audit: { required: [a, c, e], allow_hosts: [auth.test.internal] } }", true),
    ("an empty audit section", "{ sut: { name: api, start: [run] }, audit: {} }", true),
    ("an llm section with every key", "{ sut: { name: api, start: [run] }, llm: { base_url: \"https://x.openai.azure.com/openai/deployments/d\", model: d, api_key_env: AZURE_KEY, api_key_header: api-key, query: { api-version: \"2024-10-21\" }, timeout: 60s, retries: 2, max_wait: 10s, max_tokens: 4000, token_budget: 100000, concurrency: 4, temperature: 0.2 } }", true),
    ("the smallest llm section", "{ sut: { name: api, start: [run] }, llm: { base_url: \"http://127.0.0.1:8080/v1\", model: local } }", true),

    // Rejected by both.
    ("an audit item that does not exist", "{ sut: { name: api, start: [run] }, audit: { required: [a, g] } }", false),
    ("a misspelt audit key", "{ sut: { name: api, start: [run] }, audit: { allowed_hosts: [x] } }", false),
    ("an unknown key at top level", "{ sut: { name: api, start: [run] }, scenario: tests/ }", false),
    ("sut.strat", "{ sut: { name: api, start: [run], strat: [run] } }", false),
    ("sut.ready.timout", "{ sut: { name: api, start: [run], ready: { timout: 5s } } }", false),
    ("an unknown key in a dependency", "{ sut: { name: api, start: [run] }, dependencies: { auth: { contract: a.yaml, mock: true } } }", false),
    ("no sut", "{ dependencies: {} }", false),
    ("an llm section without a model", "{ sut: { name: api, start: [run] }, llm: { base_url: \"http://127.0.0.1:8080/v1\" } }", false),
    ("the key itself under llm", "{ sut: { name: api, start: [run] }, llm: { base_url: \"http://x/v1\", model: m, api_key: sk-123 } }", false),
    ("no name", "{ sut: { start: [run] } }", false),
    ("no start", "{ sut: { name: api } }", false),
    ("start as one string", "{ sut: { name: api, start: ./run } }", false),
    ("version 2", "{ version: 2, sut: { name: api, start: [run] } }", false),
    ("a bad double", "{ sut: { name: api, start: [run] }, dependencies: { auth: { double: stub } } }", false),
    ("a bad log format", "{ sut: { name: api, start: [run], logs: { file: a.log, format: xml } } }", false),
    ("logs without a file", "{ sut: { name: api, start: [run], logs: { format: json } } }", false),
    ("a bad duration", "{ sut: { name: api, start: [run], request_timeout: soon } }", false),
    ("a dependency that is not a mapping", "{ sut: { name: api, start: [run] }, dependencies: { auth: mock } }", false),
    ("callbacks as text", "{ sut: { name: api, start: [run] }, dependencies: { hooks: { callbacks: hooks } } }", false),
    ("an env value that is a list", "{ sut: { name: api, start: [run], env: { A: [b] } } }", false),
];

#[rustfmt::skip]
const MAP_SCHEMA_STRICTER: &[(&str, &str, &str)] = &[
    ("upstream as a number", "{ sut: { name: api, start: [run] }, dependencies: { db: { double: proxy, upstream: 5432 } } }",
        "serde-saphyr reads a plain scalar as text where the field wants text; the schema wants a string"),
    ("an empty start command", "{ sut: { name: api, start: [] } }",
        "PARSER GAP: nothing can be started; fails only at run time"),
    ("a quoted version", r#"{ version: "1", sut: { name: api, start: [run] } }"#,
        "serde-saphyr reads a quoted scalar as a number when the field wants one; the schema wants the number"),
];

#[test]
fn system_map_schema_and_parser_agree() {
    assert_table(Format::SystemMap, MAP_CASES);
    assert_differences(Format::SystemMap, Stricter::Schema, MAP_SCHEMA_STRICTER);
}

#[rustfmt::skip]
const REQUIREMENTS_CASES: &[(&str, &str, bool)] = &[
    // Accepted by both.
    ("every key", "requirements:\n  - id: REQ-INT-201\n    text: Grant access to a valid token.\n    operations: [\"GET /resources/{id}\", getResource]\n    dependencies: [auth]\n  - id: REQ-INT-202\n    text: Deny an invalid token.\n", true),
    ("no requirements", "requirements: []", true),

    // Rejected by both.
    ("a misspelt key", "requirements:\n  - id: REQ-1\n    txt: x\n", false),
    ("no text", "requirements:\n  - id: REQ-1\n", false),
    ("no id", "requirements:\n  - text: x\n", false),
    ("`line`, which is not read from the file", "requirements:\n  - id: REQ-1\n    text: x\n    line: 3\n", false),
    ("an unknown key at top level", "requirements: []\nreqs: []\n", false),
    ("no `requirements`", "{}", false),
    ("a bare list", "- id: REQ-1\n  text: x\n", false),
    ("operations as one string", "requirements:\n  - id: REQ-1\n    text: x\n    operations: GET /a\n", false),
];

#[test]
fn requirements_schema_and_parser_agree() {
    assert_table(Format::Requirements, REQUIREMENTS_CASES);
}
