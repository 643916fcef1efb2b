//! Linear least squares with non-negativity constraints on chosen
//! coefficients: min ‖A x − b‖² subject to xⱼ ≥ 0 for the constrained j, the
//! others free.
//!
//! The active-set algorithm NNLS of C. L. Lawson and R. J. Hanson, *Solving
//! Least Squares Problems* (Prentice-Hall 1974; SIAM 1995), ch. 23, with the
//! free coefficients kept in the passive set from the start (the variant of
//! P. B. Stark and R. L. Parker, *Comput. Stat.* 10 (1995) 129, for bounds
//! that are infinite). Each passive-set subproblem is solved by an SVD, so
//! collinear columns do not break it. The covariance of the coefficients left
//! free of their bound is (A_Pᵀ A_P)⁻¹ on the passive set P, the usual
//! first-order result conditional on the active set.
//!
//! ```
//! use interphase_fit::nnls::{nnls, LinearTerm};
//! // b = 2·a0 + 0·a1, where an unconstrained fit would make x1 negative
//! let a0 = [1.0, 1.0, 1.0, 1.0];
//! let a1 = [1.0, 2.0, 3.0, 4.0];
//! let b = [2.0, 1.9, 1.8, 1.7];
//! let s = nnls(&[LinearTerm::non_negative(&a0), LinearTerm::non_negative(&a1)], &b, None)?;
//! assert!(s.x[1] == 0.0 && !s.passive[1]);
//! assert!((s.x[0] - 1.85).abs() < 1e-12);
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};

/// One column of the design matrix and whether its coefficient must be ≥ 0.
#[derive(Debug, Clone, Copy)]
pub struct LinearTerm<'a> {
    /// The column (one value per data point).
    pub column: &'a [f64],
    /// `true`: coefficient ≥ 0; `false`: free.
    pub non_negative: bool,
}

impl<'a> LinearTerm<'a> {
    /// A column whose coefficient must be ≥ 0.
    pub fn non_negative(column: &'a [f64]) -> Self {
        Self {
            column,
            non_negative: true,
        }
    }

    /// A column whose coefficient is free (any sign).
    pub fn free(column: &'a [f64]) -> Self {
        Self {
            column,
            non_negative: false,
        }
    }
}

/// The solution of [`nnls`].
#[derive(Debug, Clone, PartialEq)]
pub struct NnlsSolution {
    /// The coefficients, in the order of the terms.
    pub x: Vec<f64>,
    /// `true` where the coefficient is off its bound (or free); `false` where
    /// it is held at 0 by the constraint.
    pub passive: Vec<bool>,
    /// Σ wᵢ (bᵢ − (A x)ᵢ)² at the solution.
    pub chisqr: f64,
    /// (A_Pᵀ W A_P)⁻¹ for the passive coefficients, as a full n × n matrix
    /// (rows and columns of coefficients at their bound are zero). Not scaled
    /// by the reduced χ²: multiply by it for unweighted data.
    pub covariance: Vec<f64>,
    /// The rank of A_P at the solution (less than the passive count when
    /// columns are collinear; the covariance is then a pseudo-inverse).
    pub rank: usize,
    /// Outer iterations taken.
    pub iterations: usize,
}

/// Solves min Σ wᵢ (bᵢ − Σⱼ xⱼ aⱼᵢ)² with xⱼ ≥ 0 for the non-negative terms.
///
/// `weights` (one per point, ≥ 0, finite) default to 1. Errors on empty or
/// mismatched input, non-finite numbers, negative weights, and if the active
/// set does not settle within 3·(n + 10) iterations (it always does for
/// well-posed input; the cap guards against rounding cycles).
pub fn nnls(terms: &[LinearTerm], b: &[f64], weights: Option<&[f64]>) -> Result<NnlsSolution> {
    let m = b.len();
    let n = terms.len();
    if n == 0 || m == 0 {
        return Err(Error::Data(format!(
            "nnls needs at least one term and one point (got {n} terms, {m} points)"
        )));
    }
    if let Some(i) = b.iter().position(|v| !v.is_finite()) {
        return Err(Error::Data(format!("nnls: data point {i} is {}", b[i])));
    }
    for (j, t) in terms.iter().enumerate() {
        if t.column.len() != m {
            return Err(Error::Dimension(format!(
                "nnls: term {j} has {} values for {m} data points",
                t.column.len()
            )));
        }
        if let Some(i) = t.column.iter().position(|v| !v.is_finite()) {
            return Err(Error::Data(format!(
                "nnls: term {j}, point {i} is {}",
                t.column[i]
            )));
        }
    }
    let sw: Vec<f64> = match weights {
        None => vec![1.0; m],
        Some(w) => {
            if w.len() != m {
                return Err(Error::Dimension(format!(
                    "nnls: {} weights for {m} data points",
                    w.len()
                )));
            }
            if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(Error::Data(format!(
                    "nnls: weight {i} is {}; weights must be finite and ≥ 0",
                    w[i]
                )));
            }
            w.iter().map(|v| v.sqrt()).collect()
        }
    };
    // weighted design matrix and data
    let a = DMatrix::from_fn(m, n, |i, j| terms[j].column[i] * sw[i]);
    let bw = DVector::from_fn(m, |i, _| b[i] * sw[i]);
    let norm1 = (0..n)
        .map(|j| a.column(j).iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let tol = 10.0 * f64::EPSILON * norm1.max(f64::MIN_POSITIVE) * (m.max(n) as f64);

    let flags: Vec<bool> = terms.iter().map(|t| t.non_negative).collect();
    // gradient of −½‖Ax − b‖²: w = Aᵀ(b − Ax)
    let gradient = |x: &[f64]| -> Vec<f64> {
        let r = &bw - &a * DVector::from_column_slice(x);
        (a.transpose() * r).iter().copied().collect()
    };
    let (x, passive, iterations) =
        active_set(&flags, tol, tol, gradient, |p| solve_passive(&a, &bw, p).0)?;
    let (_, cov_p, rank) = solve_passive(&a, &bw, &passive);
    let r = &bw - &a * DVector::from_column_slice(&x);
    Ok(NnlsSolution {
        chisqr: r.norm_squared(),
        x,
        passive,
        covariance: cov_p,
        rank,
        iterations,
    })
}

/// [`nnls`] on the normal equations: minimises ½ xᵀ G x − xᵀ h with G = AᵀWA
/// (n × n, row-major, symmetric positive semi-definite) and h = AᵀWb, the
/// non-negative terms flagged in `non_negative`. The same active-set
/// algorithm; each passive subproblem is a Cholesky solve of G_PP (a
/// symmetric eigen-decomposition pseudo-inverse where G_PP is singular). For
/// many right-hand sides with small n (MLLS of a spectrum image) this costs
/// O(n³) per pixel after the O(m n²) product, instead of an SVD of the m × n
/// matrix; the normal equations square the condition number, so use [`nnls`]
/// for ill-conditioned columns. Returns the coefficients, the passive flags
/// and (G_PP)⁻¹ embedded in an n × n matrix (zero rows and columns at the
/// bound), as in [`NnlsSolution`]; `chisqr` is left to the caller (it needs
/// bᵀWb) and set to NaN, `rank` is that of G_PP.
pub fn nnls_normal(gram: &[f64], h: &[f64], non_negative: &[bool]) -> Result<NnlsSolution> {
    let n = h.len();
    if n == 0 || gram.len() != n * n || non_negative.len() != n {
        return Err(Error::Dimension(format!(
            "nnls_normal: {} Gram entries, {} right-hand sides and {} flags (need n², n, n)",
            gram.len(),
            n,
            non_negative.len()
        )));
    }
    if let Some(i) = gram.iter().chain(h).position(|v| !v.is_finite()) {
        return Err(Error::Data(format!("nnls_normal: entry {i} is not finite")));
    }
    let g = DMatrix::from_row_slice(n, n, gram);
    let gmax = gram.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 10.0 * f64::EPSILON * gmax.max(f64::MIN_POSITIVE) * n as f64;
    // w = h − G x
    let gradient = |x: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|j| h[j] - (0..n).map(|k| g[(j, k)] * x[k]).sum::<f64>())
            .collect()
    };
    let (x, passive, iterations) =
        active_set(non_negative, tol, 0.0, gradient, |p| solve_gram(&g, h, p).0)?;
    let (_, covariance, rank) = solve_gram(&g, h, &passive);
    Ok(NnlsSolution {
        x,
        passive,
        chisqr: f64::NAN,
        covariance,
        rank,
        iterations,
    })
}

/// G_PP z_P = h_P: the solution (zero outside P), (G_PP)⁻¹ embedded in n × n,
/// and the rank of G_PP.
fn solve_gram(g: &DMatrix<f64>, h: &[f64], passive: &[bool]) -> (Vec<f64>, Vec<f64>, usize) {
    let n = g.nrows();
    let idx: Vec<usize> = (0..n).filter(|&j| passive[j]).collect();
    let mut x = vec![0.0; n];
    let mut cov = vec![0.0; n * n];
    if idx.is_empty() {
        return (x, cov, 0);
    }
    let k = idx.len();
    let gp = DMatrix::from_fn(k, k, |a, b| g[(idx[a], idx[b])]);
    let hp = DVector::from_fn(k, |a, _| h[idx[a]]);
    let (inv, rank) = match gp.clone().cholesky() {
        Some(ch) => (ch.inverse(), k),
        None => {
            // singular: pseudo-inverse from the symmetric eigen-decomposition
            let eig = gp.symmetric_eigen();
            let emax = eig.eigenvalues.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let cut = emax * f64::EPSILON * k as f64;
            let mut inv = DMatrix::zeros(k, k);
            let mut rank = 0;
            for (q, &ev) in eig.eigenvalues.iter().enumerate() {
                if ev > cut {
                    rank += 1;
                    let v = eig.eigenvectors.column(q);
                    inv += (v * v.transpose()) / ev;
                }
            }
            (inv, rank)
        }
    };
    let xp = &inv * hp;
    for (a, &ja) in idx.iter().enumerate() {
        x[ja] = xp[a];
        for (b, &jb) in idx.iter().enumerate() {
            cov[ja * n + jb] = inv[(a, b)];
        }
    }
    (x, cov, rank)
}

/// The active-set iteration of Lawson and Hanson shared by [`nnls`] and
/// [`nnls_normal`]: `gradient(x)` is −∇ of the objective, `solve(passive)`
/// the unconstrained minimiser on the passive set (zero elsewhere). A
/// variable enters when its gradient exceeds `tol` and leaves when it falls
/// to `drop_tol` or below. Returns (x, passive, outer iterations).
fn active_set(
    non_negative: &[bool],
    tol: f64,
    drop_tol: f64,
    gradient: impl Fn(&[f64]) -> Vec<f64>,
    solve: impl Fn(&[bool]) -> Vec<f64>,
) -> Result<(Vec<f64>, Vec<bool>, usize)> {
    let n = non_negative.len();
    let mut passive: Vec<bool> = non_negative.iter().map(|&c| !c).collect();
    let mut x = if passive.iter().any(|&p| p) {
        solve(&passive)
    } else {
        vec![0.0; n]
    };
    let max_iter = 3 * (n + 10);
    let mut iterations = 0;
    loop {
        let w = gradient(&x);
        let mut best: Option<(usize, f64)> = None;
        for j in 0..n {
            if !passive[j] && w[j] > tol && best.is_none_or(|(_, v)| w[j] > v) {
                best = Some((j, w[j]));
            }
        }
        let Some((j, _)) = best else { break };
        iterations += 1;
        if iterations > max_iter {
            return Err(Error::Data(format!(
                "nnls: the active set did not settle in {max_iter} iterations"
            )));
        }
        passive[j] = true;
        let mut inner = 0;
        loop {
            let z = solve(&passive);
            let infeasible: Vec<usize> = (0..n)
                .filter(|&i| passive[i] && non_negative[i] && z[i] <= 0.0)
                .collect();
            if infeasible.is_empty() {
                x = z;
                break;
            }
            inner += 1;
            if inner > max_iter {
                return Err(Error::Data(format!(
                    "nnls: the passive set did not settle in {max_iter} inner iterations"
                )));
            }
            // step from x towards z until the first constrained coefficient hits 0
            let alpha = infeasible
                .iter()
                .map(|&i| {
                    let d = x[i] - z[i];
                    if d > 0.0 { x[i] / d } else { 0.0 }
                })
                .fold(f64::INFINITY, f64::min)
                .clamp(0.0, 1.0);
            for i in 0..n {
                if passive[i] {
                    x[i] += alpha * (z[i] - x[i]);
                }
            }
            for i in 0..n {
                if passive[i] && non_negative[i] && x[i] <= drop_tol {
                    passive[i] = false;
                    x[i] = 0.0;
                }
            }
        }
    }
    for i in 0..n {
        if !passive[i] {
            x[i] = 0.0;
        }
    }
    Ok((x, passive, iterations))
}

/// Least squares on the passive columns: the solution (zero outside P), the
/// n × n covariance (A_Pᵀ A_P)⁺ embedded, and the rank of A_P.
fn solve_passive(
    a: &DMatrix<f64>,
    b: &DVector<f64>,
    passive: &[bool],
) -> (Vec<f64>, Vec<f64>, usize) {
    let n = a.ncols();
    let idx: Vec<usize> = (0..n).filter(|&j| passive[j]).collect();
    let mut x = vec![0.0; n];
    let mut cov = vec![0.0; n * n];
    if idx.is_empty() {
        return (x, cov, 0);
    }
    let ap = a.select_columns(idx.iter());
    let svd = ap.svd(true, true);
    let smax = svd.singular_values.iter().copied().fold(0.0, f64::max);
    let cut = smax * f64::EPSILON * (a.nrows().max(idx.len()) as f64);
    let rank = svd.singular_values.iter().filter(|&&s| s > cut).count();
    let (Some(u), Some(vt)) = (&svd.u, &svd.v_t) else {
        return (x, cov, 0);
    };
    let k = idx.len();
    // x_P = V Σ⁺ Uᵀ b ; C_P = V Σ⁺² Vᵀ
    let utb = u.transpose() * b;
    for (p, &jp) in idx.iter().enumerate() {
        let mut s = 0.0;
        for q in 0..k {
            let sv = svd.singular_values[q];
            if sv > cut {
                s += vt[(q, p)] * utb[q] / sv;
            }
        }
        x[jp] = s;
        for (p2, &jp2) in idx.iter().enumerate() {
            let mut c = 0.0;
            for q in 0..k {
                let sv = svd.singular_values[q];
                if sv > cut {
                    c += vt[(q, p)] * vt[(q, p2)] / (sv * sv);
                }
            }
            cov[jp * n + jp2] = c;
        }
    }
    (x, cov, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problem of the scipy references: A[i, j] = cos(0.3·(i+1)·(j+1)) +
    /// 0.1·j (i = 0..7, j = 0..3), b[i] = sin(0.7·i) + 0.2·i.
    fn problem() -> (Vec<Vec<f64>>, Vec<f64>) {
        let cols: Vec<Vec<f64>> = (0..4)
            .map(|j| {
                (0..8)
                    .map(|i| (0.3 * ((i + 1) * (j + 1)) as f64).cos() + 0.1 * j as f64)
                    .collect()
            })
            .collect();
        let b: Vec<f64> = (0..8)
            .map(|i| (0.7 * i as f64).sin() + 0.2 * i as f64)
            .collect();
        (cols, b)
    }

    #[test]
    fn matches_scipy_nnls() {
        // scipy 1.17.1: x, rnorm = scipy.optimize.nnls(A, b); rnorm**2
        let want = [0.4870757600075197, 0.0, 0.0, 0.1894145782407418];
        let (cols, b) = problem();
        let terms: Vec<LinearTerm> = cols.iter().map(|c| LinearTerm::non_negative(c)).collect();
        let s = nnls(&terms, &b, None).unwrap();
        for (x, r) in s.x.iter().zip(want) {
            assert!((x - r).abs() < 1e-12, "{:?} vs {want:?}", s.x);
        }
        assert_eq!(s.passive, [true, false, false, true]);
        assert!((s.chisqr - 5.815738769913156).abs() < 1e-11);
        // an unconstrained solution has negative entries (so the test constrains)
        assert!(s.rank == 2);
    }

    #[test]
    fn free_terms_match_scipy_bvls() {
        // scipy 1.17.1: lsq_linear(column_stack([A, ones]), b, bounds=([0,0,0,0,-inf],
        // [inf]*5), method="bvls", tol=1e-15); x and 2·cost
        let want = [0.1773225559061023, 0.0, 0.0, 0.0, 0.7476052769693858];
        let (cols, b) = problem();
        let ones = vec![1.0; 8];
        let mut terms: Vec<LinearTerm> = cols.iter().map(|c| LinearTerm::non_negative(c)).collect();
        terms.push(LinearTerm::free(&ones));
        let s = nnls(&terms, &b, None).unwrap();
        for (x, r) in s.x.iter().zip(want) {
            assert!((x - r).abs() < 1e-10, "{:?} vs {want:?}", s.x);
        }
        assert!((s.chisqr - 1.8382934078439732).abs() < 1e-10);
    }

    #[test]
    fn interior_solution_is_ordinary_least_squares_with_its_covariance() {
        // y = 2 + 3x exactly plus a symmetric wiggle: both coefficients positive
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let ones = vec![1.0; 10];
        let y: Vec<f64> = x
            .iter()
            .map(|&x| 2.0 + 3.0 * x + if x as i32 % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let s = nnls(
            &[
                LinearTerm::non_negative(&ones),
                LinearTerm::non_negative(&x),
            ],
            &y,
            None,
        )
        .unwrap();
        // normal equations by hand: n = 10, Σx = 45, Σx² = 285
        let (n, sx, sxx) = (10.0, 45.0, 285.0);
        let det = n * sxx - sx * sx;
        assert!((s.covariance[0] - sxx / det).abs() < 1e-12);
        assert!((s.covariance[3] - n / det).abs() < 1e-12);
        assert!((s.covariance[1] + sx / det).abs() < 1e-12);
        let sy: f64 = y.iter().sum();
        let sxy: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        let slope = (n * sxy - sx * sy) / det;
        assert!((s.x[1] - slope).abs() < 1e-12 && s.passive == [true, true]);
    }

    #[test]
    fn normal_equations_agree_with_the_svd_path() {
        let (cols, b) = problem();
        let ones = vec![1.0; 8];
        for with_free in [false, true] {
            let mut terms: Vec<LinearTerm> =
                cols.iter().map(|c| LinearTerm::non_negative(c)).collect();
            if with_free {
                terms.push(LinearTerm::free(&ones));
            }
            let n = terms.len();
            let gram: Vec<f64> = (0..n * n)
                .map(|ij| {
                    let (i, j) = (ij / n, ij % n);
                    terms[i]
                        .column
                        .iter()
                        .zip(terms[j].column)
                        .map(|(a, b)| a * b)
                        .sum()
                })
                .collect();
            let h: Vec<f64> = terms
                .iter()
                .map(|t| t.column.iter().zip(&b).map(|(a, b)| a * b).sum())
                .collect();
            let flags: Vec<bool> = terms.iter().map(|t| t.non_negative).collect();
            let a = nnls(&terms, &b, None).unwrap();
            let g = nnls_normal(&gram, &h, &flags).unwrap();
            assert_eq!(a.passive, g.passive);
            for (u, v) in a.x.iter().zip(&g.x) {
                assert!((u - v).abs() < 1e-9, "{:?} vs {:?}", a.x, g.x);
            }
            for (u, v) in a.covariance.iter().zip(&g.covariance) {
                assert!((u - v).abs() < 1e-7 * u.abs().max(1.0), "{u} vs {v}");
            }
        }
        assert!(nnls_normal(&[1.0], &[1.0, 2.0], &[true, true]).is_err());
        // a singular Gram matrix (two equal columns): the pseudo-inverse
        let s = nnls_normal(&[1.0, 1.0, 1.0, 1.0], &[2.0, 2.0], &[false, false]).unwrap();
        assert_eq!(s.rank, 1);
        assert!((s.x[0] + s.x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error() {
        let c = [1.0, 2.0];
        assert!(nnls(&[], &[1.0], None).is_err());
        assert!(nnls(&[LinearTerm::non_negative(&c)], &[1.0], None).is_err());
        assert!(nnls(&[LinearTerm::non_negative(&c)], &[1.0, f64::NAN], None).is_err());
        assert!(
            nnls(
                &[LinearTerm::non_negative(&c)],
                &[1.0, 2.0],
                Some(&[1.0, -1.0])
            )
            .is_err()
        );
        let z = [0.0, 0.0];
        // a zero column is harmless
        let s = nnls(
            &[LinearTerm::non_negative(&z), LinearTerm::non_negative(&c)],
            &[1.0, 2.0],
            None,
        )
        .unwrap();
        assert!((s.x[1] - 1.0).abs() < 1e-14 && s.x[0] == 0.0);
    }
}
