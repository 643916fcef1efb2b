//! Levenberg–Marquardt in the form of MINPACK's `lmder` (Moré 1978).
//!
//! The algorithm follows J. J. Moré, "The Levenberg–Marquardt algorithm:
//! implementation and theory", Lecture Notes in Mathematics 630 (1978), and the
//! structure of MINPACK-1 (Moré, Garbow, Hillstrom, ANL-80-74, 1980): a scaled
//! trust region, the step from a column-pivoted Householder QR of the Jacobian
//! and Givens rotations for the damping term (`qrsolv`), the Levenberg parameter
//! found by safeguarded Newton iteration (`lmpar`), and MINPACK's ftol / xtol /
//! gtol / maximum-evaluation tests. This is an independent implementation in Rust
//! from the published algorithm; all buffers live in [`LmWorkspace`], so iterations
//! do not allocate.
//!
//! One departure: for tall, well-conditioned Jacobians (m ≥ 2n, column-scaled
//! condition number near 10² or below) R and Qᵀf come from the normal
//! equations by a pivoted Cholesky factorisation ([`normal_factor`]) instead of
//! Householder reflections. Everything downstream (`lmpar`, `qrsolv`, the
//! tests) is unchanged and, in exact arithmetic, so is every step; the
//! factorisation costs half the multiply-adds. Ill-conditioned or
//! rank-deficient Jacobians take the QR as before.
//!
//! The loops index several arrays by the same counters, as in the published
//! algorithm; clippy's `needless_range_loop` is silenced here for readability
//! against the reference.
#![allow(clippy::needless_range_loop)]

/// The function the solver sees: `m` residuals of `n` internal variables.
pub(crate) trait LmFunction {
    /// Evaluates the residuals; returns false when any is not finite.
    fn eval(&mut self, x: &[f64], fvec: &mut [f64]) -> bool;
    /// Evaluates the `m × n` column-major Jacobian at `x` (residuals `fvec` given);
    /// returns false when any element is not finite.
    fn jac(&mut self, x: &[f64], fvec: &[f64], fjac: &mut [f64]) -> bool;
}

/// Why MINPACK-style iteration stopped (MINPACK's `info` codes 1–8, plus failures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LmInfo {
    Ftol,
    Xtol,
    FtolXtol,
    Gtol,
    MaxEval,
    FtolTooSmall,
    XtolTooSmall,
    GtolTooSmall,
    NonFiniteJacobian,
}

/// Options of the core iteration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LmCore {
    pub ftol: f64,
    pub xtol: f64,
    pub gtol: f64,
    pub max_eval: usize,
    pub factor: f64,
}

/// Buffers of one solve; reuse across fits of the same size.
#[derive(Debug, Clone, Default)]
pub(crate) struct LmWorkspace {
    pub m: usize,
    pub n: usize,
    pub fvec: Vec<f64>,
    pub fjac: Vec<f64>,
    diag: Vec<f64>,
    qtf: Vec<f64>,
    ipvt: Vec<usize>,
    wa1: Vec<f64>,
    wa2: Vec<f64>,
    wa3: Vec<f64>,
    wa4: Vec<f64>,
    rdiag: Vec<f64>,
    acnorm: Vec<f64>,
    sdiag: Vec<f64>,
    lwa1: Vec<f64>,
    lwa2: Vec<f64>,
    /// n × n scratch of the normal-equations factorisation.
    gram: Vec<f64>,
    /// Whether the last factorisation came from the normal equations.
    pub normal: bool,
}

impl LmWorkspace {
    pub fn resize(&mut self, m: usize, n: usize) {
        self.m = m;
        self.n = n;
        self.fvec.resize(m, 0.0);
        self.fjac.resize(m * n, 0.0);
        self.wa4.resize(m, 0.0);
        for v in [
            &mut self.diag,
            &mut self.qtf,
            &mut self.wa1,
            &mut self.wa2,
            &mut self.wa3,
            &mut self.rdiag,
            &mut self.acnorm,
            &mut self.sdiag,
            &mut self.lwa1,
            &mut self.lwa2,
        ] {
            v.resize(n, 0.0);
        }
        self.ipvt.resize(n, 0);
        // only problems tall enough for the normal equations use it
        let gram = if m >= NORMAL_MIN_RATIO * n { n * n } else { 0 };
        self.gram.resize(gram, 0.0);
    }
}

/// What the iteration produced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LmOutcome {
    pub info: LmInfo,
    pub njev: usize,
    pub iterations: usize,
}

/// Σ aᵢbᵢ over the common length, with four independent partial sums: a
/// single running sum is latency-bound, four let LLVM vectorise (the
/// rounding differs from the sequential sum by O(ε)).
///
/// ```
/// assert_eq!(interphase_fit::dot(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5]), 15.0);
/// ```
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y += alpha · x`.
#[inline]
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

/// Euclidean norm, rescaled when the plain sum of squares over/underflows.
pub(crate) fn enorm(v: &[f64]) -> f64 {
    let s: f64 = dot(v, v);
    if s.is_finite() && s > 1e-280 {
        return s.sqrt();
    }
    let scale = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    let s: f64 = v.iter().map(|x| (x / scale) * (x / scale)).sum();
    scale * s.sqrt()
}

/// Minimises `‖f(x)‖²` from `x` (updated in place). `ws.fvec` must hold `f(x)` on entry
/// (finite); on return `ws.fvec` holds the residuals at the returned `x`.
pub(crate) fn lmder<F: LmFunction>(
    fcn: &mut F,
    x: &mut [f64],
    ws: &mut LmWorkspace,
    opt: LmCore,
) -> LmOutcome {
    let (m, n) = (ws.m, ws.n);
    let epsmch = f64::EPSILON;
    let mut nfev = 1usize;
    let mut njev = 0usize;
    let mut fnorm = enorm(&ws.fvec);
    let mut par = 0.0;
    let mut iter = 1usize;
    let mut delta = 0.0;
    let mut xnorm = 0.0;

    loop {
        // Jacobian and its QR factorisation with column pivoting
        njev += 1;
        if !fcn.jac(x, &ws.fvec, &mut ws.fjac) {
            return LmOutcome {
                info: LmInfo::NonFiniteJacobian,
                njev,
                iterations: iter,
            };
        }
        // R and Qᵀf: from the normal equations when the problem is tall and
        // well conditioned (see `normal_factor`), else by Householder QR
        ws.normal = m >= NORMAL_MIN_RATIO * n
            && normal_factor(
                m,
                n,
                &mut ws.fjac,
                &ws.fvec,
                &mut ws.ipvt,
                &mut ws.rdiag,
                &mut ws.acnorm,
                &mut ws.qtf,
                &mut ws.gram,
                &mut ws.wa3,
            );
        if !ws.normal {
            qrfac(
                m,
                n,
                &mut ws.fjac,
                &mut ws.ipvt,
                &mut ws.rdiag,
                &mut ws.acnorm,
                &mut ws.wa3,
            );
        }

        if iter == 1 {
            for j in 0..n {
                ws.diag[j] = if ws.acnorm[j] == 0.0 {
                    1.0
                } else {
                    ws.acnorm[j]
                };
                ws.wa3[j] = ws.diag[j] * x[j];
            }
            xnorm = enorm(&ws.wa3[..n]);
            delta = opt.factor * xnorm;
            if delta == 0.0 {
                delta = opt.factor;
            }
        }

        // Qᵀ f in qtf (the normal-equations path has it already)
        ws.wa4.copy_from_slice(&ws.fvec);
        for j in (0..n).filter(|_| !ws.normal) {
            let col = j * m;
            let ajj = ws.fjac[col + j];
            if ajj != 0.0 {
                let v = &ws.fjac[col + j..col + m];
                let sum = dot(v, &ws.wa4[j..m]);
                axpy(-sum / ajj, v, &mut ws.wa4[j..m]);
            }
            ws.fjac[col + j] = ws.rdiag[j];
            ws.qtf[j] = ws.wa4[j];
        }

        // scaled gradient norm
        let mut gnorm = 0.0f64;
        if fnorm != 0.0 {
            for j in 0..n {
                let l = ws.ipvt[j];
                if ws.acnorm[l] != 0.0 {
                    let mut sum = 0.0;
                    for i in 0..=j {
                        sum += ws.fjac[j * m + i] * (ws.qtf[i] / fnorm);
                    }
                    gnorm = gnorm.max((sum / ws.acnorm[l]).abs());
                }
            }
        }
        if gnorm <= opt.gtol {
            return LmOutcome {
                info: LmInfo::Gtol,
                njev,
                iterations: iter,
            };
        }
        for j in 0..n {
            ws.diag[j] = ws.diag[j].max(ws.acnorm[j]);
        }

        // inner loop: find an acceptable step
        loop {
            par = lmpar(
                n,
                &mut ws.fjac,
                m,
                &ws.ipvt,
                &ws.diag,
                &ws.qtf,
                delta,
                par,
                &mut ws.wa1,
                &mut ws.sdiag,
                &mut ws.lwa1,
                &mut ws.lwa2,
            );
            for j in 0..n {
                ws.wa1[j] = -ws.wa1[j];
                ws.wa2[j] = x[j] + ws.wa1[j];
                ws.wa3[j] = ws.diag[j] * ws.wa1[j];
            }
            let pnorm = enorm(&ws.wa3[..n]);
            if iter == 1 {
                delta = delta.min(pnorm);
            }
            let ok = fcn.eval(&ws.wa2, &mut ws.wa4);
            nfev += 1;
            let fnorm1 = if ok { enorm(&ws.wa4) } else { f64::INFINITY };

            let mut actred = -1.0;
            if 0.1 * fnorm1 < fnorm {
                actred = 1.0 - (fnorm1 / fnorm).powi(2);
            }
            for j in 0..n {
                ws.wa3[j] = 0.0;
                let temp = ws.wa1[ws.ipvt[j]];
                for i in 0..=j {
                    ws.wa3[i] += ws.fjac[j * m + i] * temp;
                }
            }
            let temp1 = enorm(&ws.wa3[..n]) / fnorm;
            let temp2 = par.sqrt() * pnorm / fnorm;
            let prered = temp1 * temp1 + temp2 * temp2 / 0.5;
            let dirder = -(temp1 * temp1 + temp2 * temp2);
            let ratio = if prered != 0.0 { actred / prered } else { 0.0 };

            if ratio <= 0.25 {
                let mut temp = if actred >= 0.0 {
                    0.5
                } else {
                    0.5 * dirder / (dirder + 0.5 * actred)
                };
                if 0.1 * fnorm1 >= fnorm || temp < 0.1 {
                    temp = 0.1;
                }
                delta = temp * delta.min(pnorm / 0.1);
                par /= temp;
            } else if par == 0.0 || ratio >= 0.75 {
                delta = pnorm / 0.5;
                par *= 0.5;
            }

            if ratio >= 1e-4 {
                for j in 0..n {
                    x[j] = ws.wa2[j];
                    ws.wa2[j] = ws.diag[j] * x[j];
                }
                ws.fvec.copy_from_slice(&ws.wa4);
                xnorm = enorm(&ws.wa2[..n]);
                fnorm = fnorm1;
                iter += 1;
            }

            let ftol_ok = actred.abs() <= opt.ftol && prered <= opt.ftol && 0.5 * ratio <= 1.0;
            let xtol_ok = delta <= opt.xtol * xnorm;
            let done = |info| LmOutcome {
                info,
                njev,
                iterations: iter,
            };
            match (ftol_ok, xtol_ok) {
                (true, true) => return done(LmInfo::FtolXtol),
                (true, false) => return done(LmInfo::Ftol),
                (false, true) => return done(LmInfo::Xtol),
                _ => {}
            }
            if nfev >= opt.max_eval {
                return done(LmInfo::MaxEval);
            }
            if actred.abs() <= epsmch && prered <= epsmch && 0.5 * ratio <= 1.0 {
                return done(LmInfo::FtolTooSmall);
            }
            if delta <= epsmch * xnorm {
                return done(LmInfo::XtolTooSmall);
            }
            if gnorm <= epsmch {
                return done(LmInfo::GtolTooSmall);
            }
            if ratio >= 1e-4 {
                break;
            }
        }
    }
}

/// The normal-equations factorisation is tried only when m ≥ this × n.
pub(crate) const NORMAL_MIN_RATIO: usize = 2;

/// Smallest accepted pivot of the column-scaled Cholesky factorisation for
/// the iteration's step (relative to the unit scaled diagonal): R̃ⱼⱼ ≥ 10⁻²,
/// so the scaled Jacobian's condition number κ stays near 10² or below. The
/// normal equations' error grows like ε·κ² against the QR's ε·κ (Golub &
/// Van Loan, *Matrix Computations*, 4th ed., §5.3.7), and the point a fit
/// converges to inherits it; with κ ≲ 10² that costs at most about two of
/// the ~16 digits, below the stopping tolerances. NIST StRD Hahn1 (a cubic
/// rational in x up to 900) is accepted at 10⁻⁸ but lost three digits of
/// its certified parameters there, and declines at this threshold.
pub(crate) const NORMAL_MIN_PIVOT_STEP: f64 = 1e-4;

/// Smallest accepted scaled pivot for the covariance (κ ≲ 10⁴): it needs
/// about six digits, and ε·κ² ≤ 10⁻⁸ leaves them.
pub(crate) const NORMAL_MIN_PIVOT_COVARIANCE: f64 = 1e-8;

/// R and Qᵀf of the column-pivoted QR `J·P = Q·R` obtained from the normal
/// equations instead of Householder reflections: G = JᵀJ and Jᵀf (half the
/// multiply-adds of the QR, in dot products that vectorise), the columns
/// scaled to unit norm (S = diag(1/‖Jⱼ‖)), the Cholesky factorisation with
/// diagonal pivoting Pᵀ(SGS)P = R̃ᵀR̃, then R = R̃·(PᵀS⁻¹P) and
/// Qᵀf = R⁻ᵀPᵀJᵀf. The pivoting takes the largest remaining scaled diagonal
/// (the column with the largest part not explained by the columns already
/// taken), so R reveals rank as the QR's does. In exact arithmetic the
/// Levenberg–Marquardt step computed from this R equals the QR one (both
/// solve (JᵀJ + λD²)p = −Jᵀf); the orthogonal Q is never formed.
///
/// On success the upper triangle of the leading n × n block of `fjac` holds
/// R (diagonal included, also in `rdiag`), `ipvt` the permutation, `acnorm`
/// the column norms and `qtf` Qᵀf, and `true` is returned. When a column is
/// zero, G is not finite or a scaled pivot falls below [`NORMAL_MIN_PIVOT_STEP`]
/// (ill-conditioned or rank-deficient), `fjac` is left untouched and `false`
/// is returned: the caller uses Householder QR.
#[allow(clippy::too_many_arguments)]
pub(crate) fn normal_factor(
    m: usize,
    n: usize,
    fjac: &mut [f64],
    fvec: &[f64],
    ipvt: &mut [usize],
    rdiag: &mut [f64],
    acnorm: &mut [f64],
    qtf: &mut [f64],
    a: &mut [f64],
    jtf: &mut [f64],
) -> bool {
    gram(m, n, fjac, a);
    for (p, v) in jtf.iter_mut().enumerate().take(n) {
        *v = dot(&fjac[p * m..(p + 1) * m], fvec);
    }
    if jtf[..n].iter().any(|v| !v.is_finite())
        || !scaled_cholesky(n, a, acnorm, ipvt, NORMAL_MIN_PIVOT_STEP)
    {
        return false;
    }
    // R = R̃·(PᵀS⁻¹P) into fjac's leading block, Qᵀf = R⁻ᵀPᵀJᵀf
    for j in 0..n {
        let sj = acnorm[ipvt[j]];
        for i in 0..=j {
            fjac[j * m + i] = a[i * n + j] * sj;
        }
        rdiag[j] = fjac[j * m + j];
    }
    for j in 0..n {
        let mut v = jtf[ipvt[j]];
        for i in 0..j {
            v -= fjac[j * m + i] * qtf[i];
        }
        qtf[j] = v / rdiag[j];
    }
    true
}

/// G = JᵀJ of the column-major m × n `jac` into the row-major n × n `a`
/// (both triangles). Columns are taken two by two against two, so that each
/// loaded element serves two products (four sums in flight per block).
pub(crate) fn gram(m: usize, n: usize, jac: &[f64], a: &mut [f64]) {
    let col = |j: usize| &jac[j * m..(j + 1) * m];
    let mut p = 0;
    while p < n {
        let p2 = (p + 1).min(n - 1);
        let mut q = p;
        while q < n {
            let q2 = (q + 1).min(n - 1);
            let [s00, s01, s10, s11] = dot2x2(col(p), col(p2), col(q), col(q2));
            for (r, c, v) in [(p, q, s00), (p, q2, s01), (p2, q, s10), (p2, q2, s11)] {
                a[r * n + c] = v;
                a[c * n + r] = v;
            }
            q += 2;
        }
        p += 2;
    }
}

/// The four dot products of (a0, a1) with (b0, b1), two lanes each.
#[inline]
fn dot2x2(a0: &[f64], a1: &[f64], b0: &[f64], b1: &[f64]) -> [f64; 4] {
    let n = a0.len().min(a1.len()).min(b0.len()).min(b1.len());
    let (a0, a1, b0, b1) = (&a0[..n], &a1[..n], &b0[..n], &b1[..n]);
    let mut acc = [[0.0f64; 2]; 4];
    let mut i = 0;
    while i + 2 <= n {
        for l in 0..2 {
            let (x0, x1, y0, y1) = (a0[i + l], a1[i + l], b0[i + l], b1[i + l]);
            acc[0][l] += x0 * y0;
            acc[1][l] += x0 * y1;
            acc[2][l] += x1 * y0;
            acc[3][l] += x1 * y1;
        }
        i += 2;
    }
    let mut out = acc.map(|v| v[0] + v[1]);
    if i < n {
        let (x0, x1, y0, y1) = (a0[i], a1[i], b0[i], b1[i]);
        out[0] += x0 * y0;
        out[1] += x0 * y1;
        out[2] += x1 * y0;
        out[3] += x1 * y1;
    }
    out
}

/// Column-scaled Cholesky factorisation with diagonal pivoting of the
/// symmetric n × n `a` (row-major, both triangles): `acnorm` gets √Gⱼⱼ, the
/// matrix is scaled to unit diagonal, and Pᵀ(SGS)P = R̃ᵀR̃ is computed in
/// place (R̃ in the upper triangle, in pivoted order; `ipvt[j]` the original
/// index at position j). A pivot swaps whole rows and columns (LAPACK
/// `dpstrf`'s scheme), so the rows of R̃ already computed follow the new
/// column order. False when a diagonal is zero or not finite, or a pivot is
/// below `min_pivot` (relative to the unit scaled diagonal).
pub(crate) fn scaled_cholesky(
    n: usize,
    a: &mut [f64],
    acnorm: &mut [f64],
    ipvt: &mut [usize],
    min_pivot: f64,
) -> bool {
    for j in 0..n {
        let d = a[j * n + j];
        if !(d > 0.0 && d.is_finite()) {
            return false;
        }
        acnorm[j] = d.sqrt();
        ipvt[j] = j;
    }
    for p in 0..n {
        for q in 0..n {
            a[p * n + q] /= acnorm[p] * acnorm[q];
        }
    }
    for j in 0..n {
        let mut best = j;
        for i in j + 1..n {
            if a[i * n + i] > a[best * n + best] {
                best = i;
            }
        }
        if best != j {
            for k in 0..n {
                a.swap(j * n + k, best * n + k);
            }
            for k in 0..n {
                a.swap(k * n + j, k * n + best);
            }
            ipvt.swap(j, best);
        }
        let d = a[j * n + j];
        if !(d >= min_pivot && d.is_finite()) {
            return false;
        }
        let rjj = d.sqrt();
        a[j * n + j] = rjj;
        for k in j + 1..n {
            a[j * n + k] /= rjj;
        }
        for i in j + 1..n {
            let rji = a[j * n + i];
            for k in j + 1..n {
                a[i * n + k] -= rji * a[j * n + k];
            }
        }
    }
    true
}

/// Householder QR with column pivoting of the column-major `m × n` matrix `a`
/// (MINPACK `qrfac`). On return the strict upper triangle of `a` holds R's
/// off-diagonal part, `rdiag` R's diagonal, the lower part the Householder
/// vectors, `ipvt` the permutation and `acnorm` the original column norms.
pub(crate) fn qrfac(
    m: usize,
    n: usize,
    a: &mut [f64],
    ipvt: &mut [usize],
    rdiag: &mut [f64],
    acnorm: &mut [f64],
    wa: &mut [f64],
) {
    let epsmch = f64::EPSILON;
    for j in 0..n {
        acnorm[j] = enorm(&a[j * m..(j + 1) * m]);
        rdiag[j] = acnorm[j];
        wa[j] = rdiag[j];
        ipvt[j] = j;
    }
    let minmn = m.min(n);
    for j in 0..minmn {
        // bring the column of largest remaining norm into the pivot position
        let mut kmax = j;
        for k in j..n {
            if rdiag[k] > rdiag[kmax] {
                kmax = k;
            }
        }
        if kmax != j {
            for i in 0..m {
                a.swap(j * m + i, kmax * m + i);
            }
            rdiag[kmax] = rdiag[j];
            wa[kmax] = wa[j];
            ipvt.swap(j, kmax);
        }
        let cj = j * m;
        let mut ajnorm = enorm(&a[cj + j..cj + m]);
        if ajnorm != 0.0 {
            if a[cj + j] < 0.0 {
                ajnorm = -ajnorm;
            }
            for i in j..m {
                a[cj + i] /= ajnorm;
            }
            a[cj + j] += 1.0;
            let ajj = a[cj + j];
            for k in (j + 1)..n {
                let ck = k * m;
                let (left, right) = a.split_at_mut(ck);
                let v = &left[cj + j..cj + m];
                let colk = &mut right[j..m];
                let temp = dot(v, colk) / ajj;
                axpy(-temp, v, colk);
                if rdiag[k] != 0.0 {
                    let temp = a[ck + j] / rdiag[k];
                    rdiag[k] *= (1.0 - temp * temp).max(0.0).sqrt();
                    if 0.05 * (rdiag[k] / wa[k]).powi(2) <= epsmch {
                        rdiag[k] = enorm(&a[ck + j + 1..ck + m]);
                        wa[k] = rdiag[k];
                    }
                }
            }
        }
        rdiag[j] = -ajnorm;
    }
}

/// The Levenberg parameter for the trust-region radius `delta` (MINPACK `lmpar`).
/// `r` holds R in its upper triangle (leading dimension `ldr`); the step goes to `x`.
#[allow(clippy::too_many_arguments)]
fn lmpar(
    n: usize,
    r: &mut [f64],
    ldr: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    delta: f64,
    par_in: f64,
    x: &mut [f64],
    sdiag: &mut [f64],
    wa1: &mut [f64],
    wa2: &mut [f64],
) -> f64 {
    let dwarf = f64::MIN_POSITIVE;
    // Gauss–Newton direction (least squares if R is singular)
    let mut nsing = n;
    for j in 0..n {
        wa1[j] = qtb[j];
        if r[j * ldr + j] == 0.0 && nsing == n {
            nsing = j;
        }
        if nsing < n {
            wa1[j] = 0.0;
        }
    }
    for j in (0..nsing).rev() {
        wa1[j] /= r[j * ldr + j];
        let temp = wa1[j];
        for i in 0..j {
            wa1[i] -= r[j * ldr + i] * temp;
        }
    }
    for j in 0..n {
        x[ipvt[j]] = wa1[j];
    }

    let mut iter = 0;
    for j in 0..n {
        wa2[j] = diag[j] * x[j];
    }
    let mut dxnorm = enorm(&wa2[..n]);
    let mut fp = dxnorm - delta;
    if fp <= 0.1 * delta {
        return 0.0;
    }

    // lower bound parl from the Newton step when R has full rank
    let mut parl = 0.0;
    if nsing >= n {
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            let mut sum = 0.0;
            for i in 0..j {
                sum += r[j * ldr + i] * wa1[i];
            }
            wa1[j] = (wa1[j] - sum) / r[j * ldr + j];
        }
        let temp = enorm(&wa1[..n]);
        parl = ((fp / delta) / temp) / temp;
    }

    // upper bound paru
    for j in 0..n {
        let mut sum = 0.0;
        for i in 0..=j {
            sum += r[j * ldr + i] * qtb[i];
        }
        wa1[j] = sum / diag[ipvt[j]];
    }
    let gnorm = enorm(&wa1[..n]);
    let mut paru = gnorm / delta;
    if paru == 0.0 {
        paru = dwarf / delta.min(0.1);
    }

    let mut par = par_in.max(parl).min(paru);
    if par == 0.0 {
        par = gnorm / dxnorm;
    }

    loop {
        iter += 1;
        if par == 0.0 {
            par = dwarf.max(0.001 * paru);
        }
        let temp = par.sqrt();
        for j in 0..n {
            wa1[j] = temp * diag[j];
        }
        qrsolv(n, r, ldr, ipvt, wa1, qtb, x, sdiag, wa2);
        for j in 0..n {
            wa2[j] = diag[j] * x[j];
        }
        dxnorm = enorm(&wa2[..n]);
        let temp = fp;
        fp = dxnorm - delta;
        if fp.abs() <= 0.1 * delta || (parl == 0.0 && fp <= temp && temp < 0.0) || iter == 10 {
            break;
        }
        // Newton correction
        for j in 0..n {
            let l = ipvt[j];
            wa1[j] = diag[l] * (wa2[l] / dxnorm);
        }
        for j in 0..n {
            wa1[j] /= sdiag[j];
            let temp = wa1[j];
            for i in (j + 1)..n {
                wa1[i] -= r[j * ldr + i] * temp;
            }
        }
        let temp = enorm(&wa1[..n]);
        let parc = ((fp / delta) / temp) / temp;
        if fp > 0.0 {
            parl = parl.max(par);
        }
        if fp < 0.0 {
            paru = paru.min(par);
        }
        par = parl.max(par + parc);
    }
    par
}

/// Solves `min ‖[A; D] x − [b; 0]‖` given the QR of `A·P` (MINPACK `qrsolv`).
/// On return the strict lower triangle of `r` holds Sᵀ and `sdiag` S's diagonal,
/// where `Pᵀ(AᵀA + DD)P = SᵀS`.
#[allow(clippy::too_many_arguments)]
fn qrsolv(
    n: usize,
    r: &mut [f64],
    ldr: usize,
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    x: &mut [f64],
    sdiag: &mut [f64],
    wa: &mut [f64],
) {
    for j in 0..n {
        for i in j..n {
            r[j * ldr + i] = r[i * ldr + j];
        }
        x[j] = r[j * ldr + j];
        wa[j] = qtb[j];
    }
    for j in 0..n {
        let l = ipvt[j];
        if diag[l] != 0.0 {
            for s in sdiag[j..n].iter_mut() {
                *s = 0.0;
            }
            sdiag[j] = diag[l];
            let mut qtbpj = 0.0;
            for k in j..n {
                if sdiag[k] == 0.0 {
                    continue;
                }
                let rkk = r[k * ldr + k];
                let (sin, cos) = if rkk.abs() < sdiag[k].abs() {
                    let cotan = rkk / sdiag[k];
                    let sin = 0.5 / (0.25 + 0.25 * cotan * cotan).sqrt();
                    (sin, sin * cotan)
                } else {
                    let tan = sdiag[k] / rkk;
                    let cos = 0.5 / (0.25 + 0.25 * tan * tan).sqrt();
                    (cos * tan, cos)
                };
                r[k * ldr + k] = cos * rkk + sin * sdiag[k];
                let temp = cos * wa[k] + sin * qtbpj;
                qtbpj = -sin * wa[k] + cos * qtbpj;
                wa[k] = temp;
                for i in (k + 1)..n {
                    let rik = r[k * ldr + i];
                    let temp = cos * rik + sin * sdiag[i];
                    sdiag[i] = -sin * rik + cos * sdiag[i];
                    r[k * ldr + i] = temp;
                }
            }
        }
        sdiag[j] = r[j * ldr + j];
        r[j * ldr + j] = x[j];
    }
    let mut nsing = n;
    for j in 0..n {
        if sdiag[j] == 0.0 && nsing == n {
            nsing = j;
        }
        if nsing < n {
            wa[j] = 0.0;
        }
    }
    for j in (0..nsing).rev() {
        let mut sum = 0.0;
        for i in (j + 1)..nsing {
            sum += r[j * ldr + i] * wa[i];
        }
        wa[j] = (wa[j] - sum) / sdiag[j];
    }
    for j in 0..n {
        x[ipvt[j]] = wa[j];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rosenbrock as least squares: r = [10(x2 − x1²), 1 − x1].
    struct Rosen;
    impl LmFunction for Rosen {
        fn eval(&mut self, x: &[f64], f: &mut [f64]) -> bool {
            f[0] = 10.0 * (x[1] - x[0] * x[0]);
            f[1] = 1.0 - x[0];
            true
        }
        fn jac(&mut self, x: &[f64], _f: &[f64], j: &mut [f64]) -> bool {
            j[0] = -20.0 * x[0];
            j[1] = -1.0;
            j[2] = 10.0;
            j[3] = 0.0;
            true
        }
    }

    /// `lmder` on `f` from `x` (m residuals) with ftol = xtol = `tol`; the
    /// outcome and the workspace it left.
    fn minimise<F: LmFunction>(
        f: &mut F,
        x: &mut [f64],
        m: usize,
        tol: f64,
    ) -> (LmOutcome, LmWorkspace) {
        let mut ws = LmWorkspace::default();
        ws.resize(m, x.len());
        f.eval(x, &mut ws.fvec);
        let opt = LmCore {
            ftol: tol,
            xtol: tol,
            gtol: 0.0,
            max_eval: 1000,
            factor: 100.0,
        };
        let out = lmder(f, x, &mut ws, opt);
        (out, ws)
    }

    #[test]
    fn rosenbrock_converges() {
        let mut x = [-1.2, 1.0];
        let (out, _) = minimise(&mut Rosen, &mut x, 2, 1e-12);
        assert!(
            (x[0] - 1.0).abs() < 1e-10 && (x[1] - 1.0).abs() < 1e-10,
            "{x:?} {out:?}"
        );
    }

    /// A tall column-major test matrix with columns of very different
    /// scales (the normal path scales them away) and residuals.
    fn tall(m: usize, n: usize, collinear: bool) -> (Vec<f64>, Vec<f64>) {
        let mut rng = crate::SplitMix64::new(7);
        let mut u = || rng.next_f64() - 0.5;
        let mut a: Vec<f64> = (0..m * n).map(|_| u()).collect();
        for j in 0..n {
            let s = 10f64.powi(j as i32 - 2);
            a[j * m..(j + 1) * m].iter_mut().for_each(|v| *v *= s);
        }
        if collinear {
            // column 1 = column 0 + 1e-7 noise: scaled condition ~1e7
            for i in 0..m {
                a[m + i] = a[i] + 1e-7 * u() * a[i].abs();
            }
        }
        let f = (0..m).map(|_| u()).collect();
        (a, f)
    }

    /// Pᵀ·(the Gauss–Newton step −R⁻¹·Qᵀf) from a factorisation in `fjac`.
    fn gauss_newton(m: usize, n: usize, fjac: &[f64], ipvt: &[usize], qtf: &[f64]) -> Vec<f64> {
        let mut w = qtf.to_vec();
        for j in (0..n).rev() {
            w[j] /= fjac[j * m + j];
            for i in 0..j {
                w[i] -= fjac[j * m + i] * w[j];
            }
        }
        let mut x = vec![0.0; n];
        for j in 0..n {
            x[ipvt[j]] = -w[j];
        }
        x
    }

    /// `normal_factor` on a copy of `a`: (accepted, R in the copy, ipvt,
    /// column norms, Qᵀf).
    fn normal(
        m: usize,
        n: usize,
        a: &[f64],
        f: &[f64],
    ) -> (bool, Vec<f64>, Vec<usize>, Vec<f64>, Vec<f64>) {
        let mut r = a.to_vec();
        let (mut ip, mut rd, mut ac, mut qtf, mut g, mut jtf) = (
            vec![0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n * n],
            vec![0.0; n],
        );
        let ok = normal_factor(
            m, n, &mut r, f, &mut ip, &mut rd, &mut ac, &mut qtf, &mut g, &mut jtf,
        );
        (ok, r, ip, ac, qtf)
    }

    /// The QR route of lmder: R in `q`, then Qᵀf by the reflections.
    fn householder(m: usize, n: usize, a: &[f64], f: &[f64]) -> (Vec<f64>, Vec<usize>, Vec<f64>) {
        let mut q = a.to_vec();
        let (mut ipq, mut rdq, mut acq, mut wa) =
            (vec![0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        qrfac(m, n, &mut q, &mut ipq, &mut rdq, &mut acq, &mut wa);
        let mut v = f.to_vec();
        let mut qtf = vec![0.0; n];
        for j in 0..n {
            let ajj = q[j * m + j];
            if ajj != 0.0 {
                let col = q[j * m + j..(j + 1) * m].to_vec();
                let sum = dot(&col, &v[j..m]);
                axpy(-sum / ajj, &col, &mut v[j..m]);
            }
            q[j * m + j] = rdq[j];
            qtf[j] = v[j];
        }
        (q, ipq, qtf)
    }

    proptest::proptest! {
        /// Whenever the normal equations accept a Jacobian, their
        /// Gauss–Newton step equals the Householder one, for random tall
        /// matrices with column scales over six decades.
        #[test]
        fn accepted_normal_factorisations_give_the_qr_step(
            m in 4usize..40,
            n in 1usize..6,
            seed in 0u64..1_000_000,
        ) {
            proptest::prop_assume!(m >= NORMAL_MIN_RATIO * n);
            let mut rng = crate::SplitMix64::new(seed);
            let mut a: Vec<f64> = (0..m * n).map(|_| rng.next_f64() - 0.5).collect();
            for j in 0..n {
                let s = 10f64.powf(6.0 * rng.next_f64() - 3.0);
                a[j * m..(j + 1) * m].iter_mut().for_each(|v| *v *= s);
            }
            let f: Vec<f64> = (0..m).map(|_| rng.next_f64() - 0.5).collect();
            let (ok, r, ip, _, qtf) = normal(m, n, &a, &f);
            if ok {
                let (q, ipq, qtfq) = householder(m, n, &a, &f);
                let (sq, sn) = (
                    gauss_newton(m, n, &q, &ipq, &qtfq),
                    gauss_newton(m, n, &r, &ip, &qtf),
                );
                for j in 0..n {
                    proptest::prop_assert!(
                        (sq[j] - sn[j]).abs() <= 1e-9 * sq[j].abs().max(1e-300)
                            + 1e-12 * sq.iter().fold(0.0f64, |x, v| x.max(v.abs())),
                        "step {}: {} vs {}", j, sq[j], sn[j]
                    );
                }
            }
        }
    }

    #[test]
    fn normal_factor_matches_the_householder_qr() {
        let (m, n) = (40, 5);
        let (a, f) = tall(m, n, false);
        // QR route: R, then Qᵀf by the reflections (as lmder does)
        let (q, ipq, qtfq) = householder(m, n, &a, &f);
        // normal route
        let (ok, r, ip, ac, qtf) = normal(m, n, &a, &f);
        assert!(ok);
        for j in 0..n {
            let norm = enorm(&a[j * m..(j + 1) * m]);
            assert!((ac[j] / norm - 1.0).abs() < 1e-13, "column norm {j}");
        }
        // RᵀR = PᵀJᵀJP, entry by entry
        for p in 0..n {
            for q2 in 0..n {
                let rtr: f64 = (0..=p.min(q2)).map(|i| r[p * m + i] * r[q2 * m + i]).sum();
                let (cp, cq) = (ip[p], ip[q2]);
                let jtj = dot(&a[cp * m..(cp + 1) * m], &a[cq * m..(cq + 1) * m]);
                assert!((rtr - jtj).abs() <= 1e-12 * ac[cp] * ac[cq], "({p}, {q2})");
            }
        }
        // the Gauss–Newton steps agree
        let (sq, sn) = (
            gauss_newton(m, n, &q, &ipq, &qtfq),
            gauss_newton(m, n, &r, &ip, &qtf),
        );
        for j in 0..n {
            assert!(
                (sq[j] - sn[j]).abs() <= 1e-10 * sq[j].abs().max(1e-3),
                "step {j}"
            );
        }
    }

    #[test]
    fn normal_factor_declines_ill_conditioned_jacobians() {
        let (m, n) = (40, 4);
        let (a, f) = tall(m, n, true);
        let (ok, r, ..) = normal(m, n, &a, &f);
        assert!(!ok);
        assert_eq!(
            r.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "the Jacobian must be left for the QR"
        );
        // a zero column declines too
        let mut z = a.clone();
        z[2 * m..3 * m].iter_mut().for_each(|v| *v = 0.0);
        assert!(!normal(m, n, &z, &f).0);
    }

    /// Exponential decay y = a·e^(−b·t) + c on 30 points: tall, so lmder
    /// takes the normal-equations route.
    struct Decay(Vec<f64>, Vec<f64>);
    impl LmFunction for Decay {
        fn eval(&mut self, x: &[f64], f: &mut [f64]) -> bool {
            for ((fi, &t), &y) in f.iter_mut().zip(&self.0).zip(&self.1) {
                *fi = x[0] * (-x[1] * t).exp() + x[2] - y;
            }
            true
        }
        fn jac(&mut self, x: &[f64], _f: &[f64], j: &mut [f64]) -> bool {
            let m = self.0.len();
            for (i, &t) in self.0.iter().enumerate() {
                let e = (-x[1] * t).exp();
                j[i] = e;
                j[m + i] = -x[0] * t * e;
                j[2 * m + i] = 1.0;
            }
            true
        }
    }

    #[test]
    fn tall_fits_take_the_normal_equations_and_converge() {
        let t: Vec<f64> = (0..30).map(|i| i as f64 * 0.2).collect();
        let y = t.iter().map(|t| 3.0 * (-0.7 * t).exp() + 0.5).collect();
        let mut x = [1.0, 0.2, 0.0];
        let (out, ws) = minimise(&mut Decay(t, y), &mut x, 30, 1e-14);
        assert!(ws.normal, "{out:?}");
        for (got, want) in x.iter().zip([3.0, 0.7, 0.5]) {
            assert!((got - want).abs() < 1e-10, "{x:?} {out:?}");
        }
    }

    #[test]
    fn qrfac_reproduces_column_norms_of_r() {
        // |R e_j| for pivoted columns equals the original column norms
        let m = 5;
        let n = 3;
        let mut a: Vec<f64> = (0..m * n)
            .map(|k| ((k * 7 + 3) % 11) as f64 - 4.0)
            .collect();
        let orig = a.clone();
        let (mut ipvt, mut rd, mut ac, mut wa) =
            (vec![0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        qrfac(m, n, &mut a, &mut ipvt, &mut rd, &mut ac, &mut wa);
        for j in 0..n {
            let mut s = rd[j] * rd[j];
            for i in 0..j {
                s += a[j * m + i].powi(2);
            }
            let l = ipvt[j];
            let orig_norm: f64 = orig[l * m..(l + 1) * m].iter().map(|v| v * v).sum();
            assert!((s - orig_norm).abs() < 1e-10 * orig_norm, "{s} {orig_norm}");
        }
    }
}
