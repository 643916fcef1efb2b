//! # interphase
//!
//! Characterisation of solid-state battery materials and their interfaces —
//! XPS, EELS, EDS and XRD spectra, impedance spectroscopy, ceramic density and
//! stoichiometry — with one fitting core. This umbrella crate re-exports the
//! domain crates as modules and gathers the everyday names in [`prelude`].
//!
//! | module | crate | what |
//! | --- | --- | --- |
//! | [`fit`] | `interphase-fit` | nonlinear least squares, bounds, ties, uncertainties, batch and global fits |
//! | [`spectra`] | `interphase-spectra` | spectra, processing, baselines, peak finding, line shapes, peak models, XPS quantification, EELS, XRD, EDS |
//! | [`eis`] | `interphase-eis` | circuits, impedance data, CNLS fits with automatic guesses, conductivity and capacitances, Lin-KK, DRT |
//! | [`io`] | `interphase-io` | every instrument file: format sniffed from the bytes; impedance by header (CSV, .mpt, .mpr, .DTA, .z, .par, .idf), spectra (VAMAS, EMSA, XRDML, SPECS .xy, Gatan .dm3/.dm4, .ibw, PHI, EDAX, Bruker, Rigaku ...), several spectra a file; CSV/JSON writers |
//! | [`materials`] | `interphase-materials` | elements, formulas, densities, perovskites, LLTO stoichiometry |
//! | [`plot`] | `interphase-plot` | SVG figures: spectrum fits, Nyquist, Bode, x–y plots; evcxr display |
//! | [`validation`] | this crate | Z-HIT on a Savitzky–Golay-smoothed phase (eis + spectra) |
//! | [`workflows`] | this crate | the LLTO interface analysis (the main job) and its synthetic dataset |
//!
//! Cargo features (all on by default): `spectra`, `eis`, `materials`, `plot`
//! (needs spectra and eis), `io` (needs spectra and eis) and `workflows` (everything); with
//! `default-features = false` only the fitting core is built, e.g.
//! `interphase = { ..., default-features = false, features = ["eis"] }`.
//!
//! ```
//! use interphase::prelude::*;
//! let x = [1.0, 2.0, 3.0, 4.0];
//! let y = [2.0, 4.1, 5.9, 8.0];
//! let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * x)?;
//! let r = fit(&problem, &Parameters::from_values(&[("k", 1.0)])?, &LmOptions::default())?;
//! assert!((r.value("k").unwrap() - 1.9966666666666666).abs() < 1e-9);
//! # Ok::<(), interphase::fit::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

mod error;
#[cfg(all(feature = "eis", feature = "spectra"))]
pub mod validation;
#[cfg(feature = "workflows")]
pub mod workflows;

pub use error::{Error, Result};
#[cfg(feature = "eis")]
#[doc(inline)]
pub use interphase_eis as eis;
#[doc(inline)]
pub use interphase_fit as fit;
#[cfg(feature = "io")]
#[doc(inline)]
pub use interphase_io as io;
#[cfg(feature = "materials")]
#[doc(inline)]
pub use interphase_materials as materials;
#[cfg(feature = "plot")]
#[doc(inline)]
pub use interphase_plot as plot;
#[cfg(feature = "spectra")]
#[doc(inline)]
pub use interphase_spectra as spectra;

/// The everyday names, for `use interphase::prelude::*` in programs and notebooks.
pub mod prelude {
    #[cfg(feature = "eis")]
    pub use interphase_eis::fit::{
        FitOptions as EisFitOptions, Weighting, fit_circuit, fit_circuit_batch, fit_circuit_global,
    };
    #[cfg(feature = "eis")]
    pub use interphase_eis::{Circuit, ImpedanceSpectrum};
    pub use interphase_fit::{
        CurveFit, Derivatives, FitResult, GlobalProblem, JacobianMut, LmOptions, MultiStart,
        NelderMeadOptions, Parameter, Parameters, Problem, Progress, Termination, fit, fit_batch,
        fit_batch_with, fit_multistart, nelder_mead,
    };
    #[cfg(feature = "materials")]
    pub use interphase_materials::density::{Lattice, theoretical_density};
    #[cfg(feature = "materials")]
    pub use interphase_materials::llto::Llto;
    #[cfg(feature = "materials")]
    pub use interphase_materials::{Element, Formula};
    #[cfg(feature = "spectra")]
    pub use interphase_spectra::lineshape::{LineShape, Shape, ShapeKind, Voigt};
    #[cfg(feature = "spectra")]
    pub use interphase_spectra::model::{
        BatchOptions, PeakFit, PeakFitOptions, PeakModel, PeakWeighting,
    };
    #[cfg(feature = "spectra")]
    pub use interphase_spectra::peaks::{Interval, PeakOptions};
    #[cfg(feature = "spectra")]
    pub use interphase_spectra::xps::{RsfLibrary, XraySource};
    #[cfg(feature = "spectra")]
    pub use interphase_spectra::{Metadata, Normalisation, Spectrum, Technique, XQuantity};
}

/// The getting-started guide's examples (docs/getting-started.md), compiled and run as doctests.
#[cfg(all(doctest, feature = "workflows"))]
#[doc = include_str!("../../../docs/getting-started.md")]
pub struct GettingStartedDoctests;

/// The README's tour, compiled and run as a doctest.
#[cfg(all(doctest, feature = "workflows"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
