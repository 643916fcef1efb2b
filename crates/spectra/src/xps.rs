//! XPS quantification: atomic fractions from peak areas and relative
//! sensitivity factors, with optional transmission-function and IMFP
//! corrections, and oxidation-state fractions with propagated uncertainties
//! (see also [`PeakFit::area_fraction`](crate::model::PeakFit::area_fraction)).
//!
//! The corrected intensity of a line is
//! `I = A / (RSF · T(E_K) · λ(E_K))` with `T(E) = E^(−t)` (analyser
//! transmission; t ≈ 1 for a hemispherical analyser in constant-analyser-energy
//! mode, 0 to switch off) and `λ(E) = E^m` (inelastic mean free path; m ≈ 0.6–0.75
//! after M. P. Seah & W. A. Dench, Surf. Interface Anal. 1 (1979) 2; 0 to switch
//! off), E_K the kinetic energy in eV; atomic % = 100 · Iᵢ / Σ I. RSFs are the
//! user's (from the instrument's library, e.g. Scofield cross-sections
//! normalised to C 1s = 1 as CasaXPS and the VAMAS files it writes carry them:
//! [`CasaComponent`](crate::io::CasaComponent)`.extra["RSF"]`); areas of
//! different lines are taken as independent.
//!
//! ```
//! use interphase_spectra::xps::{quantify, Line, QuantOptions};
//! use interphase_spectra::model::Estimate;
//! let lines = [
//!     Line::new("C 1s", Estimate { value: 1000.0, stderr: Some(10.0) }, 1.0),
//!     Line::new("O 1s", Estimate { value: 2930.0, stderr: Some(20.0) }, 2.93),
//! ];
//! let q = quantify(&lines, &QuantOptions::default())?;
//! assert!((q[0].atomic_percent.value - 50.0).abs() < 1e-12);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Estimate;

/// One line to quantify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Label (e.g. `Ti 2p`).
    pub name: String,
    /// Peak area (background-subtracted), intensity × eV.
    pub area: Estimate,
    /// Relative sensitivity factor (dimensionless, e.g. C 1s = 1).
    pub rsf: f64,
    /// Kinetic energy of the line (eV), needed only for the transmission and
    /// IMFP corrections.
    pub kinetic_energy: Option<f64>,
}

impl Line {
    /// A line without kinetic energy.
    pub fn new(name: impl Into<String>, area: Estimate, rsf: f64) -> Self {
        Line {
            name: name.into(),
            area,
            rsf,
            kinetic_energy: None,
        }
    }

    /// Sets the kinetic energy (eV).
    pub fn with_kinetic_energy(mut self, e: f64) -> Self {
        self.kinetic_energy = Some(e);
        self
    }
}

/// Corrections applied in [`quantify`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QuantOptions {
    /// t in T(E) = E^(−t) (0: no transmission correction).
    pub transmission_exponent: f64,
    /// m in λ(E) = E^m (0: no IMFP correction).
    pub imfp_exponent: f64,
}

/// One line's share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantified {
    /// Label.
    pub name: String,
    /// Corrected intensity I = A / (RSF · T · λ).
    pub corrected: f64,
    /// Atomic %, with the uncertainty propagated from all areas.
    pub atomic_percent: Estimate,
}

/// Atomic percentages of `lines` (see the module docs for the formula).
///
/// Errors: no lines, a non-positive or non-finite RSF, a non-finite area, a
/// missing or non-positive kinetic energy when a correction needs it, or a
/// zero total.
pub fn quantify(lines: &[Line], o: &QuantOptions) -> Result<Vec<Quantified>> {
    if lines.is_empty() {
        return Err(Error::Invalid("quantify: no lines".into()));
    }
    let needs_e = o.transmission_exponent != 0.0 || o.imfp_exponent != 0.0;
    if !(o.transmission_exponent.is_finite() && o.imfp_exponent.is_finite()) {
        return Err(Error::Invalid("quantify: exponents must be finite".into()));
    }
    let mut factor = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let what = format!("quantify: line {i} (`{}`)", l.name);
        if !(l.rsf.is_finite() && l.rsf > 0.0) {
            return Err(Error::Invalid(format!(
                "{what}: RSF {} must be finite and > 0",
                l.rsf
            )));
        }
        if !l.area.value.is_finite() || l.area.stderr.is_some_and(|s| !s.is_finite()) {
            return Err(Error::Invalid(format!("{what}: area is not finite")));
        }
        let mut f = 1.0 / l.rsf;
        if needs_e {
            let e = match l.kinetic_energy {
                Some(e) if e.is_finite() && e > 0.0 => e,
                _ => {
                    return Err(Error::Invalid(format!(
                        "{what}: the transmission/IMFP corrections need a kinetic energy > 0"
                    )));
                }
            };
            f /= e.powf(-o.transmission_exponent) * e.powf(o.imfp_exponent);
        }
        factor.push(f);
    }
    let corrected: Vec<f64> = lines
        .iter()
        .zip(&factor)
        .map(|(l, f)| l.area.value * f)
        .collect();
    let total: f64 = corrected.iter().sum();
    if total == 0.0 || !total.is_finite() {
        return Err(Error::Invalid(
            "quantify: the corrected intensities sum to zero".into(),
        ));
    }
    let all_se = lines.iter().all(|l| l.area.stderr.is_some());
    Ok(lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            // ∂(100 I_i/ΣI)/∂A_j = 100 f_j (δ_ij/ΣI − I_i/ΣI²)
            let stderr = all_se.then(|| {
                let v: f64 = lines
                    .iter()
                    .enumerate()
                    .map(|(j, lj)| {
                        let d =
                            f64::from(u8::from(i == j)) / total - corrected[i] / (total * total);
                        let g = 100.0 * factor[j] * d;
                        (g * lj.area.stderr.unwrap_or(0.0)).powi(2)
                    })
                    .sum();
                v.sqrt()
            });
            Quantified {
                name: l.name.clone(),
                corrected: corrected[i],
                atomic_percent: Estimate {
                    value: 100.0 * corrected[i] / total,
                    stderr,
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(v: f64, s: f64) -> Estimate {
        Estimate {
            value: v,
            stderr: Some(s),
        }
    }

    #[test]
    fn percentages_and_uncertainty_against_hand_values() {
        // two lines: x = A1/R1 = 100, y = A2/R2 = 300 → 25 % / 75 %
        let lines = [
            Line::new("a", est(200.0, 4.0), 2.0),
            Line::new("b", est(300.0, 3.0), 1.0),
        ];
        let q = quantify(&lines, &QuantOptions::default()).unwrap();
        assert!((q[0].atomic_percent.value - 25.0).abs() < 1e-12);
        // σ(p) = 100·sqrt((y σx)² + (x σy)²)/(x+y)², σx = 2, σy = 3
        let want =
            100.0 * ((300.0f64 * 2.0).powi(2) + (100.0f64 * 3.0).powi(2)).sqrt() / 400f64.powi(2);
        assert!((q[0].atomic_percent.stderr.unwrap() - want).abs() < 1e-12);
        assert!((q[1].atomic_percent.stderr.unwrap() - want).abs() < 1e-12);
        // transmission 1/E and IMFP E^0.7: I = A·E^(1−0.7)/RSF... check the ratio
        let o = QuantOptions {
            transmission_exponent: 1.0,
            imfp_exponent: 0.7,
        };
        let lines = [
            Line::new("a", est(100.0, 1.0), 1.0).with_kinetic_energy(1000.0),
            Line::new("b", est(100.0, 1.0), 1.0).with_kinetic_energy(500.0),
        ];
        let q = quantify(&lines, &o).unwrap();
        let r = q[0].corrected / q[1].corrected;
        assert!((r - (1000f64 / 500.0).powf(1.0 - 0.7)).abs() < 1e-12, "{r}");
    }

    #[test]
    fn bad_input() {
        let ok = Line::new("a", est(1.0, 0.1), 1.0);
        assert!(quantify(&[], &QuantOptions::default()).is_err());
        assert!(
            quantify(
                &[Line::new("a", est(1.0, 0.1), 0.0)],
                &QuantOptions::default()
            )
            .is_err()
        );
        assert!(
            quantify(
                &[Line::new("a", est(f64::NAN, 0.1), 1.0)],
                &QuantOptions::default()
            )
            .is_err()
        );
        let o = QuantOptions {
            transmission_exponent: 1.0,
            imfp_exponent: 0.0,
        };
        assert!(
            quantify(&[ok], &o)
                .unwrap_err()
                .to_string()
                .contains("kinetic energy")
        );
    }
}
