"""Baselines with pybaselines' function names, keywords and return convention.

Each function returns ``(baseline, info)`` like pybaselines; ``info`` holds
``iterations`` and ``converged`` (pybaselines gives ``tol_history`` and
``weights`` instead). Only the second-difference penalty is implemented
(pybaselines' default ``diff_order=2``); other values raise
:class:`interphase.Error`. Without ``x_data`` the polynomial methods use
pybaselines' default grid, ``numpy.linspace(-1, 1, len(data))``.

>>> import numpy as np
>>> from interphase import baselines
>>> x = np.linspace(0, 100, 501)
>>> y = 0.05 * x + 10 * np.exp(-0.5 * ((x - 50) / 2) ** 2)
>>> base, info = baselines.arpls(y, lam=1e5)
>>> bool(abs(base[250] - 2.5) < 1.0)
True
"""

import numpy as _np

from . import _core
from ._core import Error

__all__ = ["asls", "arpls", "airpls", "snip", "poly", "modpoly", "imodpoly"]


def _y(data):
    y = _np.ascontiguousarray(data, dtype=_np.float64)
    if y.ndim != 1:
        raise Error(f"data must be 1-D, got shape {y.shape}")
    return y


def _x(x_data, n):
    if x_data is None:
        return _np.linspace(-1.0, 1.0, n)
    x = _np.ascontiguousarray(x_data, dtype=_np.float64)
    if x.shape != (n,):
        raise Error(f"x_data has shape {x.shape}, data has {n} points")
    return x


def _diff(diff_order):
    if diff_order != 2:
        raise Error(f"diff_order={diff_order}: only the second difference (2) is implemented")


def _no_weights(weights):
    if weights is not None:
        raise Error("initial weights are not supported yet; leave weights=None")


def asls(data, lam=1e6, p=1e-2, diff_order=2, max_iter=50, tol=1e-3, weights=None, x_data=None):
    """Asymmetric least squares (Eilers & Boelens 2005): Whittaker smoother
    with weight ``p`` above and ``1 - p`` below the baseline."""
    _diff(diff_order)
    _no_weights(weights)
    return _core._whittaker("asls", _y(data), float(lam), float(p), float(tol), int(max_iter))


def arpls(data, lam=1e5, diff_order=2, max_iter=50, tol=1e-3, weights=None, x_data=None):
    """Asymmetrically reweighted penalized least squares (Baek et al. 2015)."""
    _diff(diff_order)
    _no_weights(weights)
    return _core._whittaker("arpls", _y(data), float(lam), 0.5, float(tol), int(max_iter))


def airpls(data, lam=1e6, diff_order=2, max_iter=50, tol=1e-3, weights=None, x_data=None):
    """Adaptive iteratively reweighted penalized least squares (Zhang et al. 2010)."""
    _diff(diff_order)
    _no_weights(weights)
    return _core._whittaker("airpls", _y(data), float(lam), 0.5, float(tol), int(max_iter))


def snip(data, max_half_window=None, decreasing=False, x_data=None, lls=False):
    """Statistics-sensitive non-linear iterative peak clipping (Ryan et al.
    1988). ``max_half_window`` in points (required here; pybaselines
    estimates one); ``lls=True`` clips the log-log-sqrt transformed data."""
    if max_half_window is None:
        raise Error("max_half_window is required (points): about half the widest peak's base width")
    return _core._snip(_y(data), int(max_half_window), bool(decreasing), bool(lls))


def poly(data, x_data=None, poly_order=2, weights=None, return_coef=False):
    """Least-squares polynomial of order ``poly_order``."""
    _no_weights(weights)
    if return_coef:
        raise Error("return_coef is not supported")
    y = _y(data)
    return _core._polynomial("poly", _x(x_data, len(y)), y, int(poly_order), 0.0, 0, 0.0)


def modpoly(data, x_data=None, poly_order=2, tol=1e-3, max_iter=250, weights=None,
            use_original=False, mask_initial_peaks=False, return_coef=False):
    """Modified polyfit (Lieber & Mahadevan-Jansen 2003)."""
    _no_weights(weights)
    if use_original or mask_initial_peaks or return_coef:
        raise Error("use_original, mask_initial_peaks and return_coef are not supported")
    y = _y(data)
    return _core._polynomial("modpoly", _x(x_data, len(y)), y, int(poly_order), float(tol), int(max_iter), 0.0)


def imodpoly(data, x_data=None, poly_order=2, tol=1e-3, max_iter=250, weights=None,
             use_original=False, mask_initial_peaks=True, return_coef=False, num_std=1.0):
    """Improved modified polyfit (Zhao et al. 2007)."""
    _no_weights(weights)
    if use_original or return_coef or not mask_initial_peaks:
        raise Error("use_original, return_coef and mask_initial_peaks=False are not supported")
    y = _y(data)
    return _core._polynomial("imodpoly", _x(x_data, len(y)), y, int(poly_order), float(tol), int(max_iter), float(num_std))
