//! [`ImpedanceSpectrum`]: frequencies (Hz) and complex impedances (Ω),
//! validated, with the preprocessing steps of impedance.py and EC-Lab.
//!
//! ```
//! use interphase_eis::{ImpedanceSpectrum, Complex64};
//! let s = ImpedanceSpectrum::new(vec![1e3, 1e4, 1.0], vec![
//!     Complex64::new(10.0, -2.0), Complex64::new(9.0, 0.5), Complex64::new(30.0, -8.0)])?;
//! let s = s.sorted_descending().without_inductive()?;
//! assert_eq!(s.freq(), &[1e3, 1.0]);
//! // a 0.5 cm² pellet: Ω → Ω·cm²
//! assert!((s.area_normalised(0.5)?.z()[0].re - 5.0).abs() < 1e-12);
//! # Ok::<(), interphase_eis::Error>(())
//! ```

use num_complex::Complex64;
use serde::{Deserialize, Serialize};

use crate::circuit::Circuit;
use crate::error::{Error, Result};

type C = Complex64;

/// Noise for [`ImpedanceSpectrum::simulate_noisy`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    /// σ = r·|Z| on Re Z and on Im Z.
    Proportional(f64),
    /// σ in Ω on Re Z and on Im Z.
    Constant(f64),
}

/// Frequencies (Hz, finite, > 0) and impedances (Ω, finite); at least one point.
/// Points keep the order given (instruments sweep high → low).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SpectrumData", into = "SpectrumData")]
pub struct ImpedanceSpectrum {
    freq: Vec<f64>,
    z: Vec<C>,
    /// A name (file stem, cell, temperature...).
    pub name: String,
}

/// The serde form: `{"name", "frequency": [Hz], "real": [Ω], "imag": [Ω]}`.
#[derive(Serialize, Deserialize)]
struct SpectrumData {
    #[serde(default)]
    name: String,
    frequency: Vec<f64>,
    real: Vec<f64>,
    imag: Vec<f64>,
}

impl TryFrom<SpectrumData> for ImpedanceSpectrum {
    type Error = Error;
    fn try_from(d: SpectrumData) -> Result<Self> {
        let mut s = ImpedanceSpectrum::from_parts(d.frequency, &d.real, &d.imag)?;
        s.name = d.name;
        Ok(s)
    }
}

impl From<ImpedanceSpectrum> for SpectrumData {
    fn from(s: ImpedanceSpectrum) -> Self {
        SpectrumData {
            name: s.name,
            real: s.z.iter().map(|z| z.re).collect(),
            imag: s.z.iter().map(|z| z.im).collect(),
            frequency: s.freq,
        }
    }
}

impl ImpedanceSpectrum {
    /// Validates: equal lengths, at least one point, frequencies finite and
    /// > 0, impedances finite (errors name the index).
    pub fn new(freq: Vec<f64>, z: Vec<C>) -> Result<Self> {
        if freq.len() != z.len() {
            return Err(Error::Invalid(format!(
                "{} frequencies but {} impedances",
                freq.len(),
                z.len()
            )));
        }
        if freq.is_empty() {
            return Err(Error::Invalid(
                "an impedance spectrum needs at least one point".into(),
            ));
        }
        if let Some((i, f)) = freq
            .iter()
            .enumerate()
            .find(|(_, f)| !(f.is_finite() && **f > 0.0))
        {
            return Err(Error::Invalid(format!(
                "frequency {f} at index {i} must be finite and > 0 Hz"
            )));
        }
        if let Some((i, v)) = z.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "impedance {v} at index {i} is not finite"
            )));
        }
        Ok(Self {
            freq,
            z,
            name: String::new(),
        })
    }

    /// From frequency, real and imaginary columns (Im Z with its sign:
    /// negative for capacitive points).
    pub fn from_parts(freq: Vec<f64>, re: &[f64], im: &[f64]) -> Result<Self> {
        if re.len() != im.len() {
            return Err(Error::Invalid(format!(
                "{} real parts but {} imaginary parts",
                re.len(),
                im.len()
            )));
        }
        let z = re.iter().zip(im).map(|(&a, &b)| C::new(a, b)).collect();
        Self::new(freq, z)
    }

    /// The impedance of `circuit` with parameters `p` at `freq` (noise-free
    /// synthetic data).
    pub fn simulate(circuit: &Circuit, p: &[f64], freq: &[f64]) -> Result<Self> {
        let mut z = vec![C::new(0.0, 0.0); freq.len()];
        circuit.impedance_into(freq, p, &mut z)?;
        let mut s = Self::new(freq.to_vec(), z)?;
        s.name = circuit.to_string();
        Ok(s)
    }

    /// [`ImpedanceSpectrum::simulate`] with noise, reproducible from `seed`
    /// ([`interphase_fit::rng::Rng`], xoshiro256++): independent Gaussian
    /// deviations on Re Z and Im Z with σ = r·|Z| ([`Noise::Proportional`],
    /// the usual model of a potentiostat's relative error) or a constant σ
    /// in Ω ([`Noise::Constant`]).
    ///
    /// ```
    /// use interphase_eis::{Circuit, ImpedanceSpectrum, data::Noise};
    /// let c: Circuit = "R0-p(R1,C1)".parse()?;
    /// let f: Vec<f64> = (0..30).map(|i| 10f64.powf(5.0 - 0.2 * i as f64)).collect();
    /// let a = ImpedanceSpectrum::simulate_noisy(&c, &[20.0, 100.0, 1e-6], &f, Noise::Proportional(0.01), 3)?;
    /// let b = ImpedanceSpectrum::simulate_noisy(&c, &[20.0, 100.0, 1e-6], &f, Noise::Proportional(0.01), 3)?;
    /// assert_eq!(a.z(), b.z()); // same seed, same noise
    /// # Ok::<(), interphase_eis::Error>(())
    /// ```
    pub fn simulate_noisy(
        circuit: &Circuit,
        p: &[f64],
        freq: &[f64],
        noise: Noise,
        seed: u64,
    ) -> Result<Self> {
        let (rel, abs) = match noise {
            Noise::Proportional(r) if r.is_finite() && r > 0.0 => (r, 0.0),
            Noise::Constant(s) if s.is_finite() && s > 0.0 => (0.0, s),
            other => {
                return Err(Error::Invalid(format!(
                    "{other:?}: the noise level must be finite and > 0"
                )));
            }
        };
        let clean = Self::simulate(circuit, p, freq)?;
        let mut rng = interphase_fit::rng::Rng::new(seed);
        let z = clean
            .z
            .iter()
            .map(|z| {
                let s = rel * z.norm() + abs;
                C::new(z.re + s * rng.normal(), z.im + s * rng.normal())
            })
            .collect();
        let mut out = Self::new(clean.freq, z)?;
        out.name = clean.name;
        Ok(out)
    }

    /// Frequencies, Hz.
    pub fn freq(&self) -> &[f64] {
        &self.freq
    }
    /// Impedances, Ω.
    pub fn z(&self) -> &[C] {
        &self.z
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.freq.len()
    }
    /// Lowest and highest frequency, Hz.
    pub fn freq_range(&self) -> (f64, f64) {
        self.freq
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &f| (a.min(f), b.max(f)))
    }
    /// Always false (a spectrum has at least one point).
    pub fn is_empty(&self) -> bool {
        self.freq.is_empty()
    }

    fn pick(&self, keep: &[usize]) -> Result<Self> {
        if keep.is_empty() {
            return Err(Error::Invalid("no points remain".into()));
        }
        let mut s = Self::new(
            keep.iter().map(|&i| self.freq[i]).collect(),
            keep.iter().map(|&i| self.z[i]).collect(),
        )?;
        s.name = self.name.clone();
        Ok(s)
    }

    /// Sorted by decreasing frequency (the usual sweep direction).
    #[must_use]
    pub fn sorted_descending(&self) -> Self {
        let mut idx: Vec<usize> = (0..self.len()).collect();
        idx.sort_by(|&a, &b| self.freq[b].total_cmp(&self.freq[a]));
        let mut s = self.clone();
        s.freq = idx.iter().map(|&i| self.freq[i]).collect();
        s.z = idx.iter().map(|&i| self.z[i]).collect();
        s
    }

    /// The points with fmin ≤ f ≤ fmax (error if none remain).
    pub fn crop(&self, fmin: f64, fmax: f64) -> Result<Self> {
        let keep: Vec<usize> = (0..self.len())
            .filter(|&i| self.freq[i] >= fmin && self.freq[i] <= fmax)
            .collect();
        self.pick(&keep)
            .map_err(|_| Error::Invalid(format!("no points between {fmin} and {fmax} Hz")))
    }

    /// Drops inductive points (Im Z > 0), as impedance.py's `ignoreBelowX`
    /// (error if none remain).
    pub fn without_inductive(&self) -> Result<Self> {
        let keep: Vec<usize> = (0..self.len()).filter(|&i| self.z[i].im <= 0.0).collect();
        self.pick(&keep)
            .map_err(|_| Error::Invalid("every point is inductive (Im Z > 0)".into()))
    }

    /// Z·A: area-specific impedance in Ω·cm² for an electrode area `area_cm2`.
    pub fn area_normalised(&self, area_cm2: f64) -> Result<Self> {
        if !(area_cm2.is_finite() && area_cm2 > 0.0) {
            return Err(Error::Invalid(format!(
                "area must be finite and > 0 cm², got {area_cm2}"
            )));
        }
        let mut s = self.clone();
        s.z.iter_mut().for_each(|z| *z *= area_cm2);
        Ok(s)
    }
}
