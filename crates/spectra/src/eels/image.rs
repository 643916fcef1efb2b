//! Spectrum images and line scans: ny × nx pixels (a line scan is 1 × n)
//! sharing one calibrated energy axis, with per-pixel operations that run in
//! parallel (rayon) and return maps of values with their standard errors.
//!
//! ```
//! use interphase_spectra::eels::SpectrumImage;
//! // a 2 × 3 image of 4 channels, pixel-major
//! let e = vec![0.0, 1.0, 2.0, 3.0];
//! let data: Vec<f64> = (0..24).map(|i| i as f64).collect();
//! let img = SpectrumImage::new(e, (2, 3), data)?;
//! assert_eq!(img.pixel_at(1, 2), &[20.0, 21.0, 22.0, 23.0]);
//! let sums = img.map_values(|_, y| Ok(y.iter().sum::<f64>()));
//! assert_eq!(sums.value[5], 86.0);
//! # Ok::<(), interphase_spectra::Error>(())
//! ```

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Estimate;
use crate::spectrum::{Metadata, Spectrum};

/// Most values an image may hold (2³¹ ≈ 16 GiB of f64): larger requests are
/// refused before allocating.
pub const MAX_IMAGE_VALUES: usize = 1 << 31;

/// A calibrated spectrum image: `shape` = (ny, nx) pixels, each a spectrum on
/// the shared `energy` axis (eV, strictly increasing). Data are stored pixel
/// after pixel, row-major: pixel (iy, ix) holds
/// `data[(iy·nx + ix)·channels ..][..channels]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpectrumImage {
    energy: Arc<[f64]>,
    shape: (usize, usize),
    data: Vec<f64>,
    /// Name, technique, units and the reader's metadata.
    pub meta: Metadata,
}

impl SpectrumImage {
    /// An image from its axis, (ny, nx) and pixel-major data. Errors on an
    /// axis of fewer than 2 channels or not strictly increasing, a zero-sized
    /// shape, a data length other than ny·nx·channels (or above
    /// [`MAX_IMAGE_VALUES`]), and any non-finite value (with its pixel and
    /// channel).
    pub fn new(
        energy: impl Into<Arc<[f64]>>,
        shape: (usize, usize),
        data: Vec<f64>,
    ) -> Result<Self> {
        let energy: Arc<[f64]> = energy.into();
        let n = energy.len();
        if n < 2 {
            return Err(Error::Invalid(format!(
                "spectrum image: an energy axis of {n} channels; at least 2 are needed"
            )));
        }
        if let Some(i) = energy.iter().position(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "spectrum image: energy {i} is {}",
                energy[i]
            )));
        }
        if let Some(i) = energy.windows(2).position(|w| w[1] <= w[0]) {
            return Err(Error::Invalid(format!(
                "spectrum image: energies must increase; channel {} ({} eV) follows {} eV",
                i + 1,
                energy[i + 1],
                energy[i]
            )));
        }
        let (ny, nx) = shape;
        let want = ny
            .checked_mul(nx)
            .and_then(|p| p.checked_mul(n))
            .filter(|&v| v <= MAX_IMAGE_VALUES);
        let Some(want) = want else {
            return Err(Error::Invalid(format!(
                "spectrum image: {ny} × {nx} pixels × {n} channels is more than {MAX_IMAGE_VALUES} values"
            )));
        };
        if ny == 0 || nx == 0 {
            return Err(Error::Invalid(format!(
                "spectrum image: shape {ny} × {nx} has no pixels"
            )));
        }
        if data.len() != want {
            return Err(Error::Invalid(format!(
                "spectrum image: {} values for {ny} × {nx} pixels × {n} channels (= {want})",
                data.len()
            )));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            let (p, c) = (i / n, i % n);
            return Err(Error::Invalid(format!(
                "spectrum image: pixel ({}, {}) channel {c} ({} eV) is {}",
                p / nx,
                p % nx,
                energy[c],
                data[i]
            )));
        }
        Ok(Self {
            energy,
            shape,
            data,
            meta: Metadata::default(),
        })
    }

    /// A line scan of `n` spectra (shape 1 × n).
    pub fn line(energy: impl Into<Arc<[f64]>>, data: Vec<f64>) -> Result<Self> {
        let energy: Arc<[f64]> = energy.into();
        let ch = energy.len().max(1);
        let n = data.len() / ch;
        if n * ch != data.len() {
            return Err(Error::Invalid(format!(
                "line scan: {} values are not a whole number of {ch}-channel spectra",
                data.len()
            )));
        }
        Self::new(energy, (1, n), data)
    }

    /// An image from spectra in row-major pixel order, all on the same energy
    /// axis (the same values, not only the same length); `shape` = (ny, nx)
    /// must hold exactly `spectra.len()` pixels. The first spectrum's metadata
    /// become the image's.
    pub fn from_spectra(spectra: &[Spectrum], shape: (usize, usize)) -> Result<Self> {
        let Some(first) = spectra.first() else {
            return Err(Error::Invalid("spectrum image: no spectra".into()));
        };
        if shape.0.checked_mul(shape.1) != Some(spectra.len()) {
            return Err(Error::Invalid(format!(
                "spectrum image: {} spectra do not fill {} × {} pixels",
                spectra.len(),
                shape.0,
                shape.1
            )));
        }
        let x = first.shared_x();
        let mut data =
            Vec::with_capacity(spectra.len().saturating_mul(x.len()).min(MAX_IMAGE_VALUES));
        for (i, s) in spectra.iter().enumerate() {
            if s.x() != &x[..] {
                return Err(Error::Invalid(format!(
                    "spectrum image: spectrum {i} ({:?}) has another energy axis than spectrum 0",
                    s.meta.name
                )));
            }
            data.extend_from_slice(s.y());
        }
        let mut img = Self::new(x, shape, data)?;
        img.meta = first.meta.clone();
        Ok(img)
    }

    /// The energy axis (eV).
    pub fn energy(&self) -> &[f64] {
        &self.energy
    }

    /// The energy axis, shared (no copy).
    pub fn shared_energy(&self) -> Arc<[f64]> {
        self.energy.clone()
    }

    /// (ny, nx).
    pub fn shape(&self) -> (usize, usize) {
        self.shape
    }

    /// Channels per spectrum.
    pub fn channels(&self) -> usize {
        self.energy.len()
    }

    /// Number of pixels, ny·nx.
    pub fn pixels(&self) -> usize {
        self.shape.0 * self.shape.1
    }

    /// All values, pixel-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The spectrum of pixel `p` (row-major index). Panics if `p` ≥ pixels,
    /// like slice indexing; [`Self::spectrum`] returns a `Result`.
    pub fn pixel(&self, p: usize) -> &[f64] {
        let n = self.channels();
        &self.data[p * n..(p + 1) * n]
    }

    /// The spectrum of pixel (iy, ix). Panics outside the image, like slice
    /// indexing.
    pub fn pixel_at(&self, iy: usize, ix: usize) -> &[f64] {
        assert!(
            iy < self.shape.0 && ix < self.shape.1,
            "pixel ({iy}, {ix}) outside {:?}",
            self.shape
        );
        self.pixel(iy * self.shape.1 + ix)
    }

    /// Pixel `p` as a [`Spectrum`] sharing the energy axis.
    pub fn spectrum(&self, p: usize) -> Result<Spectrum> {
        if p >= self.pixels() {
            return Err(Error::Invalid(format!(
                "pixel {p} outside an image of {} pixels",
                self.pixels()
            )));
        }
        let mut meta = self.meta.clone();
        meta.name = format!(
            "{} ({}, {})",
            self.meta.name,
            p / self.shape.1,
            p % self.shape.1
        );
        Ok(Spectrum::with_shared_x(self.energy.clone(), self.pixel(p).to_vec())?.with_meta(meta))
    }

    /// Applies `f(energy, pixel)` to every pixel in parallel; results in
    /// row-major order, one per pixel (a failing pixel does not stop the others).
    pub fn map<T, F>(&self, f: F) -> Vec<Result<T>>
    where
        T: Send,
        F: Fn(&[f64], &[f64]) -> Result<T> + Sync + Send,
    {
        let e = &self.energy[..];
        self.data
            .par_chunks(self.channels())
            .map(|y| f(e, y))
            .collect()
    }

    /// [`Self::map`] with the pixel's row-major index: `f(index, energy, pixel)`.
    pub fn map_indexed<T, F>(&self, f: F) -> Vec<Result<T>>
    where
        T: Send,
        F: Fn(usize, &[f64], &[f64]) -> Result<T> + Sync + Send,
    {
        let e = &self.energy[..];
        self.data
            .par_chunks(self.channels())
            .enumerate()
            .map(|(p, y)| f(p, e, y))
            .collect()
    }

    /// Runs `f(pixel, spectrum, row)` on every pixel in parallel, each
    /// writing `width` estimates into its own row of one buffer (no
    /// allocation per pixel): the rows (pixel-major, NaN where not written)
    /// and each pixel's error, if any.
    pub(crate) fn rows_into<F>(&self, width: usize, f: F) -> (Vec<Estimate>, Vec<Option<Error>>)
    where
        F: Fn(usize, &[f64], &mut [Estimate]) -> Result<()> + Sync + Send,
    {
        let nan = Estimate {
            value: f64::NAN,
            stderr: None,
        };
        let mut rows = vec![nan; self.pixels() * width];
        let errors = self
            .data
            .par_chunks(self.channels())
            .zip(rows.par_chunks_mut(width.max(1)))
            .enumerate()
            .map(|(p, (y, row))| f(p, y, row).err())
            .collect();
        (rows, errors)
    }

    /// [`Self::map`] for a scalar with no uncertainty: a [`Map`] whose failed
    /// pixels are NaN and listed.
    pub fn map_values<F>(&self, f: F) -> Map
    where
        F: Fn(&[f64], &[f64]) -> Result<f64> + Sync + Send,
    {
        Map::from_results(
            self.shape,
            self.map(|e, y| {
                f(e, y).map(|value| Estimate {
                    value,
                    stderr: None,
                })
            }),
        )
    }

    /// [`Self::map`] for an [`Estimate`]: values and standard errors.
    pub fn map_estimates<F>(&self, f: F) -> Map
    where
        F: Fn(&[f64], &[f64]) -> Result<Estimate> + Sync + Send,
    {
        Map::from_results(self.shape, self.map(f))
    }

    /// A new image with the same shape from per-pixel spectra on a new axis
    /// (`f` returns one value per channel of `energy`), computed in parallel.
    /// The first failing pixel's error is returned, with its position.
    pub fn map_spectra<F>(&self, energy: impl Into<Arc<[f64]>>, f: F) -> Result<SpectrumImage>
    where
        F: Fn(&[f64], &[f64]) -> Result<Vec<f64>> + Sync + Send,
    {
        let energy: Arc<[f64]> = energy.into();
        let n = energy.len();
        let results = self.map(|e, y| {
            let out = f(e, y)?;
            if out.len() != n {
                return Err(Error::Invalid(format!(
                    "{} values for a {n}-channel axis",
                    out.len()
                )));
            }
            Ok(out)
        });
        let mut data = Vec::with_capacity(self.pixels() * n);
        for (p, r) in results.into_iter().enumerate() {
            match r {
                Ok(v) => data.extend(v),
                Err(e) => {
                    return Err(Error::Invalid(format!(
                        "pixel ({}, {}): {e}",
                        p / self.shape.1,
                        p % self.shape.1
                    )));
                }
            }
        }
        let mut img = Self::new(energy, self.shape, data)?;
        img.meta = self.meta.clone();
        Ok(img)
    }
}

/// A per-pixel quantity: values and standard errors in row-major order.
/// A pixel whose computation failed holds NaN and is listed in `failures`
/// with its message; a standard error of NaN means none is known (listed by
/// the producing function's documentation), never zero by default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Map {
    /// (ny, nx).
    pub shape: (usize, usize),
    /// Values, row-major.
    pub value: Vec<f64>,
    /// Standard errors, row-major (NaN: not known).
    pub stderr: Vec<f64>,
    /// (pixel index, message) of every pixel that failed.
    pub failures: Vec<(usize, String)>,
}

/// Maps read from per-pixel rows ([`SpectrumImage::rows_into`]): a failed
/// pixel is NaN in every map and listed in each.
pub(crate) struct RowMaps<'a> {
    shape: (usize, usize),
    rows: &'a [Estimate],
    width: usize,
    errors: &'a [Option<Error>],
    failures: Vec<(usize, String)>,
}

impl<'a> RowMaps<'a> {
    /// `rows` may be empty when every pixel failed.
    pub(crate) fn new(
        shape: (usize, usize),
        rows: &'a [Estimate],
        width: usize,
        errors: &'a [Option<Error>],
    ) -> Self {
        let failures = errors
            .iter()
            .enumerate()
            .filter_map(|(p, e)| e.as_ref().map(|e| (p, e.to_string())))
            .collect();
        RowMaps {
            shape,
            rows,
            width,
            errors,
            failures,
        }
    }

    /// The map of entry `slot` of every row.
    pub(crate) fn map(&self, slot: usize) -> Map {
        let n = self.errors.len();
        let mut m = Map {
            shape: self.shape,
            value: Vec::with_capacity(n),
            stderr: Vec::with_capacity(n),
            failures: self.failures.clone(),
        };
        for (p, e) in self.errors.iter().enumerate() {
            let v = match (e, self.rows.get(p * self.width + slot)) {
                (None, Some(v)) => *v,
                _ => Estimate {
                    value: f64::NAN,
                    stderr: None,
                },
            };
            m.value.push(v.value);
            m.stderr.push(v.stderr.unwrap_or(f64::NAN));
        }
        m
    }
}

impl Map {
    /// Gathers per-pixel results (row-major).
    pub fn from_results(shape: (usize, usize), results: Vec<Result<Estimate>>) -> Self {
        let mut m = Map {
            shape,
            value: Vec::with_capacity(results.len()),
            stderr: Vec::with_capacity(results.len()),
            failures: Vec::new(),
        };
        for (p, r) in results.into_iter().enumerate() {
            match r {
                Ok(e) => {
                    m.value.push(e.value);
                    m.stderr.push(e.stderr.unwrap_or(f64::NAN));
                }
                Err(e) => {
                    m.value.push(f64::NAN);
                    m.stderr.push(f64::NAN);
                    m.failures.push((p, e.to_string()));
                }
            }
        }
        m
    }

    /// The value and standard error at (iy, ix), or `None` outside the map.
    pub fn get(&self, iy: usize, ix: usize) -> Option<Estimate> {
        if iy >= self.shape.0 || ix >= self.shape.1 {
            return None;
        }
        let p = iy * self.shape.1 + ix;
        Some(Estimate {
            value: self.value[p],
            stderr: Some(self.stderr[p]).filter(|s| s.is_finite()),
        })
    }

    /// The mean and the standard deviation of the finite values (NaN if none).
    pub fn mean_std(&self) -> (f64, f64) {
        let v: Vec<f64> = self
            .value
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        if v.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let s = if v.len() > 1 {
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        (m, s)
    }
}
