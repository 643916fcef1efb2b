//! Output conventions shared by every subcommand: `--format table|json|csv`.
//!
//! A fit's JSON is `{"fits":[{"name", "converged", "chi_square",
//! "reduced_chi_square", "n_evaluations", "parameters":[{"name", "value",
//! "stderr", "vary"}]}]}` with parameters in model order, printed as one document.

use std::io::Write;

use interphase::fit::FitResult;
use serde::Serialize;

/// The output format chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned, human-readable report (default).
    Table,
    /// One JSON document on stdout.
    Json,
    /// Comma-separated rows with a header.
    Csv,
}

#[derive(Serialize)]
struct JsonParam<'a> {
    name: &'a str,
    value: f64,
    stderr: Option<f64>,
    vary: bool,
}

#[derive(Serialize)]
struct JsonFit<'a> {
    name: &'a str,
    converged: bool,
    termination: &'static str,
    chi_square: f64,
    reduced_chi_square: Option<f64>,
    n_evaluations: usize,
    parameters: Vec<JsonParam<'a>>,
}

/// Writes named fit results in the chosen format.
pub fn write_fits(
    out: &mut impl Write,
    fits: &[(String, FitResult)],
    format: Format,
) -> std::io::Result<()> {
    match format {
        Format::Table => {
            for (i, (name, r)) in fits.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== {name} ==")?;
                write!(out, "{r}")?;
            }
        }
        Format::Json => {
            let fits: Vec<JsonFit> = fits
                .iter()
                .map(|(name, r)| JsonFit {
                    name,
                    converged: r.converged,
                    termination: r.termination.message(),
                    chi_square: r.chi_square,
                    reduced_chi_square: r
                        .reduced_chi_square
                        .is_finite()
                        .then_some(r.reduced_chi_square),
                    n_evaluations: r.n_evaluations,
                    parameters: r
                        .params
                        .iter()
                        .map(|p| JsonParam {
                            name: &p.name,
                            value: p.value,
                            stderr: p.stderr,
                            vary: p.vary,
                        })
                        .collect(),
                })
                .collect();
            let doc = serde_json::json!({ "fits": fits });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "fit,converged,chi_square,parameter,value,stderr,vary")?;
            for (name, r) in fits {
                for p in &r.params {
                    let se = p.stderr.map_or(String::new(), |s| format!("{s:e}"));
                    writeln!(
                        out,
                        "{},{},{:e},{},{:e},{se},{}",
                        csv_field(name),
                        r.converged,
                        r.chi_square,
                        csv_field(&p.name),
                        p.value,
                        p.vary
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
