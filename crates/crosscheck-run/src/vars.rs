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
                let Some(end) = body.find('}') else {
                    return Err(format!("`${{` without a closing `}}` in `{text}`"));
                };
                let name = body[..end].trim();
                out.push_str(&self.lookup(name)?);
                rest = &body[end + 1..];
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
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
}
