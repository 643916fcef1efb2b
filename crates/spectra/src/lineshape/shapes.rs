//! Closed-form line shapes: Gaussian, Lorentzian, pseudo-Voigts, CasaXPS GL/SGL,
//! Pearson VII, split pseudo-Voigt and the exponentially modified Gaussian.

use std::f64::consts::PI;

use super::faddeeva::{FRAC_1_SQRT_PI, erfcx};
use super::special::{digamma, erfcx_derivative, ln_gamma};
use super::{
    FWHM_PER_SIGMA, LN2, LineShape, ShapeKind, argmax, check, fwhm_around, half_max_crossing,
};
use crate::error::{Error, Result};

/// √(π / ln 2) / 2: area of a unit-height Gaussian of unit FWHM.
const G_AREA: f64 = 1.064_467_019_431_226_3;
/// π / 2: area of a unit-height Lorentzian of unit FWHM.
const L_AREA: f64 = std::f64::consts::FRAC_PI_2;

/// Implements serde through the parameter array and the validating constructor.
macro_rules! array_serde {
    ($t:ident, $n:literal, |$p:ident| $new:expr, |$s:ident| $arr:expr) => {
        impl TryFrom<[f64; $n]> for $t {
            type Error = Error;
            fn try_from($p: [f64; $n]) -> Result<Self> {
                $new
            }
        }
        impl From<$t> for [f64; $n] {
            fn from($s: $t) -> [f64; $n] {
                $arr
            }
        }
    };
}
pub(crate) use array_serde;

// ---------------------------------------------------------------- Gaussian

/// A Gaussian peak: center, FWHM, area.
///
/// `f(x) = area/(σ√(2π)) · exp(−(x − c)²/(2σ²))`, σ = FWHM/(2√(2 ln 2)).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 3]", into = "[f64; 3]")]
pub struct Gaussian {
    center: f64,
    fwhm: f64,
    area: f64,
}
array_serde!(Gaussian, 3, |p| Gaussian::new(p[0], p[1], p[2]), |s| [
    s.center, s.fwhm, s.area
]);

impl Gaussian {
    /// A Gaussian; errors for FWHM ≤ 0 or non-finite values.
    pub fn new(center: f64, fwhm: f64, area: f64) -> Result<Self> {
        const N: &str = "gaussian";
        Ok(Gaussian {
            center: check::finite(N, "center", center)?,
            fwhm: check::positive(N, "fwhm", fwhm)?,
            area: check::finite(N, "area", area)?,
        })
    }
    /// Standard deviation σ = FWHM / (2√(2 ln 2)).
    pub fn sigma(&self) -> f64 {
        self.fwhm / FWHM_PER_SIGMA
    }
}

/// Unit-area Gaussian of FWHM `w` at offset `u`, with ∂/∂u and ∂/∂w.
#[inline]
fn gauss_unit(u: f64, w: f64) -> (f64, f64, f64) {
    let s = w / FWHM_PER_SIGMA;
    let t = u / s;
    let v = (-0.5 * t * t).exp() * (FRAC_1_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2) / s;
    (v, -v * t / s, v * (t * t - 1.0) / w)
}

/// Unit-area Lorentzian of FWHM `w` at offset `u`, with ∂/∂u and ∂/∂w.
#[inline]
fn lorentz_unit(u: f64, w: f64) -> (f64, f64, f64) {
    let g = 0.5 * w;
    let d = u * u + g * g;
    let v = g / (PI * d);
    (v, -2.0 * u * v / d, 0.5 * (u * u - g * g) / (PI * d * d))
}

impl LineShape for Gaussian {
    accessors!(ShapeKind::Gaussian; center, fwhm, area);
    #[inline]
    fn value(&self, x: f64) -> f64 {
        self.area * gauss_unit(x - self.center, self.fwhm).0
    }
    #[inline]
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let (v, du, dw) = gauss_unit(x - self.center, self.fwhm);
        grad[0] = -self.area * du;
        grad[1] = self.area * dw;
        grad[2] = v;
        self.area * v
    }
    fn fwhm(&self) -> f64 {
        self.fwhm
    }
}

// ---------------------------------------------------------------- Lorentzian

/// A Lorentzian (Cauchy) peak: center, FWHM, area.
///
/// `f(x) = area/π · γ/((x − c)² + γ²)`, γ = FWHM/2.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 3]", into = "[f64; 3]")]
pub struct Lorentzian {
    center: f64,
    fwhm: f64,
    area: f64,
}
array_serde!(Lorentzian, 3, |p| Lorentzian::new(p[0], p[1], p[2]), |s| [
    s.center, s.fwhm, s.area
]);

impl Lorentzian {
    /// A Lorentzian; errors for FWHM ≤ 0 or non-finite values.
    pub fn new(center: f64, fwhm: f64, area: f64) -> Result<Self> {
        const N: &str = "lorentzian";
        Ok(Lorentzian {
            center: check::finite(N, "center", center)?,
            fwhm: check::positive(N, "fwhm", fwhm)?,
            area: check::finite(N, "area", area)?,
        })
    }
}

impl LineShape for Lorentzian {
    accessors!(ShapeKind::Lorentzian; center, fwhm, area);
    #[inline]
    fn value(&self, x: f64) -> f64 {
        self.area * lorentz_unit(x - self.center, self.fwhm).0
    }
    #[inline]
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let (v, du, dw) = lorentz_unit(x - self.center, self.fwhm);
        grad[0] = -self.area * du;
        grad[1] = self.area * dw;
        grad[2] = v;
        self.area * v
    }
    fn fwhm(&self) -> f64 {
        self.fwhm
    }
}

// ---------------------------------------------------------------- pseudo-Voigt

/// A pseudo-Voigt: η·Lorentzian + (1 − η)·Gaussian with a common FWHM
/// (both area-normalised; lmfit's `pvoigt` with `fraction` = η and
/// `sigma` = FWHM/2). Parameters center, FWHM, η ∈ [0, 1], area.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct PseudoVoigt {
    center: f64,
    fwhm: f64,
    eta: f64,
    area: f64,
}
array_serde!(
    PseudoVoigt,
    4,
    |p| PseudoVoigt::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.fwhm, s.eta, s.area]
);

impl PseudoVoigt {
    /// A pseudo-Voigt; errors for FWHM ≤ 0, η outside [0, 1] or non-finite values.
    pub fn new(center: f64, fwhm: f64, eta: f64, area: f64) -> Result<Self> {
        const N: &str = "pseudo-voigt";
        Ok(PseudoVoigt {
            center: check::finite(N, "center", center)?,
            fwhm: check::positive(N, "fwhm", fwhm)?,
            eta: check::within(N, "eta", eta, 0.0, 1.0, "must be in [0, 1]")?,
            area: check::finite(N, "area", area)?,
        })
    }
}

/// Unit-area pseudo-Voigt: (value, ∂/∂u, ∂/∂w, ∂/∂η).
#[inline]
fn pv_unit(u: f64, w: f64, eta: f64) -> (f64, f64, f64, f64) {
    let (gv, gu, gw) = gauss_unit(u, w);
    let (lv, lu, lw) = lorentz_unit(u, w);
    (
        eta * lv + (1.0 - eta) * gv,
        eta * lu + (1.0 - eta) * gu,
        eta * lw + (1.0 - eta) * gw,
        lv - gv,
    )
}

impl LineShape for PseudoVoigt {
    accessors!(ShapeKind::PseudoVoigt; center, fwhm, eta, area);
    #[inline]
    fn value(&self, x: f64) -> f64 {
        self.area * pv_unit(x - self.center, self.fwhm, self.eta).0
    }
    #[inline]
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let (v, du, dw, de) = pv_unit(x - self.center, self.fwhm, self.eta);
        grad[0] = -self.area * du;
        grad[1] = self.area * dw;
        grad[2] = self.area * de;
        grad[3] = v;
        self.area * v
    }
    fn fwhm(&self) -> f64 {
        self.fwhm
    }
}

// ---------------------------------------------------------------- TCH

/// Thompson–Cox–Hastings pseudo-Voigt: a pseudo-Voigt whose FWHM Γ and mixing η
/// follow from the Gaussian and Lorentzian FWHMs Γ_G, Γ_L
/// (P. Thompson, D. E. Cox & J. B. Hastings, J. Appl. Cryst. 20 (1987) 79):
///
/// Γ⁵ = Γ_G⁵ + 2.69269Γ_G⁴Γ_L + 2.42843Γ_G³Γ_L² + 4.47163Γ_G²Γ_L³ + 0.07842Γ_GΓ_L⁴ + Γ_L⁵,
/// η = 1.36603ρ − 0.47719ρ² + 0.11116ρ³, ρ = Γ_L/Γ.
///
/// Parameters center, fwhm_g, fwhm_l (both ≥ 0, not both 0), area. An
/// approximation of the Voigt profile to about 1 % (use [`super::Voigt`] for the exact one).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct ThompsonCoxHastings {
    center: f64,
    fwhm_g: f64,
    fwhm_l: f64,
    area: f64,
    // cached: Γ, η, ∂Γ/∂Γ_G, ∂Γ/∂Γ_L, ∂η/∂Γ_G, ∂η/∂Γ_L
    mix: [f64; 6],
}
array_serde!(
    ThompsonCoxHastings,
    4,
    |p| ThompsonCoxHastings::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.fwhm_g, s.fwhm_l, s.area]
);

const TCH_C: [f64; 6] = [1.0, 2.69269, 2.42843, 4.47163, 0.07842, 1.0];

impl ThompsonCoxHastings {
    /// A TCH pseudo-Voigt; errors for negative widths, both zero, or non-finite values.
    pub fn new(center: f64, fwhm_g: f64, fwhm_l: f64, area: f64) -> Result<Self> {
        const N: &str = "tch";
        check::finite(N, "center", center)?;
        check::non_negative(N, "fwhm_g", fwhm_g)?;
        check::non_negative(N, "fwhm_l", fwhm_l)?;
        check::finite(N, "area", area)?;
        if fwhm_g == 0.0 && fwhm_l == 0.0 {
            return Err(Error::InvalidParameter {
                shape: N,
                name: "fwhm_g",
                value: 0.0,
                reason: "fwhm_g and fwhm_l cannot both be 0",
            });
        }
        Ok(ThompsonCoxHastings {
            center,
            fwhm_g,
            fwhm_l,
            area,
            mix: Self::mix(fwhm_g, fwhm_l),
        })
    }

    /// [Γ, η, ∂Γ/∂Γ_G, ∂Γ/∂Γ_L, ∂η/∂Γ_G, ∂η/∂Γ_L] for Γ_G = g, Γ_L = l.
    fn mix(g: f64, l: f64) -> [f64; 6] {
        let gp = [1.0, g, g * g, g * g * g, g * g * g * g, g * g * g * g * g];
        let lp = [1.0, l, l * l, l * l * l, l * l * l * l, l * l * l * l * l];
        let mut p = 0.0;
        let (mut dpg, mut dpl) = (0.0, 0.0);
        for k in 0..6 {
            p += TCH_C[k] * gp[5 - k] * lp[k];
            if k < 5 {
                dpg += TCH_C[k] * (5 - k) as f64 * gp[4 - k] * lp[k];
            }
            if k > 0 {
                dpl += TCH_C[k] * k as f64 * gp[5 - k] * lp[k - 1];
            }
        }
        let gam = p.powf(0.2);
        let d = 5.0 * gam.powi(4);
        let (dgg, dgl) = (dpg / d, dpl / d);
        let rho = l / gam;
        let eta = rho * (1.36603 - rho * (0.47719 - rho * 0.11116));
        let deta = 1.36603 - rho * (2.0 * 0.47719 - rho * 3.0 * 0.11116);
        let drg = -l / (gam * gam) * dgg;
        let drl = 1.0 / gam - l / (gam * gam) * dgl;
        [gam, eta, dgg, dgl, deta * drg, deta * drl]
    }

    /// The pseudo-Voigt mixing fraction η.
    pub fn eta(&self) -> f64 {
        self.mix[1]
    }
}

impl LineShape for ThompsonCoxHastings {
    accessors!(ShapeKind::Tch; center, fwhm_g, fwhm_l, area);
    fn value(&self, x: f64) -> f64 {
        let [gam, eta, ..] = self.mix;
        self.area * pv_unit(x - self.center, gam, eta).0
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let [gam, eta, dgg, dgl, deg, del] = self.mix;
        let (v, du, dw, de) = pv_unit(x - self.center, gam, eta);
        grad[0] = -self.area * du;
        grad[1] = self.area * (dw * dgg + de * deg);
        grad[2] = self.area * (dw * dgl + de * del);
        grad[3] = v;
        self.area * v
    }
    fn fwhm(&self) -> f64 {
        self.mix[0]
    }
}

// ---------------------------------------------------------------- CasaXPS GL / SGL

/// CasaXPS's GL(m) product line shape, area-normalised:
///
/// `f(x) ∝ exp(−4 ln2·(1 − m)·(x − c)²/F²) / (1 + 4m·(x − c)²/F²)`, m = mix/100,
///
/// with `mix` the Lorentzian percentage of CasaXPS's GL(mix) (0: Gaussian, 100:
/// Lorentzian) and F its width parameter (the FWHM at mix = 0 and 100; in between
/// the true FWHM differs by up to ≈ 6 %: [`LineShape::fwhm`] returns the true one).
/// Normalised in closed form: ∫ = (F/2)·(π/√m)·erfcx(√(ln2·(1 − m)/m)).
/// (CasaXPS manual, "Line shapes"; N. Fairley, CasaXPS 2.3.)
///
/// ∂/∂mix is unbounded at mix = 100 (the area of the Gaussian factor's
/// reach scales as √(1 − m)); there the gradient is taken at mix = 100·(1 − 1e-9).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct GaussLorentzProduct {
    center: f64,
    fwhm: f64,
    mix: f64,
    area: f64,
    // cached: g(m) and dg/dm of the normalisation (F/2)·g(m)
    norm: [f64; 2],
}
array_serde!(
    GaussLorentzProduct,
    4,
    |p| GaussLorentzProduct::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.fwhm, s.mix, s.area]
);

impl GaussLorentzProduct {
    /// GL(mix); errors for F ≤ 0, mix outside [0, 100] or non-finite values.
    pub fn new(center: f64, fwhm: f64, mix: f64, area: f64) -> Result<Self> {
        const N: &str = "gl";
        check::finite(N, "center", center)?;
        check::positive(N, "fwhm", fwhm)?;
        check::within(
            N,
            "mix",
            mix,
            0.0,
            100.0,
            "must be in [0, 100] (Lorentzian percentage)",
        )?;
        check::finite(N, "area", area)?;
        Ok(GaussLorentzProduct {
            center,
            fwhm,
            mix,
            area,
            norm: Self::norm(mix / 100.0),
        })
    }

    /// g(m) = ∫ f du / (F/2) and dg/dm.
    fn norm(m: f64) -> [f64; 2] {
        if m == 0.0 {
            // Gaussian; dg/dm at 0 = (ln2 − 1)·∫v²·exp(−ln2·v²) dv = (ln2 − 1)·√π/(2·ln2^{3/2})
            let g = (PI / LN2).sqrt();
            let dg = (LN2 - 1.0) * PI.sqrt() / (2.0 * LN2.powf(1.5));
            return [g, dg];
        }
        let me = m.min(1.0 - 1e-9);
        let t = (LN2 * (1.0 - m) / m).sqrt();
        let g = PI / m.sqrt() * erfcx(t);
        let te = (LN2 * (1.0 - me) / me).sqrt();
        let dt = -LN2 / (2.0 * te * me * me);
        let dg = -0.5 * PI / me.powf(1.5) * erfcx(te) + PI / me.sqrt() * erfcx_derivative(te) * dt;
        [g, dg]
    }
}

impl LineShape for GaussLorentzProduct {
    accessors!(ShapeKind::Gl; center, fwhm, mix, area);
    fn value(&self, x: f64) -> f64 {
        let m = self.mix / 100.0;
        let u = x - self.center;
        let s = 4.0 * u * u / (self.fwhm * self.fwhm);
        let f = (-LN2 * (1.0 - m) * s).exp() / (1.0 + m * s);
        self.area * f / (0.5 * self.fwhm * self.norm[0])
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let m = self.mix / 100.0;
        let fw = self.fwhm;
        let u = x - self.center;
        let s = 4.0 * u * u / (fw * fw);
        let f = (-LN2 * (1.0 - m) * s).exp() / (1.0 + m * s);
        let [g, dg] = self.norm;
        let n = 0.5 * fw * g;
        let v = self.area * f / n;
        let dfds = f * (-LN2 * (1.0 - m) - m / (1.0 + m * s));
        let dfdm = f * (LN2 * s - s / (1.0 + m * s));
        grad[0] = self.area / n * dfds * (-8.0 * u / (fw * fw));
        grad[1] = self.area / n * dfds * (-2.0 * s / fw) - v / fw;
        grad[2] = (self.area / n * dfdm - v * dg / g) / 100.0;
        grad[3] = f / n;
        v
    }
    fn fwhm(&self) -> f64 {
        let unit = GaussLorentzProduct {
            center: 0.0,
            area: 1.0,
            ..*self
        };
        let f = |x: f64| unit.value(x);
        2.0 * half_max_crossing(&f, 0.0, unit.value(0.0), 0.5 * self.fwhm, 1.0)
    }
}

/// CasaXPS's SGL(m) sum line shape, area-normalised:
///
/// `f(x) ∝ (1 − m)·exp(−4 ln2·(x − c)²/F²) + m/(1 + 4(x − c)²/F²)`, m = mix/100,
///
/// both terms of unit height, so F is the exact FWHM; the area-normalised form is
/// a pseudo-Voigt whose Lorentzian *height* fraction is m.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct GaussLorentzSum {
    center: f64,
    fwhm: f64,
    mix: f64,
    area: f64,
}
array_serde!(
    GaussLorentzSum,
    4,
    |p| GaussLorentzSum::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.fwhm, s.mix, s.area]
);

impl GaussLorentzSum {
    /// SGL(mix); errors for F ≤ 0, mix outside [0, 100] or non-finite values.
    pub fn new(center: f64, fwhm: f64, mix: f64, area: f64) -> Result<Self> {
        const N: &str = "sgl";
        Ok(GaussLorentzSum {
            center: check::finite(N, "center", center)?,
            fwhm: check::positive(N, "fwhm", fwhm)?,
            mix: check::within(
                N,
                "mix",
                mix,
                0.0,
                100.0,
                "must be in [0, 100] (Lorentzian percentage)",
            )?,
            area: check::finite(N, "area", area)?,
        })
    }
}

impl LineShape for GaussLorentzSum {
    accessors!(ShapeKind::Sgl; center, fwhm, mix, area);
    fn value(&self, x: f64) -> f64 {
        let mut g = [0.0; 4];
        self.value_and_gradient(x, &mut g)
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let m = self.mix / 100.0;
        let fw = self.fwhm;
        let u = x - self.center;
        let s = 4.0 * u * u / (fw * fw);
        let ge = (-LN2 * s).exp();
        let le = 1.0 / (1.0 + s);
        let f = (1.0 - m) * ge + m * le;
        let c = (1.0 - m) * G_AREA + m * L_AREA;
        let n = fw * c;
        let v = self.area * f / n;
        let dfds = -(1.0 - m) * LN2 * ge - m * le * le;
        grad[0] = self.area / n * dfds * (-8.0 * u / (fw * fw));
        grad[1] = self.area / n * dfds * (-2.0 * s / fw) - v / fw;
        grad[2] = (self.area / n * (le - ge) - v * (L_AREA - G_AREA) / c) / 100.0;
        grad[3] = f / n;
        v
    }
    fn fwhm(&self) -> f64 {
        self.fwhm
    }
}

// ---------------------------------------------------------------- Pearson VII

/// A Pearson VII peak: center, FWHM, shape exponent m > ½, area.
///
/// `f(x) = area/(a·B(m − ½, ½))·(1 + (x − c)²/a²)^(−m)`,
/// a = FWHM/(2√(2^{1/m} − 1)), B the beta function (B(m − ½, ½) = √π Γ(m − ½)/Γ(m)).
/// m = 1 is a Lorentzian, m → ∞ a Gaussian. lmfit's `pearson7` uses a (`sigma`)
/// and m (`expon`) with the same normalisation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct PearsonVii {
    center: f64,
    fwhm: f64,
    m: f64,
    area: f64,
    // cached: ln B(m − ½, ½), ψ(m − ½) − ψ(m), the scale a and ∂a/∂m
    ln_b: f64,
    dln_b: f64,
    a: f64,
    da_dm: f64,
}
array_serde!(
    PearsonVii,
    4,
    |p| PearsonVii::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.fwhm, s.m, s.area]
);

impl PearsonVii {
    /// A Pearson VII; errors for FWHM ≤ 0, m ≤ ½ (not normalisable) or non-finite values.
    pub fn new(center: f64, fwhm: f64, m: f64, area: f64) -> Result<Self> {
        const N: &str = "pearson7";
        check::finite(N, "center", center)?;
        check::positive(N, "fwhm", fwhm)?;
        if !(m.is_finite() && m > 0.5) {
            return Err(Error::InvalidParameter {
                shape: N,
                name: "m",
                value: m,
                reason: "must be finite and > 0.5",
            });
        }
        check::finite(N, "area", area)?;
        // a = FWHM/(2√(2^{1/m} − 1)), ∂a/∂m = a·2^{1/m}·ln2/(2m²(2^{1/m} − 1))
        let p2 = (2f64).powf(1.0 / m);
        let a = fwhm / (2.0 * (p2 - 1.0).sqrt());
        Ok(PearsonVii {
            center,
            fwhm,
            m,
            area,
            ln_b: 0.5 * PI.ln() + ln_gamma(m - 0.5) - ln_gamma(m),
            dln_b: digamma(m - 0.5) - digamma(m),
            a,
            da_dm: a * p2 * LN2 / (2.0 * m * m * (p2 - 1.0)),
        })
    }

    /// The scale a (lmfit's `sigma`).
    pub fn scale(&self) -> f64 {
        self.a
    }
}

impl LineShape for PearsonVii {
    accessors!(ShapeKind::Pearson7; center, fwhm, m, area);
    fn value(&self, x: f64) -> f64 {
        let a = self.a;
        let u = (x - self.center) / a;
        self.area / a * (-self.ln_b - self.m * (u * u).ln_1p()).exp()
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let m = self.m;
        let a = self.a;
        let u = x - self.center;
        let q = 1.0 + u * u / (a * a);
        let unit = (-self.ln_b - m * (u * u / (a * a)).ln_1p()).exp() / a;
        let v = self.area * unit;
        let dv_da = v * (-1.0 / a + m * 2.0 * u * u / (a * a * a) / q);
        grad[0] = v * m * 2.0 * u / (a * a) / q;
        grad[1] = dv_da * a / self.fwhm;
        grad[2] = v * (-(u * u / (a * a)).ln_1p() - self.dln_b) + dv_da * self.da_dm;
        grad[3] = unit;
        v
    }
    fn fwhm(&self) -> f64 {
        self.fwhm
    }
}

// ---------------------------------------------------------------- split pseudo-Voigt

/// A split pseudo-Voigt (asymmetric XRD peaks): a pseudo-Voigt of FWHM `fwhm_left`
/// below the center and `fwhm_right` above it, sharing the peak height and the
/// mixing η ∈ [0, 1] (Toraya, J. Appl. Cryst. 23 (1990) 485, with a common η).
///
/// Each half is `H·[η/(1 + 4u²/w²) + (1 − η)·exp(−4 ln2·u²/w²)]`;
/// ∫ = H·(w_l + w_r)/2·[η·π/2 + (1 − η)·√(π/ln 2)/2] = area. The FWHM is
/// (w_l + w_r)/2.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 5]", into = "[f64; 5]")]
pub struct SplitPseudoVoigt {
    center: f64,
    fwhm_left: f64,
    fwhm_right: f64,
    eta: f64,
    area: f64,
}
array_serde!(
    SplitPseudoVoigt,
    5,
    |p| SplitPseudoVoigt::new(p[0], p[1], p[2], p[3], p[4]),
    |s| [s.center, s.fwhm_left, s.fwhm_right, s.eta, s.area]
);

impl SplitPseudoVoigt {
    /// A split pseudo-Voigt; errors for widths ≤ 0, η outside [0, 1] or non-finite values.
    pub fn new(center: f64, fwhm_left: f64, fwhm_right: f64, eta: f64, area: f64) -> Result<Self> {
        const N: &str = "split-pseudo-voigt";
        Ok(SplitPseudoVoigt {
            center: check::finite(N, "center", center)?,
            fwhm_left: check::positive(N, "fwhm_left", fwhm_left)?,
            fwhm_right: check::positive(N, "fwhm_right", fwhm_right)?,
            eta: check::within(N, "eta", eta, 0.0, 1.0, "must be in [0, 1]")?,
            area: check::finite(N, "area", area)?,
        })
    }
}

impl LineShape for SplitPseudoVoigt {
    accessors!(ShapeKind::SplitPseudoVoigt; center, fwhm_left, fwhm_right, eta, area);
    fn value(&self, x: f64) -> f64 {
        let mut g = [0.0; 5];
        self.value_and_gradient(x, &mut g)
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let eta = self.eta;
        let u = x - self.center;
        let left = u < 0.0;
        let w = if left {
            self.fwhm_left
        } else {
            self.fwhm_right
        };
        let s = 4.0 * u * u / (w * w);
        let le = 1.0 / (1.0 + s);
        let ge = (-LN2 * s).exp();
        let p = eta * le + (1.0 - eta) * ge;
        let c = eta * L_AREA + (1.0 - eta) * G_AREA;
        let wsum = self.fwhm_left + self.fwhm_right;
        let h = 2.0 * self.area / (wsum * c);
        let v = h * p;
        let dpds = -eta * le * le - (1.0 - eta) * LN2 * ge;
        grad[0] = h * dpds * (-8.0 * u / (w * w));
        let dside = h * dpds * (-2.0 * s / w);
        let dh = -v / wsum;
        grad[1] = dh + if left { dside } else { 0.0 };
        grad[2] = dh + if left { 0.0 } else { dside };
        grad[3] = h * (le - ge) - v * (L_AREA - G_AREA) / c;
        grad[4] = 2.0 / (wsum * c) * p;
        v
    }
    fn fwhm(&self) -> f64 {
        0.5 * (self.fwhm_left + self.fwhm_right)
    }
}

// ---------------------------------------------------------------- EMG

/// An exponentially modified Gaussian: a Gaussian (center μ, standard deviation σ)
/// convolved with a one-sided exponential of decay length τ > 0 (tail towards +x):
///
/// `f(x) = area/(2τ)·exp(−u²/(2σ²))·erfcx((σ/τ − u/σ)/√2)`, u = x − μ,
///
/// the overflow-free form of lmfit's `expgaussian`
/// `(γ/2)·exp(γ(μ − x + γσ²/2))·erfc((μ + γσ² − x)/(√2σ))` with γ = 1/τ.
/// `center` is the Gaussian's μ, not the maximum ([`LineShape::position_of_maximum`]).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct ExpGaussian {
    center: f64,
    sigma: f64,
    tau: f64,
    area: f64,
}
array_serde!(
    ExpGaussian,
    4,
    |p| ExpGaussian::new(p[0], p[1], p[2], p[3]),
    |s| [s.center, s.sigma, s.tau, s.area]
);

impl ExpGaussian {
    /// An EMG; errors for σ ≤ 0, τ ≤ 0 or non-finite values.
    pub fn new(center: f64, sigma: f64, tau: f64, area: f64) -> Result<Self> {
        const N: &str = "emg";
        Ok(ExpGaussian {
            center: check::finite(N, "center", center)?,
            sigma: check::positive(N, "sigma", sigma)?,
            tau: check::positive(N, "tau", tau)?,
            area: check::finite(N, "area", area)?,
        })
    }

    /// (K = E·erfcx(z), E = exp(−u²/2σ²), z) without overflow.
    #[inline]
    fn kernel(&self, u: f64) -> (f64, f64, f64) {
        let (s, g) = (self.sigma, 1.0 / self.tau);
        let e = (-0.5 * u * u / (s * s)).exp();
        let z = (g * s * s - u) / (std::f64::consts::SQRT_2 * s);
        let k = if z >= -5.0 {
            e * erfcx(z)
        } else {
            // erfc(z) = 2 − exp(−z²)·erfcx(−z); K = exp(γ(−u + γσ²/2))·erfc(z)
            let erfc = 2.0 - (-z * z).exp() * erfcx(-z);
            (g * (-u + 0.5 * g * s * s)).exp() * erfc
        };
        (k, e, z)
    }
}

impl LineShape for ExpGaussian {
    accessors!(ShapeKind::Emg; center, sigma, tau, area);
    fn value(&self, x: f64) -> f64 {
        let (k, ..) = self.kernel(x - self.center);
        0.5 * self.area / self.tau * k
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let (s, g) = (self.sigma, 1.0 / self.tau);
        let u = x - self.center;
        let (k, e, z) = self.kernel(u);
        // E·erfcx′(z) = 2z·K − (2/√π)·E
        let kp = 2.0 * z * k - 2.0 * FRAC_1_SQRT_PI * e;
        let a = 0.5 * self.area * g;
        let v = a * k;
        let dz_du = -1.0 / (std::f64::consts::SQRT_2 * s);
        let dz_ds = (g * s * s + u) / (std::f64::consts::SQRT_2 * s * s);
        let dz_dg = s / std::f64::consts::SQRT_2;
        let dv_du = a * (-u / (s * s) * k + kp * dz_du);
        grad[0] = -dv_du;
        grad[1] = a * (u * u / (s * s * s) * k + kp * dz_ds);
        let dv_dg = 0.5 * self.area * k + a * kp * dz_dg;
        grad[2] = -dv_dg * g * g;
        grad[3] = 0.5 * g * k;
        v
    }
    fn position_of_maximum(&self) -> f64 {
        let w = self.sigma + self.tau;
        let f = |x: f64| self.value(x);
        argmax(&f, self.center - 3.0 * w, self.center + 3.0 * w)
    }
    fn fwhm(&self) -> f64 {
        let x0 = self.position_of_maximum();
        let unit = ExpGaussian { area: 1.0, ..*self };
        let f = |x: f64| unit.value(x);
        fwhm_around(&f, x0, 0.5 * self.sigma * FWHM_PER_SIGMA)
    }
}
