//! EDS identification and line fits on a synthetic LLTO spectrum with known
//! line areas (the NIST K412 glass test reads a file: crates/io/tests/eds_k412.rs).

mod common;

use common::noise;
use interphase_spectra::Spectrum;
use interphase_spectra::eds::{self, EdsOptions, Line};

/// A synthetic LLTO spectrum: O Kα, Ti Kα/Kβ, La Lα/Lβ/Mα Gaussians at
/// the detector resolution on a smooth continuum, with Poisson-like noise.
fn llto_spectrum(shift: f64) -> (Spectrum, Vec<(&'static str, Line, f64)>) {
    let truth = vec![
        ("O", Line::Ka, 60_000.0),
        ("Ti", Line::Ka, 90_000.0),
        ("Ti", Line::Kb, 12_000.0),
        ("La", Line::La, 50_000.0),
        ("La", Line::Lb, 30_000.0),
        ("La", Line::Ma, 25_000.0),
    ];
    let x: Vec<f64> = (0..2048).map(|i| 10.0 * i as f64).collect();
    let mut y: Vec<f64> = x
        .iter()
        .map(|&e| {
            let k = e / 1000.0;
            // Kramers-like continuum, absorbed at low energy
            300.0 * (15.0 - k).max(0.0) / (k + 0.5) * (1.0 - (-k * 2.0).exp())
        })
        .collect();
    for &(sym, line, area) in &truth {
        let e0 = eds::element(sym).unwrap().energy(line).unwrap() + shift;
        let w = eds::fwhm_at(e0, 128.0).unwrap();
        let sd = w / (8.0 * 2f64.ln()).sqrt();
        for (yi, &e) in y.iter_mut().zip(&x) {
            let z = (e - e0) / sd;
            *yi += area * 10.0 * (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
        }
    }
    for (v, n) in y.iter_mut().zip(noise(x.len(), 11)) {
        *v = (*v + v.max(1.0).sqrt() * n).max(0.0);
    }
    (Spectrum::new(x, y).unwrap(), truth)
}

#[test]
fn synthetic_llto_is_identified_with_overlaps_flagged() {
    let (s, _) = llto_spectrum(0.0);
    let o = EdsOptions {
        fwhm_mn_ka: 128.0,
        beam_kv: Some(15.0),
        ..Default::default()
    };
    let id = eds::identify(&s, &o).unwrap();
    let mut got = id.symbols();
    got.sort();
    assert_eq!(got, vec!["La", "O", "Ti"], "{:?}", id.peaks);
    // Ti Kα (4510 eV) and La Lα (4647 eV); Ti Kβ (4933 eV) and La Lβ (5038 eV)
    let pairs: Vec<(String, String)> = id
        .overlaps
        .iter()
        .map(|o| (o.a.label(), o.b.label()))
        .collect();
    assert!(
        pairs.contains(&("Ti Ka".into(), "La La".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("Ti Kb".into(), "La Lb".into())),
        "{pairs:?}"
    );
}

#[test]
fn line_areas_are_recovered_through_overlaps_and_an_offset() {
    for shift in [0.0, 8.0] {
        let (s, truth) = llto_spectrum(shift);
        let o = EdsOptions {
            fwhm_mn_ka: 128.0,
            beam_kv: Some(15.0),
            ..Default::default()
        };
        let f = eds::fit_lines(&s, &["O", "Ti", "La"], &o, 20.0).unwrap();
        assert!(
            (f.offset_ev - shift).abs() < 1.5,
            "offset {} vs {shift}",
            f.offset_ev
        );
        for (sym, line, area) in truth {
            let a = f.area(sym, line).unwrap();
            let e = a.stderr.unwrap();
            // the SNIP background takes a little of each peak's tails
            assert!(
                (a.value - area).abs() < 4.0 * e + 0.03 * area,
                "{sym} {line:?}: {a} vs {area}"
            );
        }
    }
}

#[test]
fn bad_input_is_an_error() {
    let (s, _) = llto_spectrum(0.0);
    let bad = |o: EdsOptions| eds::identify(&s, &o).unwrap_err().to_string();
    assert!(
        bad(EdsOptions {
            fwhm_mn_ka: -1.0,
            ..Default::default()
        })
        .contains("Mn Kα")
    );
    assert!(
        bad(EdsOptions {
            beam_kv: Some(f64::NAN),
            ..Default::default()
        })
        .contains("beam")
    );
    assert!(
        bad(EdsOptions {
            candidates: vec!["Xx".into()],
            ..Default::default()
        })
        .contains("Xx")
    );
    assert!(
        bad(EdsOptions {
            min_significance: 0.0,
            ..Default::default()
        })
        .contains("significance")
    );
    let o = EdsOptions::default();
    assert!(eds::fit_lines(&s, &[], &o, 10.0).is_err());
    assert!(
        eds::fit_lines(&s, &["Qq"], &o, 10.0)
            .unwrap_err()
            .to_string()
            .contains("Qq")
    );
    assert!(eds::fit_lines(&s, &["O"], &o, 1e6).is_err());
    let short = Spectrum::new(vec![1.0, 2.0, 3.0], vec![1.0, 2.0, 3.0]).unwrap();
    assert!(
        eds::identify(&short, &o)
            .unwrap_err()
            .to_string()
            .contains("too short")
    );
    // candidates restrict the search
    let only_o = EdsOptions {
        candidates: vec!["O".into()],
        fwhm_mn_ka: 128.0,
        beam_kv: Some(15.0),
        ..Default::default()
    };
    assert_eq!(eds::identify(&s, &only_o).unwrap().symbols(), vec!["O"]);
}

#[test]
fn kev_axes_are_converted() {
    let (s, _) = llto_spectrum(0.0);
    let kev: Vec<f64> = s.x().iter().map(|e| e / 1000.0).collect();
    let mut k = Spectrum::new(kev, s.y().to_vec()).unwrap();
    k.meta.x_unit = "keV".into();
    let o = EdsOptions {
        fwhm_mn_ka: 128.0,
        beam_kv: Some(15.0),
        ..Default::default()
    };
    assert_eq!(
        eds::identify(&k, &o).unwrap().symbols(),
        eds::identify(&s, &o).unwrap().symbols()
    );
}
