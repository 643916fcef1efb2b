//! Results of a peak fit: per-component quantities with uncertainties, curves
//! on the data grid, and the core's statistics.

use std::fmt;

use interphase_fit::FitResult;
use serde::{Deserialize, Serialize};

use super::problem::{ModelProblem, PeakLayout};
use crate::error::{Error, Result};
use crate::lineshape::{LineShape, ShapeKind};

/// A value with its one-standard-deviation uncertainty (`None` when the
/// covariance could not be estimated).
///
/// ```
/// use interphase_spectra::model::Estimate;
/// let ti3 = Estimate { value: 0.32004, stderr: Some(0.00061) };
/// assert_eq!(ti3.to_string(), "0.32004 ± 0.00061");   // σ to two digits, value to match
/// assert_eq!(format!("{ti3:.3}"), "0.320 ± 0.001");   // or a fixed number of decimals
/// let unknown = Estimate { value: 5.008, stderr: None };
/// assert_eq!(unknown.to_string(), "5.008 (uncertainty not known)"); // never "± 0"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The value.
    pub value: f64,
    /// Standard error.
    pub stderr: Option<f64>,
}

impl fmt::Display for Estimate {
    /// `{}`: rounded to the uncertainty, σ to two significant digits
    /// ([`interphase_fit::format_uncertain`]: `0.0200 ± 0.0006`); `{:.N}`: N
    /// decimals for both.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (f.precision(), self.stderr) {
            (None, s) => f.write_str(&interphase_fit::format_uncertain(self.value, s)),
            (Some(p), Some(s)) => write!(f, "{:.p$} ± {:.p$}", self.value, s),
            (Some(p), None) => write!(f, "{:.p$}", self.value),
        }
    }
}

/// One fitted component: a peak, or the partner of a doublet.
///
/// `center` is the shape's `center` parameter (the partner's: center +
/// splitting); `fwhm` and `height` are the shape's exact FWHM and maximum;
/// `area` the shape's area parameter; `area_percent` its share of the summed
/// areas of all components. Uncertainties come from the fit covariance by
/// first-order propagation (numerical gradients of each quantity with respect
/// to all parameters, ties included).
///
/// ```
/// use interphase_spectra::Spectrum;
/// use interphase_spectra::model::{PeakFitOptions, PeakModel};
/// let model = PeakModel::from_toml(
///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
/// )?;
/// let x: Vec<f64> = (0..200).map(|i| 0.05 * i as f64).collect();
/// let p = model.parameters_from(&[("A.center", 5.2), ("A.area", 3.0)], &x)?;
/// let y: Vec<f64> = model.evaluate(&x, &p)?.iter().enumerate()
///     .map(|(i, v)| v + 0.01 * (0.7 * i as f64).sin()).collect();
/// let fit = model.fit(&Spectrum::new(x, y)?, &PeakFitOptions::default())?;
/// let a = fit.component("A").unwrap();
/// assert!((a.center.value - 5.2).abs() < 0.01);
/// assert!(a.center.stderr.unwrap() > 0.0); // from the covariance
/// println!("{}: center {} fwhm {} area {}", a.label, a.center, a.fwhm, a.area);
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentResult {
    /// `<peak>` for the main component, `<peak>/2` for a doublet partner.
    pub label: String,
    /// The peak this component belongs to.
    pub peak: String,
    /// Line shape.
    pub shape: ShapeKind,
    /// Whether this is a doublet partner.
    pub partner: bool,
    /// Position parameter (x units).
    pub center: Estimate,
    /// Full width at half maximum (x units).
    pub fwhm: Estimate,
    /// Maximum value (intensity units).
    pub height: Estimate,
    /// Area (intensity × x units).
    pub area: Estimate,
    /// Share of the total component area, %.
    pub area_percent: Estimate,
}

/// Everything a peak fit produced. `Display` prints a table of the
/// components (center, FWHM, height, area, area %, each rounded to its
/// uncertainty) and lmfit's report of the parameters.
///
/// ```
/// use interphase_spectra::model::{PeakFitOptions, PeakModel};
/// use interphase_spectra::Spectrum;
/// let model = PeakModel::from_toml(
///     "[[peaks]]\nname = \"A\"\nshape = \"voigt\"\ncenter = 458.8\nsigma = 0.5\ngamma = 0.3\narea = 100\n",
/// )?;
/// let x: Vec<f64> = (0..200).map(|i| 450.0 + 0.1 * i as f64).collect();
/// let truth = model.parameters_from(&[("A.center", 459.0), ("A.area", 250.0)], &x)?;
/// let y = model.evaluate(&x, &truth)?;
/// let fit = model.fit(&Spectrum::new(x, y)?, &PeakFitOptions::default())?;
/// println!("{fit}");
/// let a = fit.component("A").unwrap();
/// assert!((a.center.value - 459.0).abs() < 1e-6 && (a.area.value - 250.0).abs() < 1e-4);
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeakFit {
    /// The core's result: parameters, standard errors, covariance, χ², AIC/BIC.
    pub fit: FitResult,
    /// Components, in model order (a doublet's partner right after its peak).
    pub components: Vec<ComponentResult>,
    /// Covariance of the component areas (same order), for ratios of sums.
    pub area_covariance: Option<Vec<Vec<f64>>>,
    /// The unit of x, when known (for display).
    pub x_unit: String,
    /// The x grid.
    pub x: Vec<f64>,
    /// The data.
    pub y: Vec<f64>,
    /// The fitted background.
    pub background: Vec<f64>,
    /// Background plus all components.
    pub envelope: Vec<f64>,
    /// Each component on the grid (without background), in component order.
    pub curves: Vec<Vec<f64>>,
    /// Data minus envelope (unweighted).
    pub residuals: Vec<f64>,
}

/// Center, fwhm, height, area of the components of peak `pk` at full parameter vector `p`.
fn peak_quantities(pk: &PeakLayout, p: &[f64], out: &mut Vec<[f64; 4]>) -> Result<()> {
    let main = pk.main(p)?;
    out.push([main.center(), main.fwhm(), main.height(), main.area()]);
    if let Some(s) = pk.partner(p) {
        let s = s?;
        out.push([s.center(), s.fwhm(), s.height(), s.area()]);
    }
    Ok(())
}

/// The same for every peak.
fn quantities(pr: &ModelProblem, p: &[f64]) -> Result<Vec<[f64; 4]>> {
    let mut out = Vec::new();
    for pk in &pr.peaks {
        peak_quantities(pk, p, &mut out)?;
    }
    Ok(out)
}

impl PeakFit {
    /// Frees the arrays on the grid — `x`, `y`, `background`, `envelope`,
    /// `curves`, `residuals` and the core result's residuals — and keeps
    /// everything a report or a table needs: parameters, standard errors,
    /// covariances, components with their uncertainties, statistics. For 1000
    /// points and four components that is about 2 % of the memory; what a
    /// batch of thousands of spectra keeps per fit (see
    /// [`PeakModel::fit_batch_map`](super::PeakModel::fit_batch_map)). Plots,
    /// curve exports and Monte Carlo refits need the arrays: call it only
    /// when none of them follows. [`has_curves`](Self::has_curves) tells.
    ///
    /// ```
    /// use interphase_spectra::model::{PeakFitOptions, PeakModel};
    /// use interphase_spectra::Spectrum;
    /// let model = PeakModel::from_toml(
    ///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
    /// )?;
    /// let x: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
    /// let y = model.evaluate(&x, &model.parameters_from(&[("A.area", 2.0)], &x)?)?;
    /// let mut fit = model.fit(&Spectrum::new(x, y)?, &PeakFitOptions::default())?;
    /// let report = fit.to_string();
    /// fit.drop_curves();
    /// assert!(!fit.has_curves() && fit.to_string() == report);
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn drop_curves(&mut self) {
        for v in [
            &mut self.x,
            &mut self.y,
            &mut self.background,
            &mut self.envelope,
            &mut self.residuals,
            &mut self.fit.residuals,
        ] {
            *v = Vec::new();
        }
        self.curves = Vec::new();
    }

    /// Whether the arrays on the grid are there (not freed by
    /// [`drop_curves`](Self::drop_curves)).
    pub fn has_curves(&self) -> bool {
        !self.x.is_empty()
    }

    pub(crate) fn build(pr: &ModelProblem, fit: FitResult, x_unit: String) -> Result<PeakFit> {
        let p = fit.values();
        let q0 = quantities(pr, &p)?;
        let nc = q0.len();
        let np = p.len();
        // derivative of each quantity (4 per component) with respect to each
        // parameter the component depends on (its peak's own columns)
        let mut grad = vec![vec![0.0; np]; nc * 4];
        if let Some(cov) = &fit.covariance {
            let mut pp = p.clone();
            let mut c0 = 0;
            for pk in &pr.peaks {
                let ncomp = if pk.doublet.is_some() { 2 } else { 1 };
                for j in pk.columns() {
                    if cov[j][j] <= 0.0 {
                        continue;
                    }
                    let h = 1e-6 * p[j].abs().max(cov[j][j].sqrt()).max(1e-12);
                    let (mut up, mut down) = (Vec::with_capacity(2), Vec::with_capacity(2));
                    pp[j] = p[j] + h;
                    let ok_up = peak_quantities(pk, &pp, &mut up).is_ok();
                    pp[j] = p[j] - h;
                    let ok_down = peak_quantities(pk, &pp, &mut down).is_ok();
                    pp[j] = p[j];
                    for c in 0..ncomp {
                        for k in 0..4 {
                            grad[(c0 + c) * 4 + k][j] = match (ok_up, ok_down) {
                                (true, true) => (up[c][k] - down[c][k]) / (2.0 * h),
                                // one-sided at a domain edge
                                (true, false) => (up[c][k] - q0[c0 + c][k]) / h,
                                (false, true) => (q0[c0 + c][k] - down[c][k]) / h,
                                (false, false) => 0.0,
                            };
                        }
                    }
                }
                c0 += ncomp;
            }
        }
        let var = |a: &[f64], b: &[f64]| -> Option<f64> {
            let cov = fit.covariance.as_ref()?;
            let mut s = 0.0;
            for i in 0..np {
                if a[i] == 0.0 {
                    continue;
                }
                for j in 0..np {
                    s += a[i] * cov[i][j] * b[j];
                }
            }
            Some(s)
        };
        let sd = |a: &[f64]| var(a, a).map(|v| v.max(0.0).sqrt());
        let area_cov: Option<Vec<Vec<f64>>> = fit.covariance.as_ref().map(|_| {
            (0..nc)
                .map(|a| {
                    (0..nc)
                        .map(|b| var(&grad[a * 4 + 3], &grad[b * 4 + 3]).unwrap_or(0.0))
                        .collect()
                })
                .collect()
        });
        let total: f64 = q0.iter().map(|q| q[3]).sum();
        let mut components = Vec::with_capacity(nc);
        let mut c = 0;
        for pk in &pr.peaks {
            let count = if pk.doublet.is_some() { 2 } else { 1 };
            for k in 0..count {
                let est = |i: usize| Estimate {
                    value: q0[c][i],
                    stderr: sd(&grad[c * 4 + i]),
                };
                // area % = 100·A_c/ΣA: gradient 100(δ_cb/T − A_c/T²) over the areas
                let pct_value = if total != 0.0 {
                    100.0 * q0[c][3] / total
                } else {
                    f64::NAN
                };
                let pct_err = area_cov.as_ref().and_then(|ac| {
                    if total == 0.0 {
                        return None;
                    }
                    let g: Vec<f64> = (0..nc)
                        .map(|b| {
                            100.0
                                * (f64::from(u8::from(b == c)) / total - q0[c][3] / (total * total))
                        })
                        .collect();
                    let mut s = 0.0;
                    for a in 0..nc {
                        for b in 0..nc {
                            s += g[a] * ac[a][b] * g[b];
                        }
                    }
                    Some(s.max(0.0).sqrt())
                });
                components.push(ComponentResult {
                    label: if k == 0 {
                        pk.name.clone()
                    } else {
                        format!("{}/2", pk.name)
                    },
                    peak: pk.name.clone(),
                    shape: pk.kind,
                    partner: k == 1,
                    center: est(0),
                    fwhm: est(1),
                    height: est(2),
                    area: est(3),
                    area_percent: Estimate {
                        value: pct_value,
                        stderr: pct_err,
                    },
                });
                c += 1;
            }
        }
        // curves
        let m = pr.x.len();
        let mut curves = Vec::with_capacity(nc);
        let mut sum = vec![0.0; m];
        for pk in &pr.peaks {
            let main = pk.main(&p)?;
            let mut shapes = vec![main];
            if let Some(s) = pk.partner(&p) {
                shapes.push(s?);
            }
            for s in shapes {
                let mut cv = vec![0.0; m];
                s.eval_into(&pr.x, &mut cv)?;
                for (a, b) in sum.iter_mut().zip(&cv) {
                    *a += b;
                }
                curves.push(cv);
            }
        }
        let mut background = vec![0.0; m];
        pr.background_into(&p, &sum, &mut background);
        let envelope: Vec<f64> = background.iter().zip(&sum).map(|(a, b)| a + b).collect();
        let residuals = pr.y.iter().zip(&envelope).map(|(y, e)| y - e).collect();
        Ok(PeakFit {
            fit,
            components,
            area_covariance: area_cov,
            x_unit,
            x: pr.x.clone(),
            y: pr.y.clone(),
            background,
            envelope,
            curves,
            residuals,
        })
    }

    /// The component with this label (`<peak>` or `<peak>/2`).
    pub fn component(&self, label: &str) -> Option<&ComponentResult> {
        self.components.iter().find(|c| c.label == label)
    }

    fn peak_indices(&self, peaks: &[&str]) -> Result<Vec<bool>> {
        for p in peaks {
            if !self.components.iter().any(|c| c.peak == *p) {
                return Err(Error::Invalid(format!("no peak named `{p}` in the fit")));
            }
        }
        Ok(self
            .components
            .iter()
            .map(|c| peaks.contains(&c.peak.as_str()))
            .collect())
    }

    /// Total area of a peak (both components of a doublet), with its uncertainty.
    pub fn peak_area(&self, peak: &str) -> Result<Estimate> {
        let sel = self.peak_indices(&[peak])?;
        let value = self
            .components
            .iter()
            .zip(&sel)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c.area.value)
            .sum();
        let stderr = self.area_covariance.as_ref().map(|ac| {
            let mut s = 0.0;
            for a in 0..sel.len() {
                for b in 0..sel.len() {
                    if sel[a] && sel[b] {
                        s += ac[a][b];
                    }
                }
            }
            s.max(0.0).sqrt()
        });
        Ok(Estimate { value, stderr })
    }

    /// Area fraction Σ(numerator peaks) / Σ(denominator peaks), e.g. the Ti³⁺
    /// fraction `area_fraction(&["Ti3+"], &["Ti3+", "Ti4+"])`, with the
    /// uncertainty propagated through the covariance of the component areas
    /// (correlations included).
    pub fn area_fraction(&self, numerator: &[&str], denominator: &[&str]) -> Result<Estimate> {
        let num = self.peak_indices(numerator)?;
        let den = self.peak_indices(denominator)?;
        let areas: Vec<f64> = self.components.iter().map(|c| c.area.value).collect();
        let n: f64 = areas
            .iter()
            .zip(&num)
            .filter(|(_, s)| **s)
            .map(|(a, _)| a)
            .sum();
        let d: f64 = areas
            .iter()
            .zip(&den)
            .filter(|(_, s)| **s)
            .map(|(a, _)| a)
            .sum();
        if d == 0.0 || !d.is_finite() {
            return Err(Error::Invalid(
                "area fraction: the denominator area is zero".into(),
            ));
        }
        let value = n / d;
        let stderr = self.area_covariance.as_ref().map(|ac| {
            let g: Vec<f64> = (0..areas.len())
                .map(|i| {
                    f64::from(u8::from(num[i])) / d - f64::from(u8::from(den[i])) * n / (d * d)
                })
                .collect();
            let mut s = 0.0;
            for a in 0..g.len() {
                for b in 0..g.len() {
                    s += g[a] * ac[a][b] * g[b];
                }
            }
            s.max(0.0).sqrt()
        });
        Ok(Estimate { value, stderr })
    }

    /// The curves as CSV: x, y, background, envelope, each component, residual.
    pub fn curves_csv(&self) -> String {
        let mut s = String::from("x,y,background,envelope");
        for c in &self.components {
            s.push(',');
            s.push_str(&csv_name(&c.label));
        }
        s.push_str(",residual\n");
        for i in 0..self.x.len() {
            s.push_str(&format!(
                "{},{},{},{}",
                self.x[i], self.y[i], self.background[i], self.envelope[i]
            ));
            for c in &self.curves {
                s.push_str(&format!(",{}", c[i]));
            }
            s.push_str(&format!(",{}\n", self.residuals[i]));
        }
        s
    }
}

fn csv_name(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl PeakFit {
    /// The components as an HTML table (center, FWHM, height, area, area % ±
    /// standard errors) followed by the core's parameter table.
    pub fn html(&self) -> String {
        let esc = interphase_fit::escape_html;
        let mut o = String::from(
            "<table>\n<tr><th>component</th><th>shape</th><th>center</th><th>fwhm</th><th>height</th><th>area</th><th>area %</th></tr>\n",
        );
        for c in &self.components {
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{:.2}</td></tr>\n",
                esc(&c.label),
                c.shape.name(),
                c.center,
                c.fwhm,
                c.height,
                c.area,
                c.area_percent
            ));
        }
        o.push_str("</table>\n");
        o.push_str(&self.fit.html());
        o
    }

    /// Shows [`PeakFit::html`] inline in an evcxr notebook.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            interphase_fit::evcxr_blocks(&self.to_string(), "text/html", &self.html())
        );
    }
}

impl fmt::Display for PeakFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let u = if self.x_unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.x_unit)
        };
        writeln!(
            f,
            "[[Peak fit]] {} components, {} points, χ² = {:.6e}, χ²_ν = {:.6e}, {}",
            self.components.len(),
            self.fit.n_data,
            self.fit.chi_square,
            self.fit.reduced_chi_square,
            if self.fit.converged {
                "converged"
            } else {
                "NOT converged"
            }
        )?;
        writeln!(
            f,
            "  {:<14} {:<12} {:>24} {:>22} {:>26} {:>28} {:>18}",
            "component",
            "shape",
            format!("center{u}"),
            "fwhm",
            "height",
            "area",
            "area %"
        )?;
        for c in &self.components {
            writeln!(
                f,
                "  {:<14} {:<12} {:>24} {:>22} {:>26} {:>28} {:>18}",
                c.label,
                c.shape.name(),
                format!("{:.4}", c.center),
                format!("{:.4}", c.fwhm),
                format!("{:.4}", c.height),
                format!("{:.4}", c.area),
                format!("{:.2}", c.area_percent),
            )?;
        }
        write!(f, "{}", self.fit)
    }
}
