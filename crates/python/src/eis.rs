//! Impedance: circuits, CNLS fits, Lin-KK, DRT, capacitance helpers
//! (`interphase.eis`).

use interphase::eis::conductivity as cond;
use interphase::eis::drt::{DrtOptions, drt as rs_drt};
use interphase::eis::fit::{
    FitOptions, Weighting, circuit_parameters, fit_circuit, fit_circuit_batch,
};
use interphase::eis::kk::{KkOptions, KkSelect, lin_kk as rs_lin_kk};
use interphase::eis::{Circuit as RsCircuit, ImpedanceSpectrum};
use interphase::fit::Parameters;
use num_complex::Complex64;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::fitres::{CircuitData, FitResult};
use crate::spectra::{in_pool, pool};
use crate::{catch, err, guard, vec1};

/// An equivalent circuit from impedance.py's notation: `-` series,
/// `p(a,b)` parallel; elements R, C, L, CPE (Q), W, Wo, Ws, G, K (Voigt RC)
/// with an index (`R0-p(R1,CPE1)`). Parameter units: Ω, F, H, CPE Q in
/// F·s^(α−1), α dimensionless.
#[pyclass(module = "interphase._core", frozen)]
pub struct Circuit {
    pub(crate) circuit: RsCircuit,
}

fn complex(z: &Bound<'_, PyAny>) -> PyResult<Vec<Complex64>> {
    crate::vec_of(z, "complex128", "Z")
}

fn weighting(name: &str, sigma: Option<Vec<f64>>) -> PyResult<Weighting> {
    Ok(match (name, sigma) {
        (_, Some(s)) => Weighting::Sigma(s),
        ("proportional", None) => Weighting::Proportional,
        ("unit", None) => Weighting::Unit,
        ("modulus", None) => Weighting::Modulus,
        (other, None) => {
            return Err(err(format!(
                "weight {other:?}: choose \"proportional\" (1/|Z|, the default), \"modulus\" (1/√|Z|), \"unit\", or give sigma"
            )));
        }
    })
}

/// Starting parameters from a sequence (circuit order) or a dict (name →
/// value, every parameter named).
fn initial(circuit: &RsCircuit, init: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Parameters>> {
    let Some(init) = init else { return Ok(None) };
    let names = circuit.parameter_names();
    let values: Vec<f64> = if let Ok(d) = init.cast::<PyDict>() {
        let mut v = Vec::with_capacity(names.len());
        for n in &names {
            match d.get_item(n)? {
                Some(x) => v.push(x.extract()?),
                None => {
                    return Err(err(format!(
                        "initial: no value for {n} (the circuit's parameters are {})",
                        names.join(", ")
                    )));
                }
            }
        }
        for k in d.keys() {
            let k: String = k.extract()?;
            if !names.contains(&k.as_str()) {
                return Err(err(format!(
                    "initial: {k} is not a parameter of {} ({})",
                    circuit,
                    names.join(", ")
                )));
            }
        }
        v
    } else {
        init.extract()?
    };
    Ok(Some(circuit_parameters(circuit, &values).map_err(err)?))
}

fn options(weight: &str, sigma: Option<Vec<f64>>) -> PyResult<FitOptions> {
    Ok(FitOptions {
        weighting: weighting(weight, sigma)?,
        ..FitOptions::default()
    })
}

#[pymethods]
impl Circuit {
    #[new]
    fn new(text: &str) -> PyResult<Circuit> {
        guard(|| {
            Ok(Circuit {
                circuit: text.parse().map_err(err)?,
            })
        })
    }

    /// Parameter names in order (`R0`, `R1`, `CPE1.Q`, `CPE1.alpha`, ...).
    #[getter]
    fn param_names(&self) -> Vec<String> {
        self.circuit
            .parameter_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// The impedance (Ω, complex128) at `freq` (Hz) for parameter values
    /// `params` (sequence in `param_names` order, or dict).
    fn impedance<'py>(
        &self,
        py: Python<'py>,
        freq: &Bound<'py, PyAny>,
        params: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
        let f = vec1(freq, "freq")?;
        let p = initial(&self.circuit, Some(params))?
            .map(|p| p.values())
            .unwrap_or_default();
        let z = guard(|| {
            let mut z = vec![Complex64::new(0.0, 0.0); f.len()];
            self.circuit.impedance_into(&f, &p, &mut z).map_err(err)?;
            Ok(z)
        })?;
        Ok(PyArray1::from_vec(py, z))
    }

    fn __str__(&self) -> String {
        self.circuit.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Circuit('{}')", self.circuit)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        (py.get_type::<Circuit>(), (self.circuit.to_string(),)).into_pyobject(py)
    }
}

fn data(freq: Vec<f64>, z: Vec<Complex64>) -> PyResult<ImpedanceSpectrum> {
    ImpedanceSpectrum::new(freq, z).map_err(err)
}

/// Fits `circuit` to (freq, Z) by complex nonlinear least squares; with
/// `initial=None` the automatic guesses run (several starts, best χ² kept).
/// `robust_covariance=True`: the sandwich (HC3) covariance, whose standard
/// errors stay right when the noise does not follow the weighting.
#[pyfunction]
#[pyo3(signature = (freq, Z, circuit, weight="proportional", initial=None, sigma=None, robust_covariance=false))]
#[allow(non_snake_case, clippy::too_many_arguments)]
fn fit<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    circuit: &Circuit,
    weight: &str,
    initial: Option<&Bound<'py, PyAny>>,
    sigma: Option<&Bound<'py, PyAny>>,
    robust_covariance: bool,
) -> PyResult<FitResult> {
    let (f, z) = (vec1(freq, "freq")?, complex(Z)?);
    let mut o = options(weight, sigma.map(|s| vec1(s, "sigma")).transpose()?)?;
    o.lm.robust_covariance = robust_covariance;
    let init = self::initial(&circuit.circuit, initial)?;
    let d = data(f.clone(), z.clone())?;
    let c = &circuit.circuit;
    let r = py
        .detach(|| catch(|| fit_circuit(c, &d, init.as_ref(), &o)))
        .map_err(crate::internal)?
        .map_err(err)?;
    Ok(FitResult::circuit(CircuitData::new(r, &f, &z)))
}

/// Fits `circuit` to every row of `Z` (spectra × frequencies, common `freq`)
/// in parallel with the GIL released; a list in row order, a failed row as
/// an `interphase.Error` instance (or raised with `errors="raise"`).
/// `robust_covariance=True`: the sandwich (HC3) covariance for every row.
#[pyfunction]
#[pyo3(signature = (freq, Z, circuit, weight="proportional", initial=None, threads=None, errors="keep", progress=None, robust_covariance=false))]
#[allow(non_snake_case, clippy::too_many_arguments)]
fn fit_many<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    circuit: &Circuit,
    weight: &str,
    initial: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
    errors: &str,
    progress: Option<Py<PyAny>>,
    robust_covariance: bool,
) -> PyResult<Vec<Py<PyAny>>> {
    crate::check_errors(errors)?;
    let f = vec1(freq, "freq")?;
    let rows = rows(&f, Z)?;
    let mut o = options(weight, None)?;
    o.lm.robust_covariance = robust_covariance;
    let init = self::initial(&circuit.circuit, initial)?;
    let pool = pool(threads)?;
    let c = &circuit.circuit;
    let sink = crate::Progress::new(progress);
    let report = |p: interphase::fit::Progress| sink.report(p);
    let cb: Option<(
        &(dyn Fn(interphase::fit::Progress) + Sync),
        &crate::Progress,
    )> = if sink.is_some() {
        Some((&report, &sink))
    } else {
        None
    };
    let results = py
        .detach(|| catch(|| batch(c, &f, &rows, init.as_ref(), &o, pool.as_ref(), cb)))
        .map_err(crate::internal)?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    sink.finish(py, results.len(), failed)?;
    crate::batch_list(py, results, errors, |i, fit| {
        Ok(Py::new(py, FitResult::circuit(CircuitData::new(fit, &f, &rows[i])))?.into_any())
    })
}

fn rows(f: &[f64], z: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<Complex64>>> {
    let a = crate::mat_of::<Complex64>(z, "complex128", "Z")?;
    if a.ncols() != f.len() {
        return Err(err(format!(
            "Z has {} columns but freq has {} points (rows are spectra)",
            a.ncols(),
            f.len()
        )));
    }
    Ok(a.rows().into_iter().map(|r| r.to_vec()).collect())
}

/// Fits every row; a row that is not a valid spectrum fails alone.
fn batch(
    c: &RsCircuit,
    f: &[f64],
    rows: &[Vec<Complex64>],
    init: Option<&Parameters>,
    o: &FitOptions,
    pool: Option<&rayon::ThreadPool>,
    progress: Option<(
        &(dyn Fn(interphase::fit::Progress) + Sync),
        &crate::Progress,
    )>,
) -> Vec<interphase::eis::Result<interphase::eis::fit::CircuitFit>> {
    let mut good = Vec::new();
    let slots: Vec<interphase::eis::Result<usize>> = rows
        .iter()
        .map(|z| {
            ImpedanceSpectrum::new(f.to_vec(), z.clone()).map(|s| {
                good.push(s);
                good.len() - 1
            })
        })
        .collect();
    let cb = progress.map(|(cb, sink)| {
        sink.skip(slots.iter().filter(|s| s.is_err()).count());
        cb
    });
    let mut fits: Vec<Option<_>> = in_pool(pool, || fit_circuit_batch(c, &good, init, o, cb))
        .into_iter()
        .map(Some)
        .collect();
    slots
        .into_iter()
        .map(|s| {
            let k = s?;
            fits[k].take().unwrap_or_else(|| {
                Err(interphase::eis::Error::Invalid(
                    "batch result missing".into(),
                ))
            })
        })
        .collect()
}

/// Compact circuit fits of the rows of `Z` for maps: `(values, stderr,
/// chisqr, success)` (NaN where a fit failed). Used by `interphase.dask`.
#[pyfunction]
#[pyo3(signature = (freq, Z, circuit, weight="proportional", initial=None, threads=None))]
#[allow(non_snake_case)]
fn _fit_rows<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    circuit: &Circuit,
    weight: &str,
    initial: Option<&Bound<'py, PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyTuple>> {
    let f = vec1(freq, "freq")?;
    let rows = rows(&f, Z)?;
    let o = options(weight, None)?;
    let init = self::initial(&circuit.circuit, initial)?;
    let pool = pool(threads)?;
    let c = &circuit.circuit;
    let results = py
        .detach(|| catch(|| batch(c, &f, &rows, init.as_ref(), &o, pool.as_ref(), None)))
        .map_err(crate::internal)?;
    let np = c.n_params();
    let n = results.len();
    let mut values = vec![f64::NAN; n * np];
    let mut stderr = vec![f64::NAN; n * np];
    let mut chisqr = vec![f64::NAN; n];
    let mut success = vec![false; n];
    for (i, r) in results.iter().enumerate() {
        if let Ok(fit) = r {
            for (k, p) in fit.result.params.iter().enumerate() {
                values[i * np + k] = p.value;
                stderr[i * np + k] = p.stderr.unwrap_or(f64::NAN);
            }
            chisqr[i] = fit.result.chi_square;
            success[i] = fit.result.converged;
        }
    }
    let shape = [n, np];
    let values = PyArray1::from_vec(py, values).reshape(shape)?;
    let stderr = PyArray1::from_vec(py, stderr).reshape(shape)?;
    (
        values,
        stderr,
        PyArray1::from_vec(py, chisqr),
        PyArray1::from_vec(py, success),
    )
        .into_pyobject(py)
}

/// Lin-KK validity test (Schönleber et al. 2014): a dict with `M`, `mu`,
/// `taus`, `resistances`, `r_ohm`, `inductance`, `capacitance`, relative
/// residuals `residuals_re`/`residuals_im`, `Z_fit` (complex, Ω) and
/// `scan` (μ, pseudo-χ² and the largest residual of every M fitted).
/// `admittance=True` tests Y = 1/Z (a parallel C beside series-RC
/// branches), which follows a capacitive low-frequency tail; the residuals
/// stay relative to |Z|. Complex fits (`fit_type="complex"`) also give
/// `whiteness`: a dict with the residuals' lag-1 autocorrelation `lag1`,
/// its value for white noise after this fit `expected`, the standardised
/// `z` (about N(0, 1) for valid spectra; drift shows as z > 3), the noise
/// level the residuals imply `noise` (fraction of |Z|) and `dof`; `None`
/// otherwise. `method="pseudo_chi2", fit_type="complex",
/// add_capacitance=True` told valid from drifting spectra best
/// (docs/eis.md).
#[pyfunction]
#[pyo3(signature = (freq, Z, c=0.85, max_M=50, add_capacitance=false, method="mu", factor=None, admittance=false, fit_type="real"))]
#[allow(non_snake_case, clippy::too_many_arguments)]
fn lin_kk<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    c: Option<f64>,
    max_M: usize,
    add_capacitance: bool,
    method: &str,
    factor: Option<f64>,
    admittance: bool,
    fit_type: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data(vec1(freq, "freq")?, complex(Z)?)?;
    let fit = match fit_type {
        "real" => interphase::eis::kk::KkFit::Real,
        "imag" => interphase::eis::kk::KkFit::Imag,
        "complex" => interphase::eis::kk::KkFit::Complex,
        other => {
            return Err(err(format!(
                "fit_type {other:?}: choose \"real\" (impedance.py's default), \"imag\" or \"complex\""
            )));
        }
    };
    let o = KkOptions {
        select: match (c, method) {
            (_, "pseudo_chi2") => KkSelect::PseudoChi2 {
                factor: factor.unwrap_or(1.2),
            },
            (Some(c), "mu") => KkSelect::Mu { c },
            (None, "mu") => KkSelect::Fixed,
            (_, other) => {
                return Err(err(format!(
                    "method {other:?}: choose \"mu\" (Schönleber's μ with c; c=None: exactly max_M) or \"pseudo_chi2\""
                )));
            }
        },
        max_m: max_M,
        add_capacitance,
        admittance,
        fit,
    };
    let r = py
        .detach(|| catch(|| rs_lin_kk(&d, &o)))
        .map_err(crate::internal)?
        .map_err(err)?;
    let out = crate::to_py(py, &r)?;
    out.set_item("M", r.m)?;
    out.set_item("Z_fit", PyArray1::from_vec(py, r.z_fit))?;
    Ok(out)
}

/// Z-HIT (Ehm et al. 2000): |Z| reconstructed from the phase, the ln|Z|
/// offset fitted by weighted least squares in a window of log10 f
/// (default 1.5 ± 1.5: 1 Hz – 1 kHz) or with `weights`; `phase` (radians,
/// e.g. smoothed) replaces arg Z. A dict with `modulus`, `Z_fit`, `offset`,
/// `weights`, relative residuals `residuals_re`/`residuals_im`/
/// `residuals_modulus`, `pseudo_chi2` and `lowest_decade_max_abs_residual`
/// (drift is suspected above 0.015 with a 7-point smoothed phase).
#[pyfunction]
#[pyo3(signature = (freq, Z, window_center=1.5, window_width=3.0, weights=None, phase=None))]
#[allow(non_snake_case)]
fn zhit<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    window_center: f64,
    window_width: f64,
    weights: Option<&Bound<'py, PyAny>>,
    phase: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data(vec1(freq, "freq")?, complex(Z)?)?;
    let o = interphase::eis::zhit::ZhitOptions {
        window_center,
        window_width,
        weights: weights.map(|w| vec1(w, "weights")).transpose()?,
        phase: phase.map(|p| vec1(p, "phase")).transpose()?,
    };
    let r = py
        .detach(|| catch(|| interphase::eis::zhit::zhit(&d, &o)))
        .map_err(crate::internal)?
        .map_err(err)?;
    let out = crate::to_py(py, &r)?;
    out.set_item("modulus", PyArray1::from_slice(py, &r.modulus))?;
    out.set_item("pseudo_chi2", r.pseudo_chi2())?;
    out.set_item(
        "lowest_decade_max_abs_residual",
        r.lowest_decade_max_abs_residual(),
    )?;
    out.set_item("Z_fit", PyArray1::from_vec(py, r.z_fit))?;
    Ok(out)
}

/// Distribution of relaxation times by Tikhonov-regularised Gaussian RBFs
/// (pyDRTtools' method; λ by generalised cross-validation unless given):
/// a dict with `tau` (s), `gamma` (Ω), `peaks`, `lambda`, `r_inf`,
/// `polarization_resistance`, residuals and `Z_fit`. `tau_grid="inverse"`
/// places the Gaussians at τ = 1/f as pyDRTtools (default "angular":
/// 1/(2πf)). `bands=True` adds `bands`: the Bayesian credible bands
/// (pyDRTtools' `Bayesian_run` posterior, exact HMC with `samples`,
/// `burn_in`, `seed`): pointwise `lower`/`mean`/`upper` of γ on `tau` at
/// probability `level`, per-coefficient quantiles, the noise `sigma`, and
/// the posterior of `polarization_resistance` and of each peak's R and τ.
#[pyfunction]
#[pyo3(signature = (freq, Z, lam=None, tau_grid="angular", bands=false, samples=2000, burn_in=500, level=0.99, seed=1))]
#[allow(non_snake_case, clippy::too_many_arguments)]
fn drt<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    lam: Option<&Bound<'py, PyAny>>,
    tau_grid: &str,
    bands: bool,
    samples: usize,
    burn_in: usize,
    level: f64,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let d = data(vec1(freq, "freq")?, complex(Z)?)?;
    let mut o = drt_options(lam)?;
    o.tau_grid = match tau_grid {
        "angular" => interphase::eis::drt::TauGrid::Angular,
        "inverse" => interphase::eis::drt::TauGrid::Inverse,
        other => {
            return Err(err(format!(
                "tau_grid {other:?}: choose \"angular\" (τ = 1/(2πf)) or \"inverse\" (τ = 1/f, pyDRTtools)"
            )));
        }
    };
    let bo = interphase::eis::drt_bands::DrtBandOptions {
        samples,
        burn_in,
        level,
        seed,
    };
    let (r, b) = py
        .detach(|| {
            catch(|| {
                let r = rs_drt(&d, &o)?;
                let b = if bands {
                    Some(interphase::eis::drt_bands::drt_bands(&d, &r, &bo)?)
                } else {
                    None
                };
                Ok::<_, interphase::eis::Error>((r, b))
            })
        })
        .map_err(crate::internal)?
        .map_err(err)?;
    let out = crate::to_py(py, &r)?;
    out.set_item("tau", PyArray1::from_slice(py, &r.tau))?;
    out.set_item("gamma", PyArray1::from_slice(py, &r.gamma))?;
    out.set_item("Z_fit", PyArray1::from_vec(py, r.z_fit))?;
    if let Some(b) = b {
        let bd = crate::to_py(py, &b)?;
        for (k, v) in [
            ("tau", &b.tau),
            ("mean", &b.mean),
            ("lower", &b.lower),
            ("upper", &b.upper),
            ("coefficient_mean", &b.coefficient_mean),
            ("coefficient_lower", &b.coefficient_lower),
            ("coefficient_upper", &b.coefficient_upper),
        ] {
            bd.set_item(k, PyArray1::from_slice(py, v))?;
        }
        out.set_item("bands", bd)?;
    }
    Ok(out)
}

/// pyDRTtools' defaults; λ by GCV unless `lam` is a number or names a
/// method ("gcv", "lcurve", "gml").
fn drt_options(lam: Option<&Bound<'_, PyAny>>) -> PyResult<DrtOptions> {
    use interphase::eis::drt::Lambda;
    let mut o = DrtOptions::default();
    if let Some(l) = lam {
        o.lambda = if let Ok(v) = l.extract::<f64>() {
            Lambda::Fixed(v)
        } else {
            match l.extract::<String>()?.to_ascii_lowercase().as_str() {
                "gcv" => Lambda::Gcv,
                "lcurve" | "l-curve" => Lambda::LCurve,
                "gml" | "ml" => Lambda::Gml,
                other => {
                    return Err(err(format!(
                        "lam {other:?}: a number > 0, \"gcv\", \"lcurve\" or \"gml\""
                    )));
                }
            }
        };
    }
    Ok(o)
}

/// One R‖CPE element per DRT peak fitted to the data (up to
/// `max_processes`, chosen by BIC; proportional weighting): a dict with
/// `circuit`, `processes` (a list of dicts `element`, `tau`, `resistance`,
/// `alpha`, `capacitance` — each `{value, stderr, unit, ...}` — and
/// `frequency`) and `tried` ([k, BIC, determined] per k).
#[pyfunction]
#[pyo3(signature = (freq, Z, max_processes=4, lam=None))]
#[allow(non_snake_case)]
fn drt_processes<'py>(
    py: Python<'py>,
    freq: &Bound<'py, PyAny>,
    Z: &Bound<'py, PyAny>,
    max_processes: usize,
    lam: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    use interphase::eis::drt_fit::{ProcessOptions, fit_processes};
    let d = data(vec1(freq, "freq")?, complex(Z)?)?;
    let o = drt_options(lam)?;
    let po = ProcessOptions {
        max_processes,
        ..ProcessOptions::default()
    };
    let r = py
        .detach(|| catch(|| rs_drt(&d, &o).and_then(|g| fit_processes(&d, &g, &po))))
        .map_err(crate::internal)?
        .map_err(err)?;
    let out = crate::to_py(py, &r)?;
    out.set_item("circuit", r.fit.circuit.to_string())?;
    Ok(out)
}

/// Effective capacitance of an R‖CPE element (Hsu & Mansfeld 2001):
/// C = (R·Q)^(1/α)/R, F (R in Ω, Q in F·s^(α−1)).
#[pyfunction]
fn capacitance_zarc(r: f64, q: f64, alpha: f64) -> PyResult<f64> {
    cond::capacitance_zarc(r, q, alpha).map_err(err)
}

/// Effective capacitance of a CPE in series with a resistance R_s (Brug et
/// al. 1984), F.
#[pyfunction]
fn capacitance_brug(r_s: f64, q: f64, alpha: f64) -> PyResult<f64> {
    cond::capacitance_brug(r_s, q, alpha).map_err(err)
}

/// Capacitance of an arc from its resistance R (Ω) and apex frequency f
/// (Hz): C = 1/(2π f R), F.
#[pyfunction]
fn capacitance_from_apex(r: f64, f_max_hz: f64) -> PyResult<f64> {
    cond::capacitance_from_apex(r, f_max_hz).map_err(err)
}

/// Relaxation frequency of an R‖CPE element, Hz.
#[pyfunction]
fn relaxation_frequency(r: f64, q: f64, alpha: f64) -> PyResult<f64> {
    cond::relaxation_frequency(r, q, alpha).map_err(err)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let e = PyModule::new(m.py(), "eis")?;
    e.add_function(wrap_pyfunction!(fit, &e)?)?;
    e.add_function(wrap_pyfunction!(fit_many, &e)?)?;
    e.add_function(wrap_pyfunction!(_fit_rows, &e)?)?;
    e.add_function(wrap_pyfunction!(lin_kk, &e)?)?;
    e.add_function(wrap_pyfunction!(zhit, &e)?)?;
    e.add_function(wrap_pyfunction!(drt, &e)?)?;
    e.add_function(wrap_pyfunction!(drt_processes, &e)?)?;
    e.add_function(wrap_pyfunction!(capacitance_zarc, &e)?)?;
    e.add_function(wrap_pyfunction!(capacitance_brug, &e)?)?;
    e.add_function(wrap_pyfunction!(capacitance_from_apex, &e)?)?;
    e.add_function(wrap_pyfunction!(relaxation_frequency, &e)?)?;
    m.add_submodule(&e)?;
    m.add_class::<Circuit>()?;
    Ok(())
}
