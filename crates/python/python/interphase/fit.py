"""The fitting core for your own model functions.

:func:`curve_fit` fits a Python function ``f(x, *params)`` with the same
Levenberg-Marquardt solver, bounds handling, covariance and statistics as
every other fit in interphase, and returns the same
:class:`~interphase.FitResult` (``kind == "curve"``).

It is the **slow path**: the model is Python, called with the GIL held, once
per residual evaluation plus once per varied parameter for each
finite-difference Jacobian. Use :class:`interphase.spectra.PeakModel` or
:func:`interphase.eis.fit` where they describe your model: those run
entirely in Rust, in parallel over many spectra.

>>> import numpy as np
>>> from interphase.fit import curve_fit
>>> def decay(t, a, tau):
...     return a * np.exp(-t / tau)
>>> t = np.linspace(0.0, 10.0, 50)
>>> r = curve_fit(decay, t, decay(t, 2.0, 3.0), p0=[1.0, 1.0])
>>> round(r.params["tau"].value, 8), r.var_names
(3.0, ['a', 'tau'])
"""

import inspect as _inspect
import math as _math

import numpy as _np

from ._core import Error
from ._core import fit as _f

__all__ = ["curve_fit"]


def _names(f, p0, names):
    if names is not None:
        return [str(n) for n in names]
    try:
        sig = _inspect.signature(f)
    except (TypeError, ValueError):
        sig = None
    if sig is not None:
        ps = list(sig.parameters.values())[1:]
        if all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in ps):
            found = [p.name for p in ps]
            if p0 is not None and not isinstance(p0, dict) and len(_np.atleast_1d(p0)) != len(found):
                raise Error(
                    f"p0 has {len(_np.atleast_1d(p0))} values for {len(found)} parameters {found}"
                )
            return found
    if isinstance(p0, dict):
        return [str(k) for k in p0]
    if p0 is None:
        raise Error(
            "cannot tell how many parameters the model takes (it has *args or no "
            "signature): give p0, or names=[...]"
        )
    return [f"p{i}" for i in range(len(_np.atleast_1d(p0)))]


def _bound(b, names, which):
    n = len(names)
    if isinstance(b, dict):
        unknown = sorted(set(b) - set(names))
        if unknown:
            raise Error(f"{which} bound for unknown parameter(s) {unknown}; parameters: {names}")
        default = -_math.inf if which == "lower" else _math.inf
        return [float(b.get(k, default)) for k in names]
    a = _np.asarray(b, dtype=float)
    if a.ndim == 0:
        return [float(a)] * n
    if a.shape != (n,):
        raise Error(f"{which} bounds have shape {a.shape} for {n} parameters {names}")
    return [float(v) for v in a]


def curve_fit(
    f,
    x,
    y,
    p0=None,
    sigma=None,
    absolute_sigma=False,
    bounds=(-_math.inf, _math.inf),
    fixed=(),
    names=None,
    max_nfev=None,
    ftol=1.49012e-8,
    xtol=1.49012e-8,
    jac="2-point",
):
    """Fits ``y ≈ f(x, *params)`` by least squares; returns a :class:`~interphase.FitResult`.

    Arguments follow ``scipy.optimize.curve_fit``:

    * ``f(x, p1, p2, ...)`` returns the model at ``x`` (an array with as many
      values as ``y``). ``x`` is passed through as a float64 array of the
      shape you gave (so ``(k, M)`` for several independent variables).
    * ``p0``: starting values, a sequence in the order of ``f``'s arguments or
      a dict ``{name: value}``; ``None`` starts every parameter at 1 (scipy's
      default, rarely a good start).
    * ``sigma``: standard deviations of ``y`` (same units); residuals are
      ``(f(x, *p) − y)/σ``. ``absolute_sigma=False`` (the default, as scipy
      and lmfit) scales the covariance by χ²_ν; ``True`` keeps it absolute.
    * ``bounds``: ``(lower, upper)``, each a scalar or one value per
      parameter, ``±inf`` for none; or a dict ``{name: (lower, upper)}``.
      Bounds are handled by lmfit's MINUIT-style transformation.
    * ``fixed``: names of parameters held at their start (lmfit's
      ``vary=False``).
    * ``names``: parameter names when ``f`` takes ``*args``.
    * ``max_nfev``: at most this many model evaluations outside Jacobians.
    * ``ftol``, ``xtol``: MINPACK's relative tolerances on χ² and on the
      parameters (scipy's and lmfit's defaults, 1.49012e-8).
    * ``jac``: ``"2-point"`` (forward differences, MINPACK's step; the
      default, as scipy), ``"3-point"`` (central differences: two calls per
      parameter, about twice the correct digits), or a callable
      ``jac(x, *params)`` returning the ``(len(y), n_params)`` array
      ``∂f/∂p`` (every parameter, fixed ones included) — the fastest and
      most accurate path.

    The parameter names come from ``f``'s signature. ``popt`` and ``pcov``
    of scipy are ``list(r.best_values.values())`` and ``r.covar`` (over the
    varied parameters, ``r.var_names`` order). An exception raised by ``f``
    stops the fit and is re-raised as :class:`~interphase.Error` (with the
    original as ``__cause__``); a model that returns NaN at the start is an
    error, not a silent result.
    """
    if not callable(f):
        raise Error(f"f must be callable, got {type(f).__name__}")
    names_ = _names(f, p0, names)
    if len(set(names_)) != len(names_):
        raise Error(f"parameter names repeat: {names_}")
    if p0 is None:
        starts = [1.0] * len(names_)
    elif isinstance(p0, dict):
        missing = [k for k in names_ if k not in p0]
        if missing:
            raise Error(f"p0 has no start for {missing}")
        starts = [float(p0[k]) for k in names_]
    else:
        starts = [float(v) for v in _np.atleast_1d(_np.asarray(p0, dtype=float))]
        if len(starts) != len(names_):
            raise Error(f"p0 has {len(starts)} values for {len(names_)} parameters {names_}")
    if isinstance(bounds, dict):
        lower = _bound({k: v[0] for k, v in bounds.items()}, names_, "lower")
        upper = _bound({k: v[1] for k, v in bounds.items()}, names_, "upper")
    else:
        try:
            lo, hi = bounds
        except (TypeError, ValueError):
            raise Error("bounds must be (lower, upper) or a dict {name: (lower, upper)}") from None
        lower = _bound(lo, names_, "lower")
        upper = _bound(hi, names_, "upper")
    unknown = sorted(set(fixed) - set(names_))
    if unknown:
        raise Error(f"fixed names unknown parameter(s) {unknown}; parameters: {names_}")
    vary = [n not in set(fixed) for n in names_]
    if callable(jac):
        jac_fn, diff = jac, "2-point"
    elif jac in ("2-point", "3-point"):
        jac_fn, diff = None, jac
    else:
        raise Error(f"jac={jac!r}: a callable, '2-point' or '3-point'")
    y_ = _np.asarray(y, dtype=float)
    if y_.ndim != 1:
        raise Error(f"y must be 1-D, got shape {y_.shape}")
    return _f.curve_fit(
        f, x, y_, names_, starts, lower, upper, vary, sigma, bool(absolute_sigma), max_nfev,
        float(ftol), float(xtol), jac_fn, diff,
    )
