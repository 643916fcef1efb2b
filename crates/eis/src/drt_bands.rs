//! Bayesian credible bands of the DRT: the posterior of the Tikhonov
//! problem of [`drt`](crate::drt::drt) under non-negativity, as pyDRTtools'
//! `Bayesian_run` defines it (F. Ciucci and C. Chen, *Electrochim. Acta*
//! 167 (2015) 439; M. B. Effat and F. Ciucci, *Electrochim. Acta* 247
//! (2017) 1117), sampled by exact Hamiltonian Monte Carlo
//! ([`interphase_fit::tmg`]).
//!
//! With the data residuals of the DRT's solution x̂ giving the noise level
//! σ (their standard deviation, both parts together, in the weighted units
//! of the fit), the Tikhonov objective ‖A x − b‖² + λ xᵀ M x is read as a
//! Gaussian likelihood times a Gaussian prior: the posterior precision is
//! (AᵀA + λM)/σ² and its unconstrained mean μ = (AᵀA + λM)⁻¹ Aᵀb. As in
//! pyDRTtools, the γ coefficients are sampled from N(μ_γ, σ² (AᵀA + λM)_γγ⁻¹)
//! restricted to x ≥ 0 (R∞ and L held out), starting from x̂, and the first
//! `burn_in` samples are dropped.
//!
//! What is reported differs from pyDRTtools in one respect, kept beside it:
//! the band of γ(τ) is the pointwise quantile of γ(τ) over the samples
//! (a credible band of the function), while pyDRTtools maps the quantiles
//! of each coefficient through the basis (`coefficient_lower` /
//! `coefficient_upper` here), which is not a quantile of γ. The
//! polarisation resistance and each peak's R and τ get their posterior mean,
//! standard deviation and interval from the same samples.
//!
//! Read the band for what it is: the spread that the noise leaves given the
//! prior's smoothness. It does not cover the bias of the regularisation,
//! and the posterior mean is not the DRT's x̂ (the mode): a sharp peak of x̂
//! can rise above the band's upper edge, because the samples spread the
//! peak's area over its flanks.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum, data::Noise};
//! use interphase_eis::drt::{drt, DrtOptions};
//! use interphase_eis::drt_bands::{drt_bands, DrtBandOptions};
//! let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse()?;
//! let f: Vec<f64> = (0..41).map(|i| 10f64.powf(6.0 - 0.2 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate_noisy(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f,
//!     Noise::Proportional(0.01), 4)?;
//! let d = drt(&data, &DrtOptions::default())?;
//! let b = drt_bands(&data, &d, &DrtBandOptions { samples: 600, burn_in: 100, ..Default::default() })?;
//! println!("{b}");
//! assert!(b.lower.iter().zip(&b.upper).all(|(l, u)| l <= u));
//! let (r, sd) = (b.polarization_resistance.mean, b.polarization_resistance.std);
//! assert!(sd > 0.0 && (r - 150.0).abs() < 4.0 * sd + 5.0, "{r} ± {sd}");
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;

use nalgebra::{DMatrix, DVector};
use serde::Serialize;

use crate::data::ImpedanceSpectrum;
use crate::drt::{DrtResult, setup};
use crate::error::{Error, Result};

/// Options of [`drt_bands`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrtBandOptions {
    /// Samples drawn, burn-in included (default 2000, as pyDRTtools).
    pub samples: usize,
    /// Samples dropped at the start (default 500; pyDRTtools drops 501).
    pub burn_in: usize,
    /// Probability inside each band (default 0.99: the 0.5 % and 99.5 %
    /// quantiles, as pyDRTtools).
    pub level: f64,
    /// Seed of the sampler's random numbers.
    pub seed: u64,
}

impl Default for DrtBandOptions {
    fn default() -> Self {
        DrtBandOptions {
            samples: 2000,
            burn_in: 500,
            level: 0.99,
            seed: 1,
        }
    }
}

/// A scalar's posterior summary over the kept samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Posterior {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub std: f64,
    /// The lower quantile ((1 − level)/2).
    pub lower: f64,
    /// The upper quantile ((1 + level)/2).
    pub upper: f64,
}

/// One peak of the DRT's solution with its posterior: over each sample, the
/// area of γ over the peak's τ interval and the τ of its maximum there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DrtPeakBand {
    /// τ of the DRT's peak (the mode), s.
    pub tau: f64,
    /// Its τ interval (between the neighbouring minima), s.
    pub tau_range: (f64, f64),
    /// Posterior of the τ at the maximum within the interval, s (quantiles
    /// on the output grid).
    pub tau_posterior: Posterior,
    /// The DRT's area R of the peak, Ω.
    pub resistance: f64,
    /// Posterior of the area over the interval, Ω.
    pub resistance_posterior: Posterior,
}

/// The credible bands of a DRT ([`drt_bands`]). `Display` prints the noise
/// level, R_pol and each peak with their posterior spread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrtBands {
    /// The options used.
    pub options: DrtBandOptions,
    /// The noise level σ taken from the residuals (weighted units of the
    /// fit: Ω without weights).
    pub sigma: f64,
    /// The output grid τ, s (that of the DRT).
    pub tau: Vec<f64>,
    /// Posterior mean of γ(τ), Ω.
    pub mean: Vec<f64>,
    /// Pointwise lower quantile of γ(τ), Ω.
    pub lower: Vec<f64>,
    /// Pointwise upper quantile of γ(τ), Ω.
    pub upper: Vec<f64>,
    /// Posterior mean of each coefficient xₘ, Ω.
    pub coefficient_mean: Vec<f64>,
    /// Lower quantile of each coefficient (pyDRTtools maps these through the
    /// basis to draw its band), Ω.
    pub coefficient_lower: Vec<f64>,
    /// Upper quantile of each coefficient, Ω.
    pub coefficient_upper: Vec<f64>,
    /// Posterior of R_pol = ∫ γ d ln τ, Ω.
    pub polarization_resistance: Posterior,
    /// The DRT's peaks with their posterior, one for each of the result's
    /// peaks, in the same order.
    pub peaks: Vec<DrtPeakBand>,
}

impl std::fmt::Display for DrtBands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = 100.0 * self.options.level;
        let r = &self.polarization_resistance;
        writeln!(
            f,
            "[[DRT bands]] {} samples ({} burn-in), σ = {:.4e}, {pct:.0} % intervals",
            self.options.samples - self.options.burn_in,
            self.options.burn_in,
            self.sigma
        )?;
        writeln!(
            f,
            "    R_pol   {:.5e} ± {:.2e} Ω  [{:.5e}, {:.5e}]",
            r.mean, r.std, r.lower, r.upper
        )?;
        for (k, p) in self.peaks.iter().enumerate() {
            let (q, t) = (&p.resistance_posterior, &p.tau_posterior);
            writeln!(
                f,
                "    peak {}: R = {:.5e} ± {:.2e} Ω [{:.5e}, {:.5e}], τ = {:.4e} s [{:.4e}, {:.4e}]",
                k + 1,
                q.mean,
                q.std,
                q.lower,
                q.upper,
                p.tau,
                t.lower,
                t.upper
            )?;
        }
        Ok(())
    }
}

/// Most samples × grid points held (γ of every kept sample on the grid).
pub const MAX_VALUES: usize = 50_000_000;

/// Quantile with linear interpolation between order statistics (numpy's
/// default); `v` is sorted in place.
fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(v.len() - 1);
    v[i] + (pos - i as f64) * (v[j] - v[i])
}

fn summary(v: &mut [f64], level: f64) -> Posterior {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Posterior {
        mean,
        std: var.sqrt(),
        lower: quantile(v, 0.5 * (1.0 - level)),
        upper: quantile(v, 0.5 * (1.0 + level)),
    }
}

/// The credible bands of `result`, the DRT of `data` (computed with the same
/// data; its options, λ and solution are reused).
///
/// Errors: options out of range (fewer samples than burn-in + 2, a level
/// outside (0, 1), too many values to hold), noise-free data (the residuals
/// leave no noise level), a result that does not belong to `data`, or a
/// posterior precision that is not positive definite.
pub fn drt_bands(
    data: &ImpedanceSpectrum,
    result: &DrtResult,
    opts: &DrtBandOptions,
) -> Result<DrtBands> {
    if opts.samples < opts.burn_in.saturating_add(2) {
        return Err(Error::Invalid(format!(
            "DRT bands: {} samples leave fewer than 2 after a burn-in of {}",
            opts.samples, opts.burn_in
        )));
    }
    if !(opts.level > 0.0 && opts.level < 1.0) {
        return Err(Error::Invalid(format!(
            "DRT bands: the level {} must be in (0, 1)",
            opts.level
        )));
    }
    let kept = opts.samples - opts.burn_in;
    if kept.saturating_mul(result.tau.len()) > MAX_VALUES {
        return Err(Error::Invalid(format!(
            "DRT bands: {kept} samples on {} grid points exceed {MAX_VALUES} values",
            result.tau.len()
        )));
    }
    let s = setup(data, &result.options)?;
    let p = &s.problem;
    let mm = s.centers.len();
    if mm != result.coefficients.len() || p.a.nrows() != 2 * data.len() && p.a.nrows() != data.len()
    {
        return Err(Error::Invalid(
            "DRT bands: the result was not computed from these data".into(),
        ));
    }
    let mut sol = DVector::<f64>::zeros(p.offset + mm);
    if p.has_r {
        sol[0] = result.r_inf;
    }
    if p.has_l {
        sol[usize::from(p.has_r)] = result.inductance;
    }
    sol.rows_mut(p.offset, mm)
        .copy_from_slice(&result.coefficients);
    // σ: the standard deviation of the residuals (numpy's np.std, as pyDRTtools)
    let res = &p.a * &sol - &p.b;
    let n = res.len() as f64;
    let rm = res.sum() / n;
    let sigma = (res.iter().map(|r| (r - rm).powi(2)).sum::<f64>() / n).sqrt();
    if !(sigma > 0.0 && sigma.is_finite()) {
        return Err(Error::Invalid(
            "DRT bands: the residuals are zero (noise-free data?): no noise level to sample with"
                .into(),
        ));
    }
    let h = p.normal(result.lambda);
    let chol = nalgebra::Cholesky::new(h.clone())
        .ok_or_else(|| Error::Invalid("DRT bands: AᵀA + λM is not positive definite".into()))?;
    let mu = chol.solve(&(p.a.transpose() * &p.b));
    let mu_g = mu.rows(p.offset, mm).into_owned();
    let prec = h.view((p.offset, p.offset), (mm, mm)).into_owned() / (sigma * sigma);
    let start = DVector::from_column_slice(&result.coefficients);
    let draws =
        interphase_fit::tmg::truncated_normal_nonneg(&mu_g, &prec, &start, opts.samples, opts.seed)
            .map_err(|e| Error::Invalid(format!("DRT bands: {e}")))?;
    let draws = &draws[opts.burn_in..];

    // γ of each sample on the output grid: G x, G the Gaussians on the grid
    let g = DMatrix::from_fn(result.tau.len(), mm, |i, m| {
        let d = result.epsilon * (result.tau[i].ln() - s.centers[m].ln());
        (-d * d).exp()
    });
    let gammas: Vec<DVector<f64>> = draws.iter().map(|x| &g * x).collect();
    let npts = result.tau.len();
    let (mut mean, mut lower, mut upper) = (vec![0.0; npts], vec![0.0; npts], vec![0.0; npts]);
    let mut col = vec![0.0; kept];
    for i in 0..npts {
        for (c, gs) in col.iter_mut().zip(&gammas) {
            *c = gs[i];
        }
        let q = summary(&mut col, opts.level);
        (mean[i], lower[i], upper[i]) = (q.mean, q.lower, q.upper);
    }
    let (mut cm, mut cl, mut cu) = (vec![0.0; mm], vec![0.0; mm], vec![0.0; mm]);
    for m in 0..mm {
        for (c, x) in col.iter_mut().zip(draws) {
            *c = x[m];
        }
        let q = summary(&mut col, opts.level);
        (cm[m], cl[m], cu[m]) = (q.mean, q.lower, q.upper);
    }
    for (c, x) in col.iter_mut().zip(draws) {
        *c = x.sum() * PI.sqrt() / result.epsilon;
    }
    let polarization_resistance = summary(&mut col, opts.level);
    // peaks: area over the mode's interval (trapezoid in ln τ) and τ of the maximum there
    let step = if npts > 1 {
        (result.tau[1] / result.tau[0]).ln()
    } else {
        0.0
    };
    let mut peaks = Vec::with_capacity(result.peaks.len());
    for pk in &result.peaks {
        let mut idx: Vec<usize> = (0..npts)
            .filter(|&i| result.tau[i] >= pk.tau_range.0 && result.tau[i] <= pk.tau_range.1)
            .collect();
        if idx.len() < 2 {
            // a peak narrower than the grid: the grid points around its τ
            let c = (0..npts)
                .min_by(|&a, &b| {
                    (result.tau[a] / pk.tau)
                        .ln()
                        .abs()
                        .total_cmp(&(result.tau[b] / pk.tau).ln().abs())
                })
                .unwrap_or(0);
            idx = (c.saturating_sub(1)..=(c + 1).min(npts - 1)).collect();
        }
        let mut taus = vec![0.0; kept];
        for ((c, t), gs) in col.iter_mut().zip(taus.iter_mut()).zip(&gammas) {
            let mut area = 0.0;
            for w in idx.windows(2) {
                area += 0.5 * (gs[w[0]] + gs[w[1]]) * step;
            }
            *c = area;
            let best = idx
                .iter()
                .copied()
                .max_by(|&a, &b| gs[a].total_cmp(&gs[b]))
                .unwrap_or(idx[0]);
            *t = result.tau[best];
        }
        peaks.push(DrtPeakBand {
            tau: pk.tau,
            tau_range: pk.tau_range,
            tau_posterior: summary(&mut taus, opts.level),
            resistance: pk.resistance,
            resistance_posterior: summary(&mut col, opts.level),
        });
    }
    Ok(DrtBands {
        options: opts.clone(),
        sigma,
        tau: result.tau.clone(),
        mean,
        lower,
        upper,
        coefficient_mean: cm,
        coefficient_lower: cl,
        coefficient_upper: cu,
        polarization_resistance,
        peaks,
    })
}
