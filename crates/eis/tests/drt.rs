//! DRT against pyDRTtools 0.2 (`simple_run` with `cv_type="custom"`,
//! λ = 10⁻³, Gaussian RBF, FWHM coefficient 0.5, cvxopt tolerances tightened
//! to 1e-12) and against synthetic circuits with known time constants.
//! Reference numbers printed by `crates/eis/tools/gen_drt_refs.py` (numpy
//! 1.26.4, scipy, cvxopt); pyDRTtools places its Gaussians at τ = 1/f, hence
//! `TauGrid::Inverse` in the comparisons. The shared example file is skipped
//! with a message when ../shared is absent.

use std::f64::consts::PI;
use std::path::PathBuf;

use interphase_eis::drt::{
    Derivative, DrtOptions, DrtPart, DrtResult, DrtWeighting, Lambda, TauGrid, drt, lambda_scores,
};
use interphase_eis::{Circuit, Complex64, ImpedanceSpectrum};

mod common;
use common::{read_path, shared};

fn llto(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/llto")
        .join(name)
}

/// R0-p(R1,CPE1)-p(R2,CPE2), 71 points from 1 MHz to 1 Hz (as the script).
fn zarc() -> ImpedanceSpectrum {
    let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse().unwrap();
    let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
    ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 0.85, 50.0, 2e-4, 0.8], &f).unwrap()
}

/// Agreement is to 1e-4 of Σx and of the largest xₘ: cvxopt's interior-point
/// solution is slightly less converged than our active-set one (for the
/// "Re Data" case our objective is lower, 52.70330565 vs 52.70330586, and our
/// projected gradient 1e-7 against cvxopt's 0.02, checked in Python), and
/// the weakly determined end coefficients amplify the difference.
/// (R∞, L, Σx, [x at 0, n/4, n/2, 3n/4, n−1])
type Reference = (f64, f64, f64, [f64; 5]);

fn opts(part: DrtPart, inductance: bool, derivative: Derivative) -> DrtOptions {
    DrtOptions {
        part,
        inductance,
        derivative,
        lambda: Lambda::Fixed(1e-3),
        tau_grid: TauGrid::Inverse,
        ..DrtOptions::default()
    }
}

/// The four pyDRTtools runs of the script, in its order.
fn runs() -> [DrtOptions; 4] {
    [
        opts(DrtPart::Combined, true, Derivative::First),
        opts(DrtPart::Combined, false, Derivative::Second),
        opts(DrtPart::Real, false, Derivative::First),
        opts(DrtPart::Imag, true, Derivative::First),
    ]
}

/// pyDRTtools' `compute_GCV` at λ = 1e-6, 1e-4, 1e-2 (combined, L, 1st order).
fn check_gcv(data: &ImpedanceSpectrum, want: [f64; 3]) {
    let o = runs()[0].clone();
    let s = lambda_scores(data, &o, &[1e-6, 1e-4, 1e-2]).unwrap();
    for (got, want) in s.iter().zip(want) {
        assert!(
            (got.gcv - want).abs() <= 1e-4 * want,
            "GCV at {}: {} vs {want}",
            got.lambda,
            got.gcv
        );
    }
}

fn check(name: &str, d: &DrtResult, want: Reference, tol: f64) {
    let (r_inf, l, sum, xs) = want;
    let x = &d.coefficients;
    let n = x.len();
    let xmax = x.iter().fold(0.0f64, |m, v| m.max(*v));
    let sum_got: f64 = x.iter().sum();
    assert!(
        (sum_got - sum).abs() <= tol * sum,
        "{name}: Σx {sum_got} vs {sum}"
    );
    for (k, i) in [0, n / 4, n / 2, 3 * n / 4, n - 1].into_iter().enumerate() {
        assert!(
            (x[i] - xs[k]).abs() <= tol * xmax,
            "{name}: x[{i}] {} vs {}",
            x[i],
            xs[k]
        );
    }
    // pyDRTtools leaves R∞ = 0 in "Im Data" fits and L = 0 in "Re Data" fits;
    // we estimate them from the other part, so compare only the fitted ones
    if d.options.part != DrtPart::Imag {
        assert!(
            (d.r_inf - r_inf).abs() <= tol * r_inf.abs().max(sum / n as f64),
            "{name}: R∞ {} vs {r_inf}",
            d.r_inf
        );
    }
    if d.options.part != DrtPart::Real && d.options.inductance {
        assert!(
            (d.inductance - l).abs() <= tol * l.abs().max(1e-12),
            "{name}: L {} vs {l}",
            d.inductance
        );
    }
}

#[test]
fn matches_pydrttools_on_two_zarcs() {
    let want: [Reference; 4] = [
        (
            15.9621633392979,
            0.0,
            293.8269762565992,
            [
                113.80774802326356,
                1.0730757646560793,
                10.556491429067709,
                0.11473094598506324,
                0.02086475022340726,
            ],
        ),
        (
            18.841390416081712,
            0.0,
            287.9232390092004,
            [
                44.94687240605249,
                0.7229426309315812,
                9.991301596944638,
                0.1251742448761029,
                5.224983292164884e-05,
            ],
        ),
        (
            17.081403534427306,
            0.0,
            291.4580979039115,
            [
                94.86700872533477,
                0.06511817122702833,
                10.318125084514032,
                0.09749157650093947,
                0.0018767426882062652,
            ],
        ),
        (
            0.0,
            0.0,
            295.1461788105299,
            [
                109.7106345740682,
                1.8283341796550196e-08,
                10.311142257998373,
                0.09831238269087929,
                0.0006874215806143729,
            ],
        ),
    ];
    let data = zarc();
    for (o, w) in runs().iter().zip(want) {
        let d = drt(&data, o).unwrap();
        assert!((d.epsilon - 3.615738735088957).abs() < 1e-12);
        check(&format!("zarc {:?}", o.part), &d, w, 1e-4);
    }
    check_gcv(
        &data,
        [0.03344633646346832, 0.10848730585673988, 0.7293293809172962],
    );
}

#[test]
fn matches_pydrttools_on_the_llto_pellet() {
    let want: [Reference; 4] = [
        (
            173.77618560598006,
            3.250844750763121e-176,
            775252.32024695,
            [
                473.51118347606354,
                65.36737123613142,
                5.8908501175412386e-167,
                1.3955850124489277e-165,
                153747.5862449226,
            ],
        ),
        (
            180.05607705226936,
            0.0,
            612049.3629152348,
            [
                148.2651616313261,
                21.63384870483005,
                2.5989966768889587e-181,
                7.896373885320927e-183,
                44095.04667825138,
            ],
        ),
        (
            182.37861773083827,
            0.0,
            173337.39676132338,
            [
                334.5529199164044,
                72.9828317011509,
                34.79553544836111,
                1615.3836202808202,
                8015.717159807638,
            ],
        ),
        (
            0.0,
            1.3215442620673516e-181,
            626538.8675357497,
            [
                431.88526618450805,
                54.426275928742,
                1.4335956315965444e-171,
                3.4854799405525534e-173,
                71499.68443557793,
            ],
        ),
    ];
    let data = read_path(llto("eis_pellet.csv")).unwrap();
    for (o, w) in runs().iter().zip(want) {
        let d = drt(&data, o).unwrap();
        assert!((d.epsilon - 3.6157386862316323).abs() < 1e-12);
        check(&format!("pellet {:?}", o.part), &d, w, 1e-4);
    }
    // pyDRTtools' SLSQP stays at its start, λ = 1e-3, although the score is
    // 8× lower at 1e-6: our grid + golden-section search finds the minimum
    check_gcv(
        &data,
        [36873.80115847091, 306026.7034172075, 4557794.165624377],
    );
    let d = drt(
        &data,
        &DrtOptions {
            tau_grid: TauGrid::Inverse,
            ..DrtOptions::default()
        },
    )
    .unwrap();
    let s = lambda_scores(&data, &runs()[0], &[1e-3, d.lambda]).unwrap();
    assert!(s[1].gcv < s[0].gcv / 2.0, "{s:?}");
}

#[test]
fn matches_pydrttools_on_impedance_py_example() {
    let Some(path) = shared("impedance_py_exampleData.csv") else {
        return;
    };
    let want: [Reference; 4] = [
        (
            0.015157526930292708,
            1.645729007168782e-07,
            0.1910837074538843,
            [
                8.080540644395669e-12,
                0.0005134551908422625,
                0.0005724314830399,
                0.0029923916288375004,
                0.02245273003867026,
            ],
        ),
        (
            0.01590611259138852,
            0.0,
            0.1643284385883949,
            [
                9.996828773128103e-14,
                0.00010160687237403192,
                0.0005309745843671769,
                0.0025016391115472328,
                0.0063506760017641535,
            ],
        ),
        (
            0.01523478740333592,
            0.0,
            0.09487798472885035,
            [
                1.971287021315521e-11,
                0.0005559479531477605,
                0.0006507326524329824,
                0.0016372869141848682,
                0.001652790023976924,
            ],
        ),
        (
            0.0,
            1.675609213836424e-07,
            0.1627711260476497,
            [
                0.0009310234707666843,
                0.0005330387134791371,
                0.0003879766331841895,
                0.0022379791217569684,
                0.009603989593913037,
            ],
        ),
    ];
    let data = read_path(path).unwrap();
    for (o, w) in runs().iter().zip(want) {
        let d = drt(&data, o).unwrap();
        assert!(
            (d.epsilon - 3.6157404417472003).abs() < 1e-12,
            "{}",
            d.epsilon
        );
        check(&format!("example {:?}", o.part), &d, w, 1e-4);
    }
    check_gcv(
        &data,
        [
            8.013305514292435e-09,
            2.2323187395411177e-08,
            1.3790307769405843e-07,
        ],
    );
}

/// Deterministic Gaussian noise of relative size `rel` × |Z| (SplitMix64 + Box–Muller).
fn noisy(d: &ImpedanceSpectrum, rel: f64, seed: u64) -> ImpedanceSpectrum {
    let mut s = seed;
    let mut u = || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut g = || {
        let (a, b) = (u().max(1e-300), u());
        (-2.0 * a.ln()).sqrt() * (2.0 * PI * b).cos()
    };
    let z: Vec<Complex64> = d
        .z()
        .iter()
        .map(|z| {
            let m = z.norm() * rel;
            Complex64::new(z.re + m * g(), z.im + m * g())
        })
        .collect();
    ImpedanceSpectrum::new(d.freq().to_vec(), z).unwrap()
}

fn two_rc() -> ImpedanceSpectrum {
    // 100 Ω at τ = 10 µs, 50 Ω at τ = 10 ms
    let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse().unwrap();
    let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
    ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f).unwrap()
}

fn rel(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs()
}

#[test]
fn two_rc_elements_give_two_peaks_at_their_time_constants() {
    for noise in [0.0, 0.005] {
        let data = if noise > 0.0 {
            noisy(&two_rc(), noise, 3)
        } else {
            two_rc()
        };
        // noise-free data have no L-curve corner (log residual vs log
        // seminorm is nearly straight), so the L-curve is tried on noisy data
        let choices: &[Lambda] = if noise > 0.0 {
            &[Lambda::Gcv, Lambda::LCurve, Lambda::Fixed(1e-3)]
        } else {
            &[Lambda::Gcv, Lambda::Fixed(1e-3)]
        };
        for &lambda in choices {
            for part in [DrtPart::Combined, DrtPart::Real, DrtPart::Imag] {
                let o = DrtOptions {
                    lambda,
                    part,
                    ..DrtOptions::default()
                };
                let d = drt(&data, &o).unwrap();
                let what = format!("noise {noise}, {lambda:?}, {part:?}: {:?}", d.peaks);
                assert_eq!(d.peaks.len(), 2, "{what}");
                assert!(rel(d.peaks[0].tau, 1e-5) < 0.05, "{what}");
                assert!(rel(d.peaks[1].tau, 1e-2) < 0.05, "{what}");
                assert!(rel(d.peaks[0].resistance, 100.0) < 0.03, "{what}");
                assert!(rel(d.peaks[1].resistance, 50.0) < 0.03, "{what}");
                // C = τ/R of each RC element
                assert!(rel(d.peaks[0].capacitance, 1e-7) < 0.06, "{what}");
                assert!(rel(d.peaks[1].capacitance, 2e-4) < 0.06, "{what}");
                assert!(rel(d.polarization_resistance, 150.0) < 0.02, "{what}");
                assert!(
                    rel(d.r_inf + d.polarization_resistance, 160.0) < 0.01,
                    "{what}"
                );
                assert!((1e-7..=1.0).contains(&d.lambda), "{what}");
            }
        }
    }
}

#[test]
fn two_zarcs_give_peaks_at_their_characteristic_times() {
    // τ₀ = (RQ)^(1/α): 1.32 µs and 3.16 ms
    let data = noisy(&zarc(), 0.005, 11);
    let t1 = (100.0f64 * 1e-7).powf(1.0 / 0.85);
    let t2 = (50.0f64 * 2e-4).powf(1.0 / 0.8);
    let d = drt(&data, &DrtOptions::default()).unwrap();
    let main: Vec<_> = d.peaks.iter().filter(|p| p.resistance > 20.0).collect();
    assert_eq!(main.len(), 2, "{:?}", d.peaks);
    assert!(rel(main[0].tau, t1) < 0.15, "{:?}", main[0]);
    assert!(rel(main[1].tau, t2) < 0.15, "{:?}", main[1]);
    // a ZARC's distribution is broad: the main peaks hold most of each R, the
    // total is right
    assert!(main[0].resistance > 85.0 && main[1].resistance > 44.0);
    assert!(rel(d.r_inf + d.polarization_resistance, 160.0) < 0.01);
    assert!(d.max_abs_residual() < 0.03, "{}", d.max_abs_residual());
}

#[test]
fn gcv_regularises_more_when_the_data_are_noisier() {
    let quiet = drt(&noisy(&zarc(), 0.001, 5), &DrtOptions::default()).unwrap();
    let loud = drt(&noisy(&zarc(), 0.02, 5), &DrtOptions::default()).unwrap();
    assert!(
        loud.lambda > 3.0 * quiet.lambda,
        "{} {}",
        quiet.lambda,
        loud.lambda
    );
}

#[test]
fn order_and_scale_do_not_matter() {
    let data = noisy(&zarc(), 0.005, 2);
    let d = drt(&data, &DrtOptions::default()).unwrap();
    // reversed frequency order
    let rev = ImpedanceSpectrum::new(
        data.freq().iter().rev().copied().collect(),
        data.z().iter().rev().copied().collect(),
    )
    .unwrap();
    let r = drt(&rev, &DrtOptions::default()).unwrap();
    assert!(rel(r.lambda, d.lambda) < 1e-6);
    for (a, b) in r.coefficients.iter().zip(&d.coefficients) {
        assert!((a - b).abs() < 1e-6 * d.polarization_resistance);
    }
    assert!((r.residuals_re[0] - d.residuals_re[data.len() - 1]).abs() < 1e-7);
    // Ω → kΩ: λ unchanged (both terms scale as Ω²), γ scales
    let big = ImpedanceSpectrum::new(
        data.freq().to_vec(),
        data.z().iter().map(|z| z * 1000.0).collect(),
    )
    .unwrap();
    let b = drt(&big, &DrtOptions::default()).unwrap();
    assert!(rel(b.lambda, d.lambda) < 1e-4, "{} {}", b.lambda, d.lambda);
    assert!(
        rel(
            b.polarization_resistance,
            1000.0 * d.polarization_resistance
        ) < 1e-6
    );
    // Ẑ from the result at the data frequencies
    for (f, zf) in data.freq().iter().zip(&d.z_fit) {
        assert!((d.z_at(*f) - zf).norm() < 1e-9 * zf.norm());
    }
    assert!((d.gamma_at(d.peaks[0].tau) - d.peaks[0].gamma).abs() < 1e-9 * d.peaks[0].gamma);
}

#[test]
fn modulus_weighting_resolves_a_small_arc_beside_a_large_one() {
    // bulk 100 Ω at 1 µs beside an interface of 10 kΩ at 10 ms
    let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse().unwrap();
    let f: Vec<f64> = (0..81).map(|i| 10f64.powf(7.0 - 0.1 * i as f64)).collect();
    let truth = [20.0, 100.0, 1e-8, 1e4, 1e-6];
    let data = noisy(
        &ImpedanceSpectrum::simulate(&c, &truth, &f).unwrap(),
        0.005,
        9,
    );
    let o = DrtOptions {
        weighting: DrtWeighting::Modulus,
        ..DrtOptions::default()
    };
    let d = drt(&data, &o).unwrap();
    let main: Vec<_> = d.peaks.iter().filter(|p| p.resistance > 30.0).collect();
    assert_eq!(main.len(), 2, "{:?}", d.peaks);
    assert!(rel(main[0].tau, 1e-6) < 0.1, "{:?}", main[0]);
    assert!(rel(main[0].resistance, 100.0) < 0.1, "{:?}", main[0]);
    assert!(rel(main[1].tau, 1e-2) < 0.1, "{:?}", main[1]);
    assert!(rel(main[1].resistance, 1e4) < 0.03, "{:?}", main[1]);
    assert!(rel(d.r_inf, 20.0) < 0.2, "{}", d.r_inf);
}

#[test]
fn bad_data_are_errors() {
    let z = ImpedanceSpectrum::from_parts(
        (0..6).map(|i| 10f64.powi(i)).collect(),
        &[0.0; 6],
        &[0.0; 6],
    )
    .unwrap();
    let o = DrtOptions {
        weighting: DrtWeighting::Modulus,
        ..DrtOptions::default()
    };
    assert!(drt(&z, &o).unwrap_err().to_string().contains("|Z|"));
    assert!(
        lambda_scores(&two_rc(), &DrtOptions::default(), &[0.0])
            .unwrap_err()
            .to_string()
            .contains("λ")
    );
}

/// λ by generalised maximum likelihood grows with the noise, and the DRT it
/// gives keeps R_pol (150 Ω) within 3 % (5 % at 5 % noise); on the test spectrum of
/// tests/drt_bands.rs it smooths more than GCV (λ 0.026 against 0.0080),
/// as GML tends to.
#[test]
fn gml_lambda_follows_the_noise() {
    use interphase_eis::data::Noise;
    let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse().unwrap();
    let f: Vec<f64> = (0..61).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
    let o = DrtOptions {
        lambda: Lambda::Gml,
        ..DrtOptions::default()
    };
    let mut last = 0.0;
    for noise in [0.001, 0.01, 0.05] {
        let d = ImpedanceSpectrum::simulate_noisy(
            &c,
            &[10.0, 100.0, 1e-7, 50.0, 2e-4],
            &f,
            Noise::Proportional(noise),
            5,
        )
        .unwrap();
        let r = drt(&d, &o).unwrap();
        assert!(
            r.lambda > last,
            "noise {noise}: λ {} after {last}",
            r.lambda
        );
        assert!(
            (r.polarization_resistance / 150.0 - 1.0).abs() < 0.03f64.max(noise),
            "noise {noise}: R_pol {}",
            r.polarization_resistance
        );
        last = r.lambda;
    }
}
