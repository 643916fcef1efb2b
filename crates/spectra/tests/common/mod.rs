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
