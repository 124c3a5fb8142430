//! A bounds-checked little-endian reader over a byte slice. Every read checks the remaining
//! length first and returns [`Error::Truncated`] instead of panicking, so the `.lrm` parser can be
//! fed arbitrary bytes.

use crate::{Error, Result};

/// Reads little-endian values from a slice, front to back.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    /// `what` names the structure being read; it appears in truncation errors.
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self {
            bytes,
            pos: 0,
            what,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::Truncated {
                what: self.what,
                needed: n as u64,
                available: self.remaining() as u64,
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    /// Reads `n` f32 values, checking the byte length before allocating.
    pub(crate) fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
        self.words(n, "f32 array length", f32::from_le_bytes)
    }

    /// Reads `n` u32 values, checking the byte length before allocating.
    pub(crate) fn u32s(&mut self, n: usize) -> Result<Vec<u32>> {
        self.words(n, "u32 array length", u32::from_le_bytes)
    }

    fn words<T>(
        &mut self,
        n: usize,
        what: &'static str,
        decode: fn([u8; 4]) -> T,
    ) -> Result<Vec<T>> {
        let len = n.checked_mul(4).ok_or(Error::TooLarge {
            what,
            value: n as u64,
            max: (usize::MAX / 4) as u64,
        })?;
        let bytes = self.take(len)?;
        let mut out = try_with_capacity(n, what)?;
        out.extend(
            bytes
                .chunks_exact(4)
                .map(|c| decode([c[0], c[1], c[2], c[3]])),
        );
        Ok(out)
    }
}

/// A vector with room for `n` values, or [`Error::TooLarge`] when the allocation fails: on wasm32
/// a large but well-formed file must not abort the module by running out of address space.
pub(crate) fn try_with_capacity<T>(n: usize, what: &'static str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| too_large::<T>(n, what))?;
    Ok(v)
}

/// An owned copy of `text`, or [`Error::TooLarge`] when it cannot be allocated (as
/// [`try_with_capacity`]).
pub(crate) fn try_to_string(text: &str, what: &'static str) -> Result<String> {
    let mut s = String::new();
    s.try_reserve_exact(text.len())
        .map_err(|_| too_large::<u8>(text.len(), what))?;
    s.push_str(text);
    Ok(s)
}

/// The allocation failure of `n` values of `T`.
fn too_large<T>(n: usize, what: &'static str) -> Error {
    Error::TooLarge {
        what,
        value: n as u64,
        max: (isize::MAX as usize / std::mem::size_of::<T>().max(1)) as u64,
    }
}

/// Appends little-endian values; the writer's half of [`Cursor`].
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) bytes: Vec<u8>,
}

impl Sink {
    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn f32s(&mut self, vs: impl IntoIterator<Item = f32>) {
        for v in vs {
            self.f32(v);
        }
    }
    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }
}
