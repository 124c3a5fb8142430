//! The crate's one error type. Every fallible operation in the engine returns [`Result`];
//! the wasm façade turns an [`Error`] into a `JsError` carrying [`Error`]'s `Display` text.

/// Anything that can go wrong while reading a model, scoring, or handling history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before a structure it declares was complete.
    #[error("model file is truncated: {what} needs {needed} bytes but only {available} are left")]
    Truncated {
        what: &'static str,
        needed: u64,
        available: u64,
    },
    /// The first bytes are not the `.lrm` magic: not a localrank model at all.
    #[error("not a localrank model file (magic bytes {found:02x?}, expected \"LRANKMDL\")")]
    BadMagic { found: Vec<u8> },
    /// The file was written by a newer (or unknown) major version of the format.
    #[error("model format version {found} is not supported (this build reads version {supported}); upgrade localrank")]
    UnsupportedVersion { found: u16, supported: u16 },
    /// The payload's CRC-32 does not match the header: the file is corrupted.
    #[error("model file is corrupted: CRC-32 of the payload is {actual:#010x}, header says {expected:#010x}")]
    ChecksumMismatch { expected: u32, actual: u32 },
    /// A section id this reader does not know is flagged as required.
    #[error("model file needs section \"{id}\" which this version of localrank does not understand; upgrade localrank")]
    UnknownRequiredSection { id: String },
    /// A section every model must have is absent.
    #[error("model file has no \"{id}\" section")]
    MissingSection { id: &'static str },
    /// The same section id appears twice.
    #[error("model file has section \"{id}\" more than once")]
    DuplicateSection { id: String },
    /// A section's bytes do not match the size its contents need.
    #[error("section \"{section}\" is {actual} bytes but its contents need {expected}")]
    SectionSize {
        section: &'static str,
        expected: u64,
        actual: u64,
    },
    /// A declared count or size exceeds the format's limits (guards allocation).
    #[error("{what} = {value} exceeds the limit of {max}")]
    TooLarge {
        what: &'static str,
        value: u64,
        max: u64,
    },
    /// A string in the model is not valid UTF-8.
    #[error("section \"{section}\": string #{index} is not valid UTF-8")]
    InvalidUtf8 { section: &'static str, index: usize },
    /// Structurally wrong content (offsets out of order, duplicate keys, ...).
    #[error("section \"{section}\" is malformed: {reason}")]
    Malformed {
        section: &'static str,
        reason: String,
    },
    /// A float that must be finite is NaN or infinite.
    #[error("{what} #{index} is not a finite number")]
    NonFinite { what: &'static str, index: usize },
    /// A caller passed an argument outside its domain.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A history document (import) failed validation; nothing was changed.
    #[error("invalid history document: {0}")]
    InvalidHistory(String),
    /// The history storage (IndexedDB in the browser) failed; the in-memory history is unchanged.
    #[error("history storage failed: {0}")]
    Storage(String),
    /// The GPU backend could not be set up or failed; callers fall back to the CPU.
    #[error("GPU backend unavailable: {0}")]
    Gpu(String),
    /// Reading input files for training or packing failed (native tools), or downloading a
    /// model by URL failed (`RecommenderWorker.load(url)` in `pkg/worker.js`).
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    /// The Web Worker companion (`pkg/worker.js`) could not carry a call: the worker was
    /// terminated or failed to start, or a value cannot be passed between threads. The engine
    /// never raises it; `pkg/worker.js` does, with this code.
    #[error("recommender worker: {0}")]
    Worker(String),
    /// A training input has more unusable rows than `--max-bad-rows` allows (native tools only);
    /// `details` counts them by reason with the first examples.
    #[error("{path}: {bad} of {rows} rows are unusable, more than the limit of {limit} (--max-bad-rows)\n{details}")]
    TooManyBadRows {
        path: String,
        bad: u64,
        rows: u64,
        limit: String,
        details: String,
    },
    /// The model's SHA-256 is not the `sha256` the page gave `load`: the file is not the one the
    /// page trusts (damaged, stale in a cache, or replaced). Nothing was parsed or opened.
    #[error("model integrity check failed: the page expects SHA-256 {expected} but the bytes have {actual}; nothing was loaded and no stored history was opened")]
    IntegrityMismatch { expected: String, actual: String },
    /// `sha256` was given but this page cannot compute SHA-256 (`crypto.subtle` exists only in
    /// secure contexts: https or localhost). Nothing was loaded.
    #[error("cannot verify the model's SHA-256: {0}")]
    IntegrityUnavailable(String),
    /// A call named an item by a key the model does not know (`similar(key)`): nothing to
    /// answer from. Recording such a key is not an error (a later model may know it).
    #[error("the model has no item with key \"{key}\"")]
    UnknownItem { key: String },
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A number as an error message shows it (at most 3 decimals, `NaN`, `Infinity`), written
/// without `core`'s float formatting: `{}` of an `f32`/`f64` links its Grisu/Dragon code into
/// the wasm package, about 10 KB gzip for a few messages (docs/BENCHMARKS.md § Size budget).
pub(crate) fn show_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a.is_infinite() {
        return format!("{sign}Infinity");
    }
    if a >= 1e15 {
        return format!("{sign}{}", a.round() as u64);
    }
    let milli = (a * 1000.0).round() as u64;
    let (int, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let frac = format!("{frac:03}");
        format!("{sign}{int}.{}", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod show_number_tests {
    use super::show_number;

    #[test]
    fn numbers_read_as_written() {
        for (x, s) in [
            (0.0, "0"),
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (12.0, "12"),
            (1.0005, "1.001"),
            (2e15, "2000000000000000"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(show_number(x), s);
        }
    }
}

/// Lists every variant once: [`Error::code`] (an exhaustive match, so a new variant that is not
/// listed here does not compile), [`CODES`] and the TypeScript union [`TS_CODE_UNION`] that
/// `pkg/localrank.d.ts` exports all come from this one list and cannot drift apart.
macro_rules! error_codes {
    ($($name:ident),* $(,)?) => {
        impl Error {
            /// A stable, machine-readable name for the error's kind (the `code` of a JS error).
            pub fn code(&self) -> &'static str {
                match self {
                    $(Error::$name { .. } => stringify!($name),)*
                }
            }
        }

        /// Every [`Error::code`], in declaration order.
        pub const CODES: &[&str] = &[$(stringify!($name)),*];

        /// `LocalrankErrorCode`, the TypeScript union of [`CODES`] (shipped in the `.d.ts`).
        pub const TS_CODE_UNION: &str = concat!(
            "/** The `code` of a `LocalrankError`: what kind of thing went wrong (stable across versions). */\n",
            "export type LocalrankErrorCode =",
            $("\n  | \"", stringify!($name), "\""),*,
            ";\n"
        );
    };
}

error_codes!(
    Truncated,
    BadMagic,
    UnsupportedVersion,
    ChecksumMismatch,
    UnknownRequiredSection,
    MissingSection,
    DuplicateSection,
    SectionSize,
    TooLarge,
    InvalidUtf8,
    Malformed,
    NonFinite,
    InvalidArgument,
    InvalidHistory,
    Storage,
    Gpu,
    Io,
    Worker,
    TooManyBadRows,
    IntegrityMismatch,
    IntegrityUnavailable,
    UnknownItem,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_variant_names_and_the_union_lists_each_once() {
        let e = Error::InvalidArgument("x".into());
        assert_eq!(e.code(), "InvalidArgument");
        assert_eq!(Error::Storage("s".into()).code(), "Storage");
        for code in CODES {
            assert_eq!(
                TS_CODE_UNION.matches(&format!("\"{code}\"")).count(),
                1,
                "{code}"
            );
        }
        assert_eq!(TS_CODE_UNION.matches("\n  | ").count(), CODES.len());
    }
}
