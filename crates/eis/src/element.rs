//! Circuit elements: impedance Z(ω) and its analytic derivatives with respect
//! to each parameter, for ω = 2πf in rad/s and s = jω.
//!
//! | element | parameters (units) | Z | source |
//! | --- | --- | --- | --- |
//! | `R` | R (Ω) | R | |
//! | `C` | C (F) | 1/(sC) | |
//! | `L` | L (H) | sL | |
//! | `CPE` | Q (Ω⁻¹·sᵅ), alpha | 1/(Q·sᵅ) | impedance.py `CPE` |
//! | `W` | sigma (Ω·s⁻¹ᐟ²) | σ(1 − j)/√ω (semi-infinite Warburg) | impedance.py `W` (A_W) |
//! | `Wo` | Z0 (Ω), tau (s) | Z0·coth(√(sτ))/√(sτ) (finite-space, "open") | impedance.py `Wo` |
//! | `Ws` | Z0 (Ω), tau (s) | Z0·tanh(√(sτ))/√(sτ) (finite-length, "short") | impedance.py `Ws` |
//! | `G` | R (Ω), tau (s) | R/√(1 + sτ) (Gerischer) | Lu, Kreller & Adler, JES 156 (2009) B513; impedance.py `G` |
//! | `Gs` | R (Ω), tau (s), phi | R/(√(1 + sτ)·tanh(φ√(1 + sτ))) (finite Gerischer) | Green, Liu & Adler, SSI 179 (2008) 647; impedance.py `Gs` |
//! | `La` | L (H·sᵅ⁻¹), alpha | L·sᵅ (modified inductance) | BioLogic application note 42 |
//! | `K` | R (Ω), tau (s) | R/(1 + sτ) (Voigt RC by τ, for Kramers–Kronig) | impedance.py `K` |
//! | `Zarc` | R (Ω), tau (s), alpha | R/(1 + (sτ)ᵅ) (R‖CPE with Q = τᵅ/R) | Cole & Cole (1941) |
//!
//! `La` follows BioLogic's definition L·(jω)ᵅ; impedance.py 1.7 evaluates
//! (L·jω)ᵅ instead, so its `La` L differs from ours unless α = 1.
//!
//! ```
//! use interphase_eis::element::ElementKind;
//! use num_complex::Complex64;
//! let kind = ElementKind::from_type("CPE").unwrap();
//! assert_eq!(kind.parameter_names(), &["Q", "alpha"]);
//! let mut d = [Complex64::new(0.0, 0.0); 2];
//! let z = kind.impedance_and_gradient(2.0 * std::f64::consts::PI * 100.0, &[1e-5, 1.0], &mut d)?;
//! // α = 1: a capacitor of 10 µF at 100 Hz
//! assert!((z.im + 1.0 / (2.0 * std::f64::consts::PI * 100.0 * 1e-5)).abs() < 1e-9);
//! assert!(kind.impedance(1.0, &[1e-5]).is_err()); // one value for two parameters
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::FRAC_PI_2;

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

type C = Complex64;

/// The kinds of circuit elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ElementKind {
    /// Resistor.
    R,
    /// Capacitor.
    C,
    /// Inductor.
    L,
    /// Constant-phase element.
    Cpe,
    /// Semi-infinite Warburg.
    W,
    /// Finite-space ("open") Warburg.
    Wo,
    /// Finite-length ("short") Warburg.
    Ws,
    /// Gerischer.
    G,
    /// Finite-length Gerischer.
    Gs,
    /// Modified inductance.
    La,
    /// RC element parameterised by τ.
    K,
    /// ZARC: R in parallel with a CPE, parameterised by τ and α.
    Zarc,
}

impl ElementKind {
    /// Every kind, in documentation order.
    pub const ALL: [ElementKind; 12] = [
        Self::R,
        Self::C,
        Self::L,
        Self::Cpe,
        Self::W,
        Self::Wo,
        Self::Ws,
        Self::G,
        Self::Gs,
        Self::La,
        Self::K,
        Self::Zarc,
    ];

    /// The kind named by an element type (`R`, `CPE`, `Wo`, ...; case-sensitive
    /// as in impedance.py).
    pub fn from_type(t: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.type_name() == t)
    }

    /// The element type as written in circuit strings.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::R => "R",
            Self::C => "C",
            Self::L => "L",
            Self::Cpe => "CPE",
            Self::W => "W",
            Self::Wo => "Wo",
            Self::Ws => "Ws",
            Self::G => "G",
            Self::Gs => "Gs",
            Self::La => "La",
            Self::K => "K",
            Self::Zarc => "Zarc",
        }
    }

    /// Parameter names (the full name in a circuit is `<element>.<name>`, or
    /// the element name alone for one-parameter elements).
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            Self::R => &["R"],
            Self::C => &["C"],
            Self::L => &["L"],
            Self::Cpe => &["Q", "alpha"],
            Self::W => &["sigma"],
            Self::Wo | Self::Ws => &["Z0", "tau"],
            Self::G | Self::K => &["R", "tau"],
            Self::Gs => &["R", "tau", "phi"],
            Self::La => &["L", "alpha"],
            Self::Zarc => &["R", "tau", "alpha"],
        }
    }

    /// Units of the parameters.
    pub fn parameter_units(self) -> &'static [&'static str] {
        match self {
            Self::R => &["Ohm"],
            Self::C => &["F"],
            Self::L => &["H"],
            Self::Cpe => &["Ohm^-1 s^alpha", ""],
            Self::W => &["Ohm s^-1/2"],
            Self::Wo | Self::Ws => &["Ohm", "s"],
            Self::G | Self::K => &["Ohm", "s"],
            Self::Gs => &["Ohm", "s", ""],
            Self::La => &["H s^(alpha-1)", ""],
            Self::Zarc => &["Ohm", "s", ""],
        }
    }

    /// Number of parameters.
    pub fn n_params(self) -> usize {
        self.parameter_names().len()
    }

    /// Whether parameter `k` is an exponent confined to [0, 1] (CPE, La and
    /// ZARC α); every other parameter must be > 0 (finite Gerischer φ too).
    pub fn is_exponent(self, k: usize) -> bool {
        matches!((self, k), (Self::Cpe, 1) | (Self::La, 1) | (Self::Zarc, 2))
    }

    /// Z(ω) for angular frequency `omega` (rad/s) and parameters `p`.
    pub fn impedance(self, omega: f64, p: &[f64]) -> Result<C> {
        let mut d = [C::new(0.0, 0.0); 3];
        self.impedance_and_gradient(omega, p, &mut d[..self.n_params()])
    }

    /// Z(ω) and ∂Z/∂pₖ written to `grad`. Errors: `p` or `grad` not of length
    /// [`n_params`](Self::n_params), a non-finite value, or ω ≤ 0.
    pub fn impedance_and_gradient(self, omega: f64, p: &[f64], grad: &mut [C]) -> Result<C> {
        let n = self.n_params();
        if p.len() != n || grad.len() != n {
            return Err(Error::Invalid(format!(
                "{} takes {n} parameters ({}); got {} values and a gradient buffer of {}",
                self.type_name(),
                self.parameter_names().join(", "),
                p.len(),
                grad.len()
            )));
        }
        if !(omega.is_finite() && omega > 0.0) || p.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "{}: ω = {omega} must be finite and > 0 and the parameters {p:?} finite",
                self.type_name()
            )));
        }
        Ok(self.eval_into(omega, p, grad))
    }

    /// [`impedance_and_gradient`](Self::impedance_and_gradient) without the
    /// checks.
    pub(crate) fn eval_into(self, omega: f64, p: &[f64], grad: &mut [C]) -> C {
        self.eval_at::<true>(Omega::new(omega), p, self.phase(p), grad)
    }

    /// e^{jπα/2}, the unit phasor of jᵅ, for the elements with an exponent
    /// (CPE and La: α = p[1]; ZARC: α = p[2]); 1 for the others. It does not
    /// depend on ω, so the circuit evaluator computes it once per parameter
    /// vector instead of once per frequency.
    pub(crate) fn phase(self, p: &[f64]) -> C {
        let a = match self {
            Self::Cpe | Self::La => p[1],
            Self::Zarc => p[2],
            _ => return C::new(1.0, 0.0),
        };
        let (sn, cs) = (FRAC_PI_2 * a).sin_cos();
        C::new(cs, sn)
    }

    /// Z at `x` with the element's [`phase`](Self::phase) `ph` precomputed;
    /// writes ∂Z/∂pₖ into `grad` only when `GRAD` (then `grad` has
    /// [`n_params`](Self::n_params) entries; otherwise it may be empty).
    /// (jω)ᵅ = e^{α ln ω}·e^{jπα/2}, exact in polar form.
    #[inline]
    pub(crate) fn eval_at<const GRAD: bool>(self, x: Omega, p: &[f64], ph: C, grad: &mut [C]) -> C {
        let omega = x.w;
        let s = C::new(0.0, omega);
        match self {
            Self::R => {
                if GRAD {
                    grad[0] = C::new(1.0, 0.0);
                }
                C::new(p[0], 0.0)
            }
            Self::C => {
                let z = C::new(0.0, -1.0 / (omega * p[0]));
                if GRAD {
                    grad[0] = -z / p[0];
                }
                z
            }
            Self::L => {
                if GRAD {
                    grad[0] = s;
                }
                s * p[0]
            }
            Self::Cpe => {
                let (q, a) = (p[0], p[1]);
                // 1/(Q ωᵅ e^{jπα/2}) = e^{−α ln ω}/Q · e^{−jπα/2}
                let z = ph.conj() * ((-a * x.ln).exp() / q);
                if GRAD {
                    grad[0] = -z / q;
                    grad[1] = -z * C::new(x.ln, FRAC_PI_2);
                }
                z
            }
            Self::W => {
                let g = C::new(1.0, -1.0) / omega.sqrt();
                if GRAD {
                    grad[0] = g;
                }
                g * p[0]
            }
            Self::Wo => {
                let (z0, tau) = (p[0], p[1]);
                let u = (s * tau).sqrt();
                let coth = ctanh(u).inv();
                let f = coth / u;
                if GRAD {
                    // d/du (coth u / u) = (−u csch²u − coth u)/u², csch² = coth² − 1
                    let df = (-u * (coth * coth - 1.0) - coth) / (u * u);
                    grad[0] = f;
                    grad[1] = z0 * df * u / (2.0 * tau);
                }
                f * z0
            }
            Self::Ws => {
                let (z0, tau) = (p[0], p[1]);
                let u = (s * tau).sqrt();
                let t = ctanh(u);
                let f = t / u;
                if GRAD {
                    let df = (u * (1.0 - t * t) - t) / (u * u);
                    grad[0] = f;
                    grad[1] = z0 * df * u / (2.0 * tau);
                }
                f * z0
            }
            Self::G => {
                let (r, tau) = (p[0], p[1]);
                let v = (s * tau + 1.0).sqrt();
                let z = r / v;
                if GRAD {
                    grad[0] = v.inv();
                    grad[1] = -z * s / (2.0 * v * v);
                }
                z
            }
            Self::Gs => {
                let (r, tau, phi) = (p[0], p[1], p[2]);
                let v = (s * tau + 1.0).sqrt();
                let t = ctanh(v * phi);
                let z = r / (v * t);
                if GRAD {
                    let sech2_over_t = (1.0 - t * t) / t;
                    grad[0] = z / r;
                    grad[1] = z * (-v.inv() - sech2_over_t * phi) * s / (2.0 * v);
                    grad[2] = -z * v * sech2_over_t;
                }
                z
            }
            Self::La => {
                let (l, a) = (p[0], p[1]);
                let sa = ph * (a * x.ln).exp();
                if GRAD {
                    grad[0] = sa;
                    grad[1] = sa * l * C::new(x.ln, FRAC_PI_2);
                }
                sa * l
            }
            Self::K => {
                let (r, tau) = (p[0], p[1]);
                let den = s * tau + 1.0;
                if GRAD {
                    grad[0] = den.inv();
                    grad[1] = -s * r / (den * den);
                }
                r / den
            }
            Self::Zarc => {
                let (r, tau, a) = (p[0], p[1], p[2]);
                let ln_wt = x.ln + tau.ln();
                let q = ph * (a * ln_wt).exp();
                let den = q + 1.0;
                let z = r / den;
                if GRAD {
                    let dz_dq = -z / den;
                    grad[0] = den.inv();
                    grad[1] = dz_dq * q * a / tau;
                    grad[2] = dz_dq * q * C::new(ln_wt, FRAC_PI_2);
                }
                z
            }
        }
    }

    /// Y = 1/Z at `x`, and with `GRAD` ∂Y/∂pₖ into `grad`: native for R
    /// (1/R), C (jωC) and CPE (Q·(jω)ᵅ), which parallel blocks are made of,
    /// so that a parallel block costs one complex division; 1/Z otherwise.
    #[inline]
    pub(crate) fn admittance_at<const GRAD: bool>(
        self,
        x: Omega,
        p: &[f64],
        ph: C,
        grad: &mut [C],
    ) -> C {
        match self {
            Self::R => {
                let y = 1.0 / p[0];
                if GRAD {
                    grad[0] = C::new(-y * y, 0.0);
                }
                C::new(y, 0.0)
            }
            Self::C => {
                if GRAD {
                    grad[0] = C::new(0.0, x.w);
                }
                C::new(0.0, x.w * p[0])
            }
            Self::Cpe => {
                let (q, a) = (p[0], p[1]);
                let wa = ph * (a * x.ln).exp();
                let y = wa * q;
                if GRAD {
                    grad[0] = wa;
                    grad[1] = y * C::new(x.ln, FRAC_PI_2);
                }
                y
            }
            _ => {
                let z = self.eval_at::<GRAD>(x, p, ph, grad);
                let y = recip(z);
                if GRAD {
                    let f = -(y * y);
                    grad.iter_mut().for_each(|d| *d *= f);
                }
                y
            }
        }
    }
}

/// 1/z with one division (|z|² once), as the circuit evaluator needs it.
#[inline]
pub(crate) fn recip(z: C) -> C {
    let r = 1.0 / z.norm_sqr();
    C::new(z.re * r, -z.im * r)
}

/// An angular frequency ω (rad/s) with its logarithm, computed once per
/// frequency and shared by every element with an exponent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Omega {
    /// ω (rad/s).
    pub w: f64,
    /// ln ω.
    pub ln: f64,
}

impl Omega {
    /// ω and ln ω.
    pub fn new(w: f64) -> Self {
        Omega { w, ln: w.ln() }
    }
}

/// tanh(z) without the overflow of sinh/cosh for large |Re z|.
pub(crate) fn ctanh(z: C) -> C {
    if z.re.abs() > 20.0 {
        let sign = z.re.signum();
        let e = (-2.0 * sign * z).exp(); // |e| < 4e-18
        return (1.0 - e) / (1.0 + e) * sign;
    }
    z.tanh()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every analytic derivative against a central difference (relative step
    /// 1e-6; agreement 1e-6 relative to the derivative's scale).
    #[test]
    fn gradients_match_finite_differences() {
        let params: [(ElementKind, &[f64]); 12] = [
            (ElementKind::R, &[12.0]),
            (ElementKind::C, &[2e-6]),
            (ElementKind::L, &[3e-7]),
            (ElementKind::Cpe, &[3e-6, 0.83]),
            (ElementKind::W, &[45.0]),
            (ElementKind::Wo, &[60.0, 2.5]),
            (ElementKind::Ws, &[60.0, 2.5]),
            (ElementKind::G, &[30.0, 0.01]),
            (ElementKind::Gs, &[30.0, 0.01, 1.7]),
            (ElementKind::La, &[2e-6, 0.9]),
            (ElementKind::K, &[20.0, 1e-3]),
            (ElementKind::Zarc, &[150.0, 1e-4, 0.8]),
        ];
        for (kind, p) in params {
            for &f in &[1e-3, 0.1, 3.0, 250.0, 1e4, 1e6] {
                let w = 2.0 * std::f64::consts::PI * f;
                let mut g = [C::new(0.0, 0.0); 3];
                let z = kind
                    .impedance_and_gradient(w, p, &mut g[..kind.n_params()])
                    .unwrap();
                assert!((z - kind.impedance(w, p).unwrap()).norm() <= 1e-15 * z.norm());
                for k in 0..kind.n_params() {
                    let h = 1e-6 * p[k];
                    let mut a = p.to_vec();
                    let mut b = p.to_vec();
                    a[k] += h;
                    b[k] -= h;
                    let fd = (kind.impedance(w, &a).unwrap() - kind.impedance(w, &b).unwrap())
                        / (2.0 * h);
                    let scale = z.norm() / p[k];
                    assert!(
                        (fd - g[k]).norm() <= 1e-6 * scale.max(g[k].norm()),
                        "{kind:?} f={f} param {k}: analytic {} vs fd {fd}",
                        g[k]
                    );
                }
            }
        }
    }

    /// The admittance path (native for R, C, CPE; 1/Z otherwise) against 1/Z
    /// and its gradient against −Y²·∂Z.
    #[test]
    fn admittances_match_the_impedances() {
        let params: [(ElementKind, &[f64]); 6] = [
            (ElementKind::R, &[12.0]),
            (ElementKind::C, &[2e-6]),
            (ElementKind::Cpe, &[3e-6, 0.83]),
            (ElementKind::L, &[3e-7]),
            (ElementKind::Wo, &[60.0, 2.5]),
            (ElementKind::Zarc, &[150.0, 1e-4, 0.8]),
        ];
        for (kind, p) in params {
            for &f in &[1e-3, 3.0, 1e4, 1e6] {
                let x = Omega::new(2.0 * std::f64::consts::PI * f);
                let n = kind.n_params();
                let (mut gz, mut gy) = ([C::new(0.0, 0.0); 3], [C::new(0.0, 0.0); 3]);
                let z = kind.eval_at::<true>(x, p, kind.phase(p), &mut gz[..n]);
                let y = kind.admittance_at::<true>(x, p, kind.phase(p), &mut gy[..n]);
                assert!((y * z - 1.0).norm() < 1e-13, "{kind:?} f={f}");
                for k in 0..n {
                    let want = -(y * y) * gz[k];
                    assert!(
                        (gy[k] - want).norm() <= 1e-12 * want.norm().max(1e-300),
                        "{kind:?} f={f} param {k}: {} vs {want}",
                        gy[k]
                    );
                }
                let y0 = kind.admittance_at::<false>(x, p, kind.phase(p), &mut []);
                assert!((y0 - y).norm() <= 1e-15 * y.norm());
            }
        }
    }

    #[test]
    fn limits() {
        let w = 2.0 * std::f64::consts::PI;
        // Wo → Z0·(1/(sτ) + 1/3) at low frequency; Ws → Z0 at low frequency
        let z = ElementKind::Ws.impedance(1e-9, &[5.0, 1.0]).unwrap();
        assert!((z - C::new(5.0, 0.0)).norm() < 1e-8);
        // high frequency: both → Z0/√(jωτ), no NaN from tanh overflow
        let big = 1e12;
        let zo = ElementKind::Wo.impedance(big, &[5.0, 1.0]).unwrap();
        let zs = ElementKind::Ws.impedance(big, &[5.0, 1.0]).unwrap();
        assert!(zo.is_finite() && zs.is_finite());
        assert!((zo - zs).norm() < 1e-12);
        // ZARC with α = 1 is an RC: R/(1 + jωτ) = K
        let a = ElementKind::Zarc.impedance(w, &[10.0, 0.2, 1.0]).unwrap();
        let b = ElementKind::K.impedance(w, &[10.0, 0.2]).unwrap();
        assert!((a - b).norm() < 1e-12);
    }
}
