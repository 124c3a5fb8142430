//! NumPy's `.npy` format (numpy.org/neps/nep-0001-npy-format.html), read and written for
//! float arrays: magic `\x93NUMPY`, version 1.0 (u16 header length), 2.0 or 3.0 (u32), a Python
//! dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (n, d), }`, then the data.
//! `descr` may be f2, f4 or f8 in either byte order (converted to f32); Fortran order is
//! transposed on reading. What `np.save`, PyTorch's `tensor.numpy()` and `implicit`'s
//! `model.item_factors` produce.

use std::io::{BufReader, Read, Write};
use std::path::Path;

use ndarray::{Array1, Array2, ShapeBuilder};

use crate::{Error, Result};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Largest header accepted (numpy writes 64–128 bytes; this guards allocation).
const MAX_HEADER: usize = 1 << 20;

fn bad(path: &Path, reason: impl Into<String>) -> Error {
    Error::Io {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// A float array as read: its shape and values in C order, as f32.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Element type of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Descr {
    size: usize,
    big_endian: bool,
}

fn parse_descr(s: &str) -> Option<Descr> {
    let (order, rest) = s.split_at_checked(1)?;
    let big_endian = match order {
        "<" | "|" | "=" => false,
        ">" => true,
        _ => return None,
    };
    let size = match rest {
        "f2" => 2,
        "f4" => 4,
        "f8" => 8,
        _ => return None,
    };
    Some(Descr { size, big_endian })
}

/// The header dict's three fields.
#[derive(Debug, PartialEq)]
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Parses the dict literal numpy writes (strings in single or double quotes, `True`/`False`,
/// tuples of integers); other keys are refused.
fn parse_header(text: &str) -> std::result::Result<Header, String> {
    let mut p = Cursor {
        s: text.trim(),
        pos: 0,
    };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect('{')?;
    while !p.eat('}') {
        let key = p.string()?;
        p.expect(':')?;
        match key.as_str() {
            "descr" => descr = Some(p.string()?),
            "fortran_order" => fortran = Some(p.boolean()?),
            "shape" => shape = Some(p.tuple()?),
            other => return Err(format!("unexpected header key {other:?}")),
        }
        if !p.eat(',') {
            p.expect('}')?;
            break;
        }
    }
    Ok(Header {
        descr: descr.ok_or("the header has no 'descr'")?,
        fortran_order: fortran.ok_or("the header has no 'fortran_order'")?,
        shape: shape.ok_or("the header has no 'shape'")?,
    })
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.s[self.pos..].starts_with(|c: char| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        let hit = self.s[self.pos..].starts_with(c);
        if hit {
            self.pos += c.len_utf8();
        }
        hit
    }
    fn expect(&mut self, c: char) -> std::result::Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {c:?} at byte {} of the header", self.pos))
        }
    }
    fn string(&mut self) -> std::result::Result<String, String> {
        self.skip_ws();
        let rest = &self.s[self.pos..];
        let quote = rest
            .chars()
            .next()
            .filter(|c| *c == '\'' || *c == '"')
            .ok_or_else(|| format!("expected a string at byte {} of the header", self.pos))?;
        let end = rest[1..]
            .find(quote)
            .ok_or("unterminated string in the header")?;
        self.pos += end + 2;
        Ok(rest[1..=end].to_owned())
    }
    fn boolean(&mut self) -> std::result::Result<bool, String> {
        self.skip_ws();
        for (word, value) in [("True", true), ("False", false)] {
            if self.s[self.pos..].starts_with(word) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err("fortran_order is not True or False".into())
    }
    fn tuple(&mut self) -> std::result::Result<Vec<usize>, String> {
        self.expect('(')?;
        let mut dims = Vec::new();
        while !self.eat(')') {
            self.skip_ws();
            let rest = &self.s[self.pos..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let dim = rest[..digits]
                .parse()
                .map_err(|_| format!("bad shape entry at byte {} of the header", self.pos))?;
            self.pos += digits;
            dims.push(dim);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(dims)
    }
}

fn decode(chunk: &[u8], d: Descr, out: &mut Vec<f32>) {
    for b in chunk.chunks_exact(d.size) {
        let v = match (d.size, d.big_endian) {
            (2, false) => half::f16::from_le_bytes([b[0], b[1]]).to_f32(),
            (2, true) => half::f16::from_be_bytes([b[0], b[1]]).to_f32(),
            (4, false) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            (4, true) => f32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            (_, false) => {
                f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
            (_, true) => {
                f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32
            }
        };
        out.push(v);
    }
}

/// Reads a float `.npy` file; every malformed or unsupported file is an [`Error::Io`] naming
/// the problem (not a float array, truncated data, trailing bytes, unknown version).
pub fn read(path: &Path) -> Result<NpyArray> {
    let io = |e: std::io::Error| bad(path, e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut r = BufReader::new(file);
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)
        .map_err(|_| bad(path, "not a .npy file (shorter than its 8-byte preamble)"))?;
    if &magic[..6] != MAGIC {
        return Err(bad(path, "not a .npy file (no \\x93NUMPY magic)"));
    }
    let header_len = match magic[6] {
        1 => {
            let mut b = [0u8; 2];
            r.read_exact(&mut b).map_err(io)?;
            u16::from_le_bytes(b) as usize
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            r.read_exact(&mut b).map_err(io)?;
            u32::from_le_bytes(b) as usize
        }
        v => {
            return Err(bad(
                path,
                format!(
                    ".npy version {v}.{} is not supported (1.0, 2.0, 3.0)",
                    magic[7]
                ),
            ))
        }
    };
    if header_len > MAX_HEADER {
        return Err(bad(
            path,
            format!(".npy header of {header_len} bytes is too large"),
        ));
    }
    let mut header = vec![0u8; header_len];
    r.read_exact(&mut header)
        .map_err(|_| bad(path, "truncated .npy header"))?;
    let text = std::str::from_utf8(&header).map_err(|_| bad(path, ".npy header is not text"))?;
    let h = parse_header(text).map_err(|e| bad(path, format!(".npy header: {e}")))?;
    let descr = parse_descr(&h.descr).ok_or_else(|| {
        bad(
            path,
            format!(
                "dtype {:?} is not a float array (f2, f4 or f8); save the factors as float32",
                h.descr
            ),
        )
    })?;
    let count = h
        .shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad(path, format!("shape {:?} overflows", h.shape)))?;
    let preamble = 8 + if magic[6] == 1 { 2 } else { 4 } + header_len as u64;
    let data_len = file_len.saturating_sub(preamble);
    let want = (count as u64).saturating_mul(descr.size as u64);
    if data_len != want {
        return Err(bad(
            path,
            format!(
                "shape {:?} of {} needs {want} data bytes but the file has {data_len} ({})",
                h.shape,
                h.descr,
                if data_len < want {
                    "truncated"
                } else {
                    "trailing bytes"
                }
            ),
        ));
    }
    let mut values = Vec::new();
    values
        .try_reserve_exact(count)
        .map_err(|_| bad(path, format!("cannot allocate {count} values")))?;
    let mut buf = vec![0u8; (1 << 20) / descr.size * descr.size];
    let mut left = want as usize;
    while left > 0 {
        let n = left.min(buf.len());
        r.read_exact(&mut buf[..n]).map_err(io)?;
        decode(&buf[..n], descr, &mut values);
        left -= n;
    }
    let values = if h.fortran_order && h.shape.len() > 1 {
        // Column-major: reverse the axes' strides, then copy out in C order.
        let view = ndarray::ArrayViewD::from_shape(ndarray::IxDyn(&h.shape).f(), &values)
            .map_err(|e| bad(path, e.to_string()))?;
        view.iter().copied().collect()
    } else {
        values
    };
    Ok(NpyArray {
        shape: h.shape,
        values,
    })
}

/// Reads an `(n, d)` float matrix.
pub fn read_matrix(path: &Path) -> Result<Array2<f32>> {
    let a = read(path)?;
    match a.shape[..] {
        [n, d] => Array2::from_shape_vec((n, d), a.values).map_err(|e| bad(path, e.to_string())),
        _ => Err(bad(
            path,
            format!(
                "expected a 2-D (items, dim) array, the shape is {:?}",
                a.shape
            ),
        )),
    }
}

/// Reads an `(n,)` float vector (e.g. item popularity).
pub fn read_vector(path: &Path) -> Result<Array1<f32>> {
    let a = read(path)?;
    match a.shape[..] {
        [_] => Ok(Array1::from(a.values)),
        _ => Err(bad(
            path,
            format!("expected a 1-D (items,) array, the shape is {:?}", a.shape),
        )),
    }
}

/// Writes `a` as a version 1.0 `.npy` of little-endian f32 (what `np.load` reads back).
pub fn write_f32<W: Write>(out: &mut W, shape: &[usize], values: &[f32]) -> std::io::Result<()> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic, version, length and header padded with spaces to a multiple of 64, ending in \n.
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    out.write_all(MAGIC)?;
    out.write_all(&[1, 0])?;
    out.write_all(&(header.len() as u16).to_le_bytes())?;
    out.write_all(header.as_bytes())?;
    for v in values {
        out.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_headers_parse_with_trailing_commas_and_either_quote() {
        let h = parse_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   \n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.shape, vec![3, 4]);
        let h = parse_header("{\"descr\":\"<f8\",\"fortran_order\":True,\"shape\":(5,)}")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (h.descr.as_str(), h.fortran_order, h.shape),
            ("<f8", true, vec![5])
        );
    }

    #[test]
    fn integer_and_unknown_dtypes_are_not_floats() {
        assert_eq!(parse_descr("<i8"), None);
        assert_eq!(parse_descr("<c8"), None);
        assert_eq!(parse_descr(">f8").map(|d| d.big_endian), Some(true));
    }
}
