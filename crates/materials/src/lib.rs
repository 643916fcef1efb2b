//! # interphase-materials
//!
//! The chemistry behind "measured 4.796 g cm⁻³ against a theoretical
//! 5.021 g cm⁻³ is 95.5 % dense" and behind "Li insertion reduces Ti⁴⁺ to Ti³⁺":
//! elements with IUPAC 2021 standard atomic weights, Shannon radii, chemical
//! formulas, densities (X-ray, Archimedes), perovskite descriptors and LLTO
//! stoichiometry. Depends on no other crate of the workspace.
//!
//! ```
//! use interphase_materials::{Formula, density::{Lattice, theoretical_density}};
//! let f: Formula = "Li0.33La0.56TiO3".parse()?;
//! println!("M = {:.3} ± {:.3} g/mol", f.molar_mass(), f.molar_mass_uncertainty());
//! let rho = theoretical_density(&f, &Lattice::cubic(3.875)?, 1.0)?;
//! assert!((rho - 5.021).abs() < 5e-4);
//! # Ok::<(), interphase_materials::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

mod data;
pub mod density;
pub mod element;
mod error;
pub mod formula;
pub mod llto;
pub mod perovskite;
pub mod radii;

pub use element::{Element, WeightKind};
pub use error::{Error, Result};
pub use formula::Formula;

/// The materials guide's examples (docs/materials.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/materials.md")]
pub struct GuideDoctests;
