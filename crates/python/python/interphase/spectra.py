"""Peak models and their fits.

A :class:`PeakModel` is the TOML model of ``interphase spectrum fit``
(docs/spectra.md): peaks with shapes, doublets, bounds, fixed values and ties,
on a background. ``model.fit(x, y)`` returns a :class:`~interphase.FitResult`
with lmfit's attribute names; ``model.fit_many(x, Y)`` fits the rows of a 2-D
array on every core with the GIL released. Peak finding with scipy's
semantics (:func:`find_peaks`), XPS quantification with the Scofield RSFs
(:func:`quantify`, :func:`rsf`), the EELS power-law background
(:func:`subtract_power_law`); ΔE, Ti³⁺ fractions and white-line ratios with
covariance-propagated errors are methods of the fit
(``fit.delta_e``, ``fit.area_fraction``).

>>> import numpy as np, interphase
>>> model = interphase.spectra.PeakModel.from_toml('''
... [[peaks]]
... name = "A"
... shape = "gaussian"
... center = 5
... fwhm = 1
... area = 1
... ''')
>>> x = np.linspace(0, 10, 201)
>>> y = model.evaluate(x, {"A.center": 5.2, "A.area": 3.0})
>>> fit = model.fit(x, y)
>>> round(fit.params["A.center"].value, 6)
5.2
"""

from ._core import FitResult, PeakModel

__all__ = ["FitResult", "PeakModel"]

import numpy as _np

from ._core import Error as _Error
from ._core import (
    _eels_edges,
    _eels_onset,
    _eels_onset_inflection,
    _find_peaks,
    _peak_prominences,
    _peak_widths,
    _power_law,
    _pre_edge_window,
    _quantify,
    _rsf,
    _white_line_ratio,
)

__all__ += [
    "find_peaks",
    "peak_prominences",
    "peak_widths",
    "rsf",
    "quantify",
    "subtract_power_law",
    "eels_edges",
    "eels_onset",
    "white_line_ratio",
]


def _cond(name, v):
    """scipy's condition argument: a number (minimum), a (min, max) pair
    with None for an open end, or None."""
    if v is None:
        return None
    if _np.ndim(v) == 0:
        return (float(v), None)
    if isinstance(v, (tuple, list)) and len(v) == 2 and all(
        e is None or _np.ndim(e) == 0 for e in v
    ):
        return tuple(None if e is None else float(e) for e in v)
    raise _Error(
        f"{name}: a number (the minimum) or a (min, max) pair of numbers/None; "
        "per-sample arrays of bounds are not supported"
    )


def find_peaks(y, height=None, threshold=None, distance=None, prominence=None, width=None,
               wlen=None, rel_height=0.5, plateau_size=None, x=None):
    """Peaks of a 1-D signal with ``scipy.signal.find_peaks``' semantics.

    Conditions as scipy's: a number is a minimum, ``(min, max)`` an interval
    (``None`` for an open end); ``distance``, ``width``, ``wlen`` and
    ``plateau_size`` in samples. Returns ``(peaks, properties)``: the sample
    indices (int64) and a dict of arrays with scipy's keys. Unlike scipy,
    every property is returned whether or not it was filtered on
    (``peak_heights``, ``left_thresholds``, ``right_thresholds``,
    ``prominences``, ``left_bases``, ``right_bases``, ``widths``,
    ``width_heights``, ``left_ips``, ``right_ips``, ``plateau_sizes``,
    ``left_edges``, ``right_edges``). With ``x`` (the axis, same length),
    ``properties`` also holds ``x`` (peak positions) and ``widths_x`` (the
    widths in x units, by interpolating the crossings on the axis).

    >>> import numpy as np
    >>> y = np.exp(-((np.arange(200) - 60) / 5.0) ** 2)
    >>> peaks, props = find_peaks(y, prominence=0.5)
    >>> peaks.tolist(), round(float(props["widths"][0]), 2)
    ([60], 8.34)
    """
    if plateau_size is not None:
        p = _cond("plateau_size", plateau_size)
        plateau_size = (int(p[0]), int(p[1]) if p[1] is not None else 2**62)
    peaks, props = _find_peaks(
        y,
        _cond("height", height),
        _cond("threshold", threshold),
        None if distance is None else float(distance),
        _cond("prominence", prominence),
        _cond("width", width),
        None if wlen is None else float(wlen),
        float(rel_height),
        plateau_size,
    )
    if x is not None:
        xa = _np.asarray(x, dtype=float)
        if xa.shape != _np.shape(y):
            raise _Error(f"x has shape {xa.shape} but y has shape {_np.shape(y)}")
        i = _np.arange(len(xa))
        props["x"] = xa[peaks]
        props["widths_x"] = _np.abs(
            _np.interp(props["right_ips"], i, xa) - _np.interp(props["left_ips"], i, xa)
        )
    return peaks, props


def peak_prominences(y, peaks, wlen=None):
    """``scipy.signal.peak_prominences``: ``(prominences, left_bases, right_bases)``."""
    return _peak_prominences(y, peaks, None if wlen is None else float(wlen))


def peak_widths(y, peaks, rel_height=0.5, wlen=None):
    """``scipy.signal.peak_widths`` (with ``prominence_data`` computed):
    ``(widths, width_heights, left_ips, right_ips)`` in samples."""
    return _peak_widths(y, peaks, float(rel_height), None if wlen is None else float(wlen))


def _source(source):
    s = str(source).lower().replace(" ", "").replace("-", "").replace("α", "a")
    if s in ("al", "alka", "alkalpha"):
        return "al"
    if s in ("mg", "mgka", "mgkalpha"):
        return "mg"
    raise _Error(f"unknown X-ray source {source!r}: 'Al Ka' (1486.6 eV) or 'Mg Ka' (1253.6 eV)")


def rsf(line, source="Al Ka"):
    """The built-in Scofield relative sensitivity factor of an XPS line
    (C 1s = 1, the convention of CasaXPS's Scofield library): a dict with
    ``name`` (canonical), ``rsf``, ``binding_energy`` and ``kinetic_energy``
    (eV). ``"Ti 2p"`` sums 2p3/2 and 2p1/2; ``"Ti 2p3/2"`` is one component.

    >>> round(rsf("Ti 2p")["rsf"], 3)
    7.911
    """
    return _rsf(str(line), _source(source))


def quantify(areas, rsf=None, source="Al Ka", transmission_exponent=0.0, imfp_exponent=0.0):
    """Atomic percentages from XPS peak areas.

    ``areas``: ``{line: area}`` or ``{line: (area, stderr)}`` (intensity ×
    eV, background subtracted; e.g. ``fit.peaks[i]["area"]``, or the sum of
    a region's peaks). ``rsf``: ``{line: factor}`` overriding the built-in
    Scofield library (your instrument's library); lines absent from both
    raise an error that names them. Corrected intensity
    ``I = A / (RSF · E_K^(−t) · E_K^m)`` with ``t = transmission_exponent``
    (analyser transmission; 0 = off) and ``m = imfp_exponent`` (IMFP ∝ E^m,
    0.6–0.75 after Seah & Dench; 0 = off); atomic % = 100 I / ΣI, its σ
    propagated from every area's stderr (areas of different lines taken as
    independent; None when any area has no stderr).

    Returns a list of dicts in input order: ``name``, ``area``, ``rsf``,
    ``kinetic_energy``, ``corrected``, ``atomic_percent`` = (value, stderr).

    >>> q = quantify({"C 1s": (1000.0, 10.0), "O 1s": (2930.0, 20.0)},
    ...              rsf={"C 1s": 1.0, "O 1s": 2.93})
    >>> [round(r["atomic_percent"][0], 6) for r in q]
    [50.0, 50.0]
    """
    if not isinstance(areas, dict) or not areas:
        raise _Error("areas must be a non-empty dict {line: area or (area, stderr)}")
    rsf = dict(rsf or {})
    names, values, errs, factors = [], [], [], []
    for k, v in areas.items():
        if isinstance(v, (tuple, list)):
            if len(v) != 2:
                raise _Error(f"area of {k!r}: a number or (area, stderr), got {v!r}")
            a, s = v
        else:
            a, s = v, None
        names.append(str(k))
        values.append(float(a))
        errs.append(None if s is None else float(s))
        factors.append(None if k not in rsf else float(rsf[k]))
    unknown = sorted(set(rsf) - set(areas))
    if unknown:
        raise _Error(f"rsf given for line(s) {unknown} that are not in areas {sorted(areas)}")
    return _quantify(names, values, errs, factors, _source(source),
                     float(transmission_exponent), float(imfp_exponent))


def subtract_power_law(x, y, window=None, edge=None):
    """EELS pre-edge background: Egerton's power law ``I = A·E^(−r)`` fitted
    by least squares to ``ln I`` over ``window = (E1, E2)`` (eV) and
    subtracted over the whole axis (E > 0). With ``edge`` (eV) instead of a
    window, the window is chosen before that edge: it ends max(2 %, 3 eV)
    below it and spans max(10 %, 10 eV), cut at the spectrum's start
    (Egerton 2011, §4.4.2). Returns ``(net, law)`` with
    ``law = {"a": A, "r": r, "window": (E1, E2)}``. ΔE between fitted
    features, crystal-field splittings and white-line ratios come from a
    peak fit of ``net`` (``fit.delta_e("A", "B")``,
    ``fit.area_fraction(...)``) or from windows (:func:`white_line_ratio`).
    """
    if (window is None) == (edge is None):
        raise _Error("give either window=(E1, E2) or edge=E (eV)")
    if window is None:
        window = _pre_edge_window(x, y, float(edge))
    lo, hi = window
    return _power_law(x, y, (float(lo), float(hi)))


def eels_onset(x, y, start=None, fraction=0.1, inflection=None, window=7):
    """Edge onset (eV) of a background-subtracted spectrum: by default the
    energy where the net signal first reaches ``fraction`` of its maximum,
    searching upward from ``start`` (linearly interpolated); with
    ``inflection=(E1, E2)``, the inflection point of the rising edge there
    (maximum of a quadratic Savitzky–Golay derivative over ``window``
    points, refined by a parabola; uniform axis). A plain float: neither
    estimate carries a standard error (the threshold or window choice
    dominates; compare onsets from the same settings, or fit the edge's
    features and use ``fit.delta_e`` for ΔE with σ)."""
    if inflection is not None:
        lo, hi = inflection
        return _eels_onset_inflection(x, y, (float(lo), float(hi)), int(window))
    if start is None:
        raise _Error("give start (eV) for the threshold onset, or inflection=(E1, E2)")
    return _eels_onset(x, y, float(start), float(fraction))


def white_line_ratio(x, y, l3, l2, continuum=None, sigma=None, counts=False):
    """L3/L2 white-line ratio of a background-subtracted spectrum: the net
    intensity integrated (trapezoidal rule) over the ``l3`` and ``l2``
    windows (eV). With ``continuum=(E1, E2)`` (a window past L2) the
    Pearson double step (2:1) is removed first (Pearson, Ahn & Fultz, PRB
    47, 8471, 1993). Returns ``(value, stderr)``: σ from ``sigma`` (per
    point) or Poisson when ``counts``, else None."""
    l3, l2 = tuple(map(float, l3)), tuple(map(float, l2))
    cont = None if continuum is None else tuple(map(float, continuum))
    return _white_line_ratio(x, y, l3, l2, cont, sigma, bool(counts))


def eels_edges(element=None, edge=None, near=None, tolerance=10.0):
    """Reference core-loss edges (EELS Atlas, as in Egerton 2011, App. D) as
    ``(element, edge, energy_eV)`` tuples: one edge (``element="Ti",
    edge="L3"``), those within ``tolerance`` eV of ``near`` (nearest first),
    or the whole table.

    >>> eels_edges("Ti", "L3")
    [('Ti', 'L3', 456.0)]
    """
    return _eels_edges(element, edge, None if near is None else float(near), float(tolerance))
