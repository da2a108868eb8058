//! Toxics: the faults a proxy applies to one direction of its connections, in
//! Toxiproxy's JSON shape (`name`, `type`, `stream`, `toxicity`, `attributes`).

use serde_json::{Map, Value, json};

/// Which way the bytes a toxic acts on travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// From the client to the upstream service.
    Upstream,
    /// From the upstream service back to the client.
    Downstream,
}

impl Stream {
    /// The name in the API: `upstream` or `downstream`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Upstream => "upstream",
            Stream::Downstream => "downstream",
        }
    }
}

/// What a toxic does. Times are milliseconds unless named otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToxicKind {
    /// Delay every chunk by `latency` ± `jitter`.
    Latency {
        /// The added delay.
        latency: u64,
        /// The spread around it, drawn uniformly from the seeded source.
        jitter: u64,
    },
    /// Let at most `rate` KB (1,000 bytes) through per second.
    Bandwidth {
        /// KB per second; `0` lets everything through.
        rate: u64,
    },
    /// Hold the close (FIN) back for `delay` after the sender closed.
    SlowClose {
        /// How long to hold it.
        delay: u64,
    },
    /// Drop all data, and close the connection after `timeout` (`0`: never).
    Timeout {
        /// When to close.
        timeout: u64,
    },
    /// Reset the connection (RST) after `timeout`.
    ResetPeer {
        /// When to reset.
        timeout: u64,
    },
    /// Cut data into pieces of `average_size` ± `size_variation` bytes, `delay` µs apart.
    Slicer {
        /// Mean piece size in bytes.
        average_size: u64,
        /// Spread of piece sizes in bytes.
        size_variation: u64,
        /// Pause between pieces, microseconds.
        delay: u64,
    },
    /// Close the connection once `bytes` have gone through in this direction.
    LimitData {
        /// The limit.
        bytes: u64,
    },
    /// (crosscheck) Accept the connection but never connect upstream or answer; close
    /// after `timeout` (`0`: hold until the toxic is removed or the proxy stops).
    Hang {
        /// When to close.
        timeout: u64,
    },
    /// (crosscheck) Accept the connection and reset it at once.
    Refuse,
}

/// The toxic types the proxy knows, with their attributes in API order.
const TYPES: &[(&str, &[&str])] = &[
    ("latency", &["latency", "jitter"]),
    ("bandwidth", &["rate"]),
    ("slow_close", &["delay"]),
    ("timeout", &["timeout"]),
    ("reset_peer", &["timeout"]),
    ("slicer", &["average_size", "size_variation", "delay"]),
    ("limit_data", &["bytes"]),
    ("hang", &["timeout"]),
    ("refuse", &[]),
];

impl ToxicKind {
    /// The type name in the API, e.g. `latency`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ToxicKind::Latency { .. } => "latency",
            ToxicKind::Bandwidth { .. } => "bandwidth",
            ToxicKind::SlowClose { .. } => "slow_close",
            ToxicKind::Timeout { .. } => "timeout",
            ToxicKind::ResetPeer { .. } => "reset_peer",
            ToxicKind::Slicer { .. } => "slicer",
            ToxicKind::LimitData { .. } => "limit_data",
            ToxicKind::Hang { .. } => "hang",
            ToxicKind::Refuse => "refuse",
        }
    }

    fn values(&self) -> Vec<u64> {
        match *self {
            ToxicKind::Latency { latency, jitter } => vec![latency, jitter],
            ToxicKind::Bandwidth { rate } => vec![rate],
            ToxicKind::SlowClose { delay } => vec![delay],
            ToxicKind::Timeout { timeout }
            | ToxicKind::ResetPeer { timeout }
            | ToxicKind::Hang { timeout } => vec![timeout],
            ToxicKind::Slicer {
                average_size,
                size_variation,
                delay,
            } => vec![average_size, size_variation, delay],
            ToxicKind::LimitData { bytes } => vec![bytes],
            ToxicKind::Refuse => vec![],
        }
    }

    fn build(type_name: &str, v: &[u64]) -> ToxicKind {
        match type_name {
            "latency" => ToxicKind::Latency {
                latency: v[0],
                jitter: v[1],
            },
            "bandwidth" => ToxicKind::Bandwidth { rate: v[0] },
            "slow_close" => ToxicKind::SlowClose { delay: v[0] },
            "timeout" => ToxicKind::Timeout { timeout: v[0] },
            "reset_peer" => ToxicKind::ResetPeer { timeout: v[0] },
            "slicer" => ToxicKind::Slicer {
                average_size: v[0],
                size_variation: v[1],
                delay: v[2],
            },
            "limit_data" => ToxicKind::LimitData { bytes: v[0] },
            "hang" => ToxicKind::Hang { timeout: v[0] },
            _ => ToxicKind::Refuse,
        }
    }

    fn attribute_names(type_name: &str) -> Option<&'static [&'static str]> {
        TYPES.iter().find(|(t, _)| *t == type_name).map(|(_, a)| *a)
    }

    /// Whether the toxic acts when a connection is set up rather than on its bytes.
    pub fn is_setup(&self) -> bool {
        matches!(self, ToxicKind::Hang { .. } | ToxicKind::Refuse)
    }
}

/// A named toxic on a proxy.
#[derive(Clone, Debug, PartialEq)]
pub struct Toxic {
    /// Unique within its proxy; `<type>_<stream>` when not given.
    pub name: String,
    /// What it does.
    pub kind: ToxicKind,
    /// Which direction it acts on.
    pub stream: Stream,
    /// The probability, from 0 to 1, that it applies to a given connection.
    pub toxicity: f32,
}

/// Why a toxic's JSON was refused; each maps to one of Toxiproxy's API errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ToxicError {
    /// The body is not the expected shape.
    #[error("bad request body: {0}")]
    BadBody(String),
    /// `stream` is neither `upstream` nor `downstream`.
    #[error("stream was invalid, can be either upstream or downstream")]
    InvalidStream,
    /// `type` names no toxic.
    #[error("invalid toxic type: `{0}`; known types: {known}", known = known_types())]
    InvalidType(String),
}

fn known_types() -> String {
    TYPES.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
}

impl Toxic {
    /// A toxic with toxicity 1, named `<type>_<stream>`.
    pub fn new(kind: ToxicKind, stream: Stream) -> Toxic {
        Toxic {
            name: format!("{}_{}", kind.type_name(), stream.as_str()),
            kind,
            stream,
            toxicity: 1.0,
        }
    }

    /// Sets the name.
    pub fn named(mut self, name: impl Into<String>) -> Toxic {
        self.name = name.into();
        self
    }

    /// Sets the toxicity.
    pub fn with_toxicity(mut self, toxicity: f32) -> Toxic {
        self.toxicity = toxicity;
        self
    }

    /// Reads a toxic from Toxiproxy's JSON; absent fields take Toxiproxy's defaults
    /// (`downstream`, toxicity 1, attributes 0).
    pub fn from_json(body: &Value) -> Result<Toxic, ToxicError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ToxicError::BadBody("expected a JSON object".into()))?;
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "name" | "type" | "stream" | "toxicity" | "attributes"
            ) {
                return Err(ToxicError::BadBody(format!(
                    "unknown field `{key}`; expected name, type, stream, toxicity or attributes"
                )));
            }
        }
        let type_name = string_field(obj, "type")?.unwrap_or_default();
        let names = ToxicKind::attribute_names(&type_name)
            .ok_or(ToxicError::InvalidType(type_name.clone()))?;
        let stream = match string_field(obj, "stream")?.as_deref() {
            None => Stream::Downstream,
            Some(s) if s.eq_ignore_ascii_case("downstream") => Stream::Downstream,
            Some(s) if s.eq_ignore_ascii_case("upstream") => Stream::Upstream,
            Some(_) => return Err(ToxicError::InvalidStream),
        };
        let toxicity = toxicity_field(obj)?.unwrap_or(1.0);
        let mut values = vec![0; names.len()];
        merge_attributes(&type_name, names, obj.get("attributes"), &mut values)?;
        let kind = ToxicKind::build(&type_name, &values);
        let name = string_field(obj, "name")?
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{type_name}_{}", stream.as_str()));
        Ok(Toxic {
            name,
            kind,
            stream,
            toxicity,
        })
    }

    /// Applies an update body (`attributes` merged, `toxicity` replaced), as Toxiproxy's
    /// `POST /proxies/{proxy}/toxics/{toxic}` does.
    pub fn update_from_json(&self, body: &Value) -> Result<Toxic, ToxicError> {
        let obj = body
            .as_object()
            .ok_or_else(|| ToxicError::BadBody("expected a JSON object".into()))?;
        let type_name = self.kind.type_name();
        let names = ToxicKind::attribute_names(type_name).unwrap_or(&[]);
        let mut values = self.kind.values();
        merge_attributes(type_name, names, obj.get("attributes"), &mut values)?;
        let mut next = self.clone();
        next.kind = ToxicKind::build(type_name, &values);
        if let Some(t) = toxicity_field(obj)? {
            next.toxicity = t;
        }
        Ok(next)
    }

    /// The toxic in Toxiproxy's JSON shape.
    pub fn to_json(&self) -> Value {
        let type_name = self.kind.type_name();
        let names = ToxicKind::attribute_names(type_name).unwrap_or(&[]);
        let attributes: Map<String, Value> = names
            .iter()
            .zip(self.kind.values())
            .map(|(n, v)| ((*n).to_owned(), json!(v)))
            .collect();
        json!({
            "attributes": attributes,
            "name": self.name,
            "type": type_name,
            "stream": self.stream.as_str(),
            "toxicity": self.toxicity,
        })
    }
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, ToxicError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ToxicError::BadBody(format!(
            "`{key}` must be a string, not {other}"
        ))),
    }
}

fn toxicity_field(obj: &Map<String, Value>) -> Result<Option<f32>, ToxicError> {
    match obj.get("toxicity") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(t) if (0.0..=1.0).contains(&t) => Ok(Some(t as f32)),
            _ => Err(ToxicError::BadBody(format!(
                "`toxicity` must be a number from 0 to 1, not {v}"
            ))),
        },
    }
}

fn merge_attributes(
    type_name: &str,
    names: &[&str],
    attrs: Option<&Value>,
    values: &mut [u64],
) -> Result<(), ToxicError> {
    let attrs = match attrs {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(ToxicError::BadBody(format!(
                "`attributes` must be an object, not {other}"
            )));
        }
    };
    for (key, v) in attrs {
        let Some(i) = names.iter().position(|n| n == key) else {
            let known = if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            };
            return Err(ToxicError::BadBody(format!(
                "unknown attribute `{key}` for a {type_name} toxic; its attributes: {known}"
            )));
        };
        values[i] = v.as_u64().ok_or_else(|| {
            ToxicError::BadBody(format!(
                "attribute `{key}` must be a whole number of at least 0, not {v}"
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_toxiproxy() {
        let t =
            Toxic::from_json(&json!({"type": "latency", "attributes": {"latency": 5}})).unwrap();
        assert_eq!(t.name, "latency_downstream");
        assert_eq!(t.stream, Stream::Downstream);
        assert_eq!(t.toxicity, 1.0);
        assert_eq!(
            t.kind,
            ToxicKind::Latency {
                latency: 5,
                jitter: 0
            }
        );
        assert_eq!(
            t.to_json(),
            json!({"attributes": {"latency": 5, "jitter": 0}, "name": "latency_downstream",
                   "type": "latency", "stream": "downstream", "toxicity": 1.0})
        );
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        let err = |v: Value| Toxic::from_json(&v).unwrap_err().to_string();
        assert!(err(json!({"type": "latencyy"})).contains("invalid toxic type: `latencyy`"));
        assert_eq!(
            Toxic::from_json(&json!({"type": "latency", "stream": "sideways"})).unwrap_err(),
            ToxicError::InvalidStream
        );
        assert!(
            err(json!({"type": "latency", "attributes": {"latncy": 1}})).contains(
                "unknown attribute `latncy` for a latency toxic; its attributes: latency, jitter"
            )
        );
        assert!(
            err(json!({"type": "bandwidth", "attributes": {"rate": -1}})).contains("whole number")
        );
        assert!(err(json!({"type": "timeout", "toxicity": 2})).contains("from 0 to 1"));
        assert!(err(json!([])).contains("expected a JSON object"));
    }

    #[test]
    fn updates_merge_attributes() {
        let t = Toxic::from_json(
            &json!({"type": "slicer", "attributes": {"average_size": 10, "delay": 5}}),
        )
        .unwrap();
        let u = t
            .update_from_json(&json!({"attributes": {"delay": 9}, "toxicity": 0.5}))
            .unwrap();
        assert_eq!(
            u.kind,
            ToxicKind::Slicer {
                average_size: 10,
                size_variation: 0,
                delay: 9
            }
        );
        assert_eq!(u.toxicity, 0.5);
        assert_eq!(u.name, t.name);
    }
}
