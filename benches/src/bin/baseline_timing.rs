//! Times the baselines on 2000 points for `benches/compare/pybaselines_compare.py`.
//!
//! `cargo run --release -p interphase-benches --bin baseline_timing -- OUTDIR`
//! generates the shared data set (see the script), runs arPLS, AsLS, airPLS,
//! SNIP, ModPoly, IModPoly and Shirley with pybaselines' default-like
//! parameters, writes each baseline to `OUTDIR/<method>.f64` (little-endian) and
//! prints `method=µs` medians of 21 runs.

use interphase_benches::{compare_spectrum, median_time};
use interphase_spectra::baseline::{
    WhittakerOptions, airpls, arpls, asls, imodpoly, modpoly, shirley, snip,
};

/// A named baseline computation.
type Method<'a> = Box<dyn Fn() -> Vec<f64> + 'a>;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp".into());
    let (x, y) = compare_spectrum();
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
        let (us, out) = median_time(21, f);
        let bytes: Vec<u8> = out.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(format!("{dir}/{name}.f64"), bytes).expect("write baseline");
        println!("{name}={us:.2}");
    }
}
