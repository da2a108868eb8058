//! A small seeded random source (SplitMix64): the proxy's decisions (toxicity, jitter,
//! slice sizes) depend only on the seed, the connection's number and the toxic, so the
//! same seed replays them.

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer in `[lo, hi]` (inclusive); `lo` when the range is empty.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as i64
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of a string (FNV-1a), to derive per-toxic seeds.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Whether a toxic with this toxicity applies to connection `conn`: a pure function of
/// the seed, the connection's number and the toxic's name.
pub(crate) fn applies(seed: u64, conn: u64, toxic: &str, toxicity: f32) -> bool {
    if toxicity >= 1.0 {
        return true;
    }
    if toxicity <= 0.0 {
        return false;
    }
    let mut rng = Rng::new(seed ^ mix(conn.wrapping_add(1)) ^ hash_str(toxic));
    rng.unit() < f64::from(toxicity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_decisions() {
        let a: Vec<bool> = (0..64).map(|c| applies(7, c, "lat", 0.5)).collect();
        let b: Vec<bool> = (0..64).map(|c| applies(7, c, "lat", 0.5)).collect();
        let other: Vec<bool> = (0..64).map(|c| applies(8, c, "lat", 0.5)).collect();
        assert_eq!(a, b);
        assert_ne!(a, other);
        let hits = a.iter().filter(|x| **x).count();
        assert!((16..=48).contains(&hits), "about half apply: {hits}");
    }

    #[test]
    fn toxicity_bounds_are_exact() {
        assert!((0..100).all(|c| applies(1, c, "t", 1.0)));
        assert!((0..100).all(|c| !applies(1, c, "t", 0.0)));
    }

    #[test]
    fn between_stays_in_range() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let v = r.between(-5, 5);
            assert!((-5..=5).contains(&v));
        }
        assert_eq!(r.between(4, 4), 4);
        assert_eq!(r.between(4, 1), 4);
    }
}
