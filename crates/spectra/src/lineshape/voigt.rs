//! The Voigt profile: a Gaussian (standard deviation σ) convolved with a
//! Lorentzian (half width at half maximum γ), area-normalised.
//!
//! `V(x; σ, γ) = Re w(z) / (σ√(2π))`, `z = (x + iγ)/(σ√2)` (w: the Faddeeva
//! function; the convention of `scipy.special.voigt_profile` and lmfit's `voigt`).
//! Derivatives follow from `w′(z) = −2z·w(z) + 2i/√π`.

use num_complex::Complex64;

use super::faddeeva::{erfcx, faddeeva};
use super::{FWHM_PER_SIGMA, LineShape, ShapeKind, check, half_max_crossing};
use crate::error::{Error, Result};

const NAME: &str = "voigt";
/// 1/√(2π).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
const FRAC_2_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;

/// The area-normalised Voigt profile `V(x; σ, γ)` at `x` (relative to the center),
/// σ the Gaussian standard deviation, γ the Lorentzian half width at half maximum
/// (same units as x): the function `scipy.special.voigt_profile(x, sigma, gamma)`.
///
/// Exact limits: σ = 0 gives the Lorentzian γ/(π(x² + γ²)), γ = 0 the Gaussian.
/// Returns NaN when σ < 0, γ < 0, σ = γ = 0 or an argument is NaN.
///
/// ```
/// use interphase_spectra::lineshape::voigt_profile;
/// // reference: scipy 1.17.1 scipy.special.voigt_profile(0.5, 1.0, 0.3) = 0.2890027422265048
/// assert!((voigt_profile(0.5, 1.0, 0.3) / 0.2890027422265048 - 1.0).abs() < 1e-14);
/// ```
pub fn voigt_profile(x: f64, sigma: f64, gamma: f64) -> f64 {
    let valid = sigma >= 0.0 && gamma >= 0.0 && (sigma > 0.0 || gamma > 0.0);
    if x.is_nan() || !valid {
        return f64::NAN;
    }
    if sigma == 0.0 {
        return gamma / (std::f64::consts::PI * (x * x + gamma * gamma));
    }
    let inv_s = std::f64::consts::FRAC_1_SQRT_2 / sigma;
    faddeeva(Complex64::new(x * inv_s, gamma * inv_s)).re * FRAC_1_SQRT_2PI / sigma
}

/// The Olivero–Longbothum approximation of the Voigt FWHM,
/// `f_V ≈ 0.5346·f_L + √(0.2166·f_L² + f_G²)` with `f_L = 2γ`, `f_G = 2√(2 ln 2)·σ`
/// (J. J. Olivero & R. L. Longbothum, J. Quant. Spectrosc. Radiat. Transfer 17
/// (1977) 233; accuracy about 0.02 %). [`Voigt::fwhm`] gives the exact value.
pub fn voigt_fwhm_olivero(sigma: f64, gamma: f64) -> f64 {
    let fl = 2.0 * gamma;
    let fg = FWHM_PER_SIGMA * sigma;
    0.5346 * fl + (0.2166 * fl * fl + fg * fg).sqrt()
}

/// A Voigt peak: center, σ (Gaussian standard deviation), γ (Lorentzian HWHM), area.
///
/// `f(x) = area · V(x − center; σ, γ)`, ∫ f dx = area. σ = 0 (a Lorentzian) and
/// γ = 0 (a Gaussian) are allowed and exact; both zero is an error.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 4]", into = "[f64; 4]")]
pub struct Voigt {
    center: f64,
    sigma: f64,
    gamma: f64,
    area: f64,
    // derived: 1/(σ√2), γ/(σ√2), area/(σ√(2π))
    inv_s: f64,
    y: f64,
    norm: f64,
}

impl Voigt {
    /// A Voigt peak; errors for σ < 0, γ < 0, σ = γ = 0 or non-finite values.
    pub fn new(center: f64, sigma: f64, gamma: f64, area: f64) -> Result<Self> {
        check::finite(NAME, "center", center)?;
        check::non_negative(NAME, "sigma", sigma)?;
        check::non_negative(NAME, "gamma", gamma)?;
        check::finite(NAME, "area", area)?;
        if sigma == 0.0 && gamma == 0.0 {
            return Err(Error::InvalidParameter {
                shape: NAME,
                name: "sigma",
                value: sigma,
                reason: "sigma and gamma cannot both be 0",
            });
        }
        let (inv_s, y, norm) = if sigma > 0.0 {
            let inv_s = std::f64::consts::FRAC_1_SQRT_2 / sigma;
            (inv_s, gamma * inv_s, area * FRAC_1_SQRT_2PI / sigma)
        } else {
            (0.0, 0.0, 0.0)
        };
        Ok(Voigt {
            center,
            sigma,
            gamma,
            area,
            inv_s,
            y,
            norm,
        })
    }

    /// Gaussian standard deviation σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Lorentzian half width at half maximum γ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The Olivero–Longbothum FWHM approximation ([`voigt_fwhm_olivero`]).
    pub fn fwhm_olivero(&self) -> f64 {
        voigt_fwhm_olivero(self.sigma, self.gamma)
    }
}

impl TryFrom<[f64; 4]> for Voigt {
    type Error = Error;
    fn try_from(p: [f64; 4]) -> Result<Self> {
        Voigt::new(p[0], p[1], p[2], p[3])
    }
}
impl From<Voigt> for [f64; 4] {
    fn from(v: Voigt) -> [f64; 4] {
        [v.center, v.sigma, v.gamma, v.area]
    }
}

impl LineShape for Voigt {
    fn kind(&self) -> ShapeKind {
        ShapeKind::Voigt
    }
    fn parameters(&self) -> Vec<f64> {
        vec![self.center, self.sigma, self.gamma, self.area]
    }
    fn center(&self) -> f64 {
        self.center
    }
    fn area(&self) -> f64 {
        self.area
    }

    #[inline]
    fn value(&self, x: f64) -> f64 {
        let u = x - self.center;
        if self.sigma == 0.0 {
            return self.area * self.gamma
                / (std::f64::consts::PI * (u * u + self.gamma * self.gamma));
        }
        faddeeva(Complex64::new(u * self.inv_s, self.y)).re * self.norm
    }

    #[inline]
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let u = x - self.center;
        if self.sigma == 0.0 {
            // Lorentzian limit; ∂/∂σ = 0 there (V is even in σ)
            let g = self.gamma;
            let d = u * u + g * g;
            let unit = g / (std::f64::consts::PI * d);
            let v = self.area * unit;
            grad[0] = v * 2.0 * u / d;
            grad[1] = 0.0;
            grad[2] = self.area * (u * u - g * g) / (std::f64::consts::PI * d * d);
            grad[3] = unit;
            return v;
        }
        let z = Complex64::new(u * self.inv_s, self.y);
        let w = faddeeva(z);
        // w′ = −2zw + 2i/√π
        let wp = Complex64::new(
            -2.0 * (z.re * w.re - z.im * w.im),
            -2.0 * (z.re * w.im + z.im * w.re) + FRAC_2_SQRT_PI,
        );
        let unit = w.re * FRAC_1_SQRT_2PI / self.sigma;
        let v = self.area * unit;
        // ∂z/∂c = −1/s, ∂z/∂γ = i/s, ∂z/∂σ = −z/σ, with 1/s = inv_s
        let k = self.norm * self.inv_s;
        grad[0] = -k * wp.re;
        grad[1] = -(self.norm / self.sigma) * ((wp.re * z.re - wp.im * z.im) + w.re);
        grad[2] = -k * wp.im;
        grad[3] = unit;
        v
    }

    fn height(&self) -> f64 {
        if self.sigma == 0.0 {
            return self.area / (std::f64::consts::PI * self.gamma);
        }
        erfcx(self.y) * self.norm
    }

    /// Exact FWHM: the half-maximum point found by bisection to full precision.
    fn fwhm(&self) -> f64 {
        if self.sigma == 0.0 {
            return 2.0 * self.gamma;
        }
        if self.gamma == 0.0 {
            return FWHM_PER_SIGMA * self.sigma;
        }
        let unit = Voigt {
            area: 1.0,
            norm: FRAC_1_SQRT_2PI / self.sigma,
            center: 0.0,
            ..*self
        };
        let f = |x: f64| unit.value(x);
        2.0 * half_max_crossing(&f, 0.0, unit.height(), 0.5 * self.fwhm_olivero(), 1.0)
    }
}
