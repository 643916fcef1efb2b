//! Hydrogenic cross-sections against exspy 0.3's `HydrogenicGOS` (Egerton's
//! SIGMAK3/SIGMAL3), numbers from crates/spectra/tools/gen_exspy_xsec_refs.py.

use interphase_spectra::eels::{HydrogenicEdge, Optics, Shell, effective_angle};

#[path = "refs/exspy_xsec.rs"]
mod refs;

#[test]
fn differential_and_partial_cross_sections_match_exspy() {
    for &(el, shell, onset, l1, e0, beta, delta, sigma, diff) in refs::CASES {
        let edge = HydrogenicEdge::lookup(el, shell).unwrap();
        assert_eq!(edge.onset_ev.to_bits(), onset.to_bits(), "{el} {shell}");
        if edge.shell == Shell::L23 {
            assert_eq!(edge.l1_ev.map(f64::to_bits), Some(l1.to_bits()));
        }
        for &(e, want) in diff {
            let got = edge.differential_cross_section(e, e0, beta).unwrap();
            // exspy's q integral is scipy quad at its default 1.5e-8 tolerance
            assert!(
                (got - want).abs() < 1e-7 * want,
                "{el} {shell} dσ/dE at {e} eV: {got} vs exspy {want}"
            );
        }
        let optics = Optics {
            beam_kev: e0,
            beta_mrad: beta,
            alpha_mrad: 0.0,
        };
        let got = edge.partial_cross_section(&optics, delta).unwrap();
        assert!(
            (got - sigma).abs() < 1e-8 * sigma,
            "{el} {shell} σ(β = {beta}, Δ = {delta}): {got} vs exspy {sigma}"
        );
    }
}

#[test]
fn effective_angle_matches_exspy() {
    for &(e0, e, a, b, want) in refs::EFFECTIVE_ANGLE {
        let got = effective_angle(e0, e, a, b).unwrap();
        assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
    }
    assert_eq!(
        effective_angle(200.0, 456.0, 0.0, 20.0).unwrap().to_bits(),
        20f64.to_bits()
    );
}
