//! EELS low-loss: thickness, mean free paths, Fourier-log and Fourier-ratio
//! deconvolution against exspy 0.3.2 (refs/exspy_eels.rs, written by
//! crates/spectra/tools/gen_exspy_refs.py) and against the known truth of the
//! synthetic spectra; spectrum images, alignment and MLLS maps.

#[path = "refs/exspy_eels.rs"]
mod exspy;

use interphase_spectra::eels::{
    self, FourierRatio, MllsOptions, MllsWeights, SpectrumImage, Threshold,
};

fn low_axis() -> Vec<f64> {
    (0..exspy::N)
        .map(|i| -10.0 + exspy::STEP * i as f64)
        .collect()
}

fn core_axis() -> Vec<f64> {
    (0..exspy::N)
        .map(|i| 420.0 + exspy::STEP * i as f64)
        .collect()
}

/// max |a − b| over the sampled channels, relative to max |b|.
fn rel_max_diff(a: impl Iterator<Item = f64>, b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

#[test]
fn log_ratio_thickness_matches_exspy_and_truth() {
    let e = low_axis();
    let t = eels::log_ratio_thickness(&e, &exspy::LOW_LOSS, 3.0).unwrap();
    assert!(
        (t.t_over_lambda.value - exspy::EXSPY_T_OVER_LAMBDA).abs() < 1e-12,
        "{} vs exspy {}",
        t.t_over_lambda.value,
        exspy::EXSPY_T_OVER_LAMBDA
    );
    assert!((t.threshold_ev - 3.0).abs() < 1e-9);
    // the truth is 0.8; the axis ends at 195 eV and the cut at 3 eV loses a little
    assert!((t.t_over_lambda.value - exspy::TRUE_T_OVER_LAMBDA).abs() < 0.01);
    // counting statistics: var = I_in / (I_t I0)
    let (it, i0) = (t.total, t.zero_loss);
    assert!((t.t_over_lambda.stderr.unwrap() - ((it - i0) / (it * i0)).sqrt()).abs() < 1e-15);
    // with the zero-loss peak given, I0 is exact
    let tz = eels::log_ratio_thickness_with_zlp(&exspy::LOW_LOSS, &exspy::ZLP).unwrap();
    assert!((tz.zero_loss - exspy::TRUE_I0).abs() < 1e-6 * exspy::TRUE_I0);
    assert!(
        (tz.t_over_lambda.value - 0.8).abs() < 2e-3,
        "{}",
        tz.t_over_lambda.value
    );
    // the automatic threshold finds the dip between the zero-loss peak and the plasmon
    let th = eels::elastic_threshold(&e, &exspy::LOW_LOSS, 1.0, 10.0).unwrap();
    assert!(th > 1.0 && th < 5.0, "{th}");
    let ta = eels::log_ratio_thickness_auto(&e, &exspy::LOW_LOSS, Threshold::default()).unwrap();
    assert!((ta.t_over_lambda.value - 0.8).abs() < 0.02);
}

#[test]
fn mean_free_paths() {
    // exspy iMFP_Iakoubovskii and iMFP_angular_correction
    let l = eels::mean_free_path_iakoubovskii(200.0, 5.0, None).unwrap();
    assert!((l - exspy::EXSPY_MFP_NM).abs() < 1e-10 * l);
    let la = eels::mean_free_path_iakoubovskii(200.0, 5.0, Some((10.0, 20.0))).unwrap();
    assert!((la - exspy::EXSPY_MFP_NM * exspy::EXSPY_ANGULAR_CORRECTION).abs() < 1e-10 * la);
    // Malis: Egerton eq. 5.2 by hand for E0 = 200 keV, β = 10 mrad, Z_eff = 10
    let em = 7.6 * 10f64.powf(0.36);
    let f = (1.0 + 200.0 / 1022.0) / (1.0 + 200.0 / 511.0f64).powi(2);
    let want = 106.0 * f * 200.0 / (em * (2.0 * 10.0 * 200.0 / em).ln());
    assert!((eels::mean_free_path_malis(200.0, 10.0, 10.0).unwrap() - want).abs() < 1e-12 * want);
    // Z_eff of a single element is Z; of TiO2 between O and Ti
    assert!((eels::effective_z(&[(22, 1.0)]).unwrap() - 22.0).abs() < 1e-12);
    let z = eels::effective_z(&[(22, 1.0), (8, 2.0)]).unwrap();
    assert!(z > 8.0 && z < 22.0);
    assert!(eels::effective_z(&[]).is_err());
    assert!(eels::effective_z(&[(0, 1.0)]).is_err());
    assert!(eels::mean_free_path_malis(200.0, 0.0, 10.0).is_err());
    assert!(eels::mean_free_path_iakoubovskii(f64::NAN, 5.0, None).is_err());
}

#[test]
fn fourier_log_matches_exspy_and_recovers_single_scattering() {
    let e = low_axis();
    let ssd = eels::fourier_log_deconvolution(&e, &exspy::LOW_LOSS, &exspy::ZLP).unwrap();
    assert_eq!(ssd.len(), exspy::N);
    let d = rel_max_diff(ssd.iter().step_by(4).copied(), &exspy::EXSPY_FOURIER_LOG);
    assert!(d < 1e-12, "relative difference to exspy {d}");
    // truth: t/λ · I0 Z ⊗ S, away from the tapered right end (last 20 channels)
    let n = exspy::N / 4 - 6;
    let d = rel_max_diff(
        ssd.iter().step_by(4).take(n).copied(),
        &exspy::SSD_TRUE[..n],
    );
    assert!(d < 1e-7, "relative difference to the truth {d}");
}

#[test]
fn fourier_ratio_matches_exspy_and_recovers_the_edge() {
    let (el, ec) = (low_axis(), core_axis());
    let opts = FourierRatio {
        fwhm_ev: Some(0.35 * 2.0 * (2.0 * 2f64.ln()).sqrt()),
        threshold_ev: Some(3.0),
        extrapolate: false,
    };
    let k = eels::fourier_ratio_deconvolution(&ec, &exspy::CORE_LOSS, &el, &exspy::LOW_LOSS, &opts)
        .unwrap();
    // (exspy takes σ = FWHM/2.3548, ours FWHM/2√(2 ln 2): the same σ here)
    let d = rel_max_diff(k.iter().step_by(4).copied(), &exspy::EXSPY_FOURIER_RATIO);
    assert!(d < 1e-12, "relative difference to exspy {d}");
    // truth K ⊗ Z, scaled by I0(threshold)/I0(true), away from the tapered ends
    let i0_cut: f64 = exspy::LOW_LOSS[..65].iter().sum();
    let scale = i0_cut / exspy::TRUE_I0;
    let (a, b) = (8, exspy::N / 4 - 8);
    let d = rel_max_diff(
        k.iter().step_by(4).skip(a).take(b - a).map(|v| v / scale),
        &exspy::K_TRUE[a..b],
    );
    assert!(d < 2e-3, "relative difference to the truth {d}");
    // the default options extrapolate and estimate the FWHM and the threshold
    let kd = eels::fourier_ratio_deconvolution(
        &ec,
        &exspy::CORE_LOSS,
        &el,
        &exspy::LOW_LOSS,
        &FourierRatio::default(),
    )
    .unwrap();
    assert_eq!(kd.len(), exspy::N);
    assert!(kd.iter().all(|v| v.is_finite()));
    // mismatched channel widths are refused
    let ec2: Vec<f64> = ec.iter().map(|v| v * 1.01).collect();
    assert!(
        eels::fourier_ratio_deconvolution(&ec2, &exspy::CORE_LOSS, &el, &exspy::LOW_LOSS, &opts)
            .is_err()
    );
}

/// A line scan of the synthetic low-loss spectrum, shifted by known amounts
/// and with t/λ scaled along the line.
fn line_scan(shifts: &[f64]) -> SpectrumImage {
    let e = low_axis();
    let mut data = Vec::new();
    for &s in shifts {
        // y(E) = J(E − s): the zero-loss peak moves to s
        data.extend(
            eels::shift_spectrum(&e, &exspy::LOW_LOSS, -s)
                .iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v }),
        );
    }
    SpectrumImage::line(e, data).unwrap()
}

#[test]
fn image_alignment_and_thickness_map() {
    let shifts = [0.0, 0.13, -0.27, 0.41, 0.05];
    let img = line_scan(&shifts);
    assert_eq!(img.shape(), (1, 5));
    // a core-loss image recorded alongside, with the same drift
    let ec = core_axis();
    let mut cdata = Vec::new();
    for &s in &shifts {
        cdata.extend(
            eels::shift_spectrum(&ec, &exspy::CORE_LOSS, -s)
                .iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v }),
        );
    }
    let core = SpectrumImage::line(ec.clone(), cdata).unwrap();
    let centres = img.zlp_centres();
    for (c, s) in centres.value.iter().zip(shifts) {
        // linear interpolation of a 0.2 eV grid moves the apex by < 0.02 eV
        assert!((c - s).abs() < 0.02, "{c} vs {s}");
    }
    let al = img.align_zlp(&[&core]).unwrap();
    let after = al.image.zlp_centres();
    for c in &after.value {
        assert!(c.abs() < 0.02, "{c}");
    }
    // cropped to the common range: 0.41 eV right, 0.27 eV left → 2 + 3 channels fewer
    assert!(al.image.channels() < img.channels() && al.image.channels() >= img.channels() - 6);
    assert_eq!(al.others[0].shape(), (1, 5));
    // the aligned core-loss pixels agree with each other (same drift removed)
    let c0 = al.others[0].pixel(0);
    for p in 1..5 {
        let d = rel_max_diff(al.others[0].pixel(p).iter().copied(), c0);
        assert!(d < 0.02, "pixel {p}: {d}");
    }
    let t = al.image.thickness(Threshold::Fixed(3.0));
    assert!(t.failures.is_empty());
    for (v, s) in t.value.iter().zip(&t.stderr) {
        assert!((v - exspy::EXSPY_T_OVER_LAMBDA).abs() < 2e-3, "{v}");
        assert!(*s > 0.0);
    }
    // a pixel with no zero-loss intensity fails alone
    let mut data = img.data().to_vec();
    let n = img.channels();
    data[2 * n..3 * n].iter_mut().for_each(|v| *v = 0.0);
    let bad = SpectrumImage::line(low_axis(), data).unwrap();
    let t = bad.thickness(Threshold::Fixed(3.0));
    assert_eq!(t.failures.len(), 1);
    assert_eq!(t.failures[0].0, 2);
    assert!(t.value[2].is_nan() && t.value[1].is_finite());
}

#[test]
fn mlls_recovers_a_valence_gradient_with_honest_errors() {
    // references: Ti3+-like and Ti4+-like L3/L2 shapes, unit area
    let e: Vec<f64> = (0..300).map(|i| 450.0 + 0.1 * i as f64).collect();
    let lor = |c: f64, w: f64| -> Vec<f64> {
        e.iter()
            .map(|&x| w * w / ((x - c).powi(2) + w * w))
            .collect()
    };
    let add = |a: &[f64], b: &[f64], f: f64| -> Vec<f64> {
        a.iter().zip(b).map(|(x, y)| x + f * y).collect()
    };
    let ti3 = eels::normalise_area(
        &e,
        &add(&lor(456.3, 0.5), &lor(461.6, 0.7), 0.7),
        (450.0, 480.0),
    )
    .unwrap();
    let ti4 = eels::normalise_area(
        &e,
        &add(
            &add(&lor(457.8, 0.3), &lor(459.9, 0.6), 1.2),
            &add(&lor(463.1, 0.4), &lor(465.4, 0.8), 1.0),
            0.8,
        ),
        (450.0, 480.0),
    )
    .unwrap();
    // a line of 9 pixels from 80 % Ti3+ to 0 %, 4000 Ti-counts, a sloped background,
    // Poisson noise from the seeded generator
    let truth: Vec<f64> = (0..9).map(|i| 0.8 * (1.0 - i as f64 / 8.0)).collect();
    let mut rng = interphase_fit::rng::Rng::new(29);
    let mut data = Vec::new();
    for &f in &truth {
        for (k, &x) in e.iter().enumerate() {
            let mean = 4000.0 * (f * ti3[k] + (1.0 - f) * ti4[k]) + 20.0 + 0.5 * (x - 450.0);
            data.push(rng.poisson(mean) as f64);
        }
    }
    let img = SpectrumImage::line(e.clone(), data).unwrap();
    let opts = MllsOptions {
        window_ev: Some((452.0, 478.0)),
        background_terms: 2,
        weights: MllsWeights::Poisson,
    };
    let maps = img.mlls(&[("Ti3+", &ti3), ("Ti4+", &ti4)], &opts);
    assert!(maps.fractions[0].failures.is_empty());
    let mut chi2 = 0.0;
    for (p, &f) in truth.iter().enumerate() {
        let v = maps.fractions[0].value[p];
        let s = maps.fractions[0].stderr[p];
        if f > 0.0 {
            assert!(s > 0.0 && s < 0.05, "pixel {p}: σ = {s}");
            chi2 += ((v - f) / s).powi(2);
        } else {
            // at the bound: value 0 or small, σ NaN when held at 0
            assert!(v < 0.05, "pixel {p}: {v}");
        }
    }
    // the fractions scatter as their σ says: χ² of 8 pixels, far below 8·5
    assert!(chi2 < 40.0, "χ² = {chi2}");
    // redchi near 1 for Poisson weights
    let (m, _) = maps.redchi.mean_std();
    assert!((m - 1.0).abs() < 0.3, "mean reduced χ² {m}");
}

/// A 50-point axis and two overlapping Gaussian references.
fn two_references() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let e: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let g =
        |c: f64, w: f64| -> Vec<f64> { e.iter().map(|&x| (-(x - c).powi(2) / w).exp()).collect() };
    (e.clone(), g(20.0, 30.0), g(27.0, 40.0))
}

#[test]
fn mlls_against_unconstrained_least_squares_when_interior() {
    // with both coefficients positive, MLLS = ordinary least squares: compare
    // with the normal equations solved by hand (2 references, no background)
    let (e, r1, r2) = two_references();
    let y: Vec<f64> = e
        .iter()
        .enumerate()
        .map(|(i, _)| 3.0 * r1[i] + 5.0 * r2[i] + 0.01 * ((i * 7 % 11) as f64 - 5.0))
        .collect();
    let fit = eels::mlls(&e, &y, &[("a", &r1), ("b", &r2)], &MllsOptions::default()).unwrap();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let (a11, a12, a22) = (dot(&r1, &r1), dot(&r1, &r2), dot(&r2, &r2));
    let (b1, b2) = (dot(&r1, &y), dot(&r2, &y));
    let det = a11 * a22 - a12 * a12;
    let c1 = (a22 * b1 - a12 * b2) / det;
    let c2 = (a11 * b2 - a12 * b1) / det;
    assert!((fit.coefficients[0].value - c1).abs() < 1e-10);
    assert!((fit.coefficients[1].value - c2).abs() < 1e-10);
    // σ(c1)² = redchi · a22/det
    let s1 = (fit.redchi * a22 / det).sqrt();
    assert!((fit.coefficients[0].stderr.unwrap() - s1).abs() < 1e-10 * s1.max(1.0));
    assert!((fit.fractions[0].value - c1 / (c1 + c2)).abs() < 1e-12);
    assert_eq!(fit.at_bound, [false, false]);
    // a reference that is not there is held at zero, with no standard error
    let r3: Vec<f64> = e
        .iter()
        .map(|&x| (-(x - 45.0).powi(2) / 5.0).exp())
        .collect();
    let y3: Vec<f64> = y.iter().zip(&r3).map(|(v, r)| v - 0.5 * r).collect();
    let fit = eels::mlls(
        &e,
        &y3,
        &[("a", &r1), ("b", &r2), ("c", &r3)],
        &MllsOptions::default(),
    )
    .unwrap();
    assert_eq!(fit.at_bound, [false, false, true]);
    assert!(fit.coefficients[2].value.abs() < f64::MIN_POSITIVE);
    assert!(fit.coefficients[2].stderr.is_none() && fit.fractions[2].stderr.is_none());
    // errors: no reference, mismatched lengths, nothing of the references in the data
    assert!(eels::mlls(&e, &y, &[], &MllsOptions::default()).is_err());
    assert!(eels::mlls(&e, &y, &[("a", &r1[..10])], &MllsOptions::default()).is_err());
    let neg: Vec<f64> = y.iter().map(|v| -v).collect();
    assert!(eels::mlls(&e, &neg, &[("a", &r1), ("b", &r2)], &MllsOptions::default()).is_err());
}

#[test]
fn images_refuse_bad_input() {
    let e = vec![0.0, 1.0, 2.0];
    assert!(SpectrumImage::new(e.clone(), (2, 2), vec![0.0; 11]).is_err());
    assert!(SpectrumImage::new(e.clone(), (0, 2), vec![]).is_err());
    assert!(SpectrumImage::new(vec![0.0, 0.0, 1.0], (1, 1), vec![0.0; 3]).is_err());
    let err = SpectrumImage::new(e.clone(), (2, 2), {
        let mut d = vec![1.0; 12];
        d[10] = f64::NAN;
        d
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("pixel (1, 1) channel 1"), "{err}");
    assert!(SpectrumImage::new(e.clone(), (usize::MAX, 2), vec![]).is_err());
    assert!(SpectrumImage::line(e, vec![1.0; 7]).is_err());
}

#[test]
fn mlls_refuses_non_finite_counts_with_the_channel() {
    let (e, r1, r2) = two_references();
    for weights in [MllsWeights::Uniform, MllsWeights::Poisson] {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut y: Vec<f64> = r1.iter().zip(&r2).map(|(a, b)| 3.0 * a + 5.0 * b).collect();
            y[33] = bad;
            let opts = MllsOptions {
                weights,
                ..Default::default()
            };
            let err = eels::mlls(&e, &y, &[("a", &r1), ("b", &r2)], &opts)
                .unwrap_err()
                .to_string();
            assert!(err.contains("intensity 33"), "{weights:?} {bad}: {err}");
            // the per-pixel path of maps finds it too
            let d = eels::MllsDesign::new(&e, &[("a", &r1), ("b", &r2)], &opts).unwrap();
            let err = d.fit(&y).unwrap_err().to_string();
            assert!(err.contains("channel 33"), "{weights:?} {bad}: {err}");
        }
    }
}

#[test]
fn zlp_centre_error_matches_the_spread_of_poisson_redraws() {
    use interphase_fit::rng::Rng;
    // a Gaussian zero-loss peak (σ 0.35 eV) off-grid at 0.037 eV, 0.1 eV channels
    let e: Vec<f64> = (0..200).map(|i| -10.0 + 0.1 * i as f64).collect();
    let mean: Vec<f64> = e
        .iter()
        .map(|&x| 2e4 * (-0.5 * ((x - 0.037) / 0.35f64).powi(2)).exp() + 5.0)
        .collect();
    let mut rng = Rng::new(5);
    let (mut c, mut s) = (Vec::new(), 0.0);
    let runs = 1000;
    for _ in 0..runs {
        let y: Vec<f64> = mean.iter().map(|&m| rng.poisson(m) as f64).collect();
        let est = eels::zlp_centre_estimate(&e, &y).unwrap();
        c.push(est.value);
        s += est.stderr.unwrap() / runs as f64;
    }
    let m = c.iter().sum::<f64>() / runs as f64;
    let sd = (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (runs - 1) as f64).sqrt();
    // 1000 draws: the sample sd within ±7 % of the truth at 3σ
    assert!((sd / s - 1.0).abs() < 0.08, "spread {sd} vs reported {s}");
    assert!(
        (m - 0.037).abs() < 4.0 * sd / (runs as f64).sqrt() + 1e-4,
        "mean {m}"
    );
}

#[test]
fn mlls_maps_equal_each_pixels_fit_bit_for_bit() {
    // SpectrumImage::mlls writes each pixel's numbers into one buffer (no
    // allocation per pixel, any number of references): equal to eels::mlls
    // per pixel, including pixels at a bound (NNLS) and a failing one (no
    // reference in it: NaN, listed); a design that cannot be built fails
    // every pixel with its message
    let e: Vec<f64> = (0..60).map(|i| i as f64).collect();
    let g =
        |c: f64, w: f64| -> Vec<f64> { e.iter().map(|&x| (-(x - c).powi(2) / w).exp()).collect() };
    let refs: Vec<Vec<f64>> = (0..5)
        .map(|k| g(12.0 + 8.0 * k as f64, 20.0 + 3.0 * k as f64))
        .collect();
    let mut data = Vec::new();
    for p in 0..6 {
        // pixel 0: none of the first reference (at its bound); pixel 5: empty
        let a = if p == 0 { 0.0 } else { 1.0 + p as f64 };
        for i in 0..e.len() {
            let w = [a, 2.0, 0.5, 0.7, 0.3];
            let v = w.iter().zip(&refs).map(|(w, r)| w * r[i]).sum::<f64>()
                + 0.02 * ((i * 7 + p * 3) % 11) as f64;
            data.push(if p == 5 { 0.0 } else { v });
        }
    }
    let img = SpectrumImage::line(e.clone(), data.clone()).unwrap();
    for nref in [2usize, 5] {
        let named: Vec<(&str, &[f64])> = ["a", "b", "c", "d", "e"][..nref]
            .iter()
            .zip(&refs)
            .map(|(n, r)| (*n, r.as_slice()))
            .collect();
        let opts = MllsOptions {
            background_terms: 1,
            ..MllsOptions::default()
        };
        let maps = img.mlls(&named, &opts);
        assert_eq!(maps.fractions[0].failures.len(), 1, "{nref} references");
        assert_eq!(maps.fractions[0].failures[0].0, 5);
        for p in 0..5 {
            let fit = eels::mlls(&e, &data[p * 60..(p + 1) * 60], &named, &opts).unwrap();
            for k in 0..nref {
                let (f, c) = (fit.fractions[k], fit.coefficients[k]);
                assert_eq!(maps.fractions[k].value[p].to_bits(), f.value.to_bits());
                assert_eq!(
                    maps.fractions[k].stderr[p].to_bits(),
                    f.stderr.unwrap_or(f64::NAN).to_bits()
                );
                assert_eq!(maps.coefficients[k].value[p].to_bits(), c.value.to_bits());
                assert_eq!(
                    maps.coefficients[k].stderr[p].to_bits(),
                    c.stderr.unwrap_or(f64::NAN).to_bits()
                );
            }
            assert_eq!(maps.redchi.value[p].to_bits(), fit.redchi.to_bits());
        }
        // pixel 0 holds none of reference a: NNLS keeps it at 0, no σ
        assert_eq!(maps.coefficients[0].value[0].to_bits(), 0.0f64.to_bits());
        assert!(maps.coefficients[0].stderr[0].is_nan());
    }
    let short = [0.0; 10];
    let bad = img.mlls(&[("short", &short[..])], &MllsOptions::default());
    assert_eq!(bad.redchi.failures.len(), 6);
    assert!(bad.fractions[0].value.iter().all(|v| v.is_nan()));
    assert!(
        bad.redchi.failures[3].1.contains("10 channels"),
        "{:?}",
        bad.redchi.failures[3]
    );
}

#[test]
fn mlls_chi_square_is_that_of_the_residuals() {
    // χ² comes from yᵀy − 2xᵀh + xᵀGx where that loses at most 1e-10 of it,
    // from the residuals otherwise (an exact fit must not report rounding noise)
    let (e, r1, r2) = two_references();
    for noise in [0.3, 0.0] {
        let y: Vec<f64> = e
            .iter()
            .enumerate()
            .map(|(i, _)| 3.0 * r1[i] + 5.0 * r2[i] + 2.0 + noise * ((i * 7 % 11) as f64 - 5.0))
            .collect();
        let opts = MllsOptions {
            background_terms: 1,
            ..MllsOptions::default()
        };
        let fit = eels::mlls(&e, &y, &[("a", &r1), ("b", &r2)], &opts).unwrap();
        let direct: f64 = y
            .iter()
            .enumerate()
            .map(|(i, yi)| {
                let m = fit.coefficients[0].value * r1[i]
                    + fit.coefficients[1].value * r2[i]
                    + fit.background[0].value;
                (yi - m).powi(2)
            })
            .sum();
        if noise > 0.0 {
            assert!(
                (fit.chisqr / direct - 1.0).abs() < 1e-10,
                "{} vs {direct}",
                fit.chisqr
            );
        } else {
            let yty: f64 = y.iter().map(|v| v * v).sum();
            assert!(fit.chisqr < 1e-20 * yty, "exact fit: χ² = {}", fit.chisqr);
            assert!(
                (fit.chisqr - direct).abs() <= 1e-20 * yty,
                "{} vs {direct}",
                fit.chisqr
            );
        }
    }
}

#[test]
fn low_loss_axis_thickness_equals_the_checked_function_and_names_bad_channels() {
    // LowLossAxis checks the axis once; its thickness equals
    // log_ratio_thickness_auto bit for bit, and a non-finite channel anywhere
    // (before, at or after the threshold, in the zero-loss peak) is named
    let e: Vec<f64> = (0..301).map(|i| -5.0 + 0.1 * f64::from(i)).collect();
    let y: Vec<f64> = e
        .iter()
        .map(|&x| 1e5 * (-x * x / 0.5).exp() + 3e3 * (-(x - 12.0) * (x - 12.0) / 10.0).exp() + 2.0)
        .collect();
    let axis = eels::LowLossAxis::new(&e).unwrap();
    for th in [eels::Threshold::Fixed(3.0), eels::Threshold::default()] {
        let a = axis.thickness(&y, th).unwrap();
        let b = eels::log_ratio_thickness_auto(&e, &y, th).unwrap();
        assert_eq!(
            a.t_over_lambda.value.to_bits(),
            b.t_over_lambda.value.to_bits()
        );
        assert_eq!(a.threshold_ev.to_bits(), b.threshold_ev.to_bits());
        // I₀ and I_t are sums of the channels (eight partial sums: equal to
        // the plain sums to rounding)
        let k = e.iter().position(|&x| x >= a.threshold_ev - 1e-9).unwrap();
        let i0: f64 = y[..k].iter().sum();
        let it: f64 = y.iter().sum();
        assert!((a.zero_loss / i0 - 1.0).abs() < 1e-14 && (a.total / it - 1.0).abs() < 1e-14);
        for bad_at in [50usize, 80, 299] {
            for bad in [f64::NAN, f64::INFINITY] {
                let mut z = y.clone();
                z[bad_at] = bad;
                let err = axis.thickness(&z, th).unwrap_err().to_string();
                assert!(
                    err.contains(&format!("{bad_at}")),
                    "{th:?} {bad} at {bad_at}: {err}"
                );
            }
        }
        assert!(axis.thickness(&y[1..], th).is_err());
    }
    assert!(eels::LowLossAxis::new(&[0.0, 1.0, 1.0]).is_err());
    assert!(eels::LowLossAxis::new(&[0.0, f64::NAN, 1.0]).is_err());
}
