//! Formulas, molar masses, densities, LLTO stoichiometry
//! (`interphase.materials`).

use interphase::materials::Formula as RsFormula;
use interphase::materials::density::{Archimedes, Lattice, theoretical_density as rs_density};
use interphase::materials::llto::Llto as RsLlto;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::err;

/// A chemical formula (`Li0.33La0.56TiO3`, `(NH4)2SO4`, `CuSO4·5H2O`),
/// elements with possibly fractional amounts.
#[pyclass(module = "interphase._core", frozen)]
pub struct Formula {
    formula: RsFormula,
}

#[pymethods]
impl Formula {
    #[new]
    fn new(text: &str) -> PyResult<Formula> {
        Ok(Formula {
            formula: RsFormula::parse(text).map_err(err)?,
        })
    }

    /// Molar mass M = Σ nᵢAᵢ, g/mol (IUPAC 2021 abridged atomic weights).
    #[getter]
    fn molar_mass(&self) -> f64 {
        self.formula.molar_mass()
    }

    /// Standard uncertainty of the molar mass, g/mol.
    #[getter]
    fn molar_mass_uncertainty(&self) -> f64 {
        self.formula.molar_mass_uncertainty()
    }

    /// Amounts per formula unit, element symbol → amount (formula order).
    #[getter]
    fn amounts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (e, n) in self.formula.amounts() {
            d.set_item(e.symbol(), n)?;
        }
        Ok(d)
    }

    /// Mass fractions, element symbol → fraction (sums to 1).
    #[getter]
    fn mass_fractions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (e, w) in self.formula.mass_fractions() {
            d.set_item(e.symbol(), w)?;
        }
        Ok(d)
    }

    fn __str__(&self) -> String {
        self.formula.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Formula('{}')", self.formula)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        (py.get_type::<Formula>(), (self.formula.to_string(),)).into_pyobject(py)
    }
}

/// The cell from lattice parameters (Å, degrees): cubic when only `a` is
/// given, otherwise the general (triclinic) formula.
fn lattice(a: f64, b: Option<f64>, c: Option<f64>, angles: (f64, f64, f64)) -> PyResult<Lattice> {
    let l = match (b, c, angles) {
        (None, None, (90.0, 90.0, 90.0)) => Lattice::Cubic { a },
        _ => Lattice::Triclinic {
            a,
            b: b.unwrap_or(a),
            c: c.unwrap_or(a),
            alpha: angles.0,
            beta: angles.1,
            gamma: angles.2,
        },
    };
    l.validated().map_err(err)
}

/// Theoretical (X-ray) density ρ = Z·M/(N_A·V), g/cm³, for a formula and a
/// cell (a, b, c in Å; angles in degrees; b and c default to a) with `z`
/// formula units per cell.
#[pyfunction]
#[pyo3(signature = (formula, a, b=None, c=None, alpha=90.0, beta=90.0, gamma=90.0, z=1.0))]
#[allow(clippy::too_many_arguments)]
fn theoretical_density(
    formula: &Formula,
    a: f64,
    b: Option<f64>,
    c: Option<f64>,
    alpha: f64,
    beta: f64,
    gamma: f64,
    z: f64,
) -> PyResult<f64> {
    let l = lattice(a, b, c, (alpha, beta, gamma))?;
    rs_density(&formula.formula, &l, z).map_err(err)
}

/// Archimedes (buoyancy) density, ASTM C373 / ISO 18754: masses in g,
/// liquid density in g/cm³, standard uncertainties of each weighing and of
/// the liquid density. A dict: `bulk_density` and `apparent_density` (g/cm³)
/// and `open_porosity` (fraction), each `(value, uncertainty)`, and
/// `absorption` (fraction).
#[pyfunction]
#[pyo3(signature = (dry, suspended, saturated, liquid_density, balance_uncertainty=0.0001, liquid_density_uncertainty=0.0))]
fn archimedes<'py>(
    py: Python<'py>,
    dry: f64,
    suspended: f64,
    saturated: f64,
    liquid_density: f64,
    balance_uncertainty: f64,
    liquid_density_uncertainty: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = Archimedes {
        dry_g: dry,
        suspended_g: suspended,
        saturated_g: saturated,
        liquid_density_g_cm3: liquid_density,
        balance_uncertainty_g: balance_uncertainty,
        liquid_density_uncertainty_g_cm3: liquid_density_uncertainty,
    }
    .evaluate()
    .map_err(err)?;
    let d = PyDict::new(py);
    let m = |v: interphase::materials::density::Measured| (v.value, v.uncertainty);
    d.set_item("bulk_density", m(r.bulk_density_g_cm3))?;
    d.set_item("apparent_density", m(r.apparent_density_g_cm3))?;
    d.set_item("open_porosity", m(r.open_porosity))?;
    d.set_item("absorption", r.absorption)?;
    Ok(d)
}

/// LLTO, Li₃ₓLa₂/₃₋ₓTiO₃ (0 ≤ x ≤ 1/6), optionally reduced by Li insertion
/// `y` or oxygen loss `delta` (each turning Ti⁴⁺ into Ti³⁺).
#[pyclass(module = "interphase._core", frozen)]
pub struct Llto {
    llto: RsLlto,
}

#[pymethods]
impl Llto {
    #[new]
    #[pyo3(signature = (x, y=0.0, delta=0.0))]
    fn new(x: f64, y: f64, delta: f64) -> PyResult<Llto> {
        let mut l = RsLlto::from_x(x).map_err(err)?;
        if y != 0.0 {
            l = l.with_li_insertion(y).map_err(err)?;
        }
        if delta != 0.0 {
            l = l.with_oxygen_loss(delta).map_err(err)?;
        }
        Ok(Llto { llto: l })
    }

    /// x of Li₃ₓLa₂/₃₋ₓTiO₃.
    #[getter]
    fn x(&self) -> f64 {
        self.llto.x()
    }

    /// The formula.
    #[getter]
    fn formula(&self) -> Formula {
        Formula {
            formula: self.llto.formula(),
        }
    }

    /// Ti³⁺/(Ti³⁺ + Ti⁴⁺).
    #[getter]
    fn ti3_fraction(&self) -> f64 {
        self.llto.ti3_fraction()
    }

    /// A-site vacancies per formula unit.
    #[getter]
    fn vacancies(&self) -> f64 {
        self.llto.vacancies()
    }

    /// Theoretical density (g/cm³) for a cubic cell of side `a` (Å) with `z`
    /// formula units.
    #[pyo3(signature = (a, z=1.0))]
    fn theoretical_density(&self, a: f64, z: f64) -> PyResult<f64> {
        let l = Lattice::cubic(a).map_err(err)?;
        self.llto.theoretical_density(&l, z).map_err(err)
    }

    fn __repr__(&self) -> String {
        format!(
            "Llto(x={}, formula='{:.4}')",
            self.llto.x(),
            self.llto.formula()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let s = PyModule::new(m.py(), "materials")?;
    s.add_function(wrap_pyfunction!(theoretical_density, &s)?)?;
    s.add_function(wrap_pyfunction!(archimedes, &s)?)?;
    m.add_submodule(&s)?;
    m.add_class::<Formula>()?;
    m.add_class::<Llto>()?;
    Ok(())
}
