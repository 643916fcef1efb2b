//! Monte Carlo uncertainties of a peak-model fit (Ti 2p: two Voigt doublets
//! with shared widths): the spread of the refits agrees with the covariance
//! errors, for a parameter and for the Ti³⁺ area fraction (whose covariance
//! error `area_fraction` propagates with the area correlations).

use interphase_fit::SplitMix64;
use interphase_fit::montecarlo::MonteCarloOptions;
use interphase_spectra::Spectrum;
use interphase_spectra::model::{PeakFitOptions, PeakModel};

#[test]
fn ti2p_spread_agrees_with_the_covariance() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ti2p_linear.toml"),
    )
    .unwrap();
    let model = PeakModel::from_toml(&text).unwrap();
    let x: Vec<f64> = (0..300).map(|i| 472.0 - 0.06 * f64::from(i)).collect();
    let truth = model
        .parameters_from(
            &[
                ("bg.c0", 300.0),
                ("bg.c1", 0.0),
                ("Ti4+.center", 458.8),
                ("Ti4+.sigma", 0.5),
                ("Ti4+.gamma", 0.3),
                ("Ti4+.area", 5000.0),
                ("Ti4+.splitting", 5.7),
                ("Ti4+.width_ratio", 1.3),
                ("Ti3+.center", 457.3),
                ("Ti3+.area", 800.0),
            ],
            &x,
        )
        .unwrap();
    let clean = model.evaluate(&x, &truth).unwrap();
    let mut rng = SplitMix64::new(21);
    let y: Vec<f64> = clean
        .iter()
        .map(|&m| {
            let (u, v) = (rng.next_f64().max(1e-300), rng.next_f64());
            m + m.sqrt() * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        })
        .collect();
    let s = Spectrum::new(x, y).unwrap();
    let o = PeakFitOptions::default();
    let fit = model.fit(&s, &o).unwrap();
    let mc = model
        .monte_carlo(
            &s,
            &fit,
            &o,
            &MonteCarloOptions {
                n: 250,
                seed: 3,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(mc.n_failed <= 5, "{} refits failed", mc.n_failed);
    let c = mc.param("Ti3+.center").unwrap();
    let ratio = c.std / c.covariance_stderr.unwrap();
    // sampling error of a standard deviation from 250 draws: 4.5 %
    assert!((0.8..1.2).contains(&ratio), "Ti3+.center: {ratio}");
    let frac = fit.area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"]).unwrap();
    let f = mc
        .derived(&["Ti3+.area", "Ti4+.area"], frac.value, |p| {
            p[0] / (p[0] + p[1])
        })
        .unwrap();
    let ratio = f.std / frac.stderr.unwrap();
    assert!((0.8..1.2).contains(&ratio), "Ti3+ fraction: {ratio}");
}

/// `with_noise`: Poisson counts have mean and variance y; Gaussian noise the
/// asked σ; invalid levels are errors.
#[test]
fn spectrum_noise_levels() {
    use interphase_spectra::spectrum::Noise;
    let n = 20_000;
    let x: Vec<f64> = (0..n).map(f64::from).collect();
    let s = Spectrum::new(x, vec![250.0; n as usize]).unwrap();
    let p = s.with_noise(Noise::Poisson, 1).unwrap();
    let m = p.y().iter().sum::<f64>() / f64::from(n);
    let v = p.y().iter().map(|y| (y - m).powi(2)).sum::<f64>() / f64::from(n - 1);
    assert!(
        (m - 250.0).abs() < 0.6 && (v / 250.0 - 1.0).abs() < 0.05,
        "{m} {v}"
    );
    assert!(p.meta.counts);
    let g = s.with_noise(Noise::Gaussian(3.0), 2).unwrap();
    let sd = (g.y().iter().map(|y| (y - 250.0).powi(2)).sum::<f64>() / f64::from(n)).sqrt();
    assert!((sd / 3.0 - 1.0).abs() < 0.03, "{sd}");
    assert!(s.with_noise(Noise::Gaussian(0.0), 1).is_err());
    let neg = Spectrum::new(vec![1.0, 2.0], vec![-1.0, 2.0]).unwrap();
    assert!(neg.with_noise(Noise::Poisson, 1).is_err());
}
