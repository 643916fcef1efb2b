//! Times the baselines on 2000 points for `benches/compare/pybaselines_compare.py`.
//!
//! `cargo run --release -p interphase-benches --bin baseline_timing -- OUTDIR`
//! generates the shared data set (see the script), runs arPLS, AsLS, airPLS,
//! SNIP, ModPoly, IModPoly and Shirley with pybaselines' default-like
//! parameters, writes each baseline to `OUTDIR/<method>.f64` (little-endian) and
//! prints `method=µs` medians of 21 runs.

use std::hint::black_box;
use std::time::Instant;

use interphase_spectra::baseline::{
    WhittakerOptions, airpls, arpls, asls, imodpoly, modpoly, shirley, snip,
};

/// The shared data: 2000 points, a sloped sinusoidal background, four peaks and
/// deterministic pseudo-noise (same arithmetic as the Python script).
pub fn data() -> (Vec<f64>, Vec<f64>) {
    let n = 2000;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y = x
        .iter()
        .map(|&t| {
            let g = |c: f64, w: f64, a: f64| a * (-0.5 * ((t - c) / w).powi(2)).exp();
            100.0
                + 0.02 * t
                + 20.0 * (t / 300.0).sin()
                + g(400.0, 10.0, 300.0)
                + g(900.0, 25.0, 150.0)
                + g(1300.0, 6.0, 200.0)
                + g(1700.0, 15.0, 120.0)
                + 0.8 * (0.37 * t).sin()
                + 0.5 * (1.91 * t).sin()
        })
        .collect();
    (x, y)
}

/// A named baseline computation.
type Method<'a> = Box<dyn Fn() -> Vec<f64> + 'a>;

fn time(reps: usize, mut f: impl FnMut() -> Vec<f64>) -> (f64, Vec<f64>) {
    let mut out = f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            out = black_box(f());
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[reps / 2] * 1e6, out)
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp".into());
    let (x, y) = data();
    let methods: Vec<(&str, Method)> = vec![
        (
            "arpls",
            Box::new(|| {
                arpls(
                    &y,
                    &WhittakerOptions {
                        lam: 1e5,
                        ..Default::default()
                    },
                )
                .unwrap()
                .baseline
            }),
        ),
        (
            "asls",
            Box::new(|| {
                asls(
                    &y,
                    &WhittakerOptions {
                        lam: 1e6,
                        p: 0.01,
                        ..Default::default()
                    },
                )
                .unwrap()
                .baseline
            }),
        ),
        (
            "airpls",
            Box::new(|| {
                airpls(
                    &y,
                    &WhittakerOptions {
                        lam: 1e6,
                        ..Default::default()
                    },
                )
                .unwrap()
                .baseline
            }),
        ),
        (
            "snip",
            Box::new(|| snip(&y, 40, false, false).unwrap().baseline),
        ),
        (
            "modpoly",
            Box::new(|| modpoly(&x, &y, 3, 1e-3, 250).unwrap().baseline),
        ),
        (
            "imodpoly",
            Box::new(|| imodpoly(&x, &y, 3, 1e-3, 250, 1.0).unwrap().baseline),
        ),
        (
            "shirley",
            Box::new(|| shirley(&x, &y, 5, 1e-6, 100).unwrap().baseline),
        ),
    ];
    for (name, f) in &methods {
        let (us, out) = time(21, f);
        let bytes: Vec<u8> = out.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(format!("{dir}/{name}.f64"), bytes).expect("write baseline");
        println!("{name}={us:.2}");
    }
}
