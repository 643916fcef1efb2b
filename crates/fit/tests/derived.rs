//! `FitResult::derived`: first-order propagation through the full covariance,
//! checked against hand-derived formulas and against Monte Carlo refits.

use interphase_fit::{CurveFit, FitResult, LmOptions, Parameters, SplitMix64, fit};

fn decay(x: f64, p: &[f64]) -> f64 {
    p[0] * (-x / p[1]).exp() + p[2]
}

/// Standard normal deviates (Box–Muller on SplitMix64).
fn normals(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let (u, v) = (rng.next_f64().max(1e-300), rng.next_f64());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        })
        .collect()
}

fn fit_decay(x: &[f64], y: &[f64]) -> FitResult {
    let p = Parameters::from_values(&[("A", 8.0), ("tau", 1.5), ("c", 0.5)]).unwrap();
    let m = CurveFit::new(x, y, decay).unwrap();
    fit(&m, &p, &LmOptions::default()).unwrap()
}

fn data(seed: u64, noise: f64) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..60).map(|i| f64::from(i) * 0.1).collect();
    let e = normals(&mut SplitMix64::new(seed), x.len());
    let y = x
        .iter()
        .zip(&e)
        .map(|(&x, e)| decay(x, &[10.0, 2.0, 1.0]) + noise * e)
        .collect();
    (x, y)
}

#[test]
fn matches_the_hand_derived_formula() {
    let (x, y) = data(7, 0.05);
    let r = fit_decay(&x, &y);
    let c = r.covariance.clone().unwrap();
    let (a, tau) = (r.value("A").unwrap(), r.value("tau").unwrap());
    // k = 1/τ: σ_k = σ_τ/τ²
    let k = r.derived(&["tau"], |p| 1.0 / p[0]).unwrap();
    let want = c[1][1].sqrt() / (tau * tau);
    assert!((k.stderr.unwrap() - want).abs() < 1e-6 * want);
    // A/τ: g = (1/τ, −A/τ²), σ² = gᵀ C g with the A–τ covariance
    let g = [1.0 / tau, -a / (tau * tau)];
    let want = (g[0] * g[0] * c[0][0] + 2.0 * g[0] * g[1] * c[0][1] + g[1] * g[1] * c[1][1]).sqrt();
    let d = r.derived(&["A", "tau"], |p| p[0] / p[1]).unwrap();
    assert!((d.stderr.unwrap() - want).abs() < 1e-6 * want);
    assert!((d.gradient[1] - g[1]).abs() < 1e-6 * g[1].abs());
    // ignoring the correlation would give another number: the test can fail
    let uncorrelated = (g[0] * g[0] * c[0][0] + g[1] * g[1] * c[1][1]).sqrt();
    assert!((uncorrelated - want).abs() > 1e-3 * want);
    // errors: unknown name, non-finite value
    assert!(r.derived(&["nope"], |p| p[0]).is_err());
    assert!(r.derived(&["tau"], |_| f64::NAN).is_err());
}

/// The spread of A·τ over 400 refits of independently noised data agrees
/// with the propagated σ (averaged over the refits, so that the scatter of
/// each fit's own noise estimate, ±9 % at 57 degrees of freedom, averages
/// out; the sampling error of a standard deviation from 400 draws is 3.5 %).
#[test]
fn agrees_with_monte_carlo_refits() {
    let x = data(0, 0.1).0;
    let f = |p: &[f64]| p[0] * p[1];
    let (mut vals, mut sigmas) = (Vec::new(), Vec::new());
    for seed in 1000..1400 {
        let (_, y) = data(seed, 0.1);
        let r = fit_decay(&x, &y);
        sigmas.push(r.derived(&["A", "tau"], f).unwrap().stderr.unwrap());
        vals.push(f(&[r.value("A").unwrap(), r.value("tau").unwrap()]));
    }
    let n = vals.len() as f64;
    let mean = vals.iter().sum::<f64>() / n;
    let sd = (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let propagated = sigmas.iter().sum::<f64>() / n;
    let ratio = propagated / sd;
    assert!(
        (0.9..1.1).contains(&ratio),
        "propagated {propagated} / Monte Carlo {sd} = {ratio}"
    );
}
