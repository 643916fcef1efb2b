//! `interphase xrd peaks|scherrer|lattice` and `interphase eds identify`: results as named quantities (`--format
//! table|json|csv`; JSON `{"quantities":[{"name","value","uncertainty","unit"}]}`).
//!
//! Names: `xrd peaks` gives `peak.<i>.two_theta|d|fwhm|height|area`;
//! `xrd scherrer` adds `peak.<i>.size` and, with ≥ 2 peaks,
//! `williamson_hall.size|strain|r_squared`; `xrd lattice` gives
//! `a|b|c|volume|zero_shift|rms` and `reflection.<i>.hkl|two_theta_obs|delta`;
//! `eds identify` gives `elements`, `element.<X>.lines`, `peak.<i>.energy|assigned|candidates`,
//! `overlap.<i>`, and with `--areas` `area.<X>.<line>`. The `eels` commands
//! live in `eels.rs`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use interphase::spectra::Spectrum;
use interphase::spectra::eds::{self, EdsOptions};
use interphase::spectra::lineshape::ShapeKind;
use interphase::spectra::model::PeakWeighting;
use interphase::spectra::xrd::{
    self, Broadening, Cell, Centering, CrystalSystem, SizeOptions, XrdPeakOptions,
};

use crate::Failure;
use crate::output::Quantity;
use crate::spectrum::input;

fn load_one(file: &Path) -> Result<Spectrum, Failure> {
    let mut v = interphase::io::read_spectra(file).map_err(input)?;
    if v.is_empty() {
        return Err(Failure::input(format!(
            "{}: no spectrum in the file",
            file.display()
        )));
    }
    Ok(v.swap_remove(0))
}

/// `interphase xrd ...`.
#[derive(Subcommand)]
pub enum XrdCmd {
    /// Find and fit the diffraction peaks: 2θ, d, FWHM, height, area.
    Peaks(XrdPeaksArgs),
    /// Scherrer size per peak and a Williamson–Hall size/strain fit.
    Scherrer(ScherrerArgs),
    /// Index the peaks against a starting cell and refine the lattice parameters.
    Lattice(LatticeArgs),
}

/// Options shared by the XRD commands.
#[derive(Args)]
pub struct XrdPeaksArgs {
    /// A diffractogram (2θ in degrees): .xy/.csv/.txt, .msa, .vms.
    pub file: PathBuf,
    /// Wavelength: Å or an anode line (Cu, CuKa1, MoKa1, ...).
    #[arg(long, default_value = "CuKa1")]
    pub wavelength: String,
    /// Peak shape: pseudo-voigt, pearson7, split-pseudo-voigt, voigt, gaussian, lorentzian.
    #[arg(long, default_value = "pseudo-voigt")]
    pub shape: String,
    /// Remove Cu Kα2 first (Rachinger; the anode of --wavelength, ratio 0.5).
    #[arg(long)]
    pub strip_ka2: bool,
    /// Least peak prominence as a fraction of the intensity range.
    #[arg(long, default_value_t = 0.05)]
    pub min_prominence: f64,
    /// Residual weights: unit or poisson.
    #[arg(long, default_value = "unit", value_parser = ["unit", "poisson"])]
    pub weight: String,
}

/// `xrd scherrer` options.
#[derive(Args)]
pub struct ScherrerArgs {
    #[command(flatten)]
    pub peaks: XrdPeaksArgs,
    /// Scherrer constant K.
    #[arg(long, default_value_t = 0.9)]
    pub k: f64,
    /// Instrumental FWHM, degrees 2θ.
    #[arg(long, default_value_t = 0.0)]
    pub instrumental: f64,
    /// Instrumental correction: gaussian (quadrature) or lorentzian (linear).
    #[arg(long, default_value = "gaussian", value_parser = ["gaussian", "lorentzian"])]
    pub correction: String,
}

/// `xrd lattice` options.
#[derive(Args)]
pub struct LatticeArgs {
    #[command(flatten)]
    pub peaks: XrdPeaksArgs,
    /// Crystal system: cubic, tetragonal, hexagonal, orthorhombic.
    #[arg(long, default_value = "cubic")]
    pub system: String,
    /// Starting a, Å.
    #[arg(long)]
    pub a: f64,
    /// Starting b, Å (orthorhombic).
    #[arg(long)]
    pub b: Option<f64>,
    /// Starting c, Å (tetragonal, hexagonal, orthorhombic).
    #[arg(long)]
    pub c: Option<f64>,
    /// Lattice centring for the allowed reflections: P, I, F, C.
    #[arg(long, default_value = "P", value_parser = ["P", "I", "F", "C"])]
    pub centering: String,
    /// Indexing tolerance, degrees 2θ.
    #[arg(long, default_value_t = 0.15)]
    pub tolerance: f64,
    /// Also refine a 2θ zero shift.
    #[arg(long)]
    pub zero: bool,
}

fn xrd_peaks(a: &XrdPeaksArgs) -> Result<(f64, Vec<xrd::XrdPeak>), Failure> {
    let lambda = xrd::wavelength(&a.wavelength).map_err(input)?;
    let shape = ShapeKind::from_name(&a.shape).ok_or_else(|| {
        Failure::input(format!(
            "unknown shape `{}` (pseudo-voigt, pearson7, split-pseudo-voigt, voigt, gaussian, lorentzian, ...)",
            a.shape
        ))
    })?;
    let mut s = load_one(&a.file)?;
    if a.strip_ka2 {
        let anode = xrd::ANODES
            .iter()
            .find(|an| {
                [an.ka1, an.ka2, an.ka()]
                    .iter()
                    .any(|l| (l - lambda).abs() < 1e-9)
            })
            .ok_or_else(|| {
                Failure::input("--strip-ka2 needs --wavelength to name an anode line (e.g. CuKa1)")
            })?;
        s = xrd::strip_ka2(&s, anode.ka1, anode.ka2, 0.5).map_err(input)?;
    }
    let o = XrdPeakOptions {
        shape,
        wavelength: lambda,
        min_prominence: a.min_prominence,
        weighting: if a.weight == "poisson" {
            PeakWeighting::Poisson
        } else {
            PeakWeighting::Unit
        },
        ..XrdPeakOptions::default()
    };
    let peaks =
        xrd::fit_peaks(&s, &o).map_err(|e| Failure::input(format!("{}: {e}", a.file.display())))?;
    Ok((lambda, peaks))
}

fn peak_rows(peaks: &[xrd::XrdPeak]) -> Vec<Quantity> {
    let mut rows = Vec::new();
    for (i, p) in peaks.iter().enumerate() {
        let n = i + 1;
        rows.push(Quantity::num(
            format!("peak.{n}.two_theta"),
            p.two_theta.value,
            p.two_theta.stderr,
            "deg",
        ));
        rows.push(Quantity::num(
            format!("peak.{n}.d"),
            p.d.value,
            p.d.stderr,
            "angstrom",
        ));
        rows.push(Quantity::num(
            format!("peak.{n}.fwhm"),
            p.fwhm.value,
            p.fwhm.stderr,
            "deg",
        ));
        rows.push(Quantity::num(
            format!("peak.{n}.height"),
            p.height.value,
            p.height.stderr,
            "counts",
        ));
        rows.push(Quantity::num(
            format!("peak.{n}.area"),
            p.area.value,
            p.area.stderr,
            "counts*deg",
        ));
    }
    rows
}

/// Runs an `xrd` subcommand.
pub fn run_xrd(cmd: &XrdCmd) -> Result<Vec<Quantity>, Failure> {
    match cmd {
        XrdCmd::Peaks(a) => {
            let (_, peaks) = xrd_peaks(a)?;
            Ok(peak_rows(&peaks))
        }
        XrdCmd::Scherrer(a) => {
            let (lambda, peaks) = xrd_peaks(&a.peaks)?;
            let o = SizeOptions {
                wavelength: lambda,
                k: a.k,
                instrumental_fwhm: a.instrumental,
                correction: if a.correction == "lorentzian" {
                    Broadening::Lorentzian
                } else {
                    Broadening::Gaussian
                },
            };
            let mut rows = peak_rows(&peaks);
            for (i, p) in peaks.iter().enumerate() {
                let d = xrd::scherrer(p.two_theta.value, p.fwhm, &o)
                    .map_err(|e| Failure::input(format!("peak {}: {e}", i + 1)))?;
                rows.push(Quantity::num(
                    format!("peak.{}.size", i + 1),
                    d.value,
                    d.stderr,
                    "nm",
                ));
            }
            let pairs: Vec<(f64, f64)> = peaks
                .iter()
                .map(|p| (p.two_theta.value, p.fwhm.value))
                .collect();
            if pairs.len() >= 2 {
                match xrd::williamson_hall(&pairs, &o) {
                    Ok(wh) => {
                        rows.push(Quantity::num(
                            "williamson_hall.size",
                            wh.size_nm.value,
                            wh.size_nm.stderr,
                            "nm",
                        ));
                        rows.push(Quantity::num(
                            "williamson_hall.strain",
                            wh.strain.value,
                            wh.strain.stderr,
                            "1",
                        ));
                        rows.push(Quantity::num(
                            "williamson_hall.r_squared",
                            wh.r_squared,
                            None,
                            "1",
                        ));
                    }
                    Err(e) => rows.push(Quantity::text("williamson_hall", e.to_string())),
                }
            }
            Ok(rows)
        }
        XrdCmd::Lattice(a) => {
            let (lambda, peaks) = xrd_peaks(&a.peaks)?;
            let system = CrystalSystem::parse(&a.system).map_err(input)?;
            let cell =
                Cell::new(system, a.a, a.b.unwrap_or(a.a), a.c.unwrap_or(a.a)).map_err(input)?;
            let centering = match a.centering.as_str() {
                "I" => Centering::I,
                "F" => Centering::F,
                "C" => Centering::C,
                _ => Centering::P,
            };
            let obs: Vec<f64> = peaks.iter().map(|p| p.two_theta.value).collect();
            let (fit, matched) =
                xrd::index_and_refine(&obs, &cell, centering, lambda, a.tolerance, a.zero)
                    .map_err(input)?;
            let mut rows = vec![
                Quantity::text("system", format!("{system:?}").to_lowercase()),
                Quantity::num("a", fit.a.value, fit.a.stderr, "angstrom"),
                Quantity::num("b", fit.b.value, fit.b.stderr, "angstrom"),
                Quantity::num("c", fit.c.value, fit.c.stderr, "angstrom"),
                Quantity::num("volume", fit.volume.value, fit.volume.stderr, "angstrom^3"),
            ];
            if let Some(z) = fit.zero_shift {
                rows.push(Quantity::num("zero_shift", z.value, z.stderr, "deg"));
            }
            rows.push(Quantity::num("rms", fit.rms, None, "deg"));
            rows.push(Quantity::num("indexed", matched.len() as f64, None, "1"));
            rows.push(Quantity::num(
                "unindexed",
                (obs.len() - matched.len()) as f64,
                None,
                "1",
            ));
            for (i, (r, d)) in matched.iter().zip(&fit.residuals).enumerate() {
                let n = i + 1;
                rows.push(Quantity::text(
                    format!("reflection.{n}.hkl"),
                    format!("{} {} {}", r.hkl[0], r.hkl[1], r.hkl[2]),
                ));
                rows.push(Quantity::num(
                    format!("reflection.{n}.two_theta_obs"),
                    r.two_theta,
                    None,
                    "deg",
                ));
                rows.push(Quantity::num(
                    format!("reflection.{n}.delta"),
                    *d,
                    None,
                    "deg",
                ));
            }
            Ok(rows)
        }
    }
}

/// `interphase eds ...`.
#[derive(Subcommand)]
pub enum EdsCmd {
    /// Identify the elements whose X-ray lines explain the peaks.
    Identify(EdsArgs),
}

/// `eds identify` options.
#[derive(Args)]
pub struct EdsArgs {
    /// An EDS spectrum (.msa, .csv, ...), energy in eV or keV.
    pub file: PathBuf,
    /// Detector FWHM at Mn Kα, eV.
    #[arg(long, default_value_t = 130.0)]
    pub fwhm: f64,
    /// Beam energy, kV (default: the file's #BEAMKV, else 20).
    #[arg(long)]
    pub beam_kv: Option<f64>,
    /// Matching tolerance, eV (default: half the detector FWHM).
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Only consider these elements (comma-separated symbols).
    #[arg(long, value_delimiter = ',')]
    pub elements: Vec<String>,
    /// Least net peak height / √background.
    #[arg(long, default_value_t = 5.0)]
    pub min_significance: f64,
    /// Also fit Gaussian line areas of the identified elements.
    #[arg(long)]
    pub areas: bool,
}

/// Runs an `eds` subcommand.
pub fn run_eds(cmd: &EdsCmd) -> Result<Vec<Quantity>, Failure> {
    let EdsCmd::Identify(a) = cmd;
    let s = load_one(&a.file)?;
    let o = EdsOptions {
        fwhm_mn_ka: a.fwhm,
        beam_kv: a.beam_kv,
        tolerance_ev: a.tolerance,
        min_significance: a.min_significance,
        candidates: a.elements.iter().map(|e| e.trim().to_string()).collect(),
        ..EdsOptions::default()
    };
    let id =
        eds::identify(&s, &o).map_err(|e| Failure::input(format!("{}: {e}", a.file.display())))?;
    let mut rows = vec![Quantity::text("elements", id.symbols().join(" "))];
    for e in &id.elements {
        let lines: Vec<String> = e.lines.iter().map(|l| l.line.name().to_string()).collect();
        rows.push(Quantity::text(
            format!("element.{}.lines", e.symbol),
            lines.join(" "),
        ));
    }
    for (i, p) in id.peaks.iter().enumerate() {
        let n = i + 1;
        rows.push(Quantity::num(
            format!("peak.{n}.energy"),
            p.energy_ev,
            None,
            "eV",
        ));
        rows.push(Quantity::num(
            format!("peak.{n}.net_height"),
            p.net_height,
            None,
            "counts",
        ));
        let assigned: Vec<String> = p.assigned.iter().map(|l| l.label()).collect();
        rows.push(Quantity::text(
            format!("peak.{n}.assigned"),
            assigned.join(", "),
        ));
        let cands: Vec<String> = p.candidates.iter().take(5).map(|l| l.label()).collect();
        rows.push(Quantity::text(
            format!("peak.{n}.candidates"),
            cands.join(", "),
        ));
    }
    for (i, ov) in id.overlaps.iter().enumerate() {
        rows.push(Quantity::text(
            format!("overlap.{}", i + 1),
            format!(
                "{} / {} ({:.0} eV apart, FWHM {:.0} eV)",
                ov.a.label(),
                ov.b.label(),
                ov.separation_ev,
                ov.fwhm_ev
            ),
        ));
    }
    if a.areas && !id.elements.is_empty() {
        let syms = id.symbols();
        let f = eds::fit_lines(&s, &syms, &o, 30.0).map_err(input)?;
        rows.push(Quantity::num("energy_offset", f.offset_ev, None, "eV"));
        for l in &f.lines {
            rows.push(Quantity::num(
                format!("area.{}.{}", l.line.symbol, l.line.line.name()),
                l.area.value,
                l.area.stderr,
                "counts",
            ));
        }
    }
    Ok(rows)
}
