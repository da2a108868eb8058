//! `crosscheck validate` prints what is wrong in a contract but does not stop a run (a
//! schema no value satisfies) as warnings, and still exits 0.

mod common;

use std::time::Duration;

const CONTRACT: &str = r#"openapi: 3.1.0
info: { title: w, version: "1" }
paths:
  /a:
    get:
      parameters:
        - { name: n, in: query, schema: { type: integer, minimum: 10, maximum: 1 } }
      responses:
        "200": { description: ok }
"#;

#[test]
fn contract_warnings_are_warnings_not_errors() {
    let dir = common::suite(&[
        (
            "crosscheck.yaml",
            "version: 1\nsut:\n  name: w\n  start: [\"true\"]\n  contract: api.yaml\nrequirements: requirements.md\nscenarios: scenarios/\n",
        ),
        ("api.yaml", CONTRACT),
        ("requirements.md", "- **REQ-1**: `GET /a` answers.\n"),
        (
            "scenarios/s.yaml",
            "id: a\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /a }\n",
        ),
    ]);
    let out = common::crosscheck(dir.path(), &["validate", "."], &[], Duration::from_secs(60));
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("1 scenario(s) and 1 requirement(s) are valid"),
        "{}",
        out.all()
    );
    let stderr = common::stable(&out.stderr, &[dir.path()]);
    insta::assert_snapshot!(stderr);
}
