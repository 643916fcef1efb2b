//! Per-pixel near-edge features from peak-model fits: ΔE between two fitted
//! features (the Ti L₃ t2g–eg crystal-field splitting, an L₃–L₂ distance)
//! and the L₃/L₂ white-line ratio, as maps with the standard errors of the
//! fits' full covariance ([`delta_e`](super::delta_e),
//! [`white_line_ratio_from_fit`](super::white_line_ratio_from_fit)).
//!
//! Every image row is one chain fitted left to right, each pixel started
//! from its converged left neighbour (the model's own starting values when
//! that fails: [`BatchOptions::warm_start`]); rows run in parallel, so the
//! maps do not depend on the number of threads.
//!
//! ```
//! use interphase_spectra::eels::{Feature, FeatureOptions, SpectrumImage};
//! use interphase_spectra::model::PeakModel;
//! let model = PeakModel::from_toml(r#"
//! [[peaks]]
//! name = "t2g"
//! shape = "gaussian"
//! center = { value = 458.0, min = 456.0, max = 460.0 }
//! fwhm = 1.0
//! area = 100
//! [[peaks]]
//! name = "eg"
//! shape = "gaussian"
//! center = { value = 460.0, min = 458.5, max = 462.0 }
//! fwhm = 1.2
//! area = 100
//! "#)?;
//! let e: Vec<f64> = (0..200).map(|i| 454.0 + 0.05 * i as f64).collect();
//! let mut data = Vec::new();
//! for p in 0..4 {
//!     let split = 1.8 + 0.1 * p as f64;
//!     let params = model.parameters_from(&[("t2g.center", 457.8), ("eg.center", 457.8 + split)], &e)?;
//!     data.extend(model.evaluate(&e, &params)?);
//! }
//! let line = SpectrumImage::line(e, data)?;
//! let maps = line.feature_maps(&model, &[Feature::delta_e("t2g", "eg")], &FeatureOptions::default());
//! assert!((maps[0].value[3] - 2.1).abs() < 1e-6);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{BatchOptions, Estimate, PeakFit, PeakModel};
use crate::spectrum::Spectrum;

use super::image::{Map, SpectrumImage};
use super::{delta_e, subtract_power_law, white_line_ratio_from_fit};

/// A quantity read from each pixel's fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Feature {
    /// center(`to`) − center(`from`), eV (crystal-field splitting: t2g → eg).
    DeltaE {
        /// First peak name.
        from: String,
        /// Second peak name.
        to: String,
    },
    /// Σ areas of `l3` / Σ areas of `l2` (the white-line ratio).
    AreaRatio {
        /// Numerator peak names.
        l3: Vec<String>,
        /// Denominator peak names.
        l2: Vec<String>,
    },
}

impl Feature {
    /// ΔE from peak `from` to peak `to`.
    pub fn delta_e(from: &str, to: &str) -> Feature {
        Feature::DeltaE {
            from: from.into(),
            to: to.into(),
        }
    }

    /// The area ratio Σ`l3`/Σ`l2`.
    pub fn white_line_ratio(l3: &[&str], l2: &[&str]) -> Feature {
        Feature::AreaRatio {
            l3: l3.iter().map(|s| s.to_string()).collect(),
            l2: l2.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// "ΔE(t2g→eg)" or "area(L3 t2g+L3 eg)/area(...)".
    pub fn label(&self) -> String {
        match self {
            Feature::DeltaE { from, to } => format!("ΔE({from}→{to})"),
            Feature::AreaRatio { l3, l2 } => {
                format!("area({})/area({})", l3.join("+"), l2.join("+"))
            }
        }
    }

    fn of(&self, fit: &PeakFit) -> Result<Estimate> {
        match self {
            Feature::DeltaE { from, to } => delta_e(fit, from, to),
            Feature::AreaRatio { l3, l2 } => {
                let a: Vec<&str> = l3.iter().map(String::as_str).collect();
                let b: Vec<&str> = l2.iter().map(String::as_str).collect();
                white_line_ratio_from_fit(fit, &a, &b)
            }
        }
    }
}

/// Options of [`SpectrumImage::feature_maps`].
#[derive(Debug, Clone, Default)]
pub struct FeatureOptions<'a> {
    /// Power-law pre-edge window (eV) subtracted from each pixel first.
    pub background_ev: Option<(f64, f64)>,
    /// Energy range (eV) fitted.
    pub range_ev: Option<(f64, f64)>,
    /// Fit options, warm starts, chain length (ignored: one chain per image
    /// row) and progress.
    pub batch: BatchOptions<'a>,
}

impl SpectrumImage {
    /// Fits `model` to every pixel (after the optional power-law subtraction
    /// and crop) with warm starts along each image row, and returns one map
    /// per feature: values with the standard errors from each fit's
    /// covariance. A pixel whose preparation or fit fails, or whose fit lacks
    /// a named peak, is NaN in every map and listed in each map's failures.
    pub fn feature_maps(
        &self,
        model: &PeakModel,
        features: &[Feature],
        options: &FeatureOptions<'_>,
    ) -> Vec<Map> {
        let (ny, nx) = self.shape();
        let prepared: Vec<Result<Spectrum>> = (0..self.pixels())
            .map(|p| {
                let mut s = self.spectrum(p)?;
                if let Some(w) = options.background_ev {
                    s = subtract_power_law(&s, w)?.0;
                }
                if let Some((a, b)) = options.range_ev {
                    s = s.crop(a, b)?;
                }
                Ok(s)
            })
            .collect();
        // fit the prepared pixels, one chain per image row
        let ok: Vec<usize> = (0..prepared.len())
            .filter(|&p| prepared[p].is_ok())
            .collect();
        let spectra: Vec<Spectrum> = ok
            .iter()
            .filter_map(|&p| prepared[p].as_ref().ok().cloned())
            .collect();
        let batch = BatchOptions {
            chain: if ok.len() == self.pixels() {
                nx
            } else {
                options.batch.chain
            },
            ..options.batch.clone()
        };
        let fitted = model.fit_batch_map(&spectra, &batch, |fit| {
            features.iter().map(|f| f.of(&fit)).collect::<Vec<_>>()
        });
        let mut per_pixel: Vec<Result<Vec<Result<Estimate>>>> = prepared
            .into_iter()
            .map(|r| r.map(|_| Vec::new()))
            .collect();
        for (&p, r) in ok.iter().zip(fitted) {
            per_pixel[p] = r;
        }
        (0..features.len())
            .map(|k| {
                Map::from_results(
                    (ny, nx),
                    per_pixel
                        .iter()
                        .map(|r| match r {
                            Ok(v) => v.get(k).cloned().unwrap_or_else(|| {
                                Err(Error::Invalid("no fit for this pixel".into()))
                            }),
                            Err(e) => Err(e.clone()),
                        })
                        .collect(),
                )
            })
            .collect()
    }
}
