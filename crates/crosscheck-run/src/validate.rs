//! Cross-file checks: what `crosscheck validate` reports and `crosscheck run` refuses
//! to start with. Each check points at the line to fix.

use std::collections::HashMap;

use crosscheck_model::suggest::closest;
use crosscheck_model::system_map::LogFormat;
use crosscheck_model::{Diagnostic, Located};

use crate::suite::{LoadedScenario, Suite};

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

/// Every problem in the suite, in file order.
pub fn validate(suite: &Suite) -> Vec<Diagnostic> {
    let mut out = variables(suite);
    let mut seen: HashMap<&str, &LoadedScenario> = HashMap::new();
    for loaded in &suite.scenarios {
        let at = |loc: &Located<String>, msg: String| {
            let text = suite
                .sources
                .get(&loaded.file)
                .map(String::as_str)
                .unwrap_or("");
            Diagnostic::at(&loaded.file, text, loc.line, loc.column, msg)
        };
        let s = &loaded.scenario;
        out.extend(crate::proxies::check_scenario(suite, loaded, &at));
        out.extend(crate::refusing::check(
            suite,
            loaded,
            suite.sources.get(&loaded.file).map_or("", String::as_str),
            &at,
        ));
        out.extend(crate::validate_captures::check(
            loaded,
            suite.sources.get(&loaded.file).map_or("", String::as_str),
        ));
        out.extend(crate::validate_deps::check(
            suite,
            loaded,
            suite.sources.get(&loaded.file).map_or("", String::as_str),
        ));
        if let Some(first) = seen.insert(s.id.value.as_str(), loaded) {
            out.push(
                at(&s.id, format!("scenario id `{}` is used twice", s.id.value)).with_help(
                    format!(
                        "ids must be unique; the first is in {}:{}",
                        first.file, first.scenario.id.line
                    ),
                ),
            );
        }

        if s.covers.is_empty() {
            out.push(
                at(&s.id, format!("scenario `{}` covers no requirement", s.id.value))
                    .with_help("add `covers: [REQ-…]` naming the requirement it verifies, so every test traces to one"),
            );
        }
        for id in &s.covers {
            if suite.requirement(&id.value).is_none() {
                let ids = suite.requirements.iter().map(|r| r.id.as_str());
                let help = match closest(&id.value, ids) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("add it to {} or fix the ID", suite.requirements_file),
                };
                out.push(
                    at(
                        id,
                        format!(
                            "unknown requirement `{}`: {} does not define it",
                            id.value, suite.requirements_file
                        ),
                    )
                    .with_help(help),
                );
            }
        }

        let deps = suite.dependency_names();
        let check_dep = |name: &Located<String>, out: &mut Vec<Diagnostic>| {
            if !deps.contains(&name.value.as_str()) {
                let help = match closest(&name.value, deps.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None if deps.is_empty() => {
                        "crosscheck.yaml declares no dependencies; add it under `dependencies:`"
                            .to_owned()
                    }
                    None => format!("declared dependencies: {}", deps.join(", ")),
                };
                out.push(at(name, format!("unknown dependency `{}`", name.value)).with_help(help));
            }
        };
        for (name, stubs) in &s.given {
            check_dep(name, &mut out);
            out.extend(crate::stub_states::check(&name.value, stubs, &at));
            if let Some(contract) = suite.dep_contracts.get(&name.value) {
                for stub in stubs {
                    if let (Some(method), Some(path)) = (&stub.on.method, &stub.on.path)
                        && !contract.operations.iter().any(|op| {
                            op.method.eq_ignore_ascii_case(method)
                                && (op.path == *path
                                    || crosscheck_model::path_template::matches(&op.path, path))
                        })
                    {
                        out.push(
                            at(name, format!("a stub for `{}` answers {method} {path}, which its contract does not define", name.value))
                                .with_help(operations_help(contract)),
                        );
                    }
                }
            }
            for stub in stubs {
                if let Some(reply) = &stub.reply
                    && reply.json.is_some()
                    && reply.body.is_some()
                {
                    out.push(at(
                        name,
                        "a stub reply has both `json` and `body`; keep one".to_owned(),
                    ));
                }
            }
        }

        if s.when.is_some() && !s.steps.is_empty() {
            out.push(at(&s.id, format!("scenario `{}` has both `when` and `steps`", s.id.value)).with_help(
                "use `when`/`then` for one request, or `steps: [{ when, then }, …]` for several",
            ));
        }
        if s.when.is_none() && s.steps.is_empty() {
            out.push(
                at(&s.id, format!("scenario `{}` sends no request", s.id.value))
                    .with_help("add `when: { method: GET, path: /… }`"),
            );
        }
        if s.when.is_none() && s.then.is_some() {
            out.push(at(
                &s.id,
                "`then` without `when`; put it in a step".to_owned(),
            ));
        }

        for (req, then) in s.steps() {
            let method = req.method.value.to_ascii_uppercase();
            // OpenAPI 3.2 adds `QUERY`, and custom methods a contract documents.
            let documented = suite.sut_contract.as_ref().is_some_and(|c| {
                c.operations
                    .iter()
                    .any(|o| o.method.eq_ignore_ascii_case(&method))
            });
            if !METHODS.contains(&method.as_str()) && method != "QUERY" && !documented {
                out.push(
                    at(
                        &req.method,
                        format!("unknown HTTP method `{}`", req.method.value),
                    )
                    .with_help(format!("use one of {}", METHODS.join(", "))),
                );
            }
            if req.path.value.starts_with(crosscheck_model::captured::OPEN) {
                // A captured URL (`${captured.loc}`): known only when the step runs.
            } else if !req.path.value.starts_with('/') {
                out.push(at(
                    &req.path,
                    format!("the path `{}` must start with `/`", req.path.value),
                ));
            } else if let Some(contract) = &suite.sut_contract
                && contract.find_operation(&method, &req.path.value).is_none()
            {
                out.push(
                    at(
                        &req.path,
                        format!(
                            "{method} {} is not an operation of {}'s contract",
                            req.path.value, suite.map.sut.name
                        ),
                    )
                    .with_help(operations_help(contract)),
                );
            }
            if req.json.is_some() && req.body.is_some() {
                out.push(at(
                    &req.path,
                    "the request has both `json` and `body`; keep one".to_owned(),
                ));
            }
            let Some(then) = then else { continue };
            for name in then.calls.keys() {
                check_dep(name, &mut out);
            }
            if then.conforms == Some(true) && suite.sut_contract.is_none() {
                out.push(
                    at(
                        &req.path,
                        "`conforms: true` needs a contract, but `sut.contract` is not set"
                            .to_owned(),
                    )
                    .with_help(
                        "add `contract: path/to/openapi.yaml` under `sut:` in crosscheck.yaml",
                    ),
                );
            }
            if then.logs.iter().any(|l| l.source.is_none()) && suite.map.sut.logs.is_none() {
                out.push(at(&req.path, "this step checks log lines, but `sut.logs` is not set".to_owned())
                    .with_help("add `logs: { file: \"${dir}/app.log\", format: json }` (or `file: stdout`) under `sut:`"));
            }
            for log in &then.logs {
                let text_log = suite
                    .map
                    .sut
                    .logs
                    .as_ref()
                    .is_some_and(|l| l.format == LogFormat::Text);
                if !log.fields.is_empty() && (log.source.is_some() || text_log) {
                    out.push(at(&req.path, "`match` reads fields of JSON log lines, but this log is plain text".to_owned())
                        .with_help("use `contains` or `regex` for text logs, or set `format: json` under `sut.logs`"));
                }
                if log.fields.is_empty() && log.contains.is_none() && log.regex.is_none() {
                    out.push(at(
                        &req.path,
                        "a `logs` entry names no `match`, `contains` or `regex`".to_owned(),
                    ));
                }
                if let Some(re) = &log.regex
                    && let Err(e) = regex::Regex::new(re)
                {
                    out.push(at(
                        &req.path,
                        format!("invalid regex `{re}` in `logs`: {e}"),
                    ));
                }
            }
        }
    }
    out
}

/// Every `${…}` in the system map names a variable the runner will know.
fn variables(suite: &Suite) -> Vec<Diagnostic> {
    let map_file = crate::suite::display(&suite.root.join(crate::suite::SYSTEM_MAP));
    let Some(text) = suite.sources.get(&map_file) else {
        return Vec::new();
    };
    let mut out = crate::proxies::check_map(suite, &map_file, text);
    out.extend(crate::receiver::check_map(suite, &map_file, text));
    let mut known: Vec<String> = ["port", "dir", "root", "url"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for dep in suite.map.dependencies.keys() {
        known.push(format!("deps.{}.url", dep.value));
        known.push(format!("deps.{}.port", dep.value));
    }
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let mut rest = line;
        let mut offset = 0;
        while let Some(i) = rest.find("${") {
            let Some(end) = rest[i..].find('}') else {
                break;
            };
            let name = rest[i + 2..i + end].trim();
            if !name.starts_with("env.") && !known.iter().any(|k| k == name) {
                let help = match closest(name, known.iter().map(String::as_str)) {
                    Some(best) => format!("did you mean `${{{best}}}`?"),
                    None => format!(
                        "known variables: {}, and ${{env.NAME}}",
                        known
                            .iter()
                            .map(|k| format!("${{{k}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let line_no = u32::try_from(n + 1).unwrap_or(0);
                let col = u32::try_from(line[..offset + i].chars().count() + 1).unwrap_or(0);
                out.push(
                    Diagnostic::at(
                        &map_file,
                        text,
                        line_no,
                        col,
                        format!("unknown variable `${{{name}}}`"),
                    )
                    .with_help(help),
                );
            }
            offset += i + end + 1;
            rest = &rest[i + end + 1..];
        }
    }
    out
}

fn operations_help(contract: &crosscheck_contract::Contract) -> String {
    let ops: Vec<String> = contract
        .operations
        .iter()
        .take(12)
        .map(|op| format!("{} {}", op.method, op.path))
        .collect();
    let more = contract.operations.len().saturating_sub(ops.len());
    if more > 0 {
        format!("the contract defines: {} (and {more} more)", ops.join(", "))
    } else {
        format!("the contract defines: {}", ops.join(", "))
    }
}
