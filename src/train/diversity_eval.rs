//! Offline quality of the re-ranking options (docs/QUALITY.md § 9, `localrank diversity`): for
//! each setting, every test case is ranked as the browser ranks it — the engine's [`Query`] of
//! the device history, the CPU reference's pool (`top_k` of [`Query::scores`], the ids every
//! backend returns) and [`diversity::rank`] — and the top 10 are measured:
//! * **NDCG@10** of the held-out item (one relevant item: 1/log2(rank+2));
//! * **ILD@10**: intra-list diversity, the mean over pairs of the list of `1 − cos(y_i, y_j)`
//!   (dequantised item rows), averaged over users;
//! * **coverage@10**: distinct items in all users' top 10 / catalogue size;
//! * **popularity@10**: mean `b_j / b_max` of the listed items (the model's popularity prior).

use super::evaluate::ndcg_at;
use super::experiment::history_of;
use super::protocol::Split;
use crate::model::Model;
use crate::rank::diversity::{self, intra_list_diversity, unit_row, Rerank};
use crate::rank::top_k;
use crate::score::query::{Query, RecommendOptions};
use crate::Result;

/// The list length every metric is taken at.
pub const CUTOFF: usize = 10;

/// The measurements of one setting.
#[derive(Debug, Clone, PartialEq)]
pub struct DiversityRow {
    pub rerank: Rerank,
    pub cases: usize,
    pub ndcg10: f64,
    pub ild10: f64,
    pub coverage10: f64,
    pub popularity10: f64,
}

#[derive(Default)]
struct Sums {
    ndcg: f64,
    ild: f64,
    pop: f64,
    seen: Vec<bool>,
}

/// Measures every setting on `split`'s test cases for `model` (trained on `split.train`; item
/// rows of the split are the model's rows).
pub fn study(model: &Model, split: &Split, settings: &[Rerank]) -> Result<Vec<DiversityRow>> {
    let n = model.len();
    let units: Vec<Vec<f32>> = (0..n).map(|j| unit_row(model, j)).collect();
    let b_max = model.table.bias.iter().fold(0f32, |m, &b| m.max(b.abs()));
    let pop = |j: usize| {
        if b_max > 0.0 {
            f64::from(model.table.bias[j] / b_max)
        } else {
            0.0
        }
    };
    let mut sums: Vec<Sums> = settings
        .iter()
        .map(|_| Sums {
            seen: vec![false; n],
            ..Sums::default()
        })
        .collect();
    let opts = RecommendOptions {
        k: CUTOFF,
        ..RecommendOptions::default()
    };
    for (c, &(_, target)) in split.cases.iter().enumerate() {
        let mut query =
            Query::from_history(model, &history_of(model, split.input(c))?, opts.clone())?;
        let scores = query.scores(&model.table);
        for (setting, sum) in settings.iter().zip(&mut sums) {
            setting.check(model)?;
            query.rerank = setting.clone();
            let list =
                diversity::rank_now(model, &query, |q| top_k(&scores, q.k, |i| q.is_excluded(i)));
            let rows: Vec<usize> = list.iter().map(|r| r.index as usize).collect();
            sum.ndcg += ndcg_at(rows.iter().position(|&j| j == target as usize), CUTOFF);
            sum.ild += intra_list_diversity(&rows, &units);
            sum.pop += rows.iter().map(|&j| pop(j)).sum::<f64>() / rows.len().max(1) as f64;
            for &j in &rows {
                sum.seen[j] = true;
            }
        }
    }
    let cases = split.cases.len().max(1) as f64;
    Ok(settings
        .iter()
        .zip(sums)
        .map(|(s, sum)| DiversityRow {
            rerank: s.clone(),
            cases: split.cases.len(),
            ndcg10: sum.ndcg / cases,
            ild10: sum.ild / cases,
            coverage10: sum.seen.iter().filter(|&&b| b).count() as f64 / n.max(1) as f64,
            popularity10: sum.pop / cases,
        })
        .collect())
}
