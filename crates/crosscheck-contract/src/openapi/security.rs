//! Security: the schemes a document declares and what each operation requires.

use serde_json::Value;

use super::reader::{Reader, kind, scalar};
use crate::error::ContractError;
use crate::model::{OAuthFlow, SecurityKind, SecurityRequirement, SecurityScheme};
use crate::resolve::push;

impl<'d> Reader<'d> {
    /// A security requirement list: `[{scheme: [scopes]}, …]`.
    pub(super) fn requirements(
        &self,
        at: &str,
        v: &Value,
    ) -> Result<Vec<SecurityRequirement>, ContractError> {
        let Value::Array(list) = v else {
            return Err(self.invalid(
                at,
                format!("`security` must be a list of requirements, not {}", kind(v)),
            ));
        };
        let mut out = Vec::with_capacity(list.len());
        for (i, r) in list.iter().enumerate() {
            let Value::Object(r) = r else {
                return Err(self.invalid(
                    &push(at, &i.to_string()),
                    format!("a security requirement must be a mapping of scheme names to scopes, not {}", kind(r)),
                ));
            };
            let schemes = r
                .iter()
                .map(|(name, scopes)| {
                    let scopes = match scopes {
                        Value::Array(s) => s.iter().filter_map(scalar).collect(),
                        _ => Vec::new(),
                    };
                    (name.clone(), scopes)
                })
                .collect();
            out.push(SecurityRequirement { schemes });
        }
        Ok(out)
    }

    pub(super) fn security_schemes(
        &mut self,
        doc: &'d Value,
    ) -> Result<Vec<SecurityScheme>, ContractError> {
        let Some(Value::Object(schemes)) = doc.pointer("/components/securitySchemes") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(schemes.len());
        for (name, s) in schemes {
            let at = push("/components/securitySchemes", name);
            let s = match self.mapping(&at, s, "a security scheme") {
                Ok((_, s)) => s,
                // A scheme kept in a remote document: the rest of the contract is usable.
                Err(ContractError::Unsupported { what, .. }) => {
                    self.warn(
                        &at,
                        format!("{what} is not followed; the scheme is skipped"),
                    );
                    continue;
                }
                Err(e) => return Err(e),
            };
            let field = |k: &str| s.get(k).and_then(scalar).unwrap_or_default();
            let kind = match field("type").as_str() {
                "apiKey" => SecurityKind::ApiKey {
                    location: field("in"),
                    name: field("name"),
                },
                "http" => SecurityKind::Http {
                    scheme: field("scheme").to_ascii_lowercase(),
                    bearer_format: s.get("bearerFormat").and_then(scalar),
                },
                "oauth2" => SecurityKind::OAuth2,
                "openIdConnect" => SecurityKind::OpenIdConnect {
                    url: field("openIdConnectUrl"),
                },
                "mutualTLS" => SecurityKind::MutualTls,
                other => SecurityKind::Other(other.to_owned()),
            };
            let mut oauth2_flows = Vec::new();
            if let Some(Value::Object(flows)) = s.get("flows") {
                for (flow, f) in flows {
                    if flow.starts_with("x-") {
                        continue;
                    }
                    let url = |k: &str| f.get(k).and_then(scalar);
                    oauth2_flows.push(OAuthFlow {
                        kind: flow.clone(),
                        authorization_url: url("authorizationUrl"),
                        device_authorization_url: url("deviceAuthorizationUrl"),
                        token_url: url("tokenUrl"),
                        refresh_url: url("refreshUrl"),
                        scopes: match f.get("scopes") {
                            Some(Value::Object(m)) => m.keys().cloned().collect(),
                            _ => Vec::new(),
                        },
                    });
                }
            }
            out.push(SecurityScheme {
                name: name.clone(),
                kind,
                deprecated: s.get("deprecated").and_then(Value::as_bool) == Some(true),
                oauth2_metadata_url: s.get("oauth2MetadataUrl").and_then(scalar),
                oauth2_flows,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::model::SecurityKind;

    #[test]
    fn security_effective_per_operation() {
        let doc = json!({
            "openapi": "3.1.0",
            "security": [{"bearer": []}],
            "components": {"securitySchemes": {
                "bearer": {"type": "http", "scheme": "Bearer", "bearerFormat": "JWT"},
                "key": {"$ref": "#/components/x/key"}
            }, "x": {"key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}},
            "paths": {"/a": {
                "get": {"responses": {"200": {"description": "ok"}}},
                "post": {"security": [], "responses": {}},
                "put": {"security": [{}, {"key": []}], "responses": {}},
                "delete": {"security": [{"key": [], "bearer": ["admin"]}], "responses": {}}
            }}
        });
        let c = super::super::read("api.yaml", "", &doc).unwrap();
        let by = |m: &str| c.operations.iter().find(|o| o.method == m).unwrap();
        assert!(by("GET").security);
        assert!(!by("POST").security);
        assert!(!by("PUT").security);
        assert!(by("DELETE").security);
        assert_eq!(
            by("DELETE").security_requirements[0].schemes[1],
            ("bearer".to_owned(), vec!["admin".to_owned()])
        );
        assert_eq!(
            c.security_scheme("bearer").unwrap().kind,
            SecurityKind::Http {
                scheme: "bearer".into(),
                bearer_format: Some("JWT".into())
            }
        );
        assert!(matches!(
            c.security_scheme("key").unwrap().kind,
            SecurityKind::ApiKey { .. }
        ));
    }

    #[test]
    fn oauth2_metadata_device_flow_and_deprecated_3_2() {
        let doc = json!({
            "openapi": "3.2.0",
            "components": {"securitySchemes": {
                "old": {"type": "apiKey", "in": "header", "name": "X-Key", "deprecated": true},
                "oauth": {"type": "oauth2", "oauth2MetadataUrl": "https://example.com/.well-known/oauth-authorization-server",
                          "flows": {"deviceAuthorization": {
                              "deviceAuthorizationUrl": "https://example.com/device",
                              "tokenUrl": "https://example.com/token",
                              "scopes": {"read:pets": "read", "write:pets": "write"}}}}
            }},
            "paths": {}
        });
        let c = super::super::read("api.yaml", "", &doc).unwrap();
        assert!(c.security_scheme("old").unwrap().deprecated);
        let oauth = c.security_scheme("oauth").unwrap();
        assert_eq!(oauth.kind, SecurityKind::OAuth2);
        assert!(!oauth.deprecated);
        assert_eq!(
            oauth.oauth2_metadata_url.as_deref(),
            Some("https://example.com/.well-known/oauth-authorization-server")
        );
        let flow = &oauth.oauth2_flows[0];
        assert_eq!(flow.kind, "deviceAuthorization");
        assert_eq!(
            flow.device_authorization_url.as_deref(),
            Some("https://example.com/device")
        );
        assert_eq!(flow.token_url.as_deref(), Some("https://example.com/token"));
        assert_eq!(flow.scopes, ["read:pets", "write:pets"]);
    }
}
