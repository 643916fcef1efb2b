//! Invariants of the fitting core, checked on random problems (proptest).

use interphase_fit::{CurveFit, LmOptions, Parameter, Parameters, fit, nist};
use proptest::prelude::*;

fn model(x: f64, p: &[f64]) -> f64 {
    // a decaying exponential plus a Gaussian: nonlinear in three parameters
    p[0] * (-p[1] * x).exp() + p[2] * (-0.5 * ((x - p[3]) / p[4]).powi(2)).exp()
}

fn xs() -> Vec<f64> {
    (0..60).map(|i| i as f64 * 0.2).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the data and starting values, every value stays inside its bounds.
    #[test]
    fn bounds_are_never_violated(
        truth in prop::array::uniform5(0.1f64..5.0),
        noise in prop::collection::vec(-0.5f64..0.5, 60),
        start in prop::array::uniform5(0.2f64..4.0),
        lo in prop::array::uniform5(0.0f64..1.0),
        width in prop::array::uniform5(0.5f64..3.0),
    ) {
        let x = xs();
        let y: Vec<f64> = x.iter().zip(&noise).map(|(&x, n)| model(x, &truth) + n).collect();
        let problem = CurveFit::new(&x, &y, model).unwrap();
        let mut params = Parameters::new();
        for k in 0..5 {
            let (a, b) = (lo[k], lo[k] + width[k]);
            let v = start[k].clamp(a, b);
            params.push(Parameter::new(format!("p{k}"), v).with_bounds(a, b)).unwrap();
        }
        if let Ok(r) = fit(&problem, &params, &LmOptions::default()) {
            for (k, p) in r.params.iter().enumerate() {
                prop_assert!(p.value >= lo[k] && p.value <= lo[k] + width[k],
                    "{} = {} outside [{}, {}]", p.name, p.value, lo[k], lo[k] + width[k]);
            }
        }
    }

    /// Tied parameters keep their relation exactly, and their standard error is
    /// |factor| times that of the reference.
    #[test]
    fn ties_hold(
        factor in 0.1f64..3.0,
        offset in -2.0f64..2.0,
        noise in prop::collection::vec(-0.05f64..0.05, 60),
    ) {
        let x = xs();
        let truth = [2.0, 0.5, 1.5 * factor, 1.5 + offset + 3.0, 0.8];
        let y: Vec<f64> = x.iter().zip(&noise).map(|(&x, n)| model(x, &truth) + n).collect();
        let problem = CurveFit::new(&x, &y, model).unwrap();
        let mut params = Parameters::new();
        params.push(Parameter::new("a", 1.0)).unwrap();
        params.push(Parameter::new("k", 1.5).with_min(1.0)).unwrap();
        params.push(Parameter::new("h", 0.0).tied_to("k", factor, 0.0)).unwrap();
        params.push(Parameter::new("c", 0.0).tied_to("k", 1.0, offset + 3.0)).unwrap();
        params.push(Parameter::new("w", 1.0).with_bounds(0.1, 5.0)).unwrap();
        let r = fit(&problem, &params, &LmOptions::default()).unwrap();
        let k = r.value("k").unwrap();
        prop_assert!((r.value("h").unwrap() - factor * k).abs() <= 1e-14 * (factor * k).abs().max(1.0));
        prop_assert!((r.value("c").unwrap() - (k + offset + 3.0)).abs() <= 1e-13 * k.abs().max(1.0));
        if let (Some(sh), Some(sk)) = (r.stderr("h"), r.stderr("k")) {
            prop_assert!((sh - factor * sk).abs() <= 1e-10 * sh.max(1e-300));
        }
    }

    /// Started at the exact optimum of noise-free data, the fit stays there.
    #[test]
    fn the_optimum_is_a_fixed_point(truth in prop::array::uniform5(0.3f64..3.0)) {
        let x = xs();
        let mut truth = truth;
        truth[3] += 3.0; // keep the Gaussian's center inside the data
        let y: Vec<f64> = x.iter().map(|&x| model(x, &truth)).collect();
        let problem = CurveFit::new(&x, &y, model).unwrap();
        let names = ["a", "k", "h", "c", "w"];
        let pairs: Vec<(&str, f64)> = names.iter().copied().zip(truth).collect();
        let params = Parameters::from_values(&pairs).unwrap();
        let r = fit(&problem, &params, &LmOptions::default()).unwrap();
        for (p, t) in r.params.iter().zip(truth) {
            prop_assert!((p.value - t).abs() <= 1e-9 * t.abs(), "{} moved: {} -> {}", p.name, t, p.value);
        }
    }

    /// Any text fed to the NIST reader parses or returns an error; it never panics.
    #[test]
    fn nist_reader_never_panics(text in ".{0,400}") {
        let _ = nist::Dataset::parse(&text);
        let _ = nist::Dataset::parse(&format!("NIST/ITL StRD\nDataset Name: Misra1a\n{text}"));
    }

    /// Mangled real files parse or fail cleanly.
    #[test]
    fn mangled_nist_files_never_panic(cut in 0usize..4000, byte in 0u8..128) {
        let text = include_str!("data/nist/MGH09.dat");
        let mut s: Vec<char> = text.chars().collect();
        let at = cut.min(s.len().saturating_sub(1));
        s[at] = byte as char;
        let mangled: String = s.into_iter().collect();
        let _ = nist::Dataset::parse(&mangled);
        let _ = nist::Dataset::parse(&text[..cut.min(text.len())]);
    }
}
