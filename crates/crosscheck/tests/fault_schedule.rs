//! The seeded fault schedule end to end: `crosscheck run --seed N` records the seed and
//! the realised schedule in each scenario's evidence, the same seed replays it, and bad
//! fault specs are refused by `crosscheck validate` at the spot with a fix.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{crosscheck, suite};
use serde_json::Value;

/// `/fan` calls the dependency twelve times and answers with what each call gave:
/// the status, or `error` when the connection broke.
const SERVER: &str = r#"
import http.server, json, os, sys, urllib.request
DEP = os.environ["DEP_URL"]
from jsonhandler import JsonHandler
class H(JsonHandler):
    def do_GET(self):
        if self.path == "/health": return self.reply(200, {"status": "ok"})
        if self.path == "/fan":
            seen = []
            for _ in range(12):
                try:
                    seen.append(urllib.request.urlopen(DEP + "/work", timeout=5).status)
                except Exception:
                    seen.append("error")
            return self.reply(200, {"seen": seen})
        self.reply(404, {"error": "not found"})
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

const MAP: &str = r#"sut:
  name: fan
  start: ["python3", "server.py", "${port}"]
  ready: { get: /health }
  env: { DEP_URL: "${deps.dep.url}" }
dependencies:
  dep: { double: mock }
"#;

const SCENARIO: &str = r#"id: flaky-dependency
covers: [REQ-1]
kind: fault
given:
  dep:
    - on: { path: /work }
      fault: reset
      probability: 0.4
    - on: { path: /work }
      state: started
      next_state: warm
      fault: { delay: { uniform: [1ms, 40ms] } }
      reply: { status: 201 }
    - on: { path: /work }
      state: warm
      fault: { delay: { lognormal: { median: 5ms, sigma: 0.5 } } }
      reply: { status: 200 }
when: { path: /fan }
then: { status: 200 }
"#;

fn the_suite() -> tempfile::TempDir {
    suite(&[
        ("crosscheck.yaml", MAP),
        ("server.py", SERVER),
        common::PY_HANDLER,
        ("requirements.md", "REQ-1: The service fans out.\n"),
        ("scenarios/flaky.yaml", SCENARIO),
    ])
}

/// The results file, seed and schedule included, validates against the published schema.
fn assert_schema(doc: &Value) {
    let path = common::repo().join("schemas/results.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "results do not match the schema:\n{}",
        errors.join("\n")
    );
}

/// Runs the suite with `seed`; the scenario's evidence and the service's answer.
fn run(dir: &Path, seed: &str) -> (Value, Value) {
    let results = dir.join(format!("results-{seed}.json"));
    let out = crosscheck(
        dir,
        &[
            "run",
            ".",
            "--seed",
            seed,
            "--results",
            results.to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    assert_schema(&doc);
    let scenario = doc["scenarios"][0].clone();
    let body: Value = serde_json::from_str(
        scenario["evidence"]["exchanges"][0]["response"]["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    (scenario["evidence"].clone(), body)
}

#[test]
fn the_same_seed_replays_the_same_schedule() {
    let dir = the_suite();
    let (a, seen_a) = run(dir.path(), "5");
    assert_eq!(a["seed"], 5);
    let schedule: Vec<&str> = a["schedule"]
        .as_array()
        .expect("a schedule in the evidence")
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(schedule.len(), 12, "every call is scheduled: {schedule:#?}");
    assert!(
        schedule[0].starts_with("dep call 1 (GET /work, at "),
        "{schedule:#?}"
    );
    let resets = schedule
        .iter()
        .filter(|l| l.ends_with("reset, probability 0.4"))
        .count();
    assert!((1..=11).contains(&resets), "{schedule:#?}");
    assert!(
        schedule.iter().any(|l| l.contains("(uniform 1ms–40ms)")),
        "{schedule:#?}"
    );
    assert!(
        schedule
            .iter()
            .any(|l| l.contains("(lognormal median 5ms, sigma 0.5)")),
        "the state moved on after the first answer: {schedule:#?}"
    );
    // What the service saw matches the schedule: a reset is an error, the first answer
    // that got through is 201 (state `started`), later ones 200 (state `warm`).
    let seen: Vec<String> = seen_a["seen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(
        seen.iter().filter(|s| *s == "\"error\"").count(),
        resets,
        "{seen:?}"
    );
    assert_eq!(seen.iter().filter(|s| *s == "201").count(), 1, "{seen:?}");

    let (b, seen_b) = run(dir.path(), "5");
    let strip_times = |e: &Value| -> Vec<String> {
        e["schedule"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                regex::Regex::new(r"at \d+ ms")
                    .unwrap()
                    .replace(l.as_str().unwrap(), "at T")
                    .into_owned()
            })
            .collect()
    };
    assert_eq!(strip_times(&a), strip_times(&b), "seed 5 twice");
    assert_eq!(seen_a, seen_b);

    let (c, _) = run(dir.path(), "6");
    assert_eq!(c["seed"], 6);
    assert_ne!(
        strip_times(&a),
        strip_times(&c),
        "seed 6 draws another schedule"
    );
}

#[test]
fn the_console_shows_the_schedule_of_a_failing_scenario() {
    let dir = the_suite();
    let failing = SCENARIO.replace("then: { status: 200 }", "then: { status: 599 }");
    std::fs::write(dir.path().join("scenarios/flaky.yaml"), failing).unwrap();
    let out = crosscheck(
        dir.path(),
        &["run", ".", "--seed", "3"],
        &[],
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("fault schedule (seed 3)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("dep call 1 (GET /work"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_fault_specs_are_refused_at_the_spot() {
    let cases = [
        (
            "      probability: 0.4",
            "      probability: 1.4",
            "probability 1.4 is not between 0 and 1",
        ),
        (
            "{ uniform: [1ms, 40ms] }",
            "{ uniform: [40ms, 1ms] }",
            "bounds are reversed",
        ),
        (
            "{ lognormal: { median: 5ms, sigma: 0.5 } }",
            "{ lognormal: { median: 5ms, sigma: 9 } }",
            "sigma must be above 0 and at most 5",
        ),
        (
            "fault: reset",
            "fault: { bandwidth: 0 }",
            "bandwidth of 0 bytes per second",
        ),
        ("fault: reset", "fault: wrong_lenght", "wrong_length"),
        (
            "      state: warm",
            "      state: wram",
            "did you mean `warm`?",
        ),
    ];
    let located = regex::Regex::new(r"scenarios/flaky\.yaml:\d+:\d+").unwrap();
    for (from, to, expected) in cases {
        let dir = the_suite();
        assert!(SCENARIO.contains(from), "{from}");
        std::fs::write(
            dir.path().join("scenarios/flaky.yaml"),
            SCENARIO.replacen(from, to, 1),
        )
        .unwrap();
        let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(30));
        assert_eq!(out.code, 2, "{to}: {}", out.all());
        let text = out.all();
        assert!(text.contains(expected), "{to}: {text}");
        assert!(
            located.is_match(&text),
            "{to}: the message names file:line:col: {text}"
        );
    }
}
