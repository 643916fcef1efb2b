//! The [`Spectrum`] type: an x axis, intensities, optional per-point
//! uncertainties and metadata, validated on construction, with the processing
//! steps of an XPS/EELS/EDS/XRD workflow (crop, resample, smooth, differentiate,
//! normalise, shift, binding ↔ kinetic energy, sum of scans, noise estimate).
//!
//! Every operation returns a new spectrum; the input is never modified and the
//! direction of the x axis is kept (a binding-energy axis that decreases stays
//! decreasing).
//!
//! ```
//! use interphase_spectra::spectrum::{Spectrum, Metadata, Technique, XQuantity, Normalisation};
//! // a C 1s region on a binding-energy axis, 0.1 eV steps, counts
//! let x: Vec<f64> = (0..101).map(|i| 294.0 - 0.1 * i as f64).collect();
//! let y: Vec<f64> = x.iter().map(|&e| 100.0 + 900.0 * (-((e - 285.1) / 0.6f64).powi(2)).exp()).collect();
//! let meta = Metadata { technique: Technique::Xps, x_quantity: XQuantity::BindingEnergy,
//!                       counts: true, ..Metadata::default() };
//! let c1s = Spectrum::new(x, y)?.with_meta(meta);
//! // charge correction: adventitious carbon to 284.8 eV
//! let shift = interphase_spectra::spectrum::charge_shift(285.1, 284.8);
//! let corrected = c1s.shifted(shift)?.savgol(7, 2, 0)?.normalise(Normalisation::Max)?;
//! assert_eq!(corrected.len(), 101);
//! assert!(corrected.uncertainties().is_some()); // Poisson σ propagated through the filters
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Al Kα photon energy, eV (the value CasaXPS and most vendors use).
pub const AL_K_ALPHA: f64 = 1486.6;
/// Mg Kα photon energy, eV.
pub const MG_K_ALPHA: f64 = 1253.6;

/// The measurement technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Technique {
    /// X-ray photoelectron spectroscopy.
    Xps,
    /// Ultraviolet photoelectron spectroscopy.
    Ups,
    /// Auger electron spectroscopy.
    Aes,
    /// Electron energy-loss spectroscopy.
    Eels,
    /// Energy-dispersive X-ray spectroscopy.
    Eds,
    /// X-ray diffraction.
    Xrd,
    /// Raman spectroscopy.
    Raman,
    /// Anything else, or not recorded.
    #[default]
    Other,
}

impl Technique {
    /// Recognises the names used by VAMAS (`XPS`, `AES diff`, `ELS`, `EDX`, ...),
    /// EMSA `#SIGNALTYPE` (`EDS`, `ELS`, `XRF`, ...) and common spellings;
    /// anything unknown is [`Technique::Other`].
    pub fn from_label(label: &str) -> Self {
        let l = label.trim().to_ascii_uppercase();
        let first = l.split_whitespace().next().unwrap_or("");
        match first {
            "XPS" | "ESCA" => Self::Xps,
            "UPS" => Self::Ups,
            "AES" => Self::Aes,
            "ELS" | "EELS" | "REELS" => Self::Eels,
            "EDX" | "EDS" | "XEDS" | "WDS" | "XRF" => Self::Eds,
            "XRD" => Self::Xrd,
            "RAMAN" => Self::Raman,
            _ => Self::Other,
        }
    }

    /// The lower-case name used in JSON and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Self::Xps => "xps",
            Self::Ups => "ups",
            Self::Aes => "aes",
            Self::Eels => "eels",
            Self::Eds => "eds",
            Self::Xrd => "xrd",
            Self::Raman => "raman",
            Self::Other => "other",
        }
    }
}

/// What the x axis measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum XQuantity {
    /// Binding energy, eV (XPS).
    BindingEnergy,
    /// Kinetic energy, eV (XPS, AES).
    KineticEnergy,
    /// Energy loss, eV (EELS).
    EnergyLoss,
    /// Photon energy, eV or keV (EDS).
    Energy,
    /// Diffraction angle 2θ, degrees (XRD).
    TwoTheta,
    /// Raman shift, cm⁻¹.
    RamanShift,
    /// Detector channel number.
    Channel,
    /// Anything else, or not recorded.
    #[default]
    Other,
}

impl XQuantity {
    /// Recognises axis labels such as `Kinetic Energy`, `Binding Energy`,
    /// `Energy Loss`, `2theta`, `Raman shift`, `channel`; anything else is
    /// [`XQuantity::Other`].
    pub fn from_label(label: &str) -> Self {
        let l = label.trim().to_ascii_lowercase();
        if l.contains("binding") {
            Self::BindingEnergy
        } else if l.contains("kinetic") {
            Self::KineticEnergy
        } else if l.contains("loss") {
            Self::EnergyLoss
        } else if l.contains("theta") || l.contains("2θ") || l == "2t" {
            Self::TwoTheta
        } else if l.contains("raman") || l.contains("wavenumber") {
            Self::RamanShift
        } else if l.contains("channel") {
            Self::Channel
        } else if l.contains("energy") {
            Self::Energy
        } else {
            Self::Other
        }
    }
}

/// What is known about a spectrum besides its numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    /// A name: the block or column name, or what the user chose.
    pub name: String,
    /// The technique.
    pub technique: Technique,
    /// What the x axis measures.
    pub x_quantity: XQuantity,
    /// Unit of x (`eV`, `keV`, `deg`, `1/cm`, ...).
    pub x_unit: String,
    /// Unit of the intensities (`counts`, `c/s`, ...).
    pub y_unit: String,
    /// The intensities are raw counts, so that Poisson σ = √counts applies
    /// when no σ is given (see [`Spectrum::uncertainties`]).
    pub counts: bool,
    /// Excitation (photon) energy, eV: Al Kα 1486.6, Mg Kα 1253.6.
    pub photon_energy: Option<f64>,
    /// The file the spectrum came from.
    pub source: Option<String>,
    /// The block (VAMAS) or column (delimited text) within that file.
    pub block: Option<String>,
    /// Everything else the reader found (keyword → value), kept as text.
    pub extra: BTreeMap<String, String>,
}

/// Noise for [`Spectrum::with_noise`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// Counts drawn from a Poisson distribution of mean y.
    Poisson,
    /// Gaussian with a constant σ (intensity units).
    Gaussian(f64),
    /// Gaussian with σ = r·|y|.
    Proportional(f64),
}

/// A validated 1-D spectrum: strictly monotonic finite x (increasing or
/// decreasing), finite intensities of the same length, optional per-point
/// σ > 0, and [`Metadata`].
///
/// Deserialisation runs the same validation as [`Spectrum::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SpectrumData")]
pub struct Spectrum {
    /// Shared between spectra on the same axis (a batch of thousands keeps
    /// one copy: [`Spectrum::with_shared_x`], [`Spectrum::share_x_with`]).
    #[serde(serialize_with = "serialize_slice")]
    x: Arc<[f64]>,
    y: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma: Option<Vec<f64>>,
    /// Metadata (free to edit: it carries no invariant).
    pub meta: Metadata,
}

fn serialize_slice<S: serde::Serializer>(
    x: &Arc<[f64]>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&**x, s)
}

#[derive(Deserialize)]
struct SpectrumData {
    x: Vec<f64>,
    y: Vec<f64>,
    #[serde(default)]
    sigma: Option<Vec<f64>>,
    #[serde(default)]
    meta: Metadata,
}

impl TryFrom<SpectrumData> for Spectrum {
    type Error = Error;
    fn try_from(d: SpectrumData) -> Result<Self> {
        let s = Spectrum::new(d.x, d.y)?.with_meta(d.meta);
        match d.sigma {
            Some(sig) => s.with_sigma(sig),
            None => Ok(s),
        }
    }
}

/// How [`Spectrum::normalise`] scales intensities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalisation {
    /// Divide by the largest intensity.
    Max,
    /// Map the smallest intensity to 0 and the largest to 1.
    MinMax,
    /// Divide by |∫ y dx| (trapezoidal rule on the x axis).
    Area,
    /// Divide by the (linearly interpolated) intensity at this x.
    At(f64),
}

pub(crate) fn first_non_finite(v: &[f64]) -> Option<(usize, f64)> {
    v.iter()
        .enumerate()
        .find(|(_, a)| !a.is_finite())
        .map(|(i, &a)| (i, a))
}

/// Checks that `x` is finite and strictly monotonic; returns whether it increases.
pub(crate) fn check_axis(what: &'static str, x: &[f64]) -> Result<bool> {
    if x.len() < 2 {
        return Err(Error::Length {
            what: format!("{what} has {} points; at least 2 are needed", x.len()),
        });
    }
    if let Some((index, value)) = first_non_finite(x) {
        return Err(Error::NonFinite { what, index, value });
    }
    let increasing = x[1] > x[0];
    let bad = (1..x.len()).find(|&i| {
        if increasing {
            x[i] <= x[i - 1]
        } else {
            x[i] >= x[i - 1]
        }
    });
    if let Some(i) = bad {
        return Err(Error::Invalid(format!(
            "{what} is not strictly monotonic at index {i} ({} after {})",
            x[i],
            x[i - 1]
        )));
    }
    Ok(increasing)
}

impl Spectrum {
    /// A spectrum from an x axis and intensities, with default metadata.
    ///
    /// Errors: fewer than 2 points, lengths that differ, a NaN/±∞ (with its
    /// index), or an x axis that is not strictly monotonic (with the index).
    pub fn new(x: Vec<f64>, y: Vec<f64>) -> Result<Self> {
        Spectrum::with_shared_x(Arc::from(x), y)
    }

    /// [`Spectrum::new`] on an axis shared with other spectra (no copy of
    /// it): the many spectra of one file, or of a batch, on one energy grid.
    ///
    /// ```
    /// use interphase_spectra::Spectrum;
    /// use std::sync::Arc;
    /// let x: Arc<[f64]> = (0..5).map(f64::from).collect();
    /// let a = Spectrum::with_shared_x(x.clone(), vec![1.0; 5])?;
    /// let b = Spectrum::with_shared_x(x, vec![2.0; 5])?;
    /// assert!(Arc::ptr_eq(&a.shared_x(), &b.shared_x()));
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn with_shared_x(x: Arc<[f64]>, y: Vec<f64>) -> Result<Self> {
        check_axis("x", &x)?;
        if x.len() != y.len() {
            return Err(Error::Length {
                what: format!("x has {} points, y has {}", x.len(), y.len()),
            });
        }
        if let Some((index, value)) = first_non_finite(&y) {
            return Err(Error::NonFinite {
                what: "y",
                index,
                value,
            });
        }
        Ok(Self {
            x,
            y,
            sigma: None,
            meta: Metadata::default(),
        })
    }

    /// Replaces the metadata.
    #[must_use]
    pub fn with_meta(mut self, meta: Metadata) -> Self {
        self.meta = meta;
        self
    }

    /// Attaches per-point standard uncertainties σ (same length, finite, > 0).
    pub fn with_sigma(mut self, sigma: Vec<f64>) -> Result<Self> {
        if sigma.len() != self.y.len() {
            return Err(Error::Length {
                what: format!("sigma has {} points, y has {}", sigma.len(), self.y.len()),
            });
        }
        if let Some((index, value)) = sigma
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && **s > 0.0))
        {
            return Err(Error::Invalid(format!(
                "sigma must be finite and > 0; found {value} at index {index}"
            )));
        }
        self.sigma = Some(sigma);
        Ok(self)
    }

    /// Removes explicit σ (Poisson σ still applies when `meta.counts`).
    #[must_use]
    pub fn without_sigma(mut self) -> Self {
        self.sigma = None;
        self
    }

    /// The x axis.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The x axis as a shared handle (no copy), for
    /// [`with_shared_x`](Self::with_shared_x).
    pub fn shared_x(&self) -> Arc<[f64]> {
        self.x.clone()
    }

    /// Makes this spectrum use `other`'s copy of the axis when the two are
    /// identical (bit for bit), freeing its own; returns whether they are.
    /// Nothing observable changes but the memory.
    pub fn share_x_with(&mut self, other: &Spectrum) -> bool {
        if Arc::ptr_eq(&self.x, &other.x) {
            return true;
        }
        let same = self.x.len() == other.x.len()
            && self
                .x
                .iter()
                .zip(other.x.iter())
                .all(|(a, b)| a.to_bits() == b.to_bits());
        if same {
            self.x = other.x.clone();
        }
        same
    }
    /// The intensities.
    pub fn y(&self) -> &[f64] {
        &self.y
    }
    /// Explicit per-point σ, if given.
    pub fn sigma(&self) -> Option<&[f64]> {
        self.sigma.as_deref()
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.x.len()
    }
    /// Always false: a spectrum has at least two points.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
    /// Whether x increases with the index.
    pub fn is_increasing(&self) -> bool {
        self.x[1] > self.x[0]
    }
    /// (smallest x, largest x).
    pub fn x_range(&self) -> (f64, f64) {
        let (a, b) = (self.x[0], self.x[self.x.len() - 1]);
        (a.min(b), a.max(b))
    }
    /// (smallest y, largest y).
    pub fn y_range(&self) -> (f64, f64) {
        self.y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            })
    }
    /// The parts: (x, y, σ, metadata).
    pub fn into_parts(self) -> (Vec<f64>, Vec<f64>, Option<Vec<f64>>, Metadata) {
        (self.x.to_vec(), self.y, self.sigma, self.meta)
    }

    /// Per-point σ: the explicit σ if given; otherwise, when `meta.counts`,
    /// Poisson σ = √max(y, 1) (a zero-count channel gets σ = 1, the usual
    /// convention that keeps weights finite); otherwise `None`.
    pub fn uncertainties(&self) -> Option<Vec<f64>> {
        if let Some(s) = &self.sigma {
            return Some(s.clone());
        }
        if self.meta.counts {
            return Some(self.y.iter().map(|&c| c.max(1.0).sqrt()).collect());
        }
        None
    }

    fn derived(
        &self,
        x: impl Into<Arc<[f64]>>,
        y: Vec<f64>,
        sigma: Option<Vec<f64>>,
    ) -> Result<Self> {
        let mut s = Spectrum::with_shared_x(x.into(), y)?.with_meta(self.meta.clone());
        if let Some(sig) = sigma {
            s = s.with_sigma(sig)?;
        }
        Ok(s)
    }

    /// A noisy copy, reproducible from `seed` ([`interphase_fit::rng::Rng`],
    /// xoshiro256++): [`Noise::Poisson`] draws each intensity as a count of
    /// mean y (y ≥ 0; the result is marked as counts), [`Noise::Gaussian`]
    /// adds N(0, σ²), [`Noise::Proportional`] N(0, (r·y)²). The noise-free
    /// spectrum is `self`; its σ, if any, is dropped (the noise is the new
    /// uncertainty: counts give Poisson σ, Gaussian noise σ is set).
    ///
    /// ```
    /// use interphase_spectra::{Spectrum, spectrum::Noise};
    /// let s = Spectrum::new(vec![1.0, 2.0, 3.0], vec![100.0, 400.0, 100.0])?;
    /// let a = s.with_noise(Noise::Poisson, 7)?;
    /// assert_eq!(a.y(), s.with_noise(Noise::Poisson, 7)?.y()); // same seed
    /// assert!(a.y().iter().all(|v| v.fract() == 0.0) && a.meta.counts);
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn with_noise(&self, noise: Noise, seed: u64) -> Result<Self> {
        let mut rng = interphase_fit::rng::Rng::new(seed);
        let (y, sigma, counts) = match noise {
            Noise::Poisson => {
                if let Some((i, v)) = self.y.iter().enumerate().find(|(_, v)| **v < 0.0) {
                    return Err(Error::Invalid(format!(
                        "Poisson noise needs intensities ≥ 0; y[{i}] = {v}"
                    )));
                }
                let y: Vec<f64> = self.y.iter().map(|&m| rng.poisson(m) as f64).collect();
                (y, None, true)
            }
            Noise::Gaussian(sd) => {
                if !(sd.is_finite() && sd > 0.0) {
                    return Err(Error::Invalid(format!(
                        "Gaussian noise needs σ > 0, got {sd}"
                    )));
                }
                let y = self.y.iter().map(|&m| m + sd * rng.normal()).collect();
                (y, Some(vec![sd; self.y.len()]), false)
            }
            Noise::Proportional(r) => {
                if !(r.is_finite() && r > 0.0) {
                    return Err(Error::Invalid(format!(
                        "proportional noise needs r > 0, got {r}"
                    )));
                }
                let sd: Vec<f64> = self.y.iter().map(|m| r * m.abs()).collect();
                if sd.contains(&0.0) {
                    return Err(Error::Invalid(
                        "proportional noise: an intensity of 0 would get σ = 0".into(),
                    ));
                }
                let y = self
                    .y
                    .iter()
                    .zip(&sd)
                    .map(|(&m, &e)| m + e * rng.normal())
                    .collect();
                (y, Some(sd), false)
            }
        };
        let mut out = self.derived(self.x.clone(), y, sigma)?;
        out.meta.counts = counts;
        Ok(out)
    }

    /// The points with x in the closed window [min(a, b), max(a, b)], in the
    /// original order. Errors when fewer than 2 points remain.
    pub fn crop(&self, a: f64, b: f64) -> Result<Self> {
        if !(a.is_finite() && b.is_finite()) {
            return Err(Error::Invalid(format!(
                "crop window [{a}, {b}] is not finite"
            )));
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.x[i] >= lo && self.x[i] <= hi)
            .collect();
        if keep.len() < 2 {
            let (xa, xb) = self.x_range();
            return Err(Error::Invalid(format!(
                "crop window [{lo}, {hi}] keeps {} point(s) of the axis [{xa}, {xb}]; at least 2 are needed",
                keep.len()
            )));
        }
        let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let sigma = self.sigma.as_deref().map(pick);
        let mut s = self.derived(pick(&self.x), pick(&self.y), sigma)?;
        s.meta.counts = self.meta.counts;
        Ok(s)
    }

    /// Linear interpolation of y at `x0` (error outside the axis).
    pub fn interpolate_at(&self, x0: f64) -> Result<f64> {
        let (j, t) = self.locate(x0)?;
        Ok(self.y[j] + t * (self.y[j + 1] - self.y[j]))
    }

    /// Index j and fraction t with x0 = x[j] + t (x[j+1] − x[j]).
    fn locate(&self, x0: f64) -> Result<(usize, f64)> {
        let (lo, hi) = self.x_range();
        if !(x0 >= lo && x0 <= hi) {
            return Err(Error::Invalid(format!(
                "x = {x0} is outside the axis [{lo}, {hi}]"
            )));
        }
        let inc = self.is_increasing();
        // number of points strictly "before" x0 along the axis direction
        let p = self
            .x
            .partition_point(|&v| if inc { v < x0 } else { v > x0 });
        let j = p.saturating_sub(1).min(self.len() - 2);
        let t = (x0 - self.x[j]) / (self.x[j + 1] - self.x[j]);
        Ok((j, t))
    }

    /// Linear interpolation onto a new strictly monotonic axis inside the old
    /// one. σ (explicit or Poisson) is interpolated linearly too — an
    /// approximation that ignores the correlation interpolation introduces. The
    /// result carries explicit σ and `counts = false` when σ existed.
    pub fn resample(&self, new_x: &[f64]) -> Result<Self> {
        check_axis("new x", new_x)?;
        let sig = self.uncertainties();
        let mut y = Vec::with_capacity(new_x.len());
        let mut s_out = sig.as_ref().map(|_| Vec::with_capacity(new_x.len()));
        for &x0 in new_x {
            let (j, t) = self.locate(x0)?;
            y.push(self.y[j] + t * (self.y[j + 1] - self.y[j]));
            if let (Some(s), Some(out)) = (&sig, s_out.as_mut()) {
                out.push(s[j] + t * (s[j + 1] - s[j]));
            }
        }
        let mut r = self.derived(new_x.to_vec(), y, s_out)?;
        r.meta.counts = false;
        Ok(r)
    }

    /// Resamples onto a uniform axis from the first x towards the last with
    /// |step| (the sign follows the axis direction).
    pub fn resample_uniform(&self, step: f64) -> Result<Self> {
        if !(step.is_finite() && step > 0.0) {
            return Err(Error::Invalid(format!(
                "resample step must be > 0, got {step}"
            )));
        }
        let (x0, x1) = (self.x[0], self.x[self.len() - 1]);
        let span = (x1 - x0).abs();
        let n = (span / step * (1.0 + 1e-12)).floor() + 1.0;
        if n > 1e8 {
            return Err(Error::Invalid(format!(
                "resample step {step} over a span of {span} gives {n} points (limit 1e8)"
            )));
        }
        let dir = if x1 > x0 { 1.0 } else { -1.0 };
        let new_x: Vec<f64> = (0..n as usize)
            .map(|i| {
                let v = x0 + dir * step * i as f64;
                if dir > 0.0 { v.min(x1) } else { v.max(x1) }
            })
            .collect();
        self.resample(&new_x)
    }

    /// The mean step `(x[n−1] − x[0])/(n − 1)`, checking that every step is within
    /// 0.1 % of it (what the Savitzky–Golay filter assumes).
    pub fn uniform_step(&self) -> Result<f64> {
        let n = self.len();
        let h = (self.x[n - 1] - self.x[0]) / (n - 1) as f64;
        if let Some(i) = (1..n).find(|&i| ((self.x[i] - self.x[i - 1]) - h).abs() > 1e-3 * h.abs())
        {
            return Err(Error::Invalid(format!(
                "the x axis is not uniform: step {} at index {i} differs from the mean step {h} by more than 0.1 %; resample first",
                self.x[i] - self.x[i - 1]
            )));
        }
        Ok(h)
    }

    /// Savitzky–Golay smoothing (`deriv = 0`) or derivative dᵏy/dxᵏ
    /// (`deriv = k`) with an odd `window` and polynomial `order < window`
    /// (A. Savitzky & M. J. E. Golay, *Anal. Chem.* 36 (1964) 1627).
    ///
    /// Numbers match `scipy.signal.savgol_filter(y, window, order, deriv,
    /// delta = x[1] − x[0], mode = "interp")`: the interior uses the
    /// least-squares convolution coefficients, and the first and last
    /// `window / 2` points take the polynomial fitted to the first or last
    /// `window` points. The axis must be uniform ([`Spectrum::uniform_step`]);
    /// derivatives are with respect to x (negative steps included). σ is
    /// propagated as σ'ᵢ = √(Σₖ hₖ² σ²ᵢ₊ₖ) (independent points).
    pub fn savgol(&self, window: usize, order: usize, deriv: usize) -> Result<Self> {
        let h = self.uniform_step()?;
        let sig = self.uncertainties();
        let (y, s) =
            crate::smooth::savgol_filter(&self.y, sig.as_deref(), window, order, deriv, h)?;
        let mut r = self.derived(self.x.clone(), y, s)?;
        r.meta.counts = false;
        if deriv > 0 {
            r.meta.y_unit = format!(
                "d{}({})/d{}({})",
                if deriv > 1 {
                    deriv.to_string()
                } else {
                    String::new()
                },
                self.meta.y_unit,
                if deriv > 1 {
                    deriv.to_string()
                } else {
                    String::new()
                },
                self.meta.x_unit
            );
        }
        Ok(r)
    }

    /// Centred moving average over an odd `window` of points. Near the ends the
    /// window shrinks symmetrically (point i < window/2 averages 2i + 1 points),
    /// so peak positions are not pulled; the end points are unchanged. σ is
    /// propagated for independent points.
    pub fn moving_average(&self, window: usize) -> Result<Self> {
        let sig = self.uncertainties();
        let (y, s) = crate::smooth::moving_average(&self.y, sig.as_deref(), window)?;
        let mut r = self.derived(self.x.clone(), y, s)?;
        r.meta.counts = false;
        Ok(r)
    }

    /// |∫ y dx| by the trapezoidal rule.
    pub fn area(&self) -> f64 {
        self.x
            .windows(2)
            .zip(self.y.windows(2))
            .map(|(x, y)| 0.5 * (y[0] + y[1]) * (x[1] - x[0]))
            .sum::<f64>()
            .abs()
    }

    /// Scales the intensities (and σ) by [`Normalisation`]. Errors when the
    /// scale is zero or the reference x is outside the axis.
    pub fn normalise(&self, how: Normalisation) -> Result<Self> {
        let (lo, hi) = self.y_range();
        let (offset, scale) = match how {
            Normalisation::Max => (0.0, hi),
            Normalisation::MinMax => (lo, hi - lo),
            Normalisation::Area => (0.0, self.area()),
            Normalisation::At(x0) => (0.0, self.interpolate_at(x0)?),
        };
        if !(scale.is_finite() && scale.abs() > 0.0) {
            return Err(Error::Invalid(format!(
                "cannot normalise by {how:?}: the scale is {scale}"
            )));
        }
        let y = self.y.iter().map(|v| (v - offset) / scale).collect();
        let s = self
            .uncertainties()
            .map(|s| s.iter().map(|v| v / scale.abs()).collect());
        let mut r = self.derived(self.x.clone(), y, s)?;
        r.meta.counts = false;
        r.meta.y_unit = String::from("normalised");
        Ok(r)
    }

    /// Adds `dx` to every x (an energy-scale correction). Use
    /// [`charge_shift`] to compute the shift that puts a reference peak at its
    /// accepted position, then apply the same shift to every region.
    pub fn shifted(&self, dx: f64) -> Result<Self> {
        if !dx.is_finite() {
            return Err(Error::Invalid(format!("shift must be finite, got {dx}")));
        }
        let x: Arc<[f64]> = self.x.iter().map(|v| v + dx).collect();
        self.derived(x, self.y.clone(), self.sigma.clone())
    }

    /// Converts a kinetic-energy axis to binding energy,
    /// E_B = hν − E_K − φ (φ: spectrometer work function, eV; pass 0 when the
    /// energy scale is already referenced to the Fermi level, as CasaXPS does).
    /// The point order is kept, so an increasing KE axis becomes a decreasing
    /// BE axis. Sets `meta.x_quantity` and `meta.photon_energy`.
    pub fn to_binding_energy(&self, photon_energy: f64, work_function: f64) -> Result<Self> {
        self.flip_energy(
            photon_energy,
            work_function,
            XQuantity::KineticEnergy,
            XQuantity::BindingEnergy,
        )
    }

    /// The inverse of [`Spectrum::to_binding_energy`]: E_K = hν − E_B − φ.
    pub fn to_kinetic_energy(&self, photon_energy: f64, work_function: f64) -> Result<Self> {
        self.flip_energy(
            photon_energy,
            work_function,
            XQuantity::BindingEnergy,
            XQuantity::KineticEnergy,
        )
    }

    fn flip_energy(&self, hv: f64, phi: f64, from: XQuantity, to: XQuantity) -> Result<Self> {
        if !(hv.is_finite() && hv > 0.0 && phi.is_finite()) {
            return Err(Error::Invalid(format!(
                "photon energy must be > 0 and the work function finite (got hν = {hv}, φ = {phi})"
            )));
        }
        if self.meta.x_quantity != from && self.meta.x_quantity != XQuantity::Other {
            return Err(Error::Invalid(format!(
                "the x axis is {:?}, not {:?}",
                self.meta.x_quantity, from
            )));
        }
        let x: Arc<[f64]> = self.x.iter().map(|v| hv - v - phi).collect();
        let mut r = self.derived(x, self.y.clone(), self.sigma.clone())?;
        r.meta.x_quantity = to;
        r.meta.photon_energy = Some(hv);
        if r.meta.x_unit.is_empty() {
            r.meta.x_unit = "eV".into();
        }
        Ok(r)
    }

    /// The sum of scans on the same axis (x equal to within 10⁻⁶ of the step):
    /// y adds, σ adds in quadrature (when every scan has σ), `counts` is kept
    /// when every scan is counts. Metadata comes from the first scan.
    pub fn sum(scans: &[Spectrum]) -> Result<Self> {
        let first = scans
            .first()
            .ok_or_else(|| Error::Invalid("sum of zero spectra".into()))?;
        let n = first.len();
        let tol = 1e-6 * (first.x[1] - first.x[0]).abs();
        for (k, s) in scans.iter().enumerate().skip(1) {
            if s.len() != n {
                return Err(Error::Length {
                    what: format!("spectrum {k} has {} points, spectrum 0 has {n}", s.len()),
                });
            }
            if let Some(i) = (0..n).find(|&i| (s.x[i] - first.x[i]).abs() > tol) {
                return Err(Error::Invalid(format!(
                    "spectrum {k} has x = {} at index {i} where spectrum 0 has {}; resample onto one axis first",
                    s.x[i], first.x[i]
                )));
            }
        }
        let mut y = vec![0.0; n];
        for s in scans {
            for (a, b) in y.iter_mut().zip(&s.y) {
                *a += b;
            }
        }
        let all_counts = scans.iter().all(|s| s.meta.counts && s.sigma.is_none());
        let sigma = if all_counts {
            None
        } else {
            let sig: Option<Vec<Vec<f64>>> = scans.iter().map(|s| s.uncertainties()).collect();
            sig.map(|v| {
                (0..n)
                    .map(|i| v.iter().map(|s| s[i] * s[i]).sum::<f64>().sqrt())
                    .collect()
            })
        };
        let mut r = first.derived(first.x.clone(), y, sigma)?;
        r.meta.counts = all_counts;
        Ok(r)
    }

    /// The mean of scans on the same axis: [`Spectrum::sum`] divided by the
    /// number of scans (σ too). The result carries explicit σ when the scans
    /// had any.
    pub fn average(scans: &[Spectrum]) -> Result<Self> {
        let total = Self::sum(scans)?;
        let k = scans.len() as f64;
        let sig = total
            .uncertainties()
            .map(|s| s.iter().map(|v| v / k).collect());
        let y = total.y.iter().map(|v| v / k).collect();
        let mut r = total.derived(total.x.clone(), y, sig)?;
        r.meta.counts = false;
        Ok(r)
    }

    /// Peaks by [`crate::peaks::find_peaks`] on the intensities, with each
    /// peak's position `x` and width `width_x` (at `rel_height`; the FWHM above
    /// the local base for 0.5) converted to x units by linear interpolation.
    /// Distances, widths and `wlen` in the options are in samples, as in scipy.
    pub fn find_peaks(
        &self,
        options: &crate::peaks::PeakOptions,
    ) -> Result<Vec<crate::peaks::Peak>> {
        let mut peaks = crate::peaks::find_peaks(&self.y, options)?;
        for p in &mut peaks {
            p.x = Some(self.x[p.index]);
            let a = crate::peaks::x_at(&self.x, p.left_ip);
            let b = crate::peaks::x_at(&self.x, p.right_ip);
            p.width_x = Some((b - a).abs());
        }
        Ok(peaks)
    }

    /// A robust estimate of the point-to-point noise σ: with second differences
    /// dᵢ = yᵢ₋₁ − 2yᵢ + yᵢ₊₁ (variance 6σ² for white noise, nearly blind to
    /// smooth peaks and backgrounds), σ ≈ 1.4826 · median|dᵢ| / √6 (the MAD
    /// scale factor for a normal distribution). Needs at least 3 points.
    pub fn noise_sigma(&self) -> Result<f64> {
        if self.len() < 3 {
            return Err(Error::Length {
                what: format!(
                    "noise estimate needs at least 3 points, the spectrum has {}",
                    self.len()
                ),
            });
        }
        let mut d: Vec<f64> = self
            .y
            .windows(3)
            .map(|w| (w[0] - 2.0 * w[1] + w[2]).abs())
            .collect();
        let m = d.len() / 2;
        let (_, med, _) = d.select_nth_unstable_by(m, f64::total_cmp);
        let mut median = *med;
        if d.len().is_multiple_of(2) {
            let lower = d[..m].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            median = 0.5 * (median + lower);
        }
        Ok(1.482_602_218_505_602 * median / 6f64.sqrt())
    }
}

/// The shift to add to every x so that a peak measured at `measured` lands at
/// `reference` (e.g. adventitious C 1s: `charge_shift(285.3, 284.8)` = −0.5 eV).
pub fn charge_shift(measured: f64, reference: f64) -> f64 {
    reference - measured
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Spectrum {
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        Spectrum::new(x, y).unwrap()
    }

    #[test]
    fn validation_reports_index() {
        let e = Spectrum::new(vec![0.0, 1.0, 1.0], vec![1.0; 3]).unwrap_err();
        assert!(e.to_string().contains("index 2"), "{e}");
        let e = Spectrum::new(vec![0.0, 1.0, 2.0], vec![1.0, f64::NAN, 1.0]).unwrap_err();
        assert!(e.to_string().contains("index 1"), "{e}");
        assert!(Spectrum::new(vec![0.0, 1.0], vec![1.0]).is_err());
        assert!(Spectrum::new(vec![0.0], vec![1.0]).is_err());
        assert!(ramp(3).with_sigma(vec![1.0, 0.0, 1.0]).is_err());
        // decreasing axes are fine
        assert!(Spectrum::new(vec![3.0, 2.0, 1.0], vec![1.0; 3]).is_ok());
    }

    #[test]
    fn crop_and_interpolate_both_directions() {
        let s = ramp(11); // x 0..5
        let c = s.crop(3.2, 1.0).unwrap();
        assert_eq!(c.x(), &[1.0, 1.5, 2.0, 2.5, 3.0]);
        assert!((s.interpolate_at(1.25).unwrap() - 3.5).abs() < 1e-15);
        let x: Vec<f64> = s.x().iter().rev().copied().collect();
        let y: Vec<f64> = s.y().iter().rev().copied().collect();
        let d = Spectrum::new(x, y).unwrap();
        assert!((d.interpolate_at(1.25).unwrap() - 3.5).abs() < 1e-15);
        assert!((d.interpolate_at(5.0).unwrap() - 11.0).abs() < 1e-15);
        assert!((d.interpolate_at(0.0).unwrap() - 1.0).abs() < 1e-15);
        assert!(d.interpolate_at(5.1).is_err());
        assert!(s.crop(10.0, 20.0).is_err());
        let r = d.resample_uniform(0.25).unwrap();
        assert_eq!(r.len(), 21);
        assert!(!r.is_increasing());
        assert!((r.y()[1] - 10.5).abs() < 1e-12);
    }

    #[test]
    fn binding_kinetic_round_trip() {
        let mut s = ramp(5);
        s.meta.x_quantity = XQuantity::KineticEnergy;
        let b = s.to_binding_energy(AL_K_ALPHA, 4.5).unwrap();
        assert_eq!(b.meta.x_quantity, XQuantity::BindingEnergy);
        assert!(!b.is_increasing());
        assert!((b.x()[0] - (1486.6 - 4.5)).abs() < 1e-12);
        let k = b.to_kinetic_energy(AL_K_ALPHA, 4.5).unwrap();
        for (a, b) in k.x().iter().zip(s.x()) {
            assert!((a - b).abs() < 1e-12);
        }
        assert!(b.to_binding_energy(AL_K_ALPHA, 0.0).is_err());
    }

    #[test]
    fn sums_and_poisson() {
        let mut a = ramp(4);
        a.meta.counts = true;
        let s = Spectrum::sum(&[a.clone(), a.clone()]).unwrap();
        assert!(s.meta.counts);
        assert!((s.y()[3] - 2.0 * a.y()[3]).abs() < 1e-12);
        let m = Spectrum::average(&[a.clone(), a.clone()]).unwrap();
        let sig = m.uncertainties().unwrap();
        // σ of the mean of two Poisson scans: √(2y)/2
        assert!((sig[3] - (2.0 * a.y()[3]).sqrt() / 2.0).abs() < 1e-12);
        let b = a.shifted(0.1).unwrap();
        assert!(Spectrum::sum(&[a, b]).is_err());
    }

    #[test]
    fn normalise_and_noise() {
        let s = ramp(11);
        let n = s.normalise(Normalisation::Max).unwrap();
        assert!((n.y()[10] - 1.0).abs() < 1e-15);
        let a = s.normalise(Normalisation::Area).unwrap();
        assert!((a.area() - 1.0).abs() < 1e-12);
        let z = Spectrum::new(vec![0.0, 1.0], vec![0.0, 0.0]).unwrap();
        assert!(z.normalise(Normalisation::Max).is_err());
        // a straight line has no noise
        assert!(s.noise_sigma().unwrap().abs() < 1e-12);
        // alternating ±1 on a line: dᵢ = ±4 → σ = 1.4826·4/√6
        let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let y: Vec<f64> = (0..50)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let t = Spectrum::new(x, y).unwrap();
        assert!(
            (t.noise_sigma().unwrap() - 1.482_602_218_505_602 * 4.0 / 6f64.sqrt()).abs() < 1e-12
        );
    }

    #[test]
    fn serde_validates() {
        let s = ramp(3);
        let j = serde_json::to_string(&s).unwrap();
        let back: Spectrum = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        let bad = r#"{"x":[0,1,1],"y":[1,2,3]}"#;
        assert!(serde_json::from_str::<Spectrum>(bad).is_err());
    }
}
