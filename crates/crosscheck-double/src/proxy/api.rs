//! The admin HTTP API, in Toxiproxy's shapes: `/version`, `/reset`, `/populate`,
//! `/proxies[/{proxy}[/toxics[/{toxic}]]]`, JSON bodies, and errors as
//! `{"error": "...", "status": N}` with Toxiproxy's status codes.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use super::error::ProxyError;
use super::link::AbortOnDrop;
use super::rng::hash_str;
use super::tcp::TcpProxy;
use super::toxic::{Toxic, ToxicError};

/// Largest request body the API reads.
const MAX_BODY: usize = 1 << 20;

/// The proxies an API server manages, by name.
#[derive(Debug)]
struct Registry {
    proxies: Mutex<BTreeMap<String, TcpProxy>>,
    seed: u64,
}

/// An API error: Toxiproxy's message and status.
#[derive(Debug)]
struct ApiError(StatusCode, String);

impl ApiError {
    fn bad_body(reason: impl fmt::Display) -> ApiError {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("bad request body: {reason}"),
        )
    }
    fn missing(field: &str) -> ApiError {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("missing required field: {field}"),
        )
    }
    fn proxy_not_found() -> ApiError {
        ApiError(StatusCode::NOT_FOUND, "proxy not found".into())
    }
}

impl From<ToxicError> for ApiError {
    fn from(e: ToxicError) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, e.to_string())
    }
}

impl From<ProxyError> for ApiError {
    fn from(e: ProxyError) -> ApiError {
        match &e {
            ProxyError::ToxicExists(_) => {
                ApiError(StatusCode::CONFLICT, "toxic already exists".into())
            }
            ProxyError::ToxicNotFound(_) => {
                ApiError(StatusCode::NOT_FOUND, "toxic not found".into())
            }
            ProxyError::Bind { source, .. } | ProxyError::ApiBind { source, .. } => ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to {e}: {source}"),
            ),
        }
    }
}

/// A running Toxiproxy-compatible API server; stops (with all its proxies) on drop.
pub struct ToxiproxyServer {
    addr: SocketAddr,
    registry: Arc<Registry>,
    _task: AbortOnDrop<()>,
}

impl fmt::Debug for ToxiproxyServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToxiproxyServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl ToxiproxyServer {
    /// Listens on `addr` (Toxiproxy's default is `127.0.0.1:8474`). Each proxy's seed is
    /// derived from `seed` and its name.
    pub async fn start(addr: &str, seed: u64) -> Result<ToxiproxyServer, ProxyError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ProxyError::ApiBind {
                addr: addr.to_owned(),
                source,
            })?;
        let local = listener
            .local_addr()
            .map_err(|source| ProxyError::ApiBind {
                addr: addr.to_owned(),
                source,
            })?;
        let registry = Arc::new(Registry {
            proxies: Mutex::new(BTreeMap::new()),
            seed,
        });
        let reg = registry.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                let reg = reg.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| {
                        let reg = reg.clone();
                        async move { Ok::<_, Infallible>(handle(&reg, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Ok(ToxiproxyServer {
            addr: local,
            registry,
            _task: AbortOnDrop(task),
        })
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API's port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Creates the proxies of a Toxiproxy config file (a JSON array, as for `/populate`);
    /// returns the created proxies in Toxiproxy's JSON shape.
    pub async fn populate(&self, body: &Value) -> Result<Vec<Value>, String> {
        populate(&self.registry, body).await.map_err(|e| e.1)
    }
}

async fn handle(reg: &Registry, req: http::Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => return error(&ApiError::bad_body(e)),
    };
    match route(reg, &method, &path, &body).await {
        Ok((status, Body::Json(v))) => json_response(status, &v),
        Ok((status, Body::Text(t))) => text(status, t),
        Ok((status, Body::Empty)) => text(status, String::new()),
        Err(e) => error(&e),
    }
}

/// What a route answers with.
enum Body {
    Json(Value),
    Text(String),
    Empty,
}

type Reply = Result<(StatusCode, Body), ApiError>;

async fn route(reg: &Registry, method: &Method, path: &str, body: &[u8]) -> Reply {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        (&Method::GET, ["version"]) => Ok((StatusCode::OK, Body::Text(version()))),
        (&Method::POST, ["reset"]) => {
            for p in reg.proxies.lock().await.values() {
                p.set_enabled(true).await?;
                p.clear_toxics();
            }
            Ok((StatusCode::NO_CONTENT, Body::Empty))
        }
        (&Method::POST, ["populate"]) => {
            let v = parse(body)?;
            let created = populate(reg, &v).await?;
            Ok((
                StatusCode::CREATED,
                Body::Json(json!({ "proxies": created })),
            ))
        }
        (&Method::GET, ["proxies"]) => {
            let map: serde_json::Map<String, Value> = reg
                .proxies
                .lock()
                .await
                .iter()
                .map(|(n, p)| (n.clone(), p.to_json()))
                .collect();
            Ok((StatusCode::OK, Body::Json(Value::Object(map))))
        }
        (&Method::POST, ["proxies"]) => {
            let spec = ProxySpec::parse(&parse(body)?)?;
            let mut proxies = reg.proxies.lock().await;
            if proxies.contains_key(&spec.name) {
                return Err(ApiError(
                    StatusCode::CONFLICT,
                    "proxy already exists".into(),
                ));
            }
            let p = spec.start(reg.seed).await?;
            let v = p.to_json();
            proxies.insert(spec.name, p);
            Ok((StatusCode::CREATED, Body::Json(v)))
        }
        (_, ["proxies", name, rest @ ..]) => proxy_route(reg, method, name, rest, body).await,
        _ => Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("no route for {method} {path}"),
        )),
    }
}

async fn proxy_route(
    reg: &Registry,
    method: &Method,
    name: &str,
    rest: &[&str],
    body: &[u8],
) -> Reply {
    let mut proxies = reg.proxies.lock().await;
    if !proxies.contains_key(name) {
        return Err(ApiError::proxy_not_found());
    }
    let proxy = &proxies[name];
    match (method, rest) {
        (&Method::GET, []) => Ok((StatusCode::OK, Body::Json(proxy.to_json()))),
        (&Method::POST, []) => {
            let v = parse(body)?;
            let obj = v
                .as_object()
                .ok_or_else(|| ApiError::bad_body("expected a JSON object"))?;
            check_keys(obj)?;
            if let Some(u) = opt_str(obj, "upstream")? {
                proxy.set_upstream(u);
            }
            if let Some(l) = opt_str(obj, "listen")?
                && l != proxy.listen()
            {
                proxy.set_listen(&l).await?;
            }
            if let Some(e) = obj.get("enabled") {
                let e = e.as_bool().ok_or_else(|| {
                    ApiError::bad_body(format!("`enabled` must be true or false, not {e}"))
                })?;
                proxy.set_enabled(e).await?;
            }
            Ok((StatusCode::OK, Body::Json(proxy.to_json())))
        }
        (&Method::DELETE, []) => {
            proxies.remove(name);
            Ok((StatusCode::NO_CONTENT, Body::Empty))
        }
        (&Method::GET, ["toxics"]) => Ok((
            StatusCode::OK,
            Body::Json(Value::Array(
                proxy.toxics().iter().map(Toxic::to_json).collect(),
            )),
        )),
        (&Method::POST, ["toxics"]) => {
            let toxic = Toxic::from_json(&parse(body)?)?;
            proxy.add_toxic(toxic.clone())?;
            Ok((StatusCode::OK, Body::Json(toxic.to_json())))
        }
        (&Method::GET, ["toxics", t]) => match proxy.toxic(t) {
            Some(toxic) => Ok((StatusCode::OK, Body::Json(toxic.to_json()))),
            None => Err(ProxyError::ToxicNotFound((*t).to_owned()).into()),
        },
        (&Method::POST, ["toxics", t]) => {
            let current = proxy
                .toxic(t)
                .ok_or_else(|| ProxyError::ToxicNotFound((*t).to_owned()))?;
            let next = current.update_from_json(&parse(body)?)?;
            proxy.update_toxic(next.clone())?;
            Ok((StatusCode::OK, Body::Json(next.to_json())))
        }
        (&Method::DELETE, ["toxics", t]) => {
            proxy.remove_toxic(t)?;
            Ok((StatusCode::NO_CONTENT, Body::Empty))
        }
        _ => Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("no route for {method} /proxies/{name}/{}", rest.join("/")),
        )),
    }
}

/// A proxy as the API creates it.
struct ProxySpec {
    name: String,
    listen: String,
    upstream: String,
    enabled: bool,
}

impl ProxySpec {
    fn parse(v: &Value) -> Result<ProxySpec, ApiError> {
        let obj = v
            .as_object()
            .ok_or_else(|| ApiError::bad_body("expected a JSON object"))?;
        check_keys(obj)?;
        let name = opt_str(obj, "name")?.unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::missing("name"));
        }
        let upstream = opt_str(obj, "upstream")?.unwrap_or_default();
        if upstream.is_empty() {
            return Err(ApiError::missing("upstream"));
        }
        let listen = opt_str(obj, "listen")?
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "127.0.0.1:0".into());
        let enabled = match obj.get("enabled") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(ApiError::bad_body(format!(
                    "`enabled` must be true or false, not {other}"
                )));
            }
        };
        Ok(ProxySpec {
            name,
            listen,
            upstream,
            enabled,
        })
    }

    async fn start(&self, seed: u64) -> Result<TcpProxy, ProxyError> {
        TcpProxy::builder(&self.name, &self.upstream)
            .listen(&self.listen)
            .seed(seed ^ hash_str(&self.name))
            .enabled(self.enabled)
            .start()
            .await
    }
}

async fn populate(reg: &Registry, body: &Value) -> Result<Vec<Value>, ApiError> {
    let list = body
        .as_array()
        .ok_or_else(|| ApiError::bad_body("expected a JSON array of proxies"))?;
    // Check every entry before changing anything.
    let specs = list
        .iter()
        .map(ProxySpec::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let mut proxies = reg.proxies.lock().await;
    let mut created = Vec::new();
    for spec in specs {
        let same = proxies.get(&spec.name).is_some_and(|p| {
            p.upstream() == spec.upstream
                && (p.listen() == spec.listen || spec.listen.ends_with(":0"))
        });
        if !same {
            proxies.remove(&spec.name); // frees its port before the new one binds
            let p = spec.start(reg.seed).await?;
            proxies.insert(spec.name.clone(), p);
        }
        let p = &proxies[&spec.name];
        p.set_enabled(spec.enabled).await?;
        created.push(p.to_json());
    }
    Ok(created)
}

fn parse(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(ApiError::bad_body)
}

fn check_keys(obj: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    for key in obj.keys() {
        // `toxics` is accepted and ignored: some clients send the whole proxy back.
        if !matches!(
            key.as_str(),
            "name" | "listen" | "upstream" | "enabled" | "toxics"
        ) {
            return Err(ApiError::bad_body(format!(
                "unknown field `{key}`; expected name, listen, upstream or enabled"
            )));
        }
    }
    Ok(())
}

fn opt_str(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::bad_body(format!(
            "`{key}` must be a string, not {other}"
        ))),
    }
}

fn json_response(status: StatusCode, v: &Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(v.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    r
}

fn text(status: StatusCode, t: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(t)));
    *r.status_mut() = status;
    if status != StatusCode::NO_CONTENT {
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain;charset=utf-8"),
        );
    }
    r
}

fn error(e: &ApiError) -> Response<Full<Bytes>> {
    json_response(e.0, &json!({ "error": e.1, "status": e.0.as_u16() }))
}

/// The version `/version` reports.
pub fn version() -> String {
    format!("crosscheck-{}", env!("CARGO_PKG_VERSION"))
}
