//! Small contracts written for these tests: 3.0 nullable, 3.1 type arrays, refs,
//! recursive schemas, ranges and default, and the errors for broken documents.

use std::path::{Path, PathBuf};

use crosscheck_contract::{Contract, ContractError, StatusKey, Violation, load};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn petstore() -> Contract {
    load(&fixture("petstore-3.0.yaml")).unwrap()
}

fn messages(v: &[Violation]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_operations_in_document_order_with_lines() {
    let c = petstore();
    assert_eq!((c.title.as_str(), c.version.as_str()), ("Petstore", "2"));
    assert_eq!(c.source_format, "openapi 3.0.3");
    let ops: Vec<(String, u32)> = c.operations.iter().map(|o| (o.label(), o.line)).collect();
    assert_eq!(
        ops,
        vec![
            ("GET /pets".to_owned(), 13),
            ("GET /pets/mine".to_owned(), 28),
            ("GET /pets/{id}".to_owned(), 40),
            ("DELETE /pets/{id}".to_owned(), 53),
            ("GET /categories/{id}".to_owned(), 59),
        ]
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn security_defaults_and_overrides() {
    let c = petstore();
    assert!(!c.operation_by_id("listPets").unwrap().security);
    assert!(c.operation_by_id("getPet").unwrap().security);
}

#[test]
fn finds_operations_most_specific_first_and_under_base_path() {
    let c = petstore();
    assert_eq!(
        c.find_operation("GET", "/pets/mine").unwrap().id.as_deref(),
        Some("myPets")
    );
    assert_eq!(
        c.find_operation("GET", "/pets/7?x=1")
            .unwrap()
            .id
            .as_deref(),
        Some("getPet")
    );
    assert_eq!(
        c.find_operation("GET", "/api/v2/pets/7")
            .unwrap()
            .id
            .as_deref(),
        Some("getPet")
    );
    assert!(c.find_operation("PUT", "/pets/7").is_none());
    assert!(c.find_operation("GET", "/pets/7/toys").is_none());
}

#[test]
fn path_parameter_from_ref_with_boolean_exclusive_minimum() {
    let c = petstore();
    let p = &c.operation_by_id("getPet").unwrap().parameters[0];
    assert_eq!(p.name, "id");
    assert!(p.required);
    assert_eq!(
        p.schema,
        Some(json!({"type": "integer", "exclusiveMinimum": 0}))
    );
}

#[test]
fn response_chains_resolve_and_named_examples_are_collected() {
    let c = petstore();
    let op = c.operation_by_id("getPet").unwrap();
    let ok = op.response_for(200).unwrap();
    assert_eq!(ok.description, "One pet.");
    let names: Vec<&str> = ok.examples.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["rex", "stray"]);
    for (name, value) in &ok.examples {
        let body = serde_json::to_vec(value).unwrap();
        let v = c.check_response(op, 200, Some("application/json"), &body);
        assert!(v.is_empty(), "example {name}: {:?}", messages(&v));
    }
}

#[test]
fn nullable_accepts_null_but_not_other_types() {
    let c = petstore();
    let op = c.find_operation("GET", "/pets/1").unwrap();
    let check = |body: &str| {
        messages(&c.check_response(op, 200, Some("application/json"), body.as_bytes()))
    };
    assert!(
        check(r#"{"id": 1, "name": "a", "tag": null, "weight": null, "owner": null}"#).is_empty()
    );
    assert!(check(r#"{"id": 1, "name": "a", "owner": {"name": "o"}}"#).is_empty());
    assert_eq!(
        check(r#"{"id": 1, "name": "a", "tag": 5}"#),
        [r#"at `/tag`: 5 is not of types "null", "string""#]
    );
    assert_eq!(
        check(r#"{"id": 0, "name": "a"}"#),
        ["at `/id`: 0 is less than or equal to the minimum of 0"]
    );
    let owner = check(r#"{"id": 1, "name": "a", "owner": {}}"#);
    assert!(!owner.is_empty(), "an owner without a name must fail");
    assert_eq!(
        check(r#"{"name": "a"}"#),
        [r#""id" is a required property"#]
    );
}

#[test]
fn recursive_schema_validates_deep_and_points_at_the_spot() {
    let c = petstore();
    let op = c.find_operation("GET", "/categories/1").unwrap();
    let body = br#"{"name": "a", "children": [{"name": "b", "children": [{"children": []}]}]}"#;
    let v = c.check_response(op, 200, Some("application/json"), body);
    assert_eq!(v.len(), 1, "{:?}", messages(&v));
    assert_eq!(v[0].pointer, "/children/0/children/0");
    assert_eq!(v[0].message, r#""name" is a required property"#);
    let schema = &op.responses[0].media[0].1.clone().unwrap();
    let standalone = c.standalone_schema(schema);
    assert_eq!(
        standalone["$defs"]["Category"]["properties"]["children"]["items"]["$ref"],
        "#/$defs/Category"
    );
}

#[test]
fn escaped_pointer_into_paths_resolves() {
    let c = petstore();
    let op = c.operation_by_id("myPets").unwrap();
    let v = c.check_response(
        op,
        200,
        Some("application/json"),
        br#"[{"id": 1, "name": "a"}, {"id": "x"}]"#,
    );
    let got = messages(&v);
    assert!(
        got.contains(&r#"at `/1`: "name" is a required property"#.to_owned()),
        "{got:?}"
    );
    assert!(
        got.contains(&r#"at `/1/id`: "x" is not of type "integer""#.to_owned()),
        "{got:?}"
    );
}

#[test]
fn status_must_be_documented_exactly_by_range_or_default() {
    let c = petstore();
    let get = c.operation_by_id("getPet").unwrap();
    assert_eq!(get.documented_statuses(), "200, 404, 4XX");
    let v = c.check_response(get, 500, Some("application/json"), b"{}");
    assert_eq!(
        messages(&v),
        ["status 500 is not documented for GET /pets/{id} (documented: 200, 404, 4XX)"]
    );
    // 404 is documented exactly, with its own media type.
    assert!(
        c.check_response(
            get,
            404,
            Some("application/problem+json"),
            br#"{"error": "no"}"#
        )
        .is_empty()
    );
    // 409 falls under 4XX.
    assert_eq!(get.response_for(409).unwrap().status, StatusKey::Range(4));
    let v = c.check_response(get, 409, Some("application/json"), br#"{"err": "x"}"#);
    assert_eq!(messages(&v), [r#""error" is a required property"#]);
    // Anything falls under default.
    let list = c.operation_by_id("listPets").unwrap();
    assert!(
        c.check_response(list, 503, Some("application/json"), br#"{"error": "down"}"#)
            .is_empty()
    );
}

#[test]
fn content_type_and_body_mismatches() {
    let c = petstore();
    let op = c.operation_by_id("getPet").unwrap();
    let v = c.check_response(op, 200, Some("text/html; charset=utf-8"), b"<html></html>");
    assert_eq!(
        messages(&v),
        [
            "content type `text/html` is not documented for status 200 of GET /pets/{id} (documented: application/json)"
        ]
    );
    let v = c.check_response(op, 200, Some("application/json"), b"{not json");
    assert_eq!(v.len(), 1);
    assert!(
        v[0].message.starts_with("the body is not valid JSON: "),
        "{}",
        v[0]
    );
    let v = c.check_response(op, 200, Some("application/json"), b"");
    assert_eq!(
        messages(&v),
        ["the body is empty, but status 200 of GET /pets/{id} documents a `application/json` body"]
    );
    let v = c.check_response(op, 200, None, br#"{"id": 1, "name": "a"}"#);
    assert_eq!(
        messages(&v),
        [
            "the response has a body but no Content-Type header (documented for status 200 of GET /pets/{id}: application/json)"
        ]
    );
}

#[test]
fn response_without_content_must_have_no_body() {
    let c = petstore();
    let op = c.operation_by_id("deletePet").unwrap();
    assert!(c.check_response(op, 204, None, b"").is_empty());
    let v = c.check_response(op, 204, Some("application/json"), b"{}");
    assert_eq!(
        messages(&v),
        [
            "status 204 of DELETE /pets/{id} is documented without content, but the response has a 2-byte body"
        ]
    );
}

#[test]
fn checks_from_many_threads_share_compiled_validators() {
    let c = petstore();
    let op = c.operation_by_id("getPet").unwrap();
    std::thread::scope(|s| {
        for i in 0..8 {
            let c = &c;
            s.spawn(move || {
                for _ in 0..50 {
                    let body = format!(r#"{{"id": {}, "name": "n"}}"#, i + 1);
                    assert!(
                        c.check_response(op, 200, Some("application/json"), body.as_bytes())
                            .is_empty()
                    );
                }
            });
        }
    });
    // A clone of an operation is still recognised and checked the same way.
    let cloned = op.clone();
    assert_eq!(
        c.check_response(&cloned, 200, Some("application/json"), b"{}")
            .len(),
        2
    );
}

#[test]
fn openapi_3_1_type_arrays_defs_and_tuples() {
    let c = load(&fixture("types-3.1.json")).unwrap();
    let op = c.find_operation("GET", "/things/x").unwrap();
    assert_eq!(op.line, 6);
    let r = op.response_for(200).unwrap();
    assert_eq!(r.examples[0].0, "example");
    let check = |body: &str| {
        messages(&c.check_response(op, 200, Some("application/json"), body.as_bytes()))
    };
    let example = serde_json::to_string(&r.examples[0].1).unwrap();
    assert!(check(&example).is_empty());
    assert_eq!(
        check(r#"{"id": "t", "note": 1}"#),
        [r#"at `/note`: 1 is not of types "null", "string""#]
    );
    assert_eq!(
        check(r#"{"id": "t", "point": [1, "2"]}"#),
        [r#"at `/point/1`: "2" is not of type "number""#]
    );
    assert_eq!(check(r#"{"id": "t", "point": [1, 2, 3]}"#).len(), 1);
    assert_eq!(
        check(r#"{"id": "t", "kind": "other"}"#),
        [r#"at `/kind`: "thing" was expected"#]
    );
    // 201 falls under 2XX, documented as text without a schema: no body checks.
    assert!(
        c.check_response(op, 201, Some("text/plain"), b"created")
            .is_empty()
    );
}

#[test]
fn in_place_ref_cycle_is_reported_with_its_chain() {
    let err = load(&fixture("cycle.yaml")).unwrap_err();
    assert!(matches!(err, ContractError::Cycle { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("cycle.yaml"), "{msg}");
    assert!(
        msg.contains("(#/components/schemas/A → #/components/schemas/B → #/components/schemas/A)"),
        "{msg}"
    );
}

#[test]
fn missing_ref_target_names_file_pointer_and_fix() {
    let err = load(&fixture("bad-ref.yaml")).unwrap_err();
    let ContractError::BadRef {
        ref pointer,
        ref target,
        ..
    } = err
    else {
        panic!("{err}");
    };
    assert_eq!(
        pointer,
        "/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
    );
    assert_eq!(target, "#/components/schemas/Missing");
    assert!(
        err.to_string().contains(
            "`#/components/schemas` has no `Missing`; fix the reference or add the definition"
        ),
        "{err}"
    );
}

#[test]
fn unreadable_and_malformed_files() {
    let err = load(&fixture("nope.yaml")).unwrap_err();
    assert!(matches!(err, ContractError::Io { .. }));
    assert!(err.to_string().starts_with("cannot read `"), "{err}");
    assert!(err.to_string().contains("nope.yaml"), "{err}");

    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'\npaths: {}\n";
    let err = crosscheck_contract::parse("api.yaml", text).unwrap_err();
    let ContractError::Syntax { line, format, .. } = err else {
        panic!("{err}");
    };
    assert_eq!(format, "YAML");
    assert!(line >= 2, "{err}");
    assert!(
        err.to_diagnostic(Some(text))
            .location()
            .starts_with("api.yaml:")
    );
}

#[test]
fn contract_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Contract>();
}

#[test]
fn openapi_3_2_self_is_the_base_of_references() {
    let c = load(&fixture("self-3.2/openapi.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.source_format, "openapi 3.2.0");
    let op = c.find_operation("GET", "/pets/7").unwrap();
    assert_eq!(op.parameters[0].name, "id");
    let json = Some("application/json");
    assert!(c.check_response(op, 200, json, br#"{"id": 7}"#).is_empty());
    let v = c.check_response(op, 200, json, br#"{"id": "7"}"#);
    assert_eq!(v[0].pointer, "/id", "{v:?}");
    // `https://pets.example.com/api/schemas/error.yaml` is the file beside the entry file.
    let v = c.check_response(op, 404, json, br#"{"code": 5}"#);
    assert_eq!(v[0].pointer, "/code", "{v:?}");
    assert!(
        c.check_response(op, 500, json, br#"{"code": "E"}"#)
            .is_empty()
    );

    // Read from text, the document still names itself; a neighbour cannot be read.
    let text = std::fs::read_to_string(fixture("self-3.2/openapi.yaml")).unwrap();
    let err = crosscheck_contract::parse("openapi.yaml", &text)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a `$ref` to another document (`schemas/error.yaml#/Error`) in a contract read from text"),
        "{err}"
    );
    // Another host stays remote, and is refused at its place.
    let remote = text.replace(
        "https://pets.example.com/api/schemas/error.yaml#/Error",
        "https://elsewhere.example.com/error.yaml#/Error",
    );
    let err = crosscheck_contract::parse("openapi.yaml", &remote)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("at `#/paths/~1pets~1{id}/get/responses/404/content/application~1json/schema/$ref`: a `$ref` to a remote document"),
        "{err}"
    );
}
