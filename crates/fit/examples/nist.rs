//! Fits every NIST StRD `.dat` file in a directory from both starting points and
//! prints one JSON object per line:
//!
//! ```text
//! cargo run --release -p interphase-fit --example nist -- crates/fit/tests/data/nist
//! cargo run --release -p interphase-fit --example nist -- crates/fit/tests/data/nist central
//! ```
//!
//! The optional second argument chooses the Jacobian: `analytic` (default, the
//! models' derivatives), `forward` or `central` finite differences.
//!
//! `{"problem":"Misra1a","start":1,"converged":true,"params":[...],"stderr":[...],
//!   "rss":..., "min_lre_params":..., "min_lre_stderr":..., "lre_rss":...}`
//!
//! The LRE fields (log relative errors against the certified values: the number
//! of agreeing digits) let the validation be checked at a glance.

use interphase_fit::{Derivatives, LmOptions, fit, nist};
use serde_json::json;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "crates/fit/tests/data/nist".into());
    let derivatives = match std::env::args().nth(2).as_deref() {
        None | Some("analytic") => Derivatives::Auto,
        Some("forward") => Derivatives::Forward,
        Some("central") => Derivatives::Central,
        Some(other) => {
            eprintln!("error: unknown derivatives '{other}' (analytic, forward or central)");
            std::process::exit(2);
        }
    };
    let options = LmOptions {
        derivatives,
        ..LmOptions::precise()
    };
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "dat"))
            .collect(),
        Err(e) => {
            eprintln!("error: cannot read directory {dir}: {e}");
            std::process::exit(2);
        }
    };
    files.sort();
    if files.is_empty() {
        eprintln!("error: no .dat files in {dir}");
        std::process::exit(2);
    }
    let mut failures = 0;
    for path in files {
        let data = match nist::Dataset::from_file(&path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                failures += 1;
                continue;
            }
        };
        let problem = data.problem();
        for start in [1u8, 2] {
            let params = data.start(start).expect("starts 1 and 2 exist");
            let line = match fit(&problem, &params, &options) {
                Ok(r) => {
                    let stderr: Vec<Option<f64>> = r.stderrs();
                    let min_p = r
                        .params
                        .iter()
                        .zip(&data.params)
                        .map(|(p, c)| nist::lre(p.value, c.value))
                        .fold(f64::INFINITY, f64::min);
                    let min_s = stderr
                        .iter()
                        .zip(&data.params)
                        .map(|(s, c)| s.map_or(0.0, |s| nist::lre(s, c.std_dev)))
                        .fold(f64::INFINITY, f64::min);
                    json!({
                        "problem": data.name, "start": start, "converged": r.converged,
                        "termination": format!("{:?}", r.termination),
                        "params": r.values(), "stderr": stderr, "rss": r.chi_square,
                        "n_evaluations": r.n_evaluations,
                        "min_lre_params": (min_p * 10.0).round() / 10.0,
                        "min_lre_stderr": (min_s * 10.0).round() / 10.0,
                        "lre_rss": (nist::lre(r.chi_square, data.residual_sum_of_squares) * 10.0).round() / 10.0,
                    })
                }
                Err(e) => {
                    failures += 1;
                    json!({"problem": data.name, "start": start, "converged": false, "error": e.to_string()})
                }
            };
            println!("{line}");
        }
    }
    if failures > 0 {
        std::process::exit(1);
    }
}
