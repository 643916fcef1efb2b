//! Monte Carlo uncertainties against the covariance errors (which they must
//! reproduce for a linear model, up to sampling error), reproducibility from
//! the seed, and the residual bootstrap.

use interphase_fit::montecarlo::{MonteCarloOptions, Resampling, monte_carlo};
use interphase_fit::{CurveFit, LmOptions, Parameters, SplitMix64, fit};

fn noisy(seed: u64, f: impl Fn(f64) -> f64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix64::new(seed);
    let x: Vec<f64> = (0..50).map(|i| f64::from(i) * 0.1).collect();
    let y = x
        .iter()
        .map(|&x| {
            let (u, v) = (rng.next_f64().max(1e-300), rng.next_f64());
            f(x) + 0.1 * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        })
        .collect();
    (x, y)
}

#[test]
fn linear_model_reproduces_the_covariance() {
    let (x, y) = noisy(3, |x| 1.0 + 2.0 * x);
    let m = CurveFit::new(&x, &y, |x: f64, p: &[f64]| p[0] + p[1] * x).unwrap();
    let p = Parameters::from_values(&[("a", 0.0), ("b", 1.0)]).unwrap();
    let best = fit(&m, &p, &LmOptions::default()).unwrap();
    for resampling in [Resampling::Gaussian, Resampling::Bootstrap] {
        let o = MonteCarloOptions {
            n: 400,
            seed: 42,
            resampling,
            ..Default::default()
        };
        let mc = monte_carlo(&m, &p, &best, &o).unwrap();
        assert_eq!((mc.n_ok, mc.n_failed), (400, 0));
        for s in &mc.params {
            let ratio = s.std / s.covariance_stderr.unwrap();
            // sampling error of a standard deviation from 400 draws: 3.5 %
            assert!(
                (0.88..1.12).contains(&ratio),
                "{resampling:?} {}: {ratio}",
                s.name
            );
            // the 68 % interval is about ±1σ around the best value
            let half = (s.percentiles[3] - s.percentiles[1]) / 2.0;
            assert!((half / s.std - 1.0).abs() < 0.15, "{}", s.name);
            assert!((s.percentiles[2] - s.best).abs() < 0.2 * s.std);
        }
        // the same seed gives the same draws; another seed others
        let again = monte_carlo(&m, &p, &best, &o).unwrap();
        assert_eq!(again.samples, mc.samples);
        let other = monte_carlo(&m, &p, &best, &MonteCarloOptions { seed: 43, ..o }).unwrap();
        assert_ne!(other.samples, mc.samples);
    }
}

#[test]
fn derived_quantities_and_a_nonlinear_model() {
    let decay = |x: f64, p: &[f64]| p[0] * (-x / p[1]).exp() + p[2];
    let (x, y) = noisy(5, |x| decay(x, &[10.0, 2.0, 1.0]));
    let m = CurveFit::new(&x, &y, decay).unwrap();
    let p = Parameters::from_values(&[("A", 8.0), ("tau", 1.5), ("c", 0.5)]).unwrap();
    let best = fit(&m, &p, &LmOptions::default()).unwrap();
    let o = MonteCarloOptions {
        n: 300,
        ..Default::default()
    };
    let mc = monte_carlo(&m, &p, &best, &o).unwrap();
    let f = |q: &[f64]| q[0] * q[1];
    let cov = best.derived(&["A", "tau"], f).unwrap();
    let s = mc.derived(&["A", "tau"], cov.value, f).unwrap();
    let ratio = s.std / cov.stderr.unwrap();
    assert!((0.85..1.15).contains(&ratio), "{ratio}");
    assert!(mc.derived(&["nope"], 0.0, f).is_err());
    assert!(
        monte_carlo(&m, &p, &best, &MonteCarloOptions { n: 0, ..o })
            .unwrap_err()
            .to_string()
            .contains("1 ..= 100000")
    );
}
