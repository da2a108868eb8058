//! The README's first command: the bundled example passes end to end.

mod common;

#[test]
fn the_example_suite_passes_on_the_correct_service() {
    let out = common::run_example(None, &[]);
    assert_eq!(out.code, 0, "expected a passing run:\n{}", out.all());
    assert!(
        out.stdout.contains("valid-token-grants-access"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(" 0 failed"), "{}", out.stdout);
    assert!(!out.stdout.contains("FAIL"), "{}", out.stdout);
}

#[test]
fn validate_accepts_the_example() {
    let out = common::crosscheck(
        &common::repo(),
        &["validate", "examples/auth-resource"],
        &[],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("are valid"), "{}", out.stdout);
}

#[test]
fn a_filter_runs_only_matching_scenarios() {
    let out = common::run_example(None, &["-k", "auth-timeout"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("auth-timeout-is-503-in-time"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("valid-token-grants-access"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("skipped"), "{}", out.stdout);
}
