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

/// Whether every value is finite, in `LANES` partial sums of 0·v (0 for
/// finite v, NaN for ±∞ and NaN) without an early exit, so that it
/// vectorises; the exact position is searched only when it is false. (The
/// same sum as `lane_sum(v, v, |a, _| a * 0.0)`, written out: built on
/// `lane_sum`, it moved IModPoly's code to a layout that ran at 61 instead of
/// 52 µs; see docs/benchmarks.md on that sensitivity.)
#[inline(always)]
fn all_finite(v: &[f64]) -> bool {
    let mut acc = [0.0f64; LANES];
    let chunks = v.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            acc[j] += c[j] * 0.0;
        }
    }
    let tail: f64 = rest.iter().map(|&x| x * 0.0).sum();
    acc.iter().sum::<f64>() + tail == 0.0
}

/// Number of i ≥ 1 with `v[i]` not strictly after `v[i−1]` in the direction
/// `increasing`, counted in `LANES` lanes (no early exit, so it vectorises).
#[inline(always)]
fn monotonic_breaks(v: &[f64], increasing: bool) -> usize {
    if v.len() < 2 {
        return 0;
    }
    let (prev, next) = (&v[..v.len() - 1], &v[1..]);
    let sign = if increasing { 1.0 } else { -1.0 };
    let breaks = lane_sum(
        prev,
        next,
        |a, b| if sign * (b - a) > 0.0 { 0.0 } else { 1.0 },
    );
    breaks as usize
}

#[inline(always)]
fn check_data(what: &'static str, y: &[f64], min_len: usize) -> Result<()> {
    if y.len() < min_len {
        return Err(Error::Length {
            what: format!(
                "{what} has {} points; at least {min_len} are needed",
                y.len()
            ),
        });
    }
    if all_finite(y) {
        return Ok(());
    }
    match y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((i, &v)) => Err(Error::NonFinite {
            what,
            index: i,
            value: v,
        }),
        None => Ok(()),
    }
}

#[inline(always)]
fn check_xy(x: &[f64], y: &[f64], min_len: usize) -> Result<()> {
    // one pass over x when all is well: a strictly monotonic x with finite
    // end points is finite throughout (an interior ±∞ or NaN makes a
    // difference with a neighbour ≤ 0 or NaN, which counts as a break)
    let n = x.len();
    if n >= min_len.max(2)
        && n == y.len()
        && x[0].is_finite()
        && x[n - 1].is_finite()
        && monotonic_breaks(x, x[1] > x[0]) == 0
    {
        return check_data("y", y, min_len);
    }
    // otherwise the checks in order, for the first error's message
    check_data("x", x, min_len)?;
    check_data("y", y, min_len)?;
    if x.len() != y.len() {
        return Err(Error::Length {
            what: format!("x has {} points, y has {}", x.len(), y.len()),
        });
    }
    // strictly monotonic (increasing or decreasing) x; x is finite here, so
    // b − a > 0 is exactly b > a
    let increasing = x[1] > x[0];
    if monotonic_breaks(x, increasing) == 0 {
        return Ok(());
    }
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

/// Runs `f` compiled for the widest instruction set this CPU offers (AVX2 and
/// FMA where present, detected at run time by `pulp`; plain SSE2 otherwise).
/// The kernels inside are the same code either way and do the same
/// arithmetic in the same order, so the results are identical bit for bit;
/// only the vector width differs.
#[inline(always)]
pub(crate) fn wide<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

/// Lanes of the vectorisable sums below: independent partial sums break the
/// one-add-at-a-time dependency of a sequential float sum.
const LANES: usize = 8;

/// Σ f(aᵢ, bᵢ) over equal-length slices in `LANES` partial sums (the order of
/// additions differs from a sequential sum only by rounding).
#[inline(always)]
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
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    lane_sum(a, b, |x, y| x * y)
}

/// pybaselines' `relative_difference`: ‖new − old‖₂ / max(‖old‖₂, tiny), in
/// one pass of four-lane partial sums.
#[inline(always)]
fn relative_difference(old: &[f64], new: &[f64]) -> f64 {
    const L: usize = 4;
    let n = old.len().min(new.len());
    let (old, new) = (&old[..n], &new[..n]);
    let (mut d2, mut o2) = ([0.0f64; L], [0.0f64; L]);
    let (co, cn) = (old.chunks_exact(L), new.chunks_exact(L));
    let (ro, rn) = (co.remainder(), cn.remainder());
    for (a, b) in co.zip(cn) {
        for j in 0..L {
            d2[j] += (b[j] - a[j]) * (b[j] - a[j]);
            o2[j] += a[j] * a[j];
        }
    }
    for (&a, &b) in ro.iter().zip(rn) {
        d2[0] += (b - a) * (b - a);
        o2[0] += a * a;
    }
    let (d2, o2): (f64, f64) = (d2.iter().sum(), o2.iter().sum());
    d2.sqrt() / o2.sqrt().max(f64::MIN_POSITIVE)
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
///
/// The two chains do the same arithmetic on different rows, so they are
/// written as two-lane operations on `[f64; 2]` (lane 0 the top chain, lane 1
/// the bottom one) that the compiler turns into one SIMD instruction each,
/// the division included. Away from the first two rows of each end the bands
/// of λDᵀD are the constants (λ, −4λ, 6λ, −4λ, λ), so the elimination loop
/// reads only w and y, and L[s][s−2] = λ/D[s−2] is not stored but recomputed.
struct Whittaker {
    n: usize,
    lam: f64,
    /// λ·DᵀD's bands.
    bands: Bands,
    // per chain position s, both chains: 1/D, L[s][s−1] and the
    // forward-substituted g (the one-way solve uses lane 0 only)
    inv_d: Vec<[f64; 2]>,
    l1: Vec<[f64; 2]>,
    g: Vec<[f64; 2]>,
}

/// Two lanes, one per elimination chain.
type F2 = [f64; 2];

/// The bands of λ·DᵀD for the second-difference matrix D ((n − 2) × n, rows
/// (1, −2, 1)), from D's entries: A[i][i] = λ·Σₖ Dₖᵢ², A[i][i+1] and
/// A[i][i+2] likewise. Interior rows are (λ, −4λ, 6λ, −4λ, λ).
#[derive(Clone, Copy)]
struct Bands {
    n: usize,
    lam: f64,
}

impl Bands {
    /// A[i][i] − w[i]: D rows k = i (weight 1), i − 1 (4), i − 2 (1).
    #[inline]
    fn main(&self, i: usize) -> f64 {
        let rows = self.n - 2;
        let k0 = if i < rows { 1.0 } else { 0.0 };
        let k1 = if i >= 1 && i - 1 < rows { 4.0 } else { 0.0 };
        let k2 = if i >= 2 && i - 2 < rows { 1.0 } else { 0.0 };
        self.lam * (k0 + k1 + k2)
    }

    /// A[i][i+1]: D rows k = i and i − 1 (−2 each); 0 for the last row.
    #[inline]
    fn off1(&self, i: usize) -> f64 {
        let rows = self.n - 2;
        if i + 1 >= self.n {
            return 0.0;
        }
        let k0 = if i < rows { -2.0 } else { 0.0 };
        let k1 = if i >= 1 && i - 1 < rows { -2.0 } else { 0.0 };
        self.lam * (k0 + k1)
    }

    /// A[i][i+2]: D row k = i (1); 0 past the end.
    #[inline]
    fn off2(&self, i: usize) -> f64 {
        if i + 2 < self.n { self.lam } else { 0.0 }
    }
}

/// `f` applied lane by lane.
#[inline(always)]
fn lanes(f: impl Fn(usize) -> f64) -> F2 {
    [f(0), f(1)]
}

/// What one elimination step hands the next, per chain: 1/D and L[s][s−1]
/// of the previous position, 1/D of the one before, and the
/// forward-substituted values of the previous two positions.
#[derive(Clone, Copy, Default)]
struct Carry {
    id1: F2,
    id2: F2,
    l1: F2,
    g1: F2,
    g2: F2,
}

/// Watches the pivots 1/D of both chains without leaving the SIMD registers
/// (a per-step `> 0 && < ∞` test made the compiler move every pivot to the
/// integer unit): the running minimum catches zero and negative pivots, and
/// Σ 0·(1/D), which stays 0 unless a pivot is infinite or NaN, the rest.
#[derive(Clone, Copy)]
struct PivotWatch {
    lo: F2,
    nan: F2,
}

impl PivotWatch {
    fn new() -> Self {
        PivotWatch {
            lo: [f64::INFINITY; 2],
            nan: [0.0; 2],
        }
    }

    #[inline(always)]
    fn watch(&mut self, id: F2) {
        self.lo = lanes(|j| {
            if id[j] < self.lo[j] {
                id[j]
            } else {
                self.lo[j]
            }
        });
        self.nan = lanes(|j| self.nan[j] + id[j] * 0.0);
    }

    /// Whether every watched pivot was positive and finite.
    fn ok(&self) -> bool {
        (0..2).all(|j| self.lo[j] > 0.0 && self.nan[j] == 0.0)
    }
}

/// Systems smaller than this are solved by one chain.
const TWO_WAY_MIN: usize = 16;

impl Whittaker {
    fn new(n: usize, lam: f64) -> Self {
        // the one-way solve stores every row, the two-way one at most n/2 + 1
        // chain positions (half the memory, and half the page faults of a
        // fresh call)
        let rows = if n < TWO_WAY_MIN { n } else { n / 2 + 2 };
        Self::with_rows(n, lam, rows)
    }

    /// A system whose chain storage holds `rows` positions.
    fn with_rows(n: usize, lam: f64, rows: usize) -> Self {
        Whittaker {
            n,
            lam,
            bands: Bands { n, lam },
            inv_d: vec![[0.0; 2]; rows],
            l1: vec![[0.0; 2]; rows],
            g: vec![[0.0; 2]; rows],
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

    /// Eliminates chain position `s` in both lanes (diagonal `diag`,
    /// b = A[s][s−1] and c = A[s][s−2] in chain order, zero where absent) and
    /// forward-substitutes `rhs`. D = diag − e·L1 − c·L2 with
    /// e = b − c·L[s−1][s−2] is evaluated as (diag − c·L2) − e²·(1/D[s−1]):
    /// everything but one multiply and one subtract is ready before 1/D[s−1]
    /// is, so the dependency chain per step is multiply, subtract, divide.
    #[inline(always)]
    fn eliminate(&mut self, s: usize, k: Carry, diag: F2, b: F2, c: F2, rhs: F2) -> Carry {
        let e = lanes(|j| b[j] - c[j] * k.l1[j]);
        let l1 = lanes(|j| e[j] * k.id1[j]);
        let l2 = lanes(|j| c[j] * k.id2[j]);
        let d = lanes(|j| (diag[j] - c[j] * l2[j]) - (e[j] * e[j]) * k.id1[j]);
        let id = lanes(|j| 1.0 / d[j]);
        let g = lanes(|j| (rhs[j] - l2[j] * k.g2[j]) - l1[j] * k.g1[j]);
        self.inv_d[s] = id;
        self.l1[s] = l1;
        self.g[s] = g;
        Carry {
            id1: id,
            id2: k.id1,
            l1,
            g1: g,
            g2: k.g1,
        }
    }

    /// Back substitution at position `s` from the solved values at s+1, s+2:
    /// z = g/D − L[s+1][s]·z1 − L[s+2][s]·z2 with L[s+2][s] = c/D (c = A[s+2][s]
    /// in chain order), associated so that the chain through z1 is one
    /// multiply and one subtract.
    #[inline(always)]
    fn back(&self, s: usize, c: F2, z1: F2, z2: F2) -> F2 {
        let (g, id, l1) = (self.g[s], self.inv_d[s], self.l1[s + 1]);
        lanes(|j| (g[j] - c[j] * z2[j]) * id[j] - l1[j] * z1[j])
    }

    /// First position below `len` of chain `lane` whose pivot is not
    /// positive and finite.
    fn first_bad(&self, lane: usize, len: usize) -> Option<usize> {
        self.inv_d[..len]
            .iter()
            .position(|v| !(v[lane] > 0.0 && v[lane] < f64::INFINITY))
    }

    /// Solves (diag(w) + λDᵀD) z = w∘y (see the type's docs).
    fn solve(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        if self.n < TWO_WAY_MIN {
            self.solve_one_way(w, y, z)
        } else {
            self.solve_two_way(w, y, z)
        }
    }

    /// Banded LDLᵀ from the top in lane 0 (`inv_d` holds 1/Dᵢᵢ, so the
    /// recurrence carries one division per point).
    fn solve_one_way(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        let n = self.n;
        let mut k = Carry::default();
        let mut watch = PivotWatch::new();
        for r in 0..n {
            let bands = self.bands;
            let b = if r >= 1 { bands.off1(r - 1) } else { 0.0 };
            let c = if r >= 2 { bands.off2(r - 2) } else { 0.0 };
            let (diag, rhs) = (w[r] + bands.main(r), w[r] * y[r]);
            k = self.eliminate(r, k, [diag, 1.0], [b, 0.0], [c, 0.0], [rhs, 0.0]);
            watch.watch(k.id1);
        }
        if !watch.ok() {
            return Err(Self::singular(self.first_bad(0, n).unwrap_or(0)));
        }
        let (mut z1, mut z2) = (0.0, 0.0);
        for r in (0..n).rev() {
            // L[r+1][r] (zero past the end) and L[r+2][r] = off2[r]/D[r]
            let l1 = if r + 1 < n { self.l1[r + 1][0] } else { 0.0 };
            let v = (self.g[r][0] - self.bands.off2(r) * z2) * self.inv_d[r][0] - l1 * z1;
            z[r] = v;
            (z2, z1) = (z1, v);
        }
        Ok(())
    }

    /// Two-way elimination (see the type's docs); `n ≥ TWO_WAY_MIN`.
    fn solve_two_way(&mut self, w: &[f64], y: &[f64], z: &mut [f64]) -> Result<()> {
        let n = self.n;
        let m = (n - 2) / 2; // top chain rows 0..m, junction m, m+1
        let lb = n - m - 2; // bottom chain rows n−1 down to m+2; lb ∈ {m, m+1}
        let (w, y) = (&w[..n], &y[..n]);
        let (lam, bands) = (self.lam, self.bands);
        let (d6, b4) = ([6.0 * lam; 2], [-4.0 * lam; 2]);
        // chain position s is row s on top and row n−1−s at the bottom; the
        // first two positions of each chain carry the boundary bands
        let (r0, r1) = ([0, n - 1], [1, n - 2]);
        let mut k = Carry::default();
        k = self.eliminate(
            0,
            k,
            lanes(|j| w[r0[j]] + bands.main(r0[j])),
            [0.0; 2],
            [0.0; 2],
            lanes(|j| w[r0[j]] * y[r0[j]]),
        );
        let mut watch = PivotWatch::new();
        watch.watch(k.id1);
        k = self.eliminate(
            1,
            k,
            lanes(|j| w[r1[j]] + bands.main(r1[j])),
            [bands.off1(0), bands.off1(n - 2)],
            [0.0; 2],
            lanes(|j| w[r1[j]] * y[r1[j]]),
        );
        watch.watch(k.id1);
        // the interior: rows s and n−1−s, both with the constant bands
        let (wt, yt) = (&w[..m], &y[..m]);
        let (wb, yb) = (&w[n - m..], &y[n - m..]); // position s ↔ index m−1−s
        for s in 2..m {
            let wv = [wt[s], wb[m - 1 - s]];
            let yv = [yt[s], yb[m - 1 - s]];
            k = self.eliminate(
                s,
                k,
                lanes(|j| wv[j] + d6[j]),
                b4,
                [lam; 2],
                lanes(|j| wv[j] * yv[j]),
            );
            watch.watch(k.id1);
        }
        if lb > m {
            // the bottom chain's extra position (lane 1; lane 0 idles on 1/1)
            let r = n - 1 - m;
            k = self.eliminate(
                m,
                k,
                [1.0, w[r] + d6[1]],
                [0.0, b4[1]],
                [0.0, lam],
                [0.0, w[r] * y[r]],
            );
            watch.watch(k.id1);
        }
        let (j0, j1) = (m, m + 1);
        if !watch.ok() {
            let row = match (self.first_bad(0, m), self.first_bad(1, lb)) {
                (Some(a), Some(b)) if b < a => n - 1 - b,
                (Some(a), _) => a,
                (None, Some(b)) => n - 1 - b,
                (None, None) => j0,
            };
            return Err(Self::singular(row));
        }
        let main = |i: usize| bands.main(i);
        let off1 = |i: usize| bands.off1(i);
        let off2 = |i: usize| bands.off2(i);
        // Schur complement of the junction rows: each chain contributes as if
        // it took its next two steps (without the diagonal)
        let contrib = |j: usize, len: usize, b0: f64, c0: f64, c1: f64| {
            // chain positions len−1, len−2 precede the junction rows p0, p1 (chain
            // order); b0 = A[p0][len−1], c0 = A[p0][len−2], c1 = A[p1][len−1]
            let (id1, id2) = (self.inv_d[len - 1][j], self.inv_d[len - 2][j]);
            let (g1, g2) = (self.g[len - 1][j], self.g[len - 2][j]);
            let e = b0 - c0 * self.l1[len - 1][j];
            let s00 = e * e * id1 + c0 * c0 * id2;
            let s01 = e * c1 * id1;
            let s11 = c1 * c1 * id1;
            let r0 = e * id1 * g1 + c0 * id2 * g2;
            let r1 = c1 * id1 * g1;
            (s00, s01, s11, r0, r1, e)
        };
        // top: p0 = j0, p1 = j1
        let (t00, t01, t11, tr0, tr1, te) = contrib(0, m, off1(j0 - 1), off2(j0 - 2), off2(j0 - 1));
        // bottom (chain order from the end): p0 = j1, p1 = j0
        let (b00, b01, b11, br0, br1, be) = contrib(1, lb, off1(j1), off2(j1), off2(j0));
        let a00 = w[j0] + main(j0) - t00 - b11;
        let a11 = w[j1] + main(j1) - t11 - b00;
        let a01 = off1(j0) - t01 - b01;
        let f0 = w[j0] * y[j0] - tr0 - br1;
        let f1 = w[j1] * y[j1] - tr1 - br0;
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
        let (oj0m1, oj0m2, oj0, oj1) = (off2(j0 - 1), off2(j0 - 2), off2(j0), off2(j1));
        self.g[m - 1][0] -= te * zj0 + oj0m1 * zj1;
        self.g[m - 2][0] -= oj0m2 * zj0;
        self.g[lb - 1][1] -= be * zj1 + oj0 * zj0;
        self.g[lb - 2][1] -= oj1 * zj1;
        // back substitution, both chains outward at once: the last two
        // positions of each chain first, then the interleaved loop
        let back_first = |j: usize, len: usize| {
            let v1 = self.g[len - 1][j] * self.inv_d[len - 1][j];
            let v2 = self.g[len - 2][j] * self.inv_d[len - 2][j] - self.l1[len - 1][j] * v1;
            (v2, v1)
        };
        let (t1, t2) = back_first(0, m);
        let (u1, u2) = back_first(1, lb);
        z[m - 1] = t2;
        z[m - 2] = t1;
        z[n - lb] = u2;
        z[n + 1 - lb] = u1;
        // (z at chain positions s+1, s+2, per lane)
        let (mut z1, mut z2) = ([t1, u1], [t2, u2]);
        let c = [lam; 2];
        // the bottom chain's extra position first, so that the rest runs in step
        if lb > m {
            let s = lb - 3;
            let v = self.back(s, c, z1, z2)[1];
            z[n - 1 - s] = v;
            (z2[1], z1[1]) = (z1[1], v);
        }
        let (zt, zb) = z.split_at_mut(n - m);
        let (zt, zb) = (&mut zt[..m], &mut zb[..m]); // zb: position s ↔ index m−1−s
        for s in (0..m - 2).rev() {
            let v = self.back(s, c, z1, z2);
            zt[s] = v[0];
            zb[m - 1 - s] = v[1];
            (z2, z1) = (z1, v);
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
    let (p, q) = (o.p, 1.0 - o.p);
    reweight(y, o, |_, z, w, nw| {
        Some(reweigh(w, nw, y, z, |r| if r > 0.0 { p } else { q }))
    })
}

/// Asymmetrically reweighted penalized least squares (S.-J. Baek et al., Analyst
/// 140 (2015) 250): logistic weights from the mean and standard deviation
/// (ddof = 1) of the negative residuals (pybaselines `arpls`).
pub fn arpls(y: &[f64], o: &WhittakerOptions) -> Result<Baseline> {
    whittaker_check(y, o)?;
    let mut shift = 0.0;
    reweight(y, o, |_, z, w, nw| {
        // the statistics in AVX2 where there is one (3 % of arPLS); the
        // weights too, in explicit AVX registers (logistic_weights: the
        // compiler's own vectorisation of the table-driven exp under AVX2
        // ran slower than SSE2)
        let st = wide(
            #[inline(always)]
            || NegStats::of(y, z, shift),
        );
        if st.count < 2.0 {
            // pybaselines stops here (almost all points above the baseline)
            return None;
        }
        let (mean, var) = st.mean_var();
        shift = mean;
        let std = if var > 0.0 {
            var.sqrt()
        } else {
            f64::MIN_POSITIVE
        };
        let (scale, shift) = (2.0 / std, 2.0 * std - mean);
        logistic_weights(nw, y, z, scale, shift);
        Some(relative_difference(w, nw))
    })
}

/// Adaptive iteratively reweighted penalized least squares (Z.-M. Zhang et al.,
/// Analyst 135 (2010) 1138, with the corrected eq. 9): weights
/// exp(t·|r|/‖r⁻‖₁) on negative residuals, 0 elsewhere, t the iteration (≤ 50),
/// stopped when ‖r⁻‖₁ < tol·‖y‖₁ (pybaselines `airpls`).
pub fn airpls(y: &[f64], o: &WhittakerOptions) -> Result<Baseline> {
    whittaker_check(y, o)?;
    let y_l1 = lane_sum(y, y, |a, _| a.abs());
    let log_max = f64::MAX.ln() * (1.0 - 1e-15);
    reweight(y, o, |it, z, _, nw| {
        let st = NegStats::of(y, z, 0.0);
        if st.count < 2.0 {
            return None;
        }
        // Σr = −‖r⁻‖₁, so scale·r ≥ 0 on the negative residuals; the
        // exponents are ≤ 50 there (|r| ≤ ‖r⁻‖₁), the clamp guards the rest
        let l1 = st.sum();
        let scale = it.min(50) as f64 / l1;
        let measure = l1.abs() / y_l1;
        if measure < o.tol {
            // converged: pybaselines tests before reweighting
            return Some(measure);
        }
        weights_into(nw, y, z, |r| {
            if r < 0.0 {
                exp_fast((scale * r).clamp(0.0, log_max))
            } else {
                0.0
            }
        });
        Some(measure)
    })
}

/// 2^(j/256) for j = 0..256, correctly rounded (bit patterns; generated with
/// Python's `decimal` at 60 digits, `Decimal(2) ** (Decimal(j) / 256)`).
const EXP2_256THS: [u64; 256] = [
    0x3FF0_0000_0000_0000,
    0x3FF0_0B1A_FA5A_BCBF,
    0x3FF0_163D_A9FB_3335,
    0x3FF0_2168_143B_0281,
    0x3FF0_2C9A_3E77_8061,
    0x3FF0_37D4_2E11_BBCC,
    0x3FF0_4315_E86E_7F85,
    0x3FF0_4E5F_72F6_54B1,
    0x3FF0_59B0_D315_8574,
    0x3FF0_650A_0E3C_1F89,
    0x3FF0_706B_29DD_F6DE,
    0x3FF0_7BD4_2B72_A836,
    0x3FF0_8745_1875_9BC8,
    0x3FF0_92BD_F666_07E0,
    0x3FF0_9E3E_CAC6_F383,
    0x3FF0_A9C7_9B1F_3919,
    0x3FF0_B558_6CF9_890F,
    0x3FF0_C0F1_45E4_6C85,
    0x3FF0_CC92_2B72_47F7,
    0x3FF0_D83B_2339_5DEC,
    0x3FF0_E3EC_32D3_D1A2,
    0x3FF0_EFA5_5FDF_A9C5,
    0x3FF0_FB66_AFFE_D31B,
    0x3FF1_0730_28D7_233E,
    0x3FF1_1301_D012_5B51,
    0x3FF1_1EDB_AB5E_2AB6,
    0x3FF1_2ABD_C06C_31CC,
    0x3FF1_36A8_14F2_04AB,
    0x3FF1_429A_AEA9_2DE0,
    0x3FF1_4E95_934F_312E,
    0x3FF1_5A98_C8A5_8E51,
    0x3FF1_66A4_5471_C3C2,
    0x3FF1_72B8_3C7D_517B,
    0x3FF1_7ED4_8695_BBC0,
    0x3FF1_8AF9_388C_8DEA,
    0x3FF1_9726_5837_5D2F,
    0x3FF1_A35B_EB6F_CB75,
    0x3FF1_AF99_F813_8A1C,
    0x3FF1_BBE0_8404_5CD4,
    0x3FF1_C82F_9528_1C6B,
    0x3FF1_D487_3168_B9AA,
    0x3FF1_E0E7_5EB4_4027,
    0x3FF1_ED50_22FC_D91D,
    0x3FF1_F9C1_8438_CE4D,
    0x3FF2_063B_8862_8CD6,
    0x3FF2_12BE_3578_A819,
    0x3FF2_1F49_917D_DC96,
    0x3FF2_2BDD_A279_12D1,
    0x3FF2_387A_6E75_6238,
    0x3FF2_451F_FB82_140A,
    0x3FF2_51CE_4FB2_A63F,
    0x3FF2_5E85_711E_CE75,
    0x3FF2_6B45_65E2_7CDD,
    0x3FF2_780E_341D_DF29,
    0x3FF2_84DF_E1F5_6381,
    0x3FF2_91BA_7591_BB70,
    0x3FF2_9E9D_F51F_DEE1,
    0x3FF2_AB8A_66D1_0F13,
    0x3FF2_B87F_D0DA_D990,
    0x3FF2_C57E_3977_1B2F,
    0x3FF2_D285_A6E4_030B,
    0x3FF2_DF96_1F64_1589,
    0x3FF2_ECAF_A93E_2F56,
    0x3FF2_F9D2_4ABD_886B,
    0x3FF3_06FE_0A31_B715,
    0x3FF3_1432_EDEE_B2FD,
    0x3FF3_2170_FC4C_D831,
    0x3FF3_2EB8_3BA8_EA32,
    0x3FF3_3C08_B264_16FF,
    0x3FF3_4962_66E3_FA2D,
    0x3FF3_56C5_5F92_9FF1,
    0x3FF3_6431_A2DE_883B,
    0x3FF3_71A7_373A_A9CB,
    0x3FF3_7F26_231E_754A,
    0x3FF3_8CAE_6D05_D866,
    0x3FF3_9A40_1B71_40EF,
    0x3FF3_A7DB_34E5_9FF7,
    0x3FF3_B57F_BFEC_6CF4,
    0x3FF3_C32D_C313_A8E5,
    0x3FF3_D0E5_44ED_E173,
    0x3FF3_DEA6_4C12_3422,
    0x3FF3_EC70_DF1C_5175,
    0x3FF3_FA45_04AC_801C,
    0x3FF4_0822_C367_A024,
    0x3FF4_160A_21F7_2E2A,
    0x3FF4_23FB_2709_468A,
    0x3FF4_31F5_D950_A897,
    0x3FF4_3FFA_3F84_B9D4,
    0x3FF4_4E08_6061_892D,
    0x3FF4_5C20_42A7_D232,
    0x3FF4_6A41_ED1D_0057,
    0x3FF4_786D_668B_3237,
    0x3FF4_86A2_B5C1_3CD0,
    0x3FF4_94E1_E192_AED2,
    0x3FF4_A32A_F0D7_D3DE,
    0x3FF4_B17D_EA6D_B7D7,
    0x3FF4_BFDA_D536_2A27,
    0x3FF4_CE41_B817_C114,
    0x3FF4_DCB2_99FD_DD0D,
    0x3FF4_EB2D_81D8_ABFF,
    0x3FF4_F9B2_769D_2CA7,
    0x3FF5_0841_7F45_31EE,
    0x3FF5_16DA_A2CF_6642,
    0x3FF5_257D_E83F_4EEF,
    0x3FF5_342B_569D_4F82,
    0x3FF5_42E2_F4F6_AD27,
    0x3FF5_51A4_CA5D_920F,
    0x3FF5_6070_DDE9_10D2,
    0x3FF5_6F47_36B5_27DA,
    0x3FF5_7E27_DBE2_C4CF,
    0x3FF5_8D12_D497_C7FD,
    0x3FF5_9C08_27FF_07CC,
    0x3FF5_AB07_DD48_5429,
    0x3FF5_BA11_FBA8_7A03,
    0x3FF5_C926_8A59_46B7,
    0x3FF5_D845_9099_8B93,
    0x3FF5_E76F_15AD_2148,
    0x3FF5_F6A3_20DC_EB71,
    0x3FF6_05E1_B976_DC09,
    0x3FF6_152A_E6CD_F6F4,
    0x3FF6_247E_B03A_5585,
    0x3FF6_33DD_1D19_29FD,
    0x3FF6_4346_34CC_C320,
    0x3FF6_52B9_FEBC_8FB7,
    0x3FF6_6238_8255_2225,
    0x3FF6_71C1_C708_33F6,
    0x3FF6_8155_D44C_A973,
    0x3FF6_90F4_B19E_9538,
    0x3FF6_A09E_667F_3BCD,
    0x3FF6_B052_FA75_173E,
    0x3FF6_C012_750B_DABF,
    0x3FF6_CFDC_DDD4_7645,
    0x3FF6_DFB2_3C65_1A2F,
    0x3FF6_EF92_9859_3AE5,
    0x3FF6_FF7D_F951_9484,
    0x3FF7_0F74_66F4_2E87,
    0x3FF7_1F75_E8EC_5F74,
    0x3FF7_2F82_86EA_D08A,
    0x3FF7_3F9A_48A5_8174,
    0x3FF7_4FBD_35D7_CBFD,
    0x3FF7_5FEB_5642_67C9,
    0x3FF7_7024_B1AB_6E09,
    0x3FF7_8069_4FDE_5D3F,
    0x3FF7_90B9_38AC_1CF6,
    0x3FF7_A114_73EB_0187,
    0x3FF7_B17B_0976_CFDB,
    0x3FF7_C1ED_0130_C132,
    0x3FF7_D26A_62FF_86F0,
    0x3FF7_E2F3_36CF_4E62,
    0x3FF7_F387_8491_C491,
    0x3FF8_0427_543E_1A12,
    0x3FF8_14D2_ADD1_06D9,
    0x3FF8_2589_994C_CE13,
    0x3FF8_364C_1EB9_41F7,
    0x3FF8_471A_4623_C7AD,
    0x3FF8_57F4_179F_5B21,
    0x3FF8_68D9_9B44_92ED,
    0x3FF8_79CA_D931_A436,
    0x3FF8_8AC7_D98A_6699,
    0x3FF8_9BD0_A478_580F,
    0x3FF8_ACE5_422A_A0DB,
    0x3FF8_BE05_BAD6_1778,
    0x3FF8_CF32_16B5_448C,
    0x3FF8_E06A_5E08_66D9,
    0x3FF8_F1AE_9915_7736,
    0x3FF9_02FE_D028_2C8A,
    0x3FF9_145B_0B91_FFC6,
    0x3FF9_25C3_53AA_2FE2,
    0x3FF9_3737_B0CD_C5E5,
    0x3FF9_48B8_2B5F_98E5,
    0x3FF9_5A44_CBC8_520F,
    0x3FF9_6BDD_9A76_70B3,
    0x3FF9_7D82_9FDE_4E50,
    0x3FF9_8F33_E47A_22A2,
    0x3FF9_A0F1_70CA_07BA,
    0x3FF9_B2BB_4D53_FE0D,
    0x3FF9_C491_82A3_F090,
    0x3FF9_D674_194B_B8D5,
    0x3FF9_E863_19E3_2323,
    0x3FF9_FA5E_8D07_F29E,
    0x3FFA_0C66_7B5D_E565,
    0x3FFA_1E7A_ED8E_B8BB,
    0x3FFA_309B_EC4A_2D33,
    0x3FFA_42C9_8046_0AD8,
    0x3FFA_5503_B23E_255D,
    0x3FFA_674A_8AF4_6052,
    0x3FFA_799E_1330_B358,
    0x3FFA_8BFE_53C1_2E59,
    0x3FFA_9E6B_5579_FDBF,
    0x3FFA_B0E5_2135_6EBA,
    0x3FFA_C36B_BFD3_F37A,
    0x3FFA_D5FF_3A3C_2774,
    0x3FFA_E89F_995A_D3AD,
    0x3FFA_FB4C_E622_F2FF,
    0x3FFB_0E07_298D_B666,
    0x3FFB_20CE_6C9A_8952,
    0x3FFB_33A2_B84F_15FB,
    0x3FFB_4684_15B7_49B1,
    0x3FFB_5972_8DE5_593A,
    0x3FFB_6C6E_29F1_C52A,
    0x3FFB_7F76_F2FB_5E47,
    0x3FFB_928C_F227_49E4,
    0x3FFB_A5B0_30A1_064A,
    0x3FFB_B8E0_B79A_6F1F,
    0x3FFB_CC1E_904B_C1D2,
    0x3FFB_DF69_C3F3_A207,
    0x3FFB_F2C2_5BD7_1E09,
    0x3FFC_0628_6141_B33D,
    0x3FFC_199B_DD85_529C,
    0x3FFC_2D1C_D9FA_652C,
    0x3FFC_40AB_5FFF_D07A,
    0x3FFC_5447_78FA_FB22,
    0x3FFC_67F1_2E57_D14B,
    0x3FFC_7BA8_8988_C933,
    0x3FFC_8F6D_9406_E7B5,
    0x3FFC_A340_5751_C4DB,
    0x3FFC_B720_DCEF_9069,
    0x3FFC_CB0F_2E6D_1675,
    0x3FFC_DF0B_555D_C3FA,
    0x3FFC_F315_5B5B_AB74,
    0x3FFD_072D_4A07_897C,
    0x3FFD_1B53_2B08_C968,
    0x3FFD_2F87_080D_89F2,
    0x3FFD_43C8_EACA_A1D6,
    0x3FFD_5818_DCFB_A487,
    0x3FFD_6C76_E862_E6D3,
    0x3FFD_80E3_16C9_8398,
    0x3FFD_955D_71FF_6075,
    0x3FFD_A9E6_03DB_3285,
    0x3FFD_BE7C_D63A_8315,
    0x3FFD_D321_F301_B460,
    0x3FFD_E7D5_641C_0658,
    0x3FFD_FC97_337B_9B5F,
    0x3FFE_1167_6B19_7D17,
    0x3FFE_2646_14F5_A129,
    0x3FFE_3B33_3B16_EE12,
    0x3FFE_502E_E78B_3FF6,
    0x3FFE_6539_2467_6D76,
    0x3FFE_7A51_FBC7_4C83,
    0x3FFE_8F79_77CD_B740,
    0x3FFE_A4AF_A2A4_90DA,
    0x3FFE_B9F4_867C_CA6E,
    0x3FFE_CF48_2D8E_67F1,
    0x3FFE_E4AA_A218_8510,
    0x3FFE_FA1B_EE61_5A27,
    0x3FFF_0F9C_1CB6_412A,
    0x3FFF_252B_376B_BA97,
    0x3FFF_3AC9_48DD_7274,
    0x3FFF_5076_5B6E_4540,
    0x3FFF_6632_7988_44F8,
    0x3FFF_7BFD_AD9C_BE14,
    0x3FFF_91D8_0224_3C89,
    0x3FFF_A7C1_819E_90D8,
    0x3FFF_BDBA_3692_D514,
    0x3FFF_D3C2_2B8F_71F1,
    0x3FFF_E9D9_6B2A_23D9,
];

/// arPLS's weights 1/(1 + exp(scale·((y − z) − shift))) into `new`: in AVX
/// registers where the CPU has AVX2 ([`logistic_v3`]), else point by point
/// with [`exp_fast`]; the same operations in the same order, so the same
/// bits.
fn logistic_weights(new: &mut [f64], y: &[f64], z: &[f64], scale: f64, shift: f64) {
    #[cfg(target_arch = "x86_64")]
    if let Some(s) = pulp::x86::V3::try_new() {
        return wide(
            #[inline(always)]
            || logistic_v3(s, new, y, z, scale, shift),
        );
    }
    weights_into(new, y, z, |r| 1.0 / (1.0 + exp_fast(scale * (r - shift))));
}

/// [`logistic_weights`] four points per AVX register: [`exp_fast`]'s steps
/// lane by lane (the clamp as max then min with NaN passed through, as
/// `f64::clamp`; the table read lane by lane; m·2⁵² by logical shifts, which
/// keep the same low twelve bits of k >> 8 as the arithmetic shift), then
/// the division, which takes four lanes at a time here against two in SSE2.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn logistic_v3(s: pulp::x86::V3, new: &mut [f64], y: &[f64], z: &[f64], scale: f64, shift: f64) {
    use pulp::{cast, f64x4, u64x4};
    let n = new.len().min(y.len()).min(z.len());
    let (wq, wr) = new[..n].as_chunks_mut::<4>();
    let (yq, yr) = y[..n].as_chunks::<4>();
    let (zq, zr) = z[..n].as_chunks::<4>();
    // (no closures here: one that LLVM did not inline would run without the
    // AVX target features, calling each intrinsic)
    let (sc, sh, one) = (
        s.splat_f64x4(scale),
        s.splat_f64x4(shift),
        s.splat_f64x4(1.0),
    );
    let (lo, hi) = (s.splat_f64x4(-708.0), s.splat_f64x4(709.0));
    let (nl, round) = (s.splat_f64x4(EXP_N_LOG2E), s.splat_f64x4(EXP_ROUND));
    let round_bits = s.splat_u64x4(EXP_ROUND.to_bits());
    let (ln_hi, ln_lo) = (s.splat_f64x4(EXP_LN2_256_HI), s.splat_f64x4(EXP_LN2_256_LO));
    let (half, sixth) = (s.splat_f64x4(0.5), s.splat_f64x4(1.0 / 6.0));
    let (c24, mask) = (s.splat_f64x4(1.0 / 24.0), s.splat_u64x4(255));
    for i in 0..wq.len().min(yq.len()).min(zq.len()) {
        let r = s.sub_f64x4(cast(yq[i]), cast(zq[i]));
        let x = s.mul_f64x4(sc, s.sub_f64x4(r, sh));
        // exp_fast
        let x = s.min_f64x4(hi, s.max_f64x4(lo, x));
        let t = s.add_f64x4(s.mul_f64x4(x, nl), round);
        let k = s.sub_f64x4(t, round);
        let ki = s.wrapping_sub_u64x4(cast(t), round_bits);
        let r = s.sub_f64x4(s.sub_f64x4(x, s.mul_f64x4(k, ln_hi)), s.mul_f64x4(k, ln_lo));
        let r2 = s.mul_f64x4(r, r);
        let inner = s.add_f64x4(
            s.add_f64x4(half, s.mul_f64x4(r, sixth)),
            s.mul_f64x4(r2, c24),
        );
        let p = s.add_f64x4(s.add_f64x4(one, r), s.mul_f64x4(r2, inner));
        let j: [u64; 4] = cast(s.and_u64x4(ki, mask));
        let tj: u64x4 = cast([
            EXP2_256THS[(j[0] & 255) as usize],
            EXP2_256THS[(j[1] & 255) as usize],
            EXP2_256THS[(j[2] & 255) as usize],
            EXP2_256THS[(j[3] & 255) as usize],
        ]);
        let m = s.shl_const_u64x4::<52>(s.shr_const_u64x4::<8>(ki));
        let e = s.mul_f64x4(p, cast::<u64x4, f64x4>(s.wrapping_add_u64x4(tj, m)));
        wq[i] = cast(s.div_f64x4(one, s.add_f64x4(one, e)));
    }
    for ((w, &a), &b) in wr.iter_mut().zip(yr).zip(zr) {
        *w = 1.0 / (1.0 + exp_fast(scale * ((a - b) - shift)));
    }
}

/// 256·log₂e ([`exp_fast`]).
const EXP_N_LOG2E: f64 = 256.0 * std::f64::consts::LOG2_E;
/// ln2/256 with its low 18 bits cleared (|k| < 2¹⁸, so k·hi is exact)
/// ([`exp_fast`]).
const EXP_LN2_256_HI: f64 = f64::from_bits(0x3F66_2E42_FEF8_0000);
/// The rest of ln2/256 ([`exp_fast`]).
const EXP_LN2_256_LO: f64 = f64::from_bits(0x3D31_CF79_ABC9_E3B4);
/// 1.5·2⁵², the rounding constant of [`exp_fast`].
const EXP_ROUND: f64 = 6_755_399_441_055_744.0;

/// eˣ without branches, so that loops over it vectorise (the arPLS and
/// airPLS weights take one per point and iteration). Table-driven (P. T. P.
/// Tang, ACM TOMS 15 (1989) 144): x = (256m + j)·ln2/256 + r with
/// k = 256m + j = round(256x/ln 2) by the 1.5·2⁵² rounding trick, ln2/256
/// split in two (Cody & Waite) so that k·hi is exact, e^r by its Taylor
/// polynomial of degree 4 on |r| ≤ ln2/512 (truncation below 4·10⁻¹⁷), times
/// 2^(j/256) from the table, with m added to the exponent bits. Relative
/// error within 4.5·10⁻¹⁶ (2 ulp) of `f64::exp` for x in [−708, 709]
/// (tested); saturates to 0-ish and to ~8·10³⁰⁷ outside, NaN stays NaN.
#[inline(always)]
fn exp_fast(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let t = x * EXP_N_LOG2E + EXP_ROUND;
    let k = t - EXP_ROUND;
    // k sits in the low bits of t's mantissa
    let ki = (t.to_bits() as i64).wrapping_sub(EXP_ROUND.to_bits() as i64);
    let r = (x - k * EXP_LN2_256_HI) - k * EXP_LN2_256_LO;
    let r2 = r * r;
    let p = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0));
    // 2^(j/256)·2^m: m = ⌊k/256⌋ added to the table entry's exponent field
    let tj = EXP2_256THS[(ki & 255) as usize];
    p * f64::from_bits(tj.wrapping_add(((ki >> 8) as u64) << 52))
}

/// Statistics of the negative residuals r = y − z < 0: their count and the
/// sums of (r − c) and (r − c)², shifted by c (the previous iteration's mean)
/// against cancellation in the variance; one pass in `LANES` partial sums.
#[derive(Clone, Copy, Default)]
struct NegStats {
    count: f64,
    shift: f64,
    s1: f64,
    s2: f64,
}

impl NegStats {
    #[inline(always)]
    fn of(y: &[f64], z: &[f64], shift: f64) -> NegStats {
        // four lanes: three accumulators of eight would not fit the sixteen
        // SSE registers (the compiler spilled them)
        const L: usize = 4;
        let n = y.len().min(z.len());
        let (y, z) = (&y[..n], &z[..n]);
        let (mut c, mut s1, mut s2) = ([0.0f64; L], [0.0f64; L], [0.0f64; L]);
        let (cy, cz) = (y.chunks_exact(L), z.chunks_exact(L));
        let (ry, rz) = (cy.remainder(), cz.remainder());
        for (a, b) in cy.zip(cz) {
            for j in 0..L {
                let r = a[j] - b[j];
                let d = r - shift;
                let neg = r < 0.0;
                c[j] += if neg { 1.0 } else { 0.0 };
                s1[j] += if neg { d } else { 0.0 };
                s2[j] += if neg { d * d } else { 0.0 };
            }
        }
        for (&a, &b) in ry.iter().zip(rz) {
            let r = a - b;
            if r < 0.0 {
                c[0] += 1.0;
                s1[0] += r - shift;
                s2[0] += (r - shift) * (r - shift);
            }
        }
        let sum = |v: [f64; L]| (v[0] + v[1]) + (v[2] + v[3]);
        NegStats {
            count: sum(c),
            shift,
            s1: sum(s1),
            s2: sum(s2),
        }
    }

    /// Σ r.
    fn sum(&self) -> f64 {
        self.s1 + self.count * self.shift
    }

    /// Mean and sample variance (ddof = 1); `count ≥ 2`.
    fn mean_var(&self) -> (f64, f64) {
        let d = self.s1 / self.count;
        (self.shift + d, (self.s2 - self.s1 * d) / (self.count - 1.0))
    }
}

/// The next weights f(y − z) into `new`, and their relative change from
/// `old`, pybaselines' `relative_difference`. Two vectorisable passes: one
/// computing the weights, one summing ‖new − old‖² and ‖old‖² — measured
/// faster than one fused pass (5.6 against 7.0 µs for the 2000 arPLS
/// weights), whose accumulations the compiler vectorised poorly.
#[inline(always)]
fn reweigh(old: &[f64], new: &mut [f64], y: &[f64], z: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    weights_into(new, y, z, f);
    relative_difference(old, new)
}

/// `new` = f(y − z), one vectorisable pass (in fixed-size chunks: the plain
/// zipped loop was left scalar by the compiler once inlined into arPLS).
#[inline(always)]
fn weights_into(new: &mut [f64], y: &[f64], z: &[f64], f: impl Fn(f64) -> f64) {
    let n = new.len().min(y.len()).min(z.len());
    let (new, y, z) = (&mut new[..n], &y[..n], &z[..n]);
    let mut cw = new.chunks_exact_mut(LANES);
    let (cy, cz) = (y.chunks_exact(LANES), z.chunks_exact(LANES));
    let (ry, rz) = (cy.remainder(), cz.remainder());
    for ((w, a), b) in (&mut cw).zip(cy).zip(cz) {
        for j in 0..LANES {
            w[j] = f(a[j] - b[j]);
        }
    }
    for ((w, &a), &b) in cw.into_remainder().iter_mut().zip(ry).zip(rz) {
        *w = f(a - b);
    }
}

/// The reweighting loop the Whittaker baselines share (pybaselines' loops): start
/// with unit weights, solve, let `update(iteration, z, weights, new_weights)`
/// (iteration 1-based) fill the next weights and return the convergence measure, stop when
/// it is below `tol` (converged) or `None` (stopped early, not converged); at
/// most `max_iter + 1` solves.
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
        let measure = update(it, &z, &w, &mut nw);
        std::mem::swap(&mut w, &mut nw);
        match measure {
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
            Some(_) => {}
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
///
/// The clipping passes run in AVX2 where the CPU has it (chosen at run time;
/// the results are the same bits as on SSE2).
pub fn snip(y: &[f64], max_half_window: usize, decreasing: bool, lls: bool) -> Result<Baseline> {
    wide(
        #[inline(always)]
        || snip_with(y, max_half_window, decreasing, lls),
    )
}

/// [`snip`] for whichever instruction set `wide` compiles it.
#[inline(always)]
fn snip_with(y: &[f64], max_half_window: usize, decreasing: bool, lls: bool) -> Result<Baseline> {
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

/// Most coefficients of a polynomial baseline (order ≤ 20).
const MAX_K: usize = 21;

/// Polynomial coefficients in the Legendre basis (the first k are used).
type Coef = [f64; MAX_K];

/// Points per block of the polynomial panels.
pub(crate) const PL: usize = 4;

/// One block's values of one column (or of the weights, or of sums).
pub(crate) type Pb = [f64; PL];

/// `f` applied lane by lane over a block.
#[inline(always)]
fn pl(f: impl Fn(usize) -> f64) -> Pb {
    [f(0), f(1), f(2), f(3)]
}

/// The lanes' sum in a fixed order, ((0 + 1) + (2 + 3)), the same on every
/// instruction set.
#[inline(always)]
fn hsum(s: Pb) -> f64 {
    (s[0] + s[1]) + (s[2] + s[3])
}

/// Four-lane f64 arithmetic for the polynomial kernels: [`Plain`] arrays
/// (which the compiler vectorises as it sees fit: SSE2 pairs in the default
/// build) or, on x86-64 CPUs with AVX2 and FMA (detected at run time), `pulp`'s
/// V3 token, with one 256-bit register per block.
///
/// Every operation is one IEEE operation per lane, with no fused
/// multiply-add, so both give the same bits. The explicit registers exist
/// because the vectoriser's choices for the arrays depended on unrelated code
/// in the same function: neutral changes moved IModPoly between 52 and 61 µs,
/// and once had the moment sums packed across columns with a shuffle per
/// point.
pub(crate) trait Quad: Copy {
    /// Four lanes.
    type V: Copy;
    /// v in every lane.
    fn splat(self, v: f64) -> Self::V;
    /// The lanes from an array.
    fn load(self, v: Pb) -> Self::V;
    /// The lanes as an array.
    fn lanes(self, v: Self::V) -> Pb;
    /// a + b.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// a − b.
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    /// a · b.
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    /// `if a < b { a } else { b }` lane by lane (b where either is NaN).
    fn min(self, a: Self::V, b: Self::V) -> Self::V;
}

/// [`Quad`] on plain arrays.
#[derive(Clone, Copy)]
pub(crate) struct Plain;

impl Quad for Plain {
    type V = Pb;
    #[inline(always)]
    fn splat(self, v: f64) -> Pb {
        [v; PL]
    }
    #[inline(always)]
    fn load(self, v: Pb) -> Pb {
        v
    }
    #[inline(always)]
    fn lanes(self, v: Pb) -> Pb {
        v
    }
    #[inline(always)]
    fn add(self, a: Pb, b: Pb) -> Pb {
        pl(|j| a[j] + b[j])
    }
    #[inline(always)]
    fn sub(self, a: Pb, b: Pb) -> Pb {
        pl(|j| a[j] - b[j])
    }
    #[inline(always)]
    fn mul(self, a: Pb, b: Pb) -> Pb {
        pl(|j| a[j] * b[j])
    }
    #[inline(always)]
    fn min(self, a: Pb, b: Pb) -> Pb {
        pl(|j| if a[j] < b[j] { a[j] } else { b[j] })
    }
}

/// [`Quad`] in AVX registers (`vminpd` is `a < b ? a : b`, as
/// [`Plain::min`]).
#[cfg(target_arch = "x86_64")]
impl Quad for pulp::x86::V3 {
    type V = pulp::f64x4;
    #[inline(always)]
    fn splat(self, v: f64) -> pulp::f64x4 {
        self.splat_f64x4(v)
    }
    #[inline(always)]
    fn load(self, v: Pb) -> pulp::f64x4 {
        pulp::cast(v)
    }
    #[inline(always)]
    fn lanes(self, v: pulp::f64x4) -> Pb {
        pulp::cast(v)
    }
    #[inline(always)]
    fn add(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.add_f64x4(a, b)
    }
    #[inline(always)]
    fn sub(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.sub_f64x4(a, b)
    }
    #[inline(always)]
    fn mul(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.mul_f64x4(a, b)
    }
    #[inline(always)]
    fn min(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        self.min_f64x4(a, b)
    }
}

/// `$body` with `$q` the widest [`Quad`] this CPU runs: the V3 token, inside
/// [`wide`] (compiled for AVX2 + FMA), where the CPU has them, [`Plain`]
/// otherwise. `$body` is compiled for both. (Entering through `wide`, that
/// is pulp's `Arch::dispatch`, matters: called through `V3::vectorize`
/// directly, the body's closure stayed out of line, compiled without the
/// AVX features, and every intrinsic in it became a call.)
macro_rules! with_quad {
    (|$q:ident| $body:expr) => {{
        #[cfg(target_arch = "x86_64")]
        let out = match pulp::x86::V3::try_new() {
            Some($q) => $crate::baseline::wide(
                #[inline(always)]
                || $body,
            ),
            None => {
                let $q = $crate::baseline::Plain;
                $body
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        let out = {
            let $q = $crate::baseline::Plain;
            $body
        };
        out
    }};
}
pub(crate) use with_quad;

/// `$self.$method::<K, ...>($args)` with K = `$self.k` for k ≤ 6, and the
/// `MAX_K` fallback (run-time column count) above.
macro_rules! by_columns {
    ($self:ident . $method:ident $(::<$($g:tt),*>)? ( $($arg:expr),* )) => {
        match $self.k {
            1 => $self.$method::<1 $($(, $g)*)?>($($arg),*),
            2 => $self.$method::<2 $($(, $g)*)?>($($arg),*),
            3 => $self.$method::<3 $($(, $g)*)?>($($arg),*),
            4 => $self.$method::<4 $($(, $g)*)?>($($arg),*),
            5 => $self.$method::<5 $($(, $g)*)?>($($arg),*),
            6 => $self.$method::<6 $($(, $g)*)?>($($arg),*),
            _ => $self.$method::<MAX_K $($(, $g)*)?>($($arg),*),
        }
    };
}

/// Blocks of `PL` values stored from a 32-byte boundary, so that no block
/// straddles two cache lines. (A `Vec<[f64; 4]>` starts wherever the
/// allocator puts it, 16 bytes past a line for the panels here, which split
/// every other 32-byte load of a pass in two: ModPoly's pass took 0.98 µs
/// on 2000 points that way.)
struct Blocks {
    buf: Vec<f64>,
    /// The first aligned index of `buf`.
    off: usize,
    /// Number of blocks.
    len: usize,
}

impl Blocks {
    /// `len` blocks of zeros.
    fn zeros(len: usize) -> Blocks {
        let buf = vec![0.0; len * PL + PL - 1];
        // the address in f64 units, rounded up to a multiple of PL
        let off = (PL - (buf.as_ptr() as usize / 8) % PL) % PL;
        Blocks { buf, off, len }
    }

    /// The blocks.
    #[inline(always)]
    fn get(&self) -> &[Pb] {
        self.buf[self.off..self.off + self.len * PL]
            .as_chunks::<PL>()
            .0
    }

    /// A copy of `v` (zero-padded to whole blocks).
    fn copy_of(v: &[f64]) -> Blocks {
        let mut b = Blocks::zeros(v.len().div_ceil(PL));
        b.buf[b.off..b.off + v.len()].copy_from_slice(v);
        b
    }

    /// The first n values.
    #[inline(always)]
    fn values(&self, n: usize) -> &[f64] {
        &self.buf[self.off..self.off + n]
    }

    /// The first n values, to write.
    #[inline(always)]
    fn values_mut(&mut self, n: usize) -> &mut [f64] {
        &mut self.buf[self.off..self.off + n]
    }

    /// The blocks, to write.
    #[inline(always)]
    fn get_mut(&mut self) -> &mut [Pb] {
        self.buf[self.off..self.off + self.len * PL]
            .as_chunks_mut::<PL>()
            .0
    }
}

/// Weighted least-squares polynomial fits on x mapped to [−1, 1] (as
/// pybaselines does) in the Legendre basis B: the coefficients are
/// G⁻¹·Bᵀ(w∘y) with the k × k Gram matrix G = BᵀWB inverted once and reused
/// for every right-hand side (the Legendre basis keeps G near diagonal on
/// [−1, 1]).
///
/// B is stored in panels: for each block of `PL` = 4 points, the columns
/// P₁…P_{k−1}' four values one after the other (`panels[block·(k − 1) + a − 1]`
/// = rows 4·block..4·block + 4 of column a; a last partial block is padded
/// with zeros). P₀ = 1 is not stored: the evaluation starts from shift + c₀
/// and the first moment adds the values themselves, which is the same
/// arithmetic to the bit, with a quarter less memory to stream at order 3.
/// A pass reads one contiguous block at a time, each column's four values
/// are one [`Quad`] register, and with the column count a compile-time
/// constant (orders ≤ 5) the baseline, the data and the k moment sums stay
/// in registers. The passes index the blocks (`as_chunks` and
/// `i·(k − 1)..(i + 1)·(k − 1)`) rather than zip chunk iterators: with the
/// iterators the block length reached the loop only when LLVM inlined their
/// constructors, which it did or not depending on the rest of the function.
struct PolyFit<Q: Quad> {
    /// The arithmetic.
    q: Q,
    /// B in panels (see the type's docs).
    panels: Blocks,
    /// The weights in blocks of `PL` (padded with zeros), or `None` for unit
    /// weights.
    weights: Option<Blocks>,
    /// G, row-major k × k.
    gram: Vec<f64>,
    /// G⁻¹, row-major k × k.
    ginv: Vec<f64>,
    /// Σᵢ Bᵢₐ over all points, unweighted (the first row of the unit-weight
    /// G, as B₀ = 1).
    colsum: Coef,
    k: usize,
    n: usize,
}

impl<Q: Quad> PolyFit<Q> {
    /// The basis on x with unit weights. x must be strictly monotonic (as
    /// `check_xy` ensures), so its range is that of its end points.
    #[inline(always)]
    fn new(q: Q, x: &[f64], order: usize) -> Result<PolyFit<Q>> {
        let n = x.len();
        let (a, b) = (x[0], x[n - 1]);
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let span = if hi > lo { hi - lo } else { 1.0 };
        let mut fit = PolyFit {
            q,
            panels: Blocks::zeros(0),
            weights: None,
            gram: Vec::new(),
            ginv: Vec::new(),
            colsum: [0.0; MAX_K],
            k: order + 1,
            n,
        };
        fit.panels = by_columns!(fit.basis_k(x, lo, 2.0 / span));
        fit.factor(order)?;
        let k = fit.k;
        fit.colsum[..k].copy_from_slice(&fit.gram[..k]);
        Ok(fit)
    }

    /// The panels of B (see the type's docs; P₁…P_{k−1} stored) with K
    /// columns (see [`clip_k`](Self::clip_k)): the Legendre recurrence P₀ = 1, P₁ = t,
    /// P_j = ((2j − 1)/j·t·P_{j−1} − (j − 1)/j·P_{j−2}) on t = (x − lo)·scale − 1,
    /// all four lanes of a block at once; a last partial block's padding
    /// lanes are zero.
    #[inline(always)]
    fn basis_k<const K: usize>(&self, x: &[f64], lo: f64, scale: f64) -> Blocks {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let mut rec = [(q.splat(0.0), q.splat(0.0)); K];
        for (j, r) in rec.iter_mut().enumerate().take(k).skip(1) {
            let j = j as f64;
            *r = (q.splat((2.0 * j - 1.0) / j), q.splat((j - 1.0) / j));
        }
        // (no closures in the kernels: one that LLVM did not inline ran
        // without the AVX target features, calling each intrinsic)
        let map = [q.splat(lo), q.splat(scale), q.splat(1.0)];
        // P₀ = 1 is not stored: k − 1 columns per block
        let kp = k - 1;
        let mut blocks = Blocks::zeros(self.n.div_ceil(PL) * kp);
        let panels = blocks.get_mut();
        let (quads, rest) = x[..self.n].as_chunks::<PL>();
        for (i, xc) in quads.iter().enumerate() {
            self.legendre::<K>(
                Self::t(q, *xc, map),
                &rec,
                &mut panels[i * kp..(i + 1) * kp],
            );
        }
        if !rest.is_empty() {
            // padding lanes at t(lo) = −1, zeroed after
            let xc = pl(|j| rest.get(j).copied().unwrap_or(x[0].min(x[self.n - 1])));
            let blk = &mut panels[quads.len() * kp..];
            self.legendre::<K>(Self::t(q, xc, map), &rec, blk);
            for col in blk.iter_mut() {
                col[rest.len()..].fill(0.0);
            }
        }
        blocks
    }

    /// t = (x − lo)·scale − 1 with `[lo, scale, 1]` in every lane.
    #[inline(always)]
    fn t(q: Q, x: Pb, [lo, scale, one]: [Q::V; 3]) -> Q::V {
        q.sub(q.mul(q.sub(q.load(x), lo), scale), one)
    }

    /// P₁…P_{k−1} at the four lanes of t into one block of k − 1 columns
    /// (P₀ = 1 is not stored; see [`basis_k`](Self::basis_k); `rec[j]` =
    /// ((2j − 1)/j, (j − 1)/j) in every lane).
    #[inline(always)]
    fn legendre<const K: usize>(&self, t: Q::V, rec: &[(Q::V, Q::V); K], blk: &mut [Pb]) {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let blk = &mut blk[..k - 1];
        let (mut p2, mut p1) = (q.splat(0.0), q.splat(1.0));
        for a in 1..k {
            let (al, be) = rec[a];
            let p = q.sub(q.mul(q.mul(al, t), p1), q.mul(be, p2));
            blk[a - 1] = q.lanes(p);
            (p2, p1) = (p1, p);
        }
    }

    /// The same basis with the weights `w` (length n) instead.
    #[inline(always)]
    fn reweighted(mut self, w: &[f64], order: usize) -> Result<PolyFit<Q>> {
        self.weights = Some(Blocks::copy_of(w));
        self.factor(order)?;
        Ok(self)
    }

    /// G = BᵀWB (the upper triangle, mirrored) and its inverse.
    #[inline(always)]
    fn factor(&mut self, order: usize) -> Result<()> {
        let k = self.k;
        let g = by_columns!(self.gram_k());
        let mut gm = nalgebra::DMatrix::zeros(k, k);
        for a in 0..k {
            for b in a..k {
                let v = hsum(g[a * k + b]);
                gm[(a, b)] = v;
                gm[(b, a)] = v;
            }
        }
        self.gram = (0..k * k).map(|ab| gm[(ab / k, ab % k)]).collect();
        let ginv = gm.try_inverse().ok_or_else(|| Error::Parameters {
            shape: "baseline",
            message: format!(
                "polynomial of order {order} is not determined by the weighted points"
            ),
        })?;
        self.ginv = (0..k * k).map(|ab| ginv[(ab / k, ab % k)]).collect();
        Ok(())
    }

    /// The lanes of G's entries (row-major k × k, upper triangle) with K
    /// columns (see [`clip_k`](Self::clip_k)), summed in a local array
    /// (registers for K ≤ 6; in a heap Vec every entry was loaded and stored
    /// at every block).
    #[inline(always)]
    fn gram_k<const K: usize>(&self) -> Vec<Pb> {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let panels = self.panels.get();
        let mut g = [[q.splat(0.0); K]; K];
        let ws = self.weights.as_ref().map(Blocks::get);
        let full = self.n / PL;
        for i in 0..full {
            self.gram_block::<K>(&mut g, panels, ws, i, q.splat(1.0));
        }
        if !self.n.is_multiple_of(PL) {
            // P₀ is 0 on the padding lanes
            let p0 = q.load(pl(|j| if j < self.n % PL { 1.0 } else { 0.0 }));
            self.gram_block::<K>(&mut g, panels, ws, full, p0);
        }
        let mut out = vec![[0.0f64; PL]; k * k];
        for a in 0..k {
            for b in a..k {
                out[a * k + b] = q.lanes(g[a][b]);
            }
        }
        out
    }

    /// G's lanes plus block i's terms (w·B_a)·B_b, with the weights' lanes
    /// from `ws` (unit weights for `None`) and P₀'s lanes `p0`.
    #[inline(always)]
    fn gram_block<const K: usize>(
        &self,
        g: &mut [[Q::V; K]; K],
        panels: &[Pb],
        ws: Option<&[Pb]>,
        i: usize,
        p0: Q::V,
    ) {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let blk = &panels[i * (k - 1)..(i + 1) * (k - 1)];
        // (no closure: see basis_k)
        let w = if let Some(ws) = ws {
            q.load(ws[i])
        } else {
            q.splat(1.0)
        };
        for a in 0..k {
            let wa = q.mul(w, if a == 0 { p0 } else { q.load(blk[a - 1]) });
            for b in a..k {
                let pb = if b == 0 { p0 } else { q.load(blk[b - 1]) };
                g[a][b] = q.add(g[a][b], q.mul(wa, pb));
            }
        }
    }

    /// Coefficients from the moments m = Bᵀ(w∘y): G⁻¹·m.
    #[inline(always)]
    fn solve(&self, m: &Coef) -> Coef {
        let k = self.k;
        let mut c = [0.0; MAX_K];
        for (a, v) in c.iter_mut().enumerate().take(k) {
            *v = dot(&self.ginv[a * k..(a + 1) * k], &m[..k]);
        }
        c
    }

    /// cᵀGc: ‖B·c‖² for unit weights (Σ wᵢ (B·c)ᵢ² otherwise).
    #[inline(always)]
    fn norm2(&self, c: &Coef) -> f64 {
        let k = self.k;
        let v: f64 = (0..k)
            .map(|a| c[a] * dot(&self.gram[a * k..(a + 1) * k], &c[..k]))
            .sum();
        v.max(0.0)
    }

    /// The column count a K-specialised pass loops over: K itself (a
    /// constant, so the loops unroll), or k at run time for the `MAX_K`
    /// fallback.
    #[inline(always)]
    fn count<const K: usize>(k: usize) -> usize {
        if K == MAX_K { k } else { K }
    }

    /// The first K coefficients, each in every lane.
    #[inline(always)]
    fn splat_coef<const K: usize>(&self, c: &Coef) -> [Q::V; K] {
        let mut v = [self.q.splat(0.0); K];
        for (v, &c) in v.iter_mut().zip(c) {
            *v = self.q.splat(c);
        }
        v
    }

    /// B·c + shift on block i, with c from [`splat_coef`](Self::splat_coef)
    /// and `base` = shift + c₀ in every lane: (base + c₁B₁) + c₂B₂ + …
    /// (B₀ = 1 exactly, so this is ((shift + c₀B₀) + c₁B₁) + … to the bit,
    /// without the multiplication by B₀; the passes skip it in the first
    /// moment likewise.)
    #[inline(always)]
    fn eval<const K: usize>(&self, panels: &[Pb], i: usize, c: &[Q::V; K], base: Q::V) -> Q::V {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let blk = &panels[i * (k - 1)..(i + 1) * (k - 1)];
        let mut b = base;
        for a in 1..k {
            b = q.add(b, q.mul(c[a], q.load(blk[a - 1])));
        }
        b
    }

    /// The moments' update with block i's values `wv`: acc₀ + wv (B₀ = 1),
    /// acc_a + B_a·wv.
    #[inline(always)]
    fn accumulate<const K: usize>(&self, acc: &mut [Q::V; K], panels: &[Pb], i: usize, wv: Q::V) {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let blk = &panels[i * (k - 1)..(i + 1) * (k - 1)];
        acc[0] = q.add(acc[0], wv);
        for a in 1..k {
            acc[a] = q.add(acc[a], q.mul(q.load(blk[a - 1]), wv));
        }
    }

    /// The moments Bᵀ(w∘y) and Σy.
    #[inline(always)]
    fn moments(&self, y: &[f64]) -> (Coef, f64) {
        match &self.weights {
            None => by_columns!(self.moments_k::<false>(y, &[])),
            Some(w) => by_columns!(self.moments_k::<true>(y, w.get())),
        }
    }

    /// [`moments`](Self::moments) with the column count a constant K (= k,
    /// or `MAX_K` as the fallback for higher orders), W for weights.
    #[inline(always)]
    fn moments_k<const K: usize, const W: bool>(&self, y: &[f64], w: &[Pb]) -> (Coef, f64) {
        let panels = self.panels.get();
        let q = self.q;
        let (quads, rest) = y[..self.n].as_chunks::<PL>();
        let mut acc = [q.splat(0.0); K];
        let mut tot = q.splat(0.0);
        for (i, yc) in quads.iter().enumerate() {
            let v = q.load(*yc);
            let wv = if W {
                tot = q.add(tot, v);
                q.mul(q.load(w[i]), v)
            } else {
                v
            };
            self.accumulate::<K>(&mut acc, panels, i, wv);
        }
        let mut tail = rest.to_owned();
        self.finish::<K, W>(acc, tot, quads.len(), &mut tail, None, w)
    }

    /// The sums' lanes with the last partial block (`rest`, at block i)
    /// added: clipped in place to `b` when given, then as in the passes;
    /// the moments and Σ.
    #[inline(always)]
    fn finish<const K: usize, const W: bool>(
        &self,
        acc: [Q::V; K],
        tot: Q::V,
        i: usize,
        rest: &mut [f64],
        b: Option<Pb>,
        w: &[Pb],
    ) -> (Coef, f64) {
        let (q, k) = (self.q, Self::count::<K>(self.k));
        let mut sums = [[0.0; PL]; K];
        for a in 0..k {
            sums[a] = q.lanes(acc[a]);
        }
        let mut tot = q.lanes(tot);
        if !rest.is_empty() {
            let blk = &self.panels.get()[i * (k - 1)..(i + 1) * (k - 1)];
            for (j, v) in rest.iter_mut().enumerate() {
                if let Some(b) = b {
                    *v = if b[j] < *v { b[j] } else { *v };
                }
                tot[j] += *v;
                let wv = if W { w[i][j] * *v } else { *v };
                sums[0][j] += wv;
                for a in 1..k {
                    sums[a][j] += blk[a - 1][j] * wv;
                }
            }
        }
        let mut m = [0.0; MAX_K];
        for a in 0..k {
            m[a] = hsum(sums[a]);
        }
        (m, if W { hsum(tot) } else { m[0] })
    }

    /// y = min(y, B·c + shift) in place, then the moments Bᵀ(w∘y) and Σ y,
    /// in one pass: ModPoly's and IModPoly's iteration. (In place, the clip
    /// is a full-width `vminpd` and store; with plain arrays LLVM once stored
    /// only the clipped lanes, with a masked store that is slow on AMD's
    /// cores, which is why the clip went to a second buffer before.)
    #[inline(always)]
    fn clip_pass(&self, c: &Coef, shift: f64, y: &mut [f64]) -> (Coef, f64) {
        match &self.weights {
            None => by_columns!(self.clip_k::<false>(c, shift, y, &[])),
            Some(w) => by_columns!(self.clip_k::<true>(c, shift, y, w.get())),
        }
    }

    /// [`clip_pass`](Self::clip_pass) with the column count a constant K (=
    /// k, or `MAX_K` as the fallback for higher orders), W for weights.
    #[inline(always)]
    fn clip_k<const K: usize, const W: bool>(
        &self,
        c: &Coef,
        shift: f64,
        y: &mut [f64],
        w: &[Pb],
    ) -> (Coef, f64) {
        let panels = self.panels.get();
        let q = self.q;
        let (quads, rest) = y[..self.n].as_chunks_mut::<PL>();
        let (cv, sv) = (self.splat_coef::<K>(c), q.splat(shift + c[0]));
        let mut acc = [q.splat(0.0); K];
        // Σ y: with unit weights the first moment (B₀ = 1), else its own sum
        let mut tot = q.splat(0.0);
        for (i, yc) in quads.iter_mut().enumerate() {
            let v = q.min(self.eval::<K>(panels, i, &cv, sv), q.load(*yc));
            *yc = q.lanes(v);
            let wv = if W {
                tot = q.add(tot, v);
                q.mul(q.load(w[i]), v)
            } else {
                v
            };
            self.accumulate::<K>(&mut acc, panels, i, wv);
        }
        let i = quads.len();
        // (no closure: see basis_k)
        let b = if rest.is_empty() {
            None
        } else {
            Some(q.lanes(self.eval::<K>(panels, i, &cv, sv)))
        };
        self.finish::<K, W>(acc, tot, i, rest, b, w)
    }

    /// Mean and population standard deviation of the residual y − B·c over
    /// all points: the mean from Σy (`sy`) and the column sums, then Σ(r − mean)² in
    /// one pass (the two-pass formula, as `np.std`).
    #[inline(always)]
    fn residual_stats(&self, c: &Coef, y: &[f64], sy: f64) -> (f64, f64) {
        let n = self.n;
        let sb: f64 = (0..self.k).map(|a| c[a] * self.colsum[a]).sum();
        let mean = (sy - sb) / n as f64;
        let s2 = by_columns!(self.var_k(c, y, mean));
        (mean, (s2 / n as f64).sqrt())
    }

    /// Σ (y − B·c − mean)² with K columns (see [`clip_k`](Self::clip_k)).
    #[inline(always)]
    fn var_k<const K: usize>(&self, c: &Coef, y: &[f64], mean: f64) -> f64 {
        let panels = self.panels.get();
        let q = self.q;
        let (quads, rest) = y[..self.n].as_chunks::<PL>();
        let (cv, mv) = (self.splat_coef::<K>(c), q.splat(mean + c[0]));
        let mut s = q.splat(0.0);
        for (i, yc) in quads.iter().enumerate() {
            let r = q.sub(q.load(*yc), self.eval::<K>(panels, i, &cv, mv));
            s = q.add(s, q.mul(r, r));
        }
        let mut s = q.lanes(s);
        if !rest.is_empty() {
            let b = q.lanes(self.eval::<K>(panels, quads.len(), &cv, mv));
            for (j, &v) in rest.iter().enumerate() {
                s[j] += (v - b[j]) * (v - b[j]);
            }
        }
        hsum(s)
    }

    /// The polynomial B·c.
    #[inline(always)]
    fn expand(&self, c: &Coef) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        by_columns!(self.expand_k(c, &mut out));
        out
    }

    /// [`expand`](Self::expand) with K columns (see [`clip_k`](Self::clip_k)).
    #[inline(always)]
    fn expand_k<const K: usize>(&self, c: &Coef, out: &mut [f64]) {
        let panels = self.panels.get();
        let q = self.q;
        let (quads, rest) = out[..self.n].as_chunks_mut::<PL>();
        let (cv, zero) = (self.splat_coef::<K>(c), q.splat(0.0 + c[0]));
        for (i, o) in quads.iter_mut().enumerate() {
            *o = q.lanes(self.eval::<K>(panels, i, &cv, zero));
        }
        if !rest.is_empty() {
            let b = q.lanes(self.eval::<K>(panels, quads.len(), &cv, zero));
            rest.copy_from_slice(&b[..rest.len()]);
        }
    }
}

fn poly_check(x: &[f64], y: &[f64], order: usize) -> Result<()> {
    check_xy(x, y, order + 2)?;
    if order > MAX_K - 1 {
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
    with_quad!(|q| polynomial_with(q, x, y, order))
}

/// [`polynomial`] in the arithmetic `q`.
#[inline(always)]
fn polynomial_with<Q: Quad>(q: Q, x: &[f64], y: &[f64], order: usize) -> Result<Baseline> {
    poly_check(x, y, order)?;
    let f = PolyFit::new(q, x, order)?;
    Ok(Baseline {
        baseline: f.expand(&f.solve(&f.moments(y).0)),
        iterations: 1,
        converged: true,
    })
}

/// ModPoly (C. A. Lieber & A. Mahadevan-Jansen, Appl. Spectrosc. 57 (2003) 1363):
/// fit, clip the data to the fit, refit, until the baseline's relative change
/// ‖bₖ − bₖ₋₁‖₂/‖bₖ₋₁‖₂ is below `tol` (pybaselines `modpoly`, defaults order
/// 2, tol 1e-3, max_iter 250).
///
/// Each iteration is one pass over the data: the current baseline is
/// evaluated point by point, the data clipped to it, and the moments of the
/// clipped data summed; the relative change is taken in coefficient space,
/// ‖B·Δc‖² = ΔcᵀGΔc, so the baseline itself is expanded only at the end.
pub fn modpoly(x: &[f64], y: &[f64], order: usize, tol: f64, max_iter: usize) -> Result<Baseline> {
    with_quad!(|q| modpoly_with(q, (x, y, order), tol, max_iter))
}

/// [`modpoly`] in the arithmetic `q` (the data and the order as one tuple).
#[inline(always)]
fn modpoly_with<Q: Quad>(
    q: Q,
    (x, y, order): (&[f64], &[f64], usize),
    tol: f64,
    max_iter: usize,
) -> Result<Baseline> {
    poly_check(x, y, order)?;
    param("tol", tol, tol >= 0.0, "must be finite and ≥ 0")?;
    let f = PolyFit::new(q, x, order)?;
    let mut c = f.solve(&f.moments(y).0);
    let (n, mut yy) = (y.len(), Blocks::copy_of(y));
    for it in 0..max_iter {
        let nc = f.solve(&f.clip_pass(&c, 0.0, yy.values_mut(n)).0);
        let mut dc = [0.0; MAX_K];
        for (d, (a, b)) in dc.iter_mut().zip(nc.iter().zip(&c)) {
            *d = a - b;
        }
        let d = f.norm2(&dc).sqrt() / f.norm2(&c).sqrt().max(f64::MIN_POSITIVE);
        c = nc;
        if d < tol {
            return Ok(Baseline {
                baseline: f.expand(&c),
                iterations: it + 1,
                converged: true,
            });
        }
    }
    Ok(Baseline {
        baseline: f.expand(&c),
        iterations: max_iter,
        converged: false,
    })
}

/// IModPoly (J. Zhao et al., Appl. Spectrosc. 61 (2007) 1225): like ModPoly but
/// clipping at baseline + num_std·σ of the residual, with the initial peaks
/// (points above the first fit + σ) masked out, stopped when σ's relative
/// change |σₖ₋₁ − σₖ|/σₖ is below `tol` (pybaselines `imodpoly`, defaults
/// order 2, tol 1e-3, 250, 1).
///
/// Each iteration is two passes over the data: clip and sum the moments
/// (as in [`modpoly`]), then the residual's mean and σ from the new
/// coefficients; the baseline is expanded only at the end.
pub fn imodpoly(
    x: &[f64],
    y: &[f64],
    order: usize,
    tol: f64,
    max_iter: usize,
    num_std: f64,
) -> Result<Baseline> {
    with_quad!(|q| imodpoly_with(q, (x, y, order), tol, max_iter, num_std))
}

/// [`imodpoly`] in the arithmetic `q` (the data and the order as one
/// tuple).
#[inline(always)]
fn imodpoly_with<Q: Quad>(
    q: Q,
    (x, y, order): (&[f64], &[f64], usize),
    tol: f64,
    max_iter: usize,
    num_std: f64,
) -> Result<Baseline> {
    poly_check(x, y, order)?;
    param("tol", tol, tol >= 0.0, "must be finite and ≥ 0")?;
    param("num_std", num_std, num_std >= 0.0, "must be finite and ≥ 0")?;
    let f = PolyFit::new(q, x, order)?;
    let (m, sy) = f.moments(y);
    let mut c = f.solve(&m);
    let base = f.expand(&c);
    let (_, mut dev) = f.residual_stats(&c, y, sy);
    let w: Vec<f64> = y
        .iter()
        .zip(&base)
        .map(|(&v, &b)| if b + dev < v { 0.0 } else { 1.0 })
        .collect();
    if w.iter().filter(|&&v| v > 0.0).count() < order + 1 {
        return Err(Error::Parameters {
            shape: "baseline",
            message: "IModPoly masked too many points".into(),
        });
    }
    let f = f.reweighted(&w, order)?;
    let (n, mut yy) = (y.len(), Blocks::copy_of(y));
    for it in 0..max_iter {
        let (m, sy) = f.clip_pass(&c, num_std * dev, yy.values_mut(n));
        c = f.solve(&m);
        let (_, nd) = f.residual_stats(&c, yy.values(n), sy);
        // pybaselines: relative_difference(new_deviation, deviation)
        let d = (dev - nd).abs() / nd.abs().max(f64::MIN_POSITIVE);
        if d < tol {
            return Ok(Baseline {
                baseline: f.expand(&c),
                iterations: it + 1,
                converged: true,
            });
        }
        dev = nd;
    }
    Ok(Baseline {
        baseline: f.expand(&c),
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

/// cum[i] = ∫ from x₀ to xᵢ of (y − b) by the trapezoid rule. (A version
/// summing four blocks side by side to shorten the chain of additions was
/// measured slower: 4.4 against 3.3 µs per Shirley iteration on 2000
/// points.)
fn trapezoid_cumsum(x: &[f64], y: &[f64], b: &[f64], cum: &mut [f64]) {
    let n = cum.len().min(x.len()).min(y.len()).min(b.len());
    cum[0] = 0.0;
    for i in 1..n {
        cum[i] = cum[i - 1] + 0.5 * ((y[i] - b[i]) + (y[i - 1] - b[i - 1])) * (x[i] - x[i - 1]);
    }
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
        trapezoid_cumsum(x, y, &b, &mut cum);
        let total = cum[n - 1];
        // the update and its largest change, four lanes wide (no serial max)
        let mut change = [0.0f64; 4];
        if total.abs() > 0.0 {
            let k = (i1 - i0) / total;
            for (bs, cs) in b.chunks_mut(4).zip(cum.chunks(4)) {
                for ((bi, &ci), ch) in bs.iter_mut().zip(cs).zip(change.iter_mut()) {
                    let nb = i0 + k * ci;
                    let d = (nb - *bi).abs();
                    *ch = if d > *ch { d } else { *ch };
                    *bi = nb;
                }
            }
        } else {
            for (i, bi) in b.iter_mut().enumerate() {
                let nb = i0 + (i1 - i0) * i as f64 / (n - 1) as f64;
                change[0] = change[0].max((nb - *bi).abs());
                *bi = nb;
            }
        }
        let change = change.iter().fold(0.0f64, |a, &v| a.max(v));
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
                let b = sys.bands;
                let mut v = (w[i] + b.main(i)) * z[i];
                if i + 1 < n {
                    v += b.off1(i) * z[i + 1];
                }
                if i + 2 < n {
                    v += b.off2(i) * z[i + 2];
                }
                if i >= 1 {
                    v += b.off1(i - 1) * z[i - 1];
                }
                if i >= 2 {
                    v += b.off2(i - 2) * z[i - 2];
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
        for &n in &[16usize, 17, 18, 31, 64, 65, 257, 2000, 2001] {
            for &lam in &[1e-2, 1.0, 1e3, 1e6] {
                let w: Vec<f64> = (0..n).map(|_| if u() < 0.3 { 1e-3 } else { u() }).collect();
                let y: Vec<f64> = (0..n)
                    .map(|i| (i as f64 * 0.05).sin() * 100.0 + u())
                    .collect();
                // storage for every row: the one-way solve runs on it too
                let mut sys = Whittaker::with_rows(n, lam, n);
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
    fn bands_are_those_of_the_second_difference_penalty() {
        for n in 3..10 {
            let lam = 2.5;
            // D: (n − 2) × n with rows (1, −2, 1)
            let d = |k: usize, i: usize| match i.wrapping_sub(k) {
                0 | 2 => 1.0,
                1 => -2.0,
                _ => 0.0,
            };
            let a = |i: usize, j: usize| lam * (0..n - 2).map(|k| d(k, i) * d(k, j)).sum::<f64>();
            let b = Bands { n, lam };
            for i in 0..n {
                assert_eq!(b.main(i).to_bits(), a(i, i).to_bits(), "n={n} main {i}");
                let o1 = if i + 1 < n { a(i, i + 1) } else { 0.0 };
                let o2 = if i + 2 < n { a(i, i + 2) } else { 0.0 };
                assert_eq!(b.off1(i).to_bits(), o1.to_bits(), "n={n} off1 {i}");
                assert_eq!(b.off2(i).to_bits(), o2.to_bits(), "n={n} off2 {i}");
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
        assert!(worst < 2.3e-16 * 2.0, "worst relative error {worst}");
        for x in [0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, std::f64::consts::LN_2] {
            assert!((exp_fast(x) / x.exp() - 1.0).abs() < 4e-16, "{x}");
        }
        assert!(exp_fast(-1e6) < 1e-300);
        assert!(exp_fast(1e6).is_finite() && exp_fast(1e6) > 1e307);
        assert!(exp_fast(f64::NAN).is_nan());
    }

    #[test]
    fn xy_checks_name_the_first_bad_value_on_the_one_pass_path() {
        // check_xy's happy path checks x's finiteness through its
        // monotonicity; every non-finite x must still be reported as such,
        // at its index, and everything else as before
        let y = vec![1.0; 9];
        for increasing in [true, false] {
            let x: Vec<f64> = (0..9)
                .map(|i| if increasing { i as f64 } else { -(i as f64) })
                .collect();
            assert!(check_xy(&x, &y, 3).is_ok());
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                for at in 0..9 {
                    let mut xb = x.clone();
                    xb[at] = bad;
                    match check_xy(&xb, &y, 3) {
                        Err(Error::NonFinite { what, index, .. }) => {
                            assert_eq!((what, index), ("x", at), "{bad} at {at}");
                        }
                        other => panic!("{bad} at {at} (increasing {increasing}): {other:?}"),
                    }
                }
            }
            // not monotonic: the first offending index
            let mut xb = x.clone();
            xb.swap(4, 5);
            let e = check_xy(&xb, &y, 3).unwrap_err().to_string();
            assert!(e.contains("not strictly monotonic at index 5"), "{e}");
            // y's own errors, lengths
            let mut yb = y.clone();
            yb[7] = f64::NAN;
            assert!(matches!(
                check_xy(&x, &yb, 3),
                Err(Error::NonFinite {
                    what: "y",
                    index: 7,
                    ..
                })
            ));
            assert!(check_xy(&x, &y[..8], 3).is_err());
            assert!(check_xy(&x[..2], &y[..2], 3).is_err());
        }
    }

    #[test]
    fn exp_table_holds_the_powers_of_two() {
        for (j, &bits) in EXP2_256THS.iter().enumerate() {
            let (got, want) = (f64::from_bits(bits), (j as f64 / 256.0).exp2());
            assert!((got / want - 1.0).abs() <= f64::EPSILON, "2^({j}/256)");
        }
    }

    #[test]
    fn two_way_solve_reports_singular_systems() {
        // all weights zero: λDᵀD alone is singular (lines are in its null space)
        for n in [10, 40, 2001] {
            let mut sys = Whittaker::new(n, 1.0);
            let mut z = vec![0.0; n];
            assert!(
                sys.solve(&vec![0.0; n], &vec![1.0; n], &mut z).is_err(),
                "n = {n}"
            );
        }
    }

    /// A seeded uniform generator on [0, 1) for the polynomial tests.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Weighted least squares in the monomial basis of t ∈ [−1, 1] by SVD:
    /// the fitted values, as the independent check of `PolyFit`.
    fn direct_fit(x: &[f64], y: &[f64], w: &[f64], order: usize) -> Vec<f64> {
        let (lo, hi) = (x[0], x[x.len() - 1]);
        let n = x.len();
        let t: Vec<f64> = x
            .iter()
            .map(|&v| 2.0 * (v - lo) / (hi - lo) - 1.0)
            .collect();
        let a = nalgebra::DMatrix::from_fn(n, order + 1, |i, j| w[i].sqrt() * t[i].powi(j as i32));
        let b = nalgebra::DVector::from_fn(n, |i, _| w[i].sqrt() * y[i]);
        let c = a.svd(true, true).solve(&b, 1e-14).unwrap();
        (0..n)
            .map(|i| (0..=order).map(|j| c[j] * t[i].powi(j as i32)).sum())
            .collect()
    }

    #[test]
    fn polynomial_panels_fit_like_direct_least_squares() {
        // odd and even n (a half block at the end), orders on both sides of
        // the K-specialised range (k ≤ 6) and the fallback, 0/1 and general
        // weights
        let mut u = uniform(99);
        for &n in &[9usize, 10, 23, 64, 301] {
            for &order in &[0usize, 1, 3, 5, 6, 8] {
                if order + 2 > n {
                    continue;
                }
                let mut x = vec![0.0];
                for i in 1..n {
                    x.push(x[i - 1] + 0.2 + u());
                }
                let y: Vec<f64> = x
                    .iter()
                    .map(|&v| 50.0 + (0.3 * v).sin() * 10.0 + u())
                    .collect();
                // fitted values of y (about 50 ± 10) within 6e-8
                let check = |f: &PolyFit<Plain>, w: &[f64], what: &str| {
                    let got = f.expand(&f.solve(&f.moments(&y).0));
                    let want = direct_fit(&x, &y, w, order);
                    for (g, w) in got.iter().zip(&want) {
                        assert!(
                            (g - w).abs() < 6e-8,
                            "{what} n {n} order {order}: {g} vs {w}"
                        );
                    }
                };
                let f = PolyFit::new(Plain, &x, order).unwrap();
                check(&f, &vec![1.0; n], "unit");
                let wts: Vec<f64> = (0..n)
                    .map(|i| if i % 3 == 1 { 0.0 } else { 0.5 + u() })
                    .collect();
                if wts.iter().filter(|&&v| v > 0.0).count() <= order {
                    continue; // not determined (IModPoly checks this first)
                }
                let f = f.reweighted(&wts, order).unwrap();
                check(&f, &wts, "weighted");
                // the column sums stay the unweighted ones
                let s0: f64 = f.colsum[0];
                assert!((s0 - n as f64).abs() < 1e-9, "{s0}");
            }
        }
    }

    #[test]
    fn clipping_pass_and_residual_statistics_match_plain_loops() {
        let mut u = uniform(7);
        for &n in &[9usize, 10, 257] {
            for &order in &[1usize, 4, 7] {
                let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
                let y: Vec<f64> = (0..n).map(|_| 100.0 + 10.0 * u()).collect();
                let f = PolyFit::new(Plain, &x, order).unwrap();
                let (m0, s0) = f.moments(&y);
                let want_s0: f64 = y.iter().sum();
                assert!((s0 - want_s0).abs() < 1e-12 * want_s0, "{s0} vs {want_s0}");
                let mut c = f.solve(&m0);
                c[0] -= 2.0;
                let b = f.expand(&c);
                let shift = 1.5;
                // clip: y ← min(y, b + shift), then the moments of the result
                let mut got_y = y.clone();
                let (m, sy) = f.clip_pass(&c, shift, &mut got_y);
                let want_sy: f64 = got_y.iter().sum();
                assert!((sy - want_sy).abs() < 1e-9 * want_sy.abs());
                // with weights (IModPoly's mask) Σ dst is its own sum, unweighted
                let mask: Vec<f64> = (0..n).map(|i| (i % 3 != 0) as u8 as f64).collect();
                if mask.iter().sum::<f64>() > order as f64 + 1.0 {
                    let g = PolyFit::new(Plain, &x, order)
                        .unwrap()
                        .reweighted(&mask, order)
                        .unwrap();
                    let mut dst = y.clone();
                    let (gm, gsy) = g.clip_pass(&c, shift, &mut dst);
                    assert_eq!(dst, got_y);
                    assert!((gsy - want_sy).abs() < 1e-9 * want_sy.abs());
                    let masked: Vec<f64> = dst.iter().zip(&mask).map(|(v, w)| v * w).collect();
                    let want_gm = f.moments(&masked).0;
                    // the moments without clipping: weighted moments, unweighted Σ
                    let (wm, wsy) = g.moments(&dst);
                    assert!((wsy - want_sy).abs() < 1e-9 * want_sy.abs());
                    for a in 0..=order {
                        assert!((gm[a] - want_gm[a]).abs() < 1e-9 * want_gm[a].abs().max(1.0));
                        assert_eq!(wm[a].to_bits(), gm[a].to_bits(), "n {n} order {order}");
                    }
                }
                let want_y: Vec<f64> = y.iter().zip(&b).map(|(&v, &p)| v.min(p + shift)).collect();
                assert_eq!(got_y, want_y, "n {n} order {order}");
                let want_m = f.moments(&want_y).0;
                for a in 0..=order {
                    assert!((m[a] - want_m[a]).abs() < 1e-9 * want_m[a].abs().max(1.0));
                }
                // the residual's mean and population σ, as numpy's two passes
                let r: Vec<f64> = got_y.iter().zip(&b).map(|(v, p)| v - p).collect();
                let mean = r.iter().sum::<f64>() / n as f64;
                let sd = (r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
                let (gm, gs) = f.residual_stats(&c, &got_y, sy);
                assert!((gm - mean).abs() < 1e-10 * 100.0, "{gm} vs {mean}");
                assert!((gs - sd).abs() < 1e-10 * sd, "{gs} vs {sd}");
                // ModPoly's change in coefficient space is the baseline's
                let mut c2 = c;
                c2[1] += 0.25;
                let mut dc = [0.0; MAX_K];
                dc[1] = 0.25;
                let b2 = f.expand(&c2);
                let direct: f64 = b.iter().zip(&b2).map(|(p, q)| (p - q).powi(2)).sum();
                assert!((f.norm2(&dc) - direct).abs() < 1e-9 * direct);
            }
        }
    }

    #[test]
    fn dispatched_kernels_match_the_plain_build_bit_for_bit() {
        // `wide` compiles the same code for AVX2 where the CPU has it, and
        // the polynomial family runs on explicit AVX registers there
        // (`Quad` for V3) against plain arrays (`Plain`) here; the
        // arithmetic and its order are the same, so the bits are too (on a
        // CPU without AVX2 both sides run the plain build)
        let mut u = uniform(3);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for n in [3usize, 17, 2000, 2001] {
            let y: Vec<f64> = (0..n)
                .map(|i| 100.0 + 20.0 * (i as f64 / 90.0).sin() + 5.0 * u())
                .collect();
            for (h, dec, lls) in [(40, false, false), (7, true, false), (12, false, true)] {
                let a = snip(&y, h, dec, lls).unwrap();
                let b = snip_with(&y, h, dec, lls).unwrap();
                assert_eq!(bits(&a.baseline), bits(&b.baseline), "snip n {n} h {h}");
            }
            let x: Vec<f64> = (0..n).map(|i| 0.5 * i as f64).collect();
            for order in [1usize, 3, 8] {
                if n < order + 2 {
                    continue;
                }
                let pairs = [
                    (
                        modpoly(&x, &y, order, 1e-3, 250),
                        modpoly_with(Plain, (&x, &y, order), 1e-3, 250),
                    ),
                    (
                        imodpoly(&x, &y, order, 1e-3, 250, 1.0),
                        imodpoly_with(Plain, (&x, &y, order), 1e-3, 250, 1.0),
                    ),
                    (
                        polynomial(&x, &y, order),
                        polynomial_with(Plain, &x, &y, order),
                    ),
                ];
                for (a, b) in pairs {
                    match (a, b) {
                        (Ok(a), Ok(b)) => {
                            assert_eq!(bits(&a.baseline), bits(&b.baseline), "n {n} order {order}");
                            assert_eq!(a.iterations, b.iterations);
                        }
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                        _ => panic!("one path failed, the other did not: n {n} order {order}"),
                    }
                }
            }
            let z: Vec<f64> = y.iter().map(|v| v - 3.0 + u()).collect();
            // arPLS's weights, over the clamp's range and beyond
            for (scale, shift) in [(2.0, 0.3), (0.01, -5.0), (300.0, 1.0), (-40.0, 0.0)] {
                let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
                logistic_weights(&mut a, &y, &z, scale, shift);
                weights_into(&mut b, &y, &z, |r| {
                    1.0 / (1.0 + exp_fast(scale * (r - shift)))
                });
                assert_eq!(bits(&a), bits(&b), "logistic n {n} scale {scale}");
            }
            let plain = NegStats::of(&y, &z, 0.5);
            let wide = wide(
                #[inline(always)]
                || NegStats::of(&y, &z, 0.5),
            );
            for (p, w) in [
                (plain.count, wide.count),
                (plain.s1, wide.s1),
                (plain.s2, wide.s2),
            ] {
                assert_eq!(p.to_bits(), w.to_bits(), "NegStats n {n}");
            }
        }
    }
}
