//! Writers: spectra as CSV (shortest round-trip numbers, so reading the file
//! back gives the same f64 values) or JSON (the serde form of [`Spectrum`]).
//!
//! ```
//! use interphase_io::{read_text, write::write_csv, Format};
//! let text = "# C 1s, binding energy\nBE,counts\n290.0,120\n289.9,118\n289.8,131\n";
//! let spectra = read_text(text, Format::SpectrumText, "c1s.csv")?;
//! assert_eq!(spectra[0].len(), 3);
//! let csv = write_csv(&spectra)?;
//! assert!(csv.starts_with("BE,counts\n290,120\n"));
//! # Ok::<(), interphase_io::Error>(())
//! ```

use interphase_spectra::Spectrum;

use crate::error::{Error, Result};

/// CSV text: a header line `x,<name 1>[,<name 1>_sigma],<name 2>...` then one
/// row per point (numbers in Rust's shortest round-trip form, so reading the
/// file back gives the same f64 values). Every spectrum must share the first
/// one's x axis (to within 10⁻⁹ of the step); explicit σ gets its own column.
pub fn write_csv(spectra: &[Spectrum]) -> Result<String> {
    let first = spectra
        .first()
        .ok_or_else(|| Error::Invalid("nothing to write".into()))?;
    let n = first.len();
    let tol = 1e-9 * (first.x()[1] - first.x()[0]).abs();
    for (k, s) in spectra.iter().enumerate().skip(1) {
        if s.len() != n
            || s.x()
                .iter()
                .zip(first.x())
                .any(|(a, b)| (a - b).abs() > tol)
        {
            return Err(Error::Invalid(format!(
                "spectrum {k} has a different x axis from spectrum 0; write them to separate files"
            )));
        }
    }
    let clean = |s: &str| s.replace([',', '\n', '\r'], " ");
    let x_name = if first
        .meta
        .extra
        .get("x_label")
        .is_some_and(|l| !l.is_empty())
    {
        clean(&first.meta.extra["x_label"])
    } else {
        "x".to_string()
    };
    let mut out = x_name;
    for (k, s) in spectra.iter().enumerate() {
        let name = if s.meta.name.is_empty() {
            format!("y{k}")
        } else {
            clean(&s.meta.name)
        };
        out.push(',');
        out.push_str(&name);
        if s.sigma().is_some() {
            out.push_str(&format!(",{name}_sigma"));
        }
    }
    out.push('\n');
    for i in 0..n {
        out.push_str(&first.x()[i].to_string());
        for s in spectra {
            out.push(',');
            out.push_str(&s.y()[i].to_string());
            if let Some(sig) = s.sigma() {
                out.push(',');
                out.push_str(&sig[i].to_string());
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// JSON: an array of spectra in the serde form of [`Spectrum`]
/// (`{"x":[..],"y":[..],"sigma":[..]?,"meta":{..}}`), readable back with
/// `serde_json::from_str::<Vec<Spectrum>>` (which validates again).
pub fn write_json(spectra: &[Spectrum]) -> Result<String> {
    serde_json::to_string(spectra).map_err(|e| Error::Invalid(format!("JSON encoding failed: {e}")))
}
