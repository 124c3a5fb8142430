//! The parallel ALS trainer gives the same model for any thread count, with either solver, and
//! its conjugate-gradient default fits as well as the exact Cholesky solve.
#![cfg(feature = "train")]

use std::path::Path;

use localrank::train::als::{self, Interactions, Solver};
use localrank::train::{train_model, Dataset, TrainParams};

fn scientific(users: usize) -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/scientific"))
        .expect("data/scientific is in the repository")
        .first_users(users)
}

fn params(solver: Solver, threads: usize) -> TrainParams {
    TrainParams {
        dim: 16,
        iterations: 4,
        solver,
        threads,
        ..TrainParams::default()
    }
}

#[test]
fn one_and_two_threads_give_identical_model_bytes() {
    // More users than one Gram chunk (2,048 rows), so chunked sums are exercised.
    let data = scientific(3000);
    for solver in [Solver::DEFAULT, Solver::Cholesky] {
        let one = train_model(&data, &params(solver, 1), &mut |_| {}).unwrap();
        let two = train_model(&data, &params(solver, 2), &mut |_| {}).unwrap();
        assert!(
            one.to_bytes() == two.to_bytes(),
            "{solver:?}: 1 vs 2 threads differ"
        );
    }
}

#[test]
fn the_loss_is_the_same_for_one_and_two_threads() {
    let data = scientific(3000);
    let losses = |threads| {
        let p = params(Solver::DEFAULT, threads);
        let inter = Interactions::from_sequences(&data.sequences, data.items(), &p);
        let mut out = Vec::new();
        als::train(&inter, &p, &mut |pr| out.push(pr.loss().to_bits())).unwrap();
        out
    };
    assert_eq!(losses(1), losses(2));
}

#[test]
fn conjugate_gradient_ends_near_the_exact_solver_s_loss() {
    let data = scientific(1000);
    let last_loss = |solver| {
        let p = TrainParams {
            iterations: 8,
            ..params(solver, 0)
        };
        let inter = Interactions::from_sequences(&data.sequences, data.items(), &p);
        let mut loss = f64::NAN;
        als::train(&inter, &p, &mut |pr| loss = pr.loss()).unwrap();
        loss
    };
    let (exact, cg) = (last_loss(Solver::Cholesky), last_loss(Solver::DEFAULT));
    assert!(
        cg >= exact * 0.999 && cg <= exact * 1.02,
        "cg {cg} vs cholesky {exact}"
    );
}

#[test]
fn solver_names_parse_and_bad_ones_are_refused() {
    assert_eq!("cholesky".parse::<Solver>().unwrap(), Solver::Cholesky);
    assert_eq!("cg".parse::<Solver>().unwrap(), Solver::Cg { steps: 3 });
    assert_eq!("cg:5".parse::<Solver>().unwrap(), Solver::Cg { steps: 5 });
    for bad in ["cg:0", "cg:x", "lu", ""] {
        assert!(bad.parse::<Solver>().is_err(), "{bad}");
    }
    let zero = TrainParams {
        solver: Solver::Cg { steps: 0 },
        ..TrainParams::default()
    };
    assert!(zero.validate().is_err());
}
