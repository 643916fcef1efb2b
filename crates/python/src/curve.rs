//! `curve_fit` for a Python callable: the Rust Levenberg–Marquardt solver
//! (the one every other fit uses) driving a model written in Python.
//!
//! This is the slow path by design: every residual evaluation calls back
//! into Python with the GIL held, and the Jacobian is taken by forward
//! differences (one extra call per varied parameter). The solver, the
//! bounds, the covariance and the statistics are the Rust crate's.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use interphase::fit::{
    Derivatives, FitResult as CoreResult, JacobianMut, LmOptions, Parameter as CoreParameter,
    Parameters, Problem, fit,
};
use numpy::PyArrayMethods;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use serde::{Deserialize, Serialize};

use crate::fitres::FitResult;
use crate::{err, guard, vec1};

/// A curve fit with the data it was fitted to.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct CurveData {
    pub result: CoreResult,
    /// x as given, flattened (C order), with its shape.
    pub x: Vec<f64>,
    pub x_shape: Vec<usize>,
    pub y: Vec<f64>,
    /// f(x, *best) at the best values.
    pub best_fit: Vec<f64>,
}

/// The residuals `(f(x, *p) − y)/σ` of a Python model.
struct PyCurve {
    f: Py<PyAny>,
    /// `jac(x, *p)` → (m, n) array of ∂f/∂p, when the user gave one.
    jac: Option<Py<PyAny>>,
    x: Py<PyAny>,
    y: Vec<f64>,
    w: Option<Vec<f64>>,
    /// The first exception the model raised (or a wrong-shaped return):
    /// every later evaluation returns NaN at once, which stops the solver,
    /// and the exception is raised after it.
    error: Mutex<Option<PyErr>>,
    calls: AtomicUsize,
}

impl PyCurve {
    fn args<'py>(&self, py: Python<'py>, p: &[f64]) -> PyResult<Bound<'py, PyTuple>> {
        let mut args = vec![self.x.clone_ref(py).into_any()];
        for &v in p {
            args.push(v.into_pyobject(py)?.into_any().unbind());
        }
        PyTuple::new(py, args)
    }

    fn fail(&self, e: PyErr) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }

    /// `jac(x, *p)` as a row-major (m, n) vector.
    fn call_jac(&self, py: Python<'_>, jac: &Py<PyAny>, p: &[f64]) -> PyResult<Vec<f64>> {
        let out = jac.call1(py, self.args(py, p)?)?;
        let a = py
            .import("numpy")?
            .call_method1("asarray", (out, "float64"))
            .map_err(|e| {
                err(format!(
                    "jac returned something that is not an array of numbers: {e}"
                ))
            })?;
        let shape: Vec<usize> = a.getattr("shape")?.extract()?;
        if shape != [self.y.len(), p.len()] {
            return Err(err(format!(
                "jac returned an array of shape {shape:?}; expected ({}, {}) (data points × parameters)",
                self.y.len(),
                p.len()
            )));
        }
        vec1(&a.call_method0("ravel")?, "the Jacobian")
    }

    /// `f(x, *p)` as a flat float vector of length `m`.
    fn call(&self, py: Python<'_>, p: &[f64]) -> PyResult<Vec<f64>> {
        let out = self.f.call1(py, self.args(py, p)?)?;
        let np = py.import("numpy")?;
        let a = np.call_method1("asarray", (out, "float64")).map_err(|e| {
            err(format!(
                "the model returned something that is not an array of numbers: {e}"
            ))
        })?;
        let size: usize = a.getattr("size")?.extract()?;
        if size != self.y.len() {
            let shape = a.getattr("shape")?.str()?.to_string();
            return Err(err(format!(
                "the model returned an array of shape {shape} ({size} values) for {} data points",
                self.y.len()
            )));
        }
        vec1(&a.call_method0("ravel")?, "the model's value")
    }
}

impl Problem for PyCurve {
    fn n_residuals(&self) -> usize {
        self.y.len()
    }

    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        let failed = self.error.lock().map(|e| e.is_some()).unwrap_or(true);
        if failed {
            out.fill(f64::NAN);
            return;
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        match Python::attach(|py| self.call(py, p)) {
            Ok(model) => {
                for (i, o) in out.iter_mut().enumerate() {
                    let r = model[i] - self.y[i];
                    *o = match &self.w {
                        Some(w) => r * w[i],
                        None => r,
                    };
                }
            }
            Err(e) => {
                self.fail(e);
                out.fill(f64::NAN);
            }
        }
    }

    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let Some(f) = &self.jac else { return false };
        let n = p.len();
        let failed = self.error.lock().map(|e| e.is_some()).unwrap_or(true);
        let values = if failed {
            None
        } else {
            match Python::attach(|py| self.call_jac(py, f, p)) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.fail(e);
                    None
                }
            }
        };
        for j in 0..n {
            let col = jac.column(j);
            for (i, c) in col.iter_mut().enumerate() {
                *c = match &values {
                    Some(v) => v[i * n + j] * self.w.as_ref().map_or(1.0, |w| w[i]),
                    None => f64::NAN,
                };
            }
        }
        true
    }

    fn observed(&self) -> Option<&[f64]> {
        Some(&self.y)
    }

    fn weights(&self) -> Option<&[f64]> {
        self.w.as_deref()
    }
}

/// `curve_fit(f, x, y, names, p0, lower, upper, vary, sigma, absolute_sigma, max_nfev, ftol, xtol, jac, diff)`:
/// the Python wrapper `interphase.fit.curve_fit` checks and broadcasts the
/// arguments; this builds the parameters, runs the fit and wraps the result.
#[pyfunction]
#[pyo3(signature = (f, x, y, names, p0, lower, upper, vary, sigma=None, absolute_sigma=false, max_nfev=None, ftol=1.49012e-8, xtol=1.49012e-8, jac=None, diff="2-point"))]
#[allow(clippy::too_many_arguments)]
fn curve_fit(
    py: Python<'_>,
    f: Py<PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    names: Vec<String>,
    p0: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    vary: Vec<bool>,
    sigma: Option<&Bound<'_, PyAny>>,
    absolute_sigma: bool,
    max_nfev: Option<usize>,
    ftol: f64,
    xtol: f64,
    jac: Option<Py<PyAny>>,
    diff: &str,
) -> PyResult<FitResult> {
    guard(|| {
        let n = names.len();
        if [p0.len(), lower.len(), upper.len(), vary.len()] != [n, n, n, n] {
            return Err(err(format!(
                "{n} parameter names but {} starts, {} lower bounds, {} upper bounds, {} vary flags",
                p0.len(),
                lower.len(),
                upper.len(),
                vary.len()
            )));
        }
        let xa = py
            .import("numpy")?
            .call_method1("require", (x, "float64", ("C", "A")))?;
        let x_shape: Vec<usize> = xa.getattr("shape")?.extract()?;
        let x_flat = vec1(&xa.call_method0("ravel")?, "x")?;
        if let Some(i) = x_flat.iter().position(|v| !v.is_finite()) {
            return Err(err(format!(
                "x holds a non-finite value ({}) at flat index {i}",
                x_flat[i]
            )));
        }
        let y = vec1(y, "y")?;
        if y.is_empty() {
            return Err(err("y is empty: nothing to fit"));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(err(format!("y[{i}] = {} is not finite", y[i])));
        }
        let w = match sigma {
            None => None,
            Some(s) => {
                let s = vec1(s, "sigma")?;
                if s.len() != y.len() {
                    return Err(err(format!(
                        "sigma has {} values for {} data points",
                        s.len(),
                        y.len()
                    )));
                }
                if let Some(i) = s.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(err(format!(
                        "sigma[{i}] = {} is not positive and finite",
                        s[i]
                    )));
                }
                Some(s.iter().map(|v| 1.0 / v).collect::<Vec<f64>>())
            }
        };
        let mut params = Parameters::new();
        for i in 0..n {
            if !p0[i].is_finite() {
                return Err(err(format!(
                    "the start of {} is {} (not finite)",
                    names[i], p0[i]
                )));
            }
            let p = CoreParameter::new(names[i].clone(), p0[i])
                .with_bounds(lower[i], upper[i])
                .with_vary(vary[i]);
            params.push(p).map_err(err)?;
        }
        let derivatives = match diff {
            "2-point" => Derivatives::Forward,
            "3-point" => Derivatives::Central,
            other => {
                return Err(err(format!(
                    "jac={other:?}: a callable, \"2-point\" (forward differences) or \"3-point\" (central)"
                )));
            }
        };
        let problem = PyCurve {
            f,
            jac,
            x: xa.clone().unbind(),
            y: y.clone(),
            w,
            error: Mutex::new(None),
            calls: AtomicUsize::new(0),
        };
        let options = LmOptions {
            max_evaluations: max_nfev,
            ftol,
            xtol,
            scale_covariance: !absolute_sigma,
            derivatives: if problem.jac.is_some() {
                Derivatives::Auto
            } else {
                derivatives
            },
            ..LmOptions::default()
        };
        let outcome = fit(&problem, &params, &options);
        let calls = problem.calls.load(Ordering::Relaxed);
        if let Some(e) = problem.error.lock().ok().and_then(|mut e| e.take()) {
            let wrapped = err(format!(
                "the model function failed at call {calls} of the fit: {}",
                e.value(py)
            ));
            wrapped.set_cause(py, Some(e));
            return Err(wrapped);
        }
        let result = outcome.map_err(err)?;
        let best: Vec<f64> = result.params.iter().map(|p| p.value).collect();
        let best_fit = problem.call(py, &best)?;
        Ok(FitResult::curve(CurveData {
            result,
            x: x_flat,
            x_shape,
            y,
            best_fit,
        }))
    })
}

/// The x array of a stored curve fit in its original shape.
pub(crate) fn x_array<'py>(py: Python<'py>, c: &CurveData) -> PyResult<Bound<'py, PyAny>> {
    let a = numpy::PyArray1::from_slice(py, &c.x);
    Ok(a.reshape(c.x_shape.clone()).map_err(err)?.into_any())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let sub = PyModule::new(m.py(), "fit")?;
    sub.add_function(wrap_pyfunction!(curve_fit, &sub)?)?;
    m.add_submodule(&sub)?;
    Ok(())
}
