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
//!
//! A profile also holds per-cycle traces without a `SpectralRegDef`: two
//! dimensions named in their header (`cyc` at +0x20 with its length at
//! +0x14, `reg` at +0x28 with its length at +0x18; cycles vary fastest) and
//! a unit at +0x38. The one in seconds is the sputter time of each cycle
//! (cumulative, 0 for the first cycle; in the public sample it runs 0 … 600 s
//! in the 30 s steps of its `DepthCalDef`), the one in `c/s * eV` MultiPak's
//! background-subtracted region area. They are read into a table (one column
//! per region and trace) and the sputter time into each cycle's metadata.

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::Table;
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
/// spectrum per region and cycle, named `REGION cycle k`, with its sputter
/// time in the metadata as `sputter time (s)` where the file records it).
pub fn read_phi(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    Ok(read_phi_all(b, source)?.0)
}

/// A per-cycle trace of a profile: its unit and its values, region by region.
struct PerCycle {
    unit: String,
    values: Vec<Vec<f64>>,
}

/// Reads the spectra of a PHI file and, for a depth profile, the table of its
/// per-cycle traces (`cycle`, then `REGION sputter time (s)`,
/// `REGION area (c/s * eV)` ... for each region).
pub fn read_phi_all(b: &[u8], source: &str) -> Result<(Vec<Spectrum>, Vec<Table>)> {
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
    let mut per_cycle: Vec<PerCycle> = Vec::new();
    let mut unread = 0;
    let region_names: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
    let mut cycles_seen = None;
    for k in 0..ntraces {
        let h = data0 + 16 + 96 * k;
        let number = u32_at(h)?;
        let points = u32_at(h + 0x14)?;
        if profile && !regions.iter().any(|r| r.number == number) {
            match per_cycle_trace(b, source, data0, h, regions.len())? {
                Some(t) => per_cycle.push(t),
                None => unread += 1,
            }
            continue;
        }
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
        let values = floats(raw, size);
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
        cycles_seen = Some(cycles);
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
    let mut tables = Vec::new();
    per_cycle.retain(|t| {
        let fits = cycles_seen.is_some_and(|c| t.values.iter().all(|v| v.len() == c));
        unread += usize::from(!fits);
        fits
    });
    if let Some(cycles) = cycles_seen
        && !per_cycle.is_empty()
    {
        let time = per_cycle.iter().find(|t| t.unit == "s");
        if let Some(time) = time {
            for s in out.iter_mut() {
                let r = region_names
                    .iter()
                    .position(|n| Some(n) == s.meta.block.as_ref());
                let c = s
                    .meta
                    .extra
                    .get("cycle")
                    .and_then(|c| c.parse::<usize>().ok());
                if let (Some(r), Some(c)) = (r, c)
                    && let Some(t) = time.values.get(r).and_then(|v| v.get(c - 1))
                {
                    // −0 written for the first cycle reads as 0
                    s.meta
                        .extra
                        .insert("sputter time (s)".into(), (t + 0.0).to_string());
                }
            }
        }
        let mut columns = vec![(
            "cycle".to_string(),
            (1..=cycles).map(|c| c as f64).collect::<Vec<f64>>(),
        )];
        for (r, name) in region_names.iter().enumerate() {
            for t in &per_cycle {
                let what = match t.unit.as_str() {
                    "s" => "sputter time",
                    u if u.contains("eV") => "area",
                    _ => "value",
                };
                columns.push((format!("{name} {what} ({})", t.unit), t.values[r].clone()));
            }
        }
        tables.push(Table {
            name: "depth profile".into(),
            technique: meta.get("Technique").cloned(),
            columns,
            metadata: meta.clone(),
        });
    }
    if unread > 0
        && let Some(first) = out.first_mut()
    {
        first.meta.extra.insert(
            "warning".into(),
            format!(
                "{unread} traces without a SpectralRegDef whose layout is not (cycles × regions) were not read"
            ),
        );
    }
    Ok((out, tables))
}

/// Reads a profile's per-cycle trace (`cyc` × `reg`, cycles fastest); `None`
/// for a trace of another layout (left unread, with a warning).
fn per_cycle_trace(
    b: &[u8],
    source: &str,
    data0: usize,
    h: usize,
    regions: usize,
) -> Result<Option<PerCycle>> {
    let hdr = b
        .get(h..h + 96)
        .ok_or_else(|| bin_err(source, h, "truncated trace header"))?;
    let u32_at =
        |o: usize| u32::from_le_bytes([hdr[o], hdr[o + 1], hdr[o + 2], hdr[o + 3]]) as usize;
    let text = |o: usize, n: usize| {
        let t = &hdr[o..o + n];
        let end = t.iter().position(|&c| c == 0).unwrap_or(n);
        String::from_utf8_lossy(&t[..end]).trim().to_string()
    };
    let (n_cyc, n_reg) = (u32_at(0x14), u32_at(0x18));
    if text(0x20, 4) != "cyc" || text(0x28, 4) != "reg" || n_reg != regions || n_cyc == 0 {
        return Ok(None);
    }
    let size = match &hdr[0x48..0x4a] {
        b"f4" => 4,
        b"f8" => 8,
        _ => return Ok(None),
    };
    let bytes = u32_at(0x4c);
    if n_cyc.checked_mul(n_reg).and_then(|n| n.checked_mul(size)) != Some(bytes) {
        return Err(bin_err(
            source,
            h + 0x4c,
            format!("a per-cycle trace of {n_cyc} cycles × {n_reg} regions holds {bytes} bytes"),
        ));
    }
    let at = data0 + u32_at(0x50);
    let raw = b.get(at..at.saturating_add(bytes)).ok_or_else(|| {
        bin_err(
            source,
            at,
            format!(
                "a per-cycle trace: {bytes} bytes of data run past the end of the file (truncated?)"
            ),
        )
    })?;
    // + 0: MultiPak writes the first sputter time as −0
    let values: Vec<f64> = floats(raw, size).into_iter().map(|v| v + 0.0).collect();
    Ok(Some(PerCycle {
        unit: text(0x38, 16),
        values: values.chunks(n_cyc).map(<[f64]>::to_vec).collect(),
    }))
}

/// Little-endian `f4` (size 4) or `f8` values.
fn floats(raw: &[u8], size: usize) -> Vec<f64> {
    raw.chunks_exact(size)
        .map(|c| {
            if size == 4 {
                f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            } else {
                f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
            }
        })
        .collect()
}
