//! Checks that need more than one domain crate: Z-HIT on a phase smoothed
//! by the spectra crate's Savitzky–Golay filter.
//!
//! ```
//! use interphase::eis::{Circuit, ImpedanceSpectrum, zhit::ZhitOptions};
//! let c: Circuit = "R0-p(R1,CPE1)-p(R2,CPE2)".parse()?;
//! let f: Vec<f64> = (0..71).map(|i| 10f64.powf(5.0 - 0.1 * i as f64)).collect();
//! let data = ImpedanceSpectrum::simulate(&c, &[20.0, 500.0, 1e-7, 0.9, 2000.0, 1e-4, 0.8], &f)?;
//! let r = interphase::validation::zhit_smoothed(&data, 7, &ZhitOptions::default())?;
//! assert!(r.max_abs_residual() < 0.02);
//! # Ok::<(), interphase::Error>(())
//! ```

use interphase_eis::ImpedanceSpectrum;
use interphase_eis::zhit::{ZhitOptions, ZhitResult, zhit};

use crate::{Error, Result};

/// The phase arg Z of `data` (radians) smoothed by a quadratic
/// Savitzky–Golay filter over `window` points (odd, ≥ 5) applied in order
/// of frequency, with scipy's `mode="interp"` ends
/// ([`interphase_spectra::smooth::savgol_filter`]); returned in data order.
pub fn smoothed_phase(data: &ImpedanceSpectrum, window: usize) -> Result<Vec<f64>> {
    if window < 5 || window.is_multiple_of(2) {
        return Err(Error::Data(format!(
            "phase smoothing window {window} must be an odd number ≥ 5"
        )));
    }
    let f = data.freq();
    let mut order: Vec<usize> = (0..f.len()).collect();
    order.sort_by(|&a, &b| f[a].total_cmp(&f[b]));
    let phase: Vec<f64> = order.iter().map(|&i| data.z()[i].arg()).collect();
    let (smooth, _) = interphase_spectra::smooth::savgol_filter(&phase, None, window, 2, 0, 1.0)?;
    let mut out = vec![0.0; f.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = smooth[k];
    }
    Ok(out)
}

/// [`zhit`] on the phase smoothed by [`smoothed_phase`] over `window`
/// points (0: the measured phase); `opts.phase` is replaced.
pub fn zhit_smoothed(
    data: &ImpedanceSpectrum,
    window: usize,
    opts: &ZhitOptions,
) -> Result<ZhitResult> {
    let phase = if window == 0 {
        None
    } else {
        Some(smoothed_phase(data, window)?)
    };
    Ok(zhit(
        data,
        &ZhitOptions {
            phase,
            ..opts.clone()
        },
    )?)
}
