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

mod crosssection;
mod edge_model;
mod features;
mod image;
mod lowloss;
mod mlls;
mod quantify;

pub use crosssection::{HydrogenicEdge, Optics, Shell, effective_angle};
pub use edge_model::{EdgeAmount, EdgeModel, EdgeModelFit, EdgeModelOptions, model_edges};
pub use features::{Feature, FeatureOptions};
pub use image::{MAX_IMAGE_VALUES, Map, SpectrumImage};
pub use lowloss::*;
pub use mlls::*;
pub use quantify::*;

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
    power_law_fit_xy(s.x(), s.y(), window)
}

/// [`power_law_fit`] on plain energy (eV) and intensity slices of equal length.
pub fn power_law_fit_xy(x: &[f64], y: &[f64], window: (f64, f64)) -> Result<PowerLaw> {
    if x.len() != y.len() {
        return Err(Error::Invalid(format!(
            "power-law fit: {} energies for {} intensities",
            x.len(),
            y.len()
        )));
    }
    let (lo, hi) = (window.0.min(window.1), window.0.max(window.1));
    if !(window.0.is_finite() && window.1.is_finite()) {
        return Err(Error::Invalid(format!(
            "power-law window ({}, {}) must be finite",
            window.0, window.1
        )));
    }
    let (mut n, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, (&e, &y)) in x.iter().zip(y).enumerate() {
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

/// The edge onset as the inflection point of the rising edge: the maximum
/// of the Savitzky–Golay first derivative (quadratic, `window` points, odd
/// ≥ 5) within `range` (eV), refined by a parabola through the three
/// derivative samples around it. The axis must be uniform.
pub fn onset_inflection(net: &Spectrum, range: (f64, f64), window: usize) -> Result<f64> {
    let (a, b) = (range.0.min(range.1), range.0.max(range.1));
    if !(a.is_finite() && b.is_finite()) {
        return Err(Error::Invalid(format!(
            "inflection range ({a}, {b}) must be finite"
        )));
    }
    let d = net.savgol(window, 2, 1)?;
    let (x, y) = (d.x(), d.y());
    let best = (0..x.len())
        .filter(|&i| x[i] >= a && x[i] <= b)
        .max_by(|&i, &j| y[i].total_cmp(&y[j]))
        .ok_or_else(|| Error::Invalid(format!("no points in the inflection range ({a}, {b})")))?;
    let scale = net.y().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let dx = ((x[x.len() - 1] - x[0]) / (x.len() - 1) as f64).abs();
    if y[best] <= 1e-12 * scale / dx {
        return Err(Error::Invalid(format!(
            "the signal does not rise anywhere in ({a}, {b}): no edge"
        )));
    }
    if best == 0 || best + 1 >= x.len() {
        return Ok(x[best]);
    }
    let (y0, y1, y2) = (y[best - 1], y[best], y[best + 1]);
    let den = y0 - 2.0 * y1 + y2;
    let shift = if den < 0.0 {
        0.5 * (y0 - y2) / den
    } else {
        0.0
    };
    let h = x[best + 1] - x[best];
    Ok(x[best] + shift.clamp(-1.0, 1.0) * h)
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

/// An automatic pre-edge fitting window for an edge at `edge_ev`: it ends
/// max(2 % of the edge energy, 3 eV) below the edge (clear of the onset
/// broadening) and spans max(10 % of the edge energy, 10 eV) downward —
/// Egerton's advice (2011, §4.4.2) that the window be wide for statistics
/// yet close to the edge — cut at the spectrum's start. Errors when fewer
/// than 5 points remain in it.
pub fn pre_edge_window(s: &Spectrum, edge_ev: f64) -> Result<(f64, f64)> {
    pre_edge_window_xy(s.x(), edge_ev)
}

/// [`pre_edge_window`] on a plain (increasing) energy axis, eV.
pub fn pre_edge_window_xy(x: &[f64], edge_ev: f64) -> Result<(f64, f64)> {
    if !(edge_ev.is_finite() && edge_ev > 0.0) {
        return Err(Error::Invalid(format!(
            "edge energy {edge_ev} eV must be > 0"
        )));
    }
    let start = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = edge_ev - (0.02 * edge_ev).max(3.0);
    let lo = (hi - (0.1 * edge_ev).max(10.0)).max(start);
    let n = x.iter().filter(|&&e| e >= lo && e <= hi).count();
    if n < 5 {
        return Err(Error::Invalid(format!(
            "the automatic pre-edge window {lo:.1}..{hi:.1} eV before the {edge_ev} eV edge holds {n} points; at least 5 are needed (record more of the pre-edge or give a window)"
        )));
    }
    Ok((lo, hi))
}

/// [`subtract_power_law`] over the automatic [`pre_edge_window`] of the
/// edge at `edge_ev`.
pub fn subtract_power_law_before(s: &Spectrum, edge_ev: f64) -> Result<(Spectrum, PowerLaw)> {
    subtract_power_law(s, pre_edge_window(s, edge_ev)?)
}

/// The white-line intensity ratio L3/L2 from a background-subtracted
/// spectrum: the net counts integrated (trapezoidal rule) over the `l3` and
/// `l2` windows (eV).
///
/// With `continuum = Some((lo, hi))`, the transitions to the continuum are
/// removed first by the Pearson double step (D. H. Pearson, C. C. Ahn and
/// B. Fultz, Phys. Rev. B 47 (1993) 8471): steps at the window starts with
/// heights in the 2:1 ratio of the 2p3/2 and 2p1/2 occupancies, their sum the
/// mean net intensity over `continuum` (a window past the L2 line).
/// The standard error comes from the spectrum's σ (Poisson for counts) when
/// known.
pub fn white_line_ratio(
    net: &Spectrum,
    l3: (f64, f64),
    l2: (f64, f64),
    continuum: Option<(f64, f64)>,
) -> Result<Estimate> {
    for (name, (a, b)) in [("L3", l3), ("L2", l2)] {
        if !(a.is_finite() && b.is_finite() && a < b) {
            return Err(Error::Invalid(format!(
                "{name} window ({a}, {b}) must be finite with start < end"
            )));
        }
    }
    let (x, y) = (net.x(), net.y());
    let step_h = match continuum {
        None => 0.0,
        Some((a, b)) => {
            let v: Vec<f64> = x
                .iter()
                .zip(y)
                .filter(|(e, _)| **e >= a && **e <= b)
                .map(|(_, v)| *v)
                .collect();
            if v.is_empty() {
                return Err(Error::Invalid(format!(
                    "continuum window ({a}, {b}) holds no points"
                )));
            }
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let step = |e: f64| {
        let mut h = 0.0;
        if e >= l3.0 {
            h += 2.0 / 3.0 * step_h;
        }
        if e >= l2.0 {
            h += step_h / 3.0;
        }
        h
    };
    let sigma = net.uncertainties();
    // trapezoid weights over a window: integral and its variance
    let integrate = |(a, b): (f64, f64)| -> Result<(f64, Option<f64>)> {
        let idx: Vec<usize> = (0..x.len()).filter(|&i| x[i] >= a && x[i] <= b).collect();
        if idx.len() < 2 {
            return Err(Error::Invalid(format!(
                "window ({a}, {b}) holds {} points; at least 2 are needed",
                idx.len()
            )));
        }
        let mut w = vec![0.0; idx.len()];
        for k in 0..idx.len() - 1 {
            let h = (x[idx[k + 1]] - x[idx[k]]).abs() / 2.0;
            w[k] += h;
            w[k + 1] += h;
        }
        let total: f64 = idx
            .iter()
            .zip(&w)
            .map(|(&i, wk)| wk * (y[i] - step(x[i])))
            .sum();
        let var = sigma.as_ref().map(|s| {
            idx.iter()
                .zip(&w)
                .map(|(&i, wk)| (wk * s[i]).powi(2))
                .sum::<f64>()
        });
        Ok((total, var))
    };
    let (i3, v3) = integrate(l3)?;
    let (i2, v2) = integrate(l2)?;
    if i2 <= 0.0 {
        return Err(Error::Invalid(format!(
            "the L2 window integrates to {i2} ≤ 0: no L2 white line above the background"
        )));
    }
    let r = i3 / i2;
    let stderr = match (v3, v2) {
        (Some(a), Some(b)) => Some(r * (a / (i3 * i3) + b / (i2 * i2)).sqrt()),
        _ => None,
    };
    Ok(Estimate { value: r, stderr })
}

/// The L3/L2 ratio from a peak fit: Σ areas of the `l3` peaks over Σ areas
/// of the `l2` peaks, with the uncertainty propagated through the fit
/// covariance ([`PeakFit::area_fraction`]).
pub fn white_line_ratio_from_fit(fit: &PeakFit, l3: &[&str], l2: &[&str]) -> Result<Estimate> {
    fit.area_fraction(l3, l2)
}

/// The crystal-field splitting 10Dq ≈ center(eg) − center(t2g) of a fitted
/// L3 (or L2) white line, with the standard error from the fit covariance
/// (as [`delta_e`]); for Ti⁴⁺ in octahedral coordination about 2 eV
/// (F. M. F. de Groot et al., Phys. Rev. B 41 (1990) 928).
pub fn crystal_field_splitting(fit: &PeakFit, t2g: &str, eg: &str) -> Result<Estimate> {
    delta_e(fit, t2g, eg)
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

    fn gauss(e: f64, c: f64, sd: f64) -> f64 {
        (-0.5 * ((e - c) / sd).powi(2)).exp()
    }

    #[test]
    fn automatic_window_and_white_lines() {
        // Ti L2,3 on a power law: L3 (t2g, eg) at 457/459, L2 at 462.5/464.5
        let e: Vec<f64> = (0..800).map(|i| 380.0 + 0.125 * i as f64).collect();
        let lines = |x: f64| {
            400.0 * gauss(x, 457.0, 0.5)
                + 500.0 * gauss(x, 459.0, 0.7)
                + 300.0 * gauss(x, 462.5, 0.6)
                + 350.0 * gauss(x, 464.5, 0.8)
        };
        let y: Vec<f64> = e.iter().map(|&x| 4e10 * x.powf(-3.0) + lines(x)).collect();
        let s = Spectrum::new(e.clone(), y).unwrap();
        let w = pre_edge_window(&s, 456.0).unwrap();
        assert!(
            (w.1 - (456.0 - 9.12)).abs() < 1e-9 && (w.0 - (w.1 - 45.6)).abs() < 1e-9,
            "{w:?}"
        );
        let (net, law) = subtract_power_law_before(&s, 456.0).unwrap();
        assert!((law.r - 3.0).abs() < 1e-3, "{law:?}");
        let r = white_line_ratio(&net, (454.0, 461.0), (461.0, 468.0), None).unwrap();
        // exact areas: Σ h·sd for each group (the Gaussians' tails in the other window are small)
        let want = (400.0 * 0.5 + 500.0 * 0.7) / (300.0 * 0.6 + 350.0 * 0.8);
        assert!((r.value - want).abs() < 0.02 * want, "{r:?} vs {want}");
        assert!(r.stderr.is_none());
        // a window before the spectrum starts
        let short = Spectrum::new(e[600..].to_vec(), vec![1.0; 200]).unwrap();
        assert!(pre_edge_window(&short, 456.0).is_err());
        assert!(white_line_ratio(&net, (461.0, 454.0), (461.0, 468.0), None).is_err());
        assert!(white_line_ratio(&net, (454.0, 461.0), (500.0, 510.0), None).is_err());
        assert!(
            white_line_ratio(&net, (454.0, 461.0), (461.0, 468.0), Some((900.0, 901.0))).is_err()
        );
    }

    #[test]
    fn inflection_onset_of_an_error_function_edge() {
        // a smoothed step centred at 455.3 eV: the inflection is the centre
        let e: Vec<f64> = (0..300).map(|i| 440.0 + 0.1 * i as f64).collect();
        let y: Vec<f64> = e
            .iter()
            .map(|&x| 100.0 / (1.0 + (-(x - 455.3) / 0.8).exp()))
            .collect();
        let s = Spectrum::new(e, y).unwrap();
        let on = onset_inflection(&s, (445.0, 465.0), 7).unwrap();
        assert!((on - 455.3).abs() < 0.01, "{on}");
        assert!(onset_inflection(&s, (500.0, 510.0), 7).is_err());
        let flat = Spectrum::new((0..50).map(|i| i as f64).collect(), vec![1.0; 50]).unwrap();
        assert!(onset_inflection(&flat, (0.0, 49.0), 7).is_err());
        assert!(onset_inflection(&s, (445.0, 465.0), 4).is_err());
    }

    #[test]
    fn pearson_step_removes_the_continuum() {
        // white lines plus a 2:1 double step of total height 30 at 456 and 461.5 eV
        let e: Vec<f64> = (0..400).map(|i| 450.0 + 0.1 * i as f64).collect();
        let y: Vec<f64> = e
            .iter()
            .map(|&x| {
                let step =
                    if x >= 456.0 { 20.0 } else { 0.0 } + if x >= 461.5 { 10.0 } else { 0.0 };
                step + 400.0 * gauss(x, 458.0, 0.6) + 200.0 * gauss(x, 464.0, 0.6)
            })
            .collect();
        let s = Spectrum::new(e, y).unwrap();
        let r = white_line_ratio(&s, (456.0, 461.5), (461.5, 467.5), Some((475.0, 489.0))).unwrap();
        assert!((r.value - 2.0).abs() < 0.01, "{r:?}");
        let raw = white_line_ratio(&s, (456.0, 461.5), (461.5, 467.5), None).unwrap();
        assert!((raw.value - 2.0).abs() > 0.05);
    }

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
