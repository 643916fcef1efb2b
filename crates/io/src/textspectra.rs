//! Spectrum text exports of instrument software: CasaXPS "tab ASCII"
//! exports, Scienta SES `.txt`, Bruker `.uxd` and Rigaku `.ras`. Each
//! region, range or block is its own spectrum; headers are kept as
//! metadata; axes get their kind (binding or kinetic energy, 2θ) and the
//! excitation energy or wavelength where the file gives them.
//!
//! ```
//! let text = "*RAS_DATA_START\n*RAS_HEADER_START\n*MEAS_SCAN_AXIS_X \"2-Theta\"\n\
//! *MEAS_SCAN_UNIT_X \"deg\"\n*RAS_HEADER_END\n*RAS_INT_START\n20.0 100 1.0\n20.02 120 1.0\n\
//! *RAS_INT_END\n*RAS_DATA_END\n";
//! let s = interphase_io::textspectra::read_ras(text, "si.ras")?;
//! assert_eq!(s[0].y(), &[100.0, 120.0]);
//! # Ok::<(), interphase_io::Error>(())
//! ```

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Result, parse_err};
use crate::text::{fields, lines, number};

fn spectrum(
    source: &str,
    line: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    meta: Metadata,
) -> Result<Spectrum> {
    let name = meta.name.clone();
    Spectrum::new(x, y)
        .map(|s| s.with_meta(meta))
        .map_err(|e| parse_err(source, line, format!("{name:?}: {e}")))
}

/// Whether text is a CasaXPS tab-ASCII export (`CasaXP…` first line, or a
/// `Characteristic Energy` line among the first three).
pub fn is_casa_tab(text: &str) -> bool {
    let mut l = text.lines();
    l.next().is_some_and(|f| f.trim().starts_with("CasaXP"))
        || text
            .lines()
            .take(3)
            .any(|l| l.contains("Characteristic Energy"))
}

/// CasaXPS tab-ASCII export: the region name, `Characteristic Energy eV`
/// (the excitation energy), a column header (`KE_…`, `BE_…`, `CPS_…`,
/// then components, background and envelope) and rows. The intensity column
/// is the spectrum (on the binding-energy axis when there is one); each
/// further column (components, background, envelope) is a spectrum of its
/// own on the same axis.
pub fn read_casa_tab(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let all = lines(text);
    let header_at = all
        .iter()
        .position(|(_, l)| {
            let f = fields(l, '\t');
            f.len() >= 2 && f.iter().any(|c| c.starts_with("KE") || c.starts_with("BE"))
        })
        .ok_or_else(|| parse_err(source, 0, "no column header (KE_…, BE_…, CPS_…) found"))?;
    let mut extra = BTreeMap::new();
    let mut photon = None;
    let mut region = String::new();
    for (_, l) in &all[1..header_at] {
        let f = fields(l, '\t');
        if f.len() == 1 && region.is_empty() {
            region = f[0].to_string();
        }
        for pair in f.chunks(2) {
            if let [k, v] = pair {
                if k.starts_with("Characteristic Energy") {
                    photon = number(v, false);
                }
                extra.insert(k.to_string(), v.to_string());
            }
        }
    }
    let (hl, header) = all[header_at];
    let names: Vec<String> = fields(header, '\t').iter().map(|s| s.to_string()).collect();
    let be = names.iter().position(|n| n.starts_with("BE"));
    let ke = names.iter().position(|n| n.starts_with("KE"));
    let xcol = be
        .or(ke)
        .ok_or_else(|| parse_err(source, hl, "no KE or BE column"))?;
    let ycols: Vec<usize> = (0..names.len())
        .filter(|&c| Some(c) != be && Some(c) != ke)
        .collect();
    if ycols.is_empty() {
        return Err(parse_err(source, hl, "no intensity column"));
    }
    let cols = crate::text::tab_columns(&all[header_at + 1..], &names, false, source)?;
    let mut out = Vec::new();
    for c in ycols {
        let meta = Metadata {
            name: if out.is_empty() {
                region.clone()
            } else {
                format!("{region} {}", names[c])
            },
            technique: Technique::Xps,
            x_quantity: if be.is_some() {
                XQuantity::BindingEnergy
            } else {
                XQuantity::KineticEnergy
            },
            x_unit: "eV".into(),
            y_unit: if names[c].starts_with("CPS") {
                "counts/s".into()
            } else {
                String::new()
            },
            counts: false,
            photon_energy: photon,
            source: Some(source.to_string()),
            block: Some(names[c].clone()),
            extra: extra.clone(),
        };
        out.push(spectrum(
            source,
            hl + 1,
            cols[xcol].clone(),
            cols[c].clone(),
            meta,
        )?);
    }
    Ok(out)
}

/// Whether text is a Scienta SES export (`[Info]` … `[Region 1]`).
pub fn is_scienta_txt(text: &str) -> bool {
    text.trim_start().starts_with("[Info]") && text.contains("[Region 1]")
}

/// Scienta SES `.txt`: per region `[Region N]` (dimension names and
/// scales), `[Info N]` (excitation energy, energy scale, lens, pass energy
/// …) and `[Data N]` rows `energy value [value …]`. A region with several
/// slices gives one spectrum per slice.
pub fn read_scienta_txt(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let all = lines(text);
    let mut out = Vec::new();
    let mut section = String::new();
    let mut info: BTreeMap<String, String> = BTreeMap::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut data_line = 0;
    let mut flush = |section: &str,
                     info: &BTreeMap<String, String>,
                     rows: &mut Vec<Vec<f64>>,
                     line: usize|
     -> Result<()> {
        if !section.starts_with("Data") || rows.is_empty() {
            return Ok(());
        }
        let width = rows[0].len();
        let x: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        let binding = info
            .get("Energy Scale")
            .is_some_and(|v| v.eq_ignore_ascii_case("Binding"));
        let name = info
            .get("Region Name")
            .cloned()
            .unwrap_or_else(|| section.to_string());
        for k in 1..width {
            let meta = Metadata {
                name: if width > 2 {
                    format!("{name} slice {k}")
                } else {
                    name.clone()
                },
                technique: Technique::Xps,
                x_quantity: if binding {
                    XQuantity::BindingEnergy
                } else {
                    XQuantity::KineticEnergy
                },
                x_unit: "eV".into(),
                y_unit: String::new(),
                counts: false,
                photon_energy: info.get("Excitation Energy").and_then(|v| number(v, false)),
                source: Some(source.to_string()),
                block: Some(name.clone()),
                extra: info.clone(),
            };
            out.push(spectrum(
                source,
                line,
                x.clone(),
                rows.iter().map(|r| r[k]).collect(),
                meta,
            )?);
        }
        rows.clear();
        Ok(())
    };
    for &(ln, l) in &all {
        let t = l.trim();
        if t.starts_with('[') && t.ends_with(']') {
            flush(&section, &info, &mut rows, data_line)?;
            section = t[1..t.len() - 1].to_string();
            if section.starts_with("Region") {
                info.clear();
            }
            data_line = ln + 1;
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if section.starts_with("Data") {
            let f = fields(t, ' ');
            let r: Option<Vec<f64>> = f.iter().map(|v| number(v, false)).collect();
            let r =
                r.ok_or_else(|| parse_err(source, ln, format!("expected numbers, found {t:?}")))?;
            if r.len() < 2 || rows.first().is_some_and(|f| f.len() != r.len()) {
                return Err(parse_err(
                    source,
                    ln,
                    format!(
                        "{} values; the rows of this block need {}",
                        r.len(),
                        rows.first().map_or(2, Vec::len)
                    ),
                ));
            }
            rows.push(r);
        } else if let Some((k, v)) = t.split_once('=')
            && !k.starts_with("Dimension 1 scale")
            && info.len() < 200
        {
            info.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    flush(&section, &info, &mut rows, data_line)?;
    if out.is_empty() {
        return Err(parse_err(source, 0, "no [Data N] block with rows"));
    }
    Ok(out)
}

/// Whether text is a Bruker UXD export (`_KEY=value` lines, `;` comments).
pub fn is_uxd(text: &str) -> bool {
    text.lines()
        .take(20)
        .any(|l| l.starts_with("_FILEVERSION") || l.starts_with("_2THETACOUNTS"))
}

/// Bruker DIFFRAC `.uxd` text: `_KEY=value` header lines, `;` comments, and
/// per range either `_2THETACOUNTS`/`_2THETACPS` (pairs) or `_COUNTS`/`_CPS`
/// (intensities on `_START` + i·`_STEPSIZE`). Each range is a spectrum.
pub fn read_uxd(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let all = lines(text);
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    let mut mode: Option<(bool, bool)> = None; // (pairs, per second)
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut start_line = 0;
    let mut finish = |keys: &BTreeMap<String, String>,
                      mode: Option<(bool, bool)>,
                      x: &mut Vec<f64>,
                      y: &mut Vec<f64>,
                      line: usize|
     -> Result<()> {
        let Some((pairs, cps)) = mode else {
            return Ok(());
        };
        if y.is_empty() {
            return Ok(());
        }
        if !pairs {
            let num = |k: &str| {
                keys.get(k).and_then(|v| number(v, false)).ok_or_else(|| {
                    parse_err(
                        source,
                        line,
                        format!("intensities without 2θ need _{k} in the header"),
                    )
                })
            };
            let (s, d) = (num("START")?, num("STEPSIZE")?);
            *x = (0..y.len()).map(|i| s + d * i as f64).collect();
        }
        let meta = Metadata {
            name: format!("range {}", out.len() + 1),
            technique: Technique::Xrd,
            x_quantity: XQuantity::TwoTheta,
            x_unit: "deg".into(),
            y_unit: if cps {
                "counts/s".into()
            } else {
                "counts".into()
            },
            counts: !cps,
            photon_energy: None,
            source: Some(source.to_string()),
            block: None,
            extra: keys.clone(),
        };
        out.push(spectrum(
            source,
            line,
            std::mem::take(x),
            std::mem::take(y),
            meta,
        )?);
        Ok(())
    };
    for &(ln, l) in &all {
        let t = l.trim();
        if t.is_empty() || t.starts_with(';') {
            continue;
        }
        if let Some(h) = t.strip_prefix('_') {
            if mode.is_some() && !y.is_empty() {
                finish(&keys, mode, &mut x, &mut y, start_line)?;
                mode = None;
            }
            match h {
                "2THETACOUNTS" => mode = Some((true, false)),
                "2THETACPS" => mode = Some((true, true)),
                "COUNTS" => mode = Some((false, false)),
                "CPS" => mode = Some((false, true)),
                _ => {
                    if let Some((k, v)) = h.split_once('=')
                        && keys.len() < 500
                    {
                        keys.insert(
                            k.trim().to_string(),
                            v.trim().trim_matches('\'').to_string(),
                        );
                    }
                }
            }
            start_line = ln + 1;
            continue;
        }
        let Some((pairs, _)) = mode else {
            return Err(parse_err(
                source,
                ln,
                format!("numbers before a _2THETACOUNTS/_COUNTS line: {t:?}"),
            ));
        };
        let v: Option<Vec<f64>> = fields(t, ' ').iter().map(|f| number(f, false)).collect();
        let v = v.ok_or_else(|| parse_err(source, ln, format!("expected numbers, found {t:?}")))?;
        if pairs {
            if v.len() != 2 {
                return Err(parse_err(
                    source,
                    ln,
                    format!("expected 2θ and intensity, found {} values", v.len()),
                ));
            }
            x.push(v[0]);
            y.push(v[1]);
        } else {
            y.extend(v);
        }
    }
    finish(&keys, mode, &mut x, &mut y, start_line)?;
    if out.is_empty() {
        return Err(parse_err(
            source,
            0,
            "no data (no _2THETACOUNTS or _COUNTS block)",
        ));
    }
    Ok(out)
}

/// A RAS/RASX data row `x intensity [attenuation]`: (x, intensity ×
/// attenuation).
fn ras_row(t: &str) -> Option<(f64, f64)> {
    let v: Option<Vec<f64>> = fields(t, ' ').iter().map(|f| number(f, false)).collect();
    match v?.as_slice() {
        [a, b] => Some((*a, *b)),
        [a, b, c, ..] => Some((*a, b * c)),
        _ => None,
    }
}

/// Rigaku `.ras` text: every `*RAS_DATA_START` … `*RAS_DATA_END` block, its
/// `*KEY "value"` header as metadata, rows `x intensity attenuation` (the
/// intensity is multiplied by the attenuation factor, as Rigaku's software
/// shows it). The axis is 2θ unless the header names another scan axis.
pub fn read_ras(text: &str, source: &str) -> Result<Vec<Spectrum>> {
    let all = lines(text);
    let mut out = Vec::new();
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut in_int = false;
    let mut int_line = 0;
    for &(ln, l) in &all {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(h) = t.strip_prefix('*') {
            match h {
                "RAS_DATA_START" => keys.clear(),
                "RAS_INT_START" => {
                    in_int = true;
                    int_line = ln + 1;
                }
                "RAS_INT_END" => {
                    in_int = false;
                    let axis = keys.get("MEAS_SCAN_AXIS_X").cloned().unwrap_or_default();
                    let two_theta = axis.is_empty() || axis.to_ascii_lowercase().contains("theta");
                    let meta = Metadata {
                        name: keys
                            .get("FILE_SAMPLE")
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .unwrap_or_else(|| format!("scan {}", out.len() + 1)),
                        technique: Technique::Xrd,
                        x_quantity: if two_theta {
                            XQuantity::TwoTheta
                        } else {
                            XQuantity::Other
                        },
                        x_unit: keys
                            .get("MEAS_SCAN_UNIT_X")
                            .cloned()
                            .unwrap_or_else(|| "deg".into()),
                        y_unit: keys.get("MEAS_SCAN_UNIT_Y").cloned().unwrap_or_default(),
                        counts: keys.get("MEAS_SCAN_UNIT_Y").is_some_and(|u| u == "counts"),
                        photon_energy: None,
                        source: Some(source.to_string()),
                        block: Some(axis),
                        extra: keys.clone(),
                    };
                    out.push(spectrum(
                        source,
                        int_line,
                        std::mem::take(&mut x),
                        std::mem::take(&mut y),
                        meta,
                    )?);
                }
                _ => {
                    if let Some((k, v)) = h.split_once(' ')
                        && keys.len() < 1000
                    {
                        keys.insert(k.to_string(), v.trim().trim_matches('"').to_string());
                    }
                }
            }
            continue;
        }
        if !in_int {
            return Err(parse_err(
                source,
                ln,
                format!("text outside a *RAS_INT block: {t:?}"),
            ));
        }
        let (a, v) = ras_row(t).ok_or_else(|| {
            parse_err(
                source,
                ln,
                format!("expected x, intensity[, attenuation], found {t:?}"),
            )
        })?;
        x.push(a);
        y.push(v);
    }
    if in_int {
        return Err(parse_err(
            source,
            all.len(),
            "the file ends inside *RAS_INT_START … *RAS_INT_END (truncated?)",
        ));
    }
    if out.is_empty() {
        return Err(parse_err(source, 0, "no *RAS_INT block"));
    }
    Ok(out)
}

/// Rigaku `.rasx` (a zip container): every `Data<k>/Profile<n>.txt` (rows
/// `x intensity attenuation`; intensity × attenuation, as in `.ras`) with
/// its `Data<k>/MesurementConditions<n>.xml` (scan axis, unit, wavelength,
/// intensity unit) as metadata.
pub fn read_rasx(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let entries = crate::zip::entries(b, source)?;
    let mut profiles: Vec<&crate::zip::Entry> = entries
        .iter()
        .filter(|e| e.name.contains("/Profile") && e.name.ends_with(".txt"))
        .collect();
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    if profiles.is_empty() {
        return Err(crate::Error::WrongKind {
            source_name: source.to_string(),
            message: "a zip container without Data*/Profile*.txt (not a Rigaku .rasx?)".into(),
        });
    }
    let mut out = Vec::new();
    for p in profiles {
        let text = crate::text::decode(&crate::zip::read(b, p, source)?);
        let mut extra = BTreeMap::new();
        let cond = p
            .name
            .replace("/Profile", "/MesurementConditions")
            .replace(".txt", ".xml");
        if let Some(ce) = entries.iter().find(|e| e.name == cond) {
            let xml = crate::text::decode(&crate::zip::read(b, ce, source)?);
            if let Ok(doc) = roxmltree::Document::parse(&xml) {
                for tag in [
                    "AxisName",
                    "Unit",
                    "WavelengthKalpha1",
                    "WavelengthKalpha2",
                    "IntensityUnit",
                    "Mode",
                    "Start",
                    "Step",
                    "SampleName",
                ] {
                    if let Some(v) = doc
                        .descendants()
                        .find(|n| n.has_tag_name(tag))
                        .and_then(|n| n.text())
                    {
                        extra
                            .entry(tag.to_string())
                            .or_insert_with(|| v.trim().to_string());
                    }
                }
            }
        }
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (ln, l) in lines(&text) {
            let t = l.trim();
            if t.is_empty() {
                continue;
            }
            let (a, v) = ras_row(t).ok_or_else(|| {
                parse_err(
                    &format!("{source}:{}", p.name),
                    ln,
                    format!("expected x, intensity[, attenuation], found {t:?}"),
                )
            })?;
            x.push(a);
            y.push(v);
        }
        let axis = extra.get("AxisName").cloned().unwrap_or_default();
        let two_theta = axis.is_empty() || axis.to_ascii_lowercase().contains("theta");
        let meta = Metadata {
            name: extra
                .get("SampleName")
                .filter(|s| !s.is_empty())
                .cloned()
                .unwrap_or_else(|| p.name.clone()),
            technique: Technique::Xrd,
            x_quantity: if two_theta {
                XQuantity::TwoTheta
            } else {
                XQuantity::Other
            },
            x_unit: extra.get("Unit").cloned().unwrap_or_else(|| "deg".into()),
            y_unit: extra.get("IntensityUnit").cloned().unwrap_or_default(),
            counts: extra.get("IntensityUnit").is_some_and(|u| u == "counts"),
            photon_energy: None,
            source: Some(source.to_string()),
            block: Some(p.name.clone()),
            extra,
        };
        out.push(spectrum(source, 1, x, y, meta)?);
    }
    Ok(out)
}
