//! The error type of `interphase-materials`.

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

    /// An element symbol or atomic number that does not exist (Z = 1..=103 are known).
    #[error("unknown element `{0}`")]
    UnknownElement(String),

    /// A physical quantity out of its domain (negative length, mass, angle, ...).
    #[error("{name} = {value}: {reason}")]
    InvalidValue {
        /// The quantity (with its unit, e.g. `a_angstrom`).
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What is required of it.
        reason: String,
    },

    /// No tabulated value for the request (e.g. a Shannon radius for an unlisted coordination).
    #[error("not tabulated: {0}")]
    NotTabulated(String),
}

/// Result type of `interphase-materials`.
pub type Result<T> = std::result::Result<T, Error>;

/// Checks that `value` is finite and > 0.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidValue {
            name,
            value,
            reason: "must be finite and > 0".into(),
        })
    }
}

/// Checks that `value` is finite and ≥ 0.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidValue {
            name,
            value,
            reason: "must be finite and ≥ 0".into(),
        })
    }
}
