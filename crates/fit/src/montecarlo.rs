//! Monte Carlo uncertainties of any fit: refit synthetic data sets drawn
//! from the best fit and its noise, in parallel, reproducibly from a seed,
//! and report the spread of every parameter (and of any derived quantity)
//! next to the covariance errors.
//!
//! A fit minimises `r(p) = w·(y − f(p))`. A synthetic data set `y* = f(p̂) +
//! e*` has residuals `r*(p) = r(p) − r(p̂) + w·e*`, so any [`Problem`] is
//! refitted by adding a fixed offset to its residuals: no access to the
//! model's data is needed. Two ways to draw `w·e*`:
//!
//! * [`Resampling::Gaussian`]: `s·z`, z standard normal, `s = √χ²_ν` when
//!   the covariance is scaled (weights relative), 1 when the weights are
//!   absolute 1/σ (`scale_covariance = false`).
//! * [`Resampling::Bootstrap`]: the best fit's own residuals drawn with
//!   replacement, inflated by √(N/(N − N_vary)) (residual bootstrap; Efron &
//!   Tibshirani, *An Introduction to the Bootstrap*, 1993, §9.4), for noise
//!   that is not Gaussian.
//!
//! Each refit starts from the best values. Draw `k` uses its own generator
//! seeded from `(seed, k)`, so results do not depend on the number of
//! threads. Refits that fail or do not converge are counted and left out.
//!
//! ```
//! use interphase_fit::{fit, CurveFit, LmOptions, Parameters};
//! use interphase_fit::montecarlo::{monte_carlo, MonteCarloOptions};
//! let x: Vec<f64> = (0..30).map(f64::from).collect();
//! let y: Vec<f64> = x.iter().map(|x| 2.0 + 0.5 * x + 0.1 * (3.0 * x).sin()).collect();
//! let model = CurveFit::new(&x, &y, |x: f64, p: &[f64]| p[0] + p[1] * x)?;
//! let p = Parameters::from_values(&[("a", 0.0), ("b", 1.0)])?;
//! let best = fit(&model, &p, &LmOptions::default())?;
//! let mc = monte_carlo(&model, &p, &best, &MonteCarloOptions { n: 200, ..Default::default() })?;
//! let b = mc.param("b").unwrap();
//! // a linear model: the spread matches the covariance error
//! assert!((b.std / b.covariance_stderr.unwrap() - 1.0).abs() < 0.2);
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fitter::{FitWorkspace, LmOptions, fit_with_workspace};
use crate::minimize::SplitMix64;
use crate::param::Parameters;
use crate::problem::{JacobianMut, Problem};
use crate::result::FitResult;

/// How synthetic data sets are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Resampling {
    /// Gaussian noise at the fit's noise level.
    #[default]
    Gaussian,
    /// The best fit's residuals, drawn with replacement.
    Bootstrap,
}

/// Options of [`monte_carlo`].
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloOptions {
    /// Number of synthetic data sets (default 200; at most 100 000).
    pub n: usize,
    /// Seed of the draws (default 1).
    pub seed: u64,
    /// How the draws are made.
    pub resampling: Resampling,
    /// Options of each refit.
    pub lm: LmOptions,
}

impl Default for MonteCarloOptions {
    fn default() -> Self {
        MonteCarloOptions {
            n: 200,
            seed: 1,
            resampling: Resampling::Gaussian,
            lm: LmOptions::default(),
        }
    }
}

/// The spread of one quantity over the refits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Name.
    pub name: String,
    /// Value of the best fit.
    pub best: f64,
    /// Mean over the refits.
    pub mean: f64,
    /// Standard deviation over the refits (n − 1).
    pub std: f64,
    /// Percentiles 2.5, 15.87, 50, 84.13 and 97.5 (linear interpolation, as
    /// numpy's default): the 68 % and 95 % intervals and the median.
    pub percentiles: [f64; 5],
    /// The covariance standard error of the best fit, for comparison.
    pub covariance_stderr: Option<f64>,
}

/// Monte Carlo uncertainties of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarlo {
    /// One spread per parameter, in parameter order (fixed ones have zero
    /// spread).
    pub params: Vec<Spread>,
    /// Refits that converged (those the spreads are over).
    pub n_ok: usize,
    /// Refits that failed or did not converge.
    pub n_failed: usize,
    /// Parameter values of every converged refit (`n_ok` rows in parameter
    /// order).
    pub samples: Vec<Vec<f64>>,
    /// How the draws were made.
    pub resampling: Resampling,
    /// The seed.
    pub seed: u64,
}

/// The percentile points reported.
pub const PERCENTILES: [f64; 5] = [2.5, 15.865_525_393_145_7, 50.0, 84.134_474_606_854_3, 97.5];

impl MonteCarlo {
    /// A parameter's spread by name.
    pub fn param(&self, name: &str) -> Option<&Spread> {
        self.params.iter().find(|s| s.name == name)
    }

    /// The spread of a quantity computed from the parameters named (in that
    /// order), over the refits; `best` is its value at the best fit. Refits
    /// where `f` is not finite are left out.
    pub fn derived(&self, names: &[&str], best: f64, f: impl Fn(&[f64]) -> f64) -> Result<Spread> {
        let idx: Vec<usize> = names
            .iter()
            .map(|n| {
                self.params
                    .iter()
                    .position(|s| s.name == *n)
                    .ok_or_else(|| Error::UnknownParameter((*n).to_string()))
            })
            .collect::<Result<_>>()?;
        let mut v: Vec<f64> = self
            .samples
            .iter()
            .map(|row| f(&idx.iter().map(|&i| row[i]).collect::<Vec<_>>()))
            .filter(|x| x.is_finite())
            .collect();
        if v.len() < 2 {
            return Err(Error::Data(
                "fewer than two refits give a finite value".into(),
            ));
        }
        Ok(spread(names.join(","), best, &mut v, None))
    }
}

fn spread(name: String, best: f64, v: &mut [f64], covariance_stderr: Option<f64>) -> Spread {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    v.sort_by(f64::total_cmp);
    let pct = |q: f64| {
        let h = (v.len() - 1) as f64 * q / 100.0;
        let (lo, hi) = (h.floor() as usize, (h.ceil() as usize).min(v.len() - 1));
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    Spread {
        name,
        best,
        mean,
        std,
        percentiles: PERCENTILES.map(pct),
        covariance_stderr,
    }
}

/// A problem whose residuals are shifted by a fixed offset.
struct Shifted<'a, P: ?Sized> {
    inner: &'a P,
    offset: Vec<f64>,
}

impl<P: Problem + ?Sized> Problem for Shifted<'_, P> {
    fn n_residuals(&self) -> usize {
        self.inner.n_residuals()
    }
    fn n_params(&self) -> Option<usize> {
        self.inner.n_params()
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        self.inner.residuals(p, out);
        for (o, d) in out.iter_mut().zip(&self.offset) {
            *o += d;
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        self.inner.jacobian(p, jac)
    }
}

/// A standard normal deviate (Box–Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u = rng.next_f64().max(f64::MIN_POSITIVE);
    let v = rng.next_f64();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// Refits `options.n` synthetic data sets drawn from `best` (the fit of
/// `problem` from `params`) and returns the spread of every parameter.
/// Errors: `n` of 0 or above 100 000, a `best` that does not belong to the
/// problem (residual count), fewer than two converged refits.
pub fn monte_carlo<P: Problem + ?Sized>(
    problem: &P,
    params: &Parameters,
    best: &FitResult,
    options: &MonteCarloOptions,
) -> Result<MonteCarlo> {
    let (samples, failed) =
        monte_carlo_samples(problem, &best.to_parameters(params), best, options)?;
    MonteCarlo::from_samples(best, samples, failed, options)
}

/// The refits alone: the parameter values (in the problem's own parameters,
/// `start`'s order) of every converged refit, and the number that failed.
/// For fits done on another scale than the one reported (ln p): refit
/// here from the internal best values, map the samples back, then
/// [`MonteCarlo::from_samples`]. `best` supplies the residuals at the best
/// values, χ², the degrees of freedom and whether the covariance is scaled.
pub fn monte_carlo_samples<P: Problem + ?Sized>(
    problem: &P,
    start: &Parameters,
    best: &FitResult,
    options: &MonteCarloOptions,
) -> Result<(Vec<Vec<f64>>, usize)> {
    if options.n == 0 || options.n > 100_000 {
        return Err(Error::Options(format!(
            "Monte Carlo needs 1 ..= 100000 synthetic data sets, got {}",
            options.n
        )));
    }
    let m = problem.n_residuals();
    if best.residuals.len() != m {
        return Err(Error::Dimension(format!(
            "the best fit has {} residuals, the problem {m}",
            best.residuals.len()
        )));
    }
    let r0 = &best.residuals;
    let scale = if best.covariance_scaled && best.dof > 0 {
        (best.chi_square / best.dof as f64).sqrt()
    } else {
        1.0
    };
    let inflate = if best.dof > 0 {
        (m as f64 / best.dof as f64).sqrt()
    } else {
        1.0
    };
    let runs: Vec<Option<Vec<f64>>> = (0..options.n)
        .into_par_iter()
        .map_init(FitWorkspace::default, |ws, k| {
            let mut rng = SplitMix64::new(
                options
                    .seed
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    .wrapping_add(k as u64),
            );
            let offset: Vec<f64> = match options.resampling {
                Resampling::Gaussian => r0.iter().map(|r| scale * normal(&mut rng) - r).collect(),
                Resampling::Bootstrap => r0
                    .iter()
                    .map(|r| {
                        let j = ((rng.next_f64() * m as f64) as usize).min(m - 1);
                        inflate * r0[j] - r
                    })
                    .collect(),
            };
            let shifted = Shifted {
                inner: problem,
                offset,
            };
            match fit_with_workspace(&shifted, start, &options.lm, ws) {
                Ok(f) if f.converged => Some(f.values()),
                _ => None,
            }
        })
        .collect();
    let samples: Vec<Vec<f64>> = runs.into_iter().flatten().collect();
    let failed = options.n - samples.len();
    Ok((samples, failed))
}

impl MonteCarlo {
    /// The spreads of `samples` (rows in `best`'s parameter order), named
    /// and compared with `best`'s covariance errors. An error with fewer
    /// than two samples or rows of the wrong length.
    pub fn from_samples(
        best: &FitResult,
        samples: Vec<Vec<f64>>,
        n_failed: usize,
        options: &MonteCarloOptions,
    ) -> Result<MonteCarlo> {
        let n_ok = samples.len();
        if n_ok < 2 {
            return Err(Error::Data(format!(
                "only {n_ok} of {} Monte Carlo refits converged",
                n_ok + n_failed
            )));
        }
        if samples.iter().any(|r| r.len() != best.params.len()) {
            return Err(Error::Dimension(format!(
                "Monte Carlo samples of another length than the {} parameters",
                best.params.len()
            )));
        }
        let params = best
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut v: Vec<f64> = samples.iter().map(|row| row[i]).collect();
                spread(p.name.clone(), p.value, &mut v, p.stderr)
            })
            .collect();
        Ok(MonteCarlo {
            params,
            n_ok,
            n_failed,
            samples,
            resampling: options.resampling,
            seed: options.seed,
        })
    }
}
