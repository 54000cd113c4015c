//! Selection weighted by credit class, without replacement.

use rand::Rng;

/// Draws `size` distinct positions from `weights` (each > 0), each draw taking a remaining item with probability
/// proportional to its weight (Efraimidis and Spirakis, 2006: keep the items with the largest `u^(1/w)`), in
/// order of selection. Returns every position when `size` is at least their number.
pub fn weighted_draw<R: Rng + ?Sized>(weights: &[f64], size: usize, rng: &mut R) -> Vec<usize> {
    // ln(u)/w orders items as u^(1/w) does, without underflow for small weights.
    let mut keyed: Vec<(f64, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
            (u.ln() / w, i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().take(size).map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn draws_are_distinct_and_reproducible() {
        let weights = [1.0, 0.5, 2.0, 4.0, 1.0, 1.0];
        let first = weighted_draw(&weights, 4, &mut ChaCha8Rng::seed_from_u64(7));
        let again = weighted_draw(&weights, 4, &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(first, again);
        let mut sorted = first.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 4);
        assert_eq!(weighted_draw(&weights, 10, &mut ChaCha8Rng::seed_from_u64(7)).len(), 6);
    }

    #[test]
    fn a_single_draw_picks_in_proportion_to_weight() {
        // Weights 0.5 (A), 1 (B), 2 (C), 4 (D): one draw takes D with probability 4/7.5.
        let weights = [0.5, 1.0, 2.0, 4.0];
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let trials = 40_000;
        let mut counts = [0usize; 4];
        for _ in 0..trials {
            counts[weighted_draw(&weights, 1, &mut rng)[0]] += 1;
        }
        for (i, w) in weights.iter().enumerate() {
            let expected = w / 7.5;
            let observed = counts[i] as f64 / trials as f64;
            // Four standard errors of a proportion over 40,000 trials is at most 0.01.
            assert!((observed - expected).abs() < 0.01, "item {i}: {observed} vs {expected}");
        }
    }
}
