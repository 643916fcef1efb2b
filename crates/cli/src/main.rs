//! `interphase`: the interphase analyses from a shell — files in, tables / JSON /
//! CSV out.
//!
//! Conventions of every subcommand: `--format table|json|csv` (table by default);
//! JSON is one document on stdout; errors go to stderr as `error: ...` with exit
//! status 2 for usage errors and bad input, 1 for other failures; never a panic.
//!
//! Subcommands today: `nist` (fit NIST StRD reference problems) and `materials`
//! (formula, density, archimedes, relative-density, llto; see `materials.rs` for
//! the JSON names), `spectrum` (info, baseline, peaks; see `spectrum.rs`) and
//! `eis fit|kk|zhit|drt|conductivity|arrhenius` (see `eis.rs`), `xrd
//! peaks|scherrer|lattice` and `eds identify` (see `techniques.rs`), `eels
//! delta-e|thickness|valence|align|deconvolve` (see `eels.rs`), `info` and `convert` (what any supported file holds, and
//! its data as CSV or JSON; see `info.rs`)
//! and `demo` (the LLTO interface analysis: the main job, on the seeded
//! synthetic dataset or `--data DIR`).
#![forbid(unsafe_code)]

mod eels;
mod eis;
mod info;
mod materials;
mod output;
mod spectrum;
mod techniques;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use interphase::fit::{FitResult, LmOptions, fit, nist};

use crate::materials::MaterialsCmd;
use crate::output::{Format, write_fits, write_quantities};
use crate::spectrum::SpectrumCmd;

#[derive(Parser)]
#[command(
    name = "interphase",
    version,
    about = "Analyses of solid-state battery materials and interfaces"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fit NIST StRD nonlinear regression files (.dat) and compare with the certified values.
    Nist {
        /// One or more NIST StRD .dat files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Starting point: 1 (far), 2 (near) or both.
        #[arg(long, default_value = "both", value_parser = ["1", "2", "both"])]
        start: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Formulas, molar masses, densities, Archimedes porosity and LLTO stoichiometry.
    Materials {
        #[command(subcommand)]
        command: MaterialsCmd,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
    /// Impedance spectroscopy: fit equivalent circuits to impedance files.
    Eis {
        #[command(subcommand)]
        command: EisCmd,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
    /// The LLTO interface analysis (the main job): without --data, writes the
    /// seeded synthetic dataset to OUT/data and analyses it; prints the tables
    /// and writes OUT/index.html with the figures.
    Demo {
        /// A dataset directory with a sample.toml (as data/llto in the repository).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Report directory.
        #[arg(long, default_value = "llto-report")]
        out: PathBuf,
    },
    /// X-ray diffraction: peaks, Scherrer/Williamson–Hall sizes, lattice refinement.
    Xrd {
        #[command(subcommand)]
        command: techniques::XrdCmd,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
    /// Energy-dispersive X-ray spectra: element identification and line areas.
    Eds {
        #[command(subcommand)]
        command: techniques::EdsCmd,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
    /// Electron energy-loss spectra: ΔE between fitted features, thickness,
    /// valence fractions (MLLS), zero-loss alignment, deconvolution.
    Eels {
        #[command(subcommand)]
        command: eels::EelsCmd,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
    /// What a file holds: format, spectra or impedance spectra (names, points,
    /// axes, cycles, technique, the columns read) and the reader's warnings.
    Info {
        #[command(flatten)]
        args: info::InfoArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Writes a file's spectra or impedance spectra as CSV or JSON (stdout).
    Convert(info::ConvertArgs),
    /// Spectrum files (VAMAS .vms, EMSA .msa, CSV/TSV): info, baselines, peaks.
    Spectrum {
        #[command(subcommand)]
        command: SpectrumCmd,
        /// Output format (baseline: table is tab-separated columns).
        #[arg(long, value_enum, default_value_t = Format::Table, global = true)]
        format: Format,
    },
}

/// `interphase eis ...` subcommands.
#[derive(Subcommand)]
enum EisCmd {
    /// CNLS fit of a circuit to one or more files (in parallel).
    Fit(eis::FitArgs),
    /// Lin-KK validity test (Schönleber et al. 2014; impedance.py-compatible).
    Kk(eis::KkArgs),
    /// Z-HIT: |Z| reconstructed from the phase, a model-free KK-type check (pyimpspec-compatible).
    Zhit(eis::ZhitArgs),
    /// Distribution of relaxation times (Tikhonov, Gaussian RBF; pyDRTtools-compatible).
    Drt(eis::DrtArgs),
    /// Conductivity σ = L/(R·A) and area-specific resistance of a pellet.
    Conductivity(eis::ConductivityArgs),
    /// Arrhenius fit of conductivity against temperature: activation energy.
    Arrhenius(eis::ArrheniusArgs),
}

/// A failure and its exit status.
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
    fn other(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
    /// The message as a batch reports a file that failed: `FILE: message`
    /// (the file named once, whether or not the message already does).
    fn about_file(self, file: &std::path::Path) -> String {
        let shown = file.display().to_string();
        if self.message.contains(&shown) {
            self.message
        } else {
            format!("{shown}: {}", self.message)
        }
    }
}

fn run_nist(
    files: &[PathBuf],
    start: &str,
    format: Format,
) -> Result<Vec<(String, FitResult)>, Failure> {
    let starts: &[u8] = match start {
        "1" => &[1],
        "2" => &[2],
        _ => &[1, 2],
    };
    let mut fits = Vec::new();
    for path in files {
        let data = nist::Dataset::from_file(path)
            .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        let problem = data.problem();
        for &s in starts {
            let params = data.start(s).map_err(|e| Failure::other(e.to_string()))?;
            let r = fit(&problem, &params, &LmOptions::precise())
                .map_err(|e| Failure::other(format!("{} start {s}: {e}", data.name)))?;
            let name = format!("{} start {s}", data.name);
            if format == Format::Table {
                let digits = r
                    .params
                    .iter()
                    .zip(&data.params)
                    .map(|(p, c)| nist::lre(p.value, c.value))
                    .fold(f64::INFINITY, f64::min);
                fits.push((format!("{name} (certified digits reached: {digits:.1})"), r));
            } else {
                fits.push((name, r));
            }
        }
    }
    Ok(fits)
}

fn run_demo(data: Option<&std::path::Path>, out: &std::path::Path) -> Result<(), Failure> {
    use interphase::workflows::{llto, synthetic};
    let dir = match data {
        Some(d) => d.to_path_buf(),
        None => {
            let d = out.join("data");
            synthetic::generate(&d, synthetic::SEED).map_err(|e| Failure::other(e.to_string()))?;
            d
        }
    };
    let report = llto::analyse_dir(&dir).map_err(|e| Failure::input(e.to_string()))?;
    let index = report
        .write_html(out)
        .map_err(|e| Failure::other(e.to_string()))?;
    emit(|o| writeln!(o, "{report}\nreport: {}", index.display()))
}

/// Writes a subcommand's output to stdout and flushes it; a closed pipe
/// (`| head`) is not an error.
/// After a batch's results are written: each failed file's error on stderr,
/// and a failure (exit status 1) when any failed.
fn batch_status(failed: &[String], succeeded: usize) -> Result<(), Failure> {
    batch_status_of(failed, succeeded, "fits")
}

/// Writes the rows of every file that worked, in order; a single file's
/// failure is that failure (exit 2 for bad input), several files' failures
/// are named on stderr after the others' results (exit 1).
fn emit_files(rows: eis::FileRows, format: Format) -> Result<(), Failure> {
    if rows.len() == 1 {
        let q = rows.into_iter().next().unwrap_or_else(|| Ok(Vec::new()))?;
        return emit(|out| write_quantities(out, &q, format));
    }
    let (mut q, mut failed, mut ok) = (Vec::new(), Vec::new(), 0);
    for r in rows {
        match r {
            Ok(rows) => {
                q.extend(rows);
                ok += 1;
            }
            Err(e) => failed.push(e.message),
        }
    }
    emit(|out| write_quantities(out, &q, format))?;
    batch_status_of(&failed, ok, "files")
}

/// [`batch_status`] for results other than fits (`what`: "spectra", ...).
fn batch_status_of(failed: &[String], succeeded: usize, what: &str) -> Result<(), Failure> {
    if failed.is_empty() {
        return Ok(());
    }
    for m in failed {
        eprintln!("error: {m}");
    }
    Err(Failure::other(format!(
        "{} of {} {what} failed (errors above); the other {succeeded} results were written",
        failed.len(),
        failed.len() + succeeded
    )))
}

fn emit(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<(), Failure> {
    // buffered: the standard output is line-buffered, one system call per
    // line of a pretty-printed JSON document otherwise
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match write(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write output: {e}"))),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            // help and version go to stdout with status 0; usage errors say "error:" and exit 2
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    eprintln!("error: a subcommand is required\n\n{}", e.render());
                    ExitCode::from(2)
                }
                _ => {
                    let _ = e.print();
                    ExitCode::from(2)
                }
            };
        }
    };
    let result = match &cli.command {
        Command::Demo { data, out } => run_demo(data.as_deref(), out),
        Command::Materials { command, format } => materials::run(command)
            .and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Spectrum { command, format } => spectrum::run(command, *format),
        Command::Info { args, format } => info::run(args, *format),
        Command::Convert(args) => info::run_convert(args),
        Command::Xrd { command, format } => techniques::run_xrd(command)
            .and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Eds { command, format } => techniques::run_eds(command)
            .and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Eels { command, format } => eels::run(command).and_then(|o| {
            match &o.spectra {
                Some(s) => emit(|out| eels::write_spectra(out, s, *format))?,
                None => emit(|out| write_quantities(out, &o.rows, *format))?,
            }
            batch_status_of(&o.failed, o.succeeded, "spectra")
        }),
        Command::Eis {
            command: EisCmd::Fit(args),
            format,
        } => eis::run_fit(args).and_then(|(fits, derived, failed)| {
            emit(|out| output::write_fits_with(out, &fits, &derived, *format))?;
            batch_status(&failed, fits.len())
        }),
        Command::Eis {
            command: EisCmd::Kk(args),
            format,
        } => eis::run_kk(args).and_then(|rows| emit_files(rows, *format)),
        Command::Eis {
            command: EisCmd::Zhit(args),
            format,
        } => eis::run_zhit(args).and_then(|rows| emit_files(rows, *format)),
        Command::Eis {
            command: EisCmd::Drt(args),
            format,
        } => eis::run_drt(args).and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Eis {
            command: EisCmd::Arrhenius(args),
            format,
        } => eis::run_arrhenius(args)
            .and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Eis {
            command: EisCmd::Conductivity(args),
            format,
        } => eis::run_conductivity(args)
            .and_then(|rows| emit(|out| write_quantities(out, &rows, *format))),
        Command::Nist {
            files,
            start,
            format,
        } => run_nist(files, start, *format)
            .and_then(|fits| emit(|out| write_fits(out, &fits, *format))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
