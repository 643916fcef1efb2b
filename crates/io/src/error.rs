//! The error type of `interphase-io`.

/// Errors of `interphase-io`. Every message names the file; parse errors give
/// the 1-based line, binary errors the byte offset.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read (missing, unreadable, too large).
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message or the limit exceeded.
        message: String,
    },

    /// Malformed text: the file, the 1-based line (0: the whole file) and what
    /// is wrong.
    #[error("{source_name}:{line}: {message}")]
    Parse {
        /// The file name.
        source_name: String,
        /// 1-based line number (0: the whole file).
        line: usize,
        /// What is wrong.
        message: String,
    },

    /// A malformed, truncated or unsupported binary file: the byte offset
    /// where reading stopped.
    #[error("{source_name}: byte {offset}: {message}")]
    Binary {
        /// The file name.
        source_name: String,
        /// Byte offset from the start of the file.
        offset: u64,
        /// What is wrong.
        message: String,
    },

    /// The columns of a table could not be identified from its header.
    #[error(
        "{source_name}:{line}: {message}; columns found: {}; choose them with --columns FREQ,RE,IM (names or 1-based numbers, a leading '-' for a negated column, e.g. --columns 1,2,-3)",
        found.join(" | ")
    )]
    Columns {
        /// The file name.
        source_name: String,
        /// 1-based line of the header (0: no header).
        line: usize,
        /// The column names found (or `column 1`, ... without a header).
        found: Vec<String>,
        /// What could not be identified.
        message: String,
    },

    /// A format that is recognised but not read (yet), or an unknown one.
    #[error(
        "{source_name}: {detected}: not a format interphase reads; formats read: {}",
        crate::Format::SUPPORTED
    )]
    Unsupported {
        /// The file name.
        source_name: String,
        /// What the file was recognised as (or "binary file of unknown format").
        detected: String,
    },

    /// The file holds data of another kind than the command needs (spectra
    /// given to an impedance fit, a BioLogic CV given to an impedance command).
    #[error("{source_name}: {message}")]
    WrongKind {
        /// The file name.
        source_name: String,
        /// What was needed and what the file holds instead.
        message: String,
    },

    /// An error of a spectrum reader or of spectrum validation.
    #[error(transparent)]
    Spectra(#[from] interphase_spectra::Error),

    /// An error of impedance-spectrum validation.
    #[error(transparent)]
    Eis(#[from] interphase_eis::Error),

    /// An argument out of its domain (a bad `--columns` choice, `--spectrum N`
    /// beyond the file's spectra).
    #[error("{0}")]
    Invalid(String),
}

/// Result type of `interphase-io`.
pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn parse_err(source: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Parse {
        source_name: source.to_string(),
        line,
        message: message.into(),
    }
}

pub(crate) fn bin_err(source: &str, offset: usize, message: impl Into<String>) -> Error {
    Error::Binary {
        source_name: source.to_string(),
        offset: offset as u64,
        message: message.into(),
    }
}
