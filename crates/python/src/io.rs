//! `interphase.read`: every format the Rust readers know, as arrays and
//! metadata dicts.

use interphase::io::columns::ColumnChoice;
use interphase::io::{ReadOptions, read_path};
use numpy::PyArray1;
use pyo3::exceptions::PyFileNotFoundError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::{FileError, guard, str_dict};

/// Reads an instrument file (the format is recognised from its content):
/// a dict with `format`, `spectra` (dicts with `x`, `y`, `sigma`, `name`,
/// `technique`, `x_quantity`, `x_unit`, `y_unit`, `counts`,
/// `photon_energy`, `block`, `metadata`), `impedance` (dicts with `freq`
/// in Hz, complex `Z` in Ω, `index`, `cycle`, `technique`, `first_line`,
/// `metadata`), `tables` (`name`, `technique`, `columns` name → array,
/// `metadata`) and `warnings`. `columns="freq,re,im"` picks impedance
/// columns a header does not identify (see docs/formats.md).
#[pyfunction]
#[pyo3(signature = (path, columns=None))]
fn read<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    columns: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    if !path.exists() {
        return Err(PyFileNotFoundError::new_err(format!(
            "{}: no such file",
            path.display()
        )));
    }
    let mut o = ReadOptions::default();
    if let Some(c) = columns {
        o.columns = Some(ColumnChoice::parse(c).map_err(crate::err)?);
    }
    let file = guard(|| read_path(&path, &o).map_err(|e| FileError::new_err(e.to_string())))?;
    let out = PyDict::new(py);
    out.set_item("source", &file.source)?;
    out.set_item("format", file.format.name())?;
    let spectra = PyList::empty(py);
    for s in &file.spectra {
        let m = &s.meta;
        let d = PyDict::new(py);
        d.set_item("x", PyArray1::from_slice(py, s.x()))?;
        d.set_item("y", PyArray1::from_slice(py, s.y()))?;
        d.set_item("sigma", s.sigma().map(|v| PyArray1::from_slice(py, v)))?;
        d.set_item("name", &m.name)?;
        d.set_item("technique", label(&m.technique))?;
        d.set_item("x_quantity", label(&m.x_quantity))?;
        d.set_item("x_unit", &m.x_unit)?;
        d.set_item("y_unit", &m.y_unit)?;
        d.set_item("counts", m.counts)?;
        d.set_item("photon_energy", m.photon_energy)?;
        d.set_item("block", &m.block)?;
        d.set_item("metadata", str_dict(py, m.extra.clone())?)?;
        spectra.append(d)?;
    }
    out.set_item("spectra", spectra)?;
    let imp = PyList::empty(py);
    for r in &file.impedance {
        let d = PyDict::new(py);
        d.set_item("name", &r.spectrum.name)?;
        d.set_item("freq", PyArray1::from_slice(py, r.spectrum.freq()))?;
        d.set_item("Z", PyArray1::from_slice(py, r.spectrum.z()))?;
        d.set_item("index", r.index)?;
        d.set_item("cycle", r.cycle)?;
        d.set_item("technique", &r.technique)?;
        d.set_item("first_line", r.first_line)?;
        d.set_item("metadata", str_dict(py, r.metadata.clone())?)?;
        imp.append(d)?;
    }
    out.set_item("impedance", imp)?;
    let tables = PyList::empty(py);
    for t in &file.tables {
        let d = PyDict::new(py);
        d.set_item("name", &t.name)?;
        d.set_item("technique", &t.technique)?;
        let cols = PyDict::new(py);
        for (n, v) in &t.columns {
            cols.set_item(n, PyArray1::from_slice(py, v))?;
        }
        d.set_item("columns", cols)?;
        d.set_item("metadata", str_dict(py, t.metadata.clone())?)?;
        tables.append(d)?;
    }
    out.set_item("tables", tables)?;
    out.set_item("warnings", file.warnings.clone())?;
    Ok(out)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read, m)?)?;
    Ok(())
}

/// An enum's serde name (`binding-energy`, `xps`).
fn label<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "other".into(),
    }
}
