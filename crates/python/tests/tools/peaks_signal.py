"""The signal of tests/test_analysis.py's peak-finding comparison (numpy
only; tools/scipy_peaks_refs.py writes scipy's answers on it)."""
import numpy as np


def signal():
    i = np.arange(300)
    y = (100 * np.exp(-(((i - 60) / 6.0) ** 2)) + 40 * np.exp(-(((i - 140) / 9.0) ** 2))
         + 55 * np.exp(-(((i - 170) / 4.0) ** 2)) + 3 * np.sin(1.7 * i) + 2 * np.cos(0.37 * i))
    y[230:234] = 70.0  # a plateau of 4 samples
    return y
