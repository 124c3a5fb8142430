//! Every score the device computes for a history, in one place: fold-in (§ 2.1), the dense
//! int8 scores of the chosen backend (§ 2.2) and, when the model has `NBRS`, the neighbour
//! term (§ 2.3). The engine's recommend path and `localrank eval` both call [`scores`], so the
//! offline numbers are the browser's.

use ndarray::Array1;

use super::{neighbours, user, QuantisedUser, Scorer};
use crate::history::History;
use crate::model::Model;

/// All item scores for `history`, in row order.
pub fn scores(model: &Model, scorer: &Scorer, history: &History) -> Array1<f32> {
    let u = QuantisedUser::new(&user::fold_in(model, history));
    let mut s = scorer.scores(&model.table, &u);
    if model.extra.neighbours.is_some() {
        let rows = neighbours::rows_newest_first(model, history);
        if let Some(out) = s.as_slice_mut() {
            neighbours::apply(model, &rows, out);
        }
    }
    s
}
