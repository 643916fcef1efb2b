//! Low-loss EELS: zero-loss peak position, relative and absolute thickness,
//! inelastic mean free paths, and the Fourier deconvolutions that remove
//! plural scattering.
//!
//! Sources: R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron
//! Microscope*, 3rd ed., Springer 2011 (log-ratio thickness §5.1, eq. 5.1;
//! Malis mean free path eq. 5.2 with Z_eff eq. 5.4; Fourier-log §4.2.1;
//! Fourier-ratio §4.2.2); K. Iakoubovskii et al., *Microsc. Res. Tech.* 71
//! (2008) 626, eq. 9 (mean free path from the density, with the collection
//! and convergence angles). The FFT sizes, the Hann tapers and the
//! reconvolution follow exspy 0.3 (`EELSSpectrum.fourier_log_deconvolution`,
//! `fourier_ratio_deconvolution`), so that results agree with it; the
//! differences are listed on each function.
//!
//! ```
//! use interphase_spectra::eels;
//! // a Gaussian zero-loss peak and a broad plasmon: 100 000 + 40 000 counts
//! let e: Vec<f64> = (0..600).map(|i| -5.0 + 0.1 * i as f64).collect();
//! let y: Vec<f64> = e.iter().map(|&e| {
//!     1e5 * 0.1 / (0.4 * (2.0 * std::f64::consts::PI).sqrt()) * (-0.5 * (e / 0.4f64).powi(2)).exp()
//!         + 4e4 * 0.1 * 0.5 * 6.0 / std::f64::consts::PI / ((e - 20.0).powi(2) + 9.0) * (e > 3.0) as i32 as f64
//! }).collect();
//! let centre = eels::zlp_centre(&e, &y)?;
//! assert!(centre.abs() < 1e-9);
//! let th = eels::log_ratio_thickness(&e, &y, 3.0)?;
//! assert!((th.t_over_lambda.value - (th.total / th.zero_loss).ln()).abs() < 1e-15);
//! let lambda = eels::mean_free_path_iakoubovskii(200.0, 5.0, None)?; // nm
//! let t_nm = th.thickness_nm(lambda);
//! assert!(t_nm.value > 0.0 && t_nm.stderr.unwrap() > 0.0);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use num_complex::Complex64;
use realfft::RealFftPlanner;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;

use rayon::prelude::*;

use super::image::{Map, SpectrumImage};
use super::power_law_fit_xy;

/// Checks an energy axis and its intensities: equal lengths, at least 3
/// channels, finite numbers, strictly increasing energies.
pub(crate) fn check_axis(what: &str, energy: &[f64], y: &[f64]) -> Result<()> {
    check_energy(what, energy, y.len())?;
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(non_finite(what, energy, y, i));
    }
    Ok(())
}

/// [`check_axis`] without the intensities' finiteness (for callers that
/// sum them anyway and check the sums).
fn check_energy(what: &str, energy: &[f64], n: usize) -> Result<()> {
    if energy.len() != n {
        return Err(Error::Invalid(format!(
            "{what}: {} energies for {n} intensities",
            energy.len()
        )));
    }
    if n < 3 {
        return Err(Error::Invalid(format!(
            "{what}: {n} channels; at least 3 are needed"
        )));
    }
    if let Some(i) = energy.iter().position(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "{what}: energy {i} is {}",
            energy[i]
        )));
    }
    if let Some(i) = energy.windows(2).position(|w| w[1] <= w[0]) {
        return Err(Error::Invalid(format!(
            "{what}: energies must increase; channel {} ({} eV) follows {} eV",
            i + 1,
            energy[i + 1],
            energy[i]
        )));
    }
    Ok(())
}

fn non_finite(what: &str, energy: &[f64], y: &[f64], i: usize) -> Error {
    Error::Invalid(format!(
        "{what}: intensity {i} (at {} eV) is {}",
        energy[i], y[i]
    ))
}

/// The channel width of a uniform axis (eV); an error if the steps differ by
/// more than 1e-6 relative (Fourier methods need a uniform axis).
pub fn uniform_step(energy: &[f64]) -> Result<f64> {
    if energy.len() < 2 {
        return Err(Error::Invalid(format!(
            "an energy axis of {} channels has no step",
            energy.len()
        )));
    }
    let step = (energy[energy.len() - 1] - energy[0]) / (energy.len() - 1) as f64;
    if let Some(i) = energy
        .windows(2)
        .position(|w| ((w[1] - w[0]) - step).abs() > 1e-6 * step.abs())
    {
        return Err(Error::Invalid(format!(
            "the energy axis is not uniform: step {} eV between channels {i} and {}, mean step {step} eV",
            energy[i + 1] - energy[i],
            i + 1
        )));
    }
    if step.is_nan() || step <= 0.0 {
        return Err(Error::Invalid(format!(
            "the energy axis must increase (mean step {step} eV)"
        )));
    }
    Ok(step)
}

/// The zero-loss peak centre (eV): the highest channel, refined to a
/// fraction of a channel by the vertex of a parabola through ln I of it and
/// its two neighbours (exact for a Gaussian peak; a parabola through I itself
/// where a neighbour is ≤ 0). Errors when the maximum is at either end of the
/// axis or is not a peak (the intensity must fall below half of it on both
/// sides: a core-loss spectrum has no zero-loss peak to find). Assumes the zero-loss peak is the strongest feature, as exspy's
/// `estimate_zero_loss_peak_centre` does (crop thick-sample spectra first).
pub fn zlp_centre(energy: &[f64], y: &[f64]) -> Result<f64> {
    zlp_centre_estimate(energy, y).map(|e| e.value)
}

/// [`zlp_centre`] with its standard error from counting statistics (the
/// intensities taken as electron counts, var ln I = 1/I, propagated through
/// the vertex of the log-parabola): the statistical error of this
/// three-channel estimator, not the peak-shape error it has for a
/// non-Gaussian zero-loss peak. `None` where the vertex falls back to a plain
/// parabola (a neighbour ≤ 0) or is clamped to the three channels.
pub fn zlp_centre_estimate(energy: &[f64], y: &[f64]) -> Result<Estimate> {
    check_axis("zero-loss peak", energy, y)?;
    zlp_on_checked(energy, y)
}

/// Σ v in eight independent partial sums (a single running sum waits on
/// each addition; the order differs from it by rounding only).
fn lane_sum(v: &[f64]) -> f64 {
    lane_fold(v, 0.0, |a, b| a + b)
}

/// `v` folded with `f` in eight lanes, then the lanes folded pairwise.
#[inline]
fn lane_fold(v: &[f64], init: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [init; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..8 {
            acc[l] = f(acc[l], c[l]);
        }
    }
    for (l, &x) in rest.iter().enumerate() {
        acc[l] = f(acc[l], x);
    }
    let q = [
        f(acc[0], acc[4]),
        f(acc[1], acc[5]),
        f(acc[2], acc[6]),
        f(acc[3], acc[7]),
    ];
    f(f(q[0], q[2]), f(q[1], q[3]))
}

/// Whether every value is finite, in one vectorisable pass (x·0 is ±0 for a
/// finite x and NaN for ±inf and NaN).
fn all_finite(v: &[f64]) -> bool {
    lane_fold(v, 0.0, |a, x| a + x * 0.0) == 0.0
}

/// [`zlp_centre_estimate`] on an axis and intensities already checked
/// ([`check_axis`]).
fn zlp_on_checked(energy: &[f64], y: &[f64]) -> Result<Estimate> {
    // the first channel of the largest value (finite intensities): the
    // maximum in eight lanes, then its first occurrence
    let top = lane_fold(y, f64::NEG_INFINITY, f64::max);
    let k = y.iter().position(|&v| v >= top).unwrap_or(0);
    if k == 0 || k + 1 == y.len() {
        return Err(Error::Invalid(format!(
            "zero-loss peak: the maximum is at the end of the axis (channel {k}, {} eV); \
             the spectrum must contain the whole peak",
            energy[k]
        )));
    }
    // a peak: the intensity falls below half the maximum on both sides
    // (a core-loss edge or a falling background has its maximum at an end)
    let half = 0.5 * y[k];
    let left = y[..k].iter().any(|&v| v < half);
    let right = y[k + 1..].iter().any(|&v| v < half);
    if !(left && right && y[k] > 0.0) {
        return Err(Error::Invalid(format!(
            "zero-loss peak: the maximum at {} eV (channel {k}) is not a peak: the intensity does not \
             fall below half of it on the {} side; is this a low-loss spectrum?",
            energy[k],
            if left { "high-energy" } else { "low-energy" }
        )));
    }
    let logs = y[k - 1] > 0.0 && y[k + 1] > 0.0;
    let (a, b, c) = if logs {
        (y[k - 1].ln(), y[k].ln(), y[k + 1].ln())
    } else {
        (y[k - 1], y[k], y[k + 1])
    };
    let den = a - 2.0 * b + c;
    let raw = if den < 0.0 { 0.5 * (a - c) / den } else { 0.0 };
    // within the three channels (exact for a Gaussian wherever its centre
    // lies among them; noise can make the neighbour of the centre the maximum)
    let delta = raw.clamp(-1.0, 1.0);
    let h = if delta >= 0.0 {
        energy[k + 1] - energy[k]
    } else {
        energy[k] - energy[k - 1]
    };
    // δ = (a − c)/(2 den): ∂δ/∂a = (den − (a − c))/(2 den²),
    // ∂δ/∂b = (a − c)/den², ∂δ/∂c = −(den + (a − c))/(2 den²)
    let stderr = (logs && den < 0.0 && raw.abs() < 1.0).then(|| {
        let d2 = den * den;
        let (ga, gb, gc) = (
            (den - (a - c)) / (2.0 * d2),
            (a - c) / d2,
            -(den + (a - c)) / (2.0 * d2),
        );
        h * (ga * ga / y[k - 1] + gb * gb / y[k] + gc * gc / y[k + 1]).sqrt()
    });
    Ok(Estimate {
        value: energy[k] + delta * h,
        stderr,
    })
}

/// The elastic-scattering threshold (eV): the minimum of intensity between
/// the zero-loss peak and the first plasmon (Egerton §5.1), found as the
/// lowest point of a 5-channel moving average from `start_ev` to
/// `start_ev + window_ev` above the zero-loss centre. exspy's default search
/// (`estimate_elastic_scattering_threshold`) uses 1 and 10 eV. Errors when
/// the lowest point is at the end of the search window (the intensity is
/// still falling there: no minimum to find), or the window holds fewer than
/// 5 channels.
pub fn elastic_threshold(energy: &[f64], y: &[f64], start_ev: f64, window_ev: f64) -> Result<f64> {
    check_search(start_ev, window_ev)?;
    let c = zlp_centre(energy, y)?;
    elastic_search(energy, y, c, start_ev, window_ev)
}

/// The search window's own check: finite, start ≥ 0, width > 0.
fn check_search(start_ev: f64, window_ev: f64) -> Result<()> {
    if !(start_ev.is_finite() && window_ev.is_finite() && window_ev > 0.0 && start_ev >= 0.0) {
        return Err(Error::Invalid(format!(
            "elastic threshold: start {start_ev} eV and window {window_ev} eV must be finite, start ≥ 0 and window > 0"
        )));
    }
    Ok(())
}

/// The lowest 5-channel average from `c + start_ev` to `c + start_ev +
/// window_ev` on a checked (increasing) axis; see [`elastic_threshold`].
fn elastic_search(energy: &[f64], y: &[f64], c: f64, start_ev: f64, window_ev: f64) -> Result<f64> {
    let (lo, hi) = (c + start_ev, c + start_ev + window_ev);
    // channels 2 ..= n − 3 (a full 5-channel average) within [lo, hi]
    let first = energy.partition_point(|&e| e < lo).max(2);
    let end = energy
        .partition_point(|&e| e <= hi)
        .min(energy.len().saturating_sub(2));
    let count = end.saturating_sub(first);
    if count < 5 {
        return Err(Error::Invalid(format!(
            "elastic threshold: the search window {lo:.3}–{hi:.3} eV holds {count} channels; at least 5 are needed"
        )));
    }
    let smooth = |i: usize| y[i - 2..=i + 2].iter().sum::<f64>() / 5.0;
    let (mut best, mut best_v) = (first, smooth(first));
    for i in first + 1..end {
        let v = smooth(i);
        if v < best_v {
            (best, best_v) = (i, v);
        }
    }
    if best == end - 1 {
        return Err(Error::Invalid(format!(
            "elastic threshold: the intensity still falls at {:.3} eV, the end of the search window \
             {lo:.3}–{hi:.3} eV; widen the window or give the threshold",
            energy[best]
        )));
    }
    Ok(energy[best])
}

/// A log-ratio thickness: t/λ = ln(I_t / I₀) (Egerton eq. 5.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thickness {
    /// t/λ with its standard error from counting statistics (the channel
    /// intensities taken as electron counts: var = I_in / (I_t · I₀), with
    /// I_in = I_t − I₀ and Poisson integrals; for gain-normalised data multiply σ
    /// by √gain).
    pub t_over_lambda: Estimate,
    /// I₀: the sum of the channels below the threshold (the zero-loss intensity).
    pub zero_loss: f64,
    /// I_t: the sum of all channels.
    pub total: f64,
    /// The threshold used (eV), snapped to the nearest channel.
    pub threshold_ev: f64,
}

impl Thickness {
    /// The absolute thickness t = (t/λ)·λ in nm for a mean free path λ (nm).
    /// The standard error carries the counting statistics of t/λ only, not the
    /// systematic error of the λ formula.
    pub fn thickness_nm(&self, mean_free_path_nm: f64) -> Estimate {
        Estimate {
            value: self.t_over_lambda.value * mean_free_path_nm,
            stderr: self
                .t_over_lambda
                .stderr
                .map(|s| s * mean_free_path_nm.abs()),
        }
    }
}

/// Log-ratio thickness of a low-loss spectrum that contains the zero-loss
/// peak: I₀ sums the channels below the channel nearest `threshold_ev` (as
/// exspy's `estimate_thickness(threshold=…)` on a binned axis), I_t all
/// channels. Errors when I₀ ≤ 0 or I_t ≤ I₀ (no inelastic intensity: a
/// threshold beyond the data, or a dark offset to subtract).
pub fn log_ratio_thickness(energy: &[f64], y: &[f64], threshold_ev: f64) -> Result<Thickness> {
    const WHAT: &str = "log-ratio thickness";
    check_energy(WHAT, energy, y.len())?;
    if !threshold_ev.is_finite() {
        return Err(Error::Invalid(format!(
            "log-ratio thickness: threshold {threshold_ev} eV"
        )));
    }
    log_ratio_on_checked(energy, y, threshold_ev)
}

/// [`log_ratio_thickness`] on a checked axis ([`check_energy`]) and a finite
/// threshold.
fn log_ratio_on_checked(energy: &[f64], y: &[f64], threshold_ev: f64) -> Result<Thickness> {
    const WHAT: &str = "log-ratio thickness";
    let k = nearest_channel(energy, threshold_ev);
    // one pass: a NaN or ±inf anywhere makes the sums non-finite
    let zero_loss = lane_sum(&y[..k]);
    let total = zero_loss + lane_sum(&y[k..]);
    if !(total.is_finite() && zero_loss.is_finite()) {
        return Err(match y.iter().position(|v| !v.is_finite()) {
            Some(i) => non_finite(WHAT, energy, y, i),
            None => Error::Invalid(format!(
                "{WHAT}: the intensities sum to {total}; they are too large"
            )),
        });
    }
    thickness_from_integrals(
        zero_loss,
        total,
        energy.get(k).copied().unwrap_or(threshold_ev),
    )
}

/// Log-ratio thickness with the zero-loss peak given as its own spectrum
/// (fitted or recorded; same channels): I₀ = Σ zlp, I_t = Σ y.
pub fn log_ratio_thickness_with_zlp(y: &[f64], zlp: &[f64]) -> Result<Thickness> {
    if y.len() != zlp.len() || y.is_empty() {
        return Err(Error::Invalid(format!(
            "log-ratio thickness: {} channels of spectrum, {} of zero-loss peak",
            y.len(),
            zlp.len()
        )));
    }
    if let Some(i) = y.iter().chain(zlp).position(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "log-ratio thickness: value {} is not finite",
            i % y.len()
        )));
    }
    thickness_from_integrals(zlp.iter().sum(), y.iter().sum(), f64::NAN)
}

fn thickness_from_integrals(zero_loss: f64, total: f64, threshold_ev: f64) -> Result<Thickness> {
    if zero_loss.is_nan() || zero_loss <= 0.0 {
        return Err(Error::Invalid(format!(
            "log-ratio thickness: zero-loss intensity I₀ = {zero_loss} must be > 0"
        )));
    }
    if total.is_nan() || total <= zero_loss {
        return Err(Error::Invalid(format!(
            "log-ratio thickness: total intensity {total} is not above the zero-loss intensity \
             {zero_loss}; no inelastic signal (threshold too high, or a dark offset to subtract)"
        )));
    }
    let inelastic = total - zero_loss;
    Ok(Thickness {
        t_over_lambda: Estimate {
            value: (total / zero_loss).ln(),
            stderr: Some((inelastic / (total * zero_loss)).sqrt()),
        },
        zero_loss,
        total,
        threshold_ev,
    })
}

/// Index of the channel nearest `e` (the channels below it are the zero-loss part).
/// The channel nearest `e` on an increasing axis (the first of two equally
/// near).
fn nearest_channel(energy: &[f64], e: f64) -> usize {
    let i = energy.partition_point(|&v| v < e);
    if i == 0 {
        0
    } else if i == energy.len() || (e - energy[i - 1]).abs() <= (energy[i] - e).abs() {
        i - 1
    } else {
        i
    }
}

/// The effective atomic number for the Malis mean free path,
/// Z_eff = Σ fᵢ Zᵢ^1.3 / Σ fᵢ Zᵢ^0.3 with atom fractions fᵢ (Egerton eq. 5.4).
/// `composition` lists (Z, amount) pairs; amounts need not sum to 1.
pub fn effective_z(composition: &[(u32, f64)]) -> Result<f64> {
    if composition.is_empty() {
        return Err(Error::Invalid("effective Z: an empty composition".into()));
    }
    let (mut num, mut den) = (0.0, 0.0);
    for (i, &(z, f)) in composition.iter().enumerate() {
        if z == 0 || z > 118 || !(f.is_finite() && f >= 0.0) {
            return Err(Error::Invalid(format!(
                "effective Z: entry {i} (Z = {z}, amount {f}) needs 1 ≤ Z ≤ 118 and a finite amount ≥ 0"
            )));
        }
        let z = z as f64;
        num += f * z.powf(1.3);
        den += f * z.powf(0.3);
    }
    if den.is_nan() || den <= 0.0 {
        return Err(Error::Invalid("effective Z: every amount is zero".into()));
    }
    Ok(num / den)
}

/// The relativistic factor F = (1 + E₀/1022)/(1 + E₀/511)² (E₀ in keV), as in
/// Egerton eq. 5.2 and Iakoubovskii eq. 9.
fn relativistic_f(beam_kev: f64) -> f64 {
    (1.0 + beam_kev / 1022.0) / (1.0 + beam_kev / 511.0).powi(2)
}

fn check_positive(what: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{what} = {v} must be finite and > 0"
        )))
    }
}

/// The inelastic mean free path (nm) by the formula of Malis, Cheng and
/// Egerton (1988), Egerton eq. 5.2: λ = 106 F E₀ / (E_m ln(2 β E₀ / E_m)),
/// E_m = 7.6 Z_eff^0.36 eV, for beam energy E₀ (keV), collection semi-angle
/// β (mrad) and effective atomic number Z_eff ([`effective_z`]). Meant for
/// β ≲ 15 mrad, without a convergence correction.
pub fn mean_free_path_malis(beam_kev: f64, beta_mrad: f64, zeff: f64) -> Result<f64> {
    check_positive("beam energy (keV)", beam_kev)?;
    check_positive("collection semi-angle (mrad)", beta_mrad)?;
    check_positive("effective Z", zeff)?;
    let em = 7.6 * zeff.powf(0.36);
    let arg = 2.0 * beta_mrad * beam_kev / em;
    if arg.is_nan() || arg <= 1.0 {
        return Err(Error::Invalid(format!(
            "Malis mean free path: 2βE₀/E_m = {arg} must exceed 1 (β = {beta_mrad} mrad, E₀ = {beam_kev} keV)"
        )));
    }
    Ok(106.0 * relativistic_f(beam_kev) * beam_kev / (em * arg.ln()))
}

/// The inelastic mean free path (nm) from the density (Iakoubovskii et al.
/// 2008, eq. 9): 1/λ = 11 ρ^0.3 / (200 F E₀) · ln(θ_C²/θ_E² · A/B) with
/// θ_E = 5.5 ρ^0.3/(F E₀) mrad, θ_C = 20 mrad, A = α² + β² + 2θ_E² + |α² − β²|,
/// B = α² + β² + 2θ_C² + |α² − β²|; ρ in g/cm³, E₀ in keV. `angles` =
/// (convergence α, collection β) semi-angles in mrad; `None` means both large
/// (A/B → 1), exspy's `iMFP_Iakoubovskii`. With angles, λ equals exspy's
/// `iMFP_Iakoubovskii × iMFP_angular_correction`, the combination its
/// `estimate_thickness(density=…)` applies.
pub fn mean_free_path_iakoubovskii(
    beam_kev: f64,
    density_g_cm3: f64,
    angles: Option<(f64, f64)>,
) -> Result<f64> {
    check_positive("beam energy (keV)", beam_kev)?;
    check_positive("density (g/cm³)", density_g_cm3)?;
    let f = relativistic_f(beam_kev);
    let theta_e = 5.5 * density_g_cm3.powf(0.3) / (f * beam_kev);
    let theta_c: f64 = 20.0;
    let mut log_arg = theta_c.powi(2) / theta_e.powi(2);
    if let Some((alpha, beta)) = angles {
        if !(alpha.is_finite() && alpha >= 0.0) {
            return Err(Error::Invalid(format!(
                "convergence semi-angle {alpha} mrad must be finite and ≥ 0"
            )));
        }
        check_positive("collection semi-angle (mrad)", beta)?;
        let (a2, b2) = (alpha * alpha, beta * beta);
        let a = a2 + b2 + 2.0 * theta_e.powi(2) + (a2 - b2).abs();
        let b = a2 + b2 + 2.0 * theta_c.powi(2) + (a2 - b2).abs();
        log_arg *= a / b;
    }
    if log_arg.is_nan() || log_arg <= 1.0 {
        return Err(Error::Invalid(format!(
            "Iakoubovskii mean free path: the logarithm's argument {log_arg} must exceed 1"
        )));
    }
    Ok(1.0 / (11.0 * density_g_cm3.powf(0.3) / (200.0 * f * beam_kev) * log_arg.ln()))
}

/// The smallest n ≥ `target` whose prime factors are all in `primes`
/// (scipy's `next_fast_len`: 2, 3, 5 for real transforms, up to 11 otherwise).
fn next_smooth(target: usize, primes: &[usize]) -> usize {
    let mut n = target.max(1);
    loop {
        let mut m = n;
        for &p in primes {
            while m.is_multiple_of(p) {
                m /= p;
            }
        }
        if m == 1 {
            return n;
        }
        n += 1;
    }
}

/// Hann taper of `channels` channels on both ends, in place, as HyperSpy's
/// `hanning_taper` (numpy `hanning(2c)` halves); `None`: 2 % of the
/// channels, at least 20. Returns the number of tapered channels.
pub fn hann_taper(y: &mut [f64], channels: Option<usize>) -> usize {
    let c = channels
        .unwrap_or_else(|| ((y.len() as f64 * 0.02).round() as usize).max(20))
        .min(y.len() / 2);
    if c == 0 {
        return 0;
    }
    let m = 2 * c;
    let w = |k: usize| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / (m - 1) as f64).cos();
    let n = y.len();
    for k in 0..c {
        y[k] *= w(k);
        y[n - c + k] *= w(c + k);
    }
    c
}

thread_local! {
    /// One real-FFT planner per thread: plans are made once per length and
    /// reused for every spectrum of an image that thread handles.
    static PLANNER: std::cell::RefCell<RealFftPlanner<f64>> =
        std::cell::RefCell::new(RealFftPlanner::new());
}

/// Real-to-complex FFT of `x` zero-padded to `n`: the n/2 + 1 non-negative
/// frequencies (numpy's `rfft(x, n)`).
fn rfft(x: &[f64], n: usize) -> Vec<Complex64> {
    let plan = PLANNER.with(|p| p.borrow_mut().plan_fft_forward(n));
    let mut input = vec![0.0; n];
    let k = x.len().min(n);
    input[..k].copy_from_slice(&x[..k]);
    let mut out = plan.make_output_vec();
    // lengths match by construction: the plan's own buffers
    if plan.process(&mut input, &mut out).is_err() {
        out.iter_mut()
            .for_each(|v| *v = Complex64::new(f64::NAN, f64::NAN));
    }
    out
}

/// Inverse of [`rfft`] for an output of length `n`, normalised by 1/n; the
/// imaginary parts of the zero (and, for even n, the Nyquist) frequency are
/// ignored, as numpy's `irfft` does.
fn irfft(mut spec: Vec<Complex64>, n: usize) -> Vec<f64> {
    let plan = PLANNER.with(|p| p.borrow_mut().plan_fft_inverse(n));
    if let Some(f) = spec.first_mut() {
        f.im = 0.0;
    }
    if n.is_multiple_of(2)
        && let Some(l) = spec.last_mut()
    {
        l.im = 0.0;
    }
    let mut out = plan.make_output_vec();
    if plan.process(&mut spec, &mut out).is_err() {
        out.iter_mut().for_each(|v| *v = f64::NAN);
    }
    out.iter_mut().for_each(|v| *v /= n as f64);
    out
}

/// Fourier-log deconvolution of a low-loss spectrum (Egerton §4.2.1): the
/// single-scattering distribution, still convolved with the zero-loss peak's
/// shape, S ⊗ Z/I₀ = F⁻¹[z · ln(j/z)], where j and z are the Fourier
/// transforms of the (Hann-tapered, see [`hann_taper`]) spectrum and of the
/// zero-loss peak `zlp` (same channel width, starting at the same energy),
/// zero-padded to the 5-smooth length ≥ n_j + n_z − 1. The complex logarithm
/// is the principal branch, and non-finite terms are set to zero, as in exspy
/// 0.3's `fourier_log_deconvolution` (to whose output this is equal; `add_zlp`
/// and `crop` there are left to the caller). Returns one value per channel of
/// `y`. The phase of j/z must stay within ±π (true when t/λ < π at every
/// frequency in practice); thicker samples need the ZLP and spectrum
/// aligned so that the ZLP is at the same channel in both.
pub fn fourier_log_deconvolution(energy: &[f64], y: &[f64], zlp: &[f64]) -> Result<Vec<f64>> {
    check_axis("Fourier-log deconvolution", energy, y)?;
    uniform_step(energy)?;
    if zlp.is_empty() || zlp.len() > y.len() * 4 + 1024 {
        return Err(Error::Invalid(format!(
            "Fourier-log deconvolution: a zero-loss peak of {} channels for a spectrum of {}",
            zlp.len(),
            y.len()
        )));
    }
    if let Some(i) = zlp.iter().position(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "Fourier-log deconvolution: zero-loss channel {i} is {}",
            zlp[i]
        )));
    }
    let zsum: f64 = zlp.iter().sum();
    if zsum.is_nan() || zsum <= 0.0 {
        return Err(Error::Invalid(
            "Fourier-log deconvolution: the zero-loss peak has no positive intensity".into(),
        ));
    }
    let mut s = y.to_vec();
    hann_taper(&mut s, None);
    let n = next_smooth(zlp.len() + s.len() - 1, &[2, 3, 5]);
    let z = rfft(zlp, n);
    let j = rfft(&s, n);
    let prod: Vec<Complex64> = z
        .iter()
        .zip(&j)
        .map(|(&z, &j)| {
            let l = (j / z).ln();
            if l.re.is_finite() && l.im.is_finite() {
                z * l
            } else {
                Complex64::new(0.0, 0.0)
            }
        })
        .collect();
    let mut out = irfft(prod, n);
    out.truncate(y.len());
    Ok(out)
}

/// Options of [`fourier_ratio_deconvolution`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FourierRatio {
    /// FWHM (eV) of the Gaussian the result is reconvolved with, which sets
    /// the final resolution and noise; `None`: the zero-loss peak's FWHM,
    /// measured on the low-loss spectrum.
    pub fwhm_ev: Option<f64>,
    /// Elastic threshold (eV) for I₀; `None`: [`elastic_threshold`] with a
    /// 1–10 eV search.
    pub threshold_ev: Option<f64>,
    /// Extrapolate both spectra with a power law before tapering (core-loss:
    /// the last 20 channels fitted, 100 added; low-loss: 100 fitted, 100
    /// added), as exspy does by default. Our power law is fitted by least
    /// squares in ln–ln ([`power_law_fit_xy`]); exspy's by a two-area estimate,
    /// so extrapolated results differ slightly from exspy's.
    pub extrapolate: bool,
}

impl Default for FourierRatio {
    fn default() -> Self {
        Self {
            fwhm_ev: None,
            threshold_ev: None,
            extrapolate: true,
        }
    }
}

/// Full width at half maximum (eV) of the highest peak of `y`, linearly
/// interpolated between channels.
pub fn peak_fwhm(energy: &[f64], y: &[f64]) -> Result<f64> {
    check_axis("peak width", energy, y)?;
    let k = (0..y.len()).fold(0, |b, i| if y[i] > y[b] { i } else { b });
    let half = y[k] / 2.0;
    if half.is_nan() || half <= 0.0 {
        return Err(Error::Invalid(
            "peak width: the maximum is not positive".into(),
        ));
    }
    let mut l = k;
    while l > 0 && y[l] > half {
        l -= 1;
    }
    let mut r = k;
    while r + 1 < y.len() && y[r] > half {
        r += 1;
    }
    if y[l] > half || y[r] > half {
        return Err(Error::Invalid(
            "peak width: the peak does not fall to half its height within the spectrum".into(),
        ));
    }
    let cross =
        |a: usize, b: usize| energy[a] + (half - y[a]) / (y[b] - y[a]) * (energy[b] - energy[a]);
    Ok(cross(r - 1, r) - cross(l, l + 1))
}

/// Extends `y` by `extra` channels of a power law fitted to its last
/// `window` channels (needs them > 0 at energies > 0).
fn power_law_extend(energy: &[f64], y: &[f64], window: usize, extra: usize) -> Result<Vec<f64>> {
    let n = y.len();
    let step = uniform_step(energy)?;
    let w = window.min(n);
    let law = power_law_fit_xy(
        &energy[n - w..],
        &y[n - w..],
        (energy[n - w], energy[n - 1]),
    )
    .map_err(|e| {
        Error::Invalid(format!(
            "power-law extrapolation of the last {w} channels: {e}"
        ))
    })?;
    let mut out = y.to_vec();
    out.extend((1..=extra).map(|k| law.eval(energy[n - 1] + k as f64 * step)));
    Ok(out)
}

/// Fourier-ratio deconvolution of a background-subtracted core-loss spectrum
/// by the low-loss spectrum of the same area (Egerton §4.2.2):
/// K = F⁻¹[g · k / l] · I₀, with k and l the transforms of the (extrapolated,
/// Hann-tapered) core-loss and low-loss spectra, g the transform of a
/// Gaussian of [`FourierRatio::fwhm_ev`] centred at 0 eV on the low-loss axis
/// (the reconvolution that bounds the noise), and I₀ the low-loss zero-loss
/// intensity below the threshold. The two axes must have the same channel
/// width; the low-loss axis must contain 0 eV. The transform length is the
/// 11-smooth length ≥ n_l + n_k − 1, as exspy 0.3's
/// `fourier_ratio_deconvolution`. One difference: exspy's Gaussian has unit
/// area in eV, so its result is ours divided by the channel width; ours has
/// unit sum, which keeps the counts per channel of the input.
pub fn fourier_ratio_deconvolution(
    core_energy: &[f64],
    core: &[f64],
    low_energy: &[f64],
    low: &[f64],
    options: &FourierRatio,
) -> Result<Vec<f64>> {
    check_axis("Fourier-ratio deconvolution (core-loss)", core_energy, core)?;
    check_axis("Fourier-ratio deconvolution (low-loss)", low_energy, low)?;
    let step = uniform_step(low_energy)?;
    let cstep = uniform_step(core_energy)?;
    if ((step - cstep) / step).abs() > 1e-6 {
        return Err(Error::Invalid(format!(
            "Fourier-ratio deconvolution: channel widths differ ({step} eV low-loss, {cstep} eV core-loss)"
        )));
    }
    if !(low_energy[0] <= 0.0 && low_energy[low_energy.len() - 1] > 0.0) {
        return Err(Error::Invalid(format!(
            "Fourier-ratio deconvolution: the low-loss axis {}–{} eV must contain 0 eV",
            low_energy[0],
            low_energy[low_energy.len() - 1]
        )));
    }
    let threshold = match options.threshold_ev {
        Some(t) => t,
        None => elastic_threshold(low_energy, low, 1.0, 10.0)?,
    };
    let fwhm = match options.fwhm_ev {
        Some(f) => {
            check_positive("reconvolution FWHM (eV)", f)?;
            f
        }
        None => peak_fwhm(low_energy, low)?,
    };
    let i0: f64 = low[..nearest_channel(low_energy, threshold)].iter().sum();
    if i0.is_nan() || i0 <= 0.0 {
        return Err(Error::Invalid(format!(
            "Fourier-ratio deconvolution: zero-loss intensity {i0} below {threshold} eV must be > 0"
        )));
    }
    let (mut cl, mut ll) = if options.extrapolate {
        (
            power_law_extend(core_energy, core, 20, 100)?,
            power_law_extend(low_energy, low, 100, 100)?,
        )
    } else {
        (core.to_vec(), low.to_vec())
    };
    hann_taper(&mut ll, None);
    hann_taper(&mut cl, None);
    let n = next_smooth(ll.len() + core.len() - 1, &[2, 3, 5, 7, 11]);
    let sigma = fwhm / (2.0 * (2.0 * 2f64.ln()).sqrt());
    let mut g: Vec<f64> = (0..n)
        .map(|k| {
            let e = low_energy[0] + step * k as f64;
            (-0.5 * (e / sigma).powi(2)).exp()
        })
        .collect();
    let gs: f64 = g.iter().sum();
    g.iter_mut().for_each(|v| *v /= gs);
    let gk = rfft(&g, n);
    let kk = rfft(&cl, n);
    let lk = rfft(&ll, n);
    let prod: Vec<Complex64> = gk
        .iter()
        .zip(kk.iter().zip(&lk))
        .map(|(&g, (&k, &l))| {
            let v = g * k / l;
            if v.re.is_finite() && v.im.is_finite() {
                v
            } else {
                Complex64::new(0.0, 0.0)
            }
        })
        .collect();
    let mut out = irfft(prod, n);
    out.truncate(core.len());
    out.iter_mut().for_each(|v| *v *= i0);
    Ok(out)
}

/// `y` shifted by `shift_ev` along its axis: out(E) = y(E + shift), by
/// linear interpolation; NaN where E + shift lies outside the axis. Shifting
/// by the zero-loss centre puts the peak at 0 eV.
pub fn shift_spectrum(energy: &[f64], y: &[f64], shift_ev: f64) -> Vec<f64> {
    let n = energy.len().min(y.len());
    let mut out = vec![f64::NAN; n];
    if n < 2 || !shift_ev.is_finite() {
        return out;
    }
    let mut j = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let e = energy[i] + shift_ev;
        if e < energy[0] || e > energy[n - 1] {
            continue;
        }
        while j + 2 < n && energy[j + 1] < e {
            j += 1;
        }
        while j > 0 && energy[j] > e {
            j -= 1;
        }
        let t = (e - energy[j]) / (energy[j + 1] - energy[j]);
        *o = y[j] + t * (y[j + 1] - y[j]);
    }
    out
}

/// How the elastic threshold of a log-ratio thickness is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Threshold {
    /// A fixed energy (eV) for every spectrum.
    Fixed(f64),
    /// [`elastic_threshold`] per spectrum, searching from `start_ev` to
    /// `start_ev + window_ev` above the zero-loss centre.
    Auto {
        /// Start of the search above the zero-loss centre (eV).
        start_ev: f64,
        /// Width of the search window (eV).
        window_ev: f64,
    },
}

impl Default for Threshold {
    /// Automatic, 1–11 eV above the zero-loss centre (exspy's default search).
    fn default() -> Self {
        Threshold::Auto {
            start_ev: 1.0,
            window_ev: 10.0,
        }
    }
}

/// Log-ratio thickness with the threshold chosen by `threshold`.
pub fn log_ratio_thickness_auto(
    energy: &[f64],
    y: &[f64],
    threshold: Threshold,
) -> Result<Thickness> {
    LowLossAxis::new(energy)?.thickness(y, threshold)
}

/// A low-loss energy axis checked once (finite, increasing, at least 3
/// channels) for the many spectra recorded on it: an image's pixels, the rows
/// of an array. [`LowLossAxis::thickness`] equals [`log_ratio_thickness_auto`]
/// without checking the axis again for every spectrum.
///
/// ```
/// use interphase_spectra::eels::{LowLossAxis, Threshold};
/// let e: Vec<f64> = (0..200).map(|i| -5.0 + 0.1 * f64::from(i)).collect();
/// // a zero-loss peak at 0 eV and a plasmon at 10 eV
/// let y: Vec<f64> = e
///     .iter()
///     .map(|&x| 1e5 * (-x * x / 0.5).exp() + 2e3 * (-(x - 10.0) * (x - 10.0) / 8.0).exp() + 1.0)
///     .collect();
/// let axis = LowLossAxis::new(&e)?;
/// let t = axis.thickness(&y, Threshold::default())?;
/// assert!(t.t_over_lambda.value > 0.0 && t.threshold_ev > 1.0);
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LowLossAxis<'a> {
    energy: &'a [f64],
}

impl<'a> LowLossAxis<'a> {
    /// Checks the axis: finite, increasing, at least 3 channels.
    pub fn new(energy: &'a [f64]) -> Result<Self> {
        check_energy("low-loss axis", energy, energy.len())?;
        Ok(LowLossAxis { energy })
    }

    /// Log-ratio thickness of one spectrum on this axis (see
    /// [`log_ratio_thickness_auto`]); errors when its length differs.
    pub fn thickness(&self, y: &[f64], threshold: Threshold) -> Result<Thickness> {
        let energy = self.energy;
        if y.len() != energy.len() {
            return Err(Error::Invalid(format!(
                "log-ratio thickness: {} energies for {} intensities",
                energy.len(),
                y.len()
            )));
        }
        let t = match threshold {
            Threshold::Fixed(t) if t.is_finite() => t,
            Threshold::Fixed(t) => {
                return Err(Error::Invalid(format!(
                    "log-ratio thickness: threshold {t} eV"
                )));
            }
            Threshold::Auto {
                start_ev,
                window_ev,
            } => {
                check_search(start_ev, window_ev)?;
                if !all_finite(y)
                    && let Some(i) = y.iter().position(|v| !v.is_finite())
                {
                    return Err(non_finite("zero-loss peak", energy, y, i));
                }
                let c = zlp_on_checked(energy, y)?.value;
                elastic_search(energy, y, c, start_ev, window_ev)?
            }
        };
        log_ratio_on_checked(energy, y, t)
    }
}

/// A zero-loss alignment of an image (and of images recorded alongside).
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// The low-loss image, every zero-loss peak moved to 0 eV, cropped to the
    /// energies every pixel covers.
    pub image: SpectrumImage,
    /// The images recorded alongside (dual EELS core-loss), shifted by the
    /// same amount per pixel and cropped alike.
    pub others: Vec<SpectrumImage>,
    /// The zero-loss centre of each pixel before alignment (eV).
    pub shifts: Map,
}

impl SpectrumImage {
    /// The zero-loss centre of every pixel ([`zlp_centre_estimate`]), in
    /// parallel, with its counting-statistics standard error (NaN where the
    /// estimator has none).
    pub fn zlp_centres(&self) -> Map {
        self.map_estimates(zlp_centre_estimate)
    }

    /// Log-ratio t/λ of every pixel, with its counting-statistics σ.
    pub fn thickness(&self, threshold: Threshold) -> Map {
        match LowLossAxis::new(self.energy()) {
            Ok(axis) => {
                self.map_estimates(|_, y| axis.thickness(y, threshold).map(|t| t.t_over_lambda))
            }
            Err(e) => Map::from_results(self.shape(), vec![Err(e); self.pixels()]),
        }
    }

    /// Moves every pixel's zero-loss peak to 0 eV by a sub-channel shift
    /// (linear interpolation, [`shift_spectrum`]) and applies each pixel's
    /// shift to the `others` (same shape; e.g. the core-loss image of dual
    /// EELS). Every image is cropped to the channels of its own axis that all
    /// shifted pixels cover, as exspy's `align_zero_loss_peak(crop=True)`.
    /// Errors when a pixel's zero-loss peak cannot be located (with the
    /// pixel), when shapes differ, or when the shifts leave no common channel.
    pub fn align_zlp(&self, others: &[&SpectrumImage]) -> Result<Alignment> {
        for (k, o) in others.iter().enumerate() {
            if o.shape() != self.shape() {
                return Err(Error::Invalid(format!(
                    "zero-loss alignment: image {k} has shape {:?}, the low-loss image {:?}",
                    o.shape(),
                    self.shape()
                )));
            }
        }
        let shifts = self.zlp_centres();
        if let Some((p, msg)) = shifts.failures.first() {
            return Err(Error::Invalid(format!(
                "zero-loss alignment: pixel ({}, {}): {msg}",
                p / self.shape().1,
                p % self.shape().1
            )));
        }
        let shift_image = |img: &SpectrumImage| -> Result<SpectrumImage> {
            let e = img.energy();
            let (smin, smax) = shifts
                .value
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &s| {
                    (a.min(s), b.max(s))
                });
            // channel i is covered by every pixel when e_i + s ∈ [e_0, e_last] for all s
            let keep: Vec<usize> = (0..e.len())
                .filter(|&i| e[i] + smin >= e[0] && e[i] + smax <= e[e.len() - 1])
                .collect();
            if keep.len() < 2 {
                return Err(Error::Invalid(format!(
                    "zero-loss alignment: shifts from {smin} to {smax} eV leave no common energy range"
                )));
            }
            let (a, b) = (keep[0], keep[keep.len() - 1] + 1);
            let new_e: Vec<f64> = e[a..b].to_vec();
            let n = e.len();
            let mut data = Vec::with_capacity(img.pixels() * (b - a));
            let rows: Vec<Vec<f64>> = img
                .data()
                .par_chunks(n)
                .zip(shifts.value.par_iter())
                .map(|(y, &s)| shift_spectrum(e, y, s)[a..b].to_vec())
                .collect();
            for r in rows {
                data.extend(r);
            }
            let mut out = SpectrumImage::new(new_e, img.shape(), data)?;
            out.meta = img.meta.clone();
            Ok(out)
        };
        Ok(Alignment {
            image: shift_image(self)?,
            others: others
                .iter()
                .map(|o| shift_image(o))
                .collect::<Result<_>>()?,
            shifts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_smooth_lengths() {
        assert_eq!(next_smooth(1, &[2, 3, 5]), 1);
        assert_eq!(next_smooth(7, &[2, 3, 5]), 8);
        assert_eq!(next_smooth(7, &[2, 3, 5, 7, 11]), 7);
        assert_eq!(next_smooth(1021, &[2, 3, 5]), 1024);
        assert_eq!(next_smooth(1021, &[2, 3, 5, 7, 11]), 1024);
        // scipy.fft.next_fast_len(1001, real=True / False) = 1024 / 1008
        assert_eq!(next_smooth(1001, &[2, 3, 5]), 1024);
        assert_eq!(next_smooth(1001, &[2, 3, 5, 7, 11]), 1008);
    }

    #[test]
    fn zlp_centre_is_exact_for_a_gaussian_off_grid() {
        let e: Vec<f64> = (0..200).map(|i| -5.0 + 0.05 * i as f64).collect();
        for c in [-0.013, 0.0, 0.021, 0.37] {
            let y: Vec<f64> = e
                .iter()
                .map(|&e| 1e4 * (-0.5 * ((e - c) / 0.3f64).powi(2)).exp())
                .collect();
            assert!((zlp_centre(&e, &y).unwrap() - c).abs() < 1e-10);
        }
        let y: Vec<f64> = e.clone();
        assert!(zlp_centre(&e, &y).is_err());
    }
}
