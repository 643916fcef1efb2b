//! Batch fits: spectrum images and series in parallel chains with warm
//! starts — deterministic whatever the thread count, equal to independent
//! fits at the optimum, failures per spectrum, progress reports.

mod common;

use std::sync::Mutex;

use common::noise;
use interphase_spectra::Spectrum;
use interphase_spectra::model::{BatchOptions, PeakFitOptions, PeakModel, Progress};
use ndarray::Array3;

fn model() -> PeakModel {
    PeakModel::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ti2p_shirley.toml"
    ))
    .unwrap()
}

fn grid() -> Vec<f64> {
    (0..240).map(|i| 468.0 - 0.06 * i as f64).collect()
}

/// A rows × cols map whose Ti³⁺ area grows to the right and down, √y noise.
fn image(rows: usize, cols: usize) -> (Vec<f64>, Array3<f64>) {
    let m = model();
    let x = grid();
    let mut cube = Array3::<f64>::zeros((rows, cols, x.len()));
    for r in 0..rows {
        for c in 0..cols {
            let k = (r * cols + c) as f64;
            let p = m
                .parameters_from(
                    &[
                        ("bg.c0", 200.0),
                        ("bg.k", 0.02),
                        ("Ti4+.center", 458.85),
                        ("Ti4+.sigma", 0.45),
                        ("Ti4+.gamma", 0.25),
                        ("Ti4+.splitting", 5.72),
                        ("Ti3+.center", 457.2),
                        ("Ti4+.area", 5000.0 - 40.0 * k),
                        ("Ti3+.area", 300.0 + 40.0 * k),
                    ],
                    &x,
                )
                .unwrap();
            let clean = m.evaluate(&x, &p).unwrap();
            for (j, (v, e)) in clean.iter().zip(noise(x.len(), 11 + k as u64)).enumerate() {
                cube[[r, c, j]] = v + v.sqrt() * e;
            }
        }
    }
    (x, cube)
}

#[test]
fn image_fits_are_deterministic_and_reach_the_independent_optima() {
    let m = model();
    let (x, cube) = image(4, 6);
    let opts = BatchOptions::default();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| m.fit_image(&x, cube.view(), &opts).unwrap())
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.shape, vec![4, 6]);
    assert_eq!(one, two, "results must not depend on the thread count");
    assert_eq!(one.n_failed(), 0);
    // every pixel at the optimum of its own independent fit
    let fit_opts = PeakFitOptions::default();
    let mut warm_evals = 0;
    let mut cold_evals = 0;
    for r in 0..4 {
        for c in 0..6 {
            let i = r * 6 + c;
            let s = Spectrum::new(
                x.clone(),
                cube.index_axis(ndarray::Axis(0), r).row(c).to_vec(),
            )
            .unwrap();
            let own = m.fit(&s, &fit_opts).unwrap();
            let got = one.fits[i].as_ref().unwrap();
            assert!(
                (got.chi_square / own.fit.chi_square - 1.0).abs() < 1e-7,
                "pixel {i}: {} vs {}",
                got.chi_square,
                own.fit.chi_square
            );
            warm_evals += got.n_evaluations;
            cold_evals += own.fit.n_evaluations;
        }
    }
    // warm starts save evaluations on a smooth map
    assert!(warm_evals < cold_evals, "{warm_evals} vs {cold_evals}");
    // maps by parameter name
    let areas = one.map("Ti3+.area").unwrap();
    assert_eq!(areas.len(), 24);
    assert!(areas[23] > areas[0]);
    assert!(one.map("nope").is_err());
    assert_eq!(one.chi_square_map().len(), 24);
    assert!(
        one.stderr_map("Ti4+.sigma")
            .unwrap()
            .iter()
            .all(|s| *s > 0.0)
    );
}

#[test]
fn a_bad_pixel_fails_alone_and_progress_is_reported() {
    let m = model();
    let (x, mut cube) = image(2, 5);
    cube[[1, 2, 17]] = f64::NAN;
    let seen = Mutex::new(Vec::<Progress>::new());
    let record = |p: Progress| seen.lock().unwrap().push(p);
    let opts = BatchOptions {
        progress: Some(&record),
        ..BatchOptions::default()
    };
    let fit = m.fit_image(&x, cube.view(), &opts).unwrap();
    assert_eq!(fit.n_failed(), 1);
    let msg = fit.fits[7].as_ref().unwrap_err().to_string();
    assert!(msg.contains("index 17"), "{msg}");
    assert!(fit.map("Ti4+.area").unwrap()[7].is_nan());
    // the neighbours after the bad pixel still fit (warm start skips it)
    assert!(fit.fits[8].is_ok() && fit.fits[9].is_ok());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 10);
    let last = seen.iter().max_by_key(|p| p.done).unwrap();
    assert_eq!((last.done, last.total), (10, 10));
    assert_eq!(seen.iter().map(|p| p.failed).max(), Some(1));
    // shapes that do not match are an error for the whole batch
    assert!(m.fit_image(&x[1..], cube.view(), &opts).is_err());
}

#[test]
fn series_and_rows_agree_with_and_without_warm_starts() {
    let m = model();
    let (x, cube) = image(1, 12);
    let rows = cube.index_axis(ndarray::Axis(0), 0).to_owned();
    let cold = BatchOptions {
        warm_start: false,
        chain: 5,
        ..BatchOptions::default()
    };
    let warm = BatchOptions {
        chain: 5,
        ..BatchOptions::default()
    };
    let a = m.fit_rows(&x, rows.view(), &cold).unwrap();
    let b = m.fit_rows(&x, rows.view(), &warm).unwrap();
    for (p, q) in a.fits.iter().zip(&b.fits) {
        let (p, q) = (p.as_ref().unwrap(), q.as_ref().unwrap());
        assert!((p.chi_square / q.chi_square - 1.0).abs() < 1e-7);
    }
    // fit_batch on Spectrum values gives full results in the same order
    let spectra: Vec<Spectrum> = (0..12)
        .map(|i| Spectrum::new(x.clone(), rows.row(i).to_vec()).unwrap())
        .collect();
    let full = m.fit_batch(&spectra, &warm);
    for (f, c) in full.iter().zip(&b.fits) {
        let (f, c) = (f.as_ref().unwrap(), c.as_ref().unwrap());
        assert_eq!(f.fit.chi_square.to_bits(), c.chi_square.to_bits());
        assert_eq!(f.curves.len(), 4);
    }
}
