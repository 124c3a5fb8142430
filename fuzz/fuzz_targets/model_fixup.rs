//! Fuzz target: like `model_reader`, but the header's magic, major version, file length and
//! CRC-32 are made right before parsing, so mutations of the section table and the sections are
//! not all stopped by the checksum: malformed-but-CRC-valid models reach the section parsers and
//! the scorer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use localrank::model::{crc32, FORMAT_MAJOR, MAGIC};
use localrank::Model;

/// Header offsets (docs/FORMAT.md § 1.1).
const HEADER_LEN: usize = 32;

fuzz_target!(|data: &[u8]| {
    if data.len() < HEADER_LEN {
        return;
    }
    let mut bytes = data.to_vec();
    bytes[..8].copy_from_slice(MAGIC);
    bytes[8..10].copy_from_slice(&FORMAT_MAJOR.to_le_bytes());
    let len = bytes.len() as u64;
    bytes[16..24].copy_from_slice(&len.to_le_bytes());
    let crc = crc32::hash(&bytes[HEADER_LEN..]);
    bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    if let Ok(model) = Model::from_bytes(&bytes) {
        localrank_fuzz::check_model(model);
    }
});
