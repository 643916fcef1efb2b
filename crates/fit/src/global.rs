//! Global fits: several datasets, each with its own model, sharing named parameters.
//!
//! A depth-profile series sharing peak widths, or a temperature series sharing
//! CPE exponents, is one least-squares problem whose residual vector is the
//! concatenation of the datasets' residuals. Each dataset names, in its own
//! parameter order, the global parameters it uses; a name used by several
//! datasets is shared.
//!
//! ```
//! use interphase_fit::{fit, CurveFit, GlobalProblem, LmOptions, Parameters};
//! // two exponential decays with a shared rate
//! let x: Vec<f64> = (0..30).map(|i| i as f64 * 0.2).collect();
//! let y1: Vec<f64> = x.iter().map(|&x| 3.0 * (-0.7 * x).exp()).collect();
//! let y2: Vec<f64> = x.iter().map(|&x| 5.0 * (-0.7 * x).exp()).collect();
//! let model = |x: f64, p: &[f64]| p[0] * (-p[1] * x).exp();
//! let params = Parameters::from_values(&[("a1", 1.0), ("a2", 1.0), ("rate", 0.3)])?;
//! let mut global = GlobalProblem::new(&params);
//! global.add(CurveFit::new(&x, &y1, model)?, &["a1", "rate"])?;
//! global.add(CurveFit::new(&x, &y2, model)?, &["a2", "rate"])?;
//! let r = fit(&global, &params, &LmOptions::default())?;
//! assert!((r.value("rate").unwrap() - 0.7).abs() < 1e-8);
//! assert_eq!(global.dataset_range(1), Some(30..60));
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use std::ops::Range;

use crate::error::{Error, Result};
use crate::fitter::r_squared;
use crate::param::Parameters;
use crate::problem::{JacobianMut, Problem};
use crate::result::{FitResult, ParamResult};

struct Dataset<'a> {
    problem: Box<dyn Problem + 'a>,
    map: Vec<usize>,
    row0: usize,
    m: usize,
}

/// Datasets sharing parameters, fitted as one [`Problem`].
pub struct GlobalProblem<'a> {
    names: Vec<String>,
    datasets: Vec<Dataset<'a>>,
    m: usize,
    observed: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
    any_observed_missing: bool,
    any_weights: bool,
}

/// Local parameter vectors up to this size are assembled on the stack.
const STACK_PARAMS: usize = 64;

impl<'a> GlobalProblem<'a> {
    /// An empty global problem over the parameter names of `params`.
    pub fn new(params: &Parameters) -> Self {
        GlobalProblem {
            names: params.names().into_iter().map(String::from).collect(),
            datasets: Vec::new(),
            m: 0,
            observed: Some(Vec::new()),
            weights: None,
            any_observed_missing: false,
            any_weights: false,
        }
    }

    /// Adds a dataset whose problem takes the global parameters `names`, in its
    /// own parameter order. Errors for unknown or repeated names, or a count that
    /// differs from the problem's own.
    pub fn add(&mut self, problem: impl Problem + 'a, names: &[&str]) -> Result<&mut Self> {
        let d = self.datasets.len();
        if let Some(np) = problem.n_params()
            && np != names.len()
        {
            return Err(Error::Dimension(format!(
                "dataset {d}: the problem takes {np} parameters but {} names were given",
                names.len()
            )));
        }
        let mut map = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let g = self.names.iter().position(|n| n == name).ok_or_else(|| {
                Error::UnknownParameter(format!("{name} (dataset {d}, local {j})"))
            })?;
            if map.contains(&g) {
                return Err(Error::Parameter {
                    name: (*name).into(),
                    reason: format!("used twice by dataset {d}; tie parameters instead"),
                });
            }
            map.push(g);
        }
        let m = problem.n_residuals();
        if m == 0 {
            return Err(Error::Data(format!("dataset {d} has no residuals")));
        }
        // keep observed data and weights when every dataset has them
        match (problem.observed(), &mut self.observed) {
            (Some(y), Some(all)) if !self.any_observed_missing => all.extend_from_slice(y),
            _ => {
                self.any_observed_missing = true;
                self.observed = None;
            }
        }
        let w = problem.weights();
        if w.is_some() || self.any_weights {
            let all = self.weights.get_or_insert_with(|| vec![1.0; self.m]);
            match w {
                Some(w) => all.extend_from_slice(w),
                None => all.extend(std::iter::repeat_n(1.0, m)),
            }
            self.any_weights = true;
        }
        self.datasets.push(Dataset {
            problem: Box::new(problem),
            map,
            row0: self.m,
            m,
        });
        self.m += m;
        Ok(self)
    }

    /// The global name of parameter `name` of dataset `d` in the naming the
    /// domain crates' global fits use: `name` itself when it is in `shared`,
    /// `name@d` otherwise (e.g. `Ti4+.sigma`, `Ti3+.area@2`).
    pub fn parameter_name(name: &str, d: usize, shared: &[&str]) -> String {
        if shared.contains(&name) {
            name.to_string()
        } else {
            format!("{name}@{d}")
        }
    }

    /// Checks the names a global fit is asked to share: each must be one of
    /// `parameters` (the model of `owner`, as the message calls it) and appear
    /// once. The `Err` is the message for the caller's own error type.
    pub fn check_shared(
        parameters: &[&str],
        shared: &[&str],
        owner: &str,
    ) -> std::result::Result<(), String> {
        for (i, s) in shared.iter().enumerate() {
            if !parameters.contains(s) {
                return Err(format!(
                    "global fit: shared parameter `{s}` is not a parameter of {owner} ({})",
                    parameters.join(", ")
                ));
            }
            if shared[..i].contains(s) {
                return Err(format!("global fit: shared parameter `{s}` is named twice"));
            }
        }
        Ok(())
    }

    /// Number of datasets.
    pub fn n_datasets(&self) -> usize {
        self.datasets.len()
    }

    /// The residual indices of dataset `d` in the global residual vector
    /// (to split [`FitResult::residuals`](crate::FitResult::residuals)).
    pub fn dataset_range(&self, d: usize) -> Option<Range<usize>> {
        self.datasets.get(d).map(|s| s.row0..s.row0 + s.m)
    }

    /// The result of dataset `d` alone, cut out of the global fit's `result`:
    /// its parameters renamed to `local_names` (in the dataset's own order, as
    /// given to [`add`](Self::add)), their standard errors and the covariance
    /// block from the global fit, the dataset's own residuals, and statistics
    /// recomputed over its points: χ² = Σ rᵢ² over its rows, N its points,
    /// N_vary the free parameters it uses (shared ones counted in every dataset
    /// that uses them), dof = N − N_vary, AIC = N ln(χ²/N) + 2 N_vary,
    /// BIC = N ln(χ²/N) + ln(N) N_vary, R² against its own data. Iterations,
    /// evaluations, termination, warnings and the covariance scaling are the
    /// global fit's (the covariance was scaled by the global reduced χ² when
    /// `scale_covariance` was on).
    ///
    /// Errors: no dataset `d`, a name count that differs from the dataset's
    /// parameter count, or a `result` that does not come from this problem
    /// (wrong parameter or residual count).
    pub fn dataset_result(
        &self,
        d: usize,
        result: &FitResult,
        local_names: &[&str],
    ) -> Result<FitResult> {
        let s = self.datasets.get(d).ok_or_else(|| {
            Error::Dimension(format!("no dataset {d} (of {})", self.datasets.len()))
        })?;
        if local_names.len() != s.map.len() {
            return Err(Error::Dimension(format!(
                "dataset {d} takes {} parameters but {} local names were given",
                s.map.len(),
                local_names.len()
            )));
        }
        if result.params.len() != self.names.len() || result.residuals.len() != self.m {
            return Err(Error::Dimension(format!(
                "the result has {} parameters and {} residuals; this global problem {} and {}",
                result.params.len(),
                result.residuals.len(),
                self.names.len(),
                self.m
            )));
        }
        let params: Vec<ParamResult> = s
            .map
            .iter()
            .zip(local_names)
            .map(|(&g, name)| ParamResult {
                name: (*name).to_string(),
                ..result.params[g].clone()
            })
            .collect();
        let covariance = result.covariance.as_ref().map(|c| {
            s.map
                .iter()
                .map(|&a| s.map.iter().map(|&b| c[a][b]).collect())
                .collect()
        });
        let residuals = result.residuals[s.row0..s.row0 + s.m].to_vec();
        let chi_square: f64 = residuals.iter().map(|r| r * r).sum();
        let n_varying = params.iter().filter(|p| p.vary).count();
        let dof = s.m.saturating_sub(n_varying);
        let nf = s.m as f64;
        let ln_chi = (chi_square / nf).max(f64::MIN_POSITIVE).ln();
        Ok(FitResult {
            params,
            covariance,
            chi_square,
            reduced_chi_square: if dof > 0 {
                chi_square / dof as f64
            } else {
                f64::NAN
            },
            n_data: s.m,
            n_varying,
            dof,
            r_squared: r_squared(&*s.problem, chi_square),
            aic: nf * ln_chi + 2.0 * n_varying as f64,
            bic: nf * ln_chi + nf.ln() * n_varying as f64,
            n_iterations: result.n_iterations,
            n_evaluations: result.n_evaluations,
            n_jacobians: result.n_jacobians,
            termination: result.termination,
            converged: result.converged,
            covariance_scaled: result.covariance_scaled,
            robust_covariance: result.robust_covariance,
            residuals,
            warnings: result.warnings.clone(),
        })
    }

    /// The local parameter vector of dataset `d` taken from global values `p`.
    pub fn local_values(&self, d: usize, p: &[f64]) -> Option<Vec<f64>> {
        let s = self.datasets.get(d)?;
        s.map.iter().map(|&g| p.get(g).copied()).collect()
    }
}

fn with_local<R>(map: &[usize], p: &[f64], f: impl FnOnce(&[f64]) -> R) -> R {
    if map.len() <= STACK_PARAMS {
        let mut buf = [0.0; STACK_PARAMS];
        for (b, &g) in buf.iter_mut().zip(map) {
            *b = p[g];
        }
        f(&buf[..map.len()])
    } else {
        let v: Vec<f64> = map.iter().map(|&g| p[g]).collect();
        f(&v)
    }
}

impl Problem for GlobalProblem<'_> {
    fn n_residuals(&self) -> usize {
        self.m
    }
    fn n_params(&self) -> Option<usize> {
        Some(self.names.len())
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for s in &self.datasets {
            with_local(&s.map, p, |lp| {
                s.problem.residuals(lp, &mut out[s.row0..s.row0 + s.m])
            });
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        // a global problem nested inside another falls back to finite differences
        if !jac.is_whole() {
            return false;
        }
        let ld = jac.nrows();
        let ncols = jac.ncols();
        let mut all = true;
        for s in &self.datasets {
            let ok = with_local(&s.map, p, |lp| {
                let data = jac_data(jac, ld, ncols);
                let mut view = JacobianMut::mapped(data, ld, s.row0, s.m, &s.map);
                s.problem.jacobian(lp, &mut view)
            });
            all &= ok;
        }
        all
    }
    fn observed(&self) -> Option<&[f64]> {
        self.observed.as_deref()
    }
    fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }
}

/// The whole buffer behind a full view (columns 0..ncols, all rows).
fn jac_data<'b>(jac: &'b mut JacobianMut<'_>, ld: usize, ncols: usize) -> &'b mut [f64] {
    jac.whole(ld * ncols)
}
