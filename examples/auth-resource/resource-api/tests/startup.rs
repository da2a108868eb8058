//! Configuration, readiness, the stdout audit sink, and the docs that must agree with the code.

mod support;

use std::process::Stdio;
use std::time::Duration;

use support::sut::binary;
use support::*;

/// Runs the binary with `env` and expects it to exit; returns (exit code, stderr).
async fn run_to_exit(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = binary();
    command
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let output = tokio::time::timeout(Duration::from_secs(10), command.output())
        .await
        .expect("the binary exits on bad configuration")
        .expect("run resource-api");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn missing_auth_url_exits_2_with_a_clear_message() {
    let (code, stderr) = run_to_exit(&[("PORT", "0")]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("AUTH_URL is not set"), "{stderr}");
}

#[tokio::test]
async fn bad_values_exit_2() {
    for env in [
        [("AUTH_URL", "not a url"), ("PORT", "0")],
        [("AUTH_URL", "http://127.0.0.1:1"), ("PORT", "99999")],
        [
            ("AUTH_URL", "http://127.0.0.1:1"),
            ("AUTH_TIMEOUT_MS", "soon"),
        ],
        [
            ("AUTH_URL", "http://127.0.0.1:1"),
            ("AUDIT_LOG", "/nonexistent-dir-for-resource-api/audit.jsonl"),
        ],
    ] {
        let (code, stderr) = run_to_exit(&env).await;
        assert_eq!(code, Some(2), "{env:?}: {stderr}");
        assert!(stderr.starts_with("resource-api: "), "{stderr}");
    }
}

/// The bug names the binary lists for an unknown name.
async fn listed_bug_names() -> Vec<String> {
    let (code, stderr) = run_to_exit(&[
        ("AUTH_URL", "http://127.0.0.1:1"),
        ("RESOURCE_API_BUG", "no_such_bug"),
    ])
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("unknown seeded bug `no_such_bug`"),
        "{stderr}"
    );
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn unknown_bug_exits_2_and_lists_the_valid_names() {
    let names = listed_bug_names().await;
    assert!(names.len() >= 12, "{names:?}");
    for expected in [
        "fail_open_on_5xx",
        "no_timeout",
        "500_instead_of_503",
        "slow_response",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[tokio::test]
async fn every_bug_is_documented_in_the_readme() {
    let readme = include_str!("../../README.md");
    let (_, bugs_section) = readme
        .split_once("## Seeded bugs")
        .expect("README has a Seeded bugs section");
    let documented: Vec<&str> = bugs_section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
        .collect();
    let listed = listed_bug_names().await;
    assert_eq!(documented, listed, "README bug table and Bug::ALL differ");
}

#[test]
fn requirements_are_one_line_each() {
    let text = include_str!("../../requirements.md");
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("- **"))
        .map(|rest| {
            let (id, text) = rest.split_once("**: ").expect("`- **ID**: text` form");
            assert!(!text.trim().is_empty(), "{id} has text");
            id
        })
        .collect();
    assert!(ids.contains(&"REQ-INT-201"), "{ids:?}");
    assert!(ids.len() >= 9, "{ids:?}");
    assert!(text.contains(
        "- **REQ-INT-201**: When the Authorization Service receives a valid token, the Resource \
         API shall grant access and log the request with user ID and timestamp."
    ));
}

#[tokio::test]
async fn readiness_line_and_seeded_bug_line() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start(auth.url(), &[("RESOURCE_API_BUG", "no_timeout")]).await;
    assert!(sut.url.starts_with("http://127.0.0.1:"), "{}", sut.url);
    assert_ne!(sut.url, "http://127.0.0.1:0");
    // Ready means ready: the first request right after the line succeeds.
    assert_eq!(sut.get("/healthz", None).await.status, 200);
    let finished = sut.finish().await;
    assert!(
        finished
            .stderr
            .starts_with("resource-api: seeded bug no_timeout active\nresource-api listening on "),
        "{}",
        finished.stderr
    );
}

#[tokio::test]
async fn without_audit_log_audit_lines_go_to_stdout() {
    let auth = FakeAuth::start(valid_reply()).await;
    let sut = Sut::start_with(auth.url(), false, &[]).await;

    let answer = sut.get("/resources/5", Some("Bearer tok-stdout")).await;
    assert_eq!(answer.status, 200);
    assert!(
        sut.stdout
            .wait_for(answer.request_id(), Duration::from_secs(5))
            .await,
        "audit line on stdout"
    );
    let finished = sut.finish().await;
    let lines: Vec<Value> = finished
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("stdout holds only JSON audit lines"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["decision"], "grant");
    assert_eq!(lines[0]["user_id"], "user-123");
    finished.assert_never_shows("tok-stdout");
}
