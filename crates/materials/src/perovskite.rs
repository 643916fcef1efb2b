//! Perovskite ABX₃ descriptors from Shannon radii: Goldschmidt tolerance
//! factor, octahedral factor and Bartel's τ, with occupancy-weighted mixed sites.
//!
//! ```
//! use interphase_materials::perovskite::{Site, tolerance_factor, octahedral_factor, bartel_tau};
//! use interphase_materials::radii::shannon_radius;
//! use interphase_materials::radii::Spin;
//! // LLTO, x = 0.11: A = Li⁺ 0.33 (CN VIII: the largest Shannon lists) + La³⁺ 0.5567 (CN XII) + vacancies
//! let a = Site::new(&[("Li", 1, 8, 0.33), ("La", 3, 12, 2.0 / 3.0 - 0.11)])?;
//! let r_b = shannon_radius("Ti", 4, 6, Spin::None)?;
//! let r_x = shannon_radius("O", -2, 6, Spin::None)?;
//! let t = tolerance_factor(a.radius(), r_b, r_x)?;
//! // r_A = (0.33·0.92 + 0.5567·1.36)/0.8867 = 1.196 Å → t = 2.596/(√2·2.005) = 0.916 (tilted octahedra)
//! assert!((t - 0.9156).abs() < 1e-3);
//! let mu = octahedral_factor(r_b, r_x)?;
//! assert!((mu - 0.605 / 1.40).abs() < 1e-12);
//! let tau = bartel_tau(a.radius(), r_b, r_x, a.charge())?;
//! assert!(tau < 4.18); // Bartel: τ < 4.18 predicts a perovskite
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use crate::error::{Error, Result, positive};
use crate::radii::{Spin, shannon_radius};

/// A crystallographic site shared by several ions (and vacancies): the
/// occupancy-weighted mean radius and charge over the *occupied* fraction
/// (vacancies carry no radius; their share is reported by [`Site::vacancy`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Site {
    species: Vec<(String, i8, u8, f64, f64)>,
}

impl Site {
    /// A site from (symbol, charge, coordination, occupancy) tuples; occupancies
    /// must be > 0 and sum to ≤ 1 (the rest is vacant). Radii are Shannon's
    /// effective ionic radii.
    pub fn new(species: &[(&str, i8, u8, f64)]) -> Result<Site> {
        let mut v = Vec::new();
        let mut total = 0.0;
        for &(sym, q, cn, occ) in species {
            positive("occupancy", occ)?;
            total += occ;
            let r = shannon_radius(sym, q, cn, Spin::None)?;
            v.push((sym.to_string(), q, cn, occ, r));
        }
        if v.is_empty() {
            return Err(Error::InvalidValue {
                name: "species",
                value: 0.0,
                reason: "a site needs at least one ion".into(),
            });
        }
        if total > 1.0 + 1e-9 {
            return Err(Error::InvalidValue {
                name: "occupancy",
                value: total,
                reason: "occupancies sum to more than 1".into(),
            });
        }
        Ok(Site { species: v })
    }

    fn occupied(&self) -> f64 {
        self.species.iter().map(|s| s.3).sum()
    }

    /// Occupancy-weighted mean radius (Å) over the occupied fraction.
    pub fn radius(&self) -> f64 {
        self.species.iter().map(|s| s.3 * s.4).sum::<f64>() / self.occupied()
    }

    /// Occupancy-weighted mean charge over the occupied fraction.
    pub fn charge(&self) -> f64 {
        self.species.iter().map(|s| s.3 * s.1 as f64).sum::<f64>() / self.occupied()
    }

    /// Vacant fraction of the site.
    pub fn vacancy(&self) -> f64 {
        (1.0 - self.occupied()).max(0.0)
    }
}

/// Goldschmidt tolerance factor t = (r_A + r_X) / (√2·(r_B + r_X))
/// (V. M. Goldschmidt, *Naturwissenschaften* 14 (1926) 477); radii in Å.
pub fn tolerance_factor(r_a: f64, r_b: f64, r_x: f64) -> Result<f64> {
    positive("r_a_angstrom", r_a)?;
    positive("r_b_angstrom", r_b)?;
    positive("r_x_angstrom", r_x)?;
    Ok((r_a + r_x) / (std::f64::consts::SQRT_2 * (r_b + r_x)))
}

/// Octahedral factor μ = r_B / r_X (Li et al., *Acta Cryst.* B60 (2004) 3; stable
/// BX₆ octahedra for μ ≳ 0.41).
pub fn octahedral_factor(r_b: f64, r_x: f64) -> Result<f64> {
    positive("r_b_angstrom", r_b)?;
    positive("r_x_angstrom", r_x)?;
    Ok(r_b / r_x)
}

/// Bartel's tolerance factor τ = r_X/r_B − n_A·(n_A − (r_A/r_B)/ln(r_A/r_B))
/// (C. J. Bartel et al., *Sci. Adv.* 5 (2019) eaav0693; τ < 4.18 predicts a
/// perovskite), n_A the (mean) A-site oxidation state. Requires r_A > r_B, as in
/// Bartel's definition (the larger cation is A).
pub fn bartel_tau(r_a: f64, r_b: f64, r_x: f64, n_a: f64) -> Result<f64> {
    positive("r_a_angstrom", r_a)?;
    positive("r_b_angstrom", r_b)?;
    positive("r_x_angstrom", r_x)?;
    positive("n_a", n_a)?;
    if r_a <= r_b {
        return Err(Error::InvalidValue {
            name: "r_a_angstrom",
            value: r_a,
            reason: format!("Bartel's τ needs r_A > r_B ({r_b} Å)"),
        });
    }
    let q = r_a / r_b;
    Ok(r_x / r_b - n_a * (n_a - q / q.ln()))
}
