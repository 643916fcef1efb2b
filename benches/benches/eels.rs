//! EELS spectrum-image workloads of issue 29 (64 × 64 pixels, deterministic
//! ripple in place of noise): log-ratio thickness (fixed threshold) of a
//! 1024-channel low-loss image, an MLLS Ti³⁺/Ti⁴⁺ map of a 300-channel
//! core-loss image (two references and a constant), and the Ti L₂,₃ + O K
//! quantification of a 2048-channel core-loss image. Each runs on every core
//! (rayon); `RAYON_NUM_THREADS=1` gives the single-thread time. The
//! side-by-side comparisons with exspy are benches/compare/eels_maps.py and
//! eels_quantify.py.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_spectra::eels::{
    EdgeSpec, MllsOptions, Optics, QuantifyOptions, SpectrumImage, Threshold,
};

const NY: usize = 64;
const NX: usize = 64;

fn ripple(i: usize, v: f64) -> f64 {
    v + v.sqrt() * (0.7 * i as f64).sin()
}

fn low_loss() -> SpectrumImage {
    let e: Vec<f64> = (0..1024).map(|i| -10.0 + 0.2 * i as f64).collect();
    let mut data = Vec::with_capacity(NY * NX * e.len());
    for p in 0..NY * NX {
        let t = 0.3 + 0.9 * p as f64 / (NY * NX) as f64;
        for (i, &x) in e.iter().enumerate() {
            let z = 2e5 * (-t).exp() * (-0.5 * (x / 0.35f64).powi(2)).exp();
            let pl = if x > 2.0 {
                2e5 * t * 0.02 * 60.0 / ((x - 15.0).powi(2) + 16.0)
            } else {
                0.0
            };
            data.push(ripple(i + p, z + pl).max(0.0));
        }
    }
    SpectrumImage::new(e, (NY, NX), data).unwrap()
}

fn core_mlls() -> (SpectrumImage, Vec<f64>, Vec<f64>) {
    let e: Vec<f64> = (0..300).map(|i| 450.0 + 0.1 * i as f64).collect();
    let g = |c: f64, s: f64| -> Vec<f64> {
        e.iter()
            .map(|&x| (-0.5 * ((x - c) / s).powi(2)).exp())
            .collect()
    };
    let r3: Vec<f64> = g(456.5, 0.7)
        .iter()
        .zip(g(461.8, 0.9))
        .map(|(a, b)| a + 0.7 * b)
        .collect();
    let r4: Vec<f64> = g(457.8, 0.4)
        .iter()
        .zip(g(459.9, 0.6))
        .map(|(a, b)| a + 1.2 * b)
        .collect();
    let mut data = Vec::with_capacity(NY * NX * e.len());
    for p in 0..NY * NX {
        let f = 0.8 * (p % NX) as f64 / NX as f64;
        for i in 0..e.len() {
            data.push(ripple(
                i + p,
                400.0 * (f * r3[i] + (1.0 - f) * r4[i]) + 20.0,
            ));
        }
    }
    (SpectrumImage::new(e, (NY, NX), data).unwrap(), r3, r4)
}

fn core_quant() -> SpectrumImage {
    let e: Vec<f64> = (0..2048).map(|i| 380.0 + 0.25 * i as f64).collect();
    let step = |x: f64, at: f64| if x >= at { (at / x).powi(2) } else { 0.0 };
    let mut data = Vec::with_capacity(NY * NX * e.len());
    for p in 0..NY * NX {
        let h = 300.0 + 200.0 * (p % NX) as f64 / NX as f64;
        for (i, &x) in e.iter().enumerate() {
            data.push(ripple(
                i + p,
                2e12 * x.powf(-3.2) + h * step(x, 456.0) + 300.0 * step(x, 532.0),
            ));
        }
    }
    SpectrumImage::new(e, (NY, NX), data).unwrap()
}

fn bench(c: &mut Criterion) {
    let ll = low_loss();
    c.bench_function("eels/thickness_64x64x1024", |b| {
        b.iter(|| black_box(&ll).thickness(Threshold::Fixed(3.0)))
    });
    let (core, r3, r4) = core_mlls();
    let opts = MllsOptions {
        background_terms: 1,
        ..Default::default()
    };
    c.bench_function("eels/mlls_64x64x300", |b| {
        b.iter(|| black_box(&core).mlls(&[("Ti3+", &r3), ("Ti4+", &r4)], &opts))
    });
    let q = core_quant();
    let edges = EdgeSpec::parse_list("Ti:L23[401,447],O:K[468,521]").unwrap();
    let qo = QuantifyOptions {
        optics: Optics {
            beam_kev: 200.0,
            beta_mrad: 20.0,
            alpha_mrad: 0.0,
        },
        delta_ev: 50.0,
        gain: 1.0,
    };
    c.bench_function("eels/quantify_64x64x2048", |b| {
        b.iter(|| black_box(&q).quantify(&edges, &qo, None).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
