//! # interphase-spectra
//!
//! Spectra of the LLTO interface study — XPS, EELS, EDS and XRD — as one
//! `Spectrum` type with readers, processing, baselines, line shapes and peak fits.
//!
//! **Status: placeholder.** This crate currently provides only its error type;
//! the line shapes, readers, baselines and peak models arrive with the issues
//! "Line shapes", "Spectra" and "Spectral peak fitting and XPS analysis".
//!
//! ```
//! use interphase_spectra::Error;
//! let e: Error = interphase_fit::Error::NoFreeParameters.into();
//! assert!(e.to_string().contains("no varying parameters"));
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

/// Errors of `interphase-spectra`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the fitting core.
    #[error(transparent)]
    Fit(#[from] interphase_fit::Error),
}

/// Result type of `interphase-spectra`.
pub type Result<T> = std::result::Result<T, Error>;
