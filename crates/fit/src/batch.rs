//! Many independent fits in parallel.
//!
//! Each fit runs on a rayon worker with its own reusable [`FitWorkspace`];
//! results come back in input order and do not depend on the number of threads
//! (every fit is computed independently from its own inputs).
//!
//! ```
//! use interphase_fit::{fit_batch, CurveFit, LmOptions, Parameters};
//! let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
//! let ys: Vec<Vec<f64>> = (1..=8).map(|k| x.iter().map(|&x| k as f64 * x + 1.0).collect()).collect();
//! let problems: Vec<_> = ys
//!     .iter()
//!     .map(|y| CurveFit::new(&x, y, |x, p: &[f64]| p[0] * x + p[1]))
//!     .collect::<Result<_, _>>()?;
//! let params = Parameters::from_values(&[("slope", 0.0), ("offset", 0.0)])?;
//! let results = fit_batch(&problems, &params, &LmOptions::default());
//! for (k, r) in results.iter().enumerate() {
//!     let r = r.as_ref().unwrap();
//!     assert!((r.value("slope").unwrap() - (k + 1) as f64).abs() < 1e-9);
//! }
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use rayon::prelude::*;

/// How far a batch of fits has come, as passed to progress callbacks (the
/// spectra and impedance batch fits report with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Fits finished (successful or not).
    pub done: usize,
    /// Fits in the batch.
    pub total: usize,
    /// Fits that ended in an error.
    pub failed: usize,
}

use crate::error::Result;
use crate::fitter::{FitWorkspace, LmOptions, fit_with_workspace};
use crate::param::Parameters;
use crate::problem::Problem;
use crate::result::FitResult;

/// Fits every problem from the same starting parameters, in parallel.
/// A failure of one fit is reported in its slot and does not stop the others.
pub fn fit_batch<P: Problem + Sync>(
    problems: &[P],
    params: &Parameters,
    options: &LmOptions,
) -> Vec<Result<FitResult>> {
    fit_batch_with(problems, |_| params.clone(), options)
}

/// Fits every problem in parallel, problem `i` starting from `start(i)`.
pub fn fit_batch_with<P, S>(problems: &[P], start: S, options: &LmOptions) -> Vec<Result<FitResult>>
where
    P: Problem + Sync,
    S: Fn(usize) -> Parameters + Sync,
{
    problems
        .par_iter()
        .enumerate()
        .map_init(FitWorkspace::default, |ws, (i, p)| {
            fit_with_workspace(p, &start(i), options, ws)
        })
        .collect()
}
