//! Baselines against pybaselines and their own invariants.

use interphase_spectra::baseline::{
    TougaardOptions, WhittakerOptions, airpls, arpls, asls, imodpoly, linear, modpoly, polynomial,
    power_law, shirley, snip, tougaard,
};

#[path = "refs/pybaselines.rs"]
mod refs;

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs() / scale)
        .fold(0.0, f64::max)
}

/// The iteration count pybaselines reported for `method`.
fn iterations(method: &str) -> usize {
    refs::ITERATIONS
        .iter()
        .find(|(m, _)| *m == method)
        .map(|&(_, n)| n)
        .unwrap_or_else(|| panic!("no reference count for {method}"))
}

fn x() -> Vec<f64> {
    (0..refs::Y.len()).map(|i| i as f64).collect()
}

#[test]
fn whittaker_baselines_match_pybaselines() {
    // reference: crates/spectra/tools/gen_baseline_refs.py, pybaselines 1.2.1
    let y = &refs::Y;
    let a = asls(
        y,
        &WhittakerOptions {
            lam: 1e5,
            p: 0.01,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        max_rel(&a.baseline, &refs::ASLS) < 1e-9,
        "asls {:e}",
        max_rel(&a.baseline, &refs::ASLS)
    );
    let b = arpls(
        y,
        &WhittakerOptions {
            lam: 1e5,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        max_rel(&b.baseline, &refs::ARPLS) < 1e-9,
        "arpls {:e}",
        max_rel(&b.baseline, &refs::ARPLS)
    );
    let c = airpls(
        y,
        &WhittakerOptions {
            lam: 1e5,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        max_rel(&c.baseline, &refs::AIRPLS) < 1e-9,
        "airpls {:e}",
        max_rel(&c.baseline, &refs::AIRPLS)
    );
    println!(
        "max |Δ|/max|ref|: asls {:.1e} ({} it), arpls {:.1e} ({} it), airpls {:.1e} ({} it)",
        max_rel(&a.baseline, &refs::ASLS),
        a.iterations,
        max_rel(&b.baseline, &refs::ARPLS),
        b.iterations,
        max_rel(&c.baseline, &refs::AIRPLS),
        c.iterations
    );
    // the same number of iterations as pybaselines (its tol_history length)
    assert_eq!(a.iterations, iterations("asls"));
    assert_eq!(b.iterations, iterations("arpls"));
    assert_eq!(c.iterations, iterations("airpls"));
}

#[test]
fn snip_matches_pybaselines_with_edge_padding() {
    let s = snip(&refs::Y, 20, false, false).unwrap();
    assert!(
        max_rel(&s.baseline, &refs::SNIP) < 1e-14,
        "{:e}",
        max_rel(&s.baseline, &refs::SNIP)
    );
    let s = snip(&refs::Y, 20, true, false).unwrap();
    assert!(max_rel(&s.baseline, &refs::SNIP_DECREASING) < 1e-14);
    // LLS: the transform is inverted exactly where nothing was clipped
    let flat = vec![5.0; 50];
    let l = snip(&flat, 5, false, true).unwrap();
    assert!(l.baseline.iter().all(|v| (v - 5.0).abs() < 1e-9));
    assert!(snip(&[-1.0, 2.0, 3.0], 1, false, true).is_err());
}

#[test]
fn polynomial_baselines_match_pybaselines() {
    let xs = x();
    let m = modpoly(&xs, &refs::Y, 3, 1e-3, 250).unwrap();
    assert!(
        max_rel(&m.baseline, &refs::MODPOLY) < 1e-9,
        "modpoly {:e}",
        max_rel(&m.baseline, &refs::MODPOLY)
    );
    let i = imodpoly(&xs, &refs::Y, 3, 1e-3, 250, 1.0).unwrap();
    assert!(
        max_rel(&i.baseline, &refs::IMODPOLY) < 1e-9,
        "imodpoly {:e}",
        max_rel(&i.baseline, &refs::IMODPOLY)
    );
    println!(
        "max |Δ|/max|ref|: modpoly {:.1e} ({} it), imodpoly {:.1e} ({} it)",
        max_rel(&m.baseline, &refs::MODPOLY),
        m.iterations,
        max_rel(&i.baseline, &refs::IMODPOLY),
        i.iterations
    );
    assert_eq!(m.iterations, iterations("modpoly"));
    assert_eq!(i.iterations, iterations("imodpoly"));
    // an exact polynomial is reproduced
    let y: Vec<f64> = xs.iter().map(|&t| 1.0 + 0.5 * t - 1e-3 * t * t).collect();
    let p = polynomial(&xs, &y, 2).unwrap();
    assert!(max_rel(&p.baseline, &y) < 1e-12);
}

#[test]
fn polynomial_family_reproduces_exact_polynomials_at_edge_sizes() {
    // the fewest points an order allows (order + 2), odd and even counts, the
    // column counts the kernels specialise (k ≤ 6) and the fallback, and a
    // decreasing x axis: data that are a polynomial of the order come back
    // unchanged from all three methods (nothing to clip, σ = 0)
    for order in [0usize, 1, 2, 5, 6, 9, 20] {
        for n in [order + 2, order + 3, 2 * order + 5, 101] {
            for decreasing in [false, true] {
                let x: Vec<f64> = (0..n)
                    .map(|i| {
                        let t = i as f64 / (n - 1) as f64;
                        let t = if decreasing { 1.0 - t } else { t };
                        3.0 + 2.0 * t
                    })
                    .collect();
                // Σ tʲ/(j+1) on t mapped to [−1, 1]: exactly representable by
                // the fit's basis, no larger than a few units
                let y: Vec<f64> = x
                    .iter()
                    .map(|&v| {
                        let t = v - 4.0;
                        (0..=order).map(|j| t.powi(j as i32) / (j + 1) as f64).sum()
                    })
                    .collect();
                let what = format!("order {order}, n {n}, decreasing {decreasing}");
                let p = polynomial(&x, &y, order).unwrap();
                assert!(max_rel(&p.baseline, &y) < 1e-9, "polynomial {what}");
                let m = modpoly(&x, &y, order, 1e-3, 250).unwrap();
                assert!(max_rel(&m.baseline, &y) < 1e-9, "modpoly {what}");
                assert!(m.converged && m.iterations == 1, "modpoly {what}");
                // IModPoly masks the points above fit + σ, and σ is rounding
                // noise here, so which points go is chance: on the small
                // sizes that can leave too few (an error that says so), and
                // at high orders a gappy mask leaves the fit ill-conditioned
                // (checked up to order 9)
                if order > 9 {
                    continue;
                }
                match imodpoly(&x, &y, order, 1e-3, 250, 1.0) {
                    Ok(i) => {
                        assert!(max_rel(&i.baseline, &y) < 1e-9, "imodpoly {what}");
                        assert!(i.converged, "imodpoly {what}");
                    }
                    Err(e) => {
                        assert!(n < 101, "imodpoly {what}: {e}");
                        assert!(e.to_string().contains("masked too many"), "{e}");
                    }
                }
            }
        }
    }
}

#[test]
fn shirley_properties() {
    // a Gaussian peak on a step: the Shirley background meets both ends, is monotone
    // and its step is proportional to the cumulative peak area
    let x: Vec<f64> = (0..400).map(|i| 450.0 + 0.05 * i as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&e| {
            let peak = 1000.0 * (-0.5 * ((e - 460.0) / 0.6f64).powi(2)).exp();
            let cum = 0.5 * (1.0 + libm_erf((e - 460.0) / (0.6 * 2f64.sqrt())));
            100.0 + 80.0 * cum + peak
        })
        .collect();
    let b = shirley(&x, &y, 5, 1e-8, 100).unwrap();
    assert!(b.converged);
    assert!((b.baseline[0] - y[..5].iter().sum::<f64>() / 5.0).abs() < 1e-9);
    assert!((b.baseline[399] - y[395..].iter().sum::<f64>() / 5.0).abs() < 1e-9);
    assert!(b.baseline.windows(2).all(|w| w[1] >= w[0] - 1e-9));
    // the synthetic step is a Shirley step: recovered to 1 % of its height
    for (i, &e) in x.iter().enumerate().step_by(20) {
        let truth = 100.0 + 80.0 * 0.5 * (1.0 + libm_erf((e - 460.0) / (0.6 * 2f64.sqrt())));
        assert!(
            (b.baseline[i] - truth).abs() < 1.0,
            "{e}: {} vs {truth}",
            b.baseline[i]
        );
    }
}

/// erf by its Abramowitz–Stegun 7.1.26 approximation (|error| < 1.5e-7): the
/// test only needs a smooth step.
fn libm_erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    y.copysign(x)
}

#[test]
fn tougaard_and_linear_and_power_law() {
    let x: Vec<f64> = (0..300).map(|i| 700.0 + 0.1 * i as f64).collect(); // binding energy
    let y: Vec<f64> = x
        .iter()
        .map(|&e| {
            50.0 + 500.0 * (-0.5 * ((e - 710.0) / 1.0f64).powi(2)).exp()
                + if e > 710.0 { 30.0 } else { 0.0 }
        })
        .collect();
    let t = tougaard(&x, &y, &TougaardOptions::default()).unwrap();
    // starts at the no-loss end, reaches the loss-end average, and rises monotonically
    assert!((t.baseline[0] - y[..5].iter().sum::<f64>() / 5.0).abs() < 1e-9);
    assert!((t.baseline[299] - y[295..].iter().sum::<f64>() / 5.0).abs() < 1e-9);
    assert!(t.baseline.windows(2).all(|w| w[1] >= w[0] - 1e-9));
    // the same data on a reversed (decreasing) axis give the same background
    let xr: Vec<f64> = x.iter().rev().copied().collect();
    let yr: Vec<f64> = y.iter().rev().copied().collect();
    let tr = tougaard(&xr, &yr, &TougaardOptions::default()).unwrap();
    for i in 0..300 {
        assert!((tr.baseline[299 - i] - t.baseline[i]).abs() < 1e-9);
    }
    let l = linear(&x, &y, 1).unwrap();
    assert!((l.baseline[0] - y[0]).abs() < 1e-12 && (l.baseline[299] - y[299]).abs() < 1e-12);
    // power law: exact on exact data
    let e: Vec<f64> = (0..200).map(|i| 400.0 + i as f64).collect();
    let s: Vec<f64> = e.iter().map(|&v| 3e9 * v.powf(-2.7)).collect();
    let (pl, a, r) = power_law(&e, &s, 400.0, 450.0).unwrap();
    assert!((r - 2.7).abs() < 1e-12 && (a / 3e9 - 1.0).abs() < 1e-10);
    assert!(max_rel(&pl.baseline, &s) < 1e-12);
}

#[test]
fn bad_input_is_an_error() {
    let o = WhittakerOptions::default();
    assert!(asls(&[1.0, f64::NAN, 2.0, 3.0], &o).is_err());
    assert!(arpls(&[1.0, 2.0], &o).is_err());
    assert!(asls(&[1.0, 2.0, 3.0, 4.0], &WhittakerOptions { lam: -1.0, ..o }).is_err());
    assert!(asls(&[1.0, 2.0, 3.0, 4.0], &WhittakerOptions { p: 1.5, ..o }).is_err());
    assert!(snip(&[1.0, 2.0, 3.0], 0, false, false).is_err());
    assert!(modpoly(&[0.0, 1.0, 2.0], &[1.0, 2.0], 1, 1e-3, 10).is_err());
    assert!(shirley(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0], 5, 1e-6, 10).is_err());
    assert!(power_law(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 10.0, 20.0).is_err());
    // unsorted and duplicated axes
    assert!(shirley(&[0.0, 2.0, 1.0, 3.0], &[1.0, 2.0, 3.0, 4.0], 1, 1e-6, 10).is_err());
    let e = linear(&[0.0, 1.0, 1.0, 3.0], &[1.0, 2.0, 3.0, 4.0], 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("index 2"), "{e}");
    assert!(shirley(&[3.0, 2.0, 1.0, 0.0], &[1.0, 2.0, 3.0, 4.0], 1, 1e-6, 10).is_ok());
    let bad_b = TougaardOptions {
        b: -1.0,
        fit_b: false,
        average_points: 1,
        ..Default::default()
    };
    assert!(tougaard(&[0.0, 1.0, 2.0], &[1.0, 2.0, 3.0], &bad_b).is_err());
}
