//! EDS identification and line fits on the NIST K412 glass spectrum
//! (../shared/data/spectra, skipped when absent), read by interphase-io.

mod common;

use common::shared;
use interphase_spectra::eds::{self, EdsOptions, Line};

/// Certified elements of NIST SRM 470 K412 glass (the file's D2STDCMP line).
const K412: [&str; 6] = ["O", "Mg", "Al", "Si", "Ca", "Fe"];

#[test]
fn k412_certified_elements_are_identified() {
    let Some(p) = shared("nexl_K412_0.msa") else {
        return;
    };
    let s = interphase_io::read_spectra(&p).unwrap().remove(0);
    let id = eds::identify(&s, &EdsOptions::default()).unwrap();
    let got = id.symbols();
    for e in K412 {
        assert!(got.contains(&e), "{e} not identified: {got:?}");
    }
    // nothing else but the carbon coating
    for e in &got {
        assert!(K412.contains(e) || *e == "C", "spurious {e}: {got:?}");
    }
    assert!((id.beam_ev - 20_000.0).abs() < 1e-9);
    let fe = id.elements.iter().find(|e| e.symbol == "Fe").unwrap();
    assert!(fe.lines.iter().any(|l| l.line == Line::Ka));
    assert!(fe.lines.iter().any(|l| l.line == Line::Kb));
    assert!(id.unexplained().is_empty(), "{:?}", id.unexplained());
    // line areas: the K412 Kα lines are all strong and well determined
    let f = eds::fit_lines(&s, &K412, &EdsOptions::default(), 30.0).unwrap();
    for e in K412 {
        let a = f.area(e, Line::Ka).unwrap();
        assert!(
            a.value > 0.0 && a.stderr.unwrap() < 0.05 * a.value,
            "{e}: {a}"
        );
    }
    assert!(f.offset_ev.abs() < 20.0, "{}", f.offset_ev);
}
