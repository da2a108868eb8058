//! c. External dependencies are doubled or use dedicated test instances: every
//! dependency is doubled and its address is handed to the service, and no address the
//! service is given points outside loopback or the allow-list.

use crosscheck_model::system_map::AuditConfig;
use crosscheck_run::Suite;

use super::Finding;
use super::contract::map_file;
use super::facts::{label, line_of};

pub const TITLE: &str = "external dependencies are doubled or use dedicated test instances";

pub fn check(suite: &Suite, config: &AuditConfig) -> (&'static str, Vec<String>, Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    let map = map_file(suite);
    let text = suite.sources.get(&map);
    let sut = &suite.map.sut;
    let mut wiring: Vec<(String, &str)> = sut
        .env
        .iter()
        .map(|(k, v)| (format!("sut.env.{k}"), v.as_str()))
        .collect();
    wiring.push(("sut.url".to_owned(), sut.url.as_str()));
    for a in &sut.start.value {
        wiring.push(("sut.start".to_owned(), a.as_str()));
    }
    for (dep, d) in &suite.map.dependencies {
        let var = format!("${{deps.{}.", dep.value);
        let wired: Vec<&str> = wiring
            .iter()
            .filter(|(_, v)| v.contains(&var))
            .map(|(k, _)| k.as_str())
            .collect();
        if wired.is_empty() {
            findings.push(Finding {
                message: format!(
                    "`{}` is doubled ({}), but nothing hands its address to the service: it may call the real one",
                    dep.value,
                    label(&d.double)
                ),
                file: map.clone(),
                line: dep.line,
                help: format!(
                    "pass the double's address in the service's environment, e.g. `sut.env: {{ {}_URL: \"${{deps.{}.url}}\" }}`",
                    dep.value.to_uppercase(),
                    dep.value
                ),
            });
        } else {
            evidence.push(format!(
                "`{}` is doubled by a {} whose address reaches the service through {}",
                dep.value,
                label(&d.double),
                wired.join(", ")
            ));
        }
    }
    let mut hosts_seen = 0;
    for (key, value) in &wiring {
        for host in hosts(value) {
            hosts_seen += 1;
            if host.starts_with("${")
                || loopback(&host)
                || config
                    .allow_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&host))
            {
                continue;
            }
            findings.push(Finding {
                message: format!("{key} points the service at `{host}`, which is neither loopback nor in `audit.allow_hosts`"),
                file: map.clone(),
                line: line_of(text, &host),
                help: format!("double it (a dependency with `double: mock`), or, if `{host}` is a dedicated test instance, add it to `audit.allow_hosts` in crosscheck.yaml"),
            });
        }
    }
    if findings
        .iter()
        .all(|f| !f.message.contains("neither loopback"))
    {
        evidence.push(format!(
            "{hosts_seen} address(es) given to the service are all loopback, doubles{}",
            if config.allow_hosts.is_empty() {
                String::new()
            } else {
                format!(" or allowed ({})", config.allow_hosts.join(", "))
            }
        ));
    }
    (TITLE, evidence, findings)
}

/// The hosts of the URLs in `text` (`scheme://host[:port]…`).
fn hosts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority: &str = if after.starts_with("${") {
            after
                .split('}')
                .next()
                .map_or(after, |v| &after[..v.len() + 1])
        } else {
            after.split(['/', '?', '#', ' ', '"']).next().unwrap_or("")
        };
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let host = if authority.starts_with('[') {
            authority
                .split(']')
                .next()
                .map(|h| format!("{h}]"))
                .unwrap_or_default()
        } else if authority.starts_with("${") {
            authority.to_owned()
        } else {
            authority.split(':').next().unwrap_or("").to_owned()
        };
        if !host.is_empty() {
            out.push(host);
        }
        rest = after;
    }
    out
}

fn loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with("127.")
        || host == "[::1]"
        || host == "::1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found() {
        assert_eq!(hosts("http://127.0.0.1:${port}/x"), ["127.0.0.1"]);
        assert_eq!(hosts("${deps.auth.url}"), Vec::<String>::new());
        assert_eq!(
            hosts("https://auth.example.com/v1 and http://[::1]:8/"),
            ["auth.example.com", "[::1]"]
        );
        assert_eq!(hosts("postgres://u:p@db.prod:5432/x"), ["db.prod"]);
        assert!(loopback("127.0.0.1") && loopback("localhost") && !loopback("10.0.0.1"));
    }
}
