"""Impedance: equivalent circuits, CNLS fits, Lin-KK, Z-HIT, DRT and its processes.

Circuits use impedance.py's notation (``"R0-p(R1,CPE1)"``). Frequencies in
Hz, impedance in Ω as complex numbers (``Z = Z' + jZ''``, capacitive arcs
with negative imaginary parts).

>>> import numpy as np
>>> from interphase import eis
>>> c = eis.Circuit("R0-p(R1,C1)")
>>> f = np.logspace(5, -1, 40)
>>> Z = c.impedance(f, [10.0, 100.0, 1e-6])
>>> fit = eis.fit(f, Z, c)
>>> round(fit.params["R1"].value, 6)
100.0
"""

import numpy as _np

from ._core import Circuit, Error
from ._core import eis as _e

__all__ = [
    "Circuit",
    "fit",
    "fit_many",
    "lin_kk",
    "zhit",
    "drt",
    "drt_processes",
    "capacitance_zarc",
    "capacitance_brug",
    "capacitance_from_apex",
    "relaxation_frequency",
]

capacitance_zarc = _e.capacitance_zarc
capacitance_brug = _e.capacitance_brug
capacitance_from_apex = _e.capacitance_from_apex
relaxation_frequency = _e.relaxation_frequency


def _circuit(circuit):
    return circuit if isinstance(circuit, Circuit) else Circuit(str(circuit))


def _z(Z, ndim):
    z = _np.ascontiguousarray(Z, dtype=_np.complex128)
    if z.ndim != ndim:
        raise Error(f"Z must be {ndim}-D, got shape {z.shape}")
    return z


def fit(freq, Z, circuit, weight="proportional", initial=None, sigma=None,
        robust_covariance=False):
    """Fits ``circuit`` (a :class:`Circuit` or its string) to the data.

    ``weight``: ``"proportional"`` (1/|Z|, the default: relative errors, as
    ZView's modulus weighting), ``"modulus"`` (1/√|Z|) or ``"unit"``
    (impedance.py's default); ``sigma`` (Ω per point) overrides it.
    ``initial``: starting values (sequence in ``circuit.param_names`` order,
    or a dict); ``None`` runs the automatic guesses (several starts, the best
    χ² kept). Returns a :class:`~interphase.FitResult` whose ``best_fit`` is
    the model impedance at ``freq`` and whose ``derived`` holds effective
    capacitances and time constants with uncertainties.
    ``robust_covariance=True`` gives the sandwich (HC3) covariance: standard
    errors that stay right when the noise does not follow the weighting
    (e.g. noise proportional to each part under ``"proportional"``).
    """
    s = None if sigma is None else _np.ascontiguousarray(sigma, dtype=_np.float64)
    return _e.fit(freq, _z(Z, 1), _circuit(circuit), weight, initial, s, robust_covariance)


def fit_many(freq, Z, circuit, weight="proportional", initial=None, threads=None, errors="keep",
             progress=None, robust_covariance=False):
    """Fits every row of ``Z`` (spectra × frequencies) in parallel with the
    GIL released. A failed row keeps its place as an :class:`interphase.Error`
    instance (``errors="keep"``) or is raised after all rows ran
    (``errors="raise"``). ``progress(done, total, failed)``, if given, is
    called from the worker threads at most every 0.1 s and once at the end
    (e.g. to update a ``tqdm`` bar); an exception it raises discards the
    results and is re-raised as :class:`interphase.Error` after the batch.
    ``robust_covariance=True``: the sandwich (HC3) covariance for every row,
    as :func:`fit`."""
    return _e.fit_many(freq, _z(Z, 2), _circuit(circuit), weight, initial, threads, errors,
                       progress, robust_covariance)


def lin_kk(freq, Z, c=0.85, max_M=50, add_capacitance=False, method="mu", factor=None,
           admittance=False, fit_type="real"):
    """Lin-KK test (Schönleber et al. 2014, as impedance.py's ``linKK``):
    RC elements up to ``max_M``. ``method="mu"`` (the default) chooses M by
    μ ≤ ``c`` (``c=None``: exactly ``max_M``); ``method="pseudo_chi2"``
    fits every M up to ``max_M`` and takes the smallest whose pseudo-χ² is
    within ``factor`` (default 1.2) of the best, which does not stop early on
    spectra with a diffusion tail. A dict with ``M``, ``mu``, ``Z_fit``, the
    relative residuals ``residuals_re``, ``residuals_im`` and ``scan`` (a
    list of dicts ``m``, ``mu``, ``pseudo_chi2``, ``max_abs_residual`` of
    every M fitted: the M-scan view). ``admittance=True`` tests Y = 1/Z
    instead (pyimpspec's admittance representation: a parallel capacitance
    beside series-RC branches), which follows a capacitive low-frequency
    tail without ``add_capacitance``; then ``r_ohm`` is R_inf, ``capacitance``
    the parallel C_inf, ``resistances`` the branch resistances, and the
    residuals stay relative to |Z|. ``fit_type`` is impedance.py's: which
    part the RC coefficients are fitted to, ``"real"`` (default), ``"imag"``
    or ``"complex"`` (both parts at once). Complex fits add ``whiteness``:
    the residuals' lag-1 autocorrelation ``lag1`` against its value for
    white noise after this fit ``expected``, the standardised ``z`` (about
    N(0, 1) for a valid spectrum; drift shows as z > 3), the noise level the
    residuals imply ``noise`` (fraction of |Z|) and ``dof``; ``None``
    otherwise. ``method="pseudo_chi2", fit_type="complex",
    add_capacitance=True`` tells valid from drifting spectra best
    (docs/eis.md)."""
    return _e.lin_kk(freq, _z(Z, 1), c, max_M, add_capacitance, method, factor, admittance,
                     fit_type)


def zhit(freq, Z, window_center=1.5, window_width=3.0, weights=None, phase=None):
    """Z-HIT (Ehm et al. 2000; pyimpspec's ``perform_zhit`` with
    ``smoothing="none"``, ``interpolation="cubic"``, ``window="boxcar"``):
    ln|Z| reconstructed from the phase by a not-a-knot cubic spline over
    ln ω, its offset fitted by weighted least squares over the points with
    log10 f in ``window_center`` ± ``window_width``/2 (1 Hz – 1 kHz by
    default) or with ``weights``. ``phase`` (radians, e.g. the measured
    phase smoothed) replaces arg Z. A dict with ``modulus``, ``Z_fit``,
    ``offset``, ``weights``, the relative residuals ``residuals_re``,
    ``residuals_im``, ``residuals_modulus``, ``pseudo_chi2`` and
    ``lowest_decade_max_abs_residual`` (above 0.015, with the phase
    smoothed over 7 points, drift is suspected: docs/eis.md). The
    approximation itself departs by 1–3 % around arcs whose phase turns
    fast; read the residuals for trends (drift grows towards low
    frequency)."""
    return _e.zhit(freq, _z(Z, 1), window_center, window_width, weights, phase)


def drt(freq, Z, lam=None, tau_grid="angular", bands=False, samples=2000, burn_in=500,
        level=0.99, seed=1):
    """Distribution of relaxation times (Gaussian RBF, Tikhonov; λ by GCV
    as pyDRTtools unless ``lam`` is a number or ``"lcurve"`` or ``"gml"``,
    generalised maximum likelihood): a dict with ``tau`` (s),
    ``gamma`` (Ω), ``peaks``, ``lambda``, ``r_inf``, ``Z_fit``.
    ``tau_grid="inverse"`` places the Gaussians at τ = 1/f as pyDRTtools
    (default ``"angular"``: 1/(2πf)). ``bands=True`` adds ``bands``, the
    Bayesian credible bands (pyDRTtools' ``Bayesian_run`` posterior,
    ``samples`` by exact HMC, the first ``burn_in`` dropped, seeded):
    ``tau``, pointwise ``lower``/``mean``/``upper`` of γ (Ω) at probability
    ``level``, ``coefficient_lower``/``_mean``/``_upper`` (pyDRTtools'
    per-coefficient quantiles), the noise ``sigma`` (Ω),
    ``polarization_resistance`` and, per peak, ``resistance_posterior`` and
    ``tau_posterior`` (dicts ``mean``, ``std``, ``lower``, ``upper``)."""
    return _e.drt(freq, _z(Z, 1), lam, tau_grid, bands, samples, burn_in, level, seed)


def drt_processes(freq, Z, max_processes=4, lam=None):
    """One relaxation process per DRT peak, with uncertainties: the DRT's
    peaks seed R0-p(R1,CPE1)-...-p(Rk,CPEk) (k = 1 ... ``max_processes``,
    the peaks holding most resistance), each fitted to the data with
    proportional weighting; the lowest BIC among fits whose resistances
    are all determined is kept. A dict with ``circuit``, ``processes``
    (fastest first: ``element``, ``tau``, ``resistance``, ``alpha``,
    ``capacitance`` as dicts with ``value`` and ``stderr``, and
    ``frequency``) and ``tried``. Where the DRT splits a depressed arc into
    a main and side peaks, this gives one process with its τ and R."""
    return _e.drt_processes(freq, _z(Z, 1), max_processes, lam)
