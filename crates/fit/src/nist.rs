//! The NIST StRD nonlinear regression suite: file reader, models, certified values.
//!
//! The Statistical Reference Datasets of NIST's Statistical Engineering Division
//! (<https://www.itl.nist.gov/div898/strd/nls/nls_main.shtml>, public domain)
//! give 27 problems with two starting points each and certified parameters,
//! standard deviations and residual sums of squares to 11 digits. This module
//! reads their `.dat` files and supplies each model with its analytic Jacobian,
//! so anyone can re-run the validation of the fitting core:
//!
//! ```
//! use interphase_fit::{fit, nist, LmOptions};
//! let text = std::fs::read_to_string(concat!(
//!     env!("CARGO_MANIFEST_DIR"), "/tests/data/nist/Misra1a.dat"))?;
//! let data = nist::Dataset::parse(&text)?;
//! let problem = data.problem();
//! let result = fit(&problem, &data.start(1)?, &LmOptions::precise())?;
//! for (p, c) in result.params.iter().zip(&data.params) {
//!     assert!(nist::lre(p.value, c.value) > 8.0);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::f64::consts::PI;

use crate::error::{Error, Result};
use crate::param::{Parameter, Parameters};
use crate::problem::{JacobianMut, Problem};

/// One parameter line of a NIST file.
#[derive(Debug, Clone, PartialEq)]
pub struct CertifiedParameter {
    /// `b1`, `b2`, ...
    pub name: String,
    /// Starting value of start 1 (far from the solution).
    pub start1: f64,
    /// Starting value of start 2 (closer).
    pub start2: f64,
    /// Certified value.
    pub value: f64,
    /// Certified standard deviation.
    pub std_dev: f64,
}

/// The models of the suite (several datasets share one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Model {
    /// `b1·(1 − exp(−b2·x))` (Misra1a, BoxBOD).
    ExpRise,
    /// `exp(−b1·x)/(b2 + b3·x)` (Chwirut1, Chwirut2).
    Chwirut,
    /// Three exponentials (Lanczos1–3).
    Lanczos,
    /// An exponential and two Gaussians (Gauss1–3).
    Gauss,
    /// `b1·x^b2`.
    DanWood,
    /// `b1·(1 − (1 + b2·x/2)^−2)`.
    Misra1b,
    /// Quadratic over quadratic.
    Kirby2,
    /// Cubic over cubic (Hahn1, Thurber).
    Rational33,
    /// `ln y = b1 − b2·x1·exp(−b3·x2)`.
    Nelson,
    /// `b1 + b2·exp(−x·b4) + b3·exp(−x·b5)`.
    Mgh17,
    /// `b1·(1 − (1 + 2·b2·x)^−½)`.
    Misra1c,
    /// `b1·b2·x/(1 + b2·x)`.
    Misra1d,
    /// `b1 − b2·x − arctan(b3/(x − b4))/π`.
    Roszman1,
    /// Three harmonics of periods 12, b4 and b7.
    Enso,
    /// `b1·(x² + x·b2)/(x² + x·b3 + b4)`.
    Mgh09,
    /// `b1/(1 + exp(b2 − b3·x))`.
    Rat42,
    /// `b1·exp(b2/(x + b3))`.
    Mgh10,
    /// `(b1/b2)·exp(−½((x − b3)/b2)²)`.
    Eckerle4,
    /// `b1/(1 + exp(b2 − b3·x))^(1/b4)`.
    Rat43,
    /// `b1·(b2 + x)^(−1/b3)`.
    Bennett5,
}

impl Model {
    /// The model of a NIST dataset, by its name (`"MGH09"`, `"Gauss3"`...).
    pub fn for_dataset(name: &str) -> Option<Model> {
        Some(match name {
            "Misra1a" | "BoxBOD" => Model::ExpRise,
            "Chwirut1" | "Chwirut2" => Model::Chwirut,
            "Lanczos1" | "Lanczos2" | "Lanczos3" => Model::Lanczos,
            "Gauss1" | "Gauss2" | "Gauss3" => Model::Gauss,
            "DanWood" => Model::DanWood,
            "Misra1b" => Model::Misra1b,
            "Kirby2" => Model::Kirby2,
            "Hahn1" | "Thurber" => Model::Rational33,
            "Nelson" => Model::Nelson,
            "MGH17" => Model::Mgh17,
            "Misra1c" => Model::Misra1c,
            "Misra1d" => Model::Misra1d,
            "Roszman1" => Model::Roszman1,
            "ENSO" => Model::Enso,
            "MGH09" => Model::Mgh09,
            "Rat42" => Model::Rat42,
            "MGH10" => Model::Mgh10,
            "Eckerle4" => Model::Eckerle4,
            "Rat43" => Model::Rat43,
            "Bennett5" => Model::Bennett5,
            _ => return None,
        })
    }

    /// Number of parameters.
    pub fn n_params(self) -> usize {
        match self {
            Model::ExpRise | Model::DanWood | Model::Misra1b | Model::Misra1c | Model::Misra1d => 2,
            Model::Chwirut | Model::Nelson | Model::Rat42 | Model::Mgh10 | Model::Eckerle4 => 3,
            Model::Bennett5 => 3,
            Model::Roszman1 | Model::Mgh09 | Model::Rat43 => 4,
            Model::Kirby2 | Model::Mgh17 => 5,
            Model::Lanczos => 6,
            Model::Rational33 => 7,
            Model::Gauss => 8,
            Model::Enso => 9,
        }
    }

    /// Number of predictors (2 for Nelson, 1 otherwise).
    pub fn n_predictors(self) -> usize {
        if self == Model::Nelson { 2 } else { 1 }
    }

    /// The model value at predictors `x` (one or two) and parameters `b`.
    pub fn eval(self, x: &[f64], b: &[f64]) -> f64 {
        let x0 = x[0];
        match self {
            Model::ExpRise => b[0] * (1.0 - (-b[1] * x0).exp()),
            Model::Chwirut => (-b[0] * x0).exp() / (b[1] + b[2] * x0),
            Model::Lanczos => {
                b[0] * (-b[1] * x0).exp() + b[2] * (-b[3] * x0).exp() + b[4] * (-b[5] * x0).exp()
            }
            Model::Gauss => {
                b[0] * (-b[1] * x0).exp()
                    + b[2] * (-((x0 - b[3]) / b[4]).powi(2)).exp()
                    + b[5] * (-((x0 - b[6]) / b[7]).powi(2)).exp()
            }
            Model::DanWood => b[0] * x0.powf(b[1]),
            Model::Misra1b => b[0] * (1.0 - (1.0 + b[1] * x0 / 2.0).powi(-2)),
            Model::Kirby2 => {
                (b[0] + b[1] * x0 + b[2] * x0 * x0) / (1.0 + b[3] * x0 + b[4] * x0 * x0)
            }
            Model::Rational33 => {
                let (x2, x3) = (x0 * x0, x0 * x0 * x0);
                (b[0] + b[1] * x0 + b[2] * x2 + b[3] * x3)
                    / (1.0 + b[4] * x0 + b[5] * x2 + b[6] * x3)
            }
            Model::Nelson => b[0] - b[1] * x0 * (-b[2] * x[1]).exp(),
            Model::Mgh17 => b[0] + b[1] * (-x0 * b[3]).exp() + b[2] * (-x0 * b[4]).exp(),
            Model::Misra1c => b[0] * (1.0 - (1.0 + 2.0 * b[1] * x0).powf(-0.5)),
            Model::Misra1d => b[0] * b[1] * x0 / (1.0 + b[1] * x0),
            Model::Roszman1 => b[0] - b[1] * x0 - (b[2] / (x0 - b[3])).atan() / PI,
            Model::Enso => {
                let a = 2.0 * PI * x0;
                b[0] + b[1] * (a / 12.0).cos()
                    + b[2] * (a / 12.0).sin()
                    + b[4] * (a / b[3]).cos()
                    + b[5] * (a / b[3]).sin()
                    + b[7] * (a / b[6]).cos()
                    + b[8] * (a / b[6]).sin()
            }
            Model::Mgh09 => b[0] * (x0 * x0 + x0 * b[1]) / (x0 * x0 + x0 * b[2] + b[3]),
            Model::Rat42 => b[0] / (1.0 + (b[1] - b[2] * x0).exp()),
            Model::Mgh10 => b[0] * (b[1] / (x0 + b[2])).exp(),
            Model::Eckerle4 => (b[0] / b[1]) * (-0.5 * ((x0 - b[2]) / b[1]).powi(2)).exp(),
            Model::Rat43 => b[0] / (1.0 + (b[1] - b[2] * x0).exp()).powf(1.0 / b[3]),
            Model::Bennett5 => b[0] * (b[1] + x0).powf(-1.0 / b[2]),
        }
    }

    /// The analytic gradient `g[j] = ∂f/∂bⱼ` at predictors `x` and parameters `b`.
    pub fn gradient(self, x: &[f64], b: &[f64], g: &mut [f64]) {
        let x0 = x[0];
        match self {
            Model::ExpRise => {
                let e = (-b[1] * x0).exp();
                g[0] = 1.0 - e;
                g[1] = b[0] * x0 * e;
            }
            Model::Chwirut => {
                let e = (-b[0] * x0).exp();
                let d = b[1] + b[2] * x0;
                g[0] = -x0 * e / d;
                g[1] = -e / (d * d);
                g[2] = -x0 * e / (d * d);
            }
            Model::Lanczos => {
                for k in 0..3 {
                    let e = (-b[2 * k + 1] * x0).exp();
                    g[2 * k] = e;
                    g[2 * k + 1] = -b[2 * k] * x0 * e;
                }
            }
            Model::Gauss => {
                let e = (-b[1] * x0).exp();
                g[0] = e;
                g[1] = -b[0] * x0 * e;
                for k in [2usize, 5] {
                    let (a, c, w) = (b[k], b[k + 1], b[k + 2]);
                    let d = x0 - c;
                    let gk = (-(d / w).powi(2)).exp();
                    g[k] = gk;
                    g[k + 1] = a * gk * 2.0 * d / (w * w);
                    g[k + 2] = a * gk * 2.0 * d * d / (w * w * w);
                }
            }
            Model::DanWood => {
                let p = x0.powf(b[1]);
                g[0] = p;
                g[1] = b[0] * p * x0.ln();
            }
            Model::Misra1b => {
                let u = 1.0 + b[1] * x0 / 2.0;
                g[0] = 1.0 - u.powi(-2);
                g[1] = b[0] * x0 * u.powi(-3);
            }
            Model::Kirby2 => {
                let n = b[0] + b[1] * x0 + b[2] * x0 * x0;
                let d = 1.0 + b[3] * x0 + b[4] * x0 * x0;
                g[0] = 1.0 / d;
                g[1] = x0 / d;
                g[2] = x0 * x0 / d;
                g[3] = -n * x0 / (d * d);
                g[4] = -n * x0 * x0 / (d * d);
            }
            Model::Rational33 => {
                let (x2, x3) = (x0 * x0, x0 * x0 * x0);
                let n = b[0] + b[1] * x0 + b[2] * x2 + b[3] * x3;
                let d = 1.0 + b[4] * x0 + b[5] * x2 + b[6] * x3;
                g[0] = 1.0 / d;
                g[1] = x0 / d;
                g[2] = x2 / d;
                g[3] = x3 / d;
                let q = -n / (d * d);
                g[4] = q * x0;
                g[5] = q * x2;
                g[6] = q * x3;
            }
            Model::Nelson => {
                let e = (-b[2] * x[1]).exp();
                g[0] = 1.0;
                g[1] = -x0 * e;
                g[2] = b[1] * x0 * x[1] * e;
            }
            Model::Mgh17 => {
                let (e4, e5) = ((-x0 * b[3]).exp(), (-x0 * b[4]).exp());
                g[0] = 1.0;
                g[1] = e4;
                g[2] = e5;
                g[3] = -b[1] * x0 * e4;
                g[4] = -b[2] * x0 * e5;
            }
            Model::Misra1c => {
                let u = 1.0 + 2.0 * b[1] * x0;
                g[0] = 1.0 - u.powf(-0.5);
                g[1] = b[0] * x0 * u.powf(-1.5);
            }
            Model::Misra1d => {
                let d = 1.0 + b[1] * x0;
                g[0] = b[1] * x0 / d;
                g[1] = b[0] * x0 / (d * d);
            }
            Model::Roszman1 => {
                let u = x0 - b[3];
                let t = b[2] / u;
                let s = 1.0 / (PI * (1.0 + t * t));
                g[0] = 1.0;
                g[1] = -x0;
                g[2] = -s / u;
                g[3] = -s * b[2] / (u * u);
            }
            Model::Enso => {
                let a = 2.0 * PI * x0;
                g[0] = 1.0;
                g[1] = (a / 12.0).cos();
                g[2] = (a / 12.0).sin();
                for k in [3usize, 6] {
                    let per = b[k];
                    let (s, c) = (a / per).sin_cos();
                    g[k + 1] = c;
                    g[k + 2] = s;
                    g[k] = (-b[k + 1] * s + b[k + 2] * c) * (-a / (per * per));
                }
            }
            Model::Mgh09 => {
                let n = x0 * x0 + x0 * b[1];
                let d = x0 * x0 + x0 * b[2] + b[3];
                g[0] = n / d;
                g[1] = b[0] * x0 / d;
                g[2] = -b[0] * n * x0 / (d * d);
                g[3] = -b[0] * n / (d * d);
            }
            Model::Rat42 => {
                let e = (b[1] - b[2] * x0).exp();
                let d = 1.0 + e;
                g[0] = 1.0 / d;
                g[1] = -b[0] * e / (d * d);
                g[2] = b[0] * x0 * e / (d * d);
            }
            Model::Mgh10 => {
                let u = x0 + b[2];
                let e = (b[1] / u).exp();
                g[0] = e;
                g[1] = b[0] * e / u;
                g[2] = -b[0] * e * b[1] / (u * u);
            }
            Model::Eckerle4 => {
                let z = (x0 - b[2]) / b[1];
                let e = (-0.5 * z * z).exp();
                g[0] = e / b[1];
                g[1] = b[0] * e / (b[1] * b[1]) * (z * z - 1.0);
                g[2] = b[0] / b[1] * e * z / b[1];
            }
            Model::Rat43 => {
                let e = (b[1] - b[2] * x0).exp();
                let d = 1.0 + e;
                let p = d.powf(-1.0 / b[3]);
                g[0] = p;
                g[1] = -b[0] / b[3] * p / d * e;
                g[2] = b[0] / b[3] * p / d * e * x0;
                g[3] = b[0] * p * d.ln() / (b[3] * b[3]);
            }
            Model::Bennett5 => {
                let u = b[1] + x0;
                let p = u.powf(-1.0 / b[2]);
                g[0] = p;
                g[1] = -b[0] / b[2] * p / u;
                g[2] = b[0] * p * u.ln() / (b[2] * b[2]);
            }
        }
    }
}

/// A parsed NIST StRD nonlinear regression file.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Dataset name (`"Misra1a"`).
    pub name: String,
    /// The model as written in the file.
    pub model_text: String,
    /// The model.
    pub model: Model,
    /// Parameters with starts and certified values.
    pub params: Vec<CertifiedParameter>,
    /// Certified residual sum of squares.
    pub residual_sum_of_squares: f64,
    /// Certified residual standard deviation.
    pub residual_standard_deviation: f64,
    /// Stated degrees of freedom (Rat43's file states 9 where n − p = 11).
    pub degrees_of_freedom: usize,
    /// The response `y`.
    pub y: Vec<f64>,
    /// The predictors, one `Vec` per observation.
    pub x: Vec<Vec<f64>>,
}

fn parse_num(tok: &str, line: usize) -> Result<f64> {
    let t = tok.replace(['D', 'd'], "E");
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| Error::Parse {
            line,
            reason: format!("expected a number, found '{tok}'"),
        })
}

fn stat_after_colon(lines: &[&str], label: &str) -> Result<(usize, String)> {
    for (i, l) in lines.iter().enumerate() {
        if let Some(rest) = l.trim_start().strip_prefix(label) {
            let v = rest.trim_start_matches(':').split_whitespace().next();
            return v.map(|v| (i + 1, v.to_string())).ok_or(Error::Parse {
                line: i + 1,
                reason: format!("no value after '{label}'"),
            });
        }
    }
    Err(Error::Parse {
        line: lines.len(),
        reason: format!("missing '{label}' line"),
    })
}

impl Dataset {
    /// Parses the text of a NIST StRD `.dat` file (CRLF or LF line endings).
    pub fn parse(text: &str) -> Result<Dataset> {
        let lines: Vec<&str> = text.lines().collect();
        if !lines.first().is_some_and(|l| l.contains("NIST/ITL StRD")) {
            return Err(Error::Parse {
                line: 1,
                reason: "expected 'NIST/ITL StRD'".into(),
            });
        }
        let name = lines
            .iter()
            .find_map(|l| l.trim_start().strip_prefix("Dataset Name:"))
            .and_then(|r| r.split_whitespace().next())
            .ok_or(Error::Parse {
                line: 2,
                reason: "missing 'Dataset Name:'".into(),
            })?
            .to_string();
        let model = Model::for_dataset(&name).ok_or_else(|| Error::Parse {
            line: 2,
            reason: format!("'{name}' is not one of the 27 NIST StRD nonlinear problems"),
        })?;
        let i_model = lines
            .iter()
            .position(|l| l.starts_with("Model:"))
            .ok_or(Error::Parse {
                line: lines.len(),
                reason: "missing 'Model:' section".into(),
            })?;
        let model_text = lines[i_model + 1..]
            .iter()
            .take_while(|l| !l.to_ascii_lowercase().contains("starting values"))
            .filter(|l| l.contains('='))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" ");

        let mut params = Vec::new();
        for (i, l) in lines.iter().enumerate().skip(i_model) {
            if l.trim_start().starts_with("Residual Sum of Squares") {
                break;
            }
            let t = l.trim_start();
            let Some((lhs, rhs)) = t.split_once('=') else {
                continue;
            };
            let lhs = lhs.trim();
            if !(lhs.starts_with('b') && lhs[1..].parse::<usize>().is_ok()) {
                continue;
            }
            let toks: Vec<&str> = rhs.split_whitespace().collect();
            if toks.len() != 4 {
                return Err(Error::Parse {
                    line: i + 1,
                    reason: format!("expected 4 numbers after '{lhs} =', found {}", toks.len()),
                });
            }
            params.push(CertifiedParameter {
                name: lhs.to_string(),
                start1: parse_num(toks[0], i + 1)?,
                start2: parse_num(toks[1], i + 1)?,
                value: parse_num(toks[2], i + 1)?,
                std_dev: parse_num(toks[3], i + 1)?,
            });
        }
        if params.len() != model.n_params() {
            return Err(Error::Parse {
                line: i_model + 1,
                reason: format!(
                    "{} parameter lines, the {name} model has {}",
                    params.len(),
                    model.n_params()
                ),
            });
        }
        let (l, v) = stat_after_colon(&lines, "Residual Sum of Squares")?;
        let rss = parse_num(&v, l)?;
        let (l, v) = stat_after_colon(&lines, "Residual Standard Deviation")?;
        let rsd = parse_num(&v, l)?;
        let (l, v) = stat_after_colon(&lines, "Degrees of Freedom")?;
        let dof = v.parse::<usize>().map_err(|_| Error::Parse {
            line: l,
            reason: format!("expected a whole number, found '{v}'"),
        })?;
        let (l, v) = stat_after_colon(&lines, "Number of Observations")?;
        let n_obs = v.parse::<usize>().map_err(|_| Error::Parse {
            line: l,
            reason: format!("expected a whole number, found '{v}'"),
        })?;

        let i_data = lines
            .iter()
            .rposition(|l| l.starts_with("Data:"))
            .ok_or(Error::Parse {
                line: lines.len(),
                reason: "missing 'Data:' header".into(),
            })?;
        let ncols = 1 + model.n_predictors();
        let header: Vec<&str> = lines[i_data][5..].split_whitespace().collect();
        if header.len() != ncols || header[0] != "y" {
            return Err(Error::Parse {
                line: i_data + 1,
                reason: format!(
                    "expected the data header 'y' and {} predictor(s)",
                    ncols - 1
                ),
            });
        }
        let mut y = Vec::new();
        let mut x = Vec::new();
        for (i, l) in lines.iter().enumerate().skip(i_data + 1) {
            let toks: Vec<&str> = l.split_whitespace().collect();
            if toks.is_empty() {
                continue;
            }
            if toks.len() != ncols {
                return Err(Error::Parse {
                    line: i + 1,
                    reason: format!("expected {ncols} columns, found {}", toks.len()),
                });
            }
            y.push(parse_num(toks[0], i + 1)?);
            x.push(
                toks[1..]
                    .iter()
                    .map(|t| parse_num(t, i + 1))
                    .collect::<Result<Vec<_>>>()?,
            );
        }
        if y.len() != n_obs {
            return Err(Error::Parse {
                line: lines.len(),
                reason: format!(
                    "{} data rows, the file states {n_obs} observations",
                    y.len()
                ),
            });
        }
        if model == Model::Nelson
            && let Some(i) = y.iter().position(|&v| v <= 0.0)
        {
            return Err(Error::Parse {
                line: i_data + 2 + i,
                reason: "Nelson's response must be positive (the model is for ln y)".into(),
            });
        }
        Ok(Dataset {
            name,
            model_text,
            model,
            params,
            residual_sum_of_squares: rss,
            residual_standard_deviation: rsd,
            degrees_of_freedom: dof,
            y,
            x,
        })
    }

    /// Reads and parses a file (at most 16 MiB: the largest StRD file is 10 kB).
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Dataset> {
        let path = path.as_ref();
        let len = std::fs::metadata(path)
            .map_err(|e| Error::Data(format!("cannot read {}: {e}", path.display())))?
            .len();
        if len > 16 << 20 {
            return Err(Error::Data(format!(
                "cannot read {}: {len} bytes is more than the 16 MiB limit for NIST files",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Data(format!("cannot read {}: {e}", path.display())))?;
        Dataset::parse(&text)
    }

    /// The parameters at starting point 1 or 2.
    pub fn start(&self, which: u8) -> Result<Parameters> {
        let mut p = Parameters::new();
        for c in &self.params {
            let v = match which {
                1 => c.start1,
                2 => c.start2,
                _ => {
                    return Err(Error::Options(format!(
                        "start {which}: NIST gives starts 1 and 2"
                    )));
                }
            };
            p.push(Parameter::new(c.name.clone(), v))?;
        }
        Ok(p)
    }

    /// Certified parameter values.
    pub fn certified_values(&self) -> Vec<f64> {
        self.params.iter().map(|c| c.value).collect()
    }

    /// The least-squares problem (residual = model − response; for Nelson the
    /// response is ln y, as NIST defines it).
    pub fn problem(&self) -> NistProblem<'_> {
        let target = if self.model == Model::Nelson {
            self.y.iter().map(|v| v.ln()).collect()
        } else {
            self.y.clone()
        };
        NistProblem { data: self, target }
    }
}

/// A NIST dataset as a [`Problem`] with the analytic Jacobian.
#[derive(Debug, Clone)]
pub struct NistProblem<'a> {
    data: &'a Dataset,
    target: Vec<f64>,
}

impl Problem for NistProblem<'_> {
    fn n_residuals(&self) -> usize {
        self.target.len()
    }
    fn n_params(&self) -> Option<usize> {
        Some(self.data.model.n_params())
    }
    fn residuals(&self, p: &[f64], out: &mut [f64]) {
        let model = self.data.model;
        for ((o, x), t) in out.iter_mut().zip(&self.data.x).zip(&self.target) {
            *o = model.eval(x, p) - t;
        }
    }
    fn jacobian(&self, p: &[f64], jac: &mut JacobianMut<'_>) -> bool {
        let model = self.data.model;
        let mut g = [0.0; 9];
        let n = model.n_params();
        for (i, x) in self.data.x.iter().enumerate() {
            model.gradient(x, p, &mut g[..n]);
            for (j, gj) in g[..n].iter().enumerate() {
                jac.set(i, j, *gj);
            }
        }
        true
    }
    fn observed(&self) -> Option<&[f64]> {
        Some(&self.target)
    }
}

impl Model {
    /// The parameters the model is jointly linear in (0-based), for
    /// [`varpro`](crate::varpro): amplitudes, offsets and the numerator of
    /// the rational models.
    pub fn linear_parameters(self) -> &'static [usize] {
        match self {
            Model::Chwirut => &[],
            Model::Lanczos => &[0, 2, 4],
            Model::Gauss => &[0, 2, 5],
            Model::Kirby2 | Model::Mgh17 => &[0, 1, 2],
            Model::Rational33 => &[0, 1, 2, 3],
            Model::Nelson | Model::Roszman1 => &[0, 1],
            Model::Enso => &[0, 1, 2, 4, 5, 7, 8],
            Model::ExpRise
            | Model::DanWood
            | Model::Misra1b
            | Model::Misra1c
            | Model::Misra1d
            | Model::Mgh09
            | Model::Rat42
            | Model::Mgh10
            | Model::Eckerle4
            | Model::Rat43
            | Model::Bennett5 => &[0],
        }
    }
}

impl crate::varpro::Separable for NistProblem<'_> {
    fn linear_parameters(&self) -> Vec<usize> {
        self.data.model.linear_parameters().to_vec()
    }

    fn affine_parts(&self, p: &[f64], base: &mut [f64], columns: &mut [f64]) -> bool {
        let model = self.data.model;
        let lin = model.linear_parameters();
        let mut b0 = p.to_vec();
        for &s in lin {
            b0[s] = 0.0;
        }
        let m = self.target.len();
        let mut g = [0.0; 9];
        for (i, (x, t)) in self.data.x.iter().zip(&self.target).enumerate() {
            base[i] = model.eval(x, &b0) - t;
            model.gradient(x, &b0, &mut g[..model.n_params()]);
            for (j, &s) in lin.iter().enumerate() {
                columns[j * m + i] = g[s];
            }
        }
        base.iter()
            .chain(&columns[..m * lin.len()])
            .all(|v| v.is_finite())
    }
}

/// Log relative error `−log₁₀(|computed − certified| / |certified|)`: the number of
/// agreeing significant digits (McCullough 1998). Returns 15.9 (f64's precision)
/// for an exact match, and uses the absolute error when `certified` is 0.
pub fn lre(computed: f64, certified: f64) -> f64 {
    let err = if certified == 0.0 {
        (computed - certified).abs()
    } else {
        ((computed - certified) / certified).abs()
    };
    if !err.is_finite() {
        return 0.0;
    }
    if err == 0.0 {
        15.9
    } else {
        (-err.log10()).clamp(0.0, 15.9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_text() {
        assert!(matches!(
            Dataset::parse(""),
            Err(Error::Parse { line: 1, .. })
        ));
        let e = Dataset::parse("NIST/ITL StRD\nDataset Name:  Foo\n").unwrap_err();
        assert!(e.to_string().contains("not one of the 27"), "{e}");
        let e = Dataset::parse("NIST/ITL StRD\nDataset Name:  Misra1a\n").unwrap_err();
        assert!(e.to_string().contains("Model:"), "{e}");
    }
}
