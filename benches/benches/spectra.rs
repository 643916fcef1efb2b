//! Spectra workloads of the performance issue: the Ti 2p model fit (two Voigt
//! doublets with shared widths on an active Shirley background, 1000 points)
//! and the baselines arPLS, AsLS, SNIP, Shirley, ModPoly and IModPoly on the 2000-point
//! comparison spectrum (the data of benches/compare/pybaselines_compare.py).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use interphase_benches::{TI2P_IMAGE_MODEL, compare_spectrum, ti2p_clean};
use interphase_spectra::Spectrum;
use interphase_spectra::baseline::{
    WhittakerOptions, arpls, asls, imodpoly, modpoly, shirley, snip,
};
use interphase_spectra::model::{PeakFitOptions, PeakModel, Projection};

fn ti2p_1000() -> (PeakModel, Spectrum) {
    let model = PeakModel::from_toml(TI2P_IMAGE_MODEL).unwrap();
    let x: Vec<f64> = (0..1000).map(|i| 470.0 - 0.02 * i as f64).collect();
    let clean = ti2p_clean(&model, &x, 5000.0, 900.0);
    // deterministic ±√y ripple in place of noise
    let y = clean
        .iter()
        .enumerate()
        .map(|(i, v)| v + v.sqrt() * (0.7 * i as f64).sin())
        .collect();
    (model, Spectrum::new(x, y).unwrap())
}

fn bench(c: &mut Criterion) {
    let (model, s) = ti2p_1000();
    for (name, projection) in [
        ("fit/ti2p_2doublets_1000pts", Projection::Auto),
        ("fit/ti2p_2doublets_1000pts_full", Projection::Off),
        ("fit/ti2p_2doublets_1000pts_varpro", Projection::On),
    ] {
        let o = PeakFitOptions {
            projection,
            ..Default::default()
        };
        c.bench_function(name, |b| b.iter(|| model.fit(black_box(&s), &o).unwrap()));
    }
    let (x, y) = compare_spectrum();
    let arpls_o = WhittakerOptions {
        lam: 1e5,
        ..Default::default()
    };
    let asls_o = WhittakerOptions {
        lam: 1e6,
        p: 0.01,
        ..Default::default()
    };
    c.bench_function("baseline/arpls_2000pts", |b| {
        b.iter(|| arpls(black_box(&y), &arpls_o).unwrap())
    });
    c.bench_function("baseline/asls_2000pts", |b| {
        b.iter(|| asls(black_box(&y), &asls_o).unwrap())
    });
    c.bench_function("baseline/snip_2000pts", |b| {
        b.iter(|| snip(black_box(&y), 40, false, false).unwrap())
    });
    c.bench_function("baseline/shirley_2000pts", |b| {
        b.iter(|| shirley(&x, black_box(&y), 5, 1e-6, 100).unwrap())
    });
    c.bench_function("baseline/modpoly_2000pts", |b| {
        b.iter(|| modpoly(&x, black_box(&y), 3, 1e-3, 250).unwrap())
    });
    c.bench_function("baseline/imodpoly_2000pts", |b| {
        b.iter(|| imodpoly(&x, black_box(&y), 3, 1e-3, 250, 1.0).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
