//! `crosscheck init`: a suite scaffolded from contracts, with TODOs where only a person
//! knows the answer (how to start the service, where it logs).

use crosscheck_contract::{Contract, SecurityKind};

/// A contract and the path the suite will name it by (relative to the suite root).
#[derive(Debug, Clone, Copy)]
pub struct InitContract<'a> {
    /// The path as written into `crosscheck.yaml`.
    pub path: &'a str,
    /// The contract.
    pub contract: &'a Contract,
}

/// The files of a new suite: `crosscheck.yaml`, `requirements.md` and an empty
/// `scenarios/` folder (kept by `scenarios/.gitkeep`). The first contract is the
/// service's; the others are its dependencies, each doubled by a mock.
pub fn scaffold(contracts: &[InitContract<'_>]) -> Vec<(String, String)> {
    let Some((sut, deps)) = contracts.split_first() else {
        return Vec::new();
    };
    let sut_name = crate::build::slug(&sut.contract.title.to_lowercase());
    let sut_name = if sut_name.is_empty() {
        "service".to_owned()
    } else {
        sut_name
    };
    let dep_names: Vec<String> = deps
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let s = crate::build::slug(&d.contract.title.to_lowercase());
            if s.is_empty() {
                format!("dependency-{}", i + 1)
            } else {
                s
            }
        })
        .collect();
    let ready = sut
        .contract
        .operations
        .iter()
        .find(|o| o.method == "GET" && !o.path.contains('{') && !o.security)
        .map(|o| o.path.clone())
        .unwrap_or_else(|| "/".to_owned());

    let mut map = String::new();
    map.push_str("# The system map: the service under test and its dependencies.\n");
    map.push_str(
        "# Scaffolded by `crosscheck init`; fill in every TODO, then run `crosscheck validate`.\n",
    );
    map.push_str("version: 1\nsut:\n");
    map.push_str(&format!("  name: {sut_name}\n"));
    map.push_str(
        "  # TODO: the command that starts the service, as an argument list. `${port}` is a\n",
    );
    map.push_str(
        "  # free port, `${deps.<name>.url}` a double's URL, `${dir}` a fresh folder per run.\n",
    );
    map.push_str("  start: [\"TODO-start-command\"]\n");
    map.push_str("  url: http://127.0.0.1:${port}\n");
    map.push_str(&format!("  # TODO: a path that answers 2xx once the service is ready.\n  ready: {{ get: {ready}, timeout: 10s }}\n"));
    map.push_str("  # TODO: how the service learns its port and its dependencies' URLs.\n  env:\n    PORT: \"${port}\"\n");
    for name in &dep_names {
        let var = name.to_uppercase().replace('-', "_");
        map.push_str(&format!("    {var}_URL: \"${{deps.{name}.url}}\"\n"));
    }
    map.push_str(&format!("  contract: {}\n", sut.path));
    map.push_str(
        "  # TODO: where the service writes JSON log lines, so scenarios can assert on them:\n",
    );
    map.push_str("  # logs: { file: \"${dir}/service.log\", format: json }\n");
    if !deps.is_empty() {
        map.push_str("dependencies:\n");
        for (d, name) in deps.iter().zip(&dep_names) {
            map.push_str(&format!(
                "  {name}: {{ contract: {}, double: mock }}\n",
                d.path
            ));
        }
    }
    let mut creds = String::new();
    for s in &sut.contract.security_schemes {
        let (header, value) = match &s.kind {
            SecurityKind::Http { scheme, .. } if scheme == "bearer" => (
                "Authorization".to_owned(),
                "Bearer TODO-test-token".to_owned(),
            ),
            SecurityKind::Http { scheme, .. } if scheme == "basic" => {
                ("Authorization".to_owned(), "Basic VE9ETzp0ZXN0".to_owned())
            }
            SecurityKind::ApiKey { location, name } if location == "header" => {
                (name.clone(), "TODO-test-key".to_owned())
            }
            _ => continue,
        };
        creds.push_str(&format!(
            "  {}: {{ header: {header}, value: \"{value}\" }}\n",
            s.name
        ));
    }
    if !creds.is_empty() {
        map.push_str("# TODO: test credentials the service accepts (generated scenarios send them).\ncredentials:\n");
        map.push_str(&creds);
    }
    map.push_str("requirements: requirements.md\nscenarios: scenarios/\n");

    let mut reqs = String::new();
    reqs.push_str(&format!("# {}: requirements\n\n", sut.contract.title));
    reqs.push_str("Scaffolded by `crosscheck init` from the contracts: one requirement per operation and one per\n");
    reqs.push_str("dependency. Replace them with your own words; `crosscheck generate` reads statuses, error\n");
    reqs.push_str("codes, fields, bounds (\"within 2 seconds\") and effects (\"log\", \"shall not call\") from them.\n\n");
    let prefix = sut_name
        .to_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(8)
        .collect::<String>();
    for (n, op) in sut.contract.operations.iter().enumerate() {
        let id = op
            .id
            .as_deref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default();
        let summary = if op.summary.is_empty() {
            String::new()
        } else {
            format!(" — {}", op.summary.trim_end_matches('.'))
        };
        reqs.push_str(&format!(
            "- **REQ-{prefix}-{:03}**: Every call of `{}`{id} shall be answered as its contract documents{summary}.\n",
            n + 1,
            op.label()
        ));
    }
    for (i, (d, name)) in deps.iter().zip(&dep_names).enumerate() {
        reqs.push_str(&format!(
            "- **REQ-{prefix}-D{:02}**: When {name} ({}) does not answer, answers an error status, resets or refuses the connection, or answers an empty body, a body that is not JSON or one that breaks its contract, the service shall fail closed and never report success.\n",
            i + 1,
            d.contract.title
        ));
    }
    vec![
        ("crosscheck.yaml".to_owned(), map),
        ("requirements.md".to_owned(), reqs),
        ("scenarios/.gitkeep".to_owned(), String::new()),
    ]
}
