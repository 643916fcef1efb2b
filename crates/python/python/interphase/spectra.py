"""Peak models and their fits.

A :class:`PeakModel` is the TOML model of ``interphase spectrum fit``
(docs/spectra.md): peaks with shapes, doublets, bounds, fixed values and ties,
on a background. ``model.fit(x, y)`` returns a :class:`~interphase.FitResult`
with lmfit's attribute names; ``model.fit_many(x, Y)`` fits the rows of a 2-D
array on every core with the GIL released.

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
