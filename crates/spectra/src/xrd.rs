//! X-ray diffraction helpers: Bragg's law with tabulated anode wavelengths,
//! Kα2 stripping (Rachinger), peak fits, Scherrer crystallite size,
//! Williamson–Hall size/strain, d-spacings of (hkl) for a cell, peak indexing
//! and least-squares lattice-parameter refinement with uncertainties.
//!
//! Angles are 2θ in degrees, wavelengths and d-spacings in ångström (Å),
//! crystallite sizes in nanometres.
//!
//! ```
//! use interphase_spectra::xrd::{self, Cell, Centering, CU_KA1};
//! // cubic perovskite LLTO, a ≈ 3.87 Å: the (110) reflection with Cu Kα1
//! let cell = Cell::cubic(3.87)?;
//! let d = cell.d_spacing([1, 1, 0])?;
//! let tt = xrd::two_theta(d, CU_KA1)?;
//! assert!((tt - 32.69).abs() < 0.01);
//! assert!((xrd::d_spacing(tt, CU_KA1)? - d).abs() < 1e-12);
//! // index it back
//! let lines = xrd::reflections(&cell, Centering::P, CU_KA1, 60.0)?;
//! let hit = xrd::index_peaks(&[tt], &lines, 0.05)?;
//! assert_eq!(hit[0].as_ref().unwrap().hkl, [1, 1, 0]);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lineshape::ShapeKind;
use crate::model::{
    BackgroundSpec, Estimate, ModelSpec, ParamSpec, PeakFitOptions, PeakModel, PeakSpec,
    PeakWeighting,
};
use crate::peaks::{Interval, PeakOptions};
use crate::spectrum::Spectrum;

// ------------------------------------------------------------ wavelengths

/// Cu Kα1, Å. Anode wavelengths are those of *International Tables for
/// Crystallography* Vol. C (3rd ed., 2004), Table 4.2.2.1.
pub const CU_KA1: f64 = 1.540_598;
/// Cu Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const CU_KA2: f64 = 1.544_426;
/// Cu Kα, the 2:1 weighted mean of Kα1 and Kα2, Å.
pub const CU_KA: f64 = (2.0 * CU_KA1 + CU_KA2) / 3.0;
/// Cu Kβ1, Å (ITC Vol. C Table 4.2.2.1).
pub const CU_KB1: f64 = 1.392_250;
/// Mo Kα1, Å (ITC Vol. C Table 4.2.2.1).
pub const MO_KA1: f64 = 0.709_319;
/// Mo Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const MO_KA2: f64 = 0.713_609;
/// Co Kα1, Å (ITC Vol. C Table 4.2.2.1).
pub const CO_KA1: f64 = 1.788_996;
/// Co Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const CO_KA2: f64 = 1.792_835;
/// Fe Kα1, Å (ITC Vol. C Table 4.2.2.1).
pub const FE_KA1: f64 = 1.936_042;
/// Fe Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const FE_KA2: f64 = 1.939_980;
/// Cr Kα1, Å (ITC Vol. C Table 4.2.2.1).
pub const CR_KA1: f64 = 2.289_760;
/// Cr Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const CR_KA2: f64 = 2.293_663;
/// Ag Kα1, Å (ITC Vol. C Table 4.2.2.1).
pub const AG_KA1: f64 = 0.559_421;
/// Ag Kα2, Å (ITC Vol. C Table 4.2.2.1).
pub const AG_KA2: f64 = 0.563_813;

/// An anode's Kα doublet, Å.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anode {
    /// Element symbol of the anode.
    pub name: &'static str,
    /// Kα1, Å.
    pub ka1: f64,
    /// Kα2, Å.
    pub ka2: f64,
}

impl Anode {
    /// The 2:1 weighted mean Kα wavelength, Å.
    pub fn ka(&self) -> f64 {
        (2.0 * self.ka1 + self.ka2) / 3.0
    }
}

/// The common anodes (ITC Vol. C Table 4.2.2.1).
pub const ANODES: &[Anode] = &[
    Anode {
        name: "Cu",
        ka1: CU_KA1,
        ka2: CU_KA2,
    },
    Anode {
        name: "Mo",
        ka1: MO_KA1,
        ka2: MO_KA2,
    },
    Anode {
        name: "Co",
        ka1: CO_KA1,
        ka2: CO_KA2,
    },
    Anode {
        name: "Fe",
        ka1: FE_KA1,
        ka2: FE_KA2,
    },
    Anode {
        name: "Cr",
        ka1: CR_KA1,
        ka2: CR_KA2,
    },
    Anode {
        name: "Ag",
        ka1: AG_KA1,
        ka2: AG_KA2,
    },
];

/// The anode named `name` (case-insensitive: "Cu", "mo", ...).
pub fn anode(name: &str) -> Option<Anode> {
    ANODES
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
        .copied()
}

/// A wavelength given as a number (Å) or as an anode line: `Cu` (the Kα
/// mean), `CuKa1`, `CuKa2`, `Cu-Ka1`, `MoKa`, ... (case-insensitive).
pub fn wavelength(spec: &str) -> Result<f64> {
    let s = spec.trim();
    if let Ok(v) = s.parse::<f64>() {
        return check_lambda(v);
    }
    let norm: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('α', "a");
    for a in ANODES {
        let n = a.name.to_ascii_lowercase();
        if let Some(rest) = norm.strip_prefix(&n) {
            match rest {
                "" | "ka" => return Ok(a.ka()),
                "ka1" => return Ok(a.ka1),
                "ka2" => return Ok(a.ka2),
                _ => {}
            }
        }
    }
    Err(Error::Invalid(format!(
        "wavelength `{spec}`: give a number in Å or an anode line such as Cu, CuKa1, CuKa2, MoKa1 (anodes: {})",
        ANODES.iter().map(|a| a.name).collect::<Vec<_>>().join(", ")
    )))
}

fn check_lambda(lambda: f64) -> Result<f64> {
    if lambda.is_finite() && lambda > 0.0 && lambda < 100.0 {
        Ok(lambda)
    } else {
        Err(Error::Invalid(format!(
            "wavelength {lambda} Å must be finite, > 0 and < 100"
        )))
    }
}

// ------------------------------------------------------------ Bragg's law

/// d = λ / (2 sin θ) (Bragg's law, first order), Å, for 2θ in degrees
/// (0 < 2θ < 180).
pub fn d_spacing(two_theta_deg: f64, lambda: f64) -> Result<f64> {
    check_lambda(lambda)?;
    if !(two_theta_deg.is_finite() && two_theta_deg > 0.0 && two_theta_deg < 180.0) {
        return Err(Error::Invalid(format!(
            "2θ = {two_theta_deg}° must be in (0, 180)"
        )));
    }
    Ok(lambda / (2.0 * (two_theta_deg.to_radians() / 2.0).sin()))
}

/// 2θ = 2 asin(λ / 2d), degrees; an error when λ > 2d (no reflection).
pub fn two_theta(d: f64, lambda: f64) -> Result<f64> {
    check_lambda(lambda)?;
    if !(d.is_finite() && d > 0.0) {
        return Err(Error::Invalid(format!(
            "d-spacing {d} Å must be finite and > 0"
        )));
    }
    let s = lambda / (2.0 * d);
    if s > 1.0 {
        return Err(Error::Invalid(format!(
            "d = {d} Å is below λ/2 = {} Å: no Bragg reflection",
            lambda / 2.0
        )));
    }
    Ok(2.0 * s.asin().to_degrees())
}

/// The scattering vector magnitude q = 4π sin θ / λ, Å⁻¹.
pub fn q_from_two_theta(two_theta_deg: f64, lambda: f64) -> Result<f64> {
    let d = d_spacing(two_theta_deg, lambda)?;
    Ok(2.0 * std::f64::consts::PI / d)
}

/// The 2θ position (degrees) of the line at `lambda_to` that a line seen at
/// `two_theta_deg` with `lambda_from` corresponds to (same d): e.g. the Kα2
/// partner of a Kα1 peak. Errors when no reflection exists at `lambda_to`.
pub fn convert_two_theta(two_theta_deg: f64, lambda_from: f64, lambda_to: f64) -> Result<f64> {
    two_theta(d_spacing(two_theta_deg, lambda_from)?, lambda_to)
}

// ------------------------------------------------------------ Kα2 stripping

/// Removes the Kα2 component from a diffractogram by Rachinger's method
/// (W. A. Rachinger, J. Sci. Instrum. 25 (1948) 254): with R = I(Kα2)/I(Kα1)
/// (0.5 for most tubes), the Kα1 pattern satisfies
/// I₁(2θ) = I(2θ) − R·I₁(2θ′), where 2θ′ is where the Kα1 line of the same d
/// lies (sin θ′ = (λ₁/λ₂) sin θ). The recursion runs upward in 2θ with linear
/// interpolation (solved implicitly when 2θ′ falls in the current step);
/// below the first point the pattern is taken as flat, I₁ = I/(1 + R).
///
/// The spectrum must have a strictly increasing 2θ axis in (0, 180)°;
/// σ, when present, is carried over unchanged.
pub fn strip_ka2(s: &Spectrum, ka1: f64, ka2: f64, ratio: f64) -> Result<Spectrum> {
    check_lambda(ka1)?;
    check_lambda(ka2)?;
    if ka2 <= ka1 {
        return Err(Error::Invalid(format!(
            "Kα2 ({ka2} Å) must be longer than Kα1 ({ka1} Å)"
        )));
    }
    if !(ratio.is_finite() && (0.0..1.0).contains(&ratio)) {
        return Err(Error::Invalid(format!(
            "Kα2/Kα1 intensity ratio {ratio} must be in [0, 1)"
        )));
    }
    let (x, y) = (s.x(), s.y());
    if !s.is_increasing() {
        return Err(Error::Invalid(
            "Kα2 stripping needs an increasing 2θ axis (reverse the spectrum first)".into(),
        ));
    }
    if x[0] <= 0.0 || x[x.len() - 1] >= 180.0 {
        return Err(Error::Invalid(format!(
            "2θ axis {}..{}° must lie in (0, 180)",
            x[0],
            x[x.len() - 1]
        )));
    }
    let n = x.len();
    let mut out = vec![0.0; n];
    let start = y[0] / (1.0 + ratio);
    let k = ka1 / ka2;
    let mut j = 0usize; // index with x[j] <= x' (moves forward monotonically)
    for i in 0..n {
        let xp = 2.0 * (k * (x[i].to_radians() / 2.0).sin()).asin().to_degrees();
        if xp < x[0] {
            out[i] = y[i] - ratio * start;
            continue;
        }
        while j + 1 < n && x[j + 1] <= xp {
            j += 1;
        }
        // x' < x[i] always (λ1 < λ2), so j < i
        if j + 1 >= i {
            // x' in [x[i-1], x[i]): I1(x') = w·I1[i-1] + (1-w)·I1[i], solved for I1[i]
            let w = (x[i] - xp) / (x[i] - x[i - 1]);
            out[i] = (y[i] - ratio * w * out[i - 1]) / (1.0 + ratio * (1.0 - w));
        } else {
            let w = (xp - x[j]) / (x[j + 1] - x[j]);
            out[i] = y[i] - ratio * (out[j] * (1.0 - w) + out[j + 1] * w);
        }
    }
    let mut r = Spectrum::new(x.to_vec(), out)?.with_meta(s.meta.clone());
    if let Some(sig) = s.sigma() {
        r = r.with_sigma(sig.to_vec())?;
    }
    Ok(r)
}

// ------------------------------------------------------------ peak fits

/// Options of [`fit_peaks`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XrdPeakOptions {
    /// Line shape: pseudo-Voigt (default), Pearson VII, split pseudo-Voigt,
    /// Gaussian, Lorentzian, Voigt, ...
    pub shape: ShapeKind,
    /// Wavelength for the d-spacings, Å.
    pub wavelength: f64,
    /// Least prominence of a peak, as a fraction of the intensity range
    /// (default 0.05); a peak must also be 4 noise σ prominent
    /// ([`Spectrum::noise_sigma`]), and a window never gets more peaks than
    /// its points can determine (the most prominent are kept); peaks
    /// narrower than two samples (spikes) are not fitted.
    pub min_prominence: f64,
    /// Each peak is fitted over ± `window` × its FWHM estimate; peaks whose
    /// windows overlap are fitted together (default 3).
    pub window: f64,
    /// At most this many peaks, the most prominent (default 50).
    pub max_peaks: usize,
    /// Residual weights (default [`PeakWeighting::Unit`]; `Poisson` for raw
    /// counts, `Sigma` to use the spectrum's σ).
    pub weighting: PeakWeighting,
}

impl Default for XrdPeakOptions {
    fn default() -> Self {
        Self {
            shape: ShapeKind::PseudoVoigt,
            wavelength: CU_KA1,
            min_prominence: 0.05,
            window: 3.0,
            max_peaks: 50,
            weighting: PeakWeighting::Unit,
        }
    }
}

/// One fitted diffraction peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XrdPeak {
    /// Position 2θ, degrees.
    pub two_theta: Estimate,
    /// d-spacing from Bragg's law, Å (σ propagated: σ_d = d σ_θ / tan θ).
    pub d: Estimate,
    /// Full width at half maximum, degrees 2θ.
    pub fwhm: Estimate,
    /// Height above the local linear background (intensity units).
    pub height: Estimate,
    /// Integrated area (intensity × degrees).
    pub area: Estimate,
    /// Reduced χ² of the window fit the peak belongs to.
    pub redchi: f64,
}

/// Finds the peaks of a diffractogram and fits each (or each group of
/// overlapping ones) with the chosen shape on a local linear background by
/// Levenberg–Marquardt, reporting 2θ, d, FWHM, height and area with standard
/// errors, in order of 2θ. Errors when no peak passes the prominence
/// threshold; a window whose fit fails is reported as an error naming it.
pub fn fit_peaks(s: &Spectrum, o: &XrdPeakOptions) -> Result<Vec<XrdPeak>> {
    check_lambda(o.wavelength)?;
    if !(o.min_prominence.is_finite() && o.min_prominence > 0.0 && o.min_prominence < 1.0) {
        return Err(Error::Invalid(format!(
            "min_prominence {} must be in (0, 1)",
            o.min_prominence
        )));
    }
    if !(o.window.is_finite() && o.window >= 1.0) {
        return Err(Error::Invalid(format!(
            "window {} must be ≥ 1 FWHM",
            o.window
        )));
    }
    if s.len() < 5 {
        return Err(Error::Invalid(format!(
            "a diffractogram of {} points is too short to find peaks",
            s.len()
        )));
    }
    let s = if s.is_increasing() {
        s.clone()
    } else {
        let mut x = s.x().to_vec();
        let mut y = s.y().to_vec();
        x.reverse();
        y.reverse();
        Spectrum::new(x, y)?.with_meta(s.meta.clone())
    };
    let (lo, hi) = s.y_range();
    let range = hi - lo;
    if range <= 0.0 {
        return Err(Error::Invalid("the diffractogram is flat: no peaks".into()));
    }
    // a peak must also stand 4 noise σ above its surroundings: on a
    // low-count pattern 5 % of the range is within the noise
    let noise = s.noise_sigma().unwrap_or(0.0);
    let popts = PeakOptions {
        prominence: Interval::at_least((o.min_prominence * range).max(4.0 * noise)),
        // a peak narrower than two samples at half prominence is a spike:
        // its width cannot be determined
        width: Interval::at_least(2.0),
        ..PeakOptions::default()
    };
    let mut found = s.find_peaks(&popts)?;
    if found.is_empty() {
        return Err(Error::Invalid(format!(
            "no peak with prominence ≥ {} (min_prominence × intensity range)",
            o.min_prominence * range
        )));
    }
    found.sort_by(|a, b| b.prominence.total_cmp(&a.prominence));
    // noise on a peak's top can split it: keep only the most prominent
    // maximum within the half-maximum span of another
    let mut kept: Vec<crate::peaks::Peak> = Vec::with_capacity(found.len());
    for p in found {
        let at = p.index as f64;
        if !kept.iter().any(|k| at >= k.left_ip && at <= k.right_ip) {
            kept.push(p);
        }
    }
    let mut found = kept;
    found.truncate(o.max_peaks.max(1));
    found.sort_by_key(|p| p.index);
    let x = s.x();
    let step = (x[x.len() - 1] - x[0]) / (x.len() - 1) as f64;
    // (center, fwhm, lo, hi) per peak
    let est: Vec<(f64, f64)> = found
        .iter()
        .map(|p| {
            let c = p.x.unwrap_or(x[p.index]);
            let w = p.width_x.unwrap_or(p.width * step).abs().max(2.0 * step);
            (c, w)
        })
        .collect();
    // group peaks whose windows overlap
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_hi = f64::NEG_INFINITY;
    for (i, &(c, w)) in est.iter().enumerate() {
        let (a, b) = (c - o.window * w, c + o.window * w);
        match groups.last_mut() {
            Some(g) if a <= group_hi => {
                g.push(i);
                group_hi = group_hi.max(b);
            }
            _ => {
                groups.push(vec![i]);
                group_hi = b;
            }
        }
    }
    let mut out = Vec::with_capacity(est.len());
    let per_peak = 1 + usize::from(o.shape.parameter_names().contains(&"fwhm")) + 1; // centre, fwhm, area
    for mut g in groups {
        let a = g
            .iter()
            .map(|&i| est[i].0 - o.window * est[i].1)
            .fold(f64::INFINITY, f64::min);
        let b = g
            .iter()
            .map(|&i| est[i].0 + o.window * est[i].1)
            .fold(f64::NEG_INFINITY, f64::max);
        let win = s.crop(a.max(x[0]), b.min(x[x.len() - 1]))?;
        // never more parameters than half the window's points: keep the
        // most prominent peaks of an overcrowded window
        let cap = (win.len() / 2).saturating_sub(2) / per_peak.max(1);
        if g.len() > cap {
            if cap == 0 {
                continue;
            }
            g.sort_by(|&i, &j| found[j].prominence.total_cmp(&found[i].prominence));
            g.truncate(cap);
            g.sort_unstable();
        }
        let mut peaks = Vec::with_capacity(g.len());
        for (k, &i) in g.iter().enumerate() {
            let (c, w) = est[i];
            let mut p = PeakSpec::new(format!("p{k}"), o.shape)
                .param("center", ParamSpec::value(c).with_bounds(c - w, c + w));
            if o.shape.parameter_names().contains(&"fwhm") {
                // no narrower than one sample: a narrower peak cannot be resolved
                let least = (0.05 * w).max(step.abs());
                p = p.param(
                    "fwhm",
                    ParamSpec::value(w.max(least)).with_bounds(least, 10.0 * w.max(least)),
                );
            }
            peaks.push(p);
        }
        let spec = ModelSpec {
            axis: None,
            background: BackgroundSpec::Linear { c0: None, c1: None },
            peaks,
        };
        let model = PeakModel::new(spec)?;
        let fit = model
            .fit(
                &win,
                &PeakFitOptions {
                    weighting: o.weighting,
                    ..Default::default()
                },
            )
            .map_err(|e| Error::Invalid(format!("peak fit over 2θ {a:.3}..{b:.3}°: {e}")))?;
        let redchi = fit.fit.reduced_chi_square;
        for c in fit.components.iter().filter(|c| !c.partner) {
            let th = c.center.value.to_radians() / 2.0;
            let d = d_spacing(c.center.value, o.wavelength)?;
            let d_err = c
                .center
                .stderr
                .map(|e| d * (e.to_radians() / 2.0) / th.tan());
            out.push(XrdPeak {
                two_theta: c.center,
                d: Estimate {
                    value: d,
                    stderr: d_err,
                },
                fwhm: c.fwhm,
                height: c.height,
                area: c.area,
                redchi,
            });
        }
    }
    out.sort_by(|a, b| a.two_theta.value.total_cmp(&b.two_theta.value));
    Ok(out)
}

// ------------------------------------------------------------ Scherrer

/// How the instrumental width is removed from the observed width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Broadening {
    /// Gaussian profiles: β² = β_obs² − β_inst² (default).
    #[default]
    Gaussian,
    /// Lorentzian profiles: β = β_obs − β_inst.
    Lorentzian,
}

/// Options of [`scherrer`] and [`williamson_hall`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SizeOptions {
    /// Wavelength, Å.
    pub wavelength: f64,
    /// Scherrer constant K (0.9 for FWHM and spherical crystallites;
    /// 0.94 for cubes; J. I. Langford and A. J. C. Wilson, J. Appl. Cryst. 11
    /// (1978) 102).
    pub k: f64,
    /// Instrumental FWHM, degrees 2θ (from a line-broadening standard such as
    /// LaB₆ NIST SRM 660); 0 for none.
    pub instrumental_fwhm: f64,
    /// How the instrumental width is removed.
    pub correction: Broadening,
}

impl Default for SizeOptions {
    fn default() -> Self {
        Self {
            wavelength: CU_KA1,
            k: 0.9,
            instrumental_fwhm: 0.0,
            correction: Broadening::Gaussian,
        }
    }
}

fn check_size_options(o: &SizeOptions) -> Result<()> {
    check_lambda(o.wavelength)?;
    if !(o.k.is_finite() && o.k > 0.0) {
        return Err(Error::Invalid(format!(
            "Scherrer constant K = {} must be > 0",
            o.k
        )));
    }
    if !(o.instrumental_fwhm.is_finite() && o.instrumental_fwhm >= 0.0) {
        return Err(Error::Invalid(format!(
            "instrumental FWHM {}° must be finite and ≥ 0",
            o.instrumental_fwhm
        )));
    }
    Ok(())
}

/// The sample broadening β (radians) from an observed FWHM (degrees 2θ),
/// instrumental width removed; an error when the observed width is not larger
/// than the instrumental one.
pub fn sample_broadening(fwhm_deg: f64, o: &SizeOptions) -> Result<f64> {
    check_size_options(o)?;
    if !(fwhm_deg.is_finite() && fwhm_deg > 0.0) {
        return Err(Error::Invalid(format!(
            "FWHM {fwhm_deg}° must be finite and > 0"
        )));
    }
    let b = match o.correction {
        Broadening::Gaussian => fwhm_deg * fwhm_deg - o.instrumental_fwhm * o.instrumental_fwhm,
        Broadening::Lorentzian => fwhm_deg - o.instrumental_fwhm,
    };
    if b <= 0.0 {
        return Err(Error::Invalid(format!(
            "observed FWHM {fwhm_deg}° is not wider than the instrumental {}°",
            o.instrumental_fwhm
        )));
    }
    let b = match o.correction {
        Broadening::Gaussian => b.sqrt(),
        Broadening::Lorentzian => b,
    };
    Ok(b.to_radians())
}

/// Scherrer crystallite size D = K λ / (β cos θ) (P. Scherrer, Nachr. Ges.
/// Wiss. Göttingen (1918) 98; Langford & Wilson 1978), in **nm**, with β the
/// sample FWHM in radians after the instrumental correction. A standard
/// error of the FWHM propagates to D (σ_D = D σ_β/β).
pub fn scherrer(two_theta_deg: f64, fwhm: Estimate, o: &SizeOptions) -> Result<Estimate> {
    let beta = sample_broadening(fwhm.value, o)?;
    if !(two_theta_deg.is_finite() && two_theta_deg > 0.0 && two_theta_deg < 180.0) {
        return Err(Error::Invalid(format!(
            "2θ = {two_theta_deg}° must be in (0, 180)"
        )));
    }
    let cos = (two_theta_deg.to_radians() / 2.0).cos();
    let d_nm = o.k * o.wavelength / (beta * cos) / 10.0;
    // dβ/dβobs: Gaussian βobs/β, Lorentzian 1
    let stderr = fwhm.stderr.map(|e| {
        let db = match o.correction {
            Broadening::Gaussian => fwhm.value / beta.to_degrees(),
            Broadening::Lorentzian => 1.0,
        };
        d_nm * (db * e).to_radians() / beta
    });
    Ok(Estimate {
        value: d_nm,
        stderr,
    })
}

/// A Williamson–Hall analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WilliamsonHall {
    /// Crystallite size K λ / intercept, nm.
    pub size_nm: Estimate,
    /// Microstrain ε (dimensionless; the slope of β cos θ against 4 sin θ).
    pub strain: Estimate,
    /// Intercept of β cos θ (radians).
    pub intercept: Estimate,
    /// Coefficient of determination of the straight line.
    pub r_squared: f64,
    /// The points (4 sin θ, β cos θ) in the order given.
    pub points: Vec<(f64, f64)>,
}

/// Williamson–Hall size and strain (G. K. Williamson and W. H. Hall, Acta
/// Metall. 1 (1953) 22, uniform-deformation model): β cos θ = K λ / D +
/// 4 ε sin θ, fitted by least squares to (2θ, FWHM) pairs (degrees) after
/// the instrumental correction. At least 2 peaks; standard errors need 3.
/// An intercept ≤ 0 (strain-dominated data) gives an error: the size is not
/// determined.
pub fn williamson_hall(peaks: &[(f64, f64)], o: &SizeOptions) -> Result<WilliamsonHall> {
    check_size_options(o)?;
    if peaks.len() < 2 {
        return Err(Error::Invalid(format!(
            "Williamson–Hall needs at least 2 peaks, got {}",
            peaks.len()
        )));
    }
    let mut pts = Vec::with_capacity(peaks.len());
    for (i, &(tt, w)) in peaks.iter().enumerate() {
        if !(tt.is_finite() && tt > 0.0 && tt < 180.0) {
            return Err(Error::Invalid(format!(
                "peak {i}: 2θ = {tt}° must be in (0, 180)"
            )));
        }
        let beta = sample_broadening(w, o).map_err(|e| Error::Invalid(format!("peak {i}: {e}")))?;
        let th = tt.to_radians() / 2.0;
        pts.push((4.0 * th.sin(), beta * th.cos()));
    }
    let line = linear_fit(&pts)?;
    if line.intercept.value <= 0.0 {
        return Err(Error::Invalid(format!(
            "Williamson–Hall intercept {:.3e} rad ≤ 0: the size is not determined (strain dominates or the widths are inconsistent)",
            line.intercept.value
        )));
    }
    let size = o.k * o.wavelength / line.intercept.value / 10.0;
    let size_err = line
        .intercept
        .stderr
        .map(|e| size * e / line.intercept.value);
    Ok(WilliamsonHall {
        size_nm: Estimate {
            value: size,
            stderr: size_err,
        },
        strain: line.slope,
        intercept: line.intercept,
        r_squared: line.r_squared,
        points: pts,
    })
}

struct Line {
    slope: Estimate,
    intercept: Estimate,
    r_squared: f64,
}

fn linear_fit(pts: &[(f64, f64)]) -> Result<Line> {
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = pts.iter().map(|p| (p.1 - my).powi(2)).sum();
    if sxx <= 1e-14 * (mx * mx).max(1e-300) * n {
        return Err(Error::Invalid(
            "the peaks share one angle: the straight line is not determined".into(),
        ));
    }
    let slope = sxy / sxx;
    let icpt = my - slope * mx;
    let ssr: f64 = pts.iter().map(|p| (p.1 - icpt - slope * p.0).powi(2)).sum();
    let (se_s, se_i) = if pts.len() > 2 {
        let s2 = ssr / (n - 2.0);
        (
            Some((s2 / sxx).sqrt()),
            Some((s2 * (1.0 / n + mx * mx / sxx)).sqrt()),
        )
    } else {
        (None, None)
    };
    Ok(Line {
        slope: Estimate {
            value: slope,
            stderr: se_s,
        },
        intercept: Estimate {
            value: icpt,
            stderr: se_i,
        },
        r_squared: if syy > 0.0 { 1.0 - ssr / syy } else { 1.0 },
    })
}

// ------------------------------------------------------------ cells

/// Crystal systems handled by [`refine_lattice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrystalSystem {
    /// a = b = c, all angles 90°.
    Cubic,
    /// a = b ≠ c, all angles 90°.
    Tetragonal,
    /// a = b ≠ c, γ = 120°.
    Hexagonal,
    /// a ≠ b ≠ c, all angles 90°.
    Orthorhombic,
}

impl CrystalSystem {
    /// Parses `cubic`, `tetragonal`, `hexagonal`, `orthorhombic` (or their
    /// first letters c, t, h, o).
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cubic" | "c" => Ok(Self::Cubic),
            "tetragonal" | "t" => Ok(Self::Tetragonal),
            "hexagonal" | "h" => Ok(Self::Hexagonal),
            "orthorhombic" | "o" => Ok(Self::Orthorhombic),
            _ => Err(Error::Invalid(format!(
                "crystal system `{s}`: expected cubic, tetragonal, hexagonal or orthorhombic"
            ))),
        }
    }

    /// Number of free cell parameters (1, 2, 2, 3).
    pub fn n_params(self) -> usize {
        match self {
            Self::Cubic => 1,
            Self::Tetragonal | Self::Hexagonal => 2,
            Self::Orthorhombic => 3,
        }
    }

    /// The coefficients of 1/d² in the reciprocal parameters
    /// (1/a², [1/b²,] 1/c²): 1/d² = Σ coeff_k · p_k.
    fn coefficients(self, [h, k, l]: [i32; 3]) -> [f64; 3] {
        let (h, k, l) = (h as f64, k as f64, l as f64);
        match self {
            Self::Cubic => [h * h + k * k + l * l, 0.0, 0.0],
            Self::Tetragonal => [h * h + k * k, l * l, 0.0],
            Self::Hexagonal => [4.0 / 3.0 * (h * h + h * k + k * k), l * l, 0.0],
            Self::Orthorhombic => [h * h, k * k, l * l],
        }
    }
}

/// A unit cell of one of the [`CrystalSystem`]s, lengths in Å.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The crystal system.
    pub system: CrystalSystem,
    /// a, Å.
    pub a: f64,
    /// b, Å (= a except orthorhombic).
    pub b: f64,
    /// c, Å (= a for cubic).
    pub c: f64,
}

impl Cell {
    /// A cubic cell.
    pub fn cubic(a: f64) -> Result<Self> {
        Self::new(CrystalSystem::Cubic, a, a, a)
    }

    /// A cell of `system`; b and c are ignored where the system fixes them
    /// (cubic: b = c = a; tetragonal and hexagonal: b = a).
    pub fn new(system: CrystalSystem, a: f64, b: f64, c: f64) -> Result<Self> {
        let (b, c) = match system {
            CrystalSystem::Cubic => (a, a),
            CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => (a, c),
            CrystalSystem::Orthorhombic => (b, c),
        };
        for (n, v) in [("a", a), ("b", b), ("c", c)] {
            if !(v.is_finite() && v > 0.0 && v < 1e4) {
                return Err(Error::Invalid(format!(
                    "cell length {n} = {v} Å must be finite, > 0 and < 10⁴"
                )));
            }
        }
        Ok(Cell { system, a, b, c })
    }

    fn reciprocal(&self) -> [f64; 3] {
        match self.system {
            CrystalSystem::Cubic => [1.0 / (self.a * self.a), 0.0, 0.0],
            CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => {
                [1.0 / (self.a * self.a), 1.0 / (self.c * self.c), 0.0]
            }
            CrystalSystem::Orthorhombic => [
                1.0 / (self.a * self.a),
                1.0 / (self.b * self.b),
                1.0 / (self.c * self.c),
            ],
        }
    }

    /// d(hkl), Å, from the reciprocal metric of the system; an error for (000).
    pub fn d_spacing(&self, hkl: [i32; 3]) -> Result<f64> {
        let q = dot(self.system.coefficients(hkl), self.reciprocal());
        if q <= 0.0 {
            return Err(Error::Invalid(format!(
                "({} {} {}) has no d-spacing",
                hkl[0], hkl[1], hkl[2]
            )));
        }
        Ok(1.0 / q.sqrt())
    }

    /// Cell volume, Å³.
    pub fn volume(&self) -> f64 {
        match self.system {
            CrystalSystem::Hexagonal => 3f64.sqrt() / 2.0 * self.a * self.a * self.c,
            _ => self.a * self.b * self.c,
        }
    }
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Lattice centring, for the reflection conditions of [`reflections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Centering {
    /// Primitive: every (hkl) allowed (e.g. cubic perovskite Pm-3m).
    #[default]
    P,
    /// Body-centred: h + k + l even.
    I,
    /// Face-centred: h, k, l all even or all odd.
    F,
    /// C-centred: h + k even.
    C,
}

impl Centering {
    /// Whether (hkl) is allowed.
    pub fn allows(self, [h, k, l]: [i32; 3]) -> bool {
        match self {
            Self::P => true,
            Self::I => (h + k + l).rem_euclid(2) == 0,
            Self::F => {
                let p = [h, k, l].map(|v| v.rem_euclid(2));
                p[0] == p[1] && p[1] == p[2]
            }
            Self::C => (h + k).rem_euclid(2) == 0,
        }
    }
}

/// One allowed reflection of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reflection {
    /// Miller indices (one representative of the equivalent set).
    pub hkl: [i32; 3],
    /// d-spacing, Å.
    pub d: f64,
    /// 2θ, degrees, at the given wavelength.
    pub two_theta: f64,
}

/// The distinct reflections of `cell` up to `two_theta_max` degrees, in
/// order of 2θ: one representative (hkl) with non-negative indices per
/// distinct d (h ≥ k ≥ l for cubic, h ≥ k for tetragonal and hexagonal),
/// allowed by the centring. Only lattice-centring conditions are applied, no
/// space-group extinctions.
pub fn reflections(
    cell: &Cell,
    centering: Centering,
    lambda: f64,
    two_theta_max: f64,
) -> Result<Vec<Reflection>> {
    check_lambda(lambda)?;
    if !(two_theta_max.is_finite() && two_theta_max > 0.0 && two_theta_max <= 180.0) {
        return Err(Error::Invalid(format!(
            "2θ max {two_theta_max}° must be in (0, 180]"
        )));
    }
    let d_min = lambda / (2.0 * (two_theta_max.to_radians() / 2.0).sin());
    let max_index = |len: f64| (len / d_min).floor() as i32 + 1;
    let (hm, km, lm) = (max_index(cell.a), max_index(cell.b), max_index(cell.c));
    let count = (hm as i64 + 1) * (km as i64 + 1) * (lm as i64 + 1);
    if count > 2_000_000 {
        return Err(Error::Invalid(format!(
            "{count} (hkl) candidates up to 2θ = {two_theta_max}°: the cell is too large for this range"
        )));
    }
    let mut out: Vec<Reflection> = Vec::new();
    for h in 0..=hm {
        for k in 0..=km {
            for l in 0..=lm {
                let keep = match cell.system {
                    CrystalSystem::Cubic => h >= k && k >= l,
                    CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => h >= k,
                    CrystalSystem::Orthorhombic => true,
                };
                if !keep || (h, k, l) == (0, 0, 0) || !centering.allows([h, k, l]) {
                    continue;
                }
                let d = cell.d_spacing([h, k, l])?;
                if d < d_min {
                    continue;
                }
                let tt = two_theta(d, lambda)?;
                out.push(Reflection {
                    hkl: [h, k, l],
                    d,
                    two_theta: tt,
                });
            }
        }
    }
    out.sort_by(|a, b| a.two_theta.total_cmp(&b.two_theta));
    out.dedup_by(|b, a| (a.d - b.d).abs() <= 1e-9 * a.d);
    Ok(out)
}

/// A peak matched to a reflection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IndexedPeak {
    /// Miller indices of the nearest reflection.
    pub hkl: [i32; 3],
    /// Observed − calculated 2θ, degrees.
    pub delta: f64,
}

/// Matches each observed 2θ to the nearest reflection within `tolerance`
/// degrees (`None` when none is that close).
pub fn index_peaks(
    observed: &[f64],
    reflections: &[Reflection],
    tolerance: f64,
) -> Result<Vec<Option<IndexedPeak>>> {
    if !(tolerance.is_finite() && tolerance > 0.0) {
        return Err(Error::Invalid(format!(
            "tolerance {tolerance}° must be > 0"
        )));
    }
    observed
        .iter()
        .enumerate()
        .map(|(i, &tt)| {
            if !tt.is_finite() {
                return Err(Error::NonFinite {
                    what: "observed 2θ",
                    index: i,
                    value: tt,
                });
            }
            Ok(reflections
                .iter()
                .map(|r| (r, tt - r.two_theta))
                .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .filter(|(_, d)| d.abs() <= tolerance)
                .map(|(r, d)| IndexedPeak {
                    hkl: r.hkl,
                    delta: d,
                }))
        })
        .collect()
}

/// The observed 2θ values that [`index_peaks`] matches within `tolerance`,
/// as [`ObservedReflection`]s ready for [`refine_lattice`] (unmatched peaks
/// are dropped).
pub fn matched_reflections(
    observed: &[f64],
    reflections: &[Reflection],
    tolerance: f64,
) -> Result<Vec<ObservedReflection>> {
    Ok(index_peaks(observed, reflections, tolerance)?
        .iter()
        .zip(observed)
        .filter_map(|(m, &tt)| {
            m.map(|m| ObservedReflection {
                hkl: m.hkl,
                two_theta: tt,
            })
        })
        .collect())
}

// ------------------------------------------------------------ refinement

/// An observed, indexed reflection for [`refine_lattice`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ObservedReflection {
    /// Miller indices.
    pub hkl: [i32; 3],
    /// Observed 2θ, degrees.
    pub two_theta: f64,
}

/// A refined cell. `Display` prints the system, the cell lengths and volume
/// (each rounded to its standard error), the zero shift when refined and the
/// rms residual; the example of [`refine_lattice`] prints one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatticeFit {
    /// The crystal system.
    pub system: CrystalSystem,
    /// a, Å.
    pub a: Estimate,
    /// b, Å (equal to a, with a's error, except orthorhombic).
    pub b: Estimate,
    /// c, Å.
    pub c: Estimate,
    /// Cell volume, Å³.
    pub volume: Estimate,
    /// Zero shift of the 2θ scale, degrees (2θ_obs = 2θ_calc + zero), when refined.
    pub zero_shift: Option<Estimate>,
    /// Observed − calculated 2θ per reflection, degrees.
    pub residuals: Vec<f64>,
    /// Root-mean-square residual, degrees.
    pub rms: f64,
}

impl std::fmt::Display for LatticeFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let system = match self.system {
            CrystalSystem::Cubic => "cubic",
            CrystalSystem::Tetragonal => "tetragonal",
            CrystalSystem::Hexagonal => "hexagonal",
            CrystalSystem::Orthorhombic => "orthorhombic",
        };
        writeln!(
            f,
            "[[Lattice refinement]] {system}, {} reflections, rms residual = {:.4}° (2θ)",
            self.residuals.len(),
            self.rms
        )?;
        writeln!(f, "    a = {} Å", self.a)?;
        match self.system {
            CrystalSystem::Cubic => {}
            CrystalSystem::Orthorhombic => {
                writeln!(f, "    b = {} Å", self.b)?;
                writeln!(f, "    c = {} Å", self.c)?;
            }
            CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => {
                writeln!(f, "    c = {} Å", self.c)?;
            }
        }
        writeln!(f, "    V = {} Å³", self.volume)?;
        if let Some(z) = &self.zero_shift {
            writeln!(f, "    zero shift = {z}° (2θ_obs = 2θ_calc + zero)")?;
        }
        Ok(())
    }
}

impl LatticeFit {
    /// The refined cell (values only).
    pub fn cell(&self) -> Result<Cell> {
        Cell::new(self.system, self.a.value, self.b.value, self.c.value)
    }
}

/// Least-squares refinement of the cell (and optionally a 2θ zero shift)
/// from indexed reflections, minimising Σ (2θ_obs − 2θ_calc)² over the
/// reciprocal parameters (1/a², 1/b², 1/c²) by Gauss–Newton started from the
/// linear least-squares solution in 1/d². Standard errors from
/// s² (JᵀJ)⁻¹ with s² = SSR/(n − p), propagated to a, b, c and V; they need
/// more reflections than parameters. See e.g. B. D. Cullity and S. R. Stock,
/// *Elements of X-ray Diffraction*, 3rd ed. (2001), §11.
///
/// ```
/// use interphase_spectra::xrd::{self, CrystalSystem, ObservedReflection, Cell, CU_KA1};
/// // six LLTO reflections (a = 3.8750 Å) read with ±0.003° scatter
/// let cell = Cell::cubic(3.875)?;
/// let scatter = [0.002, -0.003, 0.001, 0.003, -0.002, -0.001];
/// let obs = [[1, 0, 0], [1, 1, 0], [1, 1, 1], [2, 0, 0], [2, 1, 0], [2, 1, 1]]
///     .iter()
///     .zip(scatter)
///     .map(|(&hkl, e)| {
///         let tt = xrd::two_theta(cell.d_spacing(hkl)?, CU_KA1)? + e;
///         Ok(ObservedReflection { hkl, two_theta: tt })
///     })
///     .collect::<Result<Vec<_>, interphase_spectra::Error>>()?;
/// let fit = xrd::refine_lattice(&obs, CrystalSystem::Cubic, CU_KA1, false)?;
/// assert!((fit.a.value - 3.875).abs() < 3.0 * fit.a.stderr.unwrap());
/// println!("{fit}"); // a = 3.8750 ± 0.0003 Å, V, rms residual
/// assert!(fit.to_string().contains("[[Lattice refinement]] cubic, 6 reflections"));
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
pub fn refine_lattice(
    obs: &[ObservedReflection],
    system: CrystalSystem,
    lambda: f64,
    refine_zero: bool,
) -> Result<LatticeFit> {
    check_lambda(lambda)?;
    let np = system.n_params() + usize::from(refine_zero);
    if obs.len() < np {
        return Err(Error::Invalid(format!(
            "{} reflections cannot determine {np} parameters",
            obs.len()
        )));
    }
    let m = system.n_params();
    let mut rows = Vec::with_capacity(obs.len());
    for (i, r) in obs.iter().enumerate() {
        if !(r.two_theta.is_finite() && r.two_theta > 0.0 && r.two_theta < 180.0) {
            return Err(Error::Invalid(format!(
                "reflection {i}: 2θ = {}° must be in (0, 180)",
                r.two_theta
            )));
        }
        let c = system.coefficients(r.hkl);
        if c.iter().all(|&v| v == 0.0) {
            return Err(Error::Invalid(format!(
                "reflection {i}: (000) is not a reflection"
            )));
        }
        rows.push(c);
    }
    // linear start: Q_obs = 1/d² = Σ c_k p_k
    let a_lin = DMatrix::from_fn(obs.len(), m, |i, k| rows[i][k]);
    let q: DVector<f64> = DVector::from_iterator(
        obs.len(),
        obs.iter().map(|r| {
            let d = lambda / (2.0 * (r.two_theta.to_radians() / 2.0).sin());
            1.0 / (d * d)
        }),
    );
    let svd = a_lin.clone().svd(true, true);
    let smax = svd.singular_values.max();
    if svd.singular_values.min() <= 1e-10 * smax {
        return Err(Error::Invalid(format!(
            "the reflections do not determine every cell parameter of a {system:?} cell (add reflections with other index patterns)"
        )));
    }
    let p0 = svd
        .solve(&q, 1e-12 * smax)
        .map_err(|e| Error::Invalid(format!("lattice least squares: {e}")))?;
    let mut p = DVector::zeros(np);
    for k in 0..m {
        p[k] = p0[k];
    }
    let calc = |p: &DVector<f64>, i: usize| -> Option<(f64, f64)> {
        let qi: f64 = (0..m).map(|k| rows[i][k] * p[k]).sum();
        let s = lambda * qi.max(0.0).sqrt() / 2.0;
        if qi <= 0.0 || s >= 1.0 {
            return None;
        }
        let th = s.asin();
        // d(2θ_deg)/dQ
        let dq = 2.0f64.to_degrees() * lambda / (4.0 * qi.sqrt() * th.cos());
        Some((2.0 * th.to_degrees(), dq))
    };
    let n = obs.len();
    let mut jac = DMatrix::zeros(n, np);
    let mut res = DVector::zeros(n);
    let eval = |p: &DVector<f64>, jac: &mut DMatrix<f64>, res: &mut DVector<f64>| -> Result<f64> {
        for i in 0..n {
            let (tt, dq) = calc(p, i).ok_or_else(|| {
                Error::Invalid(format!(
                    "reflection {i} ({:?}) has no Bragg angle for the current cell",
                    obs[i].hkl
                ))
            })?;
            let zero = if refine_zero { p[m] } else { 0.0 };
            res[i] = obs[i].two_theta - tt - zero;
            for k in 0..m {
                jac[(i, k)] = dq * rows[i][k];
            }
            if refine_zero {
                jac[(i, m)] = 1.0;
            }
        }
        Ok(res.norm_squared())
    };
    let mut ssr = eval(&p, &mut jac, &mut res)?;
    for _ in 0..50 {
        let Some(step) = jac.clone().svd(true, true).solve(&res, 1e-14).ok() else {
            break;
        };
        let trial = &p + &step;
        let mut j2 = jac.clone();
        let mut r2 = res.clone();
        match eval(&trial, &mut j2, &mut r2) {
            Ok(s) if s <= ssr => {
                let done = (ssr - s) <= 1e-15 * ssr.max(1e-300) || step.norm() <= 1e-15 * p.norm();
                p = trial;
                jac = j2;
                res = r2;
                ssr = s;
                if done {
                    break;
                }
            }
            _ => break,
        }
    }
    let dof = n as f64 - np as f64;
    let cov = if dof > 0.0 {
        (jac.transpose() * &jac)
            .try_inverse()
            .map(|m| m * (ssr / dof))
    } else {
        None
    };
    let var = |k: usize| cov.as_ref().map(|c| c[(k, k)].max(0.0));
    // length from reciprocal parameter P = 1/L²: L = P^(-1/2), dL/dP = -L³/2
    let len = |k: usize| {
        let l = 1.0 / p[k].sqrt();
        Estimate {
            value: l,
            stderr: var(k).map(|v| v.sqrt() * l * l * l / 2.0),
        }
    };
    let (a, b, c) = match system {
        CrystalSystem::Cubic => (len(0), len(0), len(0)),
        CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => (len(0), len(0), len(1)),
        CrystalSystem::Orthorhombic => (len(0), len(1), len(2)),
    };
    for (n_, v) in [("a", a.value), ("b", b.value), ("c", c.value)] {
        if !v.is_finite() {
            return Err(Error::Invalid(format!(
                "refined {n_} is not finite: check the indexing"
            )));
        }
    }
    let cell = Cell::new(system, a.value, b.value, c.value)?;
    // volume gradient with respect to the reciprocal parameters: V ∝ Π P_k^(-e_k/2)
    let v = cell.volume();
    let grad: Vec<f64> = match system {
        CrystalSystem::Cubic => vec![-1.5 * v / p[0]],
        CrystalSystem::Tetragonal | CrystalSystem::Hexagonal => {
            vec![-v / p[0], -0.5 * v / p[1]]
        }
        CrystalSystem::Orthorhombic => (0..3).map(|k| -0.5 * v / p[k]).collect(),
    };
    let v_err = cov.as_ref().map(|cv| {
        let mut s = 0.0;
        for i in 0..m {
            for j in 0..m {
                s += grad[i] * cv[(i, j)] * grad[j];
            }
        }
        s.max(0.0).sqrt()
    });
    let zero_shift = refine_zero.then(|| Estimate {
        value: p[m],
        stderr: var(m).map(f64::sqrt),
    });
    Ok(LatticeFit {
        system,
        a,
        b,
        c,
        volume: Estimate {
            value: v,
            stderr: v_err,
        },
        zero_shift,
        residuals: res.iter().copied().collect(),
        rms: (ssr / n as f64).sqrt(),
    })
}

/// Indexes observed peak positions against a starting cell and refines it,
/// repeatedly: match within `tolerance` degrees, refine the cell (without
/// the zero shift while few reflections are matched), regenerate the
/// reflections of the refined cell and match again, until the matched set no
/// longer changes (at most 10 rounds). A starting cell a few tenths of a
/// percent off is enough. Returns the final fit and the reflections used.
pub fn index_and_refine(
    observed: &[f64],
    start: &Cell,
    centering: Centering,
    lambda: f64,
    tolerance: f64,
    refine_zero: bool,
) -> Result<(LatticeFit, Vec<ObservedReflection>)> {
    let tt_max = observed
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    if tt_max <= 0.0 {
        return Err(Error::Invalid("no observed 2θ to index".into()));
    }
    let limit = (tt_max + 2.0 * tolerance).min(180.0);
    let mut cell = *start;
    let mut last: Option<Vec<ObservedReflection>> = None;
    let np = start.system.n_params();
    for _ in 0..10 {
        let refl = reflections(&cell, centering, lambda, limit)?;
        let matched = matched_reflections(observed, &refl, tolerance)?;
        if matched.len() < np {
            return Err(Error::Invalid(format!(
                "only {} of {} peaks index within {tolerance}° of the starting cell: give a closer cell or a larger tolerance",
                matched.len(),
                observed.len()
            )));
        }
        let zero = refine_zero && matched.len() > np + 1;
        let fit = refine_lattice(&matched, start.system, lambda, zero)?;
        cell = fit.cell()?;
        if last.as_ref() == Some(&matched) {
            let fit = refine_lattice(&matched, start.system, lambda, refine_zero)?;
            return Ok((fit, matched));
        }
        last = Some(matched);
    }
    let matched = last.unwrap_or_default();
    let fit = refine_lattice(&matched, start.system, lambda, refine_zero)?;
    Ok((fit, matched))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bragg_round_trip_and_errors() {
        for tt in [5.0, 32.7, 90.0, 150.0] {
            let d = d_spacing(tt, CU_KA1).unwrap();
            assert!((two_theta(d, CU_KA1).unwrap() - tt).abs() < 1e-10);
        }
        assert!(two_theta(0.5, CU_KA1).is_err());
        assert!(d_spacing(0.0, CU_KA1).is_err());
        assert!(d_spacing(30.0, -1.0).is_err());
        // Si (111), a = 5.431020511 Å (CODATA 2018), Cu Kα1: 28.4427°
        let si = Cell::cubic(5.431_020_511).unwrap();
        let tt = two_theta(si.d_spacing([1, 1, 1]).unwrap(), CU_KA1).unwrap();
        assert!((tt - 28.4427).abs() < 1e-3, "{tt}");
    }

    #[test]
    fn wavelength_names() {
        assert!((wavelength("Cu").unwrap() - CU_KA).abs() < 1e-15);
        assert!((wavelength("cuka1").unwrap() - CU_KA1).abs() < 1e-15);
        assert!((wavelength("Mo-Ka2").unwrap() - MO_KA2).abs() < 1e-15);
        assert!((wavelength("1.5").unwrap() - 1.5).abs() < 1e-15);
        assert!(wavelength("Xx").is_err());
        assert!(wavelength("-2").is_err());
        assert!((CU_KA - 1.541_874).abs() < 1e-6);
    }

    #[test]
    fn centering_rules() {
        assert!(Centering::I.allows([1, 1, 0]));
        assert!(!Centering::I.allows([1, 0, 0]));
        assert!(Centering::F.allows([1, 1, 1]));
        assert!(Centering::F.allows([2, 0, 0]));
        assert!(!Centering::F.allows([1, 1, 0]));
        assert!(!Centering::C.allows([1, 0, 1]));
    }

    #[test]
    fn hexagonal_d_spacing() {
        // hexagonal (100): d = a √3/2
        let c = Cell::new(CrystalSystem::Hexagonal, 3.0, 0.0, 5.0).unwrap();
        assert!((c.d_spacing([1, 0, 0]).unwrap() - 3.0 * 3f64.sqrt() / 2.0).abs() < 1e-12);
        assert!((c.d_spacing([0, 0, 2]).unwrap() - 2.5).abs() < 1e-12);
        assert!(c.d_spacing([0, 0, 0]).is_err());
    }
}
