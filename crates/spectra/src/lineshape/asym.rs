//! Asymmetric XPS line shapes with optional Gaussian broadening:
//! Doniach–Šunjić and CasaXPS's asymmetric Lorentzian LA(α, β).

use std::f64::consts::PI;

use super::shapes::array_serde;
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_PI_2};

use super::faddeeva::{PRIME_FAR2, faddeeva_n_loose, faddeeva_prime, faddeeva_prime_near};
use super::gridconv::{LaGrid, Partials};
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

/// Nodes of [`DsRule`].
const DS_NODES: usize = 16;
/// Smallest γ/σ of the fast path; below it the numerical convolution.
const DS_FAST_GAMMA: f64 = 0.02;
/// Smallest γ/σ of the grid convolution (`gridconv`; 108·σ/γ ≤ 360 terms a
/// point); below it the Gauss–Jacobi path, which costs less there.
const DS_GRID_GAMMA: f64 = 0.3;
/// √(π/2).
const SQRT_PI_2: f64 = 1.253_314_137_315_500_3;

/// The quadrature of the fast Gaussian-broadened Doniach–Šunjić profile.
///
/// With u = c − x, DS(u) = A·k₁·Re[e^(−iπα/2)·(γ + iu)^(α−1)], k₁ = Γ(1 − α)γ^(−α)/π,
/// and for 0 < α < 1 the Stieltjes integral
/// `(γ + iu)^(α−1) = (sin πα/π)·∫₀^∞ τ^(α−1)/(τ + γ + iu) dτ` writes it as a
/// superposition of Lorentzians of half widths γ + τ. Convolved with the
/// Gaussian, each becomes a Voigt profile:
/// `DS⊗G(u) = A·k₁·Re[e^(−iπα/2)·(sin πα/π)·√(π/2)/σ·∫₀^∞ τ^(α−1)·conj w(ζ) dτ]`,
/// `ζ = (u + i(γ + τ))/(σ√2)` (w the Faddeeva function). The substitution
/// τ = s·t/(1 − t), with s = |γ + iu| + σ per point, leaves
/// `s^α·∫₀¹ t^(α−1)(1 − t)^(−α)·[conj w(ζ)/(1 − t)] dt`, whose bracket is smooth
/// and finite at both ends: a 16-node Gauss–Jacobi rule for the weight
/// `t^(α−1)(1 − t)^(−α)` (Golub–Welsch; the weights here already include
/// sin πα/π, so they sum to 1) gives the profile against mpmath's
/// parabolic-cylinder form `A·k₁·Re[e^(−iπα/2)·σ^(α−1)·e^(z²/4)·D_(α−1)(z)]`,
/// z = (γ + iu)/σ, over 0.001 ≤ α ≤ 0.99 and |u| ≤ 50σ (tests/lineshapes.rs)
/// to ≤ 1e-10 relative for 0.15 ≤ γ/σ ≤ 10 and ≤ 3e-9 for 0.02 ≤ γ/σ < 0.15
/// (below 0.02σ the numerical convolution takes over). Every Faddeeva value
/// has Im ζ ≥ γ/(σ√2) ≥ 0.014: all sixteen go through Weideman's rational
/// approximation in one vectorised batch, which below Im ζ = 0.1 keeps w to
/// 3e-15 of |w| though not Re w to 1e-13 of itself (`faddeeva_n_loose`) —
/// ample for a quadrature good to 3e-9 (the mpmath tests above are
/// unchanged by it; before, the lanes below the band went one by one through
/// Algorithm 916).
#[derive(Debug, Clone, Copy, PartialEq)]
struct DsRule {
    /// Nodes in (0, 1).
    t: [f64; DS_NODES],
    /// Weights, times sin(πα)/π.
    w: [f64; DS_NODES],
    /// 1/(1 − t) of the nodes.
    om: [f64; DS_NODES],
    /// (w′ + w·t′/(1 − t))/(1 − t): ∂c/∂α = c·ln s + this·s^α.
    dc: [f64; DS_NODES],
    /// t′/(1 − t)²: ∂τ/∂α = s·this.
    dtau: [f64; DS_NODES],
}

/// Four (α bits, rule) slots and the next slot to overwrite.
type RuleCache = ([Option<(u64, DsRule)>; 4], usize);

impl DsRule {
    /// [`DsRule::new`] through a small per-thread cache keyed by α's bits
    /// (a fit evaluates the same α over many points and calls).
    fn cached(alpha: f64) -> Option<DsRule> {
        thread_local! {
            static CACHE: std::cell::RefCell<RuleCache> =
                const { std::cell::RefCell::new(([None; 4], 0)) };
        }
        let key = alpha.to_bits();
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if let Some((_, r)) = c.0.iter().flatten().find(|(k, _)| *k == key) {
                return Some(*r);
            }
            let r = DsRule::new(alpha)?;
            let slot = c.1;
            c.0[slot] = Some((key, r));
            c.1 = (slot + 1) % 4;
            Some(r)
        })
    }

    /// The rule for 0 < α < 1 (None where the eigen-solver fails or α is outside).
    ///
    /// Monic Jacobi recurrence for the weight (1 − x)^a (1 + x)^b on [−1, 1]
    /// with a = −α, b = α − 1 (a + b = −1), t = (1 + x)/2: diagonal
    /// (1 − 2α)/(4n² − 1), off-diagonal² 2α(1 − α) for n = 1 and
    /// (n − α)(n + α − 1)/(2n − 1)² for n ≥ 2; μ₀ = π/sin(πα), so the weights
    /// times sin(πα)/π are the squared first components of the eigenvectors
    /// (Golub & Welsch, Math. Comp. 23 (1969) 221).
    fn new(alpha: f64) -> Option<DsRule> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return None;
        }
        let mut j = nalgebra::SMatrix::<f64, DS_NODES, DS_NODES>::zeros();
        for n in 0..DS_NODES {
            let nf = n as f64;
            j[(n, n)] = (1.0 - 2.0 * alpha) / (4.0 * nf * nf - 1.0);
            if n >= 1 {
                let b = if n == 1 {
                    2.0 * alpha * (1.0 - alpha)
                } else {
                    (nf - alpha) * (nf + alpha - 1.0) / ((2.0 * nf - 1.0) * (2.0 * nf - 1.0))
                };
                j[(n, n - 1)] = b.sqrt();
                j[(n - 1, n)] = b.sqrt();
            }
        }
        let eig = nalgebra::SymmetricEigen::try_new(j, f64::EPSILON, 1000)?;
        let mut idx: [usize; DS_NODES] = std::array::from_fn(|k| k);
        idx.sort_by(|&a, &b| eig.eigenvalues[a].total_cmp(&eig.eigenvalues[b]));
        let t = idx.map(|k| 0.5 * (1.0 + eig.eigenvalues[k]));
        let w = idx.map(|k| eig.eigenvectors[(0, k)] * eig.eigenvectors[(0, k)]);
        if t.iter().any(|&t| !(t > 0.0 && t < 1.0)) {
            return None;
        }
        // ∂/∂α of the eigen-decomposition (the eigenvalues are simple):
        // λ′ₖ = vₖᵀJ′vₖ (Hellmann–Feynman) and
        // v′ₖ = Σ_{j≠k} (vⱼᵀJ′vₖ)/(λₖ − λⱼ)·vⱼ, so w′ₖ = 2vₖ[0]·v′ₖ[0]; J′ is
        // tridiagonal: diagonal −2/(4n² − 1), off-diagonal b′/(2√b) with
        // b′ = 2 − 4α (n = 1) and (1 − 2α)/(2n − 1)² (n ≥ 2)
        let mut jd = [0.0; DS_NODES];
        let mut je = [0.0; DS_NODES];
        for n in 0..DS_NODES {
            let nf = n as f64;
            jd[n] = -2.0 / (4.0 * nf * nf - 1.0);
            if n >= 1 {
                let db = if n == 1 {
                    2.0 - 4.0 * alpha
                } else {
                    (1.0 - 2.0 * alpha) / ((2.0 * nf - 1.0) * (2.0 * nf - 1.0))
                };
                je[n] = db / (2.0 * j[(n, n - 1)]);
            }
        }
        let v = |k: usize| eig.eigenvectors.column(idx[k]);
        let lam = |k: usize| eig.eigenvalues[idx[k]];
        // vᵢᵀ J′ vₖ for tridiagonal J′
        let mixed = |i: usize, k: usize| {
            let (a, b) = (v(i), v(k));
            let mut m = 0.0;
            for n in 0..DS_NODES {
                m += a[n] * jd[n] * b[n];
                if n >= 1 {
                    m += je[n] * (a[n] * b[n - 1] + a[n - 1] * b[n]);
                }
            }
            m
        };
        let mut dt = [0.0; DS_NODES];
        let mut dw = [0.0; DS_NODES];
        for k in 0..DS_NODES {
            dt[k] = 0.5 * mixed(k, k);
            let mut dv0 = 0.0;
            for i in (0..DS_NODES).filter(|&i| i != k) {
                dv0 += mixed(i, k) / (lam(k) - lam(i)) * v(i)[0];
            }
            dw[k] = 2.0 * v(k)[0] * dv0;
        }
        let om = t.map(|t| 1.0 / (1.0 - t));
        let dc = std::array::from_fn(|k| (dw[k] + w[k] * dt[k] * om[k]) * om[k]);
        let dtau = std::array::from_fn(|k| dt[k] * om[k] * om[k]);
        Some(DsRule { t, w, om, dc, dtau })
    }
}

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
/// The Gaussian convolution (docs/lineshapes.md): for γ ≥ 0.3σ a trapezoid
/// rule on a grid shared by all the points of a call (`gridconv`; ≤ 1e-13
/// relative to mpmath); for 0.02σ ≤ γ < 0.3σ and α > 0 a Gauss–Jacobi
/// superposition of Voigt profiles (`DsRule`); otherwise an adaptive
/// numerical convolution.
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
    // cos(πα/2), sin(πα/2)
    cos_half: f64,
    sin_half: f64,
    // whether the fast broadened path applies (its rule: DsRule::cached)
    fast: bool,
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
            cos_half: (0.5 * PI * alpha).cos(),
            sin_half: (0.5 * PI * alpha).sin(),
            fast: false,
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
        d.fast = d.fast_applies();
        Ok(d)
    }

    /// Whether the broadened profile takes the fast path ([`DsRule`]): σ > 0,
    /// α > 0 and γ ≥ 0.02σ.
    fn fast_applies(&self) -> bool {
        self.broadened
            && self.sigma > 0.0
            && self.alpha > 0.0
            && self.gamma >= DS_FAST_GAMMA * self.sigma
    }

    /// The broadened profile at u = c − x by the fast path: value/A and, when
    /// asked, ∂/∂(u, γ, σ, α) of the value (with A). See [`DsRule`].
    #[inline(always)]
    fn fast_raw(&self, rule: &DsRule, u: f64, grad: Option<&mut [f64; 4]>) -> f64 {
        let (gm, al, sg) = (self.gamma, self.alpha, self.sigma);
        let inv = FRAC_1_SQRT_2 / sg;
        let s = gm.hypot(u) + sg;
        let sa = s.powf(al);
        let xw = [u * inv; DS_NODES];
        let mut yw = [0.0; DS_NODES];
        let mut c = [0.0; DS_NODES];
        for k in 0..DS_NODES {
            let tau = s * rule.t[k] * rule.om[k];
            yw[k] = (gm + tau) * inv;
            c[k] = rule.w[k] * sa * rule.om[k];
        }
        // w to 3e-15 of |w| at every node (the quadrature itself is good
        // to 3e-9 here): one batch down to γ = 0.02σ
        let w = faddeeva_n_loose(xw, yw);
        // S = Σ c_k·conj(w_k); h = √(π/2)/σ · S
        let (mut sr, mut si) = (0.0, 0.0);
        for k in 0..DS_NODES {
            sr += c[k] * w[k].re;
            si -= c[k] * w[k].im;
        }
        let pre = SQRT_PI_2 / sg;
        let (ph_c, ph_s) = (self.cos_half, self.sin_half);
        // value/A = k1·Re[e^{−iπα/2}·h]
        let unit = self.k1 * pre * (ph_c * sr + ph_s * si);
        if let Some(g) = grad {
            // w′ = −2ζw + 2i/√π, ζ = xw + i·yw; ∂ζ/∂u = 1/(σ√2), ∂ζ/∂γ = i/(σ√2),
            // ∂ζ/∂σ = −ζ/σ; F = conj(w), so ∂F = conj(w′·∂ζ).
            // In α the rule moves (t_k′, w_k′ exact, in `DsRule::new`'s dc, dtau): with
            // τ_k = s·t_k/(1 − t_k), ∂c_k/∂α = c_k ln s + (w_k′ + w_k t_k′/(1 − t_k))·s^α/(1 − t_k)
            // and ∂ζ_k/∂α = i·s·t_k′/((1 − t_k)²·σ√2), so ∂S/∂α = Σ ∂c_k·conj(w_k) + c_k·conj(w′_k·∂ζ_k)
            let ln_s = s.ln();
            // w′ and w + ζw′ by −2ζw + 2i/√π in every lane (a loop that
            // vectorises), then the far lanes (|ζ| > 30: the large-τ nodes)
            // again by `faddeeva_prime`'s series
            let (mut wpr, mut wpi) = ([0.0; DS_NODES], [0.0; DS_NODES]);
            let (mut vr, mut vi) = ([0.0; DS_NODES], [0.0; DS_NODES]);
            for k in 0..DS_NODES {
                ((wpr[k], wpi[k]), (vr[k], vi[k])) =
                    faddeeva_prime_near(xw[k], yw[k], w[k].re, w[k].im);
            }
            for k in 0..DS_NODES {
                if xw[k] * xw[k] + yw[k] * yw[k] > PRIME_FAR2 {
                    ((wpr[k], wpi[k]), (vr[k], vi[k])) =
                        faddeeva_prime(xw[k], yw[k], w[k].re, w[k].im);
                }
            }
            let (mut dur, mut dui, mut dsr, mut dsi) = (0.0, 0.0, 0.0, 0.0);
            let (mut dar, mut dai) = (0.0, 0.0);
            for k in 0..DS_NODES {
                // Σ c·conj(w′)
                dur += c[k] * wpr[k];
                dui -= c[k] * wpi[k];
                // Σ c·conj(w + ζw′)
                dsr += c[k] * vr[k];
                dsi -= c[k] * vi[k];
                // α: conj(w′·i·d) = d·(−w′ᵢ − i·w′ᵣ)
                let dc = c[k] * ln_s + rule.dc[k] * sa;
                let d = s * rule.dtau[k] * inv;
                dar += dc * w[k].re - c[k] * d * wpi[k];
                dai -= dc * w[k].im + c[k] * d * wpr[k];
            }
            let k = self.area * self.k1 * pre;
            let re = |a: f64, b: f64| ph_c * a + ph_s * b;
            // ∂/∂u: Σ c·conj(w′)/(σ√2)
            g[0] = k * inv * re(dur, dui);
            // ∂/∂γ: conj(i·w′) = conj(w′)·(−i): (a, b) → (b, −a); plus k1 ∝ γ^(−α)
            g[1] = k * inv * re(dui, -dur) - al / gm * self.area * unit;
            // ∂/∂σ: −h/σ + √(π/2)/σ·Σ c·conj(w′·(−ζ/σ)) = −(√(π/2)/σ²)·Σ c·conj(w + ζw′),
            // w + ζw′ ~ ζ⁻³ taken whole where it would cancel
            g[2] = -k / sg * re(dsr, dsi);
            // ∂/∂α: k1′/k1 = −ψ(1 − α) − ln γ; the phase e^{−iπα/2} gives
            // (π/2)·Re[e^{−iπα/2}·(−iS)]; then the moving rule
            g[3] = self.area * unit * (-self.psi - gm.ln())
                + k * (FRAC_PI_2 * re(si, -sr) + re(dar, dai));
        }
        unit
    }

    /// The rule of the fast path, where it applies.
    fn rule(&self) -> Option<DsRule> {
        if self.fast {
            DsRule::cached(self.alpha)
        } else {
            None
        }
    }

    /// Whether the broadened profile takes the grid convolution: σ > 0 and
    /// γ ≥ 0.3σ.
    fn grid_applies(&self) -> bool {
        self.broadened && self.sigma > 0.0 && self.gamma >= DS_GRID_GAMMA * self.sigma
    }

    /// The grid convolution (`gridconv`, h = min(γ, σ)/6: the profile is
    /// analytic in |Im v| < γ, so no correction) at offsets u = c − x: partials
    /// `[g, ∂u, ∂σ, ∂γ, ∂α, 0]` of the profile of area 1. False where the grid
    /// would be too large.
    fn grid<const GRAD: bool>(
        &self,
        u: impl Iterator<Item = f64> + Clone,
        sink: impl FnMut(usize, &Partials),
    ) -> bool {
        let h = self.gamma.min(self.sigma) / 6.0;
        let sample = |v: f64, grad: bool| self.unit_sample(v, grad);
        super::gridconv::convolve::<GRAD>(self.sigma, h, sample, None, u, sink)
    }

    /// The unbroadened profile of area 1 at v and, with `grad`, its ∂γ and ∂α:
    /// `[f, ∂γf, ∂αf, 0]` (as [`raw`](Self::raw), with ψ(1 − α) cached).
    #[inline]
    fn unit_sample(&self, v: f64, grad: bool) -> [f64; 4] {
        let (gm, al) = (self.gamma, self.alpha);
        let r2 = v * v + gm * gm;
        let at = (v / gm).atan();
        let (sp, cp) = (0.5 * PI * al + (1.0 - al) * at).sin_cos();
        let rp = r2.powf(-0.5 * (1.0 - al));
        let f = self.k1 * cp * rp;
        if !grad {
            return [f, 0.0, 0.0, 0.0];
        }
        let ks = self.k1 * sp * rp;
        let dg = -al * f / gm + ks * (1.0 - al) * v / r2 - f * (1.0 - al) * gm / r2;
        let da = f * (-self.psi - gm.ln() + 0.5 * r2.ln()) - ks * (0.5 * PI - at);
        [f, dg, da, 0.0]
    }

    /// Value and gradient (parameter order) from the grid's partials.
    #[inline]
    fn grid_normalise(&self, p: &Partials, grad: &mut [f64]) -> f64 {
        let a = self.area;
        grad[0] = a * p[1];
        grad[1] = a * p[3];
        grad[2] = a * p[4];
        grad[3] = a * p[2];
        grad[4] = p[0];
        a * p[0]
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
        if self.grid_applies() {
            let mut v = f64::NAN;
            if self.grid::<false>(std::iter::once(self.center - x), |_, p| {
                v = self.area * p[0]
            }) {
                return v;
            }
        }
        if let Some(rule) = self.rule() {
            return self.area * self.fast_raw(&rule, self.center - x, None);
        }
        let mut g = [0.0; 6];
        self.value_and_gradient(x, &mut g)
    }

    /// The broadened profile with γ ≥ 0.3σ is a grid convolution (`gridconv`:
    /// samples shared by every point of the call); below, the fast path (a
    /// Gauss–Jacobi superposition of Voigt profiles; docs/lineshapes.md)
    /// builds its quadrature once per call and runs in vector registers (AVX2
    /// where present); the others go point by point.
    fn eval_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        super::check_len("x", x.len(), "out", out.len())?;
        if self.grid_applies() {
            let u = x.iter().map(|&xi| self.center - xi);
            if self.grid::<false>(u, |i, p| out[i] = self.area * p[0]) {
                return Ok(());
            }
        }
        match self.rule() {
            Some(rule) => crate::baseline::wide(
                #[inline(always)]
                || {
                    for (o, &xi) in out.iter_mut().zip(x) {
                        *o = self.area * self.fast_raw(&rule, self.center - xi, None);
                    }
                },
            ),
            None => {
                for (o, &xi) in out.iter_mut().zip(x) {
                    *o = self.value(xi);
                }
            }
        }
        Ok(())
    }

    /// Like [`eval_into`](LineShape::eval_into); column-major `jac`.
    fn eval_with_jacobian(&self, x: &[f64], out: &mut [f64], jac: &mut [f64]) -> Result<()> {
        let m = x.len();
        let np = if self.broadened { 5 } else { 4 };
        super::check_len("x", m, "out", out.len())?;
        super::check_len("x × parameters", m * np, "jac", jac.len())?;
        if self.grid_applies() {
            let u = x.iter().map(|&xi| self.center - xi);
            let done = self.grid::<true>(u, |i, p| {
                let mut g = [0.0; 5];
                out[i] = self.grid_normalise(p, &mut g);
                for (j, gj) in g.iter().enumerate() {
                    jac[j * m + i] = *gj;
                }
            });
            if done {
                return Ok(());
            }
        }
        if let Some(rule) = self.rule() {
            crate::baseline::wide(
                #[inline(always)]
                || {
                    for (i, &xi) in x.iter().enumerate() {
                        let u = self.center - xi;
                        let mut g = [0.0; 4];
                        let unit = self.fast_raw(&rule, u, Some(&mut g));
                        out[i] = self.area * unit;
                        jac[i] = g[0];
                        jac[m + i] = g[1];
                        jac[2 * m + i] = g[3];
                        jac[3 * m + i] = g[2];
                        jac[4 * m + i] = unit;
                    }
                },
            );
            return Ok(());
        }
        let mut g = [0.0; 5];
        for (i, &xi) in x.iter().enumerate() {
            out[i] = self.value_and_gradient(xi, &mut g[..np]);
            for j in 0..np {
                jac[j * m + i] = g[j];
            }
        }
        Ok(())
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        // mirrored: u = c − x (the Gaussian kernel is even, so the convolution commutes)
        let u = self.center - x;
        if self.grid_applies() {
            let mut v = f64::NAN;
            if self.grid::<true>(std::iter::once(u), |_, p| v = self.grid_normalise(p, grad)) {
                return v;
            }
        }
        if let Some(rule) = self.rule() {
            let mut g = [0.0; 4];
            let unit = self.fast_raw(&rule, u, Some(&mut g));
            grad[0] = g[0];
            grad[1] = g[1];
            grad[2] = g[3];
            grad[3] = g[2];
            grad[4] = unit;
            return self.area * unit;
        }
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
/// The convolution is a trapezoid rule on a grid shared by all the points of a
/// call, with closed-form Euler–Maclaurin corrections at the kink (`gridconv`;
/// ≤ 1e-9 relative to mpmath, 0.13 µs a point; docs/lineshapes.md).
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

impl AsymmetricLorentzian {
    /// The grid convolution's parameters (σ > 0).
    fn grid(&self) -> LaGrid {
        LaGrid {
            fwhm: self.fwhm,
            alpha: self.alpha,
            beta: self.beta,
            sigma: self.sigma,
        }
    }

    /// The normalised value and gradient (parameter order) from the
    /// convolution's partials `[g, ∂u, ∂σ, ∂α, ∂β, ∂F]`.
    #[inline]
    fn normalise(&self, p: &Partials, grad: &mut [f64]) -> f64 {
        let [_, dha, _, dhb] = self.h;
        let c = 0.25 * self.fwhm * PI.sqrt();
        let n = c * (self.h[0] + self.h[2]);
        let k = self.area / n;
        let v = k * p[0];
        grad[0] = -k * p[1];
        grad[1] = k * p[5] - v / self.fwhm;
        grad[2] = k * p[3] - v * c * dha / n;
        grad[3] = k * p[4] - v * c * dhb / n;
        grad[4] = k * p[2];
        grad[5] = p[0] / n;
        v
    }

    /// Pointwise value and gradient by the adaptive quadrature of
    /// `gauss_convolve` (the fallback of the grid path).
    fn quadrature(&self, u: f64, grad: &mut [f64]) -> f64 {
        let mut g = [0.0; 5];
        let f = |t: f64, gg: &mut [f64; 5]| self.raw(t, gg);
        let (v, dsig) = gauss_convolve(u, self.sigma, self.fwhm, &f, &mut g);
        grad[0] = -g[0];
        grad[1] = g[1];
        grad[2] = g[2];
        grad[3] = g[3];
        grad[4] = dsig;
        grad[5] = g[4];
        v
    }
}

/// With σ > 0 the shape is the grid convolution of `gridconv` (one set of f
/// samples shared by every point of a call; ≤ 1e-9 relative to mpmath), or,
/// where that grid would be too fine (Γ < 0.0176σ), the adaptive quadrature.
impl LineShape for AsymmetricLorentzian {
    accessors!(ShapeKind::La; center, fwhm, alpha, beta, sigma, area);
    fn value(&self, x: f64) -> f64 {
        let mut out = [0.0];
        match self.eval_into(&[x], &mut out) {
            Ok(()) => out[0],
            Err(_) => f64::NAN,
        }
    }
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        let u = x - self.center;
        if self.sigma == 0.0 {
            let mut g = [0.0; 5];
            let v = self.raw(u, &mut g);
            grad[0] = -g[0];
            grad[1] = g[1];
            grad[2] = g[2];
            grad[3] = g[3];
            grad[4] = 0.0;
            grad[5] = g[4];
            return v;
        }
        let mut v = f64::NAN;
        let done = self.grid().convolve::<true>(std::iter::once(u), |_, p| {
            v = self.normalise(p, grad);
        });
        if done { v } else { self.quadrature(u, grad) }
    }
    fn eval_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        super::check_len("x", x.len(), "out", out.len())?;
        let mut g = [0.0; 6];
        if self.sigma > 0.0 {
            let n = 0.25 * self.fwhm * PI.sqrt() * (self.h[0] + self.h[2]);
            let k = self.area / n;
            let u = x.iter().map(|&xi| xi - self.center);
            if self.grid().convolve::<false>(u, |i, p| out[i] = k * p[0]) {
                return Ok(());
            }
            for (o, &xi) in out.iter_mut().zip(x) {
                *o = self.quadrature(xi - self.center, &mut g);
            }
            return Ok(());
        }
        for (o, &xi) in out.iter_mut().zip(x) {
            *o = self.value_and_gradient(xi, &mut g);
        }
        Ok(())
    }
    fn eval_with_jacobian(&self, x: &[f64], out: &mut [f64], jac: &mut [f64]) -> Result<()> {
        let m = x.len();
        super::check_len("x", m, "out", out.len())?;
        super::check_len("x × parameters", m * 6, "jac", jac.len())?;
        let mut g = [0.0; 6];
        let mut put = |i: usize, v: f64, g: &[f64; 6]| {
            out[i] = v;
            for (j, &gj) in g.iter().enumerate() {
                jac[j * m + i] = gj;
            }
        };
        if self.sigma > 0.0 {
            let u = x.iter().map(|&xi| xi - self.center);
            let done = self.grid().convolve::<true>(u, |i, p| {
                let mut g = [0.0; 6];
                let v = self.normalise(p, &mut g);
                put(i, v, &g);
            });
            if done {
                return Ok(());
            }
        }
        for (i, &xi) in x.iter().enumerate() {
            let v = if self.sigma > 0.0 {
                self.quadrature(xi - self.center, &mut g)
            } else {
                self.value_and_gradient(xi, &mut g)
            };
            put(i, v, &g);
        }
        Ok(())
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
