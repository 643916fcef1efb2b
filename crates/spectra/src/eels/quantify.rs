//! Core-loss quantification by edge integration (Egerton 2011, §4.5.1):
//! for each edge, a power-law background is fitted over a pre-edge window and
//! subtracted, the net counts are summed over Δ eV from the onset, and
//!
//! - the atomic ratio of two elements is N_a/N_b = (S_a/σ_a)/(S_b/σ_b), with
//!   σ the partial cross-sections σ(β, Δ) (hydrogenic, [`HydrogenicEdge`], or
//!   given);
//! - the areal density (atoms/nm²) is N = S/(I_l σ), where I_l is the
//!   low-loss intensity summed up to Δ eV, zero-loss peak included, from a
//!   low-loss spectrum recorded with the same β and dwell-normalised counts.
//!
//! Counts are sums over channels (the data are counts per channel), not
//! integrals in eV, so core-loss and low-loss may have different dispersions.
//!
//! Uncertainties (counting statistics, `gain` counts per data unit):
//! - the background is a weighted least-squares fit of ln I = ln A − r ln E
//!   with wᵢ = gain·Iᵢ (var ln I = 1/(gain·I) for Poisson counts); its
//!   covariance is scaled by max(1, χ²_red) so that a pre-edge that a power
//!   law does not follow widens the error rather than hiding it;
//! - var S = Σ Iᵢ/gain over the signal window (Poisson) + gᵀCg, the error of
//!   the extrapolated background with g its gradient in (ln A, r) — the
//!   exact form of Egerton's h-factor estimate;
//! - ratios and densities add relative variances, windows taken as
//!   independent (they share no channels unless a pre-edge window reaches
//!   into another edge's signal window, which [`QuantDesign::new`] reports in
//!   `overlaps`).
//!
//! The cross-sections' own systematic error (5–20 %, see
//! [`HydrogenicEdge`]) is not included: it is the same for every pixel and
//! largely cancels in maps of ratios.
//!
//! ```
//! use interphase_spectra::eels::{quantify, EdgeSpec, Optics, QuantifyOptions};
//! // a power-law background with O K and Ti L2,3-like steps of known size
//! let e: Vec<f64> = (0..2000).map(|i| 380.0 + 0.25 * i as f64).collect();
//! let step = |x: f64, at: f64, h: f64| if x >= at { h * (at / x).powi(2) } else { 0.0 };
//! let y: Vec<f64> = e.iter().map(|&x| 1e12 * x.powf(-3.0) + step(x, 456.0, 400.0) + step(x, 532.0, 300.0)).collect();
//! let options = QuantifyOptions {
//!     optics: Optics { beam_kev: 200.0, beta_mrad: 20.0, alpha_mrad: 0.0 },
//!     delta_ev: 50.0,
//!     gain: 1.0,
//! };
//! let edges = [EdgeSpec::hydrogenic("Ti", "L23")?, EdgeSpec::hydrogenic("O", "K")?];
//! let q = quantify(&e, &y, &edges, &options, None)?;
//! assert_eq!(q.ratios[0].label, "Ti/O");
//! println!("{}", q);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use std::fmt;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;

use super::crosssection::{HydrogenicEdge, Optics};
use super::image::{Map, RowMaps, SpectrumImage};
use super::lowloss::check_axis;
use super::{PowerLaw, pre_edge_window_xy};

/// Where an edge's cross-section comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CrossSection {
    /// Computed with the hydrogenic model for the optics and Δ in use.
    Hydrogenic(HydrogenicEdge),
    /// Given by the user (barn per atom, for the β and Δ in use): M, N edges,
    /// Hartree–Slater or measured values.
    Given {
        /// Element or label ("La M45").
        label: String,
        /// Onset, eV.
        onset_ev: f64,
        /// σ(β, Δ), barn.
        barn: f64,
    },
}

/// One edge to quantify.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeSpec {
    /// Its cross-section.
    pub cross_section: CrossSection,
    /// Pre-edge background window, eV; `None`: [`pre_edge_window_xy`].
    pub background_ev: Option<(f64, f64)>,
}

impl EdgeSpec {
    /// A tabulated hydrogenic edge ("Ti", "L23"), automatic background window.
    pub fn hydrogenic(element: &str, shell: &str) -> Result<Self> {
        Ok(EdgeSpec {
            cross_section: CrossSection::Hydrogenic(HydrogenicEdge::lookup(element, shell)?),
            background_ev: None,
        })
    }

    /// Parses "Ti:L23", "O:K", or "La:M45@832=1234.5" (a given cross-section
    /// of 1234.5 barn for an edge at 832 eV), optionally with a background
    /// window `"Ti:L23[400,445]"`.
    pub fn parse(spec: &str) -> Result<Self> {
        let s = spec.trim();
        let (body, window) = match s.find('[') {
            Some(i) => {
                let w = s[i + 1..].strip_suffix(']').ok_or_else(|| {
                    Error::Invalid(format!(
                        "edge '{spec}': a background window is written [LO,HI]"
                    ))
                })?;
                let (a, b) = w.split_once(',').ok_or_else(|| {
                    Error::Invalid(format!(
                        "edge '{spec}': background window '[{w}]' must be [LO,HI] in eV"
                    ))
                })?;
                let num = |t: &str| {
                    t.trim().parse::<f64>().map_err(|_| {
                        Error::Invalid(format!(
                            "edge '{spec}': '{t}' in the background window is not a number"
                        ))
                    })
                };
                (&s[..i], Some((num(a)?, num(b)?)))
            }
            None => (s, None),
        };
        let (element, rest) = body.split_once(':').ok_or_else(|| {
            Error::Invalid(format!(
                "edge '{spec}': write ELEMENT:SHELL, e.g. Ti:L23 or O:K (or La:M45@832=1500 with a cross-section in barn)"
            ))
        })?;
        let mut out = match rest.split_once('@') {
            None => EdgeSpec::hydrogenic(element, rest)?,
            Some((shell, given)) => {
                let (onset, barn) = given.split_once('=').ok_or_else(|| {
                    Error::Invalid(format!(
                        "edge '{spec}': a given cross-section is written SHELL@ONSET_EV=BARN"
                    ))
                })?;
                let onset: f64 = onset.trim().parse().map_err(|_| {
                    Error::Invalid(format!(
                        "edge '{spec}': onset '{onset}' is not a number (eV)"
                    ))
                })?;
                let barn: f64 = barn.trim().parse().map_err(|_| {
                    Error::Invalid(format!(
                        "edge '{spec}': cross-section '{barn}' is not a number (barn)"
                    ))
                })?;
                EdgeSpec {
                    cross_section: CrossSection::Given {
                        label: format!("{} {}", element.trim(), shell.trim()),
                        onset_ev: onset,
                        barn,
                    },
                    background_ev: None,
                }
            }
        };
        out.background_ev = window;
        Ok(out)
    }

    /// Parses a comma-separated list of [`EdgeSpec::parse`] specs (`"Ti:L23,
    /// O:K[470,520]"`: commas inside brackets belong to the window).
    pub fn parse_list(list: &str) -> Result<Vec<Self>> {
        let (mut parts, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
        for ch in list.chars() {
            match ch {
                '[' => depth += 1,
                ']' => depth -= 1,
                ',' if depth <= 0 => {
                    parts.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(ch);
        }
        parts.push(cur);
        let edges: Vec<Self> = parts
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| EdgeSpec::parse(p))
            .collect::<Result<_>>()?;
        if edges.is_empty() {
            return Err(Error::Invalid(format!(
                "no edge in '{list}' (write e.g. Ti:L23,O:K)"
            )));
        }
        Ok(edges)
    }

    fn label(&self) -> String {
        match &self.cross_section {
            CrossSection::Hydrogenic(e) => e.label(),
            CrossSection::Given { label, .. } => label.clone(),
        }
    }

    fn element(&self) -> String {
        self.label()
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    }

    fn onset(&self) -> f64 {
        match &self.cross_section {
            CrossSection::Hydrogenic(e) => e.onset_ev,
            CrossSection::Given { onset_ev, .. } => *onset_ev,
        }
    }
}

/// Options of [`quantify`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantifyOptions {
    /// Beam energy and angles.
    pub optics: Optics,
    /// Integration window Δ after each onset, eV (Egerton advises 30–100).
    pub delta_ev: f64,
    /// Counts per data unit (1 for spectra in electron counts), for the
    /// Poisson errors.
    pub gain: f64,
}

/// The result for one edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeResult {
    /// "Ti L23".
    pub label: String,
    /// Onset, eV.
    pub onset_ev: f64,
    /// Signal window, eV.
    pub window_ev: (f64, f64),
    /// The fitted pre-edge power law.
    pub background: PowerLaw,
    /// Net counts S over the window, with σ.
    pub signal: Estimate,
    /// σ(β, Δ), barn.
    pub cross_section_barn: f64,
    /// S/σ (counts per barn), ∝ atoms; with σ.
    pub relative_amount: Estimate,
    /// Areal density, atoms/nm², when a low-loss intensity was given.
    pub areal_density: Option<Estimate>,
}

/// An atomic ratio of two edges' elements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    /// "Ti/O".
    pub label: String,
    /// N_a/N_b with σ.
    pub value: Estimate,
}

/// The quantification of one spectrum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantification {
    /// Per edge, in the order given.
    pub edges: Vec<EdgeResult>,
    /// Every pair i < j of the edges given: element i / element j.
    pub ratios: Vec<Ratio>,
    /// The effective collection angle used, mrad (β when α = 0), per edge.
    pub effective_beta_mrad: Vec<f64>,
}

impl fmt::Display for Quantification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.edges {
            write!(
                f,
                "{:<8} {:>7.1}–{:<7.1} eV  S = {}  σ = {:.4e} barn",
                e.label, e.window_ev.0, e.window_ev.1, e.signal, e.cross_section_barn
            )?;
            if let Some(n) = e.areal_density {
                write!(f, "  N = {n} /nm²")?;
            }
            writeln!(f)?;
        }
        for r in &self.ratios {
            writeln!(f, "{:<8} {}", r.label, r.value)?;
        }
        Ok(())
    }
}

/// One edge prepared for an energy axis.
#[derive(Debug, Clone)]
struct Prepared {
    label: String,
    element: String,
    onset: f64,
    bg: (usize, usize),
    bg_ev: (f64, f64),
    sig: (usize, usize),
    /// (first, last, step) eV when the signal window's channels are evenly
    /// spaced: background sums in closed form (Euler–Maclaurin).
    uniform: Option<(f64, f64, f64)>,
    sigma_barn: f64,
}

/// Everything of a quantification that depends on the axis and options but
/// not on the counts: build once, apply to every pixel.
#[derive(Debug, Clone)]
pub struct QuantDesign {
    ln_e: Vec<f64>,
    edges: Vec<Prepared>,
    options: QuantifyOptions,
    effective_beta: Vec<f64>,
    /// Pairs (i, j) where edge i's pre-edge window reaches into edge j's
    /// signal window (their errors are then correlated, which the reported
    /// σ of ratios ignores).
    pub overlaps: Vec<(usize, usize)>,
}

fn index_range(energy: &[f64], lo: f64, hi: f64, inclusive: bool) -> (usize, usize) {
    let a = energy.partition_point(|&e| e < lo);
    let b = if inclusive {
        energy.partition_point(|&e| e <= hi)
    } else {
        energy.partition_point(|&e| e < hi)
    };
    (a, b.max(a))
}

impl QuantDesign {
    /// Prepares `edges` on `energy` (eV, increasing): background and signal
    /// windows as channel ranges, cross-sections for the optics and Δ.
    pub fn new(energy: &[f64], edges: &[EdgeSpec], options: &QuantifyOptions) -> Result<Self> {
        check_axis("quantification", energy, &vec![0.0; energy.len()])?;
        if edges.is_empty() {
            return Err(Error::Invalid("quantification: no edges given".into()));
        }
        if !(options.delta_ev.is_finite() && options.delta_ev > 0.0) {
            return Err(Error::Invalid(format!(
                "integration window Δ = {} eV must be finite and > 0",
                options.delta_ev
            )));
        }
        if !(options.gain.is_finite() && options.gain > 0.0) {
            return Err(Error::Invalid(format!(
                "gain {} counts per unit must be finite and > 0",
                options.gain
            )));
        }
        if energy[0] <= 0.0 {
            return Err(Error::Invalid(format!(
                "quantification needs energy losses > 0 (a core-loss spectrum); the axis starts at {} eV",
                energy[0]
            )));
        }
        let last = energy[energy.len() - 1];
        let step = (last - energy[0]) / (energy.len() - 1) as f64;
        let mut prepared = Vec::with_capacity(edges.len());
        let mut effective_beta = Vec::with_capacity(edges.len());
        for spec in edges {
            let label = spec.label();
            let onset = spec.onset();
            let hi = onset + options.delta_ev;
            if onset < energy[0] || hi > last + step {
                return Err(Error::Invalid(format!(
                    "{label}: the signal window {onset}..{hi} eV is not inside the spectrum ({}..{last} eV); record more or choose a smaller Δ",
                    energy[0]
                )));
            }
            let bg_ev = match spec.background_ev {
                Some((a, b)) => {
                    if !(a.is_finite() && b.is_finite() && a < b && b <= onset) {
                        return Err(Error::Invalid(format!(
                            "{label}: background window ({a}, {b}) eV must have start < end ≤ the onset {onset} eV"
                        )));
                    }
                    (a, b)
                }
                None => pre_edge_window_xy(energy, onset)
                    .map_err(|e| Error::Invalid(format!("{label}: {e}")))?,
            };
            let bg = index_range(energy, bg_ev.0, bg_ev.1, true);
            if bg.1 - bg.0 < 3 {
                return Err(Error::Invalid(format!(
                    "{label}: the background window {}..{} eV holds {} channels; at least 3 are needed",
                    bg_ev.0,
                    bg_ev.1,
                    bg.1 - bg.0
                )));
            }
            let sig = index_range(energy, onset, hi, false);
            if sig.1 == sig.0 {
                return Err(Error::Invalid(format!(
                    "{label}: no channel in the signal window {onset}..{hi} eV"
                )));
            }
            let sigma_barn = match &spec.cross_section {
                CrossSection::Hydrogenic(edge) => {
                    edge.partial_cross_section(&options.optics, options.delta_ev)?
                }
                CrossSection::Given { barn, .. } => {
                    if !(barn.is_finite() && *barn > 0.0) {
                        return Err(Error::Invalid(format!(
                            "{label}: cross-section {barn} barn must be finite and > 0"
                        )));
                    }
                    *barn
                }
            };
            effective_beta.push(options.optics.effective_beta_mrad(onset)?);
            let es = &energy[sig.0..sig.1];
            let m = es.len();
            let uniform = if m >= 3 {
                let h = (es[m - 1] - es[0]) / (m - 1) as f64;
                es.iter()
                    .enumerate()
                    .all(|(i, &e)| (e - (es[0] + i as f64 * h)).abs() <= 1e-9 * h)
                    .then_some((es[0], es[m - 1], h))
            } else {
                None
            };
            prepared.push(Prepared {
                label,
                element: spec.element(),
                onset,
                bg,
                bg_ev,
                sig,
                uniform,
                sigma_barn,
            });
        }
        let mut overlaps = Vec::new();
        for (i, a) in prepared.iter().enumerate() {
            for (j, b) in prepared.iter().enumerate() {
                if i != j && a.bg.0 < b.sig.1 && b.sig.0 < a.bg.1 {
                    overlaps.push((i, j));
                }
            }
        }
        Ok(QuantDesign {
            ln_e: energy.iter().map(|e| e.ln()).collect(),
            edges: prepared,
            options: *options,
            effective_beta,
            overlaps,
        })
    }

    /// Quantifies the counts `y` (on the design's axis); `low_loss` is I_l
    /// (counts summed up to Δ, see [`low_loss_intensity`]) for areal
    /// densities.
    pub fn quantify(&self, y: &[f64], low_loss: Option<Estimate>) -> Result<Quantification> {
        self.check_counts(y, low_loss)?;
        let mut edges = Vec::with_capacity(self.edges.len());
        for p in &self.edges {
            let n = self.edge_numbers(p, y, low_loss)?;
            edges.push(EdgeResult {
                label: p.label.clone(),
                onset_ev: p.onset,
                window_ev: (p.onset, p.onset + self.options.delta_ev),
                background: PowerLaw {
                    a: n.ln_a.exp(),
                    r: -n.slope,
                    window: p.bg_ev,
                },
                signal: n.signal,
                cross_section_barn: p.sigma_barn,
                relative_amount: n.relative,
                areal_density: n.areal_density,
            });
        }
        let mut ratios = Vec::new();
        for i in 0..edges.len() {
            for j in i + 1..edges.len() {
                ratios.push(Ratio {
                    label: format!("{}/{}", self.edges[i].element, self.edges[j].element),
                    value: ratio(&edges[i].relative_amount, &edges[j].relative_amount),
                });
            }
        }
        Ok(Quantification {
            edges,
            ratios,
            effective_beta_mrad: self.effective_beta.clone(),
        })
    }

    /// How many numbers [`Self::quantify_row`] writes: three per edge, then
    /// one per ratio.
    pub fn row_len(&self) -> usize {
        let k = self.edges.len();
        3 * k + k * (k - 1) / 2
    }

    /// [`Self::quantify`] without labels and without allocating, for maps
    /// and batches: for edge k (in the order given) `out[3k]` is the net
    /// signal S, `out[3k + 1]` the relative amount S/σ and `out[3k + 2]` the
    /// areal density (NaN with no σ without `low_loss`); from `out[3·edges]`
    /// on come the ratios, in the order of [`Self::ratio_labels`]. The
    /// numbers are those of [`Self::quantify`], bit for bit. `out` must hold
    /// [`Self::row_len`] values; on an error it is left partly written.
    ///
    /// ```
    /// use interphase_spectra::eels::{EdgeSpec, Optics, QuantDesign, QuantifyOptions};
    /// let e: Vec<f64> = (0..1200).map(|i| 380.0 + 0.25 * i as f64).collect();
    /// let step = |x: f64, at: f64| if x >= at { 200.0 * (at / x).powi(2) } else { 0.0 };
    /// let y: Vec<f64> = e.iter().map(|&x| 1e12 * x.powf(-3.0) + step(x, 456.0) + step(x, 532.0)).collect();
    /// let options = QuantifyOptions {
    ///     optics: Optics { beam_kev: 200.0, beta_mrad: 20.0, alpha_mrad: 0.0 },
    ///     delta_ev: 50.0,
    ///     gain: 1.0,
    /// };
    /// let edges = EdgeSpec::parse_list("Ti:L23[401,447],O:K[468,521]")?;
    /// let design = QuantDesign::new(&e, &edges, &options)?;
    /// let nan = interphase_spectra::model::Estimate { value: f64::NAN, stderr: None };
    /// let mut row = vec![nan; design.row_len()];
    /// design.quantify_row(&y, None, &mut row)?;
    /// let full = design.quantify(&y, None)?;
    /// assert_eq!(row[6], full.ratios[0].value); // Ti/O
    /// assert_eq!(row[3], full.edges[1].signal); // O K
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn quantify_row(
        &self,
        y: &[f64],
        low_loss: Option<Estimate>,
        out: &mut [Estimate],
    ) -> Result<()> {
        if out.len() != self.row_len() {
            return Err(Error::Invalid(format!(
                "quantification row: {} slots for {} numbers",
                out.len(),
                self.row_len()
            )));
        }
        self.check_counts(y, low_loss)?;
        let k = self.edges.len();
        for (i, p) in self.edges.iter().enumerate() {
            let n = self.edge_numbers(p, y, low_loss)?;
            out[3 * i] = n.signal;
            out[3 * i + 1] = n.relative;
            out[3 * i + 2] = n.areal_density.unwrap_or(Estimate {
                value: f64::NAN,
                stderr: None,
            });
        }
        let mut r = 3 * k;
        for i in 0..k {
            for j in i + 1..k {
                out[r] = ratio(&out[3 * i + 1], &out[3 * j + 1]);
                r += 1;
            }
        }
        Ok(())
    }

    fn check_counts(&self, y: &[f64], low_loss: Option<Estimate>) -> Result<()> {
        if y.len() != self.ln_e.len() {
            return Err(Error::Invalid(format!(
                "quantification: {} intensities for {} energies",
                y.len(),
                self.ln_e.len()
            )));
        }
        if let Some(l) = low_loss
            && !(l.value.is_finite() && l.value > 0.0)
        {
            return Err(Error::Invalid(format!(
                "low-loss intensity {} must be finite and > 0",
                l.value
            )));
        }
        Ok(())
    }

    /// One edge's background fit, net signal, relative amount and areal
    /// density (`y` and `low_loss` checked by [`Self::check_counts`]).
    fn edge_numbers(
        &self,
        p: &Prepared,
        y: &[f64],
        low_loss: Option<Estimate>,
    ) -> Result<EdgeNumbers> {
        let g = self.options.gain;
        // weighted fit of ln y = c − r ln E, w = g·y
        let (yb, lb) = (&y[p.bg.0..p.bg.1], &self.ln_e[p.bg.0..p.bg.1]);
        let [sw, sx, sy, sxx, sxy, syy] = match background_sums(yb, lb, g) {
            Some(sums) => sums,
            None => {
                // name the first count a power law cannot take; counts that
                // are valid but subnormal take the channel-by-channel sums
                if let Some(i) = yb.iter().position(|&v| !(v.is_finite() && v > 0.0)) {
                    return Err(Error::Invalid(format!(
                        "{}: channel {} in the background window {:.1}..{:.1} eV has {} counts; a power law needs counts > 0 (subtract a dark offset first or move the window)",
                        p.label,
                        i + p.bg.0,
                        p.bg_ev.0,
                        p.bg_ev.1,
                        yb[i]
                    )));
                }
                let mut s = [0.0; 6];
                for (&yi, &lx) in yb.iter().zip(lb) {
                    add_sums(&mut s, g * yi, lx, yi.ln());
                }
                s
            }
        };
        let det = sw * sxx - sx * sx;
        if det.is_nan() || det <= 1e-12 * sw * sxx {
            return Err(Error::Invalid(format!(
                "{}: the background window {:.1}..{:.1} eV is too narrow in ln E",
                p.label, p.bg_ev.0, p.bg_ev.1
            )));
        }
        let slope = (sw * sxy - sx * sy) / det;
        let c = (sy - slope * sx) / sw;
        let n = (p.bg.1 - p.bg.0) as f64;
        // Σw(ln y − c − slope·ln E)² from the sums (the residuals are
        // far above the rounding of the expanded form)
        let chi2 = (syy + c * c * sw + slope * slope * sxx - 2.0 * c * sy - 2.0 * slope * sxy
            + 2.0 * c * slope * sx)
            .max(0.0);
        let scale = if n > 2.0 {
            (chi2 / (n - 2.0)).max(1.0)
        } else {
            1.0
        };
        // covariance of (c, slope): (XᵀWX)⁻¹ · scale
        let (cov_cc, cov_cs, cov_ss) = (sxx / det * scale, -sx / det * scale, sw / det * scale);
        // Σy and Σmax(y, 0) in four lanes (a single running sum is
        // latency-bound); a NaN or ±inf makes Σy non-finite
        let win = &y[p.sig.0..p.sig.1];
        let (mut a, mut v) = ([0.0f64; 4], [0.0f64; 4]);
        let chunks = win.chunks_exact(4);
        let rest = chunks.remainder();
        for c in chunks {
            for l in 0..4 {
                a[l] += c[l];
                v[l] += c[l].max(0.0);
            }
        }
        let sum_y = (a[0] + a[1]) + (a[2] + a[3]) + rest.iter().sum::<f64>();
        let mut var_counts =
            (v[0] + v[1]) + (v[2] + v[3]) + rest.iter().map(|x| x.max(0.0)).sum::<f64>();
        if !sum_y.is_finite() {
            return Err(Error::Invalid(
                match win.iter().position(|x| !x.is_finite()) {
                    Some(i) => format!(
                        "{}: channel {} in the signal window is {}",
                        p.label,
                        i + p.sig.0,
                        win[i]
                    ),
                    None => format!(
                        "{}: the counts in the signal window sum to {sum_y}; they are too large",
                        p.label
                    ),
                },
            ));
        }
        var_counts /= g;
        // ΣB and ΣB·ln E over the window: the gradient of ΣB in (c, slope)
        let (gb_c, gb_s) = power_sums(c, slope, &self.ln_e[p.sig.0..p.sig.1], p.uniform);
        let s = sum_y - gb_c;
        let var_bg = gb_c * gb_c * cov_cc + 2.0 * gb_c * gb_s * cov_cs + gb_s * gb_s * cov_ss;
        let var = var_counts + var_bg.max(0.0);
        let areal_density = low_loss.map(|l| {
            // atoms/barn → atoms/nm²: 1 barn = 1e-10 nm²
            let v = s / (l.value * p.sigma_barn) * 1e10;
            let rs2 = var / (s * s) + l.stderr.map_or(0.0, |e| (e / l.value).powi(2));
            Estimate {
                value: v,
                stderr: Some(v.abs() * rs2.sqrt()),
            }
        });
        Ok(EdgeNumbers {
            ln_a: c,
            slope,
            signal: Estimate {
                value: s,
                stderr: Some(var.sqrt()),
            },
            relative: Estimate {
                value: s / p.sigma_barn,
                stderr: Some(var.sqrt() / p.sigma_barn),
            },
            areal_density,
        })
    }

    /// The partial cross-section σ(β, Δ) of each edge, barn, in order.
    pub fn cross_sections_barn(&self) -> Vec<f64> {
        self.edges.iter().map(|e| e.sigma_barn).collect()
    }

    /// Edge labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.edges.iter().map(|e| e.label.clone()).collect()
    }

    /// Ratio labels ("Ti/O"), in the order of [`Quantification::ratios`].
    pub fn ratio_labels(&self) -> Vec<String> {
        let mut v = Vec::new();
        for i in 0..self.edges.len() {
            for j in i + 1..self.edges.len() {
                v.push(format!(
                    "{}/{}",
                    self.edges[i].element, self.edges[j].element
                ));
            }
        }
        v
    }
}

/// One edge's numbers from [`QuantDesign::edge_numbers`].
#[derive(Clone, Copy)]
struct EdgeNumbers {
    /// ln A of the background A·E^slope.
    ln_a: f64,
    slope: f64,
    signal: Estimate,
    relative: Estimate,
    areal_density: Option<Estimate>,
}

/// Adds one channel (weight w, ln E = lx, ln y = ly) to the six sums of the
/// weighted fit of ln y on ln E: Σw, Σw·lx, Σw·ly, Σw·lx², Σw·lx·ly, Σw·ly².
#[inline(always)]
fn add_sums(s: &mut [f64; 6], w: f64, lx: f64, ly: f64) {
    let (wx, wy) = (w * lx, w * ly);
    s[0] += w;
    s[1] += wx;
    s[2] += wy;
    s[3] += wx * lx;
    s[4] += wx * ly;
    s[5] += wy * ly;
}

/// The six sums of [`add_sums`] over a background window with wᵢ = g·yᵢ,
/// or `None` when a count is not a positive, normal, finite number (the
/// caller then names it, or sums channel by channel for subnormal counts).
/// Compiled for AVX2 + FMA where the CPU has them: ln y by [`ln_normal`] over
/// blocks of channels (a loop the compiler vectorises), then the sums in four
/// lanes. Through glibc's scalar `log`, ln y took a third of a
/// quantification's time.
fn background_sums(y: &[f64], lx: &[f64], g: f64) -> Option<[f64; 6]> {
    const BLOCK: usize = 128;
    use crate::baseline::Quad;
    crate::baseline::with_quad!(|q| {
        let zero = q.splat(0.0);
        let gv = q.splat(g);
        let mut acc = [zero; 6];
        let mut s = [0.0; 6];
        let mut ok = true;
        let mut ly = [0.0f64; BLOCK];
        for (yb, xb) in y.chunks(BLOCK).zip(lx.chunks(BLOCK)) {
            let ly = &mut ly[..yb.len()];
            for (o, &v) in ly.iter_mut().zip(yb) {
                *o = ln_normal(v);
            }
            ok &= yb.iter().fold(true, |ok, v| {
                ok & (f64::MIN_POSITIVE..=f64::MAX).contains(v)
            });
            let (cy, cx, cl) = (yb.chunks_exact(4), xb.chunks_exact(4), ly.chunks_exact(4));
            let (ry, rx, rl) = (cy.remainder(), cx.remainder(), cl.remainder());
            for ((yc, xc), lc) in cy.zip(cx).zip(cl) {
                let xv = q.load([xc[0], xc[1], xc[2], xc[3]]);
                let lv = q.load([lc[0], lc[1], lc[2], lc[3]]);
                let w = q.mul(gv, q.load([yc[0], yc[1], yc[2], yc[3]]));
                let (wx, wy) = (q.mul(w, xv), q.mul(w, lv));
                acc[0] = q.add(acc[0], w);
                acc[1] = q.add(acc[1], wx);
                acc[2] = q.add(acc[2], wy);
                acc[3] = q.add(acc[3], q.mul(wx, xv));
                acc[4] = q.add(acc[4], q.mul(wx, lv));
                acc[5] = q.add(acc[5], q.mul(wy, lv));
            }
            for ((&yi, &x), &l) in ry.iter().zip(rx).zip(rl) {
                add_sums(&mut s, g * yi, x, l);
            }
        }
        for (k, a) in acc.iter().enumerate() {
            let a = q.lanes(*a);
            s[k] += (a[0] + a[1]) + (a[2] + a[3]);
        }
        ok.then_some(s)
    })
}

/// ln x for positive, normal, finite x (other inputs give unspecified
/// values, never a panic), branch-free so that loops over it vectorise:
/// x = 2ᵏ·m with m in [√½, √2), f = m − 1, s = f/(2 + f) and
/// ln m = f − f²/2 + s(f²/2 + R(s²)), R the minimax polynomial of FreeBSD's
/// `e_log.c` (Sun's fdlibm; its error is below 2⁻⁵⁸·⁴⁵ on this range), and
/// k ln 2 added in two parts. Within 1 ulp of the correctly rounded ln on
/// 500 000 random inputs (test `ln_normal_matches_ln`).
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    const LG: [f64; 7] = [
        6.666_666_666_666_735e-1,
        3.999_999_999_940_942e-1,
        2.857_142_874_366_239e-1,
        2.222_219_843_214_978_4e-1,
        1.818_357_216_161_805e-1,
        1.531_383_769_920_937_3e-1,
        1.479_819_860_511_658_6e-1,
    ];
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 2⁵² + 1023: the biased exponent placed in a mantissa, less this, is k
    const EXP_BIAS: f64 = 4_503_599_627_371_519.0;
    let b = x.to_bits();
    let m = f64::from_bits((b & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let k = f64::from_bits((b >> 52) | 0x4330_0000_0000_0000) - EXP_BIAS;
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { 0.5 * m } else { m };
    let k = if big { k + 1.0 } else { k };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)
}

/// (Σᵢ e^c·Eᵢ^s, Σᵢ e^c·Eᵢ^s·ln Eᵢ) over a window whose ln E are `ln_e`: in
/// closed form by the Euler–Maclaurin formula through the h³ term when the
/// channels are evenly spaced (`uniform` = (first, last, step) eV; the next
/// term is below 1e-15 of the sum for core-loss windows, where step ≪ E), else
/// channel by channel.
fn power_sums(c: f64, s: f64, ln_e: &[f64], uniform: Option<(f64, f64, f64)>) -> (f64, f64) {
    match uniform {
        Some((a, b, h)) if (s + 1.0).abs() > 1e-3 => {
            let (la, lb) = (a.ln(), b.ln());
            let (pa, pb) = ((s * la).exp(), (s * lb).exp()); // a^s, b^s
            let s1 = s + 1.0;
            // Σ f(Eᵢ) ≈ ∫f/h + (f(a) + f(b))/2 + h/12·(f′(b) − f′(a)) − h³/720·(f‴(b) − f‴(a))
            let f0 = (b * pb - a * pa) / s1 / h
                + 0.5 * (pa + pb)
                + h / 12.0 * s * (pb / b - pa / a)
                - h.powi(3) / 720.0 * s * (s - 1.0) * (s - 2.0) * (pb / b.powi(3) - pa / a.powi(3));
            // g = E^s ln E: ∫g = E^(s+1)(ln E/(s+1) − 1/(s+1)²); g′ = E^(s−1)(s ln E + 1);
            // g‴ = E^(s−3)(s(s−1)(s−2) ln E + 3s² − 6s + 2)
            let big_g = |e: f64, p: f64, l: f64| e * p * (l / s1 - 1.0 / (s1 * s1));
            let d1 = |e: f64, p: f64, l: f64| p / e * (s * l + 1.0);
            let d3 = |e: f64, p: f64, l: f64| {
                p / e.powi(3) * (s * (s - 1.0) * (s - 2.0) * l + 3.0 * s * s - 6.0 * s + 2.0)
            };
            let f1 = (big_g(b, pb, lb) - big_g(a, pa, la)) / h
                + 0.5 * (pa * la + pb * lb)
                + h / 12.0 * (d1(b, pb, lb) - d1(a, pa, la))
                - h.powi(3) / 720.0 * (d3(b, pb, lb) - d3(a, pa, la));
            let ec = c.exp();
            (ec * f0, ec * f1)
        }
        _ => ln_e.iter().fold((0.0, 0.0), |(b0, b1), &lx| {
            let b = (c + s * lx).exp();
            (b0 + b, b1 + b * lx)
        }),
    }
}

/// a/b with relative variances added (independent).
fn ratio(a: &Estimate, b: &Estimate) -> Estimate {
    let v = a.value / b.value;
    let stderr = match (a.stderr, b.stderr) {
        (Some(sa), Some(sb)) if a.value != 0.0 && b.value != 0.0 => {
            Some(v.abs() * ((sa / a.value).powi(2) + (sb / b.value).powi(2)).sqrt())
        }
        _ => None,
    };
    Estimate { value: v, stderr }
}

/// Quantifies one core-loss spectrum (energies in eV, counts per channel):
/// see the module documentation. `low_loss` is I_l for areal densities.
pub fn quantify(
    energy: &[f64],
    y: &[f64],
    edges: &[EdgeSpec],
    options: &QuantifyOptions,
    low_loss: Option<Estimate>,
) -> Result<Quantification> {
    check_axis("quantification", energy, y)?;
    QuantDesign::new(energy, edges, options)?.quantify(y, low_loss)
}

/// The low-loss intensity I_l(Δ): the counts summed over the channels from
/// the spectrum's start up to `delta_ev` eV, zero-loss peak included, with
/// its Poisson σ (`gain` counts per unit). The spectrum must start below
/// 0 eV (contain the whole zero-loss peak) and reach Δ.
pub fn low_loss_intensity(energy: &[f64], y: &[f64], delta_ev: f64, gain: f64) -> Result<Estimate> {
    check_axis("low-loss intensity", energy, y)?;
    if !(delta_ev.is_finite() && delta_ev > 0.0 && gain.is_finite() && gain > 0.0) {
        return Err(Error::Invalid(format!(
            "low-loss intensity: Δ = {delta_ev} eV and gain = {gain} must be finite and > 0"
        )));
    }
    let last = energy[energy.len() - 1];
    if energy[0] >= 0.0 || last < delta_ev {
        return Err(Error::Invalid(format!(
            "low-loss intensity: the spectrum ({}..{last} eV) must start below 0 eV (the whole zero-loss peak) and reach Δ = {delta_ev} eV",
            energy[0]
        )));
    }
    let n = energy.partition_point(|&e| e <= delta_ev);
    let s: f64 = y[..n].iter().sum();
    if s.is_nan() || s <= 0.0 {
        return Err(Error::Invalid(format!(
            "low-loss intensity up to {delta_ev} eV is {s}; it must be > 0"
        )));
    }
    let var: f64 = y[..n].iter().map(|v| v.max(0.0)).sum::<f64>() / gain;
    Ok(Estimate {
        value: s,
        stderr: Some(var.sqrt()),
    })
}

/// Per-pixel quantification maps of an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantMaps {
    /// Edge labels.
    pub labels: Vec<String>,
    /// Net signal S of each edge (counts).
    pub signal: Vec<Map>,
    /// Areal density of each edge, atoms/nm² (empty without a low-loss image).
    pub areal_density: Vec<Map>,
    /// Ratio labels ("Ti/O").
    pub ratio_labels: Vec<String>,
    /// Atomic ratio maps, in the order of `ratio_labels`.
    pub ratios: Vec<Map>,
}

impl SpectrumImage {
    /// [`quantify`] on every pixel in parallel. With `low_loss` (an image of
    /// the same shape, recorded with the same β), areal density maps too.
    /// Failed pixels are NaN in every map and listed in each map's failures.
    pub fn quantify(
        &self,
        edges: &[EdgeSpec],
        options: &QuantifyOptions,
        low_loss: Option<&SpectrumImage>,
    ) -> Result<QuantMaps> {
        let design = QuantDesign::new(self.energy(), edges, options)?;
        if let Some(ll) = low_loss
            && ll.shape() != self.shape()
        {
            return Err(Error::Invalid(format!(
                "low-loss image {:?} and core-loss image {:?} differ in shape",
                ll.shape(),
                self.shape()
            )));
        }
        let w = design.row_len();
        let (rows, errors) = self.rows_into(w, |p, y, out| {
            let il = match low_loss {
                Some(ll) => Some(low_loss_intensity(
                    ll.energy(),
                    ll.pixel(p),
                    options.delta_ev,
                    options.gain,
                )?),
                None => None,
            };
            design.quantify_row(y, il, out)
        });
        let maps = RowMaps::new(self.shape(), &rows, w, &errors);
        let pick = |slot: usize| maps.map(slot);
        let k = design.edges.len();
        Ok(QuantMaps {
            labels: design.labels(),
            signal: (0..k).map(|i| pick(3 * i)).collect(),
            areal_density: if low_loss.is_some() {
                (0..k).map(|i| pick(3 * i + 2)).collect()
            } else {
                Vec::new()
            },
            ratio_labels: design.ratio_labels(),
            ratios: (0..k * (k - 1) / 2).map(|i| pick(3 * k + i)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_background_sums_match_the_channel_sums() {
        for (a, h, m, c, s) in [
            (456.0, 0.25, 200, 25.0, -3.2),
            (532.0, 0.1, 500, 10.0, -2.1),
            (99.0, 0.5, 160, 5.0, -5.5),
            (1000.0, 1.0, 100, 30.0, -0.5),
        ] {
            let e: Vec<f64> = (0..m).map(|i| a + h * i as f64).collect();
            let ln_e: Vec<f64> = e.iter().map(|v| v.ln()).collect();
            let direct = power_sums(c, s, &ln_e, None);
            let closed = power_sums(c, s, &ln_e, Some((e[0], e[m - 1], h)));
            assert!(
                (closed.0 - direct.0).abs() < 1e-12 * direct.0,
                "{closed:?} {direct:?}"
            );
            assert!(
                (closed.1 - direct.1).abs() < 1e-12 * direct.1,
                "{closed:?} {direct:?}"
            );
        }
    }

    /// ULP distance between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        if a.to_bits() == b.to_bits() || (a.abs() + b.abs()).to_bits() == 0 {
            return 0;
        }
        assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a} vs {b}");
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn ln_normal_matches_ln() {
        // xorshift64*: inputs spread over every exponent, plus a dense band
        // around 1 (where ln x → 0 and relative errors show first) and the
        // ends of the normal range
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let mut worst = 0;
        for i in 0..500_000 {
            let r = next();
            let x = match i % 4 {
                // any positive normal double
                0 => f64::from_bits((r >> 12) | (((r % 2046) + 1) << 52)),
                // 1 ± 2⁻¹⁰
                1 => 1.0 + ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2e-3,
                // counts: 1e-3 … 1e7
                2 => 10f64.powf((r >> 11) as f64 / (1u64 << 53) as f64 * 10.0 - 3.0),
                // around √2 and √½, where the mantissa is halved
                _ => {
                    let t = 1.0 + ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e-6;
                    if r & 1 == 0 {
                        std::f64::consts::SQRT_2 * t
                    } else {
                        std::f64::consts::FRAC_1_SQRT_2 * t
                    }
                }
            };
            let got = ln_normal(x);
            let d = ulps(got, x.ln());
            assert!(d <= 1, "ln_normal({x:e}) = {got:e}, ln = {:e}", x.ln());
            worst = worst.max(d);
        }
        for x in [f64::MIN_POSITIVE, f64::MAX, 1.0, 2.0, 0.5, 1e-300, 7.0] {
            assert!(ulps(ln_normal(x), x.ln()) <= 1, "{x:e}");
        }
        assert_eq!(ln_normal(1.0).to_bits(), 0f64.to_bits());
        // the test can fail: an error of one part in 1e-15 is 4+ ulps
        assert!(worst <= 1);
    }

    #[test]
    fn lane_sums_match_the_channel_sums() {
        let lx: Vec<f64> = (0..187).map(|i| (401.0 + 0.25 * i as f64).ln()).collect();
        let y: Vec<f64> = lx
            .iter()
            .enumerate()
            .map(|(i, l)| 2e12 * (-3.2 * l).exp() * (1.0 + 0.1 * ((i * 7919) % 13) as f64 / 13.0))
            .collect();
        let mut want = [0.0; 6];
        for (&yi, &x) in y.iter().zip(&lx) {
            add_sums(&mut want, 2.5 * yi, x, yi.ln());
        }
        let got = background_sums(&y, &lx, 2.5).unwrap();
        for k in 0..6 {
            assert!(
                (got[k] - want[k]).abs() <= 1e-13 * want[k].abs(),
                "sum {k}: {} vs {}",
                got[k],
                want[k]
            );
        }
        // a count a power law cannot take, in a lane and in the remainder
        for at in [5, 186] {
            for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-310] {
                let mut z = y.clone();
                z[at] = bad;
                assert!(background_sums(&z, &lx, 1.0).is_none(), "{bad} at {at}");
            }
        }
    }

    #[test]
    fn parse_edge_specs() {
        let e = EdgeSpec::parse("Ti:L23").unwrap();
        assert_eq!(e.label(), "Ti L23");
        let e = EdgeSpec::parse("O:K[470,520]").unwrap();
        assert_eq!(e.background_ev, Some((470.0, 520.0)));
        let e = EdgeSpec::parse("La:M45@832=1500").unwrap();
        assert_eq!(e.onset().to_bits(), 832f64.to_bits());
        assert_eq!(e.element(), "La");
        for bad in [
            "Ti",
            "Ti:M45",
            "O:K[1,2",
            "O:K[a,2]",
            "La:M45@832",
            "La:M45@x=1",
            "Qq:K",
        ] {
            assert!(EdgeSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
