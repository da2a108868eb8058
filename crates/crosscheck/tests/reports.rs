//! Results, JUnit and HTML from real runs of the example; re-rendering with
//! `crosscheck report`; shards merged into one report; an interrupted run keeps its
//! results.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const TOKENS: [&str; 3] = ["valid-token-abc", "invalid-token-xyz", "expired-token-old"];

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).expect("results are JSON")
}

/// The results file validates against the published schema.
fn assert_schema(doc: &Value) {
    let schema: Value =
        serde_json::from_str(&read(&common::repo().join("schemas/results.schema.json"))).unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "results do not match the schema:\n{}",
        errors.join("\n")
    );
}

fn report(args: &[&str]) -> common::Output {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    common::crosscheck(&common::repo(), &all, &[], Duration::from_secs(60))
}

#[test]
fn a_failing_run_writes_results_junit_and_html_that_report_re_renders() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    let junit = dir.path().join("junit.xml");
    let html = dir.path().join("report.html");
    let out = common::run_example(
        Some("fail_open_on_5xx"),
        &[
            "--results",
            results.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("results: "), "{}", out.stdout);

    let doc = json(&results);
    assert_schema(&doc);
    assert_eq!(doc["format"], "crosscheck-results/1");
    assert_eq!(doc["runs"][0]["state"], "finished");
    assert_eq!(
        doc["scenarios"].as_array().unwrap().len(),
        example_scenarios()
    );
    assert_eq!(
        doc["requirements"].as_array().unwrap().len(),
        example_requirements()
    );
    assert_eq!(doc["operations"][1]["path"], "/resources/{id}");
    assert_eq!(doc["dependencies"][0]["name"], "auth");
    let failed = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "auth-500-fails-closed")
        .unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(
        failed["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expected 503, got 200")
    );
    assert_eq!(failed["staged"][0]["modes"][0], "unavailable");
    assert_eq!(
        failed["evidence"]["doubles"]["auth"][0]["answer"],
        "replied 500"
    );
    assert!(doc["summary"]["failed"].as_u64().unwrap() >= 1);

    let xml = read(&junit);
    assert!(
        xml.contains(&format!(
            "<testsuites name=\"crosscheck resource-api\" tests=\"{}\"",
            example_scenarios()
        )),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"requirement\" value=\"REQ-INT-206\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<failure message=\"status: expected 503, got 200"),
        "{xml}"
    );
    assert!(
        xml.contains("classname=\"resource-api.auth-failures\""),
        "{xml}"
    );

    let page = read(&html);
    assert!(
        page.contains("id=\"f-auth-500-fails-closed\""),
        "the failure is shown in full"
    );
    assert!(page.contains("Requirement traceability"));
    assert!(
        !page.contains("<link") && !page.contains("src=\"http"),
        "nothing is fetched"
    );

    for text in [read(&results), xml.clone(), page] {
        for token in TOKENS {
            assert!(
                !text.contains(token),
                "the token `{token}` leaked into a report"
            );
        }
    }

    // The same reports again, from the results file alone.
    let junit2 = dir.path().join("again.xml");
    let out = report(&[
        results.to_str().unwrap(),
        "--junit",
        junit2.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "the results hold a failure: {}", out.all());
    assert_eq!(read(&junit2), xml, "re-rendered JUnit differs");
    // Without outputs, `report` shows the run as the console did.
    let out = report(&[results.to_str().unwrap()]);
    assert!(
        out.stdout.contains("FAIL  auth-500-fails-closed"),
        "{}",
        out.stdout
    );
}

#[test]
fn shards_partition_the_suite_and_merge_into_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let mut file = dir.path().join(format!("shard-{k}.json"));
        let mut args = vec!["--no-build", "--shard", shard.as_str()];
        let explicit = file.to_str().unwrap().to_owned();
        if k == 2 {
            args.extend(["--results", explicit.as_str()]);
        }
        let out = common::run_example(None, &args);
        assert_eq!(out.code, 0, "{}", out.all());
        if k == 1 {
            // Without --results the file lands in the run's own folder.
            let line = out
                .stdout
                .lines()
                .find_map(|l| l.strip_prefix("results: "))
                .unwrap();
            assert!(
                line.starts_with("examples/auth-resource/.crosscheck/runs/")
                    && line.ends_with("/results.json"),
                "{line}"
            );
            std::fs::copy(common::repo().join(line), &file).unwrap();
            file = dir.path().join(format!("shard-{k}.json"));
        }
        let doc = json(&file);
        assert_schema(&doc);
        assert_eq!(doc["runs"][0]["shard"], format!("{k}/2"));
        let these: Vec<String> = doc["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(!these.is_empty(), "shard {k}/2 is empty");
        assert!(these.iter().all(|id| !ids.contains(id)), "shards overlap");
        ids.extend(these);
        files.push(file);
    }
    assert_eq!(
        ids.len(),
        example_scenarios(),
        "the shards together run every scenario once"
    );

    let merged = dir.path().join("merged.json");
    let html = dir.path().join("merged.html");
    let (a, b) = (files[0].to_str().unwrap(), files[1].to_str().unwrap());
    let out = report(&[
        "--merge",
        a,
        b,
        "--json",
        merged.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains(&format!(
            "{n} scenario(s): {n} passed, 0 failed, 0 errored, 0 not run",
            n = example_scenarios()
        )),
        "{}",
        out.stdout
    );
    let doc = json(&merged);
    assert_schema(&doc);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["summary"]["skipped"], 0);
    assert!(
        read(&html).contains(&format!("{n}/{n} (100%)", n = example_requirements())),
        "every requirement is covered in the merged page"
    );

    // Several files need --merge; one shard twice is refused.
    let out = report(&[a, b]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("pass --merge"), "{}", out.stderr);
    let out = report(&["--merge", a, a]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("is in both"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("help: merge the results of one suite's shards, each once"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_shard_and_a_bad_results_file_are_bad_input() {
    let out = common::run_example(None, &["--shard", "3/2"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("`3/2` is not a shard; write k/n with 1 ≤ k ≤ n"),
        "{}",
        out.stderr
    );

    let dir = common::suite(&[
        (
            "bad.json",
            "{\n  \"format\": \"crosscheck-results/1\",\n  \"tool\": 3\n}\n",
        ),
        ("old.json", "{\"format\": \"crosscheck-results/0\"}"),
    ]);
    let bad = dir.path().join("bad.json");
    let out = report(&[bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("bad.json:3:"),
        "names the line: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("not a crosscheck results file"),
        "{}",
        out.stderr
    );
    let old = dir.path().join("old.json");
    let out = report(&[old.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("results format `crosscheck-results/0` is not supported"),
        "{}",
        out.stderr
    );
}

const SERVER: &str = r#"
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow": time.sleep(60)
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn an_interrupted_run_keeps_the_results_of_finished_scenarios() {
    let dir = common::suite(&[
        (
            "crosscheck.yaml",
            "sut:\n  name: slow\n  start: [\"python3\", \"server.py\", \"${port}\"]\n  ready: { get: /, timeout: 10s }\n",
        ),
        ("server.py", SERVER),
        ("requirements.md", "- **REQ-1**: It answers.\n"),
        (
            "scenarios/s.yaml",
            "id: a-fast\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /fast }\nthen: { status: 200 }\n---\nid: b-slow\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /slow }\nthen: { status: 200 }\n",
        ),
    ]);
    let results = dir.path().join("out/results.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(["run", ".", "--results", "out/results.json"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let done = std::fs::read_to_string(&results)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .is_some_and(|d| d["scenarios"].as_array().is_some_and(|a| a.len() == 1));
        if done {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the first scenario's result never reached the file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = common::interrupt(&mut child);
    assert_eq!(status.code(), Some(130));
    let doc = json(&results);
    assert_schema(&doc);
    assert_eq!(doc["runs"][0]["state"], "interrupted");
    assert_eq!(doc["scenarios"][0]["id"], "a-fast");
    assert_eq!(doc["scenarios"][0]["status"], "passed");
    assert_eq!(
        doc["summary"]["skipped"], 1,
        "the unfinished scenario counts as not run"
    );
}

/// How many scenarios the example suite holds: one per `id:` line of its scenario files.
fn example_scenarios() -> usize {
    let dir = common::example().join("scenarios");
    std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("id: "))
                .count()
        })
        .sum()
}

/// How many requirements the example defines: one per `- **REQ-` line.
fn example_requirements() -> usize {
    std::fs::read_to_string(common::example().join("requirements.md"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("- **REQ-"))
        .count()
}
