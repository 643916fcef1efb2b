//! Core-loss quantification: recovery of known areal densities and ratios on
//! synthetic spectra built from the hydrogenic cross-sections themselves, and
//! the reported standard errors against the spread of Poisson redraws.

mod common;

use interphase_fit::rng::Rng;
use interphase_spectra::eels::{
    EdgeSpec, HydrogenicEdge, Optics, QuantifyOptions, SpectrumImage, low_loss_intensity, quantify,
};
use interphase_spectra::model::Estimate;

const OPTICS: Optics = Optics {
    beam_kev: 200.0,
    beta_mrad: 20.0,
    alpha_mrad: 0.0,
};

/// Ti L2,3 and O K with Δ = 50 eV at 200 keV, 20 mrad.
fn ti_and_o() -> ([EdgeSpec; 2], QuantifyOptions) {
    (
        [
            EdgeSpec::hydrogenic("Ti", "L23").unwrap(),
            EdgeSpec::hydrogenic("O", "K").unwrap(),
        ],
        QuantifyOptions {
            optics: OPTICS,
            delta_ev: 50.0,
            gain: 1.0,
        },
    )
}

fn axis() -> Vec<f64> {
    (0..2400).map(|i| 380.0 + 0.25 * i as f64).collect()
}

use common::eels_core_loss as spectrum;

#[test]
fn areal_density_of_one_edge_is_recovered() {
    let e = axis();
    let o = HydrogenicEdge::lookup("O", "K").unwrap();
    let il = 1e7;
    let y = spectrum(&e, il, &[(&o, 3000.0)]);
    let options = QuantifyOptions {
        optics: OPTICS,
        delta_ev: 50.0,
        gain: 1.0,
    };
    let q = quantify(
        &e,
        &y,
        &[EdgeSpec::hydrogenic("O", "K").unwrap()],
        &options,
        Some(Estimate {
            value: il,
            stderr: None,
        }),
    )
    .unwrap();
    let r = &q.edges[0];
    assert!((r.background.r - 3.2).abs() < 1e-9, "{:?}", r.background);
    let n = r.areal_density.unwrap();
    // the channel sum is a left Riemann sum of ∫dσ/dE: 0.3 % on 0.25 eV channels
    assert!((n.value - 3000.0).abs() < 0.004 * 3000.0, "{n:?}");
    assert!(n.stderr.unwrap() > 0.0);
    assert!((r.cross_section_barn - 1057.5997187798168).abs() < 1e-4);
}

#[test]
fn ti_to_o_ratio_is_recovered_and_errors_match_the_spread() {
    let e = axis();
    let ti = HydrogenicEdge::lookup("Ti", "L23").unwrap();
    let o = HydrogenicEdge::lookup("O", "K").unwrap();
    // LLTO-like: O/Ti = 3
    let clean = spectrum(&e, 1e9, &[(&ti, 1000.0), (&o, 3000.0)]);
    let (edges, options) = ti_and_o();
    let q = quantify(&e, &clean, &edges, &options, None).unwrap();
    assert_eq!(q.ratios[0].label, "Ti/O");
    // the Ti L continuum under O K is extrapolated by O's pre-edge power law:
    // a bias of a few per cent, the method's own
    let r = q.ratios[0].value.value;
    assert!((r - 1.0 / 3.0).abs() < 0.05 / 3.0, "Ti/O = {r}");

    // Poisson redraws: the spread of S and of the ratio against the reported σ
    let mut rng = Rng::new(7);
    let (mut s, mut rat, mut sig_s, mut sig_r) = (vec![], vec![], 0.0, 0.0);
    let runs = 300;
    for _ in 0..runs {
        let y: Vec<f64> = clean.iter().map(|&m| rng.poisson(m) as f64).collect();
        let q = quantify(&e, &y, &edges, &options, None).unwrap();
        s.push(q.edges[1].signal.value);
        rat.push(q.ratios[0].value.value);
        sig_s += q.edges[1].signal.stderr.unwrap() / runs as f64;
        sig_r += q.ratios[0].value.stderr.unwrap() / runs as f64;
    }
    let sd = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    let (sd_s, sd_r) = (sd(&s), sd(&rat));
    // 300 draws: the sample sd is within ±12 % of the truth at 3σ
    assert!(
        (sd_s / sig_s - 1.0).abs() < 0.15,
        "O K signal: spread {sd_s} vs reported {sig_s}"
    );
    assert!(
        (sd_r / sig_r - 1.0).abs() < 0.15,
        "Ti/O: spread {sd_r} vs reported {sig_r}"
    );
}

#[test]
fn low_loss_intensity_and_bad_input() {
    let e: Vec<f64> = (0..400).map(|i| -5.0 + 0.25 * i as f64).collect();
    let y: Vec<f64> = e
        .iter()
        .map(|&x| if x.abs() < 1.0 { 1000.0 } else { 10.0 })
        .collect();
    let il = low_loss_intensity(&e, &y, 50.0, 1.0).unwrap();
    let n = e.iter().filter(|&&x| x <= 50.0).count();
    let want: f64 = y[..n].iter().sum();
    assert_eq!(il.value.to_bits(), want.to_bits());
    assert!((il.stderr.unwrap() - want.sqrt()).abs() < 1e-9);
    assert!(low_loss_intensity(&e[40..], &y[40..], 50.0, 1.0).is_err());
    assert!(low_loss_intensity(&e, &y, 500.0, 1.0).is_err());

    let ce = axis();
    let options = QuantifyOptions {
        optics: OPTICS,
        delta_ev: 50.0,
        gain: 1.0,
    };
    let ok = vec![100.0; ce.len()];
    let o = [EdgeSpec::hydrogenic("O", "K").unwrap()];
    // window past the end
    let long = QuantifyOptions {
        delta_ev: 600.0,
        ..options
    };
    assert!(quantify(&ce, &ok, &o, &long, None).is_err());
    // a zero in the background window
    let mut bad = ok.clone();
    bad[500] = 0.0;
    let err = quantify(&ce, &bad, &o, &options, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("background window"), "{err}");
    // NaN
    bad[500] = f64::NAN;
    assert!(quantify(&ce, &bad, &o, &options, None).is_err());
    assert!(quantify(&ce, &ok, &[], &options, None).is_err());
}

#[test]
fn maps_keep_the_good_pixels() {
    let e = axis();
    let ti = HydrogenicEdge::lookup("Ti", "L23").unwrap();
    let o = HydrogenicEdge::lookup("O", "K").unwrap();
    let mut pixels = Vec::new();
    for p in 0..6 {
        let n_ti = 1000.0 + 100.0 * p as f64;
        pixels.push(spectrum(&e, 1e9, &[(&ti, n_ti), (&o, 3000.0)]));
    }
    pixels[4][400] = -1.0; // 480 eV: in O's pre-edge window (≈ 468–521 eV)
    let img = SpectrumImage::new(e.clone(), (2, 3), pixels.concat()).unwrap();
    let (edges, options) = ti_and_o();
    let maps = img.quantify(&edges, &options, None).unwrap();
    assert_eq!(maps.ratio_labels, vec!["Ti/O"]);
    let r = &maps.ratios[0];
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].0, 4);
    assert!(r.value[4].is_nan());
    for p in [0usize, 1, 2, 3, 5] {
        let want = (1000.0 + 100.0 * p as f64) / 3000.0;
        assert!(
            (r.value[p] - want).abs() < 0.05 * want,
            "pixel {p}: {} vs {want}",
            r.value[p]
        );
        assert!(r.stderr[p] > 0.0);
    }
    assert!(maps.areal_density.is_empty());
}

#[test]
fn maps_equal_each_pixels_quantification_bit_for_bit() {
    let e = axis();
    let ti = HydrogenicEdge::lookup("Ti", "L23").unwrap();
    let o = HydrogenicEdge::lookup("O", "K").unwrap();
    let mut rng = Rng::new(7);
    let mut pixels = Vec::new();
    for p in 0..12 {
        let clean = spectrum(&e, 1e9, &[(&ti, 800.0 + 90.0 * p as f64), (&o, 2500.0)]);
        pixels.push(
            clean
                .iter()
                .map(|&m| rng.poisson(m) as f64)
                .collect::<Vec<f64>>(),
        );
    }
    // a subnormal count in Ti's pre-edge window (401–447 eV by default
    // rules, channel 100 = 405 eV): valid, summed channel by channel
    pixels[3][100] = 1e-310;
    // a zero count there: that pixel fails, naming the channel
    pixels[7][100] = 0.0;
    let le: Vec<f64> = (0..400).map(|i| -5.0 + 0.25 * i as f64).collect();
    let low: Vec<f64> = (0..12)
        .flat_map(|p| {
            le.iter()
                .map(move |&x| if x.abs() < 1.0 { 1e5 + p as f64 } else { 100.0 })
        })
        .collect();
    let img = SpectrumImage::new(e.clone(), (3, 4), pixels.concat()).unwrap();
    let ll = SpectrumImage::new(le.clone(), (3, 4), low).unwrap();
    let (edges, options) = ti_and_o();
    let maps = img.quantify(&edges, &options, Some(&ll)).unwrap();
    let bits = |v: f64| v.to_bits();
    for p in 0..12 {
        let il = low_loss_intensity(&le, ll.pixel(p), 50.0, 1.0).unwrap();
        match quantify(&e, img.pixel(p), &edges, &options, Some(il)) {
            Ok(q) => {
                for k in 0..2 {
                    let s = q.edges[k].signal;
                    assert_eq!(bits(maps.signal[k].value[p]), bits(s.value), "pixel {p}");
                    assert_eq!(bits(maps.signal[k].stderr[p]), bits(s.stderr.unwrap()));
                    let n = q.edges[k].areal_density.unwrap();
                    assert_eq!(bits(maps.areal_density[k].value[p]), bits(n.value));
                    assert_eq!(
                        bits(maps.areal_density[k].stderr[p]),
                        bits(n.stderr.unwrap())
                    );
                }
                let r = q.ratios[0].value;
                assert_eq!(bits(maps.ratios[0].value[p]), bits(r.value));
                assert_eq!(bits(maps.ratios[0].stderr[p]), bits(r.stderr.unwrap()));
            }
            Err(err) => {
                assert_eq!(p, 7);
                assert!(err.to_string().contains("channel 100"), "{err}");
                for m in maps.signal.iter().chain(&maps.ratios) {
                    assert!(m.value[p].is_nan());
                    assert_eq!(m.failures, vec![(7, err.to_string())]);
                }
            }
        }
    }
    assert!(maps.ratios[0].value[3].is_finite());
}
