//! Fuzz target: the store reader for Parquet files (`localrank train`), on any bytes, as an event
//! file and as a catalogue (`localrank_fuzz::store::read_both`): a typed error or store data
//! whose parts agree, never a panic of ours.
#![no_main]

use libfuzzer_sys::fuzz_target;
use localrank::train::store::options::Format;
use localrank_fuzz::store::{allow_parquet_panics, read_both};

fuzz_target!(|data: &[u8]| {
    allow_parquet_panics();
    read_both(Format::Parquet, data);
});
