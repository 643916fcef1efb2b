//! The error type of `interphase-fit`.

/// Everything that can go wrong when setting up or running a fit.
///
/// Messages say what was wrong and where (parameter name, residual index,
/// line number), so that they can be shown to a user unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter definition is invalid (bad name, non-finite value, bounds
    /// that exclude the value, a tie to an unknown parameter, a tie cycle...).
    #[error("parameter '{name}': {reason}")]
    Parameter {
        /// The parameter's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A parameter name was looked up but does not exist.
    #[error("no parameter named '{0}'")]
    UnknownParameter(String),
    /// Input data are unusable (empty, mismatched lengths, NaN/Inf...).
    #[error("invalid data: {0}")]
    Data(String),
    /// The problem and the parameter set disagree in size.
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    /// The residuals (or the Jacobian) are not finite at the starting point.
    #[error("{what} is not finite at the starting parameters (first at index {index})")]
    NonFiniteStart {
        /// "residual" or "Jacobian".
        what: &'static str,
        /// Index of the first offending element.
        index: usize,
    },
    /// Options are out of range (negative tolerance, zero evaluations...).
    #[error("invalid option: {0}")]
    Options(String),
    /// Nothing to fit: every parameter is fixed or tied to a fixed one.
    #[error("no varying parameters: every parameter is fixed or tied to a fixed one")]
    NoFreeParameters,
    /// A malformed input file or string, with the 1-based line number.
    #[error("line {line}: {reason}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What was expected there.
        reason: String,
    },
    /// The derivative-free minimiser failed.
    #[error("derivative-free minimiser failed: {0}")]
    Minimizer(String),
}

/// Result type of `interphase-fit`.
pub type Result<T> = std::result::Result<T, Error>;
