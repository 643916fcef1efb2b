//! `interphase eis fit FILE... --circuit C`: CNLS fits of an equivalent
//! circuit to impedance files (CSV/TSV, EC-Lab .mpt, Gamry .DTA, ZPlot .z),
//! files fitted in parallel, results in input order. Output as `nist`:
//! `{"fits":[{"name", "converged", "termination", "chi_square",
//! "reduced_chi_square", "n_evaluations", "parameters":[{"name", "value",
//! "stderr", "vary"}]}]}` with parameters in circuit order (`R0`, `CPE1.Q`,
//! `CPE1.alpha`, ...).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use interphase::eis::fit::{FitOptions, Weighting, circuit_parameters, fit_circuit};
use interphase::eis::{Circuit, io};
use interphase::fit::FitResult;

use crate::Failure;

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

/// `eis fit` arguments.
#[derive(Args, Debug, Clone)]
pub struct FitArgs {
    /// Impedance files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Circuit in impedance.py syntax, e.g. "R0-p(R1,CPE1)-p(R2,CPE2)".
    #[arg(long)]
    pub circuit: String,
    /// Residual weighting.
    #[arg(long, value_enum, default_value_t = Weight::Unit)]
    pub weight: Weight,
    /// Starting values in circuit order, comma-separated (default: automatic guesses).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub initial: Option<Vec<f64>>,
    /// Drop inductive points (Im Z > 0) first.
    #[arg(long)]
    pub drop_inductive: bool,
    /// Lowest frequency kept, Hz.
    #[arg(long)]
    pub fmin: Option<f64>,
    /// Highest frequency kept, Hz.
    #[arg(long)]
    pub fmax: Option<f64>,
}

fn fit_one(a: &FitArgs, circuit: &Circuit, path: &PathBuf) -> Result<(String, FitResult), Failure> {
    let name = path.display().to_string();
    let input = |e: interphase::eis::Error| Failure::input(e.to_string());
    let mut data = io::read_path(path).map_err(input)?;
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
    let weighting = match a.weight {
        Weight::Unit => Weighting::Unit,
        Weight::Proportional => Weighting::Proportional,
        Weight::Modulus => Weighting::Modulus,
    };
    let initial = match &a.initial {
        Some(v) => Some(circuit_parameters(circuit, v).map_err(input)?),
        None => None,
    };
    let fit = fit_circuit(
        circuit,
        &data,
        initial.as_ref(),
        &FitOptions {
            weighting,
            ..Default::default()
        },
    )
    .map_err(|e| Failure::other(format!("{name}: {e}")))?;
    Ok((name, fit.result))
}

/// Runs `eis fit`: every file on its own thread pool slot, results in input order.
pub fn run_fit(a: &FitArgs) -> Result<Vec<(String, FitResult)>, Failure> {
    let circuit: Circuit = a
        .circuit
        .parse()
        .map_err(|e: interphase::eis::Error| Failure::input(e.to_string()))?;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(a.files.len())
        .max(1);
    let mut results: Vec<Option<Result<(String, FitResult), Failure>>> =
        (0..a.files.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        for (t, chunk) in results
            .chunks_mut(a.files.len().div_ceil(threads))
            .enumerate()
        {
            let circuit = &circuit;
            let start = t * a.files.len().div_ceil(threads);
            s.spawn(move || {
                for (k, slot) in chunk.iter_mut().enumerate() {
                    *slot = Some(fit_one(a, circuit, &a.files[start + k]));
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Failure::other("a fit thread stopped"))))
        .collect()
}
