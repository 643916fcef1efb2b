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
use crate::param::Parameters;
use crate::problem::{JacobianMut, Problem};

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

    /// Number of datasets.
    pub fn n_datasets(&self) -> usize {
        self.datasets.len()
    }

    /// The residual indices of dataset `d` in the global residual vector
    /// (to split [`FitResult::residuals`](crate::FitResult::residuals)).
    pub fn dataset_range(&self, d: usize) -> Option<Range<usize>> {
        self.datasets.get(d).map(|s| s.row0..s.row0 + s.m)
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
