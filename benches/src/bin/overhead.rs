//! Solver overhead of the fitting core: fit time ÷ (evaluations × one
//! residual + Jacobian evaluation), the figure docs/benchmarks.md reports.
//!
//! `cargo run --release -p interphase-benches --bin overhead`

use std::hint::black_box;
use std::time::Instant;

use interphase_benches::{FourGaussians, nist_dataset};
use interphase_fit::{
    FitWorkspace, JacobianMut, LmOptions, Parameters, Problem, fit_with_workspace,
};

/// Median of `reps` timings of `f`, in seconds.
fn median_time(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[reps / 2]
}

fn report(name: &str, problem: &dyn Problem, params: &Parameters, reps: usize) {
    let opts = LmOptions::default();
    let mut ws = FitWorkspace::default();
    let r = fit_with_workspace(problem, params, &opts, &mut ws).expect("fit");
    let t_fit = median_time(reps, || {
        black_box(fit_with_workspace(problem, params, &opts, &mut ws).unwrap());
    });
    let p = r.values();
    let m = problem.n_residuals();
    let n = p.len();
    let mut res = vec![0.0; m];
    let mut jac = vec![0.0; m * n];
    let inner = 50;
    let t_rj = median_time(reps, || {
        for _ in 0..inner {
            problem.residuals(black_box(&p), &mut res);
            let mut view = JacobianMut::new(&mut jac, m, n).unwrap();
            problem.jacobian(black_box(&p), &mut view);
        }
    }) / inner as f64;
    let t_r = median_time(reps, || {
        for _ in 0..inner {
            problem.residuals(black_box(&p), &mut res);
        }
    }) / inner as f64;
    let t_j = t_rj - t_r;
    let by_issue = t_fit / (r.n_evaluations as f64 * t_rj);
    let strict = t_fit / (r.n_evaluations as f64 * t_r + r.n_jacobians as f64 * t_j.max(0.0));
    println!(
        "| {name} | {m} | {n} | {:.1} | {} | {} | {:.2} | {:.2} | {by_issue:.2} | {strict:.2} |",
        t_fit * 1e6,
        r.n_evaluations,
        r.n_jacobians,
        t_r * 1e6,
        t_rj * 1e6
    );
}

fn main() {
    println!(
        "| workload | N | params | fit µs | residual evals | Jacobian evals | r µs | r+J µs | overhead (issue) | overhead (strict) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (name, start) in [("Gauss3", 2u8), ("MGH09", 2), ("Misra1a", 1)] {
        let d = nist_dataset(name);
        let params = d.start(start).unwrap();
        report(
            &format!("NIST {name} start {start}"),
            &d.problem(),
            &params,
            201,
        );
    }
    let g = FourGaussians::new(1000);
    report("4 Gaussians, 1000 points", &g, &FourGaussians::start(), 101);
    // the peak-fitting issue's workload: two Voigt doublets (ties, width
    // ratio) on a linear background, the lmfit comparison's data and model
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/spectra/tests/data");
    let spectrum = interphase_io::read_spectra(format!("{dir}/ti2p_synthetic.csv"))
        .expect("the Ti 2p data")
        .remove(0);
    let model = interphase_spectra::model::PeakModel::from_path(format!("{dir}/ti2p_linear.toml"))
        .expect("the Ti 2p model");
    let (problem, params) = model
        .problem_for(&spectrum, &Default::default())
        .expect("the Ti 2p problem");
    report(
        "Ti 2p, 2 Voigt doublets, 500 points",
        &problem,
        &params,
        101,
    );
}
