//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A file of ../shared/data/spectra, or `None` (with a message) when that
/// folder is absent, as in a user's fresh clone.
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
