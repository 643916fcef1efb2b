//! # interphase-plot
//!
//! SVG figures of spectrum fits, Nyquist and Bode plots, DRT and Arrhenius plots,
//! displayed inline in evcxr notebooks.
//!
//! **Status: placeholder.** This crate currently provides only its error type;
//! figures arrive with the issue "Umbrella crate, figures, evcxr notebooks".
//!
//! ```
//! use interphase_plot::Error;
//! let e = Error::Io("disk full".into());
//! assert_eq!(e.to_string(), "cannot write the figure: disk full");
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

/// Errors of `interphase-plot`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing the figure failed.
    #[error("cannot write the figure: {0}")]
    Io(String),
    /// An error of the spectra crate.
    #[error(transparent)]
    Spectra(#[from] interphase_spectra::Error),
    /// An error of the EIS crate.
    #[error(transparent)]
    Eis(#[from] interphase_eis::Error),
}

/// Result type of `interphase-plot`.
pub type Result<T> = std::result::Result<T, Error>;
