//! Global fits of one peak model to a series of spectra sharing parameters.

use interphase_fit::{FitResult, GlobalProblem, Parameter, Parameters, fit};
use serde::{Deserialize, Serialize};

use super::{ModelProblem, PeakFit, PeakFitOptions, PeakModel};
use crate::error::{Error, Result};
use crate::spectrum::Spectrum;

/// The outcome of [`PeakModel::fit_global`]. `Display` prints the shared
/// parameters, the core's report of the whole series (per-spectrum
/// parameters suffixed `@i`) and, per spectrum, its χ² and each component's
/// area % with its standard error; the example of
/// [`PeakModel::fit_global`] prints one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalPeakFit {
    /// The core's result over all spectra at once. A shared parameter keeps
    /// the model's name (`Ti4+.sigma`); a per-spectrum one is suffixed with
    /// the spectrum's index (`Ti4+.area@3`). Its χ², AIC and BIC are those of
    /// the whole series.
    pub fit: FitResult,
    /// The shared parameters' names, as given.
    pub shared: Vec<String>,
    /// Each spectrum's fit cut out of the global one, in input order, with the
    /// model's own parameter names: values, standard errors and covariance
    /// come from the global fit (so component areas and fractions carry the
    /// shared parameters' uncertainty), χ², residuals, AIC and BIC are over
    /// that spectrum's points (see
    /// [`GlobalProblem::dataset_result`](interphase_fit::GlobalProblem::dataset_result)).
    pub spectra: Vec<PeakFit>,
}

impl std::fmt::Display for GlobalPeakFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[[Global peak fit]] {} spectra, shared: {}",
            self.spectra.len(),
            if self.shared.is_empty() {
                "none".to_string()
            } else {
                self.shared.join(", ")
            }
        )?;
        write!(f, "{}", self.fit)?;
        writeln!(f, "[[Per spectrum]] χ² and area % of each component")?;
        for (i, s) in self.spectra.iter().enumerate() {
            let shares: Vec<String> = s
                .components
                .iter()
                .map(|c| format!("{} {}", c.label, c.area_percent))
                .collect();
            writeln!(
                f,
                "    @{i:<4} χ² = {:.6e}  {}",
                s.fit.chi_square,
                shares.join(", ")
            )?;
        }
        Ok(())
    }
}

/// `p` under a new name, with its tie's reference renamed by `rename`.
fn renamed(p: &Parameter, name: String, value: f64, rename: impl Fn(&str) -> String) -> Parameter {
    let mut q = Parameter::new(name, value).with_vary(p.vary());
    if let Some(t) = p.tie() {
        return q.tied_to(rename(&t.reference), t.factor, t.offset);
    }
    if let Some(m) = p.min() {
        q = q.with_min(m);
    }
    if let Some(m) = p.max() {
        q = q.with_max(m);
    }
    q
}

/// The median of finite values (None when there are none).
pub(super) fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

impl PeakModel {
    /// Fits the model to every spectrum at once, the parameters named in
    /// `shared` (full names such as `Ti4+.sigma`, `Ti4+.splitting`) taking one
    /// value for the whole series and every other parameter one value per
    /// spectrum — a depth profile sharing widths and splittings, a temperature
    /// series sharing a line shape. This is lmfit's "global fit" pattern done
    /// in one call; the residual vector is the concatenation of the spectra's
    /// (weighted as `options.weighting` says), and the Jacobian stays analytic.
    ///
    /// Starting values: each spectrum is first fitted on its own (in
    /// parallel); a per-spectrum parameter starts at its own fit's value and a
    /// shared one at the median over the spectra (clamped into its bounds).
    /// A spectrum whose own fit fails starts from the model's (automatic)
    /// starting values. Ties inside the model hold in every spectrum; a tie
    /// from a shared parameter to a per-spectrum one is an error (share both).
    ///
    /// Errors: no spectra, an unknown or repeated shared name, a shared
    /// parameter tied to a per-spectrum one, any spectrum the model cannot be
    /// compiled for, and the core's errors.
    ///
    /// ```
    /// use interphase_spectra::model::PeakModel;
    /// use interphase_spectra::Spectrum;
    /// let model = PeakModel::from_toml(r#"
    ///     [background]
    ///     kind = "linear"
    ///     [[peaks]]
    ///     name = "C-C"
    ///     shape = "gaussian"
    ///     center = 284.8
    ///     fwhm = 1.2
    ///     area = 1000
    /// "#)?;
    /// let x: Vec<f64> = (0..200).map(|i| 280.0 + 0.05 * i as f64).collect();
    /// let series: Vec<Spectrum> = [800.0, 1200.0, 1500.0]
    ///     .iter()
    ///     .map(|&area| {
    ///         let p = model.parameters_from(&[("bg.c0", 50.0), ("bg.c1", 0.0),
    ///             ("C-C.center", 284.8), ("C-C.fwhm", 1.1), ("C-C.area", area)], &x)?;
    ///         Spectrum::new(x.clone(), model.evaluate(&x, &p)?)
    ///     })
    ///     .collect::<Result<_, _>>()?;
    /// let g = model.fit_global(&series, &["C-C.fwhm"], &Default::default())?;
    /// assert!((g.fit.value("C-C.fwhm").unwrap() - 1.1).abs() < 1e-6);
    /// assert!((g.spectra[2].component("C-C").unwrap().area.value - 1500.0).abs() < 1e-3);
    /// println!("{g}"); // the series' report, then each spectrum's area shares
    /// assert!(g.to_string().contains("[[Global peak fit]] 3 spectra, shared: C-C.fwhm"));
    /// # Ok::<(), interphase_spectra::Error>(())
    /// ```
    pub fn fit_global(
        &self,
        spectra: &[Spectrum],
        shared: &[&str],
        options: &PeakFitOptions,
    ) -> Result<GlobalPeakFit> {
        if spectra.is_empty() {
            return Err(Error::Invalid("global fit: no spectra".into()));
        }
        let names = self.parameter_names();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        GlobalProblem::check_shared(&refs, shared, "the model").map_err(Error::Invalid)?;
        // compile every spectrum; independent fits (in parallel) give the starts
        let compiled: Vec<(ModelProblem, Parameters)> = spectra
            .iter()
            .enumerate()
            .map(|(d, s)| {
                self.problem_for(s, options)
                    .map_err(|e| Error::Invalid(format!("global fit: spectrum {d}: {e}")))
            })
            .collect::<Result<_>>()?;
        let own: Vec<Option<Vec<f64>>> = {
            use rayon::prelude::*;
            compiled
                .par_iter()
                .map(|(pr, p)| {
                    fit(pr, p, &options.lm)
                        .ok()
                        .filter(|r| r.values().iter().all(|v| v.is_finite()))
                        .map(|r| r.values())
                })
                .collect()
        };
        let start_of = |d: usize, j: usize| -> f64 {
            own[d]
                .as_ref()
                .map_or_else(|| compiled[d].1[j].value(), |v| v[j])
        };
        // the global parameter set: shared ones once (in model order, first),
        // then every spectrum's own
        let mut global = Parameters::new();
        for (j, name) in names.iter().enumerate() {
            if !shared.contains(&name.as_str()) {
                continue;
            }
            let p = &compiled[0].1[j];
            if let Some(t) = p.tie()
                && !shared.contains(&t.reference.as_str())
            {
                return Err(Error::Invalid(format!(
                    "global fit: shared parameter `{name}` is tied to `{}`, which is not \
                     shared; share it too",
                    t.reference
                )));
            }
            let lo = p.min().unwrap_or(f64::NEG_INFINITY);
            let hi = p.max().unwrap_or(f64::INFINITY);
            let v = if p.vary() {
                median((0..spectra.len()).map(|d| start_of(d, j)).collect())
                    .unwrap_or(p.value())
                    .clamp(lo, hi)
            } else {
                p.value()
            };
            global.push(renamed(p, name.clone(), v, |r| r.to_string()))?;
        }
        for (d, (_, local)) in compiled.iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                if shared.contains(&name.as_str()) {
                    continue;
                }
                let p = &local[j];
                let lo = p.min().unwrap_or(f64::NEG_INFINITY);
                let hi = p.max().unwrap_or(f64::INFINITY);
                let v = if p.vary() {
                    start_of(d, j).clamp(lo, hi)
                } else {
                    p.value()
                };
                global.push(renamed(
                    p,
                    GlobalProblem::parameter_name(name, d, shared),
                    v,
                    |r| GlobalProblem::parameter_name(r, d, shared),
                ))?;
            }
        }
        global.resolve_ties()?;
        let local_names: Vec<Vec<String>> = (0..spectra.len())
            .map(|d| {
                names
                    .iter()
                    .map(|n| GlobalProblem::parameter_name(n, d, shared))
                    .collect()
            })
            .collect();
        let mut problem = GlobalProblem::new(&global);
        for (d, (pr, _)) in compiled.iter().enumerate() {
            let refs: Vec<&str> = local_names[d].iter().map(String::as_str).collect();
            problem.add(pr, &refs)?;
        }
        let result = fit(&problem, &global, &options.lm)?;
        let model_names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut out = Vec::with_capacity(spectra.len());
        for (d, (pr, _)) in compiled.iter().enumerate() {
            let local = problem.dataset_result(d, &result, &model_names)?;
            out.push(PeakFit::build(pr, local, spectra[d].meta.x_unit.clone())?);
        }
        Ok(GlobalPeakFit {
            fit: result,
            shared: shared.iter().map(|s| s.to_string()).collect(),
            spectra: out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_non_finite() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, f64::NAN, 3.0]), Some(2.5));
        assert_eq!(median(vec![f64::NAN]), None);
    }
}
