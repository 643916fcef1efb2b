//! Chemical elements Z = 1..=103: symbols, names, IUPAC standard atomic weights
//! with uncertainties, and common oxidation states.
//!
//! Atomic weights are the IUPAC 2021 standard atomic weights abridged to five
//! significant figures (T. Prohaska et al., *Pure Appl. Chem.* 94 (2022) 573,
//! Table 2): for the 14 elements whose standard weight is an interval (H, Li, B,
//! C, N, O, Mg, Si, S, Cl, Ar, Br, Tl, Pb) the abridged conventional value and its
//! uncertainty; for elements with no stable isotope (Tc, Pm, Po–Ac, Np–Lr) the
//! mass number of a long-lived isotope, flagged [`WeightKind::MassNumber`] and
//! with zero uncertainty. Common oxidation states follow pymatgen's table.
//!
//! ```
//! use interphase_materials::Element;
//! let ti = Element::from_symbol("Ti")?;
//! assert_eq!(ti.z(), 22);
//! assert_eq!(ti.atomic_weight(), 47.867);
//! assert_eq!(ti.atomic_weight_uncertainty(), 0.001);
//! assert_eq!(Element::from_symbol("Li")?.atomic_weight(), 6.94); // an interval element
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use crate::data::elements::ELEMENTS;
use crate::error::{Error, Result};

/// How an element's atomic weight is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WeightKind {
    /// A single standard atomic weight with its uncertainty.
    Standard,
    /// The standard weight is an interval; the abridged conventional value is used.
    Interval,
    /// No standard atomic weight: the mass number of a long-lived isotope.
    MassNumber,
}

/// Raw table row.
#[derive(Debug)]
pub(crate) struct ElementData {
    pub z: u8,
    pub symbol: &'static str,
    pub name: &'static str,
    pub weight: f64,
    pub uncertainty: f64,
    pub kind: WeightKind,
    pub common_oxidation_states: &'static [i8],
    pub oxidation_states: &'static [i8],
}

/// A chemical element (a handle into the built-in table; `Copy`, ordered by Z).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Element(u8);

impl Element {
    /// The element with atomic number `z` (1..=103).
    pub fn from_z(z: u32) -> Result<Element> {
        if (1..=103).contains(&z) {
            Ok(Element(z as u8))
        } else {
            Err(Error::UnknownElement(format!("Z = {z}")))
        }
    }

    /// The element with symbol `symbol` (case-sensitive, as in formulas: `Ti`, not `TI`).
    pub fn from_symbol(symbol: &str) -> Result<Element> {
        ELEMENTS
            .iter()
            .find(|e| e.symbol == symbol)
            .map(|e| Element(e.z))
            .ok_or_else(|| Error::UnknownElement(symbol.to_string()))
    }

    /// Every element, Z = 1..=103.
    pub fn all() -> impl Iterator<Item = Element> {
        (1..=103u8).map(Element)
    }

    fn data(self) -> &'static ElementData {
        &ELEMENTS[self.0 as usize - 1]
    }

    /// Atomic number Z.
    pub fn z(self) -> u32 {
        self.0 as u32
    }

    /// Symbol, e.g. `"La"`.
    pub fn symbol(self) -> &'static str {
        self.data().symbol
    }

    /// English name (IUPAC spelling: aluminium, caesium, sulfur).
    pub fn name(self) -> &'static str {
        self.data().name
    }

    /// Standard atomic weight (g mol⁻¹), IUPAC 2021 abridged.
    pub fn atomic_weight(self) -> f64 {
        self.data().weight
    }

    /// Uncertainty of [`atomic_weight`](Element::atomic_weight) (g mol⁻¹) as
    /// printed in the abridged table; 0 for [`WeightKind::MassNumber`].
    pub fn atomic_weight_uncertainty(self) -> f64 {
        self.data().uncertainty
    }

    /// How the atomic weight is defined.
    pub fn weight_kind(self) -> WeightKind {
        self.data().kind
    }

    /// Common oxidation states (pymatgen's "Common oxidation states").
    pub fn common_oxidation_states(self) -> &'static [i8] {
        self.data().common_oxidation_states
    }

    /// Every known oxidation state (pymatgen's "Oxidation states", plus the common ones).
    pub fn oxidation_states(self) -> &'static [i8] {
        self.data().oxidation_states
    }
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

impl serde::Serialize for Element {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for Element {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Element::from_symbol(&s).map_err(serde::de::Error::custom)
    }
}
