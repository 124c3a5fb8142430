//! The validation and test splits `--tune` and the model report use: leave-one-out exactly as
//! docs/QUALITY.md ([`Split::new`]), or by time — the newest events across all users held out,
//! as stores validate — plus a deterministic user sample so that large stores are scored in
//! minutes.

use super::protocol::{Phase, Split};
use crate::rng::SplitMix64;
use crate::{Error, Result};

/// A validation split (choosing settings) and a test split (the report's figure).
#[derive(Debug, Clone, PartialEq)]
pub struct Splits {
    pub valid: Split,
    pub test: Split,
}

impl Splits {
    /// docs/QUALITY.md: validation asks `seq[-2]` given `seq[:-2]`, test `seq[-1]` given
    /// `seq[:-1]`.
    pub fn leave_one_out(sequences: &[Vec<u32>]) -> Self {
        Self {
            valid: Split::new(sequences, Phase::Validation),
            test: Split::new(sequences, Phase::Test),
        }
    }

    /// By time: with `times[u][k]` the timestamp of `sequences[u][k]` (non-decreasing per
    /// user), `T_test` is the time at which the newest `fraction` of all events begins and
    /// `T_valid` where the newest `2·fraction` begins. Test trains on every event before
    /// `T_test` and asks each user for their first event at or after it; validation trains on
    /// events before `T_valid` and asks for the first event in `[T_valid, T_test)`. Users with
    /// no earlier event are not asked (fold-in has nothing to start from).
    pub fn by_time(sequences: &[Vec<u32>], times: &[Vec<i64>], fraction: f64) -> Result<Self> {
        let bad = |m: String| Err(Error::InvalidArgument(m));
        if !(fraction > 0.0 && fraction < 0.5) {
            return bad(format!(
                "time split fraction must be in (0, 0.5), got {fraction}"
            ));
        }
        if times.len() != sequences.len() {
            return bad(format!(
                "{} users with times, {} with items",
                times.len(),
                sequences.len()
            ));
        }
        for (u, (s, t)) in sequences.iter().zip(times).enumerate() {
            if s.len() != t.len() {
                return bad(format!("user {u}: {} items but {} times", s.len(), t.len()));
            }
            if t.windows(2).any(|w| w[1] < w[0]) {
                return bad(format!("user {u}: times are not in chronological order"));
            }
        }
        let mut all: Vec<i64> = times.iter().flatten().copied().collect();
        if all.is_empty() {
            return bad("no events to split".into());
        }
        all.sort_unstable();
        let at = |f: f64| all[((all.len() as f64) * (1.0 - f)).floor() as usize];
        let (t_valid, t_test) = (at(2.0 * fraction), at(fraction));
        Ok(Self {
            valid: cut(sequences, times, Phase::Validation, t_valid, t_test),
            test: cut(sequences, times, Phase::Test, t_test, i64::MAX),
        })
    }

    /// Both splits with their cases restricted to the same user [`sample`].
    pub fn sampled(mut self, users: usize, seed: u64) -> Self {
        self.valid = sample(self.valid, users, seed);
        self.test = sample(self.test, users, seed);
        self
    }
}

/// Trains on events before `from`; the target is the first event in `[from, until)`.
fn cut(sequences: &[Vec<u32>], times: &[Vec<i64>], phase: Phase, from: i64, until: i64) -> Split {
    let mut train = Vec::with_capacity(sequences.len());
    let mut cases = Vec::new();
    for (u, (s, t)) in sequences.iter().zip(times).enumerate() {
        let k = t.partition_point(|&x| x < from);
        train.push(s[..k].to_vec());
        if k > 0 && k < s.len() && t[k] < until {
            cases.push((u, s[k]));
        }
    }
    Split {
        phase,
        train,
        cases,
    }
}

/// The split with at most `users` cases: those whose users have the smallest seeded hashes,
/// kept in user order. The same seed gives the same sample on any machine; training data are
/// untouched (only who is asked changes).
pub fn sample(mut split: Split, users: usize, seed: u64) -> Split {
    if split.cases.len() <= users {
        return split;
    }
    let hash = |u: usize| SplitMix64(seed ^ u as u64).next_u64();
    let mut order: Vec<(u64, usize)> = split.cases.iter().map(|c| (hash(c.0), c.0)).collect();
    order.sort_unstable();
    let mut keep: Vec<usize> = order[..users].iter().map(|o| o.1).collect();
    keep.sort_unstable();
    split.cases.retain(|c| keep.binary_search(&c.0).is_ok());
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_split_holds_out_the_newest_events_across_users() {
        // 10 events at times 0..9; fraction 0.2: T_test = 8, T_valid = 6.
        let seqs = vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]];
        let times = vec![vec![0, 2, 4, 6, 8], vec![1, 3, 5, 7, 9]];
        let s = Splits::by_time(&seqs, &times, 0.2).unwrap();
        assert_eq!(s.test.train, vec![vec![0, 1, 2, 3], vec![5, 6, 7, 8]]);
        assert_eq!(s.test.cases, vec![(0, 4), (1, 9)]);
        assert_eq!(s.valid.train, vec![vec![0, 1, 2], vec![5, 6, 7]]);
        assert_eq!(s.valid.cases, vec![(0, 3), (1, 8)]);
    }

    #[test]
    fn a_validation_target_inside_the_test_window_is_not_asked() {
        // User 1's first event after T_valid = 6 is at 9 ≥ T_test = 8: no validation case.
        let seqs = vec![vec![0, 1, 2, 3, 4], vec![5, 6]];
        let times = vec![vec![0, 2, 4, 6, 8], vec![1, 9]];
        let s = Splits::by_time(&seqs, &times, 0.2).unwrap();
        assert!(
            s.valid.cases.iter().all(|c| c.0 == 0),
            "{:?}",
            s.valid.cases
        );
    }

    #[test]
    fn unordered_or_mismatched_times_are_refused() {
        let seqs = vec![vec![0, 1]];
        assert!(Splits::by_time(&seqs, &[vec![2, 1]], 0.2).is_err());
        assert!(Splits::by_time(&seqs, &[vec![1]], 0.2).is_err());
        assert!(Splits::by_time(&seqs, &[vec![1, 2]], 0.7).is_err());
    }

    #[test]
    fn the_sample_is_deterministic_and_keeps_the_training_data() {
        let seqs: Vec<Vec<u32>> = (0..100).map(|u| vec![u, u + 1, u + 2]).collect();
        let s = Splits::leave_one_out(&seqs).sampled(10, 3);
        assert_eq!(s.valid.cases.len(), 10);
        assert_eq!(s.valid.train.len(), 100);
        assert_eq!(s, Splits::leave_one_out(&seqs).sampled(10, 3));
        assert_ne!(s, Splits::leave_one_out(&seqs).sampled(10, 4));
        let users: Vec<usize> = s.valid.cases.iter().map(|c| c.0).collect();
        assert!(users.windows(2).all(|w| w[0] < w[1]));
    }
}
