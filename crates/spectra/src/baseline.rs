//! Baselines: the algorithms of pybaselines, lmfitxps, CasaXPS and HyperSpy,
//! each a function returning the baseline on the input grid.
//!
//! | function | method | parameters (pybaselines names where it has the method) |
//! | --- | --- | --- |
//! | [`linear`] | straight line between end-point averages | `average_points` |
//! | [`polynomial`] | least-squares polynomial | `poly_order` |
//! | [`modpoly`] | ModPoly (Lieber & Mahadevan-Jansen 2003) | `poly_order`, `tol`, `max_iter` |
//! | [`imodpoly`] | IModPoly (Zhao et al. 2007) | `poly_order`, `tol`, `max_iter`, `num_std` |
//! | [`asls`] | asymmetric least squares (Eilers & Boelens 2005) | `lam`, `p`, `tol`, `max_iter` |
//! | [`arpls`] | arPLS (Baek et al. 2015) | `lam`, `tol`, `max_iter` |
//! | [`airpls`] | airPLS (Zhang et al. 2010) | `lam`, `tol`, `max_iter` |
//! | [`snip`] | SNIP (Ryan et al. 1988), optional LLS transform | `max_half_window`, `decreasing` |
//! | [`shirley`] | iterative Shirley (Shirley 1972; Proctor & Sherwood 1982) | `average_points`, `tol`, `max_iter` |
//! | [`tougaard`] | Tougaard universal cross-section (Tougaard 1988, 1997) | [`TougaardOptions`]: B, C, D |
//! | [`power_law`] | EELS A·E^−r fitted on a pre-edge window | window |
//!
//! The Whittaker smoothers (AsLS, arPLS, airPLS) solve (W + λDᵀD)z = Wy with D
//! the second-difference matrix (pybaselines' `diff_order = 2`) by a banded LDLᵀ
//! factorisation: O(n) time and memory, no allocation per iteration beyond the
//! factor's five bands. Their loops, weights and stopping tests follow
//! pybaselines 1.2 so that the numbers can be compared (tests/baselines.rs).
//!
//! ```
//! use interphase_spectra::baseline::{arpls, WhittakerOptions};
//! let x: Vec<f64> = (0..500).map(|i| i as f64).collect();
//! let y: Vec<f64> = x.iter().map(|&x| 10.0 + 0.01 * x + 50.0 * (-((x - 250.0) / 8.0f64).powi(2)).exp()).collect();
//! let b = arpls(&y, &WhittakerOptions { lam: 1e5, ..Default::default() })?;
//! assert!((b.baseline[50] - 10.5).abs() < 0.2);   // under the flat part
//! assert!(b.baseline[250] < 20.0);                // not pulled up by the peak
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use crate::error::{Error, Result};

/// A computed baseline and how the iteration ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// The baseline on the input grid.
    pub baseline: Vec<f64>,
    /// Iterations performed (1 for one-pass methods).
    pub iterations: usize,
    /// Whether the stopping tolerance was reached (true for one-pass methods).
    pub converged: bool,
}

fn check_data(what: &'static str, y: &[f64], min_len: usize) -> Result<()> {
    if y.len() < min_len {
        return Err(Error::Length {
            what: format!(
                "{what} has {} points; at least {min_len} are needed",
                y.len()
            ),
        });
    }
    if let Some((i, &v)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what,
            index: i,
            value: v,
        });
    }
    Ok(())
}

fn check_xy(x: &[f64], y: &[f64], min_len: usize) -> Result<()> {
    check_data("x", x, min_len)?;
    check_data("y", y, min_len)?;
    if x.len() != y.len() {
        return Err(Error::Length {
            what: format!("x has {} points, y has {}", x.len(), y.len()),
        });
    }
    // strictly monotonic (increasing or decreasing) x
    let increasing = x[1] > x[0];
    let bad = (1..x.len()).find(|&i| {
        if increasing {
            x[i] <= x[i - 1]
        } else {
            x[i] >= x[i - 1]
        }
    });
    if let Some(i) = bad {
        return Err(Error::Length {
            what: format!(
                "x is not strictly monotonic at index {i} ({} after {})",
                x[i],
                x[i - 1]
            ),
        });
    }
    Ok(())
}

fn param(name: &'static str, value: f64, ok: bool, reason: &'static str) -> Result<()> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidParameter {
            shape: "baseline",
            name,
            value,
            reason,
        })
    }
}

fn norm2(v: impl Iterator<Item = f64>) -> f64 {
    v.map(|a| a * a).sum::<f64>().sqrt()
}

/// pybaselines' `relative_difference`: ‖new − old‖₂ / max(‖old‖₂, tiny).
fn relative_difference(old: &[f64], new: &[f64]) -> f64 {
    norm2(old.iter().zip(new).map(|(a, b)| b - a))
        / norm2(old.iter().copied()).max(f64::MIN_POSITIVE)
}

// ------------------------------------------------------------------ Whittaker

/// Options of the Whittaker baselines (pybaselines defaults: AsLS λ = 1e6,
/// p = 0.01; arPLS λ = 1e5; airPLS λ = 1e6; tol = 1e-3, max_iter = 50).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WhittakerOptions {
    /// Smoothness λ (> 0); the penalty is λ·Σ(Δ²z)².
    pub lam: f64,
    /// AsLS asymmetry p ∈ (0, 1): weight of points above the baseline.
    pub p: f64,
    /// Stopping tolerance on the weights' relative change (airPLS: on the
    /// negative-residual L1 norm relative to ‖y‖₁).
    pub tol: f64,
    /// Maximum number of iterations after the first solve.
    pub max_iter: usize,
}

impl Default for WhittakerOptions {
    fn default() -> Self {
        WhittakerOptions {
            lam: 1e6,
            p: 0.01,
            tol: 1e-3,
            max_iter: 50,
        }
    }
}

/// Solves (diag(w) + λ·DᵀD) z = w∘y for the second-difference D, by banded
/// LDLᵀ (the matrix is symmetric positive definite whenever at least two
/// weights are positive... or λ > 0 with any positive weight pattern spanning a line).
struct Whittaker {
    n: usize,
    // λ·DᵀD bands: main[i] = A[i][i] − w[i], off1[i] = A[i][i+1], off2[i] = A[i][i+2]
    main: Vec<f64>,
    off1: Vec<f64>,
    off2: Vec<f64>,
    // factor: unit lower-triangular bands l1 = L[i][i−1], l2 = L[i][i−2], diagonal d
    d: Vec<f64>,
    l1: Vec<f64>,
    l2: Vec<f64>,
}

impl Whittaker {
    fn new(n: usize, lam: f64) -> Self {
        let mut main = vec![6.0 * lam; n];
        let mut off1 = vec![-4.0 * lam; n];
        let mut off2 = vec![lam; n];
        if n >= 3 {
            main[0] = lam;
            main[n - 1] = lam;
            main[1] = 5.0 * lam;
            main[n - 2] = 5.0 * lam;
            off1[0] = -2.0 * lam;
            off1[n - 2] = -2.0 * lam;
        }
        off1[n - 1] = 0.0;
        off2[n - 1] = 0.0;
        if n >= 2 {
            off2[n - 2] = 0.0;
        }
        Whittaker {
            n,
            main,
            off1,
            off2,
            d: vec![0.0; n],
            l1: vec![0.0; n],
            l2: vec![0.0; n],
        }
    }

    /// Solves (diag(w) + λDᵀD) z = w∘y by banded LDLᵀ (`d` holds 1/Dᵢᵢ, so the
    /// recurrence carries one division per point).
    fn solve(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        let n = self.n;
        let (main, off1, off2) = (&self.main, &self.off1, &self.off2);
        let (inv_d, l1v, l2v) = (&mut self.d, &mut self.l1, &mut self.l2);
        // pivots D[i−1], D[i−2] and their inverses carried in registers
        let (mut d1, mut d2, mut id1, mut id2) = (0.0, 0.0, 0.0, 0.0);
        let (mut z1, mut z2, mut l1p) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let mut di = w[i] + main[i];
            let (mut l1, mut l2) = (0.0, 0.0);
            if i >= 2 {
                l2 = off2[i - 2] * id2;
                l1 = (off1[i - 1] - l2 * d2 * l1p) * id1;
                di -= l1 * l1 * d1 + l2 * l2 * d2;
            } else if i == 1 {
                l1 = off1[0] * id1;
                di -= l1 * l1 * d1;
            }
            if !(di > 0.0 && di.is_finite()) {
                return Err(Error::Parameters {
                    shape: "baseline",
                    message: format!(
                        "Whittaker system is singular at point {i} (too few positive weights)"
                    ),
                });
            }
            let idi = 1.0 / di;
            inv_d[i] = idi;
            l1v[i] = l1;
            l2v[i] = l2;
            // forward substitution fused: L u = w∘y
            let u = w[i] * y[i] - l1 * z1 - l2 * z2;
            z[i] = u;
            (z2, z1) = (z1, u);
            (d2, d1, id2, id1) = (d1, di, id1, idi);
            l1p = l1;
        }
        let (mut n1, mut n2) = (0.0, 0.0);
        for i in (0..n).rev() {
            let l1n = if i + 1 < n { l1v[i + 1] } else { 0.0 };
            let l2n = if i + 2 < n { l2v[i + 2] } else { 0.0 };
            let v = z[i] * inv_d[i] - l1n * n1 - l2n * n2;
            z[i] = v;
            (n2, n1) = (n1, v);
        }
        Ok(())
    }
}

fn whittaker_check(y: &[f64], o: &WhittakerOptions) -> Result<()> {
    check_data("y", y, 3)?;
    param("lam", o.lam, o.lam > 0.0, "must be finite and > 0")?;
    param("tol", o.tol, o.tol >= 0.0, "must be finite and ≥ 0")?;
    if y.len() > 50_000_000 {
        return Err(Error::Length {
            what: format!("{} points is more than the 5e7 supported", y.len()),
        });
    }
    Ok(())
}

/// Asymmetric least squares (P. H. C. Eilers & H. F. M. Boelens, 2005): weights
/// p above the baseline and 1 − p below, iterated until the weights' relative
/// change is below `tol` (pybaselines `asls`).
pub fn asls(y: &[f64], o: &WhittakerOptions) -> Result<Baseline> {
    whittaker_check(y, o)?;
    param("p", o.p, o.p > 0.0 && o.p < 1.0, "must be in (0, 1)")?;
    reweight(y, o, |_, z, w, nw| {
        for i in 0..y.len() {
            nw[i] = if y[i] > z[i] { o.p } else { 1.0 - o.p };
        }
        Some(relative_difference(w, nw))
    })
}

/// Asymmetrically reweighted penalized least squares (S.-J. Baek et al., Analyst
/// 140 (2015) 250): logistic weights from the mean and standard deviation
/// (ddof = 1) of the negative residuals (pybaselines `arpls`).
pub fn arpls(y: &[f64], o: &WhittakerOptions) -> Result<Baseline> {
    whittaker_check(y, o)?;
    reweight(y, o, |_, z, w, nw| {
        let (cnt, sum) = negative_residuals(y, z);
        if cnt < 2 {
            // pybaselines stops here (almost all points above the baseline)
            return None;
        }
        let mean = sum / cnt as f64;
        let var = y
            .iter()
            .zip(z)
            .map(|(a, b)| a - b)
            .filter(|r| *r < 0.0)
            .map(|r| (r - mean) * (r - mean))
            .sum::<f64>()
            / (cnt - 1) as f64;
        let std = if var > 0.0 {
            var.sqrt()
        } else {
            f64::MIN_POSITIVE
        };
        for i in 0..y.len() {
            let t = (2.0 / std) * ((y[i] - z[i]) - (2.0 * std - mean));
            nw[i] = 1.0 / (1.0 + t.exp());
        }
        Some(relative_difference(w, nw))
    })
}

/// Adaptive iteratively reweighted penalized least squares (Z.-M. Zhang et al.,
/// Analyst 135 (2010) 1138, with the corrected eq. 9): weights
/// exp(t·|r|/‖r⁻‖₁) on negative residuals, 0 elsewhere, t the iteration (≤ 50),
/// stopped when ‖r⁻‖₁ < tol·‖y‖₁ (pybaselines `airpls`).
pub fn airpls(y: &[f64], o: &WhittakerOptions) -> Result<Baseline> {
    whittaker_check(y, o)?;
    let y_l1: f64 = y.iter().map(|v| v.abs()).sum();
    let log_max = f64::MAX.ln();
    reweight(y, o, |it, z, _, nw| {
        let (cnt, l1) = negative_residuals(y, z);
        if cnt < 2 {
            return None;
        }
        for i in 0..y.len() {
            let r = y[i] - z[i];
            nw[i] = if r < 0.0 {
                ((it.min(50) as f64 / l1) * r)
                    .clamp(0.0, log_max * (1.0 - 1e-15))
                    .exp()
            } else {
                0.0
            };
        }
        Some(l1.abs() / y_l1)
    })
}

/// Number and sum of the negative residuals y − z.
fn negative_residuals(y: &[f64], z: &[f64]) -> (usize, f64) {
    y.iter()
        .zip(z)
        .map(|(a, b)| a - b)
        .filter(|r| *r < 0.0)
        .fold((0, 0.0), |(c, s), r| (c + 1, s + r))
}

/// The reweighting loop the Whittaker baselines share (pybaselines' loops): start
/// with unit weights, solve, let `update(iteration, z, weights, new_weights)`
/// (iteration 1-based) fill the next weights and return the convergence measure,
/// stop when it is below `tol` (converged) or `None` (stopped early, not
/// converged); at most `max_iter + 1` solves.
fn reweight(
    y: &[f64],
    o: &WhittakerOptions,
    mut update: impl FnMut(usize, &[f64], &[f64], &mut [f64]) -> Option<f64>,
) -> Result<Baseline> {
    let n = y.len();
    let mut sys = Whittaker::new(n, o.lam);
    let mut w = vec![1.0; n];
    let mut nw = vec![0.0; n];
    let mut z = vec![0.0; n];
    for it in 1..=o.max_iter + 1 {
        sys.solve(&w, y, &mut z)?;
        match update(it, &z, &w, &mut nw) {
            None => {
                return Ok(Baseline {
                    baseline: z,
                    iterations: it,
                    converged: false,
                });
            }
            Some(d) if d < o.tol => {
                return Ok(Baseline {
                    baseline: z,
                    iterations: it,
                    converged: true,
                });
            }
            Some(_) => std::mem::swap(&mut w, &mut nw),
        }
    }
    Ok(Baseline {
        baseline: z,
        iterations: o.max_iter + 1,
        converged: false,
    })
}

// ------------------------------------------------------------------ SNIP

/// SNIP (C. G. Ryan et al., Nucl. Instrum. Meth. B 34 (1988) 396): repeated
/// clipping z_i ← min(z_i, (z_{i−k} + z_{i+k})/2) for k = 1..=max_half_window
/// (or decreasing), second-order filter. The data are padded at each end by
/// repeating the end value (pybaselines `snip(..., pad_kwargs={"mode": "edge"})`).
/// With `lls`, the LLS transform v = ln(ln(√(y + 1) + 1) + 1) is applied before
/// and inverted after (Morháč et al., NIM A 401 (1997) 113; y ≥ 0 required).
pub fn snip(y: &[f64], max_half_window: usize, decreasing: bool, lls: bool) -> Result<Baseline> {
    check_data("y", y, 3)?;
    if max_half_window == 0 {
        return Err(Error::InvalidParameter {
            shape: "baseline",
            name: "max_half_window",
            value: 0.0,
            reason: "must be ≥ 1",
        });
    }
    if lls && let Some((i, &v)) = y.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(Error::NonFinite {
            what: "y (LLS needs y ≥ 0)",
            index: i,
            value: v,
        });
    }
    let n = y.len();
    let h = max_half_window.min((n - 1) / 2);
    let fwd = |v: f64| {
        if lls {
            ((v + 1.0).sqrt() + 1.0).ln().ln_1p()
        } else {
            v
        }
    };
    let inv = |v: f64| {
        if lls {
            ((v.exp() - 1.0).exp() - 1.0).powi(2) - 1.0
        } else {
            v
        }
    };
    let mut z: Vec<f64> = Vec::with_capacity(n + 2 * h);
    z.extend(std::iter::repeat_n(fwd(y[0]), h));
    z.extend(y.iter().map(|&v| fwd(v)));
    z.extend(std::iter::repeat_n(fwd(y[n - 1]), h));
    let m = z.len();
    let mut filt = vec![0.0; m];
    let ks: Vec<usize> = if decreasing {
        (1..=h).rev().collect()
    } else {
        (1..=h).collect()
    };
    for k in ks {
        for i in k..m - k {
            filt[i] = 0.5 * (z[i - k] + z[i + k]);
        }
        for i in k..m - k {
            if filt[i] < z[i] {
                z[i] = filt[i];
            }
        }
    }
    Ok(Baseline {
        baseline: z[h..h + n].iter().map(|&v| inv(v)).collect(),
        iterations: h,
        converged: true,
    })
}

// ------------------------------------------------------------------ polynomial family

/// Weighted least-squares polynomial fits on x mapped to [−1, 1] (as
/// pybaselines does) in the Legendre basis, the weighted pseudo-inverse
/// (BᵀWB)⁻¹BᵀW computed once and reused for every right-hand side.
struct PolyFit {
    /// Legendre basis, column-major n × k.
    basis: Vec<f64>,
    /// k × n weighted pseudo-inverse, row-major.
    pinv: Vec<f64>,
    k: usize,
    n: usize,
}

impl PolyFit {
    fn new(x: &[f64], w: &[f64], order: usize) -> Result<PolyFit> {
        let (lo, hi) = x
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let t: Vec<f64> = x.iter().map(|&v| 2.0 * (v - lo) / span - 1.0).collect();
        let n = x.len();
        let k = order + 1;
        // Legendre basis P_j(t) (well conditioned on [−1, 1]), column-major n × k
        let mut basis = vec![0.0; n * k];
        for (i, &ti) in t.iter().enumerate() {
            let (mut p0, mut p1) = (1.0, ti);
            for j in 0..k {
                let v = match j {
                    0 => 1.0,
                    1 => ti,
                    _ => {
                        let p2 = ((2 * j - 1) as f64 * ti * p1 - (j - 1) as f64 * p0) / j as f64;
                        p0 = p1;
                        p1 = p2;
                        p2
                    }
                };
                basis[j * n + i] = v;
            }
        }
        // normal equations G = BᵀWB (k × k), pinv = G⁻¹·BᵀW (k × n)
        let g = nalgebra::DMatrix::from_fn(k, k, |a, b| {
            (0..n)
                .map(|i| w[i] * basis[a * n + i] * basis[b * n + i])
                .sum::<f64>()
        });
        let ginv = g.try_inverse().ok_or_else(|| Error::Parameters {
            shape: "baseline",
            message: format!(
                "polynomial of order {order} is not determined by the weighted points"
            ),
        })?;
        let mut pinv = vec![0.0; k * n];
        for a in 0..k {
            for i in 0..n {
                pinv[a * n + i] =
                    w[i] * (0..k).map(|b| ginv[(a, b)] * basis[b * n + i]).sum::<f64>();
            }
        }
        Ok(PolyFit { basis, pinv, k, n })
    }

    fn fit_into(&self, y: &[f64], out: &mut [f64]) {
        let n = self.n;
        let mut coef = [0.0f64; 21];
        for (a, c) in coef.iter_mut().enumerate().take(self.k) {
            *c = self.pinv[a * n..(a + 1) * n]
                .iter()
                .zip(y)
                .map(|(p, y)| p * y)
                .sum();
        }
        out.iter_mut().for_each(|o| *o = 0.0);
        for (a, &c) in coef.iter().enumerate().take(self.k) {
            for (o, &b) in out.iter_mut().zip(&self.basis[a * n..(a + 1) * n]) {
                *o += c * b;
            }
        }
    }
}

fn poly_fit(x: &[f64], y: &[f64], w: &[f64], order: usize) -> Result<Vec<f64>> {
    let f = PolyFit::new(x, w, order)?;
    let mut out = vec![0.0; x.len()];
    f.fit_into(y, &mut out);
    Ok(out)
}

fn poly_check(x: &[f64], y: &[f64], order: usize) -> Result<()> {
    check_xy(x, y, order + 2)?;
    if order > 20 {
        return Err(Error::InvalidParameter {
            shape: "baseline",
            name: "poly_order",
            value: order as f64,
            reason: "must be ≤ 20",
        });
    }
    Ok(())
}

/// A least-squares polynomial of degree `order` through all points.
pub fn polynomial(x: &[f64], y: &[f64], order: usize) -> Result<Baseline> {
    poly_check(x, y, order)?;
    Ok(Baseline {
        baseline: poly_fit(x, y, &vec![1.0; x.len()], order)?,
        iterations: 1,
        converged: true,
    })
}

/// ModPoly (C. A. Lieber & A. Mahadevan-Jansen, Appl. Spectrosc. 57 (2003) 1363):
/// fit, clip the data to the fit, refit, until the baseline's relative change is
/// below `tol` (pybaselines `modpoly`, defaults order 2, tol 1e-3, max_iter 250).
pub fn modpoly(x: &[f64], y: &[f64], order: usize, tol: f64, max_iter: usize) -> Result<Baseline> {
    poly_check(x, y, order)?;
    param("tol", tol, tol >= 0.0, "must be finite and ≥ 0")?;
    let fitter = PolyFit::new(x, &vec![1.0; x.len()], order)?;
    let mut yy = y.to_vec();
    let mut base = vec![0.0; x.len()];
    fitter.fit_into(&yy, &mut base);
    let mut nb = vec![0.0; x.len()];
    for it in 0..max_iter {
        for (v, &b) in yy.iter_mut().zip(&base) {
            *v = v.min(b);
        }
        fitter.fit_into(&yy, &mut nb);
        let d = relative_difference(&base, &nb);
        std::mem::swap(&mut base, &mut nb);
        if d < tol {
            return Ok(Baseline {
                baseline: base,
                iterations: it + 1,
                converged: true,
            });
        }
    }
    Ok(Baseline {
        baseline: base,
        iterations: max_iter,
        converged: false,
    })
}

fn std_dev(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = v.clone().count() as f64;
    let m = v.clone().sum::<f64>() / n;
    (v.map(|a| (a - m) * (a - m)).sum::<f64>() / n).sqrt()
}

/// IModPoly (J. Zhao et al., Appl. Spectrosc. 61 (2007) 1225): like ModPoly but
/// clipping at baseline + num_std·σ of the residual, with the initial peaks
/// (points above the first fit + σ) masked out, stopped when σ's relative change
/// is below `tol` (pybaselines `imodpoly`, defaults order 2, tol 1e-3, 250, 1).
pub fn imodpoly(
    x: &[f64],
    y: &[f64],
    order: usize,
    tol: f64,
    max_iter: usize,
    num_std: f64,
) -> Result<Baseline> {
    poly_check(x, y, order)?;
    param("tol", tol, tol >= 0.0, "must be finite and ≥ 0")?;
    param("num_std", num_std, num_std >= 0.0, "must be finite and ≥ 0")?;
    let n = x.len();
    let mut w = vec![1.0; n];
    let mut yy = y.to_vec();
    let mut base = poly_fit(x, &yy, &w, order)?;
    let mut dev = std_dev(yy.iter().zip(&base).map(|(a, b)| a - b));
    for i in 0..n {
        if base[i] + dev < yy[i] {
            w[i] = 0.0;
        }
    }
    if w.iter().filter(|&&v| v > 0.0).count() < order + 1 {
        return Err(Error::Parameters {
            shape: "baseline",
            message: "IModPoly masked too many points".into(),
        });
    }
    let fitter = PolyFit::new(x, &w, order)?;
    for it in 0..max_iter {
        for (v, &b) in yy.iter_mut().zip(&base) {
            *v = v.min(b + num_std * dev);
        }
        fitter.fit_into(&yy, &mut base);
        let nd = std_dev(yy.iter().zip(&base).map(|(a, b)| a - b));
        let d = (nd - dev).abs() / dev.abs().max(f64::MIN_POSITIVE);
        if d < tol {
            return Ok(Baseline {
                baseline: base,
                iterations: it + 1,
                converged: true,
            });
        }
        dev = nd;
    }
    Ok(Baseline {
        baseline: base,
        iterations: max_iter,
        converged: false,
    })
}

// ------------------------------------------------------------------ XPS

fn end_averages(y: &[f64], average_points: usize) -> Result<(f64, f64)> {
    let k = average_points.max(1);
    if 2 * k > y.len() {
        return Err(Error::Length {
            what: format!("{} points cannot average {k} points at each end", y.len()),
        });
    }
    let a = y[..k].iter().sum::<f64>() / k as f64;
    let b = y[y.len() - k..].iter().sum::<f64>() / k as f64;
    Ok((a, b))
}

/// A straight line between the averages of the first and last `average_points`
/// intensities (placed at the first and last x).
pub fn linear(x: &[f64], y: &[f64], average_points: usize) -> Result<Baseline> {
    check_xy(x, y, 2)?;
    let (a, b) = end_averages(y, average_points)?;
    let (x0, x1) = (x[0], x[x.len() - 1]);
    if x1 - x0 == 0.0 {
        return Err(Error::Length {
            what: "x spans no range".into(),
        });
    }
    Ok(Baseline {
        baseline: x
            .iter()
            .map(|&v| a + (b - a) * (v - x0) / (x1 - x0))
            .collect(),
        iterations: 1,
        converged: true,
    })
}

/// The iterative Shirley background (D. A. Shirley, Phys. Rev. B 5 (1972) 4709;
/// iteration of A. Proctor & P. M. A. Sherwood, Anal. Chem. 54 (1982) 13):
/// B(x) = I₀ + (I₁ − I₀)·∫ₓ₀ˣ (I − B) / ∫ₓ₀ˣ¹ (I − B), I₀ and I₁ the averages of
/// `average_points` intensities at the first and last point, trapezoidal
/// integrals, iterated until the largest change is below `tol`·|I₁ − I₀|.
/// Works on either axis direction: the step follows the data order.
pub fn shirley(
    x: &[f64],
    y: &[f64],
    average_points: usize,
    tol: f64,
    max_iter: usize,
) -> Result<Baseline> {
    check_xy(x, y, 3)?;
    param("tol", tol, tol > 0.0, "must be finite and > 0")?;
    let (i0, i1) = end_averages(y, average_points)?;
    let n = y.len();
    let mut b: Vec<f64> = vec![i0; n];
    let mut cum = vec![0.0; n];
    let scale = (i1 - i0).abs().max(f64::MIN_POSITIVE);
    for it in 0..max_iter.max(1) {
        cum[0] = 0.0;
        for i in 1..n {
            let s = 0.5 * ((y[i] - b[i]) + (y[i - 1] - b[i - 1])) * (x[i] - x[i - 1]);
            cum[i] = cum[i - 1] + s;
        }
        let total = cum[n - 1];
        let mut change: f64 = 0.0;
        for i in 0..n {
            let nb = if total.abs() > 0.0 {
                i0 + (i1 - i0) * cum[i] / total
            } else {
                i0 + (i1 - i0) * i as f64 / (n - 1) as f64
            };
            change = change.max((nb - b[i]).abs());
            b[i] = nb;
        }
        if change < tol * scale {
            return Ok(Baseline {
                baseline: b,
                iterations: it + 1,
                converged: true,
            });
        }
    }
    Ok(Baseline {
        baseline: b,
        iterations: max_iter,
        converged: false,
    })
}

/// Tougaard's inelastic background: B(E) = ∫ K(T)·(I(E′) − I_start) dE′ over the
/// points on the no-loss side of E (lower binding / higher kinetic energy),
/// T = |E′ − E|, with the loss cross-section
///
/// * universal (D = 0): K(T) = B·T/(C + T²)², B = 2866 eV², C = 1643 eV²
///   (S. Tougaard, Surf. Interface Anal. 11 (1988) 453);
/// * three-parameter (D > 0): K(T) = B·T/((C − T²)² + D·T²)
///   (S. Tougaard, Surf. Interface Anal. 25 (1997) 137; e.g. C = 551, D = 436 eV² for polymers).
///
/// Options: [`TougaardOptions`]. Trapezoidal integration on the data grid, O(n²).
pub fn tougaard(x_ev: &[f64], y: &[f64], o: &TougaardOptions) -> Result<Baseline> {
    let TougaardOptions {
        b,
        c,
        d,
        binding_energy,
        fit_b,
        average_points,
    } = *o;
    check_xy(x_ev, y, 3)?;
    param("B", b, b > 0.0, "must be finite and > 0")?;
    param("C", c, c > 0.0, "must be finite and > 0")?;
    param("D", d, d >= 0.0, "must be finite and ≥ 0")?;
    if x_ev.len() > 200_000 {
        return Err(Error::Length {
            what: format!("{} points: Tougaard is O(n²), limited to 2e5", x_ev.len()),
        });
    }
    let n = y.len();
    // order the points so that index increases towards the loss side (higher BE / lower KE)
    let increasing_x = x_ev[n - 1] > x_ev[0];
    let loss_at_end = binding_energy == increasing_x;
    let idx: Vec<usize> = if loss_at_end {
        (0..n).collect()
    } else {
        (0..n).rev().collect()
    };
    let (a0, a1) = end_averages(y, average_points)?;
    let (i_start, i_loss) = if loss_at_end { (a0, a1) } else { (a1, a0) };
    let k = |t: f64| {
        if d == 0.0 {
            t / (c + t * t).powi(2)
        } else {
            t / ((c - t * t).powi(2) + d * t * t)
        }
    };
    let mut bg = vec![0.0; n];
    for p in 0..n {
        let e = x_ev[idx[p]];
        let mut s = 0.0;
        for q in 1..=p {
            let (e1, e0) = (x_ev[idx[q]], x_ev[idx[q - 1]]);
            let f1 = k((e - e1).abs()) * (y[idx[q]] - i_start);
            let f0 = k((e - e0).abs()) * (y[idx[q - 1]] - i_start);
            s += 0.5 * (f0 + f1) * (e1 - e0).abs();
        }
        bg[idx[p]] = s;
    }
    let scale = if fit_b {
        let end = bg[idx[n - 1]];
        if end.abs() > 0.0 {
            (i_loss - i_start) / end
        } else {
            b
        }
    } else {
        b
    };
    Ok(Baseline {
        baseline: bg.iter().map(|v| i_start + scale * v).collect(),
        iterations: 1,
        converged: true,
    })
}

/// Options of [`tougaard`]; the default is the universal cross-section on a
/// binding-energy axis with B fitted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TougaardOptions {
    /// B (eV²); the starting scale when `fit_b`.
    pub b: f64,
    /// C (eV²).
    pub c: f64,
    /// D (eV²); 0 selects the universal two-parameter form.
    pub d: f64,
    /// The axis is binding energy (losses appear at higher x); false: kinetic energy.
    pub binding_energy: bool,
    /// Rescale B so that the background meets the average of `average_points`
    /// intensities at the loss end (CasaXPS's "U 2 Tougaard" style).
    pub fit_b: bool,
    /// Points averaged at each end.
    pub average_points: usize,
}

impl Default for TougaardOptions {
    fn default() -> Self {
        TougaardOptions {
            b: 2866.0,
            c: 1643.0,
            d: 0.0,
            binding_energy: true,
            fit_b: true,
            average_points: 5,
        }
    }
}

// ------------------------------------------------------------------ EELS

/// EELS pre-edge power law A·E^−r fitted (least squares on ln I vs ln E) to the
/// points with x in `[window_start, window_end]` and evaluated on every x
/// (R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron
/// Microscope*, 3rd ed., §4.4). Returns the baseline and (A, r).
pub fn power_law(
    x: &[f64],
    y: &[f64],
    window_start: f64,
    window_end: f64,
) -> Result<(Baseline, f64, f64)> {
    check_xy(x, y, 2)?;
    let pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(xv, _)| **xv >= window_start && **xv <= window_end)
        .map(|(&a, &b)| (a, b))
        .collect();
    if pts.len() < 2 {
        return Err(Error::Length {
            what: format!("fewer than 2 points in the window [{window_start}, {window_end}]"),
        });
    }
    if let Some(&(xv, yv)) = pts.iter().find(|(a, b)| *a <= 0.0 || *b <= 0.0) {
        return Err(Error::NonFinite {
            what: "power-law window (E and I must be > 0)",
            index: 0,
            value: if xv <= 0.0 { xv } else { yv },
        });
    }
    let m = pts.len() as f64;
    let (sx, sy) = pts
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x.ln(), b + y.ln()));
    let (mx, my) = (sx / m, sy / m);
    let (sxx, sxy) = pts.iter().fold((0.0, 0.0), |(a, b), (x, y)| {
        let dx = x.ln() - mx;
        (a + dx * dx, b + dx * (y.ln() - my))
    });
    if sxx == 0.0 {
        return Err(Error::Length {
            what: "the window holds a single energy".into(),
        });
    }
    let slope = sxy / sxx;
    let r = -slope;
    let a = (my - slope * mx).exp();
    let base = x
        .iter()
        .map(|&e| if e > 0.0 { a * e.powf(-r) } else { f64::NAN })
        .collect();
    Ok((
        Baseline {
            baseline: base,
            iterations: 1,
            converged: true,
        },
        a,
        r,
    ))
}
