//! Line shapes of spectral peaks: the Faddeeva function, the Voigt profile and
//! the XPS / XRD peak family, each area-normalised with analytic derivatives.
//!
//! Every shape is a small validated value type ([`Gaussian::new`] and friends
//! return an error for a negative width, a NaN, a mixing fraction outside its
//! range, ...), implementing [`LineShape`]: value, value with gradient
//! (∂/∂ each parameter, in [`LineShape::parameter_names`] order), FWHM,
//! height, area and evaluation into caller buffers. [`Shape`] is the closed set
//! of all shapes, built by name from a parameter vector (what peak models and
//! model files use) and serialisable.
//!
//! | kind (`Shape::kind`) | type | parameters | ∫ dx |
//! | --- | --- | --- | --- |
//! | `gaussian` | [`Gaussian`] | center, fwhm, area | area |
//! | `lorentzian` | [`Lorentzian`] | center, fwhm, area | area |
//! | `voigt` | [`Voigt`] | center, sigma, gamma, area | area |
//! | `pseudo-voigt` | [`PseudoVoigt`] | center, fwhm, eta, area | area |
//! | `tch` | [`ThompsonCoxHastings`] | center, fwhm_g, fwhm_l, area | area |
//! | `gl` | [`GaussLorentzProduct`] (CasaXPS GL(m)) | center, fwhm, mix, area | area |
//! | `sgl` | [`GaussLorentzSum`] (CasaXPS SGL(m)) | center, fwhm, mix, area | area |
//! | `la` | [`AsymmetricLorentzian`] (CasaXPS LA(α, β) ⊗ Gaussian) | center, fwhm, alpha, beta, sigma, area | area |
//! | `doniach` | [`DoniachSunjic`] | center, gamma, alpha, area | diverges for α > 0 (see type) |
//! | `doniach-gauss` | [`DoniachSunjic`] ⊗ Gaussian | center, gamma, alpha, sigma, area | as above |
//! | `pearson7` | [`PearsonVii`] | center, fwhm, m, area | area |
//! | `split-pseudo-voigt` | [`SplitPseudoVoigt`] | center, fwhm_left, fwhm_right, eta, area | area |
//! | `emg` | [`ExpGaussian`] | center, sigma, tau, area | area |
//!
//! Units: `center`, widths and `x` share the axis unit (eV, degrees 2θ, ...);
//! `area` is intensity × axis unit; values are intensity.
//!
//! ```
//! use interphase_spectra::lineshape::{LineShape, Voigt};
//! // Ti 2p3/2 of Ti⁴⁺: Voigt at 458.8 eV, σ = 0.5 eV, γ = 0.3 eV, area 5000 counts·eV
//! let v = Voigt::new(458.8, 0.5, 0.3, 5000.0)?;
//! let mut grad = [0.0; 4];
//! let y = v.value_and_gradient(459.0, &mut grad); // ∂/∂(center, sigma, gamma, area)
//! assert!((y - v.value(459.0)).abs() < 1e-12 * y);
//! // exact FWHM, eV (reference: scipy 1.17.1 brentq on voigt_profile: 1.5305496484273138)
//! assert!((v.fwhm() - 1.5305496484273138).abs() < 1e-12);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

/// The `kind`, `parameters`, `center` and `area` methods of a [`LineShape`]
/// impl for a struct with `center` and `area` fields; the listed fields are the
/// parameters in gradient order.
macro_rules! accessors {
    ($kind:expr; $($field:ident),+) => {
        fn kind(&self) -> ShapeKind {
            $kind
        }
        fn parameters(&self) -> Vec<f64> {
            vec![$(self.$field),+]
        }
        fn center(&self) -> f64 {
            self.center
        }
        fn area(&self) -> f64 {
            self.area
        }
    };
}

mod asym;
mod faddeeva;
mod gridconv;
mod shapes;
pub mod special;
#[allow(clippy::excessive_precision)] // generated tables keep mpmath's 20 digits
mod tables;
mod voigt;
#[allow(clippy::excessive_precision)] // generated from mpmath with 20 digits
mod weideman_table;

pub use asym::{AsymmetricLorentzian, DoniachSunjic};
pub use faddeeva::{FRAC_1_SQRT_PI, dawson, erfcx, faddeeva, faddeeva_derivative, faddeeva4};
pub use shapes::{
    ExpGaussian, GaussLorentzProduct, GaussLorentzSum, Gaussian, Lorentzian, PearsonVii,
    PseudoVoigt, SplitPseudoVoigt, ThompsonCoxHastings,
};
pub use voigt::{Voigt, voigt_fwhm_olivero, voigt_profile, voigt_profile_slice};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 2·√(2·ln 2): FWHM of a Gaussian in units of its standard deviation.
pub const FWHM_PER_SIGMA: f64 = 2.354_820_045_030_949_3;
/// ln 2.
pub(crate) const LN2: f64 = std::f64::consts::LN_2;

/// A peak line shape: value, analytic gradient, width, height and area.
///
/// Gradients are with respect to the parameters in [`parameter_names`] order
/// (the same order as [`parameters`] and as the `from_parameters` constructors).
///
/// [`parameter_names`]: LineShape::parameter_names
/// [`parameters`]: LineShape::parameters
pub trait LineShape {
    /// The shape's kind (its name in model files).
    fn kind(&self) -> ShapeKind;

    /// Names of the parameters, in gradient order.
    fn parameter_names(&self) -> &'static [&'static str] {
        self.kind().parameter_names()
    }

    /// Current parameter values, in [`parameter_names`](LineShape::parameter_names) order.
    fn parameters(&self) -> Vec<f64>;

    /// The `center` parameter (position of the maximum for symmetric shapes).
    fn center(&self) -> f64;

    /// The `area` parameter (∫ value dx, except for the Doniach–Šunjić shape).
    fn area(&self) -> f64;

    /// Value at `x`.
    fn value(&self, x: f64) -> f64;

    /// Value at `x`; writes ∂value/∂parameter into `grad[..n]`, n = number of parameters.
    ///
    /// # Panics
    /// When `grad` is shorter than the number of parameters (a programming error).
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64;

    /// Full width at half maximum (axis units), exact (closed form or root finding).
    fn fwhm(&self) -> f64;

    /// Position of the maximum (equals `center` for symmetric shapes).
    fn position_of_maximum(&self) -> f64 {
        self.center()
    }

    /// Height: the value at the maximum.
    fn height(&self) -> f64 {
        self.value(self.position_of_maximum())
    }

    /// The area that gives this shape the height `height` (height ↔ area conversion).
    fn area_for_height(&self, height: f64) -> f64 {
        let h = self.height();
        if h == 0.0 {
            0.0
        } else {
            height * self.area() / h
        }
    }

    /// Evaluates at every `x` into `out` (no allocation).
    ///
    /// Errors when the lengths differ.
    fn eval_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        check_len("x", x.len(), "out", out.len())?;
        for (o, &xi) in out.iter_mut().zip(x) {
            *o = self.value(xi);
        }
        Ok(())
    }

    /// Evaluates values into `out` and the gradient into `jac`, a column-major
    /// `x.len() × n_params` block (column j = ∂value/∂parameter j at every x), the
    /// layout of `interphase_fit::JacobianMut` columns. No allocation.
    ///
    /// Errors when the lengths differ.
    fn eval_with_jacobian(&self, x: &[f64], out: &mut [f64], jac: &mut [f64]) -> Result<()> {
        let np = self.parameter_names().len();
        check_len("x", x.len(), "out", out.len())?;
        check_len("x × parameters", x.len() * np, "jac", jac.len())?;
        let m = x.len();
        let mut g = [0.0; MAX_PARAMS];
        for (i, &xi) in x.iter().enumerate() {
            out[i] = self.value_and_gradient(xi, &mut g[..np]);
            for (j, &gj) in g[..np].iter().enumerate() {
                jac[j * m + i] = gj;
            }
        }
        Ok(())
    }
}

/// The largest number of parameters of any shape.
pub const MAX_PARAMS: usize = 6;

pub(crate) fn check_len(a: &str, na: usize, b: &str, nb: usize) -> Result<()> {
    if na != nb {
        return Err(Error::Length {
            what: format!("{a} has {na} elements, {b} has {nb}"),
        });
    }
    Ok(())
}

/// Validation helpers shared by the constructors.
pub(crate) mod check {
    use crate::error::{Error, Result};

    pub fn finite(shape: &'static str, name: &'static str, v: f64) -> Result<f64> {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(Error::InvalidParameter {
                shape,
                name,
                value: v,
                reason: "must be finite",
            })
        }
    }
    pub fn positive(shape: &'static str, name: &'static str, v: f64) -> Result<f64> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(Error::InvalidParameter {
                shape,
                name,
                value: v,
                reason: "must be finite and > 0",
            })
        }
    }
    pub fn non_negative(shape: &'static str, name: &'static str, v: f64) -> Result<f64> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(Error::InvalidParameter {
                shape,
                name,
                value: v,
                reason: "must be finite and ≥ 0",
            })
        }
    }
    pub fn within(
        shape: &'static str,
        name: &'static str,
        v: f64,
        lo: f64,
        hi: f64,
        reason: &'static str,
    ) -> Result<f64> {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(v)
        } else {
            Err(Error::InvalidParameter {
                shape,
                name,
                value: v,
                reason,
            })
        }
    }
}

/// Half-maximum crossing of a unimodal function `f` on the side `dir` (+1 right,
/// −1 left) of its maximum at `x0`, starting the bracket at `scale`.
pub(crate) fn half_max_crossing(
    f: &dyn Fn(f64) -> f64,
    x0: f64,
    fmax: f64,
    scale: f64,
    dir: f64,
) -> f64 {
    let half = 0.5 * fmax;
    let mut lo = 0.0;
    let mut hi = scale.max(f64::MIN_POSITIVE);
    let mut k = 0;
    while f(x0 + dir * hi) > half && k < 2000 {
        lo = hi;
        hi *= 2.0;
        k += 1;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(x0 + dir * mid) > half {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Full width at half maximum of a unimodal `f` whose maximum is at `x0`:
/// the half-maximum crossings on both sides, bracketed from `scale`.
pub(crate) fn fwhm_around(f: &dyn Fn(f64) -> f64, x0: f64, scale: f64) -> f64 {
    let h = f(x0);
    half_max_crossing(f, x0, h, scale, 1.0) + half_max_crossing(f, x0, h, scale, -1.0)
}

/// Position of the maximum of a unimodal `f` within `[a, b]` (golden-section search).
pub(crate) fn argmax(f: &dyn Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    const R: f64 = 0.618_033_988_749_894_9;
    let mut c = b - R * (b - a);
    let mut d = a + R * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..200 {
        if (b - a).abs() <= 1e-15 * (a.abs() + b.abs()) + f64::MIN_POSITIVE {
            break;
        }
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - R * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + R * (b - a);
            fd = f(d);
        }
    }
    0.5 * (a + b)
}

/// The kinds of line shape, as named in model files (kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ShapeKind {
    /// [`Gaussian`].
    Gaussian,
    /// [`Lorentzian`].
    Lorentzian,
    /// [`Voigt`].
    Voigt,
    /// [`PseudoVoigt`].
    PseudoVoigt,
    /// [`ThompsonCoxHastings`].
    Tch,
    /// [`GaussLorentzProduct`].
    Gl,
    /// [`GaussLorentzSum`].
    Sgl,
    /// [`AsymmetricLorentzian`].
    La,
    /// [`DoniachSunjic`] without broadening.
    Doniach,
    /// [`DoniachSunjic`] convolved with a Gaussian.
    DoniachGauss,
    /// [`PearsonVii`].
    Pearson7,
    /// [`SplitPseudoVoigt`].
    SplitPseudoVoigt,
    /// [`ExpGaussian`].
    Emg,
}

impl ShapeKind {
    /// Every kind.
    pub const ALL: [ShapeKind; 13] = [
        ShapeKind::Gaussian,
        ShapeKind::Lorentzian,
        ShapeKind::Voigt,
        ShapeKind::PseudoVoigt,
        ShapeKind::Tch,
        ShapeKind::Gl,
        ShapeKind::Sgl,
        ShapeKind::La,
        ShapeKind::Doniach,
        ShapeKind::DoniachGauss,
        ShapeKind::Pearson7,
        ShapeKind::SplitPseudoVoigt,
        ShapeKind::Emg,
    ];

    /// The name used in model files.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Gaussian => "gaussian",
            ShapeKind::Lorentzian => "lorentzian",
            ShapeKind::Voigt => "voigt",
            ShapeKind::PseudoVoigt => "pseudo-voigt",
            ShapeKind::Tch => "tch",
            ShapeKind::Gl => "gl",
            ShapeKind::Sgl => "sgl",
            ShapeKind::La => "la",
            ShapeKind::Doniach => "doniach",
            ShapeKind::DoniachGauss => "doniach-gauss",
            ShapeKind::Pearson7 => "pearson7",
            ShapeKind::SplitPseudoVoigt => "split-pseudo-voigt",
            ShapeKind::Emg => "emg",
        }
    }

    /// Parses a model-file name (`"voigt"`, `"pseudo-voigt"`, ...; case-insensitive,
    /// `_` accepted for `-`).
    pub fn from_name(name: &str) -> Option<ShapeKind> {
        let n = name.trim().to_ascii_lowercase().replace('_', "-");
        ShapeKind::ALL.into_iter().find(|k| k.name() == n)
    }

    /// Parameter names in gradient order.
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            ShapeKind::Gaussian | ShapeKind::Lorentzian => &["center", "fwhm", "area"],
            ShapeKind::Voigt => &["center", "sigma", "gamma", "area"],
            ShapeKind::PseudoVoigt => &["center", "fwhm", "eta", "area"],
            ShapeKind::Tch => &["center", "fwhm_g", "fwhm_l", "area"],
            ShapeKind::Gl | ShapeKind::Sgl => &["center", "fwhm", "mix", "area"],
            ShapeKind::La => &["center", "fwhm", "alpha", "beta", "sigma", "area"],
            ShapeKind::Doniach => &["center", "gamma", "alpha", "area"],
            ShapeKind::DoniachGauss => &["center", "gamma", "alpha", "sigma", "area"],
            ShapeKind::Pearson7 => &["center", "fwhm", "m", "area"],
            ShapeKind::SplitPseudoVoigt => &["center", "fwhm_left", "fwhm_right", "eta", "area"],
            ShapeKind::Emg => &["center", "sigma", "tau", "area"],
        }
    }
}

impl std::fmt::Display for ShapeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Any line shape: the closed set of shapes of this module.
///
/// Serialises as `{"shape": "voigt", "parameters": {"center": ..., ...}}`;
/// deserialisation validates like the constructors.
///
/// ```
/// use interphase_spectra::lineshape::{LineShape, Shape, ShapeKind};
/// let s = Shape::from_parameters(ShapeKind::Gl, &[284.8, 1.2, 30.0, 1000.0])?; // CasaXPS GL(30)
/// assert_eq!(s.parameter_names(), &["center", "fwhm", "mix", "area"]);
/// let json = serde_json::to_string(&s).unwrap();
/// let back: Shape = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, s);
/// assert!(Shape::from_parameters(ShapeKind::Voigt, &[0.0, -1.0, 0.1, 1.0]).is_err());
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ShapeRepr", into = "ShapeRepr")]
#[non_exhaustive]
pub enum Shape {
    /// A Gaussian.
    Gaussian(Gaussian),
    /// A Lorentzian.
    Lorentzian(Lorentzian),
    /// A Voigt profile.
    Voigt(Voigt),
    /// A pseudo-Voigt with common FWHM.
    PseudoVoigt(PseudoVoigt),
    /// A Thompson–Cox–Hastings pseudo-Voigt.
    Tch(ThompsonCoxHastings),
    /// CasaXPS GL(m).
    Gl(GaussLorentzProduct),
    /// CasaXPS SGL(m).
    Sgl(GaussLorentzSum),
    /// CasaXPS LA(α, β) ⊗ Gaussian.
    La(AsymmetricLorentzian),
    /// Doniach–Šunjić, optionally Gaussian-broadened.
    Doniach(DoniachSunjic),
    /// Pearson VII.
    Pearson7(PearsonVii),
    /// Split pseudo-Voigt.
    SplitPseudoVoigt(SplitPseudoVoigt),
    /// Exponentially modified Gaussian.
    Emg(ExpGaussian),
}

impl Shape {
    /// Builds a shape of `kind` from parameters in `kind.parameter_names()` order,
    /// validating them.
    pub fn from_parameters(kind: ShapeKind, p: &[f64]) -> Result<Shape> {
        let n = kind.parameter_names().len();
        if p.len() != n {
            return Err(Error::Parameters {
                shape: kind.name(),
                message: format!(
                    "expected {n} parameters {:?}, got {}",
                    kind.parameter_names(),
                    p.len()
                ),
            });
        }
        Ok(match kind {
            ShapeKind::Gaussian => Shape::Gaussian(Gaussian::new(p[0], p[1], p[2])?),
            ShapeKind::Lorentzian => Shape::Lorentzian(Lorentzian::new(p[0], p[1], p[2])?),
            ShapeKind::Voigt => Shape::Voigt(Voigt::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::PseudoVoigt => Shape::PseudoVoigt(PseudoVoigt::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::Tch => Shape::Tch(ThompsonCoxHastings::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::Gl => Shape::Gl(GaussLorentzProduct::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::Sgl => Shape::Sgl(GaussLorentzSum::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::La => Shape::La(AsymmetricLorentzian::new(
                p[0], p[1], p[2], p[3], p[4], p[5],
            )?),
            ShapeKind::Doniach => Shape::Doniach(DoniachSunjic::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::DoniachGauss => {
                Shape::Doniach(DoniachSunjic::with_gaussian(p[0], p[1], p[2], p[3], p[4])?)
            }
            ShapeKind::Pearson7 => Shape::Pearson7(PearsonVii::new(p[0], p[1], p[2], p[3])?),
            ShapeKind::SplitPseudoVoigt => {
                Shape::SplitPseudoVoigt(SplitPseudoVoigt::new(p[0], p[1], p[2], p[3], p[4])?)
            }
            ShapeKind::Emg => Shape::Emg(ExpGaussian::new(p[0], p[1], p[2], p[3])?),
        })
    }

    /// Builds a shape from named parameters (every name of the kind required, no others).
    pub fn from_named(kind: ShapeKind, named: &BTreeMap<String, f64>) -> Result<Shape> {
        let names = kind.parameter_names();
        if let Some(unknown) = named.keys().find(|k| !names.contains(&k.as_str())) {
            return Err(Error::Parameters {
                shape: kind.name(),
                message: format!("unknown parameter `{unknown}` (expected {names:?})"),
            });
        }
        let mut p = [0.0; MAX_PARAMS];
        for (i, n) in names.iter().enumerate() {
            p[i] = *named.get(*n).ok_or_else(|| Error::Parameters {
                shape: kind.name(),
                message: format!("missing parameter `{n}`"),
            })?;
        }
        Shape::from_parameters(kind, &p[..names.len()])
    }
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Shape::Gaussian($s) => $e,
            Shape::Lorentzian($s) => $e,
            Shape::Voigt($s) => $e,
            Shape::PseudoVoigt($s) => $e,
            Shape::Tch($s) => $e,
            Shape::Gl($s) => $e,
            Shape::Sgl($s) => $e,
            Shape::La($s) => $e,
            Shape::Doniach($s) => $e,
            Shape::Pearson7($s) => $e,
            Shape::SplitPseudoVoigt($s) => $e,
            Shape::Emg($s) => $e,
        }
    };
}

impl LineShape for Shape {
    fn kind(&self) -> ShapeKind {
        dispatch!(self, s => s.kind())
    }
    fn parameters(&self) -> Vec<f64> {
        dispatch!(self, s => s.parameters())
    }
    fn center(&self) -> f64 {
        dispatch!(self, s => s.center())
    }
    fn area(&self) -> f64 {
        dispatch!(self, s => s.area())
    }
    #[inline]
    fn value(&self, x: f64) -> f64 {
        dispatch!(self, s => s.value(x))
    }
    #[inline]
    fn value_and_gradient(&self, x: f64, grad: &mut [f64]) -> f64 {
        dispatch!(self, s => s.value_and_gradient(x, grad))
    }
    fn fwhm(&self) -> f64 {
        dispatch!(self, s => s.fwhm())
    }
    fn position_of_maximum(&self) -> f64 {
        dispatch!(self, s => s.position_of_maximum())
    }
    fn height(&self) -> f64 {
        dispatch!(self, s => s.height())
    }
    fn eval_into(&self, x: &[f64], out: &mut [f64]) -> Result<()> {
        dispatch!(self, s => s.eval_into(x, out))
    }
    fn eval_with_jacobian(&self, x: &[f64], out: &mut [f64], jac: &mut [f64]) -> Result<()> {
        dispatch!(self, s => s.eval_with_jacobian(x, out, jac))
    }
}

/// Serialised form of [`Shape`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapeRepr {
    shape: ShapeKind,
    parameters: BTreeMap<String, f64>,
}

impl TryFrom<ShapeRepr> for Shape {
    type Error = Error;
    fn try_from(r: ShapeRepr) -> Result<Shape> {
        Shape::from_named(r.shape, &r.parameters)
    }
}

impl From<Shape> for ShapeRepr {
    fn from(s: Shape) -> ShapeRepr {
        let names = s.parameter_names();
        ShapeRepr {
            shape: s.kind(),
            parameters: names
                .iter()
                .map(|n| n.to_string())
                .zip(s.parameters())
                .collect(),
        }
    }
}
