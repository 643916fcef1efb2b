//! Line shapes against independent slow paths, lmfit / scipy values, and their
#![allow(clippy::excessive_precision)] // reference values keep the digits their source printed
//! own invariants (normalisation, symmetry, limits, derivatives).

use interphase_spectra::lineshape::{
    AsymmetricLorentzian, DoniachSunjic, ExpGaussian, GaussLorentzProduct, GaussLorentzSum,
    Gaussian, LineShape, Lorentzian, PearsonVii, PseudoVoigt, Shape, ShapeKind, SplitPseudoVoigt,
    ThompsonCoxHastings, Voigt, voigt_fwhm_olivero, voigt_profile,
};
use proptest::prelude::*;

#[path = "refs/dsg_grad.rs"]
mod dsg_grad;
#[path = "refs/dsg.rs"]
mod dsg_refs;
#[path = "refs/la.rs"]
mod la_refs;

const GL_X: [f64; 5] = [
    0.148_874_338_981_631_2,
    0.433_395_394_129_247_2,
    0.679_409_568_299_024_4,
    0.865_063_366_688_984_5,
    0.973_906_528_517_171_7,
];
const GL_W: [f64; 5] = [
    0.295_524_224_714_752_9,
    0.269_266_719_309_996_3,
    0.219_086_362_515_982_0,
    0.149_451_349_150_580_6,
    0.066_671_344_308_688_1,
];

/// ∫ f(x) dx over the whole line: x = c + s·tan θ, θ ∈ (−π/2, π/2), composite
/// 10-point Gauss–Legendre on `n` panels (an independent slow path; the tan map
/// turns ~1/x² tails into bounded integrands).
fn integrate_line(f: &dyn Fn(f64) -> f64, c: f64, s: f64, n: usize) -> f64 {
    let h = std::f64::consts::PI / n as f64;
    let mut sum = 0.0;
    for k in 0..n {
        let mid = -std::f64::consts::FRAC_PI_2 + (k as f64 + 0.5) * h;
        for (&xi, &wi) in GL_X.iter().zip(&GL_W) {
            for th in [mid - 0.5 * h * xi, mid + 0.5 * h * xi] {
                let ct = th.cos();
                sum += 0.5 * h * wi * f(c + s * th.tan()) * s / (ct * ct);
            }
        }
    }
    sum
}

/// One representative of every normalisable shape (α, β, m ≥ 1 so the tails are
/// integrable after the tan map).
fn representatives() -> Vec<Shape> {
    vec![
        Shape::Gaussian(Gaussian::new(1.0, 0.8, 2.5).unwrap()),
        Shape::Lorentzian(Lorentzian::new(1.0, 0.8, 2.5).unwrap()),
        Shape::Voigt(Voigt::new(1.0, 0.4, 0.3, 2.5).unwrap()),
        Shape::Voigt(Voigt::new(1.0, 0.4, 0.0, 2.5).unwrap()),
        Shape::Voigt(Voigt::new(1.0, 0.0, 0.3, 2.5).unwrap()),
        Shape::PseudoVoigt(PseudoVoigt::new(1.0, 0.8, 0.3, 2.5).unwrap()),
        Shape::Tch(ThompsonCoxHastings::new(1.0, 0.6, 0.4, 2.5).unwrap()),
        Shape::Gl(GaussLorentzProduct::new(1.0, 0.8, 30.0, 2.5).unwrap()),
        Shape::Gl(GaussLorentzProduct::new(1.0, 0.8, 0.0, 2.5).unwrap()),
        Shape::Gl(GaussLorentzProduct::new(1.0, 0.8, 100.0, 2.5).unwrap()),
        Shape::Sgl(GaussLorentzSum::new(1.0, 0.8, 45.0, 2.5).unwrap()),
        Shape::La(AsymmetricLorentzian::new(1.0, 0.8, 1.2, 2.5, 0.0, 2.5).unwrap()),
        Shape::La(AsymmetricLorentzian::new(1.0, 0.8, 1.1, 1.9, 0.3, 2.5).unwrap()),
        Shape::Doniach(DoniachSunjic::new(1.0, 0.4, 0.0, 2.5).unwrap()),
        Shape::Pearson7(PearsonVii::new(1.0, 0.8, 1.0, 2.5).unwrap()),
        Shape::Pearson7(PearsonVii::new(1.0, 0.8, 4.5, 2.5).unwrap()),
        Shape::SplitPseudoVoigt(SplitPseudoVoigt::new(1.0, 0.5, 1.1, 0.4, 2.5).unwrap()),
        Shape::Emg(ExpGaussian::new(1.0, 0.3, 0.7, 2.5).unwrap()),
    ]
}

#[test]
fn every_shape_integrates_to_its_area() {
    for s in representatives() {
        let f = |x: f64| s.value(x);
        let integral = integrate_line(&f, s.position_of_maximum(), s.fwhm(), 4000);
        let err = (integral - s.area()).abs() / s.area();
        assert!(
            err <= 1e-8,
            "{:?}: ∫ = {integral}, area {}, relative error {err:.2e}",
            s,
            s.area()
        );
    }
}

#[test]
fn doniach_sunjic_tail_diverges_but_alpha_zero_is_a_lorentzian() {
    let ds = DoniachSunjic::new(2.0, 0.35, 0.0, 7.0).unwrap();
    let lo = Lorentzian::new(2.0, 0.7, 7.0).unwrap();
    for x in [-3.0, 1.9, 2.0, 2.6, 40.0] {
        assert!((ds.value(x) - lo.value(x)).abs() <= 1e-14 * lo.value(x));
    }
    // α > 0: the tail (towards +x) ∝ |u|^(α−1); the other side falls as |u|^(α−2)
    let ds = DoniachSunjic::new(0.0, 0.35, 0.2, 1.0).unwrap();
    let r = ds.value(1e4) / ds.value(1e3);
    assert!(
        (r - 10f64.powf(0.2 - 1.0)).abs() < 1e-3 * r,
        "tail ratio {r}"
    );
    let r = ds.value(-1e4) / ds.value(-1e3);
    assert!(
        (r - 10f64.powf(0.2 - 2.0)).abs() < 1e-3 * r,
        "short-side ratio {r}"
    );
}

#[test]
fn voigt_equals_numerical_convolution() {
    // slow path: ∫ G(x − s; σ)·L(s; γ) ds with the tan map on the Lorentzian
    for &(sigma, gamma) in &[(0.5, 0.3), (1.0, 0.01), (0.05, 1.0), (0.7, 0.7)] {
        for &x in &[0.0, 0.3, 1.7, -4.0, 12.0] {
            let f = |s: f64| {
                let g = (-(x - s) * (x - s) / (2.0 * sigma * sigma)).exp()
                    / (sigma * (2.0 * std::f64::consts::PI).sqrt());
                g * gamma / (std::f64::consts::PI * (s * s + gamma * gamma))
            };
            // panels fine enough for both widths; integrate around x and around 0 separately
            let conv = integrate_line(&f, 0.0, gamma, 20000);
            let v = voigt_profile(x, sigma, gamma);
            assert!(
                (v - conv).abs() <= 1e-9 * v,
                "σ={sigma} γ={gamma} x={x}: {v} vs {conv}"
            );
        }
    }
}

#[test]
fn values_match_scipy_and_lmfit() {
    let xs = [-1.3, 0.2, 0.9, 4.0];
    // reference: scipy 1.17.1, scipy.special.voigt_profile(x - 0.4, 0.7, 0.25)
    let voigt = [
        0.06421751907661019,
        0.42465971177311473,
        0.36172851617033996,
        0.0069764737794278065,
    ];
    // reference: lmfit 1.3.4 lineshapes.pvoigt(x, 3.0, 0.4, 0.6, 0.35) (sigma = HWHM → FWHM 1.2)
    let pvoigt = [
        0.06755265390524232,
        1.9147650534474616,
        1.2720956096336982,
        0.015055197341718358,
    ];
    // reference: lmfit 1.3.4 lineshapes.pearson7(x, 3.0, 0.4, 0.8, 1.7) (sigma = a, expon = m)
    let pearson7 = [
        0.11487195963039866,
        1.888712599269368,
        1.1952755000900213,
        0.011598848738503201,
    ];
    // reference: lmfit 1.3.4 lineshapes.expgaussian(x, 3.0, 0.4, 0.5, 1.6) (gamma = 1/τ)
    let emg = [
        0.0013391814207937055,
        1.0474916609443015,
        1.7204941811681658,
        0.02082951969792848,
    ];
    // reference: lmfit 1.3.4 lineshapes.doniach(x, 3.0, 0.4, 0.6, 0.15), compared at the
    // mirrored point 2c − x (lmfit's tail is towards lower x, ours towards higher x),
    // with sigma = γ, gamma = α, amplitude = A·γ^(−α)·Γ(1 − α)/π; Γ(0.85) from mpmath 1.3.0
    let doniach = [
        1.2519151244063176,
        4.425214119127564,
        2.5084331720129716,
        0.13966053881585308,
    ];
    // reference: lmfit 1.3.4 lineshapes.gaussian(x, 3.0, 0.4, 0.6), lorentzian(x, 3.0, 0.4, 0.6)
    let gauss = [
        0.036030498823046084,
        1.886916138464966,
        1.409559377051513,
        3.0379414249116324e-08,
    ];
    let lor = [
        0.1762947061940994,
        1.432394487827058,
        0.939275073984956,
        0.04301484948429604,
    ];

    let v = Voigt::new(0.4, 0.7, 0.25, 1.0).unwrap();
    let pv = PseudoVoigt::new(0.4, 1.2, 0.35, 3.0).unwrap();
    let m = 1.7f64;
    let p7 = PearsonVii::new(0.4, 2.0 * 0.8 * ((2f64).powf(1.0 / m) - 1.0).sqrt(), m, 3.0).unwrap();
    let eg = ExpGaussian::new(0.4, 0.5, 1.0 / 1.6, 3.0).unwrap();
    let gamma_085 = 1.112_483_736_948_465_246_2;
    let ds = DoniachSunjic::new(
        0.4,
        0.6,
        0.15,
        3.0 * std::f64::consts::PI * 0.6f64.powf(0.15) / gamma_085,
    )
    .unwrap();
    let g = Gaussian::new(0.4, 0.6 * 2.354_820_045_030_949_3, 3.0).unwrap();
    let l = Lorentzian::new(0.4, 1.2, 3.0).unwrap();
    let cases: [(&str, &dyn LineShape, &[f64; 4], f64); 7] = [
        ("voigt", &v, &voigt, 1e-14),
        ("pvoigt", &pv, &pvoigt, 1e-14),
        ("pearson7", &p7, &pearson7, 1e-13),
        ("emg", &eg, &emg, 1e-13),
        ("doniach", &ds, &doniach, 1e-13),
        ("gaussian", &g, &gauss, 1e-13),
        ("lorentzian", &l, &lor, 1e-14),
    ];
    for (name, s, refs, tol) in cases {
        for (&x, &r) in xs.iter().zip(refs.iter()) {
            let x = if name == "doniach" { 2.0 * 0.4 - x } else { x };
            let e = (s.value(x) - r).abs() / r;
            assert!(e <= tol, "{name} at {x}: {} vs {r} ({e:.2e})", s.value(x));
        }
    }
}

#[test]
fn voigt_limits_are_exact() {
    let l = Lorentzian::new(0.0, 0.6, 1.0).unwrap();
    let g = Gaussian::new(0.0, 0.5 * 2.354_820_045_030_949_3, 1.0).unwrap();
    let v0 = Voigt::new(0.0, 0.0, 0.3, 1.0).unwrap();
    let vg = Voigt::new(0.0, 0.5, 0.0, 1.0).unwrap();
    let vtiny = Voigt::new(0.0, 1e-9, 0.3, 1.0).unwrap();
    for x in [0.0, 0.2, 1.0, 3.0, 10.0] {
        assert!((v0.value(x) - l.value(x)).abs() <= 1e-15 * l.value(x));
        assert!((vtiny.value(x) - l.value(x)).abs() <= 1e-12 * l.value(x));
        // exp(−t²/2) amplifies the rounding of t = x/σ by t²: allow 1e-15·(10 + 2t²)
        let t2 = (x / 0.5) * (x / 0.5);
        let e = (vg.value(x) - g.value(x)).abs() / g.value(x);
        assert!(e <= 1e-15 * (10.0 + 2.0 * t2), "x={x}: {e:.2e}");
    }
}

#[test]
fn fwhm_is_where_the_shape_falls_to_half_height() {
    for s in representatives() {
        let x0 = s.position_of_maximum();
        let h = s.height();
        assert!((s.value(x0) - h).abs() <= 1e-14 * h);
        let w = s.fwhm();
        // find the crossings independently: the shape is at h/2 at two points whose distance is w
        let f = |d: f64| s.value(d) - 0.5 * h;
        let right = bisect(&f, x0, x0 + 10.0 * w);
        let left = bisect(&f, x0 - 10.0 * w, x0);
        assert!(
            ((right - left) - w).abs() <= 1e-9 * w,
            "{:?}: fwhm {w} vs {}",
            s,
            right - left
        );
    }
}

fn bisect(f: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let fa = f(a);
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        if (f(m) > 0.0) == (fa > 0.0) {
            a = m
        } else {
            b = m
        }
    }
    0.5 * (a + b)
}

#[test]
fn voigt_fwhm_exact_against_olivero_longbothum() {
    for &(s, g) in &[(1.0, 0.0), (0.0, 1.0), (0.5, 0.3), (0.2, 2.0), (3.0, 0.1)] {
        let v = Voigt::new(0.0, s, g, 1.0).unwrap();
        let ol = voigt_fwhm_olivero(s, g);
        assert!(
            (v.fwhm() - ol).abs() <= 3e-4 * ol,
            "σ={s} γ={g}: {} vs {ol}",
            v.fwhm()
        );
    }
}

#[test]
fn symmetric_shapes_are_symmetric() {
    for s in representatives() {
        if matches!(
            s.kind(),
            ShapeKind::La | ShapeKind::SplitPseudoVoigt | ShapeKind::Emg
        ) {
            continue;
        }
        for d in [0.1, 0.77, 3.0] {
            let (a, b) = (s.value(s.center() + d), s.value(s.center() - d));
            assert!((a - b).abs() <= 1e-13 * a, "{:?}", s);
        }
    }
}

#[test]
fn bad_parameters_are_errors_not_nan_profiles() {
    assert!(Voigt::new(0.0, -0.1, 0.2, 1.0).is_err());
    assert!(Voigt::new(0.0, 0.0, 0.0, 1.0).is_err());
    assert!(Voigt::new(f64::NAN, 0.1, 0.2, 1.0).is_err());
    assert!(Gaussian::new(0.0, 0.0, 1.0).is_err());
    assert!(Lorentzian::new(0.0, f64::INFINITY, 1.0).is_err());
    assert!(PseudoVoigt::new(0.0, 1.0, 1.2, 1.0).is_err());
    assert!(GaussLorentzProduct::new(0.0, 1.0, 101.0, 1.0).is_err());
    assert!(GaussLorentzSum::new(0.0, 1.0, -1.0, 1.0).is_err());
    assert!(PearsonVii::new(0.0, 1.0, 0.5, 1.0).is_err());
    assert!(DoniachSunjic::new(0.0, 1.0, 1.0, 1.0).is_err());
    assert!(AsymmetricLorentzian::new(0.0, 1.0, 0.4, 1.0, 0.0, 1.0).is_err());
    assert!(ExpGaussian::new(0.0, 1.0, 0.0, 1.0).is_err());
    assert!(ThompsonCoxHastings::new(0.0, 0.0, 0.0, 1.0).is_err());
    assert!(SplitPseudoVoigt::new(0.0, 1.0, -1.0, 0.5, 1.0).is_err());
    let e = Voigt::new(0.0, -0.1, 0.2, 1.0).unwrap_err().to_string();
    assert!(e.contains("voigt") && e.contains("sigma"), "{e}");
    // wrong parameter count and unknown names through the generic constructor
    assert!(Shape::from_parameters(ShapeKind::Voigt, &[1.0, 2.0]).is_err());
    assert!(
        serde_json::from_str::<Shape>(
            r#"{"shape":"voigt","parameters":{"center":1,"sigma":1,"gamma":1,"area":1,"x":2}}"#
        )
        .is_err()
    );
    assert!(
        serde_json::from_str::<Shape>(
            r#"{"shape":"voigt","parameters":{"center":1,"sigma":-1,"gamma":1,"area":1}}"#
        )
        .is_err()
    );
    // buffers
    let v = Voigt::new(0.0, 1.0, 1.0, 1.0).unwrap();
    assert!(v.eval_into(&[0.0, 1.0], &mut [0.0]).is_err());
    assert!(
        v.eval_with_jacobian(&[0.0, 1.0], &mut [0.0; 2], &mut [0.0; 7])
            .is_err()
    );
}

#[test]
fn serde_round_trips_every_kind_and_names_parse() {
    for s in representatives() {
        let j = serde_json::to_string(&s).unwrap();
        let back: Shape = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        assert_eq!(ShapeKind::from_name(s.kind().name()), Some(s.kind()));
    }
    assert_eq!(
        ShapeKind::from_name("Pseudo_Voigt"),
        Some(ShapeKind::PseudoVoigt)
    );
    assert_eq!(ShapeKind::from_name("voight"), None);
}

#[test]
fn height_area_conversion_round_trips() {
    for s in representatives() {
        let a = s.area_for_height(s.height());
        assert!((a - s.area()).abs() <= 1e-12 * s.area());
    }
}

#[test]
fn jacobian_block_matches_pointwise_gradient() {
    let s = Voigt::new(0.3, 0.5, 0.2, 4.0).unwrap();
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 0.4 * i as f64).collect();
    let mut out = vec![0.0; 7];
    let mut jac = vec![0.0; 7 * 4];
    s.eval_with_jacobian(&x, &mut out, &mut jac).unwrap();
    for (i, &xi) in x.iter().enumerate() {
        let mut g = [0.0; 4];
        let v = s.value_and_gradient(xi, &mut g);
        assert_eq!(v.to_bits(), out[i].to_bits());
        for j in 0..4 {
            assert_eq!(g[j].to_bits(), jac[j * 7 + i].to_bits());
        }
    }
}

/// Parameters of `kind` drawn from unit-interval samples `u` into ranges where
/// central differences are well conditioned (mixing fractions away from their ends).
fn params_for(kind: ShapeKind, u: &[f64]) -> Vec<f64> {
    let lerp = |i: usize, a: f64, b: f64| a + (b - a) * u[i];
    let c = lerp(0, -5.0, 5.0);
    let area = lerp(5, 0.5, 1e4);
    match kind {
        ShapeKind::Gaussian | ShapeKind::Lorentzian => vec![c, lerp(1, 0.2, 3.0), area],
        ShapeKind::Voigt => vec![c, lerp(1, 0.05, 2.0), lerp(2, 0.0, 2.0), area],
        ShapeKind::PseudoVoigt => vec![c, lerp(1, 0.2, 3.0), lerp(2, 0.05, 0.95), area],
        ShapeKind::Tch => vec![c, lerp(1, 0.1, 2.0), lerp(2, 0.1, 2.0), area],
        ShapeKind::Gl | ShapeKind::Sgl => vec![c, lerp(1, 0.2, 3.0), lerp(2, 5.0, 95.0), area],
        ShapeKind::La => vec![
            c,
            lerp(1, 0.3, 2.0),
            lerp(2, 0.7, 3.0),
            lerp(3, 0.7, 3.0),
            lerp(4, 0.1, 1.0),
            area,
        ],
        ShapeKind::Doniach => vec![c, lerp(1, 0.1, 1.5), lerp(2, 0.0, 0.45), area],
        ShapeKind::DoniachGauss => vec![
            c,
            lerp(1, 0.1, 1.5),
            lerp(2, 0.0, 0.45),
            lerp(3, 0.1, 1.0),
            area,
        ],
        ShapeKind::Pearson7 => vec![c, lerp(1, 0.2, 3.0), lerp(2, 0.7, 12.0), area],
        ShapeKind::SplitPseudoVoigt => vec![
            c,
            lerp(1, 0.2, 3.0),
            lerp(2, 0.2, 3.0),
            lerp(3, 0.05, 0.95),
            area,
        ],
        ShapeKind::Emg => vec![c, lerp(1, 0.1, 2.0), lerp(2, 0.1, 3.0), area],
        _ => unreachable!("kind added without a test range"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn analytic_gradients_match_central_differences(
        k in 0usize..ShapeKind::ALL.len(),
        u in proptest::collection::vec(0.0f64..1.0, 6),
        t in -4.0f64..4.0,
    ) {
        let kind = ShapeKind::ALL[k];
        let p = params_for(kind, &u);
        let s = Shape::from_parameters(kind, &p).unwrap();
        let x = s.center() + t * s.fwhm().max(0.1);
        let mut g = [0.0; 6];
        let v = s.value_and_gradient(x, &mut g);
        prop_assert!((v - s.value(x)).abs() <= 1e-12 * v.abs().max(1e-300));
        for j in 0..p.len() {
            let h = 1e-6 * p[j].abs().max(0.1);
            let (mut pp, mut pm) = (p.clone(), p.clone());
            pp[j] += h;
            pm[j] -= h;
            let (Ok(sp), Ok(sm)) = (Shape::from_parameters(kind, &pp), Shape::from_parameters(kind, &pm)) else {
                continue; // at a domain edge
            };
            let fd = (sp.value(x) - sm.value(x)) / (2.0 * h);
            let scale = fd.abs() + v.abs() / p[j].abs().max(0.1) * 1e-3 + 1e-300;
            prop_assert!((g[j] - fd).abs() <= 1e-5 * scale,
                "{kind} ∂/∂{}: analytic {} vs fd {} at x = {x}, p = {p:?}", kind.parameter_names()[j], g[j], fd);
        }
    }

    #[test]
    fn voigt_tends_to_gaussian_as_gamma_vanishes(sigma in 0.1f64..3.0, x in -5.0f64..5.0) {
        let g = Gaussian::new(0.0, sigma * 2.354_820_045_030_949_3, 1.0).unwrap();
        let v = Voigt::new(0.0, sigma, 1e-10 * sigma, 1.0).unwrap();
        let gv = g.value(x * sigma);
        prop_assert!((v.value(x * sigma) - gv).abs() <= 1e-8 * gv.max(1e-300) + 1e-9 / sigma);
    }
}

#[test]
fn batched_voigt_matches_pointwise_in_every_region() {
    // z = (x − c)/(σ√2) + iγ/(σ√2) crosses the series, continued-fraction and
    // large-|x| branches; y from 1e-12 (near the real axis) to 10 (CF everywhere)
    for &(sigma, gamma) in &[
        (0.5, 0.3),
        (0.5, 1e-12),
        (0.05, 0.005),
        (0.2, 3.0),
        (1.0, 0.0),
    ] {
        let v = Voigt::new(0.7, sigma, gamma, 3.0).unwrap();
        let x: Vec<f64> = (0..4003)
            .map(|i| 0.7 - 30.0 + 60.0 * i as f64 / 4002.0)
            .collect();
        let mut out = vec![0.0; x.len()];
        let mut out2 = vec![0.0; x.len()];
        let mut jac = vec![0.0; 4 * x.len()];
        v.eval_into(&x, &mut out).unwrap();
        v.eval_with_jacobian(&x, &mut out2, &mut jac).unwrap();
        let m = x.len();
        for (i, &xi) in x.iter().enumerate() {
            let mut g = [0.0; 4];
            let r = v.value_and_gradient(xi, &mut g);
            if r < 1e-290 {
                continue;
            }
            assert!(
                (out[i] - r).abs() <= 1e-13 * r,
                "σ={sigma} γ={gamma} x={xi}: {} vs {r}",
                out[i]
            );
            assert!((out2[i] - r).abs() <= 1e-13 * r);
            let gscale = g.iter().fold(0.0f64, |a, b| a.max(b.abs()));
            // the derivatives cancel to O(1/|z|²) in the Lorentzian tail: their rounding
            // noise grows as ε·|z|² (documented on `Voigt`), and so does the tolerance
            let z2 = ((xi - 0.7) * (xi - 0.7) + gamma * gamma) / (2.0 * sigma * sigma);
            for j in 0..4 {
                let tol = 1e-13 * gscale * (10.0 + z2);
                assert!(
                    (jac[j * m + i] - g[j]).abs() <= tol,
                    "σ={sigma} γ={gamma} x={xi} ∂{j}"
                );
            }
        }
    }
}

#[test]
fn batched_voigt_is_bitwise_pointwise_in_the_weideman_band() {
    // γ/(σ√2) ≥ 0.1: every point takes Weideman's approximation. The batch runs
    // sixteen lanes in vector registers (AVX2 where the CPU has it, chosen at run
    // time), the point-wise call one lane in scalar code; neither fuses a
    // multiply-add, so the two must agree to the last bit, values and gradients.
    for &(sigma, gamma) in &[(0.5, 0.3), (0.8, 0.12), (0.05, 2.0), (1.0, 1e3)] {
        let v = Voigt::new(-0.3, sigma, gamma, 2.5).unwrap();
        let x: Vec<f64> = (0..1037).map(|i| -40.0 + 0.0771 * i as f64).collect();
        let (mut out, mut out2, mut jac) = (vec![0.0; 1037], vec![0.0; 1037], vec![0.0; 4 * 1037]);
        v.eval_into(&x, &mut out).unwrap();
        v.eval_with_jacobian(&x, &mut out2, &mut jac).unwrap();
        for (i, &xi) in x.iter().enumerate() {
            let mut g = [0.0; 4];
            let r = v.value_and_gradient(xi, &mut g);
            assert_eq!(
                out[i].to_bits(),
                v.value(xi).to_bits(),
                "σ={sigma} γ={gamma} x={xi}"
            );
            assert_eq!(out2[i].to_bits(), r.to_bits(), "σ={sigma} γ={gamma} x={xi}");
            for (j, gj) in g.iter().enumerate() {
                assert_eq!(jac[j * 1037 + i].to_bits(), gj.to_bits(), "∂{j} at x={xi}");
            }
        }
    }
}

#[test]
fn doniach_gauss_matches_mpmath_parabolic_cylinder_form() {
    // reference: crates/spectra/tools/gen_dsg_refs.py (mpmath 1.4.1, 50 digits):
    // A·k₁·Re[e^(−iπα/2)·σ^(α−1)·e^(z²/4)·D_(α−1)(z)], z = (γ + iu)/σ, u = c − x,
    // checked there against a direct quadrature of the convolution; 408 points,
    // 0.001 ≤ α ≤ 0.99, 0.02 ≤ γ/σ ≤ 10, |u| ≤ 50σ. γ ≥ 0.3σ takes the grid
    // convolution (gridconv), below the Gauss–Jacobi superposition of Voigt
    // profiles: ≤ 1e-10 for γ ≥ 0.15σ, ≤ 3e-9 below.
    let mut worst = [(0.0f64, 0.0, 0.0, 0.0); 3];
    for &(u, g, a, s, r) in dsg_refs::DSG_REFS {
        let d = DoniachSunjic::with_gaussian(1.5, g, a, s, 2.0).unwrap();
        let v = d.value(1.5 - u);
        let e = (v / (2.0 * r) - 1.0).abs();
        let k = if g >= 0.3 * s {
            0
        } else {
            1 + usize::from(g < 0.15 * s)
        };
        if e > worst[k].0 {
            worst[k] = (e, u, g, a);
        }
    }
    println!(
        "worst relative error (e, u, γ, α): grid {:?}; γ ≥ 0.15σ {:?}; γ < 0.15σ {:?}",
        worst[0], worst[1], worst[2]
    );
    assert!(worst[0].0 <= 1e-12, "{:?}", worst[0]);
    assert!(worst[1].0 <= 1e-10, "{:?}", worst[1]);
    assert!(worst[2].0 <= 3e-9, "{:?}", worst[2]);
}

#[test]
fn la_gauss_matches_mpmath() {
    // reference: crates/spectra/tools/gen_la_refs.py (mpmath 1.4.1, 50 digits):
    // the half-line Gaussian convolutions of q^(−a) as a Gamma-mixture of
    // closed forms, checked there against a direct quadrature split at the kink;
    // 310 points, 0.55 ≤ α, β ≤ 4, 0.05 ≤ Γ/σ ≤ 20, |u| ≤ 50σ.
    // Every point in one batch call (the grid path) and alone.
    let mut worst = (0.0f64, 0.0, 0.0);
    for &(u, f, a, b, s, r) in la_refs::LA_REFS {
        let la = AsymmetricLorentzian::new(2.0, f, a, b, s, 3.0).unwrap();
        let x = [2.0 + u, 2.0 - 7.0, 2.0 + 11.0];
        let mut out = [0.0; 3];
        la.eval_into(&x, &mut out).unwrap();
        for v in [out[0], la.value(2.0 + u)] {
            let e = (v / (3.0 * r) - 1.0).abs();
            if e > worst.0 {
                worst = (e, u, f);
            }
        }
    }
    println!("worst relative error (e, u, F): {worst:?}");
    assert!(worst.0 <= 1e-9, "{worst:?}");
}

#[test]
fn la_gauss_sigma_derivative_is_smooth_in_the_tail() {
    // The gradient proptest's failing case with the first grid version: its
    // Gaussian weights came from a two-factor recurrence whose rounding grew as
    // m² (1e-11 at 700 terms), which central differences in σ amplified to 4.5e-5.
    // reference: gen_la_refs.py's la at σ ± 1e-8, 30 digits, central difference
    let (x, s) = (-15.105901326402124, 0.9636257384312248);
    let la = AsymmetricLorentzian::new(-5.0, 0.3, 0.7, 0.7, s, 0.5).unwrap();
    let mut g = [0.0; 6];
    la.value_and_gradient(x, &mut g);
    let r = 4.98388424403299667e-5;
    assert!((g[4] / r - 1.0).abs() <= 1e-9, "{} vs {r}", g[4]);
    let h = 1e-6 * s;
    let at = |s: f64| {
        AsymmetricLorentzian::new(-5.0, 0.3, 0.7, 0.7, s, 0.5)
            .unwrap()
            .value(x)
    };
    let fd = (at(s + h) - at(s - h)) / (2.0 * h);
    assert!((fd / r - 1.0).abs() <= 1e-6, "{fd} vs {r}");
}

#[test]
fn la_gauss_with_a_very_narrow_lorentzian_takes_the_quadrature() {
    // Γ = 0.01σ would need 10⁴ grid terms a point: the adaptive quadrature runs.
    // reference: gen_la_refs.py's la(u, 0.008, 1.3, 2.2, 0.4, 30)
    let la = AsymmetricLorentzian::new(0.0, 0.008, 1.3, 2.2, 0.4, 1.0).unwrap();
    let refs = [
        (-1.0, 0.044689149761971787916),
        (-0.2, 0.88248895229706018444),
        (0.0, 0.99686661324925753628),
        (0.1, 0.96475418973672937402),
        (0.5, 0.45317155919153096511),
        (3.0, 3.8363623564615814023e-11),
    ];
    let x: Vec<f64> = refs.iter().map(|r| r.0).collect();
    let mut out = [0.0; 6];
    la.eval_into(&x, &mut out).unwrap();
    for (&(u, r), &v) in refs.iter().zip(&out) {
        assert!((v / r - 1.0).abs() <= 1e-8, "u = {u}: {v} vs {r}");
        assert_eq!(v.to_bits(), la.value(u).to_bits());
    }
}

#[test]
fn la_gauss_batch_is_pointwise_and_gradient_matches_differences() {
    let la = AsymmetricLorentzian::new(454.0, 0.5, 1.1, 1.9, 0.3, 1000.0).unwrap();
    let x: Vec<f64> = (0..401).map(|i| 449.0 + 0.025 * i as f64).collect();
    let m = x.len();
    let (mut out, mut out2, mut jac) = (vec![0.0; m], vec![0.0; m], vec![0.0; 6 * m]);
    la.eval_into(&x, &mut out).unwrap();
    la.eval_with_jacobian(&x, &mut out2, &mut jac).unwrap();
    let p = la.parameters();
    for (i, &xi) in x.iter().enumerate() {
        let mut g = [0.0; 6];
        let v = la.value_and_gradient(xi, &mut g);
        assert_eq!(out[i].to_bits(), v.to_bits(), "x = {xi}");
        assert_eq!(out2[i].to_bits(), v.to_bits(), "x = {xi}");
        for (j, gj) in g.iter().enumerate() {
            assert_eq!(jac[j * m + i].to_bits(), gj.to_bits(), "∂{j} at x = {xi}");
            // five-point differences, step 1e-3 of the parameter's natural scale
            // (the analytic gradient is that of the grid rule at fixed h, which
            // moves with F and σ; its error, ~1e-10, stays far below the tolerance)
            let hstep = 1e-3 * [0.3, 0.5, 1.0, 1.0, 0.3, 1000.0][j];
            let at = |d: f64| {
                let mut q = p.clone();
                q[j] += d;
                AsymmetricLorentzian::new(q[0], q[1], q[2], q[3], q[4], q[5])
                    .unwrap()
                    .value(xi)
            };
            let fd = (8.0 * (at(hstep) - at(-hstep)) - at(2.0 * hstep) + at(-2.0 * hstep))
                / (12.0 * hstep);
            let scale = 1e-6 * (gj.abs() + 1e-3 * la.height());
            assert!((fd - gj).abs() <= scale, "∂{j} at x = {xi}: {gj} vs {fd}");
        }
    }
}

#[test]
fn doniach_gauss_batch_is_bitwise_pointwise_and_the_slow_path_agrees() {
    // γ = 0.71σ: the grid convolution; γ = 0.29σ: the Gauss–Jacobi path
    for gamma in [0.25, 0.1] {
        let d = DoniachSunjic::with_gaussian(458.9, gamma, 0.12, 0.35, 4000.0).unwrap();
        let x: Vec<f64> = (0..517).map(|i| 450.0 + 0.0387 * i as f64).collect();
        let (mut out, mut out2, mut jac) = (vec![0.0; 517], vec![0.0; 517], vec![0.0; 5 * 517]);
        d.eval_into(&x, &mut out).unwrap();
        d.eval_with_jacobian(&x, &mut out2, &mut jac).unwrap();
        for (i, &xi) in x.iter().enumerate() {
            let mut g = [0.0; 5];
            let v = d.value_and_gradient(xi, &mut g);
            assert_eq!(out[i].to_bits(), d.value(xi).to_bits(), "x = {xi}");
            assert_eq!(out2[i].to_bits(), v.to_bits(), "x = {xi}");
            for (j, gj) in g.iter().enumerate() {
                assert_eq!(jac[j * 517 + i].to_bits(), gj.to_bits(), "∂{j} at x = {xi}");
            }
        }
    }
    // just either side of the switch γ = 0.02σ = 0.007: below it the numerical
    // convolution, above it the fast path; both against mpmath.
    // reference: gen_dsg_refs.py's dsg(u, γ, 0.1, 0.35, 30) at u = −x
    for (g, refs) in [
        (
            0.0069,
            [
                0.00044819321261862699,
                0.21892587368830439,
                1.762367378775936,
                1.6323382106553491,
                0.19399241041937316,
                0.034681835740629121,
            ],
        ),
        (
            0.0071,
            [
                0.0004598682964864458,
                0.21852894844524038,
                1.7566017780999256,
                1.6270782531177725,
                0.1935526230537737,
                0.034586080915309138,
            ],
        ),
    ] {
        let d = DoniachSunjic::with_gaussian(0.0, g, 0.1, 0.35, 1.0).unwrap();
        for (x, r) in [-3.0, -0.7, 0.0, 0.2, 1.1, 6.0].into_iter().zip(refs) {
            assert!((d.value(x) / r - 1.0).abs() <= 1e-9, "γ = {g}, x = {x}");
        }
    }
}

#[test]
fn faddeeva4_matches_faddeeva() {
    use interphase_spectra::lineshape::{faddeeva, faddeeva4};
    use num_complex::Complex64;
    for &(xs, ys) in &[
        ([6.5, 7.0, 30.0, 100.0], [0.5, 0.2, 1.0, 3.0]),
        ([-6.5, 9.0, 0.5, 100.0], [0.5, 0.0, 8.0, 3.0]),
        ([1.0, 2.0, 3.0, 4.0], [0.1, 0.1, 0.1, 0.1]),
        ([5000.0, 1e8, -7.5, 20.0], [1.0, 1.0, 0.3, 1e-11]),
    ] {
        let w4 = faddeeva4(xs, ys);
        for k in 0..4 {
            let w = faddeeva(Complex64::new(xs[k], ys[k]));
            assert!(
                (w4[k] - w).norm() <= 1e-14 * w.norm(),
                "z = {}+{}i",
                xs[k],
                ys[k]
            );
        }
    }
}

/// The point where the proptest above once failed (CI, 2026-12-06): far in
/// the tail of a Doniach–Gauss profile (|u| = 185σ, γ/σ = 10.4) the fast
/// path's σ-gradient lost 0.45 % to cancellation. γ/σ = 10.4 now takes the
/// grid convolution (exact ∂σ in its samples); the Gauss–Jacobi path's far
/// tails are checked against mpmath (`DSG_GRAD_FAR`, test
/// `doniach_gauss_gradient_matches_mpmath_on_the_gauss_jacobi_path`).
#[test]
fn doniach_gauss_sigma_gradient_far_in_the_tail() {
    let p = [
        -5.0,
        1.040_006_217_073_479_4,
        0.406_371_616_584_120_8,
        0.1,
        0.5,
    ];
    let x = -23.482_090_072_181_947;
    let s = Shape::from_parameters(ShapeKind::DoniachGauss, &p).unwrap();
    let mut g = [0.0; 5];
    s.value_and_gradient(x, &mut g);
    let h = 1e-6;
    let (mut pp, mut pm) = (p, p);
    pp[3] += h;
    pm[3] -= h;
    let fd = (Shape::from_parameters(ShapeKind::DoniachGauss, &pp)
        .unwrap()
        .value(x)
        - Shape::from_parameters(ShapeKind::DoniachGauss, &pm)
            .unwrap()
            .value(x))
        / (2.0 * h);
    assert!(
        (g[3] / fd - 1.0).abs() < 1e-5,
        "analytic {} vs fd {fd}",
        g[3]
    );
    // the Jacobian path gives the same
    let (mut out, mut jac) = ([0.0; 1], [0.0; 5]);
    s.eval_with_jacobian(&[x], &mut out, &mut jac).unwrap();
    assert!(
        (jac[3] / fd - 1.0).abs() < 1e-5,
        "jacobian {} vs fd {fd}",
        jac[3]
    );
}

/// The Gauss–Jacobi path (0.02σ ≤ γ < 0.3σ) differentiates its quadrature in
/// α analytically, the rule's nodes and weights moving with α: against
/// central differences of the value, across γ/σ (both sides of Weideman's
/// band at 0.085σ and 0.14σ), α and |u| up to 40σ; and the batch Jacobian equals the
/// pointwise gradient bit for bit.
#[test]
fn doniach_gauss_alpha_gradient_on_the_gauss_jacobi_path() {
    let sigma = 0.4;
    // ∂/∂(c, γ, α, σ): the last is further from central differences, which
    // also see the quadrature error move with σ (its substitution scale
    // s = |γ + iu| + σ); the exact derivative is checked against mpmath in
    // the next test
    const TOL: [f64; 4] = [2e-6, 2e-6, 4e-6, 2e-5];
    let mut worst: f64 = 0.0;
    for ratio in [0.021, 0.05, 0.1, 0.139, 0.141, 0.2, 0.29] {
        for alpha in [0.003, 0.05, 0.2, 0.45, 0.8, 0.97] {
            let p = [1.5, ratio * sigma, alpha, sigma, 700.0];
            let s = Shape::from_parameters(ShapeKind::DoniachGauss, &p).unwrap();
            let xs: Vec<f64> = [-16.0, -3.0, -1.0, -0.3, 0.0, 0.2, 0.7, 2.0, 9.0]
                .iter()
                .map(|t| 1.5 + t * sigma)
                .collect();
            let (mut out, mut jac) = (vec![0.0; xs.len()], vec![0.0; 5 * xs.len()]);
            s.eval_with_jacobian(&xs, &mut out, &mut jac).unwrap();
            for (i, &x) in xs.iter().enumerate() {
                let mut g = [0.0; 5];
                let v = s.value_and_gradient(x, &mut g);
                assert_eq!(v.to_bits(), out[i].to_bits());
                assert_eq!(g[2].to_bits(), jac[2 * xs.len() + i].to_bits());
                for j in 0..4 {
                    let h = if j == 2 {
                        1e-5 * alpha.min(1.0 - alpha)
                    } else {
                        1e-6 * p[j].abs().max(0.1)
                    };
                    let (mut pp, mut pm) = (p, p);
                    pp[j] += h;
                    pm[j] -= h;
                    let f = |q: &[f64; 5]| {
                        Shape::from_parameters(ShapeKind::DoniachGauss, q)
                            .unwrap()
                            .value(x)
                    };
                    let fd = (f(&pp) - f(&pm)) / (2.0 * h);
                    // relative to the value's scale (the gradients pass through 0)
                    let err = (g[j] - fd).abs() / (fd.abs() + 1e-2 * v.abs() / p[j].abs().max(0.1));
                    worst = worst.max(err);
                    if std::env::var("DSG_ERR").is_ok() {
                        eprintln!("ERR j={j} γ={ratio} α={alpha} x={x} err={err:.2e}");
                    }
                    assert!(
                        err < TOL[j],
                        "γ = {ratio}σ, α = {alpha}, x = {x}, ∂{j}: analytic {} vs fd {fd}",
                        g[j]
                    );
                }
            }
        }
    }
    assert!(worst > 0.0);
}

/// The Gauss–Jacobi path's value and gradient against mpmath at high α,
/// where its nodes reach far towards t = 1 (|ζ| ~ 10⁴) and w′ = −2ζw + 2i/√π
/// used to cancel: ∂/∂σ was 11 % off at α = 0.97, u = 16σ before w′ took the
/// asymptotic series there.
#[test]
fn doniach_gauss_gradient_matches_mpmath_on_the_gauss_jacobi_path() {
    for (r, tol) in dsg_grad::DSG_GRAD
        .iter()
        .map(|r| (r, 1e-6))
        .chain(dsg_grad::DSG_GRAD_FAR.iter().map(|r| (r, 1e-6)))
    {
        let [u, gamma, alpha, sigma, value] = [r[0], r[1], r[2], r[3], r[4]];
        let s = Shape::from_parameters(ShapeKind::DoniachGauss, &[0.0, gamma, alpha, sigma, 1.0])
            .unwrap();
        let mut g = [0.0; 5];
        let v = s.value_and_gradient(-u, &mut g);
        assert!((v / value - 1.0).abs() < 1e-8, "value at {r:?}: {v}");
        let (mut out, mut jac) = ([0.0; 1], [0.0; 5]);
        s.eval_with_jacobian(&[-u], &mut out, &mut jac).unwrap();
        for j in 0..4 {
            let want = r[5 + j];
            assert_eq!(g[j].to_bits(), jac[j].to_bits());
            if std::env::var("DSG_ERR").is_ok() {
                eprintln!(
                    "MP j={j} rel={:.2e} u/σ={} γ/σ={} α={alpha}",
                    g[j] / want - 1.0,
                    u / sigma,
                    gamma / sigma
                );
            }
            assert!(
                (g[j] - want).abs() <= tol * want.abs() + 1e-10 * value,
                "∂{j} at {r:?}: {} vs {want} (relative {:.1e})",
                g[j],
                g[j] / want - 1.0
            );
        }
    }
}

/// A Voigt with σ ≪ γ has |z| ~ 10⁴ everywhere: there w′ = −2zw + 2i/√π
/// and w + zw′ cancel (the σ-derivative lost every digit); they now come
/// from the asymptotic series. Reference: the heat-equation expansion
/// V = L + σ²/2·L″ + σ⁴/8·L⁗ + …, so ∂V/∂σ = σL″ + σ³/2·L⁗ (L the
/// Lorentzian; the next term is ~1e-16 of the first here).
#[test]
fn voigt_sigma_gradient_when_sigma_is_far_below_gamma() {
    let (gamma, sigma) = (1.0, 1e-4);
    let v = Voigt::new(0.0, sigma, gamma, 1.0).unwrap();
    let x: Vec<f64> = vec![-3.0, -0.5, 0.0, 0.2, 0.5, 2.0, 40.0];
    let (mut out, mut jac) = (vec![0.0; x.len()], vec![0.0; 4 * x.len()]);
    v.eval_with_jacobian(&x, &mut out, &mut jac).unwrap();
    for (i, &xi) in x.iter().enumerate() {
        let d = xi * xi + gamma * gamma;
        let l2 = gamma / std::f64::consts::PI * (6.0 * xi * xi - 2.0 * gamma * gamma) / d.powi(3);
        let l4 = gamma / std::f64::consts::PI
            * 24.0
            * (5.0 * xi.powi(4) - 10.0 * xi * xi * gamma * gamma + gamma.powi(4))
            / d.powi(5);
        let want = sigma * l2 + sigma.powi(3) / 2.0 * l4;
        let mut g = [0.0; 4];
        v.value_and_gradient(xi, &mut g);
        assert_eq!(g[1].to_bits(), jac[x.len() + i].to_bits());
        assert!(
            (g[1] - want).abs() <= 1e-6 * want.abs(),
            "x = {xi}: ∂σ {} vs {want}",
            g[1]
        );
        // ∂c and ∂γ: the Lorentzian's, to O(σ²)
        let dc = 2.0 * gamma * xi / (std::f64::consts::PI * d * d);
        assert!((g[0] - dc).abs() <= 1e-6 * dc.abs() + 1e-12, "x = {xi}: ∂c");
    }
}

/// w′(z) where −2zw + 2i/√π cancels (|z| > 30, upper half plane): the
/// asymptotic series. Reference: mpmath at 60 digits,
/// w = exp(−z²)·erfc(−iz), w′ = −2zw + 2i/√π.
#[test]
fn faddeeva_derivative_far_from_the_origin() {
    use interphase_spectra::lineshape::{faddeeva, faddeeva_derivative};
    use num_complex::Complex64;
    for (x, y, re, im) in [
        (300.0, 40.0, -1.613834833087475e-06, -5.9441907684030184e-06),
        (0.0, 5000.0, 0.0, 2.2567581987855387e-08),
        (
            1000.0,
            0.001,
            -1.1283825522434515e-12,
            -5.641904298325548e-07,
        ),
        (25.0, 25.0, -0.0004513505836051235, 5.416189671706874e-07),
    ] {
        let z = Complex64::new(x, y);
        let d = faddeeva_derivative(z, faddeeva(z));
        let want = Complex64::new(re, im);
        assert!(
            (d - want).norm() <= 1e-13 * want.norm(),
            "z = {z}: {d} vs {want}"
        );
    }
}
