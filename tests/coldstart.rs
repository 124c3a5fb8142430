//! Cold start (issue 15.3): an empty history gets the model's popular items in the order of
//! the popularity prior (`BIAS`, docs/FORMAT.md § 2), deterministically; with one or two events
//! the prior still breaks near-ties; catalogue items without events are placed by the packer
//! from their content (tests/fixtures/store: 30 of its 180 items have no event), so they can be
//! recommended, and `--cold-placement none` leaves them at zero.
#![cfg(feature = "train")]

mod common;

use std::path::Path;

use futures::executor::block_on;
use localrank::history::store::MemoryStore;
use localrank::history::EventKind;
use localrank::model::ItemTable;
use localrank::score::backend::{Backend, Requested};
use localrank::train::cold::{ColdOptions, Placement};
use localrank::train::from_store::{self, ShipOptions};
use localrank::train::store::{self, StoreData, StoreOptions};
use localrank::train::TrainParams;
use localrank::{Engine, Model, RecommendOptions};
use ndarray::Array2;

fn engine(model: &Model) -> Engine<MemoryStore> {
    let cpu = Backend::cpu(Requested::Cpu, "reference");
    block_on(Engine::open(
        model.clone(),
        cpu,
        MemoryStore::default(),
        500,
    ))
    .unwrap()
}

fn top(e: &Engine<MemoryStore>, k: usize) -> Vec<String> {
    let opts = RecommendOptions {
        k,
        exclude_seen: true,
        ..RecommendOptions::default()
    };
    let recs = block_on(e.recommend(opts)).unwrap();
    recs.into_iter().map(|r| r.key).collect()
}

/// Row indices by prior, highest first, ties to the lower row.
fn by_prior(model: &Model) -> Vec<usize> {
    let b = &model.table.bias;
    let mut order: Vec<usize> = (0..b.len()).collect();
    order.sort_by(|&x, &y| b[y].total_cmp(&b[x]).then(x.cmp(&y)));
    order
}

#[test]
fn an_empty_history_gets_the_popular_items_in_prior_order_with_ties_to_the_lower_row() {
    let mut model = common::synthetic_model(500, 16, 7);
    // Few distinct priors, so ties are common (as items with equal counts have).
    model.table.bias = model.table.bias.mapv(|b| (b * 3000.0).round() / 3000.0);
    let e = engine(&model);
    let expected: Vec<String> = by_prior(&model)[..40]
        .iter()
        .map(|&i| format!("item-{i}"))
        .collect();
    assert_eq!(top(&e, 40), expected);
    assert_eq!(top(&e, 40), top(&engine(&model), 40), "deterministic");
    let b = &model.table.bias;
    assert!(
        b[by_prior(&model)[0]] > b[by_prior(&model)[39]],
        "not all ties"
    );
}

#[test]
fn with_one_event_the_prior_breaks_a_tie_between_equal_rows() {
    let mut model = common::synthetic_model(200, 8, 9);
    // Items 150 and 20 get the same row; 150 is the more popular one.
    let mut rows = Array2::from_shape_fn((200, 8), |(j, k)| model.table.dequantised_row(j)[k]);
    let twenty = rows.row(20).to_owned();
    rows.row_mut(150).assign(&twenty);
    let mut bias = model.table.bias.clone();
    bias[20] = 0.001;
    bias[150] = 0.009;
    model.table = ItemTable::quantise(&rows, bias);
    model.fold.gram = model.table.gram();
    let e = engine(&model);
    block_on(e.record("item-20", EventKind::View, 1.0)).unwrap();
    let opts = RecommendOptions {
        k: 200,
        exclude_seen: false,
        ..RecommendOptions::default()
    };
    let recs: Vec<String> = block_on(e.recommend(opts))
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    let at = |k: &str| recs.iter().position(|r| r == k).unwrap();
    assert!(at("item-150") < at("item-20"), "{:?}", &recs[..10]);
}

fn fixture_data() -> StoreData {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store");
    let mut o = StoreOptions::new(dir.join("events.csv"), Some(dir.join("products.csv")));
    o.event_map = "view=view,addtocart=cart,transaction=purchase"
        .parse()
        .unwrap();
    store::load(&o, &mut |_, _, _| {}).expect("the fixture reads")
}

fn train(data: &StoreData, placement: Placement) -> (Model, localrank::train::cold::ColdReport) {
    let params = TrainParams {
        dim: 8,
        iterations: 3,
        ..TrainParams::default()
    };
    let ship = ShipOptions {
        cold: ColdOptions {
            placement,
            ..ColdOptions::default()
        },
        ..ShipOptions::default()
    };
    from_store::train_store_report(data, &params, &ship, &mut |_| {}).unwrap()
}

/// Rows of catalogue items without any event.
fn eventless(data: &StoreData) -> Vec<usize> {
    let mut has = vec![false; data.items()];
    data.sequences
        .iter()
        .flatten()
        .for_each(|e| has[e.item as usize] = true);
    (0..data.items()).filter(|&j| !has[j]).collect()
}

#[test]
fn items_without_events_are_placed_by_content_and_can_be_recommended() {
    let data = fixture_data();
    let cold = eventless(&data);
    assert_eq!(cold.len(), 30);
    let (model, report) = train(&data, Placement::Content);
    assert_eq!(report.cold, 30);
    assert_eq!(report.by_content + report.by_popularity, 30);
    assert!(report.by_content >= 25, "{report:?}");
    for &j in &cold {
        assert!(model.table.scales[j] > 0.0, "item {j} has a vector");
        // The prior of an item without events stays below every item with events.
        let least_trained = (0..data.items())
            .filter(|i| !cold.contains(i))
            .map(|i| model.table.bias[i])
            .fold(f32::INFINITY, f32::min);
        assert!(model.table.bias[j] < least_trained);
    }
    // A shopper who viewed an eventless item's content neighbours is shown some of them.
    let e = engine(&model);
    for (t, &j) in cold.iter().enumerate().take(5) {
        block_on(e.record(model.keys.key(j), EventKind::View, t as f64)).unwrap();
    }
    let recs = top(&e, 20);
    let cold_keys: Vec<&str> = cold.iter().map(|&j| model.keys.key(j)).collect();
    assert!(
        recs.iter().any(|k| cold_keys.contains(&k.as_str())),
        "no placed item among {recs:?}"
    );
}

#[test]
fn without_placement_eventless_items_stay_at_zero_and_are_never_recommended_by_taste() {
    let data = fixture_data();
    let cold = eventless(&data);
    let (model, report) = train(&data, Placement::None);
    assert_eq!(
        (report.cold, report.by_content, report.by_popularity),
        (30, 0, 0)
    );
    assert!(cold.iter().all(|&j| model.table.scales[j] == 0.0));
    let (pop, report) = train(&data, Placement::Popularity);
    assert_eq!(report.by_popularity, 30);
    let first = pop.table.dequantised_row(cold[0]).to_vec();
    assert!(first.iter().any(|v| *v != 0.0));
    assert!(cold
        .iter()
        .all(|&j| pop.table.dequantised_row(j).to_vec() == first));
}
