//! XRD helpers against synthetic diffractograms with known truth (a cubic
//! LLTO-like perovskite, a ≈ 3.87 Å) and hand-checked numbers.

mod common;

use common::noise;
use interphase_spectra::Spectrum;
use interphase_spectra::lineshape::ShapeKind;
use interphase_spectra::model::{Estimate, PeakWeighting};
use interphase_spectra::xrd::{
    self, Broadening, CU_KA1, CU_KA2, Cell, Centering, CrystalSystem, ObservedReflection,
    SizeOptions, XrdPeakOptions,
};

/// Area-normalised pseudo-Voigt, written out independently of the library.
fn pv(x: f64, c: f64, w: f64, eta: f64, area: f64) -> f64 {
    let ln2 = 2f64.ln();
    let g = (4.0 * ln2 / std::f64::consts::PI).sqrt() / w
        * (-4.0 * ln2 * (x - c).powi(2) / (w * w)).exp();
    let l = 2.0 / (std::f64::consts::PI * w) / (1.0 + 4.0 * (x - c).powi(2) / (w * w));
    area * (eta * l + (1.0 - eta) * g)
}

const A_LLTO: f64 = 3.87;

/// (2θ(Kα1), FWHM, area) of the LLTO reflections in 20–80°.
fn llto_peaks() -> Vec<(f64, f64, f64)> {
    let cell = Cell::cubic(A_LLTO).unwrap();
    let refl = xrd::reflections(&cell, Centering::P, CU_KA1, 80.0).unwrap();
    refl.iter()
        .filter(|r| r.two_theta > 20.0)
        .enumerate()
        .map(|(i, r)| {
            // widths growing with angle, areas varying
            let w = 0.08 + 0.001 * r.two_theta;
            let area = 40.0 + 25.0 * ((i * 7) % 5) as f64;
            (r.two_theta, w, area)
        })
        .collect()
}

fn pattern(with_ka2: bool, zero: f64, noise_level: f64) -> (Spectrum, Vec<f64>) {
    let x: Vec<f64> = (0..6001).map(|i| 20.0 + 0.01 * i as f64).collect();
    let peaks = llto_peaks();
    let mut y = vec![0.0; x.len()];
    let mut ka1_only = vec![0.0; x.len()];
    for (k, &xi) in x.iter().enumerate() {
        let bg = 30.0 - 0.1 * xi;
        let mut a1 = bg;
        let mut a2 = 0.0;
        for &(c, w, a) in &peaks {
            a1 += pv(xi, c + zero, w, 0.4, a);
            if with_ka2 {
                let c2 = xrd::convert_two_theta(c, CU_KA1, CU_KA2).unwrap();
                a2 += pv(xi, c2 + zero, w, 0.4, 0.5 * a);
            }
        }
        ka1_only[k] = a1;
        y[k] = a1 + a2;
    }
    if noise_level > 0.0 {
        for (v, e) in y.iter_mut().zip(noise(x.len(), 7)) {
            *v += noise_level * v.max(1.0).sqrt() * e;
        }
    }
    (Spectrum::new(x, y).unwrap(), ka1_only)
}

#[test]
fn rachinger_stripping_recovers_the_ka1_pattern() {
    let (s, ka1) = pattern(true, 0.0, 0.0);
    let stripped = xrd::strip_ka2(&s, CU_KA1, CU_KA2, 0.5).unwrap();
    let top = ka1.iter().cloned().fold(0.0, f64::max);
    // the synthetic Kα2 holds only the peaks (the background is Kα1-only),
    // so strip the peak part and compare with the Kα1 peaks
    let bg: Vec<f64> = s.x().iter().map(|x| 30.0 - 0.1 * x).collect();
    let data_peaks: Vec<f64> = s.y().iter().zip(&bg).map(|(y, b)| y - b).collect();
    let sp = Spectrum::new(s.x().to_vec(), data_peaks).unwrap();
    let st = xrd::strip_ka2(&sp, CU_KA1, CU_KA2, 0.5).unwrap();
    let mut worst = 0.0f64;
    for ((a, b), bgv) in st.y().iter().zip(&ka1).zip(&bg) {
        worst = worst.max((a - (b - bgv)).abs());
    }
    assert!(worst < 0.01 * top, "max deviation {worst} vs top {top}");
    // the unstripped data deviate far more
    let mut before = 0.0f64;
    for ((a, b), bgv) in sp.y().iter().zip(&ka1).zip(&bg) {
        before = before.max((a - (b - bgv)).abs());
    }
    assert!(before > 20.0 * worst, "{before} vs {worst}");
    assert_eq!(stripped.len(), s.len());
}

#[test]
fn stripping_keeps_a_flat_background_scaled() {
    // a flat pattern I = B is B/(1+R) of Kα1 plus B·R/(1+R) of Kα2
    let x: Vec<f64> = (0..500).map(|i| 20.0 + 0.02 * i as f64).collect();
    let s = Spectrum::new(x, vec![90.0; 500]).unwrap();
    let st = xrd::strip_ka2(&s, CU_KA1, CU_KA2, 0.5).unwrap();
    for v in st.y() {
        assert!((v - 60.0).abs() < 1e-9, "{v}");
    }
}

#[test]
fn stripping_rejects_bad_input() {
    let x: Vec<f64> = (0..50).map(|i| 70.0 - 0.1 * i as f64).collect();
    let s = Spectrum::new(x, vec![1.0; 50]).unwrap();
    assert!(
        xrd::strip_ka2(&s, CU_KA1, CU_KA2, 0.5)
            .unwrap_err()
            .to_string()
            .contains("increasing")
    );
    let x: Vec<f64> = (0..50).map(|i| 20.0 + 0.1 * i as f64).collect();
    let s = Spectrum::new(x, vec![1.0; 50]).unwrap();
    assert!(xrd::strip_ka2(&s, CU_KA2, CU_KA1, 0.5).is_err());
    assert!(xrd::strip_ka2(&s, CU_KA1, CU_KA2, 1.5).is_err());
    assert!(xrd::strip_ka2(&s, CU_KA1, CU_KA2, f64::NAN).is_err());
}

fn fitted_peaks(zero: f64) -> Vec<xrd::XrdPeak> {
    let (s, _) = pattern(false, zero, 1.0);
    let o = XrdPeakOptions {
        weighting: PeakWeighting::Poisson,
        ..Default::default()
    };
    xrd::fit_peaks(&s, &o).unwrap()
}

#[test]
fn peak_fits_index_and_refine_the_cell() {
    let truth = llto_peaks();
    let peaks = fitted_peaks(0.0);
    assert_eq!(peaks.len(), truth.len(), "{peaks:?}");
    for (p, &(c, w, a)) in peaks.iter().zip(&truth) {
        let e = p.two_theta.stderr.unwrap();
        assert!(
            (p.two_theta.value - c).abs() < 4.0 * e + 1e-4,
            "{} vs {c} ± {e} {p:?}",
            p.two_theta.value
        );
        assert!(
            (p.fwhm.value - w).abs() < 4.0 * p.fwhm.stderr.unwrap(),
            "{} vs {w}",
            p.fwhm.value
        );
        assert!(
            (p.area.value - a).abs() < 4.0 * p.area.stderr.unwrap(),
            "{} vs {a}",
            p.area.value
        );
        assert!(p.d.stderr.unwrap() > 0.0);
    }
    let cell = Cell::cubic(A_LLTO).unwrap();
    let refl = xrd::reflections(&cell, Centering::P, CU_KA1, 80.0).unwrap();
    let obs: Vec<f64> = peaks.iter().map(|p| p.two_theta.value).collect();
    let observed = xrd::matched_reflections(&obs, &refl, 0.05).unwrap();
    assert_eq!(observed.len(), obs.len());
    assert_eq!(observed[1].hkl, [1, 1, 0]);
    let fit = xrd::refine_lattice(&observed, CrystalSystem::Cubic, CU_KA1, false).unwrap();
    let ea = fit.a.stderr.unwrap();
    assert!(
        (fit.a.value - A_LLTO).abs() < 4.0 * ea + 1e-5,
        "{} ± {ea}",
        fit.a.value
    );
    assert!(ea < 1e-3);
    assert!((fit.volume.value - A_LLTO.powi(3)).abs() < 4.0 * fit.volume.stderr.unwrap() + 1e-3);
}

#[test]
fn zero_shift_is_refined() {
    let peaks = fitted_peaks(0.04);
    let cell = Cell::cubic(A_LLTO).unwrap();
    let refl = xrd::reflections(&cell, Centering::P, CU_KA1, 80.0).unwrap();
    let obs: Vec<f64> = peaks.iter().map(|p| p.two_theta.value).collect();
    let observed = xrd::matched_reflections(&obs, &refl, 0.1).unwrap();
    let fixed = xrd::refine_lattice(&observed, CrystalSystem::Cubic, CU_KA1, false).unwrap();
    let free = xrd::refine_lattice(&observed, CrystalSystem::Cubic, CU_KA1, true).unwrap();
    let z = free.zero_shift.unwrap();
    assert!(
        (z.value - 0.04).abs() < 4.0 * z.stderr.unwrap() + 1e-4,
        "{z:?}"
    );
    assert!((free.a.value - A_LLTO).abs() < 4.0 * free.a.stderr.unwrap() + 1e-5);
    // ignoring the shift biases a and leaves larger residuals
    assert!((fixed.a.value - A_LLTO).abs() > 10.0 * (free.a.value - A_LLTO).abs());
    assert!(fixed.rms > 5.0 * free.rms);
}

/// Exact angles of a cell's reflections, optionally with noise (degrees).
fn observe(cell: &Cell, hkls: &[[i32; 3]], sigma: f64, seed: u64) -> Vec<ObservedReflection> {
    let e = noise(hkls.len(), seed);
    hkls.iter()
        .zip(e)
        .map(|(&hkl, e)| ObservedReflection {
            hkl,
            two_theta: xrd::two_theta(cell.d_spacing(hkl).unwrap(), CU_KA1).unwrap() + sigma * e,
        })
        .collect()
}

#[test]
fn every_crystal_system_refines() {
    let hkls = [
        [1, 0, 0],
        [0, 0, 1],
        [1, 1, 0],
        [1, 0, 1],
        [0, 1, 1],
        [1, 1, 1],
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 2],
        [2, 1, 0],
        [1, 2, 1],
        [2, 1, 1],
        [2, 0, 2],
        [1, 1, 2],
        [2, 2, 0],
        [3, 1, 0],
    ];
    let cells = [
        Cell::new(CrystalSystem::Tetragonal, 3.87, 0.0, 7.74).unwrap(),
        Cell::new(CrystalSystem::Hexagonal, 5.45, 0.0, 13.1).unwrap(),
        Cell::new(CrystalSystem::Orthorhombic, 5.46, 5.51, 7.76).unwrap(),
        Cell::cubic(5.431_020_511).unwrap(),
    ];
    for cell in cells {
        let hk: Vec<[i32; 3]> = hkls
            .iter()
            .copied()
            .filter(|&h| xrd::two_theta(cell.d_spacing(h).unwrap(), CU_KA1).is_ok())
            .collect();
        let exact =
            xrd::refine_lattice(&observe(&cell, &hk, 0.0, 1), cell.system, CU_KA1, false).unwrap();
        for (got, want) in [
            (exact.a.value, cell.a),
            (exact.b.value, cell.b),
            (exact.c.value, cell.c),
        ] {
            assert!(
                (got - want).abs() < 1e-9,
                "{:?}: {got} vs {want}",
                cell.system
            );
        }
        assert!(exact.rms < 1e-9);
        let noisy =
            xrd::refine_lattice(&observe(&cell, &hk, 0.003, 3), cell.system, CU_KA1, true).unwrap();
        for (got, want) in [(noisy.a, cell.a), (noisy.b, cell.b), (noisy.c, cell.c)] {
            let e = got.stderr.unwrap();
            assert!(e > 0.0 && e < 0.01, "{:?}: σ = {e}", cell.system);
            assert!(
                (got.value - want).abs() < 5.0 * e,
                "{:?}: {} vs {want} ± {e}",
                cell.system,
                got.value
            );
        }
        assert!((noisy.volume.value - cell.volume()).abs() < 5.0 * noisy.volume.stderr.unwrap());
    }
}

#[test]
fn refinement_errors_are_clear() {
    let cell = Cell::new(CrystalSystem::Tetragonal, 3.87, 0.0, 7.74).unwrap();
    // (h00)-type only: c undetermined
    let obs = observe(&cell, &[[1, 0, 0], [2, 0, 0], [1, 1, 0]], 0.0, 1);
    let e = xrd::refine_lattice(&obs, CrystalSystem::Tetragonal, CU_KA1, false).unwrap_err();
    assert!(e.to_string().contains("do not determine"), "{e}");
    let e = xrd::refine_lattice(&obs[..1], CrystalSystem::Tetragonal, CU_KA1, false).unwrap_err();
    assert!(e.to_string().contains("cannot determine"), "{e}");
    let bad = [ObservedReflection {
        hkl: [0, 0, 0],
        two_theta: 30.0,
    }];
    assert!(xrd::refine_lattice(&bad, CrystalSystem::Cubic, CU_KA1, false).is_err());
    let bad = [ObservedReflection {
        hkl: [1, 0, 0],
        two_theta: f64::NAN,
    }];
    assert!(xrd::refine_lattice(&bad, CrystalSystem::Cubic, CU_KA1, false).is_err());
    assert!(CrystalSystem::parse("triclinic").is_err());
    assert!(Cell::cubic(-1.0).is_err());
    assert!(xrd::reflections(&Cell::cubic(900.0).unwrap(), Centering::P, CU_KA1, 170.0).is_err());
}

#[test]
fn scherrer_matches_hand_computed_values() {
    // D = 0.9·1.540598 Å / (0.2° in rad · cos 15°) = 41.1226 nm
    // (numpy: 0.9*1.540598/(np.radians(0.2)*np.cos(np.radians(15)))/10)
    let o = SizeOptions::default();
    let d = xrd::scherrer(
        30.0,
        Estimate {
            value: 0.2,
            stderr: Some(0.01),
        },
        &o,
    )
    .unwrap();
    assert!((d.value - 41.122_612_54).abs() < 1e-6, "{d:?}");
    assert!((d.stderr.unwrap() - 41.122_612_54 * 0.05).abs() < 1e-6);
    // instrumental corrections reduce to the same sample width 0.2°
    let g = SizeOptions {
        instrumental_fwhm: 0.15,
        ..o
    };
    let d = xrd::scherrer(
        30.0,
        Estimate {
            value: 0.25,
            stderr: None,
        },
        &g,
    )
    .unwrap();
    assert!((d.value - 41.122_612_54).abs() < 1e-6);
    let l = SizeOptions {
        instrumental_fwhm: 0.05,
        correction: Broadening::Lorentzian,
        ..o
    };
    let d = xrd::scherrer(
        30.0,
        Estimate {
            value: 0.25,
            stderr: None,
        },
        &l,
    )
    .unwrap();
    assert!((d.value - 41.122_612_54).abs() < 1e-6);
    // narrower than the instrument: an error
    let e = xrd::scherrer(
        30.0,
        Estimate {
            value: 0.1,
            stderr: None,
        },
        &g,
    )
    .unwrap_err();
    assert!(e.to_string().contains("not wider"), "{e}");
}

#[test]
fn williamson_hall_recovers_size_and_strain() {
    let (size_nm, strain) = (35.0, 0.0015);
    let o = SizeOptions {
        instrumental_fwhm: 0.05,
        ..SizeOptions::default()
    };
    let peaks: Vec<(f64, f64)> = [22.96, 32.69, 40.31, 46.90, 52.84, 58.33, 68.49]
        .iter()
        .map(|&tt: &f64| {
            let th = (tt / 2.0).to_radians();
            let beta = (0.9 * CU_KA1 / (size_nm * 10.0) + 4.0 * strain * th.sin()) / th.cos();
            let obs = (beta.to_degrees().powi(2) + 0.05f64.powi(2)).sqrt();
            (tt, obs)
        })
        .collect();
    let wh = xrd::williamson_hall(&peaks, &o).unwrap();
    assert!(
        (wh.size_nm.value - size_nm).abs() < 1e-6 * size_nm,
        "{:?}",
        wh.size_nm
    );
    assert!((wh.strain.value - strain).abs() < 1e-9, "{:?}", wh.strain);
    assert!(wh.r_squared > 0.999_999);
    assert!(xrd::williamson_hall(&peaks[..1], &o).is_err());
    // strain-only widths with a negative intercept: size undetermined
    let neg: Vec<(f64, f64)> = [30.0, 50.0, 70.0]
        .iter()
        .map(|&t: &f64| {
            let th = (t / 2.0).to_radians();
            (
                t,
                ((-0.001 + 0.004 * 4.0 * th.sin()) / th.cos()).to_degrees(),
            )
        })
        .collect();
    assert!(xrd::williamson_hall(&neg, &SizeOptions::default()).is_err());
}

#[test]
fn peak_fits_take_other_shapes_and_reject_flat_data() {
    let (s, _) = pattern(false, 0.0, 0.0);
    let s = s.crop(30.0, 36.0).unwrap();
    for shape in [
        ShapeKind::Pearson7,
        ShapeKind::SplitPseudoVoigt,
        ShapeKind::Voigt,
    ] {
        let p = xrd::fit_peaks(
            &s,
            &XrdPeakOptions {
                shape,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.len(), 1, "{shape:?}");
        assert!(
            (p[0].two_theta.value - llto_peaks()[1].0).abs() < 2e-3,
            "{shape:?}: {:?}",
            p[0].two_theta
        );
    }
    let flat = Spectrum::new((0..50).map(|i| 20.0 + i as f64).collect(), vec![5.0; 50]).unwrap();
    assert!(xrd::fit_peaks(&flat, &XrdPeakOptions::default()).is_err());
    assert!(
        xrd::fit_peaks(
            &s,
            &XrdPeakOptions {
                window: 0.1,
                ..Default::default()
            }
        )
        .is_err()
    );
}

#[test]
fn indexing_from_a_rough_cell_converges() {
    let peaks = fitted_peaks(0.02);
    let obs: Vec<f64> = peaks.iter().map(|p| p.two_theta.value).collect();
    // 0.6 % off: only the low-angle peaks match at first
    let start = Cell::cubic(3.85).unwrap();
    let (fit, used) =
        xrd::index_and_refine(&obs, &start, Centering::P, CU_KA1, 0.15, true).unwrap();
    assert_eq!(used.len(), obs.len());
    assert!(
        (fit.a.value - A_LLTO).abs() < 4.0 * fit.a.stderr.unwrap() + 1e-5,
        "{:?}",
        fit.a
    );
    let z = fit.zero_shift.unwrap();
    assert!((z.value - 0.02).abs() < 4.0 * z.stderr.unwrap() + 1e-4);
    // far off: a clear error
    let far = Cell::cubic(3.3).unwrap();
    let e = xrd::index_and_refine(&obs, &far, Centering::P, CU_KA1, 0.05, false).unwrap_err();
    assert!(e.to_string().contains("starting cell"), "{e}");
}
