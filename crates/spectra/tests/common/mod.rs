//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A file of ../shared/data/spectra, or `None` (with a message) when that
/// folder is absent, as in a user's fresh clone.
#[allow(dead_code)] // not every test binary uses it
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/spectra")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (../shared/data is not part of a fresh clone)",
            p.display()
        );
        None
    }
}

/// Deterministic Gaussian noise (Box–Muller on a xorshift generator).
#[allow(dead_code)] // not every test binary uses it
pub fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (next().max(1e-300), next());
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        })
        .collect()
}

/// EELS counts per channel on a 0.25 eV axis: 2e13·E^(−3.2) plus
/// I_l·N·dσ/dE·ΔE of each (edge, areal density in atoms/nm²) at 200 keV,
/// 20 mrad, computed from the cross-sections.
#[allow(dead_code)] // not every test binary uses it
pub fn eels_core_loss(
    e: &[f64],
    il: f64,
    edges: &[(&interphase_spectra::eels::HydrogenicEdge, f64)],
) -> Vec<f64> {
    e.iter()
        .map(|&x| {
            let mut y = 2e13 * x.powf(-3.2);
            for (edge, n) in edges {
                // atoms/nm² × barn/eV = 1e-10 per eV
                y += il
                    * n
                    * 1e-10
                    * edge.differential_cross_section(x, 200.0, 20.0).unwrap()
                    * 0.25;
            }
            y
        })
        .collect()
}
