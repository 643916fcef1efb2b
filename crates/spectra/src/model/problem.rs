//! The compiled peak model: residuals and the analytic Jacobian on a data grid.

use interphase_fit::{JacobianMut, Problem};

use crate::error::{Error, Result};
use crate::lineshape::{LineShape, MAX_PARAMS, Shape, ShapeKind};

/// Whether a shape parameter is a width (scaled by a doublet's `width_ratio`).
pub(crate) fn is_width(name: &str) -> bool {
    matches!(
        name,
        "fwhm" | "sigma" | "gamma" | "fwhm_g" | "fwhm_l" | "fwhm_left" | "fwhm_right" | "tau"
    )
}

#[derive(Debug, Clone)]
pub(crate) struct DoubletLayout {
    pub split: usize,
    pub ratio: usize,
    pub width_ratio: Option<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct PeakLayout {
    pub name: String,
    pub kind: ShapeKind,
    /// Index of the first shape parameter (`center`); `area` is the last.
    pub first: usize,
    pub n: usize,
    pub widths: [bool; MAX_PARAMS],
    pub doublet: Option<DoubletLayout>,
}

impl PeakLayout {
    /// The main component's shape at full parameter vector `p`.
    pub fn main(&self, p: &[f64]) -> Result<Shape> {
        Shape::from_parameters(self.kind, &p[self.first..self.first + self.n])
    }

    /// The partner's shape parameters at `p`.
    pub fn partner_params(&self, p: &[f64], d: &DoubletLayout) -> [f64; MAX_PARAMS] {
        let mut q = [0.0; MAX_PARAMS];
        q[..self.n].copy_from_slice(&p[self.first..self.first + self.n]);
        q[0] += p[d.split];
        if let Some(w) = d.width_ratio {
            for (qj, &is_w) in q[..self.n].iter_mut().zip(&self.widths) {
                if is_w {
                    *qj *= p[w];
                }
            }
        }
        q[self.n - 1] *= p[d.ratio];
        q
    }

    /// The partner's shape at `p`, when the peak is a doublet.
    pub fn partner(&self, p: &[f64]) -> Option<Result<Shape>> {
        self.doublet.as_ref().map(|d| {
            let q = self.partner_params(p, d);
            Shape::from_parameters(self.kind, &q[..self.n])
        })
    }

    /// Every parameter index this peak's value depends on.
    pub(crate) fn columns(&self) -> impl Iterator<Item = usize> + '_ {
        let d = self.doublet.as_ref();
        (self.first..self.first + self.n)
            .chain(d.map(|d| d.split))
            .chain(d.map(|d| d.ratio))
            .chain(d.and_then(|d| d.width_ratio))
    }
}

#[derive(Debug, Clone)]
pub(crate) enum BgLayout {
    None,
    /// Computed from the data once.
    Fixed(Vec<f64>),
    Poly {
        first: usize,
        n: usize,
    },
    Shirley {
        c0: usize,
        k: usize,
        c1: Option<usize>,
    },
    Tougaard {
        c0: usize,
        b: usize,
        /// Packed lower-triangular weights in sweep order: row j has j+1 entries.
        kernel: Vec<f64>,
    },
}

/// The most points an active Tougaard background accepts (its kernel is n²/2 numbers).
pub const MAX_TOUGAARD_POINTS: usize = 4096;

/// A peak model on one spectrum's grid: an [`interphase_fit::Problem`] whose
/// parameters are the model's, in [`PeakModel::parameter_names`](super::PeakModel::parameter_names) order.
///
/// Residuals are `wᵢ·(model(xᵢ) − yᵢ)` with `wᵢ = 1/σᵢ` (or 1); the Jacobian is
/// analytic, including the active Shirley and Tougaard backgrounds. Built by
/// [`PeakModel::problem_for`](super::PeakModel::problem_for); usable directly with
/// [`interphase_fit::fit`] or in an [`interphase_fit::GlobalProblem`].
#[derive(Debug, Clone)]
pub struct ModelProblem {
    pub(crate) x: Vec<f64>,
    pub(crate) y: Vec<f64>,
    pub(crate) w: Vec<f64>,
    /// x − x_mid.
    pub(crate) u: Vec<f64>,
    /// Indices from the no-loss end to the loss end.
    pub(crate) sweep: Vec<usize>,
    pub(crate) peaks: Vec<PeakLayout>,
    pub(crate) bg: BgLayout,
    pub(crate) n_params: usize,
}

impl ModelProblem {
    /// The x grid.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// The observed intensities.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// Cumulative trapezoidal integral of `f` from the no-loss end (in sweep order).
    pub(crate) fn cumulate(&self, f: &[f64], out: &mut [f64]) {
        let s = &self.sweep;
        out[s[0]] = 0.0;
        for j in 1..s.len() {
            let (a, b) = (s[j - 1], s[j]);
            out[b] = out[a] + 0.5 * (f[a] + f[b]) * (self.x[b] - self.x[a]).abs();
        }
    }

    /// `out = K · f` for the Tougaard kernel.
    pub(crate) fn tougaard_apply(&self, kernel: &[f64], f: &[f64], out: &mut [f64]) {
        let s = &self.sweep;
        let mut row = 0;
        for j in 0..s.len() {
            let mut acc = 0.0;
            for (q, &wq) in kernel[row..row + j + 1].iter().enumerate() {
                acc += wq * f[s[q]];
            }
            out[s[j]] = acc;
            row += j + 1;
        }
    }

    /// Sum of all peak components at `p` into `out` (overwritten).
    pub(crate) fn peaks_into(&self, p: &[f64], out: &mut [f64]) -> Result<()> {
        out.iter_mut().for_each(|v| *v = 0.0);
        let mut tmp = vec![0.0; self.x.len()];
        for pk in &self.peaks {
            let main = pk.main(p)?;
            main.eval_into(&self.x, &mut tmp)?;
            out.iter_mut().zip(&tmp).for_each(|(o, t)| *o += t);
            if let Some(partner) = pk.partner(p) {
                partner?.eval_into(&self.x, &mut tmp)?;
                out.iter_mut().zip(&tmp).for_each(|(o, t)| *o += t);
            }
        }
        Ok(())
    }

    /// Background at `p` given the peak sum `peaks`, into `out` (overwritten).
    pub(crate) fn background_into(&self, p: &[f64], peaks: &[f64], out: &mut [f64]) {
        match &self.bg {
            BgLayout::None => out.iter_mut().for_each(|v| *v = 0.0),
            BgLayout::Fixed(b) => out.copy_from_slice(b),
            BgLayout::Poly { first, n } => {
                for (o, &u) in out.iter_mut().zip(&self.u) {
                    // Horner
                    let mut acc = 0.0;
                    for k in (0..*n).rev() {
                        acc = acc * u + p[first + k];
                    }
                    *o = acc;
                }
            }
            BgLayout::Shirley { c0, k, c1 } => {
                self.cumulate(peaks, out);
                for (o, &u) in out.iter_mut().zip(&self.u) {
                    *o = p[*c0] + p[*k] * *o + c1.map_or(0.0, |c| p[c] * u);
                }
            }
            BgLayout::Tougaard { c0, b, kernel } => {
                self.tougaard_apply(kernel, peaks, out);
                for o in out.iter_mut() {
                    *o = p[*c0] + p[*b] * *o;
                }
            }
        }
    }

    /// Model intensities (background + peaks) at `p` into `out`.
    pub fn model_into(&self, p: &[f64], out: &mut [f64]) -> Result<()> {
        if p.len() != self.n_params || out.len() != self.x.len() {
            return Err(Error::Length {
                what: format!(
                    "{} parameters for a model of {}, output of {} for {} points",
                    p.len(),
                    self.n_params,
                    out.len(),
                    self.x.len()
                ),
            });
        }
        let mut peaks = vec![0.0; self.x.len()];
        self.peaks_into(p, &mut peaks)?;
        self.background_into(p, &peaks, out);
        for (o, v) in out.iter_mut().zip(&peaks) {
            *o += v;
        }
        Ok(())
    }
}

impl ModelProblem {
    /// Jacobian of an active background `scale · op(peaks)`: adds
    /// `scale · op(column)` to every peak-parameter column and writes
    /// `op(total)` into the column of `scale` (parameter `scale_col`).
    fn add_active_background(
        &self,
        jac: &mut JacobianMut<'_>,
        scale: f64,
        op: &dyn Fn(&[f64], &mut [f64]),
        total: &[f64],
        scale_col: usize,
    ) {
        let m = self.x.len();
        let (mut src, mut tmp) = (vec![0.0; m], vec![0.0; m]);
        for pk in &self.peaks {
            for c in pk.columns() {
                let col = jac.column(c);
                src.copy_from_slice(col);
                op(&src, &mut tmp);
                add(col, &tmp, scale);
            }
        }
        op(total, &mut tmp);
        jac.column(scale_col).copy_from_slice(&tmp);
    }
}

impl Problem for ModelProblem {
    fn n_residuals(&self) -> usize {
        self.x.len()
    }

    fn n_params(&self) -> Option<usize> {
        Some(self.n_params)
    }

    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        if self.model_into(p, out).is_err() {
            // parameters outside a shape's domain: a failed step for the solver
            out.iter_mut().for_each(|v| *v = f64::NAN);
            return;
        }
        for ((o, &y), &w) in out.iter_mut().zip(&self.y).zip(&self.w) {
            *o = w * (*o - y);
        }
    }

    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let m = self.x.len();
        let mut total = vec![0.0; m];
        let mut vals = vec![0.0; m];
        let mut g = vec![0.0; m * MAX_PARAMS];
        for pk in &self.peaks {
            let n = pk.n;
            let Ok(main) = pk.main(p) else { return false };
            if main
                .eval_with_jacobian(&self.x, &mut vals, &mut g[..m * n])
                .is_err()
            {
                return false;
            }
            total.iter_mut().zip(&vals).for_each(|(t, v)| *t += v);
            for j in 0..n {
                add(jac.column(pk.first + j), &g[j * m..(j + 1) * m], 1.0);
            }
            let Some(d) = &pk.doublet else { continue };
            let q = pk.partner_params(p, d);
            let Ok(partner) = Shape::from_parameters(pk.kind, &q[..n]) else {
                return false;
            };
            if partner
                .eval_with_jacobian(&self.x, &mut vals, &mut g[..m * n])
                .is_err()
            {
                return false;
            }
            total.iter_mut().zip(&vals).for_each(|(t, v)| *t += v);
            let wr = d.width_ratio.map_or(1.0, |w| p[w]);
            let ratio = p[d.ratio];
            let area = p[pk.first + n - 1];
            // center and splitting
            add(jac.column(pk.first), &g[..m], 1.0);
            add(jac.column(d.split), &g[..m], 1.0);
            for j in 1..n - 1 {
                let gj = &g[j * m..(j + 1) * m];
                if pk.widths[j] {
                    add(jac.column(pk.first + j), gj, wr);
                    if let Some(w) = d.width_ratio {
                        add(jac.column(w), gj, p[pk.first + j]);
                    }
                } else {
                    add(jac.column(pk.first + j), gj, 1.0);
                }
            }
            let ga = &g[(n - 1) * m..n * m];
            add(jac.column(pk.first + n - 1), ga, ratio);
            add(jac.column(d.ratio), ga, area);
        }
        // backgrounds
        match &self.bg {
            BgLayout::None | BgLayout::Fixed(_) => {}
            BgLayout::Poly { first, n } => {
                for k in 0..*n {
                    let col = jac.column(first + k);
                    for (c, &u) in col.iter_mut().zip(&self.u) {
                        *c = u.powi(k as i32);
                    }
                }
            }
            BgLayout::Shirley { c0, k, c1 } => {
                // ∂B/∂θ = k·∫∂P/∂θ for every peak parameter θ; ∂B/∂k = ∫P
                let op = |f: &[f64], out: &mut [f64]| self.cumulate(f, out);
                self.add_active_background(jac, p[*k], &op, &total, *k);
                jac.column(*c0).iter_mut().for_each(|v| *v = 1.0);
                if let Some(c1) = c1 {
                    jac.column(*c1).copy_from_slice(&self.u);
                }
            }
            BgLayout::Tougaard { c0, b, kernel } => {
                let op = |f: &[f64], out: &mut [f64]| self.tougaard_apply(kernel, f, out);
                self.add_active_background(jac, p[*b], &op, &total, *b);
                jac.column(*c0).iter_mut().for_each(|v| *v = 1.0);
            }
        }
        for j in 0..self.n_params {
            for (c, &w) in jac.column(j).iter_mut().zip(&self.w) {
                *c *= w;
            }
        }
        true
    }

    fn observed(&self) -> Option<&[f64]> {
        Some(&self.y)
    }

    fn weights(&self) -> Option<&[f64]> {
        Some(&self.w)
    }
}

/// `dst += s · src`.
#[inline]
fn add(dst: &mut [f64], src: &[f64], s: f64) {
    for (d, v) in dst.iter_mut().zip(src) {
        *d += s * v;
    }
}

/// Packed Tougaard kernel for the grid `x` visited in `sweep` order.
pub(crate) fn tougaard_kernel(x: &[f64], sweep: &[usize], c: f64, d: f64) -> Result<Vec<f64>> {
    let n = sweep.len();
    if n > MAX_TOUGAARD_POINTS {
        return Err(Error::Invalid(format!(
            "{n} points: the active Tougaard background is limited to {MAX_TOUGAARD_POINTS} (crop or resample)"
        )));
    }
    let k = |t: f64| {
        if d == 0.0 {
            t / (c + t * t).powi(2)
        } else {
            t / ((c - t * t).powi(2) + d * t * t)
        }
    };
    let dx = |q: usize| (x[sweep[q]] - x[sweep[q - 1]]).abs();
    let mut out = Vec::with_capacity(n * (n + 1) / 2);
    for j in 0..n {
        let e = x[sweep[j]];
        for q in 0..=j {
            let mut h = 0.0;
            if q >= 1 {
                h += 0.5 * dx(q);
            }
            if q < j {
                h += 0.5 * dx(q + 1);
            }
            out.push(k((x[sweep[q]] - e).abs()) * h);
        }
    }
    Ok(out)
}

/// Peak areas and the additive background coefficients (polynomial, the
/// constant and slope of a Shirley, the constant of a Tougaard) enter the
/// model linearly: `model = Σ areaᵢ·(gᵢ + k·op(gᵢ)) + background`, with `gᵢ`
/// the unit-area peak (main + ratio·partner for a doublet) and `op` the
/// active background's integral. The active backgrounds' scales `k`/`B`
/// multiply the areas and stay nonlinear.
impl interphase_fit::varpro::Separable for ModelProblem {
    fn linear_parameters(&self) -> Vec<usize> {
        let mut s: Vec<usize> = match &self.bg {
            BgLayout::None | BgLayout::Fixed(_) => Vec::new(),
            BgLayout::Poly { first, n } => (*first..first + n).collect(),
            BgLayout::Shirley { c0, c1, .. } => std::iter::once(*c0).chain(*c1).collect(),
            BgLayout::Tougaard { c0, .. } => vec![*c0],
        };
        s.extend(self.peaks.iter().map(|pk| pk.first + pk.n - 1));
        s
    }

    fn affine_parts(&self, p: &[f64], base: &mut [f64], columns: &mut [f64]) -> bool {
        let m = self.x.len();
        match &self.bg {
            BgLayout::Fixed(b) => {
                for (((o, &bi), &y), &w) in base.iter_mut().zip(b).zip(&self.y).zip(&self.w) {
                    *o = w * (bi - y);
                }
            }
            _ => {
                for ((o, &y), &w) in base.iter_mut().zip(&self.y).zip(&self.w) {
                    *o = -w * y;
                }
            }
        }
        let mut cols = columns.chunks_exact_mut(m);
        let mut next = || cols.next();
        match &self.bg {
            BgLayout::None | BgLayout::Fixed(_) => {}
            BgLayout::Poly { n, .. } => {
                for k in 0..*n {
                    let Some(col) = next() else { return false };
                    for ((c, &u), &w) in col.iter_mut().zip(&self.u).zip(&self.w) {
                        *c = w * u.powi(k as i32);
                    }
                }
            }
            BgLayout::Shirley { c1, .. } => {
                let Some(col) = next() else { return false };
                col.copy_from_slice(&self.w);
                if c1.is_some() {
                    let Some(col) = next() else { return false };
                    for ((c, &u), &w) in col.iter_mut().zip(&self.u).zip(&self.w) {
                        *c = w * u;
                    }
                }
            }
            BgLayout::Tougaard { .. } => {
                let Some(col) = next() else { return false };
                col.copy_from_slice(&self.w);
            }
        }
        let mut tmp = vec![0.0; m];
        let mut op = vec![0.0; m];
        for pk in &self.peaks {
            let Some(col) = next() else { return false };
            let n = pk.n;
            let mut q = [0.0; MAX_PARAMS];
            q[..n].copy_from_slice(&p[pk.first..pk.first + n]);
            q[n - 1] = 1.0;
            let Ok(main) = Shape::from_parameters(pk.kind, &q[..n]) else {
                return false;
            };
            if main.eval_into(&self.x, col).is_err() {
                return false;
            }
            if let Some(d) = &pk.doublet {
                let mut q = pk.partner_params(p, d);
                q[n - 1] = p[d.ratio];
                let Ok(partner) = Shape::from_parameters(pk.kind, &q[..n]) else {
                    return false;
                };
                if partner.eval_into(&self.x, &mut tmp).is_err() {
                    return false;
                }
                add(col, &tmp, 1.0);
            }
            match &self.bg {
                BgLayout::Shirley { k, .. } => {
                    self.cumulate(col, &mut op);
                    add(col, &op, p[*k]);
                }
                BgLayout::Tougaard { b, kernel, .. } => {
                    self.tougaard_apply(kernel, col, &mut op);
                    add(col, &op, p[*b]);
                }
                _ => {}
            }
            for (c, &w) in col.iter_mut().zip(&self.w) {
                *c *= w;
            }
        }
        true
    }
}
