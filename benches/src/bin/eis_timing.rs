//! Times circuit fits and DRTs for `benches/compare/impedance_py_fit.py` and
//! `benches/compare/pydrttools_drt.py`.
//!
//! `eis_timing fit CIRCUIT unit|proportional FILE...`: fits the circuit to
//! each file with NO initial guess, on one thread, and prints one line per
//! file: `file=... us=<median µs> chi2=... p=<v1>,<v2>,...`. The
//! environment variable `EIS_REPEAT_STOP=k` sets `FitOptions::repeat_stop`.
//!
//! `eis_timing drt FILE...`: the default DRT (GCV, combined, inductance) of
//! each file: `file=... us=... lambda=... r_inf=... peaks=<τ:R>;...`.

use interphase_benches::median_time;
use interphase_eis::Circuit;
use interphase_eis::drt::{DrtOptions, drt};
use interphase_eis::fit::{FitOptions, Weighting, fit_circuit};
use interphase_io as io;

fn fail(msg: String) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fit") if args.len() >= 4 => {
            let circuit: Circuit = args[1].parse().unwrap_or_else(|e| fail(format!("{e}")));
            let weighting = match args[2].as_str() {
                "unit" => Weighting::Unit,
                "proportional" => Weighting::Proportional,
                w => fail(format!("unknown weighting {w}")),
            };
            // EIS_REPEAT_STOP=k: FitOptions::repeat_stop (default 0, every start)
            let repeat_stop = std::env::var("EIS_REPEAT_STOP")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let opts = FitOptions {
                weighting,
                repeat_stop,
                ..FitOptions::default()
            };
            for path in &args[3..] {
                let data =
                    io::read_impedance_spectrum(path).unwrap_or_else(|e| fail(format!("{e}")));
                let (us, fit) = median_time(5, || fit_circuit(&circuit, &data, None, &opts));
                let fit = fit.unwrap_or_else(|e| fail(format!("{path}: {e}")));
                let p: Vec<String> = fit
                    .result
                    .values()
                    .iter()
                    .map(|v| format!("{v:.17e}"))
                    .collect();
                println!(
                    "file={path} us={us:.1} chi2={:.17e} p={}",
                    fit.result.chi_square,
                    p.join(",")
                );
            }
        }
        Some("drt") if args.len() >= 2 => {
            for path in &args[1..] {
                let data =
                    io::read_impedance_spectrum(path).unwrap_or_else(|e| fail(format!("{e}")));
                let (us, d) = median_time(5, || drt(&data, &DrtOptions::default()));
                let d = d.unwrap_or_else(|e| fail(format!("{path}: {e}")));
                let peaks: Vec<String> = d
                    .peaks
                    .iter()
                    .map(|p| format!("{:.6e}:{:.6e}", p.tau, p.resistance))
                    .collect();
                println!(
                    "file={path} us={us:.1} lambda={:.6e} r_inf={:.6e} peaks={}",
                    d.lambda,
                    d.r_inf,
                    peaks.join(";")
                );
            }
        }
        _ => fail(
            "usage: eis_timing fit CIRCUIT unit|proportional FILE... | eis_timing drt FILE..."
                .into(),
        ),
    }
}
