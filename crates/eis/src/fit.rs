//! Complex nonlinear least squares (CNLS) fits of circuits to impedance data,
//! with automatic initial guesses and multi-start.
//!
//! Residuals are the stacked real and imaginary parts, rᵢ = wᵢ·(Re Z_model −
//! Re Z_data) and r_{n+i} = wᵢ·(Im Z_model − Im Z_data), minimised by the
//! fitting core's Levenberg–Marquardt with the analytic circuit Jacobian.
//! [`Weighting`] chooses wᵢ. Parameters are positive: by default every
//! parameter except the exponents is fitted as ln p (so capacitances of
//! 10⁻¹² F and resistances of 10⁶ Ω are equally well conditioned), and the
//! exponents (CPE/La/ZARC α) are bounded to [0, 1]. Reported values, standard
//! errors (delta method: σ_p = p·σ_ln p) and covariances are in the natural
//! units.
//!
//! Without an initial guess, [`initial_guesses`] reads the Nyquist plot — the
//! high-frequency intercept, the arcs' apex frequencies and heights (R ≈ 2 ×
//! apex height, C = 1/(2πf·R), Q = 1/(R·(2πf)ᵅ)), the low-frequency tail — and
//! builds one start per assignment of arcs to the circuit's parallel blocks,
//! plus time-constant and exponent variations; the fit with the lowest χ² wins.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum};
//! use interphase_eis::fit::{fit_circuit, FitOptions, Weighting};
//! let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse()?;
//! let truth = [15.0, 120.0, 2e-9, 0.9, 400.0, 5e-6, 0.8];
//! let f: Vec<f64> = (0..60).map(|i| 10f64.powf(6.5 - 0.13 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate(&c, &truth, &f)?;
//! let fit = fit_circuit(&c, &data, None, &FitOptions { weighting: Weighting::Proportional, ..Default::default() })?;
//! for (name, t) in c.parameter_names().iter().zip(truth) {
//!     assert!((fit.value(name).unwrap() / t - 1.0).abs() < 1e-6, "{name}");
//! }
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use interphase_fit::{FitResult, JacobianMut, LmOptions, Parameter, Parameters, Problem, fit};

use crate::circuit::{Circuit, Node};
use crate::data::ImpedanceSpectrum;
use crate::element::{ElementKind, Omega};
use crate::error::{Error, Result};

type C = Complex64;

/// Weights wᵢ of the residuals (applied to real and imaginary parts alike),
/// computed from the data. Weights on the squared residuals are wᵢ².
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// wᵢ = 1 (impedance.py's default): every point weighs by its absolute
    /// size, so the high-impedance end dominates and a small bulk arc is
    /// barely fitted.
    Unit,
    /// wᵢ = 1/|Zᵢ| (squared weights 1/|Z|²: relative errors; ZView's
    /// "Calc-Modulus", Boukamp's modulus weighting). The default: the noise
    /// of impedance analysers is proportional to |Z|, so these weights are
    /// the ones under which χ² is a likelihood and the covariance errors are
    /// right (measured: 1σ intervals of R cover the truth 66–69 % of the
    /// time on proportionally noisy spectra), and arcs of very different
    /// size are all fitted.
    #[default]
    Proportional,
    /// wᵢ = 1/√|Zᵢ| (squared weights 1/|Z|).
    Modulus,
    /// wᵢ = 1/σᵢ with the given per-point σ (Ω).
    Sigma(Vec<f64>),
}

impl Weighting {
    /// The name used in reports and the CLI.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Unit => "unit",
            Self::Proportional => "proportional",
            Self::Modulus => "modulus",
            Self::Sigma(_) => "sigma",
        }
    }

    fn weights(&self, z: &[C]) -> Result<Vec<f64>> {
        let w: Vec<f64> = match self {
            Self::Unit => vec![1.0; z.len()],
            Self::Proportional => z.iter().map(|v| 1.0 / v.norm()).collect(),
            Self::Modulus => z.iter().map(|v| 1.0 / v.norm().sqrt()).collect(),
            Self::Sigma(s) => {
                if s.len() != z.len() {
                    return Err(Error::Invalid(format!(
                        "{} σ values for {} points",
                        s.len(),
                        z.len()
                    )));
                }
                s.iter().map(|v| 1.0 / v).collect()
            }
        };
        if let Some((i, v)) = w
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && **v > 0.0))
        {
            return Err(Error::Invalid(format!(
                "{} weighting gives weight {v} at point {i} (|Z| = 0 or σ ≤ 0)",
                self.name()
            )));
        }
        Ok(w)
    }
}

/// Options of [`fit_circuit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Residual weights.
    pub weighting: Weighting,
    /// Levenberg–Marquardt settings.
    pub lm: LmOptions,
    /// Fit non-exponent parameters as ln p (default true).
    pub log_scale: bool,
    /// Most starts tried without a user guess (default 32).
    pub max_starts: usize,
    /// Stop the multi-start search once `repeat_stop` starts have reached
    /// the same best χ² (to 10⁻⁸ relative), taking a minimum found repeatedly
    /// as global: about 4× faster on two-arc circuits. 0 (the default) runs
    /// every start. On impedance.py's example the deeper minimum is found by
    /// a late start, after three starts agreed on a shallower one, so
    /// exhaustive is the safe default.
    pub repeat_stop: usize,
    /// Global search when the local fits are poor: if the best fit's
    /// relative residuals (rms over the real and imaginary parts of
    /// (Z_fit − Z)/|Z|) exceed `global_above`, up to `global_starts` more
    /// fits run — the automatic guesses when the user gave a start, then
    /// random starts around them (log-uniform ×10^±2 for the log-scaled
    /// parameters, α uniform in [0.4, 1]; fixed and tied parameters kept,
    /// bounds honoured; seeded, so reproducible). Default 24; 0 disables.
    pub global_starts: usize,
    /// The rms relative residual above which a fit counts as poor (default
    /// 0.05: 5 %).
    pub global_above: f64,
    /// Seed of the global search's random starts.
    pub global_seed: u64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            weighting: Weighting::Unit,
            lm: LmOptions {
                ftol: 1e-12,
                xtol: 1e-12,
                ..LmOptions::default()
            },
            log_scale: true,
            max_starts: 32,
            repeat_stop: 0,
            global_starts: 24,
            global_above: 0.05,
            global_seed: 0x05EE_DE15_u64,
        }
    }
}

/// A fitted circuit. `Display` prints lmfit's report (statistics,
/// parameters with their errors, correlations, warnings) and the derived
/// quantities (effective capacitances, relaxation times) with σ from the
/// full covariance.
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum, fit::{fit_circuit, FitOptions}};
/// let c: Circuit = "R0-p(R1,CPE1)".parse()?;
/// let f: Vec<f64> = (0..50).map(|i| 10f64.powf(6.0 - 0.12 * i as f64)).collect();
/// let data = ImpedanceSpectrum::simulate(&c, &[10.0, 1000.0, 1e-7, 0.9], &f)?;
/// let fit = fit_circuit(&c, &data, None, &FitOptions::default())?; // automatic starts
/// println!("{fit}");
/// assert!((fit.value("R1").unwrap() / 1000.0 - 1.0).abs() < 1e-6);
/// assert!(fit.derived().iter().any(|q| q.name == "C_eff(R1,CPE1)"));
/// # Ok::<(), interphase_eis::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircuitFit {
    /// The circuit.
    pub circuit: Circuit,
    /// The fit in natural units (values, standard errors, covariance,
    /// correlations, χ², AIC, BIC, termination).
    pub result: FitResult,
    /// The weighting used.
    pub weighting: &'static str,
    /// Starts tried (1 with a user guess).
    pub starts: usize,
    /// Relative residuals of the real parts, (Re Z_fit − Re Z)/|Z|.
    pub relative_residuals_re: Vec<f64>,
    /// Relative residuals of the imaginary parts, (Im Z_fit − Im Z)/|Z|.
    pub relative_residuals_im: Vec<f64>,
}

/// A quantity derived from a circuit fit (an effective capacitance or a
/// relaxation time), with its standard error from the fit's full covariance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedQuantity {
    /// `C_eff(R1,CPE1)`, `tau(R1,CPE1)`, `C_eff(K2)`, ...
    pub name: String,
    /// The value.
    pub value: f64,
    /// One standard error (σ² = gᵀ C g over the parameters it depends on);
    /// `None` when the fit has no covariance.
    pub stderr: Option<f64>,
    /// `F` or `s`.
    pub unit: String,
    /// The formula, for the report.
    pub formula: &'static str,
}

impl CircuitFit {
    /// A fitted value by parameter name.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.result.value(name)
    }
    /// A standard error by parameter name.
    pub fn stderr(&self, name: &str) -> Option<f64> {
        self.result.stderr(name)
    }
    /// Effective capacitances and relaxation times with standard errors from
    /// the full covariance (correlations included; see
    /// [`FitResult::derived`]): for every parallel pair of one resistor and
    /// one capacitor, C_eff = C and τ = R·C; of one resistor and one CPE,
    /// C_eff = (R·Q)^(1/α)/R and τ = (R·Q)^(1/α) (Hsu & Mansfeld, *Corrosion*
    /// 57 (2001) 747); for `K` and `ZARC` elements (R, τ given), C_eff = τ/R.
    /// Quantities that are not finite at the fit are left out.
    ///
    /// ```
    /// use interphase_eis::{Circuit, ImpedanceSpectrum, fit::{fit_circuit, FitOptions}};
    /// let c: Circuit = "R0-p(R1,CPE1)".parse()?;
    /// let f: Vec<f64> = (0..40).map(|i| 10f64.powf(6.0 - i as f64 * 0.15)).collect();
    /// let p = [100.0, 2000.0, 1e-8, 0.85];
    /// let z: Vec<_> = f.iter().map(|&f| c.impedance(f, &p).unwrap()).collect();
    /// let data = ImpedanceSpectrum::new(f, z)?;
    /// let fit = fit_circuit(&c, &data, None, &FitOptions::default())?;
    /// let d = fit.derived();
    /// assert_eq!(d[0].name, "C_eff(R1,CPE1)");
    /// let want = (2000.0f64 * 1e-8).powf(1.0 / 0.85) / 2000.0;
    /// assert!((d[0].value / want - 1.0).abs() < 1e-6);
    /// # Ok::<(), interphase_eis::Error>(())
    /// ```
    pub fn derived(&self) -> Vec<DerivedQuantity> {
        self.derived_specs()
            .into_iter()
            .filter_map(|d| {
                let names: Vec<&str> = d.params.iter().map(String::as_str).collect();
                let r = self.result.derived(&names, d.f).ok()?;
                Some(DerivedQuantity {
                    name: d.name,
                    value: r.value,
                    stderr: r.stderr,
                    unit: d.unit.to_string(),
                    formula: d.formula,
                })
            })
            .collect()
    }

    /// The Monte Carlo spreads of the quantities [`CircuitFit::derived`]
    /// reports, from refits of this fit ([`monte_carlo_circuit`]).
    pub fn derived_spreads(
        &self,
        mc: &interphase_fit::montecarlo::MonteCarlo,
    ) -> Vec<interphase_fit::montecarlo::Spread> {
        self.derived_specs()
            .into_iter()
            .filter_map(|d| {
                let names: Vec<&str> = d.params.iter().map(String::as_str).collect();
                let cov = self.result.derived(&names, d.f).ok()?;
                let mut s = mc.derived(&names, cov.value, d.f).ok()?;
                s.name = d.name;
                s.covariance_stderr = cov.stderr;
                Some(s)
            })
            .collect()
    }

    fn derived_specs(&self) -> Vec<DerivedSpec> {
        fn c_of_cpe(p: &[f64]) -> f64 {
            (p[0] * p[1]).powf(1.0 / p[2]) / p[0]
        }
        fn tau_of_cpe(p: &[f64]) -> f64 {
            (p[0] * p[1]).powf(1.0 / p[2])
        }
        let spec = |name: String, params: Vec<String>, unit, formula, f| DerivedSpec {
            name,
            params,
            unit,
            formula,
            f,
        };
        let mut out = Vec::new();
        let mut pairs = Vec::new();
        rc_pairs(self.circuit.root(), &mut pairs);
        for (r, (c, kind)) in pairs {
            let label = format!("({r},{c})");
            match kind {
                ElementKind::C => {
                    out.push(spec(
                        format!("C_eff{label}"),
                        vec![c.clone()],
                        "F",
                        "C",
                        |p| p[0],
                    ));
                    out.push(spec(format!("tau{label}"), vec![r, c], "s", "R·C", |p| {
                        p[0] * p[1]
                    }));
                }
                ElementKind::Cpe => {
                    let names = vec![r, format!("{c}.Q"), format!("{c}.alpha")];
                    out.push(spec(
                        format!("C_eff{label}"),
                        names.clone(),
                        "F",
                        "(R·Q)^(1/α)/R",
                        c_of_cpe,
                    ));
                    out.push(spec(
                        format!("tau{label}"),
                        names,
                        "s",
                        "(R·Q)^(1/α)",
                        tau_of_cpe,
                    ));
                }
                _ => {}
            }
        }
        for (name, kind, _) in self.circuit.elements() {
            if matches!(kind, ElementKind::K | ElementKind::Zarc) {
                out.push(spec(
                    format!("C_eff({name})"),
                    vec![format!("{name}.R"), format!("{name}.tau")],
                    "F",
                    "τ/R",
                    |p| p[1] / p[0],
                ));
            }
        }
        out
    }

    /// The fit as HTML: the circuit, then the core's parameter table.
    pub fn html(&self) -> String {
        format!(
            "<p>circuit <code>{}</code>, {} weighting, {} start(s)</p>\n{}",
            self.circuit,
            self.weighting,
            self.starts,
            self.result.html()
        )
    }

    /// Shows [`CircuitFit::html`] inline in an evcxr notebook.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            interphase_fit::evcxr_blocks(&self.to_string(), "text/html", &self.html())
        );
    }

    /// The fitted circuit's impedance at `freqs` (Hz).
    pub fn predict(&self, freqs: &[f64]) -> Result<Vec<C>> {
        let mut z = vec![C::new(0.0, 0.0); freqs.len()];
        self.circuit
            .impedance_into(freqs, &self.result.values(), &mut z)?;
        Ok(z)
    }
}

/// Default parameters for `circuit` with `values`: every parameter > 0
/// (lower bound 0), exponents in [0, 1].
pub fn circuit_parameters(circuit: &Circuit, values: &[f64]) -> Result<Parameters> {
    if values.len() != circuit.n_params() {
        return Err(Error::Invalid(format!(
            "circuit {circuit} has {} parameters ({}), {} values given",
            circuit.n_params(),
            circuit.parameter_names().join(", "),
            values.len()
        )));
    }
    let mut ps = Parameters::new();
    for (i, (name, &v)) in circuit.parameter_names().iter().zip(values).enumerate() {
        let p = Parameter::new(*name, v);
        let p = if circuit.is_exponent(i) {
            p.with_bounds(0.0, 1.0)
        } else {
            p.with_min(0.0)
        };
        ps.push(p)?;
    }
    Ok(ps)
}

struct Cnls<'a> {
    circuit: &'a Circuit,
    /// ω = 2πf and ln ω of each frequency, computed once.
    omega: Vec<Omega>,
    data: &'a [C],
    w: Vec<f64>,
    log: Vec<bool>,
}

/// Parameters up to which the CNLS residuals and Jacobian keep their
/// per-step buffers on the stack.
const STACK: usize = 32;

impl<'a> Cnls<'a> {
    fn new(circuit: &'a Circuit, freq: &[f64], data: &'a [C], w: Vec<f64>, log: Vec<bool>) -> Self {
        Cnls {
            circuit,
            omega: freq
                .iter()
                .map(|f| Omega::new(2.0 * std::f64::consts::PI * f))
                .collect(),
            data,
            w,
            log,
        }
    }

    /// Calls `f` with the natural-unit parameters of internal `q` and their
    /// element phases, on the stack for circuits of up to `STACK` parameters
    /// (the solver evaluates this at every step).
    fn with_natural<R>(&self, q: &[f64], f: impl FnOnce(&[f64], &[C]) -> R) -> R {
        let fill = |p: &mut [f64], ph: &mut [C]| {
            for ((v, &x), &l) in p.iter_mut().zip(q).zip(&self.log) {
                *v = if l { x.exp() } else { x };
            }
            self.circuit.phases_into(p, ph);
        };
        let n = q.len();
        if n <= STACK {
            let (mut p, mut ph) = ([0.0; STACK], [C::new(0.0, 0.0); STACK]);
            fill(&mut p[..n], &mut ph[..n]);
            f(&p[..n], &ph[..n])
        } else {
            let (mut p, mut ph) = (vec![0.0; n], vec![C::new(0.0, 0.0); n]);
            fill(&mut p, &mut ph);
            f(&p, &ph)
        }
    }
}

impl Problem for Cnls<'_> {
    fn n_residuals(&self) -> usize {
        2 * self.omega.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(self.circuit.n_params())
    }
    fn residuals(&self, q: &[f64], out: &mut [f64]) {
        self.with_natural(q, |p, ph| {
            let n = self.omega.len();
            for (i, &x) in self.omega.iter().enumerate() {
                let z = self.circuit.eval_root::<false>(x, p, ph, &mut []);
                let d = (z - self.data[i]) * self.w[i];
                out[i] = d.re;
                out[n + i] = d.im;
            }
        })
    }
    fn jacobian(&self, q: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        self.with_natural(q, |p, ph| {
            let n = self.omega.len();
            let m = p.len();
            let (mut stack, mut heap) = ([C::new(0.0, 0.0); STACK], Vec::new());
            let g: &mut [C] = if m <= stack.len() {
                &mut stack[..m]
            } else {
                heap.resize(m, C::new(0.0, 0.0));
                &mut heap
            };
            for (i, &x) in self.omega.iter().enumerate() {
                self.circuit.eval_root::<true>(x, p, ph, g);
                for j in 0..m {
                    let d = g[j] * (self.w[i] * if self.log[j] { p[j] } else { 1.0 });
                    jac.set(i, j, d.re);
                    jac.set(n + i, j, d.im);
                }
            }
            true
        })
    }
}

/// Translates user parameters to the fit's internal scale (ln p for the
/// log-scaled ones), checking what the log scale cannot represent.
fn to_internal(params: &Parameters, log: &[bool]) -> Result<Parameters> {
    let mut out = Parameters::new();
    for (p, &l) in params.iter().zip(log) {
        if !l {
            out.push(p.clone())?;
            continue;
        }
        if p.value().is_nan() || p.value() <= 0.0 {
            return Err(Error::Invalid(format!(
                "{} = {} must be > 0 (fitted on a log scale; set log_scale = false for other values)",
                p.name(),
                p.value()
            )));
        }
        let mut q = Parameter::new(p.name(), p.value().ln()).with_vary(p.vary());
        if let Some(lo) = p.min().filter(|v| *v > 0.0) {
            q = q.with_min(lo.ln());
        }
        if let Some(hi) = p.max() {
            if hi <= 0.0 {
                return Err(Error::Invalid(format!(
                    "{}: upper bound {hi} excludes every positive value",
                    p.name()
                )));
            }
            q = q.with_max(hi.ln());
        }
        if let Some(t) = p.tie() {
            let (factor, offset) = (t.factor, t.offset);
            if factor.is_nan() || factor <= 0.0 || offset != 0.0 {
                return Err(Error::Invalid(format!(
                    "{}: on a log scale only ties p = factor·q with factor > 0 are possible",
                    p.name()
                )));
            }
            q = q.tied_to(t.reference.clone(), 1.0, factor.ln());
        }
        out.push(q)?;
    }
    Ok(out)
}

/// Converts a result on the internal scale back to natural units.
fn to_natural(mut r: FitResult, log: &[bool]) -> FitResult {
    let d: Vec<f64> = r
        .params
        .iter()
        .zip(log)
        .map(|(p, &l)| if l { p.value.exp() } else { 1.0 })
        .collect();
    for ((p, &l), &di) in r.params.iter_mut().zip(log).zip(&d) {
        if l {
            p.value = di;
            p.init = p.init.exp();
            p.stderr = p.stderr.map(|s| s * di);
            p.min = p.min.map(f64::exp);
            p.max = p.max.map(f64::exp);
        }
    }
    if let Some(cov) = r.covariance.as_mut() {
        for (i, row) in cov.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v *= d[i] * d[j];
            }
        }
    }
    r
}

/// Fits `circuit` to `data`. With `initial = None` the starts come from
/// [`initial_guesses`] and the best χ² is kept; with a user [`Parameters`]
/// set (names as [`Circuit::parameter_names`], bounds, fixed values and ties
/// honoured) one fit runs from it.
pub fn fit_circuit(
    circuit: &Circuit,
    data: &ImpedanceSpectrum,
    initial: Option<&Parameters>,
    options: &FitOptions,
) -> Result<CircuitFit> {
    let w = options.weighting.weights(data.z())?;
    let log: Vec<bool> = (0..circuit.n_params())
        .map(|i| options.log_scale && !circuit.is_exponent(i))
        .collect();
    let problem = Cnls::new(circuit, data.freq(), data.z(), w, log.clone());
    let starts: Vec<Parameters> = match initial {
        Some(p) => {
            let names = circuit.parameter_names();
            if p.len() != names.len() || p.iter().zip(&names).any(|(a, b)| a.name() != *b) {
                return Err(Error::Invalid(format!(
                    "the parameters must be, in order: {} (got {})",
                    names.join(", "),
                    p.names().join(", ")
                )));
            }
            vec![p.clone()]
        }
        None => initial_guesses(circuit, data)?
            .into_iter()
            .take(options.max_starts.max(1))
            .map(|v| circuit_parameters(circuit, &v))
            .collect::<Result<_>>()?,
    };
    // the starts run without uncertainties; the winner gets them at the end
    let lm = LmOptions {
        uncertainties: false,
        ..options.lm.clone()
    };
    let mut best: Option<FitResult> = None;
    let mut last_err = None;
    let (mut hits, mut tried) = (0usize, 0usize);
    for s in &starts {
        tried += 1;
        match fit(&problem, &to_internal(s, &log)?, &lm) {
            Ok(r) => {
                let same = best.as_ref().is_some_and(|b| {
                    (r.chi_square - b.chi_square).abs() <= 1e-8 * b.chi_square.abs().max(1e-300)
                });
                if same {
                    hits += 1;
                } else if best.as_ref().is_none_or(|b| r.chi_square < b.chi_square) {
                    best = Some(r);
                    hits = 1;
                }
            }
            Err(e) => last_err = Some(e),
        }
        if options.repeat_stop > 0 && hits >= options.repeat_stop {
            break;
        }
    }
    let poor = |r: &FitResult| {
        let p: Vec<f64> = r
            .params
            .iter()
            .zip(&log)
            .map(|(p, &l)| if l { p.value.exp() } else { p.value })
            .collect();
        relative_rms(circuit, data, &p).is_none_or(|v| v > options.global_above)
    };
    if options.global_starts > 0 && best.as_ref().is_none_or(poor) {
        let template = &starts[0];
        let guesses = initial_guesses(circuit, data).unwrap_or_default();
        let mut extra: Vec<Vec<f64>> = Vec::new();
        if initial.is_some() {
            extra.extend(guesses.iter().take(options.max_starts.max(1)).cloned());
        }
        let centres: Vec<Vec<f64>> = if guesses.is_empty() {
            vec![template.values()]
        } else {
            guesses
        };
        let mut rng = interphase_fit::SplitMix64::new(options.global_seed);
        for k in 0..options.global_starts.saturating_sub(extra.len()) {
            let c = &centres[k % centres.len()];
            let v: Vec<f64> = (0..c.len())
                .map(|j| {
                    let u = rng.next_f64();
                    if circuit.is_exponent(j) {
                        0.4 + 0.6 * u
                    } else {
                        c[j] * 10f64.powf(4.0 * u - 2.0)
                    }
                })
                .collect();
            extra.push(v);
        }
        for v in extra.into_iter().take(options.global_starts) {
            // the user's constraints: fixed and tied values kept, bounds held
            let mut s = template.clone();
            for (j, &x) in v.iter().enumerate() {
                let p = &s[j];
                if !p.vary() || p.tie().is_some() || !x.is_finite() {
                    continue;
                }
                let lo = p.min().unwrap_or(f64::NEG_INFINITY);
                let hi = p.max().unwrap_or(f64::INFINITY);
                let name = p.name().to_string();
                let x = x.clamp(lo, hi);
                if log[j] && x <= 0.0 {
                    continue;
                }
                s.set_value(&name, x)?;
            }
            tried += 1;
            if let Ok(r) = fit(&problem, &to_internal(&s, &log)?, &lm)
                && best.as_ref().is_none_or(|b| r.chi_square < b.chi_square)
            {
                best = Some(r);
            }
        }
    }
    // uncertainties of the winner: a last fit from its solution
    let best = match best {
        Some(b) if options.lm.uncertainties => {
            let mut from = to_internal(&starts[0], &log)?;
            let p: Vec<f64> = b.params.iter().map(|p| p.value).collect();
            match from
                .set_values(&p)
                .map(|_| fit(&problem, &from, &options.lm))
            {
                Ok(Ok(mut f)) if f.chi_square <= b.chi_square * (1.0 + 1e-12) => {
                    f.n_evaluations += b.n_evaluations;
                    f.n_jacobians += b.n_jacobians;
                    f.n_iterations += b.n_iterations;
                    for (q, p0) in f.params.iter_mut().zip(&b.params) {
                        q.init = p0.init;
                    }
                    Some(f)
                }
                _ => Some(b),
            }
        }
        b => b,
    };
    let mut result = match (best, last_err) {
        (Some(b), _) => to_natural(b, &log),
        (None, Some(e)) => return Err(e.into()),
        (None, None) => return Err(Error::Invalid("no starting point".into())),
    };
    // fixed values exactly as given (not through ln and exp)
    for (r, p) in result.params.iter_mut().zip(starts[0].iter()) {
        if !p.vary() && p.tie().is_none() {
            r.value = p.value();
            r.init = p.value();
        }
    }
    let mut result = canonical_order(circuit, result);
    warn_unbounded_parallel_r(circuit, data, &mut result);
    circuit_fit(circuit, data, result, options, tried)
}

/// A resistance in parallel with a capacitor or CPE that ran off far beyond
/// every |Z| of the data is not determined by them: the pair acts as its
/// capacitive element alone, and its C_eff and τ are meaningless. Says so
/// in the result's warnings (never a silent 10⁹⁰ Ω).
fn warn_unbounded_parallel_r(circuit: &Circuit, data: &ImpedanceSpectrum, result: &mut FitResult) {
    let z_max = data.z().iter().map(|v| v.norm()).fold(0.0, f64::max);
    let mut pairs = Vec::new();
    rc_pairs(circuit.root(), &mut pairs);
    for (r, (c, _)) in pairs {
        let Some(p) = result.params.iter().find(|p| p.name == r) else {
            continue;
        };
        if p.vary && p.value.abs() > 1e3 * z_max {
            let msg = format!(
                "{r} = {:.3e} Ω is more than 1000× the largest |Z| of the data ({z_max:.3e} Ω): \
                 the data do not determine it, p({r},{c}) acts as {c} alone and its C_eff and \
                 tau are meaningless; fit {c} without {r} in parallel, or bound {r}",
                p.value
            );
            result.warnings.push(msg);
        }
    }
}

/// Monte Carlo uncertainties of a circuit fit (see
/// [`interphase_fit::montecarlo`]): `mc.n` synthetic spectra drawn from the
/// fit and its noise (Gaussian at the fit's weighted noise level, or the
/// residual bootstrap), each refitted from the best values on the same
/// scale, weighting and bounds as the fit (`initial` and `options` as given
/// to [`fit_circuit`]); the spread of every parameter beside its covariance
/// error. `MonteCarlo::derived` gives the spread of any derived quantity
/// (an effective capacitance, a conductivity).
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum, fit::{fit_circuit, monte_carlo_circuit, FitOptions}};
/// use interphase_fit::montecarlo::MonteCarloOptions;
/// let c: Circuit = "R0-p(R1,C1)".parse()?;
/// let f: Vec<f64> = (0..40).map(|i| 10f64.powf(6.0 - i as f64 * 0.15)).collect();
/// // 1 % multiplicative noise, deterministic
/// let z: Vec<_> = f.iter().enumerate()
///     .map(|(i, &f)| c.impedance(f, &[20.0, 100.0, 1e-6]).unwrap() * (1.0 + 0.01 * (i as f64 * 2.1).sin()))
///     .collect();
/// let data = ImpedanceSpectrum::new(f, z)?;
/// let o = FitOptions::default();
/// let fit = fit_circuit(&c, &data, None, &o)?;
/// let mc = monte_carlo_circuit(&fit, &data, None, &o, &MonteCarloOptions { n: 100, ..Default::default() })?;
/// let r1 = mc.param("R1").unwrap();
/// assert!(r1.std > 0.0 && r1.percentiles[0] < r1.best && r1.best < r1.percentiles[4]);
/// # Ok::<(), interphase_eis::Error>(())
/// ```
pub fn monte_carlo_circuit(
    fit: &CircuitFit,
    data: &ImpedanceSpectrum,
    initial: Option<&Parameters>,
    options: &FitOptions,
    mc: &interphase_fit::montecarlo::MonteCarloOptions,
) -> Result<interphase_fit::montecarlo::MonteCarlo> {
    use interphase_fit::montecarlo::{MonteCarlo, monte_carlo_samples};
    let circuit = &fit.circuit;
    let w = options.weighting.weights(data.z())?;
    let log: Vec<bool> = (0..circuit.n_params())
        .map(|i| options.log_scale && !circuit.is_exponent(i))
        .collect();
    let problem = Cnls::new(circuit, data.freq(), data.z(), w, log.clone());
    if problem.n_residuals() != fit.result.residuals.len() {
        return Err(Error::Invalid(format!(
            "the fit has {} residuals, this spectrum {}: not the fit of this spectrum",
            fit.result.residuals.len(),
            problem.n_residuals()
        )));
    }
    let values = fit.result.values();
    let mut template = match initial {
        Some(p) => p.clone(),
        None => circuit_parameters(circuit, &values)?,
    };
    template.set_values(&values)?;
    let start = to_internal(&template, &log)?;
    let mc_lm = interphase_fit::montecarlo::MonteCarloOptions {
        lm: LmOptions {
            uncertainties: false,
            ..mc.lm.clone()
        },
        ..mc.clone()
    };
    let (mut samples, failed) = monte_carlo_samples(&problem, &start, &fit.result, &mc_lm)?;
    for row in &mut samples {
        for (v, &l) in row.iter_mut().zip(&log) {
            if l {
                *v = v.exp();
            }
        }
    }
    Ok(MonteCarlo::from_samples(&fit.result, samples, failed, mc)?)
}

/// rms of the relative residuals (Z(p) − Z)/|Z| over real and imaginary
/// parts; None when the circuit cannot be evaluated at `p`.
fn relative_rms(circuit: &Circuit, data: &ImpedanceSpectrum, p: &[f64]) -> Option<f64> {
    let mut zf = vec![C::new(0.0, 0.0); data.len()];
    circuit.impedance_into(data.freq(), p, &mut zf).ok()?;
    let s: f64 = zf
        .iter()
        .zip(data.z())
        .map(|(m, d)| (m - d).norm_sqr() / d.norm_sqr())
        .sum();
    let v = (s / (2.0 * data.len() as f64)).sqrt();
    v.is_finite().then_some(v)
}

/// A [`CircuitFit`] of `result` (natural units) with its relative residuals.
fn circuit_fit(
    circuit: &Circuit,
    data: &ImpedanceSpectrum,
    result: FitResult,
    options: &FitOptions,
    starts: usize,
) -> Result<CircuitFit> {
    let mut zf = vec![C::new(0.0, 0.0); data.len()];
    circuit.impedance_into(data.freq(), &result.values(), &mut zf)?;
    let (rr, ri) = zf
        .iter()
        .zip(data.z())
        .map(|(m, d)| ((m.re - d.re) / d.norm(), (m.im - d.im) / d.norm()))
        .unzip();
    Ok(CircuitFit {
        circuit: circuit.clone(),
        result,
        weighting: options.weighting.name(),
        starts,
        relative_residuals_re: rr,
        relative_residuals_im: ri,
    })
}

/// `p`'s bounds under a new name and value (the value clamped into them).
fn renamed(p: &Parameter, name: String, value: f64) -> Parameter {
    let (lo, hi) = (
        p.min().unwrap_or(f64::NEG_INFINITY),
        p.max().unwrap_or(f64::INFINITY),
    );
    let mut q = Parameter::new(name, value.clamp(lo, hi));
    if let Some(m) = p.min() {
        q = q.with_min(m);
    }
    if let Some(m) = p.max() {
        q = q.with_max(m);
    }
    q
}

/// The outcome of [`fit_circuit_global`]. `Display` prints the circuit,
/// the shared parameters, the core's report of the whole series (every
/// parameter, per-spectrum ones suffixed `@i`) and one line per spectrum
/// with its χ² and χ²_ν; the example of [`fit_circuit_global`] prints one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlobalCircuitFit {
    /// The core's result over all spectra at once, in natural units. A
    /// shared parameter keeps its circuit name (`CPE1.alpha`); a per-spectrum
    /// one is suffixed with the spectrum's index (`R1@2`). χ², AIC and BIC
    /// are those of the whole series.
    pub result: FitResult,
    /// The shared parameters' names, as given.
    pub shared: Vec<String>,
    /// Each spectrum's fit cut out of the global one, in input order, with the
    /// circuit's own parameter names: values, standard errors and covariances
    /// from the global fit, χ², AIC, BIC and relative residuals over that
    /// spectrum's points
    /// ([`GlobalProblem::dataset_result`](interphase_fit::GlobalProblem::dataset_result)).
    pub fits: Vec<CircuitFit>,
}

/// Fits one circuit to several spectra at once, the parameters named in
/// `shared` (e.g. `CPE1.alpha` across a temperature series, or a geometric
/// `R0` across cells) taking one value for all and every other parameter one
/// value per spectrum; the residual vector is the concatenation of the
/// spectra's, each weighted by `options.weighting` from its own data.
///
/// Starting values: each spectrum is first fitted on its own with automatic
/// guesses (in parallel); per-spectrum parameters start at those fits'
/// values and shared ones at their median. Interchangeable blocks are not
/// reordered afterwards (the independent fits that seed the global one
/// already are, fastest first). Parameters are positive and log-scaled as
/// in [`fit_circuit`].
///
/// Errors: no spectra, an unknown or repeated shared name, a spectrum whose
/// own fit fails, and the core's errors.
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum};
/// use interphase_eis::fit::{fit_circuit_global, FitOptions, Weighting};
/// let c: Circuit = "R0-p(R1,CPE1)".parse()?;
/// let f: Vec<f64> = (0..50).map(|i| 10f64.powf(6.0 - 0.14 * i as f64)).collect();
/// // a temperature series: R1 falls, the CPE exponent stays 0.85
/// let series: Vec<ImpedanceSpectrum> = [2000.0, 800.0, 300.0]
///     .iter()
///     .map(|&r1| ImpedanceSpectrum::simulate(&c, &[10.0, r1, 1e-8, 0.85], &f))
///     .collect::<Result<_, _>>()?;
/// let opts = FitOptions { weighting: Weighting::Proportional, ..Default::default() };
/// let g = fit_circuit_global(&c, &series, &["CPE1.alpha", "CPE1.Q"], &opts)?;
/// assert!((g.result.value("CPE1.alpha").unwrap() - 0.85).abs() < 1e-6);
/// assert!((g.fits[1].value("R1").unwrap() / 800.0 - 1.0).abs() < 1e-6);
/// println!("{g}"); // the series' report, then a line per spectrum
/// assert!(g.to_string().contains("[[Global circuit fit]] R0-p(R1,CPE1), 3 spectra"));
/// # Ok::<(), interphase_eis::Error>(())
/// ```
pub fn fit_circuit_global(
    circuit: &Circuit,
    spectra: &[ImpedanceSpectrum],
    shared: &[&str],
    options: &FitOptions,
) -> Result<GlobalCircuitFit> {
    use interphase_fit::GlobalProblem;
    use rayon::prelude::*;
    if spectra.is_empty() {
        return Err(Error::Invalid("global fit: no spectra".into()));
    }
    let names = circuit.parameter_names();
    GlobalProblem::check_shared(&names, shared, &circuit.to_string()).map_err(Error::Invalid)?;
    let own: Vec<CircuitFit> = spectra
        .par_iter()
        .enumerate()
        .map(|(d, s)| {
            fit_circuit(circuit, s, None, options)
                .map_err(|e| Error::Invalid(format!("global fit: spectrum {d}: {e}")))
        })
        .collect::<Result<_>>()?;
    let log: Vec<bool> = (0..circuit.n_params())
        .map(|i| options.log_scale && !circuit.is_exponent(i))
        .collect();
    let global_name = |name: &str, d: usize| GlobalProblem::parameter_name(name, d, shared);
    // natural-unit starting values, then the internal (log) scale
    let mut natural = Parameters::new();
    let mut global_log = Vec::new();
    let defaults = circuit_parameters(circuit, &own[0].result.values())?;
    for (j, name) in names.iter().enumerate() {
        if !shared.contains(name) {
            continue;
        }
        let mut v: Vec<f64> = own
            .iter()
            .map(|f| f.result.params[j].value)
            .filter(|v| !log[j] || *v > 0.0)
            .collect();
        if v.is_empty() {
            v.push(initial_guesses(circuit, &spectra[0])?[0][j]);
        }
        v.sort_by(f64::total_cmp);
        natural.push(renamed(&defaults[j], name.to_string(), v[v.len() / 2]))?;
        global_log.push(log[j]);
    }
    let mut local_names: Vec<Vec<String>> = Vec::with_capacity(spectra.len());
    for (d, f) in own.iter().enumerate() {
        // a log-scaled value driven to 0 (at its bound) restarts from the
        // spectrum's first automatic guess
        let mut values = f.result.values();
        if values.iter().zip(&log).any(|(v, &l)| l && *v <= 0.0) {
            let guess = initial_guesses(circuit, &spectra[d])?;
            for ((v, &l), g) in values.iter_mut().zip(&log).zip(&guess[0]) {
                if l && *v <= 0.0 {
                    *v = *g;
                }
            }
        }
        let defaults = circuit_parameters(circuit, &values)?;
        for (j, name) in names.iter().enumerate() {
            if shared.contains(name) {
                continue;
            }
            let p = &defaults[j];
            natural.push(renamed(p, global_name(name, d), p.value()))?;
            global_log.push(log[j]);
        }
        local_names.push(names.iter().map(|n| global_name(n, d)).collect());
    }
    let internal = to_internal(&natural, &global_log)?;
    let problems: Vec<Cnls<'_>> = spectra
        .iter()
        .map(|s| -> Result<Cnls<'_>> {
            Ok(Cnls::new(
                circuit,
                s.freq(),
                s.z(),
                options.weighting.weights(s.z())?,
                log.clone(),
            ))
        })
        .collect::<Result<_>>()?;
    let mut problem = GlobalProblem::new(&internal);
    for (d, pr) in problems.iter().enumerate() {
        let refs: Vec<&str> = local_names[d].iter().map(String::as_str).collect();
        problem.add(pr, &refs)?;
    }
    let result = fit(&problem, &internal, &options.lm)?;
    let mut fits = Vec::with_capacity(spectra.len());
    for (d, s) in spectra.iter().enumerate() {
        let local = problem.dataset_result(d, &result, &names)?;
        fits.push(circuit_fit(
            circuit,
            s,
            to_natural(local, &log),
            options,
            own[d].starts,
        )?);
    }
    Ok(GlobalCircuitFit {
        result: to_natural(result, &global_log),
        shared: shared.iter().map(|s| s.to_string()).collect(),
        fits,
    })
}

/// Fits `circuit` to every spectrum in parallel (rayon), each as
/// [`fit_circuit`] would with `initial` and `options`; results in input
/// order, a failure in its own slot without stopping the others, and
/// `progress` called after every fit (from the worker threads). Each fit is
/// independent of the others, so the results do not depend on the number of
/// threads.
///
/// ```
/// use interphase_eis::{Circuit, ImpedanceSpectrum};
/// use interphase_eis::fit::{fit_circuit_batch, FitOptions};
/// let c: Circuit = "R0-p(R1,C1)".parse()?;
/// let f: Vec<f64> = (0..40).map(|i| 10f64.powf(5.0 - 0.15 * i as f64)).collect();
/// let cells: Vec<ImpedanceSpectrum> = [100.0, 200.0, 400.0]
///     .iter()
///     .map(|&r1| ImpedanceSpectrum::simulate(&c, &[10.0, r1, 1e-6], &f))
///     .collect::<Result<_, _>>()?;
/// let fits = fit_circuit_batch(&c, &cells, None, &FitOptions::default(), None);
/// assert!((fits[2].as_ref().unwrap().value("R1").unwrap() / 400.0 - 1.0).abs() < 1e-6);
/// # Ok::<(), interphase_eis::Error>(())
/// ```
pub fn fit_circuit_batch(
    circuit: &Circuit,
    spectra: &[ImpedanceSpectrum],
    initial: Option<&Parameters>,
    options: &FitOptions,
    progress: Option<&(dyn Fn(interphase_fit::Progress) + Sync)>,
) -> Vec<Result<CircuitFit>> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (done, failed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    spectra
        .par_iter()
        .map(|s| {
            let r = fit_circuit(circuit, s, initial, options);
            if r.is_err() {
                failed.fetch_add(1, Ordering::Relaxed);
            }
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(cb) = progress {
                cb(interphase_fit::Progress {
                    done: d,
                    total: spectra.len(),
                    failed: failed.load(Ordering::Relaxed),
                });
            }
            r
        })
        .collect()
}

/// Interchangeable series blocks (same structure, e.g. two `p(R,CPE)`) are
/// put in order of decreasing characteristic frequency (the frequency of the
/// block's −Im Z maximum), so that the first such block is the fastest
/// process — a series connection commutes, and without this rule the fit
/// could report the bulk arc under the grain-boundary names.
fn canonical_order(circuit: &Circuit, mut r: FitResult) -> FitResult {
    let blocks = circuit.series_blocks();
    let values = r.values();
    let mut perm: Vec<usize> = (0..values.len()).collect();
    let mut done = vec![false; blocks.len()];
    for i in 0..blocks.len() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..blocks.len())
            .filter(|&j| blocks[j].0 == blocks[i].0)
            .collect();
        same.iter().for_each(|&j| done[j] = true);
        if same.len() < 2 {
            continue;
        }
        let apex = |j: usize| -> f64 {
            let (_, a, b) = &blocks[j];
            block_apex(circuit, *a, *b, &values)
        };
        let mut order = same.clone();
        order.sort_by(|&a, &b| apex(b).total_cmp(&apex(a)));
        for (slot, src) in same.iter().zip(&order) {
            let (_, a, b) = blocks[*slot];
            let (sa, _) = (blocks[*src].1, blocks[*src].2);
            for k in 0..(b - a) {
                perm[a + k] = sa + k;
            }
        }
    }
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return r;
    }
    let old = r.params.clone();
    for (i, &p) in perm.iter().enumerate() {
        let name = std::mem::take(&mut r.params[i].name);
        r.params[i] = old[p].clone();
        r.params[i].name = name;
    }
    if let Some(cov) = r.covariance.as_mut() {
        let c0 = cov.clone();
        for i in 0..perm.len() {
            for j in 0..perm.len() {
                cov[i][j] = c0[perm[i]][perm[j]];
            }
        }
    }
    r
}

/// Characteristic angular frequency of the parameters `a..b` evaluated as the
/// circuit's top-level block: the ω of the largest −Im Z on a fine log grid.
fn block_apex(circuit: &Circuit, a: usize, b: usize, values: &[f64]) -> f64 {
    let Some(k) = circuit.block_node(a, b) else {
        return 0.0;
    };
    let ph = circuit.phases(values);
    let mut best = (f64::NEG_INFINITY, 0.0);
    // 10⁻⁸ … 10¹⁴ rad/s: wide enough for arcs far outside any measured window
    for i in 0..=440 {
        let omega = 10f64.powf(-8.0 + 0.05 * i as f64);
        let z = circuit.eval_node(k, Omega::new(omega), values, &ph);
        if -z.im > best.0 {
            best = (-z.im, omega);
        }
    }
    best.1
}

/// An arc read off the Nyquist plot: apex angular frequency, apex height
/// (−Im Z, Ω) and prominence.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Arc {
    omega: f64,
    height: f64,
}

/// The arcs of −Im Z over decreasing frequency: local maxima above 2 % of the
/// largest, most prominent first.
fn find_arcs(w: &[f64], nim: &[f64]) -> Vec<Arc> {
    let top = nim.iter().copied().fold(0.0, f64::max);
    let mut arcs: Vec<(f64, Arc)> = Vec::new();
    for i in 0..nim.len() {
        let left = if i == 0 {
            f64::NEG_INFINITY
        } else {
            nim[i - 1]
        };
        let right = if i + 1 == nim.len() {
            f64::NEG_INFINITY
        } else {
            nim[i + 1]
        };
        if nim[i] > 0.02 * top && nim[i] > left && nim[i] >= right {
            // prominence against the lowest point to the next higher sample either side
            let lo_l = nim[..i]
                .iter()
                .rev()
                .take_while(|v| **v <= nim[i])
                .copied()
                .fold(nim[i], f64::min);
            let lo_r = nim[i + 1..]
                .iter()
                .take_while(|v| **v <= nim[i])
                .copied()
                .fold(nim[i], f64::min);
            let prom = nim[i] - lo_l.max(lo_r).max(0.0);
            arcs.push((
                prom,
                Arc {
                    omega: w[i],
                    height: nim[i],
                },
            ));
        }
    }
    arcs.sort_by(|a, b| b.0.total_cmp(&a.0));
    arcs.into_iter().map(|(_, a)| a).collect()
}

/// One element's starting values for an arc of resistance `r` at angular
/// frequency `w` (share of r for resistive parameters).
fn element_guess(kind: ElementKind, r: f64, w: f64, alpha: f64) -> Vec<f64> {
    match kind {
        ElementKind::R => vec![r],
        ElementKind::C => vec![1.0 / (w * r)],
        ElementKind::L => vec![r / w * 1e-3],
        ElementKind::Cpe => vec![1.0 / (r * w.powf(alpha)), alpha],
        ElementKind::W => vec![r * w.sqrt()],
        ElementKind::Wo | ElementKind::Ws => vec![r, 1.0 / w],
        ElementKind::G | ElementKind::K => vec![r, 1.0 / w],
        ElementKind::Gs => vec![r, 1.0 / w, 1.0],
        ElementKind::La => vec![r / w * 1e-3, alpha],
        ElementKind::Zarc => vec![r, 1.0 / w, alpha],
    }
}

fn collect_elements<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    match node {
        Node::Element { name, .. } => out.push(name),
        Node::Series(v) | Node::Parallel(v) => v.iter().for_each(|n| collect_elements(n, out)),
    }
}

/// Starting points for `circuit` read from the data (see the module docs),
/// best guess first. Each is a full parameter vector in circuit order.
pub fn initial_guesses(circuit: &Circuit, data: &ImpedanceSpectrum) -> Result<Vec<Vec<f64>>> {
    let d = data.sorted_descending();
    let w: Vec<f64> = d
        .freq()
        .iter()
        .map(|f| 2.0 * std::f64::consts::PI * f)
        .collect();
    let z = d.z();
    let nim: Vec<f64> = z.iter().map(|v| -v.im).collect();
    let re_hf = z
        .iter()
        .filter(|v| v.im <= 0.0)
        .map(|v| v.re)
        .fold(f64::INFINITY, f64::min);
    let re_hf = if re_hf.is_finite() { re_hf } else { z[0].re };
    let re_max = z.iter().map(|v| v.re).fold(f64::NEG_INFINITY, f64::max);
    let span = (re_max - re_hf)
        .max(1e-12 * re_max.abs().max(1e-300))
        .max(f64::MIN_POSITIVE);
    let (w_hi, w_lo) = (w[0], w[w.len() - 1]);
    let arcs = find_arcs(&w, &nim);

    // the circuit's top-level series items: arcs (parallel blocks, K, ZARC, G, Gs) or single elements
    let items: Vec<&Node> = match circuit.root() {
        Node::Series(v) => v.iter().collect(),
        n => vec![n],
    };
    let is_arc = |n: &Node| match n {
        Node::Parallel(_) => true,
        Node::Element { kind, .. } => matches!(
            kind,
            ElementKind::K | ElementKind::Zarc | ElementKind::G | ElementKind::Gs
        ),
        Node::Series(_) => false,
    };
    let n_arcs = items.iter().filter(|n| is_arc(n)).count();
    // arc frequencies: the detected apices (most prominent first), padded log-uniformly
    let mut found: Vec<Arc> = arcs.iter().take(n_arcs).copied().collect();
    let mut k = 0;
    while found.len() < n_arcs {
        let t = (k as f64 + 0.5) / n_arcs as f64;
        let omega = (w_hi.ln() + t * (w_lo.ln() - w_hi.ln())).exp();
        if found.iter().all(|a| (a.omega / omega).ln().abs() > 1.0) || k > 4 * n_arcs {
            found.push(Arc {
                omega,
                height: span / (2.0 * n_arcs as f64),
            });
        }
        k += 1;
    }
    found.sort_by(|a, b| b.omega.total_cmp(&a.omega)); // high → low frequency

    let mut perms: Vec<Vec<usize>> = Vec::new();
    permutations(&mut (0..n_arcs).collect::<Vec<_>>(), 0, &mut perms);
    perms.truncate(24);
    let mut out = Vec::new();
    for (pi, perm) in perms.iter().enumerate() {
        let variations: &[(f64, f64)] = if pi == 0 {
            &[
                (1.0, 0.9),
                (1.0, 0.75),
                (0.3, 0.9),
                (3.0, 0.9),
                (1.0, 1.0),
                (0.03, 0.9),
                (30.0, 0.9),
            ]
        } else {
            &[(1.0, 0.9)]
        };
        for &(tscale, alpha) in variations {
            let mut v = vec![f64::NAN; circuit.n_params()];
            let mut arc_i = 0;
            let mut first_r = true;
            for item in &items {
                let mut names = Vec::new();
                collect_elements(item, &mut names);
                let (r, omega) = if is_arc(item) {
                    let a = found[perm[arc_i]];
                    arc_i += 1;
                    ((2.0 * a.height).clamp(span / 50.0, span), a.omega * tscale)
                } else {
                    (span / n_arcs.max(1) as f64, w_lo)
                };
                let shares = names.len().max(1) as f64;
                for name in names {
                    let Some((_, kind, off)) =
                        circuit.elements().iter().find(|(n, _, _)| n == name)
                    else {
                        continue;
                    };
                    let vals = if !is_arc(item) && *kind == ElementKind::R && first_r {
                        first_r = false;
                        vec![re_hf.max(1e-9 * span)]
                    } else if !is_arc(item) {
                        match kind {
                            ElementKind::C | ElementKind::Cpe => {
                                let im = -z[z.len() - 1].im;
                                let x = if im > 0.0 {
                                    1.0 / (w_lo * im)
                                } else {
                                    1.0 / (w_lo * span)
                                };
                                if *kind == ElementKind::C {
                                    vec![x]
                                } else {
                                    vec![x, alpha]
                                }
                            }
                            ElementKind::L | ElementKind::La => {
                                let l = if z[0].im > 0.0 {
                                    z[0].im / w_hi
                                } else {
                                    span / w_hi * 1e-3
                                };
                                if *kind == ElementKind::L {
                                    vec![l]
                                } else {
                                    vec![l, alpha]
                                }
                            }
                            ElementKind::W => {
                                vec![(-z[z.len() - 1].im).max(span * 1e-3) * w_lo.sqrt()]
                            }
                            _ => element_guess(*kind, r, omega, alpha),
                        }
                    } else {
                        element_guess(
                            *kind,
                            r / if *kind == ElementKind::R { 1.0 } else { shares },
                            omega,
                            alpha,
                        )
                    };
                    v[*off..off + vals.len()].copy_from_slice(&vals);
                }
            }
            if v.iter().all(|x| x.is_finite() && *x > 0.0) {
                out.push(v);
            }
        }
    }
    if out.is_empty() {
        return Err(Error::Invalid(format!(
            "could not build a starting point for {circuit} from the data"
        )));
    }
    Ok(out)
}

fn permutations(v: &mut Vec<usize>, k: usize, out: &mut Vec<Vec<usize>>) {
    if out.len() >= 24 {
        return;
    }
    if k == v.len() {
        out.push(v.clone());
        return;
    }
    for i in k..v.len() {
        v.swap(k, i);
        permutations(v, k + 1, out);
        v.swap(k, i);
    }
}

impl std::fmt::Display for CircuitFit {
    /// The circuit and weighting, the core's lmfit-style parameter report,
    /// then the derived quantities with their covariance errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[[Circuit]] {} ({} weighting, {} start(s))",
            self.circuit, self.weighting, self.starts
        )?;
        write!(f, "{}", self.result)?;
        let d = self.derived();
        if !d.is_empty() {
            writeln!(f, "[[Derived quantities]] (σ from the full covariance)")?;
            for q in d {
                writeln!(
                    f,
                    "    {:<22} {} {}  = {}",
                    q.name,
                    interphase_fit::format_uncertain(q.value, q.stderr),
                    q.unit,
                    q.formula
                )?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for GlobalCircuitFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let circuit = self
            .fits
            .first()
            .map_or(String::new(), |c| c.circuit.to_string());
        writeln!(
            f,
            "[[Global circuit fit]] {circuit}, {} spectra, shared: {}",
            self.fits.len(),
            if self.shared.is_empty() {
                "none".to_string()
            } else {
                self.shared.join(", ")
            }
        )?;
        write!(f, "{}", self.result)?;
        writeln!(f, "[[Per spectrum]] (parameters above, suffixed @index)")?;
        for (i, c) in self.fits.iter().enumerate() {
            writeln!(
                f,
                "    @{i:<4} {} points  χ² = {:.6e}  χ²_ν = {:.6e}",
                c.result.n_data, c.result.chi_square, c.result.reduced_chi_square
            )?;
        }
        Ok(())
    }
}

/// A derived quantity's definition: its name, the parameters it depends on
/// (in order), unit, formula and function.
struct DerivedSpec {
    name: String,
    params: Vec<String>,
    unit: &'static str,
    formula: &'static str,
    f: fn(&[f64]) -> f64,
}

/// Parallel pairs of one resistor and one capacitor or CPE: (R name, (C or
/// CPE name, kind)).
fn rc_pairs(node: &Node, out: &mut Vec<(String, (String, ElementKind))>) {
    match node {
        Node::Element { .. } => {}
        Node::Series(children) => children.iter().for_each(|c| rc_pairs(c, out)),
        Node::Parallel(children) => {
            if let [
                Node::Element { name: a, kind: ka },
                Node::Element { name: b, kind: kb },
            ] = children.as_slice()
            {
                match (ka, kb) {
                    (ElementKind::R, ElementKind::C | ElementKind::Cpe) => {
                        out.push((a.clone(), (b.clone(), *kb)));
                    }
                    (ElementKind::C | ElementKind::Cpe, ElementKind::R) => {
                        out.push((b.clone(), (a.clone(), *ka)));
                    }
                    _ => {}
                }
            }
            children.iter().for_each(|c| rc_pairs(c, out));
        }
    }
}
