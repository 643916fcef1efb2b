//! The linear Kramers–Kronig validity test (Lin-KK) of M. Schönleber, D.
//! Klotz and E. Ivers-Tiffée, *Electrochim. Acta* 131 (2014) 20, as
//! implemented in impedance.py's `linKK` (same time constants, same fits, same
//! μ criterion, same residuals), so results can be compared number for number.
//!
//! The data are fitted by Ẑ = R₀ + Σₖ Rₖ/(1 + jωτₖ) + jωL [+ 1/(jωC)] with M
//! time constants fixed and log-spaced from τ₁ = 1/(2π f_max) to
//! τ_M = 1/(2π f_min); only the linear coefficients are fitted (least squares
//! on the parts divided by |Z|). Starting from M = 1, M grows until
//! μ = 1 − Σ|Rₖ<0| / Σ|Rₖ≥0| falls to the cut-off c (default 0.85, the value
//! Schönleber et al. found to separate under- from over-fitting) or M reaches
//! `max_m`. The residuals (Z − Ẑ)/|Z| of the real and imaginary parts show
//! where the data violate causality, linearity or stationarity; a common
//! acceptance is every |residual| below 1 %.
//!
//! The μ criterion with impedance.py's start at M = 1 can stop far too early
//! (negative Rₖ appear while the fit is still poor), as the example shows:
//! then a valid spectrum fails. [`KkSelect::PseudoChi2`] chooses M where the
//! pseudo-χ² stops improving instead (the smallest M within a factor 1.2 of
//! the best over M = 1 … `max_m`), and [`kk_scan`] gives μ and pseudo-χ²
//! against M to look at; [`KkSelect::Fixed`] fits exactly `max_m` elements.
//!
//! A fixed threshold on the residuals' size has to follow the noise (1 % is
//! four noise σ at 0.25 % noise, and fails every valid spectrum at 1 %
//! noise). The whiteness test ([`KkWhiteness`], complex fits) asks instead
//! whether neighbouring residuals are correlated beyond what the fit itself
//! causes, which needs no noise level; [`KkOptions::validation`] is the
//! combination that separated valid from drifting spectra best.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum, kk::{lin_kk, KkOptions, KkSelect}};
//! let c: Circuit = "R0-p(R1,C1)".parse()?;
//! let f: Vec<f64> = (0..50).map(|i| 10f64.powf(5.0 - 0.14 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-5], &f)?;
//! // the μ criterion (impedance.py's defaults) stops at M = 3 here, as impedance.py
//! // does (μ = 0.7923): too few elements for these 7 decades, residuals up to 61 %
//! let auto = lin_kk(&data, &KkOptions::default())?;
//! assert_eq!(auto.m, 3);
//! assert!((auto.mu - 0.792311922068244).abs() < 1e-9);
//! // a fixed M (about 4 per decade) shows the data are KK-compliant
//! let fixed = lin_kk(&data, &KkOptions { select: KkSelect::Fixed, max_m: 28, ..KkOptions::default() })?;
//! assert!(fixed.passes(0.01), "{}", fixed.max_abs_residual());
//! // and so does the pseudo-χ² plateau, which needs no M from the user
//! let plateau = lin_kk(&data, &KkOptions { select: KkSelect::PSEUDO_CHI2, ..KkOptions::default() })?;
//! assert!(plateau.passes(0.01) && plateau.m < 50, "{}", plateau.max_abs_residual());
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::Complex64 as C;
use crate::data::ImpedanceSpectrum;
use crate::error::{Error, Result};

/// Which part of the data the RC coefficients are fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KkFit {
    /// The real part (impedance.py's default); L (and C) then from the
    /// imaginary residual.
    #[default]
    Real,
    /// The imaginary part; R₀ then from the real residual with weights 1/|Z|²
    /// (Boukamp, *J. Electrochem. Soc.* 142 (1995) 1885, eq. 7).
    Imag,
    /// Both parts at once (Schönleber et al. eq. 14).
    Complex,
}

/// How [`lin_kk`] chooses the number M of RC elements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KkSelect {
    /// Schönleber et al.'s μ criterion, as impedance.py: M grows from 1
    /// until μ ≤ `c` (0.85 in their paper) or M = `max_m`. It can stop far
    /// too early on spectra with a diffusion tail (see the module docs).
    Mu {
        /// The μ cut-off (≤ 1).
        c: f64,
    },
    /// The pseudo-χ² plateau: every M from 1 to `max_m` is fitted and the
    /// smallest M whose pseudo-χ² (Boukamp 1995: Σ residual², both parts,
    /// relative to |Z|) is at most `factor` × the smallest over the scan is
    /// chosen: enough elements that more no longer improve the fit, and no
    /// more. A KK-compliant spectrum then fits to its noise; a drifting one
    /// keeps residuals no number of elements removes. `factor` 1.2 by
    /// default (must be ≥ 1); on the LLTO cell a factor 2 stops at M = 15
    /// (max |residual| 2.5 %), 1.2 at M = 17 (1.6 %).
    PseudoChi2 {
        /// How far above the smallest pseudo-χ² the chosen M may be.
        factor: f64,
    },
    /// Exactly `max_m` elements.
    Fixed,
}

impl KkSelect {
    /// The pseudo-χ² plateau with the default factor 1.2.
    pub const PSEUDO_CHI2: KkSelect = KkSelect::PseudoChi2 { factor: 1.2 };
}

/// Options of [`lin_kk`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KkOptions {
    /// How M is chosen (default: the μ criterion with c = 0.85, as
    /// impedance.py).
    pub select: KkSelect,
    /// Largest number of RC elements (default 50); with [`KkSelect::Fixed`]
    /// the number used.
    pub max_m: usize,
    /// Which part to fit.
    pub fit: KkFit,
    /// Add a series capacitance (data without a low-frequency intercept,
    /// e.g. blocking electrodes). Not with `admittance`, which needs none.
    pub add_capacitance: bool,
    /// Test the admittance Y = 1/Z instead of Z:
    /// Ŷ = G_∞ − Σₖ Gₖ/(1 + jωτₖ) + jωC_∞, a parallel capacitance C_∞ beside series-RC branches
    /// (conductance Gₖ = 1/Rₖ, τₖ = RₖCₖ) and a high-frequency conductance
    /// G_∞ = 1/R_∞: the dual of the impedance circuit, as pyimpspec's
    /// admittance representation. A capacitive low-frequency tail in Z
    /// (Z → 1/(jωC)) is Y → jωC there, which this model follows with no
    /// extra element; the μ criterion then counts negative Gₖ. Residuals,
    /// pseudo-χ² and `z_fit` stay in impedance terms, (Z − 1/Ŷ)/|Z|, so
    /// thresholds mean the same in both representations.
    pub admittance: bool,
}

impl KkOptions {
    /// The combination that told valid from drifting spectra best in our
    /// study (docs/eis.md): both parts fitted ([`KkFit::Complex`]), a series
    /// capacitance (for diffusion and blocking tails), M from the pseudo-χ²
    /// plateau (factor 1.2, up to 50 elements). Judge the result by
    /// [`KkResult::white`] (and the size of the residuals against the noise
    /// you expect).
    ///
    /// ```
    /// use interphase_eis::{Circuit, ImpedanceSpectrum, data::Noise, kk::{lin_kk, KkOptions}};
    /// let c: Circuit = "R0-p(R1,CPE1)-W1".parse()?;
    /// let f: Vec<f64> = (0..61).map(|i| 10f64.powf(5.0 - 0.1 * i as f64)).collect();
    /// let p = [20.0, 500.0, 1e-6, 0.9, 200.0];
    /// let valid = ImpedanceSpectrum::simulate_noisy(&c, &p, &f, Noise::Proportional(0.002), 1)?;
    /// let r = lin_kk(&valid, &KkOptions::validation())?;
    /// println!("{r}");
    /// let w = r.whiteness.unwrap();
    /// assert_eq!(r.white(3.0), Some(true));
    /// assert!((w.noise - 0.002).abs() < 0.0005); // the noise the residuals imply
    /// # Ok::<(), interphase_eis::Error>(())
    /// ```
    pub fn validation() -> KkOptions {
        KkOptions {
            select: KkSelect::PSEUDO_CHI2,
            max_m: 50,
            fit: KkFit::Complex,
            add_capacitance: true,
            admittance: false,
        }
    }
}

impl Default for KkOptions {
    fn default() -> Self {
        KkOptions {
            select: KkSelect::Mu { c: 0.85 },
            max_m: 50,
            fit: KkFit::Real,
            add_capacitance: false,
            admittance: false,
        }
    }
}

/// One M of a Lin-KK scan ([`kk_scan`], [`KkResult::scan`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KkScanPoint {
    /// Number of RC elements.
    pub m: usize,
    /// μ = 1 − Σ|Rₖ<0| / Σ|Rₖ≥0|.
    pub mu: f64,
    /// Σ (residual_re² + residual_im²), residuals relative to |Z| (Boukamp
    /// 1995, eq. 14).
    pub pseudo_chi2: f64,
    /// The largest |residual| of either part.
    pub max_abs_residual: f64,
}

/// Are the residuals of a complex Lin-KK fit white noise? A test of the
/// lag-1 autocorrelation of the weighted residuals in order of frequency
/// (a Durbin–Watson-type statistic) against its exact mean and variance
/// under the hypothesis "KK-compliant data plus independent noise
/// proportional to |Z|" ([`KkResult::whiteness`]).
///
/// The fit's residuals e = P b (P = I − U Uᵀ, the projector off the
/// column space of the weighted design, U its left singular vectors) are
/// correlated even when the noise ε is white, e = P ε, and the more so the
/// more elements the fit has. With B the symmetric lag-1 matrix of each part
/// (½ between neighbouring frequencies), the statistic ρ = eᵀBe / eᵀe has,
/// to first order, mean E = tr(BP)/tr(P) and variance from
/// Var(eᵀBe) = 2 tr(BPBP), Var(eᵀe) = 2 tr(P), Cov = 2 tr(BP) (moments of
/// Gaussian quadratic forms; the ratio by the delta method). So
/// z = (ρ − E)/√Var is about standard normal for a valid spectrum whatever
/// the noise level, the number of points or of elements, and grows when the
/// data carry a smooth inconsistency that the fit cannot absorb (a drift:
/// neighbouring residuals share its sign). No threshold on the residuals'
/// size is involved.
///
/// Measured (`crates/eis/tools/kk_classification_study.py`, docs/eis.md):
/// with the complex fit, a series C and the pseudo-χ² plateau
/// ([`KkOptions::validation`]) z stays within −2.7 … 2.9 on 460 valid
/// spectra (5–20 points per decade, noise 0.1–1 %), and a drift of 5 % over
/// the sweep at 0.25 % noise gives z ≥ 5.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KkWhiteness {
    /// Lag-1 autocorrelation ρ = Σ eᵢeᵢ₊₁ / Σ eᵢ² of the residuals (each
    /// part in order of frequency).
    pub lag1: f64,
    /// Its expected value for white noise after this fit, tr(BP)/tr(P)
    /// (negative: a least-squares fit leaves neighbours anti-correlated).
    pub expected: f64,
    /// (ρ − expected)/σ_ρ; above about 3 the residuals are not white.
    pub z: f64,
    /// The noise level the residuals imply, √(eᵀe / tr P): the standard
    /// deviation of each part as a fraction of |Z| (of |Y| in the
    /// admittance representation), with the fit's degrees of freedom
    /// taken into account.
    pub noise: f64,
    /// Degrees of freedom tr P = 2N − rank of the design.
    pub dof: usize,
}

/// Most RC elements allowed (bounds the work and memory).
pub const MAX_ELEMENTS: usize = 1000;

/// The outcome of a Lin-KK test. `Display` prints M, μ, the series
/// elements and the largest residual.
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum, kk::{lin_kk, KkOptions}};
/// let c: Circuit = "R0-p(R1,C1)".parse()?;
/// let f: Vec<f64> = (0..50).map(|i| 10f64.powf(5.0 - 0.12 * i as f64)).collect();
/// let data = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6], &f)?;
/// let kk = lin_kk(&data, &KkOptions::default())?;
/// println!("{kk}");
/// assert!(kk.m >= 1 && kk.mu < 0.85); // M chosen by the μ criterion (c = 0.85)
/// assert!(kk.to_string().starts_with("[[Lin-KK]] M = "));
/// # Ok::<(), interphase_eis::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KkResult {
    /// RC elements used.
    pub m: usize,
    /// μ at that M.
    pub mu: f64,
    /// The time constants τₖ, s.
    pub taus: Vec<f64>,
    /// Series resistance R₀, Ω.
    pub r_ohm: f64,
    /// Rₖ, Ω (may be negative: over-fitting shows as negative resistances).
    pub resistances: Vec<f64>,
    /// Series inductance L, H.
    pub inductance: f64,
    /// Series capacitance C, F (with `add_capacitance`); in the admittance
    /// representation the parallel capacitance C_∞.
    pub capacitance: Option<f64>,
    /// Whether the test ran on the admittance ([`KkOptions::admittance`]):
    /// then `r_ohm` is R_∞ = 1/G_∞, `resistances` the branch resistances
    /// 1/Gₖ (negative where Gₖ < 0; infinite where Gₖ = 0), `inductance` 0
    /// (no inductive element in that model) and `capacitance` C_∞.
    pub admittance: bool,
    /// Ẑ at the data frequencies (not serialised; the residuals are).
    #[serde(skip)]
    pub z_fit: Vec<C>,
    /// (Re Z − Re Ẑ)/|Z|, in data order.
    pub residuals_re: Vec<f64>,
    /// (Im Z − Im Ẑ)/|Z|, in data order.
    pub residuals_im: Vec<f64>,
    /// μ, pseudo-χ² and the largest residual of every M fitted on the way
    /// (M = 1 … the chosen M for the μ criterion, 1 … `max_m` for the
    /// pseudo-χ² plateau, the one M for a fixed M).
    pub scan: Vec<KkScanPoint>,
    /// The whiteness test of the residuals ([`KkWhiteness`]): for
    /// [`KkFit::Complex`] only (the real- and imaginary-part fits leave
    /// residuals that are not a projection of the data, for which the exact
    /// moments are not computed), and `None` when the fit leaves fewer than
    /// 3 degrees of freedom.
    pub whiteness: Option<KkWhiteness>,
}

impl KkResult {
    /// The largest |residual| of either part.
    pub fn max_abs_residual(&self) -> f64 {
        relative::max_abs(&self.residuals_re, &self.residuals_im)
    }
    /// Pseudo-χ² of the chosen M: Σ (residual_re² + residual_im²).
    pub fn pseudo_chi2(&self) -> f64 {
        relative::pseudo_chi2(&self.residuals_re, &self.residuals_im)
    }
    /// Whether every |residual| is at most `threshold` (e.g. 0.01 for 1 %).
    pub fn passes(&self, threshold: f64) -> bool {
        self.max_abs_residual() <= threshold
    }
    /// Indices of the points with a residual beyond `threshold`.
    pub fn failing_points(&self, threshold: f64) -> Vec<usize> {
        relative::beyond(&self.residuals_re, &self.residuals_im, threshold)
    }
    /// Whether the residuals pass the whiteness test at `z_max` (3 is a
    /// one-sided 0.13 % false-alarm rate for normal z); `None` where there
    /// is no test ([`KkResult::whiteness`]).
    pub fn white(&self, z_max: f64) -> Option<bool> {
        self.whiteness.map(|w| w.z <= z_max)
    }
}

/// Relative residuals (Z − Ẑ)/|Z| of the real and imaginary parts, as
/// Lin-KK and Z-HIT both report them (Schönleber et al. 2014, eqs. 15–16).
pub(crate) mod relative {
    /// The largest |residual| of either part.
    pub(crate) fn max_abs(re: &[f64], im: &[f64]) -> f64 {
        re.iter().chain(im).fold(0.0, |m, r| m.max(r.abs()))
    }
    /// Boukamp's pseudo-χ²: Σ (re² + im²).
    pub(crate) fn pseudo_chi2(re: &[f64], im: &[f64]) -> f64 {
        re.iter().chain(im).map(|r| r * r).sum()
    }
    /// Indices of the points with a residual of either part beyond `threshold`.
    pub(crate) fn beyond(re: &[f64], im: &[f64], threshold: f64) -> Vec<usize> {
        (0..re.len().min(im.len()))
            .filter(|&i| re[i].abs() > threshold || im[i].abs() > threshold)
            .collect()
    }
}

impl std::fmt::Display for KkResult {
    /// M, μ, the series elements and the residuals, one item per line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.admittance {
            writeln!(
                f,
                "[[Lin-KK, admittance]] M = {} RC branches, μ = {:.4}",
                self.m, self.mu
            )?;
            writeln!(f, "    R_inf                  {:.6e} Ω", self.r_ohm)?;
            if let Some(c) = self.capacitance {
                writeln!(f, "    C_inf (parallel)       {c:.6e} F")?;
            }
        } else {
            writeln!(
                f,
                "[[Lin-KK]] M = {} RC elements, μ = {:.4}",
                self.m, self.mu
            )?;
            writeln!(f, "    R0                     {:.6e} Ω", self.r_ohm)?;
            writeln!(f, "    L                      {:.6e} H", self.inductance)?;
            if let Some(c) = self.capacitance {
                writeln!(f, "    C                      {c:.6e} F")?;
            }
        }
        writeln!(
            f,
            "    max |residual|         {:.3} % of |Z| ({} points)",
            100.0 * self.max_abs_residual(),
            self.residuals_re.len()
        )?;
        if let Some(w) = self.whiteness {
            writeln!(
                f,
                "    whiteness z            {:.2} (lag-1 {:.3}, white noise {:.3}); noise ≈ {:.3} % of |{}|",
                w.z,
                w.lag1,
                w.expected,
                100.0 * w.noise,
                if self.admittance { "Y" } else { "Z" }
            )?;
        }
        Ok(())
    }
}

/// impedance.py's `get_tc_distribution`: τ₁ = 1/(2π f_max), τ_M = 1/(2π f_min), log-spaced.
fn time_constants((fmin, fmax): (f64, f64), m: usize) -> Vec<f64> {
    let (tmax, tmin) = (1.0 / (2.0 * PI * fmin), 1.0 / (2.0 * PI * fmax));
    let mut ts = vec![0.0; m];
    ts[0] = tmin;
    ts[m - 1] = tmax;
    for k in 2..m {
        ts[k - 1] =
            10f64.powf(tmin.log10() + (k as f64 - 1.0) / (m as f64 - 1.0) * (tmax / tmin).log10());
    }
    ts
}

/// Minimal-norm least squares through the SVD with numpy's `pinv` cut-off
/// (singular values below 10⁻¹⁵ × the largest are dropped).
fn lstsq(a: DMatrix<f64>, b: &DVector<f64>) -> Result<DVector<f64>> {
    let svd = a.svd(true, true);
    let smax = svd.singular_values.iter().fold(0.0f64, |m, &s| m.max(s));
    svd.solve(b, 1e-15 * smax)
        .map_err(|e| Error::Invalid(format!("Lin-KK least squares failed: {e}")))
}

/// μ = 1 − Σ|Rₖ < 0| / Σ|Rₖ ≥ 0|.
fn mu_of(r: &[f64]) -> f64 {
    let neg: f64 = r.iter().filter(|v| **v < 0.0).map(|v| v.abs()).sum();
    let pos: f64 = r.iter().filter(|v| **v >= 0.0).map(|v| v.abs()).sum();
    if pos > 0.0 {
        1.0 - neg / pos
    } else if neg > 0.0 {
        f64::NEG_INFINITY
    } else {
        1.0
    }
}

/// Elements [R₀, R₁..R_M, (1/C), L] → Ẑ at ω.
fn eval(el: &[f64], ts: &[f64], w: f64, cap: bool) -> C {
    let m = ts.len();
    let mut z = C::new(el[0], 0.0);
    for (k, &t) in ts.iter().enumerate() {
        z += el[k + 1] / C::new(1.0, w * t);
    }
    z += C::new(0.0, w * el[el.len() - 1]);
    if cap {
        // coefficient x of −1/(ω): Z_C = −j·x/ω, i.e. C = 1/x
        z += C::new(0.0, -el[m + 1] / w);
    }
    z
}

/// The weighted design of the M-element model: the real and imaginary
/// parts of each basis column and of the data, divided by |z|, with the
/// columns [R₀, R₁..R_M, (1/C), L].
struct Design {
    a_re: DMatrix<f64>,
    a_im: DMatrix<f64>,
    b_re: DVector<f64>,
    b_im: DVector<f64>,
}

impl Design {
    fn new(w: &[f64], z: &[C], ts: &[f64], cap: bool) -> Design {
        let n = z.len();
        let cols = ts.len() + 2 + usize::from(cap);
        let mut a_re = DMatrix::<f64>::zeros(n, cols);
        let mut a_im = DMatrix::<f64>::zeros(n, cols);
        let mag: Vec<f64> = z.iter().map(|v| v.norm()).collect();
        for i in 0..n {
            a_re[(i, 0)] = 1.0 / mag[i];
            a_im[(i, cols - 1)] = w[i] / mag[i];
            if cap {
                a_im[(i, cols - 2)] = -1.0 / (w[i] * mag[i]);
            }
            for (k, &t) in ts.iter().enumerate() {
                let kz = 1.0 / C::new(1.0, w[i] * t);
                a_re[(i, k + 1)] = kz.re / mag[i];
                a_im[(i, k + 1)] = kz.im / mag[i];
            }
        }
        let b_re = DVector::from_iterator(n, (0..n).map(|i| z[i].re / mag[i]));
        let b_im = DVector::from_iterator(n, (0..n).map(|i| z[i].im / mag[i]));
        Design {
            a_re,
            a_im,
            b_re,
            b_im,
        }
    }

    /// Both parts stacked: the complex fit's system (Schönleber et al. eq. 14).
    fn stacked(&self) -> (DMatrix<f64>, DVector<f64>) {
        let (n, cols) = self.a_re.shape();
        let mut a = DMatrix::<f64>::zeros(2 * n, cols);
        a.rows_mut(0, n).copy_from(&self.a_re);
        a.rows_mut(n, n).copy_from(&self.a_im);
        let mut b = DVector::<f64>::zeros(2 * n);
        b.rows_mut(0, n).copy_from(&self.b_re);
        b.rows_mut(n, n).copy_from(&self.b_im);
        (a, b)
    }
}

/// Fits M elements; returns the element vector and μ.
fn fit_m(w: &[f64], z: &[C], ts: &[f64], kind: KkFit, cap: bool) -> Result<(Vec<f64>, f64)> {
    let n = z.len();
    let m = ts.len();
    let cols = m + 2 + usize::from(cap);
    let mag: Vec<f64> = z.iter().map(|v| v.norm()).collect();
    let d = Design::new(w, z, ts, cap);
    let el: Vec<f64> = match kind {
        KkFit::Real => {
            let mut el: Vec<f64> = lstsq(d.a_re, &d.b_re)?.iter().copied().collect();
            if cap {
                el[cols - 2] = 1e-18; // no series C while evaluating the real fit
            }
            // L (and 1/C) from the imaginary residual
            let k = 1 + usize::from(cap);
            let mut a = DMatrix::<f64>::zeros(n, k);
            let mut b = DVector::<f64>::zeros(n);
            for i in 0..n {
                a[(i, k - 1)] = w[i] / mag[i];
                if cap {
                    a[(i, 0)] = -1.0 / (w[i] * mag[i]);
                }
                b[i] = (z[i].im - eval(&el, ts, w[i], cap).im) / mag[i];
            }
            let c = lstsq(a, &b)?;
            el[cols - 1] = c[k - 1];
            if cap {
                el[cols - 2] = c[0];
            }
            el
        }
        KkFit::Imag => {
            let mut el: Vec<f64> = lstsq(d.a_im, &d.b_im)?.iter().copied().collect();
            el[0] = 0.0;
            let (mut num, mut den) = (0.0, 0.0);
            for i in 0..n {
                let ws = 1.0 / (mag[i] * mag[i]);
                num += ws * (z[i].re - eval(&el, ts, w[i], cap).re);
                den += ws;
            }
            el[0] = num / den;
            el
        }
        KkFit::Complex => {
            let (a, b) = d.stacked();
            lstsq(a, &b)?.iter().copied().collect()
        }
    };
    if el.iter().any(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "Lin-KK fit with M = {m} gave non-finite coefficients"
        )));
    }
    let mu = mu_of(&el[1..=m]);
    Ok((el, mu))
}

/// The whiteness test of a complex fit's weighted residuals
/// ([`KkWhiteness`]); `order` lists the points by frequency.
fn whiteness(d: &Design, el: &[f64], order: &[usize]) -> Option<KkWhiteness> {
    let (a, b) = d.stacked();
    let n = d.b_re.len();
    let x = DVector::from_column_slice(el);
    let e = &b - &a * &x;
    let svd = a.svd(true, false);
    let u_all = svd.u?;
    let smax = svd.singular_values.iter().fold(0.0f64, |m, &s| m.max(s));
    let keep: Vec<usize> = (0..svd.singular_values.len())
        .filter(|&j| svd.singular_values[j] > 1e-15 * smax)
        .collect();
    let dof = (2 * n).checked_sub(keep.len())?;
    if dof < 3 {
        return None;
    }
    let u = u_all.select_columns(&keep);
    // neighbouring frequencies within each part
    let pairs: Vec<(usize, usize)> = [0, n]
        .iter()
        .flat_map(|&off| order.windows(2).map(move |p| (off + p[0], off + p[1])))
        .collect();
    let q: f64 = pairs.iter().map(|&(i, j)| e[i] * e[j]).sum();
    let den = e.norm_squared();
    if !(den > 0.0 && den.is_finite()) {
        return None;
    }
    // B U, with B = ½ at (i, j) and (j, i) of each pair
    let mut bu = DMatrix::<f64>::zeros(u.nrows(), u.ncols());
    for &(i, j) in &pairs {
        for c in 0..u.ncols() {
            bu[(i, c)] += 0.5 * u[(j, c)];
            bu[(j, c)] += 0.5 * u[(i, c)];
        }
    }
    let ubu = u.transpose() * &bu;
    let tr_b2 = 0.5 * pairs.len() as f64;
    let tr_bp = -ubu.trace();
    let tr_bpbp = tr_b2 - 2.0 * bu.norm_squared() + ubu.norm_squared();
    let t = dof as f64;
    let expected = tr_bp / t;
    let var = 2.0 * tr_bpbp / (t * t) - 4.0 * tr_bp * tr_bp / (t * t * t)
        + 2.0 * tr_bp * tr_bp / (t * t * t);
    if !(var > 0.0 && var.is_finite()) {
        return None;
    }
    let lag1 = q / den;
    Some(KkWhiteness {
        lag1,
        expected,
        z: (lag1 - expected) / var.sqrt(),
        noise: (den / t).sqrt(),
        dof,
    })
}

/// Runs the Lin-KK test on `data` (any frequency order; results in data order).
pub fn lin_kk(data: &ImpedanceSpectrum, opts: &KkOptions) -> Result<KkResult> {
    let n = data.len();
    if n < 3 {
        return Err(Error::Invalid(format!(
            "Lin-KK needs at least 3 points, got {n}"
        )));
    }
    if opts.max_m == 0 || opts.max_m > MAX_ELEMENTS {
        return Err(Error::Invalid(format!(
            "Lin-KK max_m = {} must be in 1..={MAX_ELEMENTS}",
            opts.max_m
        )));
    }
    match opts.select {
        KkSelect::Mu { c } if !(c.is_finite() && c <= 1.0) => {
            return Err(Error::Invalid(format!(
                "Lin-KK cut-off c = {c} must be finite and ≤ 1"
            )));
        }
        KkSelect::PseudoChi2 { factor } if !(factor.is_finite() && factor >= 1.0) => {
            return Err(Error::Invalid(format!(
                "Lin-KK pseudo-χ² factor {factor} must be finite and ≥ 1"
            )));
        }
        _ => {}
    }
    if let Some(i) = data.z().iter().position(|v| v.norm() == 0.0) {
        return Err(Error::Invalid(format!(
            "Lin-KK divides by |Z|, which is 0 at point {i}"
        )));
    }
    let f = data.freq();
    let range = data.freq_range();
    if range.1 <= range.0 {
        return Err(Error::Invalid(
            "Lin-KK needs more than one distinct frequency".into(),
        ));
    }
    if opts.admittance && opts.add_capacitance {
        return Err(Error::Invalid(
            "Lin-KK: add_capacitance is for the impedance representation; the admittance \
             representation follows a capacitive tail without it"
                .into(),
        ));
    }
    let w: Vec<f64> = f.iter().map(|v| 2.0 * PI * v).collect();
    let z_data = data.z();
    // the representation fitted: Z, or Y = 1/Z (whose model is the same
    // linear basis: G_∞ − Σ Gₖ/(1 + jωτₖ) + jωC_∞)
    let y_data: Vec<C> = if opts.admittance {
        z_data.iter().map(|v| 1.0 / v).collect()
    } else {
        Vec::new()
    };
    let z: &[C] = if opts.admittance { &y_data } else { z_data };
    let adm = opts.admittance;
    // the model's impedance at ω from the fitted element vector
    let z_of = |el: &[f64], ts: &[f64], wi: f64| -> C {
        let v = eval(el, ts, wi, opts.add_capacitance);
        if adm { 1.0 / v } else { v }
    };
    let cap = opts.add_capacitance;
    let one = |m: usize| -> Result<(Vec<f64>, Vec<f64>, f64, KkScanPoint)> {
        let ts = time_constants(range, m);
        let (el, mu) = fit_m(&w, z, &ts, opts.fit, cap)?;
        // admittance: the branch conductances are −(the basis coefficients)
        let mu = if adm {
            mu_of(&el[1..=m].iter().map(|v| -v).collect::<Vec<_>>())
        } else {
            mu
        };
        let (mut chi2, mut max) = (0.0, 0.0f64);
        for (&wi, zi) in w.iter().zip(z_data) {
            let e = (zi - z_of(&el, &ts, wi)) / zi.norm();
            chi2 += e.norm_sqr();
            max = max.max(e.re.abs()).max(e.im.abs());
        }
        let point = KkScanPoint {
            m,
            mu,
            pseudo_chi2: chi2,
            max_abs_residual: max,
        };
        Ok((ts, el, mu, point))
    };
    let mut scan = Vec::new();
    let (m, ts, el, mu) = match opts.select {
        KkSelect::Mu { c } => {
            let mut m = 0;
            loop {
                m += 1;
                let (ts, el, mu, p) = one(m)?;
                scan.push(p);
                if mu <= c || m >= opts.max_m {
                    break (m, ts, el, mu);
                }
            }
        }
        KkSelect::PseudoChi2 { factor } => {
            // every fit kept: the chosen one is not refitted
            let mut fits = Vec::with_capacity(opts.max_m);
            for m in 1..=opts.max_m {
                let (ts, el, mu, p) = one(m)?;
                scan.push(p);
                fits.push((ts, el, mu));
            }
            let best = scan
                .iter()
                .map(|p| p.pseudo_chi2)
                .fold(f64::INFINITY, f64::min);
            let k = scan
                .iter()
                .position(|p| p.pseudo_chi2 <= factor * best)
                .unwrap_or(opts.max_m - 1);
            let (ts, el, mu) = fits.swap_remove(k);
            (k + 1, ts, el, mu)
        }
        KkSelect::Fixed => {
            let (ts, el, mu, p) = one(opts.max_m)?;
            scan.push(p);
            (opts.max_m, ts, el, mu)
        }
    };
    let white = if opts.fit == KkFit::Complex {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| f[i].total_cmp(&f[j]));
        whiteness(&Design::new(&w, z, &ts, cap), &el, &order)
    } else {
        None
    };
    let z_fit: Vec<C> = w.iter().map(|&wi| z_of(&el, &ts, wi)).collect();
    let (mut rr, mut ri) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (zi, zf) in z_data.iter().zip(&z_fit) {
        let e = (zi - zf) / zi.norm();
        rr.push(e.re);
        ri.push(e.im);
    }
    let (r_ohm, resistances, inductance, capacitance) = if adm {
        (
            1.0 / el[0],
            el[1..=m].iter().map(|g| -1.0 / g).collect(),
            0.0,
            Some(el[el.len() - 1]),
        )
    } else {
        (
            el[0],
            el[1..=m].to_vec(),
            el[el.len() - 1],
            cap.then(|| 1.0 / el[m + 1]),
        )
    };
    Ok(KkResult {
        m,
        mu,
        r_ohm,
        resistances,
        inductance,
        capacitance,
        admittance: adm,
        taus: ts,
        z_fit,
        residuals_re: rr,
        residuals_im: ri,
        scan,
        whiteness: white,
    })
}

/// μ, pseudo-χ² and the largest residual for every M from 1 to
/// `opts.max_m` (the M-scan view: μ falls and pseudo-χ² levels off as M
/// grows; `opts.select` is ignored).
pub fn kk_scan(data: &ImpedanceSpectrum, opts: &KkOptions) -> Result<Vec<KkScanPoint>> {
    let o = KkOptions {
        select: KkSelect::PseudoChi2 { factor: 1.0 },
        ..opts.clone()
    };
    lin_kk(data, &o).map(|r| r.scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_constants_match_impedance_py() {
        let ts = time_constants((1.0, 100.0), 3);
        assert!((ts[0] - 1.0 / (200.0 * PI)).abs() < 1e-18);
        assert!((ts[1] - 1.0 / (20.0 * PI)).abs() < 1e-15);
        assert!((ts[2] - 1.0 / (2.0 * PI)).abs() < 1e-15);
        // M = 1: the single element sits at τ_max (impedance.py overwrites τ_min)
        let ts = time_constants((1.0, 10.0), 1);
        assert!((ts[0] - 1.0 / (2.0 * PI)).abs() < 1e-15);
    }

    /// The moments from the thin U agree with the dense projector
    /// P = I − A A⁺ and the dense lag matrix B.
    #[test]
    fn whiteness_moments_match_the_dense_formulas() {
        let n = 12;
        let w: Vec<f64> = (0..n).map(|i| 10f64.powf(4.0 - 0.5 * i as f64)).collect();
        let z: Vec<C> = w
            .iter()
            .enumerate()
            .map(|(i, &wi)| {
                C::new(5.0, 0.0)
                    + 100.0 / C::new(1.0, wi * 1e-3)
                    + C::new(0.01 * ((i * 7 % 5) as f64 - 2.0), 0.0)
            })
            .collect();
        let ts = time_constants((w[n - 1] / (2.0 * PI), w[0] / (2.0 * PI)), 4);
        let d = Design::new(&w, &z, &ts, true);
        let (a, b) = d.stacked();
        let el: Vec<f64> = lstsq(a.clone(), &b).unwrap().iter().copied().collect();
        // data in descending frequency: order by frequency is reversed
        let order: Vec<usize> = (0..n).rev().collect();
        let got = whiteness(&d, &el, &order).unwrap();
        let pinv = a.clone().pseudo_inverse(1e-15).unwrap();
        let p = DMatrix::<f64>::identity(2 * n, 2 * n) - &a * pinv;
        let mut bm = DMatrix::<f64>::zeros(2 * n, 2 * n);
        for off in [0, n] {
            for i in 0..n - 1 {
                bm[(off + i, off + i + 1)] = 0.5;
                bm[(off + i + 1, off + i)] = 0.5;
            }
        }
        let e = &p * &b;
        let t = p.trace();
        assert!((t - got.dof as f64).abs() < 1e-9, "{t}");
        let bp = &bm * &p;
        let (eq, vq) = (bp.trace(), 2.0 * (&bp * &bp).trace());
        let var = vq / (t * t) - 2.0 * eq * 2.0 * eq / t.powi(3) + eq * eq * 2.0 * t / t.powi(4);
        let lag1 = (e.transpose() * &bm * &e)[0] / e.norm_squared();
        assert!((got.lag1 - lag1).abs() < 1e-9, "{} {lag1}", got.lag1);
        assert!((got.expected - eq / t).abs() < 1e-9);
        assert!((got.z - (lag1 - eq / t) / var.sqrt()).abs() < 1e-6);
        assert!((got.noise - (e.norm_squared() / t).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn mu_edge_cases() {
        assert!((mu_of(&[1.0, -0.5]) - 0.5).abs() < 1e-15);
        assert!((mu_of(&[0.0, 0.0]) - 1.0).abs() < 1e-15);
        assert!(mu_of(&[-1.0]).is_infinite());
    }

    #[test]
    fn bad_options_are_errors() {
        let d = ImpedanceSpectrum::from_parts(vec![1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], &[0.0; 3])
            .unwrap();
        let o = KkOptions {
            max_m: 0,
            ..KkOptions::default()
        };
        assert!(lin_kk(&d, &o).unwrap_err().to_string().contains("max_m"));
        let o = KkOptions {
            select: KkSelect::Mu { c: f64::NAN },
            ..KkOptions::default()
        };
        assert!(lin_kk(&d, &o).unwrap_err().to_string().contains("cut-off"));
        let d2 = ImpedanceSpectrum::from_parts(vec![1.0, 2.0], &[1.0, 1.0], &[0.0; 2]).unwrap();
        assert!(lin_kk(&d2, &KkOptions::default()).is_err());
    }
}
