//! Tick positions and labels, chosen by us rather than by plotters, so that
//! every axis reads the way scientists write numbers:
//!
//! - linear axes: ticks at 1, 2 or 5 × 10ᵏ steps; every label of an axis in
//!   one style, either plain decimals with the same number of decimals
//!   (`0.0 0.5 1.0`) or, when the largest tick is ≥ 10⁵ or < 10⁻³, one common
//!   exponent (`0.5×10⁵ 1.0×10⁵`);
//! - logarithmic axes: decades labelled `10ⁿ` when the range holds two or
//!   more of them, otherwise 1-2-5 (or 1…9) × 10ⁿ written as plain numbers or,
//!   outside 10⁻³…10⁵, as `2×10⁵`.
//!
//! Positions on a logarithmic axis are log₁₀ of the value (the figures plot
//! log₁₀ values on a linear plotters axis).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// Tick positions with their labels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    marks: Vec<(f64, String)>,
}

impl Ticks {
    /// The tick positions (axis coordinates).
    pub(crate) fn positions(&self) -> Vec<f64> {
        self.marks.iter().map(|m| m.0).collect()
    }

    /// The label of the tick nearest `v` (plotters hands back the positions
    /// it was given, so the nearest is the one).
    pub(crate) fn label(&self, v: f64) -> String {
        self.marks
            .iter()
            .min_by(|a, b| (a.0 - v).abs().total_cmp(&(b.0 - v).abs()))
            .map(|m| m.1.clone())
            .unwrap_or_default()
    }

    /// The labels, in order.
    #[cfg(test)]
    pub(crate) fn labels(&self) -> Vec<&str> {
        self.marks.iter().map(|m| m.1.as_str()).collect()
    }

    /// The same ticks with positions negated (a reversed axis: the figure
    /// plots −x so that x runs from right to left); labels unchanged.
    pub(crate) fn negated(mut self) -> Ticks {
        for m in &mut self.marks {
            m.0 = -m.0;
        }
        self
    }
}

/// A linear plotters axis over [lo, hi] whose tick marks are exactly the
/// given positions (plotters' own `WithKeyPoints` over `f64` loses the
/// value formatter that `configure_mesh` needs).
pub(crate) struct KeyAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl KeyAxis {
    pub(crate) fn new(r: (f64, f64), ticks: &Ticks) -> KeyAxis {
        KeyAxis {
            inner: (r.0..r.1).into(),
            ticks: ticks.positions(),
        }
    }
}

impl Ranged for KeyAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// 1, 2 or 5 × 10ᵏ at or above `raw` (> 0).
pub(crate) fn nice_step(raw: f64) -> f64 {
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let f = if m <= 1.0 + 1e-9 {
        1.0
    } else if m <= 2.0 + 1e-9 {
        2.0
    } else if m <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    f * p
}

/// Unicode superscript of an integer exponent (`-4` → `⁻⁴`).
pub(crate) fn superscript(e: i32) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// A number with a typographic minus sign (U+2212) and no negative zero.
fn signed(s: String) -> String {
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| matches!(c, '0' | '.'));
    match s.strip_prefix('-') {
        Some(r) if zero => r.to_string(),
        Some(r) => format!("−{r}"),
        None => s,
    }
}

/// At most `n + 1` (n at least 2) ticks at a 1-2-5 step inside [lo, hi], labelled in
/// one style. A flat or non-finite range gives one tick at `lo`.
pub(crate) fn linear(lo: f64, hi: f64, n: usize) -> Ticks {
    let span = hi - lo;
    if !(span > 0.0 && lo.is_finite() && hi.is_finite()) {
        let v = if lo.is_finite() { lo } else { 0.0 };
        return Ticks {
            marks: vec![(v, plain_short(v))],
        };
    }
    let n = n.max(2);
    // the smallest 1-2-5 step that gives at most n + 1 ticks
    let count = |s: f64| (hi / s + 1e-9).floor() - (lo / s - 1e-9).ceil() + 1.0;
    let mut step = nice_step(span / (10 * (n + 1)) as f64);
    while count(step) > (n + 1) as f64 {
        step = nice_step(step * 1.001);
    }
    linear_step(lo, hi, step, None)
}

/// Ticks at the multiples of `step` (a 1-2-5 × 10ᵏ value) inside [lo, hi]
/// (lo < hi, both finite), labelled in one style: plain decimals, or one
/// common exponent when the largest tick (or `style_max`, to give two axes
/// the same style) is ≥ 10⁵ or < 10⁻³.
pub(crate) fn linear_step(lo: f64, hi: f64, step: f64, style_max: Option<f64>) -> Ticks {
    let k = (step.log10() + 1e-9).floor() as i32;
    let first = (lo / step - 1e-9).ceil();
    let mut vals = Vec::new();
    let mut i = first;
    while i * step <= hi + 1e-9 * step && vals.len() < 40 {
        let v = i * step;
        vals.push(if v.abs() < 1e-9 * step { 0.0 } else { v });
        i += 1.0;
    }
    let amax = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let amax = style_max.map_or(amax, |m| m.abs().max(amax));
    let sci = amax > 0.0 && !(1e-3..1e5).contains(&amax);
    let marks = if sci {
        let e = (amax.log10() + 1e-9).floor() as i32;
        let d = (e - k).max(0) as usize;
        let p = 10f64.powi(e);
        vals.iter()
            .map(|&v| {
                let s = if v == 0.0 {
                    "0".to_string()
                } else {
                    signed(format!("{:.d$}×10{}", v / p, superscript(e)))
                };
                (v, s)
            })
            .collect()
    } else {
        let d = (-k).max(0) as usize;
        vals.iter()
            .map(|&v| (v, signed(format!("{v:.d$}"))))
            .collect()
    };
    Ticks { marks }
}

/// A value with at most 4 significant digits and no trailing zeros.
fn plain_short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let e = (a.log10() + 1e-9).floor() as i32;
        let m = v / 10f64.powi(e);
        let m = format!("{m:.3}");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return signed(format!("{m}×10{}", superscript(e)));
    }
    let d = (3 - (a.log10() + 1e-9).floor() as i32).max(0) as usize;
    let s = format!("{v:.d$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    signed(s)
}

/// Ticks of a logarithmic axis whose positions are log₁₀ values in
/// [lo, hi]: decades (every one, or every 2nd, 3rd, … to stay near `n`)
/// labelled `10ⁿ` when the range holds at least two; otherwise 1-2-5 × 10ⁿ
/// (1…9 × 10ⁿ when that gives fewer than three); a range too narrow for any
/// of these gets linear ticks of the values.
pub(crate) fn log10(lo: f64, hi: f64, n: usize) -> Ticks {
    if !(hi > lo && lo.is_finite() && hi.is_finite()) {
        let v = if lo.is_finite() { lo } else { 0.0 };
        return Ticks {
            marks: vec![(v, plain_short(10f64.powf(v)))],
        };
    }
    let n = n.max(2);
    let (a, b) = ((lo - 1e-9).ceil() as i64, (hi + 1e-9).floor() as i64);
    if b - a >= 1 {
        let count = (b - a + 1) as usize;
        let every = count.div_ceil(n).max(1) as i64;
        let first = a + (every - a.rem_euclid(every)) % every;
        let marks = (first..=b)
            .step_by(every as usize)
            .map(|k| (k as f64, format!("10{}", superscript(k as i32))))
            .collect();
        return Ticks { marks };
    }
    let within = |ms: &[f64]| -> Vec<f64> {
        let mut out = Vec::new();
        for k in (lo.floor() as i64)..=(hi.ceil() as i64) {
            for &m in ms {
                let v = 10f64.powi(k as i32) * m;
                let p = v.log10();
                if p >= lo - 1e-9 && p <= hi + 1e-9 {
                    out.push(v);
                }
            }
        }
        out
    };
    let mut vals = within(&[1.0, 2.0, 5.0]);
    if vals.len() < 3 {
        let all = within(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        if all.len() <= n + 2 {
            vals = all;
        }
    }
    if vals.len() < 2 {
        let t = linear(10f64.powf(lo), 10f64.powf(hi), n);
        let marks = t
            .marks
            .into_iter()
            .filter(|m| m.0 > 0.0)
            .map(|(v, s)| (v.log10(), s))
            .collect();
        return Ticks { marks };
    }
    let amax = vals.iter().fold(0.0f64, |m, v| m.max(*v));
    let amin = vals.iter().fold(f64::INFINITY, |m, v| m.min(*v));
    let sci = amax >= 1e5 || amin < 1e-3;
    let marks = vals
        .iter()
        .map(|&v| {
            let s = if sci {
                let e = (v.log10() + 1e-9).floor() as i32;
                format!("{:.0}×10{}", v / 10f64.powi(e), superscript(e))
            } else {
                plain_short(v)
            };
            (v.log10(), s)
        })
        .collect();
    Ticks { marks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_share_one_style() {
        let t = linear(0.0, 1.05, 5);
        assert_eq!(t.labels(), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let t = linear(-1.1, 1.1, 4);
        assert_eq!(t.labels(), ["−1.0", "−0.5", "0.0", "0.5", "1.0"]);
        // the mixed "90000 … 1.0e5": one common exponent instead
        let t = linear(0.0, 1.05e5, 6);
        assert_eq!(
            t.labels(),
            ["0", "0.2×10⁵", "0.4×10⁵", "0.6×10⁵", "0.8×10⁵", "1.0×10⁵"]
        );
        let t = linear(0.0, 4.2e4, 4);
        assert_eq!(t.labels(), ["0", "10000", "20000", "30000", "40000"]);
        let t = linear(0.0, 5e-4, 5);
        assert_eq!(t.labels()[1], "1×10⁻⁴");
        // binding energies: integers, no decimals
        let t = linear(449.5, 470.2, 10);
        assert_eq!(t.labels().first(), Some(&"450"));
        assert_eq!(t.labels().last(), Some(&"470"));
        // every tick inside the range, at most n + 1 of them
        for (lo, hi, n) in [(0.21, 0.68, 5), (-3.3e-7, 9.1e-6, 6), (2.0, 2.5, 3)] {
            let p = linear(lo, hi, n).positions();
            assert!(p.len() >= 2 && p.len() <= n + 1, "{lo} {hi}: {p:?}");
            assert!(p.iter().all(|&v| v >= lo && v <= hi), "{p:?}");
        }
        // a residual panel: three ticks, not just 0
        assert_eq!(linear(-190.0, 190.0, 2).labels(), ["−100", "0", "100"]);
        // two axes in one style
        let t = linear_step(0.0, 4.2e4, 2e4, Some(1.05e5));
        assert_eq!(t.labels(), ["0", "0.2×10⁵", "0.4×10⁵"]);
        // a flat range: one tick
        assert_eq!(linear(3.0, 3.0, 5).labels(), ["3"]);
    }

    #[test]
    fn log_ticks_are_decades_or_one_two_five() {
        // the Bode axis 316 / 1000 / 3160 / …: decades instead
        let t = log10(2.4, 5.1, 6);
        assert_eq!(t.labels(), ["10³", "10⁴", "10⁵"]);
        let t = log10(-8.2, 1.3, 6);
        assert_eq!(t.labels(), ["10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "10⁰"]);
        assert_eq!(t.positions(), [-8.0, -6.0, -4.0, -2.0, 0.0]);
        // less than two decades inside: 1-2-5
        let t = log10(2.4, 3.8, 6);
        assert_eq!(t.labels(), ["500", "1000", "2000", "5000"]);
        let t = log10(5.2, 5.9, 6);
        assert_eq!(
            t.labels(),
            ["2×10⁵", "3×10⁵", "4×10⁵", "5×10⁵", "6×10⁵", "7×10⁵"]
        );
        // very narrow: linear ticks of the values
        let t = log10(2.0, 2.01, 4);
        assert!(t.labels().len() >= 2, "{:?}", t.labels());
        assert!(
            t.labels().iter().all(|l| l.starts_with("10")),
            "{:?}",
            t.labels()
        );
    }

    #[test]
    fn labels_are_found_and_negated() {
        let t = linear(0.0, 10.0, 5).negated();
        assert!((t.positions()[1] + 2.0).abs() < 1e-12);
        assert_eq!(t.label(-2.0), "2");
        assert_eq!(superscript(-12), "⁻¹²");
        assert_eq!(signed("-0.00".into()), "0.00");
    }
}
