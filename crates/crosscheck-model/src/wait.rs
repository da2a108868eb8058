//! How long a fault waits: a fixed duration, or a draw from a distribution.
//!
//! Written as a duration (`2s`, `1500`), or as a mapping naming the distribution:
//! `{ uniform: [10ms, 50ms] }`, `{ lognormal: { median: 80ms, sigma: 0.4 } }`. The
//! double draws from a seeded source, so the same seed replays the same waits.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::duration::Span;

/// The most a lognormal spread (`sigma`) may be: beyond it the draws span many orders
/// of magnitude and the median means little.
pub const MAX_SIGMA: f64 = 5.0;

/// A wait before (or in the middle of) an answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wait {
    /// Always this long.
    Fixed(Span),
    /// Uniformly between `min` and `max`, both included (millisecond steps).
    Uniform {
        /// The shortest wait.
        min: Span,
        /// The longest wait.
        max: Span,
    },
    /// Lognormal around `median`: half the draws are shorter, half longer; `sigma` is
    /// the spread of the logarithm (0.1 narrow, 1 wide).
    Lognormal {
        /// The median wait.
        median: Span,
        /// The standard deviation of the logarithm, above 0 and at most [`MAX_SIGMA`].
        sigma: f64,
    },
}

impl Wait {
    /// The fixed duration, if the wait is fixed.
    pub fn fixed(self) -> Option<Duration> {
        match self {
            Wait::Fixed(s) => Some(s.get()),
            _ => None,
        }
    }
}

impl From<Duration> for Wait {
    fn from(d: Duration) -> Self {
        Wait::Fixed(Span(d))
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wait::Fixed(s) => write!(f, "{s}"),
            Wait::Uniform { min, max } => write!(f, "uniform {min}–{max}"),
            Wait::Lognormal { median, sigma } => {
                write!(f, "lognormal median {median}, sigma {sigma}")
            }
        }
    }
}

impl Serialize for Wait {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Wait::Fixed(span) => span.serialize(s),
            Wait::Uniform { min, max } => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("uniform", &[min, max])?;
                m.end()
            }
            Wait::Lognormal { median, sigma } => {
                #[derive(Serialize)]
                struct L<'a> {
                    median: &'a Span,
                    sigma: f64,
                }
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(
                    "lognormal",
                    &L {
                        median,
                        sigma: *sigma,
                    },
                )?;
                m.end()
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LognormalSpec {
    median: Span,
    sigma: f64,
}

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Wait;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a duration such as `2s`, `{ uniform: [10ms, 50ms] }` or \
                     `{ lognormal: { median: 80ms, sigma: 0.4 } }`",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wait, E> {
                crate::duration::parse(v)
                    .map(Wait::Fixed)
                    .map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wait, E> {
                Ok(Wait::Fixed(Span(Duration::from_millis(v))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wait, E> {
                u64::try_from(v)
                    .map(|ms| Wait::Fixed(Span(Duration::from_millis(ms))))
                    .map_err(|_| E::custom("a duration cannot be negative"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Wait, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(
                        "an empty mapping is not a wait; write `uniform: [min, max]` or \
                         `lognormal: { median, sigma }` inside it, or a duration instead",
                    ));
                };
                let wait = match key.as_str() {
                    "uniform" => {
                        let [min, max]: [Span; 2] = map.next_value()?;
                        uniform(min, max).map_err(de::Error::custom)?
                    }
                    "lognormal" => {
                        let spec: LognormalSpec = map.next_value()?;
                        lognormal(spec.median, spec.sigma).map_err(de::Error::custom)?
                    }
                    "fixed" => Wait::Fixed(map.next_value()?),
                    other => {
                        let hint =
                            crate::suggest::closest(other, ["uniform", "lognormal", "fixed"])
                                .map(|s| format!("; did you mean `{s}`?"))
                                .unwrap_or_else(|| {
                                    "; the distributions are `uniform`, `lognormal` and `fixed`"
                                        .to_owned()
                                });
                        return Err(de::Error::custom(format!(
                            "unknown delay distribution `{other}`{hint}"
                        )));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a wait names one distribution; remove `{extra}`"
                    )));
                }
                Ok(wait)
            }
        }
        d.deserialize_any(V)
    }
}

/// A uniform wait, checked: `min` must not exceed `max`.
pub fn uniform(min: Span, max: Span) -> Result<Wait, String> {
    if min > max {
        return Err(format!(
            "a uniform delay's bounds are reversed ({min} is more than {max}); write the \
             shorter one first: `uniform: [{max}, {min}]`"
        ));
    }
    Ok(Wait::Uniform { min, max })
}

/// A lognormal wait, checked: `sigma` above 0 and at most [`MAX_SIGMA`], a non-zero median.
pub fn lognormal(median: Span, sigma: f64) -> Result<Wait, String> {
    if !(sigma > 0.0 && sigma <= MAX_SIGMA) {
        return Err(format!(
            "a lognormal delay's sigma must be above 0 and at most {MAX_SIGMA} (it is {sigma}); \
             0.1 is a narrow spread, 1 a wide one"
        ));
    }
    if median.get().is_zero() {
        return Err(
            "a lognormal delay's median must be more than 0; use a fixed `0ms` for no delay"
                .to_owned(),
        );
    }
    Ok(Wait::Lognormal { median, sigma })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(yaml: &str) -> Result<Wait, String> {
        serde_saphyr::from_str::<Wait>(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_each_form() {
        assert_eq!(read("2s").unwrap(), Wait::from(Duration::from_secs(2)));
        assert_eq!(
            read("1500").unwrap(),
            Wait::from(Duration::from_millis(1500))
        );
        assert_eq!(
            read("{ uniform: [10ms, 50ms] }").unwrap(),
            Wait::Uniform {
                min: Span(Duration::from_millis(10)),
                max: Span(Duration::from_millis(50))
            }
        );
        assert_eq!(
            read("{ lognormal: { median: 80ms, sigma: 0.4 } }").unwrap(),
            Wait::Lognormal {
                median: Span(Duration::from_millis(80)),
                sigma: 0.4
            }
        );
        assert_eq!(
            read("{ fixed: 3s }").unwrap().fixed(),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn bad_waits_say_how_to_fix_them() {
        let e = read("{ uniform: [50ms, 10ms] }").unwrap_err();
        assert!(e.contains("bounds are reversed"), "{e}");
        let e = read("{ lognormal: { median: 80ms, sigma: 0 } }").unwrap_err();
        assert!(e.contains("sigma must be above 0"), "{e}");
        let e = read("{ unifrom: [1ms, 2ms] }").unwrap_err();
        assert!(e.contains("did you mean `uniform`"), "{e}");
        let e = read("{ lognormal: { median: 80ms } }").unwrap_err();
        assert!(e.contains("sigma"), "{e}");
    }

    #[test]
    fn round_trips_through_yaml() {
        for text in [
            "2s",
            "{ uniform: [10ms, 50ms] }",
            "{ lognormal: { median: 80ms, sigma: 0.4 } }",
        ] {
            let w = read(text).unwrap();
            let back: Wait = serde_saphyr::from_str(&serde_saphyr::to_string(&w).unwrap()).unwrap();
            assert_eq!(w, back, "{text}");
        }
    }
}
