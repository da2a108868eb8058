//! `${…}` variables in the system map: ports, URLs, folders, the environment.

use std::collections::BTreeMap;

/// Values the runner knows while it starts a suite.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    /// Sets `name` (e.g. `port`, `deps.auth.url`).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The variables whose names start with `prefix`, by full name.
    pub fn with_prefix(&self, prefix: &str) -> BTreeMap<String, String> {
        self.values
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Replaces every `${name}` in `text`. `${env.NAME}` reads the environment. An
    /// unknown name is an error that lists the known ones; `$$` writes a literal `$`.
    pub fn expand(&self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(body) = after.strip_prefix('{') {
                let Some(end) = closing_brace(body) else {
                    return Err(format!("`${{` without a closing `}}` in `{text}`"));
                };
                let name = body[..end].trim();
                out.push_str(&self.lookup_or_default(name)?);
                rest = &body[end + 1..];
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `env.NAME:-default`: the variable when set and not empty, else the default
    /// (itself expanded, so it may use `${dir}`).
    fn lookup_or_default(&self, name: &str) -> Result<String, String> {
        match name.split_once(":-") {
            Some((var, default)) if var.trim().starts_with("env.") => {
                match std::env::var(var.trim().trim_start_matches("env.")) {
                    Ok(v) if !v.is_empty() => Ok(v),
                    _ => self.expand(default),
                }
            }
            _ => self.lookup(name),
        }
    }

    fn lookup(&self, name: &str) -> Result<String, String> {
        if let Some(var) = name.strip_prefix("env.") {
            return std::env::var(var).map_err(|_| {
                format!("the environment variable `{var}` (from `${{{name}}}`) is not set")
            });
        }
        self.values.get(name).cloned().ok_or_else(|| {
            let known: Vec<String> = self.values.keys().map(|k| format!("${{{k}}}")).collect();
            format!(
                "unknown variable `${{{name}}}`; known: {}, and ${{env.NAME}}",
                known.join(", ")
            )
        })
    }
}

/// The index of the `}` that closes a `${`, skipping nested `${…}`.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_names() {
        let mut v = Vars::default();
        v.set("port", "8080");
        v.set("deps.auth.url", "http://127.0.0.1:9");
        assert_eq!(
            v.expand("http://127.0.0.1:${port}/x").unwrap(),
            "http://127.0.0.1:8080/x"
        );
        assert_eq!(v.expand("${deps.auth.url}").unwrap(), "http://127.0.0.1:9");
        assert_eq!(v.expand("cost $$5 and $x").unwrap(), "cost $5 and $x");
        let err = v.expand("${deps.auht.url}").unwrap_err();
        assert!(err.contains("unknown variable `${deps.auht.url}`"), "{err}");
        assert!(v.expand("${port").is_err());
    }

    #[test]
    fn env_defaults_may_use_other_variables() {
        let mut v = Vars::default();
        v.set("dir", "/tmp/run");
        assert_eq!(
            v.expand("${env.CROSSCHECK_SURELY_UNSET_VAR:-sqlite:${dir}/db.sqlite}")
                .unwrap(),
            "sqlite:/tmp/run/db.sqlite"
        );
        assert_eq!(
            v.expand("[${env.CROSSCHECK_SURELY_UNSET_VAR:-}]").unwrap(),
            "[]"
        );
        assert_eq!(
            v.expand("${env.PATH:-x}").unwrap(),
            std::env::var("PATH").unwrap()
        );
    }
}
