//! EELS core-loss helpers: power-law pre-edge background, reference edge
//! energies, energy differences between fitted features with propagated
//! uncertainty; [`Table`](crate::table::Table) gathers them by depth ×
//! condition (the shape of Table S1 of the LLTO interface study).
//!
//! The pre-edge background is Egerton's power law I(E) = A·E^(−r), fitted by
//! least squares to ln I = ln A − r ln E over a window before the edge
//! (R. F. Egerton, *Electron Energy-Loss Spectroscopy in the Electron
//! Microscope*, 3rd ed., Springer 2011, §4.4.2) and extrapolated under the edge.
//!
//! ```
//! use interphase_spectra::{Spectrum, eels};
//! // a power-law background with an edge feature at 531 eV
//! let e: Vec<f64> = (0..400).map(|i| 500.0 + 0.1 * i as f64).collect();
//! let y: Vec<f64> = e.iter().map(|&e| 3e9 * e.powf(-2.5) + 50.0 * (-(e - 531.0f64).powi(2) / 2.0).exp()).collect();
//! let s = Spectrum::new(e, y)?;
//! let (net, law) = eels::subtract_power_law(&s, (500.0, 520.0))?;
//! assert!((law.r - 2.5).abs() < 1e-6);
//! assert!(net.y()[0].abs() < 1e-6);
//! let ti_l3 = eels::edge("Ti", "L3").unwrap();
//! assert_eq!(ti_l3.energy_ev, 456.0);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Estimate, PeakFit};
use crate::spectrum::Spectrum;

/// A fitted power law I = A·E^(−r) (E in eV).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PowerLaw {
    /// Prefactor A (intensity · eV^r).
    pub a: f64,
    /// Exponent r (typically 2–6 for core-loss pre-edges).
    pub r: f64,
    /// The fitting window (eV).
    pub window: (f64, f64),
}

impl PowerLaw {
    /// A·E^(−r); NaN for E ≤ 0.
    pub fn eval(&self, e: f64) -> f64 {
        if e > 0.0 {
            self.a * e.powf(-self.r)
        } else {
            f64::NAN
        }
    }
}

/// Fits the power law to the points of `s` with x in `window` (inclusive),
/// by linear least squares on (ln E, ln I). Errors when the window holds
/// fewer than 3 points, or any E ≤ 0 or I ≤ 0 in it (a power law cannot fit
/// them: subtract a dark offset first or move the window).
pub fn power_law_fit(s: &Spectrum, window: (f64, f64)) -> Result<PowerLaw> {
    let (lo, hi) = (window.0.min(window.1), window.0.max(window.1));
    if !(window.0.is_finite() && window.1.is_finite()) {
        return Err(Error::Invalid(format!(
            "power-law window ({}, {}) must be finite",
            window.0, window.1
        )));
    }
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, (&e, &y)) in s.x().iter().zip(s.y()).enumerate() {
        if e < lo || e > hi {
            continue;
        }
        if e <= 0.0 || y <= 0.0 {
            return Err(Error::Invalid(format!(
                "power-law window ({lo}, {hi}): point {i} has E = {e}, I = {y}; both must be > 0"
            )));
        }
        let (lx, ly) = (e.ln(), y.ln());
        n += 1.0;
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
    }
    if n < 3.0 {
        return Err(Error::Invalid(format!(
            "power-law window ({lo}, {hi}) holds {n} points; at least 3 are needed"
        )));
    }
    let d = n * sxx - sx * sx;
    if d.abs() <= f64::EPSILON * n * sxx {
        return Err(Error::Invalid(format!(
            "power-law window ({lo}, {hi}) is too narrow in ln E"
        )));
    }
    let slope = (n * sxy - sx * sy) / d;
    let icpt = (sy - slope * sx) / n;
    Ok(PowerLaw {
        a: icpt.exp(),
        r: -slope,
        window: (lo, hi),
    })
}

/// Fits the power law over `window` and returns the spectrum minus its
/// extrapolation (over the whole axis; x must be > 0 everywhere) and the law.
pub fn subtract_power_law(s: &Spectrum, window: (f64, f64)) -> Result<(Spectrum, PowerLaw)> {
    let law = power_law_fit(s, window)?;
    if let Some(i) = s.x().iter().position(|&e| e <= 0.0) {
        return Err(Error::Invalid(format!(
            "power-law subtraction needs E > 0; point {i} has E = {}",
            s.x()[i]
        )));
    }
    let y: Vec<f64> = s
        .x()
        .iter()
        .zip(s.y())
        .map(|(&e, &y)| y - law.eval(e))
        .collect();
    let mut out = Spectrum::new(s.x().to_vec(), y)?.with_meta(s.meta.clone());
    if let Some(sig) = s.sigma() {
        out = out.with_sigma(sig.to_vec())?;
    }
    Ok((out, law))
}

/// The energy at which the background-subtracted signal first reaches
/// `fraction` (0 < fraction < 1) of its maximum, searching upward from `from`
/// (eV): a threshold estimate of the edge onset, linearly interpolated.
pub fn onset(net: &Spectrum, from: f64, fraction: f64) -> Result<f64> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(Error::Invalid(format!(
            "onset fraction {fraction} must be in (0, 1)"
        )));
    }
    let (x, y) = (net.x(), net.y());
    let start = x.iter().position(|&e| e >= from).ok_or_else(|| {
        Error::Invalid(format!(
            "onset search start {from} eV is beyond the spectrum"
        ))
    })?;
    let max = y[start..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max <= 0.0 {
        return Err(Error::Invalid(
            "no positive signal above the background after the search start".into(),
        ));
    }
    let t = fraction * max;
    for i in start.max(1)..x.len() {
        if y[i] >= t {
            if y[i - 1] >= t || i == start {
                return Ok(x[i]);
            }
            return Ok(x[i - 1] + (t - y[i - 1]) / (y[i] - y[i - 1]) * (x[i] - x[i - 1]));
        }
    }
    Ok(x[start])
}

/// The energy difference center(`to`) − center(`from`) between two fitted
/// components (labels as in [`PeakFit::component`]), with the standard error
/// from the fit covariance including their correlation,
/// var = var_a + var_b − 2 cov_ab.
pub fn delta_e(fit: &PeakFit, from: &str, to: &str) -> Result<Estimate> {
    let get = |l: &str| {
        fit.component(l).ok_or_else(|| {
            Error::Invalid(format!(
                "no component `{l}` in the fit (components: {})",
                fit.components
                    .iter()
                    .map(|c| c.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    };
    let (a, b) = (get(from)?, get(to)?);
    let value = b.center.value - a.center.value;
    let cov = fit
        .fit
        .covariance_of(&format!("{from}.center"), &format!("{to}.center"));
    let stderr = match (a.center.stderr, b.center.stderr) {
        (Some(sa), Some(sb)) => {
            let v = sa * sa + sb * sb - 2.0 * cov.unwrap_or(0.0);
            Some(v.max(0.0).sqrt())
        }
        _ => None,
    };
    Ok(Estimate { value, stderr })
}

/// A reference core-loss edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    /// Element symbol.
    pub element: &'static str,
    /// Edge name (K, L3, L2, M5, M4).
    pub edge: &'static str,
    /// Onset energy, eV.
    pub energy_ev: f64,
}

/// Edge energies of the elements of the LLTO study and common neighbours,
/// eV, from the EELS Atlas (C. C. Ahn and O. L. Krivanek, *EELS Atlas*,
/// Gatan/ASU HREM Facility, 1983), as tabulated in Egerton (2011), Appendix D.
pub const EDGES: &[Edge] = &[
    Edge {
        element: "Li",
        edge: "K",
        energy_ev: 55.0,
    },
    Edge {
        element: "C",
        edge: "K",
        energy_ev: 284.0,
    },
    Edge {
        element: "N",
        edge: "K",
        energy_ev: 401.0,
    },
    Edge {
        element: "Ti",
        edge: "L3",
        energy_ev: 456.0,
    },
    Edge {
        element: "Ti",
        edge: "L2",
        energy_ev: 462.0,
    },
    Edge {
        element: "O",
        edge: "K",
        energy_ev: 532.0,
    },
    Edge {
        element: "Mn",
        edge: "L3",
        energy_ev: 640.0,
    },
    Edge {
        element: "Fe",
        edge: "L3",
        energy_ev: 708.0,
    },
    Edge {
        element: "La",
        edge: "M5",
        energy_ev: 832.0,
    },
    Edge {
        element: "La",
        edge: "M4",
        energy_ev: 849.0,
    },
];

/// The reference edge of `element` named `edge` (case-sensitive symbol, e.g. "Ti", "L3").
pub fn edge(element: &str, edge: &str) -> Option<Edge> {
    EDGES
        .iter()
        .find(|e| e.element == element && e.edge.eq_ignore_ascii_case(edge))
        .copied()
}

/// The reference edges within `tolerance` eV of `energy`, nearest first (to label spectra).
pub fn edges_near(energy: f64, tolerance: f64) -> Vec<Edge> {
    let mut v: Vec<Edge> = EDGES
        .iter()
        .filter(|e| (e.energy_ev - energy).abs() <= tolerance)
        .copied()
        .collect();
    v.sort_by(|a, b| {
        (a.energy_ev - energy)
            .abs()
            .total_cmp(&(b.energy_ev - energy).abs())
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_law_errors() {
        let s = Spectrum::new(vec![1.0, 2.0, 3.0, 4.0], vec![1.0, 0.0, 1.0, 1.0]).unwrap();
        let e = power_law_fit(&s, (1.0, 4.0)).unwrap_err().to_string();
        assert!(e.contains("point 1"), "{e}");
        let e = power_law_fit(&s, (3.0, 4.0)).unwrap_err().to_string();
        assert!(e.contains("2 points"), "{e}");
        let e = power_law_fit(&s, (f64::NAN, 4.0)).unwrap_err().to_string();
        assert!(e.contains("finite"), "{e}");
    }

    #[test]
    fn onset_interpolates() {
        let s = Spectrum::new(vec![0.0, 1.0, 2.0, 3.0], vec![0.0, 0.0, 1.0, 2.0]).unwrap();
        // half of max 2 is 1, reached at x = 2 exactly
        assert!((onset(&s, 0.0, 0.5).unwrap() - 2.0).abs() < 1e-12);
        assert!((onset(&s, 0.0, 0.25).unwrap() - 1.5).abs() < 1e-12);
        assert!(onset(&s, 9.0, 0.5).is_err());
        assert!(onset(&s, 0.0, 1.5).is_err());
    }

    #[test]
    fn edges_are_labelled() {
        let v = edges_near(458.0, 5.0);
        assert_eq!(v[0].edge, "L3");
        assert_eq!(v.len(), 2);
        assert!(edge("O", "k").is_some());
        assert!(edge("Xx", "K").is_none());
    }
}
