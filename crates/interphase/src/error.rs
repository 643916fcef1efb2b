//! The error type of the umbrella crate's workflows.

/// Errors of `interphase` workflows: any domain crate's error, plus file and
/// settings problems.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error of the fitting core.
    #[error(transparent)]
    Fit(#[from] interphase_fit::Error),
    /// An error of the spectra crate.
    #[cfg(feature = "spectra")]
    #[error(transparent)]
    Spectra(#[from] interphase_spectra::Error),
    /// An error of the EIS crate.
    #[cfg(feature = "eis")]
    #[error(transparent)]
    Eis(#[from] interphase_eis::Error),
    /// An error of the materials crate.
    #[cfg(feature = "materials")]
    #[error(transparent)]
    Materials(#[from] interphase_materials::Error),
    /// An error of an instrument-file reader.
    #[cfg(feature = "io")]
    #[error(transparent)]
    Read(#[from] interphase_io::Error),
    /// An error of the plotting crate.
    #[cfg(feature = "plot")]
    #[error(transparent)]
    Plot(#[from] interphase_plot::Error),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// Inconsistent or malformed input (settings, column names, tables).
    #[error("{0}")]
    Data(String),
}

/// Result type of `interphase` workflows.
pub type Result<T> = std::result::Result<T, Error>;

#[allow(dead_code)] // used by the workflows feature
pub(crate) fn io_err(path: &std::path::Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}
