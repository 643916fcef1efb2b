//! Peak models and spectral fits: a fitted background (including the "active"
//! Shirley and Tougaard backgrounds recomputed from the model peaks at every
//! step), peaks of any [line shape](crate::lineshape), spin–orbit doublets,
//! ties, bounds and fixed values — defined in code or in a TOML/JSON model file
//! — fitted by the interphase-fit Levenberg–Marquardt core with an analytic
//! Jacobian.
//!
//! Parameter names are `bg.<name>` for the background, then `<peak>.<param>`
//! for each peak in order (the shape's parameters,
//! [`ShapeKind::parameter_names`]) followed by the doublet's
//! `<peak>.splitting`, `<peak>.ratio` and `<peak>.width_ratio`.
//!
//! ```
//! use interphase_spectra::model::PeakModel;
//! use interphase_spectra::Spectrum;
//! let model = PeakModel::from_toml(r#"
//!     [background]
//!     kind = "shirley"
//!
//!     [[peaks]]
//!     name = "Ti4+"
//!     shape = "voigt"
//!     center = { value = 458.8, min = 457.5, max = 460.0 }
//!     sigma = 0.5
//!     gamma = { value = 0.3, min = 0.0 }
//!     area = { value = 5000, min = 0 }
//!     doublet = { splitting = 5.7, ratio = { value = 0.5, vary = false } }
//! "#)?;
//! // synthetic Ti 2p: the model itself at known values, on a binding-energy grid
//! let x: Vec<f64> = (0..400).map(|i| 470.0 - 0.05 * i as f64).collect();
//! let truth = model.parameters_from(&[
//!     ("bg.c0", 200.0), ("bg.k", 0.02), ("Ti4+.center", 458.9), ("Ti4+.sigma", 0.45),
//!     ("Ti4+.gamma", 0.25), ("Ti4+.area", 4000.0), ("Ti4+.splitting", 5.72), ("Ti4+.ratio", 0.5),
//! ], &x)?;
//! let y = model.evaluate(&x, &truth)?;
//! let fit = model.fit(&Spectrum::new(x, y)?, &Default::default())?;
//! assert!((fit.fit.value("Ti4+.center").unwrap() - 458.9).abs() < 1e-6);
//! let ti = fit.component("Ti4+").unwrap();
//! assert!((ti.area.value - 4000.0).abs() < 1e-3);
//! println!("{fit}");
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

mod batch;
mod global;
mod problem;
mod result;
mod spec;
mod tie;

pub use batch::{BatchFit, BatchOptions, CompactFit, Progress};
pub use global::GlobalPeakFit;
pub use problem::{MAX_TOUGAARD_POINTS, ModelProblem};
pub use result::{ComponentResult, Estimate, PeakFit};
pub use spec::{Axis, BackgroundSpec, DoubletSpec, ModelSpec, Orbital, ParamSpec, PeakSpec};

use interphase_fit::{LmOptions, Parameter, Parameters, fit};
use serde::{Deserialize, Serialize};

use crate::baseline;
use crate::error::{Error, Result};
use crate::lineshape::{LineShape, MAX_PARAMS, Shape, ShapeKind};
use crate::peaks::{Interval, PeakOptions, find_peaks};
use crate::spectrum::{Spectrum, XQuantity};
use problem::{BgLayout, DoubletLayout, PeakLayout, is_width, tougaard_kernel};

/// How residuals are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeakWeighting {
    /// Unweighted least squares (lmfit's default; CasaXPS's default fit).
    #[default]
    Unit,
    /// Weights 1/σᵢ from the spectrum's σ, or Poisson √max(y, 1) when the
    /// spectrum is in counts and carries no σ ([`Spectrum::uncertainties`]).
    Sigma,
    /// Poisson weights 1/√max(yᵢ, 1) whatever the metadata says.
    Poisson,
}

/// Options of a peak fit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeakFitOptions {
    /// Residual weighting.
    pub weighting: PeakWeighting,
    /// Solver options.
    pub lm: LmOptions,
    /// Energy axis for the active backgrounds; overrides the model file and the
    /// spectrum's metadata.
    pub axis: Option<Axis>,
    /// How the peak areas and additive background coefficients are found:
    /// searched with the rest, started from their linear optimum (default),
    /// or solved at every step by variable projection.
    pub projection: Projection,
}

/// How a peak fit treats the parameters that enter the model linearly (peak
/// areas, polynomial coefficients, the constant and slope of a Shirley or
/// Tougaard background): see [`interphase_fit::varpro`]. All three reach the
/// same optimum from good starts, with χ² and standard errors from the full
/// covariance; they differ in speed and in how much the starting areas
/// matter (docs/benchmarks.md, "Variable projection").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Projection {
    /// The linear parameters start from their least-squares optimum at the
    /// other parameters' starting values (one linear solve,
    /// [`interphase_fit::varpro::linear_start`]), then the full fit runs:
    /// the starting areas no longer matter, at the cost of one solve
    /// (about 5 % of a Ti 2p fit from good starts).
    #[default]
    Auto,
    /// Always the full Levenberg–Marquardt fit over every parameter.
    Off,
    /// Variable projection throughout ([`interphase_fit::varpro::fit_separable`]):
    /// only the nonlinear parameters are searched. Fastest where the
    /// starting areas are far off and the line shapes are hard to find
    /// (Ti 2p from areas 50× too small: 2× the full fit); slower from good
    /// starts, where its dearer iterations are not fewer.
    On,
}

/// A validated peak model (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ModelSpec", into = "ModelSpec")]
pub struct PeakModel {
    spec: ModelSpec,
}

impl TryFrom<ModelSpec> for PeakModel {
    type Error = Error;
    fn try_from(spec: ModelSpec) -> Result<Self> {
        PeakModel::new(spec)
    }
}

impl From<PeakModel> for ModelSpec {
    fn from(m: PeakModel) -> ModelSpec {
        m.spec
    }
}

/// Intermediate estimates the automatic starting values are built from.
struct Guess {
    /// The no-loss and loss end levels.
    level_noloss: f64,
    level_loss: f64,
    /// Data minus a rough background.
    net: Vec<f64>,
    /// Found peaks: (x, fwhm in x units, prominence), by decreasing prominence.
    found: Vec<(f64, f64, f64)>,
}

impl PeakModel {
    /// Validates a model definition (names, keys, parameter definitions).
    pub fn new(spec: ModelSpec) -> Result<Self> {
        spec.check_names()?;
        let m = PeakModel { spec };
        // resolve tie expressions and name collisions now, so errors surface early
        m.names_and_specs()?;
        Ok(m)
    }

    /// Parses a TOML model.
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::new(ModelSpec::from_toml(text, "<model>")?)
    }

    /// Parses a JSON model (same schema).
    pub fn from_json(text: &str) -> Result<Self> {
        Self::new(ModelSpec::from_json(text, "<model>")?)
    }

    /// Reads a model file (`.json`: JSON, otherwise TOML).
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Self::new(ModelSpec::from_path(path)?)
    }

    /// The definition.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Full parameter names, in parameter order.
    pub fn parameter_names(&self) -> Vec<String> {
        self.names_and_specs()
            .map(|v| v.into_iter().map(|(n, _)| n).collect())
            .unwrap_or_default()
    }

    /// (full name, definition) of every parameter, in order; doublet ratios
    /// resolved from `orbital`.
    fn names_and_specs(&self) -> Result<Vec<(String, ParamSpec)>> {
        let mut out: Vec<(String, ParamSpec)> = self
            .spec
            .background
            .parameters()?
            .into_iter()
            .map(|(n, p)| (format!("bg.{n}"), p))
            .collect();
        for pk in &self.spec.peaks {
            for name in pk.shape.parameter_names() {
                let p = pk.params.get(*name).cloned().unwrap_or_default();
                out.push((format!("{}.{name}", pk.name), p));
            }
            if let Some(d) = &pk.doublet {
                out.push((format!("{}.splitting", pk.name), d.splitting.clone()));
                out.push((format!("{}.ratio", pk.name), d.ratio_spec(&pk.name)?));
                if let Some(w) = &d.width_ratio {
                    out.push((format!("{}.width_ratio", pk.name), w.clone()));
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (n, _) in &out {
            if !seen.insert(n.clone()) {
                return Err(Error::Invalid(format!("parameter name `{n}` occurs twice")));
            }
        }
        let names: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
        for (n, p) in &out {
            if let Some(t) = p.tie() {
                tie::parse_tie(t, &names, &format!("parameter `{n}`"))?;
            }
        }
        Ok(out)
    }

    fn axis_for(&self, spectrum: Option<&Spectrum>, options: &PeakFitOptions) -> Axis {
        options
            .axis
            .or(self.spec.axis)
            .or_else(|| match spectrum.map(|s| s.meta.x_quantity) {
                Some(XQuantity::KineticEnergy) => Some(Axis::KineticEnergy),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Fits the model to a spectrum.
    pub fn fit(&self, spectrum: &Spectrum, options: &PeakFitOptions) -> Result<PeakFit> {
        self.fit_from(spectrum, options, None)
    }

    /// Fits the model to a spectrum starting from `start` (e.g. the previous
    /// step of a depth profile) instead of the model's starting values; bounds,
    /// ties and fixed flags stay the model's.
    pub fn fit_from(
        &self,
        spectrum: &Spectrum,
        options: &PeakFitOptions,
        start: Option<&[f64]>,
    ) -> Result<PeakFit> {
        let (problem, mut params) = self.problem_for(spectrum, options)?;
        if let Some(s) = start {
            if s.len() != params.len() {
                return Err(Error::Length {
                    what: format!("start has {} values, the model {}", s.len(), params.len()),
                });
            }
            for (i, &v) in s.iter().enumerate() {
                let p = &params[i];
                if p.vary() && v.is_finite() {
                    let lo = p.min().unwrap_or(f64::NEG_INFINITY);
                    let hi = p.max().unwrap_or(f64::INFINITY);
                    let name = p.name().to_string();
                    params.set_value(&name, v.clamp(lo, hi))?;
                }
            }
            params.resolve_ties()?;
        }
        let result = match options.projection {
            Projection::On => {
                interphase_fit::varpro::fit_separable(&problem, &params, &options.lm)?
            }
            Projection::Off => fit(&problem, &params, &options.lm)?,
            Projection::Auto => {
                let start = interphase_fit::varpro::linear_start(&problem, &params)?;
                let mut r = fit(&problem, &start, &options.lm)?;
                for (pr, p) in r.params.iter_mut().zip(params.iter()) {
                    pr.init = p.value();
                }
                r
            }
        };
        PeakFit::build(&problem, result, spectrum.meta.x_unit.clone())
    }

    /// Monte Carlo uncertainties of a fit of this model to `spectrum` (see
    /// [`interphase_fit::montecarlo`]): `mc.n` synthetic spectra drawn from
    /// `fit` and its noise (Gaussian at the weighted noise level, or the
    /// residual bootstrap) refitted in parallel from the best values, with
    /// the same weighting and bounds; per parameter the spread beside its
    /// covariance error, and `MonteCarlo::derived` for any function of the
    /// parameters (an area ratio, a splitting).
    ///
    /// ```
    /// use interphase_spectra::Spectrum;
    /// use interphase_spectra::model::{PeakFitOptions, PeakModel};
    /// use interphase_fit::montecarlo::MonteCarloOptions;
    /// let model = PeakModel::from_toml(r#"
    /// [background]
    /// kind = "constant"
    /// [[peaks]]
    /// name = "A"
    /// shape = "gaussian"
    /// center = 5.0
    /// fwhm = 1.0
    /// area = 10.0
    /// "#)?;
    /// let x: Vec<f64> = (0..80).map(|i| i as f64 * 0.125).collect();
    /// let y: Vec<f64> = x.iter().enumerate()
    ///     .map(|(i, x)| 1.0 + 9.39 * (-2.77 * (x - 5.0f64).powi(2)).exp() + 0.05 * (i as f64 * 1.7).sin())
    ///     .collect();
    /// let s = Spectrum::new(x, y)?;
    /// let o = PeakFitOptions::default();
    /// let fit = model.fit(&s, &o)?;
    /// let mc = model.monte_carlo(&s, &fit, &o, &MonteCarloOptions { n: 100, ..Default::default() })?;
    /// let c = mc.param("A.center").unwrap();
    /// assert!(c.std > 0.0 && (c.std / c.covariance_stderr.unwrap() - 1.0).abs() < 0.3);
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn monte_carlo(
        &self,
        spectrum: &Spectrum,
        fit: &PeakFit,
        options: &PeakFitOptions,
        mc: &interphase_fit::montecarlo::MonteCarloOptions,
    ) -> Result<interphase_fit::montecarlo::MonteCarlo> {
        let (problem, params) = self.problem_for(spectrum, options)?;
        Ok(interphase_fit::montecarlo::monte_carlo(
            &problem, &params, &fit.fit, mc,
        )?)
    }

    /// Fits many spectra in parallel (rayon), results in input order; one
    /// failure does not stop the others.
    pub fn fit_many(&self, spectra: &[Spectrum], options: &PeakFitOptions) -> Vec<Result<PeakFit>> {
        use rayon::prelude::*;
        spectra.par_iter().map(|s| self.fit(s, options)).collect()
    }

    /// Fits a series (depth profile, temperature series) in order, each fit
    /// starting from the previous converged one (warm start); the first from
    /// the model's starting values. A failed or unconverged step does not seed
    /// the next one.
    pub fn fit_series(
        &self,
        spectra: &[Spectrum],
        options: &PeakFitOptions,
    ) -> Vec<Result<PeakFit>> {
        let mut out = Vec::with_capacity(spectra.len());
        let mut prev: Option<Vec<f64>> = None;
        for s in spectra {
            let r = self.fit_from(s, options, prev.as_deref());
            // a warm start that fails is retried from the model's own starts
            let r = match r {
                Err(_) if prev.is_some() => self.fit(s, options),
                r => r,
            };
            prev = match &r {
                Ok(f) if f.fit.converged => Some(f.fit.values()),
                _ => prev,
            };
            out.push(r);
        }
        out
    }

    /// The compiled problem and the starting parameters for a spectrum
    /// (for driving the fitting core directly, e.g. in a global fit).
    /// Errors: constant data (zero variance: nothing to fit), a weighting the
    /// spectrum cannot give σ for, and the model's own errors.
    pub fn problem_for(
        &self,
        spectrum: &Spectrum,
        options: &PeakFitOptions,
    ) -> Result<(ModelProblem, Parameters)> {
        let sigma = match options.weighting {
            PeakWeighting::Unit => None,
            PeakWeighting::Sigma => Some(spectrum.uncertainties().ok_or_else(|| {
                Error::Invalid(
                    "weighting `sigma`: the spectrum has no σ and is not in counts".into(),
                )
            })?),
            PeakWeighting::Poisson => {
                Some(spectrum.y().iter().map(|&y| y.max(1.0).sqrt()).collect())
            }
        };
        let axis = self.axis_for(Some(spectrum), options);
        let compiled = self.compile(spectrum.x(), spectrum.y(), sigma.as_deref(), axis)?;
        let y = spectrum.y();
        if y.iter().all(|v| v.to_bits() == y[0].to_bits()) {
            return Err(Error::Invalid(format!(
                "the data are constant (y = {} at all {} points): a peak model has nothing to fit",
                y[0],
                y.len()
            )));
        }
        Ok(compiled)
    }

    /// Model intensities on `x` at the parameter values `params` (any
    /// [`Parameters`] with the model's names, e.g. `FitResult::to_parameters`).
    pub fn evaluate(&self, x: &[f64], params: &Parameters) -> Result<Vec<f64>> {
        let values = self.values_from(params)?;
        let y = vec![0.0; x.len()];
        let (problem, _) =
            self.compile_with(x, &y, None, self.spec.axis.unwrap_or_default(), false)?;
        let mut out = vec![0.0; x.len()];
        problem.model_into(&values, &mut out)?;
        Ok(out)
    }

    /// The model's parameters with the given values (every other parameter at
    /// its start on the grid `x`, ties applied) — for simulations and tests.
    pub fn parameters_from(&self, values: &[(&str, f64)], x: &[f64]) -> Result<Parameters> {
        let y = vec![0.0; x.len()];
        let (_, mut params) =
            self.compile_with(x, &y, None, self.spec.axis.unwrap_or_default(), false)?;
        for (n, v) in values {
            params
                .set_value(n, *v)
                .map_err(|_| Error::Invalid(format!("`{n}` is not a parameter of the model")))?;
        }
        params.resolve_ties()?;
        Ok(params)
    }

    fn values_from(&self, params: &Parameters) -> Result<Vec<f64>> {
        self.parameter_names()
            .iter()
            .map(|n| {
                params
                    .get(n)
                    .map(|p| p.value())
                    .ok_or_else(|| Error::Invalid(format!("no value for parameter `{n}`")))
            })
            .collect()
    }

    fn compile(
        &self,
        x: &[f64],
        y: &[f64],
        sigma: Option<&[f64]>,
        axis: Axis,
    ) -> Result<(ModelProblem, Parameters)> {
        self.compile_with(x, y, sigma, axis, true)
    }

    /// Builds the problem and starting parameters; `check_start` evaluates the
    /// model at the start and reports invalid shapes.
    fn compile_with(
        &self,
        x: &[f64],
        y: &[f64],
        sigma: Option<&[f64]>,
        axis: Axis,
        check_start: bool,
    ) -> Result<(ModelProblem, Parameters)> {
        if self.spec.peaks.is_empty() && matches!(self.spec.background, BackgroundSpec::None) {
            return Err(Error::Invalid(
                "the model has no peaks and no background".into(),
            ));
        }
        // validates lengths, finiteness, monotonic x
        let data = Spectrum::new(x.to_vec(), y.to_vec())?;
        let n = x.len();
        let w: Vec<f64> = match sigma {
            None => vec![1.0; n],
            Some(s) => {
                if s.len() != n {
                    return Err(Error::Length {
                        what: format!("sigma has {} points, y has {n}", s.len()),
                    });
                }
                s.iter()
                    .enumerate()
                    .map(|(i, &s)| {
                        if s.is_finite() && s > 0.0 {
                            Ok(1.0 / s)
                        } else {
                            Err(Error::Invalid(format!(
                                "sigma[{i}] = {s}: must be finite and > 0"
                            )))
                        }
                    })
                    .collect::<Result<_>>()?
            }
        };
        let specs = self.names_and_specs()?;
        if n < 3 {
            return Err(Error::Length {
                what: format!("{n} points: a peak fit needs at least 3"),
            });
        }
        let (xmin, xmax) = data.x_range();
        let xmid = 0.5 * (xmin + xmax);
        let span = xmax - xmin;
        let increasing = data.is_increasing();
        let loss_high = axis == Axis::BindingEnergy;
        let sweep: Vec<usize> = if increasing == loss_high {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        // layout
        let mut idx = 0usize;
        let bg = match &self.spec.background {
            BackgroundSpec::None => BgLayout::None,
            BackgroundSpec::Constant { .. } => BgLayout::Poly { first: 0, n: 1 },
            BackgroundSpec::Linear { .. } => BgLayout::Poly { first: 0, n: 2 },
            BackgroundSpec::Polynomial { order, .. } => BgLayout::Poly {
                first: 0,
                n: order + 1,
            },
            BackgroundSpec::Shirley { slope, .. } => BgLayout::Shirley {
                c0: 0,
                k: 1,
                c1: slope.as_ref().map(|_| 2),
            },
            BackgroundSpec::Tougaard { c, d, .. } => BgLayout::Tougaard {
                c0: 0,
                b: 1,
                kernel: tougaard_kernel(x, &sweep, *c, *d)?,
            },
            BackgroundSpec::StaticShirley { average_points } => {
                BgLayout::Fixed(baseline::shirley(x, y, *average_points, 1e-9, 200)?.baseline)
            }
            BackgroundSpec::StaticLinear { average_points } => {
                BgLayout::Fixed(baseline::linear(x, y, *average_points)?.baseline)
            }
            BackgroundSpec::StaticTougaard {
                b,
                c,
                d,
                average_points,
            } => {
                let o = baseline::TougaardOptions {
                    b: b.unwrap_or(2866.0),
                    c: *c,
                    d: *d,
                    binding_energy: loss_high,
                    fit_b: b.is_none(),
                    average_points: *average_points,
                };
                BgLayout::Fixed(baseline::tougaard(x, y, &o)?.baseline)
            }
        };
        idx += self.spec.background.parameters()?.len();
        let mut peaks = Vec::with_capacity(self.spec.peaks.len());
        for pk in &self.spec.peaks {
            let names = pk.shape.parameter_names();
            let mut widths = [false; MAX_PARAMS];
            for (j, nm) in names.iter().enumerate() {
                widths[j] = is_width(nm);
            }
            let first = idx;
            idx += names.len();
            let doublet = pk.doublet.as_ref().map(|d| {
                let l = DoubletLayout {
                    split: idx,
                    ratio: idx + 1,
                    width_ratio: d.width_ratio.as_ref().map(|_| idx + 2),
                };
                idx += if d.width_ratio.is_some() { 3 } else { 2 };
                l
            });
            peaks.push(PeakLayout {
                name: pk.name.clone(),
                kind: pk.shape,
                first,
                n: names.len(),
                widths,
                doublet,
            });
        }
        debug_assert_eq!(idx, specs.len());
        let problem = ModelProblem {
            x: x.to_vec(),
            y: y.to_vec(),
            w,
            u: x.iter().map(|&v| v - xmid).collect(),
            sweep,
            peaks,
            bg,
            n_params: specs.len(),
        };
        // the peaks found in the data only feed starts the model leaves open
        // (centers, widths): with every start given or tied, skip the search
        let open = specs
            .iter()
            .any(|(_, p)| p.start().is_none() && p.tie().is_none());
        let guess = self.guess(&problem, span, open);
        let params = self.start_parameters(&problem, &specs, &guess, span)?;
        if check_start {
            let values = params.values();
            for pk in &problem.peaks {
                pk.main(&values)
                    .and_then(|_| pk.partner(&values).transpose())
                    .map_err(|e| {
                        Error::Invalid(format!("peak `{}` at its starting values: {e}", pk.name))
                    })?;
            }
        }
        Ok((problem, params))
    }

    /// Rough background, net signal and (with `find`) the peaks found in it.
    fn guess(&self, pr: &ModelProblem, span: f64, find: bool) -> Guess {
        let n = pr.x.len();
        let k = (n / 20).clamp(1, 10);
        let s = &pr.sweep;
        let avg = |ids: &[usize]| ids.iter().map(|&i| pr.y[i]).sum::<f64>() / ids.len() as f64;
        let level_noloss = avg(&s[..k]);
        let level_loss = avg(&s[n - k..]);
        let rough: Vec<f64> = match (&self.spec.background, &pr.bg) {
            (_, BgLayout::Fixed(b)) => b.clone(),
            (BackgroundSpec::None, _) => vec![0.0; n],
            (BackgroundSpec::Shirley { .. } | BackgroundSpec::Tougaard { .. }, _) => {
                baseline::shirley(&pr.x, &pr.y, k, 1e-6, 50)
                    .map(|b| b.baseline)
                    .unwrap_or_else(|_| vec![level_noloss.min(level_loss); n])
            }
            (_, _) => baseline::linear(&pr.x, &pr.y, k)
                .map(|b| b.baseline)
                .unwrap_or_else(|_| vec![level_noloss.min(level_loss); n]),
        };
        let net: Vec<f64> = pr.y.iter().zip(&rough).map(|(y, b)| y - b).collect();
        let top = net.iter().cloned().fold(0.0, f64::max);
        let mut found = Vec::new();
        if find && top > 0.0 {
            let opts = PeakOptions {
                prominence: Interval::at_least(0.03 * top),
                ..PeakOptions::default()
            };
            if let Ok(list) = find_peaks(&net, &opts) {
                for p in list {
                    let a = crate::peaks::x_at(&pr.x, p.left_ip);
                    let b = crate::peaks::x_at(&pr.x, p.right_ip);
                    let w = (b - a).abs();
                    let w = if w.is_finite() && w > 0.0 {
                        w
                    } else {
                        span / 10.0
                    };
                    found.push((pr.x[p.index], w, p.prominence));
                }
            }
        }
        found.sort_by(|a, b| b.2.total_cmp(&a.2));
        Guess {
            level_noloss,
            level_loss,
            net,
            found,
        }
    }

    /// Starting parameters: given values, automatic ones for the rest, domain bounds.
    fn start_parameters(
        &self,
        pr: &ModelProblem,
        specs: &[(String, ParamSpec)],
        g: &Guess,
        span: f64,
    ) -> Result<Parameters> {
        let names: Vec<String> = specs.iter().map(|(n, _)| n.clone()).collect();
        let mut start: Vec<Option<f64>> = specs.iter().map(|(_, p)| p.start()).collect();
        let dx_min =
            pr.x.windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(f64::INFINITY, f64::min);
        let median_w = {
            let mut ws: Vec<f64> = g.found.iter().map(|f| f.1).collect();
            ws.sort_by(f64::total_cmp);
            ws.get(ws.len() / 2).copied().unwrap_or(span / 10.0)
        };
        // claim found peaks near given centers (and their doublet partners)
        let mut used = vec![false; g.found.len()];
        let claim = |c: f64, used: &mut Vec<bool>| -> Option<usize> {
            let best = g
                .found
                .iter()
                .enumerate()
                .filter(|(i, f)| !used[*i] && (f.0 - c).abs() <= f.1.max(2.0 * dx_min))
                .min_by(|a, b| (a.1.0 - c).abs().total_cmp(&(b.1.0 - c).abs()))
                .map(|(i, _)| i);
            if let Some(i) = best {
                used[i] = true;
            }
            best
        };
        let mut matched: Vec<Option<usize>> = vec![None; pr.peaks.len()];
        for (k, pk) in pr.peaks.iter().enumerate() {
            if let Some(c) = start[pk.first] {
                matched[k] = claim(c, &mut used);
                if let Some(s) = pk.doublet.as_ref().and_then(|d| start[d.split]) {
                    claim(c + s, &mut used);
                }
            }
        }
        for (k, pk) in pr.peaks.iter().enumerate() {
            let center_tied = specs[pk.first].1.tie().is_some();
            if start[pk.first].is_none() && !center_tied {
                let next = (0..g.found.len()).find(|&i| !used[i]);
                let c = match next {
                    Some(i) => {
                        used[i] = true;
                        matched[k] = Some(i);
                        g.found[i].0
                    }
                    None => {
                        // no peak left: the largest net intensity
                        let i = (0..g.net.len())
                            .max_by(|&a, &b| g.net[a].total_cmp(&g.net[b]))
                            .unwrap_or(0);
                        pr.x[i]
                    }
                };
                start[pk.first] = Some(c);
                if let Some(s) = pk.doublet.as_ref().and_then(|d| start[d.split]) {
                    claim(c + s, &mut used);
                }
            }
        }
        // widths and other shape parameters
        for (k, pk) in pr.peaks.iter().enumerate() {
            let w = matched[k]
                .map(|i| g.found[i].1)
                .unwrap_or(median_w)
                .clamp(3.0 * dx_min, (span / 2.0).max(3.0 * dx_min));
            let pnames = pk.kind.parameter_names();
            for j in 1..pk.n - 1 {
                if start[pk.first + j].is_none() {
                    start[pk.first + j] = Some(default_start(pk.kind, pnames[j], w));
                }
            }
            if let Some(wr) = pk.doublet.as_ref().and_then(|d| d.width_ratio) {
                start[wr].get_or_insert(1.0);
            }
        }
        // resolve tied starts where they feed areas (centers/widths of tied peaks)
        // every tie parsed once: (reference index, factor, offset)
        let ties: Vec<Option<(usize, f64, f64)>> = specs
            .iter()
            .enumerate()
            .map(|(i, (n, p))| {
                p.tie()
                    .map(|t| {
                        let (r, f, o) = tie::parse_tie(t, &names, &format!("parameter `{n}`"))?;
                        Ok((names.iter().position(|x| *x == r).unwrap_or(i), f, o))
                    })
                    .transpose()
            })
            .collect::<Result<_>>()?;
        // tied starts follow their references (chains: one pass per link)
        let resolve = |start: &mut Vec<Option<f64>>| {
            for _ in 0..specs.len() {
                for (i, t) in ties.iter().enumerate() {
                    if let Some((ri, f, o)) = *t
                        && let Some(v) = start[ri]
                    {
                        start[i] = Some(f * v + o);
                    }
                }
            }
        };
        resolve(&mut start);
        // areas from the net height at the center
        for pk in pr.peaks.iter() {
            let ai = pk.first + pk.n - 1;
            if start[ai].is_some() {
                continue;
            }
            let c = start[pk.first].unwrap_or(0.5 * (pr.x[0] + pr.x[pr.x.len() - 1]));
            let i = (0..pr.x.len())
                .min_by(|&a, &b| (pr.x[a] - c).abs().total_cmp(&(pr.x[b] - c).abs()))
                .unwrap_or(0);
            let top = g.net.iter().cloned().fold(0.0, f64::max);
            let h = g.net[i].max(0.05 * top).max(f64::MIN_POSITIVE);
            let mut q = [0.0; MAX_PARAMS];
            for j in 0..pk.n {
                q[j] = start[pk.first + j].unwrap_or(1.0);
            }
            q[pk.n - 1] = 1.0;
            let a = Shape::from_parameters(pk.kind, &q[..pk.n])
                .map(|s| s.area_for_height(h))
                .unwrap_or(h * span / 10.0);
            start[ai] = Some(if a.is_finite() && a > 0.0 { a } else { h });
        }
        resolve(&mut start);
        // background starts
        let total_area = {
            let vals: Vec<f64> = start.iter().map(|v| v.unwrap_or(0.0)).collect();
            let mut peaks = vec![0.0; pr.x.len()];
            match pr.peaks_into(&vals, &mut peaks) {
                Ok(()) => Some(peaks),
                Err(_) => None,
            }
        };
        let step = g.level_loss - g.level_noloss;
        match &pr.bg {
            BgLayout::None | BgLayout::Fixed(_) => {}
            BgLayout::Poly { first, n } => {
                let (xa, xb) = (pr.u[pr.sweep[0]], pr.u[pr.sweep[pr.sweep.len() - 1]]);
                let slope = if (xb - xa).abs() > 0.0 {
                    step / (xb - xa)
                } else {
                    0.0
                };
                let mid = g.level_noloss - slope * xa;
                start[*first].get_or_insert(if *n == 1 {
                    g.level_noloss.min(g.level_loss)
                } else {
                    mid
                });
                if *n > 1 {
                    start[first + 1].get_or_insert(slope);
                }
                for k in 2..*n {
                    start[first + k].get_or_insert(0.0);
                }
            }
            BgLayout::Shirley { c0, k, c1 } => {
                start[*c0].get_or_insert(g.level_noloss);
                let cum = total_area.map(|p| {
                    let mut c = vec![0.0; p.len()];
                    pr.cumulate(&p, &mut c);
                    c[pr.sweep[pr.sweep.len() - 1]]
                });
                let kv = match cum {
                    Some(t) if t.abs() > 0.0 => (step / t).max(0.0),
                    _ => 0.0,
                };
                start[*k].get_or_insert(kv);
                if let Some(c1) = c1 {
                    start[*c1].get_or_insert(0.0);
                }
            }
            BgLayout::Tougaard { c0, b, kernel } => {
                start[*c0].get_or_insert(g.level_noloss);
                let t = total_area.map(|p| {
                    let mut c = vec![0.0; p.len()];
                    pr.tougaard_apply(kernel, &p, &mut c);
                    c[pr.sweep[pr.sweep.len() - 1]]
                });
                let bv = match t {
                    Some(t) if t.abs() > 0.0 && step > 0.0 => step / t,
                    _ => 2866.0,
                };
                start[*b].get_or_insert(bv);
            }
        }
        // assemble
        let mut params = Parameters::new();
        for (i, (name, p)) in specs.iter().enumerate() {
            let param = if let Some((ri, f, o)) = ties[i] {
                Parameter::new(name.clone(), start[i].unwrap_or(0.0)).tied_to(
                    names[ri].clone(),
                    f,
                    o,
                )
            } else {
                let v = start[i].ok_or_else(|| {
                    Error::Invalid(format!("parameter `{name}` needs a starting value"))
                })?;
                let (dlo, dhi) = domain(pr, i);
                let lo = max_opt(p.min(), dlo);
                let hi = min_opt(p.max(), dhi);
                let v = if p.start().is_none() {
                    v.clamp(lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY))
                } else {
                    v
                };
                let mut q = Parameter::new(name.clone(), v).with_vary(p.vary());
                if p.vary() {
                    if let Some(l) = lo {
                        q = q.with_min(l);
                    }
                    if let Some(h) = hi {
                        q = q.with_max(h);
                    }
                }
                q
            };
            params
                .push(param)
                .map_err(|e| Error::Invalid(e.to_string()))?;
        }
        params
            .resolve_ties()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        Ok(params)
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The domain of parameter `i` of the compiled problem, as bounds.
fn domain(pr: &ModelProblem, i: usize) -> (Option<f64>, Option<f64>) {
    for pk in &pr.peaks {
        if i >= pk.first && i < pk.first + pk.n {
            let name = pk.kind.parameter_names()[i - pk.first];
            return match (pk.kind, name) {
                (_, "center" | "area") => (None, None),
                (_, "eta") => (Some(0.0), Some(1.0)),
                (_, "mix") => (Some(0.0), Some(100.0)),
                (ShapeKind::Doniach | ShapeKind::DoniachGauss, "alpha") => (Some(0.0), Some(0.99)),
                (ShapeKind::La, "alpha" | "beta") | (_, "m") => (Some(0.5 + 1e-6), None),
                _ => (Some(0.0), None),
            };
        }
        if let Some(d) = &pk.doublet
            && (i == d.ratio || Some(i) == d.width_ratio)
        {
            return (Some(0.0), None);
        }
    }
    (None, None)
}

/// Automatic start of a non-center, non-area shape parameter from a FWHM estimate `w`.
fn default_start(kind: ShapeKind, name: &str, w: f64) -> f64 {
    match (kind, name) {
        (ShapeKind::Voigt, "sigma") => w / 3.2,
        (ShapeKind::Voigt, "gamma") => w / 5.5,
        (ShapeKind::Tch, "fwhm_g") => 0.8 * w,
        (ShapeKind::Tch, "fwhm_l") => 0.3 * w,
        (ShapeKind::La, "fwhm") => 0.8 * w,
        (ShapeKind::La, "sigma") => 0.2 * w,
        (ShapeKind::La, "alpha") => 1.5,
        (ShapeKind::La, "beta") => 2.5,
        (ShapeKind::Doniach, "gamma") => 0.5 * w,
        (ShapeKind::DoniachGauss, "gamma") => 0.25 * w,
        (ShapeKind::DoniachGauss, "sigma") => w / 3.0,
        (_, "alpha") => 0.1,
        (ShapeKind::Emg, "sigma") => w / 2.9,
        (ShapeKind::Emg, "tau") => w / 4.0,
        (_, "eta") => 0.5,
        (_, "mix") => 30.0,
        (_, "m") => 2.0,
        _ => w,
    }
}
