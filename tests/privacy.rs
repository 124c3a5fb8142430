//! The privacy limits on the `NBRS` counts (src/train/privacy.rs, docs/PRIVACY.md): without
//! limits the lists are exactly those of the builder before the limits existed; with them a
//! pair made by too few users never ships, one user's weight is bounded, and noise is seeded.
#![cfg(feature = "train")]

use std::collections::HashMap;
use std::path::Path;

use localrank::train::privacy::PairPrivacy;
use localrank::train::transitions::{build, weighted_lists, NeighbourParams};
use localrank::train::tune::Candidate;
use localrank::train::Dataset;

fn scientific(users: usize) -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific"))
        .expect("data/scientific is in the repository")
        .first_users(users)
}

/// The shipped Scientific settings (Makefile `MODEL_FLAGS`).
fn shipped() -> NeighbourParams {
    Candidate::scientific().neighbours
}

/// The counting loop as it was before the privacy limits (commit a7cfb82), kept verbatim as
/// the oracle that `min_users = 1` with no bound and no noise must reproduce.
fn lists_before_limits(
    train: &[Vec<u32>],
    items: usize,
    p: &NeighbourParams,
) -> Vec<Vec<(u32, f32)>> {
    let mut counts = vec![0u32; items];
    for &i in train.iter().flatten() {
        counts[i as usize] += 1;
    }
    let mut c: Vec<HashMap<u32, f64>> = vec![HashMap::new(); items];
    for seq in train {
        for a in 0..seq.len() {
            let mut w = 1.0f64;
            for b in a + 1..seq.len().min(a + 1 + p.window) {
                let (i, j) = (seq[a], seq[b]);
                if i != j {
                    *c[i as usize].entry(j).or_insert(0.0) += w;
                    if p.backward > 0.0 {
                        *c[j as usize].entry(i).or_insert(0.0) += w * f64::from(p.backward);
                    }
                }
                w *= f64::from(p.distance_decay);
            }
        }
    }
    c.into_iter()
        .enumerate()
        .map(|(i, m)| {
            let ni = f64::from(counts[i].max(1)).powf(f64::from(p.source_norm));
            let mut l: Vec<(u32, f32)> = m
                .into_iter()
                .map(|(j, v)| {
                    let nj = f64::from(counts[j as usize].max(1)).powf(f64::from(p.target_norm));
                    (j, (v / (ni * nj)) as f32)
                })
                .collect();
            l.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            l.truncate(p.top);
            l
        })
        .collect()
}

#[test]
fn without_limits_the_lists_are_exactly_the_old_ones() {
    let data = scientific(8442);
    for p in [
        shipped(),
        NeighbourParams {
            backward: 0.3,
            ..NeighbourParams::default()
        },
    ] {
        let no_limits = NeighbourParams {
            privacy: PairPrivacy::default(),
            ..p
        };
        let new = weighted_lists(&data.sequences, data.items(), &no_limits);
        let old = lists_before_limits(&data.sequences, data.items(), &no_limits);
        assert_eq!(new, old, "bit-identical weights and order");
    }
}

#[test]
fn a_pair_made_by_fewer_than_k_users_is_not_kept() {
    // Users 0 and 1 both go 0 → 1; only user 2 goes 2 → 3.
    let train = vec![vec![0, 1], vec![0, 1], vec![2, 3]];
    let p = |k| NeighbourParams {
        backward: 0.0,
        privacy: PairPrivacy {
            min_users: k,
            ..PairPrivacy::default()
        },
        ..NeighbourParams::default()
    };
    let one = weighted_lists(&train, 4, &p(1));
    assert_eq!(one[0].len(), 1);
    assert_eq!(one[2].len(), 1);
    let two = weighted_lists(&train, 4, &p(2));
    assert_eq!(two[0], one[0], "two users made 0 → 1");
    assert!(two[2].is_empty(), "one user's pair 2 → 3 is gone");
    assert!(weighted_lists(&train, 4, &p(3)).iter().all(Vec::is_empty));
}

#[test]
fn repeats_by_one_user_count_as_one_user() {
    // One user makes 0 → 1 three times: still one user.
    let train = vec![vec![0, 1, 0, 1, 0, 1]];
    let p = NeighbourParams {
        window: 1,
        backward: 0.0,
        privacy: PairPrivacy {
            min_users: 2,
            ..PairPrivacy::default()
        },
        ..NeighbourParams::default()
    };
    assert!(weighted_lists(&train, 2, &p).iter().all(Vec::is_empty));
}

#[test]
fn a_user_cap_bounds_one_users_total_weight() {
    // User 0: 0 → 1 once (total 1). User 1: 0 → 1, 1 → 0 five times (window 1, total 10),
    // capped at 5: its 0 → 1 count of 5 becomes 5 · 5/10 = 2.5. Unnormalised weights.
    let long: Vec<u32> = [0, 1].repeat(5).into_iter().chain([0]).collect();
    let train = vec![vec![0, 1], long];
    let p = NeighbourParams {
        window: 1,
        backward: 0.0,
        source_norm: 0.0,
        target_norm: 0.0,
        privacy: PairPrivacy {
            user_cap: 5.0,
            ..PairPrivacy::default()
        },
        ..NeighbourParams::default()
    };
    let l = weighted_lists(&train, 2, &p);
    assert_eq!(l[0], vec![(1, 3.5)], "1 + 5·(5/10)");
    assert_eq!(l[1], vec![(0, 2.5)], "5·(5/10)");
    let unbounded = NeighbourParams {
        privacy: PairPrivacy::default(),
        ..p
    };
    assert_eq!(weighted_lists(&train, 2, &unbounded)[0], vec![(1, 6.0)]);
}

#[test]
fn noisy_counts_are_seeded_and_change_with_the_seed() {
    let data = scientific(1000);
    let p = |seed| NeighbourParams {
        privacy: PairPrivacy {
            user_cap: 10.0,
            dp_epsilon: 1.0,
            dp_seed: seed,
            ..PairPrivacy::default()
        },
        ..shipped()
    };
    let a = build(&data.sequences, data.items(), &p(1)).unwrap();
    let b = build(&data.sequences, data.items(), &p(1)).unwrap();
    let c = build(&data.sequences, data.items(), &p(2)).unwrap();
    assert_eq!(a, b, "same seed, same section");
    assert_ne!(a, c, "another seed, other noise");
    let exact = build(
        &data.sequences,
        data.items(),
        &NeighbourParams {
            privacy: PairPrivacy {
                user_cap: 10.0,
                ..PairPrivacy::default()
            },
            ..shipped()
        },
    )
    .unwrap();
    assert_ne!(a, exact, "ε = 1 changes the lists");
}

#[test]
fn stricter_k_never_adds_entries() {
    let data = scientific(3000);
    let entries = |k| {
        let p = NeighbourParams {
            privacy: PairPrivacy {
                min_users: k,
                ..PairPrivacy::default()
            },
            ..shipped()
        };
        let lists = weighted_lists(&data.sequences, data.items(), &p);
        lists.iter().map(Vec::len).sum::<usize>()
    };
    let counts: Vec<usize> = [1, 2, 3, 5].into_iter().map(entries).collect();
    assert!(counts.windows(2).all(|w| w[0] > w[1]), "{counts:?}");
}
