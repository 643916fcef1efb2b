//! `interphase eis fit FILE... --circuit C`: CNLS fits of an equivalent
//! circuit to impedance files (CSV/TSV, EC-Lab .mpt, Gamry .DTA, ZPlot .z),
//! files fitted in parallel, results in input order. Output as `nist`:
//! `{"fits":[{"name", "converged", "termination", "chi_square",
//! "reduced_chi_square", "n_evaluations", "parameters":[{"name", "value",
//! "stderr", "vary"}]}]}` with parameters in circuit order (`R0`, `CPE1.Q`,
//! `CPE1.alpha`, ...). Without `--initial` (or with `--guess auto`, the
//! default) the starts come from the Nyquist plot and a multi-start.
//! `--share NAME,...` fits all files at once with those parameters shared
//! (e.g. `CPE1.alpha` across a temperature series): one entry per file with
//! its own values (shared ones included), then an entry named `global` with
//! the whole fit (shared names plain, the others suffixed `@<file index>`).

use std::path::PathBuf;

use crate::output::{FitExtras, McReport};
use clap::{Args, ValueEnum};
use interphase::eis::fit::{
    FitOptions, Weighting, circuit_parameters, fit_circuit_batch, fit_circuit_global,
    monte_carlo_circuit,
};
use interphase::eis::{Circuit, ImpedanceSpectrum};
use interphase::fit::FitResult;
use interphase::fit::montecarlo::{MonteCarloOptions, Resampling};
use interphase::io as files;

use crate::Failure;
use crate::output::Quantity;

/// Residual weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Weight {
    /// wᵢ = 1.
    Unit,
    /// wᵢ = 1/|Zᵢ| (relative errors).
    Proportional,
    /// wᵢ = 1/√|Zᵢ|.
    Modulus,
}

/// Where the starting values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Guess {
    /// Read off the Nyquist plot (intercept, arc apices, tail), multi-start,
    /// best χ² kept.
    Auto,
}

/// Which data of an impedance file: options shared by every `eis` command.
#[derive(Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Which spectrum of a file that holds several (sweeps, cycles, curves):
    /// a 1-based number or a name as `interphase info` lists it
    /// (`cell #2`, `cycle 3`). Without it, every command works on every
    /// spectrum of the file, in order (`FILE #k`).
    #[arg(long, value_name = "N|NAME")]
    pub spectrum: Option<String>,
    /// The impedance columns, for a table whose header does not identify
    /// them: FREQ,RE,IM as names or 1-based numbers, a leading '-' for a
    /// column that holds the negative (e.g. `1,2,-3`).
    #[arg(long, value_name = "FREQ,RE,IM", allow_hyphen_values = true)]
    pub columns: Option<String>,
}

impl InputArgs {
    /// Every selected spectrum of a file, named `FILE` (one) or `FILE #k`;
    /// the reader's warnings go to stderr.
    pub fn load_all(
        &self,
        path: &std::path::Path,
    ) -> Result<Vec<(String, ImpedanceSpectrum)>, Failure> {
        let name = path.display().to_string();
        let mut o = files::ReadOptions::default();
        if let Some(c) = &self.columns {
            o.columns = Some(
                files::columns::ColumnChoice::parse(c)
                    .map_err(|e| Failure::input(e.to_string()))?,
            );
        }
        let file = files::read_impedance(path, &o).map_err(|e| Failure::input(e.to_string()))?;
        for w in &file.warnings {
            eprintln!("warning: {name}: {w}");
        }
        if let Some(which) = &self.spectrum {
            let r = files::impedance::select(&file, which)
                .map_err(|e| Failure::input(e.to_string()))?;
            let label = if file.records.len() > 1 {
                format!("{name} #{}", r.index + 1)
            } else {
                name
            };
            return Ok(vec![(label, r.spectrum)]);
        }
        let n = file.records.len();
        Ok(file
            .records
            .into_iter()
            .map(|r| {
                let label = if n > 1 {
                    format!("{name} #{}", r.index + 1)
                } else {
                    name.clone()
                };
                (label, r.spectrum)
            })
            .collect())
    }
}

/// `eis fit` arguments.
#[derive(Args, Debug, Clone)]
pub struct FitArgs {
    /// Impedance files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Circuit in impedance.py syntax, e.g. "R0-p(R1,CPE1)-p(R2,CPE2)".
    #[arg(long)]
    pub circuit: String,
    /// Residual weighting (default proportional, 1/|Z|: the noise of
    /// impedance analysers is proportional to |Z|; `unit` is impedance.py's).
    #[arg(long, value_enum, default_value_t = Weight::Proportional)]
    pub weight: Weight,
    /// Starting values in circuit order, comma-separated (default: automatic guesses).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub initial: Option<Vec<f64>>,
    /// Automatic starting values (the default without --initial).
    #[arg(long, value_enum, conflicts_with = "initial")]
    pub guess: Option<Guess>,
    /// Fit all files at once sharing these parameters (comma-separated, e.g.
    /// `CPE1.alpha,CPE2.alpha`).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAME,...",
        conflicts_with = "initial"
    )]
    pub share: Vec<String>,
    /// Report progress on stderr (automatic on a terminal for 64+ files).
    #[arg(long)]
    pub progress: bool,
    /// Monte Carlo uncertainties: refit N synthetic spectra drawn from each
    /// fit and its noise, in parallel, and report each parameter's and
    /// derived quantity's spread (std, 68 % and 95 % intervals) beside the
    /// covariance errors.
    #[arg(long, value_name = "N", conflicts_with = "share")]
    pub monte_carlo: Option<usize>,
    /// Seed of the Monte Carlo draws (the same seed, the same draws).
    #[arg(long, default_value_t = 1, requires = "monte_carlo")]
    pub seed: u64,
    /// Draw the Monte Carlo noise from the fit's own residuals (residual
    /// bootstrap) instead of a Gaussian.
    #[arg(long, requires = "monte_carlo")]
    pub bootstrap: bool,
    /// Drop inductive points (Im Z > 0) first.
    #[arg(long)]
    pub drop_inductive: bool,
    /// Robust (sandwich, HC3) covariance: standard errors that stay right
    /// when the noise does not follow the weighting.
    #[arg(long)]
    pub robust_covariance: bool,
    /// Lowest frequency kept, Hz.
    #[arg(long)]
    pub fmin: Option<f64>,
    /// Highest frequency kept, Hz.
    #[arg(long)]
    pub fmax: Option<f64>,
    /// Which spectra and columns of the files.
    #[command(flatten)]
    pub input: InputArgs,
}

/// A file's spectra, read and cropped as the options say.
fn load(a: &FitArgs, path: &std::path::Path) -> Result<Vec<(String, ImpedanceSpectrum)>, Failure> {
    a.input
        .load_all(path)?
        .into_iter()
        .map(|(name, d)| Ok((name.clone(), prepare(a, &name, d)?)))
        .collect()
}

fn prepare(
    a: &FitArgs,
    name: &str,
    mut data: ImpedanceSpectrum,
) -> Result<ImpedanceSpectrum, Failure> {
    if a.drop_inductive {
        data = data
            .without_inductive()
            .map_err(|e| Failure::input(format!("{name}: {e}")))?;
    }
    if a.fmin.is_some() || a.fmax.is_some() {
        data = data
            .crop(a.fmin.unwrap_or(0.0), a.fmax.unwrap_or(f64::INFINITY))
            .map_err(|e| Failure::input(format!("{name}: {e}")))?;
    }
    Ok(data)
}

fn options(a: &FitArgs) -> FitOptions {
    let weighting = match a.weight {
        Weight::Unit => Weighting::Unit,
        Weight::Proportional => Weighting::Proportional,
        Weight::Modulus => Weighting::Modulus,
    };
    let mut o = FitOptions {
        weighting,
        ..Default::default()
    };
    o.lm.robust_covariance = a.robust_covariance;
    o
}

/// `--share`: one global fit of every file.
/// Every spectrum of every file, in order, with its name.
/// Names and spectra of the files that could be read, and the messages of
/// those that could not (`FILE: message`).
type Loaded = (Vec<String>, Vec<ImpedanceSpectrum>, Vec<String>);

/// The spectra of every file. With `tolerant` (a batch), a file that
/// cannot be read or prepared is reported in the third list (`FILE:
/// message`) and the others go on; an error only when no file could be read.
/// Without it (a global fit needs every file), the first error stops.
fn load_files(a: &FitArgs, tolerant: bool) -> Result<Loaded, Failure> {
    let mut names = Vec::new();
    let mut data = Vec::new();
    let mut failed = Vec::new();
    for p in &a.files {
        match load(a, p) {
            Ok(list) => {
                for (n, d) in list {
                    names.push(n);
                    data.push(d);
                }
            }
            Err(e) if tolerant => {
                failed.push(e.about_file(p));
            }
            Err(e) => return Err(e),
        }
    }
    if data.is_empty() && !failed.is_empty() {
        return Err(Failure::input(failed.join("\n")));
    }
    Ok((names, data, failed))
}

/// A global fit: one entry per file (its derived quantities with σ from the
/// global covariance, so that a shared parameter's uncertainty is carried),
/// then the entry `global`.
fn fit_shared(a: &FitArgs, circuit: &Circuit) -> Result<CircuitFits, Failure> {
    let (names, data, _) = load_files(a, false)?;
    let shared: Vec<&str> = a.share.iter().map(String::as_str).collect();
    let g = fit_circuit_global(circuit, &data, &shared, &options(a))
        .map_err(|e| Failure::input(format!("--share: {e}")))?;
    let mut fits = Vec::with_capacity(names.len() + 1);
    let mut extras = Vec::with_capacity(names.len() + 1);
    for (n, f) in names.into_iter().zip(g.fits) {
        extras.push(FitExtras {
            derived: f.derived(),
            monte_carlo: None,
        });
        fits.push((n, f.result));
    }
    fits.push(("global".into(), g.result));
    extras.push(FitExtras::default());
    Ok((fits, extras, Vec::new()))
}

/// Runs `eis fit`: the files are read in order, then fitted in parallel
/// (`fit_circuit_batch`), results in input order.
/// Named circuit fits with what else each reports (derived quantities,
/// Monte Carlo spreads), and the files whose fit failed (`FILE: message`): a
/// failure does not lose the other files' results.
pub type CircuitFits = (Vec<(String, FitResult)>, Vec<FitExtras>, Vec<String>);

pub fn run_fit(a: &FitArgs) -> Result<CircuitFits, Failure> {
    let circuit: Circuit = a
        .circuit
        .parse()
        .map_err(|e: interphase::eis::Error| Failure::input(e.to_string()))?;
    if !a.share.is_empty() {
        return fit_shared(a, &circuit);
    }
    let (names, data, load_failed) = load_files(a, true)?;
    let initial = match &a.initial {
        Some(v) => {
            Some(circuit_parameters(&circuit, v).map_err(|e| Failure::input(e.to_string()))?)
        }
        None => None,
    };
    let line = crate::output::ProgressLine::new(data.len(), a.progress);
    let report = |p| {
        if let Some(l) = &line {
            l.report(p)
        }
    };
    let fits = fit_circuit_batch(
        &circuit,
        &data,
        initial.as_ref(),
        &options(a),
        Some(&report),
    );
    if let Some(l) = &line {
        l.finish();
    }
    let mc_options = a.monte_carlo.map(|n| MonteCarloOptions {
        n,
        seed: a.seed,
        resampling: if a.bootstrap {
            Resampling::Bootstrap
        } else {
            Resampling::Gaussian
        },
        ..MonteCarloOptions::default()
    });
    let mut out = (Vec::new(), Vec::new(), load_failed);
    for ((name, r), d) in names.into_iter().zip(fits).zip(&data) {
        match r {
            Ok(f) => {
                let monte_carlo = match &mc_options {
                    None => None,
                    Some(o) => match monte_carlo_circuit(&f, d, initial.as_ref(), &options(a), o) {
                        Ok(mc) => Some(McReport::of(&mc, f.derived_spreads(&mc))),
                        Err(e) => {
                            out.2.push(format!("{name}: Monte Carlo: {e}"));
                            None
                        }
                    },
                };
                out.1.push(FitExtras {
                    derived: f.derived(),
                    monte_carlo,
                });
                out.0.push((name, f.result));
            }
            Err(e) => out.2.push(format!("{name}: {e}")),
        }
    }
    Ok(out)
}

/// Which part Lin-KK fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KkPart {
    /// Real part (impedance.py's default).
    Real,
    /// Imaginary part.
    Imag,
    /// Both.
    Complex,
}

/// `eis kk` arguments.
#[derive(Args, Debug, Clone)]
pub struct KkArgs {
    /// Impedance files (tested in parallel; output in this order).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// How the number of RC elements is chosen: `mu` (Schönleber's μ ≤ c,
    /// as impedance.py; can stop too early on diffusion tails) or
    /// `pseudo-chi2` (every M up to --max-m fitted; the smallest M whose
    /// pseudo-χ² is within --factor of the best).
    #[arg(long, value_enum, default_value_t = KkSelectArg::Mu)]
    pub select: KkSelectArg,
    /// μ cut-off for `--select mu`.
    #[arg(long, default_value_t = 0.85)]
    pub c: f64,
    /// Pseudo-χ² factor (≥ 1) for `--select pseudo-chi2`.
    #[arg(long, default_value_t = 1.2)]
    pub factor: f64,
    /// Fixed number of RC elements (turns the automatic choice off).
    #[arg(long)]
    pub m: Option<usize>,
    /// Largest number of elements tried by the automatic choice.
    #[arg(long, default_value_t = 50)]
    pub max_m: usize,
    /// Which part to fit.
    #[arg(long, value_enum, default_value_t = KkPart::Real)]
    pub fit: KkPart,
    /// Add a series capacitance (blocking electrodes).
    #[arg(long)]
    pub add_capacitance: bool,
    /// Test the admittance 1/Z (parallel C beside series-RC branches), which
    /// follows a capacitive low-frequency tail with no extra element.
    #[arg(long, conflicts_with = "add_capacitance")]
    pub admittance: bool,
    /// Pass/fail threshold on |residual| (fraction of |Z|).
    #[arg(long, default_value_t = 0.01)]
    pub threshold: f64,
    /// The combination that tells valid from drifting spectra best in our
    /// study (docs/eis.md): `--fit complex --add-capacitance --select
    /// pseudo-chi2`, at most N − 3 elements for N points; the verdict then
    /// also requires white residuals (whiteness z ≤ --white-z).
    #[arg(long, conflicts_with_all = ["fit", "add_capacitance", "admittance", "select", "m"])]
    pub validate: bool,
    /// Largest whiteness z of the residuals for a pass (complex fits only;
    /// about standard normal for valid spectra).
    #[arg(long, default_value_t = 3.0, allow_hyphen_values = true)]
    pub white_z: f64,
    /// Also write the M-scan (m, mu, pseudo_chi2, max_abs_residual for
    /// every M from 1 to --max-m, the same fit) as CSV to this file
    /// (FILE-j.csv for the j-th of several input files, FILE-k.csv for
    /// the k-th of several spectra in one file).
    #[arg(long)]
    pub scan_out: Option<PathBuf>,
    /// Also write the per-point residuals (freq_Hz, residual_re,
    /// residual_im as fractions of |Z|, in data order) as CSV to this file
    /// (numbered as --scan-out).
    #[arg(long)]
    pub residuals_out: Option<PathBuf>,
    /// Which spectrum and columns of the file.
    #[command(flatten)]
    pub input: InputArgs,
}

/// How `eis kk` chooses M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KkSelectArg {
    /// Schönleber's μ criterion (impedance.py).
    Mu,
    /// The pseudo-χ² plateau.
    PseudoChi2,
}

/// Writes `header` and one CSV row per point of `columns` to `path`,
/// numbered for the `j`-th (1-based, by position on the command line, so
/// a file given twice writes two files) of `files` input files and the
/// `k`-th (1-based) of `spectra` spectra in it.
fn write_columns(
    path: &std::path::Path,
    (j, files, k, spectra): (usize, usize, usize, usize),
    header: &str,
    columns: &[&[f64]],
) -> Result<(), Failure> {
    let path = crate::spectrum::numbered(path, j, files);
    let path = crate::spectrum::numbered(&path, k, spectra);
    let n = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut text = format!("{header}\n");
    for i in 0..n {
        let row: Vec<String> = columns.iter().map(|c| format!("{:e}", c[i])).collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    std::fs::write(&path, text).map_err(|e| Failure::other(format!("{}: {e}", path.display())))
}

/// Appends one row per (name, value, σ, unit), each name after `prefix`.
fn push_rows(q: &mut Vec<Quantity>, prefix: &str, rows: &[(&str, f64, Option<f64>, &'static str)]) {
    for &(name, v, s, unit) in rows {
        q.push(Quantity::num(format!("{prefix}{name}"), v, s, unit));
    }
}

/// A residual threshold (fraction of |Z|) must be finite and > 0.
fn check_threshold(t: f64) -> Result<(), Failure> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(Failure::input(format!("--threshold {t} must be > 0")))
    }
}

/// Runs `eis kk`: M, μ, R₀, L, (C), the largest residual and the verdict.
pub fn run_kk(a: &KkArgs) -> Result<FileRows, Failure> {
    use interphase::eis::kk::{KkFit, KkOptions, KkScanPoint, KkSelect, kk_scan, lin_kk};
    check_threshold(a.threshold)?;
    if !a.white_z.is_finite() {
        return Err(Failure::input(format!(
            "--white-z {} must be finite",
            a.white_z
        )));
    }
    let opts = if a.validate {
        KkOptions {
            max_m: a.max_m,
            ..KkOptions::validation()
        }
    } else {
        KkOptions {
            select: match (a.m, a.select) {
                (Some(_), _) => KkSelect::Fixed,
                (None, KkSelectArg::Mu) => KkSelect::Mu { c: a.c },
                (None, KkSelectArg::PseudoChi2) => KkSelect::PseudoChi2 { factor: a.factor },
            },
            max_m: a.m.unwrap_or(a.max_m),
            fit: match a.fit {
                KkPart::Real => KkFit::Real,
                KkPart::Imag => KkFit::Imag,
                KkPart::Complex => KkFit::Complex,
            },
            add_capacitance: a.add_capacitance,
            admittance: a.admittance,
        }
    };
    // every spectrum of each file (or the one --spectrum picks), in order
    per_file(&a.files, |j, file| {
        let all = a.input.load_all(file)?;
        let mut q = Vec::new();
        for (i, (label, data)) in all.iter().enumerate() {
            let input = |e: interphase::eis::Error| Failure::input(format!("{label}: {e}"));
            // --validate: at most N − 3 elements, so that the whiteness test
            // keeps at least N degrees of freedom (a fit that nearly
            // interpolates would pass anything)
            let opts = if a.validate {
                KkOptions {
                    max_m: opts.max_m.min(data.len().saturating_sub(3).max(1)),
                    ..opts.clone()
                }
            } else {
                opts.clone()
            };
            let r = lin_kk(data, &opts).map_err(input)?;
            let at = (j, a.files.len(), i + 1, all.len());
            if let Some(path) = &a.scan_out {
                let scan = kk_scan(data, &opts).map_err(input)?;
                let col = |g: fn(&KkScanPoint) -> f64| scan.iter().map(g).collect::<Vec<f64>>();
                write_columns(
                    path,
                    at,
                    "m,mu,pseudo_chi2,max_abs_residual",
                    &[
                        &col(|p| p.m as f64),
                        &col(|p| p.mu),
                        &col(|p| p.pseudo_chi2),
                        &col(|p| p.max_abs_residual),
                    ],
                )?;
            }
            if let Some(path) = &a.residuals_out {
                write_columns(
                    path,
                    at,
                    "freq_Hz,residual_re,residual_im",
                    &[data.freq(), &r.residuals_re, &r.residuals_im],
                )?;
            }
            q.extend([
                Quantity::text("file", label.clone()),
                Quantity::num("M", r.m as f64, None, "1"),
                Quantity::num("mu", r.mu, None, "1"),
            ]);
            if r.admittance {
                // the dual circuit: R_inf, then C_inf in parallel with the RC branches
                q.push(Quantity::text("representation", "admittance"));
                q.push(Quantity::num("R_inf", r.r_ohm, None, "ohm"));
                if let Some(c) = r.capacitance {
                    q.push(Quantity::num("C_inf", c, None, "F"));
                }
            } else {
                q.push(Quantity::num("R_ohm", r.r_ohm, None, "ohm"));
                q.push(Quantity::num("L", r.inductance, None, "H"));
                if let Some(c) = r.capacitance {
                    q.push(Quantity::num("C", c, None, "F"));
                }
            }
            q.push(Quantity::num("pseudo_chi2", r.pseudo_chi2(), None, "1"));
            q.push(Quantity::num(
                "max_abs_residual",
                r.max_abs_residual(),
                None,
                "1",
            ));
            let bad = r.failing_points(a.threshold);
            q.push(Quantity::num("failing_points", bad.len() as f64, None, "1"));
            q.push(beyond_hz(&bad, data.freq()));
            match r.whiteness {
                Some(w) => {
                    q.push(Quantity::num("whiteness_z", w.z, None, "1"));
                    q.push(Quantity::num("lag1", w.lag1, None, "1"));
                    q.push(Quantity::num("lag1_expected", w.expected, None, "1"));
                    q.push(Quantity::num("noise_estimate", w.noise, None, "1"));
                }
                None => q.push(Quantity::text(
                    "whiteness_z",
                    if opts.fit == KkFit::Complex {
                        "n/a (too few degrees of freedom)"
                    } else {
                        "n/a (complex fits only)"
                    },
                )),
            }
            let small = r.passes(a.threshold);
            let white = r.white(a.white_z).unwrap_or(true);
            q.push(Quantity::text(
                "verdict",
                match (small, white) {
                    (true, true) if a.validate && r.whiteness.is_none() => {
                        "pass (residual size only: no whiteness test)".to_string()
                    }
                    (true, true) => "pass".to_string(),
                    (false, true) => format!("fail (residuals beyond {})", a.threshold),
                    (true, false) => format!("fail (residuals not white: z > {})", a.white_z),
                    (false, false) => format!(
                        "fail (residuals beyond {} and not white: z > {})",
                        a.threshold, a.white_z
                    ),
                },
            ));
        }
        Ok(q)
    })
}

/// One file's rows, or its failure.
pub type FileResult = Result<Vec<Quantity>, Failure>;

/// Each file's rows, or its failure, in the order given.
pub type FileRows = Vec<FileResult>;

/// Runs `one(j, file)` on every file (`j` its 1-based position in
/// `files`), in parallel (one thread per core), keeping the files' order
/// and each file's own result or failure.
fn per_file<F>(files: &[PathBuf], one: F) -> Result<FileRows, Failure>
where
    F: Fn(usize, &std::path::Path) -> FileResult + Sync,
{
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<FileResult>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    let r = one(i + 1, file);
                    if let Ok(mut o) = out.lock() {
                        o[i] = Some(r);
                    }
                }
            });
        }
    });
    let out = out
        .into_inner()
        .map_err(|_| Failure::other("a worker thread panicked"))?;
    Ok(out
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Failure::other("a worker thread panicked"))))
        .collect())
}

/// The frequencies (Hz, 4 significant digits) of the points `bad`.
fn beyond_hz(bad: &[usize], freq: &[f64]) -> Quantity {
    let freqs: Vec<String> = bad
        .iter()
        .map(|&i| interphase::fit::format_significant(freq[i], 4))
        .collect();
    Quantity::text(
        "beyond_threshold_Hz",
        if freqs.is_empty() {
            "none".to_string()
        } else {
            freqs.join(" ")
        },
    )
}

/// `eis zhit` arguments.
#[derive(Args, Debug, Clone)]
pub struct ZhitArgs {
    /// Impedance files (in parallel; output in this order).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Centre of the window the ln|Z| offset is fitted in, log10(f / Hz).
    #[arg(long, default_value_t = 1.5, allow_hyphen_values = true)]
    pub window_center: f64,
    /// Width of that window in decades (default: 1 Hz – 1 kHz).
    #[arg(long, default_value_t = 3.0)]
    pub window_width: f64,
    /// Residual (fraction of |Z|) beyond which a point is listed. The
    /// approximation itself is good to 1–3 % around fast-turning arcs.
    #[arg(long, default_value_t = 0.01)]
    pub threshold: f64,
    /// Smooth the phase first with a quadratic Savitzky–Golay filter over
    /// this many points (odd, ≥ 5; in order of frequency); 0: no smoothing.
    /// Noise in the phase otherwise goes straight into the derivative term.
    #[arg(long, default_value_t = 0)]
    pub smooth: usize,
    /// Also write the per-point residuals (freq_Hz, residual_re,
    /// residual_im, residual_modulus as fractions of |Z|) as CSV to this
    /// file (FILE-j.csv for the j-th of several input files, FILE-k.csv for
    /// the k-th of several spectra in one file).
    #[arg(long)]
    pub residuals_out: Option<PathBuf>,
    /// Which spectrum and columns of the file.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Runs `eis zhit`: the ln|Z| offset, pseudo-χ², the largest residual and
/// the frequencies whose residual is beyond the threshold, per spectrum.
pub fn run_zhit(a: &ZhitArgs) -> Result<FileRows, Failure> {
    use interphase::eis::zhit::ZhitOptions;
    check_threshold(a.threshold)?;
    if a.smooth != 0 && (a.smooth < 5 || a.smooth.is_multiple_of(2)) {
        return Err(Failure::input(format!(
            "--smooth {} must be 0 or an odd number ≥ 5",
            a.smooth
        )));
    }
    let opts = ZhitOptions {
        window_center: a.window_center,
        window_width: a.window_width,
        weights: None,
        phase: None,
    };
    per_file(&a.files, |j, file| {
        let all = a.input.load_all(file)?;
        let mut q = Vec::new();
        for (i, (label, data)) in all.iter().enumerate() {
            let r = interphase::validation::zhit_smoothed(data, a.smooth, &opts)
                .map_err(|e| Failure::input(format!("{label}: {e}")))?;
            if let Some(path) = &a.residuals_out {
                write_columns(
                    path,
                    (j, a.files.len(), i + 1, all.len()),
                    "freq_Hz,residual_re,residual_im,residual_modulus",
                    &[
                        &r.freq,
                        &r.residuals_re,
                        &r.residuals_im,
                        &r.residuals_modulus,
                    ],
                )?;
            }
            let bad = r.failing_points(a.threshold);
            q.extend([
                Quantity::text("file", label.clone()),
                Quantity::num("offset_ln_ohm", r.offset, None, "1"),
                Quantity::num(
                    "window_points",
                    r.weights.iter().filter(|w| **w > 0.0).count() as f64,
                    None,
                    "1",
                ),
                Quantity::num("pseudo_chi2", r.pseudo_chi2(), None, "1"),
                Quantity::num("max_abs_residual", r.max_abs_residual(), None, "1"),
                Quantity::num(
                    "lowest_decade_max_abs_residual",
                    r.lowest_decade_max_abs_residual(),
                    None,
                    "1",
                ),
                Quantity::num("points_beyond_threshold", bad.len() as f64, None, "1"),
                beyond_hz(&bad, &r.freq),
            ]);
        }
        Ok(q)
    })
}

/// Which part the DRT fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrtPartArg {
    /// Real and imaginary parts.
    Combined,
    /// Real part.
    Real,
    /// Imaginary part.
    Imag,
}

/// DRT residual weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrtWeightArg {
    /// None (pyDRTtools).
    Unit,
    /// 1/|Z|.
    Modulus,
}

/// `eis drt` arguments.
#[derive(Args, Debug, Clone)]
pub struct DrtArgs {
    /// Impedance file.
    pub file: PathBuf,
    /// λ: `auto` or `gcv` (generalised cross-validation), `lcurve`, `gml`
    /// (generalised maximum likelihood), or a number > 0.
    #[arg(long, default_value = "auto", allow_hyphen_values = true)]
    pub lambda: String,
    /// Which part to fit.
    #[arg(long, value_enum, default_value_t = DrtPartArg::Combined)]
    pub part: DrtPartArg,
    /// Penalised derivative order (1 or 2).
    #[arg(long, default_value_t = 1)]
    pub derivative: u8,
    /// FWHM coefficient of the Gaussian basis functions.
    #[arg(long, default_value_t = 0.5)]
    pub fwhm_coeff: f64,
    /// Do not fit a series inductance.
    #[arg(long)]
    pub no_inductance: bool,
    /// Residual weights.
    #[arg(long, value_enum, default_value_t = DrtWeightArg::Unit)]
    pub weight: DrtWeightArg,
    /// Also write γ(τ) as CSV (tau_s,gamma_ohm) to this file.
    #[arg(long)]
    pub gamma_out: Option<PathBuf>,
    /// Also fit one R‖CPE element per DRT peak to the data (up to this
    /// many, chosen by BIC; proportional weighting): each process's τ, R, α
    /// and C with standard errors. 0: off.
    #[arg(long, default_value_t = 0)]
    pub processes: usize,
    /// Where the Gaussians sit: `angular` (τ = 1/(2πf)) or `inverse`
    /// (τ = 1/f, as pyDRTtools).
    #[arg(long, value_enum, default_value_t = DrtTauGridArg::Angular)]
    pub tau_grid: DrtTauGridArg,
    /// Bayesian credible bands (pyDRTtools' posterior, exact HMC): the
    /// posterior of R_pol and of each peak's R and τ, and γ's band in
    /// --gamma-out.
    #[arg(long)]
    pub bands: bool,
    /// Samples drawn for --bands (burn-in included).
    #[arg(long, default_value_t = 2000)]
    pub samples: usize,
    /// Samples dropped at the start.
    #[arg(long, default_value_t = 500)]
    pub burn_in: usize,
    /// Probability inside each band.
    #[arg(long, default_value_t = 0.99)]
    pub band_level: f64,
    /// Seed of the sampler.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Which spectrum and columns of the file.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Where `eis drt` places its Gaussians.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrtTauGridArg {
    /// τ = 1/(2πf).
    Angular,
    /// τ = 1/f (pyDRTtools).
    Inverse,
}

/// Runs `eis drt`: λ, R∞, L, the polarisation resistance and each peak's τ,
/// frequency, resistance and capacitance; optionally γ(τ) to a CSV file.
pub fn run_drt(a: &DrtArgs) -> Result<Vec<Quantity>, Failure> {
    use interphase::eis::drt::{
        Derivative, DrtOptions, DrtPart, DrtWeighting, Lambda, TauGrid, drt,
    };
    use interphase::eis::drt_bands::{DrtBandOptions, drt_bands};
    let lambda = match a.lambda.trim().to_ascii_lowercase().as_str() {
        "auto" | "gcv" => Lambda::Gcv,
        "lcurve" | "l-curve" => Lambda::LCurve,
        "gml" | "ml" => Lambda::Gml,
        v => match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Lambda::Fixed(x),
            _ => {
                return Err(Failure::input(format!(
                    "--lambda `{}`: expected auto, gcv, lcurve, gml or a number > 0",
                    a.lambda
                )));
            }
        },
    };
    let derivative = match a.derivative {
        1 => Derivative::First,
        2 => Derivative::Second,
        d => {
            return Err(Failure::input(format!("--derivative {d}: expected 1 or 2")));
        }
    };
    let all = a.input.load_all(&a.file)?;
    let opts = DrtOptions {
        part: match a.part {
            DrtPartArg::Combined => DrtPart::Combined,
            DrtPartArg::Real => DrtPart::Real,
            DrtPartArg::Imag => DrtPart::Imag,
        },
        lambda,
        derivative,
        fwhm_coeff: a.fwhm_coeff,
        inductance: !a.no_inductance,
        weighting: match a.weight {
            DrtWeightArg::Unit => DrtWeighting::Unit,
            DrtWeightArg::Modulus => DrtWeighting::Modulus,
        },
        tau_grid: match a.tau_grid {
            DrtTauGridArg::Angular => TauGrid::Angular,
            DrtTauGridArg::Inverse => TauGrid::Inverse,
        },
        ..DrtOptions::default()
    };
    let band_opts = DrtBandOptions {
        samples: a.samples,
        burn_in: a.burn_in,
        level: a.band_level,
        seed: a.seed,
    };
    // every spectrum of the file (or the one --spectrum picks), in order;
    // γ(τ) of spectrum k of several goes to OUT-k.csv
    let mut q = Vec::new();
    for (k, (label, data)) in all.iter().enumerate() {
        let input = |e: interphase::eis::Error| Failure::input(format!("{label}: {e}"));
        let r = drt(data, &opts).map_err(input)?;
        let bands = if a.bands {
            Some(drt_bands(data, &r, &band_opts).map_err(input)?)
        } else {
            None
        };
        if let Some(path) = &a.gamma_out {
            let path = &crate::spectrum::numbered(path, k + 1, all.len());
            let mut text = String::from(if bands.is_some() {
                "tau_s,gamma_ohm,gamma_mean_ohm,gamma_lower_ohm,gamma_upper_ohm\n"
            } else {
                "tau_s,gamma_ohm\n"
            });
            for (i, (t, g)) in r.tau.iter().zip(&r.gamma).enumerate() {
                match &bands {
                    Some(b) => text.push_str(&format!(
                        "{t:e},{g:e},{:e},{:e},{:e}\n",
                        b.mean[i], b.lower[i], b.upper[i]
                    )),
                    None => text.push_str(&format!("{t:e},{g:e}\n")),
                }
            }
            std::fs::write(path, text)
                .map_err(|e| Failure::other(format!("{}: {e}", path.display())))?;
        }
        q.extend([
            Quantity::text("file", label.clone()),
            Quantity::num("lambda", r.lambda, None, "1"),
            Quantity::num("epsilon", r.epsilon, None, "1"),
            Quantity::num("R_inf", r.r_inf, None, "ohm"),
            Quantity::num("L", r.inductance, None, "H"),
            Quantity::num("R_polarization", r.polarization_resistance, None, "ohm"),
            Quantity::num("max_abs_residual", r.max_abs_residual(), None, "1"),
            Quantity::num("peaks", r.peaks.len() as f64, None, "1"),
        ]);
        for (k, p) in r.peaks.iter().enumerate() {
            push_rows(
                &mut q,
                &format!("peak{}_", k + 1),
                &[
                    ("tau", p.tau, None, "s"),
                    ("frequency", p.frequency, None, "Hz"),
                    ("R", p.resistance, None, "ohm"),
                    ("C", p.capacitance, None, "F"),
                ],
            );
        }
        if let Some(b) = &bands {
            let pr = &b.polarization_resistance;
            push_rows(
                &mut q,
                "",
                &[
                    // σ is in the fit's weighted units: Ω without weights
                    (
                        "noise_sigma",
                        b.sigma,
                        None,
                        if opts.weighting == DrtWeighting::Unit {
                            "ohm"
                        } else {
                            "1"
                        },
                    ),
                    ("R_polarization_posterior", pr.mean, Some(pr.std), "ohm"),
                    ("R_polarization_lower", pr.lower, None, "ohm"),
                    ("R_polarization_upper", pr.upper, None, "ohm"),
                ],
            );
            for (k, p) in b.peaks.iter().enumerate() {
                let (rp, tp) = (&p.resistance_posterior, &p.tau_posterior);
                push_rows(
                    &mut q,
                    &format!("peak{}_", k + 1),
                    &[
                        ("R_posterior", rp.mean, Some(rp.std), "ohm"),
                        ("R_lower", rp.lower, None, "ohm"),
                        ("R_upper", rp.upper, None, "ohm"),
                        ("tau_lower", tp.lower, None, "s"),
                        ("tau_upper", tp.upper, None, "s"),
                    ],
                );
            }
        }
        if a.processes > 0 {
            use interphase::eis::drt_fit::{ProcessOptions, fit_processes};
            let o = ProcessOptions {
                max_processes: a.processes,
                ..ProcessOptions::default()
            };
            let fit = fit_processes(data, &r, &o).map_err(input)?;
            q.push(Quantity::text(
                "process_circuit",
                fit.fit.circuit.to_string(),
            ));
            for (k, p) in fit.processes.iter().enumerate() {
                for (what, d, unit) in [
                    ("tau", &p.tau, "s"),
                    ("R", &p.resistance, "ohm"),
                    ("alpha", &p.alpha, "1"),
                    ("C", &p.capacitance, "F"),
                ] {
                    q.push(Quantity::num(
                        format!("process{}_{what}", k + 1),
                        d.value,
                        d.stderr,
                        unit,
                    ));
                }
            }
        }
    }
    Ok(q)
}

/// `eis conductivity` arguments.
#[derive(Args, Debug, Clone)]
pub struct ConductivityArgs {
    /// Resistance, Ω.
    #[arg(long)]
    pub resistance: f64,
    /// Standard error of the resistance, Ω.
    #[arg(long, default_value_t = 0.0)]
    pub stderr: f64,
    /// Thickness, mm.
    #[arg(long)]
    pub thickness_mm: f64,
    /// Electrode diameter, mm (or give --area-cm2).
    #[arg(long, conflicts_with = "area_cm2")]
    pub diameter_mm: Option<f64>,
    /// Electrode area, cm².
    #[arg(long)]
    pub area_cm2: Option<f64>,
}

/// Runs `eis conductivity`: σ = L/(R·A) and the ASR.
pub fn run_conductivity(a: &ConductivityArgs) -> Result<Vec<Quantity>, Failure> {
    use interphase::eis::conductivity::{Geometry, Value};
    let input = |e: interphase::eis::Error| Failure::input(e.to_string());
    let g = match (a.diameter_mm, a.area_cm2) {
        (Some(d), None) => Geometry::disc_mm(a.thickness_mm, d),
        (None, Some(area)) => Geometry::new_cm(a.thickness_mm / 10.0, area),
        _ => return Err(Failure::input("give --diameter-mm or --area-cm2")),
    }
    .map_err(input)?;
    let r = Value::new(a.resistance, a.stderr);
    let s = g.conductivity(r).map_err(input)?;
    let asr = g.asr(r).map_err(input)?;
    Ok(vec![
        Quantity::num("area", g.area_cm2(), None, "cm2"),
        Quantity::num("cell_constant", g.cell_constant_per_cm(), None, "1/cm"),
        Quantity::num("conductivity", s.value, Some(s.stderr), "S/cm"),
        Quantity::num("asr", asr.value, Some(asr.stderr), "ohm cm2"),
    ])
}

/// `eis arrhenius` arguments.
#[derive(Args, Debug, Clone)]
pub struct ArrheniusArgs {
    /// Text file of temperature, conductivity (S/cm) and optionally the
    /// conductivity's standard error (S/cm, then a weighted fit whose errors
    /// come from it); comma, tab or blanks; `#` comments and one header line
    /// allowed.
    pub file: PathBuf,
    /// Temperatures are in °C (default: kelvin).
    #[arg(long)]
    pub celsius: bool,
    /// Fit ln σ instead of ln(σT).
    #[arg(long)]
    pub sigma: bool,
}

/// Runs `eis arrhenius`: activation energy and pre-factor.
pub fn run_arrhenius(a: &ArrheniusArgs) -> Result<Vec<Quantity>, Failure> {
    use interphase::eis::conductivity::{arrhenius, arrhenius_weighted};
    let name = a.file.display().to_string();
    let text =
        std::fs::read_to_string(&a.file).map_err(|e| Failure::input(format!("{name}: {e}")))?;
    let (mut t, mut s, mut ds) = (Vec::new(), Vec::new(), Vec::new());
    let mut header = false;
    let mut width = None;
    for (ln, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = l
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|c| !c.is_empty())
            .collect();
        let nums: Option<Vec<f64>> = cols.iter().take(3).map(|c| c.parse().ok()).collect();
        match nums {
            Some(v) if v.len() >= 2 => {
                if *width.get_or_insert(v.len()) != v.len() {
                    return Err(Failure::input(format!(
                        "{name}:{}: {} numbers where the rows above have {}: give the conductivity's standard error on every row or on none",
                        ln + 1,
                        v.len(),
                        width.unwrap_or(0)
                    )));
                }
                t.push(if a.celsius { v[0] + 273.15 } else { v[0] });
                s.push(v[1]);
                if let Some(e) = v.get(2) {
                    ds.push(*e);
                }
            }
            _ if !header && t.is_empty() => header = true,
            _ => {
                return Err(Failure::input(format!(
                    "{name}:{}: expected two or three numbers (temperature, conductivity[, its standard error]), got `{l}`",
                    ln + 1
                )));
            }
        }
    }
    let weighted = !ds.is_empty();
    let r = if weighted {
        arrhenius_weighted(&t, &s, &ds, !a.sigma)
    } else {
        arrhenius(&t, &s, !a.sigma)
    }
    .map_err(|e| Failure::input(format!("{name}: {e}")))?;
    let mut rows = vec![
        Quantity::text("file", name),
        Quantity::num("points", t.len() as f64, None, "1"),
        Quantity::text("fitted", if a.sigma { "ln(sigma)" } else { "ln(sigma*T)" }),
        Quantity::text(
            "weighting",
            if weighted {
                "1/var(ln sigma) from the third column; errors from it"
            } else {
                "none; errors from the scatter (none for two points)"
            },
        ),
        Quantity::num(
            "activation_energy",
            r.activation_energy_ev.value,
            Some(r.activation_energy_ev.stderr),
            "eV",
        ),
        Quantity::num(
            "ln_prefactor",
            r.ln_prefactor.value,
            Some(r.ln_prefactor.stderr),
            "1",
        ),
        Quantity::num("r_squared", r.r_squared, None, "1"),
    ];
    if let Some(c) = r.reduced_chi_square {
        rows.push(Quantity::num("reduced_chi_square", c, None, "1"));
    }
    Ok(rows)
}
