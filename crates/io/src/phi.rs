//! PHI MultiPak files: spectra (`.spe`) and depth profiles (`.pro`).
//!
//! Layout (public notes of the yadg project's PHI reader, and the files
//! themselves): an ASCII header between `SOFH` and `EOFH` lines (`Technique`,
//! `XraySource`, `SpectralRegDef: number number name Z points step start stop
//! ... dwell pass-energy ...`, and for profiles `NoDPDataCyc`), then a binary
//! part: a 16-byte data header (group, trace count, total trace-header size,
//! data-header size) and one 96-byte header per trace (points at +0x14, data
//! type `f4`/`f8` at +0x48, data bytes at +0x4c). A spectrum file gives each
//! trace's data at `end − bytes` (end at +0x5c); a profile gives its start
//! at +0x50 and holds every cycle of the trace, cycle after cycle (points
//! per cycle from the header). Energies run from start to stop in equal
//! steps (binding energy for XPS).
//!
//! The cycle order of profiles was established from the data (each cycle a
//! smooth spectrum), not from a published description: see docs/formats.md.

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

struct Region {
    number: usize,
    name: String,
    points: usize,
    start: f64,
    stop: f64,
    pass_energy: String,
}

/// Reads the spectra of a PHI `.spe` or `.pro` file (a profile gives one
/// spectrum per region and cycle, named `REGION cycle k`).
pub fn read_phi(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let eofh = b.windows(4).position(|w| w == b"EOFH").ok_or_else(|| {
        bin_err(
            source,
            0,
            "no EOFH line ending the PHI MultiPak text header",
        )
    })?;
    let data0 = b[eofh..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|k| eofh + k + 1)
        .ok_or_else(|| bin_err(source, eofh, "the file ends after its header"))?;
    let header = String::from_utf8_lossy(&b[..eofh]);
    let mut meta: BTreeMap<String, String> = BTreeMap::new();
    let mut regions = Vec::new();
    for l in header.lines() {
        let Some((k, v)) = l.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "SpectralRegDef" {
            let f: Vec<&str> = v.split_whitespace().collect();
            let num = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok());
            match (num(0), f.get(2), num(4), num(6), num(7)) {
                (Some(n), Some(name), Some(p), Some(a), Some(z)) if p >= 1.0 => {
                    regions.push(Region {
                        number: n as usize,
                        name: name.to_string(),
                        points: p as usize,
                        start: a,
                        stop: z,
                        pass_energy: f.get(11).unwrap_or(&"").to_string(),
                    })
                }
                _ => {
                    return Err(bin_err(
                        source,
                        0,
                        format!("a SpectralRegDef line that cannot be read: {v:?}"),
                    ));
                }
            }
        } else if meta.len() < 300 && !k.starts_with("SpectralRegDef") {
            meta.entry(k.to_string()).or_insert_with(|| v.to_string());
        }
    }
    let profile = meta.get("FileType").is_some_and(|t| t.contains("DEPTHPRO"));
    let u32_at = |o: usize| -> Result<usize> {
        b.get(o..o + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
            .ok_or_else(|| bin_err(source, o, "the file ends inside a data header (truncated?)"))
    };
    let ntraces = u32_at(data0 + 4)?;
    let hdr_size = u32_at(data0 + 8)?;
    if ntraces != regions.len() && !profile {
        return Err(bin_err(
            source,
            data0 + 4,
            format!(
                "{ntraces} traces but the header defines {} regions",
                regions.len()
            ),
        ));
    }
    if hdr_size != 96 * ntraces {
        return Err(bin_err(
            source,
            data0 + 8,
            format!("{hdr_size} bytes of trace headers for {ntraces} traces (96 each expected)"),
        ));
    }
    let photon = meta
        .get("XraySource")
        .and_then(|s| s.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    let technique = meta
        .get("Technique")
        .map(|t| Technique::from_label(t))
        .unwrap_or(Technique::Xps);
    let mut out = Vec::new();
    for k in 0..ntraces.min(regions.len()) {
        let h = data0 + 16 + 96 * k;
        let number = u32_at(h)?;
        let points = u32_at(h + 0x14)?;
        let ty = b
            .get(h + 0x48..h + 0x4a)
            .ok_or_else(|| bin_err(source, h + 0x48, "truncated trace header"))?;
        let size = match ty {
            b"f4" => 4,
            b"f8" => 8,
            _ => {
                return Err(bin_err(
                    source,
                    h + 0x48,
                    format!(
                        "data type {:?} (f4 or f8 expected)",
                        String::from_utf8_lossy(ty)
                    ),
                ));
            }
        };
        let bytes = u32_at(h + 0x4c)?;
        let r = regions
            .iter()
            .find(|r| r.number == number)
            .ok_or_else(|| bin_err(source, h, format!("trace {number} has no SpectralRegDef")))?;
        if points != r.points {
            return Err(bin_err(
                source,
                h + 0x14,
                format!(
                    "trace {number}: {points} points, the header says {}",
                    r.points
                ),
            ));
        }
        let start = if profile {
            u32_at(h + 0x50)?
        } else {
            u32_at(h + 0x5c)?
                .checked_sub(bytes)
                .ok_or_else(|| bin_err(source, h + 0x5c, "data end before its start"))?
        };
        let at = data0 + start;
        let raw = b
            .get(at..at.saturating_add(bytes))
            .ok_or_else(|| bin_err(source, at, format!("trace {number}: {bytes} bytes of data run past the end of the file (truncated?)")))?;
        let values: Vec<f64> = raw
            .chunks_exact(size)
            .map(|c| {
                if size == 4 {
                    f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                } else {
                    f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                }
            })
            .collect();
        if points == 0 || !values.len().is_multiple_of(points) {
            return Err(bin_err(
                source,
                h + 0x4c,
                format!(
                    "trace {number}: {} values are not a whole number of {points}-point cycles",
                    values.len()
                ),
            ));
        }
        let cycles = values.len() / points;
        let step = if points > 1 {
            (r.stop - r.start) / (points - 1) as f64
        } else {
            0.0
        };
        let x: std::sync::Arc<[f64]> = (0..points).map(|i| r.start + step * i as f64).collect();
        for c in 0..cycles {
            let s =
                Spectrum::with_shared_x(x.clone(), values[c * points..(c + 1) * points].to_vec())
                    .map_err(|e| Error::WrongKind {
                    source_name: source.to_string(),
                    message: format!("region {}: {e}", r.name),
                })?;
            let mut extra = meta.clone();
            extra.insert("pass energy (eV)".into(), r.pass_energy.clone());
            if profile {
                extra.insert("cycle".into(), (c + 1).to_string());
            }
            out.push(s.with_meta(Metadata {
                name: if cycles > 1 {
                    format!("{} cycle {}", r.name, c + 1)
                } else {
                    r.name.clone()
                },
                technique,
                x_quantity: XQuantity::BindingEnergy,
                x_unit: "eV".into(),
                y_unit: "counts/s".into(),
                counts: false,
                photon_energy: photon,
                source: Some(source.to_string()),
                block: Some(r.name.clone()),
                extra,
            }));
        }
    }
    if out.is_empty() {
        return Err(bin_err(source, data0, "no trace in the file"));
    }
    if ntraces > regions.len()
        && let Some(first) = out.first_mut()
    {
        first.meta.extra.insert(
            "warning".into(),
            format!(
                "{} traces without a SpectralRegDef (per-cycle data such as sputter times) were not read",
                ntraces - regions.len()
            ),
        );
    }
    Ok(out)
}
