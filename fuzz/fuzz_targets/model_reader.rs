//! Fuzz target: `Model::from_bytes` on any bytes must return a typed error or a model; a model
//! must write back to itself and survive what a page does with it (fold-in over a small history
//! of its keys, top-k through the engine). Most mutations fail the CRC here; `model_fixup`
//! repairs the header so the fuzzer reaches the sections.
#![no_main]

use libfuzzer_sys::fuzz_target;
use localrank::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = Model::from_bytes(data) {
        localrank_fuzz::check_model(model);
    }
});
