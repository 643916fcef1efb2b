//! # interphase-fit
//!
//! The nonlinear least-squares core shared by every fit in interphase: XPS peak
//! models, equivalent circuits and general curve fits are all the same problem,
//! residuals `r(p)` with a Jacobian, minimised as `χ² = Σ rᵢ²`.
//!
//! - [`Parameter`] / [`Parameters`]: named values with bounds, fixed flags and
//!   linear ties (`p = factor · q + offset`).
//! - [`Problem`]: residuals and an optional analytic Jacobian; [`CurveFit`] adapts
//!   a closure `y = f(x; p)`.
//! - [`fit`]: Levenberg–Marquardt of MINPACK's design (scaled trust region,
//!   pivoted QR, ftol/xtol/gtol) with MINUIT-style bound transforms; returns a
//!   [`FitResult`] with standard errors, covariance, χ², AIC/BIC and an
//!   lmfit-style report.
//! - [`GlobalProblem`]: several datasets sharing named parameters.
//! - [`fit_batch`]: many independent fits in parallel (rayon), results in input order.
//! - [`nelder_mead`] and [`fit_multistart`]: derivative-free and multi-start fallbacks.
//! - [`rng`]: xoshiro256++ with Gaussian and Poisson deviates, for simulation.
//! - [`montecarlo`]: Monte Carlo (Gaussian or residual-bootstrap) uncertainties of any fit.
//! - [`nnls`]: linear least squares with non-negative (and free) coefficients.
//! - [`tmg`]: samples of a normal distribution restricted to x ≥ 0 (exact HMC), for posteriors of non-negative problems.
//! - [`varpro`]: variable projection for models linear in some parameters (peak areas, backgrounds).
//! - [`nist`]: reader and models of the NIST StRD nonlinear regression suite.
//!
//! ```
//! use interphase_fit::{fit, CurveFit, LmOptions, Parameter, Parameters};
//! // a Gaussian peak: area, center, sigma
//! let x: Vec<f64> = (0..101).map(|i| i as f64 * 0.1).collect();
//! let g = |x: f64, p: &[f64]| {
//!     p[0] / (p[2] * (2.0 * std::f64::consts::PI).sqrt())
//!         * (-0.5 * ((x - p[1]) / p[2]).powi(2)).exp()
//! };
//! let y: Vec<f64> = x.iter().map(|&x| g(x, &[10.0, 5.0, 0.8])).collect();
//! let problem = CurveFit::new(&x, &y, g)?;
//! let mut params = Parameters::new();
//! params.push(Parameter::new("area", 5.0).with_min(0.0))?;
//! params.push(Parameter::new("center", 4.5).with_bounds(0.0, 10.0))?;
//! params.push(Parameter::new("sigma", 1.0).with_min(0.0))?;
//! let result = fit(&problem, &params, &LmOptions::default())?;
//! assert!((result.value("center").unwrap() - 5.0).abs() < 1e-7);
//! # Ok::<(), interphase_fit::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

mod batch;
mod error;
mod fitter;
mod global;
mod lm;
mod minimize;
pub mod montecarlo;
pub mod nist;
pub mod nnls;
mod param;
mod problem;
mod result;
pub mod rng;
pub mod tmg;
pub mod varpro;

pub use batch::{Progress, fit_batch, fit_batch_with};
pub use error::{Error, Result};
pub use fitter::{Derivatives, FitWorkspace, LmOptions, fit, fit_with_workspace};
pub use global::GlobalProblem;
pub use lm::dot;
pub use minimize::{MultiStart, NelderMeadOptions, SplitMix64, fit_multistart, nelder_mead};
pub use param::{Parameter, Parameters, Tie};
pub use problem::{CurveFit, GradientFn, JacobianMut, Problem};
pub use result::{
    Derived, FitResult, ParamResult, Termination, escape_html, evcxr_blocks, format_significant,
    format_uncertain,
};

/// The fitting guide's examples (docs/fitting.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/fitting.md")]
pub struct GuideDoctests;
