//! WireMock's JSON stub mappings, read into our own stub model.
//!
//! The subset read: `request` with `method`, one of `url`, `urlPath`, `urlPattern`,
//! `urlPathPattern`, `urlPathTemplate`, and `queryParameters`, `headers`, `cookies`,
//! `pathParameters`, `bodyPatterns`; `response` with `status`, `body`, `jsonBody`,
//! `base64Body` is not read (say so), `headers`, `fixedDelayMilliseconds`,
//! `delayDistribution` (`uniform`, `lognormal`, `fixed`), `chunkedDribbleDelay`, `fault`
//! and `transformers`; `priority`, `name`, `id`/`uuid`, and `scenarioName`,
//! `requiredScenarioState`, `newScenarioState`. Unknown matcher operators and faults are
//! errors, so a typo never turns into a stub that matches everything.
//!
//! crosscheck's own body faults, which WireMock has no words for, ride in the same format
//! under names WireMock will never use: `fault: CROSSCHECK_WRONG_LENGTH` and
//! `CROSSCHECK_BROKEN_CHUNKED`, `crosscheckBandwidth` (bytes/s) and `crosscheckPause`
//! (`{ milliseconds, afterBytes }`).

use regex::Regex;
use serde_json::{Map, Value};

/// A stub created through the admin API or read from a mapping file.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    /// Lower answers first; WireMock's default is 5.
    pub(crate) priority: i64,
    pub(crate) request: RequestSpec,
    pub(crate) response: ResponseSpec,
    pub(crate) scenario: Option<ScenarioSpec>,
    /// The mapping as it was given, with `id` and `uuid` filled in: what GET returns.
    pub(crate) source: Value,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct RequestSpec {
    /// `None` for any method (`ANY` or absent).
    pub(crate) method: Option<String>,
    pub(crate) url: UrlMatch,
    pub(crate) query: Vec<(String, ValueMatch)>,
    pub(crate) headers: Vec<(String, ValueMatch)>,
    pub(crate) cookies: Vec<(String, ValueMatch)>,
    pub(crate) path_params: Vec<(String, ValueMatch)>,
    pub(crate) body: Vec<ValueMatch>,
}

/// How the URL is matched.
#[derive(Debug, Clone, Default)]
pub(crate) enum UrlMatch {
    #[default]
    Any,
    /// `url`: path and query exactly.
    Exact(String),
    /// `urlPattern`: a regex over path and query.
    Pattern(Regex),
    /// `urlPath`: the path exactly.
    Path(String),
    /// `urlPathPattern`: a regex over the path.
    PathPattern(Regex),
    /// `urlPathTemplate`: `/users/{id}`.
    PathTemplate(String),
}

/// One value matcher: `{"equalTo": "x"}`, `{"matches": "re"}`, …
#[derive(Debug, Clone)]
pub(crate) enum ValueMatch {
    EqualTo {
        value: String,
        case_insensitive: bool,
    },
    Contains(String),
    DoesNotContain(String),
    Matches(Regex),
    DoesNotMatch(Regex),
    Absent,
    /// Present, any value (`{"absent": false}`).
    Present,
    EqualToJson {
        json: Value,
        ignore_array_order: bool,
        ignore_extra_elements: bool,
    },
    /// A JSONPath that must select something, and what the selection must fit.
    MatchesJsonPath {
        path: crosscheck_model::jsonpath::Path,
        then: Option<Box<ValueMatch>>,
    },
    And(Vec<ValueMatch>),
    Or(Vec<ValueMatch>),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseSpec {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<String>,
    /// Whether `body` came from `jsonBody` (sets a JSON content type by default).
    pub(crate) json: bool,
    pub(crate) delay: Delay,
    pub(crate) fault: Option<WireFault>,
    /// Render `{{request.…}}` templates in the body and headers.
    pub(crate) template: bool,
    /// `chunkedDribbleDelay`: the body in this many pieces spread over this many ms.
    pub(crate) dribble: Option<(u32, u64)>,
    /// `crosscheckBandwidth` (our extension): the body at this many bytes per second.
    pub(crate) bandwidth: Option<u64>,
    /// `crosscheckPause` (our extension): headers and `afterBytes` of the body (half when
    /// absent), a pause of this many ms, then the rest.
    pub(crate) pause: Option<(Option<u64>, u64)>,
    /// The answer rendered once, for responses without templates (filled on first use).
    pub(crate) rendered: std::sync::OnceLock<crate::reply::Rendered>,
}

/// A delay before the answer, as WireMock spells it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum Delay {
    #[default]
    None,
    Fixed(u64),
    Uniform {
        lower: u64,
        upper: u64,
    },
    LogNormal {
        median: f64,
        sigma: f64,
    },
}

/// WireMock's faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireFault {
    ConnectionResetByPeer,
    EmptyResponse,
    MalformedResponseChunk,
    RandomDataThenClose,
    /// Our extension: a `Content-Length` longer than the body sent, then close.
    WrongLength,
    /// Our extension: a chunk-size line that is not hex.
    BrokenChunked,
}

impl WireFault {
    pub(crate) fn name(self) -> &'static str {
        match self {
            WireFault::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            WireFault::EmptyResponse => "EMPTY_RESPONSE",
            WireFault::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            WireFault::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
            WireFault::WrongLength => "CROSSCHECK_WRONG_LENGTH",
            WireFault::BrokenChunked => "CROSSCHECK_BROKEN_CHUNKED",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ScenarioSpec {
    pub(crate) name: String,
    pub(crate) required: Option<String>,
    pub(crate) new_state: Option<String>,
}

/// The state every scenario starts in.
pub(crate) const STARTED: &str = "Started";

/// Keys of a mapping that are accepted and not acted on.
const IGNORED_TOP: &[&str] = &[
    "persistent",
    "metadata",
    "postServeActions",
    "serveEventListeners",
    "insertionIndex",
];

/// Reads one mapping. Errors name the key: `request.headers.Accept: unknown matcher `equalsTo``.
pub(crate) fn parse(value: &Value) -> Result<Mapping, String> {
    let obj = value
        .as_object()
        .ok_or("a stub mapping must be a JSON object")?;
    for key in obj.keys() {
        let known = [
            "id",
            "uuid",
            "name",
            "priority",
            "request",
            "response",
            "scenarioName",
            "requiredScenarioState",
            "newScenarioState",
        ];
        if !known.contains(&key.as_str()) && !IGNORED_TOP.contains(&key.as_str()) {
            return Err(format!(
                "unknown key `{key}` in a stub mapping (known: {})",
                known.join(", ")
            ));
        }
    }
    let id = match obj.get("id").or_else(|| obj.get("uuid")) {
        Some(Value::String(s)) if uuid::Uuid::parse_str(s).is_ok() => s.to_ascii_lowercase(),
        Some(other) => return Err(format!("`id` must be a UUID, got {other}")),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let priority = match obj.get("priority") {
        None | Some(Value::Null) => 5,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| format!("`priority` must be an integer, got {v}"))?,
    };
    let request = match obj.get("request") {
        Some(r) => request(r)?,
        None => return Err("a stub mapping needs a `request` object".to_owned()),
    };
    let response = match obj.get("response") {
        Some(r) => response(r)?,
        None => ResponseSpec {
            status: 200,
            ..Default::default()
        },
    };
    let scenario = match obj.get("scenarioName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(ScenarioSpec {
            name: name.clone(),
            required: opt_string(obj, "requiredScenarioState")?,
            new_state: opt_string(obj, "newScenarioState")?,
        }),
        Some(v) => return Err(format!("`scenarioName` must be a string, got {v}")),
    };
    let mut source = value.clone();
    if let Some(m) = source.as_object_mut() {
        m.insert("id".to_owned(), Value::String(id.clone()));
        m.insert("uuid".to_owned(), Value::String(id.clone()));
    }
    Ok(Mapping {
        id,
        name: opt_string(obj, "name")?,
        priority,
        request,
        response,
        scenario,
        source,
    })
}

/// Reads a mapping file's text: one mapping, or `{"mappings": [...]}`.
pub(crate) fn parse_file(text: &str) -> Result<Vec<Mapping>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match value.get("mappings") {
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, m)| parse(m).map_err(|e| format!("mappings[{i}]: {e}")))
            .collect(),
        Some(_) => Err("`mappings` must be an array".to_owned()),
        None => parse(&value).map(|m| vec![m]),
    }
}

fn opt_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(format!("`{key}` must be a string, got {v}")),
    }
}

fn regex(src: &str, at: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{src})$"))
        .map_err(|e| format!("{at}: `{src}` is not a valid regex: {e}"))
}

pub(crate) fn request(value: &Value) -> Result<RequestSpec, String> {
    let obj = value.as_object().ok_or("`request` must be an object")?;
    let mut spec = RequestSpec::default();
    let mut url_keys = Vec::new();
    for (key, v) in obj {
        let at = format!("request.{key}");
        match key.as_str() {
            "method" => {
                let m = v.as_str().ok_or_else(|| format!("{at} must be a string"))?;
                if !m.eq_ignore_ascii_case("ANY") {
                    spec.method = Some(m.to_ascii_uppercase());
                }
            }
            "url" | "urlPath" | "urlPattern" | "urlPathPattern" | "urlPathTemplate" => {
                let s = v.as_str().ok_or_else(|| format!("{at} must be a string"))?;
                url_keys.push(key.clone());
                spec.url = match key.as_str() {
                    "url" => UrlMatch::Exact(s.to_owned()),
                    "urlPath" => UrlMatch::Path(s.to_owned()),
                    "urlPattern" => UrlMatch::Pattern(regex(s, &at)?),
                    "urlPathPattern" => UrlMatch::PathPattern(regex(s, &at)?),
                    _ => UrlMatch::PathTemplate(s.to_owned()),
                };
            }
            "queryParameters" => spec.query = named_matchers(v, &at)?,
            "headers" => spec.headers = named_matchers(v, &at)?,
            "cookies" => spec.cookies = named_matchers(v, &at)?,
            "pathParameters" => spec.path_params = named_matchers(v, &at)?,
            "bodyPatterns" => {
                let list = v
                    .as_array()
                    .ok_or_else(|| format!("{at} must be an array"))?;
                spec.body = list
                    .iter()
                    .enumerate()
                    .map(|(i, m)| matcher(m, &format!("{at}[{i}]")))
                    .collect::<Result<_, _>>()?;
            }
            "scheme" | "host" | "port" | "clientIp" => {
                return Err(format!(
                    "{at}: matching on `{key}` is not supported by crosscheck's mock"
                ));
            }
            other => {
                return Err(format!(
                    "unknown key `{other}` in `request` (known: method, url, urlPath, urlPattern, urlPathPattern, urlPathTemplate, queryParameters, headers, cookies, pathParameters, bodyPatterns)"
                ));
            }
        }
    }
    if url_keys.len() > 1 {
        return Err(format!(
            "`request` has {}; give only one",
            url_keys.join(" and ")
        ));
    }
    Ok(spec)
}

fn named_matchers(value: &Value, at: &str) -> Result<Vec<(String, ValueMatch)>, String> {
    let obj = value
        .as_object()
        .ok_or_else(|| format!("{at} must be an object"))?;
    obj.iter()
        .map(|(name, m)| Ok((name.clone(), matcher(m, &format!("{at}.{name}"))?)))
        .collect()
}

fn text(v: &Value, at: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{at} must be a string, got {v}"))
}

/// Reads one matcher object.
pub(crate) fn matcher(value: &Value, at: &str) -> Result<ValueMatch, String> {
    let obj = value.as_object().ok_or_else(|| {
        format!("{at} must be a matcher object such as {{\"equalTo\": \"x\"}}, got {value}")
    })?;
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    const MODIFIERS: &[&str] = &["caseInsensitive", "ignoreArrayOrder", "ignoreExtraElements"];
    let mut ops = obj.iter().filter(|(k, _)| !MODIFIERS.contains(&k.as_str()));
    let Some((op, v)) = ops.next() else {
        return Err(format!(
            "{at} has no matcher (equalTo, contains, matches, …)"
        ));
    };
    if let Some((extra, _)) = ops.next() {
        return Err(format!(
            "{at} has two matchers, `{op}` and `{extra}`; use `and` to combine them"
        ));
    }
    let at_op = format!("{at}.{op}");
    Ok(match op.as_str() {
        "equalTo" => ValueMatch::EqualTo {
            value: match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            case_insensitive: flag("caseInsensitive"),
        },
        "contains" => ValueMatch::Contains(text(v, &at_op)?),
        "doesNotContain" => ValueMatch::DoesNotContain(text(v, &at_op)?),
        "matches" => ValueMatch::Matches(regex(&text(v, &at_op)?, &at_op)?),
        "doesNotMatch" => ValueMatch::DoesNotMatch(regex(&text(v, &at_op)?, &at_op)?),
        "absent" => {
            if v.as_bool()
                .ok_or_else(|| format!("{at_op} must be true or false"))?
            {
                ValueMatch::Absent
            } else {
                ValueMatch::Present
            }
        }
        "equalToJson" => ValueMatch::EqualToJson {
            json: match v {
                Value::String(s) => serde_json::from_str(s)
                    .map_err(|e| format!("{at_op}: the expected JSON does not parse: {e}"))?,
                other => other.clone(),
            },
            ignore_array_order: flag("ignoreArrayOrder"),
            ignore_extra_elements: flag("ignoreExtraElements"),
        },
        "matchesJsonPath" => match v {
            Value::String(expr) => ValueMatch::MatchesJsonPath {
                path: crosscheck_model::jsonpath::Path::parse(expr)
                    .map_err(|e| format!("{at_op}: {e}"))?,
                then: None,
            },
            Value::Object(inner) => {
                let expr = inner
                    .get("expression")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{at_op} needs an `expression`"))?;
                let mut rest = inner.clone();
                rest.remove("expression");
                let then = if rest.is_empty() {
                    None
                } else {
                    Some(Box::new(matcher(&Value::Object(rest), &at_op)?))
                };
                ValueMatch::MatchesJsonPath {
                    path: crosscheck_model::jsonpath::Path::parse(expr)
                        .map_err(|e| format!("{at_op}: {e}"))?,
                    then,
                }
            }
            other => {
                return Err(format!(
                    "{at_op} must be a JSONPath string or an object, got {other}"
                ));
            }
        },
        "and" | "or" => {
            let list = v
                .as_array()
                .ok_or_else(|| format!("{at_op} must be an array of matchers"))?;
            let parts = list
                .iter()
                .enumerate()
                .map(|(i, m)| matcher(m, &format!("{at_op}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            if op == "and" {
                ValueMatch::And(parts)
            } else {
                ValueMatch::Or(parts)
            }
        }
        other => {
            return Err(format!(
                "{at}: unknown matcher `{other}` (supported: equalTo, contains, doesNotContain, matches, doesNotMatch, absent, equalToJson, matchesJsonPath, and, or)"
            ));
        }
    })
}

fn response(value: &Value) -> Result<ResponseSpec, String> {
    let obj = value.as_object().ok_or("`response` must be an object")?;
    let mut spec = ResponseSpec {
        status: 200,
        ..Default::default()
    };
    for (key, v) in obj {
        let at = format!("response.{key}");
        match key.as_str() {
            "status" => {
                let s = v
                    .as_u64()
                    .ok_or_else(|| format!("{at} must be a number, got {v}"))?;
                spec.status = u16::try_from(s)
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| format!("{at} must be between 100 and 599, got {s}"))?;
            }
            "statusMessage" => {}
            "body" => spec.body = Some(text(v, &at)?),
            "jsonBody" => {
                spec.body = Some(v.to_string());
                spec.json = true;
            }
            "headers" => {
                let h = v
                    .as_object()
                    .ok_or_else(|| format!("{at} must be an object"))?;
                for (name, value) in h {
                    match value {
                        Value::Array(list) => {
                            for item in list {
                                spec.headers
                                    .push((name.clone(), text(item, &format!("{at}.{name}"))?));
                            }
                        }
                        Value::String(s) => spec.headers.push((name.clone(), s.clone())),
                        other => spec.headers.push((name.clone(), other.to_string())),
                    }
                }
            }
            "fixedDelayMilliseconds" => {
                let ms = v
                    .as_u64()
                    .ok_or_else(|| format!("{at} must be a whole number of milliseconds"))?;
                spec.delay = Delay::Fixed(ms);
            }
            "delayDistribution" => spec.delay = distribution(v, &at)?,
            "chunkedDribbleDelay" => spec.dribble = Some(dribble(v, &at)?),
            "crosscheckBandwidth" => {
                let rate = v.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                    format!("{at} must be a whole number of bytes per second, at least 1")
                })?;
                spec.bandwidth = Some(rate);
            }
            "crosscheckPause" => spec.pause = Some(pause(v, &at)?),
            "fault" => {
                spec.fault = Some(match v.as_str() {
                    Some("CONNECTION_RESET_BY_PEER") => WireFault::ConnectionResetByPeer,
                    Some("EMPTY_RESPONSE") => WireFault::EmptyResponse,
                    Some("MALFORMED_RESPONSE_CHUNK") => WireFault::MalformedResponseChunk,
                    Some("RANDOM_DATA_THEN_CLOSE") => WireFault::RandomDataThenClose,
                    Some("CROSSCHECK_WRONG_LENGTH") => WireFault::WrongLength,
                    Some("CROSSCHECK_BROKEN_CHUNKED") => WireFault::BrokenChunked,
                    _ => {
                        return Err(format!(
                            "{at}: unknown fault {v} (supported: CONNECTION_RESET_BY_PEER, EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE, and crosscheck's CROSSCHECK_WRONG_LENGTH, CROSSCHECK_BROKEN_CHUNKED)"
                        ));
                    }
                });
            }
            "transformers" => {
                let list = v
                    .as_array()
                    .ok_or_else(|| format!("{at} must be an array"))?;
                spec.template = list.iter().any(|t| t == "response-template");
            }
            "transformerParameters" => {}
            "base64Body" | "bodyFileName" | "proxyBaseUrl" => {
                return Err(format!("{at} is not supported by crosscheck's mock"));
            }
            other => {
                return Err(format!(
                    "unknown key `{other}` in `response` (known: status, body, jsonBody, headers, fixedDelayMilliseconds, delayDistribution, chunkedDribbleDelay, fault, transformers, crosscheckBandwidth, crosscheckPause)"
                ));
            }
        }
    }
    let shapes = [
        spec.dribble.is_some(),
        spec.bandwidth.is_some(),
        spec.pause.is_some(),
    ];
    if shapes.iter().filter(|b| **b).count() > 1 {
        return Err(
            "response: give at most one of chunkedDribbleDelay, crosscheckBandwidth and crosscheckPause"
                .to_owned(),
        );
    }
    Ok(spec)
}

/// `{"numberOfChunks": n, "totalDuration": ms}`, n at least 1.
fn dribble(v: &Value, at: &str) -> Result<(u32, u64), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{at} must be an object with numberOfChunks and totalDuration"))?;
    for key in obj.keys() {
        if key != "numberOfChunks" && key != "totalDuration" {
            return Err(format!(
                "unknown key `{key}` in {at} (known: numberOfChunks, totalDuration)"
            ));
        }
    }
    let chunks = obj
        .get("numberOfChunks")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("{at}.numberOfChunks must be a whole number, at least 1"))?;
    let total = obj
        .get("totalDuration")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{at}.totalDuration must be a whole number of milliseconds"))?;
    Ok((chunks, total))
}

fn pause(v: &Value, at: &str) -> Result<(Option<u64>, u64), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{at} must be an object with milliseconds (and afterBytes)"))?;
    for key in obj.keys() {
        if key != "milliseconds" && key != "afterBytes" {
            return Err(format!(
                "unknown key `{key}` in {at} (known: milliseconds, afterBytes)"
            ));
        }
    }
    let ms = obj
        .get("milliseconds")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("{at}.milliseconds must be a whole number of milliseconds"))?;
    let after = match obj.get("afterBytes") {
        None => None,
        Some(n) => Some(
            n.as_u64()
                .ok_or_else(|| format!("{at}.afterBytes must be a whole number of bytes"))?,
        ),
    };
    Ok((after, ms))
}

fn distribution(v: &Value, at: &str) -> Result<Delay, String> {
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_f64)
            .filter(|n| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| format!("{at}.{k} must be a non-negative number"))
    };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    match v.get("type").and_then(Value::as_str) {
        Some("uniform") => {
            let (lower, upper) = (num("lower")? as u64, num("upper")? as u64);
            if lower > upper {
                return Err(format!(
                    "{at}: `lower` ({lower}) is above `upper` ({upper})"
                ));
            }
            Ok(Delay::Uniform { lower, upper })
        }
        Some("lognormal") => Ok(Delay::LogNormal {
            median: num("median")?,
            sigma: num("sigma")?,
        }),
        Some("fixed") => Ok(Delay::Fixed(num("milliseconds")? as u64)),
        _ => Err(format!(
            "{at}.type must be `uniform`, `lognormal` or `fixed`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_full_mapping() {
        let m = parse(&json!({
            "priority": 1,
            "request": {"method": "POST", "urlPathTemplate": "/users/{id}",
                "headers": {"Accept": {"contains": "json", "caseInsensitive": true}},
                "bodyPatterns": [{"matchesJsonPath": {"expression": "$.name", "equalTo": "x"}},
                                 {"equalToJson": "{\"a\":1}", "ignoreExtraElements": true}]},
            "response": {"status": 201, "jsonBody": {"ok": true}, "fixedDelayMilliseconds": 5,
                "transformers": ["response-template"]},
            "scenarioName": "s", "requiredScenarioState": "Started", "newScenarioState": "b"
        }))
        .unwrap();
        assert_eq!(m.priority, 1);
        assert!(matches!(m.request.url, UrlMatch::PathTemplate(ref t) if t == "/users/{id}"));
        assert_eq!(m.request.body.len(), 2);
        assert_eq!(m.response.delay, Delay::Fixed(5));
        assert!(m.response.template && m.response.json);
        assert_eq!(m.source["id"], json!(m.id));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |v: Value| parse(&v).unwrap_err();
        assert_eq!(
            err(json!({"request": {"headers": {"A": {"equalsTo": "x"}}}})),
            "request.headers.A: unknown matcher `equalsTo` (supported: equalTo, contains, doesNotContain, matches, doesNotMatch, absent, equalToJson, matchesJsonPath, and, or)"
        );
        assert_eq!(
            err(json!({"request": {"url": "/a", "urlPath": "/a"}})),
            "`request` has url and urlPath; give only one"
        );
        assert!(
            err(json!({"request": {}, "response": {"fault": "NOPE"}}))
                .starts_with("response.fault: unknown fault")
        );
        assert!(err(json!({"request": {"urlPattern": "("}})).contains("is not a valid regex"));
        assert!(err(json!({"reqest": {}})).starts_with("unknown key `reqest`"));
        assert_eq!(
            err(json!({"response": {}})),
            "a stub mapping needs a `request` object"
        );
        assert!(
            err(json!({"request": {}, "response": {"status": 1000}}))
                .contains("between 100 and 599")
        );
    }

    #[test]
    fn files_hold_one_or_many() {
        assert_eq!(
            parse_file(r#"{"request": {"url": "/a"}}"#).unwrap().len(),
            1
        );
        assert_eq!(
            parse_file(r#"{"mappings": [{"request": {}}, {"request": {"method": "GET"}}]}"#)
                .unwrap()
                .len(),
            2
        );
        assert!(
            parse_file(r#"{"mappings": [{"request": 3}]}"#)
                .unwrap_err()
                .starts_with("mappings[0]: ")
        );
        assert!(parse_file("{").unwrap_err().starts_with("not valid JSON"));
    }
}
