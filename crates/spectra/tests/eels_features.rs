//! Per-pixel feature maps from warm-started peak fits: the crystal-field
//! splitting and an area ratio recovered within their errors on a noisy
//! synthetic image, failures kept to their pixels.

use interphase_fit::rng::Rng;
use interphase_spectra::eels::{Feature, FeatureOptions, SpectrumImage};
use interphase_spectra::model::PeakModel;

const MODEL: &str = r#"
[[peaks]]
name = "t2g"
shape = "gaussian"
center = { value = 457.9, min = 456.5, max = 459.0 }
fwhm = { value = 1.0, min = 0.3, max = 3.0 }
area = { value = 5000, min = 0 }

[[peaks]]
name = "eg"
shape = "gaussian"
center = { value = 460.0, min = 459.0, max = 461.5 }
fwhm = { value = 1.4, min = 0.3, max = 3.0 }
area = { value = 5000, min = 0 }
"#;

#[test]
fn crystal_field_and_area_ratio_maps_recover_the_truth() {
    let model = PeakModel::from_toml(MODEL).unwrap();
    let e: Vec<f64> = (0..600).map(|i| 430.0 + 0.075 * i as f64).collect();
    let (ny, nx) = (3, 8);
    let mut rng = Rng::new(11);
    let mut data = Vec::new();
    let mut truth = Vec::new();
    for p in 0..ny * nx {
        let split = 1.8 + 0.1 * (p % nx) as f64;
        let ratio = 0.8 + 0.05 * (p / nx) as f64;
        truth.push((split, ratio));
        let params = model
            .parameters_from(
                &[
                    ("t2g.center", 457.8),
                    ("t2g.area", 8000.0 * ratio),
                    ("eg.center", 457.8 + split),
                    ("eg.area", 8000.0),
                ],
                &e,
            )
            .unwrap();
        let peaks = model.evaluate(&e, &params).unwrap();
        for (x, m) in e.iter().zip(peaks) {
            let mean = 3e10 * x.powf(-3.0) + m;
            data.push(rng.poisson(mean) as f64);
        }
    }
    // pixel 13: a zero in its pre-edge window
    data[13 * e.len() + 40] = 0.0; // 433 eV
    let img = SpectrumImage::new(e, (ny, nx), data).unwrap();
    let features = [
        Feature::delta_e("t2g", "eg"),
        Feature::white_line_ratio(&["t2g"], &["eg"]),
    ];
    let opts = FeatureOptions {
        background_ev: Some((432.0, 452.0)),
        range_ev: Some((453.0, 465.0)),
        ..Default::default()
    };
    let maps = img.feature_maps(&model, &features, &opts);
    assert_eq!(maps.len(), 2);
    for m in &maps {
        assert_eq!(m.failures.len(), 1, "{:?}", m.failures);
        assert_eq!(m.failures[0].0, 13);
        assert!(m.failures[0].1.contains("power-law"), "{}", m.failures[0].1);
    }
    let mut within = 0;
    for (p, &(split, ratio)) in truth.iter().enumerate() {
        if p == 13 {
            assert!(maps[0].value[p].is_nan());
            continue;
        }
        let (d, sd) = (maps[0].value[p], maps[0].stderr[p]);
        let (r, sr) = (maps[1].value[p], maps[1].stderr[p]);
        assert!(sd > 0.0 && sd < 0.05 && sr > 0.0, "pixel {p}: σ {sd} {sr}");
        assert!(
            (d - split).abs() < 4.0 * sd,
            "pixel {p}: ΔE {d} ± {sd} vs {split}"
        );
        assert!(
            (r - ratio).abs() < 4.0 * sr,
            "pixel {p}: ratio {r} ± {sr} vs {ratio}"
        );
        within += usize::from((d - split).abs() < sd);
    }
    // 23 pixels: about 16 within 1σ
    assert!((9..=22).contains(&within), "{within} of 23 within 1σ");
    assert_eq!(features[0].label(), "ΔE(t2g→eg)");
}
