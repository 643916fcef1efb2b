//! Times the Ti 2p peak fit for `benches/compare/lmfit_ti2p.py`.
//!
//! `cargo run --release -p interphase-benches --bin peakfit_timing -- DATA.csv MODEL.toml`
//! fits the model (two Voigt doublets with ties and a width ratio, linear
//! background: crates/spectra/tests/data/ti2p_linear.toml) to the spectrum
//! (crates/spectra/tests/data/ti2p_synthetic.csv) repeatedly on one thread and
//! prints the median wall time per fit (µs), χ², the number of residual
//! evaluations and Jacobians, and the Ti⁴⁺ centre.

use interphase_benches::median_time;
use interphase_io::read_spectra as read_path;
use interphase_spectra::model::{PeakFitOptions, PeakModel};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(data), Some(model)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: peakfit_timing DATA.csv MODEL.toml");
        std::process::exit(2);
    };
    let spectrum = match read_path(data) {
        Ok(mut v) if !v.is_empty() => v.remove(0),
        Ok(_) => {
            eprintln!("error: {data}: no spectrum");
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let model = match PeakModel::from_path(model) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let options = PeakFitOptions::default();
    if std::env::var_os("PEAKFIT_PROFILE").is_some() {
        let (t_prep, pp) = median_time(41, || model.problem_for(&spectrum, &options));
        let (problem, params) = pp.expect("model");
        let (t_core, _) = median_time(41, || interphase_fit::fit(&problem, &params, &options.lm));
        eprintln!("prepare_us={t_prep:.1} core_fit_us={t_core:.1}");
    }
    let (us, fit) = median_time(41, || model.fit(&spectrum, &options));
    match fit {
        Ok(f) => println!(
            "fit_us={:.3} chi_square={:.17e} nfev={} njev={} ti4_center={:.15}",
            us,
            f.fit.chi_square,
            f.fit.n_evaluations,
            f.fit.n_jacobians,
            f.fit.value("Ti4+.center").unwrap_or(f64::NAN)
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
