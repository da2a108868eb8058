//! Every seeded bug of the example service is caught by a hand-written scenario, with a
//! message that says what went wrong in words. One test per bug.

mod common;

/// Runs the example with `bug` on and checks that `scenario` fails on `check`, with a
/// message containing `words`.
fn caught(bug: &str, scenario: &str, check: &str, words: &str) -> String {
    let out = common::run_example(Some(bug), &[]);
    assert_eq!(
        out.code,
        1,
        "bug `{bug}` should fail the run:\n{}",
        out.all()
    );
    let fail_line = format!("FAIL  {scenario}");
    assert!(
        out.stdout.contains(&fail_line),
        "bug `{bug}`: expected scenario `{scenario}` to fail:\n{}",
        out.stdout
    );
    // The failure details section names the check and says what differed.
    let details = out
        .stdout
        .split("\nFAIL ")
        .find(|section| section.starts_with(scenario))
        .unwrap_or_else(|| panic!("no failure details for `{scenario}`:\n{}", out.stdout));
    assert!(
        details.contains(&format!("✗ {check}")) || details.contains(&format!(": {check}: ")),
        "bug `{bug}`: expected a failed `{check}` check in `{scenario}`:\n{details}"
    );
    assert!(
        details.contains(words),
        "bug `{bug}`: expected the words {words:?} in:\n{details}"
    );
    // Secrets stay masked in every report.
    for token in ["valid-token-abc", "invalid-token-xyz", "expired-token-old"] {
        assert!(
            !out.stdout.contains(token),
            "bug `{bug}`: the token `{token}` leaked into the report"
        );
    }
    details.to_owned()
}

macro_rules! bug {
    ($name:ident, $scenario:literal, $check:literal, $words:literal) => {
        #[test]
        fn $name() {
            let _ = caught(
                stringify!($name).trim_start_matches("bug_"),
                $scenario,
                $check,
                $words,
            );
        }
    };
}

bug!(
    fail_open_on_5xx,
    "auth-500-fails-closed",
    "status",
    "expected 503, got 200"
);
bug!(
    no_timeout,
    "auth-timeout-is-503-in-time",
    "response",
    "no response within 2s"
);
bug!(
    audit_missing_user_id,
    "valid-token-grants-access",
    "logs",
    "user_id: expected \"user-123\", but it is absent"
);
bug!(
    token_in_log,
    "valid-token-grants-access",
    "logs",
    "expected no log line containing"
);
bug!(
    token_in_stderr,
    "invalid-token-denied",
    "logs",
    "expected no log line containing"
);
bug!(
    token_in_response,
    "invalid-token-denied",
    "body",
    "expected not (a value containing"
);
bug!(
    grant_when_valid_absent,
    "auth-valid-missing-fails-closed",
    "status",
    "expected 503, got 200"
);
bug!(
    grant_without_user_id,
    "auth-user-id-missing-fails-closed",
    "status",
    "expected 503, got 200"
);
bug!(
    grant_on_malformed,
    "auth-garbage-body-fails-closed",
    "status",
    "expected 503, got 200"
);
bug!(
    double_validate,
    "valid-token-grants-access",
    "calls auth",
    "expected exactly 1 call to GET /validate on `auth`, saw 2"
);
bug!(
    retry_on_error,
    "auth-reset-fails-closed",
    "calls auth",
    "saw 2"
);
bug!(
    missing_header_calls_auth,
    "missing-header-is-401-without-auth-call",
    "calls auth",
    "expected no call"
);
bug!(
    token_not_forwarded,
    "valid-token-grants-access",
    "calls auth",
    "header authorization: expected \"***\", but it is absent"
);
bug!(
    bug_500_instead_of_503,
    "auth-500-fails-closed",
    "status",
    "expected 503, got 500"
);
/// The whole failure report for one bug is pinned, so that what a person reads changes only
/// on purpose.
#[test]
fn wrong_error_body() {
    let details = caught(
        "wrong_error_body",
        "invalid-token-denied",
        "json $.error",
        "expected \"ACCESS_DENIED\", got \"FORBIDDEN\"",
    );
    let uuid =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let stamp = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let text = common::stable(&format!("FAIL {details}"), &[]);
    let text = uuid.replace_all(&text, "[UUID]");
    let text = stamp.replace_all(&text, "[TIMESTAMP]");
    insta::assert_snapshot!(text);
}
bug!(
    bug_401_for_invalid_token,
    "invalid-token-denied",
    "status",
    "expected 403, got 401"
);
bug!(
    no_audit_on_grant,
    "valid-token-grants-access",
    "logs",
    "no log line"
);
bug!(
    deny_audited_as_grant,
    "invalid-token-denied",
    "logs",
    "expected no log line {decision: \"grant\"}"
);
bug!(
    timestamp_not_rfc3339,
    "valid-token-grants-access",
    "logs",
    "timestamp: expected a date-time string"
);
bug!(
    slow_response,
    "valid-token-grants-access",
    "within",
    "more than the 1s allowed"
);

/// The side-effect bugs, against real PostgreSQL and Redis. One test runs them in turn,
/// since they share the database and the stream: the correct service first, then each
/// bug, whose scenario must fail on `check` with the probe's reading in the message.
#[test]
fn side_effect_bugs_are_caught_on_real_servers() {
    let Some(ok) = common::run_example_on_servers(None) else {
        return;
    };
    assert_eq!(ok.code, 0, "the correct service must pass:\n{}", ok.all());
    assert!(
        ok.stdout.contains("3 scenario(s): 3 passed"),
        "the three side-effect scenarios must run:\n{}",
        ok.stdout
    );
    for (bug, scenario, check, words) in [
        (
            "grant_row_on_denial",
            "denial-is-stored-as-denial",
            "sql",
            "no new row matches entry 1 {decision: \"deny\"}",
        ),
        (
            "half_write_on_auth_failure",
            "auth-failure-stores-nothing",
            "sql",
            "expected the rows to be unchanged by the request, but they changed",
        ),
        (
            "publish_before_decision",
            "grant-is-stored-counted-and-published",
            "order",
            "expected `decision-row` before `access-event`",
        ),
        (
            "no_event_on_grant",
            "grant-is-stored-counted-and-published",
            "messages access-events",
            "nothing was published to `access-events`",
        ),
        (
            "counter_not_incremented",
            "grant-is-stored-counted-and-published",
            "metrics resource_api_decisions_total",
            "was 0 before the request and 0 after",
        ),
    ] {
        let out = common::run_example_on_servers(Some(bug)).expect("servers checked above");
        assert_eq!(
            out.code,
            1,
            "bug `{bug}` should fail the run:\n{}",
            out.all()
        );
        let details = out
            .stdout
            .split("\nFAIL ")
            .find(|section| section.starts_with(scenario))
            .unwrap_or_else(|| {
                panic!(
                    "bug `{bug}`: no failure details for `{scenario}`:\n{}",
                    out.stdout
                )
            });
        assert!(
            details.contains(&format!("✗ {check}")) || details.contains(&format!(": {check}: ")),
            "bug `{bug}`: expected a failed `{check}` check in `{scenario}`:\n{details}"
        );
        assert!(
            details.contains(words),
            "bug `{bug}`: expected the words {words:?} in:\n{details}"
        );
    }
}
bug!(
    grant_when_unreachable,
    "auth-refuses-connections-fails-closed-fast",
    "status",
    "expected 503, got 200"
);
