//! From fitted resistances and capacitances to material properties: ionic
//! conductivity of a pellet, area-specific resistance, the interface
//! resistance of a symmetric cell, effective capacitance of a CPE (Brug and
//! Hsu–Mansfeld), relaxation frequency, and the assignment of an arc to bulk,
//! grain boundary or electrode by its capacitance (Irvine, Sinclair & West),
//! and Arrhenius fits of σ(T) or σT(T) ([`arrhenius`]).
//!
//! Units are explicit in every name: lengths in mm or cm, areas in cm²,
//! resistances in Ω, conductivities in S cm⁻¹, capacitances in F.
//!
//! ```
//! use interphase_eis::conductivity::{Geometry, Value};
//! // a 1.0 mm thick, 10 mm diameter LLTO pellet with a bulk resistance of 130 ± 1 Ω
//! let g = Geometry::disc_mm(1.0, 10.0)?;
//! let s = g.conductivity(Value::new(130.0, 1.0))?;
//! assert!((s.value - 9.794e-4).abs() < 1e-7);          // S/cm
//! assert!((s.stderr / s.value - 1.0 / 130.0).abs() < 1e-12);
//! // Li|LLTO|Li: 5000 Ω of interface resistance is two interfaces
//! let per = g.interface_asr(Value::new(5000.0, 0.0))?;
//! assert!((per.value - 2500.0 * g.area_cm2()).abs() < 1e-9); // Ω·cm² per interface
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A value with its standard error (same unit): 0 for an exact value, NaN
/// when no uncertainty could be estimated (printed as such, never as "± 0").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// The value.
    pub value: f64,
    /// Standard error (one σ); 0: exact; NaN: not known.
    pub stderr: f64,
}

impl Value {
    /// A value with a standard error.
    pub fn new(value: f64, stderr: f64) -> Value {
        Value { value, stderr }
    }
    /// An exact value.
    pub fn exact(value: f64) -> Value {
        Value { value, stderr: 0.0 }
    }
    /// A value whose uncertainty is not known (a fit without covariance):
    /// the standard error is NaN, and every quantity computed from it too.
    pub fn unknown_error(value: f64) -> Value {
        Value {
            value,
            stderr: f64::NAN,
        }
    }
    fn check(self, name: &str) -> Result<Value> {
        if !(self.value.is_finite() && self.value > 0.0) {
            return Err(Error::Invalid(format!(
                "{name} = {} must be finite and > 0",
                self.value
            )));
        }
        if !(self.stderr.is_nan() || self.stderr.is_finite() && self.stderr >= 0.0) {
            return Err(Error::Invalid(format!(
                "standard error of {name} = {} must be finite and ≥ 0 (or NaN: not known)",
                self.stderr
            )));
        }
        Ok(self)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(p) = f.precision() else {
            // rounded to the uncertainty (σ to two significant digits)
            let s = if self.stderr.is_nan() {
                None
            } else {
                Some(self.stderr)
            };
            return f.write_str(&interphase_fit::format_uncertain(self.value, s));
        };
        if self.stderr.is_nan() {
            write!(f, "{:.p$e} (uncertainty not known)", self.value)
        } else if self.stderr == 0.0 {
            write!(f, "{:.p$e} (exact)", self.value)
        } else {
            write!(f, "{:.p$e} ± {:.p$e}", self.value, self.stderr)
        }
    }
}

/// Sample geometry: thickness L (cm) and electrode area A (cm²).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    thickness_cm: f64,
    area_cm2: f64,
}

impl Geometry {
    /// A disc of thickness and diameter in millimetres (A = π d²/4).
    pub fn disc_mm(thickness_mm: f64, diameter_mm: f64) -> Result<Geometry> {
        let d = Value::exact(diameter_mm).check("diameter_mm")?.value;
        Geometry::new_cm(thickness_mm / 10.0, PI * (d / 10.0).powi(2) / 4.0).map_err(|_| {
            Error::Invalid(format!(
                "thickness_mm = {thickness_mm} must be finite and > 0"
            ))
        })
    }
    /// Thickness (cm) and electrode area (cm²).
    pub fn new_cm(thickness_cm: f64, area_cm2: f64) -> Result<Geometry> {
        let t = Value::exact(thickness_cm).check("thickness_cm")?.value;
        let a = Value::exact(area_cm2).check("area_cm2")?.value;
        Ok(Geometry {
            thickness_cm: t,
            area_cm2: a,
        })
    }
    /// Thickness L, cm.
    pub fn thickness_cm(&self) -> f64 {
        self.thickness_cm
    }
    /// Electrode area A, cm².
    pub fn area_cm2(&self) -> f64 {
        self.area_cm2
    }
    /// Geometric factor L/A, cm⁻¹.
    pub fn cell_constant_per_cm(&self) -> f64 {
        self.thickness_cm / self.area_cm2
    }
    /// Conductivity σ = L / (R·A), S cm⁻¹, from a resistance R (Ω); the
    /// relative error of σ is that of R (geometry taken as exact).
    pub fn conductivity(&self, r: Value) -> Result<Value> {
        let r = r.check("resistance")?;
        let s = self.cell_constant_per_cm() / r.value;
        Ok(Value::new(s, s * r.stderr / r.value))
    }
    /// Area-specific resistance R·A, Ω cm².
    pub fn asr(&self, r: Value) -> Result<Value> {
        let r = r.check("resistance")?;
        Ok(Value::new(
            r.value * self.area_cm2,
            r.stderr * self.area_cm2,
        ))
    }
    /// The area-specific resistance of one interface of a symmetric cell
    /// (Li|LLTO|Li), whose fitted interface arc holds two interfaces in
    /// series: R_int·A/2, Ω cm².
    pub fn interface_asr(&self, r_interfaces: Value) -> Result<Value> {
        let a = self.asr(r_interfaces)?;
        Ok(Value::new(a.value / 2.0, a.stderr / 2.0))
    }
}

/// Effective capacitance of a CPE in parallel with R (a Zarc), F:
/// C = (R·Q)^(1/α) / R (Hsu & Mansfeld, *Corrosion* 57 (2001) 747, with the
/// apex frequency ω_max = (R·Q)^(−1/α)). Q in F s^(α−1), 0 < α ≤ 1.
pub fn capacitance_zarc(r: f64, q: f64, alpha: f64) -> Result<f64> {
    Value::exact(r).check("R")?;
    Value::exact(q).check("Q")?;
    check_alpha(alpha)?;
    Ok((r * q).powf(1.0 / alpha) / r)
}

/// Effective capacitance from the apex (peak −Im Z) frequency of an arc,
/// C = 1/(2π f_max R) (Hsu & Mansfeld 2001), F.
pub fn capacitance_from_apex(r: f64, f_max_hz: f64) -> Result<f64> {
    Value::exact(r).check("R")?;
    Value::exact(f_max_hz).check("f_max_hz")?;
    Ok(1.0 / (2.0 * PI * f_max_hz * r))
}

/// Brug's effective capacitance of a blocking electrode CPE in series with a
/// solution/bulk resistance R_s: C = Q^(1/α) R_s^((1−α)/α) (G. J. Brug et
/// al., *J. Electroanal. Chem.* 176 (1984) 275, eq. 20 for R_ct → ∞), F.
pub fn capacitance_brug(r_s: f64, q: f64, alpha: f64) -> Result<f64> {
    Value::exact(r_s).check("R_s")?;
    Value::exact(q).check("Q")?;
    check_alpha(alpha)?;
    Ok(q.powf(1.0 / alpha) * r_s.powf((1.0 - alpha) / alpha))
}

/// Relaxation (apex) frequency of R ‖ CPE, f = 1/(2π (R Q)^(1/α)), Hz.
pub fn relaxation_frequency(r: f64, q: f64, alpha: f64) -> Result<f64> {
    Value::exact(r).check("R")?;
    Value::exact(q).check("Q")?;
    check_alpha(alpha)?;
    Ok(1.0 / (2.0 * PI * (r * q).powf(1.0 / alpha)))
}

fn check_alpha(alpha: f64) -> Result<()> {
    if !(alpha.is_finite() && alpha > 0.0 && alpha <= 1.0) {
        return Err(Error::Invalid(format!(
            "CPE exponent alpha = {alpha} must be in (0, 1]"
        )));
    }
    Ok(())
}

/// What an arc's capacitance suggests it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assignment {
    /// Bulk (grain interior), about 2–20 pF (with geometry normalised to L/A = 1 cm⁻¹).
    Bulk,
    /// Minor second phase, about 10⁻¹¹ F.
    SecondPhase,
    /// Grain boundary, about 10⁻¹¹–10⁻⁸ F.
    GrainBoundary,
    /// Surface layer, about 10⁻⁹–10⁻⁷ F.
    SurfaceLayer,
    /// Sample–electrode interface (double layer), about 10⁻⁷–10⁻⁵ F.
    ElectrodeInterface,
    /// Electrochemical reaction, about 10⁻⁴ F.
    Reaction,
}

impl Assignment {
    /// A short description with the range used.
    pub fn describe(self) -> &'static str {
        match self {
            Assignment::Bulk => "bulk (2e-12 – 1e-11 F)",
            Assignment::SecondPhase => "minor second phase (~1e-11 F)",
            Assignment::GrainBoundary => "grain boundary (1e-11 – 1e-8 F)",
            Assignment::SurfaceLayer => "surface layer (1e-9 – 1e-7 F)",
            Assignment::ElectrodeInterface => "sample–electrode interface (1e-7 – 1e-5 F)",
            Assignment::Reaction => "electrochemical reaction (> 1e-5 F)",
        }
    }
}

/// Assigns an arc by its capacitance normalised to a cell constant
/// L/A = 1 cm⁻¹ (C_norm = C · (L/A) in F cm⁻¹), following Table 1 of J. T. S.
/// Irvine, D. C. Sinclair and A. R. West, *Adv. Mater.* 2 (1990) 132. The
/// table's ranges overlap; the boundaries used here are 10⁻¹¹ (bulk |
/// grain boundary), 10⁻⁸ (grain boundary | surface layer), 10⁻⁷ (surface
/// layer | electrode) and 10⁻⁵ F (electrode | reaction). The second-phase
/// class is never returned (its capacitance is indistinguishable from bulk
/// by value alone); it is listed for completeness.
pub fn assign_by_capacitance(c_farad: f64, geometry: &Geometry) -> Result<Assignment> {
    Value::exact(c_farad).check("capacitance")?;
    let c = c_farad * geometry.cell_constant_per_cm();
    Ok(if c < 1e-11 {
        Assignment::Bulk
    } else if c < 1e-8 {
        Assignment::GrainBoundary
    } else if c < 1e-7 {
        Assignment::SurfaceLayer
    } else if c < 1e-5 {
        Assignment::ElectrodeInterface
    } else {
        Assignment::Reaction
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_and_errors() {
        let g = Geometry::disc_mm(2.0, 10.0).unwrap();
        assert!((g.area_cm2() - PI / 4.0).abs() < 1e-15);
        assert!((g.cell_constant_per_cm() - 0.2 / (PI / 4.0)).abs() < 1e-15);
        assert!(
            Geometry::disc_mm(0.0, 10.0)
                .unwrap_err()
                .to_string()
                .contains("thickness_mm")
        );
        assert!(
            Geometry::disc_mm(1.0, f64::NAN)
                .unwrap_err()
                .to_string()
                .contains("diameter_mm")
        );
        assert!(g.conductivity(Value::new(-1.0, 0.0)).is_err());
        assert!(g.conductivity(Value::new(1.0, f64::INFINITY)).is_err());
        assert!(g.conductivity(Value::new(1.0, -1.0)).is_err());
        // an unknown uncertainty stays unknown, and says so
        let s = g.conductivity(Value::unknown_error(130.0)).unwrap();
        assert!(s.stderr.is_nan());
        assert!(s.to_string().ends_with("(uncertainty not known)"));
        assert!(Value::exact(2.0).to_string().ends_with("(exact)"));
        assert!(!Value::exact(2.0).to_string().contains('±'));
    }

    #[test]
    fn capacitances_agree_for_an_ideal_capacitor() {
        // α = 1: Q is a capacitance; all definitions agree
        let c = capacitance_zarc(1000.0, 1e-9, 1.0).unwrap();
        assert!((c - 1e-9).abs() < 1e-24);
        let f = relaxation_frequency(1000.0, 1e-9, 1.0).unwrap();
        assert!((capacitance_from_apex(1000.0, f).unwrap() - 1e-9).abs() < 1e-22);
        assert!((capacitance_brug(50.0, 1e-6, 1.0).unwrap() - 1e-6).abs() < 1e-21);
        // α < 1: the Zarc capacitance is below Q (for R·Q < 1)
        assert!(capacitance_zarc(1000.0, 1e-9, 0.8).unwrap() < 1e-9);
        assert!(capacitance_zarc(1000.0, 1e-9, 1.2).is_err());
    }

    #[test]
    fn assignment_follows_the_ranges() {
        let g = Geometry::new_cm(1.0, 1.0).unwrap();
        assert_eq!(assign_by_capacitance(5e-12, &g).unwrap(), Assignment::Bulk);
        assert_eq!(
            assign_by_capacitance(1e-9, &g).unwrap(),
            Assignment::GrainBoundary
        );
        assert_eq!(
            assign_by_capacitance(5e-8, &g).unwrap(),
            Assignment::SurfaceLayer
        );
        assert_eq!(
            assign_by_capacitance(2e-6, &g).unwrap(),
            Assignment::ElectrodeInterface
        );
        assert_eq!(
            assign_by_capacitance(1e-3, &g).unwrap(),
            Assignment::Reaction
        );
        // a thin pellet (L/A = 0.1 cm⁻¹): 5e-11 F measured is 5e-12 F normalised → bulk
        let thin = Geometry::new_cm(0.1, 1.0).unwrap();
        assert_eq!(
            assign_by_capacitance(5e-11, &thin).unwrap(),
            Assignment::Bulk
        );
    }
}

/// Boltzmann constant, eV K⁻¹ (CODATA 2018, exact).
pub const BOLTZMANN_EV: f64 = 8.617_333_262e-5;

/// An Arrhenius fit ln(σT) = ln A − E_a/(k_B T) (or ln σ = ln A − E_a/(k_B T)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Arrhenius {
    /// Activation energy E_a, eV, with its standard error (NaN, "not
    /// known", for two points without per-point errors).
    pub activation_energy_ev: Value,
    /// ln A (A in S cm⁻¹ K, or S cm⁻¹ without the T factor), with standard error.
    pub ln_prefactor: Value,
    /// Whether σT (true) or σ (false) was fitted.
    pub sigma_t: bool,
    /// Coefficient of determination of the straight line (weighted for
    /// [`arrhenius_weighted`]).
    pub r_squared: f64,
    /// χ²/(n − 2) of a weighted fit with more than two points: about 1 when
    /// the given errors explain the scatter; `None` for ordinary least squares.
    pub reduced_chi_square: Option<f64>,
}

impl Arrhenius {
    /// σ (S cm⁻¹) predicted at temperature `t_kelvin`.
    pub fn conductivity_at(&self, t_kelvin: f64) -> f64 {
        let v = (self.ln_prefactor.value
            - self.activation_energy_ev.value / (BOLTZMANN_EV * t_kelvin))
            .exp();
        if self.sigma_t { v / t_kelvin } else { v }
    }
}

/// Least-squares Arrhenius fit of conductivities `sigma` (S cm⁻¹) at
/// temperatures `t_kelvin` (K): a straight line through (1/T, ln(σT)) when
/// `sigma_t` (the usual form for ionic conductors, σT = A·exp(−E_a/k_B T)),
/// else through (1/T, ln σ). Standard errors from the residual scatter
/// (ordinary least squares; they need at least 3 points).
pub fn arrhenius(t_kelvin: &[f64], sigma: &[f64], sigma_t: bool) -> Result<Arrhenius> {
    let (x, y) = arrhenius_points(t_kelvin, sigma, sigma_t)?;
    let n = x.len();
    let nf = n as f64;
    let mx = x.iter().sum::<f64>() / nf;
    let my = y.iter().sum::<f64>() / nf;
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    if sxx <= 0.0 || sxx < 1e-30 * mx * mx {
        return Err(Error::Invalid(
            "all temperatures are equal: no Arrhenius slope".into(),
        ));
    }
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let icpt = my - slope * mx;
    let ss_res: f64 = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (b - icpt - slope * a).powi(2))
        .sum();
    let ss_tot: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    // two points fix the line exactly: its uncertainty is not known from them
    let (se_slope, se_icpt) = if n > 2 {
        let s2 = ss_res / (nf - 2.0);
        ((s2 / sxx).sqrt(), (s2 * (1.0 / nf + mx * mx / sxx)).sqrt())
    } else {
        (f64::NAN, f64::NAN)
    };
    Ok(Arrhenius {
        activation_energy_ev: Value::new(-slope * BOLTZMANN_EV, se_slope * BOLTZMANN_EV),
        ln_prefactor: Value::new(icpt, se_icpt),
        sigma_t,
        r_squared: if ss_tot > 0.0 {
            1.0 - ss_res / ss_tot
        } else {
            1.0
        },
        reduced_chi_square: None,
    })
}

/// The points (1/T, ln σT or ln σ) of an Arrhenius fit, validated.
fn arrhenius_points(
    t_kelvin: &[f64],
    sigma: &[f64],
    sigma_t: bool,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if t_kelvin.len() != sigma.len() {
        return Err(Error::Invalid(format!(
            "{} temperatures but {} conductivities",
            t_kelvin.len(),
            sigma.len()
        )));
    }
    let n = t_kelvin.len();
    if n < 2 {
        return Err(Error::Invalid(format!(
            "an Arrhenius fit needs at least 2 points, got {n}"
        )));
    }
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let (t, s) = (t_kelvin[i], sigma[i]);
        if !(t.is_finite() && t > 0.0) {
            return Err(Error::Invalid(format!(
                "temperature {t} K at index {i} must be finite and > 0 (kelvin)"
            )));
        }
        if !(s.is_finite() && s > 0.0) {
            return Err(Error::Invalid(format!(
                "conductivity {s} S/cm at index {i} must be finite and > 0"
            )));
        }
        x.push(1.0 / t);
        y.push(if sigma_t { (s * t).ln() } else { s.ln() });
    }
    Ok((x, y))
}

/// Weighted Arrhenius fit: as [`arrhenius`], with each conductivity's
/// standard error `sigma_stderr` (S cm⁻¹; temperatures taken as exact), so
/// that ln σ carries σ(ln σ) = δσ/σ and the line is fitted with weights
/// (σ/δσ)². The standard errors of E_a and ln A come from those errors alone
/// (the unscaled covariance, numpy's `polyfit(..., w=1/δ, cov="unscaled")`),
/// so they exist for two points too; `reduced_chi_square` says whether the
/// given errors explain the scatter (≫ 1: they do not, and the errors are
/// underestimated).
pub fn arrhenius_weighted(
    t_kelvin: &[f64],
    sigma: &[f64],
    sigma_stderr: &[f64],
    sigma_t: bool,
) -> Result<Arrhenius> {
    let (x, y) = arrhenius_points(t_kelvin, sigma, sigma_t)?;
    if sigma_stderr.len() != sigma.len() {
        return Err(Error::Invalid(format!(
            "{} conductivities but {} standard errors",
            sigma.len(),
            sigma_stderr.len()
        )));
    }
    let mut w = Vec::with_capacity(x.len());
    for (i, (&e, &s)) in sigma_stderr.iter().zip(sigma).enumerate() {
        if !(e.is_finite() && e > 0.0) {
            return Err(Error::Invalid(format!(
                "standard error {e} S/cm of the conductivity at index {i} must be finite and > 0"
            )));
        }
        w.push((s / e).powi(2));
    }
    let sw: f64 = w.iter().sum();
    let mx = x.iter().zip(&w).map(|(a, w)| a * w).sum::<f64>() / sw;
    let my = y.iter().zip(&w).map(|(b, w)| b * w).sum::<f64>() / sw;
    let sxx: f64 = x.iter().zip(&w).map(|(a, w)| w * (a - mx).powi(2)).sum();
    if sxx <= 0.0 || sxx < 1e-30 * sw * mx * mx {
        return Err(Error::Invalid(
            "all temperatures are equal: no Arrhenius slope".into(),
        ));
    }
    let sxy: f64 = x
        .iter()
        .zip(&y)
        .zip(&w)
        .map(|((a, b), w)| w * (a - mx) * (b - my))
        .sum();
    let slope = sxy / sxx;
    let icpt = my - slope * mx;
    let chi2: f64 = x
        .iter()
        .zip(&y)
        .zip(&w)
        .map(|((a, b), w)| w * (b - icpt - slope * a).powi(2))
        .sum();
    let ss_tot: f64 = y.iter().zip(&w).map(|(b, w)| w * (b - my).powi(2)).sum();
    let n = x.len();
    Ok(Arrhenius {
        activation_energy_ev: Value::new(-slope * BOLTZMANN_EV, (1.0 / sxx).sqrt() * BOLTZMANN_EV),
        ln_prefactor: Value::new(icpt, (1.0 / sw + mx * mx / sxx).sqrt()),
        sigma_t,
        r_squared: if ss_tot > 0.0 {
            1.0 - chi2 / ss_tot
        } else {
            1.0
        },
        reduced_chi_square: (n > 2).then(|| chi2 / (n as f64 - 2.0)),
    })
}

#[cfg(test)]
mod arrhenius_tests {
    use super::*;

    #[test]
    fn recovers_an_activation_energy() {
        // LLTO-like bulk: Ea = 0.30 eV, A = 1e3 S/cm·K
        let t = [273.15, 298.15, 323.15, 348.15, 373.15];
        let s: Vec<f64> = t
            .iter()
            .map(|&t| 1e3 * (-0.30 / (BOLTZMANN_EV * t)).exp() / t)
            .collect();
        let a = arrhenius(&t, &s, true).unwrap();
        assert!((a.activation_energy_ev.value - 0.30).abs() < 1e-12);
        assert!(a.activation_energy_ev.stderr < 1e-10);
        assert!((a.ln_prefactor.value - 1e3f64.ln()).abs() < 1e-9);
        assert!((a.conductivity_at(298.15) / s[1] - 1.0).abs() < 1e-12);
        // as σ instead of σT the slope differs (by about k_B·T̄)
        let b = arrhenius(&t, &s, false).unwrap();
        assert!(b.activation_energy_ev.value < 0.30);
    }

    #[test]
    fn matches_scipy_linregress() {
        // scipy 1.17.1: r = linregress(1/t, log(s*t)); Ea = -r.slope*k_B, its stderr
        // r.stderr*k_B, ln A = r.intercept ± r.intercept_stderr, R² = r.rvalue**2
        let a = arrhenius(&[300.0, 350.0, 400.0], &[1e-4, 5e-4, 1e-3], true).unwrap();
        let close = |g: f64, w: f64| (g / w - 1.0).abs() < 1e-12;
        assert!(close(a.activation_energy_ev.value, 0.27062686907261146));
        assert!(close(a.activation_energy_ev.stderr, 0.03361507000845035));
        assert!(close(a.ln_prefactor.value, 7.04219131025148));
        assert!(close(a.ln_prefactor.stderr, 1.1378318181064722));
        assert!(close(a.r_squared, 0.9848058353888067));
    }

    #[test]
    fn weighted_matches_numpy_polyfit() {
        // numpy 2.x: p, cov = polyfit(1/T, log(s*T), 1, w=s/ds, cov="unscaled");
        // Ea = -p[0]*k_B ± sqrt(cov[0,0])*k_B, ln A = p[1] ± sqrt(cov[1,1])
        let t = [298.15, 323.15, 348.15, 373.15, 398.15];
        let s = [4.6e-5, 9.1e-5, 1.62e-4, 2.71e-4, 4.2e-4];
        let ds = [1.0e-6, 1.5e-6, 3.0e-6, 6.0e-6, 9.0e-6];
        let close = |g: f64, w: f64| (g / w - 1.0).abs() < 1e-10;
        let a = arrhenius_weighted(&t, &s, &ds, true).unwrap();
        assert!(close(a.activation_energy_ev.value, 0.2558836983823062));
        assert!(close(a.activation_energy_ev.stderr, 0.0027277438440510616));
        assert!(close(a.ln_prefactor.value, 5.663558838698433));
        assert!(close(a.ln_prefactor.stderr, 0.09295119561044457));
        assert!(close(a.reduced_chi_square.unwrap(), 0.1559180637407183));
        // two points: the errors still give an uncertainty
        let b = arrhenius_weighted(&t[..2], &s[..2], &ds[..2], true).unwrap();
        assert!(close(b.activation_energy_ev.value, 0.2533070291469417));
        assert!(close(b.activation_energy_ev.stderr, 0.009060344855460064));
        assert!(close(b.ln_prefactor.stderr, 0.33557903800313943));
        assert!(b.reduced_chi_square.is_none());
        // without errors two points have no uncertainty, and say so
        let c = arrhenius(&t[..2], &s[..2], true).unwrap();
        assert!(c.activation_energy_ev.stderr.is_nan());
        assert!(!c.activation_energy_ev.to_string().contains('±'));
        assert!(arrhenius_weighted(&t, &s, &ds[..4], true).is_err());
        assert!(arrhenius_weighted(&t[..2], &s[..2], &[1e-6, 0.0], true).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(arrhenius(&[300.0], &[1e-3], true).is_err());
        assert!(arrhenius(&[300.0, 300.0], &[1e-3, 2e-3], true).is_err());
        assert!(
            arrhenius(&[300.0, -1.0], &[1e-3, 2e-3], true)
                .unwrap_err()
                .to_string()
                .contains("index 1")
        );
        assert!(
            arrhenius(&[300.0, 310.0], &[1e-3, 0.0], true)
                .unwrap_err()
                .to_string()
                .contains("index 1")
        );
        assert!(arrhenius(&[300.0, 310.0], &[1e-3], true).is_err());
    }
}
