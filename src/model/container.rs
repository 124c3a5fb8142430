//! The `.lrm` container: header, section table and CRC-32 (layout in `docs/FORMAT.md`).
//!
//! This layer knows nothing about what sections mean; it only finds them, checks their bounds,
//! the checksum and the required/optional flags. [`super::sections`] interprets the contents.

use super::cursor::{Cursor, Sink};
use crate::{Error, Result};

/// The 8 magic bytes every `.lrm` file starts with.
pub const MAGIC: &[u8; 8] = b"LRANKMDL";
/// The major format version this build reads and writes.
pub const FORMAT_MAJOR: u16 = 1;
/// The minor version written; readers accept any minor of their major.
pub const FORMAT_MINOR: u16 = 0;
/// Header size in bytes.
pub const HEADER_LEN: usize = 32;
/// Size of one section-table entry in bytes.
pub const ENTRY_LEN: usize = 24;
/// At most this many sections (guards the table allocation).
pub const MAX_SECTIONS: u32 = 64;
/// Largest accepted file (wasm32 addresses 4 GiB; a model must leave room to work).
pub const MAX_FILE_LEN: u64 = 1 << 31;
/// Flag bit 0 of a section entry: a reader that does not know the id must refuse the file.
pub const FLAG_REQUIRED: u32 = 1;

/// One section as stored: its 4-byte id, whether it is required, and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSection<'a> {
    pub id: [u8; 4],
    pub required: bool,
    pub bytes: &'a [u8],
}

impl RawSection<'_> {
    /// The id as text (ids are ASCII by convention; other bytes are escaped).
    pub fn id_str(&self) -> String {
        id_to_string(self.id)
    }
}

pub(crate) fn id_to_string(id: [u8; 4]) -> String {
    id.iter()
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect()
}

/// The payload's CRC-32 as the header states it (bytes 24..28), `None` for a file too short to
/// have a header. Meaningful once [`parse`] accepted the file (it checks the CRC).
pub fn header_crc(bytes: &[u8]) -> Option<u32> {
    let field = bytes.get(24..28)?;
    Some(u32::from_le_bytes([field[0], field[1], field[2], field[3]]))
}

/// Splits a file into its sections after checking magic, version, bounds and CRC-32.
pub fn parse(bytes: &[u8]) -> Result<Vec<RawSection<'_>>> {
    let mut header = Cursor::new(bytes, "header");
    let magic = header.take(MAGIC.len()).map_err(|_| Error::BadMagic {
        found: bytes[..bytes.len().min(8)].to_vec(),
    })?;
    if magic != MAGIC {
        return Err(Error::BadMagic {
            found: magic.to_vec(),
        });
    }
    let major = header.u16()?;
    let _minor = header.u16()?;
    if major != FORMAT_MAJOR {
        return Err(Error::UnsupportedVersion {
            found: major,
            supported: FORMAT_MAJOR,
        });
    }
    let count = header.u32()?;
    let file_len = header.u64()?;
    let expected_crc = header.u32()?;
    let _reserved = header.u32()?;
    if count > MAX_SECTIONS {
        return Err(Error::TooLarge {
            what: "section count",
            value: count.into(),
            max: MAX_SECTIONS.into(),
        });
    }
    if file_len > MAX_FILE_LEN {
        return Err(Error::TooLarge {
            what: "declared file length",
            value: file_len,
            max: MAX_FILE_LEN,
        });
    }
    if (bytes.len() as u64) < file_len {
        return Err(Error::Truncated {
            what: "file",
            needed: file_len,
            available: bytes.len() as u64,
        });
    }
    // Bytes after `file_len` are ignored (e.g. padding added by a transport).
    let file = &bytes[..file_len as usize];
    let table_end = HEADER_LEN + count as usize * ENTRY_LEN;
    if file.len() < table_end {
        return Err(Error::Truncated {
            what: "section table",
            needed: table_end as u64,
            available: file.len() as u64,
        });
    }
    let actual_crc = super::crc32::hash(&file[HEADER_LEN..]);
    if actual_crc != expected_crc {
        return Err(Error::ChecksumMismatch {
            expected: expected_crc,
            actual: actual_crc,
        });
    }

    let mut table = Cursor::new(&file[HEADER_LEN..table_end], "section table");
    let mut sections: Vec<RawSection<'_>> = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let mut id = [0u8; 4];
        id.copy_from_slice(table.take(4)?);
        let flags = table.u32()?;
        let offset = table.u64()?;
        let len = table.u64()?;
        let end = offset.checked_add(len).filter(|&e| e <= file_len);
        let Some(end) = end.filter(|_| offset >= table_end as u64) else {
            return Err(Error::Malformed {
                section: "section table",
                reason: format!(
                    "section \"{}\" claims bytes {offset}..{offset}+{len}, outside the payload {table_end}..{file_len}",
                    id_to_string(id)
                ),
            });
        };
        if sections.iter().any(|s| s.id == id) {
            return Err(Error::DuplicateSection {
                id: id_to_string(id),
            });
        }
        sections.push(RawSection {
            id,
            required: flags & FLAG_REQUIRED != 0,
            bytes: &file[offset as usize..end as usize],
        });
    }
    Ok(sections)
}

/// Assembles sections into a complete file: header, table, 8-byte aligned sections, CRC-32.
pub fn assemble(sections: &[RawSection<'_>]) -> Vec<u8> {
    let table_end = HEADER_LEN + sections.len() * ENTRY_LEN;
    let mut body = Sink::default();
    let mut offsets = Vec::with_capacity(sections.len());
    let mut pos = table_end;
    for s in sections {
        let pad = (8 - pos % 8) % 8;
        body.raw(&[0u8; 8][..pad]);
        pos += pad;
        offsets.push(pos as u64);
        body.raw(s.bytes);
        pos += s.bytes.len();
    }
    let mut table = Sink::default();
    for (s, off) in sections.iter().zip(&offsets) {
        table.raw(&s.id);
        table.u32(if s.required { FLAG_REQUIRED } else { 0 });
        table.u64(*off);
        table.u64(s.bytes.len() as u64);
    }
    let mut payload = table.bytes;
    payload.extend_from_slice(&body.bytes);

    let mut out = Sink::default();
    out.raw(MAGIC);
    out.u16(FORMAT_MAJOR);
    out.u16(FORMAT_MINOR);
    out.u32(sections.len() as u32);
    out.u64((HEADER_LEN + payload.len()) as u64);
    out.u32(super::crc32::hash(&payload));
    out.u32(0);
    out.raw(&payload);
    out.bytes
}
