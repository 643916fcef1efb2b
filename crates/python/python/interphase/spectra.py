"""Peak models and their fits.

A :class:`PeakModel` is the TOML model of ``interphase spectrum fit``
(docs/spectra.md): peaks with shapes, doublets, bounds, fixed values and ties,
on a background. ``model.fit(x, y)`` returns a :class:`~interphase.FitResult`
with lmfit's attribute names; ``model.fit_many(x, Y)`` fits the rows of a 2-D
array on every core with the GIL released. Peak finding with scipy's
semantics (:func:`find_peaks`), XPS quantification with the Scofield RSFs
(:func:`quantify`, :func:`rsf`), the EELS power-law background
(:func:`subtract_power_law`), EELS low loss (:func:`log_ratio_thickness`,
:func:`align_zlp`, Fourier deconvolutions) and MLLS valence maps
(:func:`mlls`) on spectra, line scans or spectrum images of any shape (last
axis = energy), core-loss quantification with hydrogenic cross-sections
(:func:`quantify_edges` by integration or by a model fit, :func:`edge_cross_section`,
:func:`edge_dsigma_de`); ΔE, Ti³⁺ fractions and white-line ratios with
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
    _align_zlp,
    _effective_z,
    _eels_thickness,
    _fourier_log,
    _fourier_ratio,
    _mean_free_path,
    _edge_cross_section,
    _mlls,
    _quantify_edges,
    _edge_dsigma_de,
    _zlp_centres,
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
    "zlp_centre",
    "feature_maps",
    "log_ratio_thickness",
    "mean_free_path",
    "effective_z",
    "align_zlp",
    "fourier_log_deconvolution",
    "fourier_ratio_deconvolution",
    "mlls",
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


# --- EELS low loss, spectrum images and MLLS ---------------------------------


def _rows(x, y, name="y"):
    """x as a 1-D float array, y as (rows, channels) and its leading shape."""
    x = _np.require(x, "float64", ("C", "A"))
    y = _np.require(y, "float64", ("C", "A"))
    if x.ndim != 1:
        raise _Error(f"x must be 1-D (the energy axis), got shape {x.shape}")
    if y.ndim == 0 or y.shape[-1] != x.shape[0]:
        raise _Error(
            f"{name}: the last axis must be the energy axis of {x.shape[0]} channels, got shape {y.shape}"
        )
    return x, y.reshape(-1, y.shape[-1]), y.shape[:-1]


def _report(failures, lead, what):
    """Failed pixels: raise for a single spectrum, warn (values are NaN) for maps."""
    if not failures:
        return
    i, msg = failures[0]
    if lead == ():
        raise _Error(msg)
    import warnings

    where = _np.unravel_index(i, lead) if lead else i
    warnings.warn(
        f"{what}: {len(failures)} of {int(_np.prod(lead))} spectra failed (NaN there); "
        f"first at {tuple(int(v) for v in where)}: {msg}",
        RuntimeWarning,
        stacklevel=3,
    )


def zlp_centre(x, y, return_stderr=False):
    """Zero-loss peak centre (eV): the highest channel refined by a parabola
    through ln I (exact for a Gaussian). ``y`` is one spectrum (→ float) or
    any array whose last axis is energy (→ array of the leading shape, NaN
    with a warning where no peak is found). A maximum that is not a peak
    (a core-loss spectrum) is an error, never a guess. With
    ``return_stderr=True``, ``(centre, stderr)``: σ (eV) from counting
    statistics (the intensities taken as electron counts, propagated through
    the vertex; NaN where the vertex falls back to a plain parabola or is
    clamped), the statistical error of the estimator, not its peak-shape
    error."""
    x, rows, lead = _rows(x, y)
    c, s, failures = _zlp_centres(x, rows)
    _report(failures, lead, "zlp_centre")
    if lead == ():
        return (float(c[0]), float(s[0])) if return_stderr else float(c[0])
    return (c.reshape(lead), s.reshape(lead)) if return_stderr else c.reshape(lead)


def feature_maps(model, x, y, delta_e=(), area_ratio=(), background=None, range=None,
                 weighting="unit", threads=None):
    """Near-edge features of every spectrum of a line scan or spectrum image
    from fits of the peak model ``model`` (a :class:`PeakModel`): ``y`` has
    energy on its last axis (``(n, E)`` a line, ``(ny, nx, E)`` an image).
    Each image row is one chain fitted left to right, every pixel started
    from its converged left neighbour, rows in parallel (GIL released), so
    the maps do not depend on the thread count.

    ``delta_e``: pairs ``(from_peak, to_peak)`` → ΔE = center(to) −
    center(from) in eV (the Ti L₃ t2g–eg crystal-field splitting, an L₃–L₂
    distance). ``area_ratio``: pairs ``(l3_peaks, l2_peaks)`` of lists of
    peak names → Σ areas / Σ areas (the white-line ratio). ``background``:
    a power-law pre-edge window ``(lo, hi)`` eV subtracted from each pixel
    first; ``range``: the ``(lo, hi)`` eV fitted.

    Returns a dict ``label → (value, stderr)`` (arrays of the leading shape;
    σ from each fit's full covariance), labels such as ``"ΔE(t2g→eg)"`` and
    ``"area(L3)/area(L2)"``. A pixel that fails is NaN in every map, with a
    RuntimeWarning that counts the failures (an error for a single
    spectrum)."""
    x, rows, lead = _rows(x, y)
    if len(lead) == 2:
        shape = (int(lead[0]), int(lead[1]))
    elif len(lead) == 0:
        shape = (1, 1)
    else:
        n = int(_np.prod(lead))
        shape = (n // int(lead[-1]), int(lead[-1])) if lead[-1] else (1, 0)
    de = [(str(a), str(b)) for a, b in delta_e]
    ar = [([str(p) for p in a], [str(p) for p in b]) for a, b in area_ratio]
    out = {}
    for label, v, s, failures in model._feature_maps(
        x, rows, shape, de, ar, background, range, weighting, threads
    ):
        _report(failures, lead, f"feature_maps {label}")
        out[label] = (float(v[0]), float(s[0])) if lead == () else (v.reshape(lead), s.reshape(lead))
    return out


def log_ratio_thickness(x, y, threshold=None, start=1.0, window=10.0, mean_free_path=None):
    """Log-ratio thickness t/λ = ln(I_t/I₀) (Egerton 2011, eq. 5.1) of
    low-loss spectra: I₀ sums the channels below the channel nearest
    ``threshold`` (eV; exspy's rule), or, without one, below the intensity
    minimum between the zero-loss peak and the plasmon found ``start`` to
    ``start + window`` eV above the zero-loss centre. Returns ``(value,
    stderr)`` (floats for one spectrum, arrays of the leading shape
    otherwise): σ from counting statistics, var = I_in/(I_t·I₀), the
    intensities taken as electron counts. With ``mean_free_path`` (nm, see
    :func:`mean_free_path`) the thickness in nm instead (σ without the λ
    formula's own error). Pixels run in parallel, GIL released."""
    x, rows, lead = _rows(x, y)
    t, s, failures = _eels_thickness(
        x, rows, None if threshold is None else float(threshold), float(start), float(window)
    )
    _report(failures, lead, "log_ratio_thickness")
    if mean_free_path is not None:
        t, s = t * float(mean_free_path), s * abs(float(mean_free_path))
    if lead == ():
        return float(t[0]), float(s[0])
    return t.reshape(lead), s.reshape(lead)


def mean_free_path(beam_kev, density=None, alpha=None, beta=None, formula=None, zeff=None):
    """Inelastic mean free path λ (nm). With ``density`` (g/cm³): Iakoubovskii
    et al. (2008) eq. 9, with the convergence/collection semi-angles
    ``alpha``/``beta`` (mrad) when given (exspy's ``iMFP_Iakoubovskii ×
    iMFP_angular_correction``). With ``formula`` (e.g. ``"TiO2"``) or
    ``zeff`` and ``beta``: Malis et al. (1988), Egerton eq. 5.2, Z_eff from
    eq. 5.4 (:func:`effective_z`)."""
    f = lambda v: None if v is None else float(v)
    return _mean_free_path(float(beam_kev), f(density), f(alpha), f(beta), formula, f(zeff))


def effective_z(formula):
    """Z_eff = Σ fᵢ Zᵢ^1.3 / Σ fᵢ Zᵢ^0.3 of a formula (Egerton eq. 5.4)."""
    return _effective_z(str(formula))


def align_zlp(x, y, also=None, x_also=None):
    """Moves every spectrum's zero-loss peak to 0 eV by a sub-channel shift
    (linear interpolation) and crops to the energies all spectra cover, as
    exspy's ``align_zero_loss_peak(crop=True)``. ``also`` (with its axis
    ``x_also``; the same leading shape) is shifted alike: the core-loss
    image of dual EELS. Returns ``(x, aligned, shifts)``, plus ``(x_also,
    also_aligned)`` with ``also``; ``shifts`` are the zero-loss centres found
    (eV). Raises when a spectrum has no zero-loss peak."""
    x, rows, lead = _rows(x, y)
    if (also is None) != (x_also is None):
        raise _Error("give both also and x_also, or neither")
    if also is not None:
        xa, arows, alead = _rows(x_also, also, "also")
        if alead != lead:
            raise _Error(f"also has leading shape {alead}, y {lead}")
        xn, yn, sh, xa2, ya2 = _align_zlp(x, rows, xa, arows)
        return (xn, yn.reshape(lead + (len(xn),)), sh.reshape(lead) if lead else float(sh[0]),
                xa2, ya2.reshape(lead + (len(xa2),)))
    xn, yn, sh, _, _ = _align_zlp(x, rows)
    return xn, yn.reshape(lead + (len(xn),)), sh.reshape(lead) if lead else float(sh[0])


def fourier_log_deconvolution(x, y, zlp):
    """Fourier-log deconvolution (Egerton §4.2.1): the single-scattering
    distribution, still convolved with the zero-loss shape, F⁻¹[z·ln(j/z)]
    with exspy 0.3's Hann taper and FFT length (equal to its
    ``fourier_log_deconvolution`` to 1e-12). ``zlp``: one zero-loss peak on
    the same channels, or one per spectrum (same shape as ``y``)."""
    x, rows, lead = _rows(x, y)
    z = _np.require(zlp, "float64", ("C", "A"))
    z = z.reshape(-1, z.shape[-1])
    return _fourier_log(x, rows, z).reshape(lead + (len(x),))


def fourier_ratio_deconvolution(x_core, core, x_low, low, fwhm=None, threshold=None, extrapolate=True):
    """Fourier-ratio deconvolution of background-subtracted core-loss spectra
    by their low-loss spectra (Egerton §4.2.2): F⁻¹[g·k/l]·I₀, reconvolved
    with a unit-sum Gaussian of ``fwhm`` eV (default the zero-loss FWHM);
    ``threshold`` (eV) for I₀ (default automatic); ``extrapolate``: power-law
    tails before tapering. exspy's result equals ours divided by the channel
    width (its Gaussian has unit area in eV). ``low``: one spectrum for all,
    or one per core-loss spectrum; same channel width, 0 eV inside."""
    xc, crows, lead = _rows(x_core, core, "core")
    xl, lrows, _ = _rows(x_low, low, "low")
    out = _fourier_ratio(xc, crows, xl, lrows, None if fwhm is None else float(fwhm),
                         None if threshold is None else float(threshold), bool(extrapolate))
    return out.reshape(lead + (len(xc),))


def mlls(x, y, references, names=None, window=None, background=0, weights="uniform"):
    """Multiple linear least squares of reference spectra (e.g. Ti³⁺ and
    Ti⁴⁺ L₂,₃ on the same axis, rows of ``references``) with non-negative
    coefficients and ``background`` free polynomial terms, over ``window``
    (eV). ``weights``: ``"uniform"`` (σ scaled by the reduced χ²) or
    ``"poisson"`` (counts). Returns a dict: ``fractions`` cₖ/Σc and their
    ``fractions_stderr`` (from the full covariance), ``coefficients``,
    ``coefficients_stderr``, ``background``, ``at_bound`` (a coefficient held
    at 0 has NaN σ), ``redchi``, ``names``; arrays of the leading shape of
    ``y`` plus one axis of references. Normalise the references to equal
    edge area for fractions of atoms. Pixels in parallel, GIL released;
    failed pixels are NaN with a warning."""
    x, rows, lead = _rows(x, y)
    refs = _np.require(references, "float64", ("C", "A"))
    if refs.ndim == 1:
        refs = refs[None, :]
    if names is None:
        names = [f"ref{k}" for k in range(refs.shape[0])]
    win = None if window is None else (float(window[0]), float(window[1]))
    d = _mlls(x, rows, refs, [str(n) for n in names], win, int(background), str(weights))
    _report(d.pop("failures"), lead, "mlls")
    for k in ("fractions", "fractions_stderr", "coefficients", "coefficients_stderr",
              "background", "background_stderr", "at_bound"):
        d[k] = d[k].reshape(lead + (d[k].shape[1],))
    d["redchi"] = d["redchi"].reshape(lead) if lead else float(d["redchi"][0])
    return d


def edge_cross_section(element, shell, beam_kev, beta_mrad, delta=50.0, alpha_mrad=0.0):
    """Hydrogenic partial cross-section σ(β, Δ) in barn per atom (R. F.
    Egerton's SIGMAK3/SIGMAL3 model): ``shell`` ``"K"`` (Li … Zn) or
    ``"L23"`` (Na … Kr); beam energy in keV, collection and convergence
    semi-angles in mrad (Egerton's effective angle when ``alpha_mrad`` > 0),
    integration window ``delta`` in eV from the onset. The model's own
    accuracy is about 5–10 % (K) and 10–20 % (L₂,₃)."""
    return _edge_cross_section(str(element), str(shell), float(beam_kev), float(beta_mrad),
                               float(delta), float(alpha_mrad))


def edge_dsigma_de(element, shell, energy, beam_kev, beta_mrad, alpha_mrad=0.0):
    """Hydrogenic differential cross-section dσ/dE in barn/eV per atom at
    each energy loss ``energy`` (eV; 0 below the onset): the shape
    ``quantify_edges(..., method="model")`` fits. Beam energy in keV,
    semi-angles in mrad (Egerton's effective angle at the onset when
    ``alpha_mrad`` > 0)."""
    return _edge_dsigma_de(str(element), str(shell), _np.asarray(energy, dtype=float),
                           float(beam_kev), float(beta_mrad), float(alpha_mrad))


def quantify_edges(x, y, edges, beam_kev, beta_mrad, delta=50.0, alpha_mrad=0.0, gain=1.0,
             low_loss=None, method="integration", fine_structure=0.0, fine_structure_knots=0):
    """Core-loss quantification by edge integration (Egerton §4.5.1): a
    power-law background fitted before each edge (weighted by counts) and
    subtracted, net counts summed over ``delta`` eV from the onset, divided
    by the cross-section. ``edges``: a list such as ``["Ti:L23", "O:K"]`` or
    one comma-separated string; ``"La:M45@832=1500"`` gives a cross-section
    (barn) for an edge the hydrogenic model lacks; ``"O:K[470,520]"`` sets
    the background window (eV). ``y``: counts per channel, one spectrum or
    any array whose last axis is energy. ``low_loss``: ``(x_ll, y_ll)``, one
    low-loss spectrum or one per spectrum (zero-loss peak included), for
    areal densities in atoms/nm². ``gain``: counts per data unit.

    Returns a dict: ``edges``, ``cross_sections`` (barn), ``signal`` and
    ``signal_stderr`` (counts), ``areal_density`` and its ``_stderr`` (with
    ``low_loss``), ``ratio_labels`` (``"Ti/O"``: every pair in the order
    given), ``ratios`` and ``ratios_stderr`` (atomic ratios); arrays of the
    leading shape of ``y`` plus one axis. Standard errors are counting
    statistics and the background extrapolation; the cross-sections' own
    error is not included. Pixels in parallel, GIL released; failed pixels
    are NaN with a warning.

    ``method="model"`` fits the whole spectrum instead: a power law plus each
    edge's hydrogenic differential cross-section times its amount (amounts
    solved linearly by variable projection, the exponent searched; counting
    weights), so overlapping edges are separated and no ``delta`` is chosen
    (``delta`` then only sets the low-loss window). Hydrogenic edges only,
    without background windows. ``fine_structure``: eV after each onset left
    out of the fit (white lines, ELNES), or, with ``fine_structure_knots`` K
    > 0, fitted with K cubic B-splines per edge (exspy's fine structure).
    Returns ``amount`` and
    ``amount_stderr`` (counts per barn, ∝ atoms) in place of ``signal``, the
    ratios and areal densities with σ from the full covariance (correlations
    included), and per spectrum ``power_law_r``, ``power_law_r_stderr``,
    ``redchi``."""
    x, rows, lead = _rows(x, y)
    if not isinstance(edges, str):
        edges = ",".join(str(e) for e in edges)
    lx = ly = None
    if low_loss is not None:
        lx, ly, _ = _rows(low_loss[0], low_loss[1], "low_loss")
    d = _quantify_edges(x, rows, edges, float(beam_kev), float(beta_mrad), float(alpha_mrad),
                         float(delta), float(gain), lx, ly, str(method), float(fine_structure),
                         int(fine_structure_knots))
    _report(d.pop("failures"), lead, "quantify_edges")
    for k in ("signal", "signal_stderr", "amount", "amount_stderr", "areal_density",
              "areal_density_stderr", "ratios", "ratios_stderr"):
        if k in d:
            d[k] = d[k].reshape(lead + (d[k].shape[1],))
    for k in ("power_law_r", "power_law_r_stderr", "redchi"):
        if k in d:
            d[k] = d[k].reshape(lead) if lead else float(d[k][0])
    return d
