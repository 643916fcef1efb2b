//! Derivative-free and multi-start fallbacks through the same [`Problem`] trait.
//!
//! - [`nelder_mead`]: argmin's Nelder–Mead simplex (Nelder & Mead, Computer
//!   Journal 7 (1965) 308) on `χ² = Σ rᵢ²`, in the same bound-transformed
//!   internal variables as [`fit`](crate::fit), so bounds hold. Uncertainties are
//!   computed at the end exactly as for Levenberg–Marquardt.
//! - [`fit_multistart`]: Levenberg–Marquardt from the user's start and from
//!   pseudo-random starts (uniform within two bounds, log-uniform when both are
//!   positive and span more than three decades; otherwise the start scaled by
//!   10^U(−1,1)), run in parallel; the lowest χ² among converged fits wins.
//!   The starts come from a seeded SplitMix64 generator, so results are reproducible.
//!
//! ```
//! use interphase_fit::{fit_multistart, CurveFit, LmOptions, MultiStart, Parameter, Parameters};
//! // a sine whose frequency a local fit started at 1.0 would miss
//! let x: Vec<f64> = (0..200).map(|i| i as f64 * 0.05).collect();
//! let y: Vec<f64> = x.iter().map(|&x| (3.3 * x).sin()).collect();
//! let problem = CurveFit::new(&x, &y, |x, p: &[f64]| (p[0] * x).sin())?;
//! let mut params = Parameters::new();
//! params.push(Parameter::new("freq", 1.0).with_bounds(0.1, 5.0))?;
//! let r = fit_multistart(&problem, &params, &LmOptions::default(), &MultiStart::default())?;
//! assert!((r.value("freq").unwrap() - 3.3).abs() < 1e-8);
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use std::cell::{Cell, RefCell};

use argmin::core::{CostFunction, Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::neldermead::NelderMead;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fitter::{Derivatives, LmOptions, Mapper, finish, fit};
use crate::param::Parameters;
use crate::problem::Problem;
use crate::result::{FitResult, Termination};

/// Options of [`nelder_mead`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NelderMeadOptions {
    /// Maximum simplex iterations (default 5000).
    pub max_iterations: u64,
    /// Stop when the standard deviation of χ² over the simplex falls below this
    /// (default 10⁻¹²).
    pub sd_tolerance: f64,
    /// Initial simplex step, relative to `max(|u|, 1)` of each internal variable (default 0.1).
    pub initial_step: f64,
    /// Derivatives used for the final covariance.
    pub derivatives: Derivatives,
    /// Scale the covariance by χ²_ν (default true).
    pub scale_covariance: bool,
}

impl Default for NelderMeadOptions {
    fn default() -> Self {
        NelderMeadOptions {
            max_iterations: 5000,
            sd_tolerance: 1e-12,
            initial_step: 0.1,
            derivatives: Derivatives::Auto,
            scale_covariance: true,
        }
    }
}

struct Cost<'m, 'a, P: Problem + ?Sized> {
    map: &'m Mapper<'a, P>,
    full: RefCell<Vec<f64>>,
    r: RefCell<Vec<f64>>,
    nfev: Cell<usize>,
}

impl<P: Problem + ?Sized> CostFunction for Cost<'_, '_, P> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, u: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let mut full = self.full.borrow_mut();
        let mut r = self.r.borrow_mut();
        self.map.fill_full(u, &mut full);
        self.map.problem.residuals(&full, &mut r);
        self.nfev.set(self.nfev.get() + 1);
        let s: f64 = r.iter().map(|v| v * v).sum();
        // a large finite value keeps the simplex arithmetic free of inf − inf
        Ok(if s.is_finite() { s } else { 1e300 })
    }
}

/// Minimises `χ² = Σ rᵢ²` with the Nelder–Mead simplex (argmin), honouring bounds,
/// fixed values and ties; reports uncertainties like [`fit`](crate::fit).
pub fn nelder_mead<P: Problem + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &NelderMeadOptions,
) -> Result<FitResult> {
    if !(options.sd_tolerance.is_finite() && options.sd_tolerance > 0.0) {
        return Err(Error::Options(format!(
            "sd_tolerance = {} must be > 0",
            options.sd_tolerance
        )));
    }
    if !(options.initial_step.is_finite() && options.initial_step > 0.0) {
        return Err(Error::Options(format!(
            "initial_step = {} must be > 0",
            options.initial_step
        )));
    }
    let mut map = Mapper::new(problem, params, options.derivatives)?;
    let u0 = map.initial_internal();
    let m = map.m;
    let mut r0 = vec![0.0; m];
    map.set_internal(&u0);
    problem.residuals(&map.full, &mut r0);
    if let Some(index) = r0.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFiniteStart {
            what: "residual",
            index,
        });
    }
    let mut simplex = vec![u0.clone()];
    for k in 0..u0.len() {
        let mut v = u0.clone();
        v[k] += options.initial_step * u0[k].abs().max(1.0);
        simplex.push(v);
    }
    let cost = Cost {
        map: &map,
        full: RefCell::new(map.full.clone()),
        r: RefCell::new(vec![0.0; m]),
        nfev: Cell::new(0),
    };
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(options.sd_tolerance)
        .map_err(|e| Error::Minimizer(e.to_string()))?;
    let res = Executor::new(cost, solver)
        .configure(|s| s.max_iters(options.max_iterations))
        .run()
        .map_err(|e| Error::Minimizer(e.to_string()))?;
    let state = res.state();
    let best = state.get_best_param().cloned().unwrap_or(u0);
    let termination = match state.get_termination_status() {
        TerminationStatus::Terminated(TerminationReason::SolverConverged) => {
            Termination::SimplexConverged
        }
        _ => Termination::MaxIterations,
    };
    let iterations = state.get_iter() as usize;
    let nfev = res.problem().problem.as_ref().map_or(0, |c| c.nfev.get());
    map.nfev += nfev;
    let mut r = vec![0.0; m];
    map.set_internal(&best);
    problem.residuals(&map.full, &mut r);
    Ok(finish(
        &mut map,
        params,
        &best,
        r,
        termination,
        iterations,
        Some(options.scale_covariance),
        false,
    ))
}

/// Options of [`fit_multistart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiStart {
    /// Number of starts, the user's own included (default 16).
    pub n_starts: usize,
    /// Seed of the start generator (default 0x1F7E_2A5E).
    pub seed: u64,
}

impl Default for MultiStart {
    fn default() -> Self {
        MultiStart {
            n_starts: 16,
            seed: 0x1F7E_2A5E,
        }
    }
}

/// SplitMix64 (G. L. Steele, D. Lea, C. H. Flood, OOPSLA 2014): a tiny,
/// seeded, reproducible generator for multi-start searches (not for
/// cryptography; for simulation use [`crate::rng::Rng`], xoshiro256++ with
/// Gaussian and Poisson deviates).
///
/// ```
/// use interphase_fit::SplitMix64;
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// let u = a.next_f64();
/// assert!((0.0..1.0).contains(&u));
/// assert_eq!(u.to_bits(), b.next_f64().to_bits());
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next number, uniform in [0, 1) (53 random bits).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Levenberg–Marquardt from several starts in parallel; returns the converged fit
/// of lowest χ² (or, if none converged, the lowest χ² overall).
pub fn fit_multistart<P: Problem + ?Sized>(
    problem: &P,
    params: &Parameters,
    options: &LmOptions,
    multi: &MultiStart,
) -> Result<FitResult> {
    if multi.n_starts == 0 {
        return Err(Error::Options("n_starts must be at least 1".into()));
    }
    // validates everything once, with the user's start
    Mapper::new(problem, params, options.derivatives)?;
    let mut rng = SplitMix64::new(multi.seed);
    let mut starts = vec![params.clone()];
    for _ in 1..multi.n_starts {
        let mut p = params.clone();
        for i in 0..p.len() {
            let q = &p[i];
            if !q.vary() {
                continue;
            }
            let u = rng.next_f64();
            let v = match (q.min(), q.max()) {
                (Some(a), Some(b)) if a > 0.0 && b / a > 1e3 => (a.ln() + u * (b / a).ln()).exp(),
                (Some(a), Some(b)) => a + u * (b - a),
                _ => {
                    let s = 10f64.powf(2.0 * u - 1.0);
                    let v = if q.value() == 0.0 {
                        2.0 * u - 1.0
                    } else {
                        q.value() * s
                    };
                    v.clamp(q.min().unwrap_or(f64::MIN), q.max().unwrap_or(f64::MAX))
                }
            };
            let q = q.clone().with_value(v);
            p.replace(q)?;
        }
        starts.push(p);
    }
    let results: Vec<Result<FitResult>> = starts
        .par_iter()
        .map(|s| fit(problem, s, options))
        .collect();
    let mut best: Option<FitResult> = None;
    let mut first_err = None;
    for r in results {
        match r {
            Ok(r) => {
                let better = match &best {
                    None => true,
                    Some(b) => {
                        (r.converged && !b.converged)
                            || (r.converged == b.converged && r.chi_square < b.chi_square)
                    }
                };
                if better {
                    best = Some(r);
                }
            }
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match (best, first_err) {
        (Some(mut b), _) => {
            // report the user's starting values, not the winning random start
            for (pr, p) in b.params.iter_mut().zip(params) {
                pr.init = p.value();
            }
            Ok(b)
        }
        (None, Some(e)) => Err(e),
        (None, None) => Err(Error::Minimizer("no start produced a fit".into())),
    }
}
