//! Real specs from the shared corpus (`../shared/corpus` beside the checkout, or
//! `$CROSSCHECK_CORPUS`), read in place. Built only with the `conformance` feature, which
//! `scripts/conformance` turns on; it fails, never skips, when the corpus is missing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crosscheck_contract::{ContractError, load};

fn corpus(folder: &str) -> PathBuf {
    let root = match std::env::var_os("CROSSCHECK_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"),
    };
    // Canonical, so that files reached through `$ref`s are named under the same prefix.
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let dir = root.join(folder);
    assert!(
        dir.join("INDEX.tsv").is_file(),
        "the test corpus is missing: expected {} with an INDEX.tsv; the corpus sits beside the checkout at ../shared/corpus, or set CROSSCHECK_CORPUS",
        dir.display()
    );
    dir
}

/// One row of a corpus INDEX.tsv.
struct Row {
    file: PathBuf,
    name: String,
    kind: String,
    version: String,
    operations: usize,
}

/// The rows of `folder`'s index whose files are present (the corpus leaves some out).
fn index(folder: &str) -> Vec<Row> {
    let dir = corpus(folder);
    let text = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let file = dir.join(cols.first()?);
            file.is_file().then(|| Row {
                file,
                name: cols[0].to_owned(),
                kind: cols.get(1).copied().unwrap_or("").to_owned(),
                version: cols.get(2).copied().unwrap_or("").to_owned(),
                operations: cols.get(6).and_then(|n| n.parse().ok()).unwrap_or(0),
            })
        })
        .collect()
}

#[test]
fn github_3_0_loads_and_finds_operations() {
    let path = corpus("openapi-large").join("github/api.github.com.2022-07-18.octokit.json");
    let started = Instant::now();
    let c = load(&path).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "loaded GitHub's spec ({} operations) in {:?}",
        c.operations.len(),
        started.elapsed()
    );
    assert_eq!(c.source_format, "openapi 3.0.3");
    assert_eq!(c.operations.len(), 874);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(
        c.operations.iter().all(|o| o.line > 0),
        "every operation has a line"
    );

    let find = |m: &str, p: &str| c.find_operation(m, p).map(|o| o.path.as_str());
    assert_eq!(find("GET", "/user"), Some("/user"));
    assert_eq!(find("GET", "/users/octocat"), Some("/users/{username}"));
    assert_eq!(
        find("GET", "/repos/octocat/Hello-World/issues/1347?per_page=1"),
        Some("/repos/{owner}/{repo}/issues/{issue_number}")
    );
    assert_eq!(
        find("GET", "/repos/octocat/Hello-World/issues/comments"),
        Some("/repos/{owner}/{repo}/issues/comments")
    );
    assert_eq!(find("BREW", "/user"), None);

    let op = c.find_operation("GET", "/users/octocat").unwrap();
    assert_eq!(op.id.as_deref(), Some("users/get-by-username"));
    let not_found =
        br#"{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}"#;
    assert!(
        c.check_response(op, 404, Some("application/json; charset=utf-8"), not_found)
            .is_empty()
    );
    let v = c.check_response(op, 404, Some("application/json"), br#"{"message": 404}"#);
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].pointer, "/message");
    let v = c.check_response(op, 500, None, b"");
    assert_eq!(
        v[0].message,
        "status 500 is not documented for GET /users/{username} (documented: 200, 404)"
    );
}

#[test]
fn large_specs_load_with_the_indexed_operation_counts() {
    let rows = index("openapi-large");
    assert!(
        rows.len() >= 15,
        "only {} files of openapi-large are present",
        rows.len()
    );
    for row in &rows {
        let started = Instant::now();
        let result = load(&row.file);
        eprintln!("{:?}\t{}", started.elapsed(), row.name);
        match (row.kind.as_str(), result) {
            ("openapi" | "swagger", Ok(c)) => {
                assert_eq!(c.operations.len(), row.operations, "{}", row.name);
                assert!(
                    c.source_format.starts_with(&row.kind),
                    "{}: {}",
                    row.name,
                    c.source_format
                );
                if row.name == "discord/openapi.json" {
                    // Two real contradictions in Discord's spec: `enum: []`.
                    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
                    assert!(c.warnings.iter().all(|w| w.contains("`enum` is empty")));
                } else {
                    assert!(c.warnings.is_empty(), "{}: {:?}", row.name, c.warnings);
                }
            }
            ("ERROR", Err(ContractError::Syntax { line, .. })) => assert!(line > 0, "{}", row.name),
            (kind, result) => panic!(
                "{} ({kind}): unexpected {:?}",
                row.name,
                result.map(|c| c.operations.len())
            ),
        }
    }
}

#[test]
fn digitalocean_split_over_files_loads() {
    let path =
        corpus("openapi-large").join("digitalocean/specification/DigitalOcean-public.v2.yaml");
    let started = Instant::now();
    let c = load(&path).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("DigitalOcean: {:?}", started.elapsed());
    assert_eq!(c.operations.len(), 659);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let op = c.find_operation("GET", "/v2/droplets/42").unwrap();
    assert_eq!(op.id.as_deref(), Some("droplets_get"));
    // The 200 schema lives in resources/droplets/models/droplet.yml, three files away.
    let v = c.check_response(
        op,
        200,
        Some("application/json"),
        br#"{"droplet": {"id": "x"}}"#,
    );
    assert!(v.iter().any(|v| v.pointer == "/droplet/id"), "{v:?}");
    assert!(op.security);
}

#[test]
fn kubernetes_swagger_2_loads_as_the_same_model() {
    let path = corpus("openapi-large").join("kubernetes/swagger-v1.36.json");
    let c = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.source_format, "swagger 2.0");
    assert_eq!(c.operations.len(), 1123);
    let op = c
        .find_operation("POST", "/api/v1/namespaces/default/pods")
        .unwrap();
    let body = op.request_body.as_ref().expect("the body parameter");
    assert!(body.required);
    assert!(body.media.iter().any(|(m, s)| m == "*/*" && s.is_some()));
    assert!(op.parameters.iter().all(|p| p.name != "body"));
    let list = c
        .find_operation("GET", "/api/v1/namespaces/default/pods")
        .unwrap();
    let ok = br#"{"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []}"#;
    assert!(
        c.check_response(list, 200, Some("application/json"), ok)
            .is_empty()
    );
    let bad = br#"{"items": [{"metadata": {"name": 5}}]}"#;
    let v = c.check_response(list, 200, Some("application/json"), bad);
    assert_eq!(v[0].pointer, "/items/0/metadata/name", "{v:?}");
    assert!(c.security_scheme("BearerToken").is_some());
}

#[test]
fn invalid_github_copy_fails_at_the_trailing_comma() {
    let path = corpus("openapi-large")
        .join("github/api.github.com.2022-06-14.INVALID-trailing-comma.json");
    let err = load(&path).unwrap_err();
    let ContractError::Syntax {
        line,
        column,
        ref message,
        format,
        ..
    } = err
    else {
        panic!("{err}");
    };
    assert_eq!(
        (format, line, column, message.as_str()),
        ("JSON", 3632, 9, "trailing comma")
    );
    assert!(
        err.to_string().contains("INVALID-trailing-comma.json"),
        "{err}"
    );
}

/// Loads every indexed file of `folder` and compares the outcome with
/// `tests/corpus-expected/<folder>.tsv`: the files that must fail, each with the start of
/// its message (the folder's own path left out). Every other file must load. With
/// `CROSSCHECK_BLESS=1` the list is rewritten from what happened, to review in the diff.
fn every_file_loads_or_fails_as_expected(folder: &str, min_rows: usize) {
    let rows = index(folder);
    assert!(
        rows.len() >= min_rows,
        "only {} files of {folder} are present",
        rows.len()
    );
    let dir = corpus(folder);
    let prefix = format!("{}/", dir.display());
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/corpus-expected/{folder}.tsv"));
    let expected_text = std::fs::read_to_string(&expected_path).unwrap_or_default();
    let expected: std::collections::HashMap<&str, &str> = expected_text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect();
    let mut actual = String::from(
        "# file\tstart of the expected error (CROSSCHECK_BLESS=1 rewrites this list)\n",
    );
    let mut wrong = Vec::new();
    for row in &rows {
        let outcome = load(&row.file);
        let message = match &outcome {
            Ok(_) => None,
            Err(e) => {
                // Every error names a file of the corpus, and a place in it unless the
                // whole file is unreadable.
                assert!(
                    e.file().starts_with(&prefix),
                    "{}: the error names `{}`: {e}",
                    row.name,
                    e.file()
                );
                let text = e.to_string().replace(&prefix, "");
                let whole = matches!(
                    e,
                    ContractError::Syntax { .. } | ContractError::NotOpenApi { .. }
                );
                assert!(
                    whole || text.contains(" at `#/"),
                    "{}: no pointer in {text}",
                    row.name
                );
                let short: String = text.chars().take(160).collect();
                actual.push_str(&format!("{}\t{short}\n", row.name));
                Some(short)
            }
        };
        match (expected.get(row.name.as_str()), &message) {
            (None, None) => {}
            (Some(want), Some(got)) if got == want => {}
            (want, got) => wrong.push(format!(
                "{}: expected {}, got {}",
                row.name,
                want.map_or("to load".to_owned(), |w| format!("`{w}`")),
                got.as_ref()
                    .map_or("a contract".to_owned(), |g| format!("`{g}`"))
            )),
        }
    }
    if std::env::var_os("CROSSCHECK_BLESS").is_some() {
        std::fs::create_dir_all(expected_path.parent().unwrap()).unwrap();
        std::fs::write(&expected_path, actual).unwrap();
        return;
    }
    assert!(
        wrong.is_empty(),
        "{} unexpected outcomes:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn edge_cases_load_or_fail_as_expected() {
    every_file_loads_or_fails_as_expected("openapi-edge-cases", 400);
}

#[test]
fn oai_examples_load_or_fail_as_expected() {
    every_file_loads_or_fails_as_expected("oai-examples", 180);
}

#[test]
fn oai_examples_have_the_indexed_operation_counts_and_compile() {
    let mut checked = 0;
    for row in index("oai-examples") {
        if row.name.contains("/fail/") {
            continue;
        }
        let c = load(&row.file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.operations.len(), row.operations, "{}", row.name);
        assert!(
            c.compile_all().is_empty(),
            "{}: {:?}",
            row.name,
            c.compile_all()
        );
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} documents checked");
}

#[test]
fn documents_meant_to_pass_load_and_their_schemas_compile() {
    let rows = index("openapi-edge-cases");
    let mut checked = 0;
    for row in rows.iter().filter(|r| {
        r.name.contains("/3.0/pass/")
            || r.name.contains("/3.1/pass/")
            || r.name.contains("/valid/")
            || r.name.starts_with("readme-oas-examples/")
    }) {
        checked += 1;
        match load(&row.file) {
            Ok(c) => assert!(
                c.compile_all().is_empty(),
                "{}: {:?}",
                row.name,
                c.compile_all()
            ),
            Err(e) => panic!("{}: {e}", row.name),
        }
    }
    assert!(checked >= 100, "only {checked} passing documents found");
}

#[test]
fn circular_schemas_load_and_validate() {
    let dir = corpus("openapi-edge-cases");
    for name in [
        "readme-oas-examples/3.0/yaml/schema-circular.yaml",
        "readme-oas-examples/3.0/json/circular.json",
        "libopenapi/test_specs/circular-tests.yaml",
        "json-schema-ref-parser/test/specs/circular-extensive/schema.json",
        "openapi-spec-validator/tests/integration/data/v3.0/property-recursive.yaml",
    ] {
        let c = load(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.compile_all().is_empty(), "{name}: {:?}", c.compile_all());
    }
}

#[test]
fn yaml_bomb_is_refused_quickly() {
    let path =
        corpus("openapi-edge-cases").join("mermade-openapi3-examples/3.0/malicious/yamlbomb.yaml");
    let started = Instant::now();
    let err = load(&path).unwrap_err();
    assert!(matches!(err, ContractError::Syntax { .. }), "{err}");
    assert!(started.elapsed().as_secs() < 5);
}

/// `callbacks` of real specs, as `METHOD path: name expression [methods]` per line.
fn callbacks_of(folder: &str, file: &str) -> String {
    let c = load(&corpus(folder).join(file)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = String::new();
    for op in &c.operations {
        for cb in &op.callbacks {
            let methods: Vec<&str> = cb.operations.iter().map(|o| o.method.as_str()).collect();
            out.push_str(&format!(
                "{}: {} {} [{}]\n",
                op.label(),
                cb.name,
                cb.expression,
                methods.join(" ")
            ));
        }
        assert!(
            !c.operations.iter().any(|o| o.path.starts_with('{')),
            "{file}: a callback's operation is among the served ones"
        );
    }
    out
}

#[test]
fn corpus_callbacks_are_imported() {
    let oai = |f: &str| callbacks_of("oai-examples", f);
    let edge = |f: &str| callbacks_of("openapi-edge-cases", f);
    let streams = "POST /streams: onData {$request.query.callbackUrl}/data [POST]\n";
    assert_eq!(
        oai("learn.openapis.org/examples/v3.0/callback-example.yaml"),
        streams
    );
    assert_eq!(
        edge("mermade-openapi3-examples/3.0/pass/OAI/callback-example.yaml"),
        streams
    );
    assert_eq!(edge("readme-oas-examples/3.0/yaml/callbacks.yaml"), streams);
    assert_eq!(
        oai("learn.openapis.org/examples/v3.1/tictactoe.yaml"),
        "PUT /board/{row}/{column}: statusCallback {$request.header.progressUrl} [POST]\n"
    );
    // An early 3.0 draft wrote the key as a bare expression.
    assert_eq!(
        edge("mermade-openapi3-examples/3.0/pass/gluecon/example1_from_._New_callbacks.md.yaml"),
        "POST /subscribe: mainHook $request.body#/url [POST]\n"
    );
    // Through `$ref`s to `components/callbacks`.
    assert_eq!(
        edge("libopenapi/test_specs/advancecallbackreferences/min-openapi.yaml"),
        "GET /test: test /test-callback [GET]\n"
    );
    assert_eq!(
        edge("libopenapi/test_specs/burgershop.openapi.yaml"),
        "GET /burgers/{burgerId}: burgerCallback {$request.query.queryUrl} [POST]\n"
    );
}
