//! Step 1 of the scoring contract: the user vector quantised to int8 with one f32 scale.

use ndarray::Array1;

/// A user vector as every backend consumes it: `q` in [-127, 127] and `scale`, so that
/// `u ≈ q · scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantisedUser {
    pub q: Array1<i8>,
    pub scale: f32,
}

impl QuantisedUser {
    /// `scale = max|u| / 127`; `q = clamp(round(u / scale), -127, 127)` (round half away from
    /// zero); a zero or non-finite vector quantises to all zeros with scale 0.
    pub fn new(u: &Array1<f32>) -> Self {
        let max = u.iter().fold(0f32, |m, v| m.max(v.abs()));
        if !(max.is_finite() && max > 0.0) {
            return Self {
                q: Array1::zeros(u.len()),
                scale: 0.0,
            };
        }
        let scale = max / 127.0;
        Self {
            q: u.mapv(|v| (v / scale).round().clamp(-127.0, 127.0) as i8),
            scale,
        }
    }
}
