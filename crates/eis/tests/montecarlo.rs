//! Monte Carlo uncertainties of circuit fits: on spectra with Gaussian noise
//! proportional to |Z| and proportional weighting, the spread of the
//! refits agrees with the covariance errors (near-linear case) for the
//! parameters and for a derived effective capacitance.

use interphase_eis::fit::{FitOptions, Weighting, fit_circuit, monte_carlo_circuit};
use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};
use interphase_fit::SplitMix64;
use interphase_fit::montecarlo::{MonteCarloOptions, Resampling};

fn normal(rng: &mut SplitMix64) -> f64 {
    let (u, v) = (rng.next_f64().max(1e-300), rng.next_f64());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

#[test]
fn spread_agrees_with_the_covariance() {
    let c: Circuit = "R0-p(R1,CPE1)".parse().unwrap();
    let truth = [100.0, 2000.0, 1e-8, 0.85];
    let f: Vec<f64> = (0..50)
        .map(|i| 10f64.powf(6.0 - f64::from(i) * 0.12))
        .collect();
    let mut rng = SplitMix64::new(9);
    let z: Vec<Complex64> = f
        .iter()
        .map(|&f| {
            let z = c.impedance(f, &truth).unwrap();
            let s = 0.005 * z.norm();
            z + Complex64::new(s * normal(&mut rng), s * normal(&mut rng))
        })
        .collect();
    let data = ImpedanceSpectrum::new(f, z).unwrap();
    let o = FitOptions {
        weighting: Weighting::Proportional,
        ..FitOptions::default()
    };
    let fit = fit_circuit(&c, &data, None, &o).unwrap();
    for resampling in [Resampling::Gaussian, Resampling::Bootstrap] {
        let mc = monte_carlo_circuit(
            &fit,
            &data,
            None,
            &o,
            &MonteCarloOptions {
                n: 300,
                seed: 7,
                resampling,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(mc.n_failed, 0);
        for s in &mc.params {
            let ratio = s.std / s.covariance_stderr.unwrap();
            // sampling error of a standard deviation from 300 draws: 4 %
            assert!(
                (0.85..1.15).contains(&ratio),
                "{resampling:?} {}: {ratio}",
                s.name
            );
        }
        let cap = |p: &[f64]| (p[0] * p[1]).powf(1.0 / p[2]) / p[0];
        let cov = fit
            .result
            .derived(&["R1", "CPE1.Q", "CPE1.alpha"], cap)
            .unwrap();
        let s = mc
            .derived(&["R1", "CPE1.Q", "CPE1.alpha"], cov.value, cap)
            .unwrap();
        let ratio = s.std / cov.stderr.unwrap();
        assert!(
            (0.85..1.15).contains(&ratio),
            "{resampling:?} C_eff: {ratio}"
        );
    }
    // another spectrum than the fit's is refused
    let short =
        ImpedanceSpectrum::new(data.freq()[..10].to_vec(), data.z()[..10].to_vec()).unwrap();
    assert!(monte_carlo_circuit(&fit, &short, None, &o, &MonteCarloOptions::default()).is_err());
}

/// `simulate_noisy`: the relative deviations have the asked standard
/// deviation on both parts, and the seed reproduces them.
#[test]
fn simulated_noise_has_the_asked_level() {
    use interphase_eis::data::Noise;
    let c: Circuit = "R0-p(R1,CPE1)".parse().unwrap();
    let p = [100.0, 2000.0, 1e-8, 0.85];
    let f: Vec<f64> = (0..2000)
        .map(|i| 10f64.powf(6.0 - f64::from(i) * 0.003))
        .collect();
    let clean = ImpedanceSpectrum::simulate(&c, &p, &f).unwrap();
    let noisy =
        ImpedanceSpectrum::simulate_noisy(&c, &p, &f, Noise::Proportional(0.02), 11).unwrap();
    let d: Vec<f64> = clean
        .z()
        .iter()
        .zip(noisy.z())
        .flat_map(|(a, b)| [(b.re - a.re) / a.norm(), (b.im - a.im) / a.norm()])
        .collect();
    let n = d.len() as f64;
    let sd = (d.iter().map(|x| x * x).sum::<f64>() / n).sqrt();
    // 4000 deviations: the standard deviation is known to 1.1 %
    assert!((sd / 0.02 - 1.0).abs() < 0.05, "{sd}");
    let again =
        ImpedanceSpectrum::simulate_noisy(&c, &p, &f, Noise::Proportional(0.02), 11).unwrap();
    assert_eq!(again.z(), noisy.z());
    assert!(ImpedanceSpectrum::simulate_noisy(&c, &p, &f, Noise::Constant(-1.0), 1).is_err());
}
