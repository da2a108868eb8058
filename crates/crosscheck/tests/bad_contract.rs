//! Contracts that cannot be read: `crosscheck validate` names the contract file, the JSON
//! pointer and what to do, and exits 2. Also: a Swagger 2.0 contract split over two files
//! is read like any other.

mod common;

use std::time::Duration;

use common::{crosscheck, stable, suite};

const REQS: &str = "- **REQ-1**: The service shall answer its health check.\n";

const MAP: &str = r#"sut:
  name: tiny
  start: ["python3", "-m", "http.server", "${port}", "--bind", "127.0.0.1"]
  ready: { get: /, timeout: 10s }
  contract: contracts/api.yaml
"#;

const SCENARIO: &str =
    "id: health\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /health }\nthen: { status: 200 }\n";

fn validate(files: &[(&str, &str)]) -> (i32, String) {
    let mut all = vec![
        ("crosscheck.yaml", MAP),
        ("requirements.md", REQS),
        ("scenarios/s.yaml", SCENARIO),
    ];
    all.extend_from_slice(files);
    let dir = suite(&all);
    let out = crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    let shown = format!(
        "exit code: {}\n{}",
        out.code,
        stable(&out.stderr, &[dir.path()])
    );
    (out.code, shown)
}

#[test]
fn a_dangling_ref_into_another_file() {
    let (code, shown) = validate(&[
        (
            "contracts/api.yaml",
            "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /health:\n    get:\n      responses:\n        '200': { $ref: 'shared/responses.yaml#/Healthy' }\n",
        ),
        (
            "contracts/shared/responses.yaml",
            "Ok: { description: ok }\n",
        ),
    ]);
    assert_eq!(code, 2, "{shown}");
    assert!(
        shown.contains("`#/Ok`") || shown.contains("has no `Healthy`"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn a_circular_ref_across_files() {
    let (code, shown) = validate(&[
        (
            "contracts/api.yaml",
            "openapi: 3.0.3\ninfo: { title: t, version: '1' }\npaths:\n  /health:\n    get:\n      responses:\n        '200': { $ref: 'a.yaml' }\n",
        ),
        ("contracts/a.yaml", "$ref: 'b.yaml'\n"),
        ("contracts/b.yaml", "$ref: 'a.yaml'\n"),
    ]);
    assert_eq!(code, 2, "{shown}");
    assert!(shown.contains("cycle"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn a_split_swagger_2_contract_is_read() {
    let (code, shown) = validate(&[
        (
            "contracts/api.yaml",
            "swagger: '2.0'\ninfo: { title: t, version: '1' }\npaths:\n  /health:\n    get:\n      produces: [application/json]\n      responses:\n        200: { description: ok, schema: { $ref: 'defs.yaml#/Health' } }\n",
        ),
        (
            "contracts/defs.yaml",
            "Health: { type: object, x-nullable: true }\n",
        ),
    ]);
    assert_eq!(code, 0, "{shown}");
}
