//! Variable projection: separable nonlinear least squares.
//!
//! Many models are linear in some of their parameters: the areas of peaks and
//! the coefficients of a polynomial background enter a peak model as
//! `model(x) = Σₗ cₗ·φₗ(x; θ)`, nonlinear only in the positions and widths θ.
//! For any θ the best linear coefficients `c(θ)` follow from one linear least
//! squares solve, so the solver only has to search over θ: the residuals
//! become `r(θ) = P⊥(θ)·b(θ)`, with `P⊥ = I − A A⁺` the projector onto the
//! orthogonal complement of the columns `A = ∂r/∂c` and `b` the residuals with
//! every linear parameter at zero (G. H. Golub and V. Pereyra, SIAM J. Numer.
//! Anal. 10 (1973) 413; Inverse Problems 19 (2003) R1). The Jacobian is
//! Kaufman's approximation `J ≈ P⊥·∂r/∂θ` at `(θ, c(θ))` (L. Kaufman, BIT 15
//! (1975) 49), which gives the exact gradient `Jᵀr`; the solver is the same
//! Levenberg–Marquardt as [`fit`](crate::fit), with the same bound transforms
//! for θ.
//!
//! Fewer parameters to search and linear parameters that are optimal at
//! every step mean fewer iterations, and a fit that does not depend on the
//! starting values of the linear parameters at all.
//!
//! # Same result as the full fit
//! At a stationary point θ* of the projected problem, `(θ*, c(θ*))` is a
//! stationary point of the full problem (Golub and Pereyra's theorem 2.1). The
//! result is therefore built as [`fit`](crate::fit) builds it, in the full
//! parameters: χ² from the full residuals, standard errors and covariance from
//! the full Jacobian at the solution (correlations between linear and
//! nonlinear parameters included), ties propagated. When a linear parameter's
//! unconstrained optimum lies outside its bounds, or the projected search does
//! not converge, the full fit takes over from the projected solution (with the
//! linear values clamped into their bounds), and its result is returned.
//! Evaluation counts include both stages.
//!
//! A problem opts in by implementing [`Separable`].

use crate::error::Result;
use crate::fitter::{FitWorkspace, LmOptions, Mapper, finish, fit_with_workspace};
use crate::lm::{dot, qrfac};
use crate::nnls::{LinearTerm, nnls};
use crate::param::{Parameter, Parameters, Role};
use crate::problem::{JacobianMut, Problem};
use crate::result::FitResult;

/// A problem whose residuals are jointly affine in some of its parameters:
/// `r(p) = b(θ) + Σ_{s∈S} p_s·a_s(θ)`, with θ the parameters outside `S`.
pub trait Separable: Problem {
    /// The indices `S` (in the full parameter vector) of the parameters the
    /// residuals are jointly affine in. Parameters that also enter nonlinearly
    /// (a Shirley scale that multiplies the peak areas) must not be listed.
    fn linear_parameters(&self) -> Vec<usize>;

    /// Writes `b(θ)` (the residuals with every parameter of `S` at zero) into
    /// `base`, and `a_s(θ) = ∂r/∂p_s` for the parameters of `S`, in the order
    /// of [`linear_parameters`](Separable::linear_parameters), into `columns`
    /// (`m × |S|`, column-major). The entries of `p` in `S` are ignored.
    /// Returns `false` where θ lies outside the model's domain.
    fn affine_parts(&self, p: &[f64], base: &mut [f64], columns: &mut [f64]) -> bool;
}

/// Which free parameters are searched and which are solved for.
struct Split {
    /// Free index k of each searched (nonlinear) parameter.
    nonlinear: Vec<usize>,
    /// Free index k of each solved (linear) parameter.
    linear: Vec<usize>,
}

/// Fits a [`Separable`] problem by variable projection (see the module
/// docs); the result is in the full parameters, as from [`fit`](crate::fit).
/// Falls back to [`fit`](crate::fit) when there is nothing to project (no
/// varying linear parameter, or no varying nonlinear one).
///
/// ```
/// use interphase_fit::varpro::{fit_separable, Separable};
/// use interphase_fit::{JacobianMut, LmOptions, Parameters, Problem};
/// // y = c0 + c1·exp(−k·x): linear in c0 and c1, nonlinear in k
/// struct Decay { x: Vec<f64>, y: Vec<f64> }
/// impl Problem for Decay {
///     fn n_residuals(&self) -> usize { self.x.len() }
///     fn residuals(&self, p: &[f64], out: &mut [f64]) {
///         for ((o, &x), &y) in out.iter_mut().zip(&self.x).zip(&self.y) {
///             *o = p[0] + p[1] * (-p[2] * x).exp() - y;
///         }
///     }
/// }
/// impl Separable for Decay {
///     fn linear_parameters(&self) -> Vec<usize> { vec![0, 1] }
///     fn affine_parts(&self, p: &[f64], base: &mut [f64], cols: &mut [f64]) -> bool {
///         let m = self.x.len();
///         for i in 0..m {
///             base[i] = -self.y[i];
///             cols[i] = 1.0;
///             cols[m + i] = (-p[2] * self.x[i]).exp();
///         }
///         true
///     }
/// }
/// let x: Vec<f64> = (0..40).map(|i| i as f64 * 0.1).collect();
/// let y: Vec<f64> = x.iter().map(|x| 0.5 + 3.0 * (-1.3 * x).exp()).collect();
/// let p = Parameters::from_values(&[("c0", 0.0), ("c1", 0.0), ("k", 0.5)])?;
/// let r = fit_separable(&Decay { x, y }, &p, &LmOptions::default())?;
/// assert!((r.value("k").unwrap() - 1.3).abs() < 1e-8);
/// assert!((r.value("c1").unwrap() - 3.0).abs() < 1e-8);
/// # Ok::<(), interphase_fit::Error>(())
/// ```
pub fn fit_separable<P: Separable + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &LmOptions,
) -> Result<FitResult> {
    fit_separable_with_workspace(problem, params, options, &mut FitWorkspace::default())
}

/// [`fit_separable`] reusing the buffers of `workspace`.
pub fn fit_separable_with_workspace<P: Separable + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &LmOptions,
    workspace: &mut FitWorkspace,
) -> Result<FitResult> {
    options.validate()?;
    let map = Mapper::new(problem, params, options.derivatives)?;
    let Some(projected) = Projected::new(problem, &map) else {
        return fit_with_workspace(problem, params, options, workspace);
    };
    // the searched parameters, with their own bounds and no ties
    let mut inner = Parameters::new();
    for &k in &projected.split.nonlinear {
        let p = &params[map.free[k]];
        let mut q = Parameter::new(p.name(), map.full[map.free[k]]);
        if let Some(a) = p.min() {
            q = q.with_min(a);
        }
        if let Some(b) = p.max() {
            q = q.with_max(b);
        }
        inner.push(q)?;
    }
    let inner_options = LmOptions {
        uncertainties: false,
        robust_covariance: false,
        ..options.clone()
    };
    let searched = match fit_with_workspace(&projected, &inner, &inner_options, workspace) {
        Ok(r) => r,
        // the projection cannot start (a singular basis, a domain error
        // with zero areas): the full fit decides
        Err(_) => return fit_with_workspace(problem, params, options, workspace),
    };
    let theta = searched.values();
    let Some(state) = projected.solve(&theta) else {
        return fit_with_workspace(problem, params, options, workspace);
    };
    // the full solution as a starting point; linear values clamped into bounds
    let mut start = params.clone();
    let mut inside = true;
    for &i in &map.free {
        let p = &params[i];
        let v = state.full[i];
        let (lo, hi) = (
            p.min().unwrap_or(f64::NEG_INFINITY),
            p.max().unwrap_or(f64::INFINITY),
        );
        if !(v >= lo && v <= hi) {
            inside = false;
        }
        let name = p.name().to_string();
        start.set_value(&name, v.clamp(lo, hi))?;
    }
    start.resolve_ties()?;
    let mut result = if inside && searched.converged {
        let mut full_map = Mapper::new(problem, &start, options.derivatives)?;
        let x = full_map.initial_internal();
        full_map.set_internal(&x);
        let mut residuals = vec![0.0; full_map.m];
        full_map.problem.residuals(&full_map.full, &mut residuals);
        full_map.nfev += 1;
        finish(
            &mut full_map,
            params,
            &x,
            residuals,
            searched.termination,
            searched.n_iterations,
            options.uncertainties.then_some(options.scale_covariance),
            options.robust_covariance,
        )
    } else {
        let mut r = fit_with_workspace(problem, &start, options, workspace)?;
        // report the user's starting values, not the projected solution's
        for (pr, p) in r.params.iter_mut().zip(params.iter()) {
            pr.init = p.value();
        }
        r.n_iterations += searched.n_iterations;
        r
    };
    result.n_evaluations += searched.n_evaluations;
    result.n_jacobians += searched.n_jacobians;
    // a projected solution that the full problem cannot support (a linear
    // column that underflowed, so its coefficient ran off to ±huge and no
    // parameter has a finite positive variance) is not reported: the full
    // fit from the user's starting values decides, and says so
    let degenerate = result
        .params
        .iter()
        .any(|p| !p.value.is_finite() || p.value.abs() > 1e250)
        || (options.uncertainties && result.params.iter().any(|p| p.vary && p.stderr.is_none()));
    if degenerate {
        let mut full = fit_with_workspace(problem, params, options, workspace)?;
        full.n_evaluations += result.n_evaluations;
        full.n_jacobians += result.n_jacobians;
        full.warnings.push(
            "variable projection ended at a degenerate point (a linear coefficient without \
             a finite variance): the full fit from the starting values was used"
                .into(),
        );
        return Ok(full);
    }
    Ok(result)
}

/// `params` with every varying linear parameter (one the problem declares
/// linear, with no upper bound) replaced by its least-squares optimum at the
/// starting values of the others, within its lower bound: one linear solve,
/// no iterations. A parameter whose optimum lies on its lower bound keeps its
/// own starting value (a start on the bound would pin it there). A full fit from there no longer depends on the starting
/// areas. Returns `params` unchanged when there is nothing to solve for or
/// the solve is not possible at the start (a domain error, non-finite
/// columns).
pub fn linear_start<P: Separable + ?Sized>(problem: &P, params: &Parameters) -> Result<Parameters> {
    let map = Mapper::new(problem, params, crate::fitter::Derivatives::Auto)?;
    let Some(projected) = Projected::new(problem, &map) else {
        return Ok(params.clone());
    };
    let theta: Vec<f64> = projected
        .split
        .nonlinear
        .iter()
        .map(|&k| map.full[map.free[k]])
        .collect();
    let Some(state) = projected.solve(&theta) else {
        return Ok(params.clone());
    };
    let mut out = params.clone();
    for (j, &k) in projected.split.linear.iter().enumerate() {
        let i = map.free[k];
        let v = state.full[i];
        // an optimum on its lower bound keeps the user's start: the bound
        // transform is flat on the bound, and a fit started there could
        // not move the parameter away from it again
        if v > projected.lower[j] {
            let name = params[i].name().to_string();
            out.set_value(&name, v)?;
        }
    }
    out.resolve_ties()?;
    Ok(out)
}

/// The projected problem over the nonlinear free parameters.
struct Projected<'a, P: Separable + ?Sized> {
    problem: &'a P,
    m: usize,
    /// Full parameter values: fixed ones, and a template for the others.
    template: Vec<f64>,
    /// For each free k, the (full index, coefficient) pairs it drives (itself first).
    contrib: Vec<Vec<(usize, f64)>>,
    offsets: Vec<f64>,
    /// The problem's linear parameters, and each full index's position among them.
    lin_slots: Vec<usize>,
    position: Vec<Option<usize>>,
    /// Lower bound of each linear free parameter (−∞: none).
    lower: Vec<f64>,
    /// The last solve and its θ.
    cache: std::sync::Mutex<Option<(Vec<f64>, std::sync::Arc<State>)>>,
    /// The full Jacobian's buffer, kept between calls.
    jfull: std::sync::Mutex<Vec<f64>>,
    split: Split,
}

/// The linear solve at one θ.
struct State {
    /// Full parameter vector with c(θ) filled in.
    full: Vec<f64>,
    /// Projected residuals P⊥·b.
    residuals: Vec<f64>,
    /// The columns left free of their bounds, factorised.
    basis: Basis,
}

impl<'a, P: Separable + ?Sized> Projected<'a, P> {
    /// `None` when there is nothing to project.
    fn new(problem: &'a P, map: &Mapper<'_, P>) -> Option<Self> {
        let n_all = map.full.len();
        let lin_slots = problem.linear_parameters();
        // each full index's position among the linear parameters
        let mut position = vec![None; n_all];
        for (j, &s) in lin_slots.iter().enumerate() {
            match position.get_mut(s) {
                Some(slot @ None) => *slot = Some(j),
                // out of range or listed twice: not a usable declaration
                _ => return None,
            }
        }
        // the full parameter indices each free parameter drives
        let mut contrib: Vec<Vec<(usize, f64)>> =
            map.free.iter().map(|&i| vec![(i, 1.0)]).collect();
        let mut offsets = vec![0.0; n_all];
        for (i, role) in map.roles.iter().enumerate() {
            if let Role::Tied {
                root,
                factor,
                offset,
            } = *role
            {
                offsets[i] = offset;
                if let Role::Free(k) = map.roles[root] {
                    contrib[k].push((i, factor));
                }
            }
        }
        // linear: every index it drives is linear, and no upper bound (the
        // linear solve handles lower bounds only)
        let (linear, nonlinear): (Vec<usize>, Vec<usize>) = (0..map.free.len()).partition(|&k| {
            contrib[k].iter().all(|&(i, _)| position[i].is_some())
                && map.bounds[k].upper().is_none()
        });
        let lower = linear
            .iter()
            .map(|&k| map.bounds[k].lower().unwrap_or(f64::NEG_INFINITY))
            .collect();
        if linear.is_empty() || nonlinear.is_empty() {
            return None;
        }
        Some(Projected {
            problem,
            m: map.m,
            template: map.full.clone(),
            contrib,
            offsets,
            lin_slots,
            position,
            lower,
            cache: std::sync::Mutex::new(None),
            jfull: std::sync::Mutex::new(Vec::new()),
            split: Split { nonlinear, linear },
        })
    }

    /// Full parameters for θ (linear free parameters at zero, ties applied).
    fn full_at(&self, theta: &[f64], linear: Option<&[f64]>) -> Vec<f64> {
        let mut full = self.template.clone();
        let mut set = |k: usize, v: f64| {
            for (idx, &(i, c)) in self.contrib[k].iter().enumerate() {
                full[i] = if idx == 0 { v } else { c * v + self.offsets[i] };
            }
        };
        for (&k, &v) in self.split.nonlinear.iter().zip(theta) {
            set(k, v);
        }
        for (j, &k) in self.split.linear.iter().enumerate() {
            set(k, linear.map_or(0.0, |c| c[j]));
        }
        full
    }

    /// The columns of A (`m × n_linear`): each linear free parameter's
    /// columns through its ties. `None` if a tie reaches outside the linear set.
    fn linear_columns(&self, cols: &[f64]) -> Option<Vec<f64>> {
        let m = self.m;
        let mut a = vec![0.0; m * self.split.linear.len()];
        for (j, &k) in self.split.linear.iter().enumerate() {
            let dst = &mut a[j * m..(j + 1) * m];
            for &(i, c) in &self.contrib[k] {
                let pos = self.position[i]?;
                axpy(c, &cols[pos * m..(pos + 1) * m], dst);
            }
        }
        Some(a)
    }

    /// The solve at θ, from the last call's when θ is the same (the solver
    /// asks for the Jacobian where it last evaluated the residuals).
    fn solve_cached(&self, theta: &[f64]) -> Option<std::sync::Arc<State>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, s)) = cache.as_ref()
            && t.iter().zip(theta).all(|(a, b)| a.to_bits() == b.to_bits())
        {
            return Some(s.clone());
        }
        let s = std::sync::Arc::new(self.solve(theta)?);
        *cache = Some((theta.to_vec(), s.clone()));
        Some(s)
    }

    /// The linear least-squares solve at θ (c(θ) filled into `full`); `None`
    /// outside the domain or for non-finite numbers.
    fn solve(&self, theta: &[f64]) -> Option<State> {
        let m = self.m;
        let ns = self.lin_slots.len();
        let mut full = self.full_at(theta, None);
        let mut base = vec![0.0; m];
        let mut cols = vec![0.0; m * ns];
        if !self.problem.affine_parts(&full, &mut base, &mut cols) {
            return None;
        }
        // b' = b + Σ_s a_s·p_s for every linear slot's value at c = 0 (fixed
        // values, tie offsets, slots tied to nonlinear parameters)
        for (j, &s) in self.lin_slots.iter().enumerate() {
            let v = full[s];
            if v != 0.0 {
                axpy(v, &cols[j * m..(j + 1) * m], &mut base);
            }
        }
        // A: one column per linear free parameter, through its ties
        let nl = self.split.linear.len();
        let a = self.linear_columns(&cols)?;
        if !base.iter().chain(&a).all(|v| v.is_finite()) {
            return None;
        }
        let unbounded = Basis::new(m, a, &base);
        let c = unbounded.coefficients();
        let lower = &self.lower;
        let (basis, c, t) = if c.iter().zip(lower).all(|(&v, &lo)| v >= lo) {
            let t = unbounded.t.clone();
            (unbounded, c, t)
        } else {
            // bounded coefficients: c = lo + c', c' ≥ 0 (Lawson–Hanson), then the
            // projection onto the columns left free of their bounds
            let a = self.linear_columns(&cols)?;
            for (j, &lo) in lower.iter().enumerate() {
                if lo.is_finite() && lo != 0.0 {
                    axpy(lo, &a[j * m..(j + 1) * m], &mut base);
                }
            }
            let minus_b: Vec<f64> = base.iter().map(|v| -v).collect();
            let terms: Vec<LinearTerm> = (0..nl)
                .map(|j| LinearTerm {
                    column: &a[j * m..(j + 1) * m],
                    non_negative: lower[j].is_finite(),
                })
                .collect();
            let sol = nnls(&terms, &minus_b, None).ok()?;
            let passive: Vec<usize> = (0..nl).filter(|&j| sol.passive[j]).collect();
            let mut ap = Vec::with_capacity(m * passive.len());
            for &j in &passive {
                ap.extend_from_slice(&a[j * m..(j + 1) * m]);
            }
            let basis = Basis::new(m, ap, &base);
            let cp = basis.coefficients();
            let mut c: Vec<f64> = lower
                .iter()
                .map(|&lo| if lo.is_finite() { lo } else { 0.0 })
                .collect();
            for (&j, v) in passive.iter().zip(cp) {
                c[j] += v;
            }
            let t = basis.t.clone();
            (basis, c, t)
        };
        if !c.iter().all(|v| v.is_finite()) {
            return None;
        }
        full = self.full_at(theta, Some(&c));
        // r = Q·(0, t[rank..])
        let mut r = t;
        basis.project(&mut r);
        Some(State {
            full,
            residuals: r,
            basis,
        })
    }
}

/// The pivoted Householder QR of the linear columns (MINPACK layout) and
/// `t = Qᵀ b` for the right-hand side it was built with.
struct Basis {
    m: usize,
    n: usize,
    qr: Vec<f64>,
    ipvt: Vec<usize>,
    rdiag: Vec<f64>,
    rank: usize,
    t: Vec<f64>,
}

impl Basis {
    fn new(m: usize, mut a: Vec<f64>, b: &[f64]) -> Self {
        let n = a.len() / m;
        let (mut ipvt, mut rdiag, mut acnorm, mut wa) =
            (vec![0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        qrfac(m, n, &mut a, &mut ipvt, &mut rdiag, &mut acnorm, &mut wa);
        // numerical rank from R's diagonal (pivoted: non-increasing)
        let tol = rdiag.first().map_or(0.0, |r| r.abs()) * f64::EPSILON * m.max(n) as f64;
        let rank = rdiag.iter().take_while(|r| r.abs() > tol).count();
        let mut t = b.to_vec();
        let basis = Basis {
            m,
            n,
            qr: a,
            ipvt,
            rdiag,
            rank,
            t: Vec::new(),
        };
        basis.apply_qt(&mut t);
        Basis { t, ..basis }
    }

    /// The least-squares coefficients of min ‖b + A c‖ (zero for the columns
    /// beyond the numerical rank), in the original column order.
    fn coefficients(&self) -> Vec<f64> {
        let (m, rank) = (self.m, self.rank);
        let mut c = vec![0.0; self.n];
        for j in (0..rank).rev() {
            let mut s = -self.t[j];
            for (q, cq) in c.iter().enumerate().take(rank).skip(j + 1) {
                s -= self.qr[q * m + j] * cq;
            }
            c[j] = s / self.rdiag[j];
        }
        let mut out = vec![0.0; self.n];
        for (j, &p) in self.ipvt.iter().enumerate() {
            out[p] = c[j];
        }
        out
    }

    /// `v ← P⊥ v` for `v` already multiplied by Qᵀ: zero the leading rank
    /// entries and apply Q.
    fn project(&self, v: &mut [f64]) {
        v[..self.rank].iter_mut().for_each(|x| *x = 0.0);
        self.apply_q(v);
    }

    /// `v ← Qᵀ v`.
    fn apply_qt(&self, v: &mut [f64]) {
        for j in 0..self.n.min(self.m) {
            self.reflect(j, v);
        }
    }

    /// `v ← Q v`.
    fn apply_q(&self, v: &mut [f64]) {
        for j in (0..self.n.min(self.m)).rev() {
            self.reflect(j, v);
        }
    }

    /// One Householder reflection `I − u uᵀ/u₀` (MINPACK's form: u = qr[j.., j]).
    fn reflect(&self, j: usize, v: &mut [f64]) {
        let m = self.m;
        let col = &self.qr[j * m + j..(j + 1) * m];
        let ujj = col[0];
        if ujj != 0.0 {
            let s = dot(col, &v[j..m]);
            axpy(-s / ujj, col, &mut v[j..m]);
        }
    }
}

impl<P: Separable + ?Sized> Problem for Projected<'_, P> {
    fn n_residuals(&self) -> usize {
        self.m
    }

    fn n_params(&self) -> Option<usize> {
        Some(self.split.nonlinear.len())
    }

    fn residuals(&self, theta: &[f64], out: &mut [f64]) {
        match self.solve_cached(theta) {
            Some(s) => out.copy_from_slice(&s.residuals),
            None => out.iter_mut().for_each(|v| *v = f64::NAN),
        }
    }

    fn jacobian(&self, theta: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let Some(state) = self.solve_cached(theta) else {
            return false;
        };
        let m = self.m;
        let n_all = state.full.len();
        let mut jfull = self.jfull.lock().unwrap_or_else(|e| e.into_inner());
        jfull.clear();
        jfull.resize(m * n_all, 0.0);
        let ok = match JacobianMut::new(&mut jfull, m, n_all) {
            Ok(mut view) => self.problem.jacobian(&state.full, &mut view),
            Err(_) => false,
        };
        if !ok {
            return false;
        }
        let mut col = vec![0.0; m];
        for (j, &k) in self.split.nonlinear.iter().enumerate() {
            col.iter_mut().for_each(|v| *v = 0.0);
            for &(i, c) in &self.contrib[k] {
                axpy(c, &jfull[i * m..(i + 1) * m], &mut col);
            }
            // Kaufman: P⊥·∂r/∂θ
            state.basis.apply_qt(&mut col);
            state.basis.project(&mut col);
            jac.column(j).copy_from_slice(&col);
        }
        true
    }
}

/// `y += α·x`.
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}
