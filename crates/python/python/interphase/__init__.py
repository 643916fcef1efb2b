"""interphase: fast, honest analysis of XPS, EELS, EDS, XRD and impedance data.

A Rust core (the ``interphase`` crates) with NumPy arrays in and out:

* :func:`read` - every instrument format the Rust readers know;
* :mod:`interphase.spectra` - peak models and fits (lmfit-like results);
* :mod:`interphase.baselines` - pybaselines' names, keywords and return values;
* :mod:`interphase.eis` - circuits, CNLS fits with automatic guesses, Lin-KK, DRT;
* :mod:`interphase.materials` - formulas, densities, LLTO stoichiometry;
* :mod:`interphase.fit` - ``curve_fit`` for your own Python model functions;
* :mod:`interphase.dask` - maps of fits over Dask (or NumPy) arrays, on one
  machine or a ``distributed`` cluster (``import interphase.dask``).

Errors raise :class:`Error` (a ``ValueError``) or :class:`FileError` (an
``OSError``) with the Rust message; a bug raises :class:`InternalError`.
"""

from ._core import (  # noqa: F401
    Error,
    FileError,
    FitResult,
    InternalError,
    Parameter,
    __version__,
    read,
)
from . import baselines, eis, fit, materials, spectra  # noqa: F401

__all__ = [
    "Error",
    "FileError",
    "FitResult",
    "InternalError",
    "Parameter",
    "baselines",
    "eis",
    "fit",
    "materials",
    "read",
    "spectra",
]
