//! Fitting a [`Problem`] with Levenberg–Marquardt: options, bounds, ties, covariance.
//!
//! # Bounds
//! Bounded parameters are mapped to unbounded internal variables with the
//! transforms of MINUIT (F. James, MINUIT Reference Manual, CERN D506, §1.3.1)
//! that lmfit also uses:
//! `p = min + (sin u + 1)(max − min)/2` for two bounds,
//! `p = min − 1 + √(u² + 1)` for a lower and `p = max + 1 − √(u² + 1)` for an
//! upper bound. Values therefore never leave their bounds. A starting value lying
//! exactly on a bound is moved inside by 10⁻⁹ of the range (or of `max(1, |p|)`),
//! because the transform's derivative vanishes there.
//!
//! # Covariance
//! The covariance is computed in the user's (external) parameters, not the
//! internal ones: `C = s²·(JᵀJ)⁻¹` with `J = ∂r/∂p` of the varying parameters at
//! the solution (through ties), `s² = χ²/(N − N_vary)` when
//! [`LmOptions::scale_covariance`] is on (lmfit's and scipy's default) and 1
//! otherwise. `(JᵀJ)⁻¹` comes from the SVD of the column-scaled `J`; when `J` is
//! rank-deficient no uncertainties are reported and a warning says so. Tied
//! parameters get `A·C·Aᵀ` where `A = ∂p_all/∂p_vary`. Parameters at a bound are
//! reported with a warning: their uncertainty assumes the bound is inactive.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lm::{
    LmCore, LmFunction, LmInfo, LmWorkspace, NORMAL_MIN_PIVOT_COVARIANCE, NORMAL_MIN_RATIO, enorm,
    gram, lmder, qrfac, scaled_cholesky,
};
use crate::param::{Parameters, Resolved, Role};
use crate::problem::{JacobianMut, Problem};
use crate::result::{FitResult, ParamResult, Termination};

/// How the Jacobian is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Derivatives {
    /// The problem's analytic Jacobian; forward differences if it has none.
    #[default]
    Auto,
    /// Forward differences, step `h = √ε·|p|` (`√ε` when `p = 0`; ε = 2.2·10⁻¹⁶, as
    /// MINPACK's `fdjac2`), flipped to a backward step at an upper bound. One extra
    /// evaluation per parameter.
    Forward,
    /// Central differences, step `h = ε^{1/3}·|p|` (`ε^{1/3}` when `p = 0`), one-sided
    /// near a bound.
    /// Two extra evaluations per parameter; error O(h²).
    Central,
}

/// Options of [`fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LmOptions {
    /// Stop when the relative reduction of χ² (actual and predicted) is below this.
    /// Default 1.49012·10⁻⁸ (scipy/lmfit's `leastsq`).
    pub ftol: f64,
    /// Stop when the relative change of the scaled parameters is below this.
    /// Default 1.49012·10⁻⁸.
    pub xtol: f64,
    /// Stop when the cosine between residuals and every Jacobian column is below this.
    /// Default 0.
    pub gtol: f64,
    /// Maximum residual evaluations outside Jacobians; default `1000·(N_vary + 1)`.
    pub max_evaluations: Option<usize>,
    /// Initial trust-region radius factor (MINPACK `factor`), default 100.
    pub step_bound: f64,
    /// Source of the Jacobian.
    pub derivatives: Derivatives,
    /// Scale the covariance by χ²_ν (default true). Turn off when the residuals are
    /// weighted by trustworthy σᵢ and the absolute covariance is wanted.
    pub scale_covariance: bool,
    /// Compute the covariance and standard errors at the solution (default
    /// true). Off saves one Jacobian and a factorisation per fit, for fits
    /// whose uncertainties nobody reads (the losing starts of a multi-start).
    #[serde(default = "default_true")]
    pub uncertainties: bool,
    /// The robust (sandwich) covariance instead of the model-based one
    /// (default false): `C = (JᵀJ)⁻¹·(Σᵢ rᵢ²/(1 − hᵢ)² · JᵢᵀJᵢ)·(JᵀJ)⁻¹`, the
    /// heteroscedasticity-consistent estimator HC3 of MacKinnon & White
    /// (J. Econometrics 29 (1985) 305; hᵢ = Jᵢ(JᵀJ)⁻¹Jᵢᵀ the leverage of point
    /// i), with J the Jacobian of the weighted residuals r at the solution.
    /// HC3 rather than White's plain HC0/HC1: on circuit fits the
    /// high-frequency points carry high leverage, and HC1 under-covered R₀
    /// (0.61 for a nominal 0.68; HC3 0.70: docs/eis.md). It
    /// stays right when the noise does not follow the weighting (e.g. noise
    /// proportional to each part of an impedance where the weights are
    /// 1/|Z|), at the price of more scatter in the error estimate itself.
    /// `scale_covariance` does not apply to it.
    #[serde(default)]
    pub robust_covariance: bool,
}

/// Whether every value is finite: 0·v summed in eight lanes is 0 for finite
/// values and NaN otherwise. No early exit, so the loop vectorises; with
/// `iter().all(is_finite)` the check of a 1000 × 12 Jacobian after every
/// evaluation took about 4 % of a four-Gaussian fit.
fn all_finite(v: &[f64]) -> bool {
    let mut lanes = [0.0f64; 8];
    let (blocks, rest) = v.as_chunks::<8>();
    for b in blocks {
        for (l, x) in lanes.iter_mut().zip(b) {
            *l += x * 0.0;
        }
    }
    lanes.iter().chain(rest).fold(0.0, |a, &x| a + x * 0.0) == 0.0
}

fn default_true() -> bool {
    true
}

impl Default for LmOptions {
    fn default() -> Self {
        LmOptions {
            ftol: 1.49012e-8,
            xtol: 1.49012e-8,
            gtol: 0.0,
            max_evaluations: None,
            step_bound: 100.0,
            derivatives: Derivatives::Auto,
            scale_covariance: true,
            uncertainties: true,
            robust_covariance: false,
        }
    }
}

impl LmOptions {
    /// Tight tolerances (`ftol = xtol = 10⁻¹⁵`) for reference-grade fits such as NIST StRD.
    pub fn precise() -> Self {
        LmOptions {
            ftol: 1e-15,
            xtol: 1e-15,
            ..Default::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("ftol", self.ftol),
            ("xtol", self.xtol),
            ("gtol", self.gtol),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::Options(format!(
                    "{name} = {v} must be finite and >= 0"
                )));
            }
        }
        if !(self.step_bound.is_finite() && self.step_bound > 0.0) {
            return Err(Error::Options(format!(
                "step_bound = {} must be > 0",
                self.step_bound
            )));
        }
        if self.max_evaluations == Some(0) {
            return Err(Error::Options("max_evaluations must be at least 1".into()));
        }
        Ok(())
    }
}

/// A bound transform of one free parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    None,
    Lower(f64),
    Upper(f64),
    Both(f64, f64),
}

impl Bound {
    fn new(min: Option<f64>, max: Option<f64>) -> Self {
        match (min, max) {
            (None, None) => Bound::None,
            (Some(a), None) => Bound::Lower(a),
            (None, Some(b)) => Bound::Upper(b),
            (Some(a), Some(b)) => Bound::Both(a, b),
        }
    }
    /// External value of internal `u`.
    pub fn ext(self, u: f64) -> f64 {
        match self {
            Bound::None => u,
            Bound::Lower(a) => a - 1.0 + (u * u + 1.0).sqrt(),
            Bound::Upper(b) => b + 1.0 - (u * u + 1.0).sqrt(),
            Bound::Both(a, b) => (a + (u.sin() + 1.0) * (b - a) / 2.0).clamp(a, b),
        }
    }
    /// Internal value of external `p` (moved off an exact bound).
    pub fn int(self, p: f64) -> f64 {
        let nudge = |scale: f64| 1e-9 * scale.abs().max(1.0);
        match self {
            Bound::None => p,
            Bound::Lower(a) => {
                let p = p.max(a + nudge(a));
                ((p - a + 1.0).powi(2) - 1.0).sqrt()
            }
            Bound::Upper(b) => {
                let p = p.min(b - nudge(b));
                ((b - p + 1.0).powi(2) - 1.0).sqrt()
            }
            Bound::Both(a, b) => {
                let h = 1e-9 * (b - a);
                let p = p.clamp(a + h, b - h);
                (2.0 * (p - a) / (b - a) - 1.0).clamp(-1.0, 1.0).asin()
            }
        }
    }
    /// dp/du.
    pub fn deriv(self, u: f64) -> f64 {
        match self {
            Bound::None => 1.0,
            Bound::Lower(_) => u / (u * u + 1.0).sqrt(),
            Bound::Upper(_) => -u / (u * u + 1.0).sqrt(),
            Bound::Both(a, b) => u.cos() * (b - a) / 2.0,
        }
    }
    pub(crate) fn upper(self) -> Option<f64> {
        match self {
            Bound::Upper(b) | Bound::Both(_, b) => Some(b),
            _ => None,
        }
    }
    pub(crate) fn lower(self) -> Option<f64> {
        match self {
            Bound::Lower(a) | Bound::Both(a, _) => Some(a),
            _ => None,
        }
    }
}

/// Maps the solver's internal free variables to the problem's full parameter
/// vector and back, and computes Jacobians (analytic through ties, or by finite
/// differences). Owns every buffer the iterations use.
pub(crate) struct Mapper<'a, P: Problem + ?Sized> {
    pub problem: &'a P,
    pub m: usize,
    pub roles: Vec<Role>,
    pub free: Vec<usize>,
    pub bounds: Vec<Bound>,
    /// For each free k, the (full index, coefficient) pairs it drives (itself first).
    contrib: Vec<Vec<(usize, f64)>>,
    pub full: Vec<f64>,
    offsets: Vec<f64>,
    jfull: Vec<f64>,
    rtmp: Vec<f64>,
    rtmp2: Vec<f64>,
    pub derivatives: Derivatives,
    analytic: Option<bool>,
    pub nfev: usize,
    pub njev: usize,
}

impl<'a, P: Problem + ?Sized> Mapper<'a, P> {
    pub fn new(problem: &'a P, params: &Parameters, derivatives: Derivatives) -> Result<Self> {
        for p in params {
            p.validate()?;
        }
        let resolved = Resolved::new(params)?;
        let n_all = params.len();
        if let Some(np) = problem.n_params()
            && np != n_all
        {
            return Err(Error::Dimension(format!(
                "the problem takes {np} parameters but {n_all} were given"
            )));
        }
        let m = problem.n_residuals();
        if m == 0 {
            return Err(Error::Data("the problem has no residuals".into()));
        }
        let nfree = resolved.free.len();
        if nfree == 0 {
            return Err(Error::NoFreeParameters);
        }
        if m < nfree {
            return Err(Error::Dimension(format!(
                "{m} residuals cannot determine {nfree} varying parameters"
            )));
        }
        let bounds: Vec<Bound> = resolved
            .free
            .iter()
            .map(|&i| Bound::new(params[i].min(), params[i].max()))
            .collect();
        let mut contrib: Vec<Vec<(usize, f64)>> =
            resolved.free.iter().map(|&i| vec![(i, 1.0)]).collect();
        let mut offsets = vec![0.0; n_all];
        for (i, role) in resolved.roles.iter().enumerate() {
            if let Role::Tied {
                root,
                factor,
                offset,
            } = *role
            {
                offsets[i] = offset;
                if let Role::Free(k) = resolved.roles[root] {
                    contrib[k].push((i, factor));
                }
            }
        }
        let mut full = params.values();
        for (i, role) in resolved.roles.iter().enumerate() {
            if let Role::Tied {
                root,
                factor,
                offset,
            } = *role
            {
                full[i] = factor * full[root] + offset;
            }
        }
        Ok(Mapper {
            problem,
            m,
            roles: resolved.roles,
            free: resolved.free,
            bounds,
            contrib,
            full,
            offsets,
            jfull: Vec::new(),
            rtmp: vec![0.0; m],
            rtmp2: vec![0.0; m],
            derivatives,
            analytic: None,
            nfev: 0,
            njev: 0,
        })
    }

    pub fn nfree(&self) -> usize {
        self.free.len()
    }

    /// Internal starting vector.
    pub fn initial_internal(&self) -> Vec<f64> {
        self.free
            .iter()
            .zip(&self.bounds)
            .map(|(&i, b)| b.int(self.full[i]))
            .collect()
    }

    /// Sets free external values and propagates ties.
    fn set_free_external(&mut self, k: usize, value: f64) {
        let Self {
            contrib,
            full,
            offsets,
            ..
        } = self;
        for (idx, &(i, c)) in contrib[k].iter().enumerate() {
            full[i] = if idx == 0 {
                value
            } else {
                c * value + offsets[i]
            };
        }
    }

    /// Writes the full parameter vector for internal point `u` into `full`
    /// (which must start as a copy of `self.full`, for fixed values).
    pub fn fill_full(&self, u: &[f64], full: &mut [f64]) {
        for (k, &uk) in u.iter().enumerate() {
            let v = self.bounds[k].ext(uk);
            for (idx, &(i, c)) in self.contrib[k].iter().enumerate() {
                full[i] = if idx == 0 { v } else { c * v + self.offsets[i] };
            }
        }
    }

    pub fn set_internal(&mut self, u: &[f64]) {
        for (k, &uk) in u.iter().enumerate() {
            let v = self.bounds[k].ext(uk);
            self.set_free_external(k, v);
        }
    }

    fn eval_full(&mut self, out: &mut [f64]) -> bool {
        self.nfev += 1;
        self.problem.residuals(&self.full, out);
        all_finite(out)
    }

    /// The Jacobian with respect to the free *external* parameters (`m × nfree`,
    /// column-major) at the current `full`, given residuals `f` there.
    pub fn jac_external(&mut self, f: &[f64], jac: &mut [f64]) -> bool {
        let m = self.m;
        let nfree = self.nfree();
        self.njev += 1;
        let try_analytic = self.derivatives == Derivatives::Auto && self.analytic != Some(false);
        if try_analytic && self.free.len() == self.full.len() {
            // every parameter is free and untied: the problem writes the Jacobian directly
            jac.iter_mut().for_each(|v| *v = 0.0);
            let ok = match JacobianMut::new(jac, m, nfree) {
                Ok(mut view) => self.problem.jacobian(&self.full, &mut view),
                Err(_) => false,
            };
            self.analytic = Some(ok);
            if ok {
                return all_finite(jac);
            }
        } else if try_analytic {
            let n_all = self.full.len();
            self.jfull.resize(m * n_all, 0.0);
            self.jfull.iter_mut().for_each(|v| *v = 0.0);
            let ok = match JacobianMut::new(&mut self.jfull, m, n_all) {
                Ok(mut view) => self.problem.jacobian(&self.full, &mut view),
                Err(_) => false,
            };
            self.analytic = Some(ok);
            if ok {
                for k in 0..nfree {
                    let col = &mut jac[k * m..(k + 1) * m];
                    col.iter_mut().for_each(|v| *v = 0.0);
                    for &(i, c) in &self.contrib[k] {
                        let src = &self.jfull[i * m..(i + 1) * m];
                        for (d, s) in col.iter_mut().zip(src) {
                            *d += c * s;
                        }
                    }
                }
                return all_finite(jac);
            }
        }
        // finite differences in the external free parameters
        let central = self.derivatives == Derivatives::Central;
        let mut rt = std::mem::take(&mut self.rtmp);
        let mut rt2 = std::mem::take(&mut self.rtmp2);
        let mut ok = true;
        for k in 0..nfree {
            let i0 = self.free[k];
            let p0 = self.full[i0];
            let b = self.bounds[k];
            let base = if central {
                f64::EPSILON.cbrt()
            } else {
                f64::EPSILON.sqrt()
            };
            let mut h = if p0 == 0.0 { base } else { base * p0.abs() };
            let room_up = b.upper().map_or(f64::INFINITY, |u| u - p0);
            let room_down = b.lower().map_or(f64::INFINITY, |l| p0 - l);
            let col = &mut jac[k * m..(k + 1) * m];
            if central && room_up >= h && room_down >= h {
                self.set_free_external(k, p0 + h);
                ok &= self.eval_full(&mut rt);
                self.set_free_external(k, p0 - h);
                ok &= self.eval_full(&mut rt2);
                for i in 0..m {
                    col[i] = (rt[i] - rt2[i]) / (2.0 * h);
                }
            } else {
                if room_up < h && room_down > room_up {
                    h = -h.min(room_down);
                } else {
                    h = h.min(room_up.max(f64::MIN_POSITIVE));
                }
                self.set_free_external(k, p0 + h);
                ok &= self.eval_full(&mut rt);
                for i in 0..m {
                    col[i] = (rt[i] - f[i]) / h;
                }
            }
            self.set_free_external(k, p0);
        }
        self.rtmp = rt;
        self.rtmp2 = rt2;
        ok && all_finite(jac)
    }

    /// `A = ∂p_all/∂p_free` applied: covariance of all parameters from that of the free ones.
    pub fn propagate_covariance(&self, cfree: &DMatrix<f64>) -> Vec<Vec<f64>> {
        let n_all = self.full.len();
        let nfree = self.nfree();
        let mut a = DMatrix::<f64>::zeros(n_all, nfree);
        for k in 0..nfree {
            for &(i, c) in &self.contrib[k] {
                a[(i, k)] = c;
            }
        }
        let full = &a * cfree * a.transpose();
        (0..n_all)
            .map(|i| (0..n_all).map(|j| full[(i, j)]).collect())
            .collect()
    }
}

impl<P: Problem + ?Sized> LmFunction for Mapper<'_, P> {
    fn eval(&mut self, x: &[f64], fvec: &mut [f64]) -> bool {
        self.set_internal(x);
        self.eval_full(fvec)
    }
    fn jac(&mut self, x: &[f64], fvec: &[f64], fjac: &mut [f64]) -> bool {
        self.set_internal(x);
        if !self.jac_external(fvec, fjac) {
            return false;
        }
        let m = self.m;
        for k in 0..x.len() {
            let d = self.bounds[k].deriv(x[k]);
            if !matches!(self.bounds[k], Bound::None) {
                fjac[k * m..(k + 1) * m].iter_mut().for_each(|v| *v *= d);
            }
        }
        true
    }
}

/// Reusable buffers for repeated fits (batch fitting keeps one per thread).
#[derive(Debug, Default, Clone)]
pub struct FitWorkspace {
    pub(crate) lm: LmWorkspace,
}

/// Fits `problem` from the starting values in `params`.
///
/// Returns an error for invalid parameters or options, size mismatches, and
/// residuals that are not finite at the start. A fit that runs out of
/// evaluations is not an error: the result says `converged: false`.
///
/// ```
/// use interphase_fit::{fit, CurveFit, LmOptions, Parameter, Parameters};
/// let x = [0.0, 1.0, 2.0, 3.0, 4.0];
/// let y = [1.0, 3.1, 4.9, 7.2, 8.9];
/// let line = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] + p[1] * x)?
///     .with_gradient(|x, _p, g| { g[0] = 1.0; g[1] = x; });
/// let mut params = Parameters::new();
/// params.push(Parameter::new("intercept", 0.0))?;
/// params.push(Parameter::new("slope", 1.0).with_min(0.0))?;
/// let r = fit(&line, &params, &LmOptions::default())?;
/// assert!(r.converged);
/// assert!((r.value("slope").unwrap() - 1.99).abs() < 1e-9);
/// println!("{r}");
/// # Ok::<(), interphase_fit::Error>(())
/// ```
pub fn fit<P: Problem + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &LmOptions,
) -> Result<FitResult> {
    fit_with_workspace(problem, params, options, &mut FitWorkspace::default())
}

/// [`fit`] reusing the buffers of `workspace`.
pub fn fit_with_workspace<P: Problem + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &LmOptions,
    workspace: &mut FitWorkspace,
) -> Result<FitResult> {
    options.validate()?;
    let mut map = Mapper::new(problem, params, options.derivatives)?;
    let (m, n) = (map.m, map.nfree());
    let ws = &mut workspace.lm;
    ws.resize(m, n);
    let mut x = map.initial_internal();
    map.set_internal(&x);
    let mut f0 = std::mem::take(&mut ws.fvec);
    let ok = map.eval_full(&mut f0);
    if !ok {
        let index = f0.iter().position(|v| !v.is_finite()).unwrap_or(0);
        return Err(Error::NonFiniteStart {
            what: "residual",
            index,
        });
    }
    ws.fvec = f0;
    let core = LmCore {
        ftol: options.ftol,
        xtol: options.xtol,
        gtol: options.gtol,
        max_eval: options.max_evaluations.unwrap_or(1000 * (n + 1)),
        factor: options.step_bound,
    };
    let out = lmder(&mut map, &mut x, ws, core);
    if out.info == LmInfo::NonFiniteJacobian && out.njev == 1 {
        let mut j = vec![0.0; m * n];
        map.set_internal(&x);
        let f = ws.fvec.clone();
        map.jac_external(&f, &mut j);
        let index = j.iter().position(|v| !v.is_finite()).unwrap_or(0) % m;
        return Err(Error::NonFiniteStart {
            what: "Jacobian",
            index,
        });
    }
    let termination = match out.info {
        LmInfo::Ftol => Termination::FtolReached,
        LmInfo::Xtol => Termination::XtolReached,
        LmInfo::FtolXtol => Termination::FtolAndXtolReached,
        LmInfo::Gtol => Termination::GtolReached,
        LmInfo::MaxEval => Termination::MaxEvaluations,
        LmInfo::FtolTooSmall => Termination::FtolAtMachinePrecision,
        LmInfo::XtolTooSmall => Termination::XtolAtMachinePrecision,
        LmInfo::GtolTooSmall => Termination::GtolAtMachinePrecision,
        LmInfo::NonFiniteJacobian => Termination::NonFiniteJacobian,
    };
    let residuals = ws.fvec.clone();
    Ok(finish(
        &mut map,
        params,
        &x,
        residuals,
        termination,
        out.iterations,
        options.uncertainties.then_some(options.scale_covariance),
        options.robust_covariance,
    ))
}

/// Builds the [`FitResult`] at internal point `x` with residuals `residuals`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish<P: Problem + ?Sized>(
    map: &mut Mapper<'_, P>,
    params: &Parameters,
    x: &[f64],
    residuals: Vec<f64>,
    termination: Termination,
    iterations: usize,
    scale_covariance: Option<bool>,
    robust: bool,
) -> FitResult {
    map.set_internal(x);
    let (m, n) = (map.m, map.nfree());
    let chi_square = enorm(&residuals).powi(2);
    let dof = m - n;
    let reduced = if dof > 0 {
        chi_square / dof as f64
    } else {
        f64::NAN
    };
    let mut warnings = Vec::new();

    // covariance from the external Jacobian at the solution (None: not wanted)
    let mut jac = if scale_covariance.is_some() {
        vec![0.0; m * n]
    } else {
        Vec::new()
    };
    let covariance = if scale_covariance.is_none() {
        None
    } else if !map.jac_external(&residuals, &mut jac) {
        warnings.push("the Jacobian is not finite at the solution: no uncertainties".into());
        None
    } else if dof == 0 {
        warnings.push("no degrees of freedom (N = N_vary): no uncertainties".into());
        None
    } else {
        match inverse_normal_matrix(m, n, &jac) {
            Some(c) if robust => {
                Some(map.propagate_covariance(&sandwich(m, n, &jac, &residuals, &c)))
            }
            Some(mut c) => {
                let s2 = if scale_covariance == Some(true) {
                    reduced
                } else {
                    1.0
                };
                c *= s2;
                Some(map.propagate_covariance(&c))
            }
            None => {
                warnings.push(
                    "the Jacobian is rank-deficient at the solution (a parameter has no effect \
                     or two are redundant): no uncertainties"
                        .into(),
                );
                None
            }
        }
    };

    let mut out = Vec::with_capacity(params.len());
    for (i, p) in params.iter().enumerate() {
        let value = map.full[i];
        let vary = matches!(map.roles[i], Role::Free(_));
        let stderr = match (&covariance, map.roles[i]) {
            (_, Role::Fixed) => None,
            // a variance that is not positive (a parameter tied to a fixed
            // one, or one whose column vanished in rounding) has no σ: never "± 0"
            (Some(c), _) if c[i][i] > 0.0 && c[i][i].is_finite() => Some(c[i][i].sqrt()),
            (Some(_), Role::Free(_)) => {
                warnings.push(format!(
                    "parameter '{}' has no positive variance at the solution: no uncertainty",
                    p.name()
                ));
                None
            }
            _ => None,
        };
        let tie = p
            .tie()
            .map(|t| format!("{}*{} + {}", t.factor, t.reference, t.offset));
        if vary {
            let scale = match (p.min(), p.max()) {
                (Some(a), Some(b)) => b - a,
                _ => value.abs().max(1.0),
            };
            for (bound, which) in [(p.min(), "lower"), (p.max(), "upper")] {
                if let Some(b) = bound
                    && (value - b).abs() <= 1e-6 * scale
                {
                    warnings.push(format!(
                        "parameter '{}' is at its {which} bound {b}: its uncertainty assumes \
                         the bound is inactive",
                        p.name()
                    ));
                }
            }
        }
        out.push(ParamResult {
            name: p.name().to_string(),
            value,
            stderr,
            init: p.value(),
            vary,
            min: p.min(),
            max: p.max(),
            tie,
        });
    }
    if !termination.converged() {
        warnings.push(format!("not converged: {}", termination.message()));
    }
    let nf = m as f64;
    let ln_chi = (chi_square / nf).max(f64::MIN_POSITIVE).ln();
    let aic = nf * ln_chi + 2.0 * n as f64;
    let bic = nf * ln_chi + nf.ln() * n as f64;
    let r_squared = r_squared(map.problem, chi_square);
    let robust_covariance = robust && covariance.is_some();
    FitResult {
        params: out,
        covariance,
        chi_square,
        reduced_chi_square: reduced,
        n_data: m,
        n_varying: n,
        dof,
        r_squared,
        aic,
        bic,
        n_iterations: iterations,
        n_evaluations: map.nfev,
        n_jacobians: map.njev,
        termination,
        converged: termination.converged(),
        covariance_scaled: scale_covariance == Some(true) && !robust,
        robust_covariance,
        residuals,
        warnings,
    }
}

/// The sandwich covariance `A·B·A` with `A = (JᵀJ)⁻¹` and
/// `B = Σᵢ rᵢ²/(1 − hᵢ)² · JᵢᵀJᵢ`, hᵢ = Jᵢ·A·Jᵢᵀ the leverage of point i
/// (HC3; column-major m × n `jac`; see [`LmOptions::robust_covariance`]).
fn sandwich(m: usize, n: usize, jac: &[f64], r: &[f64], a: &DMatrix<f64>) -> DMatrix<f64> {
    let w: Vec<f64> = (0..m)
        .map(|i| {
            let mut h = 0.0;
            for p in 0..n {
                for q in 0..n {
                    h += jac[p * m + i] * a[(p, q)] * jac[q * m + i];
                }
            }
            // h < 1 for a full-rank J; a point that alone determines a
            // parameter (h → 1) gets no weight rather than an infinite one
            let d = (1.0 - h).max(f64::EPSILON.sqrt());
            r[i] * r[i] / (d * d)
        })
        .collect();
    let mut b = DMatrix::<f64>::zeros(n, n);
    for p in 0..n {
        let cp = &jac[p * m..(p + 1) * m];
        for q in p..n {
            let cq = &jac[q * m..(q + 1) * m];
            let v: f64 = (0..m).map(|i| w[i] * cp[i] * cq[i]).sum();
            b[(p, q)] = v;
            b[(q, p)] = v;
        }
    }
    a * b * a
}

pub(crate) fn r_squared<P: Problem + ?Sized>(problem: &P, chi_square: f64) -> Option<f64> {
    let y = problem.observed()?;
    let w = problem.weights();
    let wi = |i: usize| w.map_or(1.0, |w| w[i]);
    let (mut sw, mut swy) = (0.0, 0.0);
    for (i, yi) in y.iter().enumerate() {
        let w2 = wi(i) * wi(i);
        sw += w2;
        swy += w2 * yi;
    }
    let mean = swy / sw;
    let tss: f64 = y
        .iter()
        .enumerate()
        .map(|(i, yi)| (wi(i) * (yi - mean)).powi(2))
        .sum();
    (tss > 0.0).then(|| 1.0 - chi_square / tss)
}

/// `(JᵀJ)⁻¹` for a column-major `m × n` Jacobian: the columns are scaled to unit
/// norm, factorised `J·D⁻¹·P = Q·R` (pivoted Householder QR), and `R` (n × n) is
/// inverted through its SVD, so `JᵀJ` is never formed and rank deficiency is
/// detected from the singular values. `None` when numerically rank-deficient.
pub(crate) fn inverse_normal_matrix(m: usize, n: usize, jac: &[f64]) -> Option<DMatrix<f64>> {
    (m >= NORMAL_MIN_RATIO * n)
        .then(|| normal_inverse(m, n, jac))
        .flatten()
        .or_else(|| qr_inverse(m, n, jac))
}

/// (JᵀJ)⁻¹ by column-scaled pivoted QR and the SVD of R, which also decides
/// rank deficiency (singular values below ε·max(m, n)·σ_max).
fn qr_inverse(m: usize, n: usize, jac: &[f64]) -> Option<DMatrix<f64>> {
    let mut a = jac.to_vec();
    let mut scale = vec![1.0; n];
    for k in 0..n {
        let col = &mut a[k * m..(k + 1) * m];
        let norm = enorm(col);
        if norm == 0.0 || !norm.is_finite() {
            return None;
        }
        scale[k] = norm;
        col.iter_mut().for_each(|v| *v /= norm);
    }
    let (mut ipvt, mut rdiag, mut acnorm, mut wa) =
        (vec![0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    qrfac(m, n, &mut a, &mut ipvt, &mut rdiag, &mut acnorm, &mut wa);
    // R in the pivoted order; (JᵀJ)⁻¹ = D⁻¹ P (RᵀR)⁻¹ Pᵀ D⁻¹
    let r = DMatrix::from_fn(n, n, |i, j| match i.cmp(&j) {
        std::cmp::Ordering::Less => a[j * m + i],
        std::cmp::Ordering::Equal => rdiag[j],
        std::cmp::Ordering::Greater => 0.0,
    });
    let svd = r.svd(false, true);
    let v_t = svd.v_t?;
    let s = &svd.singular_values;
    let smax = s.iter().cloned().fold(0.0, f64::max);
    let tol = smax * f64::EPSILON * (m.max(n) as f64);
    if s.iter().any(|&x| x <= tol) {
        return None;
    }
    let mut c = DMatrix::<f64>::zeros(n, n);
    for a in 0..n {
        for b in 0..n {
            let mut sum = 0.0;
            for k in 0..s.len() {
                sum += v_t[(k, a)] * v_t[(k, b)] / (s[k] * s[k]);
            }
            let (pa, pb) = (ipvt[a], ipvt[b]);
            c[(pa, pb)] = sum / (scale[pa] * scale[pb]);
        }
    }
    Some(c)
}

/// (JᵀJ)⁻¹ from the normal equations when J is tall and well conditioned:
/// G = JᵀJ, the column-scaled pivoted Cholesky Pᵀ(SGS)P = R̃ᵀR̃
/// ([`scaled_cholesky`]), then (JᵀJ)⁻¹ = S·P·R̃⁻¹R̃⁻ᵀ·Pᵀ·S. `None` when a
/// scaled pivot is below the threshold (condition number above about 10⁴):
/// the caller then takes the QR and SVD route, which also decides rank
/// deficiency. With the threshold met the result is accurate to about
/// ε·κ² ≤ 10⁻⁸ relative.
fn normal_inverse(m: usize, n: usize, jac: &[f64]) -> Option<DMatrix<f64>> {
    let mut a = vec![0.0; n * n];
    gram(m, n, jac, &mut a);
    let (mut scale, mut ipvt) = (vec![0.0; n], vec![0; n]);
    if !scaled_cholesky(
        n,
        &mut a,
        &mut scale,
        &mut ipvt,
        NORMAL_MIN_PIVOT_COVARIANCE,
    ) {
        return None;
    }
    // R̃⁻¹ (upper triangular), column by column
    let mut rinv = vec![0.0; n * n];
    for j in 0..n {
        rinv[j * n + j] = 1.0 / a[j * n + j];
        for i in (0..j).rev() {
            let sum: f64 = (i + 1..=j).map(|k| a[i * n + k] * rinv[k * n + j]).sum();
            rinv[i * n + j] = -sum / a[i * n + i];
        }
    }
    let mut c = DMatrix::<f64>::zeros(n, n);
    for p in 0..n {
        for q in p..n {
            // (R̃⁻¹R̃⁻ᵀ)[p][q] = Σ_k R̃⁻¹[p][k]·R̃⁻¹[q][k], k ≥ q
            let v: f64 = (q..n).map(|k| rinv[p * n + k] * rinv[q * n + k]).sum();
            let (pa, pb) = (ipvt[p], ipvt[q]);
            let v = v / (scale[pa] * scale[pb]);
            c[(pa, pb)] = v;
            c[(pb, pa)] = v;
        }
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_finite_finds_any_nan_or_infinity() {
        for n in 0..20 {
            let v: Vec<f64> = (0..n).map(|i| (i as f64 - 7.0) * 1e300).collect();
            assert!(all_finite(&v), "n {n}");
            for at in 0..n {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    let mut w = v.clone();
                    w[at] = bad;
                    assert!(!all_finite(&w), "n {n}: {bad} at {at}");
                }
            }
        }
    }

    #[test]
    fn normal_and_qr_covariances_agree_and_ill_conditioning_falls_back() {
        let (m, n) = (50, 4);
        let mut rng = crate::SplitMix64::new(3);
        let mut u = || rng.next_f64() - 0.5;
        let mut jac: Vec<f64> = (0..m * n).map(|_| u()).collect();
        for j in 0..n {
            let s = 10f64.powi(2 * j as i32 - 3);
            jac[j * m..(j + 1) * m].iter_mut().for_each(|v| *v *= s);
        }
        let a = normal_inverse(m, n, &jac).expect("well conditioned");
        let b = qr_inverse(m, n, &jac).expect("full rank");
        for p in 0..n {
            for q in 0..n {
                let scale = (b[(p, p)] * b[(q, q)]).sqrt();
                assert!((a[(p, q)] - b[(p, q)]).abs() <= 1e-10 * scale, "({p}, {q})");
            }
        }
        // nearly collinear columns (scaled condition ~10⁶): the normal route
        // declines and the QR/SVD one answers
        for i in 0..m {
            jac[m + i] = jac[i] * 10.0 * (1.0 + 1e-6 * u());
        }
        assert!(normal_inverse(m, n, &jac).is_none());
        assert!(inverse_normal_matrix(m, n, &jac).is_some());
    }
}
