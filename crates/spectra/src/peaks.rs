//! Peak finding with `scipy.signal.find_peaks` semantics — local maxima
//! (flat tops included) filtered by plateau size, height, threshold, distance,
//! prominence and width — plus `peak_prominences` and `peak_widths`. The
//! found peaks, with their prominences and widths at `rel_height`, seed the
//! initial guesses of peak fits.
//!
//! All indices and widths are in samples, as in scipy;
//! [`Spectrum::find_peaks`](crate::spectrum::Spectrum::find_peaks) adds the
//! positions and widths in x units.
//!
//! Semantics (scipy 1.x, `scipy/signal/_peak_finding.py`):
//! - a peak is a sample larger than its left neighbour whose value, after any
//!   run of equal samples (a plateau), drops again; a plateau's peak is its
//!   middle sample (rounded down); the first and last samples are never peaks;
//! - filters run in the order plateau size, height, threshold, distance,
//!   prominence, width; each interval is closed, and a missing bound is open;
//! - `threshold` is the vertical distance to both neighbours (the smaller must
//!   reach the minimum, the larger must not exceed the maximum);
//! - `distance` (≥ 1 sample, rounded up) removes, from the highest peak down,
//!   every smaller peak closer than it (ties between exactly equal heights are
//!   resolved in index order here; scipy's unstable sort may pick the other);
//! - prominence: the height above the higher of the two lowest points reached
//!   going left and right until a higher sample (or the window `wlen`, in
//!   samples, centred on the peak) is met; those points are the bases;
//! - width: at `peak − rel_height · prominence`, between linearly
//!   interpolated crossings that stop at the bases (`rel_height = 0.5`:
//!   the FWHM above the local base).
//!
//! ```
//! use interphase_spectra::peaks::{find_peaks, Interval, PeakOptions};
//! let y: Vec<f64> = (0..200)
//!     .map(|i| {
//!         let x = i as f64;
//!         100.0 * (-((x - 60.0) / 5.0f64).powi(2)).exp() + 40.0 * (-((x - 140.0) / 8.0f64).powi(2)).exp()
//!     })
//!     .collect();
//! let peaks = find_peaks(&y, &PeakOptions { prominence: Interval::at_least(10.0), ..Default::default() })?;
//! assert_eq!(peaks.iter().map(|p| p.index).collect::<Vec<_>>(), vec![60, 140]);
//! // FWHM of exp(−(x/5)²) is 2·5·√ln2 = 8.33 samples
//! assert!((peaks[0].width - 8.33).abs() < 0.05);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::spectrum::first_non_finite;

/// A closed interval [min, max] with optional ends (scipy's `(min, max)`
/// condition arguments; a single number there is `Interval::at_least`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound (inclusive), if any.
    pub min: Option<f64>,
    /// Upper bound (inclusive), if any.
    pub max: Option<f64>,
}

impl Interval {
    /// No bound: the property is computed but nothing is filtered.
    pub const ANY: Interval = Interval {
        min: None,
        max: None,
    };
    /// [min, ∞).
    pub fn at_least(min: f64) -> Option<Self> {
        Some(Interval {
            min: Some(min),
            max: None,
        })
    }
    /// [min, max].
    pub fn between(min: f64, max: f64) -> Option<Self> {
        Some(Interval {
            min: Some(min),
            max: Some(max),
        })
    }
    fn contains(&self, v: f64) -> bool {
        self.min.is_none_or(|m| m <= v) && self.max.is_none_or(|m| v <= m)
    }
    fn check(&self, name: &str) -> Result<()> {
        for v in [self.min, self.max].into_iter().flatten() {
            if v.is_nan() {
                return Err(Error::Invalid(format!(
                    "peak condition `{name}` has a NaN bound"
                )));
            }
        }
        Ok(())
    }
}

/// The conditions of [`find_peaks`] (scipy's keyword arguments; `None`: not
/// filtered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeakOptions {
    /// Peak height interval.
    pub height: Option<Interval>,
    /// Vertical distance to the neighbouring samples.
    pub threshold: Option<Interval>,
    /// Minimal horizontal distance between peaks, samples (≥ 1).
    pub distance: Option<f64>,
    /// Prominence interval.
    pub prominence: Option<Interval>,
    /// Width interval, samples (measured at `rel_height`).
    pub width: Option<Interval>,
    /// Window length for the prominence search, samples (> 1; rounded up).
    pub wlen: Option<f64>,
    /// Relative height at which widths are measured (0.5: half prominence).
    pub rel_height: f64,
    /// Plateau size interval, samples.
    pub plateau_size: Option<(usize, usize)>,
}

impl Default for PeakOptions {
    fn default() -> Self {
        Self {
            height: None,
            threshold: None,
            distance: None,
            prominence: None,
            width: None,
            wlen: None,
            rel_height: 0.5,
            plateau_size: None,
        }
    }
}

/// One peak and its properties (scipy's `properties` dictionary, always
/// filled).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// Sample index of the maximum (middle of a plateau).
    pub index: usize,
    /// y at the peak.
    pub height: f64,
    /// `y[index] − y[index − 1]`.
    pub left_threshold: f64,
    /// `y[index] − y[index + 1]`.
    pub right_threshold: f64,
    /// First and last sample of the flat top.
    pub plateau: (usize, usize),
    /// Prominence.
    pub prominence: f64,
    /// Left base index.
    pub left_base: usize,
    /// Right base index.
    pub right_base: usize,
    /// Width at `rel_height`, samples.
    pub width: f64,
    /// The y level at which the width is measured.
    pub width_height: f64,
    /// Interpolated left crossing, fractional sample index.
    pub left_ip: f64,
    /// Interpolated right crossing, fractional sample index.
    pub right_ip: f64,
    /// Peak position in x units (filled by `Spectrum::find_peaks`).
    pub x: Option<f64>,
    /// Width at `rel_height` in x units (filled by `Spectrum::find_peaks`).
    pub width_x: Option<f64>,
}

fn feq(a: f64, b: f64) -> bool {
    a.partial_cmp(&b) == Some(Ordering::Equal)
}

/// scipy's `_local_maxima_1d`: (midpoint, left edge, right edge) per maximum.
fn local_maxima(y: &[f64]) -> Vec<(usize, usize, usize)> {
    let n = y.len();
    let mut out = Vec::new();
    if n < 3 {
        return out;
    }
    let i_max = n - 1;
    let mut i = 1;
    while i < i_max {
        if y[i - 1] < y[i] {
            let mut ahead = i + 1;
            while ahead < i_max && feq(y[ahead], y[i]) {
                ahead += 1;
            }
            if y[ahead] < y[i] {
                let (l, r) = (i, ahead - 1);
                out.push(((l + r) / 2, l, r));
                i = ahead;
            }
        }
        i += 1;
    }
    out
}

fn check_y(y: &[f64]) -> Result<()> {
    if let Some((index, value)) = first_non_finite(y) {
        return Err(Error::NonFinite {
            what: "y",
            index,
            value,
        });
    }
    Ok(())
}

fn wlen_samples(wlen: Option<f64>) -> Result<Option<usize>> {
    match wlen {
        None => Ok(None),
        Some(w) if w.is_finite() && w > 1.0 => {
            Ok(Some(w.ceil().min(usize::MAX as f64 / 2.0) as usize))
        }
        Some(w) => Err(Error::Invalid(format!(
            "`wlen` must be larger than 1, got {w}"
        ))),
    }
}

/// Prominence, left base and right base of one peak.
fn prominence_of(y: &[f64], peak: usize, wlen: Option<usize>) -> (f64, usize, usize) {
    let (mut i_min, mut i_max) = (0usize, y.len() - 1);
    if let Some(w) = wlen.filter(|&w| w >= 2) {
        i_min = i_min.max(peak.saturating_sub(w / 2));
        i_max = i_max.min(peak.saturating_add(w / 2));
    }
    let top = y[peak];
    let (mut left_base, mut left_min) = (peak, top);
    let mut i = peak as isize;
    while i >= i_min as isize && y[i as usize] <= top {
        if y[i as usize] < left_min {
            left_min = y[i as usize];
            left_base = i as usize;
        }
        i -= 1;
    }
    let (mut right_base, mut right_min) = (peak, top);
    let mut i = peak;
    while i <= i_max && y[i] <= top {
        if y[i] < right_min {
            right_min = y[i];
            right_base = i;
        }
        i += 1;
    }
    (top - left_min.max(right_min), left_base, right_base)
}

/// (width, width height, left ip, right ip) of one peak.
fn width_of(
    y: &[f64],
    peak: usize,
    rel_height: f64,
    prom: f64,
    lb: usize,
    rb: usize,
) -> (f64, f64, f64, f64) {
    let height = y[peak] - prom * rel_height;
    let mut i = peak;
    while lb < i && height < y[i] {
        i -= 1;
    }
    let mut left = i as f64;
    if y[i] < height {
        left += (height - y[i]) / (y[i + 1] - y[i]);
    }
    let mut i = peak;
    while i < rb && height < y[i] {
        i += 1;
    }
    let mut right = i as f64;
    if y[i] < height {
        right -= (height - y[i]) / (y[i - 1] - y[i]);
    }
    (right - left, height, left, right)
}

fn check_peaks(y: &[f64], peaks: &[usize]) -> Result<()> {
    if let Some((k, &p)) = peaks.iter().enumerate().find(|&(_, &p)| p >= y.len()) {
        return Err(Error::Invalid(format!(
            "peak {k} has index {p}, outside the data (length {})",
            y.len()
        )));
    }
    Ok(())
}

/// `scipy.signal.peak_prominences`: (prominence, left base, right base) for
/// each given peak index.
pub fn peak_prominences(
    y: &[f64],
    peaks: &[usize],
    wlen: Option<f64>,
) -> Result<Vec<(f64, usize, usize)>> {
    check_y(y)?;
    check_peaks(y, peaks)?;
    let w = wlen_samples(wlen)?;
    Ok(peaks.iter().map(|&p| prominence_of(y, p, w)).collect())
}

/// `scipy.signal.peak_widths`: (width, width height, left ip, right ip) for
/// each peak at `rel_height` (≥ 0) of its prominence.
pub fn peak_widths(
    y: &[f64],
    peaks: &[usize],
    rel_height: f64,
    wlen: Option<f64>,
) -> Result<Vec<(f64, f64, f64, f64)>> {
    if !(rel_height.is_finite() && rel_height >= 0.0) {
        return Err(Error::Invalid(format!(
            "`rel_height` must be ≥ 0, got {rel_height}"
        )));
    }
    Ok(peak_prominences(y, peaks, wlen)?
        .into_iter()
        .zip(peaks)
        .map(|((prom, lb, rb), &p)| width_of(y, p, rel_height, prom, lb, rb))
        .collect())
}

/// Finds peaks with `scipy.signal.find_peaks` semantics (module docs). Every
/// returned peak carries all properties (prominence and width included,
/// whether or not they were filtered on). Errors: NaN/∞ in y, `distance < 1`,
/// `wlen ≤ 1`, negative `rel_height`, NaN bounds.
pub fn find_peaks(y: &[f64], o: &PeakOptions) -> Result<Vec<Peak>> {
    check_y(y)?;
    for (name, iv) in [
        ("height", o.height),
        ("threshold", o.threshold),
        ("prominence", o.prominence),
        ("width", o.width),
    ] {
        if let Some(iv) = iv {
            iv.check(name)?;
        }
    }
    if !(o.rel_height.is_finite() && o.rel_height >= 0.0) {
        return Err(Error::Invalid(format!(
            "`rel_height` must be ≥ 0, got {}",
            o.rel_height
        )));
    }
    let wlen = wlen_samples(o.wlen)?;
    let mut cand = local_maxima(y);
    if let Some((lo, hi)) = o.plateau_size {
        cand.retain(|&(_, l, r)| (lo..=hi).contains(&(r - l + 1)));
    }
    if let Some(h) = o.height {
        cand.retain(|&(p, _, _)| h.contains(y[p]));
    }
    if let Some(t) = o.threshold {
        cand.retain(|&(p, _, _)| {
            let (a, b) = (y[p] - y[p - 1], y[p] - y[p + 1]);
            t.min.is_none_or(|m| m <= a.min(b)) && t.max.is_none_or(|m| a.max(b) <= m)
        });
    }
    if let Some(d) = o.distance {
        if d.is_nan() || d < 1.0 {
            return Err(Error::Invalid(format!("`distance` must be ≥ 1, got {d}")));
        }
        let d = d.ceil();
        let n = cand.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| y[cand[a].0].total_cmp(&y[cand[b].0]));
        let mut keep = vec![true; n];
        for &j in order.iter().rev() {
            if !keep[j] {
                continue;
            }
            let pj = cand[j].0;
            let mut k = j;
            while k > 0 && ((pj - cand[k - 1].0) as f64) < d {
                keep[k - 1] = false;
                k -= 1;
            }
            let mut k = j + 1;
            while k < n && ((cand[k].0 - pj) as f64) < d {
                keep[k] = false;
                k += 1;
            }
        }
        let mut it = keep.iter();
        cand.retain(|_| *it.next().unwrap_or(&false));
    }
    // prominences first; widths only for the peaks that survive that filter
    let mut peaks: Vec<Peak> = cand
        .into_iter()
        .map(|(p, l, r)| {
            let (prominence, left_base, right_base) = prominence_of(y, p, wlen);
            Peak {
                index: p,
                height: y[p],
                left_threshold: y[p] - y[p - 1],
                right_threshold: y[p] - y[p + 1],
                plateau: (l, r),
                prominence,
                left_base,
                right_base,
                width: 0.0,
                width_height: 0.0,
                left_ip: 0.0,
                right_ip: 0.0,
                x: None,
                width_x: None,
            }
        })
        .collect();
    if let Some(pr) = o.prominence {
        peaks.retain(|p| pr.contains(p.prominence));
    }
    for p in &mut peaks {
        (p.width, p.width_height, p.left_ip, p.right_ip) = width_of(
            y,
            p.index,
            o.rel_height,
            p.prominence,
            p.left_base,
            p.right_base,
        );
    }
    if let Some(w) = o.width {
        peaks.retain(|p| w.contains(p.width));
    }
    Ok(peaks)
}

/// x at a fractional sample index (linear between samples).
pub(crate) fn x_at(x: &[f64], ip: f64) -> f64 {
    let n = x.len();
    let j = (ip.floor().max(0.0) as usize).min(n - 2);
    x[j] + (ip - j as f64) * (x[j + 1] - x[j])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plateaus_and_edges() {
        // edges are never peaks; a plateau's peak is its (rounded-down) middle
        let y = [5.0, 1.0, 3.0, 3.0, 3.0, 3.0, 1.0, 2.0, 2.0, 0.0, 4.0];
        let p = find_peaks(&y, &PeakOptions::default()).unwrap();
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), vec![3, 7]);
        assert_eq!(p[0].plateau, (2, 5));
        let q = find_peaks(
            &y,
            &PeakOptions {
                plateau_size: Some((1, 2)),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(q.len(), 1);
        assert!(
            find_peaks(&[1.0, 2.0], &PeakOptions::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn distance_keeps_the_highest() {
        let y = [0.0, 3.0, 0.0, 5.0, 0.0, 4.0, 0.0, 1.0, 0.0];
        let o = PeakOptions {
            distance: Some(2.5),
            ..Default::default()
        };
        let p = find_peaks(&y, &o).unwrap();
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), vec![3, 7]);
        assert!(
            find_peaks(
                &y,
                &PeakOptions {
                    distance: Some(0.5),
                    ..Default::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(find_peaks(&[0.0, f64::NAN, 0.0], &PeakOptions::default()).is_err());
        assert!(peak_prominences(&[0.0, 1.0, 0.0], &[5], None).is_err());
        assert!(peak_widths(&[0.0, 1.0, 0.0], &[1], -1.0, None).is_err());
        assert!(
            find_peaks(
                &[0.0, 1.0, 0.0],
                &PeakOptions {
                    wlen: Some(1.0),
                    ..Default::default()
                }
            )
            .is_err()
        );
    }
}
