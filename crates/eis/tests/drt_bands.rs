//! DRT credible bands against pyDRTtools 0.2's `Bayesian_run` and an
//! independent Gibbs sampler, on the same data and posterior.
//!
//! References (numpy 1.26.4, pyDRTtools 0.2, cvxopt; scripts in
//! `benches/compare/pydrttools_bands.py`): on `tests/data/two_zarc_1pct.csv`
//! with `Bayesian_run(cv_type="custom", reg_param=1e-3)` (Gaussians at
//! τ = 1/f, FWHM coefficient 0.5, combined parts, inductance, first
//! derivative, 2000 HMC samples, `np.random.seed(0)`): the DRT's (MAP)
//! polarisation resistance 144.92 Ω; the posterior mean of ∫γ d ln τ
//! 150.14 Ω with standard deviation 1.88 Ω over the kept samples; the
//! posterior mean γ at its maximum 105.69 Ω. A coordinate-wise Gibbs sampler
//! of the same truncated normal (scipy `truncnorm`, 3000 sweeps, the first
//! 500 dropped) gives a mean of 150.10 Ω.

use interphase_eis::drt::{DrtOptions, Lambda, TauGrid, drt};
use interphase_eis::drt_bands::{DrtBandOptions, drt_bands};
use interphase_eis::{Circuit, ImpedanceSpectrum};

mod common;

fn data() -> ImpedanceSpectrum {
    common::read_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/two_zarc_1pct.csv"),
    )
    .unwrap()
}

fn opts() -> DrtOptions {
    DrtOptions {
        lambda: Lambda::Fixed(1e-3),
        tau_grid: TauGrid::Inverse,
        ..DrtOptions::default()
    }
}

/// Fewer samples than pyDRTtools' 2000 keep the debug-build test short.
fn short() -> DrtBandOptions {
    DrtBandOptions {
        samples: 250,
        burn_in: 50,
        ..DrtBandOptions::default()
    }
}

#[test]
fn posterior_matches_pydrttools_and_gibbs() {
    let d = data();
    let r = drt(&d, &opts()).unwrap();
    assert!((r.polarization_resistance - 144.924).abs() < 0.05);
    let b = drt_bands(&d, &r, &short()).unwrap();
    let p = b.polarization_resistance;
    // the sampler started on the DRT's zeros once put this at 243 Ω
    assert!((p.mean - 150.2).abs() < 1.2, "{p:?}");
    assert!((p.std / 1.88 - 1.0).abs() < 0.35, "{p:?}");
    assert!(p.lower < p.mean && p.mean < p.upper && p.lower > 140.0 && p.upper < 162.0);
    let top = b.mean.iter().fold(0.0f64, |m, v| m.max(*v));
    assert!((top / 105.6 - 1.0).abs() < 0.03, "{top}");
    for i in 0..b.tau.len() {
        assert!(b.lower[i] <= b.mean[i] + 1e-12 && b.mean[i] <= b.upper[i] + 1e-12);
        assert!(b.lower[i] >= 0.0);
    }
    // one posterior per peak of the DRT, in its order, with a spread
    assert_eq!(b.peaks.len(), r.peaks.len());
    let main = &b.peaks[0];
    assert!((main.resistance_posterior.mean / main.resistance - 1.0).abs() < 0.05);
    assert!(main.resistance_posterior.std > 0.0);
    let t = main.tau_posterior;
    assert!(
        t.lower <= main.tau && main.tau <= t.upper * 1.0001,
        "{t:?} {}",
        main.tau
    );
    // reproducible from the seed
    let again = drt_bands(&d, &r, &short()).unwrap();
    assert_eq!(again.mean, b.mean);
    assert!(b.to_string().starts_with("[[DRT bands]]"));
}

#[test]
fn noise_free_data_and_bad_options_are_errors() {
    let c: Circuit = "R0-p(R1,C1)".parse().unwrap();
    let f: Vec<f64> = (0..30).map(|i| 10f64.powf(5.0 - 0.2 * i as f64)).collect();
    let clean = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6], &f).unwrap();
    let r = drt(&clean, &DrtOptions::default()).unwrap();
    let small = DrtBandOptions {
        samples: 50,
        burn_in: 10,
        ..DrtBandOptions::default()
    };
    for bad in [
        DrtBandOptions {
            samples: 10,
            burn_in: 10,
            ..small.clone()
        },
        DrtBandOptions {
            level: 1.0,
            ..small.clone()
        },
        DrtBandOptions {
            level: f64::NAN,
            ..small.clone()
        },
        DrtBandOptions {
            samples: usize::MAX,
            burn_in: 0,
            ..small.clone()
        },
    ] {
        assert!(drt_bands(&clean, &r, &bad).is_err(), "{bad:?}");
    }
    // a result of other data
    let other = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-6], &f[..20]).unwrap();
    assert!(drt_bands(&other, &r, &small).is_err());
}
