//! `double: proxy` dependencies: a TCP fault proxy in front of a real test instance,
//! started once per run, with each scenario's toxics installed before it and removed
//! after it.

use crosscheck_double::proxy::{TcpProxy, Toxic, ToxicError};
use crosscheck_model::scenario::{Scenario, ToxicSpec, ToxicStream};
use crosscheck_model::system_map::DoubleKind;
use crosscheck_model::{Diagnostic, Located};
use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::error::RunError;
use crate::suite::{LoadedScenario, Suite};
use crate::vars::Vars;

/// The proxy's toxic for a scenario's spec; `None` for `down`, which disables the proxy.
pub(crate) fn to_toxic(spec: &ToxicSpec) -> Result<Option<Toxic>, ToxicError> {
    if spec.kind == crosscheck_model::scenario::ToxicType::Down {
        return Ok(None);
    }
    let mut body = json!({
        "type": spec.kind.as_str(),
        "attributes": spec.attributes,
    });
    if let Some(s) = spec.stream {
        body["stream"] = json!(match s {
            ToxicStream::Upstream => "upstream",
            ToxicStream::Downstream => "downstream",
        });
    }
    if let Some(t) = spec.toxicity {
        body["toxicity"] = json!(t);
    }
    if let Some(n) = &spec.name {
        body["name"] = json!(n);
    }
    Toxic::from_json(&body).map(Some)
}

/// Starts one proxy per `double: proxy` dependency, seeded from the dependency's name.
pub(crate) async fn start(
    suite: &Suite,
    vars: &Vars,
) -> Result<IndexMap<String, TcpProxy>, RunError> {
    let mut proxies = IndexMap::new();
    for (name, dep) in &suite.map.dependencies {
        if dep.double != DoubleKind::Proxy {
            continue;
        }
        let upstream = dep
            .upstream
            .as_ref()
            .map(|u| u.value.as_str())
            .unwrap_or("");
        let upstream = vars.expand(upstream).map_err(|e| {
            RunError::Config(format!("in `dependencies.{}.upstream`: {e}", name.value))
        })?;
        let proxy = TcpProxy::builder(&name.value, upstream)
            .start()
            .await
            .map_err(|e| RunError::Double {
                name: name.value.clone(),
                reason: e.to_string(),
            })?;
        proxies.insert(name.value.clone(), proxy);
    }
    Ok(proxies)
}

/// Installs a scenario's toxics; returns them (as Toxiproxy JSON) for the evidence.
pub(crate) async fn install(
    proxies: &IndexMap<String, TcpProxy>,
    scenario: &Scenario,
) -> Result<IndexMap<String, Vec<Value>>, String> {
    let mut installed = IndexMap::new();
    for (name, entries) in &scenario.given {
        let Some(proxy) = proxies.get(&name.value) else {
            continue;
        };
        let mut list = Vec::new();
        for spec in entries.iter().filter_map(|e| e.toxic.as_ref()) {
            match to_toxic(spec).map_err(|e| format!("a toxic on `{}`: {e}", name.value))? {
                Some(toxic) => {
                    list.push(toxic.to_json());
                    proxy
                        .add_toxic(toxic)
                        .map_err(|e| format!("failed to {e} on `{}`", name.value))?;
                }
                None => {
                    list.push(json!({ "type": "down" }));
                    proxy
                        .set_enabled(false)
                        .await
                        .map_err(|e| format!("failed to {e}"))?;
                }
            }
        }
        installed.insert(name.value.clone(), list);
    }
    Ok(installed)
}

/// Removes every toxic and brings every proxy back up.
pub(crate) async fn clear(proxies: &IndexMap<String, TcpProxy>) {
    for proxy in proxies.values() {
        proxy.clear_toxics();
        if let Err(e) = proxy.set_enabled(true).await {
            tracing::warn!("proxy `{}` could not listen again: {e}", proxy.name());
        }
    }
}

/// Proxy rules of the system map: a proxy names its `upstream`; a mock has none.
pub(crate) fn check_map(suite: &Suite, map_file: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, dep) in &suite.map.dependencies {
        match (dep.double, &dep.upstream) {
            (DoubleKind::Proxy, None) => out.push(
                Diagnostic::at(
                    map_file,
                    text,
                    name.line,
                    name.column,
                    format!("the proxy for `{}` has no `upstream`", name.value),
                )
                .with_help("add `upstream: \"127.0.0.1:5432\"`: the real test instance's host:port"),
            ),
            (DoubleKind::Mock, Some(u)) => out.push(
                Diagnostic::at(
                    map_file,
                    text,
                    u.line,
                    u.column,
                    format!("`upstream` is for `double: proxy`, but `{}` is a mock", name.value),
                )
                .with_help("add `double: proxy` to put a fault proxy in front of a real instance, or remove `upstream`"),
            ),
            _ => {}
        }
    }
    out
}

/// Proxy rules of a scenario: entries on a proxy are toxics alone, mocks get no toxics,
/// every toxic is well formed and uniquely named, and proxies record no calls.
pub(crate) fn check_scenario(
    suite: &Suite,
    loaded: &LoadedScenario,
    at: &dyn Fn(&Located<String>, String) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let kind = |name: &str| {
        suite
            .map
            .dependencies
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, d)| d.double)
    };
    let s = &loaded.scenario;
    for (name, entries) in &s.given {
        match kind(&name.value) {
            Some(DoubleKind::Proxy) => {
                let mut names: Vec<String> = Vec::new();
                for e in entries {
                    if !e.is_toxic_only() {
                        out.push(at(name, format!("`{}` is a proxy in front of a real instance: its entries are toxics only", name.value))
                            .with_help("write `- toxic: { type: latency, attributes: { latency: 500 } }`; stubs (`on`, `reply`, `fault`, `times`) need `double: mock`"));
                        continue;
                    }
                    let Some(spec) = &e.toxic else { continue };
                    match to_toxic(spec) {
                        Ok(Some(t)) => {
                            if names.contains(&t.name) {
                                out.push(
                                    at(
                                        name,
                                        format!(
                                            "two toxics on `{}` are named `{}`",
                                            name.value, t.name
                                        ),
                                    )
                                    .with_help("give one a `name:`"),
                                );
                            }
                            names.push(t.name);
                        }
                        Ok(None) => {}
                        Err(e) => out.push(at(name, format!("a toxic on `{}`: {e}", name.value))),
                    }
                }
            }
            Some(DoubleKind::Mock) if entries.iter().any(|e| e.toxic.is_some()) => {
                out.push(at(name, format!("`{}` is a mock; toxics apply to `double: proxy` dependencies", name.value))
                    .with_help("use `fault:` on a mock's stub (delay, timeout, reset, empty, malformed, truncate)"));
            }
            _ => {}
        }
    }
    for (_, then) in s.steps() {
        for dep in then.map(|t| t.calls.keys()).into_iter().flatten() {
            if kind(&dep.value) == Some(DoubleKind::Proxy) {
                out.push(at(dep, format!("`{}` is a proxy: it forwards bytes and records no calls", dep.value))
                    .with_help("check the effect on the service's response instead, or make the dependency `double: mock`"));
            }
        }
    }
    out
}
