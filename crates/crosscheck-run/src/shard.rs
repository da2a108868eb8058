//! Splitting a suite across machines: `--shard k/n` runs the scenarios whose id hashes
//! to shard `k` of `n`. The hash is FNV-1a (64 bit) of the id's bytes, so the partition
//! is the same on every machine, every run and every platform, and a scenario stays in
//! its shard when others are added or removed.

/// FNV-1a, 64 bit.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Whether the scenario `id` belongs to shard `k` of `n` (1-based). Every id belongs to
/// exactly one of the `n` shards.
pub fn in_shard(id: &str, k: u32, n: u32) -> bool {
    n > 0 && fnv1a(id) % u64::from(n) == u64::from(k.saturating_sub(1))
}

/// Reads `k/n` with 1 ≤ k ≤ n, or says what is wrong.
pub fn parse(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{text}` is not a shard; write k/n with 1 ≤ k ≤ n, e.g. 2/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let k: u32 = k.trim().parse().map_err(|_| bad())?;
    let n: u32 = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_lands_in_exactly_one_shard() {
        for n in 1..=7 {
            for i in 0..500 {
                let id = format!("scenario-{i}");
                let hits = (1..=n).filter(|&k| in_shard(&id, k, n)).count();
                assert_eq!(hits, 1, "{id} in {hits} of {n} shards");
            }
        }
    }

    #[test]
    fn shards_are_balanced_and_stable() {
        let sizes: Vec<usize> = (1..=4)
            .map(|k| {
                (0..4000)
                    .filter(|i| in_shard(&format!("s-{i}"), k, 4))
                    .count()
            })
            .collect();
        for s in &sizes {
            assert!((800..1200).contains(s), "unbalanced: {sizes:?}");
        }
        // Pinned: the partition must not change between versions.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn parse_shards() {
        assert_eq!(parse("2/4"), Ok((2, 4)));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3", "1/2/3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("5/4").unwrap_err().contains("1 ≤ k ≤ n"));
    }
}
