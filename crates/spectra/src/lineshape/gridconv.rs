//! Gaussian convolution on a shared uniform grid: CasaXPS's LA(α, β) (with
//! its kink) and the Doniach–Šunjić profile (analytic on the real line).
//!
//! `g(u) = ∫ f(v)·N(u − v; σ) dv` with `f(v) = q(v)^(−α)` for v ≤ 0 and
//! `q(v)^(−β)` for v > 0, `q = 1 + v²/Γ²`, Γ = F/2, N the unit-area Gaussian.
//!
//! **Rule.** The trapezoid rule on the nodes `v_j = j·h`, with the kink v = 0 a
//! node and `h = min(Γ, σ)/6`, over the Gaussian window |u − v| ≤ 9σ (the kernel
//! beyond holds < 3e-19 of its mass). Each side's integrand `q^(−a)·N` is
//! analytic in the strip |Im v| < Γ, so away from the kink the rule's error is
//! of order `e^(−2πΓ/h) ≈ 4e-17` relative (Trefethen & Weideman, SIAM Rev. 56
//! (2014) 385, §5). At the kink the two sides' even derivatives differ
//! (Δf⁽ʲ⁾, j = 2, 4, 6, 8, from the binomial series of `(1 + w)^(−a)`), which
//! the Euler–Maclaurin formula of each half-line turns into the correction
//! `Σ_{k=2..5} B₂ₖ h²ᵏ/(2k)! · Δ(f·K)⁽²ᵏ⁻¹⁾(0)`, `K(v) = N(u − v)`, whose
//! derivatives are Hermite functions: `K⁽ᵐ⁾(0) = σ⁻ᵐ He_m(u/σ) N(u)`
//! (measured: the error near the centre is 1.8e-7 with k ≤ 4 and h = min/4,
//! 3e-9 with k ≤ 5 and h = min/5, 3e-10 with h = min/6). The f samples are taken
//! once per call and shared by every point, and so is a table of
//! exp(−m²h²/2σ²); a point's Gaussian weights are that table times a geometric
//! sequence (one `exp` per point, not per term), summed in four vector lanes.
//!
//! Accuracy: against mpmath (tests/refs/la.rs: 310 points, 0.55 ≤ α, β ≤ 4,
//! 0.05 ≤ Γ/σ ≤ 20, |u| ≤ 50σ) ≤ 1e-9 relative (tests/lineshapes.rs).

use std::cell::RefCell;

use crate::baseline::{PL, Pb, Quad};
use std::f64::consts::PI;

/// Half-width of the Gaussian window, in σ.
const WINDOW: f64 = 9.0;
/// Most grid terms per point (h = Γ/6 below Γ = 0.026σ would need more);
/// beyond, the caller's pointwise quadrature takes over.
const MAX_TERMS: f64 = 4096.0;
/// Most f samples in one call (4 × 8 B × 2²⁰ = 32 MiB at most per thread).
const MAX_SAMPLES: f64 = (1u64 << 20) as f64;

/// The unbroadened shape's parameters (F, α, β) and the Gaussian σ > 0.
#[derive(Debug, Clone, Copy)]
pub(super) struct LaGrid {
    pub fwhm: f64,
    pub alpha: f64,
    pub beta: f64,
    pub sigma: f64,
}

/// `g` and its partial derivatives at one point: `[g, ∂u, ∂σ, ∂₁, ∂₂, ∂₃]`
/// (for LA `[g, ∂u, ∂σ, ∂α, ∂β, ∂F]`, u = x − center).
pub(super) type Partials = [f64; 6];

thread_local! {
    /// f, ∂f/∂α, ∂f/∂β, ∂f/∂F samples, one block each, reused between calls.
    static SAMPLES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// Calls `sink(i, partials)` for every offset `u[i]` and returns true, where
/// `partials = [g, ∂g/∂u, ∂g/∂σ, Σ₁, Σ₂, Σ₃]` of `g(u) = ∫ f(v)·N(u − v; σ) dv`
/// by the trapezoid rule on the nodes `j·h` (module docs), `Σₖ` the same rule
/// applied to the k-th derivative sample (`sample(v, grad) = [f, ∂₁f, ∂₂f, ∂₃f]`,
/// the derivatives only where `grad`),
/// plus `kink`'s correction where there is one. Returns false without calling
/// `sink` where the grid would be too fine for the offsets' range (more than
/// 4096 terms a point or 2²⁰ samples) or an offset is not finite. With
/// `GRAD = false` only `partials[0]` is set.
pub(super) fn convolve<const GRAD: bool>(
    sigma: f64,
    h: f64,
    sample: impl Fn(f64, bool) -> [f64; 4],
    kink: Option<&Kink>,
    u: impl Iterator<Item = f64> + Clone,
    mut sink: impl FnMut(usize, &Partials),
) -> bool {
    let s = sigma;
    let win = WINDOW * s;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for ui in u.clone() {
        if !ui.is_finite() {
            return false;
        }
        lo = lo.min(ui);
        hi = hi.max(ui);
    }
    if lo > hi {
        return true;
    }
    let (jlo, jhi) = (((lo - win) / h).floor(), ((hi + win) / h).ceil());
    if !(2.0 * win / h <= MAX_TERMS && jhi - jlo < MAX_SAMPLES) {
        return false;
    }
    let j0 = jlo as i64;
    let n = (jhi - jlo) as usize + 1;
    SAMPLES.with(|cell| {
        let mut buf = cell.borrow_mut();
        // the number of terms of any point, plus the chunk's slack
        let terms = (2.0 * win / h) as usize + 1 + PL;
        // sample columns: the value, and with GRAD its three derivatives
        let cols = if GRAD { 4 } else { 1 };
        buf.clear();
        buf.resize(cols * n + terms, 0.0);
        for k in 0..n {
            let f = sample((j0 + k as i64) as f64 * h, GRAD);
            for (q, fq) in f.iter().enumerate().take(cols) {
                buf[q * n + k] = *fq;
            }
        }
        let inv2s2 = 0.5 / (s * s);
        for (m, e) in buf[cols * n..].iter_mut().enumerate() {
            let t = m as f64 * h;
            *e = (-t * t * inv2s2).exp();
        }
        let (samples, gauss) = buf.split_at(cols * n);
        let (fs, rest) = samples.split_at(n);
        // empty without GRAD (`Grid::point` reads them only with it)
        let (fa, rest) = rest.split_at(rest.len().min(n));
        let (fb, ff) = rest.split_at(rest.len().min(n));
        let c = h / (s * (2.0 * PI).sqrt());
        let grid = Grid {
            h,
            win,
            jlo,
            inv2s2,
        };
        crate::baseline::with_quad!(|q| {
            for (i, ui) in u.enumerate() {
                let mut p = grid.point::<GRAD, _>(q, ui, gauss, (fs, fa, fb, ff));
                if GRAD {
                    let g = c * p[0];
                    p = [
                        g,
                        -c * p[1] / (s * s),
                        (c * p[2] / (s * s) - g) / s,
                        c * p[3],
                        c * p[4],
                        c * p[5],
                    ];
                } else {
                    p[0] *= c;
                }
                if let Some(k) = kink {
                    k.add::<GRAD>(ui, &mut p);
                }
                sink(i, &p);
            }
        })
    });
    true
}

impl LaGrid {
    /// Grid step h = min(Γ, σ)/6.
    fn step(&self) -> f64 {
        (0.5 * self.fwhm).min(self.sigma) / 6.0
    }

    /// [`convolve`] of LA(α, β) with its kink correction: partials
    /// `[g, ∂u, ∂σ, ∂α, ∂β, ∂F]` (u = x − center). False where the grid
    /// would be too fine (Γ < 0.026σ, or more than 2²⁰ samples).
    pub(super) fn convolve<const GRAD: bool>(
        &self,
        u: impl Iterator<Item = f64> + Clone,
        sink: impl FnMut(usize, &Partials),
    ) -> bool {
        let h = self.step();
        let kink = Kink::new(self, h);
        convolve::<GRAD>(self.sigma, h, |v, _| self.sample(v), Some(&kink), u, sink)
    }

    /// `[f, ∂f/∂α, ∂f/∂β, ∂f/∂F]` at v.
    #[inline]
    fn sample(&self, v: f64) -> [f64; 4] {
        let gam = 0.5 * self.fwhm;
        let w = (v / gam) * (v / gam);
        let lnq = w.ln_1p();
        let e = if v <= 0.0 { self.alpha } else { self.beta };
        let f = (-e * lnq).exp();
        let da = if v <= 0.0 { -lnq * f } else { 0.0 };
        let db = if v > 0.0 { -lnq * f } else { 0.0 };
        [f, da, db, 2.0 * e * f * w / (self.fwhm * (1.0 + w))]
    }
}

/// The grid of one call and the constants of its Gaussian weights.
struct Grid {
    h: f64,
    win: f64,
    /// Index of the first sample.
    jlo: f64,
    inv2s2: f64,
}

impl Grid {
    /// The raw sums at offset u over the terms |u − j·h| ≤ 9σ, t = u − j·h,
    /// w = exp(−t²/2σ²): `[Σ w·f, Σ w·f·t, Σ w·f·t², Σ w·∂αf, Σ w·∂βf, Σ w·∂Ff]`
    /// (only the first without GRAD). With t_m = d₀ − m·h the weights are
    /// `w_m = exp(−d₀²/2σ²)·Gᵐ·E_m`, G = exp(h·d₀/σ²), E_m = exp(−m²h²/2σ²)
    /// from the call's table `gauss`: one `exp` per point, not per term, and
    /// a rounding error that grows as m (a plain two-factor recurrence grows
    /// as m², ~1e-11 at 700 terms, which central differences in σ could see).
    #[inline(always)]
    fn point<const GRAD: bool, Q: Quad>(
        &self,
        q: Q,
        u: f64,
        gauss: &[f64],
        (fs, fa, fb, ff): (&[f64], &[f64], &[f64], &[f64]),
    ) -> Partials {
        let (h, inv2s2) = (self.h, self.inv2s2);
        let ja = ((u - self.win) / h).ceil();
        let jb = ((u + self.win) / h).floor();
        let d0 = u - ja * h;
        let r = (ja - self.jlo) as usize..(jb - self.jlo) as usize + 1;
        let a = 2.0 * h * d0 * inv2s2;
        let b = -d0 * d0 * inv2s2;
        // lane l holds the terms m ≡ l mod 4
        let (e, g) = (b.exp(), a.exp());
        let g2 = g * g;
        let mut gm = q.load([e, e * g, e * g2, e * g2 * g]);
        let g4 = q.splat(g2 * g2);
        let zero = q.splat(0.0);
        let lanes = |v: Q::V| {
            let a = q.lanes(v);
            (a[0] + a[1]) + (a[2] + a[3])
        };
        let chunk = |s: &[f64]| -> Pb { [s[0], s[1], s[2], s[3]] };
        let mut out = [0.0; 6];
        let f0 = &fs[r.clone()];
        let full = f0.len() / PL * PL;
        if GRAD {
            let (f1, f2, f3) = (&fa[r.clone()], &fb[r.clone()], &ff[r]);
            let mut acc = [zero; 6];
            let mut t = q.load([d0, d0 - h, d0 - 2.0 * h, d0 - 3.0 * h]);
            let dt = q.splat(4.0 * h);
            let mut m = 0;
            while m < full {
                let w = q.mul(gm, q.load(chunk(&gauss[m..])));
                let wf = q.mul(w, q.load(chunk(&f0[m..])));
                let wft = q.mul(wf, t);
                acc[0] = q.add(acc[0], wf);
                acc[1] = q.add(acc[1], wft);
                acc[2] = q.add(acc[2], q.mul(wft, t));
                acc[3] = q.add(acc[3], q.mul(w, q.load(chunk(&f1[m..]))));
                acc[4] = q.add(acc[4], q.mul(w, q.load(chunk(&f2[m..]))));
                acc[5] = q.add(acc[5], q.mul(w, q.load(chunk(&f3[m..]))));
                gm = q.mul(gm, g4);
                t = q.sub(t, dt);
                m += PL;
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                *o = lanes(*a);
            }
            let (w, t) = (
                q.lanes(q.mul(gm, q.load(chunk(&gauss[full..])))),
                q.lanes(t),
            );
            for l in 0..f0.len() - full {
                let wf = w[l] * f0[full + l];
                out[0] += wf;
                out[1] += wf * t[l];
                out[2] += wf * t[l] * t[l];
                out[3] += w[l] * f1[full + l];
                out[4] += w[l] * f2[full + l];
                out[5] += w[l] * f3[full + l];
            }
        } else {
            let mut acc = zero;
            let mut m = 0;
            while m < full {
                let w = q.mul(gm, q.load(chunk(&gauss[m..])));
                acc = q.add(acc, q.mul(w, q.load(chunk(&f0[m..]))));
                gm = q.mul(gm, g4);
                m += PL;
            }
            out[0] = lanes(acc);
            let w = q.lanes(q.mul(gm, q.load(chunk(&gauss[full..]))));
            for l in 0..f0.len() - full {
                out[0] += w[l] * f0[full + l];
            }
        }
        out
    }
}

/// The Euler–Maclaurin correction at the kink v = 0 (module docs).
pub(super) struct Kink {
    sigma: f64,
    fwhm: f64,
    /// Δf⁽²⁾, Δf⁽⁴⁾, Δf⁽⁶⁾, Δf⁽⁸⁾ (right side minus left side) and their ∂α, ∂β.
    d: [f64; 4],
    da: [f64; 4],
    db: [f64; 4],
    /// Coefficients of P₁, P₃, P₅, P₇ for Δ₂; of P₁, P₃, P₅ for Δ₄; of P₁, P₃
    /// for Δ₆; of P₁ for Δ₈.
    c2: [f64; 4],
    c4: [f64; 3],
    c6: [f64; 2],
    c8: f64,
}

impl Kink {
    fn new(p: &LaGrid, h: f64) -> Kink {
        let g2 = 0.25 * p.fwhm * p.fwhm;
        let (g4, g6, g8) = (g2 * g2, g2 * g2 * g2, g2 * g2 * g2 * g2);
        let (a, b) = (p.alpha, p.beta);
        // f_a⁽²ⁿ⁾(0) = (2n)!·(−1)ⁿ·(a)ₙ/(n!·Γ²ⁿ), (a)ₙ the rising factorial
        let d2 = |e: f64| -2.0 * e / g2;
        let d4 = |e: f64| 12.0 * e * (e + 1.0) / g4;
        let d6 = |e: f64| -120.0 * e * (e + 1.0) * (e + 2.0) / g6;
        let d8 = |e: f64| 1680.0 * e * (e + 1.0) * (e + 2.0) * (e + 3.0) / g8;
        let dd2 = |_: f64| -2.0 / g2;
        let dd4 = |e: f64| 12.0 * (2.0 * e + 1.0) / g4;
        let dd6 = |e: f64| -120.0 * (3.0 * e * e + 6.0 * e + 2.0) / g6;
        let dd8 = |e: f64| 1680.0 * (((4.0 * e + 18.0) * e + 22.0) * e + 6.0) / g8;
        let h2 = h * h;
        let (h4, h6, h8, h10) = (
            h2 * h2,
            h2 * h2 * h2,
            h2 * h2 * h2 * h2,
            h2 * h2 * h2 * h2 * h2,
        );
        // B₂ₖ/(2k)!·C(2k − 1, j): k = 2: −1/720·[3]; k = 3: 1/30240·[10, 5];
        // k = 4: −1/1209600·[21, 35, 7]; k = 5: 1/47900160·[36, 126, 84, 9]
        Kink {
            sigma: p.sigma,
            fwhm: p.fwhm,
            d: [d2(b) - d2(a), d4(b) - d4(a), d6(b) - d6(a), d8(b) - d8(a)],
            da: [-dd2(a), -dd4(a), -dd6(a), -dd8(a)],
            db: [dd2(b), dd4(b), dd6(b), dd8(b)],
            c2: [-h4 / 240.0, h6 / 3024.0, -h8 / 57600.0, h10 / 1330560.0],
            c4: [h6 / 6048.0, -h8 / 34560.0, h10 / 380160.0],
            c6: [-h8 / 172800.0, h10 / 570240.0],
            c8: h10 / 5322240.0,
        }
    }

    /// Adds the correction (and, with GRAD, its partials) at u to `p`.
    #[inline]
    fn add<const GRAD: bool>(&self, u: f64, p: &mut Partials) {
        let s = self.sigma;
        let z = u / s;
        if z.abs() > WINDOW + 1.0 {
            return;
        }
        // P_m = σ⁻ᵐ·He_m(z)·N(u), m = 0..=9 (He by its three-term recurrence)
        let mut pm = [0.0; 10];
        let nu = (-0.5 * z * z).exp() / (s * (2.0 * PI).sqrt());
        let (mut he0, mut he1) = (1.0, z);
        pm[0] = nu;
        pm[1] = z * nu / s;
        let mut sm = 1.0 / s;
        for (m, slot) in pm.iter_mut().enumerate().skip(2) {
            let he2 = z * he1 - (m - 1) as f64 * he0;
            sm /= s;
            *slot = he2 * sm * nu;
            (he0, he1) = (he1, he2);
        }
        // E = Σ_j Δⱼ·Σ_m c_{j,m}·P_m; shifting P_m by k gives ∂u (k = 1: −P_{m+1})
        // and ∂σ (k = 2: σ·P_{m+2}, the heat equation ∂N/∂σ = σ·∂²N/∂u²)
        let q = |k: usize| -> [f64; 4] {
            let c2 = &self.c2;
            [
                c2[0] * pm[1 + k] + c2[1] * pm[3 + k] + c2[2] * pm[5 + k] + c2[3] * pm[7 + k],
                self.c4[0] * pm[1 + k] + self.c4[1] * pm[3 + k] + self.c4[2] * pm[5 + k],
                self.c6[0] * pm[1 + k] + self.c6[1] * pm[3 + k],
                self.c8 * pm[1 + k],
            ]
        };
        let dot = |a: &[f64; 4], b: &[f64; 4]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let q0 = q(0);
        p[0] += dot(&self.d, &q0);
        if GRAD {
            p[1] -= dot(&self.d, &q(1));
            p[2] += s * dot(&self.d, &q(2));
            p[3] += dot(&self.da, &q0);
            p[4] += dot(&self.db, &q0);
            // Δⱼ ∝ F⁻ʲ
            let jd: f64 = (0..4)
                .map(|j| 2.0 * (j + 1) as f64 * self.d[j] * q0[j])
                .sum();
            p[5] -= jd / self.fwhm;
        }
    }
}
