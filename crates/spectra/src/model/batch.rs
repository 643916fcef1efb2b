//! Batch fits of one model to many spectra: series, rows of a matrix, and
//! spectrum images, in parallel with warm starts, deterministic results, a
//! progress callback and per-spectrum failures.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{ArrayView2, ArrayView3, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use interphase_fit::Progress;

use super::{PeakFit, PeakFitOptions, PeakModel};
use crate::error::{Error, Result};
use crate::spectrum::Spectrum;

/// Options of the batch fits ([`PeakModel::fit_batch`],
/// [`PeakModel::fit_rows`], [`PeakModel::fit_image`]).
#[derive(Clone)]
pub struct BatchOptions<'a> {
    /// Options of each fit.
    pub fit: PeakFitOptions,
    /// Start each fit from its predecessor's converged values (default true):
    /// the previous spectrum of its chain. A warm start that fails or does
    /// not converge is retried from the model's own (automatic) starting
    /// values, and the lower χ² is kept.
    pub warm_start: bool,
    /// Spectra per chain for series and rows (default 64); an image row is
    /// one chain. Chains run in parallel, the spectra of a chain in order, so
    /// the results depend on the data and this length only — never on the
    /// number of threads.
    pub chain: usize,
    /// Called after every fit, from the worker threads, with the running
    /// counts (`done` counts up to `total`, in some order).
    pub progress: Option<&'a (dyn Fn(Progress) + Sync)>,
}

impl Default for BatchOptions<'_> {
    fn default() -> Self {
        BatchOptions {
            fit: PeakFitOptions::default(),
            warm_start: true,
            chain: 64,
            progress: None,
        }
    }
}

impl std::fmt::Debug for BatchOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("fit", &self.fit)
            .field("warm_start", &self.warm_start)
            .field("chain", &self.chain)
            .field("progress", &self.progress.map(|_| "callback"))
            .finish()
    }
}

/// One spectrum's fit without its curves (what a spectrum image keeps per
/// pixel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactFit {
    /// Parameter values, in [`BatchFit::names`] order.
    pub values: Vec<f64>,
    /// Their standard errors.
    pub stderrs: Vec<Option<f64>>,
    /// χ² of the (weighted) residuals.
    pub chi_square: f64,
    /// χ² per degree of freedom.
    pub reduced_chi_square: f64,
    /// Whether the solver converged.
    pub converged: bool,
    /// Residual evaluations used.
    pub n_evaluations: usize,
}

impl CompactFit {
    fn of(f: &PeakFit) -> CompactFit {
        CompactFit {
            values: f.fit.values(),
            stderrs: f.fit.stderrs(),
            chi_square: f.fit.chi_square,
            reduced_chi_square: f.fit.reduced_chi_square,
            converged: f.fit.converged,
            n_evaluations: f.fit.n_evaluations,
        }
    }
}

/// The outcome of [`PeakModel::fit_rows`] or [`PeakModel::fit_image`]: one
/// [`CompactFit`] (values, standard errors, χ²) per spectrum, or its error.
/// `Display` prints a summary: how many spectra were fitted, converged and
/// failed, each parameter's median, minimum and maximum over the fitted
/// spectra (6 significant digits: a spread, not an estimate), and the first
/// failures with their errors.
///
/// ```
/// use interphase_spectra::model::{BatchOptions, PeakModel};
/// use ndarray::Array2;
/// let model = PeakModel::from_toml(
///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
/// )?;
/// let x: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
/// let mut rows = Array2::<f64>::zeros((3, x.len()));
/// for r in 0..3 {
///     let p = model.parameters_from(&[("A.area", 1.0 + r as f64)], &x)?;
///     rows.row_mut(r).assign(&ndarray::ArrayView1::from(&model.evaluate(&x, &p)?));
/// }
/// rows[[1, 50]] = f64::NAN; // this spectrum fails alone
/// let batch = model.fit_rows(&x, rows.view(), &BatchOptions::default())?;
/// assert_eq!(batch.n_failed(), 1);
/// let area = batch.map("A.area")?;
/// assert!((area[2] - 3.0).abs() < 1e-6 && area[1].is_nan());
/// let first = batch.fits[0].as_ref().unwrap(); // a CompactFit
/// assert!(first.converged && first.chi_square < 1e-20);
/// // a summary: counts, each parameter's median and range, the failures
/// println!("{batch}");
/// assert!(batch.to_string().contains("3 spectra (shape 3), 2 fitted, 1 failed"));
/// # Ok::<(), interphase_spectra::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchFit {
    /// Parameter names (the model's), the order of [`CompactFit::values`].
    pub names: Vec<String>,
    /// `[n]` for rows, `[rows, cols]` for an image.
    pub shape: Vec<usize>,
    /// One entry per spectrum in row-major order; a failed spectrum keeps
    /// its error.
    pub fits: Vec<std::result::Result<CompactFit, Error>>,
}

impl BatchFit {
    /// The values of parameter `name` over the batch, row-major, NaN where
    /// the fit failed. Errors for an unknown name.
    pub fn map(&self, name: &str) -> Result<Vec<f64>> {
        let k = self.index(name)?;
        Ok(self
            .fits
            .iter()
            .map(|f| f.as_ref().map_or(f64::NAN, |f| f.values[k]))
            .collect())
    }

    /// The standard errors of parameter `name`, NaN where unknown.
    pub fn stderr_map(&self, name: &str) -> Result<Vec<f64>> {
        let k = self.index(name)?;
        Ok(self
            .fits
            .iter()
            .map(|f| {
                f.as_ref()
                    .ok()
                    .and_then(|f| f.stderrs[k])
                    .unwrap_or(f64::NAN)
            })
            .collect())
    }

    /// χ² over the batch, NaN where the fit failed.
    pub fn chi_square_map(&self) -> Vec<f64> {
        self.fits
            .iter()
            .map(|f| f.as_ref().map_or(f64::NAN, |f| f.chi_square))
            .collect()
    }

    /// How many fits failed.
    pub fn n_failed(&self) -> usize {
        self.fits.iter().filter(|f| f.is_err()).count()
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.names.iter().position(|n| n == name).ok_or_else(|| {
            Error::Invalid(format!(
                "`{name}` is not a parameter of the model ({})",
                self.names.join(", ")
            ))
        })
    }
}

impl std::fmt::Display for BatchFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use interphase_fit::format_significant as sig;
        let ok: Vec<&CompactFit> = self.fits.iter().filter_map(|r| r.as_ref().ok()).collect();
        let shape: Vec<String> = self.shape.iter().map(|d| d.to_string()).collect();
        writeln!(
            f,
            "[[Batch fit]] {} spectra (shape {}), {} fitted, {} failed, {} not converged",
            self.fits.len(),
            shape.join(" × "),
            ok.len(),
            self.n_failed(),
            ok.iter().filter(|c| !c.converged).count()
        )?;
        if !ok.is_empty() {
            writeln!(
                f,
                "    {:<22} {:>14} {:>14} {:>14}",
                "parameter", "median", "min", "max"
            )?;
            for (k, name) in self.names.iter().enumerate() {
                let v: Vec<f64> = ok
                    .iter()
                    .filter_map(|c| c.values.get(k).copied())
                    .filter(|v| v.is_finite())
                    .collect();
                let (lo, hi) = v
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                        (a.min(x), b.max(x))
                    });
                if let Some(med) = super::global::median(v) {
                    writeln!(
                        f,
                        "    {:<22} {:>14} {:>14} {:>14}",
                        name,
                        sig(med, 6),
                        sig(lo, 6),
                        sig(hi, 6)
                    )?;
                }
            }
        }
        let failed: Vec<(usize, &Error)> = self
            .fits
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
            .collect();
        for (i, e) in failed.iter().take(5) {
            writeln!(f, "    failed: spectrum {i}: {e}")?;
        }
        if failed.len() > 5 {
            writeln!(f, "    … and {} more failures", failed.len() - 5)?;
        }
        Ok(())
    }
}

impl PeakModel {
    /// One fit with an optional warm start and the retry rule of
    /// [`BatchOptions::warm_start`].
    fn fit_warm(
        &self,
        s: &Spectrum,
        options: &PeakFitOptions,
        warm: Option<&[f64]>,
    ) -> Result<PeakFit> {
        let Some(start) = warm else {
            return self.fit(s, options);
        };
        match self.fit_from(s, options, Some(start)) {
            Ok(f) if f.fit.converged => Ok(f),
            Ok(f) => match self.fit(s, options) {
                Ok(g) if g.fit.chi_square < f.fit.chi_square || !f.fit.chi_square.is_finite() => {
                    Ok(g)
                }
                _ => Ok(f),
            },
            Err(_) => self.fit(s, options),
        }
    }

    /// Runs `chains` (ranges of spectrum indices) in parallel, each in order,
    /// `get(i)` building spectrum `i`; results in index order.
    fn run_chains<T: Send>(
        &self,
        n: usize,
        chains: Vec<Range<usize>>,
        get: impl Fn(usize) -> Result<Spectrum> + Sync,
        keep: impl Fn(PeakFit) -> T + Sync,
        options: &BatchOptions<'_>,
    ) -> Vec<Result<T>> {
        let done = AtomicUsize::new(0);
        let failed = AtomicUsize::new(0);
        let per_chain: Vec<Vec<Result<T>>> = chains
            .into_par_iter()
            .map(|range| {
                let mut prev: Option<Vec<f64>> = None;
                let mut out = Vec::with_capacity(range.len());
                for i in range {
                    let r = get(i).and_then(|s| {
                        let warm = if options.warm_start {
                            prev.as_deref()
                        } else {
                            None
                        };
                        self.fit_warm(&s, &options.fit, warm)
                    });
                    prev = match &r {
                        Ok(f) if f.fit.converged => Some(f.fit.values()),
                        _ => prev,
                    };
                    if r.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if let Some(cb) = options.progress {
                        cb(Progress {
                            done: d,
                            total: n,
                            failed: failed.load(Ordering::Relaxed),
                        });
                    }
                    out.push(r.map(&keep));
                }
                out
            })
            .collect();
        per_chain.into_iter().flatten().collect()
    }

    /// Fits every spectrum, in parallel chains of [`BatchOptions::chain`]
    /// consecutive spectra, each warm-started from its converged predecessor
    /// (a depth profile or temperature series in order); full results, in
    /// input order, one failure per slot without stopping the others.
    ///
    /// ```
    /// use interphase_spectra::model::{BatchOptions, PeakModel};
    /// use interphase_spectra::Spectrum;
    /// let model = PeakModel::from_toml(
    ///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
    /// )?;
    /// let x: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
    /// let spectra: Vec<Spectrum> = (0..10)
    ///     .map(|k| {
    ///         let p = model.parameters_from(&[("A.area", 1.0 + k as f64)], &x)?;
    ///         Spectrum::new(x.clone(), model.evaluate(&x, &p)?)
    ///     })
    ///     .collect::<Result<_, _>>()?;
    /// let fits = model.fit_batch(&spectra, &BatchOptions::default());
    /// let area = fits[9].as_ref().unwrap().fit.value("A.area").unwrap();
    /// assert!((area - 10.0).abs() < 1e-6);
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn fit_batch(
        &self,
        spectra: &[Spectrum],
        options: &BatchOptions<'_>,
    ) -> Vec<Result<PeakFit>> {
        self.fit_batch_map(spectra, options, |f| f)
    }

    /// [`fit_batch`](Self::fit_batch) with each fit handed to `keep` in the
    /// worker thread as soon as it is done, so that a batch holds only what
    /// `keep` returns: e.g. `|mut f| { f.drop_curves(); f }` keeps about 2 %
    /// of each fit, or a summary of the caller's own. Results in input order.
    ///
    /// ```
    /// use interphase_spectra::model::{BatchOptions, PeakModel};
    /// use interphase_spectra::Spectrum;
    /// let model = PeakModel::from_toml(
    ///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
    /// )?;
    /// let x: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
    /// let spectra: Vec<Spectrum> = (1..4)
    ///     .map(|k| {
    ///         let p = model.parameters_from(&[("A.area", k as f64)], &x)?;
    ///         Spectrum::new(x.clone(), model.evaluate(&x, &p)?)
    ///     })
    ///     .collect::<Result<_, _>>()?;
    /// let chi2 = model.fit_batch_map(&spectra, &BatchOptions::default(), |f| f.fit.chi_square);
    /// assert!(chi2.iter().all(|c| *c.as_ref().unwrap() < 1e-20));
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn fit_batch_map<T: Send>(
        &self,
        spectra: &[Spectrum],
        options: &BatchOptions<'_>,
        keep: impl Fn(PeakFit) -> T + Sync,
    ) -> Vec<Result<T>> {
        let chains = chunks(spectra.len(), options.chain);
        self.run_chains(
            spectra.len(),
            chains,
            |i| Ok(spectra[i].clone()),
            keep,
            options,
        )
    }

    /// Fits every row of `data` (`n_spectra × channels`, on the common axis
    /// `x`) as [`fit_batch`](Self::fit_batch) does, keeping compact results
    /// (parameters, errors, χ²; no curves) for large batches. A row with a
    /// NaN fails alone.
    ///
    /// Errors (for the whole batch): `x` and the rows of different lengths.
    pub fn fit_rows(
        &self,
        x: &[f64],
        data: ArrayView2<'_, f64>,
        options: &BatchOptions<'_>,
    ) -> Result<BatchFit> {
        let (n, channels) = data.dim();
        check_channels(x, channels)?;
        let fits = self.run_chains(
            n,
            chunks(n, options.chain),
            |i| Spectrum::new(x.to_vec(), data.row(i).to_vec()),
            |f| CompactFit::of(&f),
            options,
        );
        Ok(BatchFit {
            names: self.parameter_names(),
            shape: vec![n],
            fits,
        })
    }

    /// Fits a spectrum image `data` (`rows × cols × channels`, on the
    /// common axis `x`): every image row is one chain, left to right, each
    /// pixel warm-started from its converged left neighbour; rows run in
    /// parallel. Results are compact, row-major; a bad pixel fails alone.
    ///
    /// Errors (for the whole image): `x` and the spectra of different lengths.
    ///
    /// ```
    /// use interphase_spectra::model::{BatchOptions, PeakModel};
    /// use ndarray::Array3;
    /// let model = PeakModel::from_toml(
    ///     "[[peaks]]\nname = \"A\"\nshape = \"gaussian\"\ncenter = 5\nfwhm = 1\narea = 1\n",
    /// )?;
    /// let x: Vec<f64> = (0..100).map(|i| 0.1 * i as f64).collect();
    /// let mut cube = Array3::<f64>::zeros((4, 5, x.len()));
    /// for r in 0..4 {
    ///     for c in 0..5 {
    ///         let p = model.parameters_from(&[("A.center", 4.0 + 0.1 * c as f64)], &x)?;
    ///         let y = model.evaluate(&x, &p)?;
    ///         cube.slice_mut(ndarray::s![r, c, ..]).assign(&ndarray::ArrayView1::from(&y));
    ///     }
    /// }
    /// let image = model.fit_image(&x, cube.view(), &BatchOptions::default())?;
    /// assert_eq!(image.shape, vec![4, 5]);
    /// let centers = image.map("A.center")?;
    /// assert!((centers[7] - 4.2).abs() < 1e-6); // row 1, column 2
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn fit_image(
        &self,
        x: &[f64],
        data: ArrayView3<'_, f64>,
        options: &BatchOptions<'_>,
    ) -> Result<BatchFit> {
        let (rows, cols, channels) = data.dim();
        check_channels(x, channels)?;
        let chains: Vec<Range<usize>> = (0..rows).map(|r| r * cols..(r + 1) * cols).collect();
        let fits = self.run_chains(
            rows * cols,
            chains,
            |i| {
                let pixel = data
                    .index_axis(Axis(0), i / cols)
                    .index_axis_move(Axis(0), i % cols);
                Spectrum::new(x.to_vec(), pixel.to_vec())
            },
            |f| CompactFit::of(&f),
            options,
        );
        Ok(BatchFit {
            names: self.parameter_names(),
            shape: vec![rows, cols],
            fits,
        })
    }
}

/// `0..n` in consecutive ranges of `len` (at least 1).
fn chunks(n: usize, len: usize) -> Vec<Range<usize>> {
    let len = len.max(1);
    (0..n.div_ceil(len))
        .map(|k| k * len..((k + 1) * len).min(n))
        .collect()
}

fn check_channels(x: &[f64], channels: usize) -> Result<()> {
    if x.len() != channels {
        return Err(Error::Length {
            what: format!("x has {} points, the spectra {channels} channels", x.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_once() {
        assert_eq!(chunks(0, 64), Vec::<Range<usize>>::new());
        assert_eq!(chunks(5, 2), vec![0..2, 2..4, 4..5]);
        assert_eq!(chunks(3, 0), vec![0..1, 1..2, 2..3]);
    }
}
