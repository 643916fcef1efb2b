//! Princeton Instruments WinSpec/LightField `.spe` spectra (1-D frames):
//! a 4100-byte header (x size at byte 42, data type at 108, y size at 656,
//! frame count at 1446, the x and y calibration structures at 3000 and 3489:
//! validity flag at +98, polynomial order at +101, six coefficients at
//! +263), then the frames (float32, int32, int16 or uint16). A calibrated
//! axis is Σ cⱼ·pⱼ with p the 1-based pixel number; without a calibration,
//! the pixel number. 2-D frames (images) are refused. Offsets from the
//! WinSpec file-format description as transcribed by the xylib project.

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

const HEADER: usize = 4100;

/// Reads the frames of a WinSpec `.spe` file, one spectrum each.
pub fn read_winspec(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    if b.len() <= HEADER {
        return Err(bin_err(
            source,
            b.len(),
            "a WinSpec .spe file has a 4100-byte header; this one ends inside it",
        ));
    }
    let u16_at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
    let f64_at = |o: usize| f64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]));
    let (xdim, ty, ydim) = (u16_at(42), u16_at(108), u16_at(656));
    let frames = u32::from_le_bytes([b[1446], b[1447], b[1448], b[1449]]) as usize;
    let size = match ty {
        0 | 1 => 4,
        2 | 3 => 2,
        t => {
            return Err(bin_err(
                source,
                108,
                format!("data type {t} (0 to 3 expected: not a WinSpec .spe file?)"),
            ));
        }
    };
    let (n, calib) = match (xdim, ydim) {
        (x, 1) => (x, 3000),
        (1, y) => (y, 3489),
        (x, y) => {
            return Err(Error::WrongKind {
                source_name: source.into(),
                message: format!("a WinSpec image of {x} × {y} pixels, not a spectrum"),
            });
        }
    };
    let need = frames
        .checked_mul(n)
        .and_then(|v| v.checked_mul(size))
        .filter(|&v| HEADER + v <= b.len());
    if n == 0 || frames == 0 || need.is_none() {
        return Err(bin_err(
            source,
            1446,
            format!(
                "{frames} frames of {n} points do not fit in {} bytes (truncated?)",
                b.len()
            ),
        ));
    }
    let valid = b[calib + 98] != 0;
    let order = usize::from(b[calib + 101]);
    if order > 5 {
        return Err(bin_err(
            source,
            calib + 101,
            format!("calibration polynomial of order {order} (at most 5)"),
        ));
    }
    let coeff: Vec<f64> = (0..6).map(|j| f64_at(calib + 263 + 8 * j)).collect();
    let x: std::sync::Arc<[f64]> = (0..n)
        .map(|i| {
            let p = (i + 1) as f64;
            if valid {
                (0..=order).map(|j| coeff[j] * p.powi(j as i32)).sum()
            } else {
                p
            }
        })
        .collect();
    let mut out = Vec::with_capacity(frames);
    for f in 0..frames {
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let o = HEADER + (f * n + i) * size;
                let s = &b[o..o + size];
                match ty {
                    0 => f64::from(f32::from_le_bytes([s[0], s[1], s[2], s[3]])),
                    1 => f64::from(i32::from_le_bytes([s[0], s[1], s[2], s[3]])),
                    2 => f64::from(i16::from_le_bytes([s[0], s[1]])),
                    _ => f64::from(u16::from_le_bytes([s[0], s[1]])),
                }
            })
            .collect();
        let s = Spectrum::with_shared_x(x.clone(), y).map_err(|e| Error::WrongKind {
            source_name: source.into(),
            message: format!("frame {}: {e}", f + 1),
        })?;
        let mut extra = BTreeMap::new();
        extra.insert(
            "calibration".to_string(),
            if valid {
                format!("order {order}: {:?}", &coeff[..=order])
            } else {
                "none (pixel numbers)".into()
            },
        );
        out.push(s.with_meta(Metadata {
            name: if frames > 1 {
                format!("frame {}", f + 1)
            } else {
                "frame".into()
            },
            technique: Technique::Other,
            x_quantity: if valid {
                XQuantity::Other
            } else {
                XQuantity::Channel
            },
            x_unit: String::new(),
            y_unit: "counts".into(),
            counts: ty != 0,
            photon_energy: None,
            source: Some(source.to_string()),
            block: None,
            extra,
        }));
    }
    Ok(out)
}
