//! Unit cells, theoretical (X-ray) density, the Archimedes method and relative density.
//!
//! ```
//! use interphase_materials::{Formula, density::{Lattice, theoretical_density, relative_density}};
//! // LLTO, Table S2 of the interface study: Li0.33La0.56TiO3 in a pseudo-cubic
//! // perovskite cell a = 3.875 Å, Z = 1 → 5.021 g/cm³; measured 4.796 → 95.5 %
//! let f: Formula = "Li0.33La0.56TiO3".parse()?;
//! let rho = theoretical_density(&f, &Lattice::cubic(3.875)?, 1.0)?;
//! assert!((rho - 5.021).abs() < 5e-4);
//! let rel = relative_density(4.796, 0.0, 5.021, 0.0)?;
//! assert!((rel.value - 0.9552).abs() < 1e-4);
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use crate::error::{Error, Result, non_negative, positive};
use crate::formula::Formula;

/// The Avogadro constant N_A (mol⁻¹), exact since the 2019 SI redefinition (CODATA 2018).
pub const AVOGADRO: f64 = 6.022_140_76e23;

/// A value with its standard uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measured {
    /// The value.
    pub value: f64,
    /// Its standard uncertainty (same unit).
    pub uncertainty: f64,
}

/// A unit cell of one of the seven lattice systems; lengths in Å, angles in degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "system", rename_all = "lowercase")]
pub enum Lattice {
    /// a = b = c, α = β = γ = 90°.
    Cubic {
        /// a (Å).
        a: f64,
    },
    /// a = b ≠ c, α = β = γ = 90°.
    Tetragonal {
        /// a (Å).
        a: f64,
        /// c (Å).
        c: f64,
    },
    /// a ≠ b ≠ c, α = β = γ = 90°.
    Orthorhombic {
        /// a (Å).
        a: f64,
        /// b (Å).
        b: f64,
        /// c (Å).
        c: f64,
    },
    /// a = b ≠ c, α = β = 90°, γ = 120°.
    Hexagonal {
        /// a (Å).
        a: f64,
        /// c (Å).
        c: f64,
    },
    /// Rhombohedral setting: a = b = c, α = β = γ ≠ 90°.
    Trigonal {
        /// a (Å).
        a: f64,
        /// α (degrees).
        alpha: f64,
    },
    /// a ≠ b ≠ c, α = γ = 90°, β ≠ 90°.
    Monoclinic {
        /// a (Å).
        a: f64,
        /// b (Å).
        b: f64,
        /// c (Å).
        c: f64,
        /// β (degrees).
        beta: f64,
    },
    /// General cell.
    Triclinic {
        /// a (Å).
        a: f64,
        /// b (Å).
        b: f64,
        /// c (Å).
        c: f64,
        /// α (degrees).
        alpha: f64,
        /// β (degrees).
        beta: f64,
        /// γ (degrees).
        gamma: f64,
    },
}

impl Lattice {
    /// A cubic cell (validated).
    pub fn cubic(a: f64) -> Result<Lattice> {
        Lattice::Cubic { a }.validated()
    }

    /// The six cell parameters (a, b, c in Å; α, β, γ in degrees).
    pub fn parameters(&self) -> [f64; 6] {
        match *self {
            Lattice::Cubic { a } => [a, a, a, 90.0, 90.0, 90.0],
            Lattice::Tetragonal { a, c } => [a, a, c, 90.0, 90.0, 90.0],
            Lattice::Orthorhombic { a, b, c } => [a, b, c, 90.0, 90.0, 90.0],
            Lattice::Hexagonal { a, c } => [a, a, c, 90.0, 90.0, 120.0],
            Lattice::Trigonal { a, alpha } => [a, a, a, alpha, alpha, alpha],
            Lattice::Monoclinic { a, b, c, beta } => [a, b, c, 90.0, beta, 90.0],
            Lattice::Triclinic {
                a,
                b,
                c,
                alpha,
                beta,
                gamma,
            } => [a, b, c, alpha, beta, gamma],
        }
    }

    /// Checks lengths > 0, angles in (0°, 180°) and a real cell (positive volume).
    pub fn validated(self) -> Result<Lattice> {
        let [a, b, c, al, be, ga] = self.parameters();
        positive("a_angstrom", a)?;
        positive("b_angstrom", b)?;
        positive("c_angstrom", c)?;
        for (name, v) in [("alpha_deg", al), ("beta_deg", be), ("gamma_deg", ga)] {
            if !(v.is_finite() && v > 0.0 && v < 180.0) {
                return Err(Error::InvalidValue {
                    name,
                    value: v,
                    reason: "must be in (0, 180) degrees".into(),
                });
            }
        }
        let g = Self::angle_factor(al, be, ga);
        if g.is_nan() || g <= 1e-12 {
            return Err(Error::InvalidValue {
                name: "angles",
                value: g,
                reason: format!("α = {al}°, β = {be}°, γ = {ga}° do not form a cell"),
            });
        }
        Ok(self)
    }

    fn angle_factor(al: f64, be: f64, ga: f64) -> f64 {
        let (ca, cb, cg) = (
            al.to_radians().cos(),
            be.to_radians().cos(),
            ga.to_radians().cos(),
        );
        1.0 - ca * ca - cb * cb - cg * cg + 2.0 * ca * cb * cg
    }

    /// Cell volume (Å³): V = abc·√(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ)
    /// (the general triclinic formula; International Tables for Crystallography
    /// Vol. B, §1.1), exact for the special systems.
    pub fn volume(&self) -> Result<f64> {
        self.validated()?;
        let [a, b, c, al, be, ga] = self.parameters();
        Ok(match *self {
            Lattice::Cubic { a } => a * a * a,
            Lattice::Tetragonal { a, c } => a * a * c,
            Lattice::Orthorhombic { a, b, c } => a * b * c,
            _ => a * b * c * Self::angle_factor(al, be, ga).sqrt(),
        })
    }

    /// d-spacing (Å) of the (hkl) planes, from the reciprocal metric tensor
    /// (valid for every system).
    pub fn d_spacing(&self, h: i32, k: i32, l: i32) -> Result<f64> {
        if h == 0 && k == 0 && l == 0 {
            return Err(Error::InvalidValue {
                name: "hkl",
                value: 0.0,
                reason: "(000) has no d-spacing".into(),
            });
        }
        let [a, b, c, al, be, ga] = self.parameters();
        let v = self.volume()?;
        let (ca, cb, cg) = (
            al.to_radians().cos(),
            be.to_radians().cos(),
            ga.to_radians().cos(),
        );
        let (sa, sb, sg) = (
            al.to_radians().sin(),
            be.to_radians().sin(),
            ga.to_radians().sin(),
        );
        let (h, k, l) = (h as f64, k as f64, l as f64);
        // 1/d² = (1/V²)[h²b²c²sin²α + k²a²c²sin²β + l²a²b²sin²γ
        //   + 2hk·abc²(cosα cosβ − cosγ) + 2kl·a²bc(cosβ cosγ − cosα) + 2hl·ab²c(cosα cosγ − cosβ)]
        let s = h * h * b * b * c * c * sa * sa
            + k * k * a * a * c * c * sb * sb
            + l * l * a * a * b * b * sg * sg
            + 2.0 * h * k * a * b * c * c * (ca * cb - cg)
            + 2.0 * k * l * a * a * b * c * (cb * cg - ca)
            + 2.0 * h * l * a * b * b * c * (ca * cg - cb);
        Ok(v / s.sqrt())
    }
}

/// Theoretical (X-ray) density ρ = Z·M / (N_A·V) in g cm⁻³, with M the molar mass
/// of `formula` (g mol⁻¹), V the cell volume (Å³ → 10⁻²⁴ cm³) and Z formula
/// units per cell (> 0; fractional Z allowed for disordered cells).
pub fn theoretical_density(formula: &Formula, lattice: &Lattice, z: f64) -> Result<f64> {
    positive("z", z)?;
    if formula.is_empty() {
        return Err(Error::InvalidValue {
            name: "formula",
            value: 0.0,
            reason: "empty formula".into(),
        });
    }
    let v = lattice.volume()?;
    Ok(z * formula.molar_mass() / (AVOGADRO * v * 1e-24))
}

/// Relative density ρ/ρ_th (a fraction; ×100 for %) with its uncertainty from
/// the two uncertainties (independent).
pub fn relative_density(
    measured: f64,
    u_measured: f64,
    theoretical: f64,
    u_theoretical: f64,
) -> Result<Measured> {
    positive("measured_density_g_cm3", measured)?;
    positive("theoretical_density_g_cm3", theoretical)?;
    non_negative("u_measured", u_measured)?;
    non_negative("u_theoretical", u_theoretical)?;
    let r = measured / theoretical;
    let u = r * ((u_measured / measured).powi(2) + (u_theoretical / theoretical).powi(2)).sqrt();
    Ok(Measured {
        value: r,
        uncertainty: u,
    })
}

/// A liquid for the Archimedes method.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Liquid {
    /// Air-free water, Tanaka et al. (2001), 0–40 °C.
    Water,
    /// Ethanol, linear through CRC Handbook values 0.78945 g cm⁻³ (20 °C) and
    /// 0.78509 g cm⁻³ (25 °C); used for 10–35 °C.
    Ethanol,
    /// Toluene, linear through 0.8668 g cm⁻³ (20 °C) and 0.8623 g cm⁻³ (25 °C)
    /// (CRC Handbook); used for 10–35 °C.
    Toluene,
}

impl Liquid {
    /// Parses `water`, `ethanol`, `toluene` (case-insensitive).
    pub fn from_name(name: &str) -> Result<Liquid> {
        match name.trim().to_ascii_lowercase().as_str() {
            "water" | "h2o" => Ok(Liquid::Water),
            "ethanol" | "etoh" => Ok(Liquid::Ethanol),
            "toluene" => Ok(Liquid::Toluene),
            other => Err(Error::NotTabulated(format!(
                "liquid `{other}` (known: water, ethanol, toluene; or give its density)"
            ))),
        }
    }

    /// Density (g cm⁻³) at `temperature_c` (°C).
    pub fn density_g_cm3(self, temperature_c: f64) -> Result<f64> {
        let (lo, hi) = match self {
            Liquid::Water => (0.0, 40.0),
            _ => (10.0, 35.0),
        };
        if !(temperature_c.is_finite() && temperature_c >= lo && temperature_c <= hi) {
            return Err(Error::InvalidValue {
                name: "temperature_c",
                value: temperature_c,
                reason: format!("{self:?} density is tabulated for {lo}–{hi} °C"),
            });
        }
        let t = temperature_c;
        Ok(match self {
            Liquid::Water => water_density_kg_m3(t) / 1000.0,
            Liquid::Ethanol => 0.78945 + (t - 20.0) * (0.78509 - 0.78945) / 5.0,
            Liquid::Toluene => 0.8668 + (t - 20.0) * (0.8623 - 0.8668) / 5.0,
        })
    }
}

/// Density of air-free standard mean ocean water (kg m⁻³) at `t` °C, 0–40 °C:
/// ρ = a₅·[1 − (t + a₁)²(t + a₂)/(a₃(t + a₄))] (M. Tanaka, G. Girard, R. Davis,
/// A. Peuto, N. Bignell, *Metrologia* 38 (2001) 301; standard uncertainty
/// 0.0009 kg m⁻³). No range check here: see [`Liquid::density_g_cm3`].
pub fn water_density_kg_m3(t: f64) -> f64 {
    const A1: f64 = -3.983_035;
    const A2: f64 = 301.797;
    const A3: f64 = 522_528.9;
    const A4: f64 = 69.348_81;
    const A5: f64 = 999.974_950;
    A5 * (1.0 - (t + A1) * (t + A1) * (t + A2) / (A3 * (t + A4)))
}

/// Masses of an Archimedes (buoyancy) measurement, grams, and the liquid.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Archimedes {
    /// Dry mass m_d (g).
    pub dry_g: f64,
    /// Mass of the saturated sample suspended in the liquid m_w (g).
    pub suspended_g: f64,
    /// Mass of the saturated sample in air m_s (g).
    pub saturated_g: f64,
    /// Liquid density ρ_L (g cm⁻³).
    pub liquid_density_g_cm3: f64,
    /// Standard uncertainty of each weighing (g), e.g. 0.0001 for an analytical balance.
    pub balance_uncertainty_g: f64,
    /// Standard uncertainty of ρ_L (g cm⁻³).
    pub liquid_density_uncertainty_g_cm3: f64,
}

/// What the Archimedes method gives (ASTM C373 / ISO 18754 definitions).
///
/// ```
/// use interphase_materials::density::Archimedes;
/// let r = Archimedes {
///     dry_g: 1.2000,
///     suspended_g: 0.9550,
///     saturated_g: 1.2045,
///     liquid_density_g_cm3: 0.99777,
///     balance_uncertainty_g: 0.0001,
///     liquid_density_uncertainty_g_cm3: 0.0,
/// }
/// .evaluate()?;
/// // ρ_b = m_d ρ_L / (m_s − m_w), with σ from the balance
/// let rho = r.bulk_density_g_cm3;
/// assert!((rho.value - 1.2 * 0.99777 / (1.2045 - 0.9550)).abs() < 1e-12);
/// assert!(rho.uncertainty > 0.0);
/// assert!((r.open_porosity.value - 0.0045 / 0.2495).abs() < 1e-12);
/// # Ok::<(), interphase_materials::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArchimedesResult {
    /// Bulk density ρ_b = m_d·ρ_L/(m_s − m_w), g cm⁻³.
    pub bulk_density_g_cm3: Measured,
    /// Apparent (skeletal) density m_d·ρ_L/(m_d − m_w): solid plus closed pores, g cm⁻³.
    pub apparent_density_g_cm3: Measured,
    /// Open (apparent) porosity (m_s − m_d)/(m_s − m_w), fraction.
    pub open_porosity: Measured,
    /// Water absorption (m_s − m_d)/m_d, fraction.
    pub absorption: f64,
}

impl Archimedes {
    /// Evaluates the measurement; errors unless m_s ≥ m_d > m_w ≥ 0 (finite) and ρ_L > 0.
    pub fn evaluate(&self) -> Result<ArchimedesResult> {
        let (md, mw, ms, rl) = (
            self.dry_g,
            self.suspended_g,
            self.saturated_g,
            self.liquid_density_g_cm3,
        );
        positive("dry_g", md)?;
        non_negative("suspended_g", mw)?;
        positive("saturated_g", ms)?;
        positive("liquid_density_g_cm3", rl)?;
        let um = non_negative("balance_uncertainty_g", self.balance_uncertainty_g)?;
        let ul = non_negative(
            "liquid_density_uncertainty_g_cm3",
            self.liquid_density_uncertainty_g_cm3,
        )?;
        if ms < md {
            return Err(Error::InvalidValue {
                name: "saturated_g",
                value: ms,
                reason: format!("the saturated mass must be ≥ the dry mass ({md} g)"),
            });
        }
        if mw >= md {
            return Err(Error::InvalidValue {
                name: "suspended_g",
                value: mw,
                reason: format!("the suspended mass must be < the dry mass ({md} g)"),
            });
        }
        let d = ms - mw;
        let rb = md * rl / d;
        let u_rb =
            (um * um * ((rl / d).powi(2) + 2.0 * (rb / d).powi(2)) + (ul * rb / rl).powi(2)).sqrt();
        let da = md - mw;
        let ra = md * rl / da;
        let u_ra = (um * um * ((rl / da - ra / da).powi(2) + (ra / da).powi(2))
            + (ul * ra / rl).powi(2))
        .sqrt();
        let p = (ms - md) / d;
        let u_p = um
            * ((md - mw).powi(2) / d.powi(4) + 1.0 / (d * d) + (ms - md).powi(2) / d.powi(4))
                .sqrt();
        Ok(ArchimedesResult {
            bulk_density_g_cm3: Measured {
                value: rb,
                uncertainty: u_rb,
            },
            apparent_density_g_cm3: Measured {
                value: ra,
                uncertainty: u_ra,
            },
            open_porosity: Measured {
                value: p,
                uncertainty: u_p,
            },
            absorption: (ms - md) / md,
        })
    }
}

/// Porosities from a bulk density, the theoretical density and the open porosity:
/// total = 1 − ρ_b/ρ_th, closed = total − open (fractions).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Porosity {
    /// Relative density ρ_b/ρ_th.
    pub relative_density: f64,
    /// Total porosity.
    pub total: f64,
    /// Open porosity (from the Archimedes measurement).
    pub open: f64,
    /// Closed porosity (total − open; may come out slightly negative within uncertainty).
    pub closed: f64,
}

impl ArchimedesResult {
    /// Total, open and closed porosity against a theoretical density (g cm⁻³).
    pub fn porosity(&self, theoretical_g_cm3: f64) -> Result<Porosity> {
        positive("theoretical_density_g_cm3", theoretical_g_cm3)?;
        let rel = self.bulk_density_g_cm3.value / theoretical_g_cm3;
        let total = 1.0 - rel;
        Ok(Porosity {
            relative_density: rel,
            total,
            open: self.open_porosity.value,
            closed: total - self.open_porosity.value,
        })
    }
}
