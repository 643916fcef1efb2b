//! Asymmetric XPS line shapes with optional Gaussian broadening:
//! Doniach–Šunjić and CasaXPS's asymmetric Lorentzian LA(α, β).

use std::f64::consts::PI;

use super::shapes::array_serde;
use super::special::{GL10_W, GL10_X, digamma, ln_gamma};
use super::{LineShape, ShapeKind, argmax, check, fwhm_around};
use crate::error::{Error, Result};

/// Gaussian convolution `∫ f(u − s)·N(s; σ) ds` (N the unit-area Gaussian of
/// standard deviation σ) by composite 10-point Gauss–Legendre quadrature over
/// s ∈ [−9σ, 9σ] (the kernel beyond holds < 3e-19 of its mass), on a grid of
/// breakpoints at every σ merged with a geometric grid around s = u, where f
/// has its peak (spacings `width`·2ᵏ), so that both a narrow f and a narrow
/// Gaussian are resolved. Returns (value, ∂/∂σ) and writes the convolved
/// gradient of f into `grad`.
fn gauss_convolve<const N: usize>(
    u: f64,
    sigma: f64,
    width: f64,
    f: &dyn Fn(f64, &mut [f64; N]) -> f64,
    grad: &mut [f64; N],
) -> (f64, f64) {
    let lim = 9.0 * sigma;
    let mut pts = [0.0f64; 128];
    let mut n = 0;
    for k in -9..=9 {
        pts[n] = k as f64 * sigma;
        n += 1;
    }
    if u.abs() < lim {
        pts[n] = u;
        n += 1;
    }
    let mut d = width / 8.0;
    while d < 2.0 * lim && n + 2 < pts.len() {
        for p in [u - d, u + d] {
            if p.abs() < lim {
                pts[n] = p;
                n += 1;
            }
        }
        d *= 2.0;
    }
    let pts = &mut pts[..n];
    pts.sort_by(f64::total_cmp);
    let norm = 1.0 / (sigma * (2.0 * PI).sqrt());
    let (mut val, mut dsig) = (0.0, 0.0);
    *grad = [0.0; N];
    let mut g = [0.0; N];
    for win in pts.windows(2) {
        let (a, b) = (win[0], win[1]);
        if b - a <= 1e-14 * sigma {
            continue;
        }
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        for (&xi, &wi) in GL10_X.iter().zip(&GL10_W) {
            for s in [mid - half * xi, mid + half * xi] {
                let t = s / sigma;
                let kern = norm * (-0.5 * t * t).exp();
                let wk = wi * half * kern;
                let fv = f(u - s, &mut g);
                val += wk * fv;
                dsig += wk * fv * (t * t - 1.0) / sigma;
                for (acc, gi) in grad.iter_mut().zip(&g) {
                    *acc += wk * gi;
                }
            }
        }
    }
    (val, dsig)
}

// ---------------------------------------------------------------- Doniach–Šunjić

/// The Doniach–Šunjić line shape of metals (S. Doniach & M. Šunjić, J. Phys. C 3
/// (1970) 285), optionally convolved with a Gaussian of standard deviation σ:
///
/// `f(x) = (A/π)·γ^(−α)·Γ(1 − α)·cos(πα/2 + (1 − α)·atan(u/γ)) / (u² + γ²)^((1−α)/2)`,
/// u = c − x, γ the lifetime half width, 0 ≤ α < 1 the asymmetry.
///
/// The tail points to **higher x** (u = c − x): on a binding-energy axis, the
/// physical side (electron–hole pair excitations lower the kinetic energy).
/// At α = 0 this is a Lorentzian of area A. For α > 0 the tail decays as
/// |x − c|^(α−1) and **the integral diverges**: `A` (reported as `area`) is then
/// the area of the symmetric α = 0 profile with the same γ, the usual
/// convention, and finite-window areas must be integrated numerically.
/// lmfit's `doniach(x, amplitude, center, sigma, gamma)` has its tail towards
/// lower x; it equals this shape at the mirrored point 2c − x, with
/// `sigma` = γ, `gamma` = α and `amplitude` = A·γ^(−α)·Γ(1 − α)/π.
///
/// Kinds: `doniach` (center, gamma, alpha, area) and `doniach-gauss`
/// (center, gamma, alpha, sigma, area), made by [`DoniachSunjic::new`] and
/// [`DoniachSunjic::with_gaussian`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 6]", into = "[f64; 6]")]
pub struct DoniachSunjic {
    center: f64,
    gamma: f64,
    alpha: f64,
    sigma: f64,
    area: f64,
    broadened: bool,
    // cached: Γ(1 − α)·γ^(−α)/π and ψ(1 − α)
    k1: f64,
    psi: f64,
}
array_serde!(
    DoniachSunjic,
    6,
    |p| if p[5] != 0.0 {
        DoniachSunjic::with_gaussian(p[0], p[1], p[2], p[3], p[4])
    } else {
        DoniachSunjic::new(p[0], p[1], p[2], p[4])
    },
    |s| [
        s.center,
        s.gamma,
        s.alpha,
        s.sigma,
        s.area,
        if s.broadened { 1.0 } else { 0.0 }
    ]
);

impl DoniachSunjic {
    /// A Doniach–Šunjić shape; errors for γ ≤ 0, α outside [0, 1) or non-finite values.
    pub fn new(center: f64, gamma: f64, alpha: f64, area: f64) -> Result<Self> {
        const N: &str = "doniach";
        check::finite(N, "center", center)?;
        check::positive(N, "gamma", gamma)?;
        check::within(N, "alpha", alpha, 0.0, 1.0 - 1e-12, "must be in [0, 1)")?;
        check::finite(N, "area", area)?;
        Ok(DoniachSunjic {
            center,
            gamma,
            alpha,
            sigma: 0.0,
            area,
            broadened: false,
            k1: (ln_gamma(1.0 - alpha) - alpha * gamma.ln()).exp() / PI,
            psi: digamma(1.0 - alpha),
        })
    }

    /// A Doniach–Šunjić shape convolved with a Gaussian of standard deviation σ ≥ 0.
    pub fn with_gaussian(
        center: f64,
        gamma: f64,
        alpha: f64,
        sigma: f64,
        area: f64,
    ) -> Result<Self> {
        let mut d = DoniachSunjic::new(center, gamma, alpha, area)?;
        d.sigma = check::non_negative("doniach-gauss", "sigma", sigma)?;
        d.broadened = true;
        Ok(d)
    }

    /// The unbroadened profile at offset u with ∂/∂(u, γ, α) and value/A.
    #[inline]
    fn raw(&self, u: f64, g: &mut [f64; 4]) -> f64 {
        let (gm, al) = (self.gamma, self.alpha);
        let r2 = u * u + gm * gm;
        let at = (u / gm).atan();
        let phi = 0.5 * PI * al + (1.0 - al) * at;
        let (sp, cp) = phi.sin_cos();
        let k1 = self.k1;
        let k = self.area * k1;
        let rp = r2.powf(-0.5 * (1.0 - al));
        let f = k * cp * rp;
        g[0] = k * (-sp) * (1.0 - al) * gm / r2 * rp - f * (1.0 - al) * u / r2;
        g[1] = -al * f / gm + k * (-sp) * (1.0 - al) * (-u / r2) * rp - f * (1.0 - al) * gm / r2;
        g[2] =
            f * (-digamma(1.0 - al) - gm.ln() + 0.5 * r2.ln()) + k * (-sp) * (0.5 * PI - at) * rp;
        g[3] = k1 * cp * rp;
        f
    }
}

impl LineShape for DoniachSunjic {
    fn kind(&self) -> ShapeKind {
        if self.broadened {
            ShapeKind::DoniachGauss
        } else {
            ShapeKind::Doniach
        }
    }
    fn parameters(&self) -> Vec<f64> {
        if self.broadened {
            vec![self.center, self.gamma, self.alpha, self.sigma, self.area]
        } else {
            vec![self.center, self.gamma, self.alpha, self.area]
        }
    }
    fn center(&self) -> f64 {
        self.center
    }
    fn area(&self) -> f64 {
        self.area
    }
    fn value(&self, x: f64) -> f64 {
        let mut g = [0.0; 6];
        self.value_and_gradient(x, &mut g)
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        // mirrored: u = c − x (the Gaussian kernel is even, so the convolution commutes)
        let u = self.center - x;
        let mut g = [0.0; 4];
        let (v, dsig) = if self.broadened && self.sigma > 0.0 {
            let f = |t: f64, gg: &mut [f64; 4]| self.raw(t, gg);
            gauss_convolve(u, self.sigma, self.gamma, &f, &mut g)
        } else {
            (self.raw(u, &mut g), 0.0)
        };
        grad[0] = g[0];
        grad[1] = g[1];
        grad[2] = g[2];
        if self.broadened {
            grad[3] = dsig;
            grad[4] = g[3];
        } else {
            grad[3] = g[3];
        }
        v
    }
    fn position_of_maximum(&self) -> f64 {
        let w = self.gamma + self.sigma;
        let f = |x: f64| self.value(x);
        argmax(&f, self.center - 4.0 * w, self.center + 4.0 * w)
    }
    fn fwhm(&self) -> f64 {
        let x0 = self.position_of_maximum();
        let f = |x: f64| self.value(x).abs();
        fwhm_around(&f, x0, self.gamma + self.sigma)
    }
}

// ---------------------------------------------------------------- CasaXPS LA

/// CasaXPS's asymmetric Lorentzian LA(α, β), optionally convolved with a Gaussian:
///
/// `f(x) ∝ [1 + 4u²/F²]^(−α)` for u = x − c ≤ 0, `[1 + 4u²/F²]^(−β)` for u > 0,
///
/// then convolved with a Gaussian of standard deviation σ (σ = 0: none) and
/// normalised to `area` in closed form,
/// ∫ = (F/4)·√π·[Γ(α − ½)/Γ(α) + Γ(β − ½)/Γ(β)] (α, β > ½).
///
/// F is the FWHM of the unbroadened shape when α = β = 1 (a Lorentzian).
/// CasaXPS's third argument m sets the Gaussian width on its own internal scale;
/// here the Gaussian is given directly by its standard deviation σ.
/// α governs the low-x side (u < 0), β the high-x side.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "[f64; 6]", into = "[f64; 6]")]
pub struct AsymmetricLorentzian {
    center: f64,
    fwhm: f64,
    alpha: f64,
    beta: f64,
    sigma: f64,
    area: f64,
    // cached half-area factors h(α), h′(α), h(β), h′(β)
    h: [f64; 4],
}
array_serde!(
    AsymmetricLorentzian,
    6,
    |p| AsymmetricLorentzian::new(p[0], p[1], p[2], p[3], p[4], p[5]),
    |s| [s.center, s.fwhm, s.alpha, s.beta, s.sigma, s.area]
);

impl AsymmetricLorentzian {
    /// LA(α, β) ⊗ Gaussian(σ); errors for F ≤ 0, α or β ≤ ½, σ < 0 or non-finite values.
    pub fn new(
        center: f64,
        fwhm: f64,
        alpha: f64,
        beta: f64,
        sigma: f64,
        area: f64,
    ) -> Result<Self> {
        const N: &str = "la";
        check::finite(N, "center", center)?;
        check::positive(N, "fwhm", fwhm)?;
        for (name, v) in [("alpha", alpha), ("beta", beta)] {
            if !(v.is_finite() && v > 0.5) {
                return Err(Error::InvalidParameter {
                    shape: N,
                    name,
                    value: v,
                    reason: "must be finite and > 0.5",
                });
            }
        }
        check::non_negative(N, "sigma", sigma)?;
        check::finite(N, "area", area)?;
        let (ha, dha) = Self::half(alpha);
        let (hb, dhb) = Self::half(beta);
        Ok(AsymmetricLorentzian {
            center,
            fwhm,
            alpha,
            beta,
            sigma,
            area,
            h: [ha, dha, hb, dhb],
        })
    }

    /// Half-area factor h(α) = Γ(α − ½)/Γ(α) and its derivative.
    fn half(a: f64) -> (f64, f64) {
        let h = (ln_gamma(a - 0.5) - ln_gamma(a)).exp();
        (h, h * (digamma(a - 0.5) - digamma(a)))
    }

    /// Unbroadened normalised profile at offset u: value and ∂/∂(u, F, α, β, A).
    #[inline]
    fn raw(&self, u: f64, g: &mut [f64; 5]) -> f64 {
        let fw = self.fwhm;
        let [ha, dha, hb, dhb] = self.h;
        let c = 0.25 * fw * PI.sqrt();
        let n = c * (ha + hb);
        let q = 1.0 + 4.0 * u * u / (fw * fw);
        let e = if u <= 0.0 { self.alpha } else { self.beta };
        let f = q.powf(-e);
        let unit = f / n;
        let v = self.area * unit;
        g[0] = -v * e * (8.0 * u / (fw * fw)) / q;
        g[1] = v * e * (8.0 * u * u / (fw * fw * fw)) / q - v / fw;
        let lnq = q.ln();
        g[2] = -v * c * dha / n - if u <= 0.0 { v * lnq } else { 0.0 };
        g[3] = -v * c * dhb / n - if u > 0.0 { v * lnq } else { 0.0 };
        g[4] = unit;
        v
    }
}

impl LineShape for AsymmetricLorentzian {
    accessors!(ShapeKind::La; center, fwhm, alpha, beta, sigma, area);
    fn value(&self, x: f64) -> f64 {
        let mut g = [0.0; 6];
        self.value_and_gradient(x, &mut g)
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let u = x - self.center;
        let mut g = [0.0; 5];
        let (v, dsig) = if self.sigma > 0.0 {
            let f = |t: f64, gg: &mut [f64; 5]| self.raw(t, gg);
            gauss_convolve(u, self.sigma, self.fwhm, &f, &mut g)
        } else {
            (self.raw(u, &mut g), 0.0)
        };
        grad[0] = -g[0];
        grad[1] = g[1];
        grad[2] = g[2];
        grad[3] = g[3];
        grad[4] = dsig;
        grad[5] = g[4];
        v
    }
    fn position_of_maximum(&self) -> f64 {
        if self.sigma == 0.0 {
            return self.center;
        }
        let w = self.fwhm + self.sigma;
        let f = |x: f64| self.value(x);
        argmax(&f, self.center - 3.0 * w, self.center + 3.0 * w)
    }
    fn fwhm(&self) -> f64 {
        let x0 = self.position_of_maximum();
        let unit = AsymmetricLorentzian { area: 1.0, ..*self };
        let f = |x: f64| unit.value(x);
        fwhm_around(&f, x0, 0.5 * self.fwhm + self.sigma)
    }
}
