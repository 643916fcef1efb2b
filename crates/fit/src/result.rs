//! The outcome of a fit: best values, uncertainties, statistics and a report.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::param::Parameters;

/// Why the solver stopped.
///
/// The first eight are MINPACK's `info` codes 1–8 (Moré, Garbow, Hillstrom 1980).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Termination {
    /// Relative reduction of χ² below `ftol` (MINPACK info 1).
    FtolReached,
    /// Relative change of the parameters below `xtol` (info 2).
    XtolReached,
    /// Both of the above (info 3).
    FtolAndXtolReached,
    /// Residuals orthogonal to the Jacobian's columns within `gtol` (info 4).
    GtolReached,
    /// The evaluation budget ran out (info 5): not converged.
    MaxEvaluations,
    /// χ² cannot decrease further at machine precision (info 6): converged as far
    /// as `f64` allows.
    FtolAtMachinePrecision,
    /// The parameters cannot change further at machine precision (info 7).
    XtolAtMachinePrecision,
    /// The gradient is zero to machine precision (info 8).
    GtolAtMachinePrecision,
    /// The Jacobian became NaN or infinite: not converged.
    NonFiniteJacobian,
    /// Nelder–Mead: the simplex's cost spread fell below its tolerance.
    SimplexConverged,
    /// Nelder–Mead: the iteration budget ran out: not converged.
    MaxIterations,
}

impl Termination {
    /// True for the stops that mean a minimum was found.
    pub fn converged(self) -> bool {
        !matches!(
            self,
            Termination::MaxEvaluations
                | Termination::NonFiniteJacobian
                | Termination::MaxIterations
        )
    }

    /// A sentence for reports.
    pub fn message(self) -> &'static str {
        match self {
            Termination::FtolReached => "relative reduction of chi-square below ftol",
            Termination::XtolReached => "relative change of parameters below xtol",
            Termination::FtolAndXtolReached => {
                "chi-square and parameters converged (ftol and xtol)"
            }
            Termination::GtolReached => "gradient orthogonality below gtol",
            Termination::MaxEvaluations => "maximum number of evaluations reached (not converged)",
            Termination::FtolAtMachinePrecision => "chi-square converged to machine precision",
            Termination::XtolAtMachinePrecision => "parameters converged to machine precision",
            Termination::GtolAtMachinePrecision => "gradient zero to machine precision",
            Termination::NonFiniteJacobian => "the Jacobian became non-finite (not converged)",
            Termination::SimplexConverged => "Nelder-Mead simplex converged",
            Termination::MaxIterations => "maximum number of iterations reached (not converged)",
        }
    }
}

/// A quantity derived from fitted parameters (see [`FitResult::derived`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// The value at the best parameters.
    pub value: f64,
    /// One standard error from the full covariance (σ² = gᵀ C g); `None`
    /// when the fit has no covariance.
    pub stderr: Option<f64>,
    /// ∂f/∂p for each parameter named, in the order given.
    pub gradient: Vec<f64>,
}

/// One parameter's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamResult {
    /// Name.
    pub name: String,
    /// Best value.
    pub value: f64,
    /// One-standard-deviation uncertainty; `None` for fixed parameters or when the
    /// covariance could not be estimated.
    pub stderr: Option<f64>,
    /// Starting value.
    pub init: f64,
    /// Whether the solver varied it (false for fixed and tied parameters).
    pub vary: bool,
    /// Lower bound.
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
    /// `Some("factor*reference + offset")` for tied parameters.
    pub tie: Option<String>,
}

/// Everything a fit produced.
///
/// Statistics follow lmfit's definitions (lmfit 1.3 `MinimizerResult`):
/// `χ² = Σ rᵢ²`, `χ²_ν = χ²/(N − N_vary)`, `AIC = N ln(χ²/N) + 2 N_vary`,
/// `BIC = N ln(χ²/N) + ln(N)·N_vary`, and `R² = 1 − χ²/Σ wᵢ²(yᵢ − ȳ)²` with ȳ
/// the weighted mean, when the problem reports its observed data.
///
/// `Display` prints lmfit's `fit_report` layout: statistics, variables with
/// their errors and starting values, correlations above 0.1, warnings.
///
/// ```
/// use interphase_fit::{CurveFit, Parameters, fit, LmOptions};
/// let x: Vec<f64> = (0..30).map(|i| i as f64 * 0.2).collect();
/// let y: Vec<f64> = x.iter().enumerate()
///     .map(|(i, &x)| 2.0 * (-0.5 * x).exp() + 0.01 * ((7 * i) as f64).sin())
///     .collect();
/// let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * (-p[1] * x).exp())?;
/// let r = fit(&problem, &Parameters::from_values(&[("a", 1.0), ("k", 1.0)])?, &LmOptions::default())?;
/// println!("{r}");
/// assert!(r.to_string().starts_with("[[Fit Statistics]]"));
/// assert!(r.converged && r.params[1].stderr.is_some());
/// # Ok::<(), interphase_fit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitResult {
    /// Per-parameter outcomes, in parameter order.
    pub params: Vec<ParamResult>,
    /// Covariance over all parameters (`N_par × N_par`, rows in parameter order;
    /// zero rows for fixed ones, propagated rows for tied ones); `None` when it
    /// could not be estimated.
    pub covariance: Option<Vec<Vec<f64>>>,
    /// χ² = Σ rᵢ² of the weighted residuals.
    pub chi_square: f64,
    /// χ² / degrees of freedom.
    pub reduced_chi_square: f64,
    /// Number of residuals N.
    pub n_data: usize,
    /// Number of varying parameters.
    pub n_varying: usize,
    /// Degrees of freedom N − N_vary.
    pub dof: usize,
    /// Coefficient of determination, when the problem reports its observed data.
    pub r_squared: Option<f64>,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Accepted iterations.
    pub n_iterations: usize,
    /// Residual evaluations, finite-difference ones included.
    pub n_evaluations: usize,
    /// Jacobian evaluations (analytic or by finite differences).
    pub n_jacobians: usize,
    /// Why the solver stopped.
    pub termination: Termination,
    /// Whether a minimum was found (see [`Termination::converged`]).
    pub converged: bool,
    /// Whether the covariance was scaled by χ²_ν (lmfit's `scale_covar`).
    pub covariance_scaled: bool,
    /// Whether the covariance is the robust (sandwich) one
    /// ([`LmOptions::robust_covariance`](crate::LmOptions::robust_covariance)).
    #[serde(default)]
    pub robust_covariance: bool,
    /// Residuals at the best values.
    pub residuals: Vec<f64>,
    /// Things the user should know: parameters at a bound, uncertainties that
    /// could not be estimated, a stop before convergence.
    pub warnings: Vec<String>,
}

/// `v` with at most `digits` significant digits, trailing zeros dropped,
/// scientific notation outside 10⁻³ ≤ |v| < 10⁷: for numbers that have no
/// uncertainty to round to (starting values, summaries over a batch).
///
/// ```
/// use interphase_fit::format_significant;
/// assert_eq!(format_significant(0.0000000023576050792891823, 6), "2.35761e-9");
/// assert_eq!(format_significant(458.80000000001, 6), "458.8");
/// assert_eq!(format_significant(-12.345678, 4), "-12.35");
/// ```
pub fn format_significant(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-3..7).contains(&mag) {
        let s = format!("{v:.*e}", digits.saturating_sub(1));
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{e}");
    }
    let dec = (digits as i32 - 1 - mag).max(0) as usize;
    let s = format!("{v:.dec$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A value with its standard error as scientists write it: σ to two
/// significant digits and the value to the same decimal place (`0.3200 ±
/// 0.0006`, `12350 ± 670`), in scientific notation with one shared exponent
/// outside 10⁻³ ≤ |x| < 10⁵ (`(2.339 ± 0.006)e-10`). σ = 0 prints the value
/// with `(exact)`, NaN or `None` with `(uncertainty not known)`, +∞ with
/// `(uncertainty unbounded: …)` — never `± 0` or `± inf`. A σ so small
/// that the value would need more than 15 significant digits (more than an
/// f64 holds) prints the value with 15 and σ in scientific notation.
///
/// ```
/// use interphase_fit::format_uncertain;
/// assert_eq!(format_uncertain(0.32004, Some(0.00061)), "0.32004 ± 0.00061");
/// assert_eq!(format_uncertain(0.3200, Some(0.0006)), "0.32000 ± 0.00060");
/// assert_eq!(format_uncertain(2.3389e-10, Some(6.1503e-13)), "(2.3389 ± 0.0062)e-10");
/// assert_eq!(format_uncertain(12345.0, Some(670.0)), "12350 ± 670");
/// // σ far below double precision (a noise-free fit): no 17-digit value
/// assert_eq!(format_uncertain(1e-6, Some(2.4e-22)), "1.00000000000000e-6 ± 2.4e-22");
/// assert_eq!(format_uncertain(5.008, Some(0.0)), "5.008 (exact)");
/// assert_eq!(format_uncertain(5.008, None), "5.008 (uncertainty not known)");
/// assert_eq!(
///     format_uncertain(5.008, Some(f64::INFINITY)),
///     "5.008 (uncertainty unbounded: the data do not determine it)"
/// );
/// ```
pub fn format_uncertain(value: f64, stderr: Option<f64>) -> String {
    let plain = |v: f64| {
        if v != 0.0 && v.is_finite() && (v.abs() >= 1e5 || v.abs() < 1e-3) {
            format!("{v:.5e}")
        } else {
            let s = format!("{v:.6}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
    };
    let sigma = match stderr {
        _ if !value.is_finite() => return format!("{value}"),
        None => return format!("{} (uncertainty not known)", plain(value)),
        Some(s) if s.is_nan() => return format!("{} (uncertainty not known)", plain(value)),
        Some(0.0) => return format!("{} (exact)", plain(value)),
        Some(s) if s.is_infinite() && s > 0.0 => {
            return format!(
                "{} (uncertainty unbounded: the data do not determine it)",
                plain(value)
            );
        }
        Some(s) if !s.is_finite() || s < 0.0 => {
            return format!("{} (invalid uncertainty {s})", plain(value));
        }
        Some(s) => s,
    };
    // decimal exponent of σ's second significant digit
    let q = sigma.log10().floor() as i32 - 1;
    let top = if value == 0.0 {
        q + 1
    } else {
        (value.abs().log10().floor() as i32).max(q + 1)
    };
    if top - q + 1 > 15 {
        // σ below double precision: the value to 15 significant digits
        // (all an f64 holds) and σ on its own
        return format!("{value:.14e} ± {sigma:.1e}");
    }
    if !(-3..5).contains(&top) {
        let scale = 10f64.powi(top);
        let dec = (top - q).max(0) as usize;
        return format!("({:.dec$} ± {:.dec$})e{top}", value / scale, sigma / scale);
    }
    if q >= 0 {
        let unit = 10f64.powi(q);
        let v = (value / unit).round() * unit;
        let e = (sigma / unit).round() * unit;
        return format!("{v:.0} ± {e:.0}");
    }
    let dec = (-q) as usize;
    format!("{value:.dec$} ± {sigma:.dec$}")
}

/// The content blocks of evcxr's display protocol for one value: its plain
/// text, which the evcxr REPL prints, then a rich form (`mime`, e.g.
/// `text/html` or `image/svg+xml`), which a Jupyter front end shows in
/// preference. The `evcxr_display` methods across the workspace print this,
/// so a result reads the same in the REPL as `println!("{r}")` and renders
/// as a table or figure in a notebook.
///
/// ```
/// let b = interphase_fit::evcxr_blocks("a = 1", "text/html", "<b>a</b> = 1");
/// assert_eq!(
///     b,
///     "EVCXR_BEGIN_CONTENT text/plain\na = 1\nEVCXR_END_CONTENT\n\
///      EVCXR_BEGIN_CONTENT text/html\n<b>a</b> = 1\nEVCXR_END_CONTENT"
/// );
/// ```
pub fn evcxr_blocks(plain: &str, mime: &str, rich: &str) -> String {
    format!(
        "EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT {mime}\n{}\nEVCXR_END_CONTENT",
        plain.trim_end_matches('\n'),
        rich.trim_end_matches('\n')
    )
}

/// Escapes `&`, `<`, `>` and `"` for HTML text (the `html()` methods of results,
/// tables and figures across the workspace use it).
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

impl FitResult {
    /// The result as an HTML table (parameters with standard errors, bounds and
    /// ties, then the statistics), for reports and notebooks.
    pub fn html(&self) -> String {
        let esc = escape_html;
        let num = |v: Option<f64>| v.map_or(String::from("—"), |v| format!("{v:.6e}"));
        let mut o = String::from(
            "<table>\n<tr><th>parameter</th><th>value</th><th>stderr</th><th>min</th><th>max</th><th>vary / tie</th></tr>\n",
        );
        for p in &self.params {
            let how = match (&p.tie, p.vary) {
                (Some(t), _) => format!("= {}", esc(t)),
                (None, true) => "free".into(),
                (None, false) => "fixed".into(),
            };
            o.push_str(&format!(
                "<tr><td>{}</td><td>{:.6e}</td><td>{}</td><td>{}</td><td>{}</td><td>{how}</td></tr>\n",
                esc(&p.name),
                p.value,
                num(p.stderr),
                num(p.min),
                num(p.max)
            ));
        }
        o.push_str(&format!(
            "</table>\n<p>{} points, {} varying, χ² = {:.6e}, reduced χ² = {:.6e}, AIC = {:.4}, BIC = {:.4}, {} evaluations; {}</p>\n",
            self.n_data,
            self.n_varying,
            self.chi_square,
            self.reduced_chi_square,
            self.aic,
            self.bic,
            self.n_evaluations,
            esc(self.termination.message())
        ));
        o
    }

    /// Shows [`FitResult::html`] inline in an evcxr notebook, and the text
    /// report in the evcxr REPL ([`evcxr_blocks`]).
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            evcxr_blocks(&self.to_string(), "text/html", &self.html())
        );
    }

    /// A parameter's outcome by name.
    pub fn param(&self, name: &str) -> Option<&ParamResult> {
        self.params.iter().find(|p| p.name == name)
    }

    /// A parameter's best value by name.
    pub fn value(&self, name: &str) -> Option<f64> {
        self.param(name).map(|p| p.value)
    }

    /// A parameter's standard error by name.
    pub fn stderr(&self, name: &str) -> Option<f64> {
        self.param(name).and_then(|p| p.stderr)
    }

    /// Best values in parameter order.
    pub fn values(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.value).collect()
    }

    /// Standard errors in parameter order.
    pub fn stderrs(&self) -> Vec<Option<f64>> {
        self.params.iter().map(|p| p.stderr).collect()
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Covariance of two parameters.
    pub fn covariance_of(&self, a: &str, b: &str) -> Option<f64> {
        let (i, j) = (self.index(a)?, self.index(b)?);
        self.covariance.as_ref().map(|c| c[i][j])
    }

    /// Correlation coefficient of two parameters (`None` if either has no uncertainty).
    pub fn correlation(&self, a: &str, b: &str) -> Option<f64> {
        let (i, j) = (self.index(a)?, self.index(b)?);
        let c = self.covariance.as_ref()?;
        let d = (c[i][i] * c[j][j]).sqrt();
        (d > 0.0).then(|| c[i][j] / d)
    }

    /// A quantity computed from fitted parameters, `f(p)` of the parameters
    /// named (in that order), with its standard error from the **full**
    /// covariance, correlations included: σ² = gᵀ C g, g = ∂f/∂p (first-order
    /// propagation, the delta method; GUM JCGM 100:2008 §5.2).
    ///
    /// The gradient is taken by central differences with steps
    /// `h = max(10⁻⁴ σᵢ, 10⁻⁸ |pᵢ|)` (one-sided where `f` is not finite on
    /// one side, as at a bound). Fixed parameters contribute nothing; tied
    /// ones through their propagated covariance rows. `stderr` is `None` when
    /// the fit has no covariance (its `warnings` say why). An error when a name
    /// is unknown or `f` is not finite at the best values.
    ///
    /// ```
    /// use interphase_fit::{fit, CurveFit, LmOptions, Parameter, Parameters};
    /// // y = a + b x; the mean response at x = 2 depends on a and b, which are correlated
    /// let x: Vec<f64> = (0..10).map(f64::from).collect();
    /// let y: Vec<f64> = x.iter().map(|x| 1.0 + 0.5 * x + 0.01 * (x * 7.0).sin()).collect();
    /// let p = Parameters::from_values(&[("a", 0.0), ("b", 1.0)])?;
    /// let model = CurveFit::new(&x, &y, |x: f64, p: &[f64]| p[0] + p[1] * x)?;
    /// let r = fit(&model, &p, &LmOptions::default())?;
    /// let at2 = r.derived(&["a", "b"], |p| p[0] + 2.0 * p[1])?;
    /// let c = r.covariance.as_ref().unwrap();
    /// let exact = (c[0][0] + 4.0 * c[1][1] + 4.0 * c[0][1]).sqrt();
    /// assert!((at2.stderr.unwrap() - exact).abs() < 1e-9 * exact);
    /// assert!(c[0][1] < 0.0); // a and b anticorrelated: σ is below the uncorrelated sum
    /// # Ok::<(), interphase_fit::Error>(())
    /// ```
    pub fn derived(&self, names: &[&str], f: impl Fn(&[f64]) -> f64) -> Result<Derived> {
        let idx: Vec<usize> = names
            .iter()
            .map(|n| {
                self.index(n)
                    .ok_or_else(|| Error::UnknownParameter((*n).to_string()))
            })
            .collect::<Result<_>>()?;
        let p: Vec<f64> = idx.iter().map(|&i| self.params[i].value).collect();
        let value = f(&p);
        if !value.is_finite() {
            return Err(Error::Data(format!(
                "the derived quantity is {value} at the best values of {}",
                names.join(", ")
            )));
        }
        let mut gradient = vec![0.0; p.len()];
        let mut q = p.clone();
        for (k, &i) in idx.iter().enumerate() {
            let sigma = self.params[i].stderr.unwrap_or(0.0);
            let h = (1e-4 * sigma).max(1e-8 * p[k].abs());
            if h == 0.0 || !h.is_finite() {
                continue;
            }
            q[k] = p[k] + h;
            let up = f(&q);
            q[k] = p[k] - h;
            let down = f(&q);
            q[k] = p[k];
            gradient[k] = match (up.is_finite(), down.is_finite()) {
                (true, true) => (up - down) / (2.0 * h),
                (true, false) => (up - value) / h,
                (false, true) => (value - down) / h,
                (false, false) => {
                    return Err(Error::Data(format!(
                        "the derived quantity is not finite within {h:e} of {} = {}",
                        names[k], p[k]
                    )));
                }
            };
        }
        let stderr = self.covariance.as_ref().map(|c| {
            let mut v = 0.0;
            for (a, &i) in idx.iter().enumerate() {
                for (b, &j) in idx.iter().enumerate() {
                    v += gradient[a] * c[i][j] * gradient[b];
                }
            }
            v.max(0.0).sqrt()
        });
        Ok(Derived {
            value,
            stderr,
            gradient,
        })
    }

    /// The correlation matrix over the varying parameters, with their names.
    pub fn correlation_matrix(&self) -> Option<(Vec<String>, Vec<Vec<f64>>)> {
        let c = self.covariance.as_ref()?;
        let idx: Vec<usize> = (0..self.params.len())
            .filter(|&i| self.params[i].vary)
            .collect();
        let names = idx.iter().map(|&i| self.params[i].name.clone()).collect();
        let m = idx
            .iter()
            .map(|&i| {
                idx.iter()
                    .map(|&j| {
                        let d = (c[i][i] * c[j][j]).sqrt();
                        if d > 0.0 { c[i][j] / d } else { f64::NAN }
                    })
                    .collect()
            })
            .collect();
        Some((names, m))
    }

    /// The parameter set at the best values (bounds, ties and vary flags kept), ready
    /// to start another fit from.
    pub fn to_parameters(&self, template: &Parameters) -> Parameters {
        let mut p = template.clone();
        for (i, r) in self.params.iter().enumerate() {
            if i < p.len() {
                let q = p.param_mut(i);
                let v = match (q.min(), q.max()) {
                    (Some(lo), _) if r.value < lo => lo,
                    (_, Some(hi)) if r.value > hi => hi,
                    _ => r.value,
                };
                *q = q.clone().with_value(v);
            }
        }
        p
    }
}

impl fmt::Display for FitResult {
    /// A report shaped like lmfit's `fit_report`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "[[Fit Statistics]]")?;
        writeln!(f, "    termination        = {}", self.termination.message())?;
        writeln!(f, "    converged          = {}", self.converged)?;
        writeln!(f, "    # function evals   = {}", self.n_evaluations)?;
        writeln!(f, "    # data points      = {}", self.n_data)?;
        writeln!(f, "    # variables        = {}", self.n_varying)?;
        writeln!(f, "    chi-square         = {:.10e}", self.chi_square)?;
        writeln!(
            f,
            "    reduced chi-square = {:.10e}",
            self.reduced_chi_square
        )?;
        writeln!(f, "    Akaike info crit   = {:.5}", self.aic)?;
        writeln!(f, "    Bayesian info crit = {:.5}", self.bic)?;
        if let Some(r2) = self.r_squared {
            writeln!(f, "    R-squared          = {r2:.10}")?;
        }
        if self.robust_covariance {
            writeln!(f, "    covariance         = robust (sandwich, HC3)")?;
        }
        writeln!(f, "[[Variables]]")?;
        let w = self.params.iter().map(|p| p.name.len()).max().unwrap_or(0) + 1;
        for p in &self.params {
            let name = format!("{}:", p.name);
            write!(f, "    {name:<w$} {:>16.9e}", p.value, w = w)?;
            match p.stderr {
                Some(s) => {
                    let rel = if p.value != 0.0 {
                        100.0 * (s / p.value).abs()
                    } else {
                        f64::INFINITY
                    };
                    write!(f, " +/- {s:<12.6e} ({rel:.2}%)")?;
                }
                None => write!(f, " +/- {:<12} {:>8}", "n/a", "")?,
            }
            if let Some(t) = &p.tie {
                write!(f, " == '{t}'")?;
            } else if !p.vary {
                write!(f, " (fixed)")?;
            } else {
                write!(f, " (init = {})", format_significant(p.init, 10))?;
            }
            writeln!(f)?;
        }
        if let Some((names, c)) = self.correlation_matrix() {
            let mut pairs = Vec::new();
            for (i, row) in c.iter().enumerate() {
                for (j, &cij) in row.iter().enumerate().skip(i + 1) {
                    if cij.abs() >= 0.1 {
                        pairs.push((cij, i, j));
                    }
                }
            }
            if !pairs.is_empty() {
                pairs.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
                writeln!(f, "[[Correlations]] (unreported correlations are < 0.100)")?;
                for (c, i, j) in pairs {
                    writeln!(f, "    C({}, {}) = {c:+.4}", names[i], names[j])?;
                }
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "[[Warnings]]")?;
            for w in &self.warnings {
                writeln!(f, "    {w}")?;
            }
        }
        Ok(())
    }
}
