//! Multiple linear least squares (MLLS) of reference spectra: y(E) ≈ Σₖ cₖ
//! Rₖ(E) + a polynomial background, with cₖ ≥ 0 (non-negative least squares,
//! [`interphase_fit::nnls`]), the usual way to map Ti³⁺/Ti⁴⁺ from Ti L₂,₃
//! edges (Egerton 2011 §4.5.2; references such as Ti₂O₃ and TiO₂ recorded on
//! the same instrument). The fraction of reference k is fₖ = cₖ / Σⱼ cⱼ: the
//! fraction of Ti in each state when the references are normalised to the
//! same number of Ti atoms (equal edge area after background subtraction; see
//! [`normalise_area`]).
//!
//! Uncertainties: the covariance of the free coefficients is (AᵀWA)⁻¹ on the
//! passive set, scaled by the reduced χ² for [`MllsWeights::Uniform`] (as
//! lmfit's default) and absolute for [`MllsWeights::Poisson`] (counts, wᵢ =
//! 1/max(yᵢ, 1)). Fractions get σ² = gᵀCg with the gradient of cₖ/Σc over all
//! references. A coefficient held at zero by its bound has no standard error
//! (reported as `None`, with `at_bound` true), and so has every fraction
//! when fewer than two references are free.
//!
//! ```
//! use interphase_spectra::eels::{mlls, MllsOptions};
//! let e: Vec<f64> = (0..200).map(|i| 450.0 + 0.1 * i as f64).collect();
//! let g = |c: f64| e.iter().map(|&x| (-0.5 * ((x - c) / 0.6f64).powi(2)).exp()).collect::<Vec<f64>>();
//! let (ti3, ti4) = (g(457.0), g(458.5));
//! let y: Vec<f64> = ti3.iter().zip(&ti4).map(|(a, b)| 30.0 * a + 70.0 * b + 5.0).collect();
//! // a constant background term beside the two references
//! let opts = MllsOptions { background_terms: 1, ..Default::default() };
//! let fit = mlls(&e, &y, &[("Ti3+", &ti3), ("Ti4+", &ti4)], &opts)?;
//! assert!((fit.fractions[0].value - 0.3).abs() < 1e-10);
//! assert!((fit.background[0].value - 5.0).abs() < 1e-9);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use interphase_fit::dot;
use interphase_fit::nnls::nnls_normal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;

use super::image::{Map, RowMaps, SpectrumImage};
use super::lowloss::check_axis;

/// How the points are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum MllsWeights {
    /// Equal weights; covariance scaled by the reduced χ².
    #[default]
    Uniform,
    /// Electron counts: wᵢ = 1/max(yᵢ, 1), absolute covariance.
    Poisson,
}

/// Options of [`mlls`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MllsOptions {
    /// Energy window (eV, inclusive) fitted; `None`: the whole axis.
    pub window_ev: Option<(f64, f64)>,
    /// Number of free background terms: 0 none, 1 a constant, 2 linear, … a
    /// polynomial in u = (E − E_mid)/(E_half-range), u ∈ [−1, 1].
    pub background_terms: usize,
    /// Weighting.
    pub weights: MllsWeights,
}

/// One MLLS fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MllsFit {
    /// Reference names, in order.
    pub names: Vec<String>,
    /// Coefficient of each reference (≥ 0).
    pub coefficients: Vec<Estimate>,
    /// Fraction of each reference, cₖ/Σc.
    pub fractions: Vec<Estimate>,
    /// Background polynomial coefficients (in u, see [`MllsOptions`]).
    pub background: Vec<Estimate>,
    /// `true` where a reference's coefficient is held at 0 by its bound.
    pub at_bound: Vec<bool>,
    /// Σ wᵢ rᵢ².
    pub chisqr: f64,
    /// χ² / (points − free coefficients).
    pub redchi: f64,
    /// Points fitted.
    pub points: usize,
}

/// The reference `y` scaled to unit area (trapezoidal, eV) over `window_ev`
/// on its axis `energy`: the normalisation that makes MLLS coefficients
/// proportional to atoms. Errors when the area is not positive.
pub fn normalise_area(energy: &[f64], y: &[f64], window_ev: (f64, f64)) -> Result<Vec<f64>> {
    check_axis("reference normalisation", energy, y)?;
    let (lo, hi) = (window_ev.0.min(window_ev.1), window_ev.0.max(window_ev.1));
    let mut area = 0.0;
    for i in 1..energy.len() {
        if energy[i - 1] >= lo && energy[i] <= hi {
            area += 0.5 * (y[i] + y[i - 1]) * (energy[i] - energy[i - 1]);
        }
    }
    if area.is_nan() || area <= 0.0 {
        return Err(Error::Invalid(format!(
            "reference normalisation: the area over {lo}–{hi} eV is {area}; it must be > 0"
        )));
    }
    Ok(y.iter().map(|v| v / area).collect())
}

/// `y` on axis `x` linearly interpolated at the energies `at`; errors where
/// `at` leaves the range of `x` (references must cover the spectrum's window).
pub fn interpolate(x: &[f64], y: &[f64], at: &[f64]) -> Result<Vec<f64>> {
    check_axis("interpolation", x, y)?;
    let (lo, hi) = (x[0], x[x.len() - 1]);
    let mut out = Vec::with_capacity(at.len());
    let mut j = 0;
    for (i, &e) in at.iter().enumerate() {
        if !(e >= lo - 1e-9 * (hi - lo) && e <= hi + 1e-9 * (hi - lo)) {
            return Err(Error::Invalid(format!(
                "interpolation: energy {e} eV (point {i}) is outside the reference's {lo}–{hi} eV"
            )));
        }
        let e = e.clamp(lo, hi);
        while j + 2 < x.len() && x[j + 1] < e {
            j += 1;
        }
        while j > 0 && x[j] > e {
            j -= 1;
        }
        let t = (e - x[j]) / (x[j + 1] - x[j]);
        out.push(y[j] + t * (y[j + 1] - y[j]));
    }
    Ok(out)
}

/// Fits `y` (on `energy`) by non-negative multiples of the `references`
/// (name, values on the same axis) plus a free polynomial background. Errors
/// on mismatched lengths, non-finite values, no reference, fewer points in
/// the window than coefficients + 1, and when every reference coefficient is
/// zero (no reference signal: fractions undefined). For many spectra on one
/// axis, build the [`MllsDesign`] once.
pub fn mlls(
    energy: &[f64],
    y: &[f64],
    references: &[(&str, &[f64])],
    options: &MllsOptions,
) -> Result<MllsFit> {
    check_axis("MLLS", energy, y)?;
    MllsDesign::new(energy, references, options)?.fit(y)
}

/// The design of an MLLS fit on one energy axis: the window, the reference
/// and background columns over it, and (for uniform weights) their Gram
/// matrix, computed once and reused for every spectrum.
#[derive(Debug, Clone, PartialEq)]
pub struct MllsDesign {
    names: Vec<String>,
    /// Channels fitted: `start..end` of the axis.
    start: usize,
    end: usize,
    /// Columns over the window: references, then background terms.
    columns: Vec<Vec<f64>>,
    nref: usize,
    weights: MllsWeights,
    /// ΣcᵢCⱼ for uniform weights.
    gram: Option<Vec<f64>>,
    /// Its inverse, when every column is independent (uniform weights): the
    /// solution and covariance of a pixel whose unconstrained coefficients
    /// are all positive, with no active-set iteration.
    gram_inverse: Option<Vec<f64>>,
    channels: usize,
}

impl MllsDesign {
    /// Checks the references against the axis and builds the columns.
    pub fn new(
        energy: &[f64],
        references: &[(&str, &[f64])],
        options: &MllsOptions,
    ) -> Result<Self> {
        if references.is_empty() {
            return Err(Error::Invalid("MLLS: no reference spectra".into()));
        }
        for (name, r) in references {
            if r.len() != energy.len() {
                return Err(Error::Invalid(format!(
                    "MLLS: reference {name:?} has {} channels, the spectrum {}",
                    r.len(),
                    energy.len()
                )));
            }
        }
        let (lo, hi) = match options.window_ev {
            Some((a, b)) if a.is_finite() && b.is_finite() => (a.min(b), a.max(b)),
            Some((a, b)) => {
                return Err(Error::Invalid(format!(
                    "MLLS: window ({a}, {b}) must be finite"
                )));
            }
            None => (f64::NEG_INFINITY, f64::INFINITY),
        };
        // the axis increases: the window is one run of channels
        let start = energy.iter().position(|&e| e >= lo).unwrap_or(energy.len());
        let end = energy
            .iter()
            .rposition(|&e| e <= hi)
            .map_or(start, |i| (i + 1).max(start));
        let m = end - start;
        let nref = references.len();
        let nbg = options.background_terms;
        let ncoef = nref + nbg;
        if m < ncoef + 1 {
            return Err(Error::Invalid(format!(
                "MLLS: {m} points in the window {lo}–{hi} eV for {ncoef} coefficients; at least {} are needed",
                ncoef + 1
            )));
        }
        let mut columns: Vec<Vec<f64>> = Vec::with_capacity(ncoef);
        for (name, r) in references {
            let c = r[start..end].to_vec();
            if let Some(i) = c.iter().position(|v| !v.is_finite()) {
                return Err(Error::Invalid(format!(
                    "MLLS: reference {name:?} channel {} is {}",
                    start + i,
                    c[i]
                )));
            }
            columns.push(c);
        }
        let (e0, e1) = (energy[start], energy[end - 1]);
        let (mid, half) = (0.5 * (e0 + e1), (0.5 * (e1 - e0)).max(f64::MIN_POSITIVE));
        for k in 0..nbg {
            columns.push(
                energy[start..end]
                    .iter()
                    .map(|&e| ((e - mid) / half).powi(k as i32))
                    .collect(),
            );
        }
        let mut d = MllsDesign {
            names: references.iter().map(|(n, _)| n.to_string()).collect(),
            start,
            end,
            columns,
            nref,
            weights: options.weights,
            gram: None,
            gram_inverse: None,
            channels: energy.len(),
        };
        if d.weights == MllsWeights::Uniform {
            let g = d.gram_with(None);
            let n = d.columns.len();
            // all terms free: the covariance nnls_normal returns is G⁻¹
            if let Ok(all) = nnls_normal(&g, &vec![0.0; n], &vec![false; n])
                && all.rank == n
            {
                d.gram_inverse = Some(all.covariance);
            }
            d.gram = Some(g);
        }
        Ok(d)
    }

    fn gram_with(&self, w: Option<&[f64]>) -> Vec<f64> {
        let weighted: Vec<Vec<f64>> = match w {
            None => Vec::new(),
            Some(w) => self
                .columns
                .iter()
                .map(|c| c.iter().zip(w).map(|(a, b)| a * b).collect())
                .collect(),
        };
        let n = self.columns.len();
        let mut g = vec![0.0; n * n];
        for a in 0..n {
            for b in a..n {
                let ca = if w.is_some() {
                    &weighted[a]
                } else {
                    &self.columns[a]
                };
                let v = dot(ca, &self.columns[b]);
                g[a * n + b] = v;
                g[b * n + a] = v;
            }
        }
        g
    }

    /// Fits one spectrum on the design's axis (see [`mlls`]).
    pub fn fit(&self, y: &[f64]) -> Result<MllsFit> {
        self.fit_with(y, |s| MllsFit {
            names: self.names.clone(),
            coefficients: (0..s.nref).map(|j| s.estimate(j)).collect(),
            fractions: (0..s.nref).map(|k| s.fraction(k)).collect(),
            background: (s.nref..s.x.len()).map(|j| s.estimate(j)).collect(),
            at_bound: (0..s.nref).map(|k| !s.is_free(k)).collect(),
            chisqr: s.chisqr,
            redchi: s.redchi,
            points: s.points,
        })
    }

    /// [`fit`](Self::fit) without building an [`MllsFit`]: solves one spectrum
    /// and hands the solution to `finish`, which reads what it needs. With
    /// uniform weights, a feasible unconstrained solution and at most eight
    /// coefficients nothing is allocated (maps call this once per pixel).
    ///
    /// ```
    /// use interphase_spectra::eels::{MllsDesign, MllsOptions};
    /// let e: Vec<f64> = (0..40).map(f64::from).collect();
    /// let a: Vec<f64> = e.iter().map(|x| (-(x - 15.0) * (x - 15.0) / 20.0).exp()).collect();
    /// let b: Vec<f64> = e.iter().map(|x| (-(x - 24.0) * (x - 24.0) / 30.0).exp()).collect();
    /// let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 3.0 * a + 1.0 * b).collect();
    /// let d = MllsDesign::new(&e, &[("a", &a), ("b", &b)], &MllsOptions::default())?;
    /// let f = d.fit_with(&y, |s| s.fraction(0).value)?;
    /// assert!((f - 0.75).abs() < 1e-12);
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn fit_with<R>(&self, y: &[f64], finish: impl FnOnce(&MllsSolution) -> R) -> Result<R> {
        if y.len() != self.channels {
            return Err(Error::Invalid(format!(
                "MLLS: a spectrum of {} channels for references of {}",
                y.len(),
                self.channels
            )));
        }
        let yy = &y[self.start..self.end];
        let non_finite = |yy: &[f64]| match yy.iter().position(|v| !v.is_finite()) {
            Some(i) => Error::Invalid(format!("MLLS: channel {} is {}", self.start + i, yy[i])),
            None => Error::Invalid(
                "MLLS: the intensities are too large (their products with the references overflow)"
                    .into(),
            ),
        };
        let n = self.columns.len();
        let nref = self.nref;
        let w: Option<Vec<f64>> = match self.weights {
            MllsWeights::Uniform => None,
            MllsWeights::Poisson => {
                if yy.iter().any(|v| !v.is_finite()) {
                    return Err(non_finite(yy));
                }
                Some(yy.iter().map(|&v| 1.0 / v.max(1.0)).collect())
            }
        };
        let gram = match (&self.gram, &w) {
            (Some(g), None) => std::borrow::Cow::Borrowed(g),
            (_, w) => std::borrow::Cow::Owned(self.gram_with(w.as_deref())),
        };
        // w·y once, then plain dot products
        let wy: std::borrow::Cow<[f64]> = match &w {
            None => std::borrow::Cow::Borrowed(yy),
            Some(w) => std::borrow::Cow::Owned(yy.iter().zip(w).map(|(a, b)| a * b).collect()),
        };
        // h and x on the stack for small designs
        let (mut hbuf, mut xbuf) = ([0.0; STACK_COEFFICIENTS], [0.0; STACK_COEFFICIENTS]);
        let (mut hheap, mut xheap) = (Vec::new(), Vec::new());
        let (h, xd): (&mut [f64], &mut [f64]) = if n <= STACK_COEFFICIENTS {
            (&mut hbuf[..n], &mut xbuf[..n])
        } else {
            hheap.resize(n, 0.0);
            xheap.resize(n, 0.0);
            (&mut hheap[..], &mut xheap[..])
        };
        // uniform weights, few columns: h and yᵀy in one vectorised pass
        let yty = if w.is_none() && n <= STACK_COEFFICIENTS {
            Some(crate::baseline::wide(
                #[inline(always)]
                || fused_dots(&self.columns, yy, h),
            ))
        } else {
            for (hj, c) in h.iter_mut().zip(&self.columns) {
                *hj = dot(c, &wy);
            }
            None
        };
        // a NaN or ±inf intensity makes every h non-finite (c·inf is ±inf or
        // NaN, NaN propagates): the channel is looked for only then
        if h.iter().any(|v| !v.is_finite()) {
            return Err(non_finite(yy));
        }
        // the unconstrained minimiser, when feasible, is the NNLS solution
        // (its covariance is the precomputed G⁻¹: borrowed, not copied)
        let direct = match (&self.gram_inverse, &w) {
            (Some(inv), None) => {
                for (j, xj) in xd.iter_mut().enumerate() {
                    *xj = dot(&inv[j * n..(j + 1) * n], h);
                }
                xd[..nref].iter().all(|&v| v > 0.0).then_some(inv)
            }
            _ => None,
        };
        let nnls_sol;
        let (x, passive, covariance): (&[f64], Option<&[bool]>, &[f64]) = match direct {
            Some(inv) => (xd, None, inv),
            None => {
                let flags: Vec<bool> = (0..n).map(|k| k < nref).collect();
                nnls_sol = nnls_normal(&gram, h, &flags)
                    .map_err(|e| Error::Invalid(format!("MLLS: {e}")))?;
                (&nnls_sol.x, Some(&nnls_sol.passive), &nnls_sol.covariance)
            }
        };
        // χ² = yᵀy − 2xᵀh + xᵀGx from the sums at hand (uniform weights), kept
        // where the cancellation costs at most 1e-10 of it (χ² ≥ 1e-6·yᵀy);
        // otherwise from the residuals themselves, 64 channels at a time
        let normal = match (yty, &self.gram) {
            (Some(yty), Some(g)) => {
                let xh: f64 = x.iter().zip(h.iter()).map(|(a, b)| a * b).sum();
                let mut xgx = 0.0;
                for (a, &xa) in x.iter().enumerate() {
                    xgx += xa * dot(&g[a * n..(a + 1) * n], x);
                }
                let c = yty - 2.0 * xh + xgx;
                (c >= 1e-6 * yty).then_some(c)
            }
            _ => None,
        };
        let mut chisqr = normal.unwrap_or(0.0);
        let mut buf = [0.0f64; 64];
        let residual_starts = if normal.is_some() { 0 } else { yy.len() };
        for start in (0..residual_starts).step_by(64) {
            let end = (start + 64).min(yy.len());
            let r = &mut buf[..end - start];
            r.copy_from_slice(&yy[start..end]);
            for (c, &xk) in self.columns.iter().zip(x) {
                if xk != 0.0 {
                    for (ri, ci) in r.iter_mut().zip(&c[start..end]) {
                        *ri -= xk * ci;
                    }
                }
            }
            chisqr += match &w {
                None => dot(r, r),
                Some(w) => r
                    .iter()
                    .zip(&w[start..end])
                    .map(|(a, b)| a * a * b)
                    .sum::<f64>(),
            };
        }
        let free = passive.map_or(n, |p| p.iter().filter(|&&f| f).count());
        let dof = yy.len().saturating_sub(free).max(1);
        let redchi = chisqr / dof as f64;
        let solved = MllsSolution {
            x,
            passive,
            covariance,
            nref,
            chisqr,
            redchi,
            scale: match self.weights {
                MllsWeights::Uniform => redchi,
                MllsWeights::Poisson => 1.0,
            },
            points: yy.len(),
        };
        let sum: f64 = x[..nref].iter().sum();
        if sum.is_nan() || sum <= 0.0 {
            return Err(Error::Invalid(
                "MLLS: every reference coefficient is zero; the spectrum holds none of the references".into(),
            ));
        }
        Ok(finish(&solved))
    }
}

/// `h[j] = Σᵢ columns[j][i]·y[i]` for every column and the return value
/// `Σᵢ y[i]²`, in one pass over the channels with four partial sums each
/// (at most [`STACK_COEFFICIENTS`] columns).
#[inline(always)]
fn fused_dots(columns: &[Vec<f64>], y: &[f64], h: &mut [f64]) -> f64 {
    let n = columns.len().min(STACK_COEFFICIENTS);
    let mut acc = [[0.0f64; 4]; STACK_COEFFICIENTS];
    let mut yy = [0.0f64; 4];
    let full = y.len() / 4 * 4;
    let mut i = 0;
    while i < full {
        let y4 = [y[i], y[i + 1], y[i + 2], y[i + 3]];
        for l in 0..4 {
            yy[l] += y4[l] * y4[l];
        }
        for (a, c) in acc[..n].iter_mut().zip(columns) {
            let c4 = &c[i..i + 4];
            for l in 0..4 {
                a[l] += c4[l] * y4[l];
            }
        }
        i += 4;
    }
    let mut s = (yy[0] + yy[1]) + (yy[2] + yy[3]);
    for (hj, a) in h.iter_mut().zip(&acc[..n]) {
        *hj = (a[0] + a[1]) + (a[2] + a[3]);
    }
    for k in full..y.len() {
        s += y[k] * y[k];
        for (hj, c) in h.iter_mut().zip(columns) {
            *hj += c[k] * y[k];
        }
    }
    s
}

/// Coefficients an MLLS solution keeps on the stack (more go to the heap).
const STACK_COEFFICIENTS: usize = 8;

/// One spectrum's MLLS solution, as [`MllsDesign::fit_with`] hands it over
/// (what [`MllsFit`] holds, read on demand).
#[derive(Debug)]
pub struct MllsSolution<'a> {
    x: &'a [f64],
    /// Free (passive) coefficients of the NNLS solution; `None`: all free.
    passive: Option<&'a [bool]>,
    covariance: &'a [f64],
    nref: usize,
    chisqr: f64,
    redchi: f64,
    /// Covariance scale: χ²_red for uniform weights, 1 for Poisson.
    scale: f64,
    points: usize,
}

impl MllsSolution<'_> {
    /// Whether coefficient j (references first, then background terms) is
    /// free, not held at its bound.
    pub fn is_free(&self, j: usize) -> bool {
        self.passive.is_none_or(|p| p[j])
    }

    fn cov(&self, a: usize, b: usize) -> f64 {
        self.covariance[a * self.x.len() + b] * self.scale
    }

    /// Number of references (the first coefficients).
    pub fn references(&self) -> usize {
        self.nref
    }

    /// Number of coefficients: references, then background terms.
    pub fn coefficients(&self) -> usize {
        self.x.len()
    }

    /// Σ wᵢ rᵢ².
    pub fn chisqr(&self) -> f64 {
        self.chisqr
    }

    /// χ² / (points − free coefficients).
    pub fn redchi(&self) -> f64 {
        self.redchi
    }

    /// Points fitted.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Coefficient j (references first, then background terms) with its
    /// standard error (none when held at its bound).
    pub fn estimate(&self, j: usize) -> Estimate {
        Estimate {
            value: self.x[j],
            stderr: self.is_free(j).then(|| self.cov(j, j).max(0.0).sqrt()),
        }
    }

    /// Fraction cₖ/Σc of reference k, σ by ∂fₖ/∂cⱼ = (δₖⱼ Σc − cₖ)/(Σc)² over
    /// the free references (none when fewer than two are free).
    pub fn fraction(&self, k: usize) -> Estimate {
        let (x, nref) = (self.x, self.nref);
        let sum: f64 = x[..nref].iter().sum();
        let value = x[k] / sum;
        let g = |j: usize| ((if j == k { sum } else { 0.0 }) - x[k]) / (sum * sum);
        let n_free_refs = (0..nref).filter(|&j| self.is_free(j)).count();
        let stderr = (self.is_free(k) && n_free_refs >= 2).then(|| {
            let mut v = 0.0;
            for a in (0..nref).filter(|&a| self.is_free(a)) {
                for b in (0..nref).filter(|&b| self.is_free(b)) {
                    v += g(a) * g(b) * self.cov(a, b);
                }
            }
            v.max(0.0).sqrt()
        });
        Estimate { value, stderr }
    }
}

/// Per-pixel MLLS maps of an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MllsMaps {
    /// Reference names.
    pub names: Vec<String>,
    /// Fraction map of each reference.
    pub fractions: Vec<Map>,
    /// Coefficient map of each reference.
    pub coefficients: Vec<Map>,
    /// Reduced χ² map (no standard error).
    pub redchi: Map,
}

impl SpectrumImage {
    /// [`mlls`] on every pixel in parallel; references on the image's axis.
    /// Failed pixels are NaN in every map and listed in each map's failures.
    pub fn mlls(&self, references: &[(&str, &[f64])], options: &MllsOptions) -> MllsMaps {
        let nref = references.len();
        // per pixel, written in place (no allocation per pixel): each
        // reference's coefficient, then each fraction, then χ²_red
        let width = 2 * nref + 1;
        let (rows, errors) = match MllsDesign::new(self.energy(), references, options) {
            Ok(d) => self.rows_into(width, |_, y, row| {
                d.fit_with(y, |s| {
                    for k in 0..nref {
                        row[k] = s.estimate(k);
                        row[nref + k] = s.fraction(k);
                    }
                    row[2 * nref] = Estimate {
                        value: s.redchi,
                        stderr: None,
                    };
                })
            }),
            Err(e) => (Vec::new(), vec![Some(e); self.pixels()]),
        };
        let maps = RowMaps::new(self.shape(), &rows, width, &errors);
        MllsMaps {
            names: references.iter().map(|(n, _)| n.to_string()).collect(),
            fractions: (0..nref).map(|k| maps.map(nref + k)).collect(),
            coefficients: (0..nref).map(|k| maps.map(k)).collect(),
            redchi: maps.map(2 * nref),
        }
    }
}
