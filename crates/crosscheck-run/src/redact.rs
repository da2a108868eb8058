//! Secrets never leave the runner: tokens, API keys and cookies are replaced with `***`
//! in everything a reporter sees.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
];

/// The mask written in place of a secret.
pub const MASK: &str = "***";

/// Knows the secret values of a run and removes them from text.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// Learns the secrets in a set of request headers: the whole value of a secret header
    /// and, for `Bearer x` / `Basic x`, the credential `x` alone.
    pub fn learn_headers<'a>(
        &mut self,
        headers: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) {
        for (name, value) in headers {
            if is_secret_header(name) {
                self.learn(value);
                if let Some((_, cred)) = value.split_once(' ') {
                    self.learn(cred.trim());
                }
            }
        }
    }

    /// Learns one secret value. Values shorter than 4 characters are not treated as
    /// secrets: masking them would mangle ordinary text.
    pub fn learn(&mut self, value: &str) {
        let v = value.trim();
        if v.chars().count() >= 4 && !self.secrets.iter().any(|s| s == v) {
            self.secrets.push(v.to_owned());
            // Longest first, so a credential inside a longer secret is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// `text` with every known secret masked.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }

    /// A copy of `value` with every string in it redacted, and the values of secret
    /// headers masked whatever they hold. Should a value not round-trip through JSON,
    /// its default is returned: evidence is dropped rather than leaked.
    pub fn value<T: Serialize + DeserializeOwned + Default>(&self, value: &T) -> T {
        let Ok(mut json) = serde_json::to_value(value) else {
            return T::default();
        };
        self.walk(&mut json);
        serde_json::from_value(json).unwrap_or_default()
    }

    fn walk(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => {
                // A header pair: ["authorization", "Bearer x"].
                if let [Value::String(name), Value::String(val)] = items.as_mut_slice()
                    && is_secret_header(name)
                {
                    *val = MASK.to_owned();
                    return;
                }
                items.iter_mut().for_each(|i| self.walk(i));
            }
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if is_secret_header(k) && val.is_string() {
                        *val = Value::String(MASK.to_owned());
                    } else {
                        self.walk(val);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether a header's value is a secret.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_tokens_everywhere() {
        let mut r = Redactor::default();
        let h = [(
            "Authorization".to_owned(),
            "Bearer valid-token-abc".to_owned(),
        )];
        r.learn_headers(h.iter().map(|(a, b)| (a, b)));
        assert_eq!(
            r.text("line with valid-token-abc inside"),
            "line with *** inside"
        );
        let v = r.value(&json!({
            "headers": [["authorization", "Bearer other"], ["x", "valid-token-abc"]],
            "log": "{\"token\":\"Bearer valid-token-abc\"}",
            "Authorization": "anything"
        }));
        assert_eq!(
            v,
            json!({
                "headers": [["authorization", "***"], ["x", "***"]],
                "log": "{\"token\":\"***\"}",
                "Authorization": "***"
            })
        );
    }
}
