//! The normalized contract: what every importer produces and everything else reads.

use std::cmp::Reverse;
use std::fmt;

use crosscheck_model::path_template;
use serde_json::{Map, Value};

use crate::check::ValidatorCache;

/// One interface contract: the operations a service offers, with their responses.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The file it was read from, as the user named it.
    pub file: String,
    /// The format and version it was written in, e.g. `openapi 3.1.0`.
    pub source_format: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`: the API's version, not the format's.
    pub version: String,
    /// Path prefixes from `servers` (`/v1` for `https://api.example.com/v1`), tried when
    /// a request path fits no template as it is.
    pub base_paths: Vec<String>,
    /// The operations, in document order.
    pub operations: Vec<Operation>,
    /// The definitions that schemas in this contract refer to as `#/$defs/<name>`
    /// (translated to JSON Schema 2020-12). [`Contract::standalone_schema`] attaches the
    /// ones a schema needs.
    pub schema_definitions: Map<String, Value>,
    /// `components.securitySchemes`, in document order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Things that were skipped while reading, and schemas that no value can satisfy
    /// (`minimum` above `maximum`, …), each naming its place
    /// (`#/paths/~1a/get/responses/20O: …`; in a multi-file contract, other files are
    /// named before the `#`).
    pub warnings: Vec<String>,
    /// `servers` (Swagger 2.0: `schemes`, `host` and `basePath`), in document order.
    pub servers: Vec<Server>,
    /// The top-level `tags`, in document order (3.2 adds `summary`, `parent`, `kind`).
    pub tags: Vec<Tag>,
    /// Compiled response validators, built on first use. Assumes `operations` is not
    /// changed after the first [`Contract::check_response`].
    pub(crate) validators: ValidatorCache,
}

/// One entry of the top-level `tags`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tag {
    /// Its name, as operations name it.
    pub name: String,
    /// A short summary (3.2), else empty.
    pub summary: String,
    /// Its description, else empty.
    pub description: String,
    /// The tag it is nested under (3.2 `parent`).
    pub parent: Option<String>,
    /// What kind of tag it is (3.2 `kind`, e.g. `nav`, `badge`, `audience`).
    pub kind: Option<String>,
}

/// One operation: a method on a path template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Operation {
    /// `operationId`.
    pub id: Option<String>,
    /// Upper case for the fixed methods (`GET`, `POST`, …, and 3.2's `QUERY`); as
    /// written for 3.2 `additionalOperations` (`COPY`), which are sent as they are.
    pub method: String,
    /// The path template, e.g. `/resources/{id}`.
    pub path: String,
    /// `summary`, else empty.
    pub summary: String,
    /// Path-level and operation-level parameters merged (the operation's win).
    pub parameters: Vec<Parameter>,
    /// The request body, when one is documented.
    pub request_body: Option<RequestBody>,
    /// The documented responses, in document order.
    pub responses: Vec<ResponseSpec>,
    /// Whether the operation requires credentials: its effective security requirement
    /// is not empty and has no empty (anonymous) alternative.
    pub security: bool,
    /// The effective security requirement: alternatives, each a set of schemes that
    /// must all be satisfied.
    pub security_requirements: Vec<SecurityRequirement>,
    /// 1-based line of the operation's method key, 0 when unknown.
    pub line: u32,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `tags`, as written.
    pub tags: Vec<String>,
    /// `callbacks`: requests the service makes after answering, in document order.
    pub callbacks: Vec<crate::callback::Callback>,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParameterLocation {
    /// `in: path`.
    Path,
    /// `in: query`.
    Query,
    /// `in: header`.
    Header,
    /// `in: cookie`.
    Cookie,
    /// `in: querystring` (3.2): the whole query string is one value, serialized as the
    /// parameter's [`Parameter::content_type`] says (most often
    /// `application/x-www-form-urlencoded`).
    Querystring,
}

impl fmt::Display for ParameterLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
            ParameterLocation::Querystring => "querystring",
        })
    }
}

/// One request parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it travels.
    pub location: ParameterLocation,
    /// Whether it must be sent (always true for path parameters).
    pub required: bool,
    /// Its schema as JSON Schema 2020-12 (`$ref`s name [`Contract::schema_definitions`]).
    pub schema: Option<Value>,
    /// How its value is serialized: `style`, else the default for its location (`form`
    /// for query and cookie, `simple` for path and header).
    pub style: ParameterStyle,
    /// `explode`, else its default (true for `form`, false otherwise).
    pub explode: bool,
    /// Named examples (`examples` by name; a lone `example` is named `example`).
    pub examples: Vec<(String, Value)>,
    /// The media type of its `content`, when it is described by one instead of a
    /// `schema` (always so for [`ParameterLocation::Querystring`]).
    pub content_type: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// How a parameter's value is written into the request (OpenAPI `style`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterStyle {
    /// `form`: `id=5` or `id=3,4,5` (query, cookie).
    Form,
    /// `simple`: `3,4,5` (path, header).
    Simple,
    /// `label`: `.3.4.5` (path).
    Label,
    /// `matrix`: `;id=3,4,5` (path).
    Matrix,
    /// `spaceDelimited`: `3%204%205` (query arrays).
    SpaceDelimited,
    /// `pipeDelimited`: `3|4|5` (query arrays).
    PipeDelimited,
    /// `deepObject`: `id[role]=admin` (query objects).
    DeepObject,
    /// `cookie` (3.2): `id=5` in a `Cookie` header, without percent-encoding.
    Cookie,
    /// A style this version does not know, as written.
    Other(String),
}

impl ParameterStyle {
    /// Reads a `style` value.
    pub fn parse(s: &str) -> ParameterStyle {
        match s {
            "form" => ParameterStyle::Form,
            "simple" => ParameterStyle::Simple,
            "label" => ParameterStyle::Label,
            "matrix" => ParameterStyle::Matrix,
            "spaceDelimited" => ParameterStyle::SpaceDelimited,
            "pipeDelimited" => ParameterStyle::PipeDelimited,
            "deepObject" => ParameterStyle::DeepObject,
            "cookie" => ParameterStyle::Cookie,
            other => ParameterStyle::Other(other.to_owned()),
        }
    }

    /// The style a parameter has when none is written.
    pub fn default_for(location: ParameterLocation) -> ParameterStyle {
        match location {
            ParameterLocation::Query
            | ParameterLocation::Cookie
            | ParameterLocation::Querystring => ParameterStyle::Form,
            ParameterLocation::Path | ParameterLocation::Header => ParameterStyle::Simple,
        }
    }
}

/// One entry of `servers`.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The URL template as written, e.g. `https://{region}.example.com/v1`.
    pub url: String,
    /// Its description, else empty.
    pub description: String,
    /// Its variables, in document order.
    pub variables: Vec<ServerVariable>,
}

/// A variable of a server URL template.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerVariable {
    /// Its name, as in `{name}`.
    pub name: String,
    /// Its default value.
    pub default: String,
    /// The values it may take, when restricted.
    pub allowed: Vec<String>,
}

impl Server {
    /// The URL with each variable replaced by its default.
    pub fn default_url(&self) -> String {
        let mut url = self.url.clone();
        for v in &self.variables {
            url = url.replace(&format!("{{{}}}", v.name), &v.default);
        }
        url
    }
}

/// A link from a response to an operation that can follow it (OpenAPI `links`).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Its name under `links`.
    pub name: String,
    /// The target's `operationId`, when named so.
    pub operation_id: Option<String>,
    /// The target as an `operationRef` (`#/paths/~1users~1{id}/get`), when named so.
    pub operation_ref: Option<String>,
    /// Parameter name → value or runtime expression (`$response.body#/id`).
    pub parameters: Vec<(String, Value)>,
    /// The request body to send, a value or runtime expression.
    pub request_body: Option<Value>,
    /// Where the link is written (`/paths/~1users/post/responses/201/links/GetUser`, or
    /// under `/components/links` when it is a `$ref`).
    pub pointer: String,
}

/// A documented request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// Whether it must be sent.
    pub required: bool,
    /// Media types and their schemas (JSON Schema 2020-12; `$ref`s name
    /// [`Contract::schema_definitions`]).
    pub media: Vec<(String, Option<Value>)>,
    /// Named examples of the body, from every media type (a lone `example` is named
    /// `example`).
    pub examples: Vec<(String, Value)>,
    /// 3.2 `itemSchema`s: media type → the schema of each item of a sequential body
    /// (`application/jsonl`, `application/x-ndjson`, `application/json-seq`,
    /// `text/event-stream`).
    pub item_schemas: Vec<(String, Value)>,
}

/// The key a response is documented under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusKey {
    /// One status code: `404`.
    Code(u16),
    /// A class of codes: `Range(2)` for `2XX`.
    Range(u8),
    /// `default`: any code not documented otherwise.
    Default,
}

impl StatusKey {
    /// Reads `200`, `2XX` (or `2xx`) and `default`.
    pub fn parse(key: &str) -> Option<StatusKey> {
        if key == "default" {
            return Some(StatusKey::Default);
        }
        let b = key.as_bytes();
        if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
            return None;
        }
        if b[1..].eq_ignore_ascii_case(b"XX") {
            return Some(StatusKey::Range(b[0] - b'0'));
        }
        key.parse().ok().map(StatusKey::Code)
    }

    /// Whether `status` falls under this key on its own (ignoring precedence).
    pub fn covers(self, status: u16) -> bool {
        match self {
            StatusKey::Code(c) => c == status,
            StatusKey::Range(r) => status / 100 == u16::from(r),
            StatusKey::Default => true,
        }
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(r) => write!(f, "{r}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSpec {
    /// The status it is documented for.
    pub status: StatusKey,
    /// Its description.
    pub description: String,
    /// Media types and their schemas as JSON Schema 2020-12, whose `$ref`s name
    /// [`Contract::schema_definitions`] (`#/$defs/Pet`); see
    /// [`Contract::standalone_schema`]. Empty when the response has no body.
    pub media: Vec<(String, Option<Value>)>,
    /// Named examples of the body (`examples` by name; a lone `example` is named
    /// `example`), from every media type.
    pub examples: Vec<(String, Value)>,
    /// Operations that can follow this response, with values taken from it.
    pub links: Vec<Link>,
    /// 3.2 `itemSchema`s: media type → the schema each item of a sequential body
    /// (JSON Lines, NDJSON, JSON text sequences, server-sent events) must satisfy.
    pub item_schemas: Vec<(String, Value)>,
    /// The names of the headers documented for this response (`Location`, …), as written.
    pub headers: Vec<String>,
}

/// One alternative of a security requirement: schemes that must all be satisfied, with
/// the scopes each needs. Empty means anonymous access is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityRequirement {
    /// Scheme name (a key of `components.securitySchemes`) and scopes.
    pub schemes: Vec<(String, Vec<String>)>,
}

/// A way to authenticate, from `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// Its key under `components.securitySchemes`.
    pub name: String,
    /// What kind it is.
    pub kind: SecurityKind,
    /// `deprecated: true` (3.2).
    pub deprecated: bool,
    /// OAuth 2: `oauth2MetadataUrl` (3.2), the authorization server's metadata.
    pub oauth2_metadata_url: Option<String>,
    /// OAuth 2: the flows, in document order.
    pub oauth2_flows: Vec<OAuthFlow>,
}

/// One OAuth 2 flow of a security scheme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthFlow {
    /// `implicit`, `password`, `clientCredentials`, `authorizationCode` or (3.2)
    /// `deviceAuthorization`.
    pub kind: String,
    /// `authorizationUrl`.
    pub authorization_url: Option<String>,
    /// `deviceAuthorizationUrl` (3.2).
    pub device_authorization_url: Option<String>,
    /// `tokenUrl`.
    pub token_url: Option<String>,
    /// `refreshUrl`.
    pub refresh_url: Option<String>,
    /// The scope names.
    pub scopes: Vec<String>,
}

/// The kinds of security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecurityKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// `header`, `query` or `cookie`.
        location: String,
        /// The header, parameter or cookie name.
        name: String,
    },
    /// HTTP authentication: `bearer`, `basic`, …
    Http {
        /// The scheme, lower case.
        scheme: String,
        /// A hint such as `JWT`.
        bearer_format: Option<String>,
    },
    /// OAuth 2.
    OAuth2,
    /// OpenID Connect discovery.
    OpenIdConnect {
        /// The discovery URL.
        url: String,
    },
    /// Mutual TLS (3.1).
    MutualTls,
    /// A type this version does not know.
    Other(String),
}

impl Contract {
    /// The operation that serves `method` on `path` (which may carry a `?query`): the
    /// most specific matching template wins (`/users/me` over `/users/{id}`), then the
    /// first in the document. When nothing fits, the `servers` base paths are stripped
    /// and the search repeated.
    pub fn find_operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let best = |p: &str| {
            self.operations
                .iter()
                .filter(|o| {
                    o.method.eq_ignore_ascii_case(method) && path_template::matches(&o.path, p)
                })
                .min_by_key(|o| Reverse(path_template::specificity(&o.path)))
        };
        best(path).or_else(|| {
            self.base_paths.iter().find_map(|base| {
                let rest = path.strip_prefix(base.as_str())?;
                match rest {
                    "" => best("/"),
                    r if r.starts_with('/') => best(r),
                    _ => None,
                }
            })
        })
    }

    /// `schema` (one from this contract) with the definitions it needs, transitively,
    /// under its own `$defs`: a JSON Schema 2020-12 document that stands alone.
    pub fn standalone_schema(&self, schema: &Value) -> Value {
        crate::schema::standalone(schema, &self.schema_definitions)
    }

    /// The operation with this `operationId`.
    pub fn operation_by_id(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id.as_deref() == Some(id))
    }

    /// The security scheme named `name`.
    pub fn security_scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.security_schemes.iter().find(|s| s.name == name)
    }
}

impl Operation {
    /// `GET /resources/{id}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The response documented for `status`: the exact code, else its `NXX` range,
    /// else `default`.
    pub fn response_for(&self, status: u16) -> Option<&ResponseSpec> {
        self.response_index(status).map(|i| &self.responses[i])
    }

    pub(crate) fn response_index(&self, status: u16) -> Option<usize> {
        let find = |want: StatusKey| self.responses.iter().position(|r| r.status == want);
        let class = u8::try_from(status / 100).ok();
        find(StatusKey::Code(status))
            .or_else(|| class.and_then(|c| find(StatusKey::Range(c))))
            .or_else(|| find(StatusKey::Default))
    }

    /// The documented statuses, as written: `200, 401, 4XX, default`.
    pub fn documented_statuses(&self) -> String {
        let mut keys: Vec<StatusKey> = self.responses.iter().map(|r| r.status).collect();
        keys.sort();
        keys.dedup();
        keys.iter()
            .map(StatusKey::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, statuses: &[StatusKey]) -> Operation {
        Operation {
            method: method.into(),
            path: path.into(),
            responses: statuses
                .iter()
                .map(|s| ResponseSpec {
                    status: *s,
                    description: String::new(),
                    media: vec![],
                    examples: vec![],
                    links: vec![],
                    item_schemas: vec![],
                    headers: vec![],
                })
                .collect(),
            ..Operation::default()
        }
    }

    fn contract(ops: Vec<Operation>) -> Contract {
        Contract {
            file: "t".into(),
            source_format: "openapi 3.1.0".into(),
            title: String::new(),
            version: String::new(),
            base_paths: vec!["/v1".into()],
            operations: ops,
            schema_definitions: Map::new(),
            security_schemes: vec![],
            warnings: vec![],
            servers: vec![],
            tags: vec![],
            validators: ValidatorCache::default(),
        }
    }

    #[test]
    fn status_keys() {
        assert_eq!(StatusKey::parse("200"), Some(StatusKey::Code(200)));
        assert_eq!(StatusKey::parse("4xx"), Some(StatusKey::Range(4)));
        assert_eq!(StatusKey::parse("default"), Some(StatusKey::Default));
        assert_eq!(StatusKey::parse("20O"), None);
        assert_eq!(StatusKey::parse("600"), None);
        assert_eq!(StatusKey::Range(2).to_string(), "2XX");
    }

    #[test]
    fn response_precedence() {
        use StatusKey::*;
        let o = op("GET", "/a", &[Default, Range(4), Code(404), Code(200)]);
        assert_eq!(o.response_for(404).unwrap().status, Code(404));
        assert_eq!(o.response_for(403).unwrap().status, Range(4));
        assert_eq!(o.response_for(500).unwrap().status, Default);
        assert_eq!(o.documented_statuses(), "200, 404, 4XX, default");
        let o = op("GET", "/a", &[Code(200)]);
        assert!(o.response_for(201).is_none());
    }

    #[test]
    fn most_specific_template_wins() {
        let c = contract(vec![
            op("GET", "/users/{id}", &[]),
            op("GET", "/users/me", &[]),
            op("POST", "/users/{id}", &[]),
        ]);
        assert_eq!(
            c.find_operation("GET", "/users/me?x=1").unwrap().path,
            "/users/me"
        );
        assert_eq!(
            c.find_operation("get", "/users/42").unwrap().path,
            "/users/{id}"
        );
        assert_eq!(
            c.find_operation("POST", "/users/me").unwrap().method,
            "POST"
        );
        assert!(c.find_operation("DELETE", "/users/me").is_none());
        assert_eq!(
            c.find_operation("GET", "/v1/users/7").unwrap().path,
            "/users/{id}"
        );
        assert!(c.find_operation("GET", "/v1x/users/7").is_none());
    }
}
