//! Criterion benchmarks of the fitting core.
//!
//! `cargo bench -p interphase-benches --bench fit_core`

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_benches::{FourGaussians, nist_dataset};
use interphase_fit::{
    FitWorkspace, JacobianMut, LmOptions, Problem, fit, fit_batch, fit_with_workspace,
};
use std::hint::black_box;

fn nist_fits(c: &mut Criterion) {
    for (name, start) in [("Gauss3", 2u8), ("MGH09", 2), ("Misra1a", 1)] {
        let data = nist_dataset(name);
        let problem = data.problem();
        let params = data.start(start).unwrap();
        let opts = LmOptions::default();
        let mut ws = FitWorkspace::default();
        c.bench_function(
            &format!("fit/nist_{}_start{start}", name.to_lowercase()),
            |b| {
                b.iter(|| fit_with_workspace(black_box(&problem), &params, &opts, &mut ws).unwrap())
            },
        );
    }
}

fn gaussians(c: &mut Criterion) {
    let problem = FourGaussians::new(1000);
    let params = FourGaussians::start();
    let opts = LmOptions::default();
    let mut ws = FitWorkspace::default();
    c.bench_function("fit/gauss4_1000pts_12par", |b| {
        b.iter(|| fit_with_workspace(black_box(&problem), &params, &opts, &mut ws).unwrap())
    });
    let p = params.values();
    let mut r = vec![0.0; 1000];
    let mut j = vec![0.0; 12_000];
    c.bench_function("eval/gauss4_1000pts_residuals_jacobian", |b| {
        b.iter(|| {
            problem.residuals(black_box(&p), &mut r);
            let mut view = JacobianMut::new(&mut j, 1000, 12).unwrap();
            problem.jacobian(black_box(&p), &mut view)
        })
    });
    let batch: Vec<FourGaussians> = (0..64).map(|_| FourGaussians::new(1000)).collect();
    c.bench_function("batch/gauss4_1000pts_x64", |b| {
        b.iter(|| fit_batch(black_box(&batch), &params, &opts))
    });
    c.bench_function("fit/gauss4_1000pts_12par_alloc", |b| {
        b.iter(|| fit(black_box(&problem), &params, &opts).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = nist_fits, gaussians
}
criterion_main!(benches);
