//! # interphase-plot
//!
//! SVG figures of spectrum fits, Nyquist and Bode plots, DRT, Arrhenius,
//! depth-profile and series plots, drawn with [plotters](https://docs.rs/plotters)'
//! SVG backend (no fonts, no system libraries) and displayed inline in evcxr
//! notebooks.
//!
//! Every function returns a [`Figure`]: the SVG text, which [`Figure::save`]
//! writes to a file, [`Figure::evcxr_display`] shows inline in a notebook (no
//! evcxr dependency: evcxr looks for an inherent method of that name) and
//! [`Figure::html`] embeds in a report.
//!
//! - [`spectrum_fit`]: data points, envelope, each component filled over the
//!   background, the background, and the residuals in a panel below;
//!   binding-energy axes run from high to low.
//! - [`nyquist`]: −Im Z against Re Z with equal axis scaling, fit overlay, the
//!   frequency of each decade labelled; [`bode`]: |Z| and phase against f.
//! - [`drt`]: γ(τ) on a logarithmic τ axis with the peaks marked;
//!   [`arrhenius`]: ln(σT) (or ln σ) against 1000/T with the fitted line and
//!   E_a in the legend.
//! - [`heatmap`]: a colour map of a per-pixel quantity (spectrum-image
//!   maps and their standard errors), viridis with a colour bar, pixels
//!   without a value grey and counted.
//! - [`XyPlot`]: lines, points and error bars on linear or logarithmic axes, for
//!   depth profiles, ΔE series and anything else.
//!
//! ```
//! use interphase_plot::{XyPlot, Series};
//! let fig = XyPlot::new("Ti³⁺ fraction vs depth")
//!     .x_label("depth (nm)")
//!     .y_label("Ti³⁺ / Ti")
//!     .series(Series::points("150 °C", &[1.0, 7.0, 14.0], &[0.30, 0.12, 0.05]).with_errors(&[0.01, 0.01, 0.01]))
//!     .draw()?;
//! assert!(fig.svg().starts_with("<svg"));
//! assert!(fig.svg().contains("150 °C"));
//! # Ok::<(), interphase_plot::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(rustdoc::broken_intra_doc_links)]

use std::path::Path;

mod axis;
mod map;
pub use map::{MAX_MAP_PIXELS, heatmap};

/// `v` with `digits` significant digits in the figures' style: `1.3×10⁻⁵`,
/// plain (`0.25`, `120`) between 10⁻³ and 10⁵; non-finite values as Rust
/// writes them.
///
/// ```
/// assert_eq!(interphase_plot::times_ten(1.2849e-5, 2), "1.3×10⁻⁵");
/// assert_eq!(interphase_plot::times_ten(-4.0e6, 1), "−4×10⁶");
/// assert_eq!(interphase_plot::times_ten(0.25, 2), "0.25");
/// ```
pub fn times_ten(v: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if !v.is_finite() {
        return v.to_string();
    }
    let minus = |s: String| s.replacen('-', "−", 1);
    if v == 0.0 || (1e-3..1e5).contains(&v.abs()) {
        return minus(interphase_fit::format_significant(v, digits));
    }
    // rounding first, so that 9.96e-6 to 2 digits is 1.0×10⁻⁵
    let s = format!("{:.*e}", digits - 1, v);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    minus(format!("{m}×10{}", axis::superscript(e)))
}

use interphase_eis::ImpedanceSpectrum;
use interphase_eis::conductivity::{Arrhenius, BOLTZMANN_EV};
use interphase_eis::drt::DrtResult;
use interphase_eis::drt_bands::DrtBands;
use interphase_eis::fit::CircuitFit;
use interphase_eis::kk::KkScanPoint;
use interphase_spectra::model::PeakFit;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Errors of `interphase-plot`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing the figure failed.
    #[error("cannot write the figure: {0}")]
    Io(String),
    /// Drawing failed (plotters reported an error).
    #[error("cannot draw the figure: {0}")]
    Draw(String),
    /// The data cannot be plotted (empty, mismatched or not finite).
    #[error("cannot plot {what}: {reason}")]
    Data {
        /// Which data.
        what: String,
        /// Why.
        reason: String,
    },
    /// An error of the spectra crate.
    #[error(transparent)]
    Spectra(#[from] interphase_spectra::Error),
    /// An error of the EIS crate.
    #[error(transparent)]
    Eis(#[from] interphase_eis::Error),
}

/// Result type of `interphase-plot`.
pub type Result<T> = std::result::Result<T, Error>;

fn draw_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Draw(format!("{e:?}"))
}

fn data_err(what: &str, reason: impl Into<String>) -> Error {
    Error::Data {
        what: what.to_string(),
        reason: reason.into(),
    }
}

/// A finished figure: SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    title: String,
    svg: String,
    caption: String,
}

impl Figure {
    /// The title given when drawing.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The caption set by [`Figure::with_caption`] (empty if none).
    pub fn caption(&self) -> &str {
        &self.caption
    }

    /// The same figure with a caption for [`Figure::html`]: what the figure
    /// shows and what to look at (the title is already drawn in the figure,
    /// so the caption should not repeat it).
    pub fn with_caption(mut self, caption: &str) -> Figure {
        self.caption = caption.into();
        self
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Writes the SVG to `path` (parent directories must exist).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let p = path.as_ref();
        std::fs::write(p, &self.svg).map_err(|e| Error::Io(format!("{}: {e}", p.display())))
    }

    /// The figure as an HTML `<figure>` with the SVG inline, labelled with
    /// its title for screen readers, and the caption (if one was set) as
    /// `<figcaption>`. The title is drawn in the SVG, so it is not repeated
    /// below the figure.
    pub fn html(&self) -> String {
        let cap = if self.caption.is_empty() {
            String::new()
        } else {
            format!("<figcaption>{}</figcaption>\n", escape_html(&self.caption))
        };
        format!(
            "<figure role=\"group\" aria-label=\"{}\">\n{}\n{cap}</figure>\n",
            escape_html(&self.title),
            self.svg,
        )
    }

    /// Shows the figure inline in an evcxr notebook (evcxr's `image/svg+xml`
    /// block) and, in the evcxr REPL, a line naming it and its caption
    /// ([`interphase_fit::evcxr_blocks`]).
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            interphase_fit::evcxr_blocks(&self.plain_text(), "image/svg+xml", &self.svg)
        );
    }

    /// What a terminal shows for the figure: its title, size and caption.
    fn plain_text(&self) -> String {
        let mut s = format!("[figure] {} (SVG", self.title);
        if let Some((w, h)) = svg_size(&self.svg) {
            s.push_str(&format!(", {w} × {h} px"));
        }
        s.push_str("; `save(path)` writes it)");
        if !self.caption.is_empty() {
            s.push_str(&format!("\n{}", self.caption));
        }
        s
    }
}

pub use interphase_fit::escape_html;

/// The `width` and `height` attributes of an SVG document's root element.
fn svg_size(svg: &str) -> Option<(u32, u32)> {
    let head = &svg[..svg.find('>')?];
    let attr = |name: &str| -> Option<u32> {
        let at = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = head[at..].find('"')?;
        head[at..at + end].parse().ok()
    };
    Some((attr("width")?, attr("height")?))
}

/// Figure size in pixels (SVG user units).
pub const DEFAULT_SIZE: (u32, u32) = (720, 480);

/// A qualitative palette (Okabe–Ito, colour-blind safe).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Range of finite values, padded by `pad` of the span (or ±1 for a flat range).
fn padded_range<'a>(
    what: &str,
    vals: impl IntoIterator<Item = &'a f64>,
    pad: f64,
) -> Result<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in vals {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        return Err(data_err(what, "no finite values"));
    }
    let span = hi - lo;
    if span <= f64::EPSILON * hi.abs().max(1.0) {
        let d = if hi.abs() > 0.0 { 0.1 * hi.abs() } else { 1.0 };
        return Ok((lo - d, hi + d));
    }
    Ok((lo - pad * span, hi + pad * span))
}

/// Ticks of a drawn axis whose plotted range is `r`: logarithmic (positions
/// are log₁₀ values) or linear, reversed (positions are −x) or not, about `n`.
fn axis_ticks(r: (f64, f64), log: bool, reverse: bool, n: usize) -> axis::Ticks {
    let (lo, hi) = if reverse { (-r.1, -r.0) } else { r };
    let t = if log {
        axis::log10(lo, hi, n)
    } else {
        axis::linear(lo, hi, n)
    };
    if reverse { t.negated() } else { t }
}

/// How many ticks suit an axis `pixels` long: one per ~`per` pixels, 2 to 10.
fn tick_count(pixels: u32, per: u32) -> usize {
    (pixels / per).clamp(2, 10) as usize
}

fn check_pairs(what: &str, x: &[f64], y: &[f64]) -> Result<()> {
    if x.len() != y.len() {
        return Err(data_err(
            what,
            format!("{} x values but {} y values", x.len(), y.len()),
        ));
    }
    if x.is_empty() {
        return Err(data_err(what, "no points"));
    }
    Ok(())
}

/// How a [`Series`] is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A line through the points.
    Line,
    /// Markers only.
    Points,
    /// Markers joined by a line.
    LinePoints,
}

/// One named data series of an [`XyPlot`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// x values.
    pub x: Vec<f64>,
    /// y values.
    pub y: Vec<f64>,
    /// Optional symmetric y error bars (one standard error, same units as y).
    pub y_err: Option<Vec<f64>>,
    /// Drawing style.
    pub style: Style,
}

impl Series {
    /// A line.
    pub fn line(name: &str, x: &[f64], y: &[f64]) -> Series {
        Series {
            name: name.into(),
            x: x.to_vec(),
            y: y.to_vec(),
            y_err: None,
            style: Style::Line,
        }
    }
    /// Markers.
    pub fn points(name: &str, x: &[f64], y: &[f64]) -> Series {
        Series {
            style: Style::Points,
            ..Series::line(name, x, y)
        }
    }
    /// Markers joined by a line.
    pub fn line_points(name: &str, x: &[f64], y: &[f64]) -> Series {
        Series {
            style: Style::LinePoints,
            ..Series::line(name, x, y)
        }
    }
    /// Adds symmetric y error bars.
    pub fn with_errors(mut self, err: &[f64]) -> Series {
        self.y_err = Some(err.to_vec());
        self
    }
}

/// A general x–y figure: lines, markers and error bars, linear or log axes,
/// optionally reversed x (binding energy). Log axes drop non-positive values.
#[derive(Debug, Clone, PartialEq)]
pub struct XyPlot {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    reverse_x: bool,
    size: (u32, u32),
    series: Vec<Series>,
}

impl XyPlot {
    /// An empty plot with a title.
    pub fn new(title: &str) -> XyPlot {
        XyPlot {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            reverse_x: false,
            size: DEFAULT_SIZE,
            series: Vec::new(),
        }
    }
    /// x-axis label (with unit).
    pub fn x_label(mut self, s: &str) -> XyPlot {
        self.x_label = s.into();
        self
    }
    /// y-axis label (with unit).
    pub fn y_label(mut self, s: &str) -> XyPlot {
        self.y_label = s.into();
        self
    }
    /// Logarithmic x axis.
    pub fn log_x(mut self, on: bool) -> XyPlot {
        self.log_x = on;
        self
    }
    /// Logarithmic y axis.
    pub fn log_y(mut self, on: bool) -> XyPlot {
        self.log_y = on;
        self
    }
    /// x increasing from right to left (binding energy).
    pub fn reverse_x(mut self, on: bool) -> XyPlot {
        self.reverse_x = on;
        self
    }
    /// Size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> XyPlot {
        self.size = (width.clamp(200, 4000), height.clamp(150, 4000));
        self
    }
    /// Adds a series.
    pub fn series(mut self, s: Series) -> XyPlot {
        self.series.push(s);
        self
    }

    /// Transformed points of a series: (x, y, y_lo, y_hi) on the drawing axes.
    fn transformed(&self, s: &Series) -> Result<Vec<(f64, f64, f64, f64)>> {
        check_pairs(&s.name, &s.x, &s.y)?;
        if let Some(e) = &s.y_err
            && e.len() != s.y.len()
        {
            return Err(data_err(
                &s.name,
                format!("{} error bars for {} points", e.len(), s.y.len()),
            ));
        }
        let tx = |v: f64| {
            let v = if self.log_x {
                if v > 0.0 { v.log10() } else { f64::NAN }
            } else {
                v
            };
            if self.reverse_x { -v } else { v }
        };
        let ty = |v: f64| {
            if self.log_y {
                if v > 0.0 { v.log10() } else { f64::NAN }
            } else {
                v
            }
        };
        let mut out = Vec::with_capacity(s.x.len());
        for i in 0..s.x.len() {
            let e = s.y_err.as_ref().map_or(0.0, |e| e[i].abs());
            let e = if e.is_finite() { e } else { 0.0 };
            let (x, y) = (tx(s.x[i]), ty(s.y[i]));
            let (lo, hi) = (ty(s.y[i] - e), ty(s.y[i] + e));
            if x.is_finite() && y.is_finite() {
                let lo = if lo.is_finite() { lo } else { y };
                let hi = if hi.is_finite() { hi } else { y };
                out.push((x, y, lo, hi));
            }
        }
        Ok(out)
    }

    /// Draws the figure.
    pub fn draw(&self) -> Result<Figure> {
        if self.series.is_empty() {
            return Err(data_err(&self.title, "no series"));
        }
        let pts = self
            .series
            .iter()
            .map(|s| self.transformed(s))
            .collect::<Result<Vec<_>>>()?;
        let xs: Vec<f64> = pts.iter().flatten().map(|p| p.0).collect();
        let ys: Vec<f64> = pts.iter().flatten().flat_map(|p| [p.2, p.3]).collect();
        let xr = padded_range(&self.title, &xs, 0.03)?;
        let yr = padded_range(&self.title, &ys, 0.06)?;
        let xt = axis_ticks(
            xr,
            self.log_x,
            self.reverse_x,
            tick_count(
                self.size.0.saturating_sub(100),
                if self.log_x { 60 } else { 90 },
            ),
        );
        let yt = axis_ticks(
            yr,
            self.log_y,
            false,
            tick_count(self.size.1.saturating_sub(100), 50),
        );
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(64)
                .build_cartesian_2d(axis::KeyAxis::new(xr, &xt), axis::KeyAxis::new(yr, &yt))
                .map_err(draw_err)?;
            let fx = |v: &f64| xt.label(*v);
            let fy = |v: &f64| yt.label(*v);
            chart
                .configure_mesh()
                .label_style(("sans-serif", 13))
                .axis_desc_style(("sans-serif", 14))
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .x_label_formatter(&fx)
                .y_label_formatter(&fy)
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(draw_err)?;
            for (i, (s, p)) in self.series.iter().zip(&pts).enumerate() {
                let c = colour(i);
                if matches!(s.style, Style::Line | Style::LinePoints) {
                    chart
                        .draw_series(LineSeries::new(
                            p.iter().map(|q| (q.0, q.1)),
                            c.stroke_width(2),
                        ))
                        .map_err(draw_err)?
                        .label(s.name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                        });
                }
                if matches!(s.style, Style::Points | Style::LinePoints) {
                    if s.y_err.is_some() {
                        chart
                            .draw_series(p.iter().map(|q| {
                                PathElement::new(vec![(q.0, q.2), (q.0, q.3)], c.stroke_width(1))
                            }))
                            .map_err(draw_err)?;
                    }
                    let a = chart
                        .draw_series(p.iter().map(|q| Circle::new((q.0, q.1), 4, c.filled())))
                        .map_err(draw_err)?;
                    if s.style == Style::Points {
                        a.label(s.name.as_str())
                            .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
                    }
                }
            }
            chart
                .configure_series_labels()
                .border_style(BLACK)
                .background_style(WHITE.mix(0.85))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(draw_err)?;
            root.present().map_err(draw_err)?;
        }
        Ok(Figure {
            title: self.title.clone(),
            svg,
            caption: String::new(),
        })
    }
}

/// Options of [`spectrum_fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitFigure {
    /// Title.
    pub title: String,
    /// x-axis label; empty: "x (unit)" from the fit.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// x from high to low (binding energy, the XPS convention).
    pub reverse_x: bool,
    /// Size in pixels.
    pub size: (u32, u32),
}

impl FitFigure {
    /// An XPS fit figure: binding energy (eV), high to low; counts.
    pub fn xps(title: &str) -> FitFigure {
        FitFigure {
            title: title.into(),
            x_label: "binding energy (eV)".into(),
            y_label: "intensity (counts)".into(),
            reverse_x: true,
            size: (720, 560),
        }
    }
    /// Any other spectrum: x increasing left to right.
    pub fn plain(title: &str, x_label: &str, y_label: &str) -> FitFigure {
        FitFigure {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            reverse_x: false,
            size: (720, 560),
        }
    }
}

/// A peak fit: data points, envelope, each component filled between the
/// background and background + component, the background, and the residuals
/// (data − envelope) in a panel below.
pub fn spectrum_fit(fit: &PeakFit, opt: &FitFigure) -> Result<Figure> {
    let n = fit.x.len();
    for (what, v) in [
        ("data", &fit.y),
        ("background", &fit.background),
        ("envelope", &fit.envelope),
        ("residuals", &fit.residuals),
    ] {
        if v.len() != n {
            return Err(data_err(
                what,
                format!("{} values for {n} x values", v.len()),
            ));
        }
    }
    if n < 2 {
        return Err(data_err("spectrum fit", "fewer than 2 points"));
    }
    let s = if opt.reverse_x { -1.0 } else { 1.0 };
    let xr = padded_range("x", fit.x.iter(), 0.0)?;
    let xr = if opt.reverse_x { (-xr.1, -xr.0) } else { xr };
    let yr = padded_range("intensity", fit.y.iter().chain(&fit.envelope), 0.05)?;
    let yr = (yr.0.min(0.0), yr.1);
    let rr = padded_range("residuals", fit.residuals.iter(), 0.1)?;
    let rmax = rr.0.abs().max(rr.1.abs());
    let x_label = if opt.x_label.is_empty() {
        format!("x ({})", fit.x_unit)
    } else {
        opt.x_label.clone()
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, opt.size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let root = root
            .titled(&opt.title, ("sans-serif", 18))
            .map_err(draw_err)?;
        let h = root.dim_in_pixel().1;
        let (top, bottom) = root.split_vertically((f64::from(h) * 0.76) as u32);
        let xt = axis_ticks(
            xr,
            false,
            opt.reverse_x,
            tick_count(opt.size.0.saturating_sub(100), 70),
        );
        let yt = axis_ticks(yr, false, false, tick_count(h * 3 / 4, 50));
        let rt = axis::linear(-rmax, rmax, 2);
        let fx = |v: &f64| xt.label(*v);
        let mut chart = ChartBuilder::on(&top)
            .margin(10)
            .x_label_area_size(10)
            .y_label_area_size(70)
            .build_cartesian_2d(axis::KeyAxis::new(xr, &xt), axis::KeyAxis::new(yr, &yt))
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .y_desc(opt.y_label.as_str())
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| yt.label(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_err)?;
        for (i, (c, comp)) in fit.curves.iter().zip(&fit.components).enumerate() {
            if c.len() != n {
                continue;
            }
            let col = colour(i);
            let mut poly: Vec<(f64, f64)> = (0..n)
                .map(|k| (s * fit.x[k], fit.background[k] + c[k]))
                .collect();
            poly.extend((0..n).rev().map(|k| (s * fit.x[k], fit.background[k])));
            chart
                .draw_series(std::iter::once(Polygon::new(poly, col.mix(0.3).filled())))
                .map_err(draw_err)?
                .label(comp.label.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 16, y + 5)], col.mix(0.5).filled())
                });
        }
        chart
            .draw_series(LineSeries::new(
                (0..n).map(|k| (s * fit.x[k], fit.background[k])),
                RGBColor(110, 110, 110).stroke_width(1),
            ))
            .map_err(draw_err)?
            .label("background")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RGBColor(110, 110, 110)));
        chart
            .draw_series(
                (0..n).map(|k| Circle::new((s * fit.x[k], fit.y[k]), 2, BLACK.mix(0.7).filled())),
            )
            .map_err(draw_err)?
            .label("data")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, BLACK.filled()));
        chart
            .draw_series(LineSeries::new(
                (0..n).map(|k| (s * fit.x[k], fit.envelope[k])),
                RGBColor(200, 0, 0).stroke_width(2),
            ))
            .map_err(draw_err)?
            .label("envelope")
            .legend(|(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 16, y)],
                    RGBColor(200, 0, 0).stroke_width(2),
                )
            });
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.85))
            .position(if opt.reverse_x {
                SeriesLabelPosition::UpperLeft
            } else {
                SeriesLabelPosition::UpperRight
            })
            .draw()
            .map_err(draw_err)?;
        let mut res = ChartBuilder::on(&bottom)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(
                axis::KeyAxis::new(xr, &xt),
                axis::KeyAxis::new((-rmax, rmax), &rt),
            )
            .map_err(draw_err)?;
        res.configure_mesh()
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .x_desc(x_label.as_str())
            .y_desc("residual")
            .x_label_formatter(&fx)
            .y_label_formatter(&|v| rt.label(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_err)?;
        res.draw_series(LineSeries::new(
            [(xr.0, 0.0), (xr.1, 0.0)],
            RGBColor(150, 150, 150),
        ))
        .map_err(draw_err)?;
        res.draw_series(LineSeries::new(
            (0..n).map(|k| (s * fit.x[k], fit.residuals[k])),
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(Figure {
        title: opt.title.clone(),
        svg,
        caption: String::new(),
    })
}

/// Nyquist plot: −Im Z up against Re Z, equal scaling on both axes (a
/// semicircle looks like one), the data as markers, the fitted circuit (if
/// any) as a line on a dense grid, and the frequency of each decade labelled at
/// the nearest data point.
pub fn nyquist(data: &ImpedanceSpectrum, fit: Option<&CircuitFit>, title: &str) -> Result<Figure> {
    nyquist_impl(data, fit, title, f64::INFINITY)
}

/// [`nyquist`] restricted to the points with Re Z ≤ `re_max` (Ω): a zoom on
/// the high-frequency arcs when a low-frequency spike or arc dominates.
pub fn nyquist_zoom(
    data: &ImpedanceSpectrum,
    fit: Option<&CircuitFit>,
    title: &str,
    re_max: f64,
) -> Result<Figure> {
    if re_max.is_nan() || re_max <= 0.0 {
        return Err(data_err(
            "Nyquist zoom",
            format!("re_max = {re_max} must be > 0"),
        ));
    }
    nyquist_impl(data, fit, title, re_max)
}

fn nyquist_impl(
    data: &ImpedanceSpectrum,
    fit: Option<&CircuitFit>,
    title: &str,
    re_max: f64,
) -> Result<Figure> {
    let keep: Vec<usize> = (0..data.len())
        .filter(|&i| data.z()[i].re <= re_max && -data.z()[i].im <= re_max)
        .collect();
    if keep.is_empty() {
        return Err(data_err("impedance spectrum", "no points to plot"));
    }
    let re: Vec<f64> = keep.iter().map(|&i| data.z()[i].re).collect();
    let im: Vec<f64> = keep.iter().map(|&i| -data.z()[i].im).collect();
    let freq: Vec<f64> = keep.iter().map(|&i| data.freq()[i]).collect();
    let model = match fit {
        Some(f) => {
            let g = dense_grid(data);
            let z = f.predict(&g)?;
            Some(
                z.iter()
                    .filter(|z| z.re <= re_max && -z.im <= re_max)
                    .map(|z| (z.re, -z.im))
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let xr = padded_range("Re Z", &re, 0.04)?;
    let yr = padded_range("−Im Z", im.iter().chain([0.0].iter()), 0.04)?;
    let frame = nyquist_frame(title, xr, yr)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, frame.size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let mut chart = nyquist_chart(&root, title, &frame)?;
        let (xt, yt) = (&frame.x_ticks, &frame.y_ticks);
        chart
            .configure_mesh()
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .x_desc("Re Z (Ω)")
            .y_desc("−Im Z (Ω)")
            .x_label_formatter(&|v| xt.label(*v))
            .y_label_formatter(&|v| yt.label(*v))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(
                re.iter()
                    .zip(&im)
                    .map(|(&x, &y)| Circle::new((x, y), 3, colour(0).filled())),
            )
            .map_err(draw_err)?
            .label("data")
            .legend(|(x, y)| Circle::new((x + 8, y), 3, colour(0).filled()));
        if let Some(m) = &model {
            chart
                .draw_series(LineSeries::new(
                    m.iter().copied(),
                    colour(1).stroke_width(2),
                ))
                .map_err(draw_err)?
                .label("fit")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour(1)));
        }
        // decade labels, lowest frequency first, each where it overlaps
        // neither another label nor a data or model point
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        let origin = chart.backend_coord(&(frame.x.0, frame.y.1));
        let px = |p: (f64, f64)| {
            let q = chart.backend_coord(&p);
            (q.0 - origin.0, q.1 - origin.1)
        };
        let mut obstacles: Vec<(i32, i32)> =
            re.iter().zip(&im).map(|(&x, &y)| px((x, y))).collect();
        obstacles.extend(model.iter().flatten().map(|&p| px(p)));
        let mut labels = decade_labels(&freq);
        labels.sort_by(|a, b| freq[a.0].total_cmp(&freq[b.0]));
        let placed = place_labels(
            labels
                .iter()
                .map(|(i, l)| (px((re[*i], im[*i])), l.chars().count())),
            &obstacles,
            (pw as i32, ph as i32),
        );
        chart
            .draw_series(labels.iter().zip(placed).filter_map(|((i, lab), at)| {
                at.map(|off| {
                    EmptyElement::at((re[*i], im[*i]))
                        + Cross::new((0, 0), 4, BLACK)
                        + Text::new(lab.clone(), off, ("sans-serif", 12))
                })
            }))
            .map_err(draw_err)?;
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.85))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(Figure {
        title: title.into(),
        svg,
        caption: String::new(),
    })
}

/// Where to draw point labels (12 px sans-serif) so that none overlaps
/// another label, a data or model point (`obstacles`) or the edge of the
/// plotting area (`area` = width, height). Input: each label's point
/// (pixels from the area's top left) and its length in characters, in order
/// of priority; output in the same order: the text's offset from its point
/// (up-right, down-right, up-left or down-left, the first that is free), or
/// `None` where no place is free and the label is left out.
fn place_labels(
    labels: impl Iterator<Item = ((i32, i32), usize)>,
    obstacles: &[(i32, i32)],
    area: (i32, i32),
) -> Vec<Option<(i32, i32)>> {
    let mut boxes: Vec<(i32, i32, i32, i32)> = Vec::new();
    labels
        .map(|((x, y), chars)| {
            // sans-serif at 12 px: about 7 px a character, 14 px a line
            let w = 7 * chars as i32;
            let offsets = [(6, -17), (6, 3), (-6 - w, -17), (-6 - w, 3)];
            let fits = |&(dx, dy): &(i32, i32)| {
                let b = (x + dx, y + dy, x + dx + w, y + dy + 14);
                let inside = b.0 >= 0 && b.1 >= 0 && b.2 <= area.0 && b.3 <= area.1;
                let free = boxes
                    .iter()
                    .all(|o| b.2 < o.0 || o.2 < b.0 || b.3 < o.1 || o.3 < b.1);
                let clear = obstacles
                    .iter()
                    .all(|&(px, py)| px < b.0 - 3 || px > b.2 + 3 || py < b.1 - 3 || py > b.3 + 3);
                inside && free && clear
            };
            let at = offsets.iter().copied().find(fits);
            if let Some((dx, dy)) = at {
                boxes.push((x + dx, y + dy, x + dx + w, y + dy + 14));
            }
            at
        })
        .collect()
}

/// Largest and smallest plotting area of a Nyquist figure (pixels).
const NYQUIST_MAX_AREA: (f64, f64) = (620.0, 500.0);
const NYQUIST_MIN_SIDE: f64 = 240.0;
/// Figure margins around the plotting area: margin, y-label area, x-label area.
const NYQUIST_MARGIN: u32 = 12;
const NYQUIST_Y_AREA: u32 = 70;
const NYQUIST_X_AREA: u32 = 42;

/// A Nyquist figure's size, ranges (Ω) and ticks.
struct NyquistFrame {
    size: (u32, u32),
    x: (f64, f64),
    y: (f64, f64),
    x_ticks: axis::Ticks,
    y_ticks: axis::Ticks,
}

/// Sizes a Nyquist figure to its data: the plotting area takes the data's
/// aspect ratio (within [`NYQUIST_MAX_AREA`], no side below
/// [`NYQUIST_MIN_SIDE`]), so both axes have the same Ω per pixel and run no
/// further than the data (plus padding) except where a side had to be
/// widened to its minimum. Both axes share one tick step.
fn nyquist_frame(title: &str, xr: (f64, f64), yr: (f64, f64)) -> Result<NyquistFrame> {
    let (sx, sy) = (xr.1 - xr.0, yr.1 - yr.0);
    if !(sx > 0.0 && sy > 0.0 && sx.is_finite() && sy.is_finite()) {
        return Err(data_err("Nyquist plot", "no finite extent"));
    }
    let scale = (NYQUIST_MAX_AREA.0 / sx).min(NYQUIST_MAX_AREA.1 / sy);
    let pw = (sx * scale).max(NYQUIST_MIN_SIDE).round() as u32;
    let ph = (sy * scale).max(NYQUIST_MIN_SIDE).round() as u32;
    // the title's height: a probe drawing area with the same title
    let title_h = {
        let mut probe = String::new();
        let area = SVGBackend::with_string(&mut probe, (400, 400)).into_drawing_area();
        let under = area.titled(title, ("sans-serif", 18)).map_err(draw_err)?;
        400 - under.dim_in_pixel().1
    };
    let size = (
        pw + 2 * NYQUIST_MARGIN + NYQUIST_Y_AREA,
        ph + 2 * NYQUIST_MARGIN + NYQUIST_X_AREA + title_h,
    );
    // exact equal scaling on the integer pixel area: widen the range that
    // has room to spare (x both ways but not across 0, y upwards)
    let scale = (f64::from(pw) / sx).min(f64::from(ph) / sy);
    let (mut x, mut y) = (xr, yr);
    let extra_x = f64::from(pw) / scale - sx;
    if extra_x > 0.0 {
        x = (x.0 - extra_x / 2.0, x.1 + extra_x / 2.0);
        if x.0 < 0.0 && xr.0 >= 0.0 {
            x = (0.0, x.1 - x.0);
        }
    }
    let extra_y = f64::from(ph) / scale - sy;
    if extra_y > 0.0 {
        y.1 += extra_y;
    }
    // one step and one label style for both axes, ticks about 60–150 px apart
    let step = axis::nice_step(60.0 / scale);
    let style = x.0.abs().max(x.1.abs()).max(y.0.abs()).max(y.1.abs());
    Ok(NyquistFrame {
        size,
        x_ticks: axis::linear_step(x.0, x.1, step, Some(style)),
        y_ticks: axis::linear_step(y.0, y.1, step, Some(style)),
        x,
        y,
    })
}

type NyquistChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<axis::KeyAxis, axis::KeyAxis>>;

fn nyquist_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    f: &NyquistFrame,
) -> Result<NyquistChart<'a, 'b>> {
    ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(NYQUIST_MARGIN)
        .x_label_area_size(NYQUIST_X_AREA)
        .y_label_area_size(NYQUIST_Y_AREA)
        .build_cartesian_2d(
            axis::KeyAxis::new(f.x, &f.x_ticks),
            axis::KeyAxis::new(f.y, &f.y_ticks),
        )
        .map_err(draw_err)
}

/// Bode plot: |Z| (log) and phase −θ (degrees) against frequency (log), data
/// as markers and the fit (if any) as lines.
pub fn bode(data: &ImpedanceSpectrum, fit: Option<&CircuitFit>, title: &str) -> Result<Figure> {
    if data.is_empty() {
        return Err(data_err("impedance spectrum", "no points"));
    }
    let lf: Vec<f64> = data.freq().iter().map(|f| f.log10()).collect();
    let lm: Vec<f64> = data
        .z()
        .iter()
        .map(|z| z.norm().max(1e-300).log10())
        .collect();
    let ph: Vec<f64> = data.z().iter().map(|z| -z.arg().to_degrees()).collect();
    let model = match fit {
        Some(f) => {
            let g = dense_grid(data);
            let z = f.predict(&g)?;
            Some(
                g.iter()
                    .zip(&z)
                    .map(|(f, z)| {
                        (
                            f.log10(),
                            z.norm().max(1e-300).log10(),
                            -z.arg().to_degrees(),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
        }
        None => None,
    };
    let xr = padded_range("frequency", &lf, 0.02)?;
    let mr = padded_range(
        "|Z|",
        lm.iter().chain(model.iter().flatten().map(|m| &m.1)),
        0.05,
    )?;
    let pr = padded_range(
        "phase",
        ph.iter().chain(model.iter().flatten().map(|m| &m.2)),
        0.05,
    )?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let root = root.titled(title, ("sans-serif", 18)).map_err(draw_err)?;
        let h = root.dim_in_pixel().1;
        let (top, bottom) = root.split_vertically(h / 2);
        panel(
            &top,
            xr,
            mr,
            "|Z| (Ω)",
            true,
            &lf,
            &lm,
            model
                .as_ref()
                .map(|m| m.iter().map(|p| (p.0, p.1)).collect()),
        )?;
        panel(
            &bottom,
            xr,
            pr,
            "−phase (°)",
            false,
            &lf,
            &ph,
            model
                .as_ref()
                .map(|m| m.iter().map(|p| (p.0, p.2)).collect()),
        )?;
        root.present().map_err(draw_err)?;
    }
    Ok(Figure {
        title: title.into(),
        svg,
        caption: String::new(),
    })
}

#[allow(clippy::too_many_arguments)]
fn panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    xr: (f64, f64),
    yr: (f64, f64),
    y_desc: &str,
    log_y: bool,
    x: &[f64],
    y: &[f64],
    model: Option<Vec<(f64, f64)>>,
) -> Result<()> {
    let (w, h) = area.dim_in_pixel();
    let xt = axis::log10(xr.0, xr.1, tick_count(w.saturating_sub(100), 60));
    let yt = axis_ticks(yr, log_y, false, tick_count(h.saturating_sub(60), 45));
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(84)
        .build_cartesian_2d(axis::KeyAxis::new(xr, &xt), axis::KeyAxis::new(yr, &yt))
        .map_err(draw_err)?;
    let fy = |v: &f64| yt.label(*v);
    chart
        .configure_mesh()
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .x_desc("frequency (Hz)")
        .y_desc(y_desc)
        .x_label_formatter(&|v| xt.label(*v))
        .y_label_formatter(&fy)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(draw_err)?;
    chart
        .draw_series(
            x.iter()
                .zip(y)
                .map(|(&a, &b)| Circle::new((a, b), 3, colour(0).filled())),
        )
        .map_err(draw_err)?;
    if let Some(m) = model {
        chart
            .draw_series(LineSeries::new(m, colour(1).stroke_width(2)))
            .map_err(draw_err)?;
    }
    Ok(())
}

/// The distribution of relaxation times γ(τ) (Ω) against τ (s, log axis),
/// peaks marked.
pub fn drt(result: &DrtResult, title: &str) -> Result<Figure> {
    drt_marked(result, 0.0, title)
}

/// [`drt`] marking only the peaks that hold more than `fraction` of the
/// polarization resistance ([`DrtResult::significant_peaks`]), so that a
/// figure marks exactly the peaks a table beside it lists; the legend says
/// which (`peaks > 5 % of R_pol` for 0.05).
pub fn drt_marked(result: &DrtResult, fraction: f64, title: &str) -> Result<Figure> {
    drt_figure(result, None, fraction, title)
}

/// [`drt_marked`] with the DRT's credible band
/// ([`interphase_eis::drt_bands::DrtBands`]): the posterior mean of γ and
/// the band's lower and upper edges as thin lines beside the DRT's own γ.
pub fn drt_with_band(
    result: &DrtResult,
    bands: &DrtBands,
    fraction: f64,
    title: &str,
) -> Result<Figure> {
    if bands.tau.len() != result.tau.len() {
        return Err(Error::Data {
            what: "the DRT band".into(),
            reason: format!(
                "{} points for a DRT of {}",
                bands.tau.len(),
                result.tau.len()
            ),
        });
    }
    drt_figure(result, Some(bands), fraction, title)
}

fn drt_figure(
    result: &DrtResult,
    bands: Option<&DrtBands>,
    fraction: f64,
    title: &str,
) -> Result<Figure> {
    let (pt, pg): (Vec<f64>, Vec<f64>) = result
        .significant_peaks(fraction)
        .into_iter()
        .map(|p| (p.tau, p.gamma))
        .unzip();
    let mut plot = XyPlot::new(title)
        .x_label("τ (s)")
        .y_label("γ (Ω)")
        .log_x(true)
        .series(Series::line("γ(τ)", &result.tau, &result.gamma));
    if let Some(b) = bands {
        let pct = 100.0 * b.options.level;
        plot = plot
            .series(Series::line("posterior mean", &b.tau, &b.mean))
            .series(Series::line(
                &format!("{pct:.0} % band, lower"),
                &b.tau,
                &b.lower,
            ))
            .series(Series::line(
                &format!("{pct:.0} % band, upper"),
                &b.tau,
                &b.upper,
            ));
    }
    if !pt.is_empty() {
        let label = if fraction > 0.0 {
            format!("peaks > {} % of R_pol", 100.0 * fraction)
        } else {
            "peaks".to_string()
        };
        plot = plot.series(Series::points(&label, &pt, &pg));
    }
    plot.draw()
}

/// The Lin-KK M-scan ([`interphase_eis::kk::kk_scan`]): against the number
/// of RC elements M, on one logarithmic axis, the pseudo-χ², the largest
/// |residual| (fraction of |Z|) and 1 − μ = Σ|Rₖ<0| / Σ|Rₖ≥0| with the
/// μ criterion's cut-off 1 − c (impedance.py's c = 0.85: 0.15) as a line;
/// `chosen` marks the M used. Where 1 − μ is 0 (no negative Rₖ) the log
/// axis leaves the point out. Errors on an empty scan.
pub fn kk_scan(scan: &[KkScanPoint], chosen: usize, c: f64, title: &str) -> Result<Figure> {
    if scan.is_empty() {
        return Err(Error::Data {
            what: "the Lin-KK scan".into(),
            reason: "no point".into(),
        });
    }
    let m: Vec<f64> = scan.iter().map(|p| p.m as f64).collect();
    let chi: Vec<f64> = scan.iter().map(|p| p.pseudo_chi2).collect();
    let max: Vec<f64> = scan.iter().map(|p| p.max_abs_residual).collect();
    let neg: Vec<f64> = scan.iter().map(|p| 1.0 - p.mu).collect();
    let ends = [m[0], m[m.len() - 1]];
    let mut plot = XyPlot::new(title)
        .x_label("RC elements M")
        .y_label("value")
        .log_y(true)
        .series(Series::line_points("pseudo-χ²", &m, &chi))
        .series(Series::line_points("max |residual|", &m, &max))
        .series(Series::line_points("1 − μ", &m, &neg))
        .series(Series::line(
            &format!("μ cut-off c = {c}"),
            &ends,
            &[1.0 - c, 1.0 - c],
        ));
    if let Some(p) = scan.iter().find(|p| p.m == chosen) {
        plot = plot.series(Series::points(
            &format!("chosen M = {chosen}"),
            &[chosen as f64],
            &[p.pseudo_chi2],
        ));
    }
    plot.draw()
}

/// An Arrhenius plot: ln(σT) (or ln σ, as fitted) against 1000/T (K⁻¹) for
/// the measured `t_kelvin` and `sigma` (S cm⁻¹), with the fitted line and
/// E_a ± its standard error in the legend.
pub fn arrhenius(t_kelvin: &[f64], sigma: &[f64], fit: &Arrhenius, title: &str) -> Result<Figure> {
    check_pairs("Arrhenius data", t_kelvin, sigma)?;
    let y_of = |t: f64, s: f64| if fit.sigma_t { (s * t).ln() } else { s.ln() };
    let x: Vec<f64> = t_kelvin.iter().map(|t| 1000.0 / t).collect();
    let y: Vec<f64> = t_kelvin
        .iter()
        .zip(sigma)
        .map(|(&t, &s)| y_of(t, s))
        .collect();
    let (lo, hi) = x
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(data_err("Arrhenius data", "no finite temperatures"));
    }
    let line_x = [lo, hi];
    let line_y: Vec<f64> = line_x
        .iter()
        .map(|&k| {
            fit.ln_prefactor.value - fit.activation_energy_ev.value * k / (1000.0 * BOLTZMANN_EV)
        })
        .collect();
    let ea = &fit.activation_energy_ev;
    XyPlot::new(title)
        .x_label("1000/T (1/K)")
        .y_label(if fit.sigma_t {
            "ln(σT / S cm⁻¹ K)"
        } else {
            "ln(σ / S cm⁻¹)"
        })
        .series(Series::points("measured", &x, &y))
        .series(Series::line(
            &format!("fit: Ea = {:.3} ± {:.3} eV", ea.value, ea.stderr),
            &line_x,
            &line_y,
        ))
        .draw()
}

/// 20 points per decade spanning the data's frequencies.
fn dense_grid(data: &ImpedanceSpectrum) -> Vec<f64> {
    let (lo, hi) = data.freq_range();
    let (a, b) = (lo.log10(), hi.log10());
    let n = (((b - a) * 20.0).ceil() as usize).clamp(2, 400);
    (0..=n)
        .map(|i| 10f64.powf(a + (b - a) * i as f64 / n as f64))
        .collect()
}

/// For each decade 10^k inside the data's range, the index of the data point
/// nearest in log f and the label.
fn decade_labels(freq: &[f64]) -> Vec<(usize, String)> {
    let (lo, hi) = freq
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &f| {
            (a.min(f), b.max(f))
        });
    if !(lo > 0.0 && hi.is_finite()) {
        return Vec::new();
    }
    let (a, b) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
    let mut out = Vec::new();
    for k in a..=b.min(a + 30) {
        let t = f64::from(k);
        let (i, d) = freq
            .iter()
            .enumerate()
            .map(|(i, f)| (i, (f.log10() - t).abs()))
            .fold((0, f64::INFINITY), |m, c| if c.1 < m.1 { c } else { m });
        if d < 0.25 {
            let lab = match k {
                k if k >= 9 => format!("10{} Hz", axis::superscript(k)),
                k if k >= 6 => format!("{} MHz", 10i64.pow((k - 6) as u32)),
                k if k >= 3 => format!("{} kHz", 10i64.pow((k - 3) as u32)),
                k if k >= 0 => format!("{} Hz", 10i64.pow(k as u32)),
                k if k >= -3 => format!("{} mHz", 10i64.pow((k + 3) as u32)),
                _ => format!("10{} Hz", axis::superscript(k)),
            };
            out.push((i, lab));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xy_errors() {
        let e = XyPlot::new("t").draw().unwrap_err();
        assert!(e.to_string().contains("no series"), "{e}");
        let e = XyPlot::new("t")
            .series(Series::line("a", &[1.0, 2.0], &[1.0]))
            .draw()
            .unwrap_err();
        assert!(e.to_string().contains("2 x values but 1 y values"), "{e}");
        let e = XyPlot::new("t")
            .series(Series::line("a", &[f64::NAN], &[1.0]))
            .draw()
            .unwrap_err();
        assert!(e.to_string().contains("no finite values"), "{e}");
    }

    #[test]
    fn log_axes_drop_non_positive() {
        let f = XyPlot::new("drt")
            .log_x(true)
            .series(Series::line(
                "g",
                &[0.0, 1e-3, 1e-2, 1e-1],
                &[1.0, 2.0, 3.0, 1.0],
            ))
            .draw()
            .unwrap();
        assert!(f.svg().contains("10⁻²"), "decade label expected");
    }

    #[test]
    fn decades_of_a_sweep() {
        let f: Vec<f64> = (0..61).map(|i| 10f64.powf(6.0 - i as f64 / 10.0)).collect();
        let d = decade_labels(&f);
        assert_eq!(d.len(), 7);
        assert_eq!(d[0], (60, "1 Hz".to_string()));
        assert_eq!(d[6], (0, "1 MHz".to_string()));
    }

    #[test]
    fn drt_and_arrhenius_figures() {
        use interphase_eis::Circuit;
        use interphase_eis::conductivity::arrhenius as fit_arrhenius;
        use interphase_eis::drt::{DrtOptions, drt as compute};
        let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse().unwrap();
        let f: Vec<f64> = (0..61).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
        let d = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f).unwrap();
        let r = compute(&d, &DrtOptions::default()).unwrap();
        let fig = drt(&r, "DRT").unwrap();
        assert!(fig.svg().contains("γ(τ)") && fig.svg().contains("peaks"));
        // marking only the significant peaks: the legend says so, and a
        // threshold above every peak leaves no marks at all
        let fig = drt_marked(&r, 0.05, "DRT").unwrap();
        assert!(
            fig.svg().contains("peaks &gt; 5 % of R_pol")
                || fig.svg().contains("peaks > 5 % of R_pol")
        );
        assert!(!r.significant_peaks(0.05).is_empty());
        assert!(r.significant_peaks(0.05).len() <= r.peaks.len());
        let none = drt_marked(&r, 2.0, "DRT").unwrap();
        assert!(!none.svg().contains("peaks"));
        // with the credible band (noisy data: the noise-free residuals leave
        // almost no width, which is still a band)
        let noisy = ImpedanceSpectrum::simulate_noisy(
            &c,
            &[10.0, 100.0, 1e-7, 50.0, 2e-4],
            &f,
            interphase_eis::data::Noise::Proportional(0.01),
            3,
        )
        .unwrap();
        let rn = compute(&noisy, &DrtOptions::default()).unwrap();
        let o = interphase_eis::drt_bands::DrtBandOptions {
            samples: 60,
            burn_in: 10,
            ..Default::default()
        };
        let b = interphase_eis::drt_bands::drt_bands(&noisy, &rn, &o).unwrap();
        let fig = drt_with_band(&rn, &b, 0.05, "DRT").unwrap();
        assert!(fig.svg().contains("posterior mean") && fig.svg().contains("99 % band, upper"));
        let short =
            ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 50.0, 2e-4], &f[..30]).unwrap();
        let rs = compute(&short, &DrtOptions::default()).unwrap();
        assert!(drt_with_band(&rs, &b, 0.05, "DRT").is_err());
        // the M-scan
        let scan = interphase_eis::kk::kk_scan(
            &d,
            &interphase_eis::kk::KkOptions {
                max_m: 12,
                ..Default::default()
            },
        )
        .unwrap();
        let fig = kk_scan(&scan, 6, 0.85, "M-scan").unwrap();
        assert!(fig.svg().contains("pseudo-χ²") && fig.svg().contains("chosen M = 6"));
        assert!(kk_scan(&[], 1, 0.85, "M-scan").is_err());
        let t = [300.0, 325.0, 350.0, 375.0];
        let s: Vec<f64> = t
            .iter()
            .map(|t| 1e3 / t * (-0.3 / (BOLTZMANN_EV * t)).exp())
            .collect();
        let a = fit_arrhenius(&t, &s, true).unwrap();
        let fig = arrhenius(&t, &s, &a, "Arrhenius").unwrap();
        assert!(fig.svg().contains("Ea = 0.300"), "legend with Ea");
        assert!(arrhenius(&t, &s[..2], &a, "x").is_err());
    }

    /// Ω per pixel on each axis of the chart a frame builds.
    fn ohm_per_pixel(title: &str, f: &NyquistFrame) -> (f64, f64, (u32, u32)) {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, f.size).into_drawing_area();
        let chart = nyquist_chart(&root, title, f).unwrap();
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        (
            (f.x.1 - f.x.0) / f64::from(pw),
            (f.y.1 - f.y.0) / f64::from(ph),
            (pw, ph),
        )
    }

    #[test]
    fn nyquist_axes_are_equal_and_fitted_to_the_data() {
        // wide (arcs), tall (a blocking spike, the issue's pellet: data to
        // 4.2e4 Ω in Re but 1.05e5 Ω in −Im) and tiny extents
        for (xr, yr) in [
            ((100.0, 9000.0), (0.0, 2700.0)),
            ((0.0, 4.2e4), (0.0, 1.05e5)),
            ((1.0, 1.001), (0.0, 0.0004)),
        ] {
            let f = nyquist_frame("N", xr, yr).unwrap();
            let (ux, uy, (pw, ph)) = ohm_per_pixel("N", &f);
            // equal scaling, to a fraction of a pixel over the whole axis
            assert!(
                (ux - uy).abs() * f64::from(pw.max(ph)) < 0.5 * ux,
                "{ux} {uy}"
            );
            // the data inside, and no side extended beyond what the
            // minimum plotting size needs
            assert!(f.x.0 <= xr.0 && f.x.1 >= xr.1 && f.y.0 <= yr.0 && f.y.1 >= yr.1);
            let fill_x = (xr.1 - xr.0) / (f.x.1 - f.x.0);
            let fill_y = (yr.1 - yr.0) / (f.y.1 - f.y.0);
            assert!(
                fill_x > 0.99 || fill_y > 0.99 || (pw <= 241 && ph <= 241),
                "{xr:?} {yr:?} → {:?} {:?}",
                f.x,
                f.y
            );
            assert!(
                fill_x > 0.99 || pw <= 241,
                "x padded beyond the minimum: {:?}",
                f.x
            );
            assert!(
                fill_y > 0.99 || ph <= 241,
                "y padded beyond the minimum: {:?}",
                f.y
            );
            // one tick step and one label style on both axes
            let (px, py) = (f.x_ticks.positions(), f.y_ticks.positions());
            assert!(px.len() >= 2 && py.len() >= 2, "{px:?} {py:?}");
            assert!(((px[1] - px[0]) - (py[1] - py[0])).abs() < 1e-9 * (px[1] - px[0]));
        }
        // the pellet: x ends near its data (the 240 px minimum width), not at 1.4e5 Ω
        let f = nyquist_frame("N", (0.0, 4.2e4), (0.0, 1.05e5)).unwrap();
        assert!(f.x.1 < 5.1e4, "{:?}", f.x);
        assert!(
            f.x_ticks.label(2e4) == "0.2×10⁵" && f.y_ticks.label(1e5) == "1.0×10⁵",
            "{:?} {:?}",
            f.x_ticks,
            f.y_ticks
        );
        assert!(nyquist_frame("N", (1.0, 1.0), (0.0, 1.0)).is_err());
    }

    #[test]
    fn frequency_labels_do_not_overlap() {
        // three labels on one spot (the second and third move to the other
        // side), one far away, one outside the area, one hemmed in by points
        let keep = place_labels(
            [
                ((100, 100), 6),
                ((102, 102), 6),
                ((101, 99), 6),
                ((101, 101), 6),
                ((300, 100), 6),
                ((10, 5), 6),
            ]
            .into_iter(),
            &[(200, 150)],
            (400, 300),
        );
        assert_eq!(
            keep,
            [
                Some((6, -17)),
                Some((6, 3)),
                Some((-48, -17)),
                Some((-48, 3)),
                Some((6, -17)),
                Some((6, 3))
            ]
        );
        let crowded: Vec<(i32, i32)> = (0..40)
            .flat_map(|i| (0..40).map(move |j| (80 + 3 * i, 80 + 3 * j)))
            .collect();
        let keep = place_labels([((140, 140), 6)].into_iter(), &crowded, (400, 300));
        assert_eq!(keep, [None]);
        // a real spectrum: whatever is drawn does not overlap
        use interphase_eis::Circuit;
        let c: Circuit = "R0-p(R1,C1)-p(R2,C2)".parse().unwrap();
        let f: Vec<f64> = (0..81).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
        let d = ImpedanceSpectrum::simulate(&c, &[10.0, 100.0, 1e-7, 5e4, 2e-6], &f).unwrap();
        let fig = nyquist(&d, None, "N").unwrap();
        let n = [
            "1 Hz", "10 Hz", "100 Hz", "1 kHz", "10 kHz", "100 kHz", "1 MHz",
        ]
        .iter()
        .filter(|l| fig.svg().contains(&format!("{l}\n</text>")))
        .count();
        assert!((2..7).contains(&n), "{n} decade labels drawn");
    }

    #[test]
    fn the_repl_gets_text_and_jupyter_the_svg() {
        let f = XyPlot::new("Ti³⁺ fraction")
            .series(Series::line("a", &[1.0, 2.0], &[1.0, 3.0]))
            .draw()
            .unwrap()
            .with_caption("It rises.");
        assert_eq!(
            f.plain_text(),
            "[figure] Ti³⁺ fraction (SVG, 720 × 480 px; `save(path)` writes it)\nIt rises."
        );
        assert_eq!(svg_size("<svg width=\"3\">"), None);
    }

    #[test]
    fn html_escapes_and_does_not_repeat_the_title() {
        let f = Figure {
            title: "a<b".into(),
            svg: "<svg/>".into(),
            caption: String::new(),
        };
        assert!(f.html().contains("aria-label=\"a&lt;b\""));
        assert!(!f.html().contains("figcaption"), "{}", f.html());
        let f = f.with_caption("look at c>d");
        assert_eq!(f.caption(), "look at c>d");
        assert!(f.html().contains("<figcaption>look at c&gt;d</figcaption>"));
    }
}
