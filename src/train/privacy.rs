//! Limits on what the shipped `NBRS` section reveals about any one shopper (docs/PRIVACY.md):
//! a bound on each user's total contribution to the pair counts, a minimum number of distinct
//! users behind every kept pair, and optional Laplace noise on the counts (differential privacy
//! with the user bound as sensitivity). [`super::transitions`] applies them while counting.
//!
//! With `min_users = 1`, no bound and no noise ([`PairPrivacy::default`]) the counts are those
//! of the builder before these limits, bit for bit; the trainer's default is
//! [`DEFAULT_MIN_USERS`] ([`super::transitions::NeighbourParams::default`]).

use crate::rng::SplitMix64;
use crate::{Error, Result};

/// The minimum support the trainer uses unless told otherwise: the strictest K whose shipped
/// models stay above full EASE on Scientific, Toys and Sports (docs/QUALITY.md § 8).
pub const DEFAULT_MIN_USERS: u32 = 3;

/// How much of one shopper's behaviour the neighbour counts may carry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairPrivacy {
    /// Keep an entry `i → j` only when at least this many distinct users contributed to its
    /// count (forward or backward). 1 keeps every pair.
    pub min_users: u32,
    /// Bound on one user's total (L1) contribution to all pair counts: a user whose pairs would
    /// add more is scaled down to exactly this. `f32::INFINITY`: no bound.
    pub user_cap: f32,
    /// ε of the Laplace noise added to every kept count (scale `user_cap / ε`, so the bound is
    /// the L1 sensitivity); 0 = no noise. Needs a finite `user_cap`.
    pub dp_epsilon: f32,
    /// Seed of the noise: the same seed and data give the same model on any machine.
    pub dp_seed: u64,
}

impl Default for PairPrivacy {
    /// No limits: every pair, unbounded users, no noise (today's lists).
    fn default() -> Self {
        Self {
            min_users: 1,
            user_cap: f32::INFINITY,
            dp_epsilon: 0.0,
            dp_seed: 0,
        }
    }
}

impl PairPrivacy {
    pub fn validate(&self) -> Result<()> {
        let bad = |w: &str| Err(Error::InvalidArgument(w.to_owned()));
        if self.min_users == 0 {
            return bad("nbr-min-users must be ≥ 1");
        }
        if self.user_cap.is_nan() || self.user_cap <= 0.0 {
            return bad("nbr-user-cap must be > 0 (inf: no bound)");
        }
        if !(self.dp_epsilon.is_finite() && self.dp_epsilon >= 0.0) {
            return bad("nbr-dp-epsilon must be finite and ≥ 0");
        }
        if self.dp_epsilon > 0.0 && !self.user_cap.is_finite() {
            return bad("nbr-dp-epsilon needs a finite nbr-user-cap (the noise's sensitivity)");
        }
        Ok(())
    }

    /// The factor a user's contributions are multiplied by when they add up to `total`:
    /// exactly 1 when within the bound (so unbounded counts are unchanged bit for bit).
    pub fn user_scale(&self, total: f64) -> f64 {
        let cap = f64::from(self.user_cap);
        if total > cap {
            cap / total
        } else {
            1.0
        }
    }

    /// The noisy count of entry `i → j`: `count + Laplace(user_cap / ε)`, or `count` when noise
    /// is off. The noise depends on (seed, i, j) only, not on the order entries are visited.
    pub fn noisy(&self, i: u32, j: u32, count: f64) -> f64 {
        if self.dp_epsilon <= 0.0 {
            return count;
        }
        let scale = f64::from(self.user_cap) / f64::from(self.dp_epsilon);
        let mut rng = SplitMix64(self.dp_seed ^ (u64::from(i) << 32 | u64::from(j)));
        rng.next_u64();
        count + laplace(rng.next_u64(), scale)
    }
}

/// Laplace(0, b) by inverse CDF from 64 random bits: `p` uniform in (0, 1),
/// `x = b · ln(2p)` below ½ and `−b · ln(2(1 − p))` above.
pub fn laplace(bits: u64, b: f64) -> f64 {
    // p = (2k + 1) / 2⁵³ with k < 2⁵²: exact, never 0 or 1, so the logarithm stays finite.
    let p = ((bits >> 12) * 2 + 1) as f64 / (1u64 << 53) as f64;
    if p < 0.5 {
        b * (2.0 * p).ln()
    } else {
        -b * (2.0 * (1.0 - p)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_within_the_bound_are_not_scaled() {
        let p = PairPrivacy {
            user_cap: 4.0,
            ..PairPrivacy::default()
        };
        assert_eq!(p.user_scale(3.5), 1.0);
        assert_eq!(p.user_scale(8.0), 0.5);
        assert_eq!(PairPrivacy::default().user_scale(1e300), 1.0);
    }

    #[test]
    fn noise_is_seeded_per_entry_and_off_at_epsilon_zero() {
        let p = PairPrivacy {
            user_cap: 2.0,
            dp_epsilon: 1.0,
            dp_seed: 9,
            ..PairPrivacy::default()
        };
        assert_eq!(p.noisy(3, 4, 1.0), p.noisy(3, 4, 1.0));
        assert_ne!(p.noisy(3, 4, 1.0), p.noisy(4, 3, 1.0));
        let other = PairPrivacy { dp_seed: 10, ..p };
        assert_ne!(p.noisy(3, 4, 1.0), other.noisy(3, 4, 1.0));
        assert_eq!(PairPrivacy::default().noisy(3, 4, 1.25), 1.25);
    }

    #[test]
    fn laplace_noise_has_the_requested_scale() {
        // Mean |x| of Laplace(0, b) is b; over 20,000 seeded draws it is within 3 %.
        let mut rng = SplitMix64(1);
        let n = 20_000;
        let draws: Vec<f64> = (0..n).map(|_| laplace(rng.next_u64(), 2.0)).collect();
        let mean_abs = draws.iter().map(|x| x.abs()).sum::<f64>() / n as f64;
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean_abs - 2.0).abs() < 0.06, "{mean_abs}");
        assert!(mean.abs() < 0.06, "{mean}");
        assert!(draws.iter().all(|x| x.is_finite()));
        assert!(laplace(0, 1.0).is_finite() && laplace(u64::MAX, 1.0).is_finite());
    }

    #[test]
    fn noise_without_a_bound_is_refused() {
        let p = PairPrivacy {
            dp_epsilon: 1.0,
            ..PairPrivacy::default()
        };
        assert!(p.validate().is_err());
        assert!(PairPrivacy {
            min_users: 0,
            ..PairPrivacy::default()
        }
        .validate()
        .is_err());
        assert!(PairPrivacy::default().validate().is_ok());
    }
}
