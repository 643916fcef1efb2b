//! Linear smoothing filters on uniformly spaced samples: Savitzky–Golay
//! (smoothing and derivatives) and the centred moving average, with σ
//! propagation for independent points. [`Spectrum::savgol`] and
//! [`Spectrum::moving_average`] are the usual entry points; these slice
//! functions serve arrays that are not spectra.
//!
//! ```
//! use interphase_spectra::smooth::savgol_coefficients;
//! // the classic 5-point quadratic smoothing weights (−3, 12, 17, 12, −3)/35
//! let h = savgol_coefficients(5, 2, 0, 1.0)?;
//! assert!((h[2] - 17.0 / 35.0).abs() < 1e-14);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```
//!
//! [`Spectrum::savgol`]: crate::spectrum::Spectrum::savgol
//! [`Spectrum::moving_average`]: crate::spectrum::Spectrum::moving_average

use nalgebra::DMatrix;

use crate::error::{Error, Result};
use crate::spectrum::first_non_finite;

/// The least-squares pseudo-inverse P ((order+1) × window) of the Vandermonde
/// matrix in the scaled variable t = (k − c)/s, c = (window − 1)/2, s = max(c, 1).
struct SavgolBasis {
    p: DMatrix<f64>,
    c: f64,
    s: f64,
}

impl SavgolBasis {
    fn new(window: usize, order: usize) -> Result<Self> {
        let m = order + 1;
        let c = (window as f64 - 1.0) / 2.0;
        let s = c.max(1.0);
        let a = DMatrix::from_fn(window, m, |k, j| ((k as f64 - c) / s).powi(j as i32));
        let qr = a.qr();
        let r = qr.r();
        let r00 = r[(0, 0)].abs();
        if (0..m).any(|j| r[(j, j)].abs() <= 1e-12 * r00 || r[(j, j)].is_nan()) {
            return Err(Error::Invalid(format!(
                "Savitzky–Golay order {order} is numerically singular for window {window}"
            )));
        }
        let q = qr.q();
        let p = r
            .solve_upper_triangular(&q.transpose())
            .ok_or_else(|| Error::Invalid("Savitzky–Golay: singular triangular factor".into()))?;
        Ok(Self { p, c, s })
    }

    /// Weights h (length window) such that Σₖ hₖ y[k] is the `deriv`-th
    /// derivative, per unit of `delta`, of the fitted polynomial at index `pos`.
    fn weights(&self, pos: usize, deriv: usize, delta: f64) -> Vec<f64> {
        let m = self.p.nrows();
        let t = (pos as f64 - self.c) / self.s;
        let mut h = vec![0.0; self.p.ncols()];
        for j in deriv..m {
            // d^deriv/dt^deriv t^j = j!/(j-deriv)! t^(j-deriv)
            let falling: f64 = ((j - deriv + 1)..=j).map(|v| v as f64).product();
            let f = falling * t.powi((j - deriv) as i32);
            if f == 0.0 {
                continue;
            }
            for (hk, pk) in h.iter_mut().zip(self.p.row(j).iter()) {
                *hk += f * pk;
            }
        }
        let scale = (self.s * delta).powi(deriv as i32);
        h.iter_mut().for_each(|v| *v /= scale);
        h
    }
}

fn check_window(window: usize, order: usize, n: usize) -> Result<()> {
    if window.is_multiple_of(2) {
        return Err(Error::Invalid(format!(
            "Savitzky–Golay window must be odd and ≥ 1, got {window}"
        )));
    }
    if order >= window {
        return Err(Error::Invalid(format!(
            "Savitzky–Golay order {order} must be below the window {window}"
        )));
    }
    if window > n {
        return Err(Error::Invalid(format!(
            "Savitzky–Golay window {window} is longer than the data ({n} points)"
        )));
    }
    Ok(())
}

/// The centred Savitzky–Golay weights for an odd `window`, polynomial `order`
/// (< window), derivative `deriv` and sample spacing `delta`, in correlation
/// order (apply as Σₖ hₖ y[i − window/2 + k]). Equals
/// `scipy.signal.savgol_coeffs(window, order, deriv, delta, use="dot")`.
pub fn savgol_coefficients(
    window: usize,
    order: usize,
    deriv: usize,
    delta: f64,
) -> Result<Vec<f64>> {
    check_window(window, order, window)?;
    check_delta(delta)?;
    if deriv > order {
        return Ok(vec![0.0; window]);
    }
    Ok(SavgolBasis::new(window, order)?.weights(window / 2, deriv, delta))
}

fn check_delta(delta: f64) -> Result<()> {
    if delta.is_finite() && delta != 0.0 {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "sample spacing must be finite and non-zero, got {delta}"
        )))
    }
}

/// Savitzky–Golay filter with scipy's `mode = "interp"` edges: returns the
/// filtered values and, when `sigma` is given, σ' = √(Σ h² σ²).
pub fn savgol_filter(
    y: &[f64],
    sigma: Option<&[f64]>,
    window: usize,
    order: usize,
    deriv: usize,
    delta: f64,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let n = y.len();
    check_window(window, order, n)?;
    check_delta(delta)?;
    check_inputs(y, sigma)?;
    if deriv > order {
        return Ok((vec![0.0; n], sigma.map(|_| vec![0.0; n])));
    }
    let basis = SavgolBasis::new(window, order)?;
    let half = window / 2;
    let mut out = vec![0.0; n];
    let mut s_out = sigma.map(|_| vec![0.0; n]);
    let mut apply = |i: usize, start: usize, h: &[f64]| {
        let seg = &y[start..start + window];
        out[i] = h.iter().zip(seg).map(|(a, b)| a * b).sum();
        if let (Some(s), Some(so)) = (sigma, s_out.as_mut()) {
            let ss = &s[start..start + window];
            so[i] = h
                .iter()
                .zip(ss)
                .map(|(a, b)| (a * b) * (a * b))
                .sum::<f64>()
                .sqrt();
        }
    };
    let centre = basis.weights(half, deriv, delta);
    for i in half..n - half {
        apply(i, i - half, &centre);
    }
    for p in 0..half {
        let h = basis.weights(p, deriv, delta);
        apply(p, 0, &h);
        let q = window - half + p;
        let h = basis.weights(q, deriv, delta);
        apply(n - window + q, n - window, &h);
    }
    Ok((out, s_out))
}

fn check_inputs(y: &[f64], sigma: Option<&[f64]>) -> Result<()> {
    if let Some((index, value)) = first_non_finite(y) {
        return Err(Error::NonFinite {
            what: "y",
            index,
            value,
        });
    }
    if let Some(s) = sigma {
        if s.len() != y.len() {
            return Err(Error::Length {
                what: format!("sigma has {} points, y has {}", s.len(), y.len()),
            });
        }
        if let Some((index, value)) = first_non_finite(s) {
            return Err(Error::NonFinite {
                what: "sigma",
                index,
                value,
            });
        }
    }
    Ok(())
}

/// Centred moving average over an odd `window`; near the ends the window
/// shrinks symmetrically (point i averages 2·min(i, n−1−i, window/2) + 1
/// points). Returns the values and propagated σ when `sigma` is given.
pub fn moving_average(
    y: &[f64],
    sigma: Option<&[f64]>,
    window: usize,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let n = y.len();
    if window.is_multiple_of(2) || window > n {
        return Err(Error::Invalid(format!(
            "moving-average window must be odd, ≥ 1 and at most the data length {n}; got {window}"
        )));
    }
    check_inputs(y, sigma)?;
    let half = window / 2;
    let mut out = vec![0.0; n];
    let mut s_out = sigma.map(|_| vec![0.0; n]);
    for i in 0..n {
        let w = half.min(i).min(n - 1 - i);
        let k = (2 * w + 1) as f64;
        out[i] = y[i - w..=i + w].iter().sum::<f64>() / k;
        if let (Some(s), Some(so)) = (sigma, s_out.as_mut()) {
            so[i] = s[i - w..=i + w].iter().map(|v| v * v).sum::<f64>().sqrt() / k;
        }
    }
    Ok((out, s_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_tables() {
        // Savitzky & Golay (1964) table: 7-point quadratic (−2, 3, 6, 7, 6, 3, −2)/21
        let h = savgol_coefficients(7, 2, 0, 1.0).unwrap();
        let want = [-2.0, 3.0, 6.0, 7.0, 6.0, 3.0, -2.0].map(|v| v / 21.0);
        for (a, b) in h.iter().zip(want) {
            assert!((a - b).abs() < 1e-14, "{a} {b}");
        }
        // 5-point quadratic first derivative (−2, −1, 0, 1, 2)/10
        let d = savgol_coefficients(5, 2, 1, 1.0).unwrap();
        for (a, b) in d.iter().zip([-0.2, -0.1, 0.0, 0.1, 0.2]) {
            assert!((a - b).abs() < 1e-14, "{a} {b}");
        }
    }

    #[test]
    fn reproduces_polynomials_exactly() {
        // a cubic is reproduced by an order-3 filter everywhere, edges included,
        // and so is its derivative
        let x: Vec<f64> = (0..40).map(|i| 0.1 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|t| 1.0 - 2.0 * t + 0.5 * t * t * t).collect();
        let (s, _) = savgol_filter(&y, None, 9, 3, 0, 0.1).unwrap();
        let (d, _) = savgol_filter(&y, None, 9, 3, 1, 0.1).unwrap();
        for i in 0..40 {
            assert!((s[i] - y[i]).abs() < 1e-11);
            assert!((d[i] - (-2.0 + 1.5 * x[i] * x[i])).abs() < 1e-9, "{i}");
        }
    }

    #[test]
    fn rejects_bad_windows() {
        let y = [1.0; 10];
        assert!(savgol_filter(&y, None, 4, 2, 0, 1.0).is_err());
        assert!(savgol_filter(&y, None, 5, 5, 0, 1.0).is_err());
        assert!(savgol_filter(&y, None, 11, 2, 0, 1.0).is_err());
        assert!(savgol_filter(&y, None, 5, 2, 0, 0.0).is_err());
        assert!(moving_average(&y, None, 2).is_err());
        let (m, s) = moving_average(&[1.0, 2.0, 6.0, 4.0, 5.0], Some(&[1.0; 5]), 3).unwrap();
        assert_eq!(m, vec![1.0, 3.0, 4.0, 5.0, 5.0]);
        assert!((s.unwrap()[2] - 3f64.sqrt() / 3.0).abs() < 1e-15);
    }
}
