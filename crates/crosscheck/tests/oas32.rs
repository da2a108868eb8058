//! An OpenAPI 3.2 contract end to end: `init`, `generate`, `validate` and `run`, with the
//! `QUERY` method, a custom method from `additionalOperations` and an `in: querystring`
//! parameter. The service under test is `crosscheck mock` serving the same contract (it
//! checks every request against it, including the whole query string), so the generated
//! suite passes; the same suite against a mock serving a looser contract fails where the
//! querystring's bound was dropped.

mod common;

use std::path::Path;
use std::time::Duration;

fn cc(dir: &Path, args: &[&str]) -> common::Output {
    common::crosscheck(dir, args, &[], Duration::from_secs(300))
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oas32/petstore.yaml")
}

/// `init` + `generate` into `dir/suite`, the service being a mock serving `served`.
fn suite(dir: &Path, served: &Path) {
    let contract = fixture();
    let out = cc(
        dir,
        &["init", "--contract", contract.to_str().unwrap(), "suite"],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let map_path = dir.join("suite/crosscheck.yaml");
    let map = std::fs::read_to_string(&map_path).unwrap();
    let start = format!(
        "start: [{:?}, \"mock\", {:?}, \"--port\", \"${{port}}\"]",
        env!("CARGO_BIN_EXE_crosscheck"),
        served.to_str().unwrap()
    );
    let map = map
        .replace("start: [\"TODO-start-command\"]", &start)
        .replace("TODO-test-key", "test-key");
    std::fs::write(&map_path, map).unwrap();
    let out = cc(dir, &["generate", "suite"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("REQ-PETSTORE-002 → QUERY /pets")
            && out.stdout.contains("REQ-PETSTORE-004 → COPY /pets/{id}"),
        "{}",
        out.stdout
    );
}

fn generated(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("suite/scenarios/generated").join(file)).unwrap()
}

#[test]
fn a_3_2_contract_inits_generates_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    suite(dir.path(), &fixture());

    // QUERY with the whole query string written from the querystring's schema, and the
    // custom COPY method.
    let search = generated(dir.path(), "searchPets.positive.yaml");
    assert!(search.contains("method: QUERY"), "{search}");
    assert!(search.contains("path: \"/pets?species="), "{search}");
    let bad = generated(dir.path(), "searchPets.negative.yaml");
    assert!(
        bad.contains("id: gen-searchPets-bad-filter-maximum")
            && bad.contains("limit=51")
            && bad.contains("status: 400"),
        "{bad}"
    );
    let copy = generated(dir.path(), "copyPet.positive.yaml");
    assert!(copy.contains("method: COPY"), "{copy}");

    let out = cc(dir.path(), &["validate", "suite"]);
    assert_eq!(out.code, 0, "{}", out.all());

    let out = cc(dir.path(), &["run", "suite"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains(" passed, 0 failed"), "{}", out.stdout);
}

#[test]
fn a_service_that_accepts_what_the_querystring_forbids_fails_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    // The "service" accepts limits up to 500 where the contract allows 50.
    let loose = dir.path().join("loose.yaml");
    let text = std::fs::read_to_string(fixture()).unwrap();
    let broken = text.replace(
        "limit: { type: integer, minimum: 1, maximum: 50 }",
        "limit: { type: integer, minimum: 1, maximum: 500 }",
    );
    assert_ne!(broken, text, "the fixture changed; update this test");
    std::fs::write(&loose, broken).unwrap();
    suite(dir.path(), &loose);
    let out = cc(dir.path(), &["run", "suite"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout
            .contains("FAIL gen-searchPets-bad-filter-maximum"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("✗ status: expected 400, got 200"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("QUERY http://127.0.0.1:")
            && out.stdout.contains("/pets?species=dog&limit=51"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 failed"), "{}", out.stdout);
}
