//! `crosscheck audit`: the example passes every item; a deliberately thin suite (the
//! three classic tests an LLM writes first) fails the right items with evidence a
//! reviewer can act on, as text, JSON and SARIF; `audit.required` decides the exit code.

mod common;

use std::time::Duration;

use serde_json::Value;

const THIN: &str = "crates/crosscheck/tests/fixtures/thin-suite";

fn audit(args: &[&str]) -> common::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    common::crosscheck(&common::repo(), &all, &[], Duration::from_secs(60))
}

#[test]
fn the_example_passes_every_item() {
    let out = audit(&["examples/auth-resource"]);
    assert_eq!(out.code, 0, "{}", out.all());
    for item in ["a", "b", "c", "d", "e", "f"] {
        assert!(
            out.stdout.contains(&format!("PASS  {item}. ")),
            "item {item}:\n{}",
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("6 item(s): 6 passed, 0 failed"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_thin_suite_fails_the_right_items_with_evidence() {
    let out = audit(&[THIN]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!(common::stable(&out.stdout, &[]));
}

#[test]
fn the_thin_suite_as_json() {
    let out = audit(&[THIN, "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["passed"], false);
    let verdicts: Vec<(String, bool)> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["item"].as_str().unwrap().to_owned(),
                i["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("a", false),
        ("b", false),
        ("c", true),
        ("d", false),
        ("e", false),
        ("f", false),
    ];
    assert_eq!(verdicts, expected.map(|(i, p)| (i.to_owned(), p)));
    let pending: Vec<&str> = doc["pending_review"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        pending,
        ["valid-token", "invalid-token"],
        "reviewed LLM scenarios are not listed"
    );
}

#[test]
fn the_thin_suite_as_sarif_points_at_real_files_and_lines() {
    let out = audit(&[THIN, "--format", "sarif"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "crosscheck");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "audit-a",
            "audit-b",
            "audit-c",
            "audit-d",
            "audit-e",
            "audit-f",
            "review-pending"
        ]
    );
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 10, "{}", out.stdout);
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], rule);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.contains(".."), "{uri}");
        let text = std::fs::read_to_string(common::repo().join(uri))
            .unwrap_or_else(|_| panic!("{uri} does not exist"));
        let line = loc["region"]["startLine"].as_u64().unwrap_or(0) as usize;
        assert!(
            line >= 1 && line <= text.lines().count(),
            "{uri}:{line} is not a line of the file"
        );
        let level = r["level"].as_str().unwrap();
        assert_eq!(
            level,
            if rule == "review-pending" {
                "note"
            } else {
                "error"
            }
        );
    }
    // A reviewer lands on the right line: the uncovered REQ-INT-204 is on its own line.
    let e = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("REQ-INT-204 is covered by no scenario")
        })
        .unwrap();
    let loc = &e["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/auth-resource/requirements.md"
    );
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let text =
        std::fs::read_to_string(common::repo().join("examples/auth-resource/requirements.md"))
            .unwrap();
    assert!(text.lines().nth(line - 1).unwrap().contains("REQ-INT-204"));
}

fn outside_host_suite(audit_section: &str) -> tempfile::TempDir {
    common::suite(&[
        (
            "crosscheck.yaml",
            &format!(
                "sut:\n  name: api\n  start: [\"python3\", \"server.py\", \"${{port}}\"]\n  env:\n    AUTH_URL: https://auth.example.com/v1\n{audit_section}"
            ),
        ),
        ("requirements.md", "- **REQ-1**: It answers.\n"),
        (
            "scenarios/s.yaml",
            "id: answers\ncovers: [REQ-1]\nkind: positive\nwhen: { path: / }\nthen: { status: 200 }\n",
        ),
    ])
}

#[test]
fn required_items_and_allowed_hosts_come_from_the_system_map() {
    // Only `e` is required: the other items fail as warnings and the audit passes.
    let dir = outside_host_suite("audit:\n  required: [e]\n");
    let out = common::crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("WARN  c. "), "{}", out.stdout);
    assert!(
        out.stdout.contains("crosscheck.yaml:5: sut.env.AUTH_URL points the service at `auth.example.com`, which is neither loopback nor in `audit.allow_hosts`"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("PASS  e. "), "{}", out.stdout);

    // `c` required: the outside host fails the audit...
    let dir = outside_host_suite("audit:\n  required: [c]\n");
    let out = common::crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("FAIL  c. "), "{}", out.stdout);

    // ...unless it is a dedicated test instance on the allow-list.
    let dir = outside_host_suite("audit:\n  required: [c]\n  allow_hosts: [auth.example.com]\n");
    let out = common::crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("PASS  c. "), "{}", out.stdout);

    // A misspelt item is bad input, with a suggestion.
    let dir = outside_host_suite("audit:\n  required: [c, x]\n");
    let out = common::crosscheck(dir.path(), &["audit", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 2, "{}", out.all());
}
