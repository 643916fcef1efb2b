//! # interphase-eis
//!
//! Electrochemical impedance spectroscopy for solid electrolytes: equivalent
//! circuits, impedance data and readers, complex nonlinear least-squares fits,
//! Kramers–Kronig checks, DRT, conductivity and Arrhenius analysis.
//!
//! **Status: placeholder.** This crate currently provides only its error type;
//! circuits and fits arrive with the issues "EIS: equivalent circuits..." and
//! "EIS validation and solid-electrolyte analysis".
//!
//! ```
//! use interphase_eis::Error;
//! let e: Error = interphase_fit::Error::NoFreeParameters.into();
//! assert!(e.to_string().contains("no varying parameters"));
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

/// Errors of `interphase-eis`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the fitting core.
    #[error(transparent)]
    Fit(#[from] interphase_fit::Error),
}

/// Result type of `interphase-eis`.
pub type Result<T> = std::result::Result<T, Error>;
