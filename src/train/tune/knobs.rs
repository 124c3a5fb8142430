//! The knobs `--tune` turns and the ladder of values each may take (docs/QUALITY.md § 7).

use super::Candidate;

/// A knob and the values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Knob {
    Mix,
    Recency,
    Window,
    Backward,
    Top,
    SourceNorm,
    TargetNorm,
    Alpha,
    Lambda,
    Decay,
}

pub(super) const NBRS_KNOBS: [Knob; 7] = [
    Knob::Mix,
    Knob::Recency,
    Knob::Window,
    Knob::Backward,
    Knob::Top,
    Knob::SourceNorm,
    Knob::TargetNorm,
];
pub(super) const ALS_KNOBS: [Knob; 3] = [Knob::Alpha, Knob::Lambda, Knob::Decay];

impl Knob {
    pub(super) fn ladder(self) -> &'static [f32] {
        match self {
            Knob::Mix => &[0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0],
            Knob::Recency => &[0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
            Knob::Window => &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0],
            Knob::Backward => &[0.0, 0.25, 0.5, 1.0],
            Knob::Top => &[8.0, 12.0, 19.0, 30.0],
            Knob::SourceNorm => &[0.25, 0.5, 0.75, 1.0],
            Knob::TargetNorm => &[0.0, 0.25, 0.5],
            Knob::Alpha => &[5.0, 10.0, 20.0, 40.0, 80.0],
            Knob::Lambda => &[0.1, 1.0, 10.0],
            Knob::Decay => &[0.7, 0.8, 0.9, 1.0],
        }
    }

    pub(super) fn get(self, c: &Candidate) -> f32 {
        let n = &c.neighbours;
        match self {
            Knob::Mix => n.mix,
            Knob::Recency => n.recency,
            Knob::Window => n.window as f32,
            Knob::Backward => n.backward,
            Knob::Top => n.top as f32,
            Knob::SourceNorm => n.source_norm,
            Knob::TargetNorm => n.target_norm,
            Knob::Alpha => c.train.alpha,
            Knob::Lambda => c.train.lambda,
            Knob::Decay => c.train.decay,
        }
    }

    pub(super) fn set(self, c: &Candidate, v: f32) -> Candidate {
        let mut c = *c;
        let n = &mut c.neighbours;
        match self {
            Knob::Mix => n.mix = v,
            Knob::Recency => n.recency = v,
            Knob::Window => n.window = v as usize,
            Knob::Backward => n.backward = v,
            Knob::Top => n.top = v as usize,
            Knob::SourceNorm => n.source_norm = v,
            Knob::TargetNorm => n.target_norm = v,
            Knob::Alpha => c.train.alpha = v,
            Knob::Lambda => c.train.lambda = v,
            Knob::Decay => c.train.decay = v,
        }
        c
    }

    /// The next ladder value above (`up`) or below the current one, if any.
    pub(super) fn step(self, c: &Candidate, up: bool) -> Option<Candidate> {
        let v = self.get(c);
        let l = self.ladder();
        let next = if up {
            l.iter().find(|&&x| x > v)
        } else {
            l.iter().rev().find(|&&x| x < v)
        };
        next.map(|&x| self.set(c, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_walk_the_ladder_from_values_on_and_off_it() {
        let c = Candidate::scientific();
        let up = Knob::Mix.step(&c, true).unwrap();
        assert_eq!(up.neighbours.mix, 2.0);
        assert_eq!(Knob::Mix.step(&c, false).unwrap().neighbours.mix, 1.0);
        let off = Knob::Mix.set(&c, 1.2);
        assert_eq!(Knob::Mix.step(&off, true).unwrap().neighbours.mix, 1.5);
        let top = Knob::Mix.set(&c, 6.0);
        assert!(Knob::Mix.step(&top, true).is_none());
        let w = Knob::Window.step(&c, true).unwrap();
        assert_eq!((w.neighbours.window, w.train), (5, c.train));
    }

    #[test]
    fn every_ladder_value_is_valid() {
        for k in NBRS_KNOBS.iter().chain(&ALS_KNOBS) {
            for &v in k.ladder() {
                let c = k.set(&Candidate::scientific(), v);
                assert!(c.train.validate().is_ok() && c.neighbours.validate().is_ok());
                assert_eq!(k.get(&c), v, "{k:?}");
            }
        }
    }
}
