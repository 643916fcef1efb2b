//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `../shared/data/eis/<name>` when present; otherwise prints why the caller
/// skips and returns `None` (a fresh clone has no ../shared).
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eis")
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
