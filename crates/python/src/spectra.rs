//! Peak models and their fits (`interphase.spectra`), and the baselines
//! (`interphase.baselines` wraps these with pybaselines' keywords).

use interphase::spectra::Spectrum;
use interphase::spectra::baseline as bl;
use interphase::spectra::model::{
    BatchOptions, PeakFitOptions, PeakModel as RsModel, PeakWeighting, Projection,
};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::fitres::FitResult;
use crate::{catch, err, guard, to_json, vec1};

/// A peak model: peaks (Gaussian, Lorentzian, Voigt, pseudo-Voigt,
/// Doniach–Šunjić, LA ...; doublets with splitting and area ratio) on a
/// background (linear, Shirley, Tougaard, polynomial ...), with bounds,
/// fixed values and ties — the TOML model files of `interphase spectrum fit`
/// (docs/spectra.md). Parameter names are `<peak>.<param>`
/// (`Ti4.center`) and `bg.<param>`.
#[pyclass(module = "interphase._core", frozen)]
pub struct PeakModel {
    model: RsModel,
}

fn options(
    weighting: &str,
    weights: Option<Vec<f64>>,
    n: usize,
) -> PyResult<(PeakFitOptions, Option<Vec<f64>>)> {
    let mut o = PeakFitOptions::default();
    let sigma = match weights {
        Some(w) => {
            if w.len() != n {
                return Err(err(format!("{} weights for {n} points", w.len())));
            }
            if let Some((i, v)) = w
                .iter()
                .enumerate()
                .find(|(_, v)| !(v.is_finite() && **v > 0.0))
            {
                return Err(err(format!(
                    "weights[{i}] = {v}: weights must be finite and > 0 (they are 1/σ; drop points instead of weighting them 0)"
                )));
            }
            o.weighting = PeakWeighting::Sigma;
            Some(w.iter().map(|v| 1.0 / v).collect())
        }
        None => None,
    };
    if sigma.is_none() {
        o.weighting = match weighting {
            "unit" => PeakWeighting::Unit,
            "poisson" => PeakWeighting::Poisson,
            other => {
                return Err(err(format!(
                    "weighting {other:?}: choose \"unit\" or \"poisson\" (or give weights=1/σ)"
                )));
            }
        };
    }
    Ok((o, sigma))
}

/// `projection="auto" | "on" | "off"` (see `Projection`).
fn projection(choice: &str) -> PyResult<Projection> {
    match choice {
        "auto" => Ok(Projection::Auto),
        "on" => Ok(Projection::On),
        "off" => Ok(Projection::Off),
        other => Err(err(format!(
            "projection {other:?}: choose \"auto\" (areas started from their linear optimum), \"on\" (variable projection) or \"off\""
        ))),
    }
}

/// One spectrum and the options of `fit` / `monte_carlo` from their keywords.
fn one_spectrum(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    weighting: &str,
    projection: &str,
) -> PyResult<(PeakFitOptions, Spectrum)> {
    let (x, y) = (vec1(x, "x")?, vec1(y, "y")?);
    let (mut o, sigma) = options(
        weighting,
        weights.map(|w| vec1(w, "weights")).transpose()?,
        y.len(),
    )?;
    o.projection = self::projection(projection)?;
    Ok((o, spectrum(x, y, sigma)?))
}

fn spectrum(x: Vec<f64>, y: Vec<f64>, sigma: Option<Vec<f64>>) -> PyResult<Spectrum> {
    let s = Spectrum::new(x, y).map_err(err)?;
    match sigma {
        Some(sg) => s.with_sigma(sg).map_err(err),
        None => Ok(s),
    }
}

/// A rayon pool of `threads` threads (None: the global pool).
pub(crate) fn pool(threads: Option<usize>) -> PyResult<Option<rayon::ThreadPool>> {
    match threads {
        None => Ok(None),
        Some(0) => Err(err("threads must be at least 1 (None: all cores)")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(Some)
            .map_err(err),
    }
}

/// Runs `f` in `pool` (or the global pool).
pub(crate) fn in_pool<T: Send>(
    pool: Option<&rayon::ThreadPool>,
    f: impl FnOnce() -> T + Send,
) -> T {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

#[pymethods]
impl PeakModel {
    /// A model from TOML text (the format of `interphase spectrum fit
    /// --model`).
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<PeakModel> {
        guard(|| {
            Ok(PeakModel {
                model: RsModel::from_toml(text).map_err(err)?,
            })
        })
    }

    /// A model from JSON text (the same structure as the TOML).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<PeakModel> {
        guard(|| {
            Ok(PeakModel {
                model: RsModel::from_json(text).map_err(err)?,
            })
        })
    }

    /// A model from a dict with the TOML file's structure
    /// (`{"peaks": [{"name": "A", "shape": "voigt", "center": 285, ...}], ...}`).
    #[staticmethod]
    fn from_dict(d: &Bound<'_, PyAny>) -> PyResult<PeakModel> {
        let text = to_json(d)?;
        Self::from_json(&text)
    }

    /// A model from a `.toml` or `.json` file.
    #[staticmethod]
    fn from_file(path: std::path::PathBuf) -> PyResult<PeakModel> {
        if !path.exists() {
            return Err(pyo3::exceptions::PyFileNotFoundError::new_err(format!(
                "{}: no such file",
                path.display()
            )));
        }
        guard(|| {
            Ok(PeakModel {
                model: RsModel::from_path(&path).map_err(err)?,
            })
        })
    }

    /// The model as a dict (the TOML file's structure).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_py(py, &self.model)
    }

    /// Parameter names, in the order of `fit_map`'s `values` axis.
    #[getter]
    fn param_names(&self) -> Vec<String> {
        self.model.parameter_names()
    }

    /// The model on `x` with the given parameter values (dict name → value;
    /// every other parameter at its start on this grid, ties applied).
    #[pyo3(signature = (x, params=None))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        params: Option<std::collections::BTreeMap<String, f64>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = vec1(x, "x")?;
        let values: Vec<(String, f64)> = params.unwrap_or_default().into_iter().collect();
        let y = guard(|| {
            let pairs: Vec<(&str, f64)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let p = self.model.parameters_from(&pairs, &x).map_err(err)?;
            self.model.evaluate(&x, &p).map_err(err)
        })?;
        Ok(PyArray1::from_vec(py, y))
    }

    /// Fits the model to one spectrum. `weights` (lmfit's meaning: the
    /// residual is multiplied by them, so weights = 1/σ) or `weighting`
    /// (`"unit"`, the default, or `"poisson"`: 1/√max(y, 1)).
    /// `robust_covariance=True`: the sandwich (HC3) covariance, whose
    /// standard errors stay right when the noise does not follow the weights.
    /// `projection`: how peak areas and additive background coefficients
    /// are found: `"auto"` (default) starts them from their least-squares
    /// optimum, `"on"` solves them at every step (variable projection),
    /// `"off"` searches them with the rest; all reach the same optimum.
    #[pyo3(signature = (x, y, weights=None, weighting="unit", robust_covariance=false, projection="auto"))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
        weighting: &str,
        robust_covariance: bool,
        projection: &str,
    ) -> PyResult<FitResult> {
        let (mut o, s) = one_spectrum(x, y, weights, weighting, projection)?;
        o.lm.robust_covariance = robust_covariance;
        let model = &self.model;
        let f = py
            .detach(|| catch(|| model.fit(&s, &o)))
            .map_err(crate::internal)?
            .map_err(err)?;
        Ok(FitResult::peak(f))
    }

    /// Monte Carlo errors (as CasaXPS offers): fits the spectrum, then refits
    /// `n` synthetic spectra drawn from the best fit and its noise (Gaussian
    /// at the fit's noise level, or with `bootstrap=True` the residuals drawn
    /// with replacement), in parallel with the GIL released, reproducibly
    /// from `seed`. Returns a dict: `fit` (the `FitResult`), `names`,
    /// `samples` (converged refits × parameters: any derived quantity, such
    /// as at.% from areas, is a function of its rows), `mean`, `std`,
    /// `percentiles` (parameters × the `percentile_points` 2.5, 15.9, 50,
    /// 84.1, 97.5), `covariance_stderr` (NaN where none), `n_ok`,
    /// `n_failed`. Fit options as in `fit`.
    #[pyo3(signature = (x, y, n=200, seed=1, bootstrap=false, weights=None, weighting="unit", projection="auto"))]
    #[allow(clippy::too_many_arguments)]
    fn monte_carlo<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        n: usize,
        seed: u64,
        bootstrap: bool,
        weights: Option<&Bound<'py, PyAny>>,
        weighting: &str,
        projection: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        use interphase::fit::montecarlo::{MonteCarloOptions, PERCENTILES, Resampling};
        let (o, s) = one_spectrum(x, y, weights, weighting, projection)?;
        let mc_options = MonteCarloOptions {
            n,
            seed,
            resampling: if bootstrap {
                Resampling::Bootstrap
            } else {
                Resampling::Gaussian
            },
            lm: o.lm.clone(),
        };
        let model = &self.model;
        let (f, mc) = py
            .detach(|| {
                catch(|| {
                    let f = model.fit(&s, &o)?;
                    let mc = model.monte_carlo(&s, &f, &o, &mc_options)?;
                    Ok::<_, interphase::spectra::Error>((f, mc))
                })
            })
            .map_err(crate::internal)?
            .map_err(err)?;
        let np = mc.params.len();
        let d = PyDict::new(py);
        d.set_item(
            "names",
            mc.params.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        )?;
        let samples: Vec<f64> = mc.samples.iter().flatten().copied().collect();
        d.set_item("samples", crate::matrix(py, samples, mc.n_ok, np)?)?;
        let col = |f: &dyn Fn(&interphase::fit::montecarlo::Spread) -> f64| {
            PyArray1::from_vec(py, mc.params.iter().map(f).collect())
        };
        d.set_item("mean", col(&|p| p.mean))?;
        d.set_item("std", col(&|p| p.std))?;
        d.set_item(
            "covariance_stderr",
            col(&|p| p.covariance_stderr.unwrap_or(f64::NAN)),
        )?;
        let pct: Vec<f64> = mc.params.iter().flat_map(|p| p.percentiles).collect();
        d.set_item(
            "percentiles",
            crate::matrix(py, pct, np, PERCENTILES.len())?,
        )?;
        d.set_item("percentile_points", PERCENTILES.to_vec())?;
        d.set_item("n_ok", mc.n_ok)?;
        d.set_item("n_failed", mc.n_failed)?;
        d.set_item("fit", FitResult::peak(f))?;
        Ok(d)
    }

    /// Fits every row of `Y` (spectra × channels, on the common axis `x`)
    /// in parallel with the GIL released: a list of `FitResult` in row order.
    /// A row that fails keeps its place as an `interphase.Error` instance
    /// (`errors="keep"`, the default) or, with `errors="raise"`, the first
    /// failure is raised after all rows ran. `threads`: None uses every
    /// core. `warm_start`: each fit starts from the previous row's result
    /// (chains of 64 rows, so results do not depend on the thread count).
    /// `progress(done, total, failed)`, if given, is called from the worker
    /// threads at most every 0.1 s and once at the end (e.g. to update a
    /// `tqdm` bar); an exception it raises discards the results and is
    /// re-raised as `interphase.Error` after the batch.
    /// `robust_covariance=True`: the sandwich (HC3) covariance for every row.
    /// `projection`: as in `fit`.
    #[pyo3(signature = (x, Y, threads=None, warm_start=false, weighting="unit", errors="keep", progress=None, robust_covariance=false, projection="auto"))]
    #[allow(non_snake_case, clippy::too_many_arguments)]
    fn fit_many<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        Y: &Bound<'py, PyAny>,
        threads: Option<usize>,
        warm_start: bool,
        weighting: &str,
        errors: &str,
        progress: Option<Py<PyAny>>,
        robust_covariance: bool,
        projection: &str,
    ) -> PyResult<Vec<Py<PyAny>>> {
        crate::check_errors(errors)?;
        let x = vec1(x, "x")?;
        let data = crate::arr2(Y, "Y")?;
        let (mut o, _) = options(weighting, None, x.len())?;
        o.lm.robust_covariance = robust_covariance;
        o.projection = self::projection(projection)?;
        if data.ncols() != x.len() {
            return Err(err(format!(
                "Y has {} columns but x has {} points (rows are spectra)",
                data.ncols(),
                x.len()
            )));
        }
        let pool = pool(threads)?;
        let model = &self.model;
        let sink = crate::Progress::new(progress);
        let report = |p: interphase::fit::Progress| sink.report(p);
        let results = py
            .detach(|| {
                catch(|| {
                    // rows that are not spectra (NaN, Inf) fail alone
                    let mut good = Vec::new();
                    let slots: Vec<Result<usize, interphase::spectra::Error>> = data
                        .rows()
                        .into_iter()
                        .map(|r| {
                            Spectrum::new(x.clone(), r.to_vec()).map(|s| {
                                good.push(s);
                                good.len() - 1
                            })
                        })
                        .collect();
                    sink.skip(slots.iter().filter(|s| s.is_err()).count());
                    let b = BatchOptions {
                        fit: o,
                        warm_start,
                        progress: if sink.is_some() { Some(&report) } else { None },
                        ..BatchOptions::default()
                    };
                    let mut fits: Vec<Option<_>> =
                        in_pool(pool.as_ref(), || model.fit_batch(&good, &b))
                            .into_iter()
                            .map(Some)
                            .collect();
                    slots
                        .into_iter()
                        .map(|s| {
                            let k = s?;
                            fits[k].take().unwrap_or_else(|| {
                                Err(interphase::spectra::Error::Invalid(
                                    "batch result missing".into(),
                                ))
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .map_err(crate::internal)?;
        let failed = results.iter().filter(|r| r.is_err()).count();
        sink.finish(py, results.len(), failed)?;
        crate::batch_list(py, results, errors, |_, f| {
            Ok(Py::new(py, FitResult::peak(f))?.into_any())
        })
    }

    /// Per-pixel features of `Y` (pixels × channels on `x`, row-major over
    /// `shape` = (ny, nx)): one warm-started chain per image row. Returns
    /// `[(label, value, stderr, failures)]`, ΔE features first, then area
    /// ratios. Used by `interphase.spectra.feature_maps`.
    #[pyo3(signature = (x, Y, shape, delta_e, area_ratio, background=None, range=None, weighting="unit", threads=None))]
    #[allow(non_snake_case, clippy::too_many_arguments, clippy::type_complexity)]
    fn _feature_maps<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        Y: &Bound<'py, PyAny>,
        shape: (usize, usize),
        delta_e: Vec<(String, String)>,
        area_ratio: Vec<(Vec<String>, Vec<String>)>,
        background: Option<(f64, f64)>,
        range: Option<(f64, f64)>,
        weighting: &str,
        threads: Option<usize>,
    ) -> PyResult<
        Vec<(
            String,
            Bound<'py, PyArray1<f64>>,
            Bound<'py, PyArray1<f64>>,
            Vec<(usize, String)>,
        )>,
    > {
        use interphase::spectra::eels::{Feature, FeatureOptions, SpectrumImage};
        let x = vec1(x, "x")?;
        let data = crate::arr2(Y, "Y")?;
        let (o, _) = options(weighting, None, x.len())?;
        let features: Vec<Feature> = delta_e
            .iter()
            .map(|(a, b)| Feature::delta_e(a, b))
            .chain(
                area_ratio
                    .into_iter()
                    .map(|(l3, l2)| Feature::AreaRatio { l3, l2 }),
            )
            .collect();
        if features.is_empty() {
            return Err(err(
                "no feature: give delta_e=[(from, to)] and/or area_ratio=[(l3_peaks, l2_peaks)]",
            ));
        }
        let img = SpectrumImage::new(x, shape, data.into_raw_vec_and_offset().0).map_err(err)?;
        let pool = pool(threads)?;
        let model = &self.model;
        let maps = py
            .detach(|| {
                catch(|| {
                    let opts = FeatureOptions {
                        background_ev: background,
                        range_ev: range,
                        batch: BatchOptions {
                            fit: o,
                            warm_start: true,
                            ..BatchOptions::default()
                        },
                    };
                    in_pool(pool.as_ref(), || img.feature_maps(model, &features, &opts))
                })
            })
            .map_err(crate::internal)?;
        Ok(features
            .iter()
            .zip(maps)
            .map(|(f, m)| {
                (
                    f.label(),
                    PyArray1::from_vec(py, m.value),
                    PyArray1::from_vec(py, m.stderr),
                    m.failures,
                )
            })
            .collect())
    }

    /// Compact fits of the rows of `Y` for maps: `(values, stderr, chisqr,
    /// success)` as arrays (rows × parameters in `param_names` order, NaN
    /// where a fit failed or a σ is unknown). Used by `interphase.dask`.
    #[pyo3(signature = (x, Y, warm_start=false, weighting="unit", threads=None))]
    #[allow(non_snake_case)]
    fn _fit_rows<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        Y: &Bound<'py, PyAny>,
        warm_start: bool,
        weighting: &str,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let x = vec1(x, "x")?;
        let data = crate::arr2(Y, "Y")?;
        let (o, _) = options(weighting, None, x.len())?;
        let pool = pool(threads)?;
        let model = &self.model;
        let batch = py
            .detach(|| {
                catch(|| {
                    let b = BatchOptions {
                        fit: o,
                        warm_start,
                        ..BatchOptions::default()
                    };
                    in_pool(pool.as_ref(), || model.fit_rows(&x, data.view(), &b))
                })
            })
            .map_err(crate::internal)?
            .map_err(err)?;
        let np = batch.names.len();
        let n = batch.fits.len();
        let mut values = vec![f64::NAN; n * np];
        let mut stderr = vec![f64::NAN; n * np];
        let mut chisqr = vec![f64::NAN; n];
        let mut success = vec![false; n];
        for (i, f) in batch.fits.iter().enumerate() {
            if let Ok(f) = f {
                values[i * np..(i + 1) * np].copy_from_slice(&f.values);
                for (k, s) in f.stderrs.iter().enumerate() {
                    stderr[i * np + k] = s.unwrap_or(f64::NAN);
                }
                chisqr[i] = f.chi_square;
                success[i] = f.converged;
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

    fn __repr__(&self) -> String {
        format!(
            "<PeakModel with parameters {}>",
            self.model.parameter_names().join(", ")
        )
    }

    /// Pickles as its JSON text.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let text = serde_json::to_string(&self.model).map_err(err)?;
        let f = py.get_type::<PeakModel>().getattr("from_json")?;
        (f, (text,)).into_pyobject(py)
    }
}

fn baseline_out<'py>(py: Python<'py>, b: bl::Baseline) -> PyResult<Bound<'py, PyTuple>> {
    let info = PyDict::new(py);
    info.set_item("iterations", b.iterations)?;
    info.set_item("converged", b.converged)?;
    (PyArray1::from_vec(py, b.baseline), info).into_pyobject(py)
}

/// Whittaker baselines: `method` is `asls`, `arpls` or `airpls`.
#[pyfunction]
fn _whittaker<'py>(
    py: Python<'py>,
    method: &str,
    y: &Bound<'py, PyAny>,
    lam: f64,
    p: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<Bound<'py, PyTuple>> {
    let y = vec1(y, "y")?;
    let o = bl::WhittakerOptions {
        lam,
        p,
        tol,
        max_iter,
    };
    let b = guard(|| {
        match method {
            "asls" => bl::asls(&y, &o),
            "arpls" => bl::arpls(&y, &o),
            "airpls" => bl::airpls(&y, &o),
            other => return Err(err(format!("unknown Whittaker method {other:?}"))),
        }
        .map_err(err)
    })?;
    baseline_out(py, b)
}

/// Polynomial baselines: `method` is `poly`, `modpoly` or `imodpoly`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _polynomial<'py>(
    py: Python<'py>,
    method: &str,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    order: usize,
    tol: f64,
    max_iter: usize,
    num_std: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let (x, y) = (vec1(x, "x")?, vec1(y, "y")?);
    let b = guard(|| {
        match method {
            "poly" => bl::polynomial(&x, &y, order),
            "modpoly" => bl::modpoly(&x, &y, order, tol, max_iter),
            "imodpoly" => bl::imodpoly(&x, &y, order, tol, max_iter, num_std),
            other => return Err(err(format!("unknown polynomial method {other:?}"))),
        }
        .map_err(err)
    })?;
    baseline_out(py, b)
}

/// SNIP (Ryan et al. 1988), optionally on the LLS-transformed data.
#[pyfunction]
fn _snip<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    max_half_window: usize,
    decreasing: bool,
    lls: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let y = vec1(y, "y")?;
    let b = guard(|| bl::snip(&y, max_half_window, decreasing, lls).map_err(err))?;
    baseline_out(py, b)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PeakModel>()?;
    m.add_function(wrap_pyfunction!(_whittaker, m)?)?;
    m.add_function(wrap_pyfunction!(_polynomial, m)?)?;
    m.add_function(wrap_pyfunction!(_snip, m)?)?;
    Ok(())
}
