//! Every result prints readably with `{}` (issue 30, item 3).

use interphase_eis::drt::{DrtOptions, drt};
use interphase_eis::fit::{FitOptions, fit_circuit};
use interphase_eis::kk::{KkOptions, lin_kk};
use interphase_eis::{Circuit, ImpedanceSpectrum};

#[test]
fn results_print() {
    let c: Circuit = "R0-p(R1,CPE1)".parse().unwrap();
    let f: Vec<f64> = (0..40)
        .map(|i| 10f64.powf(6.0 - f64::from(i) * 0.15))
        .collect();
    let z: Vec<_> = f
        .iter()
        .enumerate()
        .map(|(i, &f)| {
            c.impedance(f, &[100.0, 2000.0, 1e-8, 0.85]).unwrap()
                * (1.0 + 0.002 * (f64::from(i as u32) * 1.9).sin())
        })
        .collect();
    let data = ImpedanceSpectrum::new(f, z).unwrap();
    let fit = fit_circuit(&c, &data, None, &FitOptions::default()).unwrap();
    let s = fit.to_string();
    assert!(s.starts_with("[[Circuit]] R0-p(R1,CPE1)"), "{s}");
    assert!(
        s.contains("R1:") && s.contains("C_eff(R1,CPE1)") && s.contains(" ± "),
        "{s}"
    );
    let kk = lin_kk(&data, &KkOptions::default()).unwrap();
    let s = kk.to_string();
    assert!(
        s.starts_with("[[Lin-KK]] M = ") && s.contains("max |residual|"),
        "{s}"
    );
    let d = drt(&data, &DrtOptions::default()).unwrap();
    let s = d.to_string();
    assert!(
        s.starts_with("[[DRT]] λ = ") && s.contains("peak 1: τ = "),
        "{s}"
    );
}
