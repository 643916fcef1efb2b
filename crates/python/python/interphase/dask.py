"""Maps of fits over Dask (or NumPy) arrays: spectrum images, line scans,
long impedance series, on one machine or a ``distributed`` cluster.

Each chunk is fitted in Rust (GIL released, rayon threads); the energy (or
frequency) axis is brought into one chunk. Results are Dask arrays with the
data's leading shape; call ``.compute()`` or ``dask.compute(...)``. Pixels
are fitted independently (``warm_start=False``, the default), so the numbers
do not depend on the chunking or on the number of workers.

A HyperSpy lazy signal's ``.data`` is a Dask array and works as it is::

    s = hs.load("si.dm4", lazy=True)           # (ny, nx, energy)
    x = s.axes_manager[-1].axis
    maps = interphase.dask.fit_map(s.data, x, model)

Progress: ``dask.diagnostics.ProgressBar()`` (local schedulers) or
``distributed.progress`` (clusters).
"""

import numpy as _np

from ._core import Error

__all__ = ["fit_map", "eis_fit_map"]


def _as_dask(data, axis):
    import dask.array as da

    arr = data if isinstance(data, da.Array) else da.asarray(data)
    if arr.ndim < 1:
        raise Error("data must have at least one axis")
    arr = da.moveaxis(arr, axis, -1)
    return arr.rechunk({arr.ndim - 1: -1})


def _unpack(packed, p, names):
    return {
        "values": packed[..., :p],
        "stderr": packed[..., p : 2 * p],
        "chisqr": packed[..., 2 * p],
        "success": packed[..., 2 * p + 1] > 0.5,
        "names": list(names),
    }


def _pack(values, stderr, chisqr, success, lead, p):
    out = _np.empty(lead + (2 * p + 2,))
    out[..., :p] = values.reshape(lead + (p,))
    out[..., p : 2 * p] = stderr.reshape(lead + (p,))
    out[..., 2 * p] = chisqr.reshape(lead)
    out[..., 2 * p + 1] = success.reshape(lead)
    return out


def fit_map(data, x, model, axis=-1, warm_start=False, weighting="unit", threads=None):
    """Fits ``model`` (a :class:`~interphase.spectra.PeakModel`) to every
    spectrum of ``data`` (any leading shape; the spectra along ``axis``) on
    the grid ``x``.

    Returns a dict of Dask arrays with the leading shape: ``values`` and
    ``stderr`` (last axis in ``model.param_names`` order, NaN where a fit
    failed or a σ is unknown), ``chisqr``, ``success``; and ``names``.
    ``threads``: rayon threads per chunk (None: all cores of the worker; use
    1 when the cluster already runs one task per core).
    """
    arr = _as_dask(data, axis).astype(_np.float64)
    n = arr.shape[-1]
    xv = _np.ascontiguousarray(x, dtype=_np.float64)
    if xv.shape != (n,):
        raise Error(f"x has shape {xv.shape}, the spectra have {n} channels")
    names = model.param_names
    p = len(names)

    def block(b):
        lead = b.shape[:-1]
        if b.size == 0:
            return _np.empty(lead + (2 * p + 2,))
        v, s, c, ok = model._fit_rows(xv, b.reshape(-1, n), warm_start, weighting, threads)
        return _pack(v, s, c, ok, lead, p)

    chunks = arr.chunks[:-1] + ((2 * p + 2,),)
    packed = arr.map_blocks(block, dtype=_np.float64, chunks=chunks, meta=_np.empty((0,) * arr.ndim))
    return _unpack(packed, p, names)


def eis_fit_map(Z, freq, circuit, axis=-1, weight="proportional", initial=None, threads=None):
    """Fits ``circuit`` to every impedance spectrum of ``Z`` (complex, any
    leading shape; frequencies along ``axis``). The same dict as
    :func:`fit_map`, the parameters in ``circuit.param_names`` order."""
    from . import eis

    c = eis._circuit(circuit)
    arr = _as_dask(Z, axis).astype(_np.complex128)
    n = arr.shape[-1]
    f = _np.ascontiguousarray(freq, dtype=_np.float64)
    if f.shape != (n,):
        raise Error(f"freq has shape {f.shape}, the spectra have {n} points")
    names = c.param_names
    p = len(names)
    from ._core import eis as _e

    def block(b):
        lead = b.shape[:-1]
        if b.size == 0:
            return _np.empty(lead + (2 * p + 2,))
        rows = _np.ascontiguousarray(b.reshape(-1, n))
        v, s, ch, ok = _e._fit_rows(f, rows, c, weight, initial, threads)
        return _pack(v, s, ch, ok, lead, p)

    chunks = arr.chunks[:-1] + ((2 * p + 2,),)
    packed = arr.map_blocks(block, dtype=_np.float64, chunks=chunks, meta=_np.empty((0,) * arr.ndim))
    return _unpack(packed, p, names)
