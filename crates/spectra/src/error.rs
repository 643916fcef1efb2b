//! The error type of `interphase-spectra`.

/// Errors of `interphase-spectra`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the fitting core.
    #[error(transparent)]
    Fit(#[from] interphase_fit::Error),

    /// A line-shape parameter is out of its domain (negative width, NaN, mixing
    /// fraction outside [0, 1], ...).
    #[error("{shape}: parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// The line shape (as named in model files, e.g. `voigt`).
        shape: &'static str,
        /// The parameter's name (e.g. `sigma`).
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What is required of it.
        reason: &'static str,
    },

    /// A parameter set of the wrong length or with unknown names.
    #[error("{shape}: {message}")]
    Parameters {
        /// The line shape.
        shape: &'static str,
        /// What is wrong.
        message: String,
    },

    /// Buffers whose lengths do not match.
    #[error("length mismatch: {what}")]
    Length {
        /// Which buffers, and their lengths.
        what: String,
    },

    /// A non-finite value in data.
    #[error("{what}: non-finite value {value} at index {index}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// The index of the first bad sample.
        index: usize,
        /// The value found.
        value: f64,
    },

    /// Malformed input text: the source (file name or `<input>`), the 1-based
    /// line (0 when the problem is not tied to a line) and what was expected.
    #[error("{source_name}:{line}: {message}")]
    Parse {
        /// The file name, or `<input>` for text given directly.
        source_name: String,
        /// 1-based line number (0: the whole input).
        line: usize,
        /// What is wrong.
        message: String,
    },

    /// A file could not be read (missing, unreadable, too large).
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message or the limit exceeded.
        message: String,
    },

    /// An argument out of its domain (empty window, even Savitzky–Golay window,
    /// axes that do not match, ...).
    #[error("{0}")]
    Invalid(String),
}

/// Result type of `interphase-spectra`.
pub type Result<T> = std::result::Result<T, Error>;
