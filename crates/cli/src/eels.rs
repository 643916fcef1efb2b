//! `interphase eels delta-e|thickness|quantify|valence|align|deconvolve`: EELS from the
//! command line, on any file the readers know: a spectrum, a line scan or a
//! spectrum image (every spectrum of the file, in file order). Results are
//! named quantities (`--format table|json|csv`):
//!
//! - `delta-e`: `<spectrum>.delta_e` (and `power_law_r` with a window);
//! - `thickness`: `<spectrum>.t_over_lambda`, `.threshold`, and with a mean
//!   free path `.thickness` (nm), plus `mean_free_path` once;
//! - `valence`: `<spectrum>.fraction.<reference>`, `.coefficient.<reference>`, `.redchi`;
//! - `align`: `<spectrum>.zlp_centre` (the shift removed), with `--output` the
//!   aligned spectra written to a file (`--also` / `--also-output`: a core-loss
//!   file shifted alike);
//! - `quantify`: `cross_section.<edge>` (barn) once, then
//!   `<spectrum>.<edge>.signal` (net counts), `.areal_density` (atoms/nm², with
//!   `--low-loss`) and `<spectrum>.ratio.<A>/<B>` (atomic ratios), all with σ;
//! - `deconvolve`: the deconvolved spectra (CSV, or JSON with `--format json`)
//!   to `--output` or the standard output.
//!
//! `<spectrum>` is the file name, with `[k]` when the file holds several.
//! A spectrum that fails is reported on the standard error and the others are
//! still written (exit status 1).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use interphase::spectra::Spectrum;
use interphase::spectra::eels::{self, FourierRatio, MllsOptions, MllsWeights, Threshold};
use interphase::spectra::model::{PeakFitOptions, PeakModel};

use crate::Failure;
use crate::output::{Format, Quantity};
use crate::spectrum::{file_safe as safe, input};

/// `interphase eels ...`.
#[derive(Subcommand)]
pub enum EelsCmd {
    /// Energy difference between two fitted features of each spectrum.
    DeltaE(DeltaEArgs),
    /// Log-ratio thickness t/λ of low-loss spectra, and t in nm with a mean
    /// free path (given, or from the beam energy and the density or composition).
    Thickness(ThicknessArgs),
    /// Core-loss quantification: power-law background, edge integration over
    /// Δ eV, hydrogenic (or given) cross-sections → atomic ratios, and areal
    /// densities with a low-loss file; all with standard errors.
    Quantify(QuantifyArgs),
    /// Fractions of reference spectra (e.g. Ti³⁺ and Ti⁴⁺ L₂,₃) by
    /// non-negative multiple linear least squares, with standard errors.
    Valence(ValenceArgs),
    /// Zero-loss centre of each spectrum; with --output, the spectra shifted
    /// to put it at 0 eV (and a core-loss file shifted alike).
    Align(AlignArgs),
    /// Plural-scattering removal: Fourier-log (low-loss, with --zlp) or
    /// Fourier-ratio (core-loss, with --low-loss).
    Deconvolve(DeconvolveArgs),
}

/// `eels delta-e` options.
#[derive(Args)]
pub struct DeltaEArgs {
    /// EELS spectra (every spectrum of every file is analysed).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Peak model (TOML or JSON) naming the features.
    #[arg(long)]
    pub model: PathBuf,
    /// The first feature (a peak name of the model).
    #[arg(long)]
    pub from: String,
    /// The second feature; ΔE = center(to) − center(from).
    #[arg(long)]
    pub to: String,
    /// Power-law pre-edge window LO,HI (eV) subtracted before the fit.
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
    pub window: Option<(f64, f64)>,
    /// Edge onset (eV): subtract a power law fitted over the automatic
    /// pre-edge window before it (ignored when --window is given).
    #[arg(long)]
    pub edge: Option<f64>,
    /// Fit only this energy range LO,HI (eV).
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
    pub range: Option<(f64, f64)>,
}

/// `eels thickness` options.
#[derive(Args)]
pub struct ThicknessArgs {
    /// Low-loss spectra containing the zero-loss peak.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Elastic threshold (eV): channels below it are the zero-loss
    /// intensity. Default: the intensity minimum 1–11 eV above the zero-loss centre.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Mean free path λ (nm), when known.
    #[arg(long)]
    pub mfp_nm: Option<f64>,
    /// Beam energy (keV), for a computed mean free path.
    #[arg(long)]
    pub beam_kev: Option<f64>,
    /// Collection semi-angle β (mrad).
    #[arg(long)]
    pub beta_mrad: Option<f64>,
    /// Convergence semi-angle α (mrad), with --density and --beta-mrad.
    #[arg(long)]
    pub alpha_mrad: Option<f64>,
    /// Density (g/cm³): λ by Iakoubovskii et al. (2008).
    #[arg(long)]
    pub density: Option<f64>,
    /// Composition (a formula such as Li0.33La0.56TiO3): λ by Malis et al.
    /// (Egerton eq. 5.2), with --beam-kev and --beta-mrad.
    #[arg(long)]
    pub composition: Option<String>,
    /// Folder for figures (created if needed): for a file of several
    /// spectra, one figure per per-spectrum quantity, a colour map and a map
    /// of its σ for a spectrum image (shape from the file), a profile with
    /// error bars against the spectrum index otherwise.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// How `eels quantify` measures each edge.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantMethod {
    /// Pre-edge power law and counts summed over Δ.
    Integration,
    /// Power law plus hydrogenic edges fitted to the whole spectrum.
    Model,
}

/// `eels quantify` options.
#[derive(Args)]
pub struct QuantifyArgs {
    /// Core-loss spectra (counts per channel).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Edges, comma-separated: ELEMENT:SHELL with SHELL K or L23 (hydrogenic
    /// cross-sections: K for Li … Zn, L23 for Na … Kr), or
    /// ELEMENT:SHELL@ONSET_EV=BARN for a cross-section you give (M edges,
    /// Hartree–Slater values); each may end with a background window
    /// [LO,HI] in eV. Example: Ti:L23,O:K or Ti:L23[400,445],La:M45@832=1500.
    #[arg(long, required = true)]
    pub edges: String,
    /// Beam energy (keV).
    #[arg(long)]
    pub beam_kev: f64,
    /// Collection semi-angle β (mrad).
    #[arg(long)]
    pub beta_mrad: f64,
    /// Convergence semi-angle α (mrad): Egerton's effective β is used.
    #[arg(long, default_value_t = 0.0)]
    pub alpha_mrad: f64,
    /// Integration window Δ after each onset (eV); with `--method model`, the
    /// low-loss intensity's window only.
    #[arg(long, default_value_t = 50.0)]
    pub delta: f64,
    /// Counts per data unit (1 for electron counts), for the Poisson errors.
    #[arg(long, default_value_t = 1.0)]
    pub gain: f64,
    /// Low-loss file (zero-loss peak included, same β): one spectrum for all,
    /// or one per core-loss spectrum; gives areal densities in atoms/nm².
    #[arg(long)]
    pub low_loss: Option<PathBuf>,
    /// `integration`: a power law fitted before each edge, counts summed over
    /// Δ (Egerton §4.5.1); `model`: the whole spectrum fitted as a power law
    /// plus the hydrogenic edges (amounts by variable projection, σ from the
    /// full covariance; hydrogenic edges only, no background windows).
    #[arg(long, value_enum, default_value = "integration")]
    pub method: QuantMethod,
    /// With `--method model`: the eV after each onset left out of the fit
    /// (white lines and near-edge structure the hydrogenic shape lacks).
    #[arg(long, default_value_t = 0.0, value_name = "EV")]
    pub fine_structure: f64,
    /// With `--fine-structure`: fit that region with this many cubic
    /// B-splines per edge instead of leaving it out (exspy's fine structure;
    /// knot spacing EV/(K + 3) of at least one channel). 0: left out.
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub fine_structure_knots: usize,
    /// Folder for figures (created if needed): for a file of several
    /// spectra, one figure per per-spectrum quantity, a colour map and a map
    /// of its σ for a spectrum image (shape from the file), a profile with
    /// error bars against the spectrum index otherwise.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// `eels valence` options.
#[derive(Args)]
pub struct ValenceArgs {
    /// Spectra to decompose (background-subtracted core-loss, or with --background).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Reference spectra, comma-separated files (the first spectrum of each;
    /// interpolated onto each spectrum's axis), e.g. Ti2O3.msa,TiO2.msa.
    #[arg(long, value_delimiter = ',', required = true)]
    pub references: Vec<PathBuf>,
    /// Energy window LO,HI (eV) fitted.
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
    pub window: Option<(f64, f64)>,
    /// Free background terms: 0 none, 1 constant, 2 linear, ...
    #[arg(long, default_value_t = 0)]
    pub background: usize,
    /// Scale each reference to unit area over LO,HI (eV) first, so that
    /// fractions count atoms.
    #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
    pub normalise: Option<(f64, f64)>,
    /// Weights: uniform (σ from the residuals) or poisson (counts).
    #[arg(long, default_value = "uniform", value_parser = ["uniform", "poisson"])]
    pub weights: String,
    /// Folder for figures (created if needed): for a file of several
    /// spectra, one figure per per-spectrum quantity, a colour map and a map
    /// of its σ for a spectrum image (shape from the file), a profile with
    /// error bars against the spectrum index otherwise.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// `eels align` options.
#[derive(Args)]
pub struct AlignArgs {
    /// Low-loss spectra (a line scan or image: every spectrum of the file).
    pub file: PathBuf,
    /// Write the aligned spectra here (CSV; JSON for a .json name).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// A file recorded alongside (dual EELS core-loss, the same number of
    /// spectra), shifted by the same amounts.
    #[arg(long, requires = "also_output")]
    pub also: Option<PathBuf>,
    /// Where the shifted --also spectra go.
    #[arg(long)]
    pub also_output: Option<PathBuf>,
    /// Folder for figures (created if needed): for a file of several
    /// spectra, one figure per per-spectrum quantity, a colour map and a map
    /// of its σ for a spectrum image (shape from the file), a profile with
    /// error bars against the spectrum index otherwise.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

/// `eels deconvolve` options.
#[derive(Args)]
pub struct DeconvolveArgs {
    /// The spectra to deconvolve.
    pub file: PathBuf,
    /// Fourier-log: the zero-loss peak (same channels as FILE).
    #[arg(
        long,
        conflicts_with = "low_loss",
        required_unless_present = "low_loss"
    )]
    pub zlp: Option<PathBuf>,
    /// Fourier-ratio: the low-loss spectra of the same area (same channel
    /// width; one for all, or one per spectrum of FILE).
    #[arg(long)]
    pub low_loss: Option<PathBuf>,
    /// Fourier-ratio: FWHM (eV) of the reconvolution Gaussian (default: the
    /// zero-loss peak's FWHM).
    #[arg(long)]
    pub fwhm: Option<f64>,
    /// Fourier-ratio: elastic threshold (eV) for I₀ (default: automatic).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Fourier-ratio: no power-law extrapolation of the spectra.
    #[arg(long)]
    pub no_extrapolation: bool,
    /// Write here (CSV; JSON for a .json name) instead of the standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// What an `eels` command produced: quantities, failures (messages) and the
/// number of spectra that succeeded.
pub struct EelsOutcome {
    /// Named results.
    pub rows: Vec<Quantity>,
    /// `name: message` of each spectrum that failed.
    pub failed: Vec<String>,
    /// Spectra that succeeded.
    pub succeeded: usize,
    /// Spectra to write instead of quantities (deconvolve without --output).
    pub spectra: Option<Vec<Spectrum>>,
}

/// Parses `LO,HI` (two numbers separated by a comma).
fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a, b] = parts.as_slice() else {
        return Err(format!(
            "expected LO,HI (two numbers and a comma), got {s:?}"
        ));
    };
    let num = |t: &str| {
        t.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{t:?} is not a finite number (in {s:?})"))
    };
    Ok((num(a)?, num(b)?))
}

fn load(file: &Path) -> Result<Vec<Spectrum>, Failure> {
    let v = interphase::io::read_spectra(file).map_err(input)?;
    if v.is_empty() {
        return Err(Failure::input(format!(
            "{}: no spectrum in the file",
            file.display()
        )));
    }
    Ok(v)
}

fn label(file: &Path, k: usize, n: usize) -> String {
    if n == 1 {
        file.display().to_string()
    } else {
        format!("{}[{k}]", file.display())
    }
}

/// The (ny, nx) pixel grid of a file's spectra: the `image_shape` the
/// reader recorded when every spectrum carries the same one and it holds
/// them all; otherwise none (a line scan or a series).
fn grid_of(spectra: &[Spectrum]) -> Option<(usize, usize)> {
    let shape = spectra.first()?.meta.extra.get("image_shape")?;
    if spectra
        .iter()
        .any(|s| s.meta.extra.get("image_shape") != Some(shape))
    {
        return None;
    }
    let (ny, nx) = shape.split_once(',')?;
    let (ny, nx): (usize, usize) = (ny.trim().parse().ok()?, nx.trim().parse().ok()?);
    (ny.checked_mul(nx) == Some(spectra.len()) && ny > 1 && nx > 1).then_some((ny, nx))
}

/// `--plot DIR`: the figures of one file's per-spectrum quantities (`rows`
/// holds that file's rows, named by [`label`]). Nothing for a single spectrum.
fn plot_file(
    dir: Option<&Path>,
    file: &Path,
    spectra: &[Spectrum],
    rows: &[Quantity],
) -> Result<(), Failure> {
    use std::collections::BTreeMap;
    let (Some(dir), n) = (dir, spectra.len()) else {
        return Ok(());
    };
    if n < 2 {
        eprintln!(
            "note: {}: one spectrum, no figure (--plot draws maps and profiles)",
            file.display()
        );
        return Ok(());
    }
    let prefix = file.display().to_string();
    // suffix -> (unit, values, σ), NaN where a spectrum has none
    let mut series: BTreeMap<&str, (&str, Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for q in rows {
        let Some(v) = q.value.as_f64().or(q.value.is_null().then_some(f64::NAN)) else {
            continue; // text
        };
        let Some(rest) = q
            .name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_prefix('['))
        else {
            continue;
        };
        let Some((k, suffix)) = rest
            .split_once("].")
            .and_then(|(k, s)| Some((k.parse::<usize>().ok()?, s)))
        else {
            continue;
        };
        if k >= n {
            continue;
        }
        let e = series
            .entry(suffix)
            .or_insert_with(|| (q.unit, vec![f64::NAN; n], vec![f64::NAN; n]));
        e.1[k] = v;
        e.2[k] = q.uncertainty.unwrap_or(f64::NAN);
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::other(format!("--plot {}: {e}", dir.display())))?;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "spectra".into());
    let grid = grid_of(spectra);
    let mut written = 0;
    for (suffix, (unit, v, e)) in &series {
        if !v.iter().any(|x| x.is_finite()) {
            continue;
        }
        let what = if *unit == "1" {
            (*suffix).to_string()
        } else {
            format!("{suffix} ({unit})")
        };
        let title = format!("{stem}: {suffix}");
        let path = |tail: &str| dir.join(format!("{}.{}{tail}", safe(&stem), safe(suffix)));
        let mut figures = Vec::new();
        match grid {
            Some(shape) => {
                figures.push((
                    path(".svg"),
                    interphase::plot::heatmap(&title, &what, shape, v),
                ));
                if e.iter().any(|x| x.is_finite()) {
                    figures.push((
                        path(".stderr.svg"),
                        interphase::plot::heatmap(
                            &format!("{title}, standard error"),
                            &format!("σ of {what}"),
                            shape,
                            e,
                        ),
                    ));
                }
            }
            None => {
                use interphase::plot::{Series, XyPlot};
                let x: Vec<f64> = (0..n).map(|k| k as f64).collect();
                let mut s = Series::points(suffix, &x, v);
                if e.iter().any(|x| x.is_finite()) {
                    s = s.with_errors(e);
                }
                figures.push((
                    path(".svg"),
                    XyPlot::new(&title)
                        .x_label("spectrum index (file order)")
                        .y_label(&what)
                        .series(s)
                        .draw(),
                ));
            }
        }
        for (path, fig) in figures {
            fig.and_then(|f| f.save(&path))
                .map_err(|e| Failure::other(format!("--plot {}: {e}", path.display())))?;
            written += 1;
        }
    }
    eprintln!(
        "wrote {written} figure{} of {} to {}",
        if written == 1 { "" } else { "s" },
        file.display(),
        dir.display()
    );
    Ok(())
}

fn write_spectra_file(path: &Path, spectra: &[Spectrum]) -> Result<(), Failure> {
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        interphase::io::write::write_json(spectra)
    } else {
        interphase::io::write::write_csv(spectra)
    }
    .map_err(|e| Failure::other(format!("{}: {e}", path.display())))?;
    std::fs::write(path, text)
        .map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))
}

/// Runs an `eels` subcommand.
pub fn run(cmd: &EelsCmd) -> Result<EelsOutcome, Failure> {
    match cmd {
        EelsCmd::DeltaE(a) => delta_e(a),
        EelsCmd::Thickness(a) => thickness(a),
        EelsCmd::Quantify(a) => quantify(a),
        EelsCmd::Valence(a) => valence(a),
        EelsCmd::Align(a) => align(a),
        EelsCmd::Deconvolve(a) => deconvolve(a),
    }
}

fn outcome(rows: Vec<Quantity>) -> EelsOutcome {
    EelsOutcome {
        rows,
        failed: Vec::new(),
        succeeded: 0,
        spectra: None,
    }
}

fn delta_e(a: &DeltaEArgs) -> Result<EelsOutcome, Failure> {
    let model = PeakModel::from_path(&a.model).map_err(input)?;
    let mut rows = Vec::new();
    for file in &a.files {
        let spectra = interphase::io::read_spectra(file).map_err(input)?;
        for (k, s) in spectra.iter().enumerate() {
            let name = label(file, k, spectra.len());
            let ctx = |e: interphase::spectra::Error| Failure::input(format!("{name}: {e}"));
            let mut s = s.clone();
            let subtracted = match (&a.window, a.edge) {
                (Some(w), _) => Some(eels::subtract_power_law(&s, *w)),
                (None, Some(edge)) => Some(eels::subtract_power_law_before(&s, edge)),
                (None, None) => None,
            };
            if let Some(r) = subtracted {
                let (net, law) = r.map_err(ctx)?;
                rows.push(Quantity::num(
                    format!("{name}.power_law_r"),
                    law.r,
                    None,
                    "1",
                ));
                s = net;
            }
            if let Some(r) = &a.range {
                s = s.crop(r.0, r.1).map_err(ctx)?;
            }
            let fit = model.fit(&s, &PeakFitOptions::default()).map_err(ctx)?;
            let de = eels::delta_e(&fit, &a.from, &a.to).map_err(ctx)?;
            rows.push(Quantity::num(
                format!("{name}.delta_e"),
                de.value,
                de.stderr,
                "eV",
            ));
        }
    }
    Ok(outcome(rows))
}

/// The mean free path from the options, with a line saying how it was obtained.
fn mean_free_path(a: &ThicknessArgs) -> Result<Option<(f64, String)>, Failure> {
    let bad = |e: interphase::spectra::Error| Failure::input(e.to_string());
    if let Some(l) = a.mfp_nm {
        if !(l.is_finite() && l > 0.0) {
            return Err(Failure::input(format!("--mfp-nm {l} must be > 0")));
        }
        return Ok(Some((l, "given".into())));
    }
    match (a.beam_kev, a.density, &a.composition) {
        (None, None, None) => Ok(None),
        (Some(e0), Some(rho), None) => {
            let angles = match (a.alpha_mrad, a.beta_mrad) {
                (Some(al), Some(be)) => Some((al, be)),
                (None, Some(be)) => Some((0.0, be)),
                (Some(_), None) => {
                    return Err(Failure::input("--alpha-mrad needs --beta-mrad".to_string()));
                }
                (None, None) => None,
            };
            let l = eels::mean_free_path_iakoubovskii(e0, rho, angles).map_err(bad)?;
            Ok(Some((l, "Iakoubovskii et al. 2008 (density)".into())))
        }
        (Some(e0), None, Some(formula)) => {
            let Some(beta) = a.beta_mrad else {
                return Err(Failure::input(
                    "the Malis mean free path (--composition) needs --beta-mrad".to_string(),
                ));
            };
            let f = interphase::materials::Formula::parse(formula).map_err(input)?;
            let comp: Vec<(u32, f64)> = f.amounts().iter().map(|(e, n)| (e.z(), *n)).collect();
            let zeff = eels::effective_z(&comp).map_err(bad)?;
            let l = eels::mean_free_path_malis(e0, beta, zeff).map_err(bad)?;
            Ok(Some((l, format!("Malis et al. 1988, Z_eff = {zeff:.3}"))))
        }
        (Some(_), Some(_), Some(_)) => Err(Failure::input(
            "give either --density (Iakoubovskii) or --composition (Malis), not both".to_string(),
        )),
        _ => Err(Failure::input(
            "a computed mean free path needs --beam-kev and either --density or --composition \
             (with --beta-mrad); or give --mfp-nm"
                .to_string(),
        )),
    }
}

fn thickness(a: &ThicknessArgs) -> Result<EelsOutcome, Failure> {
    let mfp = mean_free_path(a)?;
    let threshold = match a.threshold {
        Some(t) => Threshold::Fixed(t),
        None => Threshold::default(),
    };
    let mut out = outcome(Vec::new());
    if let Some((l, how)) = &mfp {
        out.rows
            .push(Quantity::num("mean_free_path", *l, None, "nm"));
        out.rows
            .push(Quantity::text("mean_free_path.source", how.clone()));
    }
    for file in &a.files {
        let spectra = load(file)?;
        let start = out.rows.len();
        for (k, s) in spectra.iter().enumerate() {
            let name = label(file, k, spectra.len());
            match eels::log_ratio_thickness_auto(s.x(), s.y(), threshold) {
                Ok(t) => {
                    out.succeeded += 1;
                    let tl = t.t_over_lambda;
                    out.rows.push(Quantity::num(
                        format!("{name}.t_over_lambda"),
                        tl.value,
                        tl.stderr,
                        "1",
                    ));
                    out.rows.push(Quantity::num(
                        format!("{name}.threshold"),
                        t.threshold_ev,
                        None,
                        "eV",
                    ));
                    if let Some((l, _)) = mfp {
                        let tn = t.thickness_nm(l);
                        out.rows.push(Quantity::num(
                            format!("{name}.thickness"),
                            tn.value,
                            tn.stderr,
                            "nm",
                        ));
                    }
                }
                Err(e) => out.failed.push(format!("{name}: {e}")),
            }
        }
        plot_file(a.plot.as_deref(), file, &spectra, &out.rows[start..])?;
    }
    Ok(out)
}

fn quantify(a: &QuantifyArgs) -> Result<EelsOutcome, Failure> {
    let edges = eels::EdgeSpec::parse_list(&a.edges).map_err(input)?;
    if a.method == QuantMethod::Model {
        return quantify_model(a, &edges);
    }
    let options = eels::QuantifyOptions {
        optics: eels::Optics {
            beam_kev: a.beam_kev,
            beta_mrad: a.beta_mrad,
            alpha_mrad: a.alpha_mrad,
        },
        delta_ev: a.delta,
        gain: a.gain,
    };
    let low_loss: LowLoss = match &a.low_loss {
        Some(f) => Some((f.clone(), load(f)?)),
        None => None,
    };
    let mut out = outcome(Vec::new());
    let mut sections_written = false;
    for file in &a.files {
        let spectra = load(file)?;
        low_loss_for(&low_loss, file, spectra.len())?;
        let start = out.rows.len();
        for (k, s) in spectra.iter().enumerate() {
            let name = label(file, k, spectra.len());
            let q = (|| {
                let il = match &low_loss {
                    Some((_, ll)) => {
                        let l = &ll[if ll.len() == 1 { 0 } else { k }];
                        Some(eels::low_loss_intensity(l.x(), l.y(), a.delta, a.gain)?)
                    }
                    None => None,
                };
                eels::quantify(s.x(), s.y(), &edges, &options, il)
            })();
            match q {
                Ok(q) => {
                    out.succeeded += 1;
                    if !sections_written {
                        sections_written = true;
                        for (e, b) in q.edges.iter().zip(&q.effective_beta_mrad) {
                            let key = e.label.replace(' ', "_");
                            out.rows.push(Quantity::num(
                                format!("cross_section.{key}"),
                                e.cross_section_barn,
                                None,
                                "barn",
                            ));
                            if a.alpha_mrad > 0.0 {
                                out.rows.push(Quantity::num(
                                    format!("effective_beta.{key}"),
                                    *b,
                                    None,
                                    "mrad",
                                ));
                            }
                        }
                    }
                    for e in &q.edges {
                        let key = e.label.replace(' ', "_");
                        out.rows.push(Quantity::num(
                            format!("{name}.{key}.signal"),
                            e.signal.value,
                            e.signal.stderr,
                            "counts",
                        ));
                        out.rows.push(Quantity::num(
                            format!("{name}.{key}.power_law_r"),
                            e.background.r,
                            None,
                            "1",
                        ));
                    }
                    density_and_ratio_rows(
                        &mut out.rows,
                        &name,
                        q.edges.iter().map(|e| (e.label.as_str(), e.areal_density)),
                        &q.ratios,
                    );
                }
                Err(e) => out.failed.push(format!("{name}: {e}")),
            }
        }
        plot_file(a.plot.as_deref(), file, &spectra, &out.rows[start..])?;
    }
    Ok(out)
}

/// The low-loss file's spectra, checked against a core-loss file's count.
type LowLoss = Option<(PathBuf, Vec<Spectrum>)>;

fn low_loss_for(ll: &LowLoss, file: &Path, n: usize) -> Result<(), Failure> {
    if let Some((lf, ll)) = ll
        && ll.len() != 1
        && ll.len() != n
    {
        return Err(Failure::input(format!(
            "{} holds {} low-loss spectra and {} holds {n} core-loss spectra: give one low-loss spectrum, or one per core-loss spectrum",
            lf.display(),
            ll.len(),
            file.display(),
        )));
    }
    Ok(())
}

/// The rows both methods write after their per-edge quantity: each edge's
/// areal density (with a low-loss intensity) and every atomic ratio.
fn density_and_ratio_rows<'a>(
    rows: &mut Vec<Quantity>,
    name: &str,
    densities: impl Iterator<Item = (&'a str, Option<interphase::spectra::model::Estimate>)>,
    ratios: &[eels::Ratio],
) {
    for (label, n) in densities {
        if let Some(n) = n {
            rows.push(Quantity::num(
                format!("{name}.{}.areal_density", label.replace(' ', "_")),
                n.value,
                n.stderr,
                "nm^-2",
            ));
        }
    }
    for r in ratios {
        rows.push(Quantity::num(
            format!("{name}.ratio.{}", r.label),
            r.value.value,
            r.value.stderr,
            "1",
        ));
    }
}

/// `eels quantify --method model`: one [`eels::EdgeModel`] per energy axis.
fn quantify_model(a: &QuantifyArgs, specs: &[eels::EdgeSpec]) -> Result<EelsOutcome, Failure> {
    let edges = eels::model_edges(specs).map_err(input)?;
    let options = eels::EdgeModelOptions {
        fine_structure_ev: a.fine_structure,
        fine_structure_knots: a.fine_structure_knots,
        gain: a.gain,
        ..eels::EdgeModelOptions::new(eels::Optics {
            beam_kev: a.beam_kev,
            beta_mrad: a.beta_mrad,
            alpha_mrad: a.alpha_mrad,
        })
    };
    let low_loss: LowLoss = match &a.low_loss {
        Some(f) => Some((f.clone(), load(f)?)),
        None => None,
    };
    let mut out = outcome(Vec::new());
    let mut cache: Option<(Vec<f64>, eels::EdgeModel)> = None;
    for file in &a.files {
        let spectra = load(file)?;
        low_loss_for(&low_loss, file, spectra.len())?;
        let start = out.rows.len();
        for (k, s) in spectra.iter().enumerate() {
            let name = label(file, k, spectra.len());
            let q = (|| {
                let il = match &low_loss {
                    Some((_, ll)) => {
                        let l = &ll[if ll.len() == 1 { 0 } else { k }];
                        Some(eels::low_loss_intensity(l.x(), l.y(), a.delta, a.gain)?)
                    }
                    None => None,
                };
                if cache.as_ref().is_none_or(|(x, _)| x.as_slice() != s.x()) {
                    let m = eels::EdgeModel::new(s.x(), &edges, &options)?;
                    cache = Some((s.x().to_vec(), m));
                }
                let (_, model) = cache.as_ref().expect("set above");
                model.fit(s.y(), il)
            })();
            match q {
                Ok(q) => {
                    out.succeeded += 1;
                    for w in &q.fit.warnings {
                        eprintln!("warning: {name}: {w}");
                    }
                    if !q.fit.converged {
                        eprintln!(
                            "warning: {name}: the fit did not converge: {}",
                            q.fit.termination.message()
                        );
                    }
                    out.rows.push(Quantity::num(
                        format!("{name}.power_law_r"),
                        q.background.1.value,
                        q.background.1.stderr,
                        "1",
                    ));
                    out.rows.push(Quantity::num(
                        format!("{name}.reduced_chi_square"),
                        q.fit.reduced_chi_square,
                        None,
                        "1",
                    ));
                    for e in &q.edges {
                        out.rows.push(Quantity::num(
                            format!("{name}.{}.amount", e.label.replace(' ', "_")),
                            e.amount.value,
                            e.amount.stderr,
                            "counts/barn",
                        ));
                    }
                    density_and_ratio_rows(
                        &mut out.rows,
                        &name,
                        q.edges.iter().map(|e| (e.label.as_str(), e.areal_density)),
                        &q.ratios,
                    );
                }
                Err(e) => out.failed.push(format!("{name}: {e}")),
            }
        }
        plot_file(a.plot.as_deref(), file, &spectra, &out.rows[start..])?;
    }
    Ok(out)
}

fn valence(a: &ValenceArgs) -> Result<EelsOutcome, Failure> {
    let mut refs: Vec<(String, Spectrum)> = Vec::new();
    for r in &a.references {
        let s = load(r)?.swap_remove(0);
        let s = match &a.normalise {
            Some(w) => {
                let y = eels::normalise_area(s.x(), s.y(), *w)
                    .map_err(|e| Failure::input(format!("{}: {e}", r.display())))?;
                Spectrum::new(s.x().to_vec(), y).map_err(input)?
            }
            None => s,
        };
        let stem = r
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        refs.push((stem, s));
    }
    let options = MllsOptions {
        window_ev: a.window,
        background_terms: a.background,
        weights: if a.weights == "poisson" {
            MllsWeights::Poisson
        } else {
            MllsWeights::Uniform
        },
    };
    let mut out = outcome(Vec::new());
    for file in &a.files {
        let spectra = load(file)?;
        let start = out.rows.len();
        for (k, s) in spectra.iter().enumerate() {
            let name = label(file, k, spectra.len());
            let fit = (|| {
                // references on this spectrum's axis, over the fitted window only
                let (lo, hi) = options
                    .window_ev
                    .unwrap_or((f64::NEG_INFINITY, f64::INFINITY));
                let keep: Vec<usize> = (0..s.len())
                    .filter(|&i| s.x()[i] >= lo.min(hi) && s.x()[i] <= hi.max(lo))
                    .collect();
                let e: Vec<f64> = keep.iter().map(|&i| s.x()[i]).collect();
                let y: Vec<f64> = keep.iter().map(|&i| s.y()[i]).collect();
                let on_axis: Vec<Vec<f64>> = refs
                    .iter()
                    .map(|(n, r)| {
                        eels::interpolate(r.x(), r.y(), &e).map_err(|err| {
                            interphase::spectra::Error::Invalid(format!("reference {n}: {err}"))
                        })
                    })
                    .collect::<Result<_, _>>()?;
                let named: Vec<(&str, &[f64])> = refs
                    .iter()
                    .zip(&on_axis)
                    .map(|((n, _), v)| (n.as_str(), v.as_slice()))
                    .collect();
                eels::mlls(
                    &e,
                    &y,
                    &named,
                    &MllsOptions {
                        window_ev: None,
                        ..options
                    },
                )
            })();
            match fit {
                Ok(f) => {
                    out.succeeded += 1;
                    for (i, n) in f.names.iter().enumerate() {
                        let fr = f.fractions[i];
                        out.rows.push(Quantity::num(
                            format!("{name}.fraction.{n}"),
                            fr.value,
                            Some(fr.stderr.unwrap_or(f64::NAN)),
                            "1",
                        ));
                        let c = f.coefficients[i];
                        out.rows.push(Quantity::num(
                            format!("{name}.coefficient.{n}"),
                            c.value,
                            Some(c.stderr.unwrap_or(f64::NAN)),
                            "1",
                        ));
                        if f.at_bound[i] {
                            out.rows.push(Quantity::text(
                                format!("{name}.at_bound.{n}"),
                                "held at 0 by the non-negativity bound: no standard error",
                            ));
                        }
                    }
                    out.rows
                        .push(Quantity::num(format!("{name}.redchi"), f.redchi, None, "1"));
                }
                Err(e) => out.failed.push(format!("{name}: {e}")),
            }
        }
        plot_file(a.plot.as_deref(), file, &spectra, &out.rows[start..])?;
    }
    Ok(out)
}

/// The spectra of a file as one image (a line of n pixels), when they share
/// an axis.
fn as_line(file: &Path, spectra: &[Spectrum]) -> Result<eels::SpectrumImage, Failure> {
    eels::SpectrumImage::from_spectra(spectra, (1, spectra.len()))
        .map_err(|e| Failure::input(format!("{}: {e}", file.display())))
}

fn image_spectra(img: &eels::SpectrumImage, like: &[Spectrum]) -> Result<Vec<Spectrum>, Failure> {
    (0..img.pixels())
        .map(|p| {
            let s = Spectrum::with_shared_x(img.shared_energy(), img.pixel(p).to_vec())
                .map_err(input)?;
            Ok(s.with_meta(like[p].meta.clone()))
        })
        .collect()
}

fn align(a: &AlignArgs) -> Result<EelsOutcome, Failure> {
    let spectra = load(&a.file)?;
    let img = as_line(&a.file, &spectra)?;
    let also = match &a.also {
        Some(f) => {
            let s = load(f)?;
            if s.len() != spectra.len() {
                return Err(Failure::input(format!(
                    "{} holds {} spectra, {} holds {}: --also needs one per low-loss spectrum",
                    f.display(),
                    s.len(),
                    a.file.display(),
                    spectra.len()
                )));
            }
            let line = as_line(f, &s)?;
            Some((s, line))
        }
        None => None,
    };
    let others: Vec<&eels::SpectrumImage> = also.iter().map(|(_, l)| l).collect();
    let al = img
        .align_zlp(&others)
        .map_err(|e| Failure::input(format!("{}: {e}", a.file.display())))?;
    let mut out = outcome(Vec::new());
    for (k, (c, s)) in al.shifts.value.iter().zip(&al.shifts.stderr).enumerate() {
        // σ from counting statistics (NaN: none, e.g. a clamped vertex)
        out.rows.push(Quantity::num(
            format!("{}.zlp_centre", label(&a.file, k, spectra.len())),
            *c,
            Some(*s),
            "eV",
        ));
    }
    out.succeeded = spectra.len();
    plot_file(a.plot.as_deref(), &a.file, &spectra, &out.rows)?;
    if let Some(p) = &a.output {
        write_spectra_file(p, &image_spectra(&al.image, &spectra)?)?;
    }
    if let (Some((s, _)), Some(p)) = (&also, &a.also_output) {
        write_spectra_file(p, &image_spectra(&al.others[0], s)?)?;
    }
    Ok(out)
}

fn deconvolve(a: &DeconvolveArgs) -> Result<EelsOutcome, Failure> {
    let spectra = load(&a.file)?;
    let mut out = outcome(Vec::new());
    let mut result = Vec::new();
    let zlp = a.zlp.as_ref().map(|p| load(p)).transpose()?;
    let low = a.low_loss.as_ref().map(|p| load(p)).transpose()?;
    if let Some(l) = &low
        && l.len() != 1
        && l.len() != spectra.len()
    {
        return Err(Failure::input(format!(
            "--low-loss holds {} spectra; give one, or one per spectrum of {} ({})",
            l.len(),
            a.file.display(),
            spectra.len()
        )));
    }
    let options = FourierRatio {
        fwhm_ev: a.fwhm,
        threshold_ev: a.threshold,
        extrapolate: !a.no_extrapolation,
    };
    for (k, s) in spectra.iter().enumerate() {
        let name = label(&a.file, k, spectra.len());
        let r = match (&zlp, &low) {
            (Some(z), _) => {
                let z = &z[k.min(z.len() - 1)];
                eels::fourier_log_deconvolution(s.x(), s.y(), z.y())
            }
            (None, Some(l)) => {
                let l = &l[k.min(l.len() - 1)];
                eels::fourier_ratio_deconvolution(s.x(), s.y(), l.x(), l.y(), &options)
            }
            (None, None) => unreachable!("clap requires --zlp or --low-loss"),
        };
        match r.and_then(|y| Spectrum::with_shared_x(s.shared_x(), y)) {
            Ok(d) => {
                out.succeeded += 1;
                let mut meta = s.meta.clone();
                meta.name = format!("{} deconvolved", meta.name);
                result.push(d.with_meta(meta));
            }
            Err(e) => out.failed.push(format!("{name}: {e}")),
        }
    }
    match &a.output {
        Some(p) if !result.is_empty() => write_spectra_file(p, &result)?,
        Some(_) => {}
        None => out.spectra = Some(result),
    }
    Ok(out)
}

/// Writes deconvolved spectra to the standard output: JSON for
/// `--format json`, CSV otherwise.
pub fn write_spectra(
    out: &mut impl std::io::Write,
    spectra: &[Spectrum],
    format: Format,
) -> std::io::Result<()> {
    if spectra.is_empty() {
        return Ok(());
    }
    let text = match format {
        Format::Json => interphase::io::write::write_json(spectra),
        _ => interphase::io::write::write_csv(spectra),
    }
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spectra of a `shape` image (or plain spectra with `None`).
    fn spectra(n: usize, shape: Option<&str>) -> Vec<Spectrum> {
        (0..n)
            .map(|_| {
                let mut s = Spectrum::new(vec![0.0, 1.0], vec![1.0, 2.0]).unwrap();
                if let Some(sh) = shape {
                    s.meta.extra.insert("image_shape".into(), sh.into());
                }
                s
            })
            .collect()
    }

    fn rows(file: &Path, n: usize, skip: usize) -> Vec<Quantity> {
        let mut r = vec![Quantity::num("mean_free_path", 120.0, None, "nm")];
        for k in (0..n).filter(|&k| k != skip) {
            let name = label(file, k, n);
            r.push(Quantity::num(
                format!("{name}.t_over_lambda"),
                0.3 + 0.01 * k as f64,
                Some(0.002),
                "1",
            ));
            r.push(Quantity::num(
                format!("{name}.thickness"),
                36.0 + k as f64,
                None,
                "nm",
            ));
            r.push(Quantity::text(
                format!("{name}.note"),
                "text is not plotted",
            ));
        }
        r
    }

    #[test]
    fn plot_draws_maps_for_images_and_profiles_for_series() {
        let dir = std::env::temp_dir().join(format!("interphase-eels-plot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = Path::new("some/where/si.dm4");
        // a 2 × 3 image with pixel 4 failed: value and σ maps, the gap counted
        plot_file(
            Some(&dir),
            file,
            &spectra(6, Some("2,3")),
            &rows(file, 6, 4),
        )
        .unwrap();
        let map = std::fs::read_to_string(dir.join("si.t_over_lambda.svg")).unwrap();
        assert!(map.contains("data:image/png;base64,") && map.contains("no value: 1 pixel"));
        let sd = std::fs::read_to_string(dir.join("si.t_over_lambda.stderr.svg")).unwrap();
        assert!(sd.contains("σ of t_over_lambda"), "{sd}");
        // thickness has no σ: its map only
        assert!(dir.join("si.thickness.svg").exists());
        assert!(!dir.join("si.thickness.stderr.svg").exists());
        assert!(!dir.join("si.note.svg").exists());
        // a shape that does not hold every spectrum is not an image: a profile
        let file = Path::new("line.csv");
        plot_file(
            Some(&dir),
            file,
            &spectra(5, Some("2,3")),
            &rows(file, 5, 9),
        )
        .unwrap();
        let p = std::fs::read_to_string(dir.join("line.t_over_lambda.svg")).unwrap();
        assert!(p.contains("spectrum index") && !p.contains("data:image/png"));
        // one spectrum: no figure
        let file = Path::new("one.csv");
        plot_file(Some(&dir), file, &spectra(1, None), &rows(file, 1, 9)).unwrap();
        assert!(!dir.join("one.t_over_lambda.svg").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
