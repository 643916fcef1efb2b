//! Behaviour of the fitting core against closed forms, lmfit and its own contract.

use approx::assert_relative_eq;
use interphase_fit::{
    CurveFit, Derivatives, Error, FitResult, GlobalProblem, JacobianMut, LmOptions, MultiStart,
    NelderMeadOptions, Parameter, Parameters, Problem, Termination, fit, fit_batch, fit_batch_with,
    fit_multistart, nelder_mead, nist,
};

fn gauss(x: f64, area: f64, center: f64, sigma: f64) -> f64 {
    area / (sigma * (2.0 * std::f64::consts::PI).sqrt())
        * (-0.5 * ((x - center) / sigma).powi(2)).exp()
}

/// The problem of benches/compare/lmfit_reference_doublet.py.
fn doublet_data() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..201).map(|i| 450.0 + 20.0 * i as f64 / 200.0).collect();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let i = i as f64;
            gauss(x, 5000.0, 458.8, 0.9)
                + gauss(x, 2500.0, 464.5, 0.9)
                + 100.0
                + 20.0 * (i * 1.7).sin() * (i * 0.31).cos()
        })
        .collect();
    (x, y)
}

fn doublet_params() -> Parameters {
    let mut p = Parameters::new();
    p.push(Parameter::new("area", 3000.0).with_min(0.0))
        .unwrap();
    p.push(Parameter::new("center", 458.0).with_bounds(455.0, 462.0))
        .unwrap();
    p.push(Parameter::new("sigma", 1.2).with_bounds(0.1, 3.0))
        .unwrap();
    p.push(Parameter::new("bg", 50.0)).unwrap();
    p.push(Parameter::new("area2", 0.0).tied_to("area", 0.5, 0.0))
        .unwrap();
    p.push(Parameter::new("center2", 0.0).tied_to("center", 1.0, 5.7))
        .unwrap();
    p.push(Parameter::new("sigma2", 0.0).tied_to("sigma", 1.0, 0.0))
        .unwrap();
    p
}

fn doublet_model(x: f64, p: &[f64]) -> f64 {
    gauss(x, p[0], p[1], p[2]) + gauss(x, p[4], p[5], p[6]) + p[3]
}

#[test]
fn doublet_with_ties_matches_lmfit() {
    let (x, y) = doublet_data();
    let problem = CurveFit::new(&x, &y, doublet_model).unwrap();
    let opts = LmOptions {
        ftol: 1e-13,
        xtol: 1e-13,
        ..Default::default()
    };
    let r = fit(&problem, &doublet_params(), &opts).unwrap();
    assert!(r.converged, "{r}");
    // reference: lmfit 1.3.4 (scipy 1.17.1) leastsq, xtol = ftol = 1e-13,
    // benches/compare/lmfit_reference_doublet.py
    let reference = [
        ("area", 4999.491417853484, 8.206000629200286),
        ("center", 458.79999999999853, 0.0012925144413621437),
        ("sigma", 0.8999392157493776, 0.0014391882745542802),
        ("bg", 100.08877703504933, 0.936595565169688),
        ("area2", 2499.745708926742, 4.10300032010452),
        ("center2", 464.4999999999985, 0.0012925144392128235),
        ("sigma2", 0.8999392157493776, 0.0014391882760319422),
    ];
    for (name, value, stderr) in reference {
        // values: both solvers stop within ~1e-10 of the same minimum
        assert_relative_eq!(r.value(name).unwrap(), value, max_relative = 1e-9);
        // stderr: lmfit differentiates by forward differences in internal
        // variables; ours is analytic-free FD in external ones: agree to 1e-5
        assert_relative_eq!(r.stderr(name).unwrap(), stderr, max_relative = 1e-5);
    }
    assert_relative_eq!(r.chi_square, 19885.29907133608, max_relative = 1e-11);
    assert_relative_eq!(
        r.reduced_chi_square,
        100.94060442302579,
        max_relative = 1e-11
    );
    assert_relative_eq!(r.aic, 931.4806489928545, max_relative = 1e-11);
    assert_relative_eq!(r.bic, 944.6938686250908, max_relative = 1e-11);
    assert_relative_eq!(
        r.correlation("area", "sigma").unwrap(),
        0.6815034143705652,
        max_relative = 1e-5
    );
    // ties hold exactly
    assert_relative_eq!(
        r.value("area2").unwrap(),
        0.5 * r.value("area").unwrap(),
        max_relative = 1e-15
    );
    assert_relative_eq!(
        r.value("center2").unwrap(),
        r.value("center").unwrap() + 5.7,
        max_relative = 1e-15
    );
    assert_eq!(r.n_varying, 4);
    assert!(!r.params[4].vary && r.params[4].tie.is_some());
}

/// y = a + b·x: closed-form ordinary least squares.
#[test]
fn straight_line_matches_closed_form() {
    let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let y = [1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8];
    let n = x.len() as f64;
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    let sxx: f64 = x.iter().map(|v| v * v).sum();
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
    let d = n * sxx - sx * sx;
    let b = (n * sxy - sx * sy) / d;
    let a = (sy - b * sx) / n;
    let rss: f64 = x
        .iter()
        .zip(&y)
        .map(|(xi, yi)| (yi - a - b * xi).powi(2))
        .sum();
    let s2 = rss / (n - 2.0);
    let (se_a, se_b) = ((s2 * sxx / d).sqrt(), (s2 * n / d).sqrt());
    let cov_ab = -s2 * sx / d;
    let ybar = sy / n;
    let tss: f64 = y.iter().map(|v| (v - ybar).powi(2)).sum();

    for derivs in [
        Derivatives::Auto,
        Derivatives::Forward,
        Derivatives::Central,
    ] {
        let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] + p[1] * x)
            .unwrap()
            .with_gradient(|x, _p, g| {
                g[0] = 1.0;
                g[1] = x;
            });
        let params = Parameters::from_values(&[("a", 0.0), ("b", 0.0)]).unwrap();
        let opts = LmOptions {
            derivatives: derivs,
            ..LmOptions::precise()
        };
        let r = fit(&problem, &params, &opts).unwrap();
        // finite differences of a linear model are exact up to round-off of h
        let tol = if derivs == Derivatives::Auto {
            1e-12
        } else {
            1e-6
        };
        assert_relative_eq!(r.value("a").unwrap(), a, max_relative = tol);
        assert_relative_eq!(r.value("b").unwrap(), b, max_relative = tol);
        assert_relative_eq!(r.stderr("a").unwrap(), se_a, max_relative = tol);
        assert_relative_eq!(r.stderr("b").unwrap(), se_b, max_relative = tol);
        assert_relative_eq!(
            r.covariance_of("a", "b").unwrap(),
            cov_ab,
            max_relative = tol
        );
        assert_relative_eq!(r.chi_square, rss, max_relative = 1e-12);
        assert_relative_eq!(r.r_squared.unwrap(), 1.0 - rss / tss, max_relative = 1e-12);
        assert_eq!(r.dof, 5);
    }
}

/// Weighted straight line with absolute σ: C = (XᵀWX)⁻¹ when not scaled.
#[test]
fn weighted_absolute_covariance() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [2.2, 3.9, 6.3, 7.8, 10.4];
    let sigma = [0.1, 0.2, 0.1, 0.3, 0.2];
    let w: Vec<f64> = sigma.iter().map(|s| 1.0 / (s * s)).collect();
    let (s, sx, sxx) = (
        w.iter().sum::<f64>(),
        w.iter().zip(&x).map(|(w, x)| w * x).sum::<f64>(),
        w.iter().zip(&x).map(|(w, x)| w * x * x).sum::<f64>(),
    );
    let d = s * sxx - sx * sx;
    let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] + p[1] * x)
        .unwrap()
        .with_sigma(&sigma)
        .unwrap();
    let params = Parameters::from_values(&[("a", 0.0), ("b", 1.0)]).unwrap();
    let opts = LmOptions {
        scale_covariance: false,
        ..LmOptions::precise()
    };
    let r = fit(&problem, &params, &opts).unwrap();
    assert_relative_eq!(
        r.stderr("a").unwrap(),
        (sxx / d).sqrt(),
        max_relative = 1e-6
    );
    assert_relative_eq!(r.stderr("b").unwrap(), (s / d).sqrt(), max_relative = 1e-6);
    assert!(!r.covariance_scaled);
}

#[test]
fn fixed_parameters_stay_and_have_no_stderr() {
    let (x, y) = doublet_data();
    let problem = CurveFit::new(&x, &y, doublet_model).unwrap();
    let mut p = doublet_params();
    p.replace(Parameter::new("bg", 100.0).fixed()).unwrap();
    let r = fit(&problem, &p, &LmOptions::default()).unwrap();
    assert_eq!(r.value("bg"), Some(100.0));
    assert_eq!(r.stderr("bg"), None);
    assert_eq!(r.n_varying, 3);
    assert!(r.stderr("center").is_some());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let f = |x: f64, p: &[f64]| p[0] * x;
    assert!(matches!(CurveFit::new(&[], &[], f), Err(Error::Data(_))));
    assert!(matches!(
        CurveFit::new(&[1.0, 2.0], &[1.0], f),
        Err(Error::Data(_))
    ));
    let e = CurveFit::new(&[1.0, f64::NAN], &[1.0, 2.0], f)
        .err()
        .unwrap();
    assert!(e.to_string().contains("x[1]"), "{e}");
    let e = CurveFit::new(&[1.0, 2.0], &[1.0, f64::INFINITY], f)
        .err()
        .unwrap();
    assert!(e.to_string().contains("y[1]"), "{e}");
    let ok = CurveFit::new(&[1.0, 2.0], &[1.0, 2.0], f).unwrap();
    assert!(ok.with_sigma(&[1.0, 0.0]).is_err());

    let x = [1.0, 2.0, 3.0];
    let y = [1.0, 2.0, 3.0];
    let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * x + p[1]).unwrap();
    // all fixed
    let mut p = Parameters::new();
    p.push(Parameter::new("a", 1.0).fixed()).unwrap();
    p.push(Parameter::new("b", 1.0).fixed()).unwrap();
    assert_eq!(
        fit(&problem, &p, &LmOptions::default()).unwrap_err(),
        Error::NoFreeParameters
    );
    // more parameters than residuals
    let many = CurveFit::new(&x[..1], &y[..1], |x, p: &[f64]| p[0] * x + p[1]).unwrap();
    let p2 = Parameters::from_values(&[("a", 1.0), ("b", 1.0)]).unwrap();
    assert!(matches!(
        fit(&many, &p2, &LmOptions::default()),
        Err(Error::Dimension(_))
    ));
    // residuals not finite at the start
    let logm = CurveFit::new(&x, &y, |x, p: &[f64]| (p[0] * x).ln()).unwrap();
    let p1 = Parameters::from_values(&[("a", -1.0)]).unwrap();
    let e = fit(&logm, &p1, &LmOptions::default()).unwrap_err();
    assert_eq!(
        e,
        Error::NonFiniteStart {
            what: "residual",
            index: 0
        }
    );
    // bad options
    let opts = LmOptions {
        ftol: -1.0,
        ..Default::default()
    };
    assert!(matches!(fit(&problem, &p2, &opts), Err(Error::Options(_))));
    let opts = LmOptions {
        max_evaluations: Some(0),
        ..Default::default()
    };
    assert!(matches!(fit(&problem, &p2, &opts), Err(Error::Options(_))));
    // a problem with a fixed parameter count
    let d = nist::Dataset::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nist/Misra1a.dat"
    ))
    .unwrap();
    let e = fit(&d.problem(), &p1, &LmOptions::default()).unwrap_err();
    assert!(e.to_string().contains("takes 2 parameters but 1"), "{e}");
    // deserialised parameters are validated at fit time
    let bad: Parameters =
        serde_json::from_str(r#"[{"name":"a","value":5.0,"min":0.0,"max":1.0}]"#).unwrap();
    assert!(matches!(
        fit(&logm, &bad, &LmOptions::default()),
        Err(Error::Parameter { .. })
    ));
}

#[test]
fn running_out_of_evaluations_is_reported() {
    let d = nist::Dataset::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nist/MGH09.dat"
    ))
    .unwrap();
    let opts = LmOptions {
        max_evaluations: Some(5),
        ..Default::default()
    };
    let r = fit(&d.problem(), &d.start(1).unwrap(), &opts).unwrap();
    assert_eq!(r.termination, Termination::MaxEvaluations);
    assert!(!r.converged);
    assert!(r.warnings.iter().any(|w| w.contains("not converged")));
}

#[test]
fn a_parameter_at_its_bound_is_flagged() {
    // the unconstrained slope is ~2; bound it at 1.5
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [0.0, 2.0, 4.1, 5.9];
    let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * x).unwrap();
    let mut p = Parameters::new();
    p.push(Parameter::new("slope", 1.0).with_max(1.5)).unwrap();
    let r = fit(&problem, &p, &LmOptions::default()).unwrap();
    assert!(r.value("slope").unwrap() <= 1.5);
    assert_relative_eq!(r.value("slope").unwrap(), 1.5, max_relative = 1e-6);
    assert!(
        r.warnings.iter().any(|w| w.contains("upper bound")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn rank_deficient_jacobian_gives_no_stderr_and_a_warning() {
    // p0 and p1 enter only as their sum
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [1.0, 3.0, 5.0, 7.0];
    let problem = CurveFit::new(&x, &y, |x, p: &[f64]| (p[0] + p[1]) * x + p[2]).unwrap();
    let params = Parameters::from_values(&[("a", 1.0), ("b", 0.5), ("c", 0.0)]).unwrap();
    let r = fit(&problem, &params, &LmOptions::default()).unwrap();
    assert!(r.converged);
    assert_relative_eq!(
        r.value("a").unwrap() + r.value("b").unwrap(),
        2.0,
        max_relative = 1e-8
    );
    assert!(r.stderr("a").is_none());
    assert!(r.warnings.iter().any(|w| w.contains("rank-deficient")));
}

#[test]
fn report_and_serde() {
    let (x, y) = doublet_data();
    let problem = CurveFit::new(&x, &y, doublet_model).unwrap();
    let r = fit(&problem, &doublet_params(), &LmOptions::default()).unwrap();
    let text = r.to_string();
    for needle in [
        "[[Fit Statistics]]",
        "[[Variables]]",
        "center2:",
        "== '1*center + 5.7'",
        "[[Correlations]]",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    let json = serde_json::to_string(&r).unwrap();
    let back: FitResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.params, r.params);
    assert_eq!(back.termination, r.termination);
    // restart from the result
    let again = fit(
        &problem,
        &r.to_parameters(&doublet_params()),
        &LmOptions::default(),
    )
    .unwrap();
    assert_relative_eq!(again.chi_square, r.chi_square, max_relative = 1e-9);
}

/// Two spectra sharing sigma, each with its own area and center.
#[test]
fn global_fit_shares_parameters() {
    let x: Vec<f64> = (0..120).map(|i| i as f64 * 0.1).collect();
    let y1: Vec<f64> = x.iter().map(|&x| gauss(x, 10.0, 4.0, 0.7)).collect();
    let y2: Vec<f64> = x.iter().map(|&x| gauss(x, 6.0, 7.5, 0.7)).collect();
    let g = |x: f64, p: &[f64]| gauss(x, p[0], p[1], p[2]);
    let mut params = Parameters::new();
    for (n, v) in [
        ("area_1", 5.0),
        ("center_1", 3.5),
        ("area_2", 5.0),
        ("center_2", 7.0),
    ] {
        params.push(Parameter::new(n, v)).unwrap();
    }
    params
        .push(Parameter::new("sigma", 1.0).with_min(0.01))
        .unwrap();
    let mut global = GlobalProblem::new(&params);
    global
        .add(
            CurveFit::new(&x, &y1, g).unwrap(),
            &["area_1", "center_1", "sigma"],
        )
        .unwrap();
    global
        .add(
            CurveFit::new(&x, &y2, g).unwrap(),
            &["area_2", "center_2", "sigma"],
        )
        .unwrap();
    assert!(
        global
            .add(CurveFit::new(&x, &y2, g).unwrap(), &["nope"])
            .is_err()
    );
    assert!(
        global
            .add(CurveFit::new(&x, &y2, g).unwrap(), &["sigma", "sigma"])
            .is_err()
    );
    let r = fit(&global, &params, &LmOptions::precise()).unwrap();
    for (n, v) in [
        ("area_1", 10.0),
        ("center_1", 4.0),
        ("area_2", 6.0),
        ("center_2", 7.5),
        ("sigma", 0.7),
    ] {
        assert_relative_eq!(r.value(n).unwrap(), v, max_relative = 1e-9);
    }
    assert_eq!(r.n_data, 240);
    assert_eq!(global.dataset_range(1), Some(120..240));
    assert!(r.r_squared.unwrap() > 0.999_999);
}

/// A problem with an analytic Jacobian, to check the global Jacobian scatter.
struct Line<'a> {
    x: &'a [f64],
    y: &'a [f64],
}
impl Problem for Line<'_> {
    fn n_residuals(&self) -> usize {
        self.x.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(2)
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for ((o, x), y) in out.iter_mut().zip(self.x).zip(self.y) {
            *o = p[0] + p[1] * x - y;
        }
    }
    fn jacobian(&self, _p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        jac.column(0).fill(1.0);
        jac.column(1).copy_from_slice(self.x);
        true
    }
    fn observed(&self) -> Option<&[f64]> {
        Some(self.y)
    }
}

/// Two straight lines with their own intercepts and one shared slope.
fn two_lines_sharing_a_slope() -> (Parameters, GlobalProblem<'static>) {
    const X: [f64; 5] = [0.0, 1.0, 2.0, 3.0, 4.0];
    const Y1: [f64; 5] = [1.0, 3.1, 4.9, 7.0, 9.2];
    const Y2: [f64; 5] = [-1.0, 1.2, 2.9, 5.1, 6.8];
    let params = Parameters::from_values(&[("a1", 0.0), ("a2", 0.0), ("slope", 1.0)]).unwrap();
    let mut g = GlobalProblem::new(&params);
    g.add(Line { x: &X, y: &Y1 }, &["a1", "slope"]).unwrap();
    g.add(Line { x: &X, y: &Y2 }, &["a2", "slope"]).unwrap();
    (params, g)
}

#[test]
fn global_fit_with_analytic_jacobians_matches_finite_differences() {
    let (params, g) = two_lines_sharing_a_slope();
    let ra = fit(&g, &params, &LmOptions::precise()).unwrap();
    let opts = LmOptions {
        derivatives: Derivatives::Central,
        ..LmOptions::precise()
    };
    let rf = fit(&g, &params, &opts).unwrap();
    for n in ["a1", "a2", "slope"] {
        assert_relative_eq!(
            ra.value(n).unwrap(),
            rf.value(n).unwrap(),
            max_relative = 1e-10
        );
        assert_relative_eq!(
            ra.stderr(n).unwrap(),
            rf.stderr(n).unwrap(),
            max_relative = 1e-6
        );
    }
    assert!(ra.n_evaluations < rf.n_evaluations);
}

#[test]
fn global_names_and_shared_checks() {
    assert_eq!(
        GlobalProblem::parameter_name("a.sigma", 2, &["a.sigma"]),
        "a.sigma"
    );
    assert_eq!(
        GlobalProblem::parameter_name("a.area", 2, &["a.sigma"]),
        "a.area@2"
    );
    let names = ["a", "b"];
    assert!(GlobalProblem::check_shared(&names, &["b"], "m").is_ok());
    let e = GlobalProblem::check_shared(&names, &["c"], "m").unwrap_err();
    assert!(e.contains("`c` is not a parameter of m (a, b)"), "{e}");
    let e = GlobalProblem::check_shared(&names, &["a", "a"], "m").unwrap_err();
    assert!(e.contains("named twice"), "{e}");
}

#[test]
fn uncertainties_can_be_skipped() {
    let (params, g) = two_lines_sharing_a_slope();
    let full = fit(&g, &params, &LmOptions::precise()).unwrap();
    let opts = LmOptions {
        uncertainties: false,
        ..LmOptions::precise()
    };
    let bare = fit(&g, &params, &opts).unwrap();
    assert!(bare.covariance.is_none());
    assert!(bare.params.iter().all(|p| p.stderr.is_none()));
    assert!(!bare.covariance_scaled);
    // the same solution, one Jacobian fewer
    assert_eq!(bare.values(), full.values());
    assert_eq!(bare.n_jacobians + 1, full.n_jacobians);
    assert!(full.stderr("slope").is_some());
    // serialised options without the field still read (default: on)
    let text = serde_json::to_string(&LmOptions::default()).unwrap();
    let old = text.replace(",\"uncertainties\":true", "");
    assert!(!old.contains("uncertainties"));
    let back: LmOptions = serde_json::from_str(&old).unwrap();
    assert!(back.uncertainties);
}

#[test]
fn dataset_result_cuts_one_dataset_out_of_a_global_fit() {
    let (params, g) = two_lines_sharing_a_slope();
    let r = fit(&g, &params, &LmOptions::precise()).unwrap();
    let d0 = g.dataset_result(0, &r, &["a", "b"]).unwrap();
    let d1 = g.dataset_result(1, &r, &["a", "b"]).unwrap();
    // the local names carry the global values, errors and covariance block
    assert_eq!(d1.value("a"), r.value("a2"));
    assert_eq!(d1.value("b"), r.value("slope"));
    assert_eq!(d1.stderr("b"), r.stderr("slope"));
    assert_eq!(
        d1.covariance_of("a", "b"),
        r.covariance_of("a2", "slope"),
        "covariance block"
    );
    // residuals split, χ² adds up, per-dataset counts
    assert_eq!(d0.residuals, r.residuals[0..5]);
    assert_eq!(d1.residuals, r.residuals[5..10]);
    assert_relative_eq!(
        d0.chi_square + d1.chi_square,
        r.chi_square,
        max_relative = 1e-12
    );
    assert_eq!((d1.n_data, d1.n_varying, d1.dof), (5, 2, 3));
    let n = 5.0f64;
    assert_relative_eq!(
        d1.aic,
        n * (d1.chi_square / n).ln() + 4.0,
        max_relative = 1e-12
    );
    assert!(d1.r_squared.unwrap() > 0.99);
    // wrong dataset, wrong name count, a result from another problem
    assert!(g.dataset_result(2, &r, &["a", "b"]).is_err());
    assert!(g.dataset_result(0, &r, &["a"]).is_err());
    assert!(g.dataset_result(0, &d0, &["a", "b"]).is_err());
}

#[test]
fn batch_results_are_in_order_and_equal_to_single_fits() {
    let x: Vec<f64> = (0..80).map(|i| i as f64 * 0.125).collect();
    let ys: Vec<Vec<f64>> = (0..24)
        .map(|k| {
            x.iter()
                .map(|&x| gauss(x, 5.0 + k as f64, 3.0 + 0.1 * k as f64, 0.8))
                .collect()
        })
        .collect();
    let g = |x: f64, p: &[f64]| gauss(x, p[0], p[1], p[2]);
    let problems: Vec<_> = ys
        .iter()
        .map(|y| CurveFit::new(&x, y, g).unwrap())
        .collect();
    let mut params = Parameters::new();
    params
        .push(Parameter::new("area", 4.0).with_min(0.0))
        .unwrap();
    params.push(Parameter::new("center", 4.0)).unwrap();
    params
        .push(Parameter::new("sigma", 1.0).with_min(0.01))
        .unwrap();
    let batch = fit_batch(&problems, &params, &LmOptions::default());
    for (k, (b, p)) in batch.iter().zip(&problems).enumerate() {
        let single = fit(p, &params, &LmOptions::default()).unwrap();
        let b = b.as_ref().unwrap();
        // bitwise: each fit is independent of scheduling
        assert_eq!(b.values(), single.values(), "spectrum {k}");
        assert_relative_eq!(
            b.value("center").unwrap(),
            3.0 + 0.1 * k as f64,
            max_relative = 1e-8
        );
    }
    // per-problem starts; one bad start fails alone
    let with = fit_batch_with(
        &problems,
        |i| {
            let mut p = params.clone();
            if i == 3 {
                p.replace(
                    Parameter::new("sigma", 1.0)
                        .with_min(0.01)
                        .with_max(0.5)
                        .with_value(2.0),
                )
                .ok();
            }
            p
        },
        &LmOptions::default(),
    );
    assert!(with.iter().enumerate().all(|(i, r)| r.is_ok() || i == 3));
}

#[test]
fn nelder_mead_reaches_the_certified_misra1a() {
    let d = nist::Dataset::from_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/nist/Misra1a.dat"
    ))
    .unwrap();
    let opts = NelderMeadOptions {
        max_iterations: 20_000,
        sd_tolerance: 1e-14,
        ..Default::default()
    };
    let r = nelder_mead(&d.problem(), &d.start(2).unwrap(), &opts).unwrap();
    assert_eq!(r.termination, Termination::SimplexConverged);
    for (p, c) in r.params.iter().zip(&d.params) {
        assert!(
            nist::lre(p.value, c.value) > 4.0,
            "{} {} vs {}",
            p.name,
            p.value,
            c.value
        );
        assert!(nist::lre(p.stderr.unwrap(), c.std_dev) > 3.0);
    }
    // bounds hold in the simplex too
    let mut p = d.start(2).unwrap();
    p.replace(
        Parameter::new("b1", 250.0)
            .with_bounds(0.0, 200.0)
            .with_value(150.0),
    )
    .unwrap();
    let r = nelder_mead(&d.problem(), &p, &NelderMeadOptions::default()).unwrap();
    assert!(r.value("b1").unwrap() <= 200.0);
}

#[test]
fn multistart_escapes_a_local_minimum() {
    let x: Vec<f64> = (0..200).map(|i| i as f64 * 0.05).collect();
    let y: Vec<f64> = x.iter().map(|&x| 2.0 * (3.3 * x).sin()).collect();
    let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * (p[1] * x).sin()).unwrap();
    let mut params = Parameters::new();
    params.push(Parameter::new("amp", 1.0)).unwrap();
    params
        .push(Parameter::new("freq", 1.0).with_bounds(0.1, 5.0))
        .unwrap();
    let local = fit(&problem, &params, &LmOptions::default()).unwrap();
    assert!(
        (local.value("freq").unwrap() - 3.3).abs() > 0.1,
        "the single start must miss"
    );
    let r = fit_multistart(
        &problem,
        &params,
        &LmOptions::default(),
        &MultiStart::default(),
    )
    .unwrap();
    assert_relative_eq!(r.value("freq").unwrap(), 3.3, max_relative = 1e-9);
    assert_relative_eq!(r.params[1].init, 1.0, max_relative = 0.0);
    let again = fit_multistart(
        &problem,
        &params,
        &LmOptions::default(),
        &MultiStart::default(),
    )
    .unwrap();
    assert_eq!(again.values(), r.values(), "seeded: reproducible");
    let zero = MultiStart {
        n_starts: 0,
        ..Default::default()
    };
    assert!(fit_multistart(&problem, &params, &LmOptions::default(), &zero).is_err());
}

#[test]
fn robust_covariance_matches_statsmodels_hc3() {
    // y = a + b·x with noise growing with x: the sandwich (HC3) standard errors.
    // reference: statsmodels 0.15.0, sm.OLS(y, sm.add_constant(x)).fit(cov_type="HC3")
    // with x = 0.5·i and e = ((7919 i mod 13) − 6)/6 · (0.2 + 0.3 x), i = 0..19
    // (y computed the same way here); classic errors from .fit() for the contrast.
    let x: Vec<f64> = (0..20).map(|i| 0.5 * i as f64).collect();
    let y: Vec<f64> = (0..20)
        .map(|i| {
            let e = (((i * 7919) % 13) as f64 - 6.0) / 6.0 * (0.2 + 0.3 * x[i]);
            1.5 + 0.8 * x[i] + e
        })
        .collect();
    let problem = CurveFit::new(&x, &y, |x, p| p[0] + p[1] * x).unwrap();
    let mut params = Parameters::new();
    params.push(Parameter::new("a", 0.0)).unwrap();
    params.push(Parameter::new("b", 0.0)).unwrap();
    let robust = LmOptions {
        robust_covariance: true,
        ..LmOptions::precise()
    };
    let r = fit(&problem, &params, &robust).unwrap();
    assert!(r.robust_covariance && !r.covariance_scaled);
    assert!(
        r.to_string()
            .contains("covariance         = robust (sandwich, HC3)")
    );
    // (the Jacobian is by finite differences: standard errors to about 1e-8)
    let close = |got: f64, want: f64| assert!((got / want - 1.0).abs() < 1e-7, "{got} vs {want}");
    close(r.value("a").unwrap(), 1.1149999999999995);
    close(r.value("b").unwrap(), 0.919736842105263);
    close(r.stderr("a").unwrap(), 0.34293790594322276);
    close(r.stderr("b").unwrap(), 0.10500315871958288);
    let classic = fit(&problem, &params, &LmOptions::precise()).unwrap();
    assert!(!classic.robust_covariance && classic.covariance_scaled);
    close(classic.stderr("a").unwrap(), 0.5141561400061685);
    close(classic.stderr("b").unwrap(), 0.0925319135328891);
}
