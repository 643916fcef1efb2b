//! EELS low loss, spectrum images and MLLS for `interphase.spectra`: the
//! Python wrappers reshape any array (last axis = energy) to rows, these
//! functions run the Rust per-pixel operations in parallel with the GIL
//! released, and failed pixels come back as NaN with their messages.

use interphase::spectra::eels::{
    self, FourierRatio, MllsOptions, MllsWeights, SpectrumImage, Threshold,
};
use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;

use crate::{arr2, catch, err, matrix, vec1};

/// Rows of a 2-D array (spectra × channels) on the axis `x` as a 1 × n line.
fn line(x: Vec<f64>, y: ndarray::Array2<f64>) -> PyResult<SpectrumImage> {
    let (rows, n) = y.dim();
    if n != x.len() {
        return Err(err(format!(
            "the spectra have {n} channels, the energy axis {}",
            x.len()
        )));
    }
    let (data, _) = y.into_raw_vec_and_offset();
    SpectrumImage::new(x, (1, rows), data).map_err(err)
}

type Arr1<'py> = Bound<'py, PyArray1<f64>>;
type Arr2<'py> = Bound<'py, PyArray2<f64>>;

fn failures<'py>(py: Python<'py>, f: &[(usize, String)]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, f.iter().map(|(i, m)| (*i, m.clone())))
}

/// The rows of a float64 2-D array, borrowed without a copy, with their
/// channel count checked against an axis of `channels`.
fn borrowed_rows<'py>(
    y: &Bound<'py, PyAny>,
    name: &str,
    channels: usize,
) -> PyResult<numpy::PyReadonlyArray2<'py, f64>> {
    let a = crate::rows_f64(y, name)?;
    let n = a.dims()[1];
    if n != channels {
        return Err(err(format!(
            "{name}: the spectra have {n} channels, the energy axis {channels}"
        )));
    }
    Ok(a)
}

/// `f(row index, row)` on every row of `a` in parallel with the GIL released.
fn par_rows<T, F>(
    py: Python<'_>,
    a: &numpy::PyReadonlyArray2<'_, f64>,
    f: F,
) -> PyResult<Vec<interphase::spectra::Result<T>>>
where
    T: Send,
    F: Fn(usize, &[f64]) -> interphase::spectra::Result<T> + Sync + Send,
{
    let (rows, n) = (a.dims()[0], a.dims()[1]);
    if rows == 0 {
        return Ok(Vec::new());
    }
    let data: &[f64] = a.as_slice().map_err(err)?;
    py.detach(|| {
        catch(|| {
            data.par_chunks(n.max(1))
                .enumerate()
                .map(|(p, y)| f(p, y))
                .collect()
        })
    })
    .map_err(crate::internal)
}

/// [`par_rows`] writing `width` numbers per row in place (no allocation per
/// row): the rows (NaN where a row failed or was not written) and each
/// row's error message, if any.
fn par_rows_into<F>(
    py: Python<'_>,
    a: &numpy::PyReadonlyArray2<'_, f64>,
    width: usize,
    f: F,
) -> PyResult<(Vec<f64>, Vec<Option<String>>)>
where
    F: Fn(usize, &[f64], &mut [f64]) -> interphase::spectra::Result<()> + Sync + Send,
{
    let (rows, n) = (a.dims()[0], a.dims()[1]);
    let data: &[f64] = a.as_slice().map_err(err)?;
    py.detach(|| {
        catch(|| {
            let mut out = vec![f64::NAN; rows * width];
            if rows == 0 || width == 0 {
                return (out, vec![None; rows]);
            }
            let errors: Vec<Option<String>> = data
                .par_chunks(n.max(1))
                .zip(out.par_chunks_mut(width))
                .enumerate()
                .map(|(p, (y, row))| {
                    let r = f(p, y, row);
                    if r.is_err() {
                        row.fill(f64::NAN);
                    }
                    r.err().map(|e| e.to_string())
                })
                .collect();
            (out, errors)
        })
    })
    .map_err(crate::internal)
}

/// Log-ratio t/λ of every row: (t, stderr, failures).
#[pyfunction]
#[pyo3(signature = (x, y, threshold=None, start=1.0, window=10.0))]
fn _eels_thickness<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    threshold: Option<f64>,
    start: f64,
    window: f64,
) -> PyResult<(Arr1<'py>, Arr1<'py>, Bound<'py, PyList>)> {
    let x = vec1(x, "x")?;
    let ya = borrowed_rows(y, "y", x.len())?;
    let th = match threshold {
        Some(t) => Threshold::Fixed(t),
        None => Threshold::Auto {
            start_ev: start,
            window_ev: window,
        },
    };
    // the axis checked once, not once per row
    let axis = eels::LowLossAxis::new(&x).map_err(err)?;
    let res = par_rows(py, &ya, |_, y| {
        axis.thickness(y, th).map(|t| t.t_over_lambda)
    })?;
    let m = eels::Map::from_results((1, res.len()), res);
    Ok((
        PyArray1::from_vec(py, m.value),
        PyArray1::from_vec(py, m.stderr),
        failures(py, &m.failures)?,
    ))
}

/// Zero-loss centre of every row with its counting σ (NaN where it has
/// none): (centres, stderr, failures).
#[pyfunction]
fn _zlp_centres<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
) -> PyResult<(Arr1<'py>, Arr1<'py>, Bound<'py, PyList>)> {
    let x = vec1(x, "x")?;
    let ya = borrowed_rows(y, "y", x.len())?;
    let res = par_rows(py, &ya, |_, y| eels::zlp_centre_estimate(&x, y))?;
    let m = eels::Map::from_results((1, res.len()), res);
    Ok((
        PyArray1::from_vec(py, m.value),
        PyArray1::from_vec(py, m.stderr),
        failures(py, &m.failures)?,
    ))
}

fn image_arrays<'py>(py: Python<'py>, img: &SpectrumImage) -> PyResult<(Arr1<'py>, Arr2<'py>)> {
    let a = ndarray::Array2::from_shape_vec((img.pixels(), img.channels()), img.data().to_vec())
        .map_err(err)?;
    Ok((
        PyArray1::from_slice(py, img.energy()),
        PyArray2::from_owned_array(py, a),
    ))
}

/// Aligns the rows' zero-loss peaks to 0 eV (and `also` alike):
/// (x, y, shifts, x_also, y_also).
#[pyfunction]
#[pyo3(signature = (x, y, x_also=None, y_also=None))]
#[allow(clippy::type_complexity)]
fn _align_zlp<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    x_also: Option<&Bound<'py, PyAny>>,
    y_also: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let img = line(vec1(x, "x")?, arr2(y, "y")?)?;
    let also = match (x_also, y_also) {
        (Some(xa), Some(ya)) => Some(line(vec1(xa, "x_also")?, arr2(ya, "also")?)?),
        (None, None) => None,
        _ => return Err(err("give both x_also and also, or neither")),
    };
    let others: Vec<&SpectrumImage> = also.iter().collect();
    let al = py
        .detach(|| catch(|| img.align_zlp(&others)))
        .map_err(crate::internal)?
        .map_err(err)?;
    let (xn, yn) = image_arrays(py, &al.image)?;
    let shifts = PyArray1::from_vec(py, al.shifts.value);
    match al.others.first() {
        Some(o) => {
            let (xa, ya) = image_arrays(py, o)?;
            (xn, yn, shifts, xa, ya)
                .into_pyobject(py)
                .map(|t| t.into_any())
        }
        None => (xn, yn, shifts, py.None(), py.None())
            .into_pyobject(py)
            .map(|t| t.into_any()),
    }
}

/// Fourier-log deconvolution of every row by `zlp` (one row for all, or one per row).
#[pyfunction]
fn _fourier_log<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    zlp: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let img = line(vec1(x, "x")?, arr2(y, "y")?)?;
    let z = arr2(zlp, "zlp")?;
    if z.nrows() != 1 && z.nrows() != img.pixels() {
        return Err(err(format!(
            "zlp has {} rows; give one, or one per spectrum ({})",
            z.nrows(),
            img.pixels()
        )));
    }
    let out = py
        .detach(|| {
            catch(|| {
                let rows: Vec<_> = (0..img.pixels()).collect();
                use rayon::prelude::*;
                rows.par_iter()
                    .map(|&p| {
                        let zr = z.row(p.min(z.nrows() - 1));
                        let zs = zr
                            .as_slice()
                            .map(|s| s.to_vec())
                            .unwrap_or_else(|| zr.to_vec());
                        eels::fourier_log_deconvolution(img.energy(), img.pixel(p), &zs)
                            .map_err(|e| format!("spectrum {p}: {e}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .map_err(crate::internal)?
        .map_err(err)?;
    let n = img.channels();
    let a = ndarray::Array2::from_shape_vec((out.len(), n), out.concat()).map_err(err)?;
    Ok(PyArray2::from_owned_array(py, a))
}

/// Fourier-ratio deconvolution of every core-loss row by its low-loss row.
#[pyfunction]
#[pyo3(signature = (x_core, core, x_low, low, fwhm=None, threshold=None, extrapolate=true))]
#[allow(clippy::too_many_arguments)]
fn _fourier_ratio<'py>(
    py: Python<'py>,
    x_core: &Bound<'py, PyAny>,
    core: &Bound<'py, PyAny>,
    x_low: &Bound<'py, PyAny>,
    low: &Bound<'py, PyAny>,
    fwhm: Option<f64>,
    threshold: Option<f64>,
    extrapolate: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let c = line(vec1(x_core, "x_core")?, arr2(core, "core")?)?;
    let l = line(vec1(x_low, "x_low")?, arr2(low, "low")?)?;
    if l.pixels() != 1 && l.pixels() != c.pixels() {
        return Err(err(format!(
            "low has {} rows; give one, or one per core-loss spectrum ({})",
            l.pixels(),
            c.pixels()
        )));
    }
    let o = FourierRatio {
        fwhm_ev: fwhm,
        threshold_ev: threshold,
        extrapolate,
    };
    let out = py
        .detach(|| {
            catch(|| {
                use rayon::prelude::*;
                (0..c.pixels())
                    .into_par_iter()
                    .map(|p| {
                        eels::fourier_ratio_deconvolution(
                            c.energy(),
                            c.pixel(p),
                            l.energy(),
                            l.pixel(p.min(l.pixels() - 1)),
                            &o,
                        )
                        .map_err(|e| format!("spectrum {p}: {e}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .map_err(crate::internal)?
        .map_err(err)?;
    let a =
        ndarray::Array2::from_shape_vec((out.len(), c.channels()), out.concat()).map_err(err)?;
    Ok(PyArray2::from_owned_array(py, a))
}

/// Inelastic mean free path (nm): Iakoubovskii with `density`, or Malis
/// with `formula` and `beta`.
#[pyfunction]
#[pyo3(signature = (beam_kev, density=None, alpha=None, beta=None, formula=None, zeff=None))]
fn _mean_free_path(
    beam_kev: f64,
    density: Option<f64>,
    alpha: Option<f64>,
    beta: Option<f64>,
    formula: Option<&str>,
    zeff: Option<f64>,
) -> PyResult<f64> {
    match (density, formula, zeff) {
        (Some(rho), None, None) => {
            let angles = match (alpha, beta) {
                (a, Some(b)) => Some((a.unwrap_or(0.0), b)),
                (None, None) => None,
                (Some(_), None) => return Err(err("alpha needs beta (both in mrad)")),
            };
            eels::mean_free_path_iakoubovskii(beam_kev, rho, angles).map_err(err)
        }
        (None, f, z) if f.is_some() != z.is_some() => {
            let Some(beta) = beta else {
                return Err(err(
                    "the Malis mean free path needs beta (collection semi-angle, mrad)",
                ));
            };
            let zeff = match (f, z) {
                (Some(f), _) => _effective_z(f)?,
                (_, Some(z)) => z,
                _ => unreachable!("one of formula and zeff is given"),
            };
            eels::mean_free_path_malis(beam_kev, beta, zeff).map_err(err)
        }
        _ => Err(err(
            "give density (Iakoubovskii), or formula or zeff with beta (Malis)",
        )),
    }
}

/// Z_eff of a formula for the Malis mean free path.
#[pyfunction]
fn _effective_z(formula: &str) -> PyResult<f64> {
    let f = interphase::materials::Formula::parse(formula).map_err(err)?;
    let comp: Vec<(u32, f64)> = f.amounts().iter().map(|(e, n)| (e.z(), *n)).collect();
    eels::effective_z(&comp).map_err(err)
}

/// MLLS of every row: a dict of arrays (rows × references) and failures.
#[pyfunction]
#[pyo3(signature = (x, y, references, names, window=None, background=0, weights="uniform"))]
#[allow(clippy::too_many_arguments)]
fn _mlls<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    references: &Bound<'py, PyAny>,
    names: Vec<String>,
    window: Option<(f64, f64)>,
    background: usize,
    weights: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let x = vec1(x, "x")?;
    let ya = borrowed_rows(y, "y", x.len())?;
    let refs = arr2(references, "references")?;
    if refs.nrows() != names.len() {
        return Err(err(format!(
            "{} reference spectra for {} names",
            refs.nrows(),
            names.len()
        )));
    }
    let weights = match weights {
        "uniform" => MllsWeights::Uniform,
        "poisson" => MllsWeights::Poisson,
        w => {
            return Err(err(format!(
                "weights {w:?}: use \"uniform\" or \"poisson\""
            )));
        }
    };
    let o = MllsOptions {
        window_ev: window,
        background_terms: background,
        weights,
    };
    let ref_rows: Vec<Vec<f64>> = refs.rows().into_iter().map(|r| r.to_vec()).collect();
    let named: Vec<(&str, &[f64])> = names
        .iter()
        .zip(&ref_rows)
        .map(|(n, r)| (n.as_str(), r.as_slice()))
        .collect();
    let design = eels::MllsDesign::new(&x, &named, &o).map_err(err)?;
    let (nr, nb) = (names.len(), background);
    // each row packed into one vector: fractions, their σ, coefficients, their
    // σ, at-bound flags (nr each), background values and σ (nb each), χ²_red
    let or_nan = |e: interphase::spectra::model::Estimate| e.stderr.unwrap_or(f64::NAN);
    let w = 5 * nr + 2 * nb + 1;
    let (rows, errors) = par_rows_into(py, &ya, w, |_, y, v| {
        design.fit_with(y, |s| {
            for k in 0..nr {
                v[k] = s.fraction(k).value;
                v[nr + k] = or_nan(s.fraction(k));
                v[2 * nr + k] = s.estimate(k).value;
                v[3 * nr + k] = or_nan(s.estimate(k));
                v[4 * nr + k] = if s.is_free(k) { 0.0 } else { 1.0 };
            }
            for j in 0..nb {
                v[5 * nr + j] = s.estimate(nr + j).value;
                v[5 * nr + nb + j] = or_nan(s.estimate(nr + j));
            }
            v[w - 1] = s.redchi();
        })
    })?;
    let np = errors.len();
    let mut fr = vec![f64::NAN; np * nr];
    let mut frs = vec![f64::NAN; np * nr];
    let mut co = vec![f64::NAN; np * nr];
    let mut cos = vec![f64::NAN; np * nr];
    let mut bg = vec![f64::NAN; np * nb];
    let mut bgs = vec![f64::NAN; np * nb];
    let mut at = vec![false; np * nr];
    let mut chi = vec![f64::NAN; np];
    let mut failed = Vec::new();
    for (p, (f, e)) in rows.chunks_exact(w).zip(errors).enumerate() {
        if let Some(e) = e {
            failed.push((p, e));
            continue;
        }
        for k in 0..nr {
            fr[p * nr + k] = f[k];
            frs[p * nr + k] = f[nr + k];
            co[p * nr + k] = f[2 * nr + k];
            cos[p * nr + k] = f[3 * nr + k];
            at[p * nr + k] = f[4 * nr + k] > 0.5;
        }
        for k in 0..nb {
            bg[p * nb + k] = f[5 * nr + k];
            bgs[p * nb + k] = f[5 * nr + nb + k];
        }
        chi[p] = f[w - 1];
    }
    let d = PyDict::new(py);
    let m2 = |v: Vec<f64>, c: usize| matrix(py, v, np, c);
    d.set_item("names", names.clone())?;
    d.set_item("fractions", m2(fr, nr)?)?;
    d.set_item("fractions_stderr", m2(frs, nr)?)?;
    d.set_item("coefficients", m2(co, nr)?)?;
    d.set_item("coefficients_stderr", m2(cos, nr)?)?;
    d.set_item("background", m2(bg, nb)?)?;
    d.set_item("background_stderr", m2(bgs, nb)?)?;
    d.set_item(
        "at_bound",
        PyArray2::from_owned_array(
            py,
            ndarray::Array2::from_shape_vec((np, nr), at).map_err(err)?,
        ),
    )?;
    d.set_item("redchi", PyArray1::from_vec(py, chi))?;
    d.set_item("failures", failures(py, &failed)?)?;
    Ok(d)
}

/// The hydrogenic partial cross-section σ(β, Δ) of an edge, barn.
#[pyfunction]
#[pyo3(signature = (element, shell, beam_kev, beta_mrad, delta=50.0, alpha_mrad=0.0))]
fn _edge_cross_section(
    element: &str,
    shell: &str,
    beam_kev: f64,
    beta_mrad: f64,
    delta: f64,
    alpha_mrad: f64,
) -> PyResult<f64> {
    let edge = eels::HydrogenicEdge::lookup(element, shell).map_err(err)?;
    edge.partial_cross_section(
        &eels::Optics {
            beam_kev,
            beta_mrad,
            alpha_mrad,
        },
        delta,
    )
    .map_err(err)
}

/// The hydrogenic differential cross-section dσ/dE (barn/eV per atom) at
/// each energy loss (0 below the onset), with Egerton's effective collection
/// angle at the onset when α > 0.
#[pyfunction]
#[pyo3(signature = (element, shell, energy, beam_kev, beta_mrad, alpha_mrad=0.0))]
fn _edge_dsigma_de<'py>(
    py: Python<'py>,
    element: &str,
    shell: &str,
    energy: &Bound<'py, PyAny>,
    beam_kev: f64,
    beta_mrad: f64,
    alpha_mrad: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let e = vec1(energy, "energy")?;
    let edge = eels::HydrogenicEdge::lookup(element, shell).map_err(err)?;
    let beta = eels::Optics {
        beam_kev,
        beta_mrad,
        alpha_mrad,
    }
    .effective_beta_mrad(edge.onset_ev)
    .map_err(err)?;
    let v = e
        .iter()
        .map(|&x| edge.differential_cross_section(x, beam_kev, beta))
        .collect::<interphase::spectra::Result<Vec<f64>>>()
        .map_err(err)?;
    Ok(PyArray1::from_vec(py, v))
}

/// Edge quantification of every row: a dict of arrays (rows × edges,
/// rows × ratios) and failures.
#[pyfunction]
#[pyo3(signature = (x, y, edges, beam_kev, beta_mrad, alpha_mrad=0.0, delta=50.0, gain=1.0, low_loss_x=None, low_loss_y=None, method="integration", fine_structure=0.0, fine_structure_knots=0))]
#[allow(clippy::too_many_arguments)]
fn _quantify_edges<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    edges: &str,
    beam_kev: f64,
    beta_mrad: f64,
    alpha_mrad: f64,
    delta: f64,
    gain: f64,
    low_loss_x: Option<&Bound<'py, PyAny>>,
    low_loss_y: Option<&Bound<'py, PyAny>>,
    method: &str,
    fine_structure: f64,
    fine_structure_knots: usize,
) -> PyResult<Bound<'py, PyDict>> {
    if method != "integration" && method != "model" {
        return Err(err(format!(
            "method {method:?}: \"integration\" or \"model\""
        )));
    }
    let x = vec1(x, "x")?;
    let ya = borrowed_rows(y, "y", x.len())?;
    let np = ya.dims()[0];
    let specs = eels::EdgeSpec::parse_list(edges).map_err(err)?;
    let options = eels::QuantifyOptions {
        optics: eels::Optics {
            beam_kev,
            beta_mrad,
            alpha_mrad,
        },
        delta_ev: delta,
        gain,
    };
    let low = match (low_loss_x, low_loss_y) {
        (Some(lx), Some(ly)) => {
            let lx = vec1(lx, "low_loss x")?;
            let la = crate::rows_f64(ly, "low_loss y")?;
            let (lr, ln) = (la.dims()[0], la.dims()[1]);
            if ln != lx.len() {
                return Err(err(format!(
                    "the low-loss spectra have {ln} channels, their energy axis {}",
                    lx.len()
                )));
            }
            if lr != 1 && lr != np {
                return Err(err(format!(
                    "{lr} low-loss spectra for {np} core-loss spectra: give one, or one per spectrum"
                )));
            }
            Some((lx, la))
        }
        (None, None) => None,
        _ => return Err(err("low_loss needs both its energy axis and its counts")),
    };
    let low_rows: Option<(&[f64], &[f64], usize)> = match &low {
        Some((lx, la)) => Some((lx.as_slice(), la.as_slice().map_err(err)?, la.dims()[0])),
        None => None,
    };
    let il_of =
        |p: usize| -> interphase::spectra::Result<Option<interphase::spectra::model::Estimate>> {
            Ok(match low_rows {
                Some((lx, ly, lr)) => {
                    let k = if lr == 1 { 0 } else { p };
                    Some(eels::low_loss_intensity(
                        lx,
                        &ly[k * lx.len()..(k + 1) * lx.len()],
                        delta,
                        gain,
                    )?)
                }
                None => None,
            })
        };
    if method == "model" {
        let edges = eels::model_edges(&specs).map_err(err)?;
        let mo = eels::EdgeModelOptions {
            fine_structure_ev: fine_structure,
            fine_structure_knots,
            gain,
            ..eels::EdgeModelOptions::new(options.optics)
        };
        let model = eels::EdgeModel::new(&x, &edges, &mo).map_err(err)?;
        let results = par_rows(py, &ya, |p, y| model.fit(y, il_of(p)?))?;
        let labels: Vec<String> = edges.iter().map(eels::HydrogenicEdge::label).collect();
        let ne = labels.len();
        // every pair i < j, as EdgeModel::fit orders its ratios
        let ratio_labels: Vec<String> = (0..ne)
            .flat_map(|i| (i + 1..ne).map(move |j| (i, j)))
            .map(|(i, j)| format!("{}/{}", edges[i].element, edges[j].element))
            .collect();
        let nr = ratio_labels.len();
        let nan = |n: usize| vec![f64::NAN; n];
        let (mut am, mut ams, mut den, mut dens) =
            (nan(np * ne), nan(np * ne), nan(np * ne), nan(np * ne));
        let (mut rat, mut rats) = (nan(np * nr), nan(np * nr));
        let (mut r, mut rs, mut chi) = (nan(np), nan(np), nan(np));
        let mut failed = Vec::new();
        for (p, q) in results.iter().enumerate() {
            match q {
                Ok(q) => {
                    for (k, e) in q.edges.iter().enumerate() {
                        am[p * ne + k] = e.amount.value;
                        ams[p * ne + k] = e.amount.stderr.unwrap_or(f64::NAN);
                        if let Some(n) = e.areal_density {
                            den[p * ne + k] = n.value;
                            dens[p * ne + k] = n.stderr.unwrap_or(f64::NAN);
                        }
                    }
                    for (k, rr) in q.ratios.iter().enumerate() {
                        rat[p * nr + k] = rr.value.value;
                        rats[p * nr + k] = rr.value.stderr.unwrap_or(f64::NAN);
                    }
                    r[p] = q.background.1.value;
                    rs[p] = q.background.1.stderr.unwrap_or(f64::NAN);
                    chi[p] = q.fit.reduced_chi_square;
                    if !q.fit.converged {
                        failed.push((p, format!("not converged: {}", q.fit.termination.message())));
                    }
                }
                Err(e) => failed.push((p, e.to_string())),
            }
        }
        let d = PyDict::new(py);
        let m2 = |v: Vec<f64>, c: usize| matrix(py, v, np, c);
        d.set_item("edges", labels)?;
        d.set_item("amount", m2(am, ne)?)?;
        d.set_item("amount_stderr", m2(ams, ne)?)?;
        if low.is_some() {
            d.set_item("areal_density", m2(den, ne)?)?;
            d.set_item("areal_density_stderr", m2(dens, ne)?)?;
        }
        d.set_item("ratio_labels", ratio_labels)?;
        d.set_item("ratios", m2(rat, nr)?)?;
        d.set_item("ratios_stderr", m2(rats, nr)?)?;
        d.set_item("power_law_r", PyArray1::from_vec(py, r))?;
        d.set_item("power_law_r_stderr", PyArray1::from_vec(py, rs))?;
        d.set_item("redchi", PyArray1::from_vec(py, chi))?;
        d.set_item("failures", failures(py, &failed)?)?;
        return Ok(d);
    }
    let design = eels::QuantDesign::new(&x, &specs, &options).map_err(err)?;
    let labels = design.labels();
    let ratio_labels = design.ratio_labels();
    let (ne, nr, w) = (labels.len(), ratio_labels.len(), design.row_len());
    // per row: signal, S/σ, areal density (value and σ each) per edge, then
    // the ratios (value and σ): `quantify_row`'s order, flattened
    let unknown = interphase::spectra::model::Estimate {
        value: f64::NAN,
        stderr: None,
    };
    let (rows, errors) = par_rows_into(py, &ya, 2 * w, |p, y, out| {
        let mut row = [unknown; 64];
        let mut heap = Vec::new();
        let row: &mut [_] = if w <= row.len() {
            &mut row[..w]
        } else {
            heap.resize(w, unknown);
            &mut heap
        };
        design.quantify_row(y, il_of(p)?, row)?;
        for (o, e) in out.chunks_exact_mut(2).zip(row.iter()) {
            o[0] = e.value;
            o[1] = e.stderr.unwrap_or(f64::NAN);
        }
        Ok(())
    })?;
    let nan = |n: usize| vec![f64::NAN; n];
    let (mut sig, mut sigs, mut den, mut dens) =
        (nan(np * ne), nan(np * ne), nan(np * ne), nan(np * ne));
    let (mut rat, mut rats) = (nan(np * nr), nan(np * nr));
    let sections = design.cross_sections_barn();
    let mut failed = Vec::new();
    for (p, (row, e)) in rows.chunks_exact(2 * w).zip(errors).enumerate() {
        if let Some(e) = e {
            failed.push((p, e));
            continue;
        }
        for k in 0..ne {
            (sig[p * ne + k], sigs[p * ne + k]) = (row[6 * k], row[6 * k + 1]);
            (den[p * ne + k], dens[p * ne + k]) = (row[6 * k + 4], row[6 * k + 5]);
        }
        for k in 0..nr {
            (rat[p * nr + k], rats[p * nr + k]) = (row[6 * ne + 2 * k], row[6 * ne + 2 * k + 1]);
        }
    }
    let d = PyDict::new(py);
    let m2 = |v: Vec<f64>, c: usize| matrix(py, v, np, c);
    d.set_item("edges", labels)?;
    d.set_item("cross_sections", PyArray1::from_vec(py, sections))?;
    d.set_item("signal", m2(sig, ne)?)?;
    d.set_item("signal_stderr", m2(sigs, ne)?)?;
    if low.is_some() {
        d.set_item("areal_density", m2(den, ne)?)?;
        d.set_item("areal_density_stderr", m2(dens, ne)?)?;
    }
    d.set_item("ratio_labels", ratio_labels)?;
    d.set_item("ratios", m2(rat, nr)?)?;
    d.set_item("ratios_stderr", m2(rats, nr)?)?;
    d.set_item("failures", failures(py, &failed)?)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_edge_cross_section, m)?)?;
    m.add_function(wrap_pyfunction!(_quantify_edges, m)?)?;
    m.add_function(wrap_pyfunction!(_edge_dsigma_de, m)?)?;
    m.add_function(wrap_pyfunction!(_eels_thickness, m)?)?;
    m.add_function(wrap_pyfunction!(_zlp_centres, m)?)?;
    m.add_function(wrap_pyfunction!(_align_zlp, m)?)?;
    m.add_function(wrap_pyfunction!(_fourier_log, m)?)?;
    m.add_function(wrap_pyfunction!(_fourier_ratio, m)?)?;
    m.add_function(wrap_pyfunction!(_mean_free_path, m)?)?;
    m.add_function(wrap_pyfunction!(_effective_z, m)?)?;
    m.add_function(wrap_pyfunction!(_mlls, m)?)?;
    Ok(())
}
