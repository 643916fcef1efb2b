//! Igor Pro binary waves (`.ibw`, version 5), as Scienta SES writes its
//! spectra: the wave's dimensions, scaling (x = offset + i·delta), units,
//! name and note (Scienta's `[SES]` region header, read as metadata: region
//! name, energy scale, excitation energy ...). A 1-D wave is one spectrum;
//! each column of a 2-D wave (slices) is one.
//!
//! Layout from WaveMetrics' Technical Note PTN003: a 64-byte `BinHeader5`
//! (version, checksum, section sizes), a 320-byte `WaveHeader5` (point count,
//! data type, name, dimension sizes, scaling, units), the data, then the
//! formula, the note and extended units. The byte order follows from the
//! version field; the checksum of the two headers is verified.

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

const BIN: usize = 64;
const WAVE: usize = 320;

/// The first `N` bytes of `s` in little-endian order (reversed when the
/// file is big-endian).
fn ordered<const N: usize>(s: &[u8], le: bool) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&s[..N]);
    if !le {
        a.reverse();
    }
    a
}

/// Reads the spectra of an Igor binary wave.
pub fn read_ibw(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let err = |o: usize, m: String| bin_err(source, o, m);
    if b.len() < 2 {
        return Err(err(0, "the file ends inside its header".into()));
    }
    let le = u16::from_le_bytes([b[0], b[1]]) == 5;
    let be = u16::from_be_bytes([b[0], b[1]]) == 5;
    if !(le || be) {
        let v = u16::from_le_bytes([b[0], b[1]]).min(u16::from_be_bytes([b[0], b[1]]));
        return Err(err(
            0,
            format!("Igor binary wave version {v} (version 5 is read)"),
        ));
    }
    if b.len() < BIN + WAVE {
        return Err(err(
            b.len(),
            format!(
                "the file ends inside its {}-byte headers (truncated?)",
                BIN + WAVE
            ),
        ));
    }
    let i16_at = |o: usize| {
        let a = [b[o], b[o + 1]];
        if le {
            i16::from_le_bytes(a)
        } else {
            i16::from_be_bytes(a)
        }
    };
    let i32_at = |o: usize| {
        let a = [b[o], b[o + 1], b[o + 2], b[o + 3]];
        if le {
            i32::from_le_bytes(a)
        } else {
            i32::from_be_bytes(a)
        }
    };
    let f64_at = |o: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[o..o + 8]);
        if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        }
    };
    // the 16-bit sum of both headers is 0
    let sum = (0..(BIN + WAVE) / 2).fold(0i16, |s, k| s.wrapping_add(i16_at(2 * k)));
    if sum != 0 {
        return Err(err(
            2,
            format!("header checksum mismatch (sum {sum}, expected 0): a corrupted file"),
        ));
    }
    let size = |o: usize, what: &str| -> Result<usize> {
        let v = i32_at(o);
        usize::try_from(v).map_err(|_| err(o, format!("{what} is {v}")))
    };
    let wfm = size(4, "the wave size")?;
    let formula = size(8, "the formula size")?;
    let note = size(12, "the note size")?;
    let w = BIN;
    let npnts = size(w + 12, "the point count")?;
    let ty = i16_at(w + 16);
    let name = String::from_utf8_lossy(&b[w + 28..w + 60])
        .trim_end_matches('\0')
        .to_string();
    let dims: Vec<usize> = (0..4)
        .map(|k| i32_at(w + 68 + 4 * k).max(0) as usize)
        .collect();
    let delta = f64_at(w + 84);
    let offset = f64_at(w + 116);
    let unit = String::from_utf8_lossy(&b[w + 152..w + 156])
        .trim_end_matches('\0')
        .to_string();
    let (esize, kind) = match ty {
        2 => (4, 'f'),
        4 => (8, 'd'),
        8 => (1, 'b'),
        0x10 => (2, 'h'),
        0x20 => (4, 'i'),
        0x48 => (1, 'B'),
        0x50 => (2, 'H'),
        0x60 => (4, 'I'),
        t if t & 1 == 1 => {
            return Err(err(
                w + 16,
                format!("complex data (type {t}) are not spectra"),
            ));
        }
        t => return Err(err(w + 16, format!("data type {t} is not known"))),
    };
    let start = BIN + WAVE;
    let bytes = npnts
        .checked_mul(esize)
        .ok_or_else(|| err(w + 12, "absurd point count".into()))?;
    if start + bytes > b.len() || wfm < WAVE {
        return Err(err(
            start,
            format!("{npnts} points of {esize} bytes run past the end of the file (truncated?)"),
        ));
    }
    let data: Vec<f64> = (0..npnts)
        .map(|k| {
            let s = &b[start + k * esize..start + (k + 1) * esize];
            match kind {
                'f' => f64::from(f32::from_le_bytes(ordered(s, le))),
                'd' => f64::from_le_bytes(ordered(s, le)),
                'b' => f64::from(s[0] as i8),
                'B' => f64::from(s[0]),
                'h' => f64::from(i16::from_le_bytes(ordered(s, le))),
                'H' => f64::from(u16::from_le_bytes(ordered(s, le))),
                'i' => f64::from(i32::from_le_bytes(ordered(s, le))),
                _ => f64::from(u32::from_le_bytes(ordered(s, le))),
            }
        })
        .collect();
    // the note follows the data and the formula
    let note_at = BIN + wfm + formula;
    let mut meta: BTreeMap<String, String> = BTreeMap::new();
    if let Some(n) = b.get(note_at..note_at + note) {
        for l in String::from_utf8_lossy(n).split(['\r', '\n']) {
            if let Some((k, v)) = l.split_once('=')
                && meta.len() < 200
            {
                meta.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    let n0 = dims[0].max(1);
    let cols = if dims[1] == 0 {
        1
    } else {
        dims[1] * dims[2].max(1) * dims[3].max(1)
    };
    if n0 * cols != npnts {
        return Err(err(
            w + 68,
            format!("dimensions {dims:?} do not hold {npnts} points"),
        ));
    }
    let x: std::sync::Arc<[f64]> = (0..n0).map(|i| offset + delta * i as f64).collect();
    let scale = meta.get("Energy Scale").map(|s| s.to_ascii_lowercase());
    let x_quantity = match scale.as_deref() {
        Some("binding") => XQuantity::BindingEnergy,
        Some("kinetic") => XQuantity::KineticEnergy,
        _ if unit == "eV" => XQuantity::Energy,
        _ => XQuantity::Other,
    };
    let region = meta.get("Region Name").cloned().unwrap_or(name.clone());
    let mut out = Vec::with_capacity(cols);
    for c in 0..cols {
        let y = data[c * n0..(c + 1) * n0].to_vec();
        let s = Spectrum::with_shared_x(x.clone(), y).map_err(|e| Error::WrongKind {
            source_name: source.to_string(),
            message: format!("wave {name:?}: {e}"),
        })?;
        let mut extra = meta.clone();
        extra.insert("wave".into(), name.clone());
        out.push(s.with_meta(Metadata {
            name: if cols > 1 {
                format!("{region} slice {}", c + 1)
            } else {
                region.clone()
            },
            technique: if meta.contains_key("Excitation Energy") {
                Technique::Xps
            } else {
                Technique::Other
            },
            x_quantity,
            x_unit: if unit.is_empty() && scale.is_some() {
                "eV".into()
            } else {
                unit.clone()
            },
            y_unit: String::new(),
            counts: false,
            photon_energy: meta.get("Excitation Energy").and_then(|v| v.parse().ok()),
            source: Some(source.to_string()),
            block: Some(name.clone()),
            extra,
        }));
    }
    Ok(out)
}
