//! Peak models: analytic Jacobian against finite differences, recovery of
//! known parameters, model-file parsing and its errors.

mod common;

use common::noise;
use interphase_fit::{JacobianMut, Problem};
use interphase_spectra::Spectrum;
use interphase_spectra::model::{PeakFitOptions, PeakModel, PeakWeighting};

/// Ti 2p: two Voigt doublets (Ti⁴⁺, Ti³⁺) with shared widths, on a decreasing
/// binding-energy grid, with the background given by `bg`.
fn ti2p_model(bg: &str) -> PeakModel {
    PeakModel::from_toml(&format!(
        r#"
        {bg}

        [[peaks]]
        name = "Ti4+"
        shape = "voigt"
        center = {{ value = 458.8, min = 457.5, max = 460.0 }}
        sigma = 0.5
        gamma = {{ value = 0.3, min = 0.0 }}
        area = {{ value = 5000, min = 0 }}
        doublet = {{ splitting = 5.7, ratio = {{ value = 0.5, vary = false }}, width_ratio = 1.3 }}

        [[peaks]]
        name = "Ti3+"
        shape = "voigt"
        center = {{ value = 457.3, min = 456.5, max = 458.2 }}
        sigma = {{ tie = "Ti4+.sigma" }}
        gamma = {{ tie = "Ti4+.gamma" }}
        area = {{ value = 1000, min = 0 }}
        doublet = {{ splitting = {{ tie = "Ti4+.splitting" }}, orbital = "p", width_ratio = {{ tie = "Ti4+.width_ratio" }} }}
        "#
    ))
    .unwrap()
}

fn grid() -> Vec<f64> {
    (0..500).map(|i| 470.0 - 0.04 * i as f64).collect()
}

const BACKGROUNDS: [&str; 6] = [
    "",
    "[background]\nkind = \"linear\"",
    "[background]\nkind = \"polynomial\"\norder = 3",
    "[background]\nkind = \"shirley\"",
    "[background]\nkind = \"shirley\"\nslope = 0.1",
    "[background]\nkind = \"tougaard\"\nd = 100",
];

#[test]
fn analytic_jacobian_matches_finite_differences() {
    let x = grid();
    for bg in BACKGROUNDS {
        let model = ti2p_model(bg);
        let y: Vec<f64> = x.iter().map(|&v| 100.0 + (v - 460.0).powi(2)).collect();
        let s = Spectrum::new(x.clone(), y).unwrap();
        let opts = PeakFitOptions {
            weighting: PeakWeighting::Poisson,
            ..Default::default()
        };
        let (problem, params) = model.problem_for(&s, &opts).unwrap();
        let mut p = params.values();
        // move every value off its start so no derivative is trivially zero
        for (i, v) in p.iter_mut().enumerate() {
            *v *= 1.0 + 0.01 * ((i % 5) as f64 - 2.0) / 7.0;
        }
        let (m, n) = (problem.n_residuals(), p.len());
        let mut jac = vec![0.0; m * n];
        assert!(problem.jacobian(&p, &mut JacobianMut::new(&mut jac, m, n).unwrap()));
        let (mut r1, mut r2) = (vec![0.0; m], vec![0.0; m]);
        for j in 0..n {
            let h = 1e-6 * p[j].abs().max(1e-3);
            let mut q = p.clone();
            q[j] += h;
            problem.residuals(&q, &mut r1);
            q[j] -= 2.0 * h;
            problem.residuals(&q, &mut r2);
            let scale = (0..m).map(|i| jac[j * m + i].abs()).fold(1e-12, f64::max);
            for i in 0..m {
                let fd = (r1[i] - r2[i]) / (2.0 * h);
                assert!(
                    (fd - jac[j * m + i]).abs() <= 1e-5 * scale,
                    "bg {bg:?}, param {} ({j}), row {i}: fd {fd}, analytic {}",
                    params[j].name(),
                    jac[j * m + i]
                );
            }
        }
    }
}

/// The generating values of the Ti 2p tests (background values for `BACKGROUNDS[bi]` added).
const TI2P_TRUTH: [(&str, f64); 8] = [
    ("Ti4+.center", 458.95),
    ("Ti4+.sigma", 0.42),
    ("Ti4+.gamma", 0.22),
    ("Ti4+.area", 6000.0),
    ("Ti4+.splitting", 5.68),
    ("Ti4+.width_ratio", 1.4),
    ("Ti3+.center", 457.45),
    ("Ti3+.area", 1500.0),
];

/// The Ti 2p model with background `BACKGROUNDS[bi]` and a spectrum drawn
/// from it with Poisson-like noise.
fn ti2p_case(bi: usize) -> (PeakModel, Spectrum) {
    let x = grid();
    let bg = BACKGROUNDS[bi];
    let model = ti2p_model(bg);
    let mut values: Vec<(&str, f64)> = TI2P_TRUTH.to_vec();
    match bi {
        1 => values.extend([("bg.c0", 300.0), ("bg.c1", -4.0)]),
        2 => values.extend([
            ("bg.c0", 300.0),
            ("bg.c1", -4.0),
            ("bg.c2", 0.3),
            ("bg.c3", 0.01),
        ]),
        3 => values.extend([("bg.c0", 300.0), ("bg.k", 0.03)]),
        4 => values.extend([("bg.c0", 300.0), ("bg.k", 0.03), ("bg.c1", 2.0)]),
        5 => values.extend([("bg.c0", 300.0), ("bg.b", 900.0)]),
        _ => {}
    }
    let p = model.parameters_from(&values, &x).unwrap();
    let clean = model.evaluate(&x, &p).unwrap();
    let e = noise(x.len(), 17 + bi as u64);
    let y: Vec<f64> = clean
        .iter()
        .zip(&e)
        .map(|(c, e)| c + e * c.max(1.0).sqrt())
        .collect();
    (model, Spectrum::new(x, y).unwrap())
}

#[test]
fn recovers_ti2p_parameters_with_every_background() {
    let x = grid();
    let truth = TI2P_TRUTH;
    for (bi, bg) in BACKGROUNDS.iter().enumerate() {
        let (model, s) = ti2p_case(bi);
        let fit = model.fit(&s, &PeakFitOptions::default()).unwrap();
        assert!(fit.fit.converged, "bg {bg:?}: {fit}");
        for (name, v) in &truth {
            let got = fit.fit.value(name).unwrap();
            let se = fit.fit.stderr(name).unwrap();
            assert!(
                (got - v).abs() < 5.0 * se,
                "bg {bg:?}: {name} = {got} ± {se}, truth {v}\n{fit}"
            );
        }
        // the Ti³⁺ fraction and its uncertainty
        let frac = fit.area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"]).unwrap();
        assert!(
            (frac.value - 0.2).abs() < 5.0 * frac.stderr.unwrap(),
            "{frac:?}"
        );
        // curves add up
        for i in 0..x.len() {
            let sum: f64 = fit.background[i] + fit.curves.iter().map(|c| c[i]).sum::<f64>();
            assert!((sum - fit.envelope[i]).abs() < 1e-9 * sum.abs().max(1.0));
        }
        assert_eq!(fit.components.len(), 4);
        let pct: f64 = fit.components.iter().map(|c| c.area_percent.value).sum();
        assert!((pct - 100.0).abs() < 1e-9);
    }
}

#[test]
fn automatic_starting_values_find_the_peaks() {
    // only shapes and the doublet are given; centers, widths and areas are found
    let model = PeakModel::from_toml(
        r#"
        [background]
        kind = "shirley"
        [[peaks]]
        name = "A"
        shape = "gaussian"
        [[peaks]]
        name = "B"
        shape = "gaussian"
        "#,
    )
    .unwrap();
    let x: Vec<f64> = (0..300).map(|i| 290.0 - 0.05 * i as f64).collect();
    let p = model
        .parameters_from(
            &[
                ("bg.c0", 50.0),
                ("bg.k", 0.01),
                ("A.center", 284.8),
                ("A.fwhm", 1.1),
                ("A.area", 3000.0),
                ("B.center", 288.5),
                ("B.fwhm", 1.3),
                ("B.area", 700.0),
            ],
            &x,
        )
        .unwrap();
    let y = model.evaluate(&x, &p).unwrap();
    let fit = model
        .fit(&Spectrum::new(x, y).unwrap(), &PeakFitOptions::default())
        .unwrap();
    assert!(
        (fit.fit.value("A.center").unwrap() - 284.8).abs() < 1e-6,
        "{fit}"
    );
    assert!(
        (fit.fit.value("B.center").unwrap() - 288.5).abs() < 1e-6,
        "{fit}"
    );
    assert!(
        (fit.fit.value("B.area").unwrap() - 700.0).abs() < 1e-4,
        "{fit}"
    );
}

#[test]
fn toml_and_json_share_one_schema() {
    let model = ti2p_model("[background]\nkind = \"shirley\"");
    let json = serde_json::to_string(&model).unwrap();
    let back = PeakModel::from_json(&json).unwrap();
    assert_eq!(back, model);
    let toml = model.spec().to_toml().unwrap();
    let again = PeakModel::from_toml(&toml).unwrap();
    assert_eq!(again, model);
    assert_eq!(
        model.parameter_names(),
        [
            "bg.c0",
            "bg.k",
            "Ti4+.center",
            "Ti4+.sigma",
            "Ti4+.gamma",
            "Ti4+.area",
            "Ti4+.splitting",
            "Ti4+.ratio",
            "Ti4+.width_ratio",
            "Ti3+.center",
            "Ti3+.sigma",
            "Ti3+.gamma",
            "Ti3+.area",
            "Ti3+.splitting",
            "Ti3+.ratio",
            "Ti3+.width_ratio",
        ]
    );
}

#[test]
fn model_file_errors_are_clear() {
    let cases: [(&str, &str); 12] = [
        ("[[peaks]]\nname = \"A\"\nshape = \"voight\"\n", "voight"),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"voigt\"\nsigm = 1\n",
            "unknown key `sigm`",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\nfwhm = { tie = \"B.fwhm\" }\n",
            "B.fwhm",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\nfwhm = { tie = \"B.fwhm\" }\n[[peaks]]\nname = \"B\"\nshape = \"gaussian\"\nfwhm = { tie = \"A.fwhm\" }\n",
            "cycle",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\nfwhm = { vary = false }\n",
            "needs a `value`",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\n[[peaks]]\nname = \"A\"\nshape = \"lorentzian\"\n",
            "duplicate",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\nfwhm = { value = 1, min = 2, max = 1 }\n",
            "min 2",
        ),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ndoublet = { splitting = 1 }\n",
            "ratio",
        ),
        ("[background]\nkind = \"spline\"\n", "spline"),
        (
            "[background]\nkind = \"polynomial\"\norder = 9\n",
            "order 9",
        ),
        ("colour = \"red\"\n", "colour"),
        (
            "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\nfwhm = { value = 1, tie = \"A.center\" }\n",
            "a tie takes no value",
        ),
    ];
    for (text, needle) in cases {
        let err = match PeakModel::from_toml(text) {
            Err(e) => e.to_string(),
            Ok(m) => {
                // cycles surface when the model meets data
                let x: Vec<f64> = (0..20).map(f64::from).collect();
                let y = vec![1.0; 20];
                m.fit(&Spectrum::new(x, y).unwrap(), &PeakFitOptions::default())
                    .map(|_| ())
                    .unwrap_err()
                    .to_string()
            }
        };
        assert!(err.contains(needle), "{text:?}: {err}");
    }
    // a syntax error carries its line
    let err = PeakModel::from_toml("[[peaks]]\nname = \"A\"\nshape = = 1\n").unwrap_err();
    assert!(err.to_string().starts_with("<model>:3:"), "{err}");
}

#[test]
fn bad_data_is_an_error() {
    let model = ti2p_model("");
    let x = grid();
    let mut y = vec![1.0; x.len()];
    y[7] = f64::NAN;
    assert!(Spectrum::new(x.clone(), y).is_err());
    let s = Spectrum::new(x.clone(), vec![1.0; x.len()]).unwrap();
    let opts = PeakFitOptions {
        weighting: PeakWeighting::Sigma,
        ..Default::default()
    };
    let err = model.fit(&s, &opts).unwrap_err().to_string();
    assert!(err.contains("no σ"), "{err}");
    let tiny = Spectrum::new(vec![1.0, 2.0], vec![1.0, 2.0]).unwrap();
    assert!(model.fit(&tiny, &PeakFitOptions::default()).is_err());
}

#[test]
fn series_warm_starts_and_parallel_batch_agree() {
    // a depth profile: the Ti³⁺ area grows step by step
    let model = ti2p_model("[background]\nkind = \"shirley\"");
    let x = grid();
    let spectra: Vec<Spectrum> = (0..4)
        .map(|k| {
            let p = model
                .parameters_from(
                    &[
                        ("bg.c0", 300.0),
                        ("bg.k", 0.03),
                        ("Ti4+.area", 6000.0 - 800.0 * k as f64),
                        ("Ti3+.area", 500.0 + 800.0 * k as f64),
                    ],
                    &x,
                )
                .unwrap();
            Spectrum::new(x.clone(), model.evaluate(&x, &p).unwrap()).unwrap()
        })
        .collect();
    let series = model.fit_series(&spectra, &PeakFitOptions::default());
    let batch = model.fit_many(&spectra, &PeakFitOptions::default());
    for (k, (s, b)) in series.iter().zip(&batch).enumerate() {
        let (s, b) = (s.as_ref().unwrap(), b.as_ref().unwrap());
        let want = (500.0 + 800.0 * k as f64) / 6500.0;
        for f in [s, b] {
            let got = f.area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"]).unwrap().value;
            assert!((got - want).abs() < 1e-6, "step {k}: {got} vs {want}");
        }
    }
}

#[test]
fn static_backgrounds_are_computed_from_the_data() {
    let x = grid();
    let y: Vec<f64> = x
        .iter()
        .map(|&v| {
            100.0
                + 50.0 * (1.0 + ((v - 459.0) / 0.3).tanh())
                + 2000.0 * (-(v - 459.0f64).powi(2)).exp()
        })
        .collect();
    let s = Spectrum::new(x.clone(), y.clone()).unwrap();
    for kind in ["static-shirley", "static-linear", "static-tougaard"] {
        let model = PeakModel::from_toml(&format!(
            "[background]\nkind = \"{kind}\"\n[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\n"
        ))
        .unwrap();
        assert_eq!(model.parameter_names(), ["A.center", "A.fwhm", "A.area"]);
        let fit = model.fit(&s, &PeakFitOptions::default()).unwrap();
        // the background meets the data at both ends (averages of 5 points)
        let n = x.len();
        let end = |v: &[f64], a: usize| v[a..a + 5].iter().sum::<f64>() / 5.0;
        assert!(
            (fit.background[0] - end(&y, 0)).abs() < 1e-6 * y[0],
            "{kind}"
        );
        assert!(
            (fit.background[n - 1] - end(&y, n - 5)).abs() < 1e-6 * y[n - 1],
            "{kind}"
        );
        assert!(
            (fit.fit.value("A.center").unwrap() - 459.0).abs() < 0.2,
            "{kind}: {fit}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Arbitrary text, and mutations of a valid model file, never panic: a model or an error.
    #[test]
    fn model_files_never_panic(text in "\\PC{0,200}", cut in 0usize..1200, byte in 0u8..128) {
        let _ = PeakModel::from_toml(&text);
        let _ = PeakModel::from_json(&text);
        let valid = ti2p_model("[background]\nkind = \"tougaard\"").spec().to_toml().unwrap();
        let cut = cut.min(valid.len());
        let mut bytes = valid.into_bytes();
        bytes.truncate(cut);
        bytes.push(byte);
        if let Ok(s) = String::from_utf8(bytes)
            && let Ok(m) = PeakModel::from_toml(&s)
        {
            let x: Vec<f64> = (0..50).map(|i| 470.0 - 0.3 * i as f64).collect();
            let y: Vec<f64> = x.iter().map(|v| 100.0 + (v - 460.0).abs()).collect();
            let _ = m.fit(&Spectrum::new(x, y).unwrap(), &PeakFitOptions::default());
        }
    }
}

/// A noisy Ti 2p depth profile (Ti³⁺ growing, widths and splitting fixed by
/// the physics) on a Shirley background, Poisson-like noise of √y.
fn noisy_profile(steps: usize) -> Vec<Spectrum> {
    let model = ti2p_model("[background]\nkind = \"shirley\"");
    let x = grid();
    (0..steps)
        .map(|k| {
            let p = model
                .parameters_from(
                    &[
                        ("bg.c0", 300.0),
                        ("bg.k", 0.03),
                        ("Ti4+.center", 458.85),
                        ("Ti4+.sigma", 0.45),
                        ("Ti4+.gamma", 0.25),
                        ("Ti4+.splitting", 5.72),
                        ("Ti4+.width_ratio", 1.25),
                        ("Ti3+.center", 457.2),
                        ("Ti4+.area", 6000.0 - 900.0 * k as f64),
                        ("Ti3+.area", 400.0 + 900.0 * k as f64),
                    ],
                    &x,
                )
                .unwrap();
            let clean = model.evaluate(&x, &p).unwrap();
            let y = clean
                .iter()
                .zip(noise(x.len(), 7 + k as u64))
                .map(|(c, e)| c + c.sqrt() * e)
                .collect();
            Spectrum::new(x.clone(), y).unwrap()
        })
        .collect()
}

#[test]
fn global_fit_shares_parameters_across_a_depth_profile() {
    let model = ti2p_model("[background]\nkind = \"shirley\"");
    let spectra = noisy_profile(4);
    let opts = PeakFitOptions {
        weighting: PeakWeighting::Poisson,
        ..Default::default()
    };
    let shared = [
        "Ti4+.sigma",
        "Ti4+.gamma",
        "Ti4+.splitting",
        "Ti4+.width_ratio",
    ];
    let g = model.fit_global(&spectra, &shared, &opts).unwrap();
    assert!(g.fit.converged, "{:?}", g.fit.termination);
    // 4 shared + 4 spectra × (2 background + 2 centers + 2 areas) free
    assert_eq!(g.fit.n_varying, 4 + 4 * 6);
    assert_eq!(g.fit.n_data, 4 * 500);
    // the per-spectrum χ² add up to the global one
    let sum: f64 = g.spectra.iter().map(|f| f.fit.chi_square).sum();
    assert!((sum - g.fit.chi_square).abs() <= 1e-9 * g.fit.chi_square);
    // shared truths recovered within 4σ; one value and one σ in every spectrum
    for (name, truth) in [
        ("Ti4+.sigma", 0.45),
        ("Ti4+.gamma", 0.25),
        ("Ti4+.splitting", 5.72),
        ("Ti4+.width_ratio", 1.25),
    ] {
        let (v, s) = (g.fit.value(name).unwrap(), g.fit.stderr(name).unwrap());
        assert!((v - truth).abs() < 4.0 * s, "{name}: {v} ± {s} vs {truth}");
        for f in &g.spectra {
            assert_eq!(f.fit.value(name), Some(v));
            assert_eq!(f.fit.stderr(name), Some(s));
        }
    }
    // the Ti³⁺ fraction of every step within 4σ of its truth
    for (k, f) in g.spectra.iter().enumerate() {
        let want = (400.0 + 900.0 * k as f64) / 6400.0;
        let got = f.area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"]).unwrap();
        let s = got.stderr.unwrap();
        assert!(
            (got.value - want).abs() < 4.0 * s,
            "step {k}: {got:?} vs {want}"
        );
        assert_eq!(
            g.fit.value(&format!("Ti3+.area@{k}")),
            f.fit.value("Ti3+.area")
        );
    }
    // pooling: the shared width is better determined than by any single fit
    let single = model.fit(&spectra[0], &opts).unwrap();
    assert!(
        g.fit.stderr("Ti4+.sigma").unwrap() < single.fit.stderr("Ti4+.sigma").unwrap(),
        "global σ error should shrink"
    );
    // fewer parameters cannot fit better than independent fits
    let independent: f64 = model
        .fit_many(&spectra, &opts)
        .iter()
        .map(|r| r.as_ref().unwrap().fit.chi_square)
        .sum();
    assert!(g.fit.chi_square >= independent * (1.0 - 1e-9));
}

#[test]
fn global_fit_without_shared_parameters_equals_independent_fits() {
    // nothing shared: the problem separates, so each spectrum's optimum is its own fit's
    let model = ti2p_model("[background]\nkind = \"linear\"");
    let spectra = noisy_profile(3);
    let opts = PeakFitOptions {
        lm: interphase_fit::LmOptions::precise(),
        ..Default::default()
    };
    let g = model.fit_global(&spectra, &[], &opts).unwrap();
    for (s, gf) in spectra.iter().zip(&g.spectra) {
        let own = model.fit(s, &opts).unwrap();
        assert!(
            (own.fit.chi_square - gf.fit.chi_square).abs() <= 1e-8 * own.fit.chi_square,
            "{} vs {}",
            own.fit.chi_square,
            gf.fit.chi_square
        );
        for p in &own.fit.params {
            let v = gf.fit.value(&p.name).unwrap();
            let tol = 1e-4 * p.stderr.unwrap_or(1.0).max(1e-12);
            assert!((v - p.value).abs() <= tol, "{}: {v} vs {}", p.name, p.value);
        }
    }
}

#[test]
fn global_fit_errors() {
    let model = ti2p_model("");
    let spectra = noisy_profile(2);
    let o = PeakFitOptions::default();
    assert!(model.fit_global(&[], &[], &o).is_err());
    let e = model.fit_global(&spectra, &["nope"], &o).unwrap_err();
    assert!(e.to_string().contains("`nope` is not a parameter"), "{e}");
    let e = model
        .fit_global(&spectra, &["Ti4+.sigma", "Ti4+.sigma"], &o)
        .unwrap_err();
    assert!(e.to_string().contains("named twice"), "{e}");
    // Ti3+.sigma is tied to Ti4+.sigma: sharing it alone is refused
    let e = model.fit_global(&spectra, &["Ti3+.sigma"], &o).unwrap_err();
    assert!(e.to_string().contains("share it too"), "{e}");
    // sharing both is fine
    assert!(
        model
            .fit_global(&spectra, &["Ti3+.sigma", "Ti4+.sigma"], &o)
            .is_ok()
    );
}

/// Whatever the parameters, the residuals are `b + Σ a_s·p_s` over the linear
/// parameters the model declares (areas, additive background coefficients),
/// for every background and line shape.
#[test]
fn the_model_is_affine_in_its_declared_linear_parameters() {
    use interphase_fit::varpro::Separable;
    let x = grid();
    let y: Vec<f64> = x.iter().map(|&v| 100.0 + (v - 460.0).powi(2)).collect();
    let s = Spectrum::new(x.clone(), y).unwrap();
    let opts = PeakFitOptions {
        weighting: PeakWeighting::Poisson,
        ..Default::default()
    };
    let mut models: Vec<PeakModel> = BACKGROUNDS.iter().map(|bg| ti2p_model(bg)).collect();
    for shape in [
        "gaussian",
        "lorentzian",
        "pseudo-voigt",
        "tch",
        "gl",
        "sgl",
        "la",
        "doniach",
        "doniach-gauss",
        "pearson7",
        "split-pseudo-voigt",
        "emg",
    ] {
        models.push(
            PeakModel::from_toml(&format!(
                "[background]\nkind = \"shirley\"\nslope = 0.1\n[[peaks]]\nname = \"A\"\nshape = \"{shape}\"\ncenter = 459.0\narea = 700\n"
            ))
            .unwrap(),
        );
    }
    models.push(
        PeakModel::from_toml(
            "[background]\nkind = \"static-shirley\"\n[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 459.0\narea = 700\n",
        )
        .unwrap(),
    );
    for model in &models {
        let (problem, params) = model.problem_for(&s, &opts).unwrap();
        let mut p = params.values();
        for (i, v) in p.iter_mut().enumerate() {
            *v *= 1.0 + 0.01 * ((i % 5) as f64 - 2.0) / 7.0;
        }
        let lin = problem.linear_parameters();
        assert!(lin.len() >= model.spec().peaks.len(), "{lin:?}");
        let m = problem.n_residuals();
        let (mut base, mut cols) = (vec![0.0; m], vec![0.0; m * lin.len()]);
        assert!(problem.affine_parts(&p, &mut base, &mut cols));
        let mut r = vec![0.0; m];
        problem.residuals(&p, &mut r);
        for i in 0..m {
            let sum: f64 = base[i]
                + lin
                    .iter()
                    .enumerate()
                    .map(|(j, &s)| cols[j * m + i] * p[s])
                    .sum::<f64>();
            assert!(
                (sum - r[i]).abs() <= 1e-10 * r[i].abs().max(1.0),
                "{:?}: row {i}: {sum} vs {}",
                model.spec().background,
                r[i]
            );
        }
    }
}

/// Variable projection and the full fit reach the same optimum, with the
/// same χ² and the same standard errors (both from the full covariance).
#[test]
fn variable_projection_gives_the_full_fit_result() {
    use interphase_spectra::model::Projection;
    for bi in 0..BACKGROUNDS.len() {
        let (model, s) = ti2p_case(bi);
        let fit_with = |projection| {
            model
                .fit(
                    &s,
                    &PeakFitOptions {
                        projection,
                        ..Default::default()
                    },
                )
                .unwrap()
        };
        let full = fit_with(Projection::Off);
        for proj in [fit_with(Projection::On), fit_with(Projection::Auto)] {
            assert!(full.fit.converged && proj.fit.converged, "{proj}");
            let rel = (proj.fit.chi_square - full.fit.chi_square) / full.fit.chi_square;
            assert!(rel.abs() < 1e-9, "bg {bi}: Δχ²/χ² = {rel}");
            for (a, b) in full.fit.params.iter().zip(&proj.fit.params) {
                let se = a.stderr.unwrap_or(0.0);
                assert!(
                    (a.value - b.value).abs() <= 1e-3 * se + 1e-9 * a.value.abs(),
                    "bg {bi}: {} = {} vs {} (σ {se})",
                    a.name,
                    a.value,
                    b.value
                );
                match (a.stderr, b.stderr) {
                    (Some(x), Some(y)) => {
                        assert!((x - y).abs() <= 1e-4 * x, "{}: {x} vs {y}", a.name)
                    }
                    (None, None) => {}
                    other => panic!("{}: {other:?}", a.name),
                }
                assert_eq!(a.init.to_bits(), b.init.to_bits(), "{}", a.name);
            }
            assert_eq!(full.fit.covariance.is_some(), proj.fit.covariance.is_some());
        }
    }
}

/// The projected fit does not depend on the starting areas, and an area
/// whose unconstrained optimum is negative (a peak that is not there) is
/// handed to the full fit, which keeps it at its bound as the full fit does.
#[test]
fn variable_projection_ignores_starting_areas_and_respects_bounds() {
    use interphase_spectra::model::Projection;
    let (_, s) = ti2p_case(1);
    let text = |a4: f64, a3: f64| {
        format!(
            r#"
            [background]
            kind = "linear"
            [[peaks]]
            name = "Ti4+"
            shape = "voigt"
            center = {{ value = 458.8, min = 457.5, max = 460.0 }}
            sigma = 0.5
            gamma = {{ value = 0.3, min = 0.0 }}
            area = {{ value = {a4}, min = 0 }}
            doublet = {{ splitting = 5.7, ratio = {{ value = 0.5, vary = false }}, width_ratio = 1.3 }}
            [[peaks]]
            name = "Ti3+"
            shape = "voigt"
            center = {{ value = 457.3, min = 456.5, max = 458.2 }}
            sigma = {{ tie = "Ti4+.sigma" }}
            gamma = {{ tie = "Ti4+.gamma" }}
            area = {{ value = {a3}, min = 0 }}
            doublet = {{ splitting = {{ tie = "Ti4+.splitting" }}, orbital = "p", width_ratio = {{ tie = "Ti4+.width_ratio" }} }}
            "#
        )
    };
    let on = PeakFitOptions {
        projection: Projection::On,
        ..Default::default()
    };
    let good = PeakModel::from_toml(&text(5000.0, 1000.0))
        .unwrap()
        .fit(&s, &on)
        .unwrap();
    for projection in [Projection::On, Projection::Auto] {
        let far = PeakModel::from_toml(&text(1.0, 1e6))
            .unwrap()
            .fit(
                &s,
                &PeakFitOptions {
                    projection,
                    ..Default::default()
                },
            )
            .unwrap();
        let rel = (far.fit.chi_square - good.fit.chi_square) / good.fit.chi_square;
        assert!(rel.abs() < 1e-9, "{projection:?}: Δχ²/χ² = {rel}\n{far}");
        assert_eq!(
            far.fit.param("Ti4+.area").unwrap().init.to_bits(),
            1.0f64.to_bits()
        );
    }

    // a third doublet where there is nothing: its best area is below zero
    let ghost = format!(
        "{}\n[[peaks]]\nname = \"ghost\"\nshape = \"gaussian\"\ncenter = {{ value = 468.0, min = 467.0, max = 469.0 }}\nfwhm = {{ value = 1.0, min = 0.5, max = 2.0 }}\narea = {{ value = 100, min = 0 }}\n",
        text(5000.0, 1000.0)
    );
    let y: Vec<f64> = s
        .x()
        .iter()
        .zip(s.y())
        .map(|(&x, &y)| y - 200.0 * (-(x - 468.0f64).powi(2)).exp())
        .collect();
    let dip = Spectrum::new(s.x().to_vec(), y).unwrap();
    let model = PeakModel::from_toml(&ghost).unwrap();
    let full = model
        .fit(
            &dip,
            &PeakFitOptions {
                projection: Projection::Off,
                ..Default::default()
            },
        )
        .unwrap();
    let proj = model.fit(&dip, &on).unwrap();
    let area = proj.fit.value("ghost.area").unwrap();
    assert!((0.0..1e-3).contains(&area), "{proj}");
    assert!(
        proj.fit.chi_square <= full.fit.chi_square * (1.0 + 1e-9),
        "{} vs {}",
        proj.fit.chi_square,
        full.fit.chi_square
    );
}
