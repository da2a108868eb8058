//! `crosscheck generate --llm` against a scripted chat completions server on loopback
//! that speaks the real protocol: good answers, malformed JSON, hallucinations,
//! schema-breaking answers, 429 with Retry-After, 500 then success, a hang past the
//! timeout, a server that rejects `response_format`; the API key never written; record
//! and replay; and the committed cassette of the example replayed offline.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crosscheck_llm::scripted::{ScriptedServer, Step};
use serde_json::Value;

const KEY: &str = "sk-test-NEVER-WRITE-THIS-1234";

/// A copy of the example suite without its scenarios, with `llm:` (extra lines) added.
fn bare_example(llm: Option<&str>) -> tempfile::TempDir {
    common::bare_example(|mut map| {
        // The example's own `llm:` block is replaced by the test's.
        if let Some(i) = map.find("\nllm:") {
            let end = map[i + 1..]
                .find("\n\n")
                .map_or(map.len(), |e| i + 1 + e + 1);
            map.replace_range(i + 1..end, "");
        }
        if let Some(l) = llm {
            map.push_str(l);
        }
        map
    })
}

fn llm_block(server: &ScriptedServer, extra: &str) -> String {
    format!(
        "llm:\n  base_url: {}\n  model: scripted-model\n  api_key_env: CROSSCHECK_TEST_LLM_KEY\n  retries: 2\n  max_wait: 5s\n{extra}",
        server.base_url()
    )
}

fn cc(dir: &Path, args: &[&str]) -> common::Output {
    common::crosscheck(
        dir,
        args,
        &[("CROSSCHECK_TEST_LLM_KEY", KEY)],
        Duration::from_secs(300),
    )
}

/// The requirement a request asks about.
fn requirement_of(body: &Value) -> String {
    body["messages"][1]["content"]
        .as_str()
        .and_then(|c| c.lines().next())
        .and_then(|l| l.strip_prefix("Requirement "))
        .and_then(|l| l.split(':').next())
        .unwrap_or("")
        .to_owned()
}

/// Answers `content` about `req` and nothing about the others.
fn about(req: &'static str, content: &'static str) -> crosscheck_llm::scripted::Script {
    Arc::new(move |body, _| {
        if requirement_of(body) == req {
            Step::answer(content)
        } else {
            Step::answer(r#"{"scenarios": []}"#)
        }
    })
}

/// The LLM section of the output, made stable.
fn llm_section(out: &common::Output, dir: &Path) -> String {
    let start = out.stdout.find("llm: ").unwrap_or(0);
    let text = format!("{}{}", &out.stdout[start..], out.stderr);
    common::stable(&text, &[dir])
}

fn no_key_anywhere(dir: &Path, out: &common::Output) {
    assert!(!out.all().contains(KEY), "the key leaked into the output");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                assert!(!text.contains(KEY), "the key leaked into {}", p.display());
            }
        }
    }
}

const GOOD: &str = r#"{"scenarios": [{"id": "grant-is-counted", "title": "A grant is counted once", "covers": ["REQ-INT-214"], "kind": "consistency", "origin": "hand", "review": "reviewed",
 "given": {"auth": [{"on": {"method": "GET", "path": "/validate"}, "reply": {"status": 200, "json": {"valid": true, "user_id": "user-123"}}}]},
 "when": {"method": "GET", "path": "/resources/llm-1", "headers": {"Authorization": "Bearer valid-token-abc"}},
 "then": {"status": 200, "metrics": [{"name": "resource_api_decisions_total", "labels": {"decision": "grant"}, "delta": 1}]}}]}"#;

#[test]
fn a_good_answer_is_written_pending_review_and_the_key_goes_nowhere() {
    let server = ScriptedServer::start(about("REQ-INT-214", GOOD));
    let dir = bare_example(Some(&llm_block(&server, "")));
    let cassette = dir.path().join("cassette.json");
    let out = cc(
        dir.path(),
        &["generate", ".", "--llm-record", cassette.to_str().unwrap()],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(llm_section(&out, dir.path()));
    let file = std::fs::read_to_string(dir.path().join("scenarios/generated/llm.REQ-INT-214.yaml"))
        .unwrap();
    assert!(
        file.contains("origin: llm") && file.contains("review: pending"),
        "{file}"
    );
    assert!(file.contains("id: llm-grant-is-counted"), "{file}");
    // The key went to the server in the header, and nowhere else.
    let got = server.received();
    assert_eq!(got.len(), 15, "one request per requirement");
    assert!(got.iter().all(|r| {
        r.headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == &format!("Bearer {KEY}"))
    }));
    assert!(
        got.iter()
            .all(|r| r.body["response_format"]["type"] == "json_schema")
    );
    let out2 = cc(dir.path(), &["validate", "."]);
    assert_eq!(out2.code, 0, "{}", out2.all());
    let audit = cc(dir.path(), &["audit", "."]);
    assert!(
        audit.stdout.contains("llm-grant-is-counted (origin: llm)"),
        "{}",
        audit.stdout
    );
    no_key_anywhere(dir.path(), &out);
    no_key_anywhere(dir.path(), &audit);

    // Replayed offline (the server is gone), the same files and the same report.
    drop(server);
    let before =
        std::fs::read_to_string(dir.path().join("scenarios/generated/llm.REQ-INT-214.yaml"))
            .unwrap();
    let again = cc(
        dir.path(),
        &["generate", ".", "--llm-replay", cassette.to_str().unwrap()],
    );
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again.stdout.contains("accepted 1 proposal(s)"),
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("unchanged (1): llm.REQ-INT-214.yaml"),
        "{}",
        again.stdout
    );
    assert_eq!(
        before,
        std::fs::read_to_string(dir.path().join("scenarios/generated/llm.REQ-INT-214.yaml"))
            .unwrap()
    );
}

#[test]
fn hallucinations_and_broken_answers_are_rejected_with_the_reason() {
    let server = ScriptedServer::start(Arc::new(|body, _| {
        let answer = match requirement_of(body).as_str() {
            "REQ-INT-201" => {
                r#"{"scenarios": [
 {"id": "a", "covers": ["REQ-INT-201"], "kind": "positive", "when": {"method": "DELETE", "path": "/resources/1"}, "then": {"status": 204}},
 {"id": "b", "covers": ["REQ-INT-201"], "kind": "fault", "given": {"authz": [{"fault": "reset"}]}, "when": {"path": "/resources/1"}, "then": {"status": 503}},
 {"id": "c", "covers": ["REQ-INT-201"], "kind": "positive", "when": {"path": "/resources/1"}, "then": {"status": 418}},
 {"id": "d", "covers": ["REQ-INT-999"], "kind": "positive", "when": {"path": "/resources/1"}, "then": {"status": 200}},
 {"id": "e", "covers": ["REQ-INT-201"], "kind": "positive", "when": {"path": "/resources/1"}, "then": {"status": 200, "json": {"$.granted_by": "auth"}}},
 {"id": "f", "covers": ["REQ-INT-202"], "kind": "security", "when": {"path": "/resources/1", "headers": {"Authorization": "Bearer x"}}, "then": {"status": 403, "json": {"$.error": "FORBIDDEN"}}},
 {"id": "g", "covers": ["REQ-INT-201"], "kind": "positive", "when": {"path": "/resources/1"}, "then": {"calls": {"auth": [{"method": "POST", "path": "/token"}]}}},
 {"id": "h", "covers": ["REQ-INT-201"], "kind": "positive", "when": {"path": "/resources/1"}, "then": {"sql": [{"query": "SELECT * FROM grants", "rows": 1}]}}
]}"#
            }
            "REQ-INT-202" => {
                r#"{"scenarios": [{"id": "x", "kind": "smoke", "when": {"path": "/resources/1"}, "then": {"status": "two hundred"}}]}"#
            }
            "REQ-INT-203" => {
                r#"{"scenarios": [{"id": "y", "covers": ["REQ-INT-203"], "kind": "positive", "when": {"path": "/resources/1""#
            }
            "REQ-INT-204" => "I'm sorry, I can't help with that.",
            _ => r#"{"scenarios": []}"#,
        };
        Step::answer(answer)
    }));
    let dir = bare_example(Some(&llm_block(&server, "")));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(llm_section(&out, dir.path()));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("scenarios/generated/llm-rejected.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["rejected"].as_array().unwrap().len(), 11, "{json:#}");
    assert_eq!(
        json["rejected_by_reason"]["unknown-operation"], 2,
        "{json:#}"
    );
    assert_eq!(json["rejected_by_reason"]["not-json"], 2, "{json:#}");
    assert!(
        !dir.path()
            .join("scenarios/generated")
            .read_dir()
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with("llm."))
    );
    assert_eq!(cc(dir.path(), &["validate", "."]).code, 0);
}

#[test]
fn a_status_the_requirement_demands_but_the_contract_lacks_is_kept_as_a_gap() {
    // REQ-INT-207 names no status; a requirements file that names 500 makes it a gap.
    let server = ScriptedServer::start(about(
        "REQ-X-1",
        r#"{"scenarios": [{"id": "teapot", "covers": ["REQ-X-1"], "kind": "fault", "given": {"auth": [{"on": {"method": "GET", "path": "/validate"}, "reply": {"status": 500}}]}, "when": {"path": "/resources/1", "headers": {"Authorization": "Bearer valid-token-abc"}}, "then": {"status": 500}}]}"#,
    ));
    let dir = bare_example(Some(&llm_block(&server, "")));
    std::fs::write(dir.path().join("requirements.md"), "- **REQ-X-1**: When the Authorization Service answers 500, the Resource API shall answer 500.\n").unwrap();
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(llm_section(&out, dir.path()));
    let file =
        std::fs::read_to_string(dir.path().join("scenarios/generated/llm.REQ-X-1.yaml")).unwrap();
    assert!(
        file.contains("# Contract gap: REQ-X-1 demands 500 from GET /resources/{id}"),
        "{file}"
    );
}

#[test]
fn rate_limits_and_server_errors_are_retried_honouring_retry_after() {
    let server = ScriptedServer::steps(vec![
        Step::rate_limited("1"),
        Step::error(
            500,
            "The server had an error while processing your request.",
        ),
        Step::answer(r#"{"scenarios": []}"#),
    ]);
    let dir = bare_example(Some(&llm_block(&server, "  concurrency: 1\n")));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("about 15 requirement(s) (1500 token(s), 1 request(s) retried)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        server.received().len(),
        17,
        "two failed attempts, then one request per requirement"
    );
}

#[test]
fn a_hang_past_the_timeout_fails_after_the_retries_with_a_clear_message() {
    let server = ScriptedServer::steps(vec![Step::Hang]);
    let dir = bare_example(Some(
        &llm_block(&server, "  timeout: 300ms\n  retries: 1\n").replace("  retries: 2\n", ""),
    ));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 3, "{}", out.all());
    insta::assert_snapshot!(common::stable(&out.stderr, &[dir.path()]));
    assert_eq!(server.received().len(), 2);
}

#[test]
fn retry_after_longer_than_max_wait_is_not_waited_for() {
    let server = ScriptedServer::steps(vec![Step::rate_limited("Wed, 21 Oct 2099 07:28:00 GMT")]);
    let dir = bare_example(Some(&llm_block(&server, "")));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains("longer than `llm.max_wait` (5 s)"),
        "{}",
        out.stderr
    );
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_server_that_rejects_json_schema_gets_json_mode_then_text() {
    // Rejects json_schema, then json_object; answers prose with a fenced block.
    let server = ScriptedServer::start(Arc::new(|body, _| {
        match body["response_format"]["type"].as_str() {
            Some("json_schema") => Step::error(
                400,
                "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            ),
            Some(_) => Step::error(400, "response_format is not supported by this server"),
            None if requirement_of(body) == "REQ-INT-214" => {
                Step::answer(format!("Sure! Here is one:\n```json\n{GOOD}\n```\n"))
            }
            None => Step::answer("```json\n{\"scenarios\": []}\n```"),
        }
    }));
    let dir = bare_example(Some(&llm_block(&server, "")));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(llm_section(&out, dir.path()));
    let formats: Vec<String> = server
        .received()
        .iter()
        .map(|r| {
            r.body["response_format"]["type"]
                .as_str()
                .unwrap_or("none")
                .to_owned()
        })
        .collect();
    assert_eq!(&formats[..3], ["json_schema", "json_object", "none"]);
    assert!(formats[3..].iter().all(|f| f == "none"), "{formats:?}");
}

#[test]
fn the_token_budget_stops_new_requests() {
    let server = ScriptedServer::steps(vec![Step::answer(r#"{"scenarios": []}"#)]);
    let dir = bare_example(Some(&llm_block(
        &server,
        "  token_budget: 150\n  concurrency: 1\n",
    )));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("the token budget (150 tokens) was spent: 13 requirement(s) not asked about"),
        "{}",
        out.stdout
    );
    assert_eq!(server.received().len(), 2);
}

#[test]
fn bad_settings_and_unknown_replays_are_bad_input() {
    let dir = bare_example(None);
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("`llm:` is not set; --llm needs the model to ask"),
        "{}",
        out.stderr
    );

    let server = ScriptedServer::steps(vec![Step::error(
        401,
        "Incorrect API key provided: sk-test-N***1234.",
    )]);
    let dir = bare_example(Some(&llm_block(&server, "")));
    let out = common::crosscheck(
        dir.path(),
        &["generate", ".", "--llm"],
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(out.code, 2, "{}", out.all());
    insta::assert_snapshot!("missing_key", common::stable(&out.stderr, &[dir.path()]));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 2, "{}", out.all());
    insta::assert_snapshot!("refused_key", common::stable(&out.stderr, &[dir.path()]));

    // A server that echoes the whole key in its error: the key is taken out.
    let echo = ScriptedServer::steps(vec![Step::error(
        401,
        &format!("Incorrect API key provided: {KEY}."),
    )]);
    let dir = bare_example(Some(&llm_block(&echo, "")));
    let out = cc(dir.path(), &["generate", ".", "--llm"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("Incorrect API key provided: [redacted]."),
        "{}",
        out.stderr
    );
    no_key_anywhere(dir.path(), &out);

    let cassette = dir.path().join("empty.json");
    std::fs::write(&cassette, r#"{"version": 1, "exchanges": []}"#).unwrap();
    let out = cc(
        dir.path(),
        &["generate", ".", "--llm-replay", cassette.to_str().unwrap()],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    insta::assert_snapshot!(
        "unknown_request",
        common::stable(&out.stderr, &[dir.path()])
    );
}

#[test]
fn without_llm_generate_is_unchanged() {
    let plain = bare_example(None);
    let server = ScriptedServer::steps(vec![Step::Hang]);
    let configured = bare_example(Some(&llm_block(&server, "")));
    let a = cc(plain.path(), &["generate", "."]);
    let b = cc(configured.path(), &["generate", "."]);
    assert_eq!(a.code, 0);
    assert_eq!(b.code, 0);
    assert_eq!(
        common::stable(&a.all(), &[plain.path()]),
        common::stable(&b.all(), &[configured.path()])
    );
    assert!(!b.stdout.contains("llm"), "{}", b.stdout);
    assert!(server.received().is_empty());
    let files = |d: &Path| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(d.join("scenarios/generated"))
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let text = std::fs::read_to_string(&p).unwrap();
                // The header names the contracts by path.
                let body = text.lines().skip(1).collect::<Vec<_>>().join("\n");
                (p.file_name().unwrap().to_string_lossy().into_owned(), body)
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(files(plain.path()), files(configured.path()));
}

/// The example's committed cassette.
fn example_cassette() -> PathBuf {
    common::example().join("llm/cassette.json")
}

/// Replays the committed cassette of the example into a bare copy (rule-based plus the
/// accepted proposals).
pub fn replay_example() -> (tempfile::TempDir, common::Output) {
    let dir = bare_example(Some(
        "llm:\n  base_url: http://127.0.0.1:9/v1\n  model: example-model\n  api_key_env: OPENAI_API_KEY\n",
    ));
    let out = common::crosscheck(
        dir.path(),
        &[
            "generate",
            ".",
            "--llm-replay",
            example_cassette().to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(300),
    );
    (dir, out)
}

#[test]
fn the_committed_cassette_of_the_example_replays_offline() {
    let (dir, out) = replay_example();
    assert_eq!(out.code, 0, "{}", out.all());
    insta::assert_snapshot!(llm_section(&out, dir.path()));
    let out = common::crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    assert_eq!(
        out.code,
        0,
        "every accepted proposal validates:\n{}",
        out.all()
    );
}

/// The committed cassette is what the real record path makes of the authored answers in
/// `examples/auth-resource/llm/answers/` (no real model: see docs/llm.md). After editing an
/// answer or the prompt, re-record with `CROSSCHECK_UPDATE_CASSETTE=1` set.
#[test]
fn the_committed_cassette_is_what_recording_the_authored_answers_gives() {
    let answers = common::example().join("llm/answers");
    let server = ScriptedServer::start(Arc::new(move |body, _| {
        let req = requirement_of(body);
        match std::fs::read_to_string(answers.join(format!("{req}.txt"))) {
            Ok(text) => Step::Answer {
                tokens: 600 + text.len() as u64 / 4,
                content: text,
            },
            Err(_) => Step::answer(r#"{"scenarios": []}"#),
        }
    }));
    let dir = bare_example(Some(&format!(
        "llm:\n  base_url: {}\n  model: example-model\n",
        server.base_url()
    )));
    let recorded = dir.path().join("recorded-cassette.json");
    let out = common::crosscheck(
        dir.path(),
        &["generate", ".", "--llm-record", recorded.to_str().unwrap()],
        &[],
        Duration::from_secs(300),
    );
    assert_eq!(out.code, 0, "{}", out.all());
    if std::env::var_os("CROSSCHECK_UPDATE_CASSETTE").is_some() {
        std::fs::copy(&recorded, example_cassette()).unwrap();
        return;
    }
    let parse = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    assert!(
        parse(&recorded) == parse(&example_cassette()),
        "examples/auth-resource/llm/cassette.json is stale: recording the authored answers \
         gives a different cassette; re-record with CROSSCHECK_UPDATE_CASSETTE=1"
    );
}

/// The side-effect bugs the accepted proposals of the
/// committed cassette catch (messages on the real Redis that `bash scripts/test` starts).
/// Since the rules read the counter and the stream the requirements name, the
/// rule-based scenarios catch them too (tests/generated.rs); both are asserted.
const CAUGHT_BY_LLM: &[(&str, &str, bool)] = &[
    (
        "counter_not_incremented",
        "llm-grant-is-counted-and-timed",
        false,
    ),
    (
        "no_event_on_grant",
        "llm-grant-publishes-one-event-after-the-auth-call",
        true,
    ),
    (
        "publish_before_decision",
        "llm-denial-never-publishes-a-grant",
        true,
    ),
];

#[test]
fn accepted_proposals_catch_the_side_effect_bugs() {
    let broker = std::env::var("CROSSCHECK_TEST_BROKER_URL")
        .ok()
        .filter(|v| !v.is_empty());
    if broker.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CROSSCHECK_TEST_BROKER_URL is not set: run `bash scripts/test`"
        );
        eprintln!("note: no broker: the two message bugs are not checked; run `bash scripts/test`");
    }
    let (dir, out) = replay_example();
    assert_eq!(out.code, 0, "{}", out.all());
    let env: Vec<(&str, &str)> = broker
        .as_deref()
        .map(|b| vec![("CROSSCHECK_BROKER_URL", b)])
        .unwrap_or_default();
    let run = |bug: Option<&str>, filter: Option<&str>| {
        let mut env = env.clone();
        if let Some(b) = bug {
            env.push(("RESOURCE_API_BUG", b));
        }
        let mut args = vec!["run", "."];
        if let Some(f) = filter {
            args.extend(["--filter", f]);
        }
        common::crosscheck(dir.path(), &args, &env, Duration::from_secs(600))
    };
    let correct = run(None, None);
    assert_eq!(
        correct.code,
        0,
        "rule-based + LLM must pass on the correct service:\n{}",
        correct.all()
    );
    for (bug, scenario, needs_broker) in CAUGHT_BY_LLM {
        if *needs_broker && broker.is_none() {
            continue;
        }
        let rules = run(Some(bug), Some("gen-"));
        assert_eq!(
            rules.code,
            1,
            "`{bug}`: the rule-based scenarios were expected to catch it too:\n{}",
            rules.all()
        );
        let both = run(Some(bug), None);
        assert!(
            both.code == 1
                && both
                    .stdout
                    .lines()
                    .any(|l| l.trim_start().starts_with(&format!("FAIL  {scenario}"))),
            "`{bug}`: expected `{scenario}` to fail:\n{}",
            both.all()
        );
    }
}
