//! Peak finding (scipy's `find_peaks`, `peak_prominences`, `peak_widths`),
//! XPS quantification with the Scofield RSF library, and the EELS power-law
//! background, for `interphase.spectra` (whose Python wrappers normalise the
//! keyword arguments).

use interphase::spectra::Spectrum;
use interphase::spectra::eels;
use interphase::spectra::model::Estimate;
use interphase::spectra::peaks::{self, Interval, PeakOptions};
use interphase::spectra::xps::{Line, QuantOptions, RsfLibrary, XraySource, quantify};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::{err, guard, vec_of, vec1};

type Bounds = Option<(Option<f64>, Option<f64>)>;

fn interval(b: Bounds) -> Option<Interval> {
    b.map(|(min, max)| Interval { min, max })
}

/// scipy's `find_peaks`: (indices, properties) with every property filled.
#[pyfunction]
#[pyo3(signature = (y, height=None, threshold=None, distance=None, prominence=None, width=None, wlen=None, rel_height=0.5, plateau_size=None))]
#[allow(clippy::too_many_arguments)]
fn _find_peaks<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    height: Bounds,
    threshold: Bounds,
    distance: Option<f64>,
    prominence: Bounds,
    width: Bounds,
    wlen: Option<f64>,
    rel_height: f64,
    plateau_size: Option<(usize, usize)>,
) -> PyResult<Bound<'py, PyTuple>> {
    let y = vec1(y, "y")?;
    let o = PeakOptions {
        height: interval(height),
        threshold: interval(threshold),
        distance,
        prominence: interval(prominence),
        width: interval(width),
        wlen,
        rel_height,
        plateau_size,
    };
    let found = guard(|| peaks::find_peaks(&y, &o).map_err(err))?;
    let idx: Vec<i64> = found.iter().map(|p| p.index as i64).collect();
    let props = PyDict::new(py);
    let col = |f: &dyn Fn(&peaks::Peak) -> f64| -> Vec<f64> { found.iter().map(f).collect() };
    let icol = |f: &dyn Fn(&peaks::Peak) -> usize| -> Vec<i64> {
        found.iter().map(|p| f(p) as i64).collect()
    };
    props.set_item("peak_heights", PyArray1::from_vec(py, col(&|p| p.height)))?;
    props.set_item(
        "left_thresholds",
        PyArray1::from_vec(py, col(&|p| p.left_threshold)),
    )?;
    props.set_item(
        "right_thresholds",
        PyArray1::from_vec(py, col(&|p| p.right_threshold)),
    )?;
    props.set_item(
        "prominences",
        PyArray1::from_vec(py, col(&|p| p.prominence)),
    )?;
    props.set_item("left_bases", PyArray1::from_vec(py, icol(&|p| p.left_base)))?;
    props.set_item(
        "right_bases",
        PyArray1::from_vec(py, icol(&|p| p.right_base)),
    )?;
    props.set_item("widths", PyArray1::from_vec(py, col(&|p| p.width)))?;
    props.set_item(
        "width_heights",
        PyArray1::from_vec(py, col(&|p| p.width_height)),
    )?;
    props.set_item("left_ips", PyArray1::from_vec(py, col(&|p| p.left_ip)))?;
    props.set_item("right_ips", PyArray1::from_vec(py, col(&|p| p.right_ip)))?;
    props.set_item(
        "plateau_sizes",
        PyArray1::from_vec(py, icol(&|p| p.plateau.1 - p.plateau.0 + 1)),
    )?;
    props.set_item("left_edges", PyArray1::from_vec(py, icol(&|p| p.plateau.0)))?;
    props.set_item(
        "right_edges",
        PyArray1::from_vec(py, icol(&|p| p.plateau.1)),
    )?;
    (PyArray1::from_vec(py, idx), props).into_pyobject(py)
}

fn indices(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let v: Vec<i64> = vec_of(obj, "int64", "peaks")?;
    v.iter()
        .enumerate()
        .map(|(k, &i)| usize::try_from(i).map_err(|_| err(format!("peaks[{k}] = {i} is negative"))))
        .collect()
}

/// scipy's `peak_prominences`: (prominences, left_bases, right_bases).
#[pyfunction]
#[pyo3(signature = (y, peaks, wlen=None))]
fn _peak_prominences<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    peaks: &Bound<'py, PyAny>,
    wlen: Option<f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let y = vec1(y, "y")?;
    let p = indices(peaks)?;
    let r = guard(|| peaks::peak_prominences(&y, &p, wlen).map_err(err))?;
    (
        PyArray1::from_vec(py, r.iter().map(|t| t.0).collect()),
        PyArray1::from_vec(py, r.iter().map(|t| t.1 as i64).collect()),
        PyArray1::from_vec(py, r.iter().map(|t| t.2 as i64).collect()),
    )
        .into_pyobject(py)
}

/// scipy's `peak_widths`: (widths, width_heights, left_ips, right_ips).
#[pyfunction]
#[pyo3(signature = (y, peaks, rel_height=0.5, wlen=None))]
fn _peak_widths<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    peaks: &Bound<'py, PyAny>,
    rel_height: f64,
    wlen: Option<f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let y = vec1(y, "y")?;
    let p = indices(peaks)?;
    let r = guard(|| peaks::peak_widths(&y, &p, rel_height, wlen).map_err(err))?;
    (
        PyArray1::from_vec(py, r.iter().map(|t| t.0).collect()),
        PyArray1::from_vec(py, r.iter().map(|t| t.1).collect()),
        PyArray1::from_vec(py, r.iter().map(|t| t.2).collect()),
        PyArray1::from_vec(py, r.iter().map(|t| t.3).collect()),
    )
        .into_pyobject(py)
}

fn source(s: &str) -> PyResult<XraySource> {
    match s {
        "al" => Ok(XraySource::AlKAlpha),
        "mg" => Ok(XraySource::MgKAlpha),
        other => Err(err(format!(
            "unknown X-ray source {other:?}: \"Al Ka\" (1486.6 eV) or \"Mg Ka\" (1253.6 eV)"
        ))),
    }
}

/// One line of the Scofield library: name, rsf, binding and kinetic energy.
#[pyfunction]
fn _rsf<'py>(py: Python<'py>, line: &str, src: &str) -> PyResult<Bound<'py, PyDict>> {
    let info = RsfLibrary::scofield(source(src)?)
        .line_info(line)
        .map_err(err)?;
    let d = PyDict::new(py);
    d.set_item("name", info.name)?;
    d.set_item("rsf", info.rsf)?;
    d.set_item("binding_energy", info.binding_energy_ev)?;
    d.set_item("kinetic_energy", info.kinetic_energy_ev)?;
    Ok(d)
}

/// Atomic % of lines: `names`, `areas`, `stderrs` (None: unknown),
/// `rsfs` (None: the Scofield library's), the source and the corrections.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _quantify<'py>(
    py: Python<'py>,
    names: Vec<String>,
    areas: Vec<f64>,
    stderrs: Vec<Option<f64>>,
    rsfs: Vec<Option<f64>>,
    src: &str,
    transmission_exponent: f64,
    imfp_exponent: f64,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let n = names.len();
    if [areas.len(), stderrs.len(), rsfs.len()] != [n, n, n] {
        return Err(err("names, areas, stderrs and rsfs differ in length"));
    }
    let lib = RsfLibrary::scofield(source(src)?);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let area = Estimate {
            value: areas[i],
            stderr: stderrs[i],
        };
        let line = match rsfs[i] {
            Some(r) => {
                let mut l = Line::new(names[i].clone(), area, r);
                l.kinetic_energy = lib
                    .line_info(&names[i])
                    .ok()
                    .and_then(|c| c.kinetic_energy_ev);
                l
            }
            None => lib
                .line(&names[i], area)
                .map_err(|e| err(format!("{e} (give its RSF: rsf={{\"{}\": ...}})", names[i])))?,
        };
        lines.push(line);
    }
    let o = QuantOptions {
        transmission_exponent,
        imfp_exponent,
    };
    let q = guard(|| quantify(&lines, &o).map_err(err))?;
    q.iter()
        .zip(&lines)
        .map(|(q, l)| {
            let d = PyDict::new(py);
            d.set_item("name", &q.name)?;
            d.set_item("area", (l.area.value, l.area.stderr))?;
            d.set_item("rsf", l.rsf)?;
            d.set_item("kinetic_energy", l.kinetic_energy)?;
            d.set_item("corrected", q.corrected)?;
            d.set_item(
                "atomic_percent",
                (q.atomic_percent.value, q.atomic_percent.stderr),
            )?;
            Ok(d)
        })
        .collect()
}

/// Egerton's power-law pre-edge background: (net, {a, r, window}).
#[pyfunction]
fn _power_law<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    window: (f64, f64),
) -> PyResult<Bound<'py, PyTuple>> {
    let (x, y) = (vec1(x, "x")?, vec1(y, "y")?);
    let (net, law) = guard(|| {
        let s = Spectrum::new(x, y).map_err(err)?;
        eels::subtract_power_law(&s, window).map_err(err)
    })?;
    let d = PyDict::new(py);
    d.set_item("a", law.a)?;
    d.set_item("r", law.r)?;
    d.set_item("window", law.window)?;
    (PyArray1::from_slice(py, net.y()), d).into_pyobject(py)
}

fn spectrum_of(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    sigma: Option<&Bound<'_, PyAny>>,
    counts: bool,
) -> PyResult<Spectrum> {
    let (x, y) = (vec1(x, "x")?, vec1(y, "y")?);
    let mut s = Spectrum::new(x, y).map_err(err)?;
    if let Some(sig) = sigma {
        s = s.with_sigma(vec1(sig, "sigma")?).map_err(err)?;
    }
    s.meta.counts = counts;
    Ok(s)
}

/// EELS edge onset: where the net signal first reaches `fraction` of its
/// maximum above `start` (eV), interpolated.
#[pyfunction]
fn _eels_onset(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    start: f64,
    fraction: f64,
) -> PyResult<f64> {
    let s = spectrum_of(x, y, None, false)?;
    guard(|| eels::onset(&s, start, fraction).map_err(err))
}

/// EELS edge onset as the inflection point of the rising edge in `range`.
#[pyfunction]
fn _eels_onset_inflection(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    range: (f64, f64),
    window: usize,
) -> PyResult<f64> {
    let s = spectrum_of(x, y, None, false)?;
    guard(|| eels::onset_inflection(&s, range, window).map_err(err))
}

/// L3/L2 white-line ratio from integration windows: (value, stderr).
#[pyfunction]
#[pyo3(signature = (x, y, l3, l2, continuum=None, sigma=None, counts=false))]
#[allow(clippy::too_many_arguments)]
fn _white_line_ratio(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    l3: (f64, f64),
    l2: (f64, f64),
    continuum: Option<(f64, f64)>,
    sigma: Option<&Bound<'_, PyAny>>,
    counts: bool,
) -> PyResult<(f64, Option<f64>)> {
    let s = spectrum_of(x, y, sigma, counts)?;
    let e = guard(|| eels::white_line_ratio(&s, l3, l2, continuum).map_err(err))?;
    Ok((e.value, e.stderr))
}

/// The automatic pre-edge window before an edge at `edge_ev`.
#[pyfunction]
fn _pre_edge_window(
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    edge_ev: f64,
) -> PyResult<(f64, f64)> {
    let s = spectrum_of(x, y, None, false)?;
    guard(|| eels::pre_edge_window(&s, edge_ev).map_err(err))
}

/// Reference edges: `(element, edge, energy_eV)` for one edge, or those near
/// an energy.
#[pyfunction]
#[pyo3(signature = (element=None, edge=None, near=None, tolerance=10.0))]
fn _eels_edges(
    element: Option<&str>,
    edge: Option<&str>,
    near: Option<f64>,
    tolerance: f64,
) -> PyResult<Vec<(&'static str, &'static str, f64)>> {
    let list: Vec<eels::Edge> = match (element, edge, near) {
        (Some(el), Some(ed), None) => eels::edge(el, ed).into_iter().collect(),
        (None, None, Some(e)) => eels::edges_near(e, tolerance),
        (None, None, None) => eels::EDGES.to_vec(),
        _ => {
            return Err(err(
                "give element and edge, or near (an energy in eV), or nothing (the whole table)",
            ));
        }
    };
    Ok(list
        .into_iter()
        .map(|e| (e.element, e.edge, e.energy_ev))
        .collect())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_eels_onset, m)?)?;
    m.add_function(wrap_pyfunction!(_eels_onset_inflection, m)?)?;
    m.add_function(wrap_pyfunction!(_white_line_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(_pre_edge_window, m)?)?;
    m.add_function(wrap_pyfunction!(_eels_edges, m)?)?;
    m.add_function(wrap_pyfunction!(_find_peaks, m)?)?;
    m.add_function(wrap_pyfunction!(_peak_prominences, m)?)?;
    m.add_function(wrap_pyfunction!(_peak_widths, m)?)?;
    m.add_function(wrap_pyfunction!(_rsf, m)?)?;
    m.add_function(wrap_pyfunction!(_quantify, m)?)?;
    m.add_function(wrap_pyfunction!(_power_law, m)?)?;
    Ok(())
}
