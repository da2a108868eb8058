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
        rows.len() >= 10,
        "only {} files of openapi-large are present",
        rows.len()
    );
    for row in &rows {
        let started = Instant::now();
        let result = load(&row.file);
        eprintln!("{:?}\t{}", started.elapsed(), row.name);
        match (row.kind.as_str(), result) {
            ("openapi", Ok(c)) => {
                assert_eq!(c.operations.len(), row.operations, "{}", row.name);
                assert!(c.warnings.is_empty(), "{}: {:?}", row.name, c.warnings);
            }
            // DigitalOcean's spec spreads over ~2,900 files; other files come later.
            ("openapi", Err(ContractError::Unsupported { what, .. }))
                if row.name.starts_with("digitalocean/") =>
            {
                assert!(what.contains("another document"), "{what}");
            }
            ("swagger", Err(e)) => {
                assert!(
                    e.to_string().contains("swagger 2.0 is not supported yet"),
                    "{e}"
                );
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

#[test]
fn edge_cases_never_panic_and_errors_name_the_file() {
    let rows = index("openapi-edge-cases");
    assert!(
        rows.len() >= 100,
        "only {} files of openapi-edge-cases are present",
        rows.len()
    );
    let (mut ok, mut failed) = (0, 0);
    for row in &rows {
        match load(&row.file) {
            Ok(_) => ok += 1,
            Err(e) => {
                failed += 1;
                let shown = row.file.display().to_string();
                assert!(e.to_string().contains(&shown), "{}: {e}", row.name);
                if row.kind == "swagger" && row.version == "2.0" {
                    assert!(
                        e.to_string().contains("swagger 2.0 is not supported yet"),
                        "{e}"
                    );
                }
            }
        }
    }
    eprintln!("{ok} loaded, {failed} refused");
}

#[test]
fn documents_meant_to_pass_load_and_their_schemas_compile() {
    let rows = index("openapi-edge-cases");
    let mut checked = 0;
    for row in rows.iter().filter(|r| {
        r.kind == "openapi"
            && (r.name.contains("/3.0/pass/")
                || r.name.contains("/3.1/pass/")
                || r.name.starts_with("readme-oas-examples/3."))
    }) {
        checked += 1;
        match load(&row.file) {
            Ok(c) => assert!(
                c.compile_all().is_empty(),
                "{}: {:?}",
                row.name,
                c.compile_all()
            ),
            // References to other files come with multi-file support.
            Err(ContractError::Unsupported { what, .. }) if what.contains("another document") => {}
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

#[test]
fn swagger_2_0_is_not_supported_yet() {
    let path = corpus("openapi-large").join("kubernetes/swagger-v1.36.json");
    let err = load(&path).unwrap_err();
    assert!(matches!(err, ContractError::Unsupported { .. }));
    assert!(
        err.to_string()
            .contains("swagger 2.0 is not supported yet; convert it to OpenAPI 3 first"),
        "{err}"
    );
}
