//! The problem trait every fit in interphase implements, and a curve-fit adapter.
//!
//! A [`Problem`] maps a full parameter vector `p` (in [`Parameters`](crate::Parameters)
//! order) to `m` residuals `r(p)`; the solver minimises `χ² = Σ rᵢ²`. Residuals
//! should already carry their weights (`rᵢ = (model − data)/σᵢ`). A problem may
//! supply the analytic Jacobian `∂rᵢ/∂pⱼ`; otherwise the solver uses forward or
//! central finite differences ([`Derivatives`](crate::Derivatives)).
//!
//! ```
//! use interphase_fit::{CurveFit, Parameters, fit, LmOptions};
//! // y = a·exp(-b·x), data generated with a = 2, b = 0.5
//! let x: Vec<f64> = (0..20).map(|i| i as f64 * 0.25).collect();
//! let y: Vec<f64> = x.iter().map(|&x| 2.0 * (-0.5 * x).exp()).collect();
//! let problem = CurveFit::new(&x, &y, |x, p: &[f64]| p[0] * (-p[1] * x).exp())?;
//! let params = Parameters::from_values(&[("a", 1.0), ("b", 1.0)])?;
//! let result = fit(&problem, &params, &LmOptions::default())?;
//! assert!((result.value("b").unwrap() - 0.5).abs() < 1e-8);
//! # Ok::<(), interphase_fit::Error>(())
//! ```

use crate::error::{Error, Result};

/// A column-major view of (part of) a Jacobian matrix.
///
/// Column `j` holds `∂rᵢ/∂pⱼ` for the problem's `nrows()` residuals. Views used
/// by global fits map a dataset's local rows and columns into the global matrix,
/// so a problem must only write through [`column`](JacobianMut::column) /
/// [`set`](JacobianMut::set); every element starts at zero.
pub struct JacobianMut<'a> {
    data: &'a mut [f64],
    ld: usize,
    row0: usize,
    nrows: usize,
    cols: Cols<'a>,
}

enum Cols<'a> {
    Identity(usize),
    Map(&'a [usize]),
}

impl<'a> JacobianMut<'a> {
    /// A view of a whole column-major `nrows × ncols` buffer.
    ///
    /// Returns an error when `data.len() != nrows · ncols`.
    pub fn new(data: &'a mut [f64], nrows: usize, ncols: usize) -> Result<Self> {
        if data.len() != nrows * ncols {
            return Err(Error::Dimension(format!(
                "Jacobian buffer of {} elements for {nrows}×{ncols}",
                data.len()
            )));
        }
        Ok(JacobianMut {
            data,
            ld: nrows,
            row0: 0,
            nrows,
            cols: Cols::Identity(ncols),
        })
    }

    /// Rows `row0..row0+nrows` and the global columns `cols[j]` of a larger buffer
    /// with leading dimension `ld` (used by global fits).
    pub(crate) fn mapped(
        data: &'a mut [f64],
        ld: usize,
        row0: usize,
        nrows: usize,
        cols: &'a [usize],
    ) -> Self {
        JacobianMut {
            data,
            ld,
            row0,
            nrows,
            cols: Cols::Map(cols),
        }
    }

    /// Whether this view covers a whole buffer (not a mapped part of one).
    pub(crate) fn is_whole(&self) -> bool {
        self.row0 == 0 && matches!(self.cols, Cols::Identity(_)) && self.ld == self.nrows
    }

    /// The whole underlying buffer of a view made by [`JacobianMut::new`].
    pub(crate) fn whole(&mut self, len: usize) -> &mut [f64] {
        &mut self.data[..len]
    }

    /// Number of residuals (rows).
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of parameters (columns).
    pub fn ncols(&self) -> usize {
        match self.cols {
            Cols::Identity(n) => n,
            Cols::Map(m) => m.len(),
        }
    }

    /// Column `j`: the derivatives of all residuals with respect to parameter `j`.
    ///
    /// # Panics
    /// When `j >= ncols()` (a programming error in a model, not a user-input error).
    #[inline]
    pub fn column(&mut self, j: usize) -> &mut [f64] {
        let g = match self.cols {
            Cols::Identity(n) => {
                assert!(j < n, "Jacobian column {j} out of range ({n} columns)");
                j
            }
            Cols::Map(m) => m[j],
        };
        let start = g * self.ld + self.row0;
        &mut self.data[start..start + self.nrows]
    }

    /// Sets element `(i, j)`.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.column(j)[i] = value;
    }
}

/// A nonlinear least-squares problem: residuals and, optionally, their Jacobian.
///
/// `p` is the full parameter vector in [`Parameters`](crate::Parameters) order
/// (fixed and tied parameters included). Implementations must not allocate in
/// `residuals` / `jacobian` if they want the solver to stay allocation-free.
pub trait Problem: Sync {
    /// Number of residuals `m`.
    fn n_residuals(&self) -> usize;

    /// Number of parameters the problem expects, when it is fixed; the fitter
    /// checks it against the parameter set. `None` (default): any number.
    fn n_params(&self) -> Option<usize> {
        None
    }

    /// Writes `r(p)` into `out` (length `m`).
    fn residuals(&self, p: &[f64], out: &mut [f64]);

    /// Writes `∂rᵢ/∂pⱼ` into `jac` and returns `true`, or returns `false` (the
    /// default) to let the solver use finite differences.
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let _ = (p, jac);
        false
    }

    /// The observed values behind the residuals, when the residuals are
    /// `w·(model − data)`; used for R². `None` (default) leaves R² unreported.
    fn observed(&self) -> Option<&[f64]> {
        None
    }

    /// Per-residual weights `wᵢ = 1/σᵢ`, when the problem has them (for R²).
    fn weights(&self) -> Option<&[f64]> {
        None
    }
}

impl<P: Problem + ?Sized> Problem for &P {
    fn n_residuals(&self) -> usize {
        (**self).n_residuals()
    }
    fn n_params(&self) -> Option<usize> {
        (**self).n_params()
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        (**self).residuals(p, out)
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        (**self).jacobian(p, jac)
    }
    fn observed(&self) -> Option<&[f64]> {
        (**self).observed()
    }
    fn weights(&self) -> Option<&[f64]> {
        (**self).weights()
    }
}

impl<P: Problem + ?Sized> Problem for Box<P> {
    fn n_residuals(&self) -> usize {
        (**self).n_residuals()
    }
    fn n_params(&self) -> Option<usize> {
        (**self).n_params()
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        (**self).residuals(p, out)
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        (**self).jacobian(p, jac)
    }
    fn observed(&self) -> Option<&[f64]> {
        (**self).observed()
    }
    fn weights(&self) -> Option<&[f64]> {
        (**self).weights()
    }
}

/// Signature of a model's gradient `∂f(x; p)/∂pⱼ` written into `grad`.
pub type GradientFn<'a> = Box<dyn Fn(f64, &[f64], &mut [f64]) + Send + Sync + 'a>;

/// `y ≈ f(x; p)` fitted to points `(xᵢ, yᵢ)` with optional standard deviations σᵢ:
/// residuals `rᵢ = (f(xᵢ; p) − yᵢ)/σᵢ`.
///
/// The number of parameters is taken from the [`Parameters`](crate::Parameters)
/// passed to [`fit`](crate::fit) unless set with [`with_n_params`](CurveFit::with_n_params).
pub struct CurveFit<'a, F> {
    x: &'a [f64],
    y: &'a [f64],
    weights: Option<Vec<f64>>,
    f: F,
    grad: Option<GradientFn<'a>>,
    n_params: Option<usize>,
}

impl<'a, F> CurveFit<'a, F>
where
    F: Fn(f64, &[f64]) -> f64 + Sync,
{
    /// Checks that `x` and `y` are non-empty, of equal length and finite.
    pub fn new(x: &'a [f64], y: &'a [f64], f: F) -> Result<Self> {
        if x.is_empty() {
            return Err(Error::Data("no data points".into()));
        }
        if x.len() != y.len() {
            return Err(Error::Data(format!(
                "x has {} points but y has {}",
                x.len(),
                y.len()
            )));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::Data(format!("x[{i}] = {} is not finite", x[i])));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::Data(format!("y[{i}] = {} is not finite", y[i])));
        }
        Ok(CurveFit {
            x,
            y,
            weights: None,
            f,
            grad: None,
            n_params: None,
        })
    }

    /// Standard deviations σᵢ of the `y` values (positive, finite); residuals are divided by them.
    pub fn with_sigma(mut self, sigma: &[f64]) -> Result<Self> {
        if sigma.len() != self.y.len() {
            return Err(Error::Data(format!(
                "sigma has {} values for {} points",
                sigma.len(),
                self.y.len()
            )));
        }
        if let Some(i) = sigma.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(Error::Data(format!(
                "sigma[{i}] = {} is not positive and finite",
                sigma[i]
            )));
        }
        self.weights = Some(sigma.iter().map(|s| 1.0 / s).collect());
        Ok(self)
    }

    /// The analytic gradient `grad[j] = ∂f(x; p)/∂pⱼ`.
    pub fn with_gradient(
        mut self,
        grad: impl Fn(f64, &[f64], &mut [f64]) + Send + Sync + 'a,
    ) -> Self {
        self.grad = Some(Box::new(grad));
        self
    }

    /// Declares the number of parameters (otherwise the parameter set decides).
    pub fn with_n_params(mut self, n: usize) -> Self {
        self.n_params = Some(n);
        self
    }
}

impl<F> Problem for CurveFit<'_, F>
where
    F: Fn(f64, &[f64]) -> f64 + Sync,
{
    fn n_residuals(&self) -> usize {
        self.x.len()
    }
    fn n_params(&self) -> Option<usize> {
        self.n_params
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            let r = (self.f)(self.x[i], p) - self.y[i];
            *o = match &self.weights {
                Some(w) => r * w[i],
                None => r,
            };
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let Some(grad) = &self.grad else { return false };
        // a small fixed buffer keeps the common case allocation-free
        let n = p.len();
        let mut small = [0.0; 32];
        let mut big = Vec::new();
        let g: &mut [f64] = if n <= 32 {
            &mut small[..n]
        } else {
            big.resize(n, 0.0);
            &mut big
        };
        for i in 0..self.x.len() {
            g.iter_mut().for_each(|v| *v = 0.0);
            grad(self.x[i], p, g);
            let w = self.weights.as_ref().map_or(1.0, |w| w[i]);
            for (j, gj) in g.iter().enumerate() {
                jac.set(i, j, gj * w);
            }
        }
        true
    }
    fn observed(&self) -> Option<&[f64]> {
        Some(self.y)
    }
    fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }
}
