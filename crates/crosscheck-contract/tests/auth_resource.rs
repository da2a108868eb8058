//! The seed example's contracts (`examples/auth-resource/contracts/*.openapi.yaml`):
//! they load, their named examples conform to their own schemas, and the responses the
//! design names are checked as it says.

use std::path::{Path, PathBuf};

use crosscheck_contract::{Contract, StatusKey, load};

fn contracts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/auth-resource/contracts")
}

/// The contract `name`, or `None` (with a note) while the example is not written yet.
fn contract(name: &str) -> Option<Contract> {
    let path = contracts_dir().join(name);
    if !path.exists() {
        eprintln!("note: {} does not exist yet; skipping", path.display());
        return None;
    }
    Some(load(&path).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn every_example_contract_loads_and_its_examples_conform() {
    let Ok(entries) = std::fs::read_dir(contracts_dir()) else {
        eprintln!("note: no example contracts yet; skipping");
        return;
    };
    let mut seen = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".openapi.yaml") {
            continue;
        }
        seen += 1;
        let c = load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.operations.is_empty(), "{}", path.display());
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert!(c.compile_all().is_empty(), "{:?}", c.compile_all());
        for op in &c.operations {
            assert!(op.line > 0, "{} has no line", op.label());
            for r in &op.responses {
                let Some(status) = concrete(r.status) else {
                    continue;
                };
                // Text examples (e.g. Prometheus exposition) are checked as text.
                let media = r
                    .media
                    .first()
                    .map_or("application/json", |(m, _)| m.as_str());
                for (name, example) in &r.examples {
                    let body = match example {
                        serde_json::Value::String(text) if !media.contains("json") => {
                            text.clone().into_bytes()
                        }
                        other => serde_json::to_vec(other).unwrap(),
                    };
                    let v = c.check_response(op, status, Some(media), &body);
                    assert!(
                        v.is_empty(),
                        "{}: example `{name}` of {} {status} does not conform: {v:?}",
                        path.display(),
                        op.label()
                    );
                }
            }
        }
    }
    eprintln!("checked {seen} example contracts");
}

/// A concrete status to check an example with: the code, or the first of its range.
fn concrete(key: StatusKey) -> Option<u16> {
    match key {
        StatusKey::Code(c) => Some(c),
        StatusKey::Range(r) => Some(u16::from(r) * 100),
        StatusKey::Default => None,
    }
}

#[test]
fn resource_api_documents_the_design_statuses() {
    let Some(c) = contract("resource-api.openapi.yaml") else {
        return;
    };
    let op = c.find_operation("GET", "/resources/42").unwrap();
    assert_eq!(op.path, "/resources/{id}");
    assert!(op.security, "GET /resources/{{id}} needs credentials");
    for status in [200, 401, 403, 404, 503] {
        assert!(op.response_for(status).is_some(), "{status} is documented");
    }
    let granted = br#"{"access": "granted", "resource_id": "42", "user_id": "user-123"}"#;
    assert!(
        c.check_response(op, 200, Some("application/json"), granted)
            .is_empty()
    );
    let denied = br#"{"error": "ACCESS_DENIED"}"#;
    assert!(
        c.check_response(op, 403, Some("application/json"), denied)
            .is_empty()
    );
    let unavailable = br#"{"error": "SERVICE_UNAVAILABLE"}"#;
    assert!(
        c.check_response(op, 503, Some("application/json"), unavailable)
            .is_empty()
    );

    // A 503 must say SERVICE_UNAVAILABLE; a grant must say granted.
    assert!(
        !c.check_response(op, 503, Some("application/json"), denied)
            .is_empty()
    );
    let v = c.check_response(
        op,
        200,
        Some("application/json"),
        br#"{"access": "denied", "resource_id": "42", "user_id": "u"}"#,
    );
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/access");

    let v = c.check_response(op, 500, Some("application/json"), b"{}");
    assert_eq!(v.len(), 1);
    assert!(
        v[0].message.starts_with(
            "status 500 is not documented for GET /resources/{id} (documented: 200, 401, 403, 404"
        ),
        "{}",
        v[0].message
    );
    let v = c.check_response(op, 200, Some("text/html"), b"<p>granted</p>");
    assert!(
        v[0].message
            .starts_with("content type `text/html` is not documented"),
        "{v:?}"
    );
}

#[test]
fn auth_validate_offers_named_answers() {
    let Some(c) = contract("auth.openapi.yaml") else {
        return;
    };
    let op = c.find_operation("GET", "/validate").unwrap();
    let ok = op.response_for(200).unwrap();
    let names: Vec<&str> = ok.examples.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in ["valid", "invalid"] {
        assert!(names.contains(&wanted), "{names:?}");
    }
    // A body missing `user_id` does not conform: the double can stage it as a fault.
    let v = c.check_response(op, 200, Some("application/json"), br#"{"valid": true}"#);
    assert!(v.iter().any(|v| v.message.contains("user_id")), "{v:?}");
}
