//! Cross-domain workflows that take plain numbers across crate seams.
//!
//! - [`llto`]: the LLTO interface analysis (XPS Ti 2p → Ti³⁺ fraction → Li
//!   insertion and density; EELS ΔE table; impedance → resistances,
//!   conductivities, capacitances; Archimedes density), its tables and HTML
//!   report with figures.
//! - [`synthetic`]: the seeded generator of the bundled dataset `data/llto/`
//!   and its generating parameters.

pub mod llto;
pub mod synthetic;
