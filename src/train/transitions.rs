//! Training the `NBRS` section: item → next-item neighbour lists from the order of events.
//!
//! For every training sequence and every pair of positions `a < b` with `b − a ≤ window` (and,
//! when the store gives sessions, `a` and `b` in the same session), the pair adds `distance_decay^(b−a−1)` to `C[s_a → s_b]` (forward) and `backward` times that to
//! `C[s_b → s_a]` (Amazon sequences hold same-day events in arbitrary order). The weight of a
//! neighbour is `C[i → j] / (n_i^source_norm · n_j^target_norm)` with `n` the occurrence
//! counts; the `top` heaviest per item are kept and quantised to u8 against the 99.9th
//! percentile of all kept weights (larger ones clamp to 255).
//!
//! [`PairPrivacy`] limits what the counts carry about one user: each user's pairs are scaled so
//! they add at most `user_cap`, an entry needs `min_users` distinct users, and Laplace noise
//! may be added before normalisation ([`super::privacy`], docs/PRIVACY.md).

use std::collections::HashMap;

use super::privacy::{PairPrivacy, DEFAULT_MIN_USERS};
use crate::model::neighbours::{Neighbours, MAX_NEIGHBOURS, MAX_POSITIONS};
use crate::{Error, Result};

/// Everything that shapes the neighbour lists and their weight in the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighbourParams {
    /// Neighbours kept per item (≤ 255).
    pub top: usize,
    /// Largest position distance that counts as a transition.
    pub window: usize,
    /// Weight factor per extra step of distance.
    pub distance_decay: f32,
    /// Weight of a backward pair relative to a forward one.
    pub backward: f32,
    /// Exponent of the source item's count in the normalisation.
    pub source_norm: f32,
    /// Exponent of the target item's count in the normalisation.
    pub target_norm: f32,
    /// Position weight decay on the device: `position_weight[r] = round(255 · recency^r)`.
    pub recency: f32,
    /// Weight of the neighbour term relative to one unit of dense score (the `NBRS` scale is
    /// `mix · reference / 255²`).
    pub mix: f32,
    /// Limits on one user's influence on the counts (default: [`DEFAULT_MIN_USERS`] distinct
    /// users per pair, no bound, no noise).
    pub privacy: PairPrivacy,
}

impl Default for NeighbourParams {
    fn default() -> Self {
        Self {
            top: 20,
            window: 3,
            distance_decay: 0.5,
            backward: 0.5,
            source_norm: 0.5,
            target_norm: 0.25,
            recency: 0.6,
            mix: 1.0,
            privacy: PairPrivacy {
                min_users: DEFAULT_MIN_USERS,
                ..PairPrivacy::default()
            },
        }
    }
}

impl NeighbourParams {
    pub fn validate(&self) -> Result<()> {
        let bad = |w: &str| Err(Error::InvalidArgument(w.to_owned()));
        if !(1..=MAX_NEIGHBOURS).contains(&self.top) {
            return bad("nbr-top must be 1..=255");
        }
        if self.window == 0 {
            return bad("nbr-window must be ≥ 1");
        }
        for (name, v) in [
            ("nbr-decay", self.distance_decay),
            ("nbr-backward", self.backward),
            ("nbr-source-norm", self.source_norm),
            ("nbr-target-norm", self.target_norm),
            ("nbr-mix", self.mix),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return bad(&format!("{name} must be finite and ≥ 0"));
            }
        }
        if !(self.recency > 0.0 && self.recency <= 1.0) {
            return bad("nbr-recency must be in (0, 1]");
        }
        self.privacy.validate()
    }

    /// `round(255 · recency^r)` for r = 0.. until it rounds to 0 (at most 256 positions).
    pub fn position_weights(&self) -> Vec<u8> {
        let mut pw = Vec::new();
        for r in 0..MAX_POSITIONS {
            let w = (255.0 * f64::from(self.recency).powi(r as i32)).round();
            if w < 1.0 {
                break;
            }
            pw.push(w.min(255.0) as u8);
        }
        pw
    }
}

/// One count `C[i → j]` and the distinct users behind it (users arrive in order, so the last
/// one seen is enough to count them).
#[derive(Debug, Clone, Copy)]
struct PairCount {
    count: f64,
    users: u32,
    last_user: u32,
}

/// Every training pair `(s_a, s_b, w)` with `a < b ≤ a + window`, `s_a ≠ s_b`, in order; with
/// `sessions` (each position's session number, non-decreasing) only pairs within a session.
fn pairs(
    seq: &[u32],
    sessions: Option<&[u32]>,
    p: &NeighbourParams,
    mut f: impl FnMut(u32, u32, f64),
) {
    for a in 0..seq.len() {
        let mut w = 1.0f64;
        let end = match sessions {
            Some(s) => a + s[a..].partition_point(|&x| x == s[a]),
            None => seq.len(),
        };
        for b in a + 1..end.min(a + 1 + p.window) {
            if seq[a] != seq[b] {
                f(seq[a], seq[b], w);
            }
            w *= f64::from(p.distance_decay);
        }
    }
}

/// Real-valued neighbour lists, heaviest first, before quantisation.
pub fn weighted_lists(
    train: &[Vec<u32>],
    items: usize,
    p: &NeighbourParams,
) -> Vec<Vec<(u32, f32)>> {
    weighted_lists_in_sessions(train, None, items, p)
}

/// [`weighted_lists`] with pairs only within a session: `sessions[u][k]` is the session number
/// of `train[u][k]` (a sequence may be a prefix of its sessions', as a split's training part is).
pub fn weighted_lists_in_sessions(
    train: &[Vec<u32>],
    sessions: Option<&[Vec<u32>]>,
    items: usize,
    p: &NeighbourParams,
) -> Vec<Vec<(u32, f32)>> {
    let mut counts = vec![0u32; items];
    for &i in train.iter().flatten() {
        counts[i as usize] += 1;
    }
    let back = f64::from(p.backward);
    let mut c: Vec<HashMap<u32, PairCount>> = vec![HashMap::new(); items];
    for (u, seq) in train.iter().enumerate() {
        let sess = sessions.and_then(|s| s.get(u)?.get(..seq.len()));
        let u = u as u32;
        let scale = if p.privacy.user_cap.is_finite() {
            let mut total = 0.0;
            pairs(seq, sess, p, |_, _, w| total += w * (1.0 + back));
            p.privacy.user_scale(total)
        } else {
            1.0
        };
        let mut add = |i: u32, j: u32, w: f64| {
            let e = c[i as usize].entry(j).or_insert(PairCount {
                count: 0.0,
                users: 0,
                last_user: u32::MAX,
            });
            e.count += w;
            if e.last_user != u {
                e.last_user = u;
                e.users += 1;
            }
        };
        pairs(seq, sess, p, |i, j, w| {
            let w = w * scale;
            add(i, j, w);
            if p.backward > 0.0 {
                add(j, i, w * back);
            }
        });
    }
    let k = p.privacy.min_users;
    c.into_iter()
        .enumerate()
        .map(|(i, m)| {
            let ni = f64::from(counts[i].max(1)).powf(f64::from(p.source_norm));
            let mut l: Vec<(u32, f32)> = m
                .into_iter()
                .filter(|(_, e)| e.users >= k)
                .filter_map(|(j, e)| {
                    let v = p.privacy.noisy(i as u32, j, e.count);
                    let nj = f64::from(counts[j as usize].max(1)).powf(f64::from(p.target_norm));
                    (v > 0.0).then(|| (j, (v / (ni * nj)) as f32))
                })
                .collect();
            l.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            l.truncate(p.top);
            l
        })
        .collect()
}

/// The reference weight (99.9th percentile of the kept weights) that maps to u8 255.
pub fn reference(lists: &[Vec<(u32, f32)>]) -> f32 {
    let mut all: Vec<f32> = lists.iter().flatten().map(|e| e.1).collect();
    if all.is_empty() {
        return 1.0;
    }
    let k = ((all.len() - 1) as f64 * 0.999) as usize;
    let (_, v, _) = all.select_nth_unstable_by(k, f32::total_cmp);
    if *v > 0.0 {
        *v
    } else {
        1.0
    }
}

/// Trains, quantises and scales the section. Entries that quantise to 0 are dropped.
pub fn build(train: &[Vec<u32>], items: usize, p: &NeighbourParams) -> Result<Neighbours> {
    build_in_sessions(train, None, items, p)
}

/// [`build`] from [`weighted_lists_in_sessions`]. Fails when `sessions` does not have one
/// number per event of every user.
pub fn build_in_sessions(
    train: &[Vec<u32>],
    sessions: Option<&[Vec<u32>]>,
    items: usize,
    p: &NeighbourParams,
) -> Result<Neighbours> {
    p.validate()?;
    if let Some(s) = sessions {
        let fits = s.len() == train.len() && s.iter().zip(train).all(|(s, t)| s.len() >= t.len());
        if !fits {
            return Err(Error::InvalidArgument(
                "session numbers do not cover every training event".into(),
            ));
        }
    }
    quantise(&weighted_lists_in_sessions(train, sessions, items, p), p)
}

/// The section from real-valued lists (heaviest first, as [`weighted_lists`] gives them, or as
/// a Spark job computed them): u8 weights against [`reference`], the position weights of
/// `p.recency` and the scale of `p.mix`. Entries that quantise to 0 are dropped.
pub fn quantise(lists: &[Vec<(u32, f32)>], p: &NeighbourParams) -> Result<Neighbours> {
    let r = reference(lists);
    let q: Vec<Vec<(u32, u8)>> = lists
        .iter()
        .map(|l| {
            l.iter()
                .map(|&(j, w)| (j, (255.0 * w / r).round().min(255.0) as u8))
                .filter(|e| e.1 > 0)
                .collect()
        })
        .collect();
    let scale = p.mix * r / (255.0 * 255.0);
    Neighbours::new(p.position_weights(), scale, &q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> NeighbourParams {
        NeighbourParams {
            top: 5,
            window: 2,
            distance_decay: 0.5,
            backward: 0.25,
            source_norm: 0.0,
            target_norm: 0.0,
            recency: 0.5,
            mix: 1.0,
            privacy: PairPrivacy::default(),
        }
    }

    #[test]
    fn transitions_count_forward_backward_and_distance() {
        // 0 → 1 (d=1), 0 → 2 (d=2, ×0.5), 1 → 2 (d=1); backward ×0.25.
        let l = weighted_lists(&[vec![0, 1, 2]], 3, &plain());
        assert_eq!(l[0], vec![(1, 1.0), (2, 0.5)]);
        assert_eq!(l[1], vec![(2, 1.0), (0, 0.25)]);
        assert_eq!(l[2], vec![(1, 0.25), (0, 0.125)]);
    }

    #[test]
    fn pairs_do_not_cross_a_session_boundary() {
        // Sessions [0, 1] [2]: only 0 → 1 (and its backward pair) is counted.
        let sessions = [vec![0, 0, 1]];
        let l = weighted_lists_in_sessions(&[vec![0, 1, 2]], Some(&sessions), 3, &plain());
        assert_eq!(l[0], vec![(1, 1.0)]);
        assert_eq!(l[1], vec![(0, 0.25)]);
        assert!(l[2].is_empty());
        // A training prefix of the sessions' sequence is fine; too few numbers are an error.
        let prefix = weighted_lists_in_sessions(&[vec![0, 1]], Some(&sessions), 3, &plain());
        assert_eq!(prefix[0], vec![(1, 1.0)]);
        let short = [vec![0]];
        assert!(build_in_sessions(&[vec![0, 1]], Some(&short), 3, &plain()).is_err());
    }

    #[test]
    fn position_weights_decay_until_they_round_to_zero() {
        let pw = plain().position_weights();
        assert_eq!(pw, [255, 128, 64, 32, 16, 8, 4, 2, 1]);
        let flat = NeighbourParams {
            recency: 1.0,
            ..plain()
        };
        assert_eq!(flat.position_weights().len(), MAX_POSITIONS);
    }

    #[test]
    fn the_built_section_quantises_against_the_reference() {
        let nb = build(&[vec![0, 1, 2]], 3, &plain()).unwrap();
        let (t, w) = nb.of(0);
        assert_eq!(t, [1, 2]);
        assert_eq!(w[0], 255);
        assert!(nb.scale > 0.0);
    }
}
