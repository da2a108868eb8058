//! A small seeded random source for fault schedules: the same seed replays the same
//! delays and bytes. SplitMix64; not for anything that needs to be unpredictable.

use std::time::Duration;

use crosscheck_model::duration::Span;
use crosscheck_model::scenario::Wait;

use crate::wiremock::Delay;

#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Milliseconds to wait for `delay`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    pub(crate) fn delay(&mut self, delay: Delay) -> u64 {
        match delay {
            Delay::None => 0,
            Delay::Fixed(ms) => ms,
            Delay::Uniform { lower, upper } => lower + self.next_u64() % (upper - lower + 1),
            Delay::LogNormal { median, sigma } => {
                // Box–Muller: a standard normal from two uniforms.
                let u1 = self.unit().max(f64::MIN_POSITIVE);
                let u2 = self.unit();
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                // Capped at ten minutes so a wild draw cannot hold a connection forever.
                (median * (sigma * z).exp()).round().clamp(0.0, 600_000.0) as u64
            }
        }
    }

    /// How long to wait for `wait` (millisecond steps), drawn from this source when it is
    /// a distribution.
    pub(crate) fn wait(&mut self, wait: Wait) -> Duration {
        let ms = |s: Span| u64::try_from(s.get().as_millis()).unwrap_or(u64::MAX);
        match wait {
            Wait::Fixed(s) => s.get(),
            Wait::Uniform { min, max } => Duration::from_millis(self.delay(Delay::Uniform {
                lower: ms(min),
                upper: ms(max).max(ms(min)),
            })),
            #[allow(clippy::cast_precision_loss)]
            Wait::Lognormal { median, sigma } => {
                Duration::from_millis(self.delay(Delay::LogNormal {
                    median: ms(median) as f64,
                    sigma,
                }))
            }
        }
    }

    /// True with probability `p` (0 to 1).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// `n` bytes that do not start like an HTTP response.
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out: Vec<u8> = (0..n).map(|_| (self.next_u64() & 0xff) as u8).collect();
        if let Some(first) = out.first_mut() {
            *first = 0xff;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_schedule() {
        let draw = |seed| {
            let mut r = Rng::new(seed);
            (0..50)
                .map(|_| {
                    r.delay(Delay::LogNormal {
                        median: 80.0,
                        sigma: 0.4,
                    })
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        let mut sorted = draw(7);
        sorted.sort_unstable();
        // The median of a lognormal draw sits near its median parameter.
        assert!((50..=120).contains(&sorted[25]), "{sorted:?}");
        let mut r = Rng::new(1);
        for _ in 0..200 {
            let d = r.delay(Delay::Uniform {
                lower: 10,
                upper: 20,
            });
            assert!((10..=20).contains(&d));
        }
        assert_eq!(r.bytes(4)[0], 0xff);
    }
}
