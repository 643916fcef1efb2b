//! Distribution of relaxation times (DRT) by Tikhonov regularisation with a
//! Gaussian radial-basis discretisation, as in DRTtools / pyDRTtools (T. H.
//! Wan, M. Saccoccio, C. Chen and F. Ciucci, *Electrochim. Acta* 184 (2015)
//! 483), with non-negativity and the regularisation parameter λ chosen by
//! generalised cross-validation or the L-curve.
//!
//! The impedance is written
//! Z(ω) = R∞ + jωL + ∫ γ(ln τ) / (1 + jωτ) d ln τ,
//! γ(ln τ) = Σₘ xₘ exp(−(ε (ln τ − ln τₘ))²),
//! with one Gaussian per measured frequency (τₘ = 1/(2π fₘ), or 1/fₘ as
//! pyDRTtools places them, see [`TauGrid`]) and the shape factor
//! ε = c · 2√(ln 2) / Δ, where Δ is the mean spacing of ln(1/f) and c the
//! FWHM coefficient (default 0.5: each Gaussian's full width at half maximum
//! is 1/c = 2 point spacings). γ is in Ω (per unit ln τ), so the area under a
//! peak is the resistance of that process; an ideal RC element of R and τ
//! gives a single peak at τ of area R, a ZARC a broadened one.
//!
//! The coefficients minimise
//! ‖W(A x − Z)‖² + λ xᵀ M x with x ≥ 0,
//! where A holds the analytic model integrals (computed by the trapezoidal
//! rule, exponentially accurate for these smooth integrands), M the
//! inner products of the first (or second) derivatives of the Gaussians (Wan
//! et al. eq. 38, closed forms) and W optional weights. The non-negative
//! quadratic programme is solved exactly by an active-set method (Bro & de
//! Jong's fast NNLS on the normal equations). λ is chosen, over
//! 10⁻⁷ … 1 like pyDRTtools, by:
//! - generalised cross-validation (Wahba 1985; pyDRTtools' `GCV`): the
//!   minimum of n‖(I − K)b‖² / tr(I − K)² with K the influence matrix of the
//!   unconstrained ridge problem, located globally on a grid and refined by
//!   golden section (pyDRTtools runs a local SLSQP from 10⁻³, which can stop
//!   in a local minimum);
//! - the L-curve (Hansen & O'Leary 1993): the λ of largest curvature of
//!   (log‖Ax − b‖, log √(xᵀMx)) of the ridge solutions. Noise-free
//!   (simulated) data have no corner — the curve is nearly straight — so
//!   prefer GCV there.
//!
//! Without weights λ is dimensionless (both terms scale as Ω²); with
//! [`DrtWeighting::Modulus`] the weights 1/|Z| are normalised to a mean
//! square of one so λ keeps that meaning.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum, drt::{drt, DrtOptions}};
//! // two RC processes, 100 Ω at τ = 10 µs and 50 Ω at τ = 10 ms
//! let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse()?;
//! let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f)?;
//! let d = drt(&data, &DrtOptions::default())?;
//! assert_eq!(d.peaks.len(), 2);
//! assert!((d.peaks[0].tau / 1e-5 - 1.0).abs() < 0.1);
//! assert!((d.peaks[1].tau / 1e-2 - 1.0).abs() < 0.1);
//! assert!((d.peaks[0].resistance - 100.0).abs() < 3.0);
//! assert!((d.r_inf - 10.0).abs() < 0.5);
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::Complex64 as C;
use crate::data::ImpedanceSpectrum;
use crate::error::{Error, Result};

/// Which part of the data the DRT is fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrtPart {
    /// Real and imaginary parts together (pyDRTtools' "Combined Re-Im Data").
    #[default]
    Combined,
    /// The real part; L is then estimated from the imaginary residual
    /// (pyDRTtools leaves it at 0).
    Real,
    /// The imaginary part; R∞ is then estimated from the real residual
    /// (pyDRTtools leaves it at 0).
    Imag,
}

/// How λ is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lambda {
    /// Generalised cross-validation.
    #[default]
    Gcv,
    /// Largest curvature of the L-curve.
    LCurve,
    /// Generalised maximum likelihood (Wahba, *Ann. Stat.* 13 (1985)
    /// 1378): the λ that maximises the marginal likelihood of the data under
    /// the Gaussian prior that the penalty implies (the posterior
    /// [`crate::drt_bands`] samples), i.e. minimises
    /// ‖(I − K)b‖² / det⁺(I − K)^{1/(n − m₀)} (K the influence matrix, det⁺
    /// over its non-unit eigenvalues, m₀ the unpenalised directions).
    Gml,
    /// A user value (finite, > 0).
    Fixed(f64),
}

/// The derivative of γ that is penalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Derivative {
    /// ∫ (dγ/d ln τ)² (pyDRTtools' default).
    #[default]
    First,
    /// ∫ (d²γ/d ln τ²)².
    Second,
}

/// Residual weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DrtWeighting {
    /// None (pyDRTtools).
    #[default]
    Unit,
    /// 1/|Z| (normalised to a mean square of 1): every decade of |Z| counts,
    /// e.g. a small bulk arc next to a large interface arc.
    Modulus,
}

/// Where the Gaussians sit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TauGrid {
    /// τₘ = 1/(2π fₘ): the time constant of an RC element whose apex is at fₘ.
    #[default]
    Angular,
    /// τₘ = 1/fₘ, as pyDRTtools (for number-for-number comparisons).
    Inverse,
}

/// Options of [`drt`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrtOptions {
    /// The part of the data fitted.
    pub part: DrtPart,
    /// How λ is chosen.
    pub lambda: Lambda,
    /// The penalised derivative.
    pub derivative: Derivative,
    /// FWHM coefficient c of the Gaussians (finite, > 0; default 0.5).
    pub fwhm_coeff: f64,
    /// Fit a series inductance L ≥ 0 (default true, as pyDRTtools).
    pub inductance: bool,
    /// Residual weights.
    pub weighting: DrtWeighting,
    /// Placement of the Gaussians.
    pub tau_grid: TauGrid,
    /// Points per decade of the output γ(τ) grid (1..=1000, default 50); the
    /// grid extends a decade (or 6/ε) beyond the Gaussians' centres.
    pub points_per_decade: usize,
    /// Peaks lower than this fraction of the highest γ are ignored
    /// (default 0.01).
    pub peak_threshold: f64,
}

impl Default for DrtOptions {
    fn default() -> Self {
        DrtOptions {
            part: DrtPart::Combined,
            lambda: Lambda::Gcv,
            derivative: Derivative::First,
            fwhm_coeff: 0.5,
            inductance: true,
            weighting: DrtWeighting::Unit,
            tau_grid: TauGrid::Angular,
            points_per_decade: 50,
            peak_threshold: 0.01,
        }
    }
}

/// Most data points accepted (the matrices grow as n²).
pub const MAX_POINTS: usize = 2000;

/// The λ search interval (pyDRTtools' bounds).
pub const LAMBDA_RANGE: (f64, f64) = (1e-7, 1.0);

/// One process of the DRT.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DrtPeak {
    /// Time constant at the maximum, s.
    pub tau: f64,
    /// The matching frequency 1/(2πτ), Hz.
    pub frequency: f64,
    /// γ at the maximum, Ω.
    pub gamma: f64,
    /// Area under the peak between its neighbouring minima, Ω.
    pub resistance: f64,
    /// τ/R: the capacitance of the equivalent RC element, F.
    pub capacitance: f64,
    /// The τ interval the area was taken over, s.
    pub tau_range: (f64, f64),
}

/// The outcome of [`drt`]. `Display` prints λ, R∞, R_pol and the peaks.
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum, drt::{drt, DrtOptions}};
/// let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse()?;
/// let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
/// let data = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f)?;
/// let d = drt(&data, &DrtOptions::default())?;
/// println!("{d}");
/// assert_eq!(d.significant_peaks(0.05).len(), 2); // 100 Ω at 10 µs, 50 Ω at 10 ms
/// # Ok::<(), interphase_eis::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrtResult {
    /// The options used.
    pub options: DrtOptions,
    /// λ used.
    pub lambda: f64,
    /// Shape factor ε of the Gaussians.
    pub epsilon: f64,
    /// R∞ (high-frequency resistance), Ω.
    pub r_inf: f64,
    /// Series inductance, H (0 without `inductance`).
    pub inductance: f64,
    /// Centres τₘ of the Gaussians, s (increasing).
    pub tau_centers: Vec<f64>,
    /// Their weights xₘ ≥ 0, Ω.
    pub coefficients: Vec<f64>,
    /// The output grid τ, s (increasing).
    pub tau: Vec<f64>,
    /// γ(τ) on that grid, Ω.
    pub gamma: Vec<f64>,
    /// The peaks, by increasing τ.
    pub peaks: Vec<DrtPeak>,
    /// ∫ γ d ln τ: the total polarisation resistance, Ω.
    pub polarization_resistance: f64,
    /// Ẑ at the data frequencies (not serialised; the residuals are).
    #[serde(skip)]
    pub z_fit: Vec<C>,
    /// (Re Z − Re Ẑ)/|Z|, in data order.
    pub residuals_re: Vec<f64>,
    /// (Im Z − Im Ẑ)/|Z|, in data order.
    pub residuals_im: Vec<f64>,
}

impl DrtResult {
    /// The peaks holding more than `fraction` of the polarization resistance
    /// (0.05: the LLTO report's "> 5 % of R_pol"), in τ order; the small
    /// ripples of a regularised DRT drop out. `fraction = 0` gives them all.
    pub fn significant_peaks(&self, fraction: f64) -> Vec<&DrtPeak> {
        self.peaks
            .iter()
            .filter(|p| p.resistance > fraction * self.polarization_resistance)
            .collect()
    }

    /// γ at any τ (s), Ω.
    pub fn gamma_at(&self, tau: f64) -> f64 {
        gamma_of(&self.coefficients, &self.tau_centers, self.epsilon, tau)
    }
    /// Ẑ at frequency `f` (Hz).
    pub fn z_at(&self, f: f64) -> C {
        let q = Quadrature::new(self.epsilon);
        let w = 2.0 * PI * f;
        let mut z = C::new(self.r_inf, w * self.inductance);
        for (x, t) in self.coefficients.iter().zip(&self.tau_centers) {
            let (gr, gi) = q.kernel(w * t);
            z += C::new(x * gr, -x * gi);
        }
        z
    }
    /// The largest |residual| of either part.
    pub fn max_abs_residual(&self) -> f64 {
        self.residuals_re
            .iter()
            .chain(&self.residuals_im)
            .fold(0.0, |m, r| m.max(r.abs()))
    }
}

impl std::fmt::Display for DrtResult {
    /// λ, R∞, R_pol, the residuals and one line per peak.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[[DRT]] λ = {:.3e}, R∞ = {:.6e} Ω, R_pol = {:.6e} Ω, L = {:.3e} H, max |residual| = {:.3} % of |Z|",
            self.lambda,
            self.r_inf,
            self.polarization_resistance,
            self.inductance,
            100.0 * self.max_abs_residual()
        )?;
        for (k, p) in self.peaks.iter().enumerate() {
            writeln!(
                f,
                "    peak {}: τ = {:.4e} s (f = {:.4e} Hz), R = {:.5e} Ω, C = τ/R = {:.4e} F",
                k + 1,
                p.tau,
                p.frequency,
                p.resistance,
                p.capacitance
            )?;
        }
        Ok(())
    }
}

pub(crate) fn gamma_of(x: &[f64], centers: &[f64], eps: f64, tau: f64) -> f64 {
    let y = tau.ln();
    x.iter()
        .zip(centers)
        .map(|(x, c)| x * (-(eps * (y - c.ln())).powi(2)).exp())
        .sum()
}

/// Trapezoidal rule for ∫ φ(u) K(α eᵘ) du with φ the Gaussian: nodes and weights.
struct Quadrature {
    w: Vec<f64>,
    e: Vec<f64>,
}

impl Quadrature {
    fn new(eps: f64) -> Self {
        // the Gaussian is below e⁻⁴² beyond 6.5/ε; the kernels' poles lie π/2
        // off the real axis, so a step ≤ 0.25 (and ≤ 0.4/ε for the Gaussian)
        // keeps the trapezoidal error below 1e-17
        let half = 6.5 / eps;
        let h = (0.4 / eps).min(0.25);
        let k = (half / h).ceil() as i64;
        let (mut w, mut e) = (Vec::new(), Vec::new());
        for i in -k..=k {
            let u = i as f64 * h;
            w.push(h * (-(eps * u).powi(2)).exp());
            e.push(u.exp());
        }
        Quadrature { w, e }
    }
    /// (∫ φ/(1 + α²e²ᵘ) du, ∫ φ αeᵘ/(1 + α²e²ᵘ) du) for α = ωτₘ.
    fn kernel(&self, alpha: f64) -> (f64, f64) {
        let (mut re, mut im) = (0.0, 0.0);
        for (w, e) in self.w.iter().zip(&self.e) {
            let ae = alpha * e;
            let d = w / (1.0 + ae * ae);
            re += d;
            im += d * ae;
        }
        (re, im)
    }
}

/// ∫ φᵢ⁽ᵏ⁾ φⱼ⁽ᵏ⁾ d ln τ for Gaussians a = ε Δ ln τ apart (Wan et al. 2015).
fn m_entry(eps: f64, a: f64, der: Derivative) -> f64 {
    let g = (-a * a / 2.0).exp() * (PI / 2.0).sqrt();
    match der {
        Derivative::First => eps * (1.0 - a * a) * g,
        Derivative::Second => eps.powi(3) * (3.0 - 6.0 * a * a + a.powi(4)) * g,
    }
}

/// The assembled least-squares problem: rows = weighted data parts, columns
/// = [R∞?, L?, x₁..x_M].
pub(crate) struct Problem {
    pub(crate) a: DMatrix<f64>,
    pub(crate) b: DVector<f64>,
    pub(crate) m_pad: DMatrix<f64>,
    pub(crate) offset: usize,
    pub(crate) has_r: bool,
    pub(crate) has_l: bool,
}

/// D M D for a diagonal D given as a vector.
fn scale_sym(mut m: DMatrix<f64>, d: &DVector<f64>) -> DMatrix<f64> {
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] *= d[i] * d[j];
        }
    }
    m
}

/// Ridge solution and its statistics for one λ (unconstrained).
struct Ridge {
    rss: f64,
    seminorm2: f64,
    trace_k: f64,
}

impl Problem {
    pub(crate) fn normal(&self, lambda: f64) -> DMatrix<f64> {
        self.a.transpose() * &self.a + &self.m_pad * lambda
    }

    /// Diagonal scaling 1/√Hⱼⱼ (the solution is invariant; conditioning is not).
    fn scaled(h: &DMatrix<f64>) -> (DMatrix<f64>, DVector<f64>) {
        let k = h.nrows();
        let d = DVector::from_iterator(
            k,
            (0..k).map(|j| {
                let v = h[(j, j)];
                if v > 0.0 { 1.0 / v.sqrt() } else { 1.0 }
            }),
        );
        (scale_sym(h.clone(), &d), d)
    }

    /// The ridge statistics by direct solution (the reference for [`Spectral`]).
    #[cfg(test)]
    fn ridge(&self, lambda: f64) -> Option<Ridge> {
        let h = self.normal(lambda);
        let (hs, d) = Self::scaled(&h);
        let chol = hs.cholesky()?;
        let atb = self.a.transpose() * &self.b;
        let rhs = atb.component_mul(&d);
        let x = chol.solve(&rhs).component_mul(&d);
        let r = &self.a * &x - &self.b;
        // tr K = tr(H⁻¹ AᵀA) = tr(Hs⁻¹ D AᵀA D)
        let gs = scale_sym(self.a.transpose() * &self.a, &d);
        let trace_k = chol.solve(&gs).trace();
        let seminorm2 = (x.transpose() * &self.m_pad * &x)[(0, 0)];
        Some(Ridge {
            rss: r.norm_squared(),
            seminorm2,
            trace_k,
        })
    }
}

/// The ridge solutions for every λ from one generalised eigendecomposition:
/// with S = G + sM = LLᵀ (G = AᵀA, s the smallest λ wanted, so S is no
/// worse conditioned than any H(λ) and every eigenvalue that matters is
/// resolved) and
/// L⁻¹GL⁻ᵀ = U diag(μ) Uᵀ, H(λ) = G + λM = L U diag(μ + (λ/s)(1 − μ)) Uᵀ Lᵀ,
/// so each λ costs O(nk) instead of O(k³) (diagonal scaling D throughout for
/// conditioning).
struct Spectral {
    mu: DVector<f64>,
    /// A D L⁻ᵀ U.
    p: DMatrix<f64>,
    /// Uᵀ L⁻¹ D Aᵀb.
    beta: DVector<f64>,
    b: DVector<f64>,
    s: f64,
}

impl Spectral {
    fn new(pr: &Problem, s: f64) -> Option<Self> {
        let g = pr.a.transpose() * &pr.a;
        let sum = &g + &pr.m_pad * s;
        let (sum_s, d) = Problem::scaled(&sum);
        let l = sum_s.cholesky()?.l();
        let gs = scale_sym(g, &d);
        let k = gs.nrows();
        let x = l.solve_lower_triangular(&gs)?;
        let c = l.solve_lower_triangular(&x.transpose())?;
        let c = (&c + c.transpose()) * 0.5;
        let eig = c.symmetric_eigen();
        let mu = eig.eigenvalues.map(|v| v.clamp(0.0, 1.0));
        let u = eig.eigenvectors;
        let linv = l.solve_lower_triangular(&DMatrix::identity(k, k))?;
        let w = u.transpose() * &linv; // Uᵀ L⁻¹
        let mut ad = pr.a.clone();
        for j in 0..k {
            ad.column_mut(j).scale_mut(d[j]);
        }
        let p = &ad * w.transpose();
        let atb = (pr.a.transpose() * &pr.b).component_mul(&d);
        let beta = &w * atb;
        Some(Spectral {
            mu,
            p,
            beta,
            b: pr.b.clone(),
            s,
        })
    }

    fn ridge(&self, lambda: f64) -> Ridge {
        let t = lambda / self.s;
        let y = DVector::from_fn(self.mu.len(), |i, _| {
            let d = self.mu[i] + t * (1.0 - self.mu[i]);
            if d > 0.0 { self.beta[i] / d } else { 0.0 }
        });
        let trace_k = self
            .mu
            .iter()
            .map(|&m| {
                let d = m + t * (1.0 - m);
                if d > 0.0 { m / d } else { 0.0 }
            })
            .sum();
        let seminorm2 = self
            .mu
            .iter()
            .zip(y.iter())
            .map(|(m, y)| (1.0 - m) * y * y)
            .sum::<f64>()
            / self.s;
        Ridge {
            rss: (&self.p * y - &self.b).norm_squared(),
            seminorm2,
            trace_k,
        }
    }

    fn gcv(&self, log_lambda: f64) -> f64 {
        let n = self.b.len() as f64;
        let r = self.ridge(log_lambda.exp());
        let den = (n - r.trace_k) / n;
        if den > 0.0 {
            (r.rss / n) / (den * den)
        } else {
            f64::INFINITY
        }
    }

    /// ln of the GML score ([`Lambda::Gml`]) at λ = e^`log_lambda`: the
    /// influence matrix's eigenvalues are κᵢ = μᵢ/(μᵢ + t(1 − μᵢ)) on the
    /// columns' space (t = λ/s) and 0 off it, so det⁺(I − K) is the product
    /// of 1 − κᵢ over the penalised directions (μᵢ < 1).
    fn gml(&self, log_lambda: f64) -> f64 {
        let t = log_lambda.exp() / self.s;
        let (mut logdet, mut m0) = (0.0, 0usize);
        for &m in self.mu.iter() {
            if m >= 1.0 - 1e-12 {
                m0 += 1; // unpenalised: κ = 1 at every λ
                continue;
            }
            let d = m + t * (1.0 - m);
            logdet += (t * (1.0 - m) / d).ln();
        }
        let dof = self.b.len().saturating_sub(m0);
        let rss = self.ridge(log_lambda.exp()).rss;
        if dof == 0 || rss.is_nan() || rss <= 0.0 {
            return f64::INFINITY;
        }
        rss.ln() - logdet / dof as f64
    }

    fn choose_gml(&self) -> Result<f64> {
        self.choose_min(|t| self.gml(t), "GML")
    }

    fn choose_gcv(&self) -> Result<f64> {
        self.choose_min(|t| self.gcv(t), "GCV")
    }

    /// The λ in [`LAMBDA_RANGE`] minimising `score(ln λ)`: a grid of 8 per
    /// decade, then golden section around its minimum.
    fn choose_min(&self, score: impl Fn(f64) -> f64, what: &str) -> Result<f64> {
        let (lo, hi) = (LAMBDA_RANGE.0.ln(), LAMBDA_RANGE.1.ln());
        let steps = 56; // 8 per decade
        let h = (hi - lo) / steps as f64;
        let grid: Vec<f64> = (0..=steps).map(|i| lo + h * i as f64).collect();
        let scores: Vec<f64> = grid.iter().map(|&t| score(t)).collect();
        let best = (0..grid.len())
            .filter(|&i| scores[i].is_finite())
            .min_by(|&a, &b| scores[a].total_cmp(&scores[b]))
            .ok_or_else(|| Error::Invalid(format!("DRT: {what} failed for every λ")))?;
        // golden section on the bracket around the grid minimum
        let (mut a, mut b) = (grid[best.saturating_sub(1)], grid[(best + 1).min(steps)]);
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (score(c), score(d));
        for _ in 0..30 {
            if fc < fd {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = score(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = score(d);
            }
        }
        let t = if fc < fd { c } else { d };
        let t = if score(t) <= scores[best] {
            t
        } else {
            grid[best]
        };
        Ok(t.exp().clamp(LAMBDA_RANGE.0, LAMBDA_RANGE.1))
    }

    fn choose_lcurve(&self) -> Result<f64> {
        let (lo, hi) = (LAMBDA_RANGE.0.ln(), LAMBDA_RANGE.1.ln());
        let steps = 140; // 20 per decade
        let h = (hi - lo) / steps as f64;
        let mut pts = Vec::with_capacity(steps + 1);
        for i in 0..=steps {
            let t = lo + h * i as f64;
            let r = self.ridge(t.exp());
            if !(r.rss > 0.0 && r.seminorm2 > 0.0) {
                return Err(Error::Invalid(format!(
                    "DRT: the L-curve is degenerate at λ = {}",
                    t.exp()
                )));
            }
            pts.push((t, 0.5 * r.rss.ln(), 0.5 * r.seminorm2.ln()));
        }
        let mut best = (f64::NEG_INFINITY, pts[steps / 2].0);
        for i in 1..steps {
            let (x0, y0) = (pts[i - 1].1, pts[i - 1].2);
            let (x1, y1) = (pts[i].1, pts[i].2);
            let (x2, y2) = (pts[i + 1].1, pts[i + 1].2);
            let (dx, dy) = ((x2 - x0) / (2.0 * h), (y2 - y0) / (2.0 * h));
            let (ddx, ddy) = (
                (x2 - 2.0 * x1 + x0) / (h * h),
                (y2 - 2.0 * y1 + y0) / (h * h),
            );
            let den = (dx * dx + dy * dy).powf(1.5);
            if den > 0.0 {
                let kappa = (dx * ddy - dy * ddx) / den;
                if kappa > best.0 {
                    best = (kappa, pts[i].0);
                }
            }
        }
        Ok(best.1.exp().clamp(LAMBDA_RANGE.0, LAMBDA_RANGE.1))
    }
}

/// The λ-selection criteria at one λ (ridge solution without the
/// non-negativity constraint, as the GCV and L-curve choices use).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LambdaScore {
    /// λ.
    pub lambda: f64,
    /// The GCV score n‖(I − K)b‖² / tr(I − K)² (pyDRTtools' `compute_GCV`), Ω².
    pub gcv: f64,
    /// ln of the GML score ‖(I − K)b‖² / det⁺(I − K)^{1/(n − m₀)}
    /// ([`Lambda::Gml`]; only differences between λ matter).
    pub gml: f64,
    /// ‖W(Ax − b)‖, Ω (weighted).
    pub residual_norm: f64,
    /// √(xᵀMx): the size of the penalised derivative, Ω.
    pub seminorm: f64,
}

/// GCV score, residual norm and penalty seminorm at each λ (finite, > 0):
/// the curves behind [`Lambda::Gcv`] and [`Lambda::LCurve`], e.g. to plot the
/// L-curve or check that the GCV minimum is well defined.
pub fn lambda_scores(
    data: &ImpedanceSpectrum,
    opts: &DrtOptions,
    lambdas: &[f64],
) -> Result<Vec<LambdaScore>> {
    if let Some(l) = lambdas.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
        return Err(Error::Invalid(format!(
            "DRT λ must be finite and > 0, got {l}"
        )));
    }
    let s = setup(data, opts)?;
    let smallest = lambdas.iter().fold(f64::INFINITY, |m, &l| m.min(l));
    if !smallest.is_finite() {
        return Ok(Vec::new());
    }
    let sp = Spectral::new(&s.problem, smallest).ok_or_else(|| {
        Error::Invalid("DRT: the normal equations are singular (λ search)".into())
    })?;
    Ok(lambdas
        .iter()
        .map(|&l| {
            let r = sp.ridge(l);
            LambdaScore {
                lambda: l,
                gcv: sp.gcv(l.ln()),
                gml: sp.gml(l.ln()),
                residual_norm: r.rss.sqrt(),
                seminorm: r.seminorm2.max(0.0).sqrt(),
            }
        })
        .collect())
}

/// Non-negative minimiser of ½xᵀHx − cᵀx for positive-definite H: the
/// active-set method of Lawson & Hanson in the normal-equation form of Bro &
/// de Jong (*J. Chemometrics* 11 (1997) 393).
fn nnqp(h: &DMatrix<f64>, c: &DVector<f64>) -> Result<DVector<f64>> {
    let (hs, d) = Problem::scaled(h);
    let cs = c.component_mul(&d);
    let k = cs.len();
    let tol = 1e-12 * cs.amax().max(f64::MIN_POSITIVE);
    let mut passive = vec![false; k];
    let mut blocked = vec![false; k];
    let mut x = DVector::<f64>::zeros(k);
    let solve = |passive: &[bool]| -> Result<DVector<f64>> {
        let idx: Vec<usize> = (0..k).filter(|&i| passive[i]).collect();
        let p = idx.len();
        let sub = DMatrix::from_fn(p, p, |i, j| hs[(idx[i], idx[j])]);
        let rhs = DVector::from_fn(p, |i, _| cs[idx[i]]);
        let sol = sub
            .cholesky()
            .map(|ch| ch.solve(&rhs))
            .ok_or_else(|| Error::Invalid("DRT: the regularised system is singular".into()))?;
        let mut s = DVector::zeros(k);
        for (i, &j) in idx.iter().enumerate() {
            s[j] = sol[i];
        }
        Ok(s)
    };
    for _ in 0..(3 * k + 10) {
        let w = &cs - &hs * &x;
        let next = (0..k)
            .filter(|&j| !passive[j] && !blocked[j] && w[j] > tol)
            .max_by(|&a, &b| w[a].total_cmp(&w[b]));
        let Some(j) = next else {
            return Ok(x.component_mul(&d));
        };
        passive[j] = true;
        let before = x.clone();
        let mut s = solve(&passive)?;
        let mut inner = 0;
        while (0..k).any(|i| passive[i] && s[i] <= 0.0) {
            inner += 1;
            if inner > 3 * k + 10 {
                return Err(Error::Invalid(
                    "DRT: the non-negative solver did not converge".into(),
                ));
            }
            let alpha = (0..k)
                .filter(|&i| passive[i] && s[i] <= 0.0)
                .map(|i| x[i] / (x[i] - s[i]))
                .fold(f64::INFINITY, f64::min);
            x += (&s - &x) * alpha;
            for i in 0..k {
                if passive[i] && x[i] <= 1e-15 * x.amax().max(f64::MIN_POSITIVE) {
                    passive[i] = false;
                    x[i] = 0.0;
                }
            }
            s = if passive.iter().any(|&p| p) {
                solve(&passive)?
            } else {
                DVector::zeros(k)
            };
        }
        x = s;
        if x == before {
            // j could not enter: skip it until something else changes
            blocked[j] = true;
        } else {
            blocked.iter_mut().for_each(|b| *b = false);
        }
    }
    Err(Error::Invalid(
        "DRT: the non-negative solver did not converge".into(),
    ))
}

fn check(data: &ImpedanceSpectrum, o: &DrtOptions) -> Result<()> {
    let n = data.len();
    if n < 5 {
        return Err(Error::Invalid(format!(
            "DRT needs at least 5 points, got {n}"
        )));
    }
    if n > MAX_POINTS {
        return Err(Error::Invalid(format!(
            "DRT accepts at most {MAX_POINTS} points, got {n}"
        )));
    }
    if !(o.fwhm_coeff.is_finite() && o.fwhm_coeff > 0.0) {
        return Err(Error::Invalid(format!(
            "DRT FWHM coefficient must be finite and > 0, got {}",
            o.fwhm_coeff
        )));
    }
    if let Lambda::Fixed(l) = o.lambda
        && !(l.is_finite() && l > 0.0)
    {
        return Err(Error::Invalid(format!(
            "DRT λ must be finite and > 0, got {l}"
        )));
    }
    if !(1..=1000).contains(&o.points_per_decade) {
        return Err(Error::Invalid(format!(
            "DRT points per decade must be in 1..=1000, got {}",
            o.points_per_decade
        )));
    }
    if !(o.peak_threshold.is_finite() && (0.0..1.0).contains(&o.peak_threshold)) {
        return Err(Error::Invalid(format!(
            "DRT peak threshold must be in [0, 1), got {}",
            o.peak_threshold
        )));
    }
    if o.weighting == DrtWeighting::Modulus
        && let Some(i) = data.z().iter().position(|v| v.norm() == 0.0)
    {
        return Err(Error::Invalid(format!(
            "DRT modulus weighting divides by |Z|, which is 0 at point {i}"
        )));
    }
    Ok(())
}

/// Everything [`drt`] assembles before choosing λ.
pub(crate) struct Setup {
    pub(crate) centers: Vec<f64>,
    pub(crate) eps: f64,
    pub(crate) weights: Vec<f64>,
    pub(crate) w: Vec<f64>,
    pub(crate) kern: Vec<Vec<(f64, f64)>>,
    pub(crate) problem: Problem,
}

pub(crate) fn setup(data: &ImpedanceSpectrum, opts: &DrtOptions) -> Result<Setup> {
    check(data, opts)?;
    let f = data.freq();
    let z = data.z();
    let n = f.len();
    // one Gaussian per distinct frequency, by increasing τ
    let mut fs: Vec<f64> = f.to_vec();
    fs.sort_by(|a, b| b.total_cmp(a));
    fs.dedup();
    if fs.len() < 3 {
        return Err(Error::Invalid(format!(
            "DRT needs at least 3 distinct frequencies, got {}",
            fs.len()
        )));
    }
    let scale = match opts.tau_grid {
        TauGrid::Angular => 2.0 * PI,
        TauGrid::Inverse => 1.0,
    };
    let centers: Vec<f64> = fs.iter().map(|v| 1.0 / (scale * v)).collect();
    let mm = centers.len();
    let delta = (fs[0] / fs[mm - 1]).ln() / (mm - 1) as f64;
    let eps = opts.fwhm_coeff * 2.0 * 2f64.ln().sqrt() / delta;

    let weights: Vec<f64> = match opts.weighting {
        DrtWeighting::Unit => vec![1.0; n],
        DrtWeighting::Modulus => {
            let inv: Vec<f64> = z.iter().map(|v| 1.0 / v.norm()).collect();
            let rms = (inv.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
            inv.iter().map(|v| v / rms).collect()
        }
    };
    let q = Quadrature::new(eps);
    let w: Vec<f64> = f.iter().map(|v| 2.0 * PI * v).collect();
    // kernels K[i][m] = (re, im) for data point i and centre m
    let kern: Vec<Vec<(f64, f64)>> = w
        .iter()
        .map(|&wi| centers.iter().map(|&t| q.kernel(wi * t)).collect())
        .collect();

    let use_re = opts.part != DrtPart::Imag;
    let use_im = opts.part != DrtPart::Real;
    let has_r = use_re;
    let has_l = opts.inductance && use_im;
    let offset = usize::from(has_r) + usize::from(has_l);
    let cols = offset + mm;
    let rows = n * (usize::from(use_re) + usize::from(use_im));
    let mut a = DMatrix::<f64>::zeros(rows, cols);
    let mut b = DVector::<f64>::zeros(rows);
    let mut row = 0;
    if use_re {
        for i in 0..n {
            if has_r {
                a[(row, 0)] = weights[i];
            }
            for m in 0..mm {
                a[(row, offset + m)] = weights[i] * kern[i][m].0;
            }
            b[row] = weights[i] * z[i].re;
            row += 1;
        }
    }
    if use_im {
        for i in 0..n {
            if has_l {
                a[(row, usize::from(has_r))] = weights[i] * w[i];
            }
            for m in 0..mm {
                a[(row, offset + m)] = -weights[i] * kern[i][m].1;
            }
            b[row] = weights[i] * z[i].im;
            row += 1;
        }
    }
    let mut m_pad = DMatrix::<f64>::zeros(cols, cols);
    for i in 0..mm {
        for j in 0..mm {
            let da = eps * (centers[i].ln() - centers[j].ln());
            m_pad[(offset + i, offset + j)] = m_entry(eps, da, opts.derivative);
        }
    }
    let problem = Problem {
        a,
        b,
        m_pad,
        offset,
        has_r,
        has_l,
    };
    Ok(Setup {
        centers,
        eps,
        weights,
        w,
        kern,
        problem,
    })
}

/// Computes the DRT of `data` (any frequency order; residuals in data order).
pub fn drt(data: &ImpedanceSpectrum, opts: &DrtOptions) -> Result<DrtResult> {
    let Setup {
        centers,
        eps,
        weights,
        w,
        kern,
        problem,
    } = setup(data, opts)?;
    let z = data.z();
    let n = z.len();
    let mm = centers.len();
    let lambda = match opts.lambda {
        Lambda::Fixed(l) => l,
        Lambda::Gcv | Lambda::LCurve | Lambda::Gml => {
            let sp = Spectral::new(&problem, LAMBDA_RANGE.0).ok_or_else(|| {
                Error::Invalid("DRT: the normal equations are singular (λ search)".into())
            })?;
            match opts.lambda {
                Lambda::Gcv => sp.choose_gcv()?,
                Lambda::Gml => sp.choose_gml()?,
                _ => sp.choose_lcurve()?,
            }
        }
    };
    let h = problem.normal(lambda);
    let c = problem.a.transpose() * &problem.b;
    let sol = nnqp(&h, &c)?;
    if sol.iter().any(|v| !v.is_finite()) {
        return Err(Error::Invalid("DRT gave non-finite coefficients".into()));
    }
    let x: Vec<f64> = sol.rows(problem.offset, mm).iter().copied().collect();
    let mut r_inf = if problem.has_r { sol[0] } else { 0.0 };
    let mut ind = if problem.has_l {
        sol[usize::from(problem.has_r)]
    } else {
        0.0
    };
    // the γ part of Ẑ at each data point, once
    let z_drt: Vec<C> = kern
        .iter()
        .map(|k| {
            k.iter()
                .zip(&x)
                .fold(C::new(0.0, 0.0), |acc, (&(kr, ki), &xm)| {
                    acc + C::new(xm * kr, -xm * ki)
                })
        })
        .collect();
    if opts.part == DrtPart::Imag {
        // R∞ from the real residual (weights²)
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..n {
            let w2 = weights[i] * weights[i];
            num += w2 * (z[i].re - z_drt[i].re);
            den += w2;
        }
        r_inf = num / den;
    }
    if opts.part == DrtPart::Real && opts.inductance {
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..n {
            let w2 = weights[i] * weights[i];
            num += w2 * w[i] * (z[i].im - z_drt[i].im);
            den += w2 * w[i] * w[i];
        }
        ind = (num / den).max(0.0);
    }
    let z_fit: Vec<C> = (0..n)
        .map(|i| z_drt[i] + C::new(r_inf, w[i] * ind))
        .collect();
    let (mut rr, mut ri) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (zi, zf) in z.iter().zip(&z_fit) {
        let m = zi.norm();
        let e = if m > 0.0 {
            (zi - zf) / m
        } else {
            C::new(0.0, 0.0)
        };
        rr.push(e.re);
        ri.push(e.im);
    }

    // output grid and peaks
    let (centers_inc, x_inc) = (centers, x); // τ increases (frequencies were sorted down)
    let ext = (10f64.ln()).max(6.0 / eps);
    let (y0, y1) = (centers_inc[0].ln() - ext, centers_inc[mm - 1].ln() + ext);
    let step = 10f64.ln() / opts.points_per_decade as f64;
    let npts = ((y1 - y0) / step).ceil() as usize + 1;
    let tau: Vec<f64> = (0..npts).map(|i| (y0 + step * i as f64).exp()).collect();
    let gamma: Vec<f64> = tau
        .iter()
        .map(|&t| gamma_of(&x_inc, &centers_inc, eps, t))
        .collect();
    let polarization_resistance = x_inc.iter().sum::<f64>() * PI.sqrt() / eps;
    let peaks = find_peaks(&tau, &gamma, step, opts.peak_threshold);
    Ok(DrtResult {
        options: opts.clone(),
        lambda,
        epsilon: eps,
        r_inf,
        inductance: ind,
        tau_centers: centers_inc,
        coefficients: x_inc,
        tau,
        gamma,
        peaks,
        polarization_resistance,
        z_fit,
        residuals_re: rr,
        residuals_im: ri,
    })
}

/// Local maxima above `threshold`·max, with areas between the minima that
/// separate them (trapezoidal rule in ln τ).
fn find_peaks(tau: &[f64], gamma: &[f64], step: f64, threshold: f64) -> Vec<DrtPeak> {
    let n = gamma.len();
    let gmax = gamma.iter().fold(0.0f64, |m, &g| m.max(g));
    if n < 3 || gmax <= 0.0 {
        return Vec::new();
    }
    let tops: Vec<usize> = (1..n - 1)
        .filter(|&i| {
            gamma[i] > gamma[i - 1] && gamma[i] >= gamma[i + 1] && gamma[i] >= threshold * gmax
        })
        .collect();
    let mut bounds = vec![0];
    for pair in tops.windows(2) {
        let lo = (pair[0]..=pair[1])
            .min_by(|&a, &b| gamma[a].total_cmp(&gamma[b]))
            .unwrap_or(pair[0]);
        bounds.push(lo);
    }
    bounds.push(n - 1);
    tops.iter()
        .enumerate()
        .map(|(k, &i)| {
            let (a, b) = (bounds[k], bounds[k + 1]);
            let area: f64 = (a..b).map(|j| 0.5 * (gamma[j] + gamma[j + 1]) * step).sum();
            DrtPeak {
                tau: tau[i],
                frequency: 1.0 / (2.0 * PI * tau[i]),
                gamma: gamma[i],
                resistance: area,
                capacitance: if area > 0.0 { tau[i] / area } else { f64::NAN },
                tau_range: (tau[a], tau[b]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GML score from the eigendecomposition equals the dense formula
    /// ‖(I − K)b‖² / det⁺(I − K)^{1/(n − m₀)} with K = A H⁻¹ Aᵀ.
    #[test]
    fn gml_matches_the_dense_formula() {
        let f: Vec<f64> = (0..25).map(|i| 10f64.powf(4.0 - 0.25 * i as f64)).collect();
        let re: Vec<f64> = f
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                5.0 + 100.0 / (1.0 + (v / 30.0).powi(2)) + 0.3 * ((i * 7 % 5) as f64 - 2.0)
            })
            .collect();
        let im: Vec<f64> = f
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                -100.0 * (v / 30.0) / (1.0 + (v / 30.0).powi(2)) + 0.2 * ((i * 3 % 4) as f64 - 1.5)
            })
            .collect();
        let d = ImpedanceSpectrum::from_parts(f, &re, &im).unwrap();
        let s = setup(&d, &DrtOptions::default()).unwrap();
        let p = &s.problem;
        let sp = Spectral::new(p, 1e-6).unwrap();
        let n = p.b.len();
        let mut vals = Vec::new();
        // (below 1e-4 the dense inverse of H loses digits, not the spectral form)
        for lambda in [1e-4, 1e-3, 1e-1] {
            let h = p.normal(lambda);
            let k = &p.a * h.clone().try_inverse().unwrap() * p.a.transpose();
            let i_k = DMatrix::<f64>::identity(n, n) - &k;
            let r = &i_k * &p.b;
            let eig = ((&i_k + i_k.transpose()) * 0.5).symmetric_eigenvalues();
            let (mut logdet, mut m0) = (0.0, 0usize);
            for e in eig.iter() {
                if *e < 1e-9 {
                    m0 += 1;
                } else {
                    logdet += e.ln();
                }
            }
            let dense = r.norm_squared().ln() - logdet / (n - m0) as f64;
            let got = sp.gml(lambda.ln());
            assert!(
                (got - dense).abs() < 1e-6 * dense.abs().max(1.0),
                "λ {lambda}: {got} vs {dense}"
            );
            vals.push(got);
        }
        assert!(vals.iter().all(|v| v.is_finite()));
        // the λ that drt() chooses is the score's minimum
        let o = DrtOptions {
            lambda: Lambda::Gml,
            ..DrtOptions::default()
        };
        let l = drt(&d, &o).unwrap().lambda;
        let at = |x: f64| sp.gml(x.ln());
        assert!(at(l) <= at(l / 2.0) && at(l) <= at(l * 2.0), "λ {l}");
    }

    #[test]
    fn m_entries_match_quadrature() {
        // ∫ φᵢ' φⱼ' and ∫ φᵢ'' φⱼ'' by brute-force quadrature
        let eps = 2.3;
        for &d in &[0.0, 0.2, 0.7, 1.5] {
            let h = 1e-3;
            let (mut s1, mut s2) = (0.0, 0.0);
            let mut y = -12.0;
            while y < 12.0 {
                let p = |y: f64, c: f64| (-(eps * (y - c)).powi(2)).exp();
                let d1 = |c: f64| -2.0 * eps * eps * (y - c) * p(y, c);
                let d2 = |c: f64| {
                    let u = eps * (y - c);
                    2.0 * eps * eps * (2.0 * u * u - 1.0) * p(y, c)
                };
                s1 += d1(0.0) * d1(d) * h;
                s2 += d2(0.0) * d2(d) * h;
                y += h;
            }
            let a = eps * d;
            assert!((m_entry(eps, a, Derivative::First) - s1).abs() < 1e-6 * s1.abs().max(1.0));
            assert!((m_entry(eps, a, Derivative::Second) - s2).abs() < 1e-6 * s2.abs().max(1.0));
        }
    }

    #[test]
    fn kernel_of_a_single_gaussian_integrates_the_rc_response() {
        // for a very narrow Gaussian (ε large) the kernel → √π/ε × RC response
        let eps = 200.0;
        let q = Quadrature::new(eps);
        for &alpha in &[0.01, 0.5, 1.0, 3.0, 100.0] {
            let (re, im) = q.kernel(alpha);
            let s = PI.sqrt() / eps;
            let rc_re = 1.0 / (1.0 + alpha * alpha);
            let rc_im = alpha / (1.0 + alpha * alpha);
            assert!((re / s - rc_re).abs() < 1e-4, "{alpha}: {re}");
            assert!((im / s - rc_im).abs() < 1e-4, "{alpha}: {im}");
        }
    }

    #[test]
    fn nnqp_solves_a_small_bounded_problem() {
        // min ½xᵀHx − cᵀx, x ≥ 0 with H = I: x = max(c, 0)
        let h = DMatrix::<f64>::identity(3, 3);
        let c = DVector::from_vec(vec![1.0, -2.0, 3.0]);
        let x = nnqp(&h, &c).unwrap();
        assert_eq!(x.as_slice(), &[1.0, 0.0, 3.0]);
        // a coupled one: H = [[2,1],[1,2]], c = [1,-1] → x = [0.5, 0]
        let h = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let c = DVector::from_vec(vec![1.0, -1.0]);
        let x = nnqp(&h, &c).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-15 && x[1] == 0.0);
    }

    fn two_arcs() -> ImpedanceSpectrum {
        let c: crate::Circuit = "R0-p(R1,CPE1)-p(R2,C2)".parse().unwrap();
        let f: Vec<f64> = (0..40).map(|i| 10f64.powf(5.0 - 0.15 * i as f64)).collect();
        ImpedanceSpectrum::simulate(&c, &[5.0, 80.0, 1e-6, 0.9, 300.0, 1e-4], &f).unwrap()
    }

    #[test]
    fn spectral_ridge_matches_direct_solution() {
        for part in [DrtPart::Combined, DrtPart::Real, DrtPart::Imag] {
            for derivative in [Derivative::First, Derivative::Second] {
                let o = DrtOptions {
                    part,
                    derivative,
                    ..DrtOptions::default()
                };
                let s = setup(&two_arcs(), &o).unwrap();
                let sp = Spectral::new(&s.problem, 1e-7).unwrap();
                for &l in &[1e-7, 1e-4, 1e-2, 1.0] {
                    let a = s.problem.ridge(l).unwrap();
                    let b = sp.ridge(l);
                    let close = |x: f64, y: f64| (x - y).abs() <= 1e-4 * x.abs().max(y.abs());
                    assert!(close(a.rss, b.rss), "{part:?} {l}: rss {} {}", a.rss, b.rss);
                    assert!(close(a.trace_k, b.trace_k), "{part:?} {l}: tr");
                    assert!(
                        close(a.seminorm2, b.seminorm2),
                        "{part:?} {l}: {} {}",
                        a.seminorm2,
                        b.seminorm2
                    );
                }
            }
        }
    }

    proptest::proptest! {
        /// The active-set solution satisfies the KKT conditions of
        /// min ½xᵀHx − cᵀx, x ≥ 0: x ≥ 0, gradient 0 where x > 0, ≥ 0 where x = 0.
        #[test]
        fn nnqp_meets_kkt(seed in proptest::collection::vec(-1.0f64..1.0, 48), c in proptest::collection::vec(-5.0f64..5.0, 6)) {
            let b = DMatrix::from_row_slice(8, 6, &seed);
            let h = b.transpose() * &b + DMatrix::identity(6, 6) * 1e-3;
            let c = DVector::from_vec(c);
            let x = nnqp(&h, &c).unwrap();
            let g = &h * &x - &c;
            let scale = c.amax().max(1.0);
            for i in 0..6 {
                proptest::prop_assert!(x[i] >= 0.0);
                if x[i] > 0.0 {
                    proptest::prop_assert!(g[i].abs() < 1e-8 * scale, "g[{}] = {}", i, g[i]);
                } else {
                    proptest::prop_assert!(g[i] > -1e-8 * scale, "g[{}] = {}", i, g[i]);
                }
            }
        }
    }

    #[test]
    fn bad_options_are_errors() {
        let f: Vec<f64> = (0..10).map(|i| 10f64.powi(i)).collect();
        let d = ImpedanceSpectrum::from_parts(f, &[1.0; 10], &[-1.0; 10]).unwrap();
        for (o, msg) in [
            (
                DrtOptions {
                    fwhm_coeff: 0.0,
                    ..DrtOptions::default()
                },
                "FWHM",
            ),
            (
                DrtOptions {
                    lambda: Lambda::Fixed(f64::NAN),
                    ..DrtOptions::default()
                },
                "λ",
            ),
            (
                DrtOptions {
                    points_per_decade: 0,
                    ..DrtOptions::default()
                },
                "per decade",
            ),
            (
                DrtOptions {
                    peak_threshold: 1.5,
                    ..DrtOptions::default()
                },
                "threshold",
            ),
        ] {
            let e = drt(&d, &o).unwrap_err().to_string();
            assert!(e.contains(msg), "{e}");
        }
        let short =
            ImpedanceSpectrum::from_parts(vec![1.0, 2.0, 3.0], &[1.0; 3], &[-1.0; 3]).unwrap();
        assert!(drt(&short, &DrtOptions::default()).is_err());
        let same = ImpedanceSpectrum::from_parts(vec![1.0; 6], &[1.0; 6], &[-1.0; 6]).unwrap();
        assert!(
            drt(&same, &DrtOptions::default())
                .unwrap_err()
                .to_string()
                .contains("distinct")
        );
    }
}
