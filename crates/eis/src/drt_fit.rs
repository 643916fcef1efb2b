//! One relaxation process per DRT peak, with uncertainties: the DRT's
//! peaks seed an equivalent circuit of R‖CPE elements (ZARCs) that is then
//! fitted to the impedance data themselves (complex nonlinear least
//! squares), so that each process gets one τ, R and α with standard errors
//! from the fit's full covariance — where the DRT alone splits a depressed
//! arc into a main peak and side peaks that take 5–12 % of its resistance
//! (pyDRTtools' γ does the same). This is the "DRT-guided equivalent
//! circuit" of B. A. Boukamp, *Electrochim. Acta* 154 (2015) 35 and of
//! pyimpspec's peak analysis, with the number of elements chosen by BIC.
//!
//! For k = 1 … `max_processes` the k peaks holding the most resistance
//! become `R0-p(R1,CPE1)-…-p(Rk,CPEk)` (plus `L0` when the DRT's
//! inductance reaches 0.1 % of |Z| at the highest frequency; dropped and
//! refitted without when the fit drives it to zero), started from Rᵢ = the peak's share of R_pol, αᵢ = 0.9 and
//! Qᵢ = τᵢ^α/Rᵢ; each is fitted with the options given; the fit with the
//! lowest BIC among those whose every resistance is determined (finite σ,
//! σ < R) is kept.
//!
//! ```
//! use interphase_eis::{Circuit, ImpedanceSpectrum};
//! use interphase_eis::drt::{drt, DrtOptions};
//! use interphase_eis::drt_fit::{fit_processes, ProcessOptions};
//! let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse()?;
//! let f: Vec<f64> = (0..71).map(|i| 10f64.powf(6.0 - 0.1 * i as f64)).collect();
//! // two depressed arcs: 100 Ω at τ = 10 µs and 50 Ω at τ = 10 ms (α = 0.8)
//! let q = |r: f64, tau: f64| tau.powf(0.8) / r;
//! let p = [10.0, 100.0, q(100.0, 1e-5), 0.8, 50.0, q(50.0, 1e-2), 0.8];
//! let data = ImpedanceSpectrum::simulate(&c, &p, &f)?;
//! let d = drt(&data, &DrtOptions::default())?;
//! let fit = fit_processes(&data, &d, &ProcessOptions::default())?;
//! assert_eq!(fit.processes.len(), 2);
//! assert!((fit.processes[0].tau.value / 1e-5 - 1.0).abs() < 1e-4);
//! assert!((fit.processes[1].resistance.value / 50.0 - 1.0).abs() < 1e-4);
//! println!("{fit}");
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use std::f64::consts::PI;

use interphase_fit::Parameters;
use serde::Serialize;

use crate::circuit::Circuit;
use crate::data::ImpedanceSpectrum;
use crate::drt::DrtResult;
use crate::error::{Error, Result};
use crate::fit::{CircuitFit, DerivedQuantity, FitOptions, fit_circuit};

/// Options of [`fit_processes`].
#[derive(Debug, Clone)]
pub struct ProcessOptions {
    /// The most R‖CPE elements tried (1..=8, default 4).
    pub max_processes: usize,
    /// Peaks holding less than this fraction of R_pol are not used as
    /// seeds (default 0.02).
    pub min_fraction: f64,
    /// The circuit fits' options (weighting, solver); default proportional
    /// weighting (1/|Z|), the CLI's default for circuit fits.
    pub fit: FitOptions,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        ProcessOptions {
            max_processes: 4,
            min_fraction: 0.02,
            fit: FitOptions {
                weighting: crate::fit::Weighting::Proportional,
                ..FitOptions::default()
            },
        }
    }
}

/// One relaxation process: an R‖CPE element of the fitted circuit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrtProcess {
    /// The element, `p(R1,CPE1)`.
    pub element: String,
    /// Its resistance R, Ω.
    pub resistance: DerivedQuantity,
    /// Its time constant τ = (R·Q)^(1/α), s.
    pub tau: DerivedQuantity,
    /// The CPE exponent α.
    pub alpha: DerivedQuantity,
    /// The effective capacitance (R·Q)^(1/α)/R, F.
    pub capacitance: DerivedQuantity,
    /// The characteristic frequency 1/(2πτ), Hz.
    pub frequency: f64,
}

/// The outcome of [`fit_processes`]. `Display` prints the chosen circuit,
/// the BIC of every k tried and one line per process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessFit {
    /// The processes, fastest first.
    pub processes: Vec<DrtProcess>,
    /// The fit they come from.
    #[serde(skip)]
    pub fit: CircuitFit,
    /// (k, BIC, whether every resistance was determined) for every k
    /// that was fitted; `None` BIC where the fit failed.
    pub tried: Vec<(usize, Option<f64>, bool)>,
}

impl std::fmt::Display for ProcessFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[[DRT processes]] {} from {} ({} weighting)",
            self.processes.len(),
            self.fit.circuit,
            self.fit.weighting
        )?;
        for (k, bic, ok) in &self.tried {
            let b = bic.map_or("fit failed".to_string(), |b| format!("BIC = {b:.2}"));
            let d = if *ok {
                ""
            } else {
                ", a resistance not determined"
            };
            writeln!(f, "    k = {k}: {b}{d}")?;
        }
        for p in &self.processes {
            writeln!(
                f,
                "    {:<12} τ = {} s  (f = {} Hz)  R = {} Ω  α = {}  C = {} F",
                p.element,
                interphase_fit::format_uncertain(p.tau.value, p.tau.stderr),
                interphase_fit::format_significant(p.frequency, 4),
                interphase_fit::format_uncertain(p.resistance.value, p.resistance.stderr),
                interphase_fit::format_uncertain(p.alpha.value, p.alpha.stderr),
                interphase_fit::format_uncertain(p.capacitance.value, p.capacitance.stderr),
            )?;
        }
        Ok(())
    }
}

/// Fits one R‖CPE element per DRT peak to `data` (see the module docs).
///
/// Errors: `max_processes` outside 1..=8, a `min_fraction` outside [0, 1),
/// a DRT without peaks above `min_fraction` of R_pol, and every fit failing
/// (the last error is returned).
pub fn fit_processes(
    data: &ImpedanceSpectrum,
    drt: &DrtResult,
    opts: &ProcessOptions,
) -> Result<ProcessFit> {
    if !(1..=8).contains(&opts.max_processes) {
        return Err(Error::Invalid(format!(
            "max_processes = {} must be 1 to 8",
            opts.max_processes
        )));
    }
    if !(opts.min_fraction.is_finite() && (0.0..1.0).contains(&opts.min_fraction)) {
        return Err(Error::Invalid(format!(
            "min_fraction = {} must be in [0, 1)",
            opts.min_fraction
        )));
    }
    let mut seeds: Vec<(f64, f64)> = drt
        .significant_peaks(opts.min_fraction)
        .into_iter()
        .map(|p| (p.tau, p.resistance))
        .filter(|(t, r)| t.is_finite() && *t > 0.0 && r.is_finite() && *r > 0.0)
        .collect();
    if seeds.is_empty() {
        return Err(Error::Invalid(format!(
            "the DRT has no peak holding {} % of R_pol to start from",
            100.0 * opts.min_fraction
        )));
    }
    // largest resistance first
    seeds.sort_by(|a, b| b.1.total_cmp(&a.1));
    let kmax = opts.max_processes.min(seeds.len());
    let r_pol = drt.polarization_resistance;
    let mut tried = Vec::new();
    let mut best: Option<(f64, bool, CircuitFit)> = None;
    let mut last_err = None;
    // an inductance only where it matters: ω L above 0.1 % of |Z| at the
    // highest frequency
    let (f_hi, z_hi) = data
        .freq()
        .iter()
        .zip(data.z())
        .fold(
            (0.0, 0.0),
            |m, (f, z)| if *f > m.0 { (*f, z.norm()) } else { m },
        );
    let with_l = drt.inductance > 0.0 && 2.0 * PI * f_hi * drt.inductance > 1e-3 * z_hi;
    for k in 1..=kmax {
        let mut chosen: Vec<(f64, f64)> = seeds[..k].to_vec();
        chosen.sort_by(|a, b| a.0.total_cmp(&b.0)); // fastest first: R1 …
        let held: f64 = chosen.iter().map(|c| c.1).sum();
        let scale = if r_pol.is_finite() && r_pol > 0.0 && held > 0.0 {
            r_pol / held
        } else {
            1.0
        };
        let attempt = |with_l: bool| -> Result<CircuitFit> {
            let mut text = String::from("R0");
            let mut init: Vec<(String, f64)> =
                vec![("R0".into(), drt.r_inf.max(1e-9 * r_pol.abs()))];
            for (i, (tau, r)) in chosen.iter().enumerate() {
                let n = i + 1;
                let r = r * scale;
                text.push_str(&format!("-p(R{n},CPE{n})"));
                init.push((format!("R{n}"), r));
                init.push((format!("CPE{n}.Q"), tau.powf(0.9) / r));
                init.push((format!("CPE{n}.alpha"), 0.9));
            }
            if with_l {
                text.push_str("-L0");
                init.push(("L0".into(), drt.inductance));
            }
            let circuit: Circuit = text.parse()?;
            let names = circuit.parameter_names();
            let params = Parameters::from_values(
                &names
                    .iter()
                    .map(|n| {
                        let v = init.iter().find(|(m, _)| m == n).map_or(1.0, |p| p.1);
                        (*n, v)
                    })
                    .collect::<Vec<_>>(),
            )?;
            fit_circuit(&circuit, data, Some(&params), &opts.fit)
        };
        // an inductance the fit drives to zero (or leaves without a
        // covariance) is dropped and the circuit refitted without it
        let result = match attempt(with_l) {
            Ok(fit)
                if with_l
                    && fit
                        .result
                        .param("L0")
                        .is_none_or(|p| p.stderr.is_none() || p.value <= 0.0) =>
            {
                attempt(false).or(Ok(fit))
            }
            other => other,
        };
        match result {
            Ok(fit) => {
                let determined = (1..=k).all(|n| {
                    let r = fit.value(&format!("R{n}")).unwrap_or(f64::NAN);
                    let s = fit
                        .result
                        .param(&format!("R{n}"))
                        .and_then(|p| p.stderr)
                        .unwrap_or(f64::INFINITY);
                    r > 0.0 && s.is_finite() && s < r
                });
                let bic = fit.result.bic;
                tried.push((k, Some(bic), determined));
                let better = match &best {
                    None => true,
                    Some((b, d, _)) => (determined && !d) || (determined == *d && bic < *b),
                };
                if better && bic.is_finite() {
                    best = Some((bic, determined, fit));
                }
            }
            Err(e) => {
                tried.push((k, None, false));
                last_err = Some(e);
            }
        }
    }
    let Some((_, _, fit)) = best else {
        return Err(last_err.unwrap_or_else(|| Error::Invalid("no process fit".into())));
    };
    let derived = fit.derived();
    let find = |name: &str| derived.iter().find(|d| d.name == name).cloned();
    let param = |name: &str, unit: &str| -> Option<DerivedQuantity> {
        let p = fit.result.param(name)?;
        Some(DerivedQuantity {
            name: name.to_string(),
            value: p.value,
            stderr: p.stderr,
            unit: unit.to_string(),
            formula: "fitted",
        })
    };
    let k = fit
        .circuit
        .parameter_names()
        .iter()
        .filter(|n| n.starts_with('R') && **n != "R0")
        .count();
    let mut processes = Vec::with_capacity(k);
    for n in 1..=k {
        let label = format!("(R{n},CPE{n})");
        let (Some(resistance), Some(alpha), Some(tau), Some(capacitance)) = (
            param(&format!("R{n}"), "Ω"),
            param(&format!("CPE{n}.alpha"), "1"),
            find(&format!("tau{label}")),
            find(&format!("C_eff{label}")),
        ) else {
            continue;
        };
        processes.push(DrtProcess {
            element: format!("p{label}"),
            frequency: 1.0 / (2.0 * PI * tau.value),
            resistance,
            tau,
            alpha,
            capacitance,
        });
    }
    processes.sort_by(|a, b| a.tau.value.total_cmp(&b.tau.value));
    Ok(ProcessFit {
        processes,
        fit,
        tried,
    })
}
