"""Formulas, molar masses, densities and LLTO stoichiometry.

>>> from interphase import materials
>>> round(materials.Formula("TiO2").molar_mass, 3)
79.865
"""

from ._core import Formula, Llto
from ._core import materials as _m

__all__ = ["Formula", "Llto", "theoretical_density", "archimedes"]

theoretical_density = _m.theoretical_density
archimedes = _m.archimedes
