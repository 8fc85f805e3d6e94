use rand::Rng;

/// How long to wait before attempt `attempts + 1`: exponential from 2 s, capped at one hour,
/// with ±50 % jitter so that jobs failing together do not retry together.
pub fn retry_delay_ms(attempts: i64, rng: &mut impl Rng) -> i64 {
    let exp = attempts.clamp(1, 12) as u32;
    let base = (2_000i64 << (exp - 1)).min(3_600_000);
    let jitter: f64 = rng.gen_range(0.5..1.5);
    (base as f64 * jitter) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn delays_grow_exponentially_within_the_jitter_band_and_are_capped() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for (attempt, base) in [(1, 2_000), (2, 4_000), (3, 8_000), (20, 3_600_000)] {
            for _ in 0..50 {
                let d = retry_delay_ms(attempt, &mut rng);
                assert!(d >= base / 2 && d < base * 3 / 2, "attempt {attempt}: {d}");
            }
        }
    }

    #[test]
    fn jitter_spreads_the_retries() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut delays: Vec<_> = (0..20).map(|_| retry_delay_ms(3, &mut rng)).collect();
        delays.dedup();
        assert!(delays.len() > 10);
    }
}
