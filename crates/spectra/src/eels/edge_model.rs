//! Model-based core-loss quantification (power law + hydrogenic edges,
//! amounts by variable projection): see [`EdgeModel`].

use std::fmt;

use interphase_fit::varpro::{Separable, fit_separable};
use interphase_fit::{FitResult, JacobianMut, LmOptions, Parameters, Problem};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;

use super::crosssection::{HydrogenicEdge, Optics};
use super::lowloss::check_axis;
use super::quantify::{CrossSection, EdgeSpec, Ratio};

/// Options of [`EdgeModel`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EdgeModelOptions {
    /// Beam energy, collection and convergence angles (the effective
    /// collection angle at each onset is used when α > 0).
    pub optics: Optics,
    /// The fitting window, eV; `None`: the whole axis. It must hold at least
    /// 10 channels before the first onset (the background's own region).
    pub window_ev: Option<(f64, f64)>,
    /// The eV after each onset left out of the fit (near-edge structure the
    /// hydrogenic shape does not have); 0: none left out. With
    /// `fine_structure_knots` > 0 that region is fitted instead, with a
    /// spline added to each edge.
    pub fine_structure_ev: f64,
    /// Cubic B-splines added to each edge over its `fine_structure_ev`
    /// (uniform knots, every one zero at the onset and at the region's end),
    /// their coefficients solved linearly with the amounts — exspy's
    /// `fine_structure_active` with a spline. 0 (default): the region is
    /// left out instead. The knot spacing `fine_structure_ev`/(knots + 3)
    /// must be at least one channel.
    pub fine_structure_knots: usize,
    /// Counts per data unit (1 for counts), for the counting-noise weights.
    pub gain: f64,
}

impl EdgeModelOptions {
    /// The whole axis, no fine-structure region left out, gain 1.
    pub fn new(optics: Optics) -> Self {
        EdgeModelOptions {
            optics,
            window_ev: None,
            fine_structure_ev: 0.0,
            fine_structure_knots: 0,
            gain: 1.0,
        }
    }
}

/// Model-based core-loss quantification. The edges' shapes are computed once
/// on one energy axis and used for every spectrum of that axis (a spectrum
/// image's pixels). The spectrum over a fitting window
/// is modelled as a power-law background plus each edge's hydrogenic
/// differential cross-section scaled by its amount,
///
/// `I(E) = A·(E/E₀)^(−r) + Σₖ sₖ·(dσₖ/dE)(E)·δE`,
///
/// with E₀ the window's first energy, δE the channel width and sₖ = I_l·Nₖ
/// (counts per barn: the low-loss intensity times the areal density), as in
/// exspy's `EELSModel` with hydrogenic edges (Verbeeck & Van Aert,
/// Ultramicroscopy 101 (2004) 207, for the method). A, sₖ enter linearly and
/// are solved by variable projection ([`interphase_fit::varpro`]); r is the
/// one parameter searched. The fit is weighted for counting noise
/// (var yᵢ = max(yᵢ, 1/gain)/gain), and every amount, ratio and areal density
/// carries its standard error from the full covariance, so the correlation of
/// overlapping edges with the background and with each other is included.
///
/// Unlike edge integration ([`quantify`](super::quantify)), the whole window
/// is used, overlapping edges (an O K tail under a later edge) are separated,
/// and no integration window Δ is chosen. The hydrogenic shapes have no
/// near-edge structure: white lines (Ti L₃,₂) and ELNES are not in the model,
/// so `fine_structure_ev` can leave the first eV after each onset out of the
/// fit (0 by default, as exspy fits with fine structure inactive). The
/// cross-sections' own systematic error (5–20 %) is not included, as in
/// [`quantify`](super::quantify).
///
/// ```
/// use interphase_spectra::eels::{EdgeModel, EdgeModelOptions, HydrogenicEdge, Optics};
/// let optics = Optics { beam_kev: 200.0, beta_mrad: 20.0, alpha_mrad: 0.0 };
/// let edges = [HydrogenicEdge::lookup("Ti", "L23")?, HydrogenicEdge::lookup("O", "K")?];
/// let e: Vec<f64> = (0..800).map(|i| 400.0 + 0.5 * i as f64).collect();
/// let model = EdgeModel::new(&e, &edges, &EdgeModelOptions::new(optics))?;
/// // noise-free data of the model itself: Ti/O = 0.5
/// let y = model.evaluate(&[2e5, 3.5, 1e7, 2e7])?;
/// let q = model.fit(&y, None)?;
/// assert!((q.ratios[0].value.value - 0.5).abs() < 1e-8);
/// println!("{q}");
/// // a spectrum image: one model for the axis, a Ti/O map with its σ
/// use interphase_spectra::eels::SpectrumImage;
/// let data: Vec<f64> = (0..6).flat_map(|_| y.iter().copied()).collect();
/// let img = SpectrumImage::new(e.clone(), (2, 3), data)?;
/// let map = img.map_estimates(|_, y| Ok(model.fit(y, None)?.ratios[0].value));
/// assert!(map.failures.is_empty() && (map.value[5] - 0.5).abs() < 1e-8);
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EdgeModel {
    /// Indices of the channels fitted (in the given axis).
    channels: Vec<usize>,
    /// ln(E/E₀) of the channels fitted.
    ln_e: Vec<f64>,
    /// Per edge, (dσ/dE)·δE (barn per channel) on the channels fitted; then
    /// the fine-structure splines, if any (every column enters linearly).
    shapes: Vec<Vec<f64>>,
    /// The same on the whole axis (for [`EdgeModel::evaluate`]).
    full_shapes: Vec<Vec<f64>>,
    full_ln_e: Vec<f64>,
    labels: Vec<String>,
    /// Names of the fine-structure columns (`Ti L23.fs1`, …).
    fs_labels: Vec<String>,
    elements: Vec<String>,
    onsets: Vec<f64>,
    effective_beta: Vec<f64>,
    /// Channels (positions in `channels`) before the first onset.
    pre_edge: usize,
    n_axis: usize,
    gain: f64,
}

/// The hydrogenic edges of parsed edge specifications (`"Ti:L23,O:K"`),
/// for [`EdgeModel::new`]: an error for an edge with only a given
/// cross-section (its shape is unknown) or with a background window (the
/// model takes the background from the whole spectrum).
pub fn model_edges(specs: &[EdgeSpec]) -> Result<Vec<HydrogenicEdge>> {
    specs
        .iter()
        .map(|s| match (&s.cross_section, s.background_ev) {
            (CrossSection::Hydrogenic(h), None) => Ok(h.clone()),
            (CrossSection::Hydrogenic(h), Some(_)) => Err(Error::Invalid(format!(
                "a model fit takes its background from the whole spectrum: remove the background window [LO,HI] of {}",
                h.label()
            ))),
            (CrossSection::Given { label, .. }, _) => Err(Error::Invalid(format!(
                "a model fit needs each edge's shape: {label} has only a given cross-section; quantify it by edge integration"
            ))),
        })
        .collect()
}

/// One edge's amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeAmount {
    /// "Ti L23".
    pub label: String,
    /// Onset, eV.
    pub onset_ev: f64,
    /// s = I_l·N (counts per barn), ∝ atoms; with σ from the covariance.
    pub amount: Estimate,
    /// N (atoms/nm²), when the low-loss intensity I_l is given.
    pub areal_density: Option<Estimate>,
}

/// The outcome of [`EdgeModel::fit`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeModelFit {
    /// Per edge, in the order given.
    pub edges: Vec<EdgeAmount>,
    /// Every pair i < j: element i / element j, σ from the full covariance.
    pub ratios: Vec<Ratio>,
    /// The background prefactor A (at E₀, the window's first energy) and r.
    pub background: (Estimate, Estimate),
    /// The fit itself (parameters `bg.A`, `bg.r`, then each edge's label).
    pub fit: FitResult,
    /// The effective collection angle used for each edge, mrad.
    pub effective_beta_mrad: Vec<f64>,
}

impl fmt::Display for EdgeModelFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "[[EELS model]] power law r = {}, χ²_ν = {:.4}, {}",
            self.background.1,
            self.fit.reduced_chi_square,
            if self.fit.converged {
                "converged"
            } else {
                "NOT converged"
            }
        )?;
        for e in &self.edges {
            write!(
                f,
                "    {:<8} onset {:>7.1} eV  s = {}",
                e.label, e.onset_ev, e.amount
            )?;
            if let Some(n) = e.areal_density {
                write!(f, "  N = {n} atoms/nm²")?;
            }
            writeln!(f)?;
        }
        for r in &self.ratios {
            writeln!(f, "    {:<8} {}", r.label, r.value)?;
        }
        for w in &self.fit.warnings {
            writeln!(f, "    warning: {w}")?;
        }
        Ok(())
    }
}

impl EdgeModel {
    /// Computes the edges' differential cross-sections on `energy`
    /// (increasing, eV) for the optics given; errors for a bad axis or
    /// options, no edge, an onset outside the window, or fewer than 10
    /// channels before the first onset.
    pub fn new(
        energy: &[f64],
        edges: &[HydrogenicEdge],
        options: &EdgeModelOptions,
    ) -> Result<Self> {
        check_axis("EELS model", energy, energy)?;
        if edges.is_empty() {
            return Err(Error::Invalid("EELS model: no edge given".into()));
        }
        if !(options.gain.is_finite() && options.gain > 0.0) {
            return Err(Error::Invalid(format!(
                "EELS model: gain {} must be finite and > 0",
                options.gain
            )));
        }
        if !(options.fine_structure_ev.is_finite() && options.fine_structure_ev >= 0.0) {
            return Err(Error::Invalid(format!(
                "EELS model: fine_structure_ev {} must be finite and ≥ 0",
                options.fine_structure_ev
            )));
        }
        let n = energy.len();
        let (lo, hi) = options.window_ev.unwrap_or((energy[0], energy[n - 1]));
        if !(lo.is_finite() && hi.is_finite() && lo < hi && lo > 0.0) {
            return Err(Error::Invalid(format!(
                "EELS model: window {lo}–{hi} eV must be finite, positive and increasing"
            )));
        }
        let mut onsets = Vec::with_capacity(edges.len());
        for e in edges {
            if !(e.onset_ev > lo && e.onset_ev < hi) {
                return Err(Error::Invalid(format!(
                    "EELS model: the {} onset at {} eV is outside the window {lo}–{hi} eV",
                    e.label(),
                    e.onset_ev
                )));
            }
            onsets.push(e.onset_ev);
        }
        let first = onsets.iter().copied().fold(f64::INFINITY, f64::min);
        let knots = options.fine_structure_knots;
        if knots > 0 && options.fine_structure_ev <= 0.0 {
            return Err(Error::Invalid(format!(
                "EELS model: {knots} fine-structure knots need a fine-structure region (fine_structure_ev > 0)"
            )));
        }
        let in_fine = |x: f64| {
            knots == 0
                && options.fine_structure_ev > 0.0
                && onsets
                    .iter()
                    .any(|&o| x >= o && x < o + options.fine_structure_ev)
        };
        let channels: Vec<usize> = (0..n)
            .filter(|&i| energy[i] >= lo && energy[i] <= hi && !in_fine(energy[i]))
            .collect();
        let pre_edge = channels.iter().filter(|&&i| energy[i] < first).count();
        if pre_edge < 10 {
            return Err(Error::Invalid(format!(
                "EELS model: {pre_edge} channels between {lo} eV and the first onset at {first} eV; the background needs at least 10"
            )));
        }
        if channels.len() < pre_edge + (2 + knots) * edges.len() {
            return Err(Error::Invalid(format!(
                "EELS model: {} channels fitted for {} edges ({knots} fine-structure knots each)",
                channels.len(),
                edges.len()
            )));
        }
        let e0 = energy[channels[0]];
        let width = |i: usize| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
            (energy[b] - energy[a]) / (b - a) as f64
        };
        let mut full_shapes = Vec::with_capacity(edges.len());
        let mut effective_beta = Vec::with_capacity(edges.len());
        for e in edges {
            let beta = options.optics.effective_beta_mrad(e.onset_ev)?;
            effective_beta.push(beta);
            let mut s = vec![0.0; n];
            for (i, v) in s.iter_mut().enumerate() {
                if energy[i] >= e.onset_ev && energy[i] > 0.0 {
                    *v = e.differential_cross_section(energy[i], options.optics.beam_kev, beta)?
                        * width(i);
                }
            }
            full_shapes.push(s);
        }
        // fine-structure splines: cubic B-splines of spacing h = W/(k + 3)
        // centred at onset + (j + 2)h, j = 0 … k−1, so that each vanishes
        // outside [onset, onset + W]
        let mut fs_labels = Vec::new();
        if knots > 0 {
            let h = options.fine_structure_ev / (knots + 3) as f64;
            let step = (energy[n - 1] - energy[0]) / (n - 1) as f64;
            if h < step {
                return Err(Error::Invalid(format!(
                    "EELS model: {knots} fine-structure knots over {} eV are {h:.3} eV apart, closer than the channels ({step:.3} eV); use at most {}",
                    options.fine_structure_ev,
                    ((options.fine_structure_ev / step).floor() as usize).saturating_sub(3)
                )));
            }
            for e in edges {
                for j in 0..knots {
                    let t = e.onset_ev + (j + 2) as f64 * h;
                    full_shapes.push(energy.iter().map(|&x| cubic_bspline((x - t) / h)).collect());
                    fs_labels.push(format!("{}.fs{}", e.label(), j + 1));
                }
            }
        }
        let shapes = full_shapes
            .iter()
            .map(|s| channels.iter().map(|&i| s[i]).collect())
            .collect();
        Ok(EdgeModel {
            ln_e: channels.iter().map(|&i| (energy[i] / e0).ln()).collect(),
            full_ln_e: energy.iter().map(|&x| (x / e0).ln()).collect(),
            channels,
            shapes,
            full_shapes,
            labels: edges.iter().map(HydrogenicEdge::label).collect(),
            fs_labels,
            elements: edges.iter().map(|e| e.element.clone()).collect(),
            onsets,
            effective_beta,
            pre_edge,
            n_axis: n,
            gain: options.gain,
        })
    }

    /// Parameter names: `bg.A`, `bg.r`, then each edge's label, then the
    /// fine-structure coefficients (`Ti L23.fs1` …) if any.
    pub fn parameter_names(&self) -> Vec<String> {
        let mut v = vec!["bg.A".to_string(), "bg.r".to_string()];
        v.extend(self.labels.iter().cloned());
        v.extend(self.fs_labels.iter().cloned());
        v
    }

    /// The model on the whole axis for parameters `[A, r, s₁, …]` (then the
    /// fine-structure coefficients, in [`EdgeModel::parameter_names`] order).
    pub fn evaluate(&self, p: &[f64]) -> Result<Vec<f64>> {
        if p.len() != 2 + self.shapes.len() || p.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "EELS model: {} parameters given ({} finite values needed: A, r, one amount per edge and the fine-structure coefficients)",
                p.len(),
                2 + self.shapes.len()
            )));
        }
        Ok((0..self.n_axis)
            .map(|i| {
                p[0] * (-p[1] * self.full_ln_e[i]).exp()
                    + self
                        .full_shapes
                        .iter()
                        .zip(&p[2..])
                        .map(|(s, a)| a * s[i])
                        .sum::<f64>()
            })
            .collect())
    }

    /// Fits one spectrum (on the axis the model was made for); `low_loss`
    /// (I_l, counts up to the same data units) gives areal densities.
    pub fn fit(&self, y: &[f64], low_loss: Option<Estimate>) -> Result<EdgeModelFit> {
        if y.len() != self.n_axis {
            return Err(Error::Invalid(format!(
                "EELS model: {} intensities for an axis of {} channels",
                y.len(),
                self.n_axis
            )));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "EELS model: intensity {i} is {}",
                y[i]
            )));
        }
        if let Some(l) = low_loss
            && !(l.value.is_finite() && l.value > 0.0)
        {
            return Err(Error::Invalid(format!(
                "EELS model: low-loss intensity {} must be finite and > 0",
                l.value
            )));
        }
        let yy: Vec<f64> = self.channels.iter().map(|&i| y[i]).collect();
        let floor = 1.0 / self.gain;
        let w: Vec<f64> = yy
            .iter()
            .map(|&v| (self.gain / v.max(floor)).sqrt())
            .collect();
        // start: r from the pre-edge's two halves (two-area estimate)
        let half = self.pre_edge / 2;
        let mean = |a: usize, b: usize| {
            let (s, l) = (a..b).fold((0.0, 0.0), |(s, l), k| (s + yy[k], l + self.ln_e[k]));
            (s / (b - a) as f64, l / (b - a) as f64)
        };
        let (y1, l1) = mean(0, half);
        let (y2, l2) = mean(half, self.pre_edge);
        let r0 = if y1 > 0.0 && y2 > 0.0 && l2 > l1 {
            (-(y2 / y1).ln() / (l2 - l1)).clamp(0.5, 8.0)
        } else {
            3.0
        };
        let names = self.parameter_names();
        let mut start: Vec<(&str, f64)> = vec![("bg.A", y1.max(floor)), ("bg.r", r0)];
        for l in self.labels.iter().chain(&self.fs_labels) {
            start.push((l.as_str(), 0.0));
        }
        let params = Parameters::from_values(&start)?;
        let problem = EdgeProblem {
            model: self,
            y: &yy,
            w: &w,
        };
        let fit = fit_separable(&problem, &params, &LmOptions::default())?;
        let est = |name: &str| -> Result<Estimate> {
            let p = fit.param(name).ok_or_else(|| {
                Error::Invalid(format!("EELS model: no parameter {name} in the fit"))
            })?;
            Ok(Estimate {
                value: p.value,
                stderr: p.stderr,
            })
        };
        let mut edges = Vec::with_capacity(self.labels.len());
        for (k, label) in self.labels.iter().enumerate() {
            let amount = est(label)?;
            let areal_density = low_loss.map(|l| {
                // atoms/barn → atoms/nm²: 1 barn = 1e-10 nm²
                let v = amount.value / l.value * 1e10;
                let rel2 = amount.stderr.map(|s| (s / amount.value).powi(2));
                let lrel2 = l.stderr.map_or(0.0, |s| (s / l.value).powi(2));
                Estimate {
                    value: v,
                    stderr: rel2.map(|r| v.abs() * (r + lrel2).sqrt()),
                }
            });
            edges.push(EdgeAmount {
                label: label.clone(),
                onset_ev: self.onsets[k],
                amount,
                areal_density,
            });
        }
        let mut ratios = Vec::new();
        for i in 0..self.labels.len() {
            for j in i + 1..self.labels.len() {
                let d = fit.derived(&[&names[2 + i], &names[2 + j]], |p| p[0] / p[1]);
                let value = match d {
                    Ok(d) => Estimate {
                        value: d.value,
                        stderr: d.stderr,
                    },
                    Err(_) => Estimate {
                        value: f64::NAN,
                        stderr: None,
                    },
                };
                ratios.push(Ratio {
                    label: format!("{}/{}", self.elements[i], self.elements[j]),
                    value,
                });
            }
        }
        Ok(EdgeModelFit {
            edges,
            ratios,
            background: (est("bg.A")?, est("bg.r")?),
            fit,
            effective_beta_mrad: self.effective_beta.clone(),
        })
    }
}

/// The uniform cubic B-spline of unit spacing at u (support |u| < 2, peak
/// 2/3 at 0; de Boor, *A Practical Guide to Splines*).
fn cubic_bspline(u: f64) -> f64 {
    let a = u.abs();
    if a < 1.0 {
        (4.0 - 6.0 * a * a + 3.0 * a * a * a) / 6.0
    } else if a < 2.0 {
        (2.0 - a).powi(3) / 6.0
    } else {
        0.0
    }
}

/// One spectrum's weighted residuals, (model − y)·w.
struct EdgeProblem<'a> {
    model: &'a EdgeModel,
    y: &'a [f64],
    w: &'a [f64],
}

impl Problem for EdgeProblem<'_> {
    fn n_residuals(&self) -> usize {
        self.y.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(2 + self.model.shapes.len())
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let mut v = p[0] * (-p[1] * self.model.ln_e[i]).exp() - self.y[i];
            for (s, a) in self.model.shapes.iter().zip(&p[2..]) {
                v += a * s[i];
            }
            *o = v * self.w[i];
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let (ln_e, w) = (&self.model.ln_e, self.w);
        for ((c, &l), &wi) in jac.column(0).iter_mut().zip(ln_e).zip(w) {
            *c = (-p[1] * l).exp() * wi;
        }
        for ((c, &l), &wi) in jac.column(1).iter_mut().zip(ln_e).zip(w) {
            *c = -p[0] * l * (-p[1] * l).exp() * wi;
        }
        for (k, s) in self.model.shapes.iter().enumerate() {
            for ((c, &v), &wi) in jac.column(2 + k).iter_mut().zip(s).zip(w) {
                *c = v * wi;
            }
        }
        true
    }
    fn observed(&self) -> Option<&[f64]> {
        Some(self.y)
    }
    fn weights(&self) -> Option<&[f64]> {
        Some(self.w)
    }
}

impl Separable for EdgeProblem<'_> {
    fn linear_parameters(&self) -> Vec<usize> {
        let mut v = vec![0];
        v.extend(2..2 + self.model.shapes.len());
        v
    }
    fn affine_parts(&self, p: &[f64], base: &mut [f64], columns: &mut [f64]) -> bool {
        let m = self.y.len();
        for i in 0..m {
            base[i] = -self.y[i] * self.w[i];
            columns[i] = (-p[1] * self.model.ln_e[i]).exp() * self.w[i];
        }
        for (k, s) in self.model.shapes.iter().enumerate() {
            let c = &mut columns[(k + 1) * m..(k + 2) * m];
            for i in 0..m {
                c[i] = s[i] * self.w[i];
            }
        }
        true
    }
}
