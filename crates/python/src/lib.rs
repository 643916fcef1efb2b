//! The compiled core of the Python package `interphase` (`interphase._core`).
//!
//! It holds no science: it converts NumPy arrays and Python values to the
//! Rust crates' types, calls them, and converts results and errors back. The
//! Python modules in `python/interphase/` give the public API (keyword names,
//! pybaselines-style return values, Dask maps) on top of it.
//!
//! Every entry point returns `PyResult`; Rust errors become `interphase.Error`
//! (a `ValueError`) or `interphase.FileError` (an `OSError`), and a panic —
//! which would be a bug — is caught at the boundary and raised as
//! `interphase.InternalError` instead of unwinding into Python.
#![deny(unsafe_code)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use numpy::{PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

mod analysis;
mod curve;
mod eels;
mod eis;
mod fitres;
mod io;
mod materials;
mod spectra;

create_exception!(
    interphase,
    Error,
    PyValueError,
    "Bad input or a failed computation: NaN/Inf, mismatched or unsorted \
     arrays, bad parameters, an unknown circuit element, a fit that cannot run."
);
create_exception!(
    interphase,
    FileError,
    PyOSError,
    "A file that cannot be read: unreadable, too large, malformed, truncated \
     or of a format no reader knows. The message says where (line, byte)."
);
create_exception!(
    interphase,
    InternalError,
    PyRuntimeError,
    "A bug in interphase (a Rust panic caught at the boundary). Please report \
     it with the message."
);

/// `interphase.Error` with the Rust error's message.
pub(crate) fn err(e: impl std::fmt::Display) -> PyErr {
    Error::new_err(e.to_string())
}

/// Runs `f`, turning a panic into `interphase.InternalError`.
pub(crate) fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(InternalError::new_err(format!(
            "internal error (please report): {}",
            panic_message(&p)
        ))),
    }
}

/// `interphase.InternalError` for a panic caught by [`catch`].
pub(crate) fn internal(p: String) -> PyErr {
    InternalError::new_err(format!("internal error (please report): {p}"))
}

/// Checks `fit_many`'s `errors` argument.
pub(crate) fn check_errors(errors: &str) -> PyResult<()> {
    if errors == "keep" || errors == "raise" {
        Ok(())
    } else {
        Err(err(format!(
            "errors={errors:?}: choose \"keep\" or \"raise\""
        )))
    }
}

/// The list `fit_many` returns: each row's result made by `wrap`, a failed
/// row as an `interphase.Error` instance (`errors="keep"`), or the first
/// failure raised (`errors="raise"`).
pub(crate) fn batch_list<T, E: std::fmt::Display>(
    py: Python<'_>,
    results: Vec<Result<T, E>>,
    errors: &str,
    mut wrap: impl FnMut(usize, T) -> PyResult<Py<PyAny>>,
) -> PyResult<Vec<Py<PyAny>>> {
    let mut out = Vec::with_capacity(results.len());
    let mut first = None;
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(v) => out.push(wrap(i, v)?),
            Err(e) => {
                let e = Error::new_err(format!("row {i}: {e}"));
                if first.is_none() {
                    first = Some(e.clone_ref(py));
                }
                out.push(e.into_value(py).into_any());
            }
        }
    }
    match first {
        Some(e) if errors == "raise" => Err(e),
        _ => Ok(out),
    }
}

/// The same for work done without the GIL: the panic's message as an error.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(&p))
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

/// A Python progress callback `progress(done, total, failed)` for batch
/// fits, called from the worker threads (each call takes the GIL) at most
/// every 0.1 s and never with a count lower than one already reported, and
/// once at the end from the calling thread with the final counts. The first
/// exception it raises is kept (the callback is not called again) and
/// raised after the batch by [`Progress::finish`].
pub(crate) struct Progress {
    callback: Option<Py<PyAny>>,
    /// Rows that failed before the batch (not spectra): counted as done and
    /// failed from the start, so `total` is the number of rows throughout.
    skipped: std::sync::atomic::AtomicUsize,
    state: std::sync::Mutex<ProgressState>,
}

struct ProgressState {
    last: std::time::Instant,
    done: usize,
    error: Option<PyErr>,
}

impl Progress {
    pub(crate) fn new(callback: Option<Py<PyAny>>) -> Progress {
        Progress {
            callback,
            skipped: std::sync::atomic::AtomicUsize::new(0),
            state: std::sync::Mutex::new(ProgressState {
                last: std::time::Instant::now(),
                done: 0,
                error: None,
            }),
        }
    }

    /// Whether there is a callback at all.
    pub(crate) fn is_some(&self) -> bool {
        self.callback.is_some()
    }

    /// Sets the number of rows that failed before the batch started.
    pub(crate) fn skip(&self, n: usize) {
        self.skipped.store(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// From a worker thread: report, unless too soon, stale or failed.
    pub(crate) fn report(&self, p: interphase::fit::Progress) {
        let Some(cb) = &self.callback else { return };
        let k = self.skipped.load(std::sync::atomic::Ordering::Relaxed);
        let p = interphase::fit::Progress {
            done: p.done + k,
            total: p.total + k,
            failed: p.failed + k,
        };
        let Ok(mut st) = self.state.try_lock() else {
            return;
        };
        if st.error.is_some()
            || p.done >= p.total
            || p.done <= st.done
            || st.last.elapsed() < std::time::Duration::from_millis(100)
        {
            return;
        }
        st.last = std::time::Instant::now();
        st.done = p.done;
        if let Err(e) = Python::attach(|py| cb.call1(py, (p.done, p.total, p.failed))) {
            st.error = Some(e);
        }
    }

    /// On the calling thread after the batch: the final report, and the
    /// callback's exception if it raised one.
    pub(crate) fn finish(&self, py: Python<'_>, total: usize, failed: usize) -> PyResult<()> {
        let Some(cb) = &self.callback else {
            return Ok(());
        };
        let mut st = self
            .state
            .lock()
            .map_err(|_| InternalError::new_err("progress state poisoned"))?;
        if st.error.is_none()
            && let Err(e) = cb.call1(py, (total, total, failed))
        {
            st.error = Some(e);
        }
        match st.error.take() {
            None => Ok(()),
            Some(e) => {
                let wrapped = Error::new_err(format!(
                    "the progress callback raised {}; the batch's results were discarded",
                    e.value(py)
                        .repr()
                        .map_or_else(|_| "an exception".into(), |r| r.to_string())
                ));
                wrapped.set_cause(py, Some(e));
                Err(wrapped)
            }
        }
    }
}

/// `obj` as an aligned, C-contiguous NumPy array of `dtype` (lists, tuples
/// and other dtypes converted by `numpy.require`; arrays that arrive
/// unaligned — as Dask can deliver them from the network — copied).
fn behaved<'py>(obj: &Bound<'py, PyAny>, dtype: &str) -> PyResult<Bound<'py, PyAny>> {
    obj.py()
        .import("numpy")?
        .call_method1("require", (obj, dtype, ("C", "A")))
        .map_err(|e| Error::new_err(format!("expected an array of {dtype}: {e}")))
}

fn shape_error(name: &str, obj: &Bound<'_, PyAny>, want: usize) -> PyErr {
    let shape = obj
        .getattr("shape")
        .and_then(|s| s.str().map(|s| s.to_string()))
        .unwrap_or_else(|_| "?".into());
    Error::new_err(format!(
        "{name} must be a {want}-D array, got shape {shape}"
    ))
}

/// A 1-D array of `T` as a vector (see [`behaved`]).
pub(crate) fn vec_of<T: numpy::Element + Copy>(
    obj: &Bound<'_, PyAny>,
    dtype: &str,
    name: &str,
) -> PyResult<Vec<T>> {
    let a = behaved(obj, dtype)?;
    let a: PyReadonlyArray1<'_, T> = a.extract().map_err(|_| shape_error(name, &a, 1))?;
    if a.dims()[0] == 0 {
        return Ok(Vec::new());
    }
    Ok(a.as_slice().map_err(err)?.to_vec())
}

/// A 2-D array of `T` (rows = spectra) as an owned ndarray.
pub(crate) fn mat_of<T: numpy::Element + Copy>(
    obj: &Bound<'_, PyAny>,
    dtype: &str,
    name: &str,
) -> PyResult<ndarray::Array2<T>> {
    let a = behaved(obj, dtype)?;
    let a: PyReadonlyArray2<'_, T> = a.extract().map_err(|_| shape_error(name, &a, 2))?;
    let d = a.dims();
    let v = if d[0] == 0 || d[1] == 0 {
        Vec::new()
    } else {
        a.as_slice().map_err(err)?.to_vec()
    };
    ndarray::Array2::from_shape_vec((d[0], d[1]), v).map_err(err)
}

/// A 2-D float64 array borrowed without a copy (C-contiguous after
/// `behaved`): read it with `as_slice()`.
pub(crate) fn rows_f64<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<PyReadonlyArray2<'py, f64>> {
    let a = behaved(obj, "float64")?;
    a.extract().map_err(|_| shape_error(name, &a, 2))
}

/// A 1-D float array as a vector.
pub(crate) fn vec1(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<f64>> {
    vec_of(obj, "float64", name)
}

/// A 2-D float array (rows = spectra).
/// `v` (row-major) as a `rows × cols` NumPy array.
pub(crate) fn matrix<'py>(
    py: Python<'py>,
    v: Vec<f64>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
    Ok(numpy::PyArray2::from_owned_array(
        py,
        ndarray::Array2::from_shape_vec((rows, cols), v).map_err(err)?,
    ))
}

pub(crate) fn arr2(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<ndarray::Array2<f64>> {
    mat_of(obj, "float64", name)
}

/// A serialisable Rust value as Python objects (via JSON: dicts, lists,
/// floats, strings, None).
pub(crate) fn to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(v).map_err(err)?;
    py.import("json")?.call_method1("loads", (text,))
}

/// A Python object as JSON text (for `from_dict`).
pub(crate) fn to_json(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    obj.py()
        .import("json")?
        .call_method1("dumps", (obj,))?
        .extract()
}

/// A dict from string pairs.
pub(crate) fn str_dict<'py>(
    py: Python<'py>,
    pairs: impl IntoIterator<Item = (String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in pairs {
        d.set_item(k, v)?;
    }
    Ok(d)
}

/// Raises a Rust panic, to test that panics become `InternalError` (not part
/// of the API).
#[pyfunction]
fn _panic_for_tests() -> PyResult<()> {
    guard(|| panic!("deliberate panic for the test suite"))
}

/// The package version (the crates').
const VERSION: &str = env!("CARGO_PKG_VERSION");

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", VERSION)?;
    m.add("Error", py.get_type::<Error>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_class::<fitres::FitResult>()?;
    m.add_class::<fitres::Parameter>()?;
    spectra::register(m)?;
    eis::register(m)?;
    curve::register(m)?;
    analysis::register(m)?;
    eels::register(m)?;
    io::register(m)?;
    materials::register(m)?;
    Ok(())
}
