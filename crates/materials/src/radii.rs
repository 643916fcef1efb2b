//! Shannon (1976) effective ionic radii.
//!
//! Every (ion, charge, coordination, spin) entry of R. D. Shannon, "Revised
//! effective ionic radii and systematic studies of interatomic distances in
//! halides and chalcogenides", *Acta Cryst.* A32 (1976) 751–767, as transcribed in
//! pymatgen's element table: the *effective ionic* radius (O²⁻ VI = 1.40 Å, the
//! one tolerance factors use) and the *crystal* radius (+0.14 Å for cations), Å.
//!
//! ```
//! use interphase_materials::radii::{shannon_radius, Spin};
//! assert_eq!(shannon_radius("La", 3, 12, Spin::None)?, 1.36);
//! assert_eq!(shannon_radius("Ti", 4, 6, Spin::None)?, 0.605);
//! assert_eq!(shannon_radius("O", -2, 6, Spin::None)?, 1.40);
//! assert!(shannon_radius("Li", 1, 12, Spin::None).is_err()); // Shannon lists Li⁺ up to VIII
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use crate::data::shannon::SHANNON;
use crate::error::{Error, Result};

/// Spin state of a transition-metal ion (Shannon lists high- and low-spin radii).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Spin {
    /// No spin distinction (most ions).
    None,
    /// High spin.
    High,
    /// Low spin.
    Low,
}

/// One row of Shannon's table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ShannonEntry {
    /// Element symbol.
    pub symbol: &'static str,
    /// Ion charge (oxidation state).
    pub charge: i8,
    /// Coordination number.
    pub coordination: u8,
    /// `"SQ"` (square planar), `"PY"` (pyramidal) or `""`.
    pub geometry: &'static str,
    /// Spin state.
    pub spin: Spin,
    /// Effective ionic radius, Å.
    pub ionic: f64,
    /// Crystal radius, Å.
    pub crystal: f64,
}

/// Every tabulated entry (492 rows).
pub fn shannon_table() -> &'static [ShannonEntry] {
    SHANNON
}

/// The effective ionic radius (Å) of `symbol` with `charge` in `coordination`.
///
/// With [`Spin::None`] and an ion that has only spin-resolved entries, the
/// high-spin radius is returned. Where several geometries share a coordination
/// (e.g. IV and IV-square-planar), the plain one is preferred.
/// Errors when Shannon lists no such ion: the message lists what is tabulated.
pub fn shannon_radius(symbol: &str, charge: i8, coordination: u8, spin: Spin) -> Result<f64> {
    let matches: Vec<&ShannonEntry> = SHANNON
        .iter()
        .filter(|e| e.symbol == symbol && e.charge == charge && e.coordination == coordination)
        .collect();
    let pick = |s: Spin| {
        matches
            .iter()
            .filter(|e| e.spin == s)
            .min_by_key(|e| !e.geometry.is_empty())
    };
    let found = match spin {
        Spin::None => pick(Spin::None).or_else(|| pick(Spin::High)),
        s => pick(s),
    };
    found.map(|e| e.ionic).ok_or_else(|| {
        let have: Vec<String> = SHANNON
            .iter()
            .filter(|e| e.symbol == symbol)
            .map(|e| format!("{}{:+} CN{}{}", e.symbol, e.charge, e.coordination, e.geometry))
            .collect();
        Error::NotTabulated(format!(
            "Shannon radius of {symbol}{charge:+} in coordination {coordination} ({spin:?} spin); tabulated: {}",
            if have.is_empty() { "none".to_string() } else { have.join(", ") }
        ))
    })
}
