//! The error type of `interphase-eis`.

/// Errors of `interphase-eis`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the fitting core.
    #[error(transparent)]
    Fit(#[from] interphase_fit::Error),

    /// A malformed circuit string: 1-based character position (0: the whole
    /// circuit) and what is wrong.
    #[error("circuit, position {position}: {message}")]
    Circuit {
        /// 1-based character position.
        position: usize,
        /// What is wrong.
        message: String,
    },

    /// Malformed input text: the source (file name), the 1-based line and what
    /// was expected.
    #[error("{source_name}:{line}: {message}")]
    Parse {
        /// The file name, or `<input>`.
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

    /// An argument or data value out of its domain.
    #[error("{0}")]
    Invalid(String),
}

/// Result type of `interphase-eis`.
pub type Result<T> = std::result::Result<T, Error>;
