//! Z-HIT: the modulus of the impedance reconstructed from its phase, a
//! Kramers–Kronig-type check that needs no model (W. Ehm, H. Göhr, R. Kaus,
//! B. Röseler and C. A. Schiller, *Acta Chim. Hung.* 137 (2000) 145;
//! C. A. Schiller, F. Richter, E. Gülzow and N. Wagner, *Phys. Chem. Chem.
//! Phys.* 3 (2001) 374).
//!
//! For a causal, linear, stable system the phase φ(ω) = arg Z determines
//! ln |Z| up to a constant; to a very good approximation
//!
//! ln |Z(ω₀)| ≈ C + (2/π) ∫_{ωₛ}^{ω₀} φ(ω) d ln ω + γ dφ/d ln ω |_{ω₀},
//! γ = −π/6,
//!
//! with ωₛ the highest measured frequency. The phase (unwrapped along
//! frequency, its mean brought into (−π, π]) is interpolated over
//! ln ω by a not-a-knot cubic spline through the measured points (the
//! interpolant of scipy's `CubicSpline`, pyimpspec's `interpolation="cubic"`),
//! which is integrated and differentiated exactly. The constant C is the
//! weighted least-squares offset between the reconstruction and the measured
//! ln |Z| over a window of frequencies believed free of artefacts (by
//! default 1 Hz – 1 kHz, pyimpspec's boxcar window: log₁₀ f within 1.5 ± 1.5).
//! The reconstructed impedance is |Z|ₕᵢₜ e^{iφ}; the residuals
//! (Z − Zₕᵢₜ)/|Z| of the real and imaginary parts (Schönleber et al. 2014,
//! eqs. 15–16, as Lin-KK reports them) show where the modulus disagrees with
//! the phase — drift at low frequencies, typically, which a stationary
//! reconstruction cannot follow.
//!
//! The approximation is not exact: around an arc whose phase turns fast
//! (an ideal capacitor in parallel with a resistor) the reconstruction
//! departs from the true modulus by up to 2–3 %, by about 1.5 % for CPE
//! arcs with α ≈ 0.8–0.9 (the same in pyimpspec, whose reconstruction this
//! is). Z-HIT is therefore read for trends — residuals growing
//! systematically towards low frequency, where drift shows — rather than
//! against a fixed 1 % threshold.
//!
//! The phase is not smoothed: on noisy data the derivative term carries the
//! phase noise, so Z-HIT residuals of a few tenths of a percent are normal
//! there. Differences from pyimpspec's `perform_zhit(smoothing="none",
//! interpolation="cubic", window="boxcar")`: the reconstruction is the same
//! (checked to 1e-10 in the tests), but pyimpspec fits the offset by
//! minimising Σ (wₖ eₖ²)², we by the least squares Σ wₖ eₖ², so the two
//! offsets differ slightly (0.02–0.4 % in |Z| on the LLTO spectra).
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum, zhit::{zhit, ZhitOptions}};
//! let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse()?;
//! let f: Vec<f64> = (0..71).map(|i| 10f64.powf(5.0 - 0.1 * i as f64)).collect();
//! let p = [20.0, 500.0, 1e-7, 0.9, 2000.0, 1e-4, 0.8];
//! let data = ImpedanceSpectrum::simulate(&c, &p, &f)?;
//! let r = zhit(&data, &ZhitOptions::default())?;
//! // a valid spectrum: the modulus follows from the phase to the
//! // approximation's own accuracy (1.5 % here, where an arc's phase turns fastest)
//! assert!(r.max_abs_residual() < 0.02, "{}", r.max_abs_residual());
//! println!("{r}");
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;

use serde::Serialize;

use crate::Complex64 as C;
use crate::data::ImpedanceSpectrum;
use crate::error::{Error, Result};
use crate::kk::relative;

/// Options of [`zhit`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZhitOptions {
    /// Centre of the offset window, log₁₀(f / Hz). Default 1.5.
    pub window_center: f64,
    /// Width of the offset window in decades. Default 3 (1 Hz – 1 kHz).
    pub window_width: f64,
    /// Weights of the offset fit, one per point in data order, ≥ 0, at least
    /// one > 0; when given, they replace the window.
    pub weights: Option<Vec<f64>>,
    /// The phase to reconstruct from (radians, data order), e.g. the
    /// measured phase smoothed (pyimpspec's `smoothing`; the CLI's
    /// `--smooth` applies a Savitzky–Golay filter); `None`: arg Z as
    /// measured. The reconstructed impedance carries this phase.
    pub phase: Option<Vec<f64>>,
}

impl Default for ZhitOptions {
    fn default() -> Self {
        ZhitOptions {
            window_center: 1.5,
            window_width: 3.0,
            weights: None,
            phase: None,
        }
    }
}

/// The outcome of [`zhit`]; every vector in data order. `Display` prints
/// the offset window, the pseudo-χ², the largest residuals and the points
/// beyond 1 %.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZhitResult {
    /// Frequencies, Hz.
    pub freq: Vec<f64>,
    /// The reconstructed modulus |Z|ₕᵢₜ, Ω.
    pub modulus: Vec<f64>,
    /// The reconstructed impedance |Z|ₕᵢₜ e^{iφ} (φ as measured, or the
    /// phase given in [`ZhitOptions::phase`]), Ω.
    #[serde(skip)]
    pub z_fit: Vec<C>,
    /// The fitted offset C of ln |Z| (natural log of Ω).
    pub offset: f64,
    /// The weights the offset was fitted with (window or user weights).
    pub weights: Vec<f64>,
    /// (Re Z − Re Zₕᵢₜ)/|Z|.
    pub residuals_re: Vec<f64>,
    /// (Im Z − Im Zₕᵢₜ)/|Z|.
    pub residuals_im: Vec<f64>,
    /// (|Z| − |Z|ₕᵢₜ)/|Z|: the modulus residual.
    pub residuals_modulus: Vec<f64>,
}

impl ZhitResult {
    /// The largest |residual| of the real or imaginary part.
    pub fn max_abs_residual(&self) -> f64 {
        relative::max_abs(&self.residuals_re, &self.residuals_im)
    }

    /// Boukamp's pseudo-χ²: Σ |Z − Zₕᵢₜ|²/|Z|² (pyimpspec's `pseudo_chisqr`).
    pub fn pseudo_chi2(&self) -> f64 {
        relative::pseudo_chi2(&self.residuals_re, &self.residuals_im)
    }

    /// The largest |residual| (real or imaginary) over the lowest decade of
    /// frequency (f ≤ 10 f_min), where drift shows. With 0.25 % noise and
    /// the phase smoothed over 7 points, 0.015 (6× the noise) separated
    /// 200 of 200 held-out valid and drifting spectra
    /// (`crates/eis/tools/zhit_drift_study.py`, docs/eis.md); the threshold
    /// scales with the noise (a stationary spectrum with 0.5 % noise
    /// reaches 0.016).
    pub fn lowest_decade_max_abs_residual(&self) -> f64 {
        let f_min = self.freq.iter().copied().fold(f64::INFINITY, f64::min);
        (0..self.freq.len())
            .filter(|&i| self.freq[i] <= 10.0 * f_min)
            .map(|i| self.residuals_re[i].abs().max(self.residuals_im[i].abs()))
            .fold(0.0, f64::max)
    }

    /// Indices of the points with a real or imaginary residual beyond
    /// `threshold` (e.g. 0.01 for 1 %).
    pub fn failing_points(&self, threshold: f64) -> Vec<usize> {
        relative::beyond(&self.residuals_re, &self.residuals_im, threshold)
    }
}

impl std::fmt::Display for ZhitResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.weights.iter().filter(|w| **w > 0.0).count();
        writeln!(
            f,
            "[[Z-HIT]] {} points, offset fitted on {used} of them, ln|Z| offset = {:.6}",
            self.freq.len(),
            self.offset
        )?;
        writeln!(f, "    pseudo-χ²              {:.4e}", self.pseudo_chi2())?;
        writeln!(
            f,
            "    max |residual|         {:.3} % of |Z| (lowest decade: {:.3} %)",
            100.0 * self.max_abs_residual(),
            100.0 * self.lowest_decade_max_abs_residual()
        )?;
        let bad = self.failing_points(0.01);
        if bad.is_empty() {
            writeln!(f, "    every point within 1 % of |Z|")?;
        } else {
            let list: Vec<String> = bad
                .iter()
                .take(8)
                .map(|&i| interphase_fit::format_significant(self.freq[i], 4))
                .collect();
            writeln!(
                f,
                "    beyond 1 %: {} points, at {} Hz{}",
                bad.len(),
                list.join(", "),
                if bad.len() > 8 { ", …" } else { "" }
            )?;
        }
        Ok(())
    }
}

/// Reconstructs the modulus of `data` from its phase (see the module docs).
///
/// Errors: fewer than 5 points, a repeated frequency, a zero impedance, a
/// window that is not finite or not positive in width, a window or weights
/// that select no point (the message gives the data's frequency span), or
/// weights of the wrong length, negative or not finite.
pub fn zhit(data: &ImpedanceSpectrum, opts: &ZhitOptions) -> Result<ZhitResult> {
    let n = data.len();
    if n < 5 {
        return Err(Error::Invalid(format!(
            "Z-HIT needs at least 5 points, the spectrum has {n}"
        )));
    }
    let (freq, z) = (data.freq(), data.z());
    if let Some(i) = z.iter().position(|v| v.norm() == 0.0) {
        return Err(Error::Invalid(format!(
            "Z-HIT: the impedance at index {i} ({} Hz) is 0: its modulus has no logarithm",
            freq[i]
        )));
    }
    let weights = match &opts.weights {
        Some(w) => {
            if w.len() != n {
                return Err(Error::Invalid(format!(
                    "Z-HIT: {} weights for {n} points",
                    w.len()
                )));
            }
            if let Some((i, v)) = w
                .iter()
                .enumerate()
                .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
            {
                return Err(Error::Invalid(format!(
                    "Z-HIT: weight {v} at index {i} must be finite and ≥ 0"
                )));
            }
            w.clone()
        }
        None => {
            let (c, w) = (opts.window_center, opts.window_width);
            if !(c.is_finite() && w.is_finite() && w > 0.0) {
                return Err(Error::Invalid(format!(
                    "Z-HIT: window centre {c} and width {w} (decades) must be finite, the width > 0"
                )));
            }
            let (lo, hi) = (c - w / 2.0, c + w / 2.0);
            freq.iter()
                .map(|f| {
                    let l = f.log10();
                    if l >= lo && l <= hi { 1.0 } else { 0.0 }
                })
                .collect()
        }
    };
    if !weights.iter().any(|w| *w > 0.0) {
        let (a, b) = data.freq_range();
        return Err(Error::Invalid(format!(
            "Z-HIT: the offset window (log10 f = {} ± {}) holds no point of the data ({} – {} Hz); \
             choose window_center/window_width inside the data or give weights",
            opts.window_center,
            opts.window_width / 2.0,
            interphase_fit::format_significant(a, 4),
            interphase_fit::format_significant(b, 4),
        )));
    }
    // ascending ln ω
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| freq[a].total_cmp(&freq[b]));
    for k in 1..n {
        if freq[order[k]] <= freq[order[k - 1]] {
            return Err(Error::Invalid(format!(
                "Z-HIT: frequency {} Hz appears twice (indices {} and {}); the phase must be a function of frequency",
                freq[order[k]],
                order[k - 1],
                order[k]
            )));
        }
    }
    let phase: Vec<f64> = match &opts.phase {
        Some(p) => {
            if p.len() != n {
                return Err(Error::Invalid(format!(
                    "Z-HIT: {} phase values for {n} points",
                    p.len()
                )));
            }
            if let Some((i, v)) = p.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::Invalid(format!(
                    "Z-HIT: phase {v} at index {i} is not finite"
                )));
            }
            p.clone()
        }
        None => z.iter().map(|v| v.arg()).collect(),
    };
    let x: Vec<f64> = order.iter().map(|&i| (2.0 * PI * freq[i]).ln()).collect();
    let mut phi: Vec<f64> = order.iter().map(|&i| phase[i]).collect();
    // unwrapped along frequency (numpy's `unwrap`): a jump of more than π
    // between neighbours is a wrap of 2π, not a feature of the spectrum
    for k in 1..n {
        let d = phi[k] - phi[k - 1];
        if d.abs() > PI {
            phi[k] -= 2.0 * PI * (d / (2.0 * PI)).round();
        }
    }
    // and shifted by whole turns so that its mean lies in (−π, π]
    let mean = phi.iter().sum::<f64>() / n as f64;
    let turns = (mean / (2.0 * PI)).round();
    if turns != 0.0 {
        phi.iter_mut().for_each(|p| *p -= 2.0 * PI * turns);
    }
    let spline = Spline::not_a_knot(&x, &phi)?;
    // ∫ from the lowest point to each point, then from the highest
    let cum = spline.cumulative_integral();
    let total = cum[n - 1];
    let gamma = -PI / 6.0;
    let mut recon = vec![0.0; n];
    for (k, &i) in order.iter().enumerate() {
        recon[i] = 2.0 / PI * (cum[k] - total) + gamma * spline.slopes[k];
    }
    let ln_mod: Vec<f64> = z.iter().map(|v| v.norm().ln()).collect();
    let wsum: f64 = weights.iter().sum();
    let offset = weights
        .iter()
        .zip(ln_mod.iter().zip(&recon))
        .map(|(w, (m, r))| w * (m - r))
        .sum::<f64>()
        / wsum;
    let modulus: Vec<f64> = recon.iter().map(|r| (r + offset).exp()).collect();
    let z_fit: Vec<C> = modulus
        .iter()
        .zip(&phase)
        .map(|(m, p)| C::from_polar(*m, *p))
        .collect();
    let res = |part: fn(&C) -> f64| -> Vec<f64> {
        z.iter()
            .zip(&z_fit)
            .map(|(a, b)| (part(a) - part(b)) / a.norm())
            .collect()
    };
    Ok(ZhitResult {
        freq: freq.to_vec(),
        residuals_re: res(|v| v.re),
        residuals_im: res(|v| v.im),
        residuals_modulus: z
            .iter()
            .zip(&modulus)
            .map(|(a, m)| (a.norm() - m) / a.norm())
            .collect(),
        modulus,
        z_fit,
        offset,
        weights,
    })
}

/// A cubic spline through (xᵢ, yᵢ), xᵢ strictly increasing, stored as the
/// values and the slopes sᵢ at the knots (Hermite form).
struct Spline {
    x: Vec<f64>,
    y: Vec<f64>,
    slopes: Vec<f64>,
}

impl Spline {
    /// The not-a-knot spline (third derivative continuous at the second and
    /// second-to-last knots; C. de Boor, *A Practical Guide to Splines*
    /// (1978), ch. IV), the same equations as scipy's `CubicSpline`:
    /// hᵢ sᵢ₋₁ + 2(hᵢ₋₁ + hᵢ) sᵢ + hᵢ₋₁ sᵢ₊₁ = 3(hᵢ δᵢ₋₁ + hᵢ₋₁ δᵢ) inside,
    /// with δᵢ the secant slopes, solved by tridiagonal elimination with
    /// partial pivoting (LAPACK `dgtsv`). Needs n ≥ 4.
    fn not_a_knot(x: &[f64], y: &[f64]) -> Result<Spline> {
        let n = x.len();
        if n < 4 || y.len() != n {
            return Err(Error::Invalid(format!(
                "a not-a-knot spline needs at least 4 points, got {n}"
            )));
        }
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let d: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / h[i]).collect();
        let (mut sub, mut diag, mut sup, mut rhs) = (
            vec![0.0; n - 1],
            vec![0.0; n],
            vec![0.0; n - 1],
            vec![0.0; n],
        );
        // first row: h₁ s₀ + (x₂ − x₀) s₁ = ((h₀ + 2(x₂ − x₀)) h₁ δ₀ + h₀² δ₁)/(x₂ − x₀)
        let w0 = x[2] - x[0];
        diag[0] = h[1];
        sup[0] = w0;
        rhs[0] = ((h[0] + 2.0 * w0) * h[1] * d[0] + h[0] * h[0] * d[1]) / w0;
        for i in 1..n - 1 {
            sub[i - 1] = h[i];
            diag[i] = 2.0 * (h[i - 1] + h[i]);
            sup[i] = h[i - 1];
            rhs[i] = 3.0 * (h[i] * d[i - 1] + h[i - 1] * d[i]);
        }
        let wn = x[n - 1] - x[n - 3];
        sub[n - 2] = wn;
        diag[n - 1] = h[n - 3];
        rhs[n - 1] =
            (h[n - 2] * h[n - 2] * d[n - 3] + (2.0 * wn + h[n - 2]) * h[n - 3] * d[n - 2]) / wn;
        let slopes = solve_tridiagonal(sub, diag, sup, rhs)?;
        Ok(Spline {
            x: x.to_vec(),
            y: y.to_vec(),
            slopes,
        })
    }

    /// ∫ from x₀ to each knot, exactly (the Hermite cubic's integral over
    /// an interval is h (yᵢ + yᵢ₊₁)/2 + h² (sᵢ − sᵢ₊₁)/12).
    fn cumulative_integral(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.x.len());
        let mut acc = 0.0;
        out.push(0.0);
        for i in 0..self.x.len() - 1 {
            let h = self.x[i + 1] - self.x[i];
            acc += h * (self.y[i] + self.y[i + 1]) / 2.0
                + h * h * (self.slopes[i] - self.slopes[i + 1]) / 12.0;
            out.push(acc);
        }
        out
    }
}

/// Solves a tridiagonal system (sub-, main and super-diagonal) by Gaussian
/// elimination with partial pivoting, as LAPACK's `dgtsv` does (the pivoting
/// fills a second super-diagonal). Errors on a singular system.
fn solve_tridiagonal(
    mut dl: Vec<f64>,
    mut d: Vec<f64>,
    mut du: Vec<f64>,
    mut b: Vec<f64>,
) -> Result<Vec<f64>> {
    let n = d.len();
    let mut du2 = vec![0.0; n.saturating_sub(2)];
    for i in 0..n - 1 {
        if d[i].abs() >= dl[i].abs() {
            // no row interchange
            if d[i] == 0.0 {
                return Err(Error::Invalid("singular spline system".into()));
            }
            let fact = dl[i] / d[i];
            d[i + 1] -= fact * du[i];
            b[i + 1] -= fact * b[i];
            dl[i] = 0.0;
        } else {
            // interchange rows i and i + 1
            let fact = d[i] / dl[i];
            d[i] = dl[i];
            let temp = d[i + 1];
            d[i + 1] = du[i] - fact * temp;
            if i + 1 < n - 1 {
                du2[i] = du[i + 1];
                du[i + 1] = -fact * du2[i];
            }
            du[i] = temp;
            let tb = b[i];
            b[i] = b[i + 1];
            b[i + 1] = tb - fact * b[i + 1];
        }
    }
    if d[n - 1] == 0.0 {
        return Err(Error::Invalid("singular spline system".into()));
    }
    // back substitution
    b[n - 1] /= d[n - 1];
    if n > 1 {
        b[n - 2] = (b[n - 2] - du[n - 2] * b[n - 1]) / d[n - 2];
    }
    for i in (0..n.saturating_sub(2)).rev() {
        b[i] = (b[i] - du[i] * b[i + 1] - du2[i] * b[i + 2]) / d[i];
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spline_reproduces_a_cubic_exactly() {
        // not-a-knot reproduces any cubic: slopes and integrals exact
        let x = [0.0, 0.3, 1.1, 1.5, 2.6, 3.0, 4.2];
        let p = |t: f64| 1.0 - 2.0 * t + 0.5 * t * t - 0.25 * t * t * t;
        let dp = |t: f64| -2.0 + t - 0.75 * t * t;
        let ip = |t: f64| t - t * t + t * t * t / 6.0 - t.powi(4) / 16.0;
        let y: Vec<f64> = x.iter().map(|&t| p(t)).collect();
        let s = Spline::not_a_knot(&x, &y).unwrap();
        for (k, &t) in x.iter().enumerate() {
            assert!((s.slopes[k] - dp(t)).abs() < 1e-12, "{k}");
        }
        let c = s.cumulative_integral();
        for (k, &t) in x.iter().enumerate() {
            assert!((c[k] - ip(t)).abs() < 1e-12, "{k}");
        }
    }

    #[test]
    fn tridiagonal_with_pivoting() {
        // a system that needs row interchanges (zero first diagonal)
        let x = solve_tridiagonal(
            vec![1.0, 2.0, 1.0],
            vec![0.0, 1.0, 4.0, 3.0],
            vec![2.0, 1.0, 1.0],
            vec![4.0, 4.0, 11.0, 11.0],
        )
        .unwrap();
        // solution (1, 2, 2? …): check A x = b
        let a = [
            [0.0, 2.0, 0.0, 0.0],
            [1.0, 1.0, 1.0, 0.0],
            [0.0, 2.0, 4.0, 1.0],
            [0.0, 0.0, 1.0, 3.0],
        ];
        let b = [4.0, 4.0, 11.0, 11.0];
        for r in 0..4 {
            let v: f64 = (0..4).map(|c| a[r][c] * x[c]).sum();
            assert!((v - b[r]).abs() < 1e-12, "row {r}: {v}");
        }
        assert!(solve_tridiagonal(vec![0.0], vec![0.0, 1.0], vec![1.0], vec![1.0, 1.0]).is_err());
    }
}
