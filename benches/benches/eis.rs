//! Impedance: evaluation and CNLS fits of R0-p(R1,CPE1)-p(R2,CPE2) with 60
//! and 90 frequencies (from the truth, and with no guess: the multi-start),
//! Lin-KK and the DRT (fixed λ and GCV) on 71 frequencies.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_eis::drt::{DrtOptions, Lambda, drt};
use interphase_eis::fit::{FitOptions, Weighting, circuit_parameters, fit_circuit};
use interphase_eis::kk::{KkOptions, KkSelect, lin_kk};
use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};

const TRUTH: [f64; 7] = [20.0, 200.0, 2e-6, 0.85, 1000.0, 1e-4, 0.8];

/// `n` frequencies from 1 MHz to 0.1 Hz with a deterministic ±0.5 % ripple.
fn spectrum(c: &Circuit, n: usize) -> ImpedanceSpectrum {
    let f: Vec<f64> = (0..n)
        .map(|i| 10f64.powf(6.0 - 7.0 * i as f64 / (n - 1) as f64))
        .collect();
    let clean = ImpedanceSpectrum::simulate(c, &TRUTH, &f).unwrap();
    let z: Vec<Complex64> = clean
        .z()
        .iter()
        .enumerate()
        .map(|(i, z)| {
            let e = 0.005 * z.norm();
            Complex64::new(
                z.re + e * (0.7 * i as f64).sin(),
                z.im + e * (1.3 * i as f64).cos(),
            )
        })
        .collect();
    ImpedanceSpectrum::new(f, z).unwrap()
}

fn bench(c: &mut Criterion) {
    let circuit: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let opts = FitOptions {
        weighting: Weighting::Proportional,
        ..FitOptions::default()
    };
    for n in [60, 90] {
        let data = spectrum(&circuit, n);
        let mut z = vec![Complex64::new(0.0, 0.0); n];
        c.bench_function(&format!("eis_eval/{n}f"), |b| {
            b.iter(|| {
                circuit
                    .impedance_into(black_box(data.freq()), &TRUTH, &mut z)
                    .unwrap()
            })
        });
        let start = circuit_parameters(&circuit, &TRUTH).unwrap();
        c.bench_function(&format!("eis_fit_from_truth/{n}f"), |b| {
            b.iter(|| fit_circuit(&circuit, black_box(&data), Some(&start), &opts).unwrap())
        });
        c.bench_function(&format!("eis_fit_no_guess/{n}f"), |b| {
            b.iter(|| fit_circuit(&circuit, black_box(&data), None, &opts).unwrap())
        });
    }
    let data = spectrum(&circuit, 71);
    let kk = KkOptions {
        select: KkSelect::Fixed,
        max_m: 35,
        ..KkOptions::default()
    };
    c.bench_function("lin_kk/71f_m35", |b| {
        b.iter(|| lin_kk(black_box(&data), &kk).unwrap())
    });
    let fixed = DrtOptions {
        lambda: Lambda::Fixed(1e-3),
        ..DrtOptions::default()
    };
    c.bench_function("drt_fixed_lambda/71f", |b| {
        b.iter(|| drt(black_box(&data), &fixed).unwrap())
    });
    c.bench_function("drt_gcv/71f", |b| {
        b.iter(|| drt(black_box(&data), &DrtOptions::default()).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
