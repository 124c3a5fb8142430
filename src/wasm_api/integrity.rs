//! Model integrity: `load(bytes, {sha256})` checks the bytes against a digest the page got from a
//! trusted place (its HTML, as Subresource Integrity does) before the model is parsed or storage
//! opened. The digest is the browser's `crypto.subtle.digest("SHA-256", …)`, reached through
//! `Reflect` (no hashing crate in the wasm); it is computed only when `sha256` is given, and
//! otherwise the model id is the header's CRC-32 (docs/RELIABILITY.md § 5).

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::Error;

/// Lower-case hex of `bytes` (by hand: no integer formatting machinery for this).
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// The `sha256` option, normalised to lower case: exactly 64 hexadecimal characters.
pub(super) fn parse_digest(text: &str) -> Result<String, Error> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(Error::InvalidArgument(
            "sha256 must be the model's SHA-256 as 64 hexadecimal characters".into(),
        ))
    }
}

/// A SHA-256 under way in the browser, and the digest it must equal.
pub(super) struct Pending {
    digest: Promise,
    expected: String,
}

fn unavailable(why: &str) -> Error {
    Error::IntegrityUnavailable(why.into())
}

impl Pending {
    /// Starts hashing `bytes` (`crypto.subtle.digest` copies them now, synchronously, so the
    /// bytes hashed are the bytes the caller handed in). Missing `crypto.subtle` (a page served
    /// over plain http: not a secure context) is `IntegrityUnavailable`.
    pub(super) fn start(bytes: &JsValue, expected: String) -> Result<Self, Error> {
        let get = |o: &JsValue, k: &str| Reflect::get(o, &JsValue::from_str(k)).ok();
        let subtle = get(&js_sys::global(), "crypto")
            .filter(|c| c.is_object())
            .and_then(|c| get(&c, "subtle"))
            .filter(|s| s.is_object())
            .ok_or_else(|| {
                unavailable("crypto.subtle is missing here (a secure context, https, is needed)")
            })?;
        let digest = get(&subtle, "digest")
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| unavailable("crypto.subtle.digest is missing"))?;
        let digest = digest
            .call2(&subtle, &JsValue::from_str("SHA-256"), bytes)
            .ok()
            .and_then(|p| p.dyn_into::<Promise>().ok())
            .ok_or_else(|| unavailable("crypto.subtle.digest refused the bytes"))?;
        Ok(Pending { digest, expected })
    }

    /// Waits for the digest: its hex when it equals the expected one, else `IntegrityMismatch`.
    pub(super) async fn verify(self) -> Result<String, Error> {
        let buffer = JsFuture::from(self.digest)
            .await
            .map_err(|_| unavailable("crypto.subtle.digest failed"))?;
        let actual = hex(&Uint8Array::new(&buffer).to_vec());
        if actual == self.expected {
            Ok(actual)
        } else {
            Err(Error::IntegrityMismatch {
                expected: self.expected,
                actual,
            })
        }
    }
}

/// The id `backendReport.modelId` shows: `sha256:` and the first 16 hex digits of the verified
/// digest, else `crc32:` and the header's CRC-32 of the payload (free: the reader checked it).
pub(super) fn model_id(verified: Option<&str>, bytes: &[u8]) -> String {
    match verified {
        Some(digest) => ["sha256:", digest.get(..16).unwrap_or(digest)].concat(),
        None => {
            let crc = crate::model::container::header_crc(bytes).unwrap_or(0);
            ["crc32:", &hex(&crc.to_be_bytes())].concat()
        }
    }
}
