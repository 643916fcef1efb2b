//! The LLTO perovskite Li₃ₓLa₂/₃₋ₓ□₁/₃₋₂ₓTiO₃: composition from x or from
//! measured Li and La contents, validation, carrier concentrations, and Ti³⁺
//! from Li insertion (Li₃ₓ₊ᵧLa₂/₃₋ₓTi³⁺ᵧTi⁴⁺₁₋ᵧO₃) or oxygen loss (δ → 2δ Ti³⁺),
//! in both directions.
//!
//! ```
//! use interphase_materials::llto::Llto;
//! use interphase_materials::density::Lattice;
//! let l = Llto::from_x(0.11)?;
//! assert_eq!(l.formula().to_string(), "Li0.33La0.5566666666666666TiO3");
//! assert!((l.vacancies() - (1.0 / 3.0 - 0.22)).abs() < 1e-15);
//! // an XPS Ti³⁺/(Ti³⁺ + Ti⁴⁺) of 0.12 ± 0.02 after Li contact → y = 0.12 ± 0.02 Li inserted
//! let y = l.li_insertion_from_ti3_fraction(0.12, 0.02)?;
//! assert!((y.value - 0.12).abs() < 1e-15 && (y.uncertainty - 0.02).abs() < 1e-15);
//! let reduced = l.with_li_insertion(y.value)?;
//! let rho = reduced.theoretical_density(&Lattice::cubic(3.875)?, 1.0)?;
//! assert!(rho > 4.9 && rho < 5.1);
//! # Ok::<(), interphase_materials::Error>(())
//! ```

use crate::density::{AVOGADRO, Lattice, Measured, theoretical_density};
use crate::element::Element;
use crate::error::{Error, Result, non_negative, positive};
use crate::formula::Formula;

/// The reported solid-solution range of Li₃ₓLa₂/₃₋ₓTiO₃, about 0.04 ≤ x ≤ 0.17
/// (Y. Inaguma et al., *Solid State Commun.* 86 (1993) 689; O. Bohnke,
/// *Solid State Ionics* 179 (2008) 9). x = 1/6 empties the A-site vacancies.
pub const REPORTED_X_RANGE: (f64, f64) = (0.04, 0.17);

/// An LLTO composition and its reduction state.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Llto {
    x: f64,
    /// Li inserted per formula unit (each reduces one Ti⁴⁺ to Ti³⁺).
    y: f64,
    /// Oxygen lost per formula unit (each reduces two Ti⁴⁺ to Ti³⁺).
    delta: f64,
}

impl Llto {
    /// Li₃ₓLa₂/₃₋ₓ□₁/₃₋₂ₓTiO₃ for 0 ≤ x ≤ 1/6 (non-negative La and vacancy
    /// contents; charge neutral by construction). Outside the reported
    /// solid-solution range is allowed; see [`Llto::in_reported_range`].
    pub fn from_x(x: f64) -> Result<Llto> {
        if !(x.is_finite() && (0.0..=1.0 / 6.0 + 1e-12).contains(&x)) {
            return Err(Error::InvalidValue {
                name: "x",
                value: x,
                reason: "Li3xLa2/3-xTiO3 needs 0 ≤ x ≤ 1/6 (A-site vacancies 1/3 − 2x ≥ 0)".into(),
            });
        }
        Ok(Llto {
            x: x.min(1.0 / 6.0),
            y: 0.0,
            delta: 0.0,
        })
    }

    /// x from measured Li and La per Ti (e.g. ICP-OES): x_Li = Li/3 and
    /// x_La = 2/3 − La are averaged; errors when they disagree by more than
    /// `tolerance` (the composition is then not on the Li₃ₓLa₂/₃₋ₓTiO₃ line).
    /// Returns the composition and the disagreement x_Li − x_La.
    pub fn from_li_la(li: f64, la: f64, tolerance: f64) -> Result<(Llto, f64)> {
        non_negative("li_per_ti", li)?;
        non_negative("la_per_ti", la)?;
        non_negative("tolerance", tolerance)?;
        let (xl, xa) = (li / 3.0, 2.0 / 3.0 - la);
        if (xl - xa).abs() > tolerance {
            return Err(Error::InvalidValue {
                name: "li_per_ti",
                value: li,
                reason: format!(
                    "Li = {li} gives x = {xl:.4}, La = {la} gives x = {xa:.4}: not Li3xLa2/3-xTiO3 within {tolerance}"
                ),
            });
        }
        Ok((Llto::from_x(0.5 * (xl + xa))?, xl - xa))
    }

    /// x.
    pub fn x(&self) -> f64 {
        self.x
    }

    /// Whether x lies in [`REPORTED_X_RANGE`].
    pub fn in_reported_range(&self) -> bool {
        (REPORTED_X_RANGE.0..=REPORTED_X_RANGE.1).contains(&self.x)
    }

    /// A-site vacancies per formula unit, 1/3 − 2x.
    pub fn vacancies(&self) -> f64 {
        (1.0 / 3.0 - 2.0 * self.x).max(0.0)
    }

    /// Li per formula unit, 3x + y.
    pub fn lithium(&self) -> f64 {
        3.0 * self.x + self.y
    }

    /// La per formula unit, 2/3 − x.
    pub fn lanthanum(&self) -> f64 {
        2.0 / 3.0 - self.x
    }

    /// Oxygen per formula unit, 3 − δ.
    pub fn oxygen(&self) -> f64 {
        3.0 - self.delta
    }

    /// Ti³⁺/(Ti³⁺ + Ti⁴⁺) = y + 2δ.
    pub fn ti3_fraction(&self) -> f64 {
        self.y + 2.0 * self.delta
    }

    /// The chemical formula (amounts per Ti).
    pub fn formula(&self) -> Formula {
        let el = |s| Element::from_symbol(s).expect("built-in symbol");
        let mut parts = Vec::with_capacity(4);
        if self.lithium() > 0.0 {
            parts.push((el("Li"), self.lithium()));
        }
        if self.lanthanum() > 0.0 {
            parts.push((el("La"), self.lanthanum()));
        }
        parts.push((el("Ti"), 1.0));
        parts.push((el("O"), self.oxygen()));
        Formula::from_amounts(&parts).expect("positive amounts")
    }

    /// Net charge with Li⁺, La³⁺, Ti³⁺/Ti⁴⁺ and O²⁻ (0 up to rounding, by construction).
    pub fn net_charge(&self) -> f64 {
        let f3 = self.ti3_fraction();
        self.lithium() + 3.0 * self.lanthanum() + 3.0 * f3 + 4.0 * (1.0 - f3) - 2.0 * self.oxygen()
    }

    /// Reduced by inserting `y` Li per formula unit (each Li reduces one Ti⁴⁺):
    /// Li₃ₓ₊ᵧLa₂/₃₋ₓTi³⁺ᵧTi⁴⁺₁₋ᵧO₃. Errors when the Ti³⁺ fraction would leave [0, 1].
    /// (Li beyond the 1/3 − 2x vacancies must sit off the A site; that is allowed.)
    pub fn with_li_insertion(&self, y: f64) -> Result<Llto> {
        non_negative("y", y)?;
        let l = Llto { y, ..*self };
        l.check_ti3()?;
        Ok(l)
    }

    /// Reduced by losing `delta` oxygen per formula unit (each O lost leaves two
    /// Ti³⁺): Li₃ₓLa₂/₃₋ₓTiO₃₋δ.
    pub fn with_oxygen_loss(&self, delta: f64) -> Result<Llto> {
        non_negative("delta", delta)?;
        let l = Llto { delta, ..*self };
        l.check_ti3()?;
        Ok(l)
    }

    fn check_ti3(&self) -> Result<()> {
        let f = self.ti3_fraction();
        if f > 1.0 + 1e-12 {
            return Err(Error::InvalidValue {
                name: "ti3_fraction",
                value: f,
                reason: "more Ti3+ than Ti (y + 2δ must be ≤ 1)".into(),
            });
        }
        Ok(())
    }

    /// Li inserted (y, with uncertainty) that explains a measured Ti³⁺ fraction
    /// f ± u (e.g. from an XPS Ti 2p fit), assuming no oxygen loss: y = f, u_y = u.
    pub fn li_insertion_from_ti3_fraction(&self, f: f64, u: f64) -> Result<Measured> {
        Self::check_fraction(f, u)?;
        Ok(Measured {
            value: f,
            uncertainty: u,
        })
    }

    /// Oxygen loss (δ, with uncertainty) that explains a measured Ti³⁺ fraction
    /// f ± u, assuming no Li insertion: δ = f/2, u_δ = u/2.
    pub fn oxygen_loss_from_ti3_fraction(&self, f: f64, u: f64) -> Result<Measured> {
        Self::check_fraction(f, u)?;
        Ok(Measured {
            value: f / 2.0,
            uncertainty: u / 2.0,
        })
    }

    fn check_fraction(f: f64, u: f64) -> Result<()> {
        if !(f.is_finite() && (0.0..=1.0).contains(&f)) {
            return Err(Error::InvalidValue {
                name: "ti3_fraction",
                value: f,
                reason: "must be in [0, 1]".into(),
            });
        }
        non_negative("ti3_fraction_uncertainty", u)?;
        Ok(())
    }

    /// Theoretical density (g cm⁻³) of this composition in `lattice` with `z`
    /// formula units per cell (the cell is taken unchanged by the reduction).
    pub fn theoretical_density(&self, lattice: &Lattice, z: f64) -> Result<f64> {
        theoretical_density(&self.formula(), lattice, z)
    }

    /// Li⁺ per cm³: (3x + y)·Z / V.
    pub fn li_concentration_cm3(&self, lattice: &Lattice, z: f64) -> Result<f64> {
        positive("z", z)?;
        Ok(self.lithium() * z / (lattice.volume()? * 1e-24))
    }

    /// A-site vacancies per cm³: (1/3 − 2x)·Z / V.
    pub fn vacancy_concentration_cm3(&self, lattice: &Lattice, z: f64) -> Result<f64> {
        positive("z", z)?;
        Ok(self.vacancies() * z / (lattice.volume()? * 1e-24))
    }

    /// Li⁺ concentration in mol cm⁻³.
    pub fn li_molarity_mol_cm3(&self, lattice: &Lattice, z: f64) -> Result<f64> {
        Ok(self.li_concentration_cm3(lattice, z)? / AVOGADRO)
    }
}
