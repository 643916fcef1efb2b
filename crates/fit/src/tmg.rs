//! Samples of a multivariate normal restricted to the non-negative orthant,
//! N(μ, P⁻¹) given x ≥ 0, by exact Hamiltonian Monte Carlo (A. Pakman and
//! L. Paninski, *J. Comput. Graph. Stat.* 23 (2014) 518): the posterior of
//! a non-negative least-squares or Tikhonov problem, e.g. the Bayesian DRT
//! of Ciucci and Chen (*Electrochim. Acta* 167 (2015) 439), which pyDRTtools
//! samples with the same method.
//!
//! In whitened coordinates x = μ + L w (L Lᵀ = Σ = P⁻¹) the target is a
//! standard normal, whose Hamiltonian paths are w(t) = a sin t + w₀ cos t
//! with a fresh velocity a ~ N(0, I) for each sample. Each path runs for
//! π/2; where it meets a wall xᵢ = 0 (found in closed form: xᵢ(t) − μᵢ is
//! uᵢ cos(t − φᵢ)) the velocity is reflected off that wall. No step size,
//! no rejections; successive samples are correlated only through the
//! starting point. Each sample costs one triangular solve (O(n²)) plus O(n)
//! per wall hit and per constraint check.
//!
//! ```
//! use interphase_fit::tmg::truncated_normal_nonneg;
//! use nalgebra::{DMatrix, DVector};
//! // a standard normal cut at 0: the half-normal, mean √(2/π)
//! let s = truncated_normal_nonneg(
//!     &DVector::from_element(1, 0.0),
//!     &DMatrix::identity(1, 1),
//!     &DVector::from_element(1, 1.0),
//!     20_000,
//!     7,
//! )?;
//! let mean = s.iter().map(|x| x[0]).sum::<f64>() / s.len() as f64;
//! assert!((mean - (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.02);
//! assert!(s.iter().all(|x| x[0] >= 0.0));
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use std::f64::consts::{FRAC_PI_2, PI};

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};
use crate::rng::Rng;

/// Most wall hits allowed on one path (a path of length π/2 meets each wall
/// at most once between reflections; far more hits mean a broken problem).
const MAX_BOUNCES: usize = 1_000_000;

/// Most samples × dimension held at once (8 × 10⁷ numbers: 640 MB).
pub const MAX_VALUES: usize = 80_000_000;

/// `n` samples of N(`mean`, `precision`⁻¹) restricted to x ≥ 0, the first
/// one path away from `start` (which must satisfy x ≥ 0; coordinates at 0
/// are moved inside by 10⁻¹² of the largest |start|). Reproducible from
/// `seed`. Discard a burn-in of a few hundred samples when `start` is far
/// from the bulk of the distribution.
///
/// Errors: mismatched sizes, non-finite input, a start outside the orthant,
/// a precision that is not symmetric positive definite, `n` × dimension
/// above [`MAX_VALUES`].
pub fn truncated_normal_nonneg(
    mean: &DVector<f64>,
    precision: &DMatrix<f64>,
    start: &DVector<f64>,
    n: usize,
    seed: u64,
) -> Result<Vec<DVector<f64>>> {
    let d = mean.len();
    if d == 0 || precision.shape() != (d, d) || start.len() != d {
        return Err(Error::Dimension(format!(
            "truncated normal: mean of {d}, precision {}×{}, start of {}",
            precision.nrows(),
            precision.ncols(),
            start.len()
        )));
    }
    if n.saturating_mul(d) > MAX_VALUES {
        return Err(Error::Options(format!(
            "truncated normal: {n} samples of dimension {d} exceed {MAX_VALUES} numbers"
        )));
    }
    if let Some(i) = mean.iter().position(|v| !v.is_finite()) {
        return Err(Error::Data(format!(
            "truncated normal: mean[{i}] is not finite"
        )));
    }
    if let Some(i) = precision.iter().position(|v| !v.is_finite()) {
        return Err(Error::Data(format!(
            "truncated normal: precision entry {i} (column-major) is not finite"
        )));
    }
    if let Some(i) = start.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::Data(format!(
            "truncated normal: start[{i}] = {} is not ≥ 0",
            start[i]
        )));
    }
    let sym = precision.transpose();
    let scale = precision.amax().max(f64::MIN_POSITIVE);
    if (precision - &sym).amax() > 1e-10 * scale {
        return Err(Error::Data(
            "truncated normal: the precision matrix is not symmetric".into(),
        ));
    }
    let chol = nalgebra::Cholesky::new(0.5 * (precision + sym)).ok_or_else(|| {
        Error::Data("truncated normal: the precision matrix is not positive definite".into())
    })?;
    // P = C Cᵀ; L = C⁻ᵀ gives L Lᵀ = Σ. Σ's columns are L fᵢ for the walls' normals fᵢ = Lᵀeᵢ.
    let c = chol.l();
    let ct = c.transpose();
    let sigma = chol.inverse();
    let lift = 1e-12 * start.amax().max(f64::MIN_POSITIVE);
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    let mut a = DVector::<f64>::zeros(d);
    let mu: Vec<f64> = mean.iter().copied().collect();
    // Σ's diagonal and columns as plain slices (column-major storage)
    let sig = sigma.as_slice();
    let diag: Vec<f64> = (0..d).map(|i| sig[i * d + i]).collect();
    // y = x − μ = L w (the position) and L a (the velocity), both in x units
    let mut y: Vec<f64> = start
        .iter()
        .zip(&mu)
        .map(|(s, m)| s.max(lift) - m)
        .collect();
    let mut la = vec![0.0; d];
    for _ in 0..n {
        for v in a.iter_mut() {
            *v = rng.normal();
        }
        let sol = ct
            .solve_upper_triangular(&a)
            .ok_or_else(|| Error::Data("truncated normal: singular Cholesky factor".into()))?;
        la.copy_from_slice(sol.as_slice());
        let mut left = FRAC_PI_2;
        let mut bounces = 0usize;
        let mut last: Option<usize> = None;
        loop {
            let (t, i) = first_wall(&la, &y, &mu, left, last);
            let (s, co) = t.sin_cos();
            if i == usize::MAX {
                for (yk, ak) in y.iter_mut().zip(&la) {
                    *yk = ak * s + *yk * co;
                }
                break;
            }
            // move to the wall, then reflect the velocity off it:
            // v − 2 (fᵢ·v)/|fᵢ|² fᵢ, in x units (L fᵢ = Σ eᵢ)
            for (yk, ak) in y.iter_mut().zip(la.iter_mut()) {
                let (yo, ao) = (*yk, *ak);
                *yk = ao * s + yo * co;
                *ak = ao * co - yo * s;
            }
            let k = 2.0 * la[i] / diag[i];
            for (ak, sk) in la.iter_mut().zip(&sig[i * d..(i + 1) * d]) {
                *ak -= k * sk;
            }
            y[i] = -mu[i]; // exactly on the wall
            last = Some(i);
            left -= t;
            bounces += 1;
            if bounces > MAX_BOUNCES {
                return Err(Error::Minimizer(format!(
                    "truncated normal: more than {MAX_BOUNCES} wall hits on one path"
                )));
            }
        }
        let x = DVector::from_iterator(d, y.iter().zip(&mu).map(|(v, m)| (v + m).max(0.0)));
        out.push(x);
    }
    Ok(out)
}

/// The first wall met within `left` on the path xₖ(t) = μₖ + laₖ sin t +
/// yₖ cos t, falling through xₖ = 0: (time, index), or (`left`, usize::MAX)
/// when none is. `last`, the wall just reflected off, is not met again at
/// once (rounding can put its next crossing a hair after t = 0).
fn first_wall(la: &[f64], y: &[f64], mu: &[f64], left: f64, last: Option<usize>) -> (f64, usize) {
    let mut best = (left, usize::MAX);
    for (i, ((&fa, &fb), &g)) in la.iter().zip(y).zip(mu).enumerate() {
        // the path's lowest point on the whole circle is g − u: never below 0, no hit
        let u2 = fa * fa + fb * fb;
        if g >= 0.0 && u2 <= g * g || u2 == 0.0 {
            continue;
        }
        let u = u2.sqrt();
        // |dxₖ/dt| ≤ u: from xₖ(0) = g + yₖ the wall is at least (g + yₖ)/u
        // away in time; no earlier than the best so far, it cannot win (the
        // comparison below is strict), so atan2 and acos are skipped
        if g + fb >= best.0 * u {
            continue;
        }
        let phi = fa.atan2(fb);
        let alpha = (-g / u).clamp(-1.0, 1.0).acos();
        let t = (phi + alpha).rem_euclid(2.0 * PI);
        if last == Some(i) && t < 1e-10 {
            continue;
        }
        if t < best.0 {
            best = (t, i);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_cov(s: &[DVector<f64>]) -> (DVector<f64>, DMatrix<f64>) {
        let d = s[0].len();
        let n = s.len() as f64;
        let m = s.iter().fold(DVector::zeros(d), |acc, x| acc + x) / n;
        let mut c = DMatrix::zeros(d, d);
        for x in s {
            let e = x - &m;
            c += &e * e.transpose();
        }
        (m, c / (n - 1.0))
    }

    /// Far from the walls the samples are those of the plain normal.
    #[test]
    fn untruncated_moments() {
        let mean = DVector::from_vec(vec![20.0, 30.0]);
        let cov = DMatrix::from_row_slice(2, 2, &[4.0, 3.0, 3.0, 9.0]);
        let p = cov.clone().try_inverse().unwrap();
        let s = truncated_normal_nonneg(&mean, &p, &mean, 20_000, 3).unwrap();
        let (m, c) = mean_cov(&s);
        assert!(
            (m[0] - 20.0).abs() < 0.1 && (m[1] - 30.0).abs() < 0.15,
            "{m}"
        );
        for (got, want) in c.iter().zip(cov.iter()) {
            assert!((got - want).abs() < 0.06 * 9.0, "{c}");
        }
    }

    /// N(−1, 1) cut at 0: mean φ(1)/(1 − Φ(1)) − 1 = 0.5251, variance 0.1970
    /// (the moments of the truncated normal, e.g. Johnson, Kotz and
    /// Balakrishnan, *Continuous Univariate Distributions* 1, eq. 13.134).
    #[test]
    fn one_sided_truncation_moments() {
        let s = truncated_normal_nonneg(
            &DVector::from_element(1, -1.0),
            &DMatrix::identity(1, 1),
            &DVector::from_element(1, 0.5),
            40_000,
            11,
        )
        .unwrap();
        let (m, c) = mean_cov(&s);
        assert!((m[0] - 0.525_135).abs() < 0.01, "{m}");
        assert!((c[(0, 0)] - 0.196_992).abs() < 0.01, "{c}");
    }

    /// A correlated pair cut at 0 in both coordinates: every sample stays
    /// in the orthant and the mean matches a rejection sampler's.
    #[test]
    fn correlated_orthant_against_rejection() {
        let mean = DVector::from_vec(vec![0.2, -0.3]);
        let cov = DMatrix::from_row_slice(2, 2, &[1.0, 0.8, 0.8, 1.0]);
        let p = cov.clone().try_inverse().unwrap();
        let s = truncated_normal_nonneg(&mean, &p, &DVector::from_vec(vec![1.0, 1.0]), 40_000, 5)
            .unwrap();
        assert!(s.iter().all(|x| x[0] >= 0.0 && x[1] >= 0.0));
        let (m, _) = mean_cov(&s);
        // rejection: draw from N(mean, cov) with the Cholesky factor, keep x ≥ 0
        let l = cov.cholesky().unwrap().l();
        let mut rng = Rng::new(99);
        let (mut acc, mut k) = (DVector::zeros(2), 0.0);
        while k < 40_000.0 {
            let z = DVector::from_vec(vec![rng.normal(), rng.normal()]);
            let x = &mean + &l * z;
            if x[0] >= 0.0 && x[1] >= 0.0 {
                acc += x;
                k += 1.0;
            }
        }
        let mr = acc / k;
        assert!((&m - &mr).amax() < 0.02, "HMC {m} rejection {mr}");
    }

    /// Starting on the walls (coordinates at 0, as a non-negative
    /// least-squares solution has them) gives the same distribution as
    /// starting inside. (The regression test of a wall hit again right after
    /// its reflection, through rounding, is the DRT's, in
    /// `interphase-eis`'s tests/drt_bands.rs: the posterior mean area came
    /// out 60 % high.)
    #[test]
    fn start_on_the_walls() {
        let d = 20;
        let mean = DVector::from_element(d, -1.0);
        let cov = DMatrix::from_fn(d, d, |i, j| 0.9f64.powi((i as i32 - j as i32).abs()));
        let p = cov.try_inverse().unwrap();
        let sum = |start: DVector<f64>| {
            let s = truncated_normal_nonneg(&mean, &p, &start, 6000, 2).unwrap();
            s[1000..].iter().map(|x| x.sum()).sum::<f64>() / 5000.0
        };
        let (a, b) = (sum(DVector::zeros(d)), sum(DVector::from_element(d, 1.0)));
        assert!((a - b).abs() < 0.05 * b, "from 0: {a}, from 1: {b}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let one = DVector::from_element(1, 1.0);
        let p = DMatrix::identity(1, 1);
        assert!(truncated_normal_nonneg(&one, &p, &DVector::from_element(1, -1.0), 10, 1).is_err());
        assert!(truncated_normal_nonneg(&one, &(-p.clone()), &one, 10, 1).is_err());
        assert!(truncated_normal_nonneg(&one, &DMatrix::identity(2, 2), &one, 10, 1).is_err());
        let nan = DVector::from_element(1, f64::NAN);
        assert!(truncated_normal_nonneg(&nan, &p, &one, 10, 1).is_err());
        assert!(truncated_normal_nonneg(&one, &p, &one, usize::MAX, 1).is_err());
    }
}
