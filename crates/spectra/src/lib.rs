//! # interphase-spectra
//!
//! Spectra of the LLTO interface study — XPS, EELS, EDS and XRD — as one
//! `Spectrum` type with processing, baselines, line shapes and peak fits
//! (instrument files are read by `interphase-io`).
//!
//! **Status:** [`spectrum`] (the validated [`Spectrum`] and its processing),
//! [`baseline`], [`peaks`] (scipy `find_peaks` semantics), [`smooth`] and
//! [`lineshape`], [`model`] (peak models: active Shirley/Tougaard backgrounds,
//! doublets, ties, TOML/JSON model files, fits with component uncertainties)
//! [`xps`] (quantification), [`eels`] (power-law background with an
//! automatic pre-edge window, edge energies, ΔE, white-line ratios,
//! crystal-field splitting), [`xrd`] (Bragg, Kα2 stripping, peak fits,
//! Scherrer, Williamson–Hall, indexing and lattice refinement), [`eds`]
//! (line table Z = 3..92, identification, line areas) and [`table`] (depth ×
//! condition tables of estimates) are in place.
//!
//! ```
//! use interphase_spectra::lineshape::{LineShape, Shape, ShapeKind};
//! // a CasaXPS-style GL(30) C 1s component at 284.8 eV
//! let c1s = Shape::from_parameters(ShapeKind::Gl, &[284.8, 1.1, 30.0, 2500.0])?;
//! let x: Vec<f64> = (0..200).map(|i| 280.0 + 0.05 * i as f64).collect();
//! let mut y = vec![0.0; x.len()];
//! c1s.eval_into(&x, &mut y)?;
//! assert!(y.iter().cloned().fold(0.0, f64::max) > 0.0);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

pub mod baseline;
pub mod eds;
mod eds_lines;
pub mod eels;
mod error;
pub mod lineshape;
pub mod model;
pub mod peaks;
pub mod smooth;
pub mod spectrum;
pub mod table;
pub mod xps;
mod xps_rsf;
pub mod xrd;

pub use error::{Error, Result};
pub use spectrum::{Metadata, Normalisation, Spectrum, Technique, XQuantity};

/// The line-shape guide's examples (docs/lineshapes.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/lineshapes.md")]
pub struct GuideDoctests;

/// The spectroscopy guide's examples (docs/spectroscopy.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/spectroscopy.md")]
pub struct SpectroscopyDoctests;

/// The peak-fitting and XPS guide's examples (docs/xps.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/xps.md")]
pub struct XpsDoctests;

/// The XRD/EDS/EELS guide's examples (docs/xrd-eds-eels.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/xrd-eds-eels.md")]
pub struct XrdEdsEelsDoctests;
