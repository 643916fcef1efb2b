//! Model-based core-loss quantification ([`EdgeModel`]): exact recovery on
//! spectra built from the hydrogenic cross-sections, the reported standard
//! errors against the spread of Poisson redraws, the fine-structure
//! exclusion, agreement with edge integration, and bad input.

mod common;

use interphase_fit::rng::Rng;
use interphase_spectra::eels::{
    EdgeModel, EdgeModelOptions, EdgeSpec, HydrogenicEdge, Optics, QuantifyOptions, quantify,
};
use interphase_spectra::model::Estimate;

const OPTICS: Optics = Optics {
    beam_kev: 200.0,
    beta_mrad: 20.0,
    alpha_mrad: 0.0,
};

fn axis() -> Vec<f64> {
    (0..2400).map(|i| 380.0 + 0.25 * i as f64).collect()
}

fn ti_o() -> [HydrogenicEdge; 2] {
    [
        HydrogenicEdge::lookup("Ti", "L23").unwrap(),
        HydrogenicEdge::lookup("O", "K").unwrap(),
    ]
}

use common::eels_core_loss as spectrum;

#[test]
fn known_amounts_are_recovered_exactly() {
    let e = axis();
    let [ti, o] = ti_o();
    let il = 1e9;
    let y = spectrum(&e, il, &[(&ti, 1000.0), (&o, 3000.0)]);
    let model = EdgeModel::new(&e, &ti_o(), &EdgeModelOptions::new(OPTICS)).unwrap();
    let q = model
        .fit(
            &y,
            Some(Estimate {
                value: il,
                stderr: None,
            }),
        )
        .unwrap();
    assert!(q.fit.converged, "{q}");
    assert!((q.background.1.value - 3.2).abs() < 1e-9, "{q}");
    for (k, want) in [1000.0, 3000.0].into_iter().enumerate() {
        let n = q.edges[k].areal_density.unwrap();
        assert!((n.value - want).abs() < 1e-7 * want, "{q}");
        assert!(n.stderr.unwrap() > 0.0);
    }
    // the ratio without the bias of extrapolating Ti's continuum under O K
    assert_eq!(q.ratios[0].label, "Ti/O");
    assert!((q.ratios[0].value.value - 1.0 / 3.0).abs() < 1e-9, "{q}");
    // the background's A is at the window's first energy
    assert!((q.background.0.value - 2e13 * 380f64.powf(-3.2)).abs() < 1e-6 * q.background.0.value);
    assert_eq!(q.fit.params.len(), 4);
    let back = model
        .evaluate(&q.fit.params.iter().map(|p| p.value).collect::<Vec<_>>())
        .unwrap();
    assert!(back.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-6 * b));
    // a convergent probe: the effective angle at each onset is used
    let optics = Optics {
        alpha_mrad: 10.0,
        ..OPTICS
    };
    let m2 = EdgeModel::new(&e, &ti_o(), &EdgeModelOptions::new(optics)).unwrap();
    let q2 = m2.fit(&y, None).unwrap();
    assert!(
        q2.effective_beta_mrad
            .iter()
            .all(|&b| (b - 20.0).abs() > 0.1),
        "{:?}",
        q2.effective_beta_mrad
    );
}

#[test]
fn reported_errors_match_the_spread_of_poisson_redraws() {
    let e = axis();
    let [ti, o] = ti_o();
    let clean = spectrum(&e, 1e9, &[(&ti, 1000.0), (&o, 3000.0)]);
    let model = EdgeModel::new(&e, &ti_o(), &EdgeModelOptions::new(OPTICS)).unwrap();
    let integration = QuantifyOptions {
        optics: OPTICS,
        delta_ev: 50.0,
        gain: 1.0,
    };
    let specs = [
        EdgeSpec::hydrogenic("Ti", "L23").unwrap(),
        EdgeSpec::hydrogenic("O", "K").unwrap(),
    ];
    let mut rng = Rng::new(11);
    let runs = 200;
    let (mut rat, mut sig, mut z, mut int_sig) = (vec![], 0.0, vec![], 0.0);
    for _ in 0..runs {
        let y: Vec<f64> = clean.iter().map(|&m| rng.poisson(m) as f64).collect();
        let q = model.fit(&y, None).unwrap();
        let r = q.ratios[0].value;
        rat.push(r.value);
        sig += r.stderr.unwrap() / runs as f64;
        z.push((r.value - 1.0 / 3.0) / r.stderr.unwrap());
        int_sig += quantify(&e, &y, &specs, &integration, None).unwrap().ratios[0]
            .value
            .stderr
            .unwrap()
            / runs as f64;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    eprintln!(
        "Ti/O: spread {:.3e}, reported {sig:.3e}, mean z {:.3}; edge integration σ {int_sig:.3e}",
        sd(&rat),
        mean(&z)
    );
    // 200 draws: the sample sd is within ±15 % of the truth at 3σ
    assert!(
        (sd(&rat) / sig - 1.0).abs() < 0.15,
        "spread {} vs reported {sig}",
        sd(&rat)
    );
    // unbiased: the mean z-score within 3/√200
    assert!(
        mean(&z).abs() < 3.0 / (runs as f64).sqrt(),
        "mean z {}",
        mean(&z)
    );
    // the whole window is worth more than two 50 eV windows
    assert!(sig < int_sig, "model σ {sig} vs integration σ {int_sig}");
}

/// Ti/O = 1/3 with L3 and L2 white lines the hydrogenic shape does not
/// have, three and two times the Ti edge's height 10 eV above its onset.
fn with_white_lines(e: &[f64]) -> Vec<f64> {
    let [ti, o] = ti_o();
    let mut y = spectrum(e, 1e9, &[(&ti, 1000.0), (&o, 3000.0)]);
    let jump =
        1e9 * 1000.0 * 1e-10 * ti.differential_cross_section(466.0, 200.0, 20.0).unwrap() * 0.25;
    for (yi, &x) in y.iter_mut().zip(e) {
        for (c, h) in [(458.5, 3.0 * jump), (464.0, 2.0 * jump)] {
            *yi += h * (-(x - c) * (x - c) / (2.0 * 0.8 * 0.8)).exp();
        }
    }
    y
}

#[test]
fn white_lines_are_left_out_with_the_fine_structure_window() {
    let e = axis();
    let y = with_white_lines(&e);
    let ratio = |fs: f64| {
        let o = EdgeModelOptions {
            fine_structure_ev: fs,
            ..EdgeModelOptions::new(OPTICS)
        };
        let q = EdgeModel::new(&e, &ti_o(), &o)
            .unwrap()
            .fit(&y, None)
            .unwrap();
        q.ratios[0].value.value
    };
    let (with, without) = (ratio(0.0), ratio(15.0));
    eprintln!("Ti/O (truth 1/3): white lines fitted {with:.5}, left out {without:.5}");
    assert!(
        (with - 1.0 / 3.0).abs() > 0.02,
        "white lines in the fit: {with}"
    );
    assert!((without - 1.0 / 3.0).abs() < 1e-3, "left out: {without}");
}

#[test]
fn bad_input_is_an_error_that_says_what() {
    let e = axis();
    let o = EdgeModelOptions::new(OPTICS);
    let err = |r: Result<EdgeModel, interphase_spectra::Error>| r.unwrap_err().to_string();
    assert!(err(EdgeModel::new(&e, &[], &o)).contains("no edge"));
    let narrow = EdgeModelOptions {
        window_ev: Some((500.0, 900.0)),
        ..o
    };
    let m = err(EdgeModel::new(&e, &ti_o(), &narrow));
    assert!(
        m.contains("Ti L23 onset at 456 eV is outside the window"),
        "{m}"
    );
    let late = EdgeModelOptions {
        window_ev: Some((454.0, 900.0)),
        ..o
    };
    let m = err(EdgeModel::new(&e, &ti_o(), &late));
    assert!(m.contains("the background needs at least 10"), "{m}");
    for gain in [0.0, f64::NAN] {
        let m = err(EdgeModel::new(&e, &ti_o(), &EdgeModelOptions { gain, ..o }));
        assert!(m.contains("gain"), "{m}");
    }
    let mut bad_axis = e.clone();
    bad_axis[5] = bad_axis[4];
    assert!(err(EdgeModel::new(&bad_axis, &ti_o(), &o)).contains("must increase"));
    let model = EdgeModel::new(&e, &ti_o(), &o).unwrap();
    let mut y = vec![100.0; e.len()];
    assert!(
        model
            .fit(&y[1..], None)
            .unwrap_err()
            .to_string()
            .contains("2399 intensities")
    );
    y[7] = f64::NAN;
    assert!(
        model
            .fit(&y, None)
            .unwrap_err()
            .to_string()
            .contains("intensity 7 is NaN")
    );
    let ll = Estimate {
        value: 0.0,
        stderr: None,
    };
    let m = model
        .fit(&vec![100.0; e.len()], Some(ll))
        .unwrap_err()
        .to_string();
    assert!(m.contains("low-loss intensity"), "{m}");
    assert!(model.evaluate(&[1.0, 2.0]).is_err());
    // a flat spectrum: no edge at all, amounts near zero with their σ
    let q = model.fit(&vec![100.0; e.len()], None).unwrap();
    assert!(q.edges.iter().all(|a| a.amount.stderr.is_some()), "{q}");
}

/// With fine-structure splines the white lines are fitted instead of left
/// out: the amounts come out as when the region is left out, and the
/// residuals of the white lines vanish (χ² of the whole window ~ 0 on
/// noise-free data, against the left-out fit's nothing-to-say).
#[test]
fn white_lines_are_fitted_by_fine_structure_splines() {
    let e = axis();
    let y = with_white_lines(&e);
    let opts = EdgeModelOptions {
        fine_structure_ev: 15.0,
        fine_structure_knots: 20,
        ..EdgeModelOptions::new(OPTICS)
    };
    let model = EdgeModel::new(&e, &ti_o(), &opts).unwrap();
    let names = model.parameter_names();
    assert_eq!(names.len(), 2 + 2 + 2 * 20);
    assert_eq!(names[4], "Ti L23.fs1");
    let q = model.fit(&y, None).unwrap();
    let r = q.ratios[0].value;
    eprintln!("Ti/O with splines: {} ± {:?}", r.value, r.stderr);
    assert!((r.value - 1.0 / 3.0).abs() < 2e-3, "{r:?}");
    // the whole window is fitted, white lines included, to a small residual
    let all: Vec<f64> = q.fit.params.iter().map(|p| p.value).collect();
    let m = model.evaluate(&all).unwrap();
    let worst = (0..e.len())
        .filter(|&i| (455.0..472.0).contains(&e[i]))
        .map(|i| ((m[i] - y[i]) / y[i]).abs())
        .fold(0.0, f64::max);
    assert!(
        worst < 0.01,
        "largest relative residual at the white lines {worst}"
    );
    // knots closer than the channels, or without a region: errors that say so
    let dense = EdgeModelOptions {
        fine_structure_knots: 100,
        ..opts
    };
    let m = EdgeModel::new(&e, &ti_o(), &dense).unwrap_err().to_string();
    assert!(m.contains("closer than the channels"), "{m}");
    let none = EdgeModelOptions {
        fine_structure_ev: 0.0,
        ..opts
    };
    let m = EdgeModel::new(&e, &ti_o(), &none).unwrap_err().to_string();
    assert!(m.contains("need a fine-structure region"), "{m}");
}
