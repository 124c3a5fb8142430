//! Scoring another `.lrm` (the model now in production) on this data's users as-is, without
//! refitting: items are matched by key, the history is handed over as keys (ones the model
//! does not know are ignored by fold-in, as in the browser) and items it does not know rank
//! last. It may have been trained on some of the asked events, which flatters it; the report
//! says so.

use super::{BaselineModel, Size};
use crate::history::{Event, EventKind, History, DEFAULT_CAP};
use crate::model::Model;
use crate::score::query::{Query, RecommendOptions};
use crate::train::protocol::{self, Ranker};
use crate::train::splits::Splits;
use crate::Result;

/// A model whose item rows differ from the data's, scored as the browser scores it.
pub struct Foreign<'a> {
    model: &'a Model,
    keys: &'a [String],
    /// The model's row of each data item, if it knows the key.
    rows: Vec<Option<u32>>,
}

impl<'a> Foreign<'a> {
    pub fn new(model: &'a Model, keys: &'a [String]) -> Self {
        let rows = keys.iter().map(|k| model.keys.index_of(k)).collect();
        Self { model, keys, rows }
    }

    /// Data items the model has no row for.
    pub fn unknown_items(&self) -> usize {
        self.rows.iter().filter(|r| r.is_none()).count()
    }

    fn history(&self, input: &[u32]) -> Result<History> {
        let events = input
            .iter()
            .enumerate()
            .map(|(t, &i)| Event::new(&self.keys[i as usize], EventKind::View, t as f64))
            .collect::<Result<Vec<_>>>()?;
        History::from_events(DEFAULT_CAP, events)
    }
}

impl Ranker for Foreign<'_> {
    fn score(&self, _user: usize, input: &[u32], out: &mut [f32]) {
        // A key the history refuses (empty or over-long) leaves the user with no scores: every
        // item ties and the lowest rows win, the safe answer.
        out.fill(f32::MIN);
        // The device's scores (fold-in, dense and NBRS terms): the query pipeline's CPU reference.
        let query = self
            .history(input)
            .and_then(|h| Query::from_history(self.model, &h, RecommendOptions::default()));
        if let Ok(q) = query {
            let s = q.scores(&self.model.table);
            for (o, r) in out.iter_mut().zip(&self.rows) {
                if let Some(v) = r.and_then(|r| s.get(r as usize)) {
                    *o = *v;
                }
            }
        }
    }
}

/// The baseline's validation and test figures on `splits` and its size.
pub fn figures(
    name: &str,
    bytes: &[u8],
    keys: &[String],
    splits: &Splits,
) -> Result<BaselineModel> {
    let model = Model::from_bytes(bytes)?;
    let f = Foreign::new(&model, keys);
    Ok(BaselineModel {
        name: name.to_owned(),
        validation: protocol::evaluate(&splits.valid, keys.len(), &f).into(),
        test: protocol::evaluate(&splits.test, keys.len(), &f).into(),
        size: Size::of(bytes, &model)?,
        unknown_items: f.unknown_items(),
    })
}
