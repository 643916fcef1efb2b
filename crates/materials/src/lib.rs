//! # interphase-materials
//!
//! Elements, chemical formulas, molar masses, densities, perovskite descriptors
//! and LLTO stoichiometry. Depends on no other crate of the workspace.
//!
//! **Status: placeholder.** This crate currently provides only its error type;
//! the content arrives with the issue "Materials: elements, formulas, densities
//! and LLTO stoichiometry".
//!
//! ```
//! use interphase_materials::Error;
//! let e = Error::Parse { position: 3, reason: "expected an element symbol".into() };
//! assert_eq!(e.to_string(), "position 3: expected an element symbol");
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

/// Errors of `interphase-materials`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed formula or input string, with the 1-based character position.
    #[error("position {position}: {reason}")]
    Parse {
        /// 1-based character position of the fault.
        position: usize,
        /// What was expected there.
        reason: String,
    },
}

/// Result type of `interphase-materials`.
pub type Result<T> = std::result::Result<T, Error>;
