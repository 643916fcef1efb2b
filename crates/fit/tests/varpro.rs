//! Variable projection against the full fit on a problem with every kind of
//! parameter: linear ones that are free, tied, fixed, bounded below (active
//! and inactive), bounded above (then searched), and collinear columns.

use interphase_fit::varpro::{Separable, fit_separable, linear_start};
use interphase_fit::{JacobianMut, LmOptions, Parameter, Parameters, Problem, fit};

/// y = a0 + a1·exp(−k1·x) + a2·exp(−k2·x) + a3·x: linear in a0…a3 (indices
/// 0, 1, 3, 5), nonlinear in k1, k2 (2, 4).
struct TwoExp {
    x: Vec<f64>,
    y: Vec<f64>,
}

impl TwoExp {
    fn new(truth: [f64; 6], ripple: f64) -> Self {
        let x: Vec<f64> = (0..120).map(|i| i as f64 * 0.05).collect();
        let y = x
            .iter()
            .enumerate()
            .map(|(i, &x)| model(&truth, x) + ripple * (1.3 * i as f64).sin())
            .collect();
        TwoExp { x, y }
    }
}

fn model(p: &[f64], x: f64) -> f64 {
    p[0] + p[1] * (-p[2] * x).exp() + p[3] * (-p[4] * x).exp() + p[5] * x
}

impl Problem for TwoExp {
    fn n_residuals(&self) -> usize {
        self.x.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(6)
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for ((o, &x), &y) in out.iter_mut().zip(&self.x).zip(&self.y) {
            *o = model(p, x) - y;
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        for (i, &x) in self.x.iter().enumerate() {
            let (e1, e2) = ((-p[2] * x).exp(), (-p[4] * x).exp());
            jac.set(i, 0, 1.0);
            jac.set(i, 1, e1);
            jac.set(i, 2, -p[1] * x * e1);
            jac.set(i, 3, e2);
            jac.set(i, 4, -p[3] * x * e2);
            jac.set(i, 5, x);
        }
        true
    }
}

impl Separable for TwoExp {
    fn linear_parameters(&self) -> Vec<usize> {
        vec![0, 1, 3, 5]
    }
    fn affine_parts(&self, p: &[f64], base: &mut [f64], cols: &mut [f64]) -> bool {
        let m = self.x.len();
        for (i, &x) in self.x.iter().enumerate() {
            base[i] = -self.y[i];
            cols[i] = 1.0;
            cols[m + i] = (-p[2] * x).exp();
            cols[2 * m + i] = (-p[4] * x).exp();
            cols[3 * m + i] = x;
        }
        true
    }
}

fn params(spec: &[(&str, f64)]) -> Parameters {
    let mut p = Parameters::new();
    for &(n, v) in spec {
        p.push(Parameter::new(n, v)).unwrap();
    }
    p
}

const NAMES: [&str; 6] = ["a0", "a1", "k1", "a2", "k2", "a3"];

/// Asserts the two fits agree: χ² to 1e-10, values to 1e-6 of σ, σ to 1e-5.
fn assert_same(full: &interphase_fit::FitResult, proj: &interphase_fit::FitResult, what: &str) {
    assert!(full.converged && proj.converged, "{what}\n{full}\n{proj}");
    let rel = (proj.chi_square - full.chi_square) / full.chi_square;
    assert!(rel.abs() < 1e-10, "{what}: Δχ²/χ² = {rel}");
    for (a, b) in full.params.iter().zip(&proj.params) {
        let tol = a.stderr.map_or(1e-9 * a.value.abs().max(1.0), |s| 1e-5 * s);
        assert!(
            (a.value - b.value).abs() <= tol,
            "{what}: {} {} vs {}",
            a.name,
            a.value,
            b.value
        );
        match (a.stderr, b.stderr) {
            (Some(x), Some(y)) => {
                assert!((x - y).abs() <= 1e-5 * x, "{what}: σ {} {x} vs {y}", a.name)
            }
            (None, None) => {}
            other => panic!("{what}: {}: {other:?}", a.name),
        }
        assert_eq!(a.vary, b.vary);
        assert_eq!(
            a.init.to_bits(),
            b.init.to_bits(),
            "{what}: init of {}",
            a.name
        );
    }
    assert_eq!(full.n_varying, proj.n_varying);
    assert_eq!(full.dof, proj.dof);
}

#[test]
fn free_tied_fixed_and_bounded_linear_parameters() {
    let problem = TwoExp::new([0.5, 2.0, 1.7, 1.0, 0.3, 0.1], 1e-3);
    let start = [0.0, 1.0, 1.0, 1.0, 0.5, 0.0];
    let o = LmOptions::precise();
    let cases: Vec<(&str, Parameters)> = vec![
        (
            "free",
            params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>()),
        ),
        ("a3 fixed", {
            let mut p = params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>());
            p.replace(Parameter::new("a3", 0.1).fixed()).unwrap();
            p
        }),
        ("a2 tied to a1", {
            let mut p = params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>());
            p.replace(Parameter::new("a2", 0.0).tied_to("a1", 0.5, 0.0))
                .unwrap();
            p
        }),
        ("a2 tied to a1 with an offset", {
            let mut p = params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>());
            p.replace(Parameter::new("a2", 0.0).tied_to("a1", 0.5, 0.25))
                .unwrap();
            p
        }),
        ("inactive lower bounds", {
            let mut p = params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>());
            p.replace(Parameter::new("a1", 1.0).with_min(0.0)).unwrap();
            p.replace(Parameter::new("a2", 1.0).with_min(-5.0)).unwrap();
            p
        }),
        ("an upper bound (a1 searched)", {
            let mut p = params(&NAMES.iter().copied().zip(start).collect::<Vec<_>>());
            p.replace(Parameter::new("a1", 1.0).with_bounds(0.0, 10.0))
                .unwrap();
            p
        }),
    ];
    for (what, p) in &cases {
        // both fits from the rate constants' true values (from the poor
        // start above the full fit stops in a local minimum with > 100× the χ²)
        let mut near = p.clone();
        near.set_value("k1", 1.7).unwrap();
        near.set_value("k2", 0.3).unwrap();
        near.resolve_ties().unwrap();
        let mut full = fit(&problem, &near, &o).unwrap();
        for (r, q) in full.params.iter_mut().zip(p.iter()) {
            r.init = q.value();
        }
        let proj = fit_separable(&problem, &near, &o).unwrap();
        let mut proj_init = proj.clone();
        for (r, q) in proj_init.params.iter_mut().zip(p.iter()) {
            r.init = q.value();
        }
        assert_same(&full, &proj_init, what);
        // from the poor start, the projected search still finds it
        if *what == "free" {
            let far = fit_separable(&problem, p, &o).unwrap();
            assert_same(&full, &far, "free, from the poor start");
            assert!(fit(&problem, p, &o).unwrap().chi_square > 100.0 * full.chi_square);
        }
        // the linear start leaves the others alone and improves χ²
        let ls = linear_start(&problem, p).unwrap();
        let chi = |q: &Parameters| {
            let mut r = vec![0.0; problem.n_residuals()];
            problem.residuals(&q.values(), &mut r);
            r.iter().map(|v| v * v).sum::<f64>()
        };
        assert!(chi(&ls) < chi(p), "{what}");
        for n in ["k1", "k2"] {
            let (a, b) = (ls.get(n).unwrap().value(), p.get(n).unwrap().value());
            assert_eq!(a.to_bits(), b.to_bits(), "{what}: {n} {a} != {b}");
        }
    }
}

#[test]
fn an_active_lower_bound_is_held_exactly() {
    // a3 is truly −0.2 but must be ≥ 0: the solution sits on the bound
    let problem = TwoExp::new([0.5, 2.0, 1.7, 1.0, 0.3, -0.2], 1e-3);
    let mut p = params(
        &NAMES
            .iter()
            .copied()
            .zip([0.0, 1.0, 1.0, 1.0, 0.5, 0.5])
            .collect::<Vec<_>>(),
    );
    p.replace(Parameter::new("a3", 0.5).with_min(0.0)).unwrap();
    let o = LmOptions::precise();
    let mut near = p.clone();
    near.set_value("k1", 1.7).unwrap();
    near.set_value("k2", 0.3).unwrap();
    let full = fit(&problem, &near, &o).unwrap();
    let proj = fit_separable(&problem, &p, &o).unwrap();
    let a3 = proj.value("a3").unwrap();
    assert!((0.0..1e-6).contains(&a3), "{proj}");
    assert!(
        proj.warnings
            .iter()
            .any(|w| w.contains("'a3' is at its lower bound")),
        "{proj}"
    );
    // the bounded optimum: never worse than the full fit's
    assert!(
        proj.chi_square <= full.chi_square * (1.0 + 1e-8),
        "{} vs {}",
        proj.chi_square,
        full.chi_square
    );
    for n in ["k1", "k2", "a1", "a2"] {
        let (a, b) = (full.value(n).unwrap(), proj.value(n).unwrap());
        assert!((a - b).abs() < 1e-4 * a.abs(), "{n}: {a} vs {b}");
    }
}

#[test]
fn collinear_linear_columns_give_no_uncertainties_as_the_full_fit() {
    // k1 = k2 fixed equal: a1 and a2 multiply the same column
    let problem = TwoExp::new([0.5, 2.0, 1.0, 1.0, 1.0, 0.1], 1e-3);
    let mut p = params(
        &NAMES
            .iter()
            .copied()
            .zip([0.0, 1.0, 1.0, 1.0, 1.0, 0.0])
            .collect::<Vec<_>>(),
    );
    p.replace(Parameter::new("k2", 1.0).tied_to("k1", 1.0, 0.0))
        .unwrap();
    let o = LmOptions::default();
    let proj = fit_separable(&problem, &p, &o).unwrap();
    let full = fit(&problem, &p, &o).unwrap();
    let rel = (proj.chi_square - full.chi_square) / full.chi_square;
    assert!(rel.abs() < 1e-8, "{rel}");
    // a1 + a2 is determined, each alone is not: no standard errors, a warning
    assert!(proj.params.iter().all(|q| q.stderr.is_none()), "{proj}");
    assert!(!proj.warnings.is_empty());
    let sum = proj.value("a1").unwrap() + proj.value("a2").unwrap();
    assert!((sum - 3.0).abs() < 1e-2, "{sum}");
}

#[test]
fn nothing_to_project_is_the_full_fit() {
    let problem = TwoExp::new([0.5, 2.0, 1.7, 1.0, 0.3, 0.1], 1e-3);
    let mut p = params(
        &NAMES
            .iter()
            .copied()
            .zip([0.5, 2.0, 1.0, 1.0, 0.5, 0.1])
            .collect::<Vec<_>>(),
    );
    for n in ["a0", "a1", "a2", "a3"] {
        let v = p.get(n).unwrap().value();
        p.replace(Parameter::new(n, v).fixed()).unwrap();
    }
    let o = LmOptions::default();
    assert_eq!(
        fit(&problem, &p, &o).unwrap(),
        fit_separable(&problem, &p, &o).unwrap()
    );
}
