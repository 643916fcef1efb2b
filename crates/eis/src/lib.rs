//! # interphase-eis
//!
//! Electrochemical impedance spectroscopy for solid electrolytes: equivalent
//! circuits in impedance.py's syntax with analytic Jacobians, impedance data
//! and complex nonlinear least-squares fits. Instrument files are read by
//! `interphase-io` (every vendor's text, BioLogic `.mpr`).
//!
//! **Status:** [`element`], [`circuit`], [`data`], [`fit`], [`zhit`] (Z-HIT),
//! [`conductivity`] (σ, ASR, symmetric-cell interfaces, effective CPE
//! capacitances, arc assignment, Arrhenius), [`kk`] (the Lin-KK validity
//! test) and [`drt`] (distribution of relaxation times: Tikhonov with
//! Gaussian basis functions, non-negative, λ by GCV or L-curve; [`drt_fit`]:
//! one R‖CPE process per peak, with uncertainties) are in place.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum, fit::{fit_circuit, FitOptions}};
//! let circuit: Circuit = "R0-p(R1,C1)".parse()?;
//! let truth = [20.0, 100.0, 1e-6];
//! let freqs: Vec<f64> = (0..50).map(|i| 10f64.powf(6.0 - 0.12 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate(&circuit, &truth, &freqs)?;
//! // no initial guess: read from the Nyquist plot, then refined
//! let fit = fit_circuit(&circuit, &data, None, &FitOptions::default())?;
//! assert!((fit.value("R1").unwrap() - 100.0).abs() < 1e-6);
//! # Ok::<(), interphase_eis::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

pub mod circuit;
pub mod conductivity;
pub mod data;
pub mod drt;
pub mod drt_bands;
pub mod drt_fit;
pub mod element;
mod error;
pub mod fit;
pub mod kk;
pub mod zhit;

pub use circuit::Circuit;
pub use data::ImpedanceSpectrum;
pub use error::{Error, Result};
pub use num_complex::Complex64;

/// The impedance guide's examples (docs/eis.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/eis.md")]
pub struct GuideDoctests;
