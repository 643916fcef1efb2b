//! The LLTO interface analysis across crate seams: XPS Ti 2p fits → Ti³⁺
//! fraction → Li insertion y → composition and density; EELS ΔE series →
//! a Table-S1-shaped table; impedance fits of a pellet and a Li|LLTO|Li cell →
//! bulk, grain-boundary and interface resistances, conductivities and
//! capacitances; Archimedes density → Table S2.
//!
//! A dataset is a directory with a `sample.toml` naming its files (see
//! `data/llto/` and [`super::synthetic::SAMPLE_TOML`]); [`analyse_dir`] reads
//! and analyses it, [`LltoReport`] prints its tables and writes an HTML report
//! with the figures.
//!
//! ```no_run
//! use interphase::workflows::llto;
//! let report = llto::analyse_dir("data/llto".as_ref())?;
//! println!("{report}");
//! let index = report.write_html("target/llto-report".as_ref())?;
//! # Ok::<(), interphase::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use interphase_eis::conductivity::{
    Assignment, Geometry, Value, assign_by_capacitance, capacitance_zarc,
};
use interphase_eis::drt::{DrtOptions, DrtResult, DrtWeighting, drt};
use interphase_eis::drt_bands::{DrtBandOptions, DrtBands, drt_bands};
use interphase_eis::drt_fit::{ProcessFit, ProcessOptions, fit_processes};
use interphase_eis::fit::{CircuitFit, FitOptions, Weighting, fit_circuit};
use interphase_eis::kk::{KkFit, KkOptions, KkResult, KkScanPoint, KkSelect, kk_scan, lin_kk};
use interphase_eis::zhit::{ZhitOptions, ZhitResult};
use interphase_eis::{Circuit, ImpedanceSpectrum};
use interphase_materials::density::{
    Archimedes, Lattice, Measured, relative_density, water_density_kg_m3,
};
use interphase_materials::llto::Llto;
use interphase_plot::{
    Figure, FitFigure, Series, XyPlot, bode, nyquist, nyquist_zoom, spectrum_fit,
};
use interphase_spectra::Spectrum;
use interphase_spectra::eels::{self, MllsOptions, Threshold, delta_e, subtract_power_law};
use interphase_spectra::model::{Estimate, PeakFit, PeakFitOptions, PeakModel, PeakWeighting};
use interphase_spectra::table::Table;
use serde::Deserialize;

use crate::error::{Error, Result, io_err};

/// The DRT peaks the report lists and marks: those holding more than this
/// fraction of the polarization resistance (smaller ones are ripples of the
/// regularisation).
const DRT_PEAK_FRACTION: f64 = 0.05;

/// Samples of the DRT's credible bands (a quarter of them burn-in): half of
/// pyDRTtools' 2000, which moves R_pol's posterior mean by less than a
/// tenth of its σ.
pub const DRT_BAND_SAMPLES: usize = 1000;

/// Points of the Savitzky–Golay filter that smooths the phase before Z-HIT.
pub const ZHIT_SMOOTHING: usize = 7;

/// `sample.toml`: what to read and how to interpret it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// x of Li₃ₓLa₂/₃₋ₓTiO₃.
    pub composition_x: f64,
    /// Pseudo-cubic lattice parameter, Å.
    pub lattice_a_angstrom: f64,
    /// Formula units per cell (1 for the pseudo-cubic perovskite cell).
    pub formula_units_per_cell: f64,
    /// XPS Ti 2p depth/condition series.
    pub xps: XpsSettings,
    /// EELS depth/condition series.
    pub eels: EelsSettings,
    /// EELS line scan across the interface (optional).
    #[serde(default)]
    pub eels_linescan: Option<LinescanSettings>,
    /// EELS Ti L₂,₃ map of the interface region (optional).
    #[serde(default)]
    pub eels_map: Option<MapSettings>,
    /// Impedance of the pellet with blocking electrodes.
    pub pellet: EisSettings,
    /// Impedance of the symmetric Li|LLTO|Li cell.
    pub cell: EisSettings,
    /// Archimedes density measurements.
    pub density: DensitySettings,
}

/// XPS settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XpsSettings {
    /// Delimited file: binding energy then one column per `<condition>/<depth>`.
    pub file: String,
    /// Peak model file (TOML or JSON).
    pub model: String,
    /// The Ti³⁺ peak's name in the model.
    pub ti3_peak: String,
    /// The Ti⁴⁺ peak's name in the model.
    pub ti4_peak: String,
}

/// EELS settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EelsSettings {
    /// Delimited file: energy loss then one column per `<condition>/<depth>`.
    pub file: String,
    /// Peak model of the features after power-law subtraction.
    pub model: String,
    /// Power-law pre-edge window, eV.
    pub power_law_window: [f64; 2],
    /// Fitted range, eV.
    pub fit_range: [f64; 2],
    /// ΔE = center(`to`) − center(`from`).
    pub from: String,
    /// See `from`.
    pub to: String,
}

/// EELS line-scan settings: per position a core-loss and a low-loss
/// spectrum (columns named `<distance> nm`), Ti³⁺/Ti⁴⁺ references.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinescanSettings {
    /// Core-loss file: energy loss then one column per position.
    pub file: String,
    /// Low-loss file with the same columns (zero-loss peak included).
    pub low_loss: String,
    /// Ti³⁺ and Ti⁴⁺ L₂,₃ reference files (background-free, equal area).
    pub references: [String; 2],
    /// Power-law pre-edge window, eV.
    pub power_law_window: [f64; 2],
    /// MLLS window, eV.
    pub window: [f64; 2],
}

/// EELS map settings: a core-loss spectrum image stored as one column per
/// pixel, named `y<row> x<column>`, row by row (x fastest), and the Ti³⁺/Ti⁴⁺
/// references.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// Core-loss file: energy loss then one column per pixel.
    pub file: String,
    /// Pixels: rows, columns.
    pub shape: [usize; 2],
    /// Ti³⁺ and Ti⁴⁺ L₂,₃ reference files (background-free, equal area).
    pub references: [String; 2],
    /// Power-law pre-edge window, eV.
    pub power_law_window: [f64; 2],
    /// MLLS window, eV.
    pub window: [f64; 2],
}

/// Impedance settings of one sample.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EisSettings {
    /// Impedance file (CSV, .mpt, .DTA, .z).
    pub file: String,
    /// Circuit in impedance.py syntax.
    pub circuit: String,
    /// Thickness, mm.
    pub thickness_mm: f64,
    /// Electrode diameter, mm.
    pub diameter_mm: f64,
    /// The bulk resistance's parameter name.
    pub bulk: String,
    /// Grain boundary: resistance and CPE element names.
    pub grain_boundary: Option<[String; 2]>,
    /// Electrode interface (symmetric cell, two interfaces): resistance and CPE.
    pub interface: Option<[String; 2]>,
    /// Residual weighting: "unit", "proportional" (default: relative errors,
    /// right for noise proportional to |Z|) or "modulus".
    #[serde(default = "proportional")]
    pub weighting: Weighting,
    /// Add a series capacitance to the Lin-KK model (blocking electrodes; default false).
    #[serde(default)]
    pub kk_add_capacitance: bool,
}

fn proportional() -> Weighting {
    Weighting::Proportional
}

/// Density settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DensitySettings {
    /// CSV: sample, dry_g, suspended_g, saturated_g, water_temperature_c.
    pub file: String,
    /// Standard uncertainty of each weighing, g.
    pub balance_uncertainty_g: f64,
}

impl Settings {
    /// Parses `sample.toml` text.
    pub fn from_toml(text: &str) -> Result<Settings> {
        toml::from_str(text).map_err(|e| Error::Data(format!("sample.toml: {e}")))
    }
}

/// One fitted spectrum of a series. `Display` prints the condition and
/// depth, then the [`PeakFit`] report.
///
/// ```no_run
/// use interphase::workflows::llto;
/// let report = llto::analyse_dir("data/llto".as_ref())?;
/// for s in &report.xps {
///     println!("{s}"); // [[150 °C, 1 nm]], then the peak fit's report
/// }
/// # Ok::<(), interphase::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesFit {
    /// Condition (e.g. "150 °C").
    pub condition: String,
    /// Depth (e.g. "1 nm").
    pub depth: String,
    /// The fit.
    pub fit: PeakFit,
}

impl fmt::Display for SeriesFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "[[{}, {}]]", self.condition, self.depth)?;
        write!(f, "{}", self.fit)
    }
}

/// A quantity of an impedance analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct EisQuantity {
    /// What it is.
    pub name: String,
    /// Value and standard error.
    pub value: Value,
    /// Unit.
    pub unit: &'static str,
}

/// The impedance analysis of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct EisAnalysis {
    /// Sample name ("pellet", "cell").
    pub name: String,
    /// The data.
    pub data: ImpedanceSpectrum,
    /// The circuit fit (automatic initial guesses).
    pub fit: CircuitFit,
    /// Geometry.
    pub geometry: Geometry,
    /// Derived quantities in report order.
    pub quantities: Vec<EisQuantity>,
    /// Arc assignments by capacitance: (arc, effective C in F, assignment).
    pub assignments: Vec<(String, f64, Assignment)>,
    /// Lin-KK test with 5 elements per decade of frequency (complex fit).
    pub kk: KkResult,
    /// Z-HIT: |Z| reconstructed from the phase, smoothed by a quadratic
    /// Savitzky–Golay filter over [`ZHIT_SMOOTHING`] points, offset fitted
    /// over 1 Hz – 1 kHz.
    pub zhit: ZhitResult,
    /// Distribution of relaxation times (GCV, modulus weights); `None` for
    /// blocking electrodes (`kk_add_capacitance`), whose capacitive tail has
    /// no DC limit and so no finite DRT.
    pub drt: Option<DrtResult>,
    /// The Lin-KK M-scan (μ, pseudo-χ² and the largest residual for M = 1 …
    /// twice the M used, at most 100; the same complex fit).
    pub kk_scan: Vec<KkScanPoint>,
    /// The DRT's Bayesian credible bands ([`drt_bands`], [`DRT_BAND_SAMPLES`]
    /// samples, seed 1): the 99 % band of γ and the posterior of R_pol and
    /// of each peak's R; `None` where there is no DRT.
    pub drt_bands: Option<DrtBands>,
    /// One R‖CPE process per DRT peak fitted to the data, with standard
    /// errors ([`interphase_eis::drt_fit::fit_processes`], up to 4); `None`
    /// where there is no DRT.
    pub processes: Option<ProcessFit>,
}

impl EisAnalysis {
    /// A quantity by name.
    pub fn quantity(&self, name: &str) -> Option<Value> {
        self.quantities
            .iter()
            .find(|q| q.name == name)
            .map(|q| q.value)
    }
}

/// One row of the density table (Table S2).
#[derive(Debug, Clone, PartialEq)]
pub struct DensityRow {
    /// Sample name.
    pub sample: String,
    /// Archimedes bulk density, g cm⁻³.
    pub bulk: Measured,
    /// Open porosity, fraction.
    pub open_porosity: Measured,
    /// Theoretical (X-ray) density of the nominal composition, g cm⁻³.
    pub theoretical: f64,
    /// Relative density.
    pub relative: Measured,
}

/// The EELS line scan's profiles, one row per position (`<distance> nm`).
#[derive(Debug, Clone, PartialEq)]
pub struct Linescan {
    /// Distance of each position from the Li contact, nm.
    pub distance_nm: Vec<f64>,
    /// Log-ratio t/λ (automatic elastic threshold), σ from counting statistics.
    pub thickness: Table,
    /// Ti³⁺ fraction by MLLS of the references, σ from the full covariance.
    pub ti3_fraction: Table,
    /// The MLLS reduced χ² of each position (no uncertainty).
    pub redchi: Vec<f64>,
}

/// The EELS Ti L₂,₃ map: per pixel, power-law subtraction and MLLS of the
/// Ti³⁺/Ti⁴⁺ references with a linear background.
#[derive(Debug, Clone, PartialEq)]
pub struct EelsMap {
    /// Ti³⁺ fraction per pixel (row-major) with its standard error from the
    /// full covariance; failed pixels are NaN and listed in `failures`.
    pub ti3_fraction: eels::Map,
    /// MLLS reduced χ² per pixel (no uncertainty).
    pub redchi: eels::Map,
}

/// Everything the analysis produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LltoReport {
    /// The settings used.
    pub settings: Settings,
    /// Nominal composition.
    pub composition: Llto,
    /// XPS fits in file order.
    pub xps: Vec<SeriesFit>,
    /// Ti³⁺/(Ti³⁺ + Ti⁴⁺), depth × condition.
    pub ti3_fraction: Table,
    /// Li inserted per formula unit y (= the Ti³⁺ fraction: one Ti per formula unit).
    pub li_insertion: Table,
    /// Theoretical density of the reduced composition Li₃ₓ₊ᵧLa₂/₃₋ₓTiO₃ (g cm⁻³, lattice unchanged).
    pub reduced_density: Table,
    /// EELS fits in file order.
    pub eels: Vec<SeriesFit>,
    /// ΔE (eV), depth × condition (Table S1's shape).
    pub delta_e: Table,
    /// Pellet impedance.
    pub pellet: EisAnalysis,
    /// Symmetric-cell impedance.
    pub cell: EisAnalysis,
    /// EELS line scan: t/λ and Ti³⁺ fraction by distance from the Li contact.
    pub linescan: Option<Linescan>,
    /// EELS Ti³⁺ map (when the settings have one).
    pub eels_map: Option<EelsMap>,
    /// Density table (Table S2's shape).
    pub density: Vec<DensityRow>,
    /// The same theoretical density for the formula with its amounts rounded
    /// to two decimals, as papers print it (Table S2: Li0.33La0.56TiO3,
    /// 5.021 g/cm³): (formula, g/cm³).
    pub rounded_formula_density: (String, f64),
}

/// A dataset file as text, refusing files over 256 MiB (the spectra readers'
/// limit) before reading them.
fn read_to_string(path: &Path) -> Result<String> {
    let len = std::fs::metadata(path).map_err(|e| io_err(path, e))?.len();
    if len > 256 << 20 {
        return Err(io_err(
            path,
            format!("{len} bytes is more than the 256 MiB limit"),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| io_err(path, e))
}

/// Splits a column name `<condition>/<depth>`.
fn split_name(name: &str, file: &str) -> Result<(String, String)> {
    match name.rsplit_once('/') {
        Some((c, d)) if !c.trim().is_empty() && !d.trim().is_empty() => {
            Ok((c.trim().to_string(), d.trim().to_string()))
        }
        _ => Err(Error::Data(format!(
            "{file}: column `{name}` is not named `<condition>/<depth>`"
        ))),
    }
}

/// Row (depth) and column (condition) labels in first-appearance order.
fn labels(names: &[(String, String)]) -> (Vec<String>, Vec<String>) {
    let (mut rows, mut cols): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (c, d) in names {
        if !cols.contains(c) {
            cols.push(c.clone());
        }
        if !rows.contains(d) {
            rows.push(d.clone());
        }
    }
    (rows, cols)
}

fn table(title: &str, rows: &[String], cols: &[String]) -> Table {
    let r: Vec<&str> = rows.iter().map(String::as_str).collect();
    let c: Vec<&str> = cols.iter().map(String::as_str).collect();
    Table::new(title, &r, &c)
}

/// A depth × condition series read from one file.
struct SeriesData {
    /// (condition, depth) of each spectrum, in file order.
    names: Vec<(String, String)>,
    /// Depth labels (table rows) and condition labels (table columns).
    rows: Vec<String>,
    cols: Vec<String>,
    spectra: Vec<Spectrum>,
}

fn read_series(dir: &Path, file: &str) -> Result<SeriesData> {
    let spectra = interphase_io::read_spectra(dir.join(file))?;
    let names = spectra
        .iter()
        .map(|s| split_name(&s.meta.name, file))
        .collect::<Result<Vec<_>>>()?;
    let (rows, cols) = labels(&names);
    Ok(SeriesData {
        names,
        rows,
        cols,
        spectra,
    })
}

/// Reads `dir/sample.toml` and everything it names, and analyses it.
pub fn analyse_dir(dir: &Path) -> Result<LltoReport> {
    let settings = Settings::from_toml(&read_to_string(&dir.join("sample.toml"))?)?;
    analyse(dir, settings)
}

/// Analyses the dataset in `dir` with `settings` (paths relative to `dir`).
pub fn analyse(dir: &Path, settings: Settings) -> Result<LltoReport> {
    let composition = Llto::from_x(settings.composition_x)?;
    let lattice = Lattice::cubic(settings.lattice_a_angstrom)?;

    // XPS: Ti 2p fits, Ti³⁺ fraction, Li insertion, reduced density
    let xs = &settings.xps;
    let model = PeakModel::from_path(dir.join(&xs.model))?;
    let SeriesData {
        names,
        rows,
        cols,
        spectra,
    } = read_series(dir, &xs.file)?;
    let opts = PeakFitOptions {
        weighting: PeakWeighting::Poisson,
        ..PeakFitOptions::default()
    };
    let fits = model.fit_many(&spectra, &opts);
    let mut ti3_fraction = table("Ti³⁺ / (Ti³⁺ + Ti⁴⁺) from XPS Ti 2p", &rows, &cols);
    let mut li_insertion = table("Li inserted per formula unit, y", &rows, &cols);
    let mut reduced_density = table(
        "theoretical density of Li(3x+y)La(2/3-x)TiO3, g/cm³",
        &rows,
        &cols,
    );
    let mut xps = Vec::new();
    for ((c, d), fit) in names.iter().zip(fits) {
        let fit = fit.map_err(|e| Error::Data(format!("XPS {c}/{d}: {e}")))?;
        let (t3, t4) = (xs.ti3_peak.as_str(), xs.ti4_peak.as_str());
        let f = fit
            .area_fraction(&[t3], &[t3, t4])
            .map_err(|e| Error::Data(format!("XPS {c}/{d}: Ti³⁺ fraction: {e}")))?;
        ti3_fraction.set(d, c, f)?;
        let y = composition
            .li_insertion_from_ti3_fraction(f.value.clamp(0.0, 1.0), f.stderr.unwrap_or(0.0))?;
        li_insertion.set(
            d,
            c,
            Estimate {
                value: y.value,
                stderr: Some(y.uncertainty),
            },
        )?;
        let density = |y: f64| {
            composition
                .with_li_insertion(y)?
                .theoretical_density(&lattice, settings.formula_units_per_cell)
        };
        let rho = density(y.value)?;
        // σ_ρ = |dρ/dy| σ_y (the lattice is held fixed), by a central difference
        let h = (1e-3 * y.uncertainty).max(1e-9);
        let slope = if y.value > h {
            (density(y.value + h)? - density(y.value - h)?) / (2.0 * h)
        } else {
            (density(y.value + h)? - rho) / h
        };
        reduced_density.set(
            d,
            c,
            Estimate {
                value: rho,
                stderr: Some(slope.abs() * y.uncertainty),
            },
        )?;
        xps.push(SeriesFit {
            condition: c.clone(),
            depth: d.clone(),
            fit,
        });
    }

    // EELS: power-law subtraction, feature fits, ΔE
    let es = &settings.eels;
    let model = PeakModel::from_path(dir.join(&es.model))?;
    let SeriesData {
        names,
        rows,
        cols,
        spectra,
    } = read_series(dir, &es.file)?;
    let mut nets = Vec::new();
    for ((c, d), s) in names.iter().zip(&spectra) {
        let (net, _) = subtract_power_law(s, (es.power_law_window[0], es.power_law_window[1]))
            .map_err(|e| Error::Data(format!("EELS {c}/{d}: {e}")))?;
        nets.push(net.crop(es.fit_range[0], es.fit_range[1])?);
    }
    let fits = model.fit_many(&nets, &PeakFitOptions::default());
    let mut de = table(
        &format!("ΔE = E({}) − E({}), eV, from EELS", es.to, es.from),
        &rows,
        &cols,
    );
    let mut eels = Vec::new();
    for ((c, d), fit) in names.iter().zip(fits) {
        let fit = fit.map_err(|e| Error::Data(format!("EELS {c}/{d}: {e}")))?;
        de.set(d, c, delta_e(&fit, &es.from, &es.to)?)?;
        eels.push(SeriesFit {
            condition: c.clone(),
            depth: d.clone(),
            fit,
        });
    }

    let linescan = match &settings.eels_linescan {
        Some(ls) => Some(analyse_linescan(dir, ls)?),
        None => None,
    };

    let eels_map = match &settings.eels_map {
        Some(ms) => Some(analyse_map(dir, ms)?),
        None => None,
    };

    let pellet = analyse_eis(dir, "pellet", &settings.pellet)?;
    let cell = analyse_eis(dir, "cell", &settings.cell)?;

    // density: Archimedes → Table S2
    let theoretical = composition.theoretical_density(&lattice, settings.formula_units_per_cell)?;
    let density = read_density(dir, &settings.density, theoretical)?;
    let rounded = format!("{:.2}", composition.formula());
    let rounded_formula_density = (
        rounded.clone(),
        interphase_materials::density::theoretical_density(
            &rounded.parse()?,
            &lattice,
            settings.formula_units_per_cell,
        )?,
    );

    Ok(LltoReport {
        settings,
        composition,
        xps,
        ti3_fraction,
        li_insertion,
        reduced_density,
        eels,
        delta_e: de,
        pellet,
        cell,
        linescan,
        eels_map,
        density,
        rounded_formula_density,
    })
}

/// Distance (nm) from a column named `<distance> nm`.
fn distance_of(name: &str, file: &str) -> Result<f64> {
    name.trim()
        .strip_suffix("nm")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            Error::Data(format!(
                "{file}: column `{name}` is not named `<distance> nm` (e.g. `3.5 nm`)"
            ))
        })
}

/// The EELS line scan: log-ratio t/λ from each low-loss spectrum; power-law
/// subtraction and MLLS of the two references over the window (a linear
/// background beside them) for the Ti³⁺ fraction of each core-loss spectrum.
fn analyse_linescan(dir: &Path, ls: &LinescanSettings) -> Result<Linescan> {
    let core = interphase_io::read_spectra(dir.join(&ls.file))?;
    let low = interphase_io::read_spectra(dir.join(&ls.low_loss))?;
    if core.is_empty() || core.len() != low.len() {
        return Err(Error::Data(format!(
            "{} holds {} spectra and {} holds {}: one low-loss spectrum per core-loss spectrum is needed",
            ls.file,
            core.len(),
            ls.low_loss,
            low.len()
        )));
    }
    let mut distance = Vec::with_capacity(core.len());
    let mut rows = Vec::with_capacity(core.len());
    for (c, l) in core.iter().zip(&low) {
        if c.meta.name.trim() != l.meta.name.trim() {
            return Err(Error::Data(format!(
                "line scan: core-loss column `{}` and low-loss column `{}` differ (the files must list the same positions in the same order)",
                c.meta.name, l.meta.name
            )));
        }
        distance.push(distance_of(&c.meta.name, &ls.file)?);
        rows.push(c.meta.name.trim().to_string());
    }
    let refs: Vec<Spectrum> = ls
        .references
        .iter()
        .map(|f| read_reference(dir, f))
        .collect::<Result<_>>()?;
    let r: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut thickness = Table::new("t/λ along the line scan (log-ratio)", &r, &["t/λ"]);
    let mut ti3 = Table::new(
        "Ti³⁺ fraction along the line scan (MLLS of Ti³⁺/Ti⁴⁺ references)",
        &r,
        &["Ti³⁺ fraction"],
    );
    let mut redchi = Vec::with_capacity(core.len());
    let (w0, w1) = (ls.window[0], ls.window[1]);
    for ((c, l), row) in core.iter().zip(&low).zip(&rows) {
        let t = eels::log_ratio_thickness_auto(l.x(), l.y(), Threshold::default())
            .map_err(|e| Error::Data(format!("{} {row}: {e}", ls.low_loss)))?;
        thickness.set(row, "t/λ", t.t_over_lambda)?;
        let (net, _) = subtract_power_law(c, (ls.power_law_window[0], ls.power_law_window[1]))
            .map_err(|e| Error::Data(format!("{} {row}: {e}", ls.file)))?;
        let net = net.crop(w0, w1)?;
        let on_axis: Vec<Vec<f64>> = refs
            .iter()
            .zip(&ls.references)
            .map(|(r, f)| {
                eels::interpolate(r.x(), r.y(), net.x())
                    .map_err(|e| Error::Data(format!("{f}: {e}")))
            })
            .collect::<Result<_>>()?;
        let fit = eels::mlls(
            net.x(),
            net.y(),
            &[("Ti3+", &on_axis[0]), ("Ti4+", &on_axis[1])],
            &MllsOptions {
                background_terms: 2,
                ..MllsOptions::default()
            },
        )
        .map_err(|e| Error::Data(format!("{} {row}: {e}", ls.file)))?;
        ti3.set(row, "Ti³⁺ fraction", fit.fractions[0])?;
        redchi.push(fit.redchi);
    }
    Ok(Linescan {
        distance_nm: distance,
        thickness,
        ti3_fraction: ti3,
        redchi,
    })
}

/// The first spectrum of a reference file.
fn read_reference(dir: &Path, f: &str) -> Result<Spectrum> {
    interphase_io::read_spectra(dir.join(f))?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Data(format!("{f}: no spectrum")))
}

/// The EELS map: the pixel columns checked against the shape and their
/// `y<row> x<column>` names, then per pixel (in parallel) the power law fitted
/// over the pre-edge window and subtracted, and MLLS of the two references
/// over the window with a linear background. A pixel that fails is NaN in the
/// maps and listed; the others keep their results.
fn analyse_map(dir: &Path, ms: &MapSettings) -> Result<EelsMap> {
    let [ny, nx] = ms.shape;
    let spectra = interphase_io::read_spectra(dir.join(&ms.file))?;
    if ny == 0 || nx == 0 || spectra.len() != ny * nx {
        return Err(Error::Data(format!(
            "{}: {} pixel columns for a {ny} × {nx} map (shape in the settings)",
            ms.file,
            spectra.len()
        )));
    }
    for (p, s) in spectra.iter().enumerate() {
        let want = format!("y{} x{}", p / nx, p % nx);
        if s.meta.name.trim() != want {
            return Err(Error::Data(format!(
                "{}: column {} is `{}` where pixel `{want}` belongs (columns row by row, x fastest)",
                ms.file,
                p + 2,
                s.meta.name
            )));
        }
    }
    let img = eels::SpectrumImage::from_spectra(&spectra, (ny, nx))?;
    // the MLLS window's channels, where the references must reach
    let (w0, w1) = (ms.window[0], ms.window[1]);
    let e = img.energy();
    let lo = e.partition_point(|&v| v < w0);
    let hi = e.partition_point(|&v| v <= w1);
    if hi < lo + 4 {
        return Err(Error::Data(format!(
            "{}: the MLLS window {w0}–{w1} eV holds {} channels of the map's axis",
            ms.file,
            hi.saturating_sub(lo)
        )));
    }
    let axis = &e[lo..hi];
    let refs: Vec<Vec<f64>> = ms
        .references
        .iter()
        .map(|f| {
            let r = read_reference(dir, f)?;
            eels::interpolate(r.x(), r.y(), axis).map_err(|e| Error::Data(format!("{f}: {e}")))
        })
        .collect::<Result<_>>()?;
    let design = eels::MllsDesign::new(
        axis,
        &[("Ti3+", &refs[0]), ("Ti4+", &refs[1])],
        &MllsOptions {
            background_terms: 2,
            ..MllsOptions::default()
        },
    )
    .map_err(|e| Error::Data(format!("{}: {e}", ms.file)))?;
    let pl = (ms.power_law_window[0], ms.power_law_window[1]);
    let fits = img.map(|e, y| {
        let law = eels::power_law_fit_xy(e, y, pl)?;
        let net: Vec<f64> = (lo..hi).map(|i| y[i] - law.eval(e[i])).collect();
        design.fit(&net)
    });
    let pick = |f: &dyn Fn(&eels::MllsFit) -> Estimate| {
        let r = fits
            .iter()
            .map(|r| r.as_ref().map(f).map_err(Clone::clone))
            .collect();
        eels::Map::from_results((ny, nx), r)
    };
    Ok(EelsMap {
        ti3_fraction: pick(&|f| f.fractions[0]),
        redchi: pick(&|f| Estimate {
            value: f.redchi,
            stderr: None,
        }),
    })
}

fn param(fit: &CircuitFit, name: &str) -> Result<Value> {
    let v = fit.value(name).ok_or_else(|| {
        Error::Data(format!(
            "circuit {} has no parameter `{name}` (parameters: {})",
            fit.circuit,
            fit.circuit.parameter_names().join(", ")
        ))
    })?;
    Ok(match fit.stderr(name) {
        Some(e) => Value::new(v, e),
        None => Value::unknown_error(v),
    })
}

/// A quantity computed from fitted parameters, with σ from the fit's full
/// covariance (correlations included; NaN when the fit has none).
fn derived(fit: &CircuitFit, names: &[&str], f: impl Fn(&[f64]) -> f64) -> Result<Value> {
    let d = fit
        .result
        .derived(names, f)
        .map_err(|e| Error::Data(format!("circuit {}: {e}", fit.circuit)))?;
    Ok(match d.stderr {
        Some(e) => Value::new(d.value, e),
        None => Value::unknown_error(d.value),
    })
}

fn analyse_eis(dir: &Path, name: &str, s: &EisSettings) -> Result<EisAnalysis> {
    let data = interphase_io::read_impedance_spectrum(dir.join(&s.file))?;
    let circuit: Circuit = s.circuit.parse()?;
    let opts = FitOptions {
        weighting: s.weighting.clone(),
        ..FitOptions::default()
    };
    let fit = fit_circuit(&circuit, &data, None, &opts)?;
    let g = Geometry::disc_mm(s.thickness_mm, s.diameter_mm)?;
    let mut q = Vec::new();
    let mut assignments = Vec::new();
    let rb = param(&fit, &s.bulk)?;
    q.push(EisQuantity {
        name: "R bulk".into(),
        value: rb,
        unit: "Ω",
    });
    q.push(EisQuantity {
        name: "σ bulk".into(),
        value: g.conductivity(rb)?,
        unit: "S/cm",
    });
    let mut arc = |label: &str, pair: &[String; 2], q: &mut Vec<EisQuantity>| -> Result<Value> {
        let r = param(&fit, &pair[0])?;
        let (qn, an) = (format!("{}.Q", pair[1]), format!("{}.alpha", pair[1]));
        // C = (R Q)^(1/α) / R with σ from the covariance of R, Q and α
        let c = derived(&fit, &[&pair[0], &qn, &an], |p| {
            capacitance_zarc(p[0], p[1], p[2]).unwrap_or(f64::NAN)
        })?;
        assignments.push((
            label.to_string(),
            c.value,
            assign_by_capacitance(c.value, &g)?,
        ));
        q.push(EisQuantity {
            name: format!("R {label}"),
            value: r,
            unit: "Ω",
        });
        q.push(EisQuantity {
            name: format!("C {label}"),
            value: c,
            unit: "F",
        });
        Ok(r)
    };
    if let Some(gb) = &s.grain_boundary {
        let r = arc("grain boundary", gb, &mut q)?;
        q.push(EisQuantity {
            name: "σ grain boundary".into(),
            value: g.conductivity(r)?,
            unit: "S/cm",
        });
        // R_b + R_gb with their covariance (the two are correlated)
        let total = derived(&fit, &[&s.bulk, &gb[0]], |p| p[0] + p[1])?;
        q.push(EisQuantity {
            name: "σ total".into(),
            value: g.conductivity(total)?,
            unit: "S/cm",
        });
    }
    if let Some(int) = &s.interface {
        let r = arc("interface", int, &mut q)?;
        q.push(EisQuantity {
            name: "ASR per interface".into(),
            value: g.interface_asr(r)?,
            unit: "Ω·cm²",
        });
    }
    let (lo, hi) = data.freq_range();
    let m = ((hi / lo).log10() * 5.0).round().clamp(3.0, 200.0) as usize;
    let kk_opts = KkOptions {
        select: KkSelect::Fixed,
        max_m: m,
        fit: KkFit::Complex,
        add_capacitance: s.kk_add_capacitance,
        admittance: false,
    };
    let kk = lin_kk(&data, &kk_opts)?;
    let scan = kk_scan(
        &data,
        &KkOptions {
            max_m: (2 * m).min(100),
            ..kk_opts
        },
    )?;
    let zhit = crate::validation::zhit_smoothed(&data, ZHIT_SMOOTHING, &ZhitOptions::default())?;
    let drt = if s.kk_add_capacitance {
        None
    } else {
        Some(drt(
            &data,
            &DrtOptions {
                weighting: DrtWeighting::Modulus,
                ..DrtOptions::default()
            },
        )?)
    };
    let processes = match &drt {
        Some(d) => Some(fit_processes(&data, d, &ProcessOptions::default())?),
        None => None,
    };
    let bands = match &drt {
        Some(d) => Some(drt_bands(
            &data,
            d,
            &DrtBandOptions {
                samples: DRT_BAND_SAMPLES,
                burn_in: DRT_BAND_SAMPLES / 4,
                ..DrtBandOptions::default()
            },
        )?),
        None => None,
    };
    Ok(EisAnalysis {
        kk,
        kk_scan: scan,
        zhit,
        drt,
        drt_bands: bands,
        processes,
        name: name.into(),
        data,
        fit,
        geometry: g,
        quantities: q,
        assignments,
    })
}

fn read_density(dir: &Path, s: &DensitySettings, theoretical: f64) -> Result<Vec<DensityRow>> {
    let path = dir.join(&s.file);
    let text = read_to_string(&path)?;
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (ln, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        let cols: Vec<&str> = t.split(',').map(str::trim).collect();
        let bad = |m: String| Error::Data(format!("{}:{}: {m}", path.display(), ln + 1));
        if cols.len() != 5 {
            return Err(bad(format!(
                "{} columns; expected sample, dry_g, suspended_g, saturated_g, water_temperature_c",
                cols.len()
            )));
        }
        let num = |k: usize| -> Result<f64> {
            cols[k]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(format!("column {}: `{}` is not a number", k + 1, cols[k])))
        };
        let temp = num(4)?;
        if !(0.0..=100.0).contains(&temp) {
            return Err(bad(format!("water temperature {temp} °C outside 0–100 °C")));
        }
        let m = Archimedes {
            dry_g: num(1)?,
            suspended_g: num(2)?,
            saturated_g: num(3)?,
            liquid_density_g_cm3: water_density_kg_m3(temp) / 1000.0,
            balance_uncertainty_g: s.balance_uncertainty_g,
            liquid_density_uncertainty_g_cm3: 0.0,
        }
        .evaluate()?;
        let b = m.bulk_density_g_cm3;
        let relative = relative_density(b.value, b.uncertainty, theoretical, 0.0)?;
        rows.push(DensityRow {
            sample: cols[0].to_string(),
            bulk: b,
            open_porosity: m.open_porosity,
            theoretical,
            relative,
        });
    }
    if rows.is_empty() {
        return Err(Error::Data(format!("{}: no density rows", path.display())));
    }
    Ok(rows)
}

impl LltoReport {
    /// The figures of the report: Ti 2p fits at every depth of the last
    /// condition, the Ti³⁺ depth profile, one EELS fit, the ΔE series, the
    /// EELS line scan's Ti³⁺ and t/λ profiles (when there is one), and
    /// for both impedance spectra Nyquist (full and arcs), Bode, Lin-KK
    /// residuals and (cell) the DRT.
    pub fn figures(&self) -> Result<Vec<Figure>> {
        let mut out = Vec::new();
        if let Some(last) = self.xps.last() {
            for s in self.xps.iter().filter(|s| s.condition == last.condition) {
                out.push(
                    spectrum_fit(
                        &s.fit,
                        &FitFigure::xps(&format!("Ti 2p, {}, {}", s.condition, s.depth)),
                    )?
                    .with_caption(&format!(
                        "Ti 2p at {} after {}: the Ti⁴⁺ and Ti³⁺ 2p₃/₂–2p₁/₂ doublets filled over the background, the envelope in red, residuals below. The Ti³⁺ doublet, 1.5–2 eV below Ti⁴⁺, grows towards the Li contact.",
                        s.depth, s.condition
                    )),
                );
            }
        }
        out.push(
            profile_plot(&self.ti3_fraction, "Ti³⁺ fraction")?.with_caption(
                "Ti³⁺ fraction against depth for each condition (error bars: one standard error from the fit's full covariance). It rises towards the Li contact and with temperature.",
            ),
        );
        if let Some(e) = self.eels.last() {
            out.push(
                spectrum_fit(
                    &e.fit,
                    &FitFigure::plain(
                        &format!(
                            "EELS after power-law subtraction, {}, {}",
                            e.condition, e.depth
                        ),
                        "energy loss (eV)",
                        "intensity (counts)",
                    ),
                )?
                .with_caption(
                    "The Ti L₂,₃ edge after power-law background subtraction with the fitted features a and b; ΔE = E(b) − E(a) is the quantity of the next figure.",
                ),
            );
        }
        out.push(profile_plot(&self.delta_e, "ΔE (eV)")?.with_caption(
            "ΔE against depth for each condition (one standard error). ΔE falls where Ti is reduced.",
        ));
        if let Some(ls) = &self.linescan {
            let x = "distance from the Li contact (nm)";
            out.push(
                profile_plot_x(&ls.ti3_fraction, x, "Ti³⁺ fraction")?.with_caption(
                    "Ti³⁺ fraction along the EELS line scan, from MLLS fits of Ti³⁺ and Ti⁴⁺ reference spectra (one standard error).",
                ),
            );
            out.push(profile_plot_x(&ls.thickness, x, "t/λ")?.with_caption(
                "Relative thickness t/λ along the same line scan (log-ratio). Where t/λ stays level, the Ti³⁺ trend is not a thickness effect.",
            ));
        }
        if let Some(m) = &self.eels_map {
            let f = &m.ti3_fraction;
            out.push(
                interphase_plot::heatmap("Ti³⁺ fraction map", "Ti³⁺ fraction", f.shape, &f.value)?
                    .with_caption(
                        "Ti³⁺ fraction in each pixel of the EELS map (MLLS of the Ti³⁺/Ti⁴⁺ references after power-law subtraction; the Li contact is on the left). A reduced band that is not straight shows a rough contact; grey pixels had no fit.",
                    ),
            );
            out.push(
                interphase_plot::heatmap(
                    "Ti³⁺ fraction map: standard error",
                    "σ of the Ti³⁺ fraction",
                    f.shape,
                    &f.stderr,
                )?
                .with_caption(
                    "One standard error of each pixel's Ti³⁺ fraction (full covariance of its MLLS fit): differences between pixels larger than this are real.",
                ),
            );
        }
        for a in [&self.pellet, &self.cell] {
            out.push(
                nyquist(
                    &a.data,
                    Some(&a.fit),
                    &format!("Nyquist, {} ({})", a.name, a.fit.circuit),
                )?
                .with_caption(&format!(
                    "Impedance of the {}: data as markers, the fitted circuit as a line, each decade of frequency marked where its label fits; both axes at the same Ω per pixel.",
                    a.name
                )),
            );
            // zoom on the arcs: up to 1.3 × the summed fitted resistances
            let r_sum: f64 = a
                .quantities
                .iter()
                .filter(|q| q.name.starts_with("R "))
                .map(|q| q.value.value)
                .sum();
            // (only when it leaves some points out: otherwise it would be
            // the same figure again)
            let re_max = 1.3 * r_sum;
            let cuts = a.data.z().iter().any(|z| z.re > re_max || -z.im > re_max);
            if r_sum > 0.0 && cuts {
                out.push(
                    nyquist_zoom(
                        &a.data,
                        Some(&a.fit),
                        &format!("Nyquist, {}, arcs (Re Z ≤ {:.0} Ω)", a.name, re_max),
                        re_max,
                    )?
                    .with_caption(
                        "The high-frequency end of the previous figure, up to 1.3 × the sum of the fitted resistances: the arcs the circuit's R–CPE pairs describe.",
                    ),
                );
            }
            out.push(
                bode(&a.data, Some(&a.fit), &format!("Bode, {}", a.name))?.with_caption(
                    "|Z| and phase against frequency, data and fit: each arc of the Nyquist plot is a step in |Z| and a hump in phase.",
                ),
            );
            let f = a.data.freq();
            out.push(
                residual_plot(
                    &format!("Lin-KK residuals, {} (M = {})", a.name, a.kk.m),
                    f,
                    (&a.kk.residuals_re, &a.kk.residuals_im),
                )?
                .with_caption(
                    "Lin-KK residuals in % of |Z|. Residuals scattered about zero within ±1 % mean the spectrum is consistent with Kramers–Kronig; a trend at one end signals drift or a non-linear response there.",
                ),
            );
            out.push(
                interphase_plot::kk_scan(
                    &a.kk_scan,
                    a.kk.m,
                    0.85,
                    &format!("Lin-KK M-scan, {}", a.name),
                )?
                .with_caption(&format!(
                    "Lin-KK against the number of RC elements M (complex fit). The pseudo-χ² and the largest residual fall as elements are added and level off at the noise; 1 − μ rises above 0.15 where Schönleber's μ criterion (impedance.py's default, c = 0.85) would stop, often before the fit is good. The report uses M = {} (5 per decade), marked.",
                    a.kk.m
                )),
            );
            out.push(
                residual_plot(
                    &format!("Z-HIT residuals, {}", a.name),
                    f,
                    (&a.zhit.residuals_re, &a.zhit.residuals_im),
                )?
                .with_caption(&format!(
                    "Z-HIT residuals in % of |Z|: the modulus reconstructed from the phase (smoothed over {ZHIT_SMOOTHING} points), offset fitted over 1 Hz – 1 kHz. The approximation departs by 1–3 % where an arc's phase turns fastest; drift would show as residuals growing steadily towards the lowest frequencies.",
                )),
            );
            if let Some(d) = &a.drt {
                // the peaks the text and the table list, no more
                let title = format!(
                    "DRT, {} (λ = {}, GCV)",
                    a.name,
                    interphase_plot::times_ten(d.lambda, 2)
                );
                let fig = match &a.drt_bands {
                    Some(b) => interphase_plot::drt_with_band(d, b, DRT_PEAK_FRACTION, &title)?,
                    None => interphase_plot::drt_marked(d, DRT_PEAK_FRACTION, &title)?,
                };
                out.push(fig.with_caption(&format!(
                    "Distribution of relaxation times (Tikhonov regularisation, λ chosen by generalised cross-validation). The marked peaks hold more than {} % of R_pol: they are the ones the DRT table lists. The thin lines are the Bayesian posterior's mean and its pointwise 99 % band ({} samples): how far the noise lets γ move given the smoothness prior. The DRT's own γ is the posterior's mode: its sharp peaks may rise above the band and its zeros lie below it, where the samples stay small but positive.",
                    100.0 * DRT_PEAK_FRACTION,
                    DRT_BAND_SAMPLES - DRT_BAND_SAMPLES / 4
                )));
            }
        }
        Ok(out)
    }

    /// Writes `index.html` (tables and inline SVG figures) and one SVG per
    /// figure into `dir` (created if missing; `figure-NN.svg` files beyond
    /// this report's count, left by an earlier run, are removed); returns
    /// the index path.
    pub fn write_html(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let figs = self.figures()?;
        let esc = interphase_plot::escape_html;
        let mut h = String::from(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>LLTO interface analysis</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}caption{font-weight:bold;text-align:left}figure{margin:1em 0}pre{background:#f6f6f6;padding:8px}</style></head><body>\n<h1>LLTO interface analysis</h1>\n",
        );
        h.push_str(&format!(
            "<p>Composition {} (x = {}), a = {} Å. Every value is given with its standard error, rounded to it (σ to two significant digits).</p>\n",
            esc(&format!("{:.4}", self.composition.formula())),
            self.composition.x(),
            self.settings.lattice_a_angstrom
        ));
        h.push_str("<nav><ul><li><a href=\"#xps\">XPS Ti 2p</a></li><li><a href=\"#eels\">EELS</a></li><li><a href=\"#eis\">Impedance</a></li><li><a href=\"#density\">Density</a></li><li><a href=\"#figures\">Figures</a></li></ul></nav>\n");
        h.push_str("<h2 id=\"xps\">XPS Ti 2p</h2>\n<p>The Ti³⁺ fraction rises towards the lithium contact and with temperature; y follows it one to one (one Ti per formula unit).</p>\n");
        h.push_str(&self.ti3_fraction.html());
        h.push_str(&self.li_insertion.html());
        h.push_str(&self.reduced_density.html());
        h.push_str("<h2 id=\"eels\">EELS</h2>\n<p>ΔE between the Ti L-edge features falls as Ti is reduced.</p>\n");
        h.push_str(&self.delta_e.html());
        if let Some(m) = &self.eels_map {
            h.push_str(&map_html(m));
        }
        if let Some(ls) = &self.linescan {
            h.push_str(&self.linescan_html(ls));
        }
        h.push_str("<h2 id=\"eis\">Impedance</h2>\n");
        h.push_str(&self.eis_html());
        h.push_str("<h2 id=\"density\">Density</h2>\n");
        h.push_str(&self.density_html());
        h.push_str("<h2 id=\"figures\">Figures</h2>\n");
        for (i, f) in figs.iter().enumerate() {
            h.push_str(&f.html());
            f.save(dir.join(format!("figure-{:02}.svg", i + 1)))?;
        }
        // figures left by an earlier run with more of them would be mistaken
        // for this run's
        for k in figs.len() + 1.. {
            let stale = dir.join(format!("figure-{k:02}.svg"));
            if !stale.is_file() {
                break;
            }
            std::fs::remove_file(&stale).map_err(|e| io_err(&stale, e))?;
        }
        h.push_str("</body></html>\n");
        let p = dir.join("index.html");
        std::fs::write(&p, h).map_err(|e| io_err(&p, e))?;
        Ok(p)
    }

    /// The impedance section as tables: one of fitted and derived quantities
    /// per spectrum, the arc assignments, Lin-KK and the DRT peaks.
    fn eis_html(&self) -> String {
        let esc = interphase_plot::escape_html;
        let mut h = String::new();
        for a in [&self.pellet, &self.cell] {
            h.push_str(&format!(
                "<h3>{}</h3>\n<p>Circuit <code>{}</code>, L = {} cm, A = {:.4} cm², {} starts, χ² = {:.4e}.</p>\n",
                esc(&a.name),
                esc(&a.fit.circuit.to_string()),
                a.geometry.thickness_cm(),
                a.geometry.area_cm2(),
                a.fit.starts,
                a.fit.result.chi_square
            ));
            h.push_str(&format!(
                "<table>\n<caption>{}: fitted and derived quantities (σ from the fit's full covariance)</caption>\n<tr><th>quantity</th><th>value</th><th>unit</th></tr>\n",
                esc(&a.name)
            ));
            for q in &a.quantities {
                h.push_str(&format!(
                    "<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n",
                    esc(&q.name),
                    esc(&q.value.to_string()),
                    esc(q.unit)
                ));
            }
            h.push_str("</table>\n<ul>\n");
            for (arc, c, asg) in &a.assignments {
                h.push_str(&format!(
                    "<li>{}: C_eff = {c:.3e} F → {}</li>\n",
                    esc(arc),
                    esc(asg.describe())
                ));
            }
            h.push_str(&format!(
                "<li>Lin-KK (M = {}, complex fit): max |residual| = {:.2} % of |Z| → {} at 2 %; {}</li>\n<li>{}</li>\n</ul>\n",
                a.kk.m,
                100.0 * a.kk.max_abs_residual(),
                if a.kk.passes(0.02) { "pass" } else { "FAIL" },
                esc(&whiteness_line(&a.kk)),
                esc(&zhit_line(&a.zhit))
            ));
            if let Some(d) = &a.drt {
                h.push_str(&format!(
                    "<table>\n<caption>{}: DRT peaks holding more than 5 % of R_pol (λ = {} by GCV, R∞ = {:.1} Ω, R_pol = {:.1} Ω{}); R posterior: mean ± σ of the peak's area over {} samples of the Bayesian posterior</caption>\n<tr><th>τ (s)</th><th>f (Hz)</th><th>R (Ω)</th><th>R posterior (Ω)</th><th>C = τ/R (F)</th></tr>\n",
                    esc(&a.name),
                    interphase_plot::times_ten(d.lambda, 3),
                    d.r_inf,
                    d.polarization_resistance,
                    esc(&rpol_posterior(a.drt_bands.as_ref())),
                    DRT_BAND_SAMPLES - DRT_BAND_SAMPLES / 4
                ));
                for p in d.significant_peaks(DRT_PEAK_FRACTION) {
                    h.push_str(&format!(
                        "<tr><td>{:.3e}</td><td>{:.3e}</td><td>{:.1}</td><td>{}</td><td>{:.3e}</td></tr>\n",
                        p.tau,
                        p.frequency,
                        p.resistance,
                        esc(&peak_posterior(a.drt_bands.as_ref(), p.tau)),
                        p.capacitance
                    ));
                }
                h.push_str("</table>\n");
            }
            if let Some(pf) = &a.processes {
                h.push_str(&format!(
                    "<table>\n<caption>{}: DRT processes, one R‖CPE element per peak fitted to the data ({}; σ from the fit's full covariance)</caption>\n<tr><th>element</th><th>τ (s)</th><th>R (Ω)</th><th>α</th><th>C (F)</th></tr>\n",
                    esc(&a.name),
                    esc(&pf.fit.circuit.to_string())
                ));
                for p in &pf.processes {
                    h.push_str(&format!(
                        "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        esc(&p.element),
                        esc(&fmt_derived(&p.tau)),
                        esc(&fmt_derived(&p.resistance)),
                        esc(&fmt_derived(&p.alpha)),
                        esc(&fmt_derived(&p.capacitance))
                    ));
                }
                h.push_str("</table>\n");
            }
        }
        h
    }

    /// The EELS line-scan section: method, a summary of the profile, and
    /// the table of t/λ and Ti³⁺ fraction per position.
    fn linescan_html(&self, ls: &Linescan) -> String {
        let esc = interphase_plot::escape_html;
        let mut h = String::from("<h3>EELS line scan across the Li|LLTO interface</h3>\n");
        h.push_str(&format!("<p>{}</p>\n", esc(&linescan_summary(ls))));
        h.push_str(
            "<table>\n<caption>Line scan: t/λ (log-ratio, automatic elastic threshold; σ from counting statistics) and Ti³⁺ fraction (MLLS of Ti³⁺/Ti⁴⁺ L₂,₃ references with a linear background after power-law subtraction; σ from the full covariance)</caption>\n<tr><th>distance</th><th>t/λ</th><th>Ti³⁺ fraction</th></tr>\n",
        );
        for (i, row) in ls.thickness.rows.iter().enumerate() {
            let cell = |t: &Table| t.cells[i][0].map_or("n/a".to_string(), |e| e.to_string());
            h.push_str(&format!(
                "<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n",
                esc(row),
                esc(&cell(&ls.thickness)),
                esc(&cell(&ls.ti3_fraction))
            ));
        }
        h.push_str("</table>\n");
        h
    }

    /// The density section as a table with the theoretical-density note.
    fn density_html(&self) -> String {
        let esc = interphase_plot::escape_html;
        let mut h = String::from(
            "<table>\n<caption>Archimedes density (Table S2)</caption>\n<tr><th>sample</th><th>bulk (g/cm³)</th><th>open porosity</th><th>theoretical (g/cm³)</th><th>relative density</th></tr>\n",
        );
        for r in &self.density {
            h.push_str(&format!(
                "<tr><th>{}</th><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td></tr>\n",
                esc(&r.sample),
                interphase_fit::format_uncertain(r.bulk.value, Some(r.bulk.uncertainty)),
                interphase_fit::format_uncertain(
                    r.open_porosity.value,
                    Some(r.open_porosity.uncertainty)
                ),
                r.theoretical,
                interphase_fit::format_uncertain(r.relative.value, Some(r.relative.uncertainty)),
            ));
        }
        h.push_str("</table>\n");
        if let Some(r) = self.density.first() {
            let (rf, rd) = &self.rounded_formula_density;
            h.push_str(&format!(
                "<p>The theoretical density {:.4} g/cm³ is that of {} (x = {} exactly; a = {} Å, Z = {}). With the formula rounded as papers print it, {}, it is {rd:.3} g/cm³ (Table S2's value), which lowers the relative density by {:.1} % ({:.4} instead of {:.4}).</p>\n",
                r.theoretical,
                esc(&format!("{:.4}", self.composition.formula())),
                self.composition.x(),
                self.settings.lattice_a_angstrom,
                self.settings.formula_units_per_cell,
                esc(rf),
                100.0 * (r.relative.value - r.bulk.value / rd),
                r.bulk.value / rd,
                r.relative.value
            ));
        }
        h
    }

    fn eis_text(&self) -> String {
        let mut s = String::new();
        for a in [&self.pellet, &self.cell] {
            s.push_str(&format!(
                "{} ({}, L = {} cm, A = {:.4} cm², {} starts, χ² = {:.4e})\n",
                a.name,
                a.fit.circuit,
                a.geometry.thickness_cm(),
                a.geometry.area_cm2(),
                a.fit.starts,
                a.fit.result.chi_square
            ));
            for q in &a.quantities {
                s.push_str(&format!(
                    "  {:<20} {:>24}  {}\n",
                    q.name,
                    q.value.to_string(),
                    q.unit
                ));
            }
            for (arc, c, asg) in &a.assignments {
                s.push_str(&format!(
                    "  {arc}: C_eff = {c:.3e} F → {}\n",
                    asg.describe()
                ));
            }
            s.push_str(&format!(
                "  Lin-KK (M = {}, complex fit): max |residual| = {:.2} % of |Z| → {} at 2 %; {}\n",
                a.kk.m,
                100.0 * a.kk.max_abs_residual(),
                if a.kk.passes(0.02) { "pass" } else { "FAIL" },
                whiteness_line(&a.kk)
            ));
            s.push_str(&format!("  {}\n", zhit_line(&a.zhit)));
            if let Some(d) = &a.drt {
                s.push_str(&format!(
                    "  DRT (λ = {:.2e} by GCV): R∞ = {:.1} Ω, R_pol = {:.1} Ω{}; peaks holding > 5 % of R_pol:\n",
                    d.lambda,
                    d.r_inf,
                    d.polarization_resistance,
                    rpol_posterior(a.drt_bands.as_ref())
                ));
                for p in d.significant_peaks(DRT_PEAK_FRACTION) {
                    s.push_str(&format!(
                        "    τ = {:.3e} s (f = {:.3e} Hz)  R = {:.1} Ω (posterior {})  C = τ/R = {:.3e} F\n",
                        p.tau,
                        p.frequency,
                        p.resistance,
                        peak_posterior(a.drt_bands.as_ref(), p.tau),
                        p.capacitance
                    ));
                }
            }
            if let Some(pf) = &a.processes {
                s.push_str(&format!(
                    "  DRT processes (one R‖CPE per peak fitted to the data, {}; σ from its covariance):\n",
                    pf.fit.circuit
                ));
                for p in &pf.processes {
                    s.push_str(&format!(
                        "    {}: τ = {} s  R = {} Ω  α = {}  C = {} F\n",
                        p.element,
                        fmt_derived(&p.tau),
                        fmt_derived(&p.resistance),
                        fmt_derived(&p.alpha),
                        fmt_derived(&p.capacitance)
                    ));
                }
            }
        }
        s
    }

    fn density_text(&self) -> String {
        let mut s = String::from(
            "sample          bulk (g/cm³)       open porosity   theoretical (g/cm³)   relative density\n",
        );
        for r in &self.density {
            s.push_str(&format!(
                "{:<15} {:.4} ± {:.4}   {:.4} ± {:.4}   {:>10.4}            {:.4} ± {:.4}\n",
                r.sample,
                r.bulk.value,
                r.bulk.uncertainty,
                r.open_porosity.value,
                r.open_porosity.uncertainty,
                r.theoretical,
                r.relative.value,
                r.relative.uncertainty
            ));
        }
        if let Some(r) = self.density.first() {
            let (rf, rd) = &self.rounded_formula_density;
            s.push_str(&format!(
                "theoretical density {:.4} g/cm³ is that of {:.4} (x = {} exactly; a = {} Å, Z = {}); with the formula rounded as papers print it, {rf}, it is {rd:.3} g/cm³ (Table S2's value), which lowers the relative density by {:.1} % ({:.4} instead of {:.4})\n",
                r.theoretical,
                self.composition.formula(),
                self.composition.x(),
                self.settings.lattice_a_angstrom,
                self.settings.formula_units_per_cell,
                100.0 * (r.relative.value - r.bulk.value / rd),
                r.bulk.value / rd,
                r.relative.value
            ));
        }
        s
    }
}

/// Relative residuals (real, imaginary) in % of |Z| against frequency.
fn residual_plot(title: &str, f: &[f64], (re, im): (&[f64], &[f64])) -> Result<Figure> {
    let pct = |v: &[f64]| v.iter().map(|r| 100.0 * r).collect::<Vec<_>>();
    Ok(XyPlot::new(title)
        .x_label("frequency (Hz)")
        .y_label("residual (% of |Z|)")
        .log_x(true)
        .series(Series::line_points("real", f, &pct(re)))
        .series(Series::line_points("imaginary", f, &pct(im)))
        .draw()?)
}

/// A derived quantity rounded to its standard error.
fn fmt_derived(d: &interphase_eis::fit::DerivedQuantity) -> String {
    interphase_fit::format_uncertain(d.value, d.stderr)
}

/// The whiteness test of a Lin-KK result, for the report.
fn whiteness_line(kk: &KkResult) -> String {
    match kk.whiteness {
        Some(w) => format!(
            "residuals {} (whiteness z = {:.2}; noise ≈ {:.2} % of |Z|)",
            if w.z <= 3.0 { "white" } else { "NOT white" },
            w.z,
            100.0 * w.noise
        ),
        None => "no whiteness test (too few degrees of freedom)".to_string(),
    }
}

/// ", posterior R_pol = m ± s Ω" from the bands, or nothing.
fn rpol_posterior(b: Option<&DrtBands>) -> String {
    b.map_or(String::new(), |b| {
        let r = b.polarization_resistance;
        format!(", posterior R_pol = {:.1} ± {:.1} Ω", r.mean, r.std)
    })
}

/// The posterior "m ± s" of the peak at `tau`, or "n/a".
fn peak_posterior(b: Option<&DrtBands>, tau: f64) -> String {
    b.and_then(|b| {
        b.peaks
            .iter()
            .find(|p| p.tau.to_bits() == tau.to_bits())
            .map(|p| {
                let r = p.resistance_posterior;
                format!("{:.1} ± {:.1}", r.mean, r.std)
            })
    })
    .unwrap_or_else(|| "n/a".to_string())
}

/// One line on the Z-HIT check: the largest residual, where, and the
/// pseudo-χ².
fn zhit_line(z: &ZhitResult) -> String {
    let (i, m) = z
        .residuals_re
        .iter()
        .zip(&z.residuals_im)
        .map(|(a, b)| a.abs().max(b.abs()))
        .enumerate()
        .fold(
            (0, 0.0),
            |best, (i, v)| if v > best.1 { (i, v) } else { best },
        );
    format!(
        "Z-HIT (phase smoothed over {ZHIT_SMOOTHING} points, offset 1 Hz – 1 kHz): max |residual| = {:.2} % of |Z| at {} Hz, pseudo-χ² = {:.2e} (the approximation itself is good to 1–3 %)",
        100.0 * m,
        interphase_fit::format_significant(z.freq.get(i).copied().unwrap_or(f64::NAN), 3),
        z.pseudo_chi2()
    )
}

/// One sentence on the line scan: the Ti³⁺ fraction at the contact and far
/// from it, and the distance over which it falls to half-way.
fn linescan_summary(ls: &Linescan) -> String {
    let f: Vec<Option<Estimate>> = ls.ti3_fraction.cells.iter().map(|r| r[0]).collect();
    let (first, last) = (f.first().copied().flatten(), f.last().copied().flatten());
    let (Some(a), Some(b)) = (first, last) else {
        return "The line scan has no Ti³⁺ fraction at its ends.".into();
    };
    let (d0, d1) = (
        ls.distance_nm.first().copied().unwrap_or(f64::NAN),
        ls.distance_nm.last().copied().unwrap_or(f64::NAN),
    );
    let half = 0.5 * (a.value + b.value);
    let cross = ls
        .distance_nm
        .iter()
        .zip(&f)
        .find(|(_, e)| e.is_some_and(|e| (e.value - half) * (a.value - half) <= 0.0))
        .map(|(d, _)| *d);
    format!(
        "Ti³⁺ fraction {a} at {d0} nm from the lithium contact and {b} at {d1} nm{}; t/λ runs from {} to {} over the scan.",
        cross.map_or(String::new(), |c| format!(
            ", past half-way ({half:.3}) by {c} nm"
        )),
        ls.thickness
            .cells
            .first()
            .and_then(|r| r[0])
            .map_or("n/a".into(), |e| e.to_string()),
        ls.thickness
            .cells
            .last()
            .and_then(|r| r[0])
            .map_or("n/a".into(), |e| e.to_string()),
    )
}

/// One line on the EELS map: pixels, failures, the range of the Ti³⁺
/// fraction, its median standard error.
fn map_summary(m: &EelsMap) -> String {
    let f = &m.ti3_fraction;
    let (ny, nx) = f.shape;
    let pixels: Vec<(f64, f64)> = f
        .value
        .iter()
        .zip(&f.stderr)
        .map(|(&v, &s)| (v, s))
        .filter(|(v, _)| v.is_finite())
        .collect();
    let median_s = median_finite(pixels.iter().map(|p| p.1));
    let cmp = |a: &&(f64, f64), b: &&(f64, f64)| a.0.total_cmp(&b.0);
    // each extreme with its own σ
    let fmt =
        |p: &(f64, f64)| interphase_fit::format_uncertain(p.0, Some(p.1).filter(|s| s.is_finite()));
    match (pixels.iter().min_by(cmp), pixels.iter().max_by(cmp)) {
        (Some(lo), Some(hi)) => format!(
            "{ny} × {nx} pixels, {} fitted{}: Ti³⁺ fraction from {} to {}, median standard error of a pixel {}.",
            pixels.len(),
            if f.failures.is_empty() {
                String::new()
            } else {
                format!(", {} failed", f.failures.len())
            },
            fmt(lo),
            fmt(hi),
            median_s.map_or("n/a".into(), |s| interphase_fit::format_significant(s, 2)),
        ),
        _ => format!(
            "{ny} × {nx} pixels, none fitted ({} failed).",
            f.failures.len()
        ),
    }
}

/// The (upper) median of the finite values, `None` if there are none.
fn median_finite(v: impl Iterator<Item = f64>) -> Option<f64> {
    let mut s: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied()
}

/// The EELS map section: its summary and, per column, the Ti³⁺ fraction's
/// mean over the rows, the spread between rows and the median σ of a pixel.
fn map_html(m: &EelsMap) -> String {
    let esc = interphase_plot::escape_html;
    let f = &m.ti3_fraction;
    let (ny, nx) = f.shape;
    let mut h = String::from("<h3>EELS Ti³⁺ map</h3>\n");
    h.push_str(&format!("<p>{}</p>\n", esc(&map_summary(m))));
    h.push_str("<table>\n<caption>Ti³⁺ fraction by map column (the Li contact on the left): mean over the rows (± from the pixels' standard errors), standard deviation between rows (the contact's roughness shows here when it exceeds a pixel's σ), median σ of one pixel</caption>\n<tr><th>column</th><th>mean</th><th>between rows</th><th>σ of a pixel</th></tr>\n");
    for c in 0..nx {
        let col: Vec<(f64, f64)> = (0..ny)
            .map(|r| (f.value[r * nx + c], f.stderr[r * nx + c]))
            .filter(|(v, _)| v.is_finite())
            .collect();
        let n = col.len() as f64;
        let cell = if col.is_empty() {
            "<td>n/a</td><td>n/a</td><td>n/a</td>".to_string()
        } else {
            let mean = col.iter().map(|p| p.0).sum::<f64>() / n;
            let sd =
                (col.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            let ms = median_finite(col.iter().map(|p| p.1));
            format!(
                "<td>{}</td><td>{}</td><td>{}</td>",
                interphase_fit::format_uncertain(mean, ms.map(|s| s / n.sqrt())),
                interphase_fit::format_significant(sd, 2),
                ms.map_or("n/a".into(), |s| interphase_fit::format_significant(s, 2)),
            )
        };
        h.push_str(&format!("<tr><th>{c}</th>{cell}</tr>\n"));
    }
    h.push_str("</table>\n");
    h
}

/// Rows (depths) as x, one series per condition, with error bars.
fn profile_plot(t: &Table, y_label: &str) -> Result<Figure> {
    profile_plot_x(t, "depth (nm)", y_label)
}

/// [`profile_plot`] with the x label for rows that are lengths in nm.
fn profile_plot_x(t: &Table, x_label: &str, y_label: &str) -> Result<Figure> {
    let depth: Vec<f64> = t
        .rows
        .iter()
        .map(|r| {
            r.trim_end_matches("nm")
                .trim()
                .parse::<f64>()
                .unwrap_or(f64::NAN)
        })
        .collect();
    let numeric = depth.iter().all(|d| d.is_finite());
    let x: Vec<f64> = if numeric {
        depth
    } else {
        (0..t.rows.len()).map(|i| i as f64).collect()
    };
    let mut p = XyPlot::new(&t.title)
        .x_label(if numeric { x_label } else { "row" })
        .y_label(y_label);
    for (k, c) in t.columns.iter().enumerate() {
        let (mut xs, mut ys, mut es) = (Vec::new(), Vec::new(), Vec::new());
        for (i, row) in t.cells.iter().enumerate() {
            if let Some(e) = row[k] {
                xs.push(x[i]);
                ys.push(e.value);
                es.push(e.stderr.unwrap_or(0.0));
            }
        }
        if !xs.is_empty() {
            p = p.series(Series::line_points(c, &xs, &ys).with_errors(&es));
        }
    }
    Ok(p.draw()?)
}

impl fmt::Display for LltoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "LLTO interface analysis — {:.4} (x = {}), a = {} Å\n",
            self.composition.formula(),
            self.composition.x(),
            self.settings.lattice_a_angstrom
        )?;
        // every cell rounded to its own uncertainty
        writeln!(f, "{}", self.ti3_fraction)?;
        writeln!(f, "{}", self.li_insertion)?;
        writeln!(f, "{}", self.reduced_density)?;
        writeln!(f, "{}", self.delta_e)?;
        if let Some(ls) = &self.linescan {
            writeln!(f, "EELS line scan across the Li|LLTO interface")?;
            writeln!(f, "{}", linescan_summary(ls))?;
            writeln!(
                f,
                "{:>10}  {:>22}  {:>22}",
                "distance", "t/λ", "Ti³⁺ fraction"
            )?;
            for (i, row) in ls.thickness.rows.iter().enumerate() {
                let cell = |t: &Table| t.cells[i][0].map_or("n/a".to_string(), |e| e.to_string());
                writeln!(
                    f,
                    "{row:>10}  {:>22}  {:>22}",
                    cell(&ls.thickness),
                    cell(&ls.ti3_fraction)
                )?;
            }
            writeln!(f)?;
        }
        if let Some(m) = &self.eels_map {
            writeln!(f, "EELS Ti³⁺ map")?;
            writeln!(f, "{}\n", map_summary(m))?;
        }
        writeln!(f, "Impedance")?;
        writeln!(f, "{}", self.eis_text())?;
        writeln!(f, "Density (Archimedes, Table S2)")?;
        write!(f, "{}", self.density_text())
    }
}
