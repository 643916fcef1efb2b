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

use numpy::{AllowTypeChange, PyArrayLike1, PyArrayLike2};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

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

/// A 1-D float array (any array-like: list, tuple, NumPy of any real dtype)
/// as a vector.
pub(crate) fn vec1(a: &PyArrayLike1<'_, f64, AllowTypeChange>) -> Vec<f64> {
    match a.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => a.as_array().to_vec(),
    }
}

/// A 2-D float array as an owned ndarray (rows = spectra).
pub(crate) fn arr2(a: &PyArrayLike2<'_, f64, AllowTypeChange>) -> ndarray::Array2<f64> {
    a.as_array().to_owned()
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
    io::register(m)?;
    materials::register(m)?;
    Ok(())
}
