//! Output conventions shared by every subcommand: `--format table|json|csv`.
//!
//! A fit's JSON is `{"fits":[{"name", "converged", "chi_square",
//! "reduced_chi_square", "n_evaluations", "parameters":[{"name", "value",
//! "stderr", "vary"}]}]}` with parameters in model order (plus
//! `"covariance": "robust"` with `--robust-covariance`), printed as one
//! document; circuit fits add `"derived":[{"name", "value", "stderr", "unit",
//! "formula"}]` (effective capacitances and relaxation times, σ from the full
//! covariance), which CSV writes as rows whose `vary` column says `derived`;
//! with `--monte-carlo N`, `"monte_carlo":{"n_ok", "n_failed", "resampling",
//! "seed", "percentile_points", "params":[spread], "derived":[spread]}` (a
//! spread: `name, best, mean, std, percentiles, covariance_stderr`), in CSV
//! rows whose `vary` column says `monte_carlo` (value: the median, stderr:
//! the spread's standard deviation).

use std::io::Write;

use interphase::eis::fit::DerivedQuantity;
use interphase::fit::FitResult;
use interphase::fit::montecarlo::{MonteCarlo, Resampling, Spread};
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

/// One fit in the JSON output (`{"fits": [...]}`).
#[derive(Serialize)]
pub(crate) struct JsonFit<'a> {
    name: &'a str,
    converged: bool,
    termination: &'static str,
    chi_square: f64,
    reduced_chi_square: Option<f64>,
    n_evaluations: usize,
    /// "robust" with `--robust-covariance` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    covariance: Option<&'static str>,
    parameters: Vec<JsonParam<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    derived: Option<&'a [DerivedQuantity]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<&'a McReport>,
}

impl<'a> JsonFit<'a> {
    /// The JSON entry of fit `r` named `name`.
    pub(crate) fn of(
        name: &'a str,
        r: &'a FitResult,
        derived: Option<&'a [DerivedQuantity]>,
        monte_carlo: Option<&'a McReport>,
    ) -> Self {
        JsonFit {
            name,
            converged: r.converged,
            termination: r.termination.message(),
            chi_square: r.chi_square,
            reduced_chi_square: r
                .reduced_chi_square
                .is_finite()
                .then_some(r.reduced_chi_square),
            n_evaluations: r.n_evaluations,
            covariance: r.robust_covariance.then_some("robust"),
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
            derived,
            monte_carlo,
        }
    }
}

/// What a fit reports besides its parameters.
#[derive(Debug, Clone, Default)]
pub struct FitExtras {
    /// Derived quantities with covariance errors.
    pub derived: Vec<DerivedQuantity>,
    /// Monte Carlo spreads, when asked for.
    pub monte_carlo: Option<McReport>,
}

/// Monte Carlo spreads of a fit's parameters and derived quantities.
#[derive(Debug, Clone, Serialize)]
pub struct McReport {
    /// Refits that converged.
    pub n_ok: usize,
    /// Refits that failed or did not converge.
    pub n_failed: usize,
    /// `gaussian` or `bootstrap`.
    pub resampling: &'static str,
    /// The seed.
    pub seed: u64,
    /// The percentile points of `percentiles`.
    pub percentile_points: [f64; 5],
    /// One per parameter.
    pub params: Vec<Spread>,
    /// One per derived quantity.
    pub derived: Vec<Spread>,
}

impl McReport {
    /// The report of a Monte Carlo run and the derived quantities' spreads.
    pub fn of(mc: &MonteCarlo, derived: Vec<Spread>) -> McReport {
        McReport {
            n_ok: mc.n_ok,
            n_failed: mc.n_failed,
            resampling: match mc.resampling {
                Resampling::Gaussian => "gaussian",
                Resampling::Bootstrap => "bootstrap",
            },
            seed: mc.seed,
            percentile_points: interphase::fit::montecarlo::PERCENTILES,
            params: mc.params.clone(),
            derived,
        }
    }
}

/// Writes named fit results in the chosen format.
pub fn write_fits(
    out: &mut impl Write,
    fits: &[(String, FitResult)],
    format: Format,
) -> std::io::Result<()> {
    write_fits_with(out, fits, &[], format)
}

/// Writes named fit results with what else each reports (`extras[i]`
/// belongs to `fits[i]`; an empty slice: nothing).
pub fn write_fits_with(
    out: &mut impl Write,
    fits: &[(String, FitResult)],
    extras: &[FitExtras],
    format: Format,
) -> std::io::Result<()> {
    let derived_of = |i: usize| extras.get(i).map(|e| e.derived.as_slice());
    let mc_of = |i: usize| extras.get(i).and_then(|e| e.monte_carlo.as_ref());
    match format {
        Format::Table => {
            for (i, (name, r)) in fits.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== {name} ==")?;
                write!(out, "{r}")?;
                if let Some(d) = derived_of(i).filter(|d| !d.is_empty()) {
                    writeln!(out, "[[Derived quantities]] (σ from the full covariance)")?;
                    for q in d {
                        // an infinite σ (an undetermined parameter: the
                        // fit's warnings say which) is no uncertainty either
                        let se = q.stderr.filter(|s| s.is_finite()).map_or_else(
                            || "(uncertainty not known)".to_string(),
                            |s| format!("± {s:.4e}"),
                        );
                        writeln!(
                            out,
                            "    {:<22} {:.6e} {se} {:<2}  = {}",
                            q.name, q.value, q.unit, q.formula
                        )?;
                    }
                }
                if let Some(m) = mc_of(i) {
                    write_mc_table(out, m)?;
                }
            }
        }
        Format::Json => {
            let fits: Vec<JsonFit> = fits
                .iter()
                .enumerate()
                .map(|(i, (name, r))| JsonFit::of(name, r, derived_of(i), mc_of(i)))
                .collect();
            let doc = serde_json::json!({ "fits": fits });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "fit,converged,chi_square,parameter,value,stderr,vary")?;
            for (i, (name, r)) in fits.iter().enumerate() {
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
                for q in derived_of(i).unwrap_or(&[]) {
                    let se = q.stderr.map_or(String::new(), |s| format!("{s:e}"));
                    writeln!(
                        out,
                        "{},{},{:e},{},{:e},{se},derived",
                        csv_field(name),
                        r.converged,
                        r.chi_square,
                        csv_field(&q.name),
                        q.value
                    )?;
                }
                // Monte Carlo: the value column holds the median, the stderr
                // column the spread's standard deviation
                for s in mc_of(i)
                    .map(|m| m.params.iter().chain(&m.derived))
                    .into_iter()
                    .flatten()
                {
                    writeln!(
                        out,
                        "{},{},{:e},{},{:e},{:e},monte_carlo",
                        csv_field(name),
                        r.converged,
                        r.chi_square,
                        csv_field(&s.name),
                        s.percentiles[2],
                        s.std
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// A Monte Carlo block of the table format: per parameter and derived
/// quantity (fixed ones left out), the spread's std beside the covariance
/// error, and the 68 % and 95 % intervals.
pub fn write_mc_table(out: &mut impl Write, m: &McReport) -> std::io::Result<()> {
    writeln!(
        out,
        "[[Monte Carlo]] {} refits ({}, seed {}; {} failed): std beside the covariance error, 68 % and 95 % intervals",
        m.n_ok, m.resampling, m.seed, m.n_failed
    )?;
    for s in m.params.iter().chain(&m.derived) {
        if s.std == 0.0 {
            continue;
        }
        let cov = s
            .covariance_stderr
            .map_or_else(|| "n/a".to_string(), |c| format!("{c:.3e}"));
        writeln!(
            out,
            "    {:<22} std {:.3e} (covariance {cov})  68 %: [{:.6e}, {:.6e}]  95 %: [{:.6e}, {:.6e}]",
            s.name, s.std, s.percentiles[1], s.percentiles[3], s.percentiles[0], s.percentiles[4]
        )?;
    }
    Ok(())
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One named result of a calculation subcommand (`materials ...`).
#[derive(Debug, Clone, Serialize)]
pub struct Quantity {
    /// Machine-readable name, e.g. `molar_mass` or `mass_fraction.Li`.
    pub name: String,
    /// The value (a number, or a string such as a formula).
    pub value: serde_json::Value,
    /// Standard uncertainty, when one applies (NaN: it applies but is not
    /// known; JSON `null`, CSV empty, the table says so).
    pub uncertainty: Option<f64>,
    /// Unit (`g/mol`, `g/cm3`, `1` for fractions, `` for text).
    pub unit: &'static str,
}

impl Quantity {
    /// A number with an optional uncertainty.
    pub fn num(
        name: impl Into<String>,
        value: f64,
        uncertainty: Option<f64>,
        unit: &'static str,
    ) -> Self {
        Quantity {
            name: name.into(),
            value: serde_json::json!(value),
            uncertainty,
            unit,
        }
    }
    /// A text value.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Quantity {
            name: name.into(),
            value: serde_json::Value::String(value.into()),
            uncertainty: None,
            unit: "",
        }
    }
}

/// Writes quantities: an aligned table, `{"quantities":[{"name","value","uncertainty","unit"}]}`,
/// or CSV `name,value,uncertainty,unit`.
pub fn write_quantities(
    out: &mut impl Write,
    rows: &[Quantity],
    format: Format,
) -> std::io::Result<()> {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
                format!("{x:.6e}")
            } else {
                format!("{x:.6}")
            }
        }
        other => other.to_string(),
    };
    match format {
        Format::Table => {
            let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in rows {
                let u = match r.uncertainty {
                    Some(u) if u.is_nan() => " (uncertainty not known)".to_string(),
                    Some(u) => format!(" ± {u:.2e}"),
                    None => String::new(),
                };
                writeln!(out, "{:<w$}  {}{u} {}", r.name, show(&r.value), r.unit)?;
            }
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "quantities": rows }))?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "name,value,uncertainty,unit")?;
            for r in rows {
                let v = match &r.value {
                    serde_json::Value::String(s) => csv_field(s),
                    v => v.to_string(),
                };
                let u = r
                    .uncertainty
                    .filter(|u| !u.is_nan())
                    .map_or(String::new(), |u| format!("{u:e}"));
                writeln!(out, "{},{v},{u},{}", csv_field(&r.name), r.unit)?;
            }
        }
    }
    Ok(())
}

/// A one-line progress report on stderr for long batches:
/// `fitted 1234/65536 (2 failed)`, redrawn at most ten times a second and
/// ended with a newline. Shown when asked (`--progress`) or when stderr is a
/// terminal and the batch has at least [`ProgressLine::AUTO_MIN`] items.
pub struct ProgressLine {
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl ProgressLine {
    /// Batches this large get a progress line on a terminal without asking.
    pub const AUTO_MIN: usize = 64;

    /// A progress line for `total` items, or None when none should be shown.
    pub fn new(total: usize, forced: bool) -> Option<ProgressLine> {
        use std::io::IsTerminal;
        (forced || (total >= Self::AUTO_MIN && std::io::stderr().is_terminal())).then(|| {
            ProgressLine {
                last: std::sync::Mutex::new(None),
            }
        })
    }

    /// Redraws the line (throttled; the last item always draws).
    pub fn report(&self, p: interphase::fit::Progress) {
        let now = std::time::Instant::now();
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let due = last.is_none_or(|t| now.duration_since(t).as_millis() >= 100);
        if due || p.done == p.total {
            *last = Some(now);
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rfitted {}/{} ({} failed)", p.done, p.total, p.failed);
            let _ = err.flush();
        }
    }

    /// Ends the line.
    pub fn finish(&self) {
        eprintln!();
    }
}
