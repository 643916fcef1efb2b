//! `FitResult` and `Parameter`: one result type for peak fits and circuit
//! fits, with lmfit's attribute names.

use interphase::eis::Circuit;
use interphase::eis::fit::CircuitFit;
use interphase::fit::FitResult as CoreResult;
use interphase::spectra::model::PeakFit;
use num_complex::Complex64;
use numpy::{PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde::{Deserialize, Serialize};

use crate::curve::{CurveData, x_array};
use crate::{err, guard, to_py};

/// A circuit fit with the data it was fitted to (what `best_fit` and
/// pickling need).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CircuitData {
    pub circuit: String,
    pub result: CoreResult,
    pub weighting: String,
    pub starts: usize,
    pub freq: Vec<f64>,
    pub z_re: Vec<f64>,
    pub z_im: Vec<f64>,
    pub relative_residuals_re: Vec<f64>,
    pub relative_residuals_im: Vec<f64>,
}

impl CircuitData {
    pub(crate) fn new(fit: CircuitFit, freq: &[f64], z: &[Complex64]) -> CircuitData {
        CircuitData {
            circuit: fit.circuit.to_string(),
            result: fit.result,
            weighting: fit.weighting.to_string(),
            starts: fit.starts,
            freq: freq.to_vec(),
            z_re: z.iter().map(|v| v.re).collect(),
            z_im: z.iter().map(|v| v.im).collect(),
            relative_residuals_re: fit.relative_residuals_re,
            relative_residuals_im: fit.relative_residuals_im,
        }
    }

    /// The Rust crate's result again (for its report, HTML and derived
    /// quantities).
    pub(crate) fn fit(&self) -> PyResult<CircuitFit> {
        let circuit: Circuit = self.circuit.parse().map_err(err)?;
        let weighting = match self.weighting.as_str() {
            "unit" => "unit",
            "proportional" => "proportional",
            "modulus" => "modulus",
            "sigma" => "sigma",
            other => return Err(err(format!("unknown weighting {other:?} in a stored fit"))),
        };
        Ok(CircuitFit {
            circuit,
            result: self.result.clone(),
            weighting,
            starts: self.starts,
            relative_residuals_re: self.relative_residuals_re.clone(),
            relative_residuals_im: self.relative_residuals_im.clone(),
        })
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) enum Inner {
    Peak(Box<PeakFit>),
    Circuit(Box<CircuitData>),
    Curve(Box<CurveData>),
}

/// The result of a fit (a peak model, an equivalent circuit or a Python
/// model function), with lmfit's
/// attribute names: `params`, `best_values`, `best_fit`, `residual`,
/// `chisqr`, `redchi`, `aic`, `bic`, `covar`, `var_names`, `success`,
/// `report()`. Displays as a table in Jupyter; pickles; `to_dict()` gives
/// everything as plain Python values.
#[pyclass(module = "interphase._core", frozen)]
pub struct FitResult {
    pub(crate) inner: Inner,
}

impl FitResult {
    pub(crate) fn peak(f: PeakFit) -> FitResult {
        FitResult {
            inner: Inner::Peak(Box::new(f)),
        }
    }

    pub(crate) fn circuit(c: CircuitData) -> FitResult {
        FitResult {
            inner: Inner::Circuit(Box::new(c)),
        }
    }

    pub(crate) fn curve(c: CurveData) -> FitResult {
        FitResult {
            inner: Inner::Curve(Box::new(c)),
        }
    }

    fn peak_fit(&self, what: &str) -> PyResult<&PeakFit> {
        match &self.inner {
            Inner::Peak(p) => Ok(p),
            _ => Err(err(format!(
                "{what} needs a peak-model fit; this is a {} fit",
                self.kind()
            ))),
        }
    }

    fn core(&self) -> &CoreResult {
        match &self.inner {
            Inner::Peak(p) => &p.fit,
            Inner::Circuit(c) => &c.result,
            Inner::Curve(c) => &c.result,
        }
    }
}

/// One fitted parameter (lmfit's `Parameter`, read-only): `value`, `stderr`
/// (None when it has none: fixed, or no covariance), `init_value`, `vary`,
/// `min`, `max` (None: unbounded), `expr` (the tie, for tied parameters).
#[pyclass(module = "interphase._core", frozen, get_all)]
#[derive(Clone)]
pub struct Parameter {
    /// Name.
    name: String,
    /// Best value.
    value: f64,
    /// One standard error, or None.
    stderr: Option<f64>,
    /// Starting value.
    init_value: f64,
    /// Whether the fit varied it.
    vary: bool,
    /// Lower bound, or None.
    min: Option<f64>,
    /// Upper bound, or None.
    max: Option<f64>,
    /// Tie expression, or None.
    expr: Option<String>,
}

#[pymethods]
impl Parameter {
    #[new]
    #[pyo3(signature = (name, value, stderr=None, init_value=f64::NAN, vary=true, min=None, max=None, expr=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        value: f64,
        stderr: Option<f64>,
        init_value: f64,
        vary: bool,
        min: Option<f64>,
        max: Option<f64>,
        expr: Option<String>,
    ) -> Parameter {
        Parameter {
            name,
            value,
            stderr,
            init_value,
            vary,
            min,
            max,
            expr,
        }
    }

    fn __repr__(&self) -> String {
        let mut s = format!(
            "<Parameter '{}', {}",
            self.name,
            interphase::fit::format_uncertain(self.value, self.stderr)
        );
        if let Some(e) = &self.expr {
            s.push_str(&format!(", expr='{e}'"));
        } else if !self.vary {
            s.push_str(" (fixed)");
        }
        if self.min.is_some() || self.max.is_some() {
            s.push_str(&format!(
                ", bounds=[{}:{}]",
                self.min.map_or("-inf".into(), |v| v.to_string()),
                self.max.map_or("inf".into(), |v| v.to_string())
            ));
        }
        s.push('>');
        s
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let args = (
            self.name.clone(),
            self.value,
            self.stderr,
            self.init_value,
            self.vary,
            self.min,
            self.max,
            self.expr.clone(),
        );
        (py.get_type::<Parameter>(), args).into_pyobject(py)
    }
}

#[pymethods]
impl FitResult {
    /// `"peaks"` for a peak-model fit, `"circuit"` for a circuit fit,
    /// `"curve"` for `interphase.fit.curve_fit`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.inner {
            Inner::Peak(_) => "peaks",
            Inner::Circuit(_) => "circuit",
            Inner::Curve(_) => "curve",
        }
    }

    /// Parameters by name (dict of `Parameter`), in model order.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for p in &self.core().params {
            let par = Parameter {
                name: p.name.clone(),
                value: p.value,
                stderr: p.stderr,
                init_value: p.init,
                vary: p.vary,
                min: p.min,
                max: p.max,
                expr: p.tie.clone(),
            };
            d.set_item(&p.name, Py::new(py, par)?)?;
        }
        Ok(d)
    }

    /// Best values by name (lmfit's `best_values`).
    #[getter]
    fn best_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for p in &self.core().params {
            d.set_item(&p.name, p.value)?;
        }
        Ok(d)
    }

    /// Parameter names in model order.
    #[getter]
    fn param_names(&self) -> Vec<String> {
        self.core().params.iter().map(|p| p.name.clone()).collect()
    }

    /// Names of the varied parameters: the rows and columns of `covar`.
    #[getter]
    fn var_names(&self) -> Vec<String> {
        self.core()
            .params
            .iter()
            .filter(|p| p.vary)
            .map(|p| p.name.clone())
            .collect()
    }

    /// Covariance of the varied parameters (`var_names` order), or None when
    /// it could not be estimated (the warnings say why).
    #[getter]
    fn covar<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyArray2<f64>>>> {
        let core = self.core();
        let Some(cov) = &core.covariance else {
            return Ok(None);
        };
        let idx: Vec<usize> = (0..core.params.len())
            .filter(|&i| core.params[i].vary)
            .collect();
        let rows: Vec<Vec<f64>> = idx
            .iter()
            .map(|&i| idx.iter().map(|&j| cov[i][j]).collect())
            .collect();
        Ok(Some(PyArray2::from_vec2(py, &rows).map_err(err)?))
    }

    /// The model on the data grid: intensities for peaks (background
    /// included), complex impedance (Ω) for circuits, `f(x, *best)` for
    /// curve fits.
    #[getter]
    fn best_fit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner {
            Inner::Peak(p) => Ok(PyArray1::from_slice(py, &p.envelope).into_any()),
            Inner::Circuit(c) => {
                let z = c.fit()?.predict(&c.freq).map_err(err)?;
                Ok(PyArray1::from_vec(py, z).into_any())
            }
            Inner::Curve(c) => Ok(PyArray1::from_slice(py, &c.best_fit).into_any()),
        }
    }

    /// The data fitted (intensities, or complex impedance in Ω).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        match &self.inner {
            Inner::Peak(p) => PyArray1::from_slice(py, &p.y).into_any(),
            Inner::Circuit(c) => {
                let z: Vec<Complex64> = c
                    .z_re
                    .iter()
                    .zip(&c.z_im)
                    .map(|(&a, &b)| Complex64::new(a, b))
                    .collect();
                PyArray1::from_vec(py, z).into_any()
            }
            Inner::Curve(c) => PyArray1::from_slice(py, &c.y).into_any(),
        }
    }

    /// The x grid (energy, 2θ, ...), the frequencies (Hz), or a curve
    /// fit's `x` as given (float64, its shape kept).
    #[getter]
    fn x<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner {
            Inner::Peak(p) => Ok(PyArray1::from_slice(py, &p.x).into_any()),
            Inner::Circuit(c) => Ok(PyArray1::from_slice(py, &c.freq).into_any()),
            Inner::Curve(c) => x_array(py, c),
        }
    }

    /// The weighted residuals the solver minimised (χ² = Σ r²): peaks
    /// `w·(y − model)`; circuits the real parts then the imaginary parts;
    /// curve fits `(f(x, *best) − y)/σ`.
    #[getter]
    fn residual<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.core().residuals)
    }

    /// Peak fits: each component on the grid, without background, by label
    /// (a doublet's partner is `<peak>/2`). Empty for circuits.
    #[getter]
    fn components<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Inner::Peak(p) = &self.inner {
            for (c, curve) in p.components.iter().zip(&p.curves) {
                d.set_item(&c.label, PyArray1::from_slice(py, curve))?;
            }
        }
        Ok(d)
    }

    /// Peak fits: the fitted background on the grid; None for others.
    #[getter]
    fn background<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        match &self.inner {
            Inner::Peak(p) => Some(PyArray1::from_slice(py, &p.background)),
            Inner::Circuit(_) | Inner::Curve(_) => None,
        }
    }

    /// Peak fits: per component `center`, `fwhm`, `height`, `area` (x and
    /// intensity units) and `area_percent`, each `(value, stderr)` from the
    /// full covariance; a list of dicts in model order. Empty for circuits.
    #[getter]
    fn peaks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner {
            Inner::Peak(p) => to_py(py, &p.components),
            Inner::Circuit(_) | Inner::Curve(_) => to_py(py, &Vec::<u8>::new()),
        }
    }

    /// Circuit fits: derived quantities (effective capacitances `C_eff(..)`
    /// in F, relaxation times `tau(..)` in s) by name, each `(value,
    /// stderr)` with σ from the full covariance; empty for peak fits.
    #[getter]
    fn derived<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Inner::Circuit(c) = &self.inner {
            for q in c.fit()?.derived() {
                d.set_item(q.name, (q.value, q.stderr))?;
            }
        }
        Ok(d)
    }

    /// Peak fits: the energy difference center(`to`) − center(`from_`)
    /// between two components (x units; EELS ΔE, crystal-field splitting
    /// 10Dq = center(eg) − center(t2g)), as `(value, stderr)` with σ from
    /// the full covariance (var_a + var_b − 2 cov_ab).
    fn delta_e(&self, from_: &str, to: &str) -> PyResult<(f64, Option<f64>)> {
        let p = self.peak_fit("delta_e")?;
        let e = guard(|| interphase::spectra::eels::delta_e(p, from_, to).map_err(err))?;
        Ok((e.value, e.stderr))
    }

    /// Peak fits: Σ areas of `numerator` components / Σ areas of
    /// `denominator` components — the Ti³⁺ fraction
    /// `area_fraction(["Ti3"], ["Ti3", "Ti4"])`, an L3/L2 white-line ratio
    /// `area_fraction(["L3"], ["L2"])` — as `(value, stderr)` with σ from
    /// the covariance of the areas (correlations included). A doublet's
    /// label counts both partners.
    fn area_fraction(
        &self,
        numerator: Vec<String>,
        denominator: Vec<String>,
    ) -> PyResult<(f64, Option<f64>)> {
        let p = self.peak_fit("area_fraction")?;
        let num: Vec<&str> = numerator.iter().map(String::as_str).collect();
        let den: Vec<&str> = denominator.iter().map(String::as_str).collect();
        let e = guard(|| p.area_fraction(&num, &den).map_err(err))?;
        Ok((e.value, e.stderr))
    }

    /// χ² of the weighted residuals.
    #[getter]
    fn chisqr(&self) -> f64 {
        self.core().chi_square
    }

    /// χ² per degree of freedom.
    #[getter]
    fn redchi(&self) -> f64 {
        self.core().reduced_chi_square
    }

    /// Akaike information criterion (lmfit's definition).
    #[getter]
    fn aic(&self) -> f64 {
        self.core().aic
    }

    /// Bayesian information criterion (lmfit's definition).
    #[getter]
    fn bic(&self) -> f64 {
        self.core().bic
    }

    /// R², where defined.
    #[getter]
    fn rsquared(&self) -> Option<f64> {
        self.core().r_squared
    }

    /// Number of residuals.
    #[getter]
    fn ndata(&self) -> usize {
        self.core().n_data
    }

    /// Number of varied parameters.
    #[getter]
    fn nvarys(&self) -> usize {
        self.core().n_varying
    }

    /// Degrees of freedom.
    #[getter]
    fn nfree(&self) -> usize {
        self.core().dof
    }

    /// Residual evaluations.
    #[getter]
    fn nfev(&self) -> usize {
        self.core().n_evaluations
    }

    /// Whether the solver converged.
    #[getter]
    fn success(&self) -> bool {
        self.core().converged
    }

    /// Why the solver stopped.
    #[getter]
    fn message(&self) -> String {
        self.core().termination.message().to_string()
    }

    /// What the user should know (parameters at bounds, no covariance, ...).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.core().warnings.clone()
    }

    /// The fit as text: statistics, parameters with rounded uncertainties,
    /// correlations (the Rust crates' report).
    fn report(&self) -> PyResult<String> {
        guard(|| match &self.inner {
            Inner::Peak(p) => Ok(p.to_string()),
            Inner::Circuit(c) => Ok(c.fit()?.to_string()),
            Inner::Curve(c) => Ok(c.result.to_string()),
        })
    }

    fn _repr_html_(&self) -> PyResult<String> {
        guard(|| match &self.inner {
            Inner::Peak(p) => Ok(p.html()),
            Inner::Circuit(c) => Ok(c.fit()?.html()),
            Inner::Curve(c) => Ok(c.result.html()),
        })
    }

    fn __str__(&self) -> PyResult<String> {
        self.report()
    }

    fn __repr__(&self) -> String {
        let c = self.core();
        format!(
            "<FitResult {}: {} parameters, chisqr={:.6e}, redchi={:.6e}, {}>",
            self.kind(),
            c.params.len(),
            c.chi_square,
            c.reduced_chi_square,
            if c.converged {
                "converged"
            } else {
                "NOT converged"
            }
        )
    }

    /// Everything as plain Python values (dicts, lists, floats, None).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match &self.inner {
            Inner::Peak(p) => to_py(py, p.as_ref()),
            Inner::Circuit(c) => to_py(py, c.as_ref()),
            Inner::Curve(c) => to_py(py, c.as_ref()),
        }
    }

    /// Rebuilds a result from `__reduce__`'s bytes (pickle, deepcopy):
    /// CBOR, which keeps NaN and ±∞ exactly (JSON would not).
    #[staticmethod]
    fn _from_state(state: &[u8]) -> PyResult<FitResult> {
        let inner: Inner = ciborium::from_reader(state).map_err(err)?;
        Ok(FitResult { inner })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mut state = Vec::new();
        ciborium::into_writer(&self.inner, &mut state).map_err(err)?;
        let f = py.get_type::<FitResult>().getattr("_from_state")?;
        (f, (pyo3::types::PyBytes::new(py, &state),)).into_pyobject(py)
    }
}
