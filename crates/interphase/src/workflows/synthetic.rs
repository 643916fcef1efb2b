//! The seeded generator of the bundled LLTO interface dataset (`data/llto/`)
//! and the parameters it is generated from ([`Truth`]).
//!
//! **The data are synthetic.** Parameters taken from the study: the EELS ΔE
//! values of Table S1 (depth 14 / 7 / 1 nm × pristine / 75 °C / 150 °C), the
//! Ti 2p positions and spin–orbit splitting of Ti⁴⁺ and Ti³⁺, the LLTO
//! composition x = 0.11 with a = 3.875 Å, and the measured bulk density
//! 4.796 g cm⁻³ of Table S2. Illustrative, not from the study: the Ti³⁺
//! fractions, the line widths and intensities, the impedance circuit values
//! (chosen for LLTO's typical bulk σ ≈ 10⁻³ S cm⁻¹ and grain-boundary
//! σ ≈ 5 × 10⁻⁵ S cm⁻¹) and the Archimedes masses.
//!
//! Noise: XPS and EELS counts get Gaussian noise of standard deviation √counts
//! (the normal approximation of Poisson statistics; every channel holds
//! hundreds of counts or more) and are rounded to whole counts; impedance gets
//! Gaussian noise of 0.5 % of |Z| on each of Re Z and Im Z. The random numbers
//! come from SplitMix64 (S. Vigna) and the Box–Muller transform, so a seed
//! gives the same files on every platform.
//!
//! ```no_run
//! // regenerate the bundled data (what examples/gen_llto_data.rs does)
//! interphase::workflows::synthetic::generate("data/llto".as_ref(), interphase::workflows::synthetic::SEED)?;
//! # Ok::<(), interphase::Error>(())
//! ```

use std::f64::consts::PI;
use std::path::Path;

use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};
use interphase_io::write_csv;
use interphase_materials::density::water_density_kg_m3;
use interphase_spectra::model::PeakModel;
use interphase_spectra::{Metadata, Spectrum};

use crate::error::{Error, Result, io_err};

/// The seed of the bundled dataset.
pub const SEED: u64 = 20_161_103;

/// Conditions (columns of Table S1).
pub const CONDITIONS: [&str; 3] = ["pristine", "75 °C", "150 °C"];
/// Depths below the Li/LLTO interface (rows of Table S1).
pub const DEPTHS: [&str; 3] = ["14 nm", "7 nm", "1 nm"];

/// The generating parameters.
pub struct Truth;

impl Truth {
    /// ΔE (eV) between EELS features `a` and `b`, `[depth][condition]`: Table S1 of the study.
    pub const DELTA_E: [[f64; 3]; 3] = [
        [11.05, 10.07, 9.27],
        [10.05, 9.57, 8.88],
        [9.62, 7.90, 7.22],
    ];
    /// Ti³⁺/(Ti³⁺ + Ti⁴⁺), `[depth][condition]` (illustrative).
    pub const TI3_FRACTION: [[f64; 3]; 3] =
        [[0.02, 0.04, 0.08], [0.04, 0.08, 0.15], [0.08, 0.18, 0.32]];
    /// Ti⁴⁺ 2p3/2 binding energy, eV.
    pub const TI4_CENTER: f64 = 458.75;
    /// Ti³⁺ 2p3/2 binding energy, eV.
    pub const TI3_CENTER: f64 = 457.25;
    /// Ti 2p spin–orbit splitting, eV.
    pub const TI2P_SPLITTING: f64 = 5.72;
    /// Gaussian σ and Lorentzian γ of every Ti 2p Voigt component, eV.
    pub const TI2P_SIGMA_GAMMA: (f64, f64) = (0.55, 0.25);
    /// Total Ti 2p3/2 area (counts · eV).
    pub const TI2P_AREA: f64 = 60_000.0;
    /// Shirley background: level at low binding energy (counts) and step factor.
    pub const TI2P_SHIRLEY: (f64, f64) = (1500.0, 0.01);
    /// EELS feature `a`: center (eV), FWHM (eV), area.
    pub const EELS_A: (f64, f64, f64) = (531.0, 1.5, 3000.0);
    /// EELS feature `b`: FWHM (eV), area (center = a + ΔE).
    pub const EELS_B: (f64, f64) = (3.0, 8000.0);
    /// EELS continuum step factor (Shirley-type).
    pub const EELS_STEP: f64 = 0.08;
    /// EELS power-law pre-edge background A·E^(−r): (A, r).
    pub const EELS_POWER_LAW: (f64, f64) = (2.8e12, 3.0);
    /// EELS line scan: distances from the Li contact, nm (0, 1, …, 30).
    pub const LINESCAN_STEPS: usize = 31;
    /// Line scan Ti³⁺ fraction at distance d (nm): 0.05 + 0.55·exp(−d/4)
    /// (illustrative: reduction concentrated within a few nm of lithium).
    pub fn linescan_ti3_fraction(d_nm: f64) -> f64 {
        0.05 + 0.55 * (-d_nm / 4.0).exp()
    }
    /// Line scan relative thickness t/λ at distance d (nm): a wedge, 0.45 + 0.01·d.
    pub fn linescan_t_over_lambda(d_nm: f64) -> f64 {
        0.45 + 0.01 * d_nm
    }
    /// Line scan low-loss counts per spectrum (zero loss plus plasmons).
    pub const LINESCAN_LOW_LOSS_COUNTS: f64 = 1e6;
    /// EELS Ti L₂,₃ map: pixels (rows, columns); 2 nm per pixel.
    pub const MAP_SHAPE: (usize, usize) = (12, 16);
    /// Map pixel size, nm.
    pub const MAP_PIXEL_NM: f64 = 2.0;
    /// Distance (nm) of map pixel (row, column) from the Li contact, which
    /// is rough: the contact lies at x = 2 + 2·sin(2π·row/12) nm, so the
    /// distance is `2·column − that` (at least 0).
    pub fn map_distance_nm(row: usize, col: usize) -> f64 {
        let contact = 2.0 + 2.0 * (2.0 * std::f64::consts::PI * row as f64 / 12.0).sin();
        (Self::MAP_PIXEL_NM * col as f64 - contact).max(0.0)
    }
    /// Ti³⁺ fraction of map pixel (row, column): the line scan's profile at
    /// the pixel's distance from the rough contact.
    pub fn map_ti3_fraction(row: usize, col: usize) -> f64 {
        Self::linescan_ti3_fraction(Self::map_distance_nm(row, col))
    }
    /// Pellet (Au|LLTO|Au): `R0-p(R1,CPE1)-CPE2` — bulk R0, grain boundary R1 ‖ CPE1, blocking electrodes CPE2.
    pub const PELLET: [f64; 6] = [130.0, 2600.0, 2.0e-9, 0.85, 2.0e-6, 0.8];
    /// Symmetric cell (Li|LLTO|Li): `R0-p(R1,CPE1)-p(R2,CPE2)` — bulk, grain boundary, two Li interfaces.
    pub const CELL: [f64; 7] = [130.0, 2600.0, 2.0e-9, 0.85, 5000.0, 3.0e-6, 0.9];
    /// Pellet thickness and diameter, mm.
    pub const PELLET_MM: (f64, f64) = (1.0, 10.0);
    /// LLTO x in Li₃ₓLa₂/₃₋ₓTiO₃ and the pseudo-cubic a (Å) of Table S2.
    pub const COMPOSITION: (f64, f64) = (0.11, 3.875);
    /// Bulk (Archimedes) density, g cm⁻³ (Table S2), and open porosity (illustrative).
    pub const BULK_DENSITY: (f64, f64) = (4.796, 0.015);
    /// Dry mass (g) and water temperature (°C) of the Archimedes measurement.
    pub const ARCHIMEDES: (f64, f64) = (1.2000, 22.0);
}

/// The Ti 2p model file of the dataset (two Voigt doublets, active Shirley).
pub const TI2P_MODEL: &str = r#"# Ti 2p: Ti4+ and Ti3+ spin-orbit doublets on an active Shirley background
[background]
kind = "shirley"

[[peaks]]
name = "Ti4+"
shape = "voigt"
center = { value = 458.8, min = 457.5, max = 460.0 }
sigma = { value = 0.5, min = 0.05, max = 2.0 }
gamma = { value = 0.3, min = 0.0, max = 2.0 }
area = { value = 50000, min = 0 }
doublet = { splitting = { value = 5.7, min = 5.3, max = 6.1 }, ratio = { value = 0.5, vary = false } }

[[peaks]]
name = "Ti3+"
shape = "voigt"
center = { value = 457.3, min = 456.5, max = 458.2 }
sigma = { tie = "Ti4+.sigma" }
gamma = { tie = "Ti4+.gamma" }
area = { value = 5000, min = 0 }
doublet = { splitting = { tie = "Ti4+.splitting" }, orbital = "p" }
"#;

/// The EELS model file (two Gaussian features and a continuum step that
/// follows them, after power-law subtraction; a slope absorbs the error of the
/// extrapolated power law).
pub const EELS_MODEL: &str = r#"# EELS near-edge features a and b on a Shirley-type continuum step
[background]
kind = "shirley"
slope = 0.0

[[peaks]]
name = "a"
shape = "gaussian"
center = { value = 531.0, min = 529.0, max = 533.0 }
fwhm = { value = 1.5, min = 0.3, max = 4.0 }
area = { value = 3000, min = 0 }

[[peaks]]
name = "b"
shape = "gaussian"
center = { value = 541.0, min = 536.0, max = 545.0 }
fwhm = { value = 3.0, min = 0.5, max = 8.0 }
area = { value = 8000, min = 0 }
"#;

/// The dataset's settings file (read by `workflows::llto`).
pub const SAMPLE_TOML: &str = r#"# LLTO interface dataset: what the analysis reads (paths relative to this file)
composition_x = 0.11
lattice_a_angstrom = 3.875
formula_units_per_cell = 1.0

[xps]
file = "xps_ti2p.csv"          # columns "<condition>/<depth>", binding energy (eV) in the first
model = "ti2p_model.toml"
ti3_peak = "Ti3+"
ti4_peak = "Ti4+"

[eels]
file = "eels.csv"              # columns "<condition>/<depth>", energy loss (eV) in the first
model = "eels_model.toml"
power_law_window = [500.0, 524.0]
fit_range = [524.0, 560.0]
from = "a"
to = "b"

[eels_linescan]
file = "eels_linescan.csv"     # core loss; columns "<distance> nm" from the Li contact
low_loss = "eels_linescan_lowloss.csv"   # same columns, zero-loss peak included
references = ["eels_ref_ti3.csv", "eels_ref_ti4.csv"]   # Ti3+ and Ti4+ L2,3, background-free, equal area
power_law_window = [425.0, 450.0]
window = [452.0, 475.0]        # MLLS range, with a linear background

[eels_map]
file = "eels_map.csv"          # core loss; one column per pixel "y<row> x<column>", row by row
shape = [12, 16]               # rows, columns (2 nm pixels)
references = ["eels_ref_ti3.csv", "eels_ref_ti4.csv"]
power_law_window = [430.0, 450.0]
window = [452.0, 475.0]

[pellet]
file = "eis_pellet.csv"        # f (Hz), Re Z (ohm), Im Z (ohm)
circuit = "R0-p(R1,CPE1)-CPE2"
thickness_mm = 1.0
diameter_mm = 10.0
bulk = "R0"
grain_boundary = ["R1", "CPE1"]
kk_add_capacitance = true      # blocking electrodes: no low-frequency intercept

[cell]
file = "eis_cell.csv"
circuit = "R0-p(R1,CPE1)-p(R2,CPE2)"
thickness_mm = 1.0
diameter_mm = 10.0
bulk = "R0"
grain_boundary = ["R1", "CPE1"]
interface = ["R2", "CPE2"]

[density]
file = "density.csv"           # sample, dry_g, suspended_g, saturated_g, water_temperature_c
balance_uncertainty_g = 0.0001
"#;

/// SplitMix64 with Box–Muller normal deviates.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    let p = dir.join(name);
    std::fs::write(&p, text).map_err(|e| io_err(&p, e))
}

fn named(x: &[f64], y: Vec<f64>, name: String) -> Result<Spectrum> {
    let meta = Metadata {
        name,
        ..Metadata::default()
    };
    Ok(Spectrum::new(x.to_vec(), y)?.with_meta(meta))
}

fn counts(rng: &mut Rng, y: &[f64]) -> Vec<f64> {
    y.iter()
        .map(|&v| {
            let c = (v + v.max(1.0).sqrt() * rng.normal()).round();
            // not `c.max(0.0)`: which zero max(−0, +0) returns is unspecified and
            // differed between debug and release builds ("-0" in the bundled CSV)
            if c > 0.0 { c } else { 0.0 }
        })
        .collect()
}

fn grid(a: f64, b: f64, step: f64) -> Vec<f64> {
    let n = ((b - a) / step).round() as usize;
    (0..=n).map(|i| a + step * i as f64).collect()
}

fn impedance_csv(rng: &mut Rng, circuit: &str, p: &[f64], fmax: f64, fmin: f64) -> Result<String> {
    let c: Circuit = circuit.parse()?;
    let n = ((fmax / fmin).log10() * 10.0).round() as usize;
    let f: Vec<f64> = (0..=n)
        .map(|i| fmax * 10f64.powf(-(i as f64) / 10.0))
        .collect();
    let s = ImpedanceSpectrum::simulate(&c, p, &f)?;
    let mut out = String::from("# synthetic: see data/llto/README.md\nfreq_Hz,Re_Z_ohm,Im_Z_ohm\n");
    for (f, z) in s.freq().iter().zip(s.z()) {
        let sd = 0.005 * z.norm();
        let z = z + Complex64::new(sd * rng.normal(), sd * rng.normal());
        out.push_str(&format!("{f:.6e},{:.6e},{:.6e}\n", z.re, z.im));
    }
    Ok(out)
}

/// Writes the dataset into `dir` (created if missing): `sample.toml`, the two
/// model files, `xps_ti2p.csv`, `eels.csv`, `eis_pellet.csv`, `eis_cell.csv`,
/// `density.csv`, the EELS line scan (`eels_linescan.csv`,
/// `eels_linescan_lowloss.csv`, `eels_ref_ti3.csv`, `eels_ref_ti4.csv`) and the
/// EELS Ti L₂,₃ map (`eels_map.csv`). The same seed gives byte-identical files.
pub fn generate(dir: &Path, seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let mut rng = Rng(seed);
    write(dir, "sample.toml", SAMPLE_TOML)?;
    write(dir, "ti2p_model.toml", TI2P_MODEL)?;
    write(dir, "eels_model.toml", EELS_MODEL)?;

    // XPS Ti 2p, 450–470 eV binding energy, 0.05 eV steps
    let model = PeakModel::from_toml(TI2P_MODEL)?;
    let x = grid(450.0, 470.0, 0.05);
    let mut spectra = Vec::new();
    for (c, cond) in CONDITIONS.iter().enumerate() {
        for (d, depth) in DEPTHS.iter().enumerate() {
            let f = Truth::TI3_FRACTION[d][c];
            let (sg, gm) = Truth::TI2P_SIGMA_GAMMA;
            let p = model.parameters_from(
                &[
                    ("bg.c0", Truth::TI2P_SHIRLEY.0),
                    ("bg.k", Truth::TI2P_SHIRLEY.1),
                    ("Ti4+.center", Truth::TI4_CENTER),
                    ("Ti4+.sigma", sg),
                    ("Ti4+.gamma", gm),
                    ("Ti4+.area", Truth::TI2P_AREA * (1.0 - f)),
                    ("Ti4+.splitting", Truth::TI2P_SPLITTING),
                    ("Ti3+.center", Truth::TI3_CENTER),
                    ("Ti3+.area", Truth::TI2P_AREA * f),
                ],
                &x,
            )?;
            let y = model.evaluate(&x, &p)?;
            spectra.push(named(&x, counts(&mut rng, &y), format!("{cond}/{depth}"))?);
        }
    }
    write(dir, "xps_ti2p.csv", &write_csv(&spectra)?)?;

    // EELS, 500–560 eV energy loss, 0.1 eV steps
    let model = PeakModel::from_toml(EELS_MODEL)?;
    let x = grid(500.0, 560.0, 0.1);
    let (pa, pr) = Truth::EELS_POWER_LAW;
    let mut spectra = Vec::new();
    for (c, cond) in CONDITIONS.iter().enumerate() {
        for (d, depth) in DEPTHS.iter().enumerate() {
            let (ca, wa, aa) = Truth::EELS_A;
            let (wb, ab) = Truth::EELS_B;
            let p = model.parameters_from(
                &[
                    ("bg.c0", 0.0),
                    ("bg.k", Truth::EELS_STEP),
                    ("bg.c1", 0.0),
                    ("a.center", ca),
                    ("a.fwhm", wa),
                    ("a.area", aa),
                    ("b.center", ca + Truth::DELTA_E[d][c]),
                    ("b.fwhm", wb),
                    ("b.area", ab),
                ],
                &x,
            )?;
            let net = model.evaluate(&x, &p)?;
            let y: Vec<f64> = x
                .iter()
                .zip(&net)
                .map(|(&e, &n)| n + pa * e.powf(-pr))
                .collect();
            spectra.push(named(&x, counts(&mut rng, &y), format!("{cond}/{depth}"))?);
        }
    }
    write(dir, "eels.csv", &write_csv(&spectra)?)?;

    // impedance: 7 MHz – 1 Hz (pellet), 7 MHz – 0.1 Hz (cell), 10 points per decade
    let t = impedance_csv(&mut rng, "R0-p(R1,CPE1)-CPE2", &Truth::PELLET, 7e6, 1.0)?;
    write(dir, "eis_pellet.csv", &t)?;
    let t = impedance_csv(&mut rng, "R0-p(R1,CPE1)-p(R2,CPE2)", &Truth::CELL, 7e6, 0.1)?;
    write(dir, "eis_cell.csv", &t)?;

    // Archimedes masses giving the Table S2 bulk density
    let (rho_b, open) = Truth::BULK_DENSITY;
    let (md, temp) = Truth::ARCHIMEDES;
    let rho_l = water_density_kg_m3(temp) / 1000.0;
    let span = md / rho_b * rho_l; // m_s − m_w
    let ms = md + open * span;
    let mw = ms - span;
    if !(mw > 0.0 && mw < md) {
        return Err(Error::Data("inconsistent Archimedes truth".into()));
    }
    write(
        dir,
        "density.csv",
        &format!(
            "# synthetic: see data/llto/README.md\nsample,dry_g,suspended_g,saturated_g,water_temperature_c\nLLTO pellet,{md:.6},{mw:.6},{ms:.6},{temp}\n"
        ),
    )?;
    // last, so that the files above keep their noise
    linescan(dir, &mut rng)?;
    map(dir, &mut rng)
}

/// The EELS Ti L₂,₃ map: core loss 430–480 eV in 0.5 eV channels (power law,
/// the two references mixed by [`Truth::map_ti3_fraction`] at t/λ = 0.6), one
/// column per pixel, row by row.
fn map(dir: &Path, rng: &mut Rng) -> Result<()> {
    let (ny, nx) = Truth::MAP_SHAPE;
    let x = grid(430.0, 480.0, 0.5);
    let (r3, r4) = linescan_references(&x);
    let t = 0.6;
    let mut core = Vec::with_capacity(ny * nx);
    for row in 0..ny {
        for col in 0..nx {
            let f = Truth::map_ti3_fraction(row, col);
            let y: Vec<f64> = x
                .iter()
                .enumerate()
                .map(|(k, &e)| {
                    4e12 * (1.0 + t) * e.powf(-3.0) + 4e6 * t * (f * r3[k] + (1.0 - f) * r4[k])
                })
                .collect();
            core.push(named(&x, counts(rng, &y), format!("y{row} x{col}"))?);
        }
    }
    write(dir, "eels_map.csv", &write_csv(&core)?)
}

/// Normal-density shape exp(−(E − c)²/2s²).
fn gauss(e: f64, c: f64, s: f64) -> f64 {
    (-0.5 * ((e - c) / s).powi(2)).exp()
}

/// Logistic step of width 0.5 eV at `at`, decaying as (at/E)².
fn edge_step(e: f64, at: f64) -> f64 {
    1.0 / (1.0 + (-(e - at) / 0.5).exp()) * (at / e).powi(2)
}

/// Ti³⁺ and Ti⁴⁺ L₂,₃ reference shapes on `x`, each scaled to unit sum over
/// 452–475 eV (equal numbers of Ti atoms): Ti⁴⁺ with t2g/eg split L₃ and
/// L₂ lines, Ti³⁺ with single broader lines about 1 eV lower; both on the
/// same continuum steps at L₃ and L₂.
pub fn linescan_references(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let cont = |e: f64| 0.25 * edge_step(e, 457.0) + 0.125 * edge_step(e, 462.5);
    let ti4: Vec<f64> = x
        .iter()
        .map(|&e| {
            gauss(e, 457.8, 0.4)
                + 1.3 * gauss(e, 459.9, 0.6)
                + 0.8 * gauss(e, 463.1, 0.5)
                + 1.0 * gauss(e, 465.3, 0.7)
                + cont(e)
        })
        .collect();
    let ti3: Vec<f64> = x
        .iter()
        .map(|&e| 1.5 * gauss(e, 456.7, 0.7) + 1.0 * gauss(e, 462.0, 0.9) + cont(e))
        .collect();
    let norm = |v: Vec<f64>| {
        let s: f64 = x
            .iter()
            .zip(&v)
            .filter(|(e, _)| **e >= 452.0 && **e <= 475.0)
            .map(|(_, y)| y)
            .sum();
        v.into_iter().map(|y| y / s).collect::<Vec<f64>>()
    };
    (norm(ti3), norm(ti4))
}

/// The EELS line scan across the Li|LLTO interface: core loss (power law,
/// Ti L₂,₃ mixing the two references by the Ti³⁺ fraction, O K), low loss
/// (zero-loss peak and Poisson plural plasmon scattering at the local t/λ)
/// and the two references.
fn linescan(dir: &Path, rng: &mut Rng) -> Result<()> {
    let n = Truth::LINESCAN_STEPS;
    let label = |i: usize| format!("{i} nm");
    // core loss, 420–600 eV, 0.25 eV
    let x = grid(420.0, 600.0, 0.25);
    let (r3, r4) = linescan_references(&x);
    let mut core = Vec::new();
    for i in 0..n {
        let d = i as f64;
        let t = Truth::linescan_t_over_lambda(d);
        let f = Truth::linescan_ti3_fraction(d);
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(k, &e)| {
                2e12 * (1.0 + t) * e.powf(-3.0)
                    + 2e6 * t * (f * r3[k] + (1.0 - f) * r4[k])
                    + 6e3 * t * (edge_step(e, 532.0) + 0.8 * gauss(e, 531.5, 0.8))
            })
            .collect();
        core.push(named(&x, counts(rng, &y), label(i))?);
    }
    write(dir, "eels_linescan.csv", &write_csv(&core)?)?;
    // references, 450–480 eV, noise-free
    let xr = grid(450.0, 480.0, 0.25);
    let (a, b) = linescan_references(&xr);
    write(
        dir,
        "eels_ref_ti3.csv",
        &write_csv(&[named(&xr, a, "Ti3+".into())?])?,
    )?;
    write(
        dir,
        "eels_ref_ti4.csv",
        &write_csv(&[named(&xr, b, "Ti4+".into())?])?,
    )?;
    // low loss, −5 … 125 eV, 0.1 eV: zero-loss Gaussian (σ 0.4 eV) and a
    // Gaussian plasmon (16 eV, σ 2.5 eV); J = I_t e^(−t) Σₙ tⁿ/n! Z ⊗ Sⁿ
    let xl = grid(-5.0, 125.0, 0.1);
    let z: Vec<f64> = xl.iter().map(|&e| gauss(e, 0.0, 0.4)).collect();
    let zs: f64 = z.iter().sum();
    let z: Vec<f64> = z.iter().map(|v| v / zs).collect();
    // S on the loss axis (index 0 = 0 eV), unit sum
    let m = xl.len();
    let sp: Vec<f64> = (0..m).map(|j| gauss(0.1 * j as f64, 16.0, 2.5)).collect();
    let ss: f64 = sp.iter().sum();
    let sp: Vec<f64> = sp.iter().map(|v| v / ss).collect();
    // Sⁿ for n = 0 … 9 (n = 0: a delta at 0 eV), truncated to the axis
    let mut powers: Vec<Vec<f64>> = vec![{
        let mut d0 = vec![0.0; m];
        d0[0] = 1.0;
        d0
    }];
    for _ in 1..10 {
        let prev = powers.last().expect("S⁰ is there");
        let mut next = vec![0.0; m];
        for (a, &pa) in prev.iter().enumerate() {
            if pa != 0.0 {
                for (b, &sb) in sp.iter().enumerate().take(m - a) {
                    next[a + b] += pa * sb;
                }
            }
        }
        powers.push(next);
    }
    let mut low = Vec::new();
    for i in 0..n {
        let t = Truth::linescan_t_over_lambda(i as f64);
        // plural-scattering distribution P(E) = e^(−t) Σ tⁿ/n! Sⁿ
        let mut p = vec![0.0; m];
        let mut w = (-t).exp();
        for (k, pw) in powers.iter().enumerate() {
            if k > 0 {
                w *= t / k as f64;
            }
            for (pj, v) in p.iter_mut().zip(pw) {
                *pj += w * v;
            }
        }
        // J(E_j) = I_t Σ_a P(a) Z(E_j − 0.1 a eV): z[j − a] is Z there
        let mut y = vec![0.0; m];
        for (a, &pa) in p.iter().enumerate() {
            if pa > 1e-300 {
                for (j, yj) in y.iter_mut().enumerate().skip(a) {
                    *yj += pa * z[j - a];
                }
            }
        }
        let y: Vec<f64> = y
            .iter()
            .map(|v| Truth::LINESCAN_LOW_LOSS_COUNTS * v)
            .collect();
        low.push(named(&xl, counts(rng, &y), label(i))?);
    }
    write(dir, "eels_linescan_lowloss.csv", &write_csv(&low)?)
}
