//! Global circuit fits sharing parameters across spectra: a temperature
//! series of an LLTO-like pellet (two arcs whose resistances fall with
//! temperature while the CPE exponents stay), recovered with its exponents
//! shared; consistency with independent fits; errors.

mod common;

use common::Rng;
use interphase_eis::fit::{FitOptions, Weighting, fit_circuit, fit_circuit_global};
use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};

const ALPHA1: f64 = 0.88;
const ALPHA2: f64 = 0.78;

/// Step `k` of the series: R1, R2 fall by Arrhenius-like factors; τ's follow.
fn truth(k: usize) -> [f64; 7] {
    let f = 0.45f64.powi(k as i32);
    let (r1, r2) = (400.0 * f, 2500.0 * f);
    let (t1, t2) = (3e-6 * f, 2e-3 * f);
    [
        12.0,
        r1,
        t1.powf(ALPHA1) / r1,
        ALPHA1,
        r2,
        t2.powf(ALPHA2) / r2,
        ALPHA2,
    ]
}

fn series(c: &Circuit, n: usize, noise: f64) -> Vec<ImpedanceSpectrum> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
    (0..n)
        .map(|k| {
            let clean = ImpedanceSpectrum::simulate(c, &truth(k), &f).unwrap();
            let z: Vec<Complex64> = clean
                .z()
                .iter()
                .map(|z| {
                    let s = noise * z.norm();
                    Complex64::new(z.re + s * rng.normal(), z.im + s * rng.normal())
                })
                .collect();
            ImpedanceSpectrum::new(f.clone(), z).unwrap()
        })
        .collect()
}

fn options() -> FitOptions {
    FitOptions {
        weighting: Weighting::Proportional,
        ..FitOptions::default()
    }
}

#[test]
fn shared_exponents_across_a_temperature_series() {
    let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let data = series(&c, 4, 0.005);
    let shared = ["CPE1.alpha", "CPE2.alpha"];
    let g = fit_circuit_global(&c, &data, &shared, &options()).unwrap();
    assert!(g.result.converged, "{:?}", g.result.termination);
    assert_eq!(g.result.n_varying, 2 + 4 * 5);
    assert_eq!(g.fits.len(), 4);
    for (name, t) in [("CPE1.alpha", ALPHA1), ("CPE2.alpha", ALPHA2)] {
        let (v, s) = (
            g.result.value(name).unwrap(),
            g.result.stderr(name).unwrap(),
        );
        assert!((v - t).abs() < 4.0 * s, "{name}: {v} ± {s} vs {t}");
        // one value and one error in every spectrum's fit
        for f in &g.fits {
            assert_eq!(f.value(name).map(f64::to_bits), Some(v.to_bits()));
            assert_eq!(f.stderr(name).map(f64::to_bits), Some(s.to_bits()));
        }
    }
    // per-spectrum resistances within 4σ of the truth, names suffixed globally
    for (k, f) in g.fits.iter().enumerate() {
        let t = truth(k);
        for (j, name) in ["R0", "R1", "R2"].iter().enumerate() {
            let tv = t[[0, 1, 4][j]];
            let (v, s) = (f.value(name).unwrap(), f.stderr(name).unwrap());
            assert!(
                (v - tv).abs() < 4.0 * s,
                "step {k} {name}: {v} ± {s} vs {tv}"
            );
            let global = g.result.value(&format!("{name}@{k}")).unwrap();
            assert!((global / v - 1.0).abs() < 1e-12);
        }
        assert_eq!(f.relative_residuals_re.len(), 71);
    }
    // χ² adds up; sharing cannot beat independent fits; it does pool the exponents
    let sum: f64 = g.fits.iter().map(|f| f.result.chi_square).sum();
    assert!((sum / g.result.chi_square - 1.0).abs() < 1e-10);
    let own: Vec<_> = data
        .iter()
        .map(|d| fit_circuit(&c, d, None, &options()).unwrap())
        .collect();
    let independent: f64 = own.iter().map(|f| f.result.chi_square).sum();
    assert!(g.result.chi_square >= independent * (1.0 - 1e-9));
    let single = own[0].stderr("CPE2.alpha").unwrap();
    assert!(g.result.stderr("CPE2.alpha").unwrap() < single);
}

#[test]
fn nothing_shared_is_the_independent_fits() {
    let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let data = series(&c, 2, 0.004);
    let g = fit_circuit_global(&c, &data, &[], &options()).unwrap();
    for (d, gf) in data.iter().zip(&g.fits) {
        let own = fit_circuit(&c, d, None, &options()).unwrap();
        assert!(
            (own.result.chi_square / gf.result.chi_square - 1.0).abs() < 1e-8,
            "{} vs {}",
            own.result.chi_square,
            gf.result.chi_square
        );
        for p in &own.result.params {
            let v = gf.value(&p.name).unwrap();
            assert!(
                (v / p.value - 1.0).abs() < 1e-5,
                "{}: {v} vs {}",
                p.name,
                p.value
            );
        }
    }
}

#[test]
fn global_fit_errors() {
    let c: Circuit = "R0-p(R1,CPE1)".parse().unwrap();
    let data = vec![
        ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6, 0.9], &[1e5, 1e3, 10.0, 0.1]).unwrap(),
    ];
    let o = options();
    assert!(fit_circuit_global(&c, &[], &[], &o).is_err());
    let e = fit_circuit_global(&c, &data, &["R9"], &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`R9` is not a parameter"), "{e}");
    let e = fit_circuit_global(&c, &data, &["R0", "R0"], &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("named twice"), "{e}");
}

#[test]
fn batch_fits_equal_single_fits_in_order_with_progress() {
    use interphase_eis::fit::fit_circuit_batch;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let data = series(&c, 5, 0.005);
    let calls = AtomicUsize::new(0);
    let last = AtomicUsize::new(0);
    let cb = |p: interphase_fit::Progress| {
        calls.fetch_add(1, Ordering::Relaxed);
        last.fetch_max(p.done, Ordering::Relaxed);
        assert_eq!(p.total, 5);
        assert_eq!(p.failed, 0);
    };
    let batch = fit_circuit_batch(&c, &data, None, &options(), Some(&cb));
    assert_eq!(calls.load(Ordering::Relaxed), 5);
    assert_eq!(last.load(Ordering::Relaxed), 5);
    for (d, b) in data.iter().zip(&batch) {
        let single = fit_circuit(&c, d, None, &options()).unwrap();
        let b = b.as_ref().unwrap();
        assert_eq!(
            b.result.chi_square.to_bits(),
            single.result.chi_square.to_bits()
        );
        assert_eq!(b.result.values(), single.result.values());
    }
    // one bad request fails in its own slot (here: σ of the wrong length)
    let bad = FitOptions {
        weighting: Weighting::Sigma(vec![1.0; 3]),
        ..FitOptions::default()
    };
    let r = fit_circuit_batch(&c, &data[..2], None, &bad, None);
    assert!(r.iter().all(|r| r.is_err()));
}
