//! The `.lrm` reader and writer: round trips, section-table rules, and every class of bad input
//! giving its specific typed error (never a panic).

mod common;

use localrank::model::container::{self, RawSection};
use localrank::{Error, Model};

fn sample() -> Model {
    common::synthetic_model(37, 12, 1)
}

/// Re-assembles a model's sections after `edit`, with a valid CRC (to reach checks past it).
fn rebuild(model: &Model, edit: impl FnOnce(&mut Vec<(Vec<u8>, [u8; 4], bool)>)) -> Vec<u8> {
    let bytes = model.to_bytes();
    let mut owned: Vec<(Vec<u8>, [u8; 4], bool)> = container::parse(&bytes)
        .unwrap()
        .into_iter()
        .map(|s| (s.bytes.to_vec(), s.id, s.required))
        .collect();
    edit(&mut owned);
    let raw: Vec<RawSection<'_>> = owned
        .iter()
        .map(|(b, id, req)| RawSection {
            id: *id,
            required: *req,
            bytes: b,
        })
        .collect();
    container::assemble(&raw)
}

fn section<'a>(s: &'a mut [(Vec<u8>, [u8; 4], bool)], id: &[u8; 4]) -> &'a mut Vec<u8> {
    &mut s.iter_mut().find(|x| &x.1 == id).unwrap().0
}

#[test]
fn a_written_model_reads_back_identical() {
    let m = sample();
    assert_eq!(Model::from_bytes(&m.to_bytes()).unwrap(), m);
}

#[test]
fn writing_is_deterministic() {
    assert_eq!(sample().to_bytes(), sample().to_bytes());
}

#[test]
fn sections_are_eight_byte_aligned() {
    let bytes = sample().to_bytes();
    let base = bytes.as_ptr() as usize;
    for s in container::parse(&bytes).unwrap() {
        assert_eq!((s.bytes.as_ptr() as usize - base) % 8, 0, "{}", s.id_str());
    }
}

#[test]
fn unknown_optional_sections_are_skipped() {
    let m = sample();
    let bytes = rebuild(&m, |s| s.push((vec![1, 2, 3], *b"ZZZZ", false)));
    assert_eq!(Model::from_bytes(&bytes).unwrap(), m);
}

#[test]
fn unknown_required_sections_are_refused() {
    let bytes = rebuild(&sample(), |s| s.push((vec![1, 2, 3], *b"Q4RW", true)));
    match Model::from_bytes(&bytes) {
        Err(Error::UnknownRequiredSection { id }) => assert_eq!(id, "Q4RW"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn metadata_is_optional() {
    let bytes = rebuild(&sample(), |s| s.retain(|x| &x.1 != b"META"));
    let m = Model::from_bytes(&bytes).unwrap();
    assert_eq!(m.meta.get(0, "title"), "");
}

#[test]
fn a_missing_required_section_is_named() {
    let bytes = rebuild(&sample(), |s| s.retain(|x| &x.1 != b"BIAS"));
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::MissingSection { id: "BIAS" })
    ));
}

#[test]
fn a_duplicated_section_is_refused() {
    let bytes = rebuild(&sample(), |s| {
        let bias = s.iter().find(|x| &x.1 == b"BIAS").unwrap().clone();
        s.push(bias);
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::DuplicateSection { .. })
    ));
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = sample().to_bytes();
    for len in 0..bytes.len() {
        match Model::from_bytes(&bytes[..len]) {
            Err(Error::Truncated { .. }) | Err(Error::BadMagic { .. }) => {}
            other => panic!("len {len}: {other:?}"),
        }
    }
}

#[test]
fn truncation_after_the_magic_says_truncated() {
    let bytes = sample().to_bytes();
    assert!(matches!(
        Model::from_bytes(&bytes[..bytes.len() - 1]),
        Err(Error::Truncated { what: "file", .. })
    ));
}

#[test]
fn a_flipped_payload_byte_fails_the_checksum() {
    let mut bytes = sample().to_bytes();
    let n = bytes.len();
    for pos in [40, n / 2, n - 1] {
        bytes[pos] ^= 0x01;
        assert!(
            matches!(
                Model::from_bytes(&bytes),
                Err(Error::ChecksumMismatch { .. })
            ),
            "pos {pos}"
        );
        bytes[pos] ^= 0x01;
    }
}

#[test]
fn wrong_magic_is_refused() {
    let mut bytes = sample().to_bytes();
    bytes[0] = b'X';
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::BadMagic { .. })
    ));
    assert!(matches!(
        Model::from_bytes(b"{\"json\": true}"),
        Err(Error::BadMagic { .. })
    ));
}

#[test]
fn a_future_major_version_is_refused() {
    let mut bytes = sample().to_bytes();
    bytes[8..10].copy_from_slice(&2u16.to_le_bytes());
    match Model::from_bytes(&bytes) {
        Err(e @ Error::UnsupportedVersion { found: 2, .. }) => {
            assert!(e.to_string().contains("version 2"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_newer_minor_version_is_read() {
    let m = sample();
    let mut bytes = m.to_bytes();
    bytes[10..12].copy_from_slice(&7u16.to_le_bytes());
    assert_eq!(Model::from_bytes(&bytes).unwrap(), m);
}

#[test]
fn absurd_item_counts_are_refused_before_allocating() {
    let bytes = rebuild(&sample(), |s| {
        section(s, b"DIMS")[..4].copy_from_slice(&u32::MAX.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::TooLarge {
            what: "item count",
            ..
        })
    ));
}

#[test]
fn absurd_dimensions_are_refused() {
    let bytes = rebuild(&sample(), |s| {
        section(s, b"DIMS")[4..].copy_from_slice(&100_000u32.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::TooLarge {
            what: "dimension",
            ..
        })
    ));
}

#[test]
fn an_item_count_disagreeing_with_the_rows_is_refused() {
    let bytes = rebuild(&sample(), |s| {
        section(s, b"DIMS")[..4].copy_from_slice(&1000u32.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::SectionSize {
            section: "QI8R",
            ..
        })
    ));
}

#[test]
fn absurd_section_counts_and_file_lengths_are_refused() {
    let mut bytes = sample().to_bytes();
    bytes[12..16].copy_from_slice(&1_000_000u32.to_le_bytes());
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::TooLarge {
            what: "section count",
            ..
        })
    ));
    let mut bytes = sample().to_bytes();
    bytes[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::TooLarge {
            what: "declared file length",
            ..
        })
    ));
}

#[test]
fn a_section_pointing_outside_the_file_is_refused() {
    let mut bytes = sample().to_bytes();
    // First table entry's length field (offset 32 + 16).
    bytes[48..56].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let payload_crc = crc32fast::hash(&bytes[32..]);
    bytes[24..28].copy_from_slice(&payload_crc.to_le_bytes());
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::Malformed {
            section: "section table",
            ..
        })
    ));
}

#[test]
fn invalid_utf8_in_keys_is_refused() {
    let m = sample();
    let bytes = rebuild(&m, |s| {
        let keys = section(s, b"KEYS");
        let last = keys.len() - 1;
        keys[last] = 0xFF;
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::InvalidUtf8 {
            section: "KEYS",
            index: 36
        })
    ));
}

#[test]
fn invalid_utf8_in_metadata_is_refused() {
    let bytes = rebuild(&sample(), |s| {
        let meta = section(s, b"META");
        let last = meta.len() - 1;
        meta[last] = 0xC3; // a lone UTF-8 lead byte
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::InvalidUtf8 {
            section: "META",
            ..
        })
    ));
}

#[test]
fn duplicate_item_keys_are_refused() {
    let bytes = rebuild(&sample(), |s| {
        let k = section(s, b"KEYS");
        // count, then 38 offsets, then the blob "item-0item-1…": turn "item-1" into "item-0".
        let blob_start = 4 + 4 * 38;
        let second = blob_start + "item-0".len();
        k[second + 5] = b'0';
    });
    match Model::from_bytes(&bytes) {
        Err(Error::Malformed { section, reason }) => {
            assert_eq!(section, "KEYS");
            assert!(reason.contains("duplicate"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn non_finite_scales_and_biases_are_refused() {
    let bytes = rebuild(&sample(), |s| {
        section(s, b"BIAS")[8..12].copy_from_slice(&f32::NAN.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::NonFinite {
            what: "item bias",
            index: 2
        })
    ));
    let bytes = rebuild(&sample(), |s| {
        section(s, b"QI8R")[0..4].copy_from_slice(&f32::INFINITY.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::NonFinite {
            what: "row scale",
            index: 0
        })
    ));
}

#[test]
fn decreasing_string_offsets_are_refused() {
    let bytes = rebuild(&sample(), |s| {
        let k = section(s, b"KEYS");
        k[8..12].copy_from_slice(&1000u32.to_le_bytes()); // offsets[1] > offsets[2]
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::Malformed {
            section: "KEYS",
            ..
        }) | Err(Error::Truncated { .. })
    ));
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = common::Rng(99);
    let good = sample().to_bytes();
    for round in 0..2000 {
        let mut bytes = good.clone();
        // Flip a few bytes, then fix the CRC half of the time so deeper checks are reached.
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(bytes.len());
            bytes[i] = rng.next_u64() as u8;
        }
        if round % 2 == 0 && bytes.len() > 32 {
            let crc = crc32fast::hash(&bytes[32..]);
            bytes[24..28].copy_from_slice(&crc.to_le_bytes());
        }
        let _ = Model::from_bytes(&bytes);
    }
}

#[test]
fn an_absurd_string_count_is_refused_before_any_arithmetic() {
    // u32::MAX strings: `count + 1` would overflow a 32-bit usize (wasm32).
    let bytes = rebuild(&sample(), |s| {
        section(s, b"META")[..4].copy_from_slice(&u32::MAX.to_le_bytes())
    });
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(Error::Truncated { what: "META", .. })
    ));
}

#[test]
fn a_neighbour_listed_twice_for_one_item_is_refused() {
    use localrank::model::Neighbours;
    let lists = vec![vec![(1, 5), (2, 9), (1, 6)], vec![], vec![]];
    match Neighbours::new(vec![255], 1.0, &lists) {
        Err(Error::Malformed { section, reason }) => {
            assert_eq!(section, "NBRS");
            assert!(reason.contains("twice"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn out_of_range_fold_in_parameters_are_named() {
    // FOLD starts with λ, α, decay as f32 (docs/FORMAT.md).
    for (at, value, named) in [
        (0, 0.0f32, "λ must be > 0"),
        (4, -1.0, "α must be ≥ 0"),
        (8, 1.5, "decay must be in 0..=1"),
    ] {
        let bytes = rebuild(&sample(), |s| {
            section(s, b"FOLD")[at..at + 4].copy_from_slice(&value.to_le_bytes())
        });
        match Model::from_bytes(&bytes) {
            Err(Error::Malformed { section, reason }) => {
                assert_eq!(section, "FOLD");
                assert_eq!(reason, named);
            }
            other => panic!("{other:?}"),
        }
    }
}

/// `backendReport.modelId` without `sha256` is the header's CRC-32 (bytes 24..28), the CRC the
/// reader checked against the payload.
#[test]
fn the_header_crc_is_the_payloads_crc32() {
    let bytes = common::synthetic_model(5, 4, 1).to_bytes();
    let crc = localrank::model::crc32::hash(&bytes[localrank::model::container::HEADER_LEN..]);
    assert_eq!(localrank::model::container::header_crc(&bytes), Some(crc));
    assert_eq!(localrank::model::container::header_crc(&bytes[..27]), None);
}
