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

/// Lanes of the vectorisable sums below: independent partial sums break the
/// one-add-at-a-time dependency of a sequential float sum.
const LANES: usize = 8;

/// Σ f(aᵢ, bᵢ) over equal-length slices in `LANES` partial sums (the order of
/// additions differs from a sequential sum only by rounding).
#[inline]
fn lane_sum(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] += f(x[j], y[j]);
        }
    }
    let mut s: f64 = acc.iter().sum();
    for (&x, &y) in ra.iter().zip(rb) {
        s += f(x, y);
    }
    s
}

/// a·b.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| x * y)
}

/// pybaselines' `relative_difference`: ‖new − old‖₂ / max(‖old‖₂, tiny).
fn relative_difference(old: &[f64], new: &[f64]) -> f64 {
    lane_sum(old, new, |a, b| (b - a) * (b - a)).sqrt()
        / lane_sum(old, old, |a, _| a * a)
            .sqrt()
            .max(f64::MIN_POSITIVE)
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

/// Solves (diag(w) + λ·DᵀD) z = w∘y for the second-difference D.
///
/// The matrix is symmetric positive definite and pentadiagonal. Small
/// systems use banded LDLᵀ from the top. Larger ones use a two-way ("twisted")
/// elimination: LDLᵀ runs from the top over rows 0..m and UDUᵀ from the
/// bottom over rows m+2..n at the same time, the two leave a 2 × 2 Schur
/// complement for rows m, m+1, and two back substitutions run outward again.
/// Each elimination step carries one division on its dependency chain, so
/// two independent chains in one loop halve the latency-bound time of one
/// long chain (the same idea as "burn at both ends" for tridiagonal systems;
/// G. Golub & C. Van Loan, *Matrix Computations*, 4th ed., §4.3). The block
/// form is exact: rows 0..m and m+2..n do not couple (bandwidth 2).
struct Whittaker {
    n: usize,
    // λ·DᵀD bands: main[i] = A[i][i] − w[i], off1[i] = A[i][i+1], off2[i] = A[i][i+2]
    main: Vec<f64>,
    off1: Vec<f64>,
    off2: Vec<f64>,
    // per chain position: 1/D, L[s][s−1], L[s][s−2] (top chain, then bottom chain)
    top: Chain,
    bottom: Chain,
}

/// Factor and forward-substitution storage of one elimination chain.
#[derive(Default)]
struct Chain {
    inv_d: Vec<f64>,
    l1: Vec<f64>,
    l2: Vec<f64>,
    g: Vec<f64>,
}

/// Systems smaller than this are solved by one chain.
const TWO_WAY_MIN: usize = 16;

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
        let chain = |len: usize| Chain {
            inv_d: vec![0.0; len],
            l1: vec![0.0; len],
            l2: vec![0.0; len],
            g: vec![0.0; len],
        };
        Whittaker {
            n,
            main,
            off1,
            off2,
            top: chain(n),
            bottom: chain(n),
        }
    }

    fn singular(i: usize) -> Error {
        Error::Parameters {
            shape: "baseline",
            message: format!(
                "Whittaker system is singular at point {i} (too few positive weights)"
            ),
        }
    }

    /// Solves (diag(w) + λDᵀD) z = w∘y (see the type's docs).
    fn solve(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        if self.n < TWO_WAY_MIN {
            self.solve_one_way(w, y, z)
        } else {
            self.solve_two_way(w, y, z)
        }
    }

    /// Banded LDLᵀ from the top (`inv_d` holds 1/Dᵢᵢ, so the recurrence
    /// carries one division per point).
    fn solve_one_way(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        let n = self.n;
        let (main, off1, off2) = (&self.main, &self.off1, &self.off2);
        let Chain {
            inv_d,
            l1: l1v,
            l2: l2v,
            ..
        } = &mut self.top;
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
                return Err(Self::singular(i));
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

    /// Two-way elimination (see the type's docs); `n ≥ TWO_WAY_MIN`.
    fn solve_two_way(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        let n = self.n;
        let m = (n - 2) / 2; // top chain rows 0..m, junction m, m+1
        let lb = n - m - 2; // bottom chain rows n−1 down to m+2
        let (main, off1, off2) = (&self.main, &self.off1, &self.off2);
        // chain position s → matrix row, and the chain's bands at s:
        // diag(s), b(s) = A[s][s−1] and c(s) = A[s][s−2] in chain order
        let top_row = |s: usize| s;
        let bot_row = |s: usize| n - 1 - s;
        let diag = |r: usize| w[r] + main[r];
        let rhs = |r: usize| w[r] * y[r];
        // A[r][r−1] for the top chain is off1[r−1]; for the bottom chain
        // (r = n−1−s, previous row r+1) it is off1[r]; likewise for c
        let (top, bottom) = (&mut self.top, &mut self.bottom);
        // first two positions of each chain (no or one predecessor)
        let first_two = |ch: &mut Chain, r0: usize, r1: usize, b1: f64| -> Result<[f64; 5]> {
            let d0 = diag(r0);
            if !(d0 > 0.0 && d0.is_finite()) {
                return Err(Self::singular(r0));
            }
            let id0 = 1.0 / d0;
            let g0 = rhs(r0);
            let l1 = b1 * id0;
            let d1 = diag(r1) - b1 * l1;
            if !(d1 > 0.0 && d1.is_finite()) {
                return Err(Self::singular(r1));
            }
            let id1 = 1.0 / d1;
            let g1 = rhs(r1) - l1 * g0;
            ch.inv_d[0] = id0;
            ch.l1[0] = 0.0;
            ch.l2[0] = 0.0;
            ch.g[0] = g0;
            ch.inv_d[1] = id1;
            ch.l1[1] = l1;
            ch.l2[1] = 0.0;
            ch.g[1] = g1;
            // (1/D[s−1], 1/D[s−2], L[s−1][s−2], g[s−1], g[s−2]) at s = 2
            Ok([id1, id0, l1, g1, g0])
        };
        let [mut ta, mut tb, mut tl, mut tg1, mut tg2] =
            first_two(top, top_row(0), top_row(1), off1[0])?;
        let [mut ba, mut bb, mut bl, mut bg1, mut bg2] =
            first_two(bottom, bot_row(0), bot_row(1), off1[n - 2])?;
        // the two chains interleaved: independent until the junction, so the
        // two divisions of each step overlap
        let common = m.min(lb);
        for s in 2..common {
            let (rt, rb) = (s, n - 1 - s);
            // top: A[r][r−1] = off1[r−1], A[r][r−2] = off2[r−2]
            let (b, c) = (off1[rt - 1], off2[rt - 2]);
            let e = b - c * tl;
            let l1 = e * ta;
            let l2 = c * tb;
            let d = diag(rt) - e * l1 - c * l2;
            // bottom: A[r][r+1] = off1[r], A[r][r+2] = off2[r]
            let (b2, c2) = (off1[rb], off2[rb]);
            let e2 = b2 - c2 * bl;
            let m1 = e2 * ba;
            let m2 = c2 * bb;
            let d2 = diag(rb) - e2 * m1 - c2 * m2;
            if !(d > 0.0 && d.is_finite() && d2 > 0.0 && d2.is_finite()) {
                return Err(Self::singular(if d > 0.0 { rb } else { rt }));
            }
            let (id, id2) = (1.0 / d, 1.0 / d2);
            let g = rhs(rt) - l1 * tg1 - l2 * tg2;
            let g2 = rhs(rb) - m1 * bg1 - m2 * bg2;
            top.inv_d[s] = id;
            top.l1[s] = l1;
            top.l2[s] = l2;
            top.g[s] = g;
            bottom.inv_d[s] = id2;
            bottom.l1[s] = m1;
            bottom.l2[s] = m2;
            bottom.g[s] = g2;
            (ta, tb, tl, tg2, tg1) = (id, ta, l1, tg1, g);
            (ba, bb, bl, bg2, bg1) = (id2, ba, m1, bg1, g2);
        }
        // the longer chain's last step (lengths differ by at most one)
        let step =
            |ch: &mut Chain, s: usize, r: usize, b: f64, c: f64, st: [f64; 5]| -> Result<()> {
                let [id1, id2, l1p, g1, g2] = st;
                let e = b - c * l1p;
                let l1 = e * id1;
                let l2 = c * id2;
                let d = diag(r) - e * l1 - c * l2;
                if !(d > 0.0 && d.is_finite()) {
                    return Err(Self::singular(r));
                }
                ch.inv_d[s] = 1.0 / d;
                ch.l1[s] = l1;
                ch.l2[s] = l2;
                ch.g[s] = rhs(r) - l1 * g1 - l2 * g2;
                Ok(())
            };
        for s in common.max(2)..m {
            let r = top_row(s);
            step(top, s, r, off1[r - 1], off2[r - 2], [ta, tb, tl, tg1, tg2])?;
            (ta, tb, tl, tg2, tg1) = (top.inv_d[s], ta, top.l1[s], tg1, top.g[s]);
        }
        for s in common.max(2)..lb {
            let r = bot_row(s);
            step(bottom, s, r, off1[r], off2[r], [ba, bb, bl, bg1, bg2])?;
            (ba, bb, bl, bg2, bg1) = (bottom.inv_d[s], ba, bottom.l1[s], bg1, bottom.g[s]);
        }
        // Schur complement of the junction rows j0 = m, j1 = m+1: each chain
        // contributes as if it took its next two steps (without the diagonal)
        let contrib = |ch: &Chain, len: usize, b0: f64, c0: f64, c1: f64| {
            // chain rows len−1, len−2 precede the junction rows p0, p1 (chain order);
            // b0 = A[p0][len−1], c0 = A[p0][len−2], c1 = A[p1][len−1]
            let (id1, id2) = (ch.inv_d[len - 1], ch.inv_d[len - 2]);
            let (g1, g2) = (ch.g[len - 1], ch.g[len - 2]);
            let e = b0 - c0 * ch.l1[len - 1];
            let s00 = e * e * id1 + c0 * c0 * id2;
            let s01 = e * c1 * id1;
            let s11 = c1 * c1 * id1;
            let r0 = e * id1 * g1 + c0 * id2 * g2;
            let r1 = c1 * id1 * g1;
            (s00, s01, s11, r0, r1, e)
        };
        let (j0, j1) = (m, m + 1);
        // top: p0 = j0, p1 = j1
        let (t00, t01, t11, tr0, tr1, te) =
            contrib(top, m, off1[j0 - 1], off2[j0 - 2], off2[j0 - 1]);
        // bottom (chain order from the end): p0 = j1, p1 = j0
        let (b00, b01, b11, br0, br1, be) = contrib(bottom, lb, off1[j1], off2[j1], off2[j0]);
        let a00 = diag(j0) - t00 - b11;
        let a11 = diag(j1) - t11 - b00;
        let a01 = off1[j0] - t01 - b01;
        let f0 = rhs(j0) - tr0 - br1;
        let f1 = rhs(j1) - tr1 - br0;
        let det = a00 * a11 - a01 * a01;
        if !(a00 > 0.0 && det > 0.0 && det.is_finite()) {
            return Err(Self::singular(j0));
        }
        let zj0 = (f0 * a11 - f1 * a01) / det;
        let zj1 = (a00 * f1 - a01 * f0) / det;
        z[j0] = zj0;
        z[j1] = zj1;
        // the junction's unknowns enter the last two forward-substituted values
        // of each chain: h = g − L⁻¹·A_(chain, junction)·z_junction
        top.g[m - 1] -= te * zj0 + off2[j0 - 1] * zj1;
        top.g[m - 2] -= off2[j0 - 2] * zj0;
        bottom.g[lb - 1] -= be * zj1 + off2[j0] * zj0;
        bottom.g[lb - 2] -= off2[j1] * zj1;
        // back substitution, both chains outward at once: the last two
        // positions of each chain first, then the interleaved loop
        let back_first = |ch: &Chain, len: usize| {
            let v1 = ch.g[len - 1] * ch.inv_d[len - 1];
            let v2 = ch.g[len - 2] * ch.inv_d[len - 2] - ch.l1[len - 1] * v1;
            (v1, v2)
        };
        let (t1, t2) = back_first(top, m);
        let (u1, u2) = back_first(bottom, lb);
        z[top_row(m - 1)] = t1;
        z[top_row(m - 2)] = t2;
        z[bot_row(lb - 1)] = u1;
        z[bot_row(lb - 2)] = u2;
        // (z at chain position s+1, s+2)
        let (mut t1, mut t2) = (t2, t1);
        let (mut u1, mut u2) = (u2, u1);
        let common = m.min(lb);
        // top positions m−3 … 0 and bottom lb−3 … 0; the longer chain's
        // extra position first, so that the rest runs in step
        if m > common {
            let s = m - 3;
            let v = top.g[s] * top.inv_d[s] - top.l1[s + 1] * t1 - top.l2[s + 2] * t2;
            z[top_row(s)] = v;
            (t2, t1) = (t1, v);
        }
        if lb > common {
            let s = lb - 3;
            let v = bottom.g[s] * bottom.inv_d[s] - bottom.l1[s + 1] * u1 - bottom.l2[s + 2] * u2;
            z[bot_row(s)] = v;
            (u2, u1) = (u1, v);
        }
        for s in (0..common - 2).rev() {
            let v = top.g[s] * top.inv_d[s] - top.l1[s + 1] * t1 - top.l2[s + 2] * t2;
            let v2 = bottom.g[s] * bottom.inv_d[s] - bottom.l1[s + 1] * u1 - bottom.l2[s + 2] * u2;
            z[top_row(s)] = v;
            z[bot_row(s)] = v2;
            (t2, t1) = (t1, v);
            (u2, u1) = (u1, v2);
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
        for ((v, &yi), &zi) in nw.iter_mut().zip(y).zip(z) {
            *v = if yi > zi { o.p } else { 1.0 - o.p };
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
        let var = lane_sum(y, z, |a, b| {
            let r = a - b;
            if r < 0.0 {
                (r - mean) * (r - mean)
            } else {
                0.0
            }
        }) / (cnt - 1) as f64;
        let std = if var > 0.0 {
            var.sqrt()
        } else {
            f64::MIN_POSITIVE
        };
        let (scale, shift) = (2.0 / std, 2.0 * std - mean);
        for ((o, &yi), &zi) in nw.iter_mut().zip(y).zip(z) {
            *o = 1.0 / (1.0 + exp_fast(scale * ((yi - zi) - shift)));
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
        let scale = it.min(50) as f64 / l1;
        for ((o, &yi), &zi) in nw.iter_mut().zip(y).zip(z) {
            let r = yi - zi;
            // only the negative residuals (about half) need the exponential;
            // exponents are ≤ 50 here (|r| ≤ ‖r⁻‖₁), the clamp guards the rest
            *o = if r < 0.0 {
                exp_fast((scale * r).clamp(0.0, log_max * (1.0 - 1e-15)))
            } else {
                0.0
            };
        }
        Some(l1.abs() / y_l1)
    })
}

/// eˣ without branches, so that loops over it vectorise (the arPLS weights
/// take one per point and iteration): x = k·ln 2 + r with k = round(x/ln 2)
/// by the 1.5·2⁵² rounding trick, ln 2 split in two (Cody & Waite), e^r by
/// its Taylor polynomial of degree 13 on |r| ≤ ln2/2 (truncation below
/// 6·10⁻¹⁸), and 2ᵏ assembled in the exponent bits. Relative error within
/// 2·10⁻¹⁶ of `f64::exp` for x in [−708, 709] (tested); saturates to
/// 0-ish and to ~8·10³⁰⁷ outside, NaN stays NaN.
#[inline]
fn exp_fast(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    // ln 2 split as in fdlibm: the high part with its low 32 bits cleared
    const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76);
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²
    let x = x.clamp(-708.0, 709.0);
    let t = x * LOG2E + ROUND;
    let k = t - ROUND;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Horner, 1/13! … 1/1!
    let mut p = 1.0 / 6_227_020_800.0;
    for c in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    // k sits in the low bits of t's mantissa: 2ᵏ from the exponent field
    let ki = (t.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
    p * f64::from_bits(((ki + 1023) as u64) << 52)
}

/// Number and sum of the negative residuals y − z.
fn negative_residuals(y: &[f64], z: &[f64]) -> (usize, f64) {
    let count = lane_sum(y, z, |a, b| if a - b < 0.0 { 1.0 } else { 0.0 });
    let sum = lane_sum(y, z, |a, b| if a - b < 0.0 { a - b } else { 0.0 });
    (count as usize, sum)
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
    let ks: Vec<usize> = if decreasing {
        (1..=h).rev().collect()
    } else {
        (1..=h).collect()
    };
    // one pass per k from the previous stage `z` into `next` (ping-pong), in
    // a form the compiler vectorises: next[i] = min(z[i], (z[i−k] + z[i+k])/2)
    let mut next = z.clone();
    for k in ks {
        next[..k].copy_from_slice(&z[..k]);
        next[m - k..].copy_from_slice(&z[m - k..]);
        for (((o, &lo), &c), &hi) in next[k..m - k]
            .iter_mut()
            .zip(&z[..m - 2 * k])
            .zip(&z[k..m - k])
            .zip(&z[2 * k..])
        {
            let f = 0.5 * (lo + hi);
            *o = if f < c { f } else { c };
        }
        std::mem::swap(&mut z, &mut next);
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
        let weighted: Vec<f64> = (0..k)
            .flat_map(|a| (0..n).map(move |i| (a, i)))
            .map(|(a, i)| w[i] * basis[a * n + i])
            .collect();
        let g = nalgebra::DMatrix::from_fn(k, k, |a, b| {
            dot(&weighted[a * n..(a + 1) * n], &basis[b * n..(b + 1) * n])
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
            *c = dot(&self.pinv[a * n..(a + 1) * n], y);
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

/// Population standard deviation of the residuals a − b.
fn std_dev(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    let m = lane_sum(a, b, |x, y| x - y) / n;
    (lane_sum(a, b, |x, y| (x - y - m) * (x - y - m)) / n).sqrt()
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
    let mut dev = std_dev(&yy, &base);
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
        let nd = std_dev(&yy, &base);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (diag(w) + λDᵀD)·z, by the bands, as the independent check.
    fn apply(sys: &Whittaker, w: &[f64], z: &[f64]) -> Vec<f64> {
        let n = sys.n;
        (0..n)
            .map(|i| {
                let mut v = (w[i] + sys.main[i]) * z[i];
                if i + 1 < n {
                    v += sys.off1[i] * z[i + 1];
                }
                if i + 2 < n {
                    v += sys.off2[i] * z[i + 2];
                }
                if i >= 1 {
                    v += sys.off1[i - 1] * z[i - 1];
                }
                if i >= 2 {
                    v += sys.off2[i - 2] * z[i - 2];
                }
                v
            })
            .collect()
    }

    #[test]
    fn two_way_solve_matches_one_way_and_the_system() {
        let mut state = 12345u64;
        let mut u = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for &n in &[16usize, 17, 18, 31, 64, 257, 2000] {
            for &lam in &[1e-2, 1.0, 1e3, 1e6] {
                let w: Vec<f64> = (0..n).map(|_| if u() < 0.3 { 1e-3 } else { u() }).collect();
                let y: Vec<f64> = (0..n)
                    .map(|i| (i as f64 * 0.05).sin() * 100.0 + u())
                    .collect();
                let mut sys = Whittaker::new(n, lam);
                let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                sys.solve_one_way(&w, &y, &mut a).unwrap();
                sys.solve_two_way(&w, &y, &mut b).unwrap();
                let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let diff = a
                    .iter()
                    .zip(&b)
                    .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
                assert!(
                    diff <= 1e-9 * scale,
                    "n={n} λ={lam}: {diff} vs scale {scale}"
                );
                // and the residual of the system itself
                let rhs: Vec<f64> = w.iter().zip(&y).map(|(w, y)| w * y).collect();
                let ab = apply(&sys, &w, &b);
                let rs = rhs.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let res = ab
                    .iter()
                    .zip(&rhs)
                    .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
                assert!(
                    res <= 1e-8 * rs.max(1.0) * (1.0 + lam),
                    "n={n} λ={lam}: residual {res}"
                );
            }
        }
    }

    #[test]
    fn exp_fast_matches_the_library_exp() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let x = -708.0 + 1417.0 * i as f64 / 200_000.0;
            let (a, b) = (exp_fast(x), x.exp());
            worst = worst.max((a / b - 1.0).abs());
        }
        assert!(worst < 2e-16 * 4.0, "worst relative error {worst}");
        for x in [0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, std::f64::consts::LN_2] {
            assert!((exp_fast(x) / x.exp() - 1.0).abs() < 4e-16, "{x}");
        }
        assert!(exp_fast(-1e6) < 1e-300);
        assert!(exp_fast(1e6).is_finite() && exp_fast(1e6) > 1e307);
        assert!(exp_fast(f64::NAN).is_nan());
    }

    #[test]
    fn two_way_solve_reports_singular_systems() {
        // all weights zero: λDᵀD alone is singular (lines are in its null space)
        let n = 40;
        let mut sys = Whittaker::new(n, 1.0);
        let mut z = vec![0.0; n];
        assert!(sys.solve(&vec![0.0; n], &vec![1.0; n], &mut z).is_err());
    }
}
