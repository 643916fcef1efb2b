//! `interphase spectrum ...`: read spectrum files (VAMAS, EMSA/MSA, CSV/TSV)
//! and report, baseline-correct or peak-pick every spectrum in them.
//!
//! * `info FILE`: one row per spectrum (block or column): name, technique,
//!   points, x range and unit, y range, photon energy, counts, uniform step.
//!   JSON: `{"file", "format", "spectra":[{"index", "name", "technique",
//!   "x_quantity", "x_unit", "y_unit", "points", "x_first", "x_last", "step",
//!   "y_min", "y_max", "photon_energy", "counts", "extra":{..}}]}`.
//! * `baseline FILE --method M [options]`: for each spectrum the columns x,
//!   data, baseline, corrected (= data − baseline). CSV (default for this
//!   subcommand's table) has one x column and three columns per spectrum;
//!   JSON: `{"spectra":[{"name", "method", "iterations", "converged", "x",
//!   "data", "baseline", "corrected"}]}`.
//! * `peaks FILE [--prominence P ...]`: scipy `find_peaks` semantics; one row
//!   per peak: spectrum, index, x, height, prominence, width_x (x units at
//!   `--rel-height`). JSON: `{"peaks":[{..}]}`.
//! * `fit FILE... --model MODEL.toml [--crop A B] [--weight unit|sigma|poisson]
//!   [--curves DIR]`: fits the peak model to every spectrum of every file, in
//!   parallel. Table: the component table and the parameter report per
//!   spectrum; CSV: one row per component (`fit, component, peak, shape,
//!   center, center_stderr, fwhm, fwhm_stderr, height, height_stderr, area,
//!   area_stderr, area_percent, area_percent_stderr`); JSON: the fit
//!   conventions (`{"fits":[{"name", "converged", "termination", "chi_square",
//!   "reduced_chi_square", "n_evaluations", "parameters":[..], "components":[..]}]}`).
//!   `--curves DIR` writes `DIR/<n>_<name>.csv` (x, y, background, envelope,
//!   components, residual) for plotting; `--plot OUT.svg` draws each fit
//!   (data, envelope, filled components, background, residual panel; binding
//!   energy high to low) to OUT.svg, or OUT-<n>.svg when there are several.
//!   `--share NAME,...` fits all spectra at once with those parameters shared
//!   (a global fit, e.g. `Ti4+.sigma,Ti4+.gamma,Ti4+.splitting` across a
//!   depth profile); the per-spectrum output is the same, and the table adds a
//!   global summary, JSON a `"global": {"shared", "chi_square",
//!   "reduced_chi_square", "n_data", "n_varying", "aic", "bic", "converged"}`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use interphase::io::Format as FileFormat;
use interphase::spectra::baseline::{self, Baseline, TougaardOptions, WhittakerOptions};
use interphase::spectra::model::{
    Axis, BatchOptions, GlobalPeakFit, PeakFit, PeakFitOptions, PeakModel, PeakWeighting,
    Projection,
};
use interphase::spectra::peaks::{Interval, PeakOptions};
use interphase::spectra::{Spectrum, XQuantity};
use serde::Serialize;

use crate::Failure;
use crate::output::{Format, McReport, csv_field};

/// Baseline methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Asymmetric least squares (Eilers & Boelens).
    Asls,
    /// arPLS (Baek et al.).
    Arpls,
    /// airPLS (Zhang et al.).
    Airpls,
    /// SNIP (Ryan et al.).
    Snip,
    /// Iterative Shirley.
    Shirley,
    /// Tougaard, universal or three-parameter cross-section.
    Tougaard,
    /// Straight line between end averages.
    Linear,
    /// Least-squares polynomial.
    Poly,
    /// ModPoly.
    Modpoly,
    /// IModPoly.
    Imodpoly,
}

/// Which spectra of the file.
#[derive(Args, Debug, Clone)]
pub struct Select {
    /// Only the spectrum with this name (block/column) or 0-based index.
    #[arg(long, conflicts_with = "spectrum")]
    pub block: Option<String>,
    /// Only this spectrum: a 1-based number or a name, as `interphase info`
    /// lists them (the same option as in the `eis` commands).
    #[arg(long, value_name = "N|NAME")]
    pub spectrum: Option<String>,
}

#[derive(Subcommand)]
pub enum SpectrumCmd {
    /// Blocks, points, ranges and metadata of a spectrum file.
    Info {
        /// A .vms, .msa or delimited-text file.
        file: PathBuf,
        #[command(flatten)]
        select: Select,
    },
    /// Baseline of every spectrum in a file: x, data, baseline, corrected.
    Baseline {
        /// A .vms, .msa or delimited-text file.
        file: PathBuf,
        /// The algorithm.
        #[arg(long, value_enum)]
        method: Method,
        /// Whittaker smoothness λ (default: AsLS 1e6, arPLS 1e5, airPLS 1e6).
        #[arg(long)]
        lam: Option<f64>,
        /// AsLS asymmetry p.
        #[arg(long, default_value_t = 0.01)]
        p: f64,
        /// Stopping tolerance (Whittaker, ModPoly, IModPoly, Shirley).
        #[arg(long, default_value_t = 1e-3)]
        tol: f64,
        /// Maximum iterations.
        #[arg(long, default_value_t = 50)]
        max_iter: usize,
        /// SNIP maximum half window, points.
        #[arg(long, default_value_t = 20)]
        half_window: usize,
        /// SNIP with the LLS (log-log-sqrt) transform.
        #[arg(long)]
        lls: bool,
        /// Polynomial order (poly, modpoly, imodpoly).
        #[arg(long, default_value_t = 2)]
        order: usize,
        /// IModPoly clipping in standard deviations.
        #[arg(long, default_value_t = 1.0)]
        num_std: f64,
        /// Points averaged at each end (linear, Shirley, Tougaard).
        #[arg(long, default_value_t = 5)]
        average_points: usize,
        /// Tougaard B (eV²).
        #[arg(long, default_value_t = 2866.0)]
        b: f64,
        /// Tougaard C (eV²).
        #[arg(long, default_value_t = 1643.0)]
        c: f64,
        /// Tougaard D (eV²); 0: universal two-parameter form.
        #[arg(long, default_value_t = 0.0)]
        d: f64,
        /// Tougaard: keep B as given instead of matching the loss-side end.
        #[arg(long)]
        fixed_b: bool,
        /// Crop every spectrum to [FROM, TO] (x units) first.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"], allow_negative_numbers = true)]
        crop: Option<Vec<f64>>,
        #[command(flatten)]
        select: Select,
    },
    /// Peaks (scipy find_peaks semantics) of every spectrum in a file.
    Peaks {
        /// A .vms, .msa or delimited-text file.
        file: PathBuf,
        /// Minimal prominence (y units).
        #[arg(long)]
        prominence: Option<f64>,
        /// Minimal height (y units).
        #[arg(long)]
        height: Option<f64>,
        /// Minimal distance between peaks, samples.
        #[arg(long)]
        distance: Option<f64>,
        /// Minimal width, samples.
        #[arg(long)]
        width: Option<f64>,
        /// Relative height of the width measurement.
        #[arg(long, default_value_t = 0.5)]
        rel_height: f64,
        /// Savitzky–Golay smoothing window (odd) applied first, order 2.
        #[arg(long)]
        smooth: Option<usize>,
        #[command(flatten)]
        select: Select,
    },
    /// Fits a peak model (TOML or JSON) to every spectrum of the files, in parallel.
    Fit {
        /// .vms, .msa or delimited-text files (every spectrum/column is fitted).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The model file (TOML; `.json` for JSON).
        #[arg(long)]
        model: PathBuf,
        /// Fit only FROM..TO (x units) of each spectrum.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"], allow_negative_numbers = true)]
        crop: Option<Vec<f64>>,
        /// Residual weighting.
        #[arg(long, value_enum, default_value_t = Weight::Unit)]
        weight: Weight,
        /// Robust (sandwich, HC3) covariance: standard errors that stay right
        /// when the noise does not follow the weighting.
        #[arg(long)]
        robust_covariance: bool,
        /// How peak areas and additive background coefficients are found:
        /// `auto` starts them from their linear optimum, `on` solves them at
        /// every step (variable projection), `off` searches them with the rest.
        #[arg(long, value_enum, default_value_t = ProjectionArg::Auto)]
        projection: ProjectionArg,
        /// Folder for one CSV of curves per spectrum.
        #[arg(long)]
        curves: Option<PathBuf>,
        /// SVG figure of each fit (OUT.svg, or OUT-<n>.svg for several spectra).
        #[arg(long, value_name = "OUT.svg")]
        plot: Option<PathBuf>,
        /// Fit all spectra at once, sharing these parameters (comma-separated
        /// full names, e.g. `Ti4+.sigma,Ti4+.gamma`).
        #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
        share: Vec<String>,
        /// Start each spectrum from the previous one's converged fit (a depth
        /// profile or series in file and column order).
        #[arg(long, conflicts_with = "share")]
        warm_start: bool,
        /// Report progress on stderr (automatic on a terminal for 64+ spectra).
        #[arg(long)]
        progress: bool,
        /// Convert the spectra to this energy axis before fitting, with the
        /// file's excitation energy (E_B = hν − E_K − φ); by default they are
        /// converted to the axis the model file declares.
        #[arg(long, value_enum)]
        axis: Option<AxisArg>,
        /// φ, eV, in that conversion: only for kinetic energies referenced to
        /// the vacuum level. Instruments (SPECS, Kratos, ...) record kinetic
        /// energies referenced to the Fermi level, with the analyser's work
        /// function already applied, so the default is 0 whatever work
        /// function the file names.
        #[arg(
            long,
            default_value_t = 0.0,
            value_name = "EV",
            allow_negative_numbers = true
        )]
        work_function: f64,
        /// Monte Carlo uncertainties: refit N synthetic spectra drawn from
        /// each fit and its noise, in parallel; each parameter's spread (std,
        /// 68 % and 95 % intervals) beside its covariance error (table and
        /// JSON output).
        #[arg(long, value_name = "N", conflicts_with = "share")]
        monte_carlo: Option<usize>,
        /// Seed of the Monte Carlo draws.
        #[arg(long, default_value_t = 1, requires = "monte_carlo")]
        seed: u64,
        /// Draw the Monte Carlo noise from the fit's own residuals (residual
        /// bootstrap) instead of a Gaussian.
        #[arg(long, requires = "monte_carlo")]
        bootstrap: bool,
        #[command(flatten)]
        select: Select,
    },
}

/// An energy axis for `spectrum fit --axis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AxisArg {
    /// Binding energy, eV.
    Binding,
    /// Kinetic energy, eV.
    Kinetic,
}

/// `spectrum fit --projection` (see `interphase::spectra::model::Projection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProjectionArg {
    /// Linear parameters started from their least-squares optimum, then the full fit.
    Auto,
    /// Variable projection throughout.
    On,
    /// The full fit from the model's starting values.
    Off,
}

/// Residual weighting of `spectrum fit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Weight {
    /// Unweighted (lmfit's default).
    Unit,
    /// 1/σ from the file, or Poisson when the spectrum is in counts.
    Sigma,
    /// Poisson 1/√max(y, 1).
    Poisson,
}

/// A bad-input failure (exit status 2) from any displayable error.
pub(crate) fn input(e: impl std::fmt::Display) -> Failure {
    Failure::input(e.to_string())
}

fn load(file: &Path, select: &Select) -> Result<(FileFormat, Vec<Spectrum>), Failure> {
    let contents =
        interphase::io::read_path(file, &interphase::io::ReadOptions::default()).map_err(input)?;
    let text_format = contents.format;
    let spectra = interphase::io::into_spectra(contents).map_err(input)?;
    // --spectrum counts from 1 (as `interphase info` lists), --block from 0
    let (which, base) = match (&select.spectrum, &select.block) {
        (Some(s), _) => (Some(s), 1),
        (None, b) => (b.as_ref(), 0),
    };
    let spectra = match which {
        None => spectra,
        Some(b) => {
            let by_index = b
                .parse::<usize>()
                .ok()
                .and_then(|i| i.checked_sub(base))
                .and_then(|i| spectra.get(i).cloned());
            let found = by_index.or_else(|| spectra.iter().find(|s| s.meta.name == *b).cloned());
            match found {
                Some(s) => vec![s],
                None => {
                    let names: Vec<&str> = spectra.iter().map(|s| s.meta.name.as_str()).collect();
                    return Err(Failure::input(format!(
                        "{}: no spectrum named or numbered {b:?}; the file has {names:?}",
                        file.display()
                    )));
                }
            }
        }
    };
    Ok((text_format, spectra))
}

#[derive(Serialize)]
struct Info<'a> {
    index: usize,
    name: &'a str,
    technique: &'static str,
    x_quantity: interphase::spectra::XQuantity,
    x_unit: &'a str,
    y_unit: &'a str,
    points: usize,
    x_first: f64,
    x_last: f64,
    step: Option<f64>,
    y_min: f64,
    y_max: f64,
    photon_energy: Option<f64>,
    counts: bool,
    extra: &'a std::collections::BTreeMap<String, String>,
}

fn info_rows(spectra: &[Spectrum]) -> Vec<Info<'_>> {
    spectra
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let (y_min, y_max) = s.y_range();
            Info {
                index,
                name: &s.meta.name,
                technique: s.meta.technique.name(),
                x_quantity: s.meta.x_quantity,
                x_unit: &s.meta.x_unit,
                y_unit: &s.meta.y_unit,
                points: s.len(),
                x_first: s.x()[0],
                x_last: s.x()[s.len() - 1],
                step: s.uniform_step().ok(),
                y_min,
                y_max,
                photon_energy: s.meta.photon_energy,
                counts: s.meta.counts,
                extra: &s.meta.extra,
            }
        })
        .collect()
}

fn opt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn write_info(
    out: &mut impl Write,
    file: &Path,
    fmt: FileFormat,
    spectra: &[Spectrum],
    format: Format,
) -> std::io::Result<()> {
    let rows = info_rows(spectra);
    let fname = fmt.id();
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                file: String,
                format: &'a str,
                spectra: Vec<Info<'a>>,
            }
            let doc = Doc {
                file: file.display().to_string(),
                format: fname,
                spectra: rows,
            };
            serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => {
            writeln!(
                out,
                "index,name,technique,points,x_first,x_last,x_unit,step,y_min,y_max,y_unit,photon_energy,counts"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    r.index,
                    csv_field(r.name),
                    r.technique,
                    r.points,
                    r.x_first,
                    r.x_last,
                    csv_field(r.x_unit),
                    opt(r.step),
                    r.y_min,
                    r.y_max,
                    csv_field(r.y_unit),
                    opt(r.photon_energy),
                    r.counts
                )?;
            }
            Ok(())
        }
        Format::Table => {
            writeln!(out, "{} ({fname}, {} spectra)", file.display(), rows.len())?;
            for r in rows {
                writeln!(
                    out,
                    "[{}] {:?} {} {:?}",
                    r.index, r.name, r.technique, r.x_quantity
                )?;
                writeln!(
                    out,
                    "    {} points, x {} → {} {} (step {}), y {} … {} {}{}",
                    r.points,
                    r.x_first,
                    r.x_last,
                    r.x_unit,
                    r.step
                        .map(|v| format!("{v:.6}"))
                        .unwrap_or_else(|| "non-uniform".into()),
                    r.y_min,
                    r.y_max,
                    r.y_unit,
                    if r.counts { " (counts)" } else { "" }
                )?;
                if let Some(e) = r.photon_energy {
                    writeln!(out, "    photon energy {e} eV")?;
                }
                for (k, v) in r.extra {
                    writeln!(out, "    {k}: {v}")?;
                }
            }
            Ok(())
        }
    }
}

struct Corrected {
    spectrum: Spectrum,
    baseline: Baseline,
}

fn compute_baseline(cmd: &SpectrumCmd, s: &Spectrum) -> Result<Baseline, Failure> {
    let SpectrumCmd::Baseline {
        method,
        lam,
        p,
        tol,
        max_iter,
        half_window,
        lls,
        order,
        num_std,
        average_points,
        b,
        c,
        d,
        fixed_b,
        ..
    } = cmd
    else {
        return Err(Failure::other("not a baseline command"));
    };
    let (x, y) = (s.x(), s.y());
    let w = |default: f64| WhittakerOptions {
        lam: lam.unwrap_or(default),
        p: *p,
        tol: *tol,
        max_iter: *max_iter,
    };
    let name = &s.meta.name;
    let r = match method {
        Method::Asls => baseline::asls(y, &w(1e6)),
        Method::Arpls => baseline::arpls(y, &w(1e5)),
        Method::Airpls => baseline::airpls(y, &w(1e6)),
        Method::Snip => baseline::snip(y, *half_window, false, *lls),
        Method::Shirley => baseline::shirley(x, y, *average_points, *tol, *max_iter),
        Method::Tougaard => baseline::tougaard(
            x,
            y,
            &TougaardOptions {
                b: *b,
                c: *c,
                d: *d,
                binding_energy: s.meta.x_quantity != interphase::spectra::XQuantity::KineticEnergy,
                fit_b: !*fixed_b,
                average_points: *average_points,
            },
        ),
        Method::Linear => baseline::linear(x, y, *average_points),
        Method::Poly => baseline::polynomial(x, y, *order),
        Method::Modpoly => baseline::modpoly(x, y, *order, *tol, *max_iter),
        Method::Imodpoly => baseline::imodpoly(x, y, *order, *tol, *max_iter, *num_std),
    };
    r.map_err(|e| Failure::input(format!("spectrum {name:?}: {e}")))
}

fn write_baselines(
    out: &mut impl Write,
    method: Method,
    rows: &[Corrected],
    format: Format,
) -> std::io::Result<()> {
    let method_name = format!("{method:?}").to_ascii_lowercase();
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Row<'a> {
                name: &'a str,
                method: &'a str,
                iterations: usize,
                converged: bool,
                x: &'a [f64],
                data: &'a [f64],
                baseline: &'a [f64],
                corrected: Vec<f64>,
            }
            #[derive(Serialize)]
            struct Doc<'a> {
                spectra: Vec<Row<'a>>,
            }
            let spectra = rows
                .iter()
                .map(|r| Row {
                    name: &r.spectrum.meta.name,
                    method: &method_name,
                    iterations: r.baseline.iterations,
                    converged: r.baseline.converged,
                    x: r.spectrum.x(),
                    data: r.spectrum.y(),
                    baseline: &r.baseline.baseline,
                    corrected: r
                        .spectrum
                        .y()
                        .iter()
                        .zip(&r.baseline.baseline)
                        .map(|(a, b)| a - b)
                        .collect(),
                })
                .collect();
            serde_json::to_writer(&mut *out, &Doc { spectra }).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Csv | Format::Table => {
            // one x column when every spectrum shares the axis; otherwise one block per spectrum
            let shared = rows
                .windows(2)
                .all(|w| w[0].spectrum.x() == w[1].spectrum.x());
            let groups: Vec<&[Corrected]> = if shared {
                vec![rows]
            } else {
                rows.chunks(1).collect()
            };
            let sep = if format == Format::Csv { "," } else { "\t" };
            for (g, group) in groups.iter().enumerate() {
                if g > 0 {
                    writeln!(out)?;
                }
                let mut header = vec!["x".to_string()];
                for r in group.iter() {
                    let n = csv_field(&r.spectrum.meta.name);
                    header.extend([n.clone(), format!("{n}_baseline"), format!("{n}_corrected")]);
                }
                writeln!(out, "{}", header.join(sep))?;
                let x = group[0].spectrum.x();
                for (i, xi) in x.iter().enumerate() {
                    let mut line = xi.to_string();
                    for r in group.iter() {
                        let (y, b) = (r.spectrum.y()[i], r.baseline.baseline[i]);
                        line.push_str(&format!("{sep}{y}{sep}{b}{sep}{}", y - b));
                    }
                    writeln!(out, "{line}")?;
                }
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct PeakRow<'a> {
    spectrum: &'a str,
    index: usize,
    x: f64,
    height: f64,
    prominence: f64,
    width_x: f64,
}

fn write_peaks(out: &mut impl Write, rows: &[PeakRow<'_>], format: Format) -> std::io::Result<()> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                peaks: &'a [PeakRow<'a>],
            }
            serde_json::to_writer(&mut *out, &Doc { peaks: rows })
                .map_err(std::io::Error::other)?;
            writeln!(out)
        }
        Format::Csv => {
            writeln!(out, "spectrum,index,x,height,prominence,width_x")?;
            for r in rows {
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    csv_field(r.spectrum),
                    r.index,
                    r.x,
                    r.height,
                    r.prominence,
                    r.width_x
                )?;
            }
            Ok(())
        }
        Format::Table => {
            writeln!(
                out,
                "{:<16} {:>6} {:>12} {:>12} {:>12} {:>10}",
                "spectrum", "index", "x", "height", "prominence", "width_x"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:<16} {:>6} {:>12.4} {:>12.4} {:>12.4} {:>10.4}",
                    r.spectrum, r.index, r.x, r.height, r.prominence, r.width_x
                )?;
            }
            Ok(())
        }
    }
}

#[derive(Serialize)]
struct ComponentRow<'a> {
    label: &'a str,
    peak: &'a str,
    shape: &'static str,
    center: f64,
    center_stderr: Option<f64>,
    fwhm: f64,
    fwhm_stderr: Option<f64>,
    height: f64,
    height_stderr: Option<f64>,
    area: f64,
    area_stderr: Option<f64>,
    area_percent: f64,
    area_percent_stderr: Option<f64>,
}

fn component_rows(f: &PeakFit) -> Vec<ComponentRow<'_>> {
    f.components
        .iter()
        .map(|c| ComponentRow {
            label: &c.label,
            peak: &c.peak,
            shape: c.shape.name(),
            center: c.center.value,
            center_stderr: c.center.stderr,
            fwhm: c.fwhm.value,
            fwhm_stderr: c.fwhm.stderr,
            height: c.height.value,
            height_stderr: c.height.stderr,
            area: c.area.value,
            area_stderr: c.area.stderr,
            area_percent: c.area_percent.value,
            area_percent_stderr: c.area_percent.stderr,
        })
        .collect()
}

/// What a global fit adds to the per-spectrum output.
#[derive(Serialize)]
struct GlobalSummary {
    shared: Vec<String>,
    chi_square: f64,
    reduced_chi_square: Option<f64>,
    n_data: usize,
    n_varying: usize,
    aic: f64,
    bic: f64,
    converged: bool,
}

impl GlobalSummary {
    fn of(g: &GlobalPeakFit) -> Self {
        let r = &g.fit;
        GlobalSummary {
            shared: g.shared.clone(),
            chi_square: r.chi_square,
            reduced_chi_square: r
                .reduced_chi_square
                .is_finite()
                .then_some(r.reduced_chi_square),
            n_data: r.n_data,
            n_varying: r.n_varying,
            aic: r.aic,
            bic: r.bic,
            converged: r.converged,
        }
    }
}

fn write_peak_fits(
    out: &mut impl Write,
    fits: &[(String, PeakFit)],
    global: Option<&GlobalSummary>,
    mcs: &[Option<McReport>],
    format: Format,
) -> std::io::Result<()> {
    match format {
        Format::Table => {
            for (i, (name, f)) in fits.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== {name} ==")?;
                write!(out, "{f}")?;
                if let Some(Some(m)) = mcs.get(i) {
                    crate::output::write_mc_table(out, m)?;
                }
            }
            if let Some(g) = global {
                writeln!(out)?;
                writeln!(out, "== global fit ==")?;
                writeln!(out, "    shared             = {}", g.shared.join(", "))?;
                writeln!(out, "    converged          = {}", g.converged)?;
                writeln!(out, "    # data points      = {}", g.n_data)?;
                writeln!(out, "    # variables        = {}", g.n_varying)?;
                writeln!(out, "    chi-square         = {:.6e}", g.chi_square)?;
                if let Some(r) = g.reduced_chi_square {
                    writeln!(out, "    reduced chi-square = {r:.6e}")?;
                }
                writeln!(out, "    Akaike info crit   = {:.5}", g.aic)?;
                writeln!(out, "    Bayesian info crit = {:.5}", g.bic)?;
            }
        }
        Format::Json => {
            // serialised straight from borrowed rows: no copy of the results
            // and no JSON tree in memory, whatever the number of fits
            #[derive(Serialize)]
            struct Entry<'a> {
                #[serde(flatten)]
                fit: crate::output::JsonFit<'a>,
                components: Vec<ComponentRow<'a>>,
            }
            #[derive(Serialize)]
            struct Doc<'a> {
                fits: Vec<Entry<'a>>,
                #[serde(skip_serializing_if = "Option::is_none")]
                global: Option<&'a GlobalSummary>,
            }
            let doc = Doc {
                fits: fits
                    .iter()
                    .enumerate()
                    .map(|(i, (name, f))| Entry {
                        fit: crate::output::JsonFit::of(
                            name,
                            &f.fit,
                            None,
                            mcs.get(i).and_then(Option::as_ref),
                        ),
                        components: component_rows(f),
                    })
                    .collect(),
                global,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(
                out,
                "fit,component,peak,shape,center,center_stderr,fwhm,fwhm_stderr,height,height_stderr,area,area_stderr,area_percent,area_percent_stderr"
            )?;
            let o = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
            for (name, f) in fits {
                for c in component_rows(f) {
                    writeln!(
                        out,
                        "{},{},{},{},{:e},{},{:e},{},{:e},{},{:e},{},{:e},{}",
                        csv_field(name),
                        csv_field(c.label),
                        csv_field(c.peak),
                        c.shape,
                        c.center,
                        o(c.center_stderr),
                        c.fwhm,
                        o(c.fwhm_stderr),
                        c.height,
                        o(c.height_stderr),
                        c.area,
                        o(c.area_stderr),
                        c.area_percent,
                        o(c.area_percent_stderr)
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// What `spectrum fit` was asked to do.
struct FitRequest<'a> {
    files: &'a [PathBuf],
    model: &'a Path,
    crop: Option<&'a [f64]>,
    weight: Weight,
    robust_covariance: bool,
    projection: ProjectionArg,
    curves: Option<&'a Path>,
    plot: Option<&'a Path>,
    share: &'a [String],
    warm_start: bool,
    progress: bool,
    select: &'a Select,
    axis: Option<AxisArg>,
    work_function: f64,
    monte_carlo: Option<interphase::fit::montecarlo::MonteCarloOptions>,
}

/// `OUT.svg` for one figure, `OUT-<i>.svg` for figure `i` of several.
pub(crate) fn numbered(path: &Path, i: usize, n: usize) -> PathBuf {
    if n == 1 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or(String::from("fit"), |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or(String::from("svg"), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}-{i}.{ext}"))
}

/// The work function a file names (SPECS `Eff. Workfunction`, PHI
/// `AnalyserWorkFcn`, ...), eV: reported, not applied (see [`onto_axis`]).
fn work_function(s: &Spectrum) -> Option<f64> {
    s.meta.extra.iter().find_map(|(k, v)| {
        let k = k.to_ascii_lowercase().replace([' ', '_', '.'], "");
        (k.contains("workfunction") || k.contains("workfcn"))
            .then(|| v.split_whitespace().next()?.parse::<f64>().ok())
            .flatten()
    })
}

/// A spectrum on the energy axis the model is written in: a kinetic-energy
/// spectrum fitted with a binding-energy model (or the reverse) is converted
/// with the file's excitation energy, E_B = hν − E_K − φ with the φ the user
/// gave (0 by default: instruments record Fermi-referenced kinetic energies,
/// the analyser's work function already applied — in SPECS and Kratos files
/// E_B = hν − E_K puts Si 2p at 99.4 eV and C 1s at 284.0 eV, subtracting
/// their 4.4 eV work function would not), with a note on stderr; refused
/// when the file gives no excitation energy. With no declared axis, a model
/// whose peaks all start outside the spectrum's range is refused with the
/// conversion to ask for.
fn onto_axis(
    s: Spectrum,
    want: Option<Axis>,
    phi: f64,
    model: &PeakModel,
    file: &Path,
) -> Result<Spectrum, Failure> {
    let name = || format!("{}: spectrum {:?}", file.display(), s.meta.name);
    let have = match s.meta.x_quantity {
        XQuantity::BindingEnergy => Some(Axis::BindingEnergy),
        XQuantity::KineticEnergy => Some(Axis::KineticEnergy),
        _ => None,
    };
    match (want, have) {
        (Some(w), Some(h)) if w != h => {
            let Some(hv) = s.meta.photon_energy else {
                return Err(Failure::input(format!(
                    "{}: the file gives {} energies and no excitation energy, but the model is written in {} energy; convert the spectrum first (Spectrum::to_binding_energy / to_kinetic_energy with hν and φ)",
                    name(),
                    if h == Axis::KineticEnergy {
                        "kinetic"
                    } else {
                        "binding"
                    },
                    if w == Axis::KineticEnergy {
                        "kinetic"
                    } else {
                        "binding"
                    }
                )));
            };
            let named = work_function(&s);
            let out = if w == Axis::BindingEnergy {
                s.to_binding_energy(hv, phi)
            } else {
                s.to_kinetic_energy(hv, phi)
            }
            .map_err(|e| Failure::input(format!("{}: {e}", name())))?;
            eprintln!(
                "note: {}: converted to {} energy with hν = {hv} eV, φ = {phi} eV{}",
                name(),
                if w == Axis::BindingEnergy {
                    "binding"
                } else {
                    "kinetic"
                },
                match named {
                    Some(f) if phi == 0.0 => format!(
                        " (the file's work function {f} eV is taken as already applied to its Fermi-referenced kinetic energies; --work-function sets φ for a vacuum-referenced scale)"
                    ),
                    _ => String::new(),
                }
            );
            Ok(out)
        }
        (None, Some(h)) => {
            let (lo, hi) = s.x_range();
            let centres: Vec<f64> = model
                .spec()
                .peaks
                .iter()
                .filter_map(|p| p.params.get("center").and_then(|c| c.start()))
                .collect();
            if !centres.is_empty() && centres.iter().all(|c| *c < lo || *c > hi) {
                return Err(Failure::input(format!(
                    "{}: the model's peaks start at {:?} eV, all outside the spectrum's {} energy range {lo}..{hi} eV; if the model is written in the other energy, say so with `axis = \"{}\"` in the model file or --axis {}",
                    name(),
                    centres,
                    if h == Axis::KineticEnergy {
                        "kinetic"
                    } else {
                        "binding"
                    },
                    if h == Axis::KineticEnergy {
                        "binding-energy"
                    } else {
                        "kinetic-energy"
                    },
                    if h == Axis::KineticEnergy {
                        "binding"
                    } else {
                        "kinetic"
                    }
                )));
            }
            Ok(s)
        }
        _ => Ok(s),
    }
}

/// Named fits, and the global summary when `--share` was given.
/// Named fits, the global summary when `--share` was given, and the spectra
/// whose fit failed (`NAME: message`; the others' results are kept).
type FitOutput = (
    Vec<(String, PeakFit)>,
    Option<GlobalSummary>,
    Vec<String>,
    Vec<Option<McReport>>,
);

fn run_fit(req: &FitRequest<'_>) -> Result<FitOutput, Failure> {
    let FitRequest {
        files,
        model,
        crop,
        weight,
        robust_covariance,
        projection,
        curves,
        plot,
        share,
        warm_start,
        progress,
        select,
        axis,
        work_function,
        ref monte_carlo,
    } = *req;
    let model = PeakModel::from_path(model).map_err(input)?;
    let want = axis
        .map(|a| match a {
            AxisArg::Binding => Axis::BindingEnergy,
            AxisArg::Kinetic => Axis::KineticEnergy,
        })
        .or(model.spec().axis);
    let mut names = Vec::new();
    let mut spectra: Vec<Spectrum> = Vec::new();
    // a file that cannot be read or prepared fails alone in a batch (its
    // error is reported with the others'); a global fit (--share) needs all
    let mut failed = Vec::new();
    let one = |file: &Path| -> Result<Vec<(String, Spectrum)>, Failure> {
        let (_, list) = load(file, select)?;
        let mut out = Vec::with_capacity(list.len());
        for s in list {
            let s = onto_axis(s, want, work_function, &model, file)?;
            let s = match crop {
                Some([a, b]) => s.crop(*a, *b).map_err(|e| {
                    Failure::input(format!(
                        "{}: spectrum {:?}: {e}",
                        file.display(),
                        s.meta.name
                    ))
                })?,
                _ => s,
            };
            let stem = file
                .file_stem()
                .map_or(String::new(), |s| s.to_string_lossy().into_owned());
            let name = if s.meta.name.is_empty() {
                stem
            } else {
                format!("{stem}:{}", s.meta.name)
            };
            out.push((name, s));
        }
        Ok(out)
    };
    for file in files {
        match one(file) {
            Ok(list) => {
                for (name, mut s) in list {
                    // one copy of a common energy axis for the whole batch
                    if let Some(prev) = spectra.last() {
                        s.share_x_with(prev);
                    }
                    names.push(name);
                    spectra.push(s);
                }
            }
            Err(e) if share.is_empty() => {
                failed.push(e.about_file(file));
            }
            Err(e) => return Err(e),
        }
    }
    if spectra.is_empty() && !failed.is_empty() {
        return Err(Failure::input(failed.join("\n")));
    }
    let options = PeakFitOptions {
        weighting: match weight {
            Weight::Unit => PeakWeighting::Unit,
            Weight::Sigma => PeakWeighting::Sigma,
            Weight::Poisson => PeakWeighting::Poisson,
        },
        projection: match projection {
            ProjectionArg::Auto => Projection::Auto,
            ProjectionArg::On => Projection::On,
            ProjectionArg::Off => Projection::Off,
        },
        ..PeakFitOptions::default()
    };
    let options = PeakFitOptions {
        lm: interphase::fit::LmOptions {
            robust_covariance,
            ..options.lm
        },
        ..options
    };
    let mut global = None;
    let mut out = Vec::with_capacity(spectra.len());
    // which spectrum each kept fit belongs to
    let mut kept: Vec<usize> = Vec::with_capacity(spectra.len());
    if share.is_empty() {
        let line = crate::output::ProgressLine::new(spectra.len(), progress);
        let report = |p| {
            if let Some(l) = &line {
                l.report(p)
            }
        };
        let batch = BatchOptions {
            fit: options.clone(),
            warm_start,
            chain: if warm_start { spectra.len().max(1) } else { 1 },
            progress: Some(&report),
        };
        // what follows needs the curves only for plots, curve files and Monte
        // Carlo refits: otherwise each fit keeps only its numbers (about 2 % of
        // it), so that thousands of spectra do not hold gigabytes
        let slim = plot.is_none() && curves.is_none() && monte_carlo.is_none();
        let results = model.fit_batch_map(&spectra, &batch, |mut f| {
            if slim {
                f.drop_curves();
            }
            f
        });
        if let Some(l) = &line {
            l.finish();
        }
        for (i, (name, r)) in names.into_iter().zip(results).enumerate() {
            match r {
                Ok(f) => {
                    kept.push(i);
                    out.push((name, f));
                }
                Err(e) => failed.push(format!("{name}: {e}")),
            }
        }
    } else {
        let shared: Vec<&str> = share.iter().map(String::as_str).collect();
        let g = model
            .fit_global(&spectra, &shared, &options)
            .map_err(|e| Failure::input(format!("--share: {e}")))?;
        global = Some(GlobalSummary::of(&g));
        kept.extend(0..names.len());
        out.extend(names.into_iter().zip(g.spectra));
    }
    if let Some(path) = plot {
        use interphase::plot::{FitFigure, spectrum_fit};
        for (i, ((name, f), &k)) in out.iter().zip(&kept).enumerate() {
            let fig = match spectra[k].meta.x_quantity {
                XQuantity::BindingEnergy => FitFigure::xps(name),
                _ => {
                    let unit = if f.x_unit.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", f.x_unit)
                    };
                    FitFigure::plain(name, &format!("x{unit}"), "intensity")
                }
            };
            let file = numbered(path, i, out.len());
            spectrum_fit(f, &fig)
                .and_then(|figure| figure.save(&file))
                .map_err(|e| Failure::input(format!("--plot {}: {e}", file.display())))?;
        }
    }
    if let Some(dir) = curves {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::input(format!("{}: {e}", dir.display())))?;
        for (i, (name, f)) in out.iter().enumerate() {
            let path = dir.join(format!("{i}_{}.csv", file_safe(name)));
            std::fs::write(&path, f.curves_csv())
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        }
    }
    // a converged fit can still be unphysical: say so
    for ((name, f), &k) in out.iter().zip(&kept) {
        let s = &spectra[k];
        let binding = match want {
            Some(w) => w == Axis::BindingEnergy,
            None => s.meta.x_quantity != XQuantity::KineticEnergy,
        };
        for c in &f.components {
            if c.area.value < 0.0 {
                eprintln!(
                    "warning: {name}: component {} has a negative area ({:e}): the model may not describe the data (energy axis, start values, bounds)",
                    c.label, c.area.value
                );
            }
        }
        for (a, b) in f.components.iter().zip(f.components.iter().skip(1)) {
            // a doublet partner on the wrong side of its main line
            if b.partner && b.peak == a.peak {
                let up = b.center.value > a.center.value;
                if up != binding {
                    eprintln!(
                        "warning: {name}: the spin-orbit partner of {} lies at {} energy than its main line ({:.3} vs {:.3} eV): on a {} axis it should lie higher; is the model written in the other energy?",
                        a.peak,
                        if up { "higher" } else { "lower" },
                        b.center.value,
                        a.center.value,
                        if binding {
                            "binding-energy"
                        } else {
                            "kinetic-energy"
                        }
                    );
                }
            }
        }
    }
    // Monte Carlo refits of each kept fit, when asked for
    let mut mcs = Vec::with_capacity(out.len());
    for ((name, f), &k) in out.iter().zip(&kept) {
        mcs.push(match monte_carlo {
            None => None,
            Some(o) => match model.monte_carlo(&spectra[k], f, &options, o) {
                Ok(mc) => Some(McReport::of(&mc, Vec::new())),
                Err(e) => {
                    failed.push(format!("{name}: Monte Carlo: {e}"));
                    None
                }
            },
        });
    }
    Ok((out, global, failed, mcs))
}

/// Runs a `spectrum` subcommand, writing to stdout through `emit`.
pub fn run(cmd: &SpectrumCmd, format: Format) -> Result<(), Failure> {
    match cmd {
        SpectrumCmd::Fit {
            files,
            model,
            crop,
            weight,
            robust_covariance,
            projection,
            curves,
            plot,
            share,
            warm_start,
            progress,
            axis,
            work_function,
            monte_carlo,
            seed,
            bootstrap,
            select,
        } => {
            let (fits, global, failed, mcs) = run_fit(&FitRequest {
                files,
                model,
                crop: crop.as_deref(),
                weight: *weight,
                robust_covariance: *robust_covariance,
                projection: *projection,
                curves: curves.as_deref(),
                plot: plot.as_deref(),
                share,
                warm_start: *warm_start,
                progress: *progress,
                select,
                axis: *axis,
                work_function: *work_function,
                monte_carlo: monte_carlo.map(|n| interphase::fit::montecarlo::MonteCarloOptions {
                    n,
                    seed: *seed,
                    resampling: if *bootstrap {
                        interphase::fit::montecarlo::Resampling::Bootstrap
                    } else {
                        interphase::fit::montecarlo::Resampling::Gaussian
                    },
                    ..Default::default()
                }),
            })?;
            crate::emit(|out| write_peak_fits(out, &fits, global.as_ref(), &mcs, format))?;
            crate::batch_status(&failed, fits.len())
        }
        SpectrumCmd::Info { file, select } => {
            let (fmt, spectra) = load(file, select)?;
            crate::emit(|out| write_info(out, file, fmt, &spectra, format))
        }
        SpectrumCmd::Baseline {
            file,
            method,
            crop,
            select,
            ..
        } => {
            let (_, spectra) = load(file, select)?;
            let mut rows = Vec::with_capacity(spectra.len());
            for s in spectra {
                let s = match crop.as_deref() {
                    Some([a, b]) => s
                        .crop(*a, *b)
                        .map_err(|e| Failure::input(format!("spectrum {:?}: {e}", s.meta.name)))?,
                    _ => s,
                };
                let baseline = compute_baseline(cmd, &s)?;
                rows.push(Corrected {
                    spectrum: s,
                    baseline,
                });
            }
            crate::emit(|out| write_baselines(out, *method, &rows, format))
        }
        SpectrumCmd::Peaks {
            file,
            prominence,
            height,
            distance,
            width,
            rel_height,
            smooth,
            select,
        } => {
            let (_, spectra) = load(file, select)?;
            let o = PeakOptions {
                prominence: prominence.map_or(Some(Interval::ANY), Interval::at_least),
                height: height.and_then(Interval::at_least),
                distance: *distance,
                width: width.and_then(Interval::at_least),
                rel_height: *rel_height,
                ..PeakOptions::default()
            };
            let mut found = Vec::new();
            for s in &spectra {
                let t = match smooth {
                    Some(w) => s
                        .savgol(*w, 2.min(w.saturating_sub(1)), 0)
                        .map_err(|e| Failure::input(format!("spectrum {:?}: {e}", s.meta.name)))?,
                    None => s.clone(),
                };
                let peaks = t
                    .find_peaks(&o)
                    .map_err(|e| Failure::input(format!("spectrum {:?}: {e}", s.meta.name)))?;
                found.push((s, peaks));
            }
            let rows: Vec<PeakRow> = found
                .iter()
                .flat_map(|(s, peaks)| {
                    peaks.iter().map(move |p| PeakRow {
                        spectrum: &s.meta.name,
                        index: p.index,
                        x: p.x.unwrap_or(f64::NAN),
                        height: p.height,
                        prominence: p.prominence,
                        width_x: p.width_x.unwrap_or(f64::NAN),
                    })
                })
                .collect();
            crate::emit(|out| write_peaks(out, &rows, format))
        }
    }
}

/// `name` as a file-name part: ASCII letters, digits, '-' and '.' kept,
/// anything else '_'.
pub(crate) fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
